//! Opcodes from the ARB vertex program era whose result components are each computed their
//! own way (`LIT`, `EXP`, `LOG`, `DST`, `XPD`), and `DPH`.

use virgl_proto::tgsi::{Component, Instruction, Opcode, Src};

use super::{mask_components, Body};
use crate::error::Result;
use crate::shader::regs::Ty;

impl Body<'_> {
    /// One float component of source `i`, its swizzle and modifiers applied.
    fn comp(&self, ins: &Instruction, i: usize, c: Component) -> Result<String> {
        let s: &Src = &ins.src[i];
        self.src(s, Ty::Float, &[s.swizzle[c.number() as usize]])
    }

    /// An opcode whose result component c is `channel(c)`; only the written ones are computed.
    pub(super) fn channels(&mut self, ins: &Instruction) -> Result<()> {
        use Component::{W, X, Y, Z};
        let comps = mask_components(ins.dst[0].mask);
        let mut values = Vec::new();
        for &c in &comps {
            let v = match (ins.opcode, c) {
                (_, W) if ins.opcode != Opcode::Dst => "1.0".to_string(),
                (Opcode::Lit | Opcode::Dst, X) => "1.0".to_string(),
                (Opcode::Lit, Y) => format!("max({}, 0.0)", self.comp(ins, 0, X)?),
                (Opcode::Lit, _) => format!(
                    "({} > 0.0 ? pow(max({}, 0.0), clamp({}, -128.0, 128.0)) : 0.0)",
                    self.comp(ins, 0, X)?,
                    self.comp(ins, 0, Y)?,
                    self.comp(ins, 0, W)?
                ),
                (Opcode::Exp, X) => format!("exp2(floor({}))", self.comp(ins, 0, X)?),
                (Opcode::Exp, Y) => format!("fract({})", self.comp(ins, 0, X)?),
                (Opcode::Exp, _) => format!("exp2({})", self.comp(ins, 0, X)?),
                (Opcode::Log, X) => format!("floor(log2(abs({})))", self.comp(ins, 0, X)?),
                (Opcode::Log, Y) => {
                    let x = self.comp(ins, 0, X)?;
                    format!("abs({x}) / exp2(floor(log2(abs({x}))))")
                }
                (Opcode::Log, _) => format!("log2(abs({}))", self.comp(ins, 0, X)?),
                (Opcode::Dst, Y) => {
                    format!("{} * {}", self.comp(ins, 0, Y)?, self.comp(ins, 1, Y)?)
                }
                (Opcode::Dst, Z) => self.comp(ins, 0, Z)?,
                (Opcode::Dst, _) => self.comp(ins, 1, W)?,
                (Opcode::Xpd, _) => {
                    // cross(a, b)[c] = a[c+1] * b[c+2] - a[c+2] * b[c+1]
                    let [p, q] = match c {
                        X => [Y, Z],
                        Y => [Z, X],
                        _ => [X, Y],
                    };
                    format!(
                        "{} * {} - {} * {}",
                        self.comp(ins, 0, p)?,
                        self.comp(ins, 1, q)?,
                        self.comp(ins, 0, q)?,
                        self.comp(ins, 1, p)?
                    )
                }
                (op, _) => return Err(self.err(format!("opcode {op}"))),
            };
            values.push(v);
        }
        let expr = match values.as_slice() {
            [one] => one.clone(),
            _ => format!("{}({})", Ty::Float.vec(values.len()), values.join(", ")),
        };
        self.assign(ins, &ins.dst[0], expr, Ty::Float, comps.len())
    }

    /// `DPH`: `dot(vec4(src0.xyz, 1.0), src1)`, replicated.
    pub(super) fn dph(&mut self, ins: &Instruction) -> Result<()> {
        let (a, b) = (&ins.src[0], &ins.src[1]);
        let dot = format!(
            "dot({}, {}) + {}",
            self.src(a, Ty::Float, &a.swizzle[..3])?,
            self.src(b, Ty::Float, &b.swizzle[..3])?,
            self.src(b, Ty::Float, &b.swizzle[3..])?
        );
        let n = mask_components(ins.dst[0].mask).len();
        let expr = match n {
            1 => dot,
            n => format!("{}({dot})", Ty::Float.vec(n)),
        };
        self.assign(ins, &ins.dst[0], expr, Ty::Float, n)
    }
}
