//! A virgl host renderer: it takes the command streams guests send, checks them against
//! the state it keeps, and replays them on the host's OpenGL or OpenGL ES.
//!
//! # The path of a stream
//!
//! A stream arrives from a transport (a vtest socket, or QEMU through the C ABI) for one
//! context. The renderer then:
//!
//! 1. **decodes** it with [`virgl_proto::ccmd`] and TGSI text with [`virgl_proto::tgsi`]. These
//!    are strict decoders, shared with the guest, and nothing here decodes a second time;
//! 2. **validates** every command against the context's state: handles that exist and have the
//!    right type, boxes and strides that fit their resource (with
//!    [`virgl_proto::transfer::TransferLayout`]), counts within limits. A failing command puts
//!    its context in error with a message naming the command index, dword offset, command and
//!    field. The process and every other context go on;
//! 3. **executes** what passed on a backend. All GL lives in [`gl`]: desktop GL core profile or
//!    GLES, on an EGL context made here or handed in by QEMU ([`gl::GlContext`]).
//!
//! # Where each part lives
//!
//! | module | holds |
//! |---|---|
//! | [`renderer`] | [`Renderer`]: the process's contexts and resources, and the calls a transport makes (create, attach, transfer, submit) |
//! | [`context`] | one guest context: sub-contexts, the resources it may name, and [`context::Context::apply`], the validator every command passes before the backend sees it |
//! | [`state`] | what a sub-context holds between commands: objects by handle, bound pipeline state |
//! | [`resource`], [`transfer`] | which resources may exist ([`resource::check_create`]) and the guest memory behind them; moving boxes between guest layouts and the backend, bounds-checked first |
//! | [`backend`] | the [`backend::Backend`] trait a GPU API implements, and [`backend::null::NullBackend`], which keeps resources in memory and records calls (tests, fuzzing) |
//! | [`gl`] | the GL backend: EGL platform, glow plus the entry points glow lacks, format table, probing, textures, draws, queries |
//! | [`shader`] | TGSI to GLSL, one statement per TGSI instruction, registers named after TGSI's |
//! | [`caps`] | capsets 1 and 2: the smaller of what the context can do and what this renderer implements |
//! | [`vtest`] | the vtest socket server (`virgl-host-vtest`), a drop-in for `virgl_test_server` |
//!
//! # Choices
//!
//! - One GL context serves every guest context of a process. Each command that renders binds
//!   the state of its own sub-context from [`state`], the single source of truth; GL state is
//!   never read back to decide anything.
//! - Programs are linked at the first draw that uses a pair of shaders, since the pair decides
//!   the varyings' qualifiers, and cached until a shader is destroyed.
//! - Gallium draws with window row 0 at the top of the image and may flip y in the viewport;
//!   GL cannot, so the vertex stage negates y when the guest's viewport does, and windings are
//!   counted as Gallium counts them.
//! - Execution is synchronous: a submission has run when [`Renderer::submit`] returns, so
//!   fences and busy-waits are already satisfied.
//!
//! # OpenGL ES hosts
//!
//! The same backend runs on an ES 2.0, 3.0, 3.1 or 3.2 context (`virgl-host-vtest --use-gles`,
//! [`gl::GlBackend::new_gles`]); what differs is decided from the live context, never from
//! what was asked for:
//!
//! - shaders are GLSL ES of the context's version ([`shader::Target::Es`]): precisions, the
//!   extensions ES needs for desktop features, 1D and rectangle textures sampled as the 2D
//!   textures they are stored as, and the point size written by the vertex stage;
//! - formats come from [`gl::format::gl_format_es`]: BGRA stored as RGBA with red and blue
//!   swapped on transfer; textures are read back through framebuffers, buffers through
//!   mappings;
//! - what ES lacks is done another way where the result can be exact, each with its conform
//!   case: polygon modes and the first-vertex provoking convention by rewriting the draw's
//!   indices on the CPU ([`gl`]'s `rewrite`), occlusion counts by fragment shaders counting
//!   samples into a storage buffer (ES 3.1) or by drawing each draw once more into a counting
//!   target over a copy of the depth and stencil buffer (ES 3.0, [`gl`]'s `count`), render
//!   conditions decided on the CPU,
//!   `PRIMITIVES_GENERATED` counted on the CPU without geometry shaders;
//! - the rest is not offered: caps ([`caps`]) say what each level can do, and Mesa guests
//!   expose GL accordingly.
//!
//! An OpenGL ES 2.0 context, which virglrenderer cannot serve at all, is the lowest level:
//!
//! - caps say GLSL 1.20, so Mesa guests send integer-free TGSI, which is translated to GLSL
//!   ES 1.00 (`attribute`/`varying`, `gl_FragColor`, `texture2D`, registers holding values);
//!   the guest then exposes GL 2.0 (no sRGB textures) and ES 2.0;
//! - ES 2.0 lacks texture storage, sampler objects, `glClearBuffer`, `glBlitFramebuffer`,
//!   buffer copies, vertex array objects, instancing and integer attributes; the backend's
//!   ES 2.0 paths ([`gl`]'s `es2`) specify each level with `glTexImage2D`, set sampler state
//!   as texture parameters (swizzles, depth comparison and LOD bias move into the shader as
//!   uniforms), clear with `glClear`, blit by drawing a quad, copy through the CPU, and draw
//!   instances one at a time;
//! - its extensions are loaded under their own names and only when listed: Mesa hands out a
//!   silent no-op for any name, so a pointer proves nothing.
//!
//! # Principles
//!
//! - `unsafe` appears only in [`gl`], in [`vtest::shm`]'s mapping of client memory and
//!   [`vtest::server`]'s fork, and in the C ABI crate (`host/capi`, which builds
//!   `libvirglrenderer.so.1` over this library), each block with its reason.
//! - A guest can fail only its own context: never a panic, a hang, a leak or another client's
//!   pixels.
//! - What the host can do is probed from the live context, never copied from another host's
//!   table.

pub mod backend;
pub mod caps;
pub mod context;
mod error;
pub mod fixtures;
pub mod gl;
pub mod quota;
pub mod renderer;
pub mod resource;
pub mod shader;
pub mod state;
pub mod transfer;
pub mod vtest;

pub use error::{Error, Result};
pub use renderer::{GuestBytes, Renderer};
