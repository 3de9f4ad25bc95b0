#version 320 es
#extension GL_NV_shader_noperspective_interpolation : require
precision highp float;
precision highp int;
// fragment shader translated from TGSI

noperspective in vec4 v_generic0; // IN[0]
layout(location = 0) out vec4 out0;
layout(location = 1) out vec4 cbuf1;
layout(location = 2) out vec4 cbuf2;
layout(location = 3) out vec4 cbuf3;
layout(location = 4) out vec4 cbuf4;
layout(location = 5) out vec4 cbuf5;
layout(location = 6) out vec4 cbuf6;
layout(location = 7) out vec4 cbuf7;
layout(std430, binding = 0) buffer fs_ssbo0_block { uint fs_ssbo0[]; };

void fs_main()
{
    vec4 temp0 = vec4(0.0);
    const uvec4 imm0 = uvec4(0u, 1u, 4u, 3u); // as float: (0.0, 1e-45, 6e-45, 4e-45)

    // 0: ATOMUADD TEMP[0].x, BUFFER[0], IMM[0].xxxx, IMM[0].yyyy
    temp0.x = uintBitsToFloat(atomicAdd(fs_ssbo0[(imm0.x >> 2)], imm0.y));
    // 1: ATOMUADD TEMP[0].x, BUFFER[0], IMM[0].zzzz, IMM[0].wwww
    temp0.x = uintBitsToFloat(atomicAdd(fs_ssbo0[(imm0.z >> 2)], imm0.w));
    // 2: MOV OUT[0], IN[0]
    out0 = v_generic0;
    // 3: END
}

void main()
{
    fs_main();
    cbuf1 = out0;
    cbuf2 = out0;
    cbuf3 = out0;
    cbuf4 = out0;
    cbuf5 = out0;
    cbuf6 = out0;
    cbuf7 = out0;
}
