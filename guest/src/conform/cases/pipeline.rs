//! Pipeline stages, buffers, queries, compute and sub-contexts: uniform buffers in two stages,
//! geometry shaders (amplification, invocations), occlusion / predicate / timestamp /
//! time-elapsed / primitives-generated / primitives-emitted queries (read from the query buffer
//! and with GET_QUERY_RESULT_QBO), conditional rendering (normal and inverted), stream output
//! (capture, append), compute with shader buffers and images, and sub-context isolation.
//!
//! Expected images are rectangles worked out by hand from the viewport `scene::target` sets
//! (window = w/2 + w/2 * ndc, memory row = window y, so NDC y = -1 is row 0); each is placed
//! off-centre so that a vertical or horizontal flip, and colours so that a channel swap, fail.

use virgl_proto::caps::{BoolSet1, CapabilityBits};
use virgl_proto::ccmd::{
    Box3, BufferBinding, Clear, Command, DrawVbo, ImageBinding, LaunchGrid, QueryResultQbo,
    SoOutput, StreamOutput,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::{
    bind, ClearBuffers, PrimMode, QueryType, QueryValueType, RenderCondMode, ShaderType,
};

use crate::conform::pipeline_scene::{self as ps, compare_image, rect, Rect};
use crate::conform::scene::{self, quad, Pipeline, Target};
use crate::conform::{needs, Case};
use crate::conform::{DynTransport, Env, Outcome};
use crate::context::Context;
use crate::error::Result;
use crate::transport::Caps;
use crate::transport::ResourceDesc;

/// The pipeline cases, in the order they run.
pub const CASES: &[Case] = &[
    // Mesa's virgl sizes its constant buffer slots by max_uniform_blocks alone, constant
    // buffer 0 included (virglrenderer leaves the bset UBO bit clear).
    Case::any("ubo_slot1_offset_color", ubo_slot1_offset_color)
        .needs(|c| needs::at_least("max_uniform_blocks", c.v1.max_uniform_blocks, 2)),
    Case::any("ubo_vs_and_fs_slots", ubo_vs_and_fs_slots)
        .needs(|c| needs::at_least("max_uniform_blocks", c.v1.max_uniform_blocks, 3)),
    Case::any("gs_point_to_two_quads", gs_point_to_two_quads).needs(|c| needs_gs(c, 150, 8)),
    Case::any("gs_invocations_copy_strip", gs_invocations_copy_strip).needs(|c| {
        needs::all([
            needs_gs(c, 400, 3),
            needs::at_least("max_streamout_buffers", c.v1.max_streamout_buffers, 1)
                .map(|r| format!("{r} for PRIMITIVES_GENERATED")),
        ])
    }),
    Case::any("query_occlusion_samples", query_occlusion_samples).needs(needs_occlusion),
    Case::any("query_occlusion_depth", query_occlusion_depth)
        .needs(|c| needs::all([needs_occlusion(c), super::basic::needs_depth(c)])),
    Case::any("query_occlusion_predicate", query_occlusion_predicate).needs(needs_occlusion),
    Case::any("query_result_qbo", query_result_qbo).needs(|c| {
        needs::all([
            needs_occlusion(c),
            needs::capability(c, CapabilityBits::QBO),
        ])
    }),
    Case::any("query_timestamp_order", query_timestamp_order)
        .needs(|c| needs::bools(c, BoolSet1::TIMER_QUERY)),
    Case::any("query_time_elapsed", query_time_elapsed)
        .needs(|c| needs::bools(c, BoolSet1::TIMER_QUERY)),
    Case::any("query_primitives_generated", query_primitives_generated).needs(|c| {
        needs_streamout(c, 1).map(|r| format!("{r}: PRIMITIVES_GENERATED comes with it"))
    }),
    Case::any("render_condition_occlusion", render_condition_occlusion)
        .needs(|c| needs::bools(c, BoolSet1::OCCLUSION_QUERY | BoolSet1::CONDITIONAL_RENDER)),
    Case::any("render_condition_inverted", render_condition_inverted).needs(|c| {
        needs::bools(
            c,
            BoolSet1::OCCLUSION_QUERY
                | BoolSet1::CONDITIONAL_RENDER
                | BoolSet1::CONDITIONAL_RENDER_INVERTED,
        )
    }),
    Case::any("streamout_capture_vs", streamout_capture_vs).needs(|c| needs_streamout(c, 1)),
    Case::any("streamout_append", streamout_append).needs(|c| needs_streamout(c, 1)),
    Case::any("streamout_two_buffers", streamout_two_buffers).needs(|c| needs_streamout(c, 2)),
    Case::any("streamout_from_gs", streamout_from_gs)
        .needs(|c| needs::all([needs_streamout(c, 1), needs_gs(c, 150, 6)])),
    Case::any("compute_ssbo_invocation_id", compute_ssbo_invocation_id)
        .needs(|c| needs_compute(c, 1, 0)),
    Case::any("compute_ssbo_load_store", compute_ssbo_load_store).needs(|c| needs_compute(c, 2, 0)),
    Case::any("compute_image_store", compute_image_store).needs(|c| {
        needs::all([
            needs_compute(c, 0, 1),
            needs::sampler(c, Format::R8G8B8A8_UINT),
        ])
    }),
    Case::any("compute_indirect_grid", compute_indirect_grid).needs(|c| needs_compute(c, 1, 0)),
    Case::any("fs_ssbo_atomic_count", fs_ssbo_atomic_count).needs(|c| {
        needs::all([
            needs::integers(c),
            needs::v2_at_least(
                c,
                "max_shader_buffer_frag_compute",
                |v2| v2.max_shader_buffer_frag_compute,
                1,
                false,
            ),
        ])
    }),
    Case::any("sub_ctx_state_isolated", sub_ctx_state_isolated),
];

/// Geometry shaders at `glsl_level` >= `level` with `max_geom_output_vertices` >= `vertices`
/// (their TGSI uses integer immediates and opcodes too).
fn needs_gs(caps: &Caps, level: u32, vertices: u32) -> Option<String> {
    needs::all([
        needs::at_least("glsl_level", caps.v1.glsl_level, level)
            .map(|r| format!("{r} for geometry shaders")),
        needs::v2_at_least(
            caps,
            "max_geom_output_vertices",
            |v2| v2.max_geom_output_vertices,
            vertices,
            false,
        ),
    ])
}

fn needs_occlusion(caps: &Caps) -> Option<String> {
    needs::bools(caps, BoolSet1::OCCLUSION_QUERY)
}

fn needs_streamout(caps: &Caps, buffers: u32) -> Option<String> {
    needs::at_least(
        "max_streamout_buffers",
        caps.v1.max_streamout_buffers,
        buffers,
    )
}

/// Compute shaders (integer TGSI) with `buffers` shader buffers and `images` images.
fn needs_compute(caps: &Caps, buffers: u32, images: u32) -> Option<String> {
    needs::all([
        needs::capability(caps, CapabilityBits::COMPUTE_SHADER),
        needs::integers(caps),
        needs::v2_at_least(
            caps,
            "max_shader_buffer_frag_compute",
            |v2| v2.max_shader_buffer_frag_compute,
            buffers,
            true,
        ),
        needs::v2_at_least(
            caps,
            "max_shader_image_frag_compute",
            |v2| v2.max_shader_image_frag_compute,
            images,
            true,
        ),
    ])
}

/// The vertex shader the stream-output cases capture: position as is, and
/// OUT[1] = 2 * IN[1] + IN[0].yxwz.
const CAPTURE_VS: &str =
    "VERT\nDCL IN[0]\nDCL IN[1]\nDCL OUT[0], POSITION\nDCL OUT[1], GENERIC[0]\n\
     IMM[0] FLT32 { 2.0000, 0.0000, 0.0000, 0.0000 }\n\
     0: MOV OUT[0], IN[0]\n1: MAD OUT[1], IN[1], IMM[0].xxxx, IN[0].yxwz\n2: END\n";

/// One stream-output binding on stream 0: `components` of output `register` from `start`,
/// to `buffer` at dword `offset`.
fn so_output(register: u8, start: u8, components: u8, buffer: u8, offset: u16) -> SoOutput {
    SoOutput {
        register_index: register,
        start_component: start,
        num_components: components,
        output_buffer: buffer,
        dst_offset: offset,
        stream: 0,
    }
}

/// The clear colour of every rendering case here: opaque black.
const BLACK: [u8; 4] = [0, 0, 0, 255];

/// A 64x64 target cleared to black with the pass-through VS and `fs` bound.
fn setup(
    ctx: &mut Context<DynTransport>,
    fs: &virgl_proto::tgsi::Shader,
) -> Result<(Target, Pipeline)> {
    let t = scene::target(ctx, 64, 64, None)?;
    let (blend, dsa, rast) = scene::default_states();
    let p = scene::pipeline(ctx, fs, &blend, &dsa, &rast)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 0.0, 1.0]))?;
    Ok((t, p))
}

/// Draws the NDC rectangle `x0..x1`, `y0..y1` in `color` as a 4-vertex strip.
fn fill(
    ctx: &mut Context<DynTransport>,
    (x0, y0, x1, y1): (f32, f32, f32, f32),
    color: [f32; 4],
) -> Result<crate::Resource> {
    scene::draw(
        ctx,
        &quad(x0, y0, x1, y1, 0.0, color),
        PrimMode::TriangleStrip,
    )
}

/// Reads the target, keeps it for `--save-png`, and compares it with black plus `rects`.
fn check_image(
    env: &mut Env<'_>,
    t: &Target,
    name: &str,
    rects: &[Rect],
) -> Result<Option<String>> {
    let rgba = scene::read_rgba(&mut env.ctx, t)?;
    env.image(name, t.width, t.height, rgba.clone());
    Ok(compare_image(&rgba, t.width, BLACK, rects, 1))
}

/// The host's capset 2, where it offers one.
fn v2(env: &Env<'_>) -> Option<virgl_proto::caps::CapsV2> {
    env.ctx.caps().v2
}

/// A fragment shader reads constant buffer 1, bound with SET_UNIFORM_BUFFER at a non-zero
/// offset, and writes the sum of two of its vectors.
fn ubo_slot1_offset_color(env: &mut Env<'_>) -> Result<Outcome> {
    let align = v2(env).map_or(256, |c| c.uniform_buffer_offset_alignment.max(16));
    let fs = virgl_proto::tgsi::parse(
        "FRAG\nPROPERTY FS_COLOR0_WRITES_ALL_CBUFS 1\nDCL OUT[0], COLOR\nDCL CONST[1][0..2]\n\
         0: ADD OUT[0], CONST[1][1], CONST[1][2]\n1: END\n",
    )?;
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &fs)?;
    // Before the offset: all ones, which would turn the result white-ish if the offset were lost.
    let mut words = vec![1.0f32; (align / 4) as usize];
    words.extend([
        1.0, 1.0, 1.0, 1.0, // [0]: unused
        0.6, 0.2, 0.0, 0.5, // [1]
        0.2, 0.2, 0.4, 0.5, // [2]
    ]);
    let bytes: Vec<u8> = words.iter().flat_map(|f| f.to_le_bytes()).collect();
    let ubo = ctx.create_resource(&ResourceDesc::buffer(
        bytes.len() as u32,
        bind::CONSTANT_BUFFER,
    ))?;
    ctx.upload(&ubo, Box3::new_2d(0, 0, bytes.len() as u32, 1), &bytes)?;
    ctx.push(&Command::SetUniformBuffer {
        shader_type: ShaderType::Fragment,
        index: 1,
        offset: align,
        length: 48,
        resource: ubo.id().0,
    })?;
    // NDC x -1..0.5, y -1..-0.5 -> window x 0..48, y 0..16 (rows 0..16).
    let _vb = fill(ctx, (-1.0, -1.0, 0.5, -0.5), [0.0; 4])?;
    // (0.6+0.2, 0.2+0.2, 0.0+0.4, 0.5+0.5) = (0.8, 0.4, 0.4, 1.0).
    let want = [204, 102, 102, 255];
    Ok(
        match check_image(
            env,
            &t,
            "ubo_slot1_offset_color",
            &[rect(0, 0, 48, 16, want)],
        )? {
            None => Outcome::pass(format!(
                "UBO in slot 1 at offset {align}: FS writes CONST[1][1] + CONST[1][2] = {want:?} \
                 exactly on pixels x 0..48, rows 0..16 (NDC -1..0.5, -1..-0.5), black elsewhere"
            )),
            Some(d) => Outcome::fail(d),
        },
    )
}

/// A geometry shader turns one point into two 4-vertex strips: a square around the point in
/// its colour and the same square moved +1.0 in x with red and blue swapped.
fn gs_point_to_two_quads(env: &mut Env<'_>) -> Result<Outcome> {
    let mut gs = String::from(
        "GEOM\nPROPERTY GS_INPUT_PRIMITIVE POINTS\nPROPERTY GS_OUTPUT_PRIMITIVE TRIANGLE_STRIP\n\
         PROPERTY GS_MAX_OUTPUT_VERTICES 8\nPROPERTY GS_INVOCATIONS 1\n\
         DCL IN[][0], POSITION\nDCL IN[][1], GENERIC[0]\nDCL OUT[0], POSITION\n\
         DCL OUT[1], GENERIC[0]\n\
         IMM[0] FLT32 { -0.2500, 0.2500, 0.0000, 0.0000 }\n\
         IMM[1] FLT32 { 0.7500, 1.2500, 0.0000, 0.0000 }\n\
         IMM[2] INT32 { 0, 0, 0, 0 }\n",
    );
    for (imm, color) in [(0, "xyzw"), (1, "zyxw")] {
        for corner in ["xxzz", "yxzz", "xyzz", "yyzz"] {
            // x offset from IMM[imm], y offset from IMM[0]: the square's corners.
            let (cx, cy) = (&corner[0..1], &corner[1..2]);
            gs.push_str(&format!(
                "ADD OUT[0].x, IN[0][0].xxxx, IMM[{imm}].{cx}{cx}{cx}{cx}\n\
                 ADD OUT[0].y, IN[0][0].yyyy, IMM[0].{cy}{cy}{cy}{cy}\n\
                 MOV OUT[0].zw, IN[0][0].xxzw\n\
                 MOV OUT[1], IN[0][1].{color}\nEMIT IMM[2].xxxx\n"
            ));
        }
        gs.push_str("ENDPRIM IMM[2].xxxx\n");
    }
    gs.push_str("END\n");
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &scene::fs_color())?;
    let gs = ps::shader(ctx, &gs)?;
    ctx.bind_shader(ShaderType::Geometry, Some(&gs))?;
    let point = [-0.5, -0.5, 0.0, 1.0, 0.8, 0.4, 0.2, 1.0];
    let _vb = scene::draw(ctx, &[point], PrimMode::Points)?;
    ctx.bind_shader(ShaderType::Geometry, None)?;
    // Square: NDC -0.75..-0.25 -> window 8..24 both ways. Moved square: x 0.25..0.75 -> 40..56.
    let rects = [
        rect(8, 8, 24, 24, [204, 102, 51, 255]),
        rect(40, 8, 56, 24, [51, 102, 204, 255]),
    ];
    Ok(
        match check_image(env, &t, "gs_point_to_two_quads", &rects)? {
            None => Outcome::pass(
                "GS from one point at NDC (-0.5,-0.5) emits two strips: (204,102,51) on x 8..24 \
             and its red/blue swap (51,102,204) on x 40..56, both on rows 8..24; black elsewhere",
            ),
            Some(d) => Outcome::fail(d),
        },
    )
}

/// An occlusion counter around a 24x16 rectangle counts exactly its 384 samples.
fn query_occlusion_samples(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &scene::fs_color())?;
    let q = ps::create_query(ctx, QueryType::OcclusionCounter)?;
    ctx.push(&Command::BeginQuery(q.object.handle()))?;
    // NDC x -0.5..0.25, y -1..-0.5 -> window x 16..40, rows 0..16: 24 * 16 = 384 pixels.
    let _vb = fill(ctx, (-0.5, -1.0, 0.25, -0.5), [0.2, 0.8, 0.4, 1.0])?;
    ctx.push(&Command::EndQuery(q.object.handle()))?;
    let samples = ps::query_result(ctx, &q)?;
    let image = check_image(
        env,
        &t,
        "query_occlusion_samples",
        &[rect(16, 0, 40, 16, [51, 204, 102, 255])],
    )?;
    Ok(match (samples, image) {
        (384, None) => Outcome::pass(
            "OCCLUSION_COUNTER around a 24x16 rectangle (x 16..40, rows 0..16, single-sampled) \
             reads back 384 from the query buffer; the image matches",
        ),
        (n, d) => Outcome::fail(format!(
            "samples passed {n} (expected 384); image: {}",
            d.unwrap_or_else(|| "matches".into())
        )),
    })
}

/// An occlusion count under the depth test, of one draw whose second quad is tested against
/// what its first wrote: only fragments that pass count, in draw order.
fn query_occlusion_depth(env: &mut Env<'_>) -> Result<Outcome> {
    use virgl_proto::ccmd::{DepthState, Dsa};
    use virgl_proto::pipe::CompareFunc;
    let ctx = &mut env.ctx;
    let zformat = super::basic::depth_format(&ctx.caps().v1).expect("the needs check it");
    let depth = ctx.create_resource(&ResourceDesc::texture_2d(
        zformat,
        64,
        64,
        bind::DEPTH_STENCIL,
    ))?;
    let zsurf = ctx.create_surface(&depth, zformat)?;
    let t = scene::target(ctx, 64, 64, Some(&zsurf))?;
    let dsa = Dsa {
        depth: DepthState {
            enabled: true,
            writemask: true,
            func: CompareFunc::Less,
        },
        ..Dsa::default()
    };
    let (blend, _, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    ctx.clear(Clear {
        buffers: ClearBuffers::COLOR0 | ClearBuffers::DEPTH | ClearBuffers::STENCIL,
        color: [0.0f32, 0.0, 0.0, 1.0].map(f32::to_bits),
        depth: 1.0,
        stencil: 0,
    })?;
    // Before the query, depth 0.5 at x 0..32, rows 0..16.
    let (red, green, blue) = (
        [1.0, 0.0, 0.0, 1.0],
        [0.0, 1.0, 0.0, 1.0],
        [0.0, 0.0, 1.0, 1.0],
    );
    let first = scene::draw(
        ctx,
        &quad(-1.0, -1.0, 0.0, -0.5, 0.0, red),
        PrimMode::TriangleStrip,
    )?;
    let q = ps::create_query(ctx, QueryType::OcclusionCounter)?;
    ctx.push(&Command::BeginQuery(q.object.handle()))?;
    // One draw: depth 0.25 at x 16..48 passes all 512 pixels; then depth 0.75 at x 8..56
    // passes only at x 48..56 (128), where nothing nearer was written.
    let strip = |v: [scene::Vertex; 4]| [v[0], v[1], v[2], v[2], v[1], v[3]];
    let mut vertices = strip(quad(-0.5, -1.0, 0.5, -0.5, -0.5, green)).to_vec();
    vertices.extend(strip(quad(-0.75, -1.0, 0.75, -0.5, 0.5, blue)));
    let second = scene::draw(ctx, &vertices, PrimMode::Triangles)?;
    ctx.push(&Command::EndQuery(q.object.handle()))?;
    let samples = ps::query_result(ctx, &q)?;
    drop((first, second));
    let image = check_image(
        env,
        &t,
        "query_occlusion_depth",
        &[
            rect(0, 0, 16, 16, [255, 0, 0, 255]),
            rect(16, 0, 48, 16, [0, 255, 0, 255]),
            rect(48, 0, 56, 16, [0, 0, 255, 255]),
        ],
    )?;
    Ok(match (samples, image) {
        (640, None) => Outcome::pass(format!(
            "{zformat:?} depth, LESS: one draw of a near quad (512 pixels pass) then a far one \
             (128 pass, beside the near one) counts 640; the image matches"
        )),
        (n, d) => Outcome::fail(format!(
            "samples passed {n} (expected 640 = 512 + 128); image: {}",
            d.unwrap_or_else(|| "matches".into())
        )),
    })
}

/// Two timestamps around a draw: both non-zero, the second not earlier.
fn query_timestamp_order(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &scene::fs_color())?;
    let first = ps::create_query(ctx, QueryType::Timestamp)?;
    let second = ps::create_query(ctx, QueryType::Timestamp)?;
    // A timestamp has no begin: END_QUERY records it.
    ctx.push(&Command::EndQuery(first.object.handle()))?;
    let _vb = fill(ctx, (0.0, 0.5, 1.0, 1.0), [0.4, 0.2, 1.0, 1.0])?;
    ctx.push(&Command::EndQuery(second.object.handle()))?;
    let t1 = ps::query_result(ctx, &first)?;
    let t2 = ps::query_result(ctx, &second)?;
    // NDC x 0..1, y 0.5..1 -> x 32..64, rows 48..64.
    let image = check_image(
        env,
        &t,
        "query_timestamp_order",
        &[rect(32, 48, 64, 64, [102, 51, 255, 255])],
    )?;
    Ok(if t1 != 0 && t2 >= t1 && image.is_none() {
        Outcome::pass(format!(
            "TIMESTAMP before and after a draw: {t1} then {t2} ns ({} ns apart), both non-zero \
             and in order; the draw landed on x 32..64, rows 48..64",
            t2 - t1
        ))
    } else {
        Outcome::fail(format!(
            "timestamps {t1} then {t2} (want non-zero, second >= first); image: {}",
            image.unwrap_or_else(|| "matches".into())
        ))
    })
}

/// PRIMITIVES_GENERATED around a 6-vertex strip (4 triangles) and a 6-vertex list (2).
fn query_primitives_generated(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &scene::fs_color())?;
    let q = ps::create_query(ctx, QueryType::PrimitivesGenerated)?;
    ctx.push(&Command::BeginQuery(q.object.handle()))?;
    let red = [1.0, 0.0, 0.2, 1.0];
    let v = |x: f32, y: f32| [x, y, 0.0, 1.0, red[0], red[1], red[2], red[3]];
    // A band NDC x -1..0.5, y -0.75..-0.25 as a 6-vertex strip: 4 triangles.
    let strip = [
        v(-1.0, -0.75),
        v(-1.0, -0.25),
        v(-0.25, -0.75),
        v(-0.25, -0.25),
        v(0.5, -0.75),
        v(0.5, -0.25),
    ];
    let _a = scene::draw(ctx, &strip, PrimMode::TriangleStrip)?;
    let g = |x: f32, y: f32| [x, y, 0.0, 1.0, 0.0, 0.6, 1.0, 1.0];
    // NDC x 0.5..1, y 0.25..0.75 as two separate triangles.
    let list = [
        g(0.5, 0.25),
        g(1.0, 0.25),
        g(0.5, 0.75),
        g(1.0, 0.25),
        g(1.0, 0.75),
        g(0.5, 0.75),
    ];
    let _b = scene::draw(ctx, &list, PrimMode::Triangles)?;
    ctx.push(&Command::EndQuery(q.object.handle()))?;
    let n = ps::query_result(ctx, &q)?;
    // Band: x 0..48, rows 8..24. Square: x 48..64, rows 40..56.
    let rects = [
        rect(0, 8, 48, 24, [255, 0, 51, 255]),
        rect(48, 40, 64, 56, [0, 153, 255, 255]),
    ];
    let image = check_image(env, &t, "query_primitives_generated", &rects)?;
    Ok(match (n, image) {
        (6, None) => Outcome::pass(
            "PRIMITIVES_GENERATED over a 6-vertex strip and a 6-vertex triangle list reads 6; \
             band x 0..48 rows 8..24 and square x 48..64 rows 40..56 drawn as expected",
        ),
        (n, d) => Outcome::fail(format!(
            "primitives generated {n} (expected 6); image: {}",
            d.unwrap_or_else(|| "matches".into())
        )),
    })
}

/// Conditional rendering on occlusion counters: a draw conditioned on a query that saw samples
/// appears, one conditioned on a query that saw none does not, and after the condition is
/// cleared drawing is unconditional again.
fn render_condition_occlusion(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &scene::fs_color())?;
    let passed = ps::create_query(ctx, QueryType::OcclusionCounter)?;
    let failed = ps::create_query(ctx, QueryType::OcclusionCounter)?;
    let mut vbs = Vec::new();
    ctx.push(&Command::BeginQuery(passed.object.handle()))?;
    // Visible: NDC x -1..-0.5, y -1..-0.5 -> x 0..16, rows 0..16.
    vbs.push(fill(ctx, (-1.0, -1.0, -0.5, -0.5), [0.2, 0.2, 0.2, 1.0])?);
    ctx.push(&Command::EndQuery(passed.object.handle()))?;
    ctx.push(&Command::BeginQuery(failed.object.handle()))?;
    // Entirely outside the viewport (NDC x 1.5..2): no samples.
    vbs.push(fill(ctx, (1.5, -1.0, 2.0, 1.0), [1.0, 1.0, 1.0, 1.0])?);
    ctx.push(&Command::EndQuery(failed.object.handle()))?;
    let cond = |query| Command::SetRenderCondition {
        query,
        condition: false,
        mode: RenderCondMode::Wait,
    };
    ctx.push(&cond(passed.object.handle()))?;
    // Should appear: NDC x 0..1, y -1..0 -> x 32..64, rows 0..32.
    vbs.push(fill(ctx, (0.0, -1.0, 1.0, 0.0), [0.0, 1.0, 0.4, 1.0])?);
    // A condition ends (query 0) before the next begins, as Mesa's state tracker does.
    ctx.push(&cond(0))?;
    ctx.push(&cond(failed.object.handle()))?;
    // Should not appear: NDC x -1..0, y 0..1 -> x 0..32, rows 32..64.
    vbs.push(fill(ctx, (-1.0, 0.0, 0.0, 1.0), [1.0, 0.0, 0.0, 1.0])?);
    ctx.push(&cond(0))?;
    // Unconditional again: NDC x 0.5..1, y 0.5..1 -> x 48..64, rows 48..64.
    vbs.push(fill(ctx, (0.5, 0.5, 1.0, 1.0), [0.4, 0.0, 1.0, 1.0])?);
    let rects = [
        rect(0, 0, 16, 16, [51, 51, 51, 255]),
        rect(32, 0, 64, 32, [0, 255, 102, 255]),
        rect(48, 48, 64, 64, [102, 0, 255, 255]),
    ];
    let counts = (
        ps::query_result(ctx, &passed)?,
        ps::query_result(ctx, &failed)?,
    );
    // Whether samples passed is what a condition reads: hosts that only know whether any
    // did (GLES) count 1 for the visible quad, and query_occlusion_samples checks exact counts.
    if counts.0 == 0 || counts.1 != 0 {
        return Ok(Outcome::fail(format!(
            "the two occlusion queries counted {counts:?}, expected samples passed (256, or 1 \
             where the host only tells whether any did) and none"
        )));
    }
    Ok(
        match check_image(env, &t, "render_condition_occlusion", &rects)? {
            None => Outcome::pass(format!(
                "draw under a condition whose query saw samples (it counted {} of 256) appears \
                 (x 32..64, rows 0..32); under one whose query saw none (clipped quad) it does \
                 not (x 0..32, rows 32..64 stay black); after SET_RENDER_CONDITION 0 the next \
                 draw appears",
                counts.0
            )),
            Some(d) => Outcome::fail(d),
        },
    )
}

/// Stream output captures a vertex shader's outputs: OUT[1] = 2 * colour + position.yxwz (all
/// four components) and OUT[0].xy after it, 6 dwords a vertex, with the rasterizer discarding.
/// The buffer must hold exactly those values computed on the CPU, and the bytes after the three
/// records stay as uploaded.
fn streamout_capture_vs(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let t = scene::target(ctx, 64, 64, None)?;
    let (blend, dsa, mut rast) = scene::default_states();
    rast.rasterizer_discard = true;
    let _p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 0.0, 1.0]))?;
    let so = StreamOutput {
        stride: [6, 0, 0, 0],
        outputs: vec![so_output(1, 0, 4, 0, 0), so_output(0, 0, 2, 0, 4)],
    };
    let vs = ps::shader_with_so(ctx, ShaderType::Vertex, CAPTURE_VS, so)?;
    ctx.bind_shader(ShaderType::Vertex, Some(&vs))?;
    let size = 128u32;
    let (buf, target, before) = ps::streamout_buffer(ctx, size, 31)?;
    let emitted = ps::create_query(ctx, QueryType::PrimitivesEmitted)?;
    ctx.push(&Command::SetStreamoutTargets {
        append_bitmask: 0,
        targets: vec![target.handle()],
    })?;
    let verts: [scene::Vertex; 3] = [
        [-0.5, -0.25, 0.0, 1.0, 0.1, 0.2, 0.3, 0.4],
        [0.75, -0.5, 0.5, 1.0, 0.5, 0.6, 0.7, 0.8],
        [0.25, 0.5, -0.5, 1.0, 1.0, 0.0, -1.0, 2.0],
    ];
    ctx.push(&Command::BeginQuery(emitted.object.handle()))?;
    let _vb = scene::draw(ctx, &verts, PrimMode::Triangles)?;
    ctx.push(&Command::EndQuery(emitted.object.handle()))?;
    ctx.push(&Command::SetStreamoutTargets {
        append_bitmask: 0,
        targets: vec![],
    })?;
    let got = ctx.download(&buf, Box3::new_2d(0, 0, size, 1))?;
    let prims = ps::query_result(ctx, &emitted)?;
    let mut want = Vec::new();
    for v in &verts {
        let (p, c) = (&v[0..4], &v[4..8]);
        let swz = [p[1], p[0], p[3], p[2]];
        want.extend((0..4).map(|i| 2.0 * c[i] + swz[i]));
        want.extend([p[0], p[1]]);
    }
    let floats = ps::f32s(&got[..72]);
    if let Some(i) = (0..18).find(|&i| (floats[i] - want[i]).abs() > 1e-5) {
        return Ok(Outcome::fail(format!(
            "captured dword {i} (vertex {}, dword {}) is {}, expected {}; all: {floats:?}",
            i / 6,
            i % 6,
            floats[i],
            want[i]
        )));
    }
    if got[72..] != before[72..] {
        return Ok(Outcome::fail(
            "bytes after the three 24-byte records changed",
        ));
    }
    if prims != 1 {
        return Ok(Outcome::fail(format!(
            "PRIMITIVES_EMITTED is {prims}, expected 1"
        )));
    }
    Ok(match check_image(env, &t, "streamout_capture_vs", &[])? {
        None => Outcome::pass(
            "3 vertices captured as 6-dword records (2*colour + pos.yxwz, then pos.xy) equal \
             the CPU's values within 1e-5; bytes 72..128 untouched; PRIMITIVES_EMITTED 1; \
             rasterizer discard left the target black",
        ),
        Some(d) => Outcome::fail(format!("with rasterizer discard: {d}")),
    })
}

/// A compute shader launched as 4 blocks of 4 threads writes 3 * id * id + 7 at dword `id`
/// (id = block * 4 + thread) of a shader buffer; the 4 dwords after the 16 it covers keep
/// their uploaded values.
fn compute_ssbo_invocation_id(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let cs = ps::shader(ctx, CS_SQUARES)?;
    let size = 80u32;
    let before = scene::pattern(size as usize, 57);
    let buf = ctx.create_resource(&ResourceDesc::buffer(size, bind::SHADER_BUFFER))?;
    ctx.upload(&buf, Box3::new_2d(0, 0, size, 1), &before)?;
    ctx.bind_shader(ShaderType::Compute, Some(&cs))?;
    ctx.push(&Command::SetShaderBuffers {
        shader_type: ShaderType::Compute,
        start_slot: 0,
        buffers: vec![BufferBinding {
            offset: 0,
            length: size,
            resource: buf.id().0,
        }],
    })?;
    ctx.push(&Command::LaunchGrid(LaunchGrid {
        block: [4, 1, 1],
        grid: [4, 1, 1],
        indirect_resource: 0,
        indirect_offset: 0,
    }))?;
    ctx.push(&Command::MemoryBarrier(BARRIER_ALL))?;
    let got = ctx.download(&buf, Box3::new_2d(0, 0, size, 1))?;
    let words = ps::u32s(&got[..64]);
    let want: Vec<u32> = (0..16u32).map(|id| 3 * id * id + 7).collect();
    Ok(if words != want {
        Outcome::fail(format!("dwords 0..16 are {words:?}, expected {want:?}"))
    } else if got[64..] != before[64..] {
        Outcome::fail("bytes 64..80, beyond the 16 invocations, changed")
    } else {
        Outcome::pass(
            "LAUNCH_GRID 4x1x1 blocks of 4x1x1: dword id = block*4 + thread of the shader \
             buffer holds 3*id*id + 7 (7, 10, 19, ... 682); bytes 64..80 untouched",
        )
    })
}

/// `PIPE_BARRIER_SHADER_BUFFER | TEXTURE | IMAGE | UPDATE_BUFFER | UPDATE_TEXTURE`: shader
/// writes become visible to later shaders and to transfers.
const BARRIER_ALL: u32 = 1 << 1 | 1 << 7 | 1 << 8 | 1 << 12 | 1 << 13;

/// `PIPE_IMAGE_ACCESS_WRITE`.
const IMAGE_ACCESS_WRITE: u32 = 2;

/// A compute shader launched as 1x2 blocks of 8x4 threads stores, at texel (x, y) of an 8x10
/// RGBA8_UINT image, (30x+5, 20y+3, 8y+x, 250-x-y); rows 8 and 9, outside the grid, keep their
/// uploaded bytes. Texel (x, y) is memory row y: image coordinates are not flipped.
fn compute_image_store(env: &mut Env<'_>) -> Result<Outcome> {
    let format = Format::R8G8B8A8_UINT;
    let ctx = &mut env.ctx;
    let cs = ps::shader(
        ctx,
        "COMP\nPROPERTY CS_FIXED_BLOCK_WIDTH 8\nPROPERTY CS_FIXED_BLOCK_HEIGHT 4\n\
         PROPERTY CS_FIXED_BLOCK_DEPTH 1\nDCL SV[0], THREAD_ID\nDCL SV[1], BLOCK_ID\n\
         DCL IMAGE[0], 2D, PIPE_FORMAT_R8G8B8A8_UINT, WR\nDCL TEMP[0..1]\n\
         IMM[0] UINT32 { 8, 4, 30, 5 }\nIMM[1] UINT32 { 20, 3, 250, 0 }\n\
         0: UMAD TEMP[0].xy, SV[1].xyyy, IMM[0].xyyy, SV[0].xyyy\n\
         1: UMAD TEMP[1].x, TEMP[0].xxxx, IMM[0].zzzz, IMM[0].wwww\n\
         2: UMAD TEMP[1].y, TEMP[0].yyyy, IMM[1].xxxx, IMM[1].yyyy\n\
         3: UMAD TEMP[1].z, TEMP[0].yyyy, IMM[0].xxxx, TEMP[0].xxxx\n\
         4: UADD TEMP[1].w, TEMP[0].xxxx, TEMP[0].yyyy\n\
         5: INEG TEMP[1].w, TEMP[1].wwww\n\
         6: UADD TEMP[1].w, TEMP[1].wwww, IMM[1].zzzz\n\
         7: STORE IMAGE[0], TEMP[0].xyyy, TEMP[1], 2D, PIPE_FORMAT_R8G8B8A8_UINT\n8: END\n",
    )?;
    let (w, h) = (8u32, 10u32);
    let tex = ctx.create_resource(&ResourceDesc::texture_2d(format, w, h, bind::SAMPLER_VIEW))?;
    let before = scene::pattern((w * h * 4) as usize, 91);
    ctx.upload(&tex, Box3::new_2d(0, 0, w, h), &before)?;
    ctx.bind_shader(ShaderType::Compute, Some(&cs))?;
    ctx.push(&Command::SetShaderImages {
        shader_type: ShaderType::Compute,
        start_slot: 0,
        images: vec![ImageBinding {
            format,
            access: IMAGE_ACCESS_WRITE,
            layer_offset: 0,
            level_size: 0,
            resource: tex.id().0,
        }],
    })?;
    ctx.push(&Command::LaunchGrid(LaunchGrid {
        block: [8, 4, 1],
        grid: [1, 2, 1],
        indirect_resource: 0,
        indirect_offset: 0,
    }))?;
    ctx.push(&Command::MemoryBarrier(BARRIER_ALL))?;
    let got = ctx.download(&tex, Box3::new_2d(0, 0, w, h))?;
    let mut want = before;
    for y in 0..8u32 {
        for x in 0..w {
            let i = ((y * w + x) * 4) as usize;
            want[i..i + 4].copy_from_slice(&[
                (30 * x + 5) as u8,
                (20 * y + 3) as u8,
                (8 * y + x) as u8,
                (250 - x - y) as u8,
            ]);
        }
    }
    Ok(match scene::first_difference(&got, &want) {
        None => Outcome::pass(
            "LAUNCH_GRID 1x2 blocks of 8x4 storing (30x+5, 20y+3, 8y+x, 250-x-y) into an 8x10 \
             RGBA8_UINT image: texel (x, y) read back at memory row y, byte-exact; rows 8..10 \
             keep their uploaded bytes",
        ),
        Some(d) => Outcome::fail(format!("8x10 image after the dispatch: {d}")),
    })
}

/// Two sub-contexts each get their own framebuffer, shaders, constants and vertex buffer.
/// Sub-context 2 draws; back in sub-context 1 a bare DRAW_VBO must use sub-context 1's state
/// (its rectangle, its constant colour, its target), and sub-context 2's state is intact after.
fn sub_ctx_state_isolated(env: &mut Env<'_>) -> Result<Outcome> {
    const SECOND: u32 = 2;
    let ctx = &mut env.ctx;
    // Sub-context 1 (the context's own): target A, constant colour, vertex buffer for a
    // rectangle at NDC x -1..0, y -1..-0.5 -> x 0..16, rows 0..8 of 32x32.
    let ta = scene::target(ctx, 32, 32, None)?;
    let (blend, dsa, rast) = scene::default_states();
    let _pa = scene::pipeline(ctx, &scene::fs_constant(), &blend, &dsa, &rast)?;
    ctx.set_constants(ShaderType::Fragment, 0, &[0.2, 0.4, 1.0, 1.0])?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 0.0, 1.0]))?;
    let vb_a = vertex_buffer(ctx, &quad(-1.0, -1.0, 0.0, -0.5, 0.0, [0.0; 4]))?;
    ctx.set_vertex_buffers(&[(32, 0, &vb_a)])?;
    // Sub-context 2: target B, interpolated colour, NDC x 0.5..1, y 0..1 -> x 24..32, rows 16..32.
    ctx.push(&Command::CreateSubCtx(SECOND))?;
    ctx.push(&Command::SetSubCtx(SECOND))?;
    let tb = scene::target(ctx, 32, 32, None)?;
    let pb = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 0.0, 1.0]))?;
    let vb_b = vertex_buffer(ctx, &quad(0.5, 0.0, 1.0, 1.0, 0.0, [1.0, 0.6, 0.0, 1.0]))?;
    ctx.set_vertex_buffers(&[(32, 0, &vb_b)])?;
    ctx.draw(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 4))?;
    // Back to 1: nothing rebound.
    ctx.push(&Command::SetSubCtx(SUB_CTX_FIRST))?;
    ctx.draw(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 4))?;
    // And 2 again, then tidy it away.
    ctx.push(&Command::SetSubCtx(SECOND))?;
    ctx.draw(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 4))?;
    let tb_tex = {
        let Target { tex, _surface, .. } = tb;
        drop((_surface, pb));
        ctx.flush()?;
        tex
    };
    ctx.push(&Command::SetSubCtx(SUB_CTX_FIRST))?;
    ctx.push(&Command::DestroySubCtx(SECOND))?;
    let a = scene::read_rgba(ctx, &ta)?;
    let mut b = ctx.download(&tb_tex, Box3::new_2d(0, 0, 32, 32))?;
    scene::bgra_to_rgba(&mut b);
    env.image("sub_ctx_state_isolated_a", 32, 32, a.clone());
    env.image("sub_ctx_state_isolated_b", 32, 32, b.clone());
    let want_a = [rect(0, 0, 16, 8, [51, 102, 255, 255])];
    let want_b = [rect(24, 16, 32, 32, [255, 153, 0, 255])];
    let da = compare_image(&a, 32, BLACK, &want_a, 1);
    let db = compare_image(&b, 32, BLACK, &want_b, 1);
    Ok(match (da, db) {
        (None, None) => Outcome::pass(
            "sub-context 1 draws its constant (51,102,255) on x 0..16 rows 0..8 of its own \
             target after sub-context 2 bound other state; sub-context 2 draws its (255,153,0) \
             on x 24..32 rows 16..32 of its target; neither leaks into the other",
        ),
        (da, db) => Outcome::fail(format!(
            "sub-context 1's target: {}; sub-context 2's target: {}",
            da.unwrap_or_else(|| "matches".into()),
            db.unwrap_or_else(|| "matches".into())
        )),
    })
}

/// The sub-context `Context::new` creates and selects.
const SUB_CTX_FIRST: u32 = 1;

/// Uploads `vertices` into a new vertex buffer without binding it.
fn vertex_buffer(
    ctx: &mut Context<DynTransport>,
    vertices: &[scene::Vertex],
) -> Result<crate::Resource> {
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
    Ok(vb)
}

/// Uniform buffers in two stages from one buffer: the vertex shader adds CONST[2][0] (bound at
/// an aligned offset) to the position, the fragment shader multiplies the colour by CONST[1][0]
/// (bound at offset 0).
fn ubo_vs_and_fs_slots(env: &mut Env<'_>) -> Result<Outcome> {
    let align = v2(env).map_or(256, |c| c.uniform_buffer_offset_alignment.max(16));
    let fs = virgl_proto::tgsi::parse(
        "FRAG\nPROPERTY FS_COLOR0_WRITES_ALL_CBUFS 1\nDCL IN[0], GENERIC[0], LINEAR\n\
         DCL OUT[0], COLOR\nDCL CONST[1][0]\n0: MUL OUT[0], IN[0], CONST[1][0]\n1: END\n",
    )?;
    let ctx = &mut env.ctx;
    let t = scene::target(ctx, 32, 32, None)?;
    let (blend, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &fs, &blend, &dsa, &rast)?;
    let vs = ps::shader(
        ctx,
        "VERT\nDCL IN[0]\nDCL IN[1]\nDCL OUT[0], POSITION\nDCL OUT[1], GENERIC[0]\n\
         DCL CONST[2][0]\n0: ADD OUT[0], IN[0], CONST[2][0]\n1: MOV OUT[1], IN[1]\n2: END\n",
    )?;
    ctx.bind_shader(ShaderType::Vertex, Some(&vs))?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [0.0, 0.0, 0.0, 1.0]))?;
    let mut words = vec![0.0f32; (align / 4 + 4) as usize];
    words[..4].copy_from_slice(&[0.2, 1.0, 0.6, 1.0]);
    let at = (align / 4) as usize;
    words[at..at + 4].copy_from_slice(&[0.5, 0.25, 0.0, 0.0]);
    let bytes: Vec<u8> = words.iter().flat_map(|f| f.to_le_bytes()).collect();
    let ubo = ctx.create_resource(&ResourceDesc::buffer(
        bytes.len() as u32,
        bind::CONSTANT_BUFFER,
    ))?;
    ctx.upload(&ubo, Box3::new_2d(0, 0, bytes.len() as u32, 1), &bytes)?;
    for (shader_type, index, offset) in
        [(ShaderType::Fragment, 1, 0), (ShaderType::Vertex, 2, align)]
    {
        ctx.push(&Command::SetUniformBuffer {
            shader_type,
            index,
            offset,
            length: 16,
            resource: ubo.id().0,
        })?;
    }
    // NDC x -1..-0.5, y -1..-0.5, moved by (0.5, 0.25): x -0.5..0, y -0.75..-0.25
    // -> window x 16+16*(-0.5) = 8 .. 16, rows 16+16*(-0.75) = 4 .. 12 of 32x32.
    let _vb = fill(ctx, (-1.0, -1.0, -0.5, -0.5), [1.0, 0.4, 1.0, 1.0])?;
    // (1*0.2, 0.4*1, 1*0.6, 1) = (0.2, 0.4, 0.6, 1).
    let want = [51, 102, 153, 255];
    Ok(
        match check_image(env, &t, "ubo_vs_and_fs_slots", &[rect(8, 4, 16, 12, want)])? {
            None => Outcome::pass(format!(
                "VS adds CONST[2][0] = (0.5, 0.25) from offset {align}, FS multiplies by \
                 CONST[1][0] from offset 0 of the same buffer: {want:?} on x 8..16, rows 4..12"
            )),
            Some(d) => Outcome::fail(d),
        },
    )
}

/// GET_QUERY_RESULT_QBO writes an occlusion count into a buffer the host owns: as U32 at byte
/// 4, as U64 at byte 8, and availability (index -1) as U32 at byte 16; the other bytes keep
/// their uploaded values. Read back with a transfer.
fn query_result_qbo(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &scene::fs_color())?;
    let q = ps::create_query(ctx, QueryType::OcclusionCounter)?;
    ctx.push(&Command::BeginQuery(q.object.handle()))?;
    // NDC x 0.25..0.875, y 0.25..0.625 -> x 40..60, rows 40..52: 20 * 12 = 240 pixels.
    let _vb = fill(ctx, (0.25, 0.25, 0.875, 0.625), [1.0, 0.8, 0.0, 1.0])?;
    ctx.push(&Command::EndQuery(q.object.handle()))?;
    let size = 32u32;
    let before = scene::pattern(size as usize, 73);
    let qbo = ctx.create_resource(&ResourceDesc::buffer(size, bind::QUERY_BUFFER))?;
    ctx.upload(&qbo, Box3::new_2d(0, 0, size, 1), &before)?;
    for (result_type, offset, index) in [
        (QueryValueType::U32, 4, 0),
        (QueryValueType::U64, 8, 0),
        (QueryValueType::U32, 16, -1),
    ] {
        ctx.push(&Command::GetQueryResultQbo(QueryResultQbo {
            query: q.object.handle(),
            qbo: qbo.id().0,
            wait: true,
            result_type,
            offset,
            index,
        }))?;
    }
    let got = ctx.download(&qbo, Box3::new_2d(0, 0, size, 1))?;
    // What GET_QUERY_RESULT_QBO writes is the point; hosts that only tell whether any sample
    // passed (GLES) count 1, and query_occlusion_samples checks exact counts.
    let count = u32::from_le_bytes(got[4..8].try_into().expect("4 bytes"));
    if count != 240 && count != 1 {
        return Ok(Outcome::fail(format!(
            "query buffer: count {count} at byte 4, expected 240 (or 1 where the host only \
             tells whether any sample passed); got {got:?}"
        )));
    }
    let mut want = before;
    want[4..8].copy_from_slice(&count.to_le_bytes());
    want[8..16].copy_from_slice(&u64::from(count).to_le_bytes());
    want[16..20].copy_from_slice(&1u32.to_le_bytes());
    if let Some(d) = scene::first_difference(&got, &want) {
        return Ok(Outcome::fail(format!("query buffer: {d}; got {got:?}")));
    }
    Ok(
        match check_image(
            env,
            &t,
            "query_result_qbo",
            &[rect(40, 40, 60, 52, [255, 204, 0, 255])],
        )? {
            None => Outcome::pass(format!(
                "occlusion count of a 20x12 rectangle (240 pixels) written by \
                 GET_QUERY_RESULT_QBO: {count} as U32 at byte 4 and as U64 at byte 8, \
                 availability 1 at byte 16, other bytes untouched; the rectangle sits at \
                 x 40..60, rows 40..52"
            )),
            Some(d) => Outcome::fail(d),
        },
    )
}

/// Stream output resumed with the append bit: a first draw (3 vertices) writes records 0..3
/// from the start of the buffer, a second with `append_bitmask` 1 continues at record 3.
/// Each record is the vertex shader's OUT[1] = 2 * colour + position.yxwz.
fn streamout_append(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let _t = scene::target(ctx, 16, 16, None)?;
    let (blend, dsa, mut rast) = scene::default_states();
    rast.rasterizer_discard = true;
    let _p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    let so = StreamOutput {
        stride: [4, 0, 0, 0],
        outputs: vec![so_output(1, 0, 4, 0, 0)],
    };
    let vs = ps::shader_with_so(ctx, ShaderType::Vertex, CAPTURE_VS, so)?;
    ctx.bind_shader(ShaderType::Vertex, Some(&vs))?;
    let size = 128u32;
    let (buf, target, before) = ps::streamout_buffer(ctx, size, 37)?;
    let first: [scene::Vertex; 3] = [
        [0.1, 0.2, 0.3, 1.0, 0.0, 0.25, 0.5, 0.75],
        [-0.5, 0.5, 0.0, 1.0, 1.0, 2.0, 3.0, 4.0],
        [0.9, -0.9, 0.5, 1.0, -1.0, -0.5, 0.0, 0.5],
    ];
    let second: [scene::Vertex; 3] = [
        [0.0, 1.0, 0.0, 1.0, 8.0, 4.0, 2.0, 1.0],
        [1.0, 0.0, 0.25, 1.0, 0.125, 0.0, -8.0, 3.0],
        [-1.0, -1.0, -0.25, 1.0, 5.0, 6.0, 7.0, 8.0],
    ];
    let mut vbs = Vec::new();
    for (append_bitmask, verts) in [(0, &first), (1, &second)] {
        ctx.push(&Command::SetStreamoutTargets {
            append_bitmask,
            targets: vec![target.handle()],
        })?;
        vbs.push(scene::draw(ctx, verts, PrimMode::Triangles)?);
    }
    ctx.push(&Command::SetStreamoutTargets {
        append_bitmask: 0,
        targets: vec![],
    })?;
    let got = ctx.download(&buf, Box3::new_2d(0, 0, size, 1))?;
    let want: Vec<f32> = first
        .iter()
        .chain(&second)
        .flat_map(|v| {
            let swz = [v[1], v[0], v[3], v[2]];
            (0..4).map(move |i| 2.0 * v[4 + i] + swz[i])
        })
        .collect();
    let floats = ps::f32s(&got[..96]);
    if let Some(i) = (0..24).find(|&i| (floats[i] - want[i]).abs() > 1e-5) {
        return Ok(Outcome::fail(format!(
            "record {} component {} is {}, expected {}; all: {floats:?}",
            i / 4,
            i % 4,
            floats[i],
            want[i]
        )));
    }
    Ok(if got[96..] != before[96..] {
        Outcome::fail("bytes after the six 16-byte records changed")
    } else {
        Outcome::pass(
            "two draws of 3 vertices, the second with append_bitmask 1: six consecutive \
             16-byte records equal the CPU's 2*colour + pos.yxwz within 1e-5; bytes 96..128 \
             untouched",
        )
    })
}

/// A geometry shader with GS_INVOCATIONS 2 on triangle input: invocation 0 re-emits each
/// triangle, invocation 1 emits it moved +1.0 in x with red and blue swapped. The input is a
/// 4-vertex strip (two triangles) covering a rectangle, so the output is that rectangle twice.
/// PRIMITIVES_GENERATED counts the geometry shader's 4 output triangles.
fn gs_invocations_copy_strip(env: &mut Env<'_>) -> Result<Outcome> {
    let mut gs = String::from(
        "GEOM\nPROPERTY GS_INPUT_PRIMITIVE TRIANGLES\nPROPERTY GS_OUTPUT_PRIMITIVE TRIANGLE_STRIP\n\
         PROPERTY GS_MAX_OUTPUT_VERTICES 3\nPROPERTY GS_INVOCATIONS 2\n\
         DCL IN[][0], POSITION\nDCL IN[][1], GENERIC[0]\nDCL SV[0], INVOCATIONID\n\
         DCL OUT[0], POSITION\nDCL OUT[1], GENERIC[0]\nDCL TEMP[0]\n\
         IMM[0] INT32 { 0, 0, 0, 0 }\n\
         0: I2F TEMP[0].x, SV[0].xxxx\n",
    );
    for v in 0..3 {
        gs.push_str(&format!(
            "ADD OUT[0].x, IN[{v}][0].xxxx, TEMP[0].xxxx\nMOV OUT[0].yzw, IN[{v}][0].xyzw\n\
             LRP OUT[1], TEMP[0].xxxx, IN[{v}][1].zyxw, IN[{v}][1]\nEMIT IMM[0].xxxx\n"
        ));
    }
    gs.push_str("ENDPRIM IMM[0].xxxx\nEND\n");
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &scene::fs_color())?;
    let gs = ps::shader(ctx, &gs)?;
    ctx.bind_shader(ShaderType::Geometry, Some(&gs))?;
    let q = ps::create_query(ctx, QueryType::PrimitivesGenerated)?;
    ctx.push(&Command::BeginQuery(q.object.handle()))?;
    // NDC x -0.75..-0.25, y 0.25..0.75 -> x 8..24, rows 40..56; the copy x 40..56.
    let _vb = fill(ctx, (-0.75, 0.25, -0.25, 0.75), [1.0, 0.2, 0.6, 1.0])?;
    ctx.push(&Command::EndQuery(q.object.handle()))?;
    ctx.bind_shader(ShaderType::Geometry, None)?;
    let prims = ps::query_result(ctx, &q)?;
    let rects = [
        rect(8, 40, 24, 56, [255, 51, 153, 255]),
        rect(40, 40, 56, 56, [153, 51, 255, 255]),
    ];
    let image = check_image(env, &t, "gs_invocations_copy_strip", &rects)?;
    Ok(match (prims, image) {
        (4, None) => Outcome::pass(
            "GS_INVOCATIONS 2 over a 2-triangle strip: (255,51,153) on x 8..24 and the copy \
             (153,51,255) on x 40..56, rows 40..56; PRIMITIVES_GENERATED 4",
        ),
        (n, d) => Outcome::fail(format!(
            "PRIMITIVES_GENERATED {n} (expected 4); image: {}",
            d.unwrap_or_else(|| "matches".into())
        )),
    })
}

/// OCCLUSION_PREDICATE: 1 around a visible draw, 0 around a draw clipped away entirely.
fn query_occlusion_predicate(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &scene::fs_color())?;
    let seen = ps::create_query(ctx, QueryType::OcclusionPredicate)?;
    let unseen = ps::create_query(ctx, QueryType::OcclusionPredicate)?;
    ctx.push(&Command::BeginQuery(seen.object.handle()))?;
    // NDC x 0.75..1, y -1..0.5 -> x 56..64, rows 0..48.
    let _a = fill(ctx, (0.75, -1.0, 1.0, 0.5), [0.8, 0.0, 0.4, 1.0])?;
    ctx.push(&Command::EndQuery(seen.object.handle()))?;
    ctx.push(&Command::BeginQuery(unseen.object.handle()))?;
    // Below the viewport: NDC y -3..-2.
    let _b = fill(ctx, (-1.0, -3.0, 1.0, -2.0), [1.0, 1.0, 1.0, 1.0])?;
    ctx.push(&Command::EndQuery(unseen.object.handle()))?;
    let results = (
        ps::query_result(ctx, &seen)?,
        ps::query_result(ctx, &unseen)?,
    );
    let image = check_image(
        env,
        &t,
        "query_occlusion_predicate",
        &[rect(56, 0, 64, 48, [204, 0, 102, 255])],
    )?;
    Ok(match (results, image) {
        ((1, 0), None) => Outcome::pass(
            "OCCLUSION_PREDICATE reads 1 around an 8x48 strip at x 56..64, rows 0..48, and 0 \
             around a quad below the viewport; the image holds only the strip",
        ),
        (r, d) => Outcome::fail(format!(
            "predicates {r:?} (expected (1, 0)); image: {}",
            d.unwrap_or_else(|| "matches".into())
        )),
    })
}

/// TIME_ELAPSED around 50 full-screen draws is non-zero and below 10 s.
fn query_time_elapsed(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &scene::fs_color())?;
    let q = ps::create_query(ctx, QueryType::TimeElapsed)?;
    let vb = vertex_buffer(ctx, &quad(-1.0, 0.0, 0.0, 1.0, 0.0, [0.0, 0.2, 0.8, 1.0]))?;
    ctx.set_vertex_buffers(&[(32, 0, &vb)])?;
    ctx.push(&Command::BeginQuery(q.object.handle()))?;
    for _ in 0..50 {
        ctx.draw(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 4))?;
    }
    ctx.push(&Command::EndQuery(q.object.handle()))?;
    let ns = ps::query_result(ctx, &q)?;
    // NDC x -1..0, y 0..1 -> x 0..32, rows 32..64.
    let image = check_image(
        env,
        &t,
        "query_time_elapsed",
        &[rect(0, 32, 32, 64, [0, 51, 204, 255])],
    )?;
    Ok(if ns > 0 && ns < 10_000_000_000 && image.is_none() {
        Outcome::pass(format!(
            "TIME_ELAPSED around 50 draws: {ns} ns (non-zero, under 10 s); the quad sits at \
             x 0..32, rows 32..64"
        ))
    } else {
        Outcome::fail(format!(
            "TIME_ELAPSED {ns} ns (want 0 < t < 10 s); image: {}",
            image.unwrap_or_else(|| "matches".into())
        ))
    })
}

/// Inverted conditional rendering (condition true): a draw goes ahead only when the query
/// counted no samples.
fn render_condition_inverted(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &scene::fs_color())?;
    let passed = ps::create_query(ctx, QueryType::OcclusionCounter)?;
    let failed = ps::create_query(ctx, QueryType::OcclusionCounter)?;
    let mut vbs = Vec::new();
    ctx.push(&Command::BeginQuery(passed.object.handle()))?;
    // NDC x -1..1, y 0.75..1 -> x 0..64, rows 56..64.
    vbs.push(fill(ctx, (-1.0, 0.75, 1.0, 1.0), [0.6, 0.6, 0.0, 1.0])?);
    ctx.push(&Command::EndQuery(passed.object.handle()))?;
    ctx.push(&Command::BeginQuery(failed.object.handle()))?;
    vbs.push(fill(ctx, (-3.0, -1.0, -2.0, 1.0), [1.0, 1.0, 1.0, 1.0])?);
    ctx.push(&Command::EndQuery(failed.object.handle()))?;
    let cond = |query, condition| Command::SetRenderCondition {
        query,
        condition,
        mode: RenderCondMode::Wait,
    };
    ctx.push(&cond(passed.object.handle(), true))?;
    // Skipped (its query saw samples): NDC x -1..0, y -1..0 -> x 0..32, rows 0..32.
    vbs.push(fill(ctx, (-1.0, -1.0, 0.0, 0.0), [1.0, 0.0, 0.0, 1.0])?);
    ctx.push(&cond(0, false))?;
    ctx.push(&cond(failed.object.handle(), true))?;
    // Drawn (its query saw none): NDC x 0..1, y -1..-0.5 -> x 32..64, rows 0..16.
    vbs.push(fill(ctx, (0.0, -1.0, 1.0, -0.5), [0.0, 0.4, 1.0, 1.0])?);
    ctx.push(&cond(0, false))?;
    let rects = [
        rect(0, 56, 64, 64, [153, 153, 0, 255]),
        rect(32, 0, 64, 16, [0, 102, 255, 255]),
    ];
    Ok(
        match check_image(env, &t, "render_condition_inverted", &rects)? {
            None => Outcome::pass(
                "condition true (inverted): the draw conditioned on a query that saw samples is \
             skipped (x 0..32, rows 0..32 black), the one on a query that saw none appears \
             (x 32..64, rows 0..16)",
            ),
            Some(d) => Outcome::fail(d),
        },
    )
}

/// A compute shader reads a 16-dword input shader buffer (slot 0) and writes
/// out[i] = 5 * in[15 - i] + i into a second one (slot 1).
fn compute_ssbo_load_store(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let cs = ps::shader(
        ctx,
        "COMP\nPROPERTY CS_FIXED_BLOCK_WIDTH 16\nPROPERTY CS_FIXED_BLOCK_HEIGHT 1\n\
         PROPERTY CS_FIXED_BLOCK_DEPTH 1\nDCL SV[0], THREAD_ID\n\
         DCL BUFFER[0]\nDCL BUFFER[1]\nDCL TEMP[0..2]\nIMM[0] UINT32 { 4, 15, 5, 0 }\n\
         0: INEG TEMP[0].x, SV[0].xxxx\n\
         1: UADD TEMP[0].x, TEMP[0].xxxx, IMM[0].yyyy\n\
         2: UMUL TEMP[0].x, TEMP[0].xxxx, IMM[0].xxxx\n\
         3: LOAD TEMP[1].x, BUFFER[0], TEMP[0].xxxx\n\
         4: UMAD TEMP[1].x, TEMP[1].xxxx, IMM[0].zzzz, SV[0].xxxx\n\
         5: UMUL TEMP[2].x, SV[0].xxxx, IMM[0].xxxx\n\
         6: STORE BUFFER[1].x, TEMP[2].xxxx, TEMP[1].xxxx\n7: END\n",
    )?;
    let input: Vec<u32> = (0..16u32).map(|i| i * i + 1000).collect();
    let in_bytes: Vec<u8> = input.iter().flat_map(|v| v.to_le_bytes()).collect();
    let src = ctx.create_resource(&ResourceDesc::buffer(64, bind::SHADER_BUFFER))?;
    ctx.upload(&src, Box3::new_2d(0, 0, 64, 1), &in_bytes)?;
    let dst = ctx.create_resource(&ResourceDesc::buffer(64, bind::SHADER_BUFFER))?;
    ctx.upload(&dst, Box3::new_2d(0, 0, 64, 1), &[0; 64])?;
    ctx.bind_shader(ShaderType::Compute, Some(&cs))?;
    let binding = |r: &crate::Resource| BufferBinding {
        offset: 0,
        length: 64,
        resource: r.id().0,
    };
    ctx.push(&Command::SetShaderBuffers {
        shader_type: ShaderType::Compute,
        start_slot: 0,
        buffers: vec![binding(&src), binding(&dst)],
    })?;
    ctx.push(&Command::LaunchGrid(LaunchGrid {
        block: [16, 1, 1],
        grid: [1, 1, 1],
        indirect_resource: 0,
        indirect_offset: 0,
    }))?;
    ctx.push(&Command::MemoryBarrier(BARRIER_ALL))?;
    let out = ps::u32s(&ctx.download(&dst, Box3::new_2d(0, 0, 64, 1))?);
    let back = ps::u32s(&ctx.download(&src, Box3::new_2d(0, 0, 64, 1))?);
    let want: Vec<u32> = (0..16).map(|i| 5 * input[15 - i] + i as u32).collect();
    Ok(if out != want {
        Outcome::fail(format!("output {out:?}, expected {want:?}"))
    } else if back != input {
        Outcome::fail("the input buffer changed")
    } else {
        Outcome::pass(format!(
            "16 threads: out[i] = 5 * in[15 - i] + i with in[i] = i*i + 1000 gives {:?}...; \
             the input buffer is unchanged",
            &want[..3]
        ))
    })
}

/// Blocks of 4 threads: dword `id` = block * 4 + thread of shader buffer 0 gets 3 * id * id + 7.
const CS_SQUARES: &str =
    "COMP\nPROPERTY CS_FIXED_BLOCK_WIDTH 4\nPROPERTY CS_FIXED_BLOCK_HEIGHT 1\n\
         PROPERTY CS_FIXED_BLOCK_DEPTH 1\nDCL SV[0], THREAD_ID\nDCL SV[1], BLOCK_ID\n\
         DCL BUFFER[0]\nDCL TEMP[0..1]\nIMM[0] UINT32 { 4, 3, 7, 0 }\n\
         0: UMAD TEMP[0].x, SV[1].xxxx, IMM[0].xxxx, SV[0].xxxx\n\
         1: UMUL TEMP[1].x, TEMP[0].xxxx, TEMP[0].xxxx\n\
         2: UMAD TEMP[1].x, TEMP[1].xxxx, IMM[0].yyyy, IMM[0].zzzz\n\
         3: UMUL TEMP[0].x, TEMP[0].xxxx, IMM[0].xxxx\n\
         4: STORE BUFFER[0].x, TEMP[0].xxxx, TEMP[1].xxxx\n5: END\n";

/// The compute shader of `compute_ssbo_invocation_id` launched indirectly: the grid (3, 1, 1)
/// comes from dwords 4..7 of a buffer (dwords 0..3 hold a decoy grid). Dwords 0..12 of the
/// output get 3 * id * id + 7; dwords 12..20 keep their uploaded values.
fn compute_indirect_grid(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let cs = ps::shader(ctx, CS_SQUARES)?;
    let size = 80u32;
    let before = scene::pattern(size as usize, 59);
    let buf = ctx.create_resource(&ResourceDesc::buffer(size, bind::SHADER_BUFFER))?;
    ctx.upload(&buf, Box3::new_2d(0, 0, size, 1), &before)?;
    let args: Vec<u8> = [5u32, 1, 1, 0, 3, 1, 1, 0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let indirect = ctx.create_resource(&ResourceDesc::buffer(32, bind::COMMAND_ARGS))?;
    ctx.upload(&indirect, Box3::new_2d(0, 0, 32, 1), &args)?;
    ctx.bind_shader(ShaderType::Compute, Some(&cs))?;
    ctx.push(&Command::SetShaderBuffers {
        shader_type: ShaderType::Compute,
        start_slot: 0,
        buffers: vec![BufferBinding {
            offset: 0,
            length: size,
            resource: buf.id().0,
        }],
    })?;
    ctx.push(&Command::LaunchGrid(LaunchGrid {
        block: [4, 1, 1],
        grid: [0, 0, 0],
        indirect_resource: indirect.id().0,
        indirect_offset: 16,
    }))?;
    ctx.push(&Command::MemoryBarrier(BARRIER_ALL))?;
    let got = ctx.download(&buf, Box3::new_2d(0, 0, size, 1))?;
    let mut want = before;
    for id in 0..12u32 {
        let i = (id * 4) as usize;
        want[i..i + 4].copy_from_slice(&(3 * id * id + 7).to_le_bytes());
    }
    Ok(match scene::first_difference(&got, &want) {
        None => Outcome::pass(
            "LAUNCH_GRID with the grid (3,1,1) read from byte 16 of a COMMAND_ARGS buffer: \
             dwords 0..12 hold 3*id*id + 7, dwords 12..20 untouched (the decoy grid at byte \
             0 would have written 20)",
        ),
        Some(d) => Outcome::fail(format!("output buffer: {d}")),
    })
}

/// A fragment shader with a shader buffer: every fragment of a 24x16 rectangle atomically adds
/// 1 at byte 0 and 3 at byte 4, so the counters read back 384 and 1152; the image is checked
/// too.
fn fs_ssbo_atomic_count(env: &mut Env<'_>) -> Result<Outcome> {
    let fs = virgl_proto::tgsi::parse(
        "FRAG\nPROPERTY FS_COLOR0_WRITES_ALL_CBUFS 1\nDCL IN[0], GENERIC[0], LINEAR\n\
         DCL OUT[0], COLOR\nDCL BUFFER[0]\nDCL TEMP[0]\nIMM[0] UINT32 { 0, 1, 4, 3 }\n\
         0: ATOMUADD TEMP[0].x, BUFFER[0], IMM[0].xxxx, IMM[0].yyyy\n\
         1: ATOMUADD TEMP[0].x, BUFFER[0], IMM[0].zzzz, IMM[0].wwww\n\
         2: MOV OUT[0], IN[0]\n3: END\n",
    )?;
    let ctx = &mut env.ctx;
    let (t, _p) = setup(ctx, &fs)?;
    let counters = ctx.create_resource(&ResourceDesc::buffer(16, bind::SHADER_BUFFER))?;
    let before = [0u8, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9];
    ctx.upload(&counters, Box3::new_2d(0, 0, 16, 1), &before)?;
    ctx.push(&Command::SetShaderBuffers {
        shader_type: ShaderType::Fragment,
        start_slot: 0,
        buffers: vec![BufferBinding {
            offset: 0,
            length: 16,
            resource: counters.id().0,
        }],
    })?;
    // NDC x 0.25..1, y -0.5..0 -> x 40..64, rows 16..32: 24 * 16 = 384 fragments.
    let _vb = fill(ctx, (0.25, -0.5, 1.0, 0.0), [0.4, 1.0, 0.8, 1.0])?;
    ctx.push(&Command::MemoryBarrier(BARRIER_ALL))?;
    let got = ctx.download(&counters, Box3::new_2d(0, 0, 16, 1))?;
    let words = ps::u32s(&got);
    let image = check_image(
        env,
        &t,
        "fs_ssbo_atomic_count",
        &[rect(40, 16, 64, 32, [102, 255, 204, 255])],
    )?;
    Ok(match (&words[..], image) {
        ([384, 1152, 0x0909_0909, 0x0909_0909], None) => Outcome::pass(
            "FS ATOMUADD on a shader buffer over a 24x16 rectangle (x 40..64, rows 16..32): \
             counters 384 (+1) and 1152 (+3), bytes 8..16 untouched; the image matches",
        ),
        (w, d) => Outcome::fail(format!(
            "counters {w:?} (expected [384, 1152, 0x09090909, 0x09090909]); image: {}",
            d.unwrap_or_else(|| "matches".into())
        )),
    })
}

/// Stream output into two buffers at once: buffer 0 takes OUT[1] (4 dwords a vertex), buffer 1
/// takes OUT[0].yzw (start component 1, 3 dwords a vertex). Both are compared with the CPU's
/// values and their tails stay as uploaded.
fn streamout_two_buffers(env: &mut Env<'_>) -> Result<Outcome> {
    let ctx = &mut env.ctx;
    let _t = scene::target(ctx, 16, 16, None)?;
    let (blend, dsa, mut rast) = scene::default_states();
    rast.rasterizer_discard = true;
    let _p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    let output = |register_index, start_component, num_components, output_buffer| SoOutput {
        register_index,
        start_component,
        num_components,
        output_buffer,
        dst_offset: 0,
        stream: 0,
    };
    let so = StreamOutput {
        stride: [4, 3, 0, 0],
        outputs: vec![output(1, 0, 4, 0), output(0, 1, 3, 1)],
    };
    let vs = ps::shader_with_so(ctx, ShaderType::Vertex, CAPTURE_VS, so)?;
    ctx.bind_shader(ShaderType::Vertex, Some(&vs))?;
    let mut bufs = Vec::new();
    let mut targets = Vec::new();
    let mut befores = Vec::new();
    for (i, size) in [64u32, 48].into_iter().enumerate() {
        let (buf, target, before) = ps::streamout_buffer(ctx, size, 61 + i as u32)?;
        targets.push(target);
        bufs.push(buf);
        befores.push(before);
    }
    ctx.push(&Command::SetStreamoutTargets {
        append_bitmask: 0,
        targets: targets.iter().map(|t| t.handle()).collect(),
    })?;
    let verts: [scene::Vertex; 3] = [
        [0.5, -0.5, 0.25, 1.0, 0.0, 0.5, 1.0, 1.5],
        [-0.75, 0.125, 0.0, 2.0, 3.0, -2.0, 1.0, 0.0],
        [0.0, 1.0, -0.5, 0.5, 0.25, 0.25, 0.75, -1.0],
    ];
    let _vb = scene::draw(ctx, &verts, PrimMode::Triangles)?;
    ctx.push(&Command::SetStreamoutTargets {
        append_bitmask: 0,
        targets: vec![],
    })?;
    let want0: Vec<f32> = verts
        .iter()
        .flat_map(|v| {
            let swz = [v[1], v[0], v[3], v[2]];
            (0..4).map(move |i| 2.0 * v[4 + i] + swz[i])
        })
        .collect();
    let want1: Vec<f32> = verts.iter().flat_map(|v| [v[1], v[2], v[3]]).collect();
    for (b, (buf, want)) in bufs.iter().zip([want0, want1]).enumerate() {
        let size = buf.desc().width;
        let got = ctx.download(buf, Box3::new_2d(0, 0, size, 1))?;
        let n = want.len();
        let floats = ps::f32s(&got[..n * 4]);
        if let Some(i) = (0..n).find(|&i| (floats[i] - want[i]).abs() > 1e-5) {
            return Ok(Outcome::fail(format!(
                "buffer {b} dword {i} is {}, expected {}; all: {floats:?}",
                floats[i], want[i]
            )));
        }
        if got[n * 4..] != befores[b][n * 4..] {
            return Ok(Outcome::fail(format!(
                "buffer {b}: bytes after the {n} captured dwords changed"
            )));
        }
    }
    Ok(Outcome::pass(
        "one draw of 3 vertices into two targets: buffer 0 holds 2*colour + pos.yxwz (12 \
         dwords), buffer 1 pos.yzw (9 dwords, start component 1), each within 1e-5 of the \
         CPU's values, tails untouched",
    ))
}

/// Stream output attached to the geometry shader, the last vertex stage: from one point the GS
/// emits two separate triangles (three vertices each, ENDPRIM after each), writing as OUT[1]
/// the point's colour plus (triangle, vertex, 0, 0); the six captured records are compared with
/// the CPU's values in emission order, and PRIMITIVES_EMITTED reads 2.
fn streamout_from_gs(env: &mut Env<'_>) -> Result<Outcome> {
    let mut gs = String::from(
        "GEOM\nPROPERTY GS_INPUT_PRIMITIVE POINTS\nPROPERTY GS_OUTPUT_PRIMITIVE TRIANGLE_STRIP\n\
         PROPERTY GS_MAX_OUTPUT_VERTICES 6\nPROPERTY GS_INVOCATIONS 1\n\
         DCL IN[][0], POSITION\nDCL IN[][1], GENERIC[0]\nDCL OUT[0], POSITION\n\
         DCL OUT[1], GENERIC[0]\nIMM[0] INT32 { 0, 0, 0, 0 }\n",
    );
    let mut imm = 1;
    for tri in 0..2 {
        for vert in 0..3 {
            gs.push_str(&format!(
                "IMM[{imm}] FLT32 {{ {tri}.0000, {vert}.0000, 0.0000, 0.0000 }}\n"
            ));
            imm += 1;
        }
    }
    let mut imm = 1;
    for _ in 0..2 {
        for _ in 0..3 {
            gs.push_str(&format!(
                "MOV OUT[0], IN[0][0]\nADD OUT[1], IN[0][1], IMM[{imm}]\nEMIT IMM[0].xxxx\n"
            ));
            imm += 1;
        }
        gs.push_str("ENDPRIM IMM[0].xxxx\n");
    }
    gs.push_str("END\n");
    let ctx = &mut env.ctx;
    let _t = scene::target(ctx, 16, 16, None)?;
    let (blend, dsa, mut rast) = scene::default_states();
    rast.rasterizer_discard = true;
    let _p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    let so = StreamOutput {
        stride: [4, 0, 0, 0],
        outputs: vec![so_output(1, 0, 4, 0, 0)],
    };
    let gs = ps::shader_with_so(ctx, ShaderType::Geometry, &gs, so)?;
    ctx.bind_shader(ShaderType::Geometry, Some(&gs))?;
    let size = 128u32;
    let (buf, target, before) = ps::streamout_buffer(ctx, size, 67)?;
    let emitted = ps::create_query(ctx, QueryType::PrimitivesEmitted)?;
    ctx.push(&Command::SetStreamoutTargets {
        append_bitmask: 0,
        targets: vec![target.handle()],
    })?;
    let color = [0.5, 0.25, 0.125, 4.0];
    let point = [0.0, 0.0, 0.0, 1.0, color[0], color[1], color[2], color[3]];
    ctx.push(&Command::BeginQuery(emitted.object.handle()))?;
    let _vb = scene::draw(ctx, &[point], PrimMode::Points)?;
    ctx.push(&Command::EndQuery(emitted.object.handle()))?;
    ctx.push(&Command::SetStreamoutTargets {
        append_bitmask: 0,
        targets: vec![],
    })?;
    ctx.bind_shader(ShaderType::Geometry, None)?;
    let got = ctx.download(&buf, Box3::new_2d(0, 0, size, 1))?;
    let prims = ps::query_result(ctx, &emitted)?;
    let want: Vec<f32> = (0..2)
        .flat_map(|tri| (0..3).map(move |vert| (tri, vert)))
        .flat_map(|(tri, vert)| {
            [
                color[0] + tri as f32,
                color[1] + vert as f32,
                color[2],
                color[3],
            ]
        })
        .collect();
    let floats = ps::f32s(&got[..96]);
    if floats != want {
        return Ok(Outcome::fail(format!(
            "captured {floats:?}, expected {want:?}"
        )));
    }
    Ok(if got[96..] != before[96..] {
        Outcome::fail("bytes after the six 16-byte records changed")
    } else if prims != 2 {
        Outcome::fail(format!("PRIMITIVES_EMITTED {prims}, expected 2"))
    } else {
        Outcome::pass(
            "GS stream output: one point becomes two 3-vertex triangles; the six records hold \
             colour + (triangle, vertex, 0, 0) in emission order, bytes 96..128 untouched, \
             PRIMITIVES_EMITTED 2",
        )
    })
}
