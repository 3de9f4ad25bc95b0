//! Unit tests of the translator's trickier parts.

use virgl_proto::tgsi::parse;

use super::{translate, translate_pair, Target};
use crate::error::Error;

/// The body lines (no comments) of the GLSL for `tgsi`.
fn body(tgsi: &str) -> Vec<String> {
    let glsl = translate(&parse(tgsi).unwrap(), Target::Desktop330).unwrap();
    // The vertex stage's TGSI body is `vs_main`, which `main` calls before flipping y.
    let main = glsl
        .split_once("void vs_main()\n{\n")
        .or_else(|| glsl.split_once("void main()\n{\n"))
        .unwrap()
        .1;
    let main = main.split("\nvoid main()").next().unwrap();
    main.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with('}'))
        .filter(|l| !l.starts_with("vec4 temp") && !l.starts_with("const "))
        .map(String::from)
        .collect()
}

fn error(tgsi: &str) -> Error {
    translate(&parse(tgsi).unwrap(), Target::Desktop330).unwrap_err()
}

const FRAG: &str = "FRAG\nDCL OUT[0], COLOR\nDCL TEMP[0..1]\nDCL CONST[0..1]\n";

#[test]
fn write_masks_pick_the_swizzle_components_they_write() {
    let b = body(&format!(
        "{FRAG}  0: ADD TEMP[0].yw, TEMP[1].xyzw, CONST[1].wzyx\n  1: MOV TEMP[0].z, TEMP[1].wwww\n  2: END\n"
    ));
    assert_eq!(
        b,
        [
            "temp0.yw = temp1.yw + fs_const0[1].zx;",
            "temp0.z = temp1.w;"
        ]
    );
}

#[test]
fn scalar_opcodes_read_x_and_replicate() {
    let b = body(&format!(
        "{FRAG}  0: RSQ TEMP[0].xz, TEMP[1].yxxx\n  1: DP3 TEMP[0], TEMP[1].zyxw, CONST[0]\n  2: END\n"
    ));
    assert_eq!(
        b,
        [
            "temp0.xz = vec2(inversesqrt(temp1.y));",
            "temp0 = vec4(dot(temp1.zyx, fs_const0[0].xyz));"
        ]
    );
}

#[test]
fn modifiers_and_saturate() {
    let b = body(&format!(
        "{FRAG}  0: MUL_SAT TEMP[0], -|TEMP[1].xxyy|, -CONST[0]\n  1: END\n"
    ));
    assert_eq!(
        b,
        ["temp0 = clamp(-abs(temp1.xxyy) * -fs_const0[0], 0.0, 1.0);"]
    );
}

#[test]
fn integer_opcodes_reinterpret_bits() {
    let b = body(&format!(
        "{FRAG}IMM[0] INT32 {{-1, 2, 3, 4}}\n  0: IMAX TEMP[0].xy, TEMP[1], IMM[0]\n  1: USEQ TEMP[0].x, TEMP[1].xxxx, IMM[0].yyyy\n  2: END\n"
    ));
    assert_eq!(
        b,
        [
            "temp0.xy = intBitsToFloat(max(floatBitsToInt(temp1.xy), imm0.xy));",
            "temp0.x = uintBitsToFloat((floatBitsToUint(temp1.x) == uint(imm0.y) ? 0xffffffffu : 0u));",
        ]
    );
}

#[test]
fn unsupported_opcode_is_named_with_its_instruction() {
    let e = error(&format!(
        "{FRAG}  0: MOV TEMP[0], CONST[0]\n  1: PK2H TEMP[0], TEMP[1]\n  2: END\n"
    ));
    assert!(
        matches!(&e, Error::UnsupportedTgsi { what, instruction: Some(1) } if what == "opcode PK2H"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "TGSI to GLSL: unsupported opcode PK2H at instruction 1"
    );
}

#[test]
fn unsupported_declarations_and_stages_are_errors() {
    let e = error("FRAG\nDCL IN[0], SAMPLEMASK, CONSTANT\n  0: END\n");
    assert!(e.to_string().contains("DCL IN[0], SAMPLEMASK"), "{e}");
    let e = error("FRAG\nDCL OUT[0], STENCIL\n  0: END\n");
    assert!(e.to_string().contains("DCL OUT[0], STENCIL"), "{e}");
    let e = error("FRAG\nDCL SV[0], SAMPLEID\n  0: END\n");
    assert!(e.to_string().contains("DCL SV[0], SAMPLEID"), "{e}");
    let e = error("TESS_CTRL\n  0: END\n");
    assert!(e.to_string().contains("shader stage TESS_CTRL"), "{e}");
    let e = error("GEOM\nPROPERTY GS_INPUT_PRIMITIVE TRIANGLES\n  0: END\n");
    assert!(e.to_string().contains("without GS_OUTPUT_PRIMITIVE"), "{e}");
    let e = error(&format!("{FRAG}  0: MOV TEMP[5], CONST[0]\n  1: END\n"));
    assert!(e.to_string().contains("TEMP[5]"), "{e}");
    let e = error(&format!("{FRAG}  0: MOV TEMP[0], CONST[2]\n  1: END\n"));
    assert!(e.to_string().contains("CONST[2]"), "{e}");
}

#[test]
fn control_flow_nests() {
    let b = body(&format!(
        "{FRAG}  0: BGNLOOP :4\n  1: IF TEMP[0].yyyy :3\n  2: BRK\n  3: ENDIF\n  4: CONT\n  5: ENDLOOP :0\n  6: END\n"
    ));
    assert_eq!(
        b,
        [
            "while (true) {",
            "if (temp0.y != 0.0) {",
            "break;",
            "continue;"
        ]
    );
    let e = error(&format!("{FRAG}  0: ENDIF\n  1: END\n"));
    assert!(e.to_string().contains("ENDIF without"), "{e}");
    let e = error(&format!(
        "{FRAG}  0: BGNLOOP :2\n  1: ENDIF\n  2: ENDLOOP :0\n  3: END\n"
    ));
    assert!(
        e.to_string()
            .contains("ENDIF without its opening at instruction 1"),
        "{e}"
    );
    let e = error(&format!(
        "{FRAG}  0: IF TEMP[0].xxxx :2\n  1: BRK\n  2: ENDIF\n  3: END\n"
    ));
    assert!(e.to_string().contains("BRK outside"), "{e}");
    let e = error(&format!("{FRAG}  0: BGNLOOP :2\n  1: END\n"));
    assert!(e.to_string().contains("END inside a block"), "{e}");
}

#[test]
fn varyings_are_named_by_semantic() {
    let tgsi = "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\nDCL OUT[1], GENERIC[3]\n  0: MOV OUT[0], IN[0]\n  1: MOV OUT[1].xy, IN[0]\n  2: END\n";
    let glsl = translate(&parse(tgsi).unwrap(), Target::Desktop330).unwrap();
    assert!(glsl.contains("layout(location = 0) in vec4 in0;"), "{glsl}");
    assert!(glsl.contains("out vec4 v_generic3; // OUT[1]"), "{glsl}");
    assert_eq!(
        body(tgsi),
        ["gl_Position = in0;", "v_generic3.xy = in0.xy;"]
    );
}

#[test]
fn switch_takes_its_labels_from_immediates() {
    let b = body(&format!(
        "{FRAG}IMM[0] UINT32 {{0, 1, 2, 3}}\n  0: SWITCH TEMP[0].xxxx\n  1: CASE IMM[0].zzzz\n  2: MOV TEMP[1], CONST[0]\n  3: BRK\n  4: DEFAULT\n  5: BRK\n  6: ENDSWITCH\n  7: END\n"
    ));
    assert_eq!(
        b,
        [
            "switch (floatBitsToInt(temp0.x)) {",
            "case 2:",
            "temp1 = fs_const0[0];",
            "break;",
            "default:",
            "break;"
        ]
    );
    let e = error(&format!(
        "{FRAG}  0: SWITCH TEMP[0].xxxx\n  1: CASE TEMP[1].xxxx\n  2: ENDSWITCH\n  3: END\n"
    ));
    assert!(e.to_string().contains("CASE operand TEMP[1]"), "{e}");
}

#[test]
fn huge_declarations_are_refused() {
    let e = error("FRAG\nDCL TEMP[0..100000]\n  0: END\n");
    assert!(e.to_string().contains("DCL TEMP[0..100000]"), "{e}");
}

#[test]
fn colour_inputs_take_the_back_colour_the_vertex_shader_writes() {
    let vs = parse(
        "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\nDCL OUT[1], COLOR\nDCL OUT[2], BCOLOR\n\
         0: MOV OUT[0], IN[0]\n  1: MOV OUT[1], IN[0]\n  2: MOV OUT[2], IN[0]\n  3: END\n",
    )
    .unwrap();
    let fs = parse(
        "FRAG\nDCL IN[0], COLOR, CONSTANT\nDCL OUT[0], COLOR\n  0: MOV OUT[0], IN[0]\n  1: END\n",
    )
    .unwrap();
    let (vs, fs) = translate_pair(&vs, &fs, Target::Desktop330).unwrap();
    assert!(vs.contains("flat out vec4 v_bcolor0;"), "{vs}");
    assert!(fs.contains("flat in vec4 v_bcolor0;"), "{fs}");
    assert!(fs.contains("uniform bool winsys_two_side;"), "{fs}");
    assert!(
        fs.contains("vec4 color0 = winsys_two_side && !gl_FrontFacing ? v_bcolor0 : v_color0;"),
        "{fs}"
    );
    assert!(fs.contains("out0 = color0;"), "{fs}");
}

#[test]
fn fragment_shaders_read_the_clip_distances_the_vertex_shader_wrote() {
    let vs = parse(
        "VERT\nPROPERTY NUM_CLIPDIST_ENABLED 6\nDCL IN[0]\nDCL OUT[0], POSITION\n\
         DCL OUT[1], CLIPDIST\nDCL OUT[2], CLIPDIST[1]\n\
         0: MOV OUT[0], IN[0]\n  1: MOV OUT[1], IN[0]\n  2: MOV OUT[2], IN[0]\n  3: END\n",
    )
    .unwrap();
    let fs = parse(
        "FRAG\nDCL IN[0], CLIPDIST[1], PERSPECTIVE\nDCL OUT[0], COLOR\n  0: MOV OUT[0], IN[0]\n  1: END\n",
    )
    .unwrap();
    let (vs, fs) = translate_pair(&vs, &fs, Target::Desktop330).unwrap();
    assert!(vs.contains("out float gl_ClipDistance[6];"), "{vs}");
    assert!(fs.contains("in float gl_ClipDistance[6];"), "{fs}");
    assert!(
        fs.contains("vec4 clipdistin1 = vec4(gl_ClipDistance[4], gl_ClipDistance[5], 0.0, 0.0);"),
        "{fs}"
    );
}

#[test]
fn es_fragment_inputs_nothing_writes_read_zero() {
    let vs = parse(
        "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\nDCL OUT[1], BCOLOR\n\
         0: MOV OUT[0], IN[0]\n  1: MOV OUT[1], IN[0]\n  2: END\n",
    )
    .unwrap();
    let fs = parse(
        "FRAG\nDCL IN[0], COLOR, PERSPECTIVE\nDCL OUT[0], COLOR\n  0: MOV OUT[0], IN[0]\n  1: END\n",
    )
    .unwrap();
    let es = Target::Es {
        version: 320,
        ext: Default::default(),
    };
    let (_, fs_es) = translate_pair(&vs, &fs, es).unwrap();
    assert!(fs_es.contains("vec4 v_color0 = vec4(0.0);"), "{fs_es}");
    assert!(fs_es.contains("in vec4 v_bcolor0;"), "{fs_es}");
    let (_, fs_gl) = translate_pair(&vs, &fs, Target::Desktop330).unwrap();
    assert!(fs_gl.contains("in vec4 v_color0;"), "{fs_gl}");
}

#[test]
fn indirect_temporaries_must_be_in_a_declared_array() {
    let decls = "FRAG\nDCL OUT[0], COLOR\nDCL TEMP[0..3], ARRAY(1)\nDCL TEMP[4]\nDCL ADDR[0]\n";
    let b = body(&format!(
        "{decls}  0: MOV TEMP[4], TEMP[ADDR[0].x+1](1)\n  1: MOV TEMP[ADDR[0].y-1](1).x, TEMP[2]\n  2: END\n"
    ));
    assert_eq!(
        b[b.len() - 2..],
        [
            "temp4 = temp0[addr0.x + 1];",
            "temp0[addr0.y - 1].x = temp0[2].x;"
        ]
    );
    for operand in ["TEMP[ADDR[0].x+1]", "TEMP[ADDR[0].x+1](2)"] {
        let e = error(&format!("{decls}  0: MOV TEMP[4], {operand}\n  1: END\n"));
        assert!(e.to_string().contains("source TEMP[ADDR[0].x+1]"), "{e}");
    }
}

const GEOM: &str = "GEOM\nPROPERTY GS_INPUT_PRIMITIVE TRIANGLES\n\
    PROPERTY GS_OUTPUT_PRIMITIVE TRIANGLE_STRIP\nPROPERTY GS_MAX_OUTPUT_VERTICES 3\n\
    DCL IN[][0], POSITION\nDCL IN[][1], GENERIC[0]\nDCL OUT[0], POSITION\n\
    DCL OUT[1], GENERIC[0]\nIMM[0] INT32 { 0, 1, 0, 0 }\n";

#[test]
fn geometry_shaders_sit_between_the_vertex_and_fragment_stages() {
    let vs = parse(
        "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\nDCL OUT[1], GENERIC[0]\n\
         0: MOV OUT[0], IN[0]\n  1: MOV OUT[1], IN[0]\n  2: END\n",
    )
    .unwrap();
    let gs = parse(&format!(
        "{GEOM}  0: MOV OUT[0], IN[2][0]\n  1: MOV OUT[1], IN[1][1]\n  2: EMIT IMM[0].xxxx\n  3: END\n"
    ))
    .unwrap();
    let fs = parse(
        "FRAG\nDCL IN[0], GENERIC[0], LINEAR\nDCL OUT[0], COLOR\n  0: MOV OUT[0], IN[0]\n  1: END\n",
    )
    .unwrap();
    let p = super::translate_program(&vs, Some(&gs), &fs, None, false, Target::Desktop330).unwrap();
    // The vertex stage feeds the geometry stage, which clips, flips y and feeds the fragment
    // stage with the qualifiers it asks for.
    assert!(p.vertex.contains("out vec4 vg_generic0;"), "{}", p.vertex);
    assert!(!p.vertex.contains("winsys_adjust_y"), "{}", p.vertex);
    assert!(!p.vertex.contains("gl_ClipDistance"), "{}", p.vertex);
    let g = p.geometry.unwrap();
    assert!(g.contains("in vec4 vg_generic0[];"), "{g}");
    assert!(g.contains("noperspective out vec4 v_generic0;"), "{g}");
    assert!(g.contains("position = gl_in[2].gl_Position;"), "{g}");
    assert!(g.contains("generic0 = vg_generic0[1];"), "{g}");
    assert!(
        g.contains("gl_Position.y *= winsys_adjust_y;\n    EmitVertex();"),
        "{g}"
    );
    assert!(p.fragment.contains("noperspective in vec4 v_generic0;"));
}

#[test]
fn geometry_shader_limits_are_errors() {
    let e = error(&format!("{GEOM}  0: MOV OUT[0], IN[3][0]\n  1: END\n"));
    assert!(e.to_string().contains("vertex out of range"), "{e}");
    let e = error(&format!("{GEOM}  0: EMIT IMM[0].yyyy\n  1: END\n"));
    assert!(e.to_string().contains("vertex stream other than 0"), "{e}");
    let e = error(&format!("{GEOM}  0: EMIT TEMP[0].xxxx\n  1: END\n"));
    assert!(e.to_string().contains("not an immediate"), "{e}");
    let e = error("VERT\nDCL OUT[0], POSITION\n  0: EMIT IMM[0].xxxx\n  1: END\n");
    assert!(e.to_string().contains("EMIT"), "{e}");
}

/// The `#version` line of the GLSL for `tgsi`.
fn version(tgsi: &str) -> String {
    let glsl = translate(&parse(tgsi).unwrap(), Target::Desktop330).unwrap();
    glsl.lines().next().unwrap().to_string()
}

#[test]
fn shaders_get_the_lowest_version_their_opcodes_need() {
    let plain = format!("{FRAG}  0: MAD OUT[0], TEMP[0], TEMP[1], CONST[0]\n  1: END\n");
    assert_eq!(version(&plain), "#version 330 core");
    for op in [
        "FMA TEMP[0], TEMP[0], TEMP[1], CONST[0]",
        "BREV TEMP[0], TEMP[1]",
    ] {
        let s = format!("{FRAG}  0: {op}\n  1: END\n");
        assert_eq!(version(&s), "#version 400 core", "{op}");
    }
    let fine = format!("{FRAG}  0: DDX_FINE TEMP[0], TEMP[1]\n  1: END\n");
    assert_eq!(version(&fine), "#version 450 core");
}

#[test]
fn bit_field_opcodes_take_scalar_offsets_and_counts() {
    let b = body(&format!(
        "{FRAG}  0: UBFE TEMP[0].xy, TEMP[1], CONST[0].xyyy, CONST[0].zwww\n  1: END\n"
    ));
    assert_eq!(
        b,
        ["temp0.xy = uintBitsToFloat(uvec2(\
            bitfieldExtract(floatBitsToUint(temp1.x), floatBitsToInt(fs_const0[0].x), floatBitsToInt(fs_const0[0].z)), \
            bitfieldExtract(floatBitsToUint(temp1.y), floatBitsToInt(fs_const0[0].y), floatBitsToInt(fs_const0[0].w))));"]
    );
    let b = body(&format!(
        "{FRAG}  0: UMSB TEMP[0].z, TEMP[1].yyyy\n  1: END\n"
    ));
    assert_eq!(
        b,
        ["temp0.z = intBitsToFloat(findMSB(floatBitsToUint(temp1.y)));"]
    );
}

const GATHER: &str = "FRAG\nDCL IN[0], GENERIC[0], PERSPECTIVE\nDCL OUT[0], COLOR\n\
    DCL SAMP[0]\nDCL SVIEW[0], 2D, FLOAT\nDCL TEMP[0]\nIMM[0] UINT32 {2, 1, 0, 0}\n";

#[test]
fn gathers_take_a_constant_component_and_texel_offsets() {
    let b = body(&format!(
        "{GATHER}  0: TG4 TEMP[0], IN[0], IMM[0].xxxx, SAMP[0], 2D, IMM[0].xyz\n  1: END\n"
    ));
    assert_eq!(
        b,
        ["temp0 = textureGatherOffset(fs_samp0, v_generic0.xy, ivec2(imm0.xy), 2);"]
    );
    let e = error(&format!(
        "{GATHER}  0: TG4 TEMP[0], IN[0], TEMP[0].xxxx, SAMP[0], 2D\n  1: END\n"
    ));
    assert!(e.to_string().contains("not an immediate"), "{e}");
    // GLSL wants sampling offsets to be constant expressions.
    let e = error(&format!(
        "{GATHER}  0: TEX TEMP[0], IN[0], SAMP[0], 2D, TEMP[0].xyz\n  1: END\n"
    ));
    assert!(
        e.to_string().contains("offset that is not an immediate"),
        "{e}"
    );
    let b = body(&format!(
        "{GATHER}  0: TXL TEMP[0].x, IN[0], SAMP[0], 2D, IMM[0].yxz\n  1: END\n"
    ));
    assert_eq!(
        b,
        ["temp0.x = textureLodOffset(fs_samp0, v_generic0.xy, v_generic0.w, ivec2(imm0.yx)).x;"]
    );
}

#[test]
fn indirect_samplers_index_the_run_of_samplers_of_their_type() {
    let tgsi = "FRAG\nDCL IN[0], GENERIC[0], PERSPECTIVE\nDCL OUT[0], COLOR\n\
        DCL SAMP[0..2]\nDCL SVIEW[0..1], 2D, FLOAT\nDCL SVIEW[2], 2D, UINT\nDCL TEMP[0]\n\
        DCL ADDR[2]\n  0: UARL ADDR[2].x, IN[0].wwww\n\
          1: TEX OUT[0], IN[0], SAMP[ADDR[2].x+1], 2D\n  2: END\n";
    let glsl = translate(&parse(tgsi).unwrap(), Target::Desktop330).unwrap();
    assert!(glsl.starts_with("#version 400 core\n"), "{glsl}");
    assert!(glsl.contains("uniform sampler2D fs_samp0[2];"), "{glsl}");
    assert!(glsl.contains("uniform usampler2D fs_samp2;"), "{glsl}");
    assert!(
        glsl.contains("out0 = texture(fs_samp0[addr2.x + 1], v_generic0.xy);"),
        "{glsl}"
    );
}

#[test]
fn per_sample_inputs_make_the_output_feeding_them_per_sample() {
    let vs = parse(
        "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\nDCL OUT[1], GENERIC[0]\n\
         0: MOV OUT[0], IN[0]\n  1: MOV OUT[1], IN[0]\n  2: END\n",
    )
    .unwrap();
    let fs = parse(
        "FRAG\nDCL IN[0], GENERIC[0], PERSPECTIVE, SAMPLE\nDCL OUT[0], COLOR\n\
         0: MOV OUT[0], IN[0]\n  1: END\n",
    )
    .unwrap();
    let (v, f) = translate_pair(&vs, &fs, Target::Desktop330).unwrap();
    assert!(v.starts_with("#version 400 core\n"), "{v}");
    assert!(v.contains("sample out vec4 v_generic0;"), "{v}");
    assert!(f.starts_with("#version 400 core\n"), "{f}");
    assert!(f.contains("sample in vec4 v_generic0;"), "{f}");
}

#[test]
fn interpolation_opcodes_name_the_varying() {
    let b = body(
        "FRAG\nDCL IN[0], GENERIC[3], PERSPECTIVE\nDCL OUT[0], COLOR\nDCL CONST[0]\n\
           0: INTERP_OFFSET OUT[0].xy, IN[0].wzzz, CONST[0].xyyy\n  1: END\n",
    );
    assert_eq!(
        b,
        ["out0.xy = interpolateAtOffset(v_generic3, fs_const0[0].xy).wz;"]
    );
    let e = error(
        "FRAG\nDCL IN[0], POSITION\nDCL OUT[0], COLOR\n  0: INTERP_CENTROID OUT[0], IN[0]\n  1: END\n",
    );
    assert!(e.to_string().contains("not a varying"), "{e}");
}

#[test]
fn kill_if_reads_its_source_swizzle() {
    let b = body(&format!("{FRAG}  0: KILL_IF -TEMP[1].xyxy\n  1: END\n"));
    assert_eq!(b, ["if (any(lessThan(-temp1.xyxy, vec4(0.0)))) discard;"]);
}

/// GLSL ES 1.00 with the extensions of `ext`.
fn es100(ext: super::EsExtensions) -> Target {
    Target::Es { version: 100, ext }
}

/// Mesa's ES 2.0 context: everything but `GL_EXT_shader_texture_lod`.
fn mesa_es2() -> Target {
    es100(super::EsExtensions {
        standard_derivatives: true,
        draw_buffers: true,
        frag_depth: true,
        texture_3d: true,
        ..Default::default()
    })
}

fn es100_error(tgsi: &str, target: Target) -> String {
    translate(&parse(tgsi).unwrap(), target)
        .unwrap_err()
        .to_string()
}

#[test]
fn es100_refuses_what_ends_up_needing_an_extension_it_lacks() {
    let none = es100(super::EsExtensions::default());
    let mrt = "FRAG\nDCL OUT[0], COLOR\nDCL OUT[1], COLOR[1]\n  0: MOV OUT[1], OUT[0]\n  1: END\n";
    assert!(es100_error(mrt, none)
        .contains("COLOR[1] output on a GLSL ES 1.00 host without GL_EXT_draw_buffers"));
    let depth = "FRAG\nDCL OUT[0], POSITION\n  0: END\n";
    assert!(es100_error(depth, none).contains("GL_EXT_frag_depth"));
    let ddx = format!("{FRAG}  0: DDX TEMP[0], TEMP[1]\n  1: END\n");
    assert!(es100_error(&ddx, none)
        .contains("`dFdx` on a GLSL ES 1.00 host without GL_OES_standard_derivatives"));
    let cube3d = "FRAG\nDCL SAMP[0]\nDCL SVIEW[0], 3D, FLOAT\nDCL TEMP[0]\n  0: TEX TEMP[0], TEMP[0], SAMP[0], 3D\n  1: END\n";
    assert!(es100_error(cube3d, none).contains("GL_OES_texture_3D"));
    let array = "FRAG\nDCL SAMP[0]\nDCL SVIEW[0], 2D_ARRAY, FLOAT\nDCL TEMP[0]\n  0: TEX TEMP[0], TEMP[0], SAMP[0], 2D_ARRAY\n  1: END\n";
    assert!(es100_error(array, mesa_es2())
        .contains("TEX with texture target 2D_ARRAY on a GLSL ES 1.00 host"));
    let vertex_id = "VERT\nDCL SV[0], VERTEXID\n  0: END\n";
    assert!(es100_error(vertex_id, mesa_es2()).contains("VERTEXID"));
    let shr = format!("{FRAG}  0: USHR TEMP[0], TEMP[1], TEMP[1]\n  1: END\n");
    assert!(es100_error(&shr, mesa_es2())
        .contains("opcode USHR: GLSL ES 1.00 has no integer bits at instruction 0"));
    let u2f = format!("{FRAG}IMM[0] UINT32 {{1, 2, 3, 4}}\n  0: U2F TEMP[0], IMM[0]\n  1: END\n");
    assert!(es100_error(&u2f, mesa_es2()).contains("U2F of an immediate"));
}

/// glmark2's `ideas` scene through Mesa's virgl guest without integers: the index of an
/// indirect temporary is a loop counter (a float) plus an immediate 0 by UADD.
#[test]
fn es100_adds_indices_as_values() {
    let tgsi = format!(
        "{FRAG}DCL ADDR[0]\nIMM[0] FLT32 {{0x00000000, 0x3f800000, 0, 0}}\n\
         0: UADD TEMP[0].x, IMM[0].xxxx, TEMP[1].xxxx\n  1: ARL ADDR[0].x, TEMP[0].xxxx\n  2: END\n"
    );
    let glsl = translate(&parse(&tgsi).unwrap(), mesa_es2()).unwrap();
    assert!(glsl.contains("int(imm0.x) + int(temp1.x)"), "{glsl}");
    // piglit's variable-indexing through the same guest: a matrix column is index << 1.
    let tgsi = format!(
        "{FRAG}DCL ADDR[0]\nIMM[0] FLT32 {{0x3f800000, 0, 0, 0}}\n\
         0: SHL TEMP[0].xy, TEMP[1].xyyy, IMM[0].xxxx\n  1: END\n"
    );
    let glsl = translate(&parse(&tgsi).unwrap(), mesa_es2()).unwrap();
    assert!(
        glsl.contains("ivec2(temp1.xy) * ivec2(exp2(vec2(ivec2(imm0.xx))))"),
        "{glsl}"
    );
}

#[test]
fn es100_converts_values_and_computes_non_finite_immediates() {
    let tgsi = format!(
        "{FRAG}DCL ADDR[0]\nIMM[0] FLT32 {{0x7f800000, 0xff800000, 0x7fc00000, 1.0}}\nIMM[1] UINT32 {{1065353216, 0, 0, 0}}\n\
         0: ARL ADDR[0].x, TEMP[1].xxxx\n  1: MOV TEMP[0], ADDR[0]\n  2: ADD TEMP[0], IMM[0], IMM[1]\n  3: END\n"
    );
    let glsl = translate(&parse(&tgsi).unwrap(), mesa_es2()).unwrap();
    for want in [
        "vec4 imm0 = vec4(1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0, 1.0);",
        "const vec4 imm1 = vec4(1.0, 0.0, 0.0, 0.0); // UINT32 {1065353216, 0, 0, 0}",
        "addr0.x = int(floor(temp1.x));",
        "temp0 = vec4(addr0);",
    ] {
        assert!(glsl.contains(want), "{want}\n{glsl}");
    }
    assert!(!glsl.contains("const vec4 imm0"), "{glsl}");
}

#[test]
fn es100_fragment_stage_discards_what_the_clip_distances_clip() {
    let vs =
        parse("VERT\nDCL IN[0]\nDCL OUT[0], POSITION\n  0: MOV OUT[0], IN[0]\n  1: END\n").unwrap();
    let fs = parse("FRAG\nDCL OUT[0], COLOR\n  0: END\n").unwrap();
    let (v, f) = translate_pair(&vs, &fs, mesa_es2()).unwrap();
    assert!(
        v.contains("winsys_clipdist1 = vec4(dot(winsys_clip_planes[4], gl_Position)"),
        "{v}"
    );
    assert!(f.contains("uniform float winsys_clip_enable[8];"), "{f}");
    assert!(f.contains("varying vec4 winsys_clipdist0;"), "{f}");
    assert!(
        f.contains("vec4(lessThan(winsys_clipdist1, vec4(0.0)))) > 0.0)\n        discard;"),
        "{f}"
    );
    // A vertex stage that may not clip feeds no distances.
    let vs = parse("VERT\nPROPERTY VS_PROHIBIT_UCPS 1\nDCL IN[0]\nDCL OUT[0], POSITION\n  0: MOV OUT[0], IN[0]\n  1: END\n").unwrap();
    let (v, f) = translate_pair(&vs, &fs, mesa_es2()).unwrap();
    assert!(
        !v.contains("winsys_clipdist") && !f.contains("winsys_clip"),
        "{v}{f}"
    );
}

#[test]
fn es100_fragment_lod_is_exact_with_shader_texture_lod() {
    let tgsi = "FRAG\nDCL SAMP[0]\nDCL SVIEW[0], 2D, FLOAT\nDCL TEMP[0]\n  0: TXL TEMP[0], TEMP[0], SAMP[0], 2D\n  1: END\n";
    let lod = es100(super::EsExtensions {
        shader_texture_lod: true,
        ..Default::default()
    });
    let glsl = translate(&parse(tgsi).unwrap(), lod).unwrap();
    assert!(
        glsl.contains("#extension GL_EXT_shader_texture_lod : require"),
        "{glsl}"
    );
    assert!(
        glsl.contains("texture2DLodEXT(fs_samp0, temp0.xy, temp0.w + fs_samp0_lodbias)"),
        "{glsl}"
    );
    // Neither the extension nor derivatives: the implicit level.
    let none = es100(super::EsExtensions::default());
    let glsl = translate(&parse(tgsi).unwrap(), none).unwrap();
    assert!(
        glsl.contains("texture2D(fs_samp0, temp0.xy, fs_samp0_lodbias)"),
        "{glsl}"
    );
}
