//! Resources as GL objects: buffers, and textures of every target, with uploads and readback.

use glow::HasContext;
use virgl_proto::ccmd::Box3;
use virgl_proto::pipe::TextureTarget;
use virgl_proto::transfer::TransferLayout;

use super::convert::texture_target;
use super::format::{gl_format, GlFormat, Kind};
use super::Gl;
use crate::error::{Error, Result};
use crate::resource::Resource;

/// A resource's GL object.
#[derive(Debug)]
pub enum Storage {
    Buffer(glow::Buffer),
    Texture {
        texture: glow::Texture,
        /// `GL_TEXTURE_*` target.
        target: u32,
        format: GlFormat,
    },
}

fn gl_err(call: &'static str, detail: impl Into<String>) -> Error {
    Error::Gl {
        call,
        detail: detail.into(),
    }
}

/// Faces of a cube map in layer order.
const CUBE_FACES: [u32; 6] = [
    glow::TEXTURE_CUBE_MAP_POSITIVE_X,
    glow::TEXTURE_CUBE_MAP_NEGATIVE_X,
    glow::TEXTURE_CUBE_MAP_POSITIVE_Y,
    glow::TEXTURE_CUBE_MAP_NEGATIVE_Y,
    glow::TEXTURE_CUBE_MAP_POSITIVE_Z,
    glow::TEXTURE_CUBE_MAP_NEGATIVE_Z,
];

impl Gl {
    /// Makes the GL object of `res`.
    pub(crate) fn create_storage(&self, res: &Resource) -> Result<Storage> {
        let g = &self.gl;
        let d = &res.desc;
        if d.target == TextureTarget::Buffer {
            // SAFETY: the context is current; the buffer is new and sized from a checked u32.
            unsafe {
                let buffer = g.create_buffer().map_err(|e| gl_err("glGenBuffers", e))?;
                g.bind_buffer(glow::COPY_WRITE_BUFFER, Some(buffer));
                g.buffer_data_size(
                    glow::COPY_WRITE_BUFFER,
                    d.width.max(1) as i32,
                    glow::DYNAMIC_DRAW,
                );
                g.bind_buffer(glow::COPY_WRITE_BUFFER, None);
                self.check("glBufferData")?;
                return Ok(Storage::Buffer(buffer));
            }
        }
        let format = gl_format(d.format).ok_or_else(|| Error::Resource {
            id: res.id,
            detail: format!("format {:?} has no GL texture format here", d.format),
        })?;
        let target = texture_target(d.target, d.nr_samples);
        let levels = d.last_level as i32 + 1;
        let (w, h) = (d.width as i32, d.height as i32);
        let layers = d.array_size.max(1) as i32;
        // SAFETY: the context is current; sizes were checked against the context's limits by
        // `check_create`, and the texture is new.
        unsafe {
            let texture = g.create_texture().map_err(|e| gl_err("glGenTextures", e))?;
            g.bind_texture(target, Some(texture));
            let internal = format.internal;
            match target {
                glow::TEXTURE_1D => g.tex_storage_1d(target, levels, internal, w),
                glow::TEXTURE_1D_ARRAY => g.tex_storage_2d(target, levels, internal, w, layers),
                glow::TEXTURE_2D | glow::TEXTURE_RECTANGLE | glow::TEXTURE_CUBE_MAP => {
                    g.tex_storage_2d(target, levels, internal, w, h)
                }
                glow::TEXTURE_3D => {
                    g.tex_storage_3d(target, levels, internal, w, h, d.depth as i32)
                }
                glow::TEXTURE_2D_ARRAY | glow::TEXTURE_CUBE_MAP_ARRAY => {
                    g.tex_storage_3d(target, levels, internal, w, h, layers)
                }
                glow::TEXTURE_2D_MULTISAMPLE => {
                    g.tex_storage_2d_multisample(target, d.nr_samples as i32, internal, w, h, true)
                }
                glow::TEXTURE_2D_MULTISAMPLE_ARRAY => self.extra.tex_storage_3d_multisample(
                    target,
                    d.nr_samples as i32,
                    internal,
                    w,
                    h,
                    layers,
                    true,
                ),
                _ => unreachable!("texture_target gives texture targets"),
            }
            g.bind_texture(target, None);
            if let Err(e) = self.check("glTexStorage") {
                g.delete_texture(texture);
                return Err(e);
            }
            Ok(Storage::Texture {
                texture,
                target,
                format,
            })
        }
    }

    /// Frees it.
    pub(crate) fn delete_storage(&self, storage: Storage) {
        // SAFETY: the context is current and the name is ours.
        unsafe {
            match storage {
                Storage::Buffer(b) => self.gl.delete_buffer(b),
                Storage::Texture { texture, .. } => self.gl.delete_texture(texture),
            }
        }
    }

    /// Uploads `data`, the box `region` of `level` tightly packed.
    pub(crate) fn upload(
        &self,
        storage: &Storage,
        res: &Resource,
        level: u32,
        region: Box3,
        data: &[u8],
    ) -> Result<()> {
        let g = &self.gl;
        let Storage::Texture {
            texture,
            target,
            format,
        } = storage
        else {
            let Storage::Buffer(buffer) = storage else {
                unreachable!()
            };
            // SAFETY: the context is current; the renderer checked that x + data.len() lies
            // inside the buffer.
            unsafe {
                g.bind_buffer(glow::COPY_WRITE_BUFFER, Some(*buffer));
                g.buffer_sub_data_u8_slice(glow::COPY_WRITE_BUFFER, region.x as i32, data);
                g.bind_buffer(glow::COPY_WRITE_BUFFER, None);
            }
            return self.check("glBufferSubData");
        };
        if format.kind == Kind::Compressed {
            return self.upload_compressed(*texture, *target, format, res, level, region, data);
        }
        let (x, y, z) = (region.x as i32, region.y as i32, region.z as i32);
        let (w, h, d) = (region.w as i32, region.h as i32, region.d as i32);
        let lvl = level as i32;
        let (f, t) = (format.format, format.ty);
        let src = |bytes| glow::PixelUnpackData::Slice(Some(bytes));
        // SAFETY: the context is current; `data` holds exactly the packed box (the renderer
        // sized it from the same region and format), rows are unaligned so UNPACK_ALIGNMENT is
        // 1, and the box lies inside the level.
        unsafe {
            g.pixel_store_i32(glow::UNPACK_ALIGNMENT, 1);
            g.pixel_store_i32(glow::UNPACK_ROW_LENGTH, 0);
            g.pixel_store_i32(glow::UNPACK_IMAGE_HEIGHT, 0);
            g.bind_texture(*target, Some(*texture));
            match *target {
                glow::TEXTURE_1D => self.extra.tex_sub_image_1d(*target, lvl, x, w, f, t, data),
                glow::TEXTURE_1D_ARRAY => {
                    g.tex_sub_image_2d(*target, lvl, x, z, w, d, f, t, src(data))
                }
                glow::TEXTURE_2D | glow::TEXTURE_RECTANGLE => {
                    g.tex_sub_image_2d(*target, lvl, x, y, w, h, f, t, src(data))
                }
                glow::TEXTURE_CUBE_MAP => {
                    let layer = data.len() / region.d.max(1) as usize;
                    for (i, chunk) in data.chunks(layer).enumerate() {
                        let face = CUBE_FACES[region.z as usize + i];
                        g.tex_sub_image_2d(face, lvl, x, y, w, h, f, t, src(chunk));
                    }
                }
                _ => g.tex_sub_image_3d(*target, lvl, x, y, z, w, h, d, f, t, src(data)),
            }
            g.bind_texture(*target, None);
        }
        self.check("glTexSubImage")
    }

    #[allow(clippy::too_many_arguments)]
    fn upload_compressed(
        &self,
        texture: glow::Texture,
        target: u32,
        format: &GlFormat,
        _res: &Resource,
        level: u32,
        region: Box3,
        data: &[u8],
    ) -> Result<()> {
        let g = &self.gl;
        let (x, y, z) = (region.x as i32, region.y as i32, region.z as i32);
        let (w, h, d) = (region.w as i32, region.h as i32, region.d as i32);
        let src = |bytes| glow::CompressedPixelUnpackData::Slice(bytes);
        // SAFETY: as for `upload`; compressed data is whole blocks of the box.
        unsafe {
            g.bind_texture(target, Some(texture));
            match target {
                glow::TEXTURE_2D | glow::TEXTURE_RECTANGLE => g.compressed_tex_sub_image_2d(
                    target,
                    level as i32,
                    x,
                    y,
                    w,
                    h,
                    format.internal,
                    src(data),
                ),
                glow::TEXTURE_CUBE_MAP => {
                    let layer = data.len() / region.d.max(1) as usize;
                    for (i, chunk) in data.chunks(layer).enumerate() {
                        let face = CUBE_FACES[region.z as usize + i];
                        g.compressed_tex_sub_image_2d(
                            face,
                            level as i32,
                            x,
                            y,
                            w,
                            h,
                            format.internal,
                            src(chunk),
                        );
                    }
                }
                _ => g.compressed_tex_sub_image_3d(
                    target,
                    level as i32,
                    x,
                    y,
                    z,
                    w,
                    h,
                    d,
                    format.internal,
                    src(data),
                ),
            }
            g.bind_texture(target, None);
        }
        self.check("glCompressedTexSubImage")
    }

    /// Reads the box `region` of `level` into `data`, tightly packed.
    pub(crate) fn download(
        &self,
        storage: &Storage,
        res: &Resource,
        level: u32,
        region: Box3,
        data: &mut [u8],
    ) -> Result<()> {
        let g = &self.gl;
        let Storage::Texture {
            texture,
            target,
            format,
        } = storage
        else {
            let Storage::Buffer(buffer) = storage else {
                unreachable!()
            };
            // SAFETY: the context is current; the renderer checked the range.
            unsafe {
                g.bind_buffer(glow::COPY_READ_BUFFER, Some(*buffer));
                g.get_buffer_sub_data(glow::COPY_READ_BUFFER, region.x as i32, data);
                g.bind_buffer(glow::COPY_READ_BUFFER, None);
            }
            return self.check("glGetBufferSubData");
        };
        if format.kind == Kind::Compressed {
            return Err(gl_err(
                "glGetCompressedTexImage",
                format!(
                    "readback of compressed {:?} is not supported yet",
                    res.desc.format
                ),
            ));
        }
        // The whole level, then the box out of it.
        let extent = res.level_extent(level)?;
        let whole = res.layout(level, full(extent), 0, 0, 0)?;
        let mut level_bytes = vec![0u8; whole.packed_len() as usize];
        // SAFETY: the context is current; `level_bytes` holds the whole level packed with
        // PACK_ALIGNMENT 1, which is exactly what glGetTexImage writes for this format.
        unsafe {
            g.pixel_store_i32(glow::PACK_ALIGNMENT, 1);
            g.pixel_store_i32(glow::PACK_ROW_LENGTH, 0);
            g.bind_texture(*target, Some(*texture));
            if *target == glow::TEXTURE_CUBE_MAP {
                let face = level_bytes.len() / 6;
                for (i, chunk) in level_bytes.chunks_mut(face).enumerate() {
                    g.get_tex_image(
                        CUBE_FACES[i],
                        level as i32,
                        format.format,
                        format.ty,
                        glow::PixelPackData::Slice(Some(chunk)),
                    );
                }
            } else {
                g.get_tex_image(
                    *target,
                    level as i32,
                    format.format,
                    format.ty,
                    glow::PixelPackData::Slice(Some(&mut level_bytes)),
                );
            }
            g.bind_texture(*target, None);
        }
        self.check("glGetTexImage")?;
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
        data.copy_from_slice(&crate::transfer::gather_slice(&layout, &level_bytes));
        Ok(())
    }
}

/// The box of a whole level.
pub fn full(e: virgl_proto::transfer::Extent) -> Box3 {
    Box3 {
        x: 0,
        y: 0,
        z: 0,
        w: e.width,
        h: e.height,
        d: e.depth,
    }
}
