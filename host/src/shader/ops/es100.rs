//! The opcodes GLSL ES 1.00 writes its own way (see [`crate::shader::es100`]): `CMP` without
//! `mix` on a `bvec`, and sampling with the ES 1.00 texture functions.

use virgl_proto::tgsi::{Instruction, Opcode, Processor, Texture};

use super::texture::SamplerRef;
use super::{letters, mask_components, Body};
use crate::error::Result;
use crate::shader::regs::Ty;
use crate::shader::{Target, COMPARE, SAMPLER_SIZE};

/// The level an unextended fragment shader would have sampled at: log2 of the larger screen
/// derivative of the coordinate in texels.
const LOD_FN: &str = "float es_lod(vec2 t)
{
    return log2(max(length(dFdx(t)), length(dFdy(t))));
}

float es_lod(vec3 t)
{
    return log2(max(length(dFdx(t)), length(dFdy(t))));
}

float es_lod_cube(vec3 c, float size)
{
    vec3 a = abs(c);
    return es_lod(c * (0.5 * size / max(max(a.x, a.y), a.z)));
}
";

/// The level explicit gradients select, as GL computes it without anisotropy.
const GRAD_FN: &str = "float es_grad_lod(vec2 dx, vec2 dy, vec2 size)
{
    return log2(max(length(dx * size), length(dy * size)));
}

float es_grad_lod(vec3 dx, vec3 dy, vec3 size)
{
    return log2(max(length(dx * size), length(dy * size)));
}

float es_grad_lod_cube(vec3 c, vec3 dx, vec3 dy, float size)
{
    vec3 a = abs(c);
    return es_grad_lod(dx, dy, vec3(0.5 * size / max(max(a.x, a.y), a.z)));
}
";

/// The GLSL ES 1.00 texture function family of a target.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    D2,
    D3,
    Cube,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::D2 => "2D",
            Kind::D3 => "3D",
            Kind::Cube => "Cube",
        }
    }
}

impl Body<'_> {
    /// `CMP` per component: `mix` takes no `bvec` in GLSL ES 1.00.
    pub(super) fn cmp_es100(&mut self, ins: &Instruction) -> Result<()> {
        let comps = mask_components(ins.dst[0].mask);
        let mut parts = Vec::new();
        for c in &comps {
            let k = c.number() as usize;
            let mut a = Vec::new();
            for s in &ins.src {
                a.push(self.src(s, Ty::Float, &[s.swizzle[k]])?);
            }
            parts.push(format!("{} < 0.0 ? {} : {}", a[0], a[1], a[2]));
        }
        let n = comps.len();
        let expr = match parts.as_slice() {
            [one] => one.clone(),
            _ => format!("{}({})", Ty::Float.vec(n), parts.join(", ")),
        };
        self.assign(ins, &ins.dst[0], expr, Ty::Float, n)
    }

    /// `TEX`, `TXP`, `TXB`, `TXL` and `TXD` with GLSL ES 1.00's functions; every result goes
    /// through the sampler's swizzle, and shadow targets compare in the shader.
    pub(super) fn texture_es100(&mut self, ins: &Instruction) -> Result<()> {
        let op = ins.opcode;
        let target = ins.texture.unwrap_or(Texture::Unknown);
        let SamplerRef {
            name,
            swizzle,
            bias,
            ret,
        } = self.sampler(ins, if op == Opcode::Txd { 3 } else { 1 })?;
        let refuse = |why: &str| self.err(format!("{op} {why} on a GLSL ES 1.00 host"));
        if ret != Ty::Float {
            return Err(refuse("of an integer texture"));
        }
        if !ins.offsets.is_empty() {
            return Err(refuse("with a texel offset"));
        }
        let Target::Es { ext, .. } = self.regs.target else {
            unreachable!("GLSL ES 1.00 texture op for a desktop target");
        };
        let vertex = self.regs.stage == Processor::Vert;
        let size = format!("{name}{SAMPLER_SIZE}");
        let s = &ins.src[0];
        let comp = |i: usize| self.src(s, Ty::Float, &[s.swizzle[i]]);
        let first = |n: usize| self.src(s, Ty::Float, &s.swizzle[..n]);
        let kind = match target {
            Texture::D3 => Kind::D3,
            Texture::Cube | Texture::ShadowCube => Kind::Cube,
            _ => Kind::D2,
        };
        // Projective lookups of the targets with a `Proj` function keep w; the others divide.
        let native_proj = op == Opcode::Txp
            && matches!(
                target,
                Texture::D1 | Texture::D2 | Texture::Rect | Texture::D3
            );
        let q = if op == Opcode::Txp && !native_proj {
            format!(" / {}", comp(3)?)
        } else {
            String::new()
        };
        let (coord, reference) = match target {
            Texture::D1 if native_proj => (
                format!("vec3({}, 0.5 * {w}, {w})", comp(0)?, w = comp(3)?),
                None,
            ),
            Texture::D2 | Texture::D3 if native_proj => (self.src(s, Ty::Float, &s.swizzle)?, None),
            Texture::Rect if native_proj => {
                (format!("vec3({} / {size}, {})", first(2)?, comp(3)?), None)
            }
            Texture::D1 => (format!("vec2({}, 0.5)", comp(0)?), None),
            Texture::Shadow1d => (format!("vec2({}{q}, 0.5)", comp(0)?), Some(comp(2)?)),
            Texture::D2 => (first(2)?, None),
            Texture::Shadow2d => (format!("{}{q}", first(2)?), Some(comp(2)?)),
            Texture::Rect => (format!("{} / {size}", first(2)?), None),
            Texture::ShadowRect => (format!("{}{q} / {size}", first(2)?), Some(comp(2)?)),
            Texture::D3 => (first(3)?, None),
            Texture::Cube => (format!("{}{q}", first(3)?), None),
            Texture::ShadowCube if op == Opcode::Txp => return Err(refuse("of a shadow cube")),
            Texture::ShadowCube => (first(3)?, Some(comp(3)?)),
            t => return Err(refuse(&format!("with texture target {t}"))),
        };
        let reference = reference.map(|r| format!("{r}{q}"));
        let proj = if native_proj { "Proj" } else { "" };
        let func = format!("texture{}{proj}", kind.name());
        let w = || {
            if target == Texture::ShadowCube {
                Err(refuse("of a shadow cube (its w is the reference)"))
            } else {
                comp(3)
            }
        };
        // The fragment stage's implicit level, for the approximations below.
        let implicit = |helpers: &mut std::collections::BTreeSet<&'static str>| {
            helpers.insert(LOD_FN);
            match kind {
                Kind::D2 => format!("es_lod({coord} * {size})"),
                Kind::D3 => format!("es_lod({coord} * {size}.xyx)"),
                Kind::Cube => format!("es_lod_cube({coord}, {size}.x)"),
            }
        };
        let biased = |b: String| {
            if vertex {
                format!("{func}Lod({name}, {coord}, {b})")
            } else {
                format!("{func}({name}, {coord}, {b})")
            }
        };
        // A level, in a fragment shader: exact with GL_EXT_shader_texture_lod, else a bias
        // that moves the implicit level there, else the implicit level.
        let at_level = |body: &mut Self, l: String| {
            if vertex {
                format!("{func}Lod({name}, {coord}, {l})")
            } else if ext.shader_texture_lod && kind != Kind::D3 {
                format!("{func}LodEXT({name}, {coord}, {l})")
            } else if ext.standard_derivatives {
                let implicit = implicit(&mut body.helpers);
                format!("{func}({name}, {coord}, {l} - {implicit})")
            } else {
                format!("{func}({name}, {coord}, {bias})")
            }
        };
        let call = match op {
            Opcode::Tex | Opcode::Txp => biased(bias.clone()),
            Opcode::Txb => biased(format!("{} + {bias}", w()?)),
            Opcode::Txl => {
                let l = format!("{} + {bias}", w()?);
                at_level(self, l)
            }
            Opcode::Txd => {
                let n = if kind == Kind::D2 { 2 } else { 3 };
                let g = |i: usize| self.src(&ins.src[i], Ty::Float, &ins.src[i].swizzle[..n]);
                let (dx, dy) = (g(1)?, g(2)?);
                let (dx, dy) = match target {
                    Texture::D1 | Texture::Shadow1d => {
                        let x =
                            |i: usize| self.src(&ins.src[i], Ty::Float, &ins.src[i].swizzle[..1]);
                        (
                            format!("vec2({}, 0.0)", x(1)?),
                            format!("vec2({}, 0.0)", x(2)?),
                        )
                    }
                    Texture::Rect | Texture::ShadowRect => {
                        (format!("{dx} / {size}"), format!("{dy} / {size}"))
                    }
                    _ => (dx, dy),
                };
                if !vertex && ext.shader_texture_lod && kind != Kind::D3 {
                    format!("{func}GradEXT({name}, {coord}, {dx}, {dy})")
                } else {
                    self.helpers.insert(GRAD_FN);
                    let level = match kind {
                        Kind::D2 => format!("es_grad_lod({dx}, {dy}, {size})"),
                        Kind::D3 => format!("es_grad_lod({dx}, {dy}, {size}.xyx)"),
                        Kind::Cube => format!("es_grad_lod_cube({coord}, {dx}, {dy}, {size}.x)"),
                    };
                    at_level(self, format!("{level} + {bias}"))
                }
            }
            _ => return Err(refuse("")),
        };
        let value = match reference {
            Some(r) => format!("vec4(es_compare({r}, {call}.x, {name}{COMPARE}), 0.0, 0.0, 1.0)"),
            None => call,
        };
        let value = format!("es_swizzle({value}, {swizzle})");
        let comps = mask_components(ins.dst[0].mask);
        let expr = if comps.len() == 4 {
            value
        } else {
            format!("{value}.{}", letters(&comps))
        };
        self.assign(ins, &ins.dst[0], expr, Ty::Float, comps.len())
    }
}
