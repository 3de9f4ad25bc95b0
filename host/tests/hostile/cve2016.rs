//! The 2016 leaks: decode contexts (CVE-2016-10163) and resource backing (CVE-2016-10214), as
//! sequences of [`Renderer`] calls.

use virgl_host::backend::Backend;
use virgl_host::resource::Backing;
use virgl_host::{Error, GuestBytes, Renderer};
use virgl_proto::ccmd::{Command, ObjectType, Shader, ShaderOffset, VertexElements};
use virgl_proto::format::Format;
use virgl_proto::pipe::{bind, ShaderType};
use virgl_proto::vtest::ResourceDesc;

use crate::bystander::{self, Bystander};
use crate::{assert_flat, encode, populate, submit, Ids, HOSTILE};

/// Rounds of a loop: (warm-up, measured) on the null backend and on GL.
const NULL_ROUNDS: (usize, usize) = (100, 2000);
const GL_ROUNDS: (usize, usize) = (20, 200);

/// What a round of the context loop leaves behind in its context: the bystander's whole
/// pipeline on the fixture target (a program linked on GL), a second sub-context with objects,
/// and a long shader still arriving.
fn busy_stream(ids: &Ids, round: u32) -> Vec<u32> {
    let mut s = bystander::setup_stream(ids.rt, ids.vbuf);
    s.extend(bystander::round_stream(round));
    s.extend(encode(&[
        Command::CreateSubCtx(1),
        Command::SetSubCtx(1),
        Command::CreateVertexElements(VertexElements {
            handle: 1,
            elements: Vec::new(),
        }),
        Command::BindObject {
            object: ObjectType::VertexElements,
            handle: 1,
        },
        Command::CreateShader(Shader {
            handle: 2,
            shader_type: ShaderType::Vertex,
            offset: ShaderOffset::Total(4096),
            num_tokens: 300,
            stream_output: None,
            req_local_mem: 0,
            text: virgl_proto::ccmd::Dwords::from_bytes(b"VERT".to_vec()).unwrap(),
        }),
    ]));
    s
}

/// CVE-2016-10163: `vrend_renderer_context_create_internal` leaked when a decode context was
/// created over and over. Contexts made, used and destroyed in a loop; the id of one in use
/// refused meanwhile (named); the heap stays flat.
fn context_loop<B: Backend + 'static>(r: &mut Renderer<B>, gl: bool) {
    let mut by = Bystander::new(r, gl);
    let ids = Ids::IN_PROCESS;
    populate(r, HOSTILE, &ids);
    let churn = HOSTILE + 1;
    let (warmup, rounds) = if gl { GL_ROUNDS } else { NULL_ROUNDS };
    assert_flat(
        "contexts",
        warmup,
        rounds,
        4096,
        gl.then_some(16 << 20),
        |i| {
            r.create_context(churn, "churn").unwrap();
            let e = r.create_context(churn, "again").unwrap_err();
            assert!(matches!(e, Error::ContextExists(c, _) if c == churn), "{e}");
            for id in [ids.rt, ids.vbuf] {
                r.attach_resource(churn, id).unwrap();
            }
            submit(r, churn, &busy_stream(&ids, i as u32)).unwrap();
            r.destroy_context(churn);
            bystander::clear_calls(r);
        },
    );
    by.check(r);
    crate::depopulate(r, HOSTILE, &ids);
    by.check(r);
    by.end(r);
}

/// Guest memory that remembers its bytes.
fn memory(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(13) ^ seed)
        .collect()
}

fn bytes_of(b: &dyn Backing) -> Vec<u8> {
    let mut v = vec![0u8; b.len() as usize];
    b.read_at(0, &mut v);
    v
}

/// CVE-2016-10214: `virgl_resource_attach_backing` leaked the backing a resource already had
/// when a second ATTACH_BACKING came. (This is virglrenderer's C call; its C ABI is covered
/// by `host/capi/tests/c_abi.rs`.) The second attach is refused, naming the resource, and
/// the first backing stays, unharmed: transfers use it and detaching hands it back.
fn attach_twice<B: Backend + 'static>(r: &mut Renderer<B>, gl: bool) {
    let mut by = Bystander::new(r, gl);
    by.check(r);
    let id = 50;
    let desc = ResourceDesc::texture_2d(Format::R8G8B8A8_UNORM, 16, 16, bind::SAMPLER_VIEW);
    r.create_resource(id, &desc, 0).unwrap();
    let first = memory(1024, 1);
    r.attach_backing(id, Box::new(first.clone())).unwrap();
    let e = r.attach_backing(id, Box::new(memory(1024, 2))).unwrap_err();
    assert!(matches!(e, Error::Resource { id: 50, .. }), "{e:?}");
    assert_eq!(e.to_string(), "resource 50: already has backing");
    by.check(r);
    let whole = bystander::whole_target(id);
    r.transfer_write(None, &whole, GuestBytes::Backing(0))
        .unwrap();
    let mut back = vec![0u8; 1024];
    r.transfer_read_slice(None, &whole, &mut back).unwrap();
    assert_eq!(back, first, "the first backing is the one used");
    let detached = r.detach_backing(id).expect("the first backing comes back");
    assert_eq!(bytes_of(&*detached), first);
    r.attach_backing(id, Box::new(memory(1024, 3))).unwrap();
    let freed = r.unref_resource(id).expect("unref hands the backing back");
    assert_eq!(bytes_of(&*freed), memory(1024, 3));
    let e = r.attach_backing(id, detached).unwrap_err();
    assert_eq!(e.to_string(), "resource 50: does not exist");
    by.check(r);
    by.end(r);
}

/// CVE-2016-10214's loop (vtest's create/unref): resources of 256 KiB made, given backing
/// twice (the second refused), and freed; the heap (and on GL the resident set) stays flat.
fn backing_loop<B: Backend + 'static>(r: &mut Renderer<B>, gl: bool) {
    let mut by = Bystander::new(r, gl);
    let desc = ResourceDesc::texture_2d(Format::R8G8B8A8_UNORM, 256, 256, bind::SAMPLER_VIEW);
    let (warmup, rounds) = if gl { GL_ROUNDS } else { NULL_ROUNDS };
    assert_flat(
        "backings",
        warmup,
        rounds,
        4096,
        gl.then_some(32 << 20),
        |i| {
            let id = 60 + (i % 3) as u32;
            r.create_resource(id, &desc, 0).unwrap();
            r.attach_backing(id, Box::new(vec![0u8; 64])).unwrap();
            r.attach_backing(id, Box::new(vec![0u8; 64])).unwrap_err();
            r.unref_resource(id).unwrap();
            bystander::clear_calls(r);
        },
    );
    by.check(r);
    by.end(r);
}

loop_tests! {
    cve_2016_10163_context_loop => context_loop,
    cve_2016_10214_attach_backing_twice => attach_twice,
    cve_2016_10214_backing_loop => backing_loop,
}
