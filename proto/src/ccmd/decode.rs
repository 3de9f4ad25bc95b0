//! The decoder: splits a stream into commands, checks each header against the command table,
//! decodes the payload and runs the same rule check the encoder runs.
//!
//! Whatever decodes re-encodes to exactly the bytes it came from: fields the host ignores or
//! reads only partly are either kept (NOP-like payloads, END_TRANSFERS) or required to be zero.

use crate::ccmd::StringMarker;

use super::bind::{self, NoAttachFramebuffer};
use super::command::Command;
use super::draw::{Clear, ClearSurface, DrawVbo, LaunchGrid};
use super::header::{command_name, len_rule, CommandId, Header, ObjectRule, ObjectType};
use super::query::{self, Query, QueryResultQbo, StreamoutTarget};
use super::resource::{
    Blit, ClearTexture, CopyRegion, CopyTransfer3d, InlineWrite, PipeResourceCreate,
    PipeResourceSetType, Transfer3d,
};
use super::rules::{text, Violation};
use super::shader;
use super::state::{
    Blend, Dsa, MsaaSurface, Rasterizer, SamplerState, SamplerView, StencilRefBits, Surface,
    VertexElements,
};
use super::video::{
    CreateVideoBuffer, CreateVideoCodec, DecodeBitstream, EncodeBitstream, VideoFrame,
};
use super::wire::Payload;
use crate::error::{Error, Result};

/// Iterates over the commands of a stream, borrowing bulk data from it.
///
/// After the first error the iterator ends.
pub struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
    index: usize,
    failed: bool,
}

impl<'a> Decoder<'a> {
    /// A decoder over little-endian stream bytes.
    pub fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder {
            bytes,
            pos: 0,
            index: 0,
            failed: false,
        }
    }

    /// Dword offset of the next command.
    pub fn offset(&self) -> usize {
        self.pos / 4
    }

    /// Index of the next command.
    pub fn index(&self) -> usize {
        self.index
    }

    fn next_command(&mut self) -> Result<Command<'a>> {
        let left = self.bytes.len() - self.pos;
        if left < 4 {
            return Err(Error::RaggedTail {
                index: self.index,
                byte_offset: self.pos,
                len: left,
            });
        }
        let b = &self.bytes[self.pos..self.pos + 4];
        let header = Header::unpack(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        let offset = self.pos / 4;
        let name = command_name(header.id, header.object);
        let available = left / 4 - 1;
        let len = usize::from(header.len);
        if len > available {
            return Err(Error::Truncated {
                index: self.index,
                offset,
                id: header.id,
                name,
                declared: header.len,
                available,
            });
        }
        let start = self.pos + 4;
        let payload = Payload {
            bytes: &self.bytes[start..start + len * 4],
            index: self.index,
            offset,
            header,
            name,
        };
        let cmd = decode_command(&payload)?;
        self.pos = start + len * 4;
        self.index += 1;
        Ok(cmd)
    }
}

impl<'a> Iterator for Decoder<'a> {
    type Item = Result<Command<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.bytes.len() {
            return None;
        }
        let r = self.next_command();
        self.failed = r.is_err();
        Some(r)
    }
}

/// Decodes every command of a stream, or the first error.
pub fn decode_all(bytes: &[u8]) -> Result<Vec<Command<'_>>> {
    Decoder::new(bytes).collect()
}

/// Checks the header's id and object byte against the command table.
fn header_checks(p: &Payload<'_>) -> Result<(CommandId, Option<ObjectType>)> {
    let h = p.header;
    let id = CommandId::from_wire(u32::from(h.id)).ok_or(Error::UnknownCommand {
        index: p.index,
        offset: p.offset,
        id: h.id,
    })?;
    let bad_object = || Error::BadObjectType {
        index: p.index,
        offset: p.offset,
        id: h.id,
        name: p.name,
        object: h.object,
    };
    let object = match id.info().object {
        ObjectRule::None if h.object == 0 => None,
        ObjectRule::None => return Err(bad_object()),
        ObjectRule::Any | ObjectRule::Bindable => {
            let o = ObjectType::from_wire(u32::from(h.object)).ok_or_else(bad_object)?;
            if id.info().object == ObjectRule::Bindable && !o.bindable() {
                return Err(bad_object());
            }
            Some(o)
        }
    };
    p.expect(len_rule(id, object))?;
    Ok((id, object))
}

fn decode_command<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    use Command as C;
    use CommandId as I;
    let (id, object) = header_checks(p)?;
    let cmd = match (id, object) {
        (I::CreateObject, Some(o)) => match o {
            ObjectType::Blend => C::CreateBlend(Blend::decode(p)?),
            ObjectType::Rasterizer => C::CreateRasterizer(Rasterizer::decode(p)?),
            ObjectType::Dsa => C::CreateDsa(Dsa::decode(p)?),
            ObjectType::Shader => C::CreateShader(shader::decode(p)?),
            ObjectType::VertexElements => C::CreateVertexElements(VertexElements::decode(p)?),
            ObjectType::SamplerView => C::CreateSamplerView(SamplerView::decode(p)?),
            ObjectType::SamplerState => C::CreateSamplerState(SamplerState::decode(p)?),
            ObjectType::Surface => C::CreateSurface(Surface::decode(p)?),
            ObjectType::Query => C::CreateQuery(Query::decode(p)?),
            ObjectType::StreamoutTarget => C::CreateStreamoutTarget(StreamoutTarget::decode(p)),
            ObjectType::MsaaSurface => C::CreateMsaaSurface(MsaaSurface::decode(p)?),
        },
        (I::BindObject, Some(object)) => C::BindObject {
            object,
            handle: p.u32(1),
        },
        (I::DestroyObject, Some(object)) => C::DestroyObject {
            object,
            handle: p.u32(1),
        },
        (I::CreateObject | I::BindObject | I::DestroyObject, None) => {
            unreachable!("the table gives object commands an object")
        }
        (I::Nop, _) => decode_nop(p)?,
        (I::SetViewportState, _) => bind::decode_viewports(p)?,
        (I::SetFramebufferState, _) => bind::decode_framebuffer(p)?,
        (I::SetVertexBuffers, _) => bind::decode_vertex_buffers(p)?,
        (I::Clear, _) => C::Clear(Clear::decode(p)?),
        (I::DrawVbo, _) => C::DrawVbo(DrawVbo::decode(p)?),
        (I::ResourceInlineWrite, _) => C::ResourceInlineWrite(InlineWrite::decode(p)),
        (I::SetSamplerViews, _) => bind::decode_sampler_views(p)?,
        (I::SetIndexBuffer, _) => bind::decode_index_buffer(p)?,
        (I::SetConstantBuffer, _) => bind::decode_constant_buffer(p)?,
        (I::SetStencilRef, _) => C::SetStencilRef(p.unpacked::<StencilRefBits, _>(1)?),
        (I::SetBlendColor, _) => C::SetBlendColor([p.f32(1), p.f32(2), p.f32(3), p.f32(4)]),
        (I::SetScissorState, _) => bind::decode_scissors(p)?,
        (I::Blit, _) => C::Blit(Blit::decode(p)?),
        (I::ResourceCopyRegion, _) => C::ResourceCopyRegion(CopyRegion::decode(p)),
        (I::BindSamplerStates, _) => bind::decode_sampler_states(p)?,
        (I::BeginQuery, _) => C::BeginQuery(p.u32(1)),
        (I::EndQuery, _) => C::EndQuery(p.u32(1)),
        (I::GetQueryResult, _) => query::decode_get_result(p)?,
        (I::SetPolygonStipple, _) => C::SetPolygonStipple(std::array::from_fn(|i| p.u32(1 + i))),
        (I::SetClipState, _) => C::SetClipState(std::array::from_fn(|pl| {
            std::array::from_fn(|c| p.f32(1 + pl * 4 + c))
        })),
        (I::SetSampleMask, _) => C::SetSampleMask(p.u32(1)),
        (I::SetStreamoutTargets, _) => query::decode_streamout_targets(p)?,
        (I::SetRenderCondition, _) => query::decode_render_condition(p)?,
        (I::SetUniformBuffer, _) => bind::decode_uniform_buffer(p)?,
        (I::SetSubCtx, _) => C::SetSubCtx(p.u32(1)),
        (I::CreateSubCtx, _) => C::CreateSubCtx(p.u32(1)),
        (I::DestroySubCtx, _) => C::DestroySubCtx(p.u32(1)),
        (I::BindShader, _) => C::BindShader {
            handle: p.u32(1),
            shader_type: p.value("shader_type", 2)?,
        },
        (I::SetTessState, _) => C::SetTessState {
            outer: [p.f32(1), p.f32(2), p.f32(3), p.f32(4)],
            inner: [p.f32(5), p.f32(6)],
        },
        (I::SetMinSamples, _) => C::SetMinSamples(p.u32(1)),
        (I::SetShaderBuffers, _) => bind::decode_shader_buffers(p)?,
        (I::SetShaderImages, _) => bind::decode_shader_images(p)?,
        (I::MemoryBarrier, _) => C::MemoryBarrier(p.u32(1)),
        (I::LaunchGrid, _) => C::LaunchGrid(LaunchGrid::decode(p)),
        (I::SetFramebufferStateNoAttach, _) => {
            C::SetFramebufferStateNoAttach(NoAttachFramebuffer::decode(p)?)
        }
        (I::TextureBarrier, _) => C::TextureBarrier(p.u32(1)),
        (I::SetAtomicBuffers, _) => bind::decode_atomic_buffers(p)?,
        (I::SetDebugFlags, _) => C::SetDebugFlags(p.rest(1)),
        (I::GetQueryResultQbo, _) => C::GetQueryResultQbo(QueryResultQbo::decode(p)?),
        (I::Transfer3d, _) => C::Transfer3d(Transfer3d::decode(p)?),
        (I::EndTransfers, _) => C::EndTransfers(p.rest(1)),
        (I::CopyTransfer3d, _) => C::CopyTransfer3d(CopyTransfer3d::decode(p)?),
        (I::SetTweaks, _) => C::SetTweaks {
            id: p.u32(1),
            value: p.u32(2),
        },
        (I::ClearTexture, _) => C::ClearTexture(ClearTexture::decode(p)),
        (I::PipeResourceCreate, _) => C::PipeResourceCreate(PipeResourceCreate::decode(p)?),
        (I::PipeResourceSetType, _) => C::PipeResourceSetType(PipeResourceSetType::decode(p)?),
        (I::GetMemoryInfo, _) => C::GetMemoryInfo(p.u32(1)),
        (I::SendStringMarker, _) => decode_marker(p)?,
        (I::LinkShader, _) => C::LinkShader(std::array::from_fn(|i| p.u32(1 + i))),
        (I::CreateVideoCodec, _) => C::CreateVideoCodec(CreateVideoCodec::decode(p)),
        (I::DestroyVideoCodec, _) => C::DestroyVideoCodec(p.u32(1)),
        (I::CreateVideoBuffer, _) => C::CreateVideoBuffer(CreateVideoBuffer::decode(p)?),
        (I::DestroyVideoBuffer, _) => C::DestroyVideoBuffer(p.u32(1)),
        (I::BeginFrame, _) => C::BeginFrame(VideoFrame::decode(p)),
        (I::DecodeMacroblock, _) => C::DecodeMacroblock(p.rest(1)),
        (I::DecodeBitstream, _) => C::DecodeBitstream(DecodeBitstream::decode(p)),
        (I::EncodeBitstream, _) => C::EncodeBitstream(EncodeBitstream::decode(p)),
        (I::EndFrame, _) => C::EndFrame(VideoFrame::decode(p)),
        (I::ClearSurface, _) => C::ClearSurface(ClearSurface::decode(p)?),
        (I::GetPipeResourceLayout, _) => C::GetPipeResourceLayout {
            output: p.u32(1),
            resource: p.u32(2),
        },
    };
    p.check(cmd.check())?;
    Ok(cmd)
}

/// NOP: the host skips the payload, so anything in it would be dropped; it must be zero.
fn decode_nop<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    if let Some(i) = (1..=p.len()).find(|&i| p.u32(i) != 0) {
        return Err(p.violation(Violation {
            field: "payload",
            dword: i,
            value: p.u32(i),
            rule: text::PADDING,
        }));
    }
    Ok(Command::Nop(p.header.len))
}

/// SEND_STRING_MARKER: the byte length, then exactly the dwords holding that many bytes.
fn decode_marker<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    let length = p.u32(1);
    let bytes = p.bytes_from(2);
    if (length as usize).div_ceil(4) != bytes.len() / 4 {
        return Err(p.violation(Violation {
            field: "length",
            dword: 1,
            value: length,
            rule: text::MARKER_LENGTH,
        }));
    }
    // The bytes past `length` share its last dword: possibly stale, never read (stale_tail).
    Ok(Command::SendStringMarker(StringMarker::from_parts(
        length,
        p.rest(2),
    )))
}
