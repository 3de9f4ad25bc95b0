#version 100
precision highp float;
precision highp int;
// vertex shader translated from TGSI

attribute vec4 in0;
attribute vec4 in1;
varying vec4 v_generic0; // OUT[1]
varying vec4 v_generic1; // OUT[2]
varying vec4 winsys_clipdist0;
varying vec4 winsys_clipdist1;
uniform vec4 winsys_clip_planes[8];
uniform vec4 vs_const0[4];
uniform float winsys_point_size;
uniform float winsys_adjust_y;

void vs_main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    const vec4 imm0 = vec4(2.5, -1.0, 0.5, 8.0);

    // 0: DPH OUT[0].x, IN[0], CONST[0]
    gl_Position.x = dot(in0.xyz, vs_const0[0].xyz) + vs_const0[0].w;
    // 1: DPH OUT[0].yzw, IN[0].xyzz, CONST[1]
    gl_Position.yzw = vec3(dot(in0.xyz, vs_const0[1].xyz) + vs_const0[1].w);
    // 2: LIT TEMP[0], IN[1]
    temp0 = vec4(1.0, max(in1.x, 0.0), (in1.x > 0.0 ? pow(max(in1.y, 0.0), clamp(in1.w, -128.0, 128.0)) : 0.0), 1.0);
    // 3: LIT TEMP[1].yz, -IN[1].yxzw
    temp1.yz = vec2(max(-in1.y, 0.0), (-in1.y > 0.0 ? pow(max(-in1.x, 0.0), clamp(-in1.w, -128.0, 128.0)) : 0.0));
    // 4: EXP TEMP[2], IMM[0].xxxx
    temp2 = vec4(exp2(floor(imm0.x)), fract(imm0.x), exp2(imm0.x), 1.0);
    // 5: LOG TEMP[2].xy, IMM[0].yyyy
    temp2.xy = vec2(floor(log2(abs(imm0.y))), abs(imm0.y) / exp2(floor(log2(abs(imm0.y)))));
    // 6: DST TEMP[0].yw, TEMP[1], TEMP[2]
    temp0.yw = vec2(temp1.y * temp2.y, temp2.w);
    // 7: XPD TEMP[1].xyz, IN[0], IN[1].zxyw
    temp1.xyz = vec3(in0.y * in1.y - in0.z * in1.x, in0.z * in1.z - in0.x * in1.y, in0.x * in1.x - in0.y * in1.z);
    // 8: XPD TEMP[1].w, IN[0], IN[1]
    temp1.w = 1.0;
    // 9: ADD OUT[1], TEMP[0], TEMP[1]
    v_generic0 = temp0 + temp1;
    // 10: MOV OUT[2], TEMP[2]
    v_generic1 = temp2;
    // 11: END
}

void main()
{
    vs_main();
    winsys_clipdist0 = vec4(dot(winsys_clip_planes[0], gl_Position), dot(winsys_clip_planes[1], gl_Position), dot(winsys_clip_planes[2], gl_Position), dot(winsys_clip_planes[3], gl_Position));
    winsys_clipdist1 = vec4(dot(winsys_clip_planes[4], gl_Position), dot(winsys_clip_planes[5], gl_Position), dot(winsys_clip_planes[6], gl_Position), dot(winsys_clip_planes[7], gl_Position));
    gl_Position.y *= winsys_adjust_y;
    gl_PointSize = winsys_point_size;
}
