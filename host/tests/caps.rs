//! Our caps against virglrenderer's: `tests/data/caps/*.bin` are GET_CAPS2 payloads recorded from
//! Debian's `virgl_test_server` 0.10.4 on llvmpipe (Mesa 22.3.6), desktop GL 4.5 core and GLES
//! 3.2. What we advertise must be a subset of what it does on the same host kind: a format
//! outside its masks is one our table got wrong.
//!
//! `cargo test -p virgl-host --test caps -- --ignored record` records them again.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use virgl_host::gl::{Api, EglDisplay, Gl};
use virgl_proto::caps::{CapabilityBits, CapsV1, CapsV2, FormatMask, CAPSET_VIRGL, CAPSET_VIRGL2};
use virgl_proto::format::Format;
use virgl_proto::vtest::{self as wire, cmd, MsgHeader};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/caps")
        .join(name)
}

const GL_FIXTURE: &str = "virglrenderer-0.10.4-llvmpipe-gl45.bin";
const GLES_FIXTURE: &str = "virglrenderer-0.10.4-llvmpipe-gles32.bin";

/// Starts `virgl_test_server` for one client on a private socket and returns its GET_CAPS2
/// payload.
fn record_one(extra: &[&str]) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("virgl-host-caps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("vtest.sock");
    let _ = std::fs::remove_file(&socket);
    let mut server = Command::new("virgl_test_server")
        .arg("--use-egl-surfaceless")
        .arg("--no-loop-or-fork")
        .arg(format!("--socket-path={}", socket.display()))
        .args(extra)
        .env_remove("GALLIUM_DRIVER")
        .env_remove("LIBGL_ALWAYS_SOFTWARE")
        .env_remove("VTEST_SOCKET_NAME")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("virgl_test_server (apt-get install virgl-server)");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !socket.exists() {
        assert!(Instant::now() < deadline, "no socket after 10 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut s = UnixStream::connect(&socket).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut msg = wire::create_renderer("virgl-host-caps-fixture");
    msg.extend(wire::bare(cmd::GET_CAPS2));
    s.write_all(&msg).unwrap();
    let mut header = [0u8; 8];
    s.read_exact(&mut header).unwrap();
    let n = MsgHeader::from_bytes(header)
        .caps_bytes("GET_CAPS2", cmd::GET_CAPS2_REPLY, 1 << 16)
        .unwrap();
    let mut caps = vec![0u8; n];
    s.read_exact(&mut caps).unwrap();
    drop(s);
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    caps
}

#[test]
#[ignore = "records the fixtures from virgl_test_server; run by hand"]
fn record() {
    std::fs::create_dir_all(data("")).unwrap();
    for (name, extra) in [(GL_FIXTURE, &[][..]), (GLES_FIXTURE, &["--use-gles"][..])] {
        let bytes = record_one(extra);
        CapsV2::from_bytes(&bytes).unwrap();
        std::fs::write(data(name), &bytes).unwrap();
    }
}

fn fixture(name: &str) -> CapsV2 {
    CapsV2::from_bytes(&std::fs::read(data(name)).unwrap()).unwrap()
}

#[test]
fn fixtures_are_what_the_reference_measured() {
    // host-renderer.md §3.5: 1376 bytes, these capability bits and mask populations.
    for (name, bits, sampler, render, readback) in [
        (GL_FIXTURE, 0x5ff7ffff, 120, 93, 118),
        (GLES_FIXTURE, 0x5f1ee7df, 151, 82, 80),
    ] {
        assert_eq!(std::fs::read(data(name)).unwrap().len(), 1376, "{name}");
        let caps = fixture(name);
        let count = |m: &FormatMask| m.0.iter().map(|w| w.count_ones()).sum::<u32>();
        assert_eq!(caps.capability_bits, bits, "{name}");
        assert_eq!(count(&caps.v1.sampler), sampler, "{name}");
        assert_eq!(count(&caps.v1.render), render, "{name}");
        assert_eq!(count(&caps.supported_readback_formats), readback, "{name}");
        assert_eq!(caps.host_feature_check_version, 15, "{name}");
    }
}

/// Formats set in `ours` but not in `theirs`.
fn extra(ours: &FormatMask, theirs: &FormatMask) -> Vec<Format> {
    ours.formats().filter(|f| !theirs.supports(*f)).collect()
}

#[test]
fn our_caps_are_within_virglrenderers() {
    let display = match EglDisplay::open() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("skip: no surfaceless EGL display here: {e}");
            return;
        }
    };
    let gl = Gl::new(&display, Api::GlCore { major: 4, minor: 5 }).unwrap();
    let caps = virgl_host::caps::probe(&gl).unwrap();
    let ours = caps.v2();
    let theirs = fixture(GL_FIXTURE);
    assert_eq!(extra(&ours.v1.sampler, &theirs.v1.sampler), []);
    assert_eq!(extra(&ours.v1.render, &theirs.v1.render), []);
    // virglrenderer's fallback from GL_ALPHA8/16 to red (vrend_formats.c l.441-468) skips the
    // readback check; a red texture reads back byte-exactly.
    assert_eq!(
        extra(
            &ours.supported_readback_formats,
            &theirs.supported_readback_formats
        ),
        [Format::A8_UNORM, Format::A16_UNORM]
    );
    assert_eq!(extra(&ours.scanout, &theirs.scanout), []);
    // virglrenderer fills no depth/stencil mask; its sampler mask holds those formats.
    assert_eq!(extra(&ours.v1.depthstencil, &theirs.v1.sampler), []);
    let count = |m: &FormatMask| m.formats().count();
    // What the table leaves out on purpose (Z24X8, X24S8) and what is not rendered as stored
    // (alpha in red) is all that is missing.
    assert_eq!(count(&ours.v1.sampler), count(&theirs.v1.sampler) - 2);
    let alpha_in_red = [
        Format::A8_UNORM,
        Format::A16_UNORM,
        Format::A16_FLOAT,
        Format::A32_FLOAT,
        Format::A8_UINT,
        Format::A8_SINT,
        Format::A16_UINT,
        Format::A16_SINT,
        Format::A32_UINT,
        Format::A32_SINT,
    ];
    assert_eq!(extra(&theirs.v1.render, &ours.v1.render), alpha_in_red);
    // Mesa only reads R11G11B10_FLOAT from this mask, as virglrenderer only fills that.
    assert_eq!(
        ours.v1.vertexbuffer.supports(Format::R11G11B10_FLOAT),
        theirs.v1.vertexbuffer.supports(Format::R11G11B10_FLOAT)
    );

    let bits = |b: u32, t: u32, what: &str| assert_eq!(b & !t, 0, "{what}: {b:#x} vs {t:#x}");
    bits(ours.v1.bset, theirs.v1.bset, "bool_set1");
    bits(
        ours.capability_bits,
        theirs.capability_bits,
        "capability_bits",
    );
    bits(
        ours.capability_bits_v2,
        theirs.capability_bits_v2,
        "capability_bits_v2",
    );
    bits(ours.v1.prim_mask, theirs.v1.prim_mask, "prim_mask");
    for (what, o, t) in [
        ("glsl_level", ours.v1.glsl_level, theirs.v1.glsl_level),
        (
            "max_texture_array_layers",
            ours.v1.max_texture_array_layers,
            theirs.v1.max_texture_array_layers,
        ),
        (
            "max_render_targets",
            ours.v1.max_render_targets,
            theirs.v1.max_render_targets,
        ),
        ("max_samples", ours.v1.max_samples, theirs.v1.max_samples),
        (
            "max_uniform_blocks",
            ours.v1.max_uniform_blocks,
            theirs.v1.max_uniform_blocks,
        ),
        (
            "max_viewports",
            ours.v1.max_viewports,
            theirs.v1.max_viewports,
        ),
        (
            "max_vertex_attribs",
            ours.max_vertex_attribs,
            theirs.max_vertex_attribs,
        ),
        (
            "max_vertex_outputs",
            ours.max_vertex_outputs,
            theirs.max_vertex_outputs,
        ),
        (
            "max_texture_samplers",
            ours.max_texture_samplers,
            theirs.max_texture_samplers,
        ),
        (
            "max_vertex_attrib_stride",
            ours.max_vertex_attrib_stride,
            theirs.max_vertex_attrib_stride,
        ),
        (
            "max_const_buffer_size[VS]",
            ours.max_const_buffer_size[0],
            theirs.max_const_buffer_size[0],
        ),
        (
            "max_const_buffer_size[GS]",
            ours.max_const_buffer_size[2],
            theirs.max_const_buffer_size[2],
        ),
        (
            "max_geom_output_vertices",
            ours.max_geom_output_vertices,
            theirs.max_geom_output_vertices,
        ),
        (
            "max_geom_total_output_components",
            ours.max_geom_total_output_components,
            theirs.max_geom_total_output_components,
        ),
        (
            "max_shader_buffer_frag_compute",
            ours.max_shader_buffer_frag_compute,
            theirs.max_shader_buffer_frag_compute,
        ),
        (
            "max_shader_buffer_other_stages",
            ours.max_shader_buffer_other_stages,
            theirs.max_shader_buffer_other_stages,
        ),
        (
            "max_shader_image_frag_compute",
            ours.max_shader_image_frag_compute,
            theirs.max_shader_image_frag_compute,
        ),
        (
            "max_shader_image_other_stages",
            ours.max_shader_image_other_stages,
            theirs.max_shader_image_other_stages,
        ),
        (
            "max_image_samples",
            ours.max_image_samples,
            theirs.max_image_samples,
        ),
        (
            "max_combined_shader_buffers",
            ours.max_combined_shader_buffers,
            theirs.max_combined_shader_buffers,
        ),
        (
            "max_combined_atomic_counter_buffers",
            ours.max_combined_atomic_counter_buffers,
            theirs.max_combined_atomic_counter_buffers,
        ),
    ] {
        assert!(o <= t, "{what}: ours {o}, virglrenderer's {t}");
    }
    // Limits read from the same GL agree exactly.
    assert!(ours.capabilities().contains(CapabilityBits::COMPUTE_SHADER));
    assert_eq!(
        ours.max_compute_work_group_invocations,
        theirs.max_compute_work_group_invocations
    );
    assert_eq!(
        ours.max_compute_shared_memory_size,
        theirs.max_compute_shared_memory_size
    );
    assert_eq!(ours.max_compute_grid_size, theirs.max_compute_grid_size);
    assert_eq!(ours.max_compute_block_size, theirs.max_compute_block_size);
    assert_eq!(
        ours.shader_buffer_offset_alignment,
        theirs.shader_buffer_offset_alignment
    );
    assert_eq!(ours.max_texture_2d_size, theirs.max_texture_2d_size);
    assert_eq!(ours.max_texture_3d_size, theirs.max_texture_3d_size);
    assert_eq!(ours.max_texture_cube_size, theirs.max_texture_cube_size);
    assert_eq!(ours.max_aliased_line_width, theirs.max_aliased_line_width);
    assert_eq!(ours.max_smooth_point_size, theirs.max_smooth_point_size);
    assert_eq!(ours.max_texture_lod_bias, theirs.max_texture_lod_bias);
    assert_eq!(
        ours.uniform_buffer_offset_alignment,
        theirs.uniform_buffer_offset_alignment
    );
    assert_eq!(ours.renderer(), theirs.renderer());
    assert_eq!(ours.v1.glsl_level, 400);
    assert_eq!(ours.min_texel_offset, theirs.min_texel_offset);
    assert_eq!(ours.max_texel_offset, theirs.max_texel_offset);
    assert_eq!(
        ours.min_texture_gather_offset,
        theirs.min_texture_gather_offset
    );
    assert_eq!(
        ours.max_texture_gather_offset,
        theirs.max_texture_gather_offset
    );
    assert_eq!(
        ours.v1.max_texture_gather_components,
        theirs.v1.max_texture_gather_components
    );
    assert_eq!(
        ours.host_feature_check_version,
        theirs.host_feature_check_version
    );

    let one = caps.capset(CAPSET_VIRGL, 1).unwrap();
    assert_eq!(CapsV1::from_bytes(&one).unwrap().max_version, 1);
    let two = caps.capset(CAPSET_VIRGL2, 2).unwrap();
    assert_eq!(CapsV2::from_bytes(&two).unwrap().v1.max_version, 2);
}
