//! `cargo xtask`: the project's tasks.
//!
//! - `cargo xtask test`: installs what the tests need, then runs `cargo test --workspace`.
//! - `cargo xtask vm-test`: builds the guest image, boots QEMU with virtio-gpu-gl, runs the
//!   suites in the guest and reports.
//! - `cargo xtask host-eval`: real GL programs through virpipe against virglrenderer's vtest
//!   server and ours, side by side.
//! - `cargo xtask hostile-memcheck`: the hostile-guest corpus's null-backend cases under
//!   valgrind.
//! - `cargo xtask soak`: our vtest server under well-behaved and hostile clients for a fixed
//!   time, its memory and descriptors watched.

mod capi;
mod capture;
mod deps;
mod eval;
mod memcheck;
mod proc;
mod screen;
mod soak;
mod vm;

use std::process::{Command, ExitCode};
use std::time::Duration;

use clap::{Parser, Subcommand};

/// Errors of the tasks, each saying what failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Setup(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install the host packages the tests need, then run `cargo test --workspace`.
    Test {
        /// Extra arguments for cargo test.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Build the guest image, boot QEMU with virtio-gpu-gl and run the suites in the guest.
    VmTest(vm::VmTestArgs),
    /// Record the virgl streams a GL program submits through Mesa's virgl driver.
    Capture(capture::CaptureArgs),
    /// The part of `capture` that runs in its private mount namespace.
    #[command(hide = true)]
    CaptureInner(capture::InnerArgs),
    /// Run piglit, glmark2 and gears through virpipe against virgl_test_server and our server.
    HostEval(eval::HostEvalArgs),
    /// One client and server pair, inside its private mount namespace.
    #[command(hide = true)]
    HostEvalPair(eval::pair::PairArgs),
    /// Run our vtest server under well-behaved and hostile clients; watch its memory and fds.
    Soak(soak::SoakArgs),
    /// Run the hostile-guest corpus's null-backend cases under valgrind; fail on any error.
    HostileMemcheck(memcheck::MemcheckArgs),
    /// Install (or name) the host packages every task needs.
    Deps,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    proc::catch_interrupts();
    let r = match cli.task {
        Task::Test { args } => test(&args),
        Task::Deps => deps::ensure(
            &[
                deps::TEST,
                deps::VM_TEST,
                deps::CAPTURE,
                deps::HOST_EVAL,
                deps::HOST_EVAL_PIGLIT,
                deps::HOST_EVAL_GLMARK2,
                deps::HOST_EVAL_GEARS,
                deps::HOSTILE_MEMCHECK,
            ]
            .concat(),
            &[deps::TEST_FILES, deps::VM_TEST_FILES].concat(),
        ),
        Task::Capture(args) => capture::capture(&args),
        Task::CaptureInner(args) => capture::capture_inner(&args),
        Task::HostEval(args) => match eval::host_eval(&args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
        Task::HostEvalPair(args) => eval::pair::pair_inner(&args),
        Task::Soak(args) => match soak::soak(&args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
        Task::HostileMemcheck(args) => match memcheck::hostile_memcheck(&args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
        Task::VmTest(args) => match vm::vm_test(&args) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => Err(e),
        },
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn test(args: &[String]) -> Result<()> {
    deps::ensure(deps::TEST, deps::TEST_FILES)?;
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["test", "--workspace"]).args(args);
    proc::run_checked(proc::Bounded::new(
        cmd,
        "cargo test",
        Duration::from_secs(3600),
    ))
}
