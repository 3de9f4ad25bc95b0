#version 100
precision highp float;
precision highp int;
// vertex shader translated from TGSI

attribute vec4 in0;
attribute vec4 in1;
varying vec4 v_generic0; // OUT[1]
varying vec4 winsys_clipdist0;
varying vec4 winsys_clipdist1;
uniform vec4 winsys_clip_planes[8];
uniform vec4 vs_const0[10];
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
    vec4 temp17 = vec4(0.0);
    vec4 temp18 = vec4(0.0);
    vec4 temp19 = vec4(0.0);
    const vec4 imm0 = vec4(0.0, 0.2, 0.0, 0.0); // UINT32 {0, 1045220557, 0, 0}

    // 0: MUL TEMP[0].xyz, CONST[5], IN[1].yyyy
    temp0.xyz = vs_const0[5].xyz * in1.yyy;
    // 1: MAD TEMP[1].xyz, CONST[4].xyzx, IN[1].xxxx, TEMP[0].xyzx
    temp1.xyz = vs_const0[4].xyz * in1.xxx + temp0.xyz;
    // 2: MAD TEMP[2].xyz, CONST[6].xyzx, IN[1].zzzx, TEMP[1].xyzx
    temp2.xyz = vs_const0[6].xyz * in1.zzz + temp1.xyz;
    // 3: ADD TEMP[3].xyz, TEMP[2].xyzx, CONST[7]
    temp3.xyz = temp2.xyz + vs_const0[7].xyz;
    // 4: DP3 TEMP[4].x, TEMP[3].xyzx, TEMP[3].xyzx
    temp4.x = dot(temp3.xyz, temp3.xyz);
    // 5: RSQ TEMP[5].x, TEMP[4].xxxx
    temp5.x = inversesqrt(temp4.x);
    // 6: MUL TEMP[6].xyz, TEMP[3].xyzz, TEMP[5].xxxx
    temp6.xyz = temp3.xyz * temp5.xxx;
    // 7: DP3 TEMP[7].x, CONST[8].xyzx, CONST[8].xyzx
    temp7.x = dot(vs_const0[8].xyz, vs_const0[8].xyz);
    // 8: RSQ TEMP[8].x, TEMP[7].xxxx
    temp8.x = inversesqrt(temp7.x);
    // 9: MUL TEMP[9].xyz, CONST[8].xyzz, TEMP[8].xxxx
    temp9.xyz = vs_const0[8].xyz * temp8.xxx;
    // 10: DP3 TEMP[10].x, TEMP[6].xyzx, TEMP[9].xyzx
    temp10.x = dot(temp6.xyz, temp9.xyz);
    // 11: MAX TEMP[11].x, TEMP[10].xxxx, IMM[0].xxxx
    temp11.x = max(temp10.x, imm0.x);
    // 12: ADD TEMP[12].x, IMM[0].yyyy, TEMP[11].xxxx
    temp12.x = imm0.y + temp11.x;
    // 13: MUL OUT[1].xyz, TEMP[12].xxxx, CONST[9].xyzz
    v_generic0.xyz = temp12.xxx * vs_const0[9].xyz;
    // 14: MUL TEMP[13], CONST[1], IN[0].yyyy
    temp13 = vs_const0[1] * in0.yyyy;
    // 15: MAD TEMP[14], CONST[0], IN[0].xxxx, TEMP[13]
    temp14 = vs_const0[0] * in0.xxxx + temp13;
    // 16: MAD TEMP[15], CONST[2], IN[0].zzzz, TEMP[14]
    temp15 = vs_const0[2] * in0.zzzz + temp14;
    // 17: ADD OUT[0], TEMP[15], CONST[3]
    gl_Position = temp15 + vs_const0[3];
    // 18: MOV OUT[1].w, CONST[9].wyzw
    v_generic0.w = vs_const0[9].w;
    // 19: END
}

void main()
{
    vs_main();
    winsys_clipdist0 = vec4(dot(winsys_clip_planes[0], gl_Position), dot(winsys_clip_planes[1], gl_Position), dot(winsys_clip_planes[2], gl_Position), dot(winsys_clip_planes[3], gl_Position));
    winsys_clipdist1 = vec4(dot(winsys_clip_planes[4], gl_Position), dot(winsys_clip_planes[5], gl_Position), dot(winsys_clip_planes[6], gl_Position), dot(winsys_clip_planes[7], gl_Position));
    gl_Position.y *= winsys_adjust_y;
    gl_PointSize = winsys_point_size;
}
