//! Translated shaders run: a fragment shader drawn over a small target through [`Renderer`]
//! in this process, its colour read back and compared with what the TGSI means.

mod inprocess;

use inprocess::InProcess;
use virgl_guest::conform::DynTransport;
use virgl_guest::context::Context;
use virgl_guest::transport::ResourceDesc;
use virgl_proto::ccmd::{Blend, Box3, DrawVbo, Dsa, Rasterizer, VertexElement, Viewport};
use virgl_proto::format::Format;
use virgl_proto::pipe::{bind, PrimMode, ShaderType};
use virgl_proto::tgsi::parse;

const VS: &str = "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\n  0: MOV OUT[0], IN[0]\n  1: END\n";

/// The colour `fs` (TGSI text, reading `CONST[0..]` = `constants`) writes over a 4x4 target,
/// as RGBA8, or `None` without GL.
fn shade(fs: &str, constants: &[f32]) -> Option<[u8; 4]> {
    let quad = [[-1.0f32, -1.0], [1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]]
        .map(|[x, y]| [x, y, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
    let rgba = render(VS, fs, &Rasterizer::default(), &quad, constants)?;
    let centre = (2 * 4 + 2) * 4;
    Some(rgba[centre..centre + 4].try_into().unwrap())
}

/// A 4x4 RGBA8 target after `vs` and `fs` draw `strip` (a triangle strip of vertices made of a
/// position and a colour, `IN[0]` and `IN[1]`) with rasterizer state `rast`; `None` without GL.
fn render(
    vs: &str,
    fs: &str,
    rast: &Rasterizer,
    strip: &[[f32; 8]],
    constants: &[f32],
) -> Option<Vec<u8>> {
    let _egl = inprocess::egl_lock();
    let renderer = inprocess::renderer()?;
    let transport: DynTransport = Box::new(InProcess::connect(&renderer, 1, "shader_exec"));
    let mut ctx = Context::new(transport).unwrap();
    let format = Format::R8G8B8A8_UNORM;
    let desc = ResourceDesc::texture_2d(format, 4, 4, bind::RENDER_TARGET);
    let tex = ctx.create_resource(&desc).unwrap();
    let surface = ctx.create_surface(&tex, format).unwrap();
    ctx.set_framebuffer(&[&surface], None).unwrap();
    ctx.set_viewport(Viewport::for_size(4, 4)).unwrap();
    let element = |offset| VertexElement {
        src_offset: offset,
        instance_divisor: 0,
        vertex_buffer_index: 0,
        src_format: Format::R32G32B32A32_FLOAT,
    };
    let objects = [
        ctx.create_blend(&Blend::default()).unwrap(),
        ctx.create_dsa(&Dsa::default()).unwrap(),
        ctx.create_rasterizer(rast).unwrap(),
        ctx.create_vertex_elements(&[element(0), element(16)])
            .unwrap(),
    ];
    for o in &objects {
        ctx.bind(o).unwrap();
    }
    let vs = ctx.create_tgsi(&parse(vs).unwrap()).unwrap();
    let fs = ctx.create_tgsi(&parse(fs).unwrap()).unwrap();
    ctx.bind_shader(ShaderType::Vertex, Some(&vs)).unwrap();
    ctx.bind_shader(ShaderType::Fragment, Some(&fs)).unwrap();
    if !constants.is_empty() {
        ctx.set_constants(ShaderType::Fragment, 0, constants)
            .unwrap();
    }
    let bytes: Vec<u8> = strip
        .iter()
        .flatten()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    let vb = ctx
        .create_resource(&ResourceDesc::buffer(
            bytes.len() as u32,
            bind::VERTEX_BUFFER,
        ))
        .unwrap();
    ctx.upload(&vb, Box3::new_2d(0, 0, bytes.len() as u32, 1), &bytes)
        .unwrap();
    ctx.set_vertex_buffers(&[(32, 0, &vb)]).unwrap();
    ctx.draw(DrawVbo::arrays(
        PrimMode::TriangleStrip,
        0,
        strip.len() as u32,
    ))
    .unwrap();
    Some(ctx.download(&tex, Box3::new_2d(0, 0, 4, 4)).unwrap())
}

#[test]
fn color_inputs_follow_the_rasterizers_flatshade() {
    // A full-target strip: red, green, blue, white corners. With flatshade and the last vertex
    // provoking, the lower-left triangle (0, 1, 2) is blue and the upper-right (1, 2, 3) white;
    // without, pixel (0, 0) is a blend nearest red.
    let vs = "VERT\nDCL IN[0]\nDCL IN[1]\nDCL OUT[0], POSITION\nDCL OUT[1], COLOR\n\
              0: MOV OUT[0], IN[0]\n  1: MOV OUT[1], IN[1]\n  2: END\n";
    let fs = "FRAG\nDCL IN[0], COLOR, COLOR\nDCL OUT[0], COLOR\n  0: MOV OUT[0], IN[0]\n  1: END\n";
    let strip = [
        [-1.0, -1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0],
        [1.0, -1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
        [-1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0],
        [1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    ];
    let pixel = |rgba: &[u8], x: usize, y: usize| -> [u8; 4] {
        rgba[(y * 4 + x) * 4..(y * 4 + x) * 4 + 4]
            .try_into()
            .unwrap()
    };
    let flat = Rasterizer {
        flatshade: true,
        ..Rasterizer::default()
    };
    let Some(rgba) = render(vs, fs, &flat, &strip, &[]) else {
        return;
    };
    assert_eq!(pixel(&rgba, 0, 0), [0, 0, 255, 255], "{rgba:?}");
    assert_eq!(pixel(&rgba, 3, 3), [255, 255, 255, 255], "{rgba:?}");
    let Some(rgba) = render(vs, fs, &Rasterizer::default(), &strip, &[]) else {
        return;
    };
    let p = pixel(&rgba, 0, 0);
    assert!(
        p[0] > 128 && p[2] < 128,
        "smooth (0, 0) is nearest red: {p:?}"
    );
}

fn assert_near(got: [u8; 4], want: [u8; 4]) {
    let near = got.iter().zip(want).all(|(a, b)| a.abs_diff(b) <= 1);
    assert!(near, "got {got:?}, want {want:?}");
}

#[test]
fn lit_xpd_and_dph_compute_what_tgsi_says() {
    // LIT (0.5, 0.25, _, 2) = (1, 0.5, 0.25^2, 1); XPD (0.5, 0.25, 0) x (0.25, 0, 1) has
    // x = 0.25 * 1 - 0 * 0 and y = 0 * 0.25 - 0.5 * 1; DPH = 0.5 * 0.25 + 0 + 0 + 0.125.
    let fs = "FRAG\nDCL OUT[0], COLOR\nDCL TEMP[0..2]\n\
              IMM[0] FLT32 {0.5, 0.25, 0.0, 2.0}\nIMM[1] FLT32 {0.25, 0.0, 1.0, 0.125}\n\
              0: LIT TEMP[0], IMM[0]\n  1: XPD TEMP[1].xy, IMM[0], IMM[1]\n\
              2: DPH TEMP[2].x, IMM[0], IMM[1]\n  3: MOV TEMP[0].x, TEMP[1].xxxx\n\
              4: ADD TEMP[0].w, -TEMP[1].yyyy, TEMP[2].xxxx\n  5: MOV OUT[0], TEMP[0]\n  6: END\n";
    let Some(got) = shade(fs, &[]) else { return };
    // (XPD x, LIT y, LIT z, -XPD y + DPH) = (0.25, 0.5, 0.0625, 0.75).
    assert_near(got, [64, 128, 16, 191]);
}

#[test]
fn indirect_temporaries_read_and_write_the_addressed_element() {
    // CONST[0].x = 2: writes TEMP[ADDR+1] = TEMP[3] (element 2 of the array at 1), then
    // reads TEMP[ADDR-1] = TEMP[1].
    let fs = "FRAG\nDCL OUT[0], COLOR\nDCL CONST[0]\nDCL TEMP[0]\nDCL TEMP[1..4], ARRAY(1)\n\
              DCL ADDR[0]\nIMM[0] FLT32 {0.0, 0.25, 0.5, 1.0}\n\
              0: MOV TEMP[1], IMM[0].yzwx\n  1: MOV TEMP[2], IMM[0].zzzz\n\
              2: MOV TEMP[3], IMM[0]\n  3: ARL ADDR[0].x, CONST[0].xxxx\n\
              4: MOV TEMP[ADDR[0].x+1](1), IMM[0].wwww\n\
              5: ADD TEMP[0], TEMP[3], TEMP[ADDR[0].x-1](1)\n  6: MIN OUT[0], TEMP[0], IMM[0].wwww\n  7: END\n";
    let Some(got) = shade(fs, &[2.0, 0.0, 0.0, 0.0]) else {
        return;
    };
    // TEMP[3] = (1, 1, 1, 1) after the indirect write; TEMP[1] = (0.25, 0.5, 1, 0).
    assert_near(got, [255, 255, 255, 255]);
    let Some(got) = shade(fs, &[3.0, 0.0, 0.0, 0.0]) else {
        return;
    };
    // ADDR 3: writes TEMP[4], reads TEMP[2] = 0.5; TEMP[3] stays (0, 0.25, 0.5, 1).
    assert_near(got, [128, 191, 255, 255]);
}
