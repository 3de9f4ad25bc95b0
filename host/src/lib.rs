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
//!    GLES, on an EGL context made here or handed in by QEMU.
//!
//! # What exists so far
//!
//! [`gl::platform`] opens Mesa's surfaceless EGL display and makes desktop-GL-core or GLES
//! contexts with no window system. [`gl::Gl`] holds one, current, with glow's entry points and the
//! version the context really has. [`resource::check_create`] decides which resources a guest
//! may create. [`shader`] translates TGSI vertex, geometry and fragment shaders to GLSL text, one
//! statement per TGSI instruction, and [`gl::Gl::compile_program`] checks that a pair compiles
//! and links. [`gl::format`] maps virgl formats to GL texture formats whose transfers are
//! byte-exact, and vertex formats to attribute formats; [`caps`] probes the context and fills
//! capsets 1 and 2 with what this renderer can really do. State, transfers, draws and the vtest
//! server come next (issue 11).
//!
//! # Principles
//!
//! - `unsafe` appears only in [`gl`], in [`vtest::shm`]'s mapping of client memory and
//!   [`vtest::server`]'s fork, and later in the C ABI, each block with its reason.
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
pub mod renderer;
pub mod resource;
pub mod shader;
pub mod state;
pub mod transfer;
pub mod vtest;

pub use error::{Error, Result};
pub use renderer::{GuestBytes, Renderer};
