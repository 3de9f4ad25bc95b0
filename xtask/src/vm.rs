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
//! - `end`: the guest is about to power off.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::deps;
use crate::proc::{run_checked, Bounded, Guard};
use crate::{Error, Result};

/// Modules the guest loads (their dependencies come along).
const GUEST_MODULES: &[&str] = &["virtio_pci", "virtio_gpu"];

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
}

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
    };
    vm_images::build_initramfs(&spec, &cache.join("initramfs.cpio"))
        .map_err(|e| Error::Setup(e.to_string()))
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
    let image = build_image(&root, binaries, &p)?;
    p.say(format!(
        "image: {} ({}; modules: {})",
        image.initramfs.display(),
        if image.rebuilt {
            "rebuilt"
        } else {
            "unchanged"
        },
        image.modules.join(" ")
    ));
    let logdir = root.join("target/vm");

    boot_and_run(args, &image, &logdir, &p)
}

fn boot_and_run(
    args: &VmTestArgs,
    image: &vm_images::Image,
    logdir: &Path,
    p: &Progress,
) -> Result<bool> {
    let (_xvfb, display) = start_xvfb(logdir)?;
    p.say(format!(
        "boot: Xvfb on :{display}, starting QEMU (virtio-gpu-gl, TCG)"
    ));
    let mut append = String::from("console=ttyS0 panic=-1 quiet loglevel=3 rdinit=/init");
    if let Some(f) = &args.filter {
        append.push_str(&format!(" virgl.filter={f}"));
    }
    if args.save_png.is_some() {
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
        .args([
            "-device",
            "virtio-gpu-gl-pci,xres=800,yres=600",
            "-display",
            "gtk,gl=on",
        ])
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
    let mut qemu = Guard::spawn(cmd, "qemu-system-x86_64")?;
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
    let mut pngs = 0;
    let mut panic_line: Option<String> = None;
    let mut ended = false;
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
        let Some(msg) = line.strip_prefix("@@VIRGL ") else {
            console.push(line);
            continue;
        };
        console.push(line.clone());
        let (kind, rest) = msg.split_once(' ').unwrap_or((msg, ""));
        match kind {
            "phase" => p.say(format!("guest: {rest}")),
            "result" => {
                let (suite, json) = rest.split_once(' ').unwrap_or((rest, ""));
                match serde_json::from_str::<Value>(json) {
                    Ok(v) => {
                        if results.is_empty() {
                            p.say(format!(
                                "boot to first result: {:.1} s",
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
                    Err(e) => errors.push(format!("{suite}: unparsable result {json:?}: {e}")),
                }
            }
            "stderr" | "error" => {
                p.say(format!("guest {kind}: {rest}"));
                errors.push(rest.to_string());
            }
            "done" => {
                let (suite, rc) = rest.split_once(' ').unwrap_or((rest, "?"));
                done.push((suite.to_string(), rc.trim().parse().unwrap_or(-1)));
            }
            "png" => {
                if let (Some(dir), Some((name, b64))) = (&args.save_png, rest.split_once(' ')) {
                    save_png(dir, name, b64)?;
                    pngs += 1;
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
    // The guest powers off by itself after "end"; give QEMU a moment, then make sure.
    if qemu.wait_timeout(Duration::from_secs(10))?.is_none() {
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
        let qlog = std::fs::read_to_string(logdir.join("qemu.log")).unwrap_or_default();
        let qtail: Vec<&str> = qlog.lines().rev().take(20).collect();
        return Err(Error::Setup(format!(
            "QEMU exited before the guest finished; last console lines:\n{}\nqemu.log:\n{}",
            tail(&console),
            qtail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )));
    }
    report(args, &results, &done, &errors, pngs)
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

fn report(
    args: &VmTestArgs,
    results: &[CaseResult],
    done: &[(String, i32)],
    errors: &[String],
    pngs: usize,
) -> Result<bool> {
    if let Some(path) = &args.json {
        let mut out = String::new();
        for r in results {
            let mut v = r.value.clone();
            if let Value::Object(m) = &mut v {
                m.insert("suite".into(), Value::String(r.suite.clone()));
                m.insert("where".into(), Value::String("vm".into()));
            }
            out.push_str(&v.to_string());
            out.push('\n');
        }
        std::fs::write(path, out).map_err(|e| Error::Setup(format!("{}: {e}", path.display())))?;
    }
    println!();
    println!(
        "{:<8} {:<32} {:<6} {:>10}",
        "suite", "case", "result", "time"
    );
    let mut counts = [0usize; 3];
    for r in results {
        let verdict = r.value["result"].as_str().unwrap_or("?");
        match verdict {
            "pass" => counts[0] += 1,
            "skip" => counts[2] += 1,
            _ => counts[1] += 1,
        }
        println!(
            "{:<8} {:<32} {:<6} {:>7.1} ms",
            r.suite,
            r.value["case"].as_str().unwrap_or("?"),
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
    if let Some(dir) = &args.save_png {
        println!("{pngs} PNGs written to {}", dir.display());
    }
    let suites_ok = !done.is_empty() && done.iter().all(|(_, rc)| *rc == 0);
    if !suites_ok {
        println!("suite exit statuses: {done:?}");
    }
    for e in errors {
        println!("guest error: {e}");
    }
    Ok(counts[1] == 0 && suites_ok && !results.is_empty())
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
    use super::base64_decode;

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
