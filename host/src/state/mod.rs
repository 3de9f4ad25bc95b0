//! What a context holds between commands: its sub-contexts, each with its objects and the
//! state bound to the pipeline. Nothing here calls GL; the backend reads it when it draws.

pub mod objects;

use virgl_proto::ccmd::{IndexLayout, Scissor, StencilRef, VertexBuffer, Viewport};
use virgl_proto::pipe::limits;

pub use objects::{Object, Objects, ShaderObject};

/// Shader stages virgl knows (`PIPE_SHADER_TYPES`): vertex, fragment, geometry, tess control,
/// tess eval, compute.
pub const STAGES: usize = 6;

/// A buffer range bound to a slot: a uniform, shader or atomic counter buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UniformBuffer {
    pub resource: u32,
    pub offset: u32,
    pub length: u32,
}

/// State bound per shader stage.
#[derive(Clone, Debug, Default)]
pub struct StageState {
    /// The bound shader's handle.
    pub shader: Option<u32>,
    /// Sampler view handles by slot.
    pub views: Vec<Option<u32>>,
    /// Sampler state handles by slot.
    pub samplers: Vec<Option<u32>>,
    /// The user constants of SET_CONSTANT_BUFFER (uniform buffer 0 in Gallium terms).
    pub constants: Vec<u32>,
    /// Uniform buffers by index.
    pub uniform_buffers: Vec<Option<UniformBuffer>>,
    /// Shader buffers (SSBOs) by slot: SET_SHADER_BUFFERS.
    pub shader_buffers: Vec<Option<UniformBuffer>>,
    /// Shader images by slot: SET_SHADER_IMAGES.
    pub images: Vec<Option<virgl_proto::ccmd::ImageBinding>>,
}

/// The bound framebuffer: surface handles.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Framebuffer {
    pub cbufs: Vec<Option<u32>>,
    pub zsurf: Option<u32>,
}

/// A sub-context: one object namespace and one pipeline.
#[derive(Debug)]
pub struct SubContext {
    pub objects: Objects,
    pub blend: Option<u32>,
    pub dsa: Option<u32>,
    pub rasterizer: Option<u32>,
    pub vertex_elements: Option<u32>,
    pub stages: [StageState; STAGES],
    pub framebuffer: Framebuffer,
    pub vertex_buffers: Vec<VertexBuffer>,
    pub index_buffer: Option<(u32, IndexLayout)>,
    pub viewports: [Viewport; limits::MAX_VIEWPORTS],
    pub scissors: [Scissor; limits::MAX_VIEWPORTS],
    pub blend_color: [f32; 4],
    pub stencil_ref: StencilRef,
    pub sample_mask: u32,
    pub clip_planes: [[f32; 4]; 8],
    pub polygon_stipple: [u32; 32],
    /// Stream-output target handles, by buffer index.
    pub streamout_targets: Vec<u32>,
    /// Bytes already written to each stream-output target (by handle), where the next draw
    /// appends.
    pub streamout_filled: std::collections::HashMap<u32, u32>,
    /// The query conditional rendering follows, with its condition and mode.
    pub render_condition: Option<(u32, bool, virgl_proto::pipe::RenderCondMode)>,
    /// Queries begun and not ended.
    pub active_queries: Vec<u32>,
    /// Atomic counter buffers by slot (SET_ATOMIC_BUFFERS; one set for every stage).
    pub atomic_buffers: Vec<Option<UniformBuffer>>,
    /// Bumped by every command that changes what a draw would emit, so a backend can tell
    /// whether its cached GL state is still this sub-context's.
    pub generation: u64,
}

impl Default for SubContext {
    fn default() -> Self {
        let viewport = Viewport {
            scale: [1.0; 3],
            translate: [0.0; 3],
        };
        SubContext {
            objects: Objects::default(),
            blend: None,
            dsa: None,
            rasterizer: None,
            vertex_elements: None,
            stages: Default::default(),
            framebuffer: Framebuffer::default(),
            vertex_buffers: Vec::new(),
            index_buffer: None,
            viewports: [viewport; limits::MAX_VIEWPORTS],
            scissors: [Scissor {
                minx: 0,
                miny: 0,
                maxx: 0,
                maxy: 0,
            }; limits::MAX_VIEWPORTS],
            blend_color: [0.0; 4],
            stencil_ref: StencilRef { front: 0, back: 0 },
            sample_mask: u32::MAX,
            clip_planes: [[0.0; 4]; 8],
            polygon_stipple: [0; 32],
            streamout_targets: Vec::new(),
            streamout_filled: Default::default(),
            render_condition: None,
            active_queries: Vec::new(),
            atomic_buffers: Vec::new(),
            generation: 0,
        }
    }
}

impl SubContext {
    /// What a draw fetches vertices from: each element of the bound vertex elements whose
    /// vertex buffer is bound to an existing resource, as (element index, element, buffer
    /// binding, resource). Elements without a buffer read nothing and are left out.
    pub fn vertex_fetches<'a>(
        &'a self,
        resources: &'a crate::backend::Resources,
    ) -> impl Iterator<
        Item = (
            usize,
            &'a virgl_proto::ccmd::VertexElement,
            &'a VertexBuffer,
            &'a crate::resource::Resource,
        ),
    > + 'a {
        let elements = match self.vertex_elements.map(|h| {
            self.objects
                .get(h, virgl_proto::ccmd::ObjectType::VertexElements)
        }) {
            Some(Ok(Object::VertexElements(v))) => &v.elements[..],
            _ => &[],
        };
        elements.iter().enumerate().filter_map(|(i, e)| {
            let vb = self.vertex_buffers.get(e.vertex_buffer_index as usize)?;
            Some((i, e, vb, resources.get(&vb.resource)?))
        })
    }

    /// The object of `kind` under `handle`, already known to exist (the validator checked).
    pub fn object(&self, handle: u32, kind: virgl_proto::ccmd::ObjectType) -> Option<&Object> {
        self.objects.get(handle, kind).ok()
    }

    /// Drops every binding of `handle`, an object of `kind` being destroyed.
    pub fn unbind(&mut self, handle: u32, kind: virgl_proto::ccmd::ObjectType) {
        use virgl_proto::ccmd::ObjectType as K;
        let clear = |slot: &mut Option<u32>| {
            if *slot == Some(handle) {
                *slot = None;
            }
        };
        match kind {
            K::Blend => clear(&mut self.blend),
            K::Dsa => clear(&mut self.dsa),
            K::Rasterizer => clear(&mut self.rasterizer),
            K::VertexElements => clear(&mut self.vertex_elements),
            K::Shader => self.stages.iter_mut().for_each(|s| clear(&mut s.shader)),
            K::SamplerView => self
                .stages
                .iter_mut()
                .for_each(|s| s.views.iter_mut().for_each(clear)),
            K::SamplerState => self
                .stages
                .iter_mut()
                .for_each(|s| s.samplers.iter_mut().for_each(clear)),
            K::Surface | K::MsaaSurface => {
                self.framebuffer.cbufs.iter_mut().for_each(clear);
                clear(&mut self.framebuffer.zsurf);
            }
            K::StreamoutTarget => self.streamout_targets.retain(|&t| t != handle),
            K::Query => {
                self.active_queries.retain(|&q| q != handle);
                if self.render_condition.is_some_and(|(q, ..)| q == handle) {
                    self.render_condition = None;
                }
            }
        }
        self.generation += 1;
    }
}
