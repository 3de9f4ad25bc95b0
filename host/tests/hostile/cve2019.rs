//! The 2019 batch (virglrenderer 0.8.1): objects whose resource has no GL object, inline
//! writes outside their resource or short of data, and BLIT formats.

use virgl_proto::ccmd::{
    Box3, Clear, Command, Dwords, InlineWrite, LayerRange, LevelRange, SamplerView, TransferTarget,
    ViewRange,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::{ClearBuffers, Swizzle, TextureTarget};

use crate::cve2017::{scaled_blit, surface};
use crate::{encode, Case, Expect, Step};

stream_cases! {
    cve_2019_18388_surface_of_a_freed_resource,
    cve_2019_18388_surface_of_a_buffer,
    cve_2019_18388_texture_view_of_a_buffer,
    cve_2019_18389_box_past_the_level,
    cve_2019_18389_negative_x,
    cve_2019_18389_stride_below_a_row,
    cve_2019_18389_layer_stride_overflow,
    cve_2019_18389_level_past_last,
    cve_2019_18390_blit_src_format,
    cve_2019_18390_blit_dst_format,
    cve_2019_18391_data_short_of_the_box,
    cve_2019_18391_3d_data_short,
}

fn clear() -> Command<'static> {
    Command::Clear(Clear::color(ClearBuffers::COLOR0, [0.5; 4]))
}

/// CVE-2019-18388: NULL dereferences on resources without their GL object (fixed by checking
/// resource creation, 0d9a2c88, and 55cca5f5 for resources without GL objects). A surface
/// bound as colour buffer 0 whose resource is then freed, then CLEAR.
fn cve_2019_18388_surface_of_a_freed_resource() -> Case {
    Case {
        name: "cve_2019_18388_surface_of_a_freed_resource",
        about: "CVE-2019-18388: CLEAR with colour buffer 0's resource freed (RESOURCE_UNREF)",
        steps: |ids| {
            vec![
                Step::Submit(encode(&[
                    Command::CreateSurface(surface(1, ids.rt)),
                    Command::SetFramebufferState {
                        zsurf: 0,
                        cbufs: vec![1],
                    },
                    clear(),
                ])),
                Step::Unref(ids.rt),
                Step::Submit(encode(&[clear()])),
            ]
        },
        expect: Expect::Refused(&[
            "CLEAR",
            "colour buffer 0: surface 1's resource",
            "does not exist",
        ]),
    }
}

/// CVE-2019-18388: a render target with no texture behind it: a surface of a buffer as
/// colour buffer 0, then CLEAR.
fn cve_2019_18388_surface_of_a_buffer() -> Case {
    Case {
        name: "cve_2019_18388_surface_of_a_buffer",
        about: "CVE-2019-18388: CLEAR with colour buffer 0 a surface of a buffer",
        steps: |ids| {
            vec![Step::Submit(encode(&[
                Command::CreateSurface(surface(1, ids.vbuf)),
                Command::SetFramebufferState {
                    zsurf: 0,
                    cbufs: vec![1],
                },
                clear(),
            ]))]
        },
        expect: Expect::Refused(&[
            "CLEAR",
            "colour buffer 0: surface 1's resource",
            "is a buffer",
        ]),
    }
}

/// CVE-2019-18388: a texture view (2D, levels and layers) of a buffer.
fn cve_2019_18388_texture_view_of_a_buffer() -> Case {
    Case {
        name: "cve_2019_18388_texture_view_of_a_buffer",
        about: "CVE-2019-18388: CREATE_OBJECT(SAMPLER_VIEW) target 2D on a buffer",
        steps: |ids| {
            vec![Step::Submit(encode(&[Command::CreateSamplerView(
                SamplerView {
                    handle: 1,
                    resource: ids.vbuf,
                    format: Format::R8G8B8A8_UNORM,
                    target: TextureTarget::Texture2D,
                    range: ViewRange::Texture {
                        layers: LayerRange::single(0),
                        levels: LevelRange { first: 0, last: 0 },
                    },
                    swizzle: [Swizzle::X, Swizzle::Y, Swizzle::Z, Swizzle::W],
                },
            )]))]
        },
        expect: Expect::Refused(&["CREATE_OBJECT(SAMPLER_VIEW)", "a texture view of buffer"]),
    }
}

/// RESOURCE_INLINE_WRITE of `region` of `level` with these strides and `bytes` of data.
pub fn inline_write(
    resource: u32,
    level: u32,
    region: Box3,
    stride: u32,
    layer_stride: u32,
    bytes: usize,
) -> Command<'static> {
    Command::ResourceInlineWrite(InlineWrite {
        target: TransferTarget {
            resource,
            level,
            usage: 0,
            stride,
            layer_stride,
            region,
        },
        data: Dwords::from_bytes(vec![0x5a; bytes.next_multiple_of(4).max(4)]).unwrap(),
    })
}

/// CVE-2019-18389 (a QEMU escape): `vrend_renderer_transfer_write_iov` wrote outside the
/// texture for a box past it. RESOURCE_INLINE_WRITE of x 10..20 on a 16-wide level.
fn cve_2019_18389_box_past_the_level() -> Case {
    Case {
        name: "cve_2019_18389_box_past_the_level",
        about: "CVE-2019-18389: RESOURCE_INLINE_WRITE box x = 10, w = 10 on a 16x16 level",
        steps: |ids| {
            vec![Step::Submit(encode(&[inline_write(
                ids.rt,
                0,
                Box3::new_2d(10, 0, 10, 1),
                0,
                0,
                40,
            )]))]
        },
        expect: Expect::Refused(&["RESOURCE_INLINE_WRITE", "box", "reaches past"]),
    }
}

/// CVE-2019-18389's fix "check transfer bounds for negative values too": x = -16.
fn cve_2019_18389_negative_x() -> Case {
    Case {
        name: "cve_2019_18389_negative_x",
        about: "CVE-2019-18389: RESOURCE_INLINE_WRITE box x = -16 (0xfffffff0), w = 16",
        steps: |ids| {
            vec![Step::Submit(encode(&[inline_write(
                ids.rt,
                0,
                Box3::new_2d(0xffff_fff0, 0, 16, 1),
                0,
                0,
                64,
            )]))]
        },
        expect: Expect::Refused(&["RESOURCE_INLINE_WRITE", "box", "reaches past"]),
    }
}

/// CVE-2019-18389: a stride smaller than the row it separates.
fn cve_2019_18389_stride_below_a_row() -> Case {
    Case {
        name: "cve_2019_18389_stride_below_a_row",
        about: "CVE-2019-18389: RESOURCE_INLINE_WRITE stride = 4 for rows of 64 bytes",
        steps: |ids| {
            vec![Step::Submit(encode(&[inline_write(
                ids.rt,
                0,
                Box3::new_2d(0, 0, 16, 2),
                4,
                0,
                128,
            )]))]
        },
        expect: Expect::Refused(&["RESOURCE_INLINE_WRITE", "stride 4 is smaller"]),
    }
}

/// CVE-2019-18389: a layer stride whose span overflows what the data holds.
fn cve_2019_18389_layer_stride_overflow() -> Case {
    Case {
        name: "cve_2019_18389_layer_stride_overflow",
        about: "CVE-2019-18389: RESOURCE_INLINE_WRITE of 2 layers, layer_stride = 0xffffffff",
        steps: |ids| {
            vec![Step::Submit(encode(&[inline_write(
                ids.array,
                0,
                Box3 {
                    d: 2,
                    ..Box3::new_2d(0, 0, 16, 16)
                },
                0,
                0xffff_ffff,
                8192,
            )]))]
        },
        expect: Expect::Refused(&["RESOURCE_INLINE_WRITE", "inline data"]),
    }
}

/// CVE-2019-18389: a level past the resource's last.
fn cve_2019_18389_level_past_last() -> Case {
    Case {
        name: "cve_2019_18389_level_past_last",
        about: "CVE-2019-18389: RESOURCE_INLINE_WRITE level = 5 of a texture with 1 level",
        steps: |ids| {
            vec![Step::Submit(encode(&[inline_write(
                ids.rt,
                5,
                Box3::new_2d(0, 0, 1, 1),
                0,
                0,
                4,
            )]))]
        },
        expect: Expect::Refused(&["RESOURCE_INLINE_WRITE", "level 5 past the last level 0"]),
    }
}

/// A BLIT with one format dword replaced by `value` (payload dword 6 is dst_format, 15
/// src_format).
fn blit_with_format(ids: &crate::Ids, dword: usize, value: u32) -> Vec<u32> {
    let mut s = encode(&[Command::Blit(scaled_blit(ids))]);
    let was = if dword == 6 {
        Format::R32G32B32A32_FLOAT
    } else {
        Format::R8G8B8A8_UNORM
    };
    assert_eq!(s[dword], was.to_wire(), "the format's dword");
    s[dword] = value;
    s
}

/// CVE-2019-18390: `vrend_blit_need_swizzle` indexed a table with a format past
/// VIRGL_FORMAT_MAX. BLIT with src_format 0xffff.
fn cve_2019_18390_blit_src_format() -> Case {
    Case {
        name: "cve_2019_18390_blit_src_format",
        about: "CVE-2019-18390: BLIT src_format = 0xffff",
        steps: |ids| vec![Step::Submit(blit_with_format(ids, 15, 0xffff))],
        expect: Expect::Refused(&["BLIT", "`src_format`"]),
    }
}

/// CVE-2019-18390: BLIT with dst_format 1000, past the last format.
fn cve_2019_18390_blit_dst_format() -> Case {
    Case {
        name: "cve_2019_18390_blit_dst_format",
        about: "CVE-2019-18390: BLIT dst_format = 1000",
        steps: |ids| vec![Step::Submit(blit_with_format(ids, 6, 1000))],
        expect: Expect::Refused(&["BLIT", "`dst_format`"]),
    }
}

/// CVE-2019-18391: `vrend_renderer_transfer_write_iov` read past the data when it was shorter
/// than the box. RESOURCE_INLINE_WRITE of a 16x16 RGBA8 box with 16 bytes.
fn cve_2019_18391_data_short_of_the_box() -> Case {
    Case {
        name: "cve_2019_18391_data_short_of_the_box",
        about: "CVE-2019-18391: RESOURCE_INLINE_WRITE of 16x16 RGBA8 with 16 bytes of data",
        steps: |ids| {
            vec![Step::Submit(encode(&[inline_write(
                ids.rt,
                0,
                Box3::new_2d(0, 0, 16, 16),
                0,
                0,
                16,
            )]))]
        },
        expect: Expect::Refused(&["RESOURCE_INLINE_WRITE", "inline data", "1024"]),
    }
}

/// CVE-2019-18391 on a 3D texture: all 4 slices of 8x8 RGBA8 with the bytes of one.
fn cve_2019_18391_3d_data_short() -> Case {
    Case {
        name: "cve_2019_18391_3d_data_short",
        about: "CVE-2019-18391: RESOURCE_INLINE_WRITE of 8x8x4 RGBA8 with 256 bytes of data",
        steps: |ids| {
            vec![Step::Submit(encode(&[inline_write(
                ids.tex3d,
                0,
                Box3 {
                    d: 4,
                    ..Box3::new_2d(0, 0, 8, 8)
                },
                0,
                0,
                256,
            )]))]
        },
        expect: Expect::Refused(&["RESOURCE_INLINE_WRITE", "inline data"]),
    }
}
