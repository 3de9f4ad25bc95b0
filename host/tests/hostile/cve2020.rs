//! The 2020 batch (virglrenderer 0.8.2): LAUNCH_GRID without a compute shader, and resource
//! creation that fails (CVE-2020-8003's double free).

use virgl_host::backend::Backend;
use virgl_host::{Error, Renderer};
use virgl_proto::ccmd::{Command, LaunchGrid};
use virgl_proto::format::Format;
use virgl_proto::pipe::{bind, TextureTarget};
use virgl_proto::vtest::ResourceDesc;

use crate::bystander::Bystander;
use crate::{encode, Case, Expect, Step};

stream_cases! {
    cve_2020_8002_launch_grid_without_compute_shader,
    cve_2020_8002_indirect_grid_missing,
    cve_2020_8002_indirect_grid_past_the_buffer,
}

fn grid(indirect_resource: u32, indirect_offset: u32) -> Command<'static> {
    Command::LaunchGrid(LaunchGrid {
        block: [1, 1, 1],
        grid: [4, 4, 1],
        indirect_resource,
        indirect_offset,
    })
}

/// CVE-2020-8002: `vrend_launch_grid` dereferenced the compute shader with none bound. As in
/// virglrenderer's fix (63bcca25), LAUNCH_GRID without one does nothing.
fn cve_2020_8002_launch_grid_without_compute_shader() -> Case {
    Case {
        name: "cve_2020_8002_launch_grid_without_compute_shader",
        about: "CVE-2020-8002: LAUNCH_GRID with no compute shader bound",
        steps: |_| vec![Step::Submit(encode(&[grid(0, 0), grid(0, 0)]))],
        expect: Expect::Harmless,
    }
}

/// CVE-2020-8002 with an indirect grid buffer (`indirect_resource`) that does not exist.
fn cve_2020_8002_indirect_grid_missing() -> Case {
    Case {
        name: "cve_2020_8002_indirect_grid_missing",
        about: "CVE-2020-8002: LAUNCH_GRID indirect_resource = 0xdeadbeef, which does not exist",
        steps: |_| vec![Step::Submit(encode(&[grid(0xdead_beef, 0)]))],
        expect: Expect::Refused(&["LAUNCH_GRID", "resource 3735928559 does not exist"]),
    }
}

/// CVE-2020-8002 with an indirect grid (`indirect_offset`) whose 12 bytes run past its buffer.
fn cve_2020_8002_indirect_grid_past_the_buffer() -> Case {
    Case {
        name: "cve_2020_8002_indirect_grid_past_the_buffer",
        about: "CVE-2020-8002: LAUNCH_GRID indirect_offset = 60 in a 64-byte buffer",
        steps: |ids| vec![Step::Submit(encode(&[grid(ids.small, 60)]))],
        expect: Expect::Refused(&["LAUNCH_GRID", "indirect grid at offset 60"]),
    }
}

/// CVE-2020-8003: a texture whose allocation failed was freed twice. A 16384x16384 RGBA32F
/// 2D array of 2048 layers (8 TiB), a 3D depth texture (a format and target GL refuses
/// together), and shapes check_create refuses: each fails with a named error, or is made;
/// either way its id can be freed and used again.
fn failed_creation<B: Backend + 'static>(r: &mut Renderer<B>, gl: bool) {
    let mut by = Bystander::new(r, gl);
    by.check(r);
    let huge = ResourceDesc {
        target: TextureTarget::Texture2DArray,
        format: Format::R32G32B32A32_FLOAT,
        bind: bind::SAMPLER_VIEW,
        width: 16384,
        height: 16384,
        depth: 1,
        array_size: 2048,
        last_level: 0,
        nr_samples: 0,
    };
    let depth_3d = ResourceDesc {
        target: TextureTarget::Texture3D,
        format: Format::Z24_UNORM_S8_UINT,
        bind: bind::DEPTH_STENCIL,
        width: 8,
        height: 8,
        depth: 8,
        array_size: 1,
        ..huge
    };
    let refused = [
        // A buffer with rows, a cube of one face, a multisampled 3D texture, no texels.
        ResourceDesc {
            height: 2,
            ..ResourceDesc::buffer(64, bind::VERTEX_BUFFER)
        },
        ResourceDesc {
            target: TextureTarget::Cube,
            array_size: 1,
            ..depth_3d
        },
        ResourceDesc {
            nr_samples: 4,
            format: Format::R8G8B8A8_UNORM,
            bind: bind::RENDER_TARGET,
            ..depth_3d
        },
        ResourceDesc {
            width: 0,
            ..ResourceDesc::texture_2d(Format::R8G8B8A8_UNORM, 1, 1, bind::SAMPLER_VIEW)
        },
    ];
    let id = 70;
    for desc in [huge, depth_3d].iter().chain(&refused) {
        match r.create_resource(id, desc, 0) {
            Ok(()) => {
                eprintln!("made {desc:?}");
                assert!(r.unref_resource(id).is_none(), "no backing was attached");
            }
            Err(e) => {
                eprintln!("refused {desc:?}: {e}");
                assert!(
                    matches!(
                        e,
                        Error::InvalidResource { id: 70, .. }
                            | Error::Resource { id: 70, .. }
                            | Error::Gl { .. }
                    ),
                    "{e:?}"
                );
                assert!(
                    e.to_string().contains("70") || matches!(e, Error::Gl { .. }),
                    "the error names the resource: {e}"
                );
                assert!(r.resource(id).is_none(), "nothing is left of it");
                assert!(r.unref_resource(id).is_none());
            }
        }
        by.check(r);
        // The id is free again.
        let small = ResourceDesc::texture_2d(Format::R8G8B8A8_UNORM, 4, 4, bind::SAMPLER_VIEW);
        r.create_resource(id, &small, 0).unwrap();
        r.unref_resource(id);
        assert!(
            r.unref_resource(id).is_none(),
            "a second unref does nothing"
        );
    }
    for desc in &refused {
        let e = r.create_resource(id, desc, 0).unwrap_err();
        assert!(matches!(e, Error::InvalidResource { id: 70, .. }), "{e:?}");
    }
    by.check(r);
    by.end(r);
}

loop_tests! {
    cve_2020_8003_failed_creation => failed_creation,
}
