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

varying vec4 v_color0; // IN[0]
vec4 out0 = vec4(0.0); // OUT[0]

void fs_main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    vec4 temp3 = vec4(0.0);

    // 0: MOV OUT[0], IN[0]
    out0 = v_color0;
    // 1: END
}

void main()
{
    fs_main();
    for (int k = 0; k < gl_MaxDrawBuffers; k++)
        gl_FragData[k] = out0;
}
