#version 100
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float;
precision highp int;
#else
precision mediump float;
precision mediump int;
#endif
// fragment shader translated from TGSI

varying vec4 v_generic0; // IN[0]
varying vec4 v_generic1; // IN[1]
vec4 out0 = vec4(0.0); // OUT[0]

void fs_main()
{
    // 0: ADD OUT[0], IN[0], IN[1]
    out0 = v_generic0 + v_generic1;
    // 1: END
}

void main()
{
    fs_main();
    gl_FragColor = out0;
}
