//! The one table `host-eval` prints, its summary lines, and its JSON.

use serde_json::{json, Value};

/// The columns, in order: the baseline, the server under test, and (with `--capi`) Debian's
/// `virgl_test_server` on our `libvirglrenderer.so.1`. A row has a cell for each column of
/// its run, the first two always.
pub const COLUMNS: [&str; 3] = ["virglrenderer", "ours", "capi"];

/// Which kind of check a row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// One piglit shader test.
    Piglit,
    /// One glmark2 scene: validation and FPS.
    Glmark2,
    /// glmark2's overall score.
    Glmark2Score,
    /// One gears demo, compared by pixels.
    Gears,
    /// One `virgl-conform` case.
    Conform,
}

impl Group {
    fn name(self) -> &'static str {
        match self {
            Group::Piglit => "piglit",
            Group::Glmark2 => "glmark2",
            Group::Glmark2Score => "glmark2-score",
            Group::Gears => "gears",
            Group::Conform => "conform",
        }
    }
}

/// One server's result for one row.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// The result word: pass, fail, skip, crash, timeout, Success, not built...
    pub result: String,
    /// Whether the result counts as good (piglit pass, glmark2 Success, gears match).
    pub ok: bool,
    /// The client's wall time.
    pub secs: Option<f64>,
    /// Frames per second (glmark2 scenes) or the score (glmark2's score row).
    pub fps: Option<f64>,
    /// Why, where the result alone does not say.
    pub detail: String,
}

impl Cell {
    /// A cell with a result word only.
    pub fn new(result: impl Into<String>, ok: bool) -> Cell {
        Cell {
            result: result.into(),
            ok,
            secs: None,
            fps: None,
            detail: String::new(),
        }
    }

    fn measure(&self) -> String {
        match (self.fps, self.secs) {
            (Some(f), _) => format!("{f:.0} fps"),
            (None, Some(s)) => format!("{s:.2}s"),
            (None, None) => "-".into(),
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "result": self.result,
            "ok": self.ok,
            "secs": self.secs,
            "fps": self.fps,
            "detail": self.detail,
        })
    }
}

/// One line of the table: a check and every server's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub group: Group,
    /// The check's name: a piglit test path, `glmark2 SCENE`, a gears demo.
    pub test: String,
    /// Indexed like [`COLUMNS`]: the baseline's cell, then each other server's.
    pub cells: Vec<Cell>,
}

impl Row {
    /// Good on virglrenderer, not on ours (or not on `capi`, where that column runs).
    pub fn regressed(&self) -> bool {
        self.cells[0].ok && self.cells[1..].iter().any(|c| !c.ok)
    }
}

/// The columns of `rows`: as many of [`COLUMNS`] as their rows have cells.
fn columns(rows: &[Row]) -> &'static [&'static str] {
    let n = rows.iter().map(|r| r.cells.len()).max().unwrap_or(2);
    &COLUMNS[..n.clamp(2, COLUMNS.len())]
}

/// The table: test, then result and time for each server, then the details of rows whose
/// results differ.
pub fn table(rows: &[Row]) -> String {
    let names = columns(rows);
    let mut head = vec!["test".to_string()];
    for name in names {
        head.extend([name.to_string(), "time".into()]);
    }
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut line = vec![r.test.clone()];
            for c in &r.cells {
                line.extend([c.result.clone(), c.measure()]);
            }
            line
        })
        .collect();
    let mut widths: Vec<usize> = head.iter().map(|h| h.len()).collect();
    for line in &body {
        for (w, s) in widths.iter_mut().zip(line) {
            *w = (*w).max(s.chars().count());
        }
    }
    let fmt = |line: &[String]| {
        let mut s = String::new();
        for (i, (cell, w)) in line.iter().zip(&widths).enumerate() {
            let pad = w.saturating_sub(cell.chars().count());
            match i {
                0 => s.push_str(&format!("{cell}{}", " ".repeat(pad))),
                _ if i % 2 == 0 => s.push_str(&format!("  {}{cell}", " ".repeat(pad))),
                _ => s.push_str(&format!("  {cell}{}", " ".repeat(pad))),
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = fmt(&head);
    out.push_str(&format!(
        "{}\n",
        "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1))
    ));
    for line in &body {
        out.push_str(&fmt(line));
    }
    let differing: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            r.cells[1..].iter().any(|c| c.ok != r.cells[0].ok) && r.group != Group::Glmark2Score
        })
        .collect();
    if !differing.is_empty() {
        out.push_str("\nwhere they differ:\n");
        for r in differing {
            for (col, cell) in COLUMNS.iter().zip(&r.cells) {
                if !cell.detail.is_empty() {
                    out.push_str(&format!("  {} [{col}]: {}\n", r.test, cell.detail));
                }
            }
        }
    }
    out
}

fn ratio(ours: f64, theirs: f64) -> String {
    if theirs > 0.0 {
        format!("{:.3}", ours / theirs)
    } else {
        "n/a".into()
    }
}

/// The summary lines: for each group present, how many rows each server got right, their
/// ratios to the baseline, and the rows good on virglrenderer but not on another server;
/// glmark2's scores and their ratios.
pub fn summary(rows: &[Row]) -> Vec<String> {
    let names = columns(rows);
    let mut out = Vec::new();
    for (group, what) in [
        (Group::Piglit, "pass"),
        (Group::Glmark2, "Validation: Success"),
        (Group::Gears, "matching picture"),
        (Group::Conform, "pass"),
    ] {
        let rows: Vec<&Row> = rows.iter().filter(|r| r.group == group).collect();
        if rows.is_empty() {
            continue;
        }
        let count = |c: usize| {
            rows.iter()
                .filter(|r| r.cells.get(c).is_some_and(|c| c.ok))
                .count()
        };
        let counts: Vec<usize> = (0..names.len()).map(count).collect();
        let n = rows.len();
        let mut line = format!("{}: {what}:", group.name());
        for (name, k) in names.iter().zip(&counts) {
            line.push_str(&format!(" {name} {k}/{n},"));
        }
        for (name, k) in names.iter().zip(&counts).skip(1) {
            line.push_str(&format!(
                " {name}/theirs {},",
                ratio(*k as f64, counts[0] as f64)
            ));
        }
        out.push(line.trim_end_matches(',').to_string());
        for (c, name) in names.iter().enumerate().skip(1) {
            fn word(r: &Row, c: usize) -> &str {
                r.cells.get(c).map_or("", |c| c.result.as_str())
            }
            let lost: Vec<&str> = rows
                .iter()
                .filter(|r| r.cells[0].ok && !r.cells.get(c).is_some_and(|c| c.ok))
                .map(|r| r.test.as_str())
                .collect();
            let same = rows.iter().all(|r| word(r, c) == word(rows[0], c));
            if lost.len() == rows.len() && same {
                out.push(format!(
                    "{}: {name}: {} everywhere",
                    group.name(),
                    word(rows[0], c)
                ));
            } else if !lost.is_empty() {
                out.push(format!(
                    "{}: good on {} but not on {name} ({}): {}",
                    group.name(),
                    names[0],
                    lost.len(),
                    lost.join(", ")
                ));
            }
        }
    }
    for r in rows.iter().filter(|r| r.group == Group::Glmark2Score) {
        let score = |c: &Cell| {
            c.fps
                .map_or_else(|| c.result.clone(), |f| format!("{f:.0}"))
        };
        let mut line = "glmark2 score:".to_string();
        for (name, c) in names.iter().zip(&r.cells) {
            line.push_str(&format!(" {name} {},", score(c)));
        }
        for (name, c) in names.iter().zip(&r.cells).skip(1) {
            let ratio = match (r.cells[0].fps, c.fps) {
                (Some(t), Some(o)) => ratio(o, t),
                _ => "n/a".into(),
            };
            line.push_str(&format!(" {name}/theirs {ratio},"));
        }
        out.push(line.trim_end_matches(',').to_string());
    }
    out
}

/// Every row and the summary, for `--json`; `servers` describes each column's server.
pub fn json(rows: &[Row], summary: &[String], servers: &[&str]) -> Value {
    let servers: serde_json::Map<String, Value> = COLUMNS
        .iter()
        .zip(servers)
        .map(|(c, s)| (c.to_string(), json!(s)))
        .collect();
    json!({
        "servers": servers,
        "rows": rows.iter().map(|r| {
            let mut row = json!({"group": r.group.name(), "test": r.test});
            for (c, cell) in COLUMNS.iter().zip(&r.cells) {
                row[*c] = cell.to_json();
            }
            row
        }).collect::<Vec<_>>(),
        "summary": summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(result: &str, ok: bool, secs: f64) -> Cell {
        Cell {
            secs: Some(secs),
            ..Cell::new(result, ok)
        }
    }

    fn rows() -> Vec<Row> {
        vec![
            Row {
                group: Group::Piglit,
                test: "spec/glsl-1.10/execution/a".into(),
                cells: vec![cell("pass", true, 0.71), cell("pass", true, 0.5)],
            },
            Row {
                group: Group::Piglit,
                test: "spec/glsl-1.10/execution/bb".into(),
                cells: vec![
                    cell("pass", true, 0.7),
                    Cell {
                        detail: "Probe color at (0,0)".into(),
                        ..cell("fail", false, 1.25)
                    },
                ],
            },
            Row {
                group: Group::Glmark2Score,
                test: "glmark2 score".into(),
                cells: vec![
                    Cell {
                        fps: Some(200.0),
                        ..Cell::new("200", true)
                    },
                    Cell {
                        fps: Some(150.0),
                        ..Cell::new("150", true)
                    },
                ],
            },
        ]
    }

    #[test]
    fn the_table_aligns_columns_and_explains_differences() {
        let t = table(&rows());
        let want = "\
test                         virglrenderer     time  ours     time
------------------------------------------------------------------
spec/glsl-1.10/execution/a   pass             0.71s  pass    0.50s
spec/glsl-1.10/execution/bb  pass             0.70s  fail    1.25s
glmark2 score                200            200 fps  150   150 fps

where they differ:
  spec/glsl-1.10/execution/bb [ours]: Probe color at (0,0)
";
        assert_eq!(t, want, "\n{t}");
    }

    #[test]
    fn the_summary_counts_passes_and_names_what_ours_lost() {
        let s = summary(&rows());
        assert_eq!(
            s,
            [
                "piglit: pass: virglrenderer 2/2, ours 1/2, ours/theirs 0.500",
                "piglit: good on virglrenderer but not on ours (1): spec/glsl-1.10/execution/bb",
                "glmark2 score: virglrenderer 200, ours 150, ours/theirs 0.750",
            ]
        );
    }

    #[test]
    fn json_holds_every_row_with_both_servers() {
        let rows = rows();
        let v = json(&rows, &summary(&rows), &["virgl_test_server", "target/x"]);
        assert_eq!(v["rows"].as_array().unwrap().len(), 3);
        assert_eq!(v["rows"][1]["group"], "piglit");
        assert_eq!(v["rows"][1]["ours"]["result"], "fail");
        assert_eq!(v["rows"][1]["ours"]["secs"], 1.25);
        assert_eq!(v["rows"][1]["virglrenderer"]["ok"], true);
        assert_eq!(v["rows"][2]["ours"]["fps"], 150.0);
        assert_eq!(v["servers"]["ours"], "target/x");
        assert_eq!(v["summary"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn a_third_column_gets_its_cells_counts_and_losses() {
        let rows: Vec<Row> = rows()
            .into_iter()
            .map(|mut r| {
                let third = match r.group {
                    Group::Glmark2Score => Cell {
                        fps: Some(100.0),
                        ..Cell::new("100", true)
                    },
                    _ if r.test.ends_with("/a") => cell("crash", false, 0.1),
                    _ => cell("pass", true, 0.25),
                };
                r.cells.push(third);
                r
            })
            .collect();
        let t = table(&rows);
        let want = "\
test                         virglrenderer     time  ours     time  capi      time
----------------------------------------------------------------------------------
spec/glsl-1.10/execution/a   pass             0.71s  pass    0.50s  crash    0.10s
spec/glsl-1.10/execution/bb  pass             0.70s  fail    1.25s  pass     0.25s
glmark2 score                200            200 fps  150   150 fps  100    100 fps

where they differ:
  spec/glsl-1.10/execution/bb [ours]: Probe color at (0,0)
";
        assert_eq!(t, want, "\n{t}");
        assert_eq!(
            summary(&rows),
            [
                "piglit: pass: virglrenderer 2/2, ours 1/2, capi 1/2, ours/theirs 0.500, \
                 capi/theirs 0.500",
                "piglit: good on virglrenderer but not on ours (1): spec/glsl-1.10/execution/bb",
                "piglit: good on virglrenderer but not on capi (1): spec/glsl-1.10/execution/a",
                "glmark2 score: virglrenderer 200, ours 150, capi 100, ours/theirs 0.750, \
                 capi/theirs 0.500",
            ]
        );
        assert!(rows[0].regressed() && rows[1].regressed());
        let v = json(
            &rows,
            &[],
            &["virgl_test_server", "target/x", "virgl_test_server on ours"],
        );
        assert_eq!(v["servers"]["capi"], "virgl_test_server on ours");
        assert_eq!(v["rows"][0]["capi"]["result"], "crash");
        assert_eq!(v["rows"][0]["ours"]["result"], "pass");
    }

    #[test]
    fn a_server_that_ran_nothing_is_summed_up_in_one_line() {
        let rows: Vec<Row> = (0..3)
            .map(|i| Row {
                group: Group::Piglit,
                test: format!("t{i}"),
                cells: vec![cell("pass", true, 0.5), Cell::new("not built", false)],
            })
            .collect();
        assert_eq!(
            summary(&rows),
            [
                "piglit: pass: virglrenderer 3/3, ours 0/3, ours/theirs 0.000",
                "piglit: ours: not built everywhere",
            ]
        );
    }
}
