#version 100
precision highp float;
precision highp int;
// vertex shader translated from TGSI

attribute vec4 in0;
varying vec4 v_generic0; // OUT[1]
varying vec4 winsys_clipdist0;
varying vec4 winsys_clipdist1;
vec4 clipdist0 = vec4(0.0); // OUT[2]
uniform vec4 vs_const0[2];
uniform float winsys_point_size;
uniform float winsys_adjust_y;

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
    winsys_clipdist0 = clipdist0;
    winsys_clipdist1 = vec4(0.0);
    gl_Position.y *= winsys_adjust_y;
    gl_PointSize = winsys_point_size;
}
