//! Resource backing shared with a vtest client (protocol 2+): a sealed memfd, mapped here and
//! sent to the client with SCM_RIGHTS, attached to the resource as its [`Backing`].
//!
//! The client writes the memory while we may read it. Bytes are therefore only ever copied in
//! and out through raw pointers, never borrowed as Rust slices, and the memfd is sealed
//! against shrinking so that the client cannot turn our accesses into SIGBUS.

use std::io::IoSlice;
use std::num::NonZeroUsize;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::ptr::NonNull;

use nix::fcntl::{fcntl, FcntlArg, SealFlag};
use nix::sys::memfd::{memfd_create, MFdFlags};
use nix::sys::mman::{mmap, munmap, MapFlags, ProtFlags};
use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};

use crate::error::{Error, Result};
use crate::resource::Backing;

/// A memfd of fixed size, mapped shared and read-write; unmapped on drop.
pub struct SharedMemory {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping belongs to this value alone; nothing in it is tied to a thread.
unsafe impl Send for SharedMemory {}

impl SharedMemory {
    /// Makes a memfd named `name` of `len` bytes (zero-filled, sealed against resizing) and
    /// maps it. Returns the mapping and the descriptor to hand to the client.
    pub fn new(name: &str, len: u32) -> Result<(SharedMemory, OwnedFd)> {
        let size = usize::try_from(len)
            .ok()
            .and_then(NonZeroUsize::new)
            .ok_or(Error::Vtest {
                command: "RESOURCE_CREATE2",
                detail: format!("shared memory of {len} bytes cannot be mapped"),
            })?;
        let fd = memfd_create(name, MFdFlags::MFD_CLOEXEC | MFdFlags::MFD_ALLOW_SEALING)
            .map_err(|e| Error::os("memfd_create", e))?;
        nix::unistd::ftruncate(&fd, i64::from(len)).map_err(|e| Error::os("ftruncate", e))?;
        fcntl(
            &fd,
            FcntlArg::F_ADD_SEALS(
                SealFlag::F_SEAL_SHRINK | SealFlag::F_SEAL_GROW | SealFlag::F_SEAL_SEAL,
            ),
        )
        .map_err(|e| Error::os("F_ADD_SEALS", e))?;
        // SAFETY: a new shared mapping placed by the kernel (no address hint) aliases no Rust
        // object, and the file is `size` bytes long and sealed so it cannot shrink under it.
        let ptr = unsafe {
            mmap(
                None,
                size,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_SHARED,
                &fd,
                0,
            )
        }
        .map_err(|e| Error::os("mmap", e))?;
        Ok((
            SharedMemory {
                ptr: ptr.cast(),
                len: size.get(),
            },
            fd,
        ))
    }

    fn check(&self, offset: u64, n: usize) -> usize {
        let end = offset.checked_add(n as u64);
        assert!(
            end.is_some_and(|end| end <= self.len as u64),
            "shared memory access {offset}+{n} outside {} bytes: the renderer checks transfers first",
            self.len
        );
        offset as usize
    }
}

impl Backing for SharedMemory {
    fn len(&self) -> u64 {
        self.len as u64
    }

    fn read_at(&self, offset: u64, dst: &mut [u8]) {
        let at = self.check(offset, dst.len());
        // SAFETY: at..at+len lies inside the live mapping (checked above) and `dst` is ours;
        // the regions cannot overlap as the mapping is never lent out as a slice.
        unsafe {
            std::ptr::copy_nonoverlapping(self.ptr.as_ptr().add(at), dst.as_mut_ptr(), dst.len())
        }
    }

    fn write_at(&mut self, offset: u64, src: &[u8]) {
        let at = self.check(offset, src.len());
        // SAFETY: as in read_at, with the copy going the other way.
        unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), self.ptr.as_ptr().add(at), src.len()) }
    }
}

impl Drop for SharedMemory {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the region mmap returned; no pointer into it outlives self.
        let _ = unsafe { munmap(self.ptr.cast(), self.len) };
    }
}

/// Sends `fd` to the client beside one zero byte, as vtest does for every descriptor.
pub fn send_fd(stream: &UnixStream, fd: impl AsFd, call: &'static str) -> Result<()> {
    let raw = [fd.as_fd().as_raw_fd()];
    loop {
        match sendmsg::<()>(
            stream.as_raw_fd(),
            &[IoSlice::new(&[0])],
            &[ControlMessage::ScmRights(&raw)],
            MsgFlags::MSG_NOSIGNAL,
            None,
        ) {
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(Error::os(call, e)),
            Ok(_) => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs::File;
    use std::io::{Read, Seek, SeekFrom, Write};

    use super::*;

    #[test]
    fn bytes_written_through_the_fd_are_read_through_the_mapping_and_back() {
        let (mut mem, fd) = SharedMemory::new("test", 4096).unwrap();
        let mut f = File::from(fd);
        f.write_all(b"hello").unwrap();
        let mut got = [0u8; 5];
        mem.read_at(0, &mut got);
        assert_eq!(&got, b"hello");
        mem.write_at(4091, b"world");
        f.seek(SeekFrom::Start(4091)).unwrap();
        let mut back = String::new();
        f.read_to_string(&mut back).unwrap();
        assert_eq!(back, "world");
        assert_eq!(mem.len(), 4096);
    }

    #[test]
    fn the_client_cannot_shrink_or_grow_it() {
        let (_mem, fd) = SharedMemory::new("test", 4096).unwrap();
        assert!(nix::unistd::ftruncate(&fd, 0).is_err());
        assert!(nix::unistd::ftruncate(&fd, 8192).is_err());
    }

    #[test]
    fn zero_bytes_is_refused() {
        assert!(SharedMemory::new("test", 0).is_err());
    }

    #[test]
    #[should_panic(expected = "outside 16 bytes")]
    fn an_access_past_the_end_is_a_bug_not_ub() {
        let (mem, _fd) = SharedMemory::new("test", 16).unwrap();
        mem.read_at(12, &mut [0u8; 8]);
    }
}
