//! The server's process models, its socket, and the `virgl-host-vtest` binary.

use std::io::Read;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use rstest::rstest;
use virgl_host::vtest::ProcessModel;
use virgl_proto::ccmd::Box3;
use virgl_proto::vtest::{self as wire, cmd, Transfer2};

mod common;

use common::*;

// ---- process models ----

/// Whether the server answers a new client within `wait`.
fn answered_within(path: &Path, wait: Duration) -> Option<Raw> {
    let s = UnixStream::connect(path).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    let mut c = Raw { s };
    c.send(&wire::create_renderer("probe"));
    c.send(&wire::bare(cmd::PING_PROTOCOL_VERSION));
    let mut b = [0u8; 8];
    match c.s.read_exact(&mut b) {
        Ok(()) => {
            c.s.set_read_timeout(Some(TIMEOUT)).unwrap();
            Some(c)
        }
        Err(_) => None,
    }
}

#[test]
fn one_at_a_time_serves_the_next_client_when_the_first_leaves() {
    let (dir, _h, _log) = spawn_server("one-at-a-time", ProcessModel::OneAtATime);
    let mut first = Raw::connect(&dir.sock());
    first.handshake("first", 3);
    let (id, _) = first.create2(3, 0, &rgba(2, 2), 16);
    assert_eq!(id, 1);
    let second = UnixStream::connect(dir.sock()).unwrap();
    let mut second = Raw::new(second);
    second.send(&wire::create_renderer("second"));
    second.send(&wire::bare(cmd::PING_PROTOCOL_VERSION));
    second
        .s
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut b = [0u8; 8];
    assert!(
        second.s.read_exact(&mut b).is_err(),
        "served while the first is connected"
    );
    drop(first);
    second.s.set_read_timeout(Some(TIMEOUT)).unwrap();
    second.s.read_exact(&mut b).unwrap();
    second.send(&wire::protocol_version(3));
    second.reply(cmd::PROTOCOL_VERSION, 1);
    let (id, _) = second.create2(3, 0, &rgba(2, 2), 16);
    assert_eq!(id, 1, "a fresh renderer for each client");
}

#[test]
fn single_client_serves_one_then_returns() {
    let (dir, h, _log) = spawn_server("single", ProcessModel::SingleClient);
    let mut c = Raw::connect(&dir.sock());
    c.handshake("only", 2);
    drop(c);
    join_within(h, "server").unwrap();
}

#[test]
fn multi_clients_serves_side_by_side_with_one_renderer() {
    let (dir, h, log) = spawn_server(
        "multi",
        ProcessModel::MultiClients {
            exit_when_idle: true,
        },
    );
    let mut a = Raw::connect(&dir.sock());
    a.handshake("a", 3);
    let mut b = Raw::connect(&dir.sock());
    b.handshake("b", 3);
    let (ia, _) = a.create2(3, 0, &rgba(2, 2), 16);
    let (ib, _) = b.create2(3, 0, &rgba(2, 2), 16);
    assert_ne!(ia, ib, "one renderer: ids are unique across clients");
    // b may not touch a's resource: it is not attached to b's context.
    let t = Transfer2 {
        handle: ia,
        level: 0,
        region: Box3::new_2d(0, 0, 2, 2),
        offset: 0,
    };
    b.send(&wire::transfer2(cmd::TRANSFER_GET2, &t));
    b.wait_idle();
    a.ping();
    drop((a, b));
    join_within(h, "server").unwrap();
    let log = lines(&log);
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].contains(&format!(
            "TRANSFER_GET2: resource {ia}: is not attached to context 2"
        )),
        "{log:?}"
    );
}

#[test]
fn multi_clients_makes_a_renderer_for_each_busy_period() {
    let (dir, _h, _log) = spawn_server(
        "busy-periods",
        ProcessModel::MultiClients {
            exit_when_idle: false,
        },
    );
    for client in ["first", "after an idle moment"] {
        let mut c = Raw::connect(&dir.sock());
        c.handshake(client, 3);
        let (id, _) = c.create2(3, 0, &rgba(2, 2), 16);
        assert_eq!(id, 1, "{client}: a fresh renderer");
    }
}

/// Run by [`fork_per_client_serves_clients_at_once_in_their_own_processes`] in a child
/// process of this test binary: serves forever in the default model.
#[test]
#[ignore = "a helper: runs only as the fork test's child process"]
fn fork_model_child_server() {
    let Some(path) = std::env::var_os("VIRGL_VTEST_FORK_SOCKET") else {
        return;
    };
    let listener = UnixListener::bind(path).unwrap();
    let (log, _) = capture();
    virgl_host::vtest::serve_listener(listener, ProcessModel::ForkPerClient, renderer, log)
        .unwrap();
}

#[test]
fn fork_per_client_serves_clients_at_once_in_their_own_processes() {
    let dir = TempDir::new("fork");
    let _server = Server::start(
        std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "fork_model_child_server",
                "--exact",
                "--ignored",
                "--test-threads=1",
                "--quiet",
            ])
            .env("VIRGL_VTEST_FORK_SOCKET", dir.sock())
            .stdout(std::process::Stdio::null()),
        &dir.sock(),
    );
    let first = answered_within(&dir.sock(), TIMEOUT).expect("first client served");
    let second =
        answered_within(&dir.sock(), TIMEOUT).expect("second client served beside the first");
    let mut ids = Vec::new();
    for mut c in [first, second] {
        c.send(&wire::protocol_version(3));
        c.reply(cmd::PROTOCOL_VERSION, 1);
        ids.push(c.create2(3, 0, &rgba(2, 2), 16).0);
    }
    assert_eq!(ids, [1, 1], "each child has a renderer of its own");
}

// ---- the socket and the binary ----

/// A server process, killed if the test ends before it does.
struct Server(Option<std::process::Child>);

impl Server {
    /// Starts `cmd` and waits until it listens at `sock`.
    fn start(cmd: &mut std::process::Command, sock: &Path) -> Server {
        let server = Server(Some(cmd.spawn().unwrap()));
        let deadline = Instant::now() + TIMEOUT;
        while !sock.exists() {
            assert!(Instant::now() < deadline, "the server never listened");
            thread::sleep(Duration::from_millis(20));
        }
        server
    }

    /// Its exit status and output, once it exits by itself within [`TIMEOUT`].
    fn output(mut self) -> std::process::Output {
        let mut child = self.0.take().unwrap();
        let deadline = Instant::now() + TIMEOUT;
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("the server did not exit within {TIMEOUT:?}");
            }
            thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn a_stale_socket_is_replaced_and_other_files_are_kept() {
    let dir = TempDir::new("stale");
    drop(UnixListener::bind(dir.sock()).unwrap());
    assert!(dir.sock().exists());
    virgl_host::vtest::bind(&dir.sock()).unwrap();
    let file = dir.0.join("file");
    std::fs::write(&file, b"keep").unwrap();
    let e = virgl_host::vtest::bind(&file).unwrap_err();
    assert!(e.to_string().contains("exists and is not a socket"), "{e}");
    assert_eq!(std::fs::read(&file).unwrap(), b"keep");
}

fn binary() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_virgl-host-vtest"))
}

#[rstest]
#[case::unknown(&["--frobnicate"], "virgl-host-vtest: unexpected argument '--frobnicate' found (see --help)\n")]
#[case::venus(&["--venus"], "virgl-host-vtest: --venus: Venus (Vulkan) contexts are not supported\n")]
fn the_binary_refuses_in_one_line(#[case] args: &[&str], #[case] stderr: &str) {
    let out = binary().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), stderr);
}

#[test]
fn the_binary_serves_a_client_on_gl() {
    let dir = TempDir::new("binary");
    let server = Server::start(
        binary()
            .args(["--no-loop-or-fork", "--use-glx", "--socket-path"])
            .arg(dir.sock())
            .env("GALLIUM_DRIVER", "virpipe")
            .stderr(std::process::Stdio::piped()),
        &dir.sock(),
    );
    let client = virgl_guest::vtest::Vtest::connect(dir.sock());
    let caps = client
        .as_ref()
        .map(|c| {
            use virgl_guest::transport::Transport;
            c.caps().clone()
        })
        .map_err(|e| e.to_string());
    drop(client);
    let out = server.output();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if stderr.contains("EGL") {
        eprintln!("skip: no surfaceless EGL here: {stderr}");
        return;
    }
    let caps = caps.unwrap_or_else(|e| panic!("{e}; server: {stderr}"));
    let v2 = caps.v2.expect("capset 2");
    assert_eq!(v2.v1.glsl_level, 330);
    assert!(v2.renderer().contains("LLVMPIPE"), "{}", v2.renderer());
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // GALLIUM_DRIVER was scrubbed (or the server would have loaded virpipe and hung), and
    // --use-glx is answered with a note.
    assert_eq!(
        stderr,
        "virgl-host-vtest: --use-glx: rendering with EGL instead of GLX\n"
    );
}

#[test]
fn the_binary_serves_a_client_on_gles() {
    let dir = TempDir::new("binary-gles");
    let server = Server::start(
        binary()
            .args(["--no-loop-or-fork", "--use-gles", "--socket-path"])
            .arg(dir.sock())
            .stderr(std::process::Stdio::piped()),
        &dir.sock(),
    );
    let client = virgl_guest::vtest::Vtest::connect(dir.sock());
    let caps = client
        .as_ref()
        .map(|c| {
            use virgl_guest::transport::Transport;
            c.caps().clone()
        })
        .map_err(|e| e.to_string());
    drop(client);
    let out = server.output();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if stderr.contains("EGL") {
        eprintln!("skip: no surfaceless EGL ES context here: {stderr}");
        return;
    }
    let caps = caps.unwrap_or_else(|e| panic!("{e}; server: {stderr}"));
    let v1 = caps.v2.expect("capset 2").v1;
    // What desktop GL has and ES lacks is not offered.
    use virgl_proto::caps::BoolSet1;
    for missing in [BoolSet1::START_INSTANCE, BoolSet1::MIRROR_CLAMP] {
        assert!(!v1.bools().contains(missing), "{missing:?} on a GLES host");
    }
    assert!(v1.bools().contains(BoolSet1::PRIMITIVE_RESTART));
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// The binary on an OpenGL ES 2.0 context (Mesa's llvmpipe limited by
/// `MESA_GLES_VERSION_OVERRIDE`), where virglrenderer cannot start: it says GLSL 1.20 and
/// only what ES 2.0 has, and `virgl-conform`'s catalogue passes over vtest, skipping with a
/// reason what the caps do not offer.
#[test]
fn the_binary_serves_the_catalogue_on_gles2() {
    use virgl_guest::conform::{self, DynTransport, TransportKind, Verdict};
    let dir = TempDir::new("binary-gles2");
    let _server = Server::start(
        binary()
            .args(["--use-gles", "--socket-path"])
            .arg(dir.sock())
            .env("MESA_GLES_VERSION_OVERRIDE", "2.0")
            .stderr(std::process::Stdio::null()),
        &dir.sock(),
    );
    let sock = dir.sock();
    let mut connect = || -> virgl_guest::error::Result<DynTransport> {
        Ok(Box::new(virgl_guest::vtest::Vtest::connect(&sock)?))
    };
    let caps = match connect() {
        Ok(c) => {
            use virgl_guest::transport::Transport;
            c.caps().clone()
        }
        Err(e) => {
            eprintln!("skip: the server on ES 2.0 did not answer (no surfaceless EGL?): {e}");
            return;
        }
    };
    let v1 = caps.v2.expect("capset 2").v1;
    assert_eq!(v1.glsl_level, 120);
    use virgl_proto::caps::BoolSet1;
    assert!(!v1.bools().contains(BoolSet1::PRIMITIVE_RESTART));
    assert_eq!(v1.max_streamout_buffers, 0);
    let mut failed = Vec::new();
    let (mut passed, mut skipped) = (0, 0);
    for case in conform::select(None, Some(TransportKind::Vtest)) {
        let report = conform::run_case(case, &mut connect, None).expect("the server answers");
        match report.outcome.verdict {
            Verdict::Pass => passed += 1,
            Verdict::Skip => {
                assert!(
                    !report.outcome.detail.is_empty(),
                    "{} skips without a reason",
                    case.name
                );
                skipped += 1;
            }
            _ => failed.push(format!("{}: {}", report.case, report.outcome.detail)),
        }
    }
    eprintln!("ES 2.0: {passed} passed, {skipped} skipped");
    assert!(failed.is_empty(), "failed on ES 2.0: {failed:#?}");
    assert!(passed >= 30, "only {passed} cases ran on ES 2.0");
}
