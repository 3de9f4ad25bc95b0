//! Small wrappers over the system calls the transports share: memory mappings, fd passing and
//! polling. Each `unsafe` block states why it is sound.

use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::ptr::NonNull;
use std::time::Duration;

use crate::error::{Errno, Error, Result};

/// A shared, read-write memory mapping of a file or device, unmapped on drop.
///
/// The memory is shared with another party (the host, through the kernel or a vtest server).
/// Callers read it only after waiting for that party to finish writing.
pub struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory owned by this value; moving it between threads is fine.
unsafe impl Send for Mapping {}

impl Mapping {
    /// Maps `len` bytes of `fd` at `offset`, shared and read-write.
    pub fn new(fd: BorrowedFd<'_>, offset: u64, len: usize, call: &'static str) -> Result<Mapping> {
        if len == 0 {
            return Err(Error::InvalidArgument {
                call,
                detail: "cannot map 0 bytes".into(),
            });
        }
        let offset = libc::off_t::try_from(offset).map_err(|_| Error::InvalidArgument {
            call,
            detail: format!("mmap offset {offset:#x} out of range"),
        })?;
        // SAFETY: a fresh mapping chosen by the kernel (addr = NULL) aliases no Rust object; fd is
        // a valid open descriptor for the duration of the call.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                offset,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(Error::os(call));
        }
        Ok(Mapping {
            ptr: NonNull::new(ptr.cast()).ok_or_else(|| Error::os(call))?,
            len,
        })
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty (never, as mappings are non-empty).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The mapped bytes.
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: ptr..ptr+len is a live mapping owned by self; the borrow ties it to self.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }

    /// The mapped bytes, writable.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as in as_slice, and &mut self makes this the only Rust reference.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the region mmap returned; no references outlive self.
        unsafe {
            libc::munmap(self.ptr.as_ptr().cast(), self.len);
        }
    }
}

/// Receives one file descriptor sent with SCM_RIGHTS beside a single byte.
pub fn recv_fd(stream: &UnixStream, call: &'static str) -> Result<OwnedFd> {
    let mut byte = [0u8; 1];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: 1,
    };
    // Room for one cmsghdr carrying one int, u64-aligned.
    let mut cmsg_buf = [0u64; 4];
    // SAFETY: msghdr is plain data; all-zero is a valid empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cmsg_buf.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&cmsg_buf);
    // SAFETY: msg points at iov and cmsg_buf, which outlive the call and are sized as declared.
    let n = unsafe { libc::recvmsg(stream.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
    if n < 0 {
        return Err(Error::os(call));
    }
    if n == 0 {
        return Err(Error::Disconnected { call });
    }
    // SAFETY: msg was filled by recvmsg; CMSG_FIRSTHDR only reads its control fields.
    let cmsg = unsafe { libc::CMSG_FIRSTHDR(&msg) };
    // SAFETY: a non-null cmsg points inside cmsg_buf, written by the kernel.
    let ok = !cmsg.is_null()
        && unsafe {
            (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS
        };
    if !ok {
        return Err(Error::Protocol {
            call,
            detail: "expected a file descriptor, none was sent".into(),
        });
    }
    // SAFETY: an SCM_RIGHTS payload holds at least one int; it may be unaligned, so read it so.
    let fd: i32 = unsafe { std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast()) };
    // SAFETY: the kernel installed fd in our table for us; we are its only owner.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Waits until `fd` is readable or `timeout` passes; true if readable.
pub fn poll_readable(fd: BorrowedFd<'_>, timeout: Duration, call: &'static str) -> Result<bool> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    loop {
        // SAFETY: pfd is one valid pollfd for the duration of the call.
        let r = unsafe { libc::poll(&mut pfd, 1, ms) };
        if r < 0 {
            if Errno::last() == Errno(libc::EINTR) {
                continue;
            }
            return Err(Error::os(call));
        }
        return Ok(r > 0);
    }
}
