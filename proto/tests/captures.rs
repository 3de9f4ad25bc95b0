//! Streams captured from real GL programs through Mesa's virgl driver (`cargo xtask capture`)
//! decode completely and re-encode byte for byte.

use virgl_proto::ccmd::{to_bytes, Command, Decoder};

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "virgl"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    assert!(out.len() >= 2, "fixtures missing from {dir}");
    out
}

#[test]
fn captures_decode_and_reencode_identically() {
    for (name, bytes) in fixtures() {
        let mut dec = Decoder::new(&bytes);
        let mut n = 0;
        let mut out = Vec::new();
        while let Some(r) = dec.next() {
            let cmd = r.unwrap_or_else(|e| panic!("{name}: {e}"));
            cmd.encode(&mut out).unwrap();
            n += 1;
        }
        assert_eq!(to_bytes(&out), bytes, "{name}: re-encoding differs");
        assert!(n > 50, "{name}: only {n} commands");
    }
}

#[test]
fn captures_contain_shaders_draws_and_clears() {
    for (name, bytes) in fixtures() {
        let cmds: Vec<Command<'_>> = Decoder::new(&bytes).map(Result::unwrap).collect();
        let has = |f: fn(&Command<'_>) -> bool| cmds.iter().any(f);
        assert!(has(|c| matches!(c, Command::CreateShader(_))), "{name}: no shader");
        assert!(has(|c| matches!(c, Command::DrawVbo(_))), "{name}: no draw");
        assert!(has(|c| matches!(c, Command::Clear(_))), "{name}: no clear");
    }
}
