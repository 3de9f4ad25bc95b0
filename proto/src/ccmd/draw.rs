//! Drawing and compute: DRAW_VBO, LAUNCH_GRID, and the clears.

#[cfg(test)]
use super::arb;
use super::bits::bits;
use super::rules::{self, Check};
use super::wire::{Payload, Writer};
use crate::error::Result;
use crate::pipe::{ClearBuffers, PrimMode};

#[cfg(test)]
use proptest_derive::Arbitrary;

/// Tessellation and draw-id fields of a 14- or 20-dword DRAW_VBO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct DrawTess {
    pub vertices_per_patch: u32,
    pub drawid: u32,
}

/// Indirect fields of a 20-dword DRAW_VBO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct DrawIndirect {
    pub resource: u32,
    pub offset: u32,
    pub stride: u32,
    pub draw_count: u32,
    pub draw_count_offset: u32,
    pub draw_count_resource: u32,
}

/// The optional tail of DRAW_VBO, which fixes its length (12, 14 or 20 dwords).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub enum DrawExtra {
    None,
    Tess(DrawTess),
    Indirect(DrawTess, DrawIndirect),
}

/// DRAW_VBO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct DrawVbo {
    pub start: u32,
    pub count: u32,
    pub mode: PrimMode,
    pub indexed: bool,
    pub instance_count: u32,
    pub index_bias: i32,
    pub start_instance: u32,
    pub primitive_restart: bool,
    pub restart_index: u32,
    pub min_index: u32,
    pub max_index: u32,
    /// Size of the stream-output buffer to draw from, 0 for none.
    pub count_from_so: u32,
    pub extra: DrawExtra,
}

impl DrawVbo {
    /// A non-indexed, single-instance draw of `count` vertices from `start`.
    pub fn arrays(mode: PrimMode, start: u32, count: u32) -> DrawVbo {
        DrawVbo {
            start,
            count,
            mode,
            indexed: false,
            instance_count: 1,
            index_bias: 0,
            start_instance: 0,
            primitive_restart: false,
            restart_index: 0,
            min_index: start,
            max_index: (start + count).saturating_sub(1),
            count_from_so: 0,
            extra: DrawExtra::None,
        }
    }

    pub(crate) fn decode(p: &Payload<'_>) -> Result<DrawVbo> {
        let tess = || DrawTess {
            vertices_per_patch: p.u32(13),
            drawid: p.u32(14),
        };
        Ok(DrawVbo {
            start: p.u32(1),
            count: p.u32(2),
            mode: p.value("mode", 3)?,
            indexed: p.value("indexed", 4)?,
            instance_count: p.u32(5),
            index_bias: p.u32(6) as i32,
            start_instance: p.u32(7),
            primitive_restart: p.value("primitive_restart", 8)?,
            restart_index: p.u32(9),
            min_index: p.u32(10),
            max_index: p.u32(11),
            count_from_so: p.u32(12),
            extra: match p.len() {
                12 => DrawExtra::None,
                14 => DrawExtra::Tess(tess()),
                _ => DrawExtra::Indirect(
                    tess(),
                    DrawIndirect {
                        resource: p.u32(15),
                        offset: p.u32(16),
                        stride: p.u32(17),
                        draw_count: p.u32(18),
                        draw_count_offset: p.u32(19),
                        draw_count_resource: p.u32(20),
                    },
                ),
            },
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend([
            self.start,
            self.count,
            self.mode.to_wire(),
            u32::from(self.indexed),
            self.instance_count,
            self.index_bias as u32,
            self.start_instance,
            u32::from(self.primitive_restart),
            self.restart_index,
            self.min_index,
            self.max_index,
            self.count_from_so,
        ]);
        match self.extra {
            DrawExtra::None => {}
            DrawExtra::Tess(t) => w.extend([t.vertices_per_patch, t.drawid]),
            DrawExtra::Indirect(t, i) => w.extend([
                t.vertices_per_patch,
                t.drawid,
                i.resource,
                i.offset,
                i.stride,
                i.draw_count,
                i.draw_count_offset,
                i.draw_count_resource,
            ]),
        }
    }
}

/// LAUNCH_GRID: a compute dispatch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct LaunchGrid {
    pub block: [u32; 3],
    pub grid: [u32; 3],
    /// Buffer with the grid size for indirect dispatch, 0 for none.
    pub indirect_resource: u32,
    pub indirect_offset: u32,
}

impl LaunchGrid {
    pub(crate) fn decode(p: &Payload<'_>) -> LaunchGrid {
        LaunchGrid {
            block: [p.u32(1), p.u32(2), p.u32(3)],
            grid: [p.u32(4), p.u32(5), p.u32(6)],
            indirect_resource: p.u32(7),
            indirect_offset: p.u32(8),
        }
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend(self.block);
        w.extend(self.grid);
        w.extend([self.indirect_resource, self.indirect_offset]);
    }
}

/// CLEAR: clears the bound framebuffer's buffers.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Clear {
    pub buffers: ClearBuffers,
    /// Colour as raw dwords: floats, or integers for integer formats.
    pub color: [u32; 4],
    #[cfg_attr(test, proptest(strategy = "arb::finite_f64()"))]
    pub depth: f64,
    pub stencil: u32,
}

impl Clear {
    /// Clears colour buffers `buffers` to a float colour.
    pub fn color(buffers: ClearBuffers, rgba: [f32; 4]) -> Clear {
        Clear {
            buffers,
            color: rgba.map(f32::to_bits),
            depth: 0.0,
            stencil: 0,
        }
    }

    pub(crate) fn decode(p: &Payload<'_>) -> Result<Clear> {
        Ok(Clear {
            buffers: p.value("buffers", 1)?,
            color: [p.u32(2), p.u32(3), p.u32(4), p.u32(5)],
            depth: f64::from_bits(u64::from(p.u32(6)) | u64::from(p.u32(7)) << 32),
            stencil: p.u32(8),
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.push(self.buffers.bits());
        w.extend(self.color);
        let d = self.depth.to_bits();
        w.extend([d as u32, (d >> 32) as u32, self.stencil]);
    }
}

/// CLEAR_SURFACE: clears a rectangle of one surface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct ClearSurface {
    pub render_condition: bool,
    /// Depth, stencil and colour 0 only: the field is three bits wide.
    #[cfg_attr(test, proptest(strategy = "arb::clear_surface_buffers()"))]
    pub buffers: ClearBuffers,
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub surface: u32,
    /// Colour, or depth (f64) and stencil, as raw dwords.
    pub color: [u32; 4],
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

bits! {
    /// `VIRGL_CLEAR_SURFACE_S0`.
    pub(crate) struct ClearSurfaceS0("s0") for ClearSurface {
        render_condition: bool = 0..1,
        buffers: ClearBuffers = 1..4,
    }
}

impl ClearSurface {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<ClearSurface> {
        let mut c = ClearSurface {
            render_condition: false,
            buffers: ClearBuffers::empty(),
            surface: p.u32(2),
            color: [p.u32(3), p.u32(4), p.u32(5), p.u32(6)],
            x: p.u32(7),
            y: p.u32(8),
            width: p.u32(9),
            height: p.u32(10),
        };
        p.unpack::<ClearSurfaceS0, _>(1, &mut c)?;
        Ok(c)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.pack::<ClearSurfaceS0, _>(self)?;
        w.push(self.surface);
        w.extend(self.color);
        w.extend([self.x, self.y, self.width, self.height]);
        Ok(())
    }

    /// `vrend_clear_surface` looks the surface up and fails without it.
    pub(crate) fn check(&self) -> Check {
        rules::object("surface", 2, self.surface)
    }
}
