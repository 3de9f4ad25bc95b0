//! `virgl_renderer_init` with flags 0, as QEMU 7.2 calls it: every GL context comes from the
//! caller's callbacks and shares objects with the caller's own ("window") context. The caller
//! here is a stand-in for QEMU's GTK display on a surfaceless EGL display: desktop core
//! contexts for `gl=on`, GLES ones for `gl=es`. It checks what QEMU relies on: the context
//! versions asked for, and that the `tex_id` of `virgl_renderer_resource_get_info` shows the
//! resource's pixels when read in the caller's own context.

mod common;

use std::ffi::{c_int, c_void};
use std::sync::Mutex;

use common::*;
use glow::HasContext;
use khronos_egl as egl;
use virglrenderer::abi::GlCtxParam;

/// `EGL_PLATFORM_SURFACELESS_MESA`.
const PLATFORM_SURFACELESS_MESA: egl::Enum = 0x31DD;

struct Caller {
    egl: egl::DynamicInstance<egl::EGL1_5>,
    display: egl::Display,
    window: egl::Context,
    es: bool,
    /// Each (major, minor) asked for, and whether a context was given.
    asked: Mutex<Vec<(i32, i32, bool)>>,
}

impl Caller {
    /// A display and a "window" context of the kind QEMU's `gl=on` / `gl=es` makes; `None`
    /// where this machine has no surfaceless EGL.
    fn new(es: bool) -> Option<Caller> {
        // SAFETY: loads the system's libEGL.
        let egl = unsafe { egl::DynamicInstance::<egl::EGL1_5>::load_required() }.ok()?;
        // SAFETY: the surfaceless platform takes no native display.
        let display = unsafe {
            egl.get_platform_display(
                PLATFORM_SURFACELESS_MESA,
                egl::DEFAULT_DISPLAY,
                &[egl::ATTRIB_NONE],
            )
        }
        .ok()?;
        egl.initialize(display).ok()?;
        let window = create(&egl, display, es, None, if es { (2, 0) } else { (3, 3) })?;
        Some(Caller {
            egl,
            display,
            window,
            es,
            asked: Mutex::new(Vec::new()),
        })
    }
}

/// A context as QEMU's `qemu_egl_create_context` makes one: core profile with the version for
/// desktop, the client version alone for ES, shared with `share`.
fn create(
    egl: &egl::DynamicInstance<egl::EGL1_5>,
    display: egl::Display,
    es: bool,
    share: Option<egl::Context>,
    (major, minor): (i32, i32),
) -> Option<egl::Context> {
    let attrs = if es {
        vec![
            egl::CONTEXT_MAJOR_VERSION,
            major,
            egl::CONTEXT_MINOR_VERSION,
            minor,
            egl::NONE,
        ]
    } else {
        vec![
            egl::CONTEXT_OPENGL_PROFILE_MASK,
            egl::CONTEXT_OPENGL_CORE_PROFILE_BIT,
            egl::CONTEXT_MAJOR_VERSION,
            major,
            egl::CONTEXT_MINOR_VERSION,
            minor,
            egl::NONE,
        ]
    };
    egl.bind_api(if es {
        egl::OPENGL_ES_API
    } else {
        egl::OPENGL_API
    })
    .ok()?;
    // SAFETY: EGL_NO_CONFIG_KHR, which Mesa's surfaceless display offers.
    let no_config = unsafe { egl::Config::from_ptr(std::ptr::null_mut()) };
    egl.create_context(display, no_config, share, &attrs).ok()
}

unsafe extern "C" fn create_gl_context(
    cookie: *mut c_void,
    _scanout: c_int,
    param: *mut GlCtxParam,
) -> *mut c_void {
    // SAFETY: the cookie is the test's Caller, alive for the whole init; param is the library's.
    let (c, p) = unsafe { (&*cookie.cast::<Caller>(), *param) };
    let ctx = create(
        &c.egl,
        c.display,
        c.es,
        Some(c.window),
        (p.major_ver, p.minor_ver),
    );
    c.asked
        .lock()
        .unwrap()
        .push((p.major_ver, p.minor_ver, ctx.is_some()));
    ctx.map_or(std::ptr::null_mut(), |c| c.as_ptr())
}

unsafe extern "C" fn destroy_gl_context(cookie: *mut c_void, ctx: *mut c_void) {
    // SAFETY: as above; ctx is one create_gl_context gave.
    let c = unsafe { &*cookie.cast::<Caller>() };
    // SAFETY: a context this display made.
    let _ = c
        .egl
        .destroy_context(c.display, unsafe { egl::Context::from_ptr(ctx) });
}

unsafe extern "C" fn make_current(cookie: *mut c_void, _scanout: c_int, ctx: *mut c_void) -> c_int {
    // SAFETY: as above.
    let c = unsafe { &*cookie.cast::<Caller>() };
    // SAFETY: a context this display made.
    let ctx = unsafe { egl::Context::from_ptr(ctx) };
    // As QEMU's gd_egl_make_current: eglMakeCurrent's EGLBoolean, so 1 is success.
    c.egl.make_current(c.display, None, None, Some(ctx)).is_ok() as c_int
}

/// Runs QEMU's sequence on a caller of kind `es`; returns what it asked for.
fn scanout_through_callbacks(es: bool) -> Option<Vec<(i32, i32, bool)>> {
    let _s = serial();
    let Some(caller) = Caller::new(es) else {
        eprintln!("skip: no surfaceless EGL display here");
        return None;
    };
    let caller = Box::new(caller);
    let cookie = (&*caller as *const Caller).cast_mut().cast::<c_void>();
    let lib = Lib::load();
    // QEMU 7.2's callbacks: version 1, four functions.
    let mut cbs = Callbacks {
        version: 1,
        write_fence: Some(write_fence),
        create_gl_context: Some(create_gl_context),
        destroy_gl_context: Some(destroy_gl_context),
        make_current: Some(make_current),
        ..Callbacks::default()
    };
    // CREATE_2D: 4×4 B8G8R8X8, render target, Y_0_TOP; its backing holds the guest's pixels.
    let mut args = ResourceCreateArgs {
        handle: 7,
        target: 2,
        format: 2,
        bind: 1 << 1,
        width: 4,
        height: 4,
        depth: 1,
        array_size: 1,
        flags: 1,
        ..Default::default()
    };
    let mut pixels: Vec<u8> = (0..16u8)
        .flat_map(|i| [i * 8, 100 + i, 255 - i * 4, 0xff])
        .collect();
    let mut backing = [iov(&mut pixels)];
    let mut whole = VirglBox {
        w: 4,
        h: 4,
        d: 1,
        ..Default::default()
    };
    let mut info = ResourceInfo::default();
    // SAFETY: the callbacks, cookie and backing outlive init and cleanup, which end below.
    unsafe {
        assert_eq!((lib.virgl_renderer_init)(cookie, 0, &mut cbs), 0);
        (lib.virgl_renderer_force_ctx_0)();
        assert_eq!(
            (lib.virgl_renderer_resource_create)(&mut args, std::ptr::null_mut(), 0),
            0
        );
        assert_eq!(
            (lib.virgl_renderer_resource_attach_iov)(7, backing.as_mut_ptr(), 1),
            0
        );
        (lib.virgl_renderer_force_ctx_0)();
        assert_eq!(
            (lib.virgl_renderer_transfer_write_iov)(
                7,
                0,
                0,
                0,
                0,
                &mut whole,
                0,
                std::ptr::null_mut(),
                0
            ),
            0
        );
        (lib.virgl_renderer_force_ctx_0)();
        assert_eq!((lib.virgl_renderer_resource_get_info)(7, &mut info), 0);
    }
    assert_eq!((info.width, info.height, info.flags), (4, 4, 0));
    assert_ne!(info.tex_id, 0);

    // QEMU's display, in its own context: read the texture through a framebuffer.
    caller
        .egl
        .make_current(caller.display, None, None, Some(caller.window))
        .unwrap();
    // SAFETY: pointers from eglGetProcAddress for the current context.
    let gl = unsafe {
        glow::Context::from_loader_function(|name| {
            caller
                .egl
                .get_proc_address(name)
                .map_or(std::ptr::null(), |f| f as *const c_void)
        })
    };
    let mut seen = vec![0u8; 64];
    // SAFETY: the window context is current; the texture name is shared with it.
    unsafe {
        let fbo = gl.create_framebuffer().unwrap();
        gl.bind_framebuffer(glow::FRAMEBUFFER, Some(fbo));
        let tex = glow::NativeTexture(std::num::NonZeroU32::new(info.tex_id).unwrap());
        gl.framebuffer_texture_2d(
            glow::FRAMEBUFFER,
            glow::COLOR_ATTACHMENT0,
            glow::TEXTURE_2D,
            Some(tex),
            0,
        );
        assert_eq!(
            gl.check_framebuffer_status(glow::FRAMEBUFFER),
            glow::FRAMEBUFFER_COMPLETE
        );
        gl.read_pixels(
            0,
            0,
            4,
            4,
            glow::RGBA,
            glow::UNSIGNED_BYTE,
            glow::PixelPackData::Slice(Some(&mut seen)),
        );
        gl.delete_framebuffer(fbo);
    }
    for (i, (s, p)) in seen.chunks(4).zip(pixels.chunks(4)).enumerate() {
        // Guest BGRX bytes, read as RGBA.
        assert_eq!([s[0], s[1], s[2]], [p[2], p[1], p[0]], "texel {i}");
    }
    drop(gl);

    // SAFETY: as above; cleanup destroys our context through the callback.
    unsafe {
        (lib.virgl_renderer_force_ctx_0)();
        (lib.virgl_renderer_resource_detach_iov)(7, std::ptr::null_mut(), std::ptr::null_mut());
        (lib.virgl_renderer_resource_unref)(7);
        (lib.virgl_renderer_cleanup)(cookie);
    }
    let asked = caller.asked.lock().unwrap().clone();
    let _ = caller.egl.make_current(caller.display, None, None, None);
    let _ = caller.egl.destroy_context(caller.display, caller.window);
    Some(asked)
}

#[test]
fn qemu_gl_on_gives_a_desktop_core_context_and_tex_id_shows_the_pixels() {
    let Some(asked) = scanout_through_callbacks(false) else {
        return;
    };
    // Mesa 22.3's llvmpipe has no 4.6: it is asked, refused, then 4.5 is given.
    assert_eq!(asked.first(), Some(&(4, 6, false)), "{asked:?}");
    let given: Vec<_> = asked.iter().filter(|a| a.2).collect();
    assert_eq!(given.len(), 1, "one context for everything: {asked:?}");
    assert!(
        given[0].0 >= 4 || (given[0].0, given[0].1) >= (3, 3),
        "{asked:?}"
    );
}

#[test]
fn qemu_gl_es_gives_a_gles_context_and_tex_id_shows_the_pixels() {
    let Some(asked) = scanout_through_callbacks(true) else {
        return;
    };
    // Desktop versions are refused by an ES display; the first ES one (3.2) is taken.
    assert!(asked.iter().filter(|a| a.0 == 4).all(|a| !a.2), "{asked:?}");
    let given: Vec<_> = asked.iter().filter(|a| a.2).collect();
    assert_eq!(given.len(), 1, "{asked:?}");
    assert_eq!((given[0].0, given[0].1), (3, 2), "{asked:?}");
}
