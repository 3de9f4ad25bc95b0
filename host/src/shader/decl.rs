//! Declarations, immediates and properties: what each register is called in GLSL, its type,
//! and the GLSL declarations that go before and at the top of `main`.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use virgl_proto::tgsi::{
    Bracket, Declaration, File, FsCoordOrigin, FsCoordPixelCenter, Immediate, Index,
    InterpLocation, Interpolate, Item, Processor, PropertyName, PropertyValue, Resource,
    ReturnType, SemanticName, Shader, Texture,
};

use super::es100;
use super::geometry::{self, VertexInput};
use super::regs::{float_literal, Ty};
use super::{unsupported, Target};
use crate::error::Result;

/// A sampler: its target as declared by `SVIEW` or first used by a texture instruction.
#[derive(Clone, Copy, Debug)]
pub(super) struct Sampler {
    pub target: Texture,
    /// What it returns: floats, or signed or unsigned integers.
    pub ret: Ty,
}

/// Samplers declared as one GLSL array `sampFIRST[len]`, for a shader that indexes them
/// (`SAMP[ADDR[a].x + n]`): the run of declared samplers of one GLSL type around `n`.
#[derive(Clone, Copy, Debug)]
pub(super) struct SamplerArray {
    pub first: u32,
    pub len: u32,
}

/// Temporaries declared as one array: GLSL array `tempFIRST`.
#[derive(Clone, Copy, Debug)]
pub(super) struct TempArray {
    pub id: u32,
    pub first: u32,
    pub len: u32,
}

/// Every register the shader declares, with its GLSL name.
pub(super) struct Declarations {
    pub stage: Processor,
    /// [`Link::flatshade`].
    flatshade: bool,
    /// `IN[n]` and `OUT[n]` to their GLSL names.
    pub inputs: BTreeMap<u32, String>,
    pub outputs: BTreeMap<u32, String>,
    /// A geometry shader's `IN[][n]`, read for one vertex at a time.
    pub vertex_inputs: BTreeMap<u32, VertexInput>,
    /// A geometry shader's `GS_*` properties.
    pub(super) geometry: geometry::Layout,
    /// Constant buffer index to its element count.
    pub consts: BTreeMap<u32, u32>,
    pub temps: Vec<u32>,
    /// `DCL TEMP[a..b], ARRAY(n)`: temporaries that can be addressed indirectly.
    pub temp_arrays: Vec<TempArray>,
    pub addrs: Vec<u32>,
    pub samplers: BTreeMap<u32, Sampler>,
    pub sampler_arrays: Vec<SamplerArray>,
    pub immediates: Vec<Immediate>,
    /// `SV[n]` to its GLSL name and type.
    pub sysvals: BTreeMap<u32, (String, Ty)>,
    /// GLSL lines for the interface (`in`, `out`), in declaration order.
    pub(super) interface: Vec<String>,
    /// Uniforms the backend sets from pipeline state.
    pub(super) uniforms: Vec<String>,
    /// Global variables standing for outputs that are not `vec4` built-ins.
    pub(super) privates: Vec<String>,
    /// Statements at the top of the body: built-in inputs as `vec4`s.
    pub(super) prologue: Vec<String>,
    /// Statements after the body: private outputs copied to built-ins.
    pub(super) epilogue: Vec<String>,
    /// A `gl_FragCoord` redeclaration, if the properties ask for a non-default convention.
    frag_coord: Option<String>,
    /// What the other stage of the program says about the varyings.
    pub(super) link: Link,
    /// `FS_COLOR0_WRITES_ALL_CBUFS`, and the output that is `COLOR[0]`.
    pub(super) color0_writes_all: bool,
    pub(super) color0: Option<u32>,
    /// GLSL ES 1.00: the `COLOR` outputs, as (semantic index, register), which the epilogue
    /// copies to `gl_FragColor` or `gl_FragData`.
    pub(super) colors: Vec<(u32, u32)>,
    /// Whether a colour input picks the back colour on back faces.
    pub(super) two_side: bool,
    /// `CLIPDIST` outputs written (0, 1), and `NUM_CLIPDIST_ENABLED`.
    pub(super) clip_distances: Vec<u32>,
    pub(super) num_clip_distances: Option<u32>,
    /// A `CLIPVERTEX` output is written.
    pub(super) clip_vertex: bool,
    /// `VS_PROHIBIT_UCPS`.
    pub(super) prohibit_ucps: bool,
    /// GLSL ES 1.00 vertex shaders: the flat varyings computed from the provoking vertex's
    /// inputs ([`super::es100::flat_varyings`]); the inputs are then private copies `vinN`.
    pub(super) flat: Vec<String>,
    /// Compute properties, shader buffers, images and shared memory.
    pub(super) memory: super::compute::Memory,
    /// The GLSL version the declarations need (`sample` varyings, sampler arrays).
    pub(super) needs: u32,
    /// The dialect written.
    pub(super) target: Target,
}

/// What one stage's translation needs to know of the other stage of its program.
#[derive(Clone, Debug, Default)]
pub(super) struct Link {
    /// For a vertex shader: the interpolation qualifiers of the fragment inputs it feeds.
    pub qualifiers: Qualifiers,
    /// For a fragment shader: the `BCOLOR` indices the vertex shader writes.
    pub back_colors: BTreeSet<u32>,
    /// For a vertex shader: a geometry shader follows, so the outputs are its inputs and
    /// clipping, the y flip and stream output are the geometry shader's.
    pub feeds_geometry: bool,
    /// For a compute shader: the bytes of shared memory (`req_local_mem`).
    pub local_mem: u32,
    /// For a fragment shader: the rasterizer's `flatshade`, which makes `COLOR`-interpolated
    /// inputs flat.
    pub flatshade: bool,
    /// For a fragment shader on GLSL ES: the varyings the stage before writes; an input none
    /// of them feeds reads zero.
    pub written: Option<BTreeSet<String>>,
    /// For a fragment shader: the size of the `gl_ClipDistance` the stage before writes, which
    /// a fragment shader reading it must declare the same.
    pub clip_distances: u32,
}

/// Varying name to its interpolation qualifier (`flat `, `noperspective `), for those that
/// have one.
pub(super) type Qualifiers = BTreeMap<String, &'static str>;

/// The interpolation qualifiers of a fragment shader's varyings: GLSL 3.30 wants the vertex
/// or geometry outputs feeding them to say the same.
pub(super) fn fragment_qualifiers(fs: &Shader, flatshade: bool) -> Qualifiers {
    let mut q = Qualifiers::new();
    for decl in fs.declarations().filter(|d| d.file == File::In) {
        let (Some(sem), Ok(r)) = (decl.semantic, range(decl)) else {
            continue;
        };
        let qualifier = with_location(interpolation(decl.interpolate, flatshade), decl.location);
        for k in 0..r.len() as u32 {
            if let (Some(name), false) = (varying(sem.name, sem.index + k), qualifier.is_empty()) {
                q.insert(name, qualifier);
                if sem.name == SemanticName::Color {
                    q.insert(format!("v_bcolor{}", sem.index + k), qualifier);
                }
            }
        }
    }
    q
}

/// The `BCOLOR` indices a vertex or geometry shader writes.
/// The size of the `gl_ClipDistance` array a vertex or geometry shader writes: its
/// `NUM_CLIPDIST_ENABLED`, or four per `CLIPDIST` output, or eight for the user clip planes
/// (see the `io` module), at most eight.
pub(super) fn clip_distance_count(shader: &Shader) -> u32 {
    let mut registers = 0;
    let mut prohibit_ucps = false;
    let mut enabled = None;
    for item in &shader.items {
        match item {
            Item::Property(p) => match (p.name, p.value) {
                (PropertyName::NumClipdistEnabled, PropertyValue::Uint(n)) => enabled = Some(n),
                (PropertyName::VsProhibitUcps, PropertyValue::Uint(v)) => prohibit_ucps = v != 0,
                _ => {}
            },
            Item::Declaration(d) if d.file == File::Out => {
                if let (Some(sem), Ok(r)) = (d.semantic, range(d)) {
                    if sem.name == SemanticName::ClipDist {
                        registers += r.len() as u32;
                    }
                }
            }
            _ => {}
        }
    }
    match (registers, enabled) {
        (0, _) if prohibit_ucps => 0,
        (0, _) => 8,
        (_, Some(n)) => n.min(8),
        (r, None) => (4 * r).min(8),
    }
}

/// The varyings (`v_generic0`, ...) `shader` writes.
pub(super) fn written_varyings(shader: &Shader) -> BTreeSet<String> {
    let mut w = BTreeSet::new();
    for decl in shader.declarations().filter(|d| d.file == File::Out) {
        if let (Some(sem), Ok(r)) = (decl.semantic, range(decl)) {
            w.extend((0..r.len() as u32).filter_map(|k| varying(sem.name, sem.index + k)));
        }
    }
    w
}

pub(super) fn back_colors(vs: &Shader) -> BTreeSet<u32> {
    let mut b = BTreeSet::new();
    for decl in vs.declarations().filter(|d| d.file == File::Out) {
        if let (Some(sem), Ok(r)) = (decl.semantic, range(decl)) {
            if sem.name == SemanticName::Bcolor {
                b.extend((0..r.len() as u32).map(|k| sem.index + k));
            }
        }
    }
    b
}

/// An interpolation qualifier with `sample` added for per-sample inputs, which GLSL wants
/// on the output feeding them too.
fn with_location(q: &'static str, l: InterpLocation) -> &'static str {
    match (l, q) {
        (InterpLocation::Sample, "flat ") => "flat sample ",
        (InterpLocation::Sample, "noperspective ") => "noperspective sample ",
        (InterpLocation::Sample, _) => "sample ",
        _ => q,
    }
}

/// The GLSL version an interface qualifier needs: 4.00 for `sample`.
pub(super) fn qualifier_version(q: &str) -> u32 {
    if q.contains("sample") {
        400
    } else {
        0
    }
}

/// The GLSL interpolation qualifier of a TGSI interpolation mode.
/// `COLOR` interpolation (Gallium's "flat if the rasterizer says so") follows `flatshade`.
fn interpolation(mode: Option<Interpolate>, flatshade: bool) -> &'static str {
    match mode {
        Some(Interpolate::Constant) => "flat ",
        Some(Interpolate::Color) if flatshade => "flat ",
        Some(Interpolate::Linear) => "noperspective ",
        _ => "",
    }
}

impl Declarations {
    /// Reads the properties, declarations and immediates of `shader`, linked as `link` says to
    /// the other stage of its program.
    pub fn collect(shader: &Shader, link: &Link, target: Target) -> Result<Declarations> {
        let mut d = Declarations {
            target,
            stage: shader.processor,
            flatshade: link.flatshade,
            inputs: BTreeMap::new(),
            outputs: BTreeMap::new(),
            vertex_inputs: BTreeMap::new(),
            geometry: geometry::Layout::default(),
            consts: BTreeMap::new(),
            temps: Vec::new(),
            temp_arrays: Vec::new(),
            addrs: Vec::new(),
            samplers: BTreeMap::new(),
            sampler_arrays: Vec::new(),
            immediates: Vec::new(),
            sysvals: BTreeMap::new(),
            interface: Vec::new(),
            uniforms: Vec::new(),
            privates: Vec::new(),
            prologue: Vec::new(),
            epilogue: Vec::new(),
            frag_coord: None,
            link: link.clone(),
            flat: super::es100::flat_varyings(shader, link, target),
            color0_writes_all: false,
            color0: None,
            colors: Vec::new(),
            two_side: false,
            clip_distances: Vec::new(),
            num_clip_distances: None,
            clip_vertex: false,
            prohibit_ucps: false,
            memory: Default::default(),
            needs: 0,
        };
        let mut origin = FsCoordOrigin::LowerLeft;
        let mut center = FsCoordPixelCenter::HalfInteger;
        let mut sviews = BTreeMap::new();
        for item in &shader.items {
            match item {
                Item::Property(p) => match (p.name, p.value) {
                    (PropertyName::FsCoordOrigin, PropertyValue::CoordOrigin(o)) => origin = o,
                    (PropertyName::FsCoordPixelCenter, PropertyValue::PixelCenter(c)) => center = c,
                    (PropertyName::FsColor0WritesAllCbufs, PropertyValue::Uint(v)) => {
                        d.color0_writes_all = v != 0
                    }
                    (PropertyName::VsProhibitUcps, PropertyValue::Uint(v)) => {
                        d.prohibit_ucps = v != 0
                    }
                    (PropertyName::NumClipdistEnabled, PropertyValue::Uint(n)) => {
                        d.num_clip_distances = Some(n)
                    }
                    // A promise about the depth written, which GL does not need.
                    (PropertyName::FsDepthLayout, _) | (PropertyName::NextShader, _) => {}
                    (PropertyName::FsEarlyDepthStencil, PropertyValue::Uint(0)) => {}
                    (name, value) if d.stage == Processor::Geom && geometry::is_property(name) => {
                        d.geometry.set(name, value)?
                    }
                    (
                        name @ (PropertyName::CsFixedBlockWidth
                        | PropertyName::CsFixedBlockHeight
                        | PropertyName::CsFixedBlockDepth),
                        PropertyValue::Uint(v),
                    ) => d.block_property(name, v)?,
                    (name, _) => return Err(unsupported(format!("property {name}"), None)),
                },
                Item::Immediate(imm) => match imm {
                    Immediate::Flt32(_) | Immediate::Uint32(_) | Immediate::Int32(_) => {
                        d.immediates.push(*imm)
                    }
                    _ => return Err(unsupported(format!("64-bit immediate {imm}"), None)),
                },
                Item::Declaration(decl) => {
                    if let Some(Resource::SamplerView {
                        target,
                        return_types,
                    }) = decl.resource
                    {
                        let ret = match return_types[0] {
                            ReturnType::Sint => Ty::Int,
                            ReturnType::Uint => Ty::Uint,
                            _ => Ty::Float,
                        };
                        for i in range(decl)? {
                            sviews.insert(i, (target, ret));
                        }
                    } else {
                        d.declare(decl)?;
                    }
                }
                Item::Instruction(_) => {}
            }
        }
        for (i, sampler) in d.samplers.iter_mut() {
            if let Some((t, ret)) = sviews.get(i) {
                sampler.target = *t;
                sampler.ret = *ret;
            }
        }
        // A sampler with no view takes the target its first texture instruction names.
        for ins in shader.instructions() {
            let samp = ins.src.iter().find(|s| s.file == File::Samp);
            if let (Some(t), Some(s)) = (ins.texture, samp) {
                let i = match s.index {
                    Index::Direct(i) => i as u32,
                    Index::Indirect(a) => a.offset as u32,
                };
                if let (Entry::Vacant(v), Some(sampler)) = (sviews.entry(i), d.samplers.get_mut(&i))
                {
                    sampler.target = t;
                    v.insert((t, Ty::Float));
                }
            }
        }
        d.collect_sampler_arrays(shader);
        d.scan_memory(shader)?;
        d.finish_io()?;
        if origin == FsCoordOrigin::UpperLeft || center == FsCoordPixelCenter::Integer {
            if target.is_es() {
                return Err(unsupported(
                    "FS_COORD_ORIGIN UPPER_LEFT or FS_COORD_PIXEL_CENTER INTEGER on a GLSL ES host",
                    None,
                ));
            }
            let mut layout = Vec::new();
            if origin == FsCoordOrigin::UpperLeft {
                layout.push("origin_upper_left");
            }
            if center == FsCoordPixelCenter::Integer {
                layout.push("pixel_center_integer");
            }
            d.frag_coord = Some(format!(
                "layout({}) in vec4 gl_FragCoord;",
                layout.join(", ")
            ));
        }
        Ok(d)
    }

    /// Groups the samplers that indirect sampler operands reach into arrays.
    fn collect_sampler_arrays(&mut self, shader: &Shader) {
        let ty = |d: &Declarations, i: u32| {
            d.samplers.get(&i).map(|s| {
                sampler_type(s.target, s.ret, d.target).unwrap_or_else(|| "sampler2D".into())
            })
        };
        for ins in shader.instructions() {
            for s in ins.src.iter().filter(|s| s.file == File::Samp) {
                let Index::Indirect(a) = s.index else {
                    continue;
                };
                let Ok(base) = u32::try_from(a.offset) else {
                    continue;
                };
                if self.sampler_array_of(base).is_some() {
                    continue;
                }
                let Some(t) = ty(self, base) else {
                    continue;
                };
                let mut first = base;
                while first > 0 && ty(self, first - 1).as_ref() == Some(&t) {
                    first -= 1;
                }
                let mut last = base;
                while ty(self, last + 1).as_ref() == Some(&t) {
                    last += 1;
                }
                self.sampler_arrays.push(SamplerArray {
                    first,
                    len: last - first + 1,
                });
                self.needs = self.needs.max(400);
            }
        }
    }

    /// The sampler array sampler `i` is in.
    pub fn sampler_array_of(&self, i: u32) -> Option<&SamplerArray> {
        self.sampler_arrays
            .iter()
            .find(|a| (a.first..a.first + a.len).contains(&i))
    }

    fn declare(&mut self, decl: &Declaration) -> Result<()> {
        let bad = |why: &str| unsupported(format!("declaration `{decl}` ({why})"), None);
        let per_vertex = self.stage == Processor::Geom && decl.file == File::In;
        if decl.dimension.is_some() && decl.file != File::Const && !per_vertex {
            return Err(bad("two-dimensional"));
        }
        if decl.invariant {
            return Err(bad("INVARIANT"));
        }
        let stage = self.stage;
        match decl.file {
            File::In | File::Out if stage == Processor::Comp => {
                return Err(bad("compute shaders have no inputs or outputs"))
            }
            File::Buffer | File::Image | File::Memory => self.declare_memory(decl, range(decl)?)?,
            File::Temp => match decl.array {
                Some(id) if id > 0 => {
                    let r = range(decl)?;
                    if self.temp_arrays.iter().any(|a| a.id == id) {
                        return Err(bad("array id declared twice"));
                    }
                    self.temp_arrays.push(TempArray {
                        id,
                        first: r.start,
                        len: r.len() as u32,
                    });
                }
                _ => self.temps.extend(range(decl)?),
            },
            File::Addr => self.addrs.extend(range(decl)?),
            File::Samp => {
                for i in range(decl)? {
                    self.samplers.insert(
                        i,
                        Sampler {
                            target: Texture::D2,
                            ret: Ty::Float,
                        },
                    );
                }
            }
            File::Const => {
                let buffer = match decl.dimension {
                    None => 0,
                    Some(Bracket::Range { first, last }) if first == last => first,
                    Some(_) => return Err(bad("constant buffer range")),
                };
                if buffer > 0 && self.es100() {
                    return Err(bad("GLSL ES 1.00 has no uniform blocks"));
                }
                let end = range(decl)?.end;
                let n = self.consts.entry(buffer).or_insert(0);
                *n = (*n).max(end);
            }
            File::In if stage == Processor::Vert => {
                for i in range(decl)? {
                    if !self.flat.is_empty() {
                        let flat = super::FLAT_INPUT;
                        self.inputs.insert(i, format!("vin{i}"));
                        self.interface.push(format!("attribute vec4 in{i};"));
                        self.interface.push(format!("attribute vec4 {flat}{i};"));
                        self.interface.push(format!("vec4 vin{i};"));
                        continue;
                    }
                    self.inputs.insert(i, format!("in{i}"));
                    self.interface.push(if self.es100() {
                        format!("attribute vec4 in{i};")
                    } else {
                        format!("layout(location = {i}) in vec4 in{i};")
                    });
                }
            }
            File::In if stage == Processor::Geom => {
                let sem = decl.semantic.ok_or_else(|| bad("no semantic"))?;
                for (k, i) in range(decl)?.enumerate() {
                    let index = sem.index + k as u32;
                    match (decl.dimension, sem.name) {
                        (Some(_), name) => self.vertex_input(decl, name, index, i)?,
                        (None, SemanticName::PrimId) => {
                            self.prologue.push(format!(
                                "vec4 primid = intBitsToFloat(ivec4(gl_PrimitiveIDIn)); // IN[{i}]"
                            ));
                            self.inputs.insert(i, "primid".into());
                        }
                        (None, _) => return Err(bad("one-dimensional geometry input")),
                    }
                }
            }
            File::In => {
                let sem = decl.semantic.ok_or_else(|| bad("no semantic"))?;
                // GLSL ES 1.00 varyings interpolate smoothly, with perspective.
                let qualifier = if self.es100() {
                    String::new()
                } else {
                    centroid(
                        decl.location,
                        with_location(
                            interpolation(decl.interpolate, self.flatshade),
                            decl.location,
                        ),
                    )
                };
                self.needs = self.needs.max(qualifier_version(&qualifier));
                for (k, i) in range(decl)?.enumerate() {
                    let name =
                        self.fragment_input(decl, sem.name, sem.index + k as u32, i, &qualifier)?;
                    self.inputs.insert(i, name);
                }
            }
            File::Out => {
                let sem = decl.semantic.ok_or_else(|| bad("no semantic"))?;
                for (k, i) in range(decl)?.enumerate() {
                    let name = self.output(decl, sem.name, sem.index + k as u32, i)?;
                    self.outputs.insert(i, name);
                }
            }
            File::Sv => {
                let sem = decl.semantic.ok_or_else(|| bad("no semantic"))?;
                for i in range(decl)? {
                    let sv = self.system_value(decl, sem.name, i)?;
                    self.sysvals.insert(i, sv);
                }
            }
            _ => return Err(bad("register file")),
        }
        Ok(())
    }

    /// The stage's prefix for uniforms.
    pub fn prefix(&self) -> &'static str {
        match self.stage {
            Processor::Vert => "vs_",
            Processor::Geom => "gs_",
            Processor::Comp => "cs_",
            _ => "fs_",
        }
    }

    /// The declarations before `main`.
    pub fn globals(&self) -> String {
        let mut s = String::new();
        if let Some(f) = &self.frag_coord {
            let _ = writeln!(s, "{f}");
        }
        for line in &self.interface {
            let _ = writeln!(s, "{line}");
        }
        for line in self.uniforms.iter().chain(&self.privates) {
            let _ = writeln!(s, "{line}");
        }
        let p = self.prefix();
        for (buffer, n) in &self.consts {
            if *buffer == 0 {
                let _ = writeln!(s, "uniform vec4 {p}const0[{n}];");
            } else {
                // Gallium's constant buffers past 0 are GL uniform blocks.
                let _ = writeln!(
                    s,
                    "layout(std140) uniform {p}ubo{buffer} {{ vec4 {p}const{buffer}[{n}]; }};"
                );
            }
        }
        if self.es100() {
            s.push_str(&self.es100_samplers());
            return s;
        }
        let mut shadow = false;
        for (i, sampler) in &self.samplers {
            let ty = sampler_type(sampler.target, sampler.ret, self.target)
                .unwrap_or_else(|| "sampler2D".into());
            let (array, init) = match self.sampler_array_of(*i) {
                Some(a) if a.first != *i => continue,
                Some(a) => (
                    format!("[{}]", a.len),
                    format!(
                        "ivec4[{}]({})",
                        a.len,
                        vec!["ivec4(0, 1, 2, 3)"; a.len as usize].join(", ")
                    ),
                ),
                None => (String::new(), "ivec4(0, 1, 2, 3)".into()),
            };
            let _ = writeln!(s, "uniform {ty} {p}samp{i}{array};");
            if self.target.is_es() {
                let _ = writeln!(s, "uniform float {p}samp{i}{LOD_BIAS}{array};");
            }
            if ty.ends_with("Shadow") {
                // The sampler view's swizzle, applied to the comparison result here: GL would
                // swizzle before handing back a single float.
                // GLSL ES has no uniform initializers; the backend sets it at every draw.
                let init = if self.target.is_es() {
                    String::new()
                } else {
                    format!(" = {init}")
                };
                let _ = writeln!(s, "uniform ivec4 {p}samp{i}{SHADOW_SWIZZLE}{array}{init};");
                shadow = true;
            }
        }
        if shadow {
            s.push_str(SHADOW_SWIZZLE_FN);
        }
        s.push_str(&self.memory_globals());
        s
    }

    /// The declarations at the top of `main`: built-in inputs, temporaries, address registers,
    /// immediates.
    pub fn locals(&self) -> String {
        let mut s = String::new();
        for line in &self.prologue {
            let _ = writeln!(s, "    {line}");
        }
        for i in &self.temps {
            let _ = writeln!(s, "    vec4 temp{i} = vec4(0.0);");
        }
        for a in &self.temp_arrays {
            let (first, len) = (a.first, a.len);
            let last = first + len - 1;
            let _ = writeln!(
                s,
                "    vec4 temp{first}[{len}]; // TEMP[{first}..{last}], ARRAY({})",
                a.id
            );
            let _ = writeln!(
                s,
                "    for (int i = 0; i < {len}; i++)\n        temp{first}[i] = vec4(0.0);"
            );
        }
        for i in &self.addrs {
            let _ = writeln!(s, "    ivec4 addr{i} = ivec4(0);");
        }
        for (i, imm) in self.immediates.iter().enumerate() {
            let imm = if self.es100() {
                es100_immediate(i, imm)
            } else {
                immediate(i, imm)
            };
            let _ = writeln!(s, "    {imm}");
        }
        if !s.is_empty() {
            s.push('\n');
        }
        s
    }

    /// Whether the dialect is GLSL ES 1.00.
    pub(super) fn es100(&self) -> bool {
        es100::is_es100(self.target)
    }

    /// GLSL ES 1.00's samplers, each with the uniforms the texture ops read
    /// ([`es100::sampler_uniforms`]), and the functions applying them.
    fn es100_samplers(&self) -> String {
        let p = self.prefix();
        let mut s = String::new();
        let mut shadow = false;
        for (i, sampler) in &self.samplers {
            let ty = es100::sampler_type(sampler.target).unwrap_or("sampler2D");
            let _ = writeln!(s, "uniform {ty} {p}samp{i};");
            let _ = writeln!(s, "uniform float {p}samp{i}{LOD_BIAS};");
            s.push_str(&es100::sampler_uniforms(
                &format!("{p}samp{i}"),
                sampler.target,
            ));
            shadow |= es100::is_shadow(sampler.target);
        }
        if !self.samplers.is_empty() {
            s.push_str(es100::SWIZZLE_FN);
        }
        if shadow {
            s.push_str(es100::COMPARE_FN);
        }
        s
    }

    /// The GLSL version the declarations need, 0 for any.
    pub fn version(&self) -> u32 {
        self.needs
    }

    /// The declared array temporary `i` is in.
    pub fn temp_array_of(&self, i: u32) -> Option<&TempArray> {
        self.temp_arrays
            .iter()
            .find(|a| (a.first..a.first + a.len).contains(&i))
    }

    /// The type an immediate is declared with.
    pub fn immediate_type(&self, i: usize) -> Option<Ty> {
        self.immediates.get(i).map(|imm| match imm {
            _ if self.es100() => Ty::Float,
            Immediate::Uint32(_) => Ty::Uint,
            Immediate::Int32(_) => Ty::Int,
            _ => Ty::Float,
        })
    }
}

fn centroid(l: InterpLocation, q: &'static str) -> String {
    match l {
        InterpLocation::Centroid => format!("centroid {q}"),
        _ => q.to_string(),
    }
}

/// The indices a declaration covers.
/// Registers of one file past this are refused, so a hostile declaration cannot make the
/// translator write megabytes of GLSL.
const MAX_REGISTERS: u32 = 4096;

pub(super) fn range(decl: &Declaration) -> Result<std::ops::Range<u32>> {
    match decl.range {
        Bracket::Range { first, last } if first <= last && last < MAX_REGISTERS => {
            Ok(first..last + 1)
        }
        _ => Err(unsupported(format!("declaration `{decl}` (range)"), None)),
    }
}

/// The GLSL name of a varying with this semantic.
pub(super) fn varying(name: SemanticName, index: u32) -> Option<String> {
    Some(format!("v_{}{index}", varying_stem(name)?))
}

/// The word naming a varying semantic in GLSL.
pub(super) fn varying_stem(name: SemanticName) -> Option<&'static str> {
    Some(match name {
        SemanticName::Generic => "generic",
        SemanticName::Color => "color",
        SemanticName::Bcolor => "bcolor",
        SemanticName::Texcoord => "texcoord",
        SemanticName::Fog => "fog",
        _ => return None,
    })
}

/// Suffix of a shadow sampler's swizzle uniform: Gallium swizzle values (0-3 pick a channel of
/// `(result, 0, 0, 1)`, 4 is zero, 5 is one).
pub const SHADOW_SWIZZLE: &str = "_swizzle";

/// The suffix of the per-sampler uniform holding the sampler state's LOD bias, on GLSL ES
/// hosts, whose samplers have none: the texture ops add it to their own bias or level.
pub const LOD_BIAS: &str = "_lodbias";

/// Applies a sampler view's swizzle to a depth comparison result.
const SHADOW_SWIZZLE_FN: &str = "vec4 shadow_swizzle(float d, ivec4 s)
{
    vec4 v = vec4(d, 0.0, 0.0, 1.0);
    vec4 r;
    for (int i = 0; i < 4; i++)
        r[i] = s[i] < 4 ? v[s[i]] : float(s[i] == 5);
    return r;
}
";

/// The GLSL sampler type of a texture target returning `ret`.
pub(super) fn sampler_type(t: Texture, ret: Ty, target: Target) -> Option<String> {
    let prefix = match ret {
        Ty::Int => "i",
        Ty::Uint => "u",
        Ty::Float => "",
    };
    let shadow = matches!(
        t,
        Texture::Shadow1d
            | Texture::Shadow2d
            | Texture::ShadowRect
            | Texture::Shadow1dArray
            | Texture::Shadow2dArray
            | Texture::ShadowCube
            | Texture::ShadowCubeArray
    );
    if shadow && ret != Ty::Float {
        return None;
    }
    let base = match t {
        Texture::D1 | Texture::Shadow1d => "sampler1D",
        Texture::D2 | Texture::Shadow2d => "sampler2D",
        Texture::D3 => "sampler3D",
        Texture::Cube | Texture::ShadowCube => "samplerCube",
        Texture::Rect | Texture::ShadowRect => "sampler2DRect",
        Texture::Array1d | Texture::Shadow1dArray => "sampler1DArray",
        Texture::Array2d | Texture::Shadow2dArray => "sampler2DArray",
        Texture::Msaa2d => "sampler2DMS",
        Texture::Msaa2dArray => "sampler2DMSArray",
        Texture::Buffer => "samplerBuffer",
        _ => return None,
    };
    let base = if target.is_es() {
        super::es::sampler_base(base)
    } else {
        base
    };
    Some(format!(
        "{prefix}{base}{}",
        if shadow { "Shadow" } else { "" }
    ))
}

/// The declaration of `IMM[i]`.
fn immediate(i: usize, imm: &Immediate) -> String {
    match imm {
        Immediate::Flt32(bits) => {
            let floats: Option<Vec<String>> = bits
                .iter()
                .map(|b| float_literal(f32::from_bits(*b)))
                .collect();
            match floats {
                Some(f) => format!("const vec4 imm{i} = vec4({});", f.join(", ")),
                // Not a constant expression for glslang at GLSL 3.30, though Mesa takes it.
                None => format!("vec4 imm{i} = uintBitsToFloat(uvec4({}));", uints(bits)),
            }
        }
        Immediate::Uint32(bits) => {
            let floats: Vec<String> = bits
                .iter()
                .map(|b| float_literal(f32::from_bits(*b)).unwrap_or_else(|| "non-finite".into()))
                .collect();
            format!(
                "const uvec4 imm{i} = uvec4({}); // as float: ({})",
                uints(bits),
                floats.join(", ")
            )
        }
        Immediate::Int32(v) => {
            // -2147483648 is not a GLSL literal: 2147483648 overflows before the minus.
            let v: Vec<String> = v
                .iter()
                .map(|&x| match x {
                    i32::MIN => "(-2147483647 - 1)".to_string(),
                    x => x.to_string(),
                })
                .collect();
            format!("const ivec4 imm{i} = ivec4({});", v.join(", "))
        }
        _ => String::new(),
    }
}

/// The declaration of `IMM[i]` in GLSL ES 1.00, where registers hold values: every opcode
/// there but `U2F` and `I2F` (which refuse immediates) reads an immediate as floats, so an
/// integer immediate is the floats its bits are, as TGSI has it. Infinities and NaNs are
/// computed, since GLSL ES has no literal for them.
fn es100_immediate(i: usize, imm: &Immediate) -> String {
    let bits: [u32; 4] = match imm {
        Immediate::Flt32(b) | Immediate::Uint32(b) => *b,
        Immediate::Int32(v) => v.map(|x| x as u32),
        _ => return String::new(),
    };
    let values: Vec<f32> = bits.iter().map(|b| f32::from_bits(*b)).collect();
    let text: Vec<String> = values
        .iter()
        .map(|&v| {
            float_literal(v).unwrap_or_else(|| {
                match (v.is_nan(), v > 0.0) {
                    (true, _) => "0.0 / 0.0",
                    (false, true) => "1.0 / 0.0",
                    (false, false) => "-1.0 / 0.0",
                }
                .into()
            })
        })
        .collect();
    let qualifier = if values.iter().all(|v| v.is_finite()) {
        "const "
    } else {
        ""
    };
    let note = match imm {
        Immediate::Flt32(_) => String::new(),
        _ => format!(" // {imm}"),
    };
    format!("{qualifier}vec4 imm{i} = vec4({});{note}", text.join(", "))
}

fn uints(bits: &[u32; 4]) -> String {
    let v: Vec<String> = bits.iter().map(|x| format!("{x}u")).collect();
    v.join(", ")
}
