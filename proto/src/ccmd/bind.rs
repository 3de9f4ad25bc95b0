//! Bindings: what the next draw or dispatch reads from. Viewports, scissors, framebuffer,
//! vertex and index buffers, constant and uniform buffers, sampler views and states, shader
//! buffers, images and atomic counters, shaders.
//!
//! Slot ranges are checked so that `start_slot + count` stays within the Gallium limit the
//! host indexes its arrays with.

use super::bits::bits;
use super::rules::{self, ensure, text, Check, Violation};
use super::state::{valid_samples, Scissor, Viewport};
use super::wire::{Payload, Writer};
use super::{Command, Dwords};
use crate::error::Result;
use crate::format::Format;
use crate::pipe::{limits, IndexSize, ShaderType};

#[cfg(test)]
use super::arb;
#[cfg(test)]
use proptest_derive::Arbitrary;

/// One vertex buffer binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct VertexBuffer {
    pub stride: u32,
    pub offset: u32,
    pub resource: u32,
}

/// Index size and offset of a bound index buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct IndexLayout {
    pub index_size: IndexSize,
    pub offset: u32,
}

/// A buffer range bound to a shader-buffer or atomic-buffer slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct BufferBinding {
    pub offset: u32,
    pub length: u32,
    pub resource: u32,
}

/// An image bound to a shader-image slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct ImageBinding {
    pub format: Format,
    /// `PIPE_IMAGE_ACCESS_*` bits (Mesa also passes newer Gallium bits through).
    pub access: u32,
    /// First layer (textures) or first element (buffers).
    pub layer_offset: u32,
    /// Level (textures) or size (buffers).
    pub level_size: u32,
    pub resource: u32,
}

/// SET_FRAMEBUFFER_STATE_NO_ATTACH: the size of a framebuffer without attachments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct NoAttachFramebuffer {
    pub width: u16,
    pub height: u16,
    pub layers: u16,
    #[cfg_attr(test, proptest(strategy = "arb::samples_u8()"))]
    pub samples: u8,
}

bits! {
    /// `VIRGL_SET_FRAMEBUFFER_STATE_NO_ATTACH_WIDTH_HEIGHT`.
    pub(crate) struct NoAttachSize("width_height") for NoAttachFramebuffer {
        width: u16 = 0..16,
        height: u16 = 16..32,
    }
}

bits! {
    /// `VIRGL_SET_FRAMEBUFFER_STATE_NO_ATTACH_LAYERS_SAMPLES`.
    pub(crate) struct NoAttachLayers("layers_samples") for NoAttachFramebuffer {
        layers: u16 = 0..16,
        samples: u8 = 16..24,
    }
}

impl NoAttachFramebuffer {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<NoAttachFramebuffer> {
        let mut f = NoAttachFramebuffer::default();
        p.unpack::<NoAttachSize, _>(1, &mut f)?;
        p.unpack::<NoAttachLayers, _>(2, &mut f)?;
        Ok(f)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.pack::<NoAttachSize, _>(self)?;
        w.pack::<NoAttachLayers, _>(self)
    }

    pub(crate) fn check(&self) -> Check {
        let n = u32::from(self.samples);
        ensure(valid_samples(n), "samples", 2, n, text::SAMPLES)
    }
}

pub(crate) fn decode_viewports<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    let viewports = (0..(p.len() - 1) / 6)
        .map(|v| {
            let b = 2 + v * 6;
            Viewport {
                scale: [p.f32(b), p.f32(b + 1), p.f32(b + 2)],
                translate: [p.f32(b + 3), p.f32(b + 4), p.f32(b + 5)],
            }
        })
        .collect();
    Ok(Command::SetViewportState {
        start_slot: p.u32(1),
        viewports,
    })
}

pub(crate) fn write_viewports(w: &mut Writer<'_>, start_slot: u32, viewports: &[Viewport]) {
    w.push(start_slot);
    for v in viewports {
        w.f32s(&v.scale);
        w.f32s(&v.translate);
    }
}

pub(crate) fn check_viewports(start_slot: u32, n: usize) -> Check {
    rules::slots(1, start_slot, n, limits::MAX_VIEWPORTS, text::VIEWPORTS)
}

pub(crate) fn decode_scissors<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    let scissors = (0..(p.len() - 1) / 2)
        .map(|i| Scissor::decode_at(p, 2 + i * 2))
        .collect::<Result<_>>()?;
    Ok(Command::SetScissorState {
        start_slot: p.u32(1),
        scissors,
    })
}

pub(crate) fn write_scissors(
    w: &mut Writer<'_>,
    start_slot: u32,
    scissors: &[Scissor],
) -> Result<()> {
    w.push(start_slot);
    scissors.iter().try_for_each(|s| s.write(w))
}

pub(crate) fn check_scissors(start_slot: u32, n: usize) -> Check {
    let below = (start_slot as usize) < limits::MAX_VIEWPORTS;
    ensure(below, "start_slot", 1, start_slot, text::SCISSORS)?;
    rules::slots(1, start_slot, n, limits::MAX_VIEWPORTS, text::SCISSORS)
}

pub(crate) fn decode_framebuffer<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    let n = p.u32(1);
    if n as usize != p.len() - 2 {
        return Err(p.violation(Violation {
            field: "nr_cbufs",
            dword: 1,
            value: n,
            rule: text::NR_CBUFS,
        }));
    }
    Ok(Command::SetFramebufferState {
        zsurf: p.u32(2),
        cbufs: p.dwords(3, n as usize).collect(),
    })
}

pub(crate) fn decode_vertex_buffers<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    Ok(Command::SetVertexBuffers(
        (0..p.len() / 3)
            .map(|i| VertexBuffer {
                stride: p.u32(1 + i * 3),
                offset: p.u32(2 + i * 3),
                resource: p.u32(3 + i * 3),
            })
            .collect(),
    ))
}

pub(crate) fn decode_index_buffer<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    let layout = if p.len() == 3 {
        Some(IndexLayout {
            index_size: p.value("index_size", 2)?,
            offset: p.u32(3),
        })
    } else {
        None
    };
    Ok(Command::SetIndexBuffer {
        resource: p.u32(1),
        layout,
    })
}

pub(crate) fn decode_constant_buffer<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    Ok(Command::SetConstantBuffer {
        shader_type: p.value("shader_type", 1)?,
        index: p.u32(2),
        data: p.rest(3),
    })
}

pub(crate) fn decode_uniform_buffer<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    Ok(Command::SetUniformBuffer {
        shader_type: p.value("shader_type", 1)?,
        index: p.u32(2),
        offset: p.u32(3),
        length: p.u32(4),
        resource: p.u32(5),
    })
}

pub(crate) fn check_uniform_buffer(index: u32) -> Check {
    let ok = (index as usize) < limits::MAX_CONSTANT_BUFFERS;
    ensure(ok, "index", 2, index, text::UNIFORM_BUFFER)
}

/// The shader type and start slot leading SET_SAMPLER_VIEWS and BIND_SAMPLER_STATES, then the
/// handles.
fn typed_handles(p: &Payload<'_>) -> Result<(ShaderType, u32, Vec<u32>)> {
    Ok((
        p.value("shader_type", 1)?,
        p.u32(2),
        p.dwords(3, p.len() - 2).collect(),
    ))
}

pub(crate) fn decode_sampler_views<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    let (shader_type, start_slot, views) = typed_handles(p)?;
    Ok(Command::SetSamplerViews {
        shader_type,
        start_slot,
        views,
    })
}

pub(crate) fn check_sampler_views(start_slot: u32, n: usize) -> Check {
    rules::slots(
        2,
        start_slot,
        n,
        limits::MAX_SHADER_SAMPLER_VIEWS,
        text::SAMPLER_VIEWS,
    )
}

pub(crate) fn decode_sampler_states<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    let (shader_type, start_slot, states) = typed_handles(p)?;
    Ok(Command::BindSamplerStates {
        shader_type,
        start_slot,
        states,
    })
}

pub(crate) fn check_sampler_states(start_slot: u32, n: usize) -> Check {
    rules::slots(2, start_slot, n, limits::MAX_SAMPLERS, text::SAMPLERS)
}

fn buffer_bindings(p: &Payload<'_>, first: usize) -> Vec<BufferBinding> {
    (0..(p.len() + 1 - first) / 3)
        .map(|i| {
            let b = first + i * 3;
            BufferBinding {
                offset: p.u32(b),
                length: p.u32(b + 1),
                resource: p.u32(b + 2),
            }
        })
        .collect()
}

pub(crate) fn write_buffer_bindings(w: &mut Writer<'_>, buffers: &[BufferBinding]) {
    for b in buffers {
        w.extend([b.offset, b.length, b.resource]);
    }
}

pub(crate) fn decode_shader_buffers<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    Ok(Command::SetShaderBuffers {
        shader_type: p.value("shader_type", 1)?,
        start_slot: p.u32(2),
        buffers: buffer_bindings(p, 3),
    })
}

pub(crate) fn check_shader_buffers(start_slot: u32, n: usize) -> Check {
    rules::slots(
        2,
        start_slot,
        n,
        limits::MAX_SHADER_BUFFERS,
        text::SHADER_BUFFERS,
    )
}

pub(crate) fn decode_atomic_buffers<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    Ok(Command::SetAtomicBuffers {
        start_slot: p.u32(1),
        buffers: buffer_bindings(p, 2),
    })
}

pub(crate) fn check_atomic_buffers(start_slot: u32, n: usize) -> Check {
    rules::slots(
        1,
        start_slot,
        n,
        limits::MAX_HW_ATOMIC_BUFFERS,
        text::ATOMIC_BUFFERS,
    )
}

pub(crate) fn decode_shader_images<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    let images = (0..(p.len() - 2) / 5)
        .map(|i| {
            let b = 3 + i * 5;
            Ok(ImageBinding {
                format: p.value("format", b)?,
                access: p.u32(b + 1),
                layer_offset: p.u32(b + 2),
                level_size: p.u32(b + 3),
                resource: p.u32(b + 4),
            })
        })
        .collect::<Result<_>>()?;
    Ok(Command::SetShaderImages {
        shader_type: p.value("shader_type", 1)?,
        start_slot: p.u32(2),
        images,
    })
}

pub(crate) fn write_images(w: &mut Writer<'_>, images: &[ImageBinding]) {
    for i in images {
        w.extend([
            i.format.to_wire(),
            i.access,
            i.layer_offset,
            i.level_size,
            i.resource,
        ]);
    }
}

pub(crate) fn check_shader_images(start_slot: u32, n: usize) -> Check {
    rules::slots(
        2,
        start_slot,
        n,
        limits::MAX_SHADER_IMAGES,
        text::SHADER_IMAGES,
    )
}

/// A constant-buffer upload's data, for writers.
pub(crate) fn write_constants(
    w: &mut Writer<'_>,
    shader_type: ShaderType,
    index: u32,
    data: &Dwords<'_>,
) {
    w.extend([shader_type.to_wire(), index]);
    w.extend(data.iter());
}
