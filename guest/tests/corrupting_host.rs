//! The catalogue must notice a wrong host: run it against `virgl_test_server` through each
//! [`Corruption`] and require that at least one case fails while every case still reports.

mod common;

use common::Server;
use virgl_guest::conform::{self, DynTransport, TransportKind, Verdict};
use virgl_guest::corrupt::{Connections, Corrupting, Corruption};
use virgl_guest::vtest::Vtest;

/// (case, verdict, detail) of every vtest case run through `corruption`.
fn run_through(server: &Server, corruption: Corruption) -> Vec<(&'static str, Verdict, String)> {
    let path = server.path().to_path_buf();
    let connections = Connections::default();
    let mut connect = move || {
        let vt = Vtest::connect(&path)?;
        Ok(Box::new(Corrupting::new(vt, corruption, &connections)) as DynTransport)
    };
    conform::select(None, Some(TransportKind::Vtest))
        .into_iter()
        .map(|case| {
            let r = conform::run_case(case, &mut connect, None)
                .unwrap_or_else(|e| panic!("{corruption:?}: {}: the run stopped: {e}", case.name));
            (r.case, r.outcome.verdict, r.outcome.detail)
        })
        .collect()
}

#[test]
fn every_corruption_fails_a_case_and_the_run_reports_every_case() {
    let server = Server::start();
    let cases = conform::select(None, Some(TransportKind::Vtest)).len();
    let mut missed = Vec::new();
    for corruption in Corruption::ALL {
        let reports = run_through(&server, corruption);
        assert_eq!(
            reports.len(),
            cases,
            "{corruption:?}: not every case reported"
        );
        let failed: Vec<&str> = reports
            .iter()
            .filter(|r| r.1 == Verdict::Fail)
            .map(|r| r.0)
            .collect();
        eprintln!("{corruption:?}: failed {failed:?}");
        if failed.is_empty() {
            missed.push(corruption);
        }
    }
    assert!(
        missed.is_empty(),
        "no case noticed {missed:?}\nserver log:\n{}",
        server.log()
    );
}
