//! Known answers for the command ids and object types that no captured stream contains: dwords
//! written by hand from the upstream field offsets, which must decode to the expected command and
//! re-encode byte for byte.
//!
//! References are virglrenderer at fcfb9f23: `VP:n` is line n of `src/virgl_protocol.h` (the
//! field offsets both Mesa's `virgl_encode.c` and the host use), `VD:n` line n of
//! `src/vrend/vrend_decode.c`. Each header is `id | object << 8 | len << 16` (VP:157).

use std::collections::BTreeSet;

use virgl_proto::ccmd::*;
use virgl_proto::format::Format;
use virgl_proto::pipe::{
    BlitMask, ClearBuffers, CopyTransferFlags, QueryType, QueryValueType, RenderCondMode,
    ShaderType, TexFilter, TextureTarget,
};

fn f(v: f32) -> u32 {
    v.to_bits()
}

/// `(name, dwords, command)` for each known answer.
fn cases() -> Vec<(&'static str, Vec<u32>, Command<'static>)> {
    let b = |x, y, z, w, h, d| Box3 { x, y, z, w, h, d };
    vec![
        (
            // VD:1958: NOP is skipped whole; its payload here is zero padding.
            "NOP",
            vec![0x0002_0000, 0, 0],
            Command::Nop(2),
        ),
        (
            // VP:498-504: handle, type | index << 16, offset, resource.
            "CREATE_OBJECT(QUERY)",
            vec![0x0004_0901, 5, 0x0001_0005, 16, 9],
            Command::CreateQuery(Query {
                handle: 5,
                query_type: QueryType::PrimitivesGenerated,
                index: 1,
                offset: 16,
                resource: 9,
            }),
        ),
        (
            // VP:383-387: handle, resource, buffer offset, buffer size.
            "CREATE_OBJECT(STREAMOUT_TARGET)",
            vec![0x0004_0a01, 6, 10, 256, 1024],
            Command::CreateStreamoutTarget(StreamoutTarget {
                handle: 6,
                resource: 10,
                buffer_offset: 256,
                buffer_size: 1024,
            }),
        ),
        (
            // VP:369-380: handle, resource, format, level, first | last layer << 16, samples.
            "CREATE_OBJECT(MSAA_SURFACE)",
            vec![0x0006_0b01, 7, 11, 1, 2, 0x0003_0001, 4],
            Command::CreateMsaaSurface(MsaaSurface {
                surface: Surface {
                    handle: 7,
                    resource: 11,
                    format: Format::B8G8R8A8_UNORM,
                    level: 2,
                    layers: LayerRange::new(1, 3),
                },
                sample_count: 4,
            }),
        ),
        (
            // VP:170: the handle; the object byte names the kind (VD:927-940).
            "DESTROY_OBJECT(SAMPLER_VIEW)",
            vec![0x0001_0603, 12],
            Command::DestroyObject {
                object: ObjectType::SamplerView,
                handle: 12,
            },
        ),
        (
            "DESTROY_OBJECT(QUERY)",
            vec![0x0001_0903, 5],
            Command::DestroyObject {
                object: ObjectType::Query,
                handle: 5,
            },
        ),
        (
            "DESTROY_OBJECT(STREAMOUT_TARGET)",
            vec![0x0001_0a03, 6],
            Command::DestroyObject {
                object: ObjectType::StreamoutTarget,
                handle: 6,
            },
        ),
        (
            "DESTROY_OBJECT(MSAA_SURFACE)",
            vec![0x0001_0b03, 7],
            Command::DestroyObject {
                object: ObjectType::MsaaSurface,
                handle: 7,
            },
        ),
        (
            // VP:521-532: resource, level, usage, stride, layer stride, box, then data (VD:444).
            "RESOURCE_INLINE_WRITE",
            vec![0x000c_0009, 3, 0, 0, 16, 0, 0, 0, 0, 4, 1, 1, 0xdead_beef],
            Command::ResourceInlineWrite(InlineWrite {
                target: TransferTarget {
                    resource: 3,
                    level: 0,
                    usage: 0,
                    stride: 16,
                    layer_stride: 0,
                    region: b(0, 0, 0, 4, 1, 1),
                },
                data: Dwords::from_u32s(&[0xdead_beef]),
            }),
        ),
        (
            // VP:447-450: start slot, minx | miny << 16, maxx | maxy << 16.
            "SET_SCISSOR_STATE",
            vec![0x0003_000f, 2, 0x0020_0010, 0x0080_0040],
            Command::SetScissorState {
                start_slot: 2,
                scissors: vec![Scissor {
                    minx: 16,
                    miny: 32,
                    maxx: 64,
                    maxy: 128,
                }],
            },
        ),
        (
            // VP:469-495: S0 = mask | filter << 8 | scissor << 10 | cond << 11 | alpha << 12,
            // scissor, then resource, level, format and box of dst, then of src.
            "BLIT",
            vec![
                0x0015_0010,
                0x0000_050f,
                0x0000_0000,
                0x0040_0040,
                1,
                0,
                1,
                0,
                0,
                0,
                64,
                64,
                1,
                2,
                1,
                67,
                8,
                8,
                0,
                32,
                32,
                1,
            ],
            Command::Blit(Blit {
                mask: BlitMask::RGBA,
                filter: TexFilter::Linear,
                scissor_enable: true,
                render_condition_enable: false,
                alpha_blend: false,
                scissor: Scissor {
                    minx: 0,
                    miny: 0,
                    maxx: 64,
                    maxy: 64,
                },
                dst: BlitSurface {
                    resource: 1,
                    level: 0,
                    format: Format::B8G8R8A8_UNORM,
                    region: b(0, 0, 0, 64, 64, 1),
                },
                src: BlitSurface {
                    resource: 2,
                    level: 1,
                    format: Format::R8G8B8A8_UNORM,
                    region: b(8, 8, 0, 32, 32, 1),
                },
            }),
        ),
        (
            // VP:453-466: dst resource, level, x, y, z, src resource, level, box.
            "RESOURCE_COPY_REGION",
            vec![0x000d_0011, 4, 0, 10, 20, 0, 5, 0, 1, 2, 0, 30, 40, 1],
            Command::ResourceCopyRegion(CopyRegion {
                dst_resource: 4,
                dst_level: 0,
                dst_x: 10,
                dst_y: 20,
                dst_z: 0,
                src_resource: 5,
                src_level: 0,
                src_box: b(1, 2, 0, 30, 40, 1),
            }),
        ),
        (
            // VP:506 (VD:1154).
            "BEGIN_QUERY",
            vec![0x0001_0013, 5],
            Command::BeginQuery(5),
        ),
        (
            // VP:508 (VD:1164).
            "END_QUERY",
            vec![0x0001_0014, 5],
            Command::EndQuery(5),
        ),
        (
            // VP:510-512: handle, wait.
            "GET_QUERY_RESULT",
            vec![0x0002_0015, 5, 1],
            Command::GetQueryResult {
                query: 5,
                wait: true,
            },
        ),
        (
            // VP:543-544: eight planes of four floats.
            "SET_CLIP_STATE",
            {
                let mut v = vec![0x0020_0017];
                v.extend((0..32).map(|i| f(i as f32)));
                v
            },
            Command::SetClipState(std::array::from_fn(|p| {
                std::array::from_fn(|c| (p * 4 + c) as f32)
            })),
        ),
        (
            // VP:515-518: query, condition, mode.
            "SET_RENDER_CONDITION",
            vec![0x0003_001a, 5, 1, 2],
            Command::SetRenderCondition {
                query: 5,
                condition: true,
                mode: RenderCondMode::ByRegionWait,
            },
        ),
        (
            // VP:334-339: shader type, index, offset, length, resource.
            "SET_UNIFORM_BUFFER",
            vec![0x0005_001b, 1, 3, 256, 64, 8],
            Command::SetUniformBuffer {
                shader_type: ShaderType::Fragment,
                index: 3,
                offset: 256,
                length: 64,
                resource: 8,
            },
        ),
        (
            // VP:582-583: PIPE_BARRIER_* flags.
            "MEMORY_BARRIER",
            vec![0x0001_0024, 0x0000_0102],
            Command::MemoryBarrier(0x102),
        ),
        (
            // VP:586-594: block xyz, grid xyz, indirect resource, indirect offset.
            "LAUNCH_GRID",
            vec![0x0008_0025, 8, 8, 1, 16, 4, 1, 0, 0],
            Command::LaunchGrid(LaunchGrid {
                block: [8, 8, 1],
                grid: [16, 4, 1],
                indirect_resource: 0,
                indirect_offset: 0,
            }),
        ),
        (
            // VP:606-607: PIPE_TEXTURE_BARRIER_* flags.
            "TEXTURE_BARRIER",
            vec![0x0001_0027, 1],
            Command::TextureBarrier(1),
        ),
        (
            // VP:618-619: the NUL-terminated flag string from dword 1, at least two dwords.
            "SET_DEBUG_FLAGS",
            vec![0x0002_0029, u32::from_le_bytes(*b"bgra"), 0],
            Command::SetDebugFlags(Dwords::from_bytes(&b"bgra\0\0\0\0"[..]).unwrap()),
        ),
        (
            // VP:622-628: query, qbo, wait, result type, offset, index.
            "GET_QUERY_RESULT_QBO",
            vec![0x0006_002a, 5, 9, 0, 3, 8, 0xffff_ffff],
            Command::GetQueryResultQbo(QueryResultQbo {
                query: 5,
                qbo: 9,
                wait: false,
                result_type: QueryValueType::U64,
                offset: 8,
                index: -1,
            }),
        ),
        (
            // VP:640-648: the inline-write fields, source resource, offset, flags.
            "COPY_TRANSFER3D",
            vec![
                0x000e_002d,
                3,
                0,
                0,
                256,
                0,
                0,
                0,
                0,
                64,
                64,
                1,
                14,
                4096,
                3,
            ],
            Command::CopyTransfer3d(CopyTransfer3d {
                dst: TransferTarget {
                    resource: 3,
                    level: 0,
                    usage: 0,
                    stride: 256,
                    layer_stride: 0,
                    region: b(0, 0, 0, 64, 64, 1),
                },
                src_resource: 14,
                src_offset: 4096,
                flags: CopyTransferFlags::SYNCHRONIZED | CopyTransferFlags::READ_FROM_HOST,
            }),
        ),
        (
            // VP:651-653: tweak id, value.
            "SET_TWEAKS",
            vec![0x0002_002e, 2, 42],
            Command::SetTweaks { id: 2, value: 42 },
        ),
        (
            // VP:663-675: resource, level, box, four value dwords.
            "CLEAR_TEXTURE",
            vec![0x000c_002f, 3, 1, 0, 0, 0, 8, 8, 1, 0xff00_00ff, 0, 0, 0],
            Command::ClearTexture(ClearTexture {
                resource: 3,
                level: 1,
                region: b(0, 0, 0, 8, 8, 1),
                value: [0xff00_00ff, 0, 0, 0],
            }),
        ),
        (
            // VP:678-689: target, format, bind, size, array size, last level, samples, flags,
            // blob id.
            "PIPE_RESOURCE_CREATE",
            vec![0x000b_0030, 2, 1, 2, 640, 480, 1, 1, 0, 0, 0, 7],
            Command::PipeResourceCreate(PipeResourceCreate {
                target: TextureTarget::Texture2D,
                format: Format::B8G8R8A8_UNORM,
                bind: 2,
                width: 640,
                height: 480,
                depth: 1,
                array_size: 1,
                last_level: 0,
                nr_samples: 0,
                flags: 0,
                blob_id: 7,
            }),
        ),
        (
            // VP:692-702: resource, format, bind, size, usage, modifier lo/hi, per plane
            // stride and offset.
            "PIPE_RESOURCE_SET_TYPE",
            vec![
                0x000a_0031,
                3,
                1,
                2,
                64,
                64,
                0,
                0x0000_0001,
                0x0100_0000,
                256,
                0,
            ],
            Command::PipeResourceSetType(PipeResourceSetType {
                resource: 3,
                format: Format::B8G8R8A8_UNORM,
                bind: 2,
                width: 64,
                height: 64,
                usage: 0,
                modifier: 0x0100_0000_0000_0001,
                planes: vec![PlaneLayout {
                    stride: 256,
                    offset: 0,
                }],
            }),
        ),
        (
            // VD:1721-1728: the resource receiving virgl_memory_info.
            "GET_MEMORY_INFO",
            vec![0x0001_0032, 3],
            Command::GetMemoryInfo(3),
        ),
        (
            // VP:705-707: the byte length, then the bytes zero-padded (VD:1734-1751).
            "SEND_STRING_MARKER",
            vec![
                0x0003_0033,
                5,
                u32::from_le_bytes(*b"hell"),
                u32::from(b'o'),
            ],
            Command::SendStringMarker(StringMarker::new(b"hello").unwrap()),
        ),
        (
            // VP:719-727: handle, profile, entrypoint, chroma format, level, width, height,
            // max references.
            "CREATE_VIDEO_CODEC",
            vec![0x0008_0035, 1, 7, 1, 1, 41, 1920, 1080, 4],
            Command::CreateVideoCodec(CreateVideoCodec {
                handle: 1,
                profile: 7,
                entrypoint: 1,
                chroma_format: 1,
                level: 41,
                width: 1920,
                height: 1080,
                max_references: Some(4),
            }),
        ),
        (
            // VP:730-731.
            "DESTROY_VIDEO_CODEC",
            vec![0x0001_0036, 1],
            Command::DestroyVideoCodec(1),
        ),
        (
            // VP:734-739: handle, format, width, height, then a resource per plane.
            "CREATE_VIDEO_BUFFER",
            vec![0x0006_0037, 2, 67, 1920, 1080, 20, 21],
            Command::CreateVideoBuffer(CreateVideoBuffer {
                handle: 2,
                format: Format::R8G8B8A8_UNORM,
                width: 1920,
                height: 1080,
                planes: vec![20, 21],
            }),
        ),
        (
            // VP:742-743.
            "DESTROY_VIDEO_BUFFER",
            vec![0x0001_0038, 2],
            Command::DestroyVideoBuffer(2),
        ),
        (
            // VP:746-748: codec, target buffer.
            "BEGIN_FRAME",
            vec![0x0002_0039, 1, 2],
            Command::BeginFrame(VideoFrame {
                codec: 1,
                target: 2,
            }),
        ),
        (
            // VD:2018: the host skips DECODE_MACROBLOCK; the payload is kept as sent.
            "DECODE_MACROBLOCK",
            vec![0x0002_003a, 0x1234, 0x5678],
            Command::DecodeMacroblock(Dwords::from_u32s(&[0x1234, 0x5678])),
        ),
        (
            // VP:753-758: codec, target, descriptor, buffer, buffer size.
            "DECODE_BITSTREAM",
            vec![0x0005_003b, 1, 2, 30, 31, 4096],
            Command::DecodeBitstream(DecodeBitstream {
                codec: 1,
                target: 2,
                descriptor: 30,
                buffer: 31,
                buffer_size: 4096,
            }),
        ),
        (
            // VP:761-766: codec, source, destination, descriptor, feedback.
            "ENCODE_BITSTREAM",
            vec![0x0005_003c, 1, 2, 40, 41, 42],
            Command::EncodeBitstream(EncodeBitstream {
                codec: 1,
                source: 2,
                destination: 40,
                descriptor: 41,
                feedback: 42,
            }),
        ),
        (
            // VP:769-771: codec, target buffer.
            "END_FRAME",
            vec![0x0002_003d, 1, 2],
            Command::EndFrame(VideoFrame {
                codec: 1,
                target: 2,
            }),
        ),
        (
            // VP:774-786: S0 = render condition | buffers << 1, surface, colour, x, y, w, h.
            "CLEAR_SURFACE",
            vec![
                0x000a_003e,
                0x0000_0009,
                7,
                f(1.0),
                0,
                0,
                f(1.0),
                1,
                2,
                30,
                40,
            ],
            Command::ClearSurface(ClearSurface {
                render_condition: true,
                buffers: ClearBuffers::COLOR0,
                surface: 7,
                color: [f(1.0), 0, 0, f(1.0)],
                x: 1,
                y: 2,
                width: 30,
                height: 40,
            }),
        ),
        (
            // VP:789-791: the output resource, then the resource described.
            "GET_PIPE_RESOURCE_LAYOUT",
            vec![0x0002_003f, 50, 3],
            Command::GetPipeResourceLayout {
                output: 50,
                resource: 3,
            },
        ),
    ]
}

#[test]
fn known_answers_decode_and_reencode() {
    for (name, words, expected) in cases() {
        let bytes = to_bytes(&words);
        let decoded = decode_all(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded, std::slice::from_ref(&expected), "{name}");
        assert_eq!(decoded[0].name(), name);
        assert_eq!(
            encode_all([&expected]).unwrap(),
            words,
            "{name}: re-encoding"
        );
    }
}

/// The ids (and object kinds of the object commands) a stream contains.
fn ids(bytes: &[u8]) -> BTreeSet<(u8, u8)> {
    Decoder::new(bytes)
        .map(|c| {
            let c = c.unwrap();
            let (id, object) = c.id_and_object();
            (id.to_wire() as u8, object.map_or(0, |o| o.to_wire() as u8))
        })
        .collect()
}

/// Captures and known answers together cover every id, and every object kind of CREATE_OBJECT
/// and DESTROY_OBJECT (BIND_OBJECT binds four kinds, all captured).
#[test]
fn captures_and_known_answers_cover_every_command() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let mut captured = BTreeSet::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|e| e == "virgl") {
            captured.extend(ids(&std::fs::read(p).unwrap()));
        }
    }
    let mut known = BTreeSet::new();
    for (_, words, _) in cases() {
        known.extend(ids(&to_bytes(&words)));
    }
    assert!(
        captured.is_disjoint(&known),
        "known answers repeat captured commands: {:?}",
        captured.intersection(&known).collect::<Vec<_>>()
    );
    let all: BTreeSet<(u8, u8)> = captured.union(&known).copied().collect();
    for id in 0..MAX_COMMANDS as u8 {
        let objects: Vec<u8> = match id {
            1 | 3 => (1..=11).collect(),
            2 => vec![1, 2, 3, 5],
            _ => vec![0],
        };
        for o in objects {
            assert!(all.contains(&(id, o)), "{} untested", command_name(id, o));
        }
    }
}
