#version 100
precision highp float;
precision highp int;
// vertex shader translated from TGSI

attribute vec4 in0;
varying vec4 v_generic0; // OUT[1]
varying vec4 winsys_clipdist0;
varying vec4 winsys_clipdist1;
uniform vec4 winsys_clip_planes[8];
uniform float winsys_point_size;
uniform float winsys_adjust_y;

void vs_main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    vec4 temp3 = vec4(0.0);
    vec4 temp4 = vec4(0.0);

    // 0: MOV OUT[0], IN[0]
    gl_Position = in0;
    // 1: MOV OUT[1].x, IN[0].xxxx
    v_generic0.x = in0.x;
    // 2: MOV TEMP[0].x, IN[0].yxxx
    temp0.x = in0.y;
    // 3: MOV OUT[1].y, TEMP[0].xxxx
    v_generic0.y = temp0.x;
    // 4: END
}

void main()
{
    vs_main();
    winsys_clipdist0 = vec4(dot(winsys_clip_planes[0], gl_Position), dot(winsys_clip_planes[1], gl_Position), dot(winsys_clip_planes[2], gl_Position), dot(winsys_clip_planes[3], gl_Position));
    winsys_clipdist1 = vec4(dot(winsys_clip_planes[4], gl_Position), dot(winsys_clip_planes[5], gl_Position), dot(winsys_clip_planes[6], gl_Position), dot(winsys_clip_planes[7], gl_Position));
    gl_Position.y *= winsys_adjust_y;
    gl_PointSize = winsys_point_size;
}
