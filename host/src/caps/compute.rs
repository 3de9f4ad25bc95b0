//! The compute and shader-memory part of capset 2.
//!
//! | field | value |
//! |---|---|
//! | `COMPUTE_SHADER` | on GL 4.3 and GLES 3.1 ([`ComputeLimits::supported`]; GLSL ES images of most formats are write-only or read-only) |
//! | `max_shader_buffer_frag_compute` | shader storage blocks of the fragment and compute stages, the smaller, at most 16 |
//! | `max_shader_image_frag_compute` | image uniforms of the two stages, the smaller, at most 32 |
//! | `max_combined_shader_buffers` | the same as `max_shader_buffer_frag_compute`: a program has one stage with buffers |
//! | `shader_buffer_offset_alignment` | `GL_SHADER_STORAGE_BUFFER_OFFSET_ALIGNMENT` |
//! | `max_compute_*` | `GL_MAX_COMPUTE_*`: invocations, shared memory, work-group counts and sizes |
//! | `_other_stages`, `max_image_samples`, atomic counters | 0: the translator refuses memory in other stages, multisample images and `HWATOMIC` |
//!
//! The caps of 16 buffers and 32 images are virglrenderer's.

use virgl_proto::caps::{CapabilityBits, CapsV2};

use crate::gl::compute::ComputeLimits;

/// virglrenderer's limits on the two counts.
const MAX_SHADER_BUFFERS: u32 = 16;
const MAX_SHADER_IMAGES: u32 = 32;

/// Fills the compute fields of `v2` from `l`.
pub(super) fn fill(v2: &mut CapsV2, l: &ComputeLimits) {
    if !l.supported {
        return;
    }
    v2.capability_bits |= CapabilityBits::COMPUTE_SHADER.bits();
    v2.max_shader_buffer_frag_compute = l.max_shader_storage_blocks.min(MAX_SHADER_BUFFERS);
    v2.max_combined_shader_buffers = v2.max_shader_buffer_frag_compute;
    v2.max_shader_image_frag_compute = l.max_image_uniforms.min(MAX_SHADER_IMAGES);
    v2.shader_buffer_offset_alignment = l.shader_storage_buffer_offset_alignment;
    v2.max_compute_work_group_invocations = l.max_work_group_invocations;
    v2.max_compute_shared_memory_size = l.max_shared_memory_size;
    v2.max_compute_grid_size = l.max_work_group_count;
    v2.max_compute_block_size = l.max_work_group_size;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ComputeLimits {
        ComputeLimits {
            supported: true,
            max_shader_storage_blocks: 32,
            max_image_uniforms: 48,
            shader_storage_buffer_offset_alignment: 16,
            max_work_group_invocations: 1024,
            max_shared_memory_size: 32768,
            max_work_group_count: [65535; 3],
            max_work_group_size: [1024, 1024, 64],
        }
    }

    #[test]
    fn counts_are_capped_at_virglrenderers() {
        let mut v2: CapsV2 = bytemuck::Zeroable::zeroed();
        fill(&mut v2, &limits());
        assert!(v2.capabilities().contains(CapabilityBits::COMPUTE_SHADER));
        assert_eq!(v2.max_shader_buffer_frag_compute, 16);
        assert_eq!(v2.max_combined_shader_buffers, 16);
        assert_eq!(v2.max_shader_image_frag_compute, 32);
        assert_eq!(v2.max_shader_buffer_other_stages, 0);
        assert_eq!(v2.max_shader_image_other_stages, 0);
        assert_eq!(v2.max_compute_block_size, [1024, 1024, 64]);
        assert_eq!(v2.max_compute_shared_memory_size, 32768);
        assert_eq!(v2.max_atomic_counter_buffers, [0; 6]);
    }

    #[test]
    fn nothing_without_gl_4_3() {
        let mut v2: CapsV2 = bytemuck::Zeroable::zeroed();
        fill(&mut v2, &ComputeLimits::default());
        assert_eq!(v2, bytemuck::Zeroable::zeroed());
    }
}
