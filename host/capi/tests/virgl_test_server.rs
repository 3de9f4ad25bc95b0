//! Debian's `virgl_test_server`, unchanged, on our library: `LD_LIBRARY_PATH` puts our
//! `libvirglrenderer.so.1` before Debian's, and `virgl-conform`'s whole vtest catalogue must
//! pass through it, on desktop GL and on OpenGL ES (`--use-gles`).

mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use virgl_guest::conform::{self, DynTransport, TransportKind, Verdict};
use virgl_guest::vtest::Vtest;

struct Server {
    child: Child,
    dir: PathBuf,
}

impl Server {
    /// Starts the server with `flags` on our library; `None` where Debian's server is missing.
    fn start(tag: &str, flags: &[&str]) -> Option<Server> {
        if !Path::new("/usr/bin/virgl_test_server").exists() {
            eprintln!(
                "skip: no virgl_test_server (package virgl-server; cargo xtask test installs it)"
            );
            return None;
        }
        let dir = std::env::temp_dir().join(format!("virgl-capi-vts-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("lib")).unwrap();
        std::os::unix::fs::symlink(
            common::library_path(),
            dir.join("lib/libvirglrenderer.so.1"),
        )
        .unwrap();
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let child = Command::new("virgl_test_server")
            .arg("--use-egl-surfaceless")
            .args(flags)
            .arg(format!("--socket-path={}", dir.join("sock").display()))
            .env("LD_LIBRARY_PATH", dir.join("lib"))
            .env_remove("GALLIUM_DRIVER")
            .env_remove("LIBGL_ALWAYS_SOFTWARE")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("virgl_test_server starts");
        let server = Server { child, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !server.dir.join("sock").exists() {
            assert!(
                Instant::now() < deadline,
                "no socket in 10 s: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// The `libvirglrenderer.so.1` the server process has mapped.
    fn mapped_library(&self) -> Option<String> {
        let maps = std::fs::read_to_string(format!("/proc/{}/maps", self.child.id())).ok()?;
        maps.lines()
            .filter_map(|l| l.split_whitespace().nth(5))
            .find(|p| p.contains("libvirglrenderer"))
            .map(str::to_string)
    }

    fn run(&self) -> Vec<(&'static str, Verdict, String)> {
        let sock = self.dir.join("sock");
        let mut connect = move || Ok(Box::new(Vtest::connect(&sock)?) as DynTransport);
        conform::select(None, Some(TransportKind::Vtest))
            .into_iter()
            .map(|case| match conform::run_case(case, &mut connect, None) {
                Ok(r) => (r.case, r.outcome.verdict, r.outcome.detail),
                Err(e) => (case.name, Verdict::Fail, format!("transport: {e}")),
            })
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let group = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn catalogue_passes(tag: &str, flags: &[&str]) {
    let Some(server) = Server::start(tag, flags) else {
        return;
    };
    let ours = std::fs::canonicalize(common::library_path()).unwrap();
    let mapped = server.mapped_library().unwrap_or_default();
    assert_eq!(
        Path::new(&mapped),
        ours,
        "the server loaded {mapped:?}, not our library"
    );
    let results = server.run();
    assert!(results.len() > 80, "{} cases", results.len());
    let not_passed: Vec<String> = results
        .iter()
        .filter(|(_, v, _)| *v != Verdict::Pass)
        .map(|(n, v, d)| format!("{n}: {v:?}: {d}"))
        .collect();
    assert!(
        not_passed.is_empty(),
        "{not_passed:#?}\nserver log:\n{}",
        server.log()
    );
}

#[test]
fn every_vtest_case_passes_through_virgl_test_server_on_our_library() {
    catalogue_passes("gl", &[]);
}

#[test]
fn every_vtest_case_passes_through_virgl_test_server_on_our_library_on_gles() {
    catalogue_passes("gles", &["--use-gles"]);
}
