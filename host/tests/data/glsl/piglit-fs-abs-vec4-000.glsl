#version 330 core
// vertex shader translated from TGSI

layout(location = 0) in vec4 in0;

void main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    vec4 temp3 = vec4(0.0);

    // 0: MOV OUT[0], IN[0]
    gl_Position = in0;
    // 1: END
}
