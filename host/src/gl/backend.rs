//! [`GlBackend`]: the renderer's backend on a GL context.
//!
//! One GL context serves every guest context of the process: each draw binds the state of the
//! sub-context it comes from (the renderer's [`crate::state`] is the truth; GL is not queried
//! back). Resources are GL buffers and immutable-storage textures, drawn into through one
//! framebuffer object whose attachments follow the bound surfaces.

use std::collections::HashMap;

use glow::HasContext;
use virgl_proto::ccmd::{
    Blit, Box3, Clear, ClearTexture, CopyRegion, DrawVbo, LaunchGrid, ObjectType, Query,
};
use virgl_proto::pipe::{BlitMask, ClearBuffers, TexFilter};

use super::draw::Programs;
use super::texture::Storage;
use super::{Api, EglDisplay, Gl, GlContext};
use crate::backend::{Backend, Scene};
use crate::error::{Error, Result};
use crate::resource::Resource;
use crate::state::Object;

/// The GL backend.
pub struct GlBackend {
    pub(super) gl: Gl,
    pub(super) storage: HashMap<u32, Storage>,
    pub(super) programs: Programs,
    pub(super) compute: super::compute::ComputePrograms,
    /// The draw framebuffer, re-attached for each command that renders.
    pub(super) fbo: glow::Framebuffer,
    /// The read side of blits.
    pub(super) read_fbo: glow::Framebuffer,
    /// The surfaces `fbo` has attached, while nothing has changed them since.
    pub(super) attached: Option<(u32, u32, crate::state::Framebuffer)>,
    /// On ES 2.0, the program blits draw with, once one has.
    pub(super) quad_blit: Option<super::es2::QuadBlit>,
    /// On ES 2.0, copies of the textures it cannot read back.
    shadows: super::es2::Shadows,
    /// On ES 3.0, the occlusion counter counting with a counting pass, and whether the draw
    /// now running is that pass.
    pub(super) target_counter: Option<super::count::TargetCounter>,
    pub(super) counting_pass: bool,
    /// The vertex array draws use; ES 2.0 has only the default one.
    pub(super) vao: Option<glow::VertexArray>,
    /// Query objects by `(context, sub-context, handle)`.
    pub(super) queries: HashMap<(u32, u32, u32), glow::Query>,
    /// On ES 3.1+: the shader storage binding where fragment shaders count samples for
    /// occlusion counters (`crate::shader::count_samples`), and the query counting now with
    /// its buffer.
    pub(super) sample_counter_binding: Option<u32>,
    pub(super) counting: Option<((u32, u32, u32), glow::Buffer)>,
    /// Occlusion counts so counted, and primitives counted on the CPU, by query.
    pub(super) counted: HashMap<(u32, u32, u32), u64>,
    /// Where ES has no `PRIMITIVES_GENERATED` query (no geometry shaders): the query counting
    /// the primitives of draws on the CPU, and its count so far.
    pub(super) cpu_primitives: Option<((u32, u32, u32), u64)>,
    caps: crate::caps::Caps,
    /// The most vertices one draw may run, instances counted.
    pub(super) max_draw_vertices: u64,
    // Kept alive for the context's lifetime, when the context is one of ours.
    _display: Option<EglDisplay>,
}

impl GlBackend {
    /// Opens the surfaceless EGL display, makes a context of `api` on it and probes what it
    /// can do.
    pub fn new(api: Api) -> Result<GlBackend> {
        let display = EglDisplay::open()?;
        let gl = Gl::new(&display, api)?;
        GlBackend::on_gl(gl, Some(display))
    }

    /// The backend on a context another program made (QEMU's, through the C ABI); it is made
    /// current here and whenever [`GlBackend::make_current`] is called.
    pub fn on_context(context: Box<dyn GlContext>) -> Result<GlBackend> {
        GlBackend::on_gl(Gl::on_context(context)?, None)
    }

    fn on_gl(gl: Gl, display: Option<EglDisplay>) -> Result<GlBackend> {
        let caps = crate::caps::probe(&gl)?;
        let g = &gl.gl;
        let v = gl.version();
        // SAFETY: the context is current; both are integer states of GLES 3.1.
        let sample_counter_binding = if v.es && (v.major, v.minor) >= (3, 1) {
            let (blocks, bindings) = unsafe {
                (
                    g.get_parameter_i32(glow::MAX_FRAGMENT_SHADER_STORAGE_BLOCKS),
                    g.get_parameter_i32(glow::MAX_SHADER_STORAGE_BUFFER_BINDINGS),
                )
            };
            (blocks > 0 && bindings > 0).then(|| bindings as u32 - 1)
        } else {
            None
        };
        // SAFETY: the context was just made current; these objects are new and ours.
        let (fbo, read_fbo, vao) = unsafe {
            let fbo = g
                .create_framebuffer()
                .map_err(|e| gl_err("glGenFramebuffers", e))?;
            let read_fbo = g
                .create_framebuffer()
                .map_err(|e| gl_err("glGenFramebuffers", e))?;
            let vao = if gl.es2() {
                None
            } else {
                let vao = g
                    .create_vertex_array()
                    .map_err(|e| gl_err("glGenVertexArrays", e))?;
                g.bind_vertex_array(Some(vao));
                Some(vao)
            };
            (fbo, read_fbo, vao)
        };
        Ok(GlBackend {
            gl,
            storage: HashMap::new(),
            programs: Programs::default(),
            compute: Default::default(),
            fbo,
            read_fbo,
            attached: None,
            quad_blit: None,
            shadows: Default::default(),
            target_counter: None,
            counting_pass: false,
            vao,
            queries: HashMap::new(),
            sample_counter_binding,
            counting: None,
            counted: HashMap::new(),
            cpu_primitives: None,
            caps,
            max_draw_vertices: super::draw::MAX_DRAW_VERTICES,
            _display: display,
        })
    }

    /// Makes the backend on the highest OpenGL ES context the host gives: EGL returns the
    /// latest version compatible with the one asked for, so 3.0 is asked for, then 2.0.
    pub fn new_gles() -> Result<GlBackend> {
        let backend = match GlBackend::new(Api::Gles { major: 3, minor: 0 }) {
            Err(Error::Egl { .. }) => GlBackend::new(Api::Gles { major: 2, minor: 0 })?,
            other => other?,
        };
        Ok(backend)
    }

    /// Bounds the vertices one draw may run, instances counted (default
    /// [`super::MAX_DRAW_VERTICES`]); a draw asking for more fails its context.
    pub fn set_max_draw_vertices(&mut self, max: u64) {
        self.max_draw_vertices = max;
    }

    /// The context.
    pub fn gl(&self) -> &Gl {
        &self.gl
    }

    /// Makes the backend's context current again, after the program that shares the thread
    /// (QEMU drawing its window) made another one current.
    pub fn make_current(&self) -> Result<()> {
        self.gl.make_current()
    }

    /// Sends the work issued so far to the GPU, so that contexts sharing objects with this one
    /// (QEMU's display) see its results.
    pub fn flush(&self) {
        // SAFETY: the context is current.
        unsafe { self.gl.gl.flush() }
    }

    /// The GL texture name of resource `id`, for a program sharing objects with this context
    /// (`virgl_renderer_resource_get_info`'s `tex_id`); `None` for buffers and unknown ids.
    pub fn texture_name(&self, id: u32) -> Option<u32> {
        match self.storage.get(&id)? {
            super::texture::Storage::Texture { texture, .. } => Some(texture.0.get()),
            super::texture::Storage::Buffer(_) => None,
        }
    }

    /// What guests are told (probed by [`crate::caps`] when the backend was made).
    pub fn caps(&self) -> &crate::caps::Caps {
        &self.caps
    }

    fn forget_queries(&mut self, hit: impl Fn(&(u32, u32, u32)) -> bool) {
        self.counted.retain(|k, _| !hit(k));
        if self.cpu_primitives.is_some_and(|(k, _)| hit(&k)) {
            self.cpu_primitives = None;
        }
        if self.counting.is_some_and(|(k, _)| hit(&k)) {
            if let Some((_, buffer)) = self.counting.take() {
                // SAFETY: the context is current; the counter is ours and counts no more.
                unsafe { self.gl.gl.delete_buffer(buffer) };
            }
        }
        if self.target_counter.as_ref().is_some_and(|c| hit(&c.key)) {
            // Its count is dropped with it; what fails here has no one left to tell.
            let _ = self.end_target_counting();
            self.counted.retain(|k, _| !hit(k));
        }
        let g = &self.gl.gl;
        self.queries.retain(|k, q| {
            let keep = !hit(k);
            if !keep {
                // SAFETY: the context is current; the query is ours and forgotten here.
                unsafe {
                    if self.gl.es2() {
                        self.gl.es2.delete_query(*q)
                    } else {
                        g.delete_query(*q)
                    }
                };
            }
            keep
        });
    }

    pub(super) fn storage(&self, id: u32) -> Result<&Storage> {
        self.storage.get(&id).ok_or(Error::Resource {
            id,
            detail: "has no GL object".into(),
        })
    }

    /// Attaches the surface `handle` of `scene` (a surface or MSAA surface) at `attachment`
    /// of the bound draw framebuffer; returns the surface's format.
    pub(super) fn attach_surface(
        &mut self,
        scene: Scene<'_>,
        fb_target: u32,
        attachment: Option<u32>,
        handle: u32,
    ) -> Result<virgl_proto::format::Format> {
        let surface = match scene.state.objects.get(handle, ObjectType::Surface) {
            Ok(Object::Surface(s)) => *s,
            _ => match scene.state.objects.get(handle, ObjectType::MsaaSurface) {
                Ok(Object::MsaaSurface(m)) => m.surface,
                _ => return Err(gl_err("framebuffer", format!("surface {handle} is gone"))),
            },
        };
        let res = scene
            .resources
            .get(&surface.resource)
            .ok_or(Error::Resource {
                id: surface.resource,
                detail: "bound as a surface but destroyed".into(),
            })?;
        let Storage::Texture {
            texture,
            target,
            format,
        } = self.storage(res.id)?
        else {
            return Err(gl_err(
                "framebuffer",
                format!("surface {handle} is a buffer"),
            ));
        };
        let (mut texture, target, format) = (*texture, *target, *format);
        let mut level = surface.level as i32;
        // A surface of another format than its resource's (an sRGB or linear view of the other)
        // renders through a texture view of its level in that format.
        let view_format = self.gl.format(surface.format);
        // Without texture views (ES below 3.1), a linear surface of an sRGB resource is the
        // texture itself, written without encoding (GL_FRAMEBUFFER_SRGB_EXT off).
        let srgb_twin = |f: &super::format::GlFormat| {
            f.format == format.format
                && f.ty == format.ty
                && f.swap_rb == format.swap_rb
                && surface.format.is_srgb() != res.desc.format.is_srgb()
        };
        let viewless = !self
            .caps
            .v2()
            .capabilities()
            .contains(virgl_proto::caps::CapabilityBits::TEXTURE_VIEW)
            && view_format.as_ref().is_some_and(srgb_twin);
        if let Some(vf) = view_format.filter(|f| f.internal != format.internal && !viewless) {
            let key = (scene.ctx, scene.sub_ctx, handle);
            let view = match self.programs.views.get(&key) {
                Some((v, _)) => *v,
                None => {
                    let layers = match res.desc.target {
                        virgl_proto::pipe::TextureTarget::Texture3D => 1,
                        _ => res.desc.array_size.max(1),
                    };
                    // SAFETY: the context is current; the name is fresh, the original has
                    // immutable storage, and the level exists (checked when the surface was
                    // made).
                    let v = unsafe {
                        let v = self
                            .gl
                            .gl
                            .create_texture()
                            .map_err(|e| gl_err("glGenTextures", e))?;
                        self.gl.extra.texture_view(
                            v,
                            target,
                            texture,
                            vf.internal,
                            surface.level..surface.level + 1,
                            0..layers,
                        );
                        v
                    };
                    self.gl.check("glTextureView (surface)")?;
                    self.programs.views.insert(key, (v, target));
                    v
                }
            };
            texture = view;
            level = 0;
        }
        let attachments = match attachment {
            Some(a) => vec![a],
            None => self.gl.attachments(&format).to_vec(),
        };
        let g = &self.gl.gl;
        let layer = i32::from(surface.layers.first);
        // SAFETY: the context is current, the framebuffer is bound at `fb_target`, and the
        // texture, level and layer were checked against the resource when the surface was made.
        for attachment in attachments {
            unsafe {
                match target {
                    glow::TEXTURE_2D | glow::TEXTURE_RECTANGLE | glow::TEXTURE_2D_MULTISAMPLE => g
                        .framebuffer_texture_2d(
                            fb_target,
                            attachment,
                            target,
                            Some(texture),
                            level,
                        ),
                    glow::TEXTURE_CUBE_MAP => g.framebuffer_texture_2d(
                        fb_target,
                        attachment,
                        glow::TEXTURE_CUBE_MAP_POSITIVE_X + layer as u32,
                        Some(texture),
                        level,
                    ),
                    glow::TEXTURE_1D => {
                        g.framebuffer_texture(fb_target, attachment, Some(texture), level)
                    }
                    // Layered attachments are GL 3.2's and ES 3.2's.
                    _ if surface.layers.first != surface.layers.last && self.gl.layered() => {
                        g.framebuffer_texture(fb_target, attachment, Some(texture), level)
                    }
                    glow::TEXTURE_3D if self.gl.es2() => {
                        self.gl
                            .es2
                            .framebuffer_texture_3d(attachment, Some(texture), level, layer)
                    }
                    _ => g.framebuffer_texture_layer(
                        fb_target,
                        attachment,
                        Some(texture),
                        level,
                        layer,
                    ),
                }
            }
        }
        Ok(surface.format)
    }

    /// Binds the draw framebuffer with the scene's surfaces.
    pub(super) fn bind_framebuffer(&mut self, scene: Scene<'_>) -> Result<()> {
        let fb = &scene.state.framebuffer;
        let key = (scene.ctx, scene.sub_ctx, fb.clone());
        if self.attached.as_ref() == Some(&key) {
            // SAFETY: the context is current and the framebuffer is ours, with these
            // surfaces still attached.
            unsafe {
                self.gl
                    .gl
                    .bind_framebuffer(self.gl.draw_target(), Some(self.fbo))
            };
            return Ok(());
        }
        self.attached = None;
        let g = &self.gl.gl;
        let fb_target = self.gl.draw_target();
        let depth_stencil: &[u32] = if self.gl.es2() {
            &[glow::DEPTH_ATTACHMENT, glow::STENCIL_ATTACHMENT]
        } else {
            &[glow::DEPTH_STENCIL_ATTACHMENT]
        };
        let colors = self.caps.v1().max_render_targets.clamp(1, 8);
        // SAFETY: the context is current and the framebuffer is ours.
        unsafe {
            g.bind_framebuffer(fb_target, Some(self.fbo));
            // Detached through glFramebufferTexture2D, which every GL and ES has.
            for at in (0..colors).map(|i| glow::COLOR_ATTACHMENT0 + i) {
                g.framebuffer_texture_2d(fb_target, at, glow::TEXTURE_2D, None, 0);
            }
            for &at in depth_stencil {
                g.framebuffer_texture_2d(fb_target, at, glow::TEXTURE_2D, None, 0);
            }
        }
        let mut draw_buffers = Vec::new();
        let mut srgb = false;
        for (i, cbuf) in fb.cbufs.iter().enumerate() {
            match cbuf {
                Some(h) => {
                    let at = glow::COLOR_ATTACHMENT0 + i as u32;
                    let format = self.attach_surface(scene, fb_target, Some(at), *h)?;
                    srgb |= format.is_srgb();
                    draw_buffers.push(at);
                }
                None => draw_buffers.push(glow::NONE),
            }
        }
        if let Some(z) = fb.zsurf {
            self.attach_surface(scene, fb_target, None, z)?;
        }
        let g = &self.gl.gl;
        // SAFETY: the context is current; the list names only colour attachments or NONE.
        unsafe {
            // Gallium encodes to sRGB on sRGB surfaces; GL only when asked.
            self.gl.framebuffer_srgb(srgb);
            self.gl.draw_buffers(&draw_buffers);
            let status = g.check_framebuffer_status(fb_target);
            if status != glow::FRAMEBUFFER_COMPLETE {
                return Err(gl_err(
                    "glCheckFramebufferStatus",
                    format!(
                        "framebuffer {:?} incomplete: {status:#x}",
                        scene.state.framebuffer
                    ),
                ));
            }
        }
        self.attached = Some(key);
        Ok(())
    }

    fn is_integer(&self, scene: Scene<'_>, handle: u32) -> Option<bool> {
        let surface = match scene.state.objects.get(handle, ObjectType::Surface) {
            Ok(Object::Surface(s)) => *s,
            _ => return None,
        };
        match self.gl.format(surface.format)?.kind {
            super::format::Kind::Sint => Some(true),
            super::format::Kind::Uint => Some(false),
            _ => None,
        }
    }
}

pub(super) fn gl_err(call: &'static str, detail: impl Into<String>) -> Error {
    Error::Gl {
        call,
        detail: detail.into(),
    }
}

impl Backend for GlBackend {
    fn capset(&mut self, set: u32) -> Option<Vec<u8>> {
        let (max, _) = crate::caps::Caps::capset_info(set)?;
        self.caps.capset(set, max)
    }

    fn create_resource(&mut self, res: &Resource) -> Result<()> {
        let storage = self.gl.create_storage(res)?;
        self.storage.insert(res.id, storage);
        let v1 = self.caps.v1();
        let f = res.desc.format;
        if self.gl.es2()
            && res.desc.target != virgl_proto::pipe::TextureTarget::Buffer
            && !v1.render.supports(f)
            && !v1.depthstencil.supports(f)
        {
            self.shadows.create(res)?;
        }
        Ok(())
    }

    fn destroy_resource(&mut self, id: u32) {
        self.attached = None;
        self.shadows.remove(id);
        if let Some(s) = self.storage.remove(&id) {
            self.gl.delete_storage(s);
        }
    }

    fn write(&mut self, res: &Resource, level: u32, region: Box3, data: &[u8]) -> Result<()> {
        // A box with no texels moves nothing (and GL's per-face and per-layer paths would
        // divide by its size).
        if region.w == 0 || region.h == 0 || region.d == 0 {
            return Ok(());
        }
        self.gl
            .upload(self.storage(res.id)?, res, level, region, data)?;
        if self.shadows.has(res.id) {
            self.shadows.write(res, level, region, data)?;
        }
        Ok(())
    }

    fn read(&mut self, res: &Resource, level: u32, region: Box3, data: &mut [u8]) -> Result<()> {
        if region.w == 0 || region.h == 0 || region.d == 0 {
            return Ok(());
        }
        if self.shadows.read(res, level, region, data)? {
            return Ok(());
        }
        self.gl
            .download(self.storage(res.id)?, res, level, region, data)
    }

    fn forget_object(&mut self, ctx: u32, sub_ctx: u32, handle: u32) {
        self.attached = None;
        self.programs
            .forget(&self.gl, ctx, Some(sub_ctx), Some(handle));
        self.compute
            .forget(&self.gl, ctx, Some(sub_ctx), Some(handle));
        self.forget_queries(|k| *k == (ctx, sub_ctx, handle));
    }

    fn forget_sub_context(&mut self, ctx: u32, sub_ctx: Option<u32>) {
        self.attached = None;
        self.programs.forget(&self.gl, ctx, sub_ctx, None);
        self.compute.forget(&self.gl, ctx, sub_ctx, None);
        self.forget_queries(|k| k.0 == ctx && sub_ctx.is_none_or(|s| s == k.1));
    }

    fn launch_grid(&mut self, scene: Scene<'_>, grid: &LaunchGrid) -> Result<()> {
        self.dispatch(scene, grid)
    }

    fn memory_barrier(&mut self, barriers: u32) -> Result<()> {
        self.barrier(barriers)
    }

    fn begin_query(&mut self, scene: Scene<'_>, handle: u32, query: &Query) -> Result<()> {
        self.begin(scene, handle, query)
    }

    fn end_query(&mut self, scene: Scene<'_>, handle: u32, query: &Query) -> Result<()> {
        self.end(scene, handle, query)
    }

    fn query_result(
        &mut self,
        scene: Scene<'_>,
        handle: u32,
        _query: &Query,
        index: i32,
        wait: bool,
    ) -> Result<Option<u64>> {
        self.result(scene, handle, index, wait)
    }

    fn clear(&mut self, scene: Scene<'_>, clear: &Clear) -> Result<()> {
        // Gallium clears the bound buffers the bits name; with none of them bound there is
        // nothing to clear, and a framebuffer without attachments is incomplete in GL.
        let fb = &scene.state.framebuffer;
        let colour = fb.cbufs.iter().enumerate().any(|(i, cbuf)| {
            cbuf.is_some() && clear.buffers.contains(ClearBuffers::color(i as u32))
        });
        let depth = fb.zsurf.is_some() && clear.buffers.intersects(ClearBuffers::DEPTHSTENCIL);
        if !colour && !depth {
            return Ok(());
        }
        self.bind_framebuffer(scene)?;
        if self.condition_fails(scene)? {
            return Ok(());
        }
        let began = self.begin_condition(scene)?;
        if self.gl.es2() {
            let result = self.clear_es2(scene, clear);
            self.end_condition(began);
            self.programs.invalidate_state();
            result?;
            return self.gl.check("glClear");
        }
        let g = &self.gl.gl;
        let fb = &scene.state.framebuffer;
        // SAFETY: the context is current with our framebuffer bound; the values are plain
        // arrays of the lengths glClearBuffer reads.
        unsafe {
            g.disable(glow::SCISSOR_TEST);
            g.disable(glow::RASTERIZER_DISCARD);
            for (i, cbuf) in fb.cbufs.iter().enumerate() {
                let Some(h) = cbuf else { continue };
                if !clear.buffers.contains(ClearBuffers::color(i as u32)) {
                    continue;
                }
                self.gl.color_mask(i as u32, true, true, true, true);
                match self.is_integer(scene, *h) {
                    Some(true) => {
                        let v = clear.color.map(|c| c as i32);
                        g.clear_buffer_i32_slice(glow::COLOR, i as u32, &v)
                    }
                    Some(false) => g.clear_buffer_u32_slice(glow::COLOR, i as u32, &clear.color),
                    None => g.clear_buffer_f32_slice(
                        glow::COLOR,
                        i as u32,
                        &clear.color.map(f32::from_bits),
                    ),
                }
            }
            if fb.zsurf.is_some() {
                let depth = clear.buffers.contains(ClearBuffers::DEPTH);
                let stencil = clear.buffers.contains(ClearBuffers::STENCIL);
                g.depth_mask(true);
                g.stencil_mask(0xff);
                if depth && stencil {
                    g.clear_buffer_depth_stencil(
                        glow::DEPTH_STENCIL,
                        0,
                        clear.depth as f32,
                        clear.stencil as i32,
                    );
                } else if depth {
                    g.clear_buffer_f32_slice(glow::DEPTH, 0, &[clear.depth as f32]);
                } else if stencil {
                    g.clear_buffer_i32_slice(glow::STENCIL, 0, &[clear.stencil as i32]);
                }
            }
        }
        self.end_condition(began);
        self.programs.invalidate_state();
        self.gl.check("glClearBuffer")
    }

    fn draw(&mut self, scene: Scene<'_>, draw: &DrawVbo) -> Result<()> {
        self.draw_vbo(scene, draw)
    }

    fn blit(&mut self, scene: Scene<'_>, blit: &Blit) -> Result<()> {
        if self.gl.es2() {
            return self.blit_es2(scene, blit);
        }
        self.attached = None;
        let src = scene.resources.get(&blit.src.resource).expect("validated");
        let dst = scene.resources.get(&blit.dst.resource).expect("validated");
        let g = &self.gl.gl;
        let attach = |fb_target: u32, res: &Resource, level: u32, z: u32, mask: BlitMask| {
            let Storage::Texture {
                texture,
                target,
                format,
                ..
            } = self.storage(res.id)?
            else {
                return Err(gl_err("glBlitFramebuffer", "blit of a buffer"));
            };
            let at = if mask.intersects(BlitMask::RGBA) {
                glow::COLOR_ATTACHMENT0
            } else {
                format.attachment()
            };
            // SAFETY: the context is current; the level and layer were validated.
            unsafe {
                match *target {
                    glow::TEXTURE_2D | glow::TEXTURE_RECTANGLE | glow::TEXTURE_2D_MULTISAMPLE => g
                        .framebuffer_texture_2d(
                            fb_target,
                            at,
                            *target,
                            Some(*texture),
                            level as i32,
                        ),
                    glow::TEXTURE_CUBE_MAP => g.framebuffer_texture_2d(
                        fb_target,
                        at,
                        glow::TEXTURE_CUBE_MAP_POSITIVE_X + z,
                        Some(*texture),
                        level as i32,
                    ),
                    glow::TEXTURE_1D => {
                        g.framebuffer_texture(fb_target, at, Some(*texture), level as i32)
                    }
                    _ => g.framebuffer_texture_layer(
                        fb_target,
                        at,
                        Some(*texture),
                        level as i32,
                        z as i32,
                    ),
                }
            }
            Ok(at)
        };
        let depth = blit.src.region.d.max(1);
        for layer in 0..depth {
            // SAFETY: the context is current; both framebuffers are ours.
            unsafe {
                g.bind_framebuffer(glow::READ_FRAMEBUFFER, Some(self.read_fbo));
                g.bind_framebuffer(glow::DRAW_FRAMEBUFFER, Some(self.fbo));
                for fb in [glow::READ_FRAMEBUFFER, glow::DRAW_FRAMEBUFFER] {
                    for at in [glow::COLOR_ATTACHMENT0, glow::DEPTH_STENCIL_ATTACHMENT] {
                        g.framebuffer_texture_2d(fb, at, glow::TEXTURE_2D, None, 0);
                    }
                }
            }
            let sa = attach(
                glow::READ_FRAMEBUFFER,
                src,
                blit.src.level,
                blit.src.region.z + layer,
                blit.mask,
            )?;
            let da = attach(
                glow::DRAW_FRAMEBUFFER,
                dst,
                blit.dst.level,
                blit.dst.region.z + layer,
                blit.mask,
            )?;
            let mut bits = 0;
            if blit.mask.intersects(BlitMask::RGBA) {
                bits |= glow::COLOR_BUFFER_BIT;
            }
            if blit.mask.contains(BlitMask::Z) {
                bits |= glow::DEPTH_BUFFER_BIT;
            }
            if blit.mask.contains(BlitMask::S) {
                bits |= glow::STENCIL_BUFFER_BIT;
            }
            let filter = match blit.filter {
                TexFilter::Linear if bits == glow::COLOR_BUFFER_BIT => glow::LINEAR,
                _ => glow::NEAREST,
            };
            let s = blit.src.region;
            let d = blit.dst.region;
            let (sx, sy, sw, sh) = (s.x as i32, s.y as i32, s.w as i32, s.h as i32);
            let (dx, dy, dw, dh) = (d.x as i32, d.y as i32, d.w as i32, d.h as i32);
            // SAFETY: the context is current; both boxes were validated against their levels.
            unsafe {
                if da == glow::COLOR_ATTACHMENT0 {
                    g.read_buffer(sa);
                    g.draw_buffers(&[da]);
                    self.gl.color_mask(
                        0,
                        blit.mask.contains(BlitMask::R),
                        blit.mask.contains(BlitMask::G),
                        blit.mask.contains(BlitMask::B),
                        blit.mask.contains(BlitMask::A),
                    );
                }
                g.disable(glow::RASTERIZER_DISCARD);
                // sRGB encoding and decoding in a blit follow its formats, as virglrenderer's
                // blits do.
                self.gl
                    .framebuffer_srgb(blit.src.format.is_srgb() || blit.dst.format.is_srgb());
                if blit.scissor_enable {
                    g.enable(glow::SCISSOR_TEST);
                    let sc = blit.scissor;
                    g.scissor(
                        i32::from(sc.minx),
                        i32::from(sc.miny),
                        i32::from(sc.maxx) - i32::from(sc.minx),
                        i32::from(sc.maxy) - i32::from(sc.miny),
                    );
                } else {
                    g.disable(glow::SCISSOR_TEST);
                }
                g.blit_framebuffer(
                    sx,
                    sy,
                    sx + sw,
                    sy + sh,
                    dx,
                    dy,
                    dx + dw,
                    dy + dh,
                    bits,
                    filter,
                );
                g.bind_framebuffer(glow::READ_FRAMEBUFFER, None);
            }
        }
        self.programs.invalidate_state();
        self.gl.check("glBlitFramebuffer")
    }

    fn copy_region(&mut self, scene: Scene<'_>, copy: &CopyRegion) -> Result<()> {
        if self.gl.es2() {
            return self.copy_region_es2(scene, copy);
        }
        let src = self.storage(copy.src_resource)?;
        let dst = self.storage(copy.dst_resource)?;
        let g = &self.gl.gl;
        let b = copy.src_box;
        match (src, dst) {
            (Storage::Buffer(s), Storage::Buffer(d)) => {
                // SAFETY: the context is current; both ranges were validated.
                unsafe {
                    g.bind_buffer(glow::COPY_READ_BUFFER, Some(*s));
                    g.bind_buffer(glow::COPY_WRITE_BUFFER, Some(*d));
                    g.copy_buffer_sub_data(
                        glow::COPY_READ_BUFFER,
                        glow::COPY_WRITE_BUFFER,
                        b.x as i32,
                        copy.dst_x as i32,
                        b.w as i32,
                    );
                }
            }
            (
                Storage::Texture {
                    texture: st,
                    target: stt,
                    ..
                },
                Storage::Texture {
                    texture: dt,
                    target: dtt,
                    ..
                },
            ) => {
                let _ = scene;
                // SAFETY: the context is current; both boxes were validated, and
                // glCopyImageSubData checks format compatibility itself (a GL error).
                unsafe {
                    g.copy_image_sub_data(
                        *st,
                        *stt,
                        copy.src_level as i32,
                        b.x as i32,
                        b.y as i32,
                        b.z as i32,
                        *dt,
                        *dtt,
                        copy.dst_level as i32,
                        copy.dst_x as i32,
                        copy.dst_y as i32,
                        copy.dst_z as i32,
                        b.w as i32,
                        b.h as i32,
                        b.d as i32,
                    );
                }
            }
            _ => return Err(gl_err("copy_region", "copy between a buffer and a texture")),
        }
        self.gl.check("glCopyImageSubData")
    }

    fn clear_texture(&mut self, _scene: Scene<'_>, clear: &ClearTexture) -> Result<()> {
        Err(gl_err(
            "glClearTexSubImage",
            format!(
                "CLEAR_TEXTURE of resource {} is not supported yet",
                clear.resource
            ),
        ))
    }

    fn finish(&mut self) -> Result<()> {
        // SAFETY: the context is current.
        unsafe { self.gl.gl.finish() };
        self.gl.check("glFinish")
    }
}
