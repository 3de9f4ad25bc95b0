// refused: TGSI to GLSL: unsupported features of desktop GLSL 4.50 on a GLSL ES 3.20 host
