//! A Gallium-style context: state objects, bindings, draws and transfers, encoded as a virgl
//! command stream and submitted through a [`Transport`].
//!
//! Commands collect in a batch that is submitted when it fills or on [`Context::flush`].
//! Objects and resources are handles that release themselves when dropped: the release is queued
//! and carried out by the context at its next command or flush, in stream order.

use std::cell::RefCell;
use std::rc::Rc;

use virgl_proto::ccmd::{
    Blend, Blit, Box3, Clear, Command, CopyRegion, Dsa, Dwords, IndexLayout, LayerRange,
    LevelRange, Rasterizer, SamplerState, SamplerView, Scissor, Shader, ShaderOffset, StencilRef,
    Surface, VertexBuffer, VertexElement, VertexElements, ViewRange, Viewport,
};
use virgl_proto::ccmd::{DrawVbo, ObjectType};
use virgl_proto::format::Format;
use virgl_proto::pipe::{IndexSize, ShaderType, Swizzle, TextureTarget};
use virgl_proto::transfer::TransferLayout;

use crate::error::{Error, Result};
use crate::transport::{Caps, Fence, ResourceDesc, ResourceId, TransferRegion, Transport};

/// Largest batch submitted at once, in dwords (Mesa's older `VIRGL_MAX_CMDBUF_DWORDS`).
pub const MAX_BATCH_DWORDS: usize = 16 * 1024;

/// The token budget the host allocates to translate a shader's text. Mesa sends the exact
/// count from its own TGSI; from text alone, one token per two bytes is a safe upper bound
/// (every token takes at least two characters), with a floor for tiny shaders.
fn shader_num_tokens(text_bytes: usize) -> u32 {
    (text_bytes / 2).max(300) as u32
}

/// The sub-context Mesa uses for its first pipe context.
const SUB_CTX: u32 = 1;

#[derive(Debug)]
enum Release {
    Object(ObjectType, u32),
    Resource(ResourceId),
}

type Releases = Rc<RefCell<Vec<Release>>>;

/// A host state object (blend, shader, surface, ...); destroyed when dropped.
#[derive(Debug)]
pub struct Object {
    kind: ObjectType,
    handle: u32,
    releases: Releases,
}

impl Object {
    /// The guest-chosen handle commands refer to it by.
    pub fn handle(&self) -> u32 {
        self.handle
    }

    /// What kind of object it is.
    pub fn kind(&self) -> ObjectType {
        self.kind
    }
}

impl Drop for Object {
    fn drop(&mut self) {
        self.releases
            .borrow_mut()
            .push(Release::Object(self.kind, self.handle));
    }
}

/// A host resource (texture or buffer); released when dropped.
#[derive(Debug)]
pub struct Resource {
    id: ResourceId,
    desc: ResourceDesc,
    releases: Releases,
}

impl Resource {
    /// The host resource id.
    pub fn id(&self) -> ResourceId {
        self.id
    }

    /// Its shape.
    pub fn desc(&self) -> &ResourceDesc {
        &self.desc
    }
}

impl Drop for Resource {
    fn drop(&mut self) {
        self.releases.borrow_mut().push(Release::Resource(self.id));
    }
}

/// A virgl rendering context over a transport.
pub struct Context<T: Transport> {
    transport: T,
    batch: Vec<u32>,
    referenced: Vec<ResourceId>,
    next_handle: u32,
    releases: Releases,
    scratch: Vec<u32>,
}

impl<T: Transport> Context<T> {
    /// Creates and selects the context's sub-context, as Mesa does for its first context.
    pub fn new(transport: T) -> Result<Context<T>> {
        let mut ctx = Context {
            transport,
            batch: Vec::with_capacity(MAX_BATCH_DWORDS),
            referenced: Vec::new(),
            next_handle: 1,
            releases: Rc::default(),
            scratch: Vec::new(),
        };
        ctx.push(&Command::CreateSubCtx(SUB_CTX))?;
        ctx.push(&Command::SetSubCtx(SUB_CTX))?;
        Ok(ctx)
    }

    /// The transport underneath.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport underneath, for calls the context does not wrap.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// The host's capabilities.
    pub fn caps(&self) -> &Caps {
        self.transport.caps()
    }

    /// Appends a command to the batch, submitting the batch first if it would overflow.
    pub fn push(&mut self, cmd: &Command<'_>) -> Result<()> {
        self.release_queued_objects()?;
        self.scratch.clear();
        cmd.encode(&mut self.scratch)?;
        if !self.batch.is_empty() && self.batch.len() + self.scratch.len() > MAX_BATCH_DWORDS {
            self.submit_batch()?;
        }
        self.batch.extend_from_slice(&self.scratch);
        Ok(())
    }

    /// Notes that the commands being batched use `res`, so the submission names it (the
    /// virtio-gpu kernel orders work on the resources a submission lists). Commands made with
    /// [`push`](Self::push) or [`create_object`](Self::create_object) that name a resource
    /// need this; the typed helpers do it themselves.
    pub fn reference_resource(&mut self, res: &Resource) {
        self.reference(res.id);
    }

    fn reference(&mut self, id: ResourceId) {
        if !self.referenced.contains(&id) {
            self.referenced.push(id);
        }
    }

    fn alloc_handle(&mut self) -> u32 {
        let h = self.next_handle;
        self.next_handle += 1;
        h
    }

    fn object(&self, kind: ObjectType, handle: u32) -> Object {
        Object {
            kind,
            handle,
            releases: self.releases.clone(),
        }
    }

    fn release_queued_objects(&mut self) -> Result<()> {
        let objects: Vec<(ObjectType, u32)> = {
            let mut q = self.releases.borrow_mut();
            let mut objs = Vec::new();
            q.retain(|r| match r {
                Release::Object(t, h) => {
                    objs.push((*t, *h));
                    false
                }
                Release::Resource(_) => true,
            });
            objs
        };
        for (object, handle) in objects {
            self.scratch.clear();
            Command::DestroyObject { object, handle }.encode(&mut self.scratch)?;
            if self.batch.len() + self.scratch.len() > MAX_BATCH_DWORDS {
                self.submit_batch()?;
            }
            self.batch.extend_from_slice(&self.scratch);
        }
        Ok(())
    }

    fn submit_batch(&mut self) -> Result<Fence> {
        let fence = self.transport.submit(&self.batch, &self.referenced)?;
        self.batch.clear();
        self.referenced.clear();
        Ok(fence)
    }

    /// Submits everything batched so far and releases dropped resources.
    pub fn flush(&mut self) -> Result<Fence> {
        self.release_queued_objects()?;
        let fence = self.submit_batch()?;
        let resources: Vec<ResourceId> = self
            .releases
            .borrow_mut()
            .drain(..)
            .filter_map(|r| match r {
                Release::Resource(id) => Some(id),
                Release::Object(..) => None,
            })
            .collect();
        for id in resources {
            self.transport.destroy_resource(id)?;
        }
        Ok(fence)
    }

    /// Flushes and waits until the host has executed everything.
    pub fn finish(&mut self) -> Result<()> {
        let fence = self.flush()?;
        self.transport.wait_fence(fence)
    }

    // ---- resources and transfers ----

    /// Creates a resource.
    pub fn create_resource(&mut self, desc: &ResourceDesc) -> Result<Resource> {
        let id = self.transport.create_resource(desc)?;
        Ok(Resource {
            id,
            desc: *desc,
            releases: self.releases.clone(),
        })
    }

    /// Imports a dma-buf another driver of the device exported, of shape `desc`; dropping
    /// the resource closes this context's handle only.
    pub fn import_resource(
        &mut self,
        fd: std::os::fd::BorrowedFd<'_>,
        desc: &ResourceDesc,
    ) -> Result<Resource> {
        let id = self.transport.import_dmabuf(fd, desc)?;
        Ok(Resource {
            id,
            desc: *desc,
            releases: self.releases.clone(),
        })
    }

    /// Exports `res` as a dma-buf, after the work submitted so far.
    pub fn export_resource(&mut self, res: &Resource) -> Result<std::os::fd::OwnedFd> {
        self.finish()?;
        self.transport.export_dmabuf(res.id)
    }

    /// The transfer of `region` of level 0 to or from `res`'s backing, and its checked layout.
    fn transfer_region(res: &Resource, region: Box3) -> Result<(TransferRegion, TransferLayout)> {
        let layout = res.desc.backing_layout(region)?;
        let narrow = |v: u64| {
            u32::try_from(v).map_err(|_| Error::InvalidArgument {
                call: "transfer",
                detail: format!(
                    "backing offset {v} of resource {} exceeds 32 bits",
                    res.id.0
                ),
            })
        };
        let t = TransferRegion {
            level: 0,
            region,
            offset: narrow(layout.offset())?,
            stride: narrow(layout.stride())?,
            layer_stride: narrow(layout.layer_stride())?,
        };
        Ok((t, layout))
    }

    /// Writes tightly packed `data` into `region` of level 0 of `res`.
    pub fn upload(&mut self, res: &Resource, region: Box3, data: &[u8]) -> Result<()> {
        const CALL: &str = "upload";
        let (t, layout) = Self::transfer_region(res, region)?;
        let packed = layout.packed_len();
        if data.len() as u64 != packed {
            return Err(Error::InvalidArgument {
                call: CALL,
                detail: format!("{} bytes given for a {packed}-byte region", data.len()),
            });
        }
        self.flush()?;
        self.transport.wait(res.id)?;
        let backing = self.transport.backing(res.id)?;
        let len = layout.row_bytes() as usize;
        for (dst, src) in layout.rows() {
            let (dst, src) = (dst as usize, src as usize);
            backing[dst..dst + len].copy_from_slice(&data[src..src + len]);
        }
        self.transport.transfer_to_host(res.id, &t)?;
        self.transport.wait(res.id)
    }

    /// Reads `region` of level 0 of `res`, tightly packed, after all submitted work.
    pub fn download(&mut self, res: &Resource, region: Box3) -> Result<Vec<u8>> {
        let (t, layout) = Self::transfer_region(res, region)?;
        self.flush()?;
        self.transport.transfer_from_host(res.id, &t)?;
        self.transport.wait(res.id)?;
        let backing = self.transport.backing(res.id)?;
        let mut out = vec![0u8; layout.packed_len() as usize];
        let len = layout.row_bytes() as usize;
        for (src, dst) in layout.rows() {
            let (src, dst) = (src as usize, dst as usize);
            out[dst..dst + len].copy_from_slice(&backing[src..src + len]);
        }
        Ok(out)
    }

    // ---- state objects ----

    /// Creates an object of any kind: `cmd` gets a fresh handle and returns the command that
    /// creates it; the object is destroyed when the returned [`Object`] is dropped.
    pub fn create_object(
        &mut self,
        kind: ObjectType,
        cmd: impl FnOnce(u32) -> Command<'static>,
    ) -> Result<Object> {
        let handle = self.alloc_handle();
        self.push(&cmd(handle))?;
        Ok(self.object(kind, handle))
    }

    /// Creates a blend state (its `handle` field is assigned here).
    pub fn create_blend(&mut self, state: &Blend) -> Result<Object> {
        self.create_object(ObjectType::Blend, |handle| {
            Command::CreateBlend(Blend {
                handle,
                ..state.clone()
            })
        })
    }

    /// Creates a depth-stencil-alpha state.
    pub fn create_dsa(&mut self, state: &Dsa) -> Result<Object> {
        self.create_object(ObjectType::Dsa, |handle| {
            Command::CreateDsa(Dsa { handle, ..*state })
        })
    }

    /// Creates a rasterizer state.
    pub fn create_rasterizer(&mut self, state: &Rasterizer) -> Result<Object> {
        self.create_object(ObjectType::Rasterizer, |handle| {
            Command::CreateRasterizer(Rasterizer { handle, ..*state })
        })
    }

    /// Creates a vertex elements layout.
    pub fn create_vertex_elements(&mut self, elements: &[VertexElement]) -> Result<Object> {
        self.create_object(ObjectType::VertexElements, |handle| {
            Command::CreateVertexElements(VertexElements {
                handle,
                elements: elements.to_vec(),
            })
        })
    }

    /// Creates a sampler state.
    pub fn create_sampler_state(&mut self, state: &SamplerState) -> Result<Object> {
        self.create_object(ObjectType::SamplerState, |handle| {
            Command::CreateSamplerState(SamplerState { handle, ..*state })
        })
    }

    /// Creates a view of all of level 0 of a texture, identity swizzle.
    pub fn create_sampler_view(&mut self, res: &Resource, format: Format) -> Result<Object> {
        let (id, target) = (res.id, res.desc.target);
        self.reference(id);
        let range = if target == TextureTarget::Buffer {
            ViewRange::Buffer {
                first_element: 0,
                last_element: res.desc.width.saturating_sub(1),
            }
        } else {
            ViewRange::Texture {
                layers: LayerRange::new(0, (res.desc.array_size.max(1) - 1) as u16),
                levels: LevelRange {
                    first: 0,
                    last: res.desc.last_level as u8,
                },
            }
        };
        self.create_object(ObjectType::SamplerView, |handle| {
            Command::CreateSamplerView(SamplerView {
                handle,
                resource: id.0,
                format,
                target,
                range,
                swizzle: [Swizzle::X, Swizzle::Y, Swizzle::Z, Swizzle::W],
            })
        })
    }

    /// Creates a render target or depth surface over level 0, layer 0 of a texture.
    pub fn create_surface(&mut self, res: &Resource, format: Format) -> Result<Object> {
        let id = res.id;
        self.reference(id);
        self.create_object(ObjectType::Surface, |handle| {
            Command::CreateSurface(Surface {
                handle,
                resource: id.0,
                format,
                level: 0,
                layers: LayerRange::single(0),
            })
        })
    }

    /// Creates a shader from TGSI text, split into continuation packets when it does not fit one batch.
    pub fn create_shader(&mut self, shader_type: ShaderType, tgsi: &str) -> Result<Object> {
        let mut text = tgsi.as_bytes().to_vec();
        text.push(0);
        let total = text.len() as u32;
        text.resize(text.len().next_multiple_of(4), 0);
        let handle = self.alloc_handle();
        // Header dword, 5 shader dwords, then text.
        let per_packet = (MAX_BATCH_DWORDS - 6) * 4;
        for (i, chunk) in text.chunks(per_packet).enumerate() {
            let sent = (i * per_packet) as u32;
            self.push(&Command::CreateShader(Shader {
                handle,
                shader_type,
                offset: if i == 0 {
                    ShaderOffset::Total(total)
                } else {
                    ShaderOffset::Continuation(sent)
                },
                num_tokens: shader_num_tokens(text.len()),
                stream_output: None,
                req_local_mem: 0,
                text: Dwords::from_bytes(chunk).expect("padded to whole dwords"),
            }))?;
        }
        Ok(self.object(ObjectType::Shader, handle))
    }

    /// Creates a shader from a TGSI syntax tree, for the stage its header names.
    pub fn create_tgsi(&mut self, shader: &virgl_proto::tgsi::Shader) -> Result<Object> {
        self.create_shader(shader.processor.shader_type(), &shader.to_string())
    }

    // ---- binding ----

    /// Binds a blend, DSA, rasterizer or vertex elements object.
    pub fn bind(&mut self, object: &Object) -> Result<()> {
        self.push(&Command::BindObject {
            object: object.kind,
            handle: object.handle,
        })
    }

    /// Binds a shader to its stage.
    pub fn bind_shader(&mut self, shader_type: ShaderType, shader: Option<&Object>) -> Result<()> {
        self.push(&Command::BindShader {
            handle: shader.map_or(0, |s| s.handle),
            shader_type,
        })
    }

    /// Sets colour buffers and the depth buffer.
    pub fn set_framebuffer(&mut self, cbufs: &[&Object], zsurf: Option<&Object>) -> Result<()> {
        self.push(&Command::SetFramebufferState {
            zsurf: zsurf.map_or(0, |z| z.handle),
            cbufs: cbufs.iter().map(|c| c.handle).collect(),
        })
    }

    /// Sets viewport 0.
    pub fn set_viewport(&mut self, viewport: Viewport) -> Result<()> {
        self.push(&Command::SetViewportState {
            start_slot: 0,
            viewports: vec![viewport],
        })
    }

    /// Sets scissor 0 (used when the rasterizer enables scissoring).
    pub fn set_scissor(&mut self, scissor: Scissor) -> Result<()> {
        self.push(&Command::SetScissorState {
            start_slot: 0,
            scissors: vec![scissor],
        })
    }

    /// Binds vertex buffers from slot 0: (stride, offset, buffer).
    pub fn set_vertex_buffers(&mut self, buffers: &[(u32, u32, &Resource)]) -> Result<()> {
        for (_, _, r) in buffers {
            self.reference(r.id);
        }
        self.push(&Command::SetVertexBuffers(
            buffers
                .iter()
                .map(|(stride, offset, r)| VertexBuffer {
                    stride: *stride,
                    offset: *offset,
                    resource: r.id.0,
                })
                .collect(),
        ))
    }

    /// Binds or unbinds the index buffer.
    pub fn set_index_buffer(&mut self, buffer: Option<(&Resource, IndexSize, u32)>) -> Result<()> {
        let cmd = match buffer {
            Some((r, index_size, offset)) => {
                self.reference(r.id);
                Command::SetIndexBuffer {
                    resource: r.id.0,
                    layout: Some(IndexLayout { index_size, offset }),
                }
            }
            None => Command::SetIndexBuffer {
                resource: 0,
                layout: None,
            },
        };
        self.push(&cmd)
    }

    /// Sets user constants of a stage (constant buffer `index`).
    pub fn set_constants(
        &mut self,
        shader_type: ShaderType,
        index: u32,
        values: &[f32],
    ) -> Result<()> {
        let words: Vec<u32> = values.iter().map(|v| v.to_bits()).collect();
        self.push(&Command::SetConstantBuffer {
            shader_type,
            index,
            data: Dwords::from_u32s(&words),
        })
    }

    /// Binds sampler views of a stage from slot 0.
    pub fn set_sampler_views(&mut self, shader_type: ShaderType, views: &[&Object]) -> Result<()> {
        self.push(&Command::SetSamplerViews {
            shader_type,
            start_slot: 0,
            views: views.iter().map(|v| v.handle).collect(),
        })
    }

    /// Binds sampler states of a stage from slot 0.
    pub fn bind_sampler_states(
        &mut self,
        shader_type: ShaderType,
        states: &[&Object],
    ) -> Result<()> {
        self.push(&Command::BindSamplerStates {
            shader_type,
            start_slot: 0,
            states: states.iter().map(|v| v.handle).collect(),
        })
    }

    /// Sets the constant blend colour.
    pub fn set_blend_color(&mut self, rgba: [f32; 4]) -> Result<()> {
        self.push(&Command::SetBlendColor(rgba))
    }

    /// Sets the stencil reference values.
    pub fn set_stencil_ref(&mut self, front: u8, back: u8) -> Result<()> {
        self.push(&Command::SetStencilRef(StencilRef { front, back }))
    }

    // ---- drawing and copies ----

    /// Clears the bound framebuffer.
    pub fn clear(&mut self, clear: Clear) -> Result<()> {
        self.push(&Command::Clear(clear))
    }

    /// Draws with the bound state.
    pub fn draw(&mut self, draw: DrawVbo) -> Result<()> {
        self.push(&Command::DrawVbo(draw))
    }

    /// Blits between resources (scaling and format conversion allowed).
    pub fn blit(&mut self, blit: Blit) -> Result<()> {
        self.reference(ResourceId(blit.dst.resource));
        self.reference(ResourceId(blit.src.resource));
        self.push(&Command::Blit(blit))
    }

    /// Copies a box between resources of compatible formats.
    pub fn copy_region(
        &mut self,
        dst: &Resource,
        dst_xyz: [u32; 3],
        src: &Resource,
        src_box: Box3,
    ) -> Result<()> {
        self.reference(dst.id);
        self.reference(src.id);
        self.push(&Command::ResourceCopyRegion(CopyRegion {
            dst_resource: dst.id.0,
            dst_level: 0,
            dst_x: dst_xyz[0],
            dst_y: dst_xyz[1],
            dst_z: dst_xyz[2],
            src_resource: src.id.0,
            src_level: 0,
            src_box,
        }))
    }
}
