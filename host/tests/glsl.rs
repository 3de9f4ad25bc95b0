//! TGSI to GLSL snapshots: every `host/tests/data/glsl/NAME.tgsi` (shaders captured from the
//! streams in `proto/tests/data`) translates to exactly `NAME.glsl`, the GLSL compiles with
//! `glslangValidator` when it is installed, and each vertex/fragment pair of one capture links
//! on a real GL context when there is one. `UPDATE_SNAPSHOTS=1` rewrites the `.glsl` files.

use std::path::{Path, PathBuf};
use std::process::Command;

use virgl_host::gl::{Api, EglDisplay, Gl};
use virgl_host::shader::{translate, Target};
use virgl_proto::tgsi::{parse, Processor};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/glsl")
}

/// Every captured shader: its name, stage and translation.
fn shaders() -> Vec<(String, Processor, String)> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tgsi"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no .tgsi files in {}", dir().display());
    names
        .iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_str().unwrap().to_string();
            let text = std::fs::read_to_string(p).unwrap();
            let shader = parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let glsl =
                translate(&shader, Target::Desktop330).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, shader.processor, glsl)
        })
        .collect()
}

#[test]
fn snapshots_match() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let mut differ = Vec::new();
    for (name, _, glsl) in shaders() {
        let path = dir().join(format!("{name}.glsl"));
        if update {
            std::fs::write(&path, &glsl).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if want != glsl {
            eprintln!("--- {name}.glsl differs; got:\n{glsl}");
            differ.push(name);
        }
    }
    assert!(
        differ.is_empty(),
        "snapshots differ (rerun with UPDATE_SNAPSHOTS=1 to accept): {differ:?}"
    );
}

#[test]
fn glslang_validator_accepts_every_snapshot() {
    if Command::new("glslangValidator")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skip: glslangValidator not installed");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("virgl-host-glsl-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut failed = Vec::new();
    for (name, stage, glsl) in shaders() {
        let ext = if stage == Processor::Vert {
            "vert"
        } else {
            "frag"
        };
        let path = tmp.join(format!("{name}.{ext}"));
        std::fs::write(&path, &glsl).unwrap();
        let out = Command::new("glslangValidator")
            .arg(&path)
            .output()
            .unwrap();
        if !out.status.success() {
            eprintln!(
                "{name}:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            failed.push(name);
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(failed.is_empty(), "glslangValidator rejected {failed:?}");
}

#[test]
fn each_capture_links_on_gl() {
    let display = match EglDisplay::open() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("skip: no surfaceless EGL display here: {e}");
            return;
        }
    };
    let gl = Gl::new(&display, Api::GlCore { major: 4, minor: 5 }).unwrap();
    let all = shaders();
    // NAME-NNN: shaders of one capture share NAME.
    let capture = |name: &str| name.rsplit_once('-').unwrap().0.to_string();
    let mut linked = 0;
    let mut failed = Vec::new();
    for (vs_name, _, vs) in all.iter().filter(|s| s.1 == Processor::Vert) {
        for (fs_name, _, fs) in all.iter().filter(|s| s.1 == Processor::Frag) {
            if capture(vs_name) != capture(fs_name) {
                continue;
            }
            match gl.compile_program(vs, fs) {
                Ok(()) => linked += 1,
                Err(log) => {
                    eprintln!("{vs_name} + {fs_name}:\n{log}");
                    failed.push(format!("{vs_name}+{fs_name}"));
                }
            }
        }
    }
    assert!(failed.is_empty(), "did not link: {failed:?}");
    assert_eq!(linked, 8, "one pair per capture, two for glxgears");
}
