//! What the renderer asks of a GPU API once a command has passed validation.
//!
//! A backend sees only checked input: resources that exist with the shape given, regions
//! inside their level, handles that resolve to objects of the right kind. It may still fail
//! (a driver refusing a shader, an allocation failing); that becomes the context's error like
//! any other.
//!
//! [`null::NullBackend`] keeps resource contents in memory and records every call, for tests
//! and fuzzing with no GPU; [`crate::gl`] holds the real one.

pub mod null;

use virgl_proto::ccmd::{Blit, Box3, Clear, ClearTexture, CopyRegion, DrawVbo, LaunchGrid, Query};

use crate::error::Result;
use crate::resource::Resource;
use crate::state::SubContext;

/// The resources a draw may read, by id.
pub type Resources = std::collections::HashMap<u32, Resource>;

/// Where a command runs: its context and sub-context, that sub-context's state, and the
/// resources.
#[derive(Clone, Copy)]
pub struct Scene<'a> {
    pub ctx: u32,
    pub sub_ctx: u32,
    pub state: &'a SubContext,
    pub resources: &'a Resources,
}

/// A GPU API the renderer replays checked commands on.
pub trait Backend {
    /// The capset payload for `set` (1 or 2), probed from this backend.
    fn capset(&mut self, set: u32) -> Option<Vec<u8>>;

    /// Makes the storage of a resource that passed [`crate::resource::check_create`].
    fn create_resource(&mut self, res: &Resource) -> Result<()>;
    /// Frees it.
    fn destroy_resource(&mut self, id: u32);
    /// Stores `data`, `region` of mip `level` tightly packed (for cube maps and arrays, `z` and
    /// `d` count layers).
    fn write(&mut self, res: &Resource, level: u32, region: Box3, data: &[u8]) -> Result<()>;
    /// Reads `region` of `level` into `data`, tightly packed.
    fn read(&mut self, res: &Resource, level: u32, region: Box3, data: &mut [u8]) -> Result<()>;

    /// Drops whatever was built for object `handle` of a sub-context (programs, samplers).
    fn forget_object(&mut self, ctx: u32, sub_ctx: u32, handle: u32);
    /// Drops whatever was built for a sub-context, or for all of a context's when `None`.
    fn forget_sub_context(&mut self, ctx: u32, sub_ctx: Option<u32>);

    /// CLEAR of the bound framebuffer.
    fn clear(&mut self, scene: Scene<'_>, clear: &Clear) -> Result<()>;
    /// DRAW_VBO with the bound state.
    fn draw(&mut self, scene: Scene<'_>, draw: &DrawVbo) -> Result<()>;
    /// LAUNCH_GRID with the bound compute shader, its shader buffers, images and samplers.
    fn launch_grid(&mut self, scene: Scene<'_>, grid: &LaunchGrid) -> Result<()>;
    /// MEMORY_BARRIER: `PIPE_BARRIER_*` bits saying which later reads must see earlier
    /// shader writes.
    fn memory_barrier(&mut self, barriers: u32) -> Result<()>;
    /// BLIT between resources.
    fn blit(&mut self, scene: Scene<'_>, blit: &Blit) -> Result<()>;
    /// RESOURCE_COPY_REGION.
    fn copy_region(&mut self, scene: Scene<'_>, copy: &CopyRegion) -> Result<()>;
    /// CLEAR_TEXTURE.
    fn clear_texture(&mut self, scene: Scene<'_>, clear: &ClearTexture) -> Result<()>;
    /// BEGIN_QUERY of query object `handle`.
    fn begin_query(&mut self, scene: Scene<'_>, handle: u32, query: &Query) -> Result<()>;
    /// END_QUERY.
    fn end_query(&mut self, scene: Scene<'_>, handle: u32, query: &Query) -> Result<()>;
    /// The query's result (its value `index` for multi-value queries, availability for -1),
    /// waiting for it if `wait`; `None` while it is not ready.
    fn query_result(
        &mut self,
        scene: Scene<'_>,
        handle: u32,
        query: &Query,
        index: i32,
        wait: bool,
    ) -> Result<Option<u64>>;

    /// Waits until everything submitted so far is done.
    fn finish(&mut self) -> Result<()>;
}
