//! Flat shading on ES 2.0, whose GLSL has no `flat` varyings: each primitive is drawn with
//! vertices of its own, and every vertex also carries its primitive's provoking vertex's
//! inputs ([`crate::shader::FLAT_INPUT`]), from which the vertex shader computes the flat
//! outputs. All three vertices of a triangle then compute the same values, so interpolating
//! them gives the provoking vertex's exactly.

use glow::HasContext;
use virgl_proto::ccmd::{DrawVbo, ObjectType};

use super::InstancedAttrib;
use crate::error::Result;
use crate::gl::backend::{gl_err, GlBackend};
use crate::gl::format::vertex_format;
use crate::gl::texture::Storage;
use crate::shader::FLAT_INPUT_BASE;
use crate::state::{Object, SubContext};

/// Bounds what one draw may expand to here: each vertex costs its elements twice.
const MAX_VERTICES: usize = 1 << 22;

impl GlBackend {
    /// Draws `draw` as independent primitives whose vertices' elements are copied out of the
    /// vertex buffers on the CPU: at each element's location the vertex's own, at
    /// [`FLAT_INPUT_BASE`] above it its primitive's provoking vertex's.
    pub(in crate::gl) fn draw_flat_es2(
        &self,
        scene: crate::backend::Scene<'_>,
        draw: &DrawVbo,
        instance_id: Option<&glow::UniformLocation>,
        per_instance: &[InstancedAttrib],
    ) -> Result<()> {
        let state = scene.state;
        let r = crate::gl::draw::rasterizer(state).unwrap_or_default();
        if r.rasterizer_discard {
            return Ok(());
        }
        if draw.primitive_restart {
            return Err(gl_err(
                "glDrawArrays",
                "primitive restart on an OpenGL ES 2.0 host (the caps do not offer it)",
            ));
        }
        let indices = self.draw_indices(state, draw)?;
        // Independent primitives with the provoking vertex last (GL's convention).
        let rw =
            crate::gl::rewrite::rewrite(draw.mode, &indices, None, r.fill_front, r.flatshade_first);
        let per = match rw.mode {
            glow::TRIANGLES => 3,
            glow::LINES => 2,
            _ => 1,
        };
        let instances = super::draw::instances_es2(draw)?;
        let n = rw.indices.len();
        if n > MAX_VERTICES {
            return Err(gl_err(
                "glDrawArrays",
                format!("{n} vertices to expand for flat shading, more than {MAX_VERTICES}"),
            ));
        }
        let elements = match state.vertex_elements {
            Some(h) => match state.objects.get(h, ObjectType::VertexElements) {
                Ok(Object::VertexElements(v)) => v.elements.clone(),
                _ => Vec::new(),
            },
            None => Vec::new(),
        };
        let max_index = rw.indices.iter().copied().max().unwrap_or(0) as usize;
        let mut arrays: Vec<(u32, crate::gl::format::VertexFormat, usize)> = Vec::new();
        let mut data = Vec::new();
        for (i, e) in elements.iter().enumerate() {
            if e.instance_divisor > 0 {
                continue;
            }
            let Some(vb) = state.vertex_buffers.get(e.vertex_buffer_index as usize) else {
                continue;
            };
            let (Ok(Storage::Buffer(buffer)), Some(f), Some(block)) = (
                self.storage_of(vb.resource),
                vertex_format(e.src_format),
                e.src_format.block(),
            ) else {
                continue;
            };
            let bytes = block.bytes as usize;
            let stride = vb.stride as usize;
            let start = vb.offset as usize + e.src_offset as usize;
            let len = max_index * stride + bytes;
            let size = scene
                .resources
                .get(&vb.resource)
                .map_or(0, |r| r.desc.width as usize);
            if start + len > size {
                return Err(gl_err(
                    "glDrawArrays",
                    format!(
                        "vertex element {i} reads bytes {start}..{} of buffer {} ({size} bytes) at index {max_index}",
                        start + len,
                        vb.resource
                    ),
                ));
            }
            let mut source = vec![0u8; len];
            self.gl.read_buffer(*buffer, start as u32, &mut source)?;
            let element = |v: u32| &source[v as usize * stride..v as usize * stride + bytes];
            let own = data.len();
            for &v in &rw.indices {
                data.extend_from_slice(element(v));
            }
            for prim in rw.indices.chunks(per) {
                let provoking = prim[prim.len() - 1];
                for _ in prim {
                    data.extend_from_slice(element(provoking));
                }
            }
            arrays.push((i as u32, f, own));
        }
        let g = &self.gl.gl;
        // SAFETY: the context is current with the draw's program and framebuffer bound; the
        // buffer is made, filled, drawn from and deleted here, and each pointer lies inside it.
        unsafe {
            let b = g.create_buffer().map_err(|e| gl_err("glGenBuffers", e))?;
            g.bind_buffer(glow::ARRAY_BUFFER, Some(b));
            g.buffer_data_u8_slice(glow::ARRAY_BUFFER, &data, glow::STREAM_DRAW);
            for &(i, f, own) in &arrays {
                let bytes = elements[i as usize]
                    .src_format
                    .block()
                    .map_or(0, |b| b.bytes as usize);
                for (at, offset) in [(i, own), (i + FLAT_INPUT_BASE, own + n * bytes)] {
                    g.vertex_attrib_pointer_f32(
                        at,
                        f.size,
                        f.ty,
                        f.normalized,
                        bytes as i32,
                        offset as i32,
                    );
                    g.enable_vertex_attrib_array(at);
                }
            }
            let mut result = Ok(());
            for instance in 0..instances {
                if let Err(e) = self.set_instance(instance, instance_id, per_instance, true) {
                    result = Err(e);
                    break;
                }
                g.draw_arrays(rw.mode, 0, n as i32);
            }
            for &(i, ..) in &arrays {
                g.disable_vertex_attrib_array(i + FLAT_INPUT_BASE);
            }
            g.bind_buffer(glow::ARRAY_BUFFER, None);
            g.delete_buffer(b);
            result
        }
    }

    /// The vertex indices `draw` reads, base vertex added.
    pub(in crate::gl) fn draw_indices(
        &self,
        state: &SubContext,
        draw: &DrawVbo,
    ) -> Result<Vec<u32>> {
        let bias = if draw.indexed { draw.index_bias } else { 0 };
        Ok(self
            .read_indices(state, draw)?
            .into_iter()
            .map(|i| i.wrapping_add_signed(bias))
            .collect())
    }
}
