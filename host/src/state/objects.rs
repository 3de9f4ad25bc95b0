//! The objects a guest creates with CREATE_OBJECT, kept per sub-context by handle.
//!
//! One namespace holds every kind, as in virglrenderer (`vrend_object_insert`): Mesa draws all
//! handles from one counter, and a lookup names the kind it wants, so a blend handle passed
//! where a surface is expected is an error naming both.

use std::collections::HashMap;
use std::sync::Arc;

use virgl_proto::ccmd::{
    Blend, Dsa, MsaaSurface, ObjectType, Query, Rasterizer, SamplerState, SamplerView,
    StreamOutput, StreamoutTarget, Surface, VertexElements,
};
use virgl_proto::pipe::ShaderType;
use virgl_proto::tgsi;

/// A shader whose text is complete and parsed.
#[derive(Debug)]
pub struct ShaderObject {
    pub stage: ShaderType,
    pub tgsi: tgsi::Shader,
    pub stream_output: Option<StreamOutput>,
    /// A compute shader's shared memory in bytes.
    pub req_local_mem: u32,
}

/// One object, of any kind.
#[derive(Clone, Debug)]
pub enum Object {
    Blend(Blend),
    Rasterizer(Rasterizer),
    Dsa(Dsa),
    /// Shared, since programs built from it outlive a rebind.
    Shader(Arc<ShaderObject>),
    VertexElements(VertexElements),
    SamplerView(SamplerView),
    SamplerState(SamplerState),
    Surface(Surface),
    Query(Query),
    StreamoutTarget(StreamoutTarget),
    MsaaSurface(MsaaSurface),
}

impl Object {
    /// The kind, as CREATE_OBJECT names it.
    pub fn kind(&self) -> ObjectType {
        match self {
            Object::Blend(_) => ObjectType::Blend,
            Object::Rasterizer(_) => ObjectType::Rasterizer,
            Object::Dsa(_) => ObjectType::Dsa,
            Object::Shader(_) => ObjectType::Shader,
            Object::VertexElements(_) => ObjectType::VertexElements,
            Object::SamplerView(_) => ObjectType::SamplerView,
            Object::SamplerState(_) => ObjectType::SamplerState,
            Object::Surface(_) => ObjectType::Surface,
            Object::Query(_) => ObjectType::Query,
            Object::StreamoutTarget(_) => ObjectType::StreamoutTarget,
            Object::MsaaSurface(_) => ObjectType::MsaaSurface,
        }
    }

    /// The resource the object refers to, if any.
    pub fn resource(&self) -> Option<u32> {
        match self {
            Object::SamplerView(v) => Some(v.resource),
            Object::Surface(s) => Some(s.resource),
            Object::MsaaSurface(s) => Some(s.surface.resource),
            Object::StreamoutTarget(t) => Some(t.resource),
            Object::Query(q) => Some(q.resource),
            _ => None,
        }
    }
}

/// A sub-context's objects by handle.
#[derive(Debug, Default)]
pub struct Objects {
    map: HashMap<u32, Object>,
}

/// Why a handle lookup failed.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    Missing,
    WrongKind(ObjectType),
}

impl Objects {
    /// Adds `object` under `handle`; a handle in use (or 0) is refused with the reason.
    pub fn insert(&mut self, handle: u32, object: Object) -> Result<(), String> {
        if handle == 0 {
            return Err("handle 0 is reserved".into());
        }
        if let Some(old) = self.map.get(&handle) {
            return Err(format!("handle {handle} is already a {:?}", old.kind()));
        }
        self.map.insert(handle, object);
        Ok(())
    }

    /// Removes the object of `kind` under `handle`.
    pub fn remove(&mut self, handle: u32, kind: ObjectType) -> Result<Object, Lookup> {
        self.get(handle, kind)?;
        Ok(self.map.remove(&handle).expect("looked up above"))
    }

    /// The object of `kind` under `handle`.
    pub fn get(&self, handle: u32, kind: ObjectType) -> Result<&Object, Lookup> {
        match self.map.get(&handle) {
            None => Err(Lookup::Missing),
            Some(o) if o.kind() != kind => Err(Lookup::WrongKind(o.kind())),
            Some(o) => Ok(o),
        }
    }

    /// How many objects there are.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Every handle and object.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Object)> {
        self.map.iter().map(|(h, o)| (*h, o))
    }
}

/// Describes a failed lookup for a context error.
pub fn describe(handle: u32, want: ObjectType, why: Lookup) -> String {
    match why {
        Lookup::Missing => format!("{want:?} handle {handle} does not exist"),
        Lookup::WrongKind(have) => format!("handle {handle} is a {have:?}, not a {want:?}"),
    }
}
