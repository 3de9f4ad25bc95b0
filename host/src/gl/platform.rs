//! Where GL contexts come from. The backend draws on any [`GlContext`]: one this module makes
//! on a surfaceless EGL display (Mesa's `EGL_PLATFORM_SURFACELESS_MESA`), so the vtest server
//! needs no window system, or one a host program hands in (QEMU's `create_gl_context` callback,
//! through the C ABI crate).
//!
//! Contexts are made without a config (`EGL_KHR_no_config_context`) and made current without a
//! surface (`EGL_KHR_surfaceless_context`): the renderer draws only into framebuffer objects.

use std::ffi::c_void;
use std::sync::Arc;

use khronos_egl as egl;

use crate::error::{Error, Result};

/// `EGL_PLATFORM_SURFACELESS_MESA` (EGL_MESA_platform_surfaceless).
const PLATFORM_SURFACELESS_MESA: egl::Enum = 0x31DD;

/// A GL or GLES context the backend draws with, wherever it came from.
pub trait GlContext {
    /// Makes the context current on the calling thread. A context handed in by another
    /// program may come with that program's window surface bound: the backend draws only into
    /// its own framebuffer objects, never into framebuffer 0.
    fn make_current(&self) -> Result<()>;
    /// The address of GL function `name` for this context, or null.
    fn proc_address(&self, name: &str) -> *const c_void;
}

/// The GL flavour a context speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// Desktop OpenGL, core profile, at least this version.
    GlCore { major: i32, minor: i32 },
    /// OpenGL ES, at least this version.
    Gles { major: i32, minor: i32 },
}

/// A loaded libEGL and an initialised surfaceless display.
pub struct EglDisplay {
    egl: Arc<egl::DynamicInstance<egl::EGL1_5>>,
    display: egl::Display,
}

impl EglDisplay {
    /// Loads `libEGL.so.1` and opens the surfaceless display.
    pub fn open() -> Result<EglDisplay> {
        // SAFETY: loading libEGL runs its constructors; it is the system's EGL library, loaded
        // once per display, and the instance keeps it loaded while any handle lives.
        let egl = unsafe { egl::DynamicInstance::<egl::EGL1_5>::load_required() }
            .map_err(|e| Error::EglLoad(e.to_string()))?;
        // SAFETY: the surfaceless platform takes no native display; the attribute list is
        // terminated.
        let display = unsafe {
            egl.get_platform_display(
                PLATFORM_SURFACELESS_MESA,
                egl::DEFAULT_DISPLAY,
                &[egl::ATTRIB_NONE],
            )
        }
        .map_err(egl_err("eglGetPlatformDisplay(SURFACELESS_MESA)"))?;
        egl.initialize(display).map_err(egl_err("eglInitialize"))?;
        let extensions = egl
            .query_string(Some(display), egl::EXTENSIONS)
            .map_err(egl_err("eglQueryString(EGL_EXTENSIONS)"))?
            .to_string_lossy()
            .into_owned();
        for needed in ["EGL_KHR_no_config_context", "EGL_KHR_surfaceless_context"] {
            if !extensions.split(' ').any(|e| e == needed) {
                return Err(Error::EglMissing(format!("no {needed}")));
            }
        }
        Ok(EglDisplay {
            egl: Arc::new(egl),
            display,
        })
    }

    /// Makes a context of `api` (sharing objects with `share`, if given).
    pub fn create_context(&self, api: Api, share: Option<&EglContext>) -> Result<EglContext> {
        let (bind, attrs) = match api {
            Api::GlCore { major, minor } => (
                egl::OPENGL_API,
                vec![
                    egl::CONTEXT_MAJOR_VERSION,
                    major,
                    egl::CONTEXT_MINOR_VERSION,
                    minor,
                    egl::CONTEXT_OPENGL_PROFILE_MASK,
                    egl::CONTEXT_OPENGL_CORE_PROFILE_BIT,
                    egl::NONE,
                ],
            ),
            Api::Gles { major, minor } => (
                egl::OPENGL_ES_API,
                vec![
                    egl::CONTEXT_MAJOR_VERSION,
                    major,
                    egl::CONTEXT_MINOR_VERSION,
                    minor,
                    egl::NONE,
                ],
            ),
        };
        self.egl.bind_api(bind).map_err(egl_err("eglBindAPI"))?;
        // SAFETY: a null config is EGL_NO_CONFIG_KHR, which the display offers (checked in open).
        let no_config = unsafe { egl::Config::from_ptr(std::ptr::null_mut()) };
        let context = self
            .egl
            .create_context(self.display, no_config, share.map(|s| s.context), &attrs)
            .map_err(egl_err("eglCreateContext"))?;
        Ok(EglContext {
            egl: Arc::clone(&self.egl),
            display: self.display,
            context,
            api,
        })
    }
}

impl Drop for EglDisplay {
    fn drop(&mut self) {
        let _ = self.egl.terminate(self.display);
    }
}

/// One EGL context; destroyed when dropped.
pub struct EglContext {
    egl: Arc<egl::DynamicInstance<egl::EGL1_5>>,
    display: egl::Display,
    context: egl::Context,
    api: Api,
}

impl EglContext {
    /// The flavour asked for (the context may be a later version).
    pub fn api(&self) -> Api {
        self.api
    }
}

impl GlContext for EglContext {
    /// Makes this context current with no surface.
    fn make_current(&self) -> Result<()> {
        self.egl
            .make_current(self.display, None, None, Some(self.context))
            .map_err(egl_err("eglMakeCurrent"))
    }

    fn proc_address(&self, name: &str) -> *const c_void {
        self.egl
            .get_proc_address(name)
            .map_or(std::ptr::null(), |f| f as *const c_void)
    }
}

impl Drop for EglContext {
    fn drop(&mut self) {
        if self.egl.get_current_context() == Some(self.context) {
            let _ = self.egl.make_current(self.display, None, None, None);
        }
        let _ = self.egl.destroy_context(self.display, self.context);
    }
}

fn egl_err(call: &'static str) -> impl Fn(egl::Error) -> Error {
    move |e| Error::Egl {
        call,
        error: format!("{e:?}"),
    }
}
