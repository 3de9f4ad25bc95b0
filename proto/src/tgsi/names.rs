//! The named values of TGSI text: each enum is one table of variant, number and spelling.
//!
//! The spellings are the ones virglrenderer's `tgsi_strings.c` matches (it parses the text),
//! and the numbers are the `TGSI_*` values of virglrenderer's `p_shader_tokens.h`. Names are
//! matched without regard to case, as virglrenderer matches them.

use std::fmt;

/// Defines a `Copy` enum from rows of `Variant = number, "SPELLING";`, with lookups both ways.
macro_rules! named {
    (
        $(#[$meta:meta])*
        pub enum $ty:ident {
            $($(#[$vmeta:meta])* $variant:ident = $num:literal, $text:literal;)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $ty {
            $($(#[$vmeta])* #[doc = concat!("`", $text, "`")] $variant,)+
        }

        impl $ty {
            /// Every value, in numeric order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The spelling in TGSI text.
            pub const fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $text,)+
                }
            }

            /// The number in TGSI tokens.
            pub const fn number(self) -> u32 {
                match self {
                    $($ty::$variant => $num,)+
                }
            }

            /// The value spelled `name`, ignoring case.
            pub fn from_name(name: &str) -> Option<$ty> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.name().eq_ignore_ascii_case(name))
            }

            /// The value numbered `number`.
            pub fn from_number(number: u32) -> Option<$ty> {
                Self::ALL.iter().copied().find(|v| v.number() == number)
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

named! {
    /// The shader stage a text starts with (`TGSI_PROCESSOR_*`); also the values of the
    /// `NEXT_SHADER` property.
    pub enum Processor {
        Frag = 0, "FRAG";
        Vert = 1, "VERT";
        Geom = 2, "GEOM";
        TessCtrl = 3, "TESS_CTRL";
        TessEval = 4, "TESS_EVAL";
        Comp = 5, "COMP";
    }
}

impl Processor {
    /// The `pipe_shader_type` this stage is sent as.
    pub fn shader_type(self) -> crate::pipe::ShaderType {
        use crate::pipe::ShaderType as S;
        match self {
            Processor::Vert => S::Vertex,
            Processor::Frag => S::Fragment,
            Processor::Geom => S::Geometry,
            Processor::TessCtrl => S::TessCtrl,
            Processor::TessEval => S::TessEval,
            Processor::Comp => S::Compute,
        }
    }
}

named! {
    /// Register files (`TGSI_FILE_*`). virglrenderer still knows `PRED`, which Mesa dropped,
    /// so its numbers from `SV` on are one higher than Mesa's.
    pub enum File {
        Null = 0, "NULL";
        Const = 1, "CONST";
        In = 2, "IN";
        Out = 3, "OUT";
        Temp = 4, "TEMP";
        Samp = 5, "SAMP";
        Addr = 6, "ADDR";
        Imm = 7, "IMM";
        Pred = 8, "PRED";
        Sv = 9, "SV";
        Image = 10, "IMAGE";
        Sview = 11, "SVIEW";
        Buffer = 12, "BUFFER";
        Memory = 13, "MEMORY";
        HwAtomic = 14, "HWATOMIC";
    }
}

named! {
    /// Declaration semantics (`TGSI_SEMANTIC_*`).
    pub enum SemanticName {
        Position = 0, "POSITION";
        Color = 1, "COLOR";
        Bcolor = 2, "BCOLOR";
        Fog = 3, "FOG";
        Psize = 4, "PSIZE";
        Generic = 5, "GENERIC";
        Normal = 6, "NORMAL";
        Face = 7, "FACE";
        Edgeflag = 8, "EDGEFLAG";
        PrimId = 9, "PRIM_ID";
        InstanceId = 10, "INSTANCEID";
        VertexId = 11, "VERTEXID";
        Stencil = 12, "STENCIL";
        ClipDist = 13, "CLIPDIST";
        ClipVertex = 14, "CLIPVERTEX";
        GridSize = 15, "GRID_SIZE";
        BlockId = 16, "BLOCK_ID";
        BlockSize = 17, "BLOCK_SIZE";
        ThreadId = 18, "THREAD_ID";
        Texcoord = 19, "TEXCOORD";
        Pcoord = 20, "PCOORD";
        ViewportIndex = 21, "VIEWPORT_INDEX";
        Layer = 22, "LAYER";
        CullDist = 23, "CULLDIST";
        SampleId = 24, "SAMPLEID";
        SamplePos = 25, "SAMPLEPOS";
        SampleMask = 26, "SAMPLEMASK";
        InvocationId = 27, "INVOCATIONID";
        VertexIdNobase = 28, "VERTEXID_NOBASE";
        BaseVertex = 29, "BASEVERTEX";
        Patch = 30, "PATCH";
        TessCoord = 31, "TESSCOORD";
        TessOuter = 32, "TESSOUTER";
        TessInner = 33, "TESSINNER";
        VerticesIn = 34, "VERTICESIN";
        HelperInvocation = 35, "HELPER_INVOCATION";
        BaseInstance = 36, "BASEINSTANCE";
        DrawId = 37, "DRAWID";
        WorkDim = 38, "WORK_DIM";
        SubgroupSize = 39, "SUBGROUP_SIZE";
        SubgroupInvocation = 40, "SUBGROUP_INVOCATION";
        SubgroupEqMask = 41, "SUBGROUP_EQ_MASK";
        SubgroupGeMask = 42, "SUBGROUP_GE_MASK";
        SubgroupGtMask = 43, "SUBGROUP_GT_MASK";
        SubgroupLeMask = 44, "SUBGROUP_LE_MASK";
        SubgroupLtMask = 45, "SUBGROUP_LT_MASK";
        CsUserDataAmd = 46, "CS_USER_DATA_AMD";
        ViewportMask = 47, "VIEWPORT_MASK";
    }
}

named! {
    /// Shader properties (`TGSI_PROPERTY_*`). [`PropertyName::kind`] says what value each takes.
    pub enum PropertyName {
        GsInputPrimitive = 0, "GS_INPUT_PRIMITIVE";
        GsOutputPrimitive = 1, "GS_OUTPUT_PRIMITIVE";
        GsMaxOutputVertices = 2, "GS_MAX_OUTPUT_VERTICES";
        FsCoordOrigin = 3, "FS_COORD_ORIGIN";
        FsCoordPixelCenter = 4, "FS_COORD_PIXEL_CENTER";
        FsColor0WritesAllCbufs = 5, "FS_COLOR0_WRITES_ALL_CBUFS";
        FsDepthLayout = 6, "FS_DEPTH_LAYOUT";
        VsProhibitUcps = 7, "VS_PROHIBIT_UCPS";
        GsInvocations = 8, "GS_INVOCATIONS";
        VsWindowSpacePosition = 9, "VS_WINDOW_SPACE_POSITION";
        TcsVerticesOut = 10, "TCS_VERTICES_OUT";
        TesPrimMode = 11, "TES_PRIM_MODE";
        TesSpacing = 12, "TES_SPACING";
        TesVertexOrderCw = 13, "TES_VERTEX_ORDER_CW";
        TesPointMode = 14, "TES_POINT_MODE";
        NumClipdistEnabled = 15, "NUM_CLIPDIST_ENABLED";
        NumCulldistEnabled = 16, "NUM_CULLDIST_ENABLED";
        FsEarlyDepthStencil = 17, "FS_EARLY_DEPTH_STENCIL";
        FsPostDepthCoverage = 18, "FS_POST_DEPTH_COVERAGE";
        NextShader = 19, "NEXT_SHADER";
        CsFixedBlockWidth = 20, "CS_FIXED_BLOCK_WIDTH";
        CsFixedBlockHeight = 21, "CS_FIXED_BLOCK_HEIGHT";
        CsFixedBlockDepth = 22, "CS_FIXED_BLOCK_DEPTH";
        MulZeroWins = 23, "MUL_ZERO_WINS";
        VsBlitSgprsAmd = 24, "VS_BLIT_SGPRS_AMD";
        CsUserDataComponentsAmd = 25, "CS_USER_DATA_COMPONENTS_AMD";
        LayerViewportRelative = 26, "LAYER_VIEWPORT_RELATIVE";
        FsBlendEquationAdvanced = 27, "FS_BLEND_EQUATION_ADVANCED";
        SeparableProgram = 28, "SEPARABLE_PROGRAM";
    }
}

/// What a property's value is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyKind {
    /// A decimal unsigned number.
    Uint,
    /// A [`Primitive`] name.
    Primitive,
    /// An [`FsCoordOrigin`] name.
    CoordOrigin,
    /// An [`FsCoordPixelCenter`] name.
    PixelCenter,
    /// A [`Processor`] name.
    Shader,
}

impl PropertyName {
    /// The kind of value the property takes (`parse_property` in `tgsi_text.c`).
    pub const fn kind(self) -> PropertyKind {
        match self {
            PropertyName::GsInputPrimitive | PropertyName::GsOutputPrimitive => {
                PropertyKind::Primitive
            }
            PropertyName::FsCoordOrigin => PropertyKind::CoordOrigin,
            PropertyName::FsCoordPixelCenter => PropertyKind::PixelCenter,
            PropertyName::NextShader => PropertyKind::Shader,
            _ => PropertyKind::Uint,
        }
    }
}

named! {
    /// Primitive types (`PIPE_PRIM_*`), the values of the geometry shader primitive properties.
    pub enum Primitive {
        Points = 0, "POINTS";
        Lines = 1, "LINES";
        LineLoop = 2, "LINE_LOOP";
        LineStrip = 3, "LINE_STRIP";
        Triangles = 4, "TRIANGLES";
        TriangleStrip = 5, "TRIANGLE_STRIP";
        TriangleFan = 6, "TRIANGLE_FAN";
        Quads = 7, "QUADS";
        QuadStrip = 8, "QUAD_STRIP";
        Polygon = 9, "POLYGON";
        LinesAdjacency = 10, "LINES_ADJACENCY";
        LineStripAdjacency = 11, "LINE_STRIP_ADJACENCY";
        TrianglesAdjacency = 12, "TRIANGLES_ADJACENCY";
        TriangleStripAdjacency = 13, "TRIANGLE_STRIP_ADJACENCY";
        Patches = 14, "PATCHES";
    }
}

named! {
    /// Values of `FS_COORD_ORIGIN` (`TGSI_FS_COORD_ORIGIN_*`).
    pub enum FsCoordOrigin {
        UpperLeft = 0, "UPPER_LEFT";
        LowerLeft = 1, "LOWER_LEFT";
    }
}

named! {
    /// Values of `FS_COORD_PIXEL_CENTER` (`TGSI_FS_COORD_PIXEL_CENTER_*`).
    pub enum FsCoordPixelCenter {
        HalfInteger = 0, "HALF_INTEGER";
        Integer = 1, "INTEGER";
    }
}

named! {
    /// Texture targets (`TGSI_TEXTURE_*`) of sampler views, images and texture instructions.
    pub enum Texture {
        Buffer = 0, "BUFFER";
        D1 = 1, "1D";
        D2 = 2, "2D";
        D3 = 3, "3D";
        Cube = 4, "CUBE";
        Rect = 5, "RECT";
        Shadow1d = 6, "SHADOW1D";
        Shadow2d = 7, "SHADOW2D";
        ShadowRect = 8, "SHADOWRECT";
        Array1d = 9, "1D_ARRAY";
        Array2d = 10, "2D_ARRAY";
        Shadow1dArray = 11, "SHADOW1D_ARRAY";
        Shadow2dArray = 12, "SHADOW2D_ARRAY";
        ShadowCube = 13, "SHADOWCUBE";
        Msaa2d = 14, "2D_MSAA";
        Msaa2dArray = 15, "2D_ARRAY_MSAA";
        CubeArray = 16, "CUBEARRAY";
        ShadowCubeArray = 17, "SHADOWCUBEARRAY";
        Unknown = 18, "UNKNOWN";
    }
}

named! {
    /// What a sampler view returns per channel (`TGSI_RETURN_TYPE_*`).
    pub enum ReturnType {
        Unorm = 0, "UNORM";
        Snorm = 1, "SNORM";
        Sint = 2, "SINT";
        Uint = 3, "UINT";
        Float = 4, "FLOAT";
    }
}

named! {
    /// Input interpolation (`TGSI_INTERPOLATE_*`).
    pub enum Interpolate {
        Constant = 0, "CONSTANT";
        Linear = 1, "LINEAR";
        Perspective = 2, "PERSPECTIVE";
        Color = 3, "COLOR";
    }
}

named! {
    /// Where an input is interpolated (`TGSI_INTERPOLATE_LOC_*`).
    pub enum InterpLocation {
        Center = 0, "CENTER";
        Centroid = 1, "CENTROID";
        Sample = 2, "SAMPLE";
    }
}

named! {
    /// The address space of a `MEMORY` declaration (`TGSI_MEMORY_TYPE_*`).
    pub enum MemoryType {
        Global = 0, "GLOBAL";
        Shared = 1, "SHARED";
        Private = 2, "PRIVATE";
        Input = 3, "INPUT";
    }
}

named! {
    /// The value type of an immediate (`TGSI_IMM_*`).
    pub enum ImmType {
        Flt32 = 0, "FLT32";
        Uint32 = 1, "UINT32";
        Int32 = 2, "INT32";
        Flt64 = 3, "FLT64";
        Uint64 = 4, "UINT64";
        Int64 = 5, "INT64";
    }
}

named! {
    /// One component of a register: a swizzle selector or an indirect address component.
    pub enum Component {
        X = 0, "x";
        Y = 1, "y";
        Z = 2, "z";
        W = 3, "w";
    }
}

impl Component {
    /// The component a letter names, in either case.
    pub fn from_letter(c: u8) -> Option<Component> {
        match c.to_ascii_lowercase() {
            b'x' => Some(Component::X),
            b'y' => Some(Component::Y),
            b'z' => Some(Component::Z),
            b'w' => Some(Component::W),
            _ => None,
        }
    }
}

bitflags::bitflags! {
    /// Memory access qualifiers of load, store and atomic instructions (`TGSI_MEMORY_*`); the
    /// flag names are their spellings.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct MemoryQualifiers: u8 {
        const COHERENT = 1 << 0;
        const RESTRICT = 1 << 1;
        const VOLATILE = 1 << 2;
    }
}

bitflags::bitflags! {
    /// The components a destination writes or a declaration uses (`TGSI_WRITEMASK_*`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct WriteMask: u8 {
        const X = 1 << 0;
        const Y = 1 << 1;
        const Z = 1 << 2;
        const W = 1 << 3;
        const XYZW = 0xf;
    }
}

impl Default for WriteMask {
    fn default() -> WriteMask {
        WriteMask::XYZW
    }
}
