//! TGSI to GLSL: turns a parsed [`virgl_proto::tgsi::Shader`] into GLSL source text.
//!
//! This is a pure translation, with no GL: [`crate::gl`] compiles what it gives. Vertex,
//! geometry, fragment and compute shaders are handled (compute and shader memory in the
//! `compute` module); anything else, and any opcode, declaration or property not
//! handled, is an [`Error::UnsupportedTgsi`] naming it and the instruction number.
//!
//! # Shape of the output
//!
//! The GLSL reads like the TGSI it came from: each TGSI instruction becomes one statement,
//! preceded by the instruction as a comment, and registers keep their TGSI names:
//!
//! - `TEMP[n]` is `vec4 tempN`, `ADDR[n]` is `ivec4 addrN`, `IMM[n]` is a constant `immN` of
//!   the immediate's own type (`uvec4` for `UINT32`, with the float reading in a comment);
//! - vertex inputs are `inN` at location `N`, fragment outputs `outN` at their `COLOR` index;
//! - `CONST[d][n]` is an element of a uniform array sized from the declarations, and `SAMP[n]`
//!   a sampler uniform. Both carry the stage as prefix (`vs_const0`, `fs_samp0`), since
//!   uniforms of one name must agree between the stages of a program;
//! - varyings (vertex outputs, fragment inputs) are named after their semantic
//!   (`v_generic0`, `v_color1`, `v_texcoord0`), so the two stages link; `POSITION` is
//!   `gl_Position` or `gl_FragCoord`;
//! - `TEMP[a..b], ARRAY(n)` is one array `vec4 tempA[b - a + 1]`, so `TEMP[ADDR[0].x+c](n)`
//!   can index it;
//! - built-in inputs and outputs that are not `vec4`s are `vec4` variables copied from or to
//!   the built-in: `face`, `pcoord`, `svN` at the top of the body, `psize`, `clipdistN`,
//!   `depth` after it (see the `io` module for every semantic).
//!
//! Registers hold floats. Integer opcodes read them through `floatBitsToUint` and the like
//! and write back through `uintBitsToFloat`, so bits are kept as TGSI keeps them. GLSL ES
//! 1.00, for OpenGL ES 2.0 hosts, has no integer bits: there registers hold values, and the
//! `es100` module says what else differs.
//!
//! Where something must run after the TGSI body (the vertex stage's y flip and clip
//! distances, built-in outputs, `FS_COLOR0_WRITES_ALL_CBUFS` copying colour 0 to the other
//! seven colour outputs), the body is `vs_main` or `fs_main` and `main` calls it, so `RET`
//! is a plain `return`.
//!
//! GLSL 3.30 wants a vertex output and the fragment input it feeds to agree on `flat` or
//! `noperspective`; only the fragment shader says which, so [`translate_pair`] translates the
//! two stages of one program together. It also lets the fragment stage's `COLOR` inputs take
//! the `BCOLOR` the vertex stage writes on back faces ([`TWO_SIDE`]).
//!
//! With a geometry shader ([`translate_program`]), the geometry stage is the one that feeds
//! the fragment stage, and the one that clips, flips y and captures stream output; the vertex
//! stage's varyings become its inputs (the `geometry` module).
//!
//! # GLSL versions
//!
//! A shader is written in GLSL 3.30 unless it uses something newer, and then in the lowest
//! version that has everything it uses: 4.00 for `FMA`, the bit-field opcodes (`IBFE`,
//! `UBFE`, `BFI`, `BREV`, `POPC`, `LSB`, `IMSB`, `UMSB`, the `bits` ops module),
//! `IMUL_HI`/`UMUL_HI`, `TG4` (`textureGather*`), `INTERP_*` (`interpolateAt*`), `SAMPLE`
//! varyings, indirectly addressed samplers (GLSL sampler arrays, `SAMP[ADDR[2].x+n]`) and
//! geometry shader invocations; 4.30 for shader memory and compute shaders; 4.50 for
//! `DDX_FINE`/`DDY_FINE` and `TXQS`. Texel offsets on `TEX`, `TXB`, `TXL`, `TXD`, `TXP` and
//! `TXF` are GLSL 3.30's `*Offset` functions, and must be immediates there.
//!
//! # Not handled yet
//!
//! Each of these is an [`Error::UnsupportedTgsi`]:
//!
//! - tessellation stages; 64-bit types; `HWATOMIC` counters, multisample and raw images,
//!   global memory; shader memory outside the fragment and compute stages; geometry shader
//!   vertex streams other than 0 (guests get one stream: no `TRANSFORM_FEEDBACK3` cap),
//!   `CLIPDIST` and `CLIPVERTEX` inputs, and `PRIMID`, `LAYER` and `VIEWPORT_INDEX` outputs;
//! - indirect addressing of inputs, outputs and temporaries outside a declared array, and of
//!   constant buffers (the second dimension);
//! - `TXQ` of the level count (w); `LODQ`, `TEX2`/`TXB2`/`TXL2` and cube-map arrays,
//!   `SAMPLE*`;
//! - pack/unpack, `FBFETCH`, votes, `CLOCK`; subroutines (`CAL`, `BGNSUB`);
//!   `MUL_ZERO_WINS`;
//! - `STENCIL` and `SAMPLEMASK` outputs; system values other than `INSTANCEID` and
//!   `VERTEXID` (`VERTEXID_NOBASE`, `BASEVERTEX`, `SAMPLEID`, `SAMPLEPOS`, integer `FACE`,
//!   ...); `PRIM_ID`, `LAYER`, `VIEWPORT_INDEX`.
//!
//! State Gallium leaves to the driver and that a program would need variants for is not
//! applied: flat shading of `COLOR` inputs (`flatshade`), alpha test, point sprite
//! replacement of `TEXCOORD` inputs (`sprite_coord_enable`) and colour clamping.

mod compute;
mod decl;
mod es;
mod es100;
pub use decl::{LOD_BIAS, SHADOW_SWIZZLE};
mod geometry;
mod io;
mod ops;
mod regs;
#[cfg(test)]
mod tests;

use std::fmt::Write;

use virgl_proto::ccmd::StreamOutput;
use virgl_proto::tgsi::{Processor, Shader};

use crate::error::{Error, Result};

pub use compute::{image_format, translate_compute};
pub use es::count_samples;
pub use es100::CLIP_VARYINGS;
pub use geometry::{geometry_output_vertices, GEOMETRY_INPUT};
pub use io::{CLIP_PLANES, TWO_SIDE};

/// The uniform of the last stage before the rasterizer (vertex or geometry) the backend sets
/// to -1 when the guest's viewport flips y (Gallium's scale\[1\] < 0), which GL's viewport
/// cannot express.
pub const ADJUST_Y: &str = "winsys_adjust_y";

/// The uniform holding the rasterizer's point size, which the vertex stage writes to
/// `gl_PointSize` on GLSL ES hosts when the guest's shader does not: ES has no fixed point
/// size.
pub const POINT_SIZE: &str = "winsys_point_size";

/// ES 1.00 only: the instance being drawn (an `int` uniform). An OpenGL ES 2.0 host draws
/// instances one at a time, so `SV[INSTANCEID]` reads this.
pub const INSTANCE_ID: &str = "winsys_instance_id";

/// ES 1.00 only: which user clip planes or clip distances the rasterizer enables (`float[8]`,
/// 1.0 or 0.0), read by the fragment stage, which discards what GL would have clipped: GLSL
/// ES 1.00 has no `gl_ClipDistance`.
pub const CLIP_ENABLE: &str = "winsys_clip_enable";

/// ES 1.00 only: the suffix of a sampler's `vec2` uniform holding the width and height of level
/// 0 of the texture bound, for the operations GLSL ES 1.00 has no function for.
pub const SAMPLER_SIZE: &str = "_size";

/// ES 1.00 only: the suffix of a sampler's `int` uniform saying how it compares depth, as
/// `pipe_compare_func` (0 NEVER .. 7 ALWAYS), or -1 when the sampler state does not compare:
/// ES 2.0 has no shadow samplers, so the shader compares.
pub const COMPARE: &str = "_compare";

/// ES 1.00 only: the prefix of the vertex shader's attributes holding the provoking vertex's
/// inputs (`flat_inN`, at location [`FLAT_INPUT_BASE`] + N), from which it computes its flat
/// outputs: GLSL ES 1.00 has no `flat`, so the backend draws independent primitives and feeds
/// each vertex its primitive's provoking vertex as well ([`Program::flat_inputs`]).
pub const FLAT_INPUT: &str = "flat_in";

/// The attribute location of `flat_in0`; vertex shaders with more inputs than this get no
/// flat emulation (their flat outputs are interpolated).
pub const FLAT_INPUT_BASE: u32 = 8;

/// The GLSL dialect to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// Desktop GLSL 3.30, core profile (`#version 330 core`).
    Desktop330,
    /// GLSL ES for an OpenGL ES host: every shader says the host's own `version` (100, 300,
    /// 310 or 320), so features of later desktop versions are there where the host has them.
    /// Version 100 is GLSL ES 1.00, for OpenGL ES 2.0 hosts: no integer bits, `attribute` and
    /// `varying`, `gl_FragColor`/`gl_FragData`, `texture2D` and friends.
    Es {
        version: u32,
        /// The extensions of the host that shaders may enable.
        ext: EsExtensions,
    },
}

/// The GLSL ES extensions a host offers that the translator uses where a desktop GLSL
/// feature has no ES equivalent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EsExtensions {
    /// `GL_EXT_clip_cull_distance`: `gl_ClipDistance`.
    pub clip_cull_distance: bool,
    /// `GL_NV_shader_noperspective_interpolation`: `noperspective` varyings.
    pub noperspective: bool,
    /// `GL_EXT_geometry_shader`: geometry shaders below GLSL ES 3.20.
    pub geometry_shader: bool,
    /// `GL_EXT_texture_buffer`: buffer samplers below GLSL ES 3.20.
    pub texture_buffer: bool,
    /// `GL_EXT_gpu_shader5`: GLSL 4.00's features (gathers with offsets, indexed sampler
    /// arrays, geometry shader invocations) below GLSL ES 3.20.
    pub gpu_shader5: bool,
    /// `GL_OES_shader_multisample_interpolation`: `interpolateAt*` and `sample` varyings
    /// below GLSL ES 3.20.
    pub multisample_interpolation: bool,
    /// GLSL ES 1.00 only: `GL_OES_standard_derivatives` (`dFdx`, `dFdy`, `fwidth`).
    pub standard_derivatives: bool,
    /// GLSL ES 1.00 only: `GL_EXT_draw_buffers` (`gl_FragData[i]` for i > 0).
    pub draw_buffers: bool,
    /// GLSL ES 1.00 only: `GL_EXT_frag_depth` (`gl_FragDepthEXT`).
    pub frag_depth: bool,
    /// GLSL ES 1.00 only: `GL_OES_texture_3D` (`sampler3D`, `texture3D*`).
    pub texture_3d: bool,
    /// GLSL ES 1.00 only: `GL_EXT_shader_texture_lod` (`texture2DLodEXT` in fragment shaders).
    pub shader_texture_lod: bool,
}

impl Target {
    /// The GLSL version shaders that need nothing newer are written in.
    pub fn version(self) -> u32 {
        match self {
            Target::Desktop330 => 330,
            Target::Es { version, .. } => version,
        }
    }

    /// The `#version` line of shaders that need nothing newer.
    pub fn version_line(self) -> String {
        match self {
            Target::Desktop330 => "#version 330 core".into(),
            Target::Es { version: 100, .. } => "#version 100".into(),
            Target::Es { version, .. } => format!("#version {version} es"),
        }
    }

    /// GLSL ES rather than desktop GLSL.
    pub fn is_es(self) -> bool {
        matches!(self, Target::Es { .. })
    }
}

/// Translates `shader` to GLSL source for `target`.
///
/// A vertex shader translated alone gives its varyings no interpolation qualifier; use
/// [`translate_pair`] when the fragment shader it feeds has `flat` or `noperspective` inputs.
pub fn translate(shader: &Shader, target: Target) -> Result<String> {
    Ok(translate_linked(shader, target, &decl::Link::default(), None)?.0)
}

/// Translates a vertex and a fragment shader meant to be linked together, giving each vertex
/// output the interpolation qualifier of the fragment input it feeds, as GLSL 3.30 requires.
pub fn translate_pair(vs: &Shader, fs: &Shader, target: Target) -> Result<(String, String)> {
    let p = translate_program(vs, None, fs, None, false, target)?;
    Ok((p.vertex, p.fragment))
}

/// The shaders of one program, translated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub vertex: String,
    pub geometry: Option<String>,
    pub fragment: String,
    /// The names to pass to `glTransformFeedbackVaryings` (interleaved, `gl_NextBuffer`
    /// between buffers, `gl_SkipComponentsN` for gaps), empty without stream output.
    pub feedback: Vec<String>,
    /// GLSL ES 1.00: the vertex shader reads [`FLAT_INPUT`] attributes for its flat outputs.
    pub flat_inputs: bool,
}

/// Translates a program: [`translate_pair`], with a geometry shader between the two if
/// there is one, plus the stream output `so` of the last stage before the rasterizer.
///
/// Each captured output is copied to a varying `tfoutK` of exactly the captured components
/// before the y flip, so the capture holds what the guest's shader wrote.
///
/// `flatshade` is the rasterizer's: it makes inputs with `COLOR` interpolation flat, so the
/// program is a variant of the bound rasterizer state as well as of its shaders.
pub fn translate_program(
    vs: &Shader,
    gs: Option<&Shader>,
    fs: &Shader,
    so: Option<&StreamOutput>,
    flatshade: bool,
    target: Target,
) -> Result<Program> {
    let stages_ok = vs.processor == Processor::Vert
        && gs.is_none_or(|g| g.processor == Processor::Geom)
        && fs.processor == Processor::Frag;
    if !stages_ok {
        let gs = gs
            .map(|g| format!(" + {}", g.processor))
            .unwrap_or_default();
        return Err(unsupported(
            format!("shaders {}{gs} + {}", vs.processor, fs.processor),
            None,
        ));
    }
    let last = gs.unwrap_or(vs);
    let last_link = decl::Link {
        qualifiers: decl::fragment_qualifiers(fs, flatshade),
        ..Default::default()
    };
    let fs_link = decl::Link {
        back_colors: decl::back_colors(last),
        flatshade,
        // ES refuses to link a fragment input no output feeds; desktop GL reads it as
        // undefined.
        written: target.is_es().then(|| decl::written_varyings(last)),
        clip_distances: decl::clip_distance_count(last),
        ..Default::default()
    };
    let (vertex, geometry, feedback) = match gs {
        Some(gs) => {
            let vs_link = decl::Link {
                feeds_geometry: true,
                ..Default::default()
            };
            let (geometry, feedback) = translate_linked(gs, target, &last_link, so)?;
            let vertex = translate_linked(vs, target, &vs_link, None)?.0;
            (vertex, Some(geometry), feedback)
        }
        None => {
            let (vertex, feedback) = translate_linked(vs, target, &last_link, so)?;
            (vertex, None, feedback)
        }
    };
    Ok(Program {
        vertex,
        geometry,
        fragment: translate_linked(fs, target, &fs_link, None)?.0,
        feedback,
        flat_inputs: gs.is_none() && !es100::flat_varyings(vs, &last_link, target).is_empty(),
    })
}

/// Declarations and copies of the `tfoutK` varyings, and the feedback varying list.
fn stream_output(
    so: &StreamOutput,
    outputs: &std::collections::BTreeMap<u32, String>,
) -> Result<(String, String, Vec<String>)> {
    let mut decls = String::new();
    let mut copies = String::new();
    let mut order: Vec<(usize, &virgl_proto::ccmd::SoOutput)> =
        so.outputs.iter().enumerate().collect();
    order.sort_by_key(|(_, o)| (o.output_buffer, o.dst_offset));
    for (k, o) in &so.outputs.iter().enumerate().collect::<Vec<_>>() {
        let Some(name) = outputs.get(&u32::from(o.register_index)) else {
            return Err(unsupported(
                format!("stream output of undeclared OUT[{}]", o.register_index),
                None,
            ));
        };
        let (start, n) = (
            usize::from(o.start_component),
            usize::from(o.num_components),
        );
        if n == 0 || start + n > 4 || o.stream != 0 {
            return Err(unsupported(
                format!(
                    "stream output {k} (components {start}+{n}, stream {})",
                    o.stream
                ),
                None,
            ));
        }
        let ty = if n == 1 {
            "float".to_string()
        } else {
            format!("vec{n}")
        };
        let _ = writeln!(
            decls,
            "out {ty} tfout{k}; // stream output {k}: OUT[{}]",
            o.register_index
        );
        let _ = writeln!(
            copies,
            "    tfout{k} = {name}.{};",
            &"xyzw"[start..start + n]
        );
    }
    let mut feedback = Vec::new();
    let mut buffer = 0u8;
    let mut cursor = 0u32;
    let skip = |feedback: &mut Vec<String>, mut n: u32| {
        while n > 0 {
            let step = n.min(4);
            feedback.push(format!("gl_SkipComponents{step}"));
            n -= step;
        }
    };
    for (k, o) in order {
        while buffer < o.output_buffer {
            skip(
                &mut feedback,
                so.stride[usize::from(buffer)].saturating_sub(cursor),
            );
            feedback.push("gl_NextBuffer".into());
            buffer += 1;
            cursor = 0;
        }
        let at = u32::from(o.dst_offset);
        if at < cursor {
            return Err(unsupported(
                format!("overlapping stream outputs in buffer {buffer}"),
                None,
            ));
        }
        skip(&mut feedback, at - cursor);
        feedback.push(format!("tfout{k}"));
        cursor = at + u32::from(o.num_components);
    }
    skip(
        &mut feedback,
        so.stride[usize::from(buffer)].saturating_sub(cursor),
    );
    Ok((decls, copies, feedback))
}

fn translate_linked(
    shader: &Shader,
    target: Target,
    link: &decl::Link,
    so: Option<&StreamOutput>,
) -> Result<(String, Vec<String>)> {
    let stage = match shader.processor {
        Processor::Vert | Processor::Geom | Processor::Frag | Processor::Comp => shader.processor,
        p => return Err(unsupported(format!("shader stage {p}"), None)),
    };
    if es100::is_es100(target) {
        if !matches!(stage, Processor::Vert | Processor::Frag) {
            return Err(unsupported(
                format!("{} shader on a GLSL ES 1.00 host", stage_word(stage)),
                None,
            ));
        }
        if so.is_some() {
            return Err(unsupported("stream output on a GLSL ES 1.00 host", None));
        }
    }
    let regs = decl::Declarations::collect(shader, link, target)?;
    let mut body = ops::Body::new(&regs);
    for (i, ins) in shader.instructions().enumerate() {
        if body.finished() {
            return Err(unsupported(
                format!("instruction {} after END (subroutines)", ins.opcode),
                Some(i),
            ));
        }
        body.instruction(i, ins)?;
    }
    let body = body.finish()?;

    let (geometry_version, layouts) = match stage {
        Processor::Geom => regs.geometry_header()?,
        _ => (0, String::new()),
    };
    // The desktop GLSL version the shader needs; GLSL ES hosts map it to theirs.
    let version = [
        330,
        geometry_version,
        regs.memory_version(),
        regs.version(),
        body.version,
    ]
    .into_iter()
    .max()
    .unwrap_or(0);
    let mut out = String::new();
    out.push_str(&layouts);
    out.push_str(&regs.globals());
    out.push_str(&body.helpers);
    let (so_decls, so_copies, feedback) = match so {
        Some(so) if stage != Processor::Frag => stream_output(so, &regs.outputs)?,
        _ => Default::default(),
    };
    out.push_str(&so_decls);
    let rasterized_next = match stage {
        Processor::Vert => !link.feeds_geometry,
        p => p == Processor::Geom,
    };
    if rasterized_next && stage == Processor::Vert && target.is_es() && !regs.writes_point_size() {
        let _ = writeln!(out, "uniform float {POINT_SIZE};");
    }
    if rasterized_next {
        // GL viewports cannot flip y; a guest viewport that does is drawn with y negated here.
        // GLSL ES has no uniform initializers; the backend sets it before every draw.
        match target {
            Target::Es { .. } => writeln!(out, "uniform float {ADJUST_Y};"),
            _ => writeln!(out, "uniform float {ADJUST_Y} = 1.0;"),
        }
        .ok();
    }
    if stage == Processor::Geom {
        // What runs after the body elsewhere runs at each EMIT.
        out.push_str(&geometry::emit_function(&regs, &so_copies));
    }
    // The TGSI body is a function of its own where something must run after it: built-in
    // outputs copied from private variables, and the vertex stage's y flip.
    let wrapped = match stage {
        Processor::Geom => false,
        Processor::Vert => true,
        _ => !regs.epilogue.is_empty(),
    };
    let name = match (wrapped, stage) {
        (false, _) => "main",
        (true, Processor::Vert) => "vs_main",
        (true, _) => "fs_main",
    };
    let _ = write!(out, "\nvoid {name}()\n{{\n");
    out.push_str(&regs.locals());
    out.push_str(&body.text);
    out.push_str("}\n");
    if wrapped {
        let _ = write!(out, "\nvoid main()\n{{\n");
        let inputs: Vec<u32> = regs.inputs.keys().copied().collect();
        if !regs.flat.is_empty() {
            // The provoking vertex's run, for the flat varyings, then the vertex's own.
            for i in &inputs {
                let _ = writeln!(out, "    vin{i} = {FLAT_INPUT}{i};");
            }
            let _ = writeln!(out, "    {name}();");
            for (k, v) in regs.flat.iter().enumerate() {
                let _ = writeln!(out, "    vec4 flat{k} = {v};");
            }
            for i in &inputs {
                let _ = writeln!(out, "    vin{i} = in{i};");
            }
        }
        let _ = writeln!(out, "    {name}();");
        for line in &regs.epilogue {
            let _ = writeln!(out, "    {line}");
        }
        for (k, v) in regs.flat.iter().enumerate() {
            let _ = writeln!(out, "    {v} = flat{k};");
        }
        out.push_str(&so_copies);
        if stage == Processor::Vert && rasterized_next {
            let _ = writeln!(out, "    gl_Position.y *= {ADJUST_Y};");
            if target.is_es() && !regs.writes_point_size() {
                let _ = writeln!(out, "    gl_PointSize = {POINT_SIZE};");
            }
        }
        out.push_str("}\n");
    }
    let head = match target {
        Target::Desktop330 => format!("#version {version} core\n"),
        Target::Es { version: 100, .. } => es100::header(target, stage, version, &out)?,
        Target::Es { .. } => es::header(target, stage, version, &out)?,
    };
    let word = stage_word(stage);
    Ok((
        format!("{head}// {word} shader translated from TGSI\n\n{out}"),
        feedback,
    ))
}

fn stage_word(p: Processor) -> &'static str {
    match p {
        Processor::Vert => "vertex",
        Processor::Geom => "geometry",
        Processor::Frag => "fragment",
        Processor::Comp => "compute",
        _ => "other",
    }
}

/// The error for a construct the translator does not handle.
fn unsupported(what: impl Into<String>, instruction: Option<usize>) -> Error {
    Error::UnsupportedTgsi {
        what: what.into(),
        instruction,
    }
}
