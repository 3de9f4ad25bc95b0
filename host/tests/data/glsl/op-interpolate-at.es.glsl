#version 320 es
#extension GL_NV_shader_noperspective_interpolation : require
precision highp float;
precision highp int;
// fragment shader translated from TGSI

in vec4 v_generic0; // IN[0]
noperspective sample in vec4 v_generic1; // IN[1]
in vec4 v_color0; // IN[2]
layout(location = 0) out vec4 out0;

void main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    const ivec4 imm0 = ivec4(1, 0, 0, 0);
    const vec4 imm1 = vec4(0.25, -0.125, 0.0, 0.0);

    // 0: INTERP_CENTROID TEMP[0], IN[0]
    temp0 = interpolateAtCentroid(v_generic0);
    // 1: INTERP_SAMPLE TEMP[1].xy, IN[0].zwzw, IMM[0].xxxx
    temp1.xy = interpolateAtSample(v_generic0, imm0.x).zw;
    // 2: INTERP_OFFSET TEMP[1].zw, -IN[2], IMM[1].xyxx
    temp1.zw = -interpolateAtOffset(v_color0, imm1.xy).zw;
    // 3: INTERP_CENTROID TEMP[2], IN[1]
    temp2 = interpolateAtCentroid(v_generic1);
    // 4: ADD TEMP[0], TEMP[0], TEMP[1]
    temp0 = temp0 + temp1;
    // 5: ADD OUT[0], TEMP[0], TEMP[2]
    out0 = temp0 + temp2;
    // 6: END
}
