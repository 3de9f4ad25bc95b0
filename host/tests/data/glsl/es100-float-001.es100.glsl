#version 100
#extension GL_OES_standard_derivatives : enable
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float;
precision highp int;
#else
precision mediump float;
precision mediump int;
#endif
// fragment shader translated from TGSI

varying vec4 v_generic0; // IN[0]
varying vec4 v_texcoord0; // IN[1]
vec4 out0 = vec4(0.0); // OUT[0]

void fs_main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    const vec4 imm0 = vec4(0.0, 1.0, 0.5, 2.0);
    vec4 imm1 = vec4(1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0, 3.0);

    // 0: DDX TEMP[0], IN[1]
    temp0 = dFdx(v_texcoord0);
    // 1: DDY TEMP[1], IN[1]
    temp1 = dFdy(v_texcoord0);
    // 2: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 3: SGE TEMP[1], IN[0], IMM[0].zzzz
    temp1 = vec4(greaterThanEqual(v_generic0, imm0.zzzz));
    // 4: KILL_IF -TEMP[1].xyxy
    if (any(lessThan(-temp1.xyxy, vec4(0.0)))) discard;
    // 5: BGNLOOP :0
    while (true) {
        // 6: ADD TEMP[0].x, TEMP[0].xxxx, IMM[0].yyyy
        temp0.x = temp0.x + imm0.y;
        // 7: SGE TEMP[1].y, TEMP[0].xxxx, IMM[0].wwww
        temp1.y = float(temp0.x >= imm0.w);
        // 8: IF TEMP[1].yyyy :10
        if (temp1.y != 0.0) {
            // 9: BRK
            break;
        // 10: ENDIF
        }
    // 11: ENDLOOP :0
    }
    // 12: CMP TEMP[1].xz, IN[0], TEMP[0], IN[1]
    temp1.xz = vec2(v_generic0.x < 0.0 ? temp0.x : v_texcoord0.x, v_generic0.z < 0.0 ? temp0.z : v_texcoord0.z);
    // 13: SNE TEMP[1].yw, IN[0], IMM[0].xxxx
    temp1.yw = vec2(notEqual(v_generic0.yw, imm0.xx));
    // 14: MIN TEMP[1].x, TEMP[1].xxxx, IMM[1].xxxx
    temp1.x = min(temp1.x, imm1.x);
    // 15: MOV OUT[0], TEMP[1]
    out0 = temp1;
    // 16: END
}

void main()
{
    fs_main();
    gl_FragColor = out0;
}
