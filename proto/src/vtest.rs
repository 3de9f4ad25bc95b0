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

/// Payload dwords of the fixed-size commands (`VCMD_*_SIZE`). A server reads exactly this many
/// whatever the header says: Mesa declares TRANSFER_PUT2 as `10 + ceil(bytes / 4)` dwords
/// although only the 10 follow.
pub mod size {
    pub const RESOURCE_CREATE: usize = 10;
    pub const RESOURCE_CREATE2: usize = 11;
    pub const RESOURCE_UNREF: usize = 1;
    pub const TRANSFER: usize = 11;
    pub const TRANSFER2: usize = 10;
    pub const BUSY_WAIT: usize = 2;
    pub const PROTOCOL_VERSION: usize = 1;
    pub const GET_PARAM: usize = 1;
    pub const GET_CAPSET: usize = 2;
    pub const CONTEXT_INIT: usize = 1;
    pub const RESOURCE_CREATE_BLOB: usize = 6;
    pub const SYNC_CREATE: usize = 2;
    pub const SYNC_UNREF: usize = 1;
    pub const SYNC_READ: usize = 1;
    pub const SYNC_WRITE: usize = 3;
    /// SYNC_WAIT's fixed part (flags, timeout) before its (id, value) triples.
    pub const SYNC_WAIT_HEAD: usize = 2;
}

/// The name of command `id` (`VCMD_` dropped), for messages; `None` for ids no version defines.
pub fn command_name(id: u32) -> Option<&'static str> {
    const NAMES: [&str; 24] = [
        "GET_CAPS",
        "RESOURCE_CREATE",
        "RESOURCE_UNREF",
        "TRANSFER_GET",
        "TRANSFER_PUT",
        "SUBMIT_CMD",
        "RESOURCE_BUSY_WAIT",
        "CREATE_RENDERER",
        "GET_CAPS2",
        "PING_PROTOCOL_VERSION",
        "PROTOCOL_VERSION",
        "RESOURCE_CREATE2",
        "TRANSFER_GET2",
        "TRANSFER_PUT2",
        "GET_PARAM",
        "GET_CAPSET",
        "CONTEXT_INIT",
        "RESOURCE_CREATE_BLOB",
        "SYNC_CREATE",
        "SYNC_UNREF",
        "SYNC_READ",
        "SYNC_WRITE",
        "SYNC_WAIT",
        "SUBMIT_CMD2",
    ];
    NAMES
        .get(usize::try_from(id).ok()?.checked_sub(1)?)
        .copied()
}

/// The longest CREATE_RENDERER name a server reads, in bytes.
pub const MAX_RENDERER_NAME: u32 = 1 << 20;

/// RESOURCE_BUSY_WAIT flag: block until the resource is idle.
pub const BUSY_WAIT_FLAG_WAIT: u32 = 1;

/// GET_PARAM parameter ids (`VCMD_PARAM_*`).
pub mod param {
    /// How many timelines (SUBMIT_CMD2 ring indices) the server offers.
    pub const MAX_TIMELINE_COUNT: u32 = 1;
    /// Whether DRM timeline syncobjs are served (protocol 4).
    pub const HAS_TIMELINE_SYNCOBJ: u32 = 2;
}

/// The timelines virglrenderer's server offers: its GET_PARAM answer, and the bound on a
/// SUBMIT_CMD2 batch's ring index.
pub const MAX_TIMELINE_COUNT: u32 = 64;

/// SYNC_WAIT flag: ready when any one sync reaches its value, not all.
pub const SYNC_WAIT_FLAG_ANY: u32 = 1;

/// SUBMIT_CMD2 batch flag: the batch's syncs signal on its ring's timeline.
pub const SUBMIT_CMD2_FLAG_RING_IDX: u32 = 1;

/// Dwords of one SUBMIT_CMD2 batch header (`struct vcmd_submit_cmd2_batch`: six fields, then two
/// that protocol 4 uses and earlier versions leave zero).
pub const SUBMIT_CMD2_BATCH_DWORDS: usize = 8;

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

/// A message: header and payload dwords (also the shape of most replies).
pub fn message(id: u32, payload: &[u32]) -> Vec<u8> {
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

    /// Parses the nine dwords that follow the handle in RESOURCE_CREATE(2).
    pub fn from_dwords(d: &[u32; 9]) -> Result<ResourceDesc> {
        let bad = |detail: String| Error::Vtest {
            what: "resource description",
            detail,
        };
        Ok(ResourceDesc {
            target: TextureTarget::from_wire(d[0])
                .ok_or_else(|| bad(format!("target {} is not a texture target", d[0])))?,
            format: Format::from_wire(d[1])
                .ok_or_else(|| bad(format!("format {} is not a virgl format", d[1])))?,
            bind: d[2],
            width: d[3],
            height: d[4],
            depth: d[5],
            array_size: d[6],
            last_level: d[7],
            nr_samples: d[8],
        })
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

/// A RESOURCE_CREATE or RESOURCE_CREATE2 request, as a server reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceCreate {
    /// The client's handle; 0 from protocol 3 on.
    pub handle: u32,
    pub desc: ResourceDesc,
    /// Bytes of shared backing asked for (RESOURCE_CREATE2 only; 0 for none).
    pub shm_size: u32,
}

impl ResourceCreate {
    /// Parses a RESOURCE_CREATE payload (10 dwords) or a RESOURCE_CREATE2 one (11).
    pub fn decode(p: &[u32]) -> Result<ResourceCreate> {
        let (fields, shm_size) = match p.len() {
            size::RESOURCE_CREATE => (p, 0),
            size::RESOURCE_CREATE2 => (&p[..10], p[10]),
            n => {
                return Err(Error::Vtest {
                    what: "RESOURCE_CREATE",
                    detail: format!("{n} dwords, expected 10 or 11"),
                })
            }
        };
        let desc: &[u32; 9] = fields[1..].try_into().expect("10 dwords");
        Ok(ResourceCreate {
            handle: fields[0],
            desc: ResourceDesc::from_dwords(desc)?,
            shm_size,
        })
    }
}

/// TRANSFER_GET and TRANSFER_PUT (protocol 0/1): the data travels on the socket, laid out with
/// the given strides (0 meaning packed rows of the whole level).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferInline {
    pub handle: u32,
    pub level: u32,
    pub stride: u32,
    pub layer_stride: u32,
    pub region: crate::ccmd::Box3,
    /// Bytes that follow a PUT, or that the server sends back for a GET.
    pub data_size: u32,
}

impl TransferInline {
    /// Parses the 11-dword header.
    pub fn decode(p: &[u32; size::TRANSFER]) -> TransferInline {
        TransferInline {
            handle: p[0],
            level: p[1],
            stride: p[2],
            layer_stride: p[3],
            region: crate::ccmd::Box3 {
                x: p[4],
                y: p[5],
                z: p[6],
                w: p[7],
                h: p[8],
                d: p[9],
            },
            data_size: p[10],
        }
    }

    fn dwords(&self) -> [u32; size::TRANSFER] {
        let b = self.region;
        [
            self.handle,
            self.level,
            self.stride,
            self.layer_stride,
            b.x,
            b.y,
            b.z,
            b.w,
            b.h,
            b.d,
            self.data_size,
        ]
    }
}

/// TRANSFER_GET (`data` empty) or TRANSFER_PUT followed by `data`, which must be
/// `t.data_size` bytes. The PUT header declares `11 + ceil(bytes / 4)` dwords as Mesa does,
/// though only the bytes follow.
pub fn transfer_inline(id: u32, t: &TransferInline, data: &[u8]) -> Vec<u8> {
    let mut out = message(id, &t.dwords());
    if id == cmd::TRANSFER_PUT {
        let len = size::TRANSFER as u32 + t.data_size.div_ceil(4);
        out[..4].copy_from_slice(&len.to_le_bytes());
        out.extend(data);
    }
    out
}

impl Transfer2 {
    /// Parses TRANSFER_GET2/PUT2's 10 dwords; the data size (dword 8) means nothing to a
    /// server and is dropped.
    pub fn decode(p: &[u32; size::TRANSFER2]) -> Transfer2 {
        Transfer2 {
            handle: p[0],
            level: p[1],
            region: crate::ccmd::Box3 {
                x: p[2],
                y: p[3],
                z: p[4],
                w: p[5],
                h: p[6],
                d: p[7],
            },
            offset: p[9],
        }
    }
}

/// A sync object and a value: what SYNC_WRITE sets, SYNC_WAIT waits for and SUBMIT_CMD2
/// signals. Three dwords on the wire: id, value low, value high.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyncPoint {
    pub id: u32,
    pub value: u64,
}

impl SyncPoint {
    /// Parses the triples of `p`, whose length must be a multiple of 3.
    pub fn decode_all(p: &[u32]) -> Vec<SyncPoint> {
        p.chunks_exact(3)
            .map(|t| SyncPoint {
                id: t[0],
                value: u64::from(t[1]) | (u64::from(t[2]) << 32),
            })
            .collect()
    }

    fn dwords(&self) -> [u32; 3] {
        [self.id, self.value as u32, (self.value >> 32) as u32]
    }
}

/// SYNC_CREATE with an initial value.
pub fn sync_create(value: u64) -> Vec<u8> {
    message(cmd::SYNC_CREATE, &[value as u32, (value >> 32) as u32])
}

/// SYNC_UNREF.
pub fn sync_unref(id: u32) -> Vec<u8> {
    message(cmd::SYNC_UNREF, &[id])
}

/// SYNC_READ.
pub fn sync_read(id: u32) -> Vec<u8> {
    message(cmd::SYNC_READ, &[id])
}

/// SYNC_WRITE.
pub fn sync_write(point: SyncPoint) -> Vec<u8> {
    message(cmd::SYNC_WRITE, &point.dwords())
}

/// A SYNC_WAIT request: the reply is an fd that becomes readable once the points are reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncWait {
    /// [`SYNC_WAIT_FLAG_ANY`] or 0.
    pub flags: u32,
    /// Milliseconds the server keeps watching; 0 for a poll.
    pub timeout_ms: u32,
    pub points: Vec<SyncPoint>,
}

impl SyncWait {
    /// Parses a SYNC_WAIT payload: flags, timeout, then whole (id, value) triples.
    pub fn decode(p: &[u32]) -> Result<SyncWait> {
        if p.len() < size::SYNC_WAIT_HEAD || !(p.len() - size::SYNC_WAIT_HEAD).is_multiple_of(3) {
            return Err(Error::Vtest {
                what: "SYNC_WAIT",
                detail: format!("{} dwords is not 2 + 3n", p.len()),
            });
        }
        Ok(SyncWait {
            flags: p[0],
            timeout_ms: p[1],
            points: SyncPoint::decode_all(&p[size::SYNC_WAIT_HEAD..]),
        })
    }
}

/// SYNC_WAIT.
pub fn sync_wait(w: &SyncWait) -> Vec<u8> {
    let mut p = vec![w.flags, w.timeout_ms];
    p.extend(w.points.iter().flat_map(SyncPoint::dwords));
    message(cmd::SYNC_WAIT, &p)
}

/// One batch of a SUBMIT_CMD2: a command stream and the syncs to signal once it is done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submit2Batch<'a> {
    /// [`SUBMIT_CMD2_FLAG_RING_IDX`] or 0.
    pub flags: u32,
    /// The timeline the syncs signal on, below [`MAX_TIMELINE_COUNT`].
    pub ring_idx: u32,
    pub commands: &'a [u32],
    pub syncs: Vec<SyncPoint>,
}

impl<'a> Submit2Batch<'a> {
    /// Parses a SUBMIT_CMD2 payload: the batch count, the batch headers, then the streams and
    /// sync triples they point at by dword offset into the payload. Every range is checked.
    pub fn decode_all(p: &'a [u32]) -> Result<Vec<Submit2Batch<'a>>> {
        let bad = |detail: String| Error::Vtest {
            what: "SUBMIT_CMD2",
            detail,
        };
        let (&count, rest) = p
            .split_first()
            .ok_or_else(|| bad("no batch count".into()))?;
        let headers = (count as usize)
            .checked_mul(SUBMIT_CMD2_BATCH_DWORDS)
            .filter(|&n| n <= rest.len())
            .ok_or_else(|| bad(format!("{count} batches do not fit in {} dwords", p.len())))?;
        let range = |what: &str, i: usize, start: u32, dwords: Option<u64>| {
            let end = dwords.and_then(|n| u64::from(start).checked_add(n));
            match end {
                Some(end) if end <= p.len() as u64 => Ok(start as usize..end as usize),
                _ => Err(bad(format!(
                    "batch {i}: {what} at dword {start} run past the {} dwords",
                    p.len()
                ))),
            }
        };
        rest[..headers]
            .chunks_exact(SUBMIT_CMD2_BATCH_DWORDS)
            .enumerate()
            .map(|(i, h)| {
                let commands = range("commands", i, h[1], Some(u64::from(h[2])))?;
                let syncs = range("syncs", i, h[3], u64::from(h[4]).checked_mul(3))?;
                if h[5] >= MAX_TIMELINE_COUNT {
                    return Err(bad(format!(
                        "batch {i}: ring index {} is not below {MAX_TIMELINE_COUNT}",
                        h[5]
                    )));
                }
                Ok(Submit2Batch {
                    flags: h[0],
                    ring_idx: h[5],
                    commands: &p[commands],
                    syncs: SyncPoint::decode_all(&p[syncs]),
                })
            })
            .collect()
    }
}

/// SUBMIT_CMD2 with `batches`, laid out as Mesa does: headers, then every stream, then every
/// sync triple.
pub fn submit_cmd2(batches: &[Submit2Batch<'_>]) -> Vec<u8> {
    let mut p = vec![batches.len() as u32];
    let mut next = 1 + batches.len() * SUBMIT_CMD2_BATCH_DWORDS;
    let mut streams = Vec::new();
    let mut syncs = Vec::new();
    let sync_base = next + batches.iter().map(|b| b.commands.len()).sum::<usize>();
    for b in batches {
        p.extend([
            b.flags,
            next as u32,
            b.commands.len() as u32,
            (sync_base + syncs.len()) as u32,
            b.syncs.len() as u32,
            b.ring_idx,
            0,
            0,
        ]);
        next += b.commands.len();
        streams.extend_from_slice(b.commands);
        syncs.extend(b.syncs.iter().flat_map(SyncPoint::dwords));
    }
    p.extend(streams);
    p.extend(syncs);
    message(cmd::SUBMIT_CMD2, &p)
}

/// GET_PARAM (v3).
pub fn get_param(param: u32) -> Vec<u8> {
    message(cmd::GET_PARAM, &[param])
}

/// CONTEXT_INIT (v3): the capset the context is made for.
pub fn context_init(capset: u32) -> Vec<u8> {
    message(cmd::CONTEXT_INIT, &[capset])
}

/// The GET_CAPS / GET_CAPS2 reply: its length is the caps' byte count plus one.
pub fn caps_reply(id: u32, caps: &[u8]) -> Vec<u8> {
    let mut out = MsgHeader {
        len: caps.len() as u32 + 1,
        id,
    }
    .to_bytes()
    .to_vec();
    out.extend(caps);
    out
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

    fn words(m: &[u8]) -> Vec<u32> {
        m.chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    #[test]
    fn command_names_cover_every_id_once() {
        assert_eq!(command_name(0), None);
        assert_eq!(command_name(cmd::GET_CAPS), Some("GET_CAPS"));
        assert_eq!(command_name(cmd::TRANSFER_PUT2), Some("TRANSFER_PUT2"));
        assert_eq!(command_name(cmd::SUBMIT_CMD2), Some("SUBMIT_CMD2"));
        assert_eq!(command_name(25), None);
        assert_eq!(command_name(u32::MAX), None);
    }

    #[test]
    fn resource_create_decodes_what_the_encoders_write() {
        let d = ResourceDesc::texture_2d(Format::B8G8R8A8_UNORM, 16, 8, 2);
        let v0 = words(&resource_create(7, &d));
        let r = ResourceCreate::decode(&v0[2..]).unwrap();
        assert_eq!((r.handle, r.desc, r.shm_size), (7, d, 0));
        let v2 = words(&resource_create2(0, &d, 512));
        let r = ResourceCreate::decode(&v2[2..]).unwrap();
        assert_eq!((r.handle, r.desc, r.shm_size), (0, d, 512));

        let mut bad = v2[2..].to_vec();
        bad[2] = 100_000;
        let e = ResourceCreate::decode(&bad).unwrap_err();
        assert!(e.to_string().contains("format 100000"), "{e}");
        assert!(ResourceCreate::decode(&bad[..9]).is_err());
    }

    #[test]
    fn transfer_put_declares_rounded_dwords_but_carries_bytes() {
        let t = TransferInline {
            handle: 3,
            level: 0,
            stride: 12,
            layer_stride: 0,
            region: crate::ccmd::Box3::new_2d(0, 0, 2, 1),
            data_size: 6,
        };
        let m = transfer_inline(cmd::TRANSFER_PUT, &t, b"abcdef");
        assert_eq!(words(&m[..8]), [11 + 2, cmd::TRANSFER_PUT]);
        assert_eq!(m.len(), 8 + 44 + 6);
        let head: [u32; 11] = words(&m[8..52]).try_into().unwrap();
        assert_eq!(TransferInline::decode(&head), t);
        let get = transfer_inline(cmd::TRANSFER_GET, &t, &[]);
        assert_eq!(words(&get[..8]), [11, cmd::TRANSFER_GET]);
        assert_eq!(get.len(), 52);
    }

    #[test]
    fn transfer2_decode_drops_the_data_size() {
        let t = Transfer2 {
            handle: 1,
            level: 2,
            region: crate::ccmd::Box3::new_2d(1, 2, 3, 4),
            offset: 64,
        };
        let m = words(&transfer2(cmd::TRANSFER_GET2, &t));
        assert_eq!(Transfer2::decode(&m[2..].try_into().unwrap()), t);
    }

    #[test]
    fn sync_wait_round_trips_and_refuses_ragged_triples() {
        let w = SyncWait {
            flags: SYNC_WAIT_FLAG_ANY,
            timeout_ms: 100,
            points: vec![
                SyncPoint { id: 1, value: 5 },
                SyncPoint {
                    id: 2,
                    value: 1 << 40,
                },
            ],
        };
        let m = words(&sync_wait(&w));
        assert_eq!(m[..2], [8, cmd::SYNC_WAIT]);
        assert_eq!(SyncWait::decode(&m[2..]).unwrap(), w);
        assert!(SyncWait::decode(&m[2..9]).is_err());
        assert!(SyncWait::decode(&[0]).is_err());
    }

    #[test]
    fn submit_cmd2_round_trips() {
        let a = [1, 2, 3];
        let b = [9];
        let batches = vec![
            Submit2Batch {
                flags: 0,
                ring_idx: 0,
                commands: &a,
                syncs: vec![SyncPoint { id: 4, value: 7 }],
            },
            Submit2Batch {
                flags: SUBMIT_CMD2_FLAG_RING_IDX,
                ring_idx: 63,
                commands: &b,
                syncs: vec![
                    SyncPoint { id: 5, value: 1 },
                    SyncPoint {
                        id: 6,
                        value: u64::MAX,
                    },
                ],
            },
        ];
        let m = words(&submit_cmd2(&batches));
        assert_eq!(m[0] as usize, m.len() - 2);
        assert_eq!(Submit2Batch::decode_all(&m[2..]).unwrap(), batches);
    }

    #[test]
    fn submit_cmd2_ranges_are_checked() {
        let cmds = [0u32; 2];
        let one = |ring_idx| {
            words(&submit_cmd2(&[Submit2Batch {
                flags: 0,
                ring_idx,
                commands: &cmds,
                syncs: vec![SyncPoint { id: 1, value: 1 }],
            }]))[2..]
                .to_vec()
        };
        let good = one(0);
        assert!(Submit2Batch::decode_all(&good).is_ok());
        let e = Submit2Batch::decode_all(&one(64)).unwrap_err();
        assert!(e.to_string().contains("ring index 64"), "{e}");

        let mut p = good.clone();
        p[0] = u32::MAX;
        let e = Submit2Batch::decode_all(&p).unwrap_err();
        assert!(e.to_string().contains("batches do not fit"), "{e}");
        for (field, value, what) in [
            (2, u32::MAX, "commands"),
            (3, 100, "commands"),
            (4, u32::MAX - 1, "syncs"),
            (5, u32::MAX, "syncs"),
        ] {
            let mut p = good.clone();
            p[field] = value;
            let e = Submit2Batch::decode_all(&p).unwrap_err();
            assert!(e.to_string().contains(what), "{field}: {e}");
        }
        assert!(Submit2Batch::decode_all(&[]).is_err());
    }

    #[test]
    fn caps_reply_length_is_bytes_plus_one() {
        let m = caps_reply(cmd::GET_CAPS2_REPLY, &[7; 12]);
        let h = MsgHeader::from_bytes(m[..8].try_into().unwrap());
        assert_eq!(h.caps_bytes("caps", cmd::GET_CAPS2_REPLY, 64).unwrap(), 12);
        assert_eq!(m.len(), 20);
    }
}
