//! Resources as GL objects: buffers, and textures of every target, with uploads and readback.

use glow::HasContext;
use virgl_proto::ccmd::Box3;
use virgl_proto::pipe::TextureTarget;

use super::format::{swap_rb, GlFormat, Kind};
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
                let t = self.copy_target();
                g.bind_buffer(t, Some(buffer));
                g.buffer_data_size(t, d.width.max(1) as i32, glow::DYNAMIC_DRAW);
                g.bind_buffer(t, None);
                self.check("glBufferData")?;
                return Ok(Storage::Buffer(buffer));
            }
        }
        let format = self.format(d.format).ok_or_else(|| Error::Resource {
            id: res.id,
            detail: format!("format {:?} has no GL texture format here", d.format),
        })?;
        let target = self.texture_target(d.target, d.nr_samples);
        let levels = d.last_level as i32 + 1;
        let (w, h) = (d.width as i32, d.height as i32);
        let layers = d.array_size.max(1) as i32;
        // SAFETY: the context is current; sizes were checked against the context's limits by
        // `check_create`, and the texture is new.
        unsafe {
            let texture = g.create_texture().map_err(|e| gl_err("glGenTextures", e))?;
            g.bind_texture(target, Some(texture));
            let internal = format.internal;
            if self.es2() {
                self.specify_levels(target, &format, res);
            } else {
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
                    glow::TEXTURE_2D_MULTISAMPLE => g.tex_storage_2d_multisample(
                        target,
                        d.nr_samples as i32,
                        internal,
                        w,
                        h,
                        true,
                    ),
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

    /// The buffer binding point for copying into and out of buffers: `GL_ARRAY_BUFFER` on
    /// ES 2.0, which has no `GL_COPY_*_BUFFER` (the array buffer binding is not vertex array
    /// state, and draws bind their own).
    pub(crate) fn copy_target(&self) -> u32 {
        if self.es2() {
            glow::ARRAY_BUFFER
        } else {
            glow::COPY_WRITE_BUFFER
        }
    }

    /// ES 2.0 has no texture storage: each level (of each face) of the texture bound to
    /// `target` is specified with `glTexImage2D` (or `glTexImage3DOES`) and no pixels, and the
    /// chain stops at the last one with `GL_TEXTURE_MAX_LEVEL` (APPLE_texture_max_level), so
    /// a chain shorter than the full one is complete.
    ///
    /// # Safety
    /// The context is current and a texture is bound to `target`.
    unsafe fn specify_levels(&self, target: u32, format: &GlFormat, res: &Resource) {
        let g = &self.gl;
        let d = &res.desc;
        for level in 0..=d.last_level {
            let w = (d.width >> level).max(1) as i32;
            let h = (d.height >> level).max(1) as i32;
            let (f, t, internal) = (format.format, format.ty, format.internal);
            match target {
                glow::TEXTURE_3D => {
                    let depth = (d.depth >> level).max(1) as i32;
                    self.es2
                        .tex_image_3d(level as i32, internal, w, h, depth, f, t)
                }
                glow::TEXTURE_CUBE_MAP => {
                    for face in CUBE_FACES {
                        let none = glow::PixelUnpackData::Slice(None);
                        g.tex_image_2d(face, level as i32, internal as i32, w, h, 0, f, t, none);
                    }
                }
                _ => {
                    let none = glow::PixelUnpackData::Slice(None);
                    g.tex_image_2d(target, level as i32, internal as i32, w, h, 0, f, t, none);
                }
            }
        }
        if self
            .gl
            .supported_extensions()
            .contains("GL_APPLE_texture_max_level")
        {
            g.tex_parameter_i32(target, glow::TEXTURE_MAX_LEVEL, d.last_level as i32);
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
                let t = self.copy_target();
                g.bind_buffer(t, Some(*buffer));
                g.buffer_sub_data_u8_slice(t, region.x as i32, data);
                g.bind_buffer(t, None);
            }
            return self.check("glBufferSubData");
        };
        if format.kind == Kind::Compressed {
            return self.upload_compressed(*texture, *target, format, res, level, region, data);
        }
        let converted;
        let data = match format.convert {
            Some(c) => {
                converted = c.apply(data);
                &converted[..]
            }
            None => data,
        };
        let swapped;
        let data = if format.swap_rb {
            swapped = {
                let mut v = data.to_vec();
                swap_rb(&mut v);
                v
            };
            &swapped[..]
        } else {
            data
        };
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
            if !self.es2() {
                g.pixel_store_i32(glow::UNPACK_ROW_LENGTH, 0);
                g.pixel_store_i32(glow::UNPACK_IMAGE_HEIGHT, 0);
            }
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
                glow::TEXTURE_3D if self.es2() => {
                    self.es2
                        .tex_sub_image_3d(lvl, [x, y, z], [w, h, d], f, t, data.as_ptr().cast())
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
            return self.read_buffer(*buffer, region.x, data);
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
        if self.version.es {
            return self.read_through_framebuffer(*texture, *target, format, level, region, data);
        }
        // The whole level, then the box out of it.
        let (layout, level_len) = res.in_level(level, region)?;
        let mut level_bytes = vec![0u8; level_len as usize];
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
        data.copy_from_slice(&crate::transfer::gather_slice(&layout, &level_bytes));
        if format.swap_rb {
            swap_rb(data);
        }
        Ok(())
    }

    /// Reads `data.len()` bytes at `offset` of `buffer`: `glGetBufferSubData` on desktop GL, a
    /// read mapping on ES, which lacks it.
    pub(crate) fn read_buffer(
        &self,
        buffer: glow::Buffer,
        offset: u32,
        data: &mut [u8],
    ) -> Result<()> {
        let g = &self.gl;
        if data.is_empty() {
            return Ok(());
        }
        // SAFETY: the context is current; the caller checked that the range lies inside the
        // buffer, so a successful mapping covers `data.len()` readable bytes, copied before the
        // unmap.
        unsafe {
            if self.es2() {
                g.bind_buffer(glow::ARRAY_BUFFER, Some(buffer));
                let read = self
                    .es2
                    .read_mapped(glow::ARRAY_BUFFER, offset as usize, data);
                g.bind_buffer(glow::ARRAY_BUFFER, None);
                self.check("glMapBufferRangeEXT(GL_MAP_READ_BIT)")?;
                return if read {
                    Ok(())
                } else {
                    Err(gl_err(
                        "glMapBufferRangeEXT",
                        "buffers cannot be read back on this OpenGL ES 2.0 host \
                         (no GL_EXT_map_buffer_range and GL_OES_mapbuffer)",
                    ))
                };
            }
            g.bind_buffer(glow::COPY_READ_BUFFER, Some(buffer));
            if self.version.es {
                let p = g.map_buffer_range(
                    glow::COPY_READ_BUFFER,
                    offset as i32,
                    data.len() as i32,
                    glow::MAP_READ_BIT,
                );
                if !p.is_null() {
                    data.copy_from_slice(std::slice::from_raw_parts(p, data.len()));
                    g.unmap_buffer(glow::COPY_READ_BUFFER);
                }
            } else {
                g.get_buffer_sub_data(glow::COPY_READ_BUFFER, offset as i32, data);
            }
            g.bind_buffer(glow::COPY_READ_BUFFER, None);
        }
        self.check(if self.version.es {
            "glMapBufferRange(GL_MAP_READ_BIT)"
        } else {
            "glGetBufferSubData"
        })
    }

    /// Reads the box `region` of `level` with `glReadPixels`, a layer at a time, through a
    /// framebuffer of its own: ES has no `glGetTexImage`.
    pub(crate) fn read_through_framebuffer(
        &self,
        texture: glow::Texture,
        target: u32,
        format: &GlFormat,
        level: u32,
        region: Box3,
        data: &mut [u8],
    ) -> Result<()> {
        let g = &self.gl;
        let layers = region.d.max(1) as usize;
        let layer_bytes = data.len() / layers;
        let attachments = self.attachments(format);
        let read_target = self.read_target();
        let mut unreadable = None;
        // SAFETY: the context is current; the framebuffer is made, used and deleted here, the
        // previous read framebuffer is bound again, and each chunk holds exactly one layer of
        // the box packed with PACK_ALIGNMENT 1, which is what glReadPixels writes.
        let status = unsafe {
            let previous = g.get_parameter_framebuffer(if self.es2() {
                glow::FRAMEBUFFER_BINDING
            } else {
                glow::READ_FRAMEBUFFER_BINDING
            });
            let fb = g
                .create_framebuffer()
                .map_err(|e| gl_err("glGenFramebuffers", e))?;
            g.bind_framebuffer(read_target, Some(fb));
            g.pixel_store_i32(glow::PACK_ALIGNMENT, 1);
            if !self.es2() {
                g.pixel_store_i32(glow::PACK_ROW_LENGTH, 0);
            }
            let mut status = glow::FRAMEBUFFER_COMPLETE;
            for (i, chunk) in data.chunks_mut(layer_bytes.max(1)).enumerate() {
                let layer = region.z as usize + i;
                for &attachment in attachments {
                    match target {
                        glow::TEXTURE_2D | glow::TEXTURE_2D_MULTISAMPLE => g
                            .framebuffer_texture_2d(
                                read_target,
                                attachment,
                                target,
                                Some(texture),
                                level as i32,
                            ),
                        glow::TEXTURE_CUBE_MAP => g.framebuffer_texture_2d(
                            read_target,
                            attachment,
                            CUBE_FACES[layer % 6],
                            Some(texture),
                            level as i32,
                        ),
                        glow::TEXTURE_3D if self.es2() => self.es2.framebuffer_texture_3d(
                            attachment,
                            Some(texture),
                            level as i32,
                            layer as i32,
                        ),
                        _ => g.framebuffer_texture_layer(
                            read_target,
                            attachment,
                            Some(texture),
                            level as i32,
                            layer as i32,
                        ),
                    }
                }
                self.select_read_buffer(if format.is_depth_stencil() {
                    glow::NONE
                } else {
                    glow::COLOR_ATTACHMENT0
                });
                status = g.check_framebuffer_status(read_target);
                if status != glow::FRAMEBUFFER_COMPLETE {
                    break;
                }
                let (x, y, w, h) = (
                    region.x as i32,
                    region.y as i32,
                    region.w as i32,
                    region.h as i32,
                );
                self.clear_errors();
                // ES 2.0 reads half floats with ES 3.0's GL_HALF_FLOAT, the implementation
                // read type of half-float framebuffers, though textures take HALF_FLOAT_OES.
                let read_ty = match format.ty {
                    super::format::HALF_FLOAT_OES => glow::HALF_FLOAT,
                    ty => ty,
                };
                g.read_pixels(
                    x,
                    y,
                    w,
                    h,
                    format.format,
                    read_ty,
                    glow::PixelPackData::Slice(Some(chunk)),
                );
                // ES reads fewer pairs than it stores: 1- to 3-channel formats as RGBA of
                // the same channel type, dropping the channels they lack.
                let error = g.get_error();
                if error != glow::NO_ERROR {
                    let Some((read_format, n, bytes)) = rgba_read(format) else {
                        unreadable = Some(error);
                        break;
                    };
                    {
                        let mut rgba = vec![0u8; chunk.len() / n * 4];
                        g.read_pixels(
                            x,
                            y,
                            w,
                            h,
                            read_format,
                            read_ty,
                            glow::PixelPackData::Slice(Some(&mut rgba)),
                        );
                        for (texel, wide) in chunk
                            .chunks_exact_mut(n * bytes)
                            .zip(rgba.chunks_exact(4 * bytes))
                        {
                            texel.copy_from_slice(&wide[..n * bytes]);
                        }
                    }
                }
            }
            g.bind_framebuffer(read_target, previous);
            g.delete_framebuffer(fb);
            status
        };
        if status != glow::FRAMEBUFFER_COMPLETE {
            return Err(gl_err(
                "glReadPixels",
                format!("level {level} cannot be read through a framebuffer (status {status:#x})"),
            ));
        }
        if let Some(e) = unreadable {
            return Err(gl_err(
                "glReadPixels",
                format!("GL error {e:#x}: the host cannot read this format back"),
            ));
        }
        self.check("glReadPixels")?;
        if format.swap_rb {
            swap_rb(data);
        }
        Ok(())
    }
}

/// For a format of 1 to 3 channels of one type, what `glReadPixels` reads it as on ES:
/// `GL_RGBA` or `GL_RGBA_INTEGER`, its channel count and the bytes of a channel.
fn rgba_read(format: &GlFormat) -> Option<(u32, usize, usize)> {
    let (n, integer) = match format.format {
        glow::RED => (1, false),
        glow::RG => (2, false),
        glow::RGB => (3, false),
        glow::RED_INTEGER => (1, true),
        glow::RG_INTEGER => (2, true),
        glow::RGB_INTEGER => (3, true),
        _ => return None,
    };
    let bytes = match format.ty {
        glow::UNSIGNED_BYTE | glow::BYTE => 1,
        glow::UNSIGNED_SHORT | glow::SHORT | glow::HALF_FLOAT => 2,
        super::format::HALF_FLOAT_OES => 2,
        glow::UNSIGNED_INT | glow::INT | glow::FLOAT => 4,
        _ => return None,
    };
    let read = if integer {
        glow::RGBA_INTEGER
    } else {
        glow::RGBA
    };
    Some((read, n, bytes))
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

#[cfg(test)]
mod tests {
    use super::*;
    use virgl_proto::format::Format;

    #[test]
    fn es_reads_narrow_formats_as_rgba_of_their_channel_type() {
        let es = |f| super::super::format::gl_format_es(f).unwrap();
        assert_eq!(
            rgba_read(&es(Format::R16G16_UNORM)),
            Some((glow::RGBA, 2, 2))
        );
        assert_eq!(
            rgba_read(&es(Format::R32_UINT)),
            Some((glow::RGBA_INTEGER, 1, 4))
        );
        assert_eq!(rgba_read(&es(Format::R8G8B8A8_UNORM)), None);
        assert_eq!(rgba_read(&es(Format::B5G6R5_UNORM)), None);
    }
}
