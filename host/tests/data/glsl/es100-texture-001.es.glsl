#version 320 es
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp sampler3D;
precision highp samplerCube;
precision highp sampler2DShadow;
// fragment shader translated from TGSI

in vec4 v_texcoord0; // IN[0]
in vec4 v_texcoord1; // IN[1]
layout(location = 0) out vec4 out0;
uniform sampler2D fs_samp0;
uniform float fs_samp0_lodbias;
uniform samplerCube fs_samp1;
uniform float fs_samp1_lodbias;
uniform sampler3D fs_samp2;
uniform float fs_samp2_lodbias;
uniform sampler2DShadow fs_samp3;
uniform float fs_samp3_lodbias;
uniform ivec4 fs_samp3_swizzle;
uniform sampler2D fs_samp4;
uniform float fs_samp4_lodbias;
vec4 shadow_swizzle(float d, ivec4 s)
{
    vec4 v = vec4(d, 0.0, 0.0, 1.0);
    vec4 r;
    for (int i = 0; i < 4; i++)
        r[i] = s[i] < 4 ? v[s[i]] : float(s[i] == 5);
    return r;
}

void main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);

    // 0: TEX TEMP[0], IN[0], SAMP[0], 2D
    temp0 = texture(fs_samp0, v_texcoord0.xy, fs_samp0_lodbias);
    // 1: TXP TEMP[1], IN[0], SAMP[0], 2D
    temp1 = textureProj(fs_samp0, v_texcoord0, fs_samp0_lodbias);
    // 2: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 3: TXB TEMP[1], IN[1], SAMP[1], CUBE
    temp1 = texture(fs_samp1, v_texcoord1.xyz, v_texcoord1.w + fs_samp1_lodbias);
    // 4: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 5: TXL TEMP[1], IN[0], SAMP[0], 2D
    temp1 = textureLod(fs_samp0, v_texcoord0.xy, v_texcoord0.w + fs_samp0_lodbias);
    // 6: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 7: TEX TEMP[1], IN[1], SAMP[2], 3D
    temp1 = texture(fs_samp2, v_texcoord1.xyz, fs_samp2_lodbias);
    // 8: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 9: TEX TEMP[1].x, IN[0], SAMP[3], SHADOW2D
    temp1.x = shadow_swizzle(texture(fs_samp3, v_texcoord0.xyz, fs_samp3_lodbias), fs_samp3_swizzle).x;
    // 10: TXP TEMP[1].y, IN[0], SAMP[3], SHADOW2D
    temp1.y = shadow_swizzle(textureProj(fs_samp3, v_texcoord0, fs_samp3_lodbias), fs_samp3_swizzle).y;
    // 11: ADD TEMP[0].xy, TEMP[0], TEMP[1]
    temp0.xy = temp0.xy + temp1.xy;
    // 12: TXD TEMP[1], IN[0], IN[1].zwxy, IN[1], SAMP[0], 2D
    temp1 = textureGrad(fs_samp0, v_texcoord0.xy, v_texcoord1.zw, v_texcoord1.xy);
    // 13: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 14: TEX TEMP[1], IN[1], SAMP[4], RECT
    temp1 = texture(fs_samp4, ((v_texcoord1.xy) / vec2(textureSize(fs_samp4, 0))));
    // 15: MAD OUT[0], TEMP[1], IN[0].wwww, TEMP[0]
    out0 = temp1 * v_texcoord0.wwww + temp0;
    // 16: END
}
