//! `virgl-conform`'s catalogue in this process against the renderer on an OpenGL ES 2.0
//! context: Mesa's llvmpipe made to offer ES 2.0 alone (`MESA_GLES_VERSION_OVERRIDE`, read
//! once per process, so these tests have a binary of their own).

mod inprocess;

/// Cases an ES 2.0 host fails, with the reason. A case listed here that passes fails the
/// test, so the list only shrinks.
const ES2_NOT_YET: &[(&str, &str)] = &[];

#[test]
fn conform_catalogue_in_process_on_gles2() {
    let _egl = inprocess::egl_lock();
    let Some(backend) = inprocess::gles_backend("2.0") else {
        return;
    };
    inprocess::run_catalogue(backend, ES2_NOT_YET);
}

/// ES 2.0 draws instances one at a time: a draw of more than the bound fails its context with
/// an error that says so, at once, instead of keeping the host busy; the host serves on.
#[test]
fn too_many_instances_fail_the_context_on_gles2() {
    use std::cell::RefCell;
    use std::rc::Rc;
    use virgl_guest::context::Context;
    use virgl_guest::transport::ResourceDesc;
    use virgl_proto::ccmd::{Blend, Box3, DrawVbo, Dsa, Rasterizer, VertexElement, Viewport};
    use virgl_proto::format::Format;
    use virgl_proto::pipe::{bind, PrimMode, ShaderType};

    let _egl = inprocess::egl_lock();
    let Some(backend) = inprocess::gles_backend("2.0") else {
        return;
    };
    let limits = backend.gl().resource_limits().unwrap();
    let renderer: inprocess::Shared =
        Rc::new(RefCell::new(virgl_host::Renderer::new(backend, limits)));
    let caps = inprocess::caps(&renderer).unwrap();
    let transport = |ctx| {
        renderer.borrow_mut().create_context(ctx, "es2").unwrap();
        inprocess::InProcess {
            renderer: renderer.clone(),
            ctx,
            caps: caps.clone(),
            backings: Default::default(),
            next_id: Rc::new(RefCell::new(100 * ctx)),
        }
    };
    let mut ctx = Context::new(transport(1)).unwrap();
    let tex = ctx
        .create_resource(&ResourceDesc::texture_2d(
            Format::B8G8R8A8_UNORM,
            8,
            8,
            bind::RENDER_TARGET,
        ))
        .unwrap();
    let surf = ctx.create_surface(&tex, Format::B8G8R8A8_UNORM).unwrap();
    ctx.set_framebuffer(&[&surf], None).unwrap();
    ctx.set_viewport(Viewport::for_size(8, 8)).unwrap();
    let ve = ctx
        .create_vertex_elements(&[VertexElement {
            src_offset: 0,
            instance_divisor: 0,
            vertex_buffer_index: 0,
            src_format: Format::R32G32B32A32_FLOAT,
        }])
        .unwrap();
    let parse = |t: &str| virgl_proto::tgsi::parse(t).unwrap();
    let vs = ctx
        .create_tgsi(&parse(
            "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\n  0: MOV OUT[0], IN[0]\n  1: END\n",
        ))
        .unwrap();
    let fs = ctx
        .create_tgsi(&parse(
            "FRAG\nDCL OUT[0], COLOR\nIMM[0] FLT32 {0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000}\n  0: MOV OUT[0], IMM[0]\n  1: END\n",
        ))
        .unwrap();
    let blend = ctx.create_blend(&Blend::default()).unwrap();
    let dsa = ctx.create_dsa(&Dsa::default()).unwrap();
    let rast = ctx.create_rasterizer(&Rasterizer::default()).unwrap();
    for o in [&blend, &dsa, &rast, &ve] {
        ctx.bind(o).unwrap();
    }
    ctx.bind_shader(ShaderType::Vertex, Some(&vs)).unwrap();
    ctx.bind_shader(ShaderType::Fragment, Some(&fs)).unwrap();
    let vertices: Vec<u8> = [
        [-1.0f32, -1.0, 0.0, 1.0],
        [3.0, -1.0, 0.0, 1.0],
        [-1.0, 3.0, 0.0, 1.0],
    ]
    .iter()
    .flatten()
    .flat_map(|f| f.to_le_bytes())
    .collect();
    let vb = ctx
        .create_resource(&ResourceDesc::buffer(
            vertices.len() as u32,
            bind::VERTEX_BUFFER,
        ))
        .unwrap();
    ctx.upload(&vb, Box3::new_2d(0, 0, vertices.len() as u32, 1), &vertices)
        .unwrap();
    ctx.set_vertex_buffers(&[(16, 0, &vb)]).unwrap();
    ctx.draw(DrawVbo {
        instance_count: 1 << 30,
        ..DrawVbo::arrays(PrimMode::Triangles, 0, 3)
    })
    .unwrap();
    let started = std::time::Instant::now();
    let err = ctx.finish().unwrap_err().to_string();
    assert!(
        err.contains("1073741824 instances") && err.contains("at most 65536"),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // The host serves on: another context draws.
    let mut other = Context::new(transport(2)).unwrap();
    other.finish().unwrap();
}
