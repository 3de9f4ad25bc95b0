//! A virgl guest driver.
//!
//! Layers, bottom up:
//! - [`transport`]: what the driver needs from below: resources with guest backing, transfers,
//!   command submission and fences. Two implementations: [`virtgpu::VirtioGpu`], the Linux
//!   virtio-gpu render node (the real guest path), and [`vtest::Vtest`], virglrenderer's test
//!   socket (the same host renderer without a VM).
//! - [`context`]: a Gallium-style context that encodes state, draws and copies as virgl
//!   commands (via [`virgl_proto::ccmd`]) and batches them.
//! - [`conform`]: the protocol conformance catalogue behind the `virgl-conform` tool; every
//!   case renders or transfers something and checks the bytes the host gives back.
//!
//! All `unsafe` code lives in [`sys`] (mappings, fd passing, polling) and in the ioctl
//! wrappers of [`virtgpu`], one block per call, each with its reasoning.

pub mod conform;
pub mod context;
pub mod corrupt;
pub mod error;
pub mod null;
pub mod sys;
pub mod transport;
pub mod virtgpu;
pub mod vtest;

pub use context::{Context, Object, Resource};
pub use error::{Errno, Error, Result};
pub use transport::{Caps, Fence, ResourceDesc, ResourceId, TransferRegion, Transport};
