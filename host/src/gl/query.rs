//! Queries and conditional rendering on GL query objects.

use glow::HasContext;
use virgl_proto::ccmd::Query;
use virgl_proto::pipe::{QueryType, RenderCondMode};

use super::backend::{gl_err, GlBackend};
use crate::backend::Scene;
use crate::error::Result;

/// The GL target of a Gallium query type, `None` for those not handled. ES has no sample
/// counts, so occlusion counters count 0 or 1 there (as virglrenderer's do, scaled), and
/// timer queries only with GL_EXT_disjoint_timer_query (whose enums are the desktop ones).
fn target(t: QueryType, gl: &super::Gl) -> Option<u32> {
    let es = gl.version.es;
    Some(match t {
        QueryType::OcclusionCounter if es => glow::ANY_SAMPLES_PASSED,
        QueryType::Timestamp | QueryType::TimeElapsed
            if es && (!gl.es_extensions.timer_query || gl.es2() && !gl.es2.has_queries()) =>
        {
            return None
        }
        // ES 2.0 has occlusion predicates alone, with GL_EXT_occlusion_query_boolean.
        QueryType::OcclusionCounter
        | QueryType::OcclusionPredicate
        | QueryType::OcclusionPredicateConservative
            if gl.es2() && !(gl.es_extensions.occlusion_query && gl.es2.has_queries()) =>
        {
            return None
        }
        QueryType::OcclusionCounter => glow::SAMPLES_PASSED,
        QueryType::OcclusionPredicate => glow::ANY_SAMPLES_PASSED,
        QueryType::OcclusionPredicateConservative => glow::ANY_SAMPLES_PASSED_CONSERVATIVE,
        QueryType::Timestamp => glow::TIMESTAMP,
        QueryType::TimeElapsed => glow::TIME_ELAPSED,
        QueryType::PrimitivesGenerated => glow::PRIMITIVES_GENERATED,
        QueryType::PrimitivesEmitted => glow::TRANSFORM_FEEDBACK_PRIMITIVES_WRITTEN,
        _ => return None,
    })
}

/// The primitives a draw of `count` vertices as `mode` assembles (GL 4.6 §10.1), for
/// `PRIMITIVES_GENERATED` counted on the CPU: no geometry shader can change it where that is
/// done. Primitive restarts are not seen.
pub(super) fn primitives(mode: virgl_proto::pipe::PrimMode, count: u32) -> u64 {
    use virgl_proto::pipe::PrimMode as P;
    let n = u64::from(count);
    match mode {
        P::Points => n,
        P::Lines => n / 2,
        P::LineStrip => n.saturating_sub(1),
        P::LineLoop if n >= 2 => n,
        P::Triangles => n / 3,
        P::TriangleStrip | P::TriangleFan | P::Polygon => n.saturating_sub(2),
        P::Quads => n / 4,
        P::QuadStrip => n.saturating_sub(2) / 2,
        P::LinesAdjacency => n / 4,
        P::LineStripAdjacency => n.saturating_sub(3),
        P::TrianglesAdjacency => n / 6,
        P::TriangleStripAdjacency => n.saturating_sub(4) / 2,
        _ => 0,
    }
}

/// `GL_QUERY_WAIT` and its three siblings, then the four inverted ones (GL 4.5).
fn cond_mode(mode: RenderCondMode, inverted: bool) -> u32 {
    let base = match mode {
        RenderCondMode::Wait => glow::QUERY_WAIT,
        RenderCondMode::NoWait => glow::QUERY_NO_WAIT,
        RenderCondMode::ByRegionWait => glow::QUERY_BY_REGION_WAIT,
        RenderCondMode::ByRegionNoWait => glow::QUERY_BY_REGION_NO_WAIT,
    };
    if inverted {
        base + (glow::QUERY_WAIT_INVERTED - glow::QUERY_WAIT)
    } else {
        base
    }
}

impl GlBackend {
    fn query_object(&mut self, scene: Scene<'_>, handle: u32) -> Result<glow::Query> {
        let key = (scene.ctx, scene.sub_ctx, handle);
        if let Some(q) = self.queries.get(&key) {
            return Ok(*q);
        }
        // SAFETY: the context is current; the query name is new.
        let q = if self.gl.es2() {
            unsafe { self.gl.es2.create_query() }
                .ok_or_else(|| gl_err("glGenQueriesEXT", "no query name"))?
        } else {
            unsafe { self.gl.gl.create_query() }.map_err(|e| gl_err("glGenQueries", e))?
        };
        self.queries.insert(key, q);
        Ok(q)
    }

    pub(super) fn begin(&mut self, scene: Scene<'_>, handle: u32, query: &Query) -> Result<()> {
        let Some(t) = target(query.query_type, &self.gl) else {
            return Err(gl_err(
                "glBeginQuery",
                format!("{:?} queries are not supported yet", query.query_type),
            ));
        };
        if t == glow::TIMESTAMP {
            return Ok(());
        }
        let key = (scene.ctx, scene.sub_ctx, handle);
        if let (QueryType::OcclusionCounter, Some(binding)) =
            (query.query_type, self.sample_counter_binding)
        {
            return self.begin_counting(key, binding);
        }
        if query.query_type == QueryType::OcclusionCounter && self.counts_with_target() {
            return self.begin_target_counting(key);
        }
        if query.query_type == QueryType::PrimitivesGenerated && !self.gl.geometry_shaders() {
            self.counted.remove(&key);
            self.cpu_primitives = Some((key, 0));
            return Ok(());
        }
        let q = self.query_object(scene, handle)?;
        // SAFETY: the context is current and `q` is ours.
        unsafe {
            if self.gl.es2() {
                self.gl.es2.begin_query(t, q)
            } else {
                self.gl.gl.begin_query(t, q)
            }
        };
        self.gl.check("glBeginQuery")
    }

    pub(super) fn end(&mut self, scene: Scene<'_>, handle: u32, query: &Query) -> Result<()> {
        let Some(t) = target(query.query_type, &self.gl) else {
            return Err(gl_err(
                "glEndQuery",
                format!("{:?} queries are not supported yet", query.query_type),
            ));
        };
        let key = (scene.ctx, scene.sub_ctx, handle);
        if self.counting.is_some_and(|(k, _)| k == key) {
            return self.end_counting();
        }
        if self.target_counter.as_ref().is_some_and(|c| c.key == key) {
            return self.end_target_counting();
        }
        if let Some((k, n)) = self.cpu_primitives.filter(|(k, _)| *k == key) {
            self.cpu_primitives = None;
            self.counted.insert(k, n);
            return Ok(());
        }
        let q = self.query_object(scene, handle)?;
        // SAFETY: the context is current and `q` is ours.
        unsafe {
            if t == glow::TIMESTAMP && self.gl.version.es {
                self.gl.extra.query_counter_ext(q);
            } else if self.gl.es2() {
                self.gl.es2.end_query(t);
            } else if t == glow::TIMESTAMP {
                self.gl.gl.query_counter(q, glow::TIMESTAMP);
            } else {
                self.gl.gl.end_query(t);
            }
        }
        self.gl.check("glEndQuery")
    }

    pub(super) fn result(
        &mut self,
        scene: Scene<'_>,
        handle: u32,
        index: i32,
        wait: bool,
    ) -> Result<Option<u64>> {
        let key = (scene.ctx, scene.sub_ctx, handle);
        if let Some(&n) = self.counted.get(&key) {
            return Ok(Some(if index == -1 { 1 } else { n }));
        }
        let q = self.query_object(scene, handle)?;
        let g = &self.gl.gl;
        // SAFETY: the context is current and `q` is ours.
        let value = unsafe {
            if self.gl.es2() {
                let available = self.gl.es2.query_object(q, glow::QUERY_RESULT_AVAILABLE) != 0;
                return Ok(if index == -1 {
                    Some(u64::from(available))
                } else if available || wait {
                    Some(if self.gl.es_extensions.timer_query {
                        self.gl.extra.query_result_u64_ext(q)
                    } else {
                        u64::from(self.gl.es2.query_object(q, glow::QUERY_RESULT))
                    })
                } else {
                    None
                });
            }
            let available = g.get_query_parameter_u32(q, glow::QUERY_RESULT_AVAILABLE) != 0;
            if index == -1 {
                Some(u64::from(available))
            } else if available || wait {
                Some(if self.gl.es_extensions.timer_query {
                    // 64-bit results (nanoseconds) come through the extension on ES.
                    self.gl.extra.query_result_u64_ext(q)
                } else if self.gl.version.es {
                    u64::from(g.get_query_parameter_u32(q, glow::QUERY_RESULT))
                } else {
                    g.get_query_parameter_u64(q, glow::QUERY_RESULT)
                })
            } else {
                None
            }
        };
        self.gl.check("glGetQueryObject")?;
        Ok(value)
    }

    /// On ES, which has no conditional rendering, whether the sub-context's render condition
    /// says to skip the command: the query's result is waited for on the CPU, which every
    /// mode allows (the `NO_WAIT` modes may also render unconditionally). Always false on
    /// desktop GL, where [`GlBackend::begin_condition`] asks GL.
    pub(super) fn condition_fails(&mut self, scene: Scene<'_>) -> Result<bool> {
        let Some((handle, inverted, _)) = scene.state.render_condition else {
            return Ok(false);
        };
        if !self.gl.version.es {
            return Ok(false);
        }
        if let Some(&n) = self.counted.get(&(scene.ctx, scene.sub_ctx, handle)) {
            return Ok((n != 0) == inverted);
        }
        let q = self.query_object(scene, handle)?;
        // SAFETY: the context is current and `q` is ours; the wait is GL's own.
        let passed = unsafe {
            if self.gl.es2() {
                self.gl.es2.query_object(q, glow::QUERY_RESULT)
            } else {
                self.gl.gl.get_query_parameter_u32(q, glow::QUERY_RESULT)
            }
        } != 0;
        self.gl.check("glGetQueryObjectuiv (render condition)")?;
        Ok(passed == inverted)
    }

    /// Starts counting samples for occlusion counter `key` on ES: a zeroed counter at
    /// `binding`, which draws' fragment shaders add to while it is bound.
    fn begin_counting(&mut self, key: (u32, u32, u32), binding: u32) -> Result<()> {
        if self.counting.is_some() {
            self.end_counting()?;
        }
        let g = &self.gl.gl;
        // SAFETY: the context is current; the buffer is new and 4 bytes are given for its 4.
        let buffer = unsafe {
            let b = g.create_buffer().map_err(|e| gl_err("glGenBuffers", e))?;
            g.bind_buffer(glow::SHADER_STORAGE_BUFFER, Some(b));
            g.buffer_data_u8_slice(glow::SHADER_STORAGE_BUFFER, &[0; 4], glow::DYNAMIC_COPY);
            g.bind_buffer_base(glow::SHADER_STORAGE_BUFFER, binding, Some(b));
            b
        };
        self.counted.remove(&key);
        self.counting = Some((key, buffer));
        self.gl.check("begin counting samples")
    }

    /// Ends counting: the count is read back and kept as the query's result.
    fn end_counting(&mut self) -> Result<()> {
        let Some((key, buffer)) = self.counting.take() else {
            return Ok(());
        };
        let mut bytes = [0u8; 4];
        // SAFETY: the context is current; the barrier makes the shaders' atomics visible to
        // the read below.
        unsafe { self.gl.gl.memory_barrier(glow::BUFFER_UPDATE_BARRIER_BIT) };
        let read = self.gl.read_buffer(buffer, 0, &mut bytes);
        // SAFETY: the buffer is ours and no longer bound for counting.
        unsafe { self.gl.gl.delete_buffer(buffer) };
        read?;
        self.counted
            .insert(key, u64::from(u32::from_le_bytes(bytes)));
        Ok(())
    }

    /// Starts conditional rendering for a command that renders, if the sub-context asks;
    /// returns whether [`GlBackend::end_condition`] must follow.
    pub(super) fn begin_condition(&mut self, scene: Scene<'_>) -> Result<bool> {
        let Some((handle, inverted, mode)) = scene.state.render_condition else {
            return Ok(false);
        };
        if self.gl.version.es {
            return Ok(false);
        }
        let q = self.query_object(scene, handle)?;
        // SAFETY: the context is current and `q` is ours.
        unsafe {
            self.gl
                .extra
                .begin_conditional_render(q, cond_mode(mode, inverted))
        };
        Ok(true)
    }

    /// Ends conditional rendering.
    pub(super) fn end_condition(&self, began: bool) {
        if began {
            // SAFETY: the context is current and conditional rendering was begun.
            unsafe { self.gl.extra.end_conditional_render() };
        }
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;
    use virgl_proto::pipe::PrimMode as P;

    #[rstest]
    #[case(P::Points, 5, 5)]
    #[case(P::Lines, 5, 2)]
    #[case(P::LineLoop, 3, 3)]
    #[case(P::LineLoop, 1, 0)]
    #[case(P::TriangleStrip, 6, 4)]
    #[case(P::Triangles, 6, 2)]
    #[case(P::TriangleFan, 2, 0)]
    #[case(P::TriangleStripAdjacency, 8, 2)]
    fn primitives_are_counted_as_gl_assembles_them(
        #[case] mode: P,
        #[case] count: u32,
        #[case] expected: u64,
    ) {
        assert_eq!(super::primitives(mode, count), expected);
    }
}
