//! `virgl-conform`'s catalogue run in this process against [`Renderer`] on the GL backend,
//! through a guest transport that calls the renderer directly: the fastest way to see which
//! cases the host passes, with the renderer's own errors in the failures.

mod inprocess;

use inprocess::run_catalogue;
use virgl_host::gl::{Api, GlBackend};

#[test]
fn conform_catalogue_in_process() {
    let _egl = inprocess::egl_lock();
    match GlBackend::new(Api::GlCore { major: 4, minor: 5 }) {
        Ok(b) => run_catalogue(b, &[]),
        Err(e) => eprintln!("skip: no GL 4.5 core context here: {e}"),
    }
}

/// The catalogue on the highest OpenGL ES context the host gives (ES 3.2 on llvmpipe).
#[test]
fn conform_catalogue_in_process_on_gles() {
    let _egl = inprocess::egl_lock();
    match GlBackend::new_gles() {
        Ok(b) => run_catalogue(b, ES_NOT_YET),
        Err(e) => eprintln!("skip: no OpenGL ES 3 context here: {e}"),
    }
}

/// Cases an ES host fails, with the reason. A case listed here that passes fails the test, so
/// the list only shrinks.
const ES_NOT_YET: &[(&str, &str)] = &[];
