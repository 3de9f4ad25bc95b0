//! `INTERP_CENTROID`, `INTERP_SAMPLE` and `INTERP_OFFSET`: a fragment input interpolated
//! at another place than its declaration says, GLSL 4.00's `interpolateAt*`.
//!
//! GLSL wants the varying itself as the argument, so a two-sided colour input is
//! interpolated on both sides and the face picks one, as the prologue does for plain reads.

use virgl_proto::tgsi::{File, Index, Instruction, Opcode, Processor};

use super::{letters, mask_components, Body, GLSL_400};
use crate::error::Result;
use crate::shader::regs::Ty;
use crate::shader::TWO_SIDE;

impl Body<'_> {
    /// The `INTERP_*` opcodes.
    pub(super) fn interpolate(&mut self, ins: &Instruction) -> Result<()> {
        self.require(GLSL_400);
        let s = &ins.src[0];
        let bad = |why: &str| self.err(format!("{} of {s} ({why})", ins.opcode));
        if self.regs.stage != Processor::Frag {
            return Err(bad("not a fragment shader"));
        }
        let name = match (s.file, s.index, s.dimension) {
            (File::In, Index::Direct(i), None) if i >= 0 => self.regs.inputs.get(&(i as u32)),
            _ => None,
        }
        .ok_or_else(|| bad("not a declared input"))?;
        let extra = match ins.opcode {
            Opcode::InterpCentroid => String::new(),
            Opcode::InterpSample => {
                let t = &ins.src[1];
                format!(", {}", self.src(t, Ty::Int, &t.swizzle[..1])?)
            }
            _ => {
                let t = &ins.src[1];
                format!(", {}", self.src(t, Ty::Float, &t.swizzle[..2])?)
            }
        };
        let func = match ins.opcode {
            Opcode::InterpCentroid => "interpolateAtCentroid",
            Opcode::InterpSample => "interpolateAtSample",
            _ => "interpolateAtOffset",
        };
        let at = |v: &str| format!("{func}({v}{extra})");
        let value = if name.starts_with("v_") {
            at(name)
        } else if let Some(index) = name.strip_prefix("color") {
            format!(
                "({TWO_SIDE} && !gl_FrontFacing ? {} : {})",
                at(&format!("v_bcolor{index}")),
                at(&format!("v_color{index}"))
            )
        } else {
            return Err(bad("not a varying"));
        };
        let comps = mask_components(ins.dst[0].mask);
        let picked: Vec<_> = comps
            .iter()
            .map(|c| s.swizzle[c.number() as usize])
            .collect();
        let mut e = if picked == super::ALL {
            value
        } else {
            format!("{value}.{}", letters(&picked))
        };
        if s.absolute {
            e = format!("abs({e})");
        }
        if s.negate {
            e = format!("-{e}");
        }
        self.assign(ins, &ins.dst[0], e, Ty::Float, comps.len())
    }
}
