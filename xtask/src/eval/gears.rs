//! glxgears and es2gears under Xvfb, compared pixel by pixel.
//!
//! Gears animate by wall-clock time (`angle += 70 * dt`, dt from `gettimeofday`), so each demo
//! runs under `faketime` with the wall clock frozen: every frame then shows the gears at angle
//! 0, whatever the frame rate, and the two servers' pictures compare pixel by pixel. The
//! monotonic clock keeps running (`FAKETIME_DONT_FAKE_MONOTONIC=1`) for Mesa's own waits.
//! After a few seconds the window's rectangle is read twice, half a second apart; the grabs
//! must be equal (the clock is frozen), show something (at least [`MIN_LIT`] of the pixels
//! not background), and the server must have logged no context error. Ours then matches when
//! it is within [`TOLERANCE`] of virglrenderer's picture.

use std::ffi::OsString;
use std::time::Duration;

use super::pair::{Client, End, Rect, Run};
use super::report::{Cell, Group, Row};
use crate::screen::Picture;

/// How close two pictures must be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerance {
    /// A pixel matches when no channel differs by more than this.
    pub max_channel_diff: u8,
    /// The share of pixels that must match.
    pub min_fraction: f64,
}

/// Ours matches virglrenderer when at least 99.5% of the pixels are within 8 of its picture
/// in every channel. Both rasterise with the same llvmpipe, and virglrenderer against itself
/// gives identical pictures (largest difference 0). The slack admits a different but valid
/// shader translation (rounding in the lighting: a few units per channel) and a few hundred
/// edge pixels that rasterise differently. It rejects what glxgears against es2gears_x11
/// shows, the same scene lit by fixed function and by GLSL: 98.9% within 8, largest
/// difference 69; a wrong colour, missing lighting, a flipped or shifted picture or a missing
/// gear changes far more.
pub const TOLERANCE: Tolerance = Tolerance {
    max_channel_diff: 8,
    min_fraction: 0.995,
};

/// The share of pixels that must differ from the background for a picture to count as drawn
/// (the three gears cover about a third of the window).
pub const MIN_LIT: f64 = 0.05;

/// Where the demos' windows are: top left, at their default size.
pub const WINDOW: Rect = Rect {
    x: 0,
    y: 0,
    width: 300,
    height: 300,
};

/// How two pictures compare.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diff {
    /// Pixels within the tolerance's channel difference.
    pub within: u64,
    pub total: u64,
    /// The largest channel difference seen.
    pub max_diff: u8,
}

impl Diff {
    /// The share of pixels within the channel difference.
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.within as f64 / self.total as f64
        }
    }

    /// Whether enough pixels are within the channel difference.
    pub fn passes(&self, tol: Tolerance) -> bool {
        self.total > 0 && self.fraction() >= tol.min_fraction
    }
}

/// Compares `a` and `b` pixel by pixel; `None` when their sizes differ.
pub fn compare(a: &Picture, b: &Picture, tol: Tolerance) -> Option<Diff> {
    if (a.width, a.height) != (b.width, b.height) {
        return None;
    }
    let mut d = Diff {
        within: 0,
        total: 0,
        max_diff: 0,
    };
    for (p, q) in a.rgb().chunks_exact(3).zip(b.rgb().chunks_exact(3)) {
        let m = (0..3).map(|i| p[i].abs_diff(q[i])).max().unwrap_or(0);
        d.max_diff = d.max_diff.max(m);
        d.total += 1;
        d.within += u64::from(m <= tol.max_channel_diff);
    }
    Some(d)
}

/// The share of pixels brighter than the black background.
pub fn lit_fraction(p: &Picture) -> f64 {
    let total = p.rgb().len() / 3;
    if total == 0 {
        return 0.0;
    }
    let lit = p
        .rgb()
        .chunks_exact(3)
        .filter(|px| px.iter().any(|c| *c > 16))
        .count();
    lit as f64 / total as f64
}

/// The demos: name and command (each under `faketime`, in [`WINDOW`]).
pub fn demos() -> Vec<(&'static str, Vec<OsString>)> {
    let frozen = |argv: &[&str]| -> Vec<OsString> {
        ["faketime", "-f", "2000-01-01 00:00:00"]
            .iter()
            .chain(argv)
            .map(OsString::from)
            .collect()
    };
    let geometry = WINDOW.to_string();
    vec![
        ("glxgears", frozen(&["glxgears", "-geometry", &geometry])),
        // eglut puts its 300x300 window at (0, 0) and takes no geometry.
        ("es2gears_x11", frozen(&["es2gears_x11"])),
    ]
}

/// The client for one demo: stopped and read after `secs`.
pub fn client(argv: Vec<OsString>, display: u32, secs: f64) -> Client {
    Client {
        argv,
        env: vec![("FAKETIME_DONT_FAKE_MONOTONIC".into(), "1".into())],
        display: Some(display),
        timeout: Duration::from_secs_f64(secs),
        stop_after: Some(Duration::from_secs_f64(secs)),
        grab: Some(WINDOW),
    }
}

/// Checks one server's run on its own: the first grab, or why it is unusable.
fn own_check(run: &Run) -> Result<&Picture, String> {
    match &run.end {
        End::Stopped => {}
        End::NotRun(why) => return Err(why.clone()),
        end => {
            return Err(format!(
                "the demo ended before it was read ({end}): {}",
                super::pair::tail(&run.output, 2)
            ))
        }
    }
    if let Some(s) = &run.server_exit {
        return Err(format!("the server ended during the demo: {s}"));
    }
    let errors = run.context_errors();
    if let Some(first) = errors.first() {
        return Err(format!(
            "the server logged {} context error(s): {first}",
            errors.len()
        ));
    }
    let [a, b] = run.grabs.as_slice() else {
        return Err(format!(
            "no picture: {}",
            run.grab_error.as_deref().unwrap_or("grabs missing")
        ));
    };
    let lit = lit_fraction(a);
    if lit < MIN_LIT {
        return Err(format!(
            "the window is blank: {:.1}% of the pixels lit (need {:.0}%)",
            lit * 100.0,
            MIN_LIT * 100.0
        ));
    }
    let exact = Tolerance {
        max_channel_diff: 0,
        min_fraction: 1.0,
    };
    match compare(a, b, exact) {
        Some(d) if d.passes(exact) => Ok(a),
        Some(d) => Err(format!(
            "the picture still moves: {} of {} pixels changed in 0.5 s",
            d.total - d.within,
            d.total
        )),
        None => Err("the grabs differ in size".into()),
    }
}

/// The row for one demo: virglrenderer's cell (the first run's) says whether its picture is
/// usable, each other server's whether its picture matches that one within [`TOLERANCE`].
pub fn row(name: &str, runs: &[&Run]) -> Row {
    let secs = |r: &Run| (!matches!(r.end, End::NotRun(_))).then_some(r.secs);
    let theirs = own_check(runs[0]);
    let fail = |word: &str, detail: String, run: &Run| Cell {
        secs: secs(run),
        detail,
        ..Cell::new(word, false)
    };
    let word = |run: &Run| match &run.end {
        End::NotRun(why) => why.clone(),
        _ => "fail".into(),
    };
    let theirs_cell = match &theirs {
        Ok(p) => Cell {
            secs: secs(runs[0]),
            detail: format!("{:.1}% lit", lit_fraction(p) * 100.0),
            ..Cell::new("ok", true)
        },
        Err(e) => fail(&word(runs[0]), e.clone(), runs[0]),
    };
    let other_cell = |run: &Run| match (&theirs, own_check(run)) {
        (_, Err(e)) => fail(&word(run), e, run),
        (Err(_), Ok(_)) => fail(
            "no baseline",
            "virglrenderer's picture is unusable".into(),
            run,
        ),
        (Ok(a), Ok(b)) => match compare(a, b, TOLERANCE) {
            Some(d) => {
                let detail = format!(
                    "{:.2}% of pixels within {} (need {:.1}%), max difference {}",
                    d.fraction() * 100.0,
                    TOLERANCE.max_channel_diff,
                    TOLERANCE.min_fraction * 100.0,
                    d.max_diff
                );
                Cell {
                    secs: secs(run),
                    detail,
                    ..Cell::new(
                        if d.passes(TOLERANCE) {
                            "match"
                        } else {
                            "differs"
                        },
                        d.passes(TOLERANCE),
                    )
                }
            }
            None => fail("differs", "the pictures differ in size".into(), run),
        },
    };
    let mut cells = vec![theirs_cell];
    cells.extend(runs[1..].iter().map(|r| other_cell(r)));
    Row {
        group: Group::Gears,
        test: name.to_string(),
        cells,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three discs on black, like the gears: red, green and blue, `dy` rows lower.
    fn gears(dy: u32, shade: u8) -> Picture {
        let (w, h) = (120u32, 100u32);
        let mut rgb = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let near = |cx: u32, cy: u32| {
                    let (dx, dyy) = (x as i64 - cx as i64, y as i64 - (cy + dy) as i64);
                    dx * dx + dyy * dyy < 20 * 20
                };
                rgb.extend(if near(30, 30) {
                    [200 - shade, 25, 0]
                } else if near(80, 30) {
                    [0, 200 - shade, 50]
                } else if near(50, 70) {
                    [50, 50, 255 - shade]
                } else {
                    [0, 0, 0]
                });
            }
        }
        Picture::new(w, h, rgb).unwrap()
    }

    #[test]
    fn a_slightly_different_shading_matches() {
        let d = compare(&gears(0, 0), &gears(0, 6), TOLERANCE).unwrap();
        assert!(d.passes(TOLERANCE), "{d:?}");
        assert_eq!((d.within, d.total, d.max_diff), (12000, 12000, 6));
    }

    #[test]
    fn a_shifted_picture_or_wrong_colours_do_not() {
        let d = compare(&gears(0, 0), &gears(3, 0), TOLERANCE).unwrap();
        assert!(!d.passes(TOLERANCE), "{d:?}");
        assert!(d.fraction() < 0.97, "{d:?}");
        let d = compare(&gears(0, 0), &gears(0, 40), TOLERANCE).unwrap();
        assert!(!d.passes(TOLERANCE), "{d:?}");
        let small = Picture::new(1, 1, vec![0, 0, 0]).unwrap();
        assert_eq!(compare(&gears(0, 0), &small, TOLERANCE), None);
    }

    fn stopped(grabs: Vec<Picture>) -> Run {
        Run {
            end: End::Stopped,
            secs: 3.0,
            grabs,
            ..Run::not_run("")
        }
    }

    #[test]
    fn rows_compare_ours_with_virglrenderer() {
        let theirs = stopped(vec![gears(0, 0), gears(0, 0)]);
        let close = stopped(vec![gears(0, 5), gears(0, 5)]);
        let r = row("glxgears", &[&theirs, &close]);
        assert_eq!(
            (r.cells[0].result.as_str(), r.cells[1].result.as_str()),
            ("ok", "match")
        );
        assert!(
            r.cells[1].detail.starts_with("100.00% of pixels within 8"),
            "{}",
            r.cells[1].detail
        );
        let shifted = stopped(vec![gears(4, 0), gears(4, 0)]);
        let r = row("glxgears", &[&theirs, &shifted]);
        assert_eq!(r.cells[1].result, "differs");
        assert!(r.regressed());
    }

    #[test]
    fn moving_blank_or_erroring_runs_fail_on_their_own() {
        let theirs = stopped(vec![gears(0, 0), gears(0, 0)]);
        let moving = stopped(vec![gears(0, 0), gears(2, 0)]);
        let r = row("g", &[&theirs, &moving]);
        assert!(
            r.cells[1].detail.contains("still moves"),
            "{}",
            r.cells[1].detail
        );
        let black = Picture::new(120, 100, vec![0; 120 * 100 * 3]).unwrap();
        let blank = stopped(vec![black.clone(), black]);
        let r = row("g", &[&blank, &theirs]);
        assert!(r.cells[0].detail.contains("blank"), "{}", r.cells[0].detail);
        assert_eq!(r.cells[1].result, "no baseline");
        let mut erroring = stopped(vec![gears(0, 0), gears(0, 0)]);
        erroring.server_log = "vrend_report_context_error_internal: context error reported 3 \"glxgears\" Illegal shader 0\n".into();
        let r = row("g", &[&theirs, &erroring]);
        assert!(
            r.cells[1].detail.contains("1 context error"),
            "{}",
            r.cells[1].detail
        );
        let r = row("g", &[&theirs, &Run::not_run("not built")]);
        assert_eq!(
            (r.cells[1].result.as_str(), r.cells[1].secs),
            ("not built", None)
        );
        let exited = Run {
            end: End::Exited(1),
            output: "Error: couldn't open display\n".into(),
            ..Run::not_run("")
        };
        let r = row("g", &[&exited, &theirs]);
        assert!(
            r.cells[0].detail.contains("exit 1"),
            "{}",
            r.cells[0].detail
        );
    }
}
