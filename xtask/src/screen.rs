//! What the host display shows: checking that a guest's scanout reached the screen.
//!
//! A guest case puts a picture of four coloured quadrants on its KMS output and names the
//! colours. The host looks for them first through QMP `screendump`, then, where QEMU 7.2 has no
//! DisplaySurface for a GL scanout ("no surface"), in QEMU's GTK window on Xvfb, read from the
//! X server's root window with `GetImage` (no screenshot tool to install). Either picture must
//! show the top-left colour with the top-right one to its right and the bottom-left one below
//! it. The guest may take a moment to reach the screen, so the X check retries until a deadline.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{Error, Result};

/// An RGB picture, rows top to bottom.
#[derive(Clone)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    rgb: Vec<u8>,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Picture({}x{})", self.width, self.height)
    }
}

impl Picture {
    /// A picture from packed RGB rows; `None` if `rgb` is not `width * height * 3` bytes.
    #[cfg(test)]
    pub fn new(width: u32, height: u32, rgb: Vec<u8>) -> Option<Picture> {
        (rgb.len() as u64 == u64::from(width) * u64::from(height) * 3).then_some(Picture {
            width,
            height,
            rgb,
        })
    }

    /// The packed RGB rows.
    pub fn rgb(&self) -> &[u8] {
        &self.rgb
    }

    /// The picture as a binary PPM (P6), which [`parse_ppm`] reads.
    pub fn to_ppm(&self) -> Vec<u8> {
        let mut out = format!("P6\n{} {}\n255\n", self.width, self.height).into_bytes();
        out.extend_from_slice(&self.rgb);
        out
    }

    /// The pixel at (x, y).
    pub fn at(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
}

/// How long the X check waits for the guest's colours to appear.
const SETTLE: Duration = Duration::from_secs(10);

/// Checks that the display shows `want` (top-left, top-right, bottom-left, bottom-right).
pub fn check_display(
    qmp: &Path,
    display: u32,
    logdir: &Path,
    name: &str,
    want: Option<[[u8; 3]; 4]>,
) -> Result<String> {
    let want = want.ok_or_else(|| {
        Error::Setup(format!(
            "{name}: screendump request without quadrant colours"
        ))
    })?;
    let ppm = logdir.join(format!("{name}.ppm"));
    let qmp_err = match qmp_screendump(qmp, &ppm).and_then(|()| read_ppm(&ppm)) {
        Ok(pic) => match find_quadrants(&pic, &want) {
            Ok(d) => return Ok(format!("QMP screendump: {d}")),
            Err(e) => Error::Setup(format!("QMP screendump: {e}")),
        },
        Err(e) => e,
    };
    let deadline = Instant::now() + SETTLE;
    loop {
        let seen = x_root_picture(display).and_then(|pic| find_quadrants(&pic, &want));
        match seen {
            Ok(d) => {
                return Ok(format!(
                    "{qmp_err}; instead: X screen of QEMU's window: {d}"
                ))
            }
            Err(e) if Instant::now() >= deadline => {
                return Err(Error::Setup(format!(
                    "{qmp_err}; X screen after {} s: {e}",
                    SETTLE.as_secs()
                )))
            }
            Err(_) => {
                crate::proc::check_interrupted()?;
                std::thread::sleep(Duration::from_millis(250));
            }
        }
    }
}

/// Finds the three named colour blocks in `pic` and checks their layout: top-right to the
/// right of top-left on the same row, bottom-left below it in the same column.
pub fn find_quadrants(pic: &Picture, want: &[[u8; 3]; 4]) -> Result<String> {
    let mut found = Vec::new();
    for color in &want[..3] {
        let (mut n, mut sx, mut sy) = (0u64, 0u64, 0u64);
        for y in 0..pic.height {
            for x in 0..pic.width {
                if pic.at(x, y) == *color {
                    n += 1;
                    sx += u64::from(x);
                    sy += u64::from(y);
                }
            }
        }
        if n < 1000 {
            return Err(Error::Setup(format!(
                "{}x{} picture shows only {n} pixels of {color:?}",
                pic.width, pic.height
            )));
        }
        found.push((n, (sx / n) as i64, (sy / n) as i64));
    }
    let (tl, tr, bl) = (found[0], found[1], found[2]);
    let right_of = (tl.2 - tr.2).abs() < 20 && tr.1 > tl.1 + 20;
    let below = (tl.1 - bl.1).abs() < 20 && bl.2 > tl.2 + 20;
    if !(right_of && below) {
        return Err(Error::Setup(format!(
            "colour blocks misplaced: {:?} {tl:?}, {:?} {tr:?}, {:?} {bl:?} (pixels, x, y); \
             expected the second to the right of the first and the third below it",
            want[0], want[1], want[2]
        )));
    }
    Ok(format!(
        "{}x{}: {:?} at ({}, {}), {:?} to its right at ({}, {}), {:?} below it at ({}, {}), \
         each over {} pixels",
        pic.width,
        pic.height,
        want[0],
        tl.1,
        tl.2,
        want[1],
        tr.1,
        tr.2,
        want[2],
        bl.1,
        bl.2,
        found.iter().map(|f| f.0).min().unwrap_or(0)
    ))
}

/// Reads the whole root window of X display `:display`.
pub fn x_root_picture(display: u32) -> Result<Picture> {
    x_picture(display, None)
}

/// Reads the rectangle `(x, y, width, height)` of X display `:display`'s root window (what
/// the windows on it show there), or the whole root window.
pub fn x_picture(display: u32, rect: Option<(i16, i16, u16, u16)>) -> Result<Picture> {
    use x11rb::connection::Connection;
    use x11rb::image::{Image, PixelLayout};
    let err =
        |what: &str, e: &dyn std::fmt::Display| Error::Setup(format!("X :{display}: {what}: {e}"));
    let (conn, screen) =
        x11rb::connect(Some(&format!(":{display}"))).map_err(|e| err("connect", &e))?;
    let screen = &conn.setup().roots[screen];
    let (x0, y0, w, h) = rect.unwrap_or((0, 0, screen.width_in_pixels, screen.height_in_pixels));
    let (image, visual_id) =
        Image::get(&conn, screen.root, x0, y0, w, h).map_err(|e| err("GetImage", &e))?;
    let visual = screen
        .allowed_depths
        .iter()
        .flat_map(|d| &d.visuals)
        .find(|v| v.visual_id == visual_id)
        .ok_or_else(|| {
            Error::Setup(format!(
                "X :{display}: root visual {visual_id:#x} not listed"
            ))
        })?;
    let layout = PixelLayout::from_visual_type(*visual).map_err(|e| err("visual", &e))?;
    let mut rgb = Vec::with_capacity(usize::from(w) * usize::from(h) * 3);
    for y in 0..h {
        for x in 0..w {
            let (r, g, b) = layout.decode(image.get_pixel(x, y));
            rgb.extend([r, g, b].map(|c| (c >> 8) as u8));
        }
    }
    Ok(Picture {
        width: w.into(),
        height: h.into(),
        rgb,
    })
}

/// Asks QEMU over QMP to write the display to `out` as PPM.
fn qmp_screendump(sock: &Path, out: &Path) -> Result<()> {
    use std::os::unix::net::UnixStream;
    let err = |what: &str, e: &dyn std::fmt::Display| Error::Setup(format!("QMP {what}: {e}"));
    let stream = UnixStream::connect(sock).map_err(|e| err("connect", &e))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .map_err(|e| err("timeout", &e))?;
    let mut reader = BufReader::new(stream.try_clone().map_err(|e| err("clone", &e))?);
    let mut writer = stream;
    let mut read_reply = |what: &str| -> Result<Value> {
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).map_err(|e| err(what, &e))? == 0 {
                return Err(Error::Setup(format!("QMP {what}: connection closed")));
            }
            let v: Value = serde_json::from_str(&line).map_err(|e| err(what, &e))?;
            if v.get("return").is_some() || v.get("QMP").is_some() {
                return Ok(v);
            }
            if let Some(e) = v.get("error") {
                return Err(Error::Setup(format!("QMP {what}: {e}")));
            }
            // Asynchronous events: keep reading.
        }
    };
    read_reply("greeting")?;
    let mut send = |cmd: Value, what: &str| -> Result<Value> {
        writeln!(writer, "{cmd}").map_err(|e| err(what, &e))?;
        read_reply(what)
    };
    send(
        serde_json::json!({"execute": "qmp_capabilities"}),
        "qmp_capabilities",
    )?;
    let _ = std::fs::remove_file(out);
    send(
        serde_json::json!({"execute": "screendump", "arguments": {"filename": out.display().to_string()}}),
        "screendump",
    )?;
    Ok(())
}

fn read_ppm(path: &Path) -> Result<Picture> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::Setup(format!("{}: {e}", path.display())))?;
    parse_ppm(&bytes).ok_or_else(|| Error::Setup(format!("{}: not a P6 PPM", path.display())))
}

/// Parses a binary PPM (P6, maxval 255).
pub fn parse_ppm(bytes: &[u8]) -> Option<Picture> {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        if *bytes.get(i)? == b'#' {
            while *bytes.get(i)? != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while !bytes.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        fields.push(std::str::from_utf8(&bytes[start..i]).ok()?);
    }
    let (width, height): (u32, u32) = (fields[1].parse().ok()?, fields[2].parse().ok()?);
    let len = (width as usize)
        .checked_mul(height as usize)?
        .checked_mul(3)?;
    let data = bytes.get(i + 1..)?.get(..len)?;
    (fields[0] == "P6" && fields[3] == "255").then(|| Picture {
        width,
        height,
        rgb: data.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RED: [u8; 3] = [255, 0, 0];
    const GREEN: [u8; 3] = [0, 255, 0];
    const BLUE: [u8; 3] = [0, 0, 255];
    const GREY: [u8; 3] = [128, 128, 128];

    /// A 200x100 PPM with the four quadrant colours in the given order.
    fn ppm(q: [[u8; 3]; 4]) -> Vec<u8> {
        let mut b = b"P6\n# test\n200 100\n255\n".to_vec();
        for y in 0..100 {
            for x in 0..200 {
                b.extend(q[usize::from(y >= 50) * 2 + usize::from(x >= 100)]);
            }
        }
        b
    }

    #[test]
    fn quadrants_in_their_places_pass() {
        let pic = parse_ppm(&ppm([RED, GREEN, BLUE, GREY])).unwrap();
        assert_eq!((pic.width, pic.height), (200, 100));
        assert_eq!(pic.at(150, 75), GREY);
        let d = find_quadrants(&pic, &[RED, GREEN, BLUE, GREY]).unwrap();
        assert!(d.contains("at (49, 24)"), "{d}");
    }

    #[test]
    fn flipped_or_mirrored_pictures_fail() {
        let want = [RED, GREEN, BLUE, GREY];
        for (how, q) in [
            ("rows reversed", [BLUE, GREY, RED, GREEN]),
            ("mirrored", [GREEN, RED, GREY, BLUE]),
        ] {
            let pic = parse_ppm(&ppm(q)).unwrap();
            let e = find_quadrants(&pic, &want).unwrap_err().to_string();
            assert!(e.contains("misplaced"), "{how}: {e}");
        }
    }

    #[test]
    fn a_missing_colour_fails_naming_it() {
        let pic = parse_ppm(&ppm([RED, GREEN, GREY, GREY])).unwrap();
        let e = find_quadrants(&pic, &[RED, GREEN, BLUE, GREY]).unwrap_err();
        assert!(e.to_string().contains("0 pixels of [0, 0, 255]"), "{e}");
    }

    #[test]
    fn truncated_or_foreign_ppm_is_rejected() {
        let mut b = ppm([RED, GREEN, BLUE, GREY]);
        b.truncate(b.len() - 1);
        assert!(parse_ppm(&b).is_none());
        assert!(parse_ppm(b"P3\n1 1\n255\n0 0 0\n").is_none());
    }
}
