//! virtgpu-kernel-tests: runs the virtio-gpu kernel UAPI cases and reports them like virgl-conform.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use virgl_guest::conform::{format_report, OutputFormat, Verdict};

/// Tests the Linux virtio-gpu DRM UAPI: every ioctl, its edges and its errno values.
#[derive(Parser, Debug)]
#[command(name = "virtgpu-kernel-tests", version)]
struct Args {
    /// The render node (default: the first virtio-gpu one).
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
}

fn main() -> ExitCode {
    let args = Args::parse();
    let cases = virtgpu_kernel_tests::select(args.filter.as_deref());
    if args.list {
        for c in &cases {
            println!("{}", c.name);
        }
        return ExitCode::SUCCESS;
    }
    let format = args.format;
    let device = virtgpu_kernel_tests::find_device(args.device.as_deref());
    if format == OutputFormat::Tap {
        println!("TAP version 13\n1..{}", cases.len());
    }
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for (i, case) in cases.iter().enumerate() {
        let r = virtgpu_kernel_tests::run_case(case, device.as_deref().map_err(String::as_str));
        match r.outcome.verdict {
            Verdict::Pass => passed += 1,
            Verdict::Fail => failed += 1,
            Verdict::Skip => skipped += 1,
        }
        println!("{}", format_report(&r, format, i + 1));
    }
    if format == OutputFormat::Text {
        println!("{passed} passed, {failed} failed, {skipped} skipped");
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
