use super::*;
use proptest::prelude::*;
use rstest::rstest;

fn shader() -> impl Strategy<Value = Shader<'static>> {
    (
        any::<u32>(),
        any::<ShaderType>(),
        any::<ShaderOffset>(),
        any::<u32>(),
        proptest::option::of(any::<StreamOutput>()),
        any::<u32>(),
        any::<Dwords<'static>>(),
    )
        .prop_map(|(handle, shader_type, offset, num_tokens, so, mem, text)| {
            let compute = shader_type == ShaderType::Compute;
            Shader {
                handle,
                shader_type,
                offset,
                num_tokens,
                stream_output: if compute { None } else { so },
                req_local_mem: if compute { mem } else { 0 },
                text,
            }
        })
}

fn sampler_view() -> impl Strategy<Value = SamplerView> {
    (
        any::<u32>(),
        any::<u32>(),
        any::<Format>(),
        any::<TextureTarget>(),
        any::<(u32, u32)>(),
        any::<(u16, u16, u8, u8)>(),
        any::<[Swizzle; 4]>(),
    )
        .prop_map(
            |(handle, resource, format, target, buf, tex, swizzle)| SamplerView {
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
                        first_layer: tex.0,
                        last_layer: tex.1,
                        first_level: tex.2,
                        last_level: tex.3,
                    }
                },
                swizzle,
            },
        )
}

fn bindable() -> impl Strategy<Value = ObjectType> {
    prop::sample::select(
        &[
            ObjectType::Blend,
            ObjectType::Dsa,
            ObjectType::Rasterizer,
            ObjectType::VertexElements,
        ][..],
    )
}

fn handles(max: usize) -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(any::<u32>(), 0..=max)
}

/// One strategy per command variant, so every command is exercised.
fn command() -> impl Strategy<Value = Command<'static>> {
    prop_oneof![core_command(), more_command(), video_command()]
}

fn core_command() -> impl Strategy<Value = Command<'static>> {
    use Command as C;
    prop_oneof![
        any::<Dwords<'static>>().prop_map(C::Nop),
        any::<Blend>().prop_map(C::CreateBlend),
        any::<Rasterizer>().prop_map(C::CreateRasterizer),
        any::<Dsa>().prop_map(C::CreateDsa),
        shader().prop_map(C::CreateShader),
        any::<VertexElements>().prop_map(C::CreateVertexElements),
        sampler_view().prop_map(C::CreateSamplerView),
        any::<SamplerState>().prop_map(C::CreateSamplerState),
        any::<Surface>().prop_map(C::CreateSurface),
        (bindable(), any::<u32>()).prop_map(|(object, handle)| C::BindObject { object, handle }),
        (any::<ObjectType>(), any::<u32>())
            .prop_map(|(object, handle)| C::DestroyObject { object, handle }),
        (any::<u32>(), any::<ShaderType>()).prop_map(|(handle, shader_type)| C::BindShader {
            handle,
            shader_type
        }),
        (
            any::<u32>(),
            prop::collection::vec(any::<Viewport>(), 0..=16)
        )
            .prop_map(|(start_slot, viewports)| C::SetViewportState {
                start_slot,
                viewports
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
        (any::<ShaderType>(), any::<u32>(), handles(128)).prop_map(
            |(shader_type, start_slot, views)| C::SetSamplerViews {
                shader_type,
                start_slot,
                views
            }
        ),
        (any::<ShaderType>(), any::<u32>(), handles(32)).prop_map(
            |(shader_type, start_slot, states)| C::BindSamplerStates {
                shader_type,
                start_slot,
                states
            }
        ),
        (
            any::<u32>(),
            prop::collection::vec(any::<Scissor>(), 0..=16)
        )
            .prop_map(|(start_slot, scissors)| C::SetScissorState {
                start_slot,
                scissors
            }),
        prop::array::uniform4(arb::finite_f32()).prop_map(C::SetBlendColor),
        any::<(u8, u8)>().prop_map(|(front, back)| C::SetStencilRef { front, back }),
        any::<Clear>().prop_map(C::Clear),
        any::<DrawVbo>().prop_map(C::DrawVbo),
        (any::<[u32; 5]>(), any::<Box3>(), any::<Dwords<'static>>()).prop_map(
            |(h, region, data)| {
                C::ResourceInlineWrite(InlineWrite {
                    resource: h[0],
                    level: h[1],
                    usage: h[2],
                    stride: h[3],
                    layer_stride: h[4],
                    region,
                    data,
                })
            }
        ),
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
    let rest = || any::<Dwords<'static>>();
    let nonempty = || prop::collection::vec(any::<u32>(), 1..4).prop_map(|v| Dwords::from_u32s(&v));
    prop_oneof![
        (any::<[u32; 7]>(), rest()).prop_map(|(f, rest)| C::CreateVideoCodec(CreateVideoCodec {
            handle: f[0],
            profile: f[1],
            entrypoint: f[2],
            chroma_format: f[3],
            level: f[4],
            width: f[5],
            height: f[6],
            rest
        })),
        (any::<u32>(), rest())
            .prop_map(|(handle, rest)| C::DestroyVideoCodec(DestroyVideoCodec { handle, rest })),
        (any::<[u32; 4]>(), nonempty()).prop_map(|(f, rest)| C::CreateVideoBuffer(
            CreateVideoBuffer {
                handle: f[0],
                format: f[1],
                width: f[2],
                height: f[3],
                rest
            }
        )),
        (any::<u32>(), rest())
            .prop_map(|(handle, rest)| C::DestroyVideoBuffer(DestroyVideoBuffer { handle, rest })),
        (any::<[u32; 2]>(), rest()).prop_map(|(f, rest)| C::BeginFrame(VideoFrame {
            codec: f[0],
            target: f[1],
            rest
        })),
        (any::<[u32; 2]>(), rest()).prop_map(|(f, rest)| C::EndFrame(VideoFrame {
            codec: f[0],
            target: f[1],
            rest
        })),
        rest().prop_map(C::DecodeMacroblock),
        (any::<[u32; 5]>(), rest()).prop_map(|(f, rest)| C::DecodeBitstream(DecodeBitstream {
            codec: f[0],
            target: f[1],
            descriptor: f[2],
            buffer: f[3],
            buffer_size: f[4],
            rest
        })),
        (any::<[u32; 5]>(), rest()).prop_map(|(f, rest)| C::EncodeBitstream(EncodeBitstream {
            codec: f[0],
            source: f[1],
            destination: f[2],
            descriptor: f[3],
            feedback: f[4],
            rest
        })),
    ]
}

#[test]
fn video_commands_keep_their_named_fields() {
    let words = [
        Header {
            id: 53,
            object: 0,
            len: 8,
        }
        .pack(),
        9,
        1,
        2,
        3,
        4,
        640,
        480,
        5,
    ];
    let bytes = to_bytes(&words);
    let Command::CreateVideoCodec(c) = decode_all(&bytes).unwrap().remove(0) else {
        panic!()
    };
    assert_eq!(
        (c.handle, c.width, c.height, c.max_references()),
        (9, 640, 480, Some(5))
    );
    let short = to_bytes(&[
        Header {
            id: 55,
            object: 0,
            len: 4,
        }
        .pack(),
        1,
        2,
        3,
        4,
    ]);
    assert!(matches!(
        decode_all(&short).unwrap_err(),
        Error::BadLength { actual: 4, .. }
    ));
}

/// Whole dwords whose last byte is 0, as a NUL-terminated string travels.
fn c_string() -> impl Strategy<Value = Dwords<'static>> {
    prop::collection::vec(any::<u32>(), 1..16).prop_map(|mut v| {
        let last = v.len() - 1;
        v[last] &= 0x00ff_ffff;
        Dwords::from_u32s(&v)
    })
}

fn more_command() -> impl Strategy<Value = Command<'static>> {
    use Command as C;
    prop_oneof![
        any::<Query>().prop_map(C::CreateQuery),
        any::<StreamoutTarget>().prop_map(C::CreateStreamoutTarget),
        any::<MsaaSurface>().prop_map(C::CreateMsaaSurface),
        any::<u32>().prop_map(C::BeginQuery),
        any::<u32>().prop_map(C::EndQuery),
        (any::<u32>(), any::<bool>()).prop_map(|(query, wait)| C::GetQueryResult { query, wait }),
        any::<[u32; 32]>().prop_map(C::SetPolygonStipple),
        prop::array::uniform8(prop::array::uniform4(arb::finite_f32())).prop_map(C::SetClipState),
        any::<u32>().prop_map(C::SetSampleMask),
        (any::<u32>(), handles(16)).prop_map(|(append_bitmask, targets)| C::SetStreamoutTargets {
            append_bitmask,
            targets
        }),
        (any::<u32>(), any::<bool>(), any::<u32>()).prop_map(|(query, condition, mode)| {
            C::SetRenderCondition {
                query,
                condition,
                mode,
            }
        }),
        (any::<ShaderType>(), any::<[u32; 4]>()).prop_map(|(shader_type, v)| C::SetUniformBuffer {
            shader_type,
            index: v[0],
            offset: v[1],
            length: v[2],
            resource: v[3]
        }),
        (
            prop::array::uniform4(arb::finite_f32()),
            prop::array::uniform2(arb::finite_f32())
        )
            .prop_map(|(outer, inner)| C::SetTessState { outer, inner }),
        any::<u32>().prop_map(C::SetMinSamples),
        (
            any::<ShaderType>(),
            any::<u32>(),
            prop::collection::vec(any::<BufferBinding>(), 0..=32)
        )
            .prop_map(|(shader_type, start_slot, buffers)| C::SetShaderBuffers {
                shader_type,
                start_slot,
                buffers
            }),
        (
            any::<ShaderType>(),
            any::<u32>(),
            prop::collection::vec(any::<ImageBinding>(), 0..=32)
        )
            .prop_map(|(shader_type, start_slot, images)| C::SetShaderImages {
                shader_type,
                start_slot,
                images
            }),
        any::<u32>().prop_map(C::MemoryBarrier),
        any::<LaunchGrid>().prop_map(C::LaunchGrid),
        any::<(u16, u16, u16, u8)>().prop_map(|(width, height, layers, samples)| {
            C::SetFramebufferStateNoAttach {
                width,
                height,
                layers,
                samples,
            }
        }),
        any::<u32>().prop_map(C::TextureBarrier),
        (
            any::<u32>(),
            prop::collection::vec(any::<BufferBinding>(), 0..=32)
        )
            .prop_map(|(start_slot, buffers)| C::SetAtomicBuffers {
                start_slot,
                buffers
            }),
        c_string()
            .prop_filter("two dwords at least", |d| d.len() >= 2)
            .prop_map(C::SetDebugFlags),
        any::<QueryResultQbo>().prop_map(C::GetQueryResultQbo),
        any::<Dwords<'static>>().prop_map(C::EndTransfers),
        any::<CopyTransfer3d>().prop_map(C::CopyTransfer3d),
        any::<(u32, u32)>().prop_map(|(id, value)| C::SetTweaks { id, value }),
        any::<ClearTexture>().prop_map(C::ClearTexture),
        any::<PipeResourceCreate>().prop_map(C::PipeResourceCreate),
        any::<PipeResourceSetType>().prop_map(C::PipeResourceSetType),
        any::<u32>().prop_map(C::GetMemoryInfo),
        c_string().prop_map(|string| C::SendStringMarker {
            length: (string.len() * 4) as u32 - 1,
            string
        }),
        any::<[u32; 6]>().prop_map(C::LinkShader),
        any::<ClearSurface>().prop_map(C::ClearSurface),
        any::<(u32, u32)>()
            .prop_map(|(output, target)| C::GetPipeResourceLayout { output, target }),
    ]
}

#[test]
fn every_command_id_has_a_variant() {
    // Each id decodes from a minimal valid payload to a command of that id.
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..20_000 {
        let cmd = command().new_tree(&mut runner).unwrap().current();
        seen.insert(cmd.id_and_object().0.to_wire());
    }
    let all: std::collections::BTreeSet<u32> = (0..MAX_COMMANDS).collect();
    assert_eq!(seen, all, "ids without a generated command");
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
        prop_assert_eq!(header.object, object);
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

    #[test]
    fn decoder_never_panics(words in prop::collection::vec(any::<u32>(), 0..64)) {
        let bytes = to_bytes(&words);
        for r in Decoder::new(&bytes) {
            if r.is_err() { break; }
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
        buffers: crate::pipe::clear::color(0),
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

#[test]
fn truncated_stream_names_position_and_lengths() {
    let mut out = Vec::new();
    Command::SetSubCtx(1).encode(&mut out).unwrap();
    Command::Clear(Clear::color(4, [0.0; 4]))
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

#[rstest]
#[case::clear_short(Header { id: 7, object: 0, len: 7 }, LenRule::Exact(8))]
#[case::blend_long(Header { id: 1, object: 1, len: 12 }, LenRule::Exact(11))]
#[case::draw_13(Header { id: 8, object: 0, len: 13 }, LenRule::OneOf(&[12, 14, 20]))]
#[case::sub_ctx(Header { id: 28, object: 0, len: 0 }, LenRule::Exact(1))]
fn wrong_lengths_are_reported(#[case] h: Header, #[case] expected: LenRule) {
    let mut words = vec![h.pack()];
    words.extend(std::iter::repeat_n(0, usize::from(h.len)));
    let err = decode_all(&to_bytes(&words)).unwrap_err();
    match err {
        Error::BadLength {
            index: 0,
            offset: 0,
            id,
            expected: e,
            actual,
            ..
        } => {
            assert_eq!(id, h.id);
            assert_eq!(e, expected);
            assert_eq!(actual, h.len);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn invalid_enum_field_names_field_and_dword() {
    let mut words = Vec::new();
    Command::SetSubCtx(1).encode(&mut words).unwrap();
    Command::DrawVbo(DrawVbo::arrays(PrimMode::Triangles, 0, 3))
        .encode(&mut words)
        .unwrap();
    words[2 + 3] = 99; // mode
    let err = decode_all(&to_bytes(&words)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "command 1 at dword 2: DRAW_VBO field `mode` (dword 5) has invalid value 0x63"
    );
}

#[test]
fn unknown_ids_and_bad_object_types() {
    let err = decode_all(&to_bytes(&[Header {
        id: 64,
        object: 0,
        len: 0,
    }
    .pack()]))
    .unwrap_err();
    assert!(matches!(err, Error::UnknownCommand { id: 64, .. }), "{err}");
    let err = decode_all(&to_bytes(&[
        Header {
            id: 1,
            object: 42,
            len: 1,
        }
        .pack(),
        5,
    ]))
    .unwrap_err();
    assert!(
        matches!(err, Error::BadObjectType { object: 42, .. }),
        "{err}"
    );
    // BIND_OBJECT does not bind shaders.
    let err = decode_all(&to_bytes(&[
        Header {
            id: 2,
            object: 4,
            len: 1,
        }
        .pack(),
        5,
    ]))
    .unwrap_err();
    assert!(
        matches!(err, Error::BadObjectType { object: 4, .. }),
        "{err}"
    );
}

#[test]
fn unaligned_stream() {
    assert_eq!(
        decode_all(&[0u8; 6]).unwrap_err(),
        Error::Unaligned { len: 6 }
    );
}

#[test]
fn too_many_color_buffers_is_an_error_both_ways() {
    let c = Command::SetFramebufferState {
        zsurf: 0,
        cbufs: vec![1; 9],
    };
    assert!(c.encode(&mut Vec::new()).is_err());
    let mut words = vec![
        Header {
            id: 5,
            object: 0,
            len: 11,
        }
        .pack(),
        9,
        0,
    ];
    words.extend([1; 9]);
    assert!(matches!(
        decode_all(&to_bytes(&words)).unwrap_err(),
        Error::BadLength { actual: 11, .. }
    ));
}

#[test]
fn shader_text_is_borrowed() {
    let text = b"VERT\nEND\n\0\0\0";
    let cmd = Command::CreateShader(Shader {
        handle: 3,
        shader_type: ShaderType::Vertex,
        offset: ShaderOffset::Total(10),
        num_tokens: 300,
        stream_output: None,
        req_local_mem: 0,
        text: Dwords::from_bytes(&text[..]).unwrap(),
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
