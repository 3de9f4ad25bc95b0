//! piglit's shader tests: finding them, running them as piglit does, reading their results.
//!
//! piglit runs a `.shader_test` as `RUNNER FILE -auto -fbo`, where RUNNER is `shader_runner`,
//! or `shader_runner_gles2`/`_gles3` for tests whose `[require]` section asks for GLES
//! (framework/test/shader_test.py). The test prints `PIGLIT: {"result": "pass"}`; a signal
//! makes it a crash, and a non-zero exit turns pass into warn and anything else into fail
//! (framework/test/base.py). Clients run on surfaceless EGL, which needs no X display.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::pair::{End, Run};
use super::report::{Cell, Group, Row};
use crate::{Error, Result};

/// Where Debian's piglit package installs piglit.
pub const ROOT: &str = "/usr/lib/x86_64-linux-gnu/piglit";

/// The trees test names are relative to.
const TREES: [&str; 2] = ["tests", "generated_tests"];

/// The client environment piglit needs on a machine without a display.
pub const ENV: [(&str, &str); 2] = [
    ("EGL_PLATFORM", "surfaceless"),
    ("PIGLIT_PLATFORM", "surfaceless_egl"),
];

/// One shader test.
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    /// Its path below piglit's `tests/` or `generated_tests/`, without `.shader_test`.
    pub name: String,
    /// The `.shader_test` file.
    pub file: PathBuf,
    /// `shader_runner`, `shader_runner_gles2` or `shader_runner_gles3`.
    pub runner: &'static str,
}

impl Test {
    /// The command piglit would run.
    pub fn argv(&self) -> Vec<OsString> {
        vec![
            Path::new(ROOT).join("bin").join(self.runner).into(),
            self.file.clone().into(),
            "-auto".into(),
            "-fbo".into(),
        ]
    }
}

/// The tests `lists` name, keeping those whose name contains one of `filters` (all without
/// filters), sorted by name. Each list is a file with one test path per line, or a test or
/// directory below piglit's test trees (`spec/glsl-1.10/execution`), or an absolute path.
pub fn collect(lists: &[String], filters: &[String]) -> Result<Vec<Test>> {
    let mut files = Vec::new();
    for list in lists {
        let p = Path::new(list);
        if p.is_file() && p.extension().is_none_or(|e| e != "shader_test") {
            let text = std::fs::read_to_string(p)
                .map_err(|e| Error::Setup(format!("--piglit {list}: {e}")))?;
            for line in text.lines().map(str::trim) {
                if !line.is_empty() && !line.starts_with('#') {
                    resolve(line, &mut files)?;
                }
            }
        } else {
            resolve(list, &mut files)?;
        }
    }
    let mut tests = Vec::new();
    for file in files {
        let name = name_of(&file);
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let source = std::fs::read_to_string(&file)
            .map_err(|e| Error::Setup(format!("{}: {e}", file.display())))?;
        tests.push(Test {
            name,
            runner: runner_for(&source),
            file,
        });
    }
    tests.sort_by(|a, b| a.name.cmp(&b.name));
    tests.dedup_by(|a, b| a.file == b.file);
    Ok(tests)
}

/// Adds the shader tests at `entry` (a file or a directory, absolute or below the trees).
fn resolve(entry: &str, out: &mut Vec<PathBuf>) -> Result<()> {
    let entry = entry.trim_end_matches('/');
    let candidates: Vec<PathBuf> = if Path::new(entry).is_absolute() {
        vec![entry.into()]
    } else {
        TREES
            .iter()
            .flat_map(|t| {
                let base = Path::new(ROOT).join(t);
                [base.join(entry), base.join(format!("{entry}.shader_test"))]
            })
            .collect()
    };
    let before = out.len();
    for c in candidates {
        if c.is_dir() {
            walk(&c, out);
        } else if c.is_file() {
            out.push(c);
        }
    }
    if out.len() == before {
        return Err(Error::Setup(format!(
            "--piglit: no .shader_test at {entry:?} (looked in {ROOT}/{{{}}}; is piglit installed?)",
            TREES.join(",")
        )));
    }
    Ok(())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "shader_test") {
            out.push(p);
        }
    }
}

/// The name piglit's trees give `file`: its path below them, without the extension.
fn name_of(file: &Path) -> String {
    let rel = TREES
        .iter()
        .find_map(|t| file.strip_prefix(Path::new(ROOT).join(t)).ok())
        .unwrap_or(file);
    let s = rel.to_string_lossy();
    s.strip_suffix(".shader_test").unwrap_or(&s).to_string()
}

/// The runner piglit picks for a test (shader_test.py `Parser`): a test is GLES when its
/// first `GL` requirement has the ES profile or its first `GLSL` requirement is `GLSL ES`;
/// it gets `shader_runner_gles2` when that `GL ES` bound is `<`/`<=` anything or `=`/`>=`
/// below 3.0, else `shader_runner_gles3`.
pub fn runner_for(source: &str) -> &'static str {
    let (mut gl, mut glsl_seen, mut es) = (None, false, false);
    let mut lines = source.lines().skip_while(|l| !l.starts_with("[require]"));
    lines.next();
    for line in lines.take_while(|l| !l.starts_with('[')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["GL", rest @ ..] if gl.is_none() => {
                let (profile, rest) = match rest {
                    [p @ ("ES" | "CORE" | "COMPAT"), rest @ ..] => (Some(*p), rest),
                    _ => (None, rest),
                };
                if let [op, ver, ..] = rest {
                    if let Ok(v) = ver.parse::<f64>() {
                        gl = Some((op.to_string(), v));
                        es |= profile == Some("ES");
                    }
                }
            }
            ["GLSL", rest @ ..] if !glsl_seen => {
                glsl_seen = true;
                es |= rest.first() == Some(&"ES");
            }
            _ => {}
        }
    }
    if !es {
        return "shader_runner";
    }
    match gl {
        Some((op, _)) if op == "<" || op == "<=" => "shader_runner_gles2",
        Some((op, v)) if (op == "=" || op == ">=") && v < 3.0 => "shader_runner_gles2",
        _ => "shader_runner_gles3",
    }
}

/// The result of the last `PIGLIT: {...}` line of `output`, if any.
pub fn reported(output: &str) -> Option<String> {
    output
        .lines()
        .filter_map(|l| l.strip_prefix("PIGLIT: "))
        .filter_map(|j| serde_json::from_str::<serde_json::Value>(j).ok())
        .filter_map(|v| v["result"].as_str().map(str::to_string))
        .next_back()
}

/// piglit's verdict on a run: pass, fail, skip, warn, crash, timeout, notrun; or error and
/// "not built" where the pair could not run it.
pub fn verdict(run: &Run) -> String {
    match &run.end {
        End::Signaled(_) => "crash".into(),
        End::TimedOut | End::Stopped => "timeout".into(),
        End::Error(_) => "error".into(),
        End::NotRun(why) => why.clone(),
        End::Exited(code) => match (reported(&run.output), code) {
            (Some(r), 0) => r,
            (Some(r), _) if r == "pass" => "warn".into(),
            (_, 0) => "notrun".into(),
            (_, _) => "fail".into(),
        },
    }
}

/// The row for one test run against each server (the baseline first).
pub fn row(test: &Test, runs: &[&Run]) -> Row {
    let cell = |run: &Run| {
        let result = verdict(run);
        let mut detail = match &run.end {
            End::Exited(0) | End::NotRun(_) => String::new(),
            End::Error(e) => e.clone(),
            end => format!("{end}"),
        };
        if result != "pass" && !matches!(run.end, End::NotRun(_) | End::Error(_)) {
            let out = super::pair::tail(
                &run.output
                    .lines()
                    .filter(|l| !l.starts_with("PIGLIT: "))
                    .collect::<Vec<_>>()
                    .join("\n"),
                2,
            );
            detail = [detail, out]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(": ");
        }
        if let Some(s) = &run.server_exit {
            detail.push_str(&format!(" (server ended: {s})"));
        }
        Cell {
            ok: result == "pass",
            secs: (!matches!(run.end, End::NotRun(_))).then_some(run.secs),
            fps: None,
            detail,
            result,
        }
    };
    Row {
        group: Group::Piglit,
        test: test.name.clone(),
        cells: runs.iter().map(|r| cell(r)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(end: End, output: &str) -> Run {
        Run {
            end,
            output: output.into(),
            ..Run::not_run("")
        }
    }

    #[test]
    fn result_lines_are_read_as_piglit_reads_them() {
        // As shader_runner prints them (note the space before the brace).
        assert_eq!(
            reported("PIGLIT: {\"result\": \"pass\" }\n").as_deref(),
            Some("pass")
        );
        let out = "Probe color at (0,0)\n  Expected: 0 1 0 1\n  Observed: 1 0 0 1\n\
                   PIGLIT: {\"result\": \"fail\" }\n";
        assert_eq!(reported(out).as_deref(), Some("fail"));
        assert_eq!(reported("PIGLIT: not json\n"), None);
        assert_eq!(reported("no result\n"), None);
    }

    #[test]
    fn exit_status_and_signals_decide_as_in_piglit() {
        let pass = "PIGLIT: {\"result\": \"pass\" }";
        let skip = "PIGLIT: {\"result\": \"skip\" }";
        assert_eq!(verdict(&run(End::Exited(0), pass)), "pass");
        assert_eq!(verdict(&run(End::Exited(0), skip)), "skip");
        assert_eq!(verdict(&run(End::Exited(1), pass)), "warn");
        assert_eq!(verdict(&run(End::Exited(1), skip)), "fail");
        assert_eq!(verdict(&run(End::Exited(1), "")), "fail");
        assert_eq!(verdict(&run(End::Exited(0), "")), "notrun");
        assert_eq!(verdict(&run(End::Signaled(6), pass)), "crash");
        assert_eq!(verdict(&run(End::TimedOut, "")), "timeout");
        assert_eq!(
            verdict(&run(End::NotRun("not built".into()), "")),
            "not built"
        );
    }

    #[test]
    fn a_failing_row_says_what_the_test_printed() {
        let test = Test {
            name: "spec/x".into(),
            file: "/x.shader_test".into(),
            runner: "shader_runner",
        };
        let a = run(End::Exited(0), "PIGLIT: {\"result\": \"pass\" }");
        let b = run(
            End::Exited(1),
            "Probe color at (0,0)\n  Observed: 1 0 0 1\nPIGLIT: {\"result\": \"fail\" }",
        );
        let r = row(&test, &[&a, &b]);
        assert!(r.cells[0].ok && !r.cells[1].ok);
        assert_eq!(r.cells[1].result, "fail");
        assert_eq!(
            r.cells[1].detail,
            "exit 1: Probe color at (0,0) |   Observed: 1 0 0 1"
        );
        let nb = Run::not_run("not built");
        let r = row(&test, &[&a, &nb]);
        assert_eq!(
            (r.cells[1].result.as_str(), r.cells[1].secs),
            ("not built", None)
        );
    }

    #[test]
    fn gles_tests_get_the_gles_runners() {
        let t = |req: &str| format!("[require]\n{req}\n\n[vertex shader]\nGL ES 1.0\n");
        assert_eq!(runner_for(&t("GLSL >= 1.10")), "shader_runner");
        assert_eq!(runner_for(&t("GL >= 3.1\nGLSL >= 1.40")), "shader_runner");
        assert_eq!(
            runner_for(&t("GL ES >= 2.0\nGLSL ES >= 1.00")),
            "shader_runner_gles2"
        );
        // No GL ES bound: piglit picks the GLES 3 runner.
        assert_eq!(runner_for(&t("GLSL ES >= 1.00")), "shader_runner_gles3");
        assert_eq!(
            runner_for(&t("GL ES >= 3.0\nGLSL ES >= 3.00")),
            "shader_runner_gles3"
        );
        assert_eq!(runner_for(&t("GLSL ES >= 3.00")), "shader_runner_gles3");
        assert_eq!(
            runner_for(&t("GL ES >= 3.1\nGLSL ES >= 1.00")),
            "shader_runner_gles3"
        );
        assert_eq!(runner_for(&t("GL ES < 3.0")), "shader_runner_gles2");
        assert_eq!(runner_for("[vertex shader]\n"), "shader_runner");
    }

    #[test]
    fn test_names_are_relative_to_the_trees() {
        let f = Path::new(ROOT).join("generated_tests/spec/glsl-1.10/execution/x.shader_test");
        assert_eq!(name_of(&f), "spec/glsl-1.10/execution/x");
        assert_eq!(
            name_of(Path::new("/elsewhere/y.shader_test")),
            "/elsewhere/y"
        );
    }
}
