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

varying vec4 v_color0; // IN[0]
varying vec4 v_fog0; // IN[1]
varying vec4 v_texcoord2; // IN[2]
vec4 out0 = vec4(0.0); // OUT[0]
vec4 depth = vec4(0.0); // OUT[1]

void fs_main()
{
    vec4 face = vec4(gl_FrontFacing ? 1.0 : -1.0, 0.0, 0.0, 1.0); // IN[3]
    vec4 pcoord = vec4(gl_PointCoord, 0.0, 1.0); // IN[4]
    vec4 temp0 = vec4(0.0);
    const vec4 imm0 = vec4(0.0, 0.5, 1.0, 0.0);

    // 0: CMP TEMP[0], IN[3].xxxx, IN[2], IN[0]
    temp0 = vec4(face.x < 0.0 ? v_texcoord2.x : v_color0.x, face.x < 0.0 ? v_texcoord2.y : v_color0.y, face.x < 0.0 ? v_texcoord2.z : v_color0.z, face.x < 0.0 ? v_texcoord2.w : v_color0.w);
    // 1: MAD TEMP[0], IN[4].xyxy, IN[1].xxxx, TEMP[0]
    temp0 = pcoord.xyxy * v_fog0.xxxx + temp0;
    // 2: MOV OUT[0], TEMP[0]
    out0 = temp0;
    // 3: MUL OUT[1].z, IN[5].zzzz, IMM[0].yyyy
    depth.z = gl_FragCoord.z * imm0.y;
    // 4: END
}

void main()
{
    fs_main();
    gl_FragDepthEXT = depth.z;
    for (int k = 0; k < gl_MaxDrawBuffers; k++)
        gl_FragData[k] = out0;
}
