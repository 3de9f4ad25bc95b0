//! `virgl-conform`'s catalogue run in this process against [`Renderer`] on the GL backend,
//! through a guest transport that calls the renderer directly: the fastest way to see which
//! cases the host passes, with the renderer's own errors in the failures.

mod inprocess;

use std::cell::RefCell;
use std::rc::Rc;

use inprocess::{caps, InProcess, Shared};
use virgl_guest::conform::{self, DynTransport, TransportKind, Verdict};
use virgl_guest::error::Result as GuestResult;
use virgl_host::gl::{Api, GlBackend};
use virgl_host::Renderer;

fn host(call: &'static str) -> impl Fn(virgl_host::Error) -> virgl_guest::error::Error {
    move |e| virgl_guest::error::Error::Protocol {
        call,
        detail: e.to_string(),
    }
}

#[test]
fn conform_catalogue_in_process() {
    let _egl = inprocess::egl_lock();
    match GlBackend::new(Api::GlCore { major: 4, minor: 5 }) {
        Ok(b) => run_catalogue(b, &[]),
        Err(e) => eprintln!("skip: no GL 4.5 core context here: {e}"),
    }
}

/// The catalogue on the highest OpenGL ES context the host gives (ES 3.2 on llvmpipe).
#[test]
fn conform_catalogue_in_process_on_gles() {
    let _egl = inprocess::egl_lock();
    match GlBackend::new_gles() {
        Ok(b) => run_catalogue(b, ES_NOT_YET),
        Err(e) => eprintln!("skip: no OpenGL ES 3 context here: {e}"),
    }
}

/// Cases an ES host fails, with the reason. A case listed here that passes fails the test, so
/// the list only shrinks.
const ES_NOT_YET: &[(&str, &str)] = &[];

fn run_catalogue(backend: GlBackend, not_yet: &[(&str, &str)]) {
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
