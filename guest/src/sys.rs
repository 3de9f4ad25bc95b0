//! The system calls the transports share, through nix: shared memory mappings, descriptor
//! passing (SCM_RIGHTS) and polling. Each `unsafe` block states why it is sound.

use std::io::{IoSlice, IoSliceMut};
use std::num::NonZeroUsize;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::ptr::NonNull;
use std::time::Duration;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::mman::{self, MapFlags, ProtFlags};
use nix::sys::socket::{self, ControlMessage, ControlMessageOwned, MsgFlags};

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
        let size = NonZeroUsize::new(len).ok_or_else(|| Error::InvalidArgument {
            call,
            detail: "cannot map 0 bytes".into(),
        })?;
        let offset = libc::off_t::try_from(offset).map_err(|_| Error::InvalidArgument {
            call,
            detail: format!("mmap offset {offset:#x} out of range"),
        })?;
        // SAFETY: a fresh mapping chosen by the kernel (no address hint) aliases no Rust object.
        let ptr = unsafe {
            mman::mmap(
                None,
                size,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
                fd,
                offset,
            )
        }
        .map_err(|errno| Error::Os { call, errno })?;
        Ok(Mapping {
            ptr: ptr.cast(),
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
        let _ = unsafe { mman::munmap(self.ptr.cast(), self.len) };
    }
}

/// The most descriptors one message may carry here.
const MAX_FDS: usize = 8;

/// The most one message can carry at all (Linux `SCM_MAX_FD`): room is made for that many, so
/// a peer sending too many is refused after the extra descriptors are owned, and closed.
const SCM_MAX_FD: usize = 253;

/// Receives bytes and any file descriptors sent with them (SCM_RIGHTS). Returns 0 bytes at
/// end of stream.
pub fn recv_with_fds(
    stream: &UnixStream,
    buf: &mut [u8],
    call: &'static str,
) -> Result<(usize, Vec<OwnedFd>)> {
    let mut cmsg = nix::cmsg_space!([RawFd; SCM_MAX_FD]);
    let mut iov = [IoSliceMut::new(buf)];
    let msg = loop {
        match socket::recvmsg::<()>(
            stream.as_raw_fd(),
            &mut iov,
            Some(&mut cmsg),
            MsgFlags::MSG_CMSG_CLOEXEC,
        ) {
            Err(Errno::EINTR) => continue,
            r => break r.map_err(|errno| Error::Os { call, errno })?,
        }
    };
    let mut fds = Vec::new();
    for c in msg.cmsgs().map_err(|errno| Error::Os { call, errno })? {
        if let ControlMessageOwned::ScmRights(received) = c {
            // SAFETY: the kernel installed these descriptors in our table for us; we are their
            // only owner.
            fds.extend(
                received
                    .into_iter()
                    .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }),
            );
        }
    }
    if fds.len() > MAX_FDS {
        return Err(Error::Protocol {
            call,
            detail: format!(
                "{} file descriptors in one message, more than {MAX_FDS}",
                fds.len()
            ),
        });
    }
    Ok((msg.bytes, fds))
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
    let raw: Vec<RawFd> = fds.iter().map(|f| f.as_raw_fd()).collect();
    let n = socket::sendmsg::<()>(
        stream.as_raw_fd(),
        &[IoSlice::new(buf)],
        &[ControlMessage::ScmRights(&raw)],
        MsgFlags::MSG_NOSIGNAL,
        None,
    )
    .map_err(|errno| Error::Os { call, errno })?;
    // The descriptors went with the first byte; send any remainder plainly.
    send_with_fds(stream, &buf[n..], &[], call)
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
    let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
    let timeout = PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX);
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    loop {
        match poll(&mut fds, timeout) {
            Err(Errno::EINTR) => continue,
            r => return r.map(|n| n > 0).map_err(|errno| Error::Os { call, errno }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Seek, Write};
    use std::os::fd::AsFd;

    use super::*;

    fn file_with(text: &[u8]) -> std::fs::File {
        let path = std::env::temp_dir().join(format!(
            "virgl-sys-test-{}-{}",
            std::process::id(),
            text.len()
        ));
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        std::fs::remove_file(&path).unwrap();
        f.write_all(text).unwrap();
        f
    }

    fn read_all(fd: OwnedFd) -> Vec<u8> {
        let mut f = std::fs::File::from(fd);
        f.rewind().unwrap();
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        v
    }

    #[test]
    fn descriptors_arrive_with_their_bytes_and_files() {
        let (a, b) = UnixStream::pair().unwrap();
        let (one, two) = (file_with(b"first"), file_with(b"second!"));
        send_with_fds(&a, b"hello", &[one.as_fd(), two.as_fd()], "send").unwrap();
        let mut buf = [0u8; 16];
        let (n, fds) = recv_with_fds(&b, &mut buf, "recv").unwrap();
        assert_eq!(&buf[..n], b"hello");
        let contents: Vec<Vec<u8>> = fds.into_iter().map(read_all).collect();
        assert_eq!(contents, [b"first".to_vec(), b"second!".to_vec()]);

        drop(a);
        assert_eq!(recv_with_fds(&b, &mut buf, "recv").unwrap().0, 0);
        assert!(matches!(
            recv_fd(&b, "recv_fd"),
            Err(Error::Disconnected { call: "recv_fd" })
        ));
    }

    #[test]
    fn too_many_descriptors_are_refused_on_both_sides() {
        let (a, b) = UnixStream::pair().unwrap();
        let f = file_with(b"x");
        let many: Vec<BorrowedFd<'_>> = (0..MAX_FDS + 1).map(|_| f.as_fd()).collect();
        let e = send_with_fds(&a, b"x", &many, "send").unwrap_err();
        assert!(e.to_string().contains("9 fds"), "{e}");

        // A peer that sends more than we accept: an error, and the descriptors are closed.
        let raw: Vec<RawFd> = many.iter().map(|f| f.as_raw_fd()).collect();
        socket::sendmsg::<()>(
            a.as_raw_fd(),
            &[IoSlice::new(b"x")],
            &[ControlMessage::ScmRights(&raw)],
            MsgFlags::empty(),
            None,
        )
        .unwrap();
        let e = recv_with_fds(&b, &mut [0u8; 4], "recv").unwrap_err();
        assert!(e.to_string().contains("9 file descriptors"), "{e}");
    }

    #[test]
    fn poll_times_out_then_sees_data() {
        let (a, b) = UnixStream::pair().unwrap();
        assert!(!poll_readable(b.as_fd(), Duration::from_millis(10), "poll").unwrap());
        (&a).write_all(b"!").unwrap();
        assert!(poll_readable(b.as_fd(), Duration::from_millis(1000), "poll").unwrap());
    }

    #[test]
    fn mappings_share_the_file() {
        let f = file_with(&[0u8; 4096]);
        let mut m = Mapping::new(f.as_fd(), 0, 4096, "mmap").unwrap();
        m.as_mut_slice()[..3].copy_from_slice(b"abc");
        assert_eq!(&read_all(f.try_clone().unwrap().into())[..3], b"abc");
        assert!(Mapping::new(f.as_fd(), 0, 0, "mmap").is_err());
    }
}
