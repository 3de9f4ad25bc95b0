//! Draws rewritten on the CPU where OpenGL ES lacks a rasterizer feature: polygon modes
//! (triangles drawn as their edges or corners) and the first-vertex provoking convention
//! (`flatshade_first`: each primitive's vertices rotated so its first vertex is the last).
//!
//! A draw's vertex indices (its index buffer, or `start..start + count`) are assembled into
//! primitives here and written out as a list of indices of another mode, which the backend
//! draws with `glDrawElements*` from a buffer of its own. Rotating a triangle's vertices
//! cyclically keeps its winding, so culling and `gl_FrontFacing` are unchanged. Triangles drawn
//! as lines or points are no longer culled: ES culls only polygons, and the facing of a
//! triangle is only known after the vertex shader.

use virgl_proto::pipe::{PolygonMode, PrimMode};

/// What a rewritten draw draws.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewritten {
    /// `GL_POINTS`, `GL_LINES` or `GL_TRIANGLES`.
    pub mode: u32,
    pub indices: Vec<u32>,
}

/// The triangles (or lines) `mode` assembles from `run`, in GL's vertex order, and for each
/// the place in it of its provoking vertex under the first-vertex convention (the last vertex
/// is the provoking one under GL's default).
fn assemble(mode: PrimMode, run: &[u32]) -> (usize, Vec<u32>, Vec<usize>) {
    let n = run.len();
    let mut out = Vec::new();
    let mut first = Vec::new();
    let (per, out) = match mode {
        PrimMode::Triangles => {
            for t in run.chunks_exact(3) {
                out.extend_from_slice(t);
                first.push(0);
            }
            (3, out)
        }
        PrimMode::TriangleStrip => {
            for i in 0..n.saturating_sub(2) {
                // Odd triangles are listed (i + 1, i, i + 2), keeping the winding; their
                // first vertex `i` is then second.
                if i % 2 == 0 {
                    out.extend([run[i], run[i + 1], run[i + 2]]);
                    first.push(0);
                } else {
                    out.extend([run[i + 1], run[i], run[i + 2]]);
                    first.push(1);
                }
            }
            (3, out)
        }
        PrimMode::TriangleFan => {
            for i in 1..n.saturating_sub(1) {
                // The first-vertex convention makes `i`, not the centre, provoking.
                out.extend([run[0], run[i], run[i + 1]]);
                first.push(1);
            }
            (3, out)
        }
        PrimMode::Lines => {
            for l in run.chunks_exact(2) {
                out.extend_from_slice(l);
                first.push(0);
            }
            (2, out)
        }
        PrimMode::LineStrip | PrimMode::LineLoop => {
            for i in 0..n.saturating_sub(1) {
                out.extend([run[i], run[i + 1]]);
                first.push(0);
            }
            if mode == PrimMode::LineLoop && n > 1 {
                out.extend([run[n - 1], run[0]]);
                first.push(0);
            }
            (2, out)
        }
        _ => {
            first.resize(n, 0);
            (1, run.to_vec())
        }
    };
    (per, out, first)
}

/// Whether a draw of `mode` needs rewriting on ES for polygon mode `fill` and provoking
/// vertex `first`.
pub fn needed(mode: PrimMode, fill: PolygonMode, first: bool) -> bool {
    let triangles = matches!(
        mode,
        PrimMode::Triangles | PrimMode::TriangleStrip | PrimMode::TriangleFan
    );
    let lines = matches!(
        mode,
        PrimMode::Lines | PrimMode::LineStrip | PrimMode::LineLoop
    );
    (triangles && matches!(fill, PolygonMode::Line | PolygonMode::Point))
        || (first && (triangles || lines))
}

/// Rewrites the draw of `indices` as `mode`, restarting at `restart` if given. Under `first`
/// each primitive is rotated so that its first-vertex-convention provoking vertex (vertex 0
/// of an independent triangle, `i` of strip triangle `i`, `i + 1` of fan triangle `i`, GL 4.6
/// table 13.2) comes last, where ES takes it.
pub fn rewrite(
    mode: PrimMode,
    indices: &[u32],
    restart: Option<u32>,
    fill: PolygonMode,
    first: bool,
) -> Rewritten {
    let mut out = Vec::with_capacity(indices.len() * 2);
    let mut per = 1;
    for run in indices.split(|i| Some(*i) == restart) {
        let (n, prims, provoking) = assemble(mode, run);
        per = n;
        for (p, k) in prims.chunks_exact(n).zip(provoking) {
            // A cyclic rotation, which keeps the winding.
            let p: Vec<u32> = if first && n > 1 {
                (1..=n).map(|j| p[(k + j) % n]).collect()
            } else {
                p.to_vec()
            };
            match (n, fill) {
                (3, PolygonMode::Line) => {
                    out.extend([p[0], p[1], p[1], p[2], p[2], p[0]]);
                }
                (3, PolygonMode::Point) => out.extend(&p),
                _ => out.extend(&p),
            }
        }
    }
    let mode = match (per, fill) {
        (3, PolygonMode::Line) => glow::LINES,
        (3, PolygonMode::Point) => glow::POINTS,
        (3, _) => glow::TRIANGLES,
        (2, _) => glow::LINES,
        _ => glow::POINTS,
    };
    Rewritten { mode, indices: out }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    const FILL: PolygonMode = PolygonMode::Fill;

    #[rstest]
    #[case::strip_windings(PrimMode::TriangleStrip, &[0, 1, 2, 3], false, &[0, 1, 2, 2, 1, 3])]
    #[case::strip_first(PrimMode::TriangleStrip, &[0, 1, 2, 3], true, &[1, 2, 0, 3, 2, 1])]
    #[case::fan_first(PrimMode::TriangleFan, &[0, 1, 2, 3], true, &[2, 0, 1, 3, 0, 2])]
    #[case::list_first(PrimMode::Triangles, &[4, 5, 6, 7], true, &[5, 6, 4])]
    #[case::loop_first(PrimMode::LineLoop, &[0, 1, 2], true, &[1, 0, 2, 1, 0, 2])]
    fn provoking_vertex_moves_last(
        #[case] mode: PrimMode,
        #[case] indices: &[u32],
        #[case] first: bool,
        #[case] expected: &[u32],
    ) {
        let r = rewrite(mode, indices, None, FILL, first);
        assert_eq!(r.indices, expected);
    }

    #[test]
    fn polygon_modes_draw_edges_and_corners() {
        let r = rewrite(
            PrimMode::TriangleFan,
            &[0, 1, 2, 3],
            None,
            PolygonMode::Line,
            false,
        );
        assert_eq!(r.mode, glow::LINES);
        assert_eq!(r.indices, [0, 1, 1, 2, 2, 0, 0, 2, 2, 3, 3, 0]);
        let r = rewrite(
            PrimMode::Triangles,
            &[0, 1, 2],
            None,
            PolygonMode::Point,
            false,
        );
        assert_eq!((r.mode, r.indices), (glow::POINTS, vec![0, 1, 2]));
    }

    #[test]
    fn restarts_split_strips() {
        let r = rewrite(
            PrimMode::TriangleStrip,
            &[0, 1, 2, 0xffff, 3, 4, 5],
            Some(0xffff),
            PolygonMode::Line,
            false,
        );
        assert_eq!(r.indices, [0, 1, 1, 2, 2, 0, 3, 4, 4, 5, 5, 3]);
    }

    #[rstest]
    #[case(PrimMode::Triangles, PolygonMode::Line, false, true)]
    #[case(PrimMode::Lines, PolygonMode::Line, false, false)]
    #[case(PrimMode::Points, PolygonMode::Fill, true, false)]
    #[case(PrimMode::LineStrip, PolygonMode::Fill, true, true)]
    #[case(PrimMode::TriangleStrip, PolygonMode::Fill, false, false)]
    fn only_what_es_cannot_draw_is_rewritten(
        #[case] mode: PrimMode,
        #[case] fill: PolygonMode,
        #[case] first: bool,
        #[case] yes: bool,
    ) {
        assert_eq!(needed(mode, fill, first), yes);
    }
}
