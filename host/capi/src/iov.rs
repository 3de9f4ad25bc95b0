//! Guest memory as the caller hands it in: an array of `struct iovec` it owns (QEMU maps guest
//! RAM into it; `virgl_test_server` points it at a memfd mapping). The array is borrowed, never
//! copied or freed, so `virgl_renderer_resource_detach_iov` hands back the same pointer.

use virgl_host::resource::Backing;

/// The segments of one iovec array, read and written as one run of bytes.
pub struct IovMemory {
    iov: *const libc::iovec,
    count: usize,
    len: u64,
}

// SAFETY: the memory belongs to the caller, which keeps it mapped until it detaches it or
// unrefs the resource; every call into the library is serialised by its lock, so no two
// threads touch it through us at once.
unsafe impl Send for IovMemory {}

impl IovMemory {
    /// Borrows `count` iovecs at `iov`; `None` when the segment lengths overflow or the array
    /// is null with segments.
    ///
    /// # Safety
    /// `iov` must point to `count` iovecs whose bases are valid for reads and writes of their
    /// lengths, and stay so while this lives.
    pub unsafe fn new(iov: *const libc::iovec, count: usize) -> Option<IovMemory> {
        if count == 0 {
            return Some(IovMemory {
                iov: std::ptr::null(),
                count: 0,
                len: 0,
            });
        }
        if iov.is_null() {
            return None;
        }
        // SAFETY: the caller promises `count` readable iovecs at `iov`.
        let segments = unsafe { std::slice::from_raw_parts(iov, count) };
        let mut len: u64 = 0;
        for s in segments {
            if s.iov_base.is_null() && s.iov_len > 0 {
                return None;
            }
            len = len.checked_add(s.iov_len as u64)?;
        }
        Some(IovMemory { iov, count, len })
    }

    /// The array as handed in, for `detach_iov`.
    pub fn raw(&self) -> (*const libc::iovec, usize) {
        (self.iov, self.count)
    }

    fn segments(&self) -> &[libc::iovec] {
        if self.count == 0 {
            return &[];
        }
        // SAFETY: checked non-null in `new`; the caller keeps the array alive (see `new`).
        unsafe { std::slice::from_raw_parts(self.iov, self.count) }
    }

    /// Calls `f(segment base, offset within it, bytes done so far, length)` for each piece of
    /// `[offset, offset + n)`; the range was checked against `len` by the transfer layout.
    fn walk(&self, offset: u64, n: usize, mut f: impl FnMut(*mut u8, usize, usize, usize)) {
        let (mut skip, mut done) = (offset, 0usize);
        for s in self.segments() {
            if done == n {
                break;
            }
            let seg = s.iov_len as u64;
            if skip >= seg {
                skip -= seg;
                continue;
            }
            let take = ((seg - skip) as usize).min(n - done);
            f(s.iov_base.cast(), skip as usize, done, take);
            done += take;
            skip = 0;
        }
        assert_eq!(done, n, "a transfer ran past its checked iovec span");
    }
}

impl Backing for IovMemory {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, dst: &mut [u8]) {
        let n = dst.len();
        self.walk(offset, n, |base, at, done, take| {
            // SAFETY: `at + take` is within the segment (walk), which the caller keeps valid.
            let src = unsafe { std::slice::from_raw_parts(base.add(at), take) };
            dst[done..done + take].copy_from_slice(src);
        });
    }

    fn write_at(&mut self, offset: u64, src: &[u8]) {
        self.walk(offset, src.len(), |base, at, done, take| {
            // SAFETY: as in read_at; the caller's memory is writable guest RAM or a mapping.
            let dst = unsafe { std::slice::from_raw_parts_mut(base.add(at), take) };
            dst.copy_from_slice(&src[done..done + take]);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_cross_segment_edges() {
        let mut a = vec![0u8; 3];
        let b = [0u8; 0];
        let mut c = vec![0u8; 5];
        let iov = [
            libc::iovec {
                iov_base: a.as_mut_ptr().cast(),
                iov_len: a.len(),
            },
            libc::iovec {
                iov_base: b.as_ptr().cast_mut().cast(),
                iov_len: 0,
            },
            libc::iovec {
                iov_base: c.as_mut_ptr().cast(),
                iov_len: c.len(),
            },
        ];
        // SAFETY: the three vectors outlive `mem`.
        let mut mem = unsafe { IovMemory::new(iov.as_ptr(), 3) }.unwrap();
        assert_eq!(mem.len(), 8);
        mem.write_at(1, &[1, 2, 3, 4, 5]);
        let mut back = [0u8; 8];
        mem.read_at(0, &mut back);
        assert_eq!(back, [0, 1, 2, 3, 4, 5, 0, 0]);
        assert_eq!(
            (&a[..], &b[..], &c[..]),
            (&[0, 1, 2][..], &[][..], &[3, 4, 5, 0, 0][..])
        );
    }

    #[test]
    fn null_bases_with_bytes_are_refused() {
        let iov = [libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 4,
        }];
        // SAFETY: the array is valid; its base is what is refused.
        assert!(unsafe { IovMemory::new(iov.as_ptr(), 1) }.is_none());
        // SAFETY: a null array with segments is refused before it is read.
        assert!(unsafe { IovMemory::new(std::ptr::null(), 2) }.is_none());
    }
}
