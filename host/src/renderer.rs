//! The renderer: the contexts and resources of one host process, and the calls a transport
//! (vtest, QEMU's C ABI) makes on them.

use std::collections::HashMap;

use virgl_proto::ccmd::{Decoder, TransferTarget};
use virgl_proto::vtest::ResourceDesc;

use crate::backend::{Backend, Resources};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::quota::Limit;
use crate::resource::{check_create, Backing, Limits, Resource};
use crate::transfer;

/// A renderer over one backend.
pub struct Renderer<B: Backend> {
    backend: B,
    limits: Limits,
    resources: Resources,
    contexts: HashMap<u32, Context>,
    object_limit: Option<Limit>,
}

/// Where the bytes of a transfer are on the guest side.
pub enum GuestBytes<'a> {
    /// The resource's attached backing, from this byte offset.
    Backing(u64),
    /// These bytes (vtest's inline TRANSFER_PUT).
    Slice(&'a [u8]),
    /// This memory from this byte offset (the iovecs a C ABI transfer names).
    Memory(&'a dyn Backing, u64),
}

impl<B: Backend> Renderer<B> {
    /// A renderer with no contexts and no resources; `limits` decide what may be created.
    pub fn new(backend: B, limits: Limits) -> Renderer<B> {
        Renderer {
            backend,
            limits,
            resources: HashMap::new(),
            contexts: HashMap::new(),
            object_limit: None,
        }
    }

    /// Limits the objects each context holds (see [`Context::object_count`]), for the
    /// contexts there are and those made later; `None` lifts the limit.
    pub fn set_object_limit(&mut self, limit: Option<Limit>) {
        self.object_limit = limit;
        for c in self.contexts.values_mut() {
            c.set_object_limit(limit);
        }
    }

    /// The backend (tests read what the null backend recorded).
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The backend, mutably.
    pub fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }

    /// The capset payload of `set`, or `None` for a set the backend does not serve.
    pub fn capset(&mut self, set: u32) -> Option<Vec<u8>> {
        self.backend.capset(set)
    }

    /// Makes context `id`; 0 and ids in use are refused.
    pub fn create_context(&mut self, id: u32, name: &str) -> Result<()> {
        if id == 0 {
            return Err(Error::ContextExists(0, "id 0 is reserved"));
        }
        if self.contexts.contains_key(&id) {
            return Err(Error::ContextExists(id, "the id is in use"));
        }
        let mut context = Context::new(id, name.into());
        context.set_object_limit(self.object_limit);
        self.contexts.insert(id, context);
        Ok(())
    }

    /// Ends context `id` and everything it made; unknown ids are ignored.
    pub fn destroy_context(&mut self, id: u32) {
        if self.contexts.remove(&id).is_some() {
            self.backend.forget_sub_context(id, None);
        }
    }

    /// The context, for its state and error.
    pub fn context(&self, id: u32) -> Option<&Context> {
        self.contexts.get(&id)
    }

    /// Checks and makes resource `id`.
    pub fn create_resource(&mut self, id: u32, desc: &ResourceDesc, flags: u32) -> Result<()> {
        check_create(id, desc, flags, &self.limits)?;
        if self.resources.contains_key(&id) {
            return Err(Error::Resource {
                id,
                detail: "the id is in use".into(),
            });
        }
        let res = Resource::new(id, *desc, flags);
        self.backend.create_resource(&res)?;
        self.resources.insert(id, res);
        Ok(())
    }

    /// The resource, for its shape.
    pub fn resource(&self, id: u32) -> Option<&Resource> {
        self.resources.get(&id)
    }

    /// Frees resource `id`, detaching it from every context; returns its backing.
    pub fn unref_resource(&mut self, id: u32) -> Option<Box<dyn Backing>> {
        let res = self.resources.remove(&id)?;
        for ctx in self.contexts.values_mut() {
            ctx.detach(id);
        }
        self.backend.destroy_resource(id);
        res.backing
    }

    /// Attaches guest memory to resource `id`; one that has some already is refused, so
    /// nothing is lost.
    pub fn attach_backing(&mut self, id: u32, backing: Box<dyn Backing>) -> Result<()> {
        let res = self.resources.get_mut(&id).ok_or(Error::Resource {
            id,
            detail: "does not exist".into(),
        })?;
        if res.backing.is_some() {
            return Err(Error::Resource {
                id,
                detail: "already has backing".into(),
            });
        }
        res.backing = Some(backing);
        Ok(())
    }

    /// Detaches and returns the guest memory of resource `id`.
    pub fn detach_backing(&mut self, id: u32) -> Option<Box<dyn Backing>> {
        self.resources.get_mut(&id)?.backing.take()
    }

    /// Lets context `ctx` name resource `id`.
    pub fn attach_resource(&mut self, ctx: u32, id: u32) -> Result<()> {
        if !self.resources.contains_key(&id) {
            return Err(Error::Resource {
                id,
                detail: "does not exist".into(),
            });
        }
        self.contexts
            .get_mut(&ctx)
            .ok_or(Error::UnknownContext(ctx))?
            .attach(id);
        Ok(())
    }

    /// Stops context `ctx` naming resource `id`; unknown ids are ignored.
    pub fn detach_resource(&mut self, ctx: u32, id: u32) {
        if let Some(c) = self.contexts.get_mut(&ctx) {
            c.detach(id);
        }
    }

    fn checked<'r>(
        resources: &'r Resources,
        contexts: &HashMap<u32, Context>,
        ctx: Option<u32>,
        id: u32,
    ) -> Result<&'r Resource> {
        let res = resources.get(&id).ok_or(Error::Resource {
            id,
            detail: "does not exist".into(),
        })?;
        if let Some(ctx) = ctx {
            let c = contexts.get(&ctx).ok_or(Error::UnknownContext(ctx))?;
            if !c.is_attached(id) {
                return Err(Error::Resource {
                    id,
                    detail: format!("is not attached to context {ctx}"),
                });
            }
        }
        Ok(res)
    }

    /// Guest → host: the box of `t` from `src`. `ctx` `None` is the no-context path QEMU's 2D
    /// transfers take.
    pub fn transfer_write(
        &mut self,
        ctx: Option<u32>,
        t: &TransferTarget,
        src: GuestBytes<'_>,
    ) -> Result<()> {
        let res = Self::checked(&self.resources, &self.contexts, ctx, t.resource)?;
        match src {
            GuestBytes::Backing(offset) => {
                transfer::write_from_backing(res, t, offset, &mut self.backend)
            }
            GuestBytes::Slice(bytes) => {
                transfer::write_from_slice(res, t, bytes, &mut self.backend)
            }
            GuestBytes::Memory(mem, offset) => {
                transfer::write_from_memory(res, t, mem, offset, &mut self.backend)
            }
        }
    }

    /// Host → `mem` at `offset` (memory the transfer names itself, not the attached backing).
    pub fn transfer_read_memory(
        &mut self,
        ctx: Option<u32>,
        t: &TransferTarget,
        mem: &mut dyn Backing,
        offset: u64,
    ) -> Result<()> {
        let res = Self::checked(&self.resources, &self.contexts, ctx, t.resource)?;
        transfer::read_to_memory(res, t, mem, offset, &mut self.backend)
    }

    /// Host → the resource's backing at `offset`.
    pub fn transfer_read(
        &mut self,
        ctx: Option<u32>,
        t: &TransferTarget,
        offset: u64,
    ) -> Result<()> {
        Self::checked(&self.resources, &self.contexts, ctx, t.resource)?;
        let res = self.resources.get_mut(&t.resource).expect("checked");
        transfer::read_to_backing(res, t, offset, &mut self.backend)
    }

    /// Host → `dst` from offset 0, laid out as `t` asks; bytes between rows are left alone.
    pub fn transfer_read_slice(
        &mut self,
        ctx: Option<u32>,
        t: &TransferTarget,
        dst: &mut [u8],
    ) -> Result<()> {
        let res = Self::checked(&self.resources, &self.contexts, ctx, t.resource)?;
        transfer::read_to_slice(res, t, dst, &mut self.backend)
    }

    /// Host → a new buffer laid out as `t` asks (vtest's inline TRANSFER_GET).
    pub fn transfer_read_vec(&mut self, ctx: Option<u32>, t: &TransferTarget) -> Result<Vec<u8>> {
        let res = Self::checked(&self.resources, &self.contexts, ctx, t.resource)?;
        transfer::read_to_vec(res, t, &mut self.backend)
    }

    /// Decodes, checks and runs a command stream of context `ctx`. The first failing command
    /// puts the context in error: this and every later submission to it fail with that error,
    /// and nothing after the failing command runs.
    pub fn submit(&mut self, ctx: u32, stream: &[u8]) -> Result<()> {
        let context = self
            .contexts
            .get_mut(&ctx)
            .ok_or(Error::UnknownContext(ctx))?;
        if let Some(first) = &context.error {
            return Err(Error::ContextLost {
                ctx,
                first: first.clone(),
            });
        }
        let mut decoder = Decoder::new(stream);
        loop {
            let (index, offset) = (decoder.index(), decoder.offset());
            let cmd = match decoder.next() {
                None => return Ok(()),
                Some(Ok(cmd)) => cmd,
                Some(Err(source)) => {
                    let e = Error::Decode { ctx, source };
                    context.error = Some(e.to_string());
                    return Err(e);
                }
            };
            if let Err(detail) = context.apply(&cmd, &mut self.resources, &mut self.backend) {
                let e = Error::Command {
                    ctx,
                    index,
                    offset,
                    command: cmd.name().into(),
                    detail,
                };
                context.error = Some(e.to_string());
                return Err(e);
            }
        }
    }

    /// Ends every context and frees every resource (`virgl_renderer_reset`); the backings are
    /// handed back, by resource id, to whoever owns the memory.
    pub fn reset(&mut self) -> Vec<(u32, Box<dyn Backing>)> {
        let contexts: Vec<u32> = self.contexts.keys().copied().collect();
        for id in contexts {
            self.destroy_context(id);
        }
        let resources: Vec<u32> = self.resources.keys().copied().collect();
        resources
            .into_iter()
            .filter_map(|id| Some(id).zip(self.unref_resource(id)))
            .collect()
    }

    /// Waits until all submitted work is done.
    pub fn finish(&mut self) -> Result<()> {
        self.backend.finish()
    }
}
