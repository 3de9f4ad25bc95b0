#version 320 es
precision highp float;
precision highp int;
precision highp sampler2D;
// fragment shader translated from TGSI

in vec4 v_texcoord0; // IN[1]
layout(location = 0) out vec4 out0;
layout(location = 1) out vec4 cbuf1;
layout(location = 2) out vec4 cbuf2;
layout(location = 3) out vec4 cbuf3;
layout(location = 4) out vec4 cbuf4;
layout(location = 5) out vec4 cbuf5;
layout(location = 6) out vec4 cbuf6;
layout(location = 7) out vec4 cbuf7;
uniform vec4 fs_const0[1];
uniform sampler2D fs_samp0;
uniform float fs_samp0_lodbias;
uniform sampler2D fs_samp1;
uniform float fs_samp1_lodbias;

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
    const uvec4 imm0 = uvec4(1073741824u, 1056964608u, 3212836864u, 1065353216u); // as float: (2.0, 0.5, -1.0, 1.0)

    // 0: DIV TEMP[1].x, IN[0].xxxx, IMM[0].xxxx
    temp1.x = gl_FragCoord.x / uintBitsToFloat(imm0.x);
    // 1: FRC TEMP[2].x, TEMP[1].xxxx
    temp2.x = fract(temp1.x);
    // 2: FSLT TEMP[3].x, TEMP[2].xxxx, IMM[0].yyyy
    temp3.x = uintBitsToFloat((temp2.x < uintBitsToFloat(imm0.y) ? 0xffffffffu : 0u));
    // 3: UIF TEMP[3].xxxx :5
    if (floatBitsToUint(temp3.x) != 0u) {
        // 4: TEX TEMP[0], IN[1].xyyy, SAMP[0], 2D
        temp0 = texture(fs_samp0, v_texcoord0.xy, fs_samp0_lodbias);
    // 5: ELSE :7
    } else {
        // 6: TEX TEMP[0], IN[1].xyyy, SAMP[1], 2D
        temp0 = texture(fs_samp1, v_texcoord0.xy, fs_samp1_lodbias);
    // 7: ENDIF
    }
    // 8: MAD TEMP[4], TEMP[0], IMM[0].zzzz, IMM[0].wwww
    temp4 = temp0 * uintBitsToFloat(imm0.zzzz) + uintBitsToFloat(imm0.wwww);
    // 9: UCMP TEMP[5], TEMP[3].xxxx, TEMP[4], TEMP[0]
    temp5 = mix(temp0, temp4, notEqual(floatBitsToUint(temp3.xxxx), uvec4(0u)));
    // 10: MOV OUT[0], TEMP[5]
    out0 = temp5;
    // 11: END
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
