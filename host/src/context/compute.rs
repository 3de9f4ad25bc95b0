//! Checks of the compute and shader-memory commands: SET_SHADER_BUFFERS, SET_SHADER_IMAGES,
//! SET_ATOMIC_BUFFERS, LAUNCH_GRID and MEMORY_BARRIER.
//!
//! A bound range must lie inside its buffer and an image must name a level and layers its
//! texture has; what GL adds (offset alignment, format compatibility) is the backend's to
//! report. LAUNCH_GRID with no compute shader bound does nothing, as virglrenderer drops it.

use virgl_proto::ccmd::{BufferBinding, ImageBinding, LaunchGrid};
use virgl_proto::pipe::{limits, ShaderType, TextureTarget};

use super::{fits, scene, stage, Check, Context};
use crate::backend::{Backend, Resources};
use crate::resource::Resource;
use crate::state::UniformBuffer;

/// The three dwords of a `pipe_grid_info` indirect grid.
const INDIRECT_GRID_BYTES: u64 = 12;

impl Context {
    /// Checks buffer bindings, giving the slots' new contents.
    fn buffer_ranges(
        &self,
        resources: &Resources,
        buffers: &[BufferBinding],
        what: &str,
    ) -> Check<Vec<Option<UniformBuffer>>> {
        buffers
            .iter()
            .map(|b| {
                if b.resource == 0 {
                    return Ok(None);
                }
                let res = self.buffer(resources, b.resource)?;
                let end = u64::from(b.offset) + u64::from(b.length);
                if end > u64::from(res.desc.width) {
                    return Err(format!(
                        "{what} range {}+{} past the {} bytes of resource {}",
                        b.offset, b.length, res.desc.width, b.resource
                    ));
                }
                Ok(Some(UniformBuffer {
                    resource: b.resource,
                    offset: b.offset,
                    length: b.length,
                }))
            })
            .collect()
    }

    /// SET_SHADER_BUFFERS.
    pub(super) fn set_shader_buffers(
        &mut self,
        resources: &Resources,
        shader_type: ShaderType,
        start_slot: u32,
        buffers: &[BufferBinding],
    ) -> Check {
        let start = fits(
            start_slot,
            buffers.len(),
            limits::MAX_SHADER_BUFFERS,
            "shader buffer",
        )?;
        let bound = self.buffer_ranges(resources, buffers, "shader buffer")?;
        let sub = self.sub();
        put(
            &mut sub.stages[stage(shader_type)].shader_buffers,
            start,
            bound,
        );
        sub.generation += 1;
        Ok(())
    }

    /// SET_ATOMIC_BUFFERS.
    pub(super) fn set_atomic_buffers(
        &mut self,
        resources: &Resources,
        start_slot: u32,
        buffers: &[BufferBinding],
    ) -> Check {
        let start = fits(
            start_slot,
            buffers.len(),
            limits::MAX_HW_ATOMIC_BUFFERS,
            "atomic buffer",
        )?;
        let bound = self.buffer_ranges(resources, buffers, "atomic buffer")?;
        let sub = self.sub();
        put(&mut sub.atomic_buffers, start, bound);
        sub.generation += 1;
        Ok(())
    }

    /// SET_SHADER_IMAGES.
    pub(super) fn set_shader_images(
        &mut self,
        resources: &Resources,
        shader_type: ShaderType,
        start_slot: u32,
        images: &[ImageBinding],
    ) -> Check {
        let start = fits(
            start_slot,
            images.len(),
            limits::MAX_SHADER_IMAGES,
            "shader image",
        )?;
        let mut bound = Vec::with_capacity(images.len());
        for image in images {
            if image.resource == 0 {
                bound.push(None);
                continue;
            }
            check_image(self.resource(resources, image.resource)?, image)?;
            bound.push(Some(*image));
        }
        let sub = self.sub();
        put(&mut sub.stages[stage(shader_type)].images, start, bound);
        sub.generation += 1;
        Ok(())
    }

    /// LAUNCH_GRID.
    pub(super) fn launch_grid(
        &mut self,
        resources: &Resources,
        backend: &mut dyn Backend,
        grid: &LaunchGrid,
    ) -> Check {
        if grid.indirect_resource != 0 {
            let res = self.buffer(resources, grid.indirect_resource)?;
            let offset = u64::from(grid.indirect_offset);
            if offset % 4 != 0 || offset + INDIRECT_GRID_BYTES > u64::from(res.desc.width) {
                return Err(format!(
                    "indirect grid at offset {offset} of the {} bytes of resource {}",
                    res.desc.width, grid.indirect_resource
                ));
            }
        }
        let (sub_ctx, state) = self.current();
        if state.stages[stage(ShaderType::Compute)].shader.is_none() {
            return Ok(());
        }
        backend
            .launch_grid(scene(self.id, sub_ctx, state, resources), grid)
            .map_err(|e| e.to_string())
    }
}

/// Image `view` of `res`: a buffer range, or a level and layers the texture has.
///
/// Gallium's `pipe_image_view` keeps a buffer's offset and size, or a texture's layers
/// (`first | last << 16`) and level, in the same two dwords.
fn check_image(res: &Resource, view: &ImageBinding) -> Check {
    if res.is_buffer() {
        let end = u64::from(view.layer_offset) + u64::from(view.level_size);
        if end > u64::from(res.desc.width) {
            return Err(format!(
                "image range {}+{} past the {} bytes of resource {}",
                view.layer_offset, view.level_size, res.desc.width, res.id
            ));
        }
        return Ok(());
    }
    let level = view.level_size & 0xff;
    let extent = res.level_extent(level).map_err(|e| e.to_string())?;
    let layers = if res.desc.target == TextureTarget::Texture3D {
        extent.depth
    } else {
        res.desc.array_size.max(1)
    };
    let (first, last) = (view.layer_offset & 0xffff, view.layer_offset >> 16);
    if first > last || last >= layers {
        return Err(format!(
            "image layers {first}..={last} of resource {} with {layers}",
            res.id
        ));
    }
    Ok(())
}

/// Writes `values` into `slots` from `start`, growing it as needed.
fn put<T: Clone>(slots: &mut Vec<Option<T>>, start: usize, values: Vec<Option<T>>) {
    if slots.len() < start + values.len() {
        slots.resize(start + values.len(), None);
    }
    for (slot, v) in slots[start..].iter_mut().zip(values) {
        *slot = v;
    }
}
