//! `virgl-gbm-interop`: our virgl driver and Debian's Mesa sharing buffers on one virtio-gpu,
//! both ways, through gbm and PRIME. Each driver opens the render node itself, so each is its
//! own virgl context on the host, and a buffer crosses between them only as a dma-buf.
//!
//! - `gbm_mesa_renders_ours_reads`: Mesa renders four coloured quadrants into a gbm buffer
//!   object (through an EGLImage of its dma-buf); our driver imports the dma-buf
//!   (`DRM_IOCTL_PRIME_FD_TO_HANDLE`), finds its host resource (`RESOURCE_INFO`) and reads every
//!   pixel back with a transfer from the host.
//! - `gbm_ours_renders_mesa_samples`: our driver draws the quadrants into a resource and
//!   exports it (`DRM_IOCTL_PRIME_HANDLE_TO_FD`); Mesa imports the dma-buf through
//!   `EGL_EXT_image_dma_buf_import`, samples it over a framebuffer and reads every pixel back.
//!
//! One JSON object per case on standard output, as `virgl-conform --format json` writes them,
//! after a `GL_RENDERER: NAME` line for Mesa's context.

use std::os::fd::AsFd;
use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use virgl_guest::conform::scene::{self, quad};
use virgl_guest::conform::DynTransport;
use virgl_guest::virtgpu::VirtioGpu;
use virgl_guest::{Context, ResourceDesc};
use virgl_proto::ccmd::Box3;
use virgl_proto::format::Format;
use virgl_proto::pipe::bind;
use virgl_proto::pipe::PrimMode;

mod mesa;

use mesa::{Mesa, Plane, FOURCC_ARGB8888};

/// What can go wrong on either side, named with the call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error("loading libEGL.so.1: {0}")]
    Load(String),
    #[error("{call}: {error}")]
    Egl {
        call: &'static str,
        error: khronos_egl::Error,
    },
    #[error("{0} is not offered")]
    Missing(&'static str),
    #[error("{call}: GL error {code:#06x}")]
    Gl { call: &'static str, code: u32 },
    #[error("creating a GL object: {0}")]
    GlCreate(String),
    #[error("GLSL: {0}")]
    Shader(String),
    #[error("gbm: {0}")]
    Gbm(String),
    #[error("our driver: {0}")]
    Guest(#[from] virgl_guest::Error),
}

/// Shorthand for this program's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Parser)]
#[command(about = "Our virgl driver and Mesa's sharing buffers through gbm and PRIME")]
struct Args {
    /// The virtio-gpu render node both drivers open.
    #[arg(long, default_value = "/dev/dri/renderD128")]
    device: PathBuf,
}

/// The shared buffers' size.
const SIZE: u32 = 64;
/// The picture both sides draw: quadrants by buffer row (row 0 first in memory) and column.
const QUADRANTS: [[[u8; 4]; 2]; 2] = [
    [[255, 0, 0, 255], [0, 255, 0, 255]],
    [[0, 0, 255, 255], [255, 255, 0, 255]],
];

/// The RGBA colour at column `x` of buffer row `y`.
fn expected(x: u32, y: u32) -> [u8; 4] {
    QUADRANTS[(y >= SIZE / 2) as usize][(x >= SIZE / 2) as usize]
}

fn float(c: [u8; 4]) -> [f32; 4] {
    c.map(|v| f32::from(v) / 255.0)
}

/// The buffers' shape as our driver sees them: Mesa's `ARGB8888` is virgl's `B8G8R8A8_UNORM`.
fn desc() -> ResourceDesc {
    ResourceDesc::texture_2d(
        Format::B8G8R8A8_UNORM,
        SIZE,
        SIZE,
        bind::RENDER_TARGET | bind::SAMPLER_VIEW | bind::SHARED,
    )
}

fn our_context(device: &std::path::Path) -> Result<Context<DynTransport>> {
    let gpu = VirtioGpu::open(Some(device))?;
    Ok(Context::new(Box::new(gpu) as DynTransport)?)
}

/// A verdict on a read-back: `None` when every pixel is the picture.
fn judge(rgba: &[u8]) -> Option<String> {
    scene::mismatch(rgba, SIZE, SIZE, expected)
}

fn mesa_renders_ours_reads(args: &Args, mesa: &Mesa) -> Result<(bool, String)> {
    let bo = mesa
        .gbm
        .create_buffer_object::<()>(
            SIZE,
            SIZE,
            gbm::Format::Argb8888,
            gbm::BufferObjectFlags::RENDERING,
        )
        .map_err(|e| Error::Io("gbm_bo_create(64x64 ARGB8888, RENDERING)".into(), e))?;
    let fd = bo
        .fd()
        .map_err(|e| Error::Gbm(format!("gbm_bo_get_fd: {e}")))?;
    let pitch = bo.stride();
    let plane = Plane {
        fd: fd.as_fd(),
        width: SIZE,
        height: SIZE,
        fourcc: FOURCC_ARGB8888,
        pitch,
    };
    let half = (SIZE / 2) as i32;
    let rects: Vec<(i32, i32, i32, i32, [f32; 4])> = (0..4)
        .map(|i| {
            let (x, y) = ((i % 2) as u32 * SIZE / 2, (i / 2) as u32 * SIZE / 2);
            (x as i32, y as i32, half, half, float(expected(x, y)))
        })
        .collect();
    mesa.render_into(&plane, &rects)?;

    let mut ctx = our_context(&args.device)?;
    if pitch != SIZE * 4 {
        return Ok((
            false,
            format!(
                "gbm gave the bo stride {pitch}; our driver's transfers take the packed {}",
                SIZE * 4
            ),
        ));
    }
    let res = ctx.import_resource(fd.as_fd(), &desc())?;
    let mut rgba = ctx.download(&res, Box3::new_2d(0, 0, SIZE, SIZE))?;
    scene::bgra_to_rgba(&mut rgba);
    let what = format!(
        "Mesa ({}) cleared four quadrants of a {SIZE}x{SIZE} ARGB8888 gbm bo (stride {pitch}); \
         our driver imported its dma-buf as resource {} and read it back",
        mesa.renderer(),
        res.id().0
    );
    Ok(match judge(&rgba) {
        None => (true, format!("{what}: all {} pixels as drawn", SIZE * SIZE)),
        Some(m) => (false, format!("{what}: {m}")),
    })
}

fn ours_renders_mesa_samples(args: &Args, mesa: &Mesa) -> Result<(bool, String)> {
    let mut ctx = our_context(&args.device)?;
    let t = scene::target(&mut ctx, SIZE, SIZE, None)?;
    let (blend, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(&mut ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    // Gallium's viewport puts NDC y = -1 on buffer row 0.
    let mut buffers = Vec::new();
    for (row, x0, y0) in [
        (0, -1.0, -1.0),
        (0, 0.0, -1.0),
        (1, -1.0, 0.0),
        (1, 0.0, 0.0),
    ] {
        let col = usize::from(x0 == 0.0);
        let q = quad(x0, y0, x0 + 1.0, y0 + 1.0, 0.0, float(QUADRANTS[row][col]));
        buffers.push(scene::draw(&mut ctx, &q, PrimMode::TriangleStrip)?);
    }
    let ours_ok = judge(&scene::read_rgba(&mut ctx, &t)?).is_none();
    let fd = ctx.export_resource(&t.tex)?;
    // Its own export comes back as the same GEM handle: refused, not a second resource on it.
    let own = match ctx.import_resource(fd.as_fd(), &desc()) {
        Err(virgl_guest::Error::InvalidArgument { detail, .. }) => detail,
        Err(e) => return Ok((false, format!("importing our own export back: {e}"))),
        Ok(r) => {
            return Ok((
                false,
                format!("importing our own export back made resource {}", r.id().0),
            ))
        }
    };
    let rgba = mesa.sample(&Plane {
        fd: fd.as_fd(),
        width: SIZE,
        height: SIZE,
        fourcc: FOURCC_ARGB8888,
        pitch: SIZE * 4,
    })?;
    let what = format!(
        "our driver drew four quadrants into resource {} ({SIZE}x{SIZE} B8G8R8A8_UNORM) and \
         exported it; Mesa ({}) sampled its dma-buf as ARGB8888",
        t.tex.id().0,
        mesa.renderer()
    );
    Ok(match (judge(&rgba), ours_ok) {
        (None, _) => (
            true,
            format!(
                "{what}: all {} pixels as drawn; importing our own export back is refused ({own})",
                SIZE * SIZE
            ),
        ),
        (Some(m), true) => (false, format!("{what}: {m} (our own read-back is right)")),
        (Some(m), false) => (
            false,
            format!("{what}: {m}, and our own read-back is wrong too"),
        ),
    })
}

type Case = fn(&Args, &Mesa) -> Result<(bool, String)>;

const CASES: &[(&str, Case)] = &[
    ("gbm_mesa_renders_ours_reads", mesa_renders_ours_reads),
    ("gbm_ours_renders_mesa_samples", ours_renders_mesa_samples),
];

fn print_row(case: &str, result: &str, detail: &str, ms: f64) {
    println!(
        "{}",
        serde_json::json!({"case": case, "result": result, "detail": detail, "ms": ms})
    );
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let t = Instant::now();
    let mesa = match Mesa::open(&args.device) {
        Ok(m) => m,
        Err(e) => {
            let why = format!("Mesa's EGL on GBM ({}): {e}", args.device.display());
            for (case, _) in CASES {
                print_row(case, "fail", &why, t.elapsed().as_secs_f64() * 1e3);
            }
            return std::process::ExitCode::FAILURE;
        }
    };
    // For the mesa suite's eglinfo row: Debian 12's eglinfo prints no GL strings.
    println!("GL_RENDERER: {}", mesa.renderer());
    let mut failed = false;
    for (case, run) in CASES {
        let t = Instant::now();
        let (result, detail) = match run(&args, &mesa) {
            Ok((true, d)) => ("pass", d),
            Ok((false, d)) => ("fail", d),
            Err(e) => ("fail", e.to_string()),
        };
        failed |= result == "fail";
        print_row(case, result, &detail, t.elapsed().as_secs_f64() * 1e3);
    }
    if failed {
        std::process::ExitCode::FAILURE
    } else {
        std::process::ExitCode::SUCCESS
    }
}
