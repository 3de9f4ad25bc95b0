//! What the vtest server tests share: a null-backend renderer with real-sized capsets,
//! in-process servers and clients, and a raw protocol client.
//!
//! Every client stream has a read timeout, so a server that does not answer fails the test
//! instead of hanging it; every server thread ends once its clients hang up.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use virgl_guest::sys::{recv_fd, Mapping};
use virgl_host::backend::null::NullBackend;
use virgl_host::resource::Limits;
use virgl_host::vtest::{Client, Host, Log, ProcessModel};
use virgl_host::Renderer;
use virgl_proto::caps::{CapsV1, CapsV2};
use virgl_proto::format::Format;
use virgl_proto::vtest::{self as wire, cmd, ResourceDesc};

/// The log lines a test server wrote.
pub type Lines = Arc<Mutex<Vec<String>>>;

pub const TIMEOUT: Duration = Duration::from_secs(10);

// ---- fixtures ----

pub fn limits() -> Limits {
    Limits {
        max_texture_2d_size: 16384,
        max_texture_3d_size: 2048,
        max_texture_cube_size: 16384,
        multisample: true,
        texture_array: true,
        cube_map_array: true,
        query_buffer: true,
        indirect_draw: true,
    }
}

/// Capset payloads of the real sizes, with the max_version each capset carries.
pub fn caps_payload(set: u32) -> Vec<u8> {
    let (len, version) = if set == 1 {
        (CapsV1::SIZE, 1u32)
    } else {
        (CapsV2::SIZE, 2)
    };
    let mut caps = vec![0u8; len];
    caps[..4].copy_from_slice(&version.to_le_bytes());
    caps[len - 1] = 0xa5;
    caps
}

pub fn renderer() -> virgl_host::Result<Renderer<NullBackend>> {
    let mut backend = NullBackend::new();
    for set in [1, 2] {
        backend.capsets.insert(set, caps_payload(set));
    }
    Ok(Renderer::new(backend, limits()))
}

/// A log that keeps its lines.
pub fn capture() -> (Log, Lines) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    (
        Arc::new(move |l: &str| sink.lock().unwrap().push(l.to_string())),
        lines,
    )
}

pub fn lines(log: &Lines) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// One client served in process over a socket pair; the thread returns the host when the
/// client is done.
pub fn spawn_client(multi: bool) -> (Raw, JoinHandle<Host<NullBackend>>, Lines) {
    let (ours, theirs) = UnixStream::pair().unwrap();
    let (log, lines) = capture();
    let h = thread::spawn(move || {
        let mut host = Host::new(renderer().unwrap(), multi, log);
        Client::new(theirs).run(&mut host);
        host
    });
    (Raw::new(ours), h, lines)
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A fresh directory; `name` and a counter keep parallel tests apart.
    pub fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!(
            "virgl-host-vtest-{}-{name}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn sock(&self) -> PathBuf {
        self.0.join("s.sock")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server on a temporary socket in process, serving as `model` says.
pub fn spawn_server(
    name: &str,
    model: ProcessModel,
) -> (TempDir, JoinHandle<virgl_host::Result<()>>, Lines) {
    let dir = TempDir::new(name);
    let listener = virgl_host::vtest::bind(&dir.sock()).unwrap();
    let (log, lines) = capture();
    let h =
        thread::spawn(move || virgl_host::vtest::serve_listener(listener, model, renderer, log));
    (dir, h, lines)
}

pub fn join_within<T>(h: JoinHandle<T>, what: &str) -> T {
    for _ in 0..(TIMEOUT.as_millis() / 10) {
        if h.is_finished() {
            return h.join().unwrap();
        }
        thread::sleep(Duration::from_millis(10));
    }
    panic!("{what} did not finish within {TIMEOUT:?}");
}

// ---- a raw protocol client ----

pub struct Raw {
    pub s: UnixStream,
}

pub fn le(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

impl Raw {
    pub fn new(s: UnixStream) -> Raw {
        s.set_read_timeout(Some(TIMEOUT)).unwrap();
        Raw { s }
    }

    pub fn connect(path: &Path) -> Raw {
        Raw::new(UnixStream::connect(path).unwrap())
    }

    pub fn send(&mut self, bytes: &[u8]) -> &mut Raw {
        self.s.write_all(bytes).unwrap();
        self
    }

    pub fn words(&mut self, n: usize) -> Vec<u32> {
        let mut b = vec![0u8; n * 4];
        self.s.read_exact(&mut b).unwrap();
        b.chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    /// A reply: its header must be `id` with `len` dwords; returns the payload.
    pub fn reply(&mut self, id: u32, len: usize) -> Vec<u32> {
        assert_eq!(self.words(2), [len as u32, id], "reply header");
        self.words(len)
    }

    pub fn fd(&mut self) -> OwnedFd {
        recv_fd(&self.s, "test recv_fd").unwrap()
    }

    /// The server ended the connection (a reset when it left our bytes unread).
    pub fn expect_closed(&mut self) {
        let mut b = [0u8; 64];
        loop {
            match self.s.read(&mut b) {
                Ok(0) => return,
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return,
                Ok(_) => {}
                Err(e) => panic!("expected the server to hang up, got {e}"),
            }
        }
    }

    pub fn ping(&mut self) {
        self.send(&wire::bare(cmd::PING_PROTOCOL_VERSION));
        self.reply(cmd::PING_PROTOCOL_VERSION, 0);
    }

    /// CREATE_RENDERER, the ping probe and PROTOCOL_VERSION, as Mesa sends them; returns the
    /// version the server chose.
    pub fn handshake(&mut self, name: &str, offer: u32) -> u32 {
        let mut m = wire::create_renderer(name);
        m.extend(wire::bare(cmd::PING_PROTOCOL_VERSION));
        m.extend(wire::busy_wait(0, 0));
        self.send(&m);
        self.reply(cmd::PING_PROTOCOL_VERSION, 0);
        assert_eq!(self.reply(cmd::RESOURCE_BUSY_WAIT, 1), [0]);
        self.send(&wire::protocol_version(offer));
        self.reply(cmd::PROTOCOL_VERSION, 1)[0]
    }

    pub fn wait_idle(&mut self) {
        self.send(&wire::busy_wait(0, wire::BUSY_WAIT_FLAG_WAIT));
        assert_eq!(self.reply(cmd::RESOURCE_BUSY_WAIT, 1), [0]);
    }

    /// RESOURCE_CREATE2; returns the id (the handle before v3) and the mapped memfd.
    pub fn create2(
        &mut self,
        version: u32,
        handle: u32,
        desc: &ResourceDesc,
        size: u32,
    ) -> (u32, Mapping) {
        let handle = if version >= 3 { 0 } else { handle };
        self.send(&wire::resource_create2(handle, desc, size));
        let id = if version >= 3 {
            self.reply(cmd::RESOURCE_CREATE2, 1)[0]
        } else {
            handle
        };
        let fd = self.fd();
        (
            id,
            Mapping::new(fd.as_fd(), 0, size as usize, "test mmap").unwrap(),
        )
    }
}

pub fn rgba(w: u32, h: u32) -> ResourceDesc {
    ResourceDesc::texture_2d(
        Format::R8G8B8A8_UNORM,
        w,
        h,
        virgl_proto::pipe::bind::SAMPLER_VIEW,
    )
}

pub fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed))
        .collect()
}
