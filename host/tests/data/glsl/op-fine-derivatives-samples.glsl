#version 450 core
// fragment shader translated from TGSI

in vec4 v_generic0; // IN[0]
layout(location = 0) out vec4 out0;
uniform sampler2DMS fs_samp0;

void main()
{
    vec4 temp0 = vec4(0.0);
    vec4 temp1 = vec4(0.0);

    // 0: DDX_FINE TEMP[0], IN[0]
    temp0 = dFdxFine(v_generic0);
    // 1: DDY_FINE TEMP[1].xy, IN[0].yxxx
    temp1.xy = dFdyFine(v_generic0.yx);
    // 2: TXQS TEMP[1].z, SAMP[0], 2D_MSAA
    temp1.z = intBitsToFloat(textureSamples(fs_samp0));
    // 3: I2F TEMP[1].z, TEMP[1].zzzz
    temp1.z = float(floatBitsToInt(temp1.z));
    // 4: ADD OUT[0], TEMP[0], TEMP[1]
    out0 = temp0 + temp1;
    // 5: END
}
