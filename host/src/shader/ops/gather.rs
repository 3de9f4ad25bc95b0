//! `TG4` (`textureGather`, with a component, a depth reference, one offset or four) and
//! `TXQS` (`textureSamples`).
//!
//! `TG4 dst, coord, component, sampler` takes the component from an immediate; the shadow
//! targets keep the depth reference in the coordinate register after the coordinates, as
//! `TEX` does, and their component operand is unused. Offsets may be registers, as GLSL 4.00
//! allows for `textureGatherOffset`; four offsets (`textureGatherOffsets`) must be
//! immediates.

use virgl_proto::tgsi::{Instruction, Texture};

use super::texture::SamplerRef;
use super::{letters, mask_components, Body, GLSL_400, GLSL_450};
use crate::error::Result;
use crate::shader::regs::Ty;

/// Components of a gather's coordinates for `target`, and whether a depth reference follows.
fn gather_coords(target: Texture) -> Option<(usize, bool)> {
    Some(match target {
        Texture::D2 | Texture::Rect => (2, false),
        Texture::Array2d | Texture::Cube => (3, false),
        Texture::Shadow2d | Texture::ShadowRect => (2, true),
        Texture::Shadow2dArray | Texture::ShadowCube => (3, true),
        _ => return None,
    })
}

impl Body<'_> {
    /// `TG4`.
    pub(super) fn gather(&mut self, ins: &Instruction) -> Result<()> {
        self.require(GLSL_400);
        let target = ins.texture.unwrap_or(Texture::Unknown);
        let (n, shadow) = gather_coords(target)
            .ok_or_else(|| self.err(format!("TG4 with texture target {target}")))?;
        let SamplerRef { name, ret, .. } = self.sampler(ins, 2)?;
        let s = &ins.src[0];
        let coord = self.src(s, Ty::Float, &s.swizzle[..n])?;
        // The depth reference, or the component to gather (a constant in GLSL).
        let last = if shadow {
            format!(", {}", self.src(s, Ty::Float, &s.swizzle[n..n + 1])?)
        } else {
            match self.constant(&ins.src[1], "TG4 component")? {
                0 => String::new(),
                c @ 1..=3 => format!(", {c}"),
                c => return Err(self.err(format!("TG4 of component {c}"))),
            }
        };
        let call = match ins.offsets.len() {
            0 => format!("textureGather({name}, {coord}{last})"),
            1 => {
                let o = self.texel_offset(ins, target, 0, true)?.unwrap_or_default();
                format!(
                    "textureGatherOffset({name}, {coord}{}, {o}{})",
                    ref_of(&last, shadow),
                    comp_of(&last, shadow)
                )
            }
            4 => {
                let mut os = Vec::new();
                for k in 0..4 {
                    os.push(
                        self.texel_offset(ins, target, k, false)?
                            .unwrap_or_default(),
                    );
                }
                format!(
                    "textureGatherOffsets({name}, {coord}{}, ivec2[4]({}){})",
                    ref_of(&last, shadow),
                    os.join(", "),
                    comp_of(&last, shadow)
                )
            }
            k => return Err(self.err(format!("TG4 with {k} offsets"))),
        };
        let comps = mask_components(ins.dst[0].mask);
        let expr = if comps.len() == 4 {
            call
        } else {
            format!("{call}.{}", letters(&comps))
        };
        self.assign(ins, &ins.dst[0], expr, ret, comps.len())
    }

    /// `TXQS`: the samples of a multisample texture, in every component written.
    pub(super) fn texture_samples(&mut self, ins: &Instruction) -> Result<()> {
        self.require(GLSL_450);
        let target = ins.texture.unwrap_or(Texture::Unknown);
        if !matches!(target, Texture::Msaa2d | Texture::Msaa2dArray) {
            return Err(self.err(format!("TXQS with texture target {target}")));
        }
        let name = self.sampler(ins, 0)?.name;
        let comps = mask_components(ins.dst[0].mask);
        let n = comps.len();
        let samples = format!("textureSamples({name})");
        let expr = if n == 1 {
            samples
        } else {
            format!("{}({samples})", Ty::Int.vec(n))
        };
        self.assign(ins, &ins.dst[0], expr, Ty::Int, comps.len())
    }
}

/// The depth reference argument of a gather, which comes before the offsets.
fn ref_of(last: &str, shadow: bool) -> &str {
    if shadow {
        last
    } else {
        ""
    }
}

/// The component argument of a gather, which comes after the offsets.
fn comp_of(last: &str, shadow: bool) -> &str {
    if shadow {
        ""
    } else {
        last
    }
}
