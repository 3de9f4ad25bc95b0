//! A context with one resource of each common shape, for fuzzing and tests with the
//! [`NullBackend`](crate::backend::null::NullBackend): streams then have something to name.

use virgl_proto::format::Format;
use virgl_proto::pipe::{bind, TextureTarget};
use virgl_proto::vtest::ResourceDesc;

use crate::backend::Backend;
use crate::resource::Limits;
use crate::{Renderer, Result};

/// Limits of a capable desktop host.
pub const LIMITS: Limits = Limits {
    max_texture_2d_size: 16384,
    max_texture_3d_size: 2048,
    max_texture_cube_size: 16384,
    multisample: true,
    texture_array: true,
    cube_map_array: true,
    query_buffer: true,
    indirect_draw: true,
};

/// The resources [`populate`] makes, by id: a 16x16 RGBA8 render target, a 4 KiB vertex
/// buffer, an 8x8x4 3D texture, an 8x8 cube map, a 16x16 depth/stencil buffer, a 4-layer
/// 2D array with 3 levels, and a 64-byte query buffer.
pub fn resources() -> Vec<(u32, ResourceDesc)> {
    let tex = |target, format, w, h, d, layers, levels, b| ResourceDesc {
        target,
        format,
        bind: b,
        width: w,
        height: h,
        depth: d,
        array_size: layers,
        last_level: levels,
        nr_samples: 0,
    };
    use TextureTarget as T;
    vec![
        (
            1,
            ResourceDesc::texture_2d(
                Format::R8G8B8A8_UNORM,
                16,
                16,
                bind::RENDER_TARGET | bind::SAMPLER_VIEW,
            ),
        ),
        (2, ResourceDesc::buffer(4096, bind::VERTEX_BUFFER)),
        (
            3,
            tex(
                T::Texture3D,
                Format::R8G8B8A8_UNORM,
                8,
                8,
                4,
                1,
                0,
                bind::SAMPLER_VIEW,
            ),
        ),
        (
            4,
            tex(
                T::Cube,
                Format::B8G8R8A8_UNORM,
                8,
                8,
                1,
                6,
                0,
                bind::SAMPLER_VIEW,
            ),
        ),
        (
            5,
            ResourceDesc::texture_2d(Format::S8_UINT_Z24_UNORM, 16, 16, bind::DEPTH_STENCIL),
        ),
        (
            6,
            tex(
                T::Texture2DArray,
                Format::R32G32B32A32_FLOAT,
                16,
                16,
                1,
                4,
                2,
                bind::SAMPLER_VIEW | bind::RENDER_TARGET,
            ),
        ),
        (7, ResourceDesc::buffer(64, bind::CUSTOM)),
    ]
}

/// Makes context `ctx` and the [`resources`], attached to it, each with zeroed backing.
pub fn populate<B: Backend>(r: &mut Renderer<B>, ctx: u32) -> Result<()> {
    r.create_context(ctx, "fixture")?;
    for (id, desc) in resources() {
        r.create_resource(id, &desc, 0)?;
        let size = desc.backing_size().unwrap_or(0) as usize;
        r.attach_backing(id, Box::new(vec![0u8; size]))?;
        r.attach_resource(ctx, id)?;
    }
    Ok(())
}
