//! CPU copies of textures ES 2.0 cannot read back: it reads only through framebuffers, and a
//! texture of a format it cannot render to (RGBA32F, for one) cannot be attached to one. Such a
//! texture cannot be drawn into either, so every byte it holds came from an upload (or a copy,
//! which uploads), and a copy of the uploads kept here is exactly its content.

use std::collections::HashMap;

use virgl_proto::ccmd::Box3;
use virgl_proto::transfer::TransferLayout;

use crate::error::{Error, Result};
use crate::resource::Resource;

/// Each shadowed texture's levels, whole and packed as a resource's backing is.
#[derive(Debug, Default)]
pub struct Shadows(HashMap<u32, Vec<Vec<u8>>>);

/// Where `region` of `level` lies in that level's packed bytes, and their size.
fn level_layout(res: &Resource, level: u32, region: Box3) -> Result<(TransferLayout, usize)> {
    let extent = res.level_extent(level)?;
    let whole = res.layout(level, crate::gl::texture::full(extent), 0, 0, 0)?;
    let layout = TransferLayout::in_level(
        res.desc.format,
        extent,
        region,
        whole.stride(),
        whole.layer_stride(),
    )
    .map_err(|source| Error::Transfer {
        id: res.id,
        level,
        source,
    })?;
    Ok((layout, whole.packed_len() as usize))
}

impl Shadows {
    /// Starts a zeroed copy of every level of `res`.
    pub fn create(&mut self, res: &Resource) -> Result<()> {
        let levels = (0..=res.desc.last_level)
            .map(|l| {
                let extent = res.level_extent(l)?;
                let whole = res.layout(l, crate::gl::texture::full(extent), 0, 0, 0)?;
                Ok(vec![0u8; whole.packed_len() as usize])
            })
            .collect::<Result<Vec<_>>>()?;
        self.0.insert(res.id, levels);
        Ok(())
    }

    /// Forgets resource `id`'s copy.
    pub fn remove(&mut self, id: u32) {
        self.0.remove(&id);
    }

    /// Whether resource `id` has a copy.
    pub fn has(&self, id: u32) -> bool {
        self.0.contains_key(&id)
    }

    /// Puts `data`, the box `region` of `level` packed, into the copy.
    pub fn write(&mut self, res: &Resource, level: u32, region: Box3, data: &[u8]) -> Result<()> {
        let (layout, _) = level_layout(res, level, region)?;
        if let Some(bytes) = self
            .0
            .get_mut(&res.id)
            .and_then(|l| l.get_mut(level as usize))
        {
            crate::transfer::scatter_slice(&layout, data, bytes);
        }
        Ok(())
    }

    /// Reads the box `region` of `level` from the copy into `data`; false without a copy.
    pub fn read(&self, res: &Resource, level: u32, region: Box3, data: &mut [u8]) -> Result<bool> {
        let Some(bytes) = self.0.get(&res.id).and_then(|l| l.get(level as usize)) else {
            return Ok(false);
        };
        let (layout, _) = level_layout(res, level, region)?;
        data.copy_from_slice(&crate::transfer::gather_slice(&layout, bytes));
        Ok(true)
    }
}
