//! Texture opcodes: sampling (`TEX`, `TXP`, `TXB`, `TXL`, `TXD`), texel fetches (`TXF`) and
//! size queries (`TXQ`).

use virgl_proto::tgsi::{File, Index, Instruction, Opcode, Texture};

use super::{letters, mask_components, Body};
use crate::error::Result;
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

impl Body<'_> {
    /// The GLSL sampler `ins` reads through its operand `src`, and what that sampler returns.
    fn sampler(&self, ins: &Instruction, src: usize) -> Result<(String, Ty)> {
        let samp = &ins.src[src];
        match (samp.file, samp.index) {
            (File::Samp, Index::Direct(i)) if i >= 0 => match self.regs.samplers.get(&(i as u32)) {
                Some(s) => Ok((format!("{}samp{i}", self.regs.prefix()), s.ret)),
                None => Err(self.err(format!("{} sampler operand {samp}", ins.opcode))),
            },
            _ => Err(self.err(format!("{} sampler operand {samp}", ins.opcode))),
        }
    }

    /// `TEX`, `TXP`, `TXB`, `TXL`, `TXD` and `TXF`.
    pub(super) fn texture(&mut self, ins: &Instruction) -> Result<()> {
        let target = ins.texture.unwrap_or(Texture::Unknown);
        let unsupported = || self.err(format!("{} with texture target {target}", ins.opcode));
        let sampler_src = if ins.opcode == Opcode::Txd { 3 } else { 1 };
        let (sampler, ret) = self.sampler(ins, sampler_src)?;
        if !ins.offsets.is_empty() {
            return Err(self.err(format!("{} with offsets", ins.opcode)));
        }
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
            let coord = self.src(s, Ty::Int, &s.swizzle[..n])?;
            if lod {
                let l = self.src(s, Ty::Int, &s.swizzle[3..4])?;
                format!("texelFetch({sampler}, {coord}, {l})")
            } else {
                format!("texelFetch({sampler}, {coord})")
            }
        } else {
            let c = coords(target).ok_or_else(unsupported)?;
            let coord = self.src(s, Ty::Float, &s.swizzle[..c.n])?;
            let w = || self.src(s, Ty::Float, &s.swizzle[3..4]);
            let rect = matches!(target, Texture::Rect | Texture::ShadowRect);
            let call = match ins.opcode {
                Opcode::Tex => format!("texture({sampler}, {coord})"),
                Opcode::Txd => {
                    let g = |i: usize| {
                        self.src(&ins.src[i], Ty::Float, &ins.src[i].swizzle[..c.gradient])
                    };
                    format!("textureGrad({sampler}, {coord}, {}, {})", g(1)?, g(2)?)
                }
                // The bias or level is in w, which these targets need for the coordinates.
                _ if c.n == 4 => return Err(unsupported()),
                Opcode::Txb if !rect => format!("texture({sampler}, {coord}, {})", w()?),
                Opcode::Txl if !rect => format!("textureLod({sampler}, {coord}, {})", w()?),
                Opcode::Txp
                    if !matches!(
                        target,
                        Texture::Cube
                            | Texture::Array1d
                            | Texture::Array2d
                            | Texture::Shadow1dArray
                    ) =>
                {
                    format!(
                        "textureProj({sampler}, {})",
                        self.src(s, Ty::Float, &s.swizzle)?
                    )
                }
                _ => return Err(unsupported()),
            };
            if c.shadow {
                format!(
                    "shadow_swizzle({call}, {sampler}{})",
                    super::super::decl::SHADOW_SWIZZLE
                )
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
        let (sampler, _) = self.sampler(ins, 1)?;
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
        let size = if lod {
            let l = self.src(s, Ty::Int, &s.swizzle[..1])?;
            format!("textureSize({sampler}, {l})")
        } else {
            format!("textureSize({sampler})")
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
