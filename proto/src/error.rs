//! The one error type of this crate: every variant says what was wrong and where.

use std::fmt;

/// How many payload dwords a command accepts; shown in length errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LenRule {
    /// Exactly this many.
    Exact(u16),
    /// One of these.
    OneOf(&'static [u16]),
    /// `base + step * n` for `n` in `min_n..=max_n`.
    Repeated {
        base: u16,
        step: u16,
        min_n: u16,
        max_n: u16,
    },
    /// At least this many, at most `max`.
    Range { min: u16, max: u16 },
}

impl LenRule {
    /// Whether `len` payload dwords satisfy the rule.
    pub fn allows(self, len: u16) -> bool {
        match self {
            LenRule::Exact(n) => len == n,
            LenRule::OneOf(set) => set.contains(&len),
            LenRule::Repeated {
                base,
                step,
                min_n,
                max_n,
            } => {
                len >= base
                    && (len - base).is_multiple_of(step)
                    && (min_n..=max_n).contains(&((len - base) / step))
            }
            LenRule::Range { min, max } => (min..=max).contains(&len),
        }
    }
}

impl fmt::Display for LenRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LenRule::Exact(n) => write!(f, "{n}"),
            LenRule::OneOf(set) => {
                let parts: Vec<String> = set.iter().map(u16::to_string).collect();
                write!(f, "one of {}", parts.join(", "))
            }
            LenRule::Repeated {
                base,
                step,
                min_n,
                max_n,
            } => write!(f, "{base}+{step}n with n in {min_n}..={max_n}"),
            LenRule::Range { min, max } => write!(f, "{min}..={max}"),
        }
    }
}

/// Errors from decoding or encoding wire data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Bytes after the last whole dword of a command stream; the commands before them decoded.
    #[error("command {index} at byte {byte_offset}: {len} trailing bytes are not a whole dword")]
    RaggedTail {
        index: usize,
        byte_offset: usize,
        len: usize,
    },

    /// A header whose declared payload runs past the end of the stream.
    #[error("command {index} at dword {offset}: {name} (id {id}) declares {declared} payload dwords but only {available} remain")]
    Truncated {
        index: usize,
        offset: usize,
        id: u8,
        name: &'static str,
        declared: u16,
        available: usize,
    },

    /// A command id this decoder does not know.
    #[error("command {index} at dword {offset}: unknown command id {id}")]
    UnknownCommand { index: usize, offset: usize, id: u8 },

    /// An object type not valid for the command carrying it.
    #[error(
        "command {index} at dword {offset}: {name} (id {id}) does not take object type {object}"
    )]
    BadObjectType {
        index: usize,
        offset: usize,
        id: u8,
        name: &'static str,
        object: u8,
    },

    /// A payload length the command does not accept.
    #[error("command {index} at dword {offset}: {name} (id {id}) expects {expected} payload dwords, got {actual}")]
    BadLength {
        index: usize,
        offset: usize,
        id: u8,
        name: &'static str,
        expected: LenRule,
        actual: u16,
    },

    /// A field whose value is outside its enum or range.
    #[error("command {index} at dword {offset}: {name} field `{field}` (dword {field_offset}) has invalid value {value:#x}")]
    InvalidField {
        index: usize,
        offset: usize,
        name: &'static str,
        field: &'static str,
        field_offset: usize,
        value: u32,
    },

    /// Set bits that no field of a packed dword claims.
    #[error("command {index} at dword {offset}: {name} field `{field}` (dword {field_offset}) has reserved bits {bits:#x} set")]
    ReservedBits {
        index: usize,
        offset: usize,
        name: &'static str,
        field: &'static str,
        field_offset: usize,
        bits: u32,
    },

    /// A field whose value breaks a protocol rule (a slot range, a handle, a length, padding).
    #[error("command {index} at dword {offset}: {name} field `{field}` (dword {field_offset}) = {value:#x}: {rule}")]
    FieldRule {
        index: usize,
        offset: usize,
        name: &'static str,
        field: &'static str,
        field_offset: usize,
        value: u32,
        rule: &'static str,
    },

    /// A command the encoder refuses because a field breaks a protocol rule or its bit field.
    #[error("{name}: field `{field}` = {value:#x}: {rule}")]
    InvalidCommand {
        name: &'static str,
        field: &'static str,
        value: u32,
        rule: &'static str,
    },

    /// A command whose encoded payload length the protocol does not accept.
    #[error("{name}: {actual} payload dwords, expected {expected}")]
    EncodedLength {
        name: &'static str,
        expected: LenRule,
        actual: usize,
    },

    /// A command whose payload would not fit the 16-bit length field.
    #[error("{name} payload of {dwords} dwords exceeds the 65535-dword header limit")]
    TooLong { name: &'static str, dwords: usize },

    /// A value the encoder cannot represent.
    #[error("{name}: {what}")]
    Unencodable {
        name: &'static str,
        what: &'static str,
    },

    /// A capability set shorter than its fixed part.
    #[error("{what}: needs at least {expected} bytes, got {actual}")]
    ShortCaps {
        what: &'static str,
        expected: usize,
        actual: usize,
    },

    /// TGSI text that does not parse, or that virglrenderer would reject.
    #[error("TGSI line {line}, column {column}: {detail}: {text:?}")]
    Tgsi {
        /// 1-based line of the offending text.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What was wrong, naming what was found.
        detail: String,
        /// The whole offending line.
        text: String,
    },

    /// A vtest message that does not match what the protocol allows.
    #[error("vtest {what}: {detail}")]
    Vtest { what: &'static str, detail: String },

    /// A shader packet that does not continue the shader its stage has in progress.
    #[error("shader {handle} ({stage:?}): {detail}")]
    ShaderAssembly {
        handle: u32,
        stage: crate::pipe::ShaderType,
        detail: String,
    },

    /// A transfer box that reaches past the level it names.
    #[error("transfer box {region:?} reaches past the level's {}x{}x{}", extent.width, extent.height, extent.depth)]
    BoxOutside {
        region: crate::ccmd::Box3,
        extent: crate::transfer::Extent,
    },

    /// A transfer box of a block-compressed format that does not start on a block boundary.
    #[error("transfer box {region:?} does not start on a block boundary of {format}")]
    BoxMisaligned {
        region: crate::ccmd::Box3,
        format: crate::format::Format,
    },

    /// A row or layer stride smaller than what it separates, so rows or layers would overlap.
    #[error("transfer {what} {value} is smaller than the {needed} bytes it must hold")]
    StrideTooSmall {
        what: &'static str,
        value: u64,
        needed: u64,
    },

    /// Transfer arithmetic that does not fit 64 bits.
    #[error("transfer span overflows 64 bits")]
    SpanOverflow,

    /// A transfer whose bytes run past the buffer it reads or writes.
    #[error("transfer touches bytes {}..{} of a {size}-byte buffer", span.start, span.end)]
    SpanOutside {
        span: std::ops::Range<u64>,
        size: u64,
    },

    /// A format whose layout is not whole blocks (planar YUV, 3D ASTC), so no transfer
    /// arithmetic applies.
    #[error("format {format} has no simple block layout")]
    NoBlockLayout { format: crate::format::Format },
}

/// Shorthand for this crate's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;
