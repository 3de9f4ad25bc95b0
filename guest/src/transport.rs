//! What a context needs from the layer below it, whether that is the virtio-gpu kernel driver or
//! a vtest socket.
//!
//! The model is virtio-gpu's: every resource lives on the host and has a guest *backing*, a
//! byte buffer the guest can write and read. Transfers copy a region between the two, and
//! command streams are submitted in order with the transfers. The backing holds mip level 0 of
//! every layer, rows tightly packed ([`ResourceDesc::stride`]).

use std::os::fd::{BorrowedFd, OwnedFd};

use virgl_proto::caps::{CapsV1, CapsV2};
use virgl_proto::ccmd::Box3;
use virgl_proto::transfer::TransferLayout;
pub use virgl_proto::vtest::ResourceDesc;

use crate::error::{Error, Result};

/// A host resource id, as command streams name resources.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceId(pub u32);

/// The host's capability sets.
#[derive(Clone, Debug)]
pub struct Caps {
    pub v1: CapsV1,
    /// Absent on hosts that only offer capset 1.
    pub v2: Option<CapsV2>,
    /// Byte length of the v2 payload, where the transport reports it (vtest does, the kernel
    /// does not).
    pub v2_len: Option<usize>,
}

/// Completion of a submitted command stream.
#[derive(Debug)]
pub enum Fence {
    /// A sync-file fd that becomes readable when the host has executed the stream.
    SyncFile(OwnedFd),
    /// No fd: the transport waits for all outstanding work (vtest's busy-wait).
    Implicit,
}

/// Where a transfer's region sits in a resource's backing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferRegion {
    pub level: u32,
    pub region: Box3,
    /// Byte offset in the backing of the region's first byte.
    pub offset: u32,
    /// Bytes per row in the backing.
    pub stride: u32,
    /// Bytes per layer or slice in the backing.
    pub layer_stride: u32,
}

impl TransferRegion {
    /// Places the transfer for `desc` at its level from `offset` with its strides, checked
    /// (the box inside the level, rows and layers apart, no overflow).
    pub fn layout(&self, desc: &ResourceDesc) -> Result<TransferLayout> {
        let minify_depth = desc.target == virgl_proto::pipe::TextureTarget::Texture3D;
        Ok(TransferLayout::new(
            desc.format,
            desc.extent().level(self.level, minify_depth),
            self.region,
            self.offset.into(),
            self.stride.into(),
            self.layer_stride.into(),
        )?)
    }
}

/// A way to reach a virgl host renderer.
pub trait Transport {
    /// A short description for messages ("vtest /tmp/sock", "virtio-gpu /dev/dri/renderD128").
    fn describe(&self) -> String;

    /// The capability sets read when the transport was opened.
    fn caps(&self) -> &Caps;

    /// Creates a host resource with guest backing of `desc.backing_size()` bytes.
    fn create_resource(&mut self, desc: &ResourceDesc) -> Result<ResourceId>;

    /// Releases a resource.
    fn destroy_resource(&mut self, id: ResourceId) -> Result<()>;

    /// The resource's guest backing. Wait for the resource before reading what the host wrote.
    fn backing(&mut self, id: ResourceId) -> Result<&mut [u8]>;

    /// Copies `region` from the backing to the host resource.
    fn transfer_to_host(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()>;

    /// Copies `region` from the host resource into the backing.
    fn transfer_from_host(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()>;

    /// Submits a command stream that references `resources`.
    fn submit(&mut self, stream: &[u32], resources: &[ResourceId]) -> Result<Fence>;

    /// Blocks until the host is done with the resource (its transfers and the streams using it).
    fn wait(&mut self, id: ResourceId) -> Result<()>;

    /// Blocks until a fence signals.
    fn wait_fence(&mut self, fence: Fence) -> Result<()>;

    /// The DRM device file, for transports that have one (virtio-gpu), so callers can issue
    /// kernel queries beyond this interface.
    fn drm_fd(&self) -> Option<std::os::fd::BorrowedFd<'_>> {
        None
    }

    /// The kernel GEM handle behind a resource, where there is a kernel (for KMS framebuffers).
    fn gem_handle(&self, _id: ResourceId) -> Option<u32> {
        None
    }

    /// Exports a resource as a dma-buf (PRIME), for another driver of the same device.
    fn export_dmabuf(&self, _id: ResourceId) -> Result<OwnedFd> {
        Err(Error::Unsupported {
            call: "export_dmabuf",
            detail: format!("{} has no dma-bufs", self.describe()),
        })
    }

    /// Imports a dma-buf another driver of the same device exported (PRIME), whose shape the
    /// caller knows as `desc`; the returned id is the host resource's. A buffer the transport
    /// holds already (its own export, or an earlier import) is refused.
    fn import_dmabuf(&mut self, _fd: BorrowedFd<'_>, _desc: &ResourceDesc) -> Result<ResourceId> {
        Err(Error::Unsupported {
            call: "import_dmabuf",
            detail: format!("{} has no dma-bufs", self.describe()),
        })
    }
}

/// A transfer's direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transfer {
    ToHost,
    FromHost,
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn caps(&self) -> &Caps {
        (**self).caps()
    }
    fn create_resource(&mut self, desc: &ResourceDesc) -> Result<ResourceId> {
        (**self).create_resource(desc)
    }
    fn destroy_resource(&mut self, id: ResourceId) -> Result<()> {
        (**self).destroy_resource(id)
    }
    fn backing(&mut self, id: ResourceId) -> Result<&mut [u8]> {
        (**self).backing(id)
    }
    fn transfer_to_host(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()> {
        (**self).transfer_to_host(id, t)
    }
    fn transfer_from_host(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()> {
        (**self).transfer_from_host(id, t)
    }
    fn submit(&mut self, stream: &[u32], resources: &[ResourceId]) -> Result<Fence> {
        (**self).submit(stream, resources)
    }
    fn wait(&mut self, id: ResourceId) -> Result<()> {
        (**self).wait(id)
    }
    fn wait_fence(&mut self, fence: Fence) -> Result<()> {
        (**self).wait_fence(fence)
    }
    fn drm_fd(&self) -> Option<std::os::fd::BorrowedFd<'_>> {
        (**self).drm_fd()
    }
    fn gem_handle(&self, id: ResourceId) -> Option<u32> {
        (**self).gem_handle(id)
    }
    fn export_dmabuf(&self, id: ResourceId) -> Result<OwnedFd> {
        (**self).export_dmabuf(id)
    }
    fn import_dmabuf(&mut self, fd: BorrowedFd<'_>, desc: &ResourceDesc) -> Result<ResourceId> {
        (**self).import_dmabuf(fd, desc)
    }
}
