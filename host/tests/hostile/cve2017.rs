//! The 2017 batch (virglrenderer 0.6.0 and 737c3350): the TGSI text parser, CLEAR without
//! colour buffers, vertex elements and buffers, the framebuffer's colour buffer count, BLIT,
//! shader packets, context 0, and the leaks of shader programs and vertex elements objects.

use virgl_host::backend::Backend;
use virgl_host::{Error, Renderer};
use virgl_proto::ccmd::{
    Blit, BlitSurface, Box3, Clear, Command, CommandId, DrawVbo, Dwords, ObjectType, Scissor,
    Shader, ShaderOffset, VertexElement, VertexElements,
};
use virgl_proto::format::Format;
use virgl_proto::pipe::{BlitMask, ClearBuffers, PrimMode, ShaderType, TexFilter};

use crate::bystander::{self, Bystander};
use crate::{
    assert_flat, encode, encoder_refuses, header, populate, shader, submit, Case, Expect, Ids,
    Step, HOSTILE,
};

stream_cases! {
    cve_2017_5580_tex_unknown_target,
    cve_2017_5580_tex_huge_target,
    cve_2017_5937_clear_without_colour_buffers,
    cve_2017_5937_framebuffer_names_no_surface,
    cve_2017_5956_vertex_buffer_index_32,
    cve_2017_5956_vertex_buffer_index_unbound,
    cve_2017_5957_nr_cbufs_9,
    cve_2017_5957_nr_cbufs_255_short,
    cve_2017_5993_many_blits,
    cve_2017_5994_33_vertex_elements,
    cve_2017_6209_property_10k_identifier,
    cve_2017_6317_link_fails,
    cve_2017_6355_total_0x7fffffff_then_wrong_offset,
    cve_2017_6355_continuation_without_first,
    cve_2017_6355_continuation_past_total,
    cve_2017_6355_first_packet_longer_than_total,
    cve_2017_6386_vertex_elements_recreated,
}

const FS_TEX: &str = "FRAG\nDCL IN[0], GENERIC[0], PERSPECTIVE\nDCL OUT[0], COLOR\nDCL SAMP[0]\n\
                      DCL SVIEW[0], 2D, FLOAT\n  0: TEX OUT[0], IN[0], SAMP[0], {TARGET}\n  1: END\n";

/// CVE-2017-5580: `parse_instruction` read past its table for a crafted texture target. Here
/// CREATE_OBJECT(SHADER)'s text has a TEX whose target (its last operand) is no target.
fn cve_2017_5580_tex_unknown_target() -> Case {
    Case {
        name: "cve_2017_5580_tex_unknown_target",
        about: "CVE-2017-5580: CREATE_OBJECT(SHADER) text: TEX with target CUBE_ARRAY_SHADOW_MSAA",
        steps: |_| {
            let text = FS_TEX.replace("{TARGET}", "CUBE_ARRAY_SHADOW_MSAA");
            vec![Step::Submit(encode(&[shader(
                1,
                ShaderType::Fragment,
                &text,
            )]))]
        },
        expect: Expect::Refused(&["CREATE_OBJECT(SHADER)", "TGSI", "CUBE_ARRAY_SHADOW_MSAA"]),
    }
}

/// CVE-2017-5580, the same with a 4 KiB target name.
fn cve_2017_5580_tex_huge_target() -> Case {
    Case {
        name: "cve_2017_5580_tex_huge_target",
        about: "CVE-2017-5580: CREATE_OBJECT(SHADER) text: TEX with a 4096-character target",
        steps: |_| {
            let text = FS_TEX.replace("{TARGET}", &format!("2D{}", "A".repeat(4094)));
            vec![Step::Submit(encode(&[shader(
                1,
                ShaderType::Fragment,
                &text,
            )]))]
        },
        expect: Expect::Refused(&["CREATE_OBJECT(SHADER)", "TGSI", "2DAAAA", "more bytes)"]),
    }
}

/// CVE-2017-5937: CLEAR dereferenced a NULL colour buffer. CLEAR with every COLOR bit and no
/// framebuffer, then with two NULL colour buffers bound, then with one whose surface was
/// destroyed (which unbinds it). Gallium clears only the buffers that are bound, as
/// virglrenderer's fix does, so these are legal and clear nothing.
fn cve_2017_5937_clear_without_colour_buffers() -> Case {
    Case {
        name: "cve_2017_5937_clear_without_colour_buffers",
        about: "CVE-2017-5937: CLEAR buffers=COLOR|DEPTHSTENCIL with no, NULL and destroyed cbufs",
        steps: |ids| {
            let all = Clear {
                depth: 1.0,
                ..Clear::color(ClearBuffers::COLOR | ClearBuffers::DEPTHSTENCIL, [1.0; 4])
            };
            vec![Step::Submit(encode(&[
                Command::Clear(all),
                Command::SetFramebufferState {
                    zsurf: 0,
                    cbufs: vec![0, 0],
                },
                Command::Clear(all),
                Command::CreateSurface(surface(1, ids.rt)),
                Command::SetFramebufferState {
                    zsurf: 0,
                    cbufs: vec![0, 1],
                },
                Command::DestroyObject {
                    object: ObjectType::Surface,
                    handle: 1,
                },
                Command::Clear(all),
            ]))]
        },
        expect: Expect::Harmless,
    }
}

/// CVE-2017-5937's NULL colour buffer, where a guest can name one: SET_FRAMEBUFFER_STATE whose
/// `cbufs` names a surface that does not exist.
fn cve_2017_5937_framebuffer_names_no_surface() -> Case {
    Case {
        name: "cve_2017_5937_framebuffer_names_no_surface",
        about: "CVE-2017-5937: SET_FRAMEBUFFER_STATE cbufs[1] = surface 9, which does not exist",
        steps: |ids| {
            vec![Step::Submit(encode(&[
                Command::CreateSurface(surface(1, ids.rt)),
                Command::SetFramebufferState {
                    zsurf: 0,
                    cbufs: vec![1, 9],
                },
            ]))]
        },
        expect: Expect::Refused(&["SET_FRAMEBUFFER_STATE", "Surface handle 9 does not exist"]),
    }
}

pub fn surface(handle: u32, resource: u32) -> virgl_proto::ccmd::Surface {
    virgl_proto::ccmd::Surface {
        handle,
        resource,
        format: Format::R8G8B8A8_UNORM,
        level: 0,
        layers: virgl_proto::ccmd::LayerRange::single(0),
    }
}

fn element(vertex_buffer_index: u32) -> VertexElement {
    VertexElement {
        src_offset: 0,
        instance_divisor: 0,
        vertex_buffer_index,
        src_format: Format::R32G32B32A32_FLOAT,
    }
}

/// CVE-2017-5956: `vrend_draw_vbo` indexed its vertex buffers with an element's
/// `vertex_buffer_index` unchecked. CREATE_OBJECT(VERTEX_ELEMENTS) with index 32 (the decoder
/// refuses what the encoder will not build).
fn cve_2017_5956_vertex_buffer_index_32() -> Case {
    Case {
        name: "cve_2017_5956_vertex_buffer_index_32",
        about: "CVE-2017-5956: CREATE_OBJECT(VERTEX_ELEMENTS) vertex_buffer_index = 32",
        steps: |_| {
            encoder_refuses(&Command::CreateVertexElements(VertexElements {
                handle: 1,
                elements: vec![element(32)],
            }));
            let e = element(0);
            vec![Step::Submit(vec![
                header(CommandId::CreateObject, Some(ObjectType::VertexElements), 5),
                1,
                e.src_offset,
                e.instance_divisor,
                32,
                e.src_format.to_wire(),
            ])]
        },
        expect: Expect::Refused(&["CREATE_OBJECT(VERTEX_ELEMENTS)", "`vertex_buffer_index`"]),
    }
}

/// CVE-2017-5956, the index the decoder cannot know is too big: element 0 reads vertex buffer
/// 5 while one is bound, then DRAW_VBO. As in virglrenderer's fix, the attribute has no buffer
/// and the draw goes on.
fn cve_2017_5956_vertex_buffer_index_unbound() -> Case {
    Case {
        name: "cve_2017_5956_vertex_buffer_index_unbound",
        about: "CVE-2017-5956: DRAW_VBO with vertex_buffer_index 5 and one vertex buffer bound",
        steps: |ids| {
            let mut s = bystander::setup_stream(ids.rt, ids.vbuf);
            s.extend(encode(&[
                Command::CreateVertexElements(VertexElements {
                    handle: 20,
                    elements: vec![element(5)],
                }),
                Command::BindObject {
                    object: ObjectType::VertexElements,
                    handle: 20,
                },
                Command::DrawVbo(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 4)),
            ]));
            vec![Step::Submit(s)]
        },
        expect: Expect::Harmless,
    }
}

/// CVE-2017-5957: `vrend_decode_set_framebuffer_state` copied `nr_cbufs` handles onto the
/// stack. SET_FRAMEBUFFER_STATE with nr_cbufs 9 and its 9 handles.
fn cve_2017_5957_nr_cbufs_9() -> Case {
    Case {
        name: "cve_2017_5957_nr_cbufs_9",
        about: "CVE-2017-5957: SET_FRAMEBUFFER_STATE nr_cbufs = 9, with 9 handles",
        steps: |_| {
            encoder_refuses(&Command::SetFramebufferState {
                zsurf: 0,
                cbufs: vec![0; 9],
            });
            let mut s = vec![header(CommandId::SetFramebufferState, None, 11), 9, 0];
            s.extend(1..=9);
            vec![Step::Submit(s)]
        },
        expect: Expect::Refused(&["SET_FRAMEBUFFER_STATE", "expects 2..=10 payload dwords"]),
    }
}

/// CVE-2017-5957 with a short command: nr_cbufs 255 and one handle.
fn cve_2017_5957_nr_cbufs_255_short() -> Case {
    Case {
        name: "cve_2017_5957_nr_cbufs_255_short",
        about: "CVE-2017-5957: SET_FRAMEBUFFER_STATE nr_cbufs = 255 followed by one handle",
        steps: |_| {
            vec![Step::Submit(vec![
                header(CommandId::SetFramebufferState, None, 3),
                255,
                0,
                1,
            ])]
        },
        expect: Expect::Refused(&["SET_FRAMEBUFFER_STATE", "`nr_cbufs`"]),
    }
}

/// A scaled, converting BLIT from the 16x16 RGBA8 target into layer 1 of the RGBA32F array:
/// what needs virglrenderer's shader blitter.
pub fn scaled_blit(ids: &Ids) -> Blit {
    Blit {
        mask: BlitMask::RGBA,
        filter: TexFilter::Linear,
        scissor_enable: false,
        render_condition_enable: false,
        alpha_blend: false,
        scissor: Scissor::default(),
        dst: BlitSurface {
            resource: ids.array,
            level: 0,
            format: Format::R32G32B32A32_FLOAT,
            region: Box3 {
                z: 1,
                ..Box3::new_2d(0, 0, 16, 16)
            },
        },
        src: BlitSurface {
            resource: ids.rt,
            level: 0,
            format: Format::R8G8B8A8_UNORM,
            region: Box3::new_2d(0, 0, 8, 8),
        },
    }
}

/// CVE-2017-5993: each BLIT that needed the shader blitter leaked it. 256 of them in one
/// stream (the loop below repeats it across streams and watches the heap).
fn cve_2017_5993_many_blits() -> Case {
    Case {
        name: "cve_2017_5993_many_blits",
        about: "CVE-2017-5993: 256 scaled, converting BLITs in one stream",
        steps: |ids| {
            let blit = Command::Blit(scaled_blit(ids));
            vec![Step::Submit(encode(&vec![blit; 256]))]
        },
        expect: Expect::Harmless,
    }
}

/// CVE-2017-5994: `vrend_create_vertex_elements_state` trusted `num_elements`, which the
/// command's length implies. CREATE_OBJECT(VERTEX_ELEMENTS) with 33 elements.
fn cve_2017_5994_33_vertex_elements() -> Case {
    Case {
        name: "cve_2017_5994_33_vertex_elements",
        about: "CVE-2017-5994: CREATE_OBJECT(VERTEX_ELEMENTS) of length 1 + 4 * 33",
        steps: |_| {
            encoder_refuses(&Command::CreateVertexElements(VertexElements {
                handle: 1,
                elements: vec![element(0); 33],
            }));
            let mut s = vec![
                header(
                    CommandId::CreateObject,
                    Some(ObjectType::VertexElements),
                    1 + 4 * 33,
                ),
                1,
            ];
            for _ in 0..33 {
                s.extend([0, 0, 0, Format::R32G32B32A32_FLOAT.to_wire()]);
            }
            vec![Step::Submit(s)]
        },
        expect: Expect::Refused(&[
            "CREATE_OBJECT(VERTEX_ELEMENTS)",
            "expects 1+4n with n in 0..=32 payload dwords, got 133",
        ]),
    }
}

/// CVE-2017-6209: `parse_identifier` copied a property's name onto the stack. A PROPERTY with
/// a 10 KiB name in CREATE_OBJECT(SHADER)'s text.
fn cve_2017_6209_property_10k_identifier() -> Case {
    Case {
        name: "cve_2017_6209_property_10k_identifier",
        about: "CVE-2017-6209: CREATE_OBJECT(SHADER) text: PROPERTY with a 10240-character name",
        steps: |_| {
            let text = format!(
                "FRAG\nPROPERTY {} 1\nDCL OUT[0], COLOR\n  0: END\n",
                "P".repeat(10240)
            );
            vec![Step::Submit(encode(&[shader(
                1,
                ShaderType::Fragment,
                &text,
            )]))]
        },
        expect: Expect::Refused(&[
            "CREATE_OBJECT(SHADER)",
            "TGSI",
            "unknown property",
            "more bytes)",
        ]),
    }
}

/// How many varyings the unlinkable pair passes: more than GL's 32 vectors.
const VARYINGS: u32 = 70;

/// A vertex shader writing [`VARYINGS`] generic outputs and a fragment shader summing them:
/// each translates, and GL refuses to link them together.
pub fn unlinkable_pair() -> (String, String) {
    let n = VARYINGS;
    let mut vs = String::from("VERT\nDCL IN[0]\nDCL OUT[0], POSITION\n");
    let mut fs = String::from("FRAG\nDCL OUT[0], COLOR\nDCL TEMP[0]\n");
    for i in 1..=n {
        vs += &format!("DCL OUT[{i}], GENERIC[{i}]\n");
        fs += &format!("DCL IN[{i}], GENERIC[{i}], PERSPECTIVE\n");
    }
    vs += "  0: MOV OUT[0], IN[0]\n";
    fs += "  0: MOV TEMP[0], IN[1]\n";
    for i in 1..=n {
        vs += &format!("  {i}: MOV OUT[{i}], IN[0]\n");
        if i > 1 {
            fs += &format!("  {}: ADD TEMP[0], TEMP[0], IN[{i}]\n", i - 1);
        }
    }
    vs += &format!("  {}: END\n", n + 1);
    fs += &format!("  {n}: MOV OUT[0], TEMP[0]\n  {}: END\n", n + 1);
    (vs, fs)
}

/// The bystander's pipeline with the unlinkable pair (handles 30 and 31), then a draw.
pub fn unlinkable_draw(ids: &Ids) -> Vec<u32> {
    let (vs, fs) = unlinkable_pair();
    let mut s = bystander::setup_stream(ids.rt, ids.vbuf);
    s.extend(encode(&[
        shader(30, ShaderType::Vertex, &vs),
        shader(31, ShaderType::Fragment, &fs),
        Command::BindShader {
            handle: 30,
            shader_type: ShaderType::Vertex,
        },
        Command::BindShader {
            handle: 31,
            shader_type: ShaderType::Fragment,
        },
        Command::DrawVbo(DrawVbo::arrays(PrimMode::TriangleStrip, 0, 4)),
    ]));
    s
}

/// CVE-2017-6317: `add_shader_program` leaked the program when linking failed. A draw with a
/// vertex/fragment pair that GL does not link (70 varyings); the loop below repeats it and
/// watches the heap and the resident set.
fn cve_2017_6317_link_fails() -> Case {
    Case {
        name: "cve_2017_6317_link_fails",
        about: "CVE-2017-6317: DRAW_VBO with a vertex/fragment pair GL does not link",
        steps: |ids| vec![Step::Submit(unlinkable_draw(ids))],
        expect: Expect::RefusedByGl(&["DRAW_VBO", "glLinkProgram", "shaders 30 + 0 + 31"]),
    }
}

fn packet(offset: ShaderOffset, text: &[u8]) -> Command<'static> {
    Command::CreateShader(Shader {
        handle: 1,
        shader_type: ShaderType::Fragment,
        offset,
        num_tokens: 300,
        stream_output: None,
        req_local_mem: 0,
        text: Dwords::from_bytes(text.to_vec()).unwrap(),
    })
}

/// CVE-2017-6355: `vrend_create_shader` overflowed computing with `offlen` and the packet
/// length. A first packet declaring 0x7fffffff bytes, then a continuation claiming 100 bytes
/// came before it.
fn cve_2017_6355_total_0x7fffffff_then_wrong_offset() -> Case {
    Case {
        name: "cve_2017_6355_total_0x7fffffff_then_wrong_offset",
        about: "CVE-2017-6355: CREATE_OBJECT(SHADER) offset = 0x7fffffff, then continuation 100",
        steps: |_| {
            vec![
                Step::Submit(encode(&[packet(ShaderOffset::Total(0x7fff_ffff), b"FRAG")])),
                Step::Submit(encode(&[packet(ShaderOffset::Continuation(100), b"END\0")])),
            ]
        },
        expect: Expect::Refused(&[
            "CREATE_OBJECT(SHADER)",
            "continuation at byte 100, but 4 bytes have arrived",
        ]),
    }
}

/// CVE-2017-6355: a continuation packet (offset 0x7ffffffc) with no shader in progress.
fn cve_2017_6355_continuation_without_first() -> Case {
    Case {
        name: "cve_2017_6355_continuation_without_first",
        about: "CVE-2017-6355: CREATE_OBJECT(SHADER) continuation at 0x7ffffffc, nothing before",
        steps: |_| {
            vec![Step::Submit(encode(&[packet(
                ShaderOffset::Continuation(0x7fff_fffc),
                b"END\0",
            )]))]
        },
        expect: Expect::Refused(&["CREATE_OBJECT(SHADER)", "a continuation with no shader"]),
    }
}

/// CVE-2017-6355: a continuation carrying more than the declared total leaves ("negative
/// remaining").
fn cve_2017_6355_continuation_past_total() -> Case {
    Case {
        name: "cve_2017_6355_continuation_past_total",
        about: "CVE-2017-6355: CREATE_OBJECT(SHADER) total 8, then a 16-byte continuation at 4",
        steps: |_| {
            let mut rest = b"\nEND\0".to_vec();
            rest.resize(16, 0);
            vec![Step::Submit(encode(&[
                packet(ShaderOffset::Total(8), b"FRAG"),
                packet(ShaderOffset::Continuation(4), &rest),
            ]))]
        },
        expect: Expect::Refused(&[
            "CREATE_OBJECT(SHADER)",
            "12 more bytes of text than the declared total of 8",
        ]),
    }
}

/// CVE-2017-6355, what the encoder refuses: a first packet whose text is longer than its
/// declared total (`offset` 4, 12 bytes of text).
fn cve_2017_6355_first_packet_longer_than_total() -> Case {
    Case {
        name: "cve_2017_6355_first_packet_longer_than_total",
        about: "CVE-2017-6355: CREATE_OBJECT(SHADER) offset = 4 with 3 dwords of text",
        steps: |_| {
            let text = b"FRAG\nEND\0\0\0\0";
            encoder_refuses(&packet(ShaderOffset::Total(4), text));
            let mut s = vec![
                header(CommandId::CreateObject, Some(ObjectType::Shader), 5 + 3),
                1,
                ShaderType::Fragment.to_wire(),
                4,
                300,
                0,
            ];
            s.extend(Dwords::from_bytes(&text[..]).unwrap().iter());
            vec![Step::Submit(s)]
        },
        expect: Expect::Refused(&["CREATE_OBJECT(SHADER)", "`offset`"]),
    }
}

/// CVE-2017-6386: re-creating a vertex elements object under a handle in use leaked the
/// first. CREATE_OBJECT(VERTEX_ELEMENTS) twice with handle 1.
fn cve_2017_6386_vertex_elements_recreated() -> Case {
    Case {
        name: "cve_2017_6386_vertex_elements_recreated",
        about: "CVE-2017-6386: CREATE_OBJECT(VERTEX_ELEMENTS) handle 1 twice",
        steps: |_| {
            let ve = Command::CreateVertexElements(VertexElements {
                handle: 1,
                elements: vec![element(0)],
            });
            vec![Step::Submit(encode(&[ve.clone(), ve]))]
        },
        expect: Expect::Refused(&["CREATE_OBJECT(VERTEX_ELEMENTS)", "handle 1 is already"]),
    }
}

// ---- library calls and loops ----

/// CVE-2017-6210: `vrend_decode_reset` dereferenced context 0 when asked to destroy it.
/// Context 0 cannot be made; destroying it, or a context never made, or one twice, does
/// nothing; submitting to one fails naming it.
fn context_0<B: Backend + 'static>(r: &mut Renderer<B>, gl: bool) {
    let mut by = Bystander::new(r, gl);
    by.check(r);
    r.destroy_context(0);
    r.destroy_context(HOSTILE);
    by.check(r);
    let e = r.create_context(0, "zero").unwrap_err();
    assert!(matches!(e, Error::ContextExists(0, _)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "context 0 cannot be created: id 0 is reserved"
    );
    let e = submit(r, 0, &[]).unwrap_err();
    assert_eq!(e.to_string(), "context 0 does not exist");
    r.create_context(HOSTILE, "twice").unwrap();
    let e = r.create_context(HOSTILE, "twice").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("context {HOSTILE} cannot be created: the id is in use")
    );
    r.destroy_context(HOSTILE);
    r.destroy_context(HOSTILE);
    let e = submit(r, HOSTILE, &[]).unwrap_err();
    assert_eq!(e.to_string(), format!("context {HOSTILE} does not exist"));
    let e = r.attach_resource(0, bystander::TARGET).unwrap_err();
    assert_eq!(e.to_string(), "context 0 does not exist");
    r.detach_resource(0, bystander::TARGET);
    by.check(r);
    by.end(r);
}

mod cve_2017_6210_context_0 {
    #[test]
    fn null() {
        let _serial = crate::serial();
        super::context_0(&mut crate::null_renderer(), false);
    }
    #[test]
    fn gl() {
        let _serial = crate::serial();
        let Some(mut r) = crate::gl_renderer() else {
            return;
        };
        super::context_0(&mut r, true);
    }
}

/// Rounds of a loop: (warm-up, measured) on the null backend and on GL.
const NULL_ROUNDS: (usize, usize) = (100, 2000);
const GL_ROUNDS: (usize, usize) = (20, 200);

/// CVE-2017-5993's loop: rounds of 64 scaled BLITs; the heap stays flat.
fn blit_loop<B: Backend + 'static>(r: &mut Renderer<B>, gl: bool) {
    let mut by = Bystander::new(r, gl);
    let ids = Ids::IN_PROCESS;
    populate(r, HOSTILE, &ids);
    let stream = encode(&vec![Command::Blit(scaled_blit(&ids)); 64]);
    let (warmup, rounds) = if gl { GL_ROUNDS } else { NULL_ROUNDS };
    assert_flat(
        "64 BLITs",
        warmup,
        rounds,
        4096,
        gl.then_some(16 << 20),
        |_| {
            submit(r, HOSTILE, &stream).unwrap();
            bystander::clear_calls(r);
        },
    );
    by.check(r);
    crate::depopulate(r, HOSTILE, &ids);
    by.end(r);
}

/// CVE-2017-6317's loop: a fresh context each round draws with a pair GL does not link
/// (failing its context on GL); the heap and the resident set stay flat.
fn program_loop<B: Backend + 'static>(r: &mut Renderer<B>, gl: bool) {
    let mut by = Bystander::new(r, gl);
    let ids = Ids::IN_PROCESS;
    populate(r, HOSTILE, &ids);
    let stream = unlinkable_draw(&ids);
    // Each round parses a 70-varying pair: fewer rounds keep the valgrind run short.
    let (warmup, rounds) = if gl { (10, 100) } else { (50, 1000) };
    assert_flat(
        "failed programs",
        warmup,
        rounds,
        4096,
        gl.then_some(16 << 20),
        |_| {
            r.create_context(HOSTILE + 1, "program").unwrap();
            for id in [ids.rt, ids.vbuf] {
                r.attach_resource(HOSTILE + 1, id).unwrap();
            }
            let result = submit(r, HOSTILE + 1, &stream);
            assert_eq!(result.is_err(), gl, "{result:?}");
            r.destroy_context(HOSTILE + 1);
            bystander::clear_calls(r);
        },
    );
    by.check(r);
    crate::depopulate(r, HOSTILE, &ids);
    by.end(r);
}

/// CVE-2017-6386's loop: in one context, vertex elements objects made and destroyed under one
/// handle, and each round a re-creation that fails a second context; the heap stays flat and
/// the first context holds no object.
fn vertex_elements_loop<B: Backend + 'static>(r: &mut Renderer<B>, gl: bool) {
    let mut by = Bystander::new(r, gl);
    r.create_context(HOSTILE, "elements").unwrap();
    let ve = Command::CreateVertexElements(VertexElements {
        handle: 1,
        elements: vec![element(0); 32],
    });
    let cycle = encode(&[
        ve.clone(),
        Command::DestroyObject {
            object: ObjectType::VertexElements,
            handle: 1,
        },
    ]);
    let twice = encode(&[ve.clone(), ve]);
    let (warmup, rounds) = if gl { GL_ROUNDS } else { NULL_ROUNDS };
    assert_flat("vertex elements", warmup, rounds * 4, 4096, None, |_| {
        submit(r, HOSTILE, &cycle).unwrap();
        r.create_context(HOSTILE + 1, "twice").unwrap();
        submit(r, HOSTILE + 1, &twice).unwrap_err();
        r.destroy_context(HOSTILE + 1);
        bystander::clear_calls(r);
    });
    let (_, state) = r.context(HOSTILE).unwrap().current();
    assert_eq!(state.objects.len(), 0);
    by.check(r);
    r.destroy_context(HOSTILE);
    by.end(r);
}

loop_tests! {
    cve_2017_5993_blit_loop => blit_loop,
    cve_2017_6317_program_loop => program_loop,
    cve_2017_6386_vertex_elements_loop => vertex_elements_loop,
}
