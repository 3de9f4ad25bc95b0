//! GLSL ES 1.00, for OpenGL ES 2.0 hosts (`Target::Es { version: 100, .. }`).
//!
//! A guest that sees such a host (`glsl_level` 120, no integers) sends integer-free TGSI, and
//! the translator writes it with what ES 1.00 has:
//!
//! - registers hold values, not bits: where desktop GLSL reinterprets bits between float and
//!   integer registers (`floatBitsToInt`), ES 1.00 converts numerically (`int(x)`), and `uint`
//!   is spelled `int`. Every opcode that reads or writes integer bits is refused
//!   ([`opcode_refusal`]); `U2F` and `I2F` are value conversions;
//! - `attribute` vertex inputs (`inN`, which the backend binds to location N), `varying`s with
//!   no interpolation qualifier (noperspective inputs interpolate with perspective; flat ones
//!   are computed from the provoking vertex, [`flat_varyings`]), colour
//!   outputs as private `vec4`s copied to `gl_FragColor` or `gl_FragData[i]` after the body,
//!   depth to `gl_FragDepthEXT`;
//! - `SV[INSTANCEID]` reads the [`INSTANCE_ID`] uniform; `SV[VERTEXID]` is refused;
//! - no `gl_ClipDistance`: the vertex stage writes its eight distances (user clip planes or
//!   `CLIPDIST`) to the varyings [`CLIP_VARYINGS`], and the fragment stage discards where an
//!   enabled one ([`CLIP_ENABLE`]) is negative;
//! - `texture2D`, `texture2DProj`, `textureCube`, `texture3D` (with `GL_OES_texture_3D`) and
//!   their `Lod` forms; every sampler's result goes through its swizzle uniform (ES 2.0 has no
//!   `TEXTURE_SWIZZLE`), and shadow targets sample a `sampler2D` or `samplerCube` and compare
//!   in the shader against the [`COMPARE`] uniform (ES 2.0 has no shadow samplers). Level
//!   selection the fragment stage cannot ask for (`TXL`, `TXD` without
//!   `GL_EXT_shader_texture_lod`) is approximated by a bias from the derivatives and the
//!   [`SAMPLER_SIZE`] uniform.

use std::fmt::Write;

use virgl_proto::tgsi::{Opcode, Processor};

use super::es::has_word;
use super::{unsupported, Target, CLIP_ENABLE, COMPARE, INSTANCE_ID, SAMPLER_SIZE};
use crate::error::Result;

/// The two `vec4` varyings carrying the eight clip distances from the vertex to the fragment
/// stage.
pub const CLIP_VARYINGS: [&str; 2] = ["winsys_clipdist0", "winsys_clipdist1"];

/// The flat varyings of a vertex shader that feeds the rasterizer on GLSL ES 1.00, which has
/// no `flat`: the shader then also reads its primitive's provoking vertex's inputs
/// ([`super::FLAT_INPUT`]) and runs its body on them first, keeping those varyings' values, so
/// every vertex of a primitive writes the provoking vertex's (the backend draws independent
/// primitives and feeds the inputs). Empty where that does not apply, or where the inputs
/// would not fit below the attribute limit; such flat varyings interpolate.
pub(super) fn flat_varyings(
    shader: &virgl_proto::tgsi::Shader,
    link: &super::decl::Link,
    target: Target,
) -> Vec<String> {
    use virgl_proto::tgsi::File;
    if !is_es100(target) || shader.processor != Processor::Vert || link.feeds_geometry {
        return Vec::new();
    }
    let mut flat = Vec::new();
    for decl in shader.declarations() {
        let Ok(r) = super::decl::range(decl) else {
            return Vec::new();
        };
        match decl.file {
            File::In if r.end > super::FLAT_INPUT_BASE => return Vec::new(),
            File::Out => {
                let Some(sem) = decl.semantic else { continue };
                for k in 0..r.len() as u32 {
                    let Some(v) = super::decl::varying(sem.name, sem.index + k) else {
                        continue;
                    };
                    if link.qualifiers.get(&v).is_some_and(|q| q.contains("flat")) {
                        flat.push(v);
                    }
                }
            }
            _ => {}
        }
    }
    flat
}

/// Whether `target` is GLSL ES 1.00.
pub(super) fn is_es100(target: Target) -> bool {
    matches!(target, Target::Es { version: 100, .. })
}

/// Opcodes of integer-free TGSI that GLSL ES 1.00 can express.
fn allowed(op: Opcode) -> bool {
    use Opcode as O;
    matches!(
        op,
        O::Arl
            | O::Arr
            | O::Mov
            | O::Lit
            | O::Rcp
            | O::Rsq
            | O::Exp
            | O::Log
            | O::Mul
            | O::Add
            | O::Dp2
            | O::Dp3
            | O::Dp4
            | O::Dph
            | O::Dst
            | O::Min
            | O::Max
            | O::Slt
            | O::Sge
            | O::Sgt
            | O::Sle
            | O::Seq
            | O::Sne
            | O::Mad
            | O::Sub
            | O::Div
            | O::Lrp
            | O::Sqrt
            | O::Frc
            | O::Flr
            | O::Ceil
            | O::Round
            | O::Trunc
            | O::Ex2
            | O::Lg2
            | O::Pow
            | O::Xpd
            | O::Abs
            | O::Ssg
            | O::Cos
            | O::Sin
            | O::Ddx
            | O::Ddy
            | O::Cmp
            | O::I2f
            | O::U2f
            // Integer sums, products and left shifts of values: Mesa's guests compute
            // indirect array indices with UADD and SHL even without integers, on registers
            // that hold whole numbers.
            | O::Uadd
            | O::Umul
            | O::Umad
            | O::Shl
            | O::Tex
            | O::Txp
            | O::Txb
            | O::Txl
            | O::Txd
            | O::If
            | O::Else
            | O::Endif
            | O::Bgnloop
            | O::Endloop
            | O::Brk
            | O::Cont
            | O::Ret
            | O::Kill
            | O::KillIf
            | O::Nop
            | O::End
    )
}

/// Opcodes that read or write integer bits.
fn integer(op: Opcode) -> bool {
    use Opcode as O;
    matches!(
        op,
        O::And
            | O::Or
            | O::Xor
            | O::Not
            | O::Shl
            | O::Ishr
            | O::Ushr
            | O::Uadd
            | O::Umul
            | O::Umad
            | O::Idiv
            | O::Mod
            | O::Udiv
            | O::Umod
            | O::Umin
            | O::Umax
            | O::Imin
            | O::Imax
            | O::Issg
            | O::Iabs
            | O::Ineg
            | O::F2u
            | O::F2i
            | O::Fslt
            | O::Fsge
            | O::Fseq
            | O::Fsne
            | O::Islt
            | O::Isge
            | O::Uslt
            | O::Usge
            | O::Useq
            | O::Usne
            | O::Ucmp
            | O::Uif
            | O::Uarl
            | O::Switch
            | O::Case
            | O::Default
            | O::Endswitch
            | O::Txf
            | O::Txq
            | O::Ibfe
            | O::Ubfe
            | O::Bfi
            | O::Brev
            | O::Popc
            | O::Lsb
            | O::Imsb
            | O::Umsb
            | O::ImulHi
            | O::UmulHi
            | O::Atomuadd
            | O::Atomxchg
            | O::Atomcas
            | O::Atomand
            | O::Atomor
            | O::Atomxor
            | O::Atomumin
            | O::Atomumax
            | O::Atomimin
            | O::Atomimax
    )
}

/// Why GLSL ES 1.00 cannot have `op`, or `None` if it can.
pub(super) fn opcode_refusal(op: Opcode) -> Option<String> {
    if allowed(op) {
        None
    } else if integer(op) {
        Some(format!("opcode {op}: GLSL ES 1.00 has no integer bits"))
    } else {
        Some(format!("opcode {op} on a GLSL ES 1.00 host"))
    }
}

/// The lines before the body of a GLSL ES 1.00 shader: `#version 100`, the extensions `text`
/// uses, and precisions. `desktop` is the desktop GLSL version the shader needs.
pub(super) fn header(target: Target, stage: Processor, desktop: u32, text: &str) -> Result<String> {
    let Target::Es { ext, .. } = target else {
        unreachable!("GLSL ES 1.00 header for a desktop target");
    };
    if desktop > 330 {
        return Err(unsupported(
            format!(
                "features of desktop GLSL {}.{:02} on a GLSL ES 1.00 host",
                desktop / 100,
                desktop % 100
            ),
            None,
        ));
    }
    let mut out = String::from("#version 100\n");
    let mut extension = |used: &[&str], available: bool, name: &str, how: &str| {
        let Some(word) = used.iter().find(|w| has_word(text, w)) else {
            return Ok(());
        };
        if !available {
            return Err(unsupported(
                format!("`{word}` on a GLSL ES 1.00 host without {name}"),
                None,
            ));
        }
        let _ = writeln!(out, "#extension {name} : {how}");
        Ok(())
    };
    extension(
        &["dFdx", "dFdy"],
        ext.standard_derivatives,
        "GL_OES_standard_derivatives",
        "enable",
    )?;
    extension(
        &["gl_FragDepthEXT"],
        ext.frag_depth,
        "GL_EXT_frag_depth",
        "require",
    )?;
    extension(
        &["sampler3D"],
        ext.texture_3d,
        "GL_OES_texture_3D",
        "enable",
    )?;
    extension(
        &[
            "texture2DLodEXT",
            "texture2DProjLodEXT",
            "textureCubeLodEXT",
            "texture2DGradEXT",
            "texture2DProjGradEXT",
            "textureCubeGradEXT",
        ],
        ext.shader_texture_lod,
        "GL_EXT_shader_texture_lod",
        "require",
    )?;
    // Without GL_EXT_draw_buffers only gl_FragData[0] is written (see the `io` module).
    if ext.draw_buffers && has_word(text, "gl_FragData") {
        out.push_str("#extension GL_EXT_draw_buffers : require\n");
    }
    if stage == Processor::Frag {
        // Fragment shaders have no default float precision, and highp is optional there.
        out.push_str(
            "#ifdef GL_FRAGMENT_PRECISION_HIGH\nprecision highp float;\nprecision highp int;\n\
             #else\nprecision mediump float;\nprecision mediump int;\n#endif\n",
        );
    } else {
        out.push_str("precision highp float;\nprecision highp int;\n");
    }
    // sampler2D and samplerCube default to lowp; sampler3D has no default.
    if has_word(text, "sampler3D") {
        out.push_str("precision highp sampler3D;\n");
    }
    Ok(out)
}

/// The GLSL ES 1.00 sampler type of a TGSI texture target, or `None` for those ES 2.0 cannot
/// sample (arrays, multisample, buffers).
pub(super) fn sampler_type(t: virgl_proto::tgsi::Texture) -> Option<&'static str> {
    use virgl_proto::tgsi::Texture as T;
    Some(match t {
        T::D1 | T::D2 | T::Rect | T::Shadow1d | T::Shadow2d | T::ShadowRect => "sampler2D",
        T::D3 => "sampler3D",
        T::Cube | T::ShadowCube => "samplerCube",
        _ => return None,
    })
}

/// Whether a texture target compares depth.
pub(super) fn is_shadow(t: virgl_proto::tgsi::Texture) -> bool {
    use virgl_proto::tgsi::Texture as T;
    matches!(t, T::Shadow1d | T::Shadow2d | T::ShadowRect | T::ShadowCube)
}

/// The per-sampler uniforms of sampler `name` (`fs_samp0`) with target `t`, after the sampler
/// itself: swizzle, size, and for shadow targets the compare function.
pub(super) fn sampler_uniforms(name: &str, t: virgl_proto::tgsi::Texture) -> String {
    let mut s = format!(
        "uniform ivec4 {name}{}; // pipe_swizzle per channel\nuniform vec2 {name}{SAMPLER_SIZE};\n",
        super::decl::SHADOW_SWIZZLE
    );
    if is_shadow(t) {
        let _ = writeln!(
            s,
            "uniform int {name}{COMPARE}; // pipe_compare_func, -1 for none"
        );
    }
    s
}

/// Applies a sampler view's swizzle (`pipe_swizzle` values: 0-3 a channel, 4 zero, 5 one) to a
/// sampled value, without indexing a vector by a variable.
pub(super) const SWIZZLE_FN: &str = "float es_channel(vec4 v, int c)
{
    if (c == 0)
        return v.x;
    if (c == 1)
        return v.y;
    if (c == 2)
        return v.z;
    if (c == 3)
        return v.w;
    return c == 5 ? 1.0 : 0.0;
}

vec4 es_swizzle(vec4 v, ivec4 s)
{
    return vec4(es_channel(v, s.x), es_channel(v, s.y), es_channel(v, s.z), es_channel(v, s.w));
}
";

/// Compares a depth reference with a sampled depth as `pipe_compare_func` `f` says (1.0 where
/// it passes), or gives the depth as sampled for -1. The reference is clamped as GL clamps it
/// for the fixed-point depth formats ES 2.0 has.
pub(super) const COMPARE_FN: &str = "float es_compare(float r, float d, int f)
{
    if (f < 0)
        return d;
    r = clamp(r, 0.0, 1.0);
    if (f == 1)
        return float(r < d);
    if (f == 2)
        return float(r == d);
    if (f == 3)
        return float(r <= d);
    if (f == 4)
        return float(r > d);
    if (f == 5)
        return float(r != d);
    if (f == 6)
        return float(r >= d);
    return float(f == 7);
}
";

/// Rounds half to even, as `roundEven` (absent from GLSL ES 1.00) does.
pub(super) const ROUND_FN: &str = "float es_round(float x)
{
    float r = floor(x + 0.5);
    return (r - x == 0.5 && mod(r, 2.0) != 0.0) ? r - 1.0 : r;
}

vec2 es_round(vec2 x)
{
    return vec2(es_round(x.x), es_round(x.y));
}

vec3 es_round(vec3 x)
{
    return vec3(es_round(x.x), es_round(x.y), es_round(x.z));
}

vec4 es_round(vec4 x)
{
    return vec4(es_round(x.x), es_round(x.y), es_round(x.z), es_round(x.w));
}
";

/// The fragment stage's clip test: discards where an enabled distance is negative.
pub(super) fn clip_test() -> String {
    let e = |k: usize| {
        (4 * k..4 * k + 4)
            .map(|i| format!("{CLIP_ENABLE}[{i}]"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "if (dot(vec4({}), vec4(lessThan({}, vec4(0.0)))) + dot(vec4({}), vec4(lessThan({}, vec4(0.0)))) > 0.0)\n        discard;",
        e(0),
        CLIP_VARYINGS[0],
        e(1),
        CLIP_VARYINGS[1]
    )
}

/// The declarations the fragment stage's clip test needs.
pub(super) fn clip_test_globals() -> Vec<String> {
    vec![
        format!("varying vec4 {};", CLIP_VARYINGS[0]),
        format!("varying vec4 {};", CLIP_VARYINGS[1]),
        format!("uniform float {CLIP_ENABLE}[8];"),
    ]
}

/// The declaration of the instance uniform `SV[INSTANCEID]` reads.
pub(super) fn instance_uniform() -> String {
    format!("uniform int {INSTANCE_ID};")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shader::EsExtensions;

    fn es100(ext: EsExtensions) -> Target {
        Target::Es { version: 100, ext }
    }

    #[test]
    fn fragment_precision_is_guarded_and_extensions_follow_use() {
        let h = header(
            es100(EsExtensions {
                standard_derivatives: true,
                texture_3d: true,
                ..Default::default()
            }),
            Processor::Frag,
            330,
            "uniform sampler3D s;\nx = dFdx(y);",
        )
        .unwrap();
        assert_eq!(
            h,
            "#version 100\n#extension GL_OES_standard_derivatives : enable\n\
             #extension GL_OES_texture_3D : enable\n#ifdef GL_FRAGMENT_PRECISION_HIGH\n\
             precision highp float;\nprecision highp int;\n#else\nprecision mediump float;\n\
             precision mediump int;\n#endif\nprecision highp sampler3D;\n"
        );
        let e = header(
            es100(EsExtensions::default()),
            Processor::Frag,
            330,
            "dFdy(x)",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("GL_OES_standard_derivatives"), "{e}");
        let e = header(es100(EsExtensions::default()), Processor::Vert, 400, "")
            .unwrap_err()
            .to_string();
        assert!(e.contains("GLSL 4.00 on a GLSL ES 1.00 host"), "{e}");
    }

    #[test]
    fn integer_opcodes_are_refused_by_name() {
        assert_eq!(
            opcode_refusal(Opcode::Ushr).unwrap(),
            "opcode USHR: GLSL ES 1.00 has no integer bits"
        );
        // Sums of whole numbers (Mesa's index arithmetic) are values here.
        assert_eq!(opcode_refusal(Opcode::Uadd), None);
        assert!(opcode_refusal(Opcode::Fma).unwrap().contains("FMA"));
        assert_eq!(opcode_refusal(Opcode::Cmp), None);
    }
}
