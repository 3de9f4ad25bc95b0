//! Video commands: codecs, buffers, frames and bitstreams.
//!
//! The host (built with video support) reads a fixed set of leading dwords and ignores the
//! rest, so each command here has exactly those dwords; only CREATE_VIDEO_CODEC grew one.

use super::wire::{Payload, Writer};
use crate::error::Result;
use crate::format::Format;

#[cfg(test)]
use proptest_derive::Arbitrary;

/// CREATE_VIDEO_CODEC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct CreateVideoCodec {
    pub handle: u32,
    pub profile: u32,
    pub entrypoint: u32,
    pub chroma_format: u32,
    pub level: u32,
    pub width: u32,
    pub height: u32,
    /// Reference frame limit; Mesa sends it to hosts new enough, others assume 2.
    pub max_references: Option<u32>,
}

impl CreateVideoCodec {
    pub(crate) fn decode(p: &Payload<'_>) -> CreateVideoCodec {
        CreateVideoCodec {
            handle: p.u32(1),
            profile: p.u32(2),
            entrypoint: p.u32(3),
            chroma_format: p.u32(4),
            level: p.u32(5),
            width: p.u32(6),
            height: p.u32(7),
            max_references: (p.len() == 8).then(|| p.u32(8)),
        }
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend([
            self.handle,
            self.profile,
            self.entrypoint,
            self.chroma_format,
            self.level,
            self.width,
            self.height,
        ]);
        w.extend(self.max_references);
    }
}

/// CREATE_VIDEO_BUFFER.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct CreateVideoBuffer {
    pub handle: u32,
    pub format: Format,
    pub width: u32,
    pub height: u32,
    /// The resource of each plane, one to three.
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::collection::vec(proptest::prelude::any::<u32>(), 1..=3)")
    )]
    pub planes: Vec<u32>,
}

impl CreateVideoBuffer {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<CreateVideoBuffer> {
        Ok(CreateVideoBuffer {
            handle: p.u32(1),
            format: p.value("format", 2)?,
            width: p.u32(3),
            height: p.u32(4),
            planes: p.dwords(5, p.len() - 4).collect(),
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend([self.handle, self.format.to_wire(), self.width, self.height]);
        w.extend(self.planes.iter().copied());
    }
}

/// BEGIN_FRAME and END_FRAME.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct VideoFrame {
    pub codec: u32,
    /// The video buffer decoded into or encoded from.
    pub target: u32,
}

impl VideoFrame {
    pub(crate) fn decode(p: &Payload<'_>) -> VideoFrame {
        VideoFrame {
            codec: p.u32(1),
            target: p.u32(2),
        }
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend([self.codec, self.target]);
    }
}

/// DECODE_BITSTREAM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct DecodeBitstream {
    pub codec: u32,
    pub target: u32,
    /// Resource holding the picture descriptor.
    pub descriptor: u32,
    /// Resource holding the bitstream.
    pub buffer: u32,
    pub buffer_size: u32,
}

impl DecodeBitstream {
    pub(crate) fn decode(p: &Payload<'_>) -> DecodeBitstream {
        DecodeBitstream {
            codec: p.u32(1),
            target: p.u32(2),
            descriptor: p.u32(3),
            buffer: p.u32(4),
            buffer_size: p.u32(5),
        }
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend([
            self.codec,
            self.target,
            self.descriptor,
            self.buffer,
            self.buffer_size,
        ]);
    }
}

/// ENCODE_BITSTREAM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct EncodeBitstream {
    pub codec: u32,
    /// The video buffer encoded.
    pub source: u32,
    /// Resource receiving the bitstream.
    pub destination: u32,
    /// Resource holding the picture descriptor.
    pub descriptor: u32,
    /// Resource receiving encoder feedback.
    pub feedback: u32,
}

impl EncodeBitstream {
    pub(crate) fn decode(p: &Payload<'_>) -> EncodeBitstream {
        EncodeBitstream {
            codec: p.u32(1),
            source: p.u32(2),
            destination: p.u32(3),
            descriptor: p.u32(4),
            feedback: p.u32(5),
        }
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend([
            self.codec,
            self.source,
            self.destination,
            self.descriptor,
            self.feedback,
        ]);
    }
}
