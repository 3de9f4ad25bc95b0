//! Every input the fuzz targets (`fuzz/fuzz_targets/host_submit*.rs`) crashed on, kept in
//! `host/tests/data/fuzz/` and replayed as the targets run it: the stream as context 1 of a
//! renderer holding [`virgl_host::fixtures`]' resources, beside the corpus's bystander, whose
//! pixels must come out right. A failing stream must leave its context refusing later
//! submissions.
//!
//! - `gl-cube-empty-box.virgl` (host_submit_gl): an inline write of a box with no texels into
//!   the cube map panicked the GL backend, which split the data per face by the box's depth.
//! - `gl-timeout-16m-points.virgl` (host_submit_gl, a timeout): a draw of 16776960 points, just
//!   under the default bound of 2^24 vertices, whose element reads an unbound buffer, took
//!   llvmpipe over a second. The GL target, like the soak's shared server, runs with
//!   `--max-draw-vertices` 2^20, where it is refused; the default stays 2^24 for large meshes.

use std::path::Path;

use virgl_host::backend::Backend;
use virgl_host::{fixtures, Error, Renderer};

use crate::bystander::Bystander;

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

/// Runs `stream` as the fuzz targets do, then the corpus's [`Bystander`] renders a round
/// beside it; `gl` checks the bystander's pixels. Returns the stream's error, if any.
fn replay<B: Backend + 'static>(
    r: &mut Renderer<B>,
    name: &str,
    stream: &[u8],
    gl: bool,
) -> Option<String> {
    drop(r.reset());
    fixtures::populate(r, 1).unwrap();
    let mut bystander = Bystander::new(r, gl);
    let error = r.submit(1, stream).err().map(|e| e.to_string());
    if error.is_some() {
        assert!(
            matches!(r.submit(1, &[]), Err(Error::ContextLost { .. })),
            "{name}: the failed context takes more"
        );
    }
    bystander.check(r);
    bystander.end(r);
    error
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
    // As the GL fuzz target runs it.
    r.backend_mut().set_max_draw_vertices(1 << 20);
    for (name, stream) in finds() {
        let error = replay(&mut r, &name, &stream, true);
        if name.starts_with("gl-timeout-") {
            let e = error.unwrap_or_else(|| panic!("{name}: the long draw ran"));
            assert!(
                e.contains("DRAW_VBO") && e.contains("--max-draw-vertices"),
                "{name}: {e}"
            );
        }
    }
}
