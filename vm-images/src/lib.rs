//! Minimal Linux guest images for running our suites under QEMU.
//!
//! An image is a Debian kernel (the plain `-amd64` flavour; `-cloud-amd64` has no DRM) and an
//! initramfs holding busybox, the kernel modules the guest needs with their whole dependency
//! closure ([`modules`]), our static binaries and an init script. The initramfs is a `newc`
//! cpio archive written by our own [`cpio`] writer, and is rebuilt only when one of its inputs
//! changed. A guest that runs Debian's own programs also gets a [`userland`]: Debian packages
//! unpacked on the host, and the files the programs need picked by their ELF dynamic sections
//! ([`elf`]), in an archive of their own that the kernel unpacks after the first
//! ([`build_archive`], [`concat_archives`]).

pub mod cpio;
pub mod edid;
pub mod elf;
pub mod modules;
pub mod userland;

use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Errors building an image, each naming the file or step.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("kernel: {0}")]
    Kernel(String),
    #[error("{0}")]
    Command(String),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An unpacked kernel package.
#[derive(Clone, Debug)]
pub struct Kernel {
    /// The Debian package, e.g. `linux-image-6.1.0-56-amd64`.
    pub package: String,
    /// The module directory name, e.g. `6.1.0-56-amd64`.
    pub version: String,
    pub vmlinuz: PathBuf,
    /// `lib/modules/<version>` of the unpacked package.
    pub moddir: PathBuf,
}

fn run(cmd: &mut Command, what: &str) -> Result<String> {
    let out = cmd
        .output()
        .map_err(|e| Error::Command(format!("{what}: cannot run: {e}")))?;
    if !out.status.success() {
        return Err(Error::Command(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The kernel package `linux-image-amd64` currently depends on.
pub fn current_kernel_package() -> Result<String> {
    let text = run(
        Command::new("apt-cache").args(["depends", "linux-image-amd64"]),
        "apt-cache depends linux-image-amd64",
    )?;
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("Depends: "))
        .find(|p| p.starts_with("linux-image-") && p.ends_with("-amd64") && !p.contains("cloud"))
        .map(str::to_string)
        .ok_or_else(|| {
            Error::Kernel(
                "apt-cache names no linux-image-*-amd64 package (run apt-get update)".into(),
            )
        })
}

fn unpacked(dir: &Path, package: &str) -> Result<Option<Kernel>> {
    let version = package.trim_start_matches("linux-image-").to_string();
    let vmlinuz = dir.join("boot").join(format!("vmlinuz-{version}"));
    let moddir = dir.join("lib/modules").join(&version);
    Ok((vmlinuz.is_file() && moddir.is_dir()).then(|| Kernel {
        package: package.to_string(),
        version,
        vmlinuz,
        moddir,
    }))
}

/// Downloads (`apt-get download`, no install) and unpacks `package` under `cache`, or reuses
/// an earlier unpack.
pub fn fetch_kernel(cache: &Path, package: &str) -> Result<Kernel> {
    let dir = cache.join(package);
    if let Some(k) = unpacked(&dir, package)? {
        return Ok(k);
    }
    std::fs::create_dir_all(cache).map_err(|e| Error::io(cache, e))?;
    run(
        Command::new("apt-get")
            .args(["download", "-q", package])
            .current_dir(cache),
        &format!("apt-get download {package}"),
    )?;
    let deb = std::fs::read_dir(cache)
        .map_err(|e| Error::io(cache, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{package}_")) && n.ends_with(".deb"))
        })
        .ok_or_else(|| {
            Error::Kernel(format!(
                "apt-get download left no {package}_*.deb in {}",
                cache.display()
            ))
        })?;
    let tmp = cache.join(format!("{package}.partial"));
    let _ = std::fs::remove_dir_all(&tmp);
    run(
        Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&tmp),
        &format!("dpkg-deb -x {}", deb.display()),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&tmp, &dir).map_err(|e| Error::io(&dir, e))?;
    let _ = std::fs::remove_file(&deb);
    unpacked(&dir, package)?
        .ok_or_else(|| Error::Kernel(format!("{package} has no vmlinuz or modules directory")))
}

/// What goes into an initramfs.
pub struct ImageSpec<'a> {
    pub kernel: &'a Kernel,
    /// Modules to load (with their dependencies), by name.
    pub modules: &'a [&'a str],
    /// A static busybox.
    pub busybox: &'a Path,
    /// (path in the image, file on the host) for our static binaries.
    pub binaries: Vec<(String, PathBuf)>,
    /// The `/init` script.
    pub init: String,
    /// Other files: (path in the image, permission bits, content).
    pub files: Vec<(String, u32, Vec<u8>)>,
}

/// A built image.
#[derive(Clone, Debug)]
pub struct Image {
    pub kernel: PathBuf,
    pub initramfs: PathBuf,
    /// Module names in load order.
    pub modules: Vec<String>,
    /// False when the cached initramfs was reused.
    pub rebuilt: bool,
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// Builds `out` from `spec` unless an initramfs built from the same inputs is already there.
pub fn build_initramfs(spec: &ImageSpec<'_>, out: &Path) -> Result<Image> {
    let index = modules::ModuleIndex::scan(&spec.kernel.moddir)?;
    let moddir = spec.kernel.moddir.clone();
    let closure = index.closure(spec.modules, |rel| {
        modules::depends_of_file(&moddir.join(rel))
    })?;
    let names: Vec<String> = closure.iter().map(|m| m.name.clone()).collect();

    let mut files: Vec<(String, u32, Vec<u8>)> = Vec::new();
    files.push(("bin/busybox".into(), 0o755, read(spec.busybox)?));
    for (dest, src) in &spec.binaries {
        files.push((dest.trim_start_matches('/').to_string(), 0o755, read(src)?));
    }
    let modroot = format!("lib/modules/{}", spec.kernel.version);
    for m in &closure {
        files.push((
            format!("{modroot}/{}", m.path.display()),
            0o644,
            read(&moddir.join(&m.path))?,
        ));
    }
    files.push((
        format!("{modroot}/modules.dep"),
        0o644,
        modules::modules_dep(&closure).into_bytes(),
    ));
    let load: String = closure
        .iter()
        .map(|m| format!("{modroot}/{}\n", m.path.display()))
        .collect();
    files.push(("etc/modules.load".into(), 0o644, load.into_bytes()));
    files.push(("init".into(), 0o755, spec.init.clone().into_bytes()));
    for (path, mode, data) in &spec.files {
        files.push((
            path.trim_start_matches('/').to_string(),
            *mode,
            data.clone(),
        ));
    }

    let mut h = DefaultHasher::new();
    h.write(spec.kernel.vmlinuz.to_string_lossy().as_bytes());
    for (path, mode, data) in &files {
        h.write(path.as_bytes());
        h.write_u32(*mode);
        h.write(data);
    }
    let key = format!("{:016x}\n", h.finish());
    let key_path = out.with_extension("key");
    let image = |rebuilt| Image {
        kernel: spec.kernel.vmlinuz.clone(),
        initramfs: out.to_path_buf(),
        modules: names.clone(),
        rebuilt,
    };
    if out.is_file() && std::fs::read_to_string(&key_path).ok().as_deref() == Some(&key) {
        return Ok(image(false));
    }

    let base: Vec<String> = ["bin", "dev", "etc", "proc", "sys", "tmp", "run"]
        .map(String::from)
        .to_vec();
    write_archive(out, &key, base, &files, true)?;
    Ok(image(true))
}

/// Writes `out` (through `out.partial`) with `dirs`, the directories above `files`, a
/// `dev/console` node when `console`, and `files`; then its key beside it.
fn write_archive(
    out: &Path,
    key: &str,
    mut dirs: Vec<String>,
    files: &[(String, u32, Vec<u8>)],
    console: bool,
) -> Result<u64> {
    for (path, _, _) in files {
        let mut p = Path::new(path).parent();
        while let Some(d) = p.filter(|d| !d.as_os_str().is_empty()) {
            dirs.push(d.display().to_string());
            p = d.parent();
        }
    }
    dirs.sort();
    dirs.dedup();
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    let tmp = out.with_extension("partial");
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let mut w = cpio::Writer::new(std::io::BufWriter::new(file));
    let io = |e| Error::io(&tmp, e);
    for d in &dirs {
        w.dir(d).map_err(io)?;
    }
    if console {
        w.char_dev("dev/console", 0o600, 5, 1).map_err(io)?;
    }
    for (path, mode, data) in files {
        w.file(path, *mode, data).map_err(io)?;
    }
    let file = w
        .finish()
        .map_err(io)?
        .into_inner()
        .map_err(|e| io(e.into_error()))?;
    let bytes = file.metadata().map_err(io)?.len();
    drop(file);
    std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))?;
    let key_path = out.with_extension("key");
    std::fs::write(&key_path, key).map_err(|e| Error::io(&key_path, e))?;
    Ok(bytes)
}

/// An archive [`build_archive`] or [`concat_archives`] made or found.
#[derive(Clone, Debug)]
pub struct Archive {
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// False when the one already there was kept.
    pub rebuilt: bool,
}

/// What an archive's key, which decides whether it is rebuilt, is made of.
#[derive(Clone, Copy, Debug)]
pub enum Key<'a> {
    /// Every file's path, mode and content.
    Content,
    /// Every file's path, mode and size, and a name for where the files come from that changes
    /// whenever their content can (the `.deb` files a tree was unpacked from): no file is read
    /// unless the archive is rebuilt.
    Source(&'a str),
}

/// Builds `out`, a newc archive of `files` (path in the image, permission bits, file on the
/// host) and the directories above them, unless one with the same [`Key`] is already there
/// (a hash of it is kept beside it in `out.key`).
pub fn build_archive(
    files: &[(String, u32, PathBuf)],
    out: &Path,
    key: Key<'_>,
) -> Result<Archive> {
    let mut h = DefaultHasher::new();
    if let Key::Source(source) = key {
        h.write(source.as_bytes());
    }
    for (path, mode, source) in files {
        h.write(path.as_bytes());
        h.write_u32(*mode);
        match key {
            Key::Content => {
                let data = read(source)?;
                h.write_usize(data.len());
                h.write(&data);
            }
            Key::Source(_) => {
                let meta = std::fs::metadata(source).map_err(|e| Error::io(source, e))?;
                h.write_u64(meta.len());
            }
        }
    }
    let key = format!("{:016x}\n", h.finish());
    let key_path = out.with_extension("key");
    if out.is_file() && std::fs::read_to_string(&key_path).ok().as_deref() == Some(&key) {
        let bytes = std::fs::metadata(out).map_err(|e| Error::io(out, e))?.len();
        return Ok(Archive {
            path: out.to_path_buf(),
            bytes,
            rebuilt: false,
        });
    }
    let mut loaded = Vec::with_capacity(files.len());
    for (path, mode, source) in files {
        loaded.push((
            path.trim_start_matches('/').to_string(),
            *mode,
            read(source)?,
        ));
    }
    let bytes = write_archive(out, &key, Vec::new(), &loaded, false)?;
    Ok(Archive {
        path: out.to_path_buf(),
        bytes,
        rebuilt: true,
    })
}

/// Writes `out`, the archives `parts` one after the other (the kernel unpacks a concatenation
/// of newc archives in order), unless it was already made from parts with the same keys.
pub fn concat_archives(parts: &[&Path], out: &Path) -> Result<Archive> {
    let mut key = String::new();
    for part in parts {
        let k = part.with_extension("key");
        key.push_str(&std::fs::read_to_string(&k).map_err(|e| Error::io(&k, e))?);
    }
    let key_path = out.with_extension("key");
    let rebuilt =
        !(out.is_file() && std::fs::read_to_string(&key_path).ok().as_deref() == Some(&key));
    if rebuilt {
        let tmp = out.with_extension("partial");
        let mut w = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        for part in parts {
            let mut r = std::fs::File::open(part).map_err(|e| Error::io(part, e))?;
            std::io::copy(&mut r, &mut w).map_err(|e| Error::io(&tmp, e))?;
        }
        drop(w);
        std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))?;
        std::fs::write(&key_path, &key).map_err(|e| Error::io(&key_path, e))?;
    }
    let bytes = std::fs::metadata(out).map_err(|e| Error::io(out, e))?.len();
    Ok(Archive {
        path: out.to_path_buf(),
        bytes,
        rebuilt,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_are_rebuilt_only_when_their_content_changes() {
        let dir =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/tmp/vm-images-tests/archive");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("a.bin");
        std::fs::write(&src, b"hello").unwrap();
        let files = vec![("usr/lib/a.so".to_string(), 0o755, src.clone())];
        let one = dir.join("one.cpio");
        let a = build_archive(&files, &one, Key::Content).unwrap();
        assert!(a.rebuilt);
        let bytes = std::fs::read(&one).unwrap();
        assert_eq!(a.bytes, bytes.len() as u64);
        assert_eq!(bytes.len() % 4, 0);
        // The directories above the file, then the file, then the trailer.
        let names: Vec<&str> = ["usr\0", "usr/lib\0", "usr/lib/a.so\0", "TRAILER!!!\0"].to_vec();
        let mut at = 0;
        for n in names {
            let i = bytes
                .windows(n.len())
                .position(|w| w == n.as_bytes())
                .unwrap();
            assert!(i > at, "{n} out of order");
            at = i;
        }
        assert!(!build_archive(&files, &one, Key::Content).unwrap().rebuilt);

        let two = dir.join("two.cpio");
        build_archive(&[("b".into(), 0o644, src.clone())], &two, Key::Content).unwrap();
        let all = dir.join("all.cpio");
        let c = concat_archives(&[&one, &two], &all).unwrap();
        assert!(c.rebuilt);
        assert_eq!(c.bytes, a.bytes + std::fs::metadata(&two).unwrap().len());
        assert!(!concat_archives(&[&one, &two], &all).unwrap().rebuilt);

        std::fs::write(&src, b"hullo").unwrap();
        assert!(build_archive(&files, &one, Key::Content).unwrap().rebuilt);
        assert!(concat_archives(&[&one, &two], &all).unwrap().rebuilt);
        let mode = vec![("usr/lib/a.so".to_string(), 0o644, src.clone())];
        assert!(build_archive(&mode, &one, Key::Content).unwrap().rebuilt);

        // Keyed by source: the same size and source keep it; another source or size does not.
        assert!(
            build_archive(&files, &one, Key::Source("a_1.deb"))
                .unwrap()
                .rebuilt
        );
        std::fs::write(&src, b"hallo").unwrap();
        assert!(
            !build_archive(&files, &one, Key::Source("a_1.deb"))
                .unwrap()
                .rebuilt
        );
        assert!(
            build_archive(&files, &one, Key::Source("a_2.deb"))
                .unwrap()
                .rebuilt
        );
        std::fs::write(&src, b"hallo!").unwrap();
        assert!(
            build_archive(&files, &one, Key::Source("a_2.deb"))
                .unwrap()
                .rebuilt
        );
        assert!(std::fs::read(&one)
            .unwrap()
            .windows(6)
            .any(|w| w == b"hallo!"));
    }
}
