//! The listening socket and the process models of [`ProcessModel`].
//!
//! As in virglrenderer, a renderer exists only while clients do: the forked child of each
//! client makes its own after the fork; the one-process models make one when the first client
//! arrives and drop it when the last leaves.

use std::io::Write;
use std::os::fd::AsFd;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::Duration;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{signal, SigHandler, Signal};
use nix::unistd::{fork, ForkResult};

use super::client::{Client, Flow, Host, Log};
use super::options::{default_quota, Options, ProcessModel};
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::quota::Quota;
use crate::renderer::Renderer;

/// With many clients in one process, how long one may stall inside a message (or leave a
/// reply unread) before it is dropped, so that it cannot stall the others.
pub const MULTI_CLIENT_IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Environment variables that make Mesa's own EGL connect to a vtest socket (quite possibly
/// ours) instead of rendering; inherited by the server they hang it.
pub const SCRUBBED_ENV: [&str; 2] = ["GALLIUM_DRIVER", "LIBGL_ALWAYS_SOFTWARE"];

/// Removes [`SCRUBBED_ENV`] from this process's environment. Call it at the start of `main`,
/// before any thread exists.
pub fn scrub_environment() {
    for var in SCRUBBED_ENV {
        std::env::remove_var(var);
    }
}

/// Binds the socket at `path`, replacing a stale socket left there; anything else at the path
/// is an error.
pub fn bind(path: &Path) -> Result<UnixListener> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_socket() => {
            std::fs::remove_file(path).map_err(|source| Error::Io {
                call: "removing the stale socket",
                source,
            })?
        }
        Ok(_) => {
            return Err(Error::Usage(format!(
                "{} exists and is not a socket",
                path.display()
            )))
        }
        Err(_) => {}
    }
    UnixListener::bind(path).map_err(|e| Error::Io {
        call: "binding the socket",
        source: std::io::Error::new(e.kind(), format!("{}: {e}", path.display())),
    })
}

/// Listens at `opts.socket_path` and serves clients as `opts.model` says, logging to stderr.
/// Returns when the model's last client is done; in the default model it serves until killed.
///
/// [`ProcessModel::ForkPerClient`] forks: call it from a process with one thread, as the
/// `virgl-host-vtest` binary is. Each child calls `make_renderer` after the fork and exits
/// when its client leaves.
pub fn serve<B: Backend>(
    opts: &Options,
    make_renderer: impl Fn() -> Result<Renderer<B>>,
) -> Result<()> {
    let listener = bind(&opts.socket_path)?;
    serve_listener_with_quota(
        listener,
        opts.model,
        opts.quota,
        make_renderer,
        super::client::stderr_log(),
    )
}

/// [`serve`] on a listener already bound, with log lines going to `log`, each client held to
/// the default quota.
pub fn serve_listener<B: Backend>(
    listener: UnixListener,
    model: ProcessModel,
    make_renderer: impl Fn() -> Result<Renderer<B>>,
    log: Log,
) -> Result<()> {
    serve_listener_with_quota(listener, model, default_quota(), make_renderer, log)
}

/// [`serve_listener`] holding each client to `quota`.
pub fn serve_listener_with_quota<B: Backend>(
    listener: UnixListener,
    model: ProcessModel,
    quota: Quota,
    make_renderer: impl Fn() -> Result<Renderer<B>>,
    log: Log,
) -> Result<()> {
    match model {
        ProcessModel::ForkPerClient => fork_per_client(listener, quota, make_renderer, log),
        ProcessModel::OneAtATime | ProcessModel::SingleClient => loop {
            let stream = accept(&listener)?;
            let renderer = make_renderer()?;
            Client::new(stream).run(&mut Host::with_quota(renderer, false, quota, log.clone()));
            if model == ProcessModel::SingleClient {
                return Ok(());
            }
        },
        ProcessModel::MultiClients { exit_when_idle } => {
            multi_clients(listener, exit_when_idle, quota, make_renderer, log)
        }
    }
}

fn accept(listener: &UnixListener) -> Result<UnixStream> {
    loop {
        match listener.accept() {
            Ok((s, _)) => return Ok(s),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(Error::Io {
                    call: "accepting a client",
                    source,
                })
            }
        }
    }
}

fn fork_per_client<B: Backend>(
    listener: UnixListener,
    quota: Quota,
    make_renderer: impl Fn() -> Result<Renderer<B>>,
    log: Log,
) -> Result<()> {
    // SAFETY: SIG_IGN installs no handler code; the kernel then reaps exited children itself.
    unsafe { signal(Signal::SIGCHLD, SigHandler::SigIgn) }
        .map_err(|e| Error::os("ignoring SIGCHLD", e))?;
    loop {
        let stream = accept(&listener)?;
        let _ = std::io::stdout().flush();
        // SAFETY: the server runs no other thread (it is single-threaded by design and forks
        // before making any renderer, so no driver thread exists either), so the child's copy
        // of every lock and allocator state is consistent.
        match unsafe { fork() }.map_err(|e| Error::os("fork", e))? {
            ForkResult::Parent { .. } => drop(stream),
            ForkResult::Child => {
                drop(listener);
                let status = match make_renderer() {
                    Ok(renderer) => {
                        Client::new(stream).run(&mut Host::with_quota(renderer, false, quota, log));
                        0
                    }
                    Err(e) => {
                        log(&format!("cannot make the renderer: {e}"));
                        1
                    }
                };
                std::process::exit(status);
            }
        }
    }
}

fn multi_clients<B: Backend>(
    listener: UnixListener,
    exit_when_idle: bool,
    quota: Quota,
    make_renderer: impl Fn() -> Result<Renderer<B>>,
    log: Log,
) -> Result<()> {
    let mut host: Option<Host<B>> = None;
    let mut clients: Vec<Client> = Vec::new();
    loop {
        let (accepting, ready) = wait_readable(&listener, &clients)?;
        let mut gone = Vec::new();
        if let Some(host) = host.as_mut() {
            for i in ready {
                match clients[i].serve_one(host) {
                    Ok(Flow::Continue) => {}
                    Ok(Flow::Closed) => gone.push(i),
                    Err(e) => {
                        host.log(&format!("{}: {e}; client dropped", clients[i].label()));
                        gone.push(i);
                    }
                }
            }
            for i in gone.into_iter().rev() {
                clients.swap_remove(i).close(host);
            }
        }
        if clients.is_empty() && host.take().is_some() && exit_when_idle {
            return Ok(());
        }
        if accepting {
            let stream = accept(&listener)?;
            let timeout = Some(MULTI_CLIENT_IO_TIMEOUT);
            stream
                .set_read_timeout(timeout)
                .and_then(|()| stream.set_write_timeout(timeout))
                .map_err(|source| Error::Io {
                    call: "setting client timeouts",
                    source,
                })?;
            if host.is_none() {
                host = Some(Host::with_quota(make_renderer()?, true, quota, log.clone()));
            }
            clients.push(Client::new(stream));
        }
    }
}

/// Polls the listener and every client; returns whether a client waits to be accepted and
/// which clients have something to read (or have hung up).
fn wait_readable(listener: &UnixListener, clients: &[Client]) -> Result<(bool, Vec<usize>)> {
    let mut fds = vec![PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
    fds.extend(
        clients
            .iter()
            .map(|c| PollFd::new(c.stream().as_fd(), PollFlags::POLLIN)),
    );
    loop {
        match poll(&mut fds, PollTimeout::NONE) {
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(Error::os("poll", e)),
            Ok(_) => break,
        }
    }
    let is_ready = |f: &PollFd| f.revents().is_some_and(|r| !r.is_empty());
    let ready = fds[1..]
        .iter()
        .enumerate()
        .filter(|(_, f)| is_ready(f))
        .map(|(i, _)| i)
        .collect();
    Ok((is_ready(&fds[0]), ready))
}
