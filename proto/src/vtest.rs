//! The vtest protocol: virglrenderer's socket protocol between a client and `virgl_test_server`.
//!
//! Each message is a two-dword header (`length`, `command id`) and a payload. The length counts
//! payload dwords, with quirks this module keeps in one place:
//! - CREATE_RENDERER's length is the byte length of its NUL-terminated name;
//! - the GET_CAPS and GET_CAPS2 replies give the caps byte length plus one, and GET_CAPS2's
//!   reply carries command id 2, not 9;
//! - TRANSFER_PUT declares `11 + ceil(bytes / 4)` but only `bytes` bytes follow.
//!
//! File descriptors (resource backing memfds, fences) travel as SCM_RIGHTS beside one byte.

use crate::error::{Error, Result};
use crate::format::Format;
use crate::pipe::TextureTarget;

/// The socket the Mesa client connects to when nothing else is said.
pub const DEFAULT_SOCKET: &str = "/tmp/.virgl_test";

/// The newest protocol version this crate speaks.
pub const PROTOCOL_VERSION: u32 = 3;

/// Header size in dwords.
pub const HDR_DWORDS: usize = 2;

/// vtest command ids (`VCMD_*`).
pub mod cmd {
    pub const GET_CAPS: u32 = 1;
    pub const RESOURCE_CREATE: u32 = 2;
    pub const RESOURCE_UNREF: u32 = 3;
    pub const TRANSFER_GET: u32 = 4;
    pub const TRANSFER_PUT: u32 = 5;
    pub const SUBMIT_CMD: u32 = 6;
    pub const RESOURCE_BUSY_WAIT: u32 = 7;
    pub const CREATE_RENDERER: u32 = 8;
    pub const GET_CAPS2: u32 = 9;
    pub const PING_PROTOCOL_VERSION: u32 = 10;
    pub const PROTOCOL_VERSION: u32 = 11;
    pub const RESOURCE_CREATE2: u32 = 12;
    pub const TRANSFER_GET2: u32 = 13;
    pub const TRANSFER_PUT2: u32 = 14;
    pub const GET_PARAM: u32 = 15;
    pub const GET_CAPSET: u32 = 16;
    pub const CONTEXT_INIT: u32 = 17;
    pub const RESOURCE_CREATE_BLOB: u32 = 18;
    pub const SYNC_CREATE: u32 = 19;
    pub const SYNC_UNREF: u32 = 20;
    pub const SYNC_READ: u32 = 21;
    pub const SYNC_WRITE: u32 = 22;
    pub const SYNC_WAIT: u32 = 23;
    pub const SUBMIT_CMD2: u32 = 24;

    /// The id the GET_CAPS2 reply carries.
    pub const GET_CAPS2_REPLY: u32 = 2;
}

/// RESOURCE_BUSY_WAIT flag: block until the resource is idle.
pub const BUSY_WAIT_FLAG_WAIT: u32 = 1;

/// A message header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsgHeader {
    /// Payload length (in dwords, except for the quirks in the module docs).
    pub len: u32,
    /// Command id.
    pub id: u32,
}

impl MsgHeader {
    /// Little-endian bytes.
    pub fn to_bytes(self) -> [u8; 8] {
        let mut b = [0; 8];
        b[..4].copy_from_slice(&self.len.to_le_bytes());
        b[4..].copy_from_slice(&self.id.to_le_bytes());
        b
    }

    /// Parses eight little-endian bytes.
    pub fn from_bytes(b: [u8; 8]) -> MsgHeader {
        MsgHeader {
            len: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            id: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }

    /// Checks that a reply has the expected id and payload dword count.
    pub fn expect(self, what: &'static str, id: u32, len: u32) -> Result<()> {
        if self.id != id || self.len != len {
            return Err(Error::Vtest {
                what,
                detail: format!(
                    "expected reply id {id} with {len} dwords, got id {} with {} dwords",
                    self.id, self.len
                ),
            });
        }
        Ok(())
    }

    /// For a caps reply (length is bytes + 1): the caps byte count.
    pub fn caps_bytes(self, what: &'static str, id: u32, max: usize) -> Result<usize> {
        if self.id != id || self.len == 0 || self.len as usize - 1 > max {
            return Err(Error::Vtest {
                what,
                detail: format!(
                    "expected caps reply id {id} with 1..={} length, got id {} length {}",
                    max + 1,
                    self.id,
                    self.len
                ),
            });
        }
        Ok(self.len as usize - 1)
    }
}

fn message(id: u32, payload: &[u32]) -> Vec<u8> {
    let mut out = MsgHeader {
        len: payload.len() as u32,
        id,
    }
    .to_bytes()
    .to_vec();
    out.extend(payload.iter().flat_map(|d| d.to_le_bytes()));
    out
}

/// CREATE_RENDERER, which must be the first message; `name` names the client in server logs.
pub fn create_renderer(name: &str) -> Vec<u8> {
    let mut name = name.as_bytes().to_vec();
    name.push(0);
    let mut out = MsgHeader {
        len: name.len() as u32,
        id: cmd::CREATE_RENDERER,
    }
    .to_bytes()
    .to_vec();
    out.extend(&name);
    out
}

/// A command with no payload (GET_CAPS, GET_CAPS2, PING_PROTOCOL_VERSION).
pub fn bare(id: u32) -> Vec<u8> {
    message(id, &[])
}

/// PROTOCOL_VERSION with the client's version.
pub fn protocol_version(version: u32) -> Vec<u8> {
    message(cmd::PROTOCOL_VERSION, &[version])
}

/// RESOURCE_BUSY_WAIT.
pub fn busy_wait(handle: u32, flags: u32) -> Vec<u8> {
    message(cmd::RESOURCE_BUSY_WAIT, &[handle, flags])
}

/// RESOURCE_UNREF.
pub fn resource_unref(handle: u32) -> Vec<u8> {
    message(cmd::RESOURCE_UNREF, &[handle])
}

/// SUBMIT_CMD with a virgl command stream.
pub fn submit_cmd(stream: &[u32]) -> Vec<u8> {
    message(cmd::SUBMIT_CMD, stream)
}

/// GET_CAPSET (v3).
pub fn get_capset(id: u32, version: u32) -> Vec<u8> {
    message(cmd::GET_CAPSET, &[id, version])
}

/// The shape of a resource, as RESOURCE_CREATE(2) and the virtio-gpu ioctl take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceDesc {
    pub target: TextureTarget,
    pub format: Format,
    /// `VIRGL_BIND_*` flags.
    pub bind: u32,
    pub width: u32,
    pub height: u32,
    pub depth: u32,
    pub array_size: u32,
    pub last_level: u32,
    pub nr_samples: u32,
}

impl ResourceDesc {
    /// A single-level 2D texture.
    pub fn texture_2d(format: Format, width: u32, height: u32, bind: u32) -> ResourceDesc {
        ResourceDesc {
            target: TextureTarget::Texture2D,
            format,
            bind,
            width,
            height,
            depth: 1,
            array_size: 1,
            last_level: 0,
            nr_samples: 0,
        }
    }

    /// A buffer of `size` bytes.
    pub fn buffer(size: u32, bind: u32) -> ResourceDesc {
        ResourceDesc {
            target: TextureTarget::Buffer,
            format: Format::R8_UNORM,
            bind,
            width: size,
            height: 1,
            depth: 1,
            array_size: 1,
            last_level: 0,
            nr_samples: 0,
        }
    }

    /// Bytes per row of mip level 0, tightly packed.
    pub fn stride(&self) -> Option<u32> {
        self.format
            .row_bytes(self.width)
            .and_then(|b| u32::try_from(b).ok())
    }

    /// Bytes of guest backing for level 0 of every layer, tightly packed.
    pub fn backing_size(&self) -> Option<u32> {
        let layers = self.depth.max(1) * self.array_size.max(1);
        let b = self
            .format
            .box_bytes(self.width, self.height.max(1), layers)?;
        u32::try_from(b).ok()
    }

    /// The extent of level 0, with array layers counted as depth (as the backing stores them).
    pub fn extent(&self) -> crate::transfer::Extent {
        crate::transfer::Extent {
            width: self.width,
            height: self.height.max(1),
            depth: self.depth.max(1) * self.array_size.max(1),
        }
    }

    /// Where `region` of level 0 sits in the resource's backing: rows tightly packed, layers
    /// one after another.
    pub fn backing_layout(
        &self,
        region: crate::ccmd::Box3,
    ) -> crate::Result<crate::transfer::TransferLayout> {
        let extent = self.extent();
        let whole = crate::transfer::TransferLayout::packed(
            self.format,
            extent,
            crate::ccmd::Box3 {
                x: 0,
                y: 0,
                z: 0,
                w: extent.width,
                h: extent.height,
                d: 1,
            },
        )?;
        crate::transfer::TransferLayout::in_level(
            self.format,
            extent,
            region,
            whole.stride(),
            whole.packed_len(),
        )
    }

    fn dwords(&self, handle: u32) -> [u32; 10] {
        [
            handle,
            self.target.to_wire(),
            self.format.to_wire(),
            self.bind,
            self.width,
            self.height,
            self.depth,
            self.array_size,
            self.last_level,
            self.nr_samples,
        ]
    }
}

/// RESOURCE_CREATE (protocol 0/1): the client picks `handle`.
pub fn resource_create(handle: u32, desc: &ResourceDesc) -> Vec<u8> {
    message(cmd::RESOURCE_CREATE, &desc.dwords(handle))
}

/// RESOURCE_CREATE2 (protocol 2+): `handle` 0 from v3 on (the server assigns it), `shm_size`
/// bytes of backing the server returns as a memfd.
pub fn resource_create2(handle: u32, desc: &ResourceDesc, shm_size: u32) -> Vec<u8> {
    let mut p = desc.dwords(handle).to_vec();
    p.push(shm_size);
    message(cmd::RESOURCE_CREATE2, &p)
}

/// A transfer region, as TRANSFER_GET2/PUT2 take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer2 {
    pub handle: u32,
    pub level: u32,
    pub region: crate::ccmd::Box3,
    /// Byte offset into the shared backing where the region's first byte lives; rows are laid
    /// out with the level's packed stride.
    pub offset: u32,
}

/// TRANSFER_GET2 (host → backing) or TRANSFER_PUT2 (backing → host).
pub fn transfer2(id: u32, t: &Transfer2) -> Vec<u8> {
    let b = t.region;
    message(
        id,
        &[t.handle, t.level, b.x, b.y, b.z, b.w, b.h, b.d, 0, t.offset],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_renderer_length_is_in_bytes() {
        let m = create_renderer("abc");
        assert_eq!(&m[..8], &[4, 0, 0, 0, 8, 0, 0, 0]);
        assert_eq!(&m[8..], b"abc\0");
    }

    #[test]
    fn resource_create2_layout() {
        let d = ResourceDesc::texture_2d(Format::B8G8R8A8_UNORM, 16, 8, 2);
        let m = resource_create2(0, &d, 512);
        let words: Vec<u32> = m
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(words, [11, 12, 0, 2, 1, 2, 16, 8, 1, 1, 0, 0, 512]);
        assert_eq!(d.stride(), Some(64));
        assert_eq!(d.backing_size(), Some(512));
    }

    #[test]
    fn caps_reply_lengths_are_bytes_plus_one() {
        let h = MsgHeader { len: 309, id: 1 };
        assert_eq!(h.caps_bytes("caps", 1, 4096).unwrap(), 308);
        assert!(MsgHeader { len: 0, id: 1 }
            .caps_bytes("caps", 1, 4096)
            .is_err());
        assert!(MsgHeader { len: 309, id: 2 }
            .caps_bytes("caps", 1, 4096)
            .is_err());
    }
}
