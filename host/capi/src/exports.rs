//! The exported functions, in `virglrenderer.h`'s order. Each is a thin shell: it checks the
//! pointers it is given, then runs its body under [`with_state`]. Their safety contract is the
//! header's: pointers are null or valid for what the function reads or writes.
#![allow(clippy::missing_safety_doc)]

use std::ffi::{c_char, c_int, c_uint, c_void};

use virgl_host::resource::Backing;
use virgl_host::GuestBytes;
use virgl_proto::ccmd::{Box3, TransferTarget};
use virgl_proto::pipe::TextureTarget;
use virgl_proto::vtest::ResourceDesc;

use crate::abi::{self, flags, Callbacks, ResourceCreateArgs, ResourceInfo, VirglBox};
use crate::iov::IovMemory;
use crate::state::{log, signal, with_state, Client, State};

const EINVAL: c_int = libc::EINVAL;

fn done<R>(v: R) -> (R, Vec<crate::state::Report>) {
    (v, Vec::new())
}

/// `0` for success, `EINVAL` (logged) for an error of the renderer.
fn status(what: &str, r: virgl_host::Result<()>) -> c_int {
    match r {
        Ok(()) => 0,
        Err(e) => {
            log(&format!("{what}: {e}"));
            EINVAL
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_init(
    cookie: *mut c_void,
    flags: c_int,
    cb: *mut Callbacks,
) -> c_int {
    // THREAD_SYNC is a hint virglrenderer may drop; work here is synchronous anyway.
    let flags = flags & !flags::THREAD_SYNC;
    with_state(-1, |s| {
        done(s.init(Client {
            cookie,
            flags,
            cbs: cb,
        }))
    })
}

#[no_mangle]
pub extern "C" fn virgl_renderer_poll() {
    with_state((), |s| ((), s.poll()))
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_get_cursor_data(
    resource_id: u32,
    width: *mut u32,
    height: *mut u32,
) -> *mut c_void {
    if width.is_null() || height.is_null() {
        return std::ptr::null_mut();
    }
    let pixels = with_state(None, |s| done(cursor(s, resource_id)));
    let Some((w, h, bytes)) = pixels else {
        return std::ptr::null_mut();
    };
    // SAFETY: malloc of a non-zero size; the caller frees it with free().
    let data = unsafe { libc::malloc(bytes.len()) }.cast::<u8>();
    if data.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: `data` has `bytes.len()` bytes; the out-pointers were checked non-null.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len());
        *width = w;
        *height = h;
    }
    data.cast()
}

/// A cursor's pixels as QEMU takes them: level 0 of a 2D texture of at most 128×128, top row
/// first (virglrenderer flips its upside-down Y_0_TOP storage to give the same).
fn cursor(s: &mut State, id: u32) -> Option<(u32, u32, Vec<u8>)> {
    let r = s.current()?;
    let d = r.resource(id)?.desc;
    if d.target != TextureTarget::Texture2D || d.width > 128 || d.height > 128 {
        return None;
    }
    let t = whole_level(id, d.width, d.height);
    let bytes = match r.transfer_read_vec(None, &t) {
        Ok(b) => b,
        Err(e) => {
            log(&format!("cursor of resource {id}: {e}"));
            return None;
        }
    };
    Some((d.width, d.height, bytes))
}

fn whole_level(id: u32, w: u32, h: u32) -> TransferTarget {
    TransferTarget {
        resource: id,
        level: 0,
        usage: 0,
        stride: 0,
        layer_stride: 0,
        region: Box3 {
            x: 0,
            y: 0,
            z: 0,
            w,
            h,
            d: 1,
        },
    }
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_get_rect(
    resource_id: c_int,
    iov: *mut libc::iovec,
    num_iovs: c_uint,
    offset: u32,
    x: c_int,
    y: c_int,
    width: c_int,
    height: c_int,
) {
    let (Ok(x), Ok(y), Ok(w), Ok(h)) = (
        u32::try_from(x),
        u32::try_from(y),
        u32::try_from(width),
        u32::try_from(height),
    ) else {
        return;
    };
    // SAFETY: the caller hands in `num_iovs` valid iovecs (header contract).
    let Some(mut mem) = (unsafe { IovMemory::new(iov, num_iovs as usize) }) else {
        return;
    };
    with_state((), |s| {
        let Some(r) = s.current() else {
            return done(());
        };
        let mut t = whole_level(resource_id as u32, w, h);
        t.region.x = x;
        t.region.y = y;
        let _ = status(
            "get_rect",
            r.transfer_read_memory(None, &t, &mut mem, offset.into()),
        );
        done(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_get_fd_for_texture(_tex_id: u32, _fd: *mut c_int) -> c_int {
    -1
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_get_fd_for_texture2(
    _tex_id: u32,
    _fd: *mut c_int,
    _stride: *mut c_int,
    _offset: *mut c_int,
) -> c_int {
    -1
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_resource_create(
    args: *mut ResourceCreateArgs,
    iov: *mut libc::iovec,
    num_iovs: u32,
) -> c_int {
    // SAFETY: null or a valid args struct (header contract).
    let Some(a) = (unsafe { args.as_ref() }).copied() else {
        return EINVAL;
    };
    let memory = if iov.is_null() || num_iovs == 0 {
        None
    } else {
        // SAFETY: the caller hands in `num_iovs` valid iovecs it keeps until detached.
        match unsafe { IovMemory::new(iov, num_iovs as usize) } {
            Some(m) => Some(m),
            None => return EINVAL,
        }
    };
    with_state(EINVAL, |s| done(resource_create(s, &a, memory)))
}

fn resource_create(s: &mut State, a: &ResourceCreateArgs, memory: Option<IovMemory>) -> c_int {
    let Some(r) = s.current() else {
        return EINVAL;
    };
    if a.handle == 0 {
        log("resource_create: handle 0 is reserved");
        return EINVAL;
    }
    let desc = match ResourceDesc::from_dwords(&[
        a.target,
        a.format,
        a.bind,
        a.width,
        a.height,
        a.depth,
        a.array_size,
        a.last_level,
        a.nr_samples,
    ]) {
        Ok(d) => d,
        Err(e) => {
            log(&format!("resource_create {}: {e}", a.handle));
            return EINVAL;
        }
    };
    let made = status(
        &format!("resource_create {}", a.handle),
        r.create_resource(a.handle, &desc, a.flags),
    );
    if made != 0 {
        return made;
    }
    if let Some(m) = memory {
        let raw = m.raw();
        if r.attach_backing(a.handle, Box::new(m)).is_ok() {
            s.iovs.insert(a.handle, raw);
        }
    }
    0
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_resource_import_eglimage(
    _args: *mut ResourceCreateArgs,
    _image: *mut c_void,
) -> c_int {
    EINVAL
}

#[no_mangle]
pub extern "C" fn virgl_renderer_resource_unref(res_handle: u32) {
    with_state((), |s| {
        s.iovs.remove(&res_handle);
        s.privs.remove(&res_handle);
        if let Some(r) = s.current() {
            // The backing is the caller's memory: dropping our view of it frees nothing.
            drop(r.unref_resource(res_handle));
        }
        done(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_resource_set_priv(res_handle: u32, priv_: *mut c_void) {
    with_state((), |s| {
        if s.renderer
            .as_ref()
            .and_then(|r| r.resource(res_handle))
            .is_some()
        {
            s.privs.insert(res_handle, priv_);
        }
        done(())
    })
}

#[no_mangle]
pub extern "C" fn virgl_renderer_resource_get_priv(res_handle: u32) -> *mut c_void {
    with_state(std::ptr::null_mut(), |s| {
        done(
            s.privs
                .get(&res_handle)
                .copied()
                .unwrap_or(std::ptr::null_mut()),
        )
    })
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_context_create(
    handle: u32,
    nlen: u32,
    name: *const c_char,
) -> c_int {
    // SAFETY: forwarded as received.
    unsafe {
        virgl_renderer_context_create_with_flags(
            handle,
            virgl_proto::caps::CAPSET_VIRGL2,
            nlen,
            name,
        )
    }
}

#[no_mangle]
pub extern "C" fn virgl_renderer_context_destroy(handle: u32) {
    with_state((), |s| {
        s.context_fences.remove(&handle);
        if let Some(r) = s.current() {
            r.destroy_context(handle);
        }
        done(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_submit_cmd(
    buffer: *mut c_void,
    ctx_id: c_int,
    ndw: c_int,
) -> c_int {
    let Ok(ndw) = usize::try_from(ndw) else {
        return EINVAL;
    };
    let Ok(ctx) = u32::try_from(ctx_id) else {
        return EINVAL;
    };
    let stream: &[u8] = if ndw == 0 {
        &[]
    } else if buffer.is_null() {
        return EINVAL;
    } else {
        // SAFETY: the caller hands in `ndw` dwords at `buffer` (header contract).
        unsafe { std::slice::from_raw_parts(buffer.cast::<u8>(), ndw * 4) }
    };
    with_state(EINVAL, |s| {
        let Some(r) = s.current() else {
            return done(EINVAL);
        };
        let ret = status(&format!("context {ctx}"), r.submit(ctx, stream));
        r.backend().flush();
        done(ret)
    })
}

/// The transfer a C call describes; `None` for a null box or a negative level.
unsafe fn target(
    handle: u32,
    level: i64,
    stride: u32,
    layer_stride: u32,
    b: *const VirglBox,
) -> Option<TransferTarget> {
    // SAFETY: null or a valid box (header contract).
    let b = unsafe { b.as_ref() }?;
    Some(TransferTarget {
        resource: handle,
        level: u32::try_from(level).ok()?,
        usage: 0,
        stride,
        layer_stride,
        region: Box3 {
            x: b.x,
            y: b.y,
            z: b.z,
            w: b.w,
            h: b.h,
            d: b.d,
        },
    })
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_transfer_read_iov(
    handle: u32,
    ctx_id: u32,
    level: u32,
    stride: u32,
    layer_stride: u32,
    b: *mut VirglBox,
    offset: u64,
    iov: *mut libc::iovec,
    iovec_cnt: c_int,
) -> c_int {
    // SAFETY: forwarded as received.
    let Some(t) = (unsafe { target(handle, level.into(), stride, layer_stride, b) }) else {
        return EINVAL;
    };
    let memory = match usize::try_from(iovec_cnt) {
        _ if iov.is_null() => None,
        Ok(0) => None,
        // SAFETY: the caller hands in `n` valid iovecs for this call.
        Ok(n) => match unsafe { IovMemory::new(iov, n) } {
            Some(m) => Some(m),
            None => return EINVAL,
        },
        Err(_) => return EINVAL,
    };
    let ctx = (ctx_id != 0).then_some(ctx_id);
    with_state(EINVAL, |s| {
        let Some(r) = s.current() else {
            return done(EINVAL);
        };
        let what = format!("transfer_read_iov of resource {handle}");
        done(match memory {
            Some(mut m) => status(&what, r.transfer_read_memory(ctx, &t, &mut m, offset)),
            None => status(&what, r.transfer_read(ctx, &t, offset)),
        })
    })
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_transfer_write_iov(
    handle: u32,
    ctx_id: u32,
    level: c_int,
    stride: u32,
    layer_stride: u32,
    b: *mut VirglBox,
    offset: u64,
    iov: *mut libc::iovec,
    iovec_cnt: c_uint,
) -> c_int {
    // SAFETY: forwarded as received.
    let Some(t) = (unsafe { target(handle, level.into(), stride, layer_stride, b) }) else {
        return EINVAL;
    };
    let memory = if iov.is_null() || iovec_cnt == 0 {
        None
    } else {
        // SAFETY: the caller hands in `iovec_cnt` valid iovecs for this call.
        match unsafe { IovMemory::new(iov, iovec_cnt as usize) } {
            Some(m) => Some(m),
            None => return EINVAL,
        }
    };
    let ctx = (ctx_id != 0).then_some(ctx_id);
    with_state(EINVAL, |s| {
        let Some(r) = s.current() else {
            return done(EINVAL);
        };
        let src = match &memory {
            Some(m) => GuestBytes::Memory(m as &dyn Backing, offset),
            None => GuestBytes::Backing(offset),
        };
        let ret = status(
            &format!("transfer_write_iov of resource {handle}"),
            r.transfer_write(ctx, &t, src),
        );
        r.backend().flush();
        done(ret)
    })
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_get_cap_set(
    set: u32,
    max_ver: *mut u32,
    max_size: *mut u32,
) {
    let (ver, size) =
        virgl_host::caps::Caps::capset_info(set).map_or((0, 0), |(v, n)| (v, n as u32));
    // SAFETY: null or valid out-pointers (header contract); this needs no init.
    unsafe {
        if let Some(p) = max_ver.as_mut() {
            *p = ver;
        }
        if let Some(p) = max_size.as_mut() {
            *p = size;
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_fill_caps(set: u32, version: u32, caps: *mut c_void) {
    if caps.is_null() {
        return;
    }
    let payload = with_state(None, |s| {
        done(
            s.renderer
                .as_ref()
                .and_then(|r| r.backend().caps().capset(set, version)),
        )
    });
    let Some(payload) = payload else {
        return;
    };
    let max = virgl_host::caps::Caps::capset_info(set).map_or(0, |(_, n)| n);
    // SAFETY: the caller's buffer holds get_cap_set's max_size bytes, and no more are written.
    unsafe { std::ptr::copy_nonoverlapping(payload.as_ptr(), caps.cast(), payload.len().min(max)) };
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_resource_attach_iov(
    res_handle: c_int,
    iov: *mut libc::iovec,
    num_iovs: c_int,
) -> c_int {
    let Ok(n) = usize::try_from(num_iovs) else {
        return EINVAL;
    };
    // SAFETY: the caller hands in `n` valid iovecs it keeps until it detaches them.
    let Some(memory) = (unsafe { IovMemory::new(iov, n) }) else {
        return EINVAL;
    };
    let id = res_handle as u32;
    with_state(EINVAL, |s| {
        let Some(r) = s.current() else {
            return done(EINVAL);
        };
        let raw = memory.raw();
        let ret = status(
            &format!("attach_iov to resource {id}"),
            r.attach_backing(id, Box::new(memory)),
        );
        if ret == 0 {
            s.iovs.insert(id, raw);
        }
        done(ret)
    })
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_resource_detach_iov(
    res_handle: c_int,
    iov: *mut *mut libc::iovec,
    num_iovs: *mut c_int,
) {
    let id = res_handle as u32;
    let lent = with_state(None, |s| {
        let Some(r) = s.current() else {
            return done(None);
        };
        if r.resource(id).is_none() {
            return done(None);
        }
        drop(r.detach_backing(id));
        done(Some(s.iovs.remove(&id).unwrap_or((std::ptr::null(), 0))))
    });
    if let Some((p, n)) = lent {
        // SAFETY: null or valid out-pointers (header contract).
        unsafe {
            if let Some(out) = iov.as_mut() {
                *out = p.cast_mut();
            }
            if let Some(out) = num_iovs.as_mut() {
                *out = n as c_int;
            }
        }
    }
}

#[no_mangle]
pub extern "C" fn virgl_renderer_create_fence(client_fence_id: c_int, _ctx_id: u32) -> c_int {
    // QEMU 7.2 passes the command type as `ctx_id`; like virglrenderer, it is not read.
    with_state(EINVAL, |s| {
        if s.renderer.is_none() {
            return done(EINVAL);
        }
        s.fences.push(client_fence_id as u32);
        done(0)
    })
}

#[no_mangle]
pub extern "C" fn virgl_renderer_force_ctx_0() {
    with_state((), |s| {
        s.current();
        done(())
    })
}

#[no_mangle]
pub extern "C" fn virgl_renderer_ctx_attach_resource(ctx_id: c_int, res_handle: c_int) {
    with_state((), |s| {
        if let Some(r) = s.current() {
            let _ = status(
                "ctx_attach_resource",
                r.attach_resource(ctx_id as u32, res_handle as u32),
            );
        }
        done(())
    })
}

#[no_mangle]
pub extern "C" fn virgl_renderer_ctx_detach_resource(ctx_id: c_int, res_handle: c_int) {
    with_state((), |s| {
        if let Some(r) = s.renderer.as_mut() {
            r.detach_resource(ctx_id as u32, res_handle as u32);
        }
        done(())
    })
}

#[no_mangle]
pub extern "C" fn virgl_set_debug_callback(cb: abi::DebugCallback) -> abi::DebugCallback {
    with_state(None, |s| done(std::mem::replace(&mut s.debug, cb)))
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_resource_get_info(
    res_handle: c_int,
    info: *mut ResourceInfo,
) -> c_int {
    let found = with_state(None, |s| {
        let Some(r) = s.current() else {
            return done(None);
        };
        let id = res_handle as u32;
        let Some(res) = r.resource(id) else {
            return done(None);
        };
        let d = res.desc;
        let i = ResourceInfo {
            handle: id,
            virgl_format: d.format as u32,
            width: d.width,
            height: d.height,
            depth: d.depth,
            // Every resource is stored with row 0 at the top, as the guest lays it out, so the
            // flag is never set: QEMU then flips rows when it shows the texture, as that
            // storage needs. virglrenderer stores Y_0_TOP resources upside down instead, and
            // says so with the flag.
            flags: 0,
            tex_id: r.backend().texture_name(id).unwrap_or(0),
            stride: d
                .format
                .row_bytes(d.width)
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0),
            drm_fourcc: 0,
        };
        // QEMU samples the texture in its own context next.
        r.backend().flush();
        done(Some(i))
    });
    match found {
        // QEMU 7.2 takes only -1 for an unknown resource.
        None => -1,
        Some(_) if info.is_null() => EINVAL,
        Some(i) => {
            // SAFETY: checked non-null; the caller's struct.
            unsafe { *info = i };
            0
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_cleanup(_cookie: *mut c_void) {
    with_state((), |s| {
        s.clear(false);
        done(())
    })
}

#[no_mangle]
pub extern "C" fn virgl_renderer_reset() {
    with_state((), |s| {
        s.clear(true);
        done(())
    })
}

#[no_mangle]
pub extern "C" fn virgl_renderer_get_poll_fd() -> c_int {
    // Fences retire when made, so there is never anything to wait for.
    -1
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_execute(
    execute_args: *mut c_void,
    execute_size: u32,
) -> c_int {
    let size = std::mem::size_of::<abi::SupportedStructures>();
    if execute_args.is_null() || (execute_size as usize) < std::mem::size_of::<abi::StructHdr>() {
        return -EINVAL;
    }
    // SAFETY: the caller's structure is at least a header long (checked).
    let hdr = unsafe { execute_args.cast::<abi::StructHdr>().read_unaligned() };
    if hdr.stype != abi::STRUCTURE_TYPE_SUPPORTED_STRUCTURES
        || execute_size as usize != size
        || hdr.size as usize != size
    {
        return -EINVAL;
    }
    let p = execute_args.cast::<abi::SupportedStructures>();
    // SAFETY: the structure is a whole SupportedStructures (size checked).
    unsafe {
        let mut q = p.read_unaligned();
        // Only this query is offered; no structure type is, at any version.
        q.out_supported_structures_mask = if q.in_stype_version == 0 {
            abi::STRUCTURE_TYPE_SUPPORTED_STRUCTURES
        } else {
            0
        };
        p.write_unaligned(q);
    }
    0
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_context_create_with_flags(
    ctx_id: u32,
    ctx_flags: u32,
    nlen: u32,
    name: *const c_char,
) -> c_int {
    let capset = ctx_flags & abi::CONTEXT_FLAG_CAPSET_ID_MASK;
    if ctx_id == 0 || ctx_flags & !abi::CONTEXT_FLAG_CAPSET_ID_MASK != 0 {
        return EINVAL;
    }
    if capset != virgl_proto::caps::CAPSET_VIRGL && capset != virgl_proto::caps::CAPSET_VIRGL2 {
        return EINVAL;
    }
    // QEMU's name is a 64-byte array and `nlen` is the guest's: read at most 64, up to a NUL.
    let name = if name.is_null() {
        String::new()
    } else {
        let n = (nlen as usize).min(64);
        // SAFETY: the caller's name holds `nlen` bytes, and QEMU's at least 64.
        let bytes = unsafe { std::slice::from_raw_parts(name.cast::<u8>(), n) };
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(n);
        String::from_utf8_lossy(&bytes[..end]).into_owned()
    };
    with_state(EINVAL, |s| {
        let Some(r) = s.current() else {
            return done(EINVAL);
        };
        if r.context(ctx_id).is_some() {
            // Every context here speaks virgl; asking again for one that exists is fine.
            return done(0);
        }
        done(status(
            &format!("context_create {ctx_id}"),
            r.create_context(ctx_id, &name),
        ))
    })
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_resource_create_blob(
    _args: *const abi::ResourceCreateBlobArgs,
) -> c_int {
    -EINVAL
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_resource_map(
    _res_handle: u32,
    _map: *mut *mut c_void,
    _out_size: *mut u64,
) -> c_int {
    -EINVAL
}

#[no_mangle]
pub extern "C" fn virgl_renderer_resource_unmap(_res_handle: u32) -> c_int {
    -EINVAL
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_resource_get_map_info(
    _res_handle: u32,
    _map_info: *mut u32,
) -> c_int {
    -EINVAL
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_resource_export_blob(
    _res_id: u32,
    _fd_type: *mut u32,
    _fd: *mut c_int,
) -> c_int {
    -EINVAL
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_resource_import_blob(
    _args: *const abi::ResourceImportBlobArgs,
) -> c_int {
    -EINVAL
}

#[no_mangle]
pub unsafe extern "C" fn virgl_renderer_export_fence(
    _client_fence_id: u32,
    _fd: *mut c_int,
) -> c_int {
    -EINVAL
}

#[no_mangle]
pub extern "C" fn virgl_renderer_context_create_fence(
    ctx_id: u32,
    _flags: u32,
    ring_idx: u32,
    fence_id: u64,
) -> c_int {
    with_state(-EINVAL, |s| {
        let known = s
            .renderer
            .as_ref()
            .and_then(|r| r.context(ctx_id))
            .is_some();
        let can_report = s
            .callbacks()
            .is_some_and(|(cbs, _)| cbs.write_context_fence.is_some());
        if !known || !can_report {
            return done(-EINVAL);
        }
        let fences = s.context_fences.entry(ctx_id).or_default();
        fences.pending.push((ring_idx, fence_id));
        signal(fences);
        done(0)
    })
}

#[no_mangle]
pub extern "C" fn virgl_renderer_context_poll(ctx_id: u32) {
    with_state((), |s| ((), s.context_poll(ctx_id)))
}

#[no_mangle]
pub extern "C" fn virgl_renderer_context_get_poll_fd(ctx_id: u32) -> c_int {
    with_state(-1, |s| done(s.context_poll_fd(ctx_id)))
}
