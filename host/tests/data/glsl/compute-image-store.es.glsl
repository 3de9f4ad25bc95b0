#version 320 es
precision highp float;
precision highp int;
precision highp uimage2D;
// compute shader translated from TGSI

layout(local_size_x = 8, local_size_y = 4, local_size_z = 1) in;
layout(rgba8ui, binding = 0) uniform writeonly uimage2D cs_image0;

void main()
{
    uvec4 sv0 = uvec4(gl_LocalInvocationID, 0u); // SV[0], THREAD_ID
    uvec4 sv1 = uvec4(gl_WorkGroupID, 0u); // SV[1], BLOCK_ID
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    const uvec4 imm0 = uvec4(8u, 4u, 30u, 5u); // as float: (1.1e-44, 6e-45, 4.2e-44, 7e-45)
    const uvec4 imm1 = uvec4(20u, 3u, 250u, 0u); // as float: (2.8e-44, 4e-45, 3.5e-43, 0.0)

    // 0: UMAD TEMP[0].xy, SV[1].xyyy, IMM[0].xyyy, SV[0].xyyy
    temp0.xy = uintBitsToFloat(sv1.xy * imm0.xy + sv0.xy);
    // 1: UMAD TEMP[1].x, TEMP[0].xxxx, IMM[0].zzzz, IMM[0].wwww
    temp1.x = uintBitsToFloat(floatBitsToUint(temp0.x) * imm0.z + imm0.w);
    // 2: UMAD TEMP[1].y, TEMP[0].yyyy, IMM[1].xxxx, IMM[1].yyyy
    temp1.y = uintBitsToFloat(floatBitsToUint(temp0.y) * imm1.x + imm1.y);
    // 3: UMAD TEMP[1].z, TEMP[0].yyyy, IMM[0].xxxx, TEMP[0].xxxx
    temp1.z = uintBitsToFloat(floatBitsToUint(temp0.y) * imm0.x + floatBitsToUint(temp0.x));
    // 4: UADD TEMP[1].w, TEMP[0].xxxx, TEMP[0].yyyy
    temp1.w = uintBitsToFloat(floatBitsToUint(temp0.x) + floatBitsToUint(temp0.y));
    // 5: INEG TEMP[1].w, TEMP[1].wwww
    temp1.w = intBitsToFloat(-floatBitsToInt(temp1.w));
    // 6: UADD TEMP[1].w, TEMP[1].wwww, IMM[1].zzzz
    temp1.w = uintBitsToFloat(floatBitsToUint(temp1.w) + imm1.z);
    // 7: STORE IMAGE[0], TEMP[0].xyyy, TEMP[1], 2D, PIPE_FORMAT_R8G8B8A8_UINT
    imageStore(cs_image0, floatBitsToInt(temp0.xy), floatBitsToUint(temp1));
    // 8: END
}
