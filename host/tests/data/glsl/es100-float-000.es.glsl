#version 320 es
#extension GL_EXT_clip_cull_distance : require
precision highp float;
precision highp int;
// vertex shader translated from TGSI

layout(location = 0) in vec4 in0;
layout(location = 1) in vec4 in1;
out vec4 v_generic0; // OUT[1]
out vec4 v_texcoord0; // OUT[2]
out float gl_ClipDistance[8];
uniform vec4 winsys_clip_planes[8];
uniform vec4 vs_const0[8];
uniform float winsys_point_size;
uniform float winsys_adjust_y;

void vs_main()
{
    ivec4 sv0 = ivec4(gl_InstanceID); // SV[0], INSTANCEID
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    ivec4 addr0 = ivec4(0);
    const vec4 imm0 = vec4(1.0, 0.0, 0.5, 4.0);

    // 0: U2F TEMP[0].x, SV[0].xxxx
    temp0.x = float(uint(sv0.x));
    // 1: ARL ADDR[0].x, IN[1].xxxx
    addr0.x = int(floor(in1.x));
    // 2: MUL TEMP[1], IN[0], CONST[ADDR[0].x+4]
    temp1 = in0 * vs_const0[addr0.x + 4];
    // 3: MAD TEMP[1], TEMP[0].xxxx, CONST[0], TEMP[1]
    temp1 = temp0.xxxx * vs_const0[0] + temp1;
    // 4: SLT TEMP[2].x, IN[1].yyyy, IMM[0].zzzz
    temp2.x = float(in1.y < imm0.z);
    // 5: IF TEMP[2].xxxx :7
    if (temp2.x != 0.0) {
        // 6: MOV TEMP[1].w, IMM[0].xxxx
        temp1.w = imm0.x;
    // 7: ENDIF
    }
    // 8: MOV OUT[0], TEMP[1]
    gl_Position = temp1;
    // 9: CMP OUT[1], -IN[1], IMM[0].xxxx, IMM[0].yyyy
    v_generic0 = mix(imm0.yyyy, imm0.xxxx, lessThan(-in1, vec4(0.0)));
    // 10: ROUND OUT[2].xy, IN[1]
    v_texcoord0.xy = roundEven(in1.xy);
    // 11: TRUNC OUT[2].zw, IN[1]
    v_texcoord0.zw = trunc(in1.zw);
    // 12: END
}

void main()
{
    vs_main();
    for (int i = 0; i < 8; i++)
        gl_ClipDistance[i] = dot(winsys_clip_planes[i], gl_Position);
    gl_Position.y *= winsys_adjust_y;
    gl_PointSize = winsys_point_size;
}
