//! CREATE_OBJECT(SHADER): TGSI text in one or more packets, with optional stream output.
//!
//! A shader's text travels NUL-terminated and zero-padded to whole dwords. The first packet
//! declares the total length (NUL included); when the text does not fit one batch, continuation
//! packets carry the rest, each declaring how many bytes came before it.

#[cfg(test)]
use super::arb;
use super::bits::bits;
use super::rules::{self, ensure, text as rule_text, Check, Violation};
use super::wire::{Payload, Writer};
use super::Dwords;
use crate::error::{Error, LenRule, Result};
use crate::pipe::{limits, ShaderType};

#[cfg(test)]
use proptest_derive::Arbitrary;

/// One stream-output binding of a shader (`pipe_stream_output`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct SoOutput {
    pub register_index: u8,
    #[cfg_attr(test, proptest(strategy = "0u8..4"))]
    pub start_component: u8,
    #[cfg_attr(test, proptest(strategy = "0u8..8"))]
    pub num_components: u8,
    #[cfg_attr(test, proptest(strategy = "0u8..4"))]
    pub output_buffer: u8,
    pub dst_offset: u16,
    #[cfg_attr(test, proptest(strategy = "0u8..4"))]
    pub stream: u8,
}

bits! {
    /// `VIRGL_OBJ_SHADER_SO_OUTPUT0(i)`.
    pub(crate) struct SoOutputBits("so_output") for SoOutput {
        register_index: u8 = 0..8,
        start_component: u8 = 8..10,
        num_components: u8 = 10..13,
        output_buffer: u8 = 13..16,
        dst_offset: u16 = 16..32,
    }
}

bits! {
    /// `VIRGL_OBJ_SHADER_SO_OUTPUT0_SO(i)`.
    pub(crate) struct SoStreamBits("so_stream") for SoOutput {
        stream: u8 = 0..2,
    }
}

/// Stream-output layout attached to a shader (`pipe_stream_output_info`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct StreamOutput {
    /// Stride in dwords of each of the four buffers.
    pub stride: [u32; limits::MAX_SO_BUFFERS],
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::prelude::any::<SoOutput>(), 1..=limits::MAX_SO_OUTPUTS)"
        )
    )]
    pub outputs: Vec<SoOutput>,
}

/// Offset word of a shader packet (`VIRGL_OBJ_SHADER_OFFSET`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub enum ShaderOffset {
    /// First packet: the whole text's length in bytes, NUL included.
    Total(#[cfg_attr(test, proptest(strategy = "1u32..0x8000_0000"))] u32),
    /// Continuation packet: bytes of text sent before this packet.
    Continuation(#[cfg_attr(test, proptest(strategy = "arb::dword_bytes()"))] u32),
}

/// Bit 31 of the offset word marks a continuation packet.
pub const SHADER_OFFSET_CONT: u32 = 1 << 31;

/// The offset word, unpacked.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct OffsetWord {
    value: u32,
    continuation: bool,
}

bits! {
    /// `VIRGL_OBJ_SHADER_OFFSET_VAL` and `VIRGL_OBJ_SHADER_OFFSET_CONT`.
    pub(crate) struct OffsetBits("offset") for OffsetWord {
        value: u32 = 0..31,
        continuation: bool = 31..32,
    }
}

impl From<ShaderOffset> for OffsetWord {
    fn from(o: ShaderOffset) -> OffsetWord {
        match o {
            ShaderOffset::Total(value) => OffsetWord {
                value,
                continuation: false,
            },
            ShaderOffset::Continuation(value) => OffsetWord {
                value,
                continuation: true,
            },
        }
    }
}

/// CREATE_OBJECT(SHADER): one packet of TGSI text (long shaders take several).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shader<'a> {
    pub handle: u32,
    pub shader_type: ShaderType,
    pub offset: ShaderOffset,
    /// Token count the host allocates for translating the text.
    pub num_tokens: u32,
    /// Stream-output layout; only for non-compute shaders, and only in the first packet.
    pub stream_output: Option<StreamOutput>,
    /// Shared memory a compute shader needs (dword 5 for compute; always 0 otherwise).
    pub req_local_mem: u32,
    /// This packet's text: whole dwords, the last packet NUL-terminated. The bytes after the
    /// NUL in its dword may be stale (see [`stale_tail`](super::rules::stale_tail)).
    pub text: Dwords<'a>,
}

/// Rule texts for shader packets.
mod text {
    /// `vrend_decode.c:101`.
    pub const SO_OUTPUTS: &str = "so_num_outputs exceeds PIPE_MAX_SO_OUTPUTS (64)";
    /// `pipe_stream_output_info` has PIPE_MAX_SO_BUFFERS strides; the host indexes them.
    pub const SO_BUFFER: &str = "output_buffer must be below PIPE_MAX_SO_BUFFERS (4)";
    /// Mesa sends stream output with the first packet only; the host ignores it later.
    pub const SO_CONTINUATION: &str = "stream output travels only in the first packet";
    /// `vrend_renderer.c:4458` allocates `num_tokens + 10` tokens in 32 bits.
    pub const TOKENS: &str = "num_tokens + 10 overflows the host's token count";
    /// The host checks the NUL within the last dword (`vrend_renderer.c:4455`).
    pub const TOTAL_ZERO: &str = "the total length counts the NUL terminator, so it is at least 1";
    /// `vrend_renderer.c:4561`.
    pub const TOO_LONG: &str = "a first packet carries no more dwords than the total length needs";
    /// The continuation offset is compared with the whole dwords received (`vrend_renderer.c:4609`).
    pub const CONT_ALIGN: &str = "a continuation offset counts whole dwords already sent";
    /// Mesa's total is strlen + 1: the NUL comes last.
    pub const NUL_EARLY: &str = "the text ends (NUL) before its declared length";
    /// `vrend_renderer.c:4455`.
    pub const NUL_LAST: &str = "the text's last declared byte must be its NUL terminator";
    /// TGSI text is parsed as a string.
    pub const UTF8: &str = "shader text must be UTF-8";
}

impl Shader<'_> {
    /// The text of this packet up to its first NUL.
    pub fn text_bytes(&self) -> &[u8] {
        let b = self.text.as_bytes();
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        &b[..end]
    }

    /// Payload dword of the first text dword.
    fn text_dword(&self) -> usize {
        let so = self
            .stream_output
            .as_ref()
            .map_or(0, |so| 4 + 2 * so.outputs.len());
        6 + so
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        let compute = self.shader_type == ShaderType::Compute;
        if compute && self.stream_output.is_some() {
            return Err(Error::Unencodable {
                name: w.name,
                what: "compute shaders cannot carry stream output",
            });
        }
        if !compute && self.req_local_mem != 0 {
            return Err(Error::Unencodable {
                name: w.name,
                what: "req_local_mem is only for compute shaders",
            });
        }
        w.extend([self.handle, self.shader_type.to_wire()]);
        w.pack::<OffsetBits, _>(&OffsetWord::from(self.offset))?;
        w.push(self.num_tokens);
        match &self.stream_output {
            _ if compute => w.push(self.req_local_mem),
            None => w.push(0),
            Some(so) => {
                if so.outputs.is_empty() || so.outputs.len() > limits::MAX_SO_OUTPUTS {
                    return Err(Error::Unencodable {
                        name: w.name,
                        what: "stream output needs 1..=64 outputs",
                    });
                }
                w.push(so.outputs.len() as u32);
                w.extend(so.stride);
                for o in &so.outputs {
                    w.pack::<SoOutputBits, _>(o)?;
                    w.pack::<SoStreamBits, _>(o)?;
                }
            }
        }
        w.extend(self.text.iter());
        Ok(())
    }

    pub(crate) fn check(&self) -> Check {
        rules::object_handle(1, self.handle)?;
        let t = self.num_tokens;
        ensure(
            t.checked_add(10).is_some(),
            "num_tokens",
            4,
            t,
            text::TOKENS,
        )?;
        if let Some(so) = &self.stream_output {
            for (i, o) in so.outputs.iter().enumerate() {
                let ok = usize::from(o.output_buffer) < limits::MAX_SO_BUFFERS;
                ensure(
                    ok,
                    "output_buffer",
                    10 + 2 * i,
                    o.output_buffer.into(),
                    text::SO_BUFFER,
                )?;
            }
        }
        match self.offset {
            ShaderOffset::Total(total) => self.check_first(total),
            ShaderOffset::Continuation(sent) => {
                ensure(sent % 4 == 0, "offset", 3, sent | 1 << 31, text::CONT_ALIGN)?;
                let so = self.stream_output.as_ref().map_or(0, |so| so.outputs.len());
                ensure(
                    so == 0,
                    "so_num_outputs",
                    5,
                    so as u32,
                    text::SO_CONTINUATION,
                )?;
                self.check_continuation()
            }
        }
    }

    /// A violation at text byte `at`.
    fn text_violation(&self, at: usize, field: &'static str, rule: &'static str) -> Violation {
        let bytes = self.text.as_bytes();
        let d = (at / 4) * 4;
        let value = u32::from_le_bytes([bytes[d], bytes[d + 1], bytes[d + 2], bytes[d + 3]]);
        Violation {
            field,
            dword: self.text_dword() + at / 4,
            value,
            rule,
        }
    }

    fn check_first(&self, total: u32) -> Check {
        ensure(total != 0, "offset", 3, total, text::TOTAL_ZERO)?;
        let bytes = self.text.as_bytes();
        let needed = (total as usize).div_ceil(4);
        ensure(
            self.text.len() <= needed,
            "offset",
            3,
            total,
            text::TOO_LONG,
        )?;
        if self.text.len() < needed {
            // A partial first packet: all of it is text.
            if let Some(nul) = bytes.iter().position(|&b| b == 0) {
                return Err(self.text_violation(nul, "text", text::NUL_EARLY));
            }
            return utf8(bytes, false, true)
                .map_err(|at| self.text_violation(at, "text", text::UTF8));
        }
        let end = total as usize - 1;
        if let Some(nul) = bytes[..end].iter().position(|&b| b == 0) {
            return Err(self.text_violation(nul, "text", text::NUL_EARLY));
        }
        if bytes[end] != 0 {
            return Err(self.text_violation(end, "text", text::NUL_LAST));
        }
        // What follows the NUL shares its dword (TOO_LONG above): stale bytes, never read.
        utf8(&bytes[..end], false, false).map_err(|at| self.text_violation(at, "text", text::UTF8))
    }

    fn check_continuation(&self) -> Check {
        let bytes = self.text.as_bytes();
        match bytes.iter().position(|&b| b == 0) {
            Some(nul) => {
                let tail = super::rules::stale_tail(nul + 1);
                if let Some(p) = bytes[tail..].iter().position(|&b| b != 0) {
                    return Err(self.text_violation(tail + p, "padding", rule_text::PADDING));
                }
                utf8(&bytes[..nul], true, false)
            }
            None => utf8(bytes, true, true),
        }
        .map_err(|at| self.text_violation(at, "text", text::UTF8))
    }
}

/// Checks `bytes` is UTF-8, allowing a character cut by a packet boundary at the start
/// (`cut_start`) or the end (`cut_end`); on failure, the offending byte's index.
fn utf8(bytes: &[u8], cut_start: bool, cut_end: bool) -> Result<(), usize> {
    let mut skip = 0;
    if cut_start {
        while skip < 3 && skip < bytes.len() && bytes[skip] & 0xc0 == 0x80 {
            skip += 1;
        }
    }
    match std::str::from_utf8(&bytes[skip..]) {
        Ok(_) => Ok(()),
        Err(e) if cut_end && e.error_len().is_none() => Ok(()),
        Err(e) => Err(skip + e.valid_up_to()),
    }
}

pub(crate) fn decode<'a>(p: &Payload<'a>) -> Result<Shader<'a>> {
    let shader_type: ShaderType = p.value("type", 2)?;
    let compute = shader_type == ShaderType::Compute;
    let nso = if compute { 0 } else { p.u32(5) as usize };
    if nso > limits::MAX_SO_OUTPUTS {
        return Err(p.violation(Violation {
            field: "so_num_outputs",
            dword: 5,
            value: nso as u32,
            rule: text::SO_OUTPUTS,
        }));
    }
    let hdr = 5 + if nso > 0 { 4 + 2 * nso } else { 0 };
    if p.len() < hdr {
        return Err(p.bad_length(LenRule::Range {
            min: hdr as u16,
            max: u16::MAX,
        }));
    }
    let stream_output = if nso > 0 {
        let mut outputs = vec![SoOutput::default(); nso];
        for (i, o) in outputs.iter_mut().enumerate() {
            p.unpack::<SoOutputBits, _>(10 + 2 * i, o)?;
            p.unpack::<SoStreamBits, _>(11 + 2 * i, o)?;
        }
        Some(StreamOutput {
            stride: [p.u32(6), p.u32(7), p.u32(8), p.u32(9)],
            outputs,
        })
    } else {
        None
    };
    let offset: OffsetWord = p.unpacked::<OffsetBits, _>(3)?;
    Ok(Shader {
        handle: p.u32(1),
        shader_type,
        offset: if offset.continuation {
            ShaderOffset::Continuation(offset.value)
        } else {
            ShaderOffset::Total(offset.value)
        },
        num_tokens: p.u32(4),
        stream_output,
        req_local_mem: if compute { p.u32(5) } else { 0 },
        text: p.rest(hdr + 1),
    })
}

#[cfg(test)]
pub(crate) mod strategy {
    //! Valid shader packets for property tests.
    use super::*;
    use proptest::prelude::*;

    /// A first packet holding all of `text`, NUL-terminated and zero-padded.
    pub fn whole(text: &str) -> (ShaderOffset, Dwords<'static>) {
        let mut b = text.as_bytes().to_vec();
        b.push(0);
        let total = b.len() as u32;
        b.resize(b.len().next_multiple_of(4), 0);
        (ShaderOffset::Total(total), Dwords::from_bytes(b).unwrap())
    }

    fn packet() -> impl Strategy<Value = (ShaderOffset, Dwords<'static>)> {
        let text = "[ -~\n]{0,60}";
        prop_oneof![
            text.prop_map(|t| whole(&t)),
            // A partial first packet: whole dwords of text, more to come.
            (text, 1u32..1000).prop_map(|(t, more)| {
                let mut b = t.into_bytes();
                b.truncate(b.len() / 4 * 4);
                let total = b.len() as u32 + more;
                (ShaderOffset::Total(total), Dwords::from_bytes(b).unwrap())
            }),
            // The last continuation: the tail of the text and its NUL.
            (text, 0u32..1000).prop_map(|(t, sent)| {
                let (_, d) = whole(&t);
                (ShaderOffset::Continuation(sent * 4), d)
            }),
        ]
    }

    pub fn shader() -> impl Strategy<Value = Shader<'static>> {
        (
            arb::handle(),
            any::<ShaderType>(),
            packet(),
            0u32..0xffff_0000,
            proptest::option::of(any::<StreamOutput>()),
            any::<u32>(),
        )
            .prop_map(
                |(handle, shader_type, (offset, text), num_tokens, so, mem)| {
                    let compute = shader_type == ShaderType::Compute;
                    let first = matches!(offset, ShaderOffset::Total(_));
                    Shader {
                        handle,
                        shader_type,
                        offset,
                        num_tokens,
                        stream_output: if compute || !first { None } else { so },
                        req_local_mem: if compute { mem } else { 0 },
                        text,
                    }
                },
            )
    }
}

/// A shader whose packets have all arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssembledShader {
    pub handle: u32,
    pub shader_type: ShaderType,
    pub num_tokens: u32,
    pub stream_output: Option<StreamOutput>,
    pub req_local_mem: u32,
    /// The TGSI text, up to (not including) its NUL.
    pub text: Vec<u8>,
}

/// Puts long shaders back together from their CREATE_OBJECT(SHADER) packets, as a host does.
///
/// Like virglrenderer (`vrend_create_shader`), each shader stage has at most one long shader in
/// progress: while it is, a new shader of that stage or a continuation naming another handle
/// is refused, and each continuation must start exactly where the text so far ends. A host
/// keeps one assembler per sub-context.
#[derive(Debug, Default)]
pub struct ShaderAssembler {
    pending: Vec<(AssembledShader, usize)>,
}

impl ShaderAssembler {
    /// Takes one packet; returns the shader once its text is complete.
    pub fn push(&mut self, packet: &Shader<'_>) -> Result<Option<AssembledShader>> {
        let stage = packet.shader_type;
        let refuse = |detail: String| Error::ShaderAssembly {
            handle: packet.handle,
            stage,
            detail,
        };
        let at = self
            .pending
            .iter()
            .position(|(s, _)| s.shader_type == stage);
        let bytes = packet.text.as_bytes();
        let (mut shader, total) = match (packet.offset, at) {
            (ShaderOffset::Total(_), Some(i)) => {
                return Err(refuse(format!(
                    "a new shader while shader {} of this stage is still arriving",
                    self.pending[i].0.handle
                )))
            }
            (ShaderOffset::Continuation(_), None) => {
                return Err(refuse(
                    "a continuation with no shader of this stage in progress".into(),
                ))
            }
            (ShaderOffset::Total(total), None) => (
                AssembledShader {
                    handle: packet.handle,
                    shader_type: stage,
                    num_tokens: packet.num_tokens,
                    stream_output: packet.stream_output.clone(),
                    req_local_mem: packet.req_local_mem,
                    text: Vec::new(),
                },
                total as usize,
            ),
            (ShaderOffset::Continuation(offset), Some(i)) => {
                let (pending, total) = self.pending.remove(i);
                if pending.handle != packet.handle {
                    let detail = format!(
                        "a continuation for shader {} of this stage, which is in progress",
                        pending.handle
                    );
                    self.pending.push((pending, total));
                    return Err(refuse(detail));
                }
                if offset as usize != pending.text.len() {
                    return Err(refuse(format!(
                        "continuation at byte {offset}, but {} bytes have arrived",
                        pending.text.len()
                    )));
                }
                (pending, total)
            }
        };
        let room = total.next_multiple_of(4) - shader.text.len();
        if bytes.len() > room {
            return Err(refuse(format!(
                "{} more bytes of text than the declared total of {total}",
                bytes.len() - room
            )));
        }
        shader.text.extend_from_slice(bytes);
        if shader.text.len() < total {
            self.pending.push((shader, total));
            return Ok(None);
        }
        let end = shader.text.iter().position(|&b| b == 0).unwrap_or(total);
        shader.text.truncate(end.min(total));
        Ok(Some(shader))
    }

    /// Whether a long shader is still arriving.
    pub fn is_idle(&self) -> bool {
        self.pending.is_empty()
    }
}

#[cfg(test)]
mod assembler_tests {
    use super::*;

    fn packet(handle: u32, ty: ShaderType, offset: ShaderOffset, text: &[u8]) -> Shader<'static> {
        Shader {
            handle,
            shader_type: ty,
            offset,
            num_tokens: 100,
            stream_output: None,
            req_local_mem: 0,
            text: Dwords::from_bytes(text.to_vec()).unwrap(),
        }
    }

    #[test]
    fn packets_join_into_one_text() {
        let mut a = ShaderAssembler::default();
        let v = ShaderType::Vertex;
        assert_eq!(
            a.push(&packet(7, v, ShaderOffset::Total(10), b"VERT"))
                .unwrap(),
            None
        );
        // A fragment shader may arrive whole meanwhile.
        let f = a
            .push(&packet(
                8,
                ShaderType::Fragment,
                ShaderOffset::Total(3),
                b"FS\0\0",
            ))
            .unwrap()
            .unwrap();
        assert_eq!(f.text, b"FS");
        assert_eq!(
            a.push(&packet(7, v, ShaderOffset::Continuation(4), b"\nEND"))
                .unwrap(),
            None
        );
        let s = a
            .push(&packet(7, v, ShaderOffset::Continuation(8), b"\n\0\0\0"))
            .unwrap()
            .unwrap();
        assert_eq!((s.handle, &s.text[..]), (7, &b"VERT\nEND\n"[..]));
        assert!(a.is_idle());
    }

    #[test]
    fn out_of_order_packets_are_refused_as_virglrenderer_does() {
        let v = ShaderType::Vertex;
        let mut a = ShaderAssembler::default();
        a.push(&packet(7, v, ShaderOffset::Total(10), b"VERT"))
            .unwrap();
        let cases = [
            (
                packet(9, v, ShaderOffset::Total(4), b"abc\0"),
                "still arriving",
            ),
            (
                packet(9, v, ShaderOffset::Continuation(4), b"abcd"),
                "shader 7",
            ),
            (
                packet(7, v, ShaderOffset::Continuation(0), b"abcd"),
                "at byte 0, but 4",
            ),
            (
                packet(7, v, ShaderOffset::Continuation(4), b"abcdefghijkl"),
                "4 more bytes",
            ),
        ];
        for (p, want) in cases {
            let e = a.push(&p).unwrap_err().to_string();
            assert!(e.contains(want), "{e}");
            // A refused packet leaves the shader in progress where it was, except a wrong
            // offset or overflow, which abandon it; start again for the next case.
            if a.is_idle() {
                a.push(&packet(7, v, ShaderOffset::Total(10), b"VERT"))
                    .unwrap();
            }
        }
        let mut fresh = ShaderAssembler::default();
        let e = fresh
            .push(&packet(1, v, ShaderOffset::Continuation(0), b"abcd"))
            .unwrap_err();
        assert!(e.to_string().contains("no shader of this stage"), "{e}");
    }
}
