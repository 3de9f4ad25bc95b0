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

use virgl_proto::caps::{BoolSet1, CapabilityBits};
use virgl_proto::ccmd::{
    Blend, Blit, BlitSurface, Box3, Clear, DrawVbo, Dsa, Rasterizer, RtBlend, Scissor,
    StencilState, VertexElement, Viewport,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::{
    bind, BlendFactor, BlitMask, ClearBuffers, CompareFunc, CullFace, IndexSize, PolygonMode,
    PrimMode, ShaderType, StencilOp, TexFilter,
};
use virgl_proto::tgsi;

use crate::conform::scene::{self, near, pixel, Vertex};
use crate::conform::{needs, Case, Env, Outcome};
use crate::context::{Context, Object, Resource};
use crate::error::Result;
use crate::transport::ResourceDesc;

use super::super::DynTransport;

/// The rasterization cases, in the order they run.
pub const CASES: &[Case] = &[
    Case::any("raster_rect_placement", rect_placement),
    Case::any("raster_stencil_mask", stencil_mask).needs(needs_stencil),
    Case::any("raster_cull_none", |e| cull(e, CullFace::None, true)),
    Case::any("raster_cull_back", |e| cull(e, CullFace::Back, true)),
    Case::any("raster_cull_front", |e| cull(e, CullFace::Front, true)),
    Case::any("raster_cull_back_front_cw", |e| {
        cull(e, CullFace::Back, false)
    }),
    Case::any("raster_polygon_mode_line", |e| {
        polygon_mode(e, PolygonMode::Line)
    })
    .needs(needs_polygon_mode),
    Case::any("raster_polygon_mode_point", |e| {
        polygon_mode(e, PolygonMode::Point)
    })
    .needs(needs_polygon_mode),
    Case::any("raster_lines", lines).needs(|c| needs::prim(c, PrimMode::Lines)),
    Case::any("raster_point_size", point_size).needs(|c| {
        needs::all([
            needs::prim(c, PrimMode::Points),
            needs::v2_at_least(
                c,
                "max_aliased_point_size",
                |v2| v2.max_aliased_point_size as u32,
                4,
                true,
            ),
        ])
    }),
    Case::any("raster_indexed", indexed),
    Case::any("raster_instanced", instanced).needs(needs_instancing),
    Case::any("raster_multi_draw", multi_draw),
    Case::any("raster_mrt", mrt)
        .needs(|c| needs::at_least("max_render_targets", c.v1.max_render_targets, 2)),
    Case::any("raster_int_target", int_target).needs(|c| {
        needs::all([
            needs::integers(c),
            needs::render(c, Format::R32G32B32A32_UINT),
        ])
    }),
    Case::any("raster_srgb_target", srgb_target).needs(|c| needs::render(c, Format::B8G8R8A8_SRGB)),
    Case::any("raster_msaa_resolve", msaa_resolve)
        .needs(|c| needs::at_least("max_samples", c.v1.max_samples, 4)),
    Case::any("raster_viewport_flip", viewport_flip),
    Case::any("raster_flatshade_first", |e| flatshade(e, true)),
    Case::any("raster_flatshade_last", |e| flatshade(e, false)),
    Case::any("raster_primitive_restart", primitive_restart)
        .needs(|c| needs::bools(c, BoolSet1::PRIMITIVE_RESTART)),
    Case::any("raster_rasterizer_discard", rasterizer_discard),
    Case::any("raster_colormask", colormask),
    Case::any("raster_line_strip", |e| line_strip(e, PrimMode::LineStrip))
        .needs(|c| needs::prim(c, PrimMode::LineStrip)),
    Case::any("raster_line_loop", |e| line_strip(e, PrimMode::LineLoop))
        .needs(|c| needs::prim(c, PrimMode::LineLoop)),
    Case::any("raster_triangle_fan", triangle_fan).needs(|c| needs::prim(c, PrimMode::TriangleFan)),
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
/// Draws the rectangle `r` (x0, y0, x1, y1 in pixels) in `color` as a triangle strip.
fn draw_rect(
    ctx: &mut Context<DynTransport>,
    r: (u32, u32, u32, u32),
    color: [f32; 4],
) -> Result<crate::context::Resource> {
    scene::draw(
        ctx,
        &rect(r.0, r.1, r.2, r.3, color),
        PrimMode::TriangleStrip,
    )
}

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
    tol: u8,
    want: impl Fn(u32, u32) -> Option<[u8; 4]>,
) -> std::result::Result<usize, String> {
    let (mut checked, mut bad, mut first) = (0, 0, Vec::new());
    for y in 0..height {
        for x in 0..width {
            let Some(w) = want(x, y) else { continue };
            checked += 1;
            let got = pixel(rgba, width, x, y);
            if !near(got, w, tol) {
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
    Ok(compare(&rgba, t.width, t.height, 0, want))
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
    let _v1 = draw_rect(ctx, a, ROSE)?;
    let _v2 = draw_rect(ctx, b, AZURE)?;
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

/// The depth-stencil formats with a stencil part the stencil case can use.
const STENCIL_FORMATS: [Format; 2] = [Format::Z24_UNORM_S8_UINT, Format::S8_UINT_Z24_UNORM];

/// The first of [`STENCIL_FORMATS`] the host samples.
fn stencil_format(caps: &crate::Caps) -> Option<Format> {
    STENCIL_FORMATS
        .into_iter()
        .find(|f| caps.v1.sampler.supports(*f))
}

fn needs_stencil(caps: &crate::Caps) -> Option<String> {
    stencil_format(caps).is_none().then(|| {
        "neither Z24_UNORM_S8_UINT nor S8_UINT_Z24_UNORM in the host's sampler mask".into()
    })
}

fn needs_polygon_mode(caps: &crate::Caps) -> Option<String> {
    caps.v2
        .is_some_and(|v2| v2.capabilities().contains(CapabilityBits::HOST_IS_GLES))
        .then(|| "the host sets HOST_IS_GLES, and GLES has no polygon modes".into())
}

/// virglrenderer never sets VERTEX_ELEMENT_INSTANCE_DIVISOR (Mesa's virgl assumes it); it sets
/// INSTANCEID when the host GL has instanced arrays, which carry the divisor.
fn needs_instancing(caps: &crate::Caps) -> Option<String> {
    (!caps
        .v1
        .bools()
        .intersects(BoolSet1::VERTEX_ELEMENT_INSTANCE_DIVISOR | BoolSet1::INSTANCEID))
    .then(|| "the host sets neither INSTANCEID nor VERTEX_ELEMENT_INSTANCE_DIVISOR (bset)".into())
}

fn stencil_mask(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let Some(zf) = stencil_format(ctx.caps()) else {
        return Ok(Outcome::skip(needs_stencil(ctx.caps()).unwrap_or_default()));
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
    let _v1 = draw_rect(ctx, l1, LIME)?;
    let _v2 = draw_rect(ctx, l2, LIME)?;
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

/// Uploads `bytes` into a new buffer with `bind` flags.
fn buffer(ctx: &mut Context<DynTransport>, bytes: &[u8], bind_flags: u32) -> Result<Resource> {
    let b = ctx.create_resource(&ResourceDesc::buffer(bytes.len() as u32, bind_flags))?;
    ctx.upload(&b, Box3::new_2d(0, 0, bytes.len() as u32, 1), bytes)?;
    Ok(b)
}

/// The little-endian bytes of vertices.
fn vertex_bytes(vertices: &[Vertex]) -> Vec<u8> {
    vertices
        .iter()
        .flatten()
        .flat_map(|f| f.to_le_bytes())
        .collect()
}

/// A TGSI immediate of four floats, as Mesa prints it.
fn imm_f32(c: [f32; 4]) -> String {
    let h: Vec<String> = c.iter().map(|v| format!("{:#010x}", v.to_bits())).collect();
    format!("FLT32 {{{}}}", h.join(", "))
}

fn indexed(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &Rasterizer::default(), None)?;
    // Corners of a square: 0 top left, 1 top right, 2 bottom left, 3 bottom right; rose,
    // then the same four again in azure.
    let corners = [(8.0, 8.0), (56.0, 8.0), (8.0, 56.0), (56.0, 56.0)];
    let mut verts: Vec<Vertex> = corners.iter().map(|&(x, y)| wv(x, y, ROSE)).collect();
    verts.extend(corners.iter().map(|&(x, y)| wv(x, y, AZURE)));
    let vb = buffer(ctx, &vertex_bytes(&verts), bind::VERTEX_BUFFER)?;
    ctx.set_vertex_buffers(&[(32, 0, &vb)])?;
    // Two out-of-range indices the buffer offset skips, then [1, 3, 2] and [0, 1, 2].
    let indices: [u16; 8] = [7, 7, 1, 3, 2, 0, 1, 2];
    let ib_bytes: Vec<u8> = indices.iter().flat_map(|i| i.to_le_bytes()).collect();
    let ib = buffer(ctx, &ib_bytes, bind::INDEX_BUFFER)?;
    // virglrenderer takes where an indexed draw starts from the index buffer's offset alone
    // (Mesa folds `start` into it), so each draw sets the offset and keeps `start` 0.
    let draw = |index_bias| DrawVbo {
        indexed: true,
        index_bias,
        min_index: 0,
        max_index: 3,
        ..DrawVbo::arrays(PrimMode::Triangles, 0, 3)
    };
    ctx.set_index_buffer(Some((&ib, IndexSize::U16, 4)))?;
    ctx.draw(draw(0))?;
    // Indices 0, 1, 2 with bias 4: the azure copies of the top-left, top-right and bottom-left.
    ctx.set_index_buffer(Some((&ib, IndexSize::U16, 10)))?;
    ctx.draw(draw(4))?;
    let lower_right = [corners[1], corners[3], corners[2]];
    let upper_left = [corners[0], corners[1], corners[2]];
    let r = read_and_compare(env, "raster_indexed", &t, |x, y| {
        Some(if in_triangle(lower_right, x, y)? {
            unorm8(ROSE)
        } else if in_triangle(upper_left, x, y)? {
            unorm8(AZURE)
        } else {
            unorm8(BLACK)
        })
    })?;
    Ok(verdict(
        r,
        "UINT16 index buffer at byte offset 4: indices [1,3,2] of a square's corners draw the rose lower-right \
         half (x + y > 64), then at offset 10 [0,1,2] with index_bias 4 the azure upper-left half",
    ))
}

fn instanced(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let t = scene::target(ctx, W, H, None)?;
    let attr = |vertex_buffer_index, src_offset, instance_divisor| VertexElement {
        src_offset,
        instance_divisor,
        vertex_buffer_index,
        src_format: Format::R32G32B32A32_FLOAT,
    };
    // Position per vertex from buffer 0; offset and colour per instance from buffer 1.
    let ve = ctx.create_vertex_elements(&[attr(0, 0, 0), attr(1, 0, 1), attr(1, 16, 1)])?;
    let vs = ctx.create_tgsi(&tgsi::parse(
        "VERT\nDCL IN[0]\nDCL IN[1]\nDCL IN[2]\nDCL OUT[0], POSITION\nDCL OUT[1], GENERIC[0]\n\
         \x20 0: ADD OUT[0], IN[0], IN[1]\n  1: MOV OUT[1], IN[2]\n  2: END\n",
    )?)?;
    let fs = ctx.create_tgsi(&scene::fs_color())?;
    let (blend, dsa, rast) = scene::default_states();
    let blend = ctx.create_blend(&blend)?;
    let dsa = ctx.create_dsa(&dsa)?;
    let rast = ctx.create_rasterizer(&rast)?;
    for o in [&blend, &dsa, &rast, &ve] {
        ctx.bind(o)?;
    }
    ctx.bind_shader(ShaderType::Vertex, Some(&vs))?;
    ctx.bind_shader(ShaderType::Fragment, Some(&fs))?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, BLACK))?;
    // A 12x8 square at window (4,4); instances move it by whole pixels (1 pixel = 1/32 NDC).
    let base: Vec<u8> = [(4.0, 4.0), (16.0, 4.0), (4.0, 12.0), (16.0, 12.0)]
        .iter()
        .flat_map(|&(x, y)| [nx(x), ny(y), 0.0, 1.0])
        .flat_map(f32::to_le_bytes)
        .collect();
    let moves = [(0u32, 0u32, ROSE), (40, 8, LIME), (12, 44, AZURE)];
    let per_instance: Vec<u8> = moves
        .iter()
        .flat_map(|&(dx, dy, c)| {
            [dx as f32 / 32.0, dy as f32 / 32.0, 0.0, 0.0]
                .into_iter()
                .chain(c)
        })
        .flat_map(f32::to_le_bytes)
        .collect();
    let vb0 = buffer(ctx, &base, bind::VERTEX_BUFFER)?;
    let vb1 = buffer(ctx, &per_instance, bind::VERTEX_BUFFER)?;
    ctx.set_vertex_buffers(&[(16, 0, &vb0), (32, 0, &vb1)])?;
    ctx.draw(DrawVbo {
        instance_count: 3,
        ..DrawVbo::arrays(PrimMode::TriangleStrip, 0, 4)
    })?;
    let r = read_and_compare(env, "raster_instanced", &t, |x, y| {
        let hit = moves
            .iter()
            .find(|&&(dx, dy, _)| in_rect(x, y, (4 + dx, 4 + dy, 16 + dx, 12 + dy)));
        Some(hit.map_or(unorm8(BLACK), |m| unorm8(m.2)))
    })?;
    drop((ve, vs, fs, blend, dsa, rast));
    Ok(verdict(
        r,
        "3 instances of a 12x8 strip with offset and colour at instance_divisor 1: rose at (4,4), \
         lime moved by (40,8), azure by (12,44), each exactly its 12x8 block",
    ))
}

fn multi_draw(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &Rasterizer::default(), None)?;
    let r0 = (4, 4, 20, 14);
    let r1 = (30, 20, 60, 40);
    let r2 = (10, 44, 26, 60);
    let mut verts = Vec::new();
    for (r, c) in [(r0, ROSE), (r1, LIME), (r2, AZURE)] {
        verts.extend(rect(r.0, r.1, r.2, r.3, c));
    }
    let vb = buffer(ctx, &vertex_bytes(&verts), bind::VERTEX_BUFFER)?;
    ctx.set_vertex_buffers(&[(32, 0, &vb)])?;
    // The first and third strips whole, then only the first three vertices of the second.
    ctx.draw(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 4))?;
    ctx.draw(DrawVbo::arrays(PrimMode::TriangleStrip, 8, 4))?;
    ctx.draw(DrawVbo::arrays(PrimMode::TriangleStrip, 4, 3))?;
    let half = [
        (r1.0 as f32, r1.1 as f32),
        (r1.2 as f32, r1.1 as f32),
        (r1.0 as f32, r1.3 as f32),
    ];
    let r = read_and_compare(env, "raster_multi_draw", &t, |x, y| {
        Some(if in_rect(x, y, r0) {
            unorm8(ROSE)
        } else if in_rect(x, y, r2) {
            unorm8(AZURE)
        } else if in_triangle(half, x, y)? {
            unorm8(LIME)
        } else {
            unorm8(BLACK)
        })
    })?;
    Ok(verdict(
        r,
        "three DRAW_VBOs from one 12-vertex buffer (start 0 count 4, start 8 count 4, start 4 count 3): \
         rose block x 4..20 y 4..14, azure x 10..26 y 44..60, and only the upper-left half of the lime \
         block x 30..60 y 20..40",
    ))
}

/// A `W` × `H` texture of `format` usable as a render target.
fn rt_texture(ctx: &mut Context<DynTransport>, format: Format, samples: u32) -> Result<Resource> {
    ctx.create_resource(&ResourceDesc {
        nr_samples: samples,
        ..ResourceDesc::texture_2d(format, W, H, bind::RENDER_TARGET | bind::SAMPLER_VIEW)
    })
}

fn mrt(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let f = scene::RT_FORMAT;
    let (t0, t1) = (rt_texture(ctx, f, 0)?, rt_texture(ctx, f, 0)?);
    let (s0, s1) = (ctx.create_surface(&t0, f)?, ctx.create_surface(&t1, f)?);
    ctx.set_framebuffer(&[&s0, &s1], None)?;
    ctx.set_viewport(Viewport::for_size(W, H))?;
    let fs = tgsi::parse(&format!(
        "FRAG\nDCL OUT[0], COLOR\nDCL OUT[1], COLOR[1]\nIMM[0] {}\nIMM[1] {}\n\
         \x20 0: MOV OUT[0], IMM[0]\n  1: MOV OUT[1], IMM[1]\n  2: END\n",
        imm_f32(ROSE),
        imm_f32(AZURE)
    ))?;
    let (blend, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &fs, &blend, &dsa, &rast)?;
    ctx.clear(Clear::color(
        ClearBuffers::COLOR0 | ClearBuffers::COLOR1,
        LIME,
    ))?;
    let r = (10, 6, 40, 30);
    let _vb = draw_rect(ctx, r, BLACK)?;
    let mut problems = Vec::new();
    let mut checked = 0;
    for (i, (tex, c)) in [(&t0, ROSE), (&t1, AZURE)].into_iter().enumerate() {
        let mut rgba = env.ctx.download(tex, Box3::new_2d(0, 0, W, H))?;
        scene::bgra_to_rgba(&mut rgba);
        let res = compare(&rgba, W, H, 0, |x, y| {
            Some(unorm8(if in_rect(x, y, r) { c } else { LIME }))
        });
        env.image(&format!("raster_mrt_{i}"), W, H, rgba);
        match res {
            Ok(n) => checked += n,
            Err(e) => problems.push(format!("COLOR[{i}]: {e}")),
        }
    }
    Ok(if problems.is_empty() {
        Outcome::pass(format!(
            "two BGRA8 colour buffers cleared lime; a shader writing rose to COLOR[0] and azure to COLOR[1] \
             over x 10..40, y 6..30 fills exactly that block in each; all {checked} pixels exact"
        ))
    } else {
        Outcome::fail(problems.join("; "))
    })
}

fn int_target(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let f = Format::R32G32B32A32_UINT;
    let tex = rt_texture(ctx, f, 0)?;
    let surf = ctx.create_surface(&tex, f)?;
    ctx.set_framebuffer(&[&surf], None)?;
    ctx.set_viewport(Viewport::for_size(W, H))?;
    let drawn: [u32; 4] = [7, 300, 70000, 4_000_000_000];
    let cleared: [u32; 4] = [4_000_000_001, 5, 65536, 2];
    let fs = tgsi::parse(&format!(
        "FRAG\nDCL OUT[0], COLOR\nIMM[0] UINT32 {{{}, {}, {}, {}}}\n  0: MOV OUT[0], IMM[0]\n  1: END\n",
        drawn[0], drawn[1], drawn[2], drawn[3]
    ))?;
    let (blend, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &fs, &blend, &dsa, &rast)?;
    ctx.clear(Clear {
        buffers: ClearBuffers::COLOR0,
        color: cleared,
        depth: 0.0,
        stencil: 0,
    })?;
    let r = (12, 20, 50, 28);
    let _vb = draw_rect(ctx, r, BLACK)?;
    let bytes = ctx.download(&tex, Box3::new_2d(0, 0, W, H))?;
    let (mut bad, mut first) = (0, None);
    for y in 0..H {
        for x in 0..W {
            let i = ((y * W + x) * 16) as usize;
            let got: [u32; 4] = std::array::from_fn(|c| {
                u32::from_le_bytes(bytes[i + 4 * c..i + 4 * c + 4].try_into().unwrap())
            });
            let want = if in_rect(x, y, r) { drawn } else { cleared };
            if got != want {
                bad += 1;
                first.get_or_insert(format!("({x},{y}) is {got:?}, expected {want:?}"));
            }
        }
    }
    Ok(match first {
        None => Outcome::pass(format!(
            "{f}: cleared with integers {cleared:?}, a UINT32 immediate {drawn:?} written over x 12..50, y 20..28; \
             all 4096 texels read back with exactly those values in place"
        )),
        Some(e) => Outcome::fail(format!("{bad} of 4096 texels wrong: {e}")),
    })
}

/// sRGB encoding of a linear value (IEC 61966-2-1).
fn srgb_encode(l: f64) -> f64 {
    if l <= 0.003_130_8 {
        l * 12.92
    } else {
        1.055 * l.powf(1.0 / 2.4) - 0.055
    }
}

/// sRGB decoding to linear.
fn srgb_decode(s: f64) -> f64 {
    if s <= 0.040_45 {
        s / 12.92
    } else {
        ((s + 0.055) / 1.055).powf(2.4)
    }
}

fn srgb_target(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let f = Format::B8G8R8A8_SRGB;
    let tex = rt_texture(ctx, f, 0)?;
    let surf = ctx.create_surface(&tex, f)?;
    ctx.set_framebuffer(&[&surf], None)?;
    ctx.set_viewport(Viewport::for_size(W, H))?;
    let (_, dsa, rast) = scene::default_states();
    let p1 = scene::pipeline(ctx, &scene::fs_color(), &Blend::default(), &dsa, &rast)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, BLACK))?;
    let first = [0.5, 0.2, 0.8, 1.0];
    let add = [0.25, 0.1, 0.05, 0.0];
    let a = (4, 4, 40, 24);
    let b = (20, 16, 56, 40);
    let _v1 = draw_rect(ctx, a, first)?;
    let mut blend = Blend::default();
    blend.rt[0] = RtBlend {
        blend_enable: true,
        rgb_src_factor: BlendFactor::One,
        rgb_dst_factor: BlendFactor::One,
        alpha_src_factor: BlendFactor::One,
        alpha_dst_factor: BlendFactor::One,
        ..RtBlend::default()
    };
    drop(p1);
    let _p2 = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    let _v2 = scene::draw(ctx, &rect(b.0, b.1, b.2, b.3, add), PrimMode::TriangleStrip)?;
    let mut rgba = ctx.download(&tex, Box3::new_2d(0, 0, W, H))?;
    scene::bgra_to_rgba(&mut rgba);
    env.image("raster_srgb_target", W, H, rgba.clone());
    // Stored bytes: encode(linear); blending decodes the stored byte, adds in linear, encodes.
    let enc = |l: f64| (srgb_encode(l.min(1.0)) * 255.0).round() as u8;
    let stored_a: [u8; 4] = [enc(0.5), enc(0.2), enc(0.8), 255];
    let blended = |dst: [u8; 4]| -> [u8; 4] {
        let mut o = [0u8; 4];
        for c in 0..3 {
            o[c] = enc(srgb_decode(f64::from(dst[c]) / 255.0) + f64::from(add[c]));
        }
        o[3] = 255;
        o
    };
    let want = |x, y| {
        Some(match (in_rect(x, y, a), in_rect(x, y, b)) {
            (true, false) => stored_a,
            (true, true) => blended(stored_a),
            (false, true) => blended([0, 0, 0, 255]),
            (false, false) => [0, 0, 0, 255],
        })
    };
    let res = compare(&rgba, W, H, 1, want);
    let detail = format!(
        "{f}: linear (0.5, 0.2, 0.8) stored as {stored_a:?} (CPU sRGB encoding), ONE/ONE blend of \
         (0.25, 0.1, 0.05) added in linear space gives {:?} over it and {:?} over black, at x 4..40 y 4..24 \
         and x 20..56 y 16..40",
        blended(stored_a),
        blended([0, 0, 0, 255])
    );
    Ok(match res {
        Ok(n) => Outcome::pass(format!("{detail}; all {n} pixels within 1")),
        Err(e) => Outcome::fail(format!("{detail}: {e}")),
    })
}

fn msaa_resolve(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let f = scene::RT_FORMAT;
    let ms = rt_texture(ctx, f, 4)?;
    let single = rt_texture(ctx, f, 0)?;
    let surf = ctx.create_surface(&ms, f)?;
    ctx.set_framebuffer(&[&surf], None)?;
    ctx.set_viewport(Viewport::for_size(W, H))?;
    let rast = Rasterizer {
        multisample: true,
        ..Rasterizer::default()
    };
    let (blend, dsa, _) = scene::default_states();
    let _p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, BLACK))?;
    // The half above the anti-diagonal x + y = 64 (rows near 0), which crosses every pixel
    // (x, 63 - x) through its centre.
    let tri = [(0.0, 0.0), (64.0, 0.0), (0.0, 64.0)];
    let _vb = scene::draw(ctx, &tri.map(|(x, y)| wv(x, y, LIME)), PrimMode::Triangles)?;
    let full = Box3::new_2d(0, 0, W, H);
    let surface = |r: &Resource| BlitSurface {
        resource: r.id().0,
        level: 0,
        format: f,
        region: full,
    };
    ctx.blit(Blit {
        mask: BlitMask::RGBA,
        filter: TexFilter::Nearest,
        scissor_enable: false,
        render_condition_enable: false,
        alpha_blend: false,
        scissor: Scissor::default(),
        dst: surface(&single),
        src: surface(&ms),
    })?;
    let mut rgba = ctx.download(&single, full)?;
    scene::bgra_to_rgba(&mut rgba);
    env.image("raster_msaa_resolve", W, H, rgba.clone());
    let lime = unorm8(LIME);
    let solid = compare(&rgba, W, H, 0, |x, y| {
        in_triangle(tri, x, y).map(|inside| if inside { lime } else { unorm8(BLACK) })
    });
    // Edge pixels: between a quarter and three quarters covered, in every colour channel.
    let mut edge_bad = Vec::new();
    for x in 2..62 {
        let p = pixel(&rgba, W, x, 63 - x);
        let ok = (0..3).all(|c| {
            let frac = f64::from(p[c]) / f64::from(lime[c]);
            (0.2..=0.8).contains(&frac)
        });
        if !ok {
            edge_bad.push(format!("({x},{}) {p:?}", 63 - x));
        }
    }
    let mid = pixel(&rgba, W, 32, 31);
    Ok(match (solid, edge_bad.is_empty()) {
        (Ok(n), true) => Outcome::pass(format!(
            "4x MSAA BGRA8 target, lime triangle (0,0)-(64,0)-(0,64) resolved by BLIT into a single-sample one: \
             {n} pixels away from the edge exactly lime above it and black below; the 60 pixels the edge \
             crosses at their centre hold 1/4 to 3/4 of lime, e.g. (32,31) = {mid:?}"
        )),
        (solid, _) => Outcome::fail(format!(
            "interior: {}; edge pixels not partly covered: {}",
            solid.err().unwrap_or_else(|| "exact".into()),
            if edge_bad.is_empty() { "none".into() } else { edge_bad.into_iter().take(4).collect::<Vec<_>>().join(", ") }
        )),
    })
}

fn viewport_flip(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let rast = Rasterizer {
        cull_face: CullFace::Back,
        ..Rasterizer::default()
    };
    let (t, _p) = setup(ctx, &rast, None)?;
    // Negative y scale: window y = 32 - 32 * NDC y, so a vertex the usual viewport puts at
    // window y lands at 64 - y, and each triangle's winding in window space reverses.
    ctx.set_viewport(Viewport {
        scale: [W as f32 / 2.0, -(H as f32) / 2.0, 0.5],
        translate: [W as f32 / 2.0, H as f32 / 2.0, 0.5],
    })?;
    let tri = |t: [(f32, f32); 3], c| t.map(|(x, y)| wv(x, y, c));
    let _v1 = scene::draw(ctx, &tri(CCW_TRI, ROSE), PrimMode::Triangles)?;
    let _v2 = scene::draw(ctx, &tri(CW_TRI, AZURE), PrimMode::Triangles)?;
    let bar = (40, 3, 61, 9);
    let _v3 = draw_rect(ctx, bar, LIME)?;
    let mirror = |t: [(f32, f32); 3]| t.map(|(x, y)| (x, H as f32 - y));
    let azure = mirror(CW_TRI);
    let bar_m = (bar.0, H - bar.3, bar.2, H - bar.1);
    let r = read_and_compare(env, "raster_viewport_flip", &t, |x, y| {
        if in_rect(x, y, bar_m) {
            return Some(unorm8(LIME));
        }
        Some(if in_triangle(azure, x, y)? {
            unorm8(AZURE)
        } else {
            unorm8(BLACK)
        })
    })?;
    Ok(verdict(
        r,
        "viewport scale y -32, translate y 32, cull back: the lime bar the usual viewport puts at rows 3..9 lands \
         at rows 55..61; the triangles land mirrored, where the rose one (counter-clockwise under the usual \
         viewport) now runs clockwise and is culled and the azure one is drawn at (36,60)-(60,52)-(36,24)",
    ))
}

fn flatshade(env: &mut Env<'_>, first: bool) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let t = scene::target(ctx, W, H, None)?;
    let rast = Rasterizer {
        flatshade: true,
        flatshade_first: first,
        ..Rasterizer::default()
    };
    let fs = tgsi::parse(
        "FRAG\nDCL IN[0], GENERIC[0], CONSTANT\nDCL OUT[0], COLOR\n  0: MOV OUT[0], IN[0]\n  1: END\n",
    )?;
    let (blend, dsa, _) = scene::default_states();
    let _p = scene::pipeline(ctx, &fs, &blend, &dsa, &rast)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, BLACK))?;
    // Two triangles whose three vertices each carry a different colour.
    let t1 = [(4.0, 4.0), (30.0, 4.0), (4.0, 40.0)];
    let t2 = [(60.0, 24.0), (60.0, 60.0), (30.0, 60.0)];
    let c1 = [ROSE, LIME, AZURE];
    let c2 = [LIME, AZURE, ROSE];
    let verts: Vec<Vertex> = t1
        .iter()
        .zip(c1)
        .chain(t2.iter().zip(c2))
        .map(|(&(x, y), c)| wv(x, y, c))
        .collect();
    let _vb = scene::draw(ctx, &verts, PrimMode::Triangles)?;
    let pick = if first { 0 } else { 2 };
    let (k1, k2) = (unorm8(c1[pick]), unorm8(c2[pick]));
    let name = if first {
        "raster_flatshade_first"
    } else {
        "raster_flatshade_last"
    };
    let r = read_and_compare(env, name, &t, |x, y| {
        Some(if in_triangle(t1, x, y)? {
            k1
        } else if in_triangle(t2, x, y)? {
            k2
        } else {
            unorm8(BLACK)
        })
    })?;
    Ok(verdict(
        r,
        &format!(
            "flatshade with a CONSTANT-interpolated colour, flatshade_first {first}: each triangle is one solid \
             colour, that of its {} vertex ({k1:?} at the top left, {k2:?} at the bottom right)",
            if first { "first" } else { "last" }
        ),
    ))
}

fn primitive_restart(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &Rasterizer::default(), None)?;
    let a = (4, 6, 24, 20);
    let b = (34, 40, 58, 62);
    let mut verts = rect(a.0, a.1, a.2, a.3, ROSE).to_vec();
    verts.extend(rect(b.0, b.1, b.2, b.3, AZURE));
    let vb = buffer(ctx, &vertex_bytes(&verts), bind::VERTEX_BUFFER)?;
    ctx.set_vertex_buffers(&[(32, 0, &vb)])?;
    // One strip through both rectangles, cut by the restart index between them.
    let indices: [u16; 9] = [0, 1, 2, 3, 0xffff, 4, 5, 6, 7];
    let ib_bytes: Vec<u8> = indices.iter().flat_map(|i| i.to_le_bytes()).collect();
    let ib = buffer(ctx, &ib_bytes, bind::INDEX_BUFFER)?;
    ctx.set_index_buffer(Some((&ib, IndexSize::U16, 0)))?;
    ctx.draw(DrawVbo {
        indexed: true,
        primitive_restart: true,
        restart_index: 0xffff,
        min_index: 0,
        max_index: 7,
        ..DrawVbo::arrays(PrimMode::TriangleStrip, 0, 9)
    })?;
    let r = read_and_compare(env, "raster_primitive_restart", &t, |x, y| {
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
        "indexed TRIANGLE_STRIP [0,1,2,3,0xffff,4,5,6,7] with restart index 0xffff: exactly the rose block \
         x 4..24 y 6..20 and the azure block x 34..58 y 40..62, nothing joining them",
    ))
}

fn rasterizer_discard(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &Rasterizer::default(), None)?;
    let discard = ctx.create_rasterizer(&Rasterizer {
        rasterizer_discard: true,
        ..Rasterizer::default()
    })?;
    let normal = ctx.create_rasterizer(&Rasterizer::default())?;
    let a = (4, 4, 40, 30);
    let b = (30, 36, 60, 50);
    ctx.bind(&discard)?;
    let _v1 = draw_rect(ctx, a, ROSE)?;
    ctx.bind(&normal)?;
    let _v2 = draw_rect(ctx, b, AZURE)?;
    let r = read_and_compare(env, "raster_rasterizer_discard", &t, |x, y| {
        Some(unorm8(if in_rect(x, y, b) { AZURE } else { BLACK }))
    })?;
    Ok(verdict(
        r,
        "rose block x 4..40 y 4..30 drawn with rasterizer_discard leaves no pixel; the azure block x 30..60 \
         y 36..50 drawn after switching it off appears exactly",
    ))
}

fn colormask(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let t = scene::target(ctx, W, H, None)?;
    let mut blend = Blend::default();
    // PIPE_MASK_R | PIPE_MASK_A: green and blue keep the clear colour.
    blend.rt[0] = RtBlend {
        colormask: 0b1001,
        ..RtBlend::default()
    };
    let (_, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.2, 0.4, 0.8, 0.2]))?;
    let a = (8, 12, 44, 28);
    let _v = scene::draw(
        ctx,
        &rect(a.0, a.1, a.2, a.3, [0.8, 0.2, 0.4, 1.0]),
        PrimMode::TriangleStrip,
    )?;
    let r = read_and_compare(env, "raster_colormask", &t, |x, y| {
        Some(if in_rect(x, y, a) {
            [204, 102, 204, 255]
        } else {
            [51, 102, 204, 51]
        })
    })?;
    Ok(verdict(
        r,
        "target cleared to (0.2, 0.4, 0.8, 0.2), then (0.8, 0.2, 0.4, 1.0) drawn over x 8..44 y 12..28 with \
         colormask R|A: red and alpha replaced, green and blue kept, giving [204, 102, 204, 255] there",
    ))
}

fn line_strip(env: &mut Env<'_>, mode: PrimMode) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &Rasterizer::default(), None)?;
    // Pixel centres of a rectangle's corners: top left, top right, bottom right, bottom left.
    let (l, r, top, bottom) = (10u32, 50u32, 12u32, 40u32);
    let c = |v: u32| v as f32 + 0.5;
    let _v = scene::draw(
        ctx,
        &[
            wv(c(l), c(top), LIME),
            wv(c(r), c(top), LIME),
            wv(c(r), c(bottom), LIME),
            wv(c(l), c(bottom), LIME),
        ],
        mode,
    )?;
    let closed = mode == PrimMode::LineLoop;
    let near_corner = |x: u32, y: u32| {
        [(l, top), (r, top), (r, bottom), (l, bottom)]
            .iter()
            .any(|&(cx, cy)| x.abs_diff(cx) <= 1 && y.abs_diff(cy) <= 1)
    };
    let name = if closed {
        "raster_line_loop"
    } else {
        "raster_line_strip"
    };
    let res = read_and_compare(env, name, &t, |x, y| {
        if near_corner(x, y) {
            return None;
        }
        let top_side = y == top && (l..=r).contains(&x);
        let right_side = x == r && (top..=bottom).contains(&y);
        let bottom_side = y == bottom && (l..=r).contains(&x);
        let left_side = x == l && (top..=bottom).contains(&y);
        Some(
            if top_side || right_side || bottom_side || (closed && left_side) {
                unorm8(LIME)
            } else {
                unorm8(BLACK)
            },
        )
    })?;
    Ok(verdict(
        res,
        &format!(
            "{mode:?} through pixel centres (10,12), (50,12), (50,40), (10,40): top, right and bottom sides lit{}, \
             everything else black (pixels at the corners unchecked)",
            if closed {
                ", and the closing left side too"
            } else {
                "; no closing left side"
            }
        ),
    ))
}

fn triangle_fan(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &Rasterizer::default(), None)?;
    let p = [(8.0, 8.0), (56.0, 8.0), (56.0, 32.0), (32.0, 56.0)];
    let _v = scene::draw(ctx, &p.map(|(x, y)| wv(x, y, ROSE)), PrimMode::TriangleFan)?;
    // A fan shares vertex 0: triangles (0,1,2) and (0,2,3).
    let (t1, t2) = ([p[0], p[1], p[2]], [p[0], p[2], p[3]]);
    let r = read_and_compare(env, "raster_triangle_fan", &t, |x, y| {
        match (in_triangle(t1, x, y), in_triangle(t2, x, y)) {
            (Some(true), _) | (_, Some(true)) => Some(unorm8(ROSE)),
            (Some(false), Some(false)) => Some(unorm8(BLACK)),
            _ => None,
        }
    })?;
    Ok(verdict(
        r,
        "TRIANGLE_FAN (8,8), (56,8), (56,32), (32,56): the quadrilateral of triangles (0,1,2) and (0,2,3) is \
         rose (a strip's (1,2,3) would leave e.g. (20,24) black), the rest black",
    ))
}
