#version 320 es
precision highp float;
precision highp int;
precision highp image3D;
precision highp iimageBuffer;
precision highp uimage2DArray;
// compute shader translated from TGSI

layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(std430, binding = 0) buffer cs_ssbo0_block { uint cs_ssbo0[]; };
layout(std430, binding = 2) buffer cs_ssbo2_block { uint cs_ssbo2[]; };
layout(std430, binding = 2) buffer cs_ssbo2_iblock { int cs_ssbo2_i[]; };
layout(r32ui, binding = 0) uniform uimage2DArray cs_image0;
layout(rgba16f, binding = 1) uniform readonly image3D cs_image1;
layout(r32i, binding = 3) uniform iimageBuffer cs_image3;

void main()
{
    uvec4 sv0 = uvec4(gl_LocalInvocationID, 0u); // SV[0], THREAD_ID
    uvec4 sv1 = uvec4(gl_NumWorkGroups, 0u); // SV[1], GRID_SIZE
    uvec4 sv2 = uvec4(gl_WorkGroupSize, 0u); // SV[2], BLOCK_SIZE
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    vec4 temp3 = vec4(0.0);
    const uvec4 imm0 = uvec4(4u, 1u, 15u, 0u); // as float: (6e-45, 1e-45, 2.1e-44, 0.0)

    // 0: LOAD TEMP[0].xzw, BUFFER[0], SV[0].xxxx
    temp0.xzw = uintBitsToFloat(uvec3(cs_ssbo0[(sv0.x >> 2)], cs_ssbo0[(sv0.x >> 2) + 2u], cs_ssbo0[(sv0.x >> 2) + 3u]));
    // 1: STORE BUFFER[0].yw, SV[0].yyyy, TEMP[0]
    cs_ssbo0[(sv0.y >> 2) + 1u] = floatBitsToUint(temp0.y);
    cs_ssbo0[(sv0.y >> 2) + 3u] = floatBitsToUint(temp0.w);
    // 2: ATOMUADD TEMP[1].x, BUFFER[2], IMM[0].xxxx, IMM[0].yyyy
    temp1.x = uintBitsToFloat(atomicAdd(cs_ssbo2[(imm0.x >> 2)], imm0.y));
    // 3: ATOMCAS TEMP[1].y, BUFFER[2], IMM[0].wwww, TEMP[1].xxxx, IMM[0].yyyy
    temp1.y = uintBitsToFloat(atomicCompSwap(cs_ssbo2[(imm0.w >> 2)], floatBitsToUint(temp1.x), imm0.y));
    // 4: ATOMIMAX TEMP[1].zw, BUFFER[2], IMM[0].xxxx, SV[1].xxxx
    temp1.zw = intBitsToFloat(ivec2(atomicMax(cs_ssbo2_i[(imm0.x >> 2)], int(sv1.x))));
    // 5: ATOMXOR TEMP[1].x, IMAGE[0], SV[0].xyzz, IMM[0].zzzz, 2D_ARRAY, PIPE_FORMAT_R32_UINT
    temp1.x = uintBitsToFloat(imageAtomicXor(cs_image0, ivec3(sv0.xyz), imm0.z));
    // 6: LOAD TEMP[2], IMAGE[1], SV[0].xyzz, 3D, PIPE_FORMAT_R16G16B16A16_FLOAT
    temp2 = imageLoad(cs_image1, ivec3(sv0.xyz));
    // 7: STORE IMAGE[3], SV[0].xxxx, TEMP[1].xxxx, BUFFER, PIPE_FORMAT_R32_SINT
    imageStore(cs_image3, int(sv0.x), floatBitsToInt(temp1.xxxx));
    // 8: RESQ TEMP[3].x, BUFFER[0]
    temp3.x = uintBitsToFloat(uvec4(uint(cs_ssbo0.length()) * 4u).x);
    // 9: RESQ TEMP[3].yzw, IMAGE[1]
    temp3.yzw = intBitsToFloat(ivec4(imageSize(cs_image1), 0).yzw);
    // 10: MEMBAR IMM[0].zzzz
    memoryBarrier();
    memoryBarrierShared();
    // 11: BARRIER
    barrier();
    // 12: ATOMIMIN TEMP[2].x, IMAGE[3], SV[2].xxxx, TEMP[2].yyyy, BUFFER, PIPE_FORMAT_R32_SINT
    temp2.x = intBitsToFloat(imageAtomicMin(cs_image3, int(sv2.x), floatBitsToInt(temp2.y)));
    // 13: END
}
