//! The conformance catalogue against a real virglrenderer `virgl_test_server`, plus the
//! virgl-conform command line's contract (output, exit status, errors).

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, TempDir};
use virgl_guest::conform::{self, DynTransport, Verdict};
use virgl_guest::transport::{Fence, TransferRegion, Transport};
use virgl_guest::vtest::Vtest;
use virgl_guest::{Caps, ResourceDesc, ResourceId};
use virgl_proto::format::Format;

const BIN: &str = env!("CARGO_BIN_EXE_virgl-conform");

fn run_all(server: &Server, version: u32, filter: Option<&str>) -> Vec<String> {
    let path = server.path().to_path_buf();
    let mut connect =
        move || Ok(Box::new(Vtest::connect_with_version(&path, version)?) as DynTransport);
    let mut failures = Vec::new();
    let cases = conform::select(filter, Some(conform::TransportKind::Vtest));
    assert!(!cases.is_empty());
    for case in cases {
        match conform::run_case(case, &mut connect, None) {
            Ok(r) if r.outcome.verdict == Verdict::Pass => {}
            Ok(r) => failures.push(format!(
                "{}: {:?} {}",
                r.case, r.outcome.verdict, r.outcome.detail
            )),
            Err(e) => failures.push(format!("{}: transport error {e}", case.name)),
        }
    }
    failures
}

#[test]
fn every_case_passes_on_protocol_3() {
    let server = Server::start();
    let failures = run_all(&server, 3, None);
    assert!(
        failures.is_empty(),
        "{failures:#?}\nserver log:\n{}",
        server.log()
    );
}

/// A transport that shows the guest narrower caps than the host has.
struct Narrowed {
    inner: Vtest,
    caps: Caps,
}

impl Transport for Narrowed {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn caps(&self) -> &Caps {
        &self.caps
    }
    fn create_resource(&mut self, desc: &ResourceDesc) -> virgl_guest::Result<ResourceId> {
        self.inner.create_resource(desc)
    }
    fn destroy_resource(&mut self, id: ResourceId) -> virgl_guest::Result<()> {
        self.inner.destroy_resource(id)
    }
    fn backing(&mut self, id: ResourceId) -> virgl_guest::Result<&mut [u8]> {
        self.inner.backing(id)
    }
    fn transfer_to_host(&mut self, id: ResourceId, t: &TransferRegion) -> virgl_guest::Result<()> {
        self.inner.transfer_to_host(id, t)
    }
    fn transfer_from_host(
        &mut self,
        id: ResourceId,
        t: &TransferRegion,
    ) -> virgl_guest::Result<()> {
        self.inner.transfer_from_host(id, t)
    }
    fn submit(&mut self, stream: &[u32], resources: &[ResourceId]) -> virgl_guest::Result<Fence> {
        self.inner.submit(stream, resources)
    }
    fn wait(&mut self, id: ResourceId) -> virgl_guest::Result<()> {
        self.inner.wait(id)
    }
    fn wait_fence(&mut self, fence: Fence) -> virgl_guest::Result<()> {
        self.inner.wait_fence(fence)
    }
}

/// With glsl_level 120 and no R32G32B32A32_FLOAT render target advertised (as on a GLES 2.0
/// host), the texture cases sample into R16G16B16A16_FLOAT and leave integer formats out; no
/// case fails, and only the integer families skip.
#[test]
fn texture_cases_on_es2_like_caps_pass_through_the_half_float_probe() {
    let server = Server::start();
    let path = server.path().to_path_buf();
    let mut connect = move || {
        let inner = Vtest::connect_with_version(&path, 3)?;
        let mut caps = inner.caps().clone();
        caps.v1.glsl_level = 120;
        let rgba32f = Format::R32G32B32A32_FLOAT.to_wire() as usize;
        caps.v1.render.0[rgba32f / 32] &= !(1 << (rgba32f % 32));
        if let Some(v2) = &mut caps.v2 {
            v2.v1 = caps.v1;
        }
        Ok(Box::new(Narrowed { inner, caps }) as DynTransport)
    };
    let mut seen = Vec::new();
    for case in conform::GROUPS[1] {
        let r = conform::run_case(case, &mut connect, None).unwrap();
        let o = &r.outcome;
        match (case.name, o.verdict) {
            ("format_uint" | "format_sint", Verdict::Skip) => {
                assert!(o.detail.contains("glsl_level is 120"), "{}", o.detail)
            }
            ("view_layer_range", Verdict::Skip) => {}
            (_, Verdict::Pass) => assert!(
                o.detail.contains("R16G16B16A16_FLOAT"),
                "{}: {}",
                case.name,
                o.detail
            ),
            _ => panic!(
                "{}: {:?} {}\n{}",
                case.name,
                o.verdict,
                o.detail,
                server.log()
            ),
        }
        seen.push((case.name, o.detail.clone()));
    }
    let detail = |name| &seen.iter().find(|s| s.0 == name).unwrap().1;
    assert!(
        detail("format_packed").contains("R10G10B10A2_UINT (glsl_level is 120"),
        "{}",
        detail("format_packed")
    );
    assert!(
        detail("view_swizzle").contains("R8G8B8A8_UINT viewed"),
        "{}",
        detail("view_swizzle")
    );
}

#[test]
fn negotiation_honours_older_versions() {
    let server = Server::start();
    for (offered, expected) in [(0, 0), (1, 0), (2, 2), (3, 3), (9, 3)] {
        let vt = Vtest::connect_with_version(server.path(), offered).unwrap();
        assert_eq!(vt.version(), expected, "offered {offered}");
    }
}

#[test]
fn transfers_and_rendering_work_on_protocol_0_and_2() {
    let server = Server::start();
    for version in [0, 2] {
        for filter in ["roundtrip", "clear_color", "triangle", "resource_create"] {
            let failures = run_all(&server, version, Some(filter));
            assert!(failures.is_empty(), "protocol {version}: {failures:#?}");
        }
    }
}

#[test]
fn cli_json_reports_every_case() {
    let server = Server::start();
    let png = TempDir::new("png");
    let out = Command::new(BIN)
        .args(["--vtest"])
        .arg(server.path())
        .args(["--format", "json", "--save-png"])
        .arg(&png.0)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert!(lines.len() >= 12, "{} cases", lines.len());
    for v in &lines {
        let obj = v.as_object().unwrap();
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(keys, ["case", "result", "detail", "ms"]);
        assert_eq!(v["result"], "pass", "{v}");
        assert!(v["ms"].as_f64().unwrap() >= 0.0);
        assert!(!v["detail"].as_str().unwrap().is_empty());
    }
    let names: Vec<&str> = lines.iter().map(|v| v["case"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"clear_color") && names.contains(&"triangle"),
        "{names:?}"
    );
    // The rendered images are real PNGs of the right size.
    let img = std::fs::read(png.0.join("triangle.png")).unwrap();
    assert_eq!(&img[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(u32::from_be_bytes(img[16..20].try_into().unwrap()), 64);
}

#[test]
fn cli_list_filter_and_tap() {
    let out = Command::new(BIN)
        .args(["--list", "--filter", "roundtrip"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let names: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert!(
        names.len() >= 6 && names.iter().all(|n| n.contains("roundtrip")),
        "{names:?}"
    );

    let server = Server::start();
    let out = Command::new(BIN)
        .arg("--vtest")
        .arg(server.path())
        .args(["--filter", "clear", "--format", "tap"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}");
    assert_eq!(stdout.lines().next(), Some("TAP version 13"));
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("ok 1 - clear_color # ")),
        "{stdout}"
    );
}

fn assert_one_line_error(out: &std::process::Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "stderr: {stderr}");
    assert!(stderr.starts_with("virgl-conform: error: "), "{stderr}");
}

#[test]
fn cli_nothing_listening_is_a_one_line_error() {
    let dir = TempDir::new("nolisten");
    let start = Instant::now();
    let out = Command::new(BIN)
        .arg("--vtest")
        .arg(dir.0.join("nothing-here"))
        .output()
        .unwrap();
    assert_one_line_error(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing-here"));
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn cli_server_dying_mid_run_is_a_one_line_error() {
    let mut server = Server::start();
    let mut child = Command::new(BIN)
        .arg("--vtest")
        .arg(server.path())
        .args(["--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("\"case\""), "{first}");
    server.kill();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    let out = std::process::Output {
        status,
        stdout: rest.into_bytes(),
        stderr: stderr.into_bytes(),
    };
    assert_one_line_error(&out);
}
