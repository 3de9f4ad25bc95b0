//! Every external program the project runs, and the Debian packages it comes from.
//!
//! A fresh Debian 12 machine has only what the project installs, so no task may spawn a program
//! this table does not name: [`PROGRAMS`] maps each one to the packages it needs (the program's
//! own package and what it loads at run time, such as Mesa's EGL for `virgl_test_server`), a task
//! calls [`ensure`] with the programs it will run before it starts, and a unit test scans every
//! `Command::new` in the workspace against the table. Packages are installed with apt-get when
//! running as root; otherwise the error names the exact command to run.

use std::process::Command;
use std::time::Duration;

use crate::proc::{run_checked, Bounded};
use crate::{Error, Result};

/// A program the project spawns and the Debian packages that must be installed to run it.
#[derive(Debug)]
pub struct Program {
    /// The name `Command::new` is given (looked up on `PATH`).
    pub name: &'static str,
    /// The package that ships the program, then any it loads at run time.
    pub packages: &'static [&'static str],
}

/// Every program any part of the workspace spawns (tests and library crates included).
pub const PROGRAMS: &[Program] = &[
    Program {
        name: "apt-get",
        packages: &["apt"],
    },
    Program {
        name: "apt-cache",
        packages: &["apt"],
    },
    Program {
        name: "dpkg-query",
        packages: &["dpkg"],
    },
    Program {
        name: "dpkg-deb",
        packages: &["dpkg"],
    },
    Program {
        name: "unshare",
        packages: &["util-linux"],
    },
    Program {
        name: "virgl_test_server",
        // virglrenderer renders with Mesa's EGL and GL (llvmpipe on a machine without a GPU).
        packages: &[
            "virgl-server",
            "libegl1",
            "libegl-mesa0",
            "libgl1-mesa-dri",
            "libgles2",
        ],
    },
    Program {
        name: "Xvfb",
        packages: &["xvfb"],
    },
    Program {
        // The GTK display (`-display gtk,gl=on`) is a module in qemu-system-gui; the GL
        // context it makes for virtio-gpu-gl comes from Mesa.
        name: "qemu-system-x86_64",
        packages: &[
            "qemu-system-x86",
            "qemu-system-gui",
            "libegl1",
            "libegl-mesa0",
            "libgl1-mesa-dri",
        ],
    },
    // Programs `cargo xtask capture` records, when asked to (looked up by file name).
    Program {
        name: "glxgears",
        packages: &["mesa-utils"],
    },
    Program {
        name: "es2gears_x11",
        packages: &["mesa-utils"],
    },
    Program {
        name: "glmark2-es2",
        packages: &["glmark2-es2-x11"],
    },
    Program {
        // The host renderer's GLSL snapshot test compiles every translated shader with it.
        name: "glslangValidator",
        packages: &["glslang-tools"],
    },
    Program {
        // Debian installs piglit's runners in /usr/lib/x86_64-linux-gnu/piglit/bin/.
        name: "shader_runner",
        packages: &["piglit"],
    },
    Program {
        name: "shader_runner_gles2",
        packages: &["piglit"],
    },
    Program {
        name: "shader_runner_gles3",
        packages: &["piglit"],
    },
    Program {
        // Freezes the wall clock of the gears demos so their frames do not animate.
        name: "faketime",
        packages: &["faketime"],
    },
    Program {
        // The C API crate's layout test compiles a C program against virglrenderer's header.
        name: "cc",
        packages: &["gcc", "libc6-dev"],
    },
    Program {
        // The C API crate's tests read our library's dynamic symbols and soname.
        name: "nm",
        // /usr/bin/nm is binutils' link to binutils-x86-64-linux-gnu's program.
        packages: &["binutils", "binutils-x86-64-linux-gnu"],
    },
    Program {
        name: "readelf",
        packages: &["binutils", "binutils-x86-64-linux-gnu"],
    },
    Program {
        // `cargo xtask hostile-memcheck` runs the hostile-guest corpus under memcheck.
        name: "valgrind",
        packages: &["valgrind"],
    },
];

/// Host files a task reads or loads, with the package that ships each: busybox for the guest
/// image, the EGL and Mesa libraries the host renderer's tests load, and virglrenderer's header
/// the C API crate's layout test compiles against.
pub const FILES: &[(&str, &str)] = &[
    ("/bin/busybox", "busybox-static"),
    ("/usr/lib/x86_64-linux-gnu/libEGL.so.1", "libegl1"),
    ("/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0", "libegl-mesa0"),
    (
        "/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so",
        "libgl1-mesa-dri",
    ),
    ("/usr/include/virgl/virglrenderer.h", "libvirglrenderer-dev"),
    ("/usr/lib/x86_64-linux-gnu/libgbm.so", "libgbm-dev"),
];

/// The table entry for `name`, if the project knows the program.
pub fn program(name: &str) -> Option<&'static Program> {
    PROGRAMS.iter().find(|p| p.name == name)
}

/// Whether a Debian package is installed.
fn installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .output()
        .is_ok_and(|o| {
            o.status.success()
                && String::from_utf8_lossy(&o.stdout).ends_with("install ok installed")
        })
}

/// The packages that `programs` and `files` need, in table order without repeats.
pub fn packages_for(programs: &[&str], files: &[&str]) -> Result<Vec<&'static str>> {
    let mut out: Vec<&'static str> = Vec::new();
    for name in programs {
        let p = program(name).ok_or_else(|| {
            Error::Setup(format!(
                "program {name} is not in xtask/src/deps.rs PROGRAMS; add it with its Debian package"
            ))
        })?;
        for pkg in p.packages {
            if !out.contains(pkg) {
                out.push(pkg);
            }
        }
    }
    for file in files {
        let (_, pkg) = FILES
            .iter()
            .find(|(f, _)| f == file)
            .ok_or_else(|| Error::Setup(format!("file {file} is not in FILES")))?;
        if !out.contains(pkg) {
            out.push(pkg);
        }
    }
    Ok(out)
}

/// Installs what `programs` and `files` need, or fails naming the apt-get line to run.
pub fn ensure(programs: &[&str], files: &[&str]) -> Result<()> {
    let missing: Vec<&str> = packages_for(programs, files)?
        .into_iter()
        .filter(|p| !installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let line = format!(
        "apt-get install -y --no-install-recommends {}",
        missing.join(" ")
    );
    if !nix::unistd::geteuid().is_root() {
        return Err(Error::Setup(format!(
            "missing Debian packages; run: sudo {line}"
        )));
    }
    eprintln!("xtask: installing {}", missing.join(" "));
    let apt = |args: &[&str]| {
        let mut c = Command::new("apt-get");
        c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run_checked(Bounded::new(c, "apt-get", Duration::from_secs(1200)))
    };
    apt(&["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend(&missing);
    apt(&args).map_err(|e| Error::Setup(format!("{e}; try: {line}")))
}

/// What `cargo test --workspace` runs: a private `virgl_test_server` per test,
/// `glslangValidator` for the host renderer's GLSL snapshots, and `cc`, `nm` and `readelf` for
/// the C API crate's layout and symbol tests.
pub const TEST: &[&str] = &[
    "virgl_test_server",
    "glslangValidator",
    "cc",
    "nm",
    "readelf",
];

/// What `cargo test --workspace` loads or reads: libEGL and Mesa, for the host renderer's GL
/// tests, virglrenderer's header, which the C API crate's layout test compiles against, and
/// libgbm's link, which the guest's gbm interop program links with.
pub const TEST_FILES: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/libEGL.so.1",
    "/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0",
    "/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so",
    "/usr/include/virgl/virglrenderer.h",
    "/usr/lib/x86_64-linux-gnu/libgbm.so",
];

/// What `cargo xtask vm-test` runs: the image build's apt tools, Xvfb and QEMU, and
/// glmark2-es2, natively on the host, for the mesa suite's glmark2 rows.
pub const VM_TEST: &[&str] = &[
    "apt-get",
    "apt-cache",
    "dpkg-deb",
    "Xvfb",
    "qemu-system-x86_64",
    "glmark2-es2",
];

/// The host files `cargo xtask vm-test` puts into the guest image (busybox first), and
/// libgbm's link, which the guest's gbm interop program is built with.
pub const VM_TEST_FILES: &[&str] = &["/bin/busybox", "/usr/lib/x86_64-linux-gnu/libgbm.so"];

/// What `cargo xtask capture` runs, besides the program it records.
pub const CAPTURE: &[&str] = &["virgl_test_server", "Xvfb", "unshare"];

/// What every `cargo xtask host-eval` runs: a private mount namespace per client and server
/// pair, virglrenderer's server as the baseline, and one Xvfb.
pub const HOST_EVAL: &[&str] = &["unshare", "virgl_test_server", "Xvfb"];

/// What `cargo xtask host-eval --piglit` adds: piglit's shader runners.
pub const HOST_EVAL_PIGLIT: &[&str] = &[
    "shader_runner",
    "shader_runner_gles2",
    "shader_runner_gles3",
];

/// What `cargo xtask host-eval --glmark2` adds.
pub const HOST_EVAL_GLMARK2: &[&str] = &["glmark2-es2"];

/// What `cargo xtask host-eval --gears` adds: the demos, and faketime to stop their clocks.
pub const HOST_EVAL_GEARS: &[&str] = &["glxgears", "es2gears_x11", "faketime"];

/// What `cargo xtask hostile-memcheck` runs the corpus under.
pub const HOSTILE_MEMCHECK: &[&str] = &["valgrind"];

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    /// Spawns whose program is chosen at run time, with why that is allowed.
    const DYNAMIC: &[(&str, &str, &str)] = &[
        (
            "host/tests/vtest_processes.rs",
            "std :: env :: current_exe () . unwrap ()",
            "the test binary itself, re-run as the fork model's child process",
        ),
        (
            "host/capi/tests/layout.rs",
            "& exe",
            "the C program the layout test has just compiled with cc",
        ),
        (
            "xtask/src/capture.rs",
            "& c . program [0]",
            "the program the user asked to record; capture installs it when the table knows it",
        ),
        (
            "xtask/src/eval/pair.rs",
            "& args . server",
            "the vtest server under test: virgl_test_server, the binary cargo built, or a path \
             the user gave",
        ),
        (
            "xtask/src/vm/mesa.rs",
            "crate :: eval :: glmark2 :: PROGRAM",
            "glmark2-es2, host-eval's constant for it (another module's, which the scan does not \
             read); VM_TEST names it",
        ),
        (
            "xtask/src/soak/mod.rs",
            "& server_path",
            "the virgl-host-vtest binary soak has just built with cargo",
        ),
        (
            "xtask/src/eval/pair.rs",
            "& args . client [0]",
            "a client host-eval chose from its HOST_EVAL_* lists (by path for piglit's runners) \
             and installed",
        ),
    ];

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() {
                if name != "target" && name != ".git" {
                    rust_files(&p, out);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// What a spawn names: a program, a binary cargo built, or an expression read at run time.
    #[derive(Debug, PartialEq)]
    enum Spawned {
        Program(String),
        Built,
        Expression(String),
    }

    /// Collects `Command::new(arg)` calls and `const NAME: &str = "..."` items of one file.
    #[derive(Default)]
    struct Scan {
        spawns: Vec<(usize, syn::Expr)>,
        consts: Vec<(String, syn::Expr)>,
    }

    impl<'a> syn::visit::Visit<'a> for Scan {
        fn visit_expr_call(&mut self, call: &'a syn::ExprCall) {
            if let syn::Expr::Path(f) = &*call.func {
                let segs: Vec<String> = f
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                if segs.ends_with(&["Command".into(), "new".into()]) && call.args.len() == 1 {
                    let line = syn::spanned::Spanned::span(call).start().line;
                    self.spawns.push((line, call.args[0].clone()));
                }
            }
            syn::visit::visit_expr_call(self, call);
        }

        fn visit_item_const(&mut self, c: &'a syn::ItemConst) {
            self.consts.push((c.ident.to_string(), (*c.expr).clone()));
            syn::visit::visit_item_const(self, c);
        }
    }

    impl Scan {
        fn of(src: &str) -> Scan {
            let file = syn::parse_file(src).expect("the workspace's sources parse");
            let mut scan = Scan::default();
            syn::visit::Visit::visit_file(&mut scan, &file);
            scan
        }

        fn resolve(&self, arg: &syn::Expr) -> Spawned {
            match arg {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Spawned::Program(s.value()),
                syn::Expr::Macro(m) if m.mac.path.is_ident("env") => {
                    let var: syn::LitStr = m.mac.parse_body().expect("env! takes a literal");
                    let var = var.value();
                    if var == "CARGO" || var.starts_with("CARGO_BIN_EXE_") {
                        Spawned::Built
                    } else {
                        Spawned::Expression(format!("env!({var:?})"))
                    }
                }
                syn::Expr::Path(p) => {
                    let name = quote::ToTokens::to_token_stream(p).to_string();
                    match self.consts.iter().find(|(n, _)| *n == name) {
                        Some((_, value)) => self.resolve(value),
                        None => Spawned::Expression(name),
                    }
                }
                other => Spawned::Expression(quote::ToTokens::to_token_stream(other).to_string()),
            }
        }

        fn spawned(&self) -> Vec<(usize, Spawned)> {
            self.spawns
                .iter()
                .map(|(line, arg)| (*line, self.resolve(arg)))
                .collect()
        }
    }

    /// Every program the workspace spawns, found by reading its sources.
    #[test]
    fn every_spawned_program_has_its_package_in_the_table() {
        let root = crate::vm::workspace_root();
        let mut files = Vec::new();
        rust_files(&root, &mut files);
        let mut problems = Vec::new();
        let mut programs = 0;
        for f in &files {
            let rel = f
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let src = std::fs::read_to_string(f).unwrap();
            for (line, spawned) in Scan::of(&src).spawned() {
                match spawned {
                    Spawned::Program(p) if program(&p).is_some() => programs += 1,
                    Spawned::Program(p) => problems.push(format!(
                        "{rel}:{line}: spawns {p:?}, which PROGRAMS does not name"
                    )),
                    Spawned::Built => {}
                    Spawned::Expression(e)
                        if DYNAMIC
                            .iter()
                            .any(|(file, expr, _)| rel == *file && e == *expr) => {}
                    Spawned::Expression(e) => problems.push(format!(
                        "{rel}:{line}: spawns `{e}`, which is neither a literal nor a \
                         constant; name the program or list it in DYNAMIC"
                    )),
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        // The scan itself must find the spawns it guards (QEMU, Xvfb, the vtest server, apt...).
        assert!(
            programs >= 8,
            "found only {programs} spawns; is the scan broken?"
        );
    }

    #[test]
    fn the_scan_resolves_literals_constants_and_cargo_binaries() {
        let src = r#"
            const S: &str = "virgl_test_server";
            fn f(args: &[String]) {
                let a = Command::new(S);
                let b = std::process::Command::new("xwd").arg(x(1));
                let s = "Command::new(\"in a string\")";
                Command::new(env!("CARGO"));
                Command::new(&args[0]);
            }
        "#;
        assert_eq!(
            Scan::of(src).spawned(),
            [
                (4, Spawned::Program("virgl_test_server".into())),
                (5, Spawned::Program("xwd".into())),
                (7, Spawned::Built),
                (8, Spawned::Expression("& args [0]".into())),
            ]
        );
        assert!(program("xwd").is_none());
    }

    #[test]
    fn task_lists_name_only_known_programs_and_their_packages() {
        for task in [
            TEST,
            VM_TEST,
            CAPTURE,
            HOST_EVAL,
            HOST_EVAL_PIGLIT,
            HOST_EVAL_GLMARK2,
            HOST_EVAL_GEARS,
            HOSTILE_MEMCHECK,
        ] {
            packages_for(task, &[]).unwrap();
        }
        for file in TEST_FILES.iter().chain(VM_TEST_FILES) {
            assert!(
                FILES.iter().any(|(f, _)| f == file),
                "{file} is not in FILES"
            );
        }
        assert!(packages_for(&["xwd"], &[]).is_err());
        assert!(packages_for(&[], &["/usr/bin/xwd"]).is_err());
        let vm = packages_for(VM_TEST, &["/bin/busybox"]).unwrap();
        for pkg in [
            "qemu-system-x86",
            "qemu-system-gui",
            "xvfb",
            "busybox-static",
        ] {
            assert!(vm.contains(&pkg), "{pkg} missing from {vm:?}");
        }
        let test = packages_for(TEST, &[]).unwrap();
        assert_eq!(
            test,
            [
                "virgl-server",
                "libegl1",
                "libegl-mesa0",
                "libgl1-mesa-dri",
                "libgles2",
                "glslang-tools",
                "gcc",
                "libc6-dev",
                "binutils",
                "binutils-x86-64-linux-gnu"
            ]
        );
        let test_files = packages_for(&[], TEST_FILES).unwrap();
        assert!(
            test_files.contains(&"libvirglrenderer-dev"),
            "{test_files:?}"
        );
    }
}
