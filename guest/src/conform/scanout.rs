//! Display scanout: render with virgl into a scanout resource and put it on a CRTC with KMS.
//!
//! Under `cargo xtask vm-test` the init sets `VIRGL_SCANOUT_HANDSHAKE=1`: the case then asks the
//! host on the console to take a QMP screendump while the image is displayed, and waits for its
//! acknowledgement on standard input (the same console).

use std::io::Write;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::Duration;

use drm::buffer::{Buffer, DrmFourcc, Handle as BufferHandle};
use drm::control::{connector, Device as ControlDevice};
use virgl_proto::ccmd::{Box3, Clear};
use virgl_proto::format::Format;
use virgl_proto::pipe::{bind, ClearBuffers, PrimMode};

use super::scene::{self, pixel, quad};
use super::{Env, Outcome};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::transport::ResourceDesc;
use crate::virtgpu::{find_card_node, VirtioGpu};

/// The console line that asks the host for a screendump; the host parses it.
pub const SCREENDUMP_REQUEST: &str = "@@VIRGL screendump";

/// Quadrant colours of the virgl-rendered image: top-left, top-right, bottom-left,
/// bottom-right (RGBA8).
pub const QUADRANTS: [[u8; 4]; 4] = [
    [255, 0, 0, 255],
    [0, 255, 0, 255],
    [0, 0, 255, 255],
    [255, 255, 255, 255],
];

/// Quadrant colours of the dumb-buffer image: different from [`QUADRANTS`], so the host cannot
/// mistake one picture for the other.
pub const DUMB_QUADRANTS: [[u8; 4]; 4] = [
    [0, 255, 255, 255],
    [255, 0, 255, 255],
    [255, 255, 0, 255],
    [128, 128, 128, 255],
];

/// `RRGGBB,RRGGBB,RRGGBB,RRGGBB`: the quadrants as the screendump request names them.
fn hex_quadrants(q: &[[u8; 4]; 4]) -> String {
    q.iter()
        .map(|c| format!("{:02x}{:02x}{:02x}", c[0], c[1], c[2]))
        .collect::<Vec<_>>()
        .join(",")
}

/// A duplicate of the context's DRM fd: the same open file, so GEM handles are shared.
struct Kms(OwnedFd);

impl AsFd for Kms {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}
impl drm::Device for Kms {}
impl ControlDevice for Kms {}

struct ScanoutBuffer {
    size: (u32, u32),
    pitch: u32,
    handle: BufferHandle,
}

impl Buffer for ScanoutBuffer {
    fn size(&self) -> (u32, u32) {
        self.size
    }
    fn format(&self) -> DrmFourcc {
        DrmFourcc::Xrgb8888
    }
    fn pitch(&self) -> u32 {
        self.pitch
    }
    fn handle(&self) -> BufferHandle {
        self.handle
    }
}

fn kms_err(call: &'static str) -> impl Fn(std::io::Error) -> Error {
    move |e| Error::Os {
        call,
        errno: crate::error::errno_of(&e),
    }
}

fn wait_for_ack(timeout: Duration) -> Result<Option<String>> {
    let stdin = std::io::stdin();
    if !crate::sys::poll_readable(stdin.as_fd(), timeout, "poll console for the host's reply")? {
        return Ok(None);
    }
    let mut line = String::new();
    stdin
        .read_line(&mut line)
        .map_err(|e| Error::io("read console", e))?;
    Ok(Some(line.trim().to_string()))
}

pub fn kms_scanout(env: &mut Env<'_>) -> Result<Outcome> {
    if env.ctx.transport().drm_fd().is_none() {
        return Ok(Outcome::skip("not a virtio-gpu transport (no KMS)"));
    }
    let card = match find_card_node() {
        Ok(c) => c,
        Err(e) => return Ok(Outcome::skip(format!("no virtio-gpu primary node: {e}"))),
    };
    let mut ctx = Context::new(Box::new(VirtioGpu::open(Some(&card))?) as super::DynTransport)?;
    let fd = ctx.transport().drm_fd().expect("virtio-gpu has a DRM fd");
    let kms = Kms(fd
        .try_clone_to_owned()
        .map_err(|e| Error::io("dup DRM fd", e))?);
    let res = kms
        .resource_handles()
        .map_err(kms_err("DRM_IOCTL_MODE_GETRESOURCES"))?;
    let mut chosen = None;
    for &c in res.connectors() {
        let info = kms
            .get_connector(c, true)
            .map_err(kms_err("DRM_IOCTL_MODE_GETCONNECTOR"))?;
        if info.state() == connector::State::Connected && !info.modes().is_empty() {
            chosen = Some(info);
            break;
        }
    }
    let Some(conn) = chosen else {
        return Ok(Outcome::skip("no connected connector with modes"));
    };
    let mode = conn.modes()[0];
    let crtc = *res
        .crtcs()
        .first()
        .ok_or_else(|| Error::NoDevice("no CRTC".into()))?;
    let (w, h) = (u32::from(mode.size().0), u32::from(mode.size().1));

    // Render: white background, red/green/blue quads in three quadrants.
    let format = Format::B8G8R8A8_UNORM;
    let tex = ctx.create_resource(&ResourceDesc::texture_2d(
        format,
        w,
        h,
        bind::RENDER_TARGET | bind::SAMPLER_VIEW | bind::SCANOUT,
    ))?;
    let surf = ctx.create_surface(&tex, format)?;
    ctx.set_framebuffer(&[&surf], None)?;
    ctx.set_viewport(virgl_proto::ccmd::Viewport::for_size(w, h))?;
    let (blend, dsa, rast) = scene::default_states();
    let _p = scene::pipeline(&mut ctx, &scene::fs_color(), &blend, &dsa, &rast)?;
    ctx.clear(Clear::color(ClearBuffers::COLOR0, [1.0; 4]))?;
    let c = |q: [u8; 4]| q.map(|v| f32::from(v) / 255.0);
    // Quadrants in image rows (row 0 first); read-back rows run the same way as the scanout.
    let quads = [
        quad(-1.0, -1.0, 0.0, 0.0, 0.0, c(QUADRANTS[0])),
        quad(0.0, -1.0, 1.0, 0.0, 0.0, c(QUADRANTS[1])),
        quad(-1.0, 0.0, 0.0, 1.0, 0.0, c(QUADRANTS[2])),
    ];
    let mut vbs = Vec::new();
    for q in &quads {
        vbs.push(scene::draw(&mut ctx, q, PrimMode::TriangleStrip)?);
    }
    ctx.finish()?;
    let mut rgba = ctx.download(&tex, Box3::new_2d(0, 0, w, h))?;
    scene::bgra_to_rgba(&mut rgba);
    let samples = [
        (w / 4, h / 4),
        (3 * w / 4, h / 4),
        (w / 4, 3 * h / 4),
        (3 * w / 4, 3 * h / 4),
    ]
    .map(|(x, y)| pixel(&rgba, w, x, y));
    let flipped = [samples[2], samples[3], samples[0], samples[1]];
    if samples != QUADRANTS && flipped != QUADRANTS {
        return Ok(Outcome::fail(format!(
            "rendered quadrants {samples:?}, expected {QUADRANTS:?}"
        )));
    }
    env.image("kms_scanout", w, h, rgba);

    // Scan it out.
    let handle = ctx
        .transport()
        .gem_handle(tex.id())
        .and_then(std::num::NonZeroU32::new)
        .ok_or_else(|| Error::NoDevice("scanout resource has no GEM handle".into()))?;
    let buffer = ScanoutBuffer {
        size: (w, h),
        pitch: w * 4,
        handle: BufferHandle::from(handle),
    };
    let shown = show(
        &kms,
        crtc,
        conn.handle(),
        mode,
        &buffer,
        "kms_scanout",
        &QUADRANTS,
    );
    drop(vbs);
    let virgl_host = match shown? {
        Ok(host) => host,
        Err(fail) => return Ok(fail),
    };

    // The same picture through a CPU-written dumb buffer (a 2D resource on the host).
    let mut dumb = kms
        .create_dumb_buffer((w, h), DrmFourcc::Xrgb8888, 32)
        .map_err(kms_err("DRM_IOCTL_MODE_CREATE_DUMB"))?;
    let pitch = dumb.pitch() as usize;
    {
        let mut map = kms
            .map_dumb_buffer(&mut dumb)
            .map_err(kms_err("DRM_IOCTL_MODE_MAP_DUMB"))?;
        for y in 0..h as usize {
            for x in 0..w as usize {
                let q = DUMB_QUADRANTS
                    [usize::from(y >= h as usize / 2) * 2 + usize::from(x >= w as usize / 2)];
                let i = y * pitch + x * 4;
                map[i..i + 4].copy_from_slice(&[q[2], q[1], q[0], 0xff]);
            }
        }
    }
    let shown = show(
        &kms,
        crtc,
        conn.handle(),
        mode,
        &dumb,
        "kms_dumb",
        &DUMB_QUADRANTS,
    );
    let _ = kms.destroy_dumb_buffer(dumb);
    let dumb_host = match shown? {
        Ok(host) => host,
        Err(fail) => return Ok(fail),
    };
    Ok(Outcome::pass(format!(
        "rendered {w}x{h} BGRA8 with virgl (white, red/green/blue quadrants verified by read-back) and scanned it out: \
         XRGB8888 framebuffer on CRTC {crtc:?} via connector {:?} in mode {w}x{h}, GETCRTC reports it{virgl_host}; \
         a CPU-filled dumb buffer with cyan/magenta/yellow/grey quadrants scanned out too{dumb_host}",
        conn.handle()
    )))
}

/// Adds a framebuffer for `buffer`, puts it on the CRTC, checks GETCRTC, (under vm-test) asks
/// the host to look at the display, and removes the framebuffer. `Ok(Err(outcome))` is a
/// failed check.
fn show(
    kms: &Kms,
    crtc: drm::control::crtc::Handle,
    conn: connector::Handle,
    mode: drm::control::Mode,
    buffer: &impl Buffer,
    name: &str,
    quadrants: &[[u8; 4]; 4],
) -> Result<std::result::Result<String, Outcome>> {
    let fb = kms
        .add_framebuffer(buffer, 24, 32)
        .map_err(kms_err("DRM_IOCTL_MODE_ADDFB"))?;
    let shown = show_framebuffer(kms, crtc, conn, mode, fb, name, quadrants);
    let _ = kms.destroy_framebuffer(fb);
    shown
}

fn show_framebuffer(
    kms: &Kms,
    crtc: drm::control::crtc::Handle,
    conn: connector::Handle,
    mode: drm::control::Mode,
    fb: drm::control::framebuffer::Handle,
    name: &str,
    quadrants: &[[u8; 4]; 4],
) -> Result<std::result::Result<String, Outcome>> {
    kms.set_crtc(crtc, Some(fb), (0, 0), &[conn], Some(mode))
        .map_err(kms_err("DRM_IOCTL_MODE_SETCRTC"))?;
    let info = kms
        .get_crtc(crtc)
        .map_err(kms_err("DRM_IOCTL_MODE_GETCRTC"))?;
    if info.framebuffer() != Some(fb) {
        return Ok(Err(Outcome::fail(format!(
            "{name}: CRTC shows {:?}, not our framebuffer {fb:?}",
            info.framebuffer()
        ))));
    }
    if std::env::var_os("VIRGL_SCANOUT_HANDSHAKE").is_none() {
        return Ok(Ok(String::new()));
    }
    let (w, h) = mode.size();
    let mut console = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/console")
        .map_err(|e| Error::io("open /dev/console", e))?;
    writeln!(
        console,
        "{SCREENDUMP_REQUEST} {name} {w}x{h} {}",
        hex_quadrants(quadrants)
    )
    .map_err(|e| Error::io("write /dev/console", e))?;
    // The host answers `screendump-pass` only when the display showed our colours in place.
    Ok(match wait_for_ack(Duration::from_secs(30))? {
        Some(reply) if reply == "screendump-pass" => {
            Ok(format!(" (host check while displayed: {reply})"))
        }
        Some(reply) => Err(Outcome::fail(format!(
            "{name}: the host's display check answered {reply:?}, not screendump-pass"
        ))),
        None => Err(Outcome::fail(format!(
            "{name}: host did not answer the screendump request within 30 s"
        ))),
    })
}
