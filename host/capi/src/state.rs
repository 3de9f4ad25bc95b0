//! The library's one renderer and what the C ABI keeps beside it: the caller's callbacks, the
//! iovec arrays it lent, fences waiting to be reported, per-resource private pointers.
//!
//! virglrenderer's API is a set of process-global functions, so this is a process-global
//! value behind a lock ([`with_state`]); every entry point takes the lock, makes the GL context
//! current, does its work and lets go. Callbacks that report fences run after the lock is
//! released, so a caller that calls back in from them does not deadlock.

use std::collections::HashMap;
use std::ffi::{c_int, c_void};
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Mutex, MutexGuard};

use virgl_host::gl::{Api, GlBackend};
use virgl_host::Renderer;

use crate::abi::{self, flags, Callbacks};
use crate::platform::CallerGl;

/// What `virgl_renderer_init` was given; a second init must give the same.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub cookie: *mut c_void,
    pub flags: c_int,
    pub cbs: *const Callbacks,
}

/// A client whose callbacks were read.
#[derive(Clone, Copy)]
pub struct Caller {
    pub client: Client,
    pub cbs: Callbacks,
}

/// A fence report to make once the lock is released.
pub enum Report {
    /// `write_fence(cookie, id)`.
    Fence(unsafe extern "C" fn(*mut c_void, u32), *mut c_void, u32),
    /// `write_context_fence(cookie, ctx, ring, id)`.
    ContextFence(
        unsafe extern "C" fn(*mut c_void, u32, u32, u64),
        *mut c_void,
        u32,
        u32,
        u64,
    ),
}

impl Report {
    /// Calls the callback.
    pub fn send(self) {
        match self {
            // SAFETY: the caller's own callback with its own cookie, as init was given them.
            Report::Fence(f, cookie, id) => unsafe { f(cookie, id) },
            // SAFETY: as above.
            Report::ContextFence(f, cookie, ctx, ring, id) => unsafe { f(cookie, ctx, ring, id) },
        }
    }
}

/// Fences of one context (`virgl_renderer_context_create_fence`), reported by
/// `virgl_renderer_context_poll`; the event fd is readable while any wait.
#[derive(Default)]
pub struct ContextFences {
    pub pending: Vec<(u32, u64)>,
    pub event: Option<OwnedFd>,
}

/// Everything the library holds.
#[derive(Default)]
pub struct State {
    pub caller: Option<Caller>,
    pub renderer: Option<Renderer<GlBackend>>,
    /// The iovec array each resource was lent, as lent.
    pub iovs: HashMap<u32, (*const libc::iovec, usize)>,
    /// `virgl_renderer_resource_set_priv`.
    pub privs: HashMap<u32, *mut c_void>,
    /// ctx0 fences created and not yet reported.
    pub fences: Vec<u32>,
    pub context_fences: HashMap<u32, ContextFences>,
    pub debug: abi::DebugCallback,
}

// SAFETY: the raw pointers are the caller's (cookie, callbacks, iovecs), which virglrenderer's
// contract lets any thread use; the GL context is made current on the calling thread at each
// entry point, and the lock serialises all access.
unsafe impl Send for State {}

static STATE: Mutex<Option<State>> = Mutex::new(None);

/// Runs `f` on the state under the lock; a panic inside is caught, printed and turned into
/// `default`, so none crosses into the C caller. Reports `f` returns are sent after unlocking.
pub fn with_state<R>(default: R, f: impl FnOnce(&mut State) -> (R, Vec<Report>)) -> R {
    let run = std::panic::AssertUnwindSafe(|| {
        let (value, reports) = {
            let mut guard: MutexGuard<'_, Option<State>> = STATE
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            f(guard.get_or_insert_with(State::default))
        };
        for r in reports {
            r.send();
        }
        value
    });
    match std::panic::catch_unwind(run) {
        Ok(v) => v,
        Err(e) => {
            let what = e
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| e.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "?".into());
            log(&format!(
                "internal error (panic caught at the C boundary): {what}"
            ));
            default
        }
    }
}

/// Prints a message the way virglrenderer does, on stderr.
pub fn log(msg: &str) {
    eprintln!("virglrenderer (virgl-host): {msg}");
}

impl State {
    /// The renderer, its context made current; `None` before a successful init.
    pub fn current(&mut self) -> Option<&mut Renderer<GlBackend>> {
        let r = self.renderer.as_mut()?;
        if let Err(e) = r.backend().make_current() {
            log(&format!("cannot make the renderer's context current: {e}"));
            return None;
        }
        Some(r)
    }

    /// `virgl_renderer_init`.
    pub fn init(&mut self, client: Client) -> c_int {
        let caller = match self.caller {
            Some(c) if c.client != client => return -libc::EBUSY,
            Some(c) => c,
            None if client.cookie.is_null() => return -1,
            None => {
                // SAFETY: the caller hands in a callbacks struct as long as its version says.
                let Some(cbs) = (unsafe { Callbacks::read(client.cbs) }) else {
                    return -1;
                };
                let caller = Caller { client, cbs };
                self.caller = Some(caller);
                caller
            }
        };
        if self.renderer.is_some() {
            return 0;
        }
        let unsupported = flags::VENUS | flags::NO_VIRGL | flags::RENDER_SERVER | flags::DRM;
        if client.flags & unsupported != 0 {
            log(&format!(
                "init flags {:#x}: Venus, DRM native contexts, render servers and NO_VIRGL are not offered",
                client.flags
            ));
            self.caller = None;
            return -libc::ENOTSUP;
        }
        match make_renderer(caller) {
            Ok(r) => {
                self.renderer = Some(r);
                0
            }
            Err(e) => {
                log(&format!("init failed: {e}"));
                -1
            }
        }
    }

    /// The caller's callbacks, as far as its version has them, and its cookie.
    pub fn callbacks(&self) -> Option<(Callbacks, *mut c_void)> {
        self.caller.map(|c| (c.cbs, c.client.cookie))
    }

    /// Drops every context and resource (`reset`), or everything (`cleanup`).
    pub fn clear(&mut self, keep_renderer: bool) {
        if let Some(r) = self.current() {
            // The caller owns the iovecs; dropping our views of them frees nothing.
            drop(r.reset());
        }
        self.iovs.clear();
        self.privs.clear();
        self.fences.clear();
        self.context_fences.clear();
        if !keep_renderer {
            self.renderer = None;
            self.caller = None;
        }
    }

    /// Fences to report from `virgl_renderer_poll`: the highest retired ctx0 fence (QEMU
    /// completes every command up to it). Work runs when submitted, so every fence created has
    /// retired by now.
    pub fn poll(&mut self) -> Vec<Report> {
        let Some(last) = self.fences.iter().copied().max() else {
            return Vec::new();
        };
        self.fences.clear();
        match self
            .callbacks()
            .and_then(|(cbs, cookie)| Some((cbs.write_fence?, cookie)))
        {
            Some((f, cookie)) => vec![Report::Fence(f, cookie, last)],
            None => Vec::new(),
        }
    }

    /// Fences of context `ctx` to report from `virgl_renderer_context_poll`.
    pub fn context_poll(&mut self, ctx: u32) -> Vec<Report> {
        let Some(fences) = self.context_fences.get_mut(&ctx) else {
            return Vec::new();
        };
        if let Some(fd) = &fences.event {
            let mut buf = [0u8; 8];
            // Drains the counter; EAGAIN (nothing to drain) is fine.
            let _ = nix::unistd::read(fd, &mut buf);
        }
        let pending = std::mem::take(&mut fences.pending);
        let Some((f, cookie)) = self
            .callbacks()
            .filter(|(cbs, _)| cbs.version >= 3)
            .and_then(|(cbs, cookie)| Some((cbs.write_context_fence?, cookie)))
        else {
            return Vec::new();
        };
        pending
            .into_iter()
            .map(|(ring, id)| Report::ContextFence(f, cookie, ctx, ring, id))
            .collect()
    }

    /// The event fd of context `ctx`, made at the first ask.
    pub fn context_poll_fd(&mut self, ctx: u32) -> c_int {
        if self
            .renderer
            .as_ref()
            .and_then(|r| r.context(ctx))
            .is_none()
        {
            return -1;
        }
        let fences = self.context_fences.entry(ctx).or_default();
        if fences.event.is_none() {
            use nix::sys::eventfd::{EfdFlags, EventFd};
            match EventFd::from_value_and_flags(0, EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK) {
                Ok(e) => fences.event = Some(e.into()),
                Err(e) => {
                    log(&format!("context {ctx}: eventfd: {e}"));
                    return -1;
                }
            }
            if !fences.pending.is_empty() {
                signal(fences);
            }
        }
        fences.event.as_ref().map_or(-1, |fd| fd.as_raw_fd())
    }
}

/// Makes the event fd of `fences` readable.
pub fn signal(fences: &ContextFences) {
    if let Some(fd) = &fences.event {
        let _ = nix::unistd::write(fd, &1u64.to_ne_bytes());
    }
}

/// The renderer init's flags ask for: on the caller's contexts (flags without `USE_EGL` or
/// `USE_GLX`, as QEMU passes), or on our own surfaceless EGL display (`virgl_test_server`),
/// with `USE_GLES` an OpenGL ES one. GLX and GBM are not offered; both fall back to
/// surfaceless EGL, which renders the same.
fn make_renderer(caller: Caller) -> virgl_host::Result<Renderer<GlBackend>> {
    let flags = caller.client.flags;
    let own = flags & (flags::USE_EGL | flags::USE_GLX) != 0;
    let backend = if own {
        if flags & flags::USE_GLES != 0 {
            GlBackend::new_gles()?
        } else {
            GlBackend::new(Api::GlCore { major: 3, minor: 3 })?
        }
    } else {
        let gl = CallerGl::from_callbacks(caller.client.cookie, &caller.cbs).ok_or_else(|| {
            virgl_host::Error::EglMissing(
                "init flags 0 need the create_gl_context, destroy_gl_context and make_current callbacks".into(),
            )
        })?;
        let backend = GlBackend::on_context(Box::new(gl.create_context()?))?;
        crate::platform::resolve_epoxy_deletes();
        backend
    };
    let limits = backend.gl().resource_limits()?;
    Ok(Renderer::new(backend, limits))
}
