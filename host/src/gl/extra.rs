//! GL entry points glow 0.18 does not have, loaded through the same `eglGetProcAddress`.
//!
//! Each is an `Option`: a driver may lack one, and its caller then reports what it could not
//! do instead of calling through a null pointer.

use std::ffi::c_void;

type PointSize = unsafe extern "system" fn(f32);
type Enum1 = unsafe extern "system" fn(u32);
type SampleMaski = unsafe extern "system" fn(u32, u32);
type TexStorage3dMs = unsafe extern "system" fn(u32, i32, u32, i32, i32, i32, u8);
type Enum2 = unsafe extern "system" fn(u32, u32);
type TexBufferRange = unsafe extern "system" fn(u32, u32, u32, isize, isize);
type GetMultisamplefv = unsafe extern "system" fn(u32, u32, *mut f32);
type Void = unsafe extern "system" fn();
type TextureView = unsafe extern "system" fn(u32, u32, u32, u32, u32, u32, u32, u32);
type Enum4 = unsafe extern "system" fn(u32, u32, u32, u32, u32);
type Enum3 = unsafe extern "system" fn(u32, u32, u32);
type ColorMaski = unsafe extern "system" fn(u32, u8, u8, u8, u8);
type GetQueryObjectUi64 = unsafe extern "system" fn(u32, u32, *mut u64);
type TexSubImage1d = unsafe extern "system" fn(u32, i32, i32, i32, u32, u32, *const c_void);

/// The extra entry points.
#[derive(Clone, Copy, Default)]
pub struct GlExtra {
    point_size: Option<PointSize>,
    logic_op: Option<Enum1>,
    primitive_restart_index: Option<Enum1>,
    provoking_vertex: Option<Enum1>,
    sample_maski: Option<SampleMaski>,
    tex_storage_3d_multisample: Option<TexStorage3dMs>,
    tex_sub_image_1d: Option<TexSubImage1d>,
    texture_view: Option<TextureView>,
    query_counter_ext: Option<Enum2>,
    /// Per-draw-buffer blend state of `GL_OES_draw_buffers_indexed` (or EXT), on ES below 3.2.
    enablei: Option<Enum2>,
    disablei: Option<Enum2>,
    blend_func_separatei: Option<Enum4>,
    blend_equation_separatei: Option<Enum3>,
    color_maski: Option<ColorMaski>,
    get_query_object_ui64v_ext: Option<GetQueryObjectUi64>,
    begin_conditional_render: Option<Enum2>,
    get_multisamplefv: Option<GetMultisamplefv>,
    tex_buffer_range: Option<TexBufferRange>,
    end_conditional_render: Option<Void>,
}

impl GlExtra {
    /// Loads them with `lookup` (null for a name the driver lacks). On OpenGL ES (`es`) the
    /// desktop-only ones stay unloaded: EGL may hand out entry points the context's API lacks.
    pub fn load(
        lookup: impl Fn(&str) -> *const c_void,
        es: bool,
        has_extension: impl Fn(&str) -> bool,
    ) -> GlExtra {
        fn get<T: Copy>(lookup: &impl Fn(&str) -> *const c_void, name: &str) -> Option<T> {
            let p = lookup(name);
            // SAFETY: a non-null pointer from eglGetProcAddress for `name` is that GL function,
            // and each field's type is its C signature.
            (!p.is_null()).then(|| unsafe { std::mem::transmute_copy::<*const c_void, T>(&p) })
        }
        // On ES the per-buffer blend functions under their extension's suffix (the core
        // names of ES 3.2 go through glow).
        let suffix = if has_extension("GL_OES_draw_buffers_indexed") {
            Some("OES")
        } else if has_extension("GL_EXT_draw_buffers_indexed") {
            Some("EXT")
        } else {
            None
        };
        let indexed = |name: &str| suffix.filter(|_| es).map(|s| format!("{name}{s}"));
        let desktop = |name: &str| {
            if es {
                std::ptr::null()
            } else {
                lookup(name)
            }
        };
        GlExtra {
            point_size: get(&desktop, "glPointSize"),
            logic_op: get(&desktop, "glLogicOp"),
            primitive_restart_index: get(&desktop, "glPrimitiveRestartIndex"),
            provoking_vertex: get(&desktop, "glProvokingVertex"),
            sample_maski: get(&lookup, "glSampleMaski"),
            tex_storage_3d_multisample: get(&lookup, "glTexStorage3DMultisample"),
            tex_sub_image_1d: get(&desktop, "glTexSubImage1D"),
            texture_view: if !es {
                get(&lookup, "glTextureView")
            } else if has_extension("GL_OES_texture_view") {
                get(&lookup, "glTextureViewOES")
            } else if has_extension("GL_EXT_texture_view") {
                get(&lookup, "glTextureViewEXT")
            } else {
                None
            },
            enablei: indexed("glEnablei").and_then(|n| get(&lookup, &n)),
            disablei: indexed("glDisablei").and_then(|n| get(&lookup, &n)),
            blend_func_separatei: indexed("glBlendFuncSeparatei").and_then(|n| get(&lookup, &n)),
            blend_equation_separatei: indexed("glBlendEquationSeparatei")
                .and_then(|n| get(&lookup, &n)),
            color_maski: indexed("glColorMaski").and_then(|n| get(&lookup, &n)),
            query_counter_ext: if es && has_extension("GL_EXT_disjoint_timer_query") {
                get(&lookup, "glQueryCounterEXT")
            } else {
                None
            },
            get_query_object_ui64v_ext: if es && has_extension("GL_EXT_disjoint_timer_query") {
                get(&lookup, "glGetQueryObjectui64vEXT")
            } else {
                None
            },
            begin_conditional_render: get(&desktop, "glBeginConditionalRender"),
            get_multisamplefv: get(&lookup, "glGetMultisamplefv"),
            tex_buffer_range: if es && has_extension("GL_EXT_texture_buffer") {
                get(&lookup, "glTexBufferRangeEXT")
            } else {
                get(&lookup, "glTexBufferRange")
            },
            end_conditional_render: get(&desktop, "glEndConditionalRender"),
        }
    }

    /// `glPointSize`.
    pub unsafe fn point_size(&self, size: f32) {
        if let Some(f) = self.point_size {
            f(size)
        }
    }

    /// `glLogicOp`.
    pub unsafe fn logic_op(&self, op: u32) {
        if let Some(f) = self.logic_op {
            f(op)
        }
    }

    /// `glPrimitiveRestartIndex`.
    pub unsafe fn primitive_restart_index(&self, index: u32) {
        if let Some(f) = self.primitive_restart_index {
            f(index)
        }
    }

    /// `glProvokingVertex`.
    pub unsafe fn provoking_vertex(&self, mode: u32) {
        if let Some(f) = self.provoking_vertex {
            f(mode)
        }
    }

    /// `glSampleMaski`.
    pub unsafe fn sample_maski(&self, word: u32, mask: u32) {
        if let Some(f) = self.sample_maski {
            f(word, mask)
        }
    }

    /// `glTexStorage3DMultisample`.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn tex_storage_3d_multisample(
        &self,
        target: u32,
        samples: i32,
        internal: u32,
        w: i32,
        h: i32,
        d: i32,
        fixed: bool,
    ) {
        if let Some(f) = self.tex_storage_3d_multisample {
            f(target, samples, internal, w, h, d, u8::from(fixed))
        }
    }

    /// `glTextureView`: `view` (a fresh name, never bound) becomes a view of levels and
    /// layers of `original`; false if the driver lacks it.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn texture_view(
        &self,
        view: glow::Texture,
        target: u32,
        original: glow::Texture,
        internal: u32,
        levels: std::ops::Range<u32>,
        layers: std::ops::Range<u32>,
    ) -> bool {
        let Some(f) = self.texture_view else {
            return false;
        };
        f(
            view.0.get(),
            target,
            original.0.get(),
            internal,
            levels.start,
            levels.end - levels.start,
            layers.start,
            layers.end - layers.start,
        );
        true
    }

    /// `glGetMultisamplefv(GL_SAMPLE_POSITION, index)` of the bound draw framebuffer.
    pub unsafe fn sample_position(&self, index: u32, xy: &mut [f32; 2]) {
        if let Some(f) = self.get_multisamplefv {
            f(glow::SAMPLE_POSITION, index, xy.as_mut_ptr())
        }
    }

    /// `glTexBufferRange`.
    pub unsafe fn tex_buffer_range(
        &self,
        target: u32,
        internal: u32,
        buffer: glow::Buffer,
        offset: isize,
        size: isize,
    ) {
        if let Some(f) = self.tex_buffer_range {
            f(target, internal, buffer.0.get(), offset, size)
        }
    }

    /// Whether the per-draw-buffer blend functions of `GL_OES_draw_buffers_indexed` are loaded.
    pub fn has_indexed_blend(&self) -> bool {
        self.enablei.is_some()
            && self.disablei.is_some()
            && self.blend_func_separatei.is_some()
            && self.blend_equation_separatei.is_some()
            && self.color_maski.is_some()
    }

    /// `glEnableiOES(cap, i)` or `glDisableiOES`.
    pub unsafe fn set_i(&self, cap: u32, i: u32, on: bool) {
        if let Some(f) = if on { self.enablei } else { self.disablei } {
            f(cap, i)
        }
    }

    /// `glBlendFuncSeparateiOES`.
    pub unsafe fn blend_func_separate_i(&self, i: u32, src: u32, dst: u32, src_a: u32, dst_a: u32) {
        if let Some(f) = self.blend_func_separatei {
            f(i, src, dst, src_a, dst_a)
        }
    }

    /// `glBlendEquationSeparateiOES`.
    pub unsafe fn blend_equation_separate_i(&self, i: u32, rgb: u32, alpha: u32) {
        if let Some(f) = self.blend_equation_separatei {
            f(i, rgb, alpha)
        }
    }

    /// `glColorMaskiOES`.
    pub unsafe fn color_mask_i(&self, i: u32, r: bool, g: bool, b: bool, a: bool) {
        if let Some(f) = self.color_maski {
            f(i, u8::from(r), u8::from(g), u8::from(b), u8::from(a))
        }
    }

    /// `glQueryCounterEXT(query, GL_TIMESTAMP_EXT)` (GL_EXT_disjoint_timer_query, on ES).
    pub unsafe fn query_counter_ext(&self, query: glow::Query) {
        if let Some(f) = self.query_counter_ext {
            f(query.0.get(), glow::TIMESTAMP)
        }
    }

    /// `glGetQueryObjectui64vEXT(query, GL_QUERY_RESULT)`, 0 without the extension.
    pub unsafe fn query_result_u64_ext(&self, query: glow::Query) -> u64 {
        let mut v = 0u64;
        if let Some(f) = self.get_query_object_ui64v_ext {
            f(query.0.get(), glow::QUERY_RESULT, &mut v)
        }
        v
    }

    /// `glBeginConditionalRender`.
    pub unsafe fn begin_conditional_render(&self, query: glow::Query, mode: u32) {
        if let Some(f) = self.begin_conditional_render {
            f(query.0.get(), mode)
        }
    }

    /// `glEndConditionalRender`.
    pub unsafe fn end_conditional_render(&self) {
        if let Some(f) = self.end_conditional_render {
            f()
        }
    }

    /// `glTexSubImage1D` from client memory.
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn tex_sub_image_1d(
        &self,
        target: u32,
        level: i32,
        x: i32,
        w: i32,
        format: u32,
        ty: u32,
        data: &[u8],
    ) {
        if let Some(f) = self.tex_sub_image_1d {
            f(target, level, x, w, format, ty, data.as_ptr().cast())
        }
    }
}
