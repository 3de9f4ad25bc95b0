//! Capability sets: what guests are told this renderer can do.
//!
//! Caps are the truth for this renderer: the smaller of what the host's GL can do and what the
//! renderer implements. [`probe`] measures the live context ([`Gl::probe_limits`],
//! [`Gl::probe_format`]) and [`fill`], which does no GL, turns the measurements into
//! [`CapsV2`]; [`Caps::capset`] gives the payload of capset 1 or 2.
//!
//! Field meanings and units follow virglrenderer 0.10.4's `vrend_renderer_fill_caps`,
//! `_v1` and `_v2` (`src/vrend_renderer.c` l.11086-11860), as Mesa's `virgl_screen.c` reads
//! them.
//!
//! # Probed
//!
//! | field | from |
//! |---|---|
//! | `sampler` | a 16×16 texture of the format is made without error |
//! | `render` | … and a framebuffer with it as colour 0 is complete, and it stores shader outputs as they are (not alpha kept in red) |
//! | `depthstencil` | a depth/stencil format's framebuffer is complete |
//! | `supported_readback_formats` | bytes uploaded come back from `glGetTexImage` unchanged (padding aside); compressed formats are not read back yet |
//! | `scanout` | B8G8R8A8, B8G8R8X8, R8G8B8A8 and R8G8B8X8 UNORM, where renderable |
//! | `vertexbuffer` | every format [`vertex_format`] maps (R11G11B10_FLOAT where GL 4.4 has the type) |
//! | limits | `glGet*`: array layers, draw buffers (at most 8), vertex attributes (at most 32), vertex outputs, attribute stride, texture units (at most 32), uniform components, UBO offset alignment, texture sizes, point and line ranges, LOD bias, geometry shader output vertices and components, texel offsets, gather offsets and components (GL 4.0; `TG4` and offsets on `TEX`, `TXL`, `TXB`, `TXD`, `TXF` are translated) |
//! | `FBO_MIXED_COLOR_FORMATS` | an RGBA8 + R8 framebuffer is complete |
//! | `renderer` | `GL_RENDERER`, `llvmpipe` spelled `LLVMPIPE` as virglrenderer does (glamor refuses llvmpipe) |
//!
//! # Decided
//!
//! The TGSI translator ([`crate::shader`]) writes GLSL 3.30 vertex, geometry and fragment
//! shaders (4.00 where they use GLSL 4.00 features, 4.30 where they use shader memory, and
//! compute shaders), and the renderer has no tessellation yet, so:
//!
//! | field | value | why |
//! |---|---|---|
//! | `max_version` | 1 in capset 1, 2 in capset 2 | the versions virglrenderer serves |
//! | `glsl_level` | min(400, the host's level) | the translator's. At 400 Mesa 22.3 guests turn on `ARB_gpu_shader5` and accept `#version 400` shaders (`st_extensions.c`), and `nir_to_tgsi` stops unrolling sampler array indexing. They may then send what the translator writes as GLSL 4.00: bit-field opcodes, `IMUL_HI`/`UMUL_HI`, `TG4` with a component and offsets, `INTERP_*`, `SAMPLE` inputs, `SAMP[ADDR[2].x+n]`, `GS_INVOCATIONS`; `FMA` stays `MAD`, `textureGatherOffsets` is split into four gathers (no `TEXTURE_GATHER_OFFSETS`), and vertex streams stay at one (no `TRANSFORM_FEEDBACK3`), so `EMIT` past stream 0 is refused. 410 would add `ARB_shader_precision`, and 410 to 460 let guests write those `#version`s, whose built-ins (4.20 images and atomic counters, 4.30 compute, 4.50 `textureSamples`) reach beyond what is translated outside their own caps; Mesa's GL version stays 3.3 either way (4.0 needs tessellation and fp64). virglrenderer claims 400 or more here (450 on llvmpipe) |
//! | `prim_mask` | points, lines, loops, strips, triangles, strips, fans, the four adjacency kinds | core GL draws all of them without a geometry shader; no quads or polygons (the guest converts them), no patches |
//! | `bset` | `INDEP_BLEND_ENABLE`, `INDEP_BLEND_FUNC` (GL 4.0), `PRIMITIVE_RESTART`, `SEAMLESS_CUBE_MAP`, `OCCLUSION_QUERY`, `TIMER_QUERY`, `CONDITIONAL_RENDER` (`_INVERTED` on GL 4.5), `START_INSTANCE`, `INSTANCEID` (instanced draws with divisors and `SV INSTANCEID`), `DEPTH_CLIP_DISABLE`, `MIRROR_CLAMP` | each is a GL call the backend makes (blend, draw, sampler state, query objects, conditional rendering, depth clamp, uniform blocks) and a conform case checks |
//! | `bset` others | off | stream output, instance ids, stipple, clamping and the rest are not done; `BLEND_EQ_SEP`, `VERTEX_ELEMENT_INSTANCE_DIVISOR` and `UBO` are done but virglrenderer 0.10.4 leaves them clear and Mesa guests use the features anyway, so they stay clear to match |
//! | `max_samples`, `TEXTURE_MULTISAMPLE`, `supported_multisample_formats`, `sample_locations` | min(4, `GL_MAX_SAMPLES`); the formats a 2-sample texture can be made of; GL's sample positions | multisample targets, resolve blits, `texelFetch` of samples; 1 and none without them (Mesa then fakes MSAA) |
//! | `max_uniform_block_size` | `GL_MAX_UNIFORM_BLOCK_SIZE` | constant buffers past 0 are uniform blocks |
//! | `max_tbo_size`, `texture_buffer_offset_alignment` | `GL_MAX_TEXTURE_BUFFER_SIZE`, its offset alignment (GL 4.3) | sampler views of buffers are buffer textures |
//! | `max_uniform_blocks` | min(15, uniform blocks + 1) | buffer 0 is a uniform array, 1+ are uniform blocks with 16 bindings per stage |
//! | `max_const_buffer_size` | 4 × uniform components (VS, FS, GS) | buffer 0 is a uniform array |
//! | `max_viewports` | 1 | |
//! | `max_streamout_buffers` | 4 on GL 4.0+ | vertex- or geometry-shader stream output as transform feedback with `gl_SkipComponents` and `gl_NextBuffer` |
//! | dual-source, tessellation, atomic counters, anisotropy | 0 | not translated or not implemented |
//! | `DERIVATIVE_CONTROL`, `TXQS` | on GL 4.5 | `DDX_FINE`/`DDY_FINE` and `TXQS` are GLSL 4.50's `dFdxFine`/`dFdyFine` and `textureSamples` |
//! | compute, shader buffers and images | see the `compute` module | fragment and compute stages, GL 4.3 |
//! | `capability_bits` | `FBO_MIXED_COLOR_FORMATS` when probed, `QBO`, `TEXTURE_VIEW`, `SRGB_WRITE_CONTROL` and `COMPUTE_SHADER` (GL 4.3), `TXQS` (GL 4.5) | every other bit names a command or shader feature not done |
//! | `capability_bits_v2` | none | |
//! | `host_feature_check_version` | 15 | virglrenderer 0.10.4's: Mesa reads `renderer` (≥ 5), the GLSL level for compat (≥ 6), sends LINK_SHADER (≥ 7) and TEXCOORD semantics (≥ 10), reads constant-buffer sizes (≥ 12, 13) and `timer_query` (≥ 15). At 16+ it would lower SSBO bindings, at 21+ send CLEAR_SURFACE, and below 23 its vtest client speaks protocol 2 |
//!
//! # On OpenGL ES
//!
//! The same probes run on ES contexts (formats through [`crate::gl::format::gl_format_es`],
//! readback through framebuffers); the decisions differ where ES does:
//!
//! | field | ES value | why |
//! |---|---|---|
//! | `glsl_level` | 130 on ES 3.0/3.1, 140 with `GL_EXT_texture_buffer`, 330 with `GL_EXT_geometry_shader` too, 400 with `GL_EXT_gpu_shader5` and `GL_OES_shader_multisample_interpolation` as well, and on ES 3.2 ([`guest_glsl_level`]) | what the translator writes as GLSL ES of the host's version |
//! | `bset` | `PRIMITIVE_RESTART` (fixed index), `OCCLUSION_QUERY` (exact counts: counted by fragment shaders on ES 3.1+, by a counting pass on ES 3.0), `INSTANCEID`, `SEAMLESS_CUBE_MAP`, `CONDITIONAL_RENDER` and `_INVERTED` (decided on the CPU), `INDEP_BLEND_*` on ES 3.2, `TIMER_QUERY` with `GL_EXT_disjoint_timer_query`, `DEPTH_CLIP_DISABLE` with `GL_EXT_depth_clamp`, `TEXTURE_MULTISAMPLE` on ES 3.1+ | no base instances, mirror-clamp wrapping, derivative control |
//! | `prim_mask` | no adjacency without geometry shaders | ES draws adjacency only into one |
//! | `max_streamout_buffers` | 4 | one interleaved buffer, or one varying per buffer (no `gl_SkipComponents` or `gl_NextBuffer`) |
//! | `max_texture_lod_bias` | 0 | ES samplers have no LOD bias |
//! | `TEXTURE_VIEW` | with `GL_OES_texture_view` or `GL_EXT_texture_view` | |
//! | `SRGB_WRITE_CONTROL` | with `GL_EXT_sRGB_write_control` | Mesa guests need it for GL 3.0 |
//! | compute | ES 3.1+ | |
//!
//! On ES 2.0 (formats through [`crate::gl::format::gl_format_es2`]):
//!
//! | field | ES 2.0 value | why |
//! |---|---|---|
//! | `glsl_level` | 120 | Gallium's floor: Mesa guests then send integer-free TGSI, which GLSL ES 1.00 runs |
//! | `bset` | `OCCLUSION_QUERY` (0 or 1, with `GL_EXT_occlusion_query_boolean`), `INSTANCEID`, `CONDITIONAL_RENDER` (on the CPU), `DEPTH_CLIP_DISABLE` with `GL_EXT_depth_clamp` | no primitive restart, seamless cube maps, per-buffer blending or timer queries |
//! | `max_uniform_blocks`, `max_streamout_buffers`, `max_tbo_size`, `max_texture_array_layers` | 1, 0, 0, 0 | ES 2.0 has no uniform blocks, transform feedback, buffer or array textures |
//! | `max_samples` | 1 | no multisampling |
//! | `max_render_targets` | `GL_MAX_DRAW_BUFFERS_EXT` with `GL_EXT_draw_buffers`, else 1 | |
//! | `vertexbuffer` | bytes, shorts and floats, 1 to 4, red first | ES 2.0's attribute types; guests convert the rest |
//! | `max_vertex_outputs` | `GL_MAX_VARYING_VECTORS` − 2 | two varyings carry the clip distances |

mod compute;

use virgl_proto::caps::{
    BoolSet1, CapabilityBits, CapsV1, CapsV2, FormatMask, CAPSET_VIRGL, CAPSET_VIRGL2,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::PrimMode;

use crate::error::Result;
use crate::gl::format::{gl_formats, vertex_format};
use crate::gl::probe::{FormatSupport, ProbedLimits};
use crate::gl::{EsFeatures, Gl, Version};

/// The GLSL level the TGSI translator writes.
pub const GLSL_LEVEL: u32 = 400;
/// virglrenderer 0.10.4's `host_feature_check_version`; see the module docs.
pub const HOST_FEATURE_CHECK_VERSION: u32 = 15;

/// What [`fill`] needs from a context.
#[derive(Clone, Debug, PartialEq)]
pub struct Probed {
    pub version: Version,
    pub limits: ProbedLimits,
    /// Every format the table maps, with what it can do here.
    pub formats: Vec<(Format, FormatSupport)>,
    /// The ES extensions the backend uses (none on desktop GL).
    pub es: EsFeatures,
}

impl Probed {
    /// Measures the live context `gl`.
    pub fn measure(gl: &Gl) -> Result<Probed> {
        let formats = gl_formats()
            .map(|(f, _)| Ok((f, gl.probe_format(f)?)))
            .collect::<Result<_>>()?;
        Ok(Probed {
            version: gl.version().clone(),
            limits: gl.probe_limits()?,
            formats,
            es: gl.es_extensions(),
        })
    }
}

/// Both capability sets, filled.
#[derive(Clone, Debug, PartialEq)]
pub struct Caps {
    v2: CapsV2,
}

/// Measures `gl` and fills the caps.
pub fn probe(gl: &Gl) -> Result<Caps> {
    Ok(fill(&Probed::measure(gl)?))
}

/// The GLSL level guests are told: the translator's, at most what the host's GLSL has. An ES
/// host's GLSL ES maps to the desktop level whose features it has as the translator writes
/// them: 1.30 on ES 3.0 and 3.1; 1.40 with buffer samplers (`GL_EXT_texture_buffer`), 3.30
/// with geometry shaders too (`GL_EXT_geometry_shader`), and the translator's own with
/// `GL_EXT_gpu_shader5` and `GL_OES_shader_multisample_interpolation` as well; on ES 3.2 the
/// translator's own (GLSL ES 3.20 has every GLSL 4.00 feature it writes).
pub fn guest_glsl_level(version: &Version, geometry: bool, buffers: bool, gpu5: bool) -> u32 {
    match (version.es, version.major * 10 + version.minor) {
        // GLSL 1.20, Gallium's floor: integer-free shaders, which GLSL ES 1.00 can run.
        (true, ..=29) => 120,
        (true, 32..) => GLSL_LEVEL,
        (true, _) if geometry && buffers && gpu5 => GLSL_LEVEL,
        (true, _) if geometry && buffers => 330,
        (true, _) if buffers => 140,
        (true, _) => 130,
        (false, _) => host_glsl_level(version).min(GLSL_LEVEL),
    }
}

/// The GLSL level of a context, as virglrenderer derives it (`vrend_fill_caps_glsl_version`),
/// before the lies it adds for tessellation and compute.
pub fn host_glsl_level(version: &Version) -> u32 {
    let v = version.major * 10 + version.minor;
    match (version.es, v) {
        (true, 31..) => 310,
        (true, 30) => 130,
        (true, _) => 120,
        (false, 33..) => v * 10,
        (false, 32) => 150,
        (false, 31) => 140,
        (false, _) => 130,
    }
}

/// Whether OpenGL ES 2.0 reads vertex attributes of `f`: bytes, shorts and floats of 1 to 4
/// components as floats, normalized or not (ES 2.0 §2.8); no ints, packed types, BGRA order
/// or integer attributes.
fn es2_vertex_format(f: &crate::gl::format::VertexFormat) -> bool {
    (1..=4).contains(&f.size)
        && !f.integer
        && matches!(
            f.ty,
            glow::BYTE | glow::UNSIGNED_BYTE | glow::SHORT | glow::UNSIGNED_SHORT | glow::FLOAT
        )
}

fn set(mask: &mut FormatMask, format: Format) {
    let v = format.to_wire() as usize;
    mask.0[v / 32] |= 1 << (v % 32);
}

/// The formats a guest may scan out, when renderable.
const SCANOUT: [Format; 4] = [
    Format::B8G8R8A8_UNORM,
    Format::B8G8R8X8_UNORM,
    Format::R8G8B8A8_UNORM,
    Format::R8G8B8X8_UNORM,
];

/// Fills both capability sets from measurements; no GL.
pub fn fill(p: &Probed) -> Caps {
    let l = &p.limits;
    let v = &p.version;
    let mut v1: CapsV1 = bytemuck::Zeroable::zeroed();
    v1.max_version = 2;
    let mut multisample = FormatMask([0; 16]);
    for &(f, s) in &p.formats {
        if s.multisample {
            set(&mut multisample, f);
        }
        if !s.sampler {
            continue;
        }
        set(&mut v1.sampler, f);
        if s.render {
            set(&mut v1.render, f);
        }
        if s.depth_stencil {
            set(&mut v1.depthstencil, f);
        }
    }

    let es2 = v.es && v.major < 3;
    for &f in Format::ALL {
        let usable = f != Format::R11G11B10_FLOAT || l.vertex_type_10f_11f_11f;
        if usable && vertex_format(f).is_some_and(|vf| !es2 || es2_vertex_format(&vf)) {
            set(&mut v1.vertexbuffer, f);
        }
    }
    let at_least =
        |gl: (u32, u32), es: (u32, u32)| (v.major, v.minor) >= if v.es { es } else { gl };
    // On ES: restart at the fixed index only, occlusion counts of 0 or 1 (ANY_SAMPLES_PASSED,
    // as virglrenderer, since GL 1.5 guests need the query), timer queries only with
    // GL_EXT_disjoint_timer_query, render conditions decided on the CPU (so inverted ones
    // too), no base instances or mirror-clamp wrapping; depth clamp with GL_EXT_depth_clamp.
    let mut bset = BoolSet1::INSTANCEID | BoolSet1::CONDITIONAL_RENDER;
    // ES 2.0 has no primitive restart (draws are not rewritten for it), and occlusion
    // predicates only with GL_EXT_occlusion_query_boolean.
    if !es2 {
        bset |= BoolSet1::PRIMITIVE_RESTART;
    }
    if !es2 || p.es.occlusion_query {
        bset |= BoolSet1::OCCLUSION_QUERY;
    }
    if !v.es {
        bset |= BoolSet1::INDEP_BLEND_ENABLE
            | BoolSet1::TIMER_QUERY
            | BoolSet1::START_INSTANCE
            | BoolSet1::DEPTH_CLIP_DISABLE
            | BoolSet1::MIRROR_CLAMP;
    } else {
        if p.es.depth_clamp {
            bset |= BoolSet1::DEPTH_CLIP_DISABLE;
        }
        if p.es.timer_query {
            bset |= BoolSet1::TIMER_QUERY;
        }
    }
    if at_least((99, 0), (3, 2)) || p.es.indexed_blend {
        bset |= BoolSet1::INDEP_BLEND_ENABLE;
    }
    // ES decides render conditions on the CPU, so inverted ones too.
    if v.es || at_least((4, 5), (0, 0)) {
        bset |= BoolSet1::CONDITIONAL_RENDER_INVERTED;
    }
    // Multisample resources, resolves and texelFetch of their samples.
    let msaa = l.max_samples > 1 && multisample.0.iter().any(|w| *w != 0);
    if msaa {
        bset |= BoolSet1::TEXTURE_MULTISAMPLE;
    }
    if at_least((4, 0), (3, 2)) || p.es.indexed_blend {
        bset |= BoolSet1::INDEP_BLEND_FUNC;
    }
    if at_least((3, 2), (3, 0)) {
        bset |= BoolSet1::SEAMLESS_CUBE_MAP;
    }
    // DDX_FINE and DDY_FINE are dFdxFine and dFdyFine.
    if at_least((4, 5), (99, 0)) {
        bset |= BoolSet1::DERIVATIVE_CONTROL;
    }
    v1.bset = bset.bits();
    v1.glsl_level = guest_glsl_level(
        v,
        l.max_geometry_output_vertices > 0,
        l.max_texture_buffer_size > 0,
        p.es.shader.gpu_shader5 && p.es.shader.multisample_interpolation,
    );
    v1.max_texture_gather_components = l.max_texture_gather_components;
    v1.max_texture_array_layers = l.max_array_texture_layers;
    v1.max_render_targets = l.max_draw_buffers.min(8);
    v1.max_samples = if msaa { l.max_samples.min(4) } else { 1 };
    use PrimMode as P;
    // ES draws adjacency only into a geometry shader.
    let adjacency = !v.es || l.max_geometry_output_vertices > 0;
    v1.prim_mask = [
        P::Points,
        P::Lines,
        P::LineLoop,
        P::LineStrip,
        P::Triangles,
        P::TriangleStrip,
        P::TriangleFan,
        P::LinesAdjacency,
        P::LineStripAdjacency,
        P::TrianglesAdjacency,
        P::TriangleStripAdjacency,
    ]
    .iter()
    .filter(|p| {
        adjacency
            || !matches!(
                p,
                P::LinesAdjacency
                    | P::LineStripAdjacency
                    | P::TrianglesAdjacency
                    | P::TriangleStripAdjacency
            )
    })
    .fold(0, |m, p| m | 1 << p.to_wire());
    // Constant buffer 0 plus uniform blocks 1..=14 (the backend gives each stage 16 bindings).
    v1.max_uniform_blocks = (l.max_uniform_blocks + 1).min(15);
    v1.max_viewports = 1;
    // Vertex-shader stream output through transform feedback (GL 4.0 skips and buffers).
    // ES takes it as one interleaved buffer or one varying per buffer (`feedback_mode`).
    v1.max_streamout_buffers = if at_least((4, 0), (3, 0)) { 4 } else { 0 };

    let mut v2: CapsV2 = bytemuck::Zeroable::zeroed();
    v2.v1 = v1;
    [v2.min_aliased_point_size, v2.max_aliased_point_size] = l.aliased_point_size;
    [v2.min_smooth_point_size, v2.max_smooth_point_size] = l.smooth_point_size;
    [v2.min_aliased_line_width, v2.max_aliased_line_width] = l.aliased_line_width;
    [v2.min_smooth_line_width, v2.max_smooth_line_width] = l.smooth_line_width;
    v2.max_texture_lod_bias = l.max_texture_lod_bias;
    [v2.min_texel_offset, v2.max_texel_offset] = l.texel_offset;
    [v2.min_texture_gather_offset, v2.max_texture_gather_offset] = l.gather_offset;
    // On ES 2.0 two varyings carry the clip distances GLSL ES 1.00 has no built-in for.
    v2.max_vertex_outputs = (l.max_vertex_output_components / 4).saturating_sub(2 * u32::from(es2));
    v2.max_vertex_attribs = l.max_vertex_attribs.min(32);
    v2.uniform_buffer_offset_alignment = l.uniform_buffer_offset_alignment;
    let mut bits = CapabilityBits::empty();
    if l.mixed_color_formats {
        bits |= CapabilityBits::FBO_MIXED_COLOR_FORMATS;
    }
    // GET_QUERY_RESULT_QBO: the result is read on the CPU and written into the buffer.
    bits |= CapabilityBits::QBO;
    // Sampler views and surfaces of other targets, formats and layers are GL texture views
    // (GL 4.3); so sRGB encoding follows the surface's format, with FRAMEBUFFER_SRGB set per
    // framebuffer and per blit.
    if at_least((4, 3), (99, 0)) {
        bits |= CapabilityBits::TEXTURE_VIEW | CapabilityBits::SRGB_WRITE_CONTROL;
    } else {
        if p.es.texture_view {
            bits |= CapabilityBits::TEXTURE_VIEW;
        }
        // ES encodes sRGB surfaces always, unless GL_EXT_sRGB_write_control switches it;
        // without views, linear surfaces of sRGB resources are then the resource itself.
        if p.es.srgb_write_control {
            bits |= CapabilityBits::SRGB_WRITE_CONTROL;
        }
    }
    // TXQS is textureSamples.
    if at_least((4, 5), (99, 0)) {
        bits |= CapabilityBits::TXQS;
    }
    v2.capability_bits = bits.bits();
    compute::fill(&mut v2, &l.compute);
    v2.max_vertex_attrib_stride = l.max_vertex_attrib_stride;
    v2.max_texture_2d_size = l.max_texture_2d_size;
    v2.max_texture_3d_size = l.max_texture_3d_size;
    v2.max_texture_cube_size = l.max_texture_cube_size;
    v2.host_feature_check_version = HOST_FEATURE_CHECK_VERSION;
    if msaa {
        v2.supported_multisample_formats = multisample;
        v2.sample_locations = l.sample_locations;
    }
    v2.max_uniform_block_size = l.max_uniform_block_size;
    // Sampler views of buffers are buffer textures (glTexBufferRange, GL 4.3).
    if l.max_texture_buffer_size > 0 {
        v2.v1.max_tbo_size = l.max_texture_buffer_size;
        v2.texture_buffer_offset_alignment = l.texture_buffer_offset_alignment;
    }
    for &(f, s) in &p.formats {
        if s.sampler && s.readback {
            set(&mut v2.supported_readback_formats, f);
        }
    }
    for f in SCANOUT {
        if v1.render.supports(f) {
            set(&mut v2.scanout, f);
        }
    }
    let renderer = v.renderer.replace("llvmpipe", "LLVMPIPE");
    let n = renderer.len().min(v2.renderer.len() - 1);
    v2.renderer[..n].copy_from_slice(&renderer.as_bytes()[..n]);
    v2.max_texture_samplers = l.max_texture_image_units.min(32);
    for (size, components) in v2
        .max_const_buffer_size
        .iter_mut()
        .zip(l.max_uniform_components)
    {
        *size = components * 4;
    }
    v2.max_geom_output_vertices = l.max_geometry_output_vertices;
    v2.max_geom_total_output_components = l.max_geometry_total_output_components;
    Caps { v2 }
}

impl Caps {
    /// Capset 2's struct (`max_version` 2).
    pub fn v2(&self) -> &CapsV2 {
        &self.v2
    }

    /// Capset 1's struct: the first part of v2, with `max_version` 1.
    pub fn v1(&self) -> CapsV1 {
        CapsV1 {
            max_version: 1,
            ..self.v2.v1
        }
    }

    /// The highest version and the payload size of capset `id`, if served
    /// (`virgl_renderer_get_cap_set`).
    pub fn capset_info(id: u32) -> Option<(u32, usize)> {
        match id {
            CAPSET_VIRGL => Some((1, CapsV1::SIZE)),
            CAPSET_VIRGL2 => Some((2, CapsV2::SIZE)),
            _ => None,
        }
    }

    /// The payload of capset `id` at `version`, or `None` for other capsets and for versions
    /// above the capset's highest (as `vrend_renderer_fill_caps` answers nothing).
    pub fn capset(&self, id: u32, version: u32) -> Option<Vec<u8>> {
        let (max, _) = Self::capset_info(id)?;
        if version > max {
            return None;
        }
        Some(match id {
            CAPSET_VIRGL => bytemuck::bytes_of(&self.v1()).to_vec(),
            _ => self.v2.as_bytes().to_vec(),
        })
    }
}

#[cfg(test)]
mod es_tests {
    use super::*;

    fn es(major: u32, minor: u32) -> Version {
        Version {
            es: true,
            major,
            minor,
            version: String::new(),
            renderer: String::new(),
            glsl: String::new(),
        }
    }

    #[test]
    fn es_glsl_levels_follow_what_the_host_has() {
        assert_eq!(guest_glsl_level(&es(3, 0), false, false, false), 130);
        assert_eq!(guest_glsl_level(&es(3, 1), false, true, false), 140);
        assert_eq!(guest_glsl_level(&es(3, 1), true, true, false), 330);
        assert_eq!(guest_glsl_level(&es(3, 1), true, true, true), GLSL_LEVEL);
        assert_eq!(guest_glsl_level(&es(3, 2), true, true, false), GLSL_LEVEL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(es: bool, major: u32, minor: u32, renderer: &str) -> Version {
        Version {
            es,
            major,
            minor,
            version: String::new(),
            renderer: renderer.into(),
            glsl: String::new(),
        }
    }

    fn probed() -> Probed {
        let yes = FormatSupport {
            sampler: true,
            render: true,
            depth_stencil: false,
            readback: true,
            multisample: true,
        };
        Probed {
            version: version(false, 4, 5, "llvmpipe (LLVM 15.0.6, 256 bits)"),
            limits: ProbedLimits {
                max_array_texture_layers: 2048,
                max_samples: 32,
                max_uniform_blocks: 14,
                max_uniform_block_size: 65536,
                max_texture_buffer_size: 134217728,
                texture_buffer_offset_alignment: 16,
                sample_locations: [0x88; 8],
                max_draw_buffers: 16,
                max_vertex_attribs: 32,
                max_vertex_output_components: 128,
                max_vertex_attrib_stride: 2048,
                max_texture_image_units: 48,
                max_uniform_components: [4096, 4000, 2048],
                max_geometry_output_vertices: 1024,
                max_geometry_total_output_components: 1024,
                uniform_buffer_offset_alignment: 16,
                max_texture_2d_size: 16384,
                max_texture_3d_size: 2048,
                max_texture_cube_size: 16384,
                aliased_point_size: [1.0, 255.0],
                aliased_line_width: [1.0, 255.0],
                smooth_point_size: [1.0, 255.0],
                smooth_line_width: [1.0, 255.0],
                max_texture_lod_bias: 16.0,
                mixed_color_formats: true,
                vertex_type_10f_11f_11f: false,
                compute: Default::default(),
                texel_offset: [-8, 7],
                gather_offset: [-32, 31],
                max_texture_gather_components: 4,
            },
            es: Default::default(),
            formats: vec![
                (Format::B8G8R8A8_UNORM, yes),
                (
                    Format::R8G8B8X8_UNORM,
                    FormatSupport {
                        render: false,
                        ..yes
                    },
                ),
                (
                    Format::R8_UNORM,
                    FormatSupport {
                        readback: false,
                        ..yes
                    },
                ),
                (
                    Format::Z16_UNORM,
                    FormatSupport {
                        render: false,
                        depth_stencil: true,
                        ..yes
                    },
                ),
                (Format::DXT1_RGB, FormatSupport::default()),
            ],
        }
    }

    #[test]
    fn masks_follow_the_measurements() {
        let caps = fill(&probed());
        let v2 = caps.v2();
        let list = |m: &FormatMask| m.formats().collect::<Vec<_>>();
        use Format as F;
        assert_eq!(
            list(&v2.v1.sampler),
            [
                F::B8G8R8A8_UNORM,
                F::Z16_UNORM,
                F::R8_UNORM,
                F::R8G8B8X8_UNORM
            ]
        );
        assert_eq!(list(&v2.v1.render), [F::B8G8R8A8_UNORM, F::R8_UNORM]);
        assert_eq!(list(&v2.v1.depthstencil), [F::Z16_UNORM]);
        assert_eq!(
            list(&v2.supported_readback_formats),
            [F::B8G8R8A8_UNORM, F::Z16_UNORM, F::R8G8B8X8_UNORM]
        );
        assert_eq!(list(&v2.scanout), [F::B8G8R8A8_UNORM]);
        assert!(v2.v1.vertexbuffer.supports(F::R32G32B32A32_FLOAT));
        assert!(v2.v1.vertexbuffer.supports(F::B8G8R8A8_UNORM));
        assert!(!v2.v1.vertexbuffer.supports(F::R11G11B10_FLOAT));
        assert!(!v2.v1.vertexbuffer.supports(F::R32_FIXED));
    }

    #[test]
    fn limits_are_clamped_and_decisions_applied() {
        let v2 = *fill(&probed()).v2();
        assert_eq!(v2.v1.glsl_level, 400);
        assert_eq!(v2.v1.max_texture_gather_components, 4);
        assert_eq!([v2.min_texel_offset, v2.max_texel_offset], [-8, 7]);
        assert_eq!(
            [v2.min_texture_gather_offset, v2.max_texture_gather_offset],
            [-32, 31]
        );
        assert_eq!(v2.v1.max_render_targets, 8);
        assert_eq!(v2.max_texture_samplers, 32);
        assert_eq!(v2.max_vertex_outputs, 32);
        assert_eq!(v2.max_const_buffer_size[..4], [16384, 16000, 8192, 0]);
        assert_eq!(v2.v1.max_samples, 4);
        assert_eq!(v2.v1.max_uniform_blocks, 15);
        assert_eq!(v2.v1.prim_mask, 0x3c7f);
        assert_eq!(
            v2.v1.bools(),
            BoolSet1::PRIMITIVE_RESTART
                | BoolSet1::INDEP_BLEND_ENABLE
                | BoolSet1::INDEP_BLEND_FUNC
                | BoolSet1::SEAMLESS_CUBE_MAP
                | BoolSet1::OCCLUSION_QUERY
                | BoolSet1::TIMER_QUERY
                | BoolSet1::TEXTURE_MULTISAMPLE
                | BoolSet1::CONDITIONAL_RENDER
                | BoolSet1::CONDITIONAL_RENDER_INVERTED
                | BoolSet1::START_INSTANCE
                | BoolSet1::INSTANCEID
                | BoolSet1::DEPTH_CLIP_DISABLE
                | BoolSet1::MIRROR_CLAMP
                | BoolSet1::DERIVATIVE_CONTROL
        );
        assert_eq!(
            v2.capabilities(),
            CapabilityBits::FBO_MIXED_COLOR_FORMATS
                | CapabilityBits::QBO
                | CapabilityBits::TEXTURE_VIEW
                | CapabilityBits::SRGB_WRITE_CONTROL
                | CapabilityBits::TXQS
        );
        assert_eq!(v2.host_feature_check_version, 15);
        assert_eq!(v2.renderer(), "LLVMPIPE (LLVM 15.0.6, 256 bits)");
        assert_eq!(v2.max_aliased_line_width, 255.0);
        assert_eq!(v2.max_geom_output_vertices, 1024);
        assert_eq!(v2.max_shader_buffer_frag_compute, 0);
    }

    #[test]
    fn older_hosts_lower_the_glsl_level_and_features() {
        let mut p = probed();
        p.version = version(false, 3, 1, "x");
        let v2 = *fill(&p).v2();
        assert_eq!(v2.v1.glsl_level, 140);
        assert!(!v2.v1.bools().contains(BoolSet1::DERIVATIVE_CONTROL));
        assert!(!v2.capabilities().contains(CapabilityBits::TXQS));
        p.version = version(false, 4, 3, "x");
        assert_eq!(fill(&p).v2().v1.glsl_level, 400);
        assert!(!v2.v1.bools().contains(BoolSet1::INDEP_BLEND_FUNC));
        assert!(!v2.v1.bools().contains(BoolSet1::SEAMLESS_CUBE_MAP));
        assert_eq!(host_glsl_level(&version(false, 4, 6, "")), 460);
        assert_eq!(host_glsl_level(&version(true, 3, 2, "")), 310);
        assert_eq!(host_glsl_level(&version(true, 3, 0, "")), 130);
    }

    #[test]
    fn long_renderer_strings_keep_their_nul() {
        let mut p = probed();
        p.version.renderer = "r".repeat(100);
        let v2 = *fill(&p).v2();
        assert_eq!(v2.renderer(), "r".repeat(63));
        assert_eq!(v2.renderer[63], 0);
    }

    #[test]
    fn es2_hosts_offer_glsl_120_and_only_what_es_2_0_has() {
        let mut p = probed();
        p.version = version(true, 2, 0, "llvmpipe");
        p.limits.max_uniform_blocks = 0;
        p.limits.max_array_texture_layers = 0;
        p.limits.max_texture_buffer_size = 0;
        p.limits.max_geometry_output_vertices = 0;
        p.limits.max_samples = 1;
        p.limits.max_vertex_output_components = 128;
        let caps = fill(&p);
        let v1 = caps.v1();
        assert_eq!(v1.glsl_level, 120);
        assert_eq!(v1.max_uniform_blocks, 1);
        assert_eq!(v1.max_streamout_buffers, 0);
        assert_eq!(v1.max_samples, 1);
        assert_eq!(v1.max_tbo_size, 0);
        let bset = BoolSet1::from_bits_truncate(v1.bset);
        assert!(!bset.contains(BoolSet1::PRIMITIVE_RESTART));
        assert!(!bset.contains(BoolSet1::SEAMLESS_CUBE_MAP));
        assert!(!bset.contains(BoolSet1::INDEP_BLEND_ENABLE));
        // Render conditions are decided on the CPU; occlusion needs the extension.
        assert!(bset.contains(BoolSet1::CONDITIONAL_RENDER_INVERTED));
        assert!(!bset.contains(BoolSet1::OCCLUSION_QUERY));
        p.es.occlusion_query = true;
        let with_queries = BoolSet1::from_bits_truncate(fill(&p).v1().bset);
        assert!(with_queries.contains(BoolSet1::OCCLUSION_QUERY));
        // Two varyings carry the clip distances.
        assert_eq!(caps.v2().max_vertex_outputs, 30);
        // Bytes, shorts and floats; no ints, BGRA order or packed types.
        let vb = &v1.vertexbuffer;
        for f in [
            Format::R32G32B32A32_FLOAT,
            Format::R8G8B8A8_UNORM,
            Format::R16G16_SNORM,
            Format::R8G8B8A8_USCALED,
        ] {
            assert!(vb.supports(f), "{f:?}");
        }
        for f in [
            Format::R32G32B32A32_UINT,
            Format::R32_UNORM,
            Format::B8G8R8A8_UNORM,
            Format::R10G10B10A2_UNORM,
            Format::R16G16B16A16_FLOAT,
            Format::R8G8B8A8_UINT,
        ] {
            assert!(!vb.supports(f), "{f:?}");
        }
    }

    #[test]
    fn capsets_have_their_versions_and_sizes() {
        let caps = fill(&probed());
        let one = caps.capset(CAPSET_VIRGL, 1).unwrap();
        assert_eq!(one.len(), 308);
        assert_eq!(one[..4], 1u32.to_le_bytes());
        assert_eq!(one[4..], caps.v2().as_bytes()[4..308]);
        let two = caps.capset(CAPSET_VIRGL2, 2).unwrap();
        assert_eq!(two.len(), CapsV2::SIZE);
        assert_eq!(two[..4], 2u32.to_le_bytes());
        assert_eq!(CapsV2::from_bytes(&two).unwrap(), *caps.v2());
        assert_eq!(caps.capset(CAPSET_VIRGL2, 1), Some(two));
        assert_eq!(caps.capset(CAPSET_VIRGL, 2), None);
        assert_eq!(caps.capset(CAPSET_VIRGL2, 3), None);
        assert_eq!(caps.capset(4, 0), None);
        assert_eq!(Caps::capset_info(CAPSET_VIRGL2), Some((2, 1408)));
    }
}
