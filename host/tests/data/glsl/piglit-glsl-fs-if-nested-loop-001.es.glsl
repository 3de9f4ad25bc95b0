#version 320 es
precision highp float;
precision highp int;
// fragment shader translated from TGSI

in vec4 v_generic0; // IN[0]
layout(location = 0) out vec4 out0;
layout(location = 1) out vec4 cbuf1;
layout(location = 2) out vec4 cbuf2;
layout(location = 3) out vec4 cbuf3;
layout(location = 4) out vec4 cbuf4;
layout(location = 5) out vec4 cbuf5;
layout(location = 6) out vec4 cbuf6;
layout(location = 7) out vec4 cbuf7;

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
    vec4 temp10 = vec4(0.0);
    const uvec4 imm0 = uvec4(0u, 3221225472u, 1065353216u, 1084227584u); // as float: (0.0, -2.0, 1.0, 5.0)

    // 0: FSLT TEMP[2].x, IN[0].xxxx, IMM[0].xxxx
    temp2.x = uintBitsToFloat((v_generic0.x < uintBitsToFloat(imm0.x) ? 0xffffffffu : 0u));
    // 1: UIF TEMP[2].xxxx :18
    if (floatBitsToUint(temp2.x) != 0u) {
        // 2: MOV TEMP[1].x, IMM[0].yyyy
        temp1.x = uintBitsToFloat(imm0.y);
        // 3: MOV TEMP[0], IMM[0].xzxx
        temp0 = uintBitsToFloat(imm0.xzxx);
        // 4: BGNLOOP :0
        while (true) {
            // 5: FSLT TEMP[3].x, TEMP[1].xxxx, IN[0].xxxx
            temp3.x = uintBitsToFloat((temp1.x < v_generic0.x ? 0xffffffffu : 0u));
            // 6: NOT TEMP[4].x, TEMP[3].xxxx
            temp4.x = uintBitsToFloat(~floatBitsToUint(temp3.x));
            // 7: UIF TEMP[4].xxxx :9
            if (floatBitsToUint(temp4.x) != 0u) {
                // 8: BRK
                break;
            // 9: ENDIF
            }
            // 10: ADD TEMP[5].x, IN[0].yyyy, IMM[0].wwww
            temp5.x = v_generic0.y + uintBitsToFloat(imm0.w);
            // 11: FSNE TEMP[6].x, TEMP[1].xxxx, TEMP[5].xxxx
            temp6.x = uintBitsToFloat((temp1.x != temp5.x ? 0xffffffffu : 0u));
            // 12: UIF TEMP[6].xxxx :14
            if (floatBitsToUint(temp6.x) != 0u) {
                // 13: BRK
                break;
            // 14: ENDIF
            }
            // 15: ADD TEMP[0], TEMP[0], IMM[0].zxxx
            temp0 = temp0 + uintBitsToFloat(imm0.zxxx);
            // 16: ADD TEMP[1].x, TEMP[1].xxxx, IMM[0].zzzz
            temp1.x = temp1.x + uintBitsToFloat(imm0.z);
        // 17: ENDLOOP :0
        }
    // 18: ELSE :20
    } else {
        // 19: MOV TEMP[0], IMM[0].xzxx
        temp0 = uintBitsToFloat(imm0.xzxx);
    // 20: ENDIF
    }
    // 21: MOV OUT[0], TEMP[0]
    out0 = temp0;
    // 22: END
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
