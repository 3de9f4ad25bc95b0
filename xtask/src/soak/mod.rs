//! `cargo xtask soak`: our vtest server under load for a fixed time, well-behaved and hostile
//! clients side by side, its memory and descriptors watched.
//!
//! One `virgl-host-vtest` (release build, `--no-fork --multi-clients`, so one process and one
//! renderer serve every client and its memory means something) listens on a private socket
//! under `target/soak/`. An idle anchor client connects first and stays to the end, so the
//! renderer lives throughout and "before the clients" and "after the clients" compare like
//! with like. Then N well-behaved clients render frames and check every pixel, and M hostile
//! clients send random and mutated streams, malformed vtest messages, resource and object
//! floods that hit the server's limits, and leave abruptly; all are threads of this process.
//! The server's RSS is sampled every second after a warm-up; its descriptors and mapped
//! resource memfds are counted before the clients start and after they have all left. The
//! server's stderr is tallied by client name (the refusals) and kept in `target/soak/server.log`.
//!
//! The run fails on a wrong frame, a well-behaved client's transport error or refusal, RSS
//! growth of 5% or more from the end of the warm-up to the end, a descriptor or mapping more at
//! the end than at the start, a flood the limits did not stop, or a server that died.

pub mod clients;
pub mod report;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use clap::Args;

use crate::proc::{check_interrupted, run_checked, Bounded, Guard, INTERRUPTED};
use crate::{Error, Result};
use clients::{Anchor, ServerLimits, Shared};
use report::{
    count_memfd_maps, parse_rss_parts, parse_vm_rss, Fds, GoodStats, HostileStats, LogTally,
    Outcome,
};

/// The anchor client's name.
pub const ANCHOR: &str = "soak-anchor";

/// The server's limits in a soak: below the defaults, so that a flood reaches them within a
/// second, and four hostile clients at their limits stay far from the machine's memory and
/// `vm.max_map_count`. Draws are held to 2^20 vertices (the default is 2^24): llvmpipe keeps
/// memory for the largest draw the shared renderer has run, about 95 MiB at 2^20 against
/// 1.5 GiB at 2^24.
pub const LIMITS: ServerLimits = ServerLimits {
    objects: 8192,
    resources: 1024,
    bytes: 256 << 20,
    draw_vertices: 1 << 20,
};

/// What the server loads: EGL and Mesa's llvmpipe.
const FILES: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/libEGL.so.1",
    "/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0",
    "/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so",
];

/// The longest a server log may grow; lines past it are still counted.
const MAX_LOG_BYTES: u64 = 64 << 20;

#[derive(Args, Debug)]
pub struct SoakArgs {
    /// Well-behaved clients: they render, read back and check every pixel.
    #[arg(long, default_value_t = 4)]
    pub good: usize,
    /// Hostile clients: random and mutated streams, malformed messages, floods, disconnects.
    #[arg(long, default_value_t = 4)]
    pub hostile: usize,
    /// How long the clients run.
    #[arg(long, default_value_t = 300)]
    pub seconds: u64,
    /// Seed of every client's random choices.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the report as JSON here.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
}

/// The warm-up: a tenth of the run, at least 10 s, at most half of it.
pub fn warm_up(seconds: u64) -> Duration {
    Duration::from_secs((seconds / 10).max(10).min(seconds / 2))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::vm::workspace_root().join("target"))
}

fn setup(what: &str) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |e| Error::Setup(format!("{what}: {e}"))
}

/// Builds the release server; its path.
fn build_server() -> Result<PathBuf> {
    eprintln!("soak: building virgl-host-vtest (release)");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(crate::vm::workspace_root())
        .args([
            "build",
            "--release",
            "-p",
            "virgl-host",
            "--bin",
            "virgl-host-vtest",
        ])
        .stdin(Stdio::null());
    run_checked(Bounded::new(
        cmd,
        "cargo build --release -p virgl-host --bin virgl-host-vtest",
        Duration::from_secs(1800),
    ))?;
    Ok(target_dir().join("release/virgl-host-vtest"))
}

fn read_rss(pid: u32) -> Option<u64> {
    parse_vm_rss(&std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

fn read_fds(pid: u32) -> Option<Fds> {
    let entries = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    let targets: Vec<String> = entries
        .flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .map(|t| t.to_string_lossy().into_owned())
        .collect();
    Some(Fds::of(targets.iter().map(String::as_str)))
}

fn read_maps(pid: u32) -> Option<usize> {
    Some(count_memfd_maps(
        &std::fs::read_to_string(format!("/proc/{pid}/maps")).ok()?,
    ))
}

/// Sets the clients' stop flag however the run ends.
struct StopOnDrop(Arc<Shared>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads the server's stderr into the tally and the log file until it closes.
fn read_log(
    stderr: std::process::ChildStderr,
    path: &Path,
    tally: Arc<Mutex<LogTally>>,
) -> Result<JoinHandle<()>> {
    let mut file = std::fs::File::create(path).map_err(setup("server.log"))?;
    Ok(std::thread::spawn(move || {
        let mut written = 0u64;
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            tally.lock().unwrap().line(&line);
            if written < MAX_LOG_BYTES {
                written += line.len() as u64 + 1;
                let _ = writeln!(file, "{line}");
            }
        }
    }))
}

/// Waits until the server accepts connections, or fails if it ends or takes 60 s.
fn wait_listening(server: &mut Guard, socket: &Path) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if UnixStream::connect(socket).is_ok() {
            return Ok(());
        }
        if let Some(s) = server.wait_timeout(Duration::from_millis(100))? {
            return Err(Error::Setup(format!(
                "virgl-host-vtest ended before listening: {s}"
            )));
        }
        if Instant::now() > deadline {
            return Err(Error::Setup(
                "virgl-host-vtest did not listen within 60 s".into(),
            ));
        }
    }
}

/// Waits until the server's descriptors and mappings are back to `base` (every departure
/// taken), or 15 s.
fn settle(pid: u32, base: Option<Fds>, base_maps: Option<usize>) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (f, m) = (read_fds(pid), read_maps(pid));
        let back = matches!((f, base), (Some(f), Some(b)) if f.total <= b.total)
            && matches!((m, base_maps), (Some(m), Some(b)) if m <= b);
        if back || Instant::now() > deadline {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Joins the threads that finish within `limit`; the names of those that do not.
fn join_all<T>(handles: Vec<(String, JoinHandle<T>)>, limit: Duration) -> (Vec<T>, Vec<String>) {
    let deadline = Instant::now() + limit;
    let mut done = Vec::new();
    let mut hung = Vec::new();
    for (name, h) in handles {
        while !h.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if h.is_finished() {
            match h.join() {
                Ok(v) => done.push(v),
                Err(_) => hung.push(format!("{name} (panicked)")),
            }
        } else {
            hung.push(name);
        }
    }
    (done, hung)
}

/// Runs the soak; whether it passed.
pub fn soak(args: &SoakArgs) -> Result<bool> {
    crate::deps::ensure(&[], FILES)?;
    let dir = target_dir().join("soak");
    std::fs::create_dir_all(&dir).map_err(setup("target/soak"))?;
    let server_path = build_server()?;
    check_interrupted()?;
    let socket = dir.join("vtest.sock");
    if socket.as_os_str().len() > 100 {
        return Err(Error::Setup(format!(
            "{}: too long for a Unix socket path; set CARGO_TARGET_DIR shorter",
            socket.display()
        )));
    }
    let _ = std::fs::remove_file(&socket);

    let mut cmd = Command::new(&server_path);
    cmd.arg("--use-egl-surfaceless")
        .arg("--no-fork")
        .arg("--multi-clients")
        .arg(format!("--socket-path={}", socket.display()))
        .arg(format!("--max-objects={}", LIMITS.objects))
        .arg(format!("--max-resources={}", LIMITS.resources))
        .arg(format!("--max-resource-bytes={}", LIMITS.bytes))
        .arg(format!("--max-draw-vertices={}", LIMITS.draw_vertices))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut server = Guard::spawn(cmd, "virgl-host-vtest")?;
    let pid = server.child.id();
    let tally = Arc::new(Mutex::new(LogTally::default()));
    let stderr = server.child.stderr.take().expect("piped");
    let log_thread = read_log(stderr, &dir.join("server.log"), tally.clone())?;
    wait_listening(&mut server, &socket)?;
    eprintln!(
        "soak: server pid {pid} on {} (limits: --max-objects {} --max-resources {} \
         --max-resource-bytes {} --max-draw-vertices {})",
        socket.display(),
        LIMITS.objects,
        LIMITS.resources,
        LIMITS.bytes,
        LIMITS.draw_vertices
    );

    let anchor =
        Anchor::connect(&socket).map_err(|e| Error::Setup(format!("the anchor client: {e}")))?;
    std::thread::sleep(Duration::from_millis(500));
    let mut out = Outcome {
        seconds: args.seconds,
        fds_base: read_fds(pid),
        maps_base: read_maps(pid),
        ..Outcome::default()
    };
    let rss_start = read_rss(pid);

    let shared = Arc::new(Shared {
        socket: socket.clone(),
        stop: AtomicBool::new(false),
        paused: AtomicBool::new(false),
        idle: AtomicUsize::new(0),
        limits: LIMITS,
        captures: clients::load_captures(&crate::vm::workspace_root().join("proto/tests/data")),
        frames: AtomicU64::new(0),
        wrong: AtomicU64::new(0),
        hostile_submissions: AtomicU64::new(0),
    });
    let stop = StopOnDrop(shared.clone());
    let seed = |kind: u64, i: usize| {
        args.seed
            .wrapping_mul(0x100_0000_01B3)
            .wrapping_add(kind << 32 | i as u64)
    };
    let mut good_threads: Vec<(String, JoinHandle<GoodStats>)> = Vec::new();
    for i in 0..args.good {
        let (s, name) = (shared.clone(), format!("soak-good-{i}"));
        let n = name.clone();
        let sd = seed(1, i);
        good_threads.push((name, std::thread::spawn(move || clients::good(&s, n, sd))));
    }
    let mut hostile_threads: Vec<(String, JoinHandle<HostileStats>)> = Vec::new();
    for i in 0..args.hostile {
        let (s, name) = (shared.clone(), format!("soak-hostile-{i}"));
        let n = name.clone();
        let sd = seed(2, i);
        hostile_threads.push((
            name,
            std::thread::spawn(move || clients::hostile(&s, n, sd)),
        ));
    }
    eprintln!(
        "soak: {} good and {} hostile clients for {} s (seed {}); RSS at start {}",
        args.good,
        args.hostile,
        args.seconds,
        args.seed,
        rss_start.map_or("-".into(), |r| format!("{:.1} MiB", r as f64 / 1048576.0))
    );

    let start = Instant::now();
    let warm = warm_up(args.seconds);
    let end = start + Duration::from_secs(args.seconds);
    let mut next = start + Duration::from_secs(1);
    let mut last_progress = start;
    while Instant::now() < end {
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
        next += Duration::from_secs(1);
        if INTERRUPTED.load(Ordering::SeqCst) {
            drop(stop);
            server.kill();
            return Err(Error::Setup("interrupted; server stopped".into()));
        }
        if let Some(s) = server.child.try_wait().map_err(setup("virgl-host-vtest"))? {
            out.server_died = Some(s.to_string());
            break;
        }
        let elapsed = start.elapsed();
        if elapsed >= warm && out.rss_warm.is_none() {
            // The quiet measurement: every client leaves and waits; the server takes the
            // departures; RSS and descriptors with only the anchor, as at the end.
            let busy = read_rss(pid);
            shared.paused.store(true, Ordering::SeqCst);
            let deadline = Instant::now() + Duration::from_secs(60);
            let clients = args.good + args.hostile;
            while shared.idle.load(Ordering::SeqCst) < clients && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if shared.idle.load(Ordering::SeqCst) < clients {
                out.hung
                    .push("a client that was asked to pause after the warm-up".into());
            }
            settle(pid, out.fds_base, out.maps_base);
            out.rss_warm = read_rss(pid);
            out.fds_warm = read_fds(pid);
            shared.paused.store(false, Ordering::SeqCst);
            eprintln!(
                "soak: warm-up over at {} s: RSS {} busy, {} with the clients gone",
                elapsed.as_secs(),
                busy.map_or("-".into(), |r| format!("{:.1} MiB", r as f64 / 1048576.0)),
                out.rss_warm
                    .map_or("-".into(), |r| format!("{:.1} MiB", r as f64 / 1048576.0))
            );
            next = Instant::now() + Duration::from_secs(1);
            continue;
        }
        if elapsed >= warm {
            let rss = read_rss(pid);
            if let Some(r) = rss {
                out.samples += 1;
                out.rss_series.push((elapsed.as_secs(), r));
                out.rss_max = Some(out.rss_max.map_or(r, |m| m.max(r)));
            }
        }
        if last_progress.elapsed() >= Duration::from_secs(30) {
            last_progress = Instant::now();
            eprintln!(
                "soak: {} s: {} frames ({} wrong), {} hostile submissions, RSS {}",
                elapsed.as_secs(),
                shared.frames.load(Ordering::Relaxed),
                shared.wrong.load(Ordering::Relaxed),
                shared.hostile_submissions.load(Ordering::Relaxed),
                read_rss(pid).map_or("-".into(), |r| format!("{:.1} MiB", r as f64 / 1048576.0))
            );
        }
    }

    eprintln!("soak: stopping the clients");
    drop(stop);
    let limit = Duration::from_secs(60);
    let (good, hung_good) = join_all(good_threads, limit);
    let (hostile, hung_hostile) = join_all(hostile_threads, limit);
    out.good = good;
    out.hostile = hostile;
    out.hung = [hung_good, hung_hostile].concat();

    if out.server_died.is_none() {
        settle(pid, out.fds_base, out.maps_base);
        out.fds_end = read_fds(pid);
        out.maps_end = read_maps(pid);
        out.rss_end = read_rss(pid);
        out.rss_end_parts = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| parse_rss_parts(&s));
        // Where the memory is, for whoever reads a growth.
        if let Ok(smaps) = std::fs::read(format!("/proc/{pid}/smaps")) {
            let _ = std::fs::write(dir.join("smaps-end.txt"), smaps);
        }
        if let Some(r) = out.rss_end {
            out.rss_max = Some(out.rss_max.map_or(r, |m| m.max(r)));
        }
        drop(anchor);
        std::thread::sleep(Duration::from_millis(500));
        if let Some(s) = server.child.try_wait().map_err(setup("virgl-host-vtest"))? {
            out.server_died = Some(format!("after the last client left: {s}"));
        }
    }
    server.kill();
    let _ = log_thread.join();
    out.log = tally.lock().unwrap().clone();

    let text = out.render();
    print!("{text}");
    eprintln!(
        "soak: server log: {}; its memory map at the end: {}",
        dir.join("server.log").display(),
        dir.join("smaps-end.txt").display()
    );
    if let Some(path) = &args.json {
        let body =
            serde_json::to_string_pretty(&out.json()).map_err(|e| Error::Setup(e.to_string()))?;
        std::fs::write(path, body + "\n")
            .map_err(|e| Error::Setup(format!("{}: {e}", path.display())))?;
    }
    Ok(out.failures().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_is_a_tenth_at_least_10_s_and_at_most_half() {
        assert_eq!(warm_up(300), Duration::from_secs(30));
        assert_eq!(warm_up(30), Duration::from_secs(10));
        assert_eq!(warm_up(12), Duration::from_secs(6));
        assert_eq!(warm_up(1000), Duration::from_secs(100));
    }
}
