#version 320 es
precision highp float;
precision highp int;
// fragment shader translated from TGSI

in vec4 v_color0; // IN[0]
in vec4 v_fog0; // IN[1]
in vec4 v_texcoord2; // IN[2]
layout(location = 0) out vec4 out0;
layout(location = 1) out vec4 cbuf1;
layout(location = 2) out vec4 cbuf2;
layout(location = 3) out vec4 cbuf3;
layout(location = 4) out vec4 cbuf4;
layout(location = 5) out vec4 cbuf5;
layout(location = 6) out vec4 cbuf6;
layout(location = 7) out vec4 cbuf7;
vec4 depth = vec4(0.0); // OUT[1]

void fs_main()
{
    vec4 face = vec4(gl_FrontFacing ? 1.0 : -1.0, 0.0, 0.0, 1.0); // IN[3]
    vec4 pcoord = vec4(gl_PointCoord, 0.0, 1.0); // IN[4]
    vec4 temp0 = vec4(0.0);
    const vec4 imm0 = vec4(0.0, 0.5, 1.0, 0.0);

    // 0: CMP TEMP[0], IN[3].xxxx, IN[2], IN[0]
    temp0 = mix(v_color0, v_texcoord2, lessThan(face.xxxx, vec4(0.0)));
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
    gl_FragDepth = depth.z;
    cbuf1 = out0;
    cbuf2 = out0;
    cbuf3 = out0;
    cbuf4 = out0;
    cbuf5 = out0;
    cbuf6 = out0;
    cbuf7 = out0;
}
