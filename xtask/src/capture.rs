//! `cargo xtask capture`: records the virgl command streams a real GL program submits through
//! Mesa's virgl driver.
//!
//! Mesa's vtest client (`GALLIUM_DRIVER=virpipe`) only connects to `/tmp/.virgl_test`, so the
//! program runs in a private mount namespace with its own `/tmp`, where our recording proxy
//! listens on that path and forwards to a `virgl_test_server` outside. The proxy parses the
//! client's vtest messages, appends every SUBMIT_CMD payload to `DIR/NN-NAME.virgl` (raw
//! little-endian dwords, submits concatenated; what `virgl-dump` reads), and passes the
//! server's replies through with their file descriptors.

use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use virgl_guest::sys::{recv_with_fds, send_with_fds};
use virgl_proto::vtest::{cmd, MsgHeader};

use crate::proc::{Bounded, Guard};
use crate::{deps, Error, Result};

/// Options of `cargo xtask capture`.
#[derive(Debug, clap::Args)]
pub struct CaptureArgs {
    /// Where the `.virgl` stream files go.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Stop the program after this many seconds (for programs that run until closed).
    #[arg(long, value_name = "SECS")]
    pub seconds: Option<f64>,
    /// Keep at most this many bytes of submits per connection (whole submits only).
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub max_bytes: usize,
    /// The program and its arguments.
    #[arg(last = true, required = true)]
    pub program: Vec<String>,
}

/// Arguments of the part that runs inside the private mount namespace.
#[derive(Debug, clap::Args)]
pub struct InnerArgs {
    #[arg(long)]
    pub upstream: PathBuf,
    #[command(flatten)]
    pub capture: CaptureArgs,
}

fn err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Setup(format!("{what}: {e}"))
}

/// Runs the server and Xvfb, then re-runs this binary as `capture-inner` in a private mount
/// namespace.
pub fn capture(args: &CaptureArgs) -> Result<()> {
    let mut programs = deps::CAPTURE.to_vec();
    // Install the recorded program too where the table knows its package.
    let file_name = Path::new(&args.program[0])
        .file_name()
        .and_then(|n| n.to_str());
    programs.extend(file_name.and_then(deps::program).map(|p| p.name));
    deps::ensure(&programs, &[])?;
    std::fs::create_dir_all(&args.out).map_err(|e| err("create --out", e))?;
    // Not under /tmp: the namespace gets a fresh /tmp, and the server socket must stay visible.
    let work = crate::vm::workspace_root().join(format!("target/capture-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| err("create work dir", e))?;
    let socket = work.join("server.sock");
    // The program's namespace has its own /tmp, so streams are written here and moved to --out.
    let staging = work.join("streams");
    std::fs::create_dir_all(&staging).map_err(|e| err("create staging dir", e))?;
    let mut server = Command::new("virgl_test_server");
    server
        .arg("--use-egl-surfaceless")
        .arg(format!("--socket-path={}", socket.display()))
        .env_remove("GALLIUM_DRIVER")
        .env_remove("LIBGL_ALWAYS_SOFTWARE")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let _server = Guard::spawn(server, "virgl_test_server")?;
    for _ in 0..200 {
        if socket.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let (_xvfb, display) = crate::vm::start_xvfb(&work)?;
    let exe = std::env::current_exe().map_err(|e| err("current_exe", e))?;
    let mut inner = Command::new("unshare");
    inner
        .args(["--mount", "--propagation", "private", "--", "/bin/sh", "-c"])
        .arg("mount -t tmpfs tmpfs /tmp && exec \"$@\"")
        .arg("sh")
        .arg(&exe)
        .arg("capture-inner")
        .arg("--upstream")
        .arg(&socket)
        .arg("--out")
        .arg(&staging)
        .arg("--max-bytes")
        .arg(args.max_bytes.to_string());
    if let Some(s) = args.seconds {
        inner.arg("--seconds").arg(s.to_string());
    }
    inner
        .arg("--")
        .args(&args.program)
        .env("DISPLAY", format!(":{display}"));
    let r = crate::proc::run_checked(Bounded::new(
        inner,
        "capture (private namespace)",
        Duration::from_secs(600),
    ));
    let moved = std::fs::read_dir(&staging)
        .map_err(|e| err("read staging dir", e))
        .and_then(|entries| {
            for e in entries.flatten() {
                let to = args.out.join(e.file_name());
                std::fs::copy(e.path(), &to).map_err(|e| err("copy stream", e))?;
                println!("wrote {}", to.display());
            }
            Ok(())
        });
    let _ = std::fs::remove_dir_all(&work);
    r.and(moved)
}

/// Inside the namespace: serve `/tmp/.virgl_test`, run the program, write the streams.
pub fn capture_inner(args: &InnerArgs) -> Result<()> {
    let c = &args.capture;
    let listener = UnixListener::bind(virgl_proto::vtest::DEFAULT_SOCKET)
        .map_err(|e| err("bind /tmp/.virgl_test", e))?;
    let name = Path::new(&c.program[0])
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "program".into());
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    let (upstream, out, max) = (args.upstream.clone(), c.out.clone(), c.max_bytes);
    listener
        .set_nonblocking(true)
        .map_err(|e| err("listener", e))?;
    let mut prog = Command::new(&c.program[0]);
    prog.args(&c.program[1..])
        .env("GALLIUM_DRIVER", "virpipe")
        .env("LIBGL_ALWAYS_SOFTWARE", "1")
        .env("EGL_PLATFORM", "surfaceless")
        .env("PIGLIT_PLATFORM", "surfaceless_egl")
        .stdin(Stdio::null());
    let mut child = Guard::spawn(prog, "captured program")?;
    let limit = c
        .seconds
        .map(Duration::from_secs_f64)
        .unwrap_or(Duration::from_secs(300));
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        match listener.accept() {
            Ok((client, _)) => {
                client
                    .set_nonblocking(false)
                    .map_err(|e| err("client", e))?;
                let index = next.fetch_add(1, Ordering::SeqCst);
                let path = out.join(format!("{name}-{index:02}.virgl"));
                let upstream = upstream.clone();
                workers.push(std::thread::spawn(move || {
                    proxy(client, &upstream, &path, max)
                }));
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(err("accept", e)),
        }
        if let Some(s) = child.wait_timeout(Duration::from_millis(10))? {
            break Some(s);
        }
        if std::time::Instant::now() >= deadline {
            child.kill();
            break None;
        }
    };
    for w in workers {
        match w.join() {
            Ok(Ok((path, submits, bytes))) => {
                println!("{}: {submits} submits, {bytes} bytes", path.display())
            }
            Ok(Err(e)) => eprintln!("capture: connection: {e}"),
            Err(_) => eprintln!("capture: a proxy thread panicked"),
        }
    }
    // Some programs exit non-zero after doing their work (eglinfo does when one of its
    // platforms is missing); the streams are kept either way, and the status is reported.
    match status {
        Some(s) if !s.success() && c.seconds.is_none() => {
            eprintln!("capture: note: {name} exited with {s}")
        }
        None => println!("capture: stopped {name} after {limit:?}"),
        _ => {}
    }
    Ok(())
}

/// Forwards one client; returns the stream file, submits and bytes recorded.
fn proxy(
    client: UnixStream,
    upstream: &Path,
    path: &Path,
    max: usize,
) -> Result<(PathBuf, usize, usize)> {
    let server =
        UnixStream::connect(upstream).map_err(|e| err("connect to virgl_test_server", e))?;
    let (s2, c2) = (
        server.try_clone().map_err(|e| err("clone", e))?,
        client.try_clone().map_err(|e| err("clone", e))?,
    );
    // Server → client: bytes and file descriptors, as they come.
    let back = std::thread::spawn(move || -> Result<()> {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let (n, fds) = recv_with_fds(&s2, &mut buf, "proxy recv from server")
                .map_err(|e| err("server", e))?;
            if n == 0 {
                let _ = c2.shutdown(std::net::Shutdown::Write);
                return Ok(());
            }
            let borrowed: Vec<_> = fds.iter().map(|f| f.as_fd()).collect();
            send_with_fds(&c2, &buf[..n], &borrowed, "proxy send to client")
                .map_err(|e| err("client", e))?;
        }
    });
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(path).map_err(|e| err("create stream file", e))?,
    );
    let (mut submits, mut bytes) = (0usize, 0usize);
    let mut client_r = &client;
    let mut server_w = &server;
    loop {
        let mut hdr = [0u8; 8];
        match client_r.read_exact(&mut hdr) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(err("client read", e)),
        }
        let h = MsgHeader::from_bytes(hdr);
        // The payload size, with vtest's quirks.
        let payload = match h.id {
            cmd::CREATE_RENDERER => h.len as usize,
            cmd::TRANSFER_PUT => {
                let mut head = [0u8; 44];
                client_r
                    .read_exact(&mut head)
                    .map_err(|e| err("client read", e))?;
                server_w
                    .write_all(&hdr)
                    .and_then(|()| server_w.write_all(&head))
                    .map_err(|e| err("server write", e))?;
                let data = u32::from_le_bytes(head[40..44].try_into().expect("4 bytes")) as usize;
                copy(&mut client_r, &mut server_w, data)?;
                continue;
            }
            _ => h.len as usize * 4,
        };
        let mut body = vec![0u8; payload];
        client_r
            .read_exact(&mut body)
            .map_err(|e| err("client read", e))?;
        if h.id == cmd::SUBMIT_CMD && bytes + body.len() <= max {
            file.write_all(&body)
                .map_err(|e| err("write stream file", e))?;
            submits += 1;
            bytes += body.len();
        }
        server_w
            .write_all(&hdr)
            .and_then(|()| server_w.write_all(&body))
            .map_err(|e| err("server write", e))?;
    }
    file.flush().map_err(|e| err("write stream file", e))?;
    let _ = server.shutdown(std::net::Shutdown::Write);
    let _ = back.join();
    if submits == 0 {
        let _ = std::fs::remove_file(path);
    }
    Ok((path.to_path_buf(), submits, bytes))
}

fn copy(from: &mut impl Read, to: &mut impl Write, mut n: usize) -> Result<()> {
    let mut buf = vec![0u8; 1 << 16];
    while n > 0 {
        let k = n.min(buf.len());
        from.read_exact(&mut buf[..k])
            .map_err(|e| err("client read", e))?;
        to.write_all(&buf[..k])
            .map_err(|e| err("server write", e))?;
        n -= k;
    }
    Ok(())
}
