//! TGSI text, as Mesa's `tgsi_dump` writes it and virglrenderer's `tgsi_text_translate` reads
//! it: a typed syntax tree, a parser, a printer and a builder.
//!
//! Guest drivers send shaders to virgl hosts as this text. A shader is a header line naming
//! the stage (`VERT`, `FRAG`, ...) followed by one item per line: properties, declarations,
//! immediates and numbered instructions. Floats are written as hex bit patterns
//! (`0x3f800000`) so they survive the trip exactly; the parser also accepts decimal floats.
//!
//! `parse(&print(&shader)) == shader` holds for every shader this module parses.

use std::fmt;

use crate::error::{Error, Result};

/// The shader stage named by the header line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Processor {
    Vert,
    Frag,
    Geom,
    TessCtrl,
    TessEval,
    Comp,
}

impl Processor {
    const NAMES: [(Processor, &'static str); 6] = [
        (Processor::Vert, "VERT"),
        (Processor::Frag, "FRAG"),
        (Processor::Geom, "GEOM"),
        (Processor::TessCtrl, "TESS_CTRL"),
        (Processor::TessEval, "TESS_EVAL"),
        (Processor::Comp, "COMP"),
    ];

    /// The header word.
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(p, _)| *p == self)
            .map(|(_, n)| *n)
            .unwrap_or("VERT")
    }

    fn from_name(s: &str) -> Option<Processor> {
        Self::NAMES.iter().find(|(_, n)| *n == s).map(|(p, _)| *p)
    }

    /// The `pipe_shader_type` this stage is sent as.
    pub fn shader_type(self) -> crate::pipe::ShaderType {
        use crate::pipe::ShaderType as S;
        match self {
            Processor::Vert => S::Vertex,
            Processor::Frag => S::Fragment,
            Processor::Geom => S::Geometry,
            Processor::TessCtrl => S::TessCtrl,
            Processor::TessEval => S::TessEval,
            Processor::Comp => S::Compute,
        }
    }
}

/// Register files (`TGSI_FILE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum File {
    Null,
    Const,
    In,
    Out,
    Temp,
    Samp,
    Addr,
    Imm,
    Sv,
    Image,
    Sview,
    Buffer,
    Memory,
    HwAtomic,
}

impl File {
    const NAMES: [(File, &'static str); 14] = [
        (File::Null, "NULL"),
        (File::Const, "CONST"),
        (File::In, "IN"),
        (File::Out, "OUT"),
        (File::Temp, "TEMP"),
        (File::Samp, "SAMP"),
        (File::Addr, "ADDR"),
        (File::Imm, "IMM"),
        (File::Sv, "SV"),
        (File::Image, "IMAGE"),
        (File::Sview, "SVIEW"),
        (File::Buffer, "BUFFER"),
        (File::Memory, "MEMORY"),
        (File::HwAtomic, "HWATOMIC"),
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(f, _)| *f == self)
            .map(|(_, n)| *n)
            .unwrap_or("NULL")
    }

    fn from_name(s: &str) -> Option<File> {
        Self::NAMES.iter().find(|(_, n)| *n == s).map(|(f, _)| *f)
    }
}

/// An indirect index: `ADDR[0].x` in `TEMP[ADDR[0].x+2]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Indirect {
    pub file: File,
    pub index: u32,
    /// Component, 0-3 for x-w.
    pub component: u8,
}

/// One bracketed index of an operand: a constant, or an indirect register plus an offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Index {
    pub indirect: Option<Indirect>,
    pub offset: i64,
    /// Array id after the bracket, `TEMP[1](2)`.
    pub array_id: Option<u32>,
}

impl Index {
    /// A plain constant index.
    pub const fn direct(i: i64) -> Index {
        Index {
            indirect: None,
            offset: i,
            array_id: None,
        }
    }
}

/// A register operand of an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operand {
    pub negate: bool,
    pub absolute: bool,
    pub file: File,
    /// Zero, one or two bracketed indices.
    pub indices: Vec<Index>,
    /// Swizzle (sources, four components) or write mask (destinations), as components 0-3.
    pub components: Option<Vec<u8>>,
}

impl Operand {
    /// `FILE[index]` with no swizzle.
    pub fn reg(file: File, index: i64) -> Operand {
        Operand {
            negate: false,
            absolute: false,
            file,
            indices: vec![Index::direct(index)],
            components: None,
        }
    }

    /// With a swizzle or write mask given as letters, e.g. `"xxxx"` or `"xy"`.
    pub fn swizzle(mut self, letters: &str) -> Operand {
        self.components = Some(letters.bytes().filter_map(component).collect());
        self
    }

    /// Negated.
    pub fn negated(mut self) -> Operand {
        self.negate = !self.negate;
        self
    }
}

/// A register range in a declaration: `TEMP[0..3]`, `CONST[1][0..7]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub first: u32,
    pub last: u32,
}

/// One comma-separated attribute after a declaration's register: a semantic with an index
/// (`GENERIC[0]`), or a word (`PERSPECTIVE`, `2D`, `FLOAT`, `ARRAY(1)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attribute {
    Semantic { name: String, index: u32 },
    Word(String),
}

/// `DCL FILE[range][range].mask, attributes...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    pub file: File,
    /// Zero to two ranges (a second one for 2D files like CONST buffers or GS inputs);
    /// `None` is an empty bracket, as geometry shader inputs declare their vertex dimension.
    pub ranges: Vec<Option<Range>>,
    pub mask: Option<Vec<u8>>,
    pub attributes: Vec<Attribute>,
}

/// The value type of an immediate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImmType {
    Flt32,
    Uint32,
    Int32,
    Flt64,
    Uint64,
    Int64,
}

impl ImmType {
    const NAMES: [(ImmType, &'static str); 6] = [
        (ImmType::Flt32, "FLT32"),
        (ImmType::Uint32, "UINT32"),
        (ImmType::Int32, "INT32"),
        (ImmType::Flt64, "FLT64"),
        (ImmType::Uint64, "UINT64"),
        (ImmType::Int64, "INT64"),
    ];

    fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(t, _)| *t == self)
            .map(|(_, n)| *n)
            .unwrap_or("UINT32")
    }
}

/// `IMM[n] TYPE {a, b, c, d}`. Values are kept as raw bits: 32-bit types one per dword,
/// 64-bit types as (low, high) pairs, so floats round-trip exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Immediate {
    pub index: u32,
    pub ty: ImmType,
    pub values: Vec<u64>,
}

/// One instruction argument: a register operand or a bare word (texture target, memory
/// qualifier, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    Operand(Operand),
    Word(String),
}

/// `N: OPCODE[_SAT] args... [:label]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// The instruction number printed before the colon, if any.
    pub number: Option<u32>,
    pub opcode: String,
    pub saturate: bool,
    pub precise: bool,
    pub args: Vec<Arg>,
    /// Branch target for IF, ELSE, loops and subroutines (`:N`).
    pub label: Option<u32>,
}

impl Instruction {
    /// How many of the leading operands are destinations.
    pub fn dst_count(&self) -> usize {
        const NO_DST: &[&str] = &[
            "END",
            "RET",
            "KILL",
            "KILL_IF",
            "IF",
            "UIF",
            "ELSE",
            "ENDIF",
            "BGNLOOP",
            "ENDLOOP",
            "BRK",
            "CONT",
            "BGNSUB",
            "ENDSUB",
            "CAL",
            "EMIT",
            "ENDPRIM",
            "NOP",
            "BARRIER",
            "MEMBAR",
            "SWITCH",
            "CASE",
            "DEFAULT",
            "ENDSWITCH",
            "FBFETCH",
        ];
        match self.opcode.as_str() {
            o if NO_DST.contains(&o) => 0,
            "DFRACEXP" => 2,
            _ => 1,
        }
    }

    fn operands(&self) -> impl Iterator<Item = &Operand> {
        self.args.iter().filter_map(|a| match a {
            Arg::Operand(o) => Some(o),
            Arg::Word(_) => None,
        })
    }

    /// Destination operands.
    pub fn dst(&self) -> Vec<&Operand> {
        self.operands().take(self.dst_count()).collect()
    }

    /// Source operands.
    pub fn src(&self) -> Vec<&Operand> {
        self.operands().skip(self.dst_count()).collect()
    }
}

/// `PROPERTY NAME values`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    pub name: String,
    pub values: Vec<String>,
}

/// One line of a shader body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Property(Property),
    Declaration(Declaration),
    Immediate(Immediate),
    Instruction(Instruction),
}

/// A whole shader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shader {
    pub processor: Processor,
    pub items: Vec<Item>,
}

impl Shader {
    /// The instructions, in order.
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.items.iter().filter_map(|i| match i {
            Item::Instruction(x) => Some(x),
            _ => None,
        })
    }

    /// The declarations, in order.
    pub fn declarations(&self) -> impl Iterator<Item = &Declaration> {
        self.items.iter().filter_map(|i| match i {
            Item::Declaration(x) => Some(x),
            _ => None,
        })
    }
}

fn component(c: u8) -> Option<u8> {
    match c {
        b'x' | b'X' => Some(0),
        b'y' | b'Y' => Some(1),
        b'z' | b'Z' => Some(2),
        b'w' | b'W' => Some(3),
        _ => None,
    }
}

const XYZW: [char; 4] = ['x', 'y', 'z', 'w'];

// ---------------------------------------------------------------- parser

struct Cursor<'a> {
    s: &'a [u8],
    pos: usize,
    line: usize,
    text: &'a str,
}

impl<'a> Cursor<'a> {
    fn err<T>(&self, detail: impl Into<String>) -> Result<T> {
        Err(Error::Tgsi {
            line: self.line,
            detail: format!("{} at column {}", detail.into(), self.pos + 1),
            text: self.text.to_string(),
        })
    }

    fn ws(&mut self) {
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| *c == b' ' || *c == b'\t' || *c == b'\r')
        {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        if self.eat(c) {
            Ok(())
        } else {
            self.err(format!("expected {:?}", c as char))
        }
    }

    fn at_end(&mut self) -> bool {
        self.ws();
        self.pos >= self.s.len()
    }

    /// An identifier-like word: letters, digits, `_`, and `.` inside numbers is not included.
    fn word(&mut self) -> Option<&'a str> {
        self.ws();
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.pos += 1;
        }
        (self.pos > start).then(|| std::str::from_utf8(&self.s[start..self.pos]).expect("ascii"))
    }

    fn number(&mut self) -> Result<i64> {
        self.ws();
        let neg = self.eat(b'-');
        self.ws();
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if start == self.pos {
            return self.err("expected a number");
        }
        let v: i64 = std::str::from_utf8(&self.s[start..self.pos])
            .expect("digits")
            .parse()
            .or_else(|_| self.err("number out of range"))?;
        Ok(if neg { -v } else { v })
    }

    fn unsigned(&mut self) -> Result<u32> {
        let v = self.number()?;
        u32::try_from(v).or_else(|_| self.err(format!("{v} is not an unsigned 32-bit number")))
    }

    /// `.xyzw`-style components after a dot.
    fn components(&mut self) -> Result<Option<Vec<u8>>> {
        if self.peek() != Some(b'.') {
            return Ok(None);
        }
        self.pos += 1;
        let start = self.pos;
        let mut v = Vec::new();
        while let Some(c) = self.peek().and_then(component) {
            v.push(c);
            self.pos += 1;
        }
        if v.is_empty() || v.len() > 4 {
            self.pos = start;
            return self.err("expected 1 to 4 components of xyzw");
        }
        Ok(Some(v))
    }

    fn file(&mut self) -> Result<File> {
        let save = self.pos;
        match self.word().and_then(File::from_name) {
            Some(f) => Ok(f),
            None => {
                self.pos = save;
                self.err("expected a register file")
            }
        }
    }

    fn index(&mut self) -> Result<Index> {
        self.ws();
        let mut idx = Index::direct(0);
        if self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            let file = self.file()?;
            self.expect(b'[')?;
            let index = self.unsigned()?;
            self.expect(b']')?;
            let comps = self.components()?;
            let component = match comps.as_deref() {
                Some([c]) => *c,
                _ => return self.err("an indirect register needs exactly one component"),
            };
            idx.indirect = Some(Indirect {
                file,
                index,
                component,
            });
            self.ws();
            if self.peek() == Some(b'+') || self.peek() == Some(b'-') {
                let neg = self.peek() == Some(b'-');
                self.pos += 1;
                let v = self.number()?;
                idx.offset = if neg { -v } else { v };
            }
        } else {
            idx.offset = self.number()?;
        }
        self.expect(b']')?;
        if self.peek() == Some(b'(') {
            self.pos += 1;
            idx.array_id = Some(self.unsigned()?);
            self.expect(b')')?;
        }
        Ok(idx)
    }

    fn operand(&mut self) -> Result<Operand> {
        let negate = self.eat(b'-');
        let absolute = self.eat(b'|');
        let file = self.file()?;
        let mut indices = Vec::new();
        while self.peek() == Some(b'[') {
            self.pos += 1;
            indices.push(self.index()?);
        }
        let components = self.components()?;
        if absolute {
            self.expect(b'|')?;
        }
        Ok(Operand {
            negate,
            absolute,
            file,
            indices,
            components,
        })
    }

    fn range(&mut self) -> Result<Range> {
        let first = self.unsigned()?;
        let last = if self.eat(b'.') {
            self.expect(b'.')?;
            self.unsigned()?
        } else {
            first
        };
        self.expect(b']')?;
        if last < first {
            return self.err(format!("range {first}..{last} runs backwards"));
        }
        Ok(Range { first, last })
    }

    /// Everything up to the next top-level comma or the end, as one word.
    fn rest_word(&mut self) -> Result<String> {
        self.ws();
        let start = self.pos;
        let mut depth = 0;
        while let Some(c) = self.peek() {
            match c {
                b'(' => depth += 1,
                b')' => depth -= 1,
                b',' if depth == 0 => break,
                _ => {}
            }
            self.pos += 1;
        }
        let w = std::str::from_utf8(&self.s[start..self.pos])
            .expect("ascii")
            .trim_end();
        if w.is_empty() {
            return self.err("expected an attribute");
        }
        Ok(w.to_string())
    }
}

fn parse_declaration(c: &mut Cursor<'_>) -> Result<Declaration> {
    let file = c.file()?;
    let mut ranges = Vec::new();
    while c.peek() == Some(b'[') {
        c.pos += 1;
        ranges.push(if c.eat(b']') { None } else { Some(c.range()?) });
    }
    let mask = c.components()?;
    let mut attributes = Vec::new();
    while c.eat(b',') {
        let w = c.rest_word()?;
        let sem = w.split_once('[').and_then(|(name, rest)| {
            let idx = rest.strip_suffix(']')?.parse().ok()?;
            name.bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'_' || b.is_ascii_digit())
                .then(|| (name.to_string(), idx))
        });
        attributes.push(match sem {
            Some((name, index)) => Attribute::Semantic { name, index },
            None => Attribute::Word(w),
        });
    }
    Ok(Declaration {
        file,
        ranges,
        mask,
        attributes,
    })
}

fn parse_immediate(c: &mut Cursor<'_>) -> Result<Immediate> {
    c.expect(b'[')?;
    let index = c.unsigned()?;
    c.expect(b']')?;
    let save = c.pos;
    let ty = match c
        .word()
        .and_then(|w| ImmType::NAMES.iter().find(|(_, n)| *n == w))
    {
        Some((t, _)) => *t,
        None => {
            c.pos = save;
            return c.err("expected an immediate type");
        }
    };
    c.expect(b'{')?;
    let mut values = Vec::new();
    loop {
        c.ws();
        let start = c.pos;
        while c
            .peek()
            .is_some_and(|b| b != b',' && b != b'}' && b != b' ')
        {
            c.pos += 1;
        }
        let tok = std::str::from_utf8(&c.s[start..c.pos]).expect("ascii");
        let v = immediate_value(ty, tok);
        match v {
            Some(v) => values.push(v),
            None => {
                c.pos = start;
                return c.err(format!("bad {} value {tok:?}", ty.name()));
            }
        }
        if c.eat(b'}') {
            break;
        }
        c.expect(b',')?;
    }
    if values.is_empty() || values.len() > 4 {
        return c.err(format!("{} values; an immediate has 1 to 4", values.len()));
    }
    Ok(Immediate { index, ty, values })
}

fn immediate_value(ty: ImmType, tok: &str) -> Option<u64> {
    let hex = |t: &str| {
        t.strip_prefix("0x")
            .or_else(|| t.strip_prefix("0X"))
            .and_then(|h| u64::from_str_radix(h, 16).ok())
    };
    match ty {
        ImmType::Flt32 => hex(tok)
            .filter(|v| *v <= u64::from(u32::MAX))
            .or_else(|| tok.parse::<f32>().ok().map(|f| u64::from(f.to_bits()))),
        ImmType::Flt64 => hex(tok).or_else(|| tok.parse::<f64>().ok().map(f64::to_bits)),
        ImmType::Uint32 => hex(tok)
            .or_else(|| tok.parse::<u64>().ok())
            .filter(|v| *v <= u64::from(u32::MAX)),
        ImmType::Int32 => tok
            .parse::<i32>()
            .ok()
            .map(|v| u64::from(v as u32))
            .or_else(|| hex(tok).filter(|v| *v <= u64::from(u32::MAX))),
        ImmType::Uint64 => hex(tok).or_else(|| tok.parse::<u64>().ok()),
        ImmType::Int64 => tok
            .parse::<i64>()
            .ok()
            .map(|v| v as u64)
            .or_else(|| hex(tok)),
    }
}

fn parse_instruction(c: &mut Cursor<'_>, number: Option<u32>) -> Result<Instruction> {
    let save = c.pos;
    let Some(mut op) = c.word() else {
        c.pos = save;
        return c.err("expected an opcode");
    };
    let mut saturate = false;
    let mut precise = false;
    loop {
        if let Some(o) = op.strip_suffix("_SAT") {
            saturate = true;
            op = o;
        } else if let Some(o) = op.strip_suffix("_PRECISE") {
            precise = true;
            op = o;
        } else {
            break;
        }
    }
    let well_formed = op.starts_with(|c: char| c.is_ascii_uppercase())
        && op
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if !well_formed {
        c.pos = save;
        return c.err(format!("bad opcode {op:?}"));
    }
    let mut inst = Instruction {
        number,
        opcode: op.to_string(),
        saturate,
        precise,
        args: Vec::new(),
        label: None,
    };
    let mut first = true;
    loop {
        if c.at_end() {
            break;
        }
        if c.eat(b':') {
            inst.label = Some(c.unsigned()?);
            if !c.at_end() {
                return c.err("text after the branch label");
            }
            break;
        }
        if !first {
            c.expect(b',')?;
        }
        first = false;
        c.ws();
        let save = c.pos;
        let is_operand = match c.peek() {
            Some(b'-') | Some(b'|') => true,
            _ => {
                let w = c.word();
                c.pos = save;
                w.and_then(File::from_name).is_some()
                    && c.s[save..].iter().find(|b| !b.is_ascii_alphanumeric()) == Some(&b'[')
            }
        };
        inst.args.push(if is_operand {
            Arg::Operand(c.operand()?)
        } else {
            // A bare word: texture target, memory qualifier and the like.
            let w = match c.word() {
                Some(w)
                    if w.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') =>
                {
                    w
                }
                _ => {
                    c.pos = save;
                    return c.err("expected a register operand or a keyword");
                }
            };
            c.ws();
            if !matches!(c.peek(), None | Some(b',') | Some(b':')) {
                c.pos = save;
                return c.err(format!("unknown register file in {w:?}"));
            }
            Arg::Word(w.to_string())
        });
    }
    Ok(inst)
}

/// Parses TGSI text.
pub fn parse(text: &str) -> Result<Shader> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((hline, header)) = lines.next() else {
        return Err(Error::Tgsi {
            line: 1,
            detail: "empty shader".into(),
            text: String::new(),
        });
    };
    let processor = Processor::from_name(header.trim()).ok_or_else(|| Error::Tgsi {
        line: hline,
        detail: "expected VERT, FRAG, GEOM, TESS_CTRL, TESS_EVAL or COMP".into(),
        text: header.to_string(),
    })?;
    let mut items = Vec::new();
    for (line, l) in lines {
        let mut c = Cursor {
            s: l.as_bytes(),
            pos: 0,
            line,
            text: l,
        };
        let save = c.pos;
        let first = c.word();
        let item = match first {
            Some("DCL") => Item::Declaration(parse_declaration(&mut c)?),
            Some("IMM") => Item::Immediate(parse_immediate(&mut c)?),
            Some("PROPERTY") => {
                let Some(name) = c.word() else {
                    return c.err("expected a property name");
                };
                let name = name.to_string();
                let mut values = Vec::new();
                while let Some(v) = c.word() {
                    values.push(v.to_string());
                }
                Item::Property(Property { name, values })
            }
            Some(w) if w.bytes().all(|b| b.is_ascii_digit()) => {
                let n = w
                    .parse()
                    .or_else(|_| c.err("instruction number out of range"))?;
                c.expect(b':')?;
                Item::Instruction(parse_instruction(&mut c, Some(n))?)
            }
            _ => {
                c.pos = save;
                Item::Instruction(parse_instruction(&mut c, None)?)
            }
        };
        if !c.at_end() {
            return c.err("unexpected text");
        }
        items.push(item);
    }
    Ok(Shader { processor, items })
}

// ---------------------------------------------------------------- printer

fn write_components(f: &mut fmt::Formatter<'_>, c: &Option<Vec<u8>>) -> fmt::Result {
    if let Some(c) = c {
        f.write_str(".")?;
        for &k in c {
            write!(f, "{}", XYZW[usize::from(k & 3)])?;
        }
    }
    Ok(())
}

impl fmt::Display for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.indirect {
            Some(ind) => {
                write!(
                    f,
                    "{}[{}].{}",
                    ind.file.name(),
                    ind.index,
                    XYZW[usize::from(ind.component & 3)]
                )?;
                if self.offset > 0 {
                    write!(f, "+{}", self.offset)?;
                } else if self.offset < 0 {
                    write!(f, "-{}", -self.offset)?;
                }
            }
            None => write!(f, "{}", self.offset)?,
        }
        Ok(())
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negate {
            f.write_str("-")?;
        }
        if self.absolute {
            f.write_str("|")?;
        }
        f.write_str(self.file.name())?;
        for i in &self.indices {
            write!(f, "[{i}]")?;
            if let Some(a) = i.array_id {
                write!(f, "({a})")?;
            }
        }
        write_components(f, &self.components)?;
        if self.absolute {
            f.write_str("|")?;
        }
        Ok(())
    }
}

impl fmt::Display for Declaration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DCL {}", self.file.name())?;
        for r in &self.ranges {
            match r {
                None => f.write_str("[]")?,
                Some(r) if r.first == r.last => write!(f, "[{}]", r.first)?,
                Some(r) => write!(f, "[{}..{}]", r.first, r.last)?,
            }
        }
        write_components(f, &self.mask)?;
        for a in &self.attributes {
            match a {
                Attribute::Semantic { name, index } => write!(f, ", {name}[{index}]")?,
                Attribute::Word(w) => write!(f, ", {w}")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Immediate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IMM[{}] {} {{", self.index, self.ty.name())?;
        for (i, v) in self.values.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match self.ty {
                ImmType::Flt32 => write!(f, "{v:#010x}")?,
                ImmType::Flt64 => write!(f, "{v:#018x}")?,
                ImmType::Uint32 | ImmType::Uint64 => write!(f, "{v}")?,
                ImmType::Int32 => write!(f, "{}", *v as u32 as i32)?,
                ImmType::Int64 => write!(f, "{}", *v as i64)?,
            }
        }
        f.write_str("}")
    }
}

impl fmt::Display for Instruction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(n) = self.number {
            write!(f, "{n:>3}: ")?;
        }
        f.write_str(&self.opcode)?;
        if self.saturate {
            f.write_str("_SAT")?;
        }
        if self.precise {
            f.write_str("_PRECISE")?;
        }
        for (i, a) in self.args.iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ", " })?;
            match a {
                Arg::Operand(o) => write!(f, "{o}")?,
                Arg::Word(w) => f.write_str(w)?,
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
        writeln!(f, "{}", self.processor.name())?;
        for item in &self.items {
            match item {
                Item::Property(p) => {
                    write!(f, "PROPERTY {}", p.name)?;
                    for v in &p.values {
                        write!(f, " {v}")?;
                    }
                    writeln!(f)?;
                }
                Item::Declaration(d) => writeln!(f, "{d}")?,
                Item::Immediate(i) => writeln!(f, "{i}")?,
                Item::Instruction(i) => writeln!(f, "{i}")?,
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- builder

/// Builds shaders item by item; instructions are numbered as they are added.
pub struct Builder {
    shader: Shader,
    next_instruction: u32,
    next_immediate: u32,
}

impl Builder {
    pub fn new(processor: Processor) -> Builder {
        Builder {
            shader: Shader {
                processor,
                items: Vec::new(),
            },
            next_instruction: 0,
            next_immediate: 0,
        }
    }

    /// `PROPERTY NAME value`.
    pub fn property(mut self, name: &str, value: &str) -> Builder {
        self.shader.items.push(Item::Property(Property {
            name: name.into(),
            values: vec![value.into()],
        }));
        self
    }

    /// `DCL FILE[first..last], attributes` (attributes written as in text: `"GENERIC[0]"`,
    /// `"LINEAR"`).
    pub fn declare(mut self, file: File, first: u32, last: u32, attributes: &[&str]) -> Builder {
        let attributes = attributes
            .iter()
            .map(|a| {
                match a
                    .split_once('[')
                    .and_then(|(n, r)| Some((n, r.strip_suffix(']')?.parse().ok()?)))
                {
                    Some((name, index)) => Attribute::Semantic {
                        name: name.into(),
                        index,
                    },
                    None => Attribute::Word((*a).into()),
                }
            })
            .collect();
        self.shader.items.push(Item::Declaration(Declaration {
            file,
            ranges: vec![Some(Range { first, last })],
            mask: None,
            attributes,
        }));
        self
    }

    /// Adds a float immediate; returns the builder and the `IMM` register index.
    pub fn immediate_f32(mut self, values: [f32; 4]) -> (Builder, u32) {
        let index = self.next_immediate;
        self.next_immediate += 1;
        self.shader.items.push(Item::Immediate(Immediate {
            index,
            ty: ImmType::Flt32,
            values: values.iter().map(|v| u64::from(v.to_bits())).collect(),
        }));
        (self, index)
    }

    /// Adds an instruction with destinations then sources, and optional trailing words (a
    /// texture target, for example).
    pub fn instruction(mut self, opcode: &str, operands: &[Operand], words: &[&str]) -> Builder {
        let mut args: Vec<Arg> = operands.iter().cloned().map(Arg::Operand).collect();
        args.extend(words.iter().map(|w| Arg::Word((*w).into())));
        let (opcode, saturate) = match opcode.strip_suffix("_SAT") {
            Some(o) => (o, true),
            None => (opcode, false),
        };
        self.shader.items.push(Item::Instruction(Instruction {
            number: Some(self.next_instruction),
            opcode: opcode.into(),
            saturate,
            precise: false,
            args,
            label: None,
        }));
        self.next_instruction += 1;
        self
    }

    /// Appends `END` and returns the shader.
    pub fn end(self) -> Shader {
        self.instruction("END", &[], &[]).shader
    }
}

#[cfg(test)]
mod tests;
