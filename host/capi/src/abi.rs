//! The C side of `virglrenderer.h` (virglrenderer 0.10.4, the version Debian 12's QEMU links):
//! every struct a caller hands in, every flag and error value, declared once. `tests/layout.rs`
//! compiles the installed header and checks each size and offset against these.

use std::ffi::{c_int, c_void};

/// `virgl_renderer_gl_context`: an opaque context of the caller's.
pub type GlContextHandle = *mut c_void;

/// `struct virgl_renderer_gl_ctx_param`: what `create_gl_context` is asked for.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct GlCtxParam {
    pub version: c_int,
    pub shared: bool,
    pub major_ver: c_int,
    pub minor_ver: c_int,
}

/// `struct virgl_renderer_callbacks`, version 4 (`VIRGL_RENDERER_UNSTABLE_APIS`). Fields past
/// what `version` says are not read: QEMU 7.2 hands in a version 1 struct that ends after
/// `make_current`.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Callbacks {
    pub version: c_int,
    pub write_fence: Option<unsafe extern "C" fn(cookie: *mut c_void, fence: u32)>,
    pub create_gl_context: Option<
        unsafe extern "C" fn(
            cookie: *mut c_void,
            scanout_idx: c_int,
            param: *mut GlCtxParam,
        ) -> GlContextHandle,
    >,
    pub destroy_gl_context: Option<unsafe extern "C" fn(cookie: *mut c_void, ctx: GlContextHandle)>,
    pub make_current: Option<
        unsafe extern "C" fn(
            cookie: *mut c_void,
            scanout_idx: c_int,
            ctx: GlContextHandle,
        ) -> c_int,
    >,
    /// Version 2.
    pub get_drm_fd: Option<unsafe extern "C" fn(cookie: *mut c_void) -> c_int>,
    /// Version 3.
    pub write_context_fence: Option<
        unsafe extern "C" fn(cookie: *mut c_void, ctx_id: u32, ring_idx: u32, fence_id: u64),
    >,
    /// Version 3.
    pub get_server_fd: Option<unsafe extern "C" fn(cookie: *mut c_void, version: u32) -> c_int>,
    /// Version 4.
    pub get_egl_display: Option<unsafe extern "C" fn(cookie: *mut c_void) -> *mut c_void>,
}

/// The highest callbacks version accepted.
pub const CALLBACKS_VERSION: c_int = 4;

impl Callbacks {
    /// Copies the fields that version `(*p).version` has, leaving later ones `None`; `None`
    /// for a null pointer or a version outside 1 to [`CALLBACKS_VERSION`].
    ///
    /// # Safety
    /// `p` is null or points to a callbacks struct at least as long as its version says.
    pub unsafe fn read(p: *const Callbacks) -> Option<Callbacks> {
        if p.is_null() {
            return None;
        }
        // SAFETY: every version has `version` and the four fields after it.
        let (version, write_fence, create_gl_context, destroy_gl_context, make_current) = unsafe {
            (
                std::ptr::addr_of!((*p).version).read(),
                std::ptr::addr_of!((*p).write_fence).read(),
                std::ptr::addr_of!((*p).create_gl_context).read(),
                std::ptr::addr_of!((*p).destroy_gl_context).read(),
                std::ptr::addr_of!((*p).make_current).read(),
            )
        };
        if !(1..=CALLBACKS_VERSION).contains(&version) {
            return None;
        }
        let mut cbs = Callbacks {
            version,
            write_fence,
            create_gl_context,
            destroy_gl_context,
            make_current,
            ..Callbacks::default()
        };
        // SAFETY: the fields each version adds are read only when the version has them.
        unsafe {
            if version >= 2 {
                cbs.get_drm_fd = std::ptr::addr_of!((*p).get_drm_fd).read();
            }
            if version >= 3 {
                cbs.write_context_fence = std::ptr::addr_of!((*p).write_context_fence).read();
                cbs.get_server_fd = std::ptr::addr_of!((*p).get_server_fd).read();
            }
            if version >= 4 {
                cbs.get_egl_display = std::ptr::addr_of!((*p).get_egl_display).read();
            }
        }
        Some(cbs)
    }
}

/// `VIRGL_RENDERER_*` flags of `virgl_renderer_init`.
pub mod flags {
    use std::ffi::c_int;
    pub const USE_EGL: c_int = 1;
    pub const THREAD_SYNC: c_int = 1 << 1;
    pub const USE_GLX: c_int = 1 << 2;
    pub const USE_SURFACELESS: c_int = 1 << 3;
    pub const USE_GLES: c_int = 1 << 4;
    pub const USE_EXTERNAL_BLOB: c_int = 1 << 5;
    pub const VENUS: c_int = 1 << 6;
    pub const NO_VIRGL: c_int = 1 << 7;
    pub const ASYNC_FENCE_CB: c_int = 1 << 8;
    pub const RENDER_SERVER: c_int = 1 << 9;
    pub const DRM: c_int = 1 << 10;
    pub const USE_VIDEO: c_int = 1 << 11;
}

/// `VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK`: the capset a context speaks, in the low byte
/// of `virgl_renderer_context_create_with_flags`'s flags.
pub const CONTEXT_FLAG_CAPSET_ID_MASK: u32 = 0xff;

/// `struct virgl_renderer_resource_create_args`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct ResourceCreateArgs {
    pub handle: u32,
    pub target: u32,
    pub format: u32,
    pub bind: u32,
    pub width: u32,
    pub height: u32,
    pub depth: u32,
    pub array_size: u32,
    pub last_level: u32,
    pub nr_samples: u32,
    pub flags: u32,
}

/// `struct virgl_box`, which QEMU casts from `virtio_gpu_box`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct VirglBox {
    pub x: u32,
    pub y: u32,
    pub z: u32,
    pub w: u32,
    pub h: u32,
    pub d: u32,
}

/// `struct virgl_renderer_resource_info`: what QEMU needs to show a resource.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct ResourceInfo {
    pub handle: u32,
    pub virgl_format: u32,
    pub width: u32,
    pub height: u32,
    pub depth: u32,
    pub flags: u32,
    pub tex_id: u32,
    pub stride: u32,
    pub drm_fourcc: c_int,
}

/// `struct virgl_renderer_hdr`: the head of every `virgl_renderer_execute` structure.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct StructHdr {
    pub stype: u32,
    pub stype_version: u32,
    pub size: u32,
}

/// `struct virgl_renderer_supported_structures`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct SupportedStructures {
    pub hdr: StructHdr,
    pub in_stype_version: u32,
    pub out_supported_structures_mask: u32,
}

/// `VIRGL_RENDERER_STRUCTURE_TYPE_SUPPORTED_STRUCTURES`.
pub const STRUCTURE_TYPE_SUPPORTED_STRUCTURES: u32 = 1 << 1;

/// `struct virgl_renderer_resource_create_blob_args`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ResourceCreateBlobArgs {
    pub res_handle: u32,
    pub ctx_id: u32,
    pub blob_mem: u32,
    pub blob_flags: u32,
    pub blob_id: u64,
    pub size: u64,
    pub iovecs: *const libc::iovec,
    pub num_iovs: u32,
}

/// `struct virgl_renderer_resource_import_blob_args`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ResourceImportBlobArgs {
    pub res_handle: u32,
    pub blob_mem: u32,
    pub fd_type: u32,
    pub fd: c_int,
    pub size: u64,
}

/// `virgl_debug_callback_type`: `void (*)(const char *fmt, va_list ap)`. Rust cannot make a
/// `va_list`, so the pointer is kept and handed back, and messages go to stderr.
pub type DebugCallback = Option<unsafe extern "C" fn(fmt: *const libc::c_char, ap: *mut c_void)>;
