//! `virgl-conform`'s catalogue in this process against the renderer on an OpenGL ES 2.0
//! context: Mesa's llvmpipe made to offer ES 2.0 alone (`MESA_GLES_VERSION_OVERRIDE`, read
//! once per process, so these tests have a binary of their own).

mod inprocess;

use virgl_host::gl::GlBackend;

/// Cases an ES 2.0 host fails, with the reason. A case listed here that passes fails the
/// test, so the list only shrinks.
const ES2_NOT_YET: &[(&str, &str)] = &[(
    "query_occlusion_samples",
    "ES 2.0 has boolean occlusion queries alone (GL_EXT_occlusion_query_boolean): counts are 0 or 1",
)];

#[test]
fn conform_catalogue_in_process_on_gles2() {
    let _egl = inprocess::egl_lock();
    std::env::set_var("MESA_GLES_VERSION_OVERRIDE", "2.0");
    let backend = match GlBackend::new_gles() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("skip: no OpenGL ES context here: {e}");
            return;
        }
    };
    let v = backend.gl().version();
    assert!(
        v.es && v.major == 2,
        "MESA_GLES_VERSION_OVERRIDE=2.0 gave {}",
        v.version
    );
    inprocess::run_catalogue(backend, ES2_NOT_YET);
}
