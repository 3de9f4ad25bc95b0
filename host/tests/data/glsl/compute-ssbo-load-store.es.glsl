#version 320 es
precision highp float;
precision highp int;
// compute shader translated from TGSI

layout(local_size_x = 16, local_size_y = 1, local_size_z = 1) in;
layout(std430, binding = 0) buffer cs_ssbo0_block { uint cs_ssbo0[]; };
layout(std430, binding = 1) buffer cs_ssbo1_block { uint cs_ssbo1[]; };

void main()
{
    uvec4 sv0 = uvec4(gl_LocalInvocationID, 0u); // SV[0], THREAD_ID
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    const uvec4 imm0 = uvec4(4u, 15u, 5u, 0u); // as float: (6e-45, 2.1e-44, 7e-45, 0.0)

    // 0: INEG TEMP[0].x, SV[0].xxxx
    temp0.x = intBitsToFloat(-int(sv0.x));
    // 1: UADD TEMP[0].x, TEMP[0].xxxx, IMM[0].yyyy
    temp0.x = uintBitsToFloat(floatBitsToUint(temp0.x) + imm0.y);
    // 2: UMUL TEMP[0].x, TEMP[0].xxxx, IMM[0].xxxx
    temp0.x = uintBitsToFloat(floatBitsToUint(temp0.x) * imm0.x);
    // 3: LOAD TEMP[1].x, BUFFER[0], TEMP[0].xxxx
    temp1.x = uintBitsToFloat(cs_ssbo0[(floatBitsToUint(temp0.x) >> 2)]);
    // 4: UMAD TEMP[1].x, TEMP[1].xxxx, IMM[0].zzzz, SV[0].xxxx
    temp1.x = uintBitsToFloat(floatBitsToUint(temp1.x) * imm0.z + sv0.x);
    // 5: UMUL TEMP[2].x, SV[0].xxxx, IMM[0].xxxx
    temp2.x = uintBitsToFloat(sv0.x * imm0.x);
    // 6: STORE BUFFER[1].x, TEMP[2].xxxx, TEMP[1].xxxx
    cs_ssbo1[(floatBitsToUint(temp2.x) >> 2)] = floatBitsToUint(temp1.x);
    // 7: END
}
