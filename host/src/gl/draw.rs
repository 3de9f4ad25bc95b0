//! Draws: the linked program of the bound shaders, and the sub-context's state emitted as GL.
//!
//! Programs are built at the first draw that uses a vertex, geometry (or none) and fragment
//! shader triple (together they decide the varyings' names and qualifiers) and cached per
//! sub-context until one of the shaders is destroyed. State is emitted whole for each draw from the sub-context; nothing is read back
//! from GL.

use std::collections::HashMap;

use glow::HasContext;
use virgl_proto::ccmd::{DrawVbo, ObjectType};
use virgl_proto::pipe::{CullFace, PolygonMode, ShaderType};

use super::backend::{gl_err, GlBackend};
use super::convert;
use super::format::vertex_format;
use super::texture::Storage;
use super::Gl;
use crate::backend::{Resources, Scene};
use crate::context::stage;
use crate::error::{Error, Result};
use crate::shader::{geometry_output_vertices, translate_program};
use crate::state::{Object, SubContext};

/// Texture units of the vertex stage start here, the geometry stage's at 32, the fragment
/// stage's at 0.
const VS_UNIT_BASE: u32 = 16;
const GS_UNIT_BASE: u32 = 32;

/// Vertex attributes bound (`inN`), and the most vertex elements a guest can use.
const MAX_ATTRIBS: u32 = 16;

/// Uniform prefixes of the stages a program has, by stage index.
pub(super) const STAGE_PREFIXES: [(usize, &str); 3] = [(0, "vs_"), (1, "fs_"), (2, "gs_")];

/// A linked program and where its uniforms are.
#[derive(Debug)]
pub struct Program {
    pub(super) program: glow::Program,
    /// `vs_const0`, `fs_const0` and `gs_const0`: SET_CONSTANT_BUFFER's data.
    constants: [Option<glow::UniformLocation>; 3],
    /// `(stage, sampler index, location)` of each sampler uniform.
    samplers: Vec<(usize, u32, glow::UniformLocation)>,
    /// The same for the swizzle uniform of each shadow sampler.
    shadow_swizzles: Vec<(usize, u32, glow::UniformLocation)>,
    /// The same for the LOD bias uniform of each sampler (GLSL ES).
    lod_biases: Vec<(usize, u32, glow::UniformLocation)>,
    adjust_y: Option<glow::UniformLocation>,
    /// The rasterizer's point size, on ES where the vertex stage writes it.
    point_size: Option<glow::UniformLocation>,
    /// The user clip planes of the last stage before the rasterizer, and the fragment stage's
    /// two-sided colour switch.
    clip_planes: Option<glow::UniformLocation>,
    two_side: Option<glow::UniformLocation>,
    /// GLSL ES 1.00's stand-ins for what ES 2.0 lacks ([`super::es2`]).
    pub(super) es100: super::es2::Es100Uniforms,
    /// `(stage, constant buffer)` of each uniform block; its binding point is
    /// [`ubo_binding`] of the two.
    blocks: Vec<(usize, u32)>,
}

/// The uniform-buffer binding point of a stage's constant buffer.
fn ubo_binding(stage: usize, buffer: u32) -> u32 {
    stage as u32 * 16 + buffer
}

impl Program {
    /// Deletes the GL program.
    pub(super) fn delete(self, gl: &Gl) {
        // SAFETY: the context is current and the program is ours, used by nothing else.
        unsafe { gl.gl.delete_program(self.program) };
    }
}

/// `(context, sub-context, vertex shader, geometry shader or 0, fragment shader, the
/// rasterizer's flatshade)`.
/// Context, sub-context, the three shaders, flat shading, and whether fragments count
/// samples (ES occlusion counters).
pub(super) type Key = (u32, u32, u32, u32, u32, bool, bool);

/// The program cache, and samplers made for sampler states.
#[derive(Debug, Default)]
pub struct Programs {
    pub(super) programs: HashMap<Key, Program>,
    samplers: HashMap<(u32, u32, u32), glow::Sampler>,
    /// Texture views made for sampler views that select other layers, a target or a format
    /// the resource's texture does not have.
    pub(super) views: HashMap<(u32, u32, u32), (glow::Texture, u32)>,
}

impl Programs {
    /// Drops programs and samplers of `ctx`, of one sub-context or all, of one handle or all.
    pub fn forget(&mut self, gl: &Gl, ctx: u32, sub: Option<u32>, handle: Option<u32>) {
        let hit = |c: u32, s: u32, hs: &[u32]| {
            c == ctx && sub.is_none_or(|x| x == s) && handle.is_none_or(|h| hs.contains(&h))
        };
        self.programs.retain(|k, p| {
            let keep = !hit(k.0, k.1, &[k.2, k.3, k.4]);
            if !keep {
                // SAFETY: the context is current; the program is ours and no longer cached.
                unsafe { gl.gl.delete_program(p.program) };
            }
            keep
        });
        self.samplers.retain(|k, s| {
            let keep = !hit(k.0, k.1, &[k.2]);
            if !keep {
                // SAFETY: as above, for the sampler.
                unsafe { gl.gl.delete_sampler(*s) };
            }
            keep
        });
        self.views.retain(|k, (t, _)| {
            let keep = !hit(k.0, k.1, &[k.2]);
            if !keep {
                // SAFETY: as above, for the view texture.
                unsafe { gl.gl.delete_texture(*t) };
            }
            keep
        });
    }

    /// Notes that something other than a draw changed GL state (nothing is cached yet).
    pub fn invalidate_state(&mut self) {}
}

pub(super) fn program_key(scene: Scene<'_>, counting: bool) -> Key {
    let state = scene.state;
    let handle = |t| state.stages[stage(t)].shader.unwrap_or(0);
    (
        scene.ctx,
        scene.sub_ctx,
        handle(ShaderType::Vertex),
        handle(ShaderType::Geometry),
        handle(ShaderType::Fragment),
        flatshade(state),
        counting,
    )
}

/// Whether the bound rasterizer shades flat.
fn flatshade(state: &SubContext) -> bool {
    state
        .rasterizer
        .and_then(|h| match state.objects.get(h, ObjectType::Rasterizer) {
            Ok(Object::Rasterizer(r)) => Some(r.flatshade),
            _ => None,
        })
        .unwrap_or(false)
}

/// The locations of the uniforms standing for samplers 0 to 31, `{prefix}samp{i}{suffix}`,
/// where a sampler array the translator declared (`{prefix}samp{first}{suffix}[n]`) stands for
/// the samplers past its first.
///
/// # Safety
///
/// The context must be current and `program` linked in it.
pub(super) unsafe fn sampler_uniforms(
    g: &glow::Context,
    program: glow::Program,
    prefix: &str,
    suffix: &str,
) -> Vec<(u32, glow::UniformLocation)> {
    let mut found = Vec::new();
    let mut first = None;
    for i in 0..32u32 {
        let own = g.get_uniform_location(program, &format!("{prefix}samp{i}{suffix}"));
        let loc = match (own, first) {
            (Some(l), _) => {
                first = Some(i);
                Some(l)
            }
            (None, Some(f)) => {
                g.get_uniform_location(program, &format!("{prefix}samp{f}{suffix}[{}]", i - f))
            }
            (None, None) => None,
        };
        found.extend(loc.map(|l| (i, l)));
    }
    found
}

/// The texture unit of sampler `index` of stage `st`.
pub(super) fn texture_unit(st: usize, index: u32) -> u32 {
    match st {
        0 => VS_UNIT_BASE + index,
        2 => GS_UNIT_BASE + index,
        _ => index,
    }
}

pub(super) fn rasterizer(state: &SubContext) -> Option<virgl_proto::ccmd::Rasterizer> {
    let h = state.rasterizer?;
    match state.objects.get(h, ObjectType::Rasterizer) {
        Ok(Object::Rasterizer(r)) => Some(*r),
        _ => None,
    }
}

fn shader_of(state: &SubContext, t: ShaderType) -> Option<&crate::state::ShaderObject> {
    let h = state.stages[stage(t)].shader?;
    match state.objects.get(h, ObjectType::Shader) {
        Ok(Object::Shader(s)) => Some(s),
        _ => None,
    }
}

impl GlBackend {
    fn program(&mut self, scene: Scene<'_>) -> Result<&Program> {
        let state = scene.state;
        let key = program_key(scene, self.counting.is_some() || self.counting_pass);
        let (vs_h, gs_h, fs_h) = (key.2, key.3, key.4);
        if !self.programs.programs.contains_key(&key) {
            let (Some(vs), Some(fs)) = (
                shader_of(state, ShaderType::Vertex),
                shader_of(state, ShaderType::Fragment),
            ) else {
                return Err(gl_err(
                    "program",
                    "a draw without a vertex and fragment shader",
                ));
            };
            let gs = shader_of(state, ShaderType::Geometry);
            // Stream output is the last stage's before the rasterizer.
            let so = match gs {
                Some(gs) => gs.stream_output.as_ref(),
                None => vs.stream_output.as_ref(),
            };
            let debug = std::env::var("VIRGL_HOST_DEBUG")
                .is_ok_and(|v| v.split(',').any(|f| f == "shaders"));
            let p = translate_program(
                &vs.tgsi,
                gs.map(|g| &g.tgsi),
                &fs.tgsi,
                so,
                flatshade(state),
                self.gl.shader_target(),
            )
            .inspect_err(|e| {
                if debug {
                    eprintln!(
                        "virgl-host: shaders {vs_h} + {gs_h} + {fs_h} not translated: {e}\n{}\n{}",
                        vs.tgsi, fs.tgsi
                    );
                }
            })?;
            let mut p = p;
            match (key.6, self.sample_counter_binding) {
                (true, Some(binding)) => {
                    p.fragment =
                        crate::shader::count_samples(&p.fragment, binding).ok_or_else(|| {
                            gl_err("glLinkProgram", "counting samples needs GLSL ES 3.10")
                        })?;
                }
                (true, None) => {
                    p.fragment = super::count::count_to_target(&p.fragment).ok_or_else(|| {
                        gl_err(
                            "glLinkProgram",
                            "counting samples of a fragment shader whose colour 0 is not float",
                        )
                    })?;
                }
                _ => {}
            }
            if debug {
                eprintln!(
                    "virgl-host: program of shaders {vs_h} + {fs_h}:\n{}\n{}\n{}\n{}",
                    vs.tgsi, p.vertex, fs.tgsi, p.fragment
                );
            }
            let mut program = self
                .gl
                .link(&p.vertex, p.geometry.as_deref(), &p.fragment, &p.feedback)
                .map_err(|log| Error::Gl {
                    call: "glLinkProgram",
                    detail: format!("shaders {vs_h} + {gs_h} + {fs_h}: {log}"),
                })?;
            program.es100.flat_inputs = p.flat_inputs;
            self.programs.programs.insert(key, program);
        }
        Ok(&self.programs.programs[&key])
    }

    fn sampler(&mut self, scene: Scene<'_>, handle: u32) -> Result<glow::Sampler> {
        let key = (scene.ctx, scene.sub_ctx, handle);
        if let Some(s) = self.programs.samplers.get(&key) {
            return Ok(*s);
        }
        let Ok(Object::SamplerState(st)) =
            scene.state.objects.get(handle, ObjectType::SamplerState)
        else {
            return Err(gl_err("sampler", format!("sampler state {handle} is gone")));
        };
        let g = &self.gl.gl;
        // SAFETY: the context is current; the sampler is new and every parameter a GL enum or
        // a finite float (the decoder checked them).
        let sampler = unsafe {
            let s = g.create_sampler().map_err(|e| gl_err("glGenSamplers", e))?;
            let i = |p, v: u32| g.sampler_parameter_i32(s, p, v as i32);
            // ES has border clamping from 3.2 (or an extension) and no mirror-clamp modes;
            // the nearest it has stands in (the caps offer no MIRROR_CLAMP there).
            let border = self.gl.border_clamp();
            let wrap = |w| match convert::wrap(w) {
                glow::CLAMP_TO_BORDER if !border => glow::CLAMP_TO_EDGE,
                glow::MIRROR_CLAMP_TO_EDGE | convert::MIRROR_CLAMP_TO_BORDER_EXT
                    if self.gl.version.es =>
                {
                    glow::MIRRORED_REPEAT
                }
                gl => gl,
            };
            i(glow::TEXTURE_WRAP_S, wrap(st.wrap_s));
            i(glow::TEXTURE_WRAP_T, wrap(st.wrap_t));
            i(glow::TEXTURE_WRAP_R, wrap(st.wrap_r));
            i(
                glow::TEXTURE_MIN_FILTER,
                convert::min_filter(st.min_img_filter, st.min_mip_filter),
            );
            i(
                glow::TEXTURE_MAG_FILTER,
                convert::mag_filter(st.mag_img_filter),
            );
            i(
                glow::TEXTURE_COMPARE_MODE,
                if st.compare_mode == virgl_proto::pipe::TexCompareMode::RToTexture {
                    glow::COMPARE_REF_TO_TEXTURE
                } else {
                    glow::NONE
                },
            );
            i(
                glow::TEXTURE_COMPARE_FUNC,
                convert::compare(st.compare_func),
            );
            // ES has no sampler LOD bias; its caps say so (max_texture_lod_bias 0).
            if !self.gl.version.es {
                g.sampler_parameter_f32(s, glow::TEXTURE_LOD_BIAS, st.lod_bias);
            }
            g.sampler_parameter_f32(s, glow::TEXTURE_MIN_LOD, st.min_lod);
            g.sampler_parameter_f32(s, glow::TEXTURE_MAX_LOD, st.max_lod);
            if border {
                g.sampler_parameter_f32_slice(
                    s,
                    glow::TEXTURE_BORDER_COLOR,
                    &st.border_color.map(f32::from_bits),
                );
            }
            s
        };
        self.programs.samplers.insert(key, sampler);
        Ok(sampler)
    }

    /// On ES, the draw rewritten on the CPU where the rasterizer state asks for what ES
    /// lacks (the `rewrite` module), else `None`.
    fn rewrite_for_es(
        &self,
        state: &SubContext,
        draw: &DrawVbo,
    ) -> Result<Option<super::rewrite::Rewritten>> {
        let r = rasterizer(state).unwrap_or_default();
        if !self.gl.version.es
            || !super::rewrite::needed(draw.mode, r.fill_front, r.flatshade_first)
        {
            return Ok(None);
        }
        // Each vertex costs a few words of memory here: a bound on what a guest can ask for.
        const MAX_REWRITTEN: u32 = 1 << 24;
        if draw.count > MAX_REWRITTEN {
            return Err(gl_err(
                "glDrawElements",
                format!(
                    "{} vertices to rewrite for ES (polygon mode or first-vertex flat shading), more than {MAX_REWRITTEN}",
                    draw.count
                ),
            ));
        }
        let indices = self.read_indices(state, draw)?;
        let restart = (draw.indexed && draw.primitive_restart).then_some(draw.restart_index);
        Ok(Some(super::rewrite::rewrite(
            draw.mode,
            &indices,
            restart,
            r.fill_front,
            r.flatshade_first,
        )))
    }

    /// The bound index buffer and how indices lie in it, for an indexed draw.
    pub(super) fn index_buffer(
        &self,
        state: &SubContext,
    ) -> Result<(glow::Buffer, virgl_proto::ccmd::IndexLayout)> {
        let Some((res, layout)) = state.index_buffer else {
            return Err(gl_err(
                "glDrawElements",
                "an indexed draw with no index buffer",
            ));
        };
        let Ok(Storage::Buffer(buffer)) = self.storage_of(res) else {
            return Err(gl_err(
                "glDrawElements",
                format!("index buffer {res} is gone"),
            ));
        };
        Ok((*buffer, layout))
    }

    /// The vertex indices `draw` reads, without its base vertex: its index buffer's (read
    /// back), or `start..start + count`.
    pub(super) fn read_indices(&self, state: &SubContext, draw: &DrawVbo) -> Result<Vec<u32>> {
        // Each index costs a few words of memory here: a bound on what a guest can ask for.
        const MAX_INDICES: u32 = 1 << 24;
        if draw.count > MAX_INDICES {
            return Err(gl_err(
                "glDrawElements",
                format!(
                    "{} indices to read back (to rewrite the draw on the CPU), more than {MAX_INDICES}",
                    draw.count
                ),
            ));
        }
        if !draw.indexed {
            return Ok((draw.start..draw.start.saturating_add(draw.count)).collect());
        }
        let (buffer, layout) = self.index_buffer(state)?;
        let size = match layout.index_size {
            virgl_proto::pipe::IndexSize::U8 => 1,
            virgl_proto::pipe::IndexSize::U16 => 2,
            virgl_proto::pipe::IndexSize::U32 => 4,
        };
        let mut bytes = vec![0u8; draw.count as usize * size];
        self.gl.read_buffer(buffer, layout.offset, &mut bytes)?;
        Ok(bytes
            .chunks_exact(size)
            .map(|b| match *b {
                [x] => u32::from(x),
                [a, b] => u32::from(u16::from_le_bytes([a, b])),
                [a, b, c, d] => u32::from_le_bytes([a, b, c, d]),
                _ => unreachable!("index sizes are 1, 2 or 4"),
            })
            .collect())
    }

    /// DRAW_VBO.
    pub(super) fn draw_vbo(&mut self, scene: Scene<'_>, draw: &DrawVbo) -> Result<()> {
        let Some(mode) = convert::prim_mode(draw.mode) else {
            return Err(gl_err(
                "glDraw*",
                format!(
                    "{:?} is not a core-profile primitive (the caps exclude it)",
                    draw.mode
                ),
            ));
        };
        if self.gl.es2() {
            // ES 2.0's own, lower bound on instances first: its refusal says why.
            super::es2::instances_es2(draw)?;
        }
        check_draw_ranges(scene.state, scene.resources, draw, self.max_draw_vertices)?;
        if self.target_counter.is_some() && !self.counting_pass {
            // The counting pass first, on the depth and stencil as they are before the draw.
            self.counting_pass = true;
            let counted = self.draw_vbo(scene, draw);
            self.counting_pass = false;
            counted?;
        }
        self.bind_framebuffer(scene)?;
        if self.counting_pass {
            self.bind_counting_framebuffer(scene)?;
        }
        let state = scene.state;
        if std::env::var("VIRGL_HOST_DEBUG").is_ok_and(|v| v.split(',').any(|f| f == "draws")) {
            eprintln!(
                "virgl-host: draw {draw:?} vs {:?} fs {:?} consts {:?} ve {:?} vbs {:?} ib {:?} rs {:?} dsa {:?}",
                state.stages[0].shader,
                state.stages[1].shader,
                state.stages[0].constants.iter().map(|c| f32::from_bits(*c)).collect::<Vec<_>>(),
                state.vertex_elements.and_then(|h| state.objects.get(h, ObjectType::VertexElements).ok()),
                state.vertex_buffers,
                state.index_buffer,
                state.rasterizer.and_then(|h| state.objects.get(h, ObjectType::Rasterizer).ok()),
                state.dsa.and_then(|h| state.objects.get(h, ObjectType::Dsa).ok()),
            );
        }
        let program = self.program(scene)?;
        let program_name = program.program;
        let constants = program.constants;
        let samplers = program.samplers.clone();
        let shadow_swizzles = program.shadow_swizzles.clone();
        let lod_biases = program.lod_biases.clone();
        let adjust_y = program.adjust_y;
        let point_size = program.point_size;
        let clip_planes = program.clip_planes;
        let two_side = program.two_side;
        let flip = state.viewports[0].scale[1] < 0.0;
        // SAFETY: the context is current; the program is linked and ours, and each uniform is
        // set with the type the translator declared it with.
        unsafe {
            let g = &self.gl.gl;
            g.use_program(Some(program_name));
            if let (Some((_, counter)), Some(binding)) =
                (self.counting, self.sample_counter_binding)
            {
                g.bind_buffer_base(glow::SHADER_STORAGE_BUFFER, binding, Some(counter));
            }
            for (i, t) in [
                ShaderType::Vertex,
                ShaderType::Fragment,
                ShaderType::Geometry,
            ]
            .into_iter()
            .enumerate()
            {
                if let Some(loc) = &constants[i] {
                    let data = &state.stages[stage(t)].constants;
                    let n = data.len() / 4 * 4;
                    let floats: Vec<f32> = data[..n].iter().map(|d| f32::from_bits(*d)).collect();
                    if !floats.is_empty() {
                        g.uniform_4_f32_slice(Some(loc), &floats);
                    }
                }
            }
            if let Some(loc) = &adjust_y {
                g.uniform_1_f32(Some(loc), if flip { -1.0 } else { 1.0 });
            }
            if let Some(loc) = &point_size {
                let size = rasterizer(state).map_or(1.0, |r| r.point_size);
                g.uniform_1_f32(Some(loc), size.max(1.0));
            }
            if let Some(loc) = &clip_planes {
                g.uniform_4_f32_slice(Some(loc), state.clip_planes.as_flattened());
            }
            if let Some(loc) = &two_side {
                let on = rasterizer(state).is_some_and(|r| r.light_twoside);
                g.uniform_1_i32(Some(loc), i32::from(on));
            }
        }
        let blocks = self.programs.programs
            [&program_key(scene, self.counting.is_some() || self.counting_pass)]
            .blocks
            .clone();
        for (st, b) in blocks {
            let ubo = state.stages[st]
                .uniform_buffers
                .get(b as usize)
                .copied()
                .flatten();
            let buffer = ubo.and_then(|u| match self.storage_of(u.resource) {
                Ok(Storage::Buffer(buf)) => Some((*buf, u)),
                _ => None,
            });
            // SAFETY: the context is current; the range was checked against the buffer when
            // it was bound.
            unsafe {
                match buffer {
                    Some((buf, u)) => self.gl.gl.bind_buffer_range(
                        glow::UNIFORM_BUFFER,
                        ubo_binding(st, b),
                        Some(buf),
                        u.offset as i32,
                        u.length as i32,
                    ),
                    None => {
                        self.gl
                            .gl
                            .bind_buffer_base(glow::UNIFORM_BUFFER, ubo_binding(st, b), None)
                    }
                }
            }
        }
        for (st, index, loc) in &lod_biases {
            let bias = state.stages[*st]
                .samplers
                .get(*index as usize)
                .copied()
                .flatten()
                .and_then(|h| match state.objects.get(h, ObjectType::SamplerState) {
                    Ok(Object::SamplerState(s)) => Some(s.lod_bias),
                    _ => None,
                })
                .unwrap_or(0.0);
            // SAFETY: the context is current and the uniform is this program's float.
            unsafe { self.gl.gl.uniform_1_f32(Some(loc), bias) };
        }
        for (st, index, loc) in &samplers {
            let unit = texture_unit(*st, *index);
            let shadow = shadow_swizzles
                .iter()
                .find(|(s, i, _)| s == st && i == index)
                .map(|(.., l)| *l);
            let swizzle = self.bind_texture(scene, *st, *index, unit, shadow.is_some())?;
            // SAFETY: the context is current and both are uniforms of this program, of the
            // types set.
            unsafe {
                self.gl.gl.uniform_1_i32(Some(loc), unit as i32);
                if let Some(l) = shadow {
                    self.gl.gl.uniform_4_i32(
                        Some(&l),
                        swizzle[0],
                        swizzle[1],
                        swizzle[2],
                        swizzle[3],
                    );
                }
            }
        }
        if self.gl.es2() {
            self.set_es100_uniforms(
                scene,
                program_key(scene, self.counting.is_some() || self.counting_pass),
            );
        }
        self.bind_shader_memory(scene, ShaderType::Fragment)?;
        self.emit_state(state, flip);
        if self.counting_pass {
            self.counting_state();
        }
        let per_instance = self.bind_vertices(scene)?;
        if self.condition_fails(scene)? {
            return Ok(());
        }
        if let (Some((_, n)), false) = (&mut self.cpu_primitives, self.counting_pass) {
            *n += super::query::primitives(draw.mode, draw.count)
                * u64::from(draw.instance_count.max(1));
        }
        let began = self.begin_condition(scene)?;
        let feedback = !self.counting_pass && self.begin_stream_output(scene, draw.mode)?;
        let rewritten = self.rewrite_for_es(state, draw)?;
        if self.gl.es2() {
            let es100 = &self.programs.programs
                [&program_key(scene, self.counting.is_some() || self.counting_pass)]
                .es100;
            let (instance_id, flat) = (es100.instance_id, es100.flat_inputs);
            let result = if flat {
                self.draw_flat_es2(scene, draw, instance_id.as_ref(), &per_instance)
            } else {
                self.draw_es2(
                    state,
                    draw,
                    mode,
                    rewritten,
                    instance_id.as_ref(),
                    &per_instance,
                )
            };
            self.end_condition(began);
            result?;
            return self.gl.check("glDraw*");
        }
        let g = &self.gl.gl;
        let instances = draw.instance_count.max(1) as i32;
        // SAFETY: the context is current with every binding made above; the validator checked
        // the index range against the index buffer and each vertex element's start against its
        // buffer, check_draw_ranges the vertices and instances fetched, and GL (robust or not)
        // bounds-checks the vertices indices name on llvmpipe.
        unsafe {
            if self.gl.version.es {
                // ES restarts at the all-ones index only; the validator refused others.
                if draw.primitive_restart {
                    g.enable(glow::PRIMITIVE_RESTART_FIXED_INDEX);
                } else {
                    g.disable(glow::PRIMITIVE_RESTART_FIXED_INDEX);
                }
            } else if draw.primitive_restart {
                g.enable(glow::PRIMITIVE_RESTART);
                self.gl.extra.primitive_restart_index(draw.restart_index);
            } else {
                g.disable(glow::PRIMITIVE_RESTART);
            }
            if let Some(rw) = rewritten {
                let scratch = g.create_buffer().map_err(|e| gl_err("glGenBuffers", e))?;
                g.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(scratch));
                g.buffer_data_u8_slice(
                    glow::ELEMENT_ARRAY_BUFFER,
                    bytemuck::cast_slice(&rw.indices),
                    glow::STREAM_DRAW,
                );
                g.draw_elements_instanced_base_vertex(
                    rw.mode,
                    rw.indices.len() as i32,
                    glow::UNSIGNED_INT,
                    0,
                    instances,
                    if draw.indexed { draw.index_bias } else { 0 },
                );
                g.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, None);
                g.delete_buffer(scratch);
            } else if draw.indexed {
                let (buffer, layout) = self.index_buffer(state)?;
                g.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(buffer));
                // Mesa's virgl driver folds `start` into the index buffer's offset and sends it
                // too; virglrenderer reads indices from the offset alone, and so do we.
                let offset = u64::from(layout.offset);
                if self.gl.version.es {
                    // No base instance on ES (START_INSTANCE is not advertised there).
                    g.draw_elements_instanced_base_vertex(
                        mode,
                        draw.count as i32,
                        convert::index_type(layout.index_size),
                        offset as i32,
                        instances,
                        draw.index_bias,
                    );
                } else {
                    g.draw_elements_instanced_base_vertex_base_instance(
                        mode,
                        draw.count as i32,
                        convert::index_type(layout.index_size),
                        offset as i32,
                        instances,
                        draw.index_bias,
                        draw.start_instance,
                    );
                }
            } else if self.gl.version.es {
                g.draw_arrays_instanced(mode, draw.start as i32, draw.count as i32, instances);
            } else {
                g.draw_arrays_instanced_base_instance(
                    mode,
                    draw.start as i32,
                    draw.count as i32,
                    instances,
                    draw.start_instance,
                );
            }
        }
        if feedback {
            // SAFETY: the context is current and transform feedback was begun above.
            unsafe { self.gl.gl.end_transform_feedback() };
        }
        self.end_condition(began);
        self.gl.check("glDraw*")
    }

    /// Binds the sub-context's stream-output targets where their last draw stopped and
    /// begins transform feedback; false when nothing is captured (no targets, or no stream
    /// output from the last stage before the rasterizer).
    fn begin_stream_output(
        &mut self,
        scene: Scene<'_>,
        mode: virgl_proto::pipe::PrimMode,
    ) -> Result<bool> {
        let state = scene.state;
        let gs = shader_of(state, ShaderType::Geometry);
        let last = gs.or_else(|| shader_of(state, ShaderType::Vertex));
        if state.streamout_targets.is_empty() || last.is_none_or(|s| s.stream_output.is_none()) {
            return Ok(false);
        }
        // Transform feedback takes the primitives of the last stage before the rasterizer.
        let verts = match gs {
            Some(gs) => geometry_output_vertices(&gs.tgsi),
            None => crate::context::primitives(mode, 0).1,
        };
        let tf_mode = match verts {
            1 => glow::POINTS,
            2 => glow::LINES,
            _ => glow::TRIANGLES,
        };
        for (i, h) in state.streamout_targets.iter().enumerate() {
            let Ok(Object::StreamoutTarget(t)) = state.objects.get(*h, ObjectType::StreamoutTarget)
            else {
                continue;
            };
            let Ok(Storage::Buffer(buffer)) = self.storage_of(t.resource) else {
                return Err(gl_err(
                    "glBindBufferRange",
                    format!("stream-output buffer {} is gone", t.resource),
                ));
            };
            let filled = state.streamout_filled.get(h).copied().unwrap_or(0);
            let size = t.buffer_size.saturating_sub(filled);
            // SAFETY: the context is current; the range lies inside the buffer (checked when
            // the target was made, and `filled` never passes its size).
            unsafe {
                self.gl.gl.bind_buffer_range(
                    glow::TRANSFORM_FEEDBACK_BUFFER,
                    i as u32,
                    Some(*buffer),
                    (t.buffer_offset + filled) as i32,
                    size.max(4) as i32,
                );
            }
        }
        // SAFETY: the context is current; the program in use captures varyings.
        unsafe { self.gl.gl.begin_transform_feedback(tf_mode) };
        self.gl.check("glBeginTransformFeedback")?;
        Ok(true)
    }

    pub(super) fn storage_of(&self, id: u32) -> Result<&Storage> {
        self.storage.get(&id).ok_or(Error::Resource {
            id,
            detail: "has no GL object".into(),
        })
    }

    /// A buffer texture over elements `first..=last` of a buffer, for a sampler view of it.
    fn buffer_texture(
        &mut self,
        scene: Scene<'_>,
        handle: u32,
        v: &virgl_proto::ccmd::SamplerView,
        buffer: glow::Buffer,
        first: u32,
        last: u32,
    ) -> Result<Option<(glow::Texture, u32)>> {
        let key = (scene.ctx, scene.sub_ctx, handle);
        if let Some(t) = self.programs.views.get(&key) {
            return Ok(Some(*t));
        }
        let Some(format) = self.gl.format(v.format) else {
            return Err(gl_err(
                "glTexBufferRange",
                format!("buffer view format {:?}", v.format),
            ));
        };
        let Some(bytes) = v.format.block().map(|b| u64::from(b.bytes)) else {
            return Err(gl_err(
                "glTexBufferRange",
                format!("buffer view format {:?}", v.format),
            ));
        };
        let size = scene
            .resources
            .get(&v.resource)
            .map_or(0, |r| u64::from(r.desc.width));
        let offset = u64::from(first) * bytes;
        let end = (u64::from(last) + 1) * bytes;
        if end > size {
            return Err(gl_err(
                "glTexBufferRange",
                format!(
                    "elements {first}..={last} past the {size} bytes of buffer {}",
                    v.resource
                ),
            ));
        }
        // SAFETY: the context is current; the texture is new, and the range lies inside the
        // buffer (checked above).
        let texture = unsafe {
            let t = self
                .gl
                .gl
                .create_texture()
                .map_err(|e| gl_err("glGenTextures", e))?;
            self.gl.gl.bind_texture(glow::TEXTURE_BUFFER, Some(t));
            self.gl.extra.tex_buffer_range(
                glow::TEXTURE_BUFFER,
                format.internal,
                buffer,
                offset as isize,
                (end - offset) as isize,
            );
            t
        };
        self.gl.check("glTexBufferRange")?;
        self.programs
            .views
            .insert(key, (texture, glow::TEXTURE_BUFFER));
        Ok(Some((texture, glow::TEXTURE_BUFFER)))
    }

    /// The texture and target a sampler view samples: the resource's own texture, or a view
    /// of it when the sampler view selects layers, a target or a format it does not have.
    fn view_texture(
        &mut self,
        scene: Scene<'_>,
        handle: u32,
        v: &virgl_proto::ccmd::SamplerView,
    ) -> Result<Option<(glow::Texture, u32)>> {
        if let (
            Ok(Storage::Buffer(buffer)),
            virgl_proto::ccmd::ViewRange::Buffer {
                first_element,
                last_element,
            },
        ) = (self.storage_of(v.resource), v.range)
        {
            let buffer = *buffer;
            return self.buffer_texture(scene, handle, v, buffer, first_element, last_element);
        }
        let Ok(Storage::Texture {
            texture,
            target,
            format,
        }) = self.storage_of(v.resource)
        else {
            return Ok(None);
        };
        let (texture, target, format) = (*texture, *target, *format);
        let Some(res) = scene.resources.get(&v.resource) else {
            return Ok(None);
        };
        let virgl_proto::ccmd::ViewRange::Texture { layers, levels } = v.range else {
            return Ok(Some((texture, target)));
        };
        if self.gl.es2() {
            let key = (scene.ctx, scene.sub_ctx, handle);
            return self.view_texture_es2(key, texture, target, &format, res, levels);
        }
        let view_target = self.gl.texture_target(v.target, res.desc.nr_samples);
        let layer_count = match res.desc.target {
            virgl_proto::pipe::TextureTarget::Texture3D => 1,
            _ => res.desc.array_size.max(1),
        };
        let whole_layers = layers.first == 0 && u32::from(layers.last) + 1 >= layer_count;
        let view_format = self.gl.format(v.format);
        let same_format = view_format.is_none_or(|f| f.internal == format.internal);
        if view_target == target && (whole_layers || target == glow::TEXTURE_3D) && same_format {
            return Ok(Some((texture, target)));
        }
        let key = (scene.ctx, scene.sub_ctx, handle);
        if let Some(v) = self.programs.views.get(&key) {
            return Ok(Some(*v));
        }
        let internal = view_format.map_or(format.internal, |f| f.internal);
        let g = &self.gl.gl;
        let last_layer = if matches!(
            view_target,
            glow::TEXTURE_2D_ARRAY | glow::TEXTURE_1D_ARRAY | glow::TEXTURE_CUBE_MAP_ARRAY
        ) {
            u32::from(layers.last)
        } else if view_target == glow::TEXTURE_CUBE_MAP {
            u32::from(layers.first) + 5
        } else {
            u32::from(layers.first)
        };
        // SAFETY: the context is current; the name is fresh and the original has immutable
        // storage; levels and layers were checked against the resource when the view was made.
        let view = unsafe {
            let view = g.create_texture().map_err(|e| gl_err("glGenTextures", e))?;
            let made = self.gl.extra.texture_view(
                view,
                view_target,
                texture,
                internal,
                u32::from(levels.first)..u32::from(levels.last.max(levels.first)) + 1,
                u32::from(layers.first)..last_layer.min(layer_count - 1) + 1,
            );
            if !made {
                g.delete_texture(view);
                return Err(gl_err("glTextureView", "the driver has no texture views"));
            }
            view
        };
        self.gl.check("glTextureView")?;
        self.programs.views.insert(key, (view, view_target));
        Ok(Some((view, view_target)))
    }

    /// Binds the texture and sampler of slot `index` of stage `st` to `unit`. For a shadow
    /// sampler the texture is left unswizzled and the view's swizzle (Gallium values) is
    /// returned for the shader to apply.
    pub(super) fn bind_texture(
        &mut self,
        scene: Scene<'_>,
        st: usize,
        index: u32,
        unit: u32,
        shadow: bool,
    ) -> Result<[i32; 4]> {
        let stage_state = &scene.state.stages[st];
        let view_handle = stage_state.views.get(index as usize).copied().flatten();
        let sampler_handle = stage_state.samplers.get(index as usize).copied().flatten();
        let sampler = match sampler_handle {
            Some(h) if !self.gl.es2() => Some(self.sampler(scene, h)?),
            _ => None,
        };
        let view =
            view_handle.and_then(
                |h| match scene.state.objects.get(h, ObjectType::SamplerView) {
                    Ok(Object::SamplerView(v)) => Some((h, *v)),
                    _ => None,
                },
            );
        let bound = match &view {
            Some((h, v)) => self.view_texture(scene, *h, v)?,
            None => None,
        };
        let g = &self.gl.gl;
        // SAFETY: the context is current; texture names are ours; parameters are GL enums.
        unsafe {
            g.active_texture(glow::TEXTURE0 + unit);
            if !self.gl.es2() {
                g.bind_sampler(unit, sampler);
            }
            let identity = [0, 1, 2, 3];
            let (Some((_, v)), Some((texture, target))) = (view, bound) else {
                return Ok(identity);
            };
            g.bind_texture(target, Some(texture));
            if target == glow::TEXTURE_BUFFER {
                return Ok(identity);
            }
            if self.gl.es2() {
                let state = sampler_handle.and_then(|h| {
                    match scene.state.objects.get(h, ObjectType::SamplerState) {
                        Ok(Object::SamplerState(s)) => Some(*s),
                        _ => None,
                    }
                });
                return Ok(self.gl.bind_texture_es2(target, &v, state.as_ref()));
            }
            let stored = self
                .gl
                .format(v.format)
                .and_then(|f| f.swizzle)
                .map(|s| s.map(|c| c.to_gl() as i32));
            let swizzle = v.swizzle.map(|s| {
                let gl = convert::swizzle(s);
                match (stored, s.to_wire() as usize) {
                    (Some(f), i @ 0..=3) => f[i],
                    _ => gl,
                }
            });
            let gallium = v.swizzle.map(|s| s.to_wire().min(5) as i32);
            let (gl_swizzle, returned) = if shadow {
                let rgba = [glow::RED, glow::GREEN, glow::BLUE, glow::ALPHA].map(|c| c as i32);
                (rgba, gallium)
            } else {
                (swizzle, identity)
            };
            g.tex_parameter_i32_slice(target, glow::TEXTURE_SWIZZLE_RGBA, &gl_swizzle);
            if let virgl_proto::ccmd::ViewRange::Texture { levels, .. } = v.range {
                let is_view = self.programs.views.values().any(|(t, _)| *t == texture);
                let (base, max) = if is_view {
                    (0, i32::from(levels.last) - i32::from(levels.first))
                } else {
                    (i32::from(levels.first), i32::from(levels.last))
                };
                g.tex_parameter_i32(target, glow::TEXTURE_BASE_LEVEL, base);
                g.tex_parameter_i32(target, glow::TEXTURE_MAX_LEVEL, max);
            }
            Ok(returned)
        }
    }

    /// Binds the vertex elements' buffers. On ES 2.0, which has no instance divisors, the
    /// elements read per instance are left out and returned for the draw to set per instance.
    fn bind_vertices(&mut self, scene: Scene<'_>) -> Result<Vec<super::es2::InstancedAttrib>> {
        let mut per_instance = Vec::new();
        let state = scene.state;
        let elements = match state.vertex_elements {
            Some(h) => match state.objects.get(h, ObjectType::VertexElements) {
                Ok(Object::VertexElements(v)) => v.elements.clone(),
                _ => Vec::new(),
            },
            None => Vec::new(),
        };
        let g = &self.gl.gl;
        // SAFETY: the context is current; our VAO is bound; offsets are byte offsets GL reads
        // from bound buffers.
        unsafe {
            if let Some(vao) = self.vao {
                g.bind_vertex_array(Some(vao));
            }
            for i in 0..MAX_ATTRIBS {
                g.disable_vertex_attrib_array(i);
            }
            for (i, e) in elements.iter().enumerate() {
                let i = i as u32;
                let Some(vb) = state.vertex_buffers.get(e.vertex_buffer_index as usize) else {
                    continue;
                };
                let Ok(Storage::Buffer(buffer)) = self.storage_of(vb.resource) else {
                    continue;
                };
                let Some(f) = vertex_format(e.src_format) else {
                    return Err(gl_err(
                        "glVertexAttribPointer",
                        format!("vertex format {:?}", e.src_format),
                    ));
                };
                let offset = (vb.offset + e.src_offset) as i32;
                if self.gl.es2() && e.instance_divisor > 0 {
                    per_instance.push(super::es2::InstancedAttrib {
                        index: i,
                        divisor: e.instance_divisor,
                        buffer: *buffer,
                        offset: offset as u32,
                        stride: vb.stride,
                        format: e.src_format,
                    });
                    continue;
                }
                g.bind_buffer(glow::ARRAY_BUFFER, Some(*buffer));
                if f.integer {
                    g.vertex_attrib_pointer_i32(i, f.size, f.ty, vb.stride as i32, offset);
                } else {
                    g.vertex_attrib_pointer_f32(
                        i,
                        f.size,
                        f.ty,
                        f.normalized,
                        vb.stride as i32,
                        offset,
                    );
                }
                if !self.gl.es2() {
                    g.vertex_attrib_divisor(i, e.instance_divisor);
                }
                g.enable_vertex_attrib_array(i);
            }
        }
        Ok(per_instance)
    }

    fn emit_state(&self, state: &SubContext, flip: bool) {
        let g = &self.gl.gl;
        let x = &self.gl.extra;
        let es = self.gl.version.es;
        let es_ext = self.gl.es_extensions();
        let blend = state
            .blend
            .and_then(|h| match state.objects.get(h, ObjectType::Blend) {
                Ok(Object::Blend(b)) => Some(b.clone()),
                _ => None,
            });
        let dsa = state
            .dsa
            .and_then(|h| match state.objects.get(h, ObjectType::Dsa) {
                Ok(Object::Dsa(d)) => Some(*d),
                _ => None,
            });
        let rs = rasterizer(state);
        // SAFETY: the context is current; every value is a GL enum from `convert` or a number
        // the decoder checked.
        unsafe {
            // Blend.
            match &blend {
                // Without per-buffer state (ES below 3.2, where INDEP_BLEND_* are not
                // offered), render target 0's state is set for all.
                Some(b) if !self.gl.indexed_blend() => {
                    let rt = &b.rt[0];
                    if rt.blend_enable {
                        g.enable(glow::BLEND);
                    } else {
                        g.disable(glow::BLEND);
                    }
                    g.blend_func_separate(
                        convert::blend_factor(rt.rgb_src_factor, glow::ONE),
                        convert::blend_factor(rt.rgb_dst_factor, glow::ZERO),
                        convert::blend_factor(rt.alpha_src_factor, glow::ONE),
                        convert::blend_factor(rt.alpha_dst_factor, glow::ZERO),
                    );
                    g.blend_equation_separate(
                        convert::blend_func(rt.rgb_func),
                        convert::blend_func(rt.alpha_func),
                    );
                    let m = rt.colormask;
                    g.color_mask(m & 1 != 0, m & 2 != 0, m & 4 != 0, m & 8 != 0);
                    if b.alpha_to_coverage {
                        g.enable(glow::SAMPLE_ALPHA_TO_COVERAGE);
                    } else {
                        g.disable(glow::SAMPLE_ALPHA_TO_COVERAGE);
                    }
                }
                Some(b) => {
                    for i in 0..8u32 {
                        let rt = if b.independent_blend_enable {
                            &b.rt[i as usize]
                        } else {
                            &b.rt[0]
                        };
                        self.gl.blend_i(
                            i,
                            rt.blend_enable,
                            [
                                convert::blend_factor(rt.rgb_src_factor, glow::ONE),
                                convert::blend_factor(rt.rgb_dst_factor, glow::ZERO),
                                convert::blend_factor(rt.alpha_src_factor, glow::ONE),
                                convert::blend_factor(rt.alpha_dst_factor, glow::ZERO),
                            ],
                            [
                                convert::blend_func(rt.rgb_func),
                                convert::blend_func(rt.alpha_func),
                            ],
                        );
                        let m = rt.colormask;
                        self.gl
                            .color_mask(i, m & 1 != 0, m & 2 != 0, m & 4 != 0, m & 8 != 0);
                    }
                    // ES has no logic ops.
                    if !es && b.logicop_enable {
                        g.enable(glow::COLOR_LOGIC_OP);
                        x.logic_op(convert::logic_op(b.logicop_func));
                    } else if !es {
                        g.disable(glow::COLOR_LOGIC_OP);
                    }
                    if b.alpha_to_coverage {
                        g.enable(glow::SAMPLE_ALPHA_TO_COVERAGE);
                    } else {
                        g.disable(glow::SAMPLE_ALPHA_TO_COVERAGE);
                    }
                }
                None => {
                    g.disable(glow::BLEND);
                    if !es {
                        g.disable(glow::COLOR_LOGIC_OP);
                    }
                    g.color_mask(true, true, true, true);
                }
            }
            let c = state.blend_color;
            g.blend_color(c[0], c[1], c[2], c[3]);

            // Depth, stencil.
            let d = dsa.unwrap_or_default();
            if d.depth.enabled {
                g.enable(glow::DEPTH_TEST);
                g.depth_func(convert::compare(d.depth.func));
            } else {
                g.disable(glow::DEPTH_TEST);
            }
            g.depth_mask(d.depth.writemask);
            if d.stencil[0].enabled {
                g.enable(glow::STENCIL_TEST);
                let back = if d.stencil[1].enabled { 1 } else { 0 };
                let refs = [state.stencil_ref.front, state.stencil_ref.back];
                for (face, s, r) in [
                    (glow::FRONT, &d.stencil[0], refs[0]),
                    (glow::BACK, &d.stencil[back], refs[back]),
                ] {
                    g.stencil_func_separate(
                        face,
                        convert::compare(s.func),
                        i32::from(r),
                        u32::from(s.valuemask),
                    );
                    g.stencil_op_separate(
                        face,
                        convert::stencil_op(s.fail_op),
                        convert::stencil_op(s.zfail_op),
                        convert::stencil_op(s.zpass_op),
                    );
                    g.stencil_mask_separate(face, u32::from(s.writemask));
                }
            } else {
                g.disable(glow::STENCIL_TEST);
            }

            // Rasterizer.
            let r = rs.unwrap_or_default();
            match r.cull_face {
                CullFace::None => g.disable(glow::CULL_FACE),
                face => {
                    g.enable(glow::CULL_FACE);
                    g.cull_face(match face {
                        CullFace::Front => glow::FRONT,
                        CullFace::Back => glow::BACK,
                        _ => glow::FRONT_AND_BACK,
                    });
                }
            }
            // Gallium counts windings with window row 0 at the top, GL with it at the bottom.
            g.front_face(if r.front_ccw { glow::CW } else { glow::CCW });
            let mode = |m: PolygonMode| match m {
                PolygonMode::Line => glow::LINE,
                PolygonMode::Point => glow::POINT,
                _ => glow::FILL,
            };
            let toggle = |cap, on: bool| if on { g.enable(cap) } else { g.disable(cap) };
            toggle(glow::SCISSOR_TEST, r.scissor);
            // ES 2.0 has no rasterizer discard; its draws skip themselves instead.
            if !self.gl.es2() {
                toggle(glow::RASTERIZER_DISCARD, r.rasterizer_discard);
            }
            toggle(glow::POLYGON_OFFSET_FILL, r.offset_tri);
            g.polygon_offset(r.offset_scale, r.offset_units);
            g.line_width(r.line_width.max(1.0));
            // `GL_DEPTH_CLAMP_EXT` and `GL_CLIP_DISTANCEn_EXT` have the desktop values.
            if !es || es_ext.depth_clamp {
                toggle(glow::DEPTH_CLAMP, !r.depth_clip);
            }
            if !es || es_ext.shader.clip_cull_distance {
                for i in 0..8 {
                    toggle(
                        glow::CLIP_DISTANCE0 + i,
                        r.clip_plane_enable & (1 << i) != 0,
                    );
                }
            }
            if (self.gl.version.major, self.gl.version.minor) >= (3, 1) || !es {
                x.sample_maski(0, state.sample_mask);
            }
            // The rest is desktop GL's alone. On ES, polygons are filled (the caps say so),
            // points take their size from the shader (which writes the rasterizer's when the
            // guest's does not), and the provoking vertex is the last.
            if !es {
                g.polygon_mode(glow::FRONT_AND_BACK, mode(r.fill_front));
                toggle(glow::PROGRAM_POINT_SIZE, r.point_size_per_vertex);
                toggle(glow::POLYGON_OFFSET_LINE, r.offset_line);
                toggle(glow::POLYGON_OFFSET_POINT, r.offset_point);
                toggle(glow::MULTISAMPLE, r.multisample);
                toggle(glow::LINE_SMOOTH, r.line_smooth);
                x.point_size(r.point_size.max(1.0));
                x.provoking_vertex(if r.flatshade_first {
                    glow::FIRST_VERTEX_CONVENTION
                } else {
                    glow::LAST_VERTEX_CONVENTION
                });
            }

            // Viewport and scissor.
            let vp = &state.viewports[0];
            let (sx, sy) = (vp.scale[0], vp.scale[1].abs());
            g.viewport(
                (vp.translate[0] - sx).round() as i32,
                (vp.translate[1] - sy).round() as i32,
                (2.0 * sx).round() as i32,
                (2.0 * sy).round() as i32,
            );
            let (near, far) = if r.clip_halfz {
                (vp.translate[2], vp.translate[2] + vp.scale[2])
            } else {
                (vp.translate[2] - vp.scale[2], vp.translate[2] + vp.scale[2])
            };
            g.depth_range(f64::from(near), f64::from(far));
            let s = &state.scissors[0];
            g.scissor(
                i32::from(s.minx),
                i32::from(s.miny),
                i32::from(s.maxx) - i32::from(s.minx),
                i32::from(s.maxy) - i32::from(s.miny),
            );
            let _ = flip;
        }
    }
}

/// The varyings and mode of `glTransformFeedbackVaryings` for the translator's list
/// ([`crate::shader::Program::feedback`]). Desktop GL takes it as is, interleaved. ES has no
/// `gl_SkipComponents` or `gl_NextBuffer`: a list without them is one interleaved buffer, and
/// one varying per buffer is separate attributes; anything else is refused.
fn feedback_mode(feedback: &[String], es: bool) -> Result<(Vec<&str>, u32), String> {
    let names: Vec<&str> = feedback.iter().map(String::as_str).collect();
    if !es {
        return Ok((names, glow::INTERLEAVED_ATTRIBS));
    }
    if names.iter().any(|n| n.starts_with("gl_SkipComponents")) {
        return Err("stream output with gaps in a buffer: ES has no gl_SkipComponents".into());
    }
    let buffers: Vec<&[&str]> = names.split(|n| *n == "gl_NextBuffer").collect();
    if buffers.len() == 1 {
        return Ok((names, glow::INTERLEAVED_ATTRIBS));
    }
    if buffers.iter().all(|b| b.len() == 1) {
        return Ok((
            buffers.iter().map(|b| b[0]).collect(),
            glow::SEPARATE_ATTRIBS,
        ));
    }
    Err(
        "stream output of several varyings into each of several buffers: ES has no gl_NextBuffer"
            .into(),
    )
}

impl Gl {
    /// Compiles and links a vertex, geometry (if any) and fragment shader, keeping the
    /// program; an error carries the stage and GL's info log.
    pub(super) fn link(
        &self,
        vs: &str,
        gs: Option<&str>,
        fs: &str,
        feedback: &[String],
    ) -> std::result::Result<Program, String> {
        let g = &self.gl;
        // SAFETY: the context is current; shaders are created, attached and deleted here, and
        // the program is returned to the caller who owns it.
        unsafe {
            let program = g.create_program()?;
            let mut shaders = Vec::new();
            let mut result = Ok(());
            let stages = [
                (glow::VERTEX_SHADER, "vertex", Some(vs)),
                (glow::GEOMETRY_SHADER, "geometry", gs),
                (glow::FRAGMENT_SHADER, "fragment", Some(fs)),
            ];
            for (kind, name, source) in stages {
                let Some(source) = source else { continue };
                let shader = g.create_shader(kind)?;
                g.shader_source(shader, source);
                g.compile_shader(shader);
                if result.is_ok() && !g.get_shader_compile_status(shader) {
                    result = Err(format!("{name} shader: {}", g.get_shader_info_log(shader)));
                }
                g.attach_shader(program, shader);
                shaders.push(shader);
            }
            if result.is_ok() {
                if !feedback.is_empty() {
                    match feedback_mode(feedback, self.version.es) {
                        Ok((names, mode)) => g.transform_feedback_varyings(program, &names, mode),
                        Err(e) => result = Err(e),
                    }
                }
                if self.es2() {
                    // GLSL ES 1.00 attributes have no layout: inputs go where the vertex
                    // elements' indices say.
                    for i in 0..MAX_ATTRIBS {
                        g.bind_attrib_location(program, i, &format!("in{i}"));
                    }
                    let flat = crate::shader::FLAT_INPUT;
                    for i in 0..MAX_ATTRIBS - crate::shader::FLAT_INPUT_BASE {
                        let at = crate::shader::FLAT_INPUT_BASE + i;
                        g.bind_attrib_location(program, at, &format!("{flat}{i}"));
                    }
                }
                g.link_program(program);
                if !g.get_program_link_status(program) {
                    result = Err(format!("link: {}", g.get_program_info_log(program)));
                }
            }
            for shader in shaders {
                g.detach_shader(program, shader);
                g.delete_shader(shader);
            }
            if let Err(e) = result {
                g.delete_program(program);
                return Err(e);
            }
            let constants =
                STAGE_PREFIXES.map(|(_, p)| g.get_uniform_location(program, &format!("{p}const0")));
            let mut samplers = Vec::new();
            let mut shadow_swizzles = Vec::new();
            let mut lod_biases = Vec::new();
            for (st, prefix) in STAGE_PREFIXES {
                for (i, loc) in sampler_uniforms(g, program, prefix, crate::shader::LOD_BIAS) {
                    lod_biases.push((st, i, loc));
                }
                for (i, loc) in sampler_uniforms(g, program, prefix, "") {
                    samplers.push((st, i, loc));
                }
                let swizzle = crate::shader::SHADOW_SWIZZLE;
                for (i, loc) in sampler_uniforms(g, program, prefix, swizzle) {
                    shadow_swizzles.push((st, i, loc));
                }
            }
            let adjust_y = g.get_uniform_location(program, crate::shader::ADJUST_Y);
            let point_size = g.get_uniform_location(program, crate::shader::POINT_SIZE);
            let clip_planes = g.get_uniform_location(program, crate::shader::CLIP_PLANES);
            let two_side = g.get_uniform_location(program, crate::shader::TWO_SIDE);
            let es100 = super::es2::Es100Uniforms::find(g, program, self.es2());
            let mut blocks = Vec::new();
            for (st, prefix) in STAGE_PREFIXES.into_iter().filter(|_| !self.es2()) {
                for b in 1..16u32 {
                    if let Some(index) =
                        g.get_uniform_block_index(program, &format!("{prefix}ubo{b}"))
                    {
                        g.uniform_block_binding(program, index, ubo_binding(st, b));
                        blocks.push((st, b));
                    }
                }
            }
            Ok(Program {
                program,
                constants,
                samplers,
                shadow_swizzles,
                lod_biases,
                adjust_y,
                point_size,
                clip_planes,
                two_side,
                es100,
                blocks,
            })
        }
    }
}

/// The most vertices a draw may run by default, instances counted (2^24: a 4096x4096 grid).
/// It bounds what one command costs a renderer other clients may share, and a server may set
/// it lower ([`super::GlBackend::set_max_draw_vertices`], `virgl-host-vtest
/// --max-draw-vertices`): llvmpipe takes time per fragment and keeps about 200 bytes per
/// triangle of the largest draw it has binned until its GL context ends. Measured on 2 cores
/// with quads over an 80x80 target: 2^18 instances (2^20 vertices) take 2.3 s and leave
/// 95 MiB; 2^20 instances 9 s and 350 MiB; 2^24 instances 26 s and 1.5 GiB (what `cargo xtask
/// soak` found one changed dword could ask for; the soak runs its server at 2^20).
pub const MAX_DRAW_VERTICES: u64 = 1 << 24;

/// Refuses a draw that asks for more than `max_vertices` vertices, or that fetches
/// vertices or instances past the vertex buffers bound for them (the indices of an indexed
/// draw may name any vertex, which GL bounds-checks). One changed count would otherwise keep
/// GL drawing zeros for minutes while every other client of the renderer waits (found by
/// `cargo xtask soak`: a count of 1826848073 over a 4-vertex buffer held the server 28 s).
pub(super) fn check_draw_ranges(
    state: &SubContext,
    resources: &Resources,
    draw: &DrawVbo,
    max_vertices: u64,
) -> Result<()> {
    let refuse = |detail: String| Err(gl_err("glDraw*", detail));
    let instances = u64::from(draw.instance_count.max(1));
    if u64::from(draw.count) * instances > max_vertices {
        return refuse(format!(
            "{} vertices in {instances} instances: more than the {max_vertices} a draw may run \
             (virgl-host-vtest --max-draw-vertices)",
            draw.count
        ));
    }
    if draw.count == 0 {
        return Ok(());
    }
    for (i, e, vb, res) in state.vertex_fetches(resources) {
        let (what, last) = match e.instance_divisor {
            0 if draw.indexed => continue,
            0 => ("vertex", u64::from(draw.start) + u64::from(draw.count) - 1),
            d => (
                "instance",
                u64::from(draw.start_instance) + (instances - 1) / u64::from(d),
            ),
        };
        let index = e.vertex_buffer_index;
        let bytes = e.src_format.block().map_or(16, |b| u64::from(b.bytes));
        let end =
            u64::from(vb.offset) + u64::from(e.src_offset) + u64::from(vb.stride) * last + bytes;
        if end > u64::from(res.desc.width) {
            return refuse(format!(
                "vertex element {i} reads to byte {end} of vertex buffer {index} (resource {}, \
                 {} bytes) at {what} {last}",
                res.id, res.desc.width
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::feedback_mode;

    mod draw_ranges {
        use virgl_proto::ccmd::{DrawVbo, VertexBuffer, VertexElement, VertexElements};
        use virgl_proto::format::Format;
        use virgl_proto::pipe::{bind, PrimMode};
        use virgl_proto::vtest::ResourceDesc;

        use super::super::{check_draw_ranges, MAX_DRAW_VERTICES};
        use crate::backend::Resources;
        use crate::resource::Resource;
        use crate::state::{Object, SubContext};

        /// Two elements: position per vertex from buffer 0 (4 vertices of 32 bytes, the
        /// colour at offset 16), and one per instance from buffer 1 (3 instances of 16 bytes).
        fn scene() -> (SubContext, Resources) {
            let mut state = SubContext::default();
            let e = |src_offset, instance_divisor, vertex_buffer_index| VertexElement {
                src_offset,
                instance_divisor,
                vertex_buffer_index,
                src_format: Format::R32G32B32A32_FLOAT,
            };
            let ve = VertexElements {
                handle: 1,
                elements: vec![e(0, 0, 0), e(16, 0, 0), e(0, 1, 1)],
            };
            state.objects.insert(1, Object::VertexElements(ve)).unwrap();
            state.vertex_elements = Some(1);
            state.vertex_buffers = vec![
                VertexBuffer {
                    stride: 32,
                    offset: 0,
                    resource: 10,
                },
                VertexBuffer {
                    stride: 16,
                    offset: 0,
                    resource: 11,
                },
            ];
            let buffer = |id, size| {
                (
                    id,
                    Resource::new(id, ResourceDesc::buffer(size, bind::VERTEX_BUFFER), 0),
                )
            };
            (state, Resources::from([buffer(10, 128), buffer(11, 48)]))
        }

        fn check(draw: DrawVbo) -> Result<(), String> {
            let (state, resources) = scene();
            check_draw_ranges(&state, &resources, &draw, MAX_DRAW_VERTICES)
                .map_err(|e| e.to_string())
        }

        fn instanced(count: u32, instances: u32) -> DrawVbo {
            DrawVbo {
                instance_count: instances,
                ..DrawVbo::arrays(PrimMode::TriangleStrip, 0, count)
            }
        }

        #[test]
        fn draws_within_their_buffers_pass() {
            check(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 4)).unwrap();
            check(DrawVbo::arrays(PrimMode::Points, 3, 1)).unwrap();
            check(instanced(4, 3)).unwrap();
            check(DrawVbo::arrays(PrimMode::Points, 1000, 0)).unwrap();
        }

        #[test]
        fn vertices_or_instances_past_their_buffers_are_refused() {
            let e = check(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 1 << 20)).unwrap_err();
            assert!(
                e.contains("vertex element 0 reads to byte 33554416 of vertex buffer 0"),
                "{e}"
            );
            let e = check(DrawVbo::arrays(PrimMode::Points, 4, 1)).unwrap_err();
            assert!(e.contains("at vertex 4"), "{e}");
            let e = check(instanced(4, 4)).unwrap_err();
            assert!(
                e.contains("vertex element 2 reads to byte 64 of vertex buffer 1 (resource 11, 48 bytes) at instance 3"),
                "{e}"
            );
        }

        #[test]
        fn the_work_of_one_draw_is_bounded() {
            let e = check(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 1826848073)).unwrap_err();
            assert!(e.contains("1826848073 vertices in 1 instances"), "{e}");
            let e = check(instanced(4, 1 << 30)).unwrap_err();
            assert!(e.contains("--max-draw-vertices"), "{e}");
            assert!(
                e.contains(&format!("more than the {MAX_DRAW_VERTICES}")),
                "{e}"
            );
            // An indexed draw's vertices are not known here, its count and instances are.
            let (state, resources) = scene();
            let mut draw = instanced(1 << 20, 1 << 10);
            draw.indexed = true;
            assert!(check_draw_ranges(&state, &resources, &draw, MAX_DRAW_VERTICES).is_err());
            draw.instance_count = 1;
            check_draw_ranges(&state, &resources, &draw, MAX_DRAW_VERTICES).unwrap();
            // A server's own, lower bound.
            assert!(check_draw_ranges(&state, &resources, &draw, 1 << 19).is_err());
        }
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn es_takes_stream_output_it_can_express() {
        let one = names(&["tfout0", "tfout1"]);
        assert_eq!(
            feedback_mode(&one, true).unwrap(),
            (vec!["tfout0", "tfout1"], glow::INTERLEAVED_ATTRIBS)
        );
        let separate = names(&["tfout0", "gl_NextBuffer", "tfout1"]);
        assert_eq!(
            feedback_mode(&separate, true).unwrap(),
            (vec!["tfout0", "tfout1"], glow::SEPARATE_ATTRIBS)
        );
        let gaps = names(&["tfout0", "gl_SkipComponents2"]);
        assert!(feedback_mode(&gaps, true)
            .unwrap_err()
            .contains("gl_SkipComponents"));
        let two_per_buffer = names(&["tfout0", "tfout1", "gl_NextBuffer", "tfout2"]);
        assert!(feedback_mode(&two_per_buffer, true).is_err());
        assert_eq!(
            feedback_mode(&gaps, false).unwrap().1,
            glow::INTERLEAVED_ATTRIBS
        );
    }
}
