#version 320 es
precision highp float;
precision highp int;
// compute shader translated from TGSI

layout(local_size_x = 4, local_size_y = 1, local_size_z = 1) in;
layout(std430, binding = 0) buffer cs_ssbo0_block { uint cs_ssbo0[]; };

void main()
{
    uvec4 sv0 = uvec4(gl_LocalInvocationID, 0u); // SV[0], THREAD_ID
    uvec4 sv1 = uvec4(gl_WorkGroupID, 0u); // SV[1], BLOCK_ID
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    const uvec4 imm0 = uvec4(4u, 3u, 7u, 0u); // as float: (6e-45, 4e-45, 1e-44, 0.0)

    // 0: UMAD TEMP[0].x, SV[1].xxxx, IMM[0].xxxx, SV[0].xxxx
    temp0.x = uintBitsToFloat(sv1.x * imm0.x + sv0.x);
    // 1: UMUL TEMP[1].x, TEMP[0].xxxx, TEMP[0].xxxx
    temp1.x = uintBitsToFloat(floatBitsToUint(temp0.x) * floatBitsToUint(temp0.x));
    // 2: UMAD TEMP[1].x, TEMP[1].xxxx, IMM[0].yyyy, IMM[0].zzzz
    temp1.x = uintBitsToFloat(floatBitsToUint(temp1.x) * imm0.y + imm0.z);
    // 3: UMUL TEMP[0].x, TEMP[0].xxxx, IMM[0].xxxx
    temp0.x = uintBitsToFloat(floatBitsToUint(temp0.x) * imm0.x);
    // 4: STORE BUFFER[0].x, TEMP[0].xxxx, TEMP[1].xxxx
    cs_ssbo0[(floatBitsToUint(temp0.x) >> 2)] = floatBitsToUint(temp1.x);
    // 5: END
}
