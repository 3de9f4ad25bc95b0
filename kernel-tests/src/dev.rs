//! A virtio-gpu device file with the calls the cases share.

use std::fs::{File, OpenOptions};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

use virgl_guest::virtgpu::{self, drm_ioctl};
use virgl_guest::{Error, Result};
use virgl_proto::virtgpu::{self as uapi, ioctl};

/// A user pointer no process can have mapped: the kernel's `access_ok` rejects the upper half
/// of the address space, so the kernel never touches our memory through it.
pub const BAD_PTR: u64 = 0xffff_8000_0000_0000;

/// An open render node.
pub struct Dev {
    file: File,
    pub path: PathBuf,
}

/// A GEM object with its host resource.
#[derive(Clone, Copy, Debug)]
pub struct Bo {
    pub handle: u32,
    pub res_handle: u32,
    pub size: u32,
}

impl Dev {
    pub fn open(path: &Path) -> Result<Dev> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| Error::Os {
                call: "open render node",
                errno: virgl_guest::error::errno_of(&e),
            })?;
        Ok(Dev {
            file,
            path: path.to_path_buf(),
        })
    }

    pub fn fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }

    pub fn getparam(&self, param: u64) -> Result<i32> {
        virtgpu::getparam(self.fd(), param)
    }

    /// Issues an ioctl with arbitrary arguments.
    ///
    /// # Safety
    /// Every pointer inside `arg` must be null, [`BAD_PTR`], or valid for what the kernel does
    /// with it.
    pub unsafe fn raw<T: bytemuck::Pod>(
        &self,
        request: u32,
        arg: &mut T,
        call: &'static str,
    ) -> Result<()> {
        // SAFETY: forwarded from this function's contract.
        unsafe { drm_ioctl(self.fd(), request, arg, call) }
    }

    /// RESOURCE_CREATE with the given arguments.
    pub fn create(&self, mut arg: uapi::ResourceCreate) -> Result<Bo> {
        virtgpu::resource_create(self.fd(), &mut arg)?;
        Ok(Bo {
            handle: arg.bo_handle,
            res_handle: arg.res_handle,
            size: arg.size,
        })
    }

    /// A 2D BGRA8 texture usable as render target and sampler view.
    pub fn texture(&self, w: u32, h: u32) -> Result<Bo> {
        self.create(texture_args(w, h))
    }

    /// A buffer of `size` bytes.
    pub fn buffer(&self, size: u32) -> Result<Bo> {
        self.create(uapi::ResourceCreate {
            target: 0,
            format: virgl_proto::format::Format::R8_UNORM.to_wire(),
            bind: virgl_proto::pipe::bind::VERTEX_BUFFER,
            width: size,
            height: 1,
            depth: 1,
            array_size: 1,
            size,
            ..Default::default()
        })
    }

    pub fn close(&self, handle: u32) -> Result<()> {
        virtgpu::gem_close(self.fd(), handle)
    }

    /// Submits `stream` referencing `bos`.
    pub fn submit(
        &self,
        stream: &[u32],
        bos: &[u32],
        flags: u32,
        in_fence: Option<BorrowedFd<'_>>,
    ) -> Result<Option<OwnedFd>> {
        virtgpu::execbuffer(
            self.fd(),
            bytemuck::cast_slice(stream),
            bos,
            flags,
            in_fence,
        )
    }

    pub fn transfer(&self, to_host: bool, arg: &mut uapi::Transfer) -> Result<()> {
        if to_host {
            virtgpu::transfer_to_host(self.fd(), arg)
        } else {
            virtgpu::transfer_from_host(self.fd(), arg)
        }
    }

    pub fn wait(&self, handle: u32, flags: u32) -> Result<()> {
        virtgpu::wait(self.fd(), handle, flags)
    }

    pub fn prime_export(&self, handle: u32) -> Result<OwnedFd> {
        let mut arg = uapi::PrimeHandle {
            handle,
            flags: libc::O_CLOEXEC as u32 | libc::O_RDWR as u32,
            fd: -1,
        };
        // SAFETY: the struct holds no pointers.
        unsafe {
            self.raw(
                ioctl::PRIME_HANDLE_TO_FD,
                &mut arg,
                "DRM_IOCTL_PRIME_HANDLE_TO_FD",
            )?
        };
        // SAFETY: the kernel installed a new fd for us; we are its only owner.
        Ok(unsafe { std::os::fd::FromRawFd::from_raw_fd(arg.fd) })
    }

    pub fn prime_import(&self, fd: BorrowedFd<'_>) -> Result<u32> {
        use std::os::fd::AsRawFd;
        let mut arg = uapi::PrimeHandle {
            handle: 0,
            flags: 0,
            fd: fd.as_raw_fd(),
        };
        // SAFETY: the struct holds no pointers.
        unsafe {
            self.raw(
                ioctl::PRIME_FD_TO_HANDLE,
                &mut arg,
                "DRM_IOCTL_PRIME_FD_TO_HANDLE",
            )?
        };
        Ok(arg.handle)
    }
}

/// Arguments for a `w` × `h` BGRA8 2D texture with a packed backing.
pub fn texture_args(w: u32, h: u32) -> uapi::ResourceCreate {
    uapi::ResourceCreate {
        target: virgl_proto::pipe::TextureTarget::Texture2D.to_wire(),
        format: virgl_proto::format::Format::B8G8R8A8_UNORM.to_wire(),
        bind: virgl_proto::pipe::bind::RENDER_TARGET | virgl_proto::pipe::bind::SAMPLER_VIEW,
        width: w,
        height: h,
        depth: 1,
        array_size: 1,
        size: w * h * 4,
        stride: w * 4,
        ..Default::default()
    }
}

/// A transfer of the whole of a `w` × `h` level 0.
pub fn whole(handle: u32, w: u32, h: u32) -> uapi::Transfer {
    uapi::Transfer {
        bo_handle: handle,
        region: uapi::Box3d {
            x: 0,
            y: 0,
            z: 0,
            w,
            h,
            d: 1,
        },
        ..Default::default()
    }
}
