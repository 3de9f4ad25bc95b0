#version 320 es
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp sampler3D;
precision highp sampler2DShadow;
// fragment shader translated from TGSI

in vec4 v_generic0; // IN[0]
flat in vec4 v_generic1; // IN[1]
layout(location = 0) out vec4 out0;
uniform sampler3D fs_samp0;
uniform float fs_samp0_lodbias;
uniform sampler2D fs_samp1[3];
uniform float fs_samp1_lodbias[3];
uniform sampler2DShadow fs_samp4;
uniform float fs_samp4_lodbias;
uniform ivec4 fs_samp4_swizzle;
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
    ivec4 addr2 = ivec4(0);
    const uvec4 imm0 = uvec4(1u, 0u, 0u, 0u); // as float: (1e-45, 0.0, 0.0, 0.0)

    // 0: UARL ADDR[2].x, IN[1].xxxx
    addr2.x = int(floatBitsToUint(v_generic1.x));
    // 1: TEX TEMP[0], IN[0], SAMP[ADDR[2].x+1], 2D
    temp0 = texture(fs_samp1[addr2.x], v_generic0.xy, fs_samp1_lodbias[addr2.x]);
    // 2: TEX TEMP[1], IN[0], SAMP[2], 2D
    temp1 = texture(fs_samp1[1], v_generic0.xy, fs_samp1_lodbias[1]);
    // 3: TG4 TEMP[2], IN[0], IMM[0].xxxx, SAMP[ADDR[2].x+2], 2D
    temp2 = textureGather(fs_samp1[addr2.x + 1], v_generic0.xy, 1);
    // 4: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 5: ADD TEMP[0], TEMP[0], TEMP[2]
    temp0 = temp0 + temp2;
    // 6: TEX TEMP[1], IN[0], SAMP[0], 3D
    temp1 = texture(fs_samp0, v_generic0.xyz, fs_samp0_lodbias);
    // 7: ADD OUT[0], TEMP[0], TEMP[1]
    out0 = temp0 + temp1;
    // 8: END
}
