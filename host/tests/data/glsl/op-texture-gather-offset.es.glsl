#version 320 es
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp sampler3D;
precision highp usampler2DArray;
precision highp sampler2DShadow;
// fragment shader translated from TGSI

in vec4 v_generic0; // IN[0]
flat in vec4 v_generic1; // IN[1]
layout(location = 0) out vec4 out0;
uniform sampler2D fs_samp0;
uniform float fs_samp0_lodbias;
uniform sampler2DShadow fs_samp1;
uniform float fs_samp1_lodbias;
uniform ivec4 fs_samp1_swizzle;
uniform usampler2DArray fs_samp2;
uniform float fs_samp2_lodbias;
uniform sampler3D fs_samp3;
uniform float fs_samp3_lodbias;
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
    vec4 temp4 = vec4(0.0);
    const uvec4 imm0 = uvec4(0u, 1u, 2u, 3u); // as float: (0.0, 1e-45, 3e-45, 4e-45)
    const ivec4 imm1 = ivec4(-2, 1, 3, 0);
    const vec4 imm2 = vec4(0.5, 1.0, 0.0, 0.0);

    // 0: TG4 TEMP[0], IN[0], IMM[0].xxxx, SAMP[0], 2D
    temp0 = textureGather(fs_samp0, v_generic0.xy);
    // 1: TG4 TEMP[1], IN[0], IMM[0].yyyy, SAMP[0], 2D, IMM[1].xyz
    temp1 = textureGatherOffset(fs_samp0, v_generic0.xy, imm1.xy, 1);
    // 2: TG4 TEMP[2], IN[0], IMM[0].wwww, SAMP[0], 2D, IN[1].xyz
    temp2 = textureGatherOffset(fs_samp0, v_generic0.xy, floatBitsToInt(v_generic1.xy), 3);
    // 3: TG4 TEMP[3], IN[0], IMM[0].xxxx, SAMP[1], SHADOW2D
    temp3 = textureGather(fs_samp1, v_generic0.xy, v_generic0.z);
    // 4: TG4 TEMP[4], IN[0], IMM[0].zzzz, SAMP[2], 2D_ARRAY, IMM[1].xxx, IMM[1].xyy, IMM[1].yxx, IMM[1].zzz
    temp4 = uintBitsToFloat(textureGatherOffsets(fs_samp2, v_generic0.xyz, ivec2[4](imm1.xx, imm1.xy, imm1.yx, imm1.zz), 2));
    // 5: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 6: ADD TEMP[0], TEMP[0], TEMP[2]
    temp0 = temp0 + temp2;
    // 7: ADD TEMP[0], TEMP[0], TEMP[3]
    temp0 = temp0 + temp3;
    // 8: U2F TEMP[4], TEMP[4]
    temp4 = vec4(floatBitsToUint(temp4));
    // 9: ADD TEMP[0], TEMP[0], TEMP[4]
    temp0 = temp0 + temp4;
    // 10: TEX TEMP[1], IN[0], SAMP[0], 2D, IMM[1].xyz
    temp1 = textureOffset(fs_samp0, v_generic0.xy, imm1.xy, fs_samp0_lodbias);
    // 11: TXL TEMP[2], IN[0], SAMP[3], 3D, IMM[1].xyz
    temp2 = textureLodOffset(fs_samp3, v_generic0.xyz, v_generic0.w + fs_samp3_lodbias, imm1.xyz);
    // 12: TXB TEMP[3], IN[0], SAMP[0], 2D, IMM[1].yxz
    temp3 = textureOffset(fs_samp0, v_generic0.xy, imm1.yx, v_generic0.w + fs_samp0_lodbias);
    // 13: TXF TEMP[4], IN[1], SAMP[2], 2D_ARRAY, IMM[1].xyz
    temp4 = uintBitsToFloat(texelFetchOffset(fs_samp2, floatBitsToInt(v_generic1.xyz), floatBitsToInt(v_generic1.w), imm1.xy));
    // 14: TEX TEMP[1].x, IN[0], SAMP[1], SHADOW2D, IMM[1].yxz
    temp1.x = shadow_swizzle(textureOffset(fs_samp1, v_generic0.xyz, imm1.yx, fs_samp1_lodbias), fs_samp1_swizzle).x;
    // 15: U2F TEMP[4], TEMP[4]
    temp4 = vec4(floatBitsToUint(temp4));
    // 16: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 17: ADD TEMP[0], TEMP[0], TEMP[2]
    temp0 = temp0 + temp2;
    // 18: ADD TEMP[0], TEMP[0], TEMP[3]
    temp0 = temp0 + temp3;
    // 19: ADD OUT[0], TEMP[0], TEMP[4]
    out0 = temp0 + temp4;
    // 20: END
}
