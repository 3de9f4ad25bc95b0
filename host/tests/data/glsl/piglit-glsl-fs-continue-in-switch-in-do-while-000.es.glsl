#version 320 es
#extension GL_EXT_clip_cull_distance : require
precision highp float;
precision highp int;
// vertex shader translated from TGSI

layout(location = 0) in vec4 in0;
out float gl_ClipDistance[8];
uniform vec4 winsys_clip_planes[8];
uniform float winsys_point_size;
uniform float winsys_adjust_y;

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
    for (int i = 0; i < 8; i++)
        gl_ClipDistance[i] = dot(winsys_clip_planes[i], gl_Position);
    gl_Position.y *= winsys_adjust_y;
    gl_PointSize = winsys_point_size;
}
