//! The typed command, its encoder, and the rule check both encoder and decoder run.

use super::bind::{
    self, BufferBinding, ImageBinding, IndexLayout, NoAttachFramebuffer, VertexBuffer,
};
use super::draw::{Clear, ClearSurface, DrawVbo, LaunchGrid};
use super::header::{command_name, len_rule, CommandId, Header, ObjectType, MAX_PAYLOAD_DWORDS};
use super::query::{Query, QueryResultQbo, StreamoutTarget};
use super::resource::{
    self, Blit, ClearTexture, CopyRegion, CopyTransfer3d, InlineWrite, PipeResourceCreate,
    PipeResourceSetType, Transfer3d,
};
use super::rules::{self, ensure, text, Check};
use super::shader::Shader;
use super::state::{
    Blend, Dsa, MsaaSurface, Rasterizer, SamplerState, SamplerView, Scissor, StencilRef,
    StencilRefBits, Surface, VertexElements, Viewport,
};
use super::video::{
    CreateVideoBuffer, CreateVideoCodec, DecodeBitstream, EncodeBitstream, VideoFrame,
};
use super::wire::Writer;
use super::Dwords;
use crate::error::{Error, Result};
use crate::pipe::{RenderCondMode, ShaderType};

/// A decoded or to-be-encoded command.
#[derive(Clone, Debug, PartialEq)]
pub enum Command<'a> {
    /// NOP with this many payload dwords, all zero.
    Nop(u16),
    CreateBlend(Blend),
    CreateRasterizer(Rasterizer),
    CreateDsa(Dsa),
    CreateShader(Shader<'a>),
    CreateVertexElements(VertexElements),
    CreateSamplerView(SamplerView),
    CreateSamplerState(SamplerState),
    CreateSurface(Surface),
    CreateQuery(Query),
    CreateStreamoutTarget(StreamoutTarget),
    CreateMsaaSurface(MsaaSurface),
    /// BIND_OBJECT: only blend, DSA, rasterizer and vertex elements are bound this way;
    /// handle 0 unbinds.
    BindObject {
        object: ObjectType,
        handle: u32,
    },
    DestroyObject {
        object: ObjectType,
        handle: u32,
    },
    /// BIND_SHADER; handle 0 unbinds.
    BindShader {
        handle: u32,
        shader_type: ShaderType,
    },
    SetViewportState {
        start_slot: u32,
        viewports: Vec<Viewport>,
    },
    /// SET_FRAMEBUFFER_STATE with surface handles (0 = none).
    SetFramebufferState {
        zsurf: u32,
        cbufs: Vec<u32>,
    },
    SetVertexBuffers(Vec<VertexBuffer>),
    /// SET_INDEX_BUFFER; `layout` is absent in the 1-dword unbind form.
    SetIndexBuffer {
        resource: u32,
        layout: Option<IndexLayout>,
    },
    SetConstantBuffer {
        shader_type: ShaderType,
        /// Unused by the host.
        index: u32,
        data: Dwords<'a>,
    },
    SetSamplerViews {
        shader_type: ShaderType,
        start_slot: u32,
        views: Vec<u32>,
    },
    BindSamplerStates {
        shader_type: ShaderType,
        start_slot: u32,
        states: Vec<u32>,
    },
    SetScissorState {
        start_slot: u32,
        scissors: Vec<Scissor>,
    },
    SetBlendColor([f32; 4]),
    SetStencilRef(StencilRef),
    Clear(Clear),
    DrawVbo(DrawVbo),
    ResourceInlineWrite(InlineWrite<'a>),
    Transfer3d(Transfer3d),
    ResourceCopyRegion(CopyRegion),
    Blit(Blit),
    CreateSubCtx(u32),
    SetSubCtx(u32),
    DestroySubCtx(u32),
    BeginQuery(u32),
    EndQuery(u32),
    GetQueryResult {
        query: u32,
        wait: bool,
    },
    /// 32 rows of the 32x32 stipple pattern.
    SetPolygonStipple([u32; 32]),
    /// Eight user clip planes.
    SetClipState([[f32; 4]; 8]),
    SetSampleMask(u32),
    SetStreamoutTargets {
        append_bitmask: u32,
        targets: Vec<u32>,
    },
    /// SET_RENDER_CONDITION; query 0 ends conditional rendering.
    SetRenderCondition {
        query: u32,
        condition: bool,
        mode: RenderCondMode,
    },
    SetUniformBuffer {
        shader_type: ShaderType,
        index: u32,
        offset: u32,
        length: u32,
        resource: u32,
    },
    SetTessState {
        outer: [f32; 4],
        inner: [f32; 2],
    },
    SetMinSamples(u32),
    SetShaderBuffers {
        shader_type: ShaderType,
        start_slot: u32,
        buffers: Vec<BufferBinding>,
    },
    SetShaderImages {
        shader_type: ShaderType,
        start_slot: u32,
        images: Vec<ImageBinding>,
    },
    /// MEMORY_BARRIER with `PIPE_BARRIER_*` bits.
    MemoryBarrier(u32),
    LaunchGrid(LaunchGrid),
    SetFramebufferStateNoAttach(NoAttachFramebuffer),
    /// TEXTURE_BARRIER with `PIPE_TEXTURE_BARRIER_*` bits.
    TextureBarrier(u32),
    SetAtomicBuffers {
        start_slot: u32,
        buffers: Vec<BufferBinding>,
    },
    /// SET_DEBUG_FLAGS: a NUL-terminated flag string, zero-padded to whole dwords.
    SetDebugFlags(Dwords<'a>),
    GetQueryResultQbo(QueryResultQbo),
    /// END_TRANSFERS: closes Mesa's transfer batch; the host ignores the payload, which pads
    /// the batch buffer with whatever it held.
    EndTransfers(Dwords<'a>),
    CopyTransfer3d(CopyTransfer3d),
    SetTweaks {
        id: u32,
        value: u32,
    },
    ClearTexture(ClearTexture),
    PipeResourceCreate(PipeResourceCreate),
    PipeResourceSetType(PipeResourceSetType),
    /// GET_MEMORY_INFO: the resource the host writes `virgl_memory_info` into.
    GetMemoryInfo(u32),
    /// SEND_STRING_MARKER: the marker's bytes, sent with their length.
    SendStringMarker(StringMarker<'a>),
    /// LINK_SHADER: vertex, fragment, geometry, tess control, tess eval and compute handles.
    LinkShader([u32; 6]),
    CreateVideoCodec(CreateVideoCodec),
    /// DESTROY_VIDEO_CODEC of this codec handle.
    DestroyVideoCodec(u32),
    CreateVideoBuffer(CreateVideoBuffer),
    /// DESTROY_VIDEO_BUFFER of this buffer handle.
    DestroyVideoBuffer(u32),
    BeginFrame(VideoFrame),
    /// DECODE_MACROBLOCK: no fixed layout; the host ignores it.
    DecodeMacroblock(Dwords<'a>),
    DecodeBitstream(DecodeBitstream),
    EncodeBitstream(EncodeBitstream),
    EndFrame(VideoFrame),
    ClearSurface(ClearSurface),
    /// GET_PIPE_RESOURCE_LAYOUT: the host writes `virgl_resource_layout` of `resource` into
    /// `output`. (Upstream calls the second handle the target; it is a resource.)
    GetPipeResourceLayout {
        output: u32,
        resource: u32,
    },
}

impl Command<'_> {
    /// The header's command id and object type.
    pub fn id_and_object(&self) -> (CommandId, Option<ObjectType>) {
        use Command as C;
        use CommandId as I;
        let create = |o| (I::CreateObject, Some(o));
        let plain = |id| (id, None);
        match self {
            C::Nop(_) => plain(I::Nop),
            C::CreateBlend(_) => create(ObjectType::Blend),
            C::CreateRasterizer(_) => create(ObjectType::Rasterizer),
            C::CreateDsa(_) => create(ObjectType::Dsa),
            C::CreateShader(_) => create(ObjectType::Shader),
            C::CreateVertexElements(_) => create(ObjectType::VertexElements),
            C::CreateSamplerView(_) => create(ObjectType::SamplerView),
            C::CreateSamplerState(_) => create(ObjectType::SamplerState),
            C::CreateSurface(_) => create(ObjectType::Surface),
            C::CreateQuery(_) => create(ObjectType::Query),
            C::CreateStreamoutTarget(_) => create(ObjectType::StreamoutTarget),
            C::CreateMsaaSurface(_) => create(ObjectType::MsaaSurface),
            C::BindObject { object, .. } => (I::BindObject, Some(*object)),
            C::DestroyObject { object, .. } => (I::DestroyObject, Some(*object)),
            C::BindShader { .. } => plain(I::BindShader),
            C::SetViewportState { .. } => plain(I::SetViewportState),
            C::SetFramebufferState { .. } => plain(I::SetFramebufferState),
            C::SetVertexBuffers(_) => plain(I::SetVertexBuffers),
            C::SetIndexBuffer { .. } => plain(I::SetIndexBuffer),
            C::SetConstantBuffer { .. } => plain(I::SetConstantBuffer),
            C::SetSamplerViews { .. } => plain(I::SetSamplerViews),
            C::BindSamplerStates { .. } => plain(I::BindSamplerStates),
            C::SetScissorState { .. } => plain(I::SetScissorState),
            C::SetBlendColor(_) => plain(I::SetBlendColor),
            C::SetStencilRef(_) => plain(I::SetStencilRef),
            C::Clear(_) => plain(I::Clear),
            C::DrawVbo(_) => plain(I::DrawVbo),
            C::ResourceInlineWrite(_) => plain(I::ResourceInlineWrite),
            C::Transfer3d(_) => plain(I::Transfer3d),
            C::ResourceCopyRegion(_) => plain(I::ResourceCopyRegion),
            C::Blit(_) => plain(I::Blit),
            C::CreateSubCtx(_) => plain(I::CreateSubCtx),
            C::SetSubCtx(_) => plain(I::SetSubCtx),
            C::DestroySubCtx(_) => plain(I::DestroySubCtx),
            C::BeginQuery(_) => plain(I::BeginQuery),
            C::EndQuery(_) => plain(I::EndQuery),
            C::GetQueryResult { .. } => plain(I::GetQueryResult),
            C::SetPolygonStipple(_) => plain(I::SetPolygonStipple),
            C::SetClipState(_) => plain(I::SetClipState),
            C::SetSampleMask(_) => plain(I::SetSampleMask),
            C::SetStreamoutTargets { .. } => plain(I::SetStreamoutTargets),
            C::SetRenderCondition { .. } => plain(I::SetRenderCondition),
            C::SetUniformBuffer { .. } => plain(I::SetUniformBuffer),
            C::SetTessState { .. } => plain(I::SetTessState),
            C::SetMinSamples(_) => plain(I::SetMinSamples),
            C::SetShaderBuffers { .. } => plain(I::SetShaderBuffers),
            C::SetShaderImages { .. } => plain(I::SetShaderImages),
            C::MemoryBarrier(_) => plain(I::MemoryBarrier),
            C::LaunchGrid(_) => plain(I::LaunchGrid),
            C::SetFramebufferStateNoAttach(_) => plain(I::SetFramebufferStateNoAttach),
            C::TextureBarrier(_) => plain(I::TextureBarrier),
            C::SetAtomicBuffers { .. } => plain(I::SetAtomicBuffers),
            C::SetDebugFlags(_) => plain(I::SetDebugFlags),
            C::GetQueryResultQbo(_) => plain(I::GetQueryResultQbo),
            C::EndTransfers(_) => plain(I::EndTransfers),
            C::CopyTransfer3d(_) => plain(I::CopyTransfer3d),
            C::SetTweaks { .. } => plain(I::SetTweaks),
            C::ClearTexture(_) => plain(I::ClearTexture),
            C::PipeResourceCreate(_) => plain(I::PipeResourceCreate),
            C::PipeResourceSetType(_) => plain(I::PipeResourceSetType),
            C::GetMemoryInfo(_) => plain(I::GetMemoryInfo),
            C::SendStringMarker(_) => plain(I::SendStringMarker),
            C::LinkShader(_) => plain(I::LinkShader),
            C::CreateVideoCodec(_) => plain(I::CreateVideoCodec),
            C::DestroyVideoCodec(_) => plain(I::DestroyVideoCodec),
            C::CreateVideoBuffer(_) => plain(I::CreateVideoBuffer),
            C::DestroyVideoBuffer(_) => plain(I::DestroyVideoBuffer),
            C::BeginFrame(_) => plain(I::BeginFrame),
            C::DecodeMacroblock(_) => plain(I::DecodeMacroblock),
            C::DecodeBitstream(_) => plain(I::DecodeBitstream),
            C::EncodeBitstream(_) => plain(I::EncodeBitstream),
            C::EndFrame(_) => plain(I::EndFrame),
            C::ClearSurface(_) => plain(I::ClearSurface),
            C::GetPipeResourceLayout { .. } => plain(I::GetPipeResourceLayout),
        }
    }

    /// The bulk data this command borrows from the stream without reading it: shader text,
    /// constants, inline-write texels, strings, and the raw payloads the host skips
    /// (END_TRANSFERS padding, DECODE_MACROBLOCK). `None` for commands made of fields only.
    pub fn bulk(&self) -> Option<&Dwords<'_>> {
        match self {
            Command::CreateShader(s) => Some(&s.text),
            Command::SetConstantBuffer { data, .. } => Some(data),
            Command::ResourceInlineWrite(w) => Some(&w.data),
            Command::SendStringMarker(m) => Some(&m.data),
            Command::SetDebugFlags(d) | Command::EndTransfers(d) | Command::DecodeMacroblock(d) => {
                Some(d)
            }
            _ => None,
        }
    }

    /// The upstream name of this command; object commands name the object
    /// (`CREATE_OBJECT(BLEND)`).
    pub fn name(&self) -> &'static str {
        let (id, object) = self.id_and_object();
        command_name(id.to_wire() as u8, object.map_or(0, |o| o.to_wire() as u8))
    }

    /// Checks the value rules a host would otherwise repeat (see the `rules` module). The
    /// encoder and the decoder both run this.
    pub(crate) fn check(&self) -> Check {
        use Command as C;
        match self {
            C::CreateBlend(b) => b.check(),
            C::CreateRasterizer(r) => r.check(),
            C::CreateDsa(d) => d.check(),
            C::CreateShader(s) => s.check(),
            C::CreateVertexElements(v) => v.check(),
            C::CreateSamplerView(v) => v.check(),
            C::CreateSamplerState(s) => s.check(),
            C::CreateSurface(s) => s.check(),
            C::CreateQuery(q) => q.check(),
            C::CreateStreamoutTarget(t) => t.check(),
            C::CreateMsaaSurface(m) => m.check(),
            C::DestroyObject { handle, .. } => rules::object_handle(1, *handle),
            C::SetViewportState {
                start_slot,
                viewports,
            } => bind::check_viewports(*start_slot, viewports.len()),
            C::SetScissorState {
                start_slot,
                scissors,
            } => bind::check_scissors(*start_slot, scissors.len()),
            C::SetSamplerViews {
                start_slot, views, ..
            } => bind::check_sampler_views(*start_slot, views.len()),
            C::BindSamplerStates {
                start_slot, states, ..
            } => bind::check_sampler_states(*start_slot, states.len()),
            C::SetUniformBuffer { index, .. } => bind::check_uniform_buffer(*index),
            C::SetShaderBuffers {
                start_slot,
                buffers,
                ..
            } => bind::check_shader_buffers(*start_slot, buffers.len()),
            C::SetShaderImages {
                start_slot, images, ..
            } => bind::check_shader_images(*start_slot, images.len()),
            C::SetAtomicBuffers {
                start_slot,
                buffers,
            } => bind::check_atomic_buffers(*start_slot, buffers.len()),
            C::SetFramebufferStateNoAttach(f) => f.check(),
            C::ResourceInlineWrite(w) => w.check(),
            C::Transfer3d(t) => t.check(),
            C::CopyTransfer3d(c) => c.check(),
            C::ResourceCopyRegion(c) => c.check(),
            C::Blit(b) => b.check(),
            C::ClearTexture(c) => c.check(),
            C::ClearSurface(c) => c.check(),
            C::BeginQuery(q) | C::EndQuery(q) | C::GetQueryResult { query: q, .. } => {
                rules::query("query", 1, *q)
            }
            C::GetQueryResultQbo(q) => q.check(),
            C::GetMemoryInfo(r) => resource::check_memory_info(*r),
            C::GetPipeResourceLayout { output, resource } => {
                resource::check_layout(*output, *resource)
            }
            C::SetDebugFlags(d) => check_debug_flags(d),
            _ => Ok(()),
        }
    }

    /// Appends the header and payload to `out`; returns the dwords written. Fails, writing
    /// nothing, when the command breaks a rule the decoder enforces.
    pub fn encode(&self, out: &mut Vec<u32>) -> Result<usize> {
        let start = out.len();
        let r = self.encode_at(out, start);
        if r.is_err() {
            out.truncate(start);
        }
        r
    }

    fn encode_at(&self, out: &mut Vec<u32>, start: usize) -> Result<usize> {
        let name = self.name();
        out.push(0);
        let mut w = Writer { out, name };
        w.check(self.check())?;
        self.write_payload(&mut w)?;
        let len = out.len() - start - 1;
        if len > MAX_PAYLOAD_DWORDS {
            return Err(Error::TooLong { name, dwords: len });
        }
        let (id, object) = self.id_and_object();
        let rule = len_rule(id, object);
        if !rule.allows(len as u16) {
            return Err(Error::EncodedLength {
                name,
                expected: rule,
                actual: len,
            });
        }
        out[start] = Header {
            id: id.to_wire() as u8,
            object: object.map_or(0, |o| o.to_wire() as u8),
            len: len as u16,
        }
        .pack();
        Ok(len + 1)
    }

    fn write_payload(&self, w: &mut Writer<'_>) -> Result<()> {
        use Command as C;
        match self {
            C::Nop(n) => w.extend(std::iter::repeat_n(0, usize::from(*n))),
            C::CreateBlend(b) => b.write(w)?,
            C::CreateRasterizer(r) => r.write(w)?,
            C::CreateDsa(d) => d.write(w)?,
            C::CreateShader(s) => s.write(w)?,
            C::CreateVertexElements(v) => v.write(w)?,
            C::CreateSamplerView(v) => v.write(w)?,
            C::CreateSamplerState(s) => s.write(w)?,
            C::CreateSurface(s) => s.write(w)?,
            C::CreateQuery(q) => q.write(w)?,
            C::CreateStreamoutTarget(t) => t.write(w),
            C::CreateMsaaSurface(m) => m.write(w)?,
            C::BindObject { handle, .. } | C::DestroyObject { handle, .. } => w.push(*handle),
            C::BindShader {
                handle,
                shader_type,
            } => w.extend([*handle, shader_type.to_wire()]),
            C::SetViewportState {
                start_slot,
                viewports,
            } => bind::write_viewports(w, *start_slot, viewports),
            C::SetFramebufferState { zsurf, cbufs } => {
                w.extend([cbufs.len() as u32, *zsurf]);
                w.extend(cbufs.iter().copied());
            }
            C::SetVertexBuffers(vbs) => {
                for vb in vbs {
                    w.extend([vb.stride, vb.offset, vb.resource]);
                }
            }
            C::SetIndexBuffer { resource, layout } => {
                w.push(*resource);
                if let Some(l) = layout {
                    w.extend([l.index_size.to_wire(), l.offset]);
                }
            }
            C::SetConstantBuffer {
                shader_type,
                index,
                data,
            } => bind::write_constants(w, *shader_type, *index, data),
            C::SetSamplerViews {
                shader_type,
                start_slot,
                views: handles,
            }
            | C::BindSamplerStates {
                shader_type,
                start_slot,
                states: handles,
            } => {
                w.extend([shader_type.to_wire(), *start_slot]);
                w.extend(handles.iter().copied());
            }
            C::SetScissorState {
                start_slot,
                scissors,
            } => bind::write_scissors(w, *start_slot, scissors)?,
            C::SetBlendColor(c) => w.f32s(c),
            C::SetStencilRef(r) => w.pack::<StencilRefBits, _>(r)?,
            C::Clear(c) => c.write(w),
            C::DrawVbo(d) => d.write(w),
            C::ResourceInlineWrite(i) => i.write(w),
            C::Transfer3d(t) => t.write(w),
            C::ResourceCopyRegion(c) => c.write(w),
            C::Blit(b) => b.write(w)?,
            C::CreateSubCtx(v)
            | C::SetSubCtx(v)
            | C::DestroySubCtx(v)
            | C::BeginQuery(v)
            | C::EndQuery(v)
            | C::SetSampleMask(v)
            | C::SetMinSamples(v)
            | C::MemoryBarrier(v)
            | C::TextureBarrier(v)
            | C::GetMemoryInfo(v)
            | C::DestroyVideoCodec(v)
            | C::DestroyVideoBuffer(v) => w.push(*v),
            C::GetQueryResult { query, wait } => w.extend([*query, u32::from(*wait)]),
            C::SetPolygonStipple(rows) => w.extend(rows.iter().copied()),
            C::SetClipState(planes) => w.f32s(planes.as_flattened()),
            C::SetStreamoutTargets {
                append_bitmask,
                targets,
            } => {
                w.push(*append_bitmask);
                w.extend(targets.iter().copied());
            }
            C::SetRenderCondition {
                query,
                condition,
                mode,
            } => w.extend([*query, u32::from(*condition), mode.to_wire()]),
            C::SetUniformBuffer {
                shader_type,
                index,
                offset,
                length,
                resource,
            } => w.extend([shader_type.to_wire(), *index, *offset, *length, *resource]),
            C::SetTessState { outer, inner } => {
                w.f32s(outer);
                w.f32s(inner);
            }
            C::SetShaderBuffers {
                shader_type,
                start_slot,
                buffers,
            } => {
                w.extend([shader_type.to_wire(), *start_slot]);
                bind::write_buffer_bindings(w, buffers);
            }
            C::SetShaderImages {
                shader_type,
                start_slot,
                images,
            } => {
                w.extend([shader_type.to_wire(), *start_slot]);
                bind::write_images(w, images);
            }
            C::LaunchGrid(g) => g.write(w),
            C::SetFramebufferStateNoAttach(f) => f.write(w)?,
            C::SetAtomicBuffers {
                start_slot,
                buffers,
            } => {
                w.push(*start_slot);
                bind::write_buffer_bindings(w, buffers);
            }
            C::SetDebugFlags(d) | C::EndTransfers(d) | C::DecodeMacroblock(d) => w.extend(d.iter()),
            C::GetQueryResultQbo(q) => q.write(w),
            C::CopyTransfer3d(c) => c.write(w),
            C::SetTweaks { id, value } => w.extend([*id, *value]),
            C::ClearTexture(c) => c.write(w),
            C::PipeResourceCreate(r) => r.write(w),
            C::PipeResourceSetType(t) => t.write(w),
            C::SendStringMarker(s) => {
                w.push(s.length);
                w.extend(s.data.iter());
            }
            C::LinkShader(h) => w.extend(h.iter().copied()),
            C::CreateVideoCodec(v) => v.write(w),
            C::CreateVideoBuffer(v) => v.write(w),
            C::BeginFrame(v) | C::EndFrame(v) => v.write(w),
            C::DecodeBitstream(v) => v.write(w),
            C::EncodeBitstream(v) => v.write(w),
            C::ClearSurface(c) => c.write(w)?,
            C::GetPipeResourceLayout { output, resource } => w.extend([*output, *resource]),
        }
        Ok(())
    }
}

/// SET_DEBUG_FLAGS: the host copies every dword and reads up to the first NUL.
fn check_debug_flags(d: &Dwords<'_>) -> Check {
    let bytes = d.as_bytes();
    let Some(nul) = bytes.iter().position(|&b| b == 0) else {
        let last = d.iter().last().unwrap_or(0);
        return Err(rules::Violation {
            field: "flags",
            dword: d.len(),
            value: last,
            rule: text::NUL,
        });
    };
    let tail = rules::stale_tail(nul + 1);
    match bytes[tail..].iter().position(|&b| b != 0) {
        None => Ok(()),
        Some(p) => {
            let at = (tail + p) / 4;
            let value = d.iter().nth(at).unwrap_or(0);
            ensure(false, "flags", 1 + at, value, text::PADDING)
        }
    }
}

/// SEND_STRING_MARKER's payload: `length` bytes of text in whole dwords. The bytes past
/// `length` in the last dword may be stale (see [`stale_tail`](rules::stale_tail)); they are
/// kept so the command re-encodes to what was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringMarker<'a> {
    length: u32,
    data: Dwords<'a>,
}

impl<'a> StringMarker<'a> {
    /// A marker holding `text`, zero-padded to whole dwords.
    pub fn new(text: &[u8]) -> Result<StringMarker<'static>> {
        let length = u32::try_from(text.len()).map_err(|_| Error::TooLong {
            name: "SEND_STRING_MARKER",
            dwords: text.len() / 4,
        })?;
        let mut bytes = text.to_vec();
        bytes.resize(text.len().next_multiple_of(4), 0);
        Ok(StringMarker {
            length,
            data: Dwords::from_bytes(bytes).expect("padded to whole dwords"),
        })
    }

    /// Wraps a decoded payload; `data` holds exactly the dwords `length` needs.
    pub(super) fn from_parts(length: u32, data: Dwords<'a>) -> StringMarker<'a> {
        debug_assert_eq!(data.len(), (length as usize).div_ceil(4));
        StringMarker { length, data }
    }

    /// The marker's text.
    pub fn text(&self) -> &[u8] {
        &self.data.as_bytes()[..self.length as usize]
    }
}

/// Encodes `commands` into a fresh dword vector.
pub fn encode_all<'a>(commands: impl IntoIterator<Item = &'a Command<'a>>) -> Result<Vec<u32>> {
    let mut out = Vec::new();
    for c in commands {
        c.encode(&mut out)?;
    }
    Ok(out)
}
