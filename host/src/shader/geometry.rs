//! Geometry shaders: the primitive layouts, inputs of every vertex, and `EMIT`.
//!
//! The `GS_*` properties become the two layout declarations:
//!
//! ```glsl
//! layout(points) in;
//! layout(triangle_strip, max_vertices = 8) out;
//! ```
//!
//! with `invocations = N` on the input layout for `GS_INVOCATIONS` above 1. That, and
//! `SV INVOCATIONID`, need GLSL 4.00, so such a shader says `#version 400 core` (GLSL 3.30
//! with `GL_ARB_gpu_shader5` would do for Mesa, but not for glslang).
//!
//! An input `IN[v][n]` is vertex `v` of a per-vertex input, declared `DCL IN[][n]`:
//!
//! | semantic | GLSL |
//! |---|---|
//! | `POSITION` | `gl_in[v].gl_Position` |
//! | `PSIZE` | `gl_in[v].gl_PointSize` in x |
//! | `COLOR`, `BCOLOR`, `GENERIC`, `TEXCOORD`, `FOG` | `vg_color0[v]`, ...: what a vertex shader feeding a geometry shader names its outputs ([`GEOMETRY_INPUT`]) |
//!
//! `IN[n], PRIMID` and `SV PRIMID` are `gl_PrimitiveIDIn`, `SV INVOCATIONID` is
//! `gl_InvocationID`.
//!
//! Outputs are private `vec4`s (`position`, `generic0`, `psize`, ...) that keep their values
//! across `EMIT`, as TGSI registers do. `EMIT` calls `emit_vertex()`, which copies them to the
//! GLSL outputs (`gl_Position`, `v_generic0`, built-ins), computes the clip distances and the
//! stream output, flips y ([`super::ADJUST_Y`]) and calls `EmitVertex()`; the geometry shader
//! is then the last stage before the rasterizer, so the vertex shader does none of these.
//! `ENDPRIM` is `EndPrimitive()`. Both must name vertex stream 0.

use std::fmt::Write;

use virgl_proto::tgsi::{
    Declaration, Item, Primitive, PropertyName, PropertyValue, SemanticName, Shader,
};

use super::decl::{varying_stem, Declarations};
use super::unsupported;
use crate::error::Result;

/// The prefix of the varyings a vertex shader writes for a geometry shader, which reads them
/// as arrays: `vg_generic0[]`.
pub const GEOMETRY_INPUT: &str = "vg_";

/// The GLSL version of a geometry shader with invocations.
const GLSL_400: u32 = 400;

/// The vertices of each primitive geometry shader `gs` emits (`GS_OUTPUT_PRIMITIVE`): 1, 2
/// or 3.
pub fn geometry_output_vertices(gs: &Shader) -> u32 {
    let output = gs.items.iter().find_map(|item| match item {
        Item::Property(p) if p.name == PropertyName::GsOutputPrimitive => Some(p.value),
        _ => None,
    });
    match output {
        Some(PropertyValue::Primitive(Primitive::Points)) => 1,
        Some(PropertyValue::Primitive(Primitive::LineStrip)) => 2,
        _ => 3,
    }
}

/// What the `GS_*` properties say.
#[derive(Clone, Copy, Debug)]
pub(super) struct Layout {
    input: Option<Primitive>,
    output: Option<Primitive>,
    max_vertices: Option<u32>,
    invocations: u32,
    /// `SV INVOCATIONID` is read.
    pub invocation_id: bool,
}

impl Default for Layout {
    fn default() -> Layout {
        Layout {
            input: None,
            output: None,
            max_vertices: None,
            invocations: 1,
            invocation_id: false,
        }
    }
}

/// Whether `name` is a geometry shader property.
pub(super) fn is_property(name: PropertyName) -> bool {
    matches!(
        name,
        PropertyName::GsInputPrimitive
            | PropertyName::GsOutputPrimitive
            | PropertyName::GsMaxOutputVertices
            | PropertyName::GsInvocations
    )
}

/// The GLSL input layout of a primitive and its vertex count.
fn input_primitive(p: Primitive) -> Option<(&'static str, u32)> {
    use Primitive as P;
    Some(match p {
        P::Points => ("points", 1),
        P::Lines | P::LineStrip | P::LineLoop => ("lines", 2),
        P::Triangles | P::TriangleStrip | P::TriangleFan => ("triangles", 3),
        P::LinesAdjacency | P::LineStripAdjacency => ("lines_adjacency", 4),
        P::TrianglesAdjacency | P::TriangleStripAdjacency => ("triangles_adjacency", 6),
        _ => return None,
    })
}

fn output_primitive(p: Primitive) -> Option<&'static str> {
    Some(match p {
        Primitive::Points => "points",
        Primitive::LineStrip => "line_strip",
        Primitive::TriangleStrip => "triangle_strip",
        _ => return None,
    })
}

impl Layout {
    /// Takes property `name`.
    pub(super) fn set(&mut self, name: PropertyName, value: PropertyValue) -> Result<()> {
        let bad = || unsupported(format!("property {name} {value:?}"), None);
        match (name, value) {
            (PropertyName::GsInputPrimitive, PropertyValue::Primitive(p)) => {
                input_primitive(p).ok_or_else(bad)?;
                self.input = Some(p);
            }
            (PropertyName::GsOutputPrimitive, PropertyValue::Primitive(p)) => {
                output_primitive(p).ok_or_else(bad)?;
                self.output = Some(p);
            }
            (PropertyName::GsMaxOutputVertices, PropertyValue::Uint(n)) => {
                self.max_vertices = Some(n)
            }
            (PropertyName::GsInvocations, PropertyValue::Uint(n)) if n >= 1 => self.invocations = n,
            _ => return Err(bad()),
        }
        Ok(())
    }

    /// The vertices of one input primitive.
    pub(super) fn input_vertices(&self) -> u32 {
        self.input.and_then(input_primitive).map_or(0, |p| p.1)
    }

    /// The two layout declarations.
    fn declarations(&self) -> Result<String> {
        let missing = |what: &str| unsupported(format!("geometry shader without {what}"), None);
        let (input, _) = self
            .input
            .and_then(input_primitive)
            .ok_or_else(|| missing("GS_INPUT_PRIMITIVE"))?;
        let output = self
            .output
            .and_then(output_primitive)
            .ok_or_else(|| missing("GS_OUTPUT_PRIMITIVE"))?;
        let max = self
            .max_vertices
            .ok_or_else(|| missing("GS_MAX_OUTPUT_VERTICES"))?;
        let invocations = match self.invocations {
            1 => String::new(),
            n => format!(", invocations = {n}"),
        };
        Ok(format!(
            "layout({input}{invocations}) in;\nlayout({output}, max_vertices = {max}) out;\n"
        ))
    }
}

/// A per-vertex input: what `IN[v][n]` reads, given `v`.
#[derive(Clone, Debug)]
pub(super) enum VertexInput {
    /// A member of `gl_in[v]`, and how many components it has.
    Builtin(&'static str, usize),
    /// An array of vertex shader outputs.
    Varying(String),
}

impl Declarations {
    /// Declares per-vertex input `i`, semantic `name[index]`.
    pub(super) fn vertex_input(
        &mut self,
        decl: &Declaration,
        name: SemanticName,
        index: u32,
        i: u32,
    ) -> Result<()> {
        let input = match name {
            SemanticName::Position => VertexInput::Builtin("gl_Position", 4),
            SemanticName::Psize => VertexInput::Builtin("gl_PointSize", 1),
            name => {
                let stem = varying_stem(name)
                    .ok_or_else(|| unsupported(format!("declaration `{decl}` (semantic)"), None))?;
                let v = format!("{GEOMETRY_INPUT}{stem}{index}");
                self.interface.push(format!("in vec4 {v}[]; // IN[][{i}]"));
                VertexInput::Varying(v)
            }
        };
        self.vertex_inputs.insert(i, input);
        Ok(())
    }

    /// `IN[vertex][i]` as a `vec4`, `vertex` a GLSL integer expression.
    pub(super) fn vertex_input_at(&self, i: u32, vertex: &str) -> Option<String> {
        Some(match self.vertex_inputs.get(&i)? {
            VertexInput::Builtin(b, 4) => format!("gl_in[{vertex}].{b}"),
            VertexInput::Builtin(b, _) => format!("vec4(gl_in[{vertex}].{b}, 0.0, 0.0, 1.0)"),
            VertexInput::Varying(v) => format!("{v}[{vertex}]"),
        })
    }

    /// The private variable standing for geometry output `i`, semantic `name[index]`, copied
    /// to its GLSL output at each `EMIT`.
    pub(super) fn geometry_output(
        &mut self,
        decl: &Declaration,
        name: SemanticName,
        index: u32,
        i: u32,
    ) -> Result<String> {
        let (private, copy) = match name {
            SemanticName::Position => ("position".to_string(), "gl_Position".to_string()),
            name => {
                let stem = varying_stem(name)
                    .ok_or_else(|| unsupported(format!("declaration `{decl}` (semantic)"), None))?;
                let v = format!("v_{stem}{index}");
                let q = self.link.qualifiers.get(&v).copied().unwrap_or("");
                self.needs = self.needs.max(super::decl::qualifier_version(q));
                self.interface.push(format!("{q}out vec4 {v}; // OUT[{i}]"));
                (format!("{stem}{index}"), v)
            }
        };
        self.privates
            .push(format!("vec4 {private} = vec4(0.0); // OUT[{i}]"));
        self.epilogue.push(format!("{copy} = {private};"));
        Ok(private)
    }

    /// The layouts and the GLSL version they need (0 where invocations are not used).
    pub(super) fn geometry_header(&self) -> Result<(u32, String)> {
        let g = &self.geometry;
        let version = if g.invocations > 1 || g.invocation_id {
            GLSL_400
        } else {
            0
        };
        Ok((version, self.geometry.declarations()?))
    }
}

/// `emit_vertex()`: the outputs copied, then `so_copies` and the y flip, then the vertex.
pub(super) fn emit_function(regs: &Declarations, so_copies: &str) -> String {
    let mut s = String::from("\nvoid emit_vertex()\n{\n");
    for line in &regs.epilogue {
        let _ = writeln!(s, "    {line}");
    }
    s.push_str(so_copies);
    let _ = writeln!(s, "    gl_Position.y *= {};", super::ADJUST_Y);
    s.push_str("    EmitVertex();\n}\n");
    s
}
