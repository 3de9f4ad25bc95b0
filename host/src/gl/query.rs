//! Queries and conditional rendering on GL query objects.

use glow::HasContext;
use virgl_proto::ccmd::Query;
use virgl_proto::pipe::{QueryType, RenderCondMode};

use super::backend::{gl_err, GlBackend};
use crate::backend::Scene;
use crate::error::Result;

/// The GL target of a Gallium query type, `None` for those not handled. ES has no sample
/// counts, so occlusion counters count 0 or 1 there (as virglrenderer's do, scaled), and no
/// timer queries.
fn target(t: QueryType, es: bool) -> Option<u32> {
    Some(match t {
        QueryType::OcclusionCounter if es => glow::ANY_SAMPLES_PASSED,
        QueryType::Timestamp | QueryType::TimeElapsed if es => return None,
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
        let q = unsafe { self.gl.gl.create_query() }.map_err(|e| gl_err("glGenQueries", e))?;
        self.queries.insert(key, q);
        Ok(q)
    }

    pub(super) fn begin(&mut self, scene: Scene<'_>, handle: u32, query: &Query) -> Result<()> {
        let Some(t) = target(query.query_type, self.gl.version.es) else {
            return Err(gl_err(
                "glBeginQuery",
                format!("{:?} queries are not supported yet", query.query_type),
            ));
        };
        if t == glow::TIMESTAMP {
            return Ok(());
        }
        let q = self.query_object(scene, handle)?;
        // SAFETY: the context is current and `q` is ours.
        unsafe { self.gl.gl.begin_query(t, q) };
        self.gl.check("glBeginQuery")
    }

    pub(super) fn end(&mut self, scene: Scene<'_>, handle: u32, query: &Query) -> Result<()> {
        let Some(t) = target(query.query_type, self.gl.version.es) else {
            return Err(gl_err(
                "glEndQuery",
                format!("{:?} queries are not supported yet", query.query_type),
            ));
        };
        let q = self.query_object(scene, handle)?;
        // SAFETY: the context is current and `q` is ours.
        unsafe {
            if t == glow::TIMESTAMP {
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
        let q = self.query_object(scene, handle)?;
        let g = &self.gl.gl;
        // SAFETY: the context is current and `q` is ours.
        let value = unsafe {
            let available = g.get_query_parameter_u32(q, glow::QUERY_RESULT_AVAILABLE) != 0;
            if index == -1 {
                Some(u64::from(available))
            } else if available || wait {
                Some(if self.gl.version.es {
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

    /// Starts conditional rendering for a command that renders, if the sub-context asks;
    /// returns whether [`GlBackend::end_condition`] must follow.
    pub(super) fn begin_condition(&mut self, scene: Scene<'_>) -> Result<bool> {
        let Some((handle, inverted, mode)) = scene.state.render_condition else {
            return Ok(false);
        };
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
