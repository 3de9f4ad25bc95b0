//! Transfer arithmetic: where a box of texels sits in a linear buffer.
//!
//! Every transfer (vtest TRANSFER_GET/PUT, virtio-gpu TRANSFER_TO/FROM_HOST, inline writes,
//! copies) names a box of one mip level and a linear buffer laid out with a row `stride` and a
//! `layer_stride`. Both ends must agree on which bytes that touches, and a host must prove the
//! bytes lie inside the buffer before it copies: getting this wrong is the out-of-bounds class
//! of virglrenderer's CVE-2019-18389 and CVE-2019-18391. So it is computed once, here, in `u64`
//! with checked operations, and every result comes from a [`TransferLayout`] that was checked
//! when it was made.
//!
//! Rows are counted in blocks: a 4×4 compressed block is one row of four pixel lines.

use std::ops::Range;

use crate::ccmd::Box3;
use crate::error::{Error, Result};
use crate::format::{Block, Format};

/// Width, height and depth (or layer count) of one mip level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extent {
    pub width: u32,
    pub height: u32,
    /// Depth for 3D textures, the layer count for arrays and cube maps.
    pub depth: u32,
}

impl Extent {
    /// The extent of mip `level` when `self` is level 0: each dimension halves per level and
    /// stays at least 1. Depth halves only for 3D textures (`minify_depth`); layers do not.
    pub fn level(self, level: u32, minify_depth: bool) -> Extent {
        let minify = |v: u32| v.checked_shr(level).unwrap_or(0).max(1);
        Extent {
            width: minify(self.width),
            height: minify(self.height),
            depth: if minify_depth {
                minify(self.depth)
            } else {
                self.depth.max(1)
            },
        }
    }
}

/// A box of one level of a resource placed in a linear buffer, checked when made: the box lies
/// inside the level and starts on a block boundary, rows and layers do not overlap, and the
/// last byte it touches is representable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferLayout {
    format: Format,
    block: Block,
    region: Box3,
    offset: u64,
    stride: u64,
    layer_stride: u64,
    /// Block rows per layer of the box.
    rows: u64,
    /// Bytes of one block row of the box.
    row_bytes: u64,
    end: u64,
}

impl TransferLayout {
    /// Places `region` of a level of size `extent` at `offset` in a buffer whose rows are
    /// `stride` bytes apart and layers `layer_stride` bytes apart.
    pub fn new(
        format: Format,
        extent: Extent,
        region: Box3,
        offset: u64,
        stride: u64,
        layer_stride: u64,
    ) -> Result<TransferLayout> {
        let block = format.block().ok_or(Error::NoBlockLayout { format })?;
        let fits = |o: u32, n: u32, limit: u32| o.checked_add(n).is_some_and(|e| e <= limit);
        if !fits(region.x, region.w, extent.width)
            || !fits(region.y, region.h, extent.height.max(1))
            || !fits(region.z, region.d, extent.depth.max(1))
        {
            return Err(Error::BoxOutside { region, extent });
        }
        if !region.x.is_multiple_of(block.width) || !region.y.is_multiple_of(block.height) {
            return Err(Error::BoxMisaligned { region, format });
        }
        let rows = u64::from(region.h.div_ceil(block.height));
        let row_bytes = u64::from(region.w.div_ceil(block.width)) * u64::from(block.bytes);
        if rows > 1 && stride < row_bytes {
            return Err(Error::StrideTooSmall {
                what: "stride",
                value: stride,
                needed: row_bytes,
            });
        }
        let layer_bytes = (rows.saturating_sub(1))
            .checked_mul(stride)
            .and_then(|b| b.checked_add(row_bytes))
            .ok_or(Error::SpanOverflow)?;
        if region.d > 1 && layer_stride < layer_bytes {
            return Err(Error::StrideTooSmall {
                what: "layer stride",
                value: layer_stride,
                needed: layer_bytes,
            });
        }
        let end = u64::from(region.d.saturating_sub(1))
            .checked_mul(layer_stride)
            .and_then(|b| b.checked_add(layer_bytes))
            .and_then(|b| b.checked_add(offset))
            .ok_or(Error::SpanOverflow)?;
        Ok(TransferLayout {
            format,
            block,
            region,
            offset,
            stride,
            layer_stride,
            rows,
            row_bytes,
            end,
        })
    }

    /// `region` tightly packed from offset 0: rows of exactly the box's width, layers of
    /// exactly its rows. The layout of the data a caller uploads or reads back.
    pub fn packed(format: Format, extent: Extent, region: Box3) -> Result<TransferLayout> {
        let block = format.block().ok_or(Error::NoBlockLayout { format })?;
        let stride = u64::from(region.w.div_ceil(block.width)) * u64::from(block.bytes);
        let layer_stride = stride
            .checked_mul(u64::from(region.h.div_ceil(block.height)))
            .ok_or(Error::SpanOverflow)?;
        TransferLayout::new(format, extent, region, 0, stride, layer_stride)
    }

    /// `region` placed where it sits in a whole level of size `extent` stored with `stride` and
    /// `layer_stride` from offset 0: the layout of a resource's own backing.
    pub fn in_level(
        format: Format,
        extent: Extent,
        region: Box3,
        stride: u64,
        layer_stride: u64,
    ) -> Result<TransferLayout> {
        let block = format.block().ok_or(Error::NoBlockLayout { format })?;
        let offset = u64::from(region.z)
            .checked_mul(layer_stride)
            .and_then(|o| o.checked_add(u64::from(region.y / block.height).checked_mul(stride)?))
            .and_then(|o| o.checked_add(u64::from(region.x / block.width) * u64::from(block.bytes)))
            .ok_or(Error::SpanOverflow)?;
        TransferLayout::new(format, extent, region, offset, stride, layer_stride)
    }

    /// The box.
    pub fn region(&self) -> Box3 {
        self.region
    }

    /// Offset of the box's first byte in the buffer.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Bytes between rows.
    pub fn stride(&self) -> u64 {
        self.stride
    }

    /// Bytes between layers.
    pub fn layer_stride(&self) -> u64 {
        self.layer_stride
    }

    /// Bytes of one block row of the box.
    pub fn row_bytes(&self) -> u64 {
        self.row_bytes
    }

    /// The bytes of the buffer the transfer touches, first to last (gaps between rows
    /// included).
    pub fn span(&self) -> Range<u64> {
        self.offset..self.end
    }

    /// Fails unless the span lies inside a buffer of `size` bytes.
    pub fn check_within(&self, size: u64) -> Result<()> {
        if self.end > size {
            return Err(Error::SpanOutside {
                span: self.span(),
                size,
            });
        }
        Ok(())
    }

    /// Bytes of the box tightly packed.
    pub fn packed_len(&self) -> u64 {
        self.row_bytes * self.rows * u64::from(self.region.d)
    }

    /// Each block row of the box, layer by layer: its offset in the buffer and its offset in
    /// the tightly packed data; each is [`row_bytes`](Self::row_bytes) long.
    pub fn rows(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        (0..u64::from(self.region.d)).flat_map(move |z| {
            (0..self.rows).map(move |y| {
                (
                    self.offset + z * self.layer_stride + y * self.stride,
                    (z * self.rows + y) * self.row_bytes,
                )
            })
        })
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The format's block.
    pub fn block(&self) -> Block {
        self.block
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rstest::rstest;

    fn b(x: u32, y: u32, z: u32, w: u32, h: u32, d: u32) -> Box3 {
        Box3 { x, y, z, w, h, d }
    }

    const E64: Extent = Extent {
        width: 64,
        height: 32,
        depth: 4,
    };

    #[test]
    fn level_extents_halve_and_stop_at_one() {
        let e = Extent {
            width: 100,
            height: 7,
            depth: 6,
        };
        assert_eq!(
            e.level(2, false),
            Extent {
                width: 25,
                height: 1,
                depth: 6
            }
        );
        assert_eq!(e.level(1, true).depth, 3);
        assert_eq!(
            e.level(40, true),
            Extent {
                width: 1,
                height: 1,
                depth: 1
            }
        );
    }

    #[test]
    fn a_box_in_a_packed_level_sits_where_hand_arithmetic_puts_it() {
        // RGBA8, level 64x32, 4 layers, stride 256, layer stride 256*32 = 8192.
        let l =
            TransferLayout::in_level(Format::R8G8B8A8_UNORM, E64, b(3, 5, 2, 10, 4, 2), 256, 8192)
                .unwrap();
        assert_eq!(l.offset(), 2 * 8192 + 5 * 256 + 3 * 4);
        assert_eq!(l.row_bytes(), 40);
        assert_eq!(l.offset(), 17676);
        assert_eq!(l.span(), 17676..17676 + 8192 + 3 * 256 + 40);
        assert_eq!(l.packed_len(), 40 * 4 * 2);
        let rows: Vec<_> = l.rows().collect();
        assert_eq!(rows.len(), 8);
        assert_eq!(rows[0], (17676, 0));
        assert_eq!(rows[3], (17676 + 3 * 256, 120));
        assert_eq!(rows[4], (17676 + 8192, 160));
    }

    #[test]
    fn compressed_boxes_count_block_rows() {
        // DXT5: 4x4 blocks of 16 bytes. A 9x9 box covers 3x3 blocks.
        let e = Extent {
            width: 16,
            height: 16,
            depth: 1,
        };
        let l = TransferLayout::packed(Format::DXT5_RGBA, e, b(4, 4, 0, 9, 9, 1)).unwrap();
        assert_eq!(
            (l.row_bytes(), l.rows().count(), l.packed_len()),
            (48, 3, 144)
        );
        assert!(matches!(
            TransferLayout::packed(Format::DXT5_RGBA, e, b(2, 0, 0, 4, 4, 1)),
            Err(Error::BoxMisaligned { .. })
        ));
    }

    #[rstest]
    #[case::past_the_right_edge(b(60, 0, 0, 5, 1, 1))]
    #[case::past_the_bottom(b(0, 31, 0, 1, 2, 1))]
    #[case::past_the_last_layer(b(0, 0, 3, 1, 1, 2))]
    #[case::x_plus_w_wraps(b(u32::MAX, 0, 0, 2, 1, 1))]
    #[case::z_plus_d_wraps(b(0, 0, 1, 1, 1, u32::MAX))]
    fn boxes_outside_the_level_are_refused(#[case] region: Box3) {
        let e = TransferLayout::in_level(Format::R8G8B8A8_UNORM, E64, region, 256, 8192);
        assert!(matches!(e, Err(Error::BoxOutside { .. })), "{e:?}");
    }

    #[test]
    fn strides_that_overlap_rows_or_layers_are_refused() {
        let f = Format::R8G8B8A8_UNORM;
        let e = TransferLayout::new(f, E64, b(0, 0, 0, 64, 2, 1), 0, 255, 0).unwrap_err();
        assert_eq!(
            e,
            Error::StrideTooSmall {
                what: "stride",
                value: 255,
                needed: 256
            }
        );
        let e = TransferLayout::new(f, E64, b(0, 0, 0, 64, 2, 2), 0, 256, 511).unwrap_err();
        assert!(e.to_string().contains("layer stride 511"), "{e}");
        // One row needs no stride, one layer no layer stride.
        TransferLayout::new(f, E64, b(0, 0, 0, 64, 1, 1), 0, 0, 0).unwrap();
    }

    #[test]
    fn huge_strides_overflow_instead_of_wrapping() {
        let e = TransferLayout::new(
            Format::R8G8B8A8_UNORM,
            E64,
            b(0, 0, 0, 1, 1, 4),
            0,
            4,
            u64::MAX / 2,
        );
        assert_eq!(e, Err(Error::SpanOverflow));
    }

    #[test]
    fn spans_are_checked_against_the_buffer() {
        let l = TransferLayout::packed(Format::R8_UNORM, E64, b(0, 0, 0, 8, 2, 1)).unwrap();
        l.check_within(16).unwrap();
        let e = l.check_within(15).unwrap_err();
        assert_eq!(
            e.to_string(),
            "transfer touches bytes 0..16 of a 15-byte buffer"
        );
    }

    #[test]
    fn formats_without_blocks_are_refused() {
        let e = TransferLayout::packed(Format::U8Y8V8Y8_422_UNORM, E64, b(0, 0, 0, 2, 2, 1))
            .unwrap_err();
        assert_eq!(
            e,
            Error::NoBlockLayout {
                format: Format::U8Y8V8Y8_422_UNORM
            }
        );
    }

    proptest! {
        /// The span holds every row the walk yields, and rows never overlap.
        #[test]
        fn rows_lie_in_the_span_and_apart(
            x in 0u32..8, y in 0u32..8, z in 0u32..3, w in 1u32..9, h in 1u32..9, d in 1u32..3,
            pad in 0u64..17, layer_pad in 0u64..65,
        ) {
            let f = Format::R16G16_UNORM;
            let e = Extent { width: 16, height: 16, depth: 5 };
            let stride = u64::from(w) * 4 + pad;
            let layer = stride * u64::from(h) + layer_pad;
            let l = TransferLayout::in_level(f, e, b(x, y, z, w, h, d), stride, layer).unwrap();
            let mut rows: Vec<_> = l.rows().map(|(at, _)| at).collect();
            prop_assert_eq!(rows.len() as u64, u64::from(h * d));
            rows.sort();
            for pair in rows.windows(2) {
                prop_assert!(pair[0] + l.row_bytes() <= pair[1]);
            }
            prop_assert_eq!(rows[0], l.span().start);
            prop_assert_eq!(rows.last().unwrap() + l.row_bytes(), l.span().end);
        }
    }
}
