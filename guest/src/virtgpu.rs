//! The virtio-gpu transport: the Linux `virtio_gpu` DRM driver's render node.
//!
//! Each ioctl has one small wrapper with one `unsafe` block; the argument structs come from
//! [`virgl_proto::virtgpu`], laid out as the kernel UAPI header lays them out.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

use virgl_proto::caps::{CapsV1, CapsV2, CAPSET_VIRGL, CAPSET_VIRGL2};
use virgl_proto::virtgpu::{self as uapi, ioctl, param};

use crate::error::{Errno, Error, Result};
use crate::sys::{poll_readable, Mapping};
use crate::transport::{Caps, Fence, ResourceDesc, ResourceId, TransferRegion, Transport};

/// How long a fence may take before the host is considered hung.
pub const FENCE_TIMEOUT: Duration = Duration::from_secs(30);

/// The DRM driver name of virtio-gpu.
pub const DRIVER_NAME: &str = "virtio_gpu";

/// An open DRM device file, for the `drm` crate's queries.
pub struct Card(File);

impl AsFd for Card {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl drm::Device for Card {}
impl drm::control::Device for Card {}

impl Card {
    /// Opens a DRM device node read-write.
    pub fn open(path: &Path) -> Result<Card> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map(Card)
            .map_err(|e| Error::Os {
                call: "open DRM device",
                errno: crate::error::errno_of(&e),
            })
    }

    /// The kernel driver's name (`DRM_IOCTL_VERSION`).
    pub fn driver_name(&self) -> Result<String> {
        use drm::Device;
        let d = self.get_driver().map_err(|e| Error::Os {
            call: "DRM_IOCTL_VERSION",
            errno: crate::error::errno_of(&e),
        })?;
        Ok(d.name().to_string_lossy().into_owned())
    }
}

/// Finds the first render node driven by virtio-gpu.
pub fn find_render_node() -> Result<PathBuf> {
    find_node((128..192).map(|m| format!("/dev/dri/renderD{m}")))
}

/// Finds the first primary (KMS-capable) node driven by virtio-gpu.
pub fn find_card_node() -> Result<PathBuf> {
    find_node((0..16).map(|m| format!("/dev/dri/card{m}")))
}

fn find_node(candidates: impl Iterator<Item = String>) -> Result<PathBuf> {
    let mut seen = Vec::new();
    for path in candidates {
        let path = PathBuf::from(path);
        if !path.exists() {
            continue;
        }
        match Card::open(&path).and_then(|c| c.driver_name()) {
            Ok(name) if name == DRIVER_NAME => return Ok(path),
            Ok(name) => seen.push(format!("{} ({name})", path.display())),
            Err(e) => seen.push(format!("{} ({e})", path.display())),
        }
    }
    Err(Error::NoDevice(if seen.is_empty() {
        "no matching /dev/dri node found".into()
    } else {
        format!("no virtio_gpu node among {}", seen.join(", "))
    }))
}

/// Issues one DRM ioctl whose argument is `T`, retrying on EINTR/EAGAIN. Public for tests
/// that need to pass arguments the safe wrappers cannot express.
///
/// # Safety
/// Every user pointer inside `arg` must be null or point at memory valid for the access the
/// kernel makes through it (as each wrapper below arranges).
pub unsafe fn drm_ioctl<T: bytemuck::Pod>(
    fd: BorrowedFd<'_>,
    request: u32,
    arg: &mut T,
    call: &'static str,
) -> Result<()> {
    debug_assert_eq!((request >> 16) & 0x3fff, std::mem::size_of::<T>() as u32);
    loop {
        // SAFETY: arg is a live, exclusively borrowed T whose size the request encodes; the
        // caller vouches for the pointers inside it.
        let r = unsafe { libc::ioctl(fd.as_raw_fd(), request as libc::c_ulong, arg as *mut T) };
        if r == 0 {
            return Ok(());
        }
        let errno = Errno::last();
        if errno != Errno::EINTR && errno != Errno::EAGAIN {
            return Err(Error::Os { call, errno });
        }
    }
}

/// GETPARAM: the value of `param`.
pub fn getparam(fd: BorrowedFd<'_>, param: u64) -> Result<i32> {
    let mut value: i32 = 0;
    let mut arg = uapi::GetParam {
        param,
        value: &mut value as *mut i32 as u64,
    };
    // SAFETY: value points at a live i32 the kernel writes once.
    unsafe { drm_ioctl(fd, ioctl::GETPARAM, &mut arg, "DRM_IOCTL_VIRTGPU_GETPARAM")? };
    Ok(value)
}

/// GET_CAPS: fills `buf` with capset `id` version `version` (truncated to `buf`'s length).
pub fn get_caps(fd: BorrowedFd<'_>, id: u32, version: u32, buf: &mut [u8]) -> Result<()> {
    let mut arg = uapi::GetCaps {
        cap_set_id: id,
        cap_set_ver: version,
        addr: buf.as_mut_ptr() as u64,
        size: u32::try_from(buf.len()).unwrap_or(u32::MAX),
        pad: 0,
    };
    // SAFETY: addr/size describe buf, which the kernel writes at most size bytes of.
    unsafe { drm_ioctl(fd, ioctl::GET_CAPS, &mut arg, "DRM_IOCTL_VIRTGPU_GET_CAPS") }
}

/// CONTEXT_INIT with a list of (param, value) pairs.
pub fn context_init(fd: BorrowedFd<'_>, params: &[uapi::ContextSetParam]) -> Result<()> {
    let mut arg = uapi::ContextInit {
        num_params: params.len() as u32,
        pad: 0,
        ctx_set_params: params.as_ptr() as u64,
    };
    // SAFETY: ctx_set_params points at num_params live entries the kernel only reads. (A
    // DEBUG_NAME value must point at a NUL-terminated string; callers pass none.)
    unsafe {
        drm_ioctl(
            fd,
            ioctl::CONTEXT_INIT,
            &mut arg,
            "DRM_IOCTL_VIRTGPU_CONTEXT_INIT",
        )
    }
}

/// RESOURCE_CREATE: fills in `bo_handle` and `res_handle`.
pub fn resource_create(fd: BorrowedFd<'_>, arg: &mut uapi::ResourceCreate) -> Result<()> {
    // SAFETY: the struct holds no pointers.
    unsafe {
        drm_ioctl(
            fd,
            ioctl::RESOURCE_CREATE,
            arg,
            "DRM_IOCTL_VIRTGPU_RESOURCE_CREATE",
        )
    }
}

/// RESOURCE_INFO for a GEM handle.
pub fn resource_info(fd: BorrowedFd<'_>, bo_handle: u32) -> Result<uapi::ResourceInfo> {
    let mut arg = uapi::ResourceInfo {
        bo_handle,
        ..Default::default()
    };
    // SAFETY: the struct holds no pointers.
    unsafe {
        drm_ioctl(
            fd,
            ioctl::RESOURCE_INFO,
            &mut arg,
            "DRM_IOCTL_VIRTGPU_RESOURCE_INFO",
        )?
    };
    Ok(arg)
}

/// MAP: the fake offset to mmap a GEM object at.
pub fn map_offset(fd: BorrowedFd<'_>, bo_handle: u32) -> Result<u64> {
    let mut arg = uapi::Map {
        handle: bo_handle,
        ..Default::default()
    };
    // SAFETY: the struct holds no pointers.
    unsafe { drm_ioctl(fd, ioctl::MAP, &mut arg, "DRM_IOCTL_VIRTGPU_MAP")? };
    Ok(arg.offset)
}

/// TRANSFER_TO_HOST.
pub fn transfer_to_host(fd: BorrowedFd<'_>, arg: &mut uapi::Transfer) -> Result<()> {
    // SAFETY: the struct holds no pointers.
    unsafe {
        drm_ioctl(
            fd,
            ioctl::TRANSFER_TO_HOST,
            arg,
            "DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST",
        )
    }
}

/// TRANSFER_FROM_HOST.
pub fn transfer_from_host(fd: BorrowedFd<'_>, arg: &mut uapi::Transfer) -> Result<()> {
    // SAFETY: the struct holds no pointers.
    unsafe {
        drm_ioctl(
            fd,
            ioctl::TRANSFER_FROM_HOST,
            arg,
            "DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST",
        )
    }
}

/// WAIT on a GEM object; with [`uapi::WAIT_NOWAIT`] it fails with EBUSY instead of blocking.
pub fn wait(fd: BorrowedFd<'_>, bo_handle: u32, flags: u32) -> Result<()> {
    let mut arg = uapi::Wait {
        handle: bo_handle,
        flags,
    };
    // SAFETY: the struct holds no pointers.
    unsafe { drm_ioctl(fd, ioctl::WAIT, &mut arg, "DRM_IOCTL_VIRTGPU_WAIT") }
}

/// EXECBUFFER: submits `stream` referencing `bo_handles`; returns the out-fence fd when asked for.
pub fn execbuffer(
    fd: BorrowedFd<'_>,
    stream: &[u8],
    bo_handles: &[u32],
    flags: u32,
    in_fence: Option<BorrowedFd<'_>>,
) -> Result<Option<OwnedFd>> {
    let mut arg = uapi::Execbuffer {
        flags,
        size: u32::try_from(stream.len()).map_err(|_| Error::InvalidArgument {
            call: "DRM_IOCTL_VIRTGPU_EXECBUFFER",
            detail: format!("{}-byte stream is too large", stream.len()),
        })?,
        command: stream.as_ptr() as u64,
        bo_handles: bo_handles.as_ptr() as u64,
        num_bo_handles: bo_handles.len() as u32,
        fence_fd: in_fence.map_or(-1, |f| f.as_raw_fd()),
        ..Default::default()
    };
    // SAFETY: command/size and bo_handles/num_bo_handles describe live slices the kernel only
    // reads; no syncobj arrays are passed.
    unsafe {
        drm_ioctl(
            fd,
            ioctl::EXECBUFFER,
            &mut arg,
            "DRM_IOCTL_VIRTGPU_EXECBUFFER",
        )?
    };
    if flags & uapi::execbuf::FENCE_FD_OUT != 0 && arg.fence_fd >= 0 {
        // SAFETY: the kernel installed a new fd for the out-fence; we are its only owner.
        return Ok(Some(unsafe { OwnedFd::from_raw_fd(arg.fence_fd) }));
    }
    Ok(None)
}

/// GEM_CLOSE: drops a GEM handle.
pub fn gem_close(fd: BorrowedFd<'_>, handle: u32) -> Result<()> {
    let mut arg = uapi::GemClose { handle, pad: 0 };
    // SAFETY: the struct holds no pointers.
    unsafe { drm_ioctl(fd, ioctl::GEM_CLOSE, &mut arg, "DRM_IOCTL_GEM_CLOSE") }
}

struct Bo {
    handle: u32,
    desc: ResourceDesc,
    mapping: Option<Mapping>,
}

/// A virgl context on a virtio-gpu render node.
pub struct VirtioGpu {
    card: Card,
    path: PathBuf,
    caps: Caps,
    bos: HashMap<ResourceId, Bo>,
}

impl VirtioGpu {
    /// Opens `path`, or the first virtio-gpu render node when `None`, and reads its caps.
    pub fn open(path: Option<&Path>) -> Result<VirtioGpu> {
        let path = match path {
            Some(p) => p.to_path_buf(),
            None => find_render_node()?,
        };
        let card = Card::open(&path)?;
        let driver = card.driver_name()?;
        if driver != DRIVER_NAME {
            return Err(Error::NoDevice(format!(
                "{} is driven by {driver}, not {DRIVER_NAME}",
                path.display()
            )));
        }
        let fd = card.as_fd();
        if getparam(fd, param::FEATURES_3D)? != 1 {
            return Err(Error::NoDevice(format!(
                "{}: the host offers no 3D (VIRTGPU_PARAM_3D_FEATURES = 0)",
                path.display()
            )));
        }
        if getparam(fd, param::CONTEXT_INIT).unwrap_or(0) == 1 {
            context_init(
                fd,
                &[uapi::ContextSetParam {
                    param: uapi::context_param::CAPSET_ID,
                    value: u64::from(CAPSET_VIRGL2),
                }],
            )?;
        }
        let mut v1 = vec![0u8; CapsV1::SIZE];
        get_caps(fd, CAPSET_VIRGL, 1, &mut v1)?;
        let v2 = if getparam(fd, param::CAPSET_QUERY_FIX).unwrap_or(0) == 1 {
            let mut buf = vec![0u8; CapsV2::SIZE];
            match get_caps(fd, CAPSET_VIRGL2, 2, &mut buf) {
                Ok(()) => Some(CapsV2::from_bytes(&buf)?),
                Err(e) if e.errno() == Some(Errno::EINVAL) => None,
                Err(e) => return Err(e),
            }
        } else {
            None
        };
        let caps = Caps {
            v1: CapsV1::from_bytes(&v1)?,
            v2,
            v2_len: None,
        };
        Ok(VirtioGpu {
            card,
            path,
            caps,
            bos: HashMap::new(),
        })
    }

    /// The device file, for ioctls beyond the transport interface.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.card.as_fd()
    }

    /// The `drm` crate view of the device (KMS and core queries).
    pub fn card(&self) -> &Card {
        &self.card
    }

    /// The GEM handle behind a resource.
    pub fn bo_handle(&self, id: ResourceId) -> Option<u32> {
        self.bos.get(&id).map(|b| b.handle)
    }

    fn bo(&mut self, call: &'static str, id: ResourceId) -> Result<&mut Bo> {
        self.bos.get_mut(&id).ok_or_else(|| Error::InvalidArgument {
            call,
            detail: format!("unknown resource {}", id.0),
        })
    }

    /// Takes an imported GEM handle as a resource of shape `desc`: its host resource id from
    /// RESOURCE_INFO, and its backing mapped, which must hold `desc`'s packed level 0.
    fn adopt(&mut self, handle: u32, desc: &ResourceDesc) -> Result<ResourceId> {
        const CALL: &str = "import_dmabuf";
        let info = resource_info(self.fd(), handle)?;
        let need = desc.backing_size().ok_or_else(|| Error::Unsupported {
            call: CALL,
            detail: format!("format {} has no simple block layout", desc.format),
        })?;
        if info.blob_mem != 0 || info.size < need {
            return Err(Error::InvalidArgument {
                call: CALL,
                detail: format!(
                    "resource {} (blob_mem {}) has {} bytes of backing; {}x{} {} needs {need}",
                    info.res_handle, info.blob_mem, info.size, desc.width, desc.height, desc.format
                ),
            });
        }
        let off = map_offset(self.fd(), handle)?;
        let mapping = Mapping::new(self.fd(), off, info.size as usize, "mmap imported bo")?;
        let id = ResourceId(info.res_handle);
        self.bos.insert(
            id,
            Bo {
                handle,
                desc: *desc,
                mapping: Some(mapping),
            },
        );
        Ok(id)
    }

    /// The kernel rejects explicit strides for non-blob resources (EINVAL) and the host then
    /// assumes the packed layout of the level, which is the backing's layout; so strides must
    /// match it and travel as 0.
    fn transfer_arg(
        &mut self,
        call: &'static str,
        id: ResourceId,
        t: &TransferRegion,
    ) -> Result<uapi::Transfer> {
        let b = t.region;
        let bo = self.bo(call, id)?;
        let packed = bo.desc.backing_layout(b)?;
        if t.level != 0
            || u64::from(t.stride) != packed.stride()
            || (b.d > 1 && u64::from(t.layer_stride) != packed.layer_stride())
        {
            return Err(Error::Unsupported {
                call,
                detail: format!(
                    "level {} stride {} layer stride {}: only level 0 with the packed layout (stride {})",
                    t.level, t.stride, t.layer_stride, packed.stride()
                ),
            });
        }
        Ok(uapi::Transfer {
            bo_handle: bo.handle,
            region: uapi::Box3d {
                x: b.x,
                y: b.y,
                z: b.z,
                w: b.w,
                h: b.h,
                d: b.d,
            },
            level: t.level,
            offset: t.offset,
            stride: 0,
            layer_stride: 0,
        })
    }
}

impl Transport for VirtioGpu {
    fn drm_fd(&self) -> Option<BorrowedFd<'_>> {
        Some(self.card.as_fd())
    }

    fn gem_handle(&self, id: ResourceId) -> Option<u32> {
        self.bo_handle(id)
    }

    fn export_dmabuf(&self, id: ResourceId) -> Result<OwnedFd> {
        const CALL: &str = "DRM_IOCTL_PRIME_HANDLE_TO_FD";
        let handle = self
            .bo_handle(id)
            .and_then(std::num::NonZeroU32::new)
            .ok_or_else(|| Error::InvalidArgument {
                call: CALL,
                detail: format!("unknown resource {}", id.0),
            })?;
        drm::control::Device::buffer_to_prime_fd(
            &self.card,
            handle.into(),
            drm::CLOEXEC | drm::RDWR,
        )
        .map_err(|e| Error::Os {
            call: CALL,
            errno: crate::error::errno_of(&e),
        })
    }

    fn import_dmabuf(&mut self, fd: BorrowedFd<'_>, desc: &ResourceDesc) -> Result<ResourceId> {
        let handle: u32 = drm::control::Device::prime_fd_to_buffer(&self.card, fd)
            .map_err(|e| Error::Os {
                call: "DRM_IOCTL_PRIME_FD_TO_HANDLE",
                errno: crate::error::errno_of(&e),
            })?
            .into();
        // A buffer this file already has comes back as the same GEM handle, which one
        // GEM_CLOSE ends: a second resource on it would close it under the first.
        if let Some((id, _)) = self.bos.iter().find(|(_, b)| b.handle == handle) {
            return Err(Error::InvalidArgument {
                call: "DRM_IOCTL_PRIME_FD_TO_HANDLE",
                detail: format!(
                    "the dma-buf is resource {} here already (GEM handle {handle})",
                    id.0
                ),
            });
        }
        let bo = self.adopt(handle, desc);
        if bo.is_err() {
            let _ = gem_close(self.fd(), handle);
        }
        bo
    }

    fn describe(&self) -> String {
        format!("virtio-gpu {}", self.path.display())
    }

    fn caps(&self) -> &Caps {
        &self.caps
    }

    fn create_resource(&mut self, desc: &ResourceDesc) -> Result<ResourceId> {
        const CALL: &str = "DRM_IOCTL_VIRTGPU_RESOURCE_CREATE";
        let size = desc.backing_size().ok_or_else(|| Error::Unsupported {
            call: CALL,
            detail: format!("format {} has no simple block layout", desc.format),
        })?;
        let mut arg = uapi::ResourceCreate {
            target: desc.target.to_wire(),
            format: desc.format.to_wire(),
            bind: desc.bind,
            width: desc.width,
            height: desc.height,
            depth: desc.depth,
            array_size: desc.array_size,
            last_level: desc.last_level,
            nr_samples: desc.nr_samples,
            flags: 0,
            size,
            stride: desc.stride().unwrap_or(0),
            ..Default::default()
        };
        resource_create(self.fd(), &mut arg)?;
        let mapping = match map_offset(self.fd(), arg.bo_handle)
            .and_then(|off| Mapping::new(self.fd(), off, size as usize, "mmap virtio-gpu bo"))
        {
            Ok(m) => m,
            Err(e) => {
                let _ = gem_close(self.fd(), arg.bo_handle);
                return Err(e);
            }
        };
        let id = ResourceId(arg.res_handle);
        self.bos.insert(
            id,
            Bo {
                handle: arg.bo_handle,
                desc: *desc,
                mapping: Some(mapping),
            },
        );
        Ok(id)
    }

    fn destroy_resource(&mut self, id: ResourceId) -> Result<()> {
        let mut bo = self.bos.remove(&id).ok_or_else(|| Error::InvalidArgument {
            call: "DRM_IOCTL_GEM_CLOSE",
            detail: format!("unknown resource {}", id.0),
        })?;
        bo.mapping.take();
        gem_close(self.fd(), bo.handle)
    }

    fn backing(&mut self, id: ResourceId) -> Result<&mut [u8]> {
        Ok(self
            .bo("virtio-gpu backing", id)?
            .mapping
            .as_mut()
            .map_or(&mut [][..], |m| m.as_mut_slice()))
    }

    fn transfer_to_host(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()> {
        let mut arg = self.transfer_arg("DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST", id, t)?;
        transfer_to_host(self.fd(), &mut arg)
    }

    fn transfer_from_host(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()> {
        let mut arg = self.transfer_arg("DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST", id, t)?;
        transfer_from_host(self.fd(), &mut arg)
    }

    fn submit(&mut self, stream: &[u32], resources: &[ResourceId]) -> Result<Fence> {
        let handles = resources
            .iter()
            .map(|id| Ok(self.bo("DRM_IOCTL_VIRTGPU_EXECBUFFER", *id)?.handle))
            .collect::<Result<Vec<u32>>>()?;
        let bytes: &[u8] = bytemuck::cast_slice(stream);
        match execbuffer(
            self.fd(),
            bytes,
            &handles,
            uapi::execbuf::FENCE_FD_OUT,
            None,
        )? {
            Some(fd) => Ok(Fence::SyncFile(fd)),
            None => Ok(Fence::Implicit),
        }
    }

    fn wait(&mut self, id: ResourceId) -> Result<()> {
        let handle = self.bo("DRM_IOCTL_VIRTGPU_WAIT", id)?.handle;
        wait(self.fd(), handle, 0)
    }

    fn wait_fence(&mut self, fence: Fence) -> Result<()> {
        match fence {
            Fence::SyncFile(fd) => {
                if poll_readable(fd.as_fd(), FENCE_TIMEOUT, "poll out-fence")? {
                    Ok(())
                } else {
                    Err(Error::Os {
                        call: "poll out-fence",
                        errno: Errno::ETIME,
                    })
                }
            }
            Fence::Implicit => {
                let ids: Vec<ResourceId> = self.bos.keys().copied().collect();
                ids.into_iter().try_for_each(|id| self.wait(id))
            }
        }
    }
}

impl Drop for VirtioGpu {
    fn drop(&mut self) {
        let fd = self.card.as_fd();
        for (_, mut bo) in self.bos.drain() {
            bo.mapping.take();
            let _ = gem_close(fd, bo.handle);
        }
    }
}
