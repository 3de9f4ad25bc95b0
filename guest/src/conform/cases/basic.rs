//! The first cases: capabilities, resources and transfers, clears, a triangle, a textured
//! quad, constants, blending, depth, scissors, blits and copies, long shaders, and isolation.
//! Each case names what it checked in its detail.

use virgl_proto::caps::CapsV2;
use virgl_proto::ccmd::{
    Blend, Blit, BlitSurface, Box3, Clear, Command, DepthState, Dsa, Rasterizer, RtBlend,
    SamplerState, Scissor,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::{
    bind, BlendFactor, BlitMask, ClearBuffers, CompareFunc, PrimMode, ShaderType, TexFilter,
};

use crate::conform::scene::{self, near, pixel, quad, Target, RT_FORMAT};
use crate::conform::DynTransport;
use crate::conform::{needs, Case, Env, Outcome};
use crate::context::Context;
use crate::error::Result;
use crate::transport::ResourceDesc;

/// The basic cases, in the order they run.
pub const CASES: &[Case] = &[
    Case::virtio("virtio_gpu_params", virtio_gpu_params),
    Case::any("caps_v1_sanity", caps_v1_sanity),
    Case::any("caps_v2_sanity", caps_v2_sanity),
    Case::any("resource_create_destroy", resource_create_destroy),
    Case::any("buffer_roundtrip", buffer_roundtrip),
    Case::any("texture_roundtrip_rgba8", |e| {
        texture_roundtrip(e, Format::R8G8B8A8_UNORM, 1)
    })
    .needs(|c| needs::sampler(c, Format::R8G8B8A8_UNORM)),
    Case::any("texture_roundtrip_bgra8", |e| {
        texture_roundtrip(e, Format::B8G8R8A8_UNORM, 2)
    })
    .needs(|c| needs::sampler(c, Format::B8G8R8A8_UNORM)),
    Case::any("texture_roundtrip_rgb565", |e| {
        texture_roundtrip(e, Format::B5G6R5_UNORM, 3)
    })
    .needs(|c| needs::sampler(c, Format::B5G6R5_UNORM)),
    Case::any("texture_roundtrip_r8", |e| {
        texture_roundtrip(e, Format::R8_UNORM, 4)
    })
    .needs(|c| needs::sampler(c, Format::R8_UNORM)),
    Case::any("texture_roundtrip_rg16", |e| {
        texture_roundtrip(e, Format::R16G16_UNORM, 5)
    })
    .needs(|c| needs::sampler(c, Format::R16G16_UNORM)),
    Case::any("texture_roundtrip_rgba32f", |e| {
        texture_roundtrip(e, Format::R32G32B32A32_FLOAT, 6)
    })
    .needs(|c| needs::sampler(c, Format::R32G32B32A32_FLOAT)),
    Case::any("texture_subregion_roundtrip", texture_subregion_roundtrip),
    Case::any("clear_color", clear_color),
    Case::any("triangle", triangle),
    Case::any("textured_quad", textured_quad),
    Case::any("constant_buffer_color", constant_buffer_color),
    Case::any("blend_src_alpha", blend_src_alpha),
    Case::any("depth_test", depth_test).needs(needs_depth),
    Case::any("scissor", scissor),
    Case::any("blit_copy_and_swizzle", blit_copy_and_swizzle),
    Case::any("blit_scaled", blit_scaled),
    Case::any("copy_region", copy_region),
    Case::any("long_shader_continuation", long_shader_continuation),
    Case::virtio("kms_scanout", crate::conform::scanout::kms_scanout),
    Case::any("malformed_stream_isolated", malformed_stream_isolated),
];

/// Colour formats the cases need from the host.
const REQUIRED: [(Format, &str); 2] = [
    (Format::B8G8R8A8_UNORM, "render"),
    (Format::R8G8B8A8_UNORM, "sampler"),
];

/// Depth formats the depth case can use, in order of preference.
const DEPTH_FORMATS: [Format; 5] = [
    Format::Z24_UNORM_S8_UINT,
    Format::S8_UINT_Z24_UNORM,
    Format::Z24X8_UNORM,
    Format::Z32_FLOAT,
    Format::Z16_UNORM,
];

/// The first usable depth format. virglrenderer advertises depth formats only in the sampler
/// mask (its depthstencil mask stays empty), so that is where they are looked up.
pub(super) fn depth_format(caps: &virgl_proto::caps::CapsV1) -> Option<Format> {
    DEPTH_FORMATS
        .into_iter()
        .find(|f| caps.sampler.supports(*f))
}

pub(super) fn needs_depth(caps: &crate::Caps) -> Option<String> {
    depth_format(&caps.v1)
        .is_none()
        .then(|| format!("none of {DEPTH_FORMATS:?} in the host's sampler mask"))
}

fn virtio_gpu_params(env: &mut Env<'_>) -> Result<Outcome> {
    use crate::virtgpu::{get_caps, getparam};
    use virgl_proto::virtgpu::param;
    let Some(fd) = env.ctx.transport().drm_fd() else {
        return Ok(Outcome::skip(
            "not a virtio-gpu transport (no kernel to query)",
        ));
    };
    let features_3d = getparam(fd, param::FEATURES_3D)?;
    let capset_fix = getparam(fd, param::CAPSET_QUERY_FIX)?;
    let capsets = getparam(fd, param::SUPPORTED_CAPSET_IDS)?;
    let mut problems = Vec::new();
    if features_3d != 1 {
        problems.push(format!("3D_FEATURES = {features_3d}"));
    }
    for id in [
        virgl_proto::caps::CAPSET_VIRGL,
        virgl_proto::caps::CAPSET_VIRGL2,
    ] {
        if capsets & (1 << id) == 0 {
            problems.push(format!(
                "capset {id} missing from SUPPORTED_CAPSET_IDs {capsets:#x}"
            ));
        }
    }
    let mut v1 = vec![0u8; virgl_proto::caps::CapsV1::SIZE];
    get_caps(fd, 1, 1, &mut v1)?;
    let mut v2 = vec![0u8; CapsV2::SIZE];
    get_caps(fd, 2, 2, &mut v2)?;
    let (ver1, ver2) = (v1[0], v2[0]);
    if ver1 != 1 || ver2 != 2 {
        problems.push(format!(
            "GET_CAPS max_version {ver1} (capset 1) and {ver2} (capset 2)"
        ));
    }
    Ok(if problems.is_empty() {
        Outcome::pass(format!(
            "GETPARAM 3D_FEATURES = 1, CAPSET_QUERY_FIX = {capset_fix}, SUPPORTED_CAPSET_IDs = {capsets:#x} (VIRGL and VIRGL2); \
             GET_CAPS returns caps v1 (max_version 1) and v2 (max_version 2)"
        ))
    } else {
        Outcome::fail(problems.join("; "))
    })
}

fn caps_v1_sanity(env: &mut Env<'_>) -> Result<Outcome> {
    let caps = env.ctx.caps().v1;
    let mut problems = Vec::new();
    if caps.max_version < 1 {
        problems.push(format!("max_version {}", caps.max_version));
    }
    // Gallium's floor: GL 2.1 and GLES 2.0 hosts send 120.
    if caps.glsl_level < 120 {
        problems.push(format!("glsl_level {} < 120", caps.glsl_level));
    }
    if caps.max_render_targets < 1 {
        problems.push("max_render_targets 0".to_string());
    }
    // Mesa's virgl counts constant buffer 0 in it; every shader's uniforms live there.
    if caps.max_uniform_blocks < 1 {
        problems.push("max_uniform_blocks 0".to_string());
    }
    for (format, mask_name) in REQUIRED {
        let m = if mask_name == "render" {
            caps.render
        } else {
            caps.sampler
        };
        if !m.supports(format) {
            problems.push(format!("{format} missing from the {mask_name} mask"));
        }
    }
    let depth = depth_format(&caps);
    if depth.is_none() {
        problems.push(format!("none of {DEPTH_FORMATS:?} in the sampler mask"));
    }
    Ok(if problems.is_empty() {
        Outcome::pass(format!(
            "v1: 308 bytes, max_version {}, glsl_level {} (integer TGSI {}), {} constant buffer \
             slots, {} render targets, {} sampler formats; BGRA8 render, RGBA8 sampler, depth {} present",
            caps.max_version,
            caps.glsl_level,
            if needs::integers(env.ctx.caps()).is_none() {
                "on"
            } else {
                "off"
            },
            caps.max_uniform_blocks,
            caps.max_render_targets,
            caps.sampler.formats().count(),
            depth.map_or("none", Format::name),
        ))
    } else {
        Outcome::fail(problems.join("; "))
    })
}

fn caps_v2_sanity(env: &mut Env<'_>) -> Result<Outcome> {
    let caps = env.ctx.caps();
    let Some(v2) = caps.v2 else {
        return Ok(Outcome::skip("the host offers no capset 2 (VIRGL2)"));
    };
    let mut problems = Vec::new();
    if v2.v1.max_version < 2 {
        problems.push(format!("max_version {}", v2.v1.max_version));
    }
    if v2.v1 != caps.v1 && v2.v1.glsl_level != caps.v1.glsl_level {
        problems.push("v2's v1 part disagrees with capset 1".into());
    }
    if let Some(len) = caps.v2_len {
        if len < CapsV2::MIN_SIZE {
            problems.push(format!("{len}-byte payload"));
        }
    }
    if v2.max_texture_2d_size < 2048 {
        problems.push(format!("max_texture_2d_size {}", v2.max_texture_2d_size));
    }
    if v2.host_feature_check_version == 0 {
        problems.push("host_feature_check_version 0".into());
    }
    if !(v2.max_aliased_line_width >= 1.0 && v2.max_aliased_point_size >= 1.0) {
        problems.push(format!(
            "line width {} / point size {}",
            v2.max_aliased_line_width, v2.max_aliased_point_size
        ));
    }
    let renderer = v2.renderer();
    if renderer.is_empty() {
        problems.push("empty renderer string".into());
    }
    Ok(if problems.is_empty() {
        Outcome::pass(format!(
            "v2: {} bytes, max_version {}, feature level {}, max 2D {}, renderer {renderer:?}, caps {:?}",
            caps.v2_len.map_or("kernel-sized".into(), |l| l.to_string()),
            v2.v1.max_version,
            v2.host_feature_check_version,
            v2.max_texture_2d_size,
            v2.capabilities().iter_names().count()
        ))
    } else {
        Outcome::fail(problems.join("; "))
    })
}

fn resource_create_destroy(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let mut made = Vec::new();
    for (i, (w, h)) in [(1, 1), (16, 16), (64, 32), (300, 7), (1024, 4)]
        .into_iter()
        .enumerate()
    {
        let desc = ResourceDesc::texture_2d(
            Format::R8G8B8A8_UNORM,
            w,
            h,
            bind::SAMPLER_VIEW | bind::RENDER_TARGET,
        );
        let r = ctx.create_resource(&desc)?;
        let data = scene::pattern((w * h * 4) as usize, 100 + i as u32);
        ctx.upload(&r, Box3::new_2d(0, 0, w, h), &data)?;
        made.push((r, data));
    }
    for (i, size) in [4u32, 1000, 65536].into_iter().enumerate() {
        let r = ctx.create_resource(&ResourceDesc::buffer(size, bind::VERTEX_BUFFER))?;
        let data = scene::pattern(size as usize, 200 + i as u32);
        ctx.upload(&r, Box3::new_2d(0, 0, size, 1), &data)?;
        made.push((r, data));
    }
    let ids: Vec<u32> = made.iter().map(|(r, _)| r.id().0).collect();
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != ids.len() || ids.contains(&0) {
        return Ok(Outcome::fail(format!(
            "resource ids not unique and nonzero: {ids:?}"
        )));
    }
    for (r, data) in &made {
        let d = *r.desc();
        let got = ctx.download(r, Box3::new_2d(0, 0, d.width, d.height))?;
        if let Some(diff) = scene::first_difference(&got, data) {
            return Ok(Outcome::fail(format!(
                "resource {} ({}x{}): {diff}",
                r.id().0,
                d.width,
                d.height
            )));
        }
    }
    drop(made);
    ctx.finish()?;
    // The handles are gone; fresh resources still work.
    let r = ctx.create_resource(&ResourceDesc::texture_2d(
        Format::R8G8B8A8_UNORM,
        8,
        8,
        bind::SAMPLER_VIEW,
    ))?;
    let data = scene::pattern(256, 7);
    ctx.upload(&r, Box3::new_2d(0, 0, 8, 8), &data)?;
    let got = ctx.download(&r, Box3::new_2d(0, 0, 8, 8))?;
    if let Some(diff) = scene::first_difference(&got, &data) {
        return Ok(Outcome::fail(format!("after destroying: {diff}")));
    }
    Ok(Outcome::pass(format!(
        "5 textures (1x1..1024x4) and 3 buffers (4..65536 B) created with distinct ids {ids:?}, \
         contents read back byte-exact, destroyed, and a new 8x8 texture works afterwards"
    )))
}

fn buffer_roundtrip(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let size = 4096 + 12;
    let r = ctx.create_resource(&ResourceDesc::buffer(size, bind::VERTEX_BUFFER))?;
    let data = scene::pattern(size as usize, 42);
    ctx.upload(&r, Box3::new_2d(0, 0, size, 1), &data)?;
    let patch = scene::pattern(100, 43);
    ctx.upload(&r, Box3::new_2d(1000, 0, 100, 1), &patch)?;
    let mut want = data.clone();
    want[1000..1100].copy_from_slice(&patch);
    let got = ctx.download(&r, Box3::new_2d(0, 0, size, 1))?;
    if let Some(diff) = scene::first_difference(&got, &want) {
        return Ok(Outcome::fail(diff));
    }
    let part = ctx.download(&r, Box3::new_2d(998, 0, 10, 1))?;
    if part != want[998..1008] {
        return Ok(Outcome::fail(format!(
            "partial read at 998: {part:?} vs {:?}",
            &want[998..1008]
        )));
    }
    Ok(Outcome::pass(format!(
        "{size}-byte buffer: full upload, 100-byte patch at 1000, full and partial read-back byte-exact"
    )))
}

fn texture_roundtrip(env: &mut Env<'_>, format: Format, seed: u32) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (w, h) = (37, 19);
    let r = ctx.create_resource(&ResourceDesc::texture_2d(format, w, h, bind::SAMPLER_VIEW))?;
    let bytes = format.box_bytes(w, h, 1).unwrap_or(0) as usize;
    let data = if format == Format::R32G32B32A32_FLOAT {
        (0..bytes / 4)
            .flat_map(|i| ((i as f32) * 0.37 - 100.0).to_le_bytes())
            .collect()
    } else {
        scene::pattern(bytes, seed)
    };
    ctx.upload(&r, Box3::new_2d(0, 0, w, h), &data)?;
    let got = ctx.download(&r, Box3::new_2d(0, 0, w, h))?;
    Ok(match scene::first_difference(&got, &data) {
        None => Outcome::pass(format!(
            "{format} {w}x{h}: {bytes} bytes uploaded and read back byte-exact"
        )),
        Some(d) => Outcome::fail(format!("{format} {w}x{h}: {d}")),
    })
}

fn texture_subregion_roundtrip(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (w, h) = (64, 48);
    let f = Format::R8G8B8A8_UNORM;
    let r = ctx.create_resource(&ResourceDesc::texture_2d(f, w, h, bind::SAMPLER_VIEW))?;
    let base = scene::pattern((w * h * 4) as usize, 9);
    ctx.upload(&r, Box3::new_2d(0, 0, w, h), &base)?;
    let (bx, by, bw, bh) = (13, 7, 20, 11);
    let patch = scene::pattern((bw * bh * 4) as usize, 10);
    ctx.upload(&r, Box3::new_2d(bx, by, bw, bh), &patch)?;
    let mut want = base;
    for row in 0..bh {
        let dst = (((by + row) * w + bx) * 4) as usize;
        let src = (row * bw * 4) as usize;
        want[dst..dst + (bw * 4) as usize].copy_from_slice(&patch[src..src + (bw * 4) as usize]);
    }
    let got = ctx.download(&r, Box3::new_2d(0, 0, w, h))?;
    if let Some(d) = scene::first_difference(&got, &want) {
        return Ok(Outcome::fail(format!("full read after patch: {d}")));
    }
    let sub = ctx.download(&r, Box3::new_2d(bx - 3, by + 2, 9, 5))?;
    let mut want_sub = Vec::new();
    for row in 0..5 {
        let s = (((by + 2 + row) * w + bx - 3) * 4) as usize;
        want_sub.extend_from_slice(&want[s..s + 36]);
    }
    Ok(match scene::first_difference(&sub, &want_sub) {
        None => Outcome::pass(format!(
            "RGBA8 {w}x{h}: {bw}x{bh} patch at ({bx},{by}) lands at its rows; 9x5 sub-box read straddling it matches"
        )),
        Some(d) => Outcome::fail(format!("sub-box read: {d}")),
    })
}

fn clear_color(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let t = scene::target(ctx, 64, 64, None)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.2, 0.6, 1.0, 1.0]))?;
    let rgba = scene::read_rgba(ctx, &t)?;
    env.image("clear_color", 64, 64, rgba.clone());
    let want = [51, 153, 255, 255];
    let n = scene::count(&rgba, want);
    Ok(if n == 64 * 64 {
        Outcome::pass(format!("64x64 {RT_FORMAT} cleared to (0.2, 0.6, 1.0, 1.0): all 4096 pixels read back as RGBA {want:?}"))
    } else {
        Outcome::fail(format!(
            "{n}/4096 pixels are {want:?}; pixel (0,0) is {:?}",
            pixel(&rgba, 64, 0, 0)
        ))
    })
}

fn triangle(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (w, h) = (64u32, 64u32);
    let t = scene::target(ctx, w, h, None)?;
    let (blend, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 0.0, 1.0]))?;
    let c = [1.0, 0.6, 0.2, 1.0];
    let v = |x: f32, y: f32| [x, y, 0.0, 1.0, c[0], c[1], c[2], c[3]];
    let _vb = scene::draw(
        ctx,
        &[v(-0.5, -0.5), v(0.5, -0.5), v(0.0, 0.5)],
        PrimMode::Triangles,
    )?;
    let rgba = scene::read_rgba(ctx, &t)?;
    env.image("triangle", w, h, rgba.clone());
    // In window coordinates the triangle is (16, 16), (48, 16), (32, 48): its base on row 16,
    // its apex at row 48. Pixels whose centre lies more than a pixel inside must be lit, more
    // than a pixel outside black; the one-pixel band along the edges is not judged.
    let edges = [
        (16.0, 16.0, 48.0, 16.0),
        (48.0, 16.0, 32.0, 48.0),
        (32.0, 48.0, 16.0, 16.0),
    ];
    let (mut checked, mut wrong) = (0, Vec::new());
    for y in 0..h {
        for x in 0..w {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let d = edges.map(|(x0, y0, x1, y1): (f32, f32, f32, f32)| {
                let len = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
                ((x1 - x0) * (py - y0) - (y1 - y0) * (px - x0)) / len
            });
            let want = if d.iter().all(|&e| e > 1.0) {
                [255, 153, 51, 255]
            } else if d.iter().any(|&e| e < -1.0) {
                [0, 0, 0, 255]
            } else {
                continue;
            };
            checked += 1;
            let got = pixel(&rgba, w, x, y);
            if got != want && wrong.len() < 3 {
                wrong.push(format!("({x}, {y}) is {got:?}, expected {want:?}"));
            }
        }
    }
    Ok(if wrong.is_empty() {
        Outcome::pass(format!(
            "TGSI VS+FS triangle with its base on row 16 and apex at row 48: all {checked} pixels \
             off its edges are (255, 153, 51) inside and black outside"
        ))
    } else {
        Outcome::fail(wrong.join("; "))
    })
}

fn textured_quad(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (w, h) = (64u32, 64u32);
    let t = scene::target(ctx, w, h, None)?;
    let texels: [[u8; 4]; 4] = [
        [255, 0, 0, 255],
        [0, 255, 0, 255],
        [0, 0, 255, 255],
        [255, 255, 0, 255],
    ];
    let tex = ctx.create_resource(&ResourceDesc::texture_2d(
        Format::R8G8B8A8_UNORM,
        2,
        2,
        bind::SAMPLER_VIEW,
    ))?;
    ctx.upload(&tex, Box3::new_2d(0, 0, 2, 2), texels.as_flattened())?;
    let (blend, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &scene::fs_texture(), &blend, &dsa, &rast)?;
    let view = ctx.create_sampler_view(&tex, Format::R8G8B8A8_UNORM)?;
    let sampler = ctx.create_sampler_state(&SamplerState::nearest(0))?;
    ctx.set_sampler_views(ShaderType::Fragment, &[&view])?;
    ctx.bind_sampler_states(ShaderType::Fragment, &[&sampler])?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 0.0, 1.0]))?;
    let v = |x: f32, y: f32, s: f32, tt: f32| [x, y, 0.0, 1.0, s, tt, 0.0, 1.0];
    let _vb = scene::draw(
        ctx,
        &[
            v(-1.0, -1.0, 0.0, 0.0),
            v(1.0, -1.0, 1.0, 0.0),
            v(-1.0, 1.0, 0.0, 1.0),
            v(1.0, 1.0, 1.0, 1.0),
        ],
        PrimMode::TriangleStrip,
    )?;
    let rgba = scene::read_rgba(ctx, &t)?;
    env.image("textured_quad", w, h, rgba.clone());
    // Gallium: NDC y = -1 is window row 0, the first row read back, where the quad's t = 0
    // samples texel row 0. So texel (i, j) fills the 32x32 block at column i, row j.
    let expect = |x: u32, y: u32| texels[(2 * (y / 32) + x / 32) as usize];
    Ok(match scene::mismatch(&rgba, w, h, expect) {
        None => Outcome::pass(format!(
            "2x2 RGBA8 texture sampled NEAREST over a full-screen quad: every pixel is its texel, \
             texel row 0 ({:?} {:?}) in read-back rows 0-31, row 1 ({:?} {:?}) below",
            texels[0], texels[1], texels[2], texels[3]
        )),
        Some(m) => Outcome::fail(m),
    })
}

fn constant_buffer_color(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let t = scene::target(ctx, 32, 32, None)?;
    let (blend, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &scene::fs_constant(), &blend, &dsa, &rast)?;
    ctx.set_constants(ShaderType::Fragment, 0, &[0.6, 0.2, 1.0, 1.0])?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 0.0, 1.0]))?;
    let _vb = scene::draw(
        ctx,
        &quad(-1.0, -1.0, 1.0, 1.0, 0.0, [0.0; 4]),
        PrimMode::TriangleStrip,
    )?;
    let rgba = scene::read_rgba(ctx, &t)?;
    let want = [153, 51, 255, 255];
    let n = scene::count(&rgba, want);
    Ok(if n == 32 * 32 {
        Outcome::pass(format!(
            "fragment shader output CONST[0] = (0.6, 0.2, 1.0, 1.0): all 1024 pixels {want:?}"
        ))
    } else {
        Outcome::fail(format!(
            "{n}/1024 pixels {want:?}; (0,0) is {:?}",
            pixel(&rgba, 32, 0, 0)
        ))
    })
}

fn blend_src_alpha(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let t = scene::target(ctx, 32, 32, None)?;
    let mut blend = Blend::default();
    blend.rt[0] = RtBlend {
        blend_enable: true,
        rgb_src_factor: BlendFactor::SrcAlpha,
        rgb_dst_factor: BlendFactor::InvSrcAlpha,
        alpha_src_factor: BlendFactor::One,
        alpha_dst_factor: BlendFactor::Zero,
        ..RtBlend::default()
    };
    let (_, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 1.0, 1.0]))?;
    // Left half: red at alpha 0.2 over blue.
    let _vb = scene::draw(
        ctx,
        &quad(-1.0, -1.0, 0.0, 1.0, 0.0, [1.0, 0.0, 0.0, 0.2]),
        PrimMode::TriangleStrip,
    )?;
    let rgba = scene::read_rgba(ctx, &t)?;
    env.image("blend_src_alpha", 32, 32, rgba.clone());
    let (left, right) = (pixel(&rgba, 32, 8, 16), pixel(&rgba, 32, 24, 16));
    let want_left = [51, 0, 204, 51];
    Ok(if near(left, want_left, 1) && right == [0, 0, 255, 255] {
        Outcome::pass(format!(
            "SRC_ALPHA/INV_SRC_ALPHA: red a=0.2 over blue gives {left:?} (expected {want_left:?} ±1); untouched half stays {right:?}"
        ))
    } else {
        Outcome::fail(format!(
            "blended {left:?} (expected {want_left:?} ±1), untouched {right:?}"
        ))
    })
}

fn depth_test(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let Some(zformat) = depth_format(&ctx.caps().v1) else {
        return Ok(Outcome::skip(needs_depth(ctx.caps()).unwrap_or_default()));
    };
    let depth = ctx.create_resource(&ResourceDesc::texture_2d(
        zformat,
        32,
        32,
        bind::DEPTH_STENCIL,
    ))?;
    let zsurf = ctx.create_surface(&depth, zformat)?;
    let t: Target = scene::target(ctx, 32, 32, Some(&zsurf))?;
    let dsa = Dsa {
        depth: DepthState {
            enabled: true,
            writemask: true,
            func: CompareFunc::Less,
        },
        ..Dsa::default()
    };
    let (blend, _, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    ctx.clear(Clear {
        buffers: ClearBuffers::COLOR0 | ClearBuffers::DEPTH | ClearBuffers::STENCIL,
        color: [0.0f32, 0.0, 0.0, 1.0].map(f32::to_bits),
        depth: 1.0,
        stencil: 0,
    })?;
    let red = scene::draw(
        ctx,
        &quad(-1.0, -1.0, 1.0, 1.0, 0.5, [1.0, 0.0, 0.0, 1.0]),
        PrimMode::TriangleStrip,
    )?;
    // Nearer green over the left half of NDC y -1..0.5: window rows 0-23, columns 0-15.
    let green = scene::draw(
        ctx,
        &quad(-1.0, -1.0, 0.0, 0.5, -0.5, [0.0, 1.0, 0.0, 1.0]),
        PrimMode::TriangleStrip,
    )?;
    let blue = scene::draw(
        ctx,
        &quad(-1.0, -1.0, 1.0, 1.0, 0.9, [0.0, 0.0, 1.0, 1.0]),
        PrimMode::TriangleStrip,
    )?;
    let rgba = scene::read_rgba(ctx, &t)?;
    drop((red, green, blue));
    env.image("depth_test", 32, 32, rgba.clone());
    let expect = |x: u32, y: u32| {
        if x < 16 && y < 24 {
            [0, 255, 0, 255]
        } else {
            [255, 0, 0, 255]
        }
    };
    Ok(match scene::mismatch(&rgba, 32, 32, expect) {
        None => Outcome::pass(format!(
            "LESS test on {zformat} cleared to 1.0: red at z 0.5 everywhere, nearer green wins in \
             columns 0-15 of rows 0-23 only, farther blue rejected everywhere; all 1024 pixels as expected"
        )),
        Some(m) => Outcome::fail(m),
    })
}

fn scissor(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let t = scene::target(ctx, 64, 64, None)?;
    let rast = Rasterizer {
        scissor: true,
        ..Rasterizer::default()
    };
    let (blend, dsa, _) = scene::default_states();
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 0.0, 1.0]))?;
    let _p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    // Off-centre, so a flipped or mirrored host puts it elsewhere.
    ctx.set_scissor(Scissor {
        minx: 8,
        miny: 16,
        maxx: 40,
        maxy: 56,
    })?;
    let _vb = scene::draw(
        ctx,
        &quad(-1.0, -1.0, 1.0, 1.0, 0.0, [1.0, 0.6, 0.2, 1.0]),
        PrimMode::TriangleStrip,
    )?;
    let rgba = scene::read_rgba(ctx, &t)?;
    env.image("scissor", 64, 64, rgba.clone());
    let expect = |x: u32, y: u32| {
        if (8..40).contains(&x) && (16..56).contains(&y) {
            [255, 153, 51, 255]
        } else {
            [0, 0, 0, 255]
        }
    };
    Ok(match scene::mismatch(&rgba, 64, 64, expect) {
        None => Outcome::pass(
            "full-screen quad with scissor x 8..40, y 16..56: exactly the 1280 pixels inside, in \
             columns 8-39 of read-back rows 16-55, are (255, 153, 51); the rest black",
        ),
        Some(m) => Outcome::fail(m),
    })
}

fn blit_surface(res: &crate::Resource, format: Format, region: Box3) -> BlitSurface {
    BlitSurface {
        resource: res.id().0,
        level: 0,
        format,
        region,
    }
}

fn blit_copy_and_swizzle(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (w, h) = (16, 16);
    let src = ctx.create_resource(&ResourceDesc::texture_2d(
        Format::R8G8B8A8_UNORM,
        w,
        h,
        bind::SAMPLER_VIEW | bind::RENDER_TARGET,
    ))?;
    let same = ctx.create_resource(&ResourceDesc::texture_2d(
        Format::R8G8B8A8_UNORM,
        w,
        h,
        bind::SAMPLER_VIEW | bind::RENDER_TARGET,
    ))?;
    let bgra = ctx.create_resource(&ResourceDesc::texture_2d(
        Format::B8G8R8A8_UNORM,
        w,
        h,
        bind::SAMPLER_VIEW | bind::RENDER_TARGET,
    ))?;
    let data = scene::pattern((w * h * 4) as usize, 77);
    ctx.upload(&src, Box3::new_2d(0, 0, w, h), &data)?;
    let full = Box3::new_2d(0, 0, w, h);
    for (dst, fmt) in [
        (&same, Format::R8G8B8A8_UNORM),
        (&bgra, Format::B8G8R8A8_UNORM),
    ] {
        ctx.blit(Blit {
            mask: BlitMask::RGBA,
            filter: TexFilter::Nearest,
            scissor_enable: false,
            render_condition_enable: false,
            alpha_blend: false,
            scissor: Scissor::default(),
            dst: blit_surface(dst, fmt, full),
            src: blit_surface(&src, Format::R8G8B8A8_UNORM, full),
        })?;
    }
    let got = ctx.download(&same, full)?;
    if let Some(d) = scene::first_difference(&got, &data) {
        return Ok(Outcome::fail(format!("RGBA8 -> RGBA8 blit: {d}")));
    }
    let mut got = ctx.download(&bgra, full)?;
    scene::bgra_to_rgba(&mut got);
    Ok(match scene::first_difference(&got, &data) {
        None => Outcome::pass("16x16 1:1 blits RGBA8 -> RGBA8 byte-exact, and RGBA8 -> BGRA8 with red and blue swapped in memory"),
        Some(d) => Outcome::fail(format!("RGBA8 -> BGRA8 blit (compared after swapping back): {d}")),
    })
}

fn blit_scaled(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let src = ctx.create_resource(&ResourceDesc::texture_2d(
        Format::R8G8B8A8_UNORM,
        2,
        2,
        bind::SAMPLER_VIEW | bind::RENDER_TARGET,
    ))?;
    let dst = ctx.create_resource(&ResourceDesc::texture_2d(
        Format::R8G8B8A8_UNORM,
        8,
        8,
        bind::SAMPLER_VIEW | bind::RENDER_TARGET,
    ))?;
    let texels: [[u8; 4]; 4] = [
        [10, 20, 30, 255],
        [40, 50, 60, 255],
        [70, 80, 90, 255],
        [100, 110, 120, 255],
    ];
    ctx.upload(&src, Box3::new_2d(0, 0, 2, 2), texels.as_flattened())?;
    ctx.blit(Blit {
        mask: BlitMask::RGBA,
        filter: TexFilter::Nearest,
        scissor_enable: false,
        render_condition_enable: false,
        alpha_blend: false,
        scissor: Scissor::default(),
        dst: blit_surface(&dst, Format::R8G8B8A8_UNORM, Box3::new_2d(0, 0, 8, 8)),
        src: blit_surface(&src, Format::R8G8B8A8_UNORM, Box3::new_2d(0, 0, 2, 2)),
    })?;
    let got = ctx.download(&dst, Box3::new_2d(0, 0, 8, 8))?;
    let mut want = Vec::new();
    for y in 0..8 {
        for x in 0..8 {
            want.extend_from_slice(&texels[(y / 4) * 2 + x / 4]);
        }
    }
    Ok(match scene::first_difference(&got, &want) {
        None => Outcome::pass("2x2 -> 8x8 NEAREST blit: each texel fills its 4x4 block exactly"),
        Some(d) => Outcome::fail(format!("2x2 -> 8x8 blit: {d}")),
    })
}

fn copy_region(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (w, h) = (32, 32);
    let desc = ResourceDesc::texture_2d(Format::R8G8B8A8_UNORM, w, h, bind::SAMPLER_VIEW);
    let src = ctx.create_resource(&desc)?;
    let dst = ctx.create_resource(&desc)?;
    let a = scene::pattern((w * h * 4) as usize, 5);
    let b = scene::pattern((w * h * 4) as usize, 6);
    ctx.upload(&src, Box3::new_2d(0, 0, w, h), &a)?;
    ctx.upload(&dst, Box3::new_2d(0, 0, w, h), &b)?;
    let (sx, sy, cw, ch, dx, dy) = (4, 3, 10, 9, 20, 21);
    ctx.copy_region(&dst, [dx, dy, 0], &src, Box3::new_2d(sx, sy, cw, ch))?;
    let mut want = b;
    for row in 0..ch {
        let d = (((dy + row) * w + dx) * 4) as usize;
        let s = (((sy + row) * w + sx) * 4) as usize;
        want[d..d + (cw * 4) as usize].copy_from_slice(&a[s..s + (cw * 4) as usize]);
    }
    let got = ctx.download(&dst, Box3::new_2d(0, 0, w, h))?;
    Ok(match scene::first_difference(&got, &want) {
        None => Outcome::pass(format!(
            "RESOURCE_COPY_REGION {cw}x{ch} from ({sx},{sy}) to ({dx},{dy}) between 32x32 RGBA8 textures; destination byte-exact, rest untouched"
        )),
        Some(d) => Outcome::fail(d),
    })
}

fn long_shader_continuation(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    // Enough instructions that the text needs more than one command packet.
    use virgl_proto::tgsi::{
        Builder, Declaration, Dst, File, Interpolate, Opcode, Processor, SemanticName, Src,
    };
    let temp = Dst::reg(File::Temp, 0);
    let mut b = Builder::new(Processor::Frag)
        .declare(
            Declaration::new(File::In, 0, 0)
                .semantic(SemanticName::Generic, 0)
                .interpolate(Interpolate::Linear),
        )
        .declare(Declaration::new(File::Out, 0, 0).semantic(SemanticName::Color, 0))
        .declare(Declaration::new(File::Temp, 0, 0))
        .op(Opcode::Mov, &[temp], &[Src::reg(File::In, 0)]);
    for _ in 0..9000 {
        b = b.op(Opcode::Mov, &[temp], &[Src::reg(File::Temp, 0)]);
    }
    let fs = b
        .op(
            Opcode::Mov,
            &[Dst::reg(File::Out, 0)],
            &[Src::reg(File::Temp, 0)],
        )
        .end();
    // What the encoder puts on the wire, observed rather than predicted: the same shader
    // created on a host-less transport, its packets decoded and put back together by proto's
    // ShaderAssembler.
    let text = fs.to_string();
    let mut null = Context::new(crate::null::NullTransport::default())?;
    let _recorded = null.create_tgsi(&fs)?;
    null.flush()?;
    let mut assembler = virgl_proto::ccmd::ShaderAssembler::default();
    let (mut packets, mut assembled) = (0, None);
    for stream in &null.transport().submitted {
        let bytes = virgl_proto::ccmd::to_bytes(stream);
        for cmd in virgl_proto::ccmd::Decoder::new(&bytes) {
            if let Command::CreateShader(packet) = cmd? {
                packets += 1;
                assembled = assembler.push(&packet)?.or(assembled);
            }
        }
    }
    let wire_ok = assembled.is_some_and(|a| a.text == text.as_bytes());
    let text_len = text.len();
    let t = scene::target(ctx, 16, 16, None)?;
    let (blend, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &fs, &blend, &dsa, &rast)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 0.0, 1.0]))?;
    let _vb = scene::draw(
        ctx,
        &quad(-1.0, -1.0, 1.0, 1.0, 0.0, [1.0, 0.0, 1.0, 1.0]),
        PrimMode::TriangleStrip,
    )?;
    let rgba = scene::read_rgba(ctx, &t)?;
    let n_px = scene::count(&rgba, [255, 0, 255, 255]);
    Ok(if packets >= 2 && wire_ok && n_px == 256 {
        Outcome::pass(format!(
            "{}-byte fragment shader sent in {packets} packets (decoded from the stream and reassembled to its exact text) draws magenta on all 256 pixels",
            text_len + 1
        ))
    } else {
        Outcome::fail(format!(
            "{packets} packets (reassembled to the text: {wire_ok}); {n_px}/256 magenta pixels; (0,0) {:?}",
            pixel(&rgba, 16, 0, 0)
        ))
    })
}

fn malformed_stream_isolated(env: &mut Env<'_>) -> Result<Outcome> {
    // Two contexts live at once. B renders correct pixels before, while and after A sends a
    // stream whose middle command is malformed: [clear A red, DRAW_VBO with a 3-dword
    // payload (12, 14 or 20 required), clear A blue]. The host must reject it: drop A, or
    // stop at the malformed command. The blue clear after it must never take effect.
    let mut b = Context::new((env.connect)()?)?;
    let tb = scene::target(&mut b, 8, 8, None)?;
    let b_clear = |b: &mut Context<DynTransport>, rgb: [f32; 3]| -> Result<bool> {
        b.clear(Clear::color(
            ClearBuffers::COLOR0,
            [rgb[0], rgb[1], rgb[2], 1.0],
        ))?;
        let want = rgb.map(|c| (c * 255.0).round() as u8);
        let rgba = scene::read_rgba(b, &tb)?;
        Ok(scene::count(&rgba, [want[0], want[1], want[2], 255]) == 64)
    };
    let before = b_clear(&mut b, [1.0, 0.6, 0.2])?;

    let ta = scene::target(&mut env.ctx, 8, 8, None)?;
    env.ctx
        .clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 0.0, 1.0]))?;
    env.ctx.flush()?;
    let mut stream = Vec::new();
    Command::Clear(Clear::color(ClearBuffers::COLOR0, [1.0, 0.0, 0.0, 1.0])).encode(&mut stream)?;
    stream.push(
        virgl_proto::ccmd::Header {
            id: 8,
            object: 0,
            len: 3,
        }
        .pack(),
    );
    stream.extend([0, 3, 4]);
    Command::Clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 1.0, 1.0])).encode(&mut stream)?;
    let t = env.ctx.transport_mut();
    let bad = t.submit(&stream, &[]).and_then(|f| t.wait_fence(f));
    let during = b_clear(&mut b, [0.2, 0.4, 1.0])?;

    let fate = match &bad {
        Err(e) => Ok(format!("the host dropped A ({e})")),
        Ok(()) => match scene::read_rgba(&mut env.ctx, &ta) {
            Err(e) => Ok(format!("A no longer answers ({e})")),
            Ok(rgba) => {
                let p = pixel(&rgba, 8, 0, 0);
                if p == [0, 0, 255, 255] {
                    Err(format!(
                        "the host accepted it: the clear after the malformed command ran ({p:?})"
                    ))
                } else {
                    Ok(format!(
                        "the host stopped at the malformed command (A shows {p:?})"
                    ))
                }
            }
        },
    };
    let after = b_clear(&mut b, [0.4, 1.0, 0.6])?;
    if bad.is_err() {
        // A is gone; give the runner's final flush a live context.
        env.ctx = b;
    }
    Ok(match (fate, before && during && after) {
        (Ok(fate), true) => Outcome::pass(format!(
            "{fate}; context B, live throughout, cleared 8x8 correctly before, during and after \
             (64 of 64 pixels each time)"
        )),
        (Err(e), _) => Outcome::fail(e),
        (Ok(fate), false) => Outcome::fail(format!(
            "{fate}, but context B's clears were wrong: before {before}, during {during}, after {after}"
        )),
    })
}
