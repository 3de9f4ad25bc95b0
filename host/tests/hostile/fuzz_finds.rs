//! Every input the fuzz targets (`fuzz/fuzz_targets/host_submit*.rs`) crashed on, kept in
//! `host/tests/data/fuzz/` and replayed as the targets run it: the stream as context 1 of a
//! renderer holding [`virgl_host::fixtures`]' resources, beside a bystander context 2 that
//! must still clear resource 1 and read its pixels back. A failing stream must leave its
//! context refusing later submissions.
//!
//! - `gl-cube-empty-box.virgl` (host_submit_gl): an inline write of a box with no texels into
//!   the cube map panicked the GL backend, which split the data per face by the box's depth.

use std::path::Path;

use virgl_host::backend::Backend;
use virgl_host::{fixtures, Error, Renderer};
use virgl_proto::ccmd::{
    encode_all, to_bytes, Box3, Clear, Command, LayerRange, Surface, TransferTarget,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::ClearBuffers;

fn finds() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fuzz finds in {}", dir.display());
    out
}

/// Runs `stream` as the fuzz targets do; `gl` also checks the bystander's pixels.
fn replay<B: Backend>(r: &mut Renderer<B>, name: &str, stream: &[u8], gl: bool) {
    drop(r.reset());
    fixtures::populate(r, 1).unwrap();
    r.create_context(2, "bystander").unwrap();
    if r.submit(1, stream).is_err() {
        assert!(
            matches!(r.submit(1, &[]), Err(Error::ContextLost { .. })),
            "{name}: the failed context takes more"
        );
    }
    r.attach_resource(2, 1).unwrap();
    let clear = [
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
    r.submit(2, &to_bytes(&encode_all(&clear).unwrap()))
        .unwrap_or_else(|e| panic!("{name}: the bystander's clear: {e}"));
    let t = TransferTarget {
        resource: 1,
        level: 0,
        usage: 0,
        stride: 0,
        layer_stride: 0,
        region: Box3 {
            x: 0,
            y: 0,
            z: 0,
            w: 16,
            h: 16,
            d: 1,
        },
    };
    let px = r.transfer_read_vec(Some(2), &t).unwrap();
    if gl {
        assert!(
            px.chunks(4).all(|p| p == [255, 0, 255, 255]),
            "{name}: the bystander's pixels: {:?}",
            &px[..8]
        );
    }
}

#[test]
fn null() {
    let _serial = crate::serial();
    let mut r = crate::null_renderer();
    for (name, stream) in finds() {
        replay(&mut r, &name, &stream, false);
    }
}

#[test]
fn gl() {
    let _serial = crate::serial();
    let Some(mut r) = crate::gl_renderer() else {
        return;
    };
    for (name, stream) in finds() {
        replay(&mut r, &name, &stream, true);
    }
}
