//! Decoding speed on captured streams of real programs, against a memcpy of the same bytes
//! measured in the same run.
//!
//! For each workload it prints commands, ns per command, and MB/s over the bytes that carry
//! commands: END_TRANSFERS padding (Mesa's batch buffer, most of a capture and never read) is
//! left out of the byte count, so it cannot inflate the rate. Every decoded command's borrowed
//! bulk data (shader text, constants, inline writes) is read, summed into a checksum, so the
//! borrowing decoder gets no credit for bytes it never touched.

use std::hint::black_box;
use std::time::{Duration, Instant};

use virgl_proto::ccmd::{Command, Decoder};

/// Runs `f` repeatedly for at least `min` (and 5 runs) and returns the best time of one run.
fn best_of(min: Duration, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    let mut best = Duration::MAX;
    let mut runs = 0;
    while start.elapsed() < min || runs < 5 {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed());
        runs += 1;
    }
    best
}

/// Decodes `bytes`, reading every borrowed payload except END_TRANSFERS padding; returns the
/// command count and a checksum of what was read.
fn decode(bytes: &[u8]) -> (usize, u32) {
    let mut n = 0;
    let mut sum = 0u32;
    for cmd in Decoder::new(bytes) {
        let cmd = cmd.expect("workload decodes");
        if !matches!(cmd, Command::EndTransfers(_)) {
            if let Some(d) = cmd.bulk() {
                sum = d.iter().fold(sum, u32::wrapping_add);
            }
        }
        black_box(&cmd);
        n += 1;
    }
    (n, sum)
}

/// Bytes of `bytes` outside END_TRANSFERS payloads.
fn command_bytes(bytes: &[u8]) -> usize {
    let padding: usize = Decoder::new(bytes)
        .map(Result::unwrap)
        .filter_map(|c| match c {
            Command::EndTransfers(d) => Some(d.len() * 4),
            _ => None,
        })
        .sum();
    bytes.len() - padding
}

fn main() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    let read = |name: &str| std::fs::read(format!("{data}{name}")).expect("fixture");
    let piglit: Vec<u8> = std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("piglit-")
        })
        .flat_map(|p| std::fs::read(p).unwrap())
        .collect();
    let workloads = [
        ("glxgears", read("glxgears.virgl")),
        ("es2gears", read("es2gears.virgl")),
        ("piglit x5", piglit),
    ];
    let min = Duration::from_secs(2);
    println!(
        "{:<10} {:>8} {:>9} {:>8} {:>10} {:>12} {:>12} {:>7}",
        "workload", "commands", "MB", "padding", "ns/cmd", "decode MB/s", "memcpy MB/s", "ratio"
    );
    for (name, bytes) in &workloads {
        let useful = command_bytes(bytes);
        let mb = useful as f64 / 1e6;
        let (commands, _) = decode(bytes);
        let t_decode = best_of(min, || {
            black_box(decode(black_box(bytes)));
        });
        let src = &bytes[..useful];
        let mut sink = vec![0u8; useful];
        let t_copy = best_of(min, || {
            sink.copy_from_slice(black_box(src));
            black_box(&sink);
        });
        let rate = |d: Duration| mb / d.as_secs_f64();
        println!(
            "{name:<10} {commands:>8} {mb:>9.3} {:>7.0}% {:>10.1} {:>12.1} {:>12.1} {:>7.4}",
            100.0 * (1.0 - useful as f64 / bytes.len() as f64),
            t_decode.as_nanos() as f64 / commands as f64,
            rate(t_decode),
            rate(t_copy),
            rate(t_decode) / rate(t_copy),
        );
    }
    println!("MB counts command bytes only (END_TRANSFERS padding excluded); ratio = decode / memcpy of those bytes");
}
