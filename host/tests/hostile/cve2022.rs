//! CVE-2022-0135 (an out-of-bounds write in transfers to array and multisample textures) and
//! CVE-2022-0175 (resources read back before anything was written gave host memory).

use virgl_host::backend::Backend;
use virgl_host::Renderer;
use virgl_proto::ccmd::{Box3, Command, Transfer3d, TransferDirection, TransferTarget};
use virgl_proto::format::Format;
use virgl_proto::pipe::{bind, TextureTarget};
use virgl_proto::vtest::ResourceDesc;

use crate::bystander::Bystander;
use crate::cve2019::inline_write;
use crate::{encode, Case, Expect, Step};

stream_cases! {
    cve_2022_0135_array_layers_past_the_end,
    cve_2022_0135_2d_with_depth_2,
    cve_2022_0135_multisample_array_layers,
    cve_2022_0135_3d_slices_past_the_end,
}

/// CVE-2022-0135 (an escape): the host's staging buffer for a transfer to a
/// `GL_TEXTURE_2D_MULTISAMPLE_ARRAY` was sized without the box's depth, and non-array targets
/// took `depth != 1` (fixed in 95e581fd, with 2aed5d41's range check). RESOURCE_INLINE_WRITE
/// of layers 2..5 of a 4-layer 2D array.
fn cve_2022_0135_array_layers_past_the_end() -> Case {
    Case {
        name: "cve_2022_0135_array_layers_past_the_end",
        about: "CVE-2022-0135: RESOURCE_INLINE_WRITE box z = 2, d = 3 on a 4-layer 2D array",
        steps: |ids| {
            let region = Box3 {
                z: 2,
                d: 3,
                ..Box3::new_2d(0, 0, 16, 16)
            };
            vec![Step::Submit(encode(&[inline_write(
                ids.array,
                0,
                region,
                0,
                0,
                16 * 16 * 16 * 3,
            )]))]
        },
        expect: Expect::Refused(&["RESOURCE_INLINE_WRITE", "box", "reaches past"]),
    }
}

/// CVE-2022-0135: depth 2 on a plain 2D texture.
fn cve_2022_0135_2d_with_depth_2() -> Case {
    Case {
        name: "cve_2022_0135_2d_with_depth_2",
        about: "CVE-2022-0135: RESOURCE_INLINE_WRITE box d = 2 on a 2D texture",
        steps: |ids| {
            let region = Box3 {
                d: 2,
                ..Box3::new_2d(0, 0, 16, 16)
            };
            vec![Step::Submit(encode(&[inline_write(
                ids.rt, 0, region, 0, 1024, 2048,
            )]))]
        },
        expect: Expect::Refused(&["RESOURCE_INLINE_WRITE", "box", "reaches past"]),
    }
}

fn transfer3d(resource: u32, region: Box3) -> Command<'static> {
    Command::Transfer3d(Transfer3d {
        target: TransferTarget {
            resource,
            level: 0,
            usage: 0,
            stride: 0,
            layer_stride: 0,
            region,
        },
        offset: 0,
        direction: TransferDirection::ToHost,
    })
}

/// CVE-2022-0135 on the multisample array itself: TRANSFER3D of layers 1..3 of a 2-layer,
/// 4-sample 2D array.
fn cve_2022_0135_multisample_array_layers() -> Case {
    Case {
        name: "cve_2022_0135_multisample_array_layers",
        about: "CVE-2022-0135: TRANSFER3D box z = 1, d = 2 on a 2-layer multisample 2D array",
        steps: |ids| {
            let region = Box3 {
                z: 1,
                d: 2,
                ..Box3::new_2d(0, 0, 8, 8)
            };
            vec![Step::Submit(encode(&[transfer3d(ids.msaa, region)]))]
        },
        expect: Expect::Refused(&["TRANSFER3D", "box", "reaches past"]),
    }
}

/// CVE-2022-0135's range check on a 3D texture: slices 3..5 of 4.
fn cve_2022_0135_3d_slices_past_the_end() -> Case {
    Case {
        name: "cve_2022_0135_3d_slices_past_the_end",
        about: "CVE-2022-0135: TRANSFER3D box z = 3, d = 2 on an 8x8x4 3D texture",
        steps: |ids| {
            let region = Box3 {
                z: 3,
                d: 2,
                ..Box3::new_2d(0, 0, 8, 8)
            };
            vec![Step::Submit(encode(&[transfer3d(ids.tex3d, region)]))]
        },
        expect: Expect::Refused(&["TRANSFER3D", "box", "reaches past"]),
    }
}

/// One resource of each kind a guest can make and read back.
fn kinds() -> Vec<ResourceDesc> {
    let tex = |target, format, w, h, d, layers, last_level, b| ResourceDesc {
        target,
        format,
        bind: b,
        width: w,
        height: h,
        depth: d,
        array_size: layers,
        last_level,
        nr_samples: 0,
    };
    use TextureTarget as T;
    let sv = bind::SAMPLER_VIEW;
    let rgba = Format::R8G8B8A8_UNORM;
    vec![
        ResourceDesc::buffer(4096, bind::VERTEX_BUFFER),
        ResourceDesc::buffer(256, bind::CUSTOM),
        ResourceDesc::buffer(1 << 20, bind::SHADER_BUFFER),
        tex(T::Texture1D, rgba, 64, 1, 1, 1, 0, sv),
        tex(T::Texture1DArray, rgba, 64, 1, 1, 3, 0, sv),
        tex(
            T::Texture2D,
            rgba,
            64,
            32,
            1,
            1,
            3,
            sv | bind::RENDER_TARGET,
        ),
        tex(T::Rect, Format::B8G8R8A8_UNORM, 20, 12, 1, 1, 0, sv),
        tex(
            T::Texture2DArray,
            Format::R32G32B32A32_FLOAT,
            8,
            8,
            1,
            5,
            1,
            sv,
        ),
        tex(T::Texture3D, rgba, 8, 8, 8, 1, 2, sv),
        tex(T::Cube, rgba, 16, 16, 1, 6, 1, sv),
        tex(T::CubeArray, Format::R16G16B16A16_FLOAT, 8, 8, 1, 12, 0, sv),
        tex(
            T::Texture2D,
            Format::S8_UINT_Z24_UNORM,
            32,
            32,
            1,
            1,
            0,
            bind::DEPTH_STENCIL,
        ),
        tex(
            T::Texture2D,
            Format::Z32_FLOAT,
            16,
            16,
            1,
            1,
            0,
            bind::DEPTH_STENCIL,
        ),
        tex(T::Texture2D, Format::R8_UNORM, 33, 17, 1, 1, 0, sv),
    ]
}

/// Every level of `res`, read into guest memory that held 0xa5 before.
fn read_levels<B: Backend + 'static>(r: &mut Renderer<B>, id: u32, desc: &ResourceDesc) {
    for level in 0..=desc.last_level {
        let extent = r.resource(id).unwrap().level_extent(level).unwrap();
        let region = Box3 {
            x: 0,
            y: 0,
            z: 0,
            w: extent.width,
            h: extent.height,
            d: extent.depth,
        };
        let t = TransferTarget {
            resource: id,
            level,
            usage: 0,
            stride: 0,
            layer_stride: 0,
            region,
        };
        let len = r
            .resource(id)
            .unwrap()
            .layout(level, region, 0, 0, 0)
            .unwrap()
            .packed_len() as usize;
        let mut mem = vec![0xa5u8; len];
        r.transfer_read_slice(None, &t, &mut mem)
            .unwrap_or_else(|e| panic!("{desc:?} level {level}: {e}"));
        if let Some(at) = mem.iter().position(|&b| b != 0) {
            panic!(
                "{desc:?} level {level}: byte {at} of {len} read back as {:#x}, never written",
                mem[at]
            );
        }
        // Through the attached backing too, as TRANSFER_FROM_HOST does.
        r.attach_backing(id, Box::new(vec![0x5au8; len])).unwrap();
        r.transfer_read(None, &t, 0).unwrap();
        let b: Box<dyn virgl_host::resource::Backing> = r.detach_backing(id).unwrap();
        let mut got = vec![1u8; b.len() as usize];
        b.read_at(0, &mut got);
        assert!(
            got.iter().all(|&v| v == 0),
            "{desc:?} level {level} into backing"
        );
    }
}

/// CVE-2022-0175: host-backed memory was handed out uninitialised (fixed in b05bb61f, "clear
/// memory when allocating a host-backed memory resource"). Each kind of resource, never
/// written, reads back as zeros: every level, into memory and into backing.
fn never_written<B: Backend + 'static>(r: &mut Renderer<B>, gl: bool) {
    let mut by = Bystander::new(r, gl);
    // Resources made and freed before, whose memory the new ones may reuse.
    for (i, desc) in kinds().iter().enumerate() {
        let id = 80 + i as u32;
        r.create_resource(id, desc, 0)
            .unwrap_or_else(|e| panic!("{desc:?}: {e}"));
        let res = r.resource(id).unwrap();
        let extent = res.level_extent(0).unwrap();
        let region = Box3 {
            x: 0,
            y: 0,
            z: 0,
            w: extent.width,
            h: extent.height,
            d: extent.depth,
        };
        let len = res.layout(0, region, 0, 0, 0).unwrap().packed_len() as usize;
        let t = TransferTarget {
            resource: id,
            level: 0,
            usage: 0,
            stride: 0,
            layer_stride: 0,
            region,
        };
        let junk = vec![0xc3u8; len];
        r.transfer_write(None, &t, virgl_host::GuestBytes::Slice(&junk))
            .unwrap_or_else(|e| panic!("{desc:?}: {e}"));
    }
    for i in 0..kinds().len() {
        r.unref_resource(80 + i as u32);
    }
    by.check(r);
    for (i, desc) in kinds().iter().enumerate() {
        let id = 80 + i as u32;
        r.create_resource(id, desc, 0).unwrap();
        read_levels(r, id, desc);
        r.unref_resource(id);
    }
    by.check(r);
    by.end(r);
}

loop_tests! {
    cve_2022_0175_never_written_reads_zeros => never_written,
}
