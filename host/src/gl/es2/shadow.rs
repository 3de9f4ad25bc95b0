//! CPU copies of textures ES 2.0 cannot read back: it reads only through framebuffers, and a
//! texture of a format it cannot render to (RGBA32F, for one) cannot be attached to one. Such a
//! texture cannot be drawn into either, so every byte it holds came from an upload (or a copy,
//! which uploads), and a copy of the uploads kept here is exactly its content.

use std::collections::HashMap;

use crate::error::Result;
use crate::resource::Resource;
use virgl_proto::ccmd::Box3;

/// Each shadowed texture's levels, whole and packed as a resource's backing is.
#[derive(Debug, Default)]
pub struct Shadows(HashMap<u32, Vec<Vec<u8>>>);

impl Shadows {
    /// Starts a zeroed copy of every level of `res`.
    pub fn create(&mut self, res: &Resource) -> Result<()> {
        let levels = (0..=res.desc.last_level)
            .map(|l| {
                let whole = crate::gl::texture::full(res.level_extent(l)?);
                let (_, len) = res.in_level(l, whole)?;
                Ok(vec![0u8; len as usize])
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
        let (layout, _) = res.in_level(level, region)?;
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
        let (layout, _) = res.in_level(level, region)?;
        data.copy_from_slice(&crate::transfer::gather_slice(&layout, bytes));
        Ok(true)
    }
}
