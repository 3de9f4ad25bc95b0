#version 320 es
precision highp float;
precision highp int;
// fragment shader translated from TGSI

layout(location = 0) out vec4 out0;
layout(location = 1) out vec4 cbuf1;
layout(location = 2) out vec4 cbuf2;
layout(location = 3) out vec4 cbuf3;
layout(location = 4) out vec4 cbuf4;
layout(location = 5) out vec4 cbuf5;
layout(location = 6) out vec4 cbuf6;
layout(location = 7) out vec4 cbuf7;
uniform vec4 fs_const0[129];

void fs_main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    vec4 temp3 = vec4(0.0);
    vec4 temp4 = vec4(0.0);
    vec4 temp5 = vec4(0.0);
    ivec4 addr0 = ivec4(0);
    const uvec4 imm0 = uvec4(268435455u, 0u, 0u, 0u); // as float: (2.5243547e-29, 0.0, 0.0, 0.0)

    // 0: AND TEMP[0].x, CONST[128].xxxx, IMM[0].xxxx
    temp0.x = uintBitsToFloat(floatBitsToUint(fs_const0[128].x) & imm0.x);
    // 1: UARL ADDR[0].x, TEMP[0].xxxx
    addr0.x = int(floatBitsToUint(temp0.x));
    // 2: MOV TEMP[1], CONST[ADDR[0].x]
    temp1 = fs_const0[addr0.x];
    // 3: ADD OUT[0], CONST[70], TEMP[1]
    out0 = fs_const0[70] + temp1;
    // 4: END
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
