//! Shared set-up for rendering cases: a render target, a pipeline, vertex upload, read-back.

use virgl_proto::ccmd::{Blend, Box3, DrawVbo, Dsa, Rasterizer, VertexElement, Viewport};
use virgl_proto::format::Format;
use virgl_proto::pipe::{bind, PrimMode};
use virgl_proto::tgsi::{
    self, Builder, Declaration, Dst, File, Instruction, Interpolate, Opcode, Processor,
    PropertyName, PropertyValue, ReturnType, SemanticName, Src, Texture,
};

use super::DynTransport;
use crate::context::{Context, Object, Resource};
use crate::error::Result;
use crate::transport::ResourceDesc;

/// Passes position and colour (or texture coordinate) through.
pub fn vs_passthrough() -> tgsi::Shader {
    Builder::new(Processor::Vert)
        .declare(Declaration::new(File::In, 0, 0))
        .declare(Declaration::new(File::In, 1, 1))
        .declare(Declaration::new(File::Out, 0, 0).semantic(SemanticName::Position, 0))
        .declare(Declaration::new(File::Out, 1, 1).semantic(SemanticName::Generic, 0))
        .op(
            Opcode::Mov,
            &[Dst::reg(File::Out, 0)],
            &[Src::reg(File::In, 0)],
        )
        .op(
            Opcode::Mov,
            &[Dst::reg(File::Out, 1)],
            &[Src::reg(File::In, 1)],
        )
        .end()
}

/// The interpolated generic input 0 of the fragment stage.
fn fs_generic_input() -> Declaration {
    Declaration::new(File::In, 0, 0)
        .semantic(SemanticName::Generic, 0)
        .interpolate(Interpolate::Linear)
}

/// Writes the interpolated colour.
pub fn fs_color() -> tgsi::Shader {
    Builder::new(Processor::Frag)
        .property(PropertyName::FsColor0WritesAllCbufs, PropertyValue::Uint(1))
        .declare(fs_generic_input())
        .declare(Declaration::new(File::Out, 0, 0).semantic(SemanticName::Color, 0))
        .op(
            Opcode::Mov,
            &[Dst::reg(File::Out, 0)],
            &[Src::reg(File::In, 0)],
        )
        .end()
}

/// Samples texture unit 0 at the interpolated coordinate.
pub fn fs_texture() -> tgsi::Shader {
    Builder::new(Processor::Frag)
        .declare(fs_generic_input())
        .declare(Declaration::new(File::Out, 0, 0).semantic(SemanticName::Color, 0))
        .declare(Declaration::new(File::Samp, 0, 0))
        .declare(Declaration::sampler_view(0, Texture::D2, ReturnType::Float))
        .instruction(
            Instruction::new(
                Opcode::Tex,
                &[Dst::reg(File::Out, 0)],
                &[Src::reg(File::In, 0), Src::reg(File::Samp, 0)],
            )
            .texture(Texture::D2),
        )
        .end()
}

/// Writes constant 0 of the fragment stage.
pub fn fs_constant() -> tgsi::Shader {
    Builder::new(Processor::Frag)
        .declare(Declaration::new(File::Out, 0, 0).semantic(SemanticName::Color, 0))
        .declare(Declaration::new(File::Const, 0, 0))
        .op(
            Opcode::Mov,
            &[Dst::reg(File::Out, 0)],
            &[Src::reg(File::Const, 0)],
        )
        .end()
}

/// One vertex: position xyzw, then colour (or texcoord) xyzw.
pub type Vertex = [f32; 8];

/// Two triangles (a strip) covering `x0..x1`, `y0..y1` in NDC at depth `z`.
pub fn quad(x0: f32, y0: f32, x1: f32, y1: f32, z: f32, color: [f32; 4]) -> [Vertex; 4] {
    let v = |x, y| [x, y, z, 1.0, color[0], color[1], color[2], color[3]];
    [v(x0, y0), v(x1, y0), v(x0, y1), v(x1, y1)]
}

/// A colour texture bound as colour buffer 0, with the viewport covering it.
pub struct Target {
    pub tex: Resource,
    /// Held so the surface outlives the draws into it.
    pub _surface: Object,
    pub width: u32,
    pub height: u32,
}

/// The format every rendering case draws into.
pub const RT_FORMAT: Format = Format::B8G8R8A8_UNORM;

/// Creates a `width` × `height` target, binds it (with an optional depth surface) and sets the viewport.
pub fn target(
    ctx: &mut Context<DynTransport>,
    width: u32,
    height: u32,
    zsurf: Option<&Object>,
) -> Result<Target> {
    let tex = ctx.create_resource(&ResourceDesc::texture_2d(
        RT_FORMAT,
        width,
        height,
        bind::RENDER_TARGET | bind::SAMPLER_VIEW,
    ))?;
    let surf = ctx.create_surface(&tex, RT_FORMAT)?;
    ctx.set_framebuffer(&[&surf], zsurf)?;
    ctx.set_viewport(Viewport::for_size(width, height))?;
    Ok(Target {
        tex,
        _surface: surf,
        width,
        height,
    })
}

/// The objects of a bound pipeline, kept alive while it is used.
pub struct Pipeline {
    /// Held so the objects outlive the draws that use them.
    pub _objects: Vec<Object>,
}

/// Creates and binds blend, DSA, rasterizer, the two-attribute vertex layout and the shaders.
pub fn pipeline(
    ctx: &mut Context<DynTransport>,
    fs: &tgsi::Shader,
    blend: &Blend,
    dsa: &Dsa,
    rast: &Rasterizer,
) -> Result<Pipeline> {
    let blend = ctx.create_blend(blend)?;
    let dsa = ctx.create_dsa(dsa)?;
    let rast = ctx.create_rasterizer(rast)?;
    let attr = |offset| VertexElement {
        src_offset: offset,
        instance_divisor: 0,
        vertex_buffer_index: 0,
        src_format: Format::R32G32B32A32_FLOAT,
    };
    let ve = ctx.create_vertex_elements(&[attr(0), attr(16)])?;
    let vs = ctx.create_tgsi(&vs_passthrough())?;
    let fs = ctx.create_tgsi(fs)?;
    for o in [&blend, &dsa, &rast, &ve] {
        ctx.bind(o)?;
    }
    ctx.bind_shader(virgl_proto::pipe::ShaderType::Vertex, Some(&vs))?;
    ctx.bind_shader(virgl_proto::pipe::ShaderType::Fragment, Some(&fs))?;
    Ok(Pipeline {
        _objects: vec![blend, dsa, rast, ve, vs, fs],
    })
}

/// The default pipeline state: no blending, no depth test, no culling.
pub fn default_states() -> (Blend, Dsa, Rasterizer) {
    (Blend::default(), Dsa::default(), Rasterizer::default())
}

/// Uploads `vertices` into a new vertex buffer, binds it and draws them; returns the buffer.
pub fn draw(
    ctx: &mut Context<DynTransport>,
    vertices: &[Vertex],
    mode: PrimMode,
) -> Result<Resource> {
    let bytes: Vec<u8> = vertices
        .iter()
        .flatten()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    let vb = ctx.create_resource(&ResourceDesc::buffer(
        bytes.len() as u32,
        bind::VERTEX_BUFFER,
    ))?;
    ctx.upload(&vb, Box3::new_2d(0, 0, bytes.len() as u32, 1), &bytes)?;
    ctx.set_vertex_buffers(&[(32, 0, &vb)])?;
    ctx.draw(DrawVbo::arrays(mode, 0, vertices.len() as u32))?;
    Ok(vb)
}

/// Reads the target back as RGBA8.
pub fn read_rgba(ctx: &mut Context<DynTransport>, t: &Target) -> Result<Vec<u8>> {
    let mut bytes = ctx.download(&t.tex, Box3::new_2d(0, 0, t.width, t.height))?;
    bgra_to_rgba(&mut bytes);
    Ok(bytes)
}

/// Swaps red and blue in place.
pub fn bgra_to_rgba(bytes: &mut [u8]) {
    for px in bytes.chunks_exact_mut(4) {
        px.swap(0, 2);
    }
}

/// The RGBA pixel at (`x`, `y`).
pub fn pixel(rgba: &[u8], width: u32, x: u32, y: u32) -> [u8; 4] {
    let i = ((y * width + x) * 4) as usize;
    [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]]
}

/// Pixels equal to `color`.
pub fn count(rgba: &[u8], color: [u8; 4]) -> usize {
    rgba.chunks_exact(4).filter(|p| *p == color).count()
}

/// Whether two pixels differ by at most `tol` per channel.
pub fn near(a: [u8; 4], b: [u8; 4], tol: u8) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= tol)
}

/// Deterministic pseudo-random bytes (xorshift32).
pub fn pattern(len: usize, seed: u32) -> Vec<u8> {
    let mut s = seed.max(1);
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 11) as u8
        })
        .collect()
}

/// The first differing byte, described, or `None` when equal.
pub fn first_difference(got: &[u8], want: &[u8]) -> Option<String> {
    if got.len() != want.len() {
        return Some(format!("length {} != expected {}", got.len(), want.len()));
    }
    got.iter()
        .zip(want)
        .position(|(a, b)| a != b)
        .map(|i| format!("byte {i}: got {:#04x}, expected {:#04x}", got[i], want[i]))
}

/// Compares every pixel of an RGBA8 read-back with `expect(x, y)` (row 0 is the first row read
/// back); `None` when all match, else how many differ and the first difference.
pub fn mismatch(
    rgba: &[u8],
    width: u32,
    height: u32,
    expect: impl Fn(u32, u32) -> [u8; 4],
) -> Option<String> {
    let mut first = None;
    let mut wrong = 0;
    for y in 0..height {
        for x in 0..width {
            let (got, want) = (pixel(rgba, width, x, y), expect(x, y));
            if got != want {
                wrong += 1;
                first.get_or_insert(format!("({x}, {y}) is {got:?}, expected {want:?}"));
            }
        }
    }
    first.map(|f| format!("{wrong} of {} pixels differ; first: {f}", width * height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shaders_print_text_that_parses_back() {
        for s in [vs_passthrough(), fs_color(), fs_texture(), fs_constant()] {
            let text = s.to_string();
            assert_eq!(tgsi::parse(&text).unwrap(), s, "{text}");
        }
        assert_eq!(
            fs_texture().to_string(),
            "FRAG\nDCL IN[0], GENERIC[0], LINEAR\nDCL OUT[0], COLOR\nDCL SAMP[0]\n\
             DCL SVIEW[0], 2D, FLOAT\n  0: TEX OUT[0], IN[0], SAMP[0], 2D\n  1: END\n"
        );
    }
}
