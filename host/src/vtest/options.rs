//! The command line of `virgl-host-vtest`, a drop-in for virglrenderer's `virgl_test_server`.
//!
//! The flags are those of virglrenderer 0.10.4 and 1.3, with `--socket-path` taking its value
//! after `=` or as the next argument. The environment is read first, as upstream does:
//! `VTEST_USE_EGL_SURFACELESS`, `VTEST_USE_GLES` and `VTEST_USE_GLX` count when set at all.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Parser;

use crate::error::{Error, Result};
use crate::quota::{Limit, Quota};

/// The flags that set each limit of a client's [`Quota`], named in its refusals.
pub const LIMIT_FLAGS: [&str; 3] = ["--max-objects", "--max-resources", "--max-resource-bytes"];

/// The quota the server gives each client unless told otherwise.
pub fn default_quota() -> Quota {
    Quota::defaults(LIMIT_FLAGS)
}

/// How the server shares itself between clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessModel {
    /// The default: a child process per client, which makes its own renderer.
    ForkPerClient,
    /// `--no-fork`: one process serves clients one after another, a renderer each.
    OneAtATime,
    /// `--no-loop-or-fork`: one client, then exit.
    SingleClient,
    /// `--multi-clients` with `--no-fork` or `--no-loop-or-fork`: one process and one renderer
    /// serve clients side by side, each with its own context; protocol 3 is required. With
    /// `exit_when_idle`, the server exits once its last client leaves.
    MultiClients { exit_when_idle: bool },
}

/// What the server was asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Where to listen.
    pub socket_path: PathBuf,
    pub model: ProcessModel,
    /// `--use-egl-surfaceless`. Our renderer always renders surfaceless; kept for the
    /// renderer constructor.
    pub surfaceless: bool,
    /// `--use-gles` (or `VTEST_USE_GLES`): render on an OpenGL ES context.
    pub gles: bool,
    /// What each client may hold: `--max-objects`, `--max-resources`,
    /// `--max-resource-bytes`.
    pub quota: Quota,
    /// `--max-draw-vertices`: the most vertices one draw may run, instances counted.
    pub max_draw_vertices: u64,
}

/// The outcome of reading a command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// Serve; print each note (one line each) first.
    Serve {
        options: Options,
        notes: Vec<String>,
    },
    /// Print this help text and exit successfully.
    Help(String),
}

#[derive(Parser, Debug)]
#[command(
    name = "virgl-host-vtest",
    about = "A vtest server: serves virgl clients (Mesa's virpipe driver, virgl-conform) over a \
             Unix socket, a drop-in for virglrenderer's virgl_test_server.",
    after_help = "By default each client is served by a child process of its own.\n\
                  Each client is held to --max-objects, --max-resources and \
                  --max-resource-bytes: a RESOURCE_CREATE over a limit is refused and the \
                  client dropped; a CREATE_OBJECT over it puts the client's context in error. \
                  The error names the limit and its flag.\n\
                  Environment, read before the flags: VTEST_USE_EGL_SURFACELESS, VTEST_USE_GLES \
                  and VTEST_USE_GLX act as their flags when set. GALLIUM_DRIVER and \
                  LIBGL_ALWAYS_SOFTWARE are removed from the server's own environment.",
    disable_version_flag = true,
    args_override_self = true
)]
struct Args {
    /// Listen on PATH (default /tmp/.virgl_test); a stale socket there is replaced.
    #[arg(long, value_name = "PATH")]
    socket_path: Option<PathBuf>,
    /// Render with surfaceless EGL (no display, no render node). This renderer always does.
    #[arg(long)]
    use_egl_surfaceless: bool,
    /// Render on an OpenGL ES context (the highest version the host gives, 2.0 or later)
    /// instead of desktop GL.
    #[arg(long)]
    use_gles: bool,
    /// Accepted for compatibility: rendering uses EGL, not GLX.
    #[arg(long)]
    use_glx: bool,
    /// Serve clients one after another in this process instead of a child process each.
    #[arg(long)]
    no_fork: bool,
    /// Serve one client in this process, then exit.
    #[arg(long)]
    no_loop_or_fork: bool,
    /// With --no-fork or --no-loop-or-fork: serve many clients at once in this process,
    /// each with its own context (they must trust each other; protocol 3 only). Alone it
    /// changes nothing, as in virglrenderer.
    #[arg(long)]
    multi_clients: bool,
    /// Accepted for compatibility and ignored: rendering needs no render node.
    #[arg(long, value_name = "DEV")]
    rendernode: Option<String>,
    /// The most objects a client's context may hold: CREATE_OBJECT handles in all its
    /// sub-contexts, and each sub-context beyond the first.
    #[arg(long, value_name = "N", default_value_t = Quota::DEFAULT_OBJECTS)]
    max_objects: u64,
    /// The most resources a client may hold at once.
    #[arg(long, value_name = "N", default_value_t = Quota::DEFAULT_RESOURCES)]
    max_resources: u64,
    /// The most bytes a client's resources may hold together (2 GiB by default): each counts
    /// every level, layer and sample of its format, or its shared memory where larger.
    #[arg(long, value_name = "BYTES", default_value_t = Quota::DEFAULT_RESOURCE_BYTES)]
    max_resource_bytes: u64,
    /// The most vertices one draw may run, instances counted (2^24 by default). Lower it where
    /// clients share a renderer (--multi-clients): llvmpipe spends time on every vertex and
    /// keeps memory for the largest draw it has run until the renderer ends.
    #[arg(long, value_name = "N", default_value_t = crate::gl::MAX_DRAW_VERTICES)]
    max_draw_vertices: u64,
    #[arg(long, hide = true)]
    venus: bool,
    #[arg(long, hide = true)]
    drm: bool,
    #[arg(long, hide = true)]
    render_server: bool,
    #[arg(long, hide = true)]
    compat: bool,
    #[arg(long, hide = true)]
    no_virgl: bool,
    #[arg(hide = true)]
    replay_file: Option<PathBuf>,
}

fn refuse(detail: impl Into<String>) -> Error {
    Error::Usage(detail.into())
}

impl Options {
    /// Reads the arguments after the program name; `env_set` says whether an environment
    /// variable is set. Errors are one line, for the caller to print before exiting 1.
    pub fn parse<I, T>(args: I, env_set: impl Fn(&str) -> bool) -> Result<Parsed>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let argv = std::iter::once(OsString::from("virgl-host-vtest"))
            .chain(args.into_iter().map(Into::into));
        let a = match Args::try_parse_from(argv) {
            Ok(a) => a,
            Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelp => {
                return Ok(Parsed::Help(e.render().to_string()))
            }
            Err(e) => {
                let text = e.render().to_string();
                let first = text.lines().next().unwrap_or("bad arguments");
                return Err(refuse(format!(
                    "{} (see --help)",
                    first.trim_start_matches("error: ")
                )));
            }
        };
        for (set, flag, what) in [
            (a.venus, "--venus", "Venus (Vulkan) contexts"),
            (a.drm, "--drm", "DRM native contexts"),
            (a.render_server, "--render-server", "a render server"),
            (a.compat, "--compat", "compatibility-profile hosts"),
            (a.no_virgl, "--no-virgl", "serving without virgl"),
        ] {
            if set {
                return Err(refuse(format!("{flag}: {what} are not supported")));
            }
        }
        if let Some(file) = &a.replay_file {
            return Err(refuse(format!(
                "replaying {}: replay files are not supported",
                file.display()
            )));
        }
        let socket_path = a
            .socket_path
            .unwrap_or_else(|| virgl_proto::vtest::DEFAULT_SOCKET.into());
        let mut notes = Vec::new();
        if a.use_glx || env_set("VTEST_USE_GLX") {
            notes.push("--use-glx: rendering with EGL instead of GLX".into());
        }
        if let Some(dev) = a.rendernode {
            notes.push(format!(
                "--rendernode {dev}: ignored, rendering is surfaceless"
            ));
        }
        if a.multi_clients {
            notes.push("multi-clients enabled: clients must trust each other".into());
        }
        let model = match (a.no_fork || a.no_loop_or_fork, a.multi_clients) {
            (false, _) => ProcessModel::ForkPerClient,
            (true, true) => ProcessModel::MultiClients {
                exit_when_idle: a.no_loop_or_fork,
            },
            (true, false) if a.no_loop_or_fork => ProcessModel::SingleClient,
            (true, false) => ProcessModel::OneAtATime,
        };
        Ok(Parsed::Serve {
            options: Options {
                socket_path,
                model,
                surfaceless: a.use_egl_surfaceless || env_set("VTEST_USE_EGL_SURFACELESS"),
                gles: a.use_gles || env_set("VTEST_USE_GLES"),
                quota: Quota {
                    objects: Limit {
                        max: a.max_objects,
                        set_by: LIMIT_FLAGS[0],
                    },
                    resources: Limit {
                        max: a.max_resources,
                        set_by: LIMIT_FLAGS[1],
                    },
                    resource_bytes: Limit {
                        max: a.max_resource_bytes,
                        set_by: LIMIT_FLAGS[2],
                    },
                },
                max_draw_vertices: a.max_draw_vertices,
            },
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    fn parse_env(args: &[&str], env: &[&str]) -> Result<Parsed> {
        Options::parse(args, |k| env.contains(&k))
    }

    fn serve(args: &[&str]) -> (Options, Vec<String>) {
        match parse_env(args, &[]).unwrap() {
            Parsed::Serve { options, notes } => (options, notes),
            Parsed::Help(h) => panic!("help: {h}"),
        }
    }

    #[rstest]
    #[case::equals(&["--socket-path=/tmp/a"], "/tmp/a")]
    #[case::space(&["--socket-path", "/tmp/b"], "/tmp/b")]
    #[case::default(&[], "/tmp/.virgl_test")]
    #[case::last_wins(&["--socket-path=/x", "--socket-path", "/y"], "/y")]
    fn socket_path_forms(#[case] args: &[&str], #[case] path: &str) {
        assert_eq!(serve(args).0.socket_path, PathBuf::from(path));
    }

    #[rstest]
    #[case::default(&[], ProcessModel::ForkPerClient)]
    #[case::no_fork(&["--no-fork"], ProcessModel::OneAtATime)]
    #[case::no_loop(&["--no-loop-or-fork"], ProcessModel::SingleClient)]
    #[case::multi_alone_still_forks(&["--multi-clients"], ProcessModel::ForkPerClient)]
    #[case::multi(
        &["--multi-clients", "--no-fork"],
        ProcessModel::MultiClients { exit_when_idle: false }
    )]
    #[case::multi_once(
        &["--no-loop-or-fork", "--multi-clients"],
        ProcessModel::MultiClients { exit_when_idle: true }
    )]
    #[case::repeated(&["--no-fork", "--no-fork"], ProcessModel::OneAtATime)]
    fn process_models(#[case] args: &[&str], #[case] model: ProcessModel) {
        assert_eq!(serve(args).0.model, model);
    }

    #[rstest]
    #[case::unknown(&["--frobnicate"], "unexpected argument '--frobnicate'")]
    #[case::venus(&["--venus"], "--venus: Venus (Vulkan) contexts are not supported")]
    #[case::drm(&["--drm"], "--drm: DRM native contexts are not supported")]
    #[case::replay(&["capture.bin"], "replay files are not supported")]
    #[case::empty_path(&["--socket-path="], "a value is required for '--socket-path")]
    #[case::missing_value(&["--socket-path"], "a value is required for '--socket-path")]
    fn refusals_are_one_line(#[case] args: &[&str], #[case] says: &str) {
        let e = parse_env(args, &[]).unwrap_err().to_string();
        assert!(e.contains(says), "{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
    }

    #[test]
    fn environment_is_read_like_upstream() {
        let Parsed::Serve { options, notes } =
            parse_env(&[], &["VTEST_USE_EGL_SURFACELESS", "VTEST_USE_GLX"]).unwrap()
        else {
            panic!("help")
        };
        assert!(options.surfaceless);
        assert_eq!(notes, ["--use-glx: rendering with EGL instead of GLX"]);
        assert!(!serve(&[]).0.surfaceless);
        assert!(serve(&["--use-egl-surfaceless"]).0.surfaceless);
    }

    #[test]
    fn notes_for_accepted_compatibility_flags() {
        let (_, notes) = serve(&[
            "--use-glx",
            "--rendernode=/dev/dri/renderD128",
            "--multi-clients",
        ]);
        assert_eq!(
            notes,
            [
                "--use-glx: rendering with EGL instead of GLX",
                "--rendernode /dev/dri/renderD128: ignored, rendering is surfaceless",
                "multi-clients enabled: clients must trust each other",
            ]
        );
    }

    #[test]
    fn limits_default_and_come_from_their_flags() {
        let (o, _) = serve(&[]);
        assert_eq!(o.quota, default_quota());
        assert_eq!(o.quota.objects.max, 65536);
        assert_eq!(o.quota.resources.max, 16384);
        assert_eq!(o.quota.resource_bytes.max, 2 << 30);
        let (o, _) = serve(&[
            "--max-objects=10",
            "--max-resources",
            "20",
            "--max-resource-bytes=4096",
        ]);
        assert_eq!(
            (
                o.quota.objects.max,
                o.quota.resources.max,
                o.quota.resource_bytes.max
            ),
            (10, 20, 4096)
        );
        assert_eq!(o.quota.resource_bytes.set_by, "--max-resource-bytes");
        let e = parse_env(&["--max-objects=many"], &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--max-objects"), "{e}");
    }

    #[rstest]
    #[case::desktop(&[], &[], false)]
    #[case::flag(&["--use-gles"], &[], true)]
    #[case::env(&[], &["VTEST_USE_GLES"], true)]
    fn gles_comes_from_the_flag_or_the_environment(
        #[case] args: &[&str],
        #[case] env: &[&str],
        #[case] gles: bool,
    ) {
        let Parsed::Serve { options, .. } = parse_env(args, env).unwrap() else {
            panic!("no options")
        };
        assert_eq!(options.gles, gles);
    }

    #[test]
    fn help_explains_every_flag() {
        let Parsed::Help(text) = parse_env(&["--help"], &[]).unwrap() else {
            panic!("no help")
        };
        for flag in [
            "--socket-path",
            "--use-egl-surfaceless",
            "--use-gles",
            "--use-glx",
            "--no-fork",
            "--no-loop-or-fork",
            "--multi-clients",
            "--max-objects",
            "--max-resources",
            "--max-resource-bytes",
        ] {
            assert!(text.contains(flag), "{flag} missing from:\n{text}");
        }
        assert!(!text.contains("--venus"), "{text}");
    }
}
