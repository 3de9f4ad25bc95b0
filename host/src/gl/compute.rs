//! Compute and shader memory on GL 4.3: programs of one compute shader, LAUNCH_GRID as
//! `glDispatchCompute[Indirect]`, MEMORY_BARRIER as `glMemoryBarrier`, and the shader buffers
//! and images a stage has bound, at the binding points the translator gives them (their
//! TGSI indices; see [`crate::shader`]).
//!
//! A compute program is built at the first launch of its shader and cached per sub-context
//! until the shader is destroyed. Its constants, uniform blocks (`cs_uboN` at binding `N`) and
//! samplers (`cs_sampN` on unit `N`) are set for each launch.

use std::collections::HashMap;

use glow::HasContext;
use virgl_proto::ccmd::{ImageBinding, LaunchGrid, ObjectType};
use virgl_proto::pipe::{ShaderType, TextureTarget};

use super::backend::{gl_err, GlBackend};
use super::texture::Storage;
use super::Gl;
use crate::backend::Scene;
use crate::context::stage;
use crate::error::{Error, Result};
use crate::shader::{image_format, translate_compute};
use crate::state::Object;

/// What the context can do of compute and shader memory (zero where it cannot).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ComputeLimits {
    /// GL 4.3: compute shaders, shader storage buffers and images.
    pub supported: bool,
    /// `GL_MAX_FRAGMENT_SHADER_STORAGE_BLOCKS` and `GL_MAX_COMPUTE_SHADER_STORAGE_BLOCKS`,
    /// the smaller.
    pub max_shader_storage_blocks: u32,
    /// `GL_MAX_FRAGMENT_IMAGE_UNIFORMS` and `GL_MAX_COMPUTE_IMAGE_UNIFORMS`, the smaller.
    pub max_image_uniforms: u32,
    pub shader_storage_buffer_offset_alignment: u32,
    pub max_work_group_invocations: u32,
    pub max_shared_memory_size: u32,
    pub max_work_group_count: [u32; 3],
    pub max_work_group_size: [u32; 3],
}

/// `(context, sub-context, compute shader)`.
type Key = (u32, u32, u32);

/// A linked compute program and where its uniforms are.
#[derive(Debug)]
struct Program {
    program: glow::Program,
    constants: Option<glow::UniformLocation>,
    samplers: Vec<(u32, glow::UniformLocation)>,
    /// Constant buffers 1+ as uniform blocks, each at the binding of its index.
    blocks: Vec<u32>,
}

/// The compute program cache.
#[derive(Debug, Default)]
pub struct ComputePrograms {
    programs: HashMap<Key, Program>,
}

impl ComputePrograms {
    /// Drops programs of `ctx`, of one sub-context or all, of one shader handle or all.
    pub fn forget(&mut self, gl: &Gl, ctx: u32, sub: Option<u32>, handle: Option<u32>) {
        self.programs.retain(|k, p| {
            let hit = k.0 == ctx && sub.is_none_or(|s| s == k.1) && handle.is_none_or(|h| h == k.2);
            if hit {
                // SAFETY: the context is current; the program is ours and no longer cached.
                unsafe { gl.gl.delete_program(p.program) };
            }
            !hit
        });
    }
}

/// `PIPE_BARRIER_*` bits as `glMemoryBarrier` bits.
pub fn gl_barrier_bits(pipe: u32) -> u32 {
    const TABLE: [(u32, u32); 14] = [
        (0, glow::CLIENT_MAPPED_BUFFER_BARRIER_BIT),
        (
            1,
            glow::SHADER_STORAGE_BARRIER_BIT | glow::ATOMIC_COUNTER_BARRIER_BIT,
        ),
        (2, glow::QUERY_BUFFER_BARRIER_BIT),
        (3, glow::VERTEX_ATTRIB_ARRAY_BARRIER_BIT),
        (4, glow::ELEMENT_ARRAY_BARRIER_BIT),
        (5, glow::UNIFORM_BARRIER_BIT),
        (6, glow::COMMAND_BARRIER_BIT),
        (
            7,
            glow::TEXTURE_FETCH_BARRIER_BIT | glow::PIXEL_BUFFER_BARRIER_BIT,
        ),
        (8, glow::SHADER_IMAGE_ACCESS_BARRIER_BIT),
        (9, glow::FRAMEBUFFER_BARRIER_BIT),
        (10, glow::TRANSFORM_FEEDBACK_BARRIER_BIT),
        (11, glow::SHADER_STORAGE_BARRIER_BIT),
        (12, glow::BUFFER_UPDATE_BARRIER_BIT),
        (13, glow::TEXTURE_UPDATE_BARRIER_BIT),
    ];
    TABLE
        .iter()
        .filter(|(bit, _)| pipe & (1 << bit) != 0)
        .fold(0, |gl, (_, b)| gl | b)
}

/// The `glBindImageTexture` access of `PIPE_IMAGE_ACCESS_*` bits.
fn image_access(access: u32) -> u32 {
    match access & 3 {
        1 => glow::READ_ONLY,
        2 => glow::WRITE_ONLY,
        _ => glow::READ_WRITE,
    }
}

impl Gl {
    /// Reads what [`ComputeLimits`] holds; all zero below GL 4.3 and GLES 3.1.
    pub(crate) fn probe_compute_limits(&self) -> Result<ComputeLimits> {
        let v = self.version();
        if (v.major, v.minor) < if v.es { (3, 1) } else { (4, 3) } {
            return Ok(ComputeLimits::default());
        }
        let g = &self.gl;
        let int = |pname| {
            // SAFETY: the context is current; each name is an integer state of GL 4.3.
            u32::try_from(unsafe { g.get_parameter_i32(pname) }).unwrap_or(0)
        };
        let indexed = |pname| {
            // SAFETY: as above, for the three indexed values of the work-group limits.
            [0, 1, 2].map(|i| {
                u32::try_from(unsafe { g.get_parameter_indexed_i32(pname, i) }).unwrap_or(0)
            })
        };
        let limits = ComputeLimits {
            supported: true,
            max_shader_storage_blocks: int(glow::MAX_FRAGMENT_SHADER_STORAGE_BLOCKS)
                .min(int(glow::MAX_COMPUTE_SHADER_STORAGE_BLOCKS)),
            max_image_uniforms: int(glow::MAX_FRAGMENT_IMAGE_UNIFORMS)
                .min(int(glow::MAX_COMPUTE_IMAGE_UNIFORMS)),
            shader_storage_buffer_offset_alignment: int(
                glow::SHADER_STORAGE_BUFFER_OFFSET_ALIGNMENT,
            ),
            max_work_group_invocations: int(glow::MAX_COMPUTE_WORK_GROUP_INVOCATIONS),
            max_shared_memory_size: int(glow::MAX_COMPUTE_SHARED_MEMORY_SIZE),
            max_work_group_count: indexed(glow::MAX_COMPUTE_WORK_GROUP_COUNT),
            max_work_group_size: indexed(glow::MAX_COMPUTE_WORK_GROUP_SIZE),
        };
        self.check("glGet* for compute caps")?;
        Ok(limits)
    }

    /// Compiles and links one compute shader and deletes it again; an error carries GL's log.
    pub fn compile_compute(&self, source: &str) -> std::result::Result<(), String> {
        let program = self.link_compute(source)?;
        // SAFETY: the context is current and the program was just made here.
        unsafe { self.gl.delete_program(program) };
        Ok(())
    }

    fn link_compute(&self, source: &str) -> std::result::Result<glow::Program, String> {
        let g = &self.gl;
        // SAFETY: the context is current; the shader is created, attached and deleted here,
        // and the program is returned to the caller who owns it.
        unsafe {
            let program = g.create_program()?;
            let shader = g.create_shader(glow::COMPUTE_SHADER)?;
            g.shader_source(shader, source);
            g.compile_shader(shader);
            let mut result = if g.get_shader_compile_status(shader) {
                Ok(())
            } else {
                Err(format!("compute shader: {}", g.get_shader_info_log(shader)))
            };
            g.attach_shader(program, shader);
            if result.is_ok() {
                g.link_program(program);
                if !g.get_program_link_status(program) {
                    result = Err(format!("link: {}", g.get_program_info_log(program)));
                }
            }
            g.detach_shader(program, shader);
            g.delete_shader(shader);
            match result {
                Ok(()) => Ok(program),
                Err(e) => {
                    g.delete_program(program);
                    Err(e)
                }
            }
        }
    }
}

impl GlBackend {
    fn compute_program(&mut self, scene: Scene<'_>, handle: u32) -> Result<&Program> {
        let key = (scene.ctx, scene.sub_ctx, handle);
        if !self.compute.programs.contains_key(&key) {
            let Ok(Object::Shader(cs)) = scene.state.objects.get(handle, ObjectType::Shader) else {
                return Err(gl_err(
                    "compute program",
                    format!("shader {handle} is gone"),
                ));
            };
            let source = translate_compute(&cs.tgsi, cs.req_local_mem, self.gl.shader_target())?;
            let program = self.gl.link_compute(&source).map_err(|log| Error::Gl {
                call: "glLinkProgram",
                detail: format!("compute shader {handle}: {log}"),
            })?;
            let g = &self.gl.gl;
            // SAFETY: the context is current and the program was just linked.
            let p = unsafe {
                let samplers = super::draw::sampler_uniforms(g, program, "cs_", "");
                let mut blocks = Vec::new();
                for b in 1..16u32 {
                    if let Some(index) = g.get_uniform_block_index(program, &format!("cs_ubo{b}")) {
                        g.uniform_block_binding(program, index, b);
                        blocks.push(b);
                    }
                }
                Program {
                    program,
                    constants: g.get_uniform_location(program, "cs_const0"),
                    samplers,
                    blocks,
                }
            };
            self.compute.programs.insert(key, p);
        }
        Ok(&self.compute.programs[&key])
    }

    /// LAUNCH_GRID with the sub-context's compute shader, which is bound.
    pub(super) fn dispatch(&mut self, scene: Scene<'_>, grid: &LaunchGrid) -> Result<()> {
        let st = stage(ShaderType::Compute);
        let state = &scene.state.stages[st];
        let Some(handle) = state.shader else {
            return Ok(());
        };
        let p = self.compute_program(scene, handle)?;
        let (program, constants, samplers, blocks) =
            (p.program, p.constants, p.samplers.clone(), p.blocks.clone());
        // SAFETY: the context is current; the program is ours and its uniforms are set with
        // the types the translator declared.
        unsafe {
            let g = &self.gl.gl;
            g.use_program(Some(program));
            if let Some(loc) = &constants {
                let n = state.constants.len() / 4 * 4;
                let floats: Vec<f32> = state.constants[..n]
                    .iter()
                    .map(|d| f32::from_bits(*d))
                    .collect();
                if !floats.is_empty() {
                    g.uniform_4_f32_slice(Some(loc), &floats);
                }
            }
        }
        for b in blocks {
            let ubo = state.uniform_buffers.get(b as usize).copied().flatten();
            let range = ubo.and_then(|u| match self.storage_of(u.resource) {
                Ok(Storage::Buffer(buf)) => Some((*buf, u)),
                _ => None,
            });
            // SAFETY: the context is current; the range was checked against the buffer.
            unsafe {
                match range {
                    Some((buf, u)) => self.gl.gl.bind_buffer_range(
                        glow::UNIFORM_BUFFER,
                        b,
                        Some(buf),
                        u.offset as i32,
                        u.length as i32,
                    ),
                    None => self.gl.gl.bind_buffer_base(glow::UNIFORM_BUFFER, b, None),
                }
            }
        }
        for (index, loc) in &samplers {
            self.bind_texture(scene, st, *index, *index, false)?;
            // SAFETY: the context is current and `loc` is a sampler uniform of this program.
            unsafe { self.gl.gl.uniform_1_i32(Some(loc), *index as i32) };
        }
        self.bind_shader_memory(scene, ShaderType::Compute)?;
        let indirect = match grid.indirect_resource {
            0 => None,
            r => match self.storage_of(r)? {
                Storage::Buffer(b) => Some(*b),
                _ => return Err(gl_err("glDispatchComputeIndirect", "not a buffer")),
            },
        };
        if let Some(buffer) = indirect {
            self.check_indirect_grid(buffer, grid.indirect_offset)?;
        }
        let g = &self.gl.gl;
        // SAFETY: the context is current with the program and its resources bound; the
        // indirect grid lies inside its buffer (checked by the validator) and within the
        // limits (checked above).
        unsafe {
            match indirect {
                Some(buffer) => {
                    g.bind_buffer(glow::DISPATCH_INDIRECT_BUFFER, Some(buffer));
                    g.dispatch_compute_indirect(grid.indirect_offset as i32);
                    g.bind_buffer(glow::DISPATCH_INDIRECT_BUFFER, None);
                }
                None => g.dispatch_compute(grid.grid[0], grid.grid[1], grid.grid[2]),
            }
        }
        self.gl.check("glDispatchCompute")
    }

    /// Reads the indirect grid at `offset` of `buffer` and refuses one past the work-group
    /// counts guests are told of: GL leaves such dispatches undefined.
    fn check_indirect_grid(&self, buffer: glow::Buffer, offset: u32) -> Result<()> {
        let mut bytes = [0u8; 12];
        // The validator checked that the 12 bytes lie inside the buffer.
        self.gl.read_buffer(buffer, offset, &mut bytes)?;
        let max = self.caps().v2().max_compute_grid_size;
        let counts: [u32; 3] = std::array::from_fn(|i| {
            u32::from_le_bytes(bytes[i * 4..i * 4 + 4].try_into().unwrap())
        });
        if counts.iter().zip(max).any(|(&n, m)| n > m) {
            return Err(gl_err(
                "glDispatchComputeIndirect",
                format!("indirect grid {counts:?} past the limits {max:?}"),
            ));
        }
        Ok(())
    }

    /// MEMORY_BARRIER.
    pub(super) fn barrier(&mut self, pipe: u32) -> Result<()> {
        let bits = gl_barrier_bits(pipe);
        if bits != 0 && self.caps().v2().capabilities().contains(COMPUTE) {
            // SAFETY: the context is current (GL 4.3, as the caps say) and the bits are GL's.
            unsafe { self.gl.gl.memory_barrier(bits) };
        }
        self.gl.check("glMemoryBarrier")
    }

    /// Binds the shader buffers and images `t` has bound, and unbinds the other slots guests
    /// are told of.
    pub(super) fn bind_shader_memory(&mut self, scene: Scene<'_>, t: ShaderType) -> Result<()> {
        let v2 = *self.caps().v2();
        if !v2.capabilities().contains(COMPUTE) {
            return Ok(());
        }
        let state = &scene.state.stages[stage(t)];
        let align = v2.shader_buffer_offset_alignment.max(1);
        for i in 0..v2.max_shader_buffer_frag_compute {
            let bound = state.shader_buffers.get(i as usize).copied().flatten();
            let range = match bound {
                Some(b) if b.length > 0 => {
                    if b.offset % align != 0 {
                        return Err(gl_err(
                            "glBindBufferRange",
                            format!(
                                "shader buffer {i} at offset {} (alignment {align})",
                                b.offset
                            ),
                        ));
                    }
                    match self.storage_of(b.resource) {
                        Ok(Storage::Buffer(buf)) => Some((*buf, b)),
                        _ => None,
                    }
                }
                _ => None,
            };
            // SAFETY: the context is current; the range was checked against the buffer when
            // it was bound and its offset is aligned.
            unsafe {
                match range {
                    Some((buf, b)) => self.gl.gl.bind_buffer_range(
                        glow::SHADER_STORAGE_BUFFER,
                        i,
                        Some(buf),
                        b.offset as i32,
                        b.length as i32,
                    ),
                    None => self
                        .gl
                        .gl
                        .bind_buffer_base(glow::SHADER_STORAGE_BUFFER, i, None),
                }
            }
        }
        for i in 0..v2.max_shader_image_frag_compute {
            let bound = state.images.get(i as usize).copied().flatten();
            let image = match bound {
                Some(view) => Some(self.image_texture(scene, i, &view)?),
                None => None,
            };
            // SAFETY: the context is current; the texture is ours, its level and layer were
            // checked when the image was bound, and the format is an image format.
            unsafe {
                match image {
                    Some((texture, level, layered, layer, access, format)) => {
                        self.gl.gl.bind_image_texture(
                            i,
                            Some(texture),
                            level,
                            layered,
                            layer,
                            access,
                            format,
                        )
                    }
                    None => self.gl.gl.bind_image_texture(
                        i,
                        None,
                        0,
                        false,
                        0,
                        glow::READ_ONLY,
                        glow::R32UI,
                    ),
                }
            }
        }
        self.gl.check("binding shader buffers and images")
    }

    /// `glBindImageTexture`'s texture, level, layered, layer, access and format for image
    /// slot `i`.
    fn image_texture(
        &self,
        scene: Scene<'_>,
        i: u32,
        view: &ImageBinding,
    ) -> Result<(glow::Texture, i32, bool, i32, u32, u32)> {
        let err = |why: String| gl_err("glBindImageTexture", format!("image {i}: {why}"));
        let res = scene
            .resources
            .get(&view.resource)
            .ok_or_else(|| err(format!("resource {} is gone", view.resource)))?;
        let format = match (image_format(view.format), self.gl.format(view.format)) {
            (Some(_), Some(f)) => f.internal,
            _ => return Err(err(format!("{:?} is not an image format", view.format))),
        };
        let Storage::Texture { texture, .. } = self.storage_of(res.id)? else {
            return Err(err("images of buffers are not supported yet".into()));
        };
        let (first, last) = (view.layer_offset & 0xffff, view.layer_offset >> 16);
        let layers = match res.desc.target {
            TextureTarget::Texture3D => res.desc.depth,
            _ => res.desc.array_size,
        };
        let layered = layers > 1 && first != last;
        Ok((
            *texture,
            (view.level_size & 0xff) as i32,
            layered,
            if layered { 0 } else { first as i32 },
            image_access(view.access),
            format,
        ))
    }
}

const COMPUTE: virgl_proto::caps::CapabilityBits =
    virgl_proto::caps::CapabilityBits::COMPUTE_SHADER;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barrier_bits_map_each_pipe_bit() {
        assert_eq!(gl_barrier_bits(0), 0);
        assert_eq!(
            gl_barrier_bits(1 << 1 | 1 << 12),
            glow::SHADER_STORAGE_BARRIER_BIT
                | glow::ATOMIC_COUNTER_BARRIER_BIT
                | glow::BUFFER_UPDATE_BARRIER_BIT
        );
        assert_eq!(gl_barrier_bits(1 << 31), 0);
        assert_eq!(image_access(1), glow::READ_ONLY);
        assert_eq!(image_access(2), glow::WRITE_ONLY);
        assert_eq!(image_access(3), glow::READ_WRITE);
    }
}
