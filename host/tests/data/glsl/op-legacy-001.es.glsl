#version 320 es
precision highp float;
precision highp int;
// fragment shader translated from TGSI

in vec4 v_generic0; // IN[0]
in vec4 v_generic1; // IN[1]
layout(location = 0) out vec4 out0;

void main()
{
    // 0: ADD OUT[0], IN[0], IN[1]
    out0 = v_generic0 + v_generic1;
    // 1: END
}
