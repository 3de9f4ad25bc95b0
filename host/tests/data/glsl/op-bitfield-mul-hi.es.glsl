#version 320 es
precision highp float;
precision highp int;
// fragment shader translated from TGSI

flat in vec4 v_generic0; // IN[0]
layout(location = 0) out vec4 out0;
int imul_hi(int a, int b) { int h, l; imulExtended(a, b, h, l); return h; }
ivec2 imul_hi(ivec2 a, ivec2 b) { ivec2 h, l; imulExtended(a, b, h, l); return h; }
ivec3 imul_hi(ivec3 a, ivec3 b) { ivec3 h, l; imulExtended(a, b, h, l); return h; }
ivec4 imul_hi(ivec4 a, ivec4 b) { ivec4 h, l; imulExtended(a, b, h, l); return h; }
uint umul_hi(uint a, uint b) { uint h, l; umulExtended(a, b, h, l); return h; }
uvec2 umul_hi(uvec2 a, uvec2 b) { uvec2 h, l; umulExtended(a, b, h, l); return h; }
uvec3 umul_hi(uvec3 a, uvec3 b) { uvec3 h, l; umulExtended(a, b, h, l); return h; }
uvec4 umul_hi(uvec4 a, uvec4 b) { uvec4 h, l; umulExtended(a, b, h, l); return h; }

void main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    vec4 temp3 = vec4(0.0);
    const uvec4 imm0 = uvec4(3u, 5u, 8u, 4294967295u); // as float: (4e-45, 7e-45, 1.1e-44, non-finite)
    const ivec4 imm1 = ivec4(-7, 2, 16, 0);

    // 0: IBFE TEMP[0].xy, IN[0], IMM[0].xyyy, IMM[0].zzzz
    temp0.xy = intBitsToFloat(ivec2(bitfieldExtract(floatBitsToInt(v_generic0.x), int(imm0.x), int(imm0.z)), bitfieldExtract(floatBitsToInt(v_generic0.y), int(imm0.y), int(imm0.z))));
    // 1: UBFE TEMP[0].zw, IN[0].xyxy, IMM[0].xxxx, IMM[0].yyzz
    temp0.zw = uintBitsToFloat(uvec2(bitfieldExtract(floatBitsToUint(v_generic0.x), int(imm0.x), int(imm0.z)), bitfieldExtract(floatBitsToUint(v_generic0.y), int(imm0.x), int(imm0.z))));
    // 2: BFI TEMP[1], IN[0], IMM[0].wwww, IMM[1].yyyy, IMM[0].xxxx
    temp1 = uintBitsToFloat(uvec4(bitfieldInsert(floatBitsToUint(v_generic0.x), imm0.w, imm1.y, int(imm0.x)), bitfieldInsert(floatBitsToUint(v_generic0.y), imm0.w, imm1.y, int(imm0.x)), bitfieldInsert(floatBitsToUint(v_generic0.z), imm0.w, imm1.y, int(imm0.x)), bitfieldInsert(floatBitsToUint(v_generic0.w), imm0.w, imm1.y, int(imm0.x))));
    // 3: BREV TEMP[2].x, TEMP[1].xxxx
    temp2.x = uintBitsToFloat(bitfieldReverse(floatBitsToUint(temp1.x)));
    // 4: POPC TEMP[2].y, TEMP[1].yyyy
    temp2.y = intBitsToFloat(bitCount(floatBitsToUint(temp1.y)));
    // 5: LSB TEMP[2].z, TEMP[1].zzzz
    temp2.z = intBitsToFloat(findLSB(floatBitsToUint(temp1.z)));
    // 6: IMSB TEMP[2].w, IMM[1].xxxx
    temp2.w = intBitsToFloat(findMSB(imm1.x));
    // 7: UMSB TEMP[3].x, TEMP[0].wwww
    temp3.x = intBitsToFloat(findMSB(floatBitsToUint(temp0.w)));
    // 8: IMUL_HI TEMP[3].yz, TEMP[0].xyyy, IMM[1].xxzz
    temp3.yz = intBitsToFloat(imul_hi(floatBitsToInt(temp0.yy), imm1.xz));
    // 9: UMUL_HI TEMP[3].w, TEMP[1].wwww, IMM[0].wwww
    temp3.w = uintBitsToFloat(umul_hi(floatBitsToUint(temp1.w), imm0.w));
    // 10: FMA TEMP[0], TEMP[0], TEMP[1], TEMP[2]
    temp0 = fma(temp0, temp1, temp2);
    // 11: UADD TEMP[0], TEMP[0], TEMP[3]
    temp0 = uintBitsToFloat(floatBitsToUint(temp0) + floatBitsToUint(temp3));
    // 12: U2F OUT[0], TEMP[0]
    out0 = vec4(floatBitsToUint(temp0));
    // 13: END
}
