//! SET_SHADER_BUFFERS, SET_SHADER_IMAGES, SET_ATOMIC_BUFFERS, LAUNCH_GRID and MEMORY_BARRIER
//! checked on the null backend: ranges, levels and layers that do not fit end the context with
//! the command named; what passes reaches the backend.

use virgl_host::backend::null::NullBackend;
use virgl_host::gl::{Api, GlBackend};
use virgl_host::{fixtures, Renderer};
use virgl_proto::ccmd::{
    encode_all, Box3, BufferBinding, Command, Dwords, ImageBinding, InlineWrite, LaunchGrid,
    Shader, ShaderOffset, TransferTarget,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::ShaderType;

/// Fixture resources: a 4 KiB buffer, a 64-byte buffer, a 16x16 RGBA8 texture and a 4-layer
/// 2D array with 3 levels.
const BUFFER: u32 = 2;
const SMALL_BUFFER: u32 = 7;
const TEXTURE: u32 = 1;
const ARRAY: u32 = 6;

const CS: &str = "COMP\nPROPERTY CS_FIXED_BLOCK_WIDTH 4\nDCL SV[0], THREAD_ID\nDCL BUFFER[0]\n\
                  0: STORE BUFFER[0].x, SV[0].xxxx, SV[0].xxxx\n1: END\n";

fn renderer() -> Renderer<NullBackend> {
    let mut r = Renderer::new(NullBackend::new(), fixtures::LIMITS);
    fixtures::populate(&mut r, 1).unwrap();
    r
}

/// Submits `commands` to context 1: the error text, if any.
fn submit<B: virgl_host::backend::Backend>(
    r: &mut Renderer<B>,
    commands: &[Command<'_>],
) -> Option<String> {
    let words = encode_all(commands).unwrap();
    r.submit(1, bytemuck::cast_slice(&words))
        .err()
        .map(|e| e.to_string())
}

fn fails(commands: &[Command<'_>], why: &str) {
    let e = submit(&mut renderer(), commands).expect("refused");
    assert!(e.contains(why), "{e}");
}

fn buffers(shader_type: ShaderType, start_slot: u32, list: &[(u32, u32, u32)]) -> Command<'static> {
    Command::SetShaderBuffers {
        shader_type,
        start_slot,
        buffers: list
            .iter()
            .map(|&(resource, offset, length)| BufferBinding {
                offset,
                length,
                resource,
            })
            .collect(),
    }
}

fn image(resource: u32, layers: (u32, u32), level: u32) -> Command<'static> {
    Command::SetShaderImages {
        shader_type: ShaderType::Compute,
        start_slot: 0,
        images: vec![ImageBinding {
            format: Format::R8G8B8A8_UNORM,
            access: 3,
            layer_offset: layers.0 | layers.1 << 16,
            level_size: level,
            resource,
        }],
    }
}

fn create_cs(handle: u32) -> Command<'static> {
    let mut text = CS.as_bytes().to_vec();
    text.push(0);
    let total = text.len() as u32;
    text.resize(text.len().next_multiple_of(4), 0);
    Command::CreateShader(Shader {
        handle,
        shader_type: ShaderType::Compute,
        offset: ShaderOffset::Total(total),
        num_tokens: 100,
        stream_output: None,
        req_local_mem: 0,
        text: Dwords::from_bytes(text).unwrap(),
    })
}

fn grid(indirect_resource: u32, indirect_offset: u32) -> Command<'static> {
    Command::LaunchGrid(LaunchGrid {
        block: [4, 1, 1],
        grid: [2, 1, 1],
        indirect_resource,
        indirect_offset,
    })
}

#[test]
fn shader_buffers_must_fit_their_buffers() {
    let mut r = renderer();
    let ok = buffers(ShaderType::Fragment, 3, &[(BUFFER, 4000, 96), (0, 0, 0)]);
    assert_eq!(submit(&mut r, &[ok]), None);
    let state = &r.context(1).unwrap().current().1.stages[1];
    assert_eq!(state.shader_buffers.len(), 5);
    assert_eq!(state.shader_buffers[3].unwrap().offset, 4000);
    assert!(state.shader_buffers[4].is_none());

    fails(
        &[buffers(ShaderType::Compute, 0, &[(SMALL_BUFFER, 32, 33)])],
        "shader buffer range 32+33 past the 64 bytes",
    );
    fails(
        &[buffers(ShaderType::Compute, 0, &[(TEXTURE, 0, 4)])],
        "not a buffer",
    );
    fails(
        &[Command::SetAtomicBuffers {
            start_slot: 0,
            buffers: vec![BufferBinding {
                offset: 60,
                length: 8,
                resource: SMALL_BUFFER,
            }],
        }],
        "atomic buffer range",
    );
}

#[test]
fn images_name_levels_and_layers_their_texture_has() {
    let mut r = renderer();
    assert_eq!(submit(&mut r, &[image(ARRAY, (1, 3), 2)]), None);
    assert_eq!(submit(&mut r, &[image(TEXTURE, (0, 0), 0)]), None);
    fails(&[image(ARRAY, (2, 4), 0)], "image layers 2..=4");
    fails(&[image(ARRAY, (3, 1), 0)], "image layers 3..=1");
    fails(&[image(TEXTURE, (0, 0), 1)], "level");
    fails(&[image(SMALL_BUFFER, (60, 0), 8)], "image range 60+8");
    fails(&[image(99, (0, 0), 0)], "resource 99");
}

#[test]
fn launch_grid_runs_the_bound_compute_shader() {
    let mut r = renderer();
    // No compute shader: dropped, as virglrenderer drops it.
    assert_eq!(submit(&mut r, &[grid(0, 0)]), None);
    let bind = Command::BindShader {
        handle: 5,
        shader_type: ShaderType::Compute,
    };
    let barrier = Command::MemoryBarrier(1 << 1);
    assert_eq!(
        submit(
            &mut r,
            &[
                create_cs(5),
                bind,
                grid(0, 0),
                grid(SMALL_BUFFER, 52),
                barrier
            ]
        ),
        None
    );
    let calls: Vec<&str> = r
        .backend()
        .calls
        .iter()
        .map(String::as_str)
        .filter(|c| c.starts_with("launch_grid") || c.starts_with("memory_barrier"))
        .collect();
    assert_eq!(
        calls,
        [
            "launch_grid 1/0 block [4, 1, 1] grid [2, 1, 1]",
            "launch_grid 1/0 block [4, 1, 1] grid [2, 1, 1] indirect 7+52",
            "memory_barrier 0x2",
        ]
    );
}

#[test]
fn indirect_grids_must_fit_their_buffer() {
    fails(&[grid(SMALL_BUFFER, 56)], "indirect grid at offset 56");
    fails(&[grid(SMALL_BUFFER, 2)], "indirect grid at offset 2");
    fails(&[grid(TEXTURE, 0)], "not a buffer");
}

/// On GL, an indirect grid past the work-group counts guests are told of is refused rather
/// than dispatched (GL leaves it undefined); one within them runs.
#[test]
fn indirect_grids_past_the_limits_are_refused_on_gl() {
    let backend = match GlBackend::new(Api::GlCore { major: 4, minor: 5 }) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("skip: no GL 4.5 core context here: {e}");
            return;
        }
    };
    let mut r = Renderer::new(backend, fixtures::LIMITS);
    fixtures::populate(&mut r, 1).unwrap();
    let counts = |c: [u32; 4]| {
        Command::ResourceInlineWrite(InlineWrite {
            target: TransferTarget {
                resource: SMALL_BUFFER,
                level: 0,
                usage: 0,
                stride: 0,
                layer_stride: 0,
                region: Box3::new_2d(0, 0, 16, 1),
            },
            data: Dwords::from_u32s(&c),
        })
    };
    let bind = Command::BindShader {
        handle: 5,
        shader_type: ShaderType::Compute,
    };
    let store = buffers(ShaderType::Compute, 0, &[(BUFFER, 0, 64)]);
    let setup = [create_cs(5), bind, store, counts([1, 1, 1, 0])];
    assert_eq!(submit(&mut r, &setup), None);
    assert_eq!(submit(&mut r, &[grid(SMALL_BUFFER, 0)]), None);
    let e = submit(
        &mut r,
        &[counts([1, u32::MAX, 1, 0]), grid(SMALL_BUFFER, 0)],
    )
    .unwrap();
    assert!(e.contains("past the limits"), "{e}");
}
