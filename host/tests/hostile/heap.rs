//! How much the renderer holds: the live heap bytes each thread allocated through Rust's
//! allocator (which every part of the renderer uses; GL drivers allocate with their own), and
//! the process's resident set, for what GL holds.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    /// Bytes allocated minus bytes freed on this thread.
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

fn add(n: i64) {
    // A const-initialised thread local without a destructor neither allocates nor fails,
    // except while the thread is being torn down, when the count no longer matters.
    let _ = LIVE.try_with(|c| c.set(c.get() + n));
}

/// The system allocator, counting.
pub struct Counting;

// SAFETY: every call is passed to `System` unchanged; the counting touches no allocation.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is `System`'s.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size() as i64);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size() as i64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        add(-(layout.size() as i64));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

/// Live heap bytes this thread allocated (and did not free) so far.
pub fn live() -> i64 {
    LIVE.with(|c| c.get())
}

/// The process's resident set in bytes (`VmRSS`; 0 where /proc is not there).
pub fn rss() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|kb| kb.trim().parse::<i64>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[test]
fn the_count_sees_a_leak() {
    let before = live();
    let kept: Vec<Box<[u8; 64]>> = (0..100).map(|_| Box::new([0; 64])).collect();
    assert!(live() - before >= 6400);
    drop(kept);
    assert!(live() - before < 64);
    let grown = vec![0u8; 1000];
    assert!(live() - before >= 1000, "a kept allocation stays counted");
    drop(grown);
}
