//! Malformed commands a strict decoder rejects, each with the field and dword it must name.
//!
//! Every case follows a valid SET_SUB_CTX (two dwords), so the malformed command is command 1
//! at dword 2 and a field in payload dword `n` is reported at stream dword `2 + n`.

use super::*;
use rstest::rstest;

/// How a malformed command must fail: the field and its payload dword.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// An object byte the command does not take.
    Object(u8),
    /// Set reserved bits in the named packed dword.
    Reserved(&'static str, usize),
    /// A value outside the field's enum or flag set.
    Invalid(&'static str, usize),
    /// A value that breaks a rule.
    Rule(&'static str, usize),
    /// A payload length the command does not take.
    Length(u16),
}

const SHADER: u32 = 0x0401;

/// A CREATE_OBJECT(SHADER) packet without stream output: handle 1, vertex, `offset`,
/// `num_tokens`, then `text` (whole dwords).
fn shader(offset: u32, num_tokens: u32, text: &[u8]) -> Vec<u32> {
    assert_eq!(text.len() % 4, 0);
    let len = 5 + text.len() as u32 / 4;
    let mut w = vec![SHADER | len << 16, 1, 0, offset, num_tokens, 0];
    w.extend(
        text.chunks(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
    );
    w
}

/// A stream-output shader packet with one output dword `out`.
fn so_shader(offset: u32, out: u32) -> Vec<u32> {
    // 5 header dwords, 4 strides, one output (2 dwords), one text dword.
    let mut w = vec![SHADER | 12 << 16, 1, 0, offset, 100, 1, 4, 0, 0, 0, out, 0];
    w.push(u32::from_le_bytes(*b"AB\n\0"));
    w
}

fn words(v: &[u32]) -> Vec<u32> {
    v.to_vec()
}

#[rstest]
// The object byte of a command that takes none.
#[case::sub_ctx_object_byte(words(&[0x0001_ff1c, 1]), Want::Object(0xff))]
#[case::clear_object_byte(words(&[0x0008_0107, 4, 0, 0, 0, 0, 0, 0, 0]), Want::Object(1))]
#[case::create_without_object(words(&[0x0001_0001, 1]), Want::Object(0))]
#[case::bind_shader_object(words(&[0x0001_0402, 1]), Want::Object(4))]
#[case::destroy_unknown_object(words(&[0x0001_0c03, 1]), Want::Object(12))]
// Reserved bits of packed dwords.
#[case::blend_s0(words(&[0x000b_0101, 1, 1 << 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]), Want::Reserved("s0", 2))]
#[case::blend_s1(words(&[0x000b_0101, 1, 0, 1 << 4, 0, 0, 0, 0, 0, 0, 0, 0]), Want::Reserved("s1", 3))]
#[case::blend_rt(words(&[0x000b_0101, 1, 0, 0, 0, 0, 0x8000_0000, 0, 0, 0, 0, 0]), Want::Reserved("rt", 6))]
#[case::dsa_s0(words(&[0x0005_0301, 1, 1 << 5, 0, 0, 0]), Want::Reserved("s0", 2))]
#[case::dsa_stencil(words(&[0x0005_0301, 1, 0, 0, 1 << 29, 0]), Want::Reserved("stencil", 4))]
#[case::sampler_s0_old_filter_bit(words(&[0x0009_0701, 1, 1 << 10, 0, 0, 0, 0, 0, 0, 0]), Want::Reserved("s0", 2))]
#[case::sampler_s0_old_anisotropy_bit(words(&[0x0009_0701, 1, 1 << 25, 0, 0, 0, 0, 0, 0, 0]), Want::Reserved("s0", 2))]
#[case::view_levels(words(&[0x0006_0601, 1, 1, 1 | 2 << 24, 0, 1 << 16, 0]), Want::Reserved("levels", 5))]
#[case::view_swizzle(words(&[0x0006_0601, 1, 1, 1 | 2 << 24, 0, 0, 1 << 12]), Want::Reserved("swizzle", 6))]
#[case::stencil_ref(words(&[0x0001_000d, 1 << 16]), Want::Reserved("ref", 1))]
#[case::no_attach(words(&[0x0002_0026, 0, 1 << 24]), Want::Reserved("layers_samples", 2))]
#[case::blit_s0(words(&[0x0015_0010, 1 << 13, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1]), Want::Reserved("s0", 1))]
#[case::clear_surface_s0(words(&[0x000a_003e, 1 << 4, 7, 0, 0, 0, 0, 0, 0, 1, 1]), Want::Reserved("s0", 1))]
#[case::so_stream(words(&[SHADER | 12 << 16, 1, 0, 4, 100, 1, 4, 0, 0, 0, 0, 4, u32::from_le_bytes(*b"AB\n\0")]), Want::Reserved("so_stream", 11))]
// Values outside their enum or flag set.
#[case::index_size_3(words(&[0x0003_000b, 1, 3, 0]), Want::Invalid("index_size", 2))]
#[case::clear_buffers(words(&[0x0008_0007, 0xffff_ffff, 0, 0, 0, 0, 0, 0, 0]), Want::Invalid("buffers", 1))]
#[case::query_type(words(&[0x0004_0901, 1, 0xffff, 0, 1]), Want::Invalid("query_type", 2))]
#[case::render_condition_mode(words(&[0x0003_001a, 1, 0, 0xdead_beef]), Want::Invalid("mode", 3))]
#[case::qbo_result_type(words(&[0x0006_002a, 1, 2, 0, 4, 0, 0]), Want::Invalid("result_type", 4))]
#[case::draw_mode(words(&[0x000c_0008, 0, 3, 99, 0, 1, 0, 0, 0, 0, 0, 2, 0]), Want::Invalid("mode", 3))]
#[case::draw_indexed(words(&[0x000c_0008, 0, 3, 4, 2, 1, 0, 0, 0, 0, 0, 2, 0]), Want::Invalid("indexed", 4))]
#[case::blit_mask(words(&[0x0015_0010, 1 << 6, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1]), Want::Invalid("mask", 1))]
#[case::copy_transfer_flags(words(&[0x000e_002d, 3, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 4, 0, 4]), Want::Invalid("flags", 14))]
#[case::view_target(words(&[0x0006_0601, 1, 1, 1 | 9 << 24, 0, 0, 0]), Want::Invalid("target", 3))]
#[case::pipe_resource_target(words(&[0x000b_0030, 9, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1]), Want::Invalid("target", 1))]
#[case::video_buffer_format(words(&[0x0005_0037, 1, 73, 16, 16, 3]), Want::Invalid("format", 2))]
#[case::shader_type(words(&[0x0002_001f, 1, 6]), Want::Invalid("shader_type", 2))]
#[case::advanced_blend_16(words(&[0x000b_0101, 1, 0, 0, 16 << 17, 0, 0, 0, 0, 0, 0, 0]), Want::Invalid("advanced_blend", 4))]
#[case::blend_factor_in_rt1(words(&[0x000b_0101, 1, 0, 0, 0, 11 << 17, 0, 0, 0, 0, 0, 0]), Want::Invalid("alpha_src_factor", 5))]
// Handles the host can never resolve.
#[case::surface_handle_0(words(&[0x0005_0801, 0, 1, 1, 0, 0]), Want::Rule("handle", 1))]
#[case::surface_resource_0(words(&[0x0005_0801, 1, 0, 1, 0, 0]), Want::Rule("resource", 2))]
#[case::destroy_handle_0(words(&[0x0001_0103, 0]), Want::Rule("handle", 1))]
#[case::blend_handle_0(words(&[0x000b_0101, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), Want::Rule("handle", 1))]
#[case::begin_query_0(words(&[0x0001_0013, 0]), Want::Rule("query", 1))]
#[case::transfer_resource_0(words(&[0x000d_002b, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1]), Want::Rule("resource", 1))]
#[case::clear_surface_0(words(&[0x000a_003e, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]), Want::Rule("surface", 2))]
#[case::layout_resource_0(words(&[0x0002_003f, 1, 0]), Want::Rule("resource", 2))]
// Slot ranges that would overflow the host's arrays.
#[case::sampler_views_start(words(&[0x0003_000a, 1, 0xffff_fff0, 5]), Want::Rule("start_slot", 2))]
#[case::sampler_states(words(&[0x0003_0012, 1, 32, 5]), Want::Rule("start_slot", 2))]
#[case::viewports(words(&[0x0007_0004, 16, 0, 0, 0, 0, 0, 0]), Want::Rule("start_slot", 1))]
#[case::scissor_start_16(words(&[0x0001_000f, 16]), Want::Rule("start_slot", 1))]
#[case::shader_buffers(words(&[0x0005_0022, 1, 32, 0, 0, 0]), Want::Rule("start_slot", 2))]
#[case::shader_images(words(&[0x0007_0023, 1, 32, 1, 0, 0, 0, 0]), Want::Rule("start_slot", 2))]
#[case::atomic_buffers(words(&[0x0004_0028, 32, 0, 0, 0]), Want::Rule("start_slot", 1))]
#[case::uniform_index(words(&[0x0005_001b, 1, 32, 0, 0, 0]), Want::Rule("index", 2))]
#[case::vertex_buffer_index(words(&[0x0005_0501, 1, 0, 0, 32, 1]), Want::Rule("vertex_buffer_index", 4))]
#[case::nr_cbufs(words(&[0x0003_0005, 2, 0, 1]), Want::Rule("nr_cbufs", 1))]
// Ranges, counts and names.
#[case::surface_layers(words(&[0x0005_0801, 1, 1, 1, 0, 0x0000_ffff]), Want::Rule("layers", 5))]
#[case::view_layers(words(&[0x0006_0601, 1, 1, 1 | 2 << 24, 0x0001_0009, 0, 0]), Want::Rule("layers", 4))]
#[case::view_levels_order(words(&[0x0006_0601, 1, 1, 1 | 2 << 24, 0, 0x0000_0102, 0]), Want::Rule("levels", 5))]
#[case::view_format_none(words(&[0x0006_0601, 1, 1, 2 << 24, 0, 0, 0]), Want::Rule("format", 3))]
#[case::view_swizzle_none(words(&[0x0006_0601, 1, 1, 1 | 2 << 24, 0, 0, 6]), Want::Rule("swizzle", 6))]
#[case::samples_255(words(&[0x0002_0026, 0x0010_0010, 0x00ff_0001]), Want::Rule("samples", 2))]
#[case::msaa_samples_3(words(&[0x0006_0b01, 1, 1, 1, 0, 0, 3]), Want::Rule("sample_count", 6))]
#[case::stat_query_index(words(&[0x0004_0901, 1, 10 | 11 << 16, 0, 1]), Want::Rule("index", 2))]
// Shader packets.
#[case::shader_total_vs_text(shader(12, 100, b"AB\0\0"), Want::Rule("text", 6))]
#[case::shader_too_long(shader(5, 100, b"ABCDEFG\0\0\0\0\0"), Want::Rule("offset", 3))]
#[case::shader_not_utf8(shader(4, 100, b"\xffAB\0"), Want::Rule("text", 6))]
#[case::shader_no_nul(shader(4, 100, b"ABCD"), Want::Rule("text", 6))]
#[case::shader_nul_past_total(shader(6, 100, b"ABCDEFG\0"), Want::Rule("text", 7))]
#[case::shader_total_0(shader(0, 100, b""), Want::Rule("offset", 3))]
#[case::shader_num_tokens(shader(4, 0xffff_ffff, b"AB\n\0"), Want::Rule("num_tokens", 4))]
#[case::shader_continuation_unaligned(shader(0x8000_0002, 100, b"AB\n\0"), Want::Rule("offset", 3))]
#[case::shader_continuation_padding(
    shader(0x8000_0004, 100, b"A\0\0\0B\0\0\0"),
    Want::Rule("padding", 7)
)]
#[case::shader_continuation_so(so_shader(0x8000_0004, 0), Want::Rule("so_num_outputs", 5))]
#[case::shader_so_buffer(so_shader(4, 4 << 13), Want::Rule("output_buffer", 10))]
#[case::shader_so_count(words(&[SHADER | 5 << 16, 1, 0, 4, 100, 65]), Want::Rule("so_num_outputs", 5))]
// Padding and strings.
#[case::nop_payload(words(&[0x0002_0000, 0, 5]), Want::Rule("payload", 2))]
#[case::marker_length(words(&[0x0003_0033, 1, 0x61, 0]), Want::Rule("length", 1))]
#[case::debug_flags_no_nul(words(&[0x0002_0029, 0x6463_6261, 0x6867_6665]), Want::Rule("flags", 2))]
#[case::debug_flags_padding(words(&[0x0002_0029, 0x0000_6261, 0x0100_0000]), Want::Rule("flags", 2))]
// Lengths the host accepts but would partly ignore, or rejects.
#[case::transfer_14(words(&[0x000e_002b, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0]), Want::Length(14))]
#[case::inline_write_no_data(words(&[0x000b_0009, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]), Want::Length(11))]
#[case::tweaks_3(words(&[0x0003_002e, 1, 2, 3]), Want::Length(3))]
#[case::video_buffer_4_planes(words(&[0x0008_0037, 1, 1, 16, 16, 2, 3, 4, 5]), Want::Length(8))]
#[case::destroy_codec_2(words(&[0x0002_0036, 1, 0]), Want::Length(2))]
#[case::atomic_buffers_none(words(&[0x0001_0028, 0]), Want::Length(1))]
#[case::shader_buffers_partial(words(&[0x0004_0022, 1, 0, 0, 0]), Want::Length(4))]
#[case::layout_3(words(&[0x0003_003f, 1, 2, 3]), Want::Length(3))]
fn malformed_commands_are_rejected(#[case] words: Vec<u32>, #[case] want: Want) {
    let mut stream = vec![0x0001_001c, 1];
    stream.extend(&words);
    let err = decode_all(&to_bytes(&stream)).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("command 1 at dword 2: "), "{text}");
    match (want, &err) {
        (Want::Object(o), Error::BadObjectType { object, .. }) => assert_eq!(*object, o),
        (
            Want::Reserved(f, d),
            Error::ReservedBits {
                field,
                field_offset,
                ..
            },
        )
        | (
            Want::Invalid(f, d),
            Error::InvalidField {
                field,
                field_offset,
                ..
            },
        )
        | (
            Want::Rule(f, d),
            Error::FieldRule {
                field,
                field_offset,
                ..
            },
        ) => assert_eq!((*field, *field_offset), (f, 2 + d), "{text}"),
        (Want::Length(n), Error::BadLength { actual, .. }) => assert_eq!(*actual, n),
        _ => panic!("wanted {want:?}, got {err:?}: {text}"),
    }
}

#[test]
fn messages_name_command_dword_and_field() {
    let stream = to_bytes(&[
        0x0001_001c,
        1,
        0x000b_0101,
        1,
        0x20,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ]);
    assert_eq!(
        decode_all(&stream).unwrap_err().to_string(),
        "command 1 at dword 2: CREATE_OBJECT(BLEND) field `s0` (dword 4) has reserved bits 0x20 set"
    );
    let stream = to_bytes(&[0x0003_000a, 1, 0xffff_fff0, 5]);
    assert_eq!(
        decode_all(&stream).unwrap_err().to_string(),
        "command 0 at dword 0: SET_SAMPLER_VIEWS field `start_slot` (dword 2) = 0xfffffff0: \
         start_slot + count exceeds PIPE_MAX_SHADER_SAMPLER_VIEWS (128)"
    );
    let stream = to_bytes(&[0x0001_ff1c, 1]);
    assert_eq!(
        decode_all(&stream).unwrap_err().to_string(),
        "command 0 at dword 0: SET_SUB_CTX (id 28) does not take object type 255"
    );
}

#[test]
fn unknown_ids_are_rejected() {
    for id in [64u32, 200, 255] {
        let err = decode_all(&to_bytes(&[id])).unwrap_err();
        assert!(
            matches!(err, Error::UnknownCommand { id: i, .. } if u32::from(i) == id),
            "{err}"
        );
    }
}

/// A packet whose text is cut inside a UTF-8 character decodes: the character continues in
/// the next packet.
#[test]
fn shader_packets_may_split_a_character() {
    // A complete packet must hold whole characters.
    assert!(decode_all(&to_bytes(&shader(4, 100, b"AB\xc3\0"))).is_err());
    let mut text = b"ABC".to_vec();
    text.push(0xc3);
    let partial = shader(12, 100, &text);
    decode_all(&to_bytes(&partial)).unwrap();
    let cont = shader(0x8000_0004, 100, b"\xa9\n\0\0");
    decode_all(&to_bytes(&cont)).unwrap();
}

/// Mesa's `virgl_encoder_write_block` zeroes `len % 4` bytes after a string instead of
/// `4 - len % 4`, so a string of `4n + 1` bytes leaves two stale bytes in its last dword. The
/// host never reads them: they decode, and re-encode exactly as sent.
#[rstest]
#[case::shader_text(shader(5, 100, b"ABCD\0\xab\xcd\0"))]
#[case::shader_continuation(shader(0x8000_0004, 100, b"ABCD\0\xab\xcd\0"))]
#[case::debug_flags(words(&[0x0002_0029, 0x6463_6261, 0x00ab_cd00]))]
#[case::string_marker(words(&[0x0003_0033, 5, 0x6463_6261, 0x00ab_cd65]))]
fn stale_bytes_after_a_string_are_kept(#[case] words: Vec<u32>) {
    let bytes = to_bytes(&words);
    let cmds = decode_all(&bytes).unwrap();
    assert_eq!(cmds.len(), 1);
    let mut again = Vec::new();
    cmds[0].encode(&mut again).unwrap();
    assert_eq!(again, words);
    if let Command::SendStringMarker(m) = &cmds[0] {
        assert_eq!(m.text(), b"abcde");
    }
}
