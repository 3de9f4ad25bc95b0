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
    vec4 temp11 = vec4(0.0);
    vec4 temp12 = vec4(0.0);
    vec4 temp13 = vec4(0.0);
    vec4 temp14 = vec4(0.0);
    vec4 temp15 = vec4(0.0);
    vec4 temp16 = vec4(0.0);
    vec4 temp17 = vec4(0.0);
    vec4 temp18 = vec4(0.0);
    vec4 temp19 = vec4(0.0);
    vec4 temp20 = vec4(0.0);
    vec4 temp21 = vec4(0.0);
    const uvec4 imm0 = uvec4(1u, 0u, 2u, 3u); // as float: (1e-45, 0.0, 3e-45, 4e-45)
    const uvec4 imm1 = uvec4(0u, 1065353216u, 0u, 0u); // as float: (0.0, 1.0, 0.0, 0.0)

    // 0: MOV TEMP[5].x, IMM[0].xxxx
    temp5.x = uintBitsToFloat(imm0.x);
    // 1: MOV TEMP[4].x, IMM[0].xxxx
    temp4.x = uintBitsToFloat(imm0.x);
    // 2: MOV TEMP[3].x, IMM[0].xxxx
    temp3.x = uintBitsToFloat(imm0.x);
    // 3: MOV TEMP[2].x, IMM[0].yyyy
    temp2.x = uintBitsToFloat(imm0.y);
    // 4: MOV TEMP[1].x, IMM[0].yyyy
    temp1.x = uintBitsToFloat(imm0.y);
    // 5: MOV TEMP[0].x, IMM[0].yyyy
    temp0.x = uintBitsToFloat(imm0.y);
    // 6: BGNLOOP :0
    while (true) {
        // 7: USEQ TEMP[6].xyz, IMM[0].xzwx, TEMP[3].xxxw
        temp6.xyz = uintBitsToFloat(uvec3(equal(imm0.xzw, floatBitsToUint(temp3.xxx))) * 0xffffffffu);
        // 8: UCMP TEMP[7].x, TEMP[6].zxxx, TEMP[5].xxxx, TEMP[1].xxxx
        temp7.x = (floatBitsToUint(temp6.z) != 0u) ? temp5.x : temp1.x;
        // 9: OR TEMP[8].x, TEMP[6].xxxx, TEMP[6].yxxx
        temp8.x = uintBitsToFloat(floatBitsToUint(temp6.x) | floatBitsToUint(temp6.y));
        // 10: UCMP TEMP[1].x, TEMP[8].xxxx, TEMP[1].xxxx, TEMP[7].xxxx
        temp1.x = (floatBitsToUint(temp8.x) != 0u) ? temp1.x : temp7.x;
        // 11: UCMP TEMP[0].x, TEMP[6].xxxx, TEMP[4].xxxx, TEMP[0].xxxx
        temp0.x = (floatBitsToUint(temp6.x) != 0u) ? temp4.x : temp0.x;
        // 12: UCMP TEMP[9].x, TEMP[6].xxxx, IMM[0].yyyy, TEMP[6].yxxx
        temp9.x = (floatBitsToUint(temp6.x) != 0u) ? uintBitsToFloat(imm0.y) : temp6.y;
        // 13: UIF TEMP[9].xxxx :18
        if (floatBitsToUint(temp9.x) != 0u) {
            // 14: ISGE TEMP[10].x, TEMP[3].xxxx, IMM[0].zzzz
            temp10.x = uintBitsToFloat((floatBitsToInt(temp3.x) >= int(imm0.z) ? 0xffffffffu : 0u));
            // 15: UIF TEMP[10].xxxx :17
            if (floatBitsToUint(temp10.x) != 0u) {
                // 16: BRK
                break;
            // 17: ENDIF
            }
        // 18: ELSE :24
        } else {
            // 19: UADD TEMP[2].x, TEMP[2].xxxx, IMM[0].xxxx
            temp2.x = uintBitsToFloat(floatBitsToUint(temp2.x) + imm0.x);
            // 20: ISGE TEMP[11].x, TEMP[3].xxxx, IMM[0].zzzz
            temp11.x = uintBitsToFloat((floatBitsToInt(temp3.x) >= int(imm0.z) ? 0xffffffffu : 0u));
            // 21: UIF TEMP[11].xxxx :23
            if (floatBitsToUint(temp11.x) != 0u) {
                // 22: BRK
                break;
            // 23: ENDIF
            }
        // 24: ENDIF
        }
        // 25: UADD TEMP[3].x, TEMP[3].xxxx, IMM[0].xxxx
        temp3.x = uintBitsToFloat(floatBitsToUint(temp3.x) + imm0.x);
        // 26: UADD TEMP[4].x, TEMP[0].xxxx, IMM[0].xxxx
        temp4.x = uintBitsToFloat(floatBitsToUint(temp0.x) + imm0.x);
        // 27: UADD TEMP[5].x, TEMP[1].xxxx, IMM[0].xxxx
        temp5.x = uintBitsToFloat(floatBitsToUint(temp1.x) + imm0.x);
    // 28: ENDLOOP :0
    }
    // 29: USEQ TEMP[12].x, TEMP[0].xxxx, IMM[0].xxxx
    temp12.x = uintBitsToFloat((floatBitsToUint(temp0.x) == imm0.x ? 0xffffffffu : 0u));
    // 30: AND TEMP[13].x, TEMP[6].yxxx, TEMP[12].xxxx
    temp13.x = uintBitsToFloat(floatBitsToUint(temp6.y) & floatBitsToUint(temp12.x));
    // 31: USEQ TEMP[14].x, TEMP[1].xxxx, IMM[0].yyyy
    temp14.x = uintBitsToFloat((floatBitsToUint(temp1.x) == imm0.y ? 0xffffffffu : 0u));
    // 32: AND TEMP[15].x, TEMP[13].xxxx, TEMP[14].xxxx
    temp15.x = uintBitsToFloat(floatBitsToUint(temp13.x) & floatBitsToUint(temp14.x));
    // 33: USEQ TEMP[16].x, TEMP[2].xxxx, IMM[0].xxxx
    temp16.x = uintBitsToFloat((floatBitsToUint(temp2.x) == imm0.x ? 0xffffffffu : 0u));
    // 34: AND TEMP[17].x, TEMP[15].xxxx, TEMP[16].xxxx
    temp17.x = uintBitsToFloat(floatBitsToUint(temp15.x) & floatBitsToUint(temp16.x));
    // 35: UCMP TEMP[18], TEMP[17].xxxx, IMM[1].xyxy, IMM[1].yxxy
    temp18 = mix(uintBitsToFloat(imm1.yxxy), uintBitsToFloat(imm1.xyxy), notEqual(floatBitsToUint(temp17.xxxx), uvec4(0u)));
    // 36: MOV OUT[0], TEMP[18]
    out0 = temp18;
    // 37: END
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
