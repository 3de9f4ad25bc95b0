//! TGSI to GLSL snapshots: every `host/tests/data/glsl/NAME.tgsi` (shaders captured from the
//! streams in `proto/tests/data`, and hand-written ones named for the feature they cover)
//! translates to exactly `NAME.glsl`, the GLSL compiles with `glslangValidator` when it is
//! installed, and each vertex/fragment pair of one capture (`NAME-NNN`), translated together
//! with the capture's geometry shader if it has one, links on a real GL context when there is
//! one. `NAME.es.glsl` holds the same shader as GLSL ES 3.20. `UPDATE_SNAPSHOTS=1` rewrites
//! the `.glsl` files.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use virgl_host::gl::{Api, EglDisplay, Gl};
use virgl_host::shader::{translate, translate_pair, translate_program, EsExtensions, Target};
use virgl_proto::tgsi::{
    parse, Builder, Component, Declaration, Dst, File, Instruction, Item, Opcode, Processor,
    ReturnType, SemanticName, Shader, Src, Texture, WriteMask,
};

/// Runs `glslangValidator ARG` for at most 30 s (killed past that); `None` if it cannot start.
fn validator(arg: &OsStr) -> Option<Output> {
    let mut child = Command::new("glslangValidator")
        .arg(arg)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().ok()?.is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("glslangValidator {arg:?} ran past 30 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait_with_output().ok()
}

/// One EGL display at a time: `eglTerminate` on one thread ends the display for every other.
fn egl_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/glsl")
}

/// Every captured shader: its name, stage and translation.
fn shaders() -> Vec<(String, Processor, String)> {
    shaders_for(Target::Desktop330)
}

/// The GLSL ES the snapshots hold: ES 3.20 with the two extensions it still needs.
const ES_SNAPSHOT: Target = Target::Es {
    version: 320,
    ext: EsExtensions {
        clip_cull_distance: true,
        noperspective: true,
        geometry_shader: false,
        texture_buffer: false,
        gpu_shader5: false,
        multisample_interpolation: false,
        standard_derivatives: false,
        draw_buffers: false,
        frag_depth: false,
        texture_3d: false,
        shader_texture_lod: false,
    },
};

/// Each shader's translation for `target`. Desktop GLSL has every shader; on GLSL ES the
/// snapshot of one it refuses is the error, which names what ES lacks.
fn shaders_for(target: Target) -> Vec<(String, Processor, String)> {
    parsed()
        .into_iter()
        .map(|(name, shader)| {
            let glsl = match (translate(&shader, target), target) {
                (Ok(glsl), _) => glsl,
                (Err(e), Target::Es { .. }) => format!("// refused: {e}\n"),
                (Err(e), _) => panic!("{name}: {e}"),
            };
            (name, shader.processor, glsl)
        })
        .collect()
}

/// Every captured shader, parsed, with its name.
fn parsed() -> Vec<(String, Shader)> {
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
            (name, shader)
        })
        .collect()
}

#[test]
fn snapshots_match() {
    check_snapshots(Target::Desktop330, "glsl");
}

/// The same shaders as GLSL ES 3.20 (`NAME.es.glsl`).
#[test]
fn es_snapshots_match() {
    check_snapshots(ES_SNAPSHOT, "es.glsl");
}

fn check_snapshots(target: Target, extension: &str) {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let mut differ = Vec::new();
    for (name, _, glsl) in shaders_for(target) {
        let path = dir().join(format!("{name}.{extension}"));
        if update {
            std::fs::write(&path, &glsl).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if want != glsl {
            eprintln!("--- {name}.{extension} differs; got:\n{glsl}");
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
    if validator("--version".as_ref()).is_none() {
        eprintln!("skip: glslangValidator not installed");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("virgl-host-glsl-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut failed = Vec::new();
    for (name, stage, glsl) in shaders() {
        let ext = match stage {
            Processor::Vert => "vert",
            Processor::Geom => "geom",
            Processor::Comp => "comp",
            _ => "frag",
        };
        let path = tmp.join(format!("{name}.{ext}"));
        std::fs::write(&path, &glsl).unwrap();
        let out = validator(path.as_os_str()).expect("glslangValidator runs");
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
    let _egl = egl_lock();
    let display = match EglDisplay::open() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("skip: no surfaceless EGL display here: {e}");
            return;
        }
    };
    let gl = Gl::new(&display, Api::GlCore { major: 4, minor: 5 }).unwrap();
    link_each_capture(&gl);
}

/// The same shaders as GLSL ES 3.20, on the highest ES context the host gives.
#[test]
fn each_capture_links_on_gles() {
    let _egl = egl_lock();
    let display = match EglDisplay::open() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("skip: no surfaceless EGL display here: {e}");
            return;
        }
    };
    let gl = Gl::new(&display, Api::Gles { major: 3, minor: 0 }).unwrap();
    assert!(gl.version().es);
    link_each_capture(&gl);
}

fn link_each_capture(gl: &Gl) {
    let target = gl.shader_target();
    let all = parsed();
    // NAME-NNN: shaders of one capture share NAME.
    let capture = |name: &str| name.rsplit_once('-').unwrap().0.to_string();
    let mut failed = Vec::new();
    for (vs_name, vs) in all.iter().filter(|s| s.1.processor == Processor::Vert) {
        let mut linked = 0;
        for (fs_name, fs) in all.iter().filter(|s| s.1.processor == Processor::Frag) {
            if capture(vs_name) != capture(fs_name) {
                continue;
            }
            let gs = all
                .iter()
                .find(|s| s.1.processor == Processor::Geom && capture(&s.0) == capture(vs_name));
            let p = translate_program(vs, gs.map(|g| &g.1), fs, None, false, target)
                .unwrap_or_else(|e| panic!("{vs_name} + {fs_name}: {e}"));
            match gl.compile_program_with(&p.vertex, p.geometry.as_deref(), &p.fragment) {
                Ok(()) => linked += 1,
                Err(log) => {
                    eprintln!("{vs_name} + {fs_name}:\n{log}");
                    failed.push(format!("{vs_name}+{fs_name}"));
                }
            }
        }
        assert!(
            linked > 0 || !failed.is_empty(),
            "{vs_name} has no fragment shader"
        );
    }
    assert!(failed.is_empty(), "did not link: {failed:?}");
}

#[test]
fn each_compute_shader_links_on_gl() {
    let _egl = egl_lock();
    let display = match EglDisplay::open() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("skip: no surfaceless EGL display here: {e}");
            return;
        }
    };
    let gl = Gl::new(&display, Api::GlCore { major: 4, minor: 5 }).unwrap();
    let mut failed = Vec::new();
    let mut linked = 0;
    for (name, stage, glsl) in shaders() {
        if stage != Processor::Comp {
            continue;
        }
        match gl.compile_compute(&glsl) {
            Ok(()) => linked += 1,
            Err(log) => {
                eprintln!("{name}:\n{log}");
                failed.push(name);
            }
        }
    }
    assert!(failed.is_empty(), "did not link: {failed:?}");
    assert!(linked >= 4, "{linked} compute shaders");
}

#[test]
fn flat_and_noperspective_varyings_link_when_translated_as_a_pair() {
    let _egl = egl_lock();
    let display = match EglDisplay::open() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("skip: no surfaceless EGL display here: {e}");
            return;
        }
    };
    let gl = Gl::new(&display, Api::GlCore { major: 4, minor: 5 }).unwrap();
    let vs = parse(
        "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\nDCL OUT[1], GENERIC[0]\nDCL OUT[2], GENERIC[1]\n\
         0: MOV OUT[0], IN[0]\n  1: MOV OUT[1], IN[0]\n  2: MOV OUT[2], IN[0]\n  3: END\n",
    )
    .unwrap();
    let fs = parse(
        "FRAG\nDCL IN[0], GENERIC[0], CONSTANT\nDCL IN[1], GENERIC[1], LINEAR\nDCL OUT[0], COLOR\n\
         0: ADD OUT[0], IN[0], IN[1]\n  1: END\n",
    )
    .unwrap();
    let (vs_glsl, fs_glsl) = translate_pair(&vs, &fs, Target::Desktop330).unwrap();
    assert!(vs_glsl.contains("flat out vec4 v_generic0;"), "{vs_glsl}");
    assert!(
        vs_glsl.contains("noperspective out vec4 v_generic1;"),
        "{vs_glsl}"
    );
    gl.compile_program(&vs_glsl, &fs_glsl).unwrap();
    // Alone, the vertex shader cannot know, and GL refuses the mismatch with its log.
    let alone = translate(&vs, Target::Desktop330).unwrap();
    let log = gl.compile_program(&alone, &fs_glsl).unwrap_err();
    assert!(log.contains("interpolation qualifier"), "{log}");
}

/// One fragment shader per TGSI opcode, reading temporaries with a partial write mask and
/// mixed swizzles (texture opcodes sample `SAMP[0]` as 2D); `None` where the translator refuses
/// the opcode, which must be an error, never a panic.
fn one_per_opcode() -> Vec<(Opcode, Option<String>)> {
    Opcode::ALL
        .iter()
        .map(|&op| {
            let dst: Vec<Dst> = (0..op.num_dst())
                .map(|_| Dst::reg(File::Temp, 0).mask(WriteMask::X | WriteMask::Z | WriteMask::W))
                .collect();
            let src: Vec<Src> = (0..op.num_src())
                .map(|i| {
                    if op.has_texture() && i == 1 {
                        Src::reg(File::Samp, 0)
                    } else {
                        Src::reg(File::Temp, 1 + i as i32).swizzle([
                            Component::W,
                            Component::X,
                            Component::Y,
                            Component::Z,
                        ])
                    }
                })
                .collect();
            let mut ins = Instruction::new(op, &dst, &src);
            if op.has_texture() {
                ins = ins.texture(Texture::D2);
            }
            let shader = Builder::new(Processor::Frag)
                .declare(Declaration::new(File::Out, 0, 0).semantic(SemanticName::Color, 0))
                .declare(Declaration::new(File::Temp, 0, 4))
                .declare(Declaration::new(File::Samp, 0, 0))
                .declare(Declaration::sampler_view(0, Texture::D2, ReturnType::Float))
                .instruction(ins)
                .op(
                    Opcode::Mov,
                    &[Dst::reg(File::Out, 0)],
                    &[Src::reg(File::Temp, 0)],
                )
                .end();
            (op, translate(&shader, Target::Desktop330).ok())
        })
        .collect()
}

#[test]
fn every_translated_opcode_compiles() {
    let all = one_per_opcode();
    let ok: Vec<_> = all.iter().filter(|(_, g)| g.is_some()).collect();
    assert!(ok.len() > 60, "only {} opcodes translate", ok.len());
    if validator("--version".as_ref()).is_none() {
        eprintln!("skip: glslangValidator not installed");
        return;
    }
    let tmp = std::env::temp_dir().join(format!("virgl-host-ops-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut failed = Vec::new();
    for (op, glsl) in ok {
        let path = tmp.join(format!("{op}.frag"));
        std::fs::write(&path, glsl.as_ref().unwrap()).unwrap();
        let out = validator(path.as_os_str()).expect("glslangValidator runs");
        if !out.status.success() {
            eprintln!("{op}:\n{}", String::from_utf8_lossy(&out.stdout));
            failed.push(op.to_string());
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(failed.is_empty(), "glslangValidator rejected {failed:?}");
}

#[test]
fn every_translated_opcode_links_on_gl() {
    let _egl = egl_lock();
    let display = match EglDisplay::open() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("skip: no surfaceless EGL display here: {e}");
            return;
        }
    };
    let gl = Gl::new(&display, Api::GlCore { major: 4, minor: 5 }).unwrap();
    let vs = "#version 330 core\nlayout(location = 0) in vec4 in0;\nvoid main() { gl_Position = in0; }\n";
    let mut failed = Vec::new();
    let mut names = Vec::new();
    for (op, glsl) in one_per_opcode() {
        let Some(fs) = glsl else { continue };
        names.push(op.to_string());
        if let Err(log) = gl.compile_program(vs, &fs) {
            eprintln!("{op}:\n{log}");
            failed.push(op.to_string());
        }
    }
    eprintln!("{} opcodes translate: {}", names.len(), names.join(" "));
    assert!(failed.is_empty(), "did not link: {failed:?}");
}

/// Every instruction of every capture swapped for every opcode of the same operand counts:
/// each translation is GLSL or an error, never a panic.
#[test]
fn swapped_opcodes_never_panic() {
    let mut translated = 0;
    for (_, shader) in parsed() {
        for at in 0..shader.items.len() {
            let Item::Instruction(ins) = &shader.items[at] else {
                continue;
            };
            for &op in Opcode::ALL {
                if op.num_dst() != ins.dst.len() || op.num_src() != ins.src.len() {
                    continue;
                }
                let mut mutated = shader.clone();
                if let Item::Instruction(m) = &mut mutated.items[at] {
                    m.opcode = op;
                }
                if translate(&mutated, Target::Desktop330).is_ok() {
                    translated += 1;
                }
            }
        }
    }
    assert!(translated > 1000, "{translated}");
}
