#version 330 core
// vertex shader translated from TGSI

layout(location = 0) in vec4 in0;
out vec4 v_generic0; // OUT[1]
out float gl_ClipDistance[2];
vec4 clipdist0 = vec4(0.0); // OUT[2]
uniform vec4 vs_const0[2];
uniform float winsys_adjust_y = 1.0;

void vs_main()
{
    // 0: MOV OUT[0], IN[0]
    gl_Position = in0;
    // 1: MOV OUT[1], CONST[0]
    v_generic0 = vs_const0[0];
    // 2: DP4 OUT[2].x, IN[0], CONST[1]
    clipdist0.x = dot(in0, vs_const0[1]);
    // 3: DP4 OUT[2].y, IN[0], -CONST[1]
    clipdist0.y = dot(in0, -vs_const0[1]);
    // 4: END
}

void main()
{
    vs_main();
    gl_ClipDistance[0] = clipdist0.x;
    gl_ClipDistance[1] = clipdist0.y;
    gl_Position.y *= winsys_adjust_y;
}
