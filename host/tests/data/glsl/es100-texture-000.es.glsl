#version 320 es
#extension GL_EXT_clip_cull_distance : require
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp samplerCube;
// vertex shader translated from TGSI

layout(location = 0) in vec4 in0;
layout(location = 1) in vec4 in1;
out vec4 v_texcoord0; // OUT[1]
out vec4 v_texcoord1; // OUT[2]
out float gl_ClipDistance[8];
uniform vec4 winsys_clip_planes[8];
uniform sampler2D vs_samp0;
uniform float vs_samp0_lodbias;
uniform samplerCube vs_samp1;
uniform float vs_samp1_lodbias;
uniform float winsys_point_size;
uniform float winsys_adjust_y;

void vs_main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);

    // 0: MOV OUT[0], IN[0]
    gl_Position = in0;
    // 1: TEX TEMP[0], IN[1], SAMP[0], 2D
    temp0 = textureLod(vs_samp0, in1.xy, vs_samp0_lodbias);
    // 2: TXL TEMP[1], IN[1], SAMP[1], CUBE
    temp1 = textureLod(vs_samp1, in1.xyz, in1.w + vs_samp1_lodbias);
    // 3: MOV OUT[1], TEMP[0]
    v_texcoord0 = temp0;
    // 4: MOV OUT[2], TEMP[1]
    v_texcoord1 = temp1;
    // 5: END
}

void main()
{
    vs_main();
    for (int i = 0; i < 8; i++)
        gl_ClipDistance[i] = dot(winsys_clip_planes[i], gl_Position);
    gl_Position.y *= winsys_adjust_y;
    gl_PointSize = winsys_point_size;
}
