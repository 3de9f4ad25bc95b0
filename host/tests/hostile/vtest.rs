//! The stream corpus through the `virgl-host-vtest` binary: one server serving every client in
//! one process and one renderer (`--multi-clients`), a well-behaved client rendering and
//! checking its pixels throughout, and each hostile case from a client of its own.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use virgl_guest::transport::{ResourceId, TransferRegion, Transport};
use virgl_guest::vtest::Vtest;
use virgl_proto::ccmd::Box3;
use virgl_proto::format::Format;
use virgl_proto::pipe::bind;
use virgl_proto::vtest::{self as wire, ResourceDesc};

use crate::bystander::{self, SIZE};
use crate::common::{Raw, TempDir};
use crate::{corpus, fixture_descs, Expect, Ids, Step};

/// The server, killed with its process group when the test ends.
struct Server {
    child: Child,
}

impl Server {
    fn start(sock: &Path, log: &Path) -> Server {
        let log = std::fs::File::create(log).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_virgl-host-vtest"))
            .arg("--multi-clients")
            .arg("--use-egl-surfaceless")
            .arg(format!("--socket-path={}", sock.display()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap();
        let server = Server { child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !sock.exists() {
            assert!(Instant::now() < deadline, "the server never listened");
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let group = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

/// The well-behaved client: the bystander's pipeline over vtest.
struct Good {
    vt: Vtest,
    target: ResourceId,
    round: u32,
}

impl Good {
    fn connect(sock: &Path) -> virgl_guest::error::Result<Good> {
        let mut vt = Vtest::connect_as(sock, "good", 3)?;
        let rt = ResourceDesc::texture_2d(
            Format::R8G8B8A8_UNORM,
            SIZE,
            SIZE,
            bind::RENDER_TARGET | bind::SAMPLER_VIEW,
        );
        let target = vt.create_resource(&rt)?;
        let vertices = vt.create_resource(&ResourceDesc::buffer(64, bind::VERTEX_BUFFER))?;
        vt.submit(
            &bystander::setup_stream(target.0, vertices.0),
            &[target, vertices],
        )?;
        Ok(Good {
            vt,
            target,
            round: 0,
        })
    }

    /// Renders a round and checks every pixel.
    fn check(&mut self, after: &str) {
        self.round += 1;
        let round = self.round;
        self.vt
            .submit(&bystander::round_stream(round), &[self.target])
            .unwrap_or_else(|e| panic!("after {after}: the good client's round {round}: {e}"));
        let region = TransferRegion {
            level: 0,
            region: Box3::new_2d(0, 0, SIZE, SIZE),
            offset: 0,
            stride: SIZE * 4,
            layer_stride: SIZE * SIZE * 4,
        };
        self.vt.transfer_from_host(self.target, &region).unwrap();
        self.vt.wait(self.target).unwrap();
        let rgba = self.vt.backing(self.target).unwrap()[..(SIZE * SIZE * 4) as usize].to_vec();
        if let Some(wrong) = bystander::wrong_pixel(round, &rgba) {
            panic!("after {after}: the good client's {wrong}");
        }
    }
}

/// Creates the fixture resources over a raw protocol-3 client; returns their ids.
fn fixtures(c: &mut Raw) -> Ids {
    let ids: Vec<u32> = fixture_descs()
        .iter()
        .map(|d| c.create2(3, 0, d, d.backing_size().unwrap().max(4)).0)
        .collect();
    Ids::from_slice(&ids)
}

/// The lines the server logged about client `name`.
fn lines_of(log: &str, name: &str) -> Vec<String> {
    let prefix = format!("client \"{name}\" (pid ");
    log.lines()
        .filter(|l| l.contains(&prefix))
        .map(String::from)
        .collect()
}

#[test]
fn the_corpus_through_the_vtest_server() {
    let _serial = crate::serial();
    let dir = TempDir::new("hostile");
    let log_path = dir.0.join("server.log");
    let mut server = Server::start(&dir.sock(), &log_path);
    let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut good = match Good::connect(&dir.sock()) {
        Ok(g) => g,
        Err(e) if log().contains("EGL") => {
            eprintln!("skip: the server has no EGL here: {e}: {}", log());
            return;
        }
        Err(e) => panic!("the good client: {e}; server: {}", log()),
    };
    good.check("connecting");
    let started = Instant::now();
    let cases = corpus();
    for case in &cases {
        let mut c = Raw::connect(&dir.sock());
        assert_eq!(c.handshake(case.name, 3), 3);
        let ids = fixtures(&mut c);
        for step in (case.steps)(&ids) {
            match step {
                Step::Submit(dwords) => c.send(&wire::submit_cmd(&dwords)),
                Step::Unref(id) => c.send(&wire::resource_unref(id)),
            };
        }
        c.ping();
        drop(c);
        good.check(case.name);
        assert!(server.running(), "the server ended after {}", case.name);
    }
    // A client that skips CREATE_RENDERER and frees what it never made (CVE-2017-6210's
    // destroy before create) is dropped.
    let mut c = Raw::connect(&dir.sock());
    c.send(&wire::resource_unref(1));
    c.expect_closed();
    good.check("a client that frees before it exists");
    let elapsed = started.elapsed();
    drop(good);
    assert!(server.running(), "the server keeps running");

    let log = log();
    let mut problems = Vec::new();
    for case in &cases {
        let lines = lines_of(&log, case.name);
        match case.expect {
            Expect::Refused(says) | Expect::RefusedByGl(says) => match lines.as_slice() {
                [line]
                    if says.iter().all(|s| line.contains(s))
                        && line.contains("SUBMIT_CMD: context ") => {}
                _ => problems.push(format!(
                    "{}: wants one line saying {says:?}: {lines:?}",
                    case.name
                )),
            },
            Expect::Harmless if !lines.is_empty() => {
                problems.push(format!("{}: wants no error: {lines:?}", case.name))
            }
            Expect::Harmless => {}
        }
    }
    assert!(
        log.lines()
            .any(|l| l.contains("the first command must be CREATE_RENDERER")),
        "{log}"
    );
    eprintln!(
        "{} hostile clients in {elapsed:?}; the server's log:\n{log}",
        cases.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
