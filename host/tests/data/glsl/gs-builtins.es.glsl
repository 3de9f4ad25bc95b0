#version 320 es
#extension GL_EXT_clip_cull_distance : require
precision highp float;
precision highp int;
precision highp sampler2D;
// geometry shader translated from TGSI

layout(lines_adjacency) in;
layout(line_strip, max_vertices = 4) out;
in vec4 vg_color0[]; // IN[][2]
out vec4 v_color0; // OUT[2]
out vec4 v_bcolor0; // OUT[3]
out float gl_ClipDistance[4];
vec4 position = vec4(0.0); // OUT[0]
vec4 psize = vec4(0.0); // OUT[1]
vec4 color0 = vec4(0.0); // OUT[2]
vec4 bcolor0 = vec4(0.0); // OUT[3]
vec4 clipdist0 = vec4(0.0); // OUT[4]
uniform vec4 gs_const0[2];
layout(std140) uniform gs_ubo1 { vec4 gs_const1[2]; };
uniform sampler2D gs_samp0;
uniform float gs_samp0_lodbias;
uniform float winsys_adjust_y;

void emit_vertex()
{
    gl_Position = position;
    gl_PointSize = psize.x;
    v_color0 = color0;
    v_bcolor0 = bcolor0;
    gl_ClipDistance[0] = clipdist0.x;
    gl_ClipDistance[1] = clipdist0.y;
    gl_ClipDistance[2] = clipdist0.z;
    gl_ClipDistance[3] = clipdist0.w;
    gl_Position.y *= winsys_adjust_y;
    EmitVertex();
}

void main()
{
    ivec4 sv0 = ivec4(gl_PrimitiveIDIn); // SV[0], PRIM_ID
    ivec4 addr0 = ivec4(0);
    const ivec4 imm0 = ivec4(0, 3, 0, 0);

    // 0: UARL ADDR[0].x, IMM[0].yyyy
    addr0.x = int(uint(imm0.y));
    // 1: MOV OUT[0], IN[ADDR[0].x][0]
    position = gl_in[clamp(addr0.x, 0, 3)].gl_Position;
    // 2: MOV OUT[1], IN[1][1]
    psize = vec4(gl_in[1].gl_PointSize, 0.0, 0.0, 1.0);
    // 3: TEX OUT[2], IN[2][2], SAMP[0], 2D
    color0 = textureLod(gs_samp0, vg_color0[2].xy, gs_samp0_lodbias);
    // 4: ADD OUT[3], CONST[0], CONST[1][1]
    bcolor0 = gs_const0[0] + gs_const1[1];
    // 5: I2F OUT[4], SV[0].xxxx
    clipdist0 = vec4(sv0.xxxx);
    // 6: EMIT IMM[0].xxxx
    emit_vertex();
    // 7: ENDPRIM IMM[0].xxxx
    EndPrimitive();
    // 8: END
}
