//! virglrenderer's hardening fixes without CVE ids (`host-renderer.md` section 5, after the
//! table): slot ranges of shader images and buffers, SSBO and image ranges, the index buffer
//! before a draw, shader input counts, BLIT and copy checks, z indices, and result offsets
//! near 2^32.

use virgl_proto::ccmd::{
    BlitSurface, Box3, BufferBinding, Command, CommandId, CopyRegion, DrawVbo, ImageBinding,
    IndexLayout, LayerRange, ObjectType, Query, QueryResultQbo, VertexBuffer, VertexElement,
    VertexElements,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::{IndexSize, PrimMode, QueryType, QueryValueType, ShaderType};

use crate::bystander;
use crate::cve2017::{scaled_blit, surface};
use crate::{encode, encoder_refuses, header, shader, Case, Expect, Ids, Step};

stream_cases! {
    set_shader_images_start_slot_underflow,
    set_shader_images_past_slot_32,
    set_shader_buffers_start_slot_underflow,
    set_atomic_buffers_start_slot_underflow,
    ssbo_range_past_the_buffer,
    ssbo_range_wraps_32_bits,
    atomic_range_past_the_buffer,
    image_range_past_the_buffer,
    image_layers_past_the_array,
    uniform_range_past_the_buffer,
    index_buffer_short_of_the_draw,
    indexed_draw_without_index_buffer,
    vertex_buffer_offset_wraps,
    shader_input_index_past_the_limit,
    shader_output_index_past_the_limit,
    blit_of_a_buffer,
    blit_box_past_the_source,
    blit_level_past_last,
    copy_region_buffer_to_texture,
    copy_region_box_past_the_destination,
    surface_layers_past_the_array,
    query_offset_wraps_32_bits,
    query_result_offset_wraps_32_bits,
    stream_shorter_than_its_header,
}

/// A valid command encoded, then dword `at` (the header is dword 0) replaced by `value`.
fn patched(cmd: Command<'_>, at: usize, value: u32) -> Vec<u32> {
    let mut s = encode(&[cmd]);
    s[at] = value;
    s
}

fn images(start_slot: u32, images: Vec<ImageBinding>) -> Command<'static> {
    Command::SetShaderImages {
        shader_type: ShaderType::Compute,
        start_slot,
        images,
    }
}

fn image(resource: u32, layer_offset: u32, level_size: u32) -> ImageBinding {
    ImageBinding {
        format: Format::R8G8B8A8_UNORM,
        access: 3,
        layer_offset,
        level_size,
        resource,
    }
}

fn buffers(start_slot: u32, buffers: Vec<BufferBinding>) -> Command<'static> {
    Command::SetShaderBuffers {
        shader_type: ShaderType::Fragment,
        start_slot,
        buffers,
    }
}

fn range(resource: u32, offset: u32, length: u32) -> BufferBinding {
    BufferBinding {
        offset,
        length,
        resource,
    }
}

/// The start_slot underflow the CVE-2022-0135 write-up describes: SET_SHADER_IMAGES with
/// start_slot = -1 (0xffffffff) and one image.
fn set_shader_images_start_slot_underflow() -> Case {
    Case {
        name: "set_shader_images_start_slot_underflow",
        about: "hardening: SET_SHADER_IMAGES start_slot = 0xffffffff",
        steps: |ids| {
            encoder_refuses(&images(u32::MAX, vec![image(ids.rt, 0, 0)]));
            vec![Step::Submit(patched(
                images(0, vec![image(ids.rt, 0, 0)]),
                2,
                u32::MAX,
            ))]
        },
        expect: Expect::Refused(&["SET_SHADER_IMAGES", "`start_slot`"]),
    }
}

/// SET_SHADER_IMAGES of two images from slot 31.
fn set_shader_images_past_slot_32() -> Case {
    Case {
        name: "set_shader_images_past_slot_32",
        about: "hardening: SET_SHADER_IMAGES start_slot = 31 with 2 images",
        steps: |ids| {
            let two = vec![image(ids.rt, 0, 0); 2];
            vec![Step::Submit(patched(images(0, two), 2, 31))]
        },
        expect: Expect::Refused(&["SET_SHADER_IMAGES", "`start_slot`"]),
    }
}

/// SET_SHADER_BUFFERS with start_slot = -1.
fn set_shader_buffers_start_slot_underflow() -> Case {
    Case {
        name: "set_shader_buffers_start_slot_underflow",
        about: "hardening: SET_SHADER_BUFFERS start_slot = 0xffffffff",
        steps: |ids| {
            encoder_refuses(&buffers(u32::MAX, vec![range(ids.vbuf, 0, 16)]));
            vec![Step::Submit(patched(
                buffers(0, vec![range(ids.vbuf, 0, 16)]),
                2,
                u32::MAX,
            ))]
        },
        expect: Expect::Refused(&["SET_SHADER_BUFFERS", "`start_slot`"]),
    }
}

/// SET_ATOMIC_BUFFERS with start_slot = -1.
fn set_atomic_buffers_start_slot_underflow() -> Case {
    Case {
        name: "set_atomic_buffers_start_slot_underflow",
        about: "hardening: SET_ATOMIC_BUFFERS start_slot = 0xffffffff",
        steps: |ids| {
            let cmd = |start_slot| Command::SetAtomicBuffers {
                start_slot,
                buffers: vec![range(ids.vbuf, 0, 16)],
            };
            encoder_refuses(&cmd(u32::MAX));
            vec![Step::Submit(patched(cmd(0), 1, u32::MAX))]
        },
        expect: Expect::Refused(&["SET_ATOMIC_BUFFERS", "`start_slot`"]),
    }
}

/// SSBO binds with an offset or length outside the buffer (7e2ffe55): 4000 + 200 bytes of a
/// 4096-byte buffer.
fn ssbo_range_past_the_buffer() -> Case {
    Case {
        name: "ssbo_range_past_the_buffer",
        about: "hardening: SET_SHADER_BUFFERS offset 4000, length 200 of a 4096-byte buffer",
        steps: |ids| {
            vec![Step::Submit(encode(&[buffers(
                0,
                vec![range(ids.vbuf, 4000, 200)],
            )]))]
        },
        expect: Expect::Refused(&["SET_SHADER_BUFFERS", "shader buffer range 4000+200"]),
    }
}

/// An SSBO range whose end wraps 32 bits: offset 0xffffff00, length 0x200.
fn ssbo_range_wraps_32_bits() -> Case {
    Case {
        name: "ssbo_range_wraps_32_bits",
        about: "hardening: SET_SHADER_BUFFERS offset 0xffffff00, length 0x200",
        steps: |ids| {
            vec![Step::Submit(encode(&[buffers(
                0,
                vec![range(ids.vbuf, 0xffff_ff00, 0x200)],
            )]))]
        },
        expect: Expect::Refused(&["SET_SHADER_BUFFERS", "shader buffer range 4294967040+512"]),
    }
}

/// The same for an atomic counter buffer.
fn atomic_range_past_the_buffer() -> Case {
    Case {
        name: "atomic_range_past_the_buffer",
        about: "hardening: SET_ATOMIC_BUFFERS offset 60, length 8 of a 64-byte buffer",
        steps: |ids| {
            vec![Step::Submit(encode(&[Command::SetAtomicBuffers {
                start_slot: 0,
                buffers: vec![range(ids.small, 60, 8)],
            }]))]
        },
        expect: Expect::Refused(&["SET_ATOMIC_BUFFERS", "atomic buffer range 60+8"]),
    }
}

/// A buffer image (`layer_offset` first byte, `level_size` bytes) past its buffer.
fn image_range_past_the_buffer() -> Case {
    Case {
        name: "image_range_past_the_buffer",
        about: "hardening: SET_SHADER_IMAGES buffer image of 8192 bytes in a 4096-byte buffer",
        steps: |ids| {
            vec![Step::Submit(encode(&[images(
                0,
                vec![image(ids.vbuf, 0, 8192)],
            )]))]
        },
        expect: Expect::Refused(&["SET_SHADER_IMAGES", "image range 0+8192"]),
    }
}

/// z index out of bounds (6f9357ca), as image layers: layers 3..=4 of a 4-layer array.
fn image_layers_past_the_array() -> Case {
    Case {
        name: "image_layers_past_the_array",
        about: "hardening: SET_SHADER_IMAGES layers 3..=4 of a 4-layer 2D array",
        steps: |ids| {
            vec![Step::Submit(encode(&[images(
                0,
                vec![image(ids.array, 3 | 4 << 16, 0)],
            )]))]
        },
        expect: Expect::Refused(&["SET_SHADER_IMAGES", "image layers 3..=4"]),
    }
}

/// A uniform buffer range past its buffer.
fn uniform_range_past_the_buffer() -> Case {
    Case {
        name: "uniform_range_past_the_buffer",
        about: "hardening: SET_UNIFORM_BUFFER offset 4000, length 200 of a 4096-byte buffer",
        steps: |ids| {
            vec![Step::Submit(encode(&[Command::SetUniformBuffer {
                shader_type: ShaderType::Fragment,
                index: 1,
                offset: 4000,
                length: 200,
                resource: ids.vbuf,
            }]))]
        },
        expect: Expect::Refused(&["SET_UNIFORM_BUFFER", "uniform range 4000+200"]),
    }
}

fn indexed(count: u32) -> Command<'static> {
    Command::DrawVbo(DrawVbo {
        indexed: true,
        max_index: 3,
        min_index: 0,
        ..DrawVbo::arrays(PrimMode::Triangles, 0, count)
    })
}

/// The bystander's pipeline on the hostile context's target, then `more`.
fn with_pipeline(ids: &Ids, more: &[Command<'_>]) -> Vec<u32> {
    let mut s = bystander::setup_stream(ids.rt, ids.vbuf);
    s.extend(encode(more));
    s
}

/// The index buffer's size checked before a draw (c0428059): 100 32-bit indices from byte
/// 4000 of a 4096-byte buffer.
fn index_buffer_short_of_the_draw() -> Case {
    Case {
        name: "index_buffer_short_of_the_draw",
        about: "hardening: DRAW_VBO of 100 u32 indices from offset 4000 of a 4096-byte buffer",
        steps: |ids| {
            vec![Step::Submit(with_pipeline(
                ids,
                &[
                    Command::SetIndexBuffer {
                        resource: ids.vbuf,
                        layout: Some(IndexLayout {
                            index_size: IndexSize::U32,
                            offset: 4000,
                        }),
                    },
                    indexed(100),
                ],
            ))]
        },
        expect: Expect::Refused(&[
            "DRAW_VBO",
            "index buffer",
            "from offset 4000 end at byte 4400",
        ]),
    }
}

/// An indexed draw with no index buffer bound.
fn indexed_draw_without_index_buffer() -> Case {
    Case {
        name: "indexed_draw_without_index_buffer",
        about: "hardening: DRAW_VBO indexed with no index buffer",
        steps: |ids| vec![Step::Submit(with_pipeline(ids, &[indexed(3)]))],
        expect: Expect::Refused(&["DRAW_VBO", "no index buffer"]),
    }
}

/// A vertex buffer offset and an element offset whose sum wraps 32 bits.
fn vertex_buffer_offset_wraps() -> Case {
    Case {
        name: "vertex_buffer_offset_wraps",
        about: "hardening: DRAW_VBO with vertex buffer offset 0xfffffff0 + src_offset 0x100",
        steps: |ids| {
            vec![Step::Submit(with_pipeline(
                ids,
                &[
                    Command::CreateVertexElements(VertexElements {
                        handle: 20,
                        elements: vec![VertexElement {
                            src_offset: 0x100,
                            instance_divisor: 0,
                            vertex_buffer_index: 0,
                            src_format: Format::R32G32B32A32_FLOAT,
                        }],
                    }),
                    Command::BindObject {
                        object: ObjectType::VertexElements,
                        handle: 20,
                    },
                    Command::SetVertexBuffers(vec![VertexBuffer {
                        stride: 16,
                        offset: 0xffff_fff0,
                        resource: ids.vbuf,
                    }]),
                    Command::DrawVbo(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 4)),
                ],
            ))]
        },
        expect: Expect::Refused(&["DRAW_VBO", "vertex element 0 starts at byte 4294967536"]),
    }
}

/// Shader input counts out of bounds (fa90b4e5, 7b936146, 10e2e2d4): a vertex shader
/// reading input 200.
fn shader_input_index_past_the_limit() -> Case {
    Case {
        name: "shader_input_index_past_the_limit",
        about: "hardening: CREATE_OBJECT(SHADER) vertex shader declaring IN[200]",
        steps: |_| {
            let vs =
                "VERT\nDCL IN[200]\nDCL OUT[0], POSITION\n  0: MOV OUT[0], IN[200]\n  1: END\n";
            vec![Step::Submit(encode(&[shader(1, ShaderType::Vertex, vs)]))]
        },
        expect: Expect::Refused(&["CREATE_OBJECT(SHADER)", "IN[200]"]),
    }
}

/// The same for outputs: a vertex shader writing GENERIC output 1000.
fn shader_output_index_past_the_limit() -> Case {
    Case {
        name: "shader_output_index_past_the_limit",
        about: "hardening: CREATE_OBJECT(SHADER) vertex shader declaring OUT[1000]",
        steps: |_| {
            let vs = "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\nDCL OUT[1000], GENERIC[0]\n\
                      0: MOV OUT[0], IN[0]\n  1: MOV OUT[1000], IN[0]\n  2: END\n";
            vec![Step::Submit(encode(&[shader(1, ShaderType::Vertex, vs)]))]
        },
        expect: Expect::Refused(&["CREATE_OBJECT(SHADER)", "OUT[1000]"]),
    }
}

/// Missing copy checks in BLIT (bc79e256): a buffer as the source.
fn blit_of_a_buffer() -> Case {
    Case {
        name: "blit_of_a_buffer",
        about: "hardening: BLIT from a buffer",
        steps: |ids| {
            let mut b = scaled_blit(ids);
            b.src = BlitSurface {
                resource: ids.vbuf,
                level: 0,
                format: Format::R8G8B8A8_UNORM,
                region: Box3::new_2d(0, 0, 16, 1),
            };
            vec![Step::Submit(encode(&[Command::Blit(b)]))]
        },
        expect: Expect::Refused(&["BLIT", "source: resource", "is a buffer"]),
    }
}

/// BLIT of a source box past its level.
fn blit_box_past_the_source() -> Case {
    Case {
        name: "blit_box_past_the_source",
        about: "hardening: BLIT source box 32x32 of a 16x16 level",
        steps: |ids| {
            let mut b = scaled_blit(ids);
            b.src.region = Box3::new_2d(0, 0, 32, 32);
            vec![Step::Submit(encode(&[Command::Blit(b)]))]
        },
        expect: Expect::Refused(&["BLIT", "source x range 0..32"]),
    }
}

/// BLIT to a level past the destination's last.
fn blit_level_past_last() -> Case {
    Case {
        name: "blit_level_past_last",
        about: "hardening: BLIT destination level 3 of a texture with levels 0..=2",
        steps: |ids| {
            let mut b = scaled_blit(ids);
            b.dst.level = 3;
            vec![Step::Submit(encode(&[Command::Blit(b)]))]
        },
        expect: Expect::Refused(&["BLIT", "level 3 past the last level 2"]),
    }
}

fn copy(dst: u32, src: u32, src_box: Box3) -> Command<'static> {
    Command::ResourceCopyRegion(CopyRegion {
        dst_resource: dst,
        dst_level: 0,
        dst_x: 0,
        dst_y: 0,
        dst_z: 0,
        src_resource: src,
        src_level: 0,
        src_box,
    })
}

/// RESOURCE_COPY_REGION from a buffer into a texture.
fn copy_region_buffer_to_texture() -> Case {
    Case {
        name: "copy_region_buffer_to_texture",
        about: "hardening: RESOURCE_COPY_REGION from a buffer to a 2D texture",
        steps: |ids| {
            vec![Step::Submit(encode(&[copy(
                ids.rt,
                ids.vbuf,
                Box3::new_2d(0, 0, 16, 1),
            )]))]
        },
        expect: Expect::Refused(&["RESOURCE_COPY_REGION", "a copy from buffer", "to texture"]),
    }
}

/// RESOURCE_COPY_REGION whose box, moved to the destination, runs past it.
fn copy_region_box_past_the_destination() -> Case {
    Case {
        name: "copy_region_box_past_the_destination",
        about: "hardening: RESOURCE_COPY_REGION 16x16 to dst_x = 8 of a 16-wide texture",
        steps: |ids| {
            let mut c = copy(ids.rt, ids.rt, Box3::new_2d(0, 0, 16, 16));
            if let Command::ResourceCopyRegion(r) = &mut c {
                r.dst_x = 8;
            }
            vec![Step::Submit(encode(&[c]))]
        },
        expect: Expect::Refused(&["RESOURCE_COPY_REGION", "destination", "reaches past"]),
    }
}

/// z index out of bounds (6f9357ca), as surface layers: layers 2..=5 of a 4-layer array.
fn surface_layers_past_the_array() -> Case {
    Case {
        name: "surface_layers_past_the_array",
        about: "hardening: CREATE_OBJECT(SURFACE) layers 2..=5 of a 4-layer 2D array",
        steps: |ids| {
            let mut s = surface(1, ids.array);
            s.format = Format::R32G32B32A32_FLOAT;
            s.layers = LayerRange::new(2, 5);
            vec![Step::Submit(encode(&[Command::CreateSurface(s)]))]
        },
        expect: Expect::Refused(&["CREATE_OBJECT(SURFACE)", "surface layers 2..=5"]),
    }
}

/// u64 readback size and overflow fixes (ec2f8bcd, df40c8fd, 6c3bc571): a query whose
/// result offset wraps 32 bits.
fn query_offset_wraps_32_bits() -> Case {
    Case {
        name: "query_offset_wraps_32_bits",
        about: "hardening: CREATE_OBJECT(QUERY) result offset 0xfffffffc",
        steps: |ids| {
            vec![Step::Submit(encode(&[Command::CreateQuery(Query {
                handle: 1,
                query_type: QueryType::OcclusionCounter,
                index: 0,
                offset: 0xffff_fffc,
                resource: ids.small,
            })]))]
        },
        expect: Expect::Refused(&["CREATE_OBJECT(QUERY)", "query result at offset 4294967292"]),
    }
}

/// GET_QUERY_RESULT_QBO writing a 64-bit result at an offset that wraps 32 bits.
fn query_result_offset_wraps_32_bits() -> Case {
    Case {
        name: "query_result_offset_wraps_32_bits",
        about: "hardening: GET_QUERY_RESULT_QBO u64 result at offset 0xfffffffc",
        steps: |ids| {
            vec![Step::Submit(encode(&[
                Command::CreateQuery(Query {
                    handle: 1,
                    query_type: QueryType::OcclusionCounter,
                    index: 0,
                    offset: 0,
                    resource: ids.small,
                }),
                Command::GetQueryResultQbo(QueryResultQbo {
                    query: 1,
                    qbo: ids.small,
                    wait: false,
                    result_type: QueryValueType::U64,
                    offset: 0xffff_fffc,
                    index: 0,
                }),
            ]))]
        },
        expect: Expect::Refused(&["GET_QUERY_RESULT_QBO", "result at offset 4294967292"]),
    }
}

/// Decode: shader length against the buffer (a8eef25a): a CREATE_OBJECT(SHADER) header
/// declaring 100 payload dwords in a stream that has 6.
fn stream_shorter_than_its_header() -> Case {
    Case {
        name: "stream_shorter_than_its_header",
        about: "hardening: CREATE_OBJECT(SHADER) declaring 100 dwords with 6 in the stream",
        steps: |_| {
            let mut s = vec![header(
                CommandId::CreateObject,
                Some(ObjectType::Shader),
                100,
            )];
            s.extend([1, 1, 8, 300, 0, u32::from_le_bytes(*b"FRAG")]);
            vec![Step::Submit(s)]
        },
        expect: Expect::Refused(&[
            "CREATE_OBJECT(SHADER)",
            "declares 100 payload dwords but only 6 remain",
        ]),
    }
}
