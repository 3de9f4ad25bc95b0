#version 320 es
precision highp float;
precision highp int;
// fragment shader translated from TGSI

layout(location = 0) out vec4 out0;
uniform vec4 fs_const0[2];

void main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    const ivec4 imm0 = ivec4(7, -7, 0, 3);
    const uvec4 imm1 = uvec4(7u, 0u, 2u, 4294967295u); // as float: (1e-44, 0.0, 3e-45, non-finite)

    // 0: IDIV TEMP[0].xy, IMM[0].xyyy, IMM[0].wwww
    temp0.xy = intBitsToFloat(imm0.xy / imm0.ww);
    // 1: MOD TEMP[0].zw, IMM[0].xxxy, IMM[0].wwww
    temp0.zw = intBitsToFloat(imm0.xy % imm0.ww);
    // 2: UDIV TEMP[1].x, IMM[1].xxxx, IMM[1].yyyy
    temp1.x = uintBitsToFloat((imm1.y == 0u ? 0xffffffffu : imm1.x / imm1.y));
    // 3: UDIV TEMP[1].yzw, IMM[1].xxxx, IMM[1].yzww
    temp1.yzw = uintBitsToFloat((imm1.xxx / max(imm1.zww, 1u)) | uvec3(equal(imm1.zww, uvec3(0u))) * 0xffffffffu);
    // 4: UMOD TEMP[1].x, IMM[1].xxxx, CONST[0].xxxx
    temp1.x = uintBitsToFloat((floatBitsToUint(fs_const0[0].x) == 0u ? 0xffffffffu : imm1.x % floatBitsToUint(fs_const0[0].x)));
    // 5: UMOD TEMP[1].zw, IMM[1].xxxx, IMM[1].yyzz
    temp1.zw = uintBitsToFloat((imm1.xx % max(imm1.zz, 1u)) | uvec2(equal(imm1.zz, uvec2(0u))) * 0xffffffffu);
    // 6: ARR TEMP[1].y, CONST[1].xxxx
    temp1.y = intBitsToFloat(int(roundEven(fs_const0[1].x)));
    // 7: I2F TEMP[0], TEMP[0]
    temp0 = vec4(floatBitsToInt(temp0));
    // 8: U2F TEMP[1], TEMP[1]
    temp1 = vec4(floatBitsToUint(temp1));
    // 9: ADD OUT[0], TEMP[0], TEMP[1]
    out0 = temp0 + temp1;
    // 10: END
}
