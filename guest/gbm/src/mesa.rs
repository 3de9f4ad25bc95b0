//! Mesa's side: a gbm device on the render node, EGL on Mesa's GBM platform, and a GLES 2
//! context that renders into and samples dma-bufs through `EGL_EXT_image_dma_buf_import`.
//!
//! The context is made without a config (`EGL_KHR_no_config_context`) and made current without
//! a surface (`EGL_KHR_surfaceless_context`): it draws only into framebuffer objects. glow has
//! no `GL_OES_EGL_image` entry points, and khronos-egl has `eglCreateImage` only for EGL 1.5
//! displays (Mesa's GBM display is 1.4), so those three come from `eglGetProcAddress`.

use std::ffi::c_void;
use std::fs::File;
use std::os::fd::{AsRawFd, BorrowedFd};

use gbm::AsRaw;
use glow::HasContext;
use khronos_egl as egl;

use crate::{Error, Result};

/// `EGL_PLATFORM_GBM_KHR` (EGL_KHR_platform_gbm).
const PLATFORM_GBM_KHR: egl::Enum = 0x31D7;
/// `EGL_LINUX_DMA_BUF_EXT` and its attributes (EGL_EXT_image_dma_buf_import).
const LINUX_DMA_BUF_EXT: egl::Enum = 0x3270;
const LINUX_DRM_FOURCC_EXT: egl::Int = 0x3271;
const DMA_BUF_PLANE0_FD_EXT: egl::Int = 0x3272;
const DMA_BUF_PLANE0_OFFSET_EXT: egl::Int = 0x3273;
const DMA_BUF_PLANE0_PITCH_EXT: egl::Int = 0x3274;
/// `DRM_FORMAT_ARGB8888` ('AR24'): bytes B, G, R, A in memory, virgl's `B8G8R8A8_UNORM`.
pub const FOURCC_ARGB8888: u32 = u32::from_le_bytes(*b"AR24");

type CreateImageKhr = unsafe extern "system" fn(
    egl::EGLDisplay,
    egl::EGLContext,
    egl::Enum,
    egl::EGLClientBuffer,
    *const egl::Int,
) -> egl::EGLImage;
type DestroyImageKhr = unsafe extern "system" fn(egl::EGLDisplay, egl::EGLImage) -> egl::Boolean;
type ImageTarget = unsafe extern "system" fn(u32, *mut c_void);

/// A dma-buf's single plane as EGL imports it.
#[derive(Clone, Copy, Debug)]
pub struct Plane<'a> {
    pub fd: BorrowedFd<'a>,
    pub width: u32,
    pub height: u32,
    pub fourcc: u32,
    pub pitch: u32,
}

/// Mesa's GBM device and a current GLES 2 context on it.
pub struct Mesa {
    // Dropped in this order: GL, then the context and display, then the gbm device.
    pub gl: glow::Context,
    egl: egl::DynamicInstance<egl::EGL1_5>,
    display: egl::Display,
    context: egl::Context,
    create_image: CreateImageKhr,
    destroy_image: DestroyImageKhr,
    target_texture: ImageTarget,
    target_renderbuffer: ImageTarget,
    pub gbm: gbm::Device<File>,
}

/// The address of EGL or GL function `name`, or an error naming it.
fn proc_address(
    egl: &egl::DynamicInstance<egl::EGL1_5>,
    name: &'static str,
) -> Result<*const c_void> {
    egl.get_proc_address(name)
        .map(|f| f as *const c_void)
        .ok_or(Error::Missing(name))
}

fn egl_err(call: &'static str) -> impl Fn(egl::Error) -> Error {
    move |e| Error::Egl { call, error: e }
}

impl Mesa {
    /// Opens `device` for libgbm and a GLES 2 context on Mesa's GBM platform.
    pub fn open(device: &std::path::Path) -> Result<Mesa> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(device)
            .map_err(|e| Error::Io(format!("open {}", device.display()), e))?;
        let gbm = gbm::Device::new(file)
            .map_err(|e| Error::Io(format!("gbm_create_device({})", device.display()), e))?;
        // SAFETY: loading libEGL runs its constructors; it is the guest's libglvnd EGL, loaded
        // once, and the instance keeps it loaded while this struct lives.
        let egl = unsafe { egl::DynamicInstance::<egl::EGL1_5>::load_required() }
            .map_err(|e| Error::Load(e.to_string()))?;
        // SAFETY: the native display is the gbm device, which outlives the display (dropped
        // after it); the attribute list is terminated.
        let display = unsafe {
            egl.get_platform_display(
                PLATFORM_GBM_KHR,
                gbm.as_raw() as *mut c_void,
                &[egl::ATTRIB_NONE],
            )
        }
        .map_err(egl_err("eglGetPlatformDisplay(GBM)"))?;
        egl.initialize(display).map_err(egl_err("eglInitialize"))?;
        let extensions = egl
            .query_string(Some(display), egl::EXTENSIONS)
            .map_err(egl_err("eglQueryString(EGL_EXTENSIONS)"))?
            .to_string_lossy()
            .into_owned();
        for needed in [
            "EGL_KHR_no_config_context",
            "EGL_KHR_surfaceless_context",
            "EGL_EXT_image_dma_buf_import",
            "EGL_KHR_image_base",
        ] {
            if !extensions.split(' ').any(|e| e == needed) {
                return Err(Error::Missing(needed));
            }
        }
        egl.bind_api(egl::OPENGL_ES_API)
            .map_err(egl_err("eglBindAPI"))?;
        // SAFETY: a null config is EGL_NO_CONFIG_KHR, which the display offers (checked above).
        let no_config = unsafe { egl::Config::from_ptr(std::ptr::null_mut()) };
        let context = egl
            .create_context(
                display,
                no_config,
                None,
                &[egl::CONTEXT_CLIENT_VERSION, 2, egl::NONE],
            )
            .map_err(egl_err("eglCreateContext(GLES 2)"))?;
        egl.make_current(display, None, None, Some(context))
            .map_err(egl_err("eglMakeCurrent(surfaceless)"))?;
        // SAFETY: each pointer is eglGetProcAddress's for the named function, whose C type the
        // alias spells (EGL_KHR_image_base, GL_OES_EGL_image).
        let (create_image, destroy_image, target_texture, target_renderbuffer) = unsafe {
            (
                std::mem::transmute::<*const c_void, CreateImageKhr>(proc_address(
                    &egl,
                    "eglCreateImageKHR",
                )?),
                std::mem::transmute::<*const c_void, DestroyImageKhr>(proc_address(
                    &egl,
                    "eglDestroyImageKHR",
                )?),
                std::mem::transmute::<*const c_void, ImageTarget>(proc_address(
                    &egl,
                    "glEGLImageTargetTexture2DOES",
                )?),
                std::mem::transmute::<*const c_void, ImageTarget>(proc_address(
                    &egl,
                    "glEGLImageTargetRenderbufferStorageOES",
                )?),
            )
        };
        // SAFETY: the context is current on this thread, and eglGetProcAddress returns its
        // functions (EGL_KHR_get_all_proc_addresses in Mesa).
        let gl = unsafe {
            glow::Context::from_loader_function(|name| {
                egl.get_proc_address(name)
                    .map_or(std::ptr::null(), |f| f as *const c_void)
            })
        };
        Ok(Mesa {
            gl,
            egl,
            display,
            context,
            create_image,
            destroy_image,
            target_texture,
            target_renderbuffer,
            gbm,
        })
    }

    /// `GL_RENDERER`.
    pub fn renderer(&self) -> String {
        // SAFETY: the context is current.
        unsafe { self.gl.get_parameter_string(glow::RENDERER) }
    }

    /// Imports `plane` as an EGLImage.
    fn image(&self, plane: &Plane<'_>) -> Result<Image<'_>> {
        let attrs = [
            egl::WIDTH,
            plane.width as egl::Int,
            egl::HEIGHT,
            plane.height as egl::Int,
            LINUX_DRM_FOURCC_EXT,
            plane.fourcc as egl::Int,
            DMA_BUF_PLANE0_FD_EXT,
            plane.fd.as_raw_fd(),
            DMA_BUF_PLANE0_OFFSET_EXT,
            0,
            DMA_BUF_PLANE0_PITCH_EXT,
            plane.pitch as egl::Int,
            egl::NONE,
        ];
        // SAFETY: the display is initialized, EGL_NO_CONTEXT and a null client buffer are what
        // EGL_LINUX_DMA_BUF_EXT takes, and the attribute list is terminated; EGL dups the fd.
        let image = unsafe {
            (self.create_image)(
                self.display.as_ptr(),
                egl::NO_CONTEXT,
                LINUX_DMA_BUF_EXT,
                std::ptr::null_mut(),
                attrs.as_ptr(),
            )
        };
        if image.is_null() {
            return Err(Error::Egl {
                call: "eglCreateImageKHR(EGL_LINUX_DMA_BUF_EXT)",
                error: self.egl.get_error().unwrap_or(egl::Error::BadAlloc),
            });
        }
        Ok(Image { mesa: self, image })
    }

    /// Fails naming `call` if GL recorded an error.
    fn check(&self, call: &'static str) -> Result<()> {
        // SAFETY: the context is current.
        match unsafe { self.gl.get_error() } {
            glow::NO_ERROR => Ok(()),
            code => Err(Error::Gl { call, code }),
        }
    }

    /// Renders into `plane`: each `(x, y, w, h, rgba)` rectangle (GL window coordinates, row
    /// y of the framebuffer being row y of the buffer) cleared to its colour, then glFinish.
    pub fn render_into(
        &self,
        plane: &Plane<'_>,
        rects: &[(i32, i32, i32, i32, [f32; 4])],
    ) -> Result<()> {
        let image = self.image(plane)?;
        let gl = &self.gl;
        // SAFETY: the context is current; the renderbuffer and framebuffer are this context's
        // and deleted before return; the image lives until the end of the function.
        unsafe {
            let rb = gl.create_renderbuffer().map_err(Error::GlCreate)?;
            gl.bind_renderbuffer(glow::RENDERBUFFER, Some(rb));
            (self.target_renderbuffer)(glow::RENDERBUFFER, image.image);
            self.check("glEGLImageTargetRenderbufferStorageOES")?;
            let fb =
                self.framebuffer("glCheckFramebufferStatus (EGLImage renderbuffer)", |gl| {
                    gl.framebuffer_renderbuffer(
                        glow::FRAMEBUFFER,
                        glow::COLOR_ATTACHMENT0,
                        glow::RENDERBUFFER,
                        Some(rb),
                    )
                })?;
            gl.viewport(0, 0, plane.width as i32, plane.height as i32);
            gl.enable(glow::SCISSOR_TEST);
            for &(x, y, w, h, [r, g, b, a]) in rects {
                gl.scissor(x, y, w, h);
                gl.clear_color(r, g, b, a);
                gl.clear(glow::COLOR_BUFFER_BIT);
            }
            gl.disable(glow::SCISSOR_TEST);
            gl.finish();
            self.check("glClear into the EGLImage")?;
            gl.bind_framebuffer(glow::FRAMEBUFFER, None);
            gl.delete_framebuffer(fb);
            gl.delete_renderbuffer(rb);
        }
        Ok(())
    }

    /// Samples `plane` as a texture (nearest) over a framebuffer of its size and reads that
    /// back: RGBA8, row y being GL window row y, which samples texture row y.
    pub fn sample(&self, plane: &Plane<'_>) -> Result<Vec<u8>> {
        const VS: &str = "attribute vec2 pos;\nvarying vec2 tc;\n\
            void main() { tc = pos * 0.5 + 0.5; gl_Position = vec4(pos, 0.0, 1.0); }\n";
        const FS: &str = "precision mediump float;\nvarying vec2 tc;\nuniform sampler2D tex;\n\
            void main() { gl_FragColor = texture2D(tex, tc); }\n";
        let image = self.image(plane)?;
        let gl = &self.gl;
        let (w, h) = (plane.width as i32, plane.height as i32);
        let mut out = vec![0u8; (w * h * 4) as usize];
        // SAFETY: the context is current; every object made here is this context's and deleted
        // before return; the image lives until the end of the function; `out` holds w*h RGBA8.
        unsafe {
            let src = gl.create_texture().map_err(Error::GlCreate)?;
            gl.bind_texture(glow::TEXTURE_2D, Some(src));
            (self.target_texture)(glow::TEXTURE_2D, image.image);
            self.check("glEGLImageTargetTexture2DOES")?;
            for (p, v) in [
                (glow::TEXTURE_MIN_FILTER, glow::NEAREST),
                (glow::TEXTURE_MAG_FILTER, glow::NEAREST),
                (glow::TEXTURE_WRAP_S, glow::CLAMP_TO_EDGE),
                (glow::TEXTURE_WRAP_T, glow::CLAMP_TO_EDGE),
            ] {
                gl.tex_parameter_i32(glow::TEXTURE_2D, p, v as i32);
            }
            let dst = gl.create_texture().map_err(Error::GlCreate)?;
            gl.bind_texture(glow::TEXTURE_2D, Some(dst));
            gl.tex_image_2d(
                glow::TEXTURE_2D,
                0,
                glow::RGBA as i32,
                w,
                h,
                0,
                glow::RGBA,
                glow::UNSIGNED_BYTE,
                glow::PixelUnpackData::Slice(None),
            );
            let fb = self.framebuffer("glCheckFramebufferStatus (RGBA texture)", |gl| {
                gl.framebuffer_texture_2d(
                    glow::FRAMEBUFFER,
                    glow::COLOR_ATTACHMENT0,
                    glow::TEXTURE_2D,
                    Some(dst),
                    0,
                )
            })?;
            let program = self.program(VS, FS)?;
            gl.use_program(Some(program));
            gl.active_texture(glow::TEXTURE0);
            gl.bind_texture(glow::TEXTURE_2D, Some(src));
            gl.uniform_1_i32(gl.get_uniform_location(program, "tex").as_ref(), 0);
            let quad: [f32; 8] = [-1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 1.0, 1.0];
            let bytes: Vec<u8> = quad.iter().flat_map(|f| f.to_le_bytes()).collect();
            let vb = gl.create_buffer().map_err(Error::GlCreate)?;
            gl.bind_buffer(glow::ARRAY_BUFFER, Some(vb));
            gl.buffer_data_u8_slice(glow::ARRAY_BUFFER, &bytes, glow::STATIC_DRAW);
            let pos = gl
                .get_attrib_location(program, "pos")
                .ok_or(Error::Missing("attribute pos"))?;
            gl.enable_vertex_attrib_array(pos);
            gl.vertex_attrib_pointer_f32(pos, 2, glow::FLOAT, false, 8, 0);
            gl.viewport(0, 0, w, h);
            gl.draw_arrays(glow::TRIANGLE_STRIP, 0, 4);
            gl.read_pixels(
                0,
                0,
                w,
                h,
                glow::RGBA,
                glow::UNSIGNED_BYTE,
                glow::PixelPackData::Slice(Some(&mut out)),
            );
            self.check("sampling the EGLImage")?;
            gl.disable_vertex_attrib_array(pos);
            gl.bind_buffer(glow::ARRAY_BUFFER, None);
            gl.delete_buffer(vb);
            gl.use_program(None);
            gl.delete_program(program);
            gl.bind_framebuffer(glow::FRAMEBUFFER, None);
            gl.delete_framebuffer(fb);
            gl.bind_texture(glow::TEXTURE_2D, None);
            gl.delete_texture(dst);
            gl.delete_texture(src);
        }
        Ok(out)
    }

    /// Makes and binds a framebuffer whose colour buffer `attach` attaches; fails naming
    /// `call` unless it is complete.
    ///
    /// # Safety
    /// The context must be current.
    unsafe fn framebuffer(
        &self,
        call: &'static str,
        attach: impl FnOnce(&glow::Context),
    ) -> Result<glow::Framebuffer> {
        let gl = &self.gl;
        let fb = gl.create_framebuffer().map_err(Error::GlCreate)?;
        gl.bind_framebuffer(glow::FRAMEBUFFER, Some(fb));
        attach(gl);
        match gl.check_framebuffer_status(glow::FRAMEBUFFER) {
            glow::FRAMEBUFFER_COMPLETE => Ok(fb),
            code => Err(Error::Gl { call, code }),
        }
    }

    /// Compiles and links a GLSL ES 1.00 program.
    ///
    /// # Safety
    /// The context must be current.
    unsafe fn program(&self, vs: &str, fs: &str) -> Result<glow::Program> {
        let gl = &self.gl;
        let program = gl.create_program().map_err(Error::GlCreate)?;
        for (kind, text) in [(glow::VERTEX_SHADER, vs), (glow::FRAGMENT_SHADER, fs)] {
            let s = gl.create_shader(kind).map_err(Error::GlCreate)?;
            gl.shader_source(s, text);
            gl.compile_shader(s);
            if !gl.get_shader_compile_status(s) {
                return Err(Error::Shader(gl.get_shader_info_log(s)));
            }
            gl.attach_shader(program, s);
            gl.delete_shader(s);
        }
        gl.link_program(program);
        if !gl.get_program_link_status(program) {
            return Err(Error::Shader(gl.get_program_info_log(program)));
        }
        Ok(program)
    }
}

impl Drop for Mesa {
    fn drop(&mut self) {
        let _ = self.egl.make_current(self.display, None, None, None);
        let _ = self.egl.destroy_context(self.display, self.context);
        let _ = self.egl.terminate(self.display);
    }
}

/// An EGLImage, destroyed when dropped.
struct Image<'a> {
    mesa: &'a Mesa,
    image: egl::EGLImage,
}

impl Drop for Image<'_> {
    fn drop(&mut self) {
        // SAFETY: the image was made on this display and is destroyed once.
        unsafe { (self.mesa.destroy_image)(self.mesa.display.as_ptr(), self.image) };
    }
}
