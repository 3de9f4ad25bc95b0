//! Resources: what a guest may create.
//!
//! Every RESOURCE_CREATE is checked before anything is allocated: the rules virglrenderer's
//! `check_resource_valid` (vrend_renderer.c) applies, plus two it leaves to chance: zero-sized
//! textures, and a size whose bytes overflow. The limits come from the live context, so a GLES
//! host refuses what it cannot make.

use virgl_proto::ccmd::Box3;
use virgl_proto::pipe::{bind, TextureTarget};
use virgl_proto::transfer::{Extent, TransferLayout};
use virgl_proto::vtest::ResourceDesc;

use crate::error::{Error, Result};

/// `VIRGL_RESOURCE_Y_0_TOP`: the only resource flag; row 0 is the top row (scanouts).
pub const Y_0_TOP: u32 = 1;

/// What the host can make, probed from its context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_texture_2d_size: u32,
    pub max_texture_3d_size: u32,
    pub max_texture_cube_size: u32,
    pub multisample: bool,
    pub texture_array: bool,
    pub cube_map_array: bool,
    pub query_buffer: bool,
    pub indirect_draw: bool,
}

/// Guest memory behind a resource: a vtest memfd mapping, QEMU's iovecs of guest RAM, or a
/// plain `Vec` in tests. Offsets are checked by the renderer before either call.
pub trait Backing: Send {
    /// Size in bytes.
    fn len(&self) -> u64;
    /// Whether it has no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Copies `dst.len()` bytes from `offset`.
    fn read_at(&self, offset: u64, dst: &mut [u8]);
    /// Copies `src` to `offset`.
    fn write_at(&mut self, offset: u64, src: &[u8]);
}

impl Backing for Vec<u8> {
    fn len(&self) -> u64 {
        self.len() as u64
    }
    fn read_at(&self, offset: u64, dst: &mut [u8]) {
        let o = offset as usize;
        dst.copy_from_slice(&self[o..o + dst.len()]);
    }
    fn write_at(&mut self, offset: u64, src: &[u8]) {
        let o = offset as usize;
        self[o..o + src.len()].copy_from_slice(src);
    }
}

/// A resource the renderer made: its shape, and the guest memory attached to it, if any.
pub struct Resource {
    pub id: u32,
    pub desc: ResourceDesc,
    /// [`Y_0_TOP`] or 0.
    pub flags: u32,
    pub(crate) backing: Option<Box<dyn Backing>>,
}

impl std::fmt::Debug for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resource")
            .field("id", &self.id)
            .field("desc", &self.desc)
            .field("flags", &self.flags)
            .field("backing", &self.backing.as_ref().map(|b| b.len()))
            .finish()
    }
}

impl Resource {
    /// A resource with no backing yet.
    pub fn new(id: u32, desc: ResourceDesc, flags: u32) -> Resource {
        Resource {
            id,
            desc,
            flags,
            backing: None,
        }
    }

    /// Whether this is a buffer rather than a texture.
    pub fn is_buffer(&self) -> bool {
        self.desc.target == TextureTarget::Buffer
    }

    /// The size of mip `level`, with layers (or cube faces) as depth; an error past the last
    /// level.
    pub fn level_extent(&self, level: u32) -> Result<Extent> {
        if level > self.desc.last_level {
            return Err(Error::Resource {
                id: self.id,
                detail: format!("level {level} past the last level {}", self.desc.last_level),
            });
        }
        Ok(self
            .desc
            .extent()
            .level(level, self.desc.target == TextureTarget::Texture3D))
    }

    /// Where `region` of `level` sits in a linear buffer at `offset`, rows `stride` and layers
    /// `layer_stride` bytes apart; 0 for either means tightly packed rows of the whole level,
    /// as vtest and virtio-gpu mean it.
    pub fn layout(
        &self,
        level: u32,
        region: Box3,
        offset: u64,
        stride: u32,
        layer_stride: u32,
    ) -> Result<TransferLayout> {
        let extent = self.level_extent(level)?;
        let err = |source| Error::Transfer {
            id: self.id,
            level,
            source,
        };
        let format = self.desc.format;
        let block = format
            .block()
            .ok_or(err(virgl_proto::Error::NoBlockLayout { format }))?;
        let stride = match stride {
            0 => u64::from(extent.width.div_ceil(block.width)) * u64::from(block.bytes),
            s => u64::from(s),
        };
        let layer_stride = match layer_stride {
            0 => stride * u64::from(extent.height.div_ceil(block.height)),
            s => u64::from(s),
        };
        TransferLayout::new(format, extent, region, offset, stride, layer_stride).map_err(err)
    }

    /// Where `region` of `level` sits in the whole level packed tightly from offset 0, and the
    /// bytes of that whole level: for copies of levels kept or read whole.
    pub fn in_level(&self, level: u32, region: Box3) -> Result<(TransferLayout, u64)> {
        let extent = self.level_extent(level)?;
        let whole_box = Box3 {
            x: 0,
            y: 0,
            z: 0,
            w: extent.width,
            h: extent.height,
            d: extent.depth,
        };
        let whole = self.layout(level, whole_box, 0, 0, 0)?;
        let layout = TransferLayout::in_level(
            self.desc.format,
            extent,
            region,
            whole.stride(),
            whole.layer_stride(),
        )
        .map_err(|source| Error::Transfer {
            id: self.id,
            level,
            source,
        })?;
        Ok((layout, whole.packed_len()))
    }

    /// The attached guest memory.
    pub fn backing(&self) -> Option<&dyn Backing> {
        self.backing.as_deref()
    }
}

/// Bind flags that make a buffer (each alone, as Mesa sends them).
const BUFFER_BINDS: [u32; 10] = [
    0,
    bind::CUSTOM,
    bind::STAGING,
    bind::INDEX_BUFFER,
    bind::STREAM_OUTPUT,
    bind::VERTEX_BUFFER,
    bind::CONSTANT_BUFFER,
    bind::QUERY_BUFFER,
    bind::COMMAND_ARGS,
    bind::SHADER_BUFFER,
];

/// Bind flags of which a texture needs at least one.
const TEXTURE_BINDS: u32 = bind::SAMPLER_VIEW
    | bind::DEPTH_STENCIL
    | bind::RENDER_TARGET
    | bind::CURSOR
    | bind::SHARED
    | bind::LINEAR;

/// Checks a RESOURCE_CREATE of resource `id`; the error names the resource and the rule.
pub fn check_create(id: u32, desc: &ResourceDesc, flags: u32, limits: &Limits) -> Result<()> {
    let refuse = |detail: String| Err(Error::InvalidResource { id, detail });
    use TextureTarget as T;
    let t = desc.target;
    if id == 0 {
        return refuse("resource id 0 is reserved".into());
    }
    if desc.nr_samples > 0 {
        if !limits.multisample {
            return refuse("the host has no multisample textures".into());
        }
        if !matches!(t, T::Texture2D | T::Texture2DArray) {
            return refuse(format!("{t:?} cannot be multisampled"));
        }
        if desc.last_level > 0 {
            return refuse("multisampled textures have no mip levels".into());
        }
    }
    if desc.last_level > 0 {
        if matches!(t, T::Buffer | T::Rect) {
            return refuse(format!("{t:?} has no mip levels"));
        }
        let levels = 32 - desc.width.max(desc.height).max(1).leading_zeros();
        if desc.last_level >= levels {
            return refuse(format!(
                "last level {} but a {}x{} texture has {levels} levels",
                desc.last_level, desc.width, desc.height
            ));
        }
    }
    if flags & !Y_0_TOP != 0 {
        return refuse(format!("unknown flags {flags:#x}"));
    }
    if flags & Y_0_TOP != 0 && !matches!(t, T::Texture2D | T::Rect) {
        return refuse(format!("Y_0_TOP on {t:?} (2D and RECT only)"));
    }
    match t {
        T::Cube if desc.array_size != 6 => {
            return refuse(format!("a cube map has 6 faces, not {}", desc.array_size))
        }
        T::CubeArray if !limits.cube_map_array => {
            return refuse("the host has no cube map arrays".into())
        }
        T::CubeArray if desc.array_size == 0 || !desc.array_size.is_multiple_of(6) => {
            return refuse(format!(
                "a cube map array has a multiple of 6 faces, not {}",
                desc.array_size
            ))
        }
        T::Cube | T::CubeArray => {}
        T::Texture1DArray | T::Texture2DArray if !limits.texture_array => {
            return refuse("the host has no texture arrays".into())
        }
        T::Texture1DArray | T::Texture2DArray if desc.array_size == 0 => {
            return refuse("an array texture needs at least one layer".into())
        }
        _ if desc.array_size > 1 && !matches!(t, T::Texture1DArray | T::Texture2DArray) => {
            return refuse(format!("{t:?} cannot have {} layers", desc.array_size))
        }
        _ => {}
    }
    if BUFFER_BINDS.contains(&desc.bind) {
        if t != T::Buffer {
            return refuse(format!("buffer bind {:#x} on {t:?}", desc.bind));
        }
        if desc.height != 1 || desc.depth != 1 {
            return refuse(format!(
                "a buffer is {}x1x1, not {}x{}x{}",
                desc.width, desc.width, desc.height, desc.depth
            ));
        }
        if desc.bind == bind::QUERY_BUFFER && !limits.query_buffer {
            return refuse("the host has no query buffers".into());
        }
        if desc.bind == bind::COMMAND_ARGS && !limits.indirect_draw {
            return refuse("the host has no indirect draws".into());
        }
    } else {
        if desc.bind & TEXTURE_BINDS == 0 {
            return refuse(format!("bind {:#x} names no texture use", desc.bind));
        }
        if desc.width == 0 || desc.height == 0 || desc.depth == 0 {
            return refuse(format!(
                "a texture of {}x{}x{} has no texels",
                desc.width, desc.height, desc.depth
            ));
        }
        let fits = |max: u32, dims: &[u32]| dims.iter().all(|&d| d <= max);
        let (max, dims): (u32, &[u32]) = match t {
            T::Buffer => return refuse(format!("bind {:#x} on a buffer", desc.bind)),
            T::Texture1D | T::Texture1DArray => {
                if desc.height != 1 || desc.depth != 1 {
                    return refuse(format!(
                        "a 1D texture is {}x1x1, not {}x{}x{}",
                        desc.width, desc.width, desc.height, desc.depth
                    ));
                }
                (limits.max_texture_2d_size, &[desc.width])
            }
            T::Texture2D | T::Rect | T::Texture2DArray | T::Cube | T::CubeArray
                if desc.depth != 1 =>
            {
                return refuse(format!("{t:?} with depth {}", desc.depth))
            }
            T::Cube | T::CubeArray if desc.width != desc.height => {
                return refuse(format!(
                    "cube faces are square, not {}x{}",
                    desc.width, desc.height
                ))
            }
            T::Cube | T::CubeArray => (limits.max_texture_cube_size, &[desc.width]),
            T::Texture2D | T::Rect | T::Texture2DArray => {
                (limits.max_texture_2d_size, &[desc.width, desc.height])
            }
            T::Texture3D => (
                limits.max_texture_3d_size,
                &[desc.width, desc.height, desc.depth],
            ),
        };
        if !fits(max, dims) {
            return refuse(format!(
                "{t:?} of {}x{}x{} exceeds the host's {max}",
                desc.width, desc.height, desc.depth
            ));
        }
    }
    // Level 0 of every layer must have a byte size a u64 holds.
    let extent = Extent {
        width: desc.width.max(1),
        height: desc.height.max(1),
        depth: desc.depth.max(1),
    };
    let layers = u64::from(desc.array_size.max(1));
    let size = desc.format.block().and_then(|b| {
        u64::from(extent.width.div_ceil(b.width))
            .checked_mul(u64::from(extent.height.div_ceil(b.height)))?
            .checked_mul(u64::from(extent.depth))?
            .checked_mul(u64::from(b.bytes))?
            .checked_mul(layers)
    });
    if desc.format.block().is_some() && size.is_none() {
        return refuse("its size in bytes overflows 64 bits".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use virgl_proto::format::Format;

    const LIMITS: Limits = Limits {
        max_texture_2d_size: 16384,
        max_texture_3d_size: 2048,
        max_texture_cube_size: 16384,
        multisample: true,
        texture_array: true,
        cube_map_array: true,
        query_buffer: true,
        indirect_draw: true,
    };

    fn tex(target: TextureTarget, w: u32, h: u32, d: u32, layers: u32) -> ResourceDesc {
        ResourceDesc {
            target,
            format: Format::R8G8B8A8_UNORM,
            bind: bind::SAMPLER_VIEW,
            width: w,
            height: h,
            depth: d,
            array_size: layers,
            last_level: 0,
            nr_samples: 0,
        }
    }

    fn buffer(size: u32, bind: u32) -> ResourceDesc {
        ResourceDesc {
            bind,
            format: Format::R8_UNORM,
            ..tex(TextureTarget::Buffer, size, 1, 1, 1)
        }
    }

    #[test]
    fn what_mesa_creates_is_accepted() {
        use TextureTarget as T;
        for desc in [
            tex(T::Texture2D, 64, 64, 1, 1),
            ResourceDesc {
                last_level: 6,
                ..tex(T::Texture2D, 64, 64, 1, 1)
            },
            tex(T::Texture2DArray, 8, 8, 1, 4),
            tex(T::Cube, 16, 16, 1, 6),
            tex(T::CubeArray, 16, 16, 1, 12),
            tex(T::Texture3D, 8, 8, 8, 1),
            tex(T::Texture1D, 300, 1, 1, 1),
            ResourceDesc {
                nr_samples: 4,
                ..tex(T::Texture2D, 32, 32, 1, 1)
            },
            buffer(4096, bind::VERTEX_BUFFER),
            buffer(16, bind::QUERY_BUFFER),
            buffer(64, 0),
        ] {
            check_create(7, &desc, 0, &LIMITS).unwrap_or_else(|e| panic!("{desc:?}: {e}"));
        }
        check_create(
            7,
            &tex(TextureTarget::Texture2D, 8, 8, 1, 1),
            Y_0_TOP,
            &LIMITS,
        )
        .unwrap();
    }

    #[test]
    fn each_rule_refuses_with_its_reason() {
        use TextureTarget as T;
        let cases: Vec<(ResourceDesc, u32, &str)> = vec![
            (
                ResourceDesc {
                    nr_samples: 4,
                    ..tex(T::Texture3D, 8, 8, 8, 1)
                },
                0,
                "cannot be multisampled",
            ),
            (
                ResourceDesc {
                    nr_samples: 4,
                    last_level: 1,
                    ..tex(T::Texture2D, 8, 8, 1, 1)
                },
                0,
                "no mip levels",
            ),
            (
                ResourceDesc {
                    last_level: 7,
                    ..tex(T::Texture2D, 64, 64, 1, 1)
                },
                0,
                "has 7 levels",
            ),
            (
                ResourceDesc {
                    last_level: 1,
                    ..tex(T::Rect, 64, 64, 1, 1)
                },
                0,
                "Rect has no mip levels",
            ),
            (tex(T::Texture2D, 8, 8, 1, 1), 2, "unknown flags 0x2"),
            (
                tex(T::Texture3D, 8, 8, 8, 1),
                Y_0_TOP,
                "Y_0_TOP on Texture3D",
            ),
            (tex(T::Cube, 16, 16, 1, 5), 0, "6 faces, not 5"),
            (
                tex(T::CubeArray, 16, 16, 1, 8),
                0,
                "multiple of 6 faces, not 8",
            ),
            (tex(T::Cube, 16, 8, 1, 6), 0, "square, not 16x8"),
            (
                tex(T::Texture2D, 8, 8, 1, 3),
                0,
                "Texture2D cannot have 3 layers",
            ),
            (tex(T::Texture2D, 8, 8, 2, 1), 0, "Texture2D with depth 2"),
            (tex(T::Texture1D, 8, 2, 1, 1), 0, "1D texture is 8x1x1"),
            (tex(T::Texture2D, 0, 8, 1, 1), 0, "has no texels"),
            (
                tex(T::Texture2D, 16385, 8, 1, 1),
                0,
                "exceeds the host's 16384",
            ),
            (
                tex(T::Texture3D, 8, 8, 4096, 1),
                0,
                "exceeds the host's 2048",
            ),
            (
                ResourceDesc {
                    bind: bind::VERTEX_BUFFER,
                    ..tex(T::Texture2D, 8, 8, 1, 1)
                },
                0,
                "buffer bind 0x10 on Texture2D",
            ),
            (
                ResourceDesc {
                    bind: bind::SAMPLER_VIEW,
                    ..buffer(64, 0)
                },
                0,
                "on a buffer",
            ),
            (
                ResourceDesc {
                    height: 2,
                    ..buffer(64, bind::VERTEX_BUFFER)
                },
                0,
                "a buffer is 64x1x1",
            ),
            (
                ResourceDesc {
                    bind: bind::SCANOUT,
                    ..tex(T::Texture2D, 8, 8, 1, 1)
                },
                0,
                "names no texture use",
            ),
        ];
        for (desc, flags, want) in cases {
            let e = check_create(9, &desc, flags, &LIMITS)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("resource 9: "), "{e}");
            assert!(e.contains(want), "{desc:?}: {e} (wanted {want:?})");
        }
        // Under a host limit of 16384 the bytes always fit; a host reporting a huge limit must
        // still not wrap: 2^32 x 2^32 texels of 16 bytes, 2 layers.
        let huge = Limits {
            max_texture_2d_size: u32::MAX,
            ..LIMITS
        };
        let desc = ResourceDesc {
            format: Format::R32G32B32A32_FLOAT,
            ..tex(T::Texture2DArray, u32::MAX, u32::MAX, 1, 2)
        };
        let e = check_create(9, &desc, 0, &huge).unwrap_err().to_string();
        assert!(e.contains("overflows 64 bits"), "{e}");
        let e = check_create(0, &tex(T::Texture2D, 8, 8, 1, 1), 0, &LIMITS).unwrap_err();
        assert!(e.to_string().contains("id 0 is reserved"), "{e}");
    }

    #[test]
    fn missing_host_features_refuse_what_needs_them() {
        use TextureTarget as T;
        let none = Limits {
            multisample: false,
            texture_array: false,
            cube_map_array: false,
            query_buffer: false,
            indirect_draw: false,
            ..LIMITS
        };
        for (desc, want) in [
            (
                ResourceDesc {
                    nr_samples: 4,
                    ..tex(T::Texture2D, 8, 8, 1, 1)
                },
                "no multisample",
            ),
            (tex(T::Texture2DArray, 8, 8, 1, 2), "no texture arrays"),
            (tex(T::CubeArray, 8, 8, 1, 6), "no cube map arrays"),
            (buffer(16, bind::QUERY_BUFFER), "no query buffers"),
            (buffer(16, bind::COMMAND_ARGS), "no indirect draws"),
        ] {
            let e = check_create(3, &desc, 0, &none).unwrap_err().to_string();
            assert!(e.contains(want), "{e}");
        }
    }
}
