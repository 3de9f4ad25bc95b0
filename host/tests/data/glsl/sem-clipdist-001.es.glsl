#version 320 es
precision highp float;
precision highp int;
// fragment shader translated from TGSI

layout(location = 0) out vec4 out0;

void main()
{
    const vec4 imm0 = vec4(0.0, 1.0, 0.0, 1.0);

    // 0: MOV OUT[0], IMM[0]
    out0 = imm0;
    // 1: END
}
