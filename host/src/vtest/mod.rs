//! The vtest server: virglrenderer's socket protocol (versions 0 to 3) served by this crate's
//! [`Renderer`](crate::Renderer), a drop-in for `virgl_test_server`.
//!
//! - [`options`]: the command line, with upstream's flags and environment variables;
//! - [`server`]: the socket and the process models (a child per client, one at a time, many
//!   at once);
//! - [`client`]: one connection: the handshake, lazy context creation, resources, transfers,
//!   submissions, and what a client's errors cost it;
//! - [`shm`]: resource memory shared with the client (memfd, mmap, SCM_RIGHTS);
//! - [`sync`]: protocol 3's sync objects and the eventfds that wait on them.
//!
//! The server is generic over the renderer's [`Backend`](crate::backend::Backend), so tests
//! drive it with [`NullBackend`](crate::backend::null::NullBackend), in process, over a socket
//! pair or a temporary socket path.

pub mod client;
pub mod options;
pub mod server;
pub mod shm;
pub mod sync;

pub use client::{stderr_log, Client, Flow, Host, Log, MAX_LENGTH};
pub use options::{default_quota, Options, Parsed, ProcessModel, LIMIT_FLAGS};
pub use server::{bind, scrub_environment, serve, serve_listener, serve_listener_with_quota};
