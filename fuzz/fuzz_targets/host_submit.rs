//! Any bytes as a command stream of a context with a few resources of each shape, on the
//! recording null backend: decoding, validation and execution never panic, and a stream that
//! fails leaves its context refusing further submissions while another context still works.
#![no_main]
use libfuzzer_sys::fuzz_target;
use virgl_host::backend::null::NullBackend;
use virgl_host::{fixtures, Error, Renderer};

fuzz_target!(|data: &[u8]| {
    let mut r = Renderer::new(NullBackend::new(), fixtures::LIMITS);
    fixtures::populate(&mut r, 1).expect("fixture resources");
    r.create_context(2, "bystander").unwrap();
    if r.submit(1, data).is_err() {
        assert!(matches!(r.submit(1, &[]), Err(Error::ContextLost { .. })));
    }
    r.submit(2, &[]).expect("the other context is unaffected");
});
