//! Compute shaders and shader memory: shader buffers, images and shared memory.
//!
//! | TGSI | GLSL |
//! |---|---|
//! | `COMP` with `CS_FIXED_BLOCK_WIDTH`/`HEIGHT`/`DEPTH` | `layout(local_size_x = …) in;` |
//! | `SV THREAD_ID`, `BLOCK_ID`, `GRID_SIZE`, `BLOCK_SIZE` | `uvec4 svN` from `gl_LocalInvocationID`, `gl_WorkGroupID`, `gl_NumWorkGroups`, `gl_WorkGroupSize` |
//! | `DCL BUFFER[n]` | `layout(std430, binding = n) buffer {p}ssbon_block { uint {p}ssbon[]; };`, and an `int` view `{p}ssbon_i` of the same binding where signed atomics need one |
//! | `DCL IMAGE[n], 2D, FORMAT[, WR]` | `layout(FORMAT, binding = n) uniform [readonly] uimage2D {p}imagen;` |
//! | `DCL MEMORY[0], SHARED` | `shared uint cs_shared[…]`, sized by the shader's `req_local_mem` |
//!
//! Buffer and shared-memory addresses are in bytes; component `c` of a `LOAD` or `STORE` is the
//! dword `c` after the address. The buffer and image binding points are the TGSI indices:
//! only the fragment and compute stages may use them, and never in one program.
//!
//! Shaders that use any of this, and every compute shader, are GLSL 4.30; the rest keep the
//! target's version.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use virgl_proto::format::Format;
use virgl_proto::tgsi::{
    Declaration, File, Index, MemoryType, Opcode, Processor, PropertyName, Resource, SemanticName,
    Shader, Texture,
};

use super::decl::{Declarations, Link};
use super::regs::Ty;
use super::{translate_linked, unsupported, Target};
use crate::error::Result;

/// The GLSL version of shaders that use shader memory.
const GLSL_430: u32 = 430;

/// Shared memory past this is refused before GL sees it (GL 4.3 asks for 32 KiB).
const MAX_LOCAL_MEM: u32 = 64 * 1024;

/// What a shader declares of compute and shader memory.
#[derive(Clone, Debug, Default)]
pub(super) struct Memory {
    /// `CS_FIXED_BLOCK_WIDTH`, `HEIGHT`, `DEPTH`.
    block: [Option<u32>; 3],
    /// `BUFFER[n]`, and whether signed atomics need its `int` view.
    pub buffers: BTreeMap<u32, bool>,
    pub images: BTreeMap<u32, Image>,
    /// `MEMORY[n], SHARED`: the one shared array's index.
    pub shared: Option<u32>,
    /// `MEMBAR` or `BARRIER` appear.
    barriers: bool,
    /// Writable images declared `writeonly`: on GLSL ES, images of formats other than
    /// `r32f`, `r32i` and `r32ui` may not be both read and written.
    writeonly: BTreeSet<u32>,
}

/// A declared image.
#[derive(Clone, Copy, Debug)]
pub(super) struct Image {
    pub target: Texture,
    pub format: Option<Format>,
    pub writable: bool,
    /// What loads return and stores take.
    pub ty: Ty,
}

impl Image {
    /// Components of a texel coordinate.
    pub fn coordinates(&self) -> usize {
        image_dimension(self.target).map_or(2, |(_, n)| n)
    }
}

/// Translates a compute shader whose shared memory is `local_mem` bytes (its
/// `req_local_mem`).
pub fn translate_compute(shader: &Shader, local_mem: u32, target: Target) -> Result<String> {
    if shader.processor != Processor::Comp {
        return Err(unsupported(
            format!("{} shader as compute", shader.processor),
            None,
        ));
    }
    let link = Link {
        local_mem,
        ..Default::default()
    };
    Ok(translate_linked(shader, target, &link, None)?.0)
}

/// The GLSL image format qualifier of `format`, if images can have it.
pub fn image_format(format: Format) -> Option<&'static str> {
    image_format_and_type(format).map(|(q, _)| q)
}

fn image_format_and_type(format: Format) -> Option<(&'static str, Ty)> {
    use Format as F;
    use Ty::{Float, Int, Uint};
    Some(match format {
        F::R32G32B32A32_FLOAT => ("rgba32f", Float),
        F::R16G16B16A16_FLOAT => ("rgba16f", Float),
        F::R32G32_FLOAT => ("rg32f", Float),
        F::R16G16_FLOAT => ("rg16f", Float),
        F::R11G11B10_FLOAT => ("r11f_g11f_b10f", Float),
        F::R32_FLOAT => ("r32f", Float),
        F::R16_FLOAT => ("r16f", Float),
        F::R16G16B16A16_UNORM => ("rgba16", Float),
        F::R10G10B10A2_UNORM => ("rgb10_a2", Float),
        F::R8G8B8A8_UNORM => ("rgba8", Float),
        F::R16G16_UNORM => ("rg16", Float),
        F::R8G8_UNORM => ("rg8", Float),
        F::R16_UNORM => ("r16", Float),
        F::R8_UNORM => ("r8", Float),
        F::R16G16B16A16_SNORM => ("rgba16_snorm", Float),
        F::R8G8B8A8_SNORM => ("rgba8_snorm", Float),
        F::R16G16_SNORM => ("rg16_snorm", Float),
        F::R8G8_SNORM => ("rg8_snorm", Float),
        F::R16_SNORM => ("r16_snorm", Float),
        F::R8_SNORM => ("r8_snorm", Float),
        F::R32G32B32A32_SINT => ("rgba32i", Int),
        F::R16G16B16A16_SINT => ("rgba16i", Int),
        F::R8G8B8A8_SINT => ("rgba8i", Int),
        F::R32G32_SINT => ("rg32i", Int),
        F::R16G16_SINT => ("rg16i", Int),
        F::R8G8_SINT => ("rg8i", Int),
        F::R32_SINT => ("r32i", Int),
        F::R16_SINT => ("r16i", Int),
        F::R8_SINT => ("r8i", Int),
        F::R32G32B32A32_UINT => ("rgba32ui", Uint),
        F::R16G16B16A16_UINT => ("rgba16ui", Uint),
        F::R10G10B10A2_UINT => ("rgb10_a2ui", Uint),
        F::R8G8B8A8_UINT => ("rgba8ui", Uint),
        F::R32G32_UINT => ("rg32ui", Uint),
        F::R16G16_UINT => ("rg16ui", Uint),
        F::R8G8_UINT => ("rg8ui", Uint),
        F::R32_UINT => ("r32ui", Uint),
        F::R16_UINT => ("r16ui", Uint),
        F::R8_UINT => ("r8ui", Uint),
        _ => return None,
    })
}

/// The GLSL image type suffix of a target and the components of its coordinates.
fn image_dimension(t: Texture) -> Option<(&'static str, usize)> {
    Some(match t {
        Texture::Buffer => ("Buffer", 1),
        Texture::D1 => ("1D", 1),
        Texture::D2 => ("2D", 2),
        Texture::D3 => ("3D", 3),
        Texture::Cube => ("Cube", 3),
        Texture::Rect => ("2DRect", 2),
        Texture::Array1d => ("1DArray", 2),
        Texture::Array2d => ("2DArray", 3),
        Texture::CubeArray => ("CubeArray", 3),
        _ => return None,
    })
}

impl Declarations {
    /// A `CS_FIXED_BLOCK_*` property.
    pub(super) fn block_property(&mut self, name: PropertyName, size: u32) -> Result<()> {
        let axis = match name {
            PropertyName::CsFixedBlockWidth => 0,
            PropertyName::CsFixedBlockHeight => 1,
            _ => 2,
        };
        if self.stage != Processor::Comp || size == 0 {
            return Err(unsupported(format!("property {name} {size}"), None));
        }
        self.memory.block[axis] = Some(size);
        Ok(())
    }

    /// `DCL BUFFER`, `DCL IMAGE` and `DCL MEMORY`.
    pub(super) fn declare_memory(
        &mut self,
        decl: &Declaration,
        r: std::ops::Range<u32>,
    ) -> Result<()> {
        let bad = |why: &str| unsupported(format!("declaration `{decl}` ({why})"), None);
        if !matches!(self.stage, Processor::Frag | Processor::Comp) {
            return Err(bad("shader memory outside the fragment and compute stages"));
        }
        match (decl.file, decl.resource) {
            (File::Buffer, None | Some(Resource::AtomicBuffer)) => {
                self.memory.buffers.extend(r.map(|i| (i, false)));
            }
            (
                File::Image,
                Some(Resource::Image {
                    target,
                    format,
                    writable,
                    raw: false,
                }),
            ) => {
                if image_dimension(target).is_none() {
                    return Err(bad("image target"));
                }
                let ty = match format {
                    Some(f) => {
                        image_format_and_type(f)
                            .ok_or_else(|| bad("image format"))?
                            .1
                    }
                    None if writable => Ty::Float,
                    None => return Err(bad("read-only image without a format")),
                };
                for i in r {
                    self.memory.images.insert(
                        i,
                        Image {
                            target,
                            format,
                            writable,
                            ty,
                        },
                    );
                }
            }
            (File::Memory, Some(Resource::Memory(MemoryType::Shared))) => {
                if self.stage != Processor::Comp {
                    return Err(bad("shared memory outside a compute shader"));
                }
                if self.link.local_mem == 0 {
                    return Err(bad("shared memory of no size (req_local_mem is 0)"));
                }
                if self.link.local_mem > MAX_LOCAL_MEM {
                    return Err(bad("shared memory past 64 KiB"));
                }
                if r.len() != 1 || self.memory.shared.is_some() {
                    return Err(bad("more than one shared memory"));
                }
                self.memory.shared = Some(r.start);
            }
            _ => return Err(bad("kind")),
        }
        Ok(())
    }

    /// The GLSL name and type of compute system value `i`.
    pub(super) fn compute_system_value(
        &mut self,
        decl: &Declaration,
        name: SemanticName,
        i: u32,
    ) -> Result<(String, Ty)> {
        let builtin = match name {
            SemanticName::ThreadId => "gl_LocalInvocationID",
            SemanticName::BlockId => "gl_WorkGroupID",
            SemanticName::GridSize => "gl_NumWorkGroups",
            SemanticName::BlockSize => "gl_WorkGroupSize",
            _ => {
                return Err(unsupported(
                    format!("declaration `{decl}` (system value)"),
                    None,
                ))
            }
        };
        self.prologue.push(format!(
            "uvec4 sv{i} = uvec4({builtin}, 0u); // SV[{i}], {name}"
        ));
        Ok((format!("sv{i}"), Ty::Uint))
    }

    /// What the instructions add: signed atomics on buffers, barriers. Checks a compute
    /// shader has a fixed block size.
    pub(super) fn scan_memory(&mut self, shader: &Shader) -> Result<()> {
        if self.stage == Processor::Comp && self.memory.block.iter().all(Option::is_none) {
            return Err(unsupported(
                "compute shader without CS_FIXED_BLOCK_* (variable block size)",
                None,
            ));
        }
        for ins in shader.instructions() {
            match ins.opcode {
                Opcode::Membar | Opcode::Barrier => self.memory.barriers = true,
                Opcode::Atomimin | Opcode::Atomimax => {
                    let res = &ins.src[0];
                    if let (File::Buffer, Index::Direct(i)) = (res.file, res.index) {
                        if let Some(signed) = u32::try_from(i)
                            .ok()
                            .and_then(|i| self.memory.buffers.get_mut(&i))
                        {
                            *signed = true;
                        }
                    }
                }
                _ => {}
            }
        }
        if self.target.is_es() {
            self.es_image_access(shader)?;
        }
        Ok(())
    }

    /// Sorts the writable images for GLSL ES: those only stored to are `writeonly`; reading
    /// (or atomics on) one whose format is not a 32-bit single channel is refused.
    fn es_image_access(&mut self, shader: &Shader) -> Result<()> {
        let mut read = BTreeSet::new();
        for ins in shader.instructions() {
            if ins.opcode == Opcode::Store {
                continue;
            }
            for s in ins.src.iter().filter(|s| s.file == File::Image) {
                if let Index::Direct(i) = s.index {
                    read.extend(u32::try_from(i).ok());
                }
            }
        }
        for (&i, image) in &self.memory.images {
            if !image.writable {
                continue;
            }
            let single = matches!(
                image.format,
                Some(Format::R32_FLOAT | Format::R32_SINT | Format::R32_UINT)
            );
            match (single, read.contains(&i), image.format) {
                (true, _, _) => {}
                (false, false, Some(_)) => {
                    self.memory.writeonly.insert(i);
                }
                (false, true, f) => {
                    return Err(unsupported(
                        format!(
                            "IMAGE[{i}] of format {f:?} both read and written (GLSL ES allows that for r32f, r32i and r32ui only)"
                        ),
                        None,
                    ))
                }
                (false, false, None) => {
                    return Err(unsupported(
                        format!("IMAGE[{i}] without a format (GLSL ES images need one)"),
                        None,
                    ))
                }
            }
        }
        Ok(())
    }

    /// The GLSL version shader memory needs: 4.30 for compute shaders and shaders using it,
    /// 0 for others.
    pub(super) fn memory_version(&self) -> u32 {
        let m = &self.memory;
        let uses = !m.buffers.is_empty() || !m.images.is_empty() || m.barriers;
        if self.stage == Processor::Comp || uses {
            GLSL_430
        } else {
            0
        }
    }

    /// The work-group size, buffer blocks, images and shared memory.
    pub(super) fn memory_globals(&self) -> String {
        let mut s = String::new();
        let m = &self.memory;
        if self.stage == Processor::Comp {
            let [x, y, z] = m.block.map(|b| b.unwrap_or(1));
            let _ = writeln!(
                s,
                "layout(local_size_x = {x}, local_size_y = {y}, local_size_z = {z}) in;"
            );
        }
        let p = self.prefix();
        for (i, &signed) in &m.buffers {
            let _ = writeln!(
                s,
                "layout(std430, binding = {i}) buffer {p}ssbo{i}_block {{ uint {p}ssbo{i}[]; }};"
            );
            if signed {
                let _ = writeln!(
                    s,
                    "layout(std430, binding = {i}) buffer {p}ssbo{i}_iblock {{ int {p}ssbo{i}_i[]; }};"
                );
            }
        }
        for (i, image) in &m.images {
            let (dim, _) = image_dimension(image.target).unwrap_or(("2D", 2));
            let prefix = match image.ty {
                Ty::Float => "",
                Ty::Int => "i",
                Ty::Uint => "u",
            };
            let (layout, access) = match image.format.and_then(image_format) {
                Some(q) if m.writeonly.contains(i) => (format!("{q}, "), "writeonly "),
                Some(q) if image.writable => (format!("{q}, "), ""),
                Some(q) => (format!("{q}, "), "readonly "),
                None => (String::new(), "writeonly "),
            };
            let _ = writeln!(
                s,
                "layout({layout}binding = {i}) uniform {access}{prefix}image{dim} {p}image{i};"
            );
        }
        if m.shared.is_some() {
            let n = self.link.local_mem.div_ceil(4);
            let _ = writeln!(s, "shared uint cs_shared[{n}];");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use virgl_proto::tgsi::parse;

    use super::*;
    use crate::shader::translate;

    const COMP: &str = "COMP\nPROPERTY CS_FIXED_BLOCK_WIDTH 64\nDCL SV[0], THREAD_ID\n";

    fn glsl(tgsi: &str, local_mem: u32) -> Result<String> {
        translate_compute(&parse(tgsi).unwrap(), local_mem, Target::Desktop330)
    }

    #[test]
    fn shared_memory_is_sized_by_req_local_mem() {
        let tgsi = format!(
            "{COMP}DCL MEMORY[0], SHARED\nDCL TEMP[0]\n\
             0: STORE MEMORY[0].x, SV[0].xxxx, SV[0].xxxx\n\
             1: ATOMUMAX TEMP[0].x, MEMORY[0], SV[0].xxxx, SV[0].yyyy\n\
             2: LOAD TEMP[0].yz, MEMORY[0], SV[0].xxxx\n3: END\n"
        );
        let g = glsl(&tgsi, 30).unwrap();
        assert!(g.starts_with("#version 430 core\n"), "{g}");
        assert!(g.contains("layout(local_size_x = 64, local_size_y = 1, local_size_z = 1) in;"));
        assert!(g.contains("shared uint cs_shared[8];"), "{g}");
        assert!(g.contains("cs_shared[(sv0.x >> 2)] = sv0.x;"), "{g}");
        assert!(
            g.contains("atomicMax(cs_shared[(sv0.x >> 2)], sv0.y)"),
            "{g}"
        );
        assert!(g.contains("uvec2(cs_shared[(sv0.x >> 2) + 1u], cs_shared[(sv0.x >> 2) + 2u])"));
        let e = glsl(&tgsi, 0).unwrap_err();
        assert!(e.to_string().contains("req_local_mem is 0"), "{e}");
        let e = glsl(&tgsi, u32::MAX).unwrap_err();
        assert!(e.to_string().contains("past 64 KiB"), "{e}");
    }

    #[test]
    fn what_is_refused() {
        let refused = [
            (
                "COMP\nDCL SV[0], THREAD_ID\n0: END\n",
                "variable block size",
            ),
            (
                "VERT\nDCL BUFFER[0]\n0: END\n",
                "outside the fragment and compute",
            ),
            (
                "FRAG\nDCL MEMORY[0], SHARED\n0: END\n",
                "shared memory outside",
            ),
            ("FRAG\n0: BARRIER\n1: END\n", "BARRIER outside"),
            ("FRAG\nDCL SV[0], THREAD_ID\n0: END\n", "system value"),
            (
                "FRAG\nDCL IMAGE[0], 2D, PIPE_FORMAT_R8G8B8A8_UINT\nDCL TEMP[0]\n\
              0: STORE IMAGE[0], TEMP[0], TEMP[0], 2D, PIPE_FORMAT_R8G8B8A8_UINT\n1: END\n",
                "not declared WR",
            ),
            (
                "FRAG\nDCL IMAGE[0], 2D_MSAA, PIPE_FORMAT_R8G8B8A8_UINT\n0: END\n",
                "image target",
            ),
            (
                "FRAG\nDCL IMAGE[0], 2D, PIPE_FORMAT_B8G8R8A8_UNORM\n0: END\n",
                "image format",
            ),
            (
                "FRAG\nDCL TEMP[0]\n0: LOAD TEMP[0], BUFFER[1], TEMP[0]\n1: END\n",
                "BUFFER",
            ),
            (
                &format!("{COMP}DCL IN[0], GENERIC[0]\n0: END\n"),
                "no inputs",
            ),
        ];
        for (tgsi, why) in refused {
            let e = translate(&parse(tgsi).unwrap(), Target::Desktop330).unwrap_err();
            assert!(e.to_string().contains(why), "{tgsi}: {e}");
        }
    }

    #[test]
    fn shaders_without_memory_keep_the_target_version() {
        let g = translate(
            &parse("FRAG\nDCL OUT[0], COLOR\nDCL TEMP[0]\n0: MOV OUT[0], TEMP[0]\n1: END\n")
                .unwrap(),
            Target::Desktop330,
        )
        .unwrap();
        assert!(g.starts_with("#version 330 core\n"), "{g}");
        let g = translate(
            &parse("FRAG\nIMM[0] UINT32 { 1, 0, 0, 0 }\n0: MEMBAR IMM[0].xxxx\n1: END\n").unwrap(),
            Target::Desktop330,
        )
        .unwrap();
        assert!(g.starts_with("#version 430 core\n"), "{g}");
        assert!(g.contains("memoryBarrier();"), "{g}");
        assert!(!g.contains("memoryBarrierShared"), "{g}");
    }

    #[test]
    fn image_formats_have_qualifiers() {
        assert_eq!(image_format(Format::R8G8B8A8_UINT), Some("rgba8ui"));
        assert_eq!(image_format(Format::R32_FLOAT), Some("r32f"));
        assert_eq!(image_format(Format::B8G8R8A8_UNORM), None);
    }
}
