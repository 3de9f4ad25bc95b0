//! Our `libvirglrenderer.so.1`: the `virgl-host-capi` cdylib, built and put where a program's
//! dynamic loader finds it before Debian's.
//!
//! QEMU (through its virtio-gpu-gl module) and Debian's `virgl_test_server` load virglrenderer
//! by its soname, `libvirglrenderer.so.1`, so a directory holding our library under that name,
//! first on `LD_LIBRARY_PATH`, makes them run on ours. Which one a process really loaded is
//! read back from `/proc/PID/maps`.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::proc::{run_checked, Bounded};
use crate::{Error, Result};

/// The Cargo package of the cdylib.
pub const PACKAGE: &str = "virgl-host-capi";

/// The name programs load virglrenderer by.
pub const SONAME: &str = "libvirglrenderer.so.1";

/// The file cargo writes (`[lib] name = "virglrenderer"`).
const BUILT: &str = "libvirglrenderer.so";

/// Where cargo puts this workspace's build outputs.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::vm::workspace_root().join("target"))
}

/// Builds the cdylib (`cargo build -p virgl-host-capi --release`) and copies it to
/// `dir/libvirglrenderer.so.1`; returns that file's canonical path. Cargo's output goes to
/// `log` when given, else to this terminal (quietly).
pub fn build(dir: &Path, log: Option<&Path>) -> Result<PathBuf> {
    let root = crate::vm::workspace_root();
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(&root)
        .args(["build", "-p", PACKAGE, "--release"])
        .stdin(Stdio::null());
    match log {
        Some(path) => {
            let f = std::fs::File::create(path)
                .map_err(|e| Error::Setup(format!("{}: {e}", path.display())))?;
            cmd.stdout(f.try_clone().map_err(|e| Error::Setup(e.to_string()))?)
                .stderr(f);
        }
        None => {
            cmd.arg("--quiet");
        }
    }
    run_checked(Bounded::new(
        cmd,
        "cargo build -p virgl-host-capi --release",
        Duration::from_secs(1800),
    ))?;
    let built = target_dir().join("release").join(BUILT);
    std::fs::create_dir_all(dir).map_err(|e| Error::Setup(format!("{}: {e}", dir.display())))?;
    // A fresh file renamed into place: a process still mapping the old one keeps it intact.
    let tmp = dir.join(format!("{SONAME}.tmp"));
    let dest = dir.join(SONAME);
    std::fs::copy(&built, &tmp)
        .and_then(|_| std::fs::rename(&tmp, &dest))
        .map_err(|e| {
            Error::Setup(format!(
                "copy {} to {}: {e}",
                built.display(),
                dest.display()
            ))
        })?;
    dest.canonicalize()
        .map_err(|e| Error::Setup(format!("{}: {e}", dest.display())))
}

/// `LD_LIBRARY_PATH` for a child, from the current value `existing`: `dir` first when
/// `use_dir`, then every entry of `existing` that is not `dir`; `None` when that leaves nothing
/// (the variable is then removed).
pub fn library_path(existing: Option<&OsStr>, dir: &Path, use_dir: bool) -> Option<OsString> {
    let mut entries: Vec<PathBuf> = Vec::new();
    if use_dir {
        entries.push(dir.to_path_buf());
    }
    if let Some(v) = existing {
        entries.extend(
            std::env::split_paths(v).filter(|p| !p.as_os_str().is_empty() && p.as_path() != dir),
        );
    }
    if entries.is_empty() {
        return None;
    }
    std::env::join_paths(entries).ok()
}

/// The virglrenderer libraries mapped in a `/proc/PID/maps` text, in order, without repeats.
pub fn mapped(maps: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    for line in maps.lines() {
        // address perms offset dev inode [path]; the path may hold spaces.
        let mut rest = line;
        for _ in 0..5 {
            rest = rest.trim_start();
            rest = rest.find(char::is_whitespace).map_or("", |i| &rest[i..]);
        }
        let path = rest.trim();
        let path = path.strip_suffix(" (deleted)").unwrap_or(path);
        let p = Path::new(path);
        let is_lib = p.is_absolute()
            && p.file_name()
                .and_then(OsStr::to_str)
                .is_some_and(|n| n.starts_with("libvirglrenderer.so"));
        if is_lib && !out.iter().any(|q| q == p) {
            out.push(p.to_path_buf());
        }
    }
    out
}

/// The virglrenderer libraries process `pid` has mapped.
pub fn mapped_by(pid: u32) -> Result<Vec<PathBuf>> {
    let path = format!("/proc/{pid}/maps");
    std::fs::read_to_string(&path)
        .map(|text| mapped(&text))
        .map_err(|e| Error::Setup(format!("{path}: {e}")))
}

/// Whether a process that mapped `libs` runs on the library wanted: ours (the file `ours`)
/// or, without `want_ours`, any other. The library, or why not.
pub fn judge(libs: &[PathBuf], ours: &Path, want_ours: bool) -> Result<PathBuf, String> {
    let Some(first) = libs.first() else {
        return Err("no libvirglrenderer.so.1 is mapped".into());
    };
    let other = libs.iter().find(|p| p.as_path() != ours);
    let has_ours = libs.iter().any(|p| p.as_path() == ours);
    match (want_ours, other) {
        (true, Some(other)) => Err(format!(
            "{} is mapped, not (only) ours, {}",
            other.display(),
            ours.display()
        )),
        (true, None) => Ok(first.clone()),
        (false, _) if has_ours => Err(format!(
            "ours ({}) is mapped, not Debian's libvirglrenderer.so.1",
            ours.display()
        )),
        (false, _) => Ok(first.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPS: &str = "\
55d0c0a00000-55d0c0b00000 r--p 00000000 08:01 1234     /usr/bin/qemu-system-x86_64
7f1c2a000000-7f1c2a020000 r--p 00000000 08:01 5678     /usr/lib/x86_64-linux-gnu/libvirglrenderer.so.1.7.7
7f1c2a020000-7f1c2a100000 r-xp 00020000 08:01 5678     /usr/lib/x86_64-linux-gnu/libvirglrenderer.so.1.7.7
7f1c2b000000-7f1c2b001000 rw-p 00000000 00:00 0 
7f1c2c000000-7f1c2c001000 r--p 00000000 08:01 91       /work/a dir/target/vm/renderer-ours/libvirglrenderer.so.1 (deleted)
7f1c2d000000-7f1c2d001000 r--p 00000000 08:01 92       /usr/lib/x86_64-linux-gnu/libvirglrenderer-extra.txt
7ffd1c000000-7ffd1c021000 rw-p 00000000 00:00 0        [stack]
";

    #[test]
    fn maps_give_each_virglrenderer_library_once() {
        assert_eq!(
            mapped(MAPS),
            [
                PathBuf::from("/usr/lib/x86_64-linux-gnu/libvirglrenderer.so.1.7.7"),
                PathBuf::from("/work/a dir/target/vm/renderer-ours/libvirglrenderer.so.1"),
            ]
        );
        assert!(mapped("").is_empty());
        assert!(mapped("7ffd1c000000-7ffd1c021000 rw-p 00000000 00:00 0 [stack]\n").is_empty());
    }

    #[test]
    fn the_library_must_be_the_one_asked_for() {
        let ours = Path::new("/t/renderer-ours/libvirglrenderer.so.1");
        let debian = PathBuf::from("/usr/lib/x86_64-linux-gnu/libvirglrenderer.so.1.7.7");
        assert_eq!(judge(&[ours.into()], ours, true), Ok(ours.into()));
        assert_eq!(
            judge(std::slice::from_ref(&debian), ours, false),
            Ok(debian.clone())
        );
        let e = judge(std::slice::from_ref(&debian), ours, true).unwrap_err();
        assert!(e.contains("libvirglrenderer.so.1.7.7 is mapped"), "{e}");
        assert!(judge(&[ours.into(), debian.clone()], ours, true).is_err());
        assert!(judge(&[ours.into()], ours, false).is_err());
        assert!(judge(&[debian.clone(), ours.into()], ours, false).is_err());
        assert!(judge(&[], ours, false).is_err());
        assert!(judge(&[], ours, true).is_err());
    }

    #[test]
    fn library_paths_put_ours_first_or_leave_it_out() {
        let dir = Path::new("/t/renderer-ours");
        let s = |v: Option<OsString>| v.map(|v| v.into_string().unwrap());
        assert_eq!(
            s(library_path(None, dir, true)).as_deref(),
            Some("/t/renderer-ours")
        );
        assert_eq!(
            s(library_path(
                Some(OsStr::new("/a:/t/renderer-ours:/b")),
                dir,
                true
            ))
            .as_deref(),
            Some("/t/renderer-ours:/a:/b")
        );
        assert_eq!(
            s(library_path(
                Some(OsStr::new("/a:/t/renderer-ours")),
                dir,
                false
            ))
            .as_deref(),
            Some("/a")
        );
        assert_eq!(
            library_path(Some(OsStr::new("/t/renderer-ours")), dir, false),
            None
        );
        assert_eq!(library_path(None, dir, false), None);
        assert_eq!(library_path(Some(OsStr::new("")), dir, false), None);
    }
}
