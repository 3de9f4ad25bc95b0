//! Draws on ES 2.0: textures with their sampler state as texture parameters, the uniforms
//! that stand in for what GLSL ES 1.00 lacks, and instances drawn one at a time.

use super::TEXTURE_3D_OES;
use crate::gl::Gl;

/// Where a program of GLSL ES 1.00 shaders has the uniforms that stand in for what ES 2.0
/// lacks (see [`crate::shader::Target::Es`]): none on other contexts.
#[derive(Clone, Debug, Default)]
pub struct Es100Uniforms {
    /// `(stage, sampler, location)` of each sampler's depth comparison
    /// ([`crate::shader::COMPARE`]).
    pub compares: Vec<(usize, u32, glow::UniformLocation)>,
    /// The same for each sampler's level-0 size ([`crate::shader::SAMPLER_SIZE`]).
    pub sizes: Vec<(usize, u32, glow::UniformLocation)>,
    /// [`crate::shader::INSTANCE_ID`].
    pub instance_id: Option<glow::UniformLocation>,
    /// [`crate::shader::CLIP_ENABLE`].
    pub clip_enable: Option<glow::UniformLocation>,
    /// The vertex shader reads the provoking vertex's inputs ([`crate::shader::FLAT_INPUT`]).
    pub flat_inputs: bool,
}

impl Es100Uniforms {
    /// Finds them in `program` when `es2`.
    ///
    /// # Safety
    /// The context is current and `program` is linked.
    pub unsafe fn find(g: &glow::Context, program: glow::Program, es2: bool) -> Es100Uniforms {
        use glow::HasContext;
        if !es2 {
            return Es100Uniforms::default();
        }
        let mut found = Es100Uniforms {
            instance_id: g.get_uniform_location(program, crate::shader::INSTANCE_ID),
            clip_enable: g.get_uniform_location(program, crate::shader::CLIP_ENABLE),
            ..Es100Uniforms::default()
        };
        for (st, prefix) in crate::gl::draw::STAGE_PREFIXES {
            let compare = crate::shader::COMPARE;
            for (i, loc) in crate::gl::draw::sampler_uniforms(g, program, prefix, compare) {
                found.compares.push((st, i, loc));
            }
            let size = crate::shader::SAMPLER_SIZE;
            for (i, loc) in crate::gl::draw::sampler_uniforms(g, program, prefix, size) {
                found.sizes.push((st, i, loc));
            }
        }
        found
    }
}

/// A Gallium swizzle component (0-3 a channel, 4 zero, 5 one) of what sampling a format
/// stored as `format` gives.
fn gallium_component(c: crate::gl::format::Swizzle) -> i32 {
    use crate::gl::format::Swizzle;
    match c {
        Swizzle::Red => 0,
        Swizzle::Green => 1,
        Swizzle::Blue => 2,
        Swizzle::Alpha => 3,
        Swizzle::Zero => 4,
        Swizzle::One => 5,
    }
}

/// The swizzle a GLSL ES 1.00 shader applies to what it samples through `view` (Gallium
/// values, [`crate::shader::SHADOW_SWIZZLE`]): the view's own, composed with the one the
/// stored format needs (alpha and luminance formats kept in red). ES 2.0 has no
/// `GL_TEXTURE_SWIZZLE_*`.
pub(in crate::gl) fn view_swizzle(
    view: &virgl_proto::ccmd::SamplerView,
    stored: Option<[crate::gl::format::Swizzle; 4]>,
) -> [i32; 4] {
    view.swizzle.map(|s| match (s.to_wire() as usize, stored) {
        (i @ 0..=3, Some(f)) => gallium_component(f[i]),
        (i, _) => i.min(5) as i32,
    })
}

impl Gl {
    /// Sets the sampler state `state` as parameters of the texture bound to `target` (ES 2.0
    /// has no sampler objects) and returns the swizzle the shader applies
    /// ([`view_swizzle`]). What ES 2.0 cannot set here (LOD clamps and bias, base level,
    /// comparison) the shader does, or is lost: LOD bias and comparison come from uniforms.
    ///
    /// # Safety
    /// The context is current and the view's texture is bound to `target` on the active unit.
    pub(in crate::gl) unsafe fn bind_texture_es2(
        &self,
        target: u32,
        view: &virgl_proto::ccmd::SamplerView,
        state: Option<&virgl_proto::ccmd::SamplerState>,
    ) -> [i32; 4] {
        use glow::HasContext;
        let g = &self.gl;
        if let Some(st) = state {
            let border = self.border_clamp();
            let wrap = |w| match crate::gl::convert::wrap(w) {
                glow::CLAMP_TO_BORDER if !border => glow::CLAMP_TO_EDGE,
                glow::MIRROR_CLAMP_TO_EDGE | crate::gl::convert::MIRROR_CLAMP_TO_BORDER_EXT => {
                    glow::MIRRORED_REPEAT
                }
                gl => gl,
            };
            let i = |p, v: u32| g.tex_parameter_i32(target, p, v as i32);
            i(glow::TEXTURE_WRAP_S, wrap(st.wrap_s));
            i(glow::TEXTURE_WRAP_T, wrap(st.wrap_t));
            if target == TEXTURE_3D_OES {
                i(glow::TEXTURE_WRAP_R, wrap(st.wrap_r));
            }
            i(
                glow::TEXTURE_MIN_FILTER,
                crate::gl::convert::min_filter(st.min_img_filter, st.min_mip_filter),
            );
            i(
                glow::TEXTURE_MAG_FILTER,
                crate::gl::convert::mag_filter(st.mag_img_filter),
            );
            if border {
                g.tex_parameter_f32_slice(
                    target,
                    glow::TEXTURE_BORDER_COLOR,
                    &st.border_color.map(f32::from_bits),
                );
            }
        }
        if let virgl_proto::ccmd::ViewRange::Texture { levels, .. } = view.range {
            if g.supported_extensions()
                .contains("GL_APPLE_texture_max_level")
            {
                g.tex_parameter_i32(target, glow::TEXTURE_MAX_LEVEL, i32::from(levels.last));
            }
        }
        view_swizzle(view, self.format(view.format).and_then(|f| f.swizzle))
    }
}

impl crate::gl::backend::GlBackend {
    /// Sets the uniforms of the program `key` that stand in for what ES 2.0 lacks: each
    /// sampler's depth comparison and level size, and the clip planes the rasterizer enables.
    /// The instance is set per instance by the draw.
    pub(in crate::gl) fn set_es100_uniforms(
        &self,
        scene: crate::backend::Scene<'_>,
        key: crate::gl::draw::Key,
    ) {
        use glow::HasContext;
        use virgl_proto::ccmd::ObjectType;
        let Some(program) = self.programs.programs.get(&key) else {
            return;
        };
        let u = &program.es100;
        let state = scene.state;
        let g = &self.gl.gl;
        for (st, index, loc) in &u.compares {
            let sampler = state.stages[*st]
                .samplers
                .get(*index as usize)
                .copied()
                .flatten()
                .and_then(|h| match state.objects.get(h, ObjectType::SamplerState) {
                    Ok(crate::state::Object::SamplerState(s)) => Some(*s),
                    _ => None,
                });
            let compare = match sampler {
                Some(s) if s.compare_mode == virgl_proto::pipe::TexCompareMode::RToTexture => {
                    s.compare_func.to_wire() as i32
                }
                _ => -1,
            };
            // SAFETY: the context is current and the uniform is this program's int.
            unsafe { g.uniform_1_i32(Some(loc), compare) };
        }
        for (st, index, loc) in &u.sizes {
            let size = state.stages[*st]
                .views
                .get(*index as usize)
                .copied()
                .flatten()
                .and_then(|h| match state.objects.get(h, ObjectType::SamplerView) {
                    Ok(crate::state::Object::SamplerView(v)) => Some(*v),
                    _ => None,
                })
                .and_then(|v| scene.resources.get(&v.resource).map(|r| (v, r)))
                .map(|(v, r)| {
                    let first = match v.range {
                        virgl_proto::ccmd::ViewRange::Texture { levels, .. } => {
                            u32::from(levels.first)
                        }
                        _ => 0,
                    };
                    [
                        (r.desc.width >> first).max(1) as f32,
                        (r.desc.height >> first).max(1) as f32,
                    ]
                })
                .unwrap_or([1.0, 1.0]);
            // SAFETY: the context is current and the uniform is this program's vec2.
            unsafe { g.uniform_2_f32(Some(loc), size[0], size[1]) };
        }
        if let Some(loc) = &u.clip_enable {
            let mask = crate::gl::draw::rasterizer(state).map_or(0, |r| r.clip_plane_enable);
            let on: Vec<f32> = (0..8)
                .map(|i| f32::from(u8::from(mask & 1 << i != 0)))
                .collect();
            // SAFETY: the context is current and the uniform is this program's float[8].
            unsafe { g.uniform_1_f32_slice(Some(loc), &on) };
        }
    }
}

impl crate::gl::backend::GlBackend {
    /// Sets what changes per instance on ES 2.0: the instance uniform, and each per-instance
    /// element as a constant attribute (also at its provoking-vertex location when `flat`).
    pub(in crate::gl) fn set_instance(
        &self,
        instance: u32,
        instance_id: Option<&glow::UniformLocation>,
        per_instance: &[InstancedAttrib],
        flat: bool,
    ) -> crate::error::Result<()> {
        use glow::HasContext;
        let g = &self.gl.gl;
        // SAFETY: the context is current with the draw's program in use; the locations are
        // below GL_MAX_VERTEX_ATTRIBS (the caps' vertex element count).
        unsafe {
            if let Some(loc) = instance_id {
                g.uniform_1_i32(Some(loc), instance as i32);
            }
            for a in per_instance {
                let at = a.offset + instance / a.divisor.max(1) * a.stride;
                let bytes = a.format.block().map_or(16, |b| b.bytes as usize);
                let mut element = vec![0u8; bytes];
                self.gl.read_buffer(a.buffer, at, &mut element)?;
                let v = a
                    .format
                    .decode(&element, 0, 0)
                    .unwrap_or([0.0, 0.0, 0.0, 1.0])
                    .map(|c| c as f32);
                let flat_index = flat.then_some(a.index + crate::shader::FLAT_INPUT_BASE);
                for i in std::iter::once(a.index).chain(flat_index) {
                    g.disable_vertex_attrib_array(i);
                    g.vertex_attrib_4_f32(i, v[0], v[1], v[2], v[3]);
                }
            }
        }
        Ok(())
    }
}

/// The most instances one draw may have on ES 2.0, which draws them one at a time: a bound on
/// the time a guest can ask for with one command.
pub const MAX_INSTANCES: u32 = 1 << 16;

/// The instances `draw` draws, refused past [`MAX_INSTANCES`].
pub(in crate::gl) fn instances_es2(draw: &virgl_proto::ccmd::DrawVbo) -> crate::error::Result<u32> {
    match draw.instance_count.max(1) {
        n if n > MAX_INSTANCES => Err(crate::gl::backend::gl_err(
            "glDrawArrays",
            format!(
                "{n} instances on an OpenGL ES 2.0 host, which draws them one at a time: at most {MAX_INSTANCES}"
            ),
        )),
        n => Ok(n),
    }
}

/// A vertex element read once per `divisor` instances, which ES 2.0 cannot express: the draw
/// sets it as a constant attribute for each instance.
#[derive(Clone, Copy, Debug)]
pub struct InstancedAttrib {
    pub index: u32,
    pub divisor: u32,
    pub buffer: glow::Buffer,
    /// Of the first instance's element, in bytes.
    pub offset: u32,
    pub stride: u32,
    pub format: virgl_proto::format::Format,
}

impl crate::gl::backend::GlBackend {
    /// Draws on ES 2.0, which has no instancing, base vertex or primitive restart: instances
    /// are drawn one at a time with the instance in [`crate::shader::INSTANCE_ID`] and the
    /// per-instance elements set as constant attributes, and a base vertex is added to the
    /// indices on the CPU.
    pub(in crate::gl) fn draw_es2(
        &self,
        state: &crate::state::SubContext,
        draw: &virgl_proto::ccmd::DrawVbo,
        mode: u32,
        rewritten: Option<crate::gl::rewrite::Rewritten>,
        instance_id: Option<&glow::UniformLocation>,
        per_instance: &[InstancedAttrib],
    ) -> crate::error::Result<()> {
        use crate::gl::backend::gl_err;
        use glow::HasContext;
        let g = &self.gl.gl;
        if crate::gl::draw::rasterizer(state).is_some_and(|r| r.rasterizer_discard) {
            return Ok(());
        }
        if draw.primitive_restart {
            return Err(gl_err(
                "glDrawElements",
                "primitive restart on an OpenGL ES 2.0 host (the caps do not offer it)",
            ));
        }
        // The indices to draw from a buffer of our own, when the guest's cannot be used.
        let mut own: Option<(u32, Vec<u32>)> = rewritten.map(|rw| {
            let bias = if draw.indexed { draw.index_bias } else { 0 };
            let indices = rw
                .indices
                .iter()
                .map(|&i| i.wrapping_add_signed(bias))
                .collect();
            (rw.mode, indices)
        });
        let mut guest_indices = None;
        if own.is_none() && draw.indexed {
            let (buffer, layout) = self.index_buffer(state)?;
            if draw.index_bias == 0 {
                guest_indices = Some((
                    buffer,
                    crate::gl::convert::index_type(layout.index_size),
                    layout.offset,
                ));
            } else {
                let indices = self.draw_indices(state, draw)?;
                own = Some((mode, indices));
            }
        }
        let instances = instances_es2(draw)?;
        // SAFETY: the context is current with the program, framebuffer and vertex buffers of
        // the draw bound; the scratch index buffer is made, used and deleted here.
        unsafe {
            let scratch = match &own {
                Some((_, indices)) => {
                    let b = g.create_buffer().map_err(|e| gl_err("glGenBuffers", e))?;
                    g.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(b));
                    g.buffer_data_u8_slice(
                        glow::ELEMENT_ARRAY_BUFFER,
                        bytemuck::cast_slice(indices),
                        glow::STREAM_DRAW,
                    );
                    Some(b)
                }
                None => None,
            };
            let mut result = Ok(());
            for instance in 0..instances {
                if let Err(e) = self.set_instance(instance, instance_id, per_instance, false) {
                    result = Err(e);
                    break;
                }
                match (&own, guest_indices) {
                    (Some((m, indices)), _) => {
                        g.draw_elements(*m, indices.len() as i32, glow::UNSIGNED_INT, 0)
                    }
                    (None, Some((buffer, ty, offset))) => {
                        g.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(buffer));
                        g.draw_elements(mode, draw.count as i32, ty, offset as i32)
                    }
                    (None, None) => g.draw_arrays(mode, draw.start as i32, draw.count as i32),
                }
            }
            if let Some(b) = scratch {
                g.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, None);
                g.delete_buffer(b);
            }
            result
        }
    }
}

impl crate::gl::backend::GlBackend {
    /// The texture a sampler view samples on ES 2.0, which has no texture views and no base
    /// level: the resource's own, or for a 2D view whose levels start past 0, a copy of those
    /// levels made at each use (the resource may have changed since), its level 0 the view's
    /// first.
    pub(in crate::gl) fn view_texture_es2(
        &mut self,
        key: (u32, u32, u32),
        texture: glow::Texture,
        target: u32,
        format: &crate::gl::format::GlFormat,
        res: &crate::resource::Resource,
        levels: virgl_proto::ccmd::LevelRange,
    ) -> crate::error::Result<Option<(glow::Texture, u32)>> {
        use crate::gl::backend::gl_err;
        use glow::HasContext;
        if levels.first == 0 || target != glow::TEXTURE_2D {
            return Ok(Some((texture, target)));
        }
        let g = &self.gl.gl;
        let copy = match self.programs.views.get(&key) {
            Some((t, _)) => *t,
            None => {
                // SAFETY: the context is current; the name is new.
                let t = unsafe { g.create_texture() }.map_err(|e| gl_err("glGenTextures", e))?;
                self.programs.views.insert(key, (t, glow::TEXTURE_2D));
                t
            }
        };
        let first = u32::from(levels.first);
        let last = u32::from(levels.last.max(levels.first));
        // SAFETY: the context is current; the read framebuffer and the copy are ours, each
        // source level exists (checked when the view was made), and the draw framebuffer is
        // bound again after.
        let complete = unsafe {
            g.bind_framebuffer(glow::FRAMEBUFFER, Some(self.read_fbo));
            for at in [glow::DEPTH_ATTACHMENT, glow::STENCIL_ATTACHMENT] {
                g.framebuffer_texture_2d(glow::FRAMEBUFFER, at, glow::TEXTURE_2D, None, 0);
            }
            g.bind_texture(glow::TEXTURE_2D, Some(copy));
            let mut complete = true;
            for level in first..=last {
                g.framebuffer_texture_2d(
                    glow::FRAMEBUFFER,
                    glow::COLOR_ATTACHMENT0,
                    glow::TEXTURE_2D,
                    Some(texture),
                    level as i32,
                );
                if g.check_framebuffer_status(glow::FRAMEBUFFER) != glow::FRAMEBUFFER_COMPLETE {
                    complete = false;
                    break;
                }
                let w = (res.desc.width >> level).max(1) as i32;
                let h = (res.desc.height >> level).max(1) as i32;
                let internal = if format.format == glow::BGRA {
                    glow::RGBA
                } else {
                    format.format
                };
                g.copy_tex_image_2d(
                    glow::TEXTURE_2D,
                    (level - first) as i32,
                    internal,
                    0,
                    0,
                    w,
                    h,
                    0,
                );
            }
            if g.supported_extensions()
                .contains("GL_APPLE_texture_max_level")
            {
                g.tex_parameter_i32(
                    glow::TEXTURE_2D,
                    glow::TEXTURE_MAX_LEVEL,
                    (last - first) as i32,
                );
            }
            g.framebuffer_texture_2d(
                glow::FRAMEBUFFER,
                glow::COLOR_ATTACHMENT0,
                glow::TEXTURE_2D,
                None,
                0,
            );
            g.bind_framebuffer(glow::FRAMEBUFFER, Some(self.fbo));
            complete
        };
        if !complete {
            return Err(gl_err(
                "glCopyTexImage2D",
                format!(
                    "a view of levels {first}..={last} on this OpenGL ES 2.0 host needs a copy, and {:?} cannot be read",
                    res.desc.format
                ),
            ));
        }
        self.gl.check("glCopyTexImage2D (view levels)")?;
        Ok(Some((copy, glow::TEXTURE_2D)))
    }
}

#[cfg(test)]
mod tests {
    use super::view_swizzle;
    use crate::gl::format::Swizzle::{One, Red, Zero};
    use virgl_proto::ccmd::{SamplerView, ViewRange};
    use virgl_proto::pipe::Swizzle as S;

    fn view(swizzle: [S; 4]) -> SamplerView {
        SamplerView {
            handle: 1,
            resource: 1,
            format: virgl_proto::format::Format::A8_UNORM,
            target: virgl_proto::pipe::TextureTarget::Texture2D,
            range: ViewRange::Buffer {
                first_element: 0,
                last_element: 0,
            },
            swizzle,
        }
    }

    #[test]
    fn the_view_swizzle_composes_with_the_stored_one() {
        let identity = [S::X, S::Y, S::Z, S::W];
        // No stored swizzle: the view's own, in Gallium numbers.
        assert_eq!(view_swizzle(&view(identity), None), [0, 1, 2, 3]);
        // Alpha kept in red (OOOR): sampling gives (0, 0, 0, r).
        let alpha = Some([Zero, Zero, Zero, Red]);
        assert_eq!(view_swizzle(&view(identity), alpha), [4, 4, 4, 0]);
        // The view picks alpha into red and keeps one as one.
        let picks = [S::W, S::One, S::Zero, S::W];
        assert_eq!(view_swizzle(&view(picks), alpha), [0, 5, 4, 0]);
        // Luminance (RRR1) with the view's identity.
        let lum = Some([Red, Red, Red, One]);
        assert_eq!(view_swizzle(&view(identity), lum), [0, 0, 0, 5]);
    }
}
