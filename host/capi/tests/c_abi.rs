//! The library's C ABI, loaded with `dlopen` like a consumer: virglrenderer's own test cases
//! (`tests/test_virgl_init.c`, `test_virgl_transfer.c`, `test_virgl_resource.c`, their names
//! kept) ported as behaviour, plus what QEMU 7.2 relies on.

mod common;

use std::ffi::c_void;

use common::*;
use rstest::rstest;

const EINVAL: i32 = libc::EINVAL;

#[test]
fn virgl_init_no_cbs() {
    let _s = serial();
    let lib = Lib::load();
    // SAFETY: a null callbacks pointer is what is tested.
    let ret = unsafe { (lib.virgl_renderer_init)(cookie(), 0, std::ptr::null_mut()) };
    assert_eq!(ret, -1);
}

#[test]
fn virgl_init_no_cookie() {
    let _s = serial();
    let lib = Lib::load();
    let mut cbs = vtest_callbacks();
    // SAFETY: valid callbacks, null cookie.
    let ret = unsafe { (lib.virgl_renderer_init)(std::ptr::null_mut(), flags::USE_EGL, &mut cbs) };
    assert_eq!(ret, -1);
}

#[rstest]
#[case::zero(0)]
#[case::past_four(5)]
fn virgl_init_cbs_wrong_ver(#[case] version: i32) {
    let _s = serial();
    let lib = Lib::load();
    let mut cbs = Callbacks {
        version,
        ..vtest_callbacks()
    };
    // SAFETY: a valid struct with a version out of range.
    let ret = unsafe { (lib.virgl_renderer_init)(cookie(), flags::USE_EGL, &mut cbs) };
    assert_eq!(ret, -1);
}

#[test]
fn virgl_init_cleanup_and_reset_without_init() {
    let _s = serial();
    let lib = Lib::load();
    // SAFETY: both take no pointers the library reads; neither needs init.
    unsafe {
        (lib.virgl_renderer_reset)();
        (lib.virgl_renderer_cleanup)(std::ptr::null_mut());
        (lib.virgl_renderer_poll)();
        (lib.virgl_renderer_force_ctx_0)();
    }
    // Without init nothing can be made.
    let mut args = simple_2d(1);
    // SAFETY: valid args.
    let ret = unsafe { (lib.virgl_renderer_resource_create)(&mut args, std::ptr::null_mut(), 0) };
    assert_eq!(ret, EINVAL);
    // SAFETY: a 4-byte name.
    let ret = unsafe { (lib.virgl_renderer_context_create)(1, 4, c"test".as_ptr()) };
    assert_eq!(ret, EINVAL);
    // SAFETY: no pointers.
    assert_eq!(unsafe { (lib.virgl_renderer_create_fence)(1, 0) }, EINVAL);
}

#[test]
fn virgl_init_egl_double_init_and_conflict_args() {
    let t = Inited::new();
    let mut same = t.cbs.as_ref() as *const Callbacks as *mut Callbacks;
    // SAFETY: the same arguments as the first init.
    let again = unsafe {
        (t.lib.virgl_renderer_init)(cookie(), flags::USE_EGL | flags::USE_SURFACELESS, same)
    };
    assert_eq!(again, 0, "the same arguments again");
    // THREAD_SYNC is a hint that is dropped, so it is not a conflict.
    let hinted = unsafe {
        (t.lib.virgl_renderer_init)(
            cookie(),
            flags::USE_EGL | flags::USE_SURFACELESS | flags::THREAD_SYNC,
            same,
        )
    };
    assert_eq!(hinted, 0);
    // SAFETY: other flags.
    let conflict = unsafe { (t.lib.virgl_renderer_init)(cookie(), flags::USE_EGL, same) };
    assert_eq!(conflict, -libc::EBUSY);
    let mut other = vtest_callbacks();
    same = &mut other;
    // SAFETY: another callbacks struct.
    let conflict = unsafe {
        (t.lib.virgl_renderer_init)(cookie(), flags::USE_EGL | flags::USE_SURFACELESS, same)
    };
    assert_eq!(conflict, -libc::EBUSY);
}

#[test]
fn virgl_init_egl_create_ctx_0_and_destroy_illegal() {
    let t = Inited::new();
    // SAFETY: valid names; ids are what is tested.
    unsafe {
        assert_eq!(
            (t.lib.virgl_renderer_context_create)(0, 4, c"test".as_ptr()),
            EINVAL
        );
        (t.lib.virgl_renderer_context_destroy)(0);
        (t.lib.virgl_renderer_context_destroy)(99);
        assert_eq!(
            (t.lib.virgl_renderer_context_create)(1, 4, c"test".as_ptr()),
            0
        );
        // The same id with the same capset again is fine; unknown flags are not.
        assert_eq!(
            (t.lib.virgl_renderer_context_create)(1, 4, c"test".as_ptr()),
            0
        );
        assert_eq!(
            (t.lib.virgl_renderer_context_create_with_flags)(2, 0x100 | 2, 0, std::ptr::null()),
            EINVAL
        );
        // Venus (4) is not offered.
        assert_eq!(
            (t.lib.virgl_renderer_context_create_with_flags)(2, 4, 0, std::ptr::null()),
            EINVAL
        );
        // QEMU passes the guest's name length unchecked with a 64-byte name.
        let long = [b'x'; 64];
        assert_eq!(
            (t.lib.virgl_renderer_context_create)(3, u32::MAX, long.as_ptr().cast()),
            0
        );
        (t.lib.virgl_renderer_context_destroy)(1);
        (t.lib.virgl_renderer_context_destroy)(3);
    }
}

#[test]
fn virgl_init_egl_create_ctx_create_bind_res_illegal_ctx_and_res() {
    let t = Inited::new().with_context();
    let mut args = simple_1d(1);
    // SAFETY: valid args; the ids are what is tested, and unknown ones are no-ops.
    unsafe {
        assert_eq!(
            (t.lib.virgl_renderer_resource_create)(&mut args, std::ptr::null_mut(), 0),
            0
        );
        (t.lib.virgl_renderer_ctx_attach_resource)(2, 1);
        (t.lib.virgl_renderer_ctx_attach_resource)(1, 2);
        (t.lib.virgl_renderer_ctx_detach_resource)(1, 1);
        (t.lib.virgl_renderer_ctx_detach_resource)(2, 1);
        // Handle 0 and a handle in use are refused.
        let mut zero = simple_1d(0);
        assert_eq!(
            (t.lib.virgl_renderer_resource_create)(&mut zero, std::ptr::null_mut(), 0),
            EINVAL
        );
        assert_eq!(
            (t.lib.virgl_renderer_resource_create)(&mut args, std::ptr::null_mut(), 0),
            EINVAL
        );
        // Left attached and undestroyed: cleanup frees it (bind_res_leak).
        (t.lib.virgl_renderer_ctx_attach_resource)(1, 1);
    }
}

#[rstest]
#[case::bad_target(ResourceCreateArgs { target: 9, ..simple_2d(1) })]
#[case::bad_format(ResourceCreateArgs { format: 5000, ..simple_2d(1) })]
#[case::too_many_levels(ResourceCreateArgs { last_level: 7, ..simple_2d(1) })]
#[case::buffer_with_height(ResourceCreateArgs { target: 0, format: 64, height: 2, ..simple_2d(1) })]
#[case::cube_not_six(ResourceCreateArgs { target: 4, array_size: 5, ..simple_2d(1) })]
#[case::msaa_with_levels(ResourceCreateArgs { nr_samples: 4, last_level: 1, ..simple_2d(1) })]
#[case::zero_width(ResourceCreateArgs { width: 0, ..simple_2d(1) })]
fn virgl_res_tests_refuse_bad_shapes(#[case] mut args: ResourceCreateArgs) {
    let t = Inited::new();
    // SAFETY: valid args struct; its fields are what is tested.
    let ret = unsafe { (t.lib.virgl_renderer_resource_create)(&mut args, std::ptr::null_mut(), 0) };
    assert_eq!(ret, EINVAL, "{args:?}");
}

#[test]
fn virgl_init_get_caps_set0_set1_and_null() {
    let _s = serial();
    let lib = Lib::load();
    let (mut ver, mut size) = (77u32, 77u32);
    // SAFETY: valid out-pointers, then null ones; no init needed (QEMU asks before init).
    unsafe {
        (lib.virgl_renderer_get_cap_set)(0, &mut ver, &mut size);
        assert_eq!((ver, size), (0, 0));
        (lib.virgl_renderer_get_cap_set)(1, &mut ver, &mut size);
        assert_eq!((ver, size), (1, 308));
        (lib.virgl_renderer_get_cap_set)(2, &mut ver, &mut size);
        assert_eq!((ver, size), (2, 1408));
        (lib.virgl_renderer_get_cap_set)(2, std::ptr::null_mut(), std::ptr::null_mut());
    }
    drop(lib);
    drop(_s);
    let t = Inited::new();
    let mut caps = vec![0xAAu8; 1408 + 16];
    // SAFETY: a buffer larger than the capset; a null buffer is ignored.
    unsafe {
        (t.lib.virgl_renderer_fill_caps)(2, 2, caps.as_mut_ptr().cast());
        (t.lib.virgl_renderer_fill_caps)(2, 2, std::ptr::null_mut());
    }
    let v2 = virgl_proto::caps::CapsV2::from_bytes(&caps[..1408]).unwrap();
    assert!(v2.v1.max_version >= 1, "filled: {:?}", &caps[..8]);
    assert!(
        caps[1408..].iter().all(|&b| b == 0xAA),
        "wrote past max_size"
    );
    // A version past the capset's is answered with nothing (QEMU passes the guest's).
    let mut untouched = vec![0xAAu8; 308];
    // SAFETY: a 308-byte buffer.
    unsafe { (t.lib.virgl_renderer_fill_caps)(1, 9, untouched.as_mut_ptr().cast()) };
    assert!(untouched.iter().all(|&b| b == 0xAA));
}

#[test]
fn virgl_test_get_resource_info_no_info_and_no_res() {
    let t = Inited::new();
    let mut args = ResourceCreateArgs {
        flags: 1,
        ..simple_2d(1)
    };
    let mut info = ResourceInfo::default();
    // SAFETY: valid args and out-struct, then null.
    unsafe {
        assert_eq!(
            (t.lib.virgl_renderer_resource_create)(&mut args, std::ptr::null_mut(), 0),
            0
        );
        assert_eq!((t.lib.virgl_renderer_resource_get_info)(1, &mut info), 0);
        assert_eq!(
            (t.lib.virgl_renderer_resource_get_info)(1, std::ptr::null_mut()),
            EINVAL
        );
        // QEMU 7.2 takes only -1 as "no such resource".
        assert_eq!((t.lib.virgl_renderer_resource_get_info)(2, &mut info), -1);
    }
    assert_eq!(
        (
            info.handle,
            info.virgl_format,
            info.width,
            info.height,
            info.depth
        ),
        (1, 2, 50, 50, 1)
    );
    // Stored top row first whatever the flags say, so QEMU is never told Y_0_TOP.
    assert_eq!((info.flags, info.stride, info.drm_fourcc), (0, 200, 0));
    assert_ne!(info.tex_id, 0, "a texture name QEMU can show");
}

#[test]
fn virgl_init_egl_create_ctx_create_attach_res_detach_and_illegal_res() {
    let t = Inited::new();
    let mut args = simple_1d(1);
    let mut mem = vec![0u8; 4096];
    let mut iovs = [iov(&mut mem)];
    let mut second = [iov(&mut mem)];
    let (mut back, mut n): (*mut libc::iovec, i32) = (std::ptr::null_mut(), -1);
    // SAFETY: the iovecs outlive their attachment.
    unsafe {
        assert_eq!(
            (t.lib.virgl_renderer_resource_create)(&mut args, std::ptr::null_mut(), 0),
            0
        );
        assert_eq!(
            (t.lib.virgl_renderer_resource_attach_iov)(2, iovs.as_mut_ptr(), 1),
            EINVAL,
            "unknown resource"
        );
        assert_eq!(
            (t.lib.virgl_renderer_resource_attach_iov)(1, iovs.as_mut_ptr(), 1),
            0
        );
        // A second attach would lose the first array: refused.
        assert_eq!(
            (t.lib.virgl_renderer_resource_attach_iov)(1, second.as_mut_ptr(), 1),
            EINVAL
        );
        // detach hands back the very array that was lent (QEMU frees it).
        (t.lib.virgl_renderer_resource_detach_iov)(1, &mut back, &mut n);
        assert_eq!((back, n), (iovs.as_mut_ptr(), 1));
        // Now the second one may be attached; detach with a null array pointer.
        assert_eq!(
            (t.lib.virgl_renderer_resource_attach_iov)(1, second.as_mut_ptr(), 1),
            0
        );
        (t.lib.virgl_renderer_resource_detach_iov)(1, std::ptr::null_mut(), &mut n);
        assert_eq!(n, 1);
        // Unknown resources leave the out-values alone.
        n = -7;
        (t.lib.virgl_renderer_resource_detach_iov)(9, &mut back, &mut n);
        assert_eq!(n, -7);
        (t.lib.virgl_renderer_resource_unref)(1);
        (t.lib.virgl_renderer_resource_unref)(1);
    }
}

/// Makes resource `args`, attached to context 1.
fn make(t: &Inited, mut args: ResourceCreateArgs) {
    // SAFETY: valid args.
    unsafe {
        assert_eq!(
            (t.lib.virgl_renderer_resource_create)(&mut args, std::ptr::null_mut(), 0),
            0,
            "{args:?}"
        );
        (t.lib.virgl_renderer_ctx_attach_resource)(1, args.handle as i32);
    }
}

/// transfer_write_iov of `bx` from `data` with these strides, level and offset.
fn write(
    t: &Inited,
    ctx: u32,
    level: i32,
    strides: (u32, u32),
    mut bx: VirglBox,
    offset: u64,
    data: &mut [u8],
) -> i32 {
    let mut v = iov(data);
    // SAFETY: valid box and iovec.
    unsafe {
        (t.lib.virgl_renderer_transfer_write_iov)(
            1, ctx, level, strides.0, strides.1, &mut bx, offset, &mut v, 1,
        )
    }
}

fn bx(w: u32, h: u32, d: u32) -> VirglBox {
    VirglBox {
        w,
        h,
        d,
        ..Default::default()
    }
}

#[rstest]
#[case::transfer_write_illegal_ctx(simple_2d(1), 2, 0, (0, 0), bx(50, 1, 1), 0, 200)]
#[case::transfer_1d_bad_box(simple_1d(1), 1, 0, (0, 0), bx(51, 1, 1), 0, 200)]
#[case::transfer_1d_bad_iov_offset(simple_1d(1), 1, 0, (0, 0), bx(50, 1, 1), 20, 200)]
// virglrenderer refuses a short stride even for one row; here a stride matters only between
// rows, so the case has two.
#[case::transfer_2d_bad_strides(simple_2d(1), 1, 0, (49, 0), bx(50, 2, 1), 0, 800)]
#[case::transfer_2d_array_bad_layer_stride(ResourceCreateArgs { target: 7, array_size: 2, ..simple_2d(1) }, 1, 0, (200, 199), bx(50, 1, 2), 0, 800)]
#[case::transfer_2d_bad_level(ResourceCreateArgs { last_level: 1, ..simple_2d(1) }, 1, 2, (0, 0), bx(50, 1, 1), 0, 200)]
#[case::transfer_negative_level(simple_2d(1), 1, -1, (0, 0), bx(50, 1, 1), 0, 200)]
#[case::transfer_3d_bad_box(ResourceCreateArgs { target: 3, depth: 2, ..simple_2d(1) }, 1, 0, (0, 0), bx(1, 1, 3), 0, 200)]
#[case::transfer_1d_array_bad_box(ResourceCreateArgs { target: 6, array_size: 2, ..simple_1d(1) }, 1, 0, (0, 0), bx(1, 1, 3), 0, 200)]
#[case::transfer_iov_too_short(simple_2d(1), 1, 0, (0, 0), bx(50, 5, 1), 0, 400)]
fn virgl_test_transfers_refused(
    #[case] args: ResourceCreateArgs,
    #[case] ctx: u32,
    #[case] level: i32,
    #[case] strides: (u32, u32),
    #[case] b: VirglBox,
    #[case] offset: u64,
    #[case] len: usize,
) {
    let t = Inited::new().with_context();
    make(&t, args);
    let mut data = vec![0u8; len];
    assert_eq!(write(&t, ctx, level, strides, b, offset, &mut data), EINVAL);
}

#[test]
fn virgl_test_transfer_1d_round_trips_through_iovecs_and_backing() {
    let t = Inited::new().with_context();
    make(&t, simple_1d(1));
    let mut data: Vec<u8> = (0..200u32).map(|i| i as u8).collect();
    assert_eq!(write(&t, 1, 0, (0, 0), bx(50, 1, 1), 0, &mut data), 0);
    // Read back into a backing of two segments, at an offset, through ctx 0 (the 2D path).
    let (mut a, mut b) = (vec![0u8; 8 + 77], vec![0u8; 123]);
    let mut segs = [iov(&mut a), iov(&mut b)];
    let mut rbx = bx(50, 1, 1);
    // SAFETY: the segments outlive their attachment (detached below).
    unsafe {
        assert_eq!(
            (t.lib.virgl_renderer_resource_attach_iov)(1, segs.as_mut_ptr(), 2),
            0
        );
        assert_eq!(
            (t.lib.virgl_renderer_transfer_read_iov)(
                1,
                0,
                0,
                0,
                0,
                &mut rbx,
                8,
                std::ptr::null_mut(),
                0
            ),
            0
        );
        // Past the end of the backing.
        assert_eq!(
            (t.lib.virgl_renderer_transfer_read_iov)(
                1,
                0,
                0,
                0,
                0,
                &mut rbx,
                9,
                std::ptr::null_mut(),
                0
            ),
            EINVAL
        );
        (t.lib.virgl_renderer_resource_detach_iov)(1, std::ptr::null_mut(), std::ptr::null_mut());
    }
    let got: Vec<u8> = a[8..].iter().chain(&b).copied().collect();
    // B8G8R8X8: the X byte reads back as whatever the host keeps; compare B, G, R.
    for (i, (g, w)) in got.chunks(4).zip(data.chunks(4)).enumerate() {
        assert_eq!(g[..3], w[..3], "texel {i}");
    }
}

#[test]
fn virgl_test_transfer_res_needs_attachment_to_its_context() {
    let t = Inited::new().with_context();
    // SAFETY: valid args; resource 1 is made but not attached to context 1.
    let mut args = simple_2d(1);
    unsafe {
        assert_eq!(
            (t.lib.virgl_renderer_resource_create)(&mut args, std::ptr::null_mut(), 0),
            0
        );
    }
    let mut data = vec![0u8; 200];
    assert_eq!(write(&t, 1, 0, (0, 0), bx(50, 1, 1), 0, &mut data), EINVAL);
    // Context 0 (QEMU's 2D path) needs no attachment.
    assert_eq!(write(&t, 0, 0, (0, 0), bx(50, 1, 1), 0, &mut data), 0);
    // No box at all.
    let mut v = iov(&mut data);
    // SAFETY: null box is what is tested.
    let ret = unsafe {
        (t.lib.virgl_renderer_transfer_write_iov)(1, 0, 0, 0, 0, std::ptr::null_mut(), 0, &mut v, 1)
    };
    assert_eq!(ret, EINVAL);
    // No iovecs and no backing.
    let mut b = bx(50, 1, 1);
    // SAFETY: a valid box; no iovecs.
    let ret = unsafe {
        (t.lib.virgl_renderer_transfer_write_iov)(1, 0, 0, 0, 0, &mut b, 0, std::ptr::null_mut(), 0)
    };
    assert_eq!(ret, EINVAL);
}

#[test]
fn fences_are_reported_from_poll_with_the_highest_id() {
    let t = Inited::new().with_context();
    FENCES.lock().unwrap().clear();
    // SAFETY: no pointers.
    unsafe {
        assert_eq!((t.lib.virgl_renderer_create_fence)(5, 0x0207), 0);
        assert_eq!((t.lib.virgl_renderer_create_fence)(6, 0x0207), 0);
    }
    assert!(FENCES.lock().unwrap().is_empty(), "reported only from poll");
    // SAFETY: no pointers.
    unsafe { (t.lib.virgl_renderer_poll)() };
    assert_eq!(*FENCES.lock().unwrap(), vec![6]);
    // SAFETY: no pointers.
    unsafe { (t.lib.virgl_renderer_poll)() };
    assert_eq!(*FENCES.lock().unwrap(), vec![6], "nothing new to report");
    // QEMU truncates its u64 fence id to int: negative ints are u32 ids.
    unsafe {
        (t.lib.virgl_renderer_create_fence)(-2, 0);
        (t.lib.virgl_renderer_poll)();
    }
    assert_eq!(*FENCES.lock().unwrap(), vec![6, u32::MAX - 1]);
}

#[test]
fn context_fences_signal_their_poll_fd_and_report_in_order() {
    let t = Inited::new().with_context();
    CONTEXT_FENCES.lock().unwrap().clear();
    // SAFETY: no pointers.
    let fd = unsafe { (t.lib.virgl_renderer_context_get_poll_fd)(1) };
    assert!(fd >= 0);
    assert_eq!(unsafe { (t.lib.virgl_renderer_context_get_poll_fd)(9) }, -1);
    assert_eq!(
        unsafe { (t.lib.virgl_renderer_context_create_fence)(9, 0, 0, 1) },
        -EINVAL
    );
    let readable = || {
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no wait.
        unsafe { libc::poll(&mut p, 1, 0) == 1 }
    };
    assert!(!readable());
    // SAFETY: no pointers.
    unsafe {
        assert_eq!((t.lib.virgl_renderer_context_create_fence)(1, 0, 0, 10), 0);
        assert_eq!(
            (t.lib.virgl_renderer_context_create_fence)(1, 0, 1, 1 << 40),
            0
        );
    }
    assert!(readable());
    // SAFETY: no pointers.
    unsafe { (t.lib.virgl_renderer_context_poll)(1) };
    assert!(!readable());
    assert_eq!(
        *CONTEXT_FENCES.lock().unwrap(),
        vec![(1, 0, 10), (1, 1, 1 << 40)]
    );
}

#[test]
fn submit_cmd_fails_only_its_context() {
    let t = Inited::new().with_context();
    // SAFETY: a second context.
    unsafe {
        assert_eq!(
            (t.lib.virgl_renderer_context_create)(2, 0, std::ptr::null()),
            0
        )
    };
    // A header naming command 0xff with no payload: undecodable.
    let mut bad = [0x0000_00ffu32];
    let mut empty: [u32; 0] = [];
    // SAFETY: buffers of the given dword counts.
    unsafe {
        assert_eq!(
            (t.lib.virgl_renderer_submit_cmd)(bad.as_mut_ptr().cast(), 1, 1),
            EINVAL
        );
        assert_eq!(
            (t.lib.virgl_renderer_submit_cmd)(empty.as_mut_ptr().cast(), 1, 0),
            EINVAL,
            "context 1 stays in error"
        );
        assert_eq!(
            (t.lib.virgl_renderer_submit_cmd)(empty.as_mut_ptr().cast(), 2, 0),
            0
        );
        assert_eq!(
            (t.lib.virgl_renderer_submit_cmd)(empty.as_mut_ptr().cast(), 7, 0),
            EINVAL
        );
        assert_eq!(
            (t.lib.virgl_renderer_submit_cmd)(std::ptr::null_mut(), 2, 4),
            EINVAL
        );
        assert_eq!(
            (t.lib.virgl_renderer_submit_cmd)(empty.as_mut_ptr().cast(), 2, -1),
            EINVAL
        );
    }
}

#[test]
fn reset_ends_contexts_and_resources_but_keeps_the_renderer() {
    let t = Inited::new().with_context();
    make(&t, simple_2d(1));
    // SAFETY: no pointers besides a valid info struct.
    unsafe {
        (t.lib.virgl_renderer_reset)();
        let mut info = ResourceInfo::default();
        assert_eq!((t.lib.virgl_renderer_resource_get_info)(1, &mut info), -1);
        let mut empty: [u32; 0] = [];
        assert_eq!(
            (t.lib.virgl_renderer_submit_cmd)(empty.as_mut_ptr().cast(), 1, 0),
            EINVAL
        );
        // Still initialised: contexts can be made again.
        assert_eq!(
            (t.lib.virgl_renderer_context_create)(1, 0, std::ptr::null()),
            0
        );
    }
}

#[test]
fn private_ptr_and_cursor_data() {
    let t = Inited::new().with_context();
    let marker = 0x1234usize as *mut c_void;
    // SAFETY: the private pointer is stored, never dereferenced.
    unsafe {
        (t.lib.virgl_renderer_resource_set_priv)(1, marker);
        assert!(
            (t.lib.virgl_renderer_resource_get_priv)(1).is_null(),
            "no resource 1 yet"
        );
    }
    make(
        &t,
        ResourceCreateArgs {
            width: 4,
            height: 2,
            ..simple_2d(1)
        },
    );
    // SAFETY: as above.
    unsafe {
        (t.lib.virgl_renderer_resource_set_priv)(1, marker);
        assert_eq!((t.lib.virgl_renderer_resource_get_priv)(1), marker);
    }
    // Row 0 all 0x11, row 1 all 0x22; the cursor comes back top row first, as QEMU shows it.
    let mut px: Vec<u8> = [[0x11u8; 16], [0x22u8; 16]].concat();
    assert_eq!(write(&t, 1, 0, (0, 0), bx(4, 2, 1), 0, &mut px), 0);
    let (mut w, mut h) = (0u32, 0u32);
    // SAFETY: valid out-pointers; the data is malloc'd and freed with free().
    unsafe {
        let data = (t.lib.virgl_renderer_get_cursor_data)(1, &mut w, &mut h);
        assert!(!data.is_null());
        assert_eq!((w, h), (4, 2));
        let got = std::slice::from_raw_parts(data.cast::<u8>(), 32).to_vec();
        libc::free(data);
        assert_eq!(got[0..3], [0x11; 3]);
        assert_eq!(got[16..19], [0x22; 3]);
        assert!((t.lib.virgl_renderer_get_cursor_data)(9, &mut w, &mut h).is_null());
        (t.lib.virgl_renderer_resource_unref)(1);
        assert!((t.lib.virgl_renderer_resource_get_priv)(1).is_null());
    }
}

#[test]
fn unoffered_features_answer_with_errors() {
    let t = Inited::new();
    // SAFETY: null arguments are never read by these.
    unsafe {
        assert_eq!((t.lib.virgl_renderer_get_poll_fd)(), -1);
        assert_eq!(
            (t.lib.virgl_renderer_resource_create_blob)(std::ptr::null()),
            -EINVAL
        );
    }
}
