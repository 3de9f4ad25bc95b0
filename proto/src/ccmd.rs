//! The virgl command stream (`VIRGL_CCMD_*`): header packing, typed commands, encoder and decoder.
//!
//! A stream is a sequence of little-endian dwords. Each command is one header dword followed by
//! its payload; the header packs the command id (bits 0-7), the object type for the object
//! commands (bits 8-15) and the payload length in dwords, header excluded (bits 16-31).
//!
//! Field positions are counted as upstream counts them: dword 0 is the header, so the first
//! payload dword is 1.
//!
//! # Strictness
//!
//! A host executes what this module decodes, so decoding is strict: every decoded command
//! re-encodes to exactly its input bytes, or decoding fails naming the command index, the dword
//! and the field. Reserved bits, object bytes on commands that take none, ignored trailing
//! dwords and non-zero padding are errors (END_TRANSFERS, whose payload is Mesa's batch
//! padding, is the exception). Value rules that need no host state (slot ranges, handle 0,
//! enum values, shader text) are checked by the decoder and the encoder alike; see `rules`.
//!
//! # Layout
//!
//! - `header`: ids, object types, the header dword and the command table (names, lengths);
//! - `bits`: the `bits!` declarations every packed dword goes through;
//! - `state`, `shader`: state objects and shaders;
//! - `bind`: bindings (buffers, views, samplers, viewports, framebuffer);
//! - `draw`: draws, dispatches and clears;
//! - `resource`: transfers, copies, blits, pipe resources;
//! - `query`: queries, conditional rendering, stream output targets;
//! - `video`: video codecs and buffers;
//! - `command`, `decode`: the [`Command`] enum, its encoder, and the [`Decoder`].

use std::borrow::Cow;

mod bind;
pub(crate) mod bits;
mod command;
mod decode;
mod draw;
mod header;
mod query;
mod resource;
mod rules;
mod shader;
mod state;
mod video;
mod wire;

pub use bind::{BufferBinding, ImageBinding, IndexLayout, NoAttachFramebuffer, VertexBuffer};
pub use command::{encode_all, Command, StringMarker};
pub use decode::{decode_all, Decoder};
pub use draw::{Clear, ClearSurface, DrawExtra, DrawIndirect, DrawTess, DrawVbo, LaunchGrid};
pub use header::{
    command_name, CommandId, CommandInfo, Header, ObjectInfo, ObjectRule, ObjectType, COMMANDS,
    MAX_COMMANDS, MAX_PAYLOAD_DWORDS, OBJECTS,
};
pub use query::{Query, QueryResultQbo, StreamoutTarget};
pub use resource::{
    Blit, BlitSurface, ClearTexture, CopyRegion, CopyTransfer3d, InlineWrite, PipeResourceCreate,
    PipeResourceSetType, PlaneLayout, Transfer3d, TransferDirection, TransferTarget,
};
pub use shader::{
    AssembledShader, Shader, ShaderAssembler, ShaderOffset, SoOutput, StreamOutput,
    SHADER_OFFSET_CONT,
};
pub use state::{
    Blend, DepthState, Dsa, LayerRange, LevelRange, MsaaSurface, Rasterizer, RtBlend, SamplerState,
    SamplerView, Scissor, StencilRef, StencilState, Surface, VertexElement, VertexElements,
    ViewRange, Viewport,
};
pub use video::{
    CreateVideoBuffer, CreateVideoCodec, DecodeBitstream, EncodeBitstream, VideoFrame,
};

#[cfg(test)]
use proptest_derive::Arbitrary;

/// A run of whole dwords kept as little-endian bytes, borrowed from a decoded stream or owned.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Dwords<'a>(Cow<'a, [u8]>);

impl<'a> Dwords<'a> {
    /// Owned dwords from values.
    pub fn from_u32s(values: &[u32]) -> Dwords<'static> {
        Dwords(Cow::Owned(
            values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ))
    }

    /// Wraps little-endian bytes; `None` unless the length is a multiple of four.
    pub fn from_bytes(bytes: impl Into<Cow<'a, [u8]>>) -> Option<Dwords<'a>> {
        let bytes = bytes.into();
        (bytes.len() % 4 == 0).then_some(Dwords(bytes))
    }

    /// The raw little-endian bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Number of dwords.
    pub fn len(&self) -> usize {
        self.0.len() / 4
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The dword values.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        self.0
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
    }

    /// Detaches from the stream the value was decoded from.
    pub fn into_owned(self) -> Dwords<'static> {
        Dwords(Cow::Owned(self.0.into_owned()))
    }
}

impl std::fmt::Debug for Dwords<'_> {
    /// Shows up to eight values, then the count, so dumps of bulk data stay one short line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut l = f.debug_list();
        l.entries(self.iter().take(8).map(|v| format!("{v:#x}")));
        if self.len() > 8 {
            l.entry(&format_args!("... {} dwords", self.len()));
        }
        l.finish()
    }
}

#[cfg(test)]
impl proptest::arbitrary::Arbitrary for Dwords<'static> {
    type Parameters = ();
    type Strategy = proptest::strategy::BoxedStrategy<Dwords<'static>>;
    fn arbitrary_with(_: ()) -> Self::Strategy {
        use proptest::prelude::*;
        proptest::collection::vec(any::<u32>(), 0..64)
            .prop_map(|v| Dwords::from_u32s(&v))
            .boxed()
    }
}

/// A 3D region: origin and size, as in `struct pipe_box`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Box3 {
    pub x: u32,
    pub y: u32,
    pub z: u32,
    pub w: u32,
    pub h: u32,
    pub d: u32,
}

impl Box3 {
    /// A 2D box at (`x`, `y`) with depth 1.
    pub const fn new_2d(x: u32, y: u32, w: u32, h: u32) -> Box3 {
        Box3 {
            x,
            y,
            z: 0,
            w,
            h,
            d: 1,
        }
    }
}

/// Little-endian bytes of a dword stream.
pub fn to_bytes(dwords: &[u32]) -> Vec<u8> {
    dwords.iter().flat_map(|d| d.to_le_bytes()).collect()
}

#[cfg(test)]
pub(crate) mod arb {
    //! Strategies for values the rules accept.
    use proptest::prelude::*;

    pub fn finite_f32() -> impl Strategy<Value = f32> {
        prop_oneof![
            proptest::num::f32::NORMAL | proptest::num::f32::ZERO | proptest::num::f32::SUBNORMAL,
            Just(1.0f32),
            Just(0.5f32)
        ]
    }

    pub fn finite_f64() -> impl Strategy<Value = f64> {
        proptest::num::f64::NORMAL | proptest::num::f64::ZERO
    }

    /// A non-zero handle.
    pub fn handle() -> impl Strategy<Value = u32> {
        1u32..
    }

    /// A byte count of whole dwords.
    pub fn dword_bytes() -> impl Strategy<Value = u32> {
        (0u32..0x2000_0000).prop_map(|n| n * 4)
    }

    /// An ordered layer range.
    pub fn layers() -> impl Strategy<Value = super::LayerRange> {
        (any::<u16>(), any::<u16>()).prop_map(|(a, b)| super::LayerRange::new(a.min(b), a.max(b)))
    }

    /// A sample count the host supports, at least `min`.
    pub fn samples(min: u32) -> impl Strategy<Value = u32> {
        prop::sample::select(&[0u32, 1, 2, 4, 8, 16][..]).prop_filter("min", move |n| *n >= min)
    }

    pub fn samples_u8() -> impl Strategy<Value = u8> {
        samples(0).prop_map(|n| n as u8)
    }

    pub fn blit_mask() -> impl Strategy<Value = crate::pipe::BlitMask> {
        (0u32..64).prop_map(crate::pipe::BlitMask::from_bits_truncate)
    }

    pub fn clear_surface_buffers() -> impl Strategy<Value = crate::pipe::ClearBuffers> {
        (0u32..8).prop_map(crate::pipe::ClearBuffers::from_bits_truncate)
    }
}

#[cfg(test)]
mod tests;
