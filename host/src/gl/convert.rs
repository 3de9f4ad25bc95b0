//! Gallium enums as GL enums: one function per enum, each a plain table.

use virgl_proto::pipe::{
    BlendFactor, BlendFunc, CompareFunc, IndexSize, LogicOp, MipFilter, PrimMode, StencilOp,
    Swizzle, TexFilter, TexWrap, TextureTarget,
};

/// `GL_MIRROR_CLAMP_TO_BORDER_EXT` (EXT_texture_mirror_clamp), which glow does not name.
pub(super) const MIRROR_CLAMP_TO_BORDER_EXT: u32 = 0x8912;

/// `GL_*` blend factor; `Unset` (blending off) reads as `GL_ONE`/`GL_ZERO` by position, so the
/// caller passes what it means.
pub fn blend_factor(f: BlendFactor, unset: u32) -> u32 {
    use BlendFactor as B;
    match f {
        B::Unset => unset,
        B::One => glow::ONE,
        B::SrcColor => glow::SRC_COLOR,
        B::SrcAlpha => glow::SRC_ALPHA,
        B::DstAlpha => glow::DST_ALPHA,
        B::DstColor => glow::DST_COLOR,
        B::SrcAlphaSaturate => glow::SRC_ALPHA_SATURATE,
        B::ConstColor => glow::CONSTANT_COLOR,
        B::ConstAlpha => glow::CONSTANT_ALPHA,
        B::Src1Color => glow::SRC1_COLOR,
        B::Src1Alpha => glow::SRC1_ALPHA,
        B::Zero => glow::ZERO,
        B::InvSrcColor => glow::ONE_MINUS_SRC_COLOR,
        B::InvSrcAlpha => glow::ONE_MINUS_SRC_ALPHA,
        B::InvDstAlpha => glow::ONE_MINUS_DST_ALPHA,
        B::InvDstColor => glow::ONE_MINUS_DST_COLOR,
        B::InvConstColor => glow::ONE_MINUS_CONSTANT_COLOR,
        B::InvConstAlpha => glow::ONE_MINUS_CONSTANT_ALPHA,
        B::InvSrc1Color => glow::ONE_MINUS_SRC1_COLOR,
        B::InvSrc1Alpha => glow::ONE_MINUS_SRC1_ALPHA,
    }
}

/// `GL_FUNC_*` / `GL_MIN` / `GL_MAX`.
pub fn blend_func(f: BlendFunc) -> u32 {
    match f {
        BlendFunc::Add => glow::FUNC_ADD,
        BlendFunc::Subtract => glow::FUNC_SUBTRACT,
        BlendFunc::ReverseSubtract => glow::FUNC_REVERSE_SUBTRACT,
        BlendFunc::Min => glow::MIN,
        BlendFunc::Max => glow::MAX,
    }
}

/// Depth, stencil and shadow-sampler comparisons.
pub fn compare(f: CompareFunc) -> u32 {
    use CompareFunc as C;
    match f {
        C::Never => glow::NEVER,
        C::Less => glow::LESS,
        C::Equal => glow::EQUAL,
        C::LEqual => glow::LEQUAL,
        C::Greater => glow::GREATER,
        C::NotEqual => glow::NOTEQUAL,
        C::GEqual => glow::GEQUAL,
        C::Always => glow::ALWAYS,
    }
}

/// Stencil operations.
pub fn stencil_op(op: StencilOp) -> u32 {
    use StencilOp as S;
    match op {
        S::Keep => glow::KEEP,
        S::Zero => glow::ZERO,
        S::Replace => glow::REPLACE,
        S::Incr => glow::INCR,
        S::Decr => glow::DECR,
        S::IncrWrap => glow::INCR_WRAP,
        S::DecrWrap => glow::DECR_WRAP,
        S::Invert => glow::INVERT,
    }
}

/// Logic operations.
pub fn logic_op(op: LogicOp) -> u32 {
    use LogicOp as L;
    match op {
        L::Clear => glow::CLEAR,
        L::Nor => glow::NOR,
        L::AndInverted => glow::AND_INVERTED,
        L::CopyInverted => glow::COPY_INVERTED,
        L::AndReverse => glow::AND_REVERSE,
        L::Invert => glow::INVERT,
        L::Xor => glow::XOR,
        L::Nand => glow::NAND,
        L::And => glow::AND,
        L::Equiv => glow::EQUIV,
        L::Noop => glow::NOOP,
        L::OrInverted => glow::OR_INVERTED,
        L::Copy => glow::COPY,
        L::OrReverse => glow::OR_REVERSE,
        L::Or => glow::OR,
        L::Set => glow::SET,
    }
}

/// Texture wrap modes; Gallium's `CLAMP` (GL 1.x clamp) has no core-profile equivalent and
/// reads as clamp to edge, as virglrenderer does.
pub fn wrap(w: TexWrap) -> u32 {
    use TexWrap as W;
    match w {
        W::Repeat => glow::REPEAT,
        W::Clamp | W::ClampToEdge => glow::CLAMP_TO_EDGE,
        W::ClampToBorder => glow::CLAMP_TO_BORDER,
        W::MirrorRepeat => glow::MIRRORED_REPEAT,
        W::MirrorClamp | W::MirrorClampToEdge => glow::MIRROR_CLAMP_TO_EDGE,
        W::MirrorClampToBorder => MIRROR_CLAMP_TO_BORDER_EXT,
    }
}

/// The minification filter for an image filter and a mip filter.
pub fn min_filter(img: TexFilter, mip: MipFilter) -> u32 {
    match (img, mip) {
        (TexFilter::Nearest, MipFilter::None) => glow::NEAREST,
        (TexFilter::Linear, MipFilter::None) => glow::LINEAR,
        (TexFilter::Nearest, MipFilter::Nearest) => glow::NEAREST_MIPMAP_NEAREST,
        (TexFilter::Linear, MipFilter::Nearest) => glow::LINEAR_MIPMAP_NEAREST,
        (TexFilter::Nearest, MipFilter::Linear) => glow::NEAREST_MIPMAP_LINEAR,
        (TexFilter::Linear, MipFilter::Linear) => glow::LINEAR_MIPMAP_LINEAR,
    }
}

/// The magnification filter.
pub fn mag_filter(img: TexFilter) -> u32 {
    match img {
        TexFilter::Nearest => glow::NEAREST,
        TexFilter::Linear => glow::LINEAR,
    }
}

/// Texture swizzle sources.
pub fn swizzle(s: Swizzle) -> i32 {
    (match s {
        Swizzle::X => glow::RED,
        Swizzle::Y => glow::GREEN,
        Swizzle::Z => glow::BLUE,
        Swizzle::W => glow::ALPHA,
        Swizzle::Zero | Swizzle::None => glow::ZERO,
        Swizzle::One => glow::ONE,
    }) as i32
}

/// Primitive modes; quads and polygons have no core-profile mode and are `None`.
pub fn prim_mode(m: PrimMode) -> Option<u32> {
    use PrimMode as P;
    Some(match m {
        P::Points => glow::POINTS,
        P::Lines => glow::LINES,
        P::LineLoop => glow::LINE_LOOP,
        P::LineStrip => glow::LINE_STRIP,
        P::Triangles => glow::TRIANGLES,
        P::TriangleStrip => glow::TRIANGLE_STRIP,
        P::TriangleFan => glow::TRIANGLE_FAN,
        P::LinesAdjacency => glow::LINES_ADJACENCY,
        P::LineStripAdjacency => glow::LINE_STRIP_ADJACENCY,
        P::TrianglesAdjacency => glow::TRIANGLES_ADJACENCY,
        P::TriangleStripAdjacency => glow::TRIANGLE_STRIP_ADJACENCY,
        P::Patches => glow::PATCHES,
        P::Quads | P::QuadStrip | P::Polygon => return None,
    })
}

/// Index types.
pub fn index_type(s: IndexSize) -> u32 {
    match s {
        IndexSize::U8 => glow::UNSIGNED_BYTE,
        IndexSize::U16 => glow::UNSIGNED_SHORT,
        IndexSize::U32 => glow::UNSIGNED_INT,
    }
}

/// The GL texture target of a resource target.
pub fn texture_target(t: TextureTarget, samples: u32) -> u32 {
    use TextureTarget as T;
    match t {
        T::Buffer => glow::TEXTURE_BUFFER,
        T::Texture1D => glow::TEXTURE_1D,
        T::Texture2D if samples > 1 => glow::TEXTURE_2D_MULTISAMPLE,
        T::Texture2D => glow::TEXTURE_2D,
        T::Texture3D => glow::TEXTURE_3D,
        T::Cube => glow::TEXTURE_CUBE_MAP,
        T::Rect => glow::TEXTURE_RECTANGLE,
        T::Texture1DArray => glow::TEXTURE_1D_ARRAY,
        T::Texture2DArray if samples > 1 => glow::TEXTURE_2D_MULTISAMPLE_ARRAY,
        T::Texture2DArray => glow::TEXTURE_2D_ARRAY,
        T::CubeArray => glow::TEXTURE_CUBE_MAP_ARRAY,
    }
}
