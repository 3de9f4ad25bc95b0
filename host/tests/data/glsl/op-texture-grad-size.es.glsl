#version 320 es
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp samplerCube;
precision highp sampler2DShadow;
// fragment shader translated from TGSI

in vec4 v_generic0; // IN[0]
layout(location = 0) out vec4 out0;
uniform sampler2D fs_samp0;
uniform float fs_samp0_lodbias;
uniform samplerCube fs_samp1;
uniform float fs_samp1_lodbias;
uniform sampler2DShadow fs_samp2;
uniform float fs_samp2_lodbias;
uniform ivec4 fs_samp2_swizzle;
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
    vec4 temp3 = vec4(0.0);
    const ivec4 imm0 = ivec4(0, 1, 0, 0);

    // 0: DDX TEMP[0], IN[0]
    temp0 = dFdx(v_generic0);
    // 1: DDY TEMP[1], IN[0]
    temp1 = dFdy(v_generic0);
    // 2: TXD TEMP[2], IN[0], TEMP[0], TEMP[1], SAMP[0], 2D
    temp2 = textureGrad(fs_samp0, v_generic0.xy, temp0.xy, temp1.xy);
    // 3: TXD TEMP[3].x, IN[0].zyxw, TEMP[0].wzyx, TEMP[1], SAMP[1], CUBE
    temp3.x = textureGrad(fs_samp1, v_generic0.zyx, temp0.wzy, temp1.xyz).x;
    // 4: TXQ TEMP[0].xy, IMM[0].xxxx, SAMP[0], 2D
    temp0.xy = intBitsToFloat(ivec4(textureSize(fs_samp0, imm0.x), 0, 0).xy);
    // 5: TXQ TEMP[0].z, IMM[0].yyyy, SAMP[1], CUBE
    temp0.z = intBitsToFloat(ivec4(textureSize(fs_samp1, imm0.y), 0, 0).z);
    // 6: I2F TEMP[0].xyz, TEMP[0]
    temp0.xyz = vec3(floatBitsToInt(temp0.xyz));
    // 7: TXP TEMP[1], IN[0], SAMP[2], SHADOW2D
    temp1 = shadow_swizzle(textureProj(fs_samp2, v_generic0, fs_samp2_lodbias), fs_samp2_swizzle);
    // 8: TXD TEMP[3].yz, IN[0], TEMP[0], TEMP[1], SAMP[2], SHADOW2D
    temp3.yz = shadow_swizzle(textureGrad(fs_samp2, v_generic0.xyz, temp0.xy, temp1.xy), fs_samp2_swizzle).yz;
    // 9: ADD TEMP[2], TEMP[2], TEMP[3]
    temp2 = temp2 + temp3;
    // 10: MAD OUT[0], TEMP[0], TEMP[1], TEMP[2]
    out0 = temp0 * temp1 + temp2;
    // 11: END
}
