//! A well-behaved context sharing the renderer with the hostile ones: each check clears its
//! render target to one colour and draws a quad over the left half in another, both new each
//! time, then reads the pixels back. On the null backend, which draws nothing, it checks its
//! commands reached the backend and a transfer round-trips.

use virgl_host::backend::Backend;
use virgl_host::{GuestBytes, Renderer};
use virgl_proto::ccmd::{
    Blend, Box3, Clear, Command, DrawVbo, Dsa, InlineWrite, LayerRange, ObjectType, Rasterizer,
    Surface, TransferTarget, VertexBuffer, VertexElement, VertexElements, Viewport,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::{bind, ClearBuffers, PrimMode, ShaderType};
use virgl_proto::vtest::ResourceDesc;

use crate::{encode, shader, submit, CONST_FS, PASS_VS};

/// The bystander's context.
pub const CTX: u32 = 100;
/// Its 16x16 RGBA8 render target.
pub const TARGET: u32 = 100;
/// Its vertex buffer.
pub const VERTICES: u32 = 101;

pub const SIZE: u32 = 16;

/// The quad over the left half, as a triangle strip of (x, y, 0, 1).
pub fn quad_bytes() -> Vec<u8> {
    [[-1.0f32, -1.0], [0.0, -1.0], [-1.0, 1.0], [0.0, 1.0]]
        .iter()
        .flat_map(|[x, y]| [*x, *y, 0.0, 1.0])
        .flat_map(f32::to_le_bytes)
        .collect()
}

/// The commands that set the bystander's pipeline up: surface 1 on `target`, default states,
/// the pass-through shaders and the quad in `vertices`.
pub fn setup_stream(target: u32, vertices: u32) -> Vec<u32> {
    let element = VertexElement {
        src_offset: 0,
        instance_divisor: 0,
        vertex_buffer_index: 0,
        src_format: Format::R32G32B32A32_FLOAT,
    };
    let quad = quad_bytes();
    encode(&[
        Command::CreateSurface(Surface {
            handle: 1,
            resource: target,
            format: Format::R8G8B8A8_UNORM,
            level: 0,
            layers: LayerRange::single(0),
        }),
        Command::SetFramebufferState {
            zsurf: 0,
            cbufs: vec![1],
        },
        Command::SetViewportState {
            start_slot: 0,
            viewports: vec![Viewport::for_size(SIZE, SIZE)],
        },
        Command::CreateBlend(Blend {
            handle: 2,
            ..Blend::default()
        }),
        Command::CreateDsa(Dsa {
            handle: 3,
            ..Dsa::default()
        }),
        Command::CreateRasterizer(Rasterizer {
            handle: 4,
            ..Rasterizer::default()
        }),
        Command::CreateVertexElements(VertexElements {
            handle: 5,
            elements: vec![element],
        }),
        Command::BindObject {
            object: ObjectType::Blend,
            handle: 2,
        },
        Command::BindObject {
            object: ObjectType::Dsa,
            handle: 3,
        },
        Command::BindObject {
            object: ObjectType::Rasterizer,
            handle: 4,
        },
        Command::BindObject {
            object: ObjectType::VertexElements,
            handle: 5,
        },
        shader(6, ShaderType::Vertex, PASS_VS),
        shader(7, ShaderType::Fragment, CONST_FS),
        Command::BindShader {
            handle: 6,
            shader_type: ShaderType::Vertex,
        },
        Command::BindShader {
            handle: 7,
            shader_type: ShaderType::Fragment,
        },
        Command::ResourceInlineWrite(InlineWrite {
            target: TransferTarget {
                resource: vertices,
                level: 0,
                usage: 0,
                stride: 0,
                layer_stride: 0,
                region: Box3::new_2d(0, 0, quad.len() as u32, 1),
            },
            data: virgl_proto::ccmd::Dwords::from_bytes(quad).unwrap(),
        }),
        Command::SetVertexBuffers(vec![VertexBuffer {
            stride: 16,
            offset: 0,
            resource: vertices,
        }]),
    ])
}

/// The two colours of round `round`, as RGBA8 (clear, quad).
pub fn colours(round: u32) -> ([u8; 4], [u8; 4]) {
    let n = |k: u32| ((round * 53 + k * 91) % 251) as u8;
    ([n(1), n(2), n(3), 255], [n(4), n(5), n(6), n(7) | 1])
}

/// The commands of round `round`: clear, then the quad.
pub fn round_stream(round: u32) -> Vec<u32> {
    let (clear, quad) = colours(round);
    let f = |c: [u8; 4]| c.map(|v| f32::from(v) / 255.0);
    encode(&[
        Command::Clear(Clear::color(ClearBuffers::COLOR0, f(clear))),
        Command::SetConstantBuffer {
            shader_type: ShaderType::Fragment,
            index: 0,
            data: virgl_proto::ccmd::Dwords::from_u32s(&f(quad).map(f32::to_bits)),
        },
        Command::DrawVbo(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 4)),
    ])
}

/// Where the first wrong pixel of a readback of round `round` is, if any.
pub fn wrong_pixel(round: u32, rgba: &[u8]) -> Option<String> {
    let (clear, quad) = colours(round);
    for y in 0..SIZE as usize {
        for x in 0..SIZE as usize {
            let at = (y * SIZE as usize + x) * 4;
            let want = if x < SIZE as usize / 2 { quad } else { clear };
            if rgba[at..at + 4] != want {
                return Some(format!(
                    "pixel ({x}, {y}) of round {round} is {:?}, not {want:?}",
                    &rgba[at..at + 4]
                ));
            }
        }
    }
    None
}

/// The whole render target as a transfer.
pub fn whole_target(resource: u32) -> TransferTarget {
    TransferTarget {
        resource,
        level: 0,
        usage: 0,
        stride: 0,
        layer_stride: 0,
        region: Box3::new_2d(0, 0, SIZE, SIZE),
    }
}

pub struct Bystander {
    pixels: bool,
    round: u32,
}

impl Bystander {
    /// Context [`CTX`] with its resources and pipeline on `r`; `pixels` where the backend
    /// renders.
    pub fn new<B: Backend + 'static>(r: &mut Renderer<B>, pixels: bool) -> Bystander {
        r.create_context(CTX, "bystander").unwrap();
        let rt = ResourceDesc::texture_2d(
            Format::R8G8B8A8_UNORM,
            SIZE,
            SIZE,
            bind::RENDER_TARGET | bind::SAMPLER_VIEW,
        );
        let vb = ResourceDesc::buffer(64, bind::VERTEX_BUFFER);
        for (id, desc) in [(TARGET, rt), (VERTICES, vb)] {
            r.create_resource(id, &desc, 0).unwrap();
            r.attach_resource(CTX, id).unwrap();
        }
        submit(r, CTX, &setup_stream(TARGET, VERTICES)).expect("the bystander's setup");
        Bystander { pixels, round: 0 }
    }

    /// One round: renders and checks.
    pub fn check<B: Backend + 'static>(&mut self, r: &mut Renderer<B>) {
        self.round += 1;
        let round = self.round;
        submit(r, CTX, &round_stream(round))
            .unwrap_or_else(|e| panic!("the bystander's round {round}: {e}"));
        let t = whole_target(TARGET);
        let mut rgba = vec![0u8; (SIZE * SIZE * 4) as usize];
        if self.pixels {
            r.transfer_read_slice(Some(CTX), &t, &mut rgba).unwrap();
            if let Some(wrong) = wrong_pixel(round, &rgba) {
                panic!("the bystander's {wrong}");
            }
        } else {
            // The null backend records what reached it; the transfer round-trips.
            let pattern: Vec<u8> = (0..rgba.len())
                .map(|i| (i as u32 * 7 + round) as u8)
                .collect();
            r.transfer_write(Some(CTX), &t, GuestBytes::Slice(&pattern))
                .unwrap();
            r.transfer_read_slice(Some(CTX), &t, &mut rgba).unwrap();
            assert_eq!(rgba, pattern, "the bystander's transfer, round {round}");
            if let Some(calls) = backend_calls(r) {
                let ours = format!("draw {CTX}/0 ");
                assert!(
                    calls.iter().any(|c| c.starts_with(&ours)),
                    "the bystander's draw of round {round} reached the backend"
                );
            }
        }
        clear_calls(r);
    }

    /// Ends the bystander's context and frees its resources.
    pub fn end<B: Backend + 'static>(self, r: &mut Renderer<B>) {
        r.destroy_context(CTX);
        r.unref_resource(TARGET);
        r.unref_resource(VERTICES);
    }
}

/// The null backend's call log, if `r` is on the null backend.
fn backend_calls<B: Backend + 'static>(r: &Renderer<B>) -> Option<&Vec<String>> {
    (r.backend() as &dyn std::any::Any)
        .downcast_ref::<virgl_host::backend::null::NullBackend>()
        .map(|n| &n.calls)
}

/// Empties the null backend's call log, so long loops do not grow it.
pub fn clear_calls<B: Backend + 'static>(r: &mut Renderer<B>) {
    if let Some(n) = (r.backend_mut() as &mut dyn std::any::Any)
        .downcast_mut::<virgl_host::backend::null::NullBackend>()
    {
        n.calls.clear();
    }
}
