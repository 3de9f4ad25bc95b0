//! Real captured streams, and deterministic corruptions of them, submitted to a renderer on the
//! null backend: nothing panics, a failing stream names its command and ends only its own
//! context, and a bystander context keeps working. (`fuzz/fuzz_targets/host_submit.rs` does
//! the same with coverage-guided inputs.)

use std::path::Path;

use virgl_host::backend::null::NullBackend;
use virgl_host::{fixtures, Error, Renderer};

fn captures() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../proto/tests/data");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "virgl"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(out.len() >= 5, "captures in {}", dir.display());
    out
}

/// Submits `stream` as context 1 beside a bystander context 2; returns the error, if any.
fn run(stream: &[u8]) -> Option<String> {
    let mut r = Renderer::new(NullBackend::new(), fixtures::LIMITS);
    fixtures::populate(&mut r, 1).unwrap();
    r.create_context(2, "bystander").unwrap();
    let result = r.submit(1, stream);
    r.submit(2, &[]).expect("the bystander is unaffected");
    match result {
        Ok(()) => None,
        Err(e) => {
            assert!(
                matches!(
                    e,
                    Error::Command { ctx: 1, .. } | Error::Decode { ctx: 1, .. }
                ),
                "{e}"
            );
            let again = r.submit(1, &[]).unwrap_err();
            assert!(
                matches!(again, Error::ContextLost { ctx: 1, .. }),
                "{again}"
            );
            Some(e.to_string())
        }
    }
}

#[test]
fn captured_streams_fail_only_where_they_name_missing_state() {
    for (name, bytes) in captures() {
        // The captures name resources of their own sessions, which do not exist here: the
        // first command that does so must be the one reported.
        if let Some(e) = run(&bytes) {
            assert!(
                e.contains("resource") || e.contains("does not exist"),
                "{name}: {e}"
            );
        }
    }
}

#[test]
fn corrupted_streams_never_panic() {
    let mut runs = 0;
    let mut failures = 0;
    for (_, bytes) in captures() {
        let dwords = bytes.len() / 4;
        let step = (dwords / 300).max(1);
        for at in (0..dwords).step_by(step) {
            for value in [0u32, u32::MAX, 0x8000_0000, 1, 0xffff, 0x10000] {
                let mut s = bytes.clone();
                s[at * 4..at * 4 + 4].copy_from_slice(&value.to_le_bytes());
                runs += 1;
                failures += usize::from(run(&s).is_some());
            }
            let mut s = bytes.clone();
            s.truncate(at * 4 + 3);
            runs += 1;
            failures += usize::from(run(&s).is_some());
        }
    }
    assert!(
        runs > 1000 && failures > 0,
        "{runs} runs, {failures} failed"
    );
}
