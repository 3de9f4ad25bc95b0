//! Round trips of every command, and decoding of arbitrary bytes.
//!
//! `malformed` holds the inputs a strict decoder must reject; `tests/known_answers.rs` holds
//! hand-written bytes for the commands no capture contains.

use super::*;
use crate::error::Error;
use crate::format::Format;
use crate::pipe::{
    AdvancedBlend, BlendFactor, BlitMask, ClearBuffers, IndexSize, QueryType, RenderCondMode,
    ShaderType, Swizzle, TextureTarget,
};
use proptest::prelude::*;

mod malformed;

fn sampler_view() -> impl Strategy<Value = SamplerView> {
    (
        (arb::handle(), arb::handle()),
        any::<Format>().prop_filter("a view needs a format", |f| *f != Format::NONE),
        any::<TextureTarget>(),
        any::<(u32, u32)>(),
        (arb::layers(), any::<(u8, u8)>()),
        prop::array::uniform4(
            any::<Swizzle>().prop_filter("host takes 0..=5", |s| *s != Swizzle::None),
        ),
    )
        .prop_map(
            |((handle, resource), format, target, buf, (layers, (a, b)), swizzle)| SamplerView {
                handle,
                resource,
                format,
                target,
                range: if target == TextureTarget::Buffer {
                    ViewRange::Buffer {
                        first_element: buf.0,
                        last_element: buf.1,
                    }
                } else {
                    ViewRange::Texture {
                        layers,
                        levels: LevelRange {
                            first: a.min(b),
                            last: a.max(b),
                        },
                    }
                },
                swizzle,
            },
        )
}

/// Blend states in the canonical form: render target 0's alpha factors are either both
/// unset around an advanced mode, or not read as one.
fn blend() -> impl Strategy<Value = Blend> {
    any::<Blend>().prop_map(|mut b| {
        let rt = &mut b.rt[0];
        if b.advanced != AdvancedBlend::None {
            rt.alpha_src_factor = BlendFactor::Unset;
            rt.alpha_dst_factor = BlendFactor::Unset;
        } else if rt.alpha_dst_factor == BlendFactor::Unset {
            rt.alpha_src_factor = BlendFactor::Unset;
        }
        b
    })
}

fn bindable() -> impl Strategy<Value = ObjectType> {
    prop::sample::select(
        ObjectType::ALL
            .iter()
            .copied()
            .filter(|o| o.bindable())
            .collect::<Vec<_>>(),
    )
}

fn handles(max: usize) -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(any::<u32>(), 0..=max)
}

/// A start slot and a list that fit `limit` slots together.
fn slotted<T: std::fmt::Debug>(
    item: impl Strategy<Value = T> + Clone,
    limit: usize,
) -> impl Strategy<Value = (u32, Vec<T>)> {
    (0..=limit).prop_flat_map(move |n| {
        (
            0..=(limit - n) as u32,
            prop::collection::vec(item.clone(), n),
        )
    })
}

/// One strategy per command variant, so every command is exercised.
pub(super) fn command() -> impl Strategy<Value = Command<'static>> {
    prop_oneof![core_command(), more_command(), video_command()]
}

fn core_command() -> impl Strategy<Value = Command<'static>> {
    use Command as C;
    prop_oneof![
        (0u16..64).prop_map(C::Nop),
        blend().prop_map(C::CreateBlend),
        any::<Rasterizer>().prop_map(C::CreateRasterizer),
        any::<Dsa>().prop_map(C::CreateDsa),
        shader::strategy::shader().prop_map(C::CreateShader),
        any::<VertexElements>().prop_map(C::CreateVertexElements),
        sampler_view().prop_map(C::CreateSamplerView),
        any::<SamplerState>().prop_map(C::CreateSamplerState),
        any::<Surface>().prop_map(C::CreateSurface),
        (bindable(), any::<u32>()).prop_map(|(object, handle)| C::BindObject { object, handle }),
        (any::<ObjectType>(), arb::handle())
            .prop_map(|(object, handle)| C::DestroyObject { object, handle }),
        (any::<u32>(), any::<ShaderType>()).prop_map(|(handle, shader_type)| C::BindShader {
            handle,
            shader_type
        }),
        slotted(any::<Viewport>(), 16).prop_map(|(start_slot, viewports)| {
            C::SetViewportState {
                start_slot,
                viewports,
            }
        }),
        (any::<u32>(), handles(8))
            .prop_map(|(zsurf, cbufs)| C::SetFramebufferState { zsurf, cbufs }),
        prop::collection::vec(any::<VertexBuffer>(), 0..=32).prop_map(C::SetVertexBuffers),
        (any::<u32>(), proptest::option::of(any::<IndexLayout>()))
            .prop_map(|(resource, layout)| C::SetIndexBuffer { resource, layout }),
        (any::<ShaderType>(), any::<u32>(), any::<Dwords<'static>>()).prop_map(
            |(shader_type, index, data)| C::SetConstantBuffer {
                shader_type,
                index,
                data
            }
        ),
        (any::<ShaderType>(), slotted(any::<u32>(), 128)).prop_map(
            |(shader_type, (start_slot, views))| C::SetSamplerViews {
                shader_type,
                start_slot,
                views
            }
        ),
        (any::<ShaderType>(), slotted(any::<u32>(), 32)).prop_map(
            |(shader_type, (start_slot, states))| C::BindSamplerStates {
                shader_type,
                start_slot,
                states
            }
        ),
        slotted(any::<Scissor>(), 16)
            .prop_filter("start below 16", |(s, _)| *s < 16)
            .prop_map(|(start_slot, scissors)| C::SetScissorState {
                start_slot,
                scissors
            }),
        prop::array::uniform4(arb::finite_f32()).prop_map(C::SetBlendColor),
        any::<StencilRef>().prop_map(C::SetStencilRef),
        any::<Clear>().prop_map(C::Clear),
        any::<DrawVbo>().prop_map(C::DrawVbo),
        (
            any::<TransferTarget>(),
            prop::collection::vec(any::<u32>(), 1..16)
        )
            .prop_map(|(t, data)| {
                C::ResourceInlineWrite(InlineWrite {
                    target: t,
                    data: Dwords::from_u32s(&data),
                })
            }),
        any::<Transfer3d>().prop_map(C::Transfer3d),
        any::<CopyRegion>().prop_map(C::ResourceCopyRegion),
        any::<Blit>().prop_map(C::Blit),
        any::<u32>().prop_map(C::CreateSubCtx),
        any::<u32>().prop_map(C::SetSubCtx),
        any::<u32>().prop_map(C::DestroySubCtx),
    ]
}

fn video_command() -> impl Strategy<Value = Command<'static>> {
    use Command as C;
    prop_oneof![
        any::<CreateVideoCodec>().prop_map(C::CreateVideoCodec),
        any::<u32>().prop_map(C::DestroyVideoCodec),
        any::<CreateVideoBuffer>().prop_map(C::CreateVideoBuffer),
        any::<u32>().prop_map(C::DestroyVideoBuffer),
        any::<VideoFrame>().prop_map(C::BeginFrame),
        any::<VideoFrame>().prop_map(C::EndFrame),
        any::<Dwords<'static>>().prop_map(C::DecodeMacroblock),
        any::<DecodeBitstream>().prop_map(C::DecodeBitstream),
        any::<EncodeBitstream>().prop_map(C::EncodeBitstream),
    ]
}

/// A NUL-terminated string in whole dwords, zero after the NUL.
fn c_string() -> impl Strategy<Value = Dwords<'static>> {
    "[a-z,]{1,40}".prop_map(|s| {
        let mut b = s.into_bytes();
        b.push(0);
        b.resize(b.len().next_multiple_of(4).max(8), 0);
        Dwords::from_bytes(b).unwrap()
    })
}

fn more_command() -> impl Strategy<Value = Command<'static>> {
    use Command as C;
    prop_oneof![
        any::<Query>().prop_map(C::CreateQuery),
        any::<StreamoutTarget>().prop_map(C::CreateStreamoutTarget),
        any::<MsaaSurface>().prop_map(C::CreateMsaaSurface),
        arb::handle().prop_map(C::BeginQuery),
        arb::handle().prop_map(C::EndQuery),
        (arb::handle(), any::<bool>()).prop_map(|(query, wait)| C::GetQueryResult { query, wait }),
        any::<[u32; 32]>().prop_map(C::SetPolygonStipple),
        prop::array::uniform8(prop::array::uniform4(arb::finite_f32())).prop_map(C::SetClipState),
        any::<u32>().prop_map(C::SetSampleMask),
        (any::<u32>(), handles(16)).prop_map(|(append_bitmask, targets)| C::SetStreamoutTargets {
            append_bitmask,
            targets
        }),
        (any::<u32>(), any::<bool>(), any::<RenderCondMode>()).prop_map(
            |(query, condition, mode)| {
                C::SetRenderCondition {
                    query,
                    condition,
                    mode,
                }
            }
        ),
        (any::<ShaderType>(), 0u32..32, any::<[u32; 3]>()).prop_map(|(shader_type, index, v)| {
            C::SetUniformBuffer {
                shader_type,
                index,
                offset: v[0],
                length: v[1],
                resource: v[2],
            }
        }),
        (
            prop::array::uniform4(arb::finite_f32()),
            prop::array::uniform2(arb::finite_f32())
        )
            .prop_map(|(outer, inner)| C::SetTessState { outer, inner }),
        any::<u32>().prop_map(C::SetMinSamples),
        (any::<ShaderType>(), slotted(any::<BufferBinding>(), 32)).prop_map(
            |(shader_type, (start_slot, buffers))| C::SetShaderBuffers {
                shader_type,
                start_slot,
                buffers
            }
        ),
        (any::<ShaderType>(), slotted(any::<ImageBinding>(), 32)).prop_map(
            |(shader_type, (start_slot, images))| C::SetShaderImages {
                shader_type,
                start_slot,
                images
            }
        ),
        any::<u32>().prop_map(C::MemoryBarrier),
        any::<LaunchGrid>().prop_map(C::LaunchGrid),
        any::<NoAttachFramebuffer>().prop_map(C::SetFramebufferStateNoAttach),
        any::<u32>().prop_map(C::TextureBarrier),
        slotted(any::<BufferBinding>(), 32)
            .prop_filter("at least one buffer", |(_, b)| !b.is_empty())
            .prop_map(|(start_slot, buffers)| C::SetAtomicBuffers {
                start_slot,
                buffers
            }),
        c_string().prop_map(C::SetDebugFlags),
        any::<QueryResultQbo>().prop_map(C::GetQueryResultQbo),
        any::<Dwords<'static>>().prop_map(C::EndTransfers),
        any::<CopyTransfer3d>().prop_map(C::CopyTransfer3d),
        any::<(u32, u32)>().prop_map(|(id, value)| C::SetTweaks { id, value }),
        any::<ClearTexture>().prop_map(C::ClearTexture),
        any::<PipeResourceCreate>().prop_map(C::PipeResourceCreate),
        any::<PipeResourceSetType>().prop_map(C::PipeResourceSetType),
        arb::handle().prop_map(C::GetMemoryInfo),
        prop::collection::vec(any::<u8>(), 1..40)
            .prop_map(|s| C::SendStringMarker(StringMarker::new(&s).unwrap())),
        any::<[u32; 6]>().prop_map(C::LinkShader),
        any::<ClearSurface>().prop_map(C::ClearSurface),
        (arb::handle(), arb::handle())
            .prop_map(|(output, resource)| C::GetPipeResourceLayout { output, resource }),
    ]
}

#[test]
fn every_command_id_has_a_variant() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = std::collections::BTreeSet::new();
    let mut objects = std::collections::BTreeSet::new();
    for _ in 0..20_000 {
        let cmd = command().new_tree(&mut runner).unwrap().current();
        let (id, object) = cmd.id_and_object();
        seen.insert(id.to_wire());
        if id == CommandId::CreateObject {
            objects.insert(object.unwrap().to_wire());
        }
    }
    let all: std::collections::BTreeSet<u32> = (0..MAX_COMMANDS).collect();
    assert_eq!(seen, all, "ids without a generated command");
    assert_eq!(objects, (1..=11).collect(), "objects never created");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn roundtrip_every_command(cmd in command()) {
        let mut out = Vec::new();
        let written = cmd.encode(&mut out).unwrap();
        prop_assert_eq!(written, out.len());
        let header = Header::unpack(out[0]);
        prop_assert_eq!(usize::from(header.len), out.len() - 1, "header length");
        let (id, object) = cmd.id_and_object();
        prop_assert_eq!(u32::from(header.id), id.to_wire());
        prop_assert_eq!(u32::from(header.object), object.map_or(0, |o| o.to_wire()));
        let bytes = to_bytes(&out);
        let decoded = decode_all(&bytes).unwrap();
        prop_assert_eq!(decoded.len(), 1);
        prop_assert_eq!(&decoded[0], &cmd);
    }

    #[test]
    fn roundtrip_streams(cmds in prop::collection::vec(command(), 0..8)) {
        let out = encode_all(&cmds).unwrap();
        let bytes = to_bytes(&out);
        prop_assert_eq!(decode_all(&bytes).unwrap(), cmds);
    }

    /// What the fuzz target checks: whatever decodes re-encodes to the very same bytes.
    #[test]
    fn decoded_commands_reencode_byte_identically(words in prop::collection::vec(any::<u32>(), 0..64)) {
        let bytes = to_bytes(&words);
        let mut d = Decoder::new(&bytes);
        let mut start = 0;
        while let Some(Ok(cmd)) = d.next() {
            let end = d.offset() * 4;
            let again = to_bytes(&encode_all([&cmd]).unwrap());
            prop_assert_eq!(&again[..], &bytes[start..end]);
            start = end;
        }
    }

    /// Mutating one dword of a valid stream: any result but a panic or a lossy decode.
    #[test]
    fn mutated_streams_decode_exactly_or_fail(
        cmds in prop::collection::vec(command(), 1..4),
        at in any::<prop::sample::Index>(),
        bit in 0u32..32,
    ) {
        let mut words = encode_all(&cmds).unwrap();
        let i = at.index(words.len());
        words[i] ^= 1 << bit;
        let bytes = to_bytes(&words);
        if let Ok(decoded) = decode_all(&bytes) {
            prop_assert_eq!(to_bytes(&encode_all(&decoded).unwrap()), bytes);
        }
    }

    #[test]
    fn header_roundtrip(id: u8, object: u8, len: u16) {
        let h = Header { id, object, len };
        prop_assert_eq!(Header::unpack(h.pack()), h);
    }
}

#[test]
fn header_packing_matches_virgl_cmd0() {
    // VIRGL_CMD0(VIRGL_CCMD_CREATE_OBJECT, VIRGL_OBJECT_BLEND, 11)
    let h = Header {
        id: 1,
        object: 1,
        len: 11,
    };
    assert_eq!(h.pack(), 0x000b_0101);
}

#[test]
fn clear_encodes_exact_dwords() {
    let c = Command::Clear(Clear {
        buffers: ClearBuffers::COLOR0,
        color: [1.0f32, 0.0, 0.5, 1.0].map(f32::to_bits),
        depth: 1.0,
        stencil: 7,
    });
    let mut out = Vec::new();
    c.encode(&mut out).unwrap();
    assert_eq!(
        out,
        vec![
            0x0008_0007,
            4,
            0x3f80_0000,
            0,
            0x3f00_0000,
            0x3f80_0000,
            0,
            0x3ff0_0000,
            7
        ]
    );
}

/// KHR_blend_equation_advanced: Mesa's `virgl_encode_blend_state` sends the mode in render
/// target 0's alpha source factor (bits 17-21, virgl_protocol.h:192) and the host reads it there when the alpha
/// destination factor is 0 (vrend_renderer.c:6078).
#[test]
fn advanced_blend_rides_in_rt0_alpha_source_factor() {
    // rt[0]: blend on, mode 15 (HSL_LUMINOSITY) at bit 17, colormask 0xf at bit 27.
    let rt0 = 1 | 15 << 17 | 0xf << 27;
    let mut words = vec![0x000b_0101, 9, 0, 0, rt0];
    words.extend([0x7800_0000; 7]);
    let bytes = to_bytes(&words);
    let cmds = decode_all(&bytes).unwrap();
    let Command::CreateBlend(b) = &cmds[0] else {
        panic!("{cmds:?}")
    };
    assert_eq!(b.advanced, AdvancedBlend::HslLuminosity);
    assert_eq!(b.rt[0].alpha_src_factor, BlendFactor::Unset);
    assert!(b.rt[0].blend_enable);
    assert_eq!(encode_all(&cmds).unwrap(), words);
    // A set source factor over an unset destination factor would read back as a mode.
    let mut ambiguous = b.clone();
    ambiguous.advanced = AdvancedBlend::None;
    ambiguous.rt[0].alpha_src_factor = BlendFactor::One;
    assert!(matches!(
        Command::CreateBlend(ambiguous).encode(&mut Vec::new()),
        Err(Error::InvalidCommand {
            field: "alpha_src_factor",
            ..
        })
    ));
}

#[test]
fn names_carry_the_object() {
    let blend = Command::CreateBlend(Blend {
        handle: 1,
        ..Blend::default()
    });
    assert_eq!(blend.name(), "CREATE_OBJECT(BLEND)");
    let d = Command::DestroyObject {
        object: ObjectType::SamplerView,
        handle: 2,
    };
    assert_eq!(d.name(), "DESTROY_OBJECT(SAMPLER_VIEW)");
    assert_eq!(Command::SetSubCtx(1).name(), "SET_SUB_CTX");
}

#[test]
fn truncated_stream_names_position_and_lengths() {
    let mut out = Vec::new();
    Command::SetSubCtx(1).encode(&mut out).unwrap();
    Command::Clear(Clear::color(ClearBuffers::COLOR0, [0.0; 4]))
        .encode(&mut out)
        .unwrap();
    out.truncate(out.len() - 3);
    let err = decode_all(&to_bytes(&out)).unwrap_err();
    assert_eq!(
        err,
        Error::Truncated {
            index: 1,
            offset: 2,
            id: 7,
            name: "CLEAR",
            declared: 8,
            available: 5
        }
    );
    assert_eq!(
        err.to_string(),
        "command 1 at dword 2: CLEAR (id 7) declares 8 payload dwords but only 5 remain"
    );
}

#[test]
fn ragged_tail_fails_after_the_whole_commands() {
    let mut words = Vec::new();
    Command::SetSubCtx(1).encode(&mut words).unwrap();
    Command::SetSampleMask(0xf).encode(&mut words).unwrap();
    let mut bytes = to_bytes(&words);
    bytes.extend([0xaa, 0xbb, 0xcc]);
    let mut d = Decoder::new(&bytes);
    assert_eq!(d.next(), Some(Ok(Command::SetSubCtx(1))));
    assert_eq!(d.next(), Some(Ok(Command::SetSampleMask(0xf))));
    let err = d.next().unwrap().unwrap_err();
    assert_eq!(
        err,
        Error::RaggedTail {
            index: 2,
            byte_offset: 16,
            len: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "command 2 at byte 16: 3 trailing bytes are not a whole dword"
    );
    assert_eq!(d.next(), None);
    // A lone ragged tail.
    assert_eq!(
        decode_all(&[0u8; 2]).unwrap_err(),
        Error::RaggedTail {
            index: 0,
            byte_offset: 0,
            len: 2
        }
    );
}

#[test]
fn shader_text_is_borrowed() {
    let (offset, text) = shader::strategy::whole("VERT\nEND\n");
    let cmd = Command::CreateShader(Shader {
        handle: 3,
        shader_type: ShaderType::Vertex,
        offset,
        num_tokens: 300,
        stream_output: None,
        req_local_mem: 0,
        text,
    });
    let bytes = to_bytes(&encode_all([&cmd]).unwrap());
    let decoded = decode_all(&bytes).unwrap();
    let Command::CreateShader(s) = &decoded[0] else {
        panic!()
    };
    assert_eq!(s.text_bytes(), b"VERT\nEND\n");
    assert!(std::ptr::eq(
        s.text.as_bytes().as_ptr(),
        bytes[6 * 4..].as_ptr()
    ));
}

#[test]
fn encoder_refuses_what_the_decoder_rejects() {
    let too_many = Command::SetFramebufferState {
        zsurf: 0,
        cbufs: vec![1; 9],
    };
    assert!(matches!(
        too_many.encode(&mut Vec::new()),
        Err(Error::EncodedLength { actual: 11, .. })
    ));
    let overflow = Command::SetSamplerViews {
        shader_type: ShaderType::Fragment,
        start_slot: 127,
        views: vec![1, 2],
    };
    let mut out = vec![7];
    let err = overflow.encode(&mut out).unwrap_err();
    assert_eq!(out, [7], "nothing written on failure");
    assert_eq!(
        err.to_string(),
        "SET_SAMPLER_VIEWS: field `start_slot` = 0x7f: start_slot + count exceeds PIPE_MAX_SHADER_SAMPLER_VIEWS (128)"
    );
    let wide = Command::CreateBlend(Blend {
        handle: 1,
        rt: [RtBlend {
            colormask: 0x10,
            ..RtBlend::default()
        }; 8],
        ..Blend::default()
    });
    assert!(matches!(
        wide.encode(&mut Vec::new()),
        Err(Error::InvalidCommand {
            field: "colormask",
            value: 0x10,
            ..
        })
    ));
    let index = Command::SetIndexBuffer {
        resource: 1,
        layout: Some(IndexLayout {
            index_size: IndexSize::U16,
            offset: 0,
        }),
    };
    assert_eq!(index.encode(&mut Vec::new()).unwrap(), 4);
    let mask = Command::Blit(Blit {
        mask: BlitMask::RGBA,
        filter: crate::pipe::TexFilter::Linear,
        scissor_enable: false,
        render_condition_enable: false,
        alpha_blend: false,
        scissor: Scissor::default(),
        dst: BlitSurface {
            resource: 1,
            level: 0,
            format: Format::B8G8R8A8_UNORM,
            region: Box3::new_2d(0, 0, 1, 1),
        },
        src: BlitSurface {
            resource: 0,
            level: 0,
            format: Format::B8G8R8A8_UNORM,
            region: Box3::new_2d(0, 0, 1, 1),
        },
    });
    assert!(matches!(
        mask.encode(&mut Vec::new()),
        Err(Error::InvalidCommand {
            field: "src_resource",
            ..
        })
    ));
    let q = Command::CreateQuery(Query {
        handle: 1,
        query_type: QueryType::PipelineStatistics,
        index: 11,
        offset: 0,
        resource: 1,
    });
    assert!(q.encode(&mut Vec::new()).is_err());
}

#[test]
fn bulk_is_the_borrowed_payload_and_only_that() {
    let constants = Dwords::from_u32s(&[1, 2, 3]);
    let cb = Command::SetConstantBuffer {
        shader_type: ShaderType::Fragment,
        index: 0,
        data: constants.clone(),
    };
    assert_eq!(cb.bulk(), Some(&constants));
    let marker = Command::SendStringMarker(StringMarker::new(b"hello").unwrap());
    assert_eq!(marker.bulk().unwrap().as_bytes(), b"hello\0\0\0");
    assert_eq!(Command::SetSubCtx(1).bulk(), None);
}
