//! The guest's Mesa: Debian's own GL stack and programs in the image, and the rows of the
//! `mesa` suite made from what those programs print.
//!
//! The packages are Debian 12's, fetched with `apt-get download` (with everything they depend
//! on) and unpacked under `target/vm/mesa/`, never installed on the host; the files the guest
//! gets are the programs below and the closure of their ELF `DT_NEEDED` entries
//! ([`vm_images::userland`]), in an archive of their own (`target/vm/mesa.cpio`) that is
//! rebuilt only when its content changes and appended to the base initramfs.

use std::path::Path;
use std::time::Instant;

use serde_json::Value;
use vm_images::userland;

use crate::eval::glmark2::{parse_validations, Validation};
use crate::screen::{self, Picture};
use crate::{Error, Result};

/// The Debian packages the guest's Mesa comes from; what they depend on comes along.
pub const PACKAGES: &[&str] = &[
    "libgl1-mesa-dri",
    "libegl1",
    "libegl-mesa0",
    "libgles2",
    "libgbm1",
    "libdrm2",
    "libglapi-mesa",
    "kmscube",
    "glmark2-es2-drm",
    "mesa-utils-bin",
];

/// The programs the guest runs: (path in the unpacked packages, path in the image).
const PROGRAMS: &[(&str, &str)] = &[
    ("usr/bin/kmscube", "usr/bin/kmscube"),
    ("usr/bin/glmark2-es2-drm", "usr/bin/glmark2-es2-drm"),
    // mesa-utils-bin names its programs by architecture; mesa-utils adds wrappers.
    ("usr/bin/eglinfo.x86_64-linux-gnu", "usr/bin/eglinfo"),
];

/// Mesa's virgl driver: libEGL_mesa and libgbm `dlopen` it from the DRI directory, by the name
/// of the kernel's driver (`virtio_gpu`). In Debian 12 every Gallium driver is one file
/// (hard links of the same megadriver); only this name goes into the image.
const DRI_DRIVER: &str = "usr/lib/x86_64-linux-gnu/dri/virtio_gpu_dri.so";

/// Libraries the programs `dlopen` by soname: glmark2 loads EGL and GLES at run time.
const DLOPEN: &[&str] = &["libEGL.so.1", "libGLESv2.so.2"];

/// libglvnd's EGL vendor files; each names the vendor library libEGL.so.1 `dlopen`s.
const GLVND_EGL_VENDORS: &str = "usr/share/glvnd/egl_vendor.d";

/// Data the programs read: the glvnd vendor files, Mesa's driver options, glmark2's models,
/// shaders and textures.
const DATA: &[&str] = &[GLVND_EGL_VENDORS, "usr/share/drirc.d", "usr/share/glmark2"];

/// The Mesa part of the image.
pub struct Part {
    pub archive: vm_images::Archive,
    /// Files in it.
    pub files: usize,
    /// Debian packages unpacked, and how many were downloaded this time.
    pub packages: usize,
    pub downloaded: usize,
    /// Whether the packages were unpacked this time.
    pub unpacked: bool,
    /// Seconds it took, fetching included.
    pub secs: f64,
}

/// Our program that shares buffers between our driver and Mesa's (package
/// `virgl-guest-gbm`): built here against Debian's libgbm, dynamically linked, since it loads
/// Mesa; its libraries come from the unpacked tree like the programs'.
pub const GBM_INTEROP: &str = "virgl-gbm-interop";
/// Where [`GBM_INTEROP`] goes in the image.
const GBM_INTEROP_PATH: &str = "usr/bin/virgl-gbm-interop";

/// Builds [`GBM_INTEROP`] for the guest (release, glibc, dynamically linked, in a target
/// directory of its own so the static guest binaries' build keeps its flags); returns it.
pub fn build_gbm_interop(root: &Path) -> Result<std::path::PathBuf> {
    const TARGET: &str = "x86_64-unknown-linux-gnu";
    let target_dir = root.join("target/guest-dynamic");
    let mut cmd = std::process::Command::new(env!("CARGO"));
    cmd.current_dir(root)
        .args(["build", "--release", "--quiet", "--target", TARGET])
        .args(["-p", "virgl-guest-gbm", "--bin", GBM_INTEROP])
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("RUSTFLAGS");
    crate::proc::run_checked(crate::proc::Bounded::new(
        cmd,
        "cargo build (virgl-gbm-interop, dynamic)",
        std::time::Duration::from_secs(1800),
    ))?;
    Ok(target_dir.join(TARGET).join("release").join(GBM_INTEROP))
}

/// What goes into the image from the unpacked tree at `root`, with our `gbm_interop`.
pub fn selection(root: &Path, gbm_interop: &Path) -> Result<userland::Selection> {
    let mut dlopen: Vec<String> = DLOPEN.iter().map(|s| s.to_string()).collect();
    let vendors = root.join(GLVND_EGL_VENDORS);
    let entries = std::fs::read_dir(&vendors)
        .map_err(|e| Error::Setup(format!("{}: {e}", vendors.display())))?;
    for e in entries.flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        let lib = userland::glvnd_library(&text)
            .ok_or_else(|| Error::Setup(format!("{}: no library_path", e.path().display())))?;
        dlopen.push(lib);
    }
    let mut objects: Vec<(String, String)> = PROGRAMS
        .iter()
        .map(|(t, i)| (t.to_string(), i.to_string()))
        .collect();
    objects.push((DRI_DRIVER.into(), DRI_DRIVER.into()));
    Ok(userland::Selection {
        objects,
        dlopen,
        data: DATA.iter().map(|s| s.to_string()).collect(),
        built: vec![(gbm_interop.to_path_buf(), GBM_INTEROP_PATH.into())],
    })
}

/// Fetches and unpacks the packages under `vm_dir/mesa` (as needed) and builds
/// `vm_dir/mesa.cpio` with them and `gbm_interop` (when its content changed).
pub fn build(vm_dir: &Path, gbm_interop: &Path) -> Result<Part> {
    let t = Instant::now();
    let setup = |e: vm_images::Error| Error::Setup(format!("guest Mesa: {e}"));
    let cache = vm_dir.join("mesa");
    let debs = userland::candidate_debs(&cache, PACKAGES).map_err(setup)?;
    let tree = userland::fetch_tree(&cache, &debs).map_err(setup)?;
    let picked = userland::pick(&tree.root, &selection(&tree.root, gbm_interop)?).map_err(setup)?;
    let files: Vec<(String, u32, std::path::PathBuf)> = picked
        .iter()
        .map(|p| (p.path.clone(), p.mode, p.source.clone()))
        .collect();
    // The tree is exactly these .deb files unpacked, so they name its content; our program
    // is named by a hash of its bytes.
    let program = std::fs::read(gbm_interop)
        .map_err(|e| Error::Setup(format!("{}: {e}", gbm_interop.display())))?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hasher::write(&mut h, &program);
    let debs = format!(
        "{}\n{GBM_INTEROP} {:016x}",
        tree.debs.join("\n"),
        std::hash::Hasher::finish(&h)
    );
    let archive = vm_images::build_archive(
        &files,
        &vm_dir.join("mesa.cpio"),
        vm_images::Key::Source(&debs),
    )
    .map_err(setup)?;
    Ok(Part {
        archive,
        files: files.len(),
        packages: tree.debs.len(),
        downloaded: tree.downloaded,
        unpacked: tree.unpacked,
        secs: t.elapsed().as_secs_f64(),
    })
}

/// The frames kmscube draws (`kmscube -c N`), passed to the guest as `virgl.kmscube=N`. It
/// reports N - 1: the first frame, which waits for shaders to compile, is not timed. Under TCG
/// its first frame comes 4 to 5 s after it starts, then 50 to 110 frames a second, and the
/// host needs a few seconds of drawing to see the cube move; 1000 frames leave it at least 9.
pub const KMSCUBE_FRAMES: u32 = 1000;

/// A program of the `mesa` suite as the guest ran it: its output (standard output and error,
/// merged) and how it ended.
#[derive(Clone, Debug, Default)]
pub struct Ran {
    pub program: String,
    pub rc: i32,
    pub ms: f64,
    pub lines: Vec<String>,
}

/// What one boot's rows depend on besides a program's own output.
#[derive(Debug, Default)]
pub struct Session {
    /// The host renderer's name from capset 2, as the kernel passes it through (the `caps`
    /// program, `virtgpu-kernel-tests --filter get_caps_v2`).
    pub caps_renderer: Option<String>,
    /// The host's display checks (`screendiff NAME`): name, and what it saw or why it failed.
    pub screens: Vec<(String, std::result::Result<String, String>)>,
    /// GL_RENDERER of a GLES context of Mesa's on the GBM platform, as [`GBM_INTEROP`] printed
    /// it (Debian 12's eglinfo prints no GL strings).
    gbm_gl_renderer: Option<String>,
    /// glmark2 natively on the host, run once before the boots ([`native_glmark2`]), or why
    /// it could not run.
    pub native_glmark2: Option<std::result::Result<NativeGlmark2, String>>,
    /// glmark2's scenes and verdicts on virgl, waiting for llvmpipe's run of those that failed
    /// ([`GLMARK2_REFERENCE`]), and the size glmark2 drew at.
    glmark2: Option<(Vec<(String, Validation)>, String)>,
}

impl Session {
    /// The GL_RENDERER Mesa's virgl driver reports for the host's renderer.
    fn expected_renderer(&self) -> std::result::Result<String, String> {
        self.caps_renderer
            .as_deref()
            .map(virgl_gl_renderer)
            .ok_or_else(|| "the host renderer's name from capset 2 is unknown".to_string())
    }
}

/// GL_RENDERER of Mesa's virgl driver on a host whose capset 2 names `renderer`: Mesa 22.3's
/// `fixup_renderer` writes `virgl (RENDERER)` into the 64-byte field, ending a longer one
/// in `...)` at 63 bytes.
pub fn virgl_gl_renderer(renderer: &str) -> String {
    let s = format!("virgl ({renderer})");
    if s.len() < 64 {
        return s;
    }
    let mut cut = 59;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}...)", &s[..cut])
}

fn row(case: &str, result: &str, detail: impl Into<String>, ms: f64) -> Value {
    serde_json::json!({"case": case, "result": result, "detail": detail.into(), "ms": ms})
}

/// The last `n` lines of a program's output, joined with ` | `.
fn tail(lines: &[String], n: usize) -> String {
    lines[lines.len().saturating_sub(n)..].join(" | ")
}

/// How a program ended, when that alone fails it: a timeout, a signal, a non-zero status.
fn ended_badly(ran: &Ran) -> Option<String> {
    match ran.rc {
        0 => None,
        // busybox timeout: the program was killed with SIGTERM.
        124 | 143 => Some(format!("{} timed out", ran.program)),
        rc @ 129..=192 => Some(format!("{} died of signal {}", ran.program, rc - 128)),
        rc => Some(format!("{} exited with status {rc}", ran.program)),
    }
}

/// The rows of one program's run.
pub fn rows(ran: &Ran, session: &mut Session) -> Vec<Value> {
    match ran.program.as_str() {
        "caps" => caps_rows(ran, session),
        "eglinfo" => vec![eglinfo_row(ran, session)],
        "kmscube" => vec![kmscube_row(ran, session)],
        "gbm-interop" => gbm_interop_rows(ran, session),
        "glmark2" => vec![glmark2_row(ran, session)],
        GLMARK2_REFERENCE => glmark2_scene_rows(Some(ran), session),
        other => vec![row(
            other,
            "fail",
            format!("the host has no rows for program {other:?}"),
            ran.ms,
        )],
    }
}

/// `virtgpu-kernel-tests --filter get_caps_v2`: the host renderer's name, kept for the rows
/// that follow; a row only when it cannot be read.
fn caps_rows(ran: &Ran, session: &mut Session) -> Vec<Value> {
    let detail = ran.lines.iter().find_map(|l| {
        let v: Value = serde_json::from_str(l).ok()?;
        (v["case"] == "get_caps_v2" && v["result"] == "pass")
            .then(|| v["detail"].as_str().map(str::to_string))?
    });
    match detail.as_deref().and_then(caps_renderer) {
        Some(r) => {
            session.caps_renderer = Some(r);
            Vec::new()
        }
        None => vec![row(
            "host_renderer",
            "fail",
            format!(
                "no renderer name from virtgpu-kernel-tests get_caps_v2: {}",
                tail(&ran.lines, 3)
            ),
            ran.ms,
        )],
    }
}

/// The renderer in get_caps_v2's detail: `..., renderer "NAME"` (a Rust debug string).
pub fn caps_renderer(detail: &str) -> Option<String> {
    let rest = &detail[detail.find("renderer \"")? + "renderer \"".len()..];
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return (!out.is_empty()).then_some(out),
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    None
}

/// The lines of one platform's section of eglinfo's output (`GBM platform:` up to the next
/// `... platform:` heading); `None` without that section.
pub fn eglinfo_section<'a>(lines: &'a [String], platform: &str) -> Option<&'a [String]> {
    let heading = format!("{platform} platform:");
    let start = lines.iter().position(|l| l.trim_end() == heading)? + 1;
    let len = lines[start..]
        .iter()
        .position(|l| !l.starts_with(' ') && l.trim_end().ends_with(" platform:"))
        .unwrap_or(lines.len() - start);
    Some(&lines[start..start + len])
}

/// `eglinfo_gbm`: eglinfo (mesa-utils 8.5.0, which prints every platform it knows) on the GBM
/// platform, which Mesa opens on `/dev/dri/card0`: EGL initializes there, on Mesa's virgl
/// driver (`EGL driver name: virtio_gpu`), with configurations. eglinfo 8.5.0 prints no GL
/// strings, so the GL_RENDERER in the detail is that of the GLES context [`GBM_INTEROP`] made
/// on the same platform just before, and must be virgl's for this host's renderer.
fn eglinfo_row(ran: &Ran, session: &Session) -> Value {
    const CASE: &str = "eglinfo_gbm";
    let Some(section) = eglinfo_section(&ran.lines, "GBM") else {
        let why = ended_badly(ran).unwrap_or_else(|| "no GBM platform section".into());
        return row(
            CASE,
            "fail",
            format!("{why}: {}", tail(&ran.lines, 4)),
            ran.ms,
        );
    };
    let field = |name: &str| {
        section
            .iter()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(": ").map(str::trim))
            .unwrap_or("")
    };
    let driver = field("EGL driver name");
    let configs = section.iter().filter(|l| l.starts_with("0x")).count();
    let detail = format!(
        "GBM platform: EGL {} ({}), driver {}, client APIs {}, {configs} configs",
        field("EGL version string"),
        field("EGL vendor string"),
        if driver.is_empty() { "?" } else { driver },
        field("EGL client APIs"),
    );
    if section.iter().any(|l| l.contains("eglInitialize failed")) {
        return row(
            CASE,
            "fail",
            "eglInitialize failed on the GBM platform",
            ran.ms,
        );
    }
    let mut problems: Vec<String> = Vec::new();
    if driver != "virtio_gpu" || configs == 0 {
        problems.push("not Mesa's virgl driver with configurations".into());
    }
    let mut detail = detail;
    match (&session.gbm_gl_renderer, session.expected_renderer()) {
        (Some(r), Ok(want)) => {
            detail.push_str(&format!(
                "; GL_RENDERER {r:?} (a GLES context on this platform, made by {GBM_INTEROP})"
            ));
            if *r != want {
                problems.push(format!("GL_RENDERER {r:?}, not {want:?}"));
            }
        }
        (Some(_), Err(e)) => problems.push(e),
        (None, _) => problems.push(format!("{GBM_INTEROP} reported no GL_RENDERER")),
    }
    if problems.is_empty() {
        row(CASE, "pass", detail, ran.ms)
    } else {
        row(
            CASE,
            "fail",
            format!("{}; {detail}", problems.join("; ")),
            ran.ms,
        )
    }
}

/// The cases [`GBM_INTEROP`] reports, each a JSON object on a line of its own.
pub const GBM_CASES: &[&str] = &[
    "gbm_mesa_renders_ours_reads",
    "gbm_ours_renders_mesa_samples",
];

/// `virgl-gbm-interop`: its own rows, each case's pixels judged in the guest; a case it did
/// not report fails with how the program ended.
fn gbm_interop_rows(ran: &Ran, session: &mut Session) -> Vec<Value> {
    session.gbm_gl_renderer = ran
        .lines
        .iter()
        .find_map(|l| l.strip_prefix("GL_RENDERER: "))
        .map(str::to_string);
    let reported: Vec<Value> = ran
        .lines
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["case"].as_str().is_some_and(|c| GBM_CASES.contains(&c)))
        .collect();
    let mut out = Vec::new();
    for case in GBM_CASES {
        match reported.iter().find(|v| v["case"] == *case) {
            Some(v) => out.push(row(
                case,
                v["result"].as_str().unwrap_or("fail"),
                v["detail"].as_str().unwrap_or(""),
                v["ms"].as_f64().unwrap_or(0.0),
            )),
            None => out.push(row(
                case,
                "fail",
                format!(
                    "{GBM_INTEROP} did not report it ({}): {}",
                    ended_badly(ran).unwrap_or_else(|| "it exited 0".into()),
                    tail(&ran.lines, 3)
                ),
                ran.ms,
            )),
        }
    }
    out
}

/// A quoted value of kmscube's GL information: `  renderer: "NAME"`.
fn kmscube_field<'a>(lines: &'a [String], name: &str) -> Option<&'a str> {
    lines.iter().find_map(|l| {
        l.trim()
            .strip_prefix(name)?
            .strip_prefix(": \"")?
            .strip_suffix('"')
    })
}

/// `Rendered N frames in S sec (F fps)`.
pub fn kmscube_rendered(lines: &[String]) -> Option<(u32, f64, f64)> {
    lines.iter().rev().find_map(|l| {
        let rest = l.trim().strip_prefix("Rendered ")?;
        let (n, rest) = rest.split_once(" frames in ")?;
        let (secs, rest) = rest.split_once(" sec (")?;
        let fps = rest.strip_suffix(" fps)")?;
        Some((n.parse().ok()?, secs.parse().ok()?, fps.parse().ok()?))
    })
}

/// `kmscube`: Debian's kmscube drew [`KMSCUBE_FRAMES`] frames on the KMS output through
/// Mesa's GBM and EGL, on Mesa's virgl driver for this host's renderer (GL_RENDERER), and the
/// host saw the picture move while it ran.
fn kmscube_row(ran: &Ran, session: &Session) -> Value {
    const CASE: &str = "kmscube";
    let mut problems: Vec<String> = Vec::new();
    if let Some(e) = ended_badly(ran) {
        problems.push(format!("{e}: {}", tail(&ran.lines, 3)));
    }
    let renderer = kmscube_field(&ran.lines, "renderer");
    match (renderer, session.expected_renderer()) {
        (Some(r), Ok(want)) if r == want => {}
        (Some(r), Ok(want)) => problems.push(format!("GL_RENDERER {r:?}, not {want:?}")),
        (_, Err(e)) => problems.push(e),
        (None, _) => problems.push("no GL_RENDERER in its output".into()),
    }
    let rendered = kmscube_rendered(&ran.lines);
    match rendered {
        Some((n, _, _)) if n + 1 == KMSCUBE_FRAMES => {}
        Some((n, _, _)) => problems.push(format!(
            "reported {n} frames, not {} of {KMSCUBE_FRAMES} (the first is not counted)",
            KMSCUBE_FRAMES - 1
        )),
        None => problems.push("no `Rendered N frames` line".into()),
    }
    let screen = session
        .screens
        .iter()
        .rev()
        .find(|(n, _)| n == CASE)
        .map(|(_, v)| v.clone());
    match &screen {
        Some(Ok(_)) => {}
        Some(Err(e)) => problems.push(format!("display: {e}")),
        None => problems.push("the host was not asked to check the display".into()),
    }
    let mut detail = format!("GL_RENDERER {:?}", renderer.unwrap_or("?"));
    if let Some((n, secs, fps)) = rendered {
        detail.push_str(&format!(
            ", {} frames, the last {n} in {secs:.1} s ({fps:.1} fps)",
            n + 1
        ));
    }
    if let Some(Ok(d)) = &screen {
        detail.push_str(&format!("; display: {d}"));
    }
    if problems.is_empty() {
        row(CASE, "pass", detail, ran.ms)
    } else {
        row(
            CASE,
            "fail",
            format!("{}; {detail}", problems.join("; ")),
            ran.ms,
        )
    }
}

/// `GL_RENDERER:    NAME` in glmark2's header.
fn glmark2_renderer(lines: &[String]) -> Option<&str> {
    lines
        .iter()
        .find_map(|l| l.trim().strip_prefix("GL_RENDERER:").map(str::trim))
}

/// Whether the guest runs mesa program `name` under `--filter filter` (as `picked` in
/// init.sh): with no filter, when the name holds the filter, or when the filter begins with it.
pub fn picked(filter: Option<&str>, name: &str) -> bool {
    filter.is_none_or(|f| name.contains(f) || f.starts_with(name))
}

/// glmark2 natively on the host: Debian's glmark2-es2 (its X11 flavour, drawing off screen on
/// Xvfb) on the host's own Mesa, at 800x600, the size its reference pixels are for.
#[derive(Clone, Debug)]
pub struct NativeGlmark2 {
    pub renderer: String,
    pub size: String,
    pub scenes: Vec<(String, Validation)>,
}

impl NativeGlmark2 {
    /// How many scenes validated.
    pub fn validated(&self) -> usize {
        self.scenes
            .iter()
            .filter(|(_, v)| *v == Validation::Success)
            .count()
    }
}

/// Runs [`NativeGlmark2`] on X display `:display` (bounded to 120 s; output in
/// `logdir/glmark2-native.log`).
pub fn native_glmark2(display: u32, logdir: &Path) -> std::result::Result<NativeGlmark2, String> {
    let log = logdir.join("glmark2-native.log");
    let out = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let argv = crate::eval::glmark2::validate_argv(&[]);
    let mut cmd = std::process::Command::new(crate::eval::glmark2::PROGRAM);
    cmd.args(&argv[1..])
        .env("DISPLAY", format!(":{display}"))
        .stdin(std::process::Stdio::null())
        .stdout(out)
        .stderr(err);
    crate::proc::run_checked(crate::proc::Bounded::new(
        cmd,
        "glmark2-es2 --off-screen --validate (natively on the host)",
        std::time::Duration::from_secs(120),
    ))
    .map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let scenes = parse_validations(&text);
    if scenes.is_empty() {
        return Err(format!("no scene validated: {}", tail(&lines, 3)));
    }
    Ok(NativeGlmark2 {
        renderer: glmark2_renderer(&lines).unwrap_or("?").to_string(),
        size: glmark2_size(&lines).unwrap_or("?").to_string(),
        scenes,
    })
}

/// The guest's run of glmark2's failed scenes on Mesa's llvmpipe (`GBM_ALWAYS_SOFTWARE`): the
/// same glmark2-es2-drm, Mesa and surface size, without virgl. glmark2 2023.01's references are
/// for 800x600, at which its DRM canvas never makes its surface (see `GUEST_MODE` in vm.rs),
/// so it draws at 801x600, where some scenes read their reference pixels on an edge half a
/// pixel away; llvmpipe's verdict there is the oracle for which failures are the picture's.
pub const GLMARK2_REFERENCE: &str = "glmark2-llvmpipe";

/// glmark2-es2-drm `--validate` on virgl: the `glmark2` row (it ended well, on Mesa's virgl
/// driver for this host's renderer, and validated some scene); its scenes wait for
/// [`GLMARK2_REFERENCE`] ([`glmark2_scene_rows`]).
fn glmark2_row(ran: &Ran, session: &mut Session) -> Value {
    let scenes = parse_validations(&ran.lines.join("\n"));
    let mut problems: Vec<String> = Vec::new();
    if let Some(e) = ended_badly(ran) {
        problems.push(format!("{e}: {}", tail(&ran.lines, 3)));
    }
    let renderer = glmark2_renderer(&ran.lines);
    match (renderer, session.expected_renderer()) {
        (Some(r), Ok(want)) if r == want => {}
        (Some(r), Ok(want)) => problems.push(format!("GL_RENDERER {r:?}, not {want:?}")),
        (_, Err(e)) => problems.push(e),
        (None, _) => problems.push("no GL_RENDERER in its output".into()),
    }
    if scenes.is_empty() {
        problems.push(format!("no scene validated: {}", tail(&ran.lines, 3)));
    }
    let count = |v: Validation| scenes.iter().filter(|(_, s)| *s == v).count();
    let size = glmark2_size(&ran.lines).unwrap_or("?").to_string();
    let detail = format!(
        "GL_RENDERER {:?}, {} scenes at {size}: {} validated, {} failed, {} without reference",
        renderer.unwrap_or("?"),
        scenes.len(),
        count(Validation::Success),
        count(Validation::Failure),
        count(Validation::Unknown)
    );
    session.glmark2 = Some((scenes, size));
    let detail = match &session.native_glmark2 {
        Some(Ok(n)) => format!(
            "{detail}; natively on the host ({}, {}): {} validated",
            n.renderer,
            n.size,
            n.validated()
        ),
        Some(Err(e)) => format!("{detail}; natively on the host: {e}"),
        None => detail,
    };
    if problems.is_empty() {
        row("glmark2", "pass", detail, ran.ms)
    } else {
        row(
            "glmark2",
            "fail",
            format!("{}; {detail}", problems.join("; ")),
            ran.ms,
        )
    }
}

/// One row per scene of glmark2's run on virgl, with glmark2's own verdict against its
/// reference pixels. `Success` passes and `Unknown` (no reference for the scene) is a skip. A
/// `Failure` fails where the scene validates natively on the host ([`NativeGlmark2`]), unless
/// llvmpipe's run in the guest (`reference`, [`GLMARK2_REFERENCE`]: the same program and size,
/// no virgl) fails it too, which makes it a skip naming both; a scene that does not validate
/// natively either is a skip. `reference` is `None` when the guest ended the suite without it.
pub fn glmark2_scene_rows(reference: Option<&Ran>, session: &mut Session) -> Vec<Value> {
    let Some((scenes, size)) = session.glmark2.take() else {
        return Vec::new();
    };
    let llvmpipe = reference.map(|r| parse_validations(&r.lines.join("\n")));
    // Why llvmpipe's verdicts cannot be used, if they cannot.
    let unusable = match reference {
        None => Some("the guest did not run it".to_string()),
        Some(r) if r.lines.is_empty() && r.rc == 0 => Some("the guest did not run it".into()),
        Some(r) => match (ended_badly(r), glmark2_renderer(&r.lines)) {
            (Some(e), _) => Some(format!("{e}: {}", tail(&r.lines, 3))),
            (None, Some(gl)) if gl.starts_with("llvmpipe") => None,
            (None, gl) => Some(format!(
                "it ran on GL_RENDERER {:?}, not llvmpipe",
                gl.unwrap_or("?")
            )),
        },
    };
    let native = |scene: &str| -> std::result::Result<Option<Validation>, String> {
        match &session.native_glmark2 {
            Some(Ok(n)) => Ok(n.scenes.iter().find(|(s, _)| s == scene).map(|(_, v)| *v)),
            Some(Err(e)) => Err(e.clone()),
            None => Err("it was not run".into()),
        }
    };
    let native_size = match &session.native_glmark2 {
        Some(Ok(n)) => n.size.clone(),
        _ => "800x600".into(),
    };
    let mut out = Vec::new();
    for (scene, v) in scenes {
        let on_llvmpipe = llvmpipe
            .as_ref()
            .and_then(|l| l.iter().find(|(s, _)| *s == scene).map(|(_, v)| *v));
        let (result, detail) = match (v, native(&scene)) {
            (Validation::Success, _) => ("pass", "Validation: Success".to_string()),
            (Validation::Unknown, _) => (
                "skip",
                "Validation: Unknown (glmark2 has no reference for it)".to_string(),
            ),
            (Validation::Failure, Err(e)) => (
                "fail",
                format!("Validation: Failure at {size}; no native verdict from the host: {e}"),
            ),
            (Validation::Failure, Ok(n)) if n != Some(Validation::Success) => (
                "skip",
                format!(
                    "Validation: Failure at {size}; it does not validate natively on the host \
                     at {native_size} either ({})",
                    match n {
                        Some(Validation::Failure) => "Failure",
                        Some(Validation::Unknown) => "Unknown",
                        _ => "not among its scenes",
                    }
                ),
            ),
            (Validation::Failure, Ok(_)) => {
                let head = format!(
                    "Validation: Failure at {size}, Success natively on the host at {native_size}"
                );
                match (on_llvmpipe, &unusable) {
                    (_, Some(why)) => ("fail", format!("{head}; no verdict of llvmpipe's: {why}")),
                    (Some(Validation::Failure), None) => (
                        "skip",
                        format!(
                            "{head}, Failure on Mesa's llvmpipe in the guest at {size} too (the \
                             same glmark2 and surface, no virgl): its reference pixels are for \
                             800x600, which glmark2-es2-drm 2023.01 cannot draw at"
                        ),
                    ),
                    (Some(Validation::Success), None) => (
                        "fail",
                        format!("{head}, and Mesa's llvmpipe in the guest at {size} validates"),
                    ),
                    (other, None) => ("fail", format!("{head}; llvmpipe's verdict: {other:?}")),
                }
            }
        };
        out.push(row(&format!("glmark2:{scene}"), result, detail, 0.0));
    }
    out
}

/// glmark2's `Surface Size:   WxH fullscreen`.
fn glmark2_size(lines: &[String]) -> Option<&str> {
    lines.iter().find_map(|l| {
        l.trim()
            .strip_prefix("Surface Size:")?
            .split_whitespace()
            .next()
    })
}

/// Pixels whose channels spread over more than this are colourful: kmscube's cube, not the
/// console's grey text or QEMU's window.
const COLOURFUL: u8 = 64;
/// How many colourful pixels each picture must show, and how many must change between them.
const MOTION_PIXELS: usize = 1000;

/// Whether two pictures of the display show something colourful moving: each has at least
/// [`MOTION_PIXELS`] colourful pixels, and at least that many pixels differ.
pub fn judge_motion(a: &Picture, b: &Picture) -> std::result::Result<String, String> {
    if (a.width, a.height) != (b.width, b.height) {
        return Err(format!(
            "the pictures' sizes differ ({}x{}, {}x{})",
            a.width, a.height, b.width, b.height
        ));
    }
    let colourful = |p: &Picture| {
        p.rgb()
            .chunks_exact(3)
            .filter(|c| c.iter().max().unwrap_or(&0) - c.iter().min().unwrap_or(&0) > COLOURFUL)
            .count()
    };
    let (ca, cb) = (colourful(a), colourful(b));
    let changed = a
        .rgb()
        .chunks_exact(3)
        .zip(b.rgb().chunks_exact(3))
        .filter(|(p, q)| p.iter().zip(q.iter()).any(|(x, y)| x.abs_diff(*y) > 16))
        .count();
    let detail = format!(
        "{}x{}: {ca} and {cb} colourful pixels, {changed} changed",
        a.width, a.height
    );
    if ca < MOTION_PIXELS || cb < MOTION_PIXELS || changed < MOTION_PIXELS {
        return Err(format!("{detail} (want {MOTION_PIXELS} of each)"));
    }
    Ok(detail)
}

/// How long the host looks for motion on the display.
const MOTION_DEADLINE: std::time::Duration = std::time::Duration::from_secs(20);
/// The time between the two pictures compared.
const MOTION_GAP: std::time::Duration = std::time::Duration::from_millis(500);

/// Reads QEMU's window from X display `:display` twice, [`MOTION_GAP`] apart, until the two
/// pictures show colourful motion ([`judge_motion`]) or [`MOTION_DEADLINE`] passes; the last
/// two pictures are kept as `logdir/NAME-a.ppm` and `NAME-b.ppm`.
pub fn check_motion(display: u32, logdir: &Path, name: &str) -> Result<String> {
    let deadline = Instant::now() + MOTION_DEADLINE;
    let t = Instant::now();
    loop {
        let a = screen::x_root_picture(display)?;
        std::thread::sleep(MOTION_GAP);
        let b = screen::x_root_picture(display)?;
        let verdict = judge_motion(&a, &b);
        if verdict.is_ok() || Instant::now() >= deadline {
            for (pic, suffix) in [(&a, "a"), (&b, "b")] {
                let path = logdir.join(format!("{name}-{suffix}.ppm"));
                let _ = std::fs::write(&path, pic.to_ppm());
            }
            return verdict
                .map(|d| {
                    format!(
                        "QEMU's window {} ms apart: {d} (after {:.1} s)",
                        MOTION_GAP.as_millis(),
                        t.elapsed().as_secs_f64()
                    )
                })
                .map_err(|e| {
                    Error::Setup(format!(
                        "no colourful motion in QEMU's window within {} s: {e}",
                        MOTION_DEADLINE.as_secs()
                    ))
                });
        }
        crate::proc::check_interrupted()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LLVMPIPE: &str = "LLVMPIPE (LLVM 15.0.6, 256 bits)";

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    fn ran(program: &str, rc: i32, text: &str) -> Ran {
        Ran {
            program: program.into(),
            rc,
            ms: 1234.0,
            lines: lines(text),
        }
    }

    fn session() -> Session {
        Session {
            caps_renderer: Some(LLVMPIPE.into()),
            screens: vec![("kmscube".into(), Ok("moved".into()))],
            native_glmark2: Some(Ok(native())),
            ..Session::default()
        }
    }

    /// glmark2 natively on the host, for [`GLMARK2`]'s scenes.
    fn native() -> NativeGlmark2 {
        use Validation::*;
        let scenes = [
            ("build:use-vbo=false", Success),
            ("texture:texture-filter=nearest", Success),
            ("shading:shading=cel", Unknown),
            ("jellyfish", Unknown),
            ("conditionals:fragment-steps=0:vertex-steps=0", Success),
            ("pulsar:light=false:quads=5:texture=false", Failure),
        ];
        NativeGlmark2 {
            renderer: "llvmpipe (LLVM 15.0.6, 256 bits)".into(),
            size: "800x600".into(),
            scenes: scenes.iter().map(|(s, v)| (s.to_string(), *v)).collect(),
        }
    }

    #[test]
    fn gl_renderer_is_mesas_fixup_of_the_caps_string() {
        assert_eq!(
            virgl_gl_renderer(LLVMPIPE),
            "virgl (LLVMPIPE (LLVM 15.0.6, 256 bits))"
        );
        // 64 bytes or more: the first 59, then `...)`, 63 in all.
        let long = "A".repeat(60);
        let r = virgl_gl_renderer(&long);
        assert_eq!(r.len(), 63);
        assert_eq!(r, format!("virgl ({}...)", "A".repeat(52)));
        let just = "B".repeat(56); // "virgl (" + 56 + ")" = 64
        assert!(virgl_gl_renderer(&just).ends_with("...)"));
        assert_eq!(virgl_gl_renderer(&"C".repeat(55)).len(), 63);
    }

    #[test]
    fn the_caps_program_gives_the_host_renderer() {
        let detail = r#"capset 2 v2: max_version 2, max 2D 16384, renderer \"LLVMPIPE (LLVM 15.0.6, 256 bits)\""#;
        let line =
            format!(r#"{{"case":"get_caps_v2","result":"pass","detail":"{detail}","ms":2.0}}"#);
        let mut s = Session::default();
        assert!(rows(&ran("caps", 0, &line), &mut s).is_empty());
        assert_eq!(s.caps_renderer.as_deref(), Some(LLVMPIPE));
        assert_eq!(
            caps_renderer(r#"renderer "a \"b\" c""#).as_deref(),
            Some(r#"a "b" c"#)
        );
        assert_eq!(caps_renderer("renderer \"\""), None);
        assert_eq!(caps_renderer("no name"), None);
        let mut s = Session::default();
        let r = rows(&ran("caps", 1, "error: no device"), &mut s);
        assert_eq!(
            (r[0]["case"].as_str(), r[0]["result"].as_str()),
            (Some("host_renderer"), Some("fail"))
        );
        assert!(s.caps_renderer.is_none());
    }

    /// eglinfo 8.5.0's output around the GBM platform, as the guest printed it.
    const EGLINFO: &str = "EGL client extensions string:
    EGL_EXT_device_base EGL_MESA_platform_gbm EGL_KHR_platform_gbm

GBM platform:
EGL API version: 1.4
EGL vendor string: Mesa Project
EGL version string: 1.4
EGL client APIs: OpenGL OpenGL_ES 
EGL driver name: virtio_gpu
EGL extensions string:
    EGL_ANDROID_blob_cache EGL_ANDROID_native_fence_sync
Configurations:
     bf lv colorbuffer dp st  ms    vis   cav bi  renderable  supported
  id sz  l  r  g  b  a th cl ns b    id   eat nd gl es es2 vg surfaces 
---------------------------------------------------------------------
0x01 32  0 10 10 10  2  0  0  0 0 0x30335241--         y  y  y     win
0x02 32  0 10 10 10  2 16  0  0 0 0x30335241--         y  y  y     win

Wayland platform:
eglinfo: eglInitialize failed

X11 platform:
eglinfo: eglInitialize failed
";

    #[test]
    fn eglinfo_passes_on_the_virgl_driver_over_gbm() {
        let mut s = session();
        s.gbm_gl_renderer = Some("virgl (LLVMPIPE (LLVM 15.0.6, 256 bits))".into());
        let r = rows(&ran("eglinfo", 3, EGLINFO), &mut s);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0]["case"], "eglinfo_gbm");
        assert_eq!(r[0]["result"], "pass", "{}", r[0]);
        assert_eq!(
            r[0]["detail"],
            "GBM platform: EGL 1.4 (Mesa Project), driver virtio_gpu, client APIs OpenGL \
             OpenGL_ES, 2 configs; GL_RENDERER \"virgl (LLVMPIPE (LLVM 15.0.6, 256 bits))\" (a \
             GLES context on this platform, made by virgl-gbm-interop)"
        );
        assert_eq!(
            eglinfo_section(&lines(EGLINFO), "Wayland").unwrap().len(),
            2
        );

        let swrast = EGLINFO.replace("EGL driver name: virtio_gpu", "EGL driver name: swrast");
        let r = eglinfo_row(&ran("eglinfo", 0, &swrast), &s);
        assert_eq!(r["result"], "fail");
        assert!(r["detail"].as_str().unwrap().contains("driver swrast"));

        // The renderer: another host's, or none reported.
        let mut other = session();
        other.gbm_gl_renderer = Some("virgl (softpipe)".into());
        let r = eglinfo_row(&ran("eglinfo", 0, EGLINFO), &other);
        assert_eq!(r["result"], "fail");
        assert!(r["detail"]
            .as_str()
            .unwrap()
            .contains("not \"virgl (LLVMPIPE"));
        let r = eglinfo_row(&ran("eglinfo", 0, EGLINFO), &session());
        assert_eq!(r["result"], "fail");
        assert!(r["detail"]
            .as_str()
            .unwrap()
            .starts_with("virgl-gbm-interop reported no GL_RENDERER"));

        let failed = "GBM platform:\neglinfo: eglInitialize failed\n\nX11 platform:\n";
        let r = eglinfo_row(&ran("eglinfo", 1, failed), &s);
        assert_eq!(
            (r["result"].as_str(), r["detail"].as_str()),
            (
                Some("fail"),
                Some("eglInitialize failed on the GBM platform")
            )
        );
        let r = eglinfo_row(&ran("eglinfo", 139, "Segmentation fault"), &s);
        assert_eq!(r["result"], "fail");
        assert!(r["detail"]
            .as_str()
            .unwrap()
            .starts_with("eglinfo died of signal 11"));
    }

    fn kmscube_output(renderer: &str, frames: u32) -> String {
        format!(
            "Using display 0x55 with EGL version 1.4\n===\nOpenGL ES 2.x information:\n  \
             version: \"OpenGL ES 3.2 Mesa 22.3.6\"\n  renderer: \"{renderer}\"\n  \
             extensions: \"GL_EXT_blend_minmax\"\n===\nUsing modifier ffffffffffffff\n\
             Rendered {frames} frames in 9.050000 sec (110.497238 fps)\n"
        )
    }

    #[test]
    fn kmscube_passes_with_its_frames_the_renderer_and_the_display() {
        let good = kmscube_output(
            "virgl (LLVMPIPE (LLVM 15.0.6, 256 bits))",
            KMSCUBE_FRAMES - 1,
        );
        assert_eq!(
            kmscube_rendered(&lines(&good)),
            Some((KMSCUBE_FRAMES - 1, 9.05, 110.497238))
        );
        let r = rows(&ran("kmscube", 0, &good), &mut session());
        assert_eq!(r[0]["result"], "pass", "{}", r[0]);
        assert_eq!(
            r[0]["detail"],
            format!(
                "GL_RENDERER \"virgl (LLVMPIPE (LLVM 15.0.6, 256 bits))\", {KMSCUBE_FRAMES} \
                 frames, the last {} in 9.1 s (110.5 fps); display: moved",
                KMSCUBE_FRAMES - 1
            )
        );

        let fails = |r: &Ran, s: &mut Session, why: &str| {
            let v = &rows(r, s)[0];
            assert_eq!(v["result"], "fail", "{v}");
            assert!(v["detail"].as_str().unwrap().contains(why), "{v}");
        };
        let other = kmscube_output("virgl (softpipe)", KMSCUBE_FRAMES - 1);
        fails(
            &ran("kmscube", 0, &other),
            &mut session(),
            "not \"virgl (LLVMPIPE",
        );
        let short = kmscube_output("virgl (LLVMPIPE (LLVM 15.0.6, 256 bits))", 10);
        fails(
            &ran("kmscube", 0, &short),
            &mut session(),
            "reported 10 frames",
        );
        fails(
            &ran("kmscube", 124, &good),
            &mut session(),
            "kmscube timed out",
        );
        let mut blank = session();
        blank.screens = vec![("kmscube".into(), Err("no colourful motion".into()))];
        fails(
            &ran("kmscube", 0, &good),
            &mut blank,
            "display: no colourful motion",
        );
        fails(
            &ran("kmscube", 0, &good),
            &mut Session::default(),
            "host renderer's name",
        );
        let mut unasked = session();
        unasked.screens.clear();
        fails(
            &ran("kmscube", 0, &good),
            &mut unasked,
            "not asked to check the display",
        );
    }

    const GLMARK2: &str = "=======================================================
    glmark2 2023.01
=======================================================
    OpenGL Information
    GL_VENDOR:      Mesa/X.org
    GL_RENDERER:    virgl (LLVMPIPE (LLVM 15.0.6, 256 bits))
    GL_VERSION:     OpenGL ES 3.2 Mesa 22.3.6
    Surface Size:   801x600 fullscreen
=======================================================
[build] use-vbo=false: Validation: Success
[texture] texture-filter=nearest: Validation: Failure
[shading] shading=cel: Validation: Unknown
[jellyfish] <default>: Validation: Unknown
[conditionals] fragment-steps=0:vertex-steps=0: Validation: Failure
[pulsar] light=false:quads=5:texture=false: Validation: Failure
=======================================================
                                  glmark2 Score: 0
";

    /// llvmpipe's run of the three scenes that failed on virgl in [`GLMARK2`].
    const GLMARK2_LLVMPIPE: &str = "=======================================================
    glmark2 2023.01
=======================================================
    OpenGL Information
    GL_VENDOR:      Mesa/X.org
    GL_RENDERER:    llvmpipe (LLVM 15.0.6, 128 bits)
    Surface Size:   801x600 fullscreen
=======================================================
[texture] texture-filter=nearest: Validation: Failure
[conditionals] fragment-steps=0:vertex-steps=0: Validation: Success
[pulsar] light=false:quads=5:texture=false: Validation: Failure
=======================================================
";

    fn verdicts(r: &[Value]) -> Vec<(&str, &str)> {
        r.iter()
            .map(|v| (v["case"].as_str().unwrap(), v["result"].as_str().unwrap()))
            .collect()
    }

    #[test]
    fn glmark2_scenes_are_judged_by_the_native_run_and_llvmpipe_in_the_guest() {
        let mut s = session();
        let r = rows(&ran("glmark2", 0, GLMARK2), &mut s);
        assert_eq!(verdicts(&r), [("glmark2", "pass")]);
        assert_eq!(
            r[0]["detail"],
            "GL_RENDERER \"virgl (LLVMPIPE (LLVM 15.0.6, 256 bits))\", 6 scenes at 801x600: 1 \
             validated, 3 failed, 2 without reference; natively on the host (llvmpipe (LLVM \
             15.0.6, 256 bits), 800x600): 3 validated"
        );
        let r = rows(&ran(GLMARK2_REFERENCE, 0, GLMARK2_LLVMPIPE), &mut s);
        assert_eq!(
            verdicts(&r),
            [
                ("glmark2:build:use-vbo=false", "pass"),
                // Validates natively, fails on llvmpipe at the guest's size too: the size's.
                ("glmark2:texture:texture-filter=nearest", "skip"),
                ("glmark2:shading:shading=cel", "skip"),
                ("glmark2:jellyfish", "skip"),
                // Validates natively and on llvmpipe at the guest's size: ours.
                (
                    "glmark2:conditionals:fragment-steps=0:vertex-steps=0",
                    "fail"
                ),
                // Does not validate natively either: not asked of the guest.
                ("glmark2:pulsar:light=false:quads=5:texture=false", "skip"),
            ]
        );
        let detail = |i: usize| r[i]["detail"].as_str().unwrap().to_string();
        assert_eq!(
            detail(1),
            "Validation: Failure at 801x600, Success natively on the host at 800x600, Failure \
             on Mesa's llvmpipe in the guest at 801x600 too (the same glmark2 and surface, no \
             virgl): its reference pixels are for 800x600, which glmark2-es2-drm 2023.01 cannot \
             draw at"
        );
        assert!(detail(2).contains("no reference"));
        assert!(detail(4).ends_with("and Mesa's llvmpipe in the guest at 801x600 validates"));
        assert!(detail(5)
            .ends_with("does not validate natively on the host at 800x600 either (Failure)"));
        // Each scene once: nothing left for the end of the suite.
        assert!(glmark2_scene_rows(None, &mut s).is_empty());

        // Without llvmpipe's verdicts (not run, run on virgl, died), or without the native
        // run, a Failure of a scene that validates natively fails.
        for (reference, native, why) in [
            (None, Ok(native()), "the guest did not run it"),
            (
                Some(ran(GLMARK2_REFERENCE, 0, GLMARK2)),
                Ok(native()),
                "not llvmpipe",
            ),
            (
                Some(ran(GLMARK2_REFERENCE, 139, GLMARK2_LLVMPIPE)),
                Ok(native()),
                "died of signal 11",
            ),
            (
                Some(ran(GLMARK2_REFERENCE, 0, GLMARK2_LLVMPIPE)),
                Err("glmark2-es2 failed".to_string()),
                "no native verdict from the host: glmark2-es2 failed",
            ),
        ] {
            let mut s = session();
            s.native_glmark2 = Some(native);
            rows(&ran("glmark2", 0, GLMARK2), &mut s);
            let r = glmark2_scene_rows(reference.as_ref(), &mut s);
            assert_eq!(r[1]["result"], "fail", "{}", r[1]);
            assert!(r[1]["detail"].as_str().unwrap().contains(why), "{}", r[1]);
            assert_eq!(r[0]["result"], "pass");
        }
    }

    #[test]
    fn the_filter_picks_programs_as_the_guest_does() {
        assert!(picked(None, "glmark2"));
        assert!(picked(Some("glm"), "glmark2"));
        assert!(picked(Some("glmark2:build"), "glmark2"));
        assert!(!picked(Some("kmscube"), "glmark2"));
    }

    #[test]
    fn glmark2_fails_when_it_cannot_run_or_runs_elsewhere() {
        let r = rows(
            &ran("glmark2", 1, "Error: main: Could not initialize canvas"),
            &mut session(),
        );
        assert_eq!(r.len(), 1);
        assert_eq!(r[0]["result"], "fail");
        let d = r[0]["detail"].as_str().unwrap();
        assert!(
            d.contains("exited with status 1") && d.contains("no scene validated"),
            "{d}"
        );
        let softpipe = GLMARK2.replace("virgl (LLVMPIPE (LLVM 15.0.6, 256 bits))", "llvmpipe");
        let r = rows(&ran("glmark2", 0, &softpipe), &mut session());
        assert_eq!(r[0]["result"], "fail");
    }

    #[test]
    fn gbm_interop_rows_are_its_cases_and_a_missing_case_fails() {
        let pass = r#"{"case":"gbm_mesa_renders_ours_reads","result":"pass","detail":"all 4096 pixels as drawn","ms":12.5}"#;
        let fail = r#"{"case":"gbm_ours_renders_mesa_samples","result":"fail","detail":"12 pixels differ","ms":3.0}"#;
        let text = format!("MESA-LOADER: a warning\nGL_RENDERER: virgl (X)\n{pass}\n{fail}\n");
        let mut s = session();
        let r = rows(&ran("gbm-interop", 1, &text), &mut s);
        assert_eq!(s.gbm_gl_renderer.as_deref(), Some("virgl (X)"));
        assert_eq!(
            verdicts(&r),
            [
                ("gbm_mesa_renders_ours_reads", "pass"),
                ("gbm_ours_renders_mesa_samples", "fail")
            ]
        );
        assert_eq!(r[0]["detail"], "all 4096 pixels as drawn");
        assert_eq!(r[0]["ms"], 12.5);
        // It died after the first case: the second fails saying how.
        let text = format!("{pass}\nSegmentation fault");
        let r = rows(&ran("gbm-interop", 139, &text), &mut session());
        assert_eq!(r[1]["result"], "fail");
        let d = r[1]["detail"].as_str().unwrap();
        assert!(
            d.contains("did not report it (gbm-interop died of signal 11)"),
            "{d}"
        );
        assert!(d.contains("Segmentation fault"), "{d}");
    }

    #[test]
    fn unknown_programs_fail() {
        let r = rows(&ran("es2gears", 0, ""), &mut session());
        assert_eq!(
            (r[0]["case"].as_str(), r[0]["result"].as_str()),
            (Some("es2gears"), Some("fail"))
        );
    }

    /// A `w` x `h` grey picture with a `size`-pixel red-green square whose left edge is at `x`.
    fn picture(w: u32, h: u32, x: u32, size: u32) -> Picture {
        let mut rgb = Vec::new();
        for py in 0..h {
            for px in 0..w {
                let inside = (x..x + size).contains(&px) && py < size;
                rgb.extend(if inside { [200, 50, 0] } else { [80, 80, 80] });
            }
        }
        Picture::new(w, h, rgb).unwrap()
    }

    #[test]
    fn motion_needs_colour_in_both_pictures_and_change_between_them() {
        let a = picture(200, 100, 0, 50);
        let b = picture(200, 100, 100, 50);
        let d = judge_motion(&a, &b).unwrap();
        assert_eq!(d, "200x100: 2500 and 2500 colourful pixels, 5000 changed");
        // Still: nothing changed.
        assert!(judge_motion(&a, &a).unwrap_err().contains("0 changed"));
        // Grey console text moving is not the cube.
        let grey = picture(200, 100, 0, 0);
        assert!(judge_motion(&grey, &a)
            .unwrap_err()
            .contains("0 and 2500 colourful"));
        // A small moving spot is not enough.
        let small = judge_motion(&picture(200, 100, 0, 10), &picture(200, 100, 50, 10));
        assert!(small.is_err());
        assert!(judge_motion(&a, &picture(100, 100, 0, 50)).is_err());
    }
}

/// The selection on the packages `cargo xtask vm-test` unpacked, when it has.
#[cfg(test)]
mod tree_tests {
    #[test]
    fn the_unpacked_packages_give_mesa_and_its_closure() {
        let root = crate::vm::workspace_root().join("target/vm/mesa/root");
        if !root.is_dir() {
            eprintln!(
                "skipped: no {} (cargo xtask vm-test unpacks it)",
                root.display()
            );
            return;
        }
        let built = crate::vm::workspace_root()
            .join("target/guest-dynamic/x86_64-unknown-linux-gnu/release")
            .join(super::GBM_INTEROP);
        if !built.is_file() {
            eprintln!(
                "skipped: no {} (cargo xtask vm-test builds it)",
                built.display()
            );
            return;
        }
        let sel = super::selection(&root, &built).unwrap();
        assert!(
            sel.dlopen.contains(&"libEGL_mesa.so.0".to_string()),
            "{:?}",
            sel.dlopen
        );
        let picked = vm_images::userland::pick(&root, &sel).unwrap();
        let paths: Vec<&str> = picked.iter().map(|p| p.path.as_str()).collect();
        for want in [
            "lib64/ld-linux-x86-64.so.2",
            "lib/x86_64-linux-gnu/libc.so.6",
            "usr/bin/eglinfo",
            "usr/bin/kmscube",
            "usr/bin/glmark2-es2-drm",
            "usr/lib/x86_64-linux-gnu/dri/virtio_gpu_dri.so",
            "usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0",
            "usr/lib/x86_64-linux-gnu/libgbm.so.1",
            "usr/lib/x86_64-linux-gnu/libLLVM-15.so.1",
            "usr/share/glvnd/egl_vendor.d/50_mesa.json",
            "usr/bin/virgl-gbm-interop",
        ] {
            assert!(paths.contains(&want), "{want} not picked");
        }
        // Each file once, every ELF object's interpreter in place.
        let mut sorted = paths.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), paths.len());
        let ld = picked
            .iter()
            .find(|p| p.path == "lib64/ld-linux-x86-64.so.2")
            .unwrap();
        assert!(ld
            .source
            .ends_with("lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"));
    }
}
