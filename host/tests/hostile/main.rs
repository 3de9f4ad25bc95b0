//! The regression corpus of hostile guests: one minimal input for each class of bug
//! virglrenderer's CVEs record (`shared/reference/host-renderer.md` section 5) and for the
//! hardening fixes listed after its table, each replayed against our renderer.
//!
//! A case is either a command stream (built with `virgl_proto`'s encoder, or as raw dwords where
//! the encoder refuses to build the bad input, so that the decoder is what rejects it) or a
//! sequence of [`Renderer`] calls. Every case holds the renderer to the same promises:
//!
//! - the offending command fails only its own context, with an error naming the command and
//!   the field ([`virgl_host::Error::Command`] or [`virgl_host::Error::Decode`]); resource-level
//!   calls fail with a named error;
//! - a well-behaved context on the same renderer ([`bystander`]) keeps getting the right pixels
//!   before, during and after (on the GL backend; on the null backend its commands must still
//!   run);
//! - the leak classes run a bounded loop and require the renderer's heap to stay flat
//!   ([`heap`]).
//!
//! Each case runs twice: `…::null` on the null backend (fast, and what `cargo xtask
//! hostile-memcheck` runs under valgrind) and `…::gl` on a GL 3.3 core context through
//! surfaceless EGL, skipped with a printed reason where there is none. [`vtest`] sends every
//! stream case through the `virgl-host-vtest` binary as well.

/// Declares stream cases: each `name` is a function returning a [`Case`]; a module of the same
/// name gets its `null` and `gl` tests, and `cases()` lists them all for the vtest run.
macro_rules! stream_cases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn null() {
                    $crate::run_null(&super::$name());
                }
                #[test]
                fn gl() {
                    $crate::run_gl(&super::$name());
                }
            }
        )*
        /// Every stream case of this module.
        pub fn cases() -> Vec<$crate::Case> {
            vec![$($name()),*]
        }
    };
}

/// Declares tests running `f(&mut renderer, gl)` on the null backend (`null`) and on GL
/// (`gl`), one module each.
macro_rules! loop_tests {
    ($($name:ident => $f:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn null() {
                    let _serial = crate::serial();
                    super::$f(&mut crate::null_renderer(), false);
                }
                #[test]
                fn gl() {
                    let _serial = crate::serial();
                    let Some(mut r) = crate::gl_renderer() else {
                        return;
                    };
                    super::$f(&mut r, true);
                }
            }
        )*
    };
}

mod bystander;
mod cve2016;
mod cve2017;
mod cve2019;
mod cve2020;
mod cve2022;
mod fuzz_finds;
mod hardening;
mod heap;
mod vtest;

#[path = "../common/mod.rs"]
#[allow(unused_imports)]
mod common;

use std::sync::{Mutex, MutexGuard};

use virgl_host::backend::null::NullBackend;
use virgl_host::backend::Backend;
use virgl_host::gl::{Api, GlBackend};
use virgl_host::{Error, Renderer};
use virgl_proto::ccmd::{
    to_bytes, Command, CommandId, Dwords, Header, ObjectType, Shader, ShaderOffset,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::{bind, ShaderType, TextureTarget};
use virgl_proto::vtest::ResourceDesc;

#[global_allocator]
static HEAP: heap::Counting = heap::Counting;

// ---- the cases ----

/// The resources a hostile context owns, by role; the ids differ between the in-process runs
/// and the vtest server (which assigns them).
#[derive(Clone, Copy, Debug)]
pub struct Ids {
    /// 16x16 RGBA8, render target and sampler view.
    pub rt: u32,
    /// 4 KiB vertex buffer.
    pub vbuf: u32,
    /// 8x8x4 3D texture.
    pub tex3d: u32,
    /// 8x8 cube map.
    pub cube: u32,
    /// 16x16 Z24S8 depth/stencil buffer.
    pub zs: u32,
    /// 16x16 RGBA32F 2D array of 4 layers and 3 levels.
    pub array: u32,
    /// 64-byte buffer (queries, indirect arguments).
    pub small: u32,
    /// 8x8 RGBA8 2D array of 2 layers, 4 samples.
    pub msaa: u32,
}

impl Ids {
    /// The ids of the in-process runs.
    pub const IN_PROCESS: Ids = Ids {
        rt: 1,
        vbuf: 2,
        tex3d: 3,
        cube: 4,
        zs: 5,
        array: 6,
        small: 7,
        msaa: 8,
    };

    pub fn all(&self) -> [u32; 8] {
        [
            self.rt, self.vbuf, self.tex3d, self.cube, self.zs, self.array, self.small, self.msaa,
        ]
    }

    /// Ids in the order of [`fixture_descs`].
    pub fn from_slice(ids: &[u32]) -> Ids {
        Ids {
            rt: ids[0],
            vbuf: ids[1],
            tex3d: ids[2],
            cube: ids[3],
            zs: ids[4],
            array: ids[5],
            small: ids[6],
            msaa: ids[7],
        }
    }
}

/// The shapes behind [`Ids`], in its order.
pub fn fixture_descs() -> [ResourceDesc; 8] {
    let tex = |target, format, w, h, d, layers, last_level, samples, b| ResourceDesc {
        target,
        format,
        bind: b,
        width: w,
        height: h,
        depth: d,
        array_size: layers,
        last_level,
        nr_samples: samples,
    };
    use TextureTarget as T;
    let rgba = Format::R8G8B8A8_UNORM;
    [
        ResourceDesc::texture_2d(rgba, 16, 16, bind::RENDER_TARGET | bind::SAMPLER_VIEW),
        ResourceDesc::buffer(4096, bind::VERTEX_BUFFER),
        tex(T::Texture3D, rgba, 8, 8, 4, 1, 0, 0, bind::SAMPLER_VIEW),
        tex(
            T::Cube,
            Format::B8G8R8A8_UNORM,
            8,
            8,
            1,
            6,
            0,
            0,
            bind::SAMPLER_VIEW,
        ),
        ResourceDesc::texture_2d(Format::S8_UINT_Z24_UNORM, 16, 16, bind::DEPTH_STENCIL),
        tex(
            T::Texture2DArray,
            Format::R32G32B32A32_FLOAT,
            16,
            16,
            1,
            4,
            2,
            0,
            bind::SAMPLER_VIEW | bind::RENDER_TARGET,
        ),
        ResourceDesc::buffer(64, bind::CUSTOM),
        tex(
            T::Texture2DArray,
            rgba,
            8,
            8,
            1,
            2,
            0,
            4,
            bind::RENDER_TARGET,
        ),
    ]
}

/// One thing a hostile guest does.
#[derive(Clone, Debug)]
pub enum Step {
    /// Submit this stream (dwords).
    Submit(Vec<u32>),
    /// Free this resource (vtest RESOURCE_UNREF, virglrenderer's `resource_unref`).
    Unref(u32),
}

/// What must come of a case's steps.
#[derive(Clone, Copy, Debug)]
pub enum Expect {
    /// Every step but the last succeeds; the last is a submission that fails its context with
    /// an error containing each of these (the command's name and the field).
    Refused(&'static [&'static str]),
    /// Nothing fails: the input is legal Gallium (or what virglrenderer's fix made of it: a
    /// no-op), and the context goes on.
    Harmless,
    /// Refused as [`Expect::Refused`] by a backend that builds GL programs; the null backend
    /// builds none, so there it is [`Expect::Harmless`].
    RefusedByGl(&'static [&'static str]),
}

/// One input of the corpus.
pub struct Case {
    /// The test's name; also the vtest client's name.
    pub name: &'static str,
    /// Which CVE or hardening fix, and what the input is.
    pub about: &'static str,
    pub steps: fn(&Ids) -> Vec<Step>,
    pub expect: Expect,
}

/// The whole stream corpus.
pub fn corpus() -> Vec<Case> {
    [
        cve2017::cases(),
        cve2019::cases(),
        cve2020::cases(),
        cve2022::cases(),
        hardening::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[test]
fn the_corpus_has_unique_names_and_covers_each_cve() {
    let cases = corpus();
    let mut names: Vec<_> = cases.iter().map(|c| c.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "duplicate case names");
    // The library-call cases (context, backing and resource CVEs) live in their modules'
    // own tests; these must each have a stream case.
    for cve in [
        "CVE-2017-5580",
        "CVE-2017-5937",
        "CVE-2017-5956",
        "CVE-2017-5957",
        "CVE-2017-5993",
        "CVE-2017-5994",
        "CVE-2017-6209",
        "CVE-2017-6317",
        "CVE-2017-6355",
        "CVE-2017-6386",
        "CVE-2019-18388",
        "CVE-2019-18389",
        "CVE-2019-18390",
        "CVE-2019-18391",
        "CVE-2020-8002",
        "CVE-2022-0135",
    ] {
        assert!(
            cases.iter().any(|c| c.about.starts_with(cve)),
            "no stream case for {cve}"
        );
    }
}

// ---- running a case in process ----

/// The hostile context's id in process; the bystander's is [`bystander::CTX`].
pub const HOSTILE: u32 = 7;

/// Tests run one at a time: one EGL display per process, and the heap and RSS checks want a
/// quiet process.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A renderer on the null backend with the test limits.
pub fn null_renderer() -> Renderer<NullBackend> {
    Renderer::new(NullBackend::new(), virgl_host::fixtures::LIMITS)
}

/// A renderer on a GL 3.3 core context, or `None` (after printing why) without EGL.
pub fn gl_renderer() -> Option<Renderer<GlBackend>> {
    match GlBackend::new(Api::GlCore { major: 3, minor: 3 }) {
        Ok(b) => {
            let limits = b.gl().resource_limits().expect("GL limits");
            Some(Renderer::new(b, limits))
        }
        Err(e) => {
            eprintln!("skip: no GL 3.3 core context through surfaceless EGL here: {e}");
            None
        }
    }
}

/// Makes context `ctx` with the fixture resources under `ids`, each with zeroed backing.
pub fn populate<B: Backend>(r: &mut Renderer<B>, ctx: u32, ids: &Ids) {
    r.create_context(ctx, "hostile").unwrap();
    for (id, desc) in ids.all().into_iter().zip(fixture_descs()) {
        r.create_resource(id, &desc, 0)
            .unwrap_or_else(|e| panic!("fixture {id} {desc:?}: {e}"));
        let size = desc.backing_size().unwrap_or(0) as usize;
        r.attach_backing(id, Box::new(vec![0u8; size])).unwrap();
        r.attach_resource(ctx, id).unwrap();
    }
}

/// Ends context `ctx` and frees the resources under `ids`.
pub fn depopulate<B: Backend>(r: &mut Renderer<B>, ctx: u32, ids: &Ids) {
    r.destroy_context(ctx);
    for id in ids.all() {
        r.unref_resource(id);
    }
}

/// Submits dwords.
pub fn submit<B: Backend>(r: &mut Renderer<B>, ctx: u32, dwords: &[u32]) -> virgl_host::Result<()> {
    r.submit(ctx, &to_bytes(dwords))
}

/// Asserts `e` is context `ctx`'s command or decode error and names each of `says`; returns
/// its text.
pub fn assert_refused(e: &Error, ctx: u32, says: &[&str]) -> String {
    let text = e.to_string();
    assert!(
        matches!(e, Error::Command { ctx: c, .. } | Error::Decode { ctx: c, .. } if *c == ctx),
        "not a command error of context {ctx}: {e:?}"
    );
    assert!(
        text.starts_with(&format!("context {ctx}: command ")),
        "the error names the command index: {text}"
    );
    assert!(text.contains(" at dword "), "and the dword: {text}");
    for s in says {
        assert!(text.contains(s), "{text:?} does not say {s:?}");
    }
    text
}

/// Runs `case` in context [`HOSTILE`] of `r`, beside a bystander that checks its pixels (with
/// `gl`, where the backend renders) before, after each hostile step, and after the hostile
/// context is gone.
pub fn run_case<B: Backend + 'static>(r: &mut Renderer<B>, gl: bool, case: &Case) {
    let expect = match case.expect {
        Expect::RefusedByGl(says) if gl => Expect::Refused(says),
        Expect::RefusedByGl(_) => Expect::Harmless,
        e => e,
    };
    let mut by = bystander::Bystander::new(r, gl);
    by.check(r);
    let ids = Ids::IN_PROCESS;
    populate(r, HOSTILE, &ids);
    by.check(r);
    let steps = (case.steps)(&ids);
    let last = steps.len() - 1;
    for (i, step) in steps.iter().enumerate() {
        let result = match step {
            Step::Submit(dwords) => submit(r, HOSTILE, dwords),
            Step::Unref(id) => {
                r.unref_resource(*id);
                Ok(())
            }
        };
        match (expect, i == last) {
            (Expect::Refused(says), true) => {
                let e = result.expect_err("the hostile input is refused");
                let text = assert_refused(&e, HOSTILE, says);
                eprintln!("{}: {text}", case.name);
                let again = submit(r, HOSTILE, &[]).unwrap_err();
                assert!(
                    matches!(again, Error::ContextLost { ctx: HOSTILE, .. }),
                    "{again}"
                );
                assert_eq!(r.context(HOSTILE).and_then(|c| c.error()), Some(&*text));
            }
            _ => result.unwrap_or_else(|e| panic!("{}: step {i}: {e}", case.name)),
        }
        by.check(r);
    }
    if matches!(expect, Expect::Harmless) {
        submit(r, HOSTILE, &[]).expect("the context goes on");
        assert_eq!(r.context(HOSTILE).and_then(|c| c.error()), None);
    }
    depopulate(r, HOSTILE, &ids);
    by.check(r);
    by.end(r);
}

/// [`run_case`] on the null backend.
pub fn run_null(case: &Case) {
    let _serial = serial();
    run_case(&mut null_renderer(), false, case);
}

/// [`run_case`] on the GL backend, pixels checked.
pub fn run_gl(case: &Case) {
    let _serial = serial();
    let Some(mut r) = gl_renderer() else { return };
    run_case(&mut r, true, case);
}

// ---- building inputs ----

/// A header dword.
pub fn header(id: CommandId, object: Option<ObjectType>, len: usize) -> u32 {
    Header {
        id: id.to_wire() as u8,
        object: object.map_or(0, |o| o.to_wire() as u8),
        len: len as u16,
    }
    .pack()
}

/// Encodes commands the encoder accepts.
pub fn encode(commands: &[Command<'_>]) -> Vec<u32> {
    virgl_proto::ccmd::encode_all(commands).expect("the encoder builds this input")
}

/// Asserts the encoder refuses `cmd` (so the raw dwords that follow are what a hostile guest
/// must build by hand).
pub fn encoder_refuses(cmd: &Command<'_>) {
    assert!(
        cmd.encode(&mut Vec::new()).is_err(),
        "the encoder builds {cmd:?}; use it instead of raw dwords"
    );
}

/// TGSI text as a whole, NUL-terminated shader in one packet.
pub fn shader(handle: u32, shader_type: ShaderType, text: &str) -> Command<'static> {
    let mut b = text.as_bytes().to_vec();
    b.push(0);
    let total = b.len() as u32;
    b.resize(b.len().next_multiple_of(4), 0);
    Command::CreateShader(Shader {
        handle,
        shader_type,
        offset: ShaderOffset::Total(total),
        num_tokens: 300,
        stream_output: None,
        req_local_mem: 0,
        text: Dwords::from_bytes(b).unwrap(),
    })
}

/// A vertex shader passing its position through.
pub const PASS_VS: &str =
    "VERT\nDCL IN[0]\nDCL OUT[0], POSITION\n  0: MOV OUT[0], IN[0]\n  1: END\n";

/// A fragment shader writing `CONST[0]`.
pub const CONST_FS: &str =
    "FRAG\nDCL OUT[0], COLOR\nDCL CONST[0]\n  0: MOV OUT[0], CONST[0]\n  1: END\n";

/// Repeats `f` for `warmup` rounds, then `rounds` more, and requires the live heap of this
/// thread to grow by less than `bound` bytes over the second part (and, with `rss`, the
/// process's resident set by less than that many bytes).
pub fn assert_flat(
    what: &str,
    warmup: usize,
    rounds: usize,
    bound: i64,
    rss: Option<i64>,
    mut f: impl FnMut(usize),
) {
    for i in 0..warmup {
        f(i);
    }
    let (heap0, rss0) = (heap::live(), heap::rss());
    for i in warmup..warmup + rounds {
        f(i);
    }
    let (heap1, rss1) = (heap::live(), heap::rss());
    eprintln!(
        "{what}: {rounds} rounds: heap {:+} bytes, RSS {:+} KiB",
        heap1 - heap0,
        (rss1 - rss0) / 1024
    );
    assert!(
        heap1 - heap0 < bound,
        "{what}: the heap grew by {} bytes over {rounds} rounds",
        heap1 - heap0
    );
    if let Some(max) = rss {
        assert!(
            rss1 - rss0 < max,
            "{what}: the resident set grew by {} KiB over {rounds} rounds",
            (rss1 - rss0) / 1024
        );
    }
}

/// Every stream case as a fuzzing seed: the submissions of each case, concatenated, written to
/// the directory `VIRGL_FUZZ_SEEDS` names (`fuzz/corpus/host_submit*`; see README "Fuzzing").
/// Without it, only checks that every case has a stream to give.
#[test]
fn seeds_for_the_fuzzers() {
    let dir = std::env::var_os("VIRGL_FUZZ_SEEDS").map(std::path::PathBuf::from);
    for case in corpus() {
        let bytes: Vec<u8> = (case.steps)(&Ids::IN_PROCESS)
            .into_iter()
            .filter_map(|s| match s {
                Step::Submit(d) => Some(virgl_proto::ccmd::to_bytes(&d)),
                Step::Unref(_) => None,
            })
            .flatten()
            .collect();
        assert!(!bytes.is_empty(), "{}: no stream", case.name);
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join(format!("hostile-{}.virgl", case.name)), bytes).unwrap();
        }
    }
}
