//! Memory instructions: `LOAD`, `STORE`, `RESQ` and the `ATOM*` family on shader buffers,
//! images and shared memory, and `MEMBAR`, `BARRIER`.

use virgl_proto::tgsi::{File, Immediate, Index, Instruction, Opcode, Processor, Src};

use super::super::compute::Image;
use super::super::regs::Ty;
use super::{mask_components, Body};
use crate::error::Result;

/// What a memory instruction's resource operand names.
enum Memory {
    /// A shader buffer's `uint` array.
    Buffer(String),
    Image(String, Image),
    /// The shared `uint` array.
    Shared,
}

/// `TGSI_MEMBAR_*`.
const MEMBAR_SHADER_BUFFER: u32 = 1 << 0;
const MEMBAR_ATOMIC_BUFFER: u32 = 1 << 1;
const MEMBAR_SHADER_IMAGE: u32 = 1 << 2;
const MEMBAR_SHARED: u32 = 1 << 3;
const MEMBAR_THREAD_GROUP: u32 = 1 << 4;

impl Body<'_> {
    /// Translates a memory or barrier instruction.
    pub(super) fn memory(&mut self, ins: &Instruction) -> Result<()> {
        match ins.opcode {
            Opcode::Barrier => {
                if self.regs.stage != Processor::Comp {
                    return Err(self.err("BARRIER outside a compute shader"));
                }
                self.line("barrier();");
                Ok(())
            }
            Opcode::Membar => self.membar(&ins.src[0]),
            Opcode::Load => self.load(ins),
            Opcode::Store => self.store(ins),
            Opcode::Resq => self.resq(ins),
            _ => self.atomic(ins),
        }
    }

    fn memory_operand(&self, file: File, index: Index) -> Result<Memory> {
        let bad = || self.err(format!("memory operand {file}[{index:?}]"));
        let Index::Direct(i) = index else {
            return Err(bad());
        };
        let i = u32::try_from(i).map_err(|_| bad())?;
        let m = &self.regs.memory;
        let p = self.regs.prefix();
        match file {
            File::Buffer if m.buffers.contains_key(&i) => Ok(Memory::Buffer(format!("{p}ssbo{i}"))),
            File::Image => m
                .images
                .get(&i)
                .map(|img| Memory::Image(format!("{p}image{i}"), *img))
                .ok_or_else(bad),
            File::Memory if m.shared == Some(i) => Ok(Memory::Shared),
            _ => Err(bad()),
        }
    }

    /// The dword index of a byte address: `src.x >> 2`.
    fn dword_address(&self, s: &Src) -> Result<String> {
        Ok(format!(
            "({} >> 2)",
            self.src(s, Ty::Uint, &[s.swizzle[0]])?
        ))
    }

    /// An image's texel coordinate from `s`.
    fn texel(&self, s: &Src, image: &Image) -> Result<String> {
        let n = image.coordinates();
        self.src(s, Ty::Int, &s.swizzle[..n])
    }

    fn load(&mut self, ins: &Instruction) -> Result<()> {
        let dst = &ins.dst[0];
        let comps = mask_components(dst.mask);
        let n = comps.len();
        let (expr, ty) = match self.memory_operand(ins.src[0].file, ins.src[0].index)? {
            Memory::Image(name, image) => {
                if image.format.is_none() {
                    return Err(self.err("LOAD of an image declared without a format"));
                }
                let texel = self.texel(&ins.src[1], &image)?;
                let load = format!("imageLoad({name}, {texel})");
                let expr = if n == 4 {
                    load
                } else {
                    let letters: String = comps.iter().map(|c| c.name()).collect();
                    format!("{load}.{letters}")
                };
                (expr, image.ty)
            }
            m => {
                let array = match m {
                    Memory::Buffer(name) => name,
                    _ => "cs_shared".to_string(),
                };
                let at = self.dword_address(&ins.src[1])?;
                let words: Vec<String> = comps
                    .iter()
                    .map(|c| element(&array, &at, c.number()))
                    .collect();
                let expr = if n == 1 {
                    words[0].clone()
                } else {
                    format!("{}({})", Ty::Uint.vec(n), words.join(", "))
                };
                (expr, Ty::Uint)
            }
        };
        self.assign(ins, dst, expr, ty, n)
    }

    fn store(&mut self, ins: &Instruction) -> Result<()> {
        let dst = &ins.dst[0];
        let (addr, value) = (&ins.src[0], &ins.src[1]);
        match self.memory_operand(dst.file, dst.index)? {
            Memory::Image(name, image) => {
                if !image.writable {
                    return Err(self.err("STORE to an image not declared WR"));
                }
                let texel = self.texel(addr, &image)?;
                let v = self.src(value, image.ty, &value.swizzle)?;
                self.line(&format!("imageStore({name}, {texel}, {v});"));
            }
            m => {
                let array = match m {
                    Memory::Buffer(name) => name,
                    _ => "cs_shared".to_string(),
                };
                let at = self.dword_address(addr)?;
                for c in mask_components(dst.mask) {
                    let v = self.src(value, Ty::Uint, &[value.swizzle[c.number() as usize]])?;
                    let lhs = element(&array, &at, c.number());
                    self.line(&format!("{lhs} = {v};"));
                }
            }
        }
        Ok(())
    }

    /// `RESQ`: a buffer's size in bytes, or an image's size.
    fn resq(&mut self, ins: &Instruction) -> Result<()> {
        let dst = &ins.dst[0];
        let comps = mask_components(dst.mask);
        let letters: String = comps.iter().map(|c| c.name()).collect();
        let (expr, ty) = match self.memory_operand(ins.src[0].file, ins.src[0].index)? {
            Memory::Buffer(name) => (
                format!("uvec4(uint({name}.length()) * 4u).{letters}"),
                Ty::Uint,
            ),
            Memory::Image(name, image) => {
                let pad = ", 0".repeat(4 - image.coordinates());
                (format!("ivec4(imageSize({name}){pad}).{letters}"), Ty::Int)
            }
            Memory::Shared => return Err(self.err("RESQ of shared memory")),
        };
        self.assign(ins, dst, expr, ty, comps.len())
    }

    fn atomic(&mut self, ins: &Instruction) -> Result<()> {
        use Opcode as O;
        let (op, signed) = match ins.opcode {
            O::Atomuadd => ("Add", false),
            O::Atomxchg => ("Exchange", false),
            O::Atomcas => ("CompSwap", false),
            O::Atomand => ("And", false),
            O::Atomor => ("Or", false),
            O::Atomxor => ("Xor", false),
            O::Atomumin => ("Min", false),
            O::Atomumax => ("Max", false),
            O::Atomimin => ("Min", true),
            O::Atomimax => ("Max", true),
            op => return Err(self.err(format!("opcode {op}"))),
        };
        let dst = &ins.dst[0];
        let n = mask_components(dst.mask).len();
        let (target, ty) = match self.memory_operand(ins.src[0].file, ins.src[0].index)? {
            Memory::Image(name, image) => {
                let ty = match (image.ty, signed) {
                    (Ty::Float, _) | (Ty::Uint, true) => {
                        return Err(self.err(format!("{} on this image", ins.opcode)))
                    }
                    (ty, _) => ty,
                };
                let texel = self.texel(&ins.src[1], &image)?;
                (format!("image{}({name}, {texel}", atomic_image_op(op)), ty)
            }
            Memory::Buffer(name) => {
                let at = self.dword_address(&ins.src[1])?;
                let (array, ty) = if signed {
                    (format!("{name}_i"), Ty::Int)
                } else {
                    (name, Ty::Uint)
                };
                (format!("atomic{op}({}", element(&array, &at, 0)), ty)
            }
            Memory::Shared if !signed => {
                let at = self.dword_address(&ins.src[1])?;
                (
                    format!("atomic{op}({}", element("cs_shared", &at, 0)),
                    Ty::Uint,
                )
            }
            Memory::Shared => return Err(self.err(format!("{} on shared memory", ins.opcode))),
        };
        let mut args = String::new();
        for s in &ins.src[2..] {
            args.push_str(", ");
            args.push_str(&self.src(s, ty, &[s.swizzle[0]])?);
        }
        let mut expr = format!("{target}{args})");
        if n > 1 {
            expr = format!("{}({expr})", ty.vec(n));
        }
        self.assign(ins, dst, expr, ty, n)
    }

    /// `MEMBAR flags`: the GLSL barriers its `TGSI_MEMBAR_*` bits ask for (all of them where
    /// the flags are not an immediate).
    fn membar(&mut self, s: &Src) -> Result<()> {
        let flags = self.immediate_bits(s).unwrap_or(u32::MAX);
        let compute = self.regs.stage == Processor::Comp;
        let memory = MEMBAR_SHADER_BUFFER | MEMBAR_ATOMIC_BUFFER | MEMBAR_SHADER_IMAGE;
        if flags & memory != 0 {
            self.line("memoryBarrier();");
        }
        if compute && flags & MEMBAR_SHARED != 0 {
            self.line("memoryBarrierShared();");
        }
        if compute && flags & MEMBAR_THREAD_GROUP != 0 {
            self.line("groupMemoryBarrier();");
        }
        Ok(())
    }

    /// The bits of an immediate source's first selected component.
    fn immediate_bits(&self, s: &Src) -> Option<u32> {
        let (File::Imm, Index::Direct(i)) = (s.file, s.index) else {
            return None;
        };
        let c = s.swizzle[0].number() as usize;
        match self.regs.immediates.get(usize::try_from(i).ok()?)? {
            Immediate::Flt32(v) | Immediate::Uint32(v) => Some(v[c]),
            Immediate::Int32(v) => Some(v[c] as u32),
            _ => None,
        }
    }
}

/// `array[at + c]`.
fn element(array: &str, at: &str, c: u32) -> String {
    match c {
        0 => format!("{array}[{at}]"),
        c => format!("{array}[{at} + {c}u]"),
    }
}

/// The `imageAtomic*` name of an `atomic*` operation.
fn atomic_image_op(op: &str) -> String {
    format!("Atomic{op}")
}
