#version 320 es
#extension GL_EXT_clip_cull_distance : require
precision highp float;
precision highp int;
// vertex shader translated from TGSI

layout(location = 0) in vec4 in0;
layout(location = 1) in vec4 in1;
out vec4 v_color0; // OUT[3]
out vec4 v_bcolor0; // OUT[4]
out vec4 v_fog0; // OUT[5]
out vec4 v_texcoord2; // OUT[6]
out float gl_ClipDistance[8];
uniform vec4 winsys_clip_planes[8];
vec4 psize = vec4(0.0); // OUT[1]
vec4 clipvertex = vec4(0.0); // OUT[2]
vec4 edgeflag = vec4(0.0); // OUT[7]
uniform vec4 vs_const0[4];
uniform float winsys_adjust_y;

void vs_main()
{
    ivec4 sv0 = ivec4(gl_InstanceID); // SV[0], INSTANCEID
    ivec4 sv1 = ivec4(gl_VertexID); // SV[1], VERTEXID
    vec4 temp0 = vec4(0.0);

    // 0: DP4 OUT[0].x, IN[0], CONST[0]
    gl_Position.x = dot(in0, vs_const0[0]);
    // 1: DP4 OUT[0].y, IN[0], CONST[1]
    gl_Position.y = dot(in0, vs_const0[1]);
    // 2: DP4 OUT[0].z, IN[0], CONST[2]
    gl_Position.z = dot(in0, vs_const0[2]);
    // 3: DP4 OUT[0].w, IN[0], CONST[3]
    gl_Position.w = dot(in0, vs_const0[3]);
    // 4: MOV OUT[2], IN[0]
    clipvertex = in0;
    // 5: I2F TEMP[0].x, SV[0].xxxx
    temp0.x = float(sv0.x);
    // 6: I2F TEMP[0].y, SV[1].xxxx
    temp0.y = float(sv1.x);
    // 7: ADD OUT[1].x, TEMP[0].xxxx, TEMP[0].yyyy
    psize.x = temp0.x + temp0.y;
    // 8: MOV OUT[3], IN[1]
    v_color0 = in1;
    // 9: MOV OUT[4], IN[1].wzyx
    v_bcolor0 = in1.wzyx;
    // 10: MOV OUT[5], TEMP[0].xxxx
    v_fog0 = temp0.xxxx;
    // 11: MOV OUT[6], IN[1]
    v_texcoord2 = in1;
    // 12: MOV OUT[7], IN[1].xxxx
    edgeflag = in1.xxxx;
    // 13: END
}

void main()
{
    vs_main();
    gl_PointSize = psize.x;
    for (int i = 0; i < 8; i++)
        gl_ClipDistance[i] = dot(winsys_clip_planes[i], clipvertex);
    gl_Position.y *= winsys_adjust_y;
}
