//! Helpers for the pipeline cases: shaders from TGSI text, queries and their results, stream
//! output shaders, and whole-image comparison against rectangles computed by hand.
//!
//! Orientation: [`scene::target`] sets the viewport to scale (w/2, h/2) and translate
//! (w/2, h/2), so window x = w/2 + w/2 * ndc_x and window y = h/2 + h/2 * ndc_y; Gallium puts
//! window y in memory row y, so NDC y = -1 is row 0, the first row a transfer reads back.

use std::time::Duration;

use virgl_proto::ccmd::{
    Box3, Command, Dwords, Query, Shader, ShaderOffset, StreamOutput, StreamoutTarget,
};
use virgl_proto::pipe::{bind, QueryType, ShaderType};
use virgl_proto::tgsi;

use super::DynTransport;
use crate::context::{Context, Object, Resource};
use crate::error::{Error, Result};
use crate::transport::ResourceDesc;
use virgl_proto::ccmd::ObjectType;

/// Parses TGSI text (so a typo fails here, not on the host) and creates the shader.
pub fn shader(ctx: &mut Context<DynTransport>, text: &str) -> Result<Object> {
    let parsed = tgsi::parse(text)?;
    ctx.create_tgsi(&parsed)
}

/// Creates a shader of `shader_type` from TGSI text with a stream-output layout attached.
pub fn shader_with_so(
    ctx: &mut Context<DynTransport>,
    shader_type: ShaderType,
    text: &str,
    so: StreamOutput,
) -> Result<Object> {
    let mut bytes = tgsi::parse(text)?.to_string().into_bytes();
    bytes.push(0);
    let total = bytes.len() as u32;
    bytes.resize(bytes.len().next_multiple_of(4), 0);
    let num_tokens = (bytes.len() as u32 / 2).max(300);
    let text = Dwords::from_bytes(bytes).expect("padded to whole dwords");
    ctx.create_object(ObjectType::Shader, move |handle| {
        Command::CreateShader(Shader {
            handle,
            shader_type,
            offset: ShaderOffset::Total(total),
            num_tokens,
            stream_output: Some(so),
            req_local_mem: 0,
            text,
        })
    })
}

/// `VIRGL_QUERY_STATE_DONE` in `struct virgl_host_query_state`.
const QUERY_STATE_DONE: u32 = 1;

/// A query and the buffer the host writes its `virgl_host_query_state` into.
pub struct HostQuery {
    pub object: Object,
    pub buffer: Resource,
}

/// Creates a query of `query_type` with a 16-byte result buffer (as Mesa's virgl does).
pub fn create_query(ctx: &mut Context<DynTransport>, query_type: QueryType) -> Result<HostQuery> {
    let buffer = ctx.create_resource(&ResourceDesc::buffer(16, bind::CUSTOM))?;
    ctx.transport_mut().backing(buffer.id())?.fill(0);
    let resource = buffer.id().0;
    ctx.reference_resource(&buffer);
    let object = ctx.create_object(ObjectType::Query, |handle| {
        Command::CreateQuery(Query {
            handle,
            query_type,
            index: 0,
            offset: 0,
            resource,
        })
    })?;
    Ok(HostQuery { object, buffer })
}

/// Asks for the result with GET_QUERY_RESULT and reads it the way Mesa's virgl does: the host
/// writes `{u32 state, u32 size, u64 result}` into the buffer's guest backing, so the backing
/// is read after a fence; while the state is not DONE, the buffer is also transferred back (a
/// host that keeps the state in its own copy), and the request repeated, for up to 2 s.
pub fn query_result(ctx: &mut Context<DynTransport>, q: &HostQuery) -> Result<u64> {
    let id = q.buffer.id();
    let done = |b: &[u8]| {
        (u32::from_le_bytes(b[0..4].try_into().unwrap()) == QUERY_STATE_DONE)
            .then(|| u64::from_le_bytes(b[8..16].try_into().unwrap()))
    };
    let mut last = Vec::new();
    for _ in 0..200 {
        ctx.push(&Command::GetQueryResult {
            query: q.object.handle(),
            wait: true,
        })?;
        ctx.finish()?;
        ctx.transport_mut().wait(id)?;
        if let Some(r) = done(&ctx.transport_mut().backing(id)?[..16]) {
            return Ok(r);
        }
        last = ctx.download(&q.buffer, Box3::new_2d(0, 0, 16, 1))?;
        if let Some(r) = done(&last) {
            return Ok(r);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err(Error::Protocol {
        call: "GET_QUERY_RESULT",
        detail: format!("the query state never became DONE in 2 s; last read {last:?}"),
    })
}

/// An axis-aligned rectangle of pixels, max exclusive, and its colour.
#[derive(Clone, Copy, Debug)]
pub struct Rect {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
    pub rgba: [u8; 4],
}

/// Rectangle `x0..x1` × `y0..y1` (rows counted from the first row read back) of colour `rgba`.
pub const fn rect(x0: u32, y0: u32, x1: u32, y1: u32, rgba: [u8; 4]) -> Rect {
    Rect {
        x0,
        y0,
        x1,
        y1,
        rgba,
    }
}

/// Compares every pixel of a `width`-wide RGBA image with `background` overlaid by `rects`
/// (later ones on top), each channel within `tol`; describes the first mismatch and how many.
pub fn compare_image(
    rgba: &[u8],
    width: u32,
    background: [u8; 4],
    rects: &[Rect],
    tol: u8,
) -> Option<String> {
    let height = (rgba.len() / 4) as u32 / width;
    let mut first = None;
    let mut bad = 0usize;
    for y in 0..height {
        for x in 0..width {
            let want = rects
                .iter()
                .rev()
                .find(|r| (r.x0..r.x1).contains(&x) && (r.y0..r.y1).contains(&y))
                .map_or(background, |r| r.rgba);
            let got = super::scene::pixel(rgba, width, x, y);
            if !super::scene::near(got, want, tol) {
                bad += 1;
                first.get_or_insert(format!("pixel ({x},{y}) is {got:?}, expected {want:?}"));
            }
        }
    }
    first.map(|f| format!("{bad} pixels differ; first: {f}"))
}

/// Little-endian u32s of a byte buffer.
pub fn u32s(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

/// Little-endian f32s of a byte buffer.
pub fn f32s(bytes: &[u8]) -> Vec<f32> {
    u32s(bytes).into_iter().map(f32::from_bits).collect()
}

/// A stream-output buffer of `size` bytes holding a known pattern (from `seed`), and a target
/// over all of it; returns the buffer, the target and the pattern.
pub fn streamout_buffer(
    ctx: &mut Context<DynTransport>,
    size: u32,
    seed: u32,
) -> Result<(Resource, Object, Vec<u8>)> {
    let before = super::scene::pattern(size as usize, seed);
    let buf = ctx.create_resource(&ResourceDesc::buffer(size, bind::STREAM_OUTPUT))?;
    ctx.upload(&buf, Box3::new_2d(0, 0, size, 1), &before)?;
    let resource = buf.id().0;
    ctx.reference_resource(&buf);
    let target = ctx.create_object(ObjectType::StreamoutTarget, |handle| {
        Command::CreateStreamoutTarget(StreamoutTarget {
            handle,
            resource,
            buffer_offset: 0,
            buffer_size: size,
        })
    })?;
    Ok((buf, target, before))
}
