//! Value rules a host would otherwise repeat, each with the upstream code it comes from.
//!
//! Only rules that hold whatever the host's state is belong here: "handle 0 names nothing" does,
//! "handle 7 exists" does not. Line numbers are virglrenderer at fcfb9f23 (`src/vrend/...`).
//!
//! Each typed command checks itself with these, and both the encoder and the decoder run that
//! check, so a guest cannot send what a host built on this crate rejects.

/// A field that breaks a rule; the encoder and decoder add the command's name and position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Violation {
    pub field: &'static str,
    /// Payload dword the field is in, counted as upstream counts (the header is dword 0).
    pub dword: usize,
    pub value: u32,
    pub rule: &'static str,
}

/// The outcome of checking a command against the rules.
pub(crate) type Check = Result<(), Violation>;

/// Fails with `rule` unless `ok`.
pub(crate) fn ensure(
    ok: bool,
    field: &'static str,
    dword: usize,
    value: u32,
    rule: &'static str,
) -> Check {
    if ok {
        Ok(())
    } else {
        Err(Violation {
            field,
            dword,
            value,
            rule,
        })
    }
}

/// CREATE_OBJECT rejects handle 0 (`vrend_decode.c:845`), so no object ever has it: creating or
/// destroying object 0 is an error.
pub(crate) fn object_handle(dword: usize, handle: u32) -> Check {
    object("handle", dword, handle)
}

/// An object named by handle in `field`, which the host looks up and fails without.
pub(crate) fn object(field: &'static str, dword: usize, handle: u32) -> Check {
    ensure(
        handle != 0,
        field,
        dword,
        handle,
        "handle 0 names no object",
    )
}

/// Resources are never created with id 0 (`virglrenderer.c:94`, `:1164`); commands that always
/// look their resource up (`vrend_renderer_ctx_res_lookup`) fail on 0.
pub(crate) fn resource(field: &'static str, dword: usize, handle: u32) -> Check {
    ensure(
        handle != 0,
        field,
        dword,
        handle,
        "resource 0 names no resource",
    )
}

/// A query named by handle: the host looks it up and fails when absent (`vrend_begin_query`,
/// `vrend_end_query`, `vrend_get_query_result`, `vrend_get_query_result_qbo`).
pub(crate) fn query(field: &'static str, dword: usize, handle: u32) -> Check {
    ensure(handle != 0, field, dword, handle, "handle 0 names no query")
}

/// `start_slot + count <= limit`, computed without overflow; `rule` names the limit.
pub(crate) fn slots(
    dword: usize,
    start: u32,
    count: usize,
    limit: usize,
    rule: &'static str,
) -> Check {
    let fits = (start as usize)
        .checked_add(count)
        .is_some_and(|end| end <= limit);
    ensure(fits, "start_slot", dword, start, rule)
}

/// Rule texts, shared by the checks and the tests that provoke them.
pub(crate) mod text {
    /// `vrend_decode.c:298`.
    pub const VIEWPORTS: &str = "start_slot + count exceeds PIPE_MAX_VIEWPORTS (16)";
    /// `vrend_decode.c:986` also rejects a start slot of 16 or more with no scissors.
    pub const SCISSORS: &str =
        "start_slot must be below PIPE_MAX_VIEWPORTS (16) and start_slot + count within it";
    /// `vrend_decode.c:406`.
    pub const SAMPLER_VIEWS: &str =
        "start_slot + count exceeds PIPE_MAX_SHADER_SAMPLER_VIEWS (128)";
    /// `vrend_renderer.c:7044` (`vrend_bind_sampler_states`).
    pub const SAMPLERS: &str = "start_slot + count exceeds PIPE_MAX_SAMPLERS (32)";
    /// `vrend_decode.c:1310`.
    pub const SHADER_BUFFERS: &str = "start_slot + count exceeds PIPE_MAX_SHADER_BUFFERS (32)";
    /// `vrend_decode.c:1369`.
    pub const SHADER_IMAGES: &str = "start_slot + count exceeds PIPE_MAX_SHADER_IMAGES (32)";
    /// `vrend_decode.c:1338`.
    pub const ATOMIC_BUFFERS: &str = "start_slot + count exceeds PIPE_MAX_HW_ATOMIC_BUFFERS (32)";
    /// `vrend_decode.c:359`.
    pub const UNIFORM_BUFFER: &str = "index must be below PIPE_MAX_CONSTANT_BUFFERS (32)";
    /// `vrend_decode.c:799`.
    pub const VERTEX_BUFFER_INDEX: &str = "vertex_buffer_index must be below PIPE_MAX_ATTRIBS (32)";
    /// `vrend_decode.c:170` together with the length rule.
    pub const NR_CBUFS: &str = "nr_cbufs must equal the handles that follow";
    /// `vrend_decode.c:676`: the host computes last - first + 1 and rejects it below 1.
    pub const LAYERS: &str = "first_layer must not exceed last_layer";
    /// Gallium views need first_level <= last_level; the host hands the range to GL unchecked.
    pub const LEVELS: &str = "first_level must not exceed last_level";
    /// `vrend_decode.c:710`.
    pub const VIEW_FORMAT: &str = "a sampler view needs a format other than NONE";
    /// `vrend_renderer.c:2679`.
    pub const SWIZZLE: &str = "sampler view swizzles stop at PIPE_SWIZZLE_1; NONE is rejected";
    /// `vrend_formats.c:712`: the host only probes and advertises 2, 4, 8 and 16 samples.
    pub const SAMPLES: &str = "sample counts are 0, 1, 2, 4, 8 or 16";
    /// The same, for a surface that asks for implicit multisampling.
    pub const MSAA_SAMPLES: &str = "an MSAA surface has 1, 2, 4, 8 or 16 samples";
    /// `vrend_renderer.c:11745`: the index picks one of the VIRGL_STAT_QUERY_* counters.
    pub const STAT_INDEX: &str =
        "a pipeline statistics query's index names a VIRGL_STAT_QUERY_* counter (0..=10)";
    /// `vrend_decode.c:1744`.
    pub const MARKER_LENGTH: &str = "the string must fill exactly the dwords that follow";
    /// `vrend_renderer.c:6078`: the host reads rt[0]'s alpha source factor as an advanced
    /// blend mode when its alpha destination factor is 0.
    pub const ADVANCED_BLEND: &str = "an advanced blend mode fills rt[0]'s alpha source factor, with both alpha factors otherwise unset";
    /// Padding carries nothing; a set bit there would be dropped. (The rest of the dword that
    /// ends a string is the exception: see [`stale_tail`].)
    pub const PADDING: &str = "padding must be zero";
    /// A string the host reads up to its NUL.
    pub const NUL: &str = "the string needs a NUL terminator";
}

/// Where a string of `len` bytes stored in whole dwords must be zero from: the end of the dword
/// holding its last byte.
///
/// Mesa's `virgl_encoder_write_block` (virgl_encode.h) zeroes `len % 4` bytes after the data
/// instead of `4 - len % 4`, so when `len % 4 == 1` two bytes of the reused command buffer
/// stay behind it. The host never reads them, so they are accepted (and kept, so re-encoding
/// reproduces them); only whole dwords past the string must be zero.
pub fn stale_tail(len: usize) -> usize {
    len.next_multiple_of(4)
}
