//! What the live context can do, measured for caps: its limits, and for each format of
//! [`format::gl_format`] whether a texture of it can be made, rendered to, used as depth/stencil,
//! and read back byte for byte.

use glow::HasContext;
use virgl_proto::format::Format;
use virgl_proto::texel::ChannelType;

use super::format::{self, GlFormat, Kind};
use super::Gl;
use crate::error::{Error, Result};

/// Sides of the textures formats are probed with: a whole number of 4×4 blocks.
const PROBE_SIZE: u32 = 16;

/// What one format can do on this context.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FormatSupport {
    /// A 2D texture of it can be made.
    pub sampler: bool,
    /// It is a colour format a framebuffer with it attached is complete with, and shader
    /// outputs land in it as stored.
    pub render: bool,
    /// It is a depth/stencil format a framebuffer with it attached is complete with.
    pub depth_stencil: bool,
    /// Bytes uploaded with `glTexSubImage2D` come back unchanged from `glGetTexImage`
    /// (padding bits aside).
    pub readback: bool,
    /// A 2-sample texture of it can be made (renderable and depth formats only).
    pub multisample: bool,
}

/// Numbers read from the context that caps report (see [`crate::caps`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ProbedLimits {
    pub max_array_texture_layers: u32,
    /// `GL_MAX_SAMPLES`.
    pub max_samples: u32,
    /// `GL_MAX_{VERTEX,FRAGMENT,GEOMETRY}_UNIFORM_BLOCKS`, the smallest.
    pub max_uniform_blocks: u32,
    /// `GL_MAX_UNIFORM_BLOCK_SIZE` in bytes.
    pub max_uniform_block_size: u32,
    /// `GL_MAX_TEXTURE_BUFFER_SIZE` in texels, and `GL_TEXTURE_BUFFER_OFFSET_ALIGNMENT`.
    pub max_texture_buffer_size: u32,
    pub texture_buffer_offset_alignment: u32,
    /// Sample positions packed as `virgl_caps_v2::sample_locations` holds them: a byte per
    /// sample, x in the high nibble and y in the low one, in 16ths of a pixel; 2 samples in
    /// word 0, 4 in word 1, 8 in words 2-3, 16 in words 4-7.
    pub sample_locations: [u32; 8],
    pub max_draw_buffers: u32,
    pub max_vertex_attribs: u32,
    pub max_vertex_output_components: u32,
    pub max_vertex_attrib_stride: u32,
    pub max_texture_image_units: u32,
    /// `GL_MAX_{VERTEX,FRAGMENT,GEOMETRY}_UNIFORM_COMPONENTS`.
    pub max_uniform_components: [u32; 3],
    /// `GL_MAX_GEOMETRY_OUTPUT_VERTICES` and `GL_MAX_GEOMETRY_TOTAL_OUTPUT_COMPONENTS`.
    pub max_geometry_output_vertices: u32,
    pub max_geometry_total_output_components: u32,
    pub uniform_buffer_offset_alignment: u32,
    pub max_texture_2d_size: u32,
    pub max_texture_3d_size: u32,
    pub max_texture_cube_size: u32,
    pub aliased_point_size: [f32; 2],
    pub aliased_line_width: [f32; 2],
    /// Zero on GLES, which has no smooth points or lines.
    pub smooth_point_size: [f32; 2],
    pub smooth_line_width: [f32; 2],
    pub max_texture_lod_bias: f32,
    /// A framebuffer with an RGBA8 and an R8 attachment is complete.
    pub mixed_color_formats: bool,
    /// Vertex attributes may be `GL_UNSIGNED_INT_10F_11F_11F_REV` (GL 4.4).
    pub vertex_type_10f_11f_11f: bool,
    /// Compute shaders, shader buffers and images.
    pub compute: super::compute::ComputeLimits,
    /// `GL_MIN_PROGRAM_TEXEL_OFFSET` and `GL_MAX_PROGRAM_TEXEL_OFFSET`.
    pub texel_offset: [i32; 2],
    /// `GL_MIN_PROGRAM_TEXTURE_GATHER_OFFSET` and `_MAX_` (GL 4.0, GLES 3.1), zero before.
    pub gather_offset: [i32; 2],
    /// `GL_MAX_PROGRAM_TEXTURE_GATHER_COMPONENTS` (GL 4.0), zero before.
    pub max_texture_gather_components: u32,
}

/// `GL_MAX_PROGRAM_TEXTURE_GATHER_COMPONENTS_ARB` (GL 4.0), which glow does not name.
const MAX_PROGRAM_TEXTURE_GATHER_COMPONENTS: u32 = 0x8F9F;

/// A texture and framebuffer made for one probe, deleted on drop.
pub(crate) struct Scratch<'a> {
    gl: &'a Gl,
    texture: glow::Texture,
    framebuffer: Option<glow::Framebuffer>,
    format: Format,
    table: GlFormat,
    width: u32,
    height: u32,
}

impl<'a> Scratch<'a> {
    /// A `width`×`height` 2D texture of `format`, bound to `GL_TEXTURE_2D`; `None` when GL
    /// refuses it (or the table has no row for it).
    pub(crate) fn new(gl: &'a Gl, format: Format, width: u32, height: u32) -> Option<Self> {
        let table = gl.format(format)?;
        // ES 2.0 has no storage for compressed textures without data.
        if table.kind == Kind::Compressed && gl.es2() {
            return None;
        }
        let g = &gl.gl;
        gl.clear_errors();
        // SAFETY: the context is current; the texture is made and bound here, and glTexImage2D
        // reads no memory when given no pixels.
        let texture = unsafe {
            let texture = g.create_texture().ok()?;
            g.bind_texture(glow::TEXTURE_2D, Some(texture));
            if !gl.es2() {
                g.tex_parameter_i32(glow::TEXTURE_2D, glow::TEXTURE_MAX_LEVEL, 0);
            }
            // ES makes compressed textures only with storage of their own (glTexImage2D
            // takes no compressed internal format there).
            if table.kind == Kind::Compressed && gl.version().es {
                g.tex_storage_2d(
                    glow::TEXTURE_2D,
                    1,
                    table.internal,
                    width as i32,
                    height as i32,
                );
            } else {
                g.tex_image_2d(
                    glow::TEXTURE_2D,
                    0,
                    table.internal as i32,
                    width as i32,
                    height as i32,
                    0,
                    table.format,
                    table.ty,
                    glow::PixelUnpackData::Slice(None),
                );
            }
            texture
        };
        let scratch = Scratch {
            gl,
            texture,
            framebuffer: None,
            format,
            table,
            width,
            height,
        };
        gl.check("glTexImage2D").is_ok().then_some(scratch)
    }

    /// Bytes of the whole level in the guest's layout, rows packed.
    pub(crate) fn size(&self) -> usize {
        self.format
            .box_bytes(self.width, self.height, 1)
            .unwrap_or(0) as usize
    }

    /// Attaches the texture to a new framebuffer, bound to `GL_FRAMEBUFFER`, and says whether
    /// it is complete.
    pub(crate) fn attach(&mut self) -> Result<bool> {
        let g = &self.gl.gl;
        // SAFETY: the context is current; the framebuffer is made here and the texture is ours.
        let status = unsafe {
            let fb = g.create_framebuffer().map_err(|detail| Error::Gl {
                call: "glGenFramebuffers",
                detail,
            })?;
            self.framebuffer = Some(fb);
            g.bind_framebuffer(glow::FRAMEBUFFER, Some(fb));
            for &attachment in self.gl.attachments(&self.table) {
                g.framebuffer_texture_2d(
                    glow::FRAMEBUFFER,
                    attachment,
                    glow::TEXTURE_2D,
                    Some(self.texture),
                    0,
                );
            }
            let draw = if self.table.is_depth_stencil() {
                glow::NONE
            } else {
                glow::COLOR_ATTACHMENT0
            };
            self.gl.draw_buffers(&[draw]);
            self.gl.select_read_buffer(draw);
            g.check_framebuffer_status(glow::FRAMEBUFFER)
        };
        self.gl.check("attach a texture to a framebuffer")?;
        Ok(status == glow::FRAMEBUFFER_COMPLETE)
    }

    /// Replaces the level with `bytes` in the guest's layout (rows packed).
    pub(crate) fn upload(&self, bytes: &[u8]) -> Result<()> {
        if bytes.len() != self.size() {
            return Err(Error::Gl {
                call: "glTexSubImage2D",
                detail: format!("{} bytes for a {}-byte level", bytes.len(), self.size()),
            });
        }
        let mut swapped = Vec::new();
        let bytes = if self.table.swap_rb {
            swapped.extend_from_slice(bytes);
            format::swap_rb(&mut swapped);
            &swapped[..]
        } else {
            bytes
        };
        let g = &self.gl.gl;
        // SAFETY: the context is current and the texture bound is ours; with unpack alignment 1
        // GL reads exactly `size()` bytes, which `bytes` holds.
        unsafe {
            g.bind_texture(glow::TEXTURE_2D, Some(self.texture));
            g.pixel_store_i32(glow::UNPACK_ALIGNMENT, 1);
            g.tex_sub_image_2d(
                glow::TEXTURE_2D,
                0,
                0,
                0,
                self.width as i32,
                self.height as i32,
                self.table.format,
                self.table.ty,
                glow::PixelUnpackData::Slice(Some(bytes)),
            );
        }
        self.gl.check("glTexSubImage2D")
    }

    /// The level in the guest's layout (rows packed).
    pub(crate) fn download(&self) -> Result<Vec<u8>> {
        let mut bytes = vec![0u8; self.size()];
        if self.gl.version().es {
            let all = super::texture::full(virgl_proto::transfer::Extent {
                width: self.width,
                height: self.height,
                depth: 1,
            });
            self.gl.read_through_framebuffer(
                self.texture,
                glow::TEXTURE_2D,
                &self.table,
                0,
                all,
                &mut bytes,
            )?;
            return Ok(bytes);
        }
        let g = &self.gl.gl;
        // SAFETY: the context is current and the texture bound is ours; with pack alignment 1
        // GL writes exactly `size()` bytes, which `bytes` holds.
        unsafe {
            g.bind_texture(glow::TEXTURE_2D, Some(self.texture));
            g.pixel_store_i32(glow::PACK_ALIGNMENT, 1);
            g.get_tex_image(
                glow::TEXTURE_2D,
                0,
                self.table.format,
                self.table.ty,
                glow::PixelPackData::Slice(Some(&mut bytes)),
            );
        }
        self.gl.check("glGetTexImage")?;
        Ok(bytes)
    }

    /// Clears the attached framebuffer: colour formats to `color` (floats, or the integers
    /// they hold for integer formats), depth/stencil to `depth` and `stencil`.
    #[cfg(test)]
    pub(crate) fn clear(&self, color: [f64; 4], depth: f32, stencil: i32) -> Result<()> {
        let g = &self.gl.gl;
        // SAFETY: the context is current and the framebuffer bound is ours, with draw buffer 0
        // set by `attach`.
        unsafe {
            g.viewport(0, 0, self.width as i32, self.height as i32);
            match self.table.kind {
                Kind::Uint => g.clear_buffer_u32_slice(glow::COLOR, 0, &color.map(|c| c as u32)),
                Kind::Sint => g.clear_buffer_i32_slice(glow::COLOR, 0, &color.map(|c| c as i32)),
                Kind::Depth => g.clear_buffer_f32_slice(glow::DEPTH, 0, &[depth]),
                Kind::DepthStencil => {
                    g.clear_buffer_depth_stencil(glow::DEPTH_STENCIL, 0, depth, stencil)
                }
                Kind::Color | Kind::Compressed => {
                    g.clear_buffer_f32_slice(glow::COLOR, 0, &color.map(|c| c as f32))
                }
            }
        }
        self.gl.check("glClearBuffer")
    }
}

impl Drop for Scratch<'_> {
    fn drop(&mut self) {
        let g = &self.gl.gl;
        // SAFETY: the context is current; both objects were made by this probe and are unbound
        // before deletion.
        unsafe {
            if let Some(fb) = self.framebuffer {
                g.bind_framebuffer(glow::FRAMEBUFFER, None);
                g.delete_framebuffer(fb);
            }
            g.bind_texture(glow::TEXTURE_2D, None);
            g.delete_texture(self.texture);
        }
    }
}

/// Bytes for `texels` texels of `format` whose every channel holds a value GL keeps as is:
/// pseudo-random bits, with float channels made finite and within [0, 1] (depth is clamped).
pub(crate) fn probe_pattern(format: Format, bytes: usize, seed: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(12345);
    let mut raw: Vec<u8> = (0..bytes)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (state >> 16) as u8
        })
        .collect();
    let (Some(channels), Some(block)) = (format.channels(), format.block()) else {
        return raw;
    };
    let n = block.bytes as usize;
    for texel in raw.chunks_exact_mut(n) {
        for c in channels.list.iter().filter(|c| c.ty == ChannelType::Float) {
            let v = read_bits(texel, c.shift, c.bits);
            // IEEE floats get [0.5, 1) with random mantissa bits; the unsigned 11- and 10-bit
            // floats lose their top exponent bit, which keeps them finite and below 2.
            let fixed = match c.bits {
                16 => u128::from(0x3800u16 | (v as u16 & 0x03ff)),
                32 => u128::from(0x3f00_0000u32 | (v as u32 & 0x007f_ffff)),
                64 => u128::from(0x3fe0_0000_0000_0000u64 | (v as u64 & 0x000f_ffff_ffff_ffff)),
                bits => v & ((1 << (bits - 1)) - 1),
            };
            write_bits(texel, c.shift, c.bits, fixed);
        }
    }
    raw
}

/// For each byte of `bytes` bytes of `format`, the bits that hold a channel (padding `X` bits
/// are clear).
pub(crate) fn meaningful_bits(format: Format, bytes: usize) -> Vec<u8> {
    let mut mask = vec![0xffu8; bytes];
    let (Some(channels), Some(block)) = (format.channels(), format.block()) else {
        return mask;
    };
    for texel in mask.chunks_exact_mut(block.bytes as usize) {
        for c in channels.list.iter().filter(|c| c.ty == ChannelType::Void) {
            write_bits(texel, c.shift, c.bits, 0);
        }
    }
    mask
}

/// Whether `a` and `b` agree in the bits `mask` keeps.
pub(crate) fn same_bits(a: &[u8], b: &[u8], mask: &[u8]) -> bool {
    a.len() == b.len()
        && a.len() == mask.len()
        && a.iter().zip(b).zip(mask).all(|((x, y), m)| x & m == y & m)
}

/// Reads `bits` bits at bit `shift` of a little-endian texel.
pub(crate) fn read_bits(texel: &[u8], shift: u32, bits: u32) -> u128 {
    (shift..shift + bits)
        .enumerate()
        .map(|(i, b)| u128::from(texel[b as usize / 8] >> (b % 8) & 1) << i)
        .sum()
}

/// Writes the low `bits` bits of `value` at bit `shift` of a little-endian texel.
pub(crate) fn write_bits(texel: &mut [u8], shift: u32, bits: u32, value: u128) {
    for (i, b) in (shift..shift + bits).enumerate() {
        let byte = &mut texel[b as usize / 8];
        let bit = 1u8 << (b % 8);
        if value >> i & 1 != 0 {
            *byte |= bit;
        } else {
            *byte &= !bit;
        }
    }
}

impl Gl {
    /// Probes what `format` can do: a 16×16 texture of it is made, attached to a framebuffer,
    /// and filled and read back. A format [`format::gl_format`] lacks can do nothing.
    pub fn probe_format(&self, format: Format) -> Result<FormatSupport> {
        let Some(mut scratch) = Scratch::new(self, format, PROBE_SIZE, PROBE_SIZE) else {
            return Ok(FormatSupport::default());
        };
        let table = scratch.table;
        let mut support = FormatSupport {
            sampler: true,
            ..FormatSupport::default()
        };
        if table.kind == Kind::Compressed {
            return Ok(support);
        }
        // Converted on upload, never rendered to, and read back from the CPU copy of the
        // uploads (ES 2.0's sRGB formats).
        if table.convert.is_some() {
            return Ok(FormatSupport {
                readback: true,
                ..support
            });
        }
        let complete = scratch.attach()?;
        support.render = complete && !table.is_depth_stencil() && table.renders_as_stored();
        support.depth_stencil = complete && table.is_depth_stencil();
        let size = scratch.size();
        let pattern = probe_pattern(format, size, format.to_wire());
        if support.render || support.depth_stencil {
            support.multisample = self.probe_multisample(table.internal)?;
        }
        support.readback = scratch.upload(&pattern).is_ok()
            && scratch
                .download()
                .is_ok_and(|back| same_bits(&back, &pattern, &meaningful_bits(format, size)));
        self.clear_errors();
        Ok(support)
    }

    /// Whether a 2-sample texture of `internal` can be made.
    fn probe_multisample(&self, internal: u32) -> Result<bool> {
        let v = &self.version;
        // Multisample textures are GLES 3.1's.
        if v.es && (v.major, v.minor) < (3, 1) {
            return Ok(false);
        }
        let g = &self.gl;
        self.clear_errors();
        // SAFETY: the context is current; the texture is made and deleted here.
        let ok = unsafe {
            let t = g.create_texture().map_err(|e| Error::Gl {
                call: "glGenTextures",
                detail: e,
            })?;
            g.bind_texture(glow::TEXTURE_2D_MULTISAMPLE, Some(t));
            g.tex_storage_2d_multisample(glow::TEXTURE_2D_MULTISAMPLE, 2, internal, 4, 4, true);
            let ok = g.get_error() == glow::NO_ERROR;
            g.bind_texture(glow::TEXTURE_2D_MULTISAMPLE, None);
            g.delete_texture(t);
            ok
        };
        self.clear_errors();
        Ok(ok)
    }

    /// Where each sample of a 2, 4, 8 and 16-sample framebuffer sits, packed as caps hold it.
    fn probe_sample_locations(&self, max_samples: u32) -> Result<[u32; 8]> {
        let g = &self.gl;
        let mut words = [0u32; 8];
        for (count, first_word) in [(2u32, 0usize), (4, 1), (8, 2), (16, 4)] {
            if count > max_samples {
                break;
            }
            // SAFETY: the context is current; the renderbuffer and framebuffer are made, read
            // and deleted here, and each query writes two floats.
            unsafe {
                let rb = g.create_renderbuffer().map_err(|e| Error::Gl {
                    call: "glGenRenderbuffers",
                    detail: e,
                })?;
                let fb = g.create_framebuffer().map_err(|e| Error::Gl {
                    call: "glGenFramebuffers",
                    detail: e,
                })?;
                g.bind_renderbuffer(glow::RENDERBUFFER, Some(rb));
                g.renderbuffer_storage_multisample(
                    glow::RENDERBUFFER,
                    count as i32,
                    glow::RGBA8,
                    4,
                    4,
                );
                g.bind_framebuffer(glow::FRAMEBUFFER, Some(fb));
                g.framebuffer_renderbuffer(
                    glow::FRAMEBUFFER,
                    glow::COLOR_ATTACHMENT0,
                    glow::RENDERBUFFER,
                    Some(rb),
                );
                for i in 0..count {
                    let mut xy = [0f32; 2];
                    self.extra.sample_position(i, &mut xy);
                    let byte =
                        ((xy[0] * 16.0) as u32).min(15) << 4 | ((xy[1] * 16.0) as u32).min(15);
                    let word = first_word + (i as usize >> 2);
                    words[word] |= byte << (8 * (i & 3));
                }
                g.bind_framebuffer(glow::FRAMEBUFFER, None);
                g.delete_framebuffer(fb);
                g.delete_renderbuffer(rb);
            }
        }
        self.check("glGetMultisamplefv(GL_SAMPLE_POSITION)")?;
        Ok(words)
    }

    /// Reads the limits caps report.
    pub fn probe_limits(&self) -> Result<ProbedLimits> {
        let g = &self.gl;
        let v = &self.version;
        let int = |pname| {
            // SAFETY: the context is current; every name queried below is an integer state of
            // GL 3.3 core and GLES 3.0 (or is guarded by a version check).
            u32::try_from(unsafe { g.get_parameter_i32(pname) }).unwrap_or(0)
        };
        let range = |pname| {
            let mut r = [0f32; 2];
            // SAFETY: the context is current; each name is a two-float range state.
            unsafe { g.get_parameter_f32_slice(pname, &mut r) };
            r
        };
        let at_least =
            |gl: (u32, u32), es: (u32, u32)| (v.major, v.minor) >= if v.es { es } else { gl };
        let (smooth_point_size, smooth_line_width) = if v.es {
            ([0.0; 2], [0.0; 2])
        } else {
            (
                range(glow::SMOOTH_POINT_SIZE_RANGE),
                range(glow::SMOOTH_LINE_WIDTH_RANGE),
            )
        };
        // Geometry shaders are GL 3.2 and GLES 3.2 (or GLES 3.1 with GL_EXT_geometry_shader).
        let geometry = |pname| {
            if self.geometry_shaders() {
                int(pname)
            } else {
                0
            }
        };
        let signed = |pname| {
            // SAFETY: as for `int`.
            unsafe { g.get_parameter_i32(pname) }
        };
        // ES 2.0 lacks these names (INVALID_ENUM): what they would count is 0 there.
        let es2 = self.es2();
        let int3 = |pname| if es2 { 0 } else { int(pname) };
        let signed3 = |pname| if es2 { 0 } else { signed(pname) };
        // ES 2.0 counts uniforms and varyings in vec4s.
        let components = |es2_vectors, pname| {
            if es2 {
                4 * int(es2_vectors)
            } else {
                int(pname)
            }
        };
        let gather = at_least((4, 0), (3, 1));
        let limits = ProbedLimits {
            texel_offset: [
                signed3(glow::MIN_PROGRAM_TEXEL_OFFSET),
                signed3(glow::MAX_PROGRAM_TEXEL_OFFSET),
            ],
            gather_offset: if gather {
                [
                    signed(glow::MIN_PROGRAM_TEXTURE_GATHER_OFFSET),
                    signed(glow::MAX_PROGRAM_TEXTURE_GATHER_OFFSET),
                ]
            } else {
                [0; 2]
            },
            max_texture_gather_components: if gather && !v.es {
                int(MAX_PROGRAM_TEXTURE_GATHER_COMPONENTS)
            } else {
                0
            },
            max_array_texture_layers: int3(glow::MAX_ARRAY_TEXTURE_LAYERS),
            max_samples: if es2 { 1 } else { int(glow::MAX_SAMPLES) },
            max_uniform_blocks: int3(glow::MAX_VERTEX_UNIFORM_BLOCKS)
                .min(int3(glow::MAX_FRAGMENT_UNIFORM_BLOCKS))
                .min(match geometry(glow::MAX_GEOMETRY_UNIFORM_BLOCKS) {
                    0 => u32::MAX,
                    n => n,
                }),
            max_uniform_block_size: int3(glow::MAX_UNIFORM_BLOCK_SIZE),
            max_texture_buffer_size: if self.texture_buffers() {
                int(glow::MAX_TEXTURE_BUFFER_SIZE)
            } else {
                0
            },
            texture_buffer_offset_alignment: if self.texture_buffers() {
                int(glow::TEXTURE_BUFFER_OFFSET_ALIGNMENT)
            } else {
                0
            },
            sample_locations: [0; 8],
            // GL_MAX_DRAW_BUFFERS_EXT of GL_EXT_draw_buffers is the same enum; ES 2.0 alone
            // draws into one colour buffer.
            max_draw_buffers: if es2 && !self.es_extensions.shader.draw_buffers {
                1
            } else {
                int(glow::MAX_DRAW_BUFFERS)
            },
            max_vertex_attribs: int(glow::MAX_VERTEX_ATTRIBS),
            max_vertex_output_components: components(
                glow::MAX_VARYING_VECTORS,
                glow::MAX_VERTEX_OUTPUT_COMPONENTS,
            ),
            max_vertex_attrib_stride: if at_least((4, 4), (3, 1)) {
                int(glow::MAX_VERTEX_ATTRIB_STRIDE)
            } else {
                2048
            },
            max_texture_image_units: int(glow::MAX_TEXTURE_IMAGE_UNITS),
            max_uniform_components: [
                components(
                    glow::MAX_VERTEX_UNIFORM_VECTORS,
                    glow::MAX_VERTEX_UNIFORM_COMPONENTS,
                ),
                components(
                    glow::MAX_FRAGMENT_UNIFORM_VECTORS,
                    glow::MAX_FRAGMENT_UNIFORM_COMPONENTS,
                ),
                geometry(glow::MAX_GEOMETRY_UNIFORM_COMPONENTS),
            ],
            max_geometry_output_vertices: geometry(glow::MAX_GEOMETRY_OUTPUT_VERTICES),
            max_geometry_total_output_components: geometry(
                glow::MAX_GEOMETRY_TOTAL_OUTPUT_COMPONENTS,
            ),
            uniform_buffer_offset_alignment: int3(glow::UNIFORM_BUFFER_OFFSET_ALIGNMENT),
            max_texture_2d_size: int(glow::MAX_TEXTURE_SIZE),
            max_texture_3d_size: if es2 && !self.es_extensions.shader.texture_3d {
                0
            } else {
                int(glow::MAX_3D_TEXTURE_SIZE)
            },
            max_texture_cube_size: int(glow::MAX_CUBE_MAP_TEXTURE_SIZE),
            aliased_point_size: range(glow::ALIASED_POINT_SIZE_RANGE),
            aliased_line_width: range(glow::ALIASED_LINE_WIDTH_RANGE),
            smooth_point_size,
            smooth_line_width,
            // ES has no LOD bias in sampler state; shaders add it there (`shader::LOD_BIAS`),
            // up to desktop llvmpipe's limit.
            max_texture_lod_bias: if v.es {
                16.0
            } else {
                // SAFETY: the context is current; a single-float state of GL 3.3.
                unsafe { g.get_parameter_f32(glow::MAX_TEXTURE_LOD_BIAS) }
            },
            mixed_color_formats: false,
            compute: self.probe_compute_limits()?,
            vertex_type_10f_11f_11f: !v.es
                && (at_least((4, 4), (0, 0))
                    || g.supported_extensions()
                        .contains("GL_ARB_vertex_type_10f_11f_11f_rev")),
        };
        self.check("glGet* for caps")?;
        Ok(ProbedLimits {
            mixed_color_formats: self.probe_mixed_color_formats()?,
            sample_locations: if at_least((3, 2), (3, 1)) {
                self.probe_sample_locations(limits.max_samples)?
            } else {
                [0; 8]
            },
            ..limits
        })
    }

    /// Whether a framebuffer with an RGBA8 and an R8 colour attachment is complete
    /// (virglrenderer's `vrend_check_framebuffer_mixed_color_attachements`).
    fn probe_mixed_color_formats(&self) -> Result<bool> {
        if self.es2() && !self.es2.has_draw_buffers() {
            return Ok(false);
        }
        let (Some(mut rgba), Some(r)) = (
            Scratch::new(self, Format::R8G8B8A8_UNORM, 4, 4),
            Scratch::new(self, Format::R8_UNORM, 4, 4),
        ) else {
            return Ok(false);
        };
        rgba.attach()?;
        let g = &self.gl;
        // SAFETY: the context is current; `attach` bound rgba's framebuffer, and the R8
        // texture is ours.
        let status = unsafe {
            g.framebuffer_texture_2d(
                glow::FRAMEBUFFER,
                glow::COLOR_ATTACHMENT1,
                glow::TEXTURE_2D,
                Some(r.texture),
                0,
            );
            self.draw_buffers(&[glow::COLOR_ATTACHMENT0, glow::COLOR_ATTACHMENT1]);
            g.check_framebuffer_status(glow::FRAMEBUFFER)
        };
        self.check("mixed-format framebuffer")?;
        Ok(status == glow::FRAMEBUFFER_COMPLETE)
    }

    /// Drops pending GL errors, so the next check sees only what follows.
    pub(crate) fn clear_errors(&self) {
        // SAFETY: glGetError takes no arguments; the context is current. GL keeps at most one
        // flag per error kind, so the loop ends.
        while unsafe { self.gl.get_error() } != glow::NO_ERROR {}
    }
}

#[cfg(test)]
#[path = "probe_tests.rs"]
mod tests;
