//! Capability sets: `virgl_caps_v1` (capset 1) and `virgl_caps_v2` (capset 2), as the host fills them.
//!
//! Both are little-endian C structs. v2 begins with the whole of v1 and grows at its end as
//! virglrenderer adds fields, so a host may send fewer bytes than [`CapsV2::SIZE`]; the missing
//! tail reads as zero, which is what an older host means.

use bytemuck::{Pod, Zeroable};

use crate::error::{Error, Result};
use crate::format::Format;

/// Capset id of `virgl_caps_v1`.
pub const CAPSET_VIRGL: u32 = 1;
/// Capset id of `virgl_caps_v2`.
pub const CAPSET_VIRGL2: u32 = 2;

/// The highest version of capset `id` a virgl host serves (virglrenderer's `get_cap_set`: 1 for
/// [`CAPSET_VIRGL`], 2 for [`CAPSET_VIRGL2`]); `None` for other capsets.
pub fn max_version(id: u32) -> Option<u32> {
    match id {
        CAPSET_VIRGL => Some(1),
        CAPSET_VIRGL2 => Some(2),
        _ => None,
    }
}

/// A 512-bit mask indexed by virgl format number (`virgl_supported_format_mask`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct FormatMask(pub [u32; 16]);

impl FormatMask {
    /// Whether `format`'s bit is set.
    pub fn supports(&self, format: Format) -> bool {
        let v = format.to_wire() as usize;
        self.0.get(v / 32).is_some_and(|w| w >> (v % 32) & 1 != 0)
    }

    /// The formats whose bits are set.
    pub fn formats(&self) -> impl Iterator<Item = Format> + '_ {
        Format::ALL.iter().copied().filter(|f| self.supports(*f))
    }
}

bitflags::bitflags! {
    /// `virgl_caps_bool_set1`: one-bit features, least significant bit first.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct BoolSet1: u32 {
        const INDEP_BLEND_ENABLE = 1 << 0;
        const INDEP_BLEND_FUNC = 1 << 1;
        const CUBE_MAP_ARRAY = 1 << 2;
        const SHADER_STENCIL_EXPORT = 1 << 3;
        const CONDITIONAL_RENDER = 1 << 4;
        const START_INSTANCE = 1 << 5;
        const PRIMITIVE_RESTART = 1 << 6;
        const BLEND_EQ_SEP = 1 << 7;
        const INSTANCEID = 1 << 8;
        const VERTEX_ELEMENT_INSTANCE_DIVISOR = 1 << 9;
        const SEAMLESS_CUBE_MAP = 1 << 10;
        const OCCLUSION_QUERY = 1 << 11;
        const TIMER_QUERY = 1 << 12;
        const STREAMOUT_PAUSE_RESUME = 1 << 13;
        const TEXTURE_MULTISAMPLE = 1 << 14;
        const FRAGMENT_COORD_CONVENTIONS = 1 << 15;
        const DEPTH_CLIP_DISABLE = 1 << 16;
        const SEAMLESS_CUBE_MAP_PER_TEXTURE = 1 << 17;
        const UBO = 1 << 18;
        const COLOR_CLAMPING = 1 << 19;
        const POLY_STIPPLE = 1 << 20;
        const MIRROR_CLAMP = 1 << 21;
        const TEXTURE_QUERY_LOD = 1 << 22;
        const HAS_FP64 = 1 << 23;
        const HAS_TESSELLATION_SHADERS = 1 << 24;
        const HAS_INDIRECT_DRAW = 1 << 25;
        const HAS_SAMPLE_SHADING = 1 << 26;
        const HAS_CULL = 1 << 27;
        const CONDITIONAL_RENDER_INVERTED = 1 << 28;
        const DERIVATIVE_CONTROL = 1 << 29;
        const POLYGON_OFFSET_CLAMP = 1 << 30;
        const TRANSFORM_FEEDBACK_OVERFLOW_QUERY = 1 << 31;
    }
}

bitflags::bitflags! {
    /// `VIRGL_CAP_*`: the `capability_bits` word of v2.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct CapabilityBits: u32 {
        const TGSI_INVARIANT = 1 << 0;
        const TEXTURE_VIEW = 1 << 1;
        const SET_MIN_SAMPLES = 1 << 2;
        const COPY_IMAGE = 1 << 3;
        const TGSI_PRECISE = 1 << 4;
        const TXQS = 1 << 5;
        const MEMORY_BARRIER = 1 << 6;
        const COMPUTE_SHADER = 1 << 7;
        const FB_NO_ATTACH = 1 << 8;
        const ROBUST_BUFFER_ACCESS = 1 << 9;
        const TGSI_FBFETCH = 1 << 10;
        const SHADER_CLOCK = 1 << 11;
        const TEXTURE_BARRIER = 1 << 12;
        const TGSI_COMPONENTS = 1 << 13;
        const GUEST_MAY_INIT_LOG = 1 << 14;
        const SRGB_WRITE_CONTROL = 1 << 15;
        const QBO = 1 << 16;
        const TRANSFER = 1 << 17;
        const FBO_MIXED_COLOR_FORMATS = 1 << 18;
        const HOST_IS_GLES = 1 << 19;
        const BIND_COMMAND_ARGS = 1 << 20;
        const MULTI_DRAW_INDIRECT = 1 << 21;
        const INDIRECT_PARAMS = 1 << 22;
        const TRANSFORM_FEEDBACK3 = 1 << 23;
        const ASTC_3D = 1 << 24;
        const INDIRECT_INPUT_ADDR = 1 << 25;
        const COPY_TRANSFER = 1 << 26;
        const CLIP_HALFZ = 1 << 27;
        const APP_TWEAK_SUPPORT = 1 << 28;
        const BGRA_SRGB_IS_EMULATED = 1 << 29;
        const CLEAR_TEXTURE = 1 << 30;
        const ARB_BUFFER_STORAGE = 1 << 31;
    }
}

bitflags::bitflags! {
    /// `VIRGL_CAP_V2_*`: the `capability_bits_v2` word of v2.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct CapabilityBitsV2: u32 {
        const BLEND_EQUATION = 1 << 0;
        const UNTYPED_RESOURCE = 1 << 1;
        const VIDEO_MEMORY = 1 << 2;
        const MEMINFO = 1 << 3;
        const STRING_MARKER = 1 << 4;
        const DIFFERENT_GPU = 1 << 5;
        const IMPLICIT_MSAA = 1 << 6;
        const COPY_TRANSFER_BOTH_DIRECTIONS = 1 << 7;
        const SCANOUT_USES_GBM = 1 << 8;
        const SSO = 1 << 9;
        const TEXTURE_SHADOW_LOD = 1 << 10;
        const VS_VERTEX_LAYER = 1 << 11;
        const VS_VIEWPORT_INDEX = 1 << 12;
        const PIPELINE_STATISTICS_QUERY = 1 << 13;
        const DRAW_PARAMETERS = 1 << 14;
        const GROUP_VOTE = 1 << 15;
        const MIRROR_CLAMP_TO_EDGE = 1 << 16;
        const MIRROR_CLAMP = 1 << 17;
        const RESOURCE_LAYOUT = 1 << 18;
    }
}

/// `struct virgl_caps_v1`, 308 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct CapsV1 {
    pub max_version: u32,
    pub sampler: FormatMask,
    pub render: FormatMask,
    pub depthstencil: FormatMask,
    pub vertexbuffer: FormatMask,
    /// Raw [`BoolSet1`] bits; see [`CapsV1::bools`].
    pub bset: u32,
    pub glsl_level: u32,
    pub max_texture_array_layers: u32,
    pub max_streamout_buffers: u32,
    pub max_dual_source_render_targets: u32,
    pub max_render_targets: u32,
    pub max_samples: u32,
    pub prim_mask: u32,
    pub max_tbo_size: u32,
    pub max_uniform_blocks: u32,
    pub max_viewports: u32,
    pub max_texture_gather_components: u32,
}

/// One `virgl_video_caps` entry (16 bytes of bitfields), kept raw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Pod, Zeroable)]
#[repr(C)]
pub struct VideoCaps(pub [u32; 4]);

impl VideoCaps {
    /// Video profile (bits 0-7 of the first dword).
    pub fn profile(&self) -> u32 {
        self.0[0] & 0xff
    }
    /// Entry point (bits 8-15 of the first dword).
    pub fn entrypoint(&self) -> u32 {
        (self.0[0] >> 8) & 0xff
    }
    /// Largest width (low half of the second dword).
    pub fn max_width(&self) -> u32 {
        self.0[1] & 0xffff
    }
    /// Largest height (high half of the second dword).
    pub fn max_height(&self) -> u32 {
        self.0[1] >> 16
    }
}

/// `struct virgl_caps_v2`, 1408 bytes at virglrenderer 1.3.
#[derive(Clone, Copy, Debug, PartialEq, Pod, Zeroable)]
#[repr(C)]
pub struct CapsV2 {
    pub v1: CapsV1,
    pub min_aliased_point_size: f32,
    pub max_aliased_point_size: f32,
    pub min_smooth_point_size: f32,
    pub max_smooth_point_size: f32,
    pub min_aliased_line_width: f32,
    pub max_aliased_line_width: f32,
    pub min_smooth_line_width: f32,
    pub max_smooth_line_width: f32,
    pub max_texture_lod_bias: f32,
    pub max_geom_output_vertices: u32,
    pub max_geom_total_output_components: u32,
    pub max_vertex_outputs: u32,
    pub max_vertex_attribs: u32,
    pub max_shader_patch_varyings: u32,
    pub min_texel_offset: i32,
    pub max_texel_offset: i32,
    pub min_texture_gather_offset: i32,
    pub max_texture_gather_offset: i32,
    pub texture_buffer_offset_alignment: u32,
    pub uniform_buffer_offset_alignment: u32,
    pub shader_buffer_offset_alignment: u32,
    /// Raw [`CapabilityBits`]; see [`CapsV2::capabilities`].
    pub capability_bits: u32,
    pub sample_locations: [u32; 8],
    pub max_vertex_attrib_stride: u32,
    pub max_shader_buffer_frag_compute: u32,
    pub max_shader_buffer_other_stages: u32,
    pub max_shader_image_frag_compute: u32,
    pub max_shader_image_other_stages: u32,
    pub max_image_samples: u32,
    pub max_compute_work_group_invocations: u32,
    pub max_compute_shared_memory_size: u32,
    pub max_compute_grid_size: [u32; 3],
    pub max_compute_block_size: [u32; 3],
    pub max_texture_2d_size: u32,
    pub max_texture_3d_size: u32,
    pub max_texture_cube_size: u32,
    pub max_combined_shader_buffers: u32,
    pub max_atomic_counters: [u32; 6],
    pub max_atomic_counter_buffers: [u32; 6],
    pub max_combined_atomic_counters: u32,
    pub max_combined_atomic_counter_buffers: u32,
    /// Host feature level; Mesa's vtest client drops to protocol 2 below 23.
    pub host_feature_check_version: u32,
    pub supported_readback_formats: FormatMask,
    pub scanout: FormatMask,
    /// Raw [`CapabilityBitsV2`]; see [`CapsV2::capabilities_v2`].
    pub capability_bits_v2: u32,
    pub max_video_memory: u32,
    /// NUL-terminated renderer string; see [`CapsV2::renderer`].
    pub renderer: [u8; 64],
    pub max_anisotropy: f32,
    /// Older hosts call this `max_texture_image_units`; guests use it as the sampler count.
    pub max_texture_samplers: u32,
    pub supported_multisample_formats: FormatMask,
    /// Per shader stage, in `pipe_shader_type` order.
    pub max_const_buffer_size: [u32; 6],
    pub num_video_caps: u32,
    pub video_caps: [VideoCaps; 32],
    pub max_uniform_block_size: u32,
    pub max_tcs_outputs: u32,
    pub max_tes_outputs: u32,
    pub max_shader_storage_blocks: [u32; 6],
}

impl CapsV1 {
    /// `sizeof(struct virgl_caps_v1)`.
    pub const SIZE: usize = 308;

    /// Parses the first [`CapsV1::SIZE`] bytes of a capset 1 payload.
    pub fn from_bytes(bytes: &[u8]) -> Result<CapsV1> {
        if bytes.len() < Self::SIZE {
            return Err(Error::ShortCaps {
                what: "virgl_caps_v1",
                expected: Self::SIZE,
                actual: bytes.len(),
            });
        }
        Ok(bytemuck::pod_read_unaligned(&bytes[..Self::SIZE]))
    }

    /// The one-bit features.
    pub fn bools(&self) -> BoolSet1 {
        BoolSet1::from_bits_retain(self.bset)
    }
}

impl CapsV2 {
    /// `sizeof(struct virgl_caps_v2)` at virglrenderer 1.3.
    pub const SIZE: usize = 1408;
    /// The shortest v2 payload accepted: everything up to and including `host_feature_check_version`.
    pub const MIN_SIZE: usize = 560;

    /// Parses a capset 2 payload. Bytes beyond [`CapsV2::SIZE`] (a newer host) are ignored and
    /// fields beyond the payload (an older host) are zero.
    pub fn from_bytes(bytes: &[u8]) -> Result<CapsV2> {
        if bytes.len() < Self::MIN_SIZE {
            return Err(Error::ShortCaps {
                what: "virgl_caps_v2",
                expected: Self::MIN_SIZE,
                actual: bytes.len(),
            });
        }
        let mut caps = CapsV2::zeroed();
        let n = bytes.len().min(Self::SIZE);
        bytemuck::bytes_of_mut(&mut caps)[..n].copy_from_slice(&bytes[..n]);
        if caps.v1.max_version < 2 {
            return Err(Error::ShortCaps {
                what: "virgl_caps_v2 with max_version >= 2",
                expected: Self::MIN_SIZE,
                actual: bytes.len(),
            });
        }
        Ok(caps)
    }

    /// The `capability_bits` flags.
    pub fn capabilities(&self) -> CapabilityBits {
        CapabilityBits::from_bits_retain(self.capability_bits)
    }

    /// The `capability_bits_v2` flags.
    pub fn capabilities_v2(&self) -> CapabilityBitsV2 {
        CapabilityBitsV2::from_bits_retain(self.capability_bits_v2)
    }

    /// The renderer string up to its NUL.
    pub fn renderer(&self) -> String {
        let end = self.renderer.iter().position(|&b| b == 0).unwrap_or(64);
        String::from_utf8_lossy(&self.renderer[..end]).into_owned()
    }

    /// The payload bytes.
    pub fn as_bytes(&self) -> &[u8] {
        bytemuck::bytes_of(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn layouts_match_upstream() {
        assert_eq!(size_of::<CapsV1>(), 308);
        assert_eq!(size_of::<CapsV2>(), 1408);
        assert_eq!(offset_of!(CapsV1, bset), 260);
        assert_eq!(offset_of!(CapsV1, max_texture_gather_components), 304);
        assert_eq!(offset_of!(CapsV2, capability_bits), 392);
        assert_eq!(offset_of!(CapsV2, max_texture_2d_size), 484);
        assert_eq!(offset_of!(CapsV2, host_feature_check_version), 556);
        assert_eq!(offset_of!(CapsV2, supported_readback_formats), 560);
        assert_eq!(offset_of!(CapsV2, scanout), 624);
        assert_eq!(offset_of!(CapsV2, capability_bits_v2), 688);
        assert_eq!(offset_of!(CapsV2, renderer), 696);
        assert_eq!(offset_of!(CapsV2, max_anisotropy), 760);
        assert_eq!(offset_of!(CapsV2, supported_multisample_formats), 768);
        assert_eq!(offset_of!(CapsV2, max_const_buffer_size), 832);
        assert_eq!(offset_of!(CapsV2, video_caps), 860);
        assert_eq!(offset_of!(CapsV2, max_uniform_block_size), 1372);
        assert_eq!(offset_of!(CapsV2, max_shader_storage_blocks), 1384);
    }

    #[test]
    fn short_payloads_are_rejected_with_sizes() {
        assert_eq!(
            CapsV1::from_bytes(&[0; 100]).unwrap_err(),
            Error::ShortCaps {
                what: "virgl_caps_v1",
                expected: 308,
                actual: 100
            }
        );
        assert!(CapsV2::from_bytes(&[0; 559]).is_err());
    }

    #[test]
    fn older_host_tail_is_zero_and_masks_index_by_format() {
        let mut bytes = vec![0u8; 700];
        bytes[0] = 2; // max_version
        let rgba = Format::R8G8B8A8_UNORM.to_wire() as usize; // 67: word 2, bit 3
        bytes[68 + 4 * (rgba / 32)] |= 1 << (rgba % 32);
        bytes[392] = 1 << 1; // TEXTURE_VIEW
        let caps = CapsV2::from_bytes(&bytes).unwrap();
        assert!(caps.v1.render.supports(Format::R8G8B8A8_UNORM));
        assert!(!caps.v1.render.supports(Format::B8G8R8A8_UNORM));
        assert_eq!(caps.capabilities(), CapabilityBits::TEXTURE_VIEW);
        assert_eq!(caps.max_uniform_block_size, 0);
        assert_eq!(
            caps.v1.render.formats().collect::<Vec<_>>(),
            [Format::R8G8B8A8_UNORM]
        );
    }
}
