#version 330 core
// fragment shader translated from TGSI

flat in vec4 v_generic0; // IN[0]
layout(location = 0) out vec4 out0;
layout(location = 1) out vec4 out1;
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
    gl_FragDepth = depth.z;
}
