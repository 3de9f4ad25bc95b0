//! Child processes with a deadline: every one is killed on every exit path.

use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// A command to run with a time limit.
pub struct Bounded {
    pub cmd: Command,
    pub name: &'static str,
    pub timeout: Duration,
}

impl Bounded {
    pub fn new(cmd: Command, name: &'static str, timeout: Duration) -> Bounded {
        Bounded { cmd, name, timeout }
    }
}

/// A running child that is killed (with its process group) when dropped.
pub struct Guard {
    pub child: Child,
    pub name: &'static str,
}

impl Guard {
    /// Spawns `cmd` in its own process group.
    pub fn spawn(mut cmd: Command, name: &'static str) -> Result<Guard> {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
        let child = cmd
            .spawn()
            .map_err(|e| Error::Setup(format!("cannot start {name}: {e}")))?;
        Ok(Guard { child, name })
    }

    /// Waits up to `timeout`; `None` if it is still running.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Result<Option<ExitStatus>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self
                .child
                .try_wait()
                .map_err(|e| Error::Setup(format!("{}: {e}", self.name)))?
            {
                return Ok(Some(s));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the process group and reaps the child.
    pub fn kill(&mut self) {
        let pid = self.child.id();
        // Signal the whole group: QEMU and Xvfb have no children of ours to orphan, but
        // apt-get and cargo do.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// Runs to completion within the limit; fails on a non-zero exit or timeout.
pub fn run_checked(b: Bounded) -> Result<()> {
    let mut g = Guard::spawn(b.cmd, b.name)?;
    match g.wait_timeout(b.timeout)? {
        Some(s) if s.success() => Ok(()),
        Some(s) => Err(Error::Setup(format!("{} failed: {s}", b.name))),
        None => {
            g.kill();
            Err(Error::Setup(format!(
                "{} did not finish within {:?}",
                b.name, b.timeout
            )))
        }
    }
}
