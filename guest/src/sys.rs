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

/// The most descriptors one message may carry here.
const MAX_FDS: usize = 8;

/// Control-message space for one SCM_RIGHTS header with [`MAX_FDS`] ints, u64-aligned.
type CmsgBuf = [u64; 2 + MAX_FDS / 2];

/// A message header over one data buffer and a control buffer. The pointers it holds are
/// only valid while `iov` and `cmsg` are.
fn msghdr(iov: &mut libc::iovec, cmsg: &mut CmsgBuf, controllen: usize) -> libc::msghdr {
    // SAFETY: msghdr is plain data; all-zero is a valid empty header.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cmsg.as_mut_ptr().cast();
    msg.msg_controllen = controllen;
    msg
}

/// Receives bytes and any file descriptors sent with them (SCM_RIGHTS). Returns 0 bytes at
/// end of stream.
pub fn recv_with_fds(
    stream: &UnixStream,
    buf: &mut [u8],
    call: &'static str,
) -> Result<(usize, Vec<OwnedFd>)> {
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let mut cmsg_buf: CmsgBuf = [0; 2 + MAX_FDS / 2];
    let mut msg = msghdr(&mut iov, &mut cmsg_buf, std::mem::size_of::<CmsgBuf>());
    let n = loop {
        // SAFETY: msg points at iov (covering buf) and cmsg_buf, which outlive the call.
        let n = unsafe { libc::recvmsg(stream.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
        if n >= 0 {
            break n as usize;
        }
        if Errno::last() != Errno(libc::EINTR) {
            return Err(Error::os(call));
        }
    };
    let mut fds = Vec::new();
    // SAFETY: msg was filled by recvmsg; the CMSG_* macros only walk its control buffer.
    let mut cmsg = unsafe { libc::CMSG_FIRSTHDR(&msg) };
    while !cmsg.is_null() {
        // SAFETY: a non-null cmsg points at a header inside cmsg_buf written by the kernel.
        let (level, kind, len) =
            unsafe { ((*cmsg).cmsg_level, (*cmsg).cmsg_type, (*cmsg).cmsg_len) };
        if level == libc::SOL_SOCKET && kind == libc::SCM_RIGHTS {
            // SAFETY: CMSG_LEN(0) is the header size; what follows are len - header bytes of ints.
            let count = (len - unsafe { libc::CMSG_LEN(0) } as usize) / std::mem::size_of::<i32>();
            for i in 0..count {
                // SAFETY: index i is within the payload counted above; ints may be unaligned.
                let fd: i32 =
                    unsafe { std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast::<i32>().add(i)) };
                // SAFETY: the kernel installed fd in our table for us; we are its only owner.
                fds.push(unsafe { OwnedFd::from_raw_fd(fd) });
            }
        }
        // SAFETY: as above; NXTHDR returns null past the end of the buffer.
        cmsg = unsafe { libc::CMSG_NXTHDR(&msg, cmsg) };
    }
    Ok((n, fds))
}

/// Sends bytes with file descriptors attached (SCM_RIGHTS); all of `buf` is written.
pub fn send_with_fds(
    stream: &UnixStream,
    buf: &[u8],
    fds: &[BorrowedFd<'_>],
    call: &'static str,
) -> Result<()> {
    use std::io::Write;
    if fds.is_empty() {
        let mut s = stream;
        return s.write_all(buf).map_err(|e| Error::io(call, e));
    }
    if fds.len() > MAX_FDS || buf.is_empty() {
        return Err(Error::InvalidArgument {
            call,
            detail: format!("{} fds with {} bytes", fds.len(), buf.len()),
        });
    }
    let mut iov = libc::iovec {
        iov_base: buf.as_ptr() as *mut libc::c_void,
        iov_len: buf.len(),
    };
    let mut cmsg_buf: CmsgBuf = [0; 2 + MAX_FDS / 2];
    // SAFETY: CMSG_SPACE only computes a size.
    let space = unsafe { libc::CMSG_SPACE((fds.len() * 4) as u32) } as usize;
    let msg = msghdr(&mut iov, &mut cmsg_buf, space);
    // SAFETY: msg_control points at cmsg_buf, large enough for one header with MAX_FDS ints.
    unsafe {
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN((fds.len() * 4) as u32) as usize;
        for (i, fd) in fds.iter().enumerate() {
            std::ptr::write_unaligned(libc::CMSG_DATA(cmsg).cast::<i32>().add(i), fd.as_raw_fd());
        }
    }
    // SAFETY: msg points at iov (covering buf) and cmsg_buf, which outlive the call; the fds
    // are borrowed open descriptors.
    let n = unsafe { libc::sendmsg(stream.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) };
    if n < 0 {
        return Err(Error::os(call));
    }
    // The descriptors went with the first byte; send any remainder plainly.
    send_with_fds(stream, &buf[n as usize..], &[], call)
}

/// Receives one file descriptor sent with SCM_RIGHTS beside a single byte.
pub fn recv_fd(stream: &UnixStream, call: &'static str) -> Result<OwnedFd> {
    let mut byte = [0u8; 1];
    let (n, mut fds) = recv_with_fds(stream, &mut byte, call)?;
    if n == 0 {
        return Err(Error::Disconnected { call });
    }
    if fds.len() != 1 {
        return Err(Error::Protocol {
            call,
            detail: format!("expected one file descriptor, {} were sent", fds.len()),
        });
    }
    Ok(fds.remove(0))
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
