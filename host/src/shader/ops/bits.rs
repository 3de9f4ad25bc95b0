//! Integer opcodes of GLSL 4.00 (`ARB_gpu_shader5`): bit-field extraction and insertion
//! (`IBFE`, `UBFE`, `BFI`), `BREV`, `POPC`, `LSB`, `IMSB`, `UMSB`, and the high half of a
//! 32 × 32-bit product (`IMUL_HI`, `UMUL_HI`).

use virgl_proto::tgsi::{Component, Instruction, Opcode};

use super::{mask_components, Body, GLSL_400};
use crate::error::Result;
use crate::shader::regs::Ty;

/// `imul_hi` and `umul_hi` for each vector size: `[iu]mulExtended` has only `out` results.
const MUL_HI: [&str; 2] = [
    "int imul_hi(int a, int b) { int h, l; imulExtended(a, b, h, l); return h; }
ivec2 imul_hi(ivec2 a, ivec2 b) { ivec2 h, l; imulExtended(a, b, h, l); return h; }
ivec3 imul_hi(ivec3 a, ivec3 b) { ivec3 h, l; imulExtended(a, b, h, l); return h; }
ivec4 imul_hi(ivec4 a, ivec4 b) { ivec4 h, l; imulExtended(a, b, h, l); return h; }
",
    "uint umul_hi(uint a, uint b) { uint h, l; umulExtended(a, b, h, l); return h; }
uvec2 umul_hi(uvec2 a, uvec2 b) { uvec2 h, l; umulExtended(a, b, h, l); return h; }
uvec3 umul_hi(uvec3 a, uvec3 b) { uvec3 h, l; umulExtended(a, b, h, l); return h; }
uvec4 umul_hi(uvec4 a, uvec4 b) { uvec4 h, l; umulExtended(a, b, h, l); return h; }
",
];

impl Body<'_> {
    /// The bit-field opcodes.
    pub(super) fn bits(&mut self, ins: &Instruction) -> Result<()> {
        use Opcode as O;
        self.require(GLSL_400);
        let (u, int) = (Ty::Uint, Ty::Int);
        match ins.opcode {
            // GLSL takes the offset and bit count as scalars, so these go component by
            // component.
            O::Ibfe => self.per_component(ins, &[int, int, int], int, |a| {
                format!("bitfieldExtract({}, {}, {})", a[0], a[1], a[2])
            }),
            O::Ubfe => self.per_component(ins, &[u, int, int], u, |a| {
                format!("bitfieldExtract({}, {}, {})", a[0], a[1], a[2])
            }),
            O::Bfi => self.per_component(ins, &[u, u, int, int], u, |a| {
                format!("bitfieldInsert({}, {}, {}, {})", a[0], a[1], a[2], a[3])
            }),
            O::Brev => self.cw(ins, u, u, |a, _| format!("bitfieldReverse({})", a[0])),
            O::Popc => self.cw(ins, u, int, |a, _| format!("bitCount({})", a[0])),
            O::Lsb => self.cw(ins, u, int, |a, _| format!("findLSB({})", a[0])),
            O::Imsb => self.cw(ins, int, int, |a, _| format!("findMSB({})", a[0])),
            O::Umsb => self.cw(ins, u, int, |a, _| format!("findMSB({})", a[0])),
            op => Err(self.err(format!("opcode {op}"))),
        }
    }

    /// `IMUL_HI` and `UMUL_HI`.
    pub(super) fn mul_hi(&mut self, ins: &Instruction) -> Result<()> {
        self.require(GLSL_400);
        let (ty, name, helper) = if ins.opcode == Opcode::ImulHi {
            (Ty::Int, "imul_hi", MUL_HI[0])
        } else {
            (Ty::Uint, "umul_hi", MUL_HI[1])
        };
        self.helpers.insert(helper);
        self.cw(ins, ty, ty, |a, _| format!("{name}({}, {})", a[0], a[1]))
    }

    /// An opcode computed one written component at a time from the same component of each
    /// source, read as `types`.
    pub(super) fn per_component(
        &mut self,
        ins: &Instruction,
        types: &[Ty],
        res: Ty,
        f: impl Fn(&[String]) -> String,
    ) -> Result<()> {
        let comps: Vec<Component> = mask_components(ins.dst[0].mask);
        let mut values = Vec::new();
        for c in &comps {
            let mut args = Vec::new();
            for (s, ty) in ins.src.iter().zip(types) {
                args.push(self.src(s, *ty, &[s.swizzle[c.number() as usize]])?);
            }
            values.push(f(&args));
        }
        let expr = match values.as_slice() {
            [one] => one.clone(),
            _ => format!("{}({})", res.vec(values.len()), values.join(", ")),
        };
        self.assign(ins, &ins.dst[0], expr, res, comps.len())
    }
}
