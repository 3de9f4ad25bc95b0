//! glmark2: each scene's own pixel check (`--validate`) and its speed.
//!
//! Two runs per server: `glmark2-es2 --off-screen --validate`, which draws each scene once and
//! compares it with glmark2's reference pixels (`[build] use-vbo=false: Validation: Success`,
//! or `Failure`, or `Unknown` for scenes it has no reference for), and a benchmark run with a
//! short duration per scene (`[build] use-vbo=false: FPS: 132 FrameTime: 7.577 ms`, then
//! `glmark2 Score: 206`, the mean of the scenes' FPS). The benchmark runs alone, with nothing
//! else on the machine's cores from this task, several times with the servers taking turns,
//! and the medians are compared, so that the load of a shared machine weighs on both alike.

use std::ffi::OsString;

use super::pair::{End, Run};
use super::report::{Cell, Group, Row};

/// The program, from Debian's glmark2-es2-x11 (it needs an X display even off screen).
pub const PROGRAM: &str = "glmark2-es2";

/// A scene's validation result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validation {
    Success,
    Failure,
    Unknown,
}

/// The command line for the validation run of `benches` (all default scenes when empty).
pub fn validate_argv(benches: &[String]) -> Vec<OsString> {
    let mut argv: Vec<OsString> = vec![PROGRAM.into(), "--off-screen".into(), "--validate".into()];
    for b in benches {
        argv.extend(["-b".into(), b.into()]);
    }
    argv
}

/// The command line for the benchmark run: a leading `-b :duration=SECS` sets every scene's
/// duration, and alone it runs the default scenes.
pub fn bench_argv(benches: &[String], secs: f64) -> Vec<OsString> {
    let mut argv: Vec<OsString> = vec![
        PROGRAM.into(),
        "--off-screen".into(),
        "-b".into(),
        format!(":duration={secs}").into(),
    ];
    for b in benches {
        argv.extend(["-b".into(), b.into()]);
    }
    argv
}

/// The scene a result line is about, as `scene:opt=v:...` without the duration option, and
/// the rest of the line after the options.
fn scene_line(line: &str) -> Option<(String, &str)> {
    let rest = line.trim().strip_prefix('[')?;
    let (scene, rest) = rest.split_once("] ")?;
    let (opts, result) = [": Validation: ", ": FPS: "]
        .iter()
        .find_map(|sep| rest.find(sep).map(|i| (&rest[..i], &rest[i + 2..])))?;
    let opts: Vec<&str> = opts
        .split(':')
        .filter(|o| *o != "<default>" && !o.starts_with("duration="))
        .collect();
    let key = if opts.is_empty() {
        scene.to_string()
    } else {
        format!("{scene}:{}", opts.join(":"))
    };
    Some((key, result))
}

/// Each scene's validation result, in order.
pub fn parse_validations(output: &str) -> Vec<(String, Validation)> {
    output
        .lines()
        .filter_map(scene_line)
        .filter_map(|(key, rest)| {
            let v = match rest.strip_prefix("Validation: ")?.trim() {
                "Success" => Validation::Success,
                "Failure" => Validation::Failure,
                "Unknown" => Validation::Unknown,
                _ => return None,
            };
            Some((key, v))
        })
        .collect()
}

/// Each scene's frames per second, in order.
pub fn parse_fps(output: &str) -> Vec<(String, f64)> {
    output
        .lines()
        .filter_map(scene_line)
        .filter_map(|(key, rest)| {
            let fps = rest.strip_prefix("FPS: ")?.split_whitespace().next()?;
            Some((key, fps.parse().ok()?))
        })
        .collect()
}

/// The overall score.
pub fn parse_score(output: &str) -> Option<f64> {
    output
        .lines()
        .find_map(|l| l.trim().strip_prefix("glmark2 Score: "))
        .and_then(|s| s.trim().parse().ok())
}

fn run_note(run: &Run) -> String {
    let mut note = match &run.end {
        End::Exited(0) => String::new(),
        End::NotRun(_) => return String::new(),
        End::Error(e) => e.clone(),
        end => format!("{end}: {}", super::pair::tail(&run.output, 2)),
    };
    if let Some(s) = &run.server_exit {
        note.push_str(&format!(" (server ended: {s})"));
    }
    note
}

/// The median of `v` (the mean of the middle two for an even count).
pub fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// One row per scene (in the order virglrenderer ran them, then any only another server ran)
/// and the score row, from each server's validation run and benchmark runs (a cell per
/// server, the baseline's first): a scene's FPS and the score are the medians over the
/// benchmark runs that reported them.
pub fn rows(validate: &[&Run], bench: &[&[&Run]]) -> Vec<Row> {
    let vals: Vec<Vec<(String, Validation)>> = validate
        .iter()
        .map(|r| parse_validations(&r.output))
        .collect();
    let fps: Vec<Vec<Vec<(String, f64)>>> = bench
        .iter()
        .map(|runs| runs.iter().map(|r| parse_fps(&r.output)).collect())
        .collect();
    let mut keys: Vec<String> = Vec::new();
    for k in vals
        .iter()
        .flatten()
        .map(|(k, _)| k)
        .chain(fps.iter().flatten().flatten().map(|(k, _)| k))
    {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    let bench_note = |c: usize| {
        bench[c]
            .iter()
            .map(|r| run_note(r))
            .find(|n| !n.is_empty())
            .unwrap_or_default()
    };
    let mut rows: Vec<Row> = keys
        .iter()
        .map(|key| {
            let cell = |c: usize| {
                let v = vals[c].iter().find(|(k, _)| k == key).map(|(_, v)| *v);
                let f = median(
                    fps[c]
                        .iter()
                        .filter_map(|run| run.iter().find(|(k, _)| k == key).map(|(_, f)| *f))
                        .collect(),
                );
                let result = match (v, &validate[c].end) {
                    (_, End::NotRun(why)) => why.clone(),
                    (Some(v), _) => format!("{v:?}"),
                    (None, _) => "missing".into(),
                };
                let detail = if v.is_none() {
                    run_note(validate[c])
                } else if f.is_none() {
                    bench_note(c)
                } else {
                    String::new()
                };
                Cell {
                    ok: v == Some(Validation::Success),
                    secs: None,
                    fps: f,
                    detail,
                    result,
                }
            };
            Row {
                group: Group::Glmark2,
                test: format!("glmark2 {key}"),
                cells: (0..validate.len()).map(cell).collect(),
            }
        })
        .collect();
    let score = |c: usize| {
        let scores: Vec<f64> = bench[c]
            .iter()
            .filter_map(|r| parse_score(&r.output))
            .collect();
        let s = median(scores.clone());
        let result = match (bench[c].first().map(|r| &r.end), s) {
            (Some(End::NotRun(why)), _) => why.clone(),
            (_, Some(_)) => "score".into(),
            (_, None) => "no score".into(),
        };
        let all = scores
            .iter()
            .map(|s| format!("{s:.0}"))
            .collect::<Vec<_>>()
            .join(", ");
        Cell {
            ok: s.is_some(),
            secs: None,
            fps: s,
            detail: format!("median of [{all}] {}", bench_note(c))
                .trim_end()
                .to_string(),
            result,
        }
    };
    rows.push(Row {
        group: Group::Glmark2Score,
        test: "glmark2 score".into(),
        cells: (0..validate.len()).map(score).collect(),
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `glmark2-es2 --off-screen --validate` through virpipe and virgl_test_server.
    const VALIDATE: &str = include_str!("../../tests/data/glmark2-validate.txt");
    /// `glmark2-es2 --off-screen -b build:use-vbo=false:duration=1 -b texture:duration=1`
    /// likewise (a duration given per scene shows in its line).
    const BENCH: &str = include_str!("../../tests/data/glmark2-bench.txt");

    #[test]
    fn validation_lines_give_each_scene_its_result() {
        let v = parse_validations(VALIDATE);
        assert_eq!(v[0], ("build:use-vbo=false".into(), Validation::Success));
        assert_eq!(v.len(), 33);
        assert_eq!(
            v.iter().filter(|(_, v)| *v == Validation::Success).count(),
            27
        );
        assert!(v.contains(&("texture:texture-filter=nearest".into(), Validation::Success)));
        assert!(v.contains(&("jellyfish".into(), Validation::Unknown)));
        assert!(v.contains(&("shading:shading=cel".into(), Validation::Unknown)));
        assert!(v.iter().any(|(k, _)| k
            == "buffer:columns=200:interleave=false:update-dispersion=0.9:update-fraction=0.5:\
                update-method=map"));
        assert!(parse_validations("[build] use-vbo=false: Validation: Maybe\n").is_empty());
        assert_eq!(
            parse_validations("[x] a=1: Validation: Failure\n"),
            [("x:a=1".to_string(), Validation::Failure)]
        );
    }

    #[test]
    fn benchmark_lines_give_fps_without_the_duration_and_the_score() {
        assert_eq!(
            parse_fps(BENCH),
            [
                ("build:use-vbo=false".to_string(), 132.0),
                ("texture".to_string(), 282.0)
            ]
        );
        assert_eq!(parse_score(BENCH), Some(206.0));
        assert_eq!(parse_score("[build] use-vbo=false: FPS: 132\n"), None);
    }

    #[test]
    fn rows_pair_scenes_by_name_and_end_with_the_score() {
        let run = |out: &str| Run {
            end: End::Exited(0),
            output: out.into(),
            ..Run::not_run("")
        };
        let (v, b) = (run(VALIDATE), run(BENCH));
        let failed = Run {
            end: End::Signaled(11),
            output: "[build] use-vbo=false: Validation: Success\nSegmentation fault\n".into(),
            ..Run::not_run("")
        };
        let nothing = run("");
        let slower = run(&BENCH
            .replace("FPS: 132", "FPS: 100")
            .replace("Score: 206", "Score: 190"));
        let rows = rows(&[&v, &failed], &[&[&b, &slower, &b], &[&nothing]]);
        let build = &rows[0];
        assert_eq!(build.test, "glmark2 build:use-vbo=false");
        assert_eq!(build.cells[0].fps, Some(132.0));
        assert!(build.cells[0].ok && build.cells[1].ok);
        let texture = rows.iter().find(|r| r.test == "glmark2 texture").unwrap();
        assert_eq!(texture.cells[1].result, "missing");
        assert_eq!(
            texture.cells[1].detail,
            "signal 11: [build] use-vbo=false: Validation: Success | Segmentation fault"
        );
        let score = rows.last().unwrap();
        assert_eq!(score.group, Group::Glmark2Score);
        assert_eq!(score.cells[0].fps, Some(206.0));
        assert_eq!(score.cells[0].detail, "median of [206, 190, 206]");
        assert_eq!(score.cells[1].result, "no score");
    }

    #[test]
    fn medians_take_the_middle() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn command_lines_set_the_duration_for_every_scene() {
        let b = ["texture".to_string()];
        assert_eq!(
            bench_argv(&b, 0.5),
            [
                "glmark2-es2",
                "--off-screen",
                "-b",
                ":duration=0.5",
                "-b",
                "texture"
            ]
        );
        assert_eq!(
            validate_argv(&[]),
            ["glmark2-es2", "--off-screen", "--validate"]
        );
    }
}
