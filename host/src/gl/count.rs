//! Exact occlusion counts on ES 3.0 and 2.0, which have occlusion queries that say only
//! whether any sample passed, and no storage buffers to count in (ES 3.1+ counts there, see
//! [`crate::shader::count_samples`]).
//!
//! While a counter is active, each draw is first drawn once more into a counting framebuffer:
//! a copy of the depth and stencil buffer as they are before the draw, and a half-float colour
//! target to which every fragment that passes the tests adds 1 (the fragment shader writes 1 to
//! colour 0, blending adds). The same tests on the same values pass the same fragments, so the
//! target's sum is the draw's sample count (single-sample framebuffers; exact up to 2048
//! fragments per pixel per query). The sum is read back when the query ends. ES 3.0 copies
//! depth and stencil with a blit; ES 2.0, which cannot, reads them back and uploads them.

use glow::HasContext;

use super::backend::{gl_err, GlBackend};
use super::format::GlFormat;
use super::texture::Storage;
use crate::backend::Scene;
use crate::error::Result;

/// The suffix-free name of the colour output a counting fragment shader adds when it has
/// none at location 0.
const SAMPLES: &str = "winsys_samples";

/// A counter counting on ES 3.0.
#[derive(Debug)]
pub struct TargetCounter {
    pub key: (u32, u32, u32),
    fbo: glow::Framebuffer,
    /// The half-float target and its size.
    target: Option<(glow::Texture, u32, u32)>,
    /// The target's format: R16F, or RGBA16F where R16F cannot be rendered to.
    target_format: GlFormat,
    /// The copy of the depth/stencil buffer: texture, its format and size.
    depth: Option<(glow::Texture, GlFormat, u32, u32)>,
    /// What targets dropped for a larger one had counted.
    total: u64,
}

/// The fragment shader `fragment` (GLSL ES as the translator wrote it), made to write 1 to
/// colour 0 after everything else; `None` where colour 0 is not a float output.
pub fn count_to_target(fragment: &str) -> Option<String> {
    if fragment.starts_with("#version 100") {
        let colour0 = if fragment.contains("gl_FragData") {
            "gl_FragData[0]"
        } else {
            "gl_FragColor"
        };
        let end = fragment.trim_end().rfind('}')?;
        return Some(format!(
            "{}    {colour0} = vec4(1.0);\n{}",
            &fragment[..end],
            &fragment[end..]
        ));
    }
    let decl = "layout(location = 0) out vec4 ";
    let (text, name) = match fragment.find(decl) {
        Some(at) => {
            let rest = &fragment[at + decl.len()..];
            let name = &rest[..rest.find(';')?];
            (fragment.to_string(), name.to_string())
        }
        None if fragment.contains("layout(location = 0) out ") => return None,
        None => {
            let header_end = fragment.find("// fragment shader translated from TGSI")?;
            (
                format!(
                    "{}{decl}{SAMPLES};\n{}",
                    &fragment[..header_end],
                    &fragment[header_end..]
                ),
                SAMPLES.to_string(),
            )
        }
    };
    let end = text.trim_end().rfind('}')?;
    Some(format!(
        "{}    {name} = vec4(1.0);\n{}",
        &text[..end],
        &text[end..]
    ))
}

impl GlBackend {
    /// Whether occlusion counters count with a counting pass here: ES 3.0 (no storage
    /// buffers), which can blit depth and stencil, where R16F can be rendered to.
    pub(super) fn counts_with_target(&self) -> bool {
        self.gl.version().es
            && self.sample_counter_binding.is_none()
            && self.count_format().is_some()
    }

    /// The format of counting targets: R16F, or RGBA16F, whichever the host renders.
    fn count_format(&self) -> Option<GlFormat> {
        use virgl_proto::format::Format;
        let render = self.caps().v1().render;
        [Format::R16_FLOAT, Format::R16G16B16A16_FLOAT]
            .into_iter()
            .find(|f| render.supports(*f))
            .and_then(|f| self.gl.format(f))
    }

    /// Starts counting for counter `key`.
    pub(super) fn begin_target_counting(&mut self, key: (u32, u32, u32)) -> Result<()> {
        self.end_target_counting()?;
        // SAFETY: the context is current; the framebuffer is new and ours.
        let target_format = self
            .count_format()
            .ok_or_else(|| gl_err("occlusion count", "no half-float render target here"))?;
        let fbo = unsafe { self.gl.gl.create_framebuffer() }
            .map_err(|e| gl_err("glGenFramebuffers", e))?;
        self.counted.remove(&key);
        self.target_counter = Some(TargetCounter {
            key,
            fbo,
            target_format,
            target: None,
            depth: None,
            total: 0,
        });
        Ok(())
    }

    /// Ends counting: the target is summed and the sum kept as the counter's result.
    pub(super) fn end_target_counting(&mut self) -> Result<()> {
        let Some(mut c) = self.target_counter.take() else {
            return Ok(());
        };
        let result = self.harvest(&mut c);
        // SAFETY: the context is current; the objects are ours and no longer used.
        unsafe {
            let g = &self.gl.gl;
            g.delete_framebuffer(c.fbo);
            if let Some((t, ..)) = c.target {
                g.delete_texture(t);
            }
            if let Some((t, ..)) = c.depth {
                g.delete_texture(t);
            }
        }
        result?;
        self.counted.insert(c.key, c.total);
        Ok(())
    }

    /// Adds what the target holds to the total and clears it.
    fn harvest(&self, c: &mut TargetCounter) -> Result<()> {
        let Some((texture, w, h)) = c.target else {
            return Ok(());
        };
        let format = c.target_format;
        let channels = if format.format == glow::RED { 1 } else { 4 };
        let mut bytes = vec![0u8; (w * h * 2 * channels) as usize];
        self.gl.read_through_framebuffer(
            texture,
            glow::TEXTURE_2D,
            &format,
            0,
            virgl_proto::ccmd::Box3 {
                x: 0,
                y: 0,
                z: 0,
                w,
                h,
                d: 1,
            },
            &mut bytes,
        )?;
        c.total += bytes
            .chunks_exact(2 * channels as usize)
            .map(|b| virgl_proto::texel::half(u16::from_le_bytes([b[0], b[1]])) as u64)
            .sum::<u64>();
        self.clear_target(c.fbo, texture);
        Ok(())
    }

    fn clear_target(&self, fbo: glow::Framebuffer, texture: glow::Texture) {
        let g = &self.gl.gl;
        let at = self.gl.draw_target();
        // SAFETY: the context is current; both objects are ours.
        unsafe {
            g.bind_framebuffer(at, Some(fbo));
            g.framebuffer_texture_2d(
                at,
                glow::COLOR_ATTACHMENT0,
                glow::TEXTURE_2D,
                Some(texture),
                0,
            );
            self.gl.draw_buffers(&[glow::COLOR_ATTACHMENT0]);
            g.disable(glow::SCISSOR_TEST);
            g.color_mask(true, true, true, true);
            g.clear_color(0.0, 0.0, 0.0, 0.0);
            g.clear(glow::COLOR_BUFFER_BIT);
        }
    }

    /// Binds the counting framebuffer for the scene's next draw: a target at least the size of
    /// the scene's framebuffer, and the depth/stencil buffer copied as it is now. The scene's
    /// own framebuffer must be bound (as the draw framebuffer).
    pub(super) fn bind_counting_framebuffer(&mut self, scene: Scene<'_>) -> Result<()> {
        let Some(mut c) = self.target_counter.take() else {
            return Ok(());
        };
        let result = self.prepare(scene, &mut c);
        self.target_counter = Some(c);
        result
    }

    fn prepare(&mut self, scene: Scene<'_>, c: &mut TargetCounter) -> Result<()> {
        let fb = &scene.state.framebuffer;
        let surface_of = |h: u32| match scene
            .state
            .objects
            .get(h, virgl_proto::ccmd::ObjectType::Surface)
        {
            Ok(crate::state::Object::Surface(s)) => Some(*s),
            _ => None,
        };
        let size = |s: &virgl_proto::ccmd::Surface| {
            scene.resources.get(&s.resource).map(|r| {
                (
                    (r.desc.width >> s.level).max(1),
                    (r.desc.height >> s.level).max(1),
                )
            })
        };
        let zsurf = fb.zsurf.and_then(surface_of);
        let (w, h) = fb
            .cbufs
            .iter()
            .flatten()
            .filter_map(|h| surface_of(*h))
            .chain(zsurf)
            .filter_map(|s| size(&s))
            .fold((1, 1), |(a, b), (x, y)| (a.max(x), b.max(y)));
        if c.target.is_none_or(|(_, tw, th)| tw < w || th < h) {
            self.harvest(c)?;
            if let Some((t, ..)) = c.target.take() {
                // SAFETY: the context is current; the texture is ours and unused now.
                unsafe { self.gl.gl.delete_texture(t) };
            }
            let t = self.scratch_texture(&c.target_format, w, h)?;
            self.clear_target(c.fbo, t);
            c.target = Some((t, w, h));
        }
        let g = &self.gl.gl;
        let zs = zsurf.and_then(|s| {
            let res = scene.resources.get(&s.resource)?;
            match self.storage.get(&res.id) {
                Some(Storage::Texture { format, .. }) => Some((*format, size(&s)?)),
                _ => None,
            }
        });
        // ES 2.0 cannot blit depth or stencil: they are read back now and uploaded below.
        let depth_bytes = match (self.gl.es2(), zsurf, zs) {
            (true, Some(s), Some((_, (zw, zh)))) => {
                let res = scene.resources.get(&s.resource).expect("found above");
                let whole = virgl_proto::ccmd::Box3 {
                    x: 0,
                    y: 0,
                    z: u32::from(s.layers.first),
                    w: zw,
                    h: zh,
                    d: 1,
                };
                let bytes = res.desc.format.box_bytes(zw, zh, 1).unwrap_or(0);
                let mut data = vec![0u8; bytes as usize];
                self.gl
                    .download(self.storage(res.id)?, res, s.level, whole, &mut data)?;
                Some((res, data))
            }
            _ => None,
        };
        if let Some((format, (zw, zh))) = zs {
            let fits = c.depth.is_some_and(|(_, f, dw, dh)| {
                f.internal == format.internal && dw == zw && dh == zh
            });
            if !fits {
                if let Some((t, ..)) = c.depth.take() {
                    // SAFETY: as above.
                    unsafe { g.delete_texture(t) };
                }
                let t = self.scratch_texture(&format, zw, zh)?;
                c.depth = Some((t, format, zw, zh));
            }
        }
        let (target, ..) = c.target.expect("made above");
        let attachments: &[u32] = match zs {
            Some((format, _)) => self.gl.attachments(&format),
            None => &[],
        };
        if let (Some((res, data)), Some((t, format, zw, zh))) = (&depth_bytes, c.depth) {
            let scratch = Storage::Texture {
                texture: t,
                target: glow::TEXTURE_2D,
                format,
            };
            let whole = virgl_proto::ccmd::Box3 {
                x: 0,
                y: 0,
                z: 0,
                w: zw,
                h: zh,
                d: 1,
            };
            self.gl.upload(&scratch, res, 0, whole, data)?;
        }
        let draw_at = self.gl.draw_target();
        // SAFETY: the context is current; the scene's framebuffer is bound for drawing, the
        // counting one is ours, and both depth/stencil textures have one format and size.
        unsafe {
            if !self.gl.es2() {
                g.bind_framebuffer(glow::READ_FRAMEBUFFER, Some(self.fbo));
            }
            g.bind_framebuffer(draw_at, Some(c.fbo));
            g.framebuffer_texture_2d(
                draw_at,
                glow::COLOR_ATTACHMENT0,
                glow::TEXTURE_2D,
                Some(target),
                0,
            );
            for at in [glow::DEPTH_ATTACHMENT, glow::STENCIL_ATTACHMENT] {
                g.framebuffer_texture_2d(draw_at, at, glow::TEXTURE_2D, None, 0);
            }
            if let (Some((t, _, zw, zh)), false) = (c.depth, attachments.is_empty()) {
                for &at in attachments {
                    g.framebuffer_texture_2d(draw_at, at, glow::TEXTURE_2D, Some(t), 0);
                }
                let bits = if attachments[0] == glow::DEPTH_STENCIL_ATTACHMENT {
                    glow::DEPTH_BUFFER_BIT | glow::STENCIL_BUFFER_BIT
                } else {
                    glow::DEPTH_BUFFER_BIT
                };
                if !self.gl.es2() {
                    g.disable(glow::SCISSOR_TEST);
                    let (zw, zh) = (zw as i32, zh as i32);
                    g.blit_framebuffer(0, 0, zw, zh, 0, 0, zw, zh, bits, glow::NEAREST);
                }
            }
            if !self.gl.es2() {
                g.bind_framebuffer(glow::READ_FRAMEBUFFER, None);
            }
            self.gl.draw_buffers(&[glow::COLOR_ATTACHMENT0]);
            let status = g.check_framebuffer_status(draw_at);
            if status != glow::FRAMEBUFFER_COMPLETE {
                return Err(gl_err(
                    "occlusion count",
                    format!("the counting framebuffer is incomplete: {status:#x}"),
                ));
            }
        }
        self.gl.check("occlusion count (copy of depth and stencil)")
    }

    /// Sets what a counting draw needs after the scene's state: colour 0 written whole and
    /// added to.
    pub(super) fn counting_state(&self) {
        let g = &self.gl.gl;
        // SAFETY: the context is current; plain state.
        unsafe {
            g.color_mask(true, true, true, true);
            g.enable(glow::BLEND);
            g.blend_func_separate(glow::ONE, glow::ONE, glow::ONE, glow::ONE);
            g.blend_equation_separate(glow::FUNC_ADD, glow::FUNC_ADD);
        }
    }

    fn scratch_texture(&self, format: &GlFormat, w: u32, h: u32) -> Result<glow::Texture> {
        let g = &self.gl.gl;
        // SAFETY: the context is current; the texture is new and ours.
        unsafe {
            let t = g.create_texture().map_err(|e| gl_err("glGenTextures", e))?;
            g.bind_texture(glow::TEXTURE_2D, Some(t));
            if self.gl.es2() {
                g.tex_image_2d(
                    glow::TEXTURE_2D,
                    0,
                    format.internal as i32,
                    w as i32,
                    h as i32,
                    0,
                    format.format,
                    format.ty,
                    glow::PixelUnpackData::Slice(None),
                );
            } else {
                g.tex_storage_2d(glow::TEXTURE_2D, 1, format.internal, w as i32, h as i32);
            }
            g.bind_texture(glow::TEXTURE_2D, None);
            self.gl.check("glTexStorage2D (occlusion count)")?;
            Ok(t)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::count_to_target;

    #[test]
    fn counting_shaders_write_one_to_colour_0_last() {
        let fs = "#version 300 es\nprecision highp float;\n// fragment shader translated from TGSI\n\nlayout(location = 0) out vec4 out0;\n\nvoid main()\n{\n    out0 = vec4(0.5);\n}\n";
        let counted = count_to_target(fs).unwrap();
        assert!(
            counted.ends_with("    out0 = vec4(0.5);\n    out0 = vec4(1.0);\n}\n"),
            "{counted}"
        );
        let depth_only =
            "#version 300 es\n// fragment shader translated from TGSI\n\nvoid main()\n{\n}\n";
        let counted = count_to_target(depth_only).unwrap();
        assert!(
            counted.contains("layout(location = 0) out vec4 winsys_samples;\n// fragment"),
            "{counted}"
        );
        assert!(
            counted.contains("    winsys_samples = vec4(1.0);\n}"),
            "{counted}"
        );
        let integer = "#version 300 es\n// fragment shader translated from TGSI\nlayout(location = 0) out uvec4 out0;\nvoid main()\n{\n}\n";
        assert_eq!(count_to_target(integer), None);
    }
}
