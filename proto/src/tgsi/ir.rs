//! The syntax tree: one typed value per line of TGSI text.
//!
//! What the text leaves implicit is normalised: immediates and instructions are numbered by
//! their position, a missing swizzle is `xyzw`, a missing write mask is `XYZW`, and a
//! semantic written without an index has index 0.

use super::names::{
    Component, File, FsCoordOrigin, FsCoordPixelCenter, InterpLocation, Interpolate,
    MemoryQualifiers, MemoryType, Primitive, Processor, PropertyKind, PropertyName, ReturnType,
    SemanticName, Texture, WriteMask,
};
use super::opcode::Opcode;
use crate::format::Format;

/// A whole shader: the stage, then its lines in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shader {
    pub processor: Processor,
    pub items: Vec<Item>,
}

impl Shader {
    /// The instructions, in order.
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.items.iter().filter_map(|i| match i {
            Item::Instruction(x) => Some(x),
            _ => None,
        })
    }

    /// The declarations, in order.
    pub fn declarations(&self) -> impl Iterator<Item = &Declaration> {
        self.items.iter().filter_map(|i| match i {
            Item::Declaration(x) => Some(x),
            _ => None,
        })
    }

    /// The immediates, in order; the n-th is register `IMM[n]`.
    pub fn immediates(&self) -> impl Iterator<Item = &Immediate> {
        self.items.iter().filter_map(|i| match i {
            Item::Immediate(x) => Some(x),
            _ => None,
        })
    }
}

/// One line of a shader body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Property(Property),
    Declaration(Declaration),
    Immediate(Immediate),
    Instruction(Instruction),
}

/// `PROPERTY NAME value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Property {
    pub name: PropertyName,
    pub value: PropertyValue,
}

/// A property's value; its kind must be the one [`PropertyName::kind`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertyValue {
    Uint(u32),
    Primitive(Primitive),
    CoordOrigin(FsCoordOrigin),
    PixelCenter(FsCoordPixelCenter),
    Shader(Processor),
}

impl PropertyValue {
    /// The kind of this value.
    pub fn kind(self) -> PropertyKind {
        match self {
            PropertyValue::Uint(_) => PropertyKind::Uint,
            PropertyValue::Primitive(_) => PropertyKind::Primitive,
            PropertyValue::CoordOrigin(_) => PropertyKind::CoordOrigin,
            PropertyValue::PixelCenter(_) => PropertyKind::PixelCenter,
            PropertyValue::Shader(_) => PropertyKind::Shader,
        }
    }
}

/// One bracket of a declaration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bracket {
    /// `[]`: every vertex of a geometry or tessellation input or output; only valid where the
    /// host knows the vertex count (tessellation stages, and geometry shaders after
    /// `GS_INPUT_PRIMITIVE`).
    Implied,
    /// `[first]` or `[first..last]`.
    Range { first: u32, last: u32 },
}

impl Bracket {
    /// `[i]`.
    pub const fn one(i: u32) -> Bracket {
        Bracket::Range { first: i, last: i }
    }
}

/// A semantic with its index: `GENERIC[3]`, `COLOR`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Semantic {
    pub name: SemanticName,
    pub index: u32,
}

/// The file-specific part of a declaration of an image, sampler view, buffer or memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    /// `IMAGE`: `, TARGET[, FORMAT][, WR][, RAW]`.
    Image {
        target: Texture,
        format: Option<Format>,
        writable: bool,
        raw: bool,
    },
    /// `SVIEW`: `, TARGET, TYPE` (one type for all four channels) or four types.
    SamplerView {
        target: Texture,
        return_types: [ReturnType; 4],
    },
    /// `BUFFER`: `, ATOMIC`.
    AtomicBuffer,
    /// `MEMORY`: `, GLOBAL` and the like.
    Memory(MemoryType),
}

/// `DCL FILE[...][...].mask, attributes...`.
///
/// Attributes follow the order virglrenderer parses them in: `ARRAY(n)`, then `LOCAL` and a
/// semantic (or the [`Resource`] of image, sampler view, buffer and memory files), `STREAM`
/// for geometry outputs, interpolation, location and `INVARIANT`. Vertex shader inputs take
/// none of these but `ARRAY`. Interpolation `COLOR` without a semantic has no text form: it
/// reads back as the `COLOR` semantic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    pub file: File,
    /// The first of two brackets: a constant buffer's index (`CONST[1][0..3]`) or the vertex
    /// dimension of geometry and tessellation inputs (`IN[][0]`).
    pub dimension: Option<Bracket>,
    pub range: Bracket,
    /// Which components are used; `XYZW` is written as no mask.
    pub mask: WriteMask,
    /// `ARRAY(n)`.
    pub array: Option<u32>,
    /// `LOCAL`.
    pub local: bool,
    pub semantic: Option<Semantic>,
    pub resource: Option<Resource>,
    /// `STREAM(x, y, z, w)` of a geometry shader output.
    pub stream: Option<[u32; 4]>,
    pub interpolate: Option<Interpolate>,
    /// Written only when not `CENTER`.
    pub location: InterpLocation,
    /// `INVARIANT`.
    pub invariant: bool,
}

impl Declaration {
    /// `DCL FILE[first..last]` with no attributes.
    pub fn new(file: File, first: u32, last: u32) -> Declaration {
        Declaration {
            file,
            dimension: None,
            range: Bracket::Range { first, last },
            mask: WriteMask::XYZW,
            array: None,
            local: false,
            semantic: None,
            resource: None,
            stream: None,
            interpolate: None,
            location: InterpLocation::Center,
            invariant: false,
        }
    }

    /// With a semantic.
    pub fn semantic(mut self, name: SemanticName, index: u32) -> Declaration {
        self.semantic = Some(Semantic { name, index });
        self
    }

    /// With an interpolation mode.
    pub fn interpolate(mut self, mode: Interpolate) -> Declaration {
        self.interpolate = Some(mode);
        self
    }

    /// With a file-specific part.
    pub fn resource(mut self, resource: Resource) -> Declaration {
        self.resource = Some(resource);
        self
    }

    /// A sampler view of `target` returning `ty` on every channel.
    pub fn sampler_view(index: u32, target: Texture, ty: ReturnType) -> Declaration {
        Declaration::new(File::Sview, index, index).resource(Resource::SamplerView {
            target,
            return_types: [ty; 4],
        })
    }
}

/// `IMM[n] TYPE {values}`: four 32-bit values or two 64-bit ones, as virglrenderer reads them.
/// Floats are kept as their bits, so they round-trip exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Immediate {
    Flt32([u32; 4]),
    Uint32([u32; 4]),
    Int32([i32; 4]),
    Flt64([u64; 2]),
    Uint64([u64; 2]),
    Int64([i64; 2]),
}

impl Immediate {
    /// Four floats.
    pub fn f32(values: [f32; 4]) -> Immediate {
        Immediate::Flt32(values.map(f32::to_bits))
    }

    /// Two doubles.
    pub fn f64(values: [f64; 2]) -> Immediate {
        Immediate::Flt64(values.map(f64::to_bits))
    }
}

/// An indirect address: `ADDR[0].x+2` inside `TEMP[ADDR[0].x+2]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Indirect {
    pub file: File,
    pub index: u32,
    pub component: Component,
    /// Added to the address register's value.
    pub offset: i32,
    /// `(n)` after the bracket: which declared array is addressed; 0 is none.
    pub array_id: u32,
}

/// One bracket of an instruction operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Index {
    Direct(i32),
    Indirect(Indirect),
}

/// A destination operand: `FILE[dim][index].mask`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dst {
    pub file: File,
    pub dimension: Option<Index>,
    pub index: Index,
    /// `XYZW` is written as no mask.
    pub mask: WriteMask,
}

impl Dst {
    /// `FILE[index]`, all components.
    pub fn reg(file: File, index: i32) -> Dst {
        Dst {
            file,
            dimension: None,
            index: Index::Direct(index),
            mask: WriteMask::XYZW,
        }
    }

    /// Writing only `mask`.
    pub fn mask(mut self, mask: WriteMask) -> Dst {
        self.mask = mask;
        self
    }
}

/// A source operand: `-|FILE[dim][index].swizzle|`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Src {
    pub file: File,
    pub dimension: Option<Index>,
    pub index: Index,
    /// `xyzw` is written as no swizzle.
    pub swizzle: [Component; 4],
    pub negate: bool,
    pub absolute: bool,
}

impl Src {
    /// The identity swizzle.
    pub const XYZW: [Component; 4] = [Component::X, Component::Y, Component::Z, Component::W];

    /// `FILE[index]`.
    pub fn reg(file: File, index: i32) -> Src {
        Src {
            file,
            dimension: None,
            index: Index::Direct(index),
            swizzle: Src::XYZW,
            negate: false,
            absolute: false,
        }
    }

    /// With a swizzle.
    pub fn swizzle(mut self, swizzle: [Component; 4]) -> Src {
        self.swizzle = swizzle;
        self
    }

    /// One component on every channel: `.xxxx`.
    pub fn broadcast(self, c: Component) -> Src {
        self.swizzle([c; 4])
    }

    /// Negated.
    pub fn negated(mut self) -> Src {
        self.negate = !self.negate;
        self
    }

    /// Absolute value.
    pub fn abs(mut self) -> Src {
        self.absolute = true;
        self
    }
}

/// A texture offset operand: `IMM[0].xyz`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TexOffset {
    pub file: File,
    pub index: i32,
    pub swizzle: [Component; 3],
}

/// The trailing words of a memory instruction: `, COHERENT, 2D, PIPE_FORMAT_R32_UINT`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    pub qualifiers: MemoryQualifiers,
    pub texture: Option<Texture>,
    pub format: Option<Format>,
}

/// `OPCODE[_SAT][_PRECISE] dst..., src...[, TARGET][, offsets...][, memory...][ :label]`.
///
/// The operand counts are the opcode's ([`Opcode::num_dst`], [`Opcode::num_src`]); `texture`
/// is present exactly for texture opcodes, `offsets` only where [`Opcode::has_texture`],
/// `memory` only matters where [`Opcode::is_memory`], and `label` only for branch opcodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    pub opcode: Opcode,
    pub saturate: bool,
    pub precise: bool,
    pub dst: Vec<Dst>,
    pub src: Vec<Src>,
    pub texture: Option<Texture>,
    /// At most four.
    pub offsets: Vec<TexOffset>,
    pub memory: Memory,
    /// Branch target of `IF`, `ELSE`, loops and `CAL`: an instruction number.
    pub label: Option<u32>,
}

impl Instruction {
    /// `opcode dst..., src...`.
    ///
    /// # Panics
    /// If the operand counts are not the opcode's.
    pub fn new(opcode: Opcode, dst: &[Dst], src: &[Src]) -> Instruction {
        assert_eq!(dst.len(), opcode.num_dst(), "{opcode} destinations");
        assert_eq!(src.len(), opcode.num_src(), "{opcode} sources");
        Instruction {
            opcode,
            saturate: false,
            precise: false,
            dst: dst.to_vec(),
            src: src.to_vec(),
            texture: None,
            offsets: Vec::new(),
            memory: Memory::default(),
            label: None,
        }
    }

    /// With the result clamped to [0, 1] (`_SAT`).
    pub fn saturate(mut self) -> Instruction {
        self.saturate = true;
        self
    }

    /// With a texture target.
    pub fn texture(mut self, target: Texture) -> Instruction {
        self.texture = Some(target);
        self
    }

    /// With a branch label.
    pub fn label(mut self, label: u32) -> Instruction {
        self.label = Some(label);
        self
    }
}
