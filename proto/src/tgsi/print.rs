//! The printer: a [`Shader`] as the text Mesa's `tgsi_dump` writes, which the parser reads
//! back to the same tree.
//!
//! Immediates and instructions are numbered by position, and instructions inside `IF`, loop
//! and subroutine blocks are indented, as `tgsi_dump` does. 32-bit floats are written as hex
//! bits (`0x3f800000`), as the virgl driver asks `tgsi_dump` to.
//!
//! Doubles are written in decimal, with the fewest digits that read back to the same bits
//! (`1.0`, `-0.1`, `1e300`). virglrenderer reads a FLT64 immediate as two values of two
//! 32-bit words each (`parse_immediate_data`, tgsi_text.c:1279-1282 in virglrenderer), and
//! `parse_double` (tgsi_text.c:306) takes a decimal through `strtod` (:326), which rounds
//! correctly, but reads `0x` as two 32-bit `strtoul` words, skipping exactly 11 characters
//! after each (:315-321). A single 64-bit hex literal is misread: `0x3ff0000000000000` (1.0)
//! gives the words 0 and 0, and the skips fall out of step with the text after it. Mesa's
//! own `%10.8f` loses digits. Only a NaN, whose payload decimal cannot carry, is
//! written in the two-word form, `0xLLLLLLLL,0xHHHHHHHH` followed by a space for the second
//! skip.

use std::fmt;

use super::ir::*;
use super::names::{Component, InterpLocation, SemanticName, WriteMask};

fn write_mask(f: &mut fmt::Formatter<'_>, mask: WriteMask) -> fmt::Result {
    if mask == WriteMask::XYZW {
        return Ok(());
    }
    f.write_str(".")?;
    for (bit, c) in [
        (WriteMask::X, 'x'),
        (WriteMask::Y, 'y'),
        (WriteMask::Z, 'z'),
        (WriteMask::W, 'w'),
    ] {
        if mask.contains(bit) {
            write!(f, "{c}")?;
        }
    }
    Ok(())
}

fn components(f: &mut fmt::Formatter<'_>, swizzle: &[Component]) -> fmt::Result {
    f.write_str(".")?;
    swizzle.iter().try_for_each(|c| f.write_str(c.name()))
}

impl fmt::Display for Bracket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Bracket::Implied => f.write_str("[]"),
            Bracket::Range { first, last } if first == last => write!(f, "[{first}]"),
            Bracket::Range { first, last } => write!(f, "[{first}..{last}]"),
        }
    }
}

impl fmt::Display for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Index::Direct(i) => write!(f, "[{i}]"),
            Index::Indirect(ind) => {
                write!(f, "[{}[{}].{}", ind.file, ind.index, ind.component)?;
                if ind.offset > 0 {
                    write!(f, "+{}", ind.offset)?;
                } else if ind.offset < 0 {
                    write!(f, "{}", ind.offset)?;
                }
                f.write_str("]")?;
                if ind.array_id != 0 {
                    write!(f, "({})", ind.array_id)?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Dst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(d) = &self.dimension {
            write!(f, "{d}")?;
        }
        write!(f, "{}", self.index)?;
        write_mask(f, self.mask)
    }
}

impl fmt::Display for Src {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negate {
            f.write_str("-")?;
        }
        if self.absolute {
            f.write_str("|")?;
        }
        write!(f, "{}", self.file)?;
        if let Some(d) = &self.dimension {
            write!(f, "{d}")?;
        }
        write!(f, "{}", self.index)?;
        if self.swizzle != Src::XYZW {
            components(f, &self.swizzle)?;
        }
        if self.absolute {
            f.write_str("|")?;
        }
        Ok(())
    }
}

impl fmt::Display for TexOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.file, self.index)?;
        components(f, &self.swizzle)
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PROPERTY {} ", self.name)?;
        match self.value {
            PropertyValue::Uint(v) => write!(f, "{v}"),
            PropertyValue::Primitive(p) => write!(f, "{p}"),
            PropertyValue::CoordOrigin(o) => write!(f, "{o}"),
            PropertyValue::PixelCenter(c) => write!(f, "{c}"),
            PropertyValue::Shader(s) => write!(f, "{s}"),
        }
    }
}

impl fmt::Display for Declaration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DCL {}", self.file)?;
        if let Some(d) = &self.dimension {
            write!(f, "{d}")?;
        }
        write!(f, "{}", self.range)?;
        write_mask(f, self.mask)?;
        if let Some(a) = self.array {
            write!(f, ", ARRAY({a})")?;
        }
        if self.local {
            f.write_str(", LOCAL")?;
        }
        if let Some(s) = &self.semantic {
            write!(f, ", {}", s.name)?;
            if s.index != 0 || matches!(s.name, SemanticName::Generic | SemanticName::Texcoord) {
                write!(f, "[{}]", s.index)?;
            }
        }
        match &self.resource {
            None => {}
            Some(Resource::Image {
                target,
                format,
                writable,
                raw,
            }) => {
                write!(f, ", {target}")?;
                if let Some(fmt) = format {
                    write!(f, ", PIPE_FORMAT_{}", fmt.name())?;
                }
                if *writable {
                    f.write_str(", WR")?;
                }
                if *raw {
                    f.write_str(", RAW")?;
                }
            }
            Some(Resource::SamplerView {
                target,
                return_types: t,
            }) => {
                write!(f, ", {target}, {}", t[0])?;
                if t.iter().any(|x| *x != t[0]) {
                    write!(f, ", {}, {}, {}", t[1], t[2], t[3])?;
                }
            }
            Some(Resource::AtomicBuffer) => f.write_str(", ATOMIC")?,
            Some(Resource::Memory(t)) => write!(f, ", {t}")?,
        }
        if let Some([x, y, z, w]) = self.stream {
            write!(f, ", STREAM({x}, {y}, {z}, {w})")?;
        }
        if let Some(i) = self.interpolate {
            write!(f, ", {i}")?;
        }
        if self.location != InterpLocation::Center {
            write!(f, ", {}", self.location)?;
        }
        if self.invariant {
            f.write_str(", INVARIANT")?;
        }
        Ok(())
    }
}

/// One double: decimal with the fewest digits that round-trip through `strtod`, or, for a
/// NaN, its two words, low first, and a space for `parse_double` to skip.
fn write_f64(f: &mut fmt::Formatter<'_>, bits: u64) -> fmt::Result {
    let v = f64::from_bits(bits);
    if v.is_nan() {
        write!(f, "{:#010x},{:#010x} ", bits as u32, (bits >> 32) as u32)
    } else {
        write!(f, "{v:?}")
    }
}

/// The body of an immediate, `TYPE {values}`, without its `IMM[n]`.
impl fmt::Display for Immediate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list<T: Copy>(
            f: &mut fmt::Formatter<'_>,
            ty: &str,
            values: &[T],
            mut one: impl FnMut(&mut fmt::Formatter<'_>, T) -> fmt::Result,
        ) -> fmt::Result {
            write!(f, "{ty} {{")?;
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                one(f, *v)?;
            }
            f.write_str("}")
        }
        match self {
            Immediate::Flt32(v) => list(f, "FLT32", v, |f, x| write!(f, "{x:#010x}")),
            Immediate::Uint32(v) => list(f, "UINT32", v, |f, x| write!(f, "{x}")),
            Immediate::Int32(v) => list(f, "INT32", v, |f, x| write!(f, "{x}")),
            Immediate::Flt64(v) => list(f, "FLT64", v, write_f64),
            Immediate::Uint64(v) => list(f, "UINT64", v, |f, x| write!(f, "{x}")),
            Immediate::Int64(v) => list(f, "INT64", v, |f, x| write!(f, "{x}")),
        }
    }
}

/// The instruction without its number and indentation.
impl fmt::Display for Instruction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.opcode)?;
        if self.saturate {
            f.write_str("_SAT")?;
        }
        if self.precise {
            f.write_str("_PRECISE")?;
        }
        let mut sep = " ";
        let mut next = |f: &mut fmt::Formatter<'_>| {
            let s = sep;
            sep = ", ";
            f.write_str(s)
        };
        for d in &self.dst {
            next(f)?;
            write!(f, "{d}")?;
        }
        for s in &self.src {
            next(f)?;
            write!(f, "{s}")?;
        }
        if let Some(t) = self.texture {
            next(f)?;
            write!(f, "{t}")?;
        }
        for o in &self.offsets {
            next(f)?;
            write!(f, "{o}")?;
        }
        if self.opcode.is_memory() {
            for (name, _) in self.memory.qualifiers.iter_names() {
                next(f)?;
                f.write_str(name)?;
            }
            if let Some(t) = self.memory.texture {
                next(f)?;
                write!(f, "{t}")?;
            }
            if let Some(fmt) = self.memory.format {
                next(f)?;
                write!(f, "PIPE_FORMAT_{}", fmt.name())?;
            }
        }
        if let Some(l) = self.label {
            write!(f, " :{l}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Shader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.processor)?;
        let mut immediates = 0;
        let mut instructions = 0;
        let mut indent = 0usize;
        for item in &self.items {
            match item {
                Item::Property(p) => writeln!(f, "{p}")?,
                Item::Declaration(d) => writeln!(f, "{d}")?,
                Item::Immediate(i) => {
                    writeln!(f, "IMM[{immediates}] {i}")?;
                    immediates += 1;
                }
                Item::Instruction(i) => {
                    let info = i.opcode.info();
                    if info.dedent {
                        indent = indent.saturating_sub(1);
                    }
                    writeln!(f, "{instructions:>3}: {:width$}{i}", "", width = 2 * indent)?;
                    if info.indent {
                        indent += 1;
                    }
                    instructions += 1;
                }
            }
        }
        Ok(())
    }
}
