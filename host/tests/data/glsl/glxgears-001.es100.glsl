#version 100
precision highp float;
precision highp int;
// vertex shader translated from TGSI

attribute vec4 in0;
varying vec4 v_color0; // OUT[1]
varying vec4 winsys_clipdist0;
varying vec4 winsys_clipdist1;
uniform vec4 winsys_clip_planes[8];
uniform vec4 vs_const0[11];
uniform float winsys_point_size;
uniform float winsys_adjust_y;

void vs_main()
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
    const vec4 imm0 = vec4(0.0, 0.0, 0.0, 0.0); // UINT32 {0, 0, 0, 0}

    // 0: MUL TEMP[1], IN[0].xxxx, CONST[5]
    temp1 = in0.xxxx * vs_const0[5];
    // 1: MAD TEMP[2], IN[0].yyyy, CONST[6], TEMP[1]
    temp2 = in0.yyyy * vs_const0[6] + temp1;
    // 2: MAD TEMP[3], IN[0].zzzz, CONST[7], TEMP[2]
    temp3 = in0.zzzz * vs_const0[7] + temp2;
    // 3: MAD OUT[0], IN[0].wwww, CONST[8], TEMP[3]
    gl_Position = in0.wwww * vs_const0[8] + temp3;
    // 4: DP3 TEMP[4].x, CONST[9].xyzx, CONST[9].xyzx
    temp4.x = dot(vs_const0[9].xyz, vs_const0[9].xyz);
    // 5: RSQ TEMP[5].x, TEMP[4].xxxx
    temp5.x = inversesqrt(temp4.x);
    // 6: MUL TEMP[6].xyz, CONST[9], TEMP[5].xxxx
    temp6.xyz = vs_const0[9].xyz * temp5.xxx;
    // 7: DP3 TEMP[7].x, TEMP[6].xyzx, CONST[10].xyzx
    temp7.x = dot(temp6.xyz, vs_const0[10].xyz);
    // 8: MAX TEMP[8].x, IMM[0].xxxx, TEMP[7].xxxx
    temp8.x = max(imm0.x, temp7.x);
    // 9: SLT TEMP[9].x, IMM[0].xxxx, TEMP[7].xxxx
    temp9.x = float(imm0.x < temp7.x);
    // 10: ADD TEMP[10].xyz, CONST[2], CONST[1]
    temp10.xyz = vs_const0[2].xyz + vs_const0[1].xyz;
    // 11: MAD TEMP[11].xyz, TEMP[8].xxxx, CONST[3].xyzx, TEMP[10].xyzx
    temp11.xyz = temp8.xxx * vs_const0[3].xyz + temp10.xyz;
    // 12: MAD TEMP[0].xyz, TEMP[9].xxxx, CONST[4].xyzx, TEMP[11].xyzx
    temp0.xyz = temp9.xxx * vs_const0[4].xyz + temp11.xyz;
    // 13: MOV TEMP[0].w, CONST[1].wyzw
    temp0.w = vs_const0[1].w;
    // 14: MOV_SAT TEMP[16], TEMP[0]
    temp16 = clamp(temp0, 0.0, 1.0);
    // 15: MOV OUT[1], TEMP[16]
    v_color0 = temp16;
    // 16: END
}

void main()
{
    vs_main();
    winsys_clipdist0 = vec4(dot(winsys_clip_planes[0], gl_Position), dot(winsys_clip_planes[1], gl_Position), dot(winsys_clip_planes[2], gl_Position), dot(winsys_clip_planes[3], gl_Position));
    winsys_clipdist1 = vec4(dot(winsys_clip_planes[4], gl_Position), dot(winsys_clip_planes[5], gl_Position), dot(winsys_clip_planes[6], gl_Position), dot(winsys_clip_planes[7], gl_Position));
    gl_Position.y *= winsys_adjust_y;
    gl_PointSize = winsys_point_size;
}
