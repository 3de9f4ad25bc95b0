//! The virgl command stream (`VIRGL_CCMD_*`): header packing, typed commands, encoder and decoder.
//!
//! A stream is a sequence of little-endian dwords. Each command is one header dword followed by
//! its payload; the header packs the command id (bits 0-7), the object type for the object
//! commands (bits 8-15) and the payload length in dwords, header excluded (bits 16-31).
//!
//! Field positions below are counted as upstream counts them: dword 0 is the header, so the
//! first payload dword is 1.

use std::borrow::Cow;

use crate::error::{Error, LenRule, Result};
use crate::format::Format;
use crate::pipe::{
    limits, wire_enum, BlendFactor, BlendFunc, CompareFunc, CullFace, LogicOp, MipFilter,
    PolygonMode, PrimMode, ShaderType, StencilOp, Swizzle, TexCompareMode, TexFilter, TexWrap,
    TextureTarget,
};

#[cfg(test)]
use proptest_derive::Arbitrary;

wire_enum! {
    /// `enum virgl_context_cmd`.
    pub enum CommandId {
        Nop = 0,
        CreateObject = 1,
        BindObject = 2,
        DestroyObject = 3,
        SetViewportState = 4,
        SetFramebufferState = 5,
        SetVertexBuffers = 6,
        Clear = 7,
        DrawVbo = 8,
        ResourceInlineWrite = 9,
        SetSamplerViews = 10,
        SetIndexBuffer = 11,
        SetConstantBuffer = 12,
        SetStencilRef = 13,
        SetBlendColor = 14,
        SetScissorState = 15,
        Blit = 16,
        ResourceCopyRegion = 17,
        BindSamplerStates = 18,
        BeginQuery = 19,
        EndQuery = 20,
        GetQueryResult = 21,
        SetPolygonStipple = 22,
        SetClipState = 23,
        SetSampleMask = 24,
        SetStreamoutTargets = 25,
        SetRenderCondition = 26,
        SetUniformBuffer = 27,
        SetSubCtx = 28,
        CreateSubCtx = 29,
        DestroySubCtx = 30,
        BindShader = 31,
        SetTessState = 32,
        SetMinSamples = 33,
        SetShaderBuffers = 34,
        SetShaderImages = 35,
        MemoryBarrier = 36,
        LaunchGrid = 37,
        SetFramebufferStateNoAttach = 38,
        TextureBarrier = 39,
        SetAtomicBuffers = 40,
        SetDebugFlags = 41,
        GetQueryResultQbo = 42,
        Transfer3d = 43,
        EndTransfers = 44,
        CopyTransfer3d = 45,
        SetTweaks = 46,
        ClearTexture = 47,
        PipeResourceCreate = 48,
        PipeResourceSetType = 49,
        GetMemoryInfo = 50,
        SendStringMarker = 51,
        LinkShader = 52,
        CreateVideoCodec = 53,
        DestroyVideoCodec = 54,
        CreateVideoBuffer = 55,
        DestroyVideoBuffer = 56,
        BeginFrame = 57,
        DecodeMacroblock = 58,
        DecodeBitstream = 59,
        EncodeBitstream = 60,
        EndFrame = 61,
        ClearSurface = 62,
        GetPipeResourceLayout = 63,
    }
}

/// `VIRGL_MAX_COMMANDS`: ids at or above this are rejected by the host.
pub const MAX_COMMANDS: u32 = 64;

wire_enum! {
    /// `enum virgl_object_type`: the kinds of object CREATE/BIND/DESTROY_OBJECT manage.
    pub enum ObjectType {
        Blend = 1,
        Rasterizer = 2,
        Dsa = 3,
        Shader = 4,
        VertexElements = 5,
        SamplerView = 6,
        SamplerState = 7,
        Surface = 8,
        Query = 9,
        StreamoutTarget = 10,
        MsaaSurface = 11,
    }
}

/// The largest payload a header can describe (`VIRGL_CMD0_MAX_DWORDS` rounds this down to 65532).
pub const MAX_PAYLOAD_DWORDS: usize = 0xffff;

/// A command header dword, unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Command id, bits 0-7.
    pub id: u8,
    /// Object type, bits 8-15 (0 unless the command manages objects).
    pub object: u8,
    /// Payload length in dwords, header excluded, bits 16-31.
    pub len: u16,
}

impl Header {
    /// Packs the header as `VIRGL_CMD0(id, object, len)` does.
    pub const fn pack(self) -> u32 {
        self.id as u32 | (self.object as u32) << 8 | (self.len as u32) << 16
    }

    /// Splits a header dword into its fields.
    pub const fn unpack(dword: u32) -> Header {
        Header {
            id: dword as u8,
            object: (dword >> 8) as u8,
            len: (dword >> 16) as u16,
        }
    }
}

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

/// Per-render-target blend state.
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

/// CREATE_OBJECT(BLEND): `pipe_blend_state`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Blend {
    pub handle: u32,
    pub independent_blend_enable: bool,
    pub logicop_enable: bool,
    pub dither: bool,
    pub alpha_to_coverage: bool,
    pub alpha_to_one: bool,
    pub logicop_func: LogicOp,
    pub rt: [RtBlend; limits::MAX_COLOR_BUFS],
}

#[allow(clippy::derivable_impls)] // the enum is declared by a macro without Default
impl Default for LogicOp {
    fn default() -> Self {
        LogicOp::Clear
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

/// One face's stencil state inside [`Dsa`].
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

/// CREATE_OBJECT(DSA): `pipe_depth_stencil_alpha_state`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Dsa {
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

/// CREATE_OBJECT(RASTERIZER): `pipe_rasterizer_state`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Rasterizer {
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

/// One stream-output binding of a shader (`pipe_stream_output`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct SoOutput {
    pub register_index: u8,
    #[cfg_attr(test, proptest(strategy = "0u8..4"))]
    pub start_component: u8,
    #[cfg_attr(test, proptest(strategy = "0u8..8"))]
    pub num_components: u8,
    #[cfg_attr(test, proptest(strategy = "0u8..8"))]
    pub output_buffer: u8,
    pub dst_offset: u16,
    #[cfg_attr(test, proptest(strategy = "0u8..4"))]
    pub stream: u8,
}

/// Stream-output layout attached to a shader (`pipe_stream_output_info`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct StreamOutput {
    /// Stride in dwords of each of the four buffers.
    pub stride: [u32; limits::MAX_SO_BUFFERS],
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::prelude::any::<SoOutput>(), 1..=limits::MAX_SO_OUTPUTS)"
        )
    )]
    pub outputs: Vec<SoOutput>,
}

/// Offset word of a shader packet (`VIRGL_OBJ_SHADER_OFFSET`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub enum ShaderOffset {
    /// First packet: the whole text's length in bytes, NUL included.
    Total(#[cfg_attr(test, proptest(strategy = "0u32..0x8000_0000"))] u32),
    /// Continuation packet: bytes of text sent before this packet.
    Continuation(#[cfg_attr(test, proptest(strategy = "0u32..0x8000_0000"))] u32),
}

/// Bit 31 of the offset word marks a continuation packet.
pub const SHADER_OFFSET_CONT: u32 = 1 << 31;

impl ShaderOffset {
    fn to_wire(self) -> u32 {
        match self {
            ShaderOffset::Total(n) => n & !SHADER_OFFSET_CONT,
            ShaderOffset::Continuation(n) => (n & !SHADER_OFFSET_CONT) | SHADER_OFFSET_CONT,
        }
    }

    fn from_wire(v: u32) -> ShaderOffset {
        if v & SHADER_OFFSET_CONT != 0 {
            ShaderOffset::Continuation(v & !SHADER_OFFSET_CONT)
        } else {
            ShaderOffset::Total(v)
        }
    }
}

/// CREATE_OBJECT(SHADER): one packet of TGSI text (long shaders take several).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shader<'a> {
    pub handle: u32,
    pub shader_type: ShaderType,
    pub offset: ShaderOffset,
    /// Token count the host allocates for translating the text.
    pub num_tokens: u32,
    /// Stream-output layout; only for non-compute shaders, and only in the first packet.
    pub stream_output: Option<StreamOutput>,
    /// Shared memory a compute shader needs (dword 5 for compute; always 0 otherwise).
    pub req_local_mem: u32,
    /// This packet's text: whole dwords, the last packet NUL-padded.
    pub text: Dwords<'a>,
}

impl Shader<'_> {
    /// The text of this packet up to its first NUL.
    pub fn text_bytes(&self) -> &[u8] {
        let b = self.text.as_bytes();
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        &b[..end]
    }
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
    pub handle: u32,
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::prelude::any::<VertexElement>(), 0..=limits::MAX_ATTRIBS)"
        )
    )]
    pub elements: Vec<VertexElement>,
}

/// The part of a resource a sampler view covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewRange {
    /// Buffer views: an element range.
    Buffer {
        first_element: u32,
        last_element: u32,
    },
    /// Texture views: layer and mip level ranges.
    Texture {
        first_layer: u16,
        last_layer: u16,
        first_level: u8,
        last_level: u8,
    },
}

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

/// CREATE_OBJECT(SAMPLER_STATE).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct SamplerState {
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
    #[cfg_attr(test, proptest(strategy = "0u8..64"))]
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
}

/// CREATE_OBJECT(SURFACE): a render target or depth view of a resource.
///
/// The wire does not say whether the resource is a buffer; for buffer surfaces `level` carries
/// the first element and the two layer fields pack the last element (see [`Surface::buffer`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Surface {
    pub handle: u32,
    pub resource: u32,
    pub format: Format,
    pub level: u32,
    pub first_layer: u16,
    pub last_layer: u16,
}

impl Surface {
    /// A surface over elements `first..=last` of a buffer resource.
    pub fn buffer(handle: u32, resource: u32, format: Format, first: u32, last: u32) -> Surface {
        Surface {
            handle,
            resource,
            format,
            level: first,
            first_layer: last as u16,
            last_layer: (last >> 16) as u16,
        }
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
    pub index_size: u32,
    pub offset: u32,
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

/// CLEAR.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Clear {
    /// `PIPE_CLEAR_*` bits, see [`crate::pipe::clear`].
    pub buffers: u32,
    /// Colour as raw dwords: floats, or integers for integer formats.
    pub color: [u32; 4],
    #[cfg_attr(test, proptest(strategy = "arb::finite_f64()"))]
    pub depth: f64,
    pub stencil: u32,
}

impl Clear {
    /// Clears colour buffers `buffers` to a float colour.
    pub fn color(buffers: u32, rgba: [f32; 4]) -> Clear {
        Clear {
            buffers,
            color: rgba.map(f32::to_bits),
            depth: 0.0,
            stencil: 0,
        }
    }
}

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
}

/// RESOURCE_INLINE_WRITE: data carried in the stream into a resource region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineWrite<'a> {
    pub resource: u32,
    pub level: u32,
    pub usage: u32,
    pub stride: u32,
    pub layer_stride: u32,
    pub region: Box3,
    /// Whole dwords; the host takes all of them as data.
    pub data: Dwords<'a>,
}

wire_enum! {
    /// Direction of a TRANSFER3D.
    pub enum TransferDirection {
        ToHost = 1,
        FromHost = 2,
    }
}

/// TRANSFER3D: copies between a resource and its guest backing, in the stream's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Transfer3d {
    pub resource: u32,
    pub level: u32,
    pub usage: u32,
    pub stride: u32,
    pub layer_stride: u32,
    pub region: Box3,
    /// Byte offset into the resource's guest backing.
    pub offset: u32,
    pub direction: TransferDirection,
}

/// RESOURCE_COPY_REGION.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct CopyRegion {
    pub dst_resource: u32,
    pub dst_level: u32,
    pub dst_x: u32,
    pub dst_y: u32,
    pub dst_z: u32,
    pub src_resource: u32,
    pub src_level: u32,
    pub src_box: Box3,
}

/// One side of a BLIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct BlitSurface {
    pub resource: u32,
    pub level: u32,
    pub format: Format,
    pub region: Box3,
}

/// BLIT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Blit {
    /// `PIPE_MASK_*` bits, see [`crate::pipe::mask`].
    pub mask: u8,
    pub filter: TexFilter,
    pub scissor_enable: bool,
    pub render_condition_enable: bool,
    pub alpha_blend: bool,
    pub scissor: Scissor,
    pub dst: BlitSurface,
    pub src: BlitSurface,
}

/// CREATE_OBJECT(QUERY).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Query {
    pub handle: u32,
    /// `PIPE_QUERY_*` type (low 16 bits of the type word).
    pub query_type: u16,
    /// Index for indexed queries (high 16 bits of the type word).
    pub index: u16,
    /// Byte offset of the result in `resource`.
    pub offset: u32,
    pub resource: u32,
}

/// CREATE_OBJECT(STREAMOUT_TARGET).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct StreamoutTarget {
    pub handle: u32,
    pub resource: u32,
    pub buffer_offset: u32,
    pub buffer_size: u32,
}

/// CREATE_OBJECT(MSAA_SURFACE): a surface rendered with implicit multisampling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct MsaaSurface {
    pub surface: Surface,
    pub sample_count: u32,
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
    /// `PIPE_IMAGE_ACCESS_*` bits.
    pub access: u32,
    /// First layer (textures) or first element (buffers).
    pub layer_offset: u32,
    /// Level (textures) or size (buffers).
    pub level_size: u32,
    pub resource: u32,
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

/// GET_QUERY_RESULT_QBO: writes a query result into a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct QueryResultQbo {
    pub query: u32,
    pub qbo: u32,
    pub wait: bool,
    /// `PIPE_QUERY_TYPE_*` of the value written.
    pub result_type: u32,
    pub offset: u32,
    /// Which value of the query (-1 for availability).
    pub index: i32,
}

/// The destination half shared by INLINE_WRITE, TRANSFER3D and COPY_TRANSFER3D.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct TransferTarget {
    pub resource: u32,
    pub level: u32,
    pub usage: u32,
    pub stride: u32,
    pub layer_stride: u32,
    pub region: Box3,
}

/// COPY_TRANSFER3D: copies between a staging buffer and a resource on the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct CopyTransfer3d {
    pub dst: TransferTarget,
    pub src_resource: u32,
    pub src_offset: u32,
    /// Bit 0 SYNCHRONIZED, bit 1 READ_FROM_HOST (copy the other way).
    pub flags: u32,
}

/// CLEAR_TEXTURE: clears a box of a texture to a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct ClearTexture {
    pub resource: u32,
    pub level: u32,
    pub region: Box3,
    /// The value as raw dwords, laid out as the format needs.
    pub value: [u32; 4],
}

/// PIPE_RESOURCE_CREATE: describes the resource behind a following HOST3D blob creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct PipeResourceCreate {
    pub target: TextureTarget,
    pub format: Format,
    pub bind: u32,
    pub width: u32,
    pub height: u32,
    pub depth: u32,
    pub array_size: u32,
    pub last_level: u32,
    pub nr_samples: u32,
    pub flags: u32,
    pub blob_id: u32,
}

/// One plane of PIPE_RESOURCE_SET_TYPE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct PlaneLayout {
    pub stride: u32,
    pub offset: u32,
}

/// PIPE_RESOURCE_SET_TYPE: gives an untyped resource its type.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct PipeResourceSetType {
    pub resource: u32,
    pub format: Format,
    pub bind: u32,
    pub width: u32,
    pub height: u32,
    pub usage: u32,
    pub modifier: u64,
    #[cfg_attr(
        test,
        proptest(
            strategy = "proptest::collection::vec(proptest::prelude::any::<PlaneLayout>(), 1..=4)"
        )
    )]
    pub planes: Vec<PlaneLayout>,
}

/// CLEAR_SURFACE: clears a rectangle of one surface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct ClearSurface {
    pub render_condition: bool,
    /// `PIPE_CLEAR_*` bits 0-2 (depth, stencil, colour).
    #[cfg_attr(test, proptest(strategy = "0u8..8"))]
    pub buffers: u8,
    pub surface: u32,
    /// Colour, or depth (f64) and stencil, as raw dwords.
    pub color: [u32; 4],
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// Declares a video command: named leading dwords, then the dwords after them.
macro_rules! video_command {
    ($(#[$meta:meta])* $name:ident [$min:literal] { $($(#[$fmeta:meta])* $field:ident,)* } $(#[$rmeta:meta])* rest) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name<'a> {
            $($(#[$fmeta])* pub $field: u32,)*
            $(#[$rmeta])*
            pub rest: Dwords<'a>,
        }

        impl<'a> $name<'a> {
            /// The shortest payload the host accepts.
            pub const MIN_LEN: u16 = $min;
            const FIELDS: usize = [$(stringify!($field)),*].len();

            fn decode(p: &Payload<'a>) -> Result<Self> {
                p.expect(LenRule::Range { min: $min, max: u16::MAX })?;
                let mut _i = 0;
                $(
                    _i += 1;
                    let $field = p.u32(_i);
                )*
                Ok($name { $($field,)* rest: p.rest(Self::FIELDS + 1) })
            }

            fn write(&self, out: &mut Vec<u32>) -> Result<()> {
                if Self::FIELDS + self.rest.len() < usize::from(Self::MIN_LEN) {
                    return Err(Error::Unencodable {
                        name: stringify!($name),
                        what: "shorter than the host accepts",
                    });
                }
                $(out.push(self.$field);)*
                out.extend(self.rest.iter());
                Ok(())
            }
        }
    };
}

video_command! {
    /// CREATE_VIDEO_CODEC.
    CreateVideoCodec [7] { handle, profile, entrypoint, chroma_format, level, width, height, }
    /// `max_references` (the host defaults to 2 when absent), then anything newer.
    rest
}

impl CreateVideoCodec<'_> {
    /// The reference frame limit, when sent.
    pub fn max_references(&self) -> Option<u32> {
        self.rest.iter().next()
    }
}

video_command! {
    /// DESTROY_VIDEO_CODEC.
    DestroyVideoCodec [1] { handle, }
    /// Unused by the host.
    rest
}

video_command! {
    /// CREATE_VIDEO_BUFFER.
    CreateVideoBuffer [5] {
        handle,
        /// A virgl format number.
        format,
        width,
        height,
    }
    /// The resource handles of the planes (at least one).
    rest
}

video_command! {
    /// DESTROY_VIDEO_BUFFER.
    DestroyVideoBuffer [1] { handle, }
    /// Unused by the host.
    rest
}

video_command! {
    /// BEGIN_FRAME and END_FRAME.
    VideoFrame [2] { codec, target, }
    /// Unused by the host.
    rest
}

video_command! {
    /// DECODE_BITSTREAM.
    DecodeBitstream [5] { codec, target, descriptor, buffer, buffer_size, }
    /// Unused by the host.
    rest
}

video_command! {
    /// ENCODE_BITSTREAM.
    EncodeBitstream [5] { codec, source, destination, descriptor, feedback, }
    /// Unused by the host.
    rest
}

/// A decoded or to-be-encoded command.
#[derive(Clone, Debug, PartialEq)]
pub enum Command<'a> {
    /// NOP with whatever payload it carries.
    Nop(Dwords<'a>),
    CreateBlend(Blend),
    CreateRasterizer(Rasterizer),
    CreateDsa(Dsa),
    CreateShader(Shader<'a>),
    CreateVertexElements(VertexElements),
    CreateSamplerView(SamplerView),
    CreateSamplerState(SamplerState),
    CreateSurface(Surface),
    /// BIND_OBJECT: only blend, DSA, rasterizer and vertex elements are bound this way.
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
    SetStencilRef {
        front: u8,
        back: u8,
    },
    Clear(Clear),
    DrawVbo(DrawVbo),
    ResourceInlineWrite(InlineWrite<'a>),
    Transfer3d(Transfer3d),
    ResourceCopyRegion(CopyRegion),
    Blit(Blit),
    CreateSubCtx(u32),
    SetSubCtx(u32),
    DestroySubCtx(u32),
    CreateQuery(Query),
    CreateStreamoutTarget(StreamoutTarget),
    CreateMsaaSurface(MsaaSurface),
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
    SetRenderCondition {
        query: u32,
        condition: bool,
        mode: u32,
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
    MemoryBarrier(u32),
    LaunchGrid(LaunchGrid),
    SetFramebufferStateNoAttach {
        width: u16,
        height: u16,
        layers: u16,
        samples: u8,
    },
    TextureBarrier(u32),
    SetAtomicBuffers {
        start_slot: u32,
        buffers: Vec<BufferBinding>,
    },
    /// SET_DEBUG_FLAGS: a NUL-terminated flag string in whole dwords.
    SetDebugFlags(Dwords<'a>),
    GetQueryResultQbo(QueryResultQbo),
    /// END_TRANSFERS: closes Mesa's transfer batch; the host ignores the payload, which pads
    /// the batch buffer.
    EndTransfers(Dwords<'a>),
    CopyTransfer3d(CopyTransfer3d),
    SetTweaks {
        id: u32,
        value: u32,
    },
    ClearTexture(ClearTexture),
    PipeResourceCreate(PipeResourceCreate),
    PipeResourceSetType(PipeResourceSetType),
    GetMemoryInfo(u32),
    /// SEND_STRING_MARKER: the string's byte length, then the string in whole dwords.
    SendStringMarker {
        length: u32,
        string: Dwords<'a>,
    },
    /// LINK_SHADER: vertex, fragment, geometry, tess control, tess eval and compute handles.
    LinkShader([u32; 6]),
    CreateVideoCodec(CreateVideoCodec<'a>),
    DestroyVideoCodec(DestroyVideoCodec<'a>),
    CreateVideoBuffer(CreateVideoBuffer<'a>),
    DestroyVideoBuffer(DestroyVideoBuffer<'a>),
    BeginFrame(VideoFrame<'a>),
    /// DECODE_MACROBLOCK: no fixed layout.
    DecodeMacroblock(Dwords<'a>),
    DecodeBitstream(DecodeBitstream<'a>),
    EncodeBitstream(EncodeBitstream<'a>),
    EndFrame(VideoFrame<'a>),
    ClearSurface(ClearSurface),
    GetPipeResourceLayout {
        output: u32,
        target: u32,
    },
}

/// Upstream names, for messages and dumps.
pub fn command_name(id: u8) -> &'static str {
    const NAMES: [&str; 64] = [
        "NOP",
        "CREATE_OBJECT",
        "BIND_OBJECT",
        "DESTROY_OBJECT",
        "SET_VIEWPORT_STATE",
        "SET_FRAMEBUFFER_STATE",
        "SET_VERTEX_BUFFERS",
        "CLEAR",
        "DRAW_VBO",
        "RESOURCE_INLINE_WRITE",
        "SET_SAMPLER_VIEWS",
        "SET_INDEX_BUFFER",
        "SET_CONSTANT_BUFFER",
        "SET_STENCIL_REF",
        "SET_BLEND_COLOR",
        "SET_SCISSOR_STATE",
        "BLIT",
        "RESOURCE_COPY_REGION",
        "BIND_SAMPLER_STATES",
        "BEGIN_QUERY",
        "END_QUERY",
        "GET_QUERY_RESULT",
        "SET_POLYGON_STIPPLE",
        "SET_CLIP_STATE",
        "SET_SAMPLE_MASK",
        "SET_STREAMOUT_TARGETS",
        "SET_RENDER_CONDITION",
        "SET_UNIFORM_BUFFER",
        "SET_SUB_CTX",
        "CREATE_SUB_CTX",
        "DESTROY_SUB_CTX",
        "BIND_SHADER",
        "SET_TESS_STATE",
        "SET_MIN_SAMPLES",
        "SET_SHADER_BUFFERS",
        "SET_SHADER_IMAGES",
        "MEMORY_BARRIER",
        "LAUNCH_GRID",
        "SET_FRAMEBUFFER_STATE_NO_ATTACH",
        "TEXTURE_BARRIER",
        "SET_ATOMIC_BUFFERS",
        "SET_DEBUG_FLAGS",
        "GET_QUERY_RESULT_QBO",
        "TRANSFER3D",
        "END_TRANSFERS",
        "COPY_TRANSFER3D",
        "SET_TWEAKS",
        "CLEAR_TEXTURE",
        "PIPE_RESOURCE_CREATE",
        "PIPE_RESOURCE_SET_TYPE",
        "GET_MEMORY_INFO",
        "SEND_STRING_MARKER",
        "LINK_SHADER",
        "CREATE_VIDEO_CODEC",
        "DESTROY_VIDEO_CODEC",
        "CREATE_VIDEO_BUFFER",
        "DESTROY_VIDEO_BUFFER",
        "BEGIN_FRAME",
        "DECODE_MACROBLOCK",
        "DECODE_BITSTREAM",
        "ENCODE_BITSTREAM",
        "END_FRAME",
        "CLEAR_SURFACE",
        "GET_PIPE_RESOURCE_LAYOUT",
    ];
    NAMES.get(usize::from(id)).copied().unwrap_or("UNKNOWN")
}

// Payload lengths (header excluded), as upstream's `*_SIZE` macros give them.
const BLEND_LEN: u16 = 11;
const DSA_LEN: u16 = 5;
const RASTERIZER_LEN: u16 = 9;
const SAMPLER_VIEW_LEN: u16 = 6;
const SAMPLER_STATE_LEN: u16 = 9;
const SURFACE_LEN: u16 = 5;
const CLEAR_LEN: u16 = 8;
const DRAW_VBO_LEN: u16 = 12;
const DRAW_VBO_TESS_LEN: u16 = 14;
const DRAW_VBO_INDIRECT_LEN: u16 = 20;
const INLINE_WRITE_HDR: u16 = 11;
const TRANSFER3D_LEN: u16 = 13;
const COPY_REGION_LEN: u16 = 13;
const BLIT_LEN: u16 = 21;
const SHADER_HDR: u16 = 5;

impl Command<'_> {
    /// The header's command id and object type.
    pub fn id_and_object(&self) -> (CommandId, u8) {
        use Command as C;
        let obj = |t: ObjectType| t.to_wire() as u8;
        match self {
            C::Nop(_) => (CommandId::Nop, 0),
            C::CreateBlend(_) => (CommandId::CreateObject, obj(ObjectType::Blend)),
            C::CreateRasterizer(_) => (CommandId::CreateObject, obj(ObjectType::Rasterizer)),
            C::CreateDsa(_) => (CommandId::CreateObject, obj(ObjectType::Dsa)),
            C::CreateShader(_) => (CommandId::CreateObject, obj(ObjectType::Shader)),
            C::CreateVertexElements(_) => {
                (CommandId::CreateObject, obj(ObjectType::VertexElements))
            }
            C::CreateSamplerView(_) => (CommandId::CreateObject, obj(ObjectType::SamplerView)),
            C::CreateSamplerState(_) => (CommandId::CreateObject, obj(ObjectType::SamplerState)),
            C::CreateSurface(_) => (CommandId::CreateObject, obj(ObjectType::Surface)),
            C::BindObject { object, .. } => (CommandId::BindObject, obj(*object)),
            C::DestroyObject { object, .. } => (CommandId::DestroyObject, obj(*object)),
            C::BindShader { .. } => (CommandId::BindShader, 0),
            C::SetViewportState { .. } => (CommandId::SetViewportState, 0),
            C::SetFramebufferState { .. } => (CommandId::SetFramebufferState, 0),
            C::SetVertexBuffers(_) => (CommandId::SetVertexBuffers, 0),
            C::SetIndexBuffer { .. } => (CommandId::SetIndexBuffer, 0),
            C::SetConstantBuffer { .. } => (CommandId::SetConstantBuffer, 0),
            C::SetSamplerViews { .. } => (CommandId::SetSamplerViews, 0),
            C::BindSamplerStates { .. } => (CommandId::BindSamplerStates, 0),
            C::SetScissorState { .. } => (CommandId::SetScissorState, 0),
            C::SetBlendColor(_) => (CommandId::SetBlendColor, 0),
            C::SetStencilRef { .. } => (CommandId::SetStencilRef, 0),
            C::Clear(_) => (CommandId::Clear, 0),
            C::DrawVbo(_) => (CommandId::DrawVbo, 0),
            C::ResourceInlineWrite(_) => (CommandId::ResourceInlineWrite, 0),
            C::Transfer3d(_) => (CommandId::Transfer3d, 0),
            C::ResourceCopyRegion(_) => (CommandId::ResourceCopyRegion, 0),
            C::Blit(_) => (CommandId::Blit, 0),
            C::CreateSubCtx(_) => (CommandId::CreateSubCtx, 0),
            C::CreateQuery(_) => (CommandId::CreateObject, obj(ObjectType::Query)),
            C::CreateStreamoutTarget(_) => {
                (CommandId::CreateObject, obj(ObjectType::StreamoutTarget))
            }
            C::CreateMsaaSurface(_) => (CommandId::CreateObject, obj(ObjectType::MsaaSurface)),
            C::BeginQuery(_) => (CommandId::BeginQuery, 0),
            C::EndQuery(_) => (CommandId::EndQuery, 0),
            C::GetQueryResult { .. } => (CommandId::GetQueryResult, 0),
            C::SetPolygonStipple(_) => (CommandId::SetPolygonStipple, 0),
            C::SetClipState(_) => (CommandId::SetClipState, 0),
            C::SetSampleMask(_) => (CommandId::SetSampleMask, 0),
            C::SetStreamoutTargets { .. } => (CommandId::SetStreamoutTargets, 0),
            C::SetRenderCondition { .. } => (CommandId::SetRenderCondition, 0),
            C::SetUniformBuffer { .. } => (CommandId::SetUniformBuffer, 0),
            C::SetTessState { .. } => (CommandId::SetTessState, 0),
            C::SetMinSamples(_) => (CommandId::SetMinSamples, 0),
            C::SetShaderBuffers { .. } => (CommandId::SetShaderBuffers, 0),
            C::SetShaderImages { .. } => (CommandId::SetShaderImages, 0),
            C::MemoryBarrier(_) => (CommandId::MemoryBarrier, 0),
            C::LaunchGrid(_) => (CommandId::LaunchGrid, 0),
            C::SetFramebufferStateNoAttach { .. } => (CommandId::SetFramebufferStateNoAttach, 0),
            C::TextureBarrier(_) => (CommandId::TextureBarrier, 0),
            C::SetAtomicBuffers { .. } => (CommandId::SetAtomicBuffers, 0),
            C::SetDebugFlags(_) => (CommandId::SetDebugFlags, 0),
            C::GetQueryResultQbo(_) => (CommandId::GetQueryResultQbo, 0),
            C::EndTransfers(_) => (CommandId::EndTransfers, 0),
            C::CopyTransfer3d(_) => (CommandId::CopyTransfer3d, 0),
            C::SetTweaks { .. } => (CommandId::SetTweaks, 0),
            C::ClearTexture(_) => (CommandId::ClearTexture, 0),
            C::PipeResourceCreate(_) => (CommandId::PipeResourceCreate, 0),
            C::PipeResourceSetType(_) => (CommandId::PipeResourceSetType, 0),
            C::GetMemoryInfo(_) => (CommandId::GetMemoryInfo, 0),
            C::SendStringMarker { .. } => (CommandId::SendStringMarker, 0),
            C::LinkShader(_) => (CommandId::LinkShader, 0),
            C::CreateVideoCodec(_) => (CommandId::CreateVideoCodec, 0),
            C::DestroyVideoCodec(_) => (CommandId::DestroyVideoCodec, 0),
            C::CreateVideoBuffer(_) => (CommandId::CreateVideoBuffer, 0),
            C::DestroyVideoBuffer(_) => (CommandId::DestroyVideoBuffer, 0),
            C::BeginFrame(_) => (CommandId::BeginFrame, 0),
            C::DecodeMacroblock(_) => (CommandId::DecodeMacroblock, 0),
            C::DecodeBitstream(_) => (CommandId::DecodeBitstream, 0),
            C::EncodeBitstream(_) => (CommandId::EncodeBitstream, 0),
            C::EndFrame(_) => (CommandId::EndFrame, 0),
            C::ClearSurface(_) => (CommandId::ClearSurface, 0),
            C::GetPipeResourceLayout { .. } => (CommandId::GetPipeResourceLayout, 0),
            C::SetSubCtx(_) => (CommandId::SetSubCtx, 0),
            C::DestroySubCtx(_) => (CommandId::DestroySubCtx, 0),
        }
    }

    /// The upstream name of this command (object commands name their object type).
    pub fn name(&self) -> &'static str {
        let (id, _) = self.id_and_object();
        command_name(id.to_wire() as u8)
    }

    /// Appends the header and payload to `out`; returns the dwords written.
    pub fn encode(&self, out: &mut Vec<u32>) -> Result<usize> {
        let start = out.len();
        out.push(0);
        self.write_payload(out)?;
        let len = out.len() - start - 1;
        if len > MAX_PAYLOAD_DWORDS {
            out.truncate(start);
            return Err(Error::TooLong {
                name: self.name(),
                dwords: len,
            });
        }
        let (id, object) = self.id_and_object();
        out[start] = Header {
            id: id.to_wire() as u8,
            object,
            len: len as u16,
        }
        .pack();
        Ok(len + 1)
    }

    fn write_payload(&self, out: &mut Vec<u32>) -> Result<()> {
        use Command as C;
        match self {
            C::Nop(d) => out.extend(d.iter()),
            C::CreateBlend(b) => {
                out.push(b.handle);
                out.push(
                    u32::from(b.independent_blend_enable)
                        | u32::from(b.logicop_enable) << 1
                        | u32::from(b.dither) << 2
                        | u32::from(b.alpha_to_coverage) << 3
                        | u32::from(b.alpha_to_one) << 4,
                );
                out.push(b.logicop_func.to_wire());
                for rt in &b.rt {
                    out.push(
                        u32::from(rt.blend_enable)
                            | rt.rgb_func.to_wire() << 1
                            | rt.rgb_src_factor.to_wire() << 4
                            | rt.rgb_dst_factor.to_wire() << 9
                            | rt.alpha_func.to_wire() << 14
                            | rt.alpha_src_factor.to_wire() << 17
                            | rt.alpha_dst_factor.to_wire() << 22
                            | u32::from(rt.colormask & 0xf) << 27,
                    );
                }
            }
            C::CreateRasterizer(r) => {
                out.push(r.handle);
                let flags = [
                    (r.flatshade, 0),
                    (r.depth_clip, 1),
                    (r.clip_halfz, 2),
                    (r.rasterizer_discard, 3),
                    (r.flatshade_first, 4),
                    (r.light_twoside, 5),
                    (r.sprite_coord_mode, 6),
                    (r.point_quad_rasterization, 7),
                    (r.scissor, 14),
                    (r.front_ccw, 15),
                    (r.clamp_vertex_color, 16),
                    (r.clamp_fragment_color, 17),
                    (r.offset_line, 18),
                    (r.offset_point, 19),
                    (r.offset_tri, 20),
                    (r.poly_smooth, 21),
                    (r.poly_stipple_enable, 22),
                    (r.point_smooth, 23),
                    (r.point_size_per_vertex, 24),
                    (r.multisample, 25),
                    (r.line_smooth, 26),
                    (r.line_stipple_enable, 27),
                    (r.line_last_pixel, 28),
                    (r.half_pixel_center, 29),
                    (r.bottom_edge_rule, 30),
                    (r.force_persample_interp, 31),
                ];
                let s0 = flags
                    .iter()
                    .fold(0u32, |acc, &(on, bit)| acc | u32::from(on) << bit)
                    | r.cull_face.to_wire() << 8
                    | r.fill_front.to_wire() << 10
                    | r.fill_back.to_wire() << 12;
                out.push(s0);
                out.push(r.point_size.to_bits());
                out.push(r.sprite_coord_enable);
                out.push(
                    u32::from(r.line_stipple_pattern)
                        | u32::from(r.line_stipple_factor) << 16
                        | u32::from(r.clip_plane_enable) << 24,
                );
                out.extend(
                    [r.line_width, r.offset_units, r.offset_scale, r.offset_clamp]
                        .map(f32::to_bits),
                );
            }
            C::CreateDsa(d) => {
                out.push(d.handle);
                out.push(
                    u32::from(d.depth.enabled)
                        | u32::from(d.depth.writemask) << 1
                        | d.depth.func.to_wire() << 2
                        | u32::from(d.alpha_enabled) << 8
                        | d.alpha_func.to_wire() << 9,
                );
                for s in &d.stencil {
                    out.push(
                        u32::from(s.enabled)
                            | s.func.to_wire() << 1
                            | s.fail_op.to_wire() << 4
                            | s.zpass_op.to_wire() << 7
                            | s.zfail_op.to_wire() << 10
                            | u32::from(s.valuemask) << 13
                            | u32::from(s.writemask) << 21,
                    );
                }
                out.push(d.alpha_ref.to_bits());
            }
            C::CreateShader(s) => {
                let compute = s.shader_type == ShaderType::Compute;
                if compute && s.stream_output.is_some() {
                    return Err(Error::Unencodable {
                        name: "CREATE_OBJECT(SHADER)",
                        what: "compute shaders cannot carry stream output",
                    });
                }
                if !compute && s.req_local_mem != 0 {
                    return Err(Error::Unencodable {
                        name: "CREATE_OBJECT(SHADER)",
                        what: "req_local_mem is only for compute shaders",
                    });
                }
                out.extend([
                    s.handle,
                    s.shader_type.to_wire(),
                    s.offset.to_wire(),
                    s.num_tokens,
                ]);
                match &s.stream_output {
                    _ if compute => out.push(s.req_local_mem),
                    None => out.push(0),
                    Some(so) => {
                        if so.outputs.is_empty() || so.outputs.len() > limits::MAX_SO_OUTPUTS {
                            return Err(Error::Unencodable {
                                name: "CREATE_OBJECT(SHADER)",
                                what: "stream output needs 1..=64 outputs",
                            });
                        }
                        out.push(so.outputs.len() as u32);
                        out.extend(so.stride);
                        for o in &so.outputs {
                            out.push(
                                u32::from(o.register_index)
                                    | u32::from(o.start_component & 3) << 8
                                    | u32::from(o.num_components & 7) << 10
                                    | u32::from(o.output_buffer & 7) << 13
                                    | u32::from(o.dst_offset) << 16,
                            );
                            out.push(u32::from(o.stream & 3));
                        }
                    }
                }
                out.extend(s.text.iter());
            }
            C::CreateVertexElements(v) => {
                check_count(
                    "CREATE_OBJECT(VERTEX_ELEMENTS)",
                    v.elements.len(),
                    limits::MAX_ATTRIBS,
                )?;
                out.push(v.handle);
                for e in &v.elements {
                    out.extend([
                        e.src_offset,
                        e.instance_divisor,
                        e.vertex_buffer_index,
                        e.src_format.to_wire(),
                    ]);
                }
            }
            C::CreateSamplerView(v) => {
                out.extend([
                    v.handle,
                    v.resource,
                    v.format.to_wire() | v.target.to_wire() << 24,
                ]);
                match v.range {
                    ViewRange::Buffer {
                        first_element,
                        last_element,
                    } => out.extend([first_element, last_element]),
                    ViewRange::Texture {
                        first_layer,
                        last_layer,
                        first_level,
                        last_level,
                    } => out.extend([
                        u32::from(first_layer) | u32::from(last_layer) << 16,
                        u32::from(first_level) | u32::from(last_level) << 8,
                    ]),
                }
                let [r, g, b, a] = v.swizzle.map(Swizzle::to_wire);
                out.push(r | g << 3 | b << 6 | a << 9);
            }
            C::CreateSamplerState(s) => {
                out.push(s.handle);
                out.push(
                    s.wrap_s.to_wire()
                        | s.wrap_t.to_wire() << 3
                        | s.wrap_r.to_wire() << 6
                        | s.min_img_filter.to_wire() << 9
                        | s.min_mip_filter.to_wire() << 11
                        | s.mag_img_filter.to_wire() << 13
                        | s.compare_mode.to_wire() << 15
                        | s.compare_func.to_wire() << 16
                        | u32::from(s.seamless_cube_map) << 19
                        | u32::from(s.max_anisotropy & 0x3f) << 20,
                );
                out.extend([s.lod_bias, s.min_lod, s.max_lod].map(f32::to_bits));
                out.extend(s.border_color);
            }
            C::CreateSurface(s) => out.extend([
                s.handle,
                s.resource,
                s.format.to_wire(),
                s.level,
                u32::from(s.first_layer) | u32::from(s.last_layer) << 16,
            ]),
            C::BindObject { handle, .. } | C::DestroyObject { handle, .. } => out.push(*handle),
            C::BindShader {
                handle,
                shader_type,
            } => out.extend([*handle, shader_type.to_wire()]),
            C::SetViewportState {
                start_slot,
                viewports,
            } => {
                check_count("SET_VIEWPORT_STATE", viewports.len(), limits::MAX_VIEWPORTS)?;
                out.push(*start_slot);
                for v in viewports {
                    out.extend(v.scale.map(f32::to_bits));
                    out.extend(v.translate.map(f32::to_bits));
                }
            }
            C::SetFramebufferState { zsurf, cbufs } => {
                check_count("SET_FRAMEBUFFER_STATE", cbufs.len(), limits::MAX_COLOR_BUFS)?;
                out.extend([cbufs.len() as u32, *zsurf]);
                out.extend(cbufs);
            }
            C::SetVertexBuffers(vbs) => {
                check_count("SET_VERTEX_BUFFERS", vbs.len(), limits::MAX_VERTEX_BUFFERS)?;
                for vb in vbs {
                    out.extend([vb.stride, vb.offset, vb.resource]);
                }
            }
            C::SetIndexBuffer { resource, layout } => {
                out.push(*resource);
                if let Some(l) = layout {
                    out.extend([l.index_size, l.offset]);
                }
            }
            C::SetConstantBuffer {
                shader_type,
                index,
                data,
            } => {
                out.extend([shader_type.to_wire(), *index]);
                out.extend(data.iter());
            }
            C::SetSamplerViews {
                shader_type,
                start_slot,
                views,
            } => {
                check_count(
                    "SET_SAMPLER_VIEWS",
                    views.len(),
                    limits::MAX_SHADER_SAMPLER_VIEWS,
                )?;
                out.extend([shader_type.to_wire(), *start_slot]);
                out.extend(views);
            }
            C::BindSamplerStates {
                shader_type,
                start_slot,
                states,
            } => {
                check_count("BIND_SAMPLER_STATES", states.len(), limits::MAX_SAMPLERS)?;
                out.extend([shader_type.to_wire(), *start_slot]);
                out.extend(states);
            }
            C::SetScissorState {
                start_slot,
                scissors,
            } => {
                check_count("SET_SCISSOR_STATE", scissors.len(), limits::MAX_VIEWPORTS)?;
                out.push(*start_slot);
                for s in scissors {
                    out.extend(pack_scissor(s));
                }
            }
            C::SetBlendColor(c) => out.extend(c.map(f32::to_bits)),
            C::SetStencilRef { front, back } => out.push(u32::from(*front) | u32::from(*back) << 8),
            C::Clear(c) => {
                out.push(c.buffers);
                out.extend(c.color);
                let d = c.depth.to_bits();
                out.extend([d as u32, (d >> 32) as u32, c.stencil]);
            }
            C::DrawVbo(d) => {
                out.extend([
                    d.start,
                    d.count,
                    d.mode.to_wire(),
                    u32::from(d.indexed),
                    d.instance_count,
                    d.index_bias as u32,
                    d.start_instance,
                    u32::from(d.primitive_restart),
                    d.restart_index,
                    d.min_index,
                    d.max_index,
                    d.count_from_so,
                ]);
                match d.extra {
                    DrawExtra::None => {}
                    DrawExtra::Tess(t) => out.extend([t.vertices_per_patch, t.drawid]),
                    DrawExtra::Indirect(t, i) => out.extend([
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
            C::ResourceInlineWrite(w) => {
                out.extend([w.resource, w.level, w.usage, w.stride, w.layer_stride]);
                out.extend(box_dwords(&w.region));
                out.extend(w.data.iter());
            }
            C::Transfer3d(t) => {
                out.extend([t.resource, t.level, t.usage, t.stride, t.layer_stride]);
                out.extend(box_dwords(&t.region));
                out.extend([t.offset, t.direction.to_wire()]);
            }
            C::ResourceCopyRegion(c) => {
                out.extend([
                    c.dst_resource,
                    c.dst_level,
                    c.dst_x,
                    c.dst_y,
                    c.dst_z,
                    c.src_resource,
                    c.src_level,
                ]);
                out.extend(box_dwords(&c.src_box));
            }
            C::Blit(b) => {
                out.push(
                    u32::from(b.mask)
                        | b.filter.to_wire() << 8
                        | u32::from(b.scissor_enable) << 10
                        | u32::from(b.render_condition_enable) << 11
                        | u32::from(b.alpha_blend) << 12,
                );
                out.extend(pack_scissor(&b.scissor));
                for s in [&b.dst, &b.src] {
                    out.extend([s.resource, s.level, s.format.to_wire()]);
                    out.extend(box_dwords(&s.region));
                }
            }
            C::CreateSubCtx(id) | C::SetSubCtx(id) | C::DestroySubCtx(id) => out.push(*id),
            C::CreateQuery(q) => out.extend([
                q.handle,
                u32::from(q.query_type) | u32::from(q.index) << 16,
                q.offset,
                q.resource,
            ]),
            C::CreateStreamoutTarget(t) => {
                out.extend([t.handle, t.resource, t.buffer_offset, t.buffer_size])
            }
            C::CreateMsaaSurface(m) => {
                let s = &m.surface;
                out.extend([
                    s.handle,
                    s.resource,
                    s.format.to_wire(),
                    s.level,
                    u32::from(s.first_layer) | u32::from(s.last_layer) << 16,
                    m.sample_count,
                ]);
            }
            C::BeginQuery(h) | C::EndQuery(h) => out.push(*h),
            C::GetQueryResult { query, wait } => out.extend([*query, u32::from(*wait)]),
            C::SetPolygonStipple(rows) => out.extend(rows),
            C::SetClipState(planes) => out.extend(planes.iter().flatten().map(|f| f.to_bits())),
            C::SetSampleMask(v)
            | C::SetMinSamples(v)
            | C::MemoryBarrier(v)
            | C::TextureBarrier(v)
            | C::GetMemoryInfo(v) => out.push(*v),
            C::SetStreamoutTargets {
                append_bitmask,
                targets,
            } => {
                check_count("SET_STREAMOUT_TARGETS", targets.len(), MAX_SO_TARGETS)?;
                out.push(*append_bitmask);
                out.extend(targets);
            }
            C::SetRenderCondition {
                query,
                condition,
                mode,
            } => out.extend([*query, u32::from(*condition), *mode]),
            C::SetUniformBuffer {
                shader_type,
                index,
                offset,
                length,
                resource,
            } => out.extend([shader_type.to_wire(), *index, *offset, *length, *resource]),
            C::SetTessState { outer, inner } => {
                out.extend(outer.map(f32::to_bits));
                out.extend(inner.map(f32::to_bits));
            }
            C::SetShaderBuffers {
                shader_type,
                start_slot,
                buffers,
            } => {
                check_count("SET_SHADER_BUFFERS", buffers.len(), MAX_SHADER_BUFFERS)?;
                out.extend([shader_type.to_wire(), *start_slot]);
                for b in buffers {
                    out.extend([b.offset, b.length, b.resource]);
                }
            }
            C::SetShaderImages {
                shader_type,
                start_slot,
                images,
            } => {
                check_count("SET_SHADER_IMAGES", images.len(), MAX_SHADER_IMAGES)?;
                out.extend([shader_type.to_wire(), *start_slot]);
                for i in images {
                    out.extend([
                        i.format.to_wire(),
                        i.access,
                        i.layer_offset,
                        i.level_size,
                        i.resource,
                    ]);
                }
            }
            C::LaunchGrid(g) => {
                out.extend(g.block);
                out.extend(g.grid);
                out.extend([g.indirect_resource, g.indirect_offset]);
            }
            C::SetFramebufferStateNoAttach {
                width,
                height,
                layers,
                samples,
            } => out.extend([
                u32::from(*width) | u32::from(*height) << 16,
                u32::from(*layers) | u32::from(*samples) << 16,
            ]),
            C::SetAtomicBuffers {
                start_slot,
                buffers,
            } => {
                check_count("SET_ATOMIC_BUFFERS", buffers.len(), MAX_SHADER_BUFFERS)?;
                out.push(*start_slot);
                for b in buffers {
                    out.extend([b.offset, b.length, b.resource]);
                }
            }
            C::SetDebugFlags(d) => out.extend(d.iter()),
            C::GetQueryResultQbo(q) => out.extend([
                q.query,
                q.qbo,
                u32::from(q.wait),
                q.result_type,
                q.offset,
                q.index as u32,
            ]),
            C::EndTransfers(d) => out.extend(d.iter()),
            C::CopyTransfer3d(c) => {
                write_target(out, &c.dst);
                out.extend([c.src_resource, c.src_offset, c.flags]);
            }
            C::SetTweaks { id, value } => out.extend([*id, *value]),
            C::ClearTexture(c) => {
                out.extend([c.resource, c.level]);
                out.extend(box_dwords(&c.region));
                out.extend(c.value);
            }
            C::PipeResourceCreate(r) => out.extend([
                r.target.to_wire(),
                r.format.to_wire(),
                r.bind,
                r.width,
                r.height,
                r.depth,
                r.array_size,
                r.last_level,
                r.nr_samples,
                r.flags,
                r.blob_id,
            ]),
            C::PipeResourceSetType(t) => {
                if t.planes.is_empty() || t.planes.len() > 4 {
                    return Err(Error::Unencodable {
                        name: "PIPE_RESOURCE_SET_TYPE",
                        what: "needs 1..=4 planes",
                    });
                }
                out.extend([
                    t.resource,
                    t.format.to_wire(),
                    t.bind,
                    t.width,
                    t.height,
                    t.usage,
                    t.modifier as u32,
                    (t.modifier >> 32) as u32,
                ]);
                for pl in &t.planes {
                    out.extend([pl.stride, pl.offset]);
                }
            }
            C::SendStringMarker { length, string } => {
                out.push(*length);
                out.extend(string.iter());
            }
            C::LinkShader(h) => out.extend(h),
            C::CreateVideoCodec(v) => v.write(out)?,
            C::DestroyVideoCodec(v) => v.write(out)?,
            C::CreateVideoBuffer(v) => v.write(out)?,
            C::DestroyVideoBuffer(v) => v.write(out)?,
            C::BeginFrame(v) | C::EndFrame(v) => v.write(out)?,
            C::DecodeMacroblock(d) => out.extend(d.iter()),
            C::DecodeBitstream(v) => v.write(out)?,
            C::EncodeBitstream(v) => v.write(out)?,
            C::ClearSurface(c) => {
                out.push(u32::from(c.render_condition) | u32::from(c.buffers & 7) << 1);
                out.push(c.surface);
                out.extend(c.color);
                out.extend([c.x, c.y, c.width, c.height]);
            }
            C::GetPipeResourceLayout { output, target } => out.extend([*output, *target]),
        }
        Ok(())
    }
}

/// Upstream bounds for the variable-length commands.
const MAX_SO_TARGETS: usize = 16;
const MAX_SHADER_BUFFERS: usize = 32;
const MAX_SHADER_IMAGES: usize = 32;

fn write_target(out: &mut Vec<u32>, t: &TransferTarget) {
    out.extend([t.resource, t.level, t.usage, t.stride, t.layer_stride]);
    out.extend(box_dwords(&t.region));
}

fn check_count(name: &'static str, n: usize, max: usize) -> Result<()> {
    if n > max {
        return Err(Error::Unencodable {
            name,
            what: "more entries than the protocol allows",
        });
    }
    Ok(())
}

fn pack_scissor(s: &Scissor) -> [u32; 2] {
    [
        u32::from(s.minx) | u32::from(s.miny) << 16,
        u32::from(s.maxx) | u32::from(s.maxy) << 16,
    ]
}

fn box_dwords(b: &Box3) -> [u32; 6] {
    [b.x, b.y, b.z, b.w, b.h, b.d]
}

/// Encodes `commands` into a fresh dword vector.
pub fn encode_all<'a>(commands: impl IntoIterator<Item = &'a Command<'a>>) -> Result<Vec<u32>> {
    let mut out = Vec::new();
    for c in commands {
        c.encode(&mut out)?;
    }
    Ok(out)
}

/// The payload of one command, with its position for error messages.
struct Payload<'a> {
    bytes: &'a [u8],
    index: usize,
    offset: usize,
    header: Header,
    name: &'static str,
}

impl<'a> Payload<'a> {
    fn len(&self) -> u16 {
        self.header.len
    }

    /// Dword `i` counted from the header (so payload dwords are 1..=len).
    fn u32(&self, i: usize) -> u32 {
        let b = &self.bytes[(i - 1) * 4..i * 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    fn f32(&self, i: usize) -> f32 {
        f32::from_bits(self.u32(i))
    }

    /// Dwords `i..=len` as a borrowed run.
    fn rest(&self, i: usize) -> Dwords<'a> {
        Dwords(Cow::Borrowed(&self.bytes[(i - 1) * 4..]))
    }

    fn dwords(&self, i: usize, n: usize) -> impl Iterator<Item = u32> + '_ {
        (i..i + n).map(|k| self.u32(k))
    }

    fn expect(&self, rule: LenRule) -> Result<()> {
        if rule.allows(self.len()) {
            Ok(())
        } else {
            Err(Error::BadLength {
                index: self.index,
                offset: self.offset,
                id: self.header.id,
                name: self.name,
                expected: rule,
                actual: self.len(),
            })
        }
    }

    fn invalid(&self, field: &'static str, i: usize, value: u32) -> Error {
        Error::InvalidField {
            index: self.index,
            offset: self.offset,
            name: self.name,
            field,
            field_offset: self.offset + i,
            value,
        }
    }

    /// Decodes an enum field of `width` bits at bit `lo` of dword `i`.
    fn field<T>(
        &self,
        field: &'static str,
        i: usize,
        lo: u32,
        width: u32,
        conv: fn(u32) -> Option<T>,
    ) -> Result<T> {
        let v = bits(self.u32(i), lo, width);
        conv(v).ok_or_else(|| self.invalid(field, i, v))
    }

    /// A whole dword that must be 0 or 1.
    fn bool(&self, field: &'static str, i: usize) -> Result<bool> {
        match self.u32(i) {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(self.invalid(field, i, v)),
        }
    }

    fn format(&self, field: &'static str, i: usize, lo: u32, width: u32) -> Result<Format> {
        self.field(field, i, lo, width, Format::from_wire)
    }

    fn shader_type(&self, i: usize) -> Result<ShaderType> {
        self.field("shader_type", i, 0, 32, ShaderType::from_wire)
    }

    fn region(&self, i: usize) -> Box3 {
        Box3 {
            x: self.u32(i),
            y: self.u32(i + 1),
            z: self.u32(i + 2),
            w: self.u32(i + 3),
            h: self.u32(i + 4),
            d: self.u32(i + 5),
        }
    }

    fn scissor(&self, i: usize) -> Scissor {
        let (a, b) = (self.u32(i), self.u32(i + 1));
        Scissor {
            minx: a as u16,
            miny: (a >> 16) as u16,
            maxx: b as u16,
            maxy: (b >> 16) as u16,
        }
    }
}

const fn bits(v: u32, lo: u32, width: u32) -> u32 {
    if width >= 32 {
        v >> lo
    } else {
        (v >> lo) & ((1 << width) - 1)
    }
}

const fn bit(v: u32, b: u32) -> bool {
    v >> b & 1 != 0
}

fn decode_command<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    use Command as C;
    let id = CommandId::from_wire(u32::from(p.header.id)).ok_or(Error::UnknownCommand {
        index: p.index,
        offset: p.offset,
        id: p.header.id,
    })?;
    let object = || {
        ObjectType::from_wire(u32::from(p.header.object)).ok_or(Error::BadObjectType {
            index: p.index,
            offset: p.offset,
            id: p.header.id,
            name: p.name,
            object: p.header.object,
        })
    };
    let bad_object = || Error::BadObjectType {
        index: p.index,
        offset: p.offset,
        id: p.header.id,
        name: p.name,
        object: p.header.object,
    };
    let exact = |n| p.expect(LenRule::Exact(n));
    Ok(match id {
        CommandId::Nop => C::Nop(p.rest(1)),
        CommandId::CreateObject => match object()? {
            ObjectType::Blend => C::CreateBlend(decode_blend(p)?),
            ObjectType::Rasterizer => C::CreateRasterizer(decode_rasterizer(p)?),
            ObjectType::Dsa => C::CreateDsa(decode_dsa(p)?),
            ObjectType::Shader => C::CreateShader(decode_shader(p)?),
            ObjectType::VertexElements => C::CreateVertexElements(decode_vertex_elements(p)?),
            ObjectType::SamplerView => C::CreateSamplerView(decode_sampler_view(p)?),
            ObjectType::SamplerState => C::CreateSamplerState(decode_sampler_state(p)?),
            ObjectType::Surface => {
                exact(SURFACE_LEN)?;
                C::CreateSurface(Surface {
                    handle: p.u32(1),
                    resource: p.u32(2),
                    format: p.format("format", 3, 0, 32)?,
                    level: p.u32(4),
                    first_layer: p.u32(5) as u16,
                    last_layer: (p.u32(5) >> 16) as u16,
                })
            }
            ObjectType::Query => {
                exact(4)?;
                let tw = p.u32(2);
                C::CreateQuery(Query {
                    handle: p.u32(1),
                    query_type: tw as u16,
                    index: (tw >> 16) as u16,
                    offset: p.u32(3),
                    resource: p.u32(4),
                })
            }
            ObjectType::StreamoutTarget => {
                exact(4)?;
                C::CreateStreamoutTarget(StreamoutTarget {
                    handle: p.u32(1),
                    resource: p.u32(2),
                    buffer_offset: p.u32(3),
                    buffer_size: p.u32(4),
                })
            }
            ObjectType::MsaaSurface => {
                exact(6)?;
                C::CreateMsaaSurface(MsaaSurface {
                    surface: Surface {
                        handle: p.u32(1),
                        resource: p.u32(2),
                        format: p.format("format", 3, 0, 32)?,
                        level: p.u32(4),
                        first_layer: p.u32(5) as u16,
                        last_layer: (p.u32(5) >> 16) as u16,
                    },
                    sample_count: p.u32(6),
                })
            }
        },
        CommandId::BindObject => {
            exact(1)?;
            let object = object()?;
            if !matches!(
                object,
                ObjectType::Blend
                    | ObjectType::Dsa
                    | ObjectType::Rasterizer
                    | ObjectType::VertexElements
            ) {
                return Err(bad_object());
            }
            C::BindObject {
                object,
                handle: p.u32(1),
            }
        }
        CommandId::DestroyObject => {
            exact(1)?;
            C::DestroyObject {
                object: object()?,
                handle: p.u32(1),
            }
        }
        CommandId::BindShader => {
            exact(2)?;
            C::BindShader {
                handle: p.u32(1),
                shader_type: p.shader_type(2)?,
            }
        }
        CommandId::SetViewportState => {
            p.expect(LenRule::Repeated {
                base: 1,
                step: 6,
                min_n: 0,
                max_n: limits::MAX_VIEWPORTS as u16,
            })?;
            let n = usize::from(p.len() - 1) / 6;
            C::SetViewportState {
                start_slot: p.u32(1),
                viewports: (0..n)
                    .map(|v| {
                        let b = 2 + v * 6;
                        Viewport {
                            scale: [p.f32(b), p.f32(b + 1), p.f32(b + 2)],
                            translate: [p.f32(b + 3), p.f32(b + 4), p.f32(b + 5)],
                        }
                    })
                    .collect(),
            }
        }
        CommandId::SetFramebufferState => {
            p.expect(LenRule::Range {
                min: 2,
                max: 2 + limits::MAX_COLOR_BUFS as u16,
            })?;
            let n = p.u32(1);
            if n as usize != usize::from(p.len()) - 2 {
                return Err(p.invalid("nr_cbufs", 1, n));
            }
            C::SetFramebufferState {
                zsurf: p.u32(2),
                cbufs: p.dwords(3, n as usize).collect(),
            }
        }
        CommandId::SetVertexBuffers => {
            p.expect(LenRule::Repeated {
                base: 0,
                step: 3,
                min_n: 0,
                max_n: limits::MAX_VERTEX_BUFFERS as u16,
            })?;
            C::SetVertexBuffers(
                (0..usize::from(p.len()) / 3)
                    .map(|i| VertexBuffer {
                        stride: p.u32(1 + i * 3),
                        offset: p.u32(2 + i * 3),
                        resource: p.u32(3 + i * 3),
                    })
                    .collect(),
            )
        }
        CommandId::SetIndexBuffer => {
            p.expect(LenRule::OneOf(&[1, 3]))?;
            C::SetIndexBuffer {
                resource: p.u32(1),
                layout: (p.len() == 3).then(|| IndexLayout {
                    index_size: p.u32(2),
                    offset: p.u32(3),
                }),
            }
        }
        CommandId::SetConstantBuffer => {
            p.expect(LenRule::Range {
                min: 2,
                max: u16::MAX,
            })?;
            C::SetConstantBuffer {
                shader_type: p.shader_type(1)?,
                index: p.u32(2),
                data: p.rest(3),
            }
        }
        CommandId::SetSamplerViews => {
            p.expect(LenRule::Range {
                min: 2,
                max: 2 + limits::MAX_SHADER_SAMPLER_VIEWS as u16,
            })?;
            C::SetSamplerViews {
                shader_type: p.shader_type(1)?,
                start_slot: p.u32(2),
                views: p.dwords(3, usize::from(p.len()) - 2).collect(),
            }
        }
        CommandId::BindSamplerStates => {
            p.expect(LenRule::Range {
                min: 2,
                max: 2 + limits::MAX_SAMPLERS as u16,
            })?;
            C::BindSamplerStates {
                shader_type: p.shader_type(1)?,
                start_slot: p.u32(2),
                states: p.dwords(3, usize::from(p.len()) - 2).collect(),
            }
        }
        CommandId::SetScissorState => {
            p.expect(LenRule::Repeated {
                base: 1,
                step: 2,
                min_n: 0,
                max_n: limits::MAX_VIEWPORTS as u16,
            })?;
            C::SetScissorState {
                start_slot: p.u32(1),
                scissors: (0..usize::from(p.len() - 1) / 2)
                    .map(|i| p.scissor(2 + i * 2))
                    .collect(),
            }
        }
        CommandId::SetBlendColor => {
            exact(4)?;
            C::SetBlendColor([p.f32(1), p.f32(2), p.f32(3), p.f32(4)])
        }
        CommandId::SetStencilRef => {
            exact(1)?;
            let v = p.u32(1);
            C::SetStencilRef {
                front: v as u8,
                back: (v >> 8) as u8,
            }
        }
        CommandId::Clear => {
            exact(CLEAR_LEN)?;
            C::Clear(Clear {
                buffers: p.u32(1),
                color: [p.u32(2), p.u32(3), p.u32(4), p.u32(5)],
                depth: f64::from_bits(u64::from(p.u32(6)) | u64::from(p.u32(7)) << 32),
                stencil: p.u32(8),
            })
        }
        CommandId::DrawVbo => {
            p.expect(LenRule::OneOf(&[
                DRAW_VBO_LEN,
                DRAW_VBO_TESS_LEN,
                DRAW_VBO_INDIRECT_LEN,
            ]))?;
            let tess = || DrawTess {
                vertices_per_patch: p.u32(13),
                drawid: p.u32(14),
            };
            C::DrawVbo(DrawVbo {
                start: p.u32(1),
                count: p.u32(2),
                mode: p.field("mode", 3, 0, 32, PrimMode::from_wire)?,
                indexed: p.bool("indexed", 4)?,
                instance_count: p.u32(5),
                index_bias: p.u32(6) as i32,
                start_instance: p.u32(7),
                primitive_restart: p.bool("primitive_restart", 8)?,
                restart_index: p.u32(9),
                min_index: p.u32(10),
                max_index: p.u32(11),
                count_from_so: p.u32(12),
                extra: match p.len() {
                    DRAW_VBO_LEN => DrawExtra::None,
                    DRAW_VBO_TESS_LEN => DrawExtra::Tess(tess()),
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
        CommandId::ResourceInlineWrite => {
            p.expect(LenRule::Range {
                min: INLINE_WRITE_HDR,
                max: u16::MAX,
            })?;
            C::ResourceInlineWrite(InlineWrite {
                resource: p.u32(1),
                level: p.u32(2),
                usage: p.u32(3),
                stride: p.u32(4),
                layer_stride: p.u32(5),
                region: p.region(6),
                data: p.rest(12),
            })
        }
        CommandId::Transfer3d => {
            exact(TRANSFER3D_LEN)?;
            C::Transfer3d(Transfer3d {
                resource: p.u32(1),
                level: p.u32(2),
                usage: p.u32(3),
                stride: p.u32(4),
                layer_stride: p.u32(5),
                region: p.region(6),
                offset: p.u32(12),
                direction: p.field("direction", 13, 0, 32, TransferDirection::from_wire)?,
            })
        }
        CommandId::ResourceCopyRegion => {
            exact(COPY_REGION_LEN)?;
            C::ResourceCopyRegion(CopyRegion {
                dst_resource: p.u32(1),
                dst_level: p.u32(2),
                dst_x: p.u32(3),
                dst_y: p.u32(4),
                dst_z: p.u32(5),
                src_resource: p.u32(6),
                src_level: p.u32(7),
                src_box: p.region(8),
            })
        }
        CommandId::Blit => {
            exact(BLIT_LEN)?;
            let s0 = p.u32(1);
            let side = |i: usize, field: &'static str| -> Result<BlitSurface> {
                Ok(BlitSurface {
                    resource: p.u32(i),
                    level: p.u32(i + 1),
                    format: p.format(field, i + 2, 0, 32)?,
                    region: p.region(i + 3),
                })
            };
            C::Blit(Blit {
                mask: s0 as u8,
                filter: p.field("filter", 1, 8, 2, TexFilter::from_wire)?,
                scissor_enable: bit(s0, 10),
                render_condition_enable: bit(s0, 11),
                alpha_blend: bit(s0, 12),
                scissor: p.scissor(2),
                dst: side(4, "dst_format")?,
                src: side(13, "src_format")?,
            })
        }
        CommandId::CreateSubCtx => {
            exact(1)?;
            C::CreateSubCtx(p.u32(1))
        }
        CommandId::SetSubCtx => {
            exact(1)?;
            C::SetSubCtx(p.u32(1))
        }
        CommandId::DestroySubCtx => {
            exact(1)?;
            C::DestroySubCtx(p.u32(1))
        }
        CommandId::BeginQuery => {
            exact(1)?;
            C::BeginQuery(p.u32(1))
        }
        CommandId::EndQuery => {
            exact(1)?;
            C::EndQuery(p.u32(1))
        }
        CommandId::GetQueryResult => {
            exact(2)?;
            C::GetQueryResult {
                query: p.u32(1),
                wait: p.bool("wait", 2)?,
            }
        }
        CommandId::SetPolygonStipple => {
            exact(32)?;
            C::SetPolygonStipple(std::array::from_fn(|i| p.u32(1 + i)))
        }
        CommandId::SetClipState => {
            exact(32)?;
            C::SetClipState(std::array::from_fn(|pl| {
                std::array::from_fn(|c| p.f32(1 + pl * 4 + c))
            }))
        }
        CommandId::SetSampleMask => {
            exact(1)?;
            C::SetSampleMask(p.u32(1))
        }
        CommandId::SetStreamoutTargets => {
            p.expect(LenRule::Range {
                min: 1,
                max: 1 + MAX_SO_TARGETS as u16,
            })?;
            C::SetStreamoutTargets {
                append_bitmask: p.u32(1),
                targets: p.dwords(2, usize::from(p.len()) - 1).collect(),
            }
        }
        CommandId::SetRenderCondition => {
            exact(3)?;
            C::SetRenderCondition {
                query: p.u32(1),
                condition: p.bool("condition", 2)?,
                mode: p.u32(3),
            }
        }
        CommandId::SetUniformBuffer => {
            exact(5)?;
            C::SetUniformBuffer {
                shader_type: p.shader_type(1)?,
                index: p.u32(2),
                offset: p.u32(3),
                length: p.u32(4),
                resource: p.u32(5),
            }
        }
        CommandId::SetTessState => {
            exact(6)?;
            C::SetTessState {
                outer: [p.f32(1), p.f32(2), p.f32(3), p.f32(4)],
                inner: [p.f32(5), p.f32(6)],
            }
        }
        CommandId::SetMinSamples => {
            exact(1)?;
            C::SetMinSamples(p.u32(1))
        }
        CommandId::SetShaderBuffers => {
            p.expect(LenRule::Repeated {
                base: 2,
                step: 3,
                min_n: 0,
                max_n: MAX_SHADER_BUFFERS as u16,
            })?;
            C::SetShaderBuffers {
                shader_type: p.shader_type(1)?,
                start_slot: p.u32(2),
                buffers: buffer_bindings(p, 3),
            }
        }
        CommandId::SetShaderImages => {
            p.expect(LenRule::Repeated {
                base: 2,
                step: 5,
                min_n: 0,
                max_n: MAX_SHADER_IMAGES as u16,
            })?;
            let images = (0..usize::from(p.len() - 2) / 5)
                .map(|i| {
                    let b = 3 + i * 5;
                    Ok(ImageBinding {
                        format: p.format("format", b, 0, 32)?,
                        access: p.u32(b + 1),
                        layer_offset: p.u32(b + 2),
                        level_size: p.u32(b + 3),
                        resource: p.u32(b + 4),
                    })
                })
                .collect::<Result<_>>()?;
            C::SetShaderImages {
                shader_type: p.shader_type(1)?,
                start_slot: p.u32(2),
                images,
            }
        }
        CommandId::MemoryBarrier => {
            exact(1)?;
            C::MemoryBarrier(p.u32(1))
        }
        CommandId::LaunchGrid => {
            exact(8)?;
            C::LaunchGrid(LaunchGrid {
                block: [p.u32(1), p.u32(2), p.u32(3)],
                grid: [p.u32(4), p.u32(5), p.u32(6)],
                indirect_resource: p.u32(7),
                indirect_offset: p.u32(8),
            })
        }
        CommandId::SetFramebufferStateNoAttach => {
            exact(2)?;
            let (a, b) = (p.u32(1), p.u32(2));
            if b >> 24 != 0 {
                return Err(p.invalid("layers_samples", 2, b));
            }
            C::SetFramebufferStateNoAttach {
                width: a as u16,
                height: (a >> 16) as u16,
                layers: b as u16,
                samples: (b >> 16) as u8,
            }
        }
        CommandId::TextureBarrier => {
            exact(1)?;
            C::TextureBarrier(p.u32(1))
        }
        CommandId::SetAtomicBuffers => {
            p.expect(LenRule::Repeated {
                base: 1,
                step: 3,
                min_n: 0,
                max_n: MAX_SHADER_BUFFERS as u16,
            })?;
            C::SetAtomicBuffers {
                start_slot: p.u32(1),
                buffers: buffer_bindings(p, 2),
            }
        }
        CommandId::SetDebugFlags => {
            p.expect(LenRule::Range {
                min: 2,
                max: u16::MAX,
            })?;
            C::SetDebugFlags(p.rest(1))
        }
        CommandId::GetQueryResultQbo => {
            exact(6)?;
            C::GetQueryResultQbo(QueryResultQbo {
                query: p.u32(1),
                qbo: p.u32(2),
                wait: p.bool("wait", 3)?,
                result_type: p.u32(4),
                offset: p.u32(5),
                index: p.u32(6) as i32,
            })
        }
        CommandId::EndTransfers => C::EndTransfers(p.rest(1)),
        CommandId::CopyTransfer3d => {
            exact(14)?;
            C::CopyTransfer3d(CopyTransfer3d {
                dst: TransferTarget {
                    resource: p.u32(1),
                    level: p.u32(2),
                    usage: p.u32(3),
                    stride: p.u32(4),
                    layer_stride: p.u32(5),
                    region: p.region(6),
                },
                src_resource: p.u32(12),
                src_offset: p.u32(13),
                flags: p.u32(14),
            })
        }
        CommandId::SetTweaks => {
            exact(2)?;
            C::SetTweaks {
                id: p.u32(1),
                value: p.u32(2),
            }
        }
        CommandId::ClearTexture => {
            exact(12)?;
            C::ClearTexture(ClearTexture {
                resource: p.u32(1),
                level: p.u32(2),
                region: p.region(3),
                value: [p.u32(9), p.u32(10), p.u32(11), p.u32(12)],
            })
        }
        CommandId::PipeResourceCreate => {
            exact(11)?;
            C::PipeResourceCreate(PipeResourceCreate {
                target: p.field("target", 1, 0, 32, TextureTarget::from_wire)?,
                format: p.format("format", 2, 0, 32)?,
                bind: p.u32(3),
                width: p.u32(4),
                height: p.u32(5),
                depth: p.u32(6),
                array_size: p.u32(7),
                last_level: p.u32(8),
                nr_samples: p.u32(9),
                flags: p.u32(10),
                blob_id: p.u32(11),
            })
        }
        CommandId::PipeResourceSetType => {
            p.expect(LenRule::Repeated {
                base: 8,
                step: 2,
                min_n: 1,
                max_n: 4,
            })?;
            C::PipeResourceSetType(PipeResourceSetType {
                resource: p.u32(1),
                format: p.format("format", 2, 0, 32)?,
                bind: p.u32(3),
                width: p.u32(4),
                height: p.u32(5),
                usage: p.u32(6),
                modifier: u64::from(p.u32(7)) | u64::from(p.u32(8)) << 32,
                planes: (0..usize::from(p.len() - 8) / 2)
                    .map(|i| PlaneLayout {
                        stride: p.u32(9 + i * 2),
                        offset: p.u32(10 + i * 2),
                    })
                    .collect(),
            })
        }
        CommandId::GetMemoryInfo => {
            exact(1)?;
            C::GetMemoryInfo(p.u32(1))
        }
        CommandId::SendStringMarker => {
            p.expect(LenRule::Range {
                min: 2,
                max: u16::MAX,
            })?;
            let length = p.u32(1);
            if length as usize > (usize::from(p.len()) - 1) * 4 {
                return Err(p.invalid("string length", 1, length));
            }
            C::SendStringMarker {
                length,
                string: p.rest(2),
            }
        }
        CommandId::LinkShader => {
            exact(6)?;
            C::LinkShader(std::array::from_fn(|i| p.u32(1 + i)))
        }
        CommandId::CreateVideoCodec => C::CreateVideoCodec(CreateVideoCodec::decode(p)?),
        CommandId::DestroyVideoCodec => C::DestroyVideoCodec(DestroyVideoCodec::decode(p)?),
        CommandId::CreateVideoBuffer => C::CreateVideoBuffer(CreateVideoBuffer::decode(p)?),
        CommandId::DestroyVideoBuffer => C::DestroyVideoBuffer(DestroyVideoBuffer::decode(p)?),
        CommandId::BeginFrame => C::BeginFrame(VideoFrame::decode(p)?),
        CommandId::EndFrame => C::EndFrame(VideoFrame::decode(p)?),
        CommandId::DecodeMacroblock => C::DecodeMacroblock(p.rest(1)),
        CommandId::DecodeBitstream => C::DecodeBitstream(DecodeBitstream::decode(p)?),
        CommandId::EncodeBitstream => C::EncodeBitstream(EncodeBitstream::decode(p)?),
        CommandId::ClearSurface => {
            exact(10)?;
            let s0 = p.u32(1);
            if s0 >> 4 != 0 {
                return Err(p.invalid("s0", 1, s0));
            }
            C::ClearSurface(ClearSurface {
                render_condition: bit(s0, 0),
                buffers: bits(s0, 1, 3) as u8,
                surface: p.u32(2),
                color: [p.u32(3), p.u32(4), p.u32(5), p.u32(6)],
                x: p.u32(7),
                y: p.u32(8),
                width: p.u32(9),
                height: p.u32(10),
            })
        }
        CommandId::GetPipeResourceLayout => {
            exact(2)?;
            C::GetPipeResourceLayout {
                output: p.u32(1),
                target: p.u32(2),
            }
        }
    })
}

fn buffer_bindings(p: &Payload<'_>, first: usize) -> Vec<BufferBinding> {
    (0..(usize::from(p.len()) + 1 - first) / 3)
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

fn decode_blend(p: &Payload<'_>) -> Result<Blend> {
    p.expect(LenRule::Exact(BLEND_LEN))?;
    let s0 = p.u32(2);
    let mut rt = [RtBlend::default(); limits::MAX_COLOR_BUFS];
    for (i, r) in rt.iter_mut().enumerate() {
        let d = 4 + i;
        let v = p.u32(d);
        let factor = |name, lo| p.field(name, d, lo, 5, BlendFactor::from_wire);
        let func = |name, lo| p.field(name, d, lo, 3, BlendFunc::from_wire);
        *r = RtBlend {
            blend_enable: bit(v, 0),
            rgb_func: func("rgb_func", 1)?,
            rgb_src_factor: factor("rgb_src_factor", 4)?,
            rgb_dst_factor: factor("rgb_dst_factor", 9)?,
            alpha_func: func("alpha_func", 14)?,
            alpha_src_factor: factor("alpha_src_factor", 17)?,
            alpha_dst_factor: factor("alpha_dst_factor", 22)?,
            colormask: bits(v, 27, 4) as u8,
        };
    }
    Ok(Blend {
        handle: p.u32(1),
        independent_blend_enable: bit(s0, 0),
        logicop_enable: bit(s0, 1),
        dither: bit(s0, 2),
        alpha_to_coverage: bit(s0, 3),
        alpha_to_one: bit(s0, 4),
        logicop_func: p.field("logicop_func", 3, 0, 4, LogicOp::from_wire)?,
        rt,
    })
}

fn decode_dsa(p: &Payload<'_>) -> Result<Dsa> {
    p.expect(LenRule::Exact(DSA_LEN))?;
    let s0 = p.u32(2);
    let stencil = |i: usize| -> Result<StencilState> {
        let v = p.u32(i);
        let op = |name, lo| p.field(name, i, lo, 3, StencilOp::from_wire);
        Ok(StencilState {
            enabled: bit(v, 0),
            func: p.field("stencil_func", i, 1, 3, CompareFunc::from_wire)?,
            fail_op: op("fail_op", 4)?,
            zpass_op: op("zpass_op", 7)?,
            zfail_op: op("zfail_op", 10)?,
            valuemask: bits(v, 13, 8) as u8,
            writemask: bits(v, 21, 8) as u8,
        })
    };
    Ok(Dsa {
        handle: p.u32(1),
        depth: DepthState {
            enabled: bit(s0, 0),
            writemask: bit(s0, 1),
            func: p.field("depth_func", 2, 2, 3, CompareFunc::from_wire)?,
        },
        alpha_enabled: bit(s0, 8),
        alpha_func: p.field("alpha_func", 2, 9, 3, CompareFunc::from_wire)?,
        alpha_ref: p.f32(5),
        stencil: [stencil(3)?, stencil(4)?],
    })
}

fn decode_rasterizer(p: &Payload<'_>) -> Result<Rasterizer> {
    p.expect(LenRule::Exact(RASTERIZER_LEN))?;
    let s0 = p.u32(2);
    let s3 = p.u32(5);
    let mode = |name, lo| p.field(name, 2, lo, 2, PolygonMode::from_wire);
    Ok(Rasterizer {
        handle: p.u32(1),
        flatshade: bit(s0, 0),
        depth_clip: bit(s0, 1),
        clip_halfz: bit(s0, 2),
        rasterizer_discard: bit(s0, 3),
        flatshade_first: bit(s0, 4),
        light_twoside: bit(s0, 5),
        sprite_coord_mode: bit(s0, 6),
        point_quad_rasterization: bit(s0, 7),
        cull_face: p.field("cull_face", 2, 8, 2, CullFace::from_wire)?,
        fill_front: mode("fill_front", 10)?,
        fill_back: mode("fill_back", 12)?,
        scissor: bit(s0, 14),
        front_ccw: bit(s0, 15),
        clamp_vertex_color: bit(s0, 16),
        clamp_fragment_color: bit(s0, 17),
        offset_line: bit(s0, 18),
        offset_point: bit(s0, 19),
        offset_tri: bit(s0, 20),
        poly_smooth: bit(s0, 21),
        poly_stipple_enable: bit(s0, 22),
        point_smooth: bit(s0, 23),
        point_size_per_vertex: bit(s0, 24),
        multisample: bit(s0, 25),
        line_smooth: bit(s0, 26),
        line_stipple_enable: bit(s0, 27),
        line_last_pixel: bit(s0, 28),
        half_pixel_center: bit(s0, 29),
        bottom_edge_rule: bit(s0, 30),
        force_persample_interp: bit(s0, 31),
        point_size: p.f32(3),
        sprite_coord_enable: p.u32(4),
        line_stipple_pattern: s3 as u16,
        line_stipple_factor: (s3 >> 16) as u8,
        clip_plane_enable: (s3 >> 24) as u8,
        line_width: p.f32(6),
        offset_units: p.f32(7),
        offset_scale: p.f32(8),
        offset_clamp: p.f32(9),
    })
}

fn decode_shader<'a>(p: &Payload<'a>) -> Result<Shader<'a>> {
    p.expect(LenRule::Range {
        min: SHADER_HDR,
        max: u16::MAX,
    })?;
    let shader_type = p.shader_type(2)?;
    let compute = shader_type == ShaderType::Compute;
    let nso = if compute { 0 } else { p.u32(5) as usize };
    if nso > limits::MAX_SO_OUTPUTS {
        return Err(p.invalid("so_num_outputs", 5, nso as u32));
    }
    let hdr = usize::from(SHADER_HDR) + if nso > 0 { 4 + 2 * nso } else { 0 };
    if usize::from(p.len()) < hdr {
        return Err(Error::BadLength {
            index: p.index,
            offset: p.offset,
            id: p.header.id,
            name: p.name,
            expected: LenRule::Range {
                min: hdr as u16,
                max: u16::MAX,
            },
            actual: p.len(),
        });
    }
    let stream_output = (nso > 0).then(|| StreamOutput {
        stride: [p.u32(6), p.u32(7), p.u32(8), p.u32(9)],
        outputs: (0..nso)
            .map(|i| {
                let a = p.u32(10 + 2 * i);
                SoOutput {
                    register_index: a as u8,
                    start_component: bits(a, 8, 2) as u8,
                    num_components: bits(a, 10, 3) as u8,
                    output_buffer: bits(a, 13, 3) as u8,
                    dst_offset: (a >> 16) as u16,
                    stream: bits(p.u32(11 + 2 * i), 0, 2) as u8,
                }
            })
            .collect(),
    });
    Ok(Shader {
        handle: p.u32(1),
        shader_type,
        offset: ShaderOffset::from_wire(p.u32(3)),
        num_tokens: p.u32(4),
        stream_output,
        req_local_mem: if compute { p.u32(5) } else { 0 },
        text: p.rest(hdr + 1),
    })
}

fn decode_vertex_elements(p: &Payload<'_>) -> Result<VertexElements> {
    p.expect(LenRule::Repeated {
        base: 1,
        step: 4,
        min_n: 0,
        max_n: limits::MAX_ATTRIBS as u16,
    })?;
    let n = usize::from(p.len() - 1) / 4;
    let elements = (0..n)
        .map(|i| {
            let b = 2 + i * 4;
            let vbi = p.u32(b + 2);
            if vbi as usize >= limits::MAX_VERTEX_BUFFERS {
                return Err(p.invalid("vertex_buffer_index", b + 2, vbi));
            }
            Ok(VertexElement {
                src_offset: p.u32(b),
                instance_divisor: p.u32(b + 1),
                vertex_buffer_index: vbi,
                src_format: p.format("src_format", b + 3, 0, 32)?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(VertexElements {
        handle: p.u32(1),
        elements,
    })
}

fn decode_sampler_view(p: &Payload<'_>) -> Result<SamplerView> {
    p.expect(LenRule::Exact(SAMPLER_VIEW_LEN))?;
    let target = p.field("target", 3, 24, 8, TextureTarget::from_wire)?;
    let (d4, d5) = (p.u32(4), p.u32(5));
    let range = if target == TextureTarget::Buffer {
        ViewRange::Buffer {
            first_element: d4,
            last_element: d5,
        }
    } else {
        ViewRange::Texture {
            first_layer: d4 as u16,
            last_layer: (d4 >> 16) as u16,
            first_level: d5 as u8,
            last_level: (d5 >> 8) as u8,
        }
    };
    let sw = |name, lo| p.field(name, 6, lo, 3, Swizzle::from_wire);
    Ok(SamplerView {
        handle: p.u32(1),
        resource: p.u32(2),
        format: p.format("format", 3, 0, 24)?,
        target,
        range,
        swizzle: [
            sw("swizzle_r", 0)?,
            sw("swizzle_g", 3)?,
            sw("swizzle_b", 6)?,
            sw("swizzle_a", 9)?,
        ],
    })
}

fn decode_sampler_state(p: &Payload<'_>) -> Result<SamplerState> {
    p.expect(LenRule::Exact(SAMPLER_STATE_LEN))?;
    let s0 = p.u32(2);
    let wrap = |name, lo| p.field(name, 2, lo, 3, TexWrap::from_wire);
    let filter = |name, lo| p.field(name, 2, lo, 2, TexFilter::from_wire);
    Ok(SamplerState {
        handle: p.u32(1),
        wrap_s: wrap("wrap_s", 0)?,
        wrap_t: wrap("wrap_t", 3)?,
        wrap_r: wrap("wrap_r", 6)?,
        min_img_filter: filter("min_img_filter", 9)?,
        min_mip_filter: p.field("min_mip_filter", 2, 11, 2, MipFilter::from_wire)?,
        mag_img_filter: filter("mag_img_filter", 13)?,
        compare_mode: p.field("compare_mode", 2, 15, 1, TexCompareMode::from_wire)?,
        compare_func: p.field("compare_func", 2, 16, 3, CompareFunc::from_wire)?,
        seamless_cube_map: bit(s0, 19),
        max_anisotropy: bits(s0, 20, 6) as u8,
        lod_bias: p.f32(3),
        min_lod: p.f32(4),
        max_lod: p.f32(5),
        border_color: [p.u32(6), p.u32(7), p.u32(8), p.u32(9)],
    })
}

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

    fn next_command(&mut self) -> Result<Command<'a>> {
        if !self.bytes.len().is_multiple_of(4) {
            return Err(Error::Unaligned {
                len: self.bytes.len(),
            });
        }
        let b = &self.bytes[self.pos..self.pos + 4];
        let header = Header::unpack(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        let offset = self.pos / 4;
        let name = command_name(header.id);
        let available = (self.bytes.len() - self.pos) / 4 - 1;
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

/// Little-endian bytes of a dword stream.
pub fn to_bytes(dwords: &[u32]) -> Vec<u8> {
    dwords.iter().flat_map(|d| d.to_le_bytes()).collect()
}

#[cfg(test)]
pub(crate) mod arb {
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
}

#[cfg(test)]
mod tests;
