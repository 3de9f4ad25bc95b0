#version 100
#extension GL_OES_standard_derivatives : enable
#extension GL_OES_texture_3D : enable
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float;
precision highp int;
#else
precision mediump float;
precision mediump int;
#endif
precision highp sampler3D;
// fragment shader translated from TGSI

varying vec4 v_texcoord0; // IN[0]
varying vec4 v_texcoord1; // IN[1]
vec4 out0 = vec4(0.0); // OUT[0]
uniform sampler2D fs_samp0;
uniform float fs_samp0_lodbias;
uniform ivec4 fs_samp0_swizzle; // pipe_swizzle per channel
uniform vec2 fs_samp0_size;
uniform samplerCube fs_samp1;
uniform float fs_samp1_lodbias;
uniform ivec4 fs_samp1_swizzle; // pipe_swizzle per channel
uniform vec2 fs_samp1_size;
uniform sampler3D fs_samp2;
uniform float fs_samp2_lodbias;
uniform ivec4 fs_samp2_swizzle; // pipe_swizzle per channel
uniform vec2 fs_samp2_size;
uniform sampler2D fs_samp3;
uniform float fs_samp3_lodbias;
uniform ivec4 fs_samp3_swizzle; // pipe_swizzle per channel
uniform vec2 fs_samp3_size;
uniform int fs_samp3_compare; // pipe_compare_func, -1 for none
uniform sampler2D fs_samp4;
uniform float fs_samp4_lodbias;
uniform ivec4 fs_samp4_swizzle; // pipe_swizzle per channel
uniform vec2 fs_samp4_size;
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
float es_compare(float r, float d, int f)
{
    if (f < 0)
        return d;
    r = clamp(r, 0.0, 1.0);
    if (f == 1)
        return float(r < d);
    if (f == 2)
        return float(r == d);
    if (f == 3)
        return float(r <= d);
    if (f == 4)
        return float(r > d);
    if (f == 5)
        return float(r != d);
    if (f == 6)
        return float(r >= d);
    return float(f == 7);
}
float es_grad_lod(vec2 dx, vec2 dy, vec2 size)
{
    return log2(max(length(dx * size), length(dy * size)));
}

float es_grad_lod(vec3 dx, vec3 dy, vec3 size)
{
    return log2(max(length(dx * size), length(dy * size)));
}

float es_grad_lod_cube(vec3 c, vec3 dx, vec3 dy, float size)
{
    vec3 a = abs(c);
    return es_grad_lod(dx, dy, vec3(0.5 * size / max(max(a.x, a.y), a.z)));
}
float es_lod(vec2 t)
{
    return log2(max(length(dFdx(t)), length(dFdy(t))));
}

float es_lod(vec3 t)
{
    return log2(max(length(dFdx(t)), length(dFdy(t))));
}

float es_lod_cube(vec3 c, float size)
{
    vec3 a = abs(c);
    return es_lod(c * (0.5 * size / max(max(a.x, a.y), a.z)));
}

void fs_main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);

    // 0: TEX TEMP[0], IN[0], SAMP[0], 2D
    temp0 = es_swizzle(texture2D(fs_samp0, v_texcoord0.xy, fs_samp0_lodbias), fs_samp0_swizzle);
    // 1: TXP TEMP[1], IN[0], SAMP[0], 2D
    temp1 = es_swizzle(texture2DProj(fs_samp0, v_texcoord0, fs_samp0_lodbias), fs_samp0_swizzle);
    // 2: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 3: TXB TEMP[1], IN[1], SAMP[1], CUBE
    temp1 = es_swizzle(textureCube(fs_samp1, v_texcoord1.xyz, v_texcoord1.w + fs_samp1_lodbias), fs_samp1_swizzle);
    // 4: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 5: TXL TEMP[1], IN[0], SAMP[0], 2D
    temp1 = es_swizzle(texture2D(fs_samp0, v_texcoord0.xy, v_texcoord0.w + fs_samp0_lodbias - es_lod(v_texcoord0.xy * fs_samp0_size)), fs_samp0_swizzle);
    // 6: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 7: TEX TEMP[1], IN[1], SAMP[2], 3D
    temp1 = es_swizzle(texture3D(fs_samp2, v_texcoord1.xyz, fs_samp2_lodbias), fs_samp2_swizzle);
    // 8: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 9: TEX TEMP[1].x, IN[0], SAMP[3], SHADOW2D
    temp1.x = es_swizzle(vec4(es_compare(v_texcoord0.z, texture2D(fs_samp3, v_texcoord0.xy, fs_samp3_lodbias).x, fs_samp3_compare), 0.0, 0.0, 1.0), fs_samp3_swizzle).x;
    // 10: TXP TEMP[1].y, IN[0], SAMP[3], SHADOW2D
    temp1.y = es_swizzle(vec4(es_compare(v_texcoord0.z / v_texcoord0.w, texture2D(fs_samp3, v_texcoord0.xy / v_texcoord0.w, fs_samp3_lodbias).x, fs_samp3_compare), 0.0, 0.0, 1.0), fs_samp3_swizzle).y;
    // 11: ADD TEMP[0].xy, TEMP[0], TEMP[1]
    temp0.xy = temp0.xy + temp1.xy;
    // 12: TXD TEMP[1], IN[0], IN[1].zwxy, IN[1], SAMP[0], 2D
    temp1 = es_swizzle(texture2D(fs_samp0, v_texcoord0.xy, es_grad_lod(v_texcoord1.zw, v_texcoord1.xy, fs_samp0_size) + fs_samp0_lodbias - es_lod(v_texcoord0.xy * fs_samp0_size)), fs_samp0_swizzle);
    // 13: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 14: TEX TEMP[1], IN[1], SAMP[4], RECT
    temp1 = es_swizzle(texture2D(fs_samp4, v_texcoord1.xy / fs_samp4_size, fs_samp4_lodbias), fs_samp4_swizzle);
    // 15: MAD OUT[0], TEMP[1], IN[0].wwww, TEMP[0]
    out0 = temp1 * v_texcoord0.wwww + temp0;
    // 16: END
}

void main()
{
    fs_main();
    gl_FragColor = out0;
}
