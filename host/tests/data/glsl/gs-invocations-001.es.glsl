#version 320 es
#extension GL_EXT_clip_cull_distance : require
precision highp float;
precision highp int;
// geometry shader translated from TGSI

layout(triangles, invocations = 2) in;
layout(triangle_strip, max_vertices = 3) out;
in vec4 vg_generic0[]; // IN[][1]
out vec4 v_generic0; // OUT[1]
out float gl_ClipDistance[8];
uniform vec4 winsys_clip_planes[8];
vec4 position = vec4(0.0); // OUT[0]
vec4 generic0 = vec4(0.0); // OUT[1]
uniform float winsys_adjust_y;

void emit_vertex()
{
    gl_Position = position;
    v_generic0 = generic0;
    for (int i = 0; i < 8; i++)
        gl_ClipDistance[i] = dot(winsys_clip_planes[i], gl_Position);
    gl_Position.y *= winsys_adjust_y;
    EmitVertex();
}

void main()
{
    ivec4 sv0 = ivec4(gl_InvocationID); // SV[0], INVOCATIONID
    vec4 temp0 = vec4(0.0);
    const ivec4 imm0 = ivec4(0, 0, 0, 0);

    // 0: I2F TEMP[0].x, SV[0].xxxx
    temp0.x = float(sv0.x);
    // 1: ADD OUT[0].x, IN[0][0].xxxx, TEMP[0].xxxx
    position.x = gl_in[0].gl_Position.x + temp0.x;
    // 2: MOV OUT[0].yzw, IN[0][0]
    position.yzw = gl_in[0].gl_Position.yzw;
    // 3: LRP OUT[1], TEMP[0].xxxx, IN[0][1].zyxw, IN[0][1]
    generic0 = mix(vg_generic0[0], vg_generic0[0].zyxw, temp0.xxxx);
    // 4: EMIT IMM[0].xxxx
    emit_vertex();
    // 5: ADD OUT[0].x, IN[1][0].xxxx, TEMP[0].xxxx
    position.x = gl_in[1].gl_Position.x + temp0.x;
    // 6: MOV OUT[0].yzw, IN[1][0]
    position.yzw = gl_in[1].gl_Position.yzw;
    // 7: LRP OUT[1], TEMP[0].xxxx, IN[1][1].zyxw, IN[1][1]
    generic0 = mix(vg_generic0[1], vg_generic0[1].zyxw, temp0.xxxx);
    // 8: EMIT IMM[0].xxxx
    emit_vertex();
    // 9: ADD OUT[0].x, IN[2][0].xxxx, TEMP[0].xxxx
    position.x = gl_in[2].gl_Position.x + temp0.x;
    // 10: MOV OUT[0].yzw, IN[2][0]
    position.yzw = gl_in[2].gl_Position.yzw;
    // 11: LRP OUT[1], TEMP[0].xxxx, IN[2][1].zyxw, IN[2][1]
    generic0 = mix(vg_generic0[2], vg_generic0[2].zyxw, temp0.xxxx);
    // 12: EMIT IMM[0].xxxx
    emit_vertex();
    // 13: ENDPRIM IMM[0].xxxx
    EndPrimitive();
    // 14: END
}
