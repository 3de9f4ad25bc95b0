//! The soak's clients, each a thread of the xtask: well-behaved ones that render through the
//! guest crate's vtest transport and `Context` and check every pixel they read back, and
//! hostile ones that send what a broken or malicious guest would.

use std::cell::Cell;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use virgl_guest::conform::scene::{self, Target};
use virgl_guest::conform::DynTransport;
use virgl_guest::transport::{Caps, Fence, ResourceDesc, ResourceId, TransferRegion, Transport};
use virgl_guest::vtest::Vtest;
use virgl_guest::Context;
use virgl_proto::ccmd::{encode_all, Box3, Clear, Command, Dsa, SamplerState};
use virgl_proto::format::Format;
use virgl_proto::pipe::{bind, ClearBuffers, PrimMode, ShaderType};
use virgl_proto::vtest::{self as wire, cmd};

use super::report::{GoodStats, HostileStats, Rng};

/// The limits the soak's server is started with; floods check that they hold.
#[derive(Clone, Copy, Debug)]
pub struct ServerLimits {
    pub objects: u64,
    pub resources: u64,
    pub bytes: u64,
    /// `--max-draw-vertices`: what one draw may cost the shared renderer.
    pub draw_vertices: u64,
}

/// A captured stream: its dwords and where each command starts.
pub struct Capture {
    pub dwords: Vec<u32>,
    pub starts: Vec<usize>,
}

impl Capture {
    pub fn new(dwords: Vec<u32>) -> Capture {
        let mut starts = Vec::new();
        let mut i = 0;
        while i < dwords.len() {
            starts.push(i);
            i += 1 + (dwords[i] >> 16) as usize;
        }
        Capture { dwords, starts }
    }
}

/// Loads `dir/*.virgl` (raw little-endian dwords, submits concatenated).
pub fn load_captures(dir: &Path) -> Vec<Capture> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "virgl"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|b| {
            Capture::new(
                b.chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            )
        })
        .filter(|c| !c.starts.is_empty())
        .collect()
}

/// What every client thread shares.
pub struct Shared {
    pub socket: PathBuf,
    pub stop: AtomicBool,
    /// While set, clients leave and wait (the quiet measurement after the warm-up).
    pub paused: AtomicBool,
    /// Clients waiting while paused.
    pub idle: AtomicUsize,
    pub limits: ServerLimits,
    pub captures: Vec<Capture>,
    /// Running totals, for the progress lines.
    pub frames: AtomicU64,
    pub wrong: AtomicU64,
    pub hostile_submissions: AtomicU64,
}

impl Shared {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    /// Waits, disconnected, while paused; whether it did.
    fn wait_while_paused(&self) -> bool {
        if !self.paused() {
            return false;
        }
        self.idle.fetch_add(1, Ordering::SeqCst);
        while self.paused() && !self.stopped() {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.idle.fetch_sub(1, Ordering::SeqCst);
        true
    }
}

const MAX_PROBLEMS: usize = 5;

fn note(problems: &mut Vec<String>, p: String) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(p);
    }
}

// ---- frames: draw, read back, check every pixel ----

fn rgba_color(rng: &mut Rng) -> [u8; 4] {
    [rng.u32() as u8, rng.u32() as u8, rng.u32() as u8, 255]
}

fn unit(c: [u8; 4]) -> [f32; 4] {
    c.map(|v| f32::from(v) / 255.0)
}

/// One frame of a random kind; `Some` describes a wrong result.
pub fn frame(
    ctx: &mut Context<DynTransport>,
    rng: &mut Rng,
) -> virgl_guest::Result<Option<String>> {
    match rng.below(3) {
        0 => quad_frame(ctx, rng),
        1 => texture_frame(ctx, rng),
        _ => buffer_frame(ctx, rng),
    }
}

/// A clear and a pixel-aligned quad of another colour: every pixel is one or the other.
fn quad_frame(
    ctx: &mut Context<DynTransport>,
    rng: &mut Rng,
) -> virgl_guest::Result<Option<String>> {
    let (w, h) = (rng.range(8, 96), rng.range(8, 96));
    let t = scene::target(ctx, w, h, None)?;
    let (blend, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    let (bg, fg) = (rgba_color(rng), rgba_color(rng));
    ctx.clear(Clear::color(ClearBuffers::COLOR0, unit(bg)))?;
    let x0 = rng.range(0, w - 1);
    let x1 = rng.range(x0 + 1, w);
    let y0 = rng.range(0, h - 1);
    let y1 = rng.range(y0 + 1, h);
    // Edges on pixel boundaries: no pixel centre is in doubt. NDC y = -1 is row 0.
    let ndc = |p: u32, n: u32| 2.0 * p as f32 / n as f32 - 1.0;
    let _vb = scene::draw(
        ctx,
        &scene::quad(
            ndc(x0, w),
            ndc(y0, h),
            ndc(x1, w),
            ndc(y1, h),
            0.0,
            unit(fg),
        ),
        PrimMode::TriangleStrip,
    )?;
    let rgba = scene::read_rgba(ctx, &t)?;
    Ok(scene::mismatch(&rgba, w, h, |x, y| {
        if (x0..x1).contains(&x) && (y0..y1).contains(&y) {
            fg
        } else {
            bg
        }
    })
    .map(|m| format!("quad {x0}..{x1} x {y0}..{y1} on {w}x{h}: {m}")))
}

/// A random texture of the target's size sampled NEAREST over the whole target: every pixel is
/// its texel.
fn texture_frame(
    ctx: &mut Context<DynTransport>,
    rng: &mut Rng,
) -> virgl_guest::Result<Option<String>> {
    let (w, h) = (rng.range(4, 80), rng.range(4, 80));
    let t: Target = scene::target(ctx, w, h, None)?;
    let texels = rng.bytes((w * h * 4) as usize);
    let tex = ctx.create_resource(&ResourceDesc::texture_2d(
        Format::R8G8B8A8_UNORM,
        w,
        h,
        bind::SAMPLER_VIEW,
    ))?;
    ctx.upload(&tex, Box3::new_2d(0, 0, w, h), &texels)?;
    let (blend, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(ctx, &scene::fs_texture(), &blend, &dsa, &rast)?;
    let view = ctx.create_sampler_view(&tex, Format::R8G8B8A8_UNORM)?;
    let sampler = ctx.create_sampler_state(&SamplerState::nearest(0))?;
    ctx.set_sampler_views(ShaderType::Fragment, &[&view])?;
    ctx.bind_sampler_states(ShaderType::Fragment, &[&sampler])?;
    let v = |x: f32, y: f32, s: f32, tt: f32| [x, y, 0.0, 1.0, s, tt, 0.0, 1.0];
    let _vb = scene::draw(
        ctx,
        &[
            v(-1.0, -1.0, 0.0, 0.0),
            v(1.0, -1.0, 1.0, 0.0),
            v(-1.0, 1.0, 0.0, 1.0),
            v(1.0, 1.0, 1.0, 1.0),
        ],
        PrimMode::TriangleStrip,
    )?;
    let rgba = scene::read_rgba(ctx, &t)?;
    Ok(scene::mismatch(&rgba, w, h, |x, y| {
        let i = ((y * w + x) * 4) as usize;
        [texels[i], texels[i + 1], texels[i + 2], texels[i + 3]]
    })
    .map(|m| format!("{w}x{h} texture: {m}")))
}

/// Random bytes through a buffer and back.
fn buffer_frame(
    ctx: &mut Context<DynTransport>,
    rng: &mut Rng,
) -> virgl_guest::Result<Option<String>> {
    let n = rng.range(1, 64 << 10);
    let bytes = rng.bytes(n as usize);
    let buf = ctx.create_resource(&ResourceDesc::buffer(n, bind::VERTEX_BUFFER))?;
    ctx.upload(&buf, Box3::new_2d(0, 0, n, 1), &bytes)?;
    let back = ctx.download(&buf, Box3::new_2d(0, 0, n, 1))?;
    Ok(scene::first_difference(&back, &bytes).map(|d| format!("{n}-byte buffer: {d}")))
}

/// A well-behaved client: frames until told to stop, reconnecting now and then (and after an
/// error, which fails the soak).
pub fn good(shared: &Shared, name: String, seed: u64) -> GoodStats {
    let mut rng = Rng::new(seed);
    let mut st = GoodStats {
        name,
        ..GoodStats::default()
    };
    'connection: while !shared.stopped() {
        if shared.wait_while_paused() {
            continue;
        }
        let ctx = Vtest::connect_as(&shared.socket, &st.name, 3)
            .map_err(|e| e.to_string())
            .and_then(|vt| Context::new(Box::new(vt) as DynTransport).map_err(|e| e.to_string()));
        let mut ctx = match ctx {
            Ok(c) => c,
            Err(e) => {
                st.errors += 1;
                note(&mut st.problems, format!("connecting: {e}"));
                std::thread::sleep(Duration::from_millis(200));
                continue;
            }
        };
        st.connections += 1;
        for _ in 0..rng.range(20, 400) {
            if shared.stopped() {
                break 'connection;
            }
            if shared.paused() {
                continue 'connection;
            }
            let began = std::time::Instant::now();
            let result = frame(&mut ctx, &mut rng);
            st.longest_frame = st.longest_frame.max(began.elapsed());
            match result {
                Ok(wrong) => {
                    st.frames += 1;
                    shared.frames.fetch_add(1, Ordering::Relaxed);
                    if let Some(m) = wrong {
                        st.wrong += 1;
                        shared.wrong.fetch_add(1, Ordering::Relaxed);
                        note(&mut st.problems, format!("frame {}: {m}", st.frames));
                    }
                }
                Err(e) => {
                    st.errors += 1;
                    note(&mut st.problems, format!("frame {}: {e}", st.frames + 1));
                    continue 'connection;
                }
            }
        }
    }
    st
}

/// The idle client that keeps the server's renderer alive, so the server's memory and
/// descriptors before and after the other clients compare like with like.
pub struct Anchor {
    _resource: virgl_guest::Resource,
    _ctx: Context<DynTransport>,
}

impl Anchor {
    pub fn connect(socket: &Path) -> virgl_guest::Result<Anchor> {
        let vt = Vtest::connect_as(socket, super::ANCHOR, 3)?;
        let mut ctx = Context::new(Box::new(vt) as DynTransport)?;
        let res = ctx.create_resource(&ResourceDesc::texture_2d(
            Format::B8G8R8A8_UNORM,
            16,
            16,
            bind::RENDER_TARGET | bind::SAMPLER_VIEW,
        ))?;
        ctx.finish()?;
        Ok(Anchor {
            _resource: res,
            _ctx: ctx,
        })
    }
}

// ---- hostile clients ----

type R<T = ()> = std::result::Result<T, String>;

/// A raw vtest connection, bounded by timeouts.
struct Raw {
    s: UnixStream,
}

const RAW_TIMEOUT: Duration = Duration::from_secs(10);

impl Raw {
    fn connect(path: &Path) -> R<Raw> {
        let s = UnixStream::connect(path).map_err(|e| format!("connect: {e}"))?;
        s.set_read_timeout(Some(RAW_TIMEOUT))
            .and_then(|()| s.set_write_timeout(Some(RAW_TIMEOUT)))
            .map_err(|e| e.to_string())?;
        Ok(Raw { s })
    }

    fn send(&mut self, st: &mut HostileStats, bytes: &[u8]) -> R {
        st.messages += 1;
        self.s.write_all(bytes).map_err(|e| format!("send: {e}"))
    }

    fn words(&mut self, n: usize) -> R<Vec<u32>> {
        let mut b = vec![0u8; n * 4];
        self.s
            .read_exact(&mut b)
            .map_err(|e| format!("read: {e}"))?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    fn reply(&mut self, id: u32, len: usize) -> R<Vec<u32>> {
        let h = self.words(2)?;
        if h != [len as u32, id] {
            return Err(format!("reply {h:?}, expected [{len}, {id}]"));
        }
        self.words(len)
    }

    fn handshake(&mut self, st: &mut HostileStats, name: &str) -> R {
        let mut m = wire::create_renderer(name);
        m.extend(wire::bare(cmd::PING_PROTOCOL_VERSION));
        m.extend(wire::busy_wait(0, 0));
        self.send(st, &m)?;
        self.reply(cmd::PING_PROTOCOL_VERSION, 0)?;
        self.reply(cmd::RESOURCE_BUSY_WAIT, 1)?;
        self.send(st, &wire::protocol_version(3))?;
        self.reply(cmd::PROTOCOL_VERSION, 1)?;
        Ok(())
    }

    /// RESOURCE_CREATE2 under protocol 3: the id, after taking (and closing) the memfd.
    fn create2(&mut self, st: &mut HostileStats, desc: &ResourceDesc, shm: u32) -> R<u32> {
        self.send(st, &wire::resource_create2(0, desc, shm))?;
        let id = self.reply(cmd::RESOURCE_CREATE2, 1)?[0];
        if shm > 0 {
            virgl_guest::sys::recv_fd(&self.s, "soak memfd").map_err(|e| e.to_string())?;
        }
        Ok(id)
    }

    fn submit(&mut self, st: &mut HostileStats, shared: &Shared, dwords: &[u32]) -> R {
        st.submissions += 1;
        shared.hostile_submissions.fetch_add(1, Ordering::Relaxed);
        self.send(st, &wire::submit_cmd(dwords))
    }

    /// A round trip: everything sent before has been handled.
    fn ping(&mut self, st: &mut HostileStats) -> R {
        self.send(st, &wire::bare(cmd::PING_PROTOCOL_VERSION))?;
        self.reply(cmd::PING_PROTOCOL_VERSION, 0).map(drop)
    }
}

/// A dword a validator may trip on.
fn interesting(rng: &mut Rng, ids: &[u32]) -> u32 {
    match rng.below(9) {
        0 => 0,
        1 => 1,
        2 => rng.below(16) as u32,
        3 => ids.first().map_or(1, |_| *rng.pick(ids)),
        4 => u32::MAX,
        5 => 0x8000_0000,
        6 => 1.0f32.to_bits(),
        7 => rng.range(1, 4096),
        _ => rng.u32(),
    }
}

fn mutate(rng: &mut Rng, d: u32) -> u32 {
    match rng.below(6) {
        0 => d ^ (1 << rng.below(32)),
        1 => 0,
        2 => u32::MAX,
        3 => d.wrapping_add(rng.range(1, 4)),
        4 => d.wrapping_sub(1),
        _ => rng.u32(),
    }
}

/// Commands with plausible headers (ids and object types in range, short lengths) and
/// payloads of interesting dwords.
fn random_stream(rng: &mut Rng, ids: &[u32]) -> Vec<u32> {
    let mut out = Vec::new();
    for _ in 0..rng.range(1, 24) {
        let len = rng.below(24) as u32;
        out.push(len << 16 | (rng.below(24) as u32) << 8 | rng.below(64) as u32);
        for _ in 0..len {
            out.push(interesting(rng, ids));
        }
    }
    out
}

fn small_resource(rng: &mut Rng) -> (ResourceDesc, u32) {
    if rng.chance(1, 2) {
        let n = rng.range(16, 4096);
        (
            ResourceDesc::buffer(n, *rng.pick(&[bind::VERTEX_BUFFER, bind::CONSTANT_BUFFER])),
            n,
        )
    } else {
        let (w, h) = (rng.range(1, 64), rng.range(1, 64));
        (
            ResourceDesc::texture_2d(
                Format::B8G8R8A8_UNORM,
                w,
                h,
                bind::RENDER_TARGET | bind::SAMPLER_VIEW,
            ),
            w * h * 4,
        )
    }
}

fn with_resources(c: &mut Raw, st: &mut HostileStats, rng: &mut Rng) -> R<Vec<u32>> {
    let mut ids = Vec::new();
    for _ in 0..rng.below(4) {
        let (desc, shm) = small_resource(rng);
        ids.push(c.create2(st, &desc, shm)?);
    }
    Ok(ids)
}

/// Random command streams on a context with a few resources.
fn random_streams(shared: &Shared, name: &str, rng: &mut Rng, st: &mut HostileStats) -> R {
    let mut c = Raw::connect(&shared.socket)?;
    c.handshake(st, name)?;
    let ids = with_resources(&mut c, st, rng)?;
    for _ in 0..rng.range(1, 6) {
        let s = random_stream(rng, &ids);
        c.submit(st, shared, &s)?;
    }
    c.ping(st)
}

/// Runs of commands from the captured streams, with a few dwords changed.
fn mutated_captures(shared: &Shared, name: &str, rng: &mut Rng, st: &mut HostileStats) -> R {
    if shared.captures.is_empty() {
        return random_streams(shared, name, rng, st);
    }
    let mut c = Raw::connect(&shared.socket)?;
    c.handshake(st, name)?;
    let ids = with_resources(&mut c, st, rng)?;
    for _ in 0..rng.range(1, 4) {
        let cap = rng.pick(&shared.captures);
        let first = if rng.chance(1, 4) {
            0
        } else {
            rng.below(cap.starts.len() as u64) as usize
        };
        let last = (first + rng.range(1, 300) as usize).min(cap.starts.len());
        let from = cap.starts[first];
        let to = cap.starts.get(last).copied().unwrap_or(cap.dwords.len());
        let mut s = cap.dwords[from..to.min(from + 65536)].to_vec();
        if !rng.chance(1, 8) {
            for _ in 0..rng.range(1, 6) {
                let i = rng.below(s.len() as u64) as usize;
                s[i] = if rng.chance(1, 4) {
                    interesting(rng, &ids)
                } else {
                    mutate(rng, s[i])
                };
            }
        }
        c.submit(st, shared, &s)?;
    }
    c.ping(st)
}

/// A transport that changes a few dwords of some submissions: real frames, with resources
/// that exist, so the changes reach deep into validation and the GL backend.
struct Mutating {
    inner: DynTransport,
    rng: Rng,
    submits: Rc<Cell<u64>>,
}

impl Transport for Mutating {
    fn describe(&self) -> String {
        format!("mutating {}", self.inner.describe())
    }
    fn caps(&self) -> &Caps {
        self.inner.caps()
    }
    fn create_resource(&mut self, desc: &ResourceDesc) -> virgl_guest::Result<ResourceId> {
        self.inner.create_resource(desc)
    }
    fn destroy_resource(&mut self, id: ResourceId) -> virgl_guest::Result<()> {
        self.inner.destroy_resource(id)
    }
    fn backing(&mut self, id: ResourceId) -> virgl_guest::Result<&mut [u8]> {
        self.inner.backing(id)
    }
    fn transfer_to_host(&mut self, id: ResourceId, t: &TransferRegion) -> virgl_guest::Result<()> {
        self.inner.transfer_to_host(id, t)
    }
    fn transfer_from_host(
        &mut self,
        id: ResourceId,
        t: &TransferRegion,
    ) -> virgl_guest::Result<()> {
        self.inner.transfer_from_host(id, t)
    }
    fn submit(&mut self, stream: &[u32], resources: &[ResourceId]) -> virgl_guest::Result<Fence> {
        let mut s = stream.to_vec();
        if !s.is_empty() && self.rng.chance(1, 2) {
            for _ in 0..self.rng.range(1, 3) {
                let i = self.rng.below(s.len() as u64) as usize;
                s[i] = mutate(&mut self.rng, s[i]);
            }
        }

        self.submits.set(self.submits.get() + 1);
        self.inner.submit(&s, resources)
    }
    fn wait(&mut self, id: ResourceId) -> virgl_guest::Result<()> {
        self.inner.wait(id)
    }
    fn wait_fence(&mut self, fence: Fence) -> virgl_guest::Result<()> {
        self.inner.wait_fence(fence)
    }
}

/// The good clients' frames through [`Mutating`]; results are not judged.
fn mutated_frames(shared: &Shared, name: &str, rng: &mut Rng, st: &mut HostileStats) -> R {
    let vt = Vtest::connect_as(&shared.socket, name, 3).map_err(|e| e.to_string())?;
    st.messages += 4;
    let submits = Rc::new(Cell::new(0));
    let t = Mutating {
        inner: Box::new(vt),
        rng: Rng::new(rng.next_u64()),
        submits: submits.clone(),
    };
    let result = Context::new(Box::new(t) as DynTransport)
        .map_err(|e| e.to_string())
        .and_then(|mut ctx| {
            for _ in 0..rng.range(1, 8) {
                frame(&mut ctx, rng).map_err(|e| e.to_string())?;
            }
            Ok(())
        });
    st.submissions += submits.get();
    st.messages += submits.get();
    shared
        .hostile_submissions
        .fetch_add(submits.get(), Ordering::Relaxed);
    result
}

/// Vtest messages that are wrong: unknown ids, absurd lengths, payloads that do not fit their
/// command, commands before CREATE_RENDERER.
fn malformed(shared: &Shared, name: &str, rng: &mut Rng, st: &mut HostileStats) -> R {
    let mut c = Raw::connect(&shared.socket)?;
    if rng.chance(7, 8) {
        c.handshake(st, name)?;
    }
    for _ in 0..rng.range(1, 6) {
        match rng.below(8) {
            0 => {
                let id = rng.range(cmd::SUBMIT_CMD2 + 1, 1000);
                c.send(st, &wire::message(id, &[]))?;
            }
            1 => {
                // A length past every limit, and nothing after it.
                let id = *rng.pick(&[cmd::SUBMIT_CMD, cmd::SYNC_WAIT, cmd::SUBMIT_CMD2]);
                let len = *rng.pick(&[u32::MAX, 1 << 30, (256 << 20) / 4 + 1]);
                let mut m = Vec::new();
                m.extend(len.to_le_bytes());
                m.extend(id.to_le_bytes());
                c.send(st, &m)?;
                let _ = c.s.shutdown(std::net::Shutdown::Write);
                return Ok(());
            }
            _ => {
                let id = rng.range(1, cmd::SUBMIT_CMD2);
                let len = rng.below(16) as u32;
                let payload: Vec<u32> = (0..len).map(|_| interesting(rng, &[1, 2, 3])).collect();
                if id == cmd::SUBMIT_CMD || id == cmd::SUBMIT_CMD2 {
                    st.submissions += 1;
                }
                c.send(st, &wire::message(id, &payload))?;
            }
        }
    }
    Ok(())
}

/// Creates resources until the server refuses one: buffers until `--max-resources`, or large
/// textures until `--max-resource-bytes`. More than the limits allow is a violation.
fn resource_flood(shared: &Shared, name: &str, rng: &mut Rng, st: &mut HostileStats) -> R {
    let mut c = Raw::connect(&shared.socket)?;
    c.handshake(st, name)?;
    let (desc, shm, bytes) = if rng.chance(1, 2) {
        (ResourceDesc::buffer(4096, bind::VERTEX_BUFFER), 4096, 4096)
    } else {
        let d = ResourceDesc::texture_2d(Format::R8G8B8A8_UNORM, 1024, 1024, bind::SAMPLER_VIEW);
        (d, 0, 4 << 20)
    };
    st.resource_floods += 1;
    let allowed = shared.limits.resources.min(shared.limits.bytes / bytes);
    let mut made = 0u64;
    loop {
        if made > allowed {
            st.violations.push(format!(
                "{made} resources of {bytes} bytes were made; the limits allow {allowed}"
            ));
            return Ok(());
        }
        if shared.stopped() || shared.paused() {
            // Not refused yet: the flood does not count.
            st.resource_floods -= 1;
            return Ok(());
        }
        match c.create2(st, &desc, shm) {
            Ok(_) => made += 1,
            Err(e) => {
                if made < allowed {
                    // Not refused at a limit: a timeout, or another refusal. The log check
                    // then fails the run; say what the client saw.
                    st.violations.push(format!(
                        "a flood of {bytes}-byte resources ended after {made} of {allowed}: {e}"
                    ));
                }
                return Ok(());
            }
        }
    }
}

fn dsa(handle: u32) -> Command<'static> {
    Command::CreateDsa(Dsa {
        handle,
        ..Dsa::default()
    })
}

/// Creates objects past `--max-objects` in batches, then waits for the server to take them.
fn object_flood(shared: &Shared, name: &str, _rng: &mut Rng, st: &mut HostileStats) -> R {
    let mut c = Raw::connect(&shared.socket)?;
    c.handshake(st, name)?;
    let total = shared.limits.objects as u32 + 64;
    let mut h = 1;
    while h <= total {
        let n = 2000.min(total - h + 1);
        let cmds: Vec<Command<'_>> = (h..h + n).map(dsa).collect();
        let s = encode_all(&cmds).map_err(|e| e.to_string())?;
        c.submit(st, shared, &s)?;
        h += n;
    }
    c.ping(st)?;
    st.object_floods += 1;
    Ok(())
}

/// Leaves at a bad moment: at once, inside a header, inside a payload, with replies unread,
/// with resources and a context live.
fn abrupt(shared: &Shared, name: &str, rng: &mut Rng, st: &mut HostileStats) -> R {
    let mut c = Raw::connect(&shared.socket)?;
    match rng.below(5) {
        0 => {}
        1 => c.send(st, &wire::create_renderer(name)[..3])?,
        2 => {
            c.handshake(st, name)?;
            with_resources(&mut c, st, rng)?;
            let mut m = wire::message(cmd::SUBMIT_CMD, &[]);
            m[..4].copy_from_slice(&1000u32.to_le_bytes());
            m.extend(std::iter::repeat_n(0u8, 40));
            c.send(st, &m)?;
        }
        3 => {
            c.handshake(st, name)?;
            with_resources(&mut c, st, rng)?;
            c.send(st, &wire::bare(cmd::GET_CAPS2))?;
            c.send(st, &wire::get_capset(2, 2))?;
        }
        _ => {
            drop(c);
            let vt = Vtest::connect_as(&shared.socket, name, 3).map_err(|e| e.to_string())?;
            let mut ctx = Context::new(Box::new(vt) as DynTransport).map_err(|e| e.to_string())?;
            let _t = scene::target(&mut ctx, 32, 32, None).map_err(|e| e.to_string())?;
            ctx.clear(Clear::color(ClearBuffers::COLOR0, [1.0; 4]))
                .map_err(|e| e.to_string())?;
            ctx.flush().map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

type Behaviour = fn(&Shared, &str, &mut Rng, &mut HostileStats) -> R;

/// Each behaviour, by name; a hostile client picks one per connection.
const BEHAVIOURS: &[(&str, Behaviour)] = &[
    ("random", random_streams),
    ("mutated-capture", mutated_captures),
    ("mutated-frames", mutated_frames),
    ("malformed", malformed),
    ("resource-flood", resource_flood),
    ("object-flood", object_flood),
    ("abrupt", abrupt),
];

/// A hostile client: a behaviour per connection until told to stop.
pub fn hostile(shared: &Shared, name: String, seed: u64) -> HostileStats {
    let mut rng = Rng::new(seed);
    let mut st = HostileStats {
        name: name.clone(),
        ..HostileStats::default()
    };
    while !shared.stopped() {
        if shared.wait_while_paused() {
            continue;
        }
        let (what, run) = *rng.pick(BEHAVIOURS);
        *st.behaviours.entry(what).or_default() += 1;
        st.connections += 1;
        // Refusals and dropped connections are what these behaviours are for.
        let _ = run(shared, &name, &mut rng, &mut st);
        std::thread::sleep(Duration::from_millis(rng.below(10)));
    }
    st
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_split_at_command_headers() {
        // NOP (len 0), a 2-dword command, a 1-dword command.
        let c = Capture::new(vec![0, 2 << 16 | 5, 7, 8, 1 << 16 | 3, 9]);
        assert_eq!(c.starts, [0, 1, 4]);
        // A length running past the end still starts a command.
        assert_eq!(Capture::new(vec![9 << 16]).starts, [0]);
    }

    #[test]
    fn the_fixture_streams_load() {
        let dir = crate::vm::workspace_root().join("proto/tests/data");
        let caps = load_captures(&dir);
        assert!(caps.len() >= 7, "{}", caps.len());
        assert!(caps.iter().all(|c| c.starts.len() > 10));
    }

    #[test]
    fn random_streams_have_headers_in_range() {
        let mut rng = Rng::new(5);
        let s = random_stream(&mut rng, &[3]);
        let mut i = 0;
        while i < s.len() {
            assert!(s[i] & 0xff < 64 && (s[i] >> 8) & 0xff < 24);
            i += 1 + (s[i] >> 16) as usize;
        }
        assert_eq!(i, s.len());
        assert_eq!(random_stream(&mut Rng::new(5), &[3]), s);
    }
}
