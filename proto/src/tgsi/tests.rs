use super::*;

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
fn parses_mesa_style_text_into_typed_items() {
    let s = parse(MESA_FS).unwrap();
    assert_eq!(s.processor, Processor::Frag);
    let decls: Vec<&Declaration> = s.declarations().collect();
    assert_eq!(decls.len(), 8);
    assert_eq!(
        decls[0].attributes,
        vec![
            Attribute::Semantic {
                name: "GENERIC".into(),
                index: 0
            },
            Attribute::Word("PERSPECTIVE".into())
        ]
    );
    assert_eq!(
        decls[5].ranges,
        vec![
            Some(Range { first: 1, last: 1 }),
            Some(Range { first: 0, last: 3 })
        ]
    );
    let insts: Vec<&Instruction> = s.instructions().collect();
    assert_eq!(insts.len(), 10);
    let mad = insts[1];
    assert!(mad.saturate);
    assert_eq!(mad.dst()[0].components, Some(vec![0, 1]));
    assert!(mad.src()[0].absolute);
    let ind = insts[3].src()[0].indices[0];
    assert_eq!(
        ind.indirect,
        Some(Indirect {
            file: File::Addr,
            index: 0,
            component: 0
        })
    );
    assert_eq!(ind.offset, 1);
    assert_eq!(insts[4].src()[0].indices[1].offset, -2);
    assert_eq!(insts[5].args.last(), Some(&Arg::Word("2D".into())));
    assert_eq!(insts[6].label, Some(8));
    assert_eq!(insts[6].dst().len(), 0);
    match &s.items[9] {
        Item::Immediate(i) => assert_eq!(i.values, vec![0x3f80_0000, 0, 0xbf80_0000, 0x3f00_0000]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn print_then_parse_is_identity() {
    let s = parse(MESA_FS).unwrap();
    let text = s.to_string();
    assert_eq!(parse(&text).unwrap(), s, "{text}");
}

#[test]
fn geometry_inputs_declare_an_empty_vertex_dimension() {
    let text = "GEOM\nPROPERTY GS_INPUT_PRIMITIVE TRIANGLES\nDCL IN[][0], POSITION\n  0: MOV TEMP[0], IN[2][0]\n  1: END\n";
    let s = parse(text).unwrap();
    let d = s.declarations().next().unwrap();
    assert_eq!(d.ranges, vec![None, Some(Range { first: 0, last: 0 })]);
    assert_eq!(s.to_string(), text);
}

#[test]
fn decimal_floats_become_bits() {
    let s = parse("VERT\nIMM[0] FLT32 {1.0, 0.5, -2.0, 0.0}\n").unwrap();
    let Item::Immediate(i) = &s.items[0] else {
        panic!()
    };
    assert_eq!(i.values, vec![0x3f80_0000, 0x3f00_0000, 0xc000_0000, 0]);
    assert!(s
        .to_string()
        .contains("{0x3f800000, 0x3f000000, 0xc0000000, 0x00000000}"));
}

#[test]
fn errors_name_the_line_and_column() {
    let e = parse("FRAG\nDCL OUT[0], COLOR\n  0: MOV OUT[0], BOGUS[1]\n").unwrap_err();
    assert!(e.to_string().starts_with("TGSI line 3: "), "{e}");
    assert!(parse("").is_err());
    assert!(parse("PIXEL\n").is_err());
    assert!(parse("VERT\nDCL TEMP[3..1]\n").is_err());
    assert!(parse("VERT\nIMM[0] FLT32 {}\n").is_err());
    assert!(parse("VERT\n  0: MOV TEMP[0].xq, TEMP[1]\n").is_err());
}

#[test]
fn builder_writes_text_the_host_parses() {
    let (b, imm) = Builder::new(Processor::Frag)
        .property("FS_COLOR0_WRITES_ALL_CBUFS", "1")
        .declare(File::In, 0, 0, &["GENERIC[0]", "LINEAR"])
        .declare(File::Out, 0, 0, &["COLOR"])
        .immediate_f32([1.0, 0.0, 0.0, 1.0]);
    let s = b
        .instruction(
            "MUL",
            &[
                Operand::reg(File::Out, 0),
                Operand::reg(File::In, 0),
                Operand::reg(File::Imm, imm as i64).swizzle("xxxx"),
            ],
            &[],
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

/// Inputs the fuzzer found (fuzz/artifacts/tgsi_parse): a hex INT32 wider than 32 bits was
/// accepted and then printed truncated, and an opcode could start with a digit.
#[test]
fn fuzz_regressions() {
    assert!(parse("FRAG\nIMM[0] INT32 {0, 0X1065353216, 0, 0}\n").is_err());
    assert!(parse("FRAG\nIMM[0] INT32 {0, 0x7fffffff, 0, 0}\n").is_ok());
    assert!(parse("FRAG\n0PR\n").is_err());
}
