//! The conformance catalogue: each case opens a fresh context on a transport, does one thing
//! through the protocol, reads the result back and compares real bytes.

mod cases;
pub mod needs;
mod pipeline_scene;
mod scanout;
pub mod scene;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::transport::{Caps, Transport};

pub use cases::{all as all_cases, GROUPS};
pub use scanout::{QUADRANTS, SCREENDUMP_REQUEST};

/// A boxed transport, so one catalogue runs over vtest and virtio-gpu alike.
pub type DynTransport = Box<dyn Transport>;

/// The verdict of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail,
    Skip,
}

impl Verdict {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Skip => "skip",
        }
    }
}

/// What a case reports: its verdict and what it checked (or why it failed or skipped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub verdict: Verdict,
    pub detail: String,
}

impl Outcome {
    pub fn pass(detail: impl Into<String>) -> Outcome {
        Outcome {
            verdict: Verdict::Pass,
            detail: detail.into(),
        }
    }
    pub fn fail(detail: impl Into<String>) -> Outcome {
        Outcome {
            verdict: Verdict::Fail,
            detail: detail.into(),
        }
    }
    pub fn skip(detail: impl Into<String>) -> Outcome {
        Outcome {
            verdict: Verdict::Skip,
            detail: detail.into(),
        }
    }
}

/// An image a case rendered, kept for `--save-png`.
pub struct Image {
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// RGBA8, rows top to bottom as read back.
    pub rgba: Vec<u8>,
}

/// What a running case gets: its context, a way to open more, and a place to leave images.
pub struct Env<'a> {
    pub ctx: Context<DynTransport>,
    pub connect: &'a mut dyn FnMut() -> Result<DynTransport>,
    pub images: Vec<Image>,
}

impl Env<'_> {
    /// Keeps an RGBA8 image for `--save-png`.
    pub fn image(&mut self, name: &str, width: u32, height: u32, rgba: Vec<u8>) {
        self.images.push(Image {
            name: name.to_string(),
            width,
            height,
            rgba,
        });
    }
}

/// Which transports a case applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Any virgl host.
    Any,
    /// Only through the virtio-gpu kernel driver (it queries the kernel or uses KMS).
    VirtioGpu,
}

/// The kind of transport a run uses, for choosing cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    Vtest,
    VirtioGpu,
}

/// What a case needs of the host, judged from its caps alone: `None` when the caps offer it,
/// else why the case skips (naming the cap and its value).
pub type Needs = fn(&Caps) -> Option<String>;

/// One conformance case.
pub struct Case {
    pub name: &'static str,
    pub run: fn(&mut Env<'_>) -> Result<Outcome>,
    pub scope: Scope,
    /// Checked by [`run_case`] before `run`; a case checks what needs more than the caps itself.
    pub needs: Needs,
}

impl Case {
    /// A case for any transport.
    pub const fn any(name: &'static str, run: fn(&mut Env<'_>) -> Result<Outcome>) -> Case {
        Case {
            name,
            run,
            scope: Scope::Any,
            needs: needs::nothing,
        }
    }

    /// A case that needs the virtio-gpu kernel driver.
    pub const fn virtio(name: &'static str, run: fn(&mut Env<'_>) -> Result<Outcome>) -> Case {
        Case {
            scope: Scope::VirtioGpu,
            ..Case::any(name, run)
        }
    }

    /// The same case, skipped on hosts whose caps lack what `needs` asks for.
    pub const fn needs(self, needs: Needs) -> Case {
        Case { needs, ..self }
    }

    /// Why the case skips on a host with `caps`, or `None` when it runs.
    pub fn skip_reason(&self, caps: &Caps) -> Option<String> {
        (self.needs)(caps)
    }

    /// Whether the case applies to `kind` (every case applies when the kind is not known).
    pub fn applies_to(&self, kind: Option<TransportKind>) -> bool {
        self.scope == Scope::Any || kind != Some(TransportKind::Vtest)
    }
}

/// A finished case.
#[derive(Clone, Debug)]
pub struct Report {
    pub case: &'static str,
    pub outcome: Outcome,
    pub ms: f64,
}

/// The cases whose names contain `filter` and that apply to `kind`.
pub fn select(filter: Option<&str>, kind: Option<TransportKind>) -> Vec<&'static Case> {
    cases::all()
        .filter(|c| filter.is_none_or(|f| c.name.contains(f)) && c.applies_to(kind))
        .collect()
}

/// True for errors that mean the transport itself is gone, so later cases cannot run either.
pub fn is_fatal(e: &Error) -> bool {
    match e {
        Error::Disconnected { .. } | Error::NoDevice(_) => true,
        Error::Io { call, .. } | Error::Protocol { call, .. } => call.starts_with("vtest"),
        Error::Os { call, .. } => call.starts_with("vtest") || call.starts_with("open DRM"),
        _ => false,
    }
}

/// Runs one case on a fresh transport from `connect`.
///
/// Only failing to connect is an `Err` (the host cannot be reached, so no later case can run
/// either). Anything that goes wrong once connected, a dropped connection included, fails this
/// case alone, as does an error from the final flush that makes the host execute the case's
/// last commands.
pub fn run_case(
    case: &Case,
    connect: &mut dyn FnMut() -> Result<DynTransport>,
    png_dir: Option<&Path>,
) -> Result<Report> {
    let start = Instant::now();
    let transport = connect()?;
    let mut images = Vec::new();
    let outcome = match Context::new(transport) {
        Err(e) => Outcome::fail(format!("opening the context: {e}")),
        Ok(ctx) => {
            let mut env = Env {
                ctx,
                connect,
                images: Vec::new(),
            };
            let outcome = match case.skip_reason(env.ctx.caps()) {
                Some(why) => Outcome::skip(why),
                None => match (case.run)(&mut env) {
                    Ok(o) => o,
                    Err(e) => Outcome::fail(format!("error: {e}")),
                },
            };
            images = std::mem::take(&mut env.images);
            match (env.ctx.finish(), outcome.verdict) {
                (Err(e), Verdict::Pass | Verdict::Skip) => Outcome::fail(format!(
                    "{}; then the final flush failed: {e}",
                    outcome.detail
                )),
                _ => outcome,
            }
        }
    };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    if let Some(dir) = png_dir {
        for img in &images {
            let path = dir.join(format!("{}.png", img.name));
            write_png(&path, img).map_err(|e| Error::Io {
                call: "write PNG",
                source: std::io::Error::new(e.kind(), format!("{}: {e}", path.display())),
            })?;
        }
    }
    Ok(Report {
        case: case.name,
        outcome,
        ms,
    })
}

/// Writes an RGBA8 image as PNG.
pub fn write_png(path: &Path, img: &Image) -> std::io::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut enc = png::Encoder::new(file, img.width, img.height);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    let mut w = enc.write_header().map_err(std::io::Error::other)?;
    w.write_image_data(&img.rgba)
        .map_err(std::io::Error::other)?;
    w.finish().map_err(std::io::Error::other)
}

/// The output formats of `virgl-conform` (and the kernel tests, which report the same way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Tap,
}

/// Formats one report line (TAP needs the case's 1-based number).
pub fn format_report(r: &Report, format: OutputFormat, number: usize) -> String {
    match format {
        OutputFormat::Json => serde_json::json!({
            "case": r.case,
            "result": r.outcome.verdict.as_str(),
            "detail": r.outcome.detail,
            "ms": (r.ms * 1000.0).round() / 1000.0,
        })
        .to_string(),
        OutputFormat::Tap => {
            let detail = r.outcome.detail.replace('\n', " ");
            match r.outcome.verdict {
                Verdict::Pass => format!("ok {number} - {} # {detail}", r.case),
                Verdict::Skip => format!("ok {number} - {} # SKIP {detail}", r.case),
                Verdict::Fail => format!("not ok {number} - {} # {detail}", r.case),
            }
        }
        OutputFormat::Text => format!(
            "{:<4} {:<32} {:>9.1} ms  {}",
            r.outcome.verdict.as_str().to_uppercase(),
            r.case,
            r.ms,
            r.outcome.detail
        ),
    }
}

/// Where PNGs go, created if missing.
pub fn prepare_png_dir(dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Io {
        call: "create --save-png directory",
        source: e,
    })?;
    Ok(dir.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytemuck::Zeroable;
    use virgl_proto::caps::{BoolSet1, CapabilityBits, CapsV1, CapsV2, FormatMask};
    use virgl_proto::format::Format;

    fn mask(formats: &[Format]) -> FormatMask {
        let mut m = FormatMask([0; 16]);
        for f in formats {
            let v = f.to_wire() as usize;
            m.0[v / 32] |= 1 << (v % 32);
        }
        m
    }

    /// What a GLES 2.0 host advertises (host/docs/gles2-plan.md, section 3).
    fn es2_caps() -> Caps {
        use Format::*;
        let render = [
            R8G8B8A8_UNORM,
            B8G8R8A8_UNORM,
            B8G8R8X8_UNORM,
            R8_UNORM,
            R8G8_UNORM,
            B5G6R5_UNORM,
            B5G5R5A1_UNORM,
            B4G4R4A4_UNORM,
            R16G16B16A16_FLOAT,
            R32_FLOAT,
        ];
        let sample_only = [
            A8_UNORM,
            L8_UNORM,
            L8A8_UNORM,
            R32G32B32A32_FLOAT,
            R10G10B10A2_UNORM,
            Z16_UNORM,
            Z24X8_UNORM,
            Z24_UNORM_S8_UINT,
        ];
        let mut v1 = CapsV1::zeroed();
        v1.max_version = 2;
        v1.sampler = mask(&[&render[..], &sample_only[..]].concat());
        v1.render = mask(&render);
        v1.depthstencil = mask(&[Z16_UNORM, Z24X8_UNORM, Z24_UNORM_S8_UINT]);
        v1.vertexbuffer = mask(&[R32G32B32A32_FLOAT, R32G32_FLOAT, R8G8B8A8_UNORM]);
        v1.bset = (BoolSet1::CONDITIONAL_RENDER
            | BoolSet1::CONDITIONAL_RENDER_INVERTED
            | BoolSet1::OCCLUSION_QUERY
            | BoolSet1::INSTANCEID
            | BoolSet1::BLEND_EQ_SEP)
            .bits();
        v1.glsl_level = 120;
        v1.max_render_targets = 1;
        v1.max_samples = 1;
        v1.prim_mask = 0x7f;
        v1.max_uniform_blocks = 1;
        v1.max_viewports = 1;
        let mut v2 = CapsV2::zeroed();
        v2.v1 = v1;
        v2.max_aliased_point_size = 64.0;
        v2.max_aliased_line_width = 8.0;
        v2.max_texture_2d_size = 4096;
        v2.max_texture_cube_size = 4096;
        v2.max_vertex_attribs = 16;
        v2.host_feature_check_version = 23;
        v2.capability_bits = (CapabilityBits::QBO | CapabilityBits::FBO_MIXED_COLOR_FORMATS).bits();
        Caps {
            v1,
            v2: Some(v2),
            v2_len: Some(CapsV2::SIZE),
        }
    }

    /// A desktop GL 4.5 host: every format, bit and limit a case asks for.
    fn gl45_caps() -> Caps {
        let all = FormatMask([u32::MAX; 16]);
        let mut v1 = CapsV1::zeroed();
        v1.max_version = 2;
        (v1.sampler, v1.render, v1.depthstencil, v1.vertexbuffer) = (all, all, all, all);
        v1.bset = u32::MAX;
        v1.glsl_level = 450;
        v1.max_texture_array_layers = 2048;
        v1.max_streamout_buffers = 4;
        v1.max_dual_source_render_targets = 1;
        v1.max_render_targets = 8;
        v1.max_samples = 16;
        v1.prim_mask = 0x7fff;
        v1.max_tbo_size = 1 << 27;
        v1.max_uniform_blocks = 15;
        v1.max_viewports = 16;
        v1.max_texture_gather_components = 4;
        let mut v2 = CapsV2::zeroed();
        v2.v1 = v1;
        v2.max_aliased_point_size = 255.0;
        v2.max_aliased_line_width = 255.0;
        v2.max_geom_output_vertices = 1024;
        v2.max_texture_3d_size = 2048;
        v2.max_shader_buffer_frag_compute = 8;
        v2.max_shader_image_frag_compute = 8;
        v2.capability_bits = (CapabilityBits::all() - CapabilityBits::HOST_IS_GLES).bits();
        Caps {
            v1,
            v2: Some(v2),
            v2_len: Some(CapsV2::SIZE),
        }
    }

    fn skips(caps: &Caps) -> Vec<(&'static str, String)> {
        all_cases()
            .filter_map(|c| c.skip_reason(caps).map(|r| (c.name, r)))
            .collect()
    }

    #[test]
    fn nothing_skips_for_caps_on_a_gl45_host() {
        assert_eq!(skips(&gl45_caps()), []);
    }

    #[test]
    fn es2_caps_skip_exactly_the_cases_they_do_not_advertise() {
        let caps = es2_caps();
        let skipped = skips(&caps);
        let names: Vec<&str> = skipped.iter().map(|s| s.0).collect();
        assert_eq!(
            names,
            [
                "texture_roundtrip_rg16",
                "format_snorm",
                "format_uint",
                "format_sint",
                "format_srgb",
                "format_compressed",
                "texture_2d_array_layers",
                "view_layer_range",
                "texture_3d_slices",
                "raster_mrt",
                "raster_int_target",
                "raster_srgb_target",
                "raster_msaa_resolve",
                "raster_primitive_restart",
                "ubo_slot1_offset_color",
                "ubo_vs_and_fs_slots",
                "gs_point_to_two_quads",
                "gs_invocations_copy_strip",
                "query_timestamp_order",
                "query_time_elapsed",
                "query_primitives_generated",
                "streamout_capture_vs",
                "streamout_append",
                "streamout_two_buffers",
                "streamout_from_gs",
                "compute_ssbo_invocation_id",
                "compute_ssbo_load_store",
                "compute_image_store",
                "compute_indirect_grid",
                "fs_ssbo_atomic_count",
            ],
            "{skipped:#?}"
        );
        let reason = |name| &skipped.iter().find(|s| s.0 == name).unwrap().1;
        for name in ["format_uint", "format_sint", "raster_int_target"] {
            assert!(
                reason(name).contains("glsl_level is 120"),
                "{name}: {}",
                reason(name)
            );
        }
        for (name, cap) in [
            ("texture_roundtrip_rg16", "R16G16_UNORM"),
            ("texture_2d_array_layers", "max_texture_array_layers is 0"),
            ("texture_3d_slices", "max_texture_3d_size is 0"),
            ("raster_mrt", "max_render_targets is 1"),
            ("raster_msaa_resolve", "max_samples is 1"),
            ("raster_primitive_restart", "PRIMITIVE_RESTART (bset)"),
            ("ubo_slot1_offset_color", "max_uniform_blocks is 1"),
            ("gs_point_to_two_quads", "glsl_level is 120"),
            ("query_time_elapsed", "TIMER_QUERY (bset)"),
            ("streamout_capture_vs", "max_streamout_buffers is 0"),
            ("compute_image_store", "COMPUTE_SHADER (capability_bits)"),
        ] {
            assert!(reason(name).contains(cap), "{name}: {}", reason(name));
        }
        for name in [
            "clear_color",
            "triangle",
            "textured_quad",
            "constant_buffer_color",
            "blend_src_alpha",
            "depth_test",
            "scissor",
            "texture_roundtrip_rgba32f",
            "format_unorm",
            "format_float32",
            "format_packed",
            "format_depth",
            "texture_cube_faces",
            "raster_stencil_mask",
            "raster_instanced",
            "render_condition_inverted",
        ] {
            assert!(!names.contains(&name), "{name} skips on ES 2.0 caps");
        }
    }
}
