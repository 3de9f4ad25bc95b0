//! Translated geometry shaders run: a point drawn through [`Renderer`] in this process becomes
//! a rectangle the geometry shader places around it, in the colour of its own constant
//! buffer, with y flipped once when the guest's viewport flips it.

mod inprocess;

use inprocess::InProcess;
use virgl_guest::conform::DynTransport;
use virgl_guest::context::Context;
use virgl_guest::transport::ResourceDesc;
use virgl_proto::ccmd::{Blend, Box3, DrawVbo, Dsa, Rasterizer, VertexElement, Viewport};
use virgl_proto::format::Format;
use virgl_proto::pipe::{bind, PrimMode, ShaderType};
use virgl_proto::tgsi::parse;

const VS: &str = "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\nDCL OUT[1], GENERIC[0]\n\
    0: MOV OUT[0], IN[0]\n  1: MOV OUT[1], IN[0]\n  2: END\n";

/// From the point at (0, 0.5): the rectangle x -1..1, y 0..1 (its y ± 0.5), coloured
/// `CONST[0]`.
const GS: &str = "GEOM\nPROPERTY GS_INPUT_PRIMITIVE POINTS\n\
    PROPERTY GS_OUTPUT_PRIMITIVE TRIANGLE_STRIP\nPROPERTY GS_MAX_OUTPUT_VERTICES 4\n\
    DCL IN[][0], POSITION\nDCL IN[][1], GENERIC[0]\nDCL OUT[0], POSITION\n\
    DCL OUT[1], GENERIC[0]\nDCL CONST[0]\n\
    IMM[0] FLT32 { -1.0000, 1.0000, -0.5000, 0.5000 }\nIMM[1] INT32 { 0, 0, 0, 0 }\n\
    0: MOV OUT[0], IN[0][0]\n  1: MOV OUT[1], CONST[0]\n\
    2: MOV OUT[0].x, IMM[0].xxxx\n  3: ADD OUT[0].y, IN[0][0].yyyy, IMM[0].zzzz\n  4: EMIT IMM[1].xxxx\n\
    5: MOV OUT[0].x, IMM[0].yyyy\n  6: EMIT IMM[1].xxxx\n\
    7: MOV OUT[0].x, IMM[0].xxxx\n  8: ADD OUT[0].y, IN[0][0].yyyy, IMM[0].wwww\n  9: EMIT IMM[1].xxxx\n\
    10: MOV OUT[0].x, IMM[0].yyyy\n  11: EMIT IMM[1].xxxx\n  12: END\n";

const FS: &str = "FRAG\nDCL IN[0], GENERIC[0], LINEAR\nDCL OUT[0], COLOR\n\
    0: MOV OUT[0], IN[0]\n  1: END\n";

/// The red channel of each row of a 4x4 target after the draw, or `None` without GL.
fn rows(viewport: Viewport) -> Option<[u8; 4]> {
    let _egl = inprocess::egl_lock();
    let renderer = inprocess::renderer()?;
    let transport: DynTransport = Box::new(InProcess::connect(&renderer, 1, "geometry_exec"));
    let mut ctx = Context::new(transport).unwrap();
    let format = Format::R8G8B8A8_UNORM;
    let desc = ResourceDesc::texture_2d(format, 4, 4, bind::RENDER_TARGET);
    let tex = ctx.create_resource(&desc).unwrap();
    let surface = ctx.create_surface(&tex, format).unwrap();
    ctx.set_framebuffer(&[&surface], None).unwrap();
    ctx.set_viewport(viewport).unwrap();
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
    let shaders = [
        (ShaderType::Vertex, VS),
        (ShaderType::Geometry, GS),
        (ShaderType::Fragment, FS),
    ]
    .map(|(t, text)| (t, ctx.create_tgsi(&parse(text).unwrap()).unwrap()));
    for (t, s) in &shaders {
        ctx.bind_shader(*t, Some(s)).unwrap();
    }
    ctx.set_constants(ShaderType::Geometry, 0, &[0.8, 0.4, 0.2, 1.0])
        .unwrap();
    let point: Vec<u8> = [0.0f32, 0.5, 0.0, 1.0]
        .iter()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    let vb = ctx
        .create_resource(&ResourceDesc::buffer(16, bind::VERTEX_BUFFER))
        .unwrap();
    ctx.upload(&vb, Box3::new_2d(0, 0, 16, 1), &point).unwrap();
    ctx.set_vertex_buffers(&[(16, 0, &vb)]).unwrap();
    ctx.draw(DrawVbo::arrays(PrimMode::Points, 0, 1)).unwrap();
    let rgba = ctx.download(&tex, Box3::new_2d(0, 0, 4, 4)).unwrap();
    Some(std::array::from_fn(|row| rgba[(row * 4 + 1) * 4]))
}

#[test]
fn a_geometry_shader_places_its_rectangle_in_its_constant_colour() {
    let Some(rows) = rows(Viewport::for_size(4, 4)) else {
        eprintln!("skip: no GL");
        return;
    };
    // NDC y 0..1 is rows 2..4 of an unflipped viewport.
    assert_eq!(rows, [0, 0, 204, 204]);
}

#[test]
fn a_flipped_viewport_flips_the_geometry_shader_output_once() {
    let mut viewport = Viewport::for_size(4, 4);
    viewport.scale[1] = -viewport.scale[1];
    let Some(rows) = rows(viewport) else {
        eprintln!("skip: no GL");
        return;
    };
    // The vertex stage must not flip the point the geometry shader reads: NDC y 0..1 is
    // rows 0..2 of a flipped viewport.
    assert_eq!(rows, [204, 204, 0, 0]);
}
