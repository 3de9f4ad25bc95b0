//! Live-context checks of the format table: what the probe says works, works byte for byte.

use super::*;
use crate::gl::egl_test_lock;
use crate::gl::platform::{Api, EglDisplay};

/// A GL 4.5 core context (dropped before its display), or `None` where EGL is absent.
struct Context {
    gl: Gl,
    _display: EglDisplay,
    _lock: std::sync::MutexGuard<'static, ()>,
}

fn context() -> Option<Context> {
    let lock = egl_test_lock();
    match EglDisplay::open() {
        Ok(display) => Some(Context {
            gl: Gl::new(&display, Api::GlCore { major: 4, minor: 5 }).unwrap(),
            _display: display,
            _lock: lock,
        }),
        Err(e) => {
            eprintln!("skip: no surfaceless EGL display here: {e}");
            None
        }
    }
}

/// Every mapped format with what the probe found.
fn probed(gl: &Gl) -> Vec<(Format, FormatSupport)> {
    format::gl_formats()
        .map(|(f, _)| (f, gl.probe_format(f).unwrap()))
        .collect()
}

/// `v` in an unsigned float of `mant` mantissa bits and a 5-bit exponent (half, and the 11-
/// and 10-bit floats); `v` is 0 or a normal number.
fn small_float(v: f64, mant: u32) -> u128 {
    if v == 0.0 {
        return 0;
    }
    let e = v.log2().floor();
    let m = v / e.exp2() - 1.0;
    ((e as i64 + 15) as u128) << mant | (m * f64::from(1u32 << mant)) as u128
}

/// One texel of `format` holding `color` (integers for integer formats), depth and stencil,
/// as GL's conversions round them; padding bits are zero.
fn encode(format: Format, color: [f64; 4], depth: f64, stencil: u32) -> Vec<u8> {
    let channels = format.channels().unwrap();
    let mut texel = vec![0u8; format.block().unwrap().bytes as usize];
    for c in &channels.list {
        let v = match c.name {
            'R' | 'L' | 'I' => color[0],
            'G' => color[1],
            'B' => color[2],
            'A' => color[3],
            'Z' => depth,
            'S' => f64::from(stencil),
            _ => continue,
        };
        let max = |bits: u32| ((1u128 << bits) - 1) as f64;
        let bits = match (c.ty, c.bits) {
            (ChannelType::Void, _) => continue,
            (ChannelType::Unorm, b) => (v * max(b)).round() as u128,
            (ChannelType::Snorm, b) => ((v * max(b - 1)).round() as i128) as u128,
            (ChannelType::Uint, _) => v as u128,
            (ChannelType::Sint, _) => (v as i128) as u128,
            (ChannelType::Float, 16) => small_float(v, 10),
            (ChannelType::Float, 11) => small_float(v, 6),
            (ChannelType::Float, 10) => small_float(v, 5),
            (ChannelType::Float, 32) => u128::from((v as f32).to_bits()),
            (ChannelType::Float, 64) => u128::from(v.to_bits()),
            other => panic!("{format}: no encoding for {other:?}"),
        };
        write_bits(&mut texel, c.shift, c.bits, bits & ((1u128 << c.bits) - 1));
    }
    texel
}

/// Channel values distinct enough that any swap of channels or bytes shows, and exact in
/// every format's rounding (no value falls half-way between two steps).
const COLOR: [f64; 4] = [1.0, 0.25, 0.0, 0.75];
const UINT: [f64; 4] = [3.0, 2.0, 0.0, 1.0];
const SINT: [f64; 4] = [-2.0, 1.0, 0.0, -1.0];

#[test]
fn the_probe_finds_what_gl_4_5_requires() {
    let Some(ctx) = context() else { return };
    let gl = &ctx.gl;
    let support: std::collections::HashMap<_, _> = probed(gl).into_iter().collect();
    let all = FormatSupport {
        sampler: true,
        render: true,
        depth_stencil: false,
        readback: true,
        multisample: true,
    };
    // GL 4.5 §8.5.1 table 8.12: required colour-renderable formats.
    for f in [
        Format::R8G8B8A8_UNORM,
        Format::B8G8R8A8_UNORM,
        Format::R16G16B16A16_FLOAT,
        Format::R32G32B32A32_UINT,
        Format::R8_SINT,
        Format::R10G10B10A2_UNORM,
    ] {
        assert_eq!(support[&f], all, "{f}");
    }
    for f in [
        Format::S8_UINT_Z24_UNORM,
        Format::Z32_FLOAT,
        Format::Z16_UNORM,
    ] {
        let ds = FormatSupport {
            render: false,
            depth_stencil: true,
            ..all
        };
        assert_eq!(support[&f], ds, "{f}");
    }
    // Alpha kept in red is sampled but not a render target.
    assert!(support[&Format::A8_UNORM].sampler && !support[&Format::A8_UNORM].render);
    // Compressed formats are sampled only.
    let rgtc = support[&Format::RGTC1_UNORM];
    assert!(rgtc.sampler && !rgtc.render && !rgtc.readback);
    // RGB9E5 is not colour-renderable in GL 4.5.
    assert!(!support[&Format::R9G9B9E5_FLOAT].render);
    assert_eq!(support.get(&Format::Z24X8_UNORM), None);
}

#[test]
fn render_targets_clear_to_the_expected_bytes() {
    let Some(ctx) = context() else { return };
    let gl = &ctx.gl;
    let (w, h) = (3, 2);
    let mut checked = 0;
    for (f, s) in probed(gl) {
        if !(s.render || s.depth_stencil) {
            continue;
        }
        let mut scratch = Scratch::new(gl, f, w, h).unwrap();
        assert!(scratch.attach().unwrap(), "{f}");
        let color = match scratch.table.kind {
            Kind::Uint => UINT,
            Kind::Sint => SINT,
            _ => COLOR,
        };
        scratch.clear(color, 0.25, 0x5a).unwrap();
        let back = scratch.download().unwrap();
        let texel = encode(f, color, 0.25, 0x5a);
        let want: Vec<u8> = texel.iter().copied().cycle().take(back.len()).collect();
        let mask = meaningful_bits(f, back.len());
        assert!(
            same_bits(&back, &want, &mask),
            "{f}: cleared to {color:?}, read {:02x?}, want {:02x?}",
            &back[..texel.len()],
            texel
        );
        checked += 1;
    }
    assert!(checked > 80, "only {checked} formats rendered");
}

#[test]
fn uploads_read_back_byte_exactly() {
    let Some(ctx) = context() else { return };
    let gl = &ctx.gl;
    // An odd width, so rows of 1-, 2- and 3-byte texels are not 4-byte aligned.
    let (w, h) = (5, 3);
    let mut unread = Vec::new();
    for (f, s) in probed(gl) {
        if !s.readback {
            if s.sampler && format::gl_format(f).unwrap().kind != Kind::Compressed {
                unread.push(f);
            }
            continue;
        }
        let scratch = Scratch::new(gl, f, w, h).unwrap();
        let bytes = probe_pattern(f, scratch.size(), 0xdead_beef ^ f.to_wire());
        scratch.upload(&bytes).unwrap();
        let back = scratch.download().unwrap();
        assert!(
            same_bits(&back, &bytes, &meaningful_bits(f, bytes.len())),
            "{f}: wrote {bytes:02x?}, read {back:02x?}"
        );
    }
    assert_eq!(unread, [], "sampled formats that do not read back");
}

#[test]
fn padding_and_patterns() {
    assert_eq!(
        meaningful_bits(Format::R8G8B8X8_UNORM, 8),
        [0xff, 0xff, 0xff, 0, 0xff, 0xff, 0xff, 0]
    );
    assert_eq!(meaningful_bits(Format::B5G5R5X1_UNORM, 2), [0xff, 0x7f]);
    let p = probe_pattern(Format::R32_FLOAT, 64, 1);
    for v in p.chunks(4) {
        let f = f32::from_le_bytes(v.try_into().unwrap());
        assert!((0.5..1.0).contains(&f), "{f}");
    }
    let p = probe_pattern(Format::R11G11B10_FLOAT, 64, 2);
    for t in p.chunks(4) {
        for (shift, bits) in [(0, 11), (11, 11), (22, 10)] {
            assert_eq!(read_bits(t, shift + bits - 1, 1), 0);
        }
    }
    assert_eq!(
        encode(Format::B5G6R5_UNORM, COLOR, 0.0, 0),
        (31u16 << 11 | 16 << 5).to_le_bytes()
    );
    assert_eq!(small_float(0.75, 10), 0x3a00);
}
