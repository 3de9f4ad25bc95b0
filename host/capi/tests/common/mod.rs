//! The built `libvirglrenderer.so`, loaded with `dlopen` as QEMU and `virgl_test_server` load
//! it, and the function types of `virglrenderer.h`.
#![allow(dead_code)]

use std::ffi::{c_char, c_int, c_uint, c_void};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

pub use virglrenderer::abi::{flags, Callbacks, ResourceCreateArgs, ResourceInfo, VirglBox};

/// The library cargo built for these tests: `target/<profile>/deps/libvirglrenderer.so`
/// (`cargo build` copies it up a level; `cargo test` does not).
pub fn library_path() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let deps = exe.parent().expect("deps dir");
    let profile = deps.parent().expect("profile dir");
    [deps, profile]
        .iter()
        .map(|d| d.join("libvirglrenderer.so"))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("no libvirglrenderer.so in {}", profile.display()))
}

/// The library's state is process-global: one test at a time holds it.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

macro_rules! functions {
    ($($name:ident : fn($($arg:ty),*) $(-> $ret:ty)?;)*) => {
        /// The library's functions, looked up by name.
        pub struct Lib {
            _lib: libloading::Library,
            $(pub $name: unsafe extern "C" fn($($arg),*) $(-> $ret)?,)*
        }

        impl Lib {
            /// Loads the library and resolves every function.
            pub fn load() -> Lib {
                let path = library_path();
                // SAFETY: our own library; its constructors are Rust's, which do nothing
                // observable.
                let lib = unsafe { libloading::Library::new(&path) }
                    .unwrap_or_else(|e| panic!("dlopen {}: {e}", path.display()));
                // SAFETY: each symbol has the C signature virglrenderer.h gives it, which is
                // the type named here.
                unsafe {
                    Lib {
                        $($name: *lib
                            .get::<unsafe extern "C" fn($($arg),*) $(-> $ret)?>(
                                concat!(stringify!($name), "\0").as_bytes(),
                            )
                            .unwrap_or_else(|e| panic!("{}: {e}", stringify!($name))),)*
                        _lib: lib,
                    }
                }
            }
        }
    };
}

functions! {
    virgl_renderer_init: fn(*mut c_void, c_int, *mut Callbacks) -> c_int;
    virgl_renderer_poll: fn();
    virgl_renderer_cleanup: fn(*mut c_void);
    virgl_renderer_reset: fn();
    virgl_renderer_force_ctx_0: fn();
    virgl_renderer_get_cap_set: fn(u32, *mut u32, *mut u32);
    virgl_renderer_fill_caps: fn(u32, u32, *mut c_void);
    virgl_renderer_context_create: fn(u32, u32, *const c_char) -> c_int;
    virgl_renderer_context_create_with_flags: fn(u32, u32, u32, *const c_char) -> c_int;
    virgl_renderer_context_destroy: fn(u32);
    virgl_renderer_submit_cmd: fn(*mut c_void, c_int, c_int) -> c_int;
    virgl_renderer_create_fence: fn(c_int, u32) -> c_int;
    virgl_renderer_resource_create: fn(*mut ResourceCreateArgs, *mut libc::iovec, u32) -> c_int;
    virgl_renderer_resource_unref: fn(u32);
    virgl_renderer_resource_get_info: fn(c_int, *mut ResourceInfo) -> c_int;
    virgl_renderer_resource_attach_iov: fn(c_int, *mut libc::iovec, c_int) -> c_int;
    virgl_renderer_resource_detach_iov: fn(c_int, *mut *mut libc::iovec, *mut c_int);
    virgl_renderer_ctx_attach_resource: fn(c_int, c_int);
    virgl_renderer_ctx_detach_resource: fn(c_int, c_int);
    virgl_renderer_transfer_read_iov:
        fn(u32, u32, u32, u32, u32, *mut VirglBox, u64, *mut libc::iovec, c_int) -> c_int;
    virgl_renderer_transfer_write_iov:
        fn(u32, u32, c_int, u32, u32, *mut VirglBox, u64, *mut libc::iovec, c_uint) -> c_int;
    virgl_renderer_get_cursor_data: fn(u32, *mut u32, *mut u32) -> *mut c_void;
    virgl_renderer_resource_set_priv: fn(u32, *mut c_void);
    virgl_renderer_resource_get_priv: fn(u32) -> *mut c_void;
    virgl_renderer_context_create_fence: fn(u32, u32, u32, u64) -> c_int;
    virgl_renderer_context_poll: fn(u32);
    virgl_renderer_context_get_poll_fd: fn(u32) -> c_int;
    virgl_renderer_get_poll_fd: fn() -> c_int;
    virgl_renderer_resource_create_blob: fn(*const c_void) -> c_int;
}

/// What the fence callbacks were told, in order.
pub static FENCES: Mutex<Vec<u32>> = Mutex::new(Vec::new());
pub static CONTEXT_FENCES: Mutex<Vec<(u32, u32, u64)>> = Mutex::new(Vec::new());

pub unsafe extern "C" fn write_fence(_cookie: *mut c_void, fence: u32) {
    FENCES.lock().unwrap().push(fence);
}

pub unsafe extern "C" fn write_context_fence(
    _cookie: *mut c_void,
    ctx: u32,
    ring: u32,
    fence: u64,
) {
    CONTEXT_FENCES.lock().unwrap().push((ctx, ring, fence));
}

/// Callbacks as `virgl_test_server` hands them in: fences only, contexts from our own EGL.
pub fn vtest_callbacks() -> Callbacks {
    Callbacks {
        version: 3,
        write_fence: Some(write_fence),
        write_context_fence: Some(write_context_fence),
        ..Callbacks::default()
    }
}

/// A cookie: any non-null pointer.
pub fn cookie() -> *mut c_void {
    std::ptr::NonNull::<u64>::dangling().as_ptr().cast()
}

/// The library, initialised on its own surfaceless EGL display (desktop GL); cleaned up when
/// dropped.
pub struct Inited {
    pub lib: Lib,
    pub cbs: Box<Callbacks>,
    _serial: MutexGuard<'static, ()>,
}

impl Inited {
    pub fn new() -> Inited {
        let serial = serial();
        let lib = Lib::load();
        let mut cbs = Box::new(vtest_callbacks());
        // SAFETY: a valid callbacks struct that outlives the init (kept in `Inited`).
        let ret = unsafe {
            (lib.virgl_renderer_init)(cookie(), flags::USE_EGL | flags::USE_SURFACELESS, &mut *cbs)
        };
        assert_eq!(ret, 0, "init on surfaceless EGL");
        Inited {
            lib,
            cbs,
            _serial: serial,
        }
    }

    /// Makes context 1 (named "test").
    pub fn with_context(self) -> Inited {
        // SAFETY: a 4-byte name.
        let ret = unsafe { (self.lib.virgl_renderer_context_create)(1, 4, c"test".as_ptr()) };
        assert_eq!(ret, 0);
        self
    }
}

impl Drop for Inited {
    fn drop(&mut self) {
        // SAFETY: cleanup takes any cookie.
        unsafe { (self.lib.virgl_renderer_cleanup)(cookie()) };
    }
}

/// `testvirgl_init_simple_1d_resource`: a 50-texel B8G8R8X8 1D texture.
pub fn simple_1d(handle: u32) -> ResourceCreateArgs {
    ResourceCreateArgs {
        handle,
        target: 1,
        format: 2,
        bind: 1 << 3,
        width: 50,
        height: 1,
        depth: 1,
        array_size: 1,
        ..Default::default()
    }
}

/// `testvirgl_init_simple_2d_resource`: 50×50 B8G8R8X8.
pub fn simple_2d(handle: u32) -> ResourceCreateArgs {
    ResourceCreateArgs {
        target: 2,
        height: 50,
        ..simple_1d(handle)
    }
}

/// An iovec over `bytes`.
pub fn iov(bytes: &mut [u8]) -> libc::iovec {
    libc::iovec {
        iov_base: bytes.as_mut_ptr().cast(),
        iov_len: bytes.len(),
    }
}
