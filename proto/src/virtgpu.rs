//! The Linux virtio-gpu DRM UAPI (`include/uapi/drm/virtgpu_drm.h`): ioctl numbers and argument
//! structs, laid out exactly as the kernel expects. Issuing the ioctls is the guest crate's job.

use bytemuck::{Pod, Zeroable};

/// `DRM_COMMAND_BASE`: driver-private ioctls start here.
pub const DRM_COMMAND_BASE: u32 = 0x40;

const IOC_WRITE: u32 = 1;
const IOC_READ: u32 = 2;

/// Linux `_IOC(dir, 'd', nr, size)`.
pub const fn drm_ioc(dir: u32, nr: u32, size: usize) -> u32 {
    dir << 30 | (size as u32) << 16 | (b'd' as u32) << 8 | nr
}

/// `DRM_IOWR(DRM_COMMAND_BASE + nr, T)`.
const fn virtgpu_iowr<T>(nr: u32) -> u32 {
    drm_ioc(
        IOC_READ | IOC_WRITE,
        DRM_COMMAND_BASE + nr,
        std::mem::size_of::<T>(),
    )
}

/// `DRM_IOCTL_VIRTGPU_*` request numbers.
pub mod ioctl {
    use super::*;
    pub const MAP: u32 = virtgpu_iowr::<Map>(0x01);
    pub const EXECBUFFER: u32 = virtgpu_iowr::<Execbuffer>(0x02);
    pub const GETPARAM: u32 = virtgpu_iowr::<GetParam>(0x03);
    pub const RESOURCE_CREATE: u32 = virtgpu_iowr::<ResourceCreate>(0x04);
    pub const RESOURCE_INFO: u32 = virtgpu_iowr::<ResourceInfo>(0x05);
    pub const TRANSFER_FROM_HOST: u32 = virtgpu_iowr::<Transfer>(0x06);
    pub const TRANSFER_TO_HOST: u32 = virtgpu_iowr::<Transfer>(0x07);
    pub const WAIT: u32 = virtgpu_iowr::<Wait>(0x08);
    pub const GET_CAPS: u32 = virtgpu_iowr::<GetCaps>(0x09);
    pub const RESOURCE_CREATE_BLOB: u32 = virtgpu_iowr::<ResourceCreateBlob>(0x0a);
    pub const CONTEXT_INIT: u32 = virtgpu_iowr::<ContextInit>(0x0b);
    /// Core `DRM_IOCTL_GEM_CLOSE` (`_IOW('d', 0x09, struct drm_gem_close)`).
    pub const GEM_CLOSE: u32 = drm_ioc(IOC_WRITE, 0x09, std::mem::size_of::<GemClose>());
    /// Core `DRM_IOCTL_PRIME_HANDLE_TO_FD` (`_IOWR('d', 0x2d, struct drm_prime_handle)`).
    pub const PRIME_HANDLE_TO_FD: u32 = drm_ioc(
        IOC_READ | IOC_WRITE,
        0x2d,
        std::mem::size_of::<PrimeHandle>(),
    );
    /// Core `DRM_IOCTL_PRIME_FD_TO_HANDLE` (`_IOWR('d', 0x2e, struct drm_prime_handle)`).
    pub const PRIME_FD_TO_HANDLE: u32 = drm_ioc(
        IOC_READ | IOC_WRITE,
        0x2e,
        std::mem::size_of::<PrimeHandle>(),
    );
}

/// `VIRTGPU_PARAM_*` ids for GETPARAM.
pub mod param {
    pub const FEATURES_3D: u64 = 1;
    pub const CAPSET_QUERY_FIX: u64 = 2;
    pub const RESOURCE_BLOB: u64 = 3;
    pub const HOST_VISIBLE: u64 = 4;
    pub const CROSS_DEVICE: u64 = 5;
    pub const CONTEXT_INIT: u64 = 6;
    pub const SUPPORTED_CAPSET_IDS: u64 = 7;
    pub const EXPLICIT_DEBUG_NAME: u64 = 8;
}

/// EXECBUFFER flags.
pub mod execbuf {
    pub const FENCE_FD_IN: u32 = 0x01;
    pub const FENCE_FD_OUT: u32 = 0x02;
    pub const RING_IDX: u32 = 0x04;
}

/// `VIRTGPU_WAIT_NOWAIT`.
pub const WAIT_NOWAIT: u32 = 1;

/// `VIRTGPU_CONTEXT_PARAM_*` for CONTEXT_INIT.
pub mod context_param {
    pub const CAPSET_ID: u64 = 1;
    pub const NUM_RINGS: u64 = 2;
    pub const POLL_RINGS_MASK: u64 = 3;
    pub const DEBUG_NAME: u64 = 4;
}

/// `struct drm_virtgpu_map`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct Map {
    /// Out: the fake offset to pass to mmap.
    pub offset: u64,
    pub handle: u32,
    pub pad: u32,
}

/// `struct drm_virtgpu_execbuffer`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct Execbuffer {
    pub flags: u32,
    /// Bytes of command stream.
    pub size: u32,
    /// User pointer to the command stream.
    pub command: u64,
    /// User pointer to `u32` GEM handles.
    pub bo_handles: u64,
    pub num_bo_handles: u32,
    /// In: a fence fd to wait on; out: the submission's fence fd.
    pub fence_fd: i32,
    pub ring_idx: u32,
    pub syncobj_stride: u32,
    pub num_in_syncobjs: u32,
    pub num_out_syncobjs: u32,
    pub in_syncobjs: u64,
    pub out_syncobjs: u64,
}

/// `struct drm_virtgpu_getparam`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct GetParam {
    pub param: u64,
    /// User pointer to an `int` the kernel writes.
    pub value: u64,
}

/// `struct drm_virtgpu_resource_create`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct ResourceCreate {
    pub target: u32,
    pub format: u32,
    pub bind: u32,
    pub width: u32,
    pub height: u32,
    pub depth: u32,
    pub array_size: u32,
    pub last_level: u32,
    pub nr_samples: u32,
    pub flags: u32,
    /// Out: GEM handle.
    pub bo_handle: u32,
    /// Out: host resource id.
    pub res_handle: u32,
    /// Backing size in bytes.
    pub size: u32,
    pub stride: u32,
}

/// `struct drm_virtgpu_resource_info`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct ResourceInfo {
    pub bo_handle: u32,
    pub res_handle: u32,
    pub size: u32,
    pub blob_mem: u32,
}

/// `struct drm_virtgpu_3d_box`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct Box3d {
    pub x: u32,
    pub y: u32,
    pub z: u32,
    pub w: u32,
    pub h: u32,
    pub d: u32,
}

/// `struct drm_virtgpu_3d_transfer_{to,from}_host` (the same layout).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct Transfer {
    pub bo_handle: u32,
    pub region: Box3d,
    pub level: u32,
    /// Byte offset into the backing.
    pub offset: u32,
    pub stride: u32,
    pub layer_stride: u32,
}

/// `struct drm_virtgpu_3d_wait`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct Wait {
    pub handle: u32,
    pub flags: u32,
}

/// `struct drm_virtgpu_get_caps`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct GetCaps {
    pub cap_set_id: u32,
    pub cap_set_ver: u32,
    /// User pointer to the destination buffer.
    pub addr: u64,
    pub size: u32,
    pub pad: u32,
}

/// `struct drm_virtgpu_resource_create_blob`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct ResourceCreateBlob {
    pub blob_mem: u32,
    pub blob_flags: u32,
    pub bo_handle: u32,
    pub res_handle: u32,
    pub size: u64,
    pub pad: u32,
    pub cmd_size: u32,
    pub cmd: u64,
    pub blob_id: u64,
}

/// `struct drm_virtgpu_context_set_param`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct ContextSetParam {
    pub param: u64,
    pub value: u64,
}

/// `struct drm_virtgpu_context_init`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct ContextInit {
    pub num_params: u32,
    pub pad: u32,
    /// User pointer to `num_params` [`ContextSetParam`]s.
    pub ctx_set_params: u64,
}

/// `struct drm_prime_handle`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct PrimeHandle {
    pub handle: u32,
    /// `DRM_CLOEXEC` (`O_CLOEXEC`) and/or `DRM_RDWR` (`O_RDWR`).
    pub flags: u32,
    pub fd: i32,
}

/// `struct drm_gem_close`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct GemClose {
    pub handle: u32,
    pub pad: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use std::mem::{offset_of, size_of};

    #[rstest]
    #[case(ioctl::MAP, 0xc010_6441, size_of::<Map>(), 16)]
    #[case(ioctl::EXECBUFFER, 0xc040_6442, size_of::<Execbuffer>(), 64)]
    #[case(ioctl::GETPARAM, 0xc010_6443, size_of::<GetParam>(), 16)]
    #[case(ioctl::RESOURCE_CREATE, 0xc038_6444, size_of::<ResourceCreate>(), 56)]
    #[case(ioctl::RESOURCE_INFO, 0xc010_6445, size_of::<ResourceInfo>(), 16)]
    #[case(ioctl::TRANSFER_FROM_HOST, 0xc02c_6446, size_of::<Transfer>(), 44)]
    #[case(ioctl::TRANSFER_TO_HOST, 0xc02c_6447, size_of::<Transfer>(), 44)]
    #[case(ioctl::WAIT, 0xc008_6448, size_of::<Wait>(), 8)]
    #[case(ioctl::GET_CAPS, 0xc018_6449, size_of::<GetCaps>(), 24)]
    #[case(ioctl::RESOURCE_CREATE_BLOB, 0xc030_644a, size_of::<ResourceCreateBlob>(), 48)]
    #[case(ioctl::CONTEXT_INIT, 0xc010_644b, size_of::<ContextInit>(), 16)]
    #[case(ioctl::GEM_CLOSE, 0x4008_6409, size_of::<GemClose>(), 8)]
    #[case(ioctl::PRIME_HANDLE_TO_FD, 0xc00c_642d, size_of::<PrimeHandle>(), 12)]
    #[case(ioctl::PRIME_FD_TO_HANDLE, 0xc00c_642e, size_of::<PrimeHandle>(), 12)]
    fn ioctl_numbers_and_sizes(
        #[case] nr: u32,
        #[case] expected: u32,
        #[case] size: usize,
        #[case] expected_size: usize,
    ) {
        assert_eq!(nr, expected, "{nr:#x} vs {expected:#x}");
        assert_eq!(size, expected_size);
    }

    #[test]
    fn execbuffer_field_offsets() {
        assert_eq!(offset_of!(Execbuffer, fence_fd), 28);
        assert_eq!(offset_of!(Execbuffer, ring_idx), 32);
        assert_eq!(offset_of!(Execbuffer, syncobj_stride), 36);
        assert_eq!(offset_of!(Execbuffer, in_syncobjs), 48);
        assert_eq!(offset_of!(Execbuffer, out_syncobjs), 56);
        assert_eq!(offset_of!(ResourceCreateBlob, size), 16);
        assert_eq!(offset_of!(ResourceCreateBlob, cmd), 32);
    }
}
