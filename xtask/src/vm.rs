//! `cargo xtask vm-test`: our guest binaries → the Linux virtio-gpu driver → QEMU
//! virtio-gpu-gl → virglrenderer → host GL, end to end.
//!
//! The guest's init (init.sh) reports on the serial console in lines starting `@@VIRGL `:
//! - `phase NAME`: a step began;
//! - `result SUITE JSON`: one case's JSON object, as `virgl-conform --format json` prints it;
//! - `stderr SUITE TEXT`, `error TEXT`: diagnostics;
//! - `done SUITE RC`: a suite finished with exit status RC;
//! - `png NAME BASE64`: an image the guest rendered;
//! - `screendump NAME WxH`: a case has put an image on the display; we take a QMP screendump,
//!   check it, and answer on the serial console so the case can go on;
//! - `out SUITE PROGRAM TEXT`: a line a program of the `mesa` suite printed;
//! - `ran SUITE PROGRAM RC MS`: that program ended with exit status RC after MS milliseconds;
//!   the host makes the suite's rows from its lines ([`mesa::rows`]);
//! - `screendiff NAME`: a program is animating the display; we check that the picture moves
//!   ([`mesa::check_motion`]) and answer on the serial console;
//! - `end`: the guest is about to power off.
//!
//! `--suite` chooses what the guest runs: our conformance catalogue (`conform`), the kernel's
//! virtio-gpu UAPI (`kernel`), Debian's Mesa and GL programs on Mesa's virgl driver (`mesa`,
//! which adds Mesa to the image), or all three.
//!
//! `--renderer` chooses the `libvirglrenderer.so.1` QEMU loads: Debian's, or ours (the
//! `virgl-host-capi` cdylib, first on QEMU's `LD_LIBRARY_PATH`), or one boot on each with the
//! two runs compared case by case and PNG by PNG. Which library QEMU really mapped is read
//! from `/proc/PID/maps` and must be the one asked for.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::Value;

mod mesa;

use crate::proc::{run_checked, Bounded, Guard};
use crate::{capi, deps};
use crate::{Error, Result};

/// Modules the guest loads (their dependencies come along).
const GUEST_MODULES: &[&str] = &["virtio_pci", "virtio_gpu"];

/// The one display mode the guest's connector offers: drm reads an EDID with only this mode
/// ([`vm_images::edid`], `edid_firmware=` under `/lib/firmware`) instead of QEMU's, which lists
/// modes up to 5120x2160. glmark2-es2-drm 2023.01 renders at the largest mode, and its
/// validation wants 800x600, at which it never makes its window (its canvas takes a window of
/// the size it asked for as already made); 801x600 is the nearest it draws at: the same
/// vertical field of view and scale, the picture shifted by half a pixel (which scenes that
/// moves off their reference pixels, Mesa's llvmpipe in the guest tells:
/// [`mesa::GLMARK2_REFERENCE`]). VESA 800x600 timing with one more pixel taken from the back
/// porch.
const GUEST_MODE: vm_images::edid::Timing = vm_images::edid::Timing {
    clock_khz: 40_000,
    h: [801, 40, 128, 87],
    v: [600, 1, 4, 23],
};

/// Where the guest finds [`GUEST_MODE`]'s EDID, under `/lib/firmware`.
fn guest_edid() -> String {
    format!("edid/virgl-{}x{}.bin", GUEST_MODE.h[0], GUEST_MODE.v[0])
}

/// Options of `cargo xtask vm-test`.
#[derive(Debug, clap::Args)]
pub struct VmTestArgs {
    /// Run only cases whose name contains SUBSTR.
    #[arg(long, value_name = "SUBSTR")]
    pub filter: Option<String>,
    /// Write one JSON object per case to PATH.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Bring the PNGs the guest rendered back into DIR.
    #[arg(long, value_name = "DIR")]
    pub save_png: Option<PathBuf>,
    /// Limit for booting the guest and running the suites, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 240)]
    pub timeout: u64,
    /// The libvirglrenderer.so.1 QEMU loads: Debian's, ours (virgl-host-capi, built first), or
    /// both, one boot each, compared.
    #[arg(long, value_enum, default_value_t = RendererChoice::Virglrenderer)]
    pub renderer: RendererChoice,
    /// The GL of QEMU's GTK display: desktop GL (`gl=on`) or OpenGL ES (`gl=es`).
    #[arg(long, value_enum, default_value_t = Gl::On)]
    pub gl: Gl,
    /// What the guest runs: our conformance catalogue, the kernel UAPI tests, Debian's Mesa
    /// and GL programs, or all three.
    #[arg(long, value_enum, default_value_t = Suite::All)]
    pub suite: Suite,
}

/// What the guest runs (`--suite`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Suite {
    /// virgl-conform, our driver's catalogue.
    Conform,
    /// virtgpu-kernel-tests, the virtio-gpu UAPI.
    Kernel,
    /// Debian's Mesa: eglinfo, kmscube and glmark2 on Mesa's virgl driver.
    Mesa,
    /// conform, kernel and mesa, in that order.
    All,
}

impl Suite {
    /// The suites the guest runs, in order.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Suite::Conform => &["conform"],
            Suite::Kernel => &["kernel"],
            Suite::Mesa => &["mesa"],
            Suite::All => &["conform", "kernel", "mesa"],
        }
    }

    /// Whether the image needs Debian's Mesa.
    fn mesa(self) -> bool {
        self.names().contains(&"mesa")
    }
}

/// Which `libvirglrenderer.so.1` QEMU loads (`--renderer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RendererChoice {
    /// Debian's, as QEMU finds it.
    Virglrenderer,
    /// Ours: the virgl-host-capi cdylib, first on QEMU's LD_LIBRARY_PATH.
    Ours,
    /// One boot on each (virglrenderer first), then the two runs compared.
    Both,
}

impl RendererChoice {
    /// The boots, in order.
    fn runs(self) -> &'static [Renderer] {
        match self {
            RendererChoice::Virglrenderer => &[Renderer::Virglrenderer],
            RendererChoice::Ours => &[Renderer::Ours],
            RendererChoice::Both => &[Renderer::Virglrenderer, Renderer::Ours],
        }
    }
}

/// The library one boot runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renderer {
    Virglrenderer,
    Ours,
}

impl Renderer {
    /// Its name in progress lines, tables, JSON rows and directory names.
    pub fn name(self) -> &'static str {
        match self {
            Renderer::Virglrenderer => "virglrenderer",
            Renderer::Ours => "ours",
        }
    }
}

/// The GL of QEMU's GTK display (`--gl`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Gl {
    /// Desktop OpenGL: `-display gtk,gl=on`.
    On,
    /// OpenGL ES: `-display gtk,gl=es`.
    Es,
}

impl Gl {
    /// `on` or `es`, as QEMU's `gl=` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Gl::On => "on",
            Gl::Es => "es",
        }
    }
}

/// Where `--renderer ours` puts our library, under target/vm.
const OURS_LIB_DIR: &str = "renderer-ours";

/// Prints a progress line stamped with the time since the run began.
struct Progress(Instant);

impl Progress {
    fn say(&self, msg: impl AsRef<str>) {
        println!("[{:6.1}s] {}", self.0.elapsed().as_secs_f64(), msg.as_ref());
        let _ = std::io::stdout().flush();
    }
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// The guest binaries: (package, binary).
const GUEST_BINARIES: &[(&str, &str)] = &[
    ("virgl-guest", "virgl-conform"),
    ("virtgpu-kernel-tests", "virtgpu-kernel-tests"),
];

/// Builds the static guest binaries; returns (path in the image, built file) for each.
fn build_guest(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    const TARGET: &str = "x86_64-unknown-linux-gnu";
    let target_dir = root.join("target/guest");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(root)
        .args(["build", "--release", "--quiet", "--target", TARGET]);
    for (package, bin) in GUEST_BINARIES {
        cmd.args(["-p", package, "--bin", bin]);
    }
    cmd.arg("--target-dir")
        .arg(&target_dir)
        .env("RUSTFLAGS", "-C target-feature=+crt-static");
    run_checked(Bounded::new(
        cmd,
        "cargo build (static guest binaries)",
        Duration::from_secs(1800),
    ))?;
    Ok(GUEST_BINARIES
        .iter()
        .map(|(_, bin)| {
            (
                format!("bin/{bin}"),
                target_dir.join(TARGET).join("release").join(bin),
            )
        })
        .collect())
}

fn build_image(
    root: &Path,
    binaries: Vec<(String, PathBuf)>,
    suite: Suite,
    p: &Progress,
) -> Result<vm_images::Image> {
    let cache = root.join("target/vm");
    let package = match vm_images::current_kernel_package() {
        Ok(p) => p,
        Err(first) => {
            // A fresh machine may have no package lists yet.
            let mut c = Command::new("apt-get");
            c.args(["update", "-q"])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(Stdio::null());
            run_checked(Bounded::new(c, "apt-get update", Duration::from_secs(600)))
                .map_err(|e| Error::Setup(format!("{first}; {e}")))?;
            vm_images::current_kernel_package().map_err(|e| Error::Setup(e.to_string()))?
        }
    };
    let kernel = vm_images::fetch_kernel(&cache.join("kernel"), &package)
        .map_err(|e| Error::Setup(e.to_string()))?;
    p.say(format!("image: kernel {}", kernel.version));
    let spec = vm_images::ImageSpec {
        kernel: &kernel,
        modules: GUEST_MODULES,
        busybox: Path::new(deps::VM_TEST_FILES[0]),
        binaries,
        init: include_str!("init.sh").to_string(),
        files: vec![(
            format!("lib/firmware/{}", guest_edid()),
            0o644,
            vm_images::edid::one_mode(&GUEST_MODE, "virgl").to_vec(),
        )],
    };
    let mut image = vm_images::build_initramfs(&spec, &cache.join("initramfs.cpio"))
        .map_err(|e| Error::Setup(e.to_string()))?;
    if suite.mesa() {
        p.say("image: guest Mesa (Debian packages, ELF closure)");
        p.say("build: virgl-gbm-interop (dynamically linked, for the guest's Mesa)");
        let gbm_interop = mesa::build_gbm_interop(root)?;
        let part = mesa::build(&cache, &gbm_interop)?;
        p.say(format!(
            "image: {} ({}; {} files from {} packages, {} downloaded now{}; {:.1} MiB, {:.1} s)",
            part.archive.path.display(),
            if part.archive.rebuilt {
                "rebuilt"
            } else {
                "unchanged"
            },
            part.files,
            part.packages,
            part.downloaded,
            if part.unpacked { ", unpacked now" } else { "" },
            part.archive.bytes as f64 / (1 << 20) as f64,
            part.secs
        ));
        let all = vm_images::concat_archives(
            &[&image.initramfs, &part.archive.path],
            &cache.join("initramfs-mesa.cpio"),
        )
        .map_err(|e| Error::Setup(e.to_string()))?;
        image.rebuilt |= all.rebuilt;
        image.initramfs = all.path;
    }
    Ok(image)
}

/// A free X display number: neither its socket nor its lock file exists.
fn free_display() -> Option<u32> {
    (90..400).find(|n| {
        !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
    })
}

pub fn start_xvfb(logdir: &Path) -> Result<(Guard, u32)> {
    for _ in 0..5 {
        let n = free_display().ok_or_else(|| Error::Setup("no free X display number".into()))?;
        let log = std::fs::File::create(logdir.join("xvfb.log"))
            .map_err(|e| Error::Setup(format!("xvfb.log: {e}")))?;
        let mut cmd = Command::new("Xvfb");
        cmd.arg(format!(":{n}"))
            .args([
                "-screen",
                "0",
                "1024x768x24",
                "-nolisten",
                "tcp",
                "-noreset",
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| Error::Setup(e.to_string()))?)
            .stderr(log);
        let mut g = Guard::spawn(cmd, "Xvfb")?;
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if socket.exists() {
                return Ok((g, n));
            }
            if g.wait_timeout(Duration::from_millis(25))?.is_some() {
                break; // lost a race for this display; try another
            }
        }
        g.kill();
    }
    Err(Error::Setup(
        "Xvfb did not start (see target/vm/xvfb.log)".into(),
    ))
}

enum Event {
    Line(String),
    Eof,
}

/// One case result as reported by the guest.
struct CaseResult {
    suite: String,
    value: Value,
}

impl CaseResult {
    fn case(&self) -> &str {
        self.value["case"].as_str().unwrap_or("?")
    }

    fn result(&self) -> &str {
        self.value["result"].as_str().unwrap_or("?")
    }
}

/// One boot: the library QEMU should load, where its logs and the guest's PNGs go.
struct RunSpec {
    renderer: Renderer,
    /// qemu.log, xvfb.log, the QMP socket and the screendumps.
    logdir: PathBuf,
    /// Where the guest's PNGs go; without one the guest sends none.
    png_dir: Option<PathBuf>,
    /// Our library's file, to tell it from Debian's in QEMU's maps.
    ours_lib: PathBuf,
    /// QEMU's `LD_LIBRARY_PATH` (removed when `None`).
    library_path: Option<OsString>,
}

/// What one boot reported.
struct Outcome {
    results: Vec<CaseResult>,
    /// Each suite's exit status.
    done: Vec<(String, i32)>,
    errors: Vec<String>,
    /// The PNGs saved, by name (the file is NAME.png in the run's PNG directory).
    pngs: Vec<String>,
    /// The libvirglrenderer QEMU mapped.
    library: PathBuf,
}

/// Runs vm-test; returns whether everything passed.
pub fn vm_test(args: &VmTestArgs) -> Result<bool> {
    if let Some(f) = &args.filter {
        if f.is_empty() || f.contains(char::is_whitespace) {
            return Err(Error::Setup(format!(
                "--filter {f:?}: must be a non-empty word without spaces"
            )));
        }
    }
    let p = Progress(Instant::now());
    let root = workspace_root();

    p.say("deps: checking host packages");
    deps::ensure(deps::VM_TEST, deps::VM_TEST_FILES)?;
    p.say("build: static guest binaries");
    let binaries = build_guest(&root)?;
    p.say("image: kernel, modules, busybox, binaries");
    let image = build_image(&root, binaries, args.suite, &p)?;
    let size = std::fs::metadata(&image.initramfs).map_or(0, |m| m.len());
    p.say(format!(
        "image: {} ({:.1} MiB, {}; modules: {})",
        image.initramfs.display(),
        size as f64 / (1 << 20) as f64,
        if image.rebuilt {
            "rebuilt"
        } else {
            "unchanged"
        },
        image.modules.join(" ")
    ));
    let vm_dir = root.join("target/vm");
    let lib_dir = vm_dir.join(OURS_LIB_DIR);
    let renderers = args.renderer.runs();
    let mut ours_lib = lib_dir.join(capi::SONAME);
    if renderers.contains(&Renderer::Ours) {
        p.say(format!(
            "build: our {} (cargo build -p {} --release)",
            capi::SONAME,
            capi::PACKAGE
        ));
        ours_lib = capi::build(&lib_dir, None)?;
        p.say(format!("build: {}", ours_lib.display()));
    } else if let Ok(l) = ours_lib.canonicalize() {
        ours_lib = l;
    }
    // glmark2 natively on the host, once, for the guest's glmark2 rows to be judged by.
    let native_glmark2 = if args.suite.mesa() && mesa::picked(args.filter.as_deref(), "glmark2") {
        p.say("host: glmark2-es2 --off-screen --validate natively (the host's Mesa, on Xvfb)");
        let (_xvfb, display) = start_xvfb(&vm_dir)?;
        let native = mesa::native_glmark2(display, &vm_dir);
        match &native {
            Ok(n) => p.say(format!(
                "host: glmark2 natively on {} at {}: {} of {} scenes validated",
                n.renderer,
                n.size,
                n.validated(),
                n.scenes.len()
            )),
            Err(e) => p.say(format!("host: glmark2 natively: {e}")),
        }
        Some(native)
    } else {
        None
    };
    let both = renderers.len() > 1;
    let existing = std::env::var_os("LD_LIBRARY_PATH");
    let mut runs: Vec<(RunSpec, Result<Outcome>)> = Vec::new();
    for &renderer in renderers {
        let ours = renderer == Renderer::Ours;
        let png_dir = if both {
            let dir = match &args.save_png {
                Some(d) => d.join(renderer.name()),
                None => vm_dir.join(format!("png-{}", renderer.name())),
            };
            clear_pngs(&dir)?;
            Some(dir)
        } else {
            args.save_png.clone()
        };
        let spec = RunSpec {
            renderer,
            logdir: if ours {
                vm_dir.join("ours")
            } else {
                vm_dir.clone()
            },
            png_dir,
            ours_lib: ours_lib.clone(),
            library_path: capi::library_path(existing.as_deref(), &lib_dir, ours),
        };
        if both {
            p.say(format!("run: --renderer {}", renderer.name()));
        }
        let outcome = boot_and_run(args, &spec, &image, native_glmark2.as_ref(), &p);
        crate::proc::check_interrupted()?;
        let outcome = match outcome {
            Err(e) if both || ours => {
                Err(Error::Setup(format!("--renderer {}: {e}", renderer.name())))
            }
            other => other,
        };
        if !both {
            let outcome = outcome?;
            write_json(args, &[(&spec, &outcome)])?;
            return Ok(report(&outcome, spec.png_dir.as_deref()));
        }
        runs.push((spec, outcome));
    }

    let done: Vec<(&RunSpec, &Outcome)> = runs
        .iter()
        .filter_map(|(s, o)| o.as_ref().ok().map(|o| (s, o)))
        .collect();
    write_json(args, &done)?;
    let mut ok = true;
    for (spec, outcome) in &done {
        println!(
            "\n--renderer {} (QEMU on {}):",
            spec.renderer.name(),
            outcome.library.display()
        );
        ok &= report(outcome, spec.png_dir.as_deref());
    }
    let failed: Vec<String> = runs
        .iter()
        .filter_map(|(_, o)| o.as_ref().err().map(|e| e.to_string()))
        .collect();
    if !failed.is_empty() {
        return Err(Error::Setup(failed.join("\n")));
    }
    let [(a, ra), (b, rb)] = [done[0], done[1]];
    let dirs = [a.png_dir.clone(), b.png_dir.clone()].map(|d| d.expect("both runs keep PNGs"));
    let diffs = diff_runs([ra, rb], |name| {
        let file = format!("{name}.png");
        match (
            std::fs::read(dirs[0].join(&file)),
            std::fs::read(dirs[1].join(&file)),
        ) {
            (Ok(x), Ok(y)) => compare_png(&x, &y),
            (Err(e), _) | (_, Err(e)) => Some(format!("cannot read: {e}")),
        }
    });
    print_diffs(&diffs, [ra, rb], [a.renderer.name(), b.renderer.name()]);
    Ok(ok && diffs.is_empty())
}

/// Removes the PNGs an earlier run left in `dir`, so that only this run's are compared.
fn clear_pngs(dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().is_some_and(|x| x == "png") {
            std::fs::remove_file(&path)
                .map_err(|e| Error::Setup(format!("{}: {e}", path.display())))?;
        }
    }
    Ok(())
}

/// The libvirglrenderer QEMU (process `pid`) has mapped, held to the one `spec` asks for;
/// `None` while none is mapped.
fn loaded_library(pid: u32, spec: &RunSpec) -> Result<Option<PathBuf>> {
    let libs = capi::mapped_by(pid).unwrap_or_default();
    if libs.is_empty() {
        return Ok(None);
    }
    capi::judge(&libs, &spec.ours_lib, spec.renderer == Renderer::Ours)
        .map(Some)
        .map_err(|e| {
            Error::Setup(format!(
                "QEMU does not run on the virglrenderer asked for (--renderer {}): {e}",
                spec.renderer.name()
            ))
        })
}

fn boot_and_run(
    args: &VmTestArgs,
    spec: &RunSpec,
    image: &vm_images::Image,
    native_glmark2: Option<&std::result::Result<mesa::NativeGlmark2, String>>,
    p: &Progress,
) -> Result<Outcome> {
    let logdir = spec.logdir.as_path();
    std::fs::create_dir_all(logdir)
        .map_err(|e| Error::Setup(format!("{}: {e}", logdir.display())))?;
    let (_xvfb, display) = start_xvfb(logdir)?;
    p.say(format!(
        "boot: Xvfb on :{display}, starting QEMU (virtio-gpu-gl, TCG)"
    ));
    let mut append = String::from("console=ttyS0 panic=-1 quiet loglevel=3 rdinit=/init");
    append.push_str(&format!(" virgl.suites={}", args.suite.names().join(",")));
    append.push_str(&format!(" virgl.kmscube={}", mesa::KMSCUBE_FRAMES));
    append.push_str(&format!(" virgl.edid={}", guest_edid()));
    if let Some(f) = &args.filter {
        append.push_str(&format!(" virgl.filter={f}"));
    }
    if spec.png_dir.is_some() {
        append.push_str(" virgl.png=1");
    }
    let qemu_log = logdir.join("qemu.log");
    let qmp_sock = logdir.join("qmp.sock");
    let _ = std::fs::remove_file(&qmp_sock);
    let log = std::fs::File::create(&qemu_log)
        .map_err(|e| Error::Setup(format!("{}: {e}", qemu_log.display())))?;
    let mut cmd = Command::new("qemu-system-x86_64");
    cmd.args(["-accel", "tcg", "-M", "q35", "-m", "1024", "-smp", "1"])
        .args(["-nodefaults", "-no-reboot", "-monitor", "none"])
        .args(["-device", "virtio-gpu-gl-pci,xres=800,yres=600"])
        .arg("-display")
        .arg(format!("gtk,gl={}", args.gl.name()))
        .args(["-serial", "stdio"])
        .arg("-qmp")
        .arg(format!("unix:{},server=on,wait=off", qmp_sock.display()))
        .arg("-kernel")
        .arg(&image.kernel)
        .arg("-initrd")
        .arg(&image.initramfs)
        .args(["-append", &append])
        .env("DISPLAY", format!(":{display}"))
        .env_remove("GALLIUM_DRIVER")
        .env_remove("LIBGL_ALWAYS_SOFTWARE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log);
    match &spec.library_path {
        Some(v) => cmd.env("LD_LIBRARY_PATH", v),
        None => cmd.env_remove("LD_LIBRARY_PATH"),
    };
    let mut qemu = Guard::spawn(cmd, "qemu-system-x86_64")?;
    let pid = qemu.child.id();
    let stdout = qemu.child.stdout.take().expect("piped");
    let mut serial_in = qemu.child.stdin.take().expect("piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match r.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(Event::Eof);
                    return;
                }
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf)
                        .trim_end_matches(['\n', '\r'])
                        .to_string();
                    if tx.send(Event::Line(line)).is_err() {
                        return;
                    }
                }
            }
        }
    });

    let start = Instant::now();
    let deadline = start + Duration::from_secs(args.timeout);
    let mut console: Vec<String> = Vec::new();
    let mut results: Vec<CaseResult> = Vec::new();
    let mut done: Vec<(String, i32)> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let mut pngs: Vec<String> = Vec::new();
    let mut library: Option<PathBuf> = None;
    let mut panic_line: Option<String> = None;
    let mut ended = false;
    // The mesa suite's programs: their lines so far, by (suite, program).
    let mut outputs: std::collections::HashMap<(String, String), Vec<String>> =
        std::collections::HashMap::new();
    let mut session = mesa::Session::default();
    session.native_glmark2 = native_glmark2.cloned();
    // When each phase (suite) began.
    let mut phases: Vec<(String, Instant)> = Vec::new();
    let console_log = logdir.join("console.log");
    let mut console_file = std::fs::File::create(&console_log)
        .map_err(|e| Error::Setup(format!("{}: {e}", console_log.display())))?;
    let tail = |console: &[String]| console[console.len().saturating_sub(50)..].join("\n");
    loop {
        if let Err(e) = crate::proc::check_interrupted() {
            qemu.kill();
            return Err(e);
        }
        if Instant::now() >= deadline {
            qemu.kill();
            return Err(Error::Setup(format!(
                "guest did not finish within {} s; last console lines:\n{}",
                args.timeout,
                tail(&console)
            )));
        }
        let line = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(Event::Line(l)) => l,
            Ok(Event::Eof) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => continue,
        };
        if line.contains("Kernel panic") {
            panic_line.get_or_insert(line.clone());
        }
        let _ = writeln!(console_file, "{line}");
        let Some(msg) = line.strip_prefix("@@VIRGL ") else {
            console.push(line);
            continue;
        };
        console.push(line.clone());
        // The guest runs: QEMU has realized the device, and with it loaded virglrenderer.
        if library.is_none() {
            match loaded_library(pid, spec) {
                Ok(Some(l)) => {
                    p.say(format!("renderer: {}", l.display()));
                    library = Some(l);
                }
                Ok(None) => {}
                Err(e) => {
                    qemu.kill();
                    return Err(e);
                }
            }
        }
        let (kind, rest) = msg.split_once(' ').unwrap_or((msg, ""));
        match kind {
            "phase" => {
                p.say(format!("guest: {rest}"));
                phases.push((rest.to_string(), Instant::now()));
            }
            "result" => {
                let (suite, json) = rest.split_once(' ').unwrap_or((rest, ""));
                match serde_json::from_str::<Value>(json) {
                    Ok(v) => record(&mut results, suite, v, start, p),
                    Err(e) => errors.push(format!("{suite}: unparsable result {json:?}: {e}")),
                }
            }
            "out" => {
                let mut words = rest.splitn(3, ' ');
                let (suite, program) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
                outputs
                    .entry((suite.to_string(), program.to_string()))
                    .or_default()
                    .push(words.next().unwrap_or("").to_string());
            }
            "ran" => {
                let w: Vec<&str> = rest.split_whitespace().collect();
                let (suite, program) = (
                    w.first().copied().unwrap_or(""),
                    w.get(1).copied().unwrap_or(""),
                );
                let ran = mesa::Ran {
                    program: program.to_string(),
                    rc: w.get(2).and_then(|r| r.parse().ok()).unwrap_or(-1),
                    ms: w.get(3).and_then(|m| m.parse().ok()).unwrap_or(0.0),
                    lines: outputs
                        .remove(&(suite.to_string(), program.to_string()))
                        .unwrap_or_default(),
                };
                p.say(format!(
                    "guest: {program} ended ({}, {:.1} s, {} lines)",
                    ran.rc,
                    ran.ms / 1e3,
                    ran.lines.len()
                ));
                for v in mesa::rows(&ran, &mut session) {
                    record(&mut results, suite, v, start, p);
                }
            }
            "screendiff" => {
                let name = rest.trim().to_string();
                let verdict = mesa::check_motion(display, logdir, &name).map_err(|e| e.to_string());
                let word = if verdict.is_ok() { "pass" } else { "fail" };
                p.say(format!(
                    "host: display of {name}: {word}: {}",
                    verdict.as_ref().unwrap_or_else(|e| e)
                ));
                session.screens.push((name, verdict));
                let _ = writeln!(serial_in, "screendiff-{word}");
                let _ = serial_in.flush();
            }
            "stderr" | "error" => {
                p.say(format!("guest {kind}: {rest}"));
                errors.push(rest.to_string());
            }
            "done" => {
                let (suite, rc) = rest.split_once(' ').unwrap_or((rest, "?"));
                // glmark2's scenes still waiting for llvmpipe's verdicts get them no more.
                for v in mesa::glmark2_scene_rows(None, &mut session) {
                    record(&mut results, suite, v, start, p);
                }
                if let Some((_, t)) = phases.iter().rev().find(|(s, _)| s == suite) {
                    p.say(format!(
                        "guest: suite {suite} took {:.1} s",
                        t.elapsed().as_secs_f64()
                    ));
                }
                done.push((suite.to_string(), rc.trim().parse().unwrap_or(-1)));
            }
            "png" => {
                if let (Some(dir), Some((name, b64))) = (&spec.png_dir, rest.split_once(' ')) {
                    save_png(dir, name, b64)?;
                    pngs.push(name.to_string());
                }
            }
            "screendump" => {
                let t = Instant::now();
                let mut words = rest.split_whitespace();
                let name = words.next().unwrap_or("screen").to_string();
                let want = words.nth(1).and_then(parse_quadrants);
                let (verdict, detail) =
                    match crate::screen::check_display(&qmp_sock, display, logdir, &name, want) {
                        Ok(d) => ("pass", d),
                        Err(e) => ("fail", e.to_string()),
                    };
                p.say(format!("host: screendump of {name}: {verdict}: {detail}"));
                results.push(CaseResult {
                    suite: "conform".into(),
                    value: serde_json::json!({
                        "case": format!("{name}_screendump"),
                        "result": verdict,
                        "detail": detail,
                        "ms": (t.elapsed().as_secs_f64() * 1e6).round() / 1e3,
                    }),
                });
                let _ = writeln!(serial_in, "screendump-{verdict}");
                let _ = serial_in.flush();
            }
            "end" => {
                ended = true;
                break;
            }
            _ => console.push(format!("(unknown report {kind})")),
        }
    }
    if library.is_none() {
        library = loaded_library(pid, spec)?;
    }
    // The guest powers off by itself after "end"; give QEMU a moment, then make sure.
    let exit = qemu.wait_timeout(Duration::from_secs(10))?;
    if exit.is_none() {
        qemu.kill();
    }
    p.say(format!(
        "guest: finished in {:.1} s",
        start.elapsed().as_secs_f64()
    ));
    if let Some(l) = panic_line {
        return Err(Error::Setup(format!(
            "guest kernel panic: {l}\nlast console lines:\n{}",
            tail(&console)
        )));
    }
    if !ended {
        let qlog = std::fs::read_to_string(&qemu_log).unwrap_or_default();
        let qtail: Vec<&str> = qlog.lines().rev().take(20).collect();
        let how = exit.map_or("QEMU closed its console".into(), |s| {
            format!("QEMU exited ({s})")
        });
        return Err(Error::Setup(format!(
            "{how} before the guest finished; last console lines:\n{}\n{}:\n{}",
            tail(&console),
            qemu_log.display(),
            qtail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )));
    }
    let library = library.ok_or_else(|| {
        Error::Setup(format!(
            "QEMU ran the guest without mapping a {} (see {})",
            capi::SONAME,
            qemu_log.display()
        ))
    })?;
    Ok(Outcome {
        results,
        done,
        errors,
        pngs,
        library,
    })
}

/// Keeps one case's result and prints it; the first result, and the first of a suite but the
/// first, with the time since QEMU started.
fn record(results: &mut Vec<CaseResult>, suite: &str, v: Value, start: Instant, p: &Progress) {
    if results.is_empty() {
        p.say(format!(
            "boot to first result: {:.1} s",
            start.elapsed().as_secs_f64()
        ));
    } else if !results.iter().any(|r| r.suite == suite) {
        p.say(format!(
            "boot to first {suite} result: {:.1} s",
            start.elapsed().as_secs_f64()
        ));
    }
    p.say(format!(
        "{suite} {:<30} {:<4} {:>8.1} ms",
        v["case"].as_str().unwrap_or("?"),
        v["result"].as_str().unwrap_or("?"),
        v["ms"].as_f64().unwrap_or(0.0)
    ));
    results.push(CaseResult {
        suite: suite.to_string(),
        value: v,
    });
}

/// Parses `RRGGBB,RRGGBB,RRGGBB,RRGGBB` (top-left, top-right, bottom-left, bottom-right).
fn parse_quadrants(s: &str) -> Option<[[u8; 3]; 4]> {
    let colours: Vec<[u8; 3]> = s
        .split(',')
        .map(|c| {
            let v = u32::from_str_radix(c, 16).ok().filter(|_| c.len() == 6)?;
            Some([(v >> 16) as u8, (v >> 8) as u8, v as u8])
        })
        .collect::<Option<_>>()?;
    colours.try_into().ok()
}

/// The `--json` lines of one run: each case's object with `suite`, `where`, `renderer` and `gl`.
fn json_lines(outcome: &Outcome, renderer: Renderer, gl: Gl) -> String {
    let mut out = String::new();
    for r in &outcome.results {
        let mut v = r.value.clone();
        if let Value::Object(m) = &mut v {
            m.insert("suite".into(), Value::String(r.suite.clone()));
            m.insert("where".into(), Value::String("vm".into()));
            m.insert("renderer".into(), Value::String(renderer.name().into()));
            m.insert("gl".into(), Value::String(gl.name().into()));
        }
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

/// Writes `--json` (every run's lines, in run order).
fn write_json(args: &VmTestArgs, runs: &[(&RunSpec, &Outcome)]) -> Result<()> {
    let Some(path) = &args.json else {
        return Ok(());
    };
    let text: String = runs
        .iter()
        .map(|(spec, outcome)| json_lines(outcome, spec.renderer, args.gl))
        .collect();
    std::fs::write(path, text).map_err(|e| Error::Setup(format!("{}: {e}", path.display())))
}

/// Prints one run's table; returns whether everything passed.
fn report(outcome: &Outcome, png_dir: Option<&Path>) -> bool {
    let Outcome {
        results,
        done,
        errors,
        pngs,
        ..
    } = outcome;
    println!();
    println!(
        "{:<8} {:<32} {:<6} {:>10}",
        "suite", "case", "result", "time"
    );
    let mut counts = [0usize; 3];
    for r in results {
        let verdict = r.result();
        match verdict {
            "pass" => counts[0] += 1,
            "skip" => counts[2] += 1,
            _ => counts[1] += 1,
        }
        println!(
            "{:<8} {:<32} {:<6} {:>7.1} ms",
            r.suite,
            r.case(),
            verdict,
            r.value["ms"].as_f64().unwrap_or(0.0)
        );
        if verdict != "pass" {
            println!("         {}", r.value["detail"].as_str().unwrap_or(""));
        }
    }
    println!(
        "{} passed, {} failed, {} skipped",
        counts[0], counts[1], counts[2]
    );
    if let Some(dir) = png_dir {
        println!("{} PNGs written to {}", pngs.len(), dir.display());
    }
    let suites_ok = !done.is_empty() && done.iter().all(|(_, rc)| *rc == 0);
    if !suites_ok {
        println!("suite exit statuses: {done:?}");
    }
    for e in errors {
        println!("guest error: {e}");
    }
    counts[1] == 0 && suites_ok && !results.is_empty()
}

/// A case whose result or PNG differs between two runs.
#[derive(Debug, PartialEq)]
struct DiffRow {
    suite: String,
    case: String,
    /// Each run's result; `None` where the run did not report the case.
    results: [Option<String>; 2],
    /// What differs.
    what: Vec<String>,
}

/// The case a PNG belongs to: the case of that name, else the longest case name it starts
/// with followed by `_` (`raster_mrt_0` of `raster_mrt`).
fn png_case<'a>(png: &str, cases: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    cases
        .into_iter()
        .filter(|c| {
            png == *c
                || png
                    .strip_prefix(*c)
                    .is_some_and(|rest| rest.starts_with('_'))
        })
        .max_by_key(|c| c.len())
}

/// The rows (suite, case) of two runs whose results differ, that only one run reported, or
/// whose PNGs differ (`png_diff(NAME)` says how, for a PNG both saved), in the first run's
/// order, then the second's. PNGs no case claims are rows of suite `png`.
fn diff_runs(runs: [&Outcome; 2], png_diff: impl Fn(&str) -> Option<String>) -> Vec<DiffRow> {
    let names = ["virglrenderer", "ours"];
    let mut rows: Vec<DiffRow> = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        for r in &run.results {
            let row = match rows
                .iter_mut()
                .find(|row| row.suite == r.suite && row.case == r.case())
            {
                Some(row) => row,
                None => {
                    rows.push(DiffRow {
                        suite: r.suite.clone(),
                        case: r.case().to_string(),
                        results: [None, None],
                        what: Vec::new(),
                    });
                    rows.last_mut().expect("just pushed")
                }
            };
            row.results[i].get_or_insert_with(|| r.result().to_string());
        }
    }
    for row in &mut rows {
        match &row.results {
            [Some(a), Some(b)] if a != b => row.what.push("result differs".into()),
            [Some(_), None] => row.what.push(format!("only in {}", names[0])),
            [None, Some(_)] => row.what.push(format!("only in {}", names[1])),
            _ => {}
        }
    }
    let mut pngs: Vec<&String> = runs[0].pngs.iter().chain(&runs[1].pngs).collect();
    pngs.sort();
    pngs.dedup();
    for png in pngs {
        let saved = runs.map(|r| r.pngs.contains(png));
        let what = match saved {
            [true, true] => match png_diff(png) {
                Some(d) => format!("{png}.png: {d}"),
                None => continue,
            },
            [true, false] => format!("{png}.png only in {}", names[0]),
            _ => format!("{png}.png only in {}", names[1]),
        };
        let case = png_case(
            png,
            rows.iter()
                .filter(|r| r.suite == "conform")
                .map(|r| r.case.as_str()),
        )
        .map(str::to_string);
        match case {
            Some(case) => rows
                .iter_mut()
                .find(|r| r.suite == "conform" && r.case == case)
                .expect("a conform row")
                .what
                .push(what),
            None => rows.push(DiffRow {
                suite: "png".into(),
                case: png.clone(),
                results: [None, None],
                what: vec![what],
            }),
        }
    }
    rows.retain(|r| !r.what.is_empty());
    rows
}

/// Prints the comparison of two runs.
fn print_diffs(diffs: &[DiffRow], runs: [&Outcome; 2], names: [&str; 2]) {
    println!();
    if diffs.is_empty() {
        println!(
            "{} and {}: the same results ({} cases) and PNGs ({})",
            names[0],
            names[1],
            runs[0].results.len(),
            runs[0].pngs.len()
        );
        return;
    }
    println!(
        "{} against {}: {} cases differ",
        names[0],
        names[1],
        diffs.len()
    );
    println!(
        "{:<8} {:<32} {:<13} {:<6} what",
        "suite", "case", names[0], names[1]
    );
    for d in diffs {
        let [a, b] = d.results.clone().map(|r| r.unwrap_or_else(|| "-".into()));
        println!(
            "{:<8} {:<32} {:<13} {:<6} {}",
            d.suite,
            d.case,
            a,
            b,
            d.what.join("; ")
        );
    }
}

/// A decoded PNG, 8 or 16 bits per channel.
struct Decoded {
    width: u32,
    height: u32,
    color: png::ColorType,
    depth: png::BitDepth,
    data: Vec<u8>,
}

fn decode_png(bytes: &[u8]) -> Result<Decoded, png::DecodingError> {
    let mut d = png::Decoder::new(bytes);
    d.set_transformations(png::Transformations::EXPAND);
    let mut r = d.read_info()?;
    let mut data = vec![0; r.output_buffer_size()];
    let info = r.next_frame(&mut data)?;
    data.truncate(info.buffer_size());
    Ok(Decoded {
        width: info.width,
        height: info.height,
        color: info.color_type,
        depth: info.bit_depth,
        data,
    })
}

/// How two PNG files differ, by their decoded pixels (by their bytes where one does not
/// decode); `None` when they show the same pixels.
fn compare_png(a: &[u8], b: &[u8]) -> Option<String> {
    if a == b {
        return None;
    }
    let (x, y) = match (decode_png(a), decode_png(b)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => return Some(format!("the bytes differ (not decodable: {e})")),
    };
    if (x.width, x.height) != (y.width, y.height) {
        return Some(format!(
            "sizes differ ({}x{} against {}x{})",
            x.width, x.height, y.width, y.height
        ));
    }
    if (x.color, x.depth) != (y.color, y.depth) {
        return Some(format!(
            "pixel formats differ ({:?} {:?} against {:?} {:?})",
            x.color, x.depth, y.color, y.depth
        ));
    }
    let channel = if x.depth == png::BitDepth::Sixteen {
        2
    } else {
        1
    };
    let pixel = x.color.samples() * channel;
    let mut differ = 0usize;
    let mut largest = 0u8;
    for (p, q) in x.data.chunks_exact(pixel).zip(y.data.chunks_exact(pixel)) {
        let d = p
            .iter()
            .zip(q)
            .map(|(s, t)| s.abs_diff(*t))
            .max()
            .unwrap_or(0);
        differ += usize::from(d > 0);
        largest = largest.max(d);
    }
    (differ > 0).then(|| {
        format!(
            "{differ} of {} pixels differ (largest byte difference {largest})",
            x.data.len() / pixel
        )
    })
}

fn save_png(dir: &Path, name: &str, b64: &str) -> Result<()> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(Error::Setup(format!(
            "guest sent a PNG with a bad name {name:?}"
        )));
    }
    let bytes =
        base64_decode(b64).ok_or_else(|| Error::Setup(format!("guest PNG {name}: bad base64")))?;
    std::fs::create_dir_all(dir).map_err(|e| Error::Setup(format!("{}: {e}", dir.display())))?;
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, bytes).map_err(|e| Error::Setup(format!("{}: {e}", path.display())))
}

/// Standard base64 with padding, as busybox `base64 -w 0` writes it.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let s = s.trim().as_bytes();
    if !s.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for chunk in s.chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = n << 6 | val(c)?;
        }
        n <<= 6 * pad as u32;
        out.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: VmTestArgs,
    }

    fn parse(argv: &[&str]) -> Result<VmTestArgs, clap::Error> {
        use clap::Parser;
        Cli::try_parse_from(["vm-test"].iter().chain(argv)).map(|c| c.args)
    }

    #[test]
    fn renderer_and_gl_default_to_debian_on_desktop_gl() {
        let a = parse(&[]).unwrap();
        assert_eq!((a.renderer, a.gl), (RendererChoice::Virglrenderer, Gl::On));
        assert_eq!(a.renderer.runs(), [Renderer::Virglrenderer]);
        let a = parse(&["--renderer", "both", "--gl", "es"]).unwrap();
        assert_eq!((a.renderer, a.gl), (RendererChoice::Both, Gl::Es));
        assert_eq!(a.renderer.runs(), [Renderer::Virglrenderer, Renderer::Ours]);
        assert_eq!(
            parse(&["--renderer", "ours"]).unwrap().renderer.runs(),
            [Renderer::Ours]
        );
        assert!(parse(&["--renderer", "mesa"]).is_err());
        assert_eq!(a.suite, Suite::All);
        assert_eq!(a.suite.names(), ["conform", "kernel", "mesa"]);
        let m = parse(&["--suite", "mesa"]).unwrap().suite;
        assert_eq!((m.names(), m.mesa()), (&["mesa"][..], true));
        let c = parse(&["--suite", "conform"]).unwrap().suite;
        assert_eq!((c.names(), c.mesa()), (&["conform"][..], false));
        assert!(parse(&["--suite", "piglit"]).is_err());
        assert!(parse(&["--gl", "off"]).is_err());
        assert_eq!(Gl::Es.name(), "es");
    }

    fn outcome(results: &[(&str, &str, &str)], pngs: &[&str]) -> Outcome {
        Outcome {
            results: results
                .iter()
                .map(|(suite, case, result)| CaseResult {
                    suite: suite.to_string(),
                    value: serde_json::json!({"case": case, "result": result, "detail": "", "ms": 1.0}),
                })
                .collect(),
            done: vec![("conform".into(), 0)],
            errors: Vec::new(),
            pngs: pngs.iter().map(|p| p.to_string()).collect(),
            library: PathBuf::from("/usr/lib/x86_64-linux-gnu/libvirglrenderer.so.1.7.7"),
        }
    }

    #[test]
    fn json_rows_name_the_renderer_and_the_gl() {
        let o = outcome(
            &[("kernel", "getparam", "skip"), ("mesa", "kmscube", "pass")],
            &[],
        );
        let text = json_lines(&o, Renderer::Ours, Gl::Es);
        let mesa: Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
        assert_eq!(
            (&mesa["suite"], &mesa["case"]),
            (&"mesa".into(), &"kmscube".into())
        );
        let v: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(v["case"], "getparam");
        assert_eq!(v["suite"], "kernel");
        assert_eq!(v["where"], "vm");
        assert_eq!(v["renderer"], "ours");
        assert_eq!(v["gl"], "es");
    }

    #[test]
    fn pngs_belong_to_the_longest_case_they_name() {
        let cases = ["raster_mrt", "raster", "triangle", "sub_ctx_state_isolated"];
        assert_eq!(png_case("raster_mrt_0", cases), Some("raster_mrt"));
        assert_eq!(png_case("triangle", cases), Some("triangle"));
        assert_eq!(
            png_case("sub_ctx_state_isolated_b", cases),
            Some("sub_ctx_state_isolated")
        );
        assert_eq!(png_case("triangles", cases), None);
        assert_eq!(png_case("clear_color", cases), None);
    }

    #[test]
    fn runs_differ_by_result_by_presence_and_by_png() {
        let a = outcome(
            &[
                ("conform", "triangle", "pass"),
                ("conform", "raster_mrt", "pass"),
                ("conform", "scissor", "pass"),
                ("conform", "depth_test", "pass"),
                ("kernel", "getparam", "pass"),
            ],
            &[
                "triangle",
                "raster_mrt_0",
                "raster_mrt_1",
                "scissor",
                "stray",
            ],
        );
        let b = outcome(
            &[
                ("conform", "triangle", "pass"),
                ("conform", "raster_mrt", "pass"),
                ("conform", "scissor", "fail"),
                ("kernel", "getparam", "pass"),
                ("kernel", "prime", "skip"),
            ],
            &["triangle", "raster_mrt_0", "scissor", "stray"],
        );
        let rows = diff_runs([&a, &b], |png| {
            (png == "triangle").then(|| "3 of 4096 pixels differ".to_string())
        });
        let row = |suite: &str, case: &str, r: [Option<&str>; 2], what: &[&str]| DiffRow {
            suite: suite.into(),
            case: case.into(),
            results: r.map(|r| r.map(str::to_string)),
            what: what.iter().map(|w| w.to_string()).collect(),
        };
        assert_eq!(
            rows,
            [
                row(
                    "conform",
                    "triangle",
                    [Some("pass"), Some("pass")],
                    &["triangle.png: 3 of 4096 pixels differ"]
                ),
                row(
                    "conform",
                    "raster_mrt",
                    [Some("pass"), Some("pass")],
                    &["raster_mrt_1.png only in virglrenderer"]
                ),
                row(
                    "conform",
                    "scissor",
                    [Some("pass"), Some("fail")],
                    &["result differs"]
                ),
                row(
                    "conform",
                    "depth_test",
                    [Some("pass"), None],
                    &["only in virglrenderer"]
                ),
                row("kernel", "prime", [None, Some("skip")], &["only in ours"]),
            ]
        );
        assert!(diff_runs([&a, &a], |_| None).is_empty());
        let stray = diff_runs([&a, &outcome(&[], &[])], |_| None);
        assert!(stray.iter().any(|r| r.suite == "png"
            && r.case == "stray"
            && r.what == ["stray.png only in virglrenderer"]));
    }

    fn png_bytes(w: u32, h: u32, rgba: &[u8], text: Option<&str>) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        if let Some(t) = text {
            enc.add_text_chunk("Comment".into(), t.into()).unwrap();
        }
        let mut wr = enc.write_header().unwrap();
        wr.write_image_data(rgba).unwrap();
        wr.finish().unwrap();
        out
    }

    #[test]
    fn pngs_compare_by_their_pixels() {
        let px: Vec<u8> = (0..16u8).collect();
        let a = png_bytes(2, 2, &px, None);
        assert_eq!(compare_png(&a, &a), None);
        // Other bytes, the same pixels.
        let tagged = png_bytes(2, 2, &px, Some("another encoder"));
        assert_ne!(a, tagged);
        assert_eq!(compare_png(&a, &tagged), None);
        let mut px2 = px.clone();
        px2[5] = 200;
        assert_eq!(
            compare_png(&a, &png_bytes(2, 2, &px2, None)).as_deref(),
            Some("1 of 4 pixels differ (largest byte difference 195)")
        );
        assert_eq!(
            compare_png(&a, &png_bytes(4, 1, &px, None)).as_deref(),
            Some("sizes differ (2x2 against 4x1)")
        );
        let broken = compare_png(&a, b"not a png").unwrap();
        assert!(broken.starts_with("the bytes differ"), "{broken}");
    }

    #[test]
    fn quadrant_lists_parse_exactly() {
        use super::parse_quadrants;
        assert_eq!(
            parse_quadrants("ff0000,00ff00,0000ff,808080"),
            Some([[255, 0, 0], [0, 255, 0], [0, 0, 255], [128, 128, 128]])
        );
        assert_eq!(parse_quadrants("ff0000,00ff00,0000ff"), None);
        assert_eq!(parse_quadrants("ff0000,00ff00,0000ff,80808"), None);
        assert_eq!(parse_quadrants("ff0000,00ff00,0000ff,zz0000"), None);
    }

    #[test]
    fn base64_round_trips_known_vectors() {
        assert_eq!(base64_decode("").unwrap(), b"");
        assert_eq!(base64_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64_decode("Zm8=").unwrap(), b"fo");
        assert_eq!(base64_decode("Zm9vYmFy").unwrap(), b"foobar");
        assert_eq!(base64_decode("iVBORw0KGgo=").unwrap(), b"\x89PNG\r\n\x1a\n");
        assert!(base64_decode("Zm9").is_none());
        assert!(base64_decode("Z===").is_none());
        assert!(base64_decode("Zm9*").is_none());
    }
}
