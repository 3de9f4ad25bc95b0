//! The virgl wire format, shared by guest drivers and host renderers.
//!
//! # What crosses the wire
//!
//! A guest program speaks Gallium: it creates state objects, binds them and draws. The guest
//! driver turns that into a *command stream* of little-endian dwords ([`ccmd`]); the transport
//! (the virtio-gpu kernel driver, or a vtest socket) carries the stream, resource creation and
//! transfers to a host renderer, which validates the stream and replays it on GL. Before any of
//! that, the guest reads the host's *capability sets* ([`caps`]) to learn which formats and
//! features it may use.
//!
//! # How this crate is laid out
//!
//! Each module holds one protocol concept and defines each of its numbers once:
//! - [`ccmd`]: command headers, typed commands, an encoder and a borrowing decoder;
//! - [`caps`]: `virgl_caps_v1` and `virgl_caps_v2`, parsed with their sizes checked;
//! - [`format`]: every virgl format with its block layout;
//! - [`texel`]: what a format's bytes mean: channels, swizzle, and a CPU decoder;
//! - [`pipe`]: the Gallium enums and flags commands carry;
//! - [`transfer`]: which bytes of a linear buffer a transfer box touches, checked;
//! - [`tgsi`]: shader text: a typed syntax tree with its opcode and name tables, a parser that
//!   rejects what the host rejects, a printer and a builder;
//! - [`vtest`]: the vtest socket protocol's messages and quirks;
//! - [`virtgpu`]: the virtio-gpu DRM UAPI's ioctl numbers and argument structs.
//!
//! # Principles
//!
//! - No I/O and no `unsafe`: the crate turns values into bytes and bytes into values, nothing
//!   else, so both sides of the wire and fuzzers can share it.
//! - Decoding never panics. Malformed input yields an [`Error`] naming the command index, its
//!   dword offset, the command, and the field and rule it breaks.
//! - Decoding is strict: reserved bits, stray object bytes, non-zero padding and dwords the
//!   host would ignore are errors, so nothing decoded is dropped on the way to the host.
//! - Decoded commands borrow bulk data (shader text, inline writes, constants) from the input;
//!   the decoder copies nothing it does not have to.
//! - `decode(encode(x)) == x` for every command, checked by property tests, and
//!   `encode(decode(bytes)) == bytes` for every stream that decodes, checked by the fuzzer.

#![forbid(unsafe_code)]

pub mod caps;
pub mod ccmd;
mod error;
pub mod format;
pub mod pipe;
pub mod texel;
pub mod tgsi;
pub mod transfer;
pub mod virtgpu;
pub mod vtest;

pub use error::{Error, LenRule, Result};
