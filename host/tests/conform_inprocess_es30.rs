//! `virgl-conform`'s catalogue in this process against the renderer on an OpenGL ES 3.0
//! context (Mesa's llvmpipe limited by `MESA_GLES_VERSION_OVERRIDE`, read once per process):
//! the level without storage buffers, where occlusion counters count with a counting pass.

mod inprocess;

#[test]
fn conform_catalogue_in_process_on_gles30() {
    let _egl = inprocess::egl_lock();
    let Some(backend) = inprocess::gles_backend("3.0") else {
        return;
    };
    inprocess::run_catalogue(backend, &[]);
}
