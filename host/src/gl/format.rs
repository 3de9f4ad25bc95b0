//! Virgl formats as desktop GL (core profile) stores and transfers them.
//!
//! [`gl_format`] gives, for each virgl [`Format`] the renderer can hold in a texture, the GL
//! internal format a texture is made with and the pixel format and type that
//! `glTexSubImage*`, `glGetTexImage` and `glReadPixels` take. That pair reads and writes
//! **exactly the guest's bytes**: a transfer is a plain copy, with no conversion on the CPU. Where
//! GL stores the channels differently from the guest's format (luminance in red, a padding
//! channel in alpha), [`GlFormat::swizzle`] says how sampling must see them.
//!
//! The rows follow virglrenderer's `src/vrend_formats.c` (tag 0.10.4), which is the reference
//! the tests cite line by line. They differ where that table is not byte-exact or not core
//! profile:
//!
//! - `Z24X8_UNORM` (depth in bits 0-23) and `X24S8_UINT` (stencil in bits 24-31) are left
//!   out: no GL pixel type puts those bits where the guest has them (virglrenderer transfers
//!   them as 32-bit depth and as 1-byte stencil). Mesa guests then pick `S8_UINT_Z24_UNORM`;
//! - `A8B8G8R8_UNORM` is `GL_RGBA`/`GL_UNSIGNED_INT_8_8_8_8` rather than `GL_ABGR_EXT`: the
//!   same bytes, and core;
//! - `X8R8G8B8_UNORM` samples its padding byte as one, like every other `X` format;
//! - alpha formats are stored in red with a `000R` swizzle directly, without first trying the
//!   legacy `GL_ALPHA*` formats core profiles lack; luminance-alpha formats, which have no
//!   core storage, are left out as virglrenderer's probe leaves them out.
//!
//! The table is for desktop GL. A GLES table (BGRA stored as RGBA and swizzled on transfer,
//! depth read through framebuffers) will be a second function returning the same
//! [`GlFormat`], chosen by [`crate::gl::Version::es`].
//!
//! [`vertex_format`] maps the formats a vertex element may have to `glVertexAttrib*Format`
//! arguments, derived from the format's channels as virglrenderer's
//! `vrend_create_vertex_elements_state` derives them.

use glow as g;
use virgl_proto::format::Format;
use virgl_proto::texel::ChannelType;

/// One component of a texture swizzle (`GL_TEXTURE_SWIZZLE_RGBA`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Swizzle {
    Red,
    Green,
    Blue,
    Alpha,
    Zero,
    One,
}

impl Swizzle {
    /// The GL enum (`GL_RED` … `GL_ONE`).
    pub fn to_gl(self) -> u32 {
        match self {
            Swizzle::Red => g::RED,
            Swizzle::Green => g::GREEN,
            Swizzle::Blue => g::BLUE,
            Swizzle::Alpha => g::ALPHA,
            Swizzle::Zero => g::ZERO,
            Swizzle::One => g::ONE,
        }
    }
}

use Swizzle::{Blue as B, Green as G, One as I, Red as R, Zero as O};

/// A padding channel in alpha's place reads as one.
const RGB1: [Swizzle; 4] = [R, G, B, I];
/// Luminance stored in red.
const RRR1: [Swizzle; 4] = [R, R, R, I];
/// Alpha stored in red.
const OOOR: [Swizzle; 4] = [O, O, O, R];

/// What a format holds, which decides how it is attached, cleared and sampled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Normalized or floating-point colour: sampled as floats.
    Color,
    /// Unsigned integer colour (`usampler`, `glClearBufferuiv`).
    Uint,
    /// Signed integer colour (`isampler`, `glClearBufferiv`).
    Sint,
    /// Depth only: `GL_DEPTH_ATTACHMENT`.
    Depth,
    /// Depth and stencil: `GL_DEPTH_STENCIL_ATTACHMENT`.
    DepthStencil,
    /// Block-compressed colour: uploaded with `glCompressedTexSubImage*` and never rendered.
    Compressed,
}

/// How GL holds one virgl format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlFormat {
    /// The internal format textures and renderbuffers are made with.
    pub internal: u32,
    /// The pixel format of transfers (`GL_RGBA`, `GL_BGRA`, `GL_DEPTH_STENCIL`, …).
    pub format: u32,
    /// The pixel type of transfers (`GL_UNSIGNED_BYTE`, `GL_UNSIGNED_INT_24_8`, …).
    pub ty: u32,
    pub kind: Kind,
    /// How sampling must see the stored channels, when not as stored.
    pub swizzle: Option<[Swizzle; 4]>,
    /// Transfers swap the first and third byte of each 4-byte texel on the CPU: BGRA formats
    /// stored as RGBA where the host has no BGRA transfers (GLES).
    pub swap_rb: bool,
    /// Uploads convert the guest's texels to what is stored (ES 2.0's sRGB formats).
    pub convert: Option<Convert>,
}

/// A conversion of texels on upload, for formats the host holds as another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Convert {
    /// 8-bit sRGB texels (red first, or blue first when `bgra`; alpha linear) stored as
    /// linear RGBA half floats: ES 2.0 has no sRGB textures, and sampling then gives what
    /// sRGB decoding would, filtered in linear space as GL filters sRGB textures. The 256 codes
    /// stay distinct in half floats. Such textures are never rendered to, and read back from
    /// the CPU copy of their uploads.
    SrgbToHalf { bgra: bool },
}

impl Convert {
    /// The bytes to upload for `data`, the guest's texels.
    pub fn apply(self, data: &[u8]) -> Vec<u8> {
        match self {
            Convert::SrgbToHalf { bgra } => {
                let decode = srgb_to_half_table();
                let mut out = Vec::with_capacity(data.len() * 2);
                for texel in data.chunks_exact(4) {
                    let [r, g, b, a] = if bgra {
                        [texel[2], texel[1], texel[0], texel[3]]
                    } else {
                        [texel[0], texel[1], texel[2], texel[3]]
                    };
                    for h in [
                        decode[r as usize],
                        decode[g as usize],
                        decode[b as usize],
                        f32_to_half(f32::from(a) / 255.0),
                    ] {
                        out.extend_from_slice(&h.to_le_bytes());
                    }
                }
                out
            }
        }
    }
}

/// Each 8-bit sRGB code decoded to linear, as a half float.
fn srgb_to_half_table() -> [u16; 256] {
    std::array::from_fn(
        |c| f32_to_half(virgl_proto::texel::srgb_to_linear(c as f64 / 255.0) as f32),
    )
}

/// The IEEE half float nearest to `v` (ties to even), for finite `v` in half range or below.
pub fn f32_to_half(v: f32) -> u16 {
    let bits = v.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32 - 127 + 15;
    let mant = bits & 0x007f_ffff;
    if exp >= 31 {
        return sign | 0x7c00;
    }
    if exp <= 0 {
        // Subnormal: the implicit 1 joins the mantissa, shifted into place.
        if exp < -10 {
            return sign;
        }
        let m = mant | 0x0080_0000;
        let shift = (14 - exp) as u32;
        let half = m >> shift;
        let rest = m & ((1 << shift) - 1);
        let mid = 1 << (shift - 1);
        let round = rest > mid || (rest == mid && half & 1 == 1);
        return sign | (half + u32::from(round)) as u16;
    }
    let half = ((exp as u32) << 10) | (mant >> 13);
    let rest = mant & 0x1fff;
    let round = rest > 0x1000 || (rest == 0x1000 && half & 1 == 1);
    sign | (half + u32::from(round)) as u16
}

impl GlFormat {
    /// Whether a fragment shader's outputs land in the stored channels unchanged, so the
    /// format can be a render target without swizzling the shader's outputs: not for alpha
    /// formats kept in red.
    pub fn renders_as_stored(&self) -> bool {
        self.swizzle.is_none_or(|s| s[0] == R)
    }

    /// The `glClearBuffer*` family and sampler type follow from this.
    pub fn is_integer(&self) -> bool {
        matches!(self.kind, Kind::Uint | Kind::Sint)
    }

    /// Whether it is a depth and/or stencil format.
    pub fn is_depth_stencil(&self) -> bool {
        matches!(self.kind, Kind::Depth | Kind::DepthStencil)
    }

    /// The framebuffer attachment point for a texture of this format (colour 0 for colour).
    pub fn attachment(&self) -> u32 {
        match self.kind {
            Kind::Depth => g::DEPTH_ATTACHMENT,
            Kind::DepthStencil => g::DEPTH_STENCIL_ATTACHMENT,
            _ => g::COLOR_ATTACHMENT0,
        }
    }
}

/// `GL_SR8_EXT` (EXT_texture_sRGB_R8).
const SR8_EXT: u32 = 0x8FBD;
/// `GL_SRG8_EXT` (EXT_texture_sRGB_RG8).
const SRG8_EXT: u32 = 0x8FBE;

/// Every format [`gl_format`] maps, in table order.
pub fn gl_formats() -> impl Iterator<Item = (Format, GlFormat)> {
    Format::ALL
        .iter()
        .filter_map(|&f| gl_format(f).map(|gl| (f, gl)))
}

/// How desktop GL holds `format`, or `None` where it cannot byte-exactly.
pub fn gl_format(format: Format) -> Option<GlFormat> {
    use Format as F;
    use Kind::{Color, Compressed, Depth, DepthStencil, Sint, Uint};
    let row = |internal, format, ty, kind, swizzle| {
        Some(GlFormat {
            internal,
            format,
            ty,
            kind,
            swizzle,
            swap_rb: false,
            convert: None,
        })
    };
    let color = |internal, format, ty| row(internal, format, ty, Color, None);
    let color_s = |internal, format, ty, s| row(internal, format, ty, Color, Some(s));
    let uint = |internal, format, ty, s| row(internal, format, ty, Uint, s);
    let sint = |internal, format, ty, s| row(internal, format, ty, Sint, s);
    let compressed = |internal| row(internal, g::RGBA, g::UNSIGNED_BYTE, Compressed, None);
    let (ub, us, ui, b, s, i) = (
        g::UNSIGNED_BYTE,
        g::UNSIGNED_SHORT,
        g::UNSIGNED_INT,
        g::BYTE,
        g::SHORT,
        g::INT,
    );
    let (hf, fl) = (g::HALF_FLOAT, g::FLOAT);
    match format {
        // base_rgba_formats, gl_base_rgba_formats, gl_bgra_formats
        F::R8G8B8X8_UNORM => color_s(g::RGBA8, g::RGBA, ub, RGB1),
        F::R8G8B8A8_UNORM => color(g::RGBA8, g::RGBA, ub),
        F::A8R8G8B8_UNORM => color(g::RGBA8, g::BGRA, g::UNSIGNED_INT_8_8_8_8),
        F::X8R8G8B8_UNORM => color_s(g::RGBA8, g::BGRA, g::UNSIGNED_INT_8_8_8_8, RGB1),
        F::A8B8G8R8_UNORM => color(g::RGBA8, g::RGBA, g::UNSIGNED_INT_8_8_8_8),
        F::B4G4R4X4_UNORM => color_s(g::RGBA4, g::BGRA, g::UNSIGNED_SHORT_4_4_4_4_REV, RGB1),
        F::B4G4R4A4_UNORM => color(g::RGBA4, g::BGRA, g::UNSIGNED_SHORT_4_4_4_4_REV),
        F::A4B4G4R4_UNORM => color(g::RGBA4, g::RGBA, g::UNSIGNED_SHORT_4_4_4_4),
        F::B5G5R5X1_UNORM => color_s(g::RGB5_A1, g::BGRA, g::UNSIGNED_SHORT_1_5_5_5_REV, RGB1),
        F::B5G5R5A1_UNORM => color(g::RGB5_A1, g::BGRA, g::UNSIGNED_SHORT_1_5_5_5_REV),
        F::B5G6R5_UNORM => color(g::RGB565, g::RGB, g::UNSIGNED_SHORT_5_6_5),
        F::B2G3R3_UNORM => color(g::R3_G3_B2, g::RGB, g::UNSIGNED_BYTE_3_3_2),
        F::R16G16B16X16_UNORM => color_s(g::RGBA16, g::RGBA, us, RGB1),
        F::R16G16B16A16_UNORM => color(g::RGBA16, g::RGBA, us),
        F::B8G8R8X8_UNORM => color_s(g::RGBA8, g::BGRA, ub, RGB1),
        F::B8G8R8A8_UNORM => color(g::RGBA8, g::BGRA, ub),
        F::B8G8R8X8_SRGB => color_s(g::SRGB8_ALPHA8, g::BGRA, ub, RGB1),
        F::B8G8R8A8_SRGB => color(g::SRGB8_ALPHA8, g::BGRA, ub),

        // base_depth_formats
        F::Z16_UNORM => row(g::DEPTH_COMPONENT16, g::DEPTH_COMPONENT, us, Depth, None),
        F::Z32_UNORM => row(g::DEPTH_COMPONENT32, g::DEPTH_COMPONENT, ui, Depth, None),
        F::Z32_FLOAT => row(g::DEPTH_COMPONENT32F, g::DEPTH_COMPONENT, fl, Depth, None),
        F::S8_UINT_Z24_UNORM => row(
            g::DEPTH24_STENCIL8,
            g::DEPTH_STENCIL,
            g::UNSIGNED_INT_24_8,
            DepthStencil,
            None,
        ),
        F::Z32_FLOAT_S8X24_UINT => row(
            g::DEPTH32F_STENCIL8,
            g::DEPTH_STENCIL,
            g::FLOAT_32_UNSIGNED_INT_24_8_REV,
            DepthStencil,
            None,
        ),

        // base_la_formats, float_la_formats, snorm_la_formats (luminance and alpha in red)
        F::A8_UNORM => color_s(g::R8, g::RED, ub, OOOR),
        F::L8_UNORM => color_s(g::R8, g::RED, ub, RRR1),
        F::A16_UNORM => color_s(g::R16, g::RED, us, OOOR),
        F::L16_UNORM => color_s(g::R16, g::RED, us, RRR1),
        F::A16_FLOAT => color_s(g::R16F, g::RED, hf, OOOR),
        F::L16_FLOAT => color_s(g::R16F, g::RED, hf, RRR1),
        F::A32_FLOAT => color_s(g::R32F, g::RED, fl, OOOR),
        F::L32_FLOAT => color_s(g::R32F, g::RED, fl, RRR1),
        F::L8_SNORM => color_s(g::R8_SNORM, g::RED, b, RRR1),
        F::L16_SNORM => color_s(g::R16_SNORM, g::RED, s, RRR1),

        // float_base_formats, float_3comp_formats, float_rg_formats
        F::R16G16B16A16_FLOAT => color(g::RGBA16F, g::RGBA, hf),
        F::R32G32B32A32_FLOAT => color(g::RGBA32F, g::RGBA, fl),
        F::R16G16B16X16_FLOAT => color_s(g::RGBA16F, g::RGBA, hf, RGB1),
        F::R32G32B32_FLOAT => color(g::RGB32F, g::RGB, fl),
        F::R16_FLOAT => color(g::R16F, g::RED, hf),
        F::R16G16_FLOAT => color(g::RG16F, g::RG, hf),
        F::R32_FLOAT => color(g::R32F, g::RED, fl),
        F::R32G32_FLOAT => color(g::RG32F, g::RG, fl),

        // integer_base_formats, integer_3comp_formats
        F::R8G8B8A8_UINT => uint(g::RGBA8UI, g::RGBA_INTEGER, ub, None),
        F::R8G8B8A8_SINT => sint(g::RGBA8I, g::RGBA_INTEGER, b, None),
        F::R16G16B16A16_UINT => uint(g::RGBA16UI, g::RGBA_INTEGER, us, None),
        F::R16G16B16A16_SINT => sint(g::RGBA16I, g::RGBA_INTEGER, s, None),
        F::R32G32B32A32_UINT => uint(g::RGBA32UI, g::RGBA_INTEGER, ui, None),
        F::R32G32B32A32_SINT => sint(g::RGBA32I, g::RGBA_INTEGER, i, None),
        F::R8G8B8X8_UINT => uint(g::RGBA8UI, g::RGBA_INTEGER, ub, Some(RGB1)),
        F::R8G8B8X8_SINT => sint(g::RGBA8I, g::RGBA_INTEGER, b, Some(RGB1)),
        F::R16G16B16X16_UINT => uint(g::RGBA16UI, g::RGBA_INTEGER, us, Some(RGB1)),
        F::R16G16B16X16_SINT => sint(g::RGBA16I, g::RGBA_INTEGER, s, Some(RGB1)),
        F::R32G32B32_UINT => uint(g::RGB32UI, g::RGB_INTEGER, ui, None),
        F::R32G32B32_SINT => sint(g::RGB32I, g::RGB_INTEGER, i, None),

        // integer_la_formats (without the luminance-alpha rows)
        F::A8_UINT => uint(g::R8UI, g::RED_INTEGER, ub, Some(OOOR)),
        F::L8_UINT => uint(g::R8UI, g::RED_INTEGER, ub, Some(RRR1)),
        F::A8_SINT => sint(g::R8I, g::RED_INTEGER, b, Some(OOOR)),
        F::L8_SINT => sint(g::R8I, g::RED_INTEGER, b, Some(RRR1)),
        F::A16_UINT => uint(g::R16UI, g::RED_INTEGER, us, Some(OOOR)),
        F::L16_UINT => uint(g::R16UI, g::RED_INTEGER, us, Some(RRR1)),
        F::A16_SINT => sint(g::R16I, g::RED_INTEGER, s, Some(OOOR)),
        F::L16_SINT => sint(g::R16I, g::RED_INTEGER, s, Some(RRR1)),
        F::A32_UINT => uint(g::R32UI, g::RED_INTEGER, ui, Some(OOOR)),
        F::L32_UINT => uint(g::R32UI, g::RED_INTEGER, ui, Some(RRR1)),
        F::A32_SINT => sint(g::R32I, g::RED_INTEGER, i, Some(OOOR)),
        F::L32_SINT => sint(g::R32I, g::RED_INTEGER, i, Some(RRR1)),

        // rg_base_formats, integer_rg_formats
        F::R8_UNORM => color(g::R8, g::RED, ub),
        F::R8G8_UNORM => color(g::RG8, g::RG, ub),
        F::R16_UNORM => color(g::R16, g::RED, us),
        F::R16G16_UNORM => color(g::RG16, g::RG, us),
        F::R8_UINT => uint(g::R8UI, g::RED_INTEGER, ub, None),
        F::R8G8_UINT => uint(g::RG8UI, g::RG_INTEGER, ub, None),
        F::R8_SINT => sint(g::R8I, g::RED_INTEGER, b, None),
        F::R8G8_SINT => sint(g::RG8I, g::RG_INTEGER, b, None),
        F::R16_UINT => uint(g::R16UI, g::RED_INTEGER, us, None),
        F::R16G16_UINT => uint(g::RG16UI, g::RG_INTEGER, us, None),
        F::R16_SINT => sint(g::R16I, g::RED_INTEGER, s, None),
        F::R16G16_SINT => sint(g::RG16I, g::RG_INTEGER, s, None),
        F::R32_UINT => uint(g::R32UI, g::RED_INTEGER, ui, None),
        F::R32G32_UINT => uint(g::RG32UI, g::RG_INTEGER, ui, None),
        F::R32_SINT => sint(g::R32I, g::RED_INTEGER, i, None),
        F::R32G32_SINT => sint(g::RG32I, g::RG_INTEGER, i, None),

        // snorm_formats
        F::R8_SNORM => color(g::R8_SNORM, g::RED, b),
        F::R8G8_SNORM => color(g::RG8_SNORM, g::RG, b),
        F::R8G8B8A8_SNORM => color(g::RGBA8_SNORM, g::RGBA, b),
        F::R8G8B8X8_SNORM => color_s(g::RGBA8_SNORM, g::RGBA, b, RGB1),
        F::R16_SNORM => color(g::R16_SNORM, g::RED, s),
        F::R16G16_SNORM => color(g::RG16_SNORM, g::RG, s),
        F::R16G16B16A16_SNORM => color(g::RGBA16_SNORM, g::RGBA, s),
        F::R16G16B16X16_SNORM => color_s(g::RGBA16_SNORM, g::RGBA, s, RGB1),

        // dxtn_formats, dxtn_srgb_formats, rgtc_formats, bptc_formats
        F::DXT1_RGB => compressed(g::COMPRESSED_RGB_S3TC_DXT1_EXT),
        F::DXT1_RGBA => compressed(g::COMPRESSED_RGBA_S3TC_DXT1_EXT),
        F::DXT3_RGBA => compressed(g::COMPRESSED_RGBA_S3TC_DXT3_EXT),
        F::DXT5_RGBA => compressed(g::COMPRESSED_RGBA_S3TC_DXT5_EXT),
        F::DXT1_SRGB => compressed(g::COMPRESSED_SRGB_S3TC_DXT1_EXT),
        F::DXT1_SRGBA => compressed(g::COMPRESSED_SRGB_ALPHA_S3TC_DXT1_EXT),
        F::DXT3_SRGBA => compressed(g::COMPRESSED_SRGB_ALPHA_S3TC_DXT3_EXT),
        F::DXT5_SRGBA => compressed(g::COMPRESSED_SRGB_ALPHA_S3TC_DXT5_EXT),
        F::RGTC1_UNORM => compressed(g::COMPRESSED_RED_RGTC1),
        F::RGTC1_SNORM => compressed(g::COMPRESSED_SIGNED_RED_RGTC1),
        F::RGTC2_UNORM => compressed(g::COMPRESSED_RG_RGTC2),
        F::RGTC2_SNORM => compressed(g::COMPRESSED_SIGNED_RG_RGTC2),
        F::BPTC_RGBA_UNORM => compressed(g::COMPRESSED_RGBA_BPTC_UNORM),
        F::BPTC_SRGBA => compressed(g::COMPRESSED_SRGB_ALPHA_BPTC_UNORM),
        F::BPTC_RGB_FLOAT => compressed(g::COMPRESSED_RGB_BPTC_SIGNED_FLOAT),
        F::BPTC_RGB_UFLOAT => compressed(g::COMPRESSED_RGB_BPTC_UNSIGNED_FLOAT),

        // srgb_formats
        F::R8G8B8X8_SRGB => color_s(g::SRGB8_ALPHA8, g::RGBA, ub, RGB1),
        F::R8G8B8A8_SRGB => color(g::SRGB8_ALPHA8, g::RGBA, ub),
        F::L8_SRGB => color_s(SR8_EXT, g::RED, ub, RRR1),
        F::R8_SRGB => color(SR8_EXT, g::RED, ub),
        F::R8G8_SRGB => color(SRG8_EXT, g::RG, ub),

        // bit10_formats, packed_float_formats, exponent_float_formats
        F::B10G10R10X2_UNORM => color_s(g::RGB10_A2, g::BGRA, g::UNSIGNED_INT_2_10_10_10_REV, RGB1),
        F::B10G10R10A2_UNORM => color(g::RGB10_A2, g::BGRA, g::UNSIGNED_INT_2_10_10_10_REV),
        F::B10G10R10A2_UINT => uint(
            g::RGB10_A2UI,
            g::BGRA_INTEGER,
            g::UNSIGNED_INT_2_10_10_10_REV,
            None,
        ),
        F::R10G10B10X2_UNORM => color_s(g::RGB10_A2, g::RGBA, g::UNSIGNED_INT_2_10_10_10_REV, RGB1),
        F::R10G10B10A2_UNORM => color(g::RGB10_A2, g::RGBA, g::UNSIGNED_INT_2_10_10_10_REV),
        F::R10G10B10A2_UINT => uint(
            g::RGB10_A2UI,
            g::RGBA_INTEGER,
            g::UNSIGNED_INT_2_10_10_10_REV,
            None,
        ),
        F::R11G11B10_FLOAT => color(g::R11F_G11F_B10F, g::RGB, g::UNSIGNED_INT_10F_11F_11F_REV),
        F::R9G9B9E5_FLOAT => color(g::RGB9_E5, g::RGB, g::UNSIGNED_INT_5_9_9_9_REV),
        _ => None,
    }
}

/// How OpenGL ES 3 holds `format`: the desktop row where ES has its internal format, pixel
/// format and type, 8-bit BGRA stored as RGBA with red and blue swapped on transfer, and
/// `None` for the packed and reversed types, BGRA layouts and 32-bit unsigned depth ES lacks.
/// Whether the host can really make, render or read each row is still probed.
pub fn gl_format_es(format: Format) -> Option<GlFormat> {
    let d = gl_format(format)?;
    match (d.format, d.ty, d.internal) {
        (g::BGRA, g::UNSIGNED_BYTE, _) => Some(GlFormat {
            format: g::RGBA,
            swap_rb: true,
            ..d
        }),
        (g::BGRA | g::BGRA_INTEGER, _, _) => None,
        (_, g::UNSIGNED_INT_8_8_8_8 | g::UNSIGNED_BYTE_3_3_2, _) => None,
        (_, _, g::DEPTH_COMPONENT32) => None,
        _ => Some(d),
    }
}

/// `GL_HALF_FLOAT_OES` (OES_texture_half_float): ES 2.0's half-float pixel type, another
/// number than ES 3.0's `GL_HALF_FLOAT`.
pub const HALF_FLOAT_OES: u32 = 0x8D61;

/// How an OpenGL ES 2.0 context holds `format`, or `None` where ES 2.0 and the extensions the
/// backend uses have no exact form of it.
///
/// ES 2.0 makes textures with `glTexImage2D`, whose internal format is the unsized pixel
/// format itself (ES 2.0 §3.7.1), and knows only a few pixel types: bytes (`RGBA`, `RGB`,
/// `BGRA_EXT`, and `RED_EXT`/`RG_EXT` of EXT_texture_rg), the 16-bit packed ones, `FLOAT`
/// (OES_texture_float), `HALF_FLOAT_OES`, and depth as `DEPTH_COMPONENT` of shorts or ints
/// (OES_depth_texture) or `DEPTH_STENCIL_OES`/`UNSIGNED_INT_24_8_OES` (OES_packed_depth_stencil).
/// There are no sRGB, snorm, integer, 16-bit normalized or block-compressed textures here;
/// guests convert what caps do not list. BGRA needs no swap (EXT_texture_format_BGRA8888).
pub fn gl_format_es2(format: Format) -> Option<GlFormat> {
    let d = gl_format(format)?;
    let ty = match d.ty {
        g::HALF_FLOAT => HALF_FLOAT_OES,
        ty => ty,
    };
    let allowed = matches!(
        (d.format, ty),
        (
            g::RGBA | g::RGB | g::BGRA | g::RED | g::RG,
            g::UNSIGNED_BYTE
        ) | (g::RGB, g::UNSIGNED_SHORT_5_6_5)
            | (
                g::RGBA,
                g::UNSIGNED_SHORT_4_4_4_4 | g::UNSIGNED_SHORT_5_5_5_1
            )
            | (g::RGBA | g::RGB | g::RED | g::RG, g::FLOAT | HALF_FLOAT_OES)
            | (g::DEPTH_COMPONENT, g::UNSIGNED_SHORT | g::UNSIGNED_INT)
            | (g::DEPTH_STENCIL, g::UNSIGNED_INT_24_8)
    );
    let sized_kind = matches!(d.kind, Kind::Color | Kind::Depth | Kind::DepthStencil);
    let srgb = format.channels().is_some_and(|c| c.srgb);
    // 8-bit RGBA sRGB formats, as linear half floats (see [`Convert::SrgbToHalf`]).
    if srgb && d.ty == g::UNSIGNED_BYTE && matches!(d.format, g::RGBA | g::BGRA) {
        return Some(GlFormat {
            internal: g::RGBA,
            format: g::RGBA,
            ty: HALF_FLOAT_OES,
            swap_rb: false,
            convert: Some(Convert::SrgbToHalf {
                bgra: d.format == g::BGRA,
            }),
            ..d
        });
    }
    (allowed && sized_kind && !srgb).then_some(GlFormat {
        internal: d.format,
        ty,
        swap_rb: false,
        ..d
    })
}

/// Swaps the first and third byte of each 4-byte texel of `bytes` ([`GlFormat::swap_rb`]).
pub fn swap_rb(bytes: &mut [u8]) {
    for texel in bytes.chunks_exact_mut(4) {
        texel.swap(0, 2);
    }
}

/// How a vertex attribute of some format is read (`glVertexAttribFormat` and friends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VertexFormat {
    /// Components: 1 to 4, or `GL_BGRA` for formats stored blue first.
    pub size: i32,
    /// `GL_FLOAT`, `GL_UNSIGNED_BYTE`, `GL_INT_2_10_10_10_REV`, …
    pub ty: u32,
    /// Fixed-point values are mapped to [0, 1] or [-1, 1].
    pub normalized: bool,
    /// Read as integers (`glVertexAttribIFormat`), not converted to float.
    pub integer: bool,
}

/// How a vertex element of `format` is fetched, or `None` if it cannot be a vertex format.
///
/// Accepted: 1 to 4 channels of one type and width stored red first (`R…`, `R…G…`, …), floats
/// of 16, 32 or 64 bits, integers of 8, 16 or 32 bits; the same stored blue first when GL
/// accepts `GL_BGRA` there (`B8G8R8A8_UNORM`, `B10G10R10A2_UNORM`/`SNORM`); the packed
/// `R10G10B10A2` and `R11G11B10_FLOAT`. Fixed-point (`FIXED`), padded (`X`), luminance and
/// alpha formats are refused, as Mesa never sends them.
pub fn vertex_format(format: Format) -> Option<VertexFormat> {
    let packed = |size, ty, normalized| {
        Some(VertexFormat {
            size,
            ty,
            normalized,
            integer: false,
        })
    };
    let bgra = g::BGRA as i32;
    match format {
        Format::R10G10B10A2_UNORM => return packed(4, g::UNSIGNED_INT_2_10_10_10_REV, true),
        Format::R10G10B10A2_USCALED => return packed(4, g::UNSIGNED_INT_2_10_10_10_REV, false),
        Format::R10G10B10A2_SNORM => return packed(4, g::INT_2_10_10_10_REV, true),
        Format::R10G10B10A2_SSCALED => return packed(4, g::INT_2_10_10_10_REV, false),
        Format::B10G10R10A2_UNORM => return packed(bgra, g::UNSIGNED_INT_2_10_10_10_REV, true),
        Format::B10G10R10A2_SNORM => return packed(bgra, g::INT_2_10_10_10_REV, true),
        Format::R11G11B10_FLOAT => return packed(3, g::UNSIGNED_INT_10F_11F_11F_REV, false),
        _ => {}
    }
    let channels = format.channels()?;
    let list = &channels.list;
    let first = list.first()?;
    if list.len() > 4
        || channels.srgb
        || list
            .iter()
            .any(|c| c.ty != first.ty || c.bits != first.bits)
    {
        return None;
    }
    let names: String = list.iter().map(|c| c.name).collect();
    let size = if "RGBA".starts_with(&names) {
        list.len() as i32
    } else if names == "BGRA" && first.ty == ChannelType::Unorm && first.bits == 8 {
        bgra
    } else {
        return None;
    };
    use ChannelType as T;
    let ty = match (first.ty, first.bits) {
        (T::Float, 16) => g::HALF_FLOAT,
        (T::Float, 32) => g::FLOAT,
        (T::Float, 64) => g::DOUBLE,
        (T::Unorm | T::Uscaled | T::Uint, 8) => g::UNSIGNED_BYTE,
        (T::Unorm | T::Uscaled | T::Uint, 16) => g::UNSIGNED_SHORT,
        (T::Unorm | T::Uscaled | T::Uint, 32) => g::UNSIGNED_INT,
        (T::Snorm | T::Sscaled | T::Sint, 8) => g::BYTE,
        (T::Snorm | T::Sscaled | T::Sint, 16) => g::SHORT,
        (T::Snorm | T::Sscaled | T::Sint, 32) => g::INT,
        _ => return None,
    };
    Some(VertexFormat {
        size,
        ty,
        normalized: matches!(first.ty, T::Unorm | T::Snorm),
        integer: matches!(first.ty, T::Uint | T::Sint),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::bgra_swapped(Format::B8G8R8A8_UNORM, Some((g::RGBA8, g::RGBA, true)))]
    #[case::bgrx_swapped(Format::B8G8R8X8_UNORM, Some((g::RGBA8, g::RGBA, true)))]
    #[case::srgb_swapped(Format::B8G8R8A8_SRGB, Some((g::SRGB8_ALPHA8, g::RGBA, true)))]
    #[case::rgba_as_desktop(Format::R8G8B8A8_UNORM, Some((g::RGBA8, g::RGBA, false)))]
    #[case::packed_reversed_bgra(Format::B5G5R5A1_UNORM, None)]
    #[case::int_8888(Format::A8R8G8B8_UNORM, None)]
    #[case::bgra_integer(Format::B10G10R10A2_UINT, None)]
    #[case::z32_unorm(Format::Z32_UNORM, None)]
    #[case::rgb332(Format::B2G3R3_UNORM, None)]
    fn es_rows_swap_bgra_and_drop_what_es_lacks(
        #[case] format: Format,
        #[case] expected: Option<(u32, u32, bool)>,
    ) {
        let row = gl_format_es(format).map(|f| (f.internal, f.format, f.swap_rb));
        assert_eq!(row, expected);
    }

    #[rstest]
    #[case::rgba8(Format::R8G8B8A8_UNORM, Some((g::RGBA, g::RGBA, g::UNSIGNED_BYTE)))]
    #[case::bgra8_unswapped(Format::B8G8R8A8_UNORM, Some((g::BGRA, g::BGRA, g::UNSIGNED_BYTE)))]
    #[case::r8(Format::R8_UNORM, Some((g::RED, g::RED, g::UNSIGNED_BYTE)))]
    #[case::rgb565(Format::B5G6R5_UNORM, Some((g::RGB, g::RGB, g::UNSIGNED_SHORT_5_6_5)))]
    #[case::half_oes(Format::R16G16B16A16_FLOAT, Some((g::RGBA, g::RGBA, HALF_FLOAT_OES)))]
    #[case::z16(Format::Z16_UNORM, Some((g::DEPTH_COMPONENT, g::DEPTH_COMPONENT, g::UNSIGNED_SHORT)))]
    #[case::z24s8(Format::S8_UINT_Z24_UNORM, Some((g::DEPTH_STENCIL, g::DEPTH_STENCIL, g::UNSIGNED_INT_24_8)))]
    #[case::srgb_as_half(Format::B8G8R8A8_SRGB, Some((g::RGBA, g::RGBA, HALF_FLOAT_OES)))]
    #[case::no_srgb_r8(Format::R8_SRGB, None)]
    #[case::no_snorm(Format::R8G8B8A8_SNORM, None)]
    #[case::no_integer(Format::R32G32B32A32_UINT, None)]
    #[case::no_unorm16(Format::R16G16B16A16_UNORM, None)]
    #[case::no_dxt(Format::DXT1_RGB, None)]
    #[case::no_z32f(Format::Z32_FLOAT, None)]
    fn es2_rows_are_unsized_and_only_es2_types(
        #[case] format: Format,
        #[case] expected: Option<(u32, u32, u32)>,
    ) {
        let row = gl_format_es2(format);
        assert_eq!(row.map(|r| (r.internal, r.format, r.ty)), expected);
        assert!(row.is_none_or(|r| !r.swap_rb));
    }

    #[test]
    fn halves_round_to_nearest_even_and_decode_back() {
        for (v, bits) in [
            (0.0f32, 0x0000u16),
            (1.0, 0x3c00),
            (-2.0, 0xc000),
            (0.5, 0x3800),
            (65504.0, 0x7bff),
            (1e6, 0x7c00),
            (6.103_515_6e-5, 0x0400),
            (5.960_464_5e-8, 0x0001),
            (1e-9, 0x0000),
            // 1 + 2^-11 lies halfway between 1 and the next half: ties go to even.
            (1.000_488_3, 0x3c00),
            (1.001_464_8, 0x3c02),
        ] {
            assert_eq!(f32_to_half(v), bits, "{v}");
        }
        for bits in (0u16..0x7c00).step_by(7) {
            let v = virgl_proto::texel::half(bits) as f32;
            assert_eq!(f32_to_half(v), bits);
        }
    }

    #[test]
    fn srgb_texels_become_distinct_linear_halves() {
        let row = gl_format_es2(Format::B8G8R8A8_SRGB).unwrap();
        let convert = row.convert.unwrap();
        // Blue first: (b, g, r, a) = (0, 128, 255, 51).
        let out = convert.apply(&[0, 128, 255, 51]);
        let h: Vec<f64> = out
            .chunks_exact(2)
            .map(|b| virgl_proto::texel::half(u16::from_le_bytes([b[0], b[1]])))
            .collect();
        assert_eq!(h[0], 1.0);
        assert!((h[1] - 0.2158605).abs() < 2e-4, "{h:?}");
        assert_eq!(h[2], 0.0);
        assert!((h[3] - 0.2).abs() < 1e-3, "{h:?}");
        let all: Vec<u8> = (0..=255u8).flat_map(|c| [c, c, c, 255]).collect();
        let halves: std::collections::BTreeSet<_> = convert
            .apply(&all)
            .chunks_exact(8)
            .map(|t| [t[0], t[1]])
            .collect();
        assert_eq!(halves.len(), 256, "every sRGB code a half of its own");
    }

    #[test]
    fn swap_rb_exchanges_the_first_and_third_byte_of_each_texel() {
        let mut b = [1, 2, 3, 4, 5, 6, 7, 8];
        swap_rb(&mut b);
        assert_eq!(b, [3, 2, 1, 4, 7, 6, 5, 8]);
    }

    // Rows of virglrenderer 0.10.4 `src/vrend_formats.c`, with the line each is on.
    #[rstest]
    #[case::l58_rgba8(Format::R8G8B8A8_UNORM, g::RGBA8, g::RGBA, g::UNSIGNED_BYTE)]
    #[case::l60_argb8(Format::A8R8G8B8_UNORM, g::RGBA8, g::BGRA, g::UNSIGNED_INT_8_8_8_8)]
    #[case::l69_b5g6r5(Format::B5G6R5_UNORM, g::RGB565, g::RGB, g::UNSIGNED_SHORT_5_6_5)]
    #[case::l70_b2g3r3(Format::B2G3R3_UNORM, g::R3_G3_B2, g::RGB, g::UNSIGNED_BYTE_3_3_2)]
    #[case::l80_b5g5r5a1(
        Format::B5G5R5A1_UNORM,
        g::RGB5_A1,
        g::BGRA,
        g::UNSIGNED_SHORT_1_5_5_5_REV
    )]
    #[case::l87_s8z24(
        Format::S8_UINT_Z24_UNORM,
        g::DEPTH24_STENCIL8,
        g::DEPTH_STENCIL,
        g::UNSIGNED_INT_24_8
    )]
    #[case::l91_z32f_s8(
        Format::Z32_FLOAT_S8X24_UINT,
        g::DEPTH32F_STENCIL8,
        g::DEPTH_STENCIL,
        g::FLOAT_32_UNSIGNED_INT_24_8_REV
    )]
    #[case::l97_l8(Format::L8_UNORM, g::R8, g::RED, g::UNSIGNED_BYTE)]
    #[case::l111_rgba8i(Format::R8G8B8A8_SINT, g::RGBA8I, g::RGBA_INTEGER, g::BYTE)]
    #[case::l125_rgb32ui(Format::R32G32B32_UINT, g::RGB32UI, g::RGB_INTEGER, g::UNSIGNED_INT)]
    #[case::l130_rgba16f(Format::R16G16B16A16_FLOAT, g::RGBA16F, g::RGBA, g::HALF_FLOAT)]
    #[case::l293_l8_srgb(Format::L8_SRGB, SR8_EXT, g::RED, g::UNSIGNED_BYTE)]
    #[case::l302_bgr10a2ui(
        Format::B10G10R10A2_UINT,
        g::RGB10_A2UI,
        g::BGRA_INTEGER,
        g::UNSIGNED_INT_2_10_10_10_REV
    )]
    #[case::l309_r11g11b10f(
        Format::R11G11B10_FLOAT,
        g::R11F_G11F_B10F,
        g::RGB,
        g::UNSIGNED_INT_10F_11F_11F_REV
    )]
    #[case::l313_rgb9e5(
        Format::R9G9B9E5_FLOAT,
        g::RGB9_E5,
        g::RGB,
        g::UNSIGNED_INT_5_9_9_9_REV
    )]
    #[case::l325_bgra8(Format::B8G8R8A8_UNORM, g::RGBA8, g::BGRA, g::UNSIGNED_BYTE)]
    fn rows_match_virglrenderer(
        #[case] format: Format,
        #[case] internal: u32,
        #[case] pixel_format: u32,
        #[case] ty: u32,
    ) {
        let gl = gl_format(format).unwrap();
        assert_eq!(
            (gl.internal, gl.format, gl.ty),
            (internal, pixel_format, ty),
            "{format}"
        );
    }

    #[rstest]
    // l.57 RGB1_SWIZZLE, l.97 RRR1_SWIZZLE, l.447-451 the A8 fallback's 000R.
    #[case(Format::R8G8B8X8_UNORM, Some(RGB1), Kind::Color)]
    #[case(Format::L8_UNORM, Some(RRR1), Kind::Color)]
    #[case(Format::A8_UNORM, Some(OOOR), Kind::Color)]
    #[case(Format::A32_SINT, Some(OOOR), Kind::Sint)]
    #[case(Format::R16G16B16X16_UINT, Some(RGB1), Kind::Uint)]
    #[case(Format::Z16_UNORM, None, Kind::Depth)]
    #[case(Format::DXT5_SRGBA, None, Kind::Compressed)]
    fn swizzles_and_kinds(
        #[case] format: Format,
        #[case] swizzle: Option<[Swizzle; 4]>,
        #[case] kind: Kind,
    ) {
        let gl = gl_format(format).unwrap();
        assert_eq!((gl.swizzle, gl.kind), (swizzle, kind), "{format}");
    }

    #[rstest]
    #[case(Format::Z24X8_UNORM)]
    #[case(Format::X24S8_UINT)]
    #[case(Format::Z24_UNORM_S8_UINT)]
    #[case(Format::L8A8_UNORM)]
    #[case(Format::R8G8B8_UNORM)]
    #[case(Format::ETC2_RGB8)]
    #[case(Format::NONE)]
    fn formats_without_an_exact_mapping_are_absent(#[case] format: Format) {
        assert_eq!(gl_format(format), None);
    }

    #[test]
    fn kinds_agree_with_the_format_names() {
        for (f, gl) in gl_formats() {
            assert_eq!(gl.is_depth_stencil(), f.is_depth_stencil(), "{f}");
            let integer = f
                .channels()
                .is_some_and(|c| c.is_integer() && !c.depth_stencil);
            assert_eq!(gl.is_integer(), integer, "{f}");
            assert_eq!(
                gl.kind == Kind::Compressed,
                f.channels().is_none() && f.block().is_some_and(|b| b.width > 1),
                "{f}"
            );
        }
    }

    #[test]
    fn alpha_formats_do_not_render_as_stored() {
        let renders = |f| gl_format(f).unwrap().renders_as_stored();
        assert!(!renders(Format::A8_UNORM) && !renders(Format::A16_UINT));
        assert!(renders(Format::L8_UNORM) && renders(Format::R8G8B8X8_UNORM));
        assert!(renders(Format::B8G8R8A8_UNORM));
    }

    // vrend_renderer.c l.3195-3254: type from the first channel, BGRA size for zyxw formats.
    #[rstest]
    #[case(Format::R32G32B32_FLOAT, 3, g::FLOAT, false, false)]
    #[case(Format::R8G8B8A8_UNORM, 4, g::UNSIGNED_BYTE, true, false)]
    #[case(Format::R16G16_SSCALED, 2, g::SHORT, false, false)]
    #[case(Format::R32_UINT, 1, g::UNSIGNED_INT, false, true)]
    #[case(Format::R8G8_SINT, 2, g::BYTE, false, true)]
    #[case(Format::R16G16B16A16_FLOAT, 4, g::HALF_FLOAT, false, false)]
    #[case(Format::R64G64_FLOAT, 2, g::DOUBLE, false, false)]
    #[case(Format::B8G8R8A8_UNORM, g::BGRA as i32, g::UNSIGNED_BYTE, true, false)]
    #[case(Format::B10G10R10A2_UNORM, g::BGRA as i32, g::UNSIGNED_INT_2_10_10_10_REV, true, false)]
    #[case(Format::R10G10B10A2_SSCALED, 4, g::INT_2_10_10_10_REV, false, false)]
    #[case(
        Format::R11G11B10_FLOAT,
        3,
        g::UNSIGNED_INT_10F_11F_11F_REV,
        false,
        false
    )]
    fn vertex_formats(
        #[case] format: Format,
        #[case] size: i32,
        #[case] ty: u32,
        #[case] normalized: bool,
        #[case] integer: bool,
    ) {
        assert_eq!(
            vertex_format(format),
            Some(VertexFormat {
                size,
                ty,
                normalized,
                integer
            }),
            "{format}"
        );
    }

    #[rstest]
    #[case(Format::R32G32_FIXED)]
    #[case(Format::R8G8B8X8_UNORM)]
    #[case(Format::A8R8G8B8_UNORM)]
    #[case(Format::B8G8R8A8_USCALED)]
    #[case(Format::L8_UNORM)]
    #[case(Format::R10G10B10A2_UINT)]
    #[case(Format::DXT1_RGB)]
    #[case(Format::Z16_UNORM)]
    #[case(Format::R8G8B8A8_SRGB)]
    fn non_vertex_formats(#[case] format: Format) {
        assert_eq!(vertex_format(format), None);
    }
}
