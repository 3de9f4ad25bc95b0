//! The catalogue, one module per area of Gallium. Each module lists its cases in a `CASES`
//! slice; [`GROUPS`] puts the modules in the order they run.

mod basic;
mod pipeline;
mod raster;
mod texture;

use super::Case;

/// Every group of cases, in the order they run.
pub const GROUPS: &[&[Case]] = &[basic::CASES, texture::CASES, raster::CASES, pipeline::CASES];

/// Every case, in the order they run.
pub fn all() -> impl Iterator<Item = &'static Case> {
    GROUPS.iter().flat_map(|g| g.iter())
}
