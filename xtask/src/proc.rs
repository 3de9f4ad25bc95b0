//! Child processes with a deadline: every one is killed on every exit path.

use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// Set by the Ctrl-C handler; every wait gives up when it is set, and the guards then kill
/// their children.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler that sets [`INTERRUPTED`] on Ctrl-C, SIGTERM and SIGHUP, so `timeout`
/// and closed terminals also get every child stopped.
pub fn catch_interrupts() {
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
}

/// Fails once Ctrl-C was pressed.
pub fn check_interrupted() -> Result<()> {
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(Error::Setup("interrupted; child processes stopped".into()));
    }
    Ok(())
}

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

    /// Waits up to `timeout`; `None` if it is still running. Gives up early once interrupted.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Result<Option<ExitStatus>> {
        self.wait(timeout, true)
    }

    fn wait(&mut self, timeout: Duration, interruptible: bool) -> Result<Option<ExitStatus>> {
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
            if interruptible {
                check_interrupted()?;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the process group: SIGTERM so servers like Xvfb remove their lock files, then
    /// SIGKILL for whatever is left after a grace period (a full one even after Ctrl-C);
    /// reaps the child.
    pub fn kill(&mut self) {
        use nix::sys::signal::{killpg, Signal};
        let group = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = killpg(group, Signal::SIGTERM);
        if !matches!(self.wait(Duration::from_secs(2), false), Ok(Some(_))) {
            let _ = killpg(group, Signal::SIGKILL);
            let _ = self.child.kill();
        }
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
