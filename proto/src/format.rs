//! Virgl pixel formats (`enum virgl_formats`), with the block layout transfer sizes are computed from.
//!
//! The numbers are fixed by the protocol (they match Gallium as of Mesa 10.5 and are never
//! renumbered), so the guest and host agree on them regardless of their own Gallium versions.

/// The memory layout of one block of a format: a single pixel for uncompressed formats, a
/// `width` × `height` tile for block-compressed ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Block {
    /// Pixels per block horizontally.
    pub width: u32,
    /// Pixels per block vertically.
    pub height: u32,
    /// Bytes per block.
    pub bytes: u32,
}

impl Block {
    const fn new(width: u32, height: u32, bytes: u32) -> Self {
        Block {
            width,
            height,
            bytes,
        }
    }
}

macro_rules! virgl_formats {
    ($($name:ident = $value:literal => $block:expr,)+) => {
        /// A virgl format number, named as upstream names it (without the `VIRGL_FORMAT_` prefix).
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        pub enum Format {
            $(
                #[doc = concat!("`VIRGL_FORMAT_", stringify!($name), "` = ", stringify!($value))]
                $name = $value,
            )+
        }

        impl Format {
            /// Every assigned format, in numeric order.
            pub const ALL: &'static [Format] = &[$(Format::$name),+];

            /// The format with wire value `value`, or `None` for unassigned or removed numbers.
            pub const fn from_wire(value: u32) -> Option<Format> {
                match value {
                    $($value => Some(Format::$name),)+
                    _ => None,
                }
            }

            /// The upstream name without the `VIRGL_FORMAT_` prefix.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Format::$name => stringify!($name),)+
                }
            }

            /// The block layout, where it is a simple one (not planar or subsampled YUV, not 3D ASTC).
            pub const fn block(self) -> Option<Block> {
                match self {
                    $(Format::$name => $block,)+
                }
            }
        }
    };
}

include!("format_table.rs");

impl Format {
    /// `VIRGL_FORMAT_MAX`: one past the highest assigned value; format masks cover this range.
    pub const MAX: u32 = 481;

    /// The wire value.
    pub const fn to_wire(self) -> u32 {
        self as u32
    }

    /// True for depth and/or stencil formats.
    pub fn is_depth_stencil(self) -> bool {
        let n = self.name();
        (n.starts_with('Z')
            || n.starts_with("S8")
            || n.starts_with("X8Z24")
            || n.starts_with("X24S8"))
            && !n.contains("_AS_")
    }

    /// True for formats whose colour channels are sRGB-encoded.
    pub fn is_srgb(self) -> bool {
        self.name().contains("SRGB")
    }

    /// Bytes in one row of `width` pixels (rounded up to whole blocks), or `None` for formats
    /// without a simple block layout.
    pub fn row_bytes(self, width: u32) -> Option<u64> {
        let b = self.block()?;
        Some(u64::from(width.div_ceil(b.width)) * u64::from(b.bytes))
    }

    /// Bytes for a `width` × `height` × `depth` box laid out with tightly packed rows.
    pub fn box_bytes(self, width: u32, height: u32, depth: u32) -> Option<u64> {
        let b = self.block()?;
        Some(self.row_bytes(width)? * u64::from(height.div_ceil(b.height)) * u64::from(depth))
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
impl proptest::arbitrary::Arbitrary for Format {
    type Parameters = ();
    type Strategy = proptest::sample::Select<Format>;
    fn arbitrary_with(_: ()) -> Self::Strategy {
        proptest::sample::select(Format::ALL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(Format::B8G8R8A8_UNORM, 1, 4)]
    #[case(Format::R8G8B8A8_UNORM, 67, 4)]
    #[case(Format::Z24_UNORM_S8_UINT, 19, 4)]
    #[case(Format::Z32_FLOAT_S8X24_UINT, 126, 8)]
    #[case(Format::B5G6R5_UNORM, 7, 2)]
    #[case(Format::R16G16B16A16_FLOAT, 94, 8)]
    #[case(Format::R32G32B32_FLOAT, 30, 12)]
    #[case(Format::R8_UNORM, 64, 1)]
    #[case(Format::R11G11B10_FLOAT, 124, 4)]
    fn uncompressed_values_and_sizes(#[case] f: Format, #[case] value: u32, #[case] bytes: u32) {
        assert_eq!(f.to_wire(), value);
        assert_eq!(Format::from_wire(value), Some(f));
        assert_eq!(f.block(), Some(Block::new(1, 1, bytes)));
    }

    #[test]
    fn compressed_blocks() {
        assert_eq!(Format::DXT1_RGB.block(), Some(Block::new(4, 4, 8)));
        assert_eq!(Format::DXT5_RGBA.block(), Some(Block::new(4, 4, 16)));
        assert_eq!(Format::ASTC_8x5.block(), Some(Block::new(8, 5, 16)));
        assert_eq!(Format::DXT1_RGB.box_bytes(9, 9, 1), Some(3 * 3 * 8));
    }

    #[test]
    fn unassigned_values_are_rejected() {
        for v in [73, 259, 262, Format::MAX, 482, u32::MAX] {
            assert_eq!(Format::from_wire(v), None, "value {v}");
        }
        assert!(Format::ALL.iter().all(|f| f.to_wire() < Format::MAX));
        assert_eq!(Format::ALL.len(), 468);
    }

    #[test]
    fn depth_stencil_classification() {
        assert!(Format::Z24_UNORM_S8_UINT.is_depth_stencil());
        assert!(Format::S8_UINT.is_depth_stencil());
        assert!(!Format::R8G8B8A8_UNORM.is_depth_stencil());
        assert!(!Format::Z24_UNORM_S8_UINT_AS_R8G8B8A8.is_depth_stencil());
    }
}
