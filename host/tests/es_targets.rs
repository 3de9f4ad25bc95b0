//! Texture targets OpenGL ES lacks, sampled through the renderer on desktop GL and on ES: 1D
//! textures are stored as 2D ones with one row and rectangles as 2D ones, and the translator
//! samples them so. Each case draws a fragment shader that samples one texel at coordinates
//! from `CONST[0]` and reads the colour back.

mod inprocess;

use inprocess::InProcess;
use rstest::rstest;
use virgl_guest::conform::DynTransport;
use virgl_guest::context::Context;
use virgl_proto::ccmd::{
    Blend, Box3, DrawVbo, Dsa, Rasterizer, SamplerState, VertexElement, Viewport,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::{bind, PrimMode, ShaderType, TextureTarget};
use virgl_proto::tgsi::parse;
use virgl_proto::vtest::ResourceDesc;

const VS: &str = "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\n  0: MOV OUT[0], IN[0]\n  1: END\n";

/// Four texels, each its own colour, red and blue distinct.
const TEXELS: [[u8; 4]; 4] = [
    [255, 0, 0, 255],
    [0, 255, 0, 255],
    [20, 40, 200, 255],
    [200, 100, 50, 255],
];

/// The colour the shader `fs` writes when it samples a `target` texture holding [`TEXELS`]
/// (4x1, or a 1D array of 2 layers of 2) at `coord` (`CONST[0]`).
fn sample(es: bool, target: TextureTarget, fs: &str, coord: [f32; 4]) -> Option<[u8; 4]> {
    let renderer = inprocess::renderer_on(es)?;
    let transport: DynTransport = Box::new(InProcess::connect(&renderer, 1, "es_targets"));
    let mut ctx = Context::new(transport).unwrap();
    let rt_format = Format::R8G8B8A8_UNORM;
    let rt = ctx
        .create_resource(&ResourceDesc::texture_2d(
            rt_format,
            4,
            4,
            bind::RENDER_TARGET,
        ))
        .unwrap();
    let surface = ctx.create_surface(&rt, rt_format).unwrap();
    ctx.set_framebuffer(&[&surface], None).unwrap();
    ctx.set_viewport(Viewport::for_size(4, 4)).unwrap();

    let (width, layers) = match target {
        TextureTarget::Texture1DArray => (2, 2),
        _ => (4, 1),
    };
    let desc = ResourceDesc {
        target,
        array_size: layers,
        ..ResourceDesc::texture_2d(Format::R8G8B8A8_UNORM, width, 1, bind::SAMPLER_VIEW)
    };
    let tex = ctx.create_resource(&desc).unwrap();
    let bytes: Vec<u8> = TEXELS.iter().flatten().copied().collect();
    let region = match target {
        TextureTarget::Texture1DArray => Box3 {
            x: 0,
            y: 0,
            z: 0,
            w: 2,
            h: 1,
            d: 2,
        },
        _ => Box3::new_2d(0, 0, 4, 1),
    };
    ctx.upload(&tex, region, &bytes).unwrap();
    let view = ctx
        .create_sampler_view(&tex, Format::R8G8B8A8_UNORM)
        .unwrap();
    let sampler = ctx.create_sampler_state(&SamplerState::nearest(0)).unwrap();
    ctx.set_sampler_views(ShaderType::Fragment, &[&view])
        .unwrap();
    ctx.bind_sampler_states(ShaderType::Fragment, &[&sampler])
        .unwrap();

    let element = VertexElement {
        src_offset: 0,
        instance_divisor: 0,
        vertex_buffer_index: 0,
        src_format: Format::R32G32B32A32_FLOAT,
    };
    let objects = [
        ctx.create_blend(&Blend::default()).unwrap(),
        ctx.create_dsa(&Dsa::default()).unwrap(),
        ctx.create_rasterizer(&Rasterizer::default()).unwrap(),
        ctx.create_vertex_elements(&[element]).unwrap(),
    ];
    for o in &objects {
        ctx.bind(o).unwrap();
    }
    let vs = ctx.create_tgsi(&parse(VS).unwrap()).unwrap();
    let fs = ctx.create_tgsi(&parse(fs).unwrap()).unwrap();
    ctx.bind_shader(ShaderType::Vertex, Some(&vs)).unwrap();
    ctx.bind_shader(ShaderType::Fragment, Some(&fs)).unwrap();
    ctx.set_constants(ShaderType::Fragment, 0, &coord).unwrap();
    let quad: Vec<u8> = [[-1.0f32, -1.0], [1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]]
        .iter()
        .flat_map(|[x, y]| [*x, *y, 0.0, 1.0])
        .flat_map(f32::to_le_bytes)
        .collect();
    let vb = ctx
        .create_resource(&ResourceDesc::buffer(
            quad.len() as u32,
            bind::VERTEX_BUFFER,
        ))
        .unwrap();
    ctx.upload(&vb, Box3::new_2d(0, 0, quad.len() as u32, 1), &quad)
        .unwrap();
    ctx.set_vertex_buffers(&[(16, 0, &vb)]).unwrap();
    ctx.draw(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 4))
        .unwrap();
    let rgba = ctx.download(&rt, Box3::new_2d(0, 0, 4, 4)).unwrap();
    Some(rgba[40..44].try_into().unwrap())
}

fn fs(target: &str, op: &str) -> String {
    format!(
        "FRAG\nDCL OUT[0], COLOR\nDCL SAMP[0]\nDCL SVIEW[0], {target}, FLOAT\nDCL CONST[0]\n\
         DCL TEMP[0]\n  0: {op}\n  1: MOV OUT[0], TEMP[0]\n  2: END\n"
    )
}

#[rstest]
#[case::tex_1d(TextureTarget::Texture1D, "1D", "TEX TEMP[0], CONST[0], SAMP[0], 1D", [0.625, 0.0, 0.0, 0.0], 2)]
#[case::txl_1d(TextureTarget::Texture1D, "1D", "TXL TEMP[0], CONST[0], SAMP[0], 1D", [0.875, 0.0, 0.0, 0.0], 3)]
#[case::txf_1d(TextureTarget::Texture1D, "1D", "TXF TEMP[0], CONST[0], SAMP[0], 1D", [f32::from_bits(1), 0.0, 0.0, 0.0], 1)]
#[case::tex_1d_array(TextureTarget::Texture1DArray, "1D_ARRAY", "TEX TEMP[0], CONST[0], SAMP[0], 1D_ARRAY", [0.75, 1.0, 0.0, 0.0], 3)]
#[case::tex_rect(TextureTarget::Rect, "RECT", "TEX TEMP[0], CONST[0], SAMP[0], RECT", [2.5, 0.5, 0.0, 0.0], 2)]
#[case::txf_rect(TextureTarget::Rect, "RECT", "TXF TEMP[0], CONST[0], SAMP[0], RECT", [f32::from_bits(3), 0.0, 0.0, 0.0], 3)]
fn targets_es_lacks_sample_the_same_texel_on_gl_and_es(
    #[case] target: TextureTarget,
    #[case] tgsi_target: &str,
    #[case] op: &str,
    #[case] coord: [f32; 4],
    #[case] texel: usize,
    #[values(false, true)] es: bool,
) {
    let _egl = inprocess::egl_lock();
    let Some(got) = sample(es, target, &fs(tgsi_target, op), coord) else {
        return;
    };
    assert_eq!(
        got,
        TEXELS[texel],
        "{op} on {}",
        if es { "ES" } else { "GL" }
    );
}
