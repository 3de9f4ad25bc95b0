//! The conformance catalogue: each case opens a fresh context on a transport, does one thing
//! through the protocol, reads the result back and compares real bytes.

mod cases;
pub mod needs;
mod pipeline_scene;
mod scanout;
mod scene;

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
