//! virgl-conform: runs the protocol conformance catalogue against a virgl host.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use virgl_guest::conform::{self, DynTransport, OutputFormat, TransportKind, Verdict};
use virgl_guest::virtgpu::VirtioGpu;
use virgl_guest::vtest::Vtest;

/// Runs virgl protocol conformance cases and checks the bytes the host renders.
#[derive(Parser, Debug)]
#[command(name = "virgl-conform", version)]
struct Args {
    /// Talk to a vtest server (virgl_test_server) at this socket path.
    #[arg(long, value_name = "PATH", conflicts_with = "device")]
    vtest: Option<PathBuf>,
    /// Use this virtio-gpu render node (default: the first one found).
    #[arg(long, value_name = "PATH")]
    device: Option<PathBuf>,
    /// Run only cases whose name contains SUBSTR.
    #[arg(long, value_name = "SUBSTR")]
    filter: Option<String>,
    /// List the selected cases and exit.
    #[arg(long)]
    list: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// Write each rendered image to DIR as a PNG.
    #[arg(long, value_name = "DIR")]
    save_png: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("virgl-conform: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &Args) -> virgl_guest::Result<bool> {
    // Cases that need the kernel driver do not apply to a vtest server; --list without a
    // transport lists them all.
    let kind = match (&args.vtest, &args.device, args.list) {
        (Some(_), _, _) => Some(TransportKind::Vtest),
        (None, _, true) if args.device.is_none() => None,
        _ => Some(TransportKind::VirtioGpu),
    };
    let cases = conform::select(args.filter.as_deref(), kind);
    if args.list {
        for c in &cases {
            println!("{}", c.name);
        }
        return Ok(true);
    }
    let format = args.format;
    let png_dir = args
        .save_png
        .as_deref()
        .map(conform::prepare_png_dir)
        .transpose()?;
    let mut connect: Box<dyn FnMut() -> virgl_guest::Result<DynTransport>> = match &args.vtest {
        Some(path) => {
            let path = path.clone();
            Box::new(move || Ok(Box::new(Vtest::connect(&path)?) as DynTransport))
        }
        None => {
            let dev = match &args.device {
                Some(d) => d.clone(),
                None => virgl_guest::virtgpu::find_render_node()?,
            };
            Box::new(move || Ok(Box::new(VirtioGpu::open(Some(&dev))?) as DynTransport))
        }
    };
    // Fail fast, with one line, when the host cannot be reached at all.
    let first = connect()?;
    if format == OutputFormat::Text {
        println!("# {}", first.describe());
        let skipped = conform::select(args.filter.as_deref(), None).len() - cases.len();
        if skipped > 0 {
            println!("# {skipped} virtio-gpu-only cases do not apply to vtest");
        }
    }
    drop(first);
    if format == OutputFormat::Tap {
        println!("TAP version 13\n1..{}", cases.len());
    }
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (i, case) in cases.iter().enumerate() {
        let report = conform::run_case(case, &mut *connect, png_dir.as_deref())?;
        match report.outcome.verdict {
            Verdict::Pass => passed += 1,
            Verdict::Fail => failed += 1,
            Verdict::Skip => skipped += 1,
        }
        println!("{}", conform::format_report(&report, format, i + 1));
    }
    if format == OutputFormat::Text {
        println!("{passed} passed, {failed} failed, {skipped} skipped");
    }
    Ok(failed == 0)
}
