//! The parser: TGSI text to a [`Shader`], rejecting what virglrenderer's `tgsi_text.c` (and
//! the `tgsi_sanity.c` check it runs after) rejects.
//!
//! It follows the host's grammar rather than lines: items are separated by whitespace (space,
//! tab or newline; not carriage return), names are matched without regard to case, and text
//! after a NUL byte is ignored, as the host reads a C string. Where the host silently
//! misreads or drops something (a number that overflows, two or three sampler view return
//! types, an unknown property, a hex float without exactly eight digits) this parser rejects
//! it instead.

use super::ir::*;
use super::names::*;
use super::opcode::Opcode;
use crate::error::{Error, Result};
use crate::format::Format;

mod immediate;

/// Parses TGSI text.
pub fn parse(text: &str) -> Result<Shader> {
    let text = text.split('\0').next().unwrap_or("");
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        pos: 0,
        processor: Processor::Vert,
        implied: false,
        immediates: 0,
    };
    p.shader()
}

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    pos: usize,
    processor: Processor,
    /// Whether `[]` may stand for a declaration's vertex dimension.
    implied: bool,
    immediates: u32,
}

fn is_white(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == b'\n'
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// How `n` things are counted in messages.
fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn operand_counts(op: Opcode) -> String {
    let info = op.info();
    let mut s = format!(
        "{op} takes {} and {}",
        plural(op.num_dst(), "destination"),
        plural(op.num_src(), "source")
    );
    if info.is_tex {
        s.push_str(" and a texture target");
    }
    s
}

/// An image or memory instruction format: `PIPE_FORMAT_` and a virgl format name.
fn format_from_name(word: &str) -> Option<Format> {
    let rest = word
        .get(..12)?
        .eq_ignore_ascii_case("PIPE_FORMAT_")
        .then(|| &word[12..])?;
    Format::ALL
        .iter()
        .copied()
        .find(|f| f.name().eq_ignore_ascii_case(rest))
}

fn memory_qualifier(word: &str) -> Option<MemoryQualifiers> {
    MemoryQualifiers::all()
        .iter_names()
        .find(|(n, _)| n.eq_ignore_ascii_case(word))
        .map(|(_, q)| q)
}

impl<'a> Parser<'a> {
    // ------------------------------------------------------------ errors and lexing

    fn err<T>(&self, at: usize, detail: impl Into<String>) -> Result<T> {
        let at = at.min(self.s.len());
        let start = self.s[..at]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |i| i + 1);
        let end = self.s[at..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.s.len(), |i| at + i);
        Err(Error::Tgsi {
            line: 1 + self.s[..at].iter().filter(|&&c| c == b'\n').count(),
            column: 1 + String::from_utf8_lossy(&self.s[start..at]).chars().count(),
            detail: detail.into(),
            text: String::from_utf8_lossy(&self.s[start..end]).into_owned(),
        })
    }

    /// What stands at `at`, for messages.
    fn found(&self, at: usize) -> String {
        let (w, _) = self.word_at(at);
        if !w.is_empty() {
            format!("`{w}`")
        } else {
            match self.text.get(at..).and_then(|t| t.chars().next()) {
                None => "the end of the text".into(),
                Some('\n') => "the end of the line".into(),
                Some(c) => format!("`{}`", c.escape_debug()),
            }
        }
    }

    fn peek(&self) -> u8 {
        self.s.get(self.pos).copied().unwrap_or(0)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn opt_white(&mut self) {
        while self.s.get(self.pos).copied().is_some_and(is_white) {
            self.pos += 1;
        }
    }

    fn white(&mut self) -> bool {
        let start = self.pos;
        self.opt_white();
        self.pos > start
    }

    /// The identifier-like word starting at `at` (letters, digits, `_`) and where it ends.
    fn word_at(&self, at: usize) -> (&'a str, usize) {
        let text: &'a str = self.text;
        let end = at
            + self
                .s
                .get(at..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&c| is_word(c))
                .count();
        (text.get(at..end).unwrap_or(""), end)
    }

    /// Consumes the word at the cursor if `lookup` knows it.
    fn lookup<T>(&mut self, lookup: impl Fn(&str) -> Option<T>) -> Option<T> {
        let (w, end) = self.word_at(self.pos);
        let v = lookup(w)?;
        self.pos = end;
        Some(v)
    }

    /// Consumes `kw` as a whole word, ignoring case.
    fn keyword(&mut self, kw: &str) -> bool {
        self.lookup(|w| w.eq_ignore_ascii_case(kw).then_some(()))
            .is_some()
    }

    /// After optional whitespace, a comma and optional whitespace: the position of what
    /// follows, without consuming anything.
    fn after_comma(&self) -> Option<usize> {
        let mut at = self.pos;
        while self.s.get(at).copied().is_some_and(is_white) {
            at += 1;
        }
        if self.s.get(at) != Some(&b',') {
            return None;
        }
        at += 1;
        while self.s.get(at).copied().is_some_and(is_white) {
            at += 1;
        }
        Some(at)
    }

    /// `, WORD` where `lookup` knows WORD: consumed, and its value.
    fn comma_word<T>(&mut self, lookup: impl Fn(&str) -> Option<T>) -> Option<T> {
        let at = self.after_comma()?;
        let (w, end) = self.word_at(at);
        let v = lookup(w)?;
        self.pos = end;
        Some(v)
    }

    /// `c` after optional whitespace. A miss across a line break is reported where the line
    /// ended, not on the next one.
    fn expect(&mut self, c: u8, what: &str) -> Result<()> {
        let before = self.pos;
        self.opt_white();
        if self.peek() == c {
            self.pos += 1;
            return Ok(());
        }
        let found = self.found(self.pos);
        let at = if self.s[before..self.pos].contains(&b'\n') {
            before
        } else {
            self.pos
        };
        self.err(
            at,
            format!("expected `{}` {what}, found {found}", c as char),
        )
    }

    fn digits(&mut self) -> Option<&'a str> {
        let start = self.pos;
        while self.peek().is_ascii_digit() {
            self.pos += 1;
        }
        (self.pos > start).then(|| &self.text[start..self.pos])
    }

    /// A decimal unsigned number (`parse_uint`).
    fn uint(&mut self, what: &str) -> Result<u32> {
        let at = self.pos;
        match self.digits() {
            None => self.err(at, format!("expected {what}, found {}", self.found(at))),
            Some(d) => d
                .parse()
                .or_else(|_| self.err(at, format!("{what} {d} does not fit in 32 bits"))),
        }
    }

    /// A decimal number with an optional sign (`parse_int`).
    fn int(&mut self, what: &str) -> Result<i32> {
        let at = self.pos;
        let neg = match self.peek() {
            b'-' => true,
            b'+' => false,
            _ => {
                return match self.digits() {
                    None => self.err(at, format!("expected {what}, found {}", self.found(at))),
                    Some(d) => d
                        .parse()
                        .or_else(|_| self.err(at, format!("{what} {d} does not fit in 32 bits"))),
                }
            }
        };
        self.pos += 1;
        let Some(d) = self.digits() else {
            return self.err(at, format!("expected digits after the sign of {what}"));
        };
        let v: i64 = d.parse().unwrap_or(i64::MAX);
        i32::try_from(if neg { -v } else { v }).or_else(|_| {
            self.err(
                at,
                format!(
                    "{what} {} does not fit in 32 bits",
                    &self.text[at..self.pos]
                ),
            )
        })
    }

    // ------------------------------------------------------------ the shader

    fn shader(&mut self) -> Result<Shader> {
        self.opt_white();
        let at = self.pos;
        let Some(processor) = self.lookup(Processor::from_name) else {
            return self.err(
                at,
                format!(
                    "expected a header (VERT, FRAG, GEOM, TESS_CTRL, TESS_EVAL or COMP), found {}",
                    self.found(at)
                ),
            );
        };
        self.processor = processor;
        self.implied = matches!(processor, Processor::TessCtrl | Processor::TessEval);
        let mut items = Vec::new();
        let mut end_seen = false;
        let mut instructions = 0usize;
        loop {
            if self.at_end() {
                break;
            }
            if !self.white() {
                return self.err(
                    self.pos,
                    format!("expected a line break, found {}", self.found(self.pos)),
                );
            }
            if self.at_end() {
                break;
            }
            let at = self.pos;
            let item = if self.label() {
                self.opt_white();
                Item::Instruction(self.instruction(true)?)
            } else if self.keyword("DCL") {
                if instructions > 0 {
                    return self.err(at, "a declaration after the first instruction");
                }
                Item::Declaration(self.declaration()?)
            } else if self.keyword("IMM") {
                if instructions > 0 {
                    return self.err(at, "an immediate after the first instruction");
                }
                Item::Immediate(self.immediate()?)
            } else if self.keyword("PROPERTY") {
                Item::Property(self.property()?)
            } else {
                Item::Instruction(self.instruction(false)?)
            };
            if let Item::Instruction(i) = &item {
                instructions += 1;
                if i.opcode == Opcode::End {
                    if end_seen {
                        return self.err(at, "a second END");
                    }
                    end_seen = true;
                }
            }
            items.push(item);
        }
        if !end_seen {
            let end = self
                .s
                .iter()
                .rposition(|&c| !is_white(c))
                .map_or(0, |i| i + 1);
            return self.err(end, "missing END");
        }
        Ok(Shader { processor, items })
    }

    /// An instruction number and colon (`  3: `), which the host reads and ignores.
    fn label(&mut self) -> bool {
        let save = self.pos;
        if self.digits().is_some() {
            self.opt_white();
            if self.peek() == b':' {
                self.pos += 1;
                return true;
            }
        }
        self.pos = save;
        false
    }

    // ------------------------------------------------------------ properties

    fn property(&mut self) -> Result<Property> {
        if !self.white() {
            return self.err(self.pos, "expected a space after PROPERTY");
        }
        let at = self.pos;
        let Some(name) = self.lookup(PropertyName::from_name) else {
            return self.err(at, format!("unknown property {}", self.found(at)));
        };
        self.opt_white();
        let at = self.pos;
        let value = match name.kind() {
            PropertyKind::Uint => PropertyValue::Uint(self.uint(&format!("{name}'s value"))?),
            PropertyKind::Primitive => match self.lookup(Primitive::from_name) {
                Some(p) => PropertyValue::Primitive(p),
                None => return self.err(at, format!("unknown primitive {}", self.found(at))),
            },
            PropertyKind::CoordOrigin => match self.lookup(FsCoordOrigin::from_name) {
                Some(o) => PropertyValue::CoordOrigin(o),
                None => {
                    return self.err(
                        at,
                        format!(
                            "expected UPPER_LEFT or LOWER_LEFT, found {}",
                            self.found(at)
                        ),
                    )
                }
            },
            PropertyKind::PixelCenter => match self.lookup(FsCoordPixelCenter::from_name) {
                Some(c) => PropertyValue::PixelCenter(c),
                None => {
                    return self.err(
                        at,
                        format!("expected HALF_INTEGER or INTEGER, found {}", self.found(at)),
                    )
                }
            },
            PropertyKind::Shader => match self.lookup(Processor::from_name) {
                Some(p) => PropertyValue::Shader(p),
                None => return self.err(at, format!("unknown shader stage {}", self.found(at))),
            },
        };
        if name == PropertyName::GsInputPrimitive && self.processor == Processor::Geom {
            self.implied = true;
        }
        Ok(Property { name, value })
    }

    // ------------------------------------------------------------ declarations

    fn register_file(&mut self) -> Result<File> {
        let at = self.pos;
        match self.lookup(File::from_name) {
            Some(File::Null) => self.err(at, "NULL registers fail the host's sanity check"),
            Some(f) => Ok(f),
            None => self.err(at, format!("unknown register file {}", self.found(at))),
        }
    }

    fn dcl_bracket(&mut self) -> Result<Bracket> {
        self.opt_white();
        let at = self.pos;
        if !self.peek().is_ascii_digit() {
            if self.peek() == b']' {
                if !self.implied {
                    return self.err(
                        at,
                        "`[]` needs a known vertex count: a tessellation shader, or a geometry \
                         shader after PROPERTY GS_INPUT_PRIMITIVE",
                    );
                }
                self.pos += 1;
                return Ok(Bracket::Implied);
            }
            return self.err(
                at,
                format!("expected a register number, found {}", self.found(at)),
            );
        }
        let first = self.uint("a register number")?;
        self.opt_white();
        let mut last = first;
        if self.s[self.pos..].starts_with(b"..") {
            self.pos += 2;
            self.opt_white();
            last = self.uint("the last register number")?;
        }
        self.expect(b']', "or `..` in a declaration")?;
        if last < first {
            return self.err(at, format!("range {first}..{last} runs backwards"));
        }
        Ok(Bracket::Range { first, last })
    }

    fn declaration(&mut self) -> Result<Declaration> {
        if !self.white() {
            return self.err(self.pos, "expected a space after DCL");
        }
        let file = self.register_file()?;
        self.expect(b'[', &format!("after {file}"))?;
        let first = self.dcl_bracket()?;
        let save = self.pos;
        self.opt_white();
        let second = if self.peek() == b'[' {
            self.pos += 1;
            Some(self.dcl_bracket()?)
        } else {
            self.pos = save;
            None
        };
        let mask = self.write_mask()?;
        let (dimension, range) = match second {
            Some(r) => (Some(first), r),
            None => (None, first),
        };
        let mut d = Declaration::new(file, 0, 0);
        d.dimension = dimension;
        d.range = range;
        d.mask = mask;

        if self
            .comma_word(|w| w.eq_ignore_ascii_case("ARRAY").then_some(()))
            .is_some()
        {
            self.expect_tight(b'(', "after ARRAY")?;
            self.opt_white();
            let at = self.pos;
            let id = self.int("an array id")?;
            d.array = Some(
                u32::try_from(id).or_else(|_| self.err(at, format!("negative array id {id}")))?,
            );
            self.expect(b')', "after the array id")?;
        }

        let vs_input = file == File::In && self.processor == Processor::Vert;
        if vs_input {
            if let Some(at) = self.after_comma() {
                return self.err(
                    at,
                    format!(
                        "vertex shader inputs take no attributes, found {}",
                        self.found(at)
                    ),
                );
            }
            return Ok(d);
        }

        if let Some(at) = self.after_comma() {
            match file {
                File::Image => d.resource = Some(self.image(at)?),
                File::Sview => d.resource = Some(self.sampler_view(at)?),
                File::Buffer => {
                    if self
                        .comma_word(|w| w.eq_ignore_ascii_case("ATOMIC").then_some(()))
                        .is_some()
                    {
                        d.resource = Some(Resource::AtomicBuffer);
                    }
                }
                File::Memory => {
                    if let Some(t) = self.comma_word(MemoryType::from_name) {
                        d.resource = Some(Resource::Memory(t));
                    }
                }
                _ => {
                    d.local = self
                        .comma_word(|w| w.eq_ignore_ascii_case("LOCAL").then_some(()))
                        .is_some();
                    if let Some(name) = self.comma_word(SemanticName::from_name) {
                        let save = self.pos;
                        self.opt_white();
                        let index = if self.peek() == b'[' {
                            self.pos += 1;
                            self.opt_white();
                            let i = self.uint("a semantic index")?;
                            self.expect(b']', "after the semantic index")?;
                            i
                        } else {
                            self.pos = save;
                            0
                        };
                        d.semantic = Some(Semantic { name, index });
                    }
                }
            }
        }

        if file == File::Out
            && self.processor == Processor::Geom
            && self
                .comma_word(|w| w.eq_ignore_ascii_case("STREAM").then_some(()))
                .is_some()
        {
            self.expect(b'(', "after STREAM")?;
            let mut stream = [0; 4];
            for (i, s) in stream.iter_mut().enumerate() {
                if i > 0 {
                    self.expect(b',', "between stream numbers")?;
                }
                self.opt_white();
                *s = self.uint("a stream number")?;
            }
            self.expect(b')', "after four stream numbers")?;
            d.stream = Some(stream);
        }
        d.interpolate = self.comma_word(Interpolate::from_name);
        if let Some(l) = self.comma_word(InterpLocation::from_name) {
            d.location = l;
        }
        if let Some(at) = self.after_comma() {
            if self
                .comma_word(|w| w.eq_ignore_ascii_case("INVARIANT").then_some(()))
                .is_some()
            {
                d.invariant = true;
            } else {
                return self.err(
                    at,
                    format!("unexpected {} in a {file} declaration", self.found(at)),
                );
            }
        }
        if let Some(at) = self.after_comma() {
            return self.err(at, format!("unexpected {} after INVARIANT", self.found(at)));
        }
        Ok(d)
    }

    /// `c` right at the cursor, no whitespace before it.
    fn expect_tight(&mut self, c: u8, what: &str) -> Result<()> {
        if self.peek() == c {
            self.pos += 1;
            Ok(())
        } else {
            self.err(
                self.pos,
                format!(
                    "expected `{}` {what}, found {}",
                    c as char,
                    self.found(self.pos)
                ),
            )
        }
    }

    fn texture_at(&mut self, at: usize) -> Result<Texture> {
        self.pos = at;
        match self.lookup(Texture::from_name) {
            Some(t) => Ok(t),
            None => self.err(at, format!("unknown texture target {}", self.found(at))),
        }
    }

    /// `, TARGET` then any of `, RAW`, `, WR`, `, PIPE_FORMAT_*`, the comma before the target
    /// already seen at `at`.
    fn image(&mut self, at: usize) -> Result<Resource> {
        let target = self.texture_at(at)?;
        let (mut format, mut writable, mut raw) = (None, false, false);
        loop {
            if self
                .comma_word(|w| w.eq_ignore_ascii_case("RAW").then_some(()))
                .is_some()
            {
                raw = true;
            } else if self
                .comma_word(|w| w.eq_ignore_ascii_case("WR").then_some(()))
                .is_some()
            {
                writable = true;
            } else if let Some(f) = self.comma_word(format_from_name) {
                format = Some(f);
            } else {
                break;
            }
        }
        Ok(Resource::Image {
            target,
            format,
            writable,
            raw,
        })
    }

    /// `, TARGET, TYPE` or `, TARGET, TYPE, TYPE, TYPE, TYPE`, the first comma seen at `at`.
    fn sampler_view(&mut self, at: usize) -> Result<Resource> {
        let target = self.texture_at(at)?;
        self.expect(b',', "and a return type after the sampler view target")?;
        self.opt_white();
        let mut types = Vec::new();
        loop {
            let at = self.pos;
            match self.lookup(ReturnType::from_name) {
                Some(t) => types.push(t),
                None => return self.err(at, format!("unknown return type {}", self.found(at))),
            }
            // The host takes a comma after a return type as the start of the next one.
            match self.after_comma() {
                Some(next) if types.len() < 4 => self.pos = next,
                Some(next) => {
                    return self.err(
                        next,
                        format!("unexpected {} after four return types", self.found(next)),
                    )
                }
                None => break,
            }
        }
        let return_types = match types[..] {
            [t] => [t; 4],
            [x, y, z, w] => [x, y, z, w],
            _ => {
                return self.err(
                    at,
                    format!(
                        "{} return types: a sampler view takes one or four (the host would use \
                         the first for all)",
                        types.len()
                    ),
                )
            }
        };
        Ok(Resource::SamplerView {
            target,
            return_types,
        })
    }

    // ------------------------------------------------------------ instructions

    fn instruction(&mut self, labelled: bool) -> Result<Instruction> {
        let at = self.pos;
        let (word, end) = self.word_at(at);
        let mut base = word;
        let mut precise = false;
        let mut saturate = false;
        if base.len() > 8 && base[base.len() - 8..].eq_ignore_ascii_case("_PRECISE") {
            precise = true;
            base = &base[..base.len() - 8];
        }
        if base.len() > 4 && base[base.len() - 4..].eq_ignore_ascii_case("_SAT") {
            saturate = true;
            base = &base[..base.len() - 4];
        }
        let Some(opcode) = Opcode::from_name(base) else {
            return self.err(
                at,
                if word.is_empty() && !labelled {
                    format!(
                        "expected DCL, IMM, PROPERTY or an instruction, found {}",
                        self.found(at)
                    )
                } else {
                    format!("unknown opcode {}", self.found(at))
                },
            );
        };
        self.pos = end;
        let info = opcode.info();
        let operands = opcode.num_dst() + opcode.num_src() + usize::from(info.is_tex);
        if operands > 0 && !self.at_end() && !self.white() {
            return self.err(self.pos, format!("expected a space after {word}"));
        }
        let mut inst = Instruction {
            opcode,
            saturate,
            precise,
            dst: Vec::new(),
            src: Vec::new(),
            texture: None,
            offsets: Vec::new(),
            memory: Memory::default(),
            label: None,
        };
        for i in 0..operands {
            if i > 0 {
                let before = self.pos;
                self.opt_white();
                if self.peek() != b',' {
                    return self.err(
                        before,
                        format!(
                            "{}: expected `,` before operand {}, found {}",
                            operand_counts(opcode),
                            i + 1,
                            self.found(self.pos)
                        ),
                    );
                }
                self.pos += 1;
                self.opt_white();
            }
            if i < opcode.num_dst() {
                inst.dst.push(self.dst(opcode)?);
            } else if i < opcode.num_dst() + opcode.num_src() {
                inst.src.push(self.src(opcode)?);
            } else {
                let at = self.pos;
                inst.texture = Some(self.texture_at(at)?);
            }
        }
        if opcode.has_texture() {
            while inst.offsets.len() < 4 {
                let Some(at) = self.after_comma() else {
                    break;
                };
                self.pos = at;
                inst.offsets.push(self.tex_offset()?);
            }
        }
        if opcode.is_memory() {
            while let Some(at) = self.after_comma() {
                self.pos = at;
                if let Some(q) = self.lookup(memory_qualifier) {
                    inst.memory.qualifiers |= q;
                } else if let Some(t) = self.lookup(Texture::from_name) {
                    inst.memory.texture = Some(t);
                } else if let Some(f) = self.lookup(format_from_name) {
                    inst.memory.format = Some(f);
                } else {
                    return self.err(
                        at,
                        format!(
                            "expected a memory qualifier, texture target or format, found {}",
                            self.found(at)
                        ),
                    );
                }
            }
        }
        let save = self.pos;
        self.opt_white();
        match self.peek() {
            b':' if info.is_branch => {
                self.pos += 1;
                self.opt_white();
                inst.label = Some(self.uint("a branch label")?);
            }
            b':' => return self.err(self.pos, format!("{opcode} takes no branch label")),
            b',' => {
                return self.err(
                    self.pos,
                    format!("too many operands: {}", operand_counts(opcode)),
                )
            }
            _ => self.pos = save,
        }
        Ok(inst)
    }

    /// A register and its brackets: `FILE[index]` or `FILE[dimension][index]`.
    fn register(&mut self, opcode: Opcode) -> Result<(File, Option<Index>, Index)> {
        let at = self.pos;
        let (w, end) = self.word_at(at);
        let bracket = self.s[end..].iter().find(|&&c| !is_white(c)) == Some(&b'[');
        let looks_like_register = File::from_name(w).is_some() || (bracket && !w.is_empty());
        if !looks_like_register {
            return self.err(
                at,
                format!(
                    "{}: expected a register, found {}",
                    operand_counts(opcode),
                    self.found(at)
                ),
            );
        }
        let file = self.register_file()?;
        self.expect(b'[', &format!("after {file}"))?;
        let first = self.index()?;
        let save = self.pos;
        self.opt_white();
        if self.peek() == b'[' {
            self.pos += 1;
            Ok((file, Some(first), self.index()?))
        } else {
            self.pos = save;
            Ok((file, None, first))
        }
    }

    /// The inside of a bracket after `[`, and the `]`: a number, or an indirect address
    /// `FILE[n].c+offset` with an optional `(array id)` after the bracket.
    fn index(&mut self) -> Result<Index> {
        self.opt_white();
        let at = self.pos;
        let (w, _) = self.word_at(at);
        if File::from_name(w).is_none() {
            let i = self.int("a register index")?;
            self.expect(b']', "after the register index")?;
            // The host parses an array id after a constant index too, and drops it.
            if self.peek() == b'(' {
                self.pos += 1;
                self.opt_white();
                self.uint("an array id")?;
                self.expect(b')', "after the array id")?;
            }
            return Ok(Index::Direct(i));
        }
        let file = self.register_file()?;
        self.expect(b'[', &format!("after {file}"))?;
        self.opt_white();
        let index = self.uint("an address register number")?;
        self.expect(b']', "after the address register number")?;
        self.opt_white();
        let mut component = Component::X;
        if self.peek() == b'.' {
            self.pos += 1;
            self.opt_white();
            let at = self.pos;
            component = match Component::from_letter(self.peek()) {
                Some(c) => c,
                None => {
                    return self.err(
                        at,
                        format!(
                            "expected an address component x, y, z or w, found {}",
                            self.found(at)
                        ),
                    )
                }
            };
            self.pos += 1;
            self.opt_white();
        }
        let mut offset = 0;
        if matches!(self.peek(), b'+' | b'-') {
            offset = self.int("an address offset")?;
        }
        self.expect(b']', "after the indirect address")?;
        let mut array_id = 0;
        if self.peek() == b'(' {
            self.pos += 1;
            self.opt_white();
            array_id = self.uint("an array id")?;
            self.expect(b')', "after the array id")?;
        }
        Ok(Index::Indirect(Indirect {
            file,
            index,
            component,
            offset,
            array_id,
        }))
    }

    /// `.xyzw`-style mask: each of x, y, z, w at most once and in that order.
    fn write_mask(&mut self) -> Result<WriteMask> {
        let save = self.pos;
        self.opt_white();
        if self.peek() != b'.' {
            self.pos = save;
            return Ok(WriteMask::XYZW);
        }
        self.pos += 1;
        self.opt_white();
        let at = self.pos;
        let mut mask = WriteMask::empty();
        for (letter, bit) in [
            (b'x', WriteMask::X),
            (b'y', WriteMask::Y),
            (b'z', WriteMask::Z),
            (b'w', WriteMask::W),
        ] {
            if self.peek().to_ascii_lowercase() == letter {
                mask |= bit;
                self.pos += 1;
            }
        }
        if mask.is_empty() {
            return self.err(
                at,
                format!("expected a write mask, found {}", self.found(at)),
            );
        }
        if Component::from_letter(self.peek()).is_some() {
            return self.err(
                self.pos,
                "write mask components go in xyzw order, each at most once",
            );
        }
        Ok(mask)
    }

    /// `.` and exactly `N` components.
    fn swizzle<const N: usize>(&mut self) -> Result<Option<[Component; N]>> {
        let save = self.pos;
        self.opt_white();
        if self.peek() != b'.' {
            self.pos = save;
            return Ok(None);
        }
        self.pos += 1;
        self.opt_white();
        let mut out = [Component::X; N];
        for c in out.iter_mut() {
            match Component::from_letter(self.peek()) {
                Some(k) => *c = k,
                None => {
                    return self.err(
                        self.pos,
                        format!(
                            "a swizzle has {N} components of x, y, z, w; found {}",
                            self.found(self.pos)
                        ),
                    )
                }
            }
            self.pos += 1;
        }
        if is_word(self.peek()) {
            return self.err(
                self.pos,
                format!("a swizzle has {N} components of x, y, z, w; found more"),
            );
        }
        Ok(Some(out))
    }

    fn dst(&mut self, opcode: Opcode) -> Result<Dst> {
        let (file, dimension, index) = self.register(opcode)?;
        let mask = self.write_mask()?;
        Ok(Dst {
            file,
            dimension,
            index,
            mask,
        })
    }

    fn src(&mut self, opcode: Opcode) -> Result<Src> {
        let negate = self.peek() == b'-';
        if negate {
            self.pos += 1;
            self.opt_white();
        }
        let absolute = self.peek() == b'|';
        if absolute {
            self.pos += 1;
            self.opt_white();
        }
        let (file, dimension, index) = self.register(opcode)?;
        let swizzle = self.swizzle::<4>()?.unwrap_or(Src::XYZW);
        if absolute {
            self.expect(b'|', "closing the absolute value")?;
        }
        Ok(Src {
            file,
            dimension,
            index,
            swizzle,
            negate,
            absolute,
        })
    }

    /// `FILE[n].xyz`; no swizzle reads as `xxx`, as the host defaults it.
    fn tex_offset(&mut self) -> Result<TexOffset> {
        let file = self.register_file()?;
        self.expect(b'[', &format!("after {file}"))?;
        let at = self.pos;
        let Index::Direct(index) = self.index()? else {
            return self.err(at, "a texture offset takes a constant index");
        };
        let swizzle = self.swizzle::<3>()?.unwrap_or([Component::X; 3]);
        Ok(TexOffset {
            file,
            index,
            swizzle,
        })
    }
}
