//! Inputs, outputs and system values: how each TGSI semantic becomes a GLSL varying, a
//! built-in, or a private variable the stage's `main` copies into a built-in once the TGSI
//! body has run.
//!
//! | semantic | vertex stage | fragment stage |
//! |---|---|---|
//! | `POSITION` | `gl_Position` | input `gl_FragCoord`; output `depth`, whose z is `gl_FragDepth` |
//! | `PSIZE` | `psize`, whose x is `gl_PointSize` | |
//! | `CLIPDIST[n]` | `clipdistN`, components of `gl_ClipDistance` | |
//! | `CLIPVERTEX` | `clipvertex`, what user clip planes are tested against | |
//! | `EDGEFLAG` | `edgeflag`, ignored | |
//! | `COLOR`, `BCOLOR`, `GENERIC`, `TEXCOORD`, `FOG` | varyings `v_color0`, ... | the same; `COLOR` outputs are `outN` at their index |
//! | `FACE` | | `face`, x ±1 from `gl_FrontFacing` |
//! | `PCOORD` | | `pcoord`, `gl_PointCoord` in xy |
//! | `SV INSTANCEID`, `VERTEXID` | `svN`, integers | |
//!
//! A geometry shader's outputs are the vertex stage's, held in private variables until `EMIT`;
//! a vertex shader feeding one names its varyings `vg_generic0` and so on (see the `geometry`
//! module).
//!
//! A vertex shader that writes no `CLIPDIST` (and has no `VS_PROHIBIT_UCPS`) sets
//! `gl_ClipDistance[i]` to the dot product of user clip plane `i` ([`CLIP_PLANES`]) with
//! `CLIPVERTEX`, or with the position; the backend enables the distances the rasterizer state
//! asks for. A fragment shader reading `COLOR[n]` whose vertex shader writes `BCOLOR[n]` reads
//! the back colour on back faces when [`TWO_SIDE`] is set (Gallium's `light_twoside`).

use virgl_proto::tgsi::{Declaration, Processor, SemanticName};

use super::decl::{varying, varying_stem, Declarations};
use super::es100;
use super::geometry::GEOMETRY_INPUT;
use super::regs::Ty;
use super::unsupported;
use crate::error::Result;

/// The vertex shader uniform holding the 8 user clip planes (`SET_CLIP_STATE`), in the space
/// of `CLIPVERTEX`, or of the position where the shader writes none.
pub const CLIP_PLANES: &str = "winsys_clip_planes";

/// The fragment shader uniform the backend sets when back faces take the back colours.
pub const TWO_SIDE: &str = "winsys_two_side";

/// Colour buffers a `FS_COLOR0_WRITES_ALL_CBUFS` shader writes.
const MAX_COLOR_BUFFERS: u32 = 8;

impl Declarations {
    /// Whether the shader writes `gl_PointSize` (declares a `PSIZE` output).
    pub(super) fn writes_point_size(&self) -> bool {
        self.epilogue.iter().any(|l| l.starts_with("gl_PointSize"))
    }

    /// The GLSL name of input `i`, semantic `name[index]`, of a fragment shader; `qualifier` is
    /// its interpolation.
    pub(super) fn fragment_input(
        &mut self,
        decl: &Declaration,
        name: SemanticName,
        index: u32,
        i: u32,
        qualifier: &str,
    ) -> Result<String> {
        let bad = || unsupported(format!("declaration `{decl}` (semantic)"), None);
        Ok(match name {
            SemanticName::Position => "gl_FragCoord".to_string(),
            SemanticName::Face => {
                self.prologue.push(format!(
                    "vec4 face = vec4(gl_FrontFacing ? 1.0 : -1.0, 0.0, 0.0, 1.0); // IN[{i}]"
                ));
                "face".to_string()
            }
            // Clip distances the stage before wrote (as many as it wrote, zero past them).
            SemanticName::ClipDist if index < 2 && self.es100() => {
                let v = if self.link.clip_distances > 0 {
                    es100::CLIP_VARYINGS[index as usize]
                } else {
                    "vec4(0.0)"
                };
                self.prologue
                    .push(format!("vec4 clipdistin{index} = {v}; // IN[{i}]"));
                format!("clipdistin{index}")
            }
            SemanticName::ClipDist if index < 2 => {
                let n = self.link.clip_distances;
                if !self.interface.iter().any(|l| l.contains("gl_ClipDistance")) && n > 0 {
                    self.interface
                        .push(format!("in float gl_ClipDistance[{n}];"));
                }
                let c: Vec<String> = (4 * index..4 * index + 4)
                    .map(|d| {
                        if d < n {
                            format!("gl_ClipDistance[{d}]")
                        } else {
                            "0.0".into()
                        }
                    })
                    .collect();
                self.prologue.push(format!(
                    "vec4 clipdistin{index} = vec4({}); // IN[{i}]",
                    c.join(", ")
                ));
                format!("clipdistin{index}")
            }
            SemanticName::Pcoord => {
                self.prologue.push(format!(
                    "vec4 pcoord = vec4(gl_PointCoord, 0.0, 1.0); // IN[{i}]"
                ));
                "pcoord".to_string()
            }
            name => {
                let v = varying(name, index).ok_or_else(bad)?;
                let fed = self.link.written.as_ref().is_none_or(|w| w.contains(&v));
                let keyword = if self.es100() { "varying" } else { "in" };
                if fed {
                    self.interface
                        .push(format!("{qualifier}{keyword} vec4 {v}; // IN[{i}]"));
                } else {
                    self.interface.push(format!(
                        "vec4 {v} = vec4(0.0); // IN[{i}], which the stage before does not write"
                    ));
                }
                if name == SemanticName::Color && self.link.back_colors.contains(&index) {
                    let back = format!("v_bcolor{index}");
                    self.interface
                        .push(format!("{qualifier}{keyword} vec4 {back};"));
                    self.two_side = true;
                    self.prologue.push(format!(
                        "vec4 color{index} = {TWO_SIDE} && !gl_FrontFacing ? {back} : {v};"
                    ));
                    format!("color{index}")
                } else {
                    v
                }
            }
        })
    }

    /// The GLSL name of output `i`, semantic `name[index]`.
    pub(super) fn output(
        &mut self,
        decl: &Declaration,
        name: SemanticName,
        index: u32,
        i: u32,
    ) -> Result<String> {
        let bad = || unsupported(format!("declaration `{decl}` (semantic)"), None);
        let es100 = self.es100();
        let frag_depth = matches!(self.target, super::Target::Es { ext, .. } if ext.frag_depth);
        let mut private = |name: String| {
            self.privates
                .push(format!("vec4 {name} = vec4(0.0); // OUT[{i}]"));
            name
        };
        Ok(match (self.stage, name) {
            (Processor::Vert, SemanticName::Position) => "gl_Position".to_string(),
            (Processor::Geom, SemanticName::Position) => {
                return self.geometry_output(decl, name, index, i)
            }
            (Processor::Vert | Processor::Geom, SemanticName::Psize) => {
                self.epilogue.push("gl_PointSize = psize.x;".into());
                private("psize".into())
            }
            (Processor::Vert | Processor::Geom, SemanticName::ClipDist) if index < 2 => {
                self.clip_distances.push(index);
                private(format!("clipdist{index}"))
            }
            (Processor::Vert | Processor::Geom, SemanticName::ClipVertex) => {
                self.clip_vertex = true;
                private("clipvertex".into())
            }
            (Processor::Vert | Processor::Geom, SemanticName::Edgeflag) => {
                private("edgeflag".into())
            }
            (Processor::Geom, name) => return self.geometry_output(decl, name, index, i),
            (Processor::Vert, name) if self.link.feeds_geometry => {
                let stem = varying_stem(name).ok_or_else(bad)?;
                let v = format!("{GEOMETRY_INPUT}{stem}{index}");
                self.interface.push(format!("out vec4 {v}; // OUT[{i}]"));
                v
            }
            (Processor::Vert, name) => {
                let v = varying(name, index).ok_or_else(bad)?;
                if es100 {
                    self.interface
                        .push(format!("varying vec4 {v}; // OUT[{i}]"));
                    return Ok(v);
                }
                let q = self.link.qualifiers.get(&v).copied().unwrap_or("");
                self.needs = self.needs.max(super::decl::qualifier_version(q));
                self.interface.push(format!("{q}out vec4 {v}; // OUT[{i}]"));
                v
            }
            (Processor::Frag, SemanticName::Color) if es100 => {
                let name = private(format!("out{i}"));
                if index == 0 {
                    self.color0 = Some(i);
                }
                self.colors.push((index, i));
                name
            }
            (Processor::Frag, SemanticName::Position) if es100 => {
                if !frag_depth {
                    return Err(unsupported(
                        format!("declaration `{decl}` (depth output on a GLSL ES 1.00 host without GL_EXT_frag_depth)"),
                        None,
                    ));
                }
                let name = private("depth".into());
                self.epilogue.push("gl_FragDepthEXT = depth.z;".into());
                name
            }
            (Processor::Frag, SemanticName::Color) => {
                self.interface
                    .push(format!("layout(location = {index}) out vec4 out{i};"));
                if index == 0 {
                    self.color0 = Some(i);
                }
                format!("out{i}")
            }
            (Processor::Frag, SemanticName::Position) => {
                self.epilogue.push("gl_FragDepth = depth.z;".into());
                private("depth".into())
            }
            _ => return Err(bad()),
        })
    }

    /// The GLSL name and type of system value `i`.
    pub(super) fn system_value(
        &mut self,
        decl: &Declaration,
        name: SemanticName,
        i: u32,
    ) -> Result<(String, Ty)> {
        if self.stage == Processor::Comp {
            return self.compute_system_value(decl, name, i);
        }
        if self.es100() && self.stage == Processor::Vert && name == SemanticName::InstanceId {
            // ES 2.0 hosts draw one instance at a time.
            self.uniforms.push(es100::instance_uniform());
            self.prologue.push(format!(
                "ivec4 sv{i} = ivec4({}); // SV[{i}], {name}",
                super::INSTANCE_ID
            ));
            return Ok((format!("sv{i}"), Ty::Int));
        }
        if self.es100() {
            return Err(unsupported(
                format!("declaration `{decl}` (system value on a GLSL ES 1.00 host)"),
                None,
            ));
        }
        // Gallium's VERTEXID counts from the base vertex, as gl_VertexID does.
        let builtin = match (self.stage, name) {
            (Processor::Vert, SemanticName::InstanceId) => "gl_InstanceID",
            (Processor::Vert, SemanticName::VertexId) => "gl_VertexID",
            (Processor::Geom, SemanticName::PrimId) => "gl_PrimitiveIDIn",
            (Processor::Geom, SemanticName::InvocationId) => {
                self.geometry.invocation_id = true;
                "gl_InvocationID"
            }
            _ => {
                return Err(unsupported(
                    format!("declaration `{decl}` (system value)"),
                    None,
                ))
            }
        };
        self.prologue.push(format!(
            "ivec4 sv{i} = ivec4({builtin}); // SV[{i}], {name}"
        ));
        Ok((format!("sv{i}"), Ty::Int))
    }

    /// What the collected semantics add once every declaration is read: clip distances and
    /// user clip planes, extra colour buffers.
    pub(super) fn finish_io(&mut self) -> Result<()> {
        match self.stage {
            Processor::Vert if self.link.feeds_geometry => {}
            Processor::Vert if self.es100() => self.finish_es100_clipping(),
            Processor::Frag if self.es100() => self.finish_es100_fragment()?,
            Processor::Vert | Processor::Geom => self.finish_clipping(),
            _ => {
                if let (true, Some(i)) = (self.color0_writes_all, self.color0) {
                    for k in 1..MAX_COLOR_BUFFERS {
                        self.interface
                            .push(format!("layout(location = {k}) out vec4 cbuf{k};"));
                        self.epilogue.push(format!("cbuf{k} = out{i};"));
                    }
                }
                if self.two_side {
                    self.uniforms.push(format!("uniform bool {TWO_SIDE};"));
                }
            }
        }
        Ok(())
    }

    /// Whether `gl_ClipDistance` exists: desktop GLSL, and GLSL ES with
    /// `GL_EXT_clip_cull_distance`. Without it, user clip planes are not applied (as
    /// virglrenderer does on such hosts); clip distances the shader writes are refused.
    fn has_clip_distance(&self) -> bool {
        match self.target {
            super::Target::Es { ext, .. } => ext.clip_cull_distance,
            _ => true,
        }
    }

    /// GLSL ES 1.00's vertex stage: the eight clip distances (its `CLIPDIST` outputs, or the
    /// user clip planes) go to the fragment stage in [`es100::CLIP_VARYINGS`].
    fn finish_es100_clipping(&mut self) {
        let [d0, d1] = es100::CLIP_VARYINGS;
        if !self.clip_distances.is_empty() {
            self.interface
                .push(format!("varying vec4 {d0};\nvarying vec4 {d1};"));
            for reg in 0..2 {
                let v = es100::CLIP_VARYINGS[reg as usize];
                if self.clip_distances.contains(&reg) {
                    self.epilogue.push(format!("{v} = clipdist{reg};"));
                } else {
                    self.epilogue.push(format!("{v} = vec4(0.0);"));
                }
            }
        } else if !self.prohibit_ucps {
            self.interface
                .push(format!("varying vec4 {d0};\nvarying vec4 {d1};"));
            self.uniforms
                .push(format!("uniform vec4 {CLIP_PLANES}[8];"));
            let v = if self.clip_vertex {
                "clipvertex"
            } else {
                "gl_Position"
            };
            for (k, d) in [d0, d1].into_iter().enumerate() {
                let dots: Vec<String> = (4 * k..4 * k + 4)
                    .map(|p| format!("dot({CLIP_PLANES}[{p}], {v})"))
                    .collect();
                self.epilogue
                    .push(format!("{d} = vec4({});", dots.join(", ")));
            }
        }
    }

    /// GLSL ES 1.00's fragment stage: colour outputs copied to `gl_FragColor` or
    /// `gl_FragData` (GL_EXT_draw_buffers past 0), and the clip test.
    fn finish_es100_fragment(&mut self) -> Result<()> {
        let draw_buffers = matches!(self.target, super::Target::Es { ext, .. } if ext.draw_buffers);
        match (self.color0_writes_all, self.color0, self.colors.as_slice()) {
            (true, Some(i), _) if draw_buffers => self.epilogue.push(format!(
                "for (int k = 0; k < gl_MaxDrawBuffers; k++)\n        gl_FragData[k] = out{i};"
            )),
            (_, _, [(0, i)]) => self.epilogue.push(format!("gl_FragColor = out{i};")),
            (_, _, colors) => {
                for &(index, i) in colors {
                    if index == 0 || draw_buffers {
                        self.epilogue
                            .push(format!("gl_FragData[{index}] = out{i};"));
                    } else {
                        return Err(unsupported(
                            format!("COLOR[{index}] output on a GLSL ES 1.00 host without GL_EXT_draw_buffers"),
                            None,
                        ));
                    }
                }
            }
        }
        if self.link.clip_distances > 0 {
            self.interface.extend(es100::clip_test_globals());
            self.prologue.insert(0, es100::clip_test());
        }
        if self.two_side {
            self.uniforms.push(format!("uniform bool {TWO_SIDE};"));
        }
        Ok(())
    }

    fn finish_clipping(&mut self) {
        if !self.clip_distances.is_empty() {
            let n = self
                .num_clip_distances
                .unwrap_or(4 * self.clip_distances.len() as u32)
                .min(8);
            self.interface
                .push(format!("out float gl_ClipDistance[{n}];"));
            for d in 0..n {
                let (reg, c) = (d / 4, b"xyzw"[(d % 4) as usize] as char);
                if self.clip_distances.contains(&reg) {
                    self.epilogue
                        .push(format!("gl_ClipDistance[{d}] = clipdist{reg}.{c};"));
                }
            }
        } else if !self.prohibit_ucps && self.has_clip_distance() {
            self.interface.push("out float gl_ClipDistance[8];".into());
            self.uniforms
                .push(format!("uniform vec4 {CLIP_PLANES}[8];"));
            let v = if self.clip_vertex {
                "clipvertex"
            } else {
                "gl_Position"
            };
            self.epilogue.push(format!(
                "for (int i = 0; i < 8; i++)\n        gl_ClipDistance[i] = dot({CLIP_PLANES}[i], {v});"
            ));
        }
    }
}
