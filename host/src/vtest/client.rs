//! One vtest connection: its protocol version, its context, its resources and syncs, and the
//! handling of each command.
//!
//! # Errors
//!
//! What a client does wrong ends in one of two ways:
//! - **The client is dropped** ([`Client::serve_one`] returns the error) when the stream cannot
//!   go on or the client waits for an answer the protocol cannot give as an error: a bad header,
//!   an unknown command, a length over [`MAX_LENGTH`], a resource or context the renderer
//!   refuses to make (or one over the client's [`Quota`]), an unknown sync. virglrenderer
//!   drops the client then too.
//! - **The command is refused and the client served on** when the renderer refuses a command
//!   that has no reply: a SUBMIT_CMD whose stream fails (the context stays in error and the
//!   renderer refuses its later submissions; a CREATE_OBJECT over the quota's object limit is
//!   such a failure), a transfer outside its resource. The refusal is
//!   logged as one line naming the client, the command and the renderer's error; a refused
//!   inline TRANSFER_GET still sends its bytes, zeroed, so the stream stays in step.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::Arc;

use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
use virgl_proto::caps::{self, CAPSET_VIRGL, CAPSET_VIRGL2};
use virgl_proto::ccmd::{to_bytes, TransferTarget};
use virgl_proto::vtest::{
    self as wire, cmd, command_name, message, param, size, MsgHeader, ResourceCreate, Submit2Batch,
    SyncPoint, SyncWait, Transfer2, TransferInline, BUSY_WAIT_FLAG_WAIT, MAX_RENDERER_NAME,
    MAX_TIMELINE_COUNT,
};

use super::options::default_quota;
use super::shm::{send_fd, SharedMemory};
use super::sync::Syncs;
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::quota::{resource_bytes, Quota, ResourceAccount};
use crate::renderer::{GuestBytes, Renderer};

/// The longest variable-length payload a client may send, in bytes: a SUBMIT_CMD(2) stream,
/// a SYNC_WAIT, inline transfer data. virglrenderer's fuzzer uses the same bound.
pub const MAX_LENGTH: usize = 256 << 20;

/// Where log lines go: one line each, without a trailing newline.
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// A log that writes each line to stderr after `virgl-host-vtest: `.
pub fn stderr_log() -> Log {
    Arc::new(|line| eprintln!("virgl-host-vtest: {line}"))
}

/// What the clients of one server process share: the renderer, the ids handed out, the log,
/// the quota each client is held to.
pub struct Host<B: Backend> {
    renderer: Renderer<B>,
    multi_clients: bool,
    quota: Quota,
    contexts: HashSet<u32>,
    last_ctx: u32,
    last_resource: u32,
    log: Log,
}

impl<B: Backend> Host<B> {
    /// A host over `renderer`, holding each client to the default quota
    /// ([`default_quota`](super::options::default_quota)). With `multi_clients`, clients must
    /// speak protocol 3, as virglrenderer's server requires when it serves many clients in one
    /// process.
    pub fn new(renderer: Renderer<B>, multi_clients: bool, log: Log) -> Host<B> {
        Host::with_quota(renderer, multi_clients, default_quota(), log)
    }

    /// [`Host::new`] holding each client to `quota`: its context to the object limit, its
    /// resources to the others.
    pub fn with_quota(
        mut renderer: Renderer<B>,
        multi_clients: bool,
        quota: Quota,
        log: Log,
    ) -> Host<B> {
        renderer.set_object_limit(Some(quota.objects));
        Host {
            renderer,
            multi_clients,
            quota,
            contexts: HashSet::new(),
            last_ctx: 0,
            last_resource: 0,
            log,
        }
    }

    /// The quota each client is held to.
    pub fn quota(&self) -> &Quota {
        &self.quota
    }

    /// The renderer.
    pub fn renderer(&self) -> &Renderer<B> {
        &self.renderer
    }

    /// The renderer, mutably.
    pub fn renderer_mut(&mut self) -> &mut Renderer<B> {
        &mut self.renderer
    }

    /// Writes one line to the log.
    pub fn log(&self, line: &str) {
        (self.log)(line)
    }

    fn new_context_id(&mut self) -> u32 {
        let mut id = self.last_ctx;
        loop {
            id = id.wrapping_add(1);
            if id != 0 && !self.contexts.contains(&id) && self.renderer.context(id).is_none() {
                break;
            }
        }
        self.last_ctx = id;
        self.contexts.insert(id);
        id
    }

    fn new_resource_id(&mut self) -> u32 {
        let mut id = self.last_resource;
        loop {
            id = id.wrapping_add(1);
            if id != 0 && self.renderer.resource(id).is_none() {
                break;
            }
        }
        self.last_resource = id;
        id
    }
}

/// What [`Client::serve_one`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// A command was handled; more may follow.
    Continue,
    /// The client closed the connection between messages.
    Closed,
}

/// One connected client. Call [`Client::close`] when done with it: its resources and context
/// live in the host's renderer.
pub struct Client {
    stream: UnixStream,
    pid: Option<i32>,
    name: Option<String>,
    /// 0 until CREATE_RENDERER.
    ctx: u32,
    context_live: bool,
    capset: Option<u32>,
    version: u32,
    resources: ResourceAccount,
    syncs: Syncs,
    refused_submits: u64,
}

fn refused(command: &'static str) -> impl FnOnce(Error) -> Error {
    move |e| Error::VtestRefused {
        command,
        source: Box::new(e),
    }
}

fn bad(command: &'static str, detail: impl Into<String>) -> Error {
    Error::Vtest {
        command,
        detail: detail.into(),
    }
}

fn le_dwords(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// Whether a command makes the client's context first (virglrenderer's `init_context`).
fn needs_context(id: u32) -> bool {
    matches!(
        id,
        cmd::RESOURCE_CREATE
            | cmd::RESOURCE_UNREF
            | cmd::TRANSFER_GET
            | cmd::TRANSFER_PUT
            | cmd::SUBMIT_CMD
            | cmd::RESOURCE_CREATE2
            | cmd::TRANSFER_GET2
            | cmd::TRANSFER_PUT2
            | cmd::RESOURCE_CREATE_BLOB
            | cmd::SYNC_CREATE
            | cmd::SYNC_UNREF
            | cmd::SYNC_READ
            | cmd::SYNC_WRITE
            | cmd::SYNC_WAIT
            | cmd::SUBMIT_CMD2
    )
}

impl Client {
    /// A client on a connected stream.
    pub fn new(stream: UnixStream) -> Client {
        let pid = getsockopt(&stream, PeerCredentials).ok().map(|c| c.pid());
        Client {
            stream,
            pid,
            name: None,
            ctx: 0,
            context_live: false,
            capset: None,
            version: 0,
            resources: ResourceAccount::new(),
            syncs: Syncs::default(),
            refused_submits: 0,
        }
    }

    /// The client for log lines: `client "glxgears" (pid 4242, ctx 1)`.
    pub fn label(&self) -> String {
        let mut s = String::from("client");
        if let Some(name) = &self.name {
            s += &format!(" {name:?}");
        }
        let mut ids = Vec::new();
        if let Some(pid) = self.pid {
            ids.push(format!("pid {pid}"));
        }
        if self.ctx != 0 {
            ids.push(format!("ctx {}", self.ctx));
        }
        if !ids.is_empty() {
            s += &format!(" ({})", ids.join(", "));
        }
        s
    }

    /// The negotiated protocol version (0 until PROTOCOL_VERSION).
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The client's context id, once CREATE_RENDERER has named it.
    pub fn context_id(&self) -> Option<u32> {
        (self.ctx != 0).then_some(self.ctx)
    }

    /// The resources the client holds, with their bytes.
    pub fn resources(&self) -> &ResourceAccount {
        &self.resources
    }

    /// The stream, for polling.
    pub fn stream(&self) -> &UnixStream {
        &self.stream
    }

    /// Serves commands until the client leaves or is dropped for an error (logged), then
    /// closes it.
    pub fn run<B: Backend>(mut self, host: &mut Host<B>) {
        loop {
            match self.serve_one(host) {
                Ok(Flow::Continue) => {}
                Ok(Flow::Closed) => break,
                Err(e) => {
                    host.log(&format!("{}: {e}; client dropped", self.label()));
                    break;
                }
            }
        }
        self.close(host);
    }

    /// Frees the client's resources and context.
    pub fn close<B: Backend>(self, host: &mut Host<B>) {
        for id in self.resources.ids() {
            host.renderer.unref_resource(id);
        }
        if self.context_live {
            host.renderer.destroy_context(self.ctx);
        }
        host.contexts.remove(&self.ctx);
        if self.refused_submits > 0 {
            host.log(&format!(
                "{}: {} later submissions were refused after the context's error",
                self.label(),
                self.refused_submits
            ));
        }
    }

    /// Reads and handles one message. An error means the client must be dropped.
    pub fn serve_one<B: Backend>(&mut self, host: &mut Host<B>) -> Result<Flow> {
        let Some(h) = self.read_header()? else {
            return Ok(Flow::Closed);
        };
        let Some(command) = command_name(h.id) else {
            return Err(bad("header", format!("unknown command id {}", h.id)));
        };
        if self.ctx == 0 && h.id != cmd::CREATE_RENDERER {
            return Err(bad(command, "the first command must be CREATE_RENDERER"));
        }
        if needs_context(h.id) {
            self.init_context(host, command)?;
        }
        match h.id {
            cmd::CREATE_RENDERER => self.create_renderer(host, h.len),
            cmd::GET_CAPS | cmd::GET_CAPS2 => self.get_caps(host, h.id),
            cmd::PING_PROTOCOL_VERSION => self.send(command, &message(h.id, &[])),
            cmd::PROTOCOL_VERSION => self.protocol_version(host),
            cmd::GET_PARAM => self.get_param(),
            cmd::GET_CAPSET => self.get_capset(host),
            cmd::CONTEXT_INIT => self.context_init(host),
            cmd::RESOURCE_CREATE | cmd::RESOURCE_CREATE2 => self.resource_create(host, h.id),
            cmd::RESOURCE_UNREF => self.resource_unref(host),
            cmd::TRANSFER_GET | cmd::TRANSFER_PUT => self.transfer_inline(host, h.id),
            cmd::TRANSFER_GET2 | cmd::TRANSFER_PUT2 => self.transfer2(host, h.id),
            cmd::SUBMIT_CMD => self.submit_cmd(host, h.len),
            cmd::RESOURCE_BUSY_WAIT => self.busy_wait(host),
            cmd::RESOURCE_CREATE_BLOB => {
                self.read_dwords::<{ size::RESOURCE_CREATE_BLOB }>(command)?;
                Err(bad(command, "blob resources are not supported"))
            }
            cmd::SYNC_CREATE => self.sync_create(),
            cmd::SYNC_UNREF => {
                let [id] = self.read_dwords::<{ size::SYNC_UNREF }>(command)?;
                self.syncs.unref(id);
                Ok(())
            }
            cmd::SYNC_READ => self.sync_read(),
            cmd::SYNC_WRITE => {
                let p = self.read_dwords::<{ size::SYNC_WRITE }>(command)?;
                self.syncs.signal(command, &SyncPoint::decode_all(&p))
            }
            cmd::SYNC_WAIT => self.sync_wait(h.len),
            cmd::SUBMIT_CMD2 => self.submit_cmd2(host, h.len),
            _ => unreachable!("command_name knows only the ids above"),
        }?;
        Ok(Flow::Continue)
    }

    // ---- reading and writing ----

    /// The next header, or `None` at a clean end of stream.
    fn read_header(&mut self) -> Result<Option<MsgHeader>> {
        let mut b = [0u8; 8];
        let mut got = 0;
        while got < b.len() {
            match self.stream.read(&mut b[got..]) {
                Ok(0) if got == 0 => return Ok(None),
                Ok(0) => return Err(bad("header", format!("the stream ended after {got} bytes"))),
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(Error::Io {
                        call: "reading a header",
                        source,
                    })
                }
            }
        }
        Ok(Some(MsgHeader::from_bytes(b)))
    }

    fn read_exact(&mut self, command: &'static str, buf: &mut [u8]) -> Result<()> {
        self.stream.read_exact(buf).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                bad(
                    command,
                    format!("the stream ended inside a {}-byte payload", buf.len()),
                )
            } else {
                Error::Io {
                    call: "reading a payload",
                    source: e,
                }
            }
        })
    }

    fn read_dwords<const N: usize>(&mut self, command: &'static str) -> Result<[u32; N]> {
        let mut b = vec![0u8; N * 4];
        self.read_exact(command, &mut b)?;
        let mut out = [0u32; N];
        for (o, c) in out.iter_mut().zip(b.chunks_exact(4)) {
            *o = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
        Ok(out)
    }

    /// Reads `len` bytes, checked against [`MAX_LENGTH`] first; memory grows only as bytes
    /// arrive.
    fn read_payload(&mut self, command: &'static str, len: u64) -> Result<Vec<u8>> {
        if len > MAX_LENGTH as u64 {
            return Err(bad(
                command,
                format!("{len} bytes is over the {MAX_LENGTH}-byte limit"),
            ));
        }
        let mut data = Vec::new();
        (&mut self.stream)
            .take(len)
            .read_to_end(&mut data)
            .map_err(|source| Error::Io {
                call: "reading a payload",
                source,
            })?;
        if data.len() as u64 != len {
            return Err(bad(
                command,
                format!(
                    "the stream ended {} bytes into a {len}-byte payload",
                    data.len()
                ),
            ));
        }
        Ok(data)
    }

    fn send(&mut self, command: &'static str, bytes: &[u8]) -> Result<()> {
        self.stream
            .write_all(bytes)
            .map_err(|source| Error::Io {
                call: "writing a reply",
                source,
            })
            .map_err(refused(command))
    }

    /// Logs a refused command; the client is served on. Refusals of a context already in
    /// error are only counted, as their cause was logged.
    fn report<B: Backend>(&mut self, host: &Host<B>, command: &'static str, e: Error) {
        if matches!(e, Error::ContextLost { .. }) {
            self.refused_submits += 1;
        } else {
            host.log(&format!("{}: {command}: {e}", self.label()));
        }
    }

    // ---- handshake, caps, context ----

    fn create_renderer<B: Backend>(&mut self, host: &mut Host<B>, len: u32) -> Result<()> {
        const COMMAND: &str = "CREATE_RENDERER";
        if self.ctx != 0 {
            return Err(bad(COMMAND, "sent twice"));
        }
        if len > MAX_RENDERER_NAME {
            return Err(bad(
                COMMAND,
                format!("a {len}-byte name is over the {MAX_RENDERER_NAME}-byte limit"),
            ));
        }
        let bytes = self.read_payload(COMMAND, len.into())?;
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        self.name = Some(String::from_utf8_lossy(&bytes[..end]).into_owned());
        self.ctx = host.new_context_id();
        Ok(())
    }

    fn init_context<B: Backend>(
        &mut self,
        host: &mut Host<B>,
        command: &'static str,
    ) -> Result<()> {
        if self.context_live {
            return Ok(());
        }
        if host.multi_clients && self.version < 3 {
            return Err(bad(
                command,
                format!(
                    "protocol version {} is below 3, which --multi-clients requires",
                    self.version
                ),
            ));
        }
        let name = self.name.clone().unwrap_or_default();
        host.renderer
            .create_context(self.ctx, &name)
            .map_err(refused(command))?;
        self.context_live = true;
        Ok(())
    }

    fn get_caps<B: Backend>(&mut self, host: &mut Host<B>, id: u32) -> Result<()> {
        let (command, set, reply) = if id == cmd::GET_CAPS {
            ("GET_CAPS", CAPSET_VIRGL, cmd::GET_CAPS)
        } else {
            ("GET_CAPS2", CAPSET_VIRGL2, cmd::GET_CAPS2_REPLY)
        };
        let caps = match host.renderer.capset(set) {
            Some(c) => c,
            None if id == cmd::GET_CAPS => Vec::new(),
            None => return Err(bad(command, "the renderer has no capset 2")),
        };
        self.send(command, &wire::caps_reply(reply, &caps))
    }

    fn protocol_version<B: Backend>(&mut self, host: &Host<B>) -> Result<()> {
        const COMMAND: &str = "PROTOCOL_VERSION";
        let [asked] = self.read_dwords::<{ size::PROTOCOL_VERSION }>(COMMAND)?;
        let version = match asked.min(wire::PROTOCOL_VERSION) {
            1 => 0,
            v => v,
        };
        if host.multi_clients && version < 3 {
            return Err(bad(
                COMMAND,
                format!("version {version} is below 3, which --multi-clients requires"),
            ));
        }
        self.version = version;
        self.send(COMMAND, &message(cmd::PROTOCOL_VERSION, &[version]))
    }

    fn get_param(&mut self) -> Result<()> {
        const COMMAND: &str = "GET_PARAM";
        let [p] = self.read_dwords::<{ size::GET_PARAM }>(COMMAND)?;
        let answer = match p {
            param::MAX_TIMELINE_COUNT => [1, MAX_TIMELINE_COUNT],
            _ => [0, 0],
        };
        self.send(COMMAND, &message(cmd::GET_PARAM, &answer))
    }

    fn get_capset<B: Backend>(&mut self, host: &mut Host<B>) -> Result<()> {
        const COMMAND: &str = "GET_CAPSET";
        let [set, version] = self.read_dwords::<{ size::GET_CAPSET }>(COMMAND)?;
        let caps = caps::max_version(set)
            .filter(|&max| version <= max)
            .and_then(|_| host.renderer.capset(set));
        let reply = match caps {
            None => message(cmd::GET_CAPSET, &[0]),
            Some(mut bytes) => {
                bytes.resize(bytes.len().next_multiple_of(4), 0);
                let mut p = vec![1];
                p.extend(le_dwords(&bytes));
                message(cmd::GET_CAPSET, &p)
            }
        };
        self.send(COMMAND, &reply)
    }

    fn context_init<B: Backend>(&mut self, host: &mut Host<B>) -> Result<()> {
        const COMMAND: &str = "CONTEXT_INIT";
        let [set] = self.read_dwords::<{ size::CONTEXT_INIT }>(COMMAND)?;
        if set != CAPSET_VIRGL && set != CAPSET_VIRGL2 {
            return Err(bad(
                COMMAND,
                format!("capset {set}: only virgl (1) and virgl2 (2) contexts are served"),
            ));
        }
        if self.context_live {
            return match self.capset {
                Some(c) if c != set => Err(bad(
                    COMMAND,
                    format!("the context was made for capset {c}, not {set}"),
                )),
                _ => Ok(()),
            };
        }
        self.capset = Some(set);
        self.init_context(host, COMMAND)
    }

    // ---- resources and transfers ----

    fn resource_create<B: Backend>(&mut self, host: &mut Host<B>, id_cmd: u32) -> Result<()> {
        let command = command_name(id_cmd).expect("a resource command");
        let p = if id_cmd == cmd::RESOURCE_CREATE {
            self.read_dwords::<{ size::RESOURCE_CREATE }>(command)?
                .to_vec()
        } else {
            self.read_dwords::<{ size::RESOURCE_CREATE2 }>(command)?
                .to_vec()
        };
        let req = ResourceCreate::decode(&p).map_err(|e| bad(command, e.to_string()))?;
        let id = match (self.version >= 3, req.handle) {
            (true, 0) | (false, 0) => host.new_resource_id(),
            (true, h) => {
                return Err(bad(
                    command,
                    format!("handle {h}: protocol 3 clients send 0 and get an id back"),
                ))
            }
            (false, h) if self.resources.contains(h) => {
                return Err(bad(command, format!("handle {h} is in use")))
            }
            (false, h) => h,
        };
        let bytes = resource_bytes(&req.desc).max(req.shm_size.into());
        self.resources
            .admit(&host.quota, id, bytes)
            .map_err(refused(command))?;
        host.renderer
            .create_resource(id, &req.desc, 0)
            .map_err(refused(command))?;
        self.resources.insert(id, bytes);
        let shared = self.finish_create(host, command, id_cmd, id, req.shm_size);
        if shared.is_err() {
            self.resources.remove(id);
            host.renderer.unref_resource(id);
        }
        shared
    }

    fn finish_create<B: Backend>(
        &mut self,
        host: &mut Host<B>,
        command: &'static str,
        id_cmd: u32,
        id: u32,
        shm_size: u32,
    ) -> Result<()> {
        host.renderer
            .attach_resource(self.ctx, id)
            .map_err(refused(command))?;
        if self.version >= 3 {
            self.send(command, &message(id_cmd, &[id]))?;
        }
        if shm_size > 0 {
            let (mem, fd) = SharedMemory::new(&format!("vtest-res-{id}"), shm_size)
                .map_err(refused(command))?;
            send_fd(&self.stream, fd.as_fd(), "sending a memfd").map_err(refused(command))?;
            host.renderer
                .attach_backing(id, Box::new(mem))
                .map_err(refused(command))?;
        }
        Ok(())
    }

    fn resource_unref<B: Backend>(&mut self, host: &mut Host<B>) -> Result<()> {
        const COMMAND: &str = "RESOURCE_UNREF";
        let [id] = self.read_dwords::<{ size::RESOURCE_UNREF }>(COMMAND)?;
        if self.resources.remove(id) {
            host.renderer.unref_resource(id);
        } else {
            self.report(
                host,
                COMMAND,
                Error::Resource {
                    id,
                    detail: "is not a resource of this client".into(),
                },
            );
        }
        Ok(())
    }

    fn transfer_inline<B: Backend>(&mut self, host: &mut Host<B>, id_cmd: u32) -> Result<()> {
        let command = command_name(id_cmd).expect("a transfer command");
        let t = TransferInline::decode(&self.read_dwords::<{ size::TRANSFER }>(command)?);
        if t.data_size as usize > MAX_LENGTH {
            return Err(bad(
                command,
                format!("{} bytes is over the {MAX_LENGTH}-byte limit", t.data_size),
            ));
        }
        let target = TransferTarget {
            resource: t.handle,
            level: t.level,
            usage: 0,
            stride: t.stride,
            layer_stride: t.layer_stride,
            region: t.region,
        };
        let ctx = Some(self.ctx);
        if id_cmd == cmd::TRANSFER_PUT {
            let data = self.read_payload(command, t.data_size.into())?;
            if let Err(e) = host
                .renderer
                .transfer_write(ctx, &target, GuestBytes::Slice(&data))
            {
                self.report(host, command, e);
            }
            return Ok(());
        }
        let mut out = vec![0u8; t.data_size as usize];
        let read = Self::checked_inline_read(&mut host.renderer, ctx, &target, t.data_size);
        match read {
            Ok(bytes) => out[..bytes.len()].copy_from_slice(&bytes),
            Err(e) => self.report(host, command, e),
        }
        self.send(command, &out)
    }

    /// Reads the box for an inline TRANSFER_GET after checking that its layout fits the
    /// `data_size` bytes the client expects, so no stride can make the buffer larger.
    fn checked_inline_read<B: Backend>(
        renderer: &mut Renderer<B>,
        ctx: Option<u32>,
        t: &TransferTarget,
        data_size: u32,
    ) -> Result<Vec<u8>> {
        let res = renderer.resource(t.resource).ok_or(Error::Resource {
            id: t.resource,
            detail: "does not exist".into(),
        })?;
        res.layout(t.level, t.region, 0, t.stride, t.layer_stride)?
            .check_within(data_size.into())
            .map_err(|source| Error::Transfer {
                id: t.resource,
                level: t.level,
                source,
            })?;
        renderer.transfer_read_vec(ctx, t)
    }

    fn transfer2<B: Backend>(&mut self, host: &mut Host<B>, id_cmd: u32) -> Result<()> {
        let command = command_name(id_cmd).expect("a transfer command");
        let t = Transfer2::decode(&self.read_dwords::<{ size::TRANSFER2 }>(command)?);
        let target = TransferTarget {
            resource: t.handle,
            level: t.level,
            usage: 0,
            stride: 0,
            layer_stride: 0,
            region: t.region,
        };
        let ctx = Some(self.ctx);
        let offset = u64::from(t.offset);
        let done = if id_cmd == cmd::TRANSFER_PUT2 {
            host.renderer
                .transfer_write(ctx, &target, GuestBytes::Backing(offset))
        } else {
            host.renderer.transfer_read(ctx, &target, offset)
        };
        if let Err(e) = done {
            self.report(host, command, e);
        }
        Ok(())
    }

    // ---- submission and waiting ----

    fn submit_cmd<B: Backend>(&mut self, host: &mut Host<B>, len: u32) -> Result<()> {
        const COMMAND: &str = "SUBMIT_CMD";
        let stream = self.read_payload(COMMAND, u64::from(len) * 4)?;
        if let Err(e) = host.renderer.submit(self.ctx, &stream) {
            self.report(host, COMMAND, e);
        }
        Ok(())
    }

    fn busy_wait<B: Backend>(&mut self, host: &mut Host<B>) -> Result<()> {
        const COMMAND: &str = "RESOURCE_BUSY_WAIT";
        let [handle, flags] = self.read_dwords::<{ size::BUSY_WAIT }>(COMMAND)?;
        if !self.context_live && handle != 0 {
            return Err(bad(
                COMMAND,
                format!("resource {handle} named before the context exists"),
            ));
        }
        if flags & BUSY_WAIT_FLAG_WAIT != 0 {
            if let Err(e) = host.renderer.finish() {
                self.report(host, COMMAND, e);
            }
        }
        self.send(COMMAND, &message(cmd::RESOURCE_BUSY_WAIT, &[0]))
    }

    fn sync_create(&mut self) -> Result<()> {
        const COMMAND: &str = "SYNC_CREATE";
        let [lo, hi] = self.read_dwords::<{ size::SYNC_CREATE }>(COMMAND)?;
        let id = self.syncs.create(u64::from(lo) | (u64::from(hi) << 32))?;
        self.send(COMMAND, &message(cmd::SYNC_CREATE, &[id]))
    }

    fn sync_read(&mut self) -> Result<()> {
        const COMMAND: &str = "SYNC_READ";
        let [id] = self.read_dwords::<{ size::SYNC_READ }>(COMMAND)?;
        let v = self.syncs.read(id)?;
        self.send(
            COMMAND,
            &message(cmd::SYNC_READ, &[v as u32, (v >> 32) as u32]),
        )
    }

    fn sync_wait(&mut self, len: u32) -> Result<()> {
        const COMMAND: &str = "SYNC_WAIT";
        let p = le_dwords(&self.read_payload(COMMAND, u64::from(len) * 4)?);
        let w = SyncWait::decode(&p).map_err(|e| bad(COMMAND, e.to_string()))?;
        let wait = self.syncs.wait(&w)?;
        self.send(COMMAND, &message(cmd::SYNC_WAIT, &[]))?;
        send_fd(&self.stream, wait.fd(), "sending an eventfd").map_err(refused(COMMAND))?;
        self.syncs.park(wait)
    }

    /// Runs each batch, then signals its syncs. A batch whose stream fails is logged and the
    /// batches after it are not run; every batch's syncs are signalled all the same, so that
    /// no waiter hangs on a context that has failed.
    fn submit_cmd2<B: Backend>(&mut self, host: &mut Host<B>, len: u32) -> Result<()> {
        const COMMAND: &str = "SUBMIT_CMD2";
        let p = le_dwords(&self.read_payload(COMMAND, u64::from(len) * 4)?);
        let batches = Submit2Batch::decode_all(&p).map_err(|e| bad(COMMAND, e.to_string()))?;
        for b in &batches {
            self.syncs.check_known(COMMAND, &b.syncs)?;
        }
        let mut failed = false;
        for b in &batches {
            if !failed {
                if let Err(e) = host.renderer.submit(self.ctx, &to_bytes(b.commands)) {
                    self.report(host, COMMAND, e);
                    failed = true;
                }
            }
            self.syncs.signal(COMMAND, &b.syncs)?;
        }
        Ok(())
    }
}
