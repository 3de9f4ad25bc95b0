//! A transport with no host: it keeps each resource's "host" contents in memory and records the
//! command streams submitted, so the context's encoding and bookkeeping can be tested alone.

use std::collections::BTreeMap;

use virgl_proto::caps::{CapsV1, CapsV2};

use crate::error::{Error, Result};
use crate::transport::{
    Caps, Fence, ResourceDesc, ResourceId, Transfer, TransferRegion, Transport,
};

struct NullResource {
    desc: ResourceDesc,
    backing: Vec<u8>,
    host: Vec<u8>,
}

/// A host-less transport that records what it is asked to do.
pub struct NullTransport {
    caps: Caps,
    resources: BTreeMap<ResourceId, NullResource>,
    next: u32,
    /// Every submitted stream, in order.
    pub submitted: Vec<Vec<u32>>,
    /// Every destroyed resource, in order.
    pub destroyed: Vec<ResourceId>,
}

impl Default for NullTransport {
    fn default() -> Self {
        let mut v2: CapsV2 = bytemuck::Zeroable::zeroed();
        v2.v1.max_version = 2;
        NullTransport {
            caps: Caps {
                v1: CapsV1 {
                    max_version: 1,
                    ..bytemuck::Zeroable::zeroed()
                },
                v2: Some(v2),
                v2_len: Some(CapsV2::SIZE),
            },
            resources: BTreeMap::new(),
            next: 1,
            submitted: Vec::new(),
            destroyed: Vec::new(),
        }
    }
}

impl NullTransport {
    /// The "host" contents of a resource, as transfers to the host left them.
    pub fn host_bytes(&self, id: ResourceId) -> Option<&[u8]> {
        self.resources.get(&id).map(|r| r.host.as_slice())
    }

    /// Live resources.
    pub fn live(&self) -> usize {
        self.resources.len()
    }

    fn get(&mut self, id: ResourceId) -> Result<&mut NullResource> {
        self.resources
            .get_mut(&id)
            .ok_or_else(|| Error::InvalidArgument {
                call: "null transport",
                detail: format!("unknown resource {}", id.0),
            })
    }

    fn transfer(&mut self, id: ResourceId, t: &TransferRegion, dir: Transfer) -> Result<()> {
        let r = self.get(id)?;
        let layout = t.layout(&r.desc)?;
        layout.check_within(r.backing.len() as u64)?;
        let len = layout.row_bytes() as usize;
        for (at, _) in layout.rows() {
            let span = at as usize..at as usize + len;
            match dir {
                Transfer::ToHost => r.host[span.clone()].copy_from_slice(&r.backing[span]),
                Transfer::FromHost => r.backing[span.clone()].copy_from_slice(&r.host[span]),
            }
        }
        Ok(())
    }
}

impl Transport for NullTransport {
    fn describe(&self) -> String {
        "null".into()
    }

    fn caps(&self) -> &Caps {
        &self.caps
    }

    fn create_resource(&mut self, desc: &ResourceDesc) -> Result<ResourceId> {
        let size = desc.backing_size().unwrap_or(0) as usize;
        let id = ResourceId(self.next);
        self.next += 1;
        self.resources.insert(
            id,
            NullResource {
                desc: *desc,
                backing: vec![0; size],
                host: vec![0; size],
            },
        );
        Ok(id)
    }

    fn destroy_resource(&mut self, id: ResourceId) -> Result<()> {
        self.get(id)?;
        self.resources.remove(&id);
        self.destroyed.push(id);
        Ok(())
    }

    fn backing(&mut self, id: ResourceId) -> Result<&mut [u8]> {
        Ok(&mut self.get(id)?.backing)
    }

    fn transfer_to_host(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()> {
        self.transfer(id, t, Transfer::ToHost)
    }

    fn transfer_from_host(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()> {
        self.transfer(id, t, Transfer::FromHost)
    }

    fn submit(&mut self, stream: &[u32], _resources: &[ResourceId]) -> Result<Fence> {
        if !stream.is_empty() {
            self.submitted.push(stream.to_vec());
        }
        Ok(Fence::Implicit)
    }

    fn wait(&mut self, id: ResourceId) -> Result<()> {
        self.get(id).map(|_| ())
    }

    fn wait_fence(&mut self, _fence: Fence) -> Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{Context, MAX_BATCH_DWORDS};
    use virgl_proto::ccmd::{decode_all, to_bytes, Box3, Command, ObjectType, ShaderOffset};
    use virgl_proto::format::Format;
    use virgl_proto::pipe::{bind, ShaderType};

    /// Every submitted command, decoded (the stream bytes are leaked to keep this short).
    fn commands(t: &NullTransport) -> Vec<Command<'static>> {
        t.submitted
            .iter()
            .flat_map(|s| {
                let bytes: &'static [u8] = Box::leak(to_bytes(s).into_boxed_slice());
                decode_all(bytes).unwrap()
            })
            .collect()
    }

    #[test]
    fn subregion_upload_lands_in_the_right_rows() {
        let mut ctx = Context::new(NullTransport::default()).unwrap();
        let r = ctx
            .create_resource(&ResourceDesc::texture_2d(
                Format::R8G8B8A8_UNORM,
                8,
                4,
                bind::SAMPLER_VIEW,
            ))
            .unwrap();
        let patch: Vec<u8> = (1..=24).collect(); // 3x2 pixels
        ctx.upload(&r, Box3::new_2d(2, 1, 3, 2), &patch).unwrap();
        let host = ctx.transport().host_bytes(r.id()).unwrap();
        assert_eq!(&host[(8 + 2) * 4..(8 + 5) * 4], &patch[..12]);
        assert_eq!(&host[(16 + 2) * 4..(16 + 5) * 4], &patch[12..]);
        assert!(host[..(8 + 2) * 4].iter().all(|&b| b == 0));
        assert_eq!(ctx.download(&r, Box3::new_2d(2, 1, 3, 2)).unwrap(), patch);
    }

    #[test]
    fn transports_without_dma_bufs_refuse_import_and_export_by_name() {
        let mut ctx = Context::new(NullTransport::default()).unwrap();
        let desc = ResourceDesc::texture_2d(Format::B8G8R8A8_UNORM, 4, 4, bind::SAMPLER_VIEW);
        let r = ctx.create_resource(&desc).unwrap();
        let e = ctx.export_resource(&r).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Unsupported {
                    call: "export_dmabuf",
                    ..
                }
            ),
            "{e}"
        );
        let file = std::fs::File::open("/dev/null").unwrap();
        let e = ctx
            .import_resource(std::os::fd::AsFd::as_fd(&file), &desc)
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::Unsupported {
                    call: "import_dmabuf",
                    ..
                }
            ),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            "import_dmabuf: unsupported: null has no dma-bufs"
        );
    }

    #[test]
    fn out_of_bounds_regions_are_refused() {
        let mut ctx = Context::new(NullTransport::default()).unwrap();
        let r = ctx
            .create_resource(&ResourceDesc::texture_2d(
                Format::R8G8B8A8_UNORM,
                8,
                4,
                bind::SAMPLER_VIEW,
            ))
            .unwrap();
        let e = ctx
            .upload(&r, Box3::new_2d(6, 0, 3, 1), &[0; 12])
            .unwrap_err();
        assert!(e.to_string().contains("reaches past the level"), "{e}");
        let e = ctx
            .upload(&r, Box3::new_2d(0, 0, 2, 1), &[0; 5])
            .unwrap_err();
        assert!(
            e.to_string().contains("5 bytes given for a 8-byte region"),
            "{e}"
        );
    }

    #[test]
    fn dropped_objects_and_resources_are_released_in_order() {
        let mut ctx = Context::new(NullTransport::default()).unwrap();
        let blend = ctx.create_blend(&Default::default()).unwrap();
        let handle = blend.handle();
        let r = ctx
            .create_resource(&ResourceDesc::buffer(64, bind::VERTEX_BUFFER))
            .unwrap();
        let id = r.id();
        drop(blend);
        drop(r);
        ctx.flush().unwrap();
        let cmds = commands(ctx.transport());
        assert!(cmds.contains(&Command::DestroyObject {
            object: ObjectType::Blend,
            handle
        }));
        assert_eq!(ctx.transport().destroyed, vec![id]);
        assert_eq!(ctx.transport().live(), 0);
        // The context starts with its sub-context, as Mesa does.
        assert_eq!(cmds[0], Command::CreateSubCtx(1));
        assert_eq!(cmds[1], Command::SetSubCtx(1));
    }

    #[test]
    fn long_shaders_are_split_into_continuation_packets() {
        let mut ctx = Context::new(NullTransport::default()).unwrap();
        let mut text = String::from("FRAG\n");
        while text.len() < MAX_BATCH_DWORDS * 4 * 2 {
            text.push_str("  0: MOV TEMP[0], TEMP[0]\n");
        }
        let sh = ctx.create_shader(ShaderType::Fragment, &text).unwrap();
        ctx.flush().unwrap();
        let packets: Vec<_> = commands(ctx.transport())
            .into_iter()
            .filter_map(|c| match c {
                Command::CreateShader(s) => Some(s),
                _ => None,
            })
            .collect();
        assert!(packets.len() >= 3, "{} packets", packets.len());
        assert!(packets.iter().all(|p| p.handle == sh.handle()));
        assert_eq!(
            packets[0].offset,
            ShaderOffset::Total(text.len() as u32 + 1)
        );
        let mut sent = 0;
        let mut joined = Vec::new();
        for (i, p) in packets.iter().enumerate() {
            if i > 0 {
                assert_eq!(p.offset, ShaderOffset::Continuation(sent));
            }
            sent += p.text.as_bytes().len() as u32;
            joined.extend_from_slice(p.text.as_bytes());
        }
        assert_eq!(&joined[..text.len()], text.as_bytes());
        assert_eq!(joined[text.len()], 0);
        assert!(ctx
            .transport()
            .submitted
            .iter()
            .all(|s| s.len() <= MAX_BATCH_DWORDS));
    }
}
