//! Tests of the Linux virtio-gpu DRM driver's userspace interface.
//!
//! Every `DRM_IOCTL_VIRTGPU_*` ioctl is exercised on its normal path and on its edges, and the
//! negative cases assert the exact errno. They are ordinary Rust and run on any Linux machine
//! with a virtio-gpu device (`cargo xtask vm-test` runs them in its guest); without one, every
//! case reports skip with the reason. Results use the same shape as `virgl-conform`'s.

mod cases;
pub mod dev;

use std::path::{Path, PathBuf};
use std::time::Instant;

use virgl_guest::conform::{Outcome, Report};
use virgl_guest::{Error, Result};

pub use cases::{bad_log_lines, CASES};

/// Where the cases find the device.
pub struct Fixture {
    pub path: PathBuf,
}

impl Fixture {
    /// A fresh open of the render node (its own GEM handle table and virgl context).
    pub fn open(&self) -> Result<dev::Dev> {
        dev::Dev::open(&self.path)
    }
}

/// One case.
pub struct Case {
    pub name: &'static str,
    pub run: fn(&Fixture) -> Result<Outcome>,
}

/// The cases whose names contain `filter`.
pub fn select(filter: Option<&str>) -> Vec<&'static Case> {
    CASES
        .iter()
        .filter(|c| filter.is_none_or(|f| c.name.contains(f)))
        .collect()
}

/// Runs one case; with no device it is skipped with `no_device` as the reason.
pub fn run_case(case: &Case, device: std::result::Result<&Path, &str>) -> Report {
    let start = Instant::now();
    let outcome = match device {
        Err(reason) => Outcome::skip(reason.to_string()),
        Ok(path) => {
            let fx = Fixture {
                path: path.to_path_buf(),
            };
            match (case.run)(&fx) {
                Ok(o) => o,
                Err(e) => Outcome::fail(format!("error: {e}")),
            }
        }
    };
    Report {
        case: case.name,
        outcome,
        ms: start.elapsed().as_secs_f64() * 1000.0,
    }
}

/// The device to test: `explicit`, or the first virtio-gpu render node; `Err` says why none.
pub fn find_device(explicit: Option<&Path>) -> std::result::Result<PathBuf, String> {
    match explicit {
        Some(p) => Ok(p.to_path_buf()),
        None => virgl_guest::virtgpu::find_render_node()
            .map_err(|e: Error| format!("no virtio-gpu device: {e}")),
    }
}
