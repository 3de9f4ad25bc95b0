#version 320 es
precision highp float;
precision highp int;
// fragment shader translated from TGSI

layout(location = 0) out vec4 out0;
layout(location = 1) out vec4 cbuf1;
layout(location = 2) out vec4 cbuf2;
layout(location = 3) out vec4 cbuf3;
layout(location = 4) out vec4 cbuf4;
layout(location = 5) out vec4 cbuf5;
layout(location = 6) out vec4 cbuf6;
layout(location = 7) out vec4 cbuf7;
uniform vec4 fs_const0[3];

void fs_main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    vec4 temp3 = vec4(0.0);
    vec4 temp4 = vec4(0.0);
    vec4 temp5 = vec4(0.0);
    vec4 temp6 = vec4(0.0);
    vec4 temp7 = vec4(0.0);
    vec4 temp8 = vec4(0.0);
    vec4 temp9 = vec4(0.0);
    const uvec4 imm0 = uvec4(3212836864u, 0u, 1065353216u, 0u); // as float: (-1.0, 0.0, 1.0, 0.0)

    // 0: MAX TEMP[0], CONST[0], -CONST[0]
    temp0 = max(fs_const0[0], -fs_const0[0]);
    // 1: MAD TEMP[1], CONST[2], IMM[0].xxxx, TEMP[0]
    temp1 = fs_const0[2] * uintBitsToFloat(imm0.xxxx) + temp0;
    // 2: DP4 TEMP[2].x, TEMP[1], TEMP[1]
    temp2.x = dot(temp1, temp1);
    // 3: RSQ TEMP[3].x, TEMP[2].xxxx
    temp3.x = inversesqrt(temp2.x);
    // 4: RCP TEMP[4].x, TEMP[3].xxxx
    temp4.x = 1.0 / temp3.x;
    // 5: FSGE TEMP[5].x, CONST[1].xxxx, TEMP[4].xxxx
    temp5.x = uintBitsToFloat((fs_const0[1].x >= temp4.x ? 0xffffffffu : 0u));
    // 6: UCMP TEMP[6], TEMP[5].xxxx, IMM[0].yzyz, IMM[0].zyyz
    temp6 = mix(uintBitsToFloat(imm0.zyyz), uintBitsToFloat(imm0.yzyz), notEqual(floatBitsToUint(temp5.xxxx), uvec4(0u)));
    // 7: MOV OUT[0], TEMP[6]
    out0 = temp6;
    // 8: END
}

void main()
{
    fs_main();
    cbuf1 = out0;
    cbuf2 = out0;
    cbuf3 = out0;
    cbuf4 = out0;
    cbuf5 = out0;
    cbuf6 = out0;
    cbuf7 = out0;
}
