//! Resources and transfers: inline writes, TRANSFER3D and COPY_TRANSFER3D, copies, blits,
//! texture clears, pipe-resource creation and typing, and the resource queries.
//!
//! Box arithmetic (does the box fit the resource?) needs the resource and stays with the host.

#[cfg(test)]
use super::arb;
use super::bits::bits;
use super::rules::{self, Check};
use super::state::Scissor;
use super::wire::{Payload, Writer};
use super::{Box3, Dwords};
use crate::error::Result;
use crate::format::Format;
use crate::pipe::{wire_enum, BlitMask, CopyTransferFlags, TexFilter, TextureTarget};

#[cfg(test)]
use crate::pipe::limits;
#[cfg(test)]
use proptest_derive::Arbitrary;

/// The destination half shared by INLINE_WRITE, TRANSFER3D and COPY_TRANSFER3D
/// (`VIRGL_RESOURCE_IW_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct TransferTarget {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub resource: u32,
    pub level: u32,
    pub usage: u32,
    pub stride: u32,
    pub layer_stride: u32,
    pub region: Box3,
}

impl TransferTarget {
    fn decode(p: &Payload<'_>) -> TransferTarget {
        TransferTarget {
            resource: p.u32(1),
            level: p.u32(2),
            usage: p.u32(3),
            stride: p.u32(4),
            layer_stride: p.u32(5),
            region: p.region(6),
        }
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.extend([
            self.resource,
            self.level,
            self.usage,
            self.stride,
            self.layer_stride,
        ]);
        w.region(&self.region);
    }

    /// Every command that names a transfer target needs its resource; the host looks it up.
    fn check(&self) -> Check {
        rules::resource("resource", 1, self.resource)
    }
}

/// RESOURCE_INLINE_WRITE: data carried in the stream into a resource region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineWrite<'a> {
    pub target: TransferTarget,
    /// Whole dwords, at least one; the host takes all of them as data.
    pub data: Dwords<'a>,
}

impl<'a> InlineWrite<'a> {
    pub(crate) fn decode(p: &Payload<'a>) -> InlineWrite<'a> {
        InlineWrite {
            target: TransferTarget::decode(p),
            data: p.rest(12),
        }
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        self.target.write(w);
        w.extend(self.data.iter());
    }

    /// `vrend_transfer_inline_write` fails without its resource.
    pub(crate) fn check(&self) -> Check {
        self.target.check()
    }
}

wire_enum! {
    /// Direction of a TRANSFER3D.
    pub enum TransferDirection {
        ToHost = 1,
        FromHost = 2,
    }
}

/// TRANSFER3D: copies between a resource and its guest backing, in the stream's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Transfer3d {
    pub target: TransferTarget,
    /// Byte offset into the resource's guest backing.
    pub offset: u32,
    pub direction: TransferDirection,
}

impl Transfer3d {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<Transfer3d> {
        Ok(Transfer3d {
            target: TransferTarget::decode(p),
            offset: p.u32(12),
            direction: p.value("direction", 13)?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        self.target.write(w);
        w.extend([self.offset, self.direction.to_wire()]);
    }

    /// `vrend_renderer_transfer_iov` fails without its resource.
    pub(crate) fn check(&self) -> Check {
        self.target.check()
    }
}

/// COPY_TRANSFER3D: copies between a staging buffer and a resource on the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct CopyTransfer3d {
    pub dst: TransferTarget,
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub src_resource: u32,
    pub src_offset: u32,
    pub flags: CopyTransferFlags,
}

impl CopyTransfer3d {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<CopyTransfer3d> {
        Ok(CopyTransfer3d {
            dst: TransferTarget::decode(p),
            src_resource: p.u32(12),
            src_offset: p.u32(13),
            flags: p.value("flags", 14)?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        self.dst.write(w);
        w.extend([self.src_resource, self.src_offset, self.flags.bits()]);
    }

    /// `check_copy_transfer3d_handles` (`vrend_decode.c`) needs both resources.
    pub(crate) fn check(&self) -> Check {
        self.dst.check()?;
        rules::resource("src_resource", 12, self.src_resource)
    }
}

/// RESOURCE_COPY_REGION.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct CopyRegion {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub dst_resource: u32,
    pub dst_level: u32,
    pub dst_x: u32,
    pub dst_y: u32,
    pub dst_z: u32,
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub src_resource: u32,
    pub src_level: u32,
    pub src_box: Box3,
}

impl CopyRegion {
    pub(crate) fn decode(p: &Payload<'_>) -> CopyRegion {
        CopyRegion {
            dst_resource: p.u32(1),
            dst_level: p.u32(2),
            dst_x: p.u32(3),
            dst_y: p.u32(4),
            dst_z: p.u32(5),
            src_resource: p.u32(6),
            src_level: p.u32(7),
            src_box: p.region(8),
        }
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend([
            self.dst_resource,
            self.dst_level,
            self.dst_x,
            self.dst_y,
            self.dst_z,
            self.src_resource,
            self.src_level,
        ]);
        w.region(&self.src_box);
    }

    /// `vrend_renderer_resource_copy_region` reports a missing resource on either side.
    pub(crate) fn check(&self) -> Check {
        rules::resource("dst_resource", 1, self.dst_resource)?;
        rules::resource("src_resource", 6, self.src_resource)
    }
}

/// One side of a BLIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct BlitSurface {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub resource: u32,
    pub level: u32,
    pub format: Format,
    pub region: Box3,
}

/// BLIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Blit {
    #[cfg_attr(test, proptest(strategy = "arb::blit_mask()"))]
    pub mask: BlitMask,
    pub filter: TexFilter,
    pub scissor_enable: bool,
    pub render_condition_enable: bool,
    pub alpha_blend: bool,
    pub scissor: Scissor,
    pub dst: BlitSurface,
    pub src: BlitSurface,
}

bits! {
    /// `VIRGL_CMD_BLIT_S0`.
    pub(crate) struct BlitS0("s0") for Blit {
        mask: BlitMask = 0..8,
        filter: TexFilter = 8..10,
        scissor_enable: bool = 10..11,
        render_condition_enable: bool = 11..12,
        alpha_blend: bool = 12..13,
    }
}

impl Blit {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<Blit> {
        let side = |i: usize, field: &'static str| -> Result<BlitSurface> {
            Ok(BlitSurface {
                resource: p.u32(i),
                level: p.u32(i + 1),
                format: p.value(field, i + 2)?,
                region: p.region(i + 3),
            })
        };
        let mut b = Blit {
            mask: BlitMask::empty(),
            filter: TexFilter::Nearest,
            scissor_enable: false,
            render_condition_enable: false,
            alpha_blend: false,
            scissor: Scissor::decode_at(p, 2)?,
            dst: side(4, "dst_format")?,
            src: side(13, "src_format")?,
        };
        p.unpack::<BlitS0, _>(1, &mut b)?;
        Ok(b)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.pack::<BlitS0, _>(self)?;
        self.scissor.write(w)?;
        for s in [&self.dst, &self.src] {
            w.extend([s.resource, s.level, s.format.to_wire()]);
            w.region(&s.region);
        }
        Ok(())
    }

    /// `vrend_renderer_blit` reports a missing resource on either side.
    pub(crate) fn check(&self) -> Check {
        rules::resource("dst_resource", 4, self.dst.resource)?;
        rules::resource("src_resource", 13, self.src.resource)
    }
}

/// CLEAR_TEXTURE: clears a box of a texture to a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct ClearTexture {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub resource: u32,
    pub level: u32,
    pub region: Box3,
    /// The value as raw dwords, laid out as the format needs.
    pub value: [u32; 4],
}

impl ClearTexture {
    pub(crate) fn decode(p: &Payload<'_>) -> ClearTexture {
        ClearTexture {
            resource: p.u32(1),
            level: p.u32(2),
            region: p.region(3),
            value: [p.u32(9), p.u32(10), p.u32(11), p.u32(12)],
        }
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend([self.resource, self.level]);
        w.region(&self.region);
        w.extend(self.value);
    }

    /// `vrend_decode_clear_texture` fails without its resource.
    pub(crate) fn check(&self) -> Check {
        rules::resource("resource", 1, self.resource)
    }
}

/// PIPE_RESOURCE_CREATE: describes the resource behind a following HOST3D blob creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct PipeResourceCreate {
    pub target: TextureTarget,
    pub format: Format,
    pub bind: u32,
    pub width: u32,
    pub height: u32,
    pub depth: u32,
    pub array_size: u32,
    pub last_level: u32,
    pub nr_samples: u32,
    pub flags: u32,
    pub blob_id: u32,
}

impl PipeResourceCreate {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<PipeResourceCreate> {
        Ok(PipeResourceCreate {
            target: p.value("target", 1)?,
            format: p.value("format", 2)?,
            bind: p.u32(3),
            width: p.u32(4),
            height: p.u32(5),
            depth: p.u32(6),
            array_size: p.u32(7),
            last_level: p.u32(8),
            nr_samples: p.u32(9),
            flags: p.u32(10),
            blob_id: p.u32(11),
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend([
            self.target.to_wire(),
            self.format.to_wire(),
            self.bind,
            self.width,
            self.height,
            self.depth,
            self.array_size,
            self.last_level,
            self.nr_samples,
            self.flags,
            self.blob_id,
        ]);
    }
}

/// One plane of PIPE_RESOURCE_SET_TYPE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct PlaneLayout {
    pub stride: u32,
    pub offset: u32,
}

/// PIPE_RESOURCE_SET_TYPE: gives an untyped resource its type.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct PipeResourceSetType {
    pub resource: u32,
    pub format: Format,
    pub bind: u32,
    pub width: u32,
    pub height: u32,
    pub usage: u32,
    pub modifier: u64,
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::prelude::any::<PlaneLayout>(), 1..=limits::MAX_PLANES)"
        )
    )]
    pub planes: Vec<PlaneLayout>,
}

impl PipeResourceSetType {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<PipeResourceSetType> {
        Ok(PipeResourceSetType {
            resource: p.u32(1),
            format: p.value("format", 2)?,
            bind: p.u32(3),
            width: p.u32(4),
            height: p.u32(5),
            usage: p.u32(6),
            modifier: u64::from(p.u32(7)) | u64::from(p.u32(8)) << 32,
            planes: (0..(p.len() - 8) / 2)
                .map(|i| PlaneLayout {
                    stride: p.u32(9 + i * 2),
                    offset: p.u32(10 + i * 2),
                })
                .collect(),
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend([
            self.resource,
            self.format.to_wire(),
            self.bind,
            self.width,
            self.height,
            self.usage,
            self.modifier as u32,
            (self.modifier >> 32) as u32,
        ]);
        for pl in &self.planes {
            w.extend([pl.stride, pl.offset]);
        }
    }
}

/// `vrend_renderer_get_meminfo` reports a missing resource.
pub(crate) fn check_memory_info(resource: u32) -> Check {
    rules::resource("resource", 1, resource)
}

/// `vrend_renderer_pipe_resource_get_layout` fails without either resource.
pub(crate) fn check_layout(output: u32, resource: u32) -> Check {
    rules::resource("output", 1, output)?;
    rules::resource("resource", 2, resource)
}
