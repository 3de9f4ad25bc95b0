//! The GLSL ES dialect: what changes when the host is OpenGL ES.
//!
//! The translator writes the same GLSL for both kinds of host, and this module turns its
//! desktop needs into the ES host's terms:
//!
//! - the `#version` is the host's (`300 es`, `310 es`, `320 es`); a shader that needs a
//!   desktop version whose features the host's ES version lacks is refused, naming the version;
//! - default precisions: `highp` for `float` and `int`, and for every sampler and image type
//!   the shader declares (GLSL ES gives them none in vertex shaders, or none at all);
//! - extensions for the desktop features that ES has only as extensions (`gl_ClipDistance`,
//!   `noperspective`); a shader that uses one the host lacks is refused;
//! - texture targets ES does not have are sampled as the target the backend stores them as:
//!   1D (and 1D arrays) as 2D with one row, rectangles as 2D with coordinates divided by the
//!   size ([`sampler_base`], and the texture ops).

use std::fmt::Write;

use virgl_proto::tgsi::Processor;

use super::{unsupported, Target};
use crate::error::Result;

/// The GLSL ES version that has the features of desktop GLSL `desktop`, as this translator
/// writes them: 3.30's in ES 3.00; 4.00's (bit-field ops, gathers, `interpolateAt*`, `sample`
/// varyings, indexed sampler arrays, geometry shader invocations) all in ES 3.20; 4.30's
/// shader memory and compute in ES 3.10. Nothing in ES has 4.50's `dFdxFine` or
/// `textureSamples`.
fn es_version_for(desktop: u32) -> Option<u32> {
    match desktop {
        0..=330 => Some(300),
        331..=400 => Some(320),
        401..=430 => Some(310),
        _ => None,
    }
}

/// Every opaque type of GLSL ES 3.20 that takes a precision: samplers and images of each
/// target, float, `i` and `u`, and the shadow samplers.
fn opaque_types() -> impl Iterator<Item = String> {
    const SAMPLERS: [&str; 8] = [
        "2D",
        "3D",
        "Cube",
        "2DArray",
        "2DMS",
        "2DMSArray",
        "Buffer",
        "CubeArray",
    ];
    const IMAGES: [&str; 6] = ["2D", "3D", "Cube", "2DArray", "Buffer", "CubeArray"];
    const SHADOWS: [&str; 4] = [
        "sampler2DShadow",
        "samplerCubeShadow",
        "sampler2DArrayShadow",
        "samplerCubeArrayShadow",
    ];
    let typed = |kind: &'static str, targets: &'static [&'static str]| {
        ["", "i", "u"]
            .into_iter()
            .flat_map(move |p| targets.iter().map(move |t| format!("{p}{kind}{t}")))
    };
    typed("sampler", &SAMPLERS)
        .chain(typed("image", &IMAGES))
        .chain(SHADOWS.iter().map(|s| s.to_string()))
}

/// Whether `word` appears in `text` as a whole identifier.
pub(super) fn has_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// The lines before the body of a GLSL ES shader: `#version`, extensions and precisions.
/// `desktop` is the desktop GLSL version the shader needs and `text` the rest of it.
pub(super) fn header(target: Target, stage: Processor, desktop: u32, text: &str) -> Result<String> {
    let Target::Es { version, ext } = target else {
        unreachable!("GLSL ES header for a desktop target");
    };
    let gpu5 = version < 320 && desktop > 330 && ext.gpu_shader5;
    match es_version_for(desktop) {
        Some(v) if v <= version => {}
        Some(320) if gpu5 => {}
        _ => {
            return Err(unsupported(
                format!(
                    "features of desktop GLSL {}.{:02} on a GLSL ES {}.{:02} host",
                    desktop / 100,
                    desktop % 100,
                    version / 100,
                    version % 100
                ),
                None,
            ))
        }
    }
    let mut out = format!("#version {version} es\n");
    // Core in GLSL ES 3.20, extensions before.
    if gpu5 {
        out.push_str("#extension GL_EXT_gpu_shader5 : require\n");
    }
    let interpolation = [
        "interpolateAtCentroid",
        "interpolateAtSample",
        "interpolateAtOffset",
        "sample",
    ];
    if version < 320 && interpolation.iter().any(|w| has_word(text, w)) {
        if !ext.multisample_interpolation {
            return Err(unsupported(
                "per-sample interpolation on a GLSL ES host without GL_OES_shader_multisample_interpolation",
                None,
            ));
        }
        out.push_str("#extension GL_OES_shader_multisample_interpolation : require\n");
    }
    if version < 320 {
        if stage == Processor::Geom {
            if !ext.geometry_shader {
                return Err(unsupported(
                    "a geometry shader on a GLSL ES host without GL_EXT_geometry_shader",
                    None,
                ));
            }
            out.push_str("#extension GL_EXT_geometry_shader : require\n");
        }
        let buffers = ["samplerBuffer", "isamplerBuffer", "usamplerBuffer"];
        if buffers.iter().any(|b| has_word(text, b)) {
            if !ext.texture_buffer {
                return Err(unsupported(
                    "a buffer sampler on a GLSL ES host without GL_EXT_texture_buffer",
                    None,
                ));
            }
            out.push_str("#extension GL_EXT_texture_buffer : require\n");
        }
    }
    let mut extension = |used: &str, available: bool, name: &str| {
        if !has_word(text, used) {
            return Ok(());
        }
        if !available {
            return Err(unsupported(
                format!("`{used}` on a GLSL ES host without {name}"),
                None,
            ));
        }
        let _ = writeln!(out, "#extension {name} : require");
        Ok(())
    };
    extension(
        "gl_ClipDistance",
        ext.clip_cull_distance,
        "GL_EXT_clip_cull_distance",
    )?;
    extension(
        "noperspective",
        ext.noperspective,
        "GL_NV_shader_noperspective_interpolation",
    )?;
    out.push_str("precision highp float;\nprecision highp int;\n");
    let mut seen = String::new();
    for ty in opaque_types() {
        if has_word(text, &ty) {
            let _ = writeln!(seen, "precision highp {ty};");
        }
    }
    out.push_str(&seen);
    Ok(out)
}

/// The shader storage block [`count_samples`] adds, and the `uint` in it.
pub const SAMPLE_COUNTER: &str = "winsys_samples";

/// The fragment shader `fragment` (as the translator wrote it for a GLSL ES host), made to
/// count the samples that pass the depth and stencil tests into a `uint` at shader storage
/// binding `binding`: ES has occlusion queries that say only whether any sample passed.
///
/// Fragment tests run before the shader (`early_fragment_tests`), so every invocation is one
/// that passed, and it adds its covered samples (`gl_SampleMaskIn`, GLSL ES 3.20; one
/// fragment on ES 3.10). A shader that discards or writes depth must run its tests late, so it
/// counts what reaches it, including what the depth test then rejects. `None` below GLSL ES
/// 3.10, which has no shader storage.
pub fn count_samples(fragment: &str, binding: u32) -> Option<String> {
    let version: u32 = fragment
        .strip_prefix("#version ")?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    if version < 310 {
        return None;
    }
    let body = fragment.find("\nvoid main()\n{\n")?;
    let header_end = fragment.find("// fragment shader translated from TGSI")?;
    let late = fragment.contains("discard") || has_word(fragment, "gl_FragDepth");
    let mut decls = String::new();
    if !late {
        decls.push_str("layout(early_fragment_tests) in;\n");
    }
    let _ = writeln!(
        decls,
        "layout(std430, binding = {binding}) buffer {SAMPLE_COUNTER}_block {{ uint {SAMPLE_COUNTER}; }};"
    );
    let add = if version >= 320 {
        "uint(bitCount(gl_SampleMaskIn[0]))"
    } else {
        "1u"
    };
    let main_open = body + "\nvoid main()\n{\n".len();
    Some(format!(
        "{}{decls}{}    atomicAdd({SAMPLE_COUNTER}, {add});\n{}",
        &fragment[..header_end],
        &fragment[header_end..main_open],
        &fragment[main_open..]
    ))
}

/// The GLSL ES sampler type standing for desktop sampler type `base` (without its `i`/`u`
/// prefix and `Shadow` suffix): targets ES lacks are stored as 2D targets.
pub(super) fn sampler_base(base: &'static str) -> &'static str {
    match base {
        "sampler1D" | "sampler2DRect" => "sampler2D",
        "sampler1DArray" => "sampler2DArray",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shader::EsExtensions;

    const ES32: Target = Target::Es {
        version: 320,
        ext: EsExtensions {
            clip_cull_distance: false,
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

    #[test]
    fn es_3_1_enables_geometry_shaders_and_buffer_samplers() {
        let es31 = |on| Target::Es {
            version: 310,
            ext: EsExtensions {
                geometry_shader: on,
                texture_buffer: on,
                gpu_shader5: on,
                ..EsExtensions::default()
            },
        };
        let h = header(es31(true), Processor::Geom, 330, "uniform samplerBuffer b;").unwrap();
        assert!(h.starts_with(
            "#version 310 es\n#extension GL_EXT_geometry_shader : require\n\
             #extension GL_EXT_texture_buffer : require\n"
        ));
        let h = header(es31(true), Processor::Frag, 400, "").unwrap();
        assert!(h.starts_with("#version 310 es\n#extension GL_EXT_gpu_shader5 : require\n"));
        let e = header(es31(true), Processor::Frag, 400, "sample in vec4 v;").unwrap_err();
        assert!(
            e.to_string()
                .contains("GL_OES_shader_multisample_interpolation"),
            "{e}"
        );
        assert!(header(es31(false), Processor::Frag, 400, "").is_err());
        let e = header(es31(false), Processor::Geom, 330, "").unwrap_err();
        assert!(e.to_string().contains("GL_EXT_geometry_shader"), "{e}");
        assert!(header(ES32, Processor::Geom, 330, "")
            .unwrap()
            .starts_with("#version 320 es\nprecision"));
    }

    #[test]
    fn counting_adds_an_early_tested_atomic_at_the_top_of_main() {
        let fs = "#version 320 es\nprecision highp float;\n// fragment shader translated from TGSI\n\nout vec4 o;\n\nvoid main()\n{\n    o = vec4(1.0);\n}\n";
        let counted = count_samples(fs, 7).unwrap();
        assert_eq!(
            counted,
            "#version 320 es\nprecision highp float;\n\
             layout(early_fragment_tests) in;\n\
             layout(std430, binding = 7) buffer winsys_samples_block { uint winsys_samples; };\n\
             // fragment shader translated from TGSI\n\nout vec4 o;\n\nvoid main()\n{\n    \
             atomicAdd(winsys_samples, uint(bitCount(gl_SampleMaskIn[0])));\n    o = vec4(1.0);\n}\n"
        );
        let discarding = fs.replace("o = vec4(1.0);", "discard;");
        assert!(!count_samples(&discarding, 7)
            .unwrap()
            .contains("early_fragment_tests"));
        assert_eq!(count_samples(&fs.replace("320 es", "300 es"), 7), None);
    }

    #[test]
    fn words_are_whole_identifiers() {
        assert!(has_word("uniform sampler2D s;", "sampler2D"));
        assert!(!has_word("uniform sampler2DArray s;", "sampler2D"));
        assert!(!has_word("uniform isampler2D s;", "sampler2D"));
        assert!(has_word("x = gl_ClipDistance[0];", "gl_ClipDistance"));
    }

    #[test]
    fn header_declares_the_precisions_and_extensions_used() {
        let h = header(
            ES32,
            Processor::Frag,
            330,
            "uniform sampler2DArray a;\nuniform usampler3D b;\nnoperspective in vec4 v;",
        )
        .unwrap();
        assert_eq!(
            h,
            "#version 320 es\n\
             #extension GL_NV_shader_noperspective_interpolation : require\n\
             precision highp float;\nprecision highp int;\n\
             precision highp sampler2DArray;\nprecision highp usampler3D;\n"
        );
    }

    #[test]
    fn missing_versions_and_extensions_are_named() {
        let e = header(ES32, Processor::Frag, 450, "")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("desktop GLSL 4.50 on a GLSL ES 3.20 host"),
            "{e}"
        );
        let es30 = Target::Es {
            version: 300,
            ext: EsExtensions::default(),
        };
        let e = header(es30, Processor::Frag, 400, "")
            .unwrap_err()
            .to_string();
        assert!(e.contains("GLSL 4.00 on a GLSL ES 3.00"), "{e}");
        let e = header(ES32, Processor::Vert, 330, "gl_ClipDistance[0] = 1.0;")
            .unwrap_err()
            .to_string();
        assert!(e.contains("GL_EXT_clip_cull_distance"), "{e}");
    }
}
