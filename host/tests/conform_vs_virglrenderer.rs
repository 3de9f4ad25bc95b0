//! `virgl-conform`'s vtest catalogue against our `virgl-host-vtest` and against virglrenderer's
//! `virgl_test_server`, in the same run: no case fails on ours, ours passes every case
//! virglrenderer passes except the ones listed in [`NOT_YET`] (which our caps make skip, with
//! their reason), and every image a case saves is pixel-identical between the two hosts.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use virgl_guest::conform::{self, DynTransport, TransportKind, Verdict};
use virgl_guest::vtest::Vtest;

/// Cases whose features our renderer does not have yet, so its caps make them skip.
const NOT_YET: &[&str] = &[];

struct Server {
    child: Child,
    dir: PathBuf,
}

impl Server {
    fn start(mut command: Command, tag: &str) -> Server {
        let program = format!("{:?}", command.get_program());
        let dir = std::env::temp_dir().join(format!("virgl-host-vs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("png")).unwrap();
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let child = command
            .arg("--use-egl-surfaceless")
            .arg(format!("--socket-path={}", dir.join("sock").display()))
            .env_remove("GALLIUM_DRIVER")
            .env_remove("LIBGL_ALWAYS_SOFTWARE")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        let server = Server { child, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !server.dir.join("sock").exists() {
            assert!(
                Instant::now() < deadline,
                "{program}: no socket in 10 s: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// Runs every vtest case; each case's verdict, detail and saved images go in `png/`.
    fn run(&self) -> Vec<(&'static str, Verdict, String)> {
        let sock = self.dir.join("sock");
        let mut connect = move || Ok(Box::new(Vtest::connect(&sock)?) as DynTransport);
        conform::select(None, Some(TransportKind::Vtest))
            .into_iter()
            .map(
                |case| match conform::run_case(case, &mut connect, Some(&self.dir.join("png"))) {
                    Ok(r) => (r.case, r.outcome.verdict, r.outcome.detail),
                    Err(e) => (case.name, Verdict::Fail, format!("transport: {e}")),
                },
            )
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let group = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn pixels(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

#[test]
fn ours_passes_what_virglrenderer_passes_with_identical_images() {
    let theirs = Server::start(Command::new("virgl_test_server"), "theirs");
    let ours = Server::start(Command::new(env!("CARGO_BIN_EXE_virgl-host-vtest")), "ours");
    let (t, o) = (theirs.run(), ours.run());
    let mut problems = Vec::new();
    for ((name, tv, td), (_, ov, od)) in t.iter().zip(&o) {
        match (tv, ov) {
            (_, Verdict::Fail) => problems.push(format!("{name}: fails on ours: {od}")),
            (Verdict::Pass, Verdict::Skip) if NOT_YET.contains(name) => {
                eprintln!("{name}: not yet on ours: {od}")
            }
            (Verdict::Pass, v) if *v != Verdict::Pass => problems.push(format!(
                "{name}: {v:?} on ours, passes on virglrenderer: {od}"
            )),
            (Verdict::Fail, _) => eprintln!("{name}: fails on virglrenderer: {td}"),
            _ => {}
        }
    }
    let mut compared = 0;
    for entry in std::fs::read_dir(theirs.dir.join("png")).unwrap() {
        let path = entry.unwrap().path();
        let ours_path = ours.dir.join("png").join(path.file_name().unwrap());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !ours_path.exists() {
            continue;
        }
        let (a, b) = (pixels(&path), pixels(&ours_path));
        compared += 1;
        if (a.0, a.1) != (b.0, b.1) {
            problems.push(format!(
                "{name}: {}x{} here, {}x{} on ours",
                a.0, a.1, b.0, b.1
            ));
        } else if let Some(i) = a.2.iter().zip(&b.2).position(|(x, y)| x != y) {
            let px = i / 4;
            problems.push(format!(
                "{name}: pixel ({}, {}) differs: virglrenderer {:?}, ours {:?}",
                px as u32 % a.0,
                px as u32 / a.0,
                &a.2[px * 4..px * 4 + 4],
                &b.2[px * 4..px * 4 + 4]
            ));
        }
    }
    eprintln!("{compared} images compared");
    assert!(compared > 10, "too few images compared: {compared}");
    assert!(
        problems.is_empty(),
        "{problems:#?}\nour server log:\n{}",
        ours.log()
    );
}
