#version 320 es
precision highp float;
precision highp int;
// fragment shader translated from TGSI

in vec4 v_generic0; // IN[0]
layout(location = 0) out vec4 out0;
uniform vec4 fs_const0[2];

void main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2[4]; // TEMP[2..5], ARRAY(1)
    for (int i = 0; i < 4; i++)
        temp2[i] = vec4(0.0);
    vec4 temp6[2]; // TEMP[6..7], ARRAY(2)
    for (int i = 0; i < 2; i++)
        temp6[i] = vec4(0.0);
    ivec4 addr0 = ivec4(0);
    ivec4 addr1 = ivec4(0);
    const vec4 imm0 = vec4(0.0, 0.25, 0.5, 1.0);

    // 0: MOV TEMP[2], CONST[0]
    temp2[0] = fs_const0[0];
    // 1: MOV TEMP[3], CONST[1]
    temp2[1] = fs_const0[1];
    // 2: MOV TEMP[4].xy, IN[0]
    temp2[2].xy = v_generic0.xy;
    // 3: MOV TEMP[5], IMM[0]
    temp2[3] = imm0;
    // 4: MOV TEMP[6], IMM[0].wzyx
    temp6[0] = imm0.wzyx;
    // 5: F2I TEMP[0].x, CONST[1].wwww
    temp0.x = intBitsToFloat(int(fs_const0[1].w));
    // 6: UARL ADDR[0].x, TEMP[0].xxxx
    addr0.x = int(floatBitsToUint(temp0.x));
    // 7: ARL ADDR[1].y, IN[0].zzzz
    addr1.y = int(floor(v_generic0.z));
    // 8: MOV TEMP[ADDR[0].x+3](1).zw, IN[0]
    temp2[addr0.x + 1].zw = v_generic0.zw;
    // 9: ADD TEMP[1], TEMP[ADDR[0].x+2](1), TEMP[ADDR[1].y+6](2).xxyy
    temp1 = temp2[addr0.x] + temp6[addr1.y].xxyy;
    // 10: MOV TEMP[ADDR[1].y+7](2), -TEMP[ADDR[0].x+5](1)
    temp6[addr1.y + 1] = -temp2[addr0.x + 3];
    // 11: ADD OUT[0], TEMP[1], TEMP[7]
    out0 = temp1 + temp6[1];
    // 12: END
}
