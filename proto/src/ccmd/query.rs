//! Queries, conditional rendering and stream output targets.

#[cfg(test)]
use super::arb;
use super::bits::bits;
use super::rules::{self, ensure, text, Check};
use super::wire::{Payload, Writer};
use super::Command;
use crate::error::Result;
use crate::pipe::{QueryType, QueryValueType, StatQuery};

#[cfg(test)]
use proptest_derive::Arbitrary;

/// CREATE_OBJECT(QUERY).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct Query {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub handle: u32,
    pub query_type: QueryType,
    /// Stream for indexed queries; the counter for pipeline statistics ([`StatQuery`]).
    #[cfg_attr(test, proptest(strategy = "0u16..11"))]
    pub index: u16,
    /// Byte offset of the result in `resource`.
    pub offset: u32,
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub resource: u32,
}

bits! {
    /// `VIRGL_OBJ_QUERY_TYPE_INDEX`.
    pub(crate) struct QueryTypeIndex("type_index") for Query {
        query_type: QueryType = 0..16,
        index: u16 = 16..32,
    }
}

impl Query {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<Query> {
        let mut q = Query {
            handle: p.u32(1),
            query_type: QueryType::OcclusionCounter,
            index: 0,
            offset: p.u32(3),
            resource: p.u32(4),
        };
        p.unpack::<QueryTypeIndex, _>(2, &mut q)?;
        Ok(q)
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<()> {
        w.push(self.handle);
        w.pack::<QueryTypeIndex, _>(self)?;
        w.extend([self.offset, self.resource]);
        Ok(())
    }

    /// `vrend_create_query` needs the result resource, and for pipeline statistics an index
    /// naming a counter.
    pub(crate) fn check(&self) -> Check {
        rules::object_handle(1, self.handle)?;
        rules::resource("resource", 4, self.resource)?;
        if self.query_type == QueryType::PipelineStatistics {
            let ok = StatQuery::from_wire(self.index.into()).is_some();
            let raw = self.query_type.to_wire() | u32::from(self.index) << 16;
            ensure(ok, "index", 2, raw, text::STAT_INDEX)?;
        }
        Ok(())
    }
}

/// GET_QUERY_RESULT_QBO: writes a query result into a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct QueryResultQbo {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub query: u32,
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub qbo: u32,
    pub wait: bool,
    pub result_type: QueryValueType,
    pub offset: u32,
    /// Which value of the query (-1 for availability).
    pub index: i32,
}

impl QueryResultQbo {
    pub(crate) fn decode(p: &Payload<'_>) -> Result<QueryResultQbo> {
        Ok(QueryResultQbo {
            query: p.u32(1),
            qbo: p.u32(2),
            wait: p.value("wait", 3)?,
            result_type: p.value("result_type", 4)?,
            offset: p.u32(5),
            index: p.u32(6) as i32,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend([
            self.query,
            self.qbo,
            u32::from(self.wait),
            self.result_type.to_wire(),
            self.offset,
            self.index as u32,
        ]);
    }

    /// `vrend_get_query_result_qbo` needs the query and the buffer.
    pub(crate) fn check(&self) -> Check {
        rules::query("query", 1, self.query)?;
        rules::resource("qbo", 2, self.qbo)
    }
}

/// CREATE_OBJECT(STREAMOUT_TARGET).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(test, derive(Arbitrary))]
pub struct StreamoutTarget {
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub handle: u32,
    #[cfg_attr(test, proptest(strategy = "arb::handle()"))]
    pub resource: u32,
    pub buffer_offset: u32,
    pub buffer_size: u32,
}

impl StreamoutTarget {
    pub(crate) fn decode(p: &Payload<'_>) -> StreamoutTarget {
        StreamoutTarget {
            handle: p.u32(1),
            resource: p.u32(2),
            buffer_offset: p.u32(3),
            buffer_size: p.u32(4),
        }
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.extend([
            self.handle,
            self.resource,
            self.buffer_offset,
            self.buffer_size,
        ]);
    }

    /// `vrend_create_so_target` needs the buffer.
    pub(crate) fn check(&self) -> Check {
        rules::object_handle(1, self.handle)?;
        rules::resource("resource", 2, self.resource)
    }
}

pub(crate) fn decode_render_condition<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    Ok(Command::SetRenderCondition {
        query: p.u32(1),
        condition: p.value("condition", 2)?,
        mode: p.value("mode", 3)?,
    })
}

pub(crate) fn decode_get_result<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    Ok(Command::GetQueryResult {
        query: p.u32(1),
        wait: p.value("wait", 2)?,
    })
}

pub(crate) fn decode_streamout_targets<'a>(p: &Payload<'a>) -> Result<Command<'a>> {
    Ok(Command::SetStreamoutTargets {
        append_bitmask: p.u32(1),
        targets: p.dwords(2, p.len() - 1).collect(),
    })
}
