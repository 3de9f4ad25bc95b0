//! Minimal Linux guest images for running our suites under QEMU.
//!
//! An image is a Debian kernel (the plain `-amd64` flavour; `-cloud-amd64` has no DRM) and an
//! initramfs holding busybox, the kernel modules the guest needs with their whole dependency
//! closure ([`modules`]), our static binaries and an init script. The initramfs is a `newc`
//! cpio archive written by our own [`cpio`] writer, and is rebuilt only when one of its inputs
//! changed.

pub mod cpio;
pub mod modules;

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

    let mut dirs: Vec<String> = ["bin", "dev", "etc", "proc", "sys", "tmp", "run"]
        .map(String::from)
        .to_vec();
    for (path, _, _) in &files {
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
    w.char_dev("dev/console", 0o600, 5, 1).map_err(io)?;
    for (path, mode, data) in &files {
        w.file(path, *mode, data).map_err(io)?;
    }
    w.finish().map_err(io)?;
    std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))?;
    std::fs::write(&key_path, key).map_err(|e| Error::io(&key_path, e))?;
    Ok(image(true))
}
