//! The vtest transport: a client of virglrenderer's `virgl_test_server` over a Unix socket.
//!
//! Protocol versions 0 to 3 are spoken. From version 2 on, each resource's backing is a memfd the
//! server shares with us, and transfers name an offset into it; before that, transfer data
//! travels inline on the socket and the backing is local memory.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use virgl_proto::caps::{CapsV1, CapsV2};
use virgl_proto::vtest::{self as wire, cmd, MsgHeader, Transfer2, BUSY_WAIT_FLAG_WAIT};

use crate::error::{Error, Result};
use crate::sys::{poll_readable, recv_fd, Mapping};
use crate::transport::{Caps, Fence, ResourceDesc, ResourceId, Transfer, TransferRegion};

/// How long a reply may take before the server is considered hung.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest caps payload accepted from a server.
const MAX_CAPS_BYTES: usize = 1 << 16;

enum Backing {
    /// Protocol 2+: the server's memfd, mapped.
    Shared(Mapping),
    /// Protocol 0/1: local memory; transfers carry the bytes.
    Local(Vec<u8>),
    /// Nothing to back (a zero-sized resource).
    None,
}

struct VtestResource {
    desc: ResourceDesc,
    backing: Backing,
}

/// A connection to a vtest server.
pub struct Vtest {
    stream: UnixStream,
    path: PathBuf,
    version: u32,
    caps: Caps,
    resources: HashMap<ResourceId, VtestResource>,
    next_handle: u32,
}

impl Vtest {
    /// Connects to the server at `path`, negotiating the newest protocol both sides speak.
    pub fn connect(path: impl AsRef<Path>) -> Result<Vtest> {
        Self::connect_with_version(path, wire::PROTOCOL_VERSION)
    }

    /// Connects, offering at most protocol `max_version`; the server knows the client by this
    /// program's file name.
    pub fn connect_with_version(path: impl AsRef<Path>, max_version: u32) -> Result<Vtest> {
        let name = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "virgl-guest".into());
        Self::connect_as(path, &name, max_version)
    }

    /// Connects under the client name `name` (what CREATE_RENDERER sends, and the server's log
    /// lines name), offering at most protocol `max_version`.
    pub fn connect_as(path: impl AsRef<Path>, name: &str, max_version: u32) -> Result<Vtest> {
        let path = path.as_ref().to_path_buf();
        let stream = UnixStream::connect(&path).map_err(|e| Error::Io {
            call: "vtest connect",
            source: std::io::Error::new(e.kind(), format!("{}: {e}", path.display())),
        })?;
        stream
            .set_read_timeout(Some(REPLY_TIMEOUT))
            .and_then(|()| stream.set_write_timeout(Some(REPLY_TIMEOUT)))
            .map_err(|e| Error::io("vtest connect", e))?;
        let mut vt = Vtest {
            stream,
            path,
            version: 0,
            caps: Caps {
                v1: bytemuck::Zeroable::zeroed(),
                v2: None,
                v2_len: None,
            },
            resources: HashMap::new(),
            next_handle: 1,
        };
        vt.version = vt.negotiate(name, max_version)?;
        vt.caps = vt.read_caps()?;
        Ok(vt)
    }

    /// The negotiated protocol version.
    pub fn version(&self) -> u32 {
        self.version
    }

    fn send(&mut self, call: &'static str, bytes: &[u8]) -> Result<()> {
        self.stream.write_all(bytes).map_err(|e| Error::io(call, e))
    }

    fn read_bytes(&mut self, call: &'static str, buf: &mut [u8]) -> Result<()> {
        self.stream.read_exact(buf).map_err(|e| Error::io(call, e))
    }

    fn read_header(&mut self, call: &'static str) -> Result<MsgHeader> {
        let mut b = [0u8; 8];
        self.read_bytes(call, &mut b)?;
        Ok(MsgHeader::from_bytes(b))
    }

    fn read_u32(&mut self, call: &'static str) -> Result<u32> {
        let mut b = [0u8; 4];
        self.read_bytes(call, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    /// Reads a reply that must be `{len: 1, id}` plus one dword.
    fn read_reply_u32(&mut self, call: &'static str, id: u32) -> Result<u32> {
        let h = self.read_header(call)?;
        h.expect(call, id, 1).map_err(|e| Error::Protocol {
            call,
            detail: e.to_string(),
        })?;
        self.read_u32(call)
    }

    fn negotiate(&mut self, name: &str, max_version: u32) -> Result<u32> {
        const CALL: &str = "vtest protocol negotiation";
        let mut msg = wire::create_renderer(name);
        msg.extend(wire::bare(cmd::PING_PROTOCOL_VERSION));
        msg.extend(wire::busy_wait(0, 0));
        self.send(CALL, &msg)?;
        let h = self.read_header(CALL)?;
        match h.id {
            cmd::PING_PROTOCOL_VERSION if h.len == 0 => {
                self.read_reply_u32(CALL, cmd::RESOURCE_BUSY_WAIT)?;
                self.send(CALL, &wire::protocol_version(max_version))?;
                let v = self.read_reply_u32(CALL, cmd::PROTOCOL_VERSION)?;
                if v > max_version {
                    return Err(Error::Protocol {
                        call: CALL,
                        detail: format!(
                            "server chose version {v}, above the {max_version} offered"
                        ),
                    });
                }
                // Version 1 adds nothing usable without shared memory; treat it as 0 as Mesa does.
                Ok(if v == 1 { 0 } else { v })
            }
            cmd::RESOURCE_BUSY_WAIT if h.len == 1 => {
                self.read_u32(CALL)?;
                Ok(0)
            }
            _ => Err(Error::Protocol {
                call: CALL,
                detail: format!("unexpected reply id {} length {}", h.id, h.len),
            }),
        }
    }

    fn read_caps_reply(&mut self, call: &'static str, id: u32) -> Result<Vec<u8>> {
        let h = self.read_header(call)?;
        let n = h
            .caps_bytes(call, id, MAX_CAPS_BYTES)
            .map_err(|e| Error::Protocol {
                call,
                detail: e.to_string(),
            })?;
        let mut bytes = vec![0u8; n];
        self.read_bytes(call, &mut bytes)?;
        Ok(bytes)
    }

    fn read_caps(&mut self) -> Result<Caps> {
        self.send("vtest GET_CAPS2", &wire::bare(cmd::GET_CAPS2))?;
        let v2_bytes = self.read_caps_reply("vtest GET_CAPS2", cmd::GET_CAPS2_REPLY)?;
        let v2 = CapsV2::from_bytes(&v2_bytes)?;
        self.send("vtest GET_CAPS", &wire::bare(cmd::GET_CAPS))?;
        let v1_bytes = self.read_caps_reply("vtest GET_CAPS", cmd::GET_CAPS)?;
        Ok(Caps {
            v1: CapsV1::from_bytes(&v1_bytes)?,
            v2: Some(v2),
            v2_len: Some(v2_bytes.len()),
        })
    }

    fn resource(&mut self, call: &'static str, id: ResourceId) -> Result<&mut VtestResource> {
        self.resources
            .get_mut(&id)
            .ok_or_else(|| Error::InvalidArgument {
                call,
                detail: format!("unknown resource {}", id.0),
            })
    }

    fn busy_wait(&mut self) -> Result<()> {
        const CALL: &str = "vtest RESOURCE_BUSY_WAIT";
        self.send(CALL, &wire::busy_wait(0, BUSY_WAIT_FLAG_WAIT))?;
        self.read_reply_u32(CALL, cmd::RESOURCE_BUSY_WAIT)?;
        Ok(())
    }

    /// The byte range of the backing a transfer touches.
    fn span(desc: &ResourceDesc, t: &TransferRegion) -> Result<std::ops::Range<usize>> {
        let layout = t.layout(desc)?;
        layout.check_within(desc.backing_size().unwrap_or(0).into())?;
        let span = layout.span();
        Ok(span.start as usize..span.end as usize)
    }

    fn transfer(&mut self, id: ResourceId, t: &TransferRegion, dir: Transfer) -> Result<()> {
        let call = match dir {
            Transfer::ToHost => "vtest TRANSFER_PUT",
            Transfer::FromHost => "vtest TRANSFER_GET",
        };
        let version = self.version;
        let res = self.resource(call, id)?;
        let desc = res.desc;
        let span = Self::span(&desc, t)?;
        if version >= 2 {
            if Some(t.stride) != desc.stride() || t.level != 0 {
                return Err(Error::Unsupported {
                    call,
                    detail: "protocol 2+ transfers use level 0 with the packed stride".into(),
                });
            }
            let msg = wire::transfer2(
                match dir {
                    Transfer::ToHost => cmd::TRANSFER_PUT2,
                    Transfer::FromHost => cmd::TRANSFER_GET2,
                },
                &Transfer2 {
                    handle: id.0,
                    level: t.level,
                    region: t.region,
                    offset: t.offset,
                },
            );
            return self.send(call, &msg);
        }
        let b = t.region;
        let head = [
            id.0,
            t.level,
            t.stride,
            t.layer_stride,
            b.x,
            b.y,
            b.z,
            b.w,
            b.h,
            b.d,
            span.len() as u32,
        ];
        let (id_cmd, extra) = match dir {
            Transfer::ToHost => (cmd::TRANSFER_PUT, span.len().div_ceil(4) as u32),
            Transfer::FromHost => (cmd::TRANSFER_GET, 0),
        };
        let mut msg = MsgHeader {
            len: head.len() as u32 + extra,
            id: id_cmd,
        }
        .to_bytes()
        .to_vec();
        msg.extend(head.iter().flat_map(|d| d.to_le_bytes()));
        if let (Transfer::ToHost, Backing::Local(data)) = (dir, &res.backing) {
            msg.extend(&data[span.clone()]);
        }
        self.send(call, &msg)?;
        if dir == Transfer::FromHost {
            let mut buf = vec![0u8; span.len()];
            self.read_bytes(call, &mut buf)?;
            if let Backing::Local(data) = &mut self.resource(call, id)?.backing {
                data[span].copy_from_slice(&buf);
            }
        }
        Ok(())
    }
}

impl crate::transport::Transport for Vtest {
    fn describe(&self) -> String {
        format!("vtest {} (protocol {})", self.path.display(), self.version)
    }

    fn caps(&self) -> &Caps {
        &self.caps
    }

    fn create_resource(&mut self, desc: &ResourceDesc) -> Result<ResourceId> {
        let size = desc.backing_size().ok_or_else(|| Error::Unsupported {
            call: "vtest RESOURCE_CREATE",
            detail: format!("format {} has no simple block layout", desc.format),
        })?;
        let id;
        let backing;
        if self.version >= 2 {
            const CALL: &str = "vtest RESOURCE_CREATE2";
            let handle = if self.version >= 3 {
                0
            } else {
                self.next_handle
            };
            self.send(CALL, &wire::resource_create2(handle, desc, size))?;
            id = if self.version >= 3 {
                self.read_reply_u32(CALL, cmd::RESOURCE_CREATE2)?
            } else {
                self.next_handle += 1;
                handle
            };
            backing = if size > 0 {
                let fd = recv_fd(&self.stream, CALL)?;
                Backing::Shared(Mapping::new(fd.as_fd(), 0, size as usize, CALL)?)
            } else {
                Backing::None
            };
        } else {
            id = self.next_handle;
            self.next_handle += 1;
            self.send("vtest RESOURCE_CREATE", &wire::resource_create(id, desc))?;
            backing = Backing::Local(vec![0; size as usize]);
        }
        if id == 0 {
            return Err(Error::Protocol {
                call: "vtest RESOURCE_CREATE",
                detail: "server returned resource id 0".into(),
            });
        }
        self.resources.insert(
            ResourceId(id),
            VtestResource {
                desc: *desc,
                backing,
            },
        );
        Ok(ResourceId(id))
    }

    fn destroy_resource(&mut self, id: ResourceId) -> Result<()> {
        self.resource("vtest RESOURCE_UNREF", id)?;
        self.resources.remove(&id);
        self.send("vtest RESOURCE_UNREF", &wire::resource_unref(id.0))
    }

    fn backing(&mut self, id: ResourceId) -> Result<&mut [u8]> {
        Ok(match &mut self.resource("vtest backing", id)?.backing {
            Backing::Shared(m) => m.as_mut_slice(),
            Backing::Local(v) => v.as_mut_slice(),
            Backing::None => &mut [],
        })
    }

    fn transfer_to_host(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()> {
        self.transfer(id, t, Transfer::ToHost)
    }

    fn transfer_from_host(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()> {
        self.transfer(id, t, Transfer::FromHost)
    }

    fn submit(&mut self, stream: &[u32], _resources: &[ResourceId]) -> Result<Fence> {
        if !stream.is_empty() {
            self.send("vtest SUBMIT_CMD", &wire::submit_cmd(stream))?;
        }
        Ok(Fence::Implicit)
    }

    fn wait(&mut self, id: ResourceId) -> Result<()> {
        self.resource("vtest RESOURCE_BUSY_WAIT", id)?;
        self.busy_wait()
    }

    fn wait_fence(&mut self, fence: Fence) -> Result<()> {
        match fence {
            Fence::Implicit => self.busy_wait(),
            Fence::SyncFile(fd) => {
                if poll_readable(fd.as_fd(), REPLY_TIMEOUT, "vtest fence wait")? {
                    Ok(())
                } else {
                    Err(Error::Protocol {
                        call: "vtest fence wait",
                        detail: format!("fence did not signal within {REPLY_TIMEOUT:?}"),
                    })
                }
            }
        }
    }
}
