//! `virgl-conform`'s catalogue in this process against the renderer on an OpenGL ES 3.0
//! context (Mesa's llvmpipe limited by `MESA_GLES_VERSION_OVERRIDE`, read once per process):
//! the level without storage buffers, where occlusion counters count with a counting pass.

mod inprocess;

use virgl_host::gl::GlBackend;

#[test]
fn conform_catalogue_in_process_on_gles30() {
    let _egl = inprocess::egl_lock();
    std::env::set_var("MESA_GLES_VERSION_OVERRIDE", "3.0");
    let backend = match GlBackend::new_gles() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("skip: no OpenGL ES context here: {e}");
            return;
        }
    };
    let v = backend.gl().version();
    assert!(
        v.es && (v.major, v.minor) == (3, 0),
        "MESA_GLES_VERSION_OVERRIDE=3.0 gave {}",
        v.version
    );
    inprocess::run_catalogue(backend, &[]);
}
