//! What the bytes of a texel mean: each format's channels and how they map to RGBA.
//!
//! Gallium names a plain format by its channels from the least significant bit up, each with
//! its width, then the type: `B5G6R5_UNORM` keeps blue in bits 0-4, `R8G8B8A8_UNORM` keeps red
//! in byte 0 (on a little-endian machine an array of bytes and a packed word agree), and
//! `Z24_UNORM_S8_UINT` has depth in bits 0-23. Mesa's `u_format.csv` lists the same facts
//! format by format; here they are derived from the name, so the table cannot drift from the
//! format list, and tests pin the derivation against the csv for every naming shape.
//!
//! [`Format::channels`] describes a plain format; [`Format::decode`] turns one block of bytes
//! into RGBA values the way a shader sampling the format sees them (depth in red, stencil in
//! green for depth/stencil formats). Guests use it to predict what a correct host returns,
//! and hosts to convert formats their GL lacks.

use crate::format::Format;

/// How a channel's bits are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelType {
    /// Padding (`X`): present in memory, never read.
    Void,
    /// Unsigned normalized: `v / (2^bits - 1)`.
    Unorm,
    /// Signed normalized: `max(v / (2^(bits-1) - 1), -1)`.
    Snorm,
    /// Unsigned integer, read as is.
    Uint,
    /// Signed integer, read as is.
    Sint,
    /// Unsigned integer converted to float (`USCALED`).
    Uscaled,
    /// Signed integer converted to float (`SSCALED`).
    Sscaled,
    /// IEEE float of 16, 32 or 64 bits, or the unsigned 11- and 10-bit floats.
    Float,
    /// Signed 16.16 fixed point.
    Fixed,
}

/// One channel of a plain format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Channel {
    /// The letter in the format's name (`R`, `G`, `B`, `A`, `L`, `I`, `Z`, `S`, `X`).
    pub name: char,
    pub ty: ChannelType,
    pub bits: u32,
    /// The channel's lowest bit within the block.
    pub shift: u32,
}

/// Where one RGBA output component comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Channel `n` of [`Channels::list`].
    Channel(usize),
    Zero,
    One,
}

/// The channels of a plain format and how they reach RGBA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channels {
    /// From the least significant bit up.
    pub list: Vec<Channel>,
    /// Red, green, blue and alpha as sampled.
    pub swizzle: [Source; 4],
    /// RGB channels are sRGB-encoded (alpha never is).
    pub srgb: bool,
    /// A depth and/or stencil format: red is depth, green stencil.
    pub depth_stencil: bool,
}

impl Channels {
    /// Whether sampled values are integers (pure `UINT`/`SINT` formats).
    pub fn is_integer(&self) -> bool {
        self.swizzle.iter().any(|s| match s {
            Source::Channel(i) => {
                matches!(self.list[*i].ty, ChannelType::Uint | ChannelType::Sint)
            }
            _ => false,
        })
    }
}

fn type_of(word: &str) -> Option<(ChannelType, bool)> {
    Some(match word {
        "UNORM" => (ChannelType::Unorm, false),
        "SRGB" => (ChannelType::Unorm, true),
        "SNORM" => (ChannelType::Snorm, false),
        "UINT" => (ChannelType::Uint, false),
        "SINT" => (ChannelType::Sint, false),
        "USCALED" => (ChannelType::Uscaled, false),
        "SSCALED" => (ChannelType::Sscaled, false),
        "FLOAT" => (ChannelType::Float, false),
        "FIXED" => (ChannelType::Fixed, false),
        _ => return None,
    })
}

/// Splits `R8G8B8A8` into `[('R', 8), ...]`; `None` unless the whole word is letter-number pairs.
fn letters(word: &str) -> Option<Vec<(char, u32)>> {
    let mut out = Vec::new();
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        if !"RGBALIZSX".contains(c) {
            return None;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        out.push((c, digits.parse().ok()?));
    }
    (!out.is_empty()).then_some(out)
}

impl Format {
    /// The channels of a plain format, derived from its name; `None` for compressed,
    /// subsampled, planar and other formats without per-texel channels (and for the shared
    /// exponent `R9G9B9E5_FLOAT`).
    pub fn channels(self) -> Option<Channels> {
        let name = self.name();
        // Groups of letters, each followed by its type: `Z24_UNORM_S8_UINT` is two groups.
        let mut groups: Vec<(Vec<(char, u32)>, ChannelType)> = Vec::new();
        let mut srgb = false;
        let mut words = name.split('_').peekable();
        while let Some(w) = words.next() {
            let chans = letters(w)?;
            let (ty, s) = match words.peek().and_then(|t| type_of(t)) {
                Some(t) => {
                    words.next();
                    t
                }
                // Padding needs no type (`X32_S8X24_UINT`); any other group without one
                // (`_AS_R8G8B8A8`, `_PACKED`) means this is not a plain format's name.
                None if chans.iter().all(|(c, _)| *c == 'X') => (ChannelType::Void, false),
                None => return None,
            };
            srgb |= s;
            groups.push((chans, ty));
        }
        let mut list = Vec::new();
        let mut shift = 0;
        for (chans, ty) in &groups {
            for &(name, bits) in chans {
                let ty = if name == 'X' { ChannelType::Void } else { *ty };
                list.push(Channel {
                    name,
                    ty,
                    bits,
                    shift,
                });
                shift += bits;
            }
        }
        let block = self.block()?;
        if shift != block.bytes * 8 || block.width != 1 || block.height != 1 {
            return None;
        }
        // Float channels narrower than 16 bits exist only in R11G11B10_FLOAT.
        let small_float = list
            .iter()
            .any(|c| c.ty == ChannelType::Float && c.bits < 16);
        if small_float && name != "R11G11B10_FLOAT" {
            return None;
        }
        let find = |c: char| list.iter().position(|ch| ch.name == c).map(Source::Channel);
        let depth_stencil = list.iter().any(|c| c.name == 'Z' || c.name == 'S');
        let swizzle = if depth_stencil {
            [
                find('Z').unwrap_or(Source::Zero),
                find('S').unwrap_or(Source::Zero),
                Source::Zero,
                Source::One,
            ]
        } else if let Some(l) = find('L') {
            [l, l, l, find('A').unwrap_or(Source::One)]
        } else if let Some(i) = find('I') {
            [i, i, i, i]
        } else {
            [
                find('R').unwrap_or(Source::Zero),
                find('G').unwrap_or(Source::Zero),
                find('B').unwrap_or(Source::Zero),
                find('A').unwrap_or(Source::One),
            ]
        };
        Some(Channels {
            list,
            swizzle,
            srgb,
            depth_stencil,
        })
    }

    /// The RGBA a shader samples from one block of this format (`bytes` holds at least one
    /// block), or `None` for formats [`channels`](Self::channels) does not describe and that
    /// have no block decoder here. Compressed DXT1 and RGTC1 blocks give the texel at
    /// (`x`, `y`) within the block; plain formats ignore them.
    pub fn decode(self, bytes: &[u8], x: u32, y: u32) -> Option<[f64; 4]> {
        match self {
            Format::DXT1_RGB | Format::DXT1_RGBA => return dxt1(bytes, x, y, self),
            Format::RGTC1_UNORM | Format::RGTC1_SNORM => {
                let r = rgtc1(bytes, x, y, self == Format::RGTC1_SNORM)?;
                return Some([r, 0.0, 0.0, 1.0]);
            }
            _ => {}
        }
        let ch = self.channels()?;
        let block = self.block()?;
        // Blocks up to 128 bits (R32G32B32A32); the 64-bit-channel formats are wider.
        let raw = bytes
            .get(..block.bytes as usize)
            .filter(|r| r.len() <= 16)?;
        let mut word = [0u8; 16];
        word[..raw.len()].copy_from_slice(raw);
        let word = u128::from_le_bytes(word);
        let value = |c: &Channel| -> f64 {
            let mask = if c.bits >= 128 {
                u128::MAX
            } else {
                (1u128 << c.bits) - 1
            };
            let v = (word >> c.shift) & mask;
            let signed = || {
                let sign = 1u128 << (c.bits - 1);
                if v & sign != 0 {
                    v as f64 - (1u128 << c.bits) as f64
                } else {
                    v as f64
                }
            };
            let max = |bits: u32| ((1u128 << bits) - 1) as f64;
            match c.ty {
                ChannelType::Void => 0.0,
                ChannelType::Unorm => v as f64 / max(c.bits),
                ChannelType::Snorm => (signed() / max(c.bits - 1)).max(-1.0),
                ChannelType::Uint | ChannelType::Uscaled => v as f64,
                ChannelType::Sint | ChannelType::Sscaled => signed(),
                ChannelType::Fixed => signed() / 65536.0,
                ChannelType::Float => match c.bits {
                    16 => half(v as u16),
                    32 => f64::from(f32::from_bits(v as u32)),
                    64 => f64::from_bits(v as u64),
                    11 => small_float(v as u32, 6),
                    10 => small_float(v as u32, 5),
                    _ => f64::NAN,
                },
            }
        };
        let mut out = [0.0; 4];
        for (i, src) in ch.swizzle.iter().enumerate() {
            out[i] = match *src {
                Source::Zero => 0.0,
                Source::One => 1.0,
                Source::Channel(n) => {
                    let v = value(&ch.list[n]);
                    if ch.srgb && i < 3 {
                        srgb_to_linear(v)
                    } else {
                        v
                    }
                }
            };
        }
        Some(out)
    }
}

/// IEEE half to double.
pub fn half(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((bits >> 10) & 0x1f);
    let mant = f64::from(bits & 0x3ff);
    sign * match exp {
        0 => mant * 2f64.powi(-24),
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + mant / 1024.0) * 2f64.powi(e - 15),
    }
}

/// The unsigned floats of R11G11B10_FLOAT: 5 exponent bits (bias 15), `mant_bits` mantissa.
fn small_float(bits: u32, mant_bits: u32) -> f64 {
    let exp = (bits >> mant_bits) as i32;
    let mant = f64::from(bits & ((1 << mant_bits) - 1));
    let scale = f64::from(1u32 << mant_bits);
    match exp {
        0 => mant / scale * 2f64.powi(-14),
        31 if mant == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        e => (1.0 + mant / scale) * 2f64.powi(e - 15),
    }
}

/// The sRGB transfer function, decoded.
pub fn srgb_to_linear(v: f64) -> f64 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

/// A DXT1 (BC1) block: two RGB565 endpoints and 2-bit indices, row by row.
fn dxt1(b: &[u8], x: u32, y: u32, format: Format) -> Option<[f64; 4]> {
    let b = b.get(..8)?;
    let c0 = u16::from_le_bytes([b[0], b[1]]);
    let c1 = u16::from_le_bytes([b[2], b[3]]);
    let rgb = |c: u16| {
        [
            f64::from(c >> 11) / 31.0,
            f64::from((c >> 5) & 63) / 63.0,
            f64::from(c & 31) / 31.0,
        ]
    };
    let (e0, e1) = (rgb(c0), rgb(c1));
    let mix = |a: f64, b: f64, wa: f64, wb: f64| (a * wa + b * wb) / (wa + wb);
    let index = (u32::from_le_bytes([b[4], b[5], b[6], b[7]]) >> (2 * (4 * y + x))) & 3;
    let opaque = c0 > c1;
    let (c, a) = match (index, opaque) {
        (0, _) => (e0, 1.0),
        (1, _) => (e1, 1.0),
        (2, true) => ([0, 1, 2].map(|i| mix(e0[i], e1[i], 2.0, 1.0)), 1.0),
        (3, true) => ([0, 1, 2].map(|i| mix(e0[i], e1[i], 1.0, 2.0)), 1.0),
        (2, false) => ([0, 1, 2].map(|i| mix(e0[i], e1[i], 1.0, 1.0)), 1.0),
        _ => (
            [0.0; 3],
            if format == Format::DXT1_RGBA {
                0.0
            } else {
                1.0
            },
        ),
    };
    Some([c[0], c[1], c[2], a])
}

/// An RGTC1 (BC4) block: two 8-bit endpoints and 3-bit indices, row by row.
fn rgtc1(b: &[u8], x: u32, y: u32, signed: bool) -> Option<f64> {
    let b = b.get(..8)?;
    let (r0, r1) = if signed {
        let n = |v: u8| (f64::from(v as i8) / 127.0).max(-1.0);
        (n(b[0]), n(b[1]))
    } else {
        (f64::from(b[0]) / 255.0, f64::from(b[1]) / 255.0)
    };
    let mut bits = [0u8; 8];
    bits[..6].copy_from_slice(&b[2..8]);
    let index = (u64::from_le_bytes(bits) >> (3 * (4 * y + x))) & 7;
    let eight = if signed {
        b[0] as i8 > b[1] as i8
    } else {
        b[0] > b[1]
    };
    let lerp = |i: f64, n: f64| (r0 * (n - i) + r1 * i) / n;
    Some(match (index, eight) {
        (0, _) => r0,
        (1, _) => r1,
        (i, true) => lerp((i - 1) as f64, 7.0),
        (6, false) => {
            if signed {
                -1.0
            } else {
                0.0
            }
        }
        (7, false) => 1.0,
        (i, false) => lerp((i - 1) as f64, 5.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// (letter, type, bits, shift) of each channel and the swizzle as u_format.csv writes it
    /// (x/y/z/w for channels 0-3, 0, 1, `_` for none).
    fn shape(f: Format) -> (Vec<(char, ChannelType, u32, u32)>, String) {
        let c = f.channels().unwrap_or_else(|| panic!("{f} has channels"));
        let list = c
            .list
            .iter()
            .map(|c| (c.name, c.ty, c.bits, c.shift))
            .collect();
        let swz = c
            .swizzle
            .iter()
            .map(|s| match s {
                Source::Channel(i) => b"xyzw"[*i] as char,
                Source::Zero => '0',
                Source::One => '1',
            })
            .collect();
        (list, swz)
    }

    use ChannelType::*;

    // Each row: u_format.csv's line for the format (channel order from bit 0, swizzle).
    #[rstest]
    #[case(Format::B8G8R8A8_UNORM, &[('B', Unorm, 8, 0), ('G', Unorm, 8, 8), ('R', Unorm, 8, 16), ('A', Unorm, 8, 24)], "zyxw")]
    #[case(Format::A8R8G8B8_UNORM, &[('A', Unorm, 8, 0), ('R', Unorm, 8, 8), ('G', Unorm, 8, 16), ('B', Unorm, 8, 24)], "yzwx")]
    #[case(Format::B8G8R8X8_UNORM, &[('B', Unorm, 8, 0), ('G', Unorm, 8, 8), ('R', Unorm, 8, 16), ('X', Void, 8, 24)], "zyx1")]
    #[case(Format::B5G6R5_UNORM, &[('B', Unorm, 5, 0), ('G', Unorm, 6, 5), ('R', Unorm, 5, 11)], "zyx1")]
    #[case(Format::R10G10B10A2_UNORM, &[('R', Unorm, 10, 0), ('G', Unorm, 10, 10), ('B', Unorm, 10, 20), ('A', Unorm, 2, 30)], "xyzw")]
    #[case(Format::L8A8_UNORM, &[('L', Unorm, 8, 0), ('A', Unorm, 8, 8)], "xxxy")]
    #[case(Format::A8_UNORM, &[('A', Unorm, 8, 0)], "000x")]
    #[case(Format::I16_FLOAT, &[('I', Float, 16, 0)], "xxxx")]
    #[case(Format::R8G8_SNORM, &[('R', Snorm, 8, 0), ('G', Snorm, 8, 8)], "xy01")]
    #[case(Format::Z24_UNORM_S8_UINT, &[('Z', Unorm, 24, 0), ('S', Uint, 8, 24)], "xy01")]
    #[case(Format::X8Z24_UNORM, &[('X', Void, 8, 0), ('Z', Unorm, 24, 8)], "y001")]
    #[case(Format::S8_UINT, &[('S', Uint, 8, 0)], "0x01")]
    #[case(Format::Z32_FLOAT_S8X24_UINT, &[('Z', Float, 32, 0), ('S', Uint, 8, 32), ('X', Void, 24, 40)], "xy01")]
    #[case(Format::X32_S8X24_UINT, &[('X', Void, 32, 0), ('S', Uint, 8, 32), ('X', Void, 24, 40)], "0y01")]
    #[case(Format::R11G11B10_FLOAT, &[('R', Float, 11, 0), ('G', Float, 11, 11), ('B', Float, 10, 22)], "xyz1")]
    #[case(Format::R32G32B32A32_SINT, &[('R', Sint, 32, 0), ('G', Sint, 32, 32), ('B', Sint, 32, 64), ('A', Sint, 32, 96)], "xyzw")]
    fn channels_match_u_format_csv(
        #[case] f: Format,
        #[case] list: &[(char, ChannelType, u32, u32)],
        #[case] swizzle: &str,
    ) {
        // Depth/stencil formats sample depth in red and stencil in green (csv: `xy__`, `_x__`).
        assert_eq!(shape(f), (list.to_vec(), swizzle.to_string()));
    }

    #[test]
    fn non_plain_formats_have_no_channels() {
        for f in [
            Format::DXT1_RGB,
            Format::ETC2_RGB8,
            Format::R9G9B9E5_FLOAT,
            Format::Z24_UNORM_S8_UINT_AS_R8G8B8A8,
            Format::NONE,
        ] {
            assert_eq!(f.channels(), None, "{f}");
        }
    }

    #[test]
    fn every_described_format_fills_its_block_exactly() {
        let mut described = 0;
        for &f in Format::ALL {
            if let Some(c) = f.channels() {
                described += 1;
                let bits: u32 = c.list.iter().map(|c| c.bits).sum();
                assert_eq!(bits, f.block().unwrap().bytes * 8, "{f}");
            }
        }
        assert!(described > 150, "only {described} formats described");
    }

    #[rstest]
    #[case(Format::R8G8B8A8_UNORM, &[0xff, 0x00, 0x33, 0x80], [1.0, 0.0, 0.2, 128.0 / 255.0])]
    #[case(Format::B8G8R8A8_UNORM, &[0xff, 0x00, 0x33, 0x80], [0.2, 0.0, 1.0, 128.0 / 255.0])]
    #[case(Format::B5G6R5_UNORM, &[0x1f, 0xf8], [1.0, 0.0, 1.0, 1.0])]
    #[case(Format::R8G8_SNORM, &[0x81, 0x80], [-1.0, -1.0, 0.0, 1.0])]
    #[case(Format::R16_FLOAT, &[0x00, 0x3c], [1.0, 0.0, 0.0, 1.0])]
    #[case(Format::R16_FLOAT, &[0x00, 0xc1], [-2.5, 0.0, 0.0, 1.0])]
    #[case(Format::R32_FLOAT, &0.375f32.to_le_bytes(), [0.375, 0.0, 0.0, 1.0])]
    #[case(Format::R16G16_SINT, &[0xfe, 0xff, 0x07, 0x00], [-2.0, 7.0, 0.0, 1.0])]
    #[case(Format::L8A8_UNORM, &[0x00, 0xff], [0.0, 0.0, 0.0, 1.0])]
    #[case(Format::R10G10B10A2_UNORM, &0xc000_03ffu32.to_le_bytes(), [1.0, 0.0, 0.0, 1.0])]
    #[case(Format::Z24_UNORM_S8_UINT, &0x2aff_ffffu32.to_le_bytes(), [1.0, 42.0, 0.0, 1.0])]
    #[case(Format::R11G11B10_FLOAT, &(0x3c0u32 | (0x3c0 << 11) | (0x1e0 << 22)).to_le_bytes(), [1.0, 1.0, 1.0, 1.0])]
    fn texels_decode_to_their_values(
        #[case] f: Format,
        #[case] bytes: &[u8],
        #[case] want: [f64; 4],
    ) {
        let got = f.decode(bytes, 0, 0).unwrap();
        for i in 0..4 {
            assert!((got[i] - want[i]).abs() < 1e-9, "{f}: {got:?} vs {want:?}");
        }
    }

    #[test]
    fn srgb_decodes_colour_but_not_alpha() {
        let got = Format::R8G8B8A8_SRGB
            .decode(&[0xbc, 0x00, 0xff, 0xbc], 0, 0)
            .unwrap();
        assert!((got[0] - 0.5029).abs() < 1e-3, "{got:?}");
        assert_eq!((got[1], got[2]), (0.0, 1.0));
        assert!((got[3] - 188.0 / 255.0).abs() < 1e-9);
    }

    #[test]
    fn dxt1_blocks_interpolate_between_endpoints() {
        // Endpoints red (0xf800) and blue (0x001f), c0 > c1: four opaque colours. Row 0 uses
        // indices 0, 1, 2, 3.
        let block = [0x00, 0xf8, 0x1f, 0x00, 0b1110_0100, 0, 0, 0];
        let f = Format::DXT1_RGB;
        assert_eq!(f.decode(&block, 0, 0), Some([1.0, 0.0, 0.0, 1.0]));
        assert_eq!(f.decode(&block, 1, 0), Some([0.0, 0.0, 1.0, 1.0]));
        let third = f.decode(&block, 3, 0).unwrap();
        assert!((third[0] - 1.0 / 3.0).abs() < 1e-9 && (third[2] - 2.0 / 3.0).abs() < 1e-9);
        // Row 1 is all index 0.
        assert_eq!(f.decode(&block, 2, 1), Some([1.0, 0.0, 0.0, 1.0]));
        // c0 <= c1: index 3 is transparent black in DXT1_RGBA.
        let punch = [0x1f, 0x00, 0x00, 0xf8, 0b11, 0, 0, 0];
        assert_eq!(
            Format::DXT1_RGBA.decode(&punch, 0, 0),
            Some([0.0, 0.0, 0.0, 0.0])
        );
    }

    #[test]
    fn rgtc1_blocks_use_eight_or_six_steps() {
        // 255 > 0: eight steps; index 2 is 6/7 of the way from r0 to r1... (r0*6 + r1*1)/7.
        let block = [255, 0, 0b010_001_000, 0, 0, 0, 0, 0];
        let f = Format::RGTC1_UNORM;
        assert_eq!(f.decode(&block, 0, 0).unwrap()[0], 1.0);
        assert_eq!(f.decode(&block, 1, 0).unwrap()[0], 0.0);
        assert!((f.decode(&block, 2, 0).unwrap()[0] - 6.0 / 7.0).abs() < 1e-9);
        // 0 <= 255: six steps; index 6 is 0, index 1 is r1.
        let six = [0, 255, 0b0111_0110, 0, 0, 0, 0, 0];
        assert_eq!(f.decode(&six, 0, 0).unwrap()[0], 0.0);
        assert_eq!(f.decode(&six, 1, 0).unwrap()[0], 0.0);
        assert_eq!(f.decode(&six, 2, 0).unwrap()[0], 1.0);
    }
}
