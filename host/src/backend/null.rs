//! A backend with no GPU: resources are bytes in memory, everything else is recorded.
//!
//! Transfers round-trip exactly, so the vtest server and the validator can be tested (and
//! fuzzed) on a machine without EGL; draws, clears and blits only leave a line in
//! [`NullBackend::calls`].

use std::collections::HashMap;

use virgl_proto::ccmd::{Blit, Box3, Clear, ClearTexture, CopyRegion, DrawVbo, LaunchGrid, Query};
use virgl_proto::transfer::TransferLayout;

use super::{Backend, Scene};
use crate::error::{Error, Result};
use crate::resource::Resource;

/// The most bytes the null backend keeps for one resource (all its levels): 1 GiB.
pub const MAX_RESOURCE_BYTES: u64 = 1 << 30;

/// The recording backend.
#[derive(Debug, Default)]
pub struct NullBackend {
    /// Each resource's levels, tightly packed.
    levels: HashMap<u32, Vec<Vec<u8>>>,
    /// One line per call, in order: the method and its main arguments.
    pub calls: Vec<String>,
    /// Capset payloads to answer with, by set.
    pub capsets: HashMap<u32, Vec<u8>>,
}

impl NullBackend {
    /// A backend with no capsets.
    pub fn new() -> NullBackend {
        NullBackend::default()
    }

    fn packed(res: &Resource, level: u32, region: Box3) -> Result<TransferLayout> {
        let extent = res.level_extent(level)?;
        TransferLayout::in_level(
            res.desc.format,
            extent,
            region,
            res.layout(level, whole(extent), 0, 0, 0)?.stride(),
            res.layout(level, whole(extent), 0, 0, 0)?.layer_stride(),
        )
        .map_err(|source| Error::Transfer {
            id: res.id,
            level,
            source,
        })
    }
}

fn whole(e: virgl_proto::transfer::Extent) -> Box3 {
    Box3 {
        x: 0,
        y: 0,
        z: 0,
        w: e.width,
        h: e.height,
        d: e.depth,
    }
}

impl Backend for NullBackend {
    fn capset(&mut self, set: u32) -> Option<Vec<u8>> {
        self.capsets.get(&set).cloned()
    }

    fn create_resource(&mut self, res: &Resource) -> Result<()> {
        // Sized first: a guest may ask for terabytes, which must be an error, not an abort.
        let mut lens = Vec::new();
        for level in 0..=res.desc.last_level {
            let extent = res.level_extent(level)?;
            lens.push(res.layout(level, whole(extent), 0, 0, 0)?.packed_len());
        }
        let total = lens.iter().try_fold(0u64, |sum, &len| sum.checked_add(len));
        if total.is_none_or(|t| t > MAX_RESOURCE_BYTES) {
            return Err(Error::Resource {
                id: res.id,
                detail: format!(
                    "{} bytes are more than the null backend keeps for one resource ({MAX_RESOURCE_BYTES})",
                    total.map_or_else(|| "2^64 or more".into(), |t| t.to_string())
                ),
            });
        }
        let levels = lens.into_iter().map(|len| vec![0; len as usize]).collect();
        self.levels.insert(res.id, levels);
        self.calls.push(format!("create_resource {}", res.id));
        Ok(())
    }

    fn destroy_resource(&mut self, id: u32) {
        self.levels.remove(&id);
        self.calls.push(format!("destroy_resource {id}"));
    }

    fn write(&mut self, res: &Resource, level: u32, region: Box3, data: &[u8]) -> Result<()> {
        let layout = Self::packed(res, level, region)?;
        let store = &mut self.levels.get_mut(&res.id).expect("created")[level as usize];
        for (at, from) in layout.rows() {
            let n = layout.row_bytes() as usize;
            store[at as usize..at as usize + n]
                .copy_from_slice(&data[from as usize..from as usize + n]);
        }
        self.calls
            .push(format!("write {} level {level} {region:?}", res.id));
        Ok(())
    }

    fn read(&mut self, res: &Resource, level: u32, region: Box3, data: &mut [u8]) -> Result<()> {
        let layout = Self::packed(res, level, region)?;
        let store = &self.levels.get(&res.id).expect("created")[level as usize];
        for (at, to) in layout.rows() {
            let n = layout.row_bytes() as usize;
            data[to as usize..to as usize + n]
                .copy_from_slice(&store[at as usize..at as usize + n]);
        }
        self.calls
            .push(format!("read {} level {level} {region:?}", res.id));
        Ok(())
    }

    fn forget_object(&mut self, ctx: u32, sub_ctx: u32, handle: u32) {
        self.calls
            .push(format!("forget_object {ctx}/{sub_ctx} {handle}"));
    }

    fn forget_sub_context(&mut self, ctx: u32, sub_ctx: Option<u32>) {
        self.calls
            .push(format!("forget_sub_context {ctx}/{sub_ctx:?}"));
    }

    fn clear(&mut self, scene: Scene<'_>, clear: &Clear) -> Result<()> {
        self.calls.push(format!(
            "clear {}/{} {:?} fb {:?}",
            scene.ctx, scene.sub_ctx, clear.buffers, scene.state.framebuffer
        ));
        Ok(())
    }

    fn draw(&mut self, scene: Scene<'_>, draw: &DrawVbo) -> Result<()> {
        self.calls.push(format!(
            "draw {}/{} {:?} start {} count {}",
            scene.ctx, scene.sub_ctx, draw.mode, draw.start, draw.count
        ));
        Ok(())
    }

    fn launch_grid(&mut self, scene: Scene<'_>, grid: &LaunchGrid) -> Result<()> {
        let indirect = match grid.indirect_resource {
            0 => String::new(),
            r => format!(" indirect {r}+{}", grid.indirect_offset),
        };
        self.calls.push(format!(
            "launch_grid {}/{} block {:?} grid {:?}{indirect}",
            scene.ctx, scene.sub_ctx, grid.block, grid.grid
        ));
        Ok(())
    }

    fn memory_barrier(&mut self, barriers: u32) -> Result<()> {
        self.calls.push(format!("memory_barrier {barriers:#x}"));
        Ok(())
    }

    fn blit(&mut self, scene: Scene<'_>, blit: &Blit) -> Result<()> {
        self.calls.push(format!(
            "blit {}/{} {} -> {}",
            scene.ctx, scene.sub_ctx, blit.src.resource, blit.dst.resource
        ));
        Ok(())
    }

    fn copy_region(&mut self, scene: Scene<'_>, copy: &CopyRegion) -> Result<()> {
        self.calls.push(format!(
            "copy_region {}/{} {} -> {}",
            scene.ctx, scene.sub_ctx, copy.src_resource, copy.dst_resource
        ));
        Ok(())
    }

    fn clear_texture(&mut self, scene: Scene<'_>, clear: &ClearTexture) -> Result<()> {
        self.calls.push(format!(
            "clear_texture {}/{} {}",
            scene.ctx, scene.sub_ctx, clear.resource
        ));
        Ok(())
    }

    fn begin_query(&mut self, scene: Scene<'_>, handle: u32, query: &Query) -> Result<()> {
        self.calls.push(format!(
            "begin_query {}/{} {handle} {:?}",
            scene.ctx, scene.sub_ctx, query.query_type
        ));
        Ok(())
    }

    fn end_query(&mut self, scene: Scene<'_>, handle: u32, _query: &Query) -> Result<()> {
        self.calls.push(format!(
            "end_query {}/{} {handle}",
            scene.ctx, scene.sub_ctx
        ));
        Ok(())
    }

    /// Every query reads 0, available at once.
    fn query_result(
        &mut self,
        scene: Scene<'_>,
        handle: u32,
        _query: &Query,
        index: i32,
        _wait: bool,
    ) -> Result<Option<u64>> {
        self.calls.push(format!(
            "query_result {}/{} {handle} {index}",
            scene.ctx, scene.sub_ctx
        ));
        Ok(Some(u64::from(index == -1)))
    }

    fn finish(&mut self) -> Result<()> {
        self.calls.push("finish".into());
        Ok(())
    }
}
