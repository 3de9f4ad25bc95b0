//! A guest transport that calls a [`Renderer`] on the GL backend in this process.

#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use virgl_guest::conform::{self, DynTransport, TransportKind, Verdict};
use virgl_guest::error::{Error as GuestError, Result as GuestResult};
use virgl_guest::transport::{Caps, Fence, ResourceDesc, ResourceId, TransferRegion, Transport};
use virgl_host::gl::{Api, GlBackend};
use virgl_host::{GuestBytes, Renderer};
use virgl_proto::caps::{CapsV1, CapsV2};
use virgl_proto::ccmd::TransferTarget;

pub type Shared = Rc<RefCell<Renderer<GlBackend>>>;

/// One guest context on the shared renderer.
pub struct InProcess {
    pub renderer: Shared,
    pub ctx: u32,
    pub caps: Caps,
    pub backings: std::collections::HashMap<u32, Vec<u8>>,
    pub next_id: Rc<RefCell<u32>>,
}

fn host(call: &'static str) -> impl Fn(virgl_host::Error) -> GuestError {
    move |e| GuestError::Protocol {
        call,
        detail: e.to_string(),
    }
}

impl InProcess {
    fn target(id: ResourceId, t: &TransferRegion) -> TransferTarget {
        TransferTarget {
            resource: id.0,
            level: t.level,
            usage: 0,
            stride: t.stride,
            layer_stride: t.layer_stride,
            region: t.region,
        }
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        let mut r = self.renderer.borrow_mut();
        for id in self.backings.keys() {
            r.unref_resource(*id);
        }
        r.destroy_context(self.ctx);
    }
}

impl Transport for InProcess {
    fn describe(&self) -> String {
        format!("in-process renderer, context {}", self.ctx)
    }

    fn caps(&self) -> &Caps {
        &self.caps
    }

    fn create_resource(&mut self, desc: &ResourceDesc) -> GuestResult<ResourceId> {
        let id = {
            let mut n = self.next_id.borrow_mut();
            *n += 1;
            *n
        };
        let mut r = self.renderer.borrow_mut();
        r.create_resource(id, desc, 0)
            .map_err(host("RESOURCE_CREATE"))?;
        r.attach_resource(self.ctx, id).map_err(host("attach"))?;
        let size = desc.backing_size().unwrap_or(0) as usize;
        self.backings.insert(id, vec![0; size]);
        Ok(ResourceId(id))
    }

    fn destroy_resource(&mut self, id: ResourceId) -> GuestResult<()> {
        self.backings.remove(&id.0);
        self.renderer.borrow_mut().unref_resource(id.0);
        Ok(())
    }

    fn backing(&mut self, id: ResourceId) -> GuestResult<&mut [u8]> {
        self.backings
            .get_mut(&id.0)
            .map(|b| b.as_mut_slice())
            .ok_or(GuestError::InvalidArgument {
                call: "backing",
                detail: format!("no resource {}", id.0),
            })
    }

    fn transfer_to_host(&mut self, id: ResourceId, t: &TransferRegion) -> GuestResult<()> {
        let bytes = &self.backings[&id.0][t.offset as usize..];
        self.renderer
            .borrow_mut()
            .transfer_write(
                Some(self.ctx),
                &Self::target(id, t),
                GuestBytes::Slice(bytes),
            )
            .map_err(host("transfer to host"))
    }

    fn transfer_from_host(&mut self, id: ResourceId, t: &TransferRegion) -> GuestResult<()> {
        let backing = self.backings.get_mut(&id.0).expect("created");
        self.renderer
            .borrow_mut()
            .transfer_read_slice(
                Some(self.ctx),
                &Self::target(id, t),
                &mut backing[t.offset as usize..],
            )
            .map_err(host("transfer from host"))
    }

    fn submit(&mut self, stream: &[u32], _resources: &[ResourceId]) -> GuestResult<Fence> {
        let bytes: Vec<u8> = stream.iter().flat_map(|d| d.to_le_bytes()).collect();
        self.renderer
            .borrow_mut()
            .submit(self.ctx, &bytes)
            .map_err(host("SUBMIT_CMD"))?;
        Ok(Fence::Implicit)
    }

    fn wait(&mut self, _id: ResourceId) -> GuestResult<()> {
        self.renderer.borrow_mut().finish().map_err(host("finish"))
    }

    fn wait_fence(&mut self, _fence: Fence) -> GuestResult<()> {
        self.renderer.borrow_mut().finish().map_err(host("finish"))
    }
}

pub fn caps(renderer: &Shared) -> Option<Caps> {
    let mut r = renderer.borrow_mut();
    let v1 = CapsV1::from_bytes(&r.capset(1)?).ok()?;
    let v2_bytes = r.capset(2)?;
    let v2 = CapsV2::from_bytes(&v2_bytes).ok()?;
    Some(Caps {
        v1,
        v2: Some(v2),
        v2_len: Some(v2_bytes.len()),
    })
}

/// One GL renderer at a time in a test binary: EGL displays are per process, and dropping one
/// (`eglTerminate`) ends it for every other thread. Hold the guard while the renderer lives.
pub fn egl_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A renderer on a GL 4.5 core context, or `None` where there is none.
pub fn renderer() -> Option<Shared> {
    renderer_on(false)
}

/// A renderer on a GL 4.5 core context, or with `es` on the highest OpenGL ES context the
/// host gives; `None` (with a skip line) where there is none.
pub fn renderer_on(es: bool) -> Option<Shared> {
    let backend = if es {
        GlBackend::new_gles()
    } else {
        GlBackend::new(Api::GlCore { major: 4, minor: 5 })
    };
    match backend {
        Ok(b) => {
            let limits = b.gl().resource_limits().unwrap();
            Some(Rc::new(RefCell::new(Renderer::new(b, limits))))
        }
        Err(e) => {
            eprintln!("skip: no such context here: {e}");
            None
        }
    }
}

impl InProcess {
    /// A new guest context `ctx` named `name` on `renderer`.
    pub fn connect(renderer: &Shared, ctx: u32, name: &str) -> InProcess {
        renderer.borrow_mut().create_context(ctx, name).unwrap();
        InProcess {
            renderer: renderer.clone(),
            ctx,
            caps: caps(renderer).expect("the GL backend serves capsets 1 and 2"),
            backings: Default::default(),
            next_id: Rc::new(RefCell::new(0)),
        }
    }
}

/// Runs `virgl-conform`'s catalogue against a renderer on `backend`, and fails on a case that
/// fails unless `not_yet` lists it (with the reason), or on a listed case that passes.
pub fn run_catalogue(backend: GlBackend, not_yet: &[(&str, &str)]) {
    eprintln!("on {}", backend.gl().version().version);
    let limits = backend.gl().resource_limits().unwrap();
    let renderer: Shared = Rc::new(RefCell::new(Renderer::new(backend, limits)));
    let caps = caps(&renderer).expect("the GL backend serves capsets 1 and 2");
    let next_ctx = Rc::new(RefCell::new(0u32));
    let next_id = Rc::new(RefCell::new(0u32));
    let filter = std::env::var("CONFORM_FILTER").ok();
    let mut failed = Vec::new();
    let mut passed = 0;
    for case in conform::select(filter.as_deref(), Some(TransportKind::Vtest)) {
        let mut connect = || -> GuestResult<DynTransport> {
            let ctx = {
                let mut n = next_ctx.borrow_mut();
                *n += 1;
                *n
            };
            renderer
                .borrow_mut()
                .create_context(ctx, case.name)
                .map_err(host("create context"))?;
            Ok(Box::new(InProcess {
                renderer: renderer.clone(),
                ctx,
                caps: caps.clone(),
                backings: Default::default(),
                next_id: next_id.clone(),
            }))
        };
        let report = conform::run_case(case, &mut connect, None).unwrap();
        eprintln!(
            "{:<40} {:<5} {}",
            report.case,
            report.outcome.verdict.as_str(),
            report.outcome.detail
        );
        match report.outcome.verdict {
            Verdict::Fail => failed.push(report.case),
            Verdict::Pass => passed += 1,
            _ => {}
        }
    }
    eprintln!("{passed} passed, {} failed: {failed:?}", failed.len());
    let expected: Vec<&str> = not_yet.iter().map(|(c, _)| *c).collect();
    let unexpected: Vec<_> = failed.iter().filter(|c| !expected.contains(c)).collect();
    let fixed: Vec<_> = match filter {
        Some(_) => Vec::new(),
        None => expected.iter().filter(|c| !failed.contains(c)).collect(),
    };
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "failed, not listed: {unexpected:?}; listed, but passed (take them off): {fixed:?}"
    );
}

/// A backend on the highest OpenGL ES context Mesa gives when held to `version` by
/// `MESA_GLES_VERSION_OVERRIDE` (read once per process: a binary of its own per level), after
/// checking it is that level; `None`, with a skip line, where there is no EGL display.
pub fn gles_backend(version: &str) -> Option<GlBackend> {
    std::env::set_var("MESA_GLES_VERSION_OVERRIDE", version);
    let backend = match GlBackend::new_gles() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("skip: no OpenGL ES context here: {e}");
            return None;
        }
    };
    let v = backend.gl().version();
    assert!(
        v.es && format!("{}.{}", v.major, v.minor) == version,
        "MESA_GLES_VERSION_OVERRIDE={version} gave {}",
        v.version
    );
    Some(backend)
}
