//! Gallium enums and flags that travel inside virgl commands (`p_defines.h`, `virgl_hw.h`).
//!
//! The guest and host must agree on these numbers exactly, so each enum lists its wire value and
//! decoding rejects anything unassigned; flag sets reject unknown bits.

/// Declares a `u32`-valued wire enum with lookup by value, a name, a bit-field value and (in
/// tests) a proptest strategy.
macro_rules! wire_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u32)]
        pub enum $name {
            $($(#[$vmeta])* $variant = $value,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The variant with wire value `value`, if assigned.
            pub const fn from_wire(value: u32) -> Option<Self> {
                match value {
                    $($value => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The wire value.
            pub const fn to_wire(self) -> u32 {
                self as u32
            }

            /// The variant's name.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)+
                }
            }
        }

        impl $crate::ccmd::bits::BitValue for $name {
            fn to_bits(self) -> u32 {
                self.to_wire()
            }
            fn from_bits(raw: u32) -> Option<Self> {
                Self::from_wire(raw)
            }
        }

        #[cfg(test)]
        impl proptest::arbitrary::Arbitrary for $name {
            type Parameters = ();
            type Strategy = proptest::sample::Select<$name>;
            fn arbitrary_with(_: ()) -> Self::Strategy {
                proptest::sample::select($name::ALL)
            }
        }
    };
}
pub(crate) use wire_enum;

wire_enum! {
    /// `enum pipe_texture_target`.
    pub enum TextureTarget {
        Buffer = 0,
        Texture1D = 1,
        Texture2D = 2,
        Texture3D = 3,
        Cube = 4,
        Rect = 5,
        Texture1DArray = 6,
        Texture2DArray = 7,
        CubeArray = 8,
    }
}

wire_enum! {
    /// `enum pipe_prim_type`.
    pub enum PrimMode {
        Points = 0,
        Lines = 1,
        LineLoop = 2,
        LineStrip = 3,
        Triangles = 4,
        TriangleStrip = 5,
        TriangleFan = 6,
        Quads = 7,
        QuadStrip = 8,
        Polygon = 9,
        LinesAdjacency = 10,
        LineStripAdjacency = 11,
        TrianglesAdjacency = 12,
        TriangleStripAdjacency = 13,
        Patches = 14,
    }
}

wire_enum! {
    /// `enum pipe_shader_type`: the wire order (vertex first), not TGSI's processor order.
    pub enum ShaderType {
        Vertex = 0,
        Fragment = 1,
        Geometry = 2,
        TessCtrl = 3,
        TessEval = 4,
        Compute = 5,
    }
}

wire_enum! {
    /// `PIPE_BLENDFACTOR_*`.
    pub enum BlendFactor {
        /// Not a Gallium factor, but what Mesa sends for render targets with blending off.
        Unset = 0,
        One = 1,
        SrcColor = 2,
        SrcAlpha = 3,
        DstAlpha = 4,
        DstColor = 5,
        SrcAlphaSaturate = 6,
        ConstColor = 7,
        ConstAlpha = 8,
        Src1Color = 9,
        Src1Alpha = 10,
        Zero = 0x11,
        InvSrcColor = 0x12,
        InvSrcAlpha = 0x13,
        InvDstAlpha = 0x14,
        InvDstColor = 0x15,
        InvConstColor = 0x17,
        InvConstAlpha = 0x18,
        InvSrc1Color = 0x19,
        InvSrc1Alpha = 0x1a,
    }
}

wire_enum! {
    /// `enum gl_advanced_blend_mode`: KHR_blend_equation_advanced equations. Mesa sends one in
    /// render target 0's alpha source factor, with the alpha destination factor 0.
    pub enum AdvancedBlend {
        None = 0,
        Multiply = 1,
        Screen = 2,
        Overlay = 3,
        Darken = 4,
        Lighten = 5,
        ColorDodge = 6,
        ColorBurn = 7,
        HardLight = 8,
        SoftLight = 9,
        Difference = 10,
        Exclusion = 11,
        HslHue = 12,
        HslSaturation = 13,
        HslColor = 14,
        HslLuminosity = 15,
    }
}

wire_enum! {
    /// `PIPE_BLEND_*` equations.
    pub enum BlendFunc {
        Add = 0,
        Subtract = 1,
        ReverseSubtract = 2,
        Min = 3,
        Max = 4,
    }
}

wire_enum! {
    /// `PIPE_FUNC_*` comparison functions (depth, stencil, alpha, shadow samplers).
    pub enum CompareFunc {
        Never = 0,
        Less = 1,
        Equal = 2,
        LEqual = 3,
        Greater = 4,
        NotEqual = 5,
        GEqual = 6,
        Always = 7,
    }
}

wire_enum! {
    /// `PIPE_STENCIL_OP_*`.
    pub enum StencilOp {
        Keep = 0,
        Zero = 1,
        Replace = 2,
        Incr = 3,
        Decr = 4,
        IncrWrap = 5,
        DecrWrap = 6,
        Invert = 7,
    }
}

wire_enum! {
    /// `PIPE_TEX_WRAP_*`.
    pub enum TexWrap {
        Repeat = 0,
        Clamp = 1,
        ClampToEdge = 2,
        ClampToBorder = 3,
        MirrorRepeat = 4,
        MirrorClamp = 5,
        MirrorClampToEdge = 6,
        MirrorClampToBorder = 7,
    }
}

wire_enum! {
    /// `PIPE_TEX_FILTER_*`.
    pub enum TexFilter {
        Nearest = 0,
        Linear = 1,
    }
}

wire_enum! {
    /// `PIPE_TEX_MIPFILTER_*`.
    pub enum MipFilter {
        Nearest = 0,
        Linear = 1,
        None = 2,
    }
}

wire_enum! {
    /// `PIPE_FACE_*`, the faces culled.
    pub enum CullFace {
        None = 0,
        Front = 1,
        Back = 2,
        FrontAndBack = 3,
    }
}

wire_enum! {
    /// `PIPE_POLYGON_MODE_*`.
    pub enum PolygonMode {
        Fill = 0,
        Line = 1,
        Point = 2,
        FillRectangle = 3,
    }
}

wire_enum! {
    /// `PIPE_SWIZZLE_*` as used in sampler views.
    pub enum Swizzle {
        X = 0,
        Y = 1,
        Z = 2,
        W = 3,
        Zero = 4,
        One = 5,
        /// `PIPE_SWIZZLE_NONE`.
        None = 6,
    }
}

wire_enum! {
    /// `PIPE_LOGICOP_*`.
    pub enum LogicOp {
        Clear = 0,
        Nor = 1,
        AndInverted = 2,
        CopyInverted = 3,
        AndReverse = 4,
        Invert = 5,
        Xor = 6,
        Nand = 7,
        And = 8,
        Equiv = 9,
        Noop = 10,
        OrInverted = 11,
        Copy = 12,
        OrReverse = 13,
        Or = 14,
        Set = 15,
    }
}

wire_enum! {
    /// `PIPE_TEX_COMPARE_*`.
    pub enum TexCompareMode {
        None = 0,
        RToTexture = 1,
    }
}

/// `VIRGL_BIND_*` resource bind flags (kept compatible with Mesa 10.5 Gallium).
pub mod bind {
    pub const DEPTH_STENCIL: u32 = 1 << 0;
    pub const RENDER_TARGET: u32 = 1 << 1;
    pub const SAMPLER_VIEW: u32 = 1 << 3;
    pub const VERTEX_BUFFER: u32 = 1 << 4;
    pub const INDEX_BUFFER: u32 = 1 << 5;
    pub const CONSTANT_BUFFER: u32 = 1 << 6;
    pub const DISPLAY_TARGET: u32 = 1 << 7;
    pub const COMMAND_ARGS: u32 = 1 << 8;
    pub const STREAM_OUTPUT: u32 = 1 << 11;
    pub const SHADER_BUFFER: u32 = 1 << 14;
    pub const QUERY_BUFFER: u32 = 1 << 15;
    pub const CURSOR: u32 = 1 << 16;
    pub const CUSTOM: u32 = 1 << 17;
    pub const SCANOUT: u32 = 1 << 18;
    pub const STAGING: u32 = 1 << 19;
    pub const SHARED: u32 = 1 << 20;
    pub const LINEAR: u32 = 1 << 22;
}

wire_enum! {
    /// `enum pipe_query_type`, as virgl numbers it (low 16 bits of CREATE_OBJECT(QUERY)'s type word).
    pub enum QueryType {
        OcclusionCounter = 0,
        OcclusionPredicate = 1,
        Timestamp = 2,
        TimestampDisjoint = 3,
        TimeElapsed = 4,
        PrimitivesGenerated = 5,
        PrimitivesEmitted = 6,
        SoStatistics = 7,
        SoOverflowPredicate = 8,
        GpuFinished = 9,
        PipelineStatistics = 10,
        OcclusionPredicateConservative = 11,
        SoOverflowAnyPredicate = 12,
    }
}

wire_enum! {
    /// `enum pipe_query_value_type`: how GET_QUERY_RESULT_QBO writes a result.
    pub enum QueryValueType {
        I32 = 0,
        U32 = 1,
        I64 = 2,
        U64 = 3,
    }
}

wire_enum! {
    /// `enum pipe_render_cond_flag`.
    pub enum RenderCondMode {
        Wait = 0,
        NoWait = 1,
        ByRegionWait = 2,
        ByRegionNoWait = 3,
    }
}

wire_enum! {
    /// Bytes per index of a bound index buffer.
    pub enum IndexSize {
        U8 = 1,
        U16 = 2,
        U32 = 4,
    }
}

wire_enum! {
    /// `VIRGL_STAT_QUERY_*`: the counter a pipeline-statistics query reads, sent as its index.
    pub enum StatQuery {
        IaVertices = 0,
        IaPrimitives = 1,
        VsInvocations = 2,
        GsInvocations = 3,
        GsPrimitives = 4,
        CInvocations = 5,
        CPrimitives = 6,
        PsInvocations = 7,
        HsInvocations = 8,
        DsInvocations = 9,
        CsInvocations = 10,
    }
}

bitflags::bitflags! {
    /// `PIPE_CLEAR_*`: the buffers CLEAR and CLEAR_SURFACE clear.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct ClearBuffers: u32 {
        const DEPTH = 1 << 0;
        const STENCIL = 1 << 1;
        const COLOR0 = 1 << 2;
        const COLOR1 = 1 << 3;
        const COLOR2 = 1 << 4;
        const COLOR3 = 1 << 5;
        const COLOR4 = 1 << 6;
        const COLOR5 = 1 << 7;
        const COLOR6 = 1 << 8;
        const COLOR7 = 1 << 9;
        const COLOR = 0xff << 2;
        const DEPTHSTENCIL = 0b11;
    }
}

impl ClearBuffers {
    /// Colour buffer `n` (0..8).
    pub const fn color(n: u32) -> ClearBuffers {
        ClearBuffers::from_bits_truncate(1 << (2 + n))
    }
}

bitflags::bitflags! {
    /// `PIPE_MASK_*`: the channels a BLIT copies.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct BlitMask: u32 {
        const R = 1 << 0;
        const G = 1 << 1;
        const B = 1 << 2;
        const A = 1 << 3;
        const Z = 1 << 4;
        const S = 1 << 5;
        const RGBA = 0xf;
        const ZS = 0x30;
    }
}

bitflags::bitflags! {
    /// `VIRGL_COPY_TRANSFER3D_FLAGS_*`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct CopyTransferFlags: u32 {
        /// Wait for the resource to be idle first.
        const SYNCHRONIZED = 1 << 0;
        /// Copy from the resource into the staging buffer instead.
        const READ_FROM_HOST = 1 << 1;
    }
}

#[cfg(test)]
mod arb_flags {
    use super::*;
    use proptest::prelude::*;

    macro_rules! arbitrary_flags {
        ($($t:ty),+) => {$(
            impl Arbitrary for $t {
                type Parameters = ();
                type Strategy = proptest::strategy::Map<proptest::num::u32::Any, fn(u32) -> $t>;
                fn arbitrary_with(_: ()) -> Self::Strategy {
                    any::<u32>().prop_map(<$t>::from_bits_truncate)
                }
            }
        )+};
    }
    arbitrary_flags!(ClearBuffers, BlitMask, CopyTransferFlags);
}

/// Gallium limits that bound variable-length commands (`p_state.h`).
pub mod limits {
    pub const MAX_COLOR_BUFS: usize = 8;
    pub const MAX_ATTRIBS: usize = 32;
    pub const MAX_VERTEX_BUFFERS: usize = 32;
    pub const MAX_SAMPLERS: usize = 32;
    pub const MAX_SHADER_SAMPLER_VIEWS: usize = 128;
    pub const MAX_CONSTANT_BUFFERS: usize = 32;
    pub const MAX_VIEWPORTS: usize = 16;
    pub const MAX_SO_BUFFERS: usize = 4;
    pub const MAX_SO_OUTPUTS: usize = 64;
    pub const MAX_SHADER_BUFFERS: usize = 32;
    pub const MAX_SHADER_IMAGES: usize = 32;
    pub const MAX_HW_ATOMIC_BUFFERS: usize = 32;
    /// Streamout targets one SET_STREAMOUT_TARGETS may carry (the host's handle array).
    pub const MAX_SO_TARGETS: usize = 16;
    /// Planes a video buffer may have (`VREND_VIDEO_BUFFER_PLANE_NUM`).
    pub const MAX_VIDEO_PLANES: usize = 3;
    /// Planes PIPE_RESOURCE_SET_TYPE may describe (`VIRGL_GBM_MAX_PLANES`).
    pub const MAX_PLANES: usize = 4;
}
