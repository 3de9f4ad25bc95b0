#version 320 es
#extension GL_EXT_clip_cull_distance : require
precision highp float;
precision highp int;
// geometry shader translated from TGSI

layout(points) in;
layout(triangle_strip, max_vertices = 8) out;
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
    const vec4 imm0 = vec4(-0.25, 0.25, 0.0, 0.0);
    const vec4 imm1 = vec4(0.75, 1.25, 0.0, 0.0);
    const ivec4 imm2 = ivec4(0, 0, 0, 0);

    // 0: ADD OUT[0].x, IN[0][0].xxxx, IMM[0].xxxx
    position.x = gl_in[0].gl_Position.x + imm0.x;
    // 1: ADD OUT[0].y, IN[0][0].yyyy, IMM[0].xxxx
    position.y = gl_in[0].gl_Position.y + imm0.x;
    // 2: MOV OUT[0].zw, IN[0][0].xxzw
    position.zw = gl_in[0].gl_Position.zw;
    // 3: MOV OUT[1], IN[0][1]
    generic0 = vg_generic0[0];
    // 4: EMIT IMM[2].xxxx
    emit_vertex();
    // 5: ADD OUT[0].x, IN[0][0].xxxx, IMM[0].yyyy
    position.x = gl_in[0].gl_Position.x + imm0.y;
    // 6: ADD OUT[0].y, IN[0][0].yyyy, IMM[0].xxxx
    position.y = gl_in[0].gl_Position.y + imm0.x;
    // 7: MOV OUT[0].zw, IN[0][0].xxzw
    position.zw = gl_in[0].gl_Position.zw;
    // 8: MOV OUT[1], IN[0][1]
    generic0 = vg_generic0[0];
    // 9: EMIT IMM[2].xxxx
    emit_vertex();
    // 10: ADD OUT[0].x, IN[0][0].xxxx, IMM[0].xxxx
    position.x = gl_in[0].gl_Position.x + imm0.x;
    // 11: ADD OUT[0].y, IN[0][0].yyyy, IMM[0].yyyy
    position.y = gl_in[0].gl_Position.y + imm0.y;
    // 12: MOV OUT[0].zw, IN[0][0].xxzw
    position.zw = gl_in[0].gl_Position.zw;
    // 13: MOV OUT[1], IN[0][1]
    generic0 = vg_generic0[0];
    // 14: EMIT IMM[2].xxxx
    emit_vertex();
    // 15: ADD OUT[0].x, IN[0][0].xxxx, IMM[0].yyyy
    position.x = gl_in[0].gl_Position.x + imm0.y;
    // 16: ADD OUT[0].y, IN[0][0].yyyy, IMM[0].yyyy
    position.y = gl_in[0].gl_Position.y + imm0.y;
    // 17: MOV OUT[0].zw, IN[0][0].xxzw
    position.zw = gl_in[0].gl_Position.zw;
    // 18: MOV OUT[1], IN[0][1]
    generic0 = vg_generic0[0];
    // 19: EMIT IMM[2].xxxx
    emit_vertex();
    // 20: ENDPRIM IMM[2].xxxx
    EndPrimitive();
    // 21: ADD OUT[0].x, IN[0][0].xxxx, IMM[1].xxxx
    position.x = gl_in[0].gl_Position.x + imm1.x;
    // 22: ADD OUT[0].y, IN[0][0].yyyy, IMM[0].xxxx
    position.y = gl_in[0].gl_Position.y + imm0.x;
    // 23: MOV OUT[0].zw, IN[0][0].xxzw
    position.zw = gl_in[0].gl_Position.zw;
    // 24: MOV OUT[1], IN[0][1].zyxw
    generic0 = vg_generic0[0].zyxw;
    // 25: EMIT IMM[2].xxxx
    emit_vertex();
    // 26: ADD OUT[0].x, IN[0][0].xxxx, IMM[1].yyyy
    position.x = gl_in[0].gl_Position.x + imm1.y;
    // 27: ADD OUT[0].y, IN[0][0].yyyy, IMM[0].xxxx
    position.y = gl_in[0].gl_Position.y + imm0.x;
    // 28: MOV OUT[0].zw, IN[0][0].xxzw
    position.zw = gl_in[0].gl_Position.zw;
    // 29: MOV OUT[1], IN[0][1].zyxw
    generic0 = vg_generic0[0].zyxw;
    // 30: EMIT IMM[2].xxxx
    emit_vertex();
    // 31: ADD OUT[0].x, IN[0][0].xxxx, IMM[1].xxxx
    position.x = gl_in[0].gl_Position.x + imm1.x;
    // 32: ADD OUT[0].y, IN[0][0].yyyy, IMM[0].yyyy
    position.y = gl_in[0].gl_Position.y + imm0.y;
    // 33: MOV OUT[0].zw, IN[0][0].xxzw
    position.zw = gl_in[0].gl_Position.zw;
    // 34: MOV OUT[1], IN[0][1].zyxw
    generic0 = vg_generic0[0].zyxw;
    // 35: EMIT IMM[2].xxxx
    emit_vertex();
    // 36: ADD OUT[0].x, IN[0][0].xxxx, IMM[1].yyyy
    position.x = gl_in[0].gl_Position.x + imm1.y;
    // 37: ADD OUT[0].y, IN[0][0].yyyy, IMM[0].yyyy
    position.y = gl_in[0].gl_Position.y + imm0.y;
    // 38: MOV OUT[0].zw, IN[0][0].xxzw
    position.zw = gl_in[0].gl_Position.zw;
    // 39: MOV OUT[1], IN[0][1].zyxw
    generic0 = vg_generic0[0].zyxw;
    // 40: EMIT IMM[2].xxxx
    emit_vertex();
    // 41: ENDPRIM IMM[2].xxxx
    EndPrimitive();
    // 42: END
}
