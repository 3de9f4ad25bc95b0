#version 100
#extension GL_EXT_frag_depth : require
#extension GL_EXT_draw_buffers : require
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float;
precision highp int;
#else
precision mediump float;
precision mediump int;
#endif
// fragment shader translated from TGSI

varying vec4 v_generic0; // IN[0]
vec4 out0 = vec4(0.0); // OUT[0]
vec4 out1 = vec4(0.0); // OUT[1]
vec4 depth = vec4(0.0); // OUT[2]

void fs_main()
{
    // 0: MOV OUT[0], IN[0]
    out0 = v_generic0;
    // 1: MOV OUT[1], IN[0].wzyx
    out1 = v_generic0.wzyx;
    // 2: MOV OUT[2].z, IN[1].zzzz
    depth.z = gl_FragCoord.z;
    // 3: END
}

void main()
{
    fs_main();
    gl_FragDepthEXT = depth.z;
    gl_FragData[0] = out0;
    gl_FragData[1] = out1;
}
