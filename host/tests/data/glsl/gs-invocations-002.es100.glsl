#version 100
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

void fs_main()
{
    // 0: MOV OUT[0], IN[0]
    out0 = v_generic0;
    // 1: END
}

void main()
{
    fs_main();
    for (int k = 0; k < gl_MaxDrawBuffers; k++)
        gl_FragData[k] = out0;
}
