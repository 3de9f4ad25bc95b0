//! Decoding throughput over a real glxgears capture, with a plain copy of the same bytes
//! measured in the same run as the baseline. Prints MB/s for both and their ratio.

use std::hint::black_box;
use std::time::{Duration, Instant};

use virgl_proto::ccmd::Decoder;

/// Runs `f` repeatedly for at least `min` and returns the best time of one run.
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

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/glxgears.virgl");
    let bytes = std::fs::read(path).expect("glxgears fixture");
    let mb = bytes.len() as f64 / 1e6;
    let min = Duration::from_secs(2);

    let mut sink = vec![0u8; bytes.len()];
    let copy = best_of(min, || {
        sink.copy_from_slice(black_box(&bytes));
        black_box(&sink);
    });

    let mut commands = 0usize;
    let decode = best_of(min, || {
        commands = 0;
        for cmd in Decoder::new(black_box(&bytes)) {
            black_box(cmd.expect("fixture decodes"));
            commands += 1;
        }
    });

    let rate = |d: Duration| mb / d.as_secs_f64();
    println!("glxgears capture: {:.2} MB, {commands} commands", mb);
    println!("memcpy baseline : {:>10.1} MB/s", rate(copy));
    println!(
        "decode          : {:>10.1} MB/s ({:.1} M commands/s)",
        rate(decode),
        commands as f64 / decode.as_secs_f64() / 1e6
    );
    println!(
        "ratio decode/memcpy: {:.4} (memcpy is {:.1}x faster)",
        rate(decode) / rate(copy),
        rate(copy) / rate(decode)
    );
}
