//! Instructions: one GLSL statement per TGSI instruction, with the instruction as a comment.

use std::fmt::Write;

use virgl_proto::tgsi::{
    Component, Dst, File, Immediate, Index, Indirect, Instruction, Opcode, Processor, Src,
    WriteMask,
};

mod bits;
mod channels;
mod es100;
mod gather;
mod interp;
mod memory;
mod texture;

use super::decl::Declarations;
use super::regs::{bitcast, convert, Ty};
use super::unsupported;
use crate::error::Result;

/// The body of `main`, built one instruction at a time.
pub(super) struct Body<'a> {
    regs: &'a Declarations,
    out: String,
    /// The blocks open around the current instruction, innermost last.
    blocks: Vec<Block>,
    ended: bool,
    /// The instruction being translated, for errors.
    at: usize,
    /// The GLSL version the instructions so far need.
    version: u32,
    /// Functions the statements call, defined before `main`.
    helpers: std::collections::BTreeSet<&'static str>,
}

/// A translated body: its statements, the GLSL version they need and the functions they call.
pub(super) struct Finished {
    pub text: String,
    pub version: u32,
    pub helpers: String,
}

/// GLSL 4.00 (`ARB_gpu_shader5` and the rest of GL 4.0's shading language).
pub(super) const GLSL_400: u32 = 400;
/// GLSL 4.50 (`dFdxFine`, `textureSamples`).
pub(super) const GLSL_450: u32 = 450;

/// A block of GLSL control flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    If,
    Else,
    Loop,
    Switch,
}

const ALL: [Component; 4] = [Component::X, Component::Y, Component::Z, Component::W];

/// The components a write mask selects, in order.
fn mask_components(mask: WriteMask) -> Vec<Component> {
    ALL.iter()
        .copied()
        .filter(|c| mask.bits() & (1 << c.number()) != 0)
        .collect()
}

fn letters(cs: &[Component]) -> String {
    cs.iter().map(|c| c.name()).collect()
}

impl<'a> Body<'a> {
    pub fn new(regs: &'a Declarations) -> Body<'a> {
        Body {
            regs,
            out: String::new(),
            blocks: Vec::new(),
            ended: false,
            at: 0,
            version: 0,
            helpers: Default::default(),
        }
    }

    /// Whether `END` was seen.
    pub fn finished(&self) -> bool {
        self.ended
    }

    /// The text, once every block is closed.
    pub fn finish(self) -> Result<Finished> {
        if let Some(b) = self.blocks.last() {
            return Err(unsupported(format!("unclosed {b:?} block"), Some(self.at)));
        }
        Ok(Finished {
            text: self.out,
            version: self.version,
            helpers: self.helpers.into_iter().collect(),
        })
    }

    /// `expr` of `n` components of `from`, as `to`: the same bits, or in GLSL ES 1.00, whose
    /// registers hold values, the same value.
    fn cast(&self, expr: String, from: Ty, to: Ty, n: usize) -> String {
        if self.regs.es100() {
            convert(expr, from, to, n)
        } else {
            bitcast(expr, from, to, n)
        }
    }

    /// Notes that the body needs GLSL `version`.
    fn require(&mut self, version: u32) {
        self.version = self.version.max(version);
    }

    fn err(&self, what: impl Into<String>) -> crate::error::Error {
        unsupported(what, Some(self.at))
    }

    fn line(&mut self, text: &str) {
        let _ = writeln!(self.out, "{}{text}", "    ".repeat(self.blocks.len() + 1));
    }

    /// Translates instruction number `i`.
    pub fn instruction(&mut self, i: usize, ins: &Instruction) -> Result<()> {
        self.at = i;
        use Opcode as O;
        if ins.dst.len() != ins.opcode.num_dst() || ins.src.len() != ins.opcode.num_src() {
            return Err(self.err(format!("{} with wrong operand count", ins.opcode)));
        }
        let es100 = self.regs.es100();
        if es100 {
            if let Some(why) = super::es100::opcode_refusal(ins.opcode) {
                return Err(self.err(why));
            }
        }
        // Closing opcodes must close the innermost block, and the statements GLSL allows only
        // inside some block must be in one.
        let closes: &[Block] = match ins.opcode {
            O::Else => &[Block::If],
            O::Endif => &[Block::If, Block::Else],
            O::Endloop => &[Block::Loop],
            O::Endswitch => &[Block::Switch],
            _ => &[],
        };
        if !closes.is_empty() {
            if !self.blocks.last().is_some_and(|b| closes.contains(b)) {
                return Err(self.err(format!("{} without its opening", ins.opcode)));
            }
            self.blocks.pop();
        }
        let inside = |kinds: &[Block]| self.blocks.iter().any(|b| kinds.contains(b));
        let misplaced = match ins.opcode {
            O::Brk => !inside(&[Block::Loop, Block::Switch]),
            O::Cont => !inside(&[Block::Loop]),
            O::Case | O::Default => self.blocks.last() != Some(&Block::Switch),
            _ => false,
        };
        if misplaced {
            return Err(self.err(format!("{} outside the block it belongs to", ins.opcode)));
        }
        self.line(&format!("// {i}: {ins}"));
        if ins.precise {
            return Err(self.err(format!("{}_PRECISE", ins.opcode)));
        }
        if ins.saturate && ins.opcode.info().num_dst == 0 {
            return Err(self.err(format!("{}_SAT", ins.opcode)));
        }
        if ins.dst.first().is_some_and(|d| d.mask.is_empty()) {
            // Writes nothing.
            return Ok(());
        }
        let f = Ty::Float;
        let u = Ty::Uint;
        let int = Ty::Int;
        match ins.opcode {
            O::Mov => self.cw(ins, f, f, |a, _| a[0].clone())?,
            O::Add => self.cw(ins, f, f, |a, _| format!("{} + {}", a[0], a[1]))?,
            O::Sub => self.cw(ins, f, f, |a, _| format!("{} - {}", a[0], a[1]))?,
            O::Mul => self.cw(ins, f, f, |a, _| format!("{} * {}", a[0], a[1]))?,
            O::Div => self.cw(ins, f, f, |a, _| format!("{} / {}", a[0], a[1]))?,
            O::Mad => self.cw(ins, f, f, |a, _| format!("{} * {} + {}", a[0], a[1], a[2]))?,
            O::Fma => {
                self.require(GLSL_400);
                self.cw(ins, f, f, |a, _| {
                    format!("fma({}, {}, {})", a[0], a[1], a[2])
                })?
            }
            O::Lrp => self.cw(ins, f, f, |a, _| {
                format!("mix({}, {}, {})", a[2], a[1], a[0])
            })?,
            O::Max => self.cw(ins, f, f, |a, _| format!("max({}, {})", a[0], a[1]))?,
            O::Min => self.cw(ins, f, f, |a, _| format!("min({}, {})", a[0], a[1]))?,
            O::Abs => self.cw(ins, f, f, |a, _| format!("abs({})", a[0]))?,
            O::Frc => self.cw(ins, f, f, |a, _| format!("fract({})", a[0]))?,
            O::Flr => self.cw(ins, f, f, |a, _| format!("floor({})", a[0]))?,
            O::Ceil => self.cw(ins, f, f, |a, _| format!("ceil({})", a[0]))?,
            O::Trunc if es100 => self.cw(ins, f, f, |a, _| {
                format!("sign({0}) * floor(abs({0}))", a[0])
            })?,
            O::Round if es100 => {
                self.helpers.insert(super::es100::ROUND_FN);
                self.cw(ins, f, f, |a, _| format!("es_round({})", a[0]))?
            }
            O::Arr if es100 => {
                self.helpers.insert(super::es100::ROUND_FN);
                self.cw(ins, f, int, |a, n| {
                    format!("{}(es_round({}))", int.vec(n), a[0])
                })?
            }
            O::Cmp if es100 => self.cmp_es100(ins)?,
            O::I2f | O::U2f if es100 && ins.src[0].file == File::Imm => {
                return Err(self.err(format!(
                    "{} of an immediate: GLSL ES 1.00 has no integer bits",
                    ins.opcode
                )))
            }
            O::Tex | O::Txp | O::Txb | O::Txl | O::Txd if es100 => self.texture_es100(ins)?,
            O::Trunc => self.cw(ins, f, f, |a, _| format!("trunc({})", a[0]))?,
            O::Round => self.cw(ins, f, f, |a, _| format!("roundEven({})", a[0]))?,
            O::Ssg => self.cw(ins, f, f, |a, _| format!("sign({})", a[0]))?,
            O::Ddx => self.cw(ins, f, f, |a, _| format!("dFdx({})", a[0]))?,
            O::Ddy => self.cw(ins, f, f, |a, _| format!("dFdy({})", a[0]))?,
            O::DdxFine | O::DdyFine => {
                self.require(GLSL_450);
                let func = if ins.opcode == O::DdxFine {
                    "dFdxFine"
                } else {
                    "dFdyFine"
                };
                self.cw(ins, f, f, |a, _| format!("{func}({})", a[0]))?
            }
            O::Cmp => self.cw(ins, f, f, |a, n| {
                let lt = compare("<", "lessThan", &a[0], &zero(Ty::Float, n), n);
                select(&lt, &a[1], &a[2], n)
            })?,
            O::Ucmp => self.cw_types(ins, &[u, f, f], f, |a, n| {
                let ne = compare("!=", "notEqual", &a[0], &zero(Ty::Uint, n), n);
                select(&ne, &a[1], &a[2], n)
            })?,
            O::Slt => self.set(ins, f, f, "<", "lessThan")?,
            O::Sge => self.set(ins, f, f, ">=", "greaterThanEqual")?,
            O::Seq => self.set(ins, f, f, "==", "equal")?,
            O::Sne => self.set(ins, f, f, "!=", "notEqual")?,
            O::Sgt => self.set(ins, f, f, ">", "greaterThan")?,
            O::Sle => self.set(ins, f, f, "<=", "lessThanEqual")?,
            O::Fslt => self.set(ins, f, u, "<", "lessThan")?,
            O::Fsge => self.set(ins, f, u, ">=", "greaterThanEqual")?,
            O::Fseq => self.set(ins, f, u, "==", "equal")?,
            O::Fsne => self.set(ins, f, u, "!=", "notEqual")?,
            O::Islt => self.set(ins, int, u, "<", "lessThan")?,
            O::Isge => self.set(ins, int, u, ">=", "greaterThanEqual")?,
            O::Uslt => self.set(ins, u, u, "<", "lessThan")?,
            O::Usge => self.set(ins, u, u, ">=", "greaterThanEqual")?,
            O::Useq => self.set(ins, u, u, "==", "equal")?,
            O::Usne => self.set(ins, u, u, "!=", "notEqual")?,
            O::And => self.cw(ins, u, u, |a, _| format!("{} & {}", a[0], a[1]))?,
            O::Or => self.cw(ins, u, u, |a, _| format!("{} | {}", a[0], a[1]))?,
            O::Xor => self.cw(ins, u, u, |a, _| format!("{} ^ {}", a[0], a[1]))?,
            O::Not => self.cw(ins, u, u, |a, _| format!("~{}", a[0]))?,
            // GLSL ES 1.00 has no shifts; registers hold whole numbers there (index
            // arithmetic), so a left shift is a product with a power of two.
            O::Shl if self.regs.es100() => self.cw(ins, u, u, |a, n| {
                let (int, float) = match n {
                    1 => ("int".to_string(), "float".to_string()),
                    n => (format!("ivec{n}"), format!("vec{n}")),
                };
                format!("{} * {int}(exp2({float}({})))", a[0], a[1])
            })?,
            O::Shl => self.cw(ins, u, u, |a, _| format!("{} << ({} & 31u)", a[0], a[1]))?,
            O::Ushr => self.cw(ins, u, u, |a, _| format!("{} >> ({} & 31u)", a[0], a[1]))?,
            O::Ishr => self.cw_types(ins, &[int, u], int, |a, _| {
                format!("{} >> ({} & 31u)", a[0], a[1])
            })?,
            O::Uadd => self.cw(ins, u, u, |a, _| format!("{} + {}", a[0], a[1]))?,
            O::Umul => self.cw(ins, u, u, |a, _| format!("{} * {}", a[0], a[1]))?,
            O::Umad => self.cw(ins, u, u, |a, _| format!("{} * {} + {}", a[0], a[1], a[2]))?,
            O::Idiv => self.cw(ins, int, int, |a, _| format!("{} / {}", a[0], a[1]))?,
            O::Mod => self.cw(ins, int, int, |a, _| format!("{} % {}", a[0], a[1]))?,
            // Gallium defines division by zero: all bits set.
            O::Udiv => self.cw(ins, u, u, |a, n| by_zero_all_ones("/", &a[0], &a[1], n))?,
            O::Umod => self.cw(ins, u, u, |a, n| by_zero_all_ones("%", &a[0], &a[1], n))?,
            O::Umax => self.cw(ins, u, u, |a, _| format!("max({}, {})", a[0], a[1]))?,
            O::Umin => self.cw(ins, u, u, |a, _| format!("min({}, {})", a[0], a[1]))?,
            O::Imax => self.cw(ins, int, int, |a, _| format!("max({}, {})", a[0], a[1]))?,
            O::Imin => self.cw(ins, int, int, |a, _| format!("min({}, {})", a[0], a[1]))?,
            O::Ineg => self.cw(ins, int, int, |a, _| format!("-{}", a[0]))?,
            O::Issg => self.cw(ins, int, int, |a, _| format!("sign({})", a[0]))?,
            O::Iabs => self.cw(ins, int, int, |a, _| format!("abs({})", a[0]))?,
            O::I2f => self.cw(ins, int, f, |a, n| format!("{}({})", f.vec(n), a[0]))?,
            O::U2f => self.cw(ins, u, f, |a, n| format!("{}({})", f.vec(n), a[0]))?,
            O::F2i => self.cw(ins, f, int, |a, n| format!("{}({})", int.vec(n), a[0]))?,
            O::F2u => self.cw(ins, f, u, |a, n| format!("{}({})", u.vec(n), a[0]))?,
            O::Dp2 => self.scalar(ins, 2, |a| format!("dot({}, {})", a[0], a[1]))?,
            O::Dp3 => self.scalar(ins, 3, |a| format!("dot({}, {})", a[0], a[1]))?,
            O::Dp4 => self.scalar(ins, 4, |a| format!("dot({}, {})", a[0], a[1]))?,
            O::Rcp => self.scalar(ins, 1, |a| format!("1.0 / {}", a[0]))?,
            O::Rsq => self.scalar(ins, 1, |a| format!("inversesqrt({})", a[0]))?,
            O::Sqrt => self.scalar(ins, 1, |a| format!("sqrt({})", a[0]))?,
            O::Ex2 => self.scalar(ins, 1, |a| format!("exp2({})", a[0]))?,
            O::Lg2 => self.scalar(ins, 1, |a| format!("log2({})", a[0]))?,
            O::Sin => self.scalar(ins, 1, |a| format!("sin({})", a[0]))?,
            O::Cos => self.scalar(ins, 1, |a| format!("cos({})", a[0]))?,
            O::Pow => self.scalar(ins, 1, |a| format!("pow({}, {})", a[0], a[1]))?,
            O::Dph => self.dph(ins)?,
            O::Lit | O::Exp | O::Log | O::Dst | O::Xpd => self.channels(ins)?,
            O::Arl => self.cw(ins, f, int, |a, n| {
                format!("{}(floor({}))", int.vec(n), a[0])
            })?,
            O::Arr => self.cw(ins, f, int, |a, n| {
                format!("{}(roundEven({}))", int.vec(n), a[0])
            })?,
            O::Uarl => self.cw(ins, u, int, |a, n| format!("{}({})", int.vec(n), a[0]))?,
            O::Tex | O::Txp | O::Txb | O::Txl | O::Txd | O::Txf => self.texture(ins)?,
            O::Txq => self.texture_size(ins)?,
            O::Tg4 => self.gather(ins)?,
            O::Txqs => self.texture_samples(ins)?,
            O::Ibfe | O::Ubfe | O::Bfi | O::Brev | O::Popc | O::Lsb | O::Imsb | O::Umsb => {
                self.bits(ins)?
            }
            O::ImulHi | O::UmulHi => self.mul_hi(ins)?,
            O::InterpCentroid | O::InterpSample | O::InterpOffset => self.interpolate(ins)?,
            O::If | O::Uif => {
                let ty = if ins.opcode == O::If { f } else { u };
                let c = self.src(&ins.src[0], ty, &[ins.src[0].swizzle[0]])?;
                self.line(&format!("if ({c} != {}) {{", ty.zero()));
                self.blocks.push(Block::If);
            }
            O::Else => {
                self.line("} else {");
                self.blocks.push(Block::Else);
            }
            O::Endif | O::Endloop | O::Endswitch => self.line("}"),
            O::Switch => {
                let c = self.src(&ins.src[0], Ty::Int, &[ins.src[0].swizzle[0]])?;
                self.line(&format!("switch ({c}) {{"));
                self.blocks.push(Block::Switch);
            }
            O::Case => {
                let label = self.constant(&ins.src[0], "CASE operand")?;
                self.line(&format!("case {label}:"));
            }
            O::Default => self.line("default:"),
            O::Bgnloop => {
                self.line("while (true) {");
                self.blocks.push(Block::Loop);
            }
            O::Brk => self.line("break;"),
            O::Cont => self.line("continue;"),
            O::Ret => self.line("return;"),
            O::Kill => self.line("discard;"),
            O::KillIf => {
                let c = self.src(&ins.src[0], f, &ins.src[0].swizzle)?;
                self.line(&format!("if (any(lessThan({c}, vec4(0.0)))) discard;"));
            }
            O::Emit | O::Endprim if self.regs.stage == Processor::Geom => {
                if self.constant(&ins.src[0], "vertex stream")? != 0 {
                    return Err(self.err(format!("{} to a vertex stream other than 0", ins.opcode)));
                }
                self.line(if ins.opcode == O::Emit {
                    "emit_vertex();"
                } else {
                    "EndPrimitive();"
                });
            }
            O::Load | O::Store | O::Resq | O::Membar | O::Barrier => self.memory(ins)?,
            O::Atomuadd | O::Atomxchg | O::Atomcas | O::Atomand | O::Atomor | O::Atomxor => {
                self.memory(ins)?
            }
            O::Atomumin | O::Atomumax | O::Atomimin | O::Atomimax => self.memory(ins)?,
            O::Nop => {}
            O::End => {
                if !self.blocks.is_empty() {
                    return Err(self.err("END inside a block"));
                }
                self.ended = true;
            }
            op => return Err(self.err(format!("opcode {op}"))),
        }
        Ok(())
    }

    /// The constant a `CASE` compares with, or the stream an `EMIT` names: a component of an
    /// immediate, as a signed integer.
    fn constant(&self, s: &Src, what: &str) -> Result<i32> {
        let value = match (s.file, s.index, s.negate || s.absolute) {
            (File::Imm, Index::Direct(i), false) => usize::try_from(i)
                .ok()
                .and_then(|i| self.regs.immediates.get(i))
                .and_then(|imm| {
                    let c = s.swizzle[0].number() as usize;
                    match imm {
                        Immediate::Flt32(v) | Immediate::Uint32(v) => Some(v[c] as i32),
                        Immediate::Int32(v) => Some(v[c]),
                        _ => None,
                    }
                }),
            _ => None,
        };
        value.ok_or_else(|| self.err(format!("{what} {s} (not an immediate)")))
    }

    /// A componentwise opcode whose sources are all of type `src`.
    fn cw(
        &mut self,
        ins: &Instruction,
        src: Ty,
        res: Ty,
        f: impl Fn(&[String], usize) -> String,
    ) -> Result<()> {
        let types = vec![src; ins.src.len()];
        self.cw_types(ins, &types, res, f)
    }

    /// A componentwise opcode: each written component reads the same component of each source.
    fn cw_types(
        &mut self,
        ins: &Instruction,
        types: &[Ty],
        res: Ty,
        f: impl Fn(&[String], usize) -> String,
    ) -> Result<()> {
        let dst = &ins.dst[0];
        let comps = mask_components(dst.mask);
        let mut args = Vec::new();
        for (s, ty) in ins.src.iter().zip(types) {
            let picked: Vec<Component> = comps
                .iter()
                .map(|c| s.swizzle[c.number() as usize])
                .collect();
            args.push(self.src(s, *ty, &picked)?);
        }
        let expr = f(&args, comps.len());
        self.assign(ins, dst, expr, res, comps.len())
    }

    /// A `SLT`-style comparison giving 1.0/0.0 (float result) or ~0/0 (integer result).
    fn set(&mut self, ins: &Instruction, src: Ty, res: Ty, op: &str, func: &str) -> Result<()> {
        self.cw(ins, src, res, |a, n| {
            let c = compare(op, func, &a[0], &a[1], n);
            match (res, n) {
                (Ty::Float, 1) => format!("float({c})"),
                (Ty::Float, n) => format!("{}({c})", Ty::Float.vec(n)),
                (_, 1) => format!("({c} ? 0xffffffffu : 0u)"),
                (_, n) => format!("{}({c}) * 0xffffffffu", Ty::Uint.vec(n)),
            }
        })
    }

    /// A float opcode computing one value from the first `width` components of its sources,
    /// written to every component of the mask.
    fn scalar(
        &mut self,
        ins: &Instruction,
        width: usize,
        f: impl Fn(&[String]) -> String,
    ) -> Result<()> {
        let mut args = Vec::new();
        for s in &ins.src {
            args.push(self.src(s, Ty::Float, &s.swizzle[..width])?);
        }
        let n = mask_components(ins.dst[0].mask).len();
        let mut expr = f(&args);
        if n > 1 {
            expr = format!("{}({expr})", Ty::Float.vec(n));
        }
        self.assign(ins, &ins.dst[0], expr, Ty::Float, n)
    }

    /// `dst = expr;`, with `expr` of `n` components of `ty`, saturated if asked and converted
    /// to the register's type.
    fn assign(
        &mut self,
        ins: &Instruction,
        dst: &Dst,
        expr: String,
        ty: Ty,
        n: usize,
    ) -> Result<()> {
        let mut expr = expr;
        if ins.saturate {
            if ty != Ty::Float {
                return Err(self.err(format!("{}_SAT", ins.opcode)));
            }
            expr = format!("clamp({expr}, 0.0, 1.0)");
        }
        let (name, stored) = self.dst_name(dst)?;
        let expr = self.cast(expr, ty, stored, n);
        let lhs = if dst.mask == WriteMask::XYZW {
            name
        } else {
            format!("{name}.{}", letters(&mask_components(dst.mask)))
        };
        self.line(&format!("{lhs} = {expr};"));
        Ok(())
    }

    fn dst_name(&self, d: &Dst) -> Result<(String, Ty)> {
        if d.dimension.is_some() {
            return Err(self.err(format!("two-dimensional destination {d}")));
        }
        if d.file == File::Temp {
            let name = self.temp(d.index);
            return name.ok_or_else(|| self.err(format!("destination {d}")));
        }
        let i = match d.index {
            Index::Direct(i) if i >= 0 => i as u32,
            _ => return Err(self.err(format!("indirect destination {d}"))),
        };
        let found = match d.file {
            File::Addr if self.regs.addrs.contains(&i) => Some((format!("addr{i}"), Ty::Int)),
            File::Out => self.regs.outputs.get(&i).map(|n| (n.clone(), Ty::Float)),
            _ => None,
        };
        found.ok_or_else(|| self.err(format!("destination {d}")))
    }

    /// `TEMP[index]`: a temporary of its own, or an element of the declared array it is in.
    fn temp(&self, index: Index) -> Option<(String, Ty)> {
        let name = match index {
            Index::Direct(i) => {
                let i = u32::try_from(i).ok()?;
                match self.regs.temp_array_of(i) {
                    Some(a) => format!("temp{}[{}]", a.first, i - a.first),
                    None if self.regs.temps.contains(&i) => format!("temp{i}"),
                    None => return None,
                }
            }
            Index::Indirect(a) => {
                // Only a declared array can be addressed, with the id it was declared with.
                let array = self.regs.temp_arrays.iter().find(|t| t.id == a.array_id)?;
                let element = self.address(&a, i64::from(a.offset) - i64::from(array.first))?;
                format!("temp{}[{element}]", array.first)
            }
        };
        Some((name, Ty::Float))
    }

    /// `ADDR[n].c + offset`, or `None` if the address register is not declared.
    fn address(&self, a: &Indirect, offset: i64) -> Option<String> {
        if a.file != File::Addr || !self.regs.addrs.contains(&a.index) {
            return None;
        }
        let reg = format!("addr{}.{}", a.index, a.component.name());
        Some(match offset {
            0 => reg,
            o if o > 0 => format!("{reg} + {o}"),
            o => format!("{reg} - {}", -o),
        })
    }

    /// Source `s` read as `ty`, with components `comps` of its swizzle and its modifiers.
    fn src(&self, s: &Src, ty: Ty, comps: &[Component]) -> Result<String> {
        let bad = |why: &str| self.err(format!("source {s} ({why})"));
        let (base, stored) = match (s.file, s.index, s.dimension) {
            (File::Const, index, dim) => {
                let buffer = match dim {
                    None => 0,
                    Some(Index::Direct(d)) if d >= 0 => d as u32,
                    Some(_) => return Err(bad("indirect constant buffer")),
                };
                let Some(&size) = self.regs.consts.get(&buffer) else {
                    return Err(bad("undeclared"));
                };
                let element = match index {
                    Index::Direct(i) if i >= 0 && (i as u32) < size => i.to_string(),
                    Index::Direct(_) => return Err(bad("out of range")),
                    Index::Indirect(a) => self
                        .address(&a, i64::from(a.offset))
                        .ok_or_else(|| bad("indirect address"))?,
                };
                (
                    format!("{}const{buffer}[{element}]", self.regs.prefix()),
                    Ty::Float,
                )
            }
            (File::In, Index::Direct(i), Some(vertex)) if self.regs.stage == Processor::Geom => {
                let n = self.regs.geometry.input_vertices() as i32;
                let vertex = match vertex {
                    Index::Direct(v) if (0..n).contains(&v) => v.to_string(),
                    Index::Direct(_) => return Err(bad("vertex out of range")),
                    Index::Indirect(a) => {
                        let v = self
                            .address(&a, i64::from(a.offset))
                            .ok_or_else(|| bad("indirect vertex"))?;
                        format!("clamp({v}, 0, {})", n - 1)
                    }
                };
                let i = u32::try_from(i).map_err(|_| bad("negative index"))?;
                let input = self.regs.vertex_input_at(i, &vertex);
                (input.ok_or_else(|| bad("undeclared"))?, Ty::Float)
            }
            (_, _, Some(_)) => return Err(bad("two-dimensional")),
            (File::Temp, index, None) => (
                self.temp(index).ok_or_else(|| bad("undeclared"))?.0,
                Ty::Float,
            ),
            (_, Index::Indirect(_), _) => return Err(bad("indirect")),
            (file, Index::Direct(i), None) => {
                let i = u32::try_from(i).map_err(|_| bad("negative index"))?;
                let found = match file {
                    File::Addr if self.regs.addrs.contains(&i) => {
                        Some((format!("addr{i}"), Ty::Int))
                    }
                    File::In => self.regs.inputs.get(&i).map(|n| (n.clone(), Ty::Float)),
                    File::Out => self.regs.outputs.get(&i).map(|n| (n.clone(), Ty::Float)),
                    File::Sv => self.regs.sysvals.get(&i).cloned(),
                    File::Imm => self
                        .regs
                        .immediate_type(i as usize)
                        .map(|t| (format!("imm{i}"), t)),
                    _ => None,
                };
                found.ok_or_else(|| bad("undeclared or unsupported"))?
            }
        };
        let mut e = if comps == ALL {
            base
        } else {
            format!("{base}.{}", letters(comps))
        };
        e = self.cast(e, stored, ty, comps.len());
        if s.absolute {
            if ty == Ty::Uint {
                return Err(bad("absolute value of an unsigned source"));
            }
            e = format!("abs({e})");
        }
        if s.negate {
            e = format!("-{e}");
        }
        Ok(e)
    }
}

/// A comparison of `a` and `b` of `n` components: a `bool` for one, a `bvecN` otherwise.
fn compare(op: &str, func: &str, a: &str, b: &str, n: usize) -> String {
    if n == 1 {
        format!("{a} {op} {b}")
    } else {
        format!("{func}({a}, {b})")
    }
}

/// Zero of `n` components of `ty`.
fn zero(ty: Ty, n: usize) -> String {
    if n == 1 {
        ty.zero().to_string()
    } else {
        format!("{}({})", ty.vec(n), ty.zero())
    }
}

/// `c ? a : b` per component.
fn select(c: &str, a: &str, b: &str, n: usize) -> String {
    if n == 1 {
        format!("({c}) ? {a} : {b}")
    } else {
        format!("mix({b}, {a}, {c})")
    }
}

/// `a op b` for unsigned `a` and `b` of `n` components, with all bits set where `b` is 0.
fn by_zero_all_ones(op: &str, a: &str, b: &str, n: usize) -> String {
    if n == 1 {
        format!("({b} == 0u ? 0xffffffffu : {a} {op} {b})")
    } else {
        let zero = zero(Ty::Uint, n);
        let v = Ty::Uint.vec(n);
        format!("({a} {op} max({b}, 1u)) | {v}(equal({b}, {zero})) * 0xffffffffu")
    }
}
