//! `cargo xtask hostile-memcheck`: the hostile-guest corpus (`host/tests/hostile/`) on the
//! null backend under valgrind's memcheck, so that each CVE's input is also checked for
//! invalid reads and writes, uninitialised values and definite leaks.
//!
//! It builds the test binary (`cargo test -p virgl-host --test hostile --no-run`), finds it in
//! cargo's JSON messages, and runs the tests whose names contain the filter (`null`: every
//! case's null-backend variant, which touches no GL driver) one at a time under
//! `valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite`. The test
//! output and valgrind's log go to `target/hostile-memcheck/`; the summary names the tests
//! run, valgrind's error count and what was definitely lost. It fails on any valgrind error, a
//! failing test, or the timeout.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Args;

use crate::proc::Guard;
use crate::{deps, Error, Result};

#[derive(Args, Debug)]
pub struct MemcheckArgs {
    /// Run the corpus tests whose names contain this (the null-backend variants by default).
    #[arg(long, default_value = "null")]
    pub filter: String,
    /// Give up (and fail) after this many seconds under valgrind.
    #[arg(long, default_value_t = 900)]
    pub timeout: u64,
}

/// The arguments valgrind runs the test binary with: memcheck, every error fatal, definite
/// leaks counted as errors.
pub const VALGRIND_ARGS: &[&str] = &[
    "--error-exitcode=1",
    "--leak-check=full",
    "--errors-for-leak-kinds=definite",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The test executable cargo built, from its `--message-format=json` output.
pub fn executable(messages: &str, target: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == target)
        .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
        .next_back()
}

/// Builds the corpus's test binary; returns its path.
fn build() -> Result<PathBuf> {
    let out = Command::new(env!("CARGO"))
        .current_dir(root())
        .args([
            "test",
            "-p",
            "virgl-host",
            "--test",
            "hostile",
            "--no-run",
            "--message-format=json",
        ])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::Setup(format!("cannot run cargo: {e}")))?;
    if !out.status.success() {
        return Err(Error::Setup(format!(
            "cargo test --no-run failed: {}",
            out.status
        )));
    }
    executable(&String::from_utf8_lossy(&out.stdout), "hostile")
        .ok_or_else(|| Error::Setup("cargo built no executable for the hostile test target".into()))
}

/// What a run reported, read from its logs.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// The test harness's `test result:` line.
    pub tests: Option<String>,
    /// Valgrind's error count (`ERROR SUMMARY: N errors`).
    pub errors: Option<u64>,
    /// Valgrind's `definitely lost:` line.
    pub definitely_lost: Option<String>,
}

impl Summary {
    pub fn read(tests: &str, valgrind: &str) -> Summary {
        let after = |text: &str, key: &str| {
            text.lines()
                .filter_map(|l| l.split_once(key).map(|(_, rest)| rest.trim().to_string()))
                .next_back()
        };
        Summary {
            tests: after(tests, "test result:"),
            errors: after(valgrind, "ERROR SUMMARY:")
                .and_then(|s| s.split_whitespace().next()?.parse().ok()),
            definitely_lost: after(valgrind, "definitely lost:"),
        }
    }
}

/// Runs the task; `Ok(false)` when valgrind or a test failed.
pub fn hostile_memcheck(args: &MemcheckArgs) -> Result<bool> {
    deps::ensure(deps::HOSTILE_MEMCHECK, &[])?;
    let exe = build()?;
    let dir = root().join("target/hostile-memcheck");
    std::fs::create_dir_all(&dir).map_err(|e| Error::Setup(format!("{}: {e}", dir.display())))?;
    let (tests_log, valgrind_log) = (dir.join("tests.log"), dir.join("valgrind.log"));
    let file = |p: &Path| {
        std::fs::File::create(p).map_err(|e| Error::Setup(format!("{}: {e}", p.display())))
    };
    let mut cmd = Command::new("valgrind");
    cmd.args(VALGRIND_ARGS)
        .arg(format!("--log-file={}", valgrind_log.display()))
        .arg(&exe)
        .args([&args.filter, "--test-threads=1"])
        .current_dir(root().join("host"))
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(file(&tests_log)?)
        .stderr(file(&dir.join("tests.stderr"))?);
    eprintln!(
        "hostile-memcheck: valgrind {} {} {} --test-threads=1 (timeout {} s)",
        VALGRIND_ARGS.join(" "),
        exe.display(),
        args.filter,
        args.timeout
    );
    let started = Instant::now();
    let mut guard = Guard::spawn(cmd, "valgrind")?;
    let status = guard.wait_timeout(Duration::from_secs(args.timeout))?;
    if status.is_none() {
        guard.kill();
    }
    let elapsed = started.elapsed();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    let summary = Summary::read(&read(&tests_log), &read(&valgrind_log));
    println!("hostile-memcheck: {} s under valgrind", elapsed.as_secs());
    println!(
        "  tests:           {}",
        summary.tests.as_deref().unwrap_or("no result line")
    );
    println!(
        "  valgrind errors: {}",
        summary
            .errors
            .map_or("no summary".to_string(), |n| n.to_string())
    );
    println!(
        "  definitely lost: {}",
        summary
            .definitely_lost
            .as_deref()
            .unwrap_or("nothing reported")
    );
    println!(
        "  logs:            {} and {}",
        tests_log.display(),
        valgrind_log.display()
    );
    let ran = summary
        .tests
        .as_deref()
        .is_some_and(|t| t.starts_with("ok.") && !t.starts_with("ok. 0 passed"));
    Ok(match status {
        None => {
            println!(
                "hostile-memcheck: FAILED: still running after {} s",
                args.timeout
            );
            false
        }
        Some(s) if s.success() && summary.errors == Some(0) && ran => {
            println!("hostile-memcheck: ok");
            true
        }
        Some(s) => {
            println!("hostile-memcheck: FAILED: valgrind exited with {s}");
            false
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_executable_comes_from_cargos_messages() {
        let messages = r#"{"reason":"compiler-artifact","target":{"name":"virgl_host"},"executable":null}
{"reason":"compiler-artifact","target":{"name":"hostile"},"executable":"/t/debug/deps/hostile-abc"}
{"reason":"build-finished","success":true}"#;
        assert_eq!(
            executable(messages, "hostile"),
            Some(PathBuf::from("/t/debug/deps/hostile-abc"))
        );
        assert_eq!(executable(messages, "other"), None);
    }

    #[test]
    fn the_summary_reads_both_logs() {
        let tests = "test a::null ... ok\n\ntest result: ok. 69 passed; 0 failed; 0 ignored\n";
        let valgrind = "==1== LEAK SUMMARY:\n==1==    definitely lost: 0 bytes in 0 blocks\n\
                        ==1== ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)\n";
        assert_eq!(
            Summary::read(tests, valgrind),
            Summary {
                tests: Some("ok. 69 passed; 0 failed; 0 ignored".into()),
                errors: Some(0),
                definitely_lost: Some("0 bytes in 0 blocks".into()),
            }
        );
        assert_eq!(Summary::read("", "").errors, None);
    }
}
