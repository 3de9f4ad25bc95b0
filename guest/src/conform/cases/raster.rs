//! Rasterization and output: placement and orientation, stencil, culling, polygon modes,
//! lines and points, indexed, instanced and multiple draws, multiple, integer and sRGB render
//! targets, and multisample resolve.
//!
//! Orientation follows Gallium: window coordinates are the viewport's translate + scale * NDC,
//! and memory row = window y, so with `Viewport::for_size` NDC y = -1 is row 0, the first row a
//! transfer reads back. Face winding is judged in those window coordinates as the image appears
//! with row 0 at the top (Mesa's state tracker flips `front_ccw` for GL's bottom-up FBOs for
//! that reason). Every expected image below is computed from those definitions alone, with
//! shapes and colours that change under a vertical or horizontal flip or a red/blue swap.

use virgl_proto::caps::CapabilityBits;
use virgl_proto::ccmd::{Blend, Clear, Dsa, Rasterizer, RtBlend, StencilState};
use virgl_proto::format::Format;
use virgl_proto::pipe::{
    bind, ClearBuffers, CompareFunc, CullFace, PolygonMode, PrimMode, StencilOp,
};

use crate::conform::scene::{self, pixel, Vertex};
use crate::conform::{Case, Env, Outcome};
use crate::context::{Context, Object};
use crate::error::Result;
use crate::transport::ResourceDesc;

use super::super::DynTransport;

/// The rasterization cases, in the order they run.
pub const CASES: &[Case] = &[
    Case::any("raster_rect_placement", rect_placement),
    Case::any("raster_stencil_mask", stencil_mask),
    Case::any("raster_cull_none", |e| cull(e, CullFace::None, true)),
    Case::any("raster_cull_back", |e| cull(e, CullFace::Back, true)),
    Case::any("raster_cull_front", |e| cull(e, CullFace::Front, true)),
    Case::any("raster_cull_back_front_cw", |e| {
        cull(e, CullFace::Back, false)
    }),
    Case::any("raster_polygon_mode_line", |e| {
        polygon_mode(e, PolygonMode::Line)
    }),
    Case::any("raster_polygon_mode_point", |e| {
        polygon_mode(e, PolygonMode::Point)
    }),
    Case::any("raster_lines", lines),
    Case::any("raster_point_size", point_size),
];

/// Width and height of every target here.
const W: u32 = 64;
const H: u32 = 64;

/// Colours exact in 8 bits (multiples of 1/5 are k/255 with k a multiple of 51), every one
/// different under a red/blue swap.
const ROSE: [f32; 4] = [0.8, 0.2, 0.4, 1.0];
const AZURE: [f32; 4] = [0.2, 0.4, 0.8, 1.0];
const LIME: [f32; 4] = [0.4, 0.8, 0.2, 1.0];
const BLACK: [f32; 4] = [0.0, 0.0, 0.0, 1.0];

/// A float colour as the 8-bit UNORM value it must read back as.
fn unorm8(c: [f32; 4]) -> [u8; 4] {
    c.map(|v| (v * 255.0).round() as u8)
}

/// NDC x of window x (the viewport maps NDC -1..1 onto 0..W).
fn nx(x: f32) -> f32 {
    x / (W as f32 / 2.0) - 1.0
}

/// NDC y of window y, which is the memory row.
fn ny(y: f32) -> f32 {
    y / (H as f32 / 2.0) - 1.0
}

/// A vertex at window position (`x`, `y`).
fn wv(x: f32, y: f32, color: [f32; 4]) -> Vertex {
    [
        nx(x),
        ny(y),
        0.0,
        1.0,
        color[0],
        color[1],
        color[2],
        color[3],
    ]
}

/// A strip covering the pixels `x0..x1` × rows `y0..y1` exactly.
fn rect(x0: u32, y0: u32, x1: u32, y1: u32, color: [f32; 4]) -> [Vertex; 4] {
    let (x0, y0, x1, y1) = (x0 as f32, y0 as f32, x1 as f32, y1 as f32);
    [
        wv(x0, y0, color),
        wv(x1, y0, color),
        wv(x0, y1, color),
        wv(x1, y1, color),
    ]
}

/// Whether pixel (`x`, `y`) lies in `x0..x1` × `y0..y1`.
fn in_rect(x: u32, y: u32, r: (u32, u32, u32, u32)) -> bool {
    (r.0..r.2).contains(&x) && (r.1..r.3).contains(&y)
}

/// Whether the centre of pixel (`x`, `y`) is inside the window-space triangle `t`: `Some(true)`
/// more than a pixel inside, `Some(false)` more than a pixel outside, `None` near an edge
/// (where fill rules decide).
fn in_triangle(t: [(f32, f32); 3], x: u32, y: u32) -> Option<bool> {
    let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
    let area = (t[1].0 - t[0].0) * (t[2].1 - t[0].1) - (t[1].1 - t[0].1) * (t[2].0 - t[0].0);
    let mut min = f32::INFINITY;
    for i in 0..3 {
        let (a, b) = (t[i], t[(i + 1) % 3]);
        let cross = (b.0 - a.0) * (py - a.1) - (b.1 - a.1) * (px - a.0);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        min = min.min(cross * area.signum() / len);
    }
    if min > 1.0 {
        Some(true)
    } else if min < -1.0 {
        Some(false)
    } else {
        None
    }
}

/// Compares an RGBA8 image with `want` (`None` = not checked); describes the mismatches.
fn compare(
    rgba: &[u8],
    width: u32,
    height: u32,
    want: impl Fn(u32, u32) -> Option<[u8; 4]>,
) -> std::result::Result<usize, String> {
    let (mut checked, mut bad, mut first) = (0, 0, Vec::new());
    for y in 0..height {
        for x in 0..width {
            let Some(w) = want(x, y) else { continue };
            checked += 1;
            let got = pixel(rgba, width, x, y);
            if got != w {
                bad += 1;
                if first.len() < 3 {
                    first.push(format!("({x},{y}) is {got:?}, expected {w:?}"));
                }
            }
        }
    }
    if bad == 0 {
        Ok(checked)
    } else {
        Err(format!(
            "{bad} of {checked} checked pixels wrong: {}",
            first.join("; ")
        ))
    }
}

/// A bound `W` × `H` BGRA8 target with the default pipeline, cleared to black.
fn setup(
    ctx: &mut Context<DynTransport>,
    rast: &Rasterizer,
    zsurf: Option<&Object>,
) -> Result<(scene::Target, scene::Pipeline)> {
    let t = scene::target(ctx, W, H, zsurf)?;
    let (blend, dsa, _) = scene::default_states();
    let p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, rast)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, BLACK))?;
    Ok((t, p))
}

/// Reads the target back, keeps it as an image and compares it with `want`.
fn read_and_compare(
    env: &mut Env<'_>,
    name: &str,
    t: &scene::Target,
    want: impl Fn(u32, u32) -> Option<[u8; 4]>,
) -> Result<std::result::Result<usize, String>> {
    let rgba = scene::read_rgba(&mut env.ctx, t)?;
    env.image(name, t.width, t.height, rgba.clone());
    Ok(compare(&rgba, t.width, t.height, want))
}

/// Turns a comparison into an outcome.
fn verdict(result: std::result::Result<usize, String>, what: &str) -> Outcome {
    match result {
        Ok(n) => Outcome::pass(format!("{what}; all {n} checked pixels exact")),
        Err(e) => Outcome::fail(format!("{what}: {e}")),
    }
}

fn rect_placement(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &Rasterizer::default(), None)?;
    // A wide rose bar near row 0 on the right, a tall azure bar low on the left.
    let a = (40, 3, 61, 9);
    let b = (5, 30, 13, 58);
    let _v1 = scene::draw(
        ctx,
        &rect(a.0, a.1, a.2, a.3, ROSE),
        PrimMode::TriangleStrip,
    )?;
    let _v2 = scene::draw(
        ctx,
        &rect(b.0, b.1, b.2, b.3, AZURE),
        PrimMode::TriangleStrip,
    )?;
    let r = read_and_compare(env, "raster_rect_placement", &t, |x, y| {
        Some(if in_rect(x, y, a) {
            unorm8(ROSE)
        } else if in_rect(x, y, b) {
            unorm8(AZURE)
        } else {
            unorm8(BLACK)
        })
    })?;
    Ok(verdict(
        r,
        "rose quad at window x 40..61, y 3..9 and azure at x 5..13, y 30..58 (NDC = window / 32 - 1) \
         read back at exactly those columns and rows, row 0 first, everything else black",
    ))
}

/// The depth-stencil format with a stencil part, if the host samples one.
const STENCIL_FORMATS: [Format; 2] = [Format::Z24_UNORM_S8_UINT, Format::S8_UINT_Z24_UNORM];

fn stencil_mask(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let Some(zf) = STENCIL_FORMATS
        .into_iter()
        .find(|f| ctx.caps().v1.sampler.supports(*f))
    else {
        return Ok(Outcome::skip(
            "neither Z24_UNORM_S8_UINT nor S8_UINT_Z24_UNORM in the host's sampler mask",
        ));
    };
    let zs = ctx.create_resource(&ResourceDesc::texture_2d(zf, W, H, bind::DEPTH_STENCIL))?;
    let zsurf = ctx.create_surface(&zs, zf)?;
    let (t, _p) = setup(ctx, &Rasterizer::default(), Some(&zsurf))?;
    ctx.clear(Clear {
        buffers: ClearBuffers::DEPTH | ClearBuffers::STENCIL,
        color: [0; 4],
        depth: 1.0,
        stencil: 0,
    })?;
    ctx.set_stencil_ref(5, 5)?;
    let stencil = |func, zpass_op| Dsa {
        stencil: [
            StencilState {
                enabled: true,
                func,
                zpass_op,
                ..StencilState::default()
            },
            StencilState::default(),
        ],
        ..Dsa::default()
    };
    // Pass 1: write 5 into an L of two rectangles, colour writes off.
    let no_color = {
        let mut b = Blend::default();
        b.rt[0] = RtBlend {
            colormask: 0,
            ..RtBlend::default()
        };
        ctx.create_blend(&b)?
    };
    let write = ctx.create_dsa(&stencil(CompareFunc::Always, StencilOp::Replace))?;
    ctx.bind(&no_color)?;
    ctx.bind(&write)?;
    let l1 = (6, 4, 14, 40);
    let l2 = (6, 40, 50, 48);
    let _v1 = scene::draw(
        ctx,
        &rect(l1.0, l1.1, l1.2, l1.3, LIME),
        PrimMode::TriangleStrip,
    )?;
    let _v2 = scene::draw(
        ctx,
        &rect(l2.0, l2.1, l2.2, l2.3, LIME),
        PrimMode::TriangleStrip,
    )?;
    // Pass 2: full screen rose where stencil == 5, then azure where it is not.
    let color = ctx.create_blend(&Blend::default())?;
    let equal = ctx.create_dsa(&stencil(CompareFunc::Equal, StencilOp::Keep))?;
    let notequal = ctx.create_dsa(&stencil(CompareFunc::NotEqual, StencilOp::Keep))?;
    ctx.bind(&color)?;
    ctx.bind(&equal)?;
    let _v3 = scene::draw(ctx, &rect(0, 0, W, H, ROSE), PrimMode::TriangleStrip)?;
    ctx.bind(&notequal)?;
    let _v4 = scene::draw(ctx, &rect(0, 0, W, H, AZURE), PrimMode::TriangleStrip)?;
    let r = read_and_compare(env, "raster_stencil_mask", &t, |x, y| {
        Some(if in_rect(x, y, l1) || in_rect(x, y, l2) {
            unorm8(ROSE)
        } else {
            unorm8(AZURE)
        })
    })?;
    Ok(verdict(
        r,
        &format!(
            "{zf}: ref 5 REPLACEd with colour writes masked into an L (x 6..14, y 4..40 and x 6..50, y 40..48), \
             then full-screen EQUAL draws rose exactly inside it and NOTEQUAL azure everywhere else"
        ),
    ))
}

/// Two triangles, window coordinates with row 0 at the top: the left one runs counter-clockwise
/// as the image appears (top-left, down, up-right), the right one clockwise.
const CCW_TRI: [(f32, f32); 3] = [(4.0, 4.0), (4.0, 40.0), (28.0, 12.0)];
const CW_TRI: [(f32, f32); 3] = [(36.0, 4.0), (60.0, 12.0), (36.0, 40.0)];

fn cull(env: &mut Env<'_>, cull_face: CullFace, front_ccw: bool) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let rast = Rasterizer {
        cull_face,
        front_ccw,
        ..Rasterizer::default()
    };
    let (t, _p) = setup(ctx, &rast, None)?;
    let tri = |t: [(f32, f32); 3], c| t.map(|(x, y)| wv(x, y, c));
    let _v1 = scene::draw(ctx, &tri(CCW_TRI, ROSE), PrimMode::Triangles)?;
    let _v2 = scene::draw(ctx, &tri(CW_TRI, AZURE), PrimMode::Triangles)?;
    let ccw_front = front_ccw;
    let (ccw_kept, cw_kept) = match cull_face {
        CullFace::None => (true, true),
        CullFace::Back => (ccw_front, !ccw_front),
        CullFace::Front => (!ccw_front, ccw_front),
        CullFace::FrontAndBack => (false, false),
    };
    let name = format!(
        "raster_cull_{}{}",
        cull_face.name().to_lowercase(),
        if front_ccw { "" } else { "_front_cw" }
    );
    let r = read_and_compare(env, &name, &t, |x, y| {
        let a = in_triangle(CCW_TRI, x, y)?;
        let b = in_triangle(CW_TRI, x, y)?;
        Some(if a && ccw_kept {
            unorm8(ROSE)
        } else if b && cw_kept {
            unorm8(AZURE)
        } else {
            unorm8(BLACK)
        })
    })?;
    let fate = |kept: bool| if kept { "drawn" } else { "culled" };
    Ok(verdict(
        r,
        &format!(
            "cull {cull_face:?}, front_ccw {front_ccw}: the rose triangle counter-clockwise with row 0 at the top \
             (4,4)-(4,40)-(28,12) {}, the azure clockwise one (36,4)-(60,12)-(36,40) {}",
            fate(ccw_kept),
            fate(cw_kept)
        ),
    ))
}

fn polygon_mode(env: &mut Env<'_>, mode: PolygonMode) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    if let Some(v2) = ctx.caps().v2 {
        if v2.capabilities().contains(CapabilityBits::HOST_IS_GLES) {
            return Ok(Outcome::skip(
                "the host sets HOST_IS_GLES, and GLES has no polygon modes",
            ));
        }
    }
    let rast = Rasterizer {
        fill_front: mode,
        fill_back: mode,
        ..Rasterizer::default()
    };
    let (t, _p) = setup(ctx, &rast, None)?;
    // A right triangle at pixel centres: right angle at the top left, legs along row 8 and
    // column 8, hypotenuse down to the left.
    let (x0, y0, x1, y1) = (8u32, 8u32, 56u32, 48u32);
    let c = |v: u32| v as f32 + 0.5;
    let _v = scene::draw(
        ctx,
        &[
            wv(c(x0), c(y0), LIME),
            wv(c(x1), c(y0), LIME),
            wv(c(x0), c(y1), LIME),
        ],
        PrimMode::Triangles,
    )?;
    let lit = unorm8(LIME);
    let black = unorm8(BLACK);
    let (name, what) = match mode {
        PolygonMode::Line => (
            "raster_polygon_mode_line",
            "PolygonMode::Line on a triangle with corners at pixel centres (8,8), (56,8), (8,48): \
             row 8 lit from x 10 to 54 and column 8 from y 10 to 46, the interior and the outside black",
        ),
        _ => (
            "raster_polygon_mode_point",
            "PolygonMode::Point on a triangle with corners at pixel centres (8,8), (56,8), (8,48): \
             exactly those three pixels lit, all others black",
        ),
    };
    let tri = [(c(x0), c(y0)), (c(x1), c(y0)), (c(x0), c(y1))];
    let r = read_and_compare(env, name, &t, |x, y| match mode {
        PolygonMode::Line => {
            if (y == y0 && (x0 + 2..=x1 - 2).contains(&x))
                || (x == x0 && (y0 + 2..=y1 - 2).contains(&y))
            {
                Some(lit)
            } else if x.abs_diff(x0) <= 1 || y.abs_diff(y0) <= 1 {
                // Next to the legs and at the corners: fill rules decide.
                None
            } else {
                // Inside or outside, but well away from the hypotenuse: unlit.
                let d = (x as f32 + 0.5 - tri[0].0) / (x1 - x0) as f32
                    + (y as f32 + 0.5 - tri[0].1) / (y1 - y0) as f32;
                // d = 1 on the hypotenuse; one pixel is about 1/60 of d.
                if (d - 1.0).abs() < 0.05 {
                    None
                } else {
                    Some(black)
                }
            }
        }
        _ => Some(if [(x0, y0), (x1, y0), (x0, y1)].contains(&(x, y)) {
            lit
        } else {
            black
        }),
    })?;
    Ok(verdict(r, what))
}

fn lines(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &Rasterizer::default(), None)?;
    // A horizontal rose line along row 20 from x 10 to 50, a vertical azure one along
    // column 40 from y 30 to 60, both between pixel centres.
    let _v = scene::draw(
        ctx,
        &[
            wv(10.5, 20.5, ROSE),
            wv(50.5, 20.5, ROSE),
            wv(40.5, 30.5, AZURE),
            wv(40.5, 60.5, AZURE),
        ],
        PrimMode::Lines,
    )?;
    let r = read_and_compare(env, "raster_lines", &t, |x, y| {
        if y == 20 && (10..=50).contains(&x) {
            // The end pixels depend on the diamond-exit rule.
            (11..=48).contains(&x).then_some(unorm8(ROSE))
        } else if x == 40 && (30..=60).contains(&y) {
            (31..=58).contains(&y).then_some(unorm8(AZURE))
        } else {
            Some(unorm8(BLACK))
        }
    })?;
    Ok(verdict(
        r,
        "1-pixel LINES from (10.5,20.5) to (50.5,20.5) and (40.5,30.5) to (40.5,60.5): row 20 lit \
         from x 11 to 48 and column 40 from y 31 to 58 (end pixels unchecked), nothing else lit",
    ))
}

fn point_size(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    if let Some(v2) = ctx.caps().v2 {
        if v2.max_aliased_point_size < 4.0 {
            return Ok(Outcome::skip(format!(
                "max_aliased_point_size {} < 4",
                v2.max_aliased_point_size
            )));
        }
    }
    let rast = Rasterizer {
        point_size: 4.0,
        ..Rasterizer::default()
    };
    let (t, _p) = setup(ctx, &rast, None)?;
    // 4-pixel points centred on pixel corners cover exactly a 4x4 block each.
    let _v = scene::draw(
        ctx,
        &[wv(20.0, 44.0, ROSE), wv(50.0, 10.0, AZURE)],
        PrimMode::Points,
    )?;
    let r = read_and_compare(env, "raster_point_size", &t, |x, y| {
        Some(if in_rect(x, y, (18, 42, 22, 46)) {
            unorm8(ROSE)
        } else if in_rect(x, y, (48, 8, 52, 12)) {
            unorm8(AZURE)
        } else {
            unorm8(BLACK)
        })
    })?;
    Ok(verdict(
        r,
        "point_size 4 POINTS at window (20,44) and (50,10): exactly the 4x4 blocks x 18..22, y 42..46 (rose) \
         and x 48..52, y 8..12 (azure) lit",
    ))
}
