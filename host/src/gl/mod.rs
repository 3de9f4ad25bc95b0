//! The GL backend: every GL and EGL call of the renderer lives under this module, so a GLES
//! backend and a context handed in by QEMU fit beside the desktop one. Each `unsafe` block says
//! why it is sound.

mod backend;
pub mod compute;
mod convert;
mod count;
mod draw;
mod es2;
mod extra;
pub mod format;
pub mod platform;
pub mod probe;
mod query;
mod rewrite;
mod texture;

use glow::HasContext;

use crate::error::{Error, Result};
pub use backend::GlBackend;
pub use draw::MAX_DRAW_VERTICES;
pub use platform::{Api, EglContext, EglDisplay, GlContext};

/// What a live context is, read from it rather than assumed from what was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// OpenGL ES rather than desktop GL.
    pub es: bool,
    pub major: u32,
    pub minor: u32,
    /// `GL_VERSION`, `GL_RENDERER` and `GL_SHADING_LANGUAGE_VERSION` as the driver spells them.
    pub version: String,
    pub renderer: String,
    pub glsl: String,
}

impl Version {
    /// Parses `GL_VERSION`: `4.5 (Core Profile) Mesa 22.3.6` or `OpenGL ES 3.2 Mesa 22.3.6`.
    pub fn parse(version: &str) -> Option<(bool, u32, u32)> {
        let (es, rest) = match version.strip_prefix("OpenGL ES ") {
            Some(rest) => (true, rest),
            None => (false, version),
        };
        let number = rest.split([' ', '-']).next()?;
        let mut parts = number.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some((es, major, minor))
    }
}

/// The OpenGL ES extensions the backend uses where ES lacks a desktop feature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EsFeatures {
    /// What shaders may enable.
    pub shader: crate::shader::EsExtensions,
    /// `GL_EXT_depth_clamp`.
    pub depth_clamp: bool,
    /// `GL_OES_texture_view` or `GL_EXT_texture_view`.
    pub texture_view: bool,
    /// `GL_EXT_disjoint_timer_query`: `TIME_ELAPSED` and `TIMESTAMP` queries.
    pub timer_query: bool,
    /// `GL_EXT_sRGB_write_control`: `GL_FRAMEBUFFER_SRGB_EXT` switches sRGB encoding.
    pub srgb_write_control: bool,
    /// `GL_OES_draw_buffers_indexed` or EXT: blend state per draw buffer below ES 3.2.
    pub indexed_blend: bool,
    /// `GL_EXT_occlusion_query_boolean`: occlusion predicates on ES 2.0 (core in ES 3.0).
    pub occlusion_query: bool,
}

/// Limits probed from a live context; caps v1/v2 report them to guests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `GL_MAX_TEXTURE_SIZE`.
    pub max_texture_size: u32,
    /// `GL_MAX_SAMPLES`.
    pub max_samples: u32,
}

/// A GL context made current on this thread, with its entry points.
pub struct Gl {
    gl: glow::Context,
    extra: extra::GlExtra,
    es2: es2::Es2Entry,
    version: Version,
    es_extensions: EsFeatures,
    // Dropped after `gl`: the entry points belong to this context.
    context: Box<dyn GlContext>,
}

impl Gl {
    /// Makes a context of `api` on `display`, makes it current and loads GL through it.
    pub fn new(display: &EglDisplay, api: Api) -> Result<Gl> {
        Gl::on_context(Box::new(display.create_context(api, None)?))
    }

    /// Makes `context` current and loads GL through it; what it is (desktop or ES, which
    /// version) is read from it.
    pub fn on_context(context: Box<dyn GlContext>) -> Result<Gl> {
        context.make_current()?;
        // SAFETY: every pointer comes from the context's own loader, which stays valid while
        // the context (kept beside `gl` in the result) lives; glow only calls them with the
        // signatures GL defines, while the context is current.
        let gl = unsafe { glow::Context::from_loader_function(|name| context.proc_address(name)) };
        // SAFETY: the context is current on this thread and the strings are valid GL enums.
        let (version, renderer, glsl) = unsafe {
            (
                gl.get_parameter_string(glow::VERSION),
                gl.get_parameter_string(glow::RENDERER),
                gl.get_parameter_string(glow::SHADING_LANGUAGE_VERSION),
            )
        };
        let (es, major, minor) = Version::parse(&version).ok_or_else(|| Error::Gl {
            call: "glGetString(GL_VERSION)",
            detail: format!("unparsable version {version:?}"),
        })?;
        let ext = |name: &str| es && gl.supported_extensions().contains(name);
        let extra = extra::GlExtra::load(|name| context.proc_address(name), es, ext);
        let es2 = if es && major < 3 {
            es2::Es2Entry::load(|name| context.proc_address(name), ext)
        } else {
            es2::Es2Entry::default()
        };
        let es_extensions = EsFeatures {
            shader: crate::shader::EsExtensions {
                clip_cull_distance: ext("GL_EXT_clip_cull_distance"),
                noperspective: ext("GL_NV_shader_noperspective_interpolation"),
                geometry_shader: ext("GL_EXT_geometry_shader"),
                texture_buffer: ext("GL_EXT_texture_buffer"),
                gpu_shader5: ext("GL_EXT_gpu_shader5"),
                multisample_interpolation: ext("GL_OES_shader_multisample_interpolation"),
                standard_derivatives: ext("GL_OES_standard_derivatives"),
                draw_buffers: ext("GL_EXT_draw_buffers"),
                frag_depth: ext("GL_EXT_frag_depth"),
                texture_3d: ext("GL_OES_texture_3D"),
                shader_texture_lod: ext("GL_EXT_shader_texture_lod"),
            },
            depth_clamp: ext("GL_EXT_depth_clamp"),
            texture_view: ext("GL_OES_texture_view") || ext("GL_EXT_texture_view"),
            timer_query: ext("GL_EXT_disjoint_timer_query"),
            srgb_write_control: ext("GL_EXT_sRGB_write_control"),
            indexed_blend: ext("GL_OES_draw_buffers_indexed") || ext("GL_EXT_draw_buffers_indexed"),
            occlusion_query: ext("GL_EXT_occlusion_query_boolean"),
        };
        Ok(Gl {
            gl,
            extra,
            es2,
            es_extensions,
            version: Version {
                es,
                major,
                minor,
                version,
                renderer,
                glsl,
            },
            context,
        })
    }

    /// How this context holds `format` ([`format::gl_format`], or [`format::gl_format_es`] on
    /// OpenGL ES).
    pub fn format(&self, f: virgl_proto::format::Format) -> Option<format::GlFormat> {
        if self.es2() {
            format::gl_format_es2(f)
        } else if self.version.es {
            format::gl_format_es(f)
        } else {
            format::gl_format(f)
        }
    }

    /// The GL target a resource of target `t` is stored as: ES has no 1D or rectangle
    /// textures, so they are 2D ones (1D arrays 2D arrays) there, and the translator samples
    /// them so ([`crate::shader::Target::Es`]).
    pub fn texture_target(&self, t: virgl_proto::pipe::TextureTarget, samples: u32) -> u32 {
        match convert::texture_target(t, samples) {
            glow::TEXTURE_1D | glow::TEXTURE_RECTANGLE if self.version.es => glow::TEXTURE_2D,
            glow::TEXTURE_1D_ARRAY if self.version.es => glow::TEXTURE_2D_ARRAY,
            target => target,
        }
    }

    /// The ES extensions the backend uses (none on desktop GL).
    pub fn es_extensions(&self) -> EsFeatures {
        self.es_extensions
    }

    /// The GLSL dialect shaders are translated to for this context: desktop GLSL 3.30 and
    /// later, or the context's own GLSL ES version.
    pub fn shader_target(&self) -> crate::shader::Target {
        if self.version.es {
            crate::shader::Target::Es {
                // An ES 2.0 context speaks GLSL ES 1.00 whatever its minor version.
                version: match self.version.major {
                    2 => 100,
                    _ => self.version.major * 100 + self.version.minor * 10,
                },
                ext: self.es_extensions.shader,
            }
        } else {
            crate::shader::Target::Desktop330
        }
    }

    /// Whether samplers clamp to a border colour: desktop GL, ES 3.2, or ES with
    /// `GL_EXT_texture_border_clamp` / `GL_OES_texture_border_clamp` (whose enums are the
    /// desktop ones).
    pub fn border_clamp(&self) -> bool {
        let v = &self.version;
        !v.es
            || (v.major, v.minor) >= (3, 2)
            || self
                .gl
                .supported_extensions()
                .contains("GL_EXT_texture_border_clamp")
            || self
                .gl
                .supported_extensions()
                .contains("GL_OES_texture_border_clamp")
    }

    /// Whether geometry shaders run: desktop GL 3.2, ES 3.2, or ES 3.1 with
    /// `GL_EXT_geometry_shader`.
    pub fn geometry_shaders(&self) -> bool {
        let v = &self.version;
        (v.major, v.minor) >= (3, 2) || self.es_extensions.shader.geometry_shader
    }

    /// Whether sampler views of buffers are buffer textures (`glTexBufferRange`): desktop
    /// GL 4.3, ES 3.2, or ES 3.1 with `GL_EXT_texture_buffer`.
    pub fn texture_buffers(&self) -> bool {
        let v = &self.version;
        (v.major, v.minor) >= if v.es { (3, 2) } else { (4, 3) }
            || self.es_extensions.shader.texture_buffer
    }

    /// Whether whole layered textures attach to framebuffers (`glFramebufferTexture`):
    /// desktop GL 3.2 and ES 3.2.
    pub fn layered(&self) -> bool {
        let v = &self.version;
        (v.major, v.minor) >= (3, 2) || self.es_extensions.shader.geometry_shader
    }

    /// Whether `GL_FRAMEBUFFER_SRGB` switches sRGB encoding off: desktop GL, and ES with
    /// `GL_EXT_sRGB_write_control` (same enum); elsewhere sRGB surfaces always encode.
    pub fn srgb_write_control(&self) -> bool {
        !self.version.es || self.es_extensions.srgb_write_control
    }

    /// Switches sRGB encoding of writes to sRGB attachments (`GL_FRAMEBUFFER_SRGB`), where the
    /// context can ([`Gl::srgb_write_control`]); elsewhere they always encode.
    ///
    /// # Safety
    /// The context must be current.
    pub(crate) unsafe fn framebuffer_srgb(&self, on: bool) {
        match (self.srgb_write_control(), on) {
            (false, _) => {}
            (true, true) => self.gl.enable(glow::FRAMEBUFFER_SRGB),
            (true, false) => self.gl.disable(glow::FRAMEBUFFER_SRGB),
        }
    }

    /// Whether blend state and colour masks can be set per draw buffer (`glEnablei`,
    /// `glColorMaski`, `glBlendFunci`): desktop GL, ES from 3.2, and ES with
    /// `GL_OES_draw_buffers_indexed` (or EXT).
    pub fn indexed_blend(&self) -> bool {
        self.core_indexed_blend() || self.extra.has_indexed_blend()
    }

    fn core_indexed_blend(&self) -> bool {
        let v = &self.version;
        !v.es || (v.major, v.minor) >= (3, 2)
    }

    /// `glColorMaski(i, ...)`, or `glColorMask` where there is no per-buffer mask.
    ///
    /// # Safety
    /// The context must be current.
    pub(crate) unsafe fn color_mask(&self, i: u32, r: bool, g: bool, b: bool, a: bool) {
        if self.core_indexed_blend() {
            self.gl.color_mask_draw_buffer(i, r, g, b, a)
        } else if self.extra.has_indexed_blend() {
            self.extra.color_mask_i(i, r, g, b, a)
        } else {
            self.gl.color_mask(r, g, b, a)
        }
    }

    /// Blending of draw buffer `i`: on or off, factors and equations.
    ///
    /// # Safety
    /// The context must be current and [`Gl::indexed_blend`] true.
    pub(crate) unsafe fn blend_i(&self, i: u32, on: bool, factors: [u32; 4], equations: [u32; 2]) {
        let [src, dst, src_a, dst_a] = factors;
        let [rgb, alpha] = equations;
        if self.core_indexed_blend() {
            if on {
                self.gl.enable_draw_buffer(glow::BLEND, i);
            } else {
                self.gl.disable_draw_buffer(glow::BLEND, i);
            }
            self.gl
                .blend_func_separate_draw_buffer(i, src, dst, src_a, dst_a);
            self.gl.blend_equation_separate_draw_buffer(i, rgb, alpha);
        } else {
            self.extra.set_i(glow::BLEND, i, on);
            self.extra.blend_func_separate_i(i, src, dst, src_a, dst_a);
            self.extra.blend_equation_separate_i(i, rgb, alpha);
        }
    }

    /// Whether this is an OpenGL ES 2.0 context: no texture storage, samplers, UBOs, vertex
    /// array objects, integer shaders, `glClearBuffer` or `glBlitFramebuffer`, so the backend
    /// takes the older path for each.
    pub fn es2(&self) -> bool {
        self.version.es && self.version.major < 3
    }

    /// The framebuffer attachment points a texture of `format` is attached at: ES 2.0 has no
    /// `GL_DEPTH_STENCIL_ATTACHMENT`, so a depth-stencil texture goes to both points there.
    pub(crate) fn attachments(&self, format: &format::GlFormat) -> &'static [u32] {
        match format.attachment() {
            glow::DEPTH_STENCIL_ATTACHMENT if self.es2() => {
                &[glow::DEPTH_ATTACHMENT, glow::STENCIL_ATTACHMENT]
            }
            glow::DEPTH_STENCIL_ATTACHMENT => &[glow::DEPTH_STENCIL_ATTACHMENT],
            glow::DEPTH_ATTACHMENT => &[glow::DEPTH_ATTACHMENT],
            _ => &[glow::COLOR_ATTACHMENT0],
        }
    }

    /// `glDrawBuffers` of the bound framebuffer. ES 2.0 has it as `GL_EXT_draw_buffers`; without
    /// that, only colour 0 is drawn, whatever is asked.
    pub(crate) unsafe fn draw_buffers(&self, buffers: &[u32]) {
        if !self.es2() {
            self.gl.draw_buffers(buffers);
        } else {
            self.es2.draw_buffers(buffers);
        }
    }

    /// `glReadBuffer` of the bound framebuffer. ES 2.0 has it as `GL_NV_read_buffer`; without
    /// that, colour 0 is read.
    pub(crate) unsafe fn select_read_buffer(&self, buffer: u32) {
        if !self.es2() {
            self.gl.read_buffer(buffer);
        } else {
            self.es2.read_buffer(buffer);
        }
    }

    /// The framebuffer binding point draws use: ES 2.0 has one framebuffer binding only.
    pub(crate) fn draw_target(&self) -> u32 {
        if self.es2() {
            glow::FRAMEBUFFER
        } else {
            glow::DRAW_FRAMEBUFFER
        }
    }

    /// The framebuffer binding point reads use ([`Gl::draw_target`]).
    pub(crate) fn read_target(&self) -> u32 {
        if self.es2() {
            glow::FRAMEBUFFER
        } else {
            glow::READ_FRAMEBUFFER
        }
    }

    /// What the context is.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// Makes the context current again (after another was).
    pub fn make_current(&self) -> Result<()> {
        self.context.make_current()
    }

    /// Queries the limits guests are told about.
    pub fn limits(&self) -> Result<Limits> {
        // SAFETY: the context is current; both are integer queries every GL 3+ / GLES 3+ has
        // (ES 2.0 has no multisampling at all, and no MAX_SAMPLES).
        let (tex, samples) = unsafe {
            (
                self.gl.get_parameter_i32(glow::MAX_TEXTURE_SIZE),
                if self.es2() {
                    1
                } else {
                    self.gl.get_parameter_i32(glow::MAX_SAMPLES)
                },
            )
        };
        self.check("glGetIntegerv(MAX_TEXTURE_SIZE, MAX_SAMPLES)")?;
        let positive = |v: i32, what: &str| {
            u32::try_from(v).map_err(|_| Error::Gl {
                call: "glGetIntegerv",
                detail: format!("{what} is {v}"),
            })
        };
        Ok(Limits {
            max_texture_size: positive(tex, "MAX_TEXTURE_SIZE")?,
            max_samples: positive(samples, "MAX_SAMPLES")?,
        })
    }

    /// What guests may create here (see [`crate::resource::check_create`]): sizes probed, and
    /// features decided by the context's version and extensions, as virglrenderer's feature
    /// table does.
    pub fn resource_limits(&self) -> Result<crate::resource::Limits> {
        // SAFETY: the context is current; all three are integer queries of GL 3+ / GLES 3+.
        let (tex2d, tex3d, cube) = unsafe {
            (
                self.gl.get_parameter_i32(glow::MAX_TEXTURE_SIZE),
                // ES 2.0 has 3D textures only with GL_OES_texture_3D (same enum).
                if self.es2() && !self.es_extensions.shader.texture_3d {
                    0
                } else {
                    self.gl.get_parameter_i32(glow::MAX_3D_TEXTURE_SIZE)
                },
                self.gl.get_parameter_i32(glow::MAX_CUBE_MAP_TEXTURE_SIZE),
            )
        };
        self.check("glGetIntegerv(MAX_*_TEXTURE_SIZE)")?;
        let size = |v: i32| u32::try_from(v).unwrap_or(0);
        let v = &self.version;
        let at_least =
            |gl: (u32, u32), es: (u32, u32)| (v.major, v.minor) >= if v.es { es } else { gl };
        let ext = |name: &str| self.gl.supported_extensions().contains(name);
        Ok(crate::resource::Limits {
            max_texture_2d_size: size(tex2d),
            max_texture_3d_size: size(tex3d),
            max_texture_cube_size: size(cube),
            multisample: at_least((3, 2), (3, 1)),
            texture_array: at_least((3, 0), (3, 0)),
            cube_map_array: at_least((4, 0), (3, 2))
                || ext("GL_ARB_texture_cube_map_array")
                || ext("GL_EXT_texture_cube_map_array")
                || ext("GL_OES_texture_cube_map_array"),
            // Query results are written into buffers by the CPU (GET_QUERY_RESULT_QBO).
            query_buffer: true,
            indirect_draw: at_least((4, 0), (3, 1)),
        })
    }

    /// Compiles a vertex and a fragment shader from GLSL source and links them into a program,
    /// then deletes it. An error carries the stage and GL's info log.
    pub fn compile_program(&self, vs: &str, fs: &str) -> Result<(), String> {
        self.compile_program_with(vs, None, fs)
    }

    /// [`Gl::compile_program`] with a geometry shader between the two, if `gs` is given.
    pub fn compile_program_with(&self, vs: &str, gs: Option<&str>, fs: &str) -> Result<(), String> {
        let program = self.link(vs, gs, fs, &[])?;
        program.delete(self);
        Ok(())
    }

    /// Fails with the first pending GL error, naming `call`.
    fn check(&self, call: &'static str) -> Result<()> {
        // SAFETY: glGetError takes no arguments; the context is current.
        match unsafe { self.gl.get_error() } {
            glow::NO_ERROR => Ok(()),
            e => Err(Error::Gl {
                call,
                detail: format!("GL error {e:#x}"),
            }),
        }
    }
}

/// Serializes the tests that open the EGL display: `eglTerminate` on one thread ends the
/// display for every other (EGL 1.5 displays are per process and not reference counted).
#[cfg(test)]
pub(crate) fn egl_test_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_as_drivers_write_them() {
        assert_eq!(
            Version::parse("4.5 (Core Profile) Mesa 22.3.6"),
            Some((false, 4, 5))
        );
        assert_eq!(
            Version::parse("OpenGL ES 3.2 Mesa 22.3.6"),
            Some((true, 3, 2))
        );
        assert_eq!(Version::parse("3.0-compat"), Some((false, 3, 0)));
        assert_eq!(Version::parse("OpenGL ES"), None);
        assert_eq!(Version::parse(""), None);
    }

    /// A 4x4 RGBA8 framebuffer object cleared to one colour, then a scissored clear of the
    /// bottom-left 2x1 pixels to another; returns the pixels as glReadPixels gives them
    /// (GL's row 0 is the bottom row).
    fn clear_and_read(gl: &Gl) -> Vec<u8> {
        let g = &gl.gl;
        let mut pixels = vec![0u8; 4 * 4 * 4];
        // SAFETY: the context is current; every object is created, used and deleted here, and
        // the read buffer holds exactly 4x4 RGBA8 pixels.
        unsafe {
            let tex = g.create_texture().unwrap();
            g.bind_texture(glow::TEXTURE_2D, Some(tex));
            g.tex_storage_2d(glow::TEXTURE_2D, 1, glow::RGBA8, 4, 4);
            let fbo = g.create_framebuffer().unwrap();
            g.bind_framebuffer(glow::FRAMEBUFFER, Some(fbo));
            g.framebuffer_texture_2d(
                glow::FRAMEBUFFER,
                glow::COLOR_ATTACHMENT0,
                glow::TEXTURE_2D,
                Some(tex),
                0,
            );
            assert_eq!(
                g.check_framebuffer_status(glow::FRAMEBUFFER),
                glow::FRAMEBUFFER_COMPLETE
            );
            g.viewport(0, 0, 4, 4);
            g.clear_color(1.0, 0.6, 0.2, 1.0);
            g.clear(glow::COLOR_BUFFER_BIT);
            g.enable(glow::SCISSOR_TEST);
            g.scissor(0, 0, 2, 1);
            g.clear_color(0.0, 0.0, 1.0, 1.0);
            g.clear(glow::COLOR_BUFFER_BIT);
            g.disable(glow::SCISSOR_TEST);
            g.read_pixels(
                0,
                0,
                4,
                4,
                glow::RGBA,
                glow::UNSIGNED_BYTE,
                glow::PixelPackData::Slice(Some(&mut pixels)),
            );
            g.delete_framebuffer(fbo);
            g.delete_texture(tex);
        }
        gl.check("clear and read an RGBA8 framebuffer").unwrap();
        pixels
    }

    fn expected() -> Vec<u8> {
        (0..16)
            .flat_map(|i| {
                if i < 2 {
                    [0, 0, 255, 255]
                } else {
                    [255, 153, 51, 255]
                }
            })
            .collect()
    }

    #[test]
    fn desktop_and_es_contexts_render_and_read_back() {
        let _lock = egl_test_lock();
        let display = match EglDisplay::open() {
            Ok(d) => d,
            Err(e) => {
                eprintln!("skip: no surfaceless EGL display here: {e}");
                return;
            }
        };
        let core = Gl::new(&display, Api::GlCore { major: 4, minor: 5 }).unwrap();
        let v = core.version().clone();
        assert!(!v.es && (v.major, v.minor) >= (4, 5), "{v:?}");
        assert!(v.version.contains("Core Profile"), "{v:?}");
        assert_eq!(clear_and_read(&core), expected());
        // GL 4.5 requires at least 16384 and 4 (table 23.53, 23.63).
        let l = core.limits().unwrap();
        assert!(l.max_texture_size >= 16384 && l.max_samples >= 4, "{l:?}");
        let r = core.resource_limits().unwrap();
        assert_eq!(r.max_texture_2d_size, l.max_texture_size);
        assert!(
            r.max_texture_3d_size >= 2048 && r.max_texture_cube_size >= 16384,
            "{r:?}"
        );
        assert!(
            r.multisample
                && r.texture_array
                && r.cube_map_array
                && r.query_buffer
                && r.indirect_draw,
            "GL 4.5 core has every feature: {r:?}"
        );
        drop(core);

        let es = Gl::new(&display, Api::Gles { major: 3, minor: 0 }).unwrap();
        let v = es.version().clone();
        assert!(v.es && v.major >= 3, "{v:?}");
        assert!(v.glsl.starts_with("OpenGL ES GLSL ES"), "{v:?}");
        assert_eq!(clear_and_read(&es), expected());
        // GLES 3.0 requires at least 2048 and 4.
        let l = es.limits().unwrap();
        assert!(l.max_texture_size >= 2048 && l.max_samples >= 4, "{l:?}");
        let r = es.resource_limits().unwrap();
        assert!(
            r.max_texture_3d_size >= 256 && r.max_texture_cube_size >= 2048,
            "{r:?}"
        );
        if (v.major, v.minor) >= (3, 2) {
            assert!(r.multisample && r.texture_array && r.cube_map_array && r.indirect_draw);
        }
    }
}
