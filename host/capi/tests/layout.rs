//! The structs of `abi.rs` against virglrenderer's installed header (`libvirglrenderer-dev`):
//! a C program compiled here prints each size and offset, and every one must match Rust's.
//! Then the library's dynamic symbols against Debian's `libvirglrenderer.so.1`.

mod common;

use std::mem::{offset_of, size_of};
use std::path::Path;
use std::process::Command;

use virglrenderer::abi::*;

const HEADER: &str = "/usr/include/virgl/virglrenderer.h";

/// `(C expression, Rust value)`: each line the C program prints is one of these.
fn expected() -> Vec<(&'static str, usize)> {
    macro_rules! size {
        ($c:literal, $r:ty) => {
            (concat!("sizeof(struct ", $c, ")"), size_of::<$r>())
        };
    }
    macro_rules! off {
        ($c:literal, $r:ty, $f:ident) => {
            (
                concat!("offsetof(struct ", $c, ", ", stringify!($f), ")"),
                offset_of!($r, $f),
            )
        };
    }
    vec![
        size!("virgl_renderer_gl_ctx_param", GlCtxParam),
        off!("virgl_renderer_gl_ctx_param", GlCtxParam, shared),
        off!("virgl_renderer_gl_ctx_param", GlCtxParam, major_ver),
        off!("virgl_renderer_gl_ctx_param", GlCtxParam, minor_ver),
        size!("virgl_renderer_callbacks", Callbacks),
        off!("virgl_renderer_callbacks", Callbacks, write_fence),
        off!("virgl_renderer_callbacks", Callbacks, create_gl_context),
        off!("virgl_renderer_callbacks", Callbacks, destroy_gl_context),
        off!("virgl_renderer_callbacks", Callbacks, make_current),
        off!("virgl_renderer_callbacks", Callbacks, get_drm_fd),
        off!("virgl_renderer_callbacks", Callbacks, write_context_fence),
        off!("virgl_renderer_callbacks", Callbacks, get_server_fd),
        off!("virgl_renderer_callbacks", Callbacks, get_egl_display),
        size!("virgl_renderer_resource_create_args", ResourceCreateArgs),
        off!(
            "virgl_renderer_resource_create_args",
            ResourceCreateArgs,
            target
        ),
        off!(
            "virgl_renderer_resource_create_args",
            ResourceCreateArgs,
            nr_samples
        ),
        off!(
            "virgl_renderer_resource_create_args",
            ResourceCreateArgs,
            flags
        ),
        size!("virgl_renderer_resource_info", ResourceInfo),
        off!("virgl_renderer_resource_info", ResourceInfo, virgl_format),
        off!("virgl_renderer_resource_info", ResourceInfo, tex_id),
        off!("virgl_renderer_resource_info", ResourceInfo, stride),
        off!("virgl_renderer_resource_info", ResourceInfo, drm_fourcc),
        size!("virgl_renderer_hdr", StructHdr),
        size!("virgl_renderer_supported_structures", SupportedStructures),
        off!(
            "virgl_renderer_supported_structures",
            SupportedStructures,
            in_stype_version
        ),
        off!(
            "virgl_renderer_supported_structures",
            SupportedStructures,
            out_supported_structures_mask
        ),
        size!(
            "virgl_renderer_resource_create_blob_args",
            ResourceCreateBlobArgs
        ),
        off!(
            "virgl_renderer_resource_create_blob_args",
            ResourceCreateBlobArgs,
            blob_id
        ),
        off!(
            "virgl_renderer_resource_create_blob_args",
            ResourceCreateBlobArgs,
            size
        ),
        off!(
            "virgl_renderer_resource_create_blob_args",
            ResourceCreateBlobArgs,
            iovecs
        ),
        off!(
            "virgl_renderer_resource_create_blob_args",
            ResourceCreateBlobArgs,
            num_iovs
        ),
        size!(
            "virgl_renderer_resource_import_blob_args",
            ResourceImportBlobArgs
        ),
        off!(
            "virgl_renderer_resource_import_blob_args",
            ResourceImportBlobArgs,
            fd
        ),
        off!(
            "virgl_renderer_resource_import_blob_args",
            ResourceImportBlobArgs,
            size
        ),
    ]
}

/// Constants, as `(C macro, Rust value)`.
fn constants() -> Vec<(&'static str, i64)> {
    vec![
        ("VIRGL_RENDERER_CALLBACKS_VERSION", CALLBACKS_VERSION.into()),
        ("VIRGL_RENDERER_USE_EGL", flags::USE_EGL.into()),
        ("VIRGL_RENDERER_THREAD_SYNC", flags::THREAD_SYNC.into()),
        ("VIRGL_RENDERER_USE_GLX", flags::USE_GLX.into()),
        (
            "VIRGL_RENDERER_USE_SURFACELESS",
            flags::USE_SURFACELESS.into(),
        ),
        ("VIRGL_RENDERER_USE_GLES", flags::USE_GLES.into()),
        (
            "VIRGL_RENDERER_USE_EXTERNAL_BLOB",
            flags::USE_EXTERNAL_BLOB.into(),
        ),
        ("VIRGL_RENDERER_VENUS", flags::VENUS.into()),
        ("VIRGL_RENDERER_NO_VIRGL", flags::NO_VIRGL.into()),
        (
            "VIRGL_RENDERER_ASYNC_FENCE_CB",
            flags::ASYNC_FENCE_CB.into(),
        ),
        ("VIRGL_RENDERER_RENDER_SERVER", flags::RENDER_SERVER.into()),
        ("VIRGL_RENDERER_DRM", flags::DRM.into()),
        (
            "VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK",
            CONTEXT_FLAG_CAPSET_ID_MASK.into(),
        ),
        (
            "VIRGL_RENDERER_STRUCTURE_TYPE_SUPPORTED_STRUCTURES",
            STRUCTURE_TYPE_SUPPORTED_STRUCTURES.into(),
        ),
    ]
}

#[test]
fn structs_and_constants_match_the_c_header() {
    if !Path::new(HEADER).exists() {
        eprintln!("skip: {HEADER} is missing (libvirglrenderer-dev; cargo xtask test installs it)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("virgl-capi-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut c = String::from(
        "#define VIRGL_RENDERER_UNSTABLE_APIS 1\n#include <stddef.h>\n#include <stdio.h>\n\
         #include <sys/uio.h>\n#include <virgl/virglrenderer.h>\nint main(void) {\n",
    );
    for (expr, _) in expected() {
        c.push_str(&format!("  printf(\"%zu\\n\", (size_t){expr});\n"));
    }
    for (name, _) in constants() {
        c.push_str(&format!("  printf(\"%lld\\n\", (long long)({name}));\n"));
    }
    c.push_str("  return 0;\n}\n");
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, c).unwrap();
    let cc = Command::new("cc")
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("cc (package gcc) runs");
    assert!(
        cc.status.success(),
        "cc: {}",
        String::from_utf8_lossy(&cc.stderr)
    );
    let out = Command::new(&exe)
        .output()
        .expect("the layout program runs");
    let _ = std::fs::remove_dir_all(&dir);
    let printed = String::from_utf8(out.stdout).unwrap();
    let mut lines = printed.lines();
    for (expr, rust) in expected() {
        let c: usize = lines.next().unwrap().parse().unwrap();
        assert_eq!(rust, c, "{expr}: Rust {rust}, C {c}");
    }
    for (name, rust) in constants() {
        let c: i64 = lines.next().unwrap().parse().unwrap();
        assert_eq!(rust, c, "{name}: Rust {rust}, C {c}");
    }
}

/// The dynamic symbols a library defines (`nm -D --defined-only`), functions and data alike.
fn defined_symbols(lib: &Path) -> Vec<String> {
    let out = Command::new("nm")
        .args(["-D", "--defined-only", "--format=posix"])
        .arg(lib)
        .output()
        .expect("nm (package binutils) runs");
    assert!(
        out.status.success(),
        "nm {}: {}",
        lib.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    names.sort();
    names
}

/// The 41 functions virglrenderer 0.10.4 exports (Debian 12's `libvirglrenderer1`).
const VIRGLRENDERER_0_10_4: &[&str] = &[
    "virgl_renderer_cleanup",
    "virgl_renderer_context_create",
    "virgl_renderer_context_create_fence",
    "virgl_renderer_context_create_with_flags",
    "virgl_renderer_context_destroy",
    "virgl_renderer_context_get_poll_fd",
    "virgl_renderer_context_poll",
    "virgl_renderer_create_fence",
    "virgl_renderer_ctx_attach_resource",
    "virgl_renderer_ctx_detach_resource",
    "virgl_renderer_execute",
    "virgl_renderer_export_fence",
    "virgl_renderer_fill_caps",
    "virgl_renderer_force_ctx_0",
    "virgl_renderer_get_cap_set",
    "virgl_renderer_get_cursor_data",
    "virgl_renderer_get_fd_for_texture",
    "virgl_renderer_get_fd_for_texture2",
    "virgl_renderer_get_poll_fd",
    "virgl_renderer_get_rect",
    "virgl_renderer_init",
    "virgl_renderer_poll",
    "virgl_renderer_reset",
    "virgl_renderer_resource_attach_iov",
    "virgl_renderer_resource_create",
    "virgl_renderer_resource_create_blob",
    "virgl_renderer_resource_detach_iov",
    "virgl_renderer_resource_export_blob",
    "virgl_renderer_resource_get_info",
    "virgl_renderer_resource_get_map_info",
    "virgl_renderer_resource_get_priv",
    "virgl_renderer_resource_import_blob",
    "virgl_renderer_resource_import_eglimage",
    "virgl_renderer_resource_map",
    "virgl_renderer_resource_set_priv",
    "virgl_renderer_resource_unmap",
    "virgl_renderer_resource_unref",
    "virgl_renderer_submit_cmd",
    "virgl_renderer_transfer_read_iov",
    "virgl_renderer_transfer_write_iov",
    "virgl_set_debug_callback",
];

#[test]
fn the_library_exports_exactly_virglrenderers_functions() {
    let ours = defined_symbols(&common::library_path());
    assert_eq!(ours, VIRGLRENDERER_0_10_4, "nm -D of our library");
    let debian = Path::new("/usr/lib/x86_64-linux-gnu/libvirglrenderer.so.1");
    if debian.exists() {
        let theirs: Vec<String> = defined_symbols(debian)
            .into_iter()
            .filter(|s| s.starts_with("virgl_"))
            .collect();
        assert_eq!(theirs, VIRGLRENDERER_0_10_4, "nm -D of Debian's library");
    } else {
        eprintln!("skip: no Debian libvirglrenderer.so.1 to compare with");
    }
}

#[test]
fn the_soname_is_virglrenderers() {
    let out = Command::new("readelf")
        .arg("-d")
        .arg(common::library_path())
        .output()
        .expect("readelf (package binutils) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("(SONAME)") && l.contains("[libvirglrenderer.so.1]")),
        "{text}"
    );
}
