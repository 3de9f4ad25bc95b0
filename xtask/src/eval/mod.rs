//! `cargo xtask host-eval`: real GL programs through Mesa's virpipe, against virglrenderer's
//! `virgl_test_server` and against our server, side by side in one run and one table.
//!
//! Each program runs once per server, each time as its own client and server pair in a private
//! mount namespace ([`pair`]). Pairs run `--jobs` at a time; glmark2's benchmark and the gears
//! (which share one window position) then run one at a time. The X display comes from one
//! Xvfb the task starts when glmark2 or the gears need it. Every child has a time limit and is
//! stopped on every exit path, Ctrl-C included.

pub mod conform;
pub mod gears;
pub mod glmark2;
pub mod pair;
pub mod piglit;
pub mod report;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use pair::{Client, Run, Server};
use report::{Row, COLUMNS};

use crate::proc::{check_interrupted, run_checked, Bounded};
use crate::{deps, Error, Result};

/// Options of `cargo xtask host-eval`.
#[derive(Debug, clap::Args)]
pub struct HostEvalArgs {
    /// piglit shader tests: a file with one test path per line, or a test or directory below
    /// piglit's test trees such as `spec/glsl-1.10/execution` (repeatable).
    #[arg(long, value_name = "LIST")]
    pub piglit: Vec<String>,
    /// glmark2-es2's scenes: validation against its reference pixels, FPS and the score.
    #[arg(long)]
    pub glmark2: bool,
    /// A glmark2 benchmark (`-b` syntax, e.g. `build:use-vbo=false`) instead of the default
    /// set (repeatable).
    #[arg(long = "glmark2-bench", value_name = "BENCH")]
    pub glmark2_bench: Vec<String>,
    /// Seconds each glmark2 scene is measured for.
    #[arg(long, value_name = "SECS", default_value_t = 1.0)]
    pub glmark2_duration: f64,
    /// glmark2 benchmark runs per server, taking turns; FPS and score are their medians.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub glmark2_runs: usize,
    /// glxgears and es2gears_x11, their pictures compared with virglrenderer's.
    #[arg(long)]
    pub gears: bool,
    /// Seconds each gears demo runs before its window is read.
    #[arg(long, value_name = "SECS", default_value_t = 3.0)]
    pub gears_seconds: f64,
    /// virgl-conform's vtest catalogue against both servers, a row per case.
    #[arg(long)]
    pub conform: bool,
    /// Serve both from an OpenGL ES context of this version (2.0, 3.0, 3.1 or 3.2): each server
    /// gets `--use-gles` and Mesa's `MESA_GLES_VERSION_OVERRIDE=VERSION`.
    #[arg(long, value_name = "VERSION", value_parser = ["2.0", "3.0", "3.1", "3.2"])]
    pub gles: Option<String>,
    /// With `--gles`: the baseline stays on desktop GL, and only ours gets the ES context.
    /// For ES 2.0, where virglrenderer cannot start: `--theirs` then names the reference
    /// (virglrenderer, or our own server on desktop GL).
    #[arg(long, requires = "gles")]
    pub baseline_on_desktop: bool,
    /// Write every row as JSON to PATH.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Client and server pairs to run at once.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub jobs: usize,
    /// Keep only piglit tests whose name contains S (repeatable: any of them).
    #[arg(long, value_name = "S")]
    pub filter: Vec<String>,
    /// Seconds a piglit test or a glmark2 run may take.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub timeout: u64,
    /// The baseline server.
    #[arg(long, value_name = "PATH", default_value = "virgl_test_server")]
    pub theirs: PathBuf,
    /// An argument for the baseline server (repeatable; default --use-egl-surfaceless).
    #[arg(long = "theirs-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub theirs_args: Vec<String>,
    /// The server under test; default: target/<profile>/virgl-host-vtest, built first.
    #[arg(long, value_name = "PATH")]
    pub ours: Option<PathBuf>,
    /// An argument for our server (repeatable; default --use-egl-surfaceless).
    #[arg(long = "ours-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub ours_args: Vec<String>,
    /// Build and use the release profile of our server.
    #[arg(long)]
    pub release: bool,
    /// A third column, `capi`: Debian's virgl_test_server started as the baseline is, on our
    /// libvirglrenderer.so.1 (virgl-host-capi, built first) through LD_LIBRARY_PATH.
    #[arg(long)]
    pub capi: bool,
}

/// What a case is, for reading its runs.
enum Kind {
    Piglit(piglit::Test),
    Glmark2Validate,
    Glmark2Bench,
    Gears(&'static str),
    Conform,
}

/// One program, to run once against each server.
struct Case {
    kind: Kind,
    name: String,
    client: Client,
    /// Run alone, after the parallel part (benchmarks, and the gears' shared window).
    alone: bool,
}

impl Case {
    fn brief(&self, run: &Run) -> String {
        let word = match &self.kind {
            Kind::Piglit(_) => piglit::verdict(run),
            _ => run.end.to_string(),
        };
        match run.end {
            pair::End::NotRun(_) => word,
            _ => format!("{word} {:.2}s", run.secs),
        }
    }
}

/// A column's server, or why there is none.
type Column = std::result::Result<Server, String>;

fn default_args(args: &[String]) -> Vec<String> {
    if args.is_empty() {
        vec!["--use-egl-surfaceless".into()]
    } else {
        args.to_vec()
    }
}

/// Builds `virgl-host-vtest` (and `virgl-conform`); its path, or why not.
fn build_ours(release: bool, work: &Path) -> Result<Column> {
    let root = crate::vm::workspace_root();
    let log_path = work.join("build-ours.log");
    let log = std::fs::File::create(&log_path).map_err(|e| Error::Setup(e.to_string()))?;
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(&root)
        .args(["build", "-p", "virgl-host", "--bin", "virgl-host-vtest"])
        .args(["-p", "virgl-guest", "--bin", "virgl-conform"])
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| Error::Setup(e.to_string()))?)
        .stderr(log);
    if release {
        cmd.arg("--release");
    }
    eprintln!("host-eval: building virgl-host-vtest");
    let built = run_checked(Bounded::new(
        cmd,
        "cargo build -p virgl-host --bin virgl-host-vtest",
        Duration::from_secs(1800),
    ));
    check_interrupted()?;
    if let Err(e) = built {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let first = text
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or("")
            .to_string();
        eprintln!("host-eval: ours: not built: {e}: {first}");
        return Ok(Err("not built".into()));
    }
    let program = profile_dir(release).join("virgl-host-vtest");
    Ok(Ok(Server {
        program,
        args: Vec::new(),
        env: Vec::new(),
        library: None,
    }))
}

/// Builds our `libvirglrenderer.so.1` into `target/host-eval/capi/` (outside the pairs'
/// private `/tmp`) and makes the `capi` column: `baseline`'s arguments and environment, for
/// Debian's `virgl_test_server`, with that directory first on `LD_LIBRARY_PATH`; or why not.
fn build_capi(baseline: &Server, work: &Path) -> Result<Column> {
    let dir = crate::vm::workspace_root().join("target/host-eval/capi");
    let log_path = work.join("build-capi.log");
    eprintln!(
        "host-eval: building {} ({})",
        crate::capi::SONAME,
        crate::capi::PACKAGE
    );
    let built = crate::capi::build(&dir, Some(&log_path));
    check_interrupted()?;
    let lib = match built {
        Ok(lib) => lib,
        Err(e) => {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            let first = text
                .lines()
                .find(|l| l.starts_with("error"))
                .unwrap_or("")
                .to_string();
            eprintln!("host-eval: capi: not built: {e}: {first}");
            return Ok(Err("not built".into()));
        }
    };
    let dir = lib.parent().expect("a file in a directory");
    let mut env = baseline.env.clone();
    if let Some(path) =
        crate::capi::library_path(std::env::var_os("LD_LIBRARY_PATH").as_deref(), dir, true)
    {
        env.push((
            "LD_LIBRARY_PATH".into(),
            path.to_string_lossy().into_owned(),
        ));
    }
    Ok(Ok(Server {
        program: "virgl_test_server".into(),
        args: baseline.args.clone(),
        env,
        library: Some(lib),
    }))
}

/// How many runs' logs are kept under target/host-eval.
const KEEP_LOGS: usize = 5;

/// A fresh log directory for this run, `target/host-eval/SECS-PID`; the oldest beyond
/// [`KEEP_LOGS`] are removed.
fn work_dir() -> Result<PathBuf> {
    let base = crate::vm::workspace_root().join("target/host-eval");
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let work = base.join(format!("{secs}-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| Error::Setup(format!("{}: {e}", work.display())))?;
    // Only the runs' directories (SECS-PID), not capi/.
    let mut old: Vec<PathBuf> = std::fs::read_dir(&base)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.is_dir()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
                })
                .collect()
        })
        .unwrap_or_default();
    old.sort();
    for p in old.iter().rev().skip(KEEP_LOGS) {
        let _ = std::fs::remove_dir_all(p);
    }
    Ok(work)
}

fn programs_needed(args: &HostEvalArgs) -> Vec<&'static str> {
    let mut p = deps::HOST_EVAL.to_vec();
    if !args.piglit.is_empty() {
        p.extend(deps::HOST_EVAL_PIGLIT);
    }
    if args.glmark2 {
        p.extend(deps::HOST_EVAL_GLMARK2);
    }
    if args.gears {
        p.extend(deps::HOST_EVAL_GEARS);
    }
    p
}

/// Runs host-eval; returns whether ours was good wherever virglrenderer was.
pub fn host_eval(args: &HostEvalArgs) -> Result<bool> {
    if args.piglit.is_empty() && !args.glmark2 && !args.gears && !args.conform {
        return Err(Error::Setup(
            "host-eval: nothing to run; give --piglit LIST, --glmark2, --gears and/or --conform"
                .into(),
        ));
    }
    if args.jobs == 0 {
        return Err(Error::Setup("--jobs must be at least 1".into()));
    }
    deps::ensure(&programs_needed(args), &[])?;
    let tests = piglit::collect(&args.piglit, &args.filter)?;
    if !args.piglit.is_empty() && tests.is_empty() {
        return Err(Error::Setup(format!(
            "no piglit test matches --filter {:?}",
            args.filter
        )));
    }
    let work = work_dir()?;

    let gles = |server: &mut Server| {
        if let Some(v) = &args.gles {
            server.args.push("--use-gles".into());
            server
                .env
                .push(("MESA_GLES_VERSION_OVERRIDE".into(), v.clone()));
        }
    };
    let mut theirs = Server {
        program: args.theirs.clone(),
        args: default_args(&args.theirs_args),
        env: Vec::new(),
        library: None,
    };
    if !args.baseline_on_desktop {
        gles(&mut theirs);
    }
    let built = match &args.ours {
        Some(_) if args.conform => build_ours(args.release, &work)?.map(|_| ()),
        Some(_) => Ok(()),
        None => build_ours(args.release, &work)?.map(|_| ()),
    };
    let mut ours = match (&args.ours, built) {
        (Some(p), _) => Ok(Server {
            program: p.clone(),
            args: Vec::new(),
            env: Vec::new(),
            library: None,
        }),
        (None, Ok(())) => Ok(Server {
            program: profile_dir(args.release).join("virgl-host-vtest"),
            args: Vec::new(),
            env: Vec::new(),
            library: None,
        }),
        (None, Err(why)) => Err(why),
    };
    if let Ok(s) = &mut ours {
        s.args = default_args(&args.ours_args);
        gles(s);
    }
    let capi = if args.capi {
        Some(build_capi(&theirs, &work)?)
    } else {
        None
    };
    let describe = |c: &Column| match c {
        Ok(s) => {
            let mut d = format!("{} {}", s.program.display(), s.args.join(" "));
            if let Some(lib) = &s.library {
                d.push_str(&format!(" (on {})", lib.display()));
            }
            d
        }
        Err(why) => format!("({why})"),
    };
    let mut columns: Vec<Column> = vec![Ok(theirs), ours];
    columns.extend(capi);
    let names: Vec<String> = columns.iter().map(describe).collect();
    for (column, name) in COLUMNS.iter().zip(&names) {
        eprintln!("host-eval: {column}: {name}");
    }

    let xvfb = if args.glmark2 || args.gears {
        Some(crate::vm::start_xvfb(&work)?)
    } else {
        None
    };
    let display = xvfb.as_ref().map(|(_, d)| *d);
    let cases = cases(args, &tests, display, &profile_dir(args.release));
    let runs = run_cases(&cases, &columns, args.jobs, &work)?;
    drop(xvfb);

    let rows = rows(&cases, &runs);
    let summary = report::summary(&rows);
    println!("\n{}", report::table(&rows));
    for line in &summary {
        println!("{line}");
    }
    println!("logs: {}", work.display());
    if let Some(path) = &args.json {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let v = report::json(&rows, &summary, &names);
        let text = serde_json::to_string_pretty(&v).map_err(|e| Error::Setup(e.to_string()))?;
        std::fs::write(path, text + "\n")
            .map_err(|e| Error::Setup(format!("{}: {e}", path.display())))?;
    }
    Ok(!rows.iter().any(Row::regressed))
}

/// Where cargo puts this workspace's binaries of a profile.
fn profile_dir(release: bool) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::vm::workspace_root().join("target"))
        .join(if release { "release" } else { "debug" })
}

fn cases(
    args: &HostEvalArgs,
    tests: &[piglit::Test],
    display: Option<u32>,
    bin: &Path,
) -> Vec<Case> {
    let timeout = Duration::from_secs(args.timeout);
    let mut cases: Vec<Case> = tests
        .iter()
        .map(|t| Case {
            name: t.name.clone(),
            client: Client {
                argv: t.argv(),
                env: piglit::ENV
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                display: None,
                timeout,
                stop_after: None,
                grab: None,
            },
            kind: Kind::Piglit(t.clone()),
            alone: false,
        })
        .collect();
    let simple = |argv: Vec<OsString>| Client {
        argv,
        env: Vec::new(),
        display,
        timeout,
        stop_after: None,
        grab: None,
    };
    if args.conform {
        cases.push(Case {
            kind: Kind::Conform,
            name: "virgl-conform".into(),
            client: Client {
                timeout: timeout.max(Duration::from_secs(300)),
                ..simple(conform::argv(&bin.join("virgl-conform")))
            },
            alone: false,
        });
    }
    if args.glmark2 {
        cases.push(Case {
            kind: Kind::Glmark2Validate,
            name: "glmark2 --validate".into(),
            client: simple(glmark2::validate_argv(&args.glmark2_bench)),
            alone: false,
        });
        // The default set has 33 scenes, each with some seconds of setup through virpipe.
        let bench_limit = timeout.max(Duration::from_secs_f64(
            60.0 + 40.0 * args.glmark2_duration.max(0.0),
        ));
        for i in 0..args.glmark2_runs.max(1) {
            cases.push(Case {
                kind: Kind::Glmark2Bench,
                name: format!("glmark2 benchmark {}", i + 1),
                client: Client {
                    timeout: bench_limit,
                    ..simple(glmark2::bench_argv(
                        &args.glmark2_bench,
                        args.glmark2_duration,
                    ))
                },
                alone: true,
            });
        }
    }
    if let (true, Some(display)) = (args.gears, display) {
        for (name, argv) in gears::demos() {
            cases.push(Case {
                kind: Kind::Gears(name),
                name: name.into(),
                client: gears::client(argv, display, args.gears_seconds),
                alone: true,
            });
        }
    }
    cases
}

/// Runs every case against every column's server: first the parallel ones, `jobs` pairs at a
/// time, a case's runs next to each other; then those that run alone, one at a time.
fn run_cases(
    cases: &[Case],
    columns: &[Column],
    jobs: usize,
    work: &Path,
) -> Result<Vec<Vec<Run>>> {
    let slots: Vec<Mutex<Vec<Option<Run>>>> = cases
        .iter()
        .map(|_| Mutex::new(columns.iter().map(|_| None).collect()))
        .collect();
    let started = Instant::now();
    let finished = AtomicUsize::new(0);
    let failed: Mutex<Option<Error>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    let one = |(i, col): (usize, usize)| {
        let case = &cases[i];
        let run = match &columns[col] {
            Err(why) => Ok(Run::not_run(why)),
            Ok(server) => pair::run(
                server,
                &case.client,
                &work.join(format!("{i:05}-{}", COLUMNS[col])),
            ),
        };
        match run {
            Ok(run) => {
                let mut slot = slots[i].lock().expect("no panics while held");
                slot[col] = Some(run);
                if slot.iter().all(Option::is_some) {
                    let n = finished.fetch_add(1, Ordering::SeqCst) + 1;
                    let briefs: Vec<String> = COLUMNS
                        .iter()
                        .zip(slot.iter().flatten())
                        .map(|(c, run)| format!("{c} {}", case.brief(run)))
                        .collect();
                    eprintln!(
                        "[{:6.1}s {n}/{}] {}: {}",
                        started.elapsed().as_secs_f64(),
                        cases.len(),
                        case.name,
                        briefs.join(" | "),
                    );
                    let _ = std::io::stderr().flush();
                }
            }
            Err(e) => {
                stop.store(true, Ordering::SeqCst);
                failed
                    .lock()
                    .expect("no panics while held")
                    .get_or_insert(e);
            }
        }
    };
    let items = |alone: bool| -> Vec<(usize, usize)> {
        (0..cases.len())
            .filter(|i| cases[*i].alone == alone)
            .flat_map(|i| (0..columns.len()).map(move |c| (i, c)))
            .collect()
    };
    for (list, workers) in [(items(false), jobs), (items(true), 1)] {
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..workers.min(list.len()) {
                s.spawn(|| loop {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = list.get(k) else { return };
                    one(*item);
                });
            }
        });
        if let Some(e) = failed.lock().expect("no panics while held").take() {
            return Err(e);
        }
    }
    slots
        .into_iter()
        .map(|m| {
            m.into_inner()
                .expect("no panics while held")
                .into_iter()
                .collect::<Option<Vec<Run>>>()
                .ok_or_else(|| Error::Setup("a run is missing".into()))
        })
        .collect()
}

fn rows(cases: &[Case], runs: &[Vec<Run>]) -> Vec<Row> {
    let mut rows = Vec::new();
    let columns = runs.first().map_or(0, Vec::len);
    let benches: Vec<Vec<&Run>> = (0..columns)
        .map(|c| {
            cases
                .iter()
                .zip(runs)
                .filter(|(case, _)| matches!(case.kind, Kind::Glmark2Bench))
                .map(|(_, r)| &r[c])
                .collect()
        })
        .collect();
    for (case, case_runs) in cases.iter().zip(runs) {
        let each: Vec<&Run> = case_runs.iter().collect();
        match &case.kind {
            Kind::Piglit(t) => rows.push(piglit::row(t, &each)),
            Kind::Gears(name) => rows.push(gears::row(name, &each)),
            Kind::Glmark2Bench => {}
            Kind::Conform => rows.extend(conform::rows(&each)),
            Kind::Glmark2Validate => {
                let benches: Vec<&[&Run]> = benches.iter().map(Vec::as_slice).collect();
                rows.extend(glmark2::rows(&each, &benches));
            }
        }
    }
    rows
}
