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
fn mesa_text_prints_back_unchanged() {
    let s = parse(MESA_FS).unwrap();
    assert_eq!(s.to_string(), MESA_FS);
}
