//! Texture opcodes: sampling (`TEX`, `TXP`, `TXB`, `TXL`, `TXD`), texel fetches (`TXF`) and
//! size queries (`TXQ`).

use virgl_proto::tgsi::{File, Index, Instruction, Opcode, Src, Texture};

use super::{letters, mask_components, Body, GLSL_400};
use crate::error::Result;
use crate::shader::decl::{LOD_BIAS, SHADOW_SWIZZLE};
use crate::shader::regs::Ty;

/// How a sampling call reads its coordinate register for one target.
struct Coords {
    /// Components the GLSL call takes, shadow reference included.
    n: usize,
    shadow: bool,
    /// Components of each gradient `TXD` passes.
    gradient: usize,
}

fn coords(target: Texture) -> Option<Coords> {
    let (n, shadow, gradient) = match target {
        Texture::D1 => (1, false, 1),
        Texture::D2 | Texture::Rect => (2, false, 2),
        Texture::Array1d => (2, false, 1),
        Texture::D3 | Texture::Cube => (3, false, 3),
        Texture::Array2d => (3, false, 2),
        Texture::Shadow1d | Texture::Shadow1dArray => (3, true, 1),
        Texture::Shadow2d | Texture::ShadowRect => (3, true, 2),
        Texture::Shadow2dArray => (4, true, 2),
        Texture::ShadowCube => (4, true, 3),
        _ => return None,
    };
    Some(Coords {
        n,
        shadow,
        gradient,
    })
}

/// How a texture target ES lacks is stored on a GLSL ES host (see [`crate::shader::es`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stored {
    /// As the target itself.
    Native,
    /// 1D as 2D, one row high: coordinates get y = 0.5 (texel row 0).
    OneD,
    /// 1D array as 2D array: the layer moves from y to z.
    OneDArray,
    /// Rectangle as 2D: coordinates are divided by the size.
    Rect,
}

impl Stored {
    fn of(target: Texture, es: bool) -> Stored {
        match target {
            _ if !es => Stored::Native,
            Texture::D1 | Texture::Shadow1d => Stored::OneD,
            Texture::Array1d | Texture::Shadow1dArray => Stored::OneDArray,
            Texture::Rect | Texture::ShadowRect => Stored::Rect,
            _ => Stored::Native,
        }
    }

    /// The sampling coordinate `e` (of `n` components, shadow reference last) of `sampler`.
    fn coord(self, e: &str, n: usize, sampler: &str) -> String {
        match (self, n) {
            (Stored::Native, _) => e.to_string(),
            (Stored::OneD, 1) => format!("vec2({e}, 0.5)"),
            (Stored::OneD, _) => format!("vec3(({e}).x, 0.5, ({e}).z)"),
            (Stored::OneDArray, 2) => format!("vec3(({e}).x, 0.5, ({e}).y)"),
            (Stored::OneDArray, _) => format!("vec4(({e}).x, 0.5, ({e}).y, ({e}).z)"),
            (Stored::Rect, 2) => format!("(({e}) / vec2(textureSize({sampler}, 0)))"),
            (Stored::Rect, _) => {
                format!("vec3(({e}).xy / vec2(textureSize({sampler}, 0)), ({e}).z)")
            }
        }
    }

    /// The projective coordinate `a` (all four components) of `sampler`.
    fn projective(self, a: &str, sampler: &str) -> String {
        match self {
            Stored::OneD => format!("vec4(({a}).x, 0.5 * ({a}).w, ({a}).z, ({a}).w)"),
            Stored::Rect => {
                format!("vec4(({a}).xy / vec2(textureSize({sampler}, 0)), ({a}).zw)")
            }
            _ => a.to_string(),
        }
    }

    /// A `TXD` gradient `g`.
    fn gradient(self, g: &str, sampler: &str) -> String {
        match self {
            Stored::Native => g.to_string(),
            Stored::OneD | Stored::OneDArray => format!("vec2({g}, 0.0)"),
            Stored::Rect => format!("(({g}) / vec2(textureSize({sampler}, 0)))"),
        }
    }

    /// A texel offset `o`.
    fn offset(self, o: String) -> String {
        match self {
            Stored::OneD | Stored::OneDArray => format!("ivec2({o}, 0)"),
            _ => o,
        }
    }

    /// A `texelFetch` coordinate `c`.
    fn texel(self, c: &str) -> String {
        match self {
            Stored::OneD => format!("ivec2({c}, 0)"),
            Stored::OneDArray => format!("ivec3(({c}).x, 0, ({c}).y)"),
            _ => c.to_string(),
        }
    }
}

/// A sampler operand, as GLSL names it.
pub(super) struct SamplerRef {
    /// The sampler: `fs_samp2`, or an element of a sampler array, `fs_samp0[addr2.x + 1]`.
    pub name: String,
    /// Its shadow swizzle uniform, named the same way.
    pub swizzle: String,
    /// Its LOD bias uniform (GLSL ES), named the same way.
    pub bias: String,
    /// What it returns.
    pub ret: Ty,
}

/// The components of a texel offset for `target`, if it takes one.
fn offset_components(target: Texture) -> Option<usize> {
    Some(match target {
        Texture::D1 | Texture::Array1d | Texture::Shadow1d | Texture::Shadow1dArray => 1,
        Texture::D2
        | Texture::Rect
        | Texture::Array2d
        | Texture::Shadow2d
        | Texture::ShadowRect
        | Texture::Shadow2dArray => 2,
        Texture::D3 => 3,
        _ => return None,
    })
}

impl Body<'_> {
    /// The sampler `ins` reads through its operand `src`: `SAMP[n]`, or `SAMP[ADDR[a].c + n]`
    /// in a shader that indexes its samplers (GLSL 4.00 sampler arrays).
    pub(super) fn sampler(&mut self, ins: &Instruction, src: usize) -> Result<SamplerRef> {
        let samp = &ins.src[src];
        let bad = || self.err(format!("{} sampler operand {samp}", ins.opcode));
        let (base, indirect) = match (samp.file, samp.index) {
            (File::Samp, Index::Direct(i)) if i >= 0 => (i as u32, None),
            (File::Samp, Index::Indirect(a)) if a.offset >= 0 => (a.offset as u32, Some(a)),
            _ => return Err(bad()),
        };
        let ret = self.regs.samplers.get(&base).ok_or_else(bad)?.ret;
        let p = self.regs.prefix();
        let (array, element) = match (self.regs.sampler_array_of(base), indirect) {
            (Some(a), None) => (a.first, (base - a.first).to_string()),
            (Some(a), Some(ind)) => {
                let e = self.address(&ind, i64::from(base - a.first));
                (a.first, e.ok_or_else(bad)?)
            }
            (None, None) => {
                return Ok(SamplerRef {
                    name: format!("{p}samp{base}"),
                    swizzle: format!("{p}samp{base}{SHADOW_SWIZZLE}"),
                    bias: format!("{p}samp{base}{LOD_BIAS}"),
                    ret,
                })
            }
            (None, Some(_)) => return Err(bad()),
        };
        self.require(GLSL_400);
        Ok(SamplerRef {
            name: format!("{p}samp{array}[{element}]"),
            swizzle: format!("{p}samp{array}{SHADOW_SWIZZLE}[{element}]"),
            bias: format!("{p}samp{array}{LOD_BIAS}[{element}]"),
            ret,
        })
    }

    /// The texel offset of `ins` (its offset `k`) as an `int` or `ivecN` for `target`, or
    /// `None` without one. Offsets other than immediates are only taken where `variable` says
    /// GLSL allows them (gathers).
    pub(super) fn texel_offset(
        &self,
        ins: &Instruction,
        target: Texture,
        k: usize,
        variable: bool,
    ) -> Result<Option<String>> {
        let Some(o) = ins.offsets.get(k) else {
            return Ok(None);
        };
        let n = offset_components(target).ok_or_else(|| {
            self.err(format!("{} offset for texture target {target}", ins.opcode))
        })?;
        if o.file != File::Imm && !variable {
            return Err(self.err(format!(
                "{} with an offset that is not an immediate",
                ins.opcode
            )));
        }
        let mut swizzle = [o.swizzle[0]; 4];
        swizzle[..3].copy_from_slice(&o.swizzle);
        let s = Src {
            swizzle,
            ..Src::reg(o.file, o.index)
        };
        Ok(Some(self.src(&s, Ty::Int, &swizzle[..n])?))
    }

    /// `TEX`, `TXP`, `TXB`, `TXL`, `TXD` and `TXF`, with a texel offset where given
    /// (`textureOffset`, `texelFetchOffset`, ...).
    pub(super) fn texture(&mut self, ins: &Instruction) -> Result<()> {
        let target = ins.texture.unwrap_or(Texture::Unknown);
        let sampler_src = if ins.opcode == Opcode::Txd { 3 } else { 1 };
        let SamplerRef {
            name,
            swizzle,
            bias,
            ret,
        } = self.sampler(ins, sampler_src)?;
        let unsupported = || self.err(format!("{} with texture target {target}", ins.opcode));
        if ins.offsets.len() > 1 {
            return Err(self.err(format!("{} with several offsets", ins.opcode)));
        }
        let stored = Stored::of(target, self.regs.target.is_es());
        let offset = self
            .texel_offset(ins, target, 0, false)?
            .map(|o| stored.offset(o));
        let (suffix, off) = match &offset {
            Some(o) => ("Offset", format!(", {o}")),
            None => ("", String::new()),
        };
        let s = &ins.src[0];
        let call = if ins.opcode == Opcode::Txf {
            // Integer texel coordinates and level (or sample, for multisample targets), as
            // TGSI keeps them in the register's bits.
            let (n, lod) = match target {
                Texture::D1 => (1, true),
                Texture::D2 | Texture::Array1d | Texture::Msaa2d => (2, true),
                Texture::Rect => (2, false),
                Texture::D3 | Texture::Array2d | Texture::Msaa2dArray => (3, true),
                Texture::Buffer => (1, false),
                _ => return Err(unsupported()),
            };
            if offset.is_some() && matches!(target, Texture::Msaa2d | Texture::Msaa2dArray) {
                return Err(unsupported());
            }
            let coord = stored.texel(&self.src(s, Ty::Int, &s.swizzle[..n])?);
            if stored == Stored::Rect {
                format!("texelFetch{suffix}({name}, {coord}, 0{off})")
            } else if lod {
                let l = self.src(s, Ty::Int, &s.swizzle[3..4])?;
                format!("texelFetch{suffix}({name}, {coord}, {l}{off})")
            } else {
                format!("texelFetch{suffix}({name}, {coord}{off})")
            }
        } else {
            let c = coords(target).ok_or_else(unsupported)?;
            let coord = stored.coord(&self.src(s, Ty::Float, &s.swizzle[..c.n])?, c.n, &name);
            let w = || self.src(s, Ty::Float, &s.swizzle[3..4]);
            let rect = matches!(target, Texture::Rect | Texture::ShadowRect);
            // The sampler state's LOD bias, which ES samplers lack: added to the shader's
            // bias or level where the GLSL ES function takes one (not for array shadows, nor
            // for shadow lookups in vertex shaders, which have no `textureLod` there).
            let vertex = self.regs.stage != virgl_proto::tgsi::Processor::Frag;
            let array_shadow = matches!(
                target,
                Texture::Shadow2dArray | Texture::Shadow1dArray | Texture::ShadowCubeArray
            );
            let vertex_shadow = vertex && c.shadow;
            let es_bias = self.regs.target.is_es() && !rect && !array_shadow && !vertex_shadow;
            let plus = |b: &str| {
                if es_bias {
                    format!("{b} + {bias}")
                } else {
                    b.to_string()
                }
            };
            let call = match ins.opcode {
                Opcode::Tex if es_bias && vertex => {
                    format!("textureLod{suffix}({name}, {coord}, {bias}{off})")
                }
                Opcode::Tex if es_bias => format!("texture{suffix}({name}, {coord}{off}, {bias})"),
                Opcode::Tex => format!("texture{suffix}({name}, {coord}{off})"),
                Opcode::Txd => {
                    let g = |i: usize| {
                        let g = self.src(&ins.src[i], Ty::Float, &ins.src[i].swizzle[..c.gradient]);
                        g.map(|g| stored.gradient(&g, &name))
                    };
                    format!(
                        "textureGrad{suffix}({name}, {coord}, {}, {}{off})",
                        g(1)?,
                        g(2)?
                    )
                }
                // The bias or level is in w, which these targets need for the coordinates.
                _ if c.n == 4 => return Err(unsupported()),
                Opcode::Txb if !rect => {
                    format!("texture{suffix}({name}, {coord}{off}, {})", plus(&w()?))
                }
                Opcode::Txl if !rect => {
                    format!("textureLod{suffix}({name}, {coord}, {}{off})", plus(&w()?))
                }
                Opcode::Txp
                    if !matches!(
                        target,
                        Texture::Cube
                            | Texture::Array1d
                            | Texture::Array2d
                            | Texture::Shadow1dArray
                    ) =>
                {
                    let all = stored.projective(&self.src(s, Ty::Float, &s.swizzle)?, &name);
                    match (es_bias, vertex) {
                        (true, true) => {
                            format!("textureProjLod{suffix}({name}, {all}, {bias}{off})")
                        }
                        (true, false) => {
                            format!("textureProj{suffix}({name}, {all}{off}, {bias})")
                        }
                        _ => format!("textureProj{suffix}({name}, {all}{off})"),
                    }
                }
                _ => return Err(unsupported()),
            };
            if c.shadow {
                format!("shadow_swizzle({call}, {swizzle})")
            } else {
                call
            }
        };
        let comps = mask_components(ins.dst[0].mask);
        let expr = if comps.len() == 4 {
            call
        } else {
            format!("{call}.{}", letters(&comps))
        };
        self.assign(ins, &ins.dst[0], expr, ret, comps.len())
    }

    /// `TXQ`: the size of level `src0.x`, as integers; w, the level count, is not available
    /// in GLSL 3.30.
    pub(super) fn texture_size(&mut self, ins: &Instruction) -> Result<()> {
        let target = ins.texture.unwrap_or(Texture::Unknown);
        let sampler = self.sampler(ins, 1)?.name;
        let (n, lod) = match target {
            Texture::D1 | Texture::Shadow1d => (1, true),
            Texture::Buffer => (1, false),
            Texture::D2
            | Texture::Shadow2d
            | Texture::Cube
            | Texture::ShadowCube
            | Texture::Array1d
            | Texture::Shadow1dArray => (2, true),
            Texture::Rect | Texture::ShadowRect | Texture::Msaa2d => (2, false),
            Texture::D3 | Texture::Array2d | Texture::Shadow2dArray => (3, true),
            Texture::Msaa2dArray => (3, false),
            t => return Err(self.err(format!("TXQ with texture target {t}"))),
        };
        let comps = mask_components(ins.dst[0].mask);
        if comps.iter().any(|c| c.number() == 3) {
            return Err(self.err("TXQ of the level count (w)"));
        }
        let s = &ins.src[0];
        let stored = Stored::of(target, self.regs.target.is_es());
        let size = if lod {
            let l = self.src(s, Ty::Int, &s.swizzle[..1])?;
            format!("textureSize({sampler}, {l})")
        } else if stored == Stored::Rect {
            format!("textureSize({sampler}, 0)")
        } else {
            format!("textureSize({sampler})")
        };
        let size = match stored {
            Stored::OneD => format!("{size}.x"),
            Stored::OneDArray => format!("{size}.xz"),
            _ => size,
        };
        let padded = match n {
            1 => format!("ivec4({size}, 0, 0, 0)"),
            2 => format!("ivec4({size}, 0, 0)"),
            _ => format!("ivec4({size}, 0)"),
        };
        let expr = format!("{padded}.{}", letters(&comps));
        self.assign(ins, &ins.dst[0], expr, Ty::Int, comps.len())
    }
}
