use proptest::prelude::*;
use rstest::rstest;

use super::*;
use crate::format::Format;
use crate::Error;

const MESA_FS: &str = "FRAG
PROPERTY FS_COLOR0_WRITES_ALL_CBUFS 1
DCL IN[0], GENERIC[0], PERSPECTIVE
DCL OUT[0], COLOR
DCL SAMP[0]
DCL SVIEW[0], 2D, FLOAT
DCL CONST[0..2]
DCL CONST[1][0..3]
DCL TEMP[0..5], LOCAL
DCL ADDR[0]
IMM[0] FLT32 {0x3f800000, 0x00000000, 0xbf800000, 0x3f000000}
IMM[1] UINT32 {3212836864, 0, 1065353216, 0}
IMM[2] INT32 {-1, 2, 0, 0}
  0: MAX TEMP[0], CONST[0], -CONST[0]
  1: MAD_SAT TEMP[1].xy, |CONST[2]|, IMM[0].xxxx, TEMP[0]
  2: ARL ADDR[0].x, TEMP[1].xxxx
  3: MOV TEMP[2], CONST[ADDR[0].x+1]
  4: MOV TEMP[3], CONST[1][ADDR[0].x-2]
  5: TEX TEMP[4], IN[0], SAMP[0], 2D
  6: IF TEMP[4].xxxx :8
  7:   MOV OUT[0], TEMP[4]
  8: ENDIF
  9: END
";

#[test]
fn mesa_text_prints_back_unchanged() {
    let s = parse(MESA_FS).unwrap();
    assert_eq!(s.to_string(), MESA_FS);
}

#[test]
fn parses_mesa_text_into_typed_items() {
    let s = parse(MESA_FS).unwrap();
    assert_eq!(s.processor, Processor::Frag);
    assert_eq!(
        s.items[0],
        Item::Property(Property {
            name: PropertyName::FsColor0WritesAllCbufs,
            value: PropertyValue::Uint(1)
        })
    );
    let decls: Vec<&Declaration> = s.declarations().collect();
    assert_eq!(decls.len(), 8);
    assert_eq!(
        decls[0].semantic,
        Some(Semantic {
            name: SemanticName::Generic,
            index: 0
        })
    );
    assert_eq!(decls[0].interpolate, Some(Interpolate::Perspective));
    assert_eq!(
        decls[3].resource,
        Some(Resource::SamplerView {
            target: Texture::D2,
            return_types: [ReturnType::Float; 4]
        })
    );
    assert_eq!(decls[5].dimension, Some(Bracket::one(1)));
    assert_eq!(decls[5].range, Bracket::Range { first: 0, last: 3 });
    assert!(decls[6].local);

    let imms: Vec<&Immediate> = s.immediates().collect();
    assert_eq!(
        *imms[0],
        Immediate::f32([1.0, 0.0, -1.0, 0.5]),
        "hex floats are bits"
    );
    assert_eq!(*imms[2], Immediate::Int32([-1, 2, 0, 0]));

    let insts: Vec<&Instruction> = s.instructions().collect();
    assert_eq!(insts.len(), 10);
    let mad = insts[1];
    assert_eq!(mad.opcode, Opcode::Mad);
    assert!(mad.saturate);
    assert_eq!(mad.dst[0].mask, WriteMask::X | WriteMask::Y);
    assert!(mad.src[0].absolute);
    assert_eq!(mad.src[1].swizzle, [Component::X; 4]);
    assert!(insts[0].src[1].negate);
    assert_eq!(
        insts[3].src[0].index,
        Index::Indirect(Indirect {
            file: File::Addr,
            index: 0,
            component: Component::X,
            offset: 1,
            array_id: 0
        })
    );
    assert_eq!(insts[4].src[0].dimension, Some(Index::Direct(1)));
    let Index::Indirect(ind) = insts[4].src[0].index else {
        panic!("{:?}", insts[4])
    };
    assert_eq!(ind.offset, -2);
    assert_eq!(insts[5].texture, Some(Texture::D2));
    assert_eq!(insts[6].label, Some(8));
    assert!(insts[6].dst.is_empty());
    assert_eq!(insts[9].opcode, Opcode::End);
}

#[test]
fn names_and_swizzles_ignore_case_as_the_host_does() {
    let lower = "frag\ndcl out[0], color\n  0: mov_sat out[0].XW, in[0].XyZw\n  1: end\n";
    let upper = "FRAG\nDCL OUT[0], COLOR\n  0: MOV_SAT OUT[0].xw, IN[0]\n  1: END\n";
    assert_eq!(parse(lower).unwrap(), parse(upper).unwrap());
    assert_eq!(parse(lower).unwrap().to_string(), upper);
}

#[test]
fn items_need_whitespace_between_them_not_lines() {
    let one_line = "VERT DCL TEMP[0] MOV TEMP[0], TEMP[0] END";
    let s = parse(one_line).unwrap();
    assert_eq!(
        s.to_string(),
        "VERT\nDCL TEMP[0]\n  0: MOV TEMP[0], TEMP[0]\n  1: END\n"
    );
    // The host reads a C string: whatever follows a NUL is not part of the shader.
    assert_eq!(parse(&format!("{one_line}\0 garbage")).unwrap(), s);
}

#[test]
fn fbfetch_has_a_destination() {
    let info = Opcode::Fbfetch.info();
    assert_eq!((info.num_dst, info.num_src), (1, 1));
    let s = parse("FRAG\nDCL OUT[0], COLOR\n  0: FBFETCH OUT[0], OUT[0]\n  1: END\n").unwrap();
    let i = s.instructions().next().unwrap();
    assert_eq!(i.dst, vec![Dst::reg(File::Out, 0)]);
    assert_eq!(i.src, vec![Src::reg(File::Out, 0)]);
}

/// Spot checks of the opcode table against the upstream headers.
#[rstest]
// virglrenderer src/gallium/include/pipe/p_shader_tokens.h:374 `TGSI_OPCODE_MOV` (enum value 1);
// Mesa src/gallium/auxiliary/tgsi/tgsi_info_opcodes.h:2 `OPCODE(1, 1, COMP, MOV)`.
#[case::mov(Opcode::Mov, 1, Some(1), 1, 1, OutputMode::Componentwise)]
// p_shader_tokens.h:416 (43); tgsi_info_opcodes.h:53 `OPCODE(1, 2, OTHR, TEX, .is_tex = 1)`.
#[case::tex(Opcode::Tex, 43, Some(52), 1, 2, OutputMode::Other)]
// p_shader_tokens.h:430 (57); tgsi_info_opcodes.h:70 `OPCODE(1, 1, OTHR, FBFETCH)`.
#[case::fbfetch(Opcode::Fbfetch, 57, Some(69), 1, 1, OutputMode::Other)]
// p_shader_tokens.h:474 (98); tgsi_info_opcodes.h:118 `OPCODE(0, 0, NONE, END)`.
#[case::end(Opcode::End, 98, Some(117), 0, 0, OutputMode::NoResult)]
// p_shader_tokens.h:504 (126); tgsi_info_opcodes.h:147 `OPCODE(1, 3, OTHR, SAMPLE)`.
#[case::sample(Opcode::Sample, 126, Some(145), 1, 3, OutputMode::Other)]
// p_shader_tokens.h:535 (154); tgsi_info_opcodes.h:179 `OPCODE(1, 3, OTHR, ATOMIMAX, ...)`.
#[case::atomimax(Opcode::Atomimax, 154, Some(176), 1, 3, OutputMode::Other)]
// p_shader_tokens.h:580 (190), virglrenderer tgsi_info.c `{ 2, 1, ... "DFRACEXP" }`; gone from Mesa.
#[case::dfracexp(Opcode::Dfracexp, 190, None, 2, 1, OutputMode::Componentwise)]
// p_shader_tokens.h:627 (234), the last; tgsi_info_opcodes.h:52 `OPCODE(1, 1, COMP, U642D)`.
#[case::u642d(Opcode::U642d, 234, Some(51), 1, 1, OutputMode::Componentwise)]
fn opcode_table_matches_upstream(
    #[case] op: Opcode,
    #[case] virgl: u16,
    #[case] mesa: Option<u16>,
    #[case] dst: u8,
    #[case] src: u8,
    #[case] output: OutputMode,
) {
    let info = op.info();
    assert_eq!(
        (
            info.virgl,
            info.mesa,
            info.num_dst,
            info.num_src,
            info.output
        ),
        (virgl, mesa, dst, src, output)
    );
    assert_eq!(Opcode::from_virgl(virgl), Some(op));
    if let Some(m) = mesa {
        assert_eq!(Opcode::from_mesa(m), Some(op));
    }
    assert_eq!(Opcode::from_name(info.name), Some(op));
}

#[test]
fn opcode_table_is_dense_and_flags_agree() {
    assert_eq!(Opcode::ALL.len(), 235, "TGSI_OPCODE_LAST in virglrenderer");
    for (i, op) in Opcode::ALL.iter().enumerate() {
        assert_eq!(usize::from(op.info().virgl), i, "{op}");
    }
    let branches: Vec<Opcode> = Opcode::ALL
        .iter()
        .copied()
        .filter(|o| o.info().is_branch)
        .collect();
    use Opcode::*;
    assert_eq!(branches, vec![Cal, If, Uif, Else, Bgnloop, Endloop]);
    let memory: Vec<Opcode> = Opcode::ALL
        .iter()
        .copied()
        .filter(|o| o.is_memory())
        .collect();
    assert_eq!(memory.len(), 13, "{memory:?}");
    assert!(!Barrier.is_memory() && Resq.is_memory() && Load.is_memory());
    assert!(Sample.has_texture() && Gather4.has_texture() && !Sviewinfo.has_texture());
    // Mesa opcodes the host does not know are not in the table.
    for name in ["DEMOTE", "READ_HELPER", "LDEXP", "ATOMFADD", "LOD"] {
        assert_eq!(Opcode::from_name(name), None, "{name}");
    }
}

#[test]
fn name_tables_round_trip() {
    for s in SemanticName::ALL {
        assert_eq!(SemanticName::from_name(s.name()), Some(*s));
        assert_eq!(SemanticName::from_number(s.number()), Some(*s));
    }
    assert_eq!(SemanticName::ALL.len(), 48, "TGSI_SEMANTIC_COUNT");
    assert_eq!(PropertyName::ALL.len(), 29, "TGSI_PROPERTY_COUNT");
    assert_eq!(Texture::ALL.len(), 19, "TGSI_TEXTURE_COUNT");
    assert_eq!(File::from_name("sv"), Some(File::Sv));
    assert_eq!(File::Sv.number(), 9, "virglrenderer keeps PRED at 8");
    assert_eq!(
        Texture::from_name("2D_ARRAY_MSAA"),
        Some(Texture::Msaa2dArray)
    );
    assert_eq!(
        PropertyName::GsInputPrimitive.kind(),
        PropertyKind::Primitive
    );
}

/// Text the host rejects, with where the error points and what its message names.
#[rstest]
#[case::empty("", 1, 1, "expected a header")]
#[case::unknown_header("PIXEL\n", 1, 1, "`PIXEL`")]
#[case::unknown_opcode(
    "VERT\nDCL TEMP[0..1]\n  0: FOO TEMP[0], TEMP[1]\n  1: END\n",
    3,
    6,
    "unknown opcode `FOO`"
)]
#[case::mov_without_source(
    "VERT\nDCL TEMP[0..1]\n  0: MOV TEMP[0]\n  1: END\n",
    3,
    17,
    "MOV takes 1 destination and 1 source"
)]
#[case::mad_with_one_source(
    "VERT\nDCL TEMP[0..1]\n  0: MAD TEMP[0], TEMP[1]\n  1: END\n",
    3,
    26,
    "MAD takes 1 destination and 3 sources"
)]
#[case::too_many_operands(
    "VERT\nDCL TEMP[0..1]\n  0: MOV TEMP[0], TEMP[1], TEMP[1]\n  1: END\n",
    3,
    26,
    "too many operands"
)]
#[case::tex_without_target(
    "FRAG\nDCL IN[0]\nDCL SAMP[0]\nDCL TEMP[0]\n  0: TEX TEMP[0], IN[0], SAMP[0]\n  1: END\n",
    5,
    33,
    "and a texture target"
)]
#[case::unknown_target("FRAG\nDCL IN[0]\nDCL SAMP[0]\nDCL TEMP[0]\n  0: TEX TEMP[0], IN[0], SAMP[0], NOTATARGET\n  1: END\n", 5, 35, "unknown texture target `NOTATARGET`")]
#[case::unknown_property(
    "FRAG\nPROPERTY NOT_A_PROPERTY 7\n  0: END\n",
    2,
    10,
    "unknown property `NOT_A_PROPERTY`"
)]
#[case::property_without_value(
    "FRAG\nPROPERTY FS_COLOR0_WRITES_ALL_CBUFS\nEND\n",
    3,
    1,
    "FS_COLOR0_WRITES_ALL_CBUFS's value"
)]
#[case::bad_coord_origin(
    "FRAG\nPROPERTY FS_COORD_ORIGIN MIDDLE\n  0: END\n",
    2,
    26,
    "found `MIDDLE`"
)]
#[case::unknown_primitive(
    "GEOM\nPROPERTY GS_INPUT_PRIMITIVE HEXAGONS\n  0: END\n",
    2,
    29,
    "unknown primitive `HEXAGONS`"
)]
#[case::two_letter_swizzle(
    "VERT\nDCL TEMP[0..1]\n  0: MOV TEMP[0], TEMP[1].xy\n  1: END\n",
    3,
    29,
    "a swizzle has 4 components"
)]
#[case::five_letter_swizzle(
    "VERT\nDCL TEMP[0..1]\n  0: MOV TEMP[0], TEMP[1].xyzwx\n  1: END\n",
    3,
    31,
    "found more"
)]
#[case::bad_swizzle_letter(
    "VERT\nDCL TEMP[0..1]\n  0: MOV TEMP[0], TEMP[1].xq\n  1: END\n",
    3,
    28,
    "found `q`"
)]
#[case::mask_out_of_order(
    "VERT\nDCL TEMP[0..1]\n  0: MOV TEMP[0].yx, TEMP[1]\n  1: END\n",
    3,
    19,
    "xyzw order"
)]
#[case::missing_end("VERT\nDCL TEMP[0]\n  0: MOV TEMP[0], TEMP[0]\n", 3, 26, "missing END")]
#[case::second_end("VERT\n  0: END\n  1: END\n", 3, 3, "a second END")]
#[case::declaration_after_instruction(
    "VERT\nDCL TEMP[0]\n  0: MOV TEMP[0], TEMP[0]\nDCL TEMP[1]\n  1: END\n",
    4,
    1,
    "declaration after the first instruction"
)]
#[case::immediate_after_instruction(
    "VERT\n  0: NOP\nIMM[0] UINT32 {0, 0, 0, 0}\n  1: END\n",
    3,
    1,
    "immediate after the first instruction"
)]
#[case::unsorted_immediates(
    "VERT\nIMM[0] UINT32 {0, 0, 0, 0}\nIMM[2] UINT32 {0, 0, 0, 0}\n  0: END\n",
    3,
    5,
    "numbered 2 where 1 was due"
)]
#[case::immediate_from_one(
    "VERT\nIMM[1] UINT32 {0, 0, 0, 0}\n  0: END\n",
    2,
    5,
    "numbered 1 where 0 was due"
)]
#[case::three_values(
    "VERT\nIMM[0] FLT32 {0x3f800000, 0x00000000, 0x00000000}\n  0: END\n",
    2,
    49,
    "a FLT32 immediate has 4 values"
)]
#[case::five_values(
    "VERT\nIMM[0] UINT32 {0, 0, 0, 0, 0}\n  0: END\n",
    2,
    26,
    "a UINT32 immediate has 4 values"
)]
#[case::unknown_immediate_type(
    "VERT\nIMM[0] FLT16 {0, 0, 0, 0}\n  0: END\n",
    2,
    8,
    "unknown immediate type `FLT16`"
)]
#[case::hex_uint32("VERT\nIMM[0] UINT32 {0x1, 0, 0, 0}\n  0: END\n", 2, 17, "found `x1`")]
#[case::short_hex_float(
    "VERT\nIMM[0] FLT32 {0x3f80000, 0, 0, 0}\n  0: END\n",
    2,
    15,
    "exactly 8 hex digits"
)]
#[case::int32_overflow(
    "VERT\nIMM[0] INT32 {2147483648, 0, 0, 0}\n  0: END\n",
    2,
    15,
    "does not fit"
)]
#[case::one_hex_double(
    "VERT\nIMM[0] FLT64 {0x3ff0000000000000, 0x0000000000000000}\n  0: END\n",
    2,
    15,
    "two words, low first"
)]
#[case::negative_uint64("VERT\nIMM[0] UINT64 {-1, 0}\n  0: END\n", 2, 16, "out of range")]
#[case::unknown_semantic(
    "VERT\nDCL OUT[0], NOT_A_SEMANTIC\n  0: END\n",
    2,
    13,
    "unexpected `NOT_A_SEMANTIC`"
)]
#[case::attributes_out_of_order(
    "FRAG\nDCL IN[0], PERSPECTIVE, GENERIC[0]\n  0: END\n",
    2,
    25,
    "unexpected `GENERIC`"
)]
#[case::vertex_input_semantic(
    "VERT\nDCL IN[0], POSITION\n  0: END\n",
    2,
    12,
    "vertex shader inputs take no attributes"
)]
#[case::unknown_return_type(
    "FRAG\nDCL SVIEW[0], 2D, FLOT\n  0: END\n",
    2,
    19,
    "unknown return type `FLOT`"
)]
#[case::two_return_types(
    "FRAG\nDCL SVIEW[0], 2D, FLOAT, UINT\n  0: END\n",
    2,
    15,
    "2 return types"
)]
#[case::sview_without_type("FRAG\nDCL SVIEW[0], 2D\n  0: END\n", 2, 17, "a return type")]
#[case::unknown_file(
    "FRAG\nDCL OUT[0], COLOR\n  0: MOV OUT[0], BOGUS[1]\n  1: END\n",
    3,
    18,
    "unknown register file `BOGUS`"
)]
#[case::null_register(
    "VERT\nDCL TEMP[0]\n  0: MOV NULL[0], TEMP[0]\n  1: END\n",
    3,
    10,
    "NULL registers"
)]
#[case::implied_dimension_in_vertex_shader(
    "VERT\nDCL OUT[][0]\n  0: END\n",
    2,
    9,
    "`[]` needs a known vertex count"
)]
#[case::implied_dimension_before_primitive(
    "GEOM\nDCL IN[][0], POSITION\nPROPERTY GS_INPUT_PRIMITIVE TRIANGLES\n  0: END\n",
    2,
    8,
    "GS_INPUT_PRIMITIVE"
)]
#[case::backwards_range("VERT\nDCL TEMP[3..1]\n  0: END\n", 2, 10, "runs backwards")]
#[case::label_on_non_branch(
    "VERT\nDCL TEMP[0]\n  0: MOV TEMP[0], TEMP[0] :3\n  1: END\n",
    3,
    27,
    "MOV takes no branch label"
)]
#[case::opcode_glued_to_operand(
    "VERT\nDCL TEMP[0]\n  0: MOV,TEMP[0], TEMP[0]\n  1: END\n",
    3,
    9,
    "expected a space after MOV"
)]
#[case::carriage_return("VERT\r\n  0: END\r\n", 1, 5, "found `\\r`")]
#[case::unknown_memory_word("COMP\nDCL BUFFER[0]\nDCL TEMP[0]\n  0: LOAD TEMP[0], BUFFER[0], TEMP[0].xxxx, SLOPPY\n  1: END\n", 4, 45, "found `SLOPPY`")]
#[case::open_absolute(
    "VERT\nDCL TEMP[0]\n  0: MOV TEMP[0], |TEMP[0]\n  1: END\n",
    3,
    27,
    "closing the absolute value"
)]
fn rejects_what_the_host_rejects(
    #[case] text: &str,
    #[case] line: usize,
    #[case] column: usize,
    #[case] names: &str,
) {
    match parse(text) {
        Err(Error::Tgsi {
            line: l,
            column: c,
            detail,
            ..
        }) => {
            assert!(detail.contains(names), "{detail:?} does not name {names:?}");
            assert_eq!((l, c), (line, column), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn errors_show_line_column_and_text() {
    let e = parse("FRAG\nDCL OUT[0], COLOR\n  0: MOV OUT[0], BOGUS[1]\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "TGSI line 3, column 18: unknown register file `BOGUS`: \"  0: MOV OUT[0], BOGUS[1]\""
    );
}

/// Inputs the fuzzer found (fuzz/artifacts/tgsi_parse): a hex INT32 wider than 32 bits was
/// accepted and then printed truncated, and an opcode could start with a digit. The host reads
/// INT32 values as decimal only.
#[test]
fn fuzz_regressions() {
    assert!(parse("FRAG\nIMM[0] INT32 {0, 0X1065353216, 0, 0}\n  0: END\n").is_err());
    assert!(parse("FRAG\nIMM[0] INT32 {0, 0x7fffffff, 0, 0}\n  0: END\n").is_err());
    assert!(parse("FRAG\nIMM[0] INT32 {0, 2147483647, 0, 0}\n  0: END\n").is_ok());
    assert!(parse("FRAG\n0PR\n").is_err());
}

#[test]
fn geometry_inputs_declare_an_implied_vertex_dimension() {
    let text = "GEOM\nPROPERTY GS_INPUT_PRIMITIVE TRIANGLES\nDCL IN[][0], POSITION\nDCL OUT[0], POSITION, STREAM(0, 1, 0, 0)\nDCL TEMP[0]\n  0: MOV TEMP[0], IN[2][0]\n  1: END\n";
    let s = parse(text).unwrap();
    let d = s.declarations().next().unwrap();
    assert_eq!(d.dimension, Some(Bracket::Implied));
    assert_eq!(d.range, Bracket::one(0));
    assert_eq!(s.declarations().nth(1).unwrap().stream, Some([0, 1, 0, 0]));
    assert_eq!(s.to_string(), text);
}

#[test]
fn resources_and_memory_instructions() {
    let text = "COMP
PROPERTY CS_FIXED_BLOCK_WIDTH 64
DCL SV[0], THREAD_ID
DCL IMAGE[0], 2D, PIPE_FORMAT_R32_UINT, WR
DCL BUFFER[0], ATOMIC
DCL MEMORY[0], SHARED
DCL SVIEW[1], 2D_ARRAY, UINT, UINT, FLOAT, FLOAT
DCL TEMP[0..1], ARRAY(1), LOCAL
  0: LOAD TEMP[0], IMAGE[0], SV[0].xyxx, COHERENT, VOLATILE, 2D, PIPE_FORMAT_R32_UINT
  1: ATOMUADD TEMP[1].x, BUFFER[0], TEMP[0].xxxx, TEMP[0].yyyy
  2: SAMPLE_I TEMP[0], TEMP[1], SVIEW[1], IMM[0].xyz
  3: BARRIER
  4: END
";
    let s = parse(text).unwrap();
    assert_eq!(s.to_string(), text);
    let load = s.instructions().next().unwrap();
    assert_eq!(
        load.memory,
        Memory {
            qualifiers: MemoryQualifiers::COHERENT | MemoryQualifiers::VOLATILE,
            texture: Some(Texture::D2),
            format: Some(Format::R32_UINT),
        }
    );
    let sample = s.instructions().nth(2).unwrap();
    assert_eq!(sample.offsets.len(), 1);
    // Written in another order and case, the words mean the same.
    let shuffled = text.replace(
        "COHERENT, VOLATILE, 2D, PIPE_FORMAT_R32_UINT",
        "pipe_format_r32_uint, volatile, 2d, coherent",
    );
    assert_eq!(parse(&shuffled).unwrap(), s);
}

#[test]
fn builder_writes_text_the_host_parses() {
    let (b, imm) = Builder::new(Processor::Frag)
        .property(PropertyName::FsColor0WritesAllCbufs, PropertyValue::Uint(1))
        .declare(
            Declaration::new(File::In, 0, 0)
                .semantic(SemanticName::Generic, 0)
                .interpolate(Interpolate::Linear),
        )
        .declare(Declaration::new(File::Out, 0, 0).semantic(SemanticName::Color, 0))
        .immediate_f32([1.0, 0.0, 0.0, 1.0]);
    let s = b
        .op(
            Opcode::Mul,
            &[Dst::reg(File::Out, 0)],
            &[
                Src::reg(File::In, 0),
                Src::reg(File::Imm, imm as i32).broadcast(Component::X),
            ],
        )
        .end();
    let text = s.to_string();
    assert_eq!(
        text,
        "FRAG\nPROPERTY FS_COLOR0_WRITES_ALL_CBUFS 1\nDCL IN[0], GENERIC[0], LINEAR\nDCL OUT[0], COLOR\n\
         IMM[0] FLT32 {0x3f800000, 0x00000000, 0x00000000, 0x3f800000}\n  0: MUL OUT[0], IN[0], IMM[0].xxxx\n  1: END\n"
    );
    assert_eq!(parse(&text).unwrap(), s);
}

#[test]
#[should_panic(expected = "MAD sources")]
fn builder_checks_operand_counts() {
    let _ = Builder::new(Processor::Vert).op(
        Opcode::Mad,
        &[Dst::reg(File::Temp, 0)],
        &[Src::reg(File::Temp, 0)],
    );
}

/// What virglrenderer's `parse_immediate_data` stores for a FLT64 immediate body `{...}`
/// (tgsi_text.c:1255-1316): each value goes through `parse_double` (tgsi_text.c:306), which
/// reads `0x` as two `strtoul` words, skipping 11 characters after each, and anything else
/// with `strtod`. Returns the four 32-bit words.
fn host_reads_flt64(body: &str) -> Option<[u32; 4]> {
    let s = body.as_bytes();
    let mut i = 0;
    let ws = |i: &mut usize| {
        while s.get(*i).is_some_and(|c| b" \t\n".contains(c)) {
            *i += 1
        }
    };
    let strtoul = |from: usize| -> u32 {
        let mut j = from;
        while s.get(j).is_some_and(|c| b" \t\n".contains(c)) {
            j += 1;
        }
        if s[j..].starts_with(b"0x") {
            j += 2;
        }
        let digits: String = s[j..]
            .iter()
            .take_while(|c| c.is_ascii_hexdigit())
            .map(|&c| c as char)
            .collect();
        u64::from_str_radix(&digits, 16).unwrap_or(0) as u32
    };
    ws(&mut i);
    (s.get(i) == Some(&b'{')).then_some(())?;
    i += 1;
    let mut words = [0u32; 4];
    for k in [0, 2] {
        ws(&mut i);
        if k > 0 {
            (s.get(i) == Some(&b',')).then_some(())?;
            i += 1;
            ws(&mut i);
        }
        if s[i..].starts_with(b"0x") {
            words[k] = strtoul(i);
            i += 11;
            words[k + 1] = strtoul(i);
            i += 11;
        } else {
            let text = std::str::from_utf8(&s[i..]).ok()?;
            let end = (1..=text.len())
                .rev()
                .find(|&e| text.is_char_boundary(e) && text[..e].parse::<f64>().is_ok())?;
            let bits = text[..end].parse::<f64>().ok()?.to_bits();
            words[k] = bits as u32;
            words[k + 1] = (bits >> 32) as u32;
            i += end;
        }
    }
    ws(&mut i);
    (s.get(i) == Some(&b'}')).then_some(words)
}

#[test]
fn doubles_arrive_at_the_host_intact() {
    let imm = Immediate::f64([1.0, -0.1]);
    let body = imm.to_string();
    assert_eq!(body, "FLT64 {1.0, -0.1}");
    let one = 1.0f64.to_bits();
    let tenth = (-0.1f64).to_bits();
    assert_eq!(
        host_reads_flt64(&body["FLT64 ".len()..]),
        Some([
            one as u32,
            (one >> 32) as u32,
            tenth as u32,
            (tenth >> 32) as u32
        ])
    );
    // The old printer's single 64-bit literal: the host reads 1.0 as 0.
    assert_eq!(
        host_reads_flt64("{0x3ff0000000000000, 0x0000000000000000}"),
        None
    );
    // A NaN keeps its payload in the two-word form.
    let nan = Immediate::Flt64([0x7ff0_0000_0000_0001, 1.0f64.to_bits()]);
    assert_eq!(nan.to_string(), "FLT64 {0x00000001,0x7ff00000 , 1.0}");
    let text = format!("VERT\nIMM[0] {nan}\n  0: END\n");
    assert_eq!(parse(&text).unwrap().immediates().next(), Some(&nan));
}

// ---------------------------------------------------------------- property tests

fn select<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    prop::sample::select(all)
}

fn register_file() -> impl Strategy<Value = File> {
    select(&File::ALL[1..])
}

fn index() -> impl Strategy<Value = Index> {
    prop_oneof![
        any::<i32>().prop_map(Index::Direct),
        (
            register_file(),
            any::<u32>(),
            select(Component::ALL),
            any::<i32>(),
            any::<u32>()
        )
            .prop_map(|(file, index, component, offset, array_id)| {
                Index::Indirect(Indirect {
                    file,
                    index,
                    component,
                    offset,
                    array_id,
                })
            }),
    ]
}

fn dst() -> impl Strategy<Value = Dst> {
    (register_file(), prop::option::of(index()), index(), 1u8..16).prop_map(
        |(file, dimension, index, mask)| Dst {
            file,
            dimension,
            index,
            mask: WriteMask::from_bits_truncate(mask),
        },
    )
}

fn src() -> impl Strategy<Value = Src> {
    (
        register_file(),
        prop::option::of(index()),
        index(),
        [
            select(Component::ALL),
            select(Component::ALL),
            select(Component::ALL),
            select(Component::ALL),
        ],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(file, dimension, index, swizzle, negate, absolute)| Src {
            file,
            dimension,
            index,
            swizzle,
            negate,
            absolute,
        })
}

fn tex_offset() -> impl Strategy<Value = TexOffset> {
    (
        register_file(),
        any::<i32>(),
        [
            select(Component::ALL),
            select(Component::ALL),
            select(Component::ALL),
        ],
    )
        .prop_map(|(file, index, swizzle)| TexOffset {
            file,
            index,
            swizzle,
        })
}

fn instruction() -> impl Strategy<Value = Instruction> {
    select(Opcode::ALL)
        .prop_filter("END is appended", |o| *o != Opcode::End)
        .prop_flat_map(|opcode| {
            let info = opcode.info();
            (
                prop::collection::vec(dst(), opcode.num_dst()),
                prop::collection::vec(src(), opcode.num_src()),
                select(Texture::ALL),
                prop::collection::vec(tex_offset(), 0..=if opcode.has_texture() { 4 } else { 0 }),
                (
                    0u8..8,
                    prop::option::of(select(Texture::ALL)),
                    prop::option::of(select(Format::ALL)),
                ),
                prop::option::of(any::<u32>()),
                any::<(bool, bool)>(),
            )
                .prop_map(
                    move |(dst, src, target, offsets, (q, mt, mf), label, (saturate, precise))| {
                        Instruction {
                            opcode,
                            saturate,
                            precise,
                            dst,
                            src,
                            texture: info.is_tex.then_some(target),
                            offsets,
                            memory: if opcode.is_memory() {
                                Memory {
                                    qualifiers: MemoryQualifiers::from_bits_truncate(q),
                                    texture: mt,
                                    format: mf,
                                }
                            } else {
                                Memory::default()
                            },
                            label: label.filter(|_| info.is_branch),
                        }
                    },
                )
        })
}

fn bracket() -> impl Strategy<Value = Bracket> {
    prop_oneof![
        1 => Just(Bracket::Implied),
        4 => (any::<u32>(), any::<u32>()).prop_map(|(a, b)| Bracket::Range {
            first: a.min(b),
            last: a.max(b)
        }),
    ]
}

fn property_value(kind: PropertyKind) -> BoxedStrategy<PropertyValue> {
    match kind {
        PropertyKind::Uint => any::<u32>().prop_map(PropertyValue::Uint).boxed(),
        PropertyKind::Primitive => select(Primitive::ALL)
            .prop_map(PropertyValue::Primitive)
            .boxed(),
        PropertyKind::CoordOrigin => select(FsCoordOrigin::ALL)
            .prop_map(PropertyValue::CoordOrigin)
            .boxed(),
        PropertyKind::PixelCenter => select(FsCoordPixelCenter::ALL)
            .prop_map(PropertyValue::PixelCenter)
            .boxed(),
        PropertyKind::Shader => select(Processor::ALL)
            .prop_map(PropertyValue::Shader)
            .boxed(),
    }
}

fn property() -> impl Strategy<Value = Property> {
    select(PropertyName::ALL).prop_flat_map(|name| {
        property_value(name.kind()).prop_map(move |value| Property { name, value })
    })
}

fn immediate() -> impl Strategy<Value = Immediate> {
    prop_oneof![
        any::<[u32; 4]>().prop_map(Immediate::Flt32),
        any::<[u32; 4]>().prop_map(Immediate::Uint32),
        any::<[i32; 4]>().prop_map(Immediate::Int32),
        any::<[u64; 2]>().prop_map(Immediate::Flt64),
        any::<[f64; 2]>().prop_map(Immediate::f64),
        any::<[u64; 2]>().prop_map(Immediate::Uint64),
        any::<[i64; 2]>().prop_map(Immediate::Int64),
    ]
}

/// Every part a declaration of any file might have; [`valid_declaration`] keeps what the
/// file and stage allow.
#[allow(clippy::type_complexity)]
fn declaration_parts() -> impl Strategy<
    Value = (
        (File, Option<Bracket>, Bracket, u8, Option<u32>),
        (
            bool,
            Option<Semantic>,
            Resource,
            Resource,
            bool,
            Option<MemoryType>,
        ),
        (Option<[u32; 4]>, Option<Interpolate>, InterpLocation, bool),
    ),
> {
    let semantic = (select(SemanticName::ALL), any::<u32>())
        .prop_map(|(name, index)| Semantic { name, index });
    let image = (
        select(Texture::ALL),
        prop::option::of(select(Format::ALL)),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(target, format, writable, raw)| Resource::Image {
            target,
            format,
            writable,
            raw,
        });
    let ty = || select(ReturnType::ALL);
    let sview = (
        select(Texture::ALL),
        [ty(), ty(), ty(), ty()],
        any::<bool>(),
    )
        .prop_map(|(target, t, same)| Resource::SamplerView {
            target,
            return_types: if same { [t[0]; 4] } else { t },
        });
    (
        (
            register_file(),
            prop::option::of(bracket()),
            bracket(),
            1u8..16,
            prop::option::of(0..=i32::MAX as u32),
        ),
        (
            any::<bool>(),
            prop::option::of(semantic),
            image,
            sview,
            any::<bool>(),
            prop::option::of(select(MemoryType::ALL)),
        ),
        (
            prop::option::of(any::<[u32; 4]>()),
            prop::option::of(select(Interpolate::ALL)),
            select(InterpLocation::ALL),
            any::<bool>(),
        ),
    )
}

#[allow(clippy::type_complexity)]
fn valid_declaration(
    processor: Processor,
    (
        (file, dimension, range, mask, array),
        (local, semantic, image, sview, atomic, memory),
        (stream, interpolate, location, invariant),
    ): (
        (File, Option<Bracket>, Bracket, u8, Option<u32>),
        (
            bool,
            Option<Semantic>,
            Resource,
            Resource,
            bool,
            Option<MemoryType>,
        ),
        (Option<[u32; 4]>, Option<Interpolate>, InterpLocation, bool),
    ),
) -> Declaration {
    let implied_ok = matches!(processor, Processor::TessCtrl | Processor::TessEval);
    let fix = |b: Bracket| {
        if b == Bracket::Implied && !implied_ok {
            Bracket::one(0)
        } else {
            b
        }
    };
    let mut d = Declaration::new(file, 0, 0);
    d.dimension = dimension.map(fix);
    d.range = fix(range);
    d.mask = WriteMask::from_bits_truncate(mask);
    d.array = array;
    if file == File::In && processor == Processor::Vert {
        return d;
    }
    let trailing = match file {
        File::Image => {
            d.resource = Some(image);
            true
        }
        // Nothing may follow a sampler view's return types.
        File::Sview => {
            d.resource = Some(sview);
            false
        }
        File::Buffer => {
            d.resource = atomic.then_some(Resource::AtomicBuffer);
            true
        }
        File::Memory => {
            d.resource = memory.map(Resource::Memory);
            true
        }
        _ => {
            d.local = local;
            d.semantic = semantic;
            true
        }
    };
    if trailing {
        if file == File::Out && processor == Processor::Geom {
            d.stream = stream;
        }
        // Interpolation COLOR with no semantic would read back as the COLOR semantic.
        d.interpolate = interpolate.filter(|i| *i != Interpolate::Color || d.semantic.is_some());
        d.location = location;
        d.invariant = invariant;
    }
    d
}

fn shader() -> impl Strategy<Value = Shader> {
    select(Processor::ALL).prop_flat_map(|processor| {
        let head = prop_oneof![
            property().prop_map(Item::Property),
            declaration_parts()
                .prop_map(move |p| Item::Declaration(valid_declaration(processor, p))),
            immediate().prop_map(Item::Immediate),
        ];
        (
            prop::collection::vec(head, 0..6),
            prop::collection::vec(instruction().prop_map(Item::Instruction), 0..6),
        )
            .prop_map(move |(mut items, body)| {
                items.extend(body);
                items.push(Item::Instruction(Instruction::new(Opcode::End, &[], &[])));
                Shader { processor, items }
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn print_then_parse_is_identity(s in shader()) {
        let text = s.to_string();
        let back = parse(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(back, s, "{}", text);
    }

    #[test]
    fn printed_doubles_are_what_the_host_reads(bits in any::<[u64; 2]>()) {
        let body = Immediate::Flt64(bits).to_string();
        let words = host_reads_flt64(&body["FLT64 ".len()..]);
        let want = [bits[0] as u32, (bits[0] >> 32) as u32, bits[1] as u32, (bits[1] >> 32) as u32];
        prop_assert_eq!(words, Some(want), "{}", body);
    }

    #[test]
    fn parse_never_panics(text in "(VERT|FRAG|GEOM)[ \n]([A-Z0-9_\\[\\]\\.,:|{}\\- \n]){0,80}") {
        let _ = parse(&text);
    }
}

#[test]
fn immediate_values_read_as_the_host_reads_them() {
    let text = "VERT
IMM[0] FLT32 {1.0, .5, -2., 1e-1}
IMM[1] FLT64 {1, -inf}
IMM[2] INT64 {-0x10, 010}
IMM[3] UINT64 {18446744073709551615, 0X1f}
  0: END
";
    let s = parse(text).unwrap();
    let imms: Vec<Immediate> = s.immediates().copied().collect();
    assert_eq!(
        imms,
        vec![
            Immediate::f32([1.0, 0.5, -2.0, 0.1]),
            Immediate::f64([1.0, f64::NEG_INFINITY]),
            // strtoll with base 0: hex and octal.
            Immediate::Int64([-16, 8]),
            Immediate::Uint64([u64::MAX, 31]),
        ]
    );
    assert_eq!(
        s.to_string(),
        "VERT
IMM[0] FLT32 {0x3f800000, 0x3f000000, 0xc0000000, 0x3dcccccd}
IMM[1] FLT64 {1.0, -inf}
IMM[2] INT64 {-16, 8}
IMM[3] UINT64 {18446744073709551615, 31}
  0: END
"
    );
}
