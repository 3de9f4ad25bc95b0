//! `libvirglrenderer.so.1` over [`virgl_host`]: virglrenderer's C ABI, so programs built
//! against virglrenderer load our renderer instead. QEMU 7.2's `virtio-gpu-gl` module and
//! Debian's `virgl_test_server` both link the library by soname with no symbol versions, so a
//! directory holding this library as `libvirglrenderer.so.1`, first on `LD_LIBRARY_PATH`, is
//! enough.
//!
//! # What a caller sees
//!
//! All 41 functions virglrenderer 0.10.4 exports are exported, with its C signatures
//! ([`abi`] declares the structs once). The ones a virgl host needs are implemented: init,
//! capsets, contexts, resources and their iovecs, transfers, command submission, fences, scanout
//! info, cursor data, reset and cleanup. Blobs, exported fds, EGL images and Venus are not
//! offered, and their functions return an error, so a caller that probes for them carries on
//! without.
//!
//! # How calls reach the renderer
//!
//! One process-global [`state::State`] holds the [`virgl_host::Renderer`]; each function takes
//! its lock, makes the renderer's GL context current (the caller may have drawn with its own in
//! between), calls the renderer and lets go. Work runs when it is submitted, so fences retire
//! at once; they are reported from `virgl_renderer_poll`, as QEMU expects, never from inside the
//! call that made them.
//!
//! GL contexts come from one of two places, as `virgl_renderer_init`'s flags say:
//!
//! - flags without `USE_EGL`/`USE_GLX` (QEMU): one context from the caller's
//!   `create_gl_context` callback ([`platform`]). It shares objects with the caller's display,
//!   so the texture names `virgl_renderer_resource_get_info` reports are the ones QEMU shows;
//!   it may be desktop GL or GLES (`-display gtk,gl=es`), and the backend adapts to what it is;
//! - `USE_EGL` (`virgl_test_server`): our own surfaceless EGL display, GLES with `USE_GLES`.
//!
//! # Rules kept at the boundary
//!
//! - A panic is caught in every function ([`state::with_state`]) and becomes the function's
//!   error value; none unwinds into C.
//! - Unknown contexts and resources, ids of 0, null pointers and out-of-range boxes are errors
//!   (`EINVAL`, as virglrenderer returns them), never crashes; a command stream that fails
//!   puts only its own context in error.
//! - Memory the caller lends (iovec arrays) is borrowed, never freed or copied:
//!   `virgl_renderer_resource_detach_iov` hands back the same pointer. A second
//!   `virgl_renderer_resource_attach_iov` on a resource that has one is refused, so nothing is
//!   lost.
//! - Memory handed to the caller to free (`virgl_renderer_get_cursor_data`) comes from
//!   `malloc`.
//! - `virgl_renderer_resource_get_info` returns -1 for an unknown resource: QEMU 7.2 treats
//!   only -1 as one (virglrenderer's `EINVAL` makes it scan out texture 0).

pub mod abi;
mod exports;
pub mod iov;
pub mod platform;
pub mod state;
