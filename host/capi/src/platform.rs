//! GL contexts from the caller: with `virgl_renderer_init` flags 0 (QEMU), every context comes
//! from the `create_gl_context` callback and is made current with `make_current`. QEMU's
//! contexts share objects with its window context and are current with its window surface,
//! which is why the backend never draws into framebuffer 0 and why texture names it reports
//! (`tex_id`) are valid in QEMU's display.

use std::ffi::c_void;

use khronos_egl as egl;
use virgl_host::gl::GlContext;
use virgl_host::{Error, Result};

use crate::abi::{Callbacks, GlContextHandle, GlCtxParam};

/// The versions asked of `create_gl_context`, best first; the first the caller gives is used.
/// A desktop caller (QEMU `gl=on`) gives core 4.5 on Mesa 22.3; a GLES caller (`gl=es`) refuses
/// the 4.x ones and gives the highest ES from 3.2 down; 2.0 is the last resort of an ES 2.0
/// host.
pub const VERSIONS: &[(i32, i32)] = &[
    (4, 6),
    (4, 5),
    (4, 4),
    (4, 3),
    (4, 2),
    (4, 1),
    (4, 0),
    (3, 3),
    (3, 2),
    (3, 1),
    (3, 0),
    (2, 0),
];

/// The caller's callbacks and cookie, copied out of its struct at init.
#[derive(Clone, Copy)]
pub struct CallerGl {
    cookie: *mut c_void,
    create: unsafe extern "C" fn(*mut c_void, i32, *mut GlCtxParam) -> GlContextHandle,
    destroy: unsafe extern "C" fn(*mut c_void, GlContextHandle),
    make_current: unsafe extern "C" fn(*mut c_void, i32, GlContextHandle) -> i32,
}

impl CallerGl {
    /// The three context callbacks of `cbs`, if it has them all.
    pub fn from_callbacks(cookie: *mut c_void, cbs: &Callbacks) -> Option<CallerGl> {
        Some(CallerGl {
            cookie,
            create: cbs.create_gl_context?,
            destroy: cbs.destroy_gl_context?,
            make_current: cbs.make_current?,
        })
    }

    /// Asks for each of [`VERSIONS`] in turn; the first context the caller gives.
    pub fn create_context(&self) -> Result<CallerContext> {
        let egl = load_egl()?;
        for &(major, minor) in VERSIONS {
            let mut param = GlCtxParam {
                version: 1,
                shared: true,
                major_ver: major,
                minor_ver: minor,
            };
            // SAFETY: the caller's callback, with its own cookie and a parameter block that
            // lives across the call; scanout 0 is what virglrenderer always passes.
            let ctx = unsafe { (self.create)(self.cookie, 0, &mut param) };
            if !ctx.is_null() {
                return Ok(CallerContext {
                    caller: *self,
                    ctx,
                    egl,
                });
            }
        }
        Err(Error::Egl {
            call: "create_gl_context callback",
            error: "the caller gave no context of GL 4.6 down to 3.0 or GLES 3.2 down to 2.0"
                .into(),
        })
    }
}

/// A context the caller made; destroyed through its callback when dropped.
pub struct CallerContext {
    caller: CallerGl,
    ctx: GlContextHandle,
    egl: egl::DynamicInstance<egl::EGL1_4>,
}

impl GlContext for CallerContext {
    fn make_current(&self) -> Result<()> {
        let c = &self.caller;
        // The value is not read: QEMU returns eglMakeCurrent's EGL_TRUE (1) for success, other
        // callers 0, and virglrenderer ignores it too.
        // SAFETY: the caller's callback with its cookie and a context it made.
        let _ = unsafe { (c.make_current)(c.cookie, 0, self.ctx) };
        Ok(())
    }

    fn proc_address(&self, name: &str) -> *const c_void {
        self.egl
            .get_proc_address(name)
            .map_or(std::ptr::null(), |f| f as *const c_void)
    }
}

impl Drop for CallerContext {
    fn drop(&mut self) {
        let c = &self.caller;
        // SAFETY: the context is the caller's and is destroyed once, here.
        unsafe { (c.destroy)(c.cookie, self.ctx) };
    }
}

/// libEGL, for `eglGetProcAddress`: a caller that hands out EGL contexts (QEMU's GTK and
/// egl-headless displays) has it loaded already, and the loader returns the same copy.
fn load_egl() -> Result<egl::DynamicInstance<egl::EGL1_4>> {
    // SAFETY: loads the system's libEGL.so.1 (already mapped in an EGL caller); the instance
    // keeps it loaded while the context lives.
    unsafe { egl::DynamicInstance::<egl::EGL1_4>::load_required() }
        .map_err(|e| Error::EglLoad(e.to_string()))
}

/// The GL functions QEMU 7.2 calls with no context current: `dpy_gfx_replace_surface` releases
/// the context, then `gd_egl_scanout_disable` deletes its scanout texture and framebuffer.
/// Mesa ignores a call without a context, but QEMU calls through libepoxy, which resolves each
/// function at its first call and aborts when no context is current then. virglrenderer calls
/// GL through the same libepoxy, so these are always resolved before; a renderer that loads GL
/// itself must resolve them, which is done here once our context is current.
const CALLED_WITHOUT_CONTEXT: &[&std::ffi::CStr] = &[
    c"epoxy_glDeleteTextures",
    c"epoxy_glDeleteFramebuffers",
    c"epoxy_glDeleteRenderbuffers",
    c"epoxy_glDeleteBuffers",
];

/// Resolves [`CALLED_WITHOUT_CONTEXT`] in the process's libepoxy, if it has one, by calling
/// each with nothing to delete. Call it with the renderer's context current.
pub fn resolve_epoxy_deletes() {
    type Delete = unsafe extern "C" fn(n: i32, names: *const u32);
    for name in CALLED_WITHOUT_CONTEXT {
        // SAFETY: dlsym on the process's global scope; libepoxy exports each of these names as
        // a pointer variable holding the function to call.
        let slot = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
        if slot.is_null() {
            continue;
        }
        // SAFETY: the variable holds a non-null function with glDelete*'s signature (at first a
        // resolver that replaces itself); deleting 0 names reads nothing and changes nothing.
        unsafe {
            let f = slot.cast::<Option<Delete>>().read();
            if let Some(f) = f {
                f(0, std::ptr::null());
            }
        }
    }
}
