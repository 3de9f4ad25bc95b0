//! What textures mean when a shader samples them: each sampleable format's texels against the
//! CPU definition in [`virgl_proto::texel`], mip levels written with RESOURCE_INLINE_WRITE,
//! array layers, 3D slices and cube faces, sampler-view swizzles and level and layer ranges,
//! and nearest against linear filtering.
//!
//! Every case draws a full-target quad into an RGBA32F render target, so a sampled value reaches
//! the read-back unclamped and unrounded, and compares each channel, read back as `f32`, with
//! the value [`Format::decode`] gives for the texel the pixel names. Sampling is nearest with
//! one texel per pixel unless the case is about filtering.
//!
//! Orientation is fixed, not guessed: Gallium's viewport maps NDC y = -1 to row 0 of the target,
//! and texture coordinate t = 0 is row 0 of the texture as uploaded, so pixel (x, y) of the
//! read-back must hold texel (x, y). A host that mirrors or flips what it samples, or that
//! swaps, drops or moves channels, fails: the texels are pseudo-random, channels differ from
//! one another and texels from their mirror images, and the unit tests below prove it for the
//! data every case uses (and that the bytes of each format, read as any other listed format of
//! the same size, give a different picture, so a host that creates `R16G16_UNORM` as
//! `B8G8R8A8_UNORM` fails `format_unorm` even though its bytes round-trip).
//!
//! Tolerances, per channel:
//! - unorm and snorm: half a step of the channel's own width (so the value names the right
//!   code), plus 2^-22 for the rounding of wide channels to `f32`;
//! - sRGB colour channels: the linear value re-encoded to sRGB is within 0.6/255 of the texel's
//!   code;
//! - half floats and the 11- and 10-bit floats of `R11G11B10_FLOAT`: relative 1e-3;
//! - 32-bit floats, and integers (converted to float in the shader with U2F/I2F): relative
//!   2^-23, exact for values below 2^24;
//! - compressed: 2/255 (DXT1, RGTC1_UNORM) and 1.5/127 (RGTC1_SNORM), for the 8-bit
//!   interpolation hosts use;
//! - `Z24X8_UNORM` depth: 2^-15, because virglrenderer uploads it through `vrend_scale_depth`,
//!   which drops the low 8 bits of the depth (and reads the padding byte as depth, so the
//!   padding of depth formats is generated as zero, as Mesa writes it);
//! - constant channels (a format's missing green, its alpha of one): exact.
//!
//! Depth and depth/stencil formats are sampled as depth and only red is compared.

use virgl_proto::caps::CapabilityBits;
use virgl_proto::ccmd::{
    Box3, Clear, Command, Dwords, InlineWrite, LayerRange, LevelRange, SamplerState, SamplerView,
    TransferTarget, ViewRange, Viewport,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::{
    bind, ClearBuffers, MipFilter, PrimMode, ShaderType, Swizzle, TexFilter, TextureTarget,
};
use virgl_proto::texel::{ChannelType, Source};
use virgl_proto::tgsi::{
    self, Builder, Declaration, Dst, File, Instruction, Interpolate, Opcode, Processor, ReturnType,
    SemanticName, Src, Texture,
};

use crate::conform::scene::{self, Vertex};
use crate::conform::{needs, Case, DynTransport, Env, Outcome};
use crate::context::{Context, Object, Resource};
use crate::error::{Error, Result};
use crate::transport::{Caps, ResourceDesc};

/// The texture cases, in the order they run.
pub const CASES: &[Case] = &[
    Case::any("format_unorm", |e| format_family(e, &UNORM)).needs(|c| needs_family(c, &UNORM)),
    Case::any("format_snorm", |e| format_family(e, &SNORM)).needs(|c| needs_family(c, &SNORM)),
    Case::any("format_float32", |e| format_family(e, &FLOAT32))
        .needs(|c| needs_family(c, &FLOAT32)),
    Case::any("format_half_float", |e| format_family(e, &HALF)).needs(|c| needs_family(c, &HALF)),
    Case::any("format_uint", |e| format_family(e, &UINT)).needs(|c| needs_family(c, &UINT)),
    Case::any("format_sint", |e| format_family(e, &SINT)).needs(|c| needs_family(c, &SINT)),
    Case::any("format_srgb", |e| format_family(e, &SRGB)).needs(|c| needs_family(c, &SRGB)),
    Case::any("format_packed", |e| format_family(e, &PACKED)).needs(|c| needs_family(c, &PACKED)),
    Case::any("format_depth", |e| format_family(e, &DEPTH)).needs(|c| needs_family(c, &DEPTH)),
    Case::any("format_compressed", |e| format_family(e, &COMPRESSED))
        .needs(|c| needs_family(c, &COMPRESSED)),
    Case::any("mip_levels_inline_write", mip_levels_inline_write).needs(needs_probe),
    Case::any("view_level_range", view_level_range).needs(needs_probe),
    Case::any("texture_2d_array_layers", texture_2d_array_layers).needs(|c| {
        needs::all([
            needs_probe(c),
            needs::at_least(
                "max_texture_array_layers",
                c.v1.max_texture_array_layers,
                ARRAY_LAYERS,
            ),
        ])
    }),
    // The views differ from the array in target or format, so the host needs texture views;
    // three of them are integer views.
    Case::any("view_layer_range", view_layer_range).needs(|c| {
        needs::all([
            needs_probe(c),
            needs::at_least(
                "max_texture_array_layers",
                c.v1.max_texture_array_layers,
                ARRAY_LAYERS,
            ),
            needs::capability(c, CapabilityBits::TEXTURE_VIEW),
            needs::integers(c),
            needs::sampler(c, Format::R8G8B8A8_UINT),
        ])
    }),
    Case::any("texture_3d_slices", texture_3d_slices).needs(|c| {
        needs::all([
            needs_probe(c),
            needs::v2_at_least(
                c,
                "max_texture_3d_size",
                |v2| v2.max_texture_3d_size,
                ARRAY_W,
                true,
            ),
        ])
    }),
    Case::any("texture_cube_faces", texture_cube_faces).needs(needs_probe),
    Case::any("view_swizzle", view_swizzle).needs(needs_probe),
    Case::any("filter_nearest_linear", filter_nearest_linear).needs(needs_probe),
    Case::any("filter_min_mag_select", filter_min_mag_select).needs(needs_probe),
];

// ---- the formats ----

/// A family of formats checked by one case.
struct Family {
    name: &'static str,
    formats: &'static [Format],
}

const UNORM: Family = Family {
    name: "unorm",
    formats: &[
        Format::R8_UNORM,
        Format::R8G8_UNORM,
        Format::R8G8B8A8_UNORM,
        Format::B8G8R8A8_UNORM,
        Format::B8G8R8X8_UNORM,
        Format::R16_UNORM,
        Format::R16G16_UNORM,
        Format::R16G16B16A16_UNORM,
        Format::A8_UNORM,
        Format::L8_UNORM,
        Format::L8A8_UNORM,
        Format::I8_UNORM,
        Format::L16_UNORM,
    ],
};

const SNORM: Family = Family {
    name: "snorm",
    formats: &[
        Format::R8_SNORM,
        Format::R8G8_SNORM,
        Format::R8G8B8A8_SNORM,
        Format::R16_SNORM,
        Format::R16G16_SNORM,
        Format::R16G16B16A16_SNORM,
    ],
};

const FLOAT32: Family = Family {
    name: "32-bit float",
    formats: &[
        Format::R32_FLOAT,
        Format::R32G32_FLOAT,
        Format::R32G32B32_FLOAT,
        Format::R32G32B32A32_FLOAT,
    ],
};

const HALF: Family = Family {
    name: "half float",
    formats: &[
        Format::R16_FLOAT,
        Format::R16G16_FLOAT,
        Format::R16G16B16_FLOAT,
        Format::R16G16B16A16_FLOAT,
    ],
};

const UINT: Family = Family {
    name: "unsigned integer",
    formats: &[
        Format::R8_UINT,
        Format::R8G8_UINT,
        Format::R8G8B8A8_UINT,
        Format::R16_UINT,
        Format::R16G16B16A16_UINT,
        Format::R32_UINT,
        Format::R32G32_UINT,
        Format::R32G32B32A32_UINT,
    ],
};

const SINT: Family = Family {
    name: "signed integer",
    formats: &[
        Format::R8_SINT,
        Format::R8G8B8A8_SINT,
        Format::R16G16_SINT,
        Format::R16G16B16A16_SINT,
        Format::R32_SINT,
        Format::R32G32B32A32_SINT,
    ],
};

const SRGB: Family = Family {
    name: "sRGB",
    formats: &[
        Format::R8G8B8A8_SRGB,
        Format::B8G8R8A8_SRGB,
        Format::L8_SRGB,
        Format::L8A8_SRGB,
        Format::R8_SRGB,
    ],
};

const PACKED: Family = Family {
    name: "packed",
    formats: &[
        Format::B5G6R5_UNORM,
        Format::B5G5R5A1_UNORM,
        Format::B4G4R4A4_UNORM,
        Format::R10G10B10A2_UNORM,
        Format::B10G10R10A2_UNORM,
        Format::R10G10B10A2_UINT,
        Format::R11G11B10_FLOAT,
    ],
};

const DEPTH: Family = Family {
    name: "depth/stencil",
    formats: &[
        Format::Z16_UNORM,
        Format::Z24X8_UNORM,
        Format::X8Z24_UNORM,
        Format::Z24_UNORM_S8_UINT,
        Format::S8_UINT_Z24_UNORM,
        Format::Z32_FLOAT,
        Format::Z32_FLOAT_S8X24_UINT,
    ],
};

const COMPRESSED: Family = Family {
    name: "compressed",
    formats: &[
        Format::DXT1_RGB,
        Format::DXT1_RGBA,
        Format::RGTC1_UNORM,
        Format::RGTC1_SNORM,
    ],
};

/// Every family, for the unit tests.
#[cfg(test)]
const FAMILIES: [&Family; 10] = [
    &UNORM,
    &SNORM,
    &FLOAT32,
    &HALF,
    &UINT,
    &SINT,
    &SRGB,
    &PACKED,
    &DEPTH,
    &COMPRESSED,
];

/// The size of every format texture: wide and short, so mirrors in x and y are both visible,
/// and a whole number of 4x4 blocks.
const FORMAT_W: u32 = 8;
const FORMAT_H: u32 = 4;

/// Seeds of each case's texels, shared with the unit tests that check the data.
const FORMAT_SEED: u32 = 1000;
const MIP_SEED: u32 = 300;
const ARRAY_SEED: u32 = 500;
const LAYER_RANGE_SEED: u32 = 600;
const SLICE_SEED: u32 = 700;
const CUBE_SEED: u32 = 800;
const SWIZZLE_SEED: u32 = 900;
const FILTER_SEED: u32 = 1100;

/// Array layers and 3D slices: 4x2 texels each, five layers, three slices; cube faces 4x4.
const ARRAY_W: u32 = 4;
const ARRAY_H: u32 = 2;
const ARRAY_LAYERS: u32 = 5;
const SLICES: u32 = 3;
const CUBE_SIZE: u32 = 4;

/// The render targets a case samples into, in order of preference: the first keeps every
/// sampled value as `f32`; the second (GLES 2.0 hosts render to no 32-bit float format) rounds
/// each to half float, which [`compare`] allows for.
const PROBES: [Format; 2] = [Format::R32G32B32A32_FLOAT, Format::R16G16B16A16_FLOAT];

/// How far converting to half float may move a value: a whole step of its 11-bit significand
/// (relative), or of its subnormals (absolute), since hosts may truncate rather than round
/// (llvmpipe does).
const HALF_REL: f64 = 1.0 / 1024.0;
const HALF_ABS: f64 = 1.0 / 16_777_216.0;

/// The probe format the host renders to.
fn probe(caps: &Caps) -> Option<Format> {
    PROBES.into_iter().find(|f| caps.v1.render.supports(*f))
}

/// Every case reads its samples back through a probe format.
fn needs_probe(caps: &Caps) -> Option<String> {
    probe(caps).is_none().then(|| {
        format!(
            "neither {} in the host's render mask (the read-back target)",
            names(&PROBES).replace(", ", " nor ")
        )
    })
}

/// Why `format` of a family is not checked on this host, or `None` when it is.
fn unchecked(caps: &Caps, format: Format) -> Option<String> {
    if !caps.v1.sampler.supports(format) {
        Some("not in the sampler mask".into())
    } else if return_type(format) != ReturnType::Float {
        needs::integers(caps)
    } else {
        None
    }
}

/// A family needs the probe, integers if all its formats are integer, and at least one format
/// the host samples.
fn needs_family(caps: &Caps, family: &Family) -> Option<String> {
    let integer = family
        .formats
        .iter()
        .all(|f| return_type(*f) != ReturnType::Float);
    let integers = || integer.then(|| needs::integers(caps)).flatten();
    needs_probe(caps).or_else(integers).or_else(|| {
        family
            .formats
            .iter()
            .all(|f| unchecked(caps, *f).is_some())
            .then(|| {
                let why: Vec<String> = family
                    .formats
                    .iter()
                    .filter_map(|f| unchecked(caps, *f).map(|w| format!("{f} ({w})")))
                    .collect();
                format!(
                    "none of the {} formats can be checked: {}",
                    family.name,
                    why.join(", ")
                )
            })
    })
}

/// What a pass detail adds when the probe rounds to half float.
fn probe_note(caps: &Caps) -> String {
    match probe(caps) {
        Some(f) if f != PROBES[0] => format!(
            "; read back through {f} (the host renders to no {}), so each channel may also be off \
             by its conversion to half float (2^-10 relative)",
            PROBES[0]
        ),
        _ => String::new(),
    }
}

/// A passing outcome with the probe's note.
fn pass(ctx: &Context<DynTransport>, detail: impl Into<String>) -> Outcome {
    Outcome::pass(detail.into() + &probe_note(ctx.caps()))
}

/// What undrawn pixels hold: a value no texel of any case decodes to.
const SENTINEL: [f32; 4] = [-7.25, -7.25, -7.25, -7.25];

/// How close a sampled channel must be to its CPU value.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tol {
    /// Within this much.
    Abs(f64),
    /// Within this fraction of the expected value.
    Rel(f64),
    /// Re-encoded to sRGB, within this much of the expected code (in 0..1 units).
    Srgb(f64),
}

impl Tol {
    fn accepts(self, got: f64, want: f64) -> bool {
        match self {
            Tol::Abs(t) => (got - want).abs() <= t,
            Tol::Rel(r) => (got - want).abs() <= r * want.abs(),
            Tol::Srgb(t) => (linear_to_srgb(got) - linear_to_srgb(want)).abs() <= t,
        }
    }
}

impl std::fmt::Display for Tol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tol::Abs(0.0) => write!(f, "exact"),
            Tol::Abs(t) => write!(f, "±{t:.3e}"),
            Tol::Rel(r) => write!(f, "relative {r:.1e}"),
            Tol::Srgb(t) => write!(f, "±{:.2}/255 re-encoded to sRGB", t * 255.0),
        }
    }
}

/// The sRGB transfer function, encoding.
fn linear_to_srgb(v: f64) -> f64 {
    if v <= 0.0031308 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

/// Half a step of an `n`-level channel, plus what rounding a wide channel to `f32` costs.
fn half_step(levels: f64) -> Tol {
    Tol::Abs(0.5 / levels + 2f64.powi(-22))
}

const REL_F32: Tol = Tol::Rel(1.0 / 8_388_608.0);
const REL_HALF: Tol = Tol::Rel(1e-3);
const EXACT: Tol = Tol::Abs(0.0);
const COMPRESSED_TOL: Tol = Tol::Abs(2.0 / 255.0);
/// llvmpipe's RGTC1_SNORM interpolation lands up to 1.2 codes from the exact value.
const COMPRESSED_SNORM_TOL: Tol = Tol::Abs(1.5 / 127.0);
/// Two steps of 16 bits.
const Z24X8_TOL: Tol = Tol::Abs(1.0 / 32768.0);

/// The tolerance of each RGBA channel of `format` as sampled; `None` where it is not compared
/// (depth formats compare red alone).
fn tolerances(format: Format) -> [Option<Tol>; 4] {
    match format {
        Format::DXT1_RGB | Format::DXT1_RGBA => return [Some(COMPRESSED_TOL); 4],
        Format::RGTC1_UNORM => {
            return [Some(COMPRESSED_TOL), Some(EXACT), Some(EXACT), Some(EXACT)]
        }
        Format::RGTC1_SNORM => {
            return [
                Some(COMPRESSED_SNORM_TOL),
                Some(EXACT),
                Some(EXACT),
                Some(EXACT),
            ]
        }
        _ => {}
    }
    if format == Format::Z24X8_UNORM {
        // virglrenderer's upload keeps the top 16 of the 24 bits (see the module docs).
        return [Some(Z24X8_TOL), None, None, None];
    }
    let ch = format
        .channels()
        .unwrap_or_else(|| panic!("{format} is listed but has no channels"));
    let mut out = [None; 4];
    for (i, src) in ch.swizzle.iter().enumerate() {
        out[i] = Some(match *src {
            Source::Zero | Source::One => EXACT,
            Source::Channel(n) => {
                let c = ch.list[n];
                match c.ty {
                    ChannelType::Unorm if ch.srgb && i < 3 => Tol::Srgb(0.6 / 255.0),
                    ChannelType::Unorm => half_step(((1u64 << c.bits) - 1) as f64),
                    ChannelType::Snorm => half_step(((1u64 << (c.bits - 1)) - 1) as f64),
                    ChannelType::Float if c.bits == 32 => REL_F32,
                    ChannelType::Float => REL_HALF,
                    _ => REL_F32,
                }
            }
        });
        if ch.depth_stencil && i > 0 {
            out[i] = None;
        }
    }
    out
}

/// The sampler-view return type a shader declares for `format`.
fn return_type(format: Format) -> ReturnType {
    match format.channels() {
        Some(ch) if ch.is_integer() && !ch.depth_stencil => {
            let signed = ch.list.iter().any(|c| c.ty == ChannelType::Sint);
            if signed {
                ReturnType::Sint
            } else {
                ReturnType::Uint
            }
        }
        _ => ReturnType::Float,
    }
}

/// A small deterministic generator (xorshift32).
struct Rng(u32);

impl Rng {
    fn new(seed: u32) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9).max(1))
    }

    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }

    /// `bits` random bits (up to 64).
    fn bits(&mut self, bits: u32) -> u64 {
        let v = (u64::from(self.next()) << 32) | u64::from(self.next());
        if bits >= 64 {
            v
        } else {
            v & ((1u64 << bits) - 1)
        }
    }

    /// A value in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// The raw bits of one channel of a generated texel: anything for integers and normalized
/// channels, finite normal values of moderate size for floats, 0..1 for float depth.
fn channel_bits(name: char, ty: ChannelType, bits: u32, rng: &mut Rng) -> u128 {
    let v = match (ty, bits) {
        (ChannelType::Float, 32) if name == 'Z' => {
            u64::from(((rng.next() >> 8) as f32 / 16_777_216.0).to_bits())
        }
        (ChannelType::Float, 32) => {
            rng.bits(1) << 31 | u64::from(rng.range(117, 137)) << 23 | rng.bits(23)
        }
        (ChannelType::Float, 16) => {
            rng.bits(1) << 15 | u64::from(rng.range(10, 20)) << 10 | rng.bits(10)
        }
        (ChannelType::Float, 11) => u64::from(rng.range(10, 20)) << 6 | rng.bits(6),
        (ChannelType::Float, 10) => u64::from(rng.range(10, 20)) << 5 | rng.bits(5),
        _ => rng.bits(bits),
    };
    u128::from(v)
}

/// `w` × `h` texels of `format` (whole blocks for compressed formats), pseudo-random from `seed`.
fn texel_data(format: Format, w: u32, h: u32, seed: u32) -> Vec<u8> {
    let block = format.block().expect("listed formats have blocks");
    let blocks = (w.div_ceil(block.width) * h.div_ceil(block.height)) as usize;
    let mut rng = Rng::new(seed);
    let Some(ch) = format.channels() else {
        // Any eight bytes are a valid DXT1 or RGTC1 block. Even blocks take the mode with
        // the most interpolated values (first endpoint above the second), odd blocks the
        // other one (DXT1's transparent black, RGTC1's constant 0 and 1).
        let mut out: Vec<u8> = (0..blocks * block.bytes as usize)
            .map(|_| rng.next() as u8)
            .collect();
        for (i, b) in out.chunks_exact_mut(block.bytes as usize).enumerate() {
            let above = match format {
                Format::DXT1_RGB | Format::DXT1_RGBA => {
                    u16::from_le_bytes([b[0], b[1]]) > u16::from_le_bytes([b[2], b[3]])
                }
                Format::RGTC1_SNORM => b[0] as i8 > b[1] as i8,
                _ => b[0] > b[1],
            };
            if above != (i % 2 == 0) {
                if matches!(format, Format::DXT1_RGB | Format::DXT1_RGBA) {
                    let (c0, c1) = ([b[0], b[1]], [b[2], b[3]]);
                    b[..2].copy_from_slice(&c1);
                    b[2..4].copy_from_slice(&c0);
                } else {
                    b.swap(0, 1);
                }
            }
        }
        return out;
    };
    let mut out = Vec::with_capacity(blocks * block.bytes as usize);
    for _ in 0..blocks {
        let mut word = 0u128;
        for c in &ch.list {
            let bits = channel_bits(c.name, c.ty, c.bits, &mut rng);
            // Padding is random in colour formats (a host must ignore it) but zero in depth
            // formats, where virglrenderer's Z24X8 upload reads it as depth.
            if c.ty == ChannelType::Void && ch.depth_stencil {
                continue;
            }
            word |= bits << c.shift;
        }
        out.extend_from_slice(&word.to_le_bytes()[..block.bytes as usize]);
    }
    out
}

/// What a correct host samples from `data` (`w` × `h` texels of `format`), row by row.
fn expected_image(format: Format, data: &[u8], w: u32, h: u32) -> Vec<[f64; 4]> {
    let block = format.block().expect("listed formats have blocks");
    let blocks_x = w.div_ceil(block.width);
    let mut out = Vec::with_capacity((w * h) as usize);
    for y in 0..h {
        for x in 0..w {
            let b = ((y / block.height) * blocks_x + x / block.width) * block.bytes;
            let bytes = &data[b as usize..(b + block.bytes) as usize];
            let v = format
                .decode(bytes, x % block.width, y % block.height)
                .unwrap_or_else(|| panic!("{format} decodes"));
            out.push(v);
        }
    }
    out
}

/// What a draw sampled, pixel by pixel, row by row, as read back from the probe.
struct Samples {
    px: Vec<[f32; 4]>,
    /// How far the probe may have rounded a value `v`: `rel * |v| + abs`.
    rounding: (f64, f64),
}

/// The first mismatch of `got` against `want` (both `w` pixels wide), described with the
/// number of mismatching channels, or `None` when every compared channel is within tolerance
/// (after the probe's rounding).
fn compare(got: &Samples, want: &[[f64; 4]], w: u32, tol: &[Option<Tol>; 4]) -> Option<String> {
    let (rel, abs) = got.rounding;
    let got = &got.px;
    if got.len() != want.len() {
        return Some(format!(
            "{} pixels read back, {} expected",
            got.len(),
            want.len()
        ));
    }
    let mut first = None;
    let mut bad = 0;
    for (i, (g, e)) in got.iter().zip(want).enumerate() {
        for c in 0..4 {
            let Some(t) = tol[c] else { continue };
            let slack = rel * e[c].abs() + abs;
            let unrounded = f64::from(g[c]) - (f64::from(g[c]) - e[c]).clamp(-slack, slack);
            if !t.accepts(unrounded, e[c]) {
                bad += 1;
                first.get_or_insert_with(|| {
                    let (x, y) = (i as u32 % w, i as u32 / w);
                    format!(
                        "texel ({x},{y}) channel {}: got {} (pixel {:?}), expected {:.6} ({t})",
                        b"RGBA"[c] as char, g[c], g, e[c]
                    )
                });
            }
        }
    }
    first.map(|f| format!("{f}; {bad} channels wrong in all"))
}

// ---- drawing ----

/// A quad over the whole target whose texture coordinate (all four components) is `corners`
/// at NDC (-1,-1), (1,-1), (-1,1) and (1,1): target row 0 is NDC y = -1.
fn probe_quad(corners: [[f32; 4]; 4]) -> [Vertex; 4] {
    let pos = [[-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]];
    std::array::from_fn(|i| {
        let [x, y] = pos[i];
        let [s, t, r, q] = corners[i];
        [x, y, 0.0, 1.0, s, t, r, q]
    })
}

/// Texture coordinates s, t from 0 to 1 across the target, with `r` and `q` fixed.
fn unit_square(r: f32, q: f32) -> [[f32; 4]; 4] {
    [
        [0.0, 0.0, r, q],
        [1.0, 0.0, r, q],
        [0.0, 1.0, r, q],
        [1.0, 1.0, r, q],
    ]
}

/// How the fragment shader reads the texture.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fetch {
    /// TEX: implicit level of detail.
    Tex,
    /// TXL: the level of detail is the coordinate's w.
    Txl,
}

/// Samples view 0 (`target`, returning `ret`) at the interpolated coordinate and writes it
/// as float: integer results go through U2F or I2F.
fn fs_sample(target: Texture, ret: ReturnType, fetch: Fetch) -> tgsi::Shader {
    let op = match fetch {
        Fetch::Tex => Opcode::Tex,
        Fetch::Txl => Opcode::Txl,
    };
    let convert = match ret {
        ReturnType::Uint => Opcode::U2f,
        ReturnType::Sint => Opcode::I2f,
        _ => Opcode::Mov,
    };
    Builder::new(Processor::Frag)
        .declare(
            Declaration::new(File::In, 0, 0)
                .semantic(SemanticName::Generic, 0)
                .interpolate(Interpolate::Linear),
        )
        .declare(Declaration::new(File::Out, 0, 0).semantic(SemanticName::Color, 0))
        .declare(Declaration::new(File::Samp, 0, 0))
        .declare(Declaration::sampler_view(0, target, ret))
        .declare(Declaration::new(File::Temp, 0, 0))
        .instruction(
            Instruction::new(
                op,
                &[Dst::reg(File::Temp, 0)],
                &[Src::reg(File::In, 0), Src::reg(File::Samp, 0)],
            )
            .texture(target),
        )
        .op(
            convert,
            &[Dst::reg(File::Out, 0)],
            &[Src::reg(File::Temp, 0)],
        )
        .end()
}

/// Draws `corners` over a `w` × `h` probe target with `fs` sampling `view` through
/// `sampler`, and reads the target back.
fn sample(
    ctx: &mut Context<DynTransport>,
    fs: &tgsi::Shader,
    view: &Object,
    sampler: &Object,
    (w, h): (u32, u32),
    corners: [[f32; 4]; 4],
) -> Result<Samples> {
    let probe = probe(ctx.caps()).ok_or_else(|| Error::InvalidArgument {
        call: "sample",
        detail: needs_probe(ctx.caps()).unwrap_or_default(),
    })?;
    let rt = ctx.create_resource(&ResourceDesc::texture_2d(
        probe,
        w,
        h,
        bind::RENDER_TARGET | bind::SAMPLER_VIEW,
    ))?;
    let surf = ctx.create_surface(&rt, probe)?;
    ctx.set_framebuffer(&[&surf], None)?;
    ctx.set_viewport(Viewport::for_size(w, h))?;
    let (blend, dsa, rast) = scene::default_states();
    let _pipeline = scene::pipeline(ctx, fs, &blend, &dsa, &rast)?;
    ctx.set_sampler_views(ShaderType::Fragment, &[view])?;
    ctx.bind_sampler_states(ShaderType::Fragment, &[sampler])?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, SENTINEL))?;
    let _vb = scene::draw(ctx, &probe_quad(corners), PrimMode::TriangleStrip)?;
    let bytes = ctx.download(&rt, Box3::new_2d(0, 0, w, h))?;
    let texel = probe.block().expect("probes are plain formats").bytes as usize;
    let px = bytes
        .chunks_exact(texel)
        .map(|p| {
            let v = probe.decode(p, 0, 0).expect("probes decode");
            v.map(|c| c as f32)
        })
        .collect();
    let rounding = if probe == PROBES[0] {
        (0.0, 0.0)
    } else {
        (HALF_REL, HALF_ABS)
    };
    Ok(Samples { px, rounding })
}

/// A sampler view of `res` as `format` and `target` over `layers` and `levels`.
fn view(
    ctx: &mut Context<DynTransport>,
    res: &Resource,
    format: Format,
    target: TextureTarget,
    layers: (u16, u16),
    levels: (u8, u8),
    swizzle: [Swizzle; 4],
) -> Result<Object> {
    let resource = res.id().0;
    ctx.reference_resource(res);
    ctx.create_object(virgl_proto::ccmd::ObjectType::SamplerView, |handle| {
        Command::CreateSamplerView(SamplerView {
            handle,
            resource,
            format,
            target,
            range: ViewRange::Texture {
                layers: LayerRange::new(layers.0, layers.1),
                levels: LevelRange {
                    first: levels.0,
                    last: levels.1,
                },
            },
            swizzle,
        })
    })
}

const IDENTITY: [Swizzle; 4] = [Swizzle::X, Swizzle::Y, Swizzle::Z, Swizzle::W];

/// A clamp-to-edge sampler with the given filters, levels of detail up to 16.
fn sampler(
    ctx: &mut Context<DynTransport>,
    min: TexFilter,
    mag: TexFilter,
    mip: MipFilter,
) -> Result<Object> {
    ctx.create_sampler_state(&SamplerState {
        min_img_filter: min,
        mag_img_filter: mag,
        min_mip_filter: mip,
        max_lod: 16.0,
        ..SamplerState::nearest(0)
    })
}

/// Writes tightly packed `data` into `region` of `level` of `res` with RESOURCE_INLINE_WRITE.
fn inline_write(
    ctx: &mut Context<DynTransport>,
    res: &Resource,
    level: u32,
    region: Box3,
    data: &[u8],
) -> Result<()> {
    let f = res.desc().format;
    let block = f.block().expect("inline writes use plain formats");
    let stride = f.row_bytes(region.w).expect("block format") as u32;
    let layer_stride = stride * region.h.div_ceil(block.height);
    if data.len() != (layer_stride * region.d) as usize {
        return Err(Error::InvalidArgument {
            call: "inline write",
            detail: format!(
                "{} bytes for a {}-byte box",
                data.len(),
                layer_stride * region.d
            ),
        });
    }
    let mut bytes = data.to_vec();
    bytes.resize(bytes.len().next_multiple_of(4), 0);
    ctx.push(&Command::ResourceInlineWrite(InlineWrite {
        target: TransferTarget {
            resource: res.id().0,
            level,
            usage: 0,
            stride,
            layer_stride,
            region,
        },
        data: Dwords::from_bytes(bytes).expect("padded to dwords"),
    }))
}

/// RGBA8 texels decoded, for the cases that use `R8G8B8A8_UNORM`.
fn rgba8(data: &[u8]) -> Vec<[f64; 4]> {
    data.chunks_exact(4)
        .map(|t| std::array::from_fn(|c| f64::from(t[c]) / 255.0))
        .collect()
}

/// Half a step of 8-bit unorm: the sampled value names the right byte.
const RGBA8_TOL: [Option<Tol>; 4] = [Some(Tol::Abs(0.5 / 255.0)); 4];

// ---- format meaning ----

fn format_family(env: &mut Env<'_>, family: &Family) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let caps = ctx.caps().clone();
    let (advertised, missing): (Vec<Format>, Vec<Format>) = family
        .formats
        .iter()
        .partition(|f| unchecked(&caps, **f).is_none());
    let missing_note = if missing.is_empty() {
        String::new()
    } else {
        let why: Vec<String> = missing
            .iter()
            .map(|f| format!("{f} ({})", unchecked(&caps, *f).unwrap_or_default()))
            .collect();
        format!("; not checked on this host: {}", why.join(", "))
    };
    if advertised.is_empty() {
        return Ok(Outcome::skip(
            needs_family(&caps, family).unwrap_or_default(),
        ));
    }
    let probe = probe(&caps).map_or("no probe", Format::name);
    let smp = sampler(ctx, TexFilter::Nearest, TexFilter::Nearest, MipFilter::None)?;
    let mut failures = Vec::new();
    let mut tols = Vec::new();
    for (i, &format) in advertised.iter().enumerate() {
        match check_format(ctx, &smp, format, FORMAT_SEED + i as u32) {
            Ok(None) => {}
            Ok(Some(why)) => failures.push(format!("{format}: {why}")),
            Err(e) => failures.push(format!("{format}: error {e}")),
        }
        tols.push(format!("{format} {}", describe_tolerances(format)));
    }
    Ok(if failures.is_empty() {
        pass(
            ctx,
            format!(
                "{FORMAT_W}x{FORMAT_H} pseudo-random texels uploaded and sampled NEAREST one per pixel into {probe}, \
                 every channel equal to texel::decode: {}{missing_note}",
                tols.join(", ")
            ),
        )
    } else {
        Outcome::fail(format!(
            "{} of {} {} formats sample wrong: {}{missing_note}",
            failures.len(),
            advertised.len(),
            family.name,
            failures.join("; ")
        ))
    })
}

fn names(formats: &[Format]) -> String {
    formats
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(R ±..., GBA exact)`: what is compared and how closely, channels of equal tolerance
/// together.
fn describe_tolerances(format: Format) -> String {
    let tols = tolerances(format);
    if tols[1..].iter().all(Option::is_none) {
        return format!("(depth in R {})", tols[0].expect("red is always compared"));
    }
    let mut groups: Vec<(String, Tol)> = Vec::new();
    for (i, t) in tols.iter().enumerate() {
        let t = t.expect("colour formats compare every channel");
        let c = b"RGBA"[i] as char;
        match groups.last_mut() {
            Some((cs, last)) if *last == t => cs.push(c),
            _ => groups.push((c.to_string(), t)),
        }
    }
    let parts: Vec<String> = groups.iter().map(|(c, t)| format!("{c} {t}")).collect();
    format!("({})", parts.join(", "))
}

/// Uploads, samples and compares one format; `Some(reason)` when it samples wrong.
fn check_format(
    ctx: &mut Context<DynTransport>,
    smp: &Object,
    format: Format,
    seed: u32,
) -> Result<Option<String>> {
    let (w, h) = (FORMAT_W, FORMAT_H);
    let tex = ctx.create_resource(&ResourceDesc::texture_2d(format, w, h, bind::SAMPLER_VIEW))?;
    let data = texel_data(format, w, h, seed);
    ctx.upload(&tex, Box3::new_2d(0, 0, w, h), &data)?;
    let v = ctx.create_sampler_view(&tex, format)?;
    let fs = fs_sample(Texture::D2, return_type(format), Fetch::Tex);
    let got = sample(ctx, &fs, &v, smp, (w, h), unit_square(0.0, 1.0))?;
    let want = expected_image(format, &data, w, h);
    Ok(compare(&got, &want, w, &tolerances(format)))
}

// ---- mip levels ----

/// The levels of the mip cases: 8x8 down to 1x1.
const MIP_SIZE: u32 = 8;
const MIP_LEVELS: u32 = 4;

/// An 8x8 RGBA8 texture with four levels, each written whole by an inline write of its own
/// pseudo-random texels; returns the texture and each level's bytes.
fn mip_texture(ctx: &mut Context<DynTransport>) -> Result<(Resource, Vec<Vec<u8>>)> {
    let tex = ctx.create_resource(&ResourceDesc {
        last_level: MIP_LEVELS - 1,
        ..ResourceDesc::texture_2d(
            Format::R8G8B8A8_UNORM,
            MIP_SIZE,
            MIP_SIZE,
            bind::SAMPLER_VIEW,
        )
    })?;
    let mut levels = Vec::new();
    for l in 0..MIP_LEVELS {
        let s = MIP_SIZE >> l;
        let data = scene::pattern((s * s * 4) as usize, MIP_SEED + l);
        inline_write(ctx, &tex, l, Box3::new_2d(0, 0, s, s), &data)?;
        levels.push(data);
    }
    Ok((tex, levels))
}

fn mip_levels_inline_write(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (tex, mut levels) = mip_texture(ctx)?;
    // A 3x2 patch at (1,2) of level 1 (4x4) must land in those texels of level 1 alone.
    let patch = scene::pattern(3 * 2 * 4, 399);
    inline_write(ctx, &tex, 1, Box3::new_2d(1, 2, 3, 2), &patch)?;
    let s1 = (MIP_SIZE >> 1) as usize;
    for row in 0..2 {
        let d = ((2 + row) * s1 + 1) * 4;
        levels[1][d..d + 12].copy_from_slice(&patch[row * 12..row * 12 + 12]);
    }
    let v = ctx.create_sampler_view(&tex, Format::R8G8B8A8_UNORM)?;
    let smp = sampler(
        ctx,
        TexFilter::Nearest,
        TexFilter::Nearest,
        MipFilter::Nearest,
    )?;
    let fs = fs_sample(Texture::D2, ReturnType::Float, Fetch::Txl);
    for l in 0..MIP_LEVELS {
        let s = MIP_SIZE >> l;
        let got = sample(ctx, &fs, &v, &smp, (s, s), unit_square(0.0, l as f32))?;
        if let Some(d) = compare(&got, &rgba8(&levels[l as usize]), s, &RGBA8_TOL) {
            return Ok(Outcome::fail(format!(
                "level {l} ({s}x{s}) sampled with TXL lod {l}: {d}"
            )));
        }
    }
    Ok(pass(ctx, format!(
        "RGBA8 {MIP_SIZE}x{MIP_SIZE} with {MIP_LEVELS} levels, each written by RESOURCE_INLINE_WRITE with its own texels \
         (then a 3x2 patch at (1,2) of level 1): TXL at lod 0..3 samples each level texel for texel, ±0.5/255"
    )))
}

fn view_level_range(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (tex, levels) = mip_texture(ctx)?;
    let tex_fs = fs_sample(Texture::D2, ReturnType::Float, Fetch::Tex);
    let txl_fs = fs_sample(Texture::D2, ReturnType::Float, Fetch::Txl);
    let no_mips = sampler(ctx, TexFilter::Nearest, TexFilter::Nearest, MipFilter::None)?;
    let mips = sampler(
        ctx,
        TexFilter::Nearest,
        TexFilter::Nearest,
        MipFilter::Nearest,
    )?;
    // (first, last level of the view, TXL lod or None for TEX, the level that must be sampled)
    let checks: [((u8, u8), Option<f32>, u32); 5] = [
        ((1, 3), None, 1),
        ((2, 2), None, 2),
        ((1, 3), Some(1.0), 2),
        ((0, 1), Some(3.0), 1),
        ((3, 3), Some(0.0), 3),
    ];
    let mut done = Vec::new();
    for (range, lod, level) in checks {
        let v = view(
            ctx,
            &tex,
            Format::R8G8B8A8_UNORM,
            TextureTarget::Texture2D,
            (0, 0),
            range,
            IDENTITY,
        )?;
        let s = MIP_SIZE >> level;
        let (fs, smp, how) = match lod {
            None => (&tex_fs, &no_mips, "TEX".to_string()),
            Some(l) => (&txl_fs, &mips, format!("TXL lod {l}")),
        };
        let got = sample(
            ctx,
            fs,
            &v,
            smp,
            (s, s),
            unit_square(0.0, lod.unwrap_or(0.0)),
        )?;
        let what = format!("view of levels {}..={}, {how}", range.0, range.1);
        if let Some(d) = compare(&got, &rgba8(&levels[level as usize]), s, &RGBA8_TOL) {
            return Ok(Outcome::fail(format!(
                "{what}: expected level {level}: {d}"
            )));
        }
        done.push(format!("{what} -> level {level}"));
    }
    Ok(pass(
        ctx,
        format!(
            "RGBA8 8x8 with 4 levels of distinct texels: {}; each level's texels exact (±0.5/255)",
            done.join(", ")
        ),
    ))
}

// ---- arrays, 3D, cube maps ----

/// A `w` × `h` RGBA8 texture of `target` with `layers` layers (or slices, or faces): the
/// first `split` written by transfer, the rest by inline write; returns it and each layer's bytes.
fn layered_texture(
    ctx: &mut Context<DynTransport>,
    target: TextureTarget,
    (w, h, layers): (u32, u32, u32),
    split: u32,
    seed: u32,
) -> Result<(Resource, Vec<Vec<u8>>)> {
    let (depth, array_size) = if target == TextureTarget::Texture3D {
        (layers, 1)
    } else {
        (1, layers)
    };
    let tex = ctx.create_resource(&ResourceDesc {
        target,
        depth,
        array_size,
        ..ResourceDesc::texture_2d(Format::R8G8B8A8_UNORM, w, h, bind::SAMPLER_VIEW)
    })?;
    let mut data = Vec::new();
    for z in 0..layers {
        let bytes = scene::pattern((w * h * 4) as usize, seed + z);
        let region = Box3 {
            z,
            d: 1,
            ..Box3::new_2d(0, 0, w, h)
        };
        if z < split {
            ctx.upload(&tex, region, &bytes)?;
        } else {
            inline_write(ctx, &tex, 0, region, &bytes)?;
        }
        data.push(bytes);
    }
    Ok((tex, data))
}

fn texture_2d_array_layers(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (w, h, n) = (ARRAY_W, ARRAY_H, ARRAY_LAYERS);
    let (tex, layers) =
        layered_texture(ctx, TextureTarget::Texture2DArray, (w, h, n), 3, ARRAY_SEED)?;
    let v = ctx.create_sampler_view(&tex, Format::R8G8B8A8_UNORM)?;
    let smp = sampler(ctx, TexFilter::Nearest, TexFilter::Nearest, MipFilter::None)?;
    let fs = fs_sample(Texture::Array2d, ReturnType::Float, Fetch::Tex);
    for l in 0..n {
        let got = sample(ctx, &fs, &v, &smp, (w, h), unit_square(l as f32, 1.0))?;
        if let Some(d) = compare(&got, &rgba8(&layers[l as usize]), w, &RGBA8_TOL) {
            return Ok(Outcome::fail(format!(
                "layer {l} (coordinate r = {l}): {d}"
            )));
        }
    }
    Ok(pass(ctx, format!(
        "RGBA8 {w}x{h} 2D array of {n} layers (0-2 written by transfer, 3-4 by RESOURCE_INLINE_WRITE), each its own texels: \
         TEX 2D_ARRAY with r = 0..{} samples each layer exactly (±0.5/255)",
        n - 1
    )))
}

fn view_layer_range(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (w, h, n) = (ARRAY_W, ARRAY_H, ARRAY_LAYERS);
    let (tex, layers) = layered_texture(
        ctx,
        TextureTarget::Texture2DArray,
        (w, h, n),
        n,
        LAYER_RANGE_SEED,
    )?;
    let smp = sampler(ctx, TexFilter::Nearest, TexFilter::Nearest, MipFilter::None)?;
    let unorm = Format::R8G8B8A8_UNORM;
    let uint = Format::R8G8B8A8_UINT;
    // (view format and target, its layers, array index, the layer that must be sampled):
    // indices past the view's last layer clamp to it. Each view differs from the resource in
    // target or format; virglrenderer 0.10.4 ignores the layer range of a view that matches
    // its resource in both (it makes a GL texture view only when one of them differs).
    let checks = [
        (unorm, TextureTarget::Texture2D, (3, 3), 0.0, 3),
        (unorm, TextureTarget::Texture2D, (1, 1), 0.0, 1),
        (uint, TextureTarget::Texture2DArray, (2, 4), 0.0, 2),
        (uint, TextureTarget::Texture2DArray, (2, 4), 2.0, 4),
        (uint, TextureTarget::Texture2DArray, (1, 2), 7.0, 2),
    ];
    let mut done = Vec::new();
    for (format, target, range, index, layer) in checks {
        if !ctx.caps().v1.sampler.supports(format) {
            return Ok(Outcome::skip(format!(
                "{format} not in the host's sampler mask"
            )));
        }
        let v = view(ctx, &tex, format, target, range, (0, 0), IDENTITY)?;
        let (fs, tol) = if target == TextureTarget::Texture2D {
            (
                fs_sample(Texture::D2, ReturnType::Float, Fetch::Tex),
                RGBA8_TOL,
            )
        } else {
            (
                fs_sample(Texture::Array2d, ReturnType::Uint, Fetch::Tex),
                [Some(EXACT); 4],
            )
        };
        let got = sample(ctx, &fs, &v, &smp, (w, h), unit_square(index, 1.0))?;
        let want = expected_image(format, &layers[layer], w, h);
        let what = if target == TextureTarget::Texture2D {
            format!("2D {format} view of layer {}", range.0)
        } else {
            format!(
                "2D-array {format} view of layers {}..={}, index {index}",
                range.0, range.1
            )
        };
        if let Some(d) = compare(&got, &want, w, &tol) {
            return Ok(Outcome::fail(format!(
                "{what}: expected layer {layer}: {d}"
            )));
        }
        done.push(format!("{what} -> layer {layer}"));
    }
    Ok(pass(
        ctx,
        format!(
            "RGBA8 {w}x{h} array of {n} distinct layers: {}; unorm ±0.5/255, integers exact",
            done.join(", ")
        ),
    ))
}

fn texture_3d_slices(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (w, h, d) = (ARRAY_W, ARRAY_H, SLICES);
    let (tex, slices) = layered_texture(ctx, TextureTarget::Texture3D, (w, h, d), 2, SLICE_SEED)?;
    let v = ctx.create_sampler_view(&tex, Format::R8G8B8A8_UNORM)?;
    let smp = sampler(ctx, TexFilter::Nearest, TexFilter::Nearest, MipFilter::None)?;
    let fs = fs_sample(Texture::D3, ReturnType::Float, Fetch::Tex);
    for z in 0..d {
        let r = (z as f32 + 0.5) / d as f32;
        let got = sample(ctx, &fs, &v, &smp, (w, h), unit_square(r, 1.0))?;
        if let Some(e) = compare(&got, &rgba8(&slices[z as usize]), w, &RGBA8_TOL) {
            return Ok(Outcome::fail(format!("slice {z} (r = {r}): {e}")));
        }
    }
    Ok(pass(ctx, format!(
        "RGBA8 {w}x{h}x{d} 3D texture (slices 0-1 written by transfer, 2 by RESOURCE_INLINE_WRITE), each slice its own texels: \
         TEX 3D at r = (z+0.5)/{d} samples each slice exactly (±0.5/255)"
    )))
}

/// The direction that reaches face `face` at face coordinates (`sc`, `tc`) in -1..1, by the
/// GL cube map table (ARB_texture_cube_map, table 3.19): +X, -X, +Y, -Y, +Z, -Z.
fn cube_direction(face: u32, sc: f32, tc: f32) -> [f32; 3] {
    match face {
        0 => [1.0, -tc, -sc],
        1 => [-1.0, -tc, sc],
        2 => [sc, 1.0, tc],
        3 => [sc, -1.0, -tc],
        4 => [sc, -tc, 1.0],
        _ => [-sc, -tc, -1.0],
    }
}

fn texture_cube_faces(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let s = CUBE_SIZE;
    let (tex, faces) = layered_texture(ctx, TextureTarget::Cube, (s, s, 6), 3, CUBE_SEED)?;
    let v = ctx.create_sampler_view(&tex, Format::R8G8B8A8_UNORM)?;
    let smp = sampler(ctx, TexFilter::Nearest, TexFilter::Nearest, MipFilter::None)?;
    let fs = fs_sample(Texture::Cube, ReturnType::Float, Fetch::Tex);
    const NAMES: [&str; 6] = ["+X", "-X", "+Y", "-Y", "+Z", "-Z"];
    for face in 0..6u32 {
        // Texel (x, y) of a face is at s = (x + 0.5) / 4, t = (y + 0.5) / 4.
        let corners = [(-1.0, -1.0), (1.0, -1.0), (-1.0, 1.0), (1.0, 1.0)].map(|(sc, tc)| {
            let [x, y, z] = cube_direction(face, sc, tc);
            [x, y, z, 1.0]
        });
        let got = sample(ctx, &fs, &v, &smp, (s, s), corners)?;
        if let Some(e) = compare(&got, &rgba8(&faces[face as usize]), s, &RGBA8_TOL) {
            return Ok(Outcome::fail(format!(
                "face {} ({face}): {e}",
                NAMES[face as usize]
            )));
        }
    }
    Ok(pass(
        ctx,
        "RGBA8 4x4 cube map (faces +X,-X,+Y written by transfer, -Y,+Z,-Z by RESOURCE_INLINE_WRITE), each face its own texels: \
         TEX CUBE along the GL cube-map table's direction for each texel centre samples every face, right way round, exactly (±0.5/255)",
    ))
}

// ---- swizzles ----

/// `rgba` seen through `swizzle`.
fn swizzled(rgba: [f64; 4], swizzle: [Swizzle; 4]) -> [f64; 4] {
    swizzle.map(|s| match s {
        Swizzle::X => rgba[0],
        Swizzle::Y => rgba[1],
        Swizzle::Z => rgba[2],
        Swizzle::W => rgba[3],
        Swizzle::Zero => 0.0,
        _ => 1.0,
    })
}

fn swizzle_name(swizzle: [Swizzle; 4]) -> String {
    swizzle
        .iter()
        .map(|s| match s {
            Swizzle::X => 'R',
            Swizzle::Y => 'G',
            Swizzle::Z => 'B',
            Swizzle::W => 'A',
            Swizzle::Zero => '0',
            _ => '1',
        })
        .collect()
}

fn view_swizzle(env: &mut Env<'_>) -> Result<Outcome> {
    use Swizzle::{One, Zero, W, X, Y, Z};
    let ctx = &mut env.ctx;
    let (w, h) = (FORMAT_W, FORMAT_H);
    let smp = sampler(ctx, TexFilter::Nearest, TexFilter::Nearest, MipFilter::None)?;
    // (format, view swizzle): BGR1 and 0001 on RGBA8, a rotation on BGRA8 (composed with the
    // format's own order), constants on an integer view (one must be the integer 1).
    let checks: [(Format, [Swizzle; 4]); 5] = [
        (Format::R8G8B8A8_UNORM, [Z, Y, X, One]),
        (Format::R8G8B8A8_UNORM, [Zero, Zero, Zero, One]),
        (Format::R8G8B8A8_UNORM, [W, X, W, Y]),
        (Format::B8G8R8A8_UNORM, [Y, Z, W, X]),
        (Format::R8G8B8A8_UINT, [One, Z, Zero, X]),
    ];
    let caps = ctx.caps().clone();
    let mut done = Vec::new();
    let mut skipped = Vec::new();
    for (i, (format, swz)) in checks.into_iter().enumerate() {
        let what = format!("{format} viewed {}", swizzle_name(swz));
        if let Some(why) = unchecked(&caps, format) {
            skipped.push(format!("{what} ({why})"));
            continue;
        }
        let tex =
            ctx.create_resource(&ResourceDesc::texture_2d(format, w, h, bind::SAMPLER_VIEW))?;
        let data = texel_data(format, w, h, SWIZZLE_SEED + i as u32);
        ctx.upload(&tex, Box3::new_2d(0, 0, w, h), &data)?;
        let v = view(
            ctx,
            &tex,
            format,
            TextureTarget::Texture2D,
            (0, 0),
            (0, 0),
            swz,
        )?;
        let fs = fs_sample(Texture::D2, return_type(format), Fetch::Tex);
        let got = sample(ctx, &fs, &v, &smp, (w, h), unit_square(0.0, 1.0))?;
        let want: Vec<[f64; 4]> = expected_image(format, &data, w, h)
            .into_iter()
            .map(|t| swizzled(t, swz))
            .collect();
        let tol = if return_type(format) == ReturnType::Float {
            RGBA8_TOL
        } else {
            [Some(EXACT); 4]
        };
        if let Some(d) = compare(&got, &want, w, &tol) {
            return Ok(Outcome::fail(format!("{what}: {d}")));
        }
        done.push(what);
    }
    let skip_note = if skipped.is_empty() {
        String::new()
    } else {
        format!("; not checked on this host: {}", skipped.join(", "))
    };
    Ok(pass(ctx, format!(
        "{w}x{h} pseudo-random texels sampled through sampler-view swizzles: {}; every channel the swizzled texel::decode \
         value (±0.5/255, integers exact){skip_note}",
        done.join(", ")
    )))
}

// ---- filtering ----

/// An RGBA8 texture and its texels' values, row by row.
struct Grid {
    tex: Resource,
    w: u32,
    h: u32,
    texels: Vec<[f64; 4]>,
}

impl Grid {
    /// Creates and uploads a `w` × `h` RGBA8 texture of `data`.
    fn new(ctx: &mut Context<DynTransport>, w: u32, h: u32, data: &[u8]) -> Result<Grid> {
        let tex = ctx.create_resource(&ResourceDesc::texture_2d(
            Format::R8G8B8A8_UNORM,
            w,
            h,
            bind::SAMPLER_VIEW,
        ))?;
        ctx.upload(&tex, Box3::new_2d(0, 0, w, h), data)?;
        Ok(Grid {
            tex,
            w,
            h,
            texels: rgba8(data),
        })
    }
}

/// What `filter` gives at (`s`, `t`) on `w` × `h` texels (row by row, clamp to edge): the
/// texel the point falls in, or the bilinear blend of the four nearest texel centres.
fn filter_2d(
    texels: &[[f64; 4]],
    (w, h): (u32, u32),
    (s, t): (f64, f64),
    filter: TexFilter,
) -> [f64; 4] {
    let (w, h) = (f64::from(w), f64::from(h));
    let at = |i: f64, j: f64| {
        let (i, j) = (i.clamp(0.0, w - 1.0), j.clamp(0.0, h - 1.0));
        texels[(j * w + i) as usize]
    };
    let (u, v) = (s * w, t * h);
    match filter {
        TexFilter::Nearest => at(u.floor(), v.floor()),
        TexFilter::Linear => {
            let (p, q) = (u - 0.5, v - 0.5);
            let (i, j) = (p.floor(), q.floor());
            let (a, b) = (p - i, q - j);
            let lerp = |x: [f64; 4], y: [f64; 4], k: f64| -> [f64; 4] {
                std::array::from_fn(|c| x[c] * (1.0 - k) + y[c] * k)
            };
            lerp(
                lerp(at(i, j), at(i + 1.0, j), a),
                lerp(at(i, j + 1.0), at(i + 1.0, j + 1.0), a),
                b,
            )
        }
    }
}

/// 8-bit filtering: a byte of the result and a byte of weight precision.
const FILTER_TOL: [Option<Tol>; 4] = [Some(Tol::Abs(2.0 / 255.0)); 4];

/// What a `rw` × `rh` target shows of `texels` (`w` × `h`) through `filter` when s runs
/// from `s0` to `s0 + 1` and t from 0 to 1 across it.
fn filtered_image(
    texels: &[[f64; 4]],
    (w, h): (u32, u32),
    (rw, rh): (u32, u32),
    s0: f32,
    filter: TexFilter,
) -> Vec<[f64; 4]> {
    let mut want = Vec::new();
    for y in 0..rh {
        for x in 0..rw {
            let s = f64::from(s0) + (f64::from(x) + 0.5) / f64::from(rw);
            let t = (f64::from(y) + 0.5) / f64::from(rh);
            want.push(filter_2d(texels, (w, h), (s, t), filter));
        }
    }
    want
}

/// Samples `grid` with `min` and `mag` filters over a `size` target (s from `s0` to
/// `s0 + 1`) and compares with `filtered_image` for `expect`.
fn check_filter(
    ctx: &mut Context<DynTransport>,
    grid: &Grid,
    (min, mag): (TexFilter, TexFilter),
    size: (u32, u32),
    s0: f32,
    expect: TexFilter,
) -> Result<Option<String>> {
    let v = ctx.create_sampler_view(&grid.tex, Format::R8G8B8A8_UNORM)?;
    let smp = sampler(ctx, min, mag, MipFilter::None)?;
    let fs = fs_sample(Texture::D2, ReturnType::Float, Fetch::Tex);
    let corners = [
        [s0, 0.0, 0.0, 1.0],
        [s0 + 1.0, 0.0, 0.0, 1.0],
        [s0, 1.0, 0.0, 1.0],
        [s0 + 1.0, 1.0, 0.0, 1.0],
    ];
    let got = sample(ctx, &fs, &v, &smp, size, corners)?;
    let want = filtered_image(&grid.texels, (grid.w, grid.h), size, s0, expect);
    Ok(compare(&got, &want, size.0, &FILTER_TOL))
}

/// The 2x2 texels of `filter_nearest_linear`: far apart in every channel, no two alike.
const FILTER_TEXELS: [u8; 16] = [
    16, 240, 64, 200, 232, 8, 192, 40, //
    120, 48, 248, 96, 72, 176, 0, 255,
];

/// Texels of the min/mag case: 8x2, so magnifying and minifying both stay inside one level.
const MINMAG_W: u32 = 8;
const MINMAG_H: u32 = 2;

fn filter_nearest_linear(env: &mut Env<'_>) -> Result<Outcome> {
    use TexFilter::{Linear, Nearest};
    let ctx = &mut env.ctx;
    // Magnified 4x: pixel centres fall at u, v = 0.25, 0.75, ... 1.75, so the bilinear
    // weights are multiples of 1/8 and no nearest sample sits on a texel edge.
    let grid = Grid::new(ctx, 2, 2, &FILTER_TEXELS)?;
    for filter in [Linear, Nearest] {
        if let Some(d) = check_filter(ctx, &grid, (filter, filter), (8, 8), 0.0, filter)? {
            return Ok(Outcome::fail(format!(
                "{filter:?} on a 2x2 texture magnified to 8x8: {d}"
            )));
        }
    }
    Ok(pass(
        ctx,
        "2x2 RGBA8 texels (16,240,64,200) (232,8,192,40) / (120,48,248,96) (72,176,0,255) magnified to 8x8: \
         LINEAR gives the bilinear blend of the nearest texel centres (weights k/8, clamped at the edges) and NEAREST \
         each texel on its own 4x4 block, both computed on the CPU (±2/255)",
    ))
}

fn filter_min_mag_select(env: &mut Env<'_>) -> Result<Outcome> {
    use TexFilter::{Linear, Nearest};
    let ctx = &mut env.ctx;
    let (w, h) = (MINMAG_W, MINMAG_H);
    let data = scene::pattern((w * h * 4) as usize, FILTER_SEED);
    let grid = Grid::new(ctx, w, h, &data)?;
    // Magnified (8x2 texels over 32x8 pixels, lod -2) the mag filter applies; minified (over
    // 2x2 pixels, lod 2, s shifted by 0.03 so no sample sits on a texel edge) the min filter.
    let runs = [
        (
            (Nearest, Linear),
            MAGNIFIED,
            0.0,
            Linear,
            "magnified, min NEAREST mag LINEAR",
        ),
        (
            (Linear, Nearest),
            MAGNIFIED,
            0.0,
            Nearest,
            "magnified, min LINEAR mag NEAREST",
        ),
        (
            (Nearest, Linear),
            MINIFIED,
            MINIFIED_S0,
            Nearest,
            "minified, min NEAREST mag LINEAR",
        ),
        (
            (Linear, Nearest),
            MINIFIED,
            MINIFIED_S0,
            Linear,
            "minified, min LINEAR mag NEAREST",
        ),
    ];
    let mut done = Vec::new();
    for (filters, size, s0, expect, what) in runs {
        if let Some(d) = check_filter(ctx, &grid, filters, size, s0, expect)? {
            return Ok(Outcome::fail(format!("{what}: expected {expect:?}: {d}")));
        }
        done.push(format!("{what} -> {expect:?}"));
    }
    Ok(pass(
        ctx,
        format!(
            "{w}x{h} RGBA8 pseudo-random texels: {}; values computed on the CPU (±2/255)",
            done.join(", ")
        ),
    ))
}

/// The min/mag case's targets: 4 pixels per texel, and 4 texels per pixel across.
const MAGNIFIED: (u32, u32) = (32, 8);
const MINIFIED: (u32, u32) = (2, 2);
const MINIFIED_S0: f32 = 0.03;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every listed format decodes to finite values from the data the case generates.
    #[test]
    fn generated_texels_decode_to_finite_values() {
        for family in FAMILIES {
            for (i, &f) in family.formats.iter().enumerate() {
                let data = texel_data(f, FORMAT_W, FORMAT_H, FORMAT_SEED + i as u32);
                assert_eq!(
                    data.len() as u64,
                    f.box_bytes(FORMAT_W, FORMAT_H, 1).unwrap(),
                    "{f}"
                );
                for t in expected_image(f, &data, FORMAT_W, FORMAT_H) {
                    assert!(t.iter().all(|v| v.is_finite()), "{f}: {t:?}");
                }
            }
        }
    }

    /// `v` converted to half float by truncation, as llvmpipe does (finite range).
    fn to_half(v: f64) -> f64 {
        let step = if v.abs() < 2f64.powi(-14) {
            2f64.powi(-24)
        } else {
            2f64.powi(v.abs().log2().floor() as i32 - 10)
        };
        (v / step).trunc() * step
    }

    /// Would `got` pass against `want` (f64 images; `got` goes through f32 as a host's would)?
    /// Read back through either probe, the verdict must be the same.
    fn passes(got: &[[f64; 4]], want: &[[f64; 4]], tol: &[Option<Tol>; 4]) -> bool {
        let through = |round: fn(f64) -> f64, rounding| Samples {
            px: got.iter().map(|p| p.map(|v| round(v) as f32)).collect(),
            rounding,
        };
        let f32_probe = compare(&through(|v| v, (0.0, 0.0)), want, 1, tol).is_none();
        let half_probe = compare(&through(to_half, (HALF_REL, HALF_ABS)), want, 1, tol).is_none();
        assert_eq!(
            f32_probe, half_probe,
            "the half-float probe judges differently"
        );
        f32_probe
    }

    /// The `w` × `h` image itself passes; mirrored, flipped, transposed (when square), or with
    /// any two compared channels swapped (or a compared channel replaced by 0 or 1), it fails.
    fn assert_sensitive(what: &str, want: &[[f64; 4]], (w, h): (u32, u32), tol: &[Option<Tol>; 4]) {
        let (w, h) = (w as usize, h as usize);
        assert_eq!(want.len(), w * h, "{what}");
        assert!(
            passes(want, want, tol),
            "{what}: the expected image fails itself"
        );
        let remap = |f: &dyn Fn(usize, usize) -> (usize, usize)| -> Vec<[f64; 4]> {
            (0..w * h)
                .map(|i| {
                    let (x, y) = f(i % w, i / w);
                    want[y * w + x]
                })
                .collect()
        };
        if w > 1 {
            let mirrored = remap(&|x, y| (w - 1 - x, y));
            assert!(
                !passes(&mirrored, want, tol),
                "{what}: a mirror in x passes"
            );
        }
        if h > 1 {
            let flipped = remap(&|x, y| (x, h - 1 - y));
            assert!(!passes(&flipped, want, tol), "{what}: a flip in y passes");
        }
        if w == h && w > 1 {
            let transposed = remap(&|x, y| (y, x));
            assert!(
                !passes(&transposed, want, tol),
                "{what}: a transpose passes"
            );
        }
        for a in 0..4 {
            if tol[a].is_none() {
                continue;
            }
            for b in 0..4 {
                if b == a {
                    continue;
                }
                let swapped: Vec<[f64; 4]> = want
                    .iter()
                    .map(|p| {
                        let mut q = *p;
                        q.swap(a, b);
                        q
                    })
                    .collect();
                // Swapping two constant channels of equal value changes nothing.
                let same = want.iter().all(|p| p[a] == p[b]);
                if !same {
                    assert!(
                        !passes(&swapped, want, tol),
                        "{what}: swapping {a} and {b} passes"
                    );
                }
            }
            for k in [0.0, 1.0] {
                if want.iter().all(|p| p[a] == k) {
                    continue;
                }
                let constant: Vec<[f64; 4]> = want
                    .iter()
                    .map(|p| {
                        let mut q = *p;
                        q[a] = k;
                        q
                    })
                    .collect();
                assert!(
                    !passes(&constant, want, tol),
                    "{what}: channel {a} = {k} passes"
                );
            }
        }
    }

    #[test]
    fn format_cases_catch_mirrors_flips_and_channel_swaps() {
        for family in FAMILIES {
            for (i, &f) in family.formats.iter().enumerate() {
                let data = texel_data(f, FORMAT_W, FORMAT_H, FORMAT_SEED + i as u32);
                let want = expected_image(f, &data, FORMAT_W, FORMAT_H);
                assert_sensitive(f.name(), &want, (FORMAT_W, FORMAT_H), &tolerances(f));
            }
        }
    }

    /// Where channel `i` of `f` as sampled comes from: the bits and type of its source
    /// channel, or the constant.
    fn source(f: Format, i: usize) -> Option<(ChannelType, u32, u32, u8)> {
        let ch = f.channels()?;
        Some(match ch.swizzle[i] {
            Source::Channel(n) => {
                let c = ch.list[n];
                (c.ty, c.bits, c.shift, u8::from(ch.srgb && i < 3))
            }
            Source::Zero => (ChannelType::Void, 0, 0, 0),
            Source::One => (ChannelType::Void, 1, 0, 0),
        })
    }

    /// Whether `b` defines every channel `a`'s check compares exactly as `a` does (`R16_UNORM`
    /// and `Z16_UNORM`, whose depth is sampled in red, or two depth formats that differ only
    /// in their stencil or padding): no sampling can tell them apart.
    fn same_definition(a: Format, b: Format) -> bool {
        tolerances(a)
            .iter()
            .enumerate()
            .all(|(i, t)| t.is_none() || (source(a, i).is_some() && source(a, i) == source(b, i)))
    }

    /// The bytes generated for one format, sampled as if they were another listed format of
    /// the same block size, fail the first format's check: a host cannot pass by creating a
    /// format as another one whose bytes round-trip, unless the two define every compared
    /// channel identically.
    #[test]
    fn format_cases_catch_a_same_sized_substitute() {
        let all: Vec<Format> = FAMILIES
            .iter()
            .flat_map(|f| f.formats.iter().copied())
            .chain([Format::B8G8R8A8_UNORM, Format::R8G8B8A8_UNORM])
            .collect();
        for family in FAMILIES {
            for (i, &f) in family.formats.iter().enumerate() {
                let data = texel_data(f, FORMAT_W, FORMAT_H, FORMAT_SEED + i as u32);
                let want = expected_image(f, &data, FORMAT_W, FORMAT_H);
                for &other in &all {
                    if other == f || other.block() != f.block() {
                        continue;
                    }
                    if same_definition(f, other) {
                        continue;
                    }
                    let as_other = expected_image(other, &data, FORMAT_W, FORMAT_H);
                    assert!(
                        !passes(&as_other, &want, &tolerances(f)),
                        "{f} created as {other} would pass"
                    );
                }
            }
        }
    }

    #[test]
    fn r16g16_as_bgra8_fails() {
        let f = Format::R16G16_UNORM;
        let i = UNORM.formats.iter().position(|x| *x == f).unwrap();
        let data = texel_data(f, FORMAT_W, FORMAT_H, FORMAT_SEED + i as u32);
        let want = expected_image(f, &data, FORMAT_W, FORMAT_H);
        let bgra = expected_image(Format::B8G8R8A8_UNORM, &data, FORMAT_W, FORMAT_H);
        assert!(!passes(&bgra, &want, &tolerances(f)));
    }

    /// The RGBA8 images of the mip, array, 3D and cube cases: each one catches mirrors, flips
    /// and channel swaps, and no two of a texture's levels or layers pass for one another.
    #[test]
    fn rgba8_cases_catch_mirrors_swaps_and_wrong_layers() {
        let sets = [
            (
                "mip level",
                (0..MIP_LEVELS)
                    .map(|l| (MIP_SIZE >> l, MIP_SIZE >> l))
                    .collect(),
                MIP_SEED,
            ),
            (
                "array layer",
                vec![(ARRAY_W, ARRAY_H); ARRAY_LAYERS as usize],
                ARRAY_SEED,
            ),
            (
                "range layer",
                vec![(ARRAY_W, ARRAY_H); ARRAY_LAYERS as usize],
                LAYER_RANGE_SEED,
            ),
            (
                "3D slice",
                vec![(ARRAY_W, ARRAY_H); SLICES as usize],
                SLICE_SEED,
            ),
            ("cube face", vec![(CUBE_SIZE, CUBE_SIZE); 6], CUBE_SEED),
        ];
        for (what, sizes, seed) in sets {
            let images: Vec<Vec<[f64; 4]>> = sizes
                .iter()
                .enumerate()
                .map(|(i, (w, h))| rgba8(&scene::pattern((w * h * 4) as usize, seed + i as u32)))
                .collect();
            for (i, img) in images.iter().enumerate() {
                assert_sensitive(&format!("{what} {i}"), img, sizes[i], &RGBA8_TOL);
                for (j, other) in images.iter().enumerate() {
                    if j != i && other.len() == img.len() {
                        assert!(!passes(other, img, &RGBA8_TOL), "{what} {j} passes for {i}");
                    }
                }
            }
        }
    }

    #[test]
    fn bilinear_weights() {
        let texels = [
            [0.0, 1.0, 0.0, 0.0],
            [1.0, 0.0, 0.5, 0.0],
            [0.0, 0.0, 1.0, 1.0],
            [1.0, 1.0, 1.0, 1.0],
        ];
        let at = |s, t| filter_2d(&texels, (2, 2), (s, t), TexFilter::Linear);
        assert_eq!(at(0.0625, 0.0625), texels[0]);
        assert_eq!(at(0.9375, 0.9375), texels[3]);
        // u = 0.625, v = 0.25 (clamped): 7/8 of texel 0 and 1/8 of texel 1 along row 0.
        assert_eq!(at(0.3125, 0.125), [0.125, 0.875, 0.0625, 0.0]);
        let nearest = |s, t| filter_2d(&texels, (2, 2), (s, t), TexFilter::Nearest);
        assert_eq!(nearest(0.49, 0.51), texels[2]);
        assert_eq!(nearest(0.51, 0.49), texels[1]);
    }

    /// The filter cases' expected images catch mirrors, flips and channel swaps, and the
    /// filters' results differ from each other where the cases tell them apart.
    #[test]
    fn filter_cases_catch_mirrors_swaps_and_the_wrong_filter() {
        use TexFilter::{Linear, Nearest};
        let two = rgba8(&FILTER_TEXELS);
        let minmag = rgba8(&scene::pattern(
            (MINMAG_W * MINMAG_H * 4) as usize,
            FILTER_SEED,
        ));
        let runs = [
            (&two, (2, 2), (8, 8), 0.0),
            (&minmag, (MINMAG_W, MINMAG_H), MAGNIFIED, 0.0),
            (&minmag, (MINMAG_W, MINMAG_H), MINIFIED, MINIFIED_S0),
        ];
        for (texels, dims, size, s0) in runs {
            let linear = filtered_image(texels, dims, size, s0, Linear);
            let nearest = filtered_image(texels, dims, size, s0, Nearest);
            for (name, img) in [("linear", &linear), ("nearest", &nearest)] {
                assert_sensitive(
                    &format!("{name} {dims:?} over {size:?}"),
                    img,
                    size,
                    &FILTER_TOL,
                );
            }
            assert!(
                !passes(&linear, &nearest, &FILTER_TOL),
                "{dims:?} over {size:?}"
            );
            assert!(
                !passes(&nearest, &linear, &FILTER_TOL),
                "{dims:?} over {size:?}"
            );
        }
    }

    #[test]
    fn cube_directions_land_on_their_face() {
        for face in 0..6 {
            let d = cube_direction(face, 0.5, -0.25);
            let major = (0..3)
                .max_by(|a, b| d[*a].abs().total_cmp(&d[*b].abs()))
                .unwrap();
            assert_eq!(major as u32, face / 2, "face {face}: {d:?}");
            assert_eq!(d[major] > 0.0, face % 2 == 0, "face {face}: {d:?}");
        }
    }

    #[test]
    fn shaders_parse_back() {
        for (t, r, f) in [
            (Texture::D2, ReturnType::Float, Fetch::Tex),
            (Texture::D2, ReturnType::Uint, Fetch::Tex),
            (Texture::D2, ReturnType::Sint, Fetch::Tex),
            (Texture::D2, ReturnType::Float, Fetch::Txl),
            (Texture::Array2d, ReturnType::Float, Fetch::Tex),
            (Texture::Cube, ReturnType::Float, Fetch::Tex),
        ] {
            let s = fs_sample(t, r, f);
            assert_eq!(tgsi::parse(&s.to_string()).unwrap(), s);
        }
        let text = fs_sample(Texture::D2, ReturnType::Uint, Fetch::Tex).to_string();
        assert!(text.contains("DCL SVIEW[0], 2D, UINT"), "{text}");
        assert!(text.contains("U2F OUT[0], TEMP[0]"), "{text}");
    }

    #[test]
    fn every_listed_format_has_tolerances() {
        for family in FAMILIES {
            for &f in family.formats {
                let t = tolerances(f);
                assert!(t[0].is_some(), "{f}");
                assert!(!describe_tolerances(f).is_empty());
            }
        }
        assert_eq!(tolerances(Format::Z24_UNORM_S8_UINT)[1], None);
        assert_eq!(return_type(Format::R8G8B8A8_SINT), ReturnType::Sint);
        assert_eq!(return_type(Format::R10G10B10A2_UINT), ReturnType::Uint);
        assert_eq!(return_type(Format::S8_UINT_Z24_UNORM), ReturnType::Float);
    }
}
