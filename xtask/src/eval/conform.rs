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

/// A row per case either server reported; a case only pass counts as good, so a case that
/// passes on virglrenderer and is skipped on ours shows as lost.
pub fn rows(runs: [&Run; 2]) -> Vec<Row> {
    let found = [verdicts(runs[0]), verdicts(runs[1])];
    let mut names: Vec<&String> = found[0].keys().chain(found[1].keys()).collect();
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
            cells: [cell(0, ""), cell(1, "")],
        }];
    }
    names
        .into_iter()
        .map(|name| Row {
            group: Group::Conform,
            test: name.clone(),
            cells: [cell(0, name), cell(1, name)],
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
        let rows = rows([&theirs, &ours]);
        assert_eq!(rows.len(), 2);
        assert!(!rows[0].regressed());
        assert!(rows[1].regressed());
        assert_eq!(rows[1].cells[1].detail, "no caps");
    }
}
