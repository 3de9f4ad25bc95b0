//! Command headers and the command table: every id with its upstream name and the payload
//! lengths it takes, and every object type with the length CREATE_OBJECT takes for it.
//!
//! Lengths follow virglrenderer's decoder (`src/vrend/vrend_decode.c`), tightened where the host
//! ignores extra dwords: an ignored dword is a bit dropped silently, so it is an error here.

use super::bits::bits;
use crate::error::LenRule;
use crate::pipe::{limits, wire_enum};

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

impl ObjectType {
    /// Whether BIND_OBJECT binds this kind (the others are bound by their own commands).
    pub const fn bindable(self) -> bool {
        matches!(
            self,
            ObjectType::Blend
                | ObjectType::Rasterizer
                | ObjectType::Dsa
                | ObjectType::VertexElements
        )
    }

    fn info(self) -> &'static ObjectInfo {
        &OBJECTS[self as usize - 1]
    }
}

/// The largest payload a header can describe (`VIRGL_CMD0_MAX_DWORDS` rounds this down to 65532).
pub const MAX_PAYLOAD_DWORDS: usize = 0xffff;

/// A command header dword, unpacked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// Command id.
    pub id: u8,
    /// Object type; 0 unless the command manages objects.
    pub object: u8,
    /// Payload length in dwords, header excluded.
    pub len: u16,
}

bits! {
    /// `VIRGL_CMD0(cmd, obj, len)`.
    pub(crate) struct HeaderBits("header") for Header {
        id: u8 = 0..8,
        object: u8 = 8..16,
        len: u16 = 16..32,
    }
}

impl Header {
    /// Packs the header as `VIRGL_CMD0(id, object, len)` does.
    pub fn pack(self) -> u32 {
        use super::bits::Layout;
        HeaderBits::pack(&self).expect("every header field fills its bits exactly")
    }

    /// Splits a header dword into its fields.
    pub fn unpack(dword: u32) -> Header {
        use super::bits::Layout;
        let mut h = Header::default();
        HeaderBits::unpack_into(dword, &mut h).expect("a header has no reserved bits");
        h
    }
}

/// Which object types a command's header may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectRule {
    /// None: the object byte must be 0.
    None,
    /// Any object type (CREATE_OBJECT, DESTROY_OBJECT).
    Any,
    /// Only the kinds BIND_OBJECT binds.
    Bindable,
}

/// One row of the command table.
#[derive(Clone, Copy, Debug)]
pub struct CommandInfo {
    pub id: CommandId,
    /// The upstream name without `VIRGL_CCMD_`.
    pub name: &'static str,
    /// Payload lengths accepted; for CREATE_OBJECT see [`ObjectInfo::create_len`].
    pub len: LenRule,
    pub object: ObjectRule,
}

/// One row of the object table.
#[derive(Clone, Copy, Debug)]
pub struct ObjectInfo {
    pub object: ObjectType,
    /// The upstream name without `VIRGL_OBJECT_`.
    pub name: &'static str,
    /// Command names with the object named, for messages and dumps.
    pub create: &'static str,
    pub bind: &'static str,
    pub destroy: &'static str,
    /// Payload lengths CREATE_OBJECT takes for this kind.
    pub create_len: LenRule,
}

const ANY: LenRule = LenRule::Range {
    min: 0,
    max: u16::MAX,
};

const fn exact(n: u16) -> LenRule {
    LenRule::Exact(n)
}

const fn at_least(min: u16) -> LenRule {
    LenRule::Range { min, max: u16::MAX }
}

const fn between(min: u16, max: usize) -> LenRule {
    LenRule::Range {
        min,
        max: max as u16,
    }
}

const fn repeated(base: u16, step: u16, min_n: u16, max_n: usize) -> LenRule {
    LenRule::Repeated {
        base,
        step,
        min_n,
        max_n: max_n as u16,
    }
}

macro_rules! objects {
    ($($variant:ident $name:literal => $len:expr,)+) => {
        /// Every object type, in wire order (index = type - 1).
        pub static OBJECTS: [ObjectInfo; 11] = [$(
            ObjectInfo {
                object: ObjectType::$variant,
                name: $name,
                create: concat!("CREATE_OBJECT(", $name, ")"),
                bind: concat!("BIND_OBJECT(", $name, ")"),
                destroy: concat!("DESTROY_OBJECT(", $name, ")"),
                create_len: $len,
            },
        )+];
    };
}

objects! {
    Blend "BLEND" => exact(11),
    Rasterizer "RASTERIZER" => exact(9),
    Dsa "DSA" => exact(5),
    // The header (5 dwords, more with stream output) is checked against the payload later.
    Shader "SHADER" => at_least(5),
    VertexElements "VERTEX_ELEMENTS" => repeated(1, 4, 0, limits::MAX_ATTRIBS),
    SamplerView "SAMPLER_VIEW" => exact(6),
    SamplerState "SAMPLER_STATE" => exact(9),
    Surface "SURFACE" => exact(5),
    Query "QUERY" => exact(4),
    StreamoutTarget "STREAMOUT_TARGET" => exact(4),
    MsaaSurface "MSAA_SURFACE" => exact(6),
}

macro_rules! commands {
    ($($variant:ident $name:literal => $len:expr $(, $obj:ident)?;)+) => {
        /// Every command id, in wire order (index = id).
        pub static COMMANDS: [CommandInfo; MAX_COMMANDS as usize] = [$(
            CommandInfo {
                id: CommandId::$variant,
                name: $name,
                len: $len,
                object: commands!(@obj $($obj)?),
            },
        )+];
    };
    (@obj) => { ObjectRule::None };
    (@obj $obj:ident) => { ObjectRule::$obj };
}

commands! {
    // The payload must be zero: padding outside END_TRANSFERS carries nothing.
    Nop "NOP" => ANY;
    CreateObject "CREATE_OBJECT" => ANY, Any;
    BindObject "BIND_OBJECT" => exact(1), Bindable;
    DestroyObject "DESTROY_OBJECT" => exact(1), Any;
    SetViewportState "SET_VIEWPORT_STATE" => repeated(1, 6, 0, limits::MAX_VIEWPORTS);
    // nr_cbufs, zsurf, then nr_cbufs handles.
    SetFramebufferState "SET_FRAMEBUFFER_STATE" => between(2, 2 + limits::MAX_COLOR_BUFS);
    SetVertexBuffers "SET_VERTEX_BUFFERS" => repeated(0, 3, 0, limits::MAX_ATTRIBS);
    Clear "CLEAR" => exact(8);
    DrawVbo "DRAW_VBO" => LenRule::OneOf(&[12, 14, 20]);
    // The host rejects an inline write without data (vrend_decode.c:444).
    ResourceInlineWrite "RESOURCE_INLINE_WRITE" => at_least(12);
    SetSamplerViews "SET_SAMPLER_VIEWS" => between(2, 2 + limits::MAX_SHADER_SAMPLER_VIEWS);
    SetIndexBuffer "SET_INDEX_BUFFER" => LenRule::OneOf(&[1, 3]);
    SetConstantBuffer "SET_CONSTANT_BUFFER" => at_least(2);
    SetStencilRef "SET_STENCIL_REF" => exact(1);
    SetBlendColor "SET_BLEND_COLOR" => exact(4);
    SetScissorState "SET_SCISSOR_STATE" => repeated(1, 2, 0, limits::MAX_VIEWPORTS);
    Blit "BLIT" => exact(21);
    ResourceCopyRegion "RESOURCE_COPY_REGION" => exact(13);
    BindSamplerStates "BIND_SAMPLER_STATES" => between(2, 2 + limits::MAX_SAMPLERS);
    BeginQuery "BEGIN_QUERY" => exact(1);
    EndQuery "END_QUERY" => exact(1);
    GetQueryResult "GET_QUERY_RESULT" => exact(2);
    SetPolygonStipple "SET_POLYGON_STIPPLE" => exact(32);
    SetClipState "SET_CLIP_STATE" => exact(32);
    SetSampleMask "SET_SAMPLE_MASK" => exact(1);
    SetStreamoutTargets "SET_STREAMOUT_TARGETS" => between(1, 1 + limits::MAX_SO_TARGETS);
    SetRenderCondition "SET_RENDER_CONDITION" => exact(3);
    SetUniformBuffer "SET_UNIFORM_BUFFER" => exact(5);
    SetSubCtx "SET_SUB_CTX" => exact(1);
    CreateSubCtx "CREATE_SUB_CTX" => exact(1);
    DestroySubCtx "DESTROY_SUB_CTX" => exact(1);
    BindShader "BIND_SHADER" => exact(2);
    SetTessState "SET_TESS_STATE" => exact(6);
    SetMinSamples "SET_MIN_SAMPLES" => exact(1);
    // The host truncates (len - 2) / 3; a partial element would be ignored.
    SetShaderBuffers "SET_SHADER_BUFFERS" => repeated(2, 3, 0, limits::MAX_SHADER_BUFFERS);
    SetShaderImages "SET_SHADER_IMAGES" => repeated(2, 5, 0, limits::MAX_SHADER_IMAGES);
    MemoryBarrier "MEMORY_BARRIER" => exact(1);
    LaunchGrid "LAUNCH_GRID" => exact(8);
    SetFramebufferStateNoAttach "SET_FRAMEBUFFER_STATE_NO_ATTACH" => exact(2);
    TextureBarrier "TEXTURE_BARRIER" => exact(1);
    // The host rejects a payload under 2 dwords (vrend_decode.c:1328), so at least one buffer.
    SetAtomicBuffers "SET_ATOMIC_BUFFERS" => repeated(1, 3, 1, limits::MAX_HW_ATOMIC_BUFFERS);
    SetDebugFlags "SET_DEBUG_FLAGS" => at_least(2);
    GetQueryResultQbo "GET_QUERY_RESULT_QBO" => exact(6);
    // The host takes 13 or more and ignores the rest.
    Transfer3d "TRANSFER3D" => exact(13);
    // Mesa pads its transfer batch with this; the host ignores the payload.
    EndTransfers "END_TRANSFERS" => ANY;
    CopyTransfer3d "COPY_TRANSFER3D" => exact(14);
    // The host takes 2 or more and ignores the rest.
    SetTweaks "SET_TWEAKS" => exact(2);
    ClearTexture "CLEAR_TEXTURE" => exact(12);
    PipeResourceCreate "PIPE_RESOURCE_CREATE" => exact(11);
    PipeResourceSetType "PIPE_RESOURCE_SET_TYPE" => repeated(8, 2, 1, limits::MAX_PLANES);
    GetMemoryInfo "GET_MEMORY_INFO" => exact(1);
    // The byte length, then exactly the dwords holding that many bytes.
    SendStringMarker "SEND_STRING_MARKER" => at_least(2);
    LinkShader "LINK_SHADER" => exact(6);
    // Seven fields, then max_references when the host is new enough.
    CreateVideoCodec "CREATE_VIDEO_CODEC" => LenRule::OneOf(&[7, 8]);
    DestroyVideoCodec "DESTROY_VIDEO_CODEC" => exact(1);
    // Four fields, then one resource per plane; the host drops planes past three.
    CreateVideoBuffer "CREATE_VIDEO_BUFFER" => between(5, 4 + limits::MAX_VIDEO_PLANES);
    DestroyVideoBuffer "DESTROY_VIDEO_BUFFER" => exact(1);
    BeginFrame "BEGIN_FRAME" => exact(2);
    DecodeMacroblock "DECODE_MACROBLOCK" => ANY;
    DecodeBitstream "DECODE_BITSTREAM" => exact(5);
    EncodeBitstream "ENCODE_BITSTREAM" => exact(5);
    EndFrame "END_FRAME" => exact(2);
    ClearSurface "CLEAR_SURFACE" => exact(10);
    // The host takes 2 or more and ignores the rest.
    GetPipeResourceLayout "GET_PIPE_RESOURCE_LAYOUT" => exact(2);
}

impl CommandId {
    /// This command's row of the table.
    pub fn info(self) -> &'static CommandInfo {
        &COMMANDS[self as usize]
    }
}

/// The name of command `id` carrying object byte `object`, for messages and dumps: object
/// commands name the object (`CREATE_OBJECT(BLEND)`) when the byte names one.
pub fn command_name(id: u8, object: u8) -> &'static str {
    let Some(cmd) = COMMANDS.get(usize::from(id)) else {
        return "UNKNOWN";
    };
    let obj = ObjectType::from_wire(u32::from(object)).map(ObjectType::info);
    match (cmd.id, obj) {
        (CommandId::CreateObject, Some(o)) => o.create,
        (CommandId::BindObject, Some(o)) => o.bind,
        (CommandId::DestroyObject, Some(o)) => o.destroy,
        _ => cmd.name,
    }
}

/// The payload lengths command `id` with object `object` takes.
pub(crate) fn len_rule(id: CommandId, object: Option<ObjectType>) -> LenRule {
    match (id, object) {
        (CommandId::CreateObject, Some(o)) => o.info().create_len,
        _ => id.info().len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_in_wire_order() {
        for (i, c) in COMMANDS.iter().enumerate() {
            assert_eq!(c.id.to_wire() as usize, i, "{}", c.name);
        }
        for (i, o) in OBJECTS.iter().enumerate() {
            assert_eq!(o.object.to_wire() as usize, i + 1, "{}", o.name);
        }
    }

    #[test]
    fn names() {
        assert_eq!(command_name(1, 1), "CREATE_OBJECT(BLEND)");
        assert_eq!(command_name(3, 11), "DESTROY_OBJECT(MSAA_SURFACE)");
        assert_eq!(command_name(1, 0), "CREATE_OBJECT");
        assert_eq!(command_name(28, 0), "SET_SUB_CTX");
        assert_eq!(command_name(63, 0), "GET_PIPE_RESOURCE_LAYOUT");
        assert_eq!(command_name(64, 0), "UNKNOWN");
    }
}
