//! Host packages the tasks need: installed with apt-get when running as root, otherwise named
//! in the exact command to run.

use std::process::Command;
use std::time::Duration;

use crate::proc::{run_checked, Bounded};
use crate::{Error, Result};

/// Packages `cargo test --workspace` needs: virglrenderer's vtest server and Mesa's EGL/GL.
pub const TEST: &[&str] = &[
    "virgl-server",
    "libegl1",
    "libegl-mesa0",
    "libgl1-mesa-dri",
    "libgles2",
];

/// Packages `vm-test` needs on top of [`TEST`]: QEMU with virtio-gpu-gl and GTK, a display for
/// its GL context, and the guest's userland.
pub const VM: &[&str] = &[
    "qemu-system-x86",
    "qemu-system-gui",
    "xvfb",
    "busybox-static",
];

/// Whether a Debian package is installed.
fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .is_ok_and(|o| {
            o.status.success()
                && String::from_utf8_lossy(&o.stdout).ends_with("install ok installed")
        })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Installs the missing packages of `sets`, or fails naming the apt-get line to run.
pub fn ensure(sets: &[&[&str]]) -> Result<()> {
    let missing: Vec<&str> = sets
        .iter()
        .flat_map(|s| s.iter().copied())
        .filter(|p| !installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let line = format!(
        "apt-get install -y --no-install-recommends {}",
        missing.join(" ")
    );
    if !is_root() {
        return Err(Error::Setup(format!(
            "missing Debian packages; run: sudo {line}"
        )));
    }
    eprintln!("xtask: installing {}", missing.join(" "));
    let apt = |args: &[&str]| {
        let mut c = Command::new("apt-get");
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run_checked(Bounded::new(c, "apt-get", Duration::from_secs(1200)))
    };
    apt(&["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend(&missing);
    apt(&args).map_err(|e| Error::Setup(format!("{e}; try: {line}")))
}
