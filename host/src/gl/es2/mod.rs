//! OpenGL ES 2.0: how the backend does there what later contexts have calls for.
//!
//! - `draw`: textures with their sampler state as texture parameters, the uniforms that
//!   stand in for what GLSL ES 1.00 lacks, and instances drawn one at a time;
//! - `flat`: flat shading from the provoking vertex's inputs;
//! - `blit`: clears, quad blits and CPU copies;
//! - `shadow`: CPU copies of the textures ES 2.0 cannot read back;
//! - here, the extension entry points the backend uses, under their own names.
//!
//! ES 2.0 lacks much of what the backend calls through glow on later contexts (draw buffer
//! selection, buffer mapping, 3D textures, queries), and has each as an extension. Mesa's
//! `eglGetProcAddress` returns a silent no-op for any name the context lacks, and glow falls
//! back from a suffixed name to the core one, so neither the pointer nor glow tells whether a
//! call does anything. Each entry point here is therefore loaded under its extension's suffix
//! and only when the context lists the extension; without it the caller takes the older path
//! (one colour buffer, a CPU copy, no query) or refuses.

use std::ffi::c_void;

mod blit;
mod draw;
mod flat;
mod shadow;

pub use blit::QuadBlit;
pub(in crate::gl) use draw::instances_es2;
pub use draw::{Es100Uniforms, InstancedAttrib};
pub use shadow::Shadows;

type Buffers = unsafe extern "system" fn(i32, *const u32);
type Enum1 = unsafe extern "system" fn(u32);
type MapRange = unsafe extern "system" fn(u32, isize, isize, u32) -> *mut c_void;
type Unmap = unsafe extern "system" fn(u32) -> u8;
type TexImage3d =
    unsafe extern "system" fn(u32, i32, u32, i32, i32, i32, i32, u32, u32, *const c_void);
type TexSubImage3d =
    unsafe extern "system" fn(u32, i32, i32, i32, i32, i32, i32, i32, u32, u32, *const c_void);
type FramebufferTexture3d = unsafe extern "system" fn(u32, u32, u32, u32, i32, i32);
type Names = unsafe extern "system" fn(i32, *mut u32);
type DeleteNames = unsafe extern "system" fn(i32, *const u32);
type Enum2 = unsafe extern "system" fn(u32, u32);
type GetQueryObject = unsafe extern "system" fn(u32, u32, *mut u32);

/// `GL_TEXTURE_3D_OES`, the same number as desktop `GL_TEXTURE_3D`.
pub const TEXTURE_3D_OES: u32 = glow::TEXTURE_3D;

/// The entry points of the ES 2.0 extensions the backend uses; all `None` on other contexts.
#[derive(Clone, Copy, Default)]
pub struct Es2Entry {
    draw_buffers: Option<Buffers>,
    read_buffer: Option<Enum1>,
    map_buffer_range: Option<MapRange>,
    unmap_buffer: Option<Unmap>,
    tex_image_3d: Option<TexImage3d>,
    tex_sub_image_3d: Option<TexSubImage3d>,
    framebuffer_texture_3d: Option<FramebufferTexture3d>,
    gen_queries: Option<Names>,
    delete_queries: Option<DeleteNames>,
    begin_query: Option<Enum2>,
    end_query: Option<Enum1>,
    get_query_object: Option<GetQueryObject>,
}

impl Es2Entry {
    /// Loads each entry point with `lookup` when `has_extension` says the context has its
    /// extension.
    pub fn load(
        lookup: impl Fn(&str) -> *const c_void,
        has_extension: impl Fn(&str) -> bool,
    ) -> Es2Entry {
        let get = |extension: &str, name: &str| {
            let p = if has_extension(extension) {
                lookup(name)
            } else {
                std::ptr::null()
            };
            (!p.is_null()).then_some(p)
        };
        macro_rules! load {
            ($extension:expr, $name:expr) => {
                // SAFETY: a non-null pointer from eglGetProcAddress for the name is that GL
                // function, whose C signature the field's type is.
                get($extension, $name).map(|p| unsafe { std::mem::transmute_copy(&p) })
            };
        }
        // Query objects come with either extension, under the same names.
        let occlusion = if has_extension("GL_EXT_occlusion_query_boolean") {
            "GL_EXT_occlusion_query_boolean"
        } else {
            "GL_EXT_disjoint_timer_query"
        };
        Es2Entry {
            draw_buffers: load!("GL_EXT_draw_buffers", "glDrawBuffersEXT"),
            read_buffer: load!("GL_NV_read_buffer", "glReadBufferNV"),
            map_buffer_range: load!("GL_EXT_map_buffer_range", "glMapBufferRangeEXT"),
            unmap_buffer: load!("GL_OES_mapbuffer", "glUnmapBufferOES"),
            tex_image_3d: load!("GL_OES_texture_3D", "glTexImage3DOES"),
            tex_sub_image_3d: load!("GL_OES_texture_3D", "glTexSubImage3DOES"),
            framebuffer_texture_3d: load!("GL_OES_texture_3D", "glFramebufferTexture3DOES"),
            gen_queries: load!(occlusion, "glGenQueriesEXT"),
            delete_queries: load!(occlusion, "glDeleteQueriesEXT"),
            begin_query: load!(occlusion, "glBeginQueryEXT"),
            end_query: load!(occlusion, "glEndQueryEXT"),
            get_query_object: load!(occlusion, "glGetQueryObjectuivEXT"),
        }
    }

    /// Whether more than one colour buffer can be drawn (`GL_EXT_draw_buffers`).
    pub fn has_draw_buffers(&self) -> bool {
        self.draw_buffers.is_some()
    }

    /// `glDrawBuffersEXT`; false without the extension.
    pub unsafe fn draw_buffers(&self, buffers: &[u32]) -> bool {
        let Some(f) = self.draw_buffers else {
            return false;
        };
        f(buffers.len() as i32, buffers.as_ptr());
        true
    }

    /// `glReadBufferNV`; false without the extension.
    pub unsafe fn read_buffer(&self, buffer: u32) -> bool {
        let Some(f) = self.read_buffer else {
            return false;
        };
        f(buffer);
        true
    }

    /// Reads `len` bytes at `offset` of the buffer bound to `target` into `out`, through
    /// `glMapBufferRangeEXT(GL_MAP_READ_BIT)`; false when the extension is missing or the
    /// mapping fails.
    pub unsafe fn read_mapped(&self, target: u32, offset: usize, out: &mut [u8]) -> bool {
        let (Some(map), Some(unmap)) = (self.map_buffer_range, self.unmap_buffer) else {
            return false;
        };
        let p = map(
            target,
            offset as isize,
            out.len() as isize,
            glow::MAP_READ_BIT,
        );
        if p.is_null() {
            return false;
        }
        std::ptr::copy_nonoverlapping(p.cast::<u8>(), out.as_mut_ptr(), out.len());
        unmap(target);
        true
    }

    /// `glTexImage3DOES` with no pixels.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn tex_image_3d(
        &self,
        level: i32,
        internal: u32,
        w: i32,
        h: i32,
        d: i32,
        format: u32,
        ty: u32,
    ) {
        if let Some(f) = self.tex_image_3d {
            f(
                TEXTURE_3D_OES,
                level,
                internal,
                w,
                h,
                d,
                0,
                format,
                ty,
                std::ptr::null(),
            )
        }
    }

    /// `glTexSubImage3DOES` from `data`, which holds the box as the unpack state describes.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn tex_sub_image_3d(
        &self,
        level: i32,
        origin: [i32; 3],
        size: [i32; 3],
        format: u32,
        ty: u32,
        data: *const c_void,
    ) {
        if let Some(f) = self.tex_sub_image_3d {
            f(
                TEXTURE_3D_OES,
                level,
                origin[0],
                origin[1],
                origin[2],
                size[0],
                size[1],
                size[2],
                format,
                ty,
                data,
            )
        }
    }

    /// `glFramebufferTexture3DOES` on `GL_FRAMEBUFFER`.
    pub unsafe fn framebuffer_texture_3d(
        &self,
        attachment: u32,
        texture: Option<glow::Texture>,
        level: i32,
        slice: i32,
    ) {
        if let Some(f) = self.framebuffer_texture_3d {
            f(
                glow::FRAMEBUFFER,
                attachment,
                TEXTURE_3D_OES,
                texture.map_or(0, |t| t.0.get()),
                level,
                slice,
            )
        }
    }

    /// Whether `GL_EXT_occlusion_query_boolean` queries exist.
    pub fn has_queries(&self) -> bool {
        self.gen_queries.is_some()
            && self.delete_queries.is_some()
            && self.begin_query.is_some()
            && self.end_query.is_some()
            && self.get_query_object.is_some()
    }

    /// `glGenQueriesEXT` of one name.
    pub unsafe fn create_query(&self) -> Option<glow::Query> {
        let f = self.gen_queries?;
        let mut name = 0;
        f(1, &mut name);
        std::num::NonZeroU32::new(name).map(glow::NativeQuery)
    }

    /// `glDeleteQueriesEXT`.
    pub unsafe fn delete_query(&self, query: glow::Query) {
        if let Some(f) = self.delete_queries {
            f(1, &query.0.get())
        }
    }

    /// `glBeginQueryEXT`.
    pub unsafe fn begin_query(&self, target: u32, query: glow::Query) {
        if let Some(f) = self.begin_query {
            f(target, query.0.get())
        }
    }

    /// `glEndQueryEXT`.
    pub unsafe fn end_query(&self, target: u32) {
        if let Some(f) = self.end_query {
            f(target)
        }
    }

    /// `glGetQueryObjectuivEXT`.
    pub unsafe fn query_object(&self, query: glow::Query, pname: u32) -> u32 {
        let mut v = 0;
        if let Some(f) = self.get_query_object {
            f(query.0.get(), pname, &mut v)
        }
        v
    }
}
