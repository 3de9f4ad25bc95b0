//! State objects: CREATE_OBJECT of blend, DSA, rasterizer, sampler state, sampler view,
//! surface and vertex elements, with their packed dwords; and the small fixed state that
//! travels with them (viewports, scissors, stencil reference).

#[cfg(test)]
use super::arb;
use super::bits::{bits, put, FieldSpec, Layout};
use super::rules::{self, ensure, text, Check};
use super::wire::{Payload, Writer};
use crate::error::Result;
use crate::format::Format;
use crate::pipe::{
    limits, AdvancedBlend, BlendFactor, BlendFunc, CompareFunc, CullFace, LogicOp, MipFilter,
    PolygonMode, StencilOp, Swizzle, TexCompareMode, TexFilter, TexWrap, TextureTarget,
};

#[cfg(test)]
use proptest_derive::Arbitrary;

/// Per-render-target blend state (`VIRGL_OBJ_BLEND_S2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct RtBlend {
    pub blend_enable: bool,
    pub rgb_func: BlendFunc,
    pub rgb_src_factor: BlendFactor,
    pub rgb_dst_factor: BlendFactor,
    pub alpha_func: BlendFunc,
    pub alpha_src_factor: BlendFactor,
    pub alpha_dst_factor: BlendFactor,
    /// PIPE_MASK_RGBA bits (4 bits).
    #[cfg_attr(test, proptest(strategy = "0u8..16"))]
    pub colormask: u8,
}

impl Default for RtBlend {
    fn default() -> Self {
        RtBlend {
            blend_enable: false,
            rgb_func: BlendFunc::Add,
            rgb_src_factor: BlendFactor::One,
            rgb_dst_factor: BlendFactor::Zero,
            alpha_func: BlendFunc::Add,
            alpha_src_factor: BlendFactor::One,
            alpha_dst_factor: BlendFactor::Zero,
            colormask: 0xf,
        }
    }
}

bits! {
    /// `VIRGL_OBJ_BLEND_S2(rt)`.
    pub(crate) struct RtBlendBits("rt") for RtBlend {
        blend_enable: bool = 0..1,
        rgb_func: BlendFunc = 1..4,
        rgb_src_factor: BlendFactor = 4..9,
        rgb_dst_factor: BlendFactor = 9..14,
        alpha_func: BlendFunc = 14..17,
        alpha_src_factor: BlendFactor = 17..22,
        alpha_dst_factor: BlendFactor = 22..27,
        colormask: u8 = 27..31,
    }
}

/// CREATE_OBJECT(BLEND): `pipe_blend_state`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Blend {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub handle: u32,
    pub independent_blend_enable: bool,
    pub logicop_enable: bool,
    pub dither: bool,
    pub alpha_to_coverage: bool,
    pub alpha_to_one: bool,
    pub logicop_func: LogicOp,
    pub rt: [RtBlend; limits::MAX_COLOR_BUFS],
    /// An advanced blend equation. On the wire it takes render target 0's alpha source factor,
    /// whose alpha factors are then both [`BlendFactor::Unset`].
    pub advanced: AdvancedBlend,
}

// The enums are declared by a macro without Default.
#[allow(clippy::derivable_impls)]
impl Default for LogicOp {
    fn default() -> Self {
        LogicOp::Clear
    }
}

#[allow(clippy::derivable_impls)]
impl Default for AdvancedBlend {
    fn default() -> Self {
        AdvancedBlend::None
    }
}

/// The alpha factor fields of [`RtBlendBits`], which render target 0 shares with the
/// advanced blend mode.
fn advanced_fields() -> (&'static FieldSpec, &'static FieldSpec) {
    (
        RtBlendBits::field("alpha_src_factor"),
        RtBlendBits::field("alpha_dst_factor"),
    )
}

bits! {
    /// `VIRGL_OBJ_BLEND_S0`.
    pub(crate) struct BlendS0("s0") for Blend {
        independent_blend_enable: bool = 0..1,
        logicop_enable: bool = 1..2,
        dither: bool = 2..3,
        alpha_to_coverage: bool = 3..4,
        alpha_to_one: bool = 4..5,
    }
}

bits! {
    /// `VIRGL_OBJ_BLEND_S1`.
    pub(crate) struct BlendS1("s1") for Blend {
        logicop_func: LogicOp = 0..4,
    }
}

impl Blend {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<Blend> {
        let mut b = Blend {
            handle: p.u32(1),
            ..Blend::default()
        };
        p.unpack::<BlendS0, _>(2, &mut b)?;
        p.unpack::<BlendS1, _>(3, &mut b)?;
        let (src, dst) = advanced_fields();
        for (i, rt) in b.rt.iter_mut().enumerate() {
            let mut raw = p.u32(4 + i);
            // Mesa's advanced form: a mode in the source factor, the destination factor 0.
            if i == 0 && raw & dst.mask() == 0 && raw & src.mask() != 0 {
                let mode = (raw & src.mask()) >> src.lo;
                b.advanced = AdvancedBlend::from_wire(mode)
                    .ok_or_else(|| p.invalid("advanced_blend", 4, mode))?;
                raw &= !src.mask();
            }
            p.unpack_raw::<RtBlendBits, _>(4 + i, raw, rt)?;
        }
        Ok(b)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.push(self.handle);
        w.pack::<BlendS0, _>(self)?;
        w.pack::<BlendS1, _>(self)?;
        for (i, rt) in self.rt.iter().enumerate() {
            let mut raw = w.packed::<RtBlendBits, _>(rt)?;
            if i == 0 {
                raw |= put(self.advanced, advanced_fields().0).map_err(|e| w.field_error(e))?;
            }
            w.push(raw);
        }
        Ok(())
    }

    pub(crate) fn check(&self) -> Check {
        rules::object_handle(1, self.handle)?;
        let rt = &self.rt[0];
        let src = rt.alpha_src_factor.to_wire();
        if self.advanced == AdvancedBlend::None {
            // Otherwise it would read back as an advanced mode.
            let ok = rt.alpha_dst_factor != BlendFactor::Unset || src == 0;
            ensure(ok, "alpha_src_factor", 4, src, text::ADVANCED_BLEND)
        } else {
            let ok = src == 0 && rt.alpha_dst_factor == BlendFactor::Unset;
            let mode = self.advanced.to_wire();
            ensure(ok, "advanced_blend", 4, mode, text::ADVANCED_BLEND)
        }
    }
}

/// Depth test state inside [`Dsa`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct DepthState {
    pub enabled: bool,
    pub writemask: bool,
    pub func: CompareFunc,
}

/// One face's stencil state inside [`Dsa`] (`VIRGL_OBJ_DSA_S1`, `_S2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct StencilState {
    pub enabled: bool,
    pub func: CompareFunc,
    pub fail_op: StencilOp,
    pub zpass_op: StencilOp,
    pub zfail_op: StencilOp,
    pub valuemask: u8,
    pub writemask: u8,
}

impl Default for StencilState {
    fn default() -> Self {
        StencilState {
            enabled: false,
            func: CompareFunc::Always,
            fail_op: StencilOp::Keep,
            zpass_op: StencilOp::Keep,
            zfail_op: StencilOp::Keep,
            valuemask: 0xff,
            writemask: 0xff,
        }
    }
}

bits! {
    /// `VIRGL_OBJ_DSA_S1` and `_S2`.
    pub(crate) struct StencilBits("stencil") for StencilState {
        enabled: bool = 0..1,
        func: CompareFunc = 1..4,
        fail_op: StencilOp = 4..7,
        zpass_op: StencilOp = 7..10,
        zfail_op: StencilOp = 10..13,
        valuemask: u8 = 13..21,
        writemask: u8 = 21..29,
    }
}

/// CREATE_OBJECT(DSA): `pipe_depth_stencil_alpha_state`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Dsa {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub handle: u32,
    pub depth: DepthState,
    pub alpha_enabled: bool,
    pub alpha_func: CompareFunc,
    #[cfg_attr(test, proptest(strategy = "arb::finite_f32()"))]
    pub alpha_ref: f32,
    /// Front then back face.
    pub stencil: [StencilState; 2],
}

impl Default for Dsa {
    fn default() -> Self {
        Dsa {
            handle: 0,
            depth: DepthState {
                enabled: false,
                writemask: false,
                func: CompareFunc::Always,
            },
            alpha_enabled: false,
            alpha_func: CompareFunc::Always,
            alpha_ref: 0.0,
            stencil: [StencilState::default(); 2],
        }
    }
}

bits! {
    /// `VIRGL_OBJ_DSA_S0`.
    pub(crate) struct DsaS0("s0") for Dsa {
        depth_enabled: bool = 0..1 => (depth.enabled),
        depth_writemask: bool = 1..2 => (depth.writemask),
        depth_func: CompareFunc = 2..5 => (depth.func),
        alpha_enabled: bool = 8..9,
        alpha_func: CompareFunc = 9..12,
    }
}

impl Dsa {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<Dsa> {
        let mut d = Dsa {
            handle: p.u32(1),
            alpha_ref: p.f32(5),
            ..Dsa::default()
        };
        p.unpack::<DsaS0, _>(2, &mut d)?;
        p.unpack::<StencilBits, _>(3, &mut d.stencil[0])?;
        p.unpack::<StencilBits, _>(4, &mut d.stencil[1])?;
        Ok(d)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.push(self.handle);
        w.pack::<DsaS0, _>(self)?;
        for s in &self.stencil {
            w.pack::<StencilBits, _>(s)?;
        }
        w.push(self.alpha_ref.to_bits());
        Ok(())
    }

    pub(crate) fn check(&self) -> Check {
        rules::object_handle(1, self.handle)
    }
}

/// CREATE_OBJECT(RASTERIZER): `pipe_rasterizer_state`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Rasterizer {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub handle: u32,
    pub flatshade: bool,
    pub depth_clip: bool,
    pub clip_halfz: bool,
    pub rasterizer_discard: bool,
    pub flatshade_first: bool,
    pub light_twoside: bool,
    pub sprite_coord_mode: bool,
    pub point_quad_rasterization: bool,
    pub cull_face: CullFace,
    pub fill_front: PolygonMode,
    pub fill_back: PolygonMode,
    pub scissor: bool,
    pub front_ccw: bool,
    pub clamp_vertex_color: bool,
    pub clamp_fragment_color: bool,
    pub offset_line: bool,
    pub offset_point: bool,
    pub offset_tri: bool,
    pub poly_smooth: bool,
    pub poly_stipple_enable: bool,
    pub point_smooth: bool,
    pub point_size_per_vertex: bool,
    pub multisample: bool,
    pub line_smooth: bool,
    pub line_stipple_enable: bool,
    pub line_last_pixel: bool,
    pub half_pixel_center: bool,
    pub bottom_edge_rule: bool,
    pub force_persample_interp: bool,
    #[cfg_attr(test, proptest(strategy = "arb::finite_f32()"))]
    pub point_size: f32,
    pub sprite_coord_enable: u32,
    pub line_stipple_pattern: u16,
    pub line_stipple_factor: u8,
    pub clip_plane_enable: u8,
    #[cfg_attr(test, proptest(strategy = "arb::finite_f32()"))]
    pub line_width: f32,
    #[cfg_attr(test, proptest(strategy = "arb::finite_f32()"))]
    pub offset_units: f32,
    #[cfg_attr(test, proptest(strategy = "arb::finite_f32()"))]
    pub offset_scale: f32,
    #[cfg_attr(test, proptest(strategy = "arb::finite_f32()"))]
    pub offset_clamp: f32,
}

impl Default for Rasterizer {
    /// GL defaults: fill both faces, no culling, depth clip on, half-pixel centres, 1-pixel points and lines.
    fn default() -> Self {
        Rasterizer {
            handle: 0,
            flatshade: false,
            depth_clip: true,
            clip_halfz: false,
            rasterizer_discard: false,
            flatshade_first: false,
            light_twoside: false,
            sprite_coord_mode: false,
            point_quad_rasterization: false,
            cull_face: CullFace::None,
            fill_front: PolygonMode::Fill,
            fill_back: PolygonMode::Fill,
            scissor: false,
            front_ccw: true,
            clamp_vertex_color: false,
            clamp_fragment_color: false,
            offset_line: false,
            offset_point: false,
            offset_tri: false,
            poly_smooth: false,
            poly_stipple_enable: false,
            point_smooth: false,
            point_size_per_vertex: false,
            multisample: false,
            line_smooth: false,
            line_stipple_enable: false,
            line_last_pixel: false,
            half_pixel_center: true,
            bottom_edge_rule: false,
            force_persample_interp: false,
            point_size: 1.0,
            sprite_coord_enable: 0,
            line_stipple_pattern: 0,
            line_stipple_factor: 0,
            clip_plane_enable: 0,
            line_width: 1.0,
            offset_units: 0.0,
            offset_scale: 0.0,
            offset_clamp: 0.0,
        }
    }
}

bits! {
    /// `VIRGL_OBJ_RS_S0`: every bit is assigned.
    pub(crate) struct RasterizerS0("s0") for Rasterizer {
        flatshade: bool = 0..1,
        depth_clip: bool = 1..2,
        clip_halfz: bool = 2..3,
        rasterizer_discard: bool = 3..4,
        flatshade_first: bool = 4..5,
        light_twoside: bool = 5..6,
        sprite_coord_mode: bool = 6..7,
        point_quad_rasterization: bool = 7..8,
        cull_face: CullFace = 8..10,
        fill_front: PolygonMode = 10..12,
        fill_back: PolygonMode = 12..14,
        scissor: bool = 14..15,
        front_ccw: bool = 15..16,
        clamp_vertex_color: bool = 16..17,
        clamp_fragment_color: bool = 17..18,
        offset_line: bool = 18..19,
        offset_point: bool = 19..20,
        offset_tri: bool = 20..21,
        poly_smooth: bool = 21..22,
        poly_stipple_enable: bool = 22..23,
        point_smooth: bool = 23..24,
        point_size_per_vertex: bool = 24..25,
        multisample: bool = 25..26,
        line_smooth: bool = 26..27,
        line_stipple_enable: bool = 27..28,
        line_last_pixel: bool = 28..29,
        half_pixel_center: bool = 29..30,
        bottom_edge_rule: bool = 30..31,
        force_persample_interp: bool = 31..32,
    }
}

bits! {
    /// `VIRGL_OBJ_RS_S3`.
    pub(crate) struct RasterizerS3("s3") for Rasterizer {
        line_stipple_pattern: u16 = 0..16,
        line_stipple_factor: u8 = 16..24,
        clip_plane_enable: u8 = 24..32,
    }
}

impl Rasterizer {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<Rasterizer> {
        let mut r = Rasterizer {
            handle: p.u32(1),
            point_size: p.f32(3),
            sprite_coord_enable: p.u32(4),
            line_width: p.f32(6),
            offset_units: p.f32(7),
            offset_scale: p.f32(8),
            offset_clamp: p.f32(9),
            ..Rasterizer::default()
        };
        p.unpack::<RasterizerS0, _>(2, &mut r)?;
        p.unpack::<RasterizerS3, _>(5, &mut r)?;
        Ok(r)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.push(self.handle);
        w.pack::<RasterizerS0, _>(self)?;
        w.push(self.point_size.to_bits());
        w.push(self.sprite_coord_enable);
        w.pack::<RasterizerS3, _>(self)?;
        w.f32s(&[
            self.line_width,
            self.offset_units,
            self.offset_scale,
            self.offset_clamp,
        ]);
        Ok(())
    }

    pub(crate) fn check(&self) -> Check {
        rules::object_handle(1, self.handle)
    }
}

/// CREATE_OBJECT(SAMPLER_STATE).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct SamplerState {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub handle: u32,
    pub wrap_s: TexWrap,
    pub wrap_t: TexWrap,
    pub wrap_r: TexWrap,
    pub min_img_filter: TexFilter,
    pub min_mip_filter: MipFilter,
    pub mag_img_filter: TexFilter,
    pub compare_mode: TexCompareMode,
    pub compare_func: CompareFunc,
    pub seamless_cube_map: bool,
    /// 5 bits (upstream narrowed it from 6).
    #[cfg_attr(test, proptest(strategy = "0u8..32"))]
    pub max_anisotropy: u8,
    #[cfg_attr(test, proptest(strategy = "arb::finite_f32()"))]
    pub lod_bias: f32,
    #[cfg_attr(test, proptest(strategy = "arb::finite_f32()"))]
    pub min_lod: f32,
    #[cfg_attr(test, proptest(strategy = "arb::finite_f32()"))]
    pub max_lod: f32,
    /// Border colour as raw dwords (float, signed or unsigned by format).
    pub border_color: [u32; 4],
}

impl Default for SamplerState {
    fn default() -> Self {
        SamplerState::nearest(0)
    }
}

impl SamplerState {
    /// Clamp-to-edge, nearest, no mipmaps, no comparison.
    pub fn nearest(handle: u32) -> SamplerState {
        SamplerState {
            handle,
            wrap_s: TexWrap::ClampToEdge,
            wrap_t: TexWrap::ClampToEdge,
            wrap_r: TexWrap::ClampToEdge,
            min_img_filter: TexFilter::Nearest,
            min_mip_filter: MipFilter::None,
            mag_img_filter: TexFilter::Nearest,
            compare_mode: TexCompareMode::None,
            compare_func: CompareFunc::Never,
            seamless_cube_map: false,
            max_anisotropy: 0,
            lod_bias: 0.0,
            min_lod: 0.0,
            max_lod: 0.0,
            border_color: [0; 4],
        }
    }

    pub(crate) fn decode(p: &Payload<'_>) -> Result<SamplerState> {
        let mut s = SamplerState {
            handle: p.u32(1),
            lod_bias: p.f32(3),
            min_lod: p.f32(4),
            max_lod: p.f32(5),
            border_color: [p.u32(6), p.u32(7), p.u32(8), p.u32(9)],
            ..SamplerState::default()
        };
        p.unpack::<SamplerS0, _>(2, &mut s)?;
        Ok(s)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.push(self.handle);
        w.pack::<SamplerS0, _>(self)?;
        w.f32s(&[self.lod_bias, self.min_lod, self.max_lod]);
        w.extend(self.border_color);
        Ok(())
    }

    pub(crate) fn check(&self) -> Check {
        rules::object_handle(1, self.handle)
    }
}

bits! {
    /// `VIRGL_OBJ_SAMPLER_STATE_S0`. The image filters and max_anisotropy used to be one bit
    /// wider; the host reads the narrow fields, so the freed bits are reserved.
    pub(crate) struct SamplerS0("s0") for SamplerState {
        wrap_s: TexWrap = 0..3,
        wrap_t: TexWrap = 3..6,
        wrap_r: TexWrap = 6..9,
        min_img_filter: TexFilter = 9..10,
        min_mip_filter: MipFilter = 11..13,
        mag_img_filter: TexFilter = 13..14,
        compare_mode: TexCompareMode = 15..16,
        compare_func: CompareFunc = 16..19,
        seamless_cube_map: bool = 19..20,
        max_anisotropy: u8 = 20..25,
    }
}

/// A range of array layers, first and last inclusive, packed in one dword.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct LayerRange {
    pub first: u16,
    pub last: u16,
}

impl LayerRange {
    /// Layers `first..=last`.
    pub const fn new(first: u16, last: u16) -> LayerRange {
        LayerRange { first, last }
    }

    /// The layer `n` alone.
    pub const fn single(n: u16) -> LayerRange {
        LayerRange { first: n, last: n }
    }
}

bits! {
    /// First layer in the low half, last in the high half.
    pub(crate) struct LayerBits("layers") for LayerRange {
        first: u16 = 0..16,
        last: u16 = 16..32,
    }
}

/// A range of mip levels, first and last inclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct LevelRange {
    pub first: u8,
    pub last: u8,
}

bits! {
    /// First level in bits 0-7, last in 8-15.
    pub(crate) struct LevelBits("levels") for LevelRange {
        first: u8 = 0..8,
        last: u8 = 8..16,
    }
}

/// The part of a resource a sampler view covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewRange {
    /// Buffer views: an element range.
    Buffer {
        first_element: u32,
        last_element: u32,
    },
    /// Texture views: layer and mip level ranges. Mesa sends a plane index as `layers.first`
    /// (with `layers.last` 0) for views of one plane of a planar resource.
    Texture {
        layers: LayerRange,
        levels: LevelRange,
    },
}

/// `VIRGL_RESOURCE_MAX_PLANES` (`virgl_protocol.h:48`): plane indices stay below it.
const MAX_PLANES: usize = 4;

/// CREATE_OBJECT(SAMPLER_VIEW).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SamplerView {
    pub handle: u32,
    pub resource: u32,
    pub format: Format,
    /// Carried in bits 24-31 of the format dword; it also selects how `range` is packed.
    pub target: TextureTarget,
    pub range: ViewRange,
    /// Swizzle of red, green, blue and alpha.
    pub swizzle: [Swizzle; 4],
}

bits! {
    /// `VIRGL_OBJ_SAMPLER_VIEW_FORMAT`: the format, and the target above it.
    pub(crate) struct ViewFormatBits("format") for SamplerView {
        format: Format = 0..24,
        target: TextureTarget = 24..32,
    }
}

bits! {
    /// `VIRGL_OBJ_SAMPLER_VIEW_SWIZZLE`.
    pub(crate) struct SwizzleBits("swizzle") for SamplerView {
        swizzle_r: Swizzle = 0..3 => (swizzle[0]),
        swizzle_g: Swizzle = 3..6 => (swizzle[1]),
        swizzle_b: Swizzle = 6..9 => (swizzle[2]),
        swizzle_a: Swizzle = 9..12 => (swizzle[3]),
    }
}

impl SamplerView {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<SamplerView> {
        let mut v = SamplerView {
            handle: p.u32(1),
            resource: p.u32(2),
            format: Format::NONE,
            target: TextureTarget::Buffer,
            range: ViewRange::Buffer {
                first_element: p.u32(4),
                last_element: p.u32(5),
            },
            swizzle: [Swizzle::X; 4],
        };
        p.unpack::<ViewFormatBits, _>(3, &mut v)?;
        if v.target != TextureTarget::Buffer {
            v.range = ViewRange::Texture {
                layers: p.unpacked::<LayerBits, _>(4)?,
                levels: p.unpacked::<LevelBits, _>(5)?,
            };
        }
        p.unpack::<SwizzleBits, _>(6, &mut v)?;
        Ok(v)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.extend([self.handle, self.resource]);
        w.pack::<ViewFormatBits, _>(self)?;
        match (self.target, self.range) {
            (
                TextureTarget::Buffer,
                ViewRange::Buffer {
                    first_element,
                    last_element,
                },
            ) => w.extend([first_element, last_element]),
            (TextureTarget::Buffer, _) | (_, ViewRange::Buffer { .. }) => {
                return Err(crate::Error::Unencodable {
                    name: w.name,
                    what: "buffer ranges go with the buffer target, texture ranges with the others",
                })
            }
            (_, ViewRange::Texture { layers, levels }) => {
                w.pack::<LayerBits, _>(&layers)?;
                w.pack::<LevelBits, _>(&levels)?;
            }
        }
        w.pack::<SwizzleBits, _>(self)
    }

    pub(crate) fn check(&self) -> Check {
        rules::object_handle(1, self.handle)?;
        rules::resource("resource", 2, self.resource)?;
        let f = self.format.to_wire();
        ensure(
            self.format != Format::NONE,
            "format",
            3,
            f,
            text::VIEW_FORMAT,
        )?;
        for s in self.swizzle {
            ensure(s != Swizzle::None, "swizzle", 6, s.to_wire(), text::SWIZZLE)?;
        }
        if let ViewRange::Texture { layers, levels } = self.range {
            // Mesa's plane form: a plane index in `first`, 0 in `last`.
            let plane = layers.last == 0 && usize::from(layers.first) < MAX_PLANES;
            let l = u32::from(layers.first) | u32::from(layers.last) << 16;
            ensure(
                plane || layers.first <= layers.last,
                "layers",
                4,
                l,
                text::LAYERS,
            )?;
            let v = u32::from(levels.first) | u32::from(levels.last) << 8;
            ensure(levels.first <= levels.last, "levels", 5, v, text::LEVELS)?;
        }
        Ok(())
    }
}

/// CREATE_OBJECT(SURFACE): a render target or depth view of one level of a texture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Surface {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub handle: u32,
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub resource: u32,
    pub format: Format,
    pub level: u32,
    #[cfg_attr(test, proptest(strategy = "arb::layers()"))]
    pub layers: LayerRange,
}

impl Surface {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<Surface> {
        Ok(Surface {
            handle: p.u32(1),
            resource: p.u32(2),
            format: p.value("format", 3)?,
            level: p.u32(4),
            layers: p.unpacked::<LayerBits, _>(5)?,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.extend([
            self.handle,
            self.resource,
            self.format.to_wire(),
            self.level,
        ]);
        w.pack::<LayerBits, _>(&self.layers)
    }

    pub(crate) fn check(&self) -> Check {
        rules::object_handle(1, self.handle)?;
        rules::resource("resource", 2, self.resource)?;
        let l = self.layers;
        let raw = u32::from(l.first) | u32::from(l.last) << 16;
        ensure(l.first <= l.last, "layers", 5, raw, text::LAYERS)
    }
}

/// CREATE_OBJECT(MSAA_SURFACE): a surface rendered with implicit multisampling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct MsaaSurface {
    pub surface: Surface,
    #[cfg_attr(test, proptest(strategy = "arb::samples(1)"))]
    pub sample_count: u32,
}

impl MsaaSurface {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<MsaaSurface> {
        Ok(MsaaSurface {
            surface: Surface::decode(p)?,
            sample_count: p.u32(6),
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        self.surface.write(w)?;
        w.push(self.sample_count);
        Ok(())
    }

    pub(crate) fn check(&self) -> Check {
        self.surface.check()?;
        let n = self.sample_count;
        ensure(
            valid_samples(n) && n != 0,
            "sample_count",
            6,
            n,
            text::MSAA_SAMPLES,
        )
    }
}

/// Sample counts the host can honour: none, or a power of two up to 16.
pub(crate) fn valid_samples(n: u32) -> bool {
    matches!(n, 0 | 1 | 2 | 4 | 8 | 16)
}

/// One vertex element (`pipe_vertex_element`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct VertexElement {
    pub src_offset: u32,
    pub instance_divisor: u32,
    #[cfg_attr(test, proptest(strategy = "0u32..32"))]
    pub vertex_buffer_index: u32,
    pub src_format: Format,
}

/// CREATE_OBJECT(VERTEX_ELEMENTS).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct VertexElements {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub handle: u32,
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::prelude::any::<VertexElement>(), 0..=limits::MAX_ATTRIBS)"
        )
    )]
    pub elements: Vec<VertexElement>,
}

impl VertexElements {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<VertexElements> {
        let elements = (0..(p.len() - 1) / 4)
            .map(|i| {
                let b = 2 + i * 4;
                Ok(VertexElement {
                    src_offset: p.u32(b),
                    instance_divisor: p.u32(b + 1),
                    vertex_buffer_index: p.u32(b + 2),
                    src_format: p.value("src_format", b + 3)?,
                })
            })
            .collect::<Result<_>>()?;
        Ok(VertexElements {
            handle: p.u32(1),
            elements,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.push(self.handle);
        for e in &self.elements {
            w.extend([
                e.src_offset,
                e.instance_divisor,
                e.vertex_buffer_index,
                e.src_format.to_wire(),
            ]);
        }
        Ok(())
    }

    pub(crate) fn check(&self) -> Check {
        rules::object_handle(1, self.handle)?;
        for (i, e) in self.elements.iter().enumerate() {
            let vbi = e.vertex_buffer_index;
            let ok = (vbi as usize) < limits::MAX_ATTRIBS;
            ensure(
                ok,
                "vertex_buffer_index",
                4 + i * 4,
                vbi,
                text::VERTEX_BUFFER_INDEX,
            )?;
        }
        Ok(())
    }
}

/// One viewport transform.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Viewport {
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::array::uniform3(arb::finite_f32())")
    )]
    pub scale: [f32; 3],
    #[cfg_attr(
        test,
        proptest(strategy = "proptest::array::uniform3(arb::finite_f32())")
    )]
    pub translate: [f32; 3],
}

impl Viewport {
    /// Maps normalized device coordinates onto a `width` × `height` target at the origin,
    /// depth onto 0..1.
    pub fn for_size(width: u32, height: u32) -> Viewport {
        let (w, h) = (width as f32 / 2.0, height as f32 / 2.0);
        Viewport {
            scale: [w, h, 0.5],
            translate: [w, h, 0.5],
        }
    }
}

/// One scissor rectangle (max exclusive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Scissor {
    pub minx: u16,
    pub miny: u16,
    pub maxx: u16,
    pub maxy: u16,
}

bits! {
    /// `VIRGL_SET_SCISSOR_MINX_MINY`.
    pub(crate) struct ScissorMin("minx_miny") for Scissor {
        minx: u16 = 0..16,
        miny: u16 = 16..32,
    }
}

bits! {
    /// `VIRGL_SET_SCISSOR_MAXX_MAXY`.
    pub(crate) struct ScissorMax("maxx_maxy") for Scissor {
        maxx: u16 = 0..16,
        maxy: u16 = 16..32,
    }
}

impl Scissor {
    /// Reads the two dwords at `i`.
    pub(crate) fn decode_at(p: &Payload<'_>, i: usize) -> Result<Scissor> {
        let mut s = Scissor::default();
        p.unpack::<ScissorMin, _>(i, &mut s)?;
        p.unpack::<ScissorMax, _>(i + 1, &mut s)?;
        Ok(s)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.pack::<ScissorMin, _>(self)?;
        w.pack::<ScissorMax, _>(self)
    }
}

/// SET_STENCIL_REF: the front and back reference values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct StencilRef {
    pub front: u8,
    pub back: u8,
}

bits! {
    /// `VIRGL_STENCIL_REF_VAL(f, s)`.
    pub(crate) struct StencilRefBits("ref") for StencilRef {
        front: u8 = 0..8,
        back: u8 = 8..16,
    }
}
