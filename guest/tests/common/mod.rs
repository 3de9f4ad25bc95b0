//! A private `virgl_test_server` for tests: its own socket path, never the GALLIUM_DRIVER or
//! LIBGL_ALWAYS_SOFTWARE of the caller, killed (with its forked children) when dropped.

#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub const SERVER: &str = "virgl_test_server";

/// A unique scratch directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "virgl-test-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Server {
    child: Child,
    pub dir: TempDir,
    pub socket: PathBuf,
}

impl Server {
    pub fn start() -> Server {
        Self::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Server {
        let dir = TempDir::new("server");
        let socket = dir.0.join("vtest.sock");
        let log = std::fs::File::create(dir.0.join("server.log")).unwrap();
        let child = Command::new(SERVER)
            .arg("--use-egl-surfaceless")
            .arg(format!("--socket-path={}", socket.display()))
            .args(extra)
            .env_remove("GALLIUM_DRIVER")
            .env_remove("LIBGL_ALWAYS_SOFTWARE")
            .env_remove("VTEST_SOCKET_NAME")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {SERVER}: {e}; install it with: apt-get install -y virgl-server libegl-mesa0 libgl1-mesa-dri"
                )
            });
        let mut server = Server { child, dir, socket };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !server.socket.exists() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("{SERVER} exited early ({status}): {}", server.log());
            }
            assert!(
                Instant::now() < deadline,
                "{SERVER} made no socket in 10 s: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.0.join("server.log")).unwrap_or_default()
    }

    /// Kills the server and every child it forked.
    pub fn kill(&mut self) {
        let group = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn path(&self) -> &Path {
        &self.socket
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
