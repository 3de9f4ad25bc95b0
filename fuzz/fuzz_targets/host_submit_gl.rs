//! Any bytes as a command stream of a context with a few resources of each shape, executed on
//! a real GL context (Mesa llvmpipe on surfaceless EGL): decoding, validation and the GL
//! backend never panic or hang, a stream that fails leaves its context refusing further
//! submissions, and a bystander context still clears and reads back the right pixels.
#![no_main]
use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;
use virgl_host::gl::{Api, GlBackend};
use virgl_host::{fixtures, Error, Renderer};
use virgl_proto::ccmd::{encode_all, to_bytes, Box3, Clear, Command, TransferTarget};

thread_local! {
    // One GL context for the whole run: making one per input would measure EGL, not us.
    static RENDERER: RefCell<Option<Renderer<GlBackend>>> = const { RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    RENDERER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let r = slot.get_or_insert_with(|| {
            let mut backend = GlBackend::new(Api::GlCore { major: 3, minor: 3 })
                .expect("a surfaceless EGL context (Mesa llvmpipe)");
            // The bound a server whose clients share a renderer runs with (the soak's): at the
            // default 2^24 one draw of 16M points takes llvmpipe seconds (a timeout found here).
            backend.set_max_draw_vertices(1 << 20);
            let limits = backend.gl().resource_limits().expect("limits");
            Renderer::new(backend, limits)
        });
        // What the last input made is gone before this one runs.
        drop(r.reset());
        fixtures::populate(r, 1).expect("fixture resources");
        r.create_context(2, "bystander").unwrap();
        if r.submit(1, data).is_err() {
            assert!(matches!(r.submit(1, &[]), Err(Error::ContextLost { .. })));
        }
        bystander_clears(r);
    });
});

/// Context 2 clears resource 1 to a colour of its own and reads it back.
fn bystander_clears(r: &mut Renderer<GlBackend>) {
    r.attach_resource(2, 1).unwrap();
    let stream = bystander_stream();
    r.submit(2, &stream).expect("the bystander's clear");
    let t = TransferTarget {
        resource: 1,
        level: 0,
        usage: 0,
        stride: 0,
        layer_stride: 0,
        region: Box3 { x: 0, y: 0, z: 0, w: 16, h: 16, d: 1 },
    };
    let px = r.transfer_read_vec(Some(2), &t).expect("the bystander's read-back");
    assert!(
        px.chunks(4).all(|p| p == [255, 0, 255, 255]),
        "the bystander's pixels were touched: {:?}",
        &px[..8]
    );
}

fn bystander_stream() -> Vec<u8> {
    use virgl_proto::ccmd::{LayerRange, Surface};
    use virgl_proto::format::Format;
    use virgl_proto::pipe::ClearBuffers;
    let commands = [
        Command::CreateSurface(Surface {
            handle: 1,
            resource: 1,
            format: Format::R8G8B8A8_UNORM,
            level: 0,
            layers: LayerRange::single(0),
        }),
        Command::SetFramebufferState {
            zsurf: 0,
            cbufs: vec![1],
        },
        Command::Clear(Clear::color(ClearBuffers::COLOR0, [1.0, 0.0, 1.0, 1.0])),
    ];
    to_bytes(&encode_all(&commands).expect("encodes"))
}
