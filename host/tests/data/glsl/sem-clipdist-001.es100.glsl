#version 100
#ifdef GL_FRAGMENT_PRECISION_HIGH
precision highp float;
precision highp int;
#else
precision mediump float;
precision mediump int;
#endif
// fragment shader translated from TGSI

vec4 out0 = vec4(0.0); // OUT[0]

void fs_main()
{
    const vec4 imm0 = vec4(0.0, 1.0, 0.0, 1.0);

    // 0: MOV OUT[0], IMM[0]
    out0 = imm0;
    // 1: END
}

void main()
{
    fs_main();
    gl_FragColor = out0;
}
