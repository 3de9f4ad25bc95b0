//! A guest context: its sub-contexts, the resources it may name, and the check-then-apply
//! step every command of its streams goes through.
//!
//! [`Context::apply`] is the validator. For each command it resolves every handle and resource
//! against this context's state and proves every region fits, then updates the state and
//! calls the backend. The first command that fails ends the context: the error names the
//! command and what was wrong, and later submissions are refused with it.

mod compute;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use virgl_proto::ccmd::{
    Box3, Command, DrawExtra, LayerRange, LevelRange, ObjectType, SamplerView, ShaderAssembler,
    Surface, TransferDirection, ViewRange,
};
use virgl_proto::pipe::{limits, QueryType, QueryValueType, ShaderType, TextureTarget};
use virgl_proto::tgsi;

use crate::backend::{Backend, Resources, Scene};
use crate::quota::Limit;
use crate::resource::Resource;
use crate::state::objects::{describe, Object, ShaderObject};
use crate::state::{SubContext, UniformBuffer, STAGES};

/// Why a command failed: text for the context error, which adds where.
type Check<T = ()> = std::result::Result<T, String>;

/// One guest context.
#[derive(Debug)]
pub struct Context {
    pub id: u32,
    /// The name the guest gave (vtest's CREATE_RENDERER, virtio's CTX_CREATE).
    pub name: String,
    sub_contexts: HashMap<u32, SubContext>,
    current: u32,
    /// Resources this context may name (vtest attaches what a client creates; QEMU calls
    /// `ctx_attach_resource`).
    attached: HashSet<u32>,
    assembler: ShaderAssembler,
    /// Objects of every sub-context plus the sub-contexts beyond the first.
    held_objects: u64,
    /// The most [`Context::object_count`] may reach; `None`: no limit.
    object_limit: Option<Limit>,
    /// The first error, once there is one.
    pub(crate) error: Option<String>,
}

impl Context {
    /// A context with sub-context 0 current.
    pub fn new(id: u32, name: String) -> Context {
        Context {
            id,
            name,
            sub_contexts: HashMap::from([(0, SubContext::default())]),
            current: 0,
            attached: HashSet::new(),
            assembler: ShaderAssembler::default(),
            held_objects: 0,
            object_limit: None,
            error: None,
        }
    }

    /// What the context holds against its object limit: the objects of all its
    /// sub-contexts, and each sub-context beyond the first.
    pub fn object_count(&self) -> u64 {
        self.held_objects
    }

    /// Limits [`object_count`](Self::object_count): a CREATE_OBJECT or CREATE_SUB_CTX that
    /// would pass `limit` fails (and puts the context in error). Objects held already stay.
    pub fn set_object_limit(&mut self, limit: Option<Limit>) {
        self.object_limit = limit;
    }

    /// The object limit.
    pub fn object_limit(&self) -> Option<Limit> {
        self.object_limit
    }

    /// Whether one more object fits the limit; the error names it.
    fn check_room(&self, what: impl FnOnce() -> String) -> Check {
        let held = self.held_objects + 1;
        match self.object_limit {
            Some(limit) if !limit.admits(held) => {
                Err(limit.refusal(what(), held, "objects").to_string())
            }
            _ => Ok(()),
        }
    }

    /// The current sub-context's id and state.
    pub fn current(&self) -> (u32, &SubContext) {
        (self.current, &self.sub_contexts[&self.current])
    }

    /// Lets the context's streams name resource `id`.
    pub fn attach(&mut self, id: u32) {
        self.attached.insert(id);
    }

    /// Stops them from naming it.
    pub fn detach(&mut self, id: u32) {
        self.attached.remove(&id);
    }

    /// Whether the context may name resource `id`.
    pub fn is_attached(&self, id: u32) -> bool {
        self.attached.contains(&id)
    }

    /// The first error, if the context is in error.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    fn sub(&mut self) -> &mut SubContext {
        self.sub_contexts
            .get_mut(&self.current)
            .expect("the current sub-context exists")
    }

    fn resource<'r>(&self, resources: &'r Resources, id: u32) -> Check<&'r Resource> {
        match resources.get(&id) {
            Some(r) if self.attached.contains(&id) => Ok(r),
            Some(_) => Err(format!("resource {id} is not attached to this context")),
            None => Err(format!("resource {id} does not exist")),
        }
    }

    fn object(&self, handle: u32, kind: ObjectType) -> Check<&Object> {
        self.sub_contexts[&self.current]
            .objects
            .get(handle, kind)
            .map_err(|why| describe(handle, kind, why))
    }

    /// Checks `cmd` against the state, applies it and runs it on `backend`.
    pub fn apply(
        &mut self,
        cmd: &Command<'_>,
        resources: &mut Resources,
        backend: &mut dyn Backend,
    ) -> Check {
        use Command as C;
        match cmd {
            C::Nop(_)
            | C::SetDebugFlags(_)
            | C::SetTweaks { .. }
            | C::SendStringMarker(_)
            | C::EndTransfers(_)
            | C::TextureBarrier(_)
            | C::SetMinSamples(_)
            | C::SetTessState { .. } => Ok(()),

            C::CreateBlend(b) => self.insert(b.handle, Object::Blend(b.clone())),
            C::CreateRasterizer(r) => self.insert(r.handle, Object::Rasterizer(*r)),
            C::CreateDsa(d) => self.insert(d.handle, Object::Dsa(*d)),
            C::CreateVertexElements(v) => {
                if v.elements.len() > limits::MAX_ATTRIBS {
                    return Err(format!("{} vertex elements", v.elements.len()));
                }
                self.insert(v.handle, Object::VertexElements(v.clone()))
            }
            C::CreateSamplerState(s) => self.insert(s.handle, Object::SamplerState(*s)),
            C::CreateSamplerView(v) => {
                let res = self.resource(resources, v.resource)?;
                let v = normalize_view(res, *v);
                check_view_range(res, &v.range, v.target)?;
                self.insert(v.handle, Object::SamplerView(v))
            }
            C::CreateSurface(s) => {
                check_surface(self.resource(resources, s.resource)?, s)?;
                self.insert(s.handle, Object::Surface(*s))
            }
            C::CreateMsaaSurface(s) => {
                check_surface(self.resource(resources, s.surface.resource)?, &s.surface)?;
                self.insert(s.surface.handle, Object::MsaaSurface(*s))
            }
            C::CreateQuery(q) => {
                let res = self.resource(resources, q.resource)?;
                if !res.is_buffer() || u64::from(q.offset) + 8 > u64::from(res.desc.width) {
                    return Err(format!(
                        "query result at offset {} does not fit resource {}",
                        q.offset, q.resource
                    ));
                }
                self.insert(q.handle, Object::Query(*q))
            }
            C::CreateStreamoutTarget(t) => {
                let res = self.resource(resources, t.resource)?;
                let end = u64::from(t.buffer_offset) + u64::from(t.buffer_size);
                if !res.is_buffer() || end > u64::from(res.desc.width) {
                    return Err(format!(
                        "stream-output range {}..{end} does not fit resource {}",
                        t.buffer_offset, t.resource
                    ));
                }
                self.insert(t.handle, Object::StreamoutTarget(*t))
            }
            C::CreateShader(packet) => {
                let Some(done) = self.assembler.push(packet).map_err(|e| e.to_string())? else {
                    return Ok(());
                };
                let text = std::str::from_utf8(&done.text)
                    .map_err(|e| format!("shader {}: text is not UTF-8: {e}", done.handle))?;
                let tgsi = tgsi::parse(text)
                    .map_err(|e| clip(format!("shader {}: TGSI: {e}", done.handle)))?;
                if tgsi.processor.shader_type() != done.shader_type {
                    return Err(format!(
                        "shader {}: {:?} text in a {:?} shader",
                        done.handle, tgsi.processor, done.shader_type
                    ));
                }
                check_io_registers(&tgsi).map_err(|e| format!("shader {}: {e}", done.handle))?;
                let object = ShaderObject {
                    stage: done.shader_type,
                    tgsi,
                    stream_output: done.stream_output,
                    req_local_mem: done.req_local_mem,
                };
                self.insert(done.handle, Object::Shader(Arc::new(object)))
            }

            C::BindObject { object, handle } => {
                if *handle != 0 {
                    self.object(*handle, *object)?;
                }
                let bound = (*handle != 0).then_some(*handle);
                let sub = self.sub();
                match object {
                    ObjectType::Blend => sub.blend = bound,
                    ObjectType::Dsa => sub.dsa = bound,
                    ObjectType::Rasterizer => sub.rasterizer = bound,
                    ObjectType::VertexElements => sub.vertex_elements = bound,
                    other => return Err(format!("{other:?} objects are not bound this way")),
                }
                sub.generation += 1;
                Ok(())
            }
            C::DestroyObject { object, handle } => {
                let (ctx, sub_id) = (self.id, self.current);
                let sub = self.sub();
                sub.objects
                    .remove(*handle, *object)
                    .map_err(|why| describe(*handle, *object, why))?;
                sub.unbind(*handle, *object);
                self.held_objects -= 1;
                backend.forget_object(ctx, sub_id, *handle);
                Ok(())
            }
            C::BindShader {
                handle,
                shader_type,
            } => {
                if *handle != 0 {
                    let Object::Shader(s) = self.object(*handle, ObjectType::Shader)? else {
                        unreachable!("looked up by kind")
                    };
                    if s.stage != *shader_type {
                        return Err(format!(
                            "shader {handle} is a {:?} shader, bound as {shader_type:?}",
                            s.stage
                        ));
                    }
                }
                let sub = self.sub();
                sub.stages[stage(*shader_type)].shader = (*handle != 0).then_some(*handle);
                sub.generation += 1;
                Ok(())
            }

            C::SetViewportState {
                start_slot,
                viewports,
            } => {
                let start = fits(
                    *start_slot,
                    viewports.len(),
                    limits::MAX_VIEWPORTS,
                    "viewport",
                )?;
                let sub = self.sub();
                sub.viewports[start..start + viewports.len()].copy_from_slice(viewports);
                sub.generation += 1;
                Ok(())
            }
            C::SetScissorState {
                start_slot,
                scissors,
            } => {
                let start = fits(
                    *start_slot,
                    scissors.len(),
                    limits::MAX_VIEWPORTS,
                    "scissor",
                )?;
                let sub = self.sub();
                sub.scissors[start..start + scissors.len()].copy_from_slice(scissors);
                sub.generation += 1;
                Ok(())
            }
            C::SetFramebufferState { zsurf, cbufs } => {
                if cbufs.len() > limits::MAX_COLOR_BUFS {
                    return Err(format!("{} colour buffers", cbufs.len()));
                }
                for &h in cbufs.iter().chain([zsurf]).filter(|&&h| h != 0) {
                    self.surface(h)?;
                }
                let sub = self.sub();
                sub.framebuffer.cbufs = cbufs.iter().map(|&h| (h != 0).then_some(h)).collect();
                sub.framebuffer.zsurf = (*zsurf != 0).then_some(*zsurf);
                sub.generation += 1;
                Ok(())
            }
            C::SetVertexBuffers(buffers) => {
                if buffers.len() > limits::MAX_VERTEX_BUFFERS {
                    return Err(format!("{} vertex buffers", buffers.len()));
                }
                for b in buffers.iter().filter(|b| b.resource != 0) {
                    self.buffer(resources, b.resource)?;
                }
                let sub = self.sub();
                sub.vertex_buffers = buffers.clone();
                sub.generation += 1;
                Ok(())
            }
            C::SetIndexBuffer { resource, layout } => {
                let bound = match (resource, layout) {
                    (0, _) | (_, None) => None,
                    (r, Some(l)) => {
                        self.buffer(resources, *r)?;
                        Some((*r, *l))
                    }
                };
                let sub = self.sub();
                sub.index_buffer = bound;
                sub.generation += 1;
                Ok(())
            }
            C::SetConstantBuffer {
                shader_type, data, ..
            } => {
                let sub = self.sub();
                sub.stages[stage(*shader_type)].constants = data.iter().collect();
                sub.generation += 1;
                Ok(())
            }
            C::SetUniformBuffer {
                shader_type,
                index,
                offset,
                length,
                resource,
            } => {
                let slot = fits(*index, 1, limits::MAX_CONSTANT_BUFFERS, "uniform buffer")?;
                let bound = if *resource == 0 {
                    None
                } else {
                    let res = self.buffer(resources, *resource)?;
                    if u64::from(*offset) + u64::from(*length) > u64::from(res.desc.width) {
                        return Err(format!(
                            "uniform range {offset}+{length} past the {} bytes of resource {resource}",
                            res.desc.width
                        ));
                    }
                    Some(UniformBuffer {
                        resource: *resource,
                        offset: *offset,
                        length: *length,
                    })
                };
                let sub = self.sub();
                let ubos = &mut sub.stages[stage(*shader_type)].uniform_buffers;
                if ubos.len() <= slot {
                    ubos.resize(slot + 1, None);
                }
                ubos[slot] = bound;
                sub.generation += 1;
                Ok(())
            }
            C::SetSamplerViews {
                shader_type,
                start_slot,
                views,
            } => {
                let start = fits(
                    *start_slot,
                    views.len(),
                    limits::MAX_SHADER_SAMPLER_VIEWS,
                    "sampler view",
                )?;
                for &h in views.iter().filter(|&&h| h != 0) {
                    self.object(h, ObjectType::SamplerView)?;
                }
                let sub = self.sub();
                set_slots(&mut sub.stages[stage(*shader_type)].views, start, views);
                sub.generation += 1;
                Ok(())
            }
            C::BindSamplerStates {
                shader_type,
                start_slot,
                states,
            } => {
                let start = fits(*start_slot, states.len(), limits::MAX_SAMPLERS, "sampler")?;
                for &h in states.iter().filter(|&&h| h != 0) {
                    self.object(h, ObjectType::SamplerState)?;
                }
                let sub = self.sub();
                set_slots(&mut sub.stages[stage(*shader_type)].samplers, start, states);
                sub.generation += 1;
                Ok(())
            }
            C::SetBlendColor(c) => self.set(|s| s.blend_color = *c),
            C::SetStencilRef(r) => self.set(|s| s.stencil_ref = *r),
            C::SetSampleMask(m) => self.set(|s| s.sample_mask = *m),
            C::SetClipState(p) => self.set(|s| s.clip_planes = *p),
            C::SetPolygonStipple(p) => self.set(|s| s.polygon_stipple = *p),

            C::Clear(clear) => {
                self.check_framebuffer(resources)?;
                let (sub_ctx, state) = self.current();
                let scene = scene(self.id, sub_ctx, state, resources);
                backend.clear(scene, clear).map_err(|e| e.to_string())
            }
            C::DrawVbo(draw) => {
                if draw.count_from_so != 0 || matches!(draw.extra, DrawExtra::Indirect(..)) {
                    return Err("indirect and stream-output draws are not supported yet".into());
                }
                let (sub_ctx, state) = self.current();
                let vs = state.stages[stage(ShaderType::Vertex)].shader;
                let fs = state.stages[stage(ShaderType::Fragment)].shader;
                if vs.is_none() || fs.is_none() {
                    // virglrenderer skips such draws too (vrend_draw_vbo).
                    return Ok(());
                }
                self.check_framebuffer(resources)?;
                check_vertex_input(state, resources, draw)?;
                let scene = scene(self.id, sub_ctx, state, resources);
                backend.draw(scene, draw).map_err(|e| e.to_string())?;
                self.count_stream_output(draw);
                Ok(())
            }
            C::ResourceInlineWrite(w) => {
                let t = &w.target;
                let res = self.resource(resources, t.resource)?;
                let bytes = w.data.as_bytes();
                let layout = res
                    .layout(t.level, t.region, 0, t.stride, t.layer_stride)
                    .map_err(|e| e.to_string())?;
                layout
                    .check_within(bytes.len() as u64)
                    .map_err(|e| format!("inline data: {e}"))?;
                let packed = crate::transfer::gather_slice(&layout, bytes);
                backend
                    .write(res, t.level, t.region, &packed)
                    .map_err(|e| e.to_string())
            }
            C::Transfer3d(t) => {
                self.resource(resources, t.target.resource)?;
                let res = resources
                    .get_mut(&t.target.resource)
                    .expect("looked up above");
                match t.direction {
                    TransferDirection::ToHost => crate::transfer::write_from_backing(
                        res,
                        &t.target,
                        t.offset.into(),
                        backend,
                    ),
                    TransferDirection::FromHost => {
                        crate::transfer::read_to_backing(res, &t.target, t.offset.into(), backend)
                    }
                }
                .map_err(|e| e.to_string())
            }
            C::ResourceCopyRegion(c) => {
                let src = self.resource(resources, c.src_resource)?;
                let dst = self.resource(resources, c.dst_resource)?;
                if src.is_buffer() != dst.is_buffer() {
                    let kind = |r: &Resource| if r.is_buffer() { "buffer" } else { "texture" };
                    return Err(format!(
                        "a copy from {} {} to {} {}",
                        kind(src),
                        src.id,
                        kind(dst),
                        dst.id
                    ));
                }
                region_in(src, c.src_level, c.src_box, "source")?;
                let dst_box = Box3 {
                    x: c.dst_x,
                    y: c.dst_y,
                    z: c.dst_z,
                    ..c.src_box
                };
                region_in(dst, c.dst_level, dst_box, "destination")?;
                let (sub_ctx, state) = self.current();
                backend
                    .copy_region(scene(self.id, sub_ctx, state, resources), c)
                    .map_err(|e| e.to_string())
            }
            C::Blit(b) => {
                let src = self.resource(resources, b.src.resource)?;
                let dst = self.resource(resources, b.dst.resource)?;
                for (res, what) in [(src, "source"), (dst, "destination")] {
                    if res.is_buffer() {
                        return Err(format!(
                            "{what}: resource {} is a buffer; BLIT copies textures",
                            res.id
                        ));
                    }
                }
                blit_region_in(src, b.src.level, b.src.region, "source")?;
                blit_region_in(dst, b.dst.level, b.dst.region, "destination")?;
                let (sub_ctx, state) = self.current();
                backend
                    .blit(scene(self.id, sub_ctx, state, resources), b)
                    .map_err(|e| e.to_string())
            }
            C::ClearTexture(c) => {
                let res = self.resource(resources, c.resource)?;
                region_in(res, c.level, c.region, "clear")?;
                let (sub_ctx, state) = self.current();
                backend
                    .clear_texture(scene(self.id, sub_ctx, state, resources), c)
                    .map_err(|e| e.to_string())
            }

            C::CreateSubCtx(id) => {
                if !self.sub_contexts.contains_key(id) {
                    self.check_room(|| format!("sub-context {id}"))?;
                    self.sub_contexts.insert(*id, SubContext::default());
                    self.held_objects += 1;
                }
                Ok(())
            }
            C::SetSubCtx(id) => {
                if !self.sub_contexts.contains_key(id) {
                    return Err(format!("sub-context {id} does not exist"));
                }
                self.current = *id;
                Ok(())
            }
            C::DestroySubCtx(id) => {
                if *id == 0 {
                    return Err("sub-context 0 cannot be destroyed".into());
                }
                let Some(gone) = self.sub_contexts.remove(id) else {
                    return Err(format!("sub-context {id} does not exist"));
                };
                self.held_objects -= 1 + gone.objects.len() as u64;
                if self.current == *id {
                    self.current = 0;
                }
                backend.forget_sub_context(self.id, Some(*id));
                Ok(())
            }
            C::SetRenderCondition {
                query,
                condition,
                mode,
            } => {
                let cond = if *query == 0 {
                    None
                } else {
                    self.object(*query, ObjectType::Query)?;
                    Some((*query, *condition, *mode))
                };
                self.set(|s| s.render_condition = cond)
            }
            C::BeginQuery(h) | C::EndQuery(h) => {
                let query = self.query(*h)?;
                let begin = matches!(cmd, C::BeginQuery(_));
                let active = self.sub_contexts[&self.current].active_queries.contains(h);
                // Timestamps are only ended; they record the moment.
                let instant = matches!(
                    query.query_type,
                    QueryType::Timestamp | QueryType::GpuFinished
                );
                if begin && instant {
                    return Err(format!("{:?} query {h} cannot begin", query.query_type));
                }
                if begin == active && !instant {
                    return Err(format!(
                        "query {h} is {}active",
                        if active { "already " } else { "not " }
                    ));
                }
                let (sub_ctx, state) = self.current();
                let scene = scene(self.id, sub_ctx, state, resources);
                if begin {
                    backend.begin_query(scene, *h, &query)
                } else {
                    backend.end_query(scene, *h, &query)
                }
                .map_err(|e| e.to_string())?;
                let sub = self.sub();
                if begin {
                    sub.active_queries.push(*h);
                } else {
                    sub.active_queries.retain(|q| q != h);
                }
                Ok(())
            }
            C::GetQueryResult { query: h, wait } => {
                let query = self.query(*h)?;
                let (sub_ctx, state) = self.current();
                let result = backend
                    .query_result(
                        scene(self.id, sub_ctx, state, resources),
                        *h,
                        &query,
                        0,
                        *wait,
                    )
                    .map_err(|e| e.to_string())?;
                let Some(value) = result else {
                    return Ok(());
                };
                // `struct virgl_host_query_state`: state DONE, result size, result.
                let mut bytes = Vec::with_capacity(16);
                bytes.extend(QUERY_STATE_DONE.to_le_bytes());
                bytes.extend(8u32.to_le_bytes());
                bytes.extend(value.to_le_bytes());
                write_buffer(resources, backend, query.resource, query.offset, &bytes)
            }
            C::GetQueryResultQbo(r) => {
                let query = self.query(r.query)?;
                let qbo = self.buffer(resources, r.qbo)?;
                let size: u32 = match r.result_type {
                    QueryValueType::I32 | QueryValueType::U32 => 4,
                    QueryValueType::I64 | QueryValueType::U64 => 8,
                };
                if u64::from(r.offset) + u64::from(size) > u64::from(qbo.desc.width) {
                    return Err(format!(
                        "result at offset {} past the {} bytes of buffer {}",
                        r.offset, qbo.desc.width, r.qbo
                    ));
                }
                let (sub_ctx, state) = self.current();
                let scene = scene(self.id, sub_ctx, state, resources);
                let Some(value) = backend
                    .query_result(scene, r.query, &query, r.index, r.wait)
                    .map_err(|e| e.to_string())?
                else {
                    return Ok(());
                };
                let bytes = match r.result_type {
                    QueryValueType::I32 => {
                        (value.min(i32::MAX as u64) as u32).to_le_bytes().to_vec()
                    }
                    QueryValueType::U32 => (value.min(u64::from(u32::MAX)) as u32)
                        .to_le_bytes()
                        .to_vec(),
                    QueryValueType::I64 => (value.min(i64::MAX as u64)).to_le_bytes().to_vec(),
                    QueryValueType::U64 => value.to_le_bytes().to_vec(),
                };
                write_buffer(resources, backend, r.qbo, r.offset, &bytes)
            }
            C::LinkShader(handles) => {
                // Programs are linked at the first draw that uses them; the handles must name
                // shaders of their stages (0 for none).
                for (&h, t) in handles.iter().zip([
                    ShaderType::Vertex,
                    ShaderType::Fragment,
                    ShaderType::Geometry,
                    ShaderType::TessCtrl,
                    ShaderType::TessEval,
                    ShaderType::Compute,
                ]) {
                    if h == 0 {
                        continue;
                    }
                    let Object::Shader(s) = self.object(h, ObjectType::Shader)? else {
                        unreachable!("looked up by kind")
                    };
                    if s.stage != t {
                        return Err(format!(
                            "shader {h} is a {:?} shader, linked as {t:?}",
                            s.stage
                        ));
                    }
                }
                Ok(())
            }
            C::SetStreamoutTargets {
                append_bitmask,
                targets,
            } => {
                if targets.len() > limits::MAX_SO_BUFFERS {
                    return Err(format!("{} stream-output targets", targets.len()));
                }
                for &h in targets.iter().filter(|&&h| h != 0) {
                    self.object(h, ObjectType::StreamoutTarget)?;
                }
                let append = *append_bitmask;
                self.set(|s| {
                    for (i, &h) in targets.iter().enumerate() {
                        if append & (1 << i) == 0 {
                            s.streamout_filled.insert(h, 0);
                        }
                    }
                    s.streamout_targets = targets.iter().copied().take_while(|&h| h != 0).collect();
                })
            }
            C::SetShaderBuffers {
                shader_type,
                start_slot,
                buffers,
            } => self.set_shader_buffers(resources, *shader_type, *start_slot, buffers),
            C::SetAtomicBuffers {
                start_slot,
                buffers,
            } => self.set_atomic_buffers(resources, *start_slot, buffers),
            C::SetShaderImages {
                shader_type,
                start_slot,
                images,
            } => self.set_shader_images(resources, *shader_type, *start_slot, images),
            C::LaunchGrid(grid) => self.launch_grid(resources, backend, grid),
            C::MemoryBarrier(bits) => backend.memory_barrier(*bits).map_err(|e| e.to_string()),
            other => Err(format!(
                "{} is not supported by this renderer yet",
                other.name()
            )),
        }
    }

    /// Advances each bound stream-output target by what `draw` wrote: whole primitives, as
    /// many as fit in every target. What a geometry shader writes is not known here, so its
    /// targets are not advanced.
    fn count_stream_output(&mut self, draw: &virgl_proto::ccmd::DrawVbo) {
        let sub = self.sub();
        if sub.streamout_targets.is_empty()
            || sub.stages[stage(ShaderType::Geometry)].shader.is_some()
        {
            return;
        }
        let Some(Object::Shader(vs)) = sub.stages[stage(ShaderType::Vertex)]
            .shader
            .and_then(|h| sub.objects.get(h, ObjectType::Shader).ok())
        else {
            return;
        };
        let Some(so) = vs.stream_output.clone() else {
            return;
        };
        let (prims, verts) = primitives(draw.mode, draw.count);
        let mut written = u64::from(prims) * u64::from(draw.instance_count.max(1));
        let mut targets = Vec::new();
        for (i, &h) in sub.streamout_targets.iter().enumerate() {
            let Some(Object::StreamoutTarget(t)) =
                sub.objects.get(h, ObjectType::StreamoutTarget).ok()
            else {
                continue;
            };
            let per_prim = u64::from(so.stride[i]) * 4 * u64::from(verts);
            let filled = u64::from(sub.streamout_filled.get(&h).copied().unwrap_or(0));
            if let Some(fit) = u64::from(t.buffer_size)
                .saturating_sub(filled)
                .checked_div(per_prim)
            {
                written = written.min(fit);
            }
            targets.push((h, per_prim, filled));
        }
        for (h, per_prim, filled) in targets {
            let end = filled + written * per_prim;
            sub.streamout_filled
                .insert(h, end.min(u64::from(u32::MAX)) as u32);
        }
    }

    fn query(&self, handle: u32) -> Check<virgl_proto::ccmd::Query> {
        match self.object(handle, ObjectType::Query)? {
            Object::Query(q) => Ok(*q),
            _ => unreachable!("looked up by kind"),
        }
    }

    fn insert(&mut self, handle: u32, object: Object) -> Check {
        let kind = object.kind();
        self.check_room(|| format!("{kind:?} handle {handle}"))?;
        self.sub().objects.insert(handle, object)?;
        self.held_objects += 1;
        Ok(())
    }

    fn set(&mut self, f: impl FnOnce(&mut SubContext)) -> Check {
        let sub = self.sub();
        f(sub);
        sub.generation += 1;
        Ok(())
    }

    fn surface(&self, handle: u32) -> Check<&Surface> {
        match self.object(handle, ObjectType::Surface) {
            Ok(Object::Surface(s)) => Ok(s),
            Ok(_) => unreachable!("looked up by kind"),
            Err(e) => match self.object(handle, ObjectType::MsaaSurface) {
                Ok(Object::MsaaSurface(m)) => Ok(&m.surface),
                _ => Err(e),
            },
        }
    }

    /// The bound framebuffer's surfaces still name textures (a resource may be freed while a
    /// surface of it is bound, and a surface may be of a buffer, which GL cannot render to).
    fn check_framebuffer(&self, resources: &Resources) -> Check {
        let (_, state) = self.current();
        let fb = &state.framebuffer;
        let bound = fb
            .cbufs
            .iter()
            .enumerate()
            .filter_map(|(i, h)| Some((format!("colour buffer {i}"), (*h)?)))
            .chain(fb.zsurf.map(|h| ("the depth buffer".to_string(), h)));
        for (what, handle) in bound {
            let surface = self.surface(handle)?;
            match resources.get(&surface.resource) {
                None => {
                    return Err(format!(
                        "{what}: surface {handle}'s resource {} does not exist",
                        surface.resource
                    ))
                }
                Some(res) if res.is_buffer() => {
                    return Err(format!(
                        "{what}: surface {handle}'s resource {} is a buffer",
                        res.id
                    ))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    fn buffer<'r>(&self, resources: &'r Resources, id: u32) -> Check<&'r Resource> {
        let res = self.resource(resources, id)?;
        if !res.is_buffer() {
            return Err(format!(
                "resource {id} is a {:?}, not a buffer",
                res.desc.target
            ));
        }
        Ok(res)
    }
}

/// `VIRGL_QUERY_STATE_DONE`.
const QUERY_STATE_DONE: u32 = 1;

/// Writes `bytes` at `offset` of buffer `id`: into the host's copy, and into the guest
/// backing where one is attached (Mesa reads query results there without a transfer).
fn write_buffer(
    resources: &mut Resources,
    backend: &mut dyn Backend,
    id: u32,
    offset: u32,
    bytes: &[u8],
) -> Check {
    let res = resources
        .get_mut(&id)
        .ok_or_else(|| format!("resource {id} does not exist"))?;
    let end = u64::from(offset) + bytes.len() as u64;
    if !res.is_buffer() || end > u64::from(res.desc.width) {
        return Err(format!(
            "{} bytes at offset {offset} do not fit resource {id}",
            bytes.len()
        ));
    }
    let region = Box3 {
        x: offset,
        y: 0,
        z: 0,
        w: bytes.len() as u32,
        h: 1,
        d: 1,
    };
    backend
        .write(res, 0, region, bytes)
        .map_err(|e| e.to_string())?;
    if let Some(b) = res.backing.as_deref_mut() {
        if end <= b.len() {
            b.write_at(offset.into(), bytes);
        }
    }
    Ok(())
}

fn scene<'a>(ctx: u32, sub_ctx: u32, state: &'a SubContext, resources: &'a Resources) -> Scene<'a> {
    Scene {
        ctx,
        sub_ctx,
        state,
        resources,
    }
}

/// How many whole primitives `count` vertices of `mode` make, and vertices per primitive as
/// stream output records them.
pub fn primitives(mode: virgl_proto::pipe::PrimMode, count: u32) -> (u32, u32) {
    use virgl_proto::pipe::PrimMode as P;
    match mode {
        P::Points => (count, 1),
        P::Lines => (count / 2, 2),
        P::LineStrip => (count.saturating_sub(1), 2),
        P::LineLoop => (if count >= 2 { count } else { 0 }, 2),
        P::Triangles => (count / 3, 3),
        P::TriangleStrip | P::TriangleFan | P::Polygon => (count.saturating_sub(2), 3),
        P::Quads => (count / 4 * 2, 3),
        P::QuadStrip => (count.saturating_sub(2) / 2 * 2, 3),
        P::LinesAdjacency => (count / 4, 2),
        P::LineStripAdjacency => (count.saturating_sub(3), 2),
        P::TrianglesAdjacency => (count / 6, 3),
        P::TriangleStripAdjacency => (count.saturating_sub(4) / 2, 3),
        P::Patches => (0, 1),
    }
}

/// The index of a stage's state.
pub fn stage(t: ShaderType) -> usize {
    let i = t.to_wire() as usize;
    debug_assert!(i < STAGES);
    i.min(STAGES - 1)
}

/// The longest error detail kept: TGSI errors quote the guest's text, which may be a line of
/// megabytes, and the error is kept with the context and logged.
const MAX_DETAIL: usize = 400;

/// `detail`, cut to [`MAX_DETAIL`] bytes (on a character boundary) with what was left out.
fn clip(mut detail: String) -> String {
    if detail.len() > MAX_DETAIL {
        let mut end = MAX_DETAIL;
        while !detail.is_char_boundary(end) {
            end -= 1;
        }
        let cut = detail.len() - end;
        detail.truncate(end);
        detail.push_str(&format!("... ({cut} more bytes)"));
    }
    detail
}

/// Before a draw: the index range an indexed draw reads lies in its index buffer, and no
/// vertex element starts past its vertex buffer (their offsets add without wrapping).
fn check_vertex_input(
    state: &SubContext,
    resources: &Resources,
    draw: &virgl_proto::ccmd::DrawVbo,
) -> Check {
    if draw.indexed {
        let Some((id, layout)) = state.index_buffer else {
            return Err("an indexed draw with no index buffer bound".into());
        };
        let res = resources
            .get(&id)
            .ok_or_else(|| format!("index buffer {id} does not exist"))?;
        let size = u64::from(layout.index_size.to_wire());
        let end = u64::from(layout.offset) + u64::from(draw.count) * size;
        if end > u64::from(res.desc.width) {
            return Err(format!(
                "index buffer {id}: {} indices of {size} bytes from offset {} end at byte {end}, \
                 past its {} bytes",
                draw.count, layout.offset, res.desc.width
            ));
        }
    }
    // An element with no buffer reads nothing (virglrenderer disables it too).
    for (i, e, vb, res) in state.vertex_fetches(resources) {
        let index = e.vertex_buffer_index;
        let start = u64::from(vb.offset) + u64::from(e.src_offset);
        if start > u64::from(res.desc.width) {
            return Err(format!(
                "vertex element {i} starts at byte {start} of vertex buffer {index} (resource {}), \
                 past its {} bytes",
                res.id, res.desc.width
            ));
        }
    }
    Ok(())
}

/// Gallium's `PIPE_MAX_SHADER_INPUTS` and `PIPE_MAX_SHADER_OUTPUTS`.
const MAX_SHADER_IO: u32 = 80;

/// A shader's input and output registers stay below what Gallium gives a stage: 32 vertex
/// attributes, 80 inputs and outputs otherwise (virglrenderer's fa90b4e5, 7b936146, 10e2e2d4
/// bound the arrays its translator keeps them in).
fn check_io_registers(shader: &tgsi::Shader) -> Check {
    let vertex = shader.processor.shader_type() == ShaderType::Vertex;
    for item in &shader.items {
        let tgsi::Item::Declaration(d) = item else {
            continue;
        };
        let (file, limit) = match d.file {
            tgsi::File::In if vertex => ("IN", limits::MAX_ATTRIBS as u32),
            tgsi::File::In => ("IN", MAX_SHADER_IO),
            tgsi::File::Out => ("OUT", MAX_SHADER_IO),
            _ => continue,
        };
        if let tgsi::Bracket::Range { last, .. } = d.range {
            if last >= limit {
                return Err(format!(
                    "{file}[{last}] is past the {limit} {} registers a {:?} shader has",
                    if file == "IN" { "input" } else { "output" },
                    shader.processor
                ));
            }
        }
    }
    Ok(())
}

fn fits(start: u32, n: usize, max: usize, what: &str) -> Check<usize> {
    let start = start as usize;
    if start.checked_add(n).is_none_or(|end| end > max) {
        return Err(format!(
            "{what} slots {start}..{} past the limit of {max}",
            start.saturating_add(n)
        ));
    }
    Ok(start)
}

fn set_slots(slots: &mut Vec<Option<u32>>, start: usize, handles: &[u32]) {
    if slots.len() < start + handles.len() {
        slots.resize(start + handles.len(), None);
    }
    for (slot, &h) in slots[start..].iter_mut().zip(handles) {
        *slot = (h != 0).then_some(h);
    }
}

fn check_surface(res: &Resource, s: &Surface) -> Check {
    if res.is_buffer() {
        return Ok(());
    }
    let extent = res.level_extent(s.level).map_err(|e| e.to_string())?;
    let layers = if res.desc.target == TextureTarget::Texture3D {
        extent.depth
    } else {
        res.desc.array_size.max(1)
    };
    if s.layers.first > s.layers.last || u32::from(s.layers.last) >= layers {
        return Err(format!(
            "surface layers {}..={} of resource {} with {layers}",
            s.layers.first, s.layers.last, res.id
        ));
    }
    Ok(())
}

/// A guest that was not offered `TEXTURE_VIEW` leaves the view's target 0 (`BUFFER`) and packs
/// the range by the resource's target, as virglrenderer reads it: such a view of a texture is
/// a view with the texture's own target, its two range dwords layers and levels.
fn normalize_view(res: &Resource, v: SamplerView) -> SamplerView {
    match v.range {
        ViewRange::Buffer {
            first_element,
            last_element,
        } if v.target == TextureTarget::Buffer && !res.is_buffer() => SamplerView {
            target: res.desc.target,
            range: ViewRange::Texture {
                layers: LayerRange::new(first_element as u16, (first_element >> 16) as u16),
                levels: LevelRange {
                    first: last_element as u8,
                    last: (last_element >> 8) as u8,
                },
            },
            ..v
        },
        _ => v,
    }
}

fn check_view_range(res: &Resource, range: &ViewRange, target: TextureTarget) -> Check {
    match *range {
        ViewRange::Buffer {
            first_element,
            last_element,
        } => {
            if !res.is_buffer() || target != TextureTarget::Buffer {
                return Err(format!(
                    "a buffer view of {:?} resource {}",
                    res.desc.target, res.id
                ));
            }
            if first_element > last_element {
                return Err(format!("elements {first_element}..={last_element}"));
            }
        }
        ViewRange::Texture { levels, .. } => {
            if res.is_buffer() {
                return Err(format!("a texture view of buffer {}", res.id));
            }
            if levels.first > levels.last || u32::from(levels.last) > res.desc.last_level {
                return Err(format!(
                    "levels {}..={} of resource {} with last level {}",
                    levels.first, levels.last, res.id, res.desc.last_level
                ));
            }
        }
    }
    Ok(())
}

fn region_in(res: &Resource, level: u32, region: Box3, what: &str) -> Check {
    res.layout(level, region, 0, 0, 0)
        .map(drop)
        .map_err(|e| format!("{what}: {e}"))
}

/// Blit boxes may be flipped (negative width or height as two's complement): check the
/// covered range whichever way it runs.
fn blit_region_in(res: &Resource, level: u32, region: Box3, what: &str) -> Check {
    let span = |o: u32, n: u32| {
        let (o, n) = (i64::from(o as i32), i64::from(n as i32));
        let (lo, hi) = if n < 0 { (o + n, o) } else { (o, o + n) };
        (lo, hi)
    };
    let extent = res.level_extent(level).map_err(|e| e.to_string())?;
    for (lo_hi, max, axis) in [
        (span(region.x, region.w), extent.width, "x"),
        (span(region.y, region.h), extent.height, "y"),
        (span(region.z, region.d), extent.depth, "z"),
    ] {
        if lo_hi.0 < 0 || lo_hi.1 > i64::from(max) {
            return Err(format!(
                "{what} {axis} range {}..{} outside 0..{max} of resource {}",
                lo_hi.0, lo_hi.1, res.id
            ));
        }
    }
    Ok(())
}
