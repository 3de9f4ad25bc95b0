//! GLSL ES 1.00 (OpenGL ES 2.0 hosts): every `host/tests/data/glsl/NAME.tgsi` the dialect can
//! express translates to exactly `NAME.es100.glsl`, the others are refused with the message
//! [`REFUSED`] gives; no output holds a token of GLSL ES 3 (Mesa's ES 2.0 context would accept
//! it, so only this lint catches it); and each vertex/fragment pair of one capture links on a
//! real OpenGL ES 2.0 context. `UPDATE_SNAPSHOTS=1` rewrites the `.es100.glsl` files.
//!
//! Mesa reads `MESA_GLES_VERSION_OVERRIDE` once, at the first context of the process, so this
//! binary sets it to 2.0 before any: a binary of its own, apart from `glsl.rs`'s ES 3 contexts.

use std::path::{Path, PathBuf};

use virgl_host::gl::{Api, EglDisplay, Gl};
use virgl_host::shader::{translate, translate_program, EsExtensions, Target};
use virgl_proto::tgsi::{
    parse, Builder, Component, Declaration, Dst, File, Instruction, Item, Opcode, Processor,
    ReturnType, SemanticName, Shader, Src, Texture, WriteMask,
};

/// What Mesa 22.3's ES 2.0 context offers: everything but `GL_EXT_shader_texture_lod`.
const ES100: Target = Target::Es {
    version: 100,
    ext: EsExtensions {
        clip_cull_distance: false,
        noperspective: false,
        geometry_shader: false,
        texture_buffer: false,
        gpu_shader5: false,
        multisample_interpolation: false,
        standard_derivatives: true,
        draw_buffers: true,
        frag_depth: true,
        texture_3d: true,
        shader_texture_lod: false,
    },
};

/// The fixtures GLSL ES 1.00 cannot express (captured from guests with integers, or using
/// what ES 2.0 lacks), and a part of each refusal.
const REFUSED: &[(&str, &str)] = &[
    (
        "compute-image-store",
        "compute shader on a GLSL ES 1.00 host",
    ),
    (
        "compute-memory-ops",
        "compute shader on a GLSL ES 1.00 host",
    ),
    (
        "compute-ssbo-load-store",
        "compute shader on a GLSL ES 1.00 host",
    ),
    (
        "compute-ssbo-squares",
        "compute shader on a GLSL ES 1.00 host",
    ),
    (
        "fs-ssbo-atomic-001",
        "opcode ATOMUADD: GLSL ES 1.00 has no integer bits",
    ),
    ("gs-builtins", "geometry shader on a GLSL ES 1.00 host"),
    (
        "gs-invocations-001",
        "geometry shader on a GLSL ES 1.00 host",
    ),
    (
        "gs-point-to-two-quads-001",
        "geometry shader on a GLSL ES 1.00 host",
    ),
    (
        "indirect-temp-array",
        "opcode F2I: GLSL ES 1.00 has no integer bits",
    ),
    (
        "op-bitfield-mul-hi",
        "opcode IBFE: GLSL ES 1.00 has no integer bits",
    ),
    (
        "op-fine-derivatives-samples",
        "opcode DDX_FINE on a GLSL ES 1.00 host",
    ),
    (
        "op-integer-division",
        "opcode IDIV: GLSL ES 1.00 has no integer bits",
    ),
    (
        "op-interpolate-at",
        "opcode INTERP_CENTROID on a GLSL ES 1.00 host",
    ),
    (
        "op-texture-gather-offset",
        "opcode TG4 on a GLSL ES 1.00 host",
    ),
    (
        "op-texture-grad-size",
        "opcode TXQ: GLSL ES 1.00 has no integer bits",
    ),
    (
        "piglit-fs-abs-vec4-001",
        "opcode FSGE: GLSL ES 1.00 has no integer bits",
    ),
    (
        "piglit-fs-texture-select-001",
        "opcode FSLT: GLSL ES 1.00 has no integer bits",
    ),
    (
        "piglit-glsl-fs-continue-in-switch-in-do-while-001",
        "opcode USEQ: GLSL ES 1.00 has no integer bits",
    ),
    (
        "piglit-glsl-fs-if-nested-loop-001",
        "opcode FSLT: GLSL ES 1.00 has no integer bits",
    ),
    (
        "piglit-glsl-fs-uniform-array-7-001",
        "opcode AND: GLSL ES 1.00 has no integer bits",
    ),
    (
        "sampler-array-indirect",
        "opcode UARL: GLSL ES 1.00 has no integer bits",
    ),
    (
        "sem-builtins-000",
        "`DCL SV[1], VERTEXID` (system value on a GLSL ES 1.00 host)",
    ),
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/glsl")
}

/// A fixture's name and shader.
type Named = (String, Shader);

/// Every fixture, parsed, with its name.
fn parsed() -> Vec<Named> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tgsi"))
        .collect();
    names.sort();
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
fn es100_snapshots_match_and_refusals_name_the_reason() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let mut wrong = Vec::new();
    let mut translated = 0;
    for (name, shader) in parsed() {
        let path = dir().join(format!("{name}.es100.glsl"));
        let refusal = REFUSED.iter().find(|r| r.0 == name).map(|r| r.1);
        match (translate(&shader, ES100), refusal) {
            (Ok(glsl), None) => {
                translated += 1;
                if update {
                    std::fs::write(&path, &glsl).unwrap();
                } else if std::fs::read_to_string(&path).unwrap_or_default() != glsl {
                    eprintln!("--- {name}.es100.glsl differs; got:\n{glsl}");
                    wrong.push(name);
                }
            }
            (Err(e), Some(part)) if e.to_string().contains(part) => {
                assert!(!path.exists(), "{name} is refused but has a snapshot");
            }
            (Ok(_), Some(_)) => {
                eprintln!("{name}: translates, but the table says it is refused");
                wrong.push(name);
            }
            (Err(e), _) => {
                eprintln!("{name}: refused: {e}");
                wrong.push(name);
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "(rerun with UPDATE_SNAPSHOTS=1 to accept snapshots): {wrong:?}"
    );
    assert!(translated >= 20, "only {translated} fixtures translate");
}

/// Why `glsl` is not GLSL ES 1.00 as the translator should write it: a token that only GLSL
/// ES 3 (or desktop GLSL) has, or `None`.
fn es3_token(glsl: &str) -> Option<String> {
    if !glsl.starts_with("#version 100\n") {
        return Some("no `#version 100` first".into());
    }
    let code: String = glsl
        .lines()
        .map(|l| l.split("//").next().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    const WORDS: &[&str] = &[
        "in",
        "out",
        "inout",
        "layout",
        "uint",
        "uvec2",
        "uvec3",
        "uvec4",
        "usampler2D",
        "isampler2D",
        "flat",
        "noperspective",
        "centroid",
        "smooth",
        "sample",
        "gl_ClipDistance",
        "gl_FragDepth",
        "gl_VertexID",
        "gl_InstanceID",
        "roundEven",
        "round",
        "trunc",
        "texture",
        "textureLod",
        "textureProj",
        "textureGrad",
        "texelFetch",
        "textureSize",
        "textureOffset",
        "switch",
        "case",
        "sampler2DShadow",
        "samplerCubeShadow",
        "sampler2DArray",
        "isnan",
        "isinf",
        "inverse",
        "transpose",
    ];
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    for token in code.split(|c: char| !ident(c)).filter(|t| !t.is_empty()) {
        if WORDS.contains(&token) || token.contains("BitsTo") {
            return Some(format!("`{token}`"));
        }
        // Unsigned literals (`0u`).
        if token.starts_with(|c: char| c.is_ascii_digit()) && token.ends_with('u') {
            return Some(format!("`{token}`"));
        }
    }
    for op in ["%", "<<", ">>", "~", "^"] {
        if code.contains(op) {
            return Some(format!("`{op}`"));
        }
    }
    // Bitwise `&` and `|`, as opposed to `&&` and `||`.
    for op in ['&', '|'] {
        let pair: String = [op, op].iter().collect();
        if code.replace(&pair, "").contains(op) {
            return Some(format!("bitwise `{op}`"));
        }
    }
    None
}

/// Every ES 1.00 translation, alone and as programs, for the lint.
fn all_es100() -> Vec<(String, String)> {
    let all = parsed();
    let mut out: Vec<(String, String)> = all
        .iter()
        .filter_map(|(name, s)| Some((name.clone(), translate(s, ES100).ok()?)))
        .collect();
    for (vs, fs) in pairs(&all) {
        if let Ok(p) = translate_program(&vs.1, None, &fs.1, None, false, ES100) {
            out.push((format!("{} as a pair", vs.0), p.vertex));
            out.push((format!("{} as a pair", fs.0), p.fragment));
        }
    }
    out
}

#[test]
fn es100_outputs_hold_no_es3_token() {
    let mut bad = Vec::new();
    for (name, glsl) in all_es100() {
        if let Some(token) = es3_token(&glsl) {
            eprintln!("{name}: {token}\n{glsl}");
            bad.push(format!("{name}: {token}"));
        }
    }
    assert!(bad.is_empty(), "GLSL ES 3 in the ES 1.00 output: {bad:?}");
}

#[test]
fn the_lint_catches_es3_tokens() {
    let ok =
        "#version 100\nvarying vec4 v; // IN[0] |x| % 2\nvoid main() { if (a && b || c) {} }\n";
    assert_eq!(es3_token(ok), None);
    for bad in [
        "in vec4 v;",
        "uint x;",
        "x = texture(s, c);",
        "x = floatBitsToUint(y);",
        "x = a | b;",
        "x = a % b;",
        "x = 1u;",
        "flat varying vec4 v;",
    ] {
        assert!(
            es3_token(&format!("#version 100\n{bad}\n")).is_some(),
            "{bad}"
        );
    }
    assert!(es3_token("#version 300 es\n").is_some());
}

/// Each vertex shader with each fragment shader of its capture (`NAME-NNN`).
fn pairs(all: &[Named]) -> Vec<(&Named, &Named)> {
    let capture = |name: &str| name.rsplit_once('-').map(|c| c.0.to_string());
    let mut p = Vec::new();
    for vs in all.iter().filter(|s| s.1.processor == Processor::Vert) {
        for fs in all.iter().filter(|s| s.1.processor == Processor::Frag) {
            if capture(&vs.0).is_some() && capture(&vs.0) == capture(&fs.0) {
                p.push((vs, fs));
            }
        }
    }
    p
}

/// One EGL display at a time: `eglTerminate` on one thread ends the display for every other.
fn egl_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// An OpenGL ES 2.0 context, or `None` where there is no EGL display.
fn es2_context() -> Option<(EglDisplay, Gl)> {
    // Mesa reads it at the first context of the process; every test of this binary sets it.
    std::env::set_var("MESA_GLES_VERSION_OVERRIDE", "2.0");
    let display = match EglDisplay::open() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("skip: no surfaceless EGL display here: {e}");
            return None;
        }
    };
    let gl = Gl::new(&display, Api::Gles { major: 2, minor: 0 }).unwrap();
    Some((display, gl))
}

#[test]
fn each_es100_pair_links_on_an_es2_context() {
    let _egl = egl_lock();
    let Some((_display, gl)) = es2_context() else {
        return;
    };
    let v = gl.version();
    assert!(
        v.version.starts_with("OpenGL ES 2.0"),
        "not an ES 2.0 context: {}",
        v.version
    );
    let target = gl.shader_target();
    assert_eq!(target.version(), 100);
    let all = parsed();
    let mut failed = Vec::new();
    let mut linked = Vec::new();
    let mut flat = Vec::new();
    // Each pair smooth, and flat-shaded, where the provoking vertex's inputs come in too.
    for flatshade in [false, true] {
        for (vs, fs) in pairs(&all) {
            let Ok(p) = translate_program(&vs.1, None, &fs.1, None, flatshade, target) else {
                continue;
            };
            let name = format!(
                "{}+{}{}",
                vs.0,
                fs.0,
                if flatshade { " (flat)" } else { "" }
            );
            if p.flat_inputs {
                assert!(
                    p.vertex.contains("attribute vec4 flat_in0;") && es3_token(&p.vertex).is_none(),
                    "{name}:\n{}",
                    p.vertex
                );
                flat.push(name.clone());
            }
            match gl.compile_program(&p.vertex, &p.fragment) {
                Ok(()) => linked.push(name),
                Err(log) => {
                    eprintln!("{name}:\n{log}\n{}\n{}", p.vertex, p.fragment);
                    failed.push(name);
                }
            }
        }
    }
    eprintln!("linked: {linked:?}");
    assert!(failed.is_empty(), "did not link: {failed:?}");
    assert!(linked.len() >= 16, "only {} pairs link", linked.len());
    // glxgears' colour is flat under its flat shading.
    assert!(
        flat.iter().any(|n| n.starts_with("glxgears")),
        "no flat-shaded pair reads the provoking vertex: {flat:?}"
    );
}

/// Every instruction of every fixture swapped for every opcode of the same operand counts:
/// each ES 1.00 translation is GLSL without ES 3 tokens or an error, never a panic.
#[test]
fn swapped_opcodes_never_panic_nor_leak_es3() {
    let mut translated = 0;
    for (name, shader) in parsed() {
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
                if let Ok(glsl) = translate(&mutated, ES100) {
                    translated += 1;
                    if let Some(token) = es3_token(&glsl) {
                        panic!("{name} with {op} at item {at}: {token}\n{glsl}");
                    }
                }
            }
        }
    }
    assert!(translated > 1000, "{translated}");
}

/// One shader of `stage` per opcode ES 1.00 takes, reading temporaries with a partial write
/// mask and mixed swizzles; texture opcodes sample `SAMP[0]` as each target ES 2.0 has.
fn one_per_opcode(stage: Processor) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let output = match stage {
        Processor::Vert => SemanticName::Position,
        _ => SemanticName::Color,
    };
    for &op in Opcode::ALL {
        let targets: &[Texture] = if op.has_texture() {
            &[
                Texture::D1,
                Texture::D2,
                Texture::Rect,
                Texture::D3,
                Texture::Cube,
                Texture::Shadow1d,
                Texture::Shadow2d,
                Texture::ShadowRect,
                Texture::ShadowCube,
            ]
        } else {
            &[Texture::D2]
        };
        for &target in targets {
            let dst: Vec<Dst> = (0..op.num_dst())
                .map(|_| Dst::reg(File::Temp, 0).mask(WriteMask::X | WriteMask::Z | WriteMask::W))
                .collect();
            let src: Vec<Src> = (0..op.num_src())
                .map(|i| {
                    let samp = if op == Opcode::Txd { 3 } else { 1 };
                    if op.has_texture() && i == samp {
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
                ins = ins.texture(target);
            }
            let shader = Builder::new(stage)
                .declare(Declaration::new(File::Out, 0, 0).semantic(output, 0))
                .declare(Declaration::new(File::Temp, 0, 4))
                .declare(Declaration::new(File::Samp, 0, 0))
                .declare(Declaration::sampler_view(0, target, ReturnType::Float))
                .instruction(ins)
                .op(
                    Opcode::Mov,
                    &[Dst::reg(File::Out, 0)],
                    &[Src::reg(File::Temp, 0)],
                )
                .end();
            if let Ok(glsl) = translate(&shader, ES100) {
                out.push((format!("{op} {target}"), glsl));
            }
        }
    }
    out
}

#[test]
fn every_es100_opcode_links_on_an_es2_context() {
    let all = one_per_opcode(Processor::Frag);
    let vertex: Vec<_> = one_per_opcode(Processor::Vert)
        .into_iter()
        .filter(|(name, _)| name.starts_with('T'))
        .collect();
    for (name, glsl) in all.iter().chain(&vertex) {
        assert_eq!(es3_token(glsl), None, "{name}\n{glsl}");
    }
    let _egl = egl_lock();
    let Some((_display, gl)) = es2_context() else {
        return;
    };
    let vs = "#version 100\nattribute vec4 in0;\nvoid main() { gl_Position = in0; }\n";
    let mut failed = Vec::new();
    for (name, fs) in &all {
        if let Err(log) = gl.compile_program(vs, fs) {
            eprintln!("{name}:\n{log}\n{fs}");
            failed.push(name.clone());
        }
    }
    let fs = "#version 100\nvoid main() { gl_FragColor = vec4(1.0); }\n";
    for (name, vs) in &vertex {
        if let Err(log) = gl.compile_program(vs, fs) {
            eprintln!("vertex {name}:\n{log}\n{vs}");
            failed.push(format!("vertex {name}"));
        }
    }
    let names: Vec<&str> = all.iter().map(|a| a.0.as_str()).collect();
    eprintln!("{} translate: {}", names.len(), names.join(", "));
    assert!(failed.is_empty(), "did not link: {failed:?}");
    assert!(all.len() > 60, "only {} translate", all.len());
    assert!(
        vertex.len() > 20,
        "only {} vertex texture ops",
        vertex.len()
    );
}
