#version 100
precision highp float;
precision highp int;
// vertex shader translated from TGSI

attribute vec4 in0;
attribute vec4 in1;
varying vec4 v_generic0; // OUT[1]
varying vec4 v_texcoord0; // OUT[2]
varying vec4 winsys_clipdist0;
varying vec4 winsys_clipdist1;
uniform int winsys_instance_id;
uniform vec4 winsys_clip_planes[8];
uniform vec4 vs_const0[8];
float es_round(float x)
{
    float r = floor(x + 0.5);
    return (r - x == 0.5 && mod(r, 2.0) != 0.0) ? r - 1.0 : r;
}

vec2 es_round(vec2 x)
{
    return vec2(es_round(x.x), es_round(x.y));
}

vec3 es_round(vec3 x)
{
    return vec3(es_round(x.x), es_round(x.y), es_round(x.z));
}

vec4 es_round(vec4 x)
{
    return vec4(es_round(x.x), es_round(x.y), es_round(x.z), es_round(x.w));
}
uniform float winsys_point_size;
uniform float winsys_adjust_y;

void vs_main()
{
    ivec4 sv0 = ivec4(winsys_instance_id); // SV[0], INSTANCEID
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);
    vec4 temp2 = vec4(0.0);
    ivec4 addr0 = ivec4(0);
    const vec4 imm0 = vec4(1.0, 0.0, 0.5, 4.0);

    // 0: U2F TEMP[0].x, SV[0].xxxx
    temp0.x = float(sv0.x);
    // 1: ARL ADDR[0].x, IN[1].xxxx
    addr0.x = int(floor(in1.x));
    // 2: MUL TEMP[1], IN[0], CONST[ADDR[0].x+4]
    temp1 = in0 * vs_const0[addr0.x + 4];
    // 3: MAD TEMP[1], TEMP[0].xxxx, CONST[0], TEMP[1]
    temp1 = temp0.xxxx * vs_const0[0] + temp1;
    // 4: SLT TEMP[2].x, IN[1].yyyy, IMM[0].zzzz
    temp2.x = float(in1.y < imm0.z);
    // 5: IF TEMP[2].xxxx :7
    if (temp2.x != 0.0) {
        // 6: MOV TEMP[1].w, IMM[0].xxxx
        temp1.w = imm0.x;
    // 7: ENDIF
    }
    // 8: MOV OUT[0], TEMP[1]
    gl_Position = temp1;
    // 9: CMP OUT[1], -IN[1], IMM[0].xxxx, IMM[0].yyyy
    v_generic0 = vec4(-in1.x < 0.0 ? imm0.x : imm0.y, -in1.y < 0.0 ? imm0.x : imm0.y, -in1.z < 0.0 ? imm0.x : imm0.y, -in1.w < 0.0 ? imm0.x : imm0.y);
    // 10: ROUND OUT[2].xy, IN[1]
    v_texcoord0.xy = es_round(in1.xy);
    // 11: TRUNC OUT[2].zw, IN[1]
    v_texcoord0.zw = sign(in1.zw) * floor(abs(in1.zw));
    // 12: END
}

void main()
{
    vs_main();
    winsys_clipdist0 = vec4(dot(winsys_clip_planes[0], gl_Position), dot(winsys_clip_planes[1], gl_Position), dot(winsys_clip_planes[2], gl_Position), dot(winsys_clip_planes[3], gl_Position));
    winsys_clipdist1 = vec4(dot(winsys_clip_planes[4], gl_Position), dot(winsys_clip_planes[5], gl_Position), dot(winsys_clip_planes[6], gl_Position), dot(winsys_clip_planes[7], gl_Position));
    gl_Position.y *= winsys_adjust_y;
    gl_PointSize = winsys_point_size;
}
