//! `virgl-conform` as a host-eval client: the whole vtest catalogue against each server, one
//! row per case.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;

use serde_json::Value;

use super::pair::{End, Run, SOCKET};
use super::report::{Cell, Group, Row};

/// The client's command line: JSON lines, one per case.
pub fn argv(program: &Path) -> Vec<OsString> {
    vec![
        program.into(),
        "--vtest".into(),
        SOCKET.into(),
        "--format".into(),
        "json".into(),
    ]
}

/// Each case's verdict and detail in a run's output (other lines are ignored).
fn verdicts(run: &Run) -> BTreeMap<String, (String, String)> {
    run.output
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| {
            Some((
                v["case"].as_str()?.to_string(),
                (
                    v["result"].as_str()?.to_string(),
                    v["detail"].as_str().unwrap_or("").to_string(),
                ),
            ))
        })
        .collect()
}

/// A row per case any server reported, a cell per run (the baseline's first); a case only
/// pass counts as good, so a case that passes on virglrenderer and is skipped on ours shows
/// as lost.
pub fn rows(runs: &[&Run]) -> Vec<Row> {
    let found: Vec<BTreeMap<String, (String, String)>> = runs.iter().map(|r| verdicts(r)).collect();
    let mut names: Vec<&String> = found.iter().flat_map(|f| f.keys()).collect();
    names.sort();
    names.dedup();
    let cell = |c: usize, name: &str| match found[c].get(name) {
        Some((result, detail)) => Cell {
            detail: detail.clone(),
            ..Cell::new(result.clone(), result == "pass")
        },
        None => {
            let why = match &runs[c].end {
                End::NotRun(why) => why.clone(),
                end => format!("not reported ({end})"),
            };
            Cell {
                detail: super::pair::tail(&runs[c].output, 2),
                ..Cell::new(why, false)
            }
        }
    };
    if names.is_empty() {
        return vec![Row {
            group: Group::Conform,
            test: "virgl-conform".into(),
            cells: (0..runs.len()).map(|c| cell(c, "")).collect(),
        }];
    }
    names
        .into_iter()
        .map(|name| Row {
            group: Group::Conform,
            test: name.clone(),
            cells: (0..runs.len()).map(|c| cell(c, name)).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(output: &str) -> Run {
        Run {
            output: output.into(),
            ..Run::not_run("x")
        }
    }

    #[test]
    fn cases_pair_up_and_only_passes_count() {
        let theirs = run(concat!(
            "{\"case\":\"a\",\"result\":\"pass\",\"detail\":\"\",\"ms\":1.0}\n",
            "{\"case\":\"b\",\"result\":\"pass\",\"detail\":\"\",\"ms\":1.0}\n",
        ));
        let ours = run(concat!(
            "noise\n",
            "{\"case\":\"a\",\"result\":\"pass\",\"detail\":\"\",\"ms\":1.0}\n",
            "{\"case\":\"b\",\"result\":\"skip\",\"detail\":\"no caps\",\"ms\":1.0}\n",
        ));
        let rows = rows(&[&theirs, &ours]);
        assert_eq!(rows.len(), 2);
        assert!(!rows[0].regressed());
        assert!(rows[1].regressed());
        assert_eq!(rows[1].cells[1].detail, "no caps");
    }

    #[test]
    fn a_third_server_gets_its_own_cells() {
        let theirs = run("{\"case\":\"a\",\"result\":\"pass\",\"detail\":\"\",\"ms\":1.0}\n");
        let ours = run("{\"case\":\"a\",\"result\":\"pass\",\"detail\":\"\",\"ms\":1.0}\n");
        let capi = run(concat!(
            "{\"case\":\"a\",\"result\":\"fail\",\"detail\":\"wrong\",\"ms\":1.0}\n",
            "{\"case\":\"c\",\"result\":\"pass\",\"detail\":\"\",\"ms\":1.0}\n",
        ));
        let rows = rows(&[&theirs, &ours, &capi]);
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.cells.len() == 3));
        assert!(rows[0].regressed());
        assert_eq!(
            (
                rows[0].cells[2].result.as_str(),
                rows[0].cells[2].detail.as_str()
            ),
            ("fail", "wrong")
        );
        assert_eq!(rows[1].test, "c");
        let ok: Vec<bool> = rows[1].cells.iter().map(|c| c.ok).collect();
        assert_eq!(ok, [false, false, true]);
        assert!(!rows[1].regressed());
    }
}
