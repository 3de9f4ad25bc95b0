//! The pure parts of `cargo xtask soak`: the seeded PRNG, reading `/proc`, tallying the
//! server's log, and the report with its pass/fail rules.

use std::collections::BTreeMap;

/// xorshift64* seeded through splitmix64: small, fast, and the same sequence for the same seed
/// on every machine.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // splitmix64 spreads nearby seeds apart; xorshift's state must not be 0.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 1 } else { z })
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi.saturating_sub(lo)) + 1) as u32
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next_u64() >> 56) as u8).collect()
    }
}

// ---- /proc ----

/// `VmRSS` of a `/proc/PID/status` text, in bytes.
pub fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let mut words = line["VmRSS:".len()..].split_whitespace();
    let n: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") => Some(n * 1024),
        _ => None,
    }
}

/// `RssAnon`, `RssFile` and `RssShmem` of a `/proc/PID/status` text, in bytes.
pub fn parse_rss_parts(status: &str) -> Option<[u64; 3]> {
    let field = |name: &str| {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let n: u64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
        Some(n * 1024)
    };
    Some([field("RssAnon:")?, field("RssFile:")?, field("RssShmem:")?])
}

/// How many mappings of a `/proc/PID/maps` text are vtest resource memfds (what a leaked
/// shared-memory backing would leave).
pub fn count_memfd_maps(maps: &str) -> usize {
    maps.lines()
        .filter(|l| l.contains("/memfd:vtest-res-"))
        .count()
}

/// What the server's open descriptors are: all, and how many of them are memfds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fds {
    pub total: usize,
    pub memfds: usize,
}

impl Fds {
    /// Counts link targets as `readlink /proc/PID/fd/N` gives them.
    pub fn of<'a>(targets: impl IntoIterator<Item = &'a str>) -> Fds {
        let mut f = Fds::default();
        for t in targets {
            f.total += 1;
            if t.starts_with("/memfd:") {
                f.memfds += 1;
            }
        }
        f
    }
}

// ---- the server's log ----

/// The flags whose limits a refusal names, in report order.
pub const LIMIT_FLAGS: [&str; 3] = ["--max-objects", "--max-resources", "--max-resource-bytes"];

/// What the server logged about one client name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientLog {
    /// Every line naming the client.
    pub lines: u64,
    /// SUBMIT_CMD or SUBMIT_CMD2 refusals logged (the first error of each context).
    pub submit_errors: u64,
    /// Submissions refused afterwards, as the close lines count them.
    pub later_refused: u64,
    /// Those close lines.
    pub later_lines: u64,
    /// Times the client was dropped.
    pub dropped: u64,
    /// Refusals naming each limit flag ([`LIMIT_FLAGS`] order).
    pub limits: [u64; 3],
}

impl ClientLog {
    /// Submissions the server refused.
    pub fn refused_submissions(&self) -> u64 {
        self.submit_errors + self.later_refused
    }

    /// Other commands refused (the client dropped for most).
    pub fn other_refusals(&self) -> u64 {
        self.lines - self.submit_errors - self.later_lines
    }
}

/// The server's log lines, by client name (`""` for clients that never sent one).
#[derive(Clone, Debug, Default)]
pub struct LogTally {
    pub clients: BTreeMap<String, ClientLog>,
    /// Lines about no client, the first few kept.
    pub other: Vec<String>,
    pub other_count: u64,
}

impl LogTally {
    /// Counts one stderr line of the server.
    pub fn line(&mut self, line: &str) {
        let text = line.strip_prefix("virgl-host-vtest: ").unwrap_or(line);
        let name = if let Some(rest) = text.strip_prefix("client \"") {
            rest.split('"').next().map(str::to_string)
        } else if text.starts_with("client (") || text.starts_with("client:") {
            Some(String::new())
        } else {
            None
        };
        let Some(name) = name else {
            self.other_count += 1;
            if self.other.len() < 10 {
                self.other.push(text.to_string());
            }
            return;
        };
        let c = self.clients.entry(name).or_default();
        c.lines += 1;
        if text.contains("): SUBMIT_CMD: ") || text.contains("): SUBMIT_CMD2: ") {
            c.submit_errors += 1;
        }
        if let Some(n) = text
            .strip_suffix(" later submissions were refused after the context's error")
            .and_then(|t| t.rsplit(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
        {
            c.later_refused += n;
            c.later_lines += 1;
        }
        if text.ends_with("; client dropped") {
            c.dropped += 1;
        }
        for (i, flag) in LIMIT_FLAGS.iter().enumerate() {
            if text.contains(&format!("({flag})")) {
                c.limits[i] += 1;
            }
        }
    }

    pub fn client(&self, name: &str) -> ClientLog {
        self.clients.get(name).cloned().unwrap_or_default()
    }
}

// ---- the report ----

/// One well-behaved client's result.
#[derive(Clone, Debug, Default)]
pub struct GoodStats {
    pub name: String,
    pub frames: u64,
    pub wrong: u64,
    /// Transport errors (a dropped connection, a timeout): the client reconnects and goes on.
    pub errors: u64,
    pub connections: u64,
    /// The longest a frame took (the server is shared: another client's work delays it).
    pub longest_frame: std::time::Duration,
    /// The first problems, described.
    pub problems: Vec<String>,
}

/// One hostile client's result.
#[derive(Clone, Debug, Default)]
pub struct HostileStats {
    pub name: String,
    pub connections: u64,
    /// Vtest messages sent (SUBMIT_CMD included).
    pub messages: u64,
    /// SUBMIT_CMD messages sent.
    pub submissions: u64,
    /// Connections per behaviour.
    pub behaviours: BTreeMap<&'static str, u64>,
    pub resource_floods: u64,
    pub object_floods: u64,
    /// A flood that got past a limit it should have hit, described.
    pub violations: Vec<String>,
}

/// Everything measured in a run.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub seconds: u64,
    pub good: Vec<GoodStats>,
    pub hostile: Vec<HostileStats>,
    pub log: LogTally,
    /// Server RSS in bytes with only the anchor connected, after the warm-up and at the end;
    /// the largest sample while the clients ran.
    pub rss_warm: Option<u64>,
    pub rss_end: Option<u64>,
    pub rss_max: Option<u64>,
    /// The end's RSS as anonymous, file-backed and shared memory.
    pub rss_end_parts: Option<[u64; 3]>,
    pub samples: u64,
    /// Every sample after the warm-up: seconds into the run, bytes.
    pub rss_series: Vec<(u64, u64)>,
    /// Open descriptors with only the anchor client connected: before the clients, after the
    /// warm-up and at the end.
    pub fds_base: Option<Fds>,
    pub fds_warm: Option<Fds>,
    pub fds_end: Option<Fds>,
    /// Mapped resource memfds, as with the descriptors.
    pub maps_base: Option<usize>,
    pub maps_end: Option<usize>,
    /// How the server ended, if it did before the run was over.
    pub server_died: Option<String>,
    /// Client threads that did not stop when told.
    pub hung: Vec<String>,
}

/// RSS growth from `warm` to `end`, in percent.
pub fn growth_percent(warm: u64, end: u64) -> f64 {
    if warm == 0 {
        return 0.0;
    }
    (end as f64 - warm as f64) * 100.0 / warm as f64
}

/// The growth at and above which a run fails.
pub const MAX_GROWTH_PERCENT: f64 = 5.0;

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
}

impl Outcome {
    /// Why the run fails; empty when it passes.
    pub fn failures(&self) -> Vec<String> {
        let mut f = Vec::new();
        if let Some(how) = &self.server_died {
            f.push(format!("the server died: {how}"));
        }
        for g in &self.good {
            if g.wrong > 0 {
                f.push(format!("{}: {} wrong frames", g.name, g.wrong));
            }
            if g.errors > 0 {
                f.push(format!("{}: {} transport errors", g.name, g.errors));
            }
            if g.frames == 0 {
                f.push(format!("{}: no frame rendered", g.name));
            }
            let log = self.log.client(&g.name);
            if log.lines > 0 {
                f.push(format!(
                    "{}: the server logged {} refusals of a well-behaved client",
                    g.name, log.lines
                ));
            }
        }
        let anchor = self.log.client(super::ANCHOR);
        if anchor.lines > 0 {
            f.push(format!(
                "{}: the server logged {} refusals of the idle anchor client",
                super::ANCHOR,
                anchor.lines
            ));
        }
        for h in &self.hostile {
            for v in &h.violations {
                f.push(format!("{}: {v}", h.name));
            }
            let log = self.log.client(&h.name);
            if log.limits[0] < h.object_floods {
                f.push(format!(
                    "{}: {} object floods but {} refusals naming --max-objects",
                    h.name, h.object_floods, log.limits[0]
                ));
            }
            if log.limits[1] + log.limits[2] < h.resource_floods {
                f.push(format!(
                    "{}: {} resource floods but {} refusals naming --max-resources or \
                     --max-resource-bytes",
                    h.name,
                    h.resource_floods,
                    log.limits[1] + log.limits[2]
                ));
            }
        }
        match (self.rss_warm, self.rss_end) {
            (Some(w), Some(e)) => {
                let g = growth_percent(w, e);
                if g >= MAX_GROWTH_PERCENT {
                    f.push(format!(
                        "server RSS grew {g:.1}% ({} to {}), the limit is {MAX_GROWTH_PERCENT}%",
                        mib(w),
                        mib(e)
                    ));
                }
            }
            _ if self.server_died.is_none() => f.push("server RSS was not measured".into()),
            _ => {}
        }
        match (self.fds_base, self.fds_end) {
            (Some(b), Some(e)) if e.total > b.total || e.memfds > b.memfds => f.push(format!(
                "server descriptors leaked: {} open ({} memfds) before the clients, {} ({}) after",
                b.total, b.memfds, e.total, e.memfds
            )),
            (Some(_), Some(_)) => {}
            _ if self.server_died.is_none() => f.push("server descriptors were not counted".into()),
            _ => {}
        }
        if let (Some(b), Some(e)) = (self.maps_base, self.maps_end) {
            if e > b {
                f.push(format!(
                    "resource memfd mappings leaked: {b} before the clients, {e} after"
                ));
            }
        }
        for t in &self.hung {
            f.push(format!("{t} did not stop"));
        }
        f
    }

    /// The printed report, ending with the verdict.
    pub fn render(&self) -> String {
        let mut s = String::new();
        s += &format!("soak: {} s\n", self.seconds);
        for g in &self.good {
            s += &format!(
                "  {:<16} {:>7} frames good, {} wrong, {} transport errors, {} connections, \
                 longest frame {:.2} s\n",
                g.name,
                g.frames - g.wrong.min(g.frames),
                g.wrong,
                g.errors,
                g.connections,
                g.longest_frame.as_secs_f64()
            );
            for p in &g.problems {
                s += &format!("      {p}\n");
            }
        }
        for h in &self.hostile {
            let log = self.log.client(&h.name);
            let behaviours: Vec<String> = h
                .behaviours
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            s += &format!(
                "  {:<16} {} connections, {} messages, {} submissions ({} refused), {} other \
                 refusals, dropped {} times; limits hit: objects {}, resources {}, bytes {}\n",
                h.name,
                h.connections,
                h.messages,
                h.submissions,
                log.refused_submissions(),
                log.other_refusals(),
                log.dropped,
                log.limits[0],
                log.limits[1],
                log.limits[2]
            );
            s += &format!("      {}\n", behaviours.join(", "));
        }
        let unnamed = self.log.client("");
        if unnamed.lines > 0 {
            s += &format!(
                "  {:<16} {} refusals of clients that never sent CREATE_RENDERER\n",
                "(unnamed)", unnamed.lines
            );
        }
        let total_hostile: u64 = self.hostile.iter().map(|h| h.submissions).sum();
        let total_refused: u64 = self
            .hostile
            .iter()
            .map(|h| self.log.client(&h.name).refused_submissions())
            .sum();
        s += &format!("  hostile submissions: {total_hostile}, refused: {total_refused}\n");
        let opt = |v: Option<u64>| v.map_or("-".into(), mib);
        s += &format!(
            "  server RSS with only the anchor connected: after the warm-up {}, at the end {}; \
             max while the clients ran {} ({} samples)",
            opt(self.rss_warm),
            opt(self.rss_end),
            opt(self.rss_max),
            self.samples
        );
        if let (Some(w), Some(e)) = (self.rss_warm, self.rss_end) {
            s += &format!(", growth {:+.2}%", growth_percent(w, e));
        }
        s += "\n";
        if let Some([anon, file, shmem]) = self.rss_end_parts {
            s += &format!(
                "  server RSS at the end: {} anonymous, {} file-backed, {} shared\n",
                mib(anon),
                mib(file),
                mib(shmem)
            );
        }
        let fds =
            |f: Option<Fds>| f.map_or("-".into(), |f| format!("{} ({} memfds)", f.total, f.memfds));
        s += &format!(
            "  server fds: start {}, after warm-up {}, end {}; resource memfd mappings: start {}, \
             end {}\n",
            fds(self.fds_base),
            fds(self.fds_warm),
            fds(self.fds_end),
            self.maps_base.map_or("-".into(), |m| m.to_string()),
            self.maps_end.map_or("-".into(), |m| m.to_string()),
        );
        if self.log.other_count > 0 {
            s += &format!("  other server log lines: {}\n", self.log.other_count);
            for l in &self.log.other {
                s += &format!("      {l}\n");
            }
        }
        let failures = self.failures();
        if failures.is_empty() {
            s += "soak: PASS\n";
        } else {
            s += "soak: FAIL\n";
            for f in failures {
                s += &format!("  - {f}\n");
            }
        }
        s
    }

    /// The JSON form of the report.
    pub fn json(&self) -> serde_json::Value {
        use serde_json::json;
        let fds = |f: Option<Fds>| f.map(|f| json!({"total": f.total, "memfds": f.memfds}));
        json!({
            "seconds": self.seconds,
            "pass": self.failures().is_empty(),
            "failures": self.failures(),
            "good": self.good.iter().map(|g| json!({
                "name": g.name, "frames": g.frames, "wrong": g.wrong, "errors": g.errors,
                "connections": g.connections, "problems": g.problems,
                "longest_frame_s": g.longest_frame.as_secs_f64(),
            })).collect::<Vec<_>>(),
            "hostile": self.hostile.iter().map(|h| {
                let log = self.log.client(&h.name);
                json!({
                    "name": h.name, "connections": h.connections, "messages": h.messages,
                    "submissions": h.submissions,
                    "refused_submissions": log.refused_submissions(),
                    "log_lines": log.lines, "dropped": log.dropped,
                    "limits_hit": {
                        "max_objects": log.limits[0], "max_resources": log.limits[1],
                        "max_resource_bytes": log.limits[2],
                    },
                    "behaviours": h.behaviours, "resource_floods": h.resource_floods,
                    "object_floods": h.object_floods, "violations": h.violations,
                })
            }).collect::<Vec<_>>(),
            "rss": {
                "warm_up": self.rss_warm, "end": self.rss_end, "max": self.rss_max,
                "samples": self.samples,
                "end_anon_file_shmem": self.rss_end_parts,
                "series": self.rss_series,
                "growth_percent": self.rss_warm.zip(self.rss_end).map(|(w, e)| growth_percent(w, e)),
            },
            "fds": {"start": fds(self.fds_base), "warm_up": fds(self.fds_warm), "end": fds(self.fds_end)},
            "memfd_maps": {"start": self.maps_base, "end": self.maps_end},
            "server_died": self.server_died,
            "other_log_lines": self.log.other_count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prng_is_deterministic_per_seed() {
        let a: Vec<u64> = {
            let mut r = Rng::new(42);
            (0..100).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(42);
            (0..100).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        let mut c = Rng::new(43);
        assert_ne!(a[0], c.next_u64());
        // Pinned, so a change to the generator (which changes every run's streams) is seen.
        let mut r = Rng::new(0);
        let first: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        let mut again = Rng::new(0);
        assert_eq!(first, (0..3).map(|_| again.next_u64()).collect::<Vec<_>>());
        assert!(first.iter().all(|&v| v != 0));
        let mut r = Rng::new(7);
        for _ in 0..1000 {
            assert!(r.below(10) < 10);
            let v = r.range(5, 9);
            assert!((5..=9).contains(&v));
        }
        assert_eq!(r.below(0), 0);
        assert_eq!(r.range(3, 3), 3);
        assert_eq!(Rng::new(9).bytes(16), Rng::new(9).bytes(16));
    }

    #[test]
    fn the_prng_covers_its_range() {
        let mut r = Rng::new(1);
        let mut seen = [0u32; 8];
        for _ in 0..8000 {
            seen[r.below(8) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| (800..1200).contains(&n)), "{seen:?}");
    }

    #[test]
    fn proc_status_and_maps_are_read() {
        let status = "Name:\tvirgl-host-vtes\nVmPeak:\t  300000 kB\nVmRSS:\t  123456 kB\n\
                      RssAnon:\t   100 kB\nThreads:\t3\n";
        assert_eq!(parse_vm_rss(status), Some(123456 * 1024));
        let parts = "VmRSS:\t 7 kB\nRssAnon:\t 4 kB\nRssFile:\t 2 kB\nRssShmem:\t 1 kB\n";
        assert_eq!(parse_rss_parts(parts), Some([4096, 2048, 1024]));
        assert_eq!(parse_rss_parts(status), None);
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
        assert_eq!(parse_vm_rss("VmRSS:\tmany kB\n"), None);
        let maps = "7f00-7f01 rw-s 00000000 00:01 1234 /memfd:vtest-res-3 (deleted)\n\
                    7f02-7f03 r-xp 00000000 08:01 99 /usr/lib/libc.so.6\n\
                    7f04-7f05 rw-s 00000000 00:01 1235 /memfd:vtest-res-17 (deleted)\n\
                    7f06-7f07 rw-s 00000000 00:01 1236 /memfd:other (deleted)\n";
        assert_eq!(count_memfd_maps(maps), 2);
        let fds = Fds::of([
            "/dev/null",
            "socket:[123]",
            "/memfd:vtest-res-1 (deleted)",
            "anon_inode:[eventfd]",
        ]);
        assert_eq!(
            fds,
            Fds {
                total: 4,
                memfds: 1
            }
        );
    }

    #[test]
    fn log_lines_are_tallied_by_client() {
        let mut t = LogTally::default();
        for l in [
            "virgl-host-vtest: multi-clients enabled: clients must trust each other",
            "virgl-host-vtest: client \"soak-hostile-1\" (pid 9, ctx 4): SUBMIT_CMD: context 4: \
             command 0 (CREATE_OBJECT(DSA)) at dword 0: Dsa handle 9: 9 objects would be over \
             the limit of 8 (--max-objects)",
            "virgl-host-vtest: client \"soak-hostile-1\" (pid 9, ctx 4): 12 later submissions \
             were refused after the context's error",
            "virgl-host-vtest: client \"soak-hostile-1\" (pid 9, ctx 5): RESOURCE_CREATE2: \
             resource 7: 5 resources would be over the limit of 4 (--max-resources); client \
             dropped",
            "virgl-host-vtest: client (pid 9): header: unknown command id 99; client dropped",
            "virgl-host-vtest: client \"soak-good-0\" (pid 9, ctx 2): TRANSFER_GET2: oops",
        ] {
            t.line(l);
        }
        let h = t.client("soak-hostile-1");
        assert_eq!(
            h,
            ClientLog {
                lines: 3,
                submit_errors: 1,
                later_refused: 12,
                later_lines: 1,
                dropped: 1,
                limits: [1, 1, 0],
            }
        );
        assert_eq!(h.refused_submissions(), 13);
        assert_eq!(t.client("").dropped, 1);
        assert_eq!(t.client("soak-good-0").lines, 1);
        assert_eq!(t.client("nobody"), ClientLog::default());
        assert_eq!(t.other_count, 1);
    }

    fn passing() -> Outcome {
        Outcome {
            seconds: 30,
            good: vec![GoodStats {
                name: "soak-good-0".into(),
                frames: 100,
                connections: 1,
                ..GoodStats::default()
            }],
            hostile: vec![HostileStats {
                name: "soak-hostile-0".into(),
                ..HostileStats::default()
            }],
            rss_warm: Some(100 << 20),
            rss_end: Some(104 << 20),
            rss_max: Some(150 << 20),
            samples: 20,
            fds_base: Some(Fds {
                total: 8,
                memfds: 0,
            }),
            fds_end: Some(Fds {
                total: 8,
                memfds: 0,
            }),
            maps_base: Some(1),
            maps_end: Some(1),
            ..Outcome::default()
        }
    }

    #[test]
    fn a_clean_run_passes() {
        let o = passing();
        assert_eq!(o.failures(), Vec::<String>::new());
        let text = o.render();
        assert!(text.ends_with("soak: PASS\n"), "{text}");
        assert!(text.contains("growth +4.00%"), "{text}");
        assert_eq!(o.json()["pass"], true);
    }

    #[test]
    fn each_rule_fails_the_run() {
        type Break = fn(&mut Outcome);
        let cases: Vec<(Break, &str)> = vec![
            (|o| o.good[0].wrong = 1, "1 wrong frames"),
            (|o| o.good[0].errors = 2, "2 transport errors"),
            (|o| o.good[0].frames = 0, "no frame rendered"),
            (|o| o.rss_end = Some(105 << 20), "server RSS grew 5.0%"),
            (|o| o.rss_end = None, "RSS was not measured"),
            (
                |o| {
                    o.fds_end = Some(Fds {
                        total: 9,
                        memfds: 0,
                    })
                },
                "descriptors leaked: 8 open (0 memfds) before the clients, 9 (0) after",
            ),
            (|o| o.maps_end = Some(2), "memfd mappings leaked: 1 before"),
            (
                |o| o.server_died = Some("signal 11".into()),
                "the server died: signal 11",
            ),
            (
                |o| o.hung.push("soak-good-0".into()),
                "soak-good-0 did not stop",
            ),
            (
                |o| o.hostile[0].object_floods = 1,
                "1 object floods but 0 refusals naming --max-objects",
            ),
            (
                |o| o.hostile[0].resource_floods = 2,
                "2 resource floods but 0 refusals",
            ),
            (
                |o| o.hostile[0].violations.push("made 9 resources".into()),
                "soak-hostile-0: made 9 resources",
            ),
            (
                |o| {
                    o.log
                        .line("client \"soak-good-0\" (pid 1, ctx 1): SUBMIT_CMD: x")
                },
                "logged 1 refusals of a well-behaved client",
            ),
        ];
        for (break_it, says) in cases {
            let mut o = passing();
            break_it(&mut o);
            let f = o.failures();
            assert!(f.iter().any(|l| l.contains(says)), "{says}: {f:?}");
            assert!(o.render().contains("soak: FAIL\n"));
            assert_eq!(o.json()["pass"], false);
        }
    }

    #[test]
    fn shrinking_is_not_growth() {
        let mut o = passing();
        o.rss_end = Some(50 << 20);
        assert!(o.failures().is_empty());
        assert!(o.render().contains("growth -50.00%"));
        assert_eq!(growth_percent(0, 5), 0.0);
    }
}
