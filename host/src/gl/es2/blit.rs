//! Clears, blits and copies on ES 2.0, which has no `glClearBuffer`, `glBlitFramebuffer`,
//! `glCopyImageSubData` or `glCopyBufferSubData`.

use glow::HasContext;
use virgl_proto::ccmd::{Blit, Clear, CopyRegion};
use virgl_proto::pipe::{BlitMask, ClearBuffers, TexFilter};

use crate::backend::Scene;
use crate::error::Result;
use crate::gl::backend::{gl_err, GlBackend};
use crate::gl::texture::Storage;

/// The program that draws a textured quad for blits: `in0` in clip space, `uv` mapped to the
/// source rectangle, in GLSL ES 1.00.
pub struct QuadBlit {
    program: glow::Program,
    corners: glow::Buffer,
    source: Option<glow::UniformLocation>,
    uv_rect: Option<glow::UniformLocation>,
}

const BLIT_VS: &str = "#version 100
attribute vec2 in0;
uniform vec4 uv_rect;
varying vec2 uv;
void main()
{
    uv = mix(uv_rect.xy, uv_rect.zw, in0 * 0.5 + 0.5);
    gl_Position = vec4(in0, 0.0, 1.0);
}
";

const BLIT_FS: &str = "#version 100
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float;
#else
precision mediump float;
#endif
uniform sampler2D source;
varying vec2 uv;
void main()
{
    gl_FragColor = texture2D(source, uv);
}
";

impl QuadBlit {
    fn new(gl: &crate::gl::Gl) -> Result<QuadBlit> {
        let program = gl
            .link(BLIT_VS, None, BLIT_FS, &[])
            .map_err(|log| gl_err("glLinkProgram", format!("the ES 2.0 blit program: {log}")))?;
        let g = &gl.gl;
        // SAFETY: the context is current; the program was just linked and the buffer is new.
        unsafe {
            let p = program.program;
            let corners = g.create_buffer().map_err(|e| gl_err("glGenBuffers", e))?;
            g.bind_buffer(glow::ARRAY_BUFFER, Some(corners));
            let xy: [f32; 8] = [-1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 1.0, 1.0];
            g.buffer_data_u8_slice(
                glow::ARRAY_BUFFER,
                bytemuck::cast_slice(&xy),
                glow::STATIC_DRAW,
            );
            g.bind_buffer(glow::ARRAY_BUFFER, None);
            Ok(QuadBlit {
                program: p,
                corners,
                source: g.get_uniform_location(p, "source"),
                uv_rect: g.get_uniform_location(p, "uv_rect"),
            })
        }
    }
}

/// A rectangle of a blit box as GL wants it (corner and positive size), and whether the box
/// runs backwards along x and y (Gallium mirrors with negative sizes).
fn rect(x: u32, y: u32, w: u32, h: u32) -> ([i32; 4], [bool; 2]) {
    let (x, y, w, h) = (x as i32, y as i32, w as i32, h as i32);
    let (x0, w0) = if w < 0 { (x + w, -w) } else { (x, w) };
    let (y0, h0) = if h < 0 { (y + h, -h) } else { (y, h) };
    ([x0, y0, w0, h0], [w < 0, h < 0])
}

impl GlBackend {
    /// CLEAR with `glClear`: the colour buffers not cleared are taken out of the draw buffers
    /// for it (with `GL_EXT_draw_buffers`; without, there is only one).
    pub(in crate::gl) fn clear_es2(&mut self, scene: Scene<'_>, clear: &Clear) -> Result<()> {
        let g = &self.gl.gl;
        let fb = &scene.state.framebuffer;
        let mut bits = 0;
        let mut buffers = Vec::new();
        for (i, cbuf) in fb.cbufs.iter().enumerate() {
            let at = glow::COLOR_ATTACHMENT0 + i as u32;
            if cbuf.is_some() && clear.buffers.contains(ClearBuffers::color(i as u32)) {
                buffers.push(at);
                bits |= glow::COLOR_BUFFER_BIT;
            } else {
                buffers.push(glow::NONE);
            }
        }
        let all_colors = fb
            .cbufs
            .iter()
            .enumerate()
            .all(|(i, c)| c.is_none() || clear.buffers.contains(ClearBuffers::color(i as u32)));
        // SAFETY: the context is current with our framebuffer bound.
        unsafe {
            g.disable(glow::SCISSOR_TEST);
            g.color_mask(true, true, true, true);
            let [r, gr, b, a] = clear.color.map(f32::from_bits);
            g.clear_color(r, gr, b, a);
            if fb.zsurf.is_some() {
                if clear.buffers.contains(ClearBuffers::DEPTH) {
                    g.depth_mask(true);
                    g.clear_depth_f32(clear.depth as f32);
                    bits |= glow::DEPTH_BUFFER_BIT;
                }
                if clear.buffers.contains(ClearBuffers::STENCIL) {
                    g.stencil_mask(0xff);
                    g.clear_stencil(clear.stencil as i32);
                    bits |= glow::STENCIL_BUFFER_BIT;
                }
            }
            if !all_colors {
                self.gl.draw_buffers(&buffers);
            }
            if bits != 0 {
                g.clear(bits);
            }
            if !all_colors {
                self.attached = None;
            }
        }
        Ok(())
    }

    /// BLIT of colour: the source box is copied into a texture of its own with
    /// `glCopyTexSubImage2D`, which is drawn as a quad over the destination box with the
    /// blit's filter, scissor and colour mask. Depth and stencil blits are refused: ES 2.0 can
    /// neither copy nor write them from a shader without extensions the backend does not use.
    pub(in crate::gl) fn blit_es2(&mut self, scene: Scene<'_>, blit: &Blit) -> Result<()> {
        if blit.mask.intersects(BlitMask::Z | BlitMask::S) {
            return Err(gl_err(
                "blit",
                "depth or stencil blits on an OpenGL ES 2.0 host are not supported",
            ));
        }
        self.attached = None;
        if self.quad_blit.is_none() {
            self.quad_blit = Some(QuadBlit::new(&self.gl)?);
        }
        let src = scene.resources.get(&blit.src.resource).expect("validated");
        let dst = scene.resources.get(&blit.dst.resource).expect("validated");
        let (
            Storage::Texture {
                texture: st,
                target: stt,
                format: sf,
            },
            Storage::Texture {
                texture: dt,
                target: dtt,
                ..
            },
        ) = (self.storage(src.id)?, self.storage(dst.id)?)
        else {
            return Err(gl_err("blit", "blit of a buffer"));
        };
        let (st, stt, sf, dt, dtt) = (*st, *stt, *sf, *dt, *dtt);
        let (sr, sflip) = rect(
            blit.src.region.x,
            blit.src.region.y,
            blit.src.region.w,
            blit.src.region.h,
        );
        let (dr, dflip) = rect(
            blit.dst.region.x,
            blit.dst.region.y,
            blit.dst.region.w,
            blit.dst.region.h,
        );
        let quad = self.quad_blit.as_ref().expect("made above");
        let g = &self.gl.gl;
        let attach = |texture, target, level: u32, z: u32| {
            // SAFETY: the context is current with a framebuffer of ours bound; the level and
            // layer were validated.
            unsafe {
                match target {
                    glow::TEXTURE_CUBE_MAP => g.framebuffer_texture_2d(
                        glow::FRAMEBUFFER,
                        glow::COLOR_ATTACHMENT0,
                        glow::TEXTURE_CUBE_MAP_POSITIVE_X + z,
                        Some(texture),
                        level as i32,
                    ),
                    glow::TEXTURE_3D => self.gl.es2.framebuffer_texture_3d(
                        glow::COLOR_ATTACHMENT0,
                        Some(texture),
                        level as i32,
                        z as i32,
                    ),
                    _ => g.framebuffer_texture_2d(
                        glow::FRAMEBUFFER,
                        glow::COLOR_ATTACHMENT0,
                        target,
                        Some(texture),
                        level as i32,
                    ),
                }
                for at in [glow::DEPTH_ATTACHMENT, glow::STENCIL_ATTACHMENT] {
                    g.framebuffer_texture_2d(glow::FRAMEBUFFER, at, glow::TEXTURE_2D, None, 0);
                }
                g.check_framebuffer_status(glow::FRAMEBUFFER)
            }
        };
        let layers = blit.src.region.d.max(1);
        // SAFETY: the context is current; the copy texture is made and deleted here, and
        // every object bound is ours.
        unsafe {
            let copy = g.create_texture().map_err(|e| gl_err("glGenTextures", e))?;
            let mut result = Ok(());
            for layer in 0..layers {
                g.bind_framebuffer(glow::FRAMEBUFFER, Some(self.read_fbo));
                let status = attach(st, stt, blit.src.level, blit.src.region.z + layer);
                if status != glow::FRAMEBUFFER_COMPLETE {
                    result = Err(gl_err(
                        "glCopyTexImage2D",
                        format!("the blit source cannot be read (status {status:#x})"),
                    ));
                    break;
                }
                g.active_texture(glow::TEXTURE0);
                g.bind_texture(glow::TEXTURE_2D, Some(copy));
                let internal = if sf.format == glow::BGRA {
                    glow::RGBA
                } else {
                    sf.format
                };
                g.copy_tex_image_2d(glow::TEXTURE_2D, 0, internal, sr[0], sr[1], sr[2], sr[3], 0);
                let filter = match blit.filter {
                    TexFilter::Linear => glow::LINEAR,
                    _ => glow::NEAREST,
                };
                for (p, v) in [
                    (glow::TEXTURE_MIN_FILTER, filter),
                    (glow::TEXTURE_MAG_FILTER, filter),
                    (glow::TEXTURE_WRAP_S, glow::CLAMP_TO_EDGE),
                    (glow::TEXTURE_WRAP_T, glow::CLAMP_TO_EDGE),
                ] {
                    g.tex_parameter_i32(glow::TEXTURE_2D, p, v as i32);
                }
                g.bind_framebuffer(glow::FRAMEBUFFER, Some(self.fbo));
                let status = attach(dt, dtt, blit.dst.level, blit.dst.region.z + layer);
                if status != glow::FRAMEBUFFER_COMPLETE {
                    result = Err(gl_err(
                        "blit",
                        format!("the blit destination cannot be drawn (status {status:#x})"),
                    ));
                    break;
                }
                self.gl.draw_buffers(&[glow::COLOR_ATTACHMENT0]);
                for cap in [
                    glow::BLEND,
                    glow::DEPTH_TEST,
                    glow::STENCIL_TEST,
                    glow::CULL_FACE,
                ] {
                    g.disable(cap);
                }
                if blit.scissor_enable {
                    let sc = blit.scissor;
                    g.enable(glow::SCISSOR_TEST);
                    g.scissor(
                        i32::from(sc.minx),
                        i32::from(sc.miny),
                        i32::from(sc.maxx) - i32::from(sc.minx),
                        i32::from(sc.maxy) - i32::from(sc.miny),
                    );
                } else {
                    g.disable(glow::SCISSOR_TEST);
                }
                g.color_mask(
                    blit.mask.contains(BlitMask::R),
                    blit.mask.contains(BlitMask::G),
                    blit.mask.contains(BlitMask::B),
                    blit.mask.contains(BlitMask::A),
                );
                g.viewport(dr[0], dr[1], dr[2], dr[3]);
                g.use_program(Some(quad.program));
                let (u0, u1) = if sflip[0] != dflip[0] {
                    (1.0, 0.0)
                } else {
                    (0.0, 1.0)
                };
                let (v0, v1) = if sflip[1] != dflip[1] {
                    (1.0, 0.0)
                } else {
                    (0.0, 1.0)
                };
                g.uniform_4_f32(quad.uv_rect.as_ref(), u0, v0, u1, v1);
                g.uniform_1_i32(quad.source.as_ref(), 0);
                g.bind_buffer(glow::ARRAY_BUFFER, Some(quad.corners));
                g.vertex_attrib_pointer_f32(0, 2, glow::FLOAT, false, 8, 0);
                g.enable_vertex_attrib_array(0);
                g.draw_arrays(glow::TRIANGLE_STRIP, 0, 4);
                g.disable_vertex_attrib_array(0);
                g.bind_buffer(glow::ARRAY_BUFFER, None);
            }
            g.bind_texture(glow::TEXTURE_2D, None);
            g.delete_texture(copy);
            g.color_mask(true, true, true, true);
            result?;
        }
        self.programs.invalidate_state();
        self.gl.check("blit (ES 2.0 quad)")
    }

    /// RESOURCE_COPY_REGION through the CPU: buffers are read through a mapping and written
    /// with `glBufferSubData`; textures are read through a framebuffer and uploaded.
    pub(in crate::gl) fn copy_region_es2(
        &mut self,
        scene: Scene<'_>,
        copy: &CopyRegion,
    ) -> Result<()> {
        let src = scene.resources.get(&copy.src_resource).expect("validated");
        let dst = scene.resources.get(&copy.dst_resource).expect("validated");
        let b = copy.src_box;
        let bytes = src
            .desc
            .format
            .box_bytes(b.w, b.h, b.d.max(1))
            .ok_or_else(|| gl_err("copy_region", "the source box has no size in its format"))?;
        let mut data = vec![0u8; bytes as usize];
        crate::backend::Backend::read(self, src, copy.src_level, b, &mut data)?;
        let to = virgl_proto::ccmd::Box3 {
            x: copy.dst_x,
            y: copy.dst_y,
            z: copy.dst_z,
            ..b
        };
        crate::backend::Backend::write(self, dst, copy.dst_level, to, &data)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn blit_boxes_become_positive_rectangles_with_their_mirroring() {
        assert_eq!(super::rect(2, 3, 4, 5), ([2, 3, 4, 5], [false, false]));
        // Gallium mirrors with negative sizes, carried as wrapped u32s.
        assert_eq!(
            super::rect(10, 3, (-4i32) as u32, 5),
            ([6, 3, 4, 5], [true, false])
        );
        assert_eq!(
            super::rect(0, 8, 4, (-8i32) as u32),
            ([0, 0, 4, 8], [false, true])
        );
    }
}
