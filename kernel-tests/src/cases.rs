//! The cases. Negative cases assert the exact errno the 6.1 driver returns (each was observed in
//! the guest and checked against `drivers/gpu/drm/virtio/virtgpu_ioctl.c`).

use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use virgl_guest::conform::Outcome;
use virgl_guest::sys::{poll_readable, Mapping};
use virgl_guest::virtgpu::{self, get_caps};
use virgl_guest::{Errno, Error, Result};
use virgl_proto::caps::{CapsV1, CapsV2};
use virgl_proto::ccmd::Command;
use virgl_proto::virtgpu::{self as uapi, context_param, execbuf, ioctl, param, WAIT_NOWAIT};

use crate::dev::{texture_args, whole, Dev, BAD_PTR};
use crate::{Case, Fixture};

macro_rules! cases {
    ($($name:ident),+ $(,)?) => {
        /// Every case, in the order they run (the kernel log check last).
        pub const CASES: &[Case] = &[$(Case { name: stringify!($name), run: $name }),+];
    };
}

cases![
    getparam_3d_features,
    getparam_capset_query_fix,
    getparam_resource_blob,
    getparam_host_visible,
    getparam_cross_device,
    getparam_context_init,
    getparam_supported_capset_ids,
    getparam_explicit_debug_name,
    getparam_unknown_id_einval,
    getparam_bad_pointer_efault,
    get_caps_v1,
    get_caps_v2,
    get_caps_every_supported_capset,
    get_caps_unsupported_capset_einval,
    get_caps_version_too_high_einval,
    get_caps_small_buffer_truncates,
    get_caps_bad_pointer_efault,
    resource_create_texture,
    resource_create_buffer,
    resource_create_zero_size,
    resource_info_reports_creation,
    resource_info_invalid_handle_enoent,
    map_and_mmap_roundtrip,
    map_invalid_handle_enoent,
    mmap_beyond_object_einval,
    transfer_roundtrip_through_mmap,
    transfer_invalid_handle_enoent,
    transfer_with_stride_einval,
    wait_idle_nowait_succeeds,
    wait_busy_nowait_ebusy,
    wait_invalid_handle_enoent,
    execbuffer_out_fence_signals,
    execbuffer_in_fence_accepted,
    execbuffer_bad_flags_einval,
    execbuffer_bad_in_fence_einval,
    execbuffer_bad_bo_handle_enoent,
    execbuffer_bad_bo_pointer_efault,
    execbuffer_bad_command_pointer_efault,
    execbuffer_empty,
    execbuffer_unaligned_size,
    execbuffer_oversized,
    execbuffer_ring_idx_without_rings_einval,
    resource_create_blob,
    resource_create_blob_unsupported_einval,
    context_init,
    context_init_unsupported_einval,
    context_init_twice_einval,
    gem_close_then_use_enoent,
    gem_close_twice_einval,
    gem_close_invalid_einval,
    prime_export_import_between_fds,
    prime_import_outlives_exporter,
    prime_export_invalid_handle_enoent,
    prime_import_non_dmabuf_einval,
    unknown_driver_ioctl_einval,
    kernel_log_clean,
];

fn errno_name(n: i32) -> String {
    format!("{:?}", Errno::from_raw(n))
}

/// Passes when `r` failed with exactly `want`.
fn expect_errno<T>(r: Result<T>, want: i32, what: &str) -> Outcome {
    match r {
        Err(e) if e.errno() == Some(Errno::from_raw(want)) => Outcome::pass(format!(
            "{what} failed with {} as expected",
            errno_name(want)
        )),
        Err(e) => Outcome::fail(format!("{what}: expected {}, got {e}", errno_name(want))),
        Ok(_) => Outcome::fail(format!(
            "{what}: expected {}, but it succeeded",
            errno_name(want)
        )),
    }
}

fn param_case(
    fx: &Fixture,
    id: u64,
    name: &str,
    check: impl Fn(i32) -> Option<String>,
) -> Result<Outcome> {
    let dev = fx.open()?;
    let v = dev.getparam(id)?;
    Ok(match check(v) {
        None => Outcome::pass(format!("GETPARAM {name} ({id}) = {v}")),
        Some(problem) => Outcome::fail(format!("GETPARAM {name} ({id}) = {v}: {problem}")),
    })
}

fn boolean(v: i32) -> Option<String> {
    (v != 0 && v != 1).then(|| "expected 0 or 1".into())
}

fn getparam_3d_features(fx: &Fixture) -> Result<Outcome> {
    param_case(fx, param::FEATURES_3D, "3D_FEATURES", |v| {
        (v != 1).then(|| "expected 1 (virgl)".into())
    })
}
fn getparam_capset_query_fix(fx: &Fixture) -> Result<Outcome> {
    param_case(fx, param::CAPSET_QUERY_FIX, "CAPSET_QUERY_FIX", |v| {
        (v != 1).then(|| "expected 1".into())
    })
}
fn getparam_resource_blob(fx: &Fixture) -> Result<Outcome> {
    param_case(fx, param::RESOURCE_BLOB, "RESOURCE_BLOB", boolean)
}
fn getparam_host_visible(fx: &Fixture) -> Result<Outcome> {
    param_case(fx, param::HOST_VISIBLE, "HOST_VISIBLE", boolean)
}
fn getparam_cross_device(fx: &Fixture) -> Result<Outcome> {
    param_case(fx, param::CROSS_DEVICE, "CROSS_DEVICE", boolean)
}
fn getparam_context_init(fx: &Fixture) -> Result<Outcome> {
    param_case(fx, param::CONTEXT_INIT, "CONTEXT_INIT", boolean)
}
fn getparam_supported_capset_ids(fx: &Fixture) -> Result<Outcome> {
    param_case(
        fx,
        param::SUPPORTED_CAPSET_IDS,
        "SUPPORTED_CAPSET_IDs",
        |v| (v & 0b110 != 0b110).then(|| "expected bits 1 (VIRGL) and 2 (VIRGL2)".into()),
    )
}

fn getparam_explicit_debug_name(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    Ok(match dev.getparam(param::EXPLICIT_DEBUG_NAME) {
        Ok(v) => match boolean(v) {
            None => Outcome::pass(format!("GETPARAM EXPLICIT_DEBUG_NAME (8) = {v}")),
            Some(p) => Outcome::fail(format!("GETPARAM EXPLICIT_DEBUG_NAME (8) = {v}: {p}")),
        },
        Err(e) if e.errno() == Some(Errno::EINVAL) => Outcome::skip(
            "this kernel predates VIRTGPU_PARAM_EXPLICIT_DEBUG_NAME (GETPARAM 8 gives EINVAL)",
        ),
        Err(e) => return Err(e),
    })
}

fn getparam_unknown_id_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    for id in [0, 1000] {
        let o = expect_errno(dev.getparam(id), libc::EINVAL, &format!("GETPARAM {id}"));
        if o.verdict != virgl_guest::conform::Verdict::Pass {
            return Ok(o);
        }
    }
    Ok(Outcome::pass("GETPARAM 0 and 1000 fail with EINVAL"))
}

fn getparam_bad_pointer_efault(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let mut arg = uapi::GetParam {
        param: param::FEATURES_3D,
        value: BAD_PTR,
    };
    // SAFETY: the only pointer is BAD_PTR, which the kernel refuses to write through.
    let r = unsafe { dev.raw(ioctl::GETPARAM, &mut arg, "DRM_IOCTL_VIRTGPU_GETPARAM") };
    Ok(expect_errno(
        r,
        libc::EFAULT,
        "GETPARAM with a kernel-space value pointer",
    ))
}

fn get_caps_v1(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let mut buf = vec![0u8; CapsV1::SIZE];
    get_caps(dev.fd(), 1, 1, &mut buf)?;
    let caps = CapsV1::from_bytes(&buf)?;
    Ok(
        if caps.max_version == 1 && caps.sampler.formats().count() > 10 {
            Outcome::pass(format!(
                "capset 1 v1: 308 bytes, max_version 1, {} sampler formats",
                caps.sampler.formats().count()
            ))
        } else {
            Outcome::fail(format!(
                "capset 1: max_version {}, {} sampler formats",
                caps.max_version,
                caps.sampler.formats().count()
            ))
        },
    )
}

fn get_caps_v2(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let mut buf = vec![0u8; CapsV2::SIZE];
    get_caps(dev.fd(), 2, 2, &mut buf)?;
    let caps = CapsV2::from_bytes(&buf)?;
    Ok(
        if caps.v1.max_version == 2
            && caps.max_texture_2d_size >= 2048
            && !caps.renderer().is_empty()
        {
            Outcome::pass(format!(
                "capset 2 v2: max_version 2, max 2D {}, renderer {:?}",
                caps.max_texture_2d_size,
                caps.renderer()
            ))
        } else {
            Outcome::fail(format!(
                "capset 2: max_version {}, max 2D {}",
                caps.v1.max_version, caps.max_texture_2d_size
            ))
        },
    )
}

fn get_caps_every_supported_capset(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let ids = dev.getparam(param::SUPPORTED_CAPSET_IDS)?;
    let mut seen = Vec::new();
    for id in 1..32u32 {
        let mut buf = vec![0u8; 4096];
        let r = get_caps(dev.fd(), id, 1, &mut buf);
        let supported = ids & (1 << id) != 0;
        match (supported, &r) {
            (true, Ok(())) => seen.push(id),
            (false, Err(e)) if e.errno() == Some(Errno::EINVAL) => {}
            _ => {
                return Ok(Outcome::fail(format!(
                "capset {id}: SUPPORTED_CAPSET_IDs {ids:#x} says {supported}, GET_CAPS gave {r:?}"
            )))
            }
        }
    }
    Ok(Outcome::pass(format!("GET_CAPS answers exactly the capsets {seen:?} named by SUPPORTED_CAPSET_IDs {ids:#x}; others EINVAL")))
}

fn get_caps_unsupported_capset_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let ids = dev.getparam(param::SUPPORTED_CAPSET_IDS)?;
    let Some(id) = (1..32u32).find(|id| ids & (1 << id) == 0) else {
        return Ok(Outcome::skip(format!(
            "SUPPORTED_CAPSET_IDs {ids:#x} names every capset 1-31; none is unsupported"
        )));
    };
    let mut buf = vec![0u8; 64];
    Ok(expect_errno(
        get_caps(dev.fd(), id, 0, &mut buf),
        libc::EINVAL,
        &format!("GET_CAPS capset {id} (not in SUPPORTED_CAPSET_IDs {ids:#x})"),
    ))
}

fn get_caps_version_too_high_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let mut buf = vec![0u8; CapsV1::SIZE];
    Ok(expect_errno(
        get_caps(dev.fd(), 1, 99, &mut buf),
        libc::EINVAL,
        "GET_CAPS capset 1 version 99",
    ))
}

fn get_caps_small_buffer_truncates(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let mut full = vec![0u8; CapsV1::SIZE];
    get_caps(dev.fd(), 1, 1, &mut full)?;
    let mut buf = [0xa5u8; 64];
    get_caps(dev.fd(), 1, 1, &mut buf[..16])?;
    Ok(
        if buf[..16] == full[..16] && buf[16..].iter().all(|&b| b == 0xa5) {
            Outcome::pass("GET_CAPS with a 16-byte buffer copies exactly the first 16 bytes of capset 1 and nothing past them")
        } else {
            Outcome::fail(format!(
                "first 16 bytes {:?} vs {:?}; bytes past 16 touched: {}",
                &buf[..16],
                &full[..16],
                buf[16..].iter().any(|&b| b != 0xa5)
            ))
        },
    )
}

fn get_caps_bad_pointer_efault(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let mut arg = uapi::GetCaps {
        cap_set_id: 1,
        cap_set_ver: 1,
        addr: BAD_PTR,
        size: 308,
        pad: 0,
    };
    // SAFETY: the only pointer is BAD_PTR.
    let r = unsafe { dev.raw(ioctl::GET_CAPS, &mut arg, "DRM_IOCTL_VIRTGPU_GET_CAPS") };
    Ok(expect_errno(
        r,
        libc::EFAULT,
        "GET_CAPS into a kernel-space address",
    ))
}

fn resource_create_texture(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let a = dev.texture(64, 64)?;
    let b = dev.texture(64, 64)?;
    Ok(
        if a.handle != 0
            && b.handle != 0
            && a.handle != b.handle
            && a.res_handle != b.res_handle
            && a.res_handle != 0
        {
            Outcome::pass(format!(
                "two 64x64 BGRA8 textures: GEM handles {} and {}, resource ids {} and {}",
                a.handle, b.handle, a.res_handle, b.res_handle
            ))
        } else {
            Outcome::fail(format!("handles {a:?} {b:?}"))
        },
    )
}

fn resource_create_buffer(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let b = dev.buffer(65536)?;
    let info = virtgpu::resource_info(dev.fd(), b.handle)?;
    Ok(if info.res_handle == b.res_handle && info.size >= 65536 {
        Outcome::pass(format!(
            "65536-byte buffer: resource {}, RESOURCE_INFO size {}",
            b.res_handle, info.size
        ))
    } else {
        Outcome::fail(format!("created {b:?}, info {info:?}"))
    })
}

fn resource_create_zero_size(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let b = dev.create(uapi::ResourceCreate {
        size: 0,
        ..texture_args(4, 4)
    })?;
    let info = virtgpu::resource_info(dev.fd(), b.handle)?;
    Ok(if info.size == 4096 {
        Outcome::pass("RESOURCE_CREATE with size 0 succeeds with a one-page (4096-byte) object, as the driver substitutes PAGE_SIZE")
    } else {
        Outcome::fail(format!("size 0 gave object size {}", info.size))
    })
}

fn resource_info_reports_creation(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let b = dev.texture(32, 16)?;
    let info = virtgpu::resource_info(dev.fd(), b.handle)?;
    // The backing is whole pages: 2048 bytes asked, one page given.
    Ok(
        if info.bo_handle == b.handle && info.res_handle == b.res_handle && info.size == 4096 {
            Outcome::pass(format!(
            "RESOURCE_INFO: bo {} resource {} match RESOURCE_CREATE; the 2048-byte backing is rounded up to one 4096-byte page",
            info.bo_handle, info.res_handle
        ))
        } else {
            Outcome::fail(format!("created {b:?}, info {info:?}"))
        },
    )
}

fn resource_info_invalid_handle_enoent(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    Ok(expect_errno(
        virtgpu::resource_info(dev.fd(), 0xdead),
        libc::ENOENT,
        "RESOURCE_INFO on handle 0xdead",
    ))
}

fn map_and_mmap_roundtrip(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let b = dev.buffer(8192)?;
    let off = virtgpu::map_offset(dev.fd(), b.handle)?;
    let mut m = Mapping::new(dev.fd(), off, 8192, "mmap bo")?;
    m.as_mut_slice()[..4].copy_from_slice(b"virg");
    m.as_mut_slice()[8191] = 0x5a;
    drop(m);
    let off2 = virtgpu::map_offset(dev.fd(), b.handle)?;
    let m = Mapping::new(dev.fd(), off2, 8192, "mmap bo again")?;
    Ok(
        if off == off2 && &m.as_slice()[..4] == b"virg" && m.as_slice()[8191] == 0x5a {
            Outcome::pass(format!("MAP gives offset {off:#x} (stable across calls); bytes written through one mapping read back through a second"))
        } else {
            Outcome::fail(format!(
                "offsets {off:#x}/{off2:#x}, contents {:?}",
                &m.as_slice()[..4]
            ))
        },
    )
}

fn map_invalid_handle_enoent(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    Ok(expect_errno(
        virtgpu::map_offset(dev.fd(), 0xdead),
        libc::ENOENT,
        "MAP on handle 0xdead",
    ))
}

fn mmap_beyond_object_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let b = dev.buffer(4096)?;
    let off = virtgpu::map_offset(dev.fd(), b.handle)?;
    Ok(expect_errno(
        Mapping::new(dev.fd(), off, 3 * 4096, "mmap 3 pages of a 1-page bo"),
        libc::EINVAL,
        "mmap of 3 pages of a 1-page object",
    ))
}

fn transfer_roundtrip_through_mmap(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let (w, h) = (32, 8);
    let b = dev.texture(w, h)?;
    let off = virtgpu::map_offset(dev.fd(), b.handle)?;
    let mut m = Mapping::new(dev.fd(), off, (w * h * 4) as usize, "mmap texture")?;
    let pattern: Vec<u8> = (0..w * h * 4).map(|i| (i * 7 + 3) as u8).collect();
    m.as_mut_slice().copy_from_slice(&pattern);
    dev.transfer(true, &mut whole(b.handle, w, h))?;
    dev.wait(b.handle, 0)?;
    m.as_mut_slice().fill(0);
    dev.transfer(false, &mut whole(b.handle, w, h))?;
    dev.wait(b.handle, 0)?;
    Ok(if m.as_slice() == &pattern[..] {
        Outcome::pass("32x8 texture: pattern written via mmap, TRANSFER_TO_HOST, mapping zeroed, TRANSFER_FROM_HOST + WAIT: mmap reads the pattern back")
    } else {
        let i = m
            .as_slice()
            .iter()
            .zip(&pattern)
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        Outcome::fail(format!("byte {i}: {} != {}", m.as_slice()[i], pattern[i]))
    })
}

fn transfer_invalid_handle_enoent(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    Ok(expect_errno(
        dev.transfer(true, &mut whole(0xdead, 4, 4)),
        libc::ENOENT,
        "TRANSFER_TO_HOST on handle 0xdead",
    ))
}

fn transfer_with_stride_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let b = dev.texture(16, 16)?;
    let mut t = whole(b.handle, 16, 16);
    t.stride = 64;
    let to = expect_errno(
        dev.transfer(true, &mut t),
        libc::EINVAL,
        "TRANSFER_TO_HOST with stride 64 on a non-blob resource",
    );
    let from = expect_errno(
        dev.transfer(false, &mut t),
        libc::EINVAL,
        "TRANSFER_FROM_HOST with stride 64",
    );
    Ok(if from.verdict == to.verdict {
        Outcome {
            detail: format!("{}; {}", to.detail, from.detail),
            ..to
        }
    } else if to.verdict == virgl_guest::conform::Verdict::Pass {
        from
    } else {
        to
    })
}

fn wait_idle_nowait_succeeds(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let b = dev.texture(8, 8)?;
    dev.wait(b.handle, 0)?;
    dev.wait(b.handle, WAIT_NOWAIT)?;
    Ok(Outcome::pass(
        "WAIT with NOWAIT on an idle resource returns 0",
    ))
}

fn wait_busy_nowait_ebusy(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let (w, h) = (1024, 1024);
    let b = dev.texture(w, h)?;
    for attempt in 1..=5 {
        dev.transfer(false, &mut whole(b.handle, w, h))?;
        let r = dev.wait(b.handle, WAIT_NOWAIT);
        dev.wait(b.handle, 0)?;
        match r {
            Err(e) if e.errno() == Some(Errno::EBUSY) => {
                return Ok(Outcome::pass(format!(
                    "WAIT NOWAIT right after a 4 MiB TRANSFER_FROM_HOST fails with EBUSY (attempt {attempt}); a blocking WAIT then succeeds"
                )))
            }
            Err(e) => return Ok(Outcome::fail(format!("WAIT NOWAIT on a busy resource: expected EBUSY, got {e}"))),
            Ok(()) => {}
        }
    }
    // A host that finishes a 4 MiB transfer before the next ioctl arrives leaves nothing
    // busy to observe; that is speed, not a wrong answer.
    Ok(Outcome::skip(
        "the host finished a 4 MiB TRANSFER_FROM_HOST before WAIT NOWAIT in 5 attempts, so no busy resource could be observed",
    ))
}

fn wait_invalid_handle_enoent(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    Ok(expect_errno(
        dev.wait(0xdead, 0),
        libc::ENOENT,
        "WAIT on handle 0xdead",
    ))
}

/// A stream the host accepts: select sub-context 0, which always exists.
fn harmless_stream() -> Vec<u32> {
    let mut v = Vec::new();
    Command::SetSubCtx(0).encode(&mut v).expect("encodes");
    v
}

fn execbuffer_out_fence_signals(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let b = dev.texture(8, 8)?;
    let start = Instant::now();
    let fence = dev
        .submit(&harmless_stream(), &[b.handle], execbuf::FENCE_FD_OUT, None)?
        .ok_or_else(|| Error::NoDevice("no out-fence fd returned".into()))?;
    let signalled = poll_readable(fence.as_fd(), Duration::from_secs(10), "poll out-fence")?;
    Ok(if signalled {
        Outcome::pass(format!(
            "EXECBUFFER with FENCE_FD_OUT returns a sync file that becomes readable (after {:?})",
            start.elapsed()
        ))
    } else {
        Outcome::fail("out-fence did not signal within 10 s")
    })
}

fn execbuffer_in_fence_accepted(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let first = dev
        .submit(&harmless_stream(), &[], execbuf::FENCE_FD_OUT, None)?
        .ok_or_else(|| Error::NoDevice("no out-fence fd returned".into()))?;
    let second = dev
        .submit(
            &harmless_stream(),
            &[],
            execbuf::FENCE_FD_IN | execbuf::FENCE_FD_OUT,
            Some(first.as_fd()),
        )?
        .ok_or_else(|| Error::NoDevice("no out-fence fd returned".into()))?;
    let ok = poll_readable(second.as_fd(), Duration::from_secs(10), "poll out-fence")?;
    Ok(if ok {
        Outcome::pass("a submission's out-fence accepted as the next one's FENCE_FD_IN; the second out-fence signals")
    } else {
        Outcome::fail("chained out-fence did not signal within 10 s")
    })
}

fn execbuffer_bad_flags_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    Ok(expect_errno(
        dev.submit(&harmless_stream(), &[], 0x80, None),
        libc::EINVAL,
        "EXECBUFFER with flag 0x80",
    ))
}

fn execbuffer_bad_in_fence_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let not_a_fence =
        std::fs::File::open("/proc/self/stat").map_err(|e| Error::io("open /proc/self/stat", e))?;
    Ok(expect_errno(
        dev.submit(
            &harmless_stream(),
            &[],
            execbuf::FENCE_FD_IN,
            Some(not_a_fence.as_fd()),
        ),
        libc::EINVAL,
        "EXECBUFFER with FENCE_FD_IN naming a non-sync-file fd",
    ))
}

fn execbuffer_bad_bo_handle_enoent(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    Ok(expect_errno(
        dev.submit(&harmless_stream(), &[0xdead], 0, None),
        libc::ENOENT,
        "EXECBUFFER naming bo handle 0xdead",
    ))
}

fn execbuffer_raw(dev: &Dev, arg: &mut uapi::Execbuffer) -> Result<()> {
    // SAFETY: callers put only BAD_PTR or pointers to live data in arg.
    unsafe { dev.raw(ioctl::EXECBUFFER, arg, "DRM_IOCTL_VIRTGPU_EXECBUFFER") }
}

fn execbuffer_bad_bo_pointer_efault(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let stream = harmless_stream();
    let mut arg = uapi::Execbuffer {
        size: (stream.len() * 4) as u32,
        command: stream.as_ptr() as u64,
        bo_handles: BAD_PTR,
        num_bo_handles: 1,
        fence_fd: -1,
        ..Default::default()
    };
    Ok(expect_errno(
        execbuffer_raw(&dev, &mut arg),
        libc::EFAULT,
        "EXECBUFFER with a kernel-space bo_handles pointer",
    ))
}

fn execbuffer_bad_command_pointer_efault(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let mut arg = uapi::Execbuffer {
        size: 64,
        command: BAD_PTR,
        fence_fd: -1,
        ..Default::default()
    };
    Ok(expect_errno(
        execbuffer_raw(&dev, &mut arg),
        libc::EFAULT,
        "EXECBUFFER with a kernel-space command pointer",
    ))
}

fn execbuffer_empty(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let fence = dev.submit(&[], &[], execbuf::FENCE_FD_OUT, None)?;
    let signalled = match &fence {
        Some(f) => poll_readable(f.as_fd(), Duration::from_secs(10), "poll out-fence")?,
        None => false,
    };
    Ok(if signalled {
        Outcome::pass("EXECBUFFER with size 0 is accepted and its out-fence signals")
    } else {
        Outcome::fail(format!(
            "size-0 submission: fence {fence:?}, signalled {signalled}"
        ))
    })
}

fn execbuffer_unaligned_size(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let stream = harmless_stream();
    let mut arg = uapi::Execbuffer {
        flags: execbuf::FENCE_FD_OUT,
        size: 5,
        command: stream.as_ptr() as u64,
        fence_fd: -1,
        ..Default::default()
    };
    execbuffer_raw(&dev, &mut arg)?;
    if arg.fence_fd < 0 {
        return Ok(Outcome::fail(format!(
            "EXECBUFFER with FENCE_FD_OUT succeeded but returned fence_fd {}",
            arg.fence_fd
        )));
    }
    // SAFETY: the kernel installed this non-negative out-fence fd for us; we are its only owner.
    let fence: std::os::fd::OwnedFd = unsafe { std::os::fd::FromRawFd::from_raw_fd(arg.fence_fd) };
    let signalled = poll_readable(fence.as_fd(), Duration::from_secs(10), "poll out-fence")?;
    // The device still works afterwards.
    let after = dev.submit(&harmless_stream(), &[], 0, None);
    Ok(if signalled && after.is_ok() {
        Outcome::pass("EXECBUFFER of 5 bytes (not a whole dword) is not validated by the kernel: accepted, its fence signals, and the file still submits")
    } else {
        Outcome::fail(format!(
            "5-byte submission: fence signalled {signalled}, next submit {after:?}"
        ))
    })
}

fn execbuffer_oversized(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    // Far beyond what the guest could allocate: the kernel's copy of the stream must fail
    // cleanly. (Just under INT_MAX: above it, 6.1's kvmalloc_node hits a WARN_ON_ONCE, which
    // the kernel log check would rightly report.)
    let stream = harmless_stream();
    let mut arg = uapi::Execbuffer {
        size: 0x7fff_f000,
        command: stream.as_ptr() as u64,
        fence_fd: -1,
        ..Default::default()
    };
    let r = execbuffer_raw(&dev, &mut arg);
    Ok(match r {
        Err(e) if matches!(e.errno(), Some(Errno::ENOMEM) | Some(Errno::EFAULT)) => {
            Outcome::pass(format!(
                "EXECBUFFER claiming a 2 GiB stream fails with {} and the guest survives",
                e.errno().map(|e| format!("{e:?}")).unwrap_or_default()
            ))
        }
        Err(e) => Outcome::fail(format!(
            "2 GiB EXECBUFFER: expected ENOMEM or EFAULT, got {e}"
        )),
        Ok(()) => Outcome::fail("2 GiB EXECBUFFER succeeded"),
    })
}

fn execbuffer_ring_idx_without_rings_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let stream = harmless_stream();
    let mut arg = uapi::Execbuffer {
        flags: execbuf::RING_IDX,
        size: (stream.len() * 4) as u32,
        command: stream.as_ptr() as u64,
        fence_fd: -1,
        ring_idx: 0,
        ..Default::default()
    };
    Ok(expect_errno(
        execbuffer_raw(&dev, &mut arg),
        libc::EINVAL,
        "EXECBUFFER with RING_IDX on a context without rings",
    ))
}

fn blob_args() -> uapi::ResourceCreateBlob {
    uapi::ResourceCreateBlob {
        blob_mem: 1,   // VIRTGPU_BLOB_MEM_GUEST
        blob_flags: 1, // USE_MAPPABLE
        size: 4096,
        ..Default::default()
    }
}

fn create_blob(dev: &Dev, arg: &mut uapi::ResourceCreateBlob) -> Result<()> {
    // SAFETY: cmd is 0 with cmd_size 0; no other pointers.
    unsafe {
        dev.raw(
            ioctl::RESOURCE_CREATE_BLOB,
            arg,
            "DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB",
        )
    }
}

fn resource_create_blob(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let offered = dev.getparam(param::RESOURCE_BLOB)?;
    if offered != 1 {
        return Ok(Outcome::skip(format!(
            "the host offers no blob resources (GETPARAM RESOURCE_BLOB = {offered})"
        )));
    }
    let mut arg = blob_args();
    create_blob(&dev, &mut arg)?;
    Ok(Outcome::pass(format!(
        "guest blob of 4096 bytes: GEM handle {}, resource {}",
        arg.bo_handle, arg.res_handle
    )))
}

fn resource_create_blob_unsupported_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let offered = dev.getparam(param::RESOURCE_BLOB)?;
    if offered == 1 {
        return Ok(Outcome::skip(
            "the host offers blob resources (GETPARAM RESOURCE_BLOB = 1)",
        ));
    }
    Ok(expect_errno(
        create_blob(&dev, &mut blob_args()),
        libc::EINVAL,
        "RESOURCE_CREATE_BLOB without blob support",
    ))
}

fn context_init_call(dev: &Dev, capset: u64) -> Result<()> {
    virgl_guest::virtgpu::context_init(
        dev.fd(),
        &[uapi::ContextSetParam {
            param: context_param::CAPSET_ID,
            value: capset,
        }],
    )
}

fn context_init(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let offered = dev.getparam(param::CONTEXT_INIT)?;
    if offered != 1 {
        return Ok(Outcome::skip(format!(
            "the host offers no context init (GETPARAM CONTEXT_INIT = {offered})"
        )));
    }
    context_init_call(&dev, 2)?;
    dev.submit(&harmless_stream(), &[], 0, None)?;
    Ok(Outcome::pass(
        "CONTEXT_INIT with CAPSET_ID = VIRGL2, then a submission on that context",
    ))
}

fn context_init_unsupported_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let offered = dev.getparam(param::CONTEXT_INIT)?;
    if offered == 1 {
        return Ok(Outcome::skip(
            "the host offers context init (GETPARAM CONTEXT_INIT = 1)",
        ));
    }
    Ok(expect_errno(
        context_init_call(&dev, 2),
        libc::EINVAL,
        "CONTEXT_INIT without host support",
    ))
}

fn context_init_twice_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let offered = dev.getparam(param::CONTEXT_INIT)?;
    if offered != 1 {
        return Ok(Outcome::skip(format!(
            "the host offers no context init (GETPARAM CONTEXT_INIT = {offered})"
        )));
    }
    context_init_call(&dev, 2)?;
    Ok(expect_errno(
        context_init_call(&dev, 2),
        libc::EEXIST,
        "a second CONTEXT_INIT",
    ))
}

fn gem_close_then_use_enoent(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let b = dev.texture(8, 8)?;
    dev.close(b.handle)?;
    Ok(expect_errno(
        virtgpu::resource_info(dev.fd(), b.handle),
        libc::ENOENT,
        "RESOURCE_INFO after GEM_CLOSE",
    ))
}

fn gem_close_twice_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let b = dev.texture(8, 8)?;
    dev.close(b.handle)?;
    Ok(expect_errno(
        dev.close(b.handle),
        libc::EINVAL,
        "a second GEM_CLOSE of the same handle",
    ))
}

fn gem_close_invalid_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    Ok(expect_errno(
        dev.close(0xdead),
        libc::EINVAL,
        "GEM_CLOSE of handle 0xdead",
    ))
}

fn prime_export_import_between_fds(fx: &Fixture) -> Result<Outcome> {
    let a = fx.open()?;
    let b = fx.open()?;
    let bo = a.buffer(4096)?;
    let dmabuf = a.prime_export(bo.handle)?;
    let imported = b.prime_import(dmabuf.as_fd())?;
    let info = virtgpu::resource_info(b.fd(), imported)?;
    // Writing through the importer's mapping is visible through the exporter's.
    let mut mb = Mapping::new(
        b.fd(),
        virtgpu::map_offset(b.fd(), imported)?,
        4096,
        "mmap imported",
    )?;
    mb.as_mut_slice()[..5].copy_from_slice(b"prime");
    let ma = Mapping::new(
        a.fd(),
        virtgpu::map_offset(a.fd(), bo.handle)?,
        4096,
        "mmap exported",
    )?;
    Ok(
        if info.res_handle == bo.res_handle && &ma.as_slice()[..5] == b"prime" {
            Outcome::pass(format!(
            "handle {} exported as a dma-buf, imported by a second open file as handle {imported}: same resource {}, shared memory",
            bo.handle, bo.res_handle
        ))
        } else {
            Outcome::fail(format!(
                "imported resource {} vs {}; shared bytes {:?}",
                info.res_handle,
                bo.res_handle,
                &ma.as_slice()[..5]
            ))
        },
    )
}

fn prime_import_outlives_exporter(fx: &Fixture) -> Result<Outcome> {
    let a = fx.open()?;
    let b = fx.open()?;
    let bo = a.buffer(4096)?;
    let dmabuf = a.prime_export(bo.handle)?;
    let imported = b.prime_import(dmabuf.as_fd())?;
    a.close(bo.handle)?;
    drop(dmabuf);
    drop(a);
    let info = virtgpu::resource_info(b.fd(), imported)?;
    Ok(if info.res_handle == bo.res_handle {
        Outcome::pass("after the exporter closes its handle and its file, the importer's handle still names the resource")
    } else {
        Outcome::fail(format!(
            "resource {} after exporter closed, expected {}",
            info.res_handle, bo.res_handle
        ))
    })
}

fn prime_export_invalid_handle_enoent(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    Ok(expect_errno(
        dev.prime_export(0xdead),
        libc::ENOENT,
        "PRIME_HANDLE_TO_FD of handle 0xdead",
    ))
}

fn prime_import_non_dmabuf_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let f =
        std::fs::File::open("/proc/self/stat").map_err(|e| Error::io("open /proc/self/stat", e))?;
    Ok(expect_errno(
        dev.prime_import(f.as_fd()),
        libc::EINVAL,
        "PRIME_FD_TO_HANDLE of a regular file",
    ))
}

fn unknown_driver_ioctl_einval(fx: &Fixture) -> Result<Outcome> {
    let dev = fx.open()?;
    let mut arg = [0u64; 2];
    let nr = uapi::drm_ioc(3, uapi::DRM_COMMAND_BASE + 0x20, 16);
    // SAFETY: the argument holds no pointers and the driver has no ioctl 0x20.
    let r = unsafe { dev.raw(nr, &mut arg, "DRM_IOCTL_VIRTGPU(0x20)") };
    Ok(expect_errno(
        r,
        libc::EINVAL,
        "driver ioctl 0x20 (unassigned)",
    ))
}

/// Lines of the kernel log that mean something went wrong in the kernel or the driver.
pub fn bad_log_lines(log: &str) -> Vec<String> {
    // Whole words only: "DEBUG" is not a BUG.
    let word = |l: &str, w: &str| {
        l.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .any(|t| t == w)
    };
    log.lines()
        .filter(|l| {
            let lower = l.to_ascii_lowercase();
            word(l, "BUG")
                || word(l, "WARNING")
                || word(l, "Oops")
                || (lower.contains("virtio_gpu") && word(&lower, "error"))
        })
        .map(str::to_string)
        .collect()
}

/// Reads the whole kernel log from /dev/kmsg without blocking.
fn read_kmsg() -> Result<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open("/dev/kmsg")
        .map_err(|e| Error::io("open /dev/kmsg", e))?;
    let mut out = String::new();
    let mut buf = vec![0u8; 8192];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                // "prio,seq,time,flags;message"
                let rec = String::from_utf8_lossy(&buf[..n]);
                out.push_str(rec.split_once(';').map_or(&*rec, |(_, m)| m).trim_end());
                out.push('\n');
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) if e.raw_os_error() == Some(libc::EPIPE) => continue, // overwritten records
            Err(e) => return Err(Error::io("read /dev/kmsg", e)),
        }
    }
    Ok(out)
}

fn kernel_log_clean(_fx: &Fixture) -> Result<Outcome> {
    let log = read_kmsg()?;
    let bad = bad_log_lines(&log);
    Ok(if bad.is_empty() {
        Outcome::pass(format!(
            "{} kernel log lines, none with BUG, WARNING, Oops or a virtio_gpu error",
            log.lines().count()
        ))
    } else {
        Outcome::fail(format!("kernel log: {}", bad.join(" | ")))
    })
}
