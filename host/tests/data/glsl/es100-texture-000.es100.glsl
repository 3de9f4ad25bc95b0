#version 100
precision highp float;
precision highp int;
// vertex shader translated from TGSI

attribute vec4 in0;
attribute vec4 in1;
varying vec4 v_texcoord0; // OUT[1]
varying vec4 v_texcoord1; // OUT[2]
varying vec4 winsys_clipdist0;
varying vec4 winsys_clipdist1;
uniform vec4 winsys_clip_planes[8];
uniform sampler2D vs_samp0;
uniform float vs_samp0_lodbias;
uniform ivec4 vs_samp0_swizzle; // pipe_swizzle per channel
uniform vec2 vs_samp0_size;
uniform samplerCube vs_samp1;
uniform float vs_samp1_lodbias;
uniform ivec4 vs_samp1_swizzle; // pipe_swizzle per channel
uniform vec2 vs_samp1_size;
float es_channel(vec4 v, int c)
{
    if (c == 0)
        return v.x;
    if (c == 1)
        return v.y;
    if (c == 2)
        return v.z;
    if (c == 3)
        return v.w;
    return c == 5 ? 1.0 : 0.0;
}

vec4 es_swizzle(vec4 v, ivec4 s)
{
    return vec4(es_channel(v, s.x), es_channel(v, s.y), es_channel(v, s.z), es_channel(v, s.w));
}
uniform float winsys_point_size;
uniform float winsys_adjust_y;

void vs_main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);

    // 0: MOV OUT[0], IN[0]
    gl_Position = in0;
    // 1: TEX TEMP[0], IN[1], SAMP[0], 2D
    temp0 = es_swizzle(texture2DLod(vs_samp0, in1.xy, vs_samp0_lodbias), vs_samp0_swizzle);
    // 2: TXL TEMP[1], IN[1], SAMP[1], CUBE
    temp1 = es_swizzle(textureCubeLod(vs_samp1, in1.xyz, in1.w + vs_samp1_lodbias), vs_samp1_swizzle);
    // 3: MOV OUT[1], TEMP[0]
    v_texcoord0 = temp0;
    // 4: MOV OUT[2], TEMP[1]
    v_texcoord1 = temp1;
    // 5: END
}

void main()
{
    vs_main();
    winsys_clipdist0 = vec4(dot(winsys_clip_planes[0], gl_Position), dot(winsys_clip_planes[1], gl_Position), dot(winsys_clip_planes[2], gl_Position), dot(winsys_clip_planes[3], gl_Position));
    winsys_clipdist1 = vec4(dot(winsys_clip_planes[4], gl_Position), dot(winsys_clip_planes[5], gl_Position), dot(winsys_clip_planes[6], gl_Position), dot(winsys_clip_planes[7], gl_Position));
    gl_Position.y *= winsys_adjust_y;
    gl_PointSize = winsys_point_size;
}
