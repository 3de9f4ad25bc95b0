//! One client and one vtest server in a private mount namespace of their own.
//!
//! Mesa 22.3's vtest client only connects to `/tmp/.virgl_test`, so every pair gets its own
//! tmpfs `/tmp`: [`run`] starts `unshare --mount`, which re-runs this binary as
//! `host-eval-pair` ([`pair_inner`]). That starts the server on `/tmp/.virgl_test`, runs the
//! client through virpipe, and writes what happened (`status.json`, `client.log`,
//! `server.log`, screen grabs) into a directory outside `/tmp` for [`run`] to read. Xvfb stays
//! reachable through its abstract socket.
//!
//! The server's environment never has `GALLIUM_DRIVER` or `LIBGL_ALWAYS_SOFTWARE` (its own
//! EGL would load virpipe and connect to itself); the client's always has both. Every child
//! is bounded: the client by its timeout, the namespace by that plus a margin, and all of
//! them are killed on every exit path, Ctrl-C included (the namespace's process gets SIGTERM,
//! which its own handler turns into stopping its server and client).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::proc::Guard;
use crate::screen::{parse_ppm, x_picture, Picture};
use crate::{Error, Result};

/// The socket Mesa's vtest client connects to.
/// The socket the pair's server listens on (the only one Mesa 22.3's virpipe reaches).
pub const SOCKET: &str = "/tmp/.virgl_test";

/// How long a server may take to listen.
const SERVER_START: Duration = Duration::from_secs(15);

/// Time the namespace gets beyond the client's own limit (server start, grabs, cleanup).
const MARGIN: Duration = Duration::from_secs(30);

/// A vtest server: its program and arguments (`--socket-path=/tmp/.virgl_test` is added).
#[derive(Clone, Debug)]
pub struct Server {
    /// A name on `PATH` or a path.
    pub program: PathBuf,
    /// Its arguments, before `--socket-path`.
    pub args: Vec<String>,
    /// Variables added to its environment (`MESA_GLES_VERSION_OVERRIDE` for `--gles`,
    /// `LD_LIBRARY_PATH` for the `capi` column).
    pub env: Vec<(String, String)>,
    /// The `libvirglrenderer.so.1` it must have mapped once it listens (the `capi` column's:
    /// ours), checked in `/proc/PID/maps`; a server on another fails the run.
    pub library: Option<PathBuf>,
}

/// A part of the X screen to read while the client runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// The top-left corner and the size, in pixels.
    pub x: i16,
    pub y: i16,
    pub width: u16,
    pub height: u16,
}

impl std::str::FromStr for Rect {
    type Err = String;

    /// Parses `WxH+X+Y`, as X geometry strings are written.
    fn from_str(s: &str) -> Result<Rect, String> {
        let bad = || format!("{s:?} is not WxH+X+Y");
        let (size, pos) = s.split_once('+').ok_or_else(bad)?;
        let (w, h) = size.split_once('x').ok_or_else(bad)?;
        let (x, y) = pos.split_once('+').ok_or_else(bad)?;
        Ok(Rect {
            x: x.parse().map_err(|_| bad())?,
            y: y.parse().map_err(|_| bad())?,
            width: w.parse().map_err(|_| bad())?,
            height: h.parse().map_err(|_| bad())?,
        })
    }
}

impl std::fmt::Display for Rect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}+{}+{}", self.width, self.height, self.x, self.y)
    }
}

/// A client program and how to run it.
#[derive(Clone, Debug)]
pub struct Client {
    /// The program (a name on `PATH` or a path) and its arguments.
    pub argv: Vec<OsString>,
    /// Environment besides virpipe's two variables.
    pub env: Vec<(String, String)>,
    /// The X display it may use; without one, `DISPLAY` is removed.
    pub display: Option<u32>,
    /// How long it may run before it counts as timed out.
    pub timeout: Duration,
    /// For programs that run until closed: stop them after this long (that is no failure).
    pub stop_after: Option<Duration>,
    /// Read this part of the screen twice, half a second apart, just before stopping it.
    pub grab: Option<Rect>,
}

/// How a client run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum End {
    /// It exited with this status.
    Exited(i32),
    /// A signal killed it (a crash).
    Signaled(i32),
    /// It ran past its timeout and was killed.
    TimedOut,
    /// It was still running at `stop_after` and was stopped, as asked.
    Stopped,
    /// The pair could not run it (the server did not start, the client would not spawn...).
    Error(String),
    /// Not run: the server under test is missing (the reason, e.g. "not built").
    NotRun(String),
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::Exited(c) => write!(f, "exit {c}"),
            End::Signaled(s) => write!(f, "signal {s}"),
            End::TimedOut => write!(f, "timeout"),
            End::Stopped => write!(f, "stopped"),
            End::Error(e) => write!(f, "error: {e}"),
            End::NotRun(why) => write!(f, "{why}"),
        }
    }
}

/// What one client run against one server produced.
#[derive(Debug)]
pub struct Run {
    pub end: End,
    /// The client's wall time, from its start to its end.
    pub secs: f64,
    /// The client's stdout and stderr.
    pub output: String,
    /// The server's stdout and stderr.
    pub server_log: String,
    /// How the server ended, when it ended before the client did.
    pub server_exit: Option<String>,
    /// The screen grabs asked for, in order.
    pub grabs: Vec<Picture>,
    /// Why a grab failed.
    pub grab_error: Option<String>,
}

impl Run {
    /// A run that never happened.
    pub fn not_run(why: &str) -> Run {
        Run {
            end: End::NotRun(why.to_string()),
            secs: 0.0,
            output: String::new(),
            server_log: String::new(),
            server_exit: None,
            grabs: Vec::new(),
            grab_error: None,
        }
    }

    /// The server's log lines that report a context error.
    pub fn context_errors(&self) -> Vec<&str> {
        self.server_log
            .lines()
            .filter(|l| l.to_ascii_lowercase().contains("context error"))
            .collect()
    }
}

fn err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Setup(format!("{what}: {e}"))
}

/// Runs `client` against `server` in a fresh private mount namespace, keeping the logs in
/// `dir` (which must not be under `/tmp`).
pub fn run(server: &Server, client: &Client, dir: &Path) -> Result<Run> {
    std::fs::create_dir_all(dir).map_err(|e| err("create pair dir", e))?;
    let exe = std::env::current_exe().map_err(|e| err("current_exe", e))?;
    let log = std::fs::File::create(dir.join("pair.log")).map_err(|e| err("pair.log", e))?;
    let mut cmd = Command::new("unshare");
    if !nix::unistd::geteuid().is_root() {
        cmd.arg("--map-root-user");
    }
    cmd.args(["--mount", "--propagation", "private", "--", "/bin/sh", "-c"])
        .arg("mount -t tmpfs tmpfs /tmp && exec \"$@\"")
        .arg("sh")
        .arg(exe)
        .arg("host-eval-pair")
        .arg("--dir")
        .arg(dir)
        .arg("--server")
        .arg(&server.program);
    for a in &server.args {
        cmd.arg(format!("--server-arg={a}"));
    }
    for (k, v) in &server.env {
        cmd.arg(format!("--server-env={k}={v}"));
    }
    if let Some(lib) = &server.library {
        cmd.arg("--server-library").arg(lib);
    }
    cmd.arg("--timeout")
        .arg(client.timeout.as_secs_f64().to_string());
    if let Some(s) = client.stop_after {
        cmd.arg("--stop-after").arg(s.as_secs_f64().to_string());
    }
    if let Some(d) = client.display {
        cmd.arg("--display").arg(d.to_string());
    }
    if let Some(r) = client.grab {
        cmd.arg("--grab").arg(r.to_string());
    }
    for (k, v) in &client.env {
        cmd.arg(format!("--env={k}={v}"));
    }
    cmd.arg("--")
        .args(&client.argv)
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| err("pair.log", e))?)
        .stderr(log);
    let limit = client.stop_after.unwrap_or(client.timeout) + MARGIN;
    let mut g = Guard::spawn(cmd, "host-eval pair (unshare)")?;
    let finished = g.wait_timeout(limit)?;
    if finished.is_none() {
        g.kill();
    }
    let read = |name: &str| {
        std::fs::read(dir.join(name))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let mut run = Run {
        end: End::Error(String::new()),
        secs: 0.0,
        output: read("client.log"),
        server_log: read("server.log"),
        server_exit: None,
        grabs: Vec::new(),
        grab_error: None,
    };
    let status = std::fs::read(dir.join("status.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    let Some(status) = status else {
        let why = match finished {
            None => format!("the pair did not finish within {limit:?}"),
            Some(s) => format!("the pair ended ({s}) without a status"),
        };
        run.end = End::Error(format!("{why}; {}", tail(&read("pair.log"), 3)));
        return Ok(run);
    };
    run.end = end_from_json(&status);
    run.secs = status["secs"].as_f64().unwrap_or(0.0);
    run.server_exit = status["server_exit"].as_str().map(str::to_string);
    run.grab_error = status["grab_error"].as_str().map(str::to_string);
    for i in 0.. {
        match std::fs::read(dir.join(format!("grab{i}.ppm"))) {
            Ok(b) => run.grabs.extend(parse_ppm(&b)),
            Err(_) => break,
        }
    }
    Ok(run)
}

/// The last `n` non-empty lines of `s`, joined with " | ".
pub fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

fn end_to_json(end: &End) -> Value {
    match end {
        End::Exited(c) => json!({"end": "exited", "code": c}),
        End::Signaled(s) => json!({"end": "signaled", "signal": s}),
        End::TimedOut => json!({"end": "timeout"}),
        End::Stopped => json!({"end": "stopped"}),
        End::Error(m) => json!({"end": "error", "message": m}),
        End::NotRun(m) => json!({"end": "not run", "message": m}),
    }
}

fn end_from_json(v: &Value) -> End {
    let int = |k: &str| v[k].as_i64().unwrap_or(-1) as i32;
    let msg = || v["message"].as_str().unwrap_or("").to_string();
    match v["end"].as_str() {
        Some("exited") => End::Exited(int("code")),
        Some("signaled") => End::Signaled(int("signal")),
        Some("timeout") => End::TimedOut,
        Some("stopped") => End::Stopped,
        Some("not run") => End::NotRun(msg()),
        Some("error") => End::Error(msg()),
        other => End::Error(format!("unreadable status {other:?}")),
    }
}

/// Arguments of the part that runs inside the private mount namespace.
#[derive(Debug, clap::Args)]
pub struct PairArgs {
    /// Where status.json, the logs and the grabs go.
    #[arg(long)]
    pub dir: PathBuf,
    /// The vtest server's program.
    #[arg(long)]
    pub server: PathBuf,
    /// One argument for the server (repeatable).
    #[arg(long = "server-arg", allow_hyphen_values = true)]
    pub server_args: Vec<String>,
    /// One `NAME=VALUE` for the server's environment (repeatable).
    #[arg(long = "server-env")]
    pub server_env: Vec<String>,
    /// The libvirglrenderer.so.1 the server must have mapped once it listens.
    #[arg(long = "server-library")]
    pub server_library: Option<PathBuf>,
    /// The client's limit in seconds.
    #[arg(long)]
    pub timeout: f64,
    /// Stop the client after this many seconds.
    #[arg(long)]
    pub stop_after: Option<f64>,
    /// The X display for the client and the grabs.
    #[arg(long)]
    pub display: Option<u32>,
    /// Read this part of the screen (WxH+X+Y) before stopping the client.
    #[arg(long)]
    pub grab: Option<Rect>,
    /// One `NAME=VALUE` for the client's environment (repeatable).
    #[arg(long = "env")]
    pub env: Vec<String>,
    /// The client and its arguments.
    #[arg(last = true, required = true)]
    pub client: Vec<OsString>,
}

/// Inside the namespace: serve `/tmp/.virgl_test`, run the client, write `status.json`.
pub fn pair_inner(args: &PairArgs) -> Result<()> {
    let mut status = match serve_and_run(args) {
        Ok(v) => v,
        Err(e) => end_to_json(&End::Error(e.to_string())),
    };
    if status.get("secs").is_none() {
        status["secs"] = json!(0.0);
    }
    std::fs::write(args.dir.join("status.json"), status.to_string())
        .map_err(|e| err("write status.json", e))
}

fn end_of(s: ExitStatus) -> End {
    use std::os::unix::process::ExitStatusExt;
    match (s.code(), s.signal()) {
        (Some(c), _) => End::Exited(c),
        (None, Some(sig)) => End::Signaled(sig),
        _ => End::Error(format!("unknown exit status {s}")),
    }
}

fn serve_and_run(args: &PairArgs) -> Result<Value> {
    let log =
        std::fs::File::create(args.dir.join("server.log")).map_err(|e| err("server.log", e))?;
    let mut cmd = Command::new(&args.server);
    for kv in &args.server_env {
        if let Some((k, v)) = kv.split_once('=') {
            cmd.env(k, v);
        }
    }
    cmd.args(&args.server_args)
        .arg(format!("--socket-path={SOCKET}"))
        .env_remove("GALLIUM_DRIVER")
        .env_remove("LIBGL_ALWAYS_SOFTWARE")
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| err("server.log", e))?)
        .stderr(log);
    let mut server = Guard::spawn(cmd, "vtest server")?;
    let deadline = Instant::now() + SERVER_START;
    while !Path::new(SOCKET).exists() {
        if let Some(s) = server.wait_timeout(Duration::from_millis(10))? {
            return Ok(end_to_json(&End::Error(format!(
                "the server exited ({s}) before listening"
            ))));
        }
        if Instant::now() >= deadline {
            return Ok(end_to_json(&End::Error(format!(
                "the server did not listen on {SOCKET} within {SERVER_START:?}"
            ))));
        }
    }
    if let Some(want) = &args.server_library {
        let libs = crate::capi::mapped_by(server.child.id())?;
        if let Err(e) = crate::capi::judge(&libs, want, true) {
            return Ok(end_to_json(&End::Error(format!(
                "the server does not run on {}: {e}",
                want.display()
            ))));
        }
    }
    let out =
        std::fs::File::create(args.dir.join("client.log")).map_err(|e| err("client.log", e))?;
    let mut cmd = Command::new(&args.client[0]);
    cmd.args(&args.client[1..])
        .env("GALLIUM_DRIVER", "virpipe")
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .stdin(Stdio::null())
        .stdout(out.try_clone().map_err(|e| err("client.log", e))?)
        .stderr(out);
    match args.display {
        Some(d) => cmd.env("DISPLAY", format!(":{d}")),
        None => cmd.env_remove("DISPLAY"),
    };
    for kv in &args.env {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| Error::Setup(format!("--env {kv:?} is not NAME=VALUE")))?;
        cmd.env(k, v);
    }
    let start = Instant::now();
    let mut client = Guard::spawn(cmd, "client")?;
    let mut grab_error = None;
    let end = match args.stop_after {
        Some(stop) => match client.wait_timeout(Duration::from_secs_f64(stop))? {
            Some(s) => end_of(s),
            None => {
                if let (Some(rect), Some(display)) = (args.grab, args.display) {
                    grab_error = grab_twice(display, rect, &args.dir).err();
                }
                client.kill();
                End::Stopped
            }
        },
        None => match client.wait_timeout(Duration::from_secs_f64(args.timeout))? {
            Some(s) => end_of(s),
            None => {
                client.kill();
                End::TimedOut
            }
        },
    };
    let secs = start.elapsed().as_secs_f64();
    let server_exit = server
        .child
        .try_wait()
        .ok()
        .flatten()
        .map(|s| s.to_string());
    drop(server);
    let mut v = end_to_json(&end);
    v["secs"] = json!(secs);
    if let Some(s) = server_exit {
        v["server_exit"] = json!(s);
    }
    if let Some(e) = grab_error {
        v["grab_error"] = json!(e.to_string());
    }
    Ok(v)
}

/// Reads `rect` twice, half a second apart, into `grab0.ppm` and `grab1.ppm`: equal grabs
/// show that the client's picture stands still.
fn grab_twice(display: u32, rect: Rect, dir: &Path) -> Result<()> {
    for i in 0..2 {
        if i > 0 {
            std::thread::sleep(Duration::from_millis(500));
        }
        let pic = x_picture(display, Some((rect.x, rect.y, rect.width, rect.height)))?;
        std::fs::write(dir.join(format!("grab{i}.ppm")), pic.to_ppm())
            .map_err(|e| err("write grab", e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rects_read_and_print_as_x_geometry() {
        let r: Rect = "300x200+10+20".parse().unwrap();
        assert_eq!(
            r,
            Rect {
                x: 10,
                y: 20,
                width: 300,
                height: 200
            }
        );
        assert_eq!(r.to_string(), "300x200+10+20");
        assert!("300x200".parse::<Rect>().is_err());
        assert!("ax1+0+0".parse::<Rect>().is_err());
    }

    #[test]
    fn ends_survive_the_status_file() {
        for end in [
            End::Exited(1),
            End::Signaled(11),
            End::TimedOut,
            End::Stopped,
            End::Error("no server".into()),
            End::NotRun("not built".into()),
        ] {
            assert_eq!(end_from_json(&end_to_json(&end)), end);
        }
        assert!(matches!(end_from_json(&json!({})), End::Error(_)));
    }

    #[test]
    fn context_errors_are_found_in_the_server_log() {
        let mut run = Run::not_run("x");
        run.server_log = "GLSL feature level 450\n\
            vrend_report_context_error_internal: context error reported 3 \"glxgears\" \
            Illegal shader 0\nclient failed: VTEST_CLIENT_ERROR_INPUT_READ\n"
            .into();
        assert_eq!(run.context_errors().len(), 1);
        assert_eq!(tail("a\n\nb\nc\n", 2), "b | c");
    }
}
