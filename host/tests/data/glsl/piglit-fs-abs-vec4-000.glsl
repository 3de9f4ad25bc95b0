#version 330 core
// vertex shader translated from TGSI

layout(location = 0) in vec4 in0;
uniform float winsys_adjust_y = 1.0;

void vs_main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    vec4 temp3 = vec4(0.0);

    // 0: MOV OUT[0], IN[0]
    gl_Position = in0;
    // 1: END
}

void main()
{
    vs_main();
    gl_Position.y *= winsys_adjust_y;
}
