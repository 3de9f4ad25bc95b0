//! Streams captured from real GL programs through Mesa's virgl driver (`cargo xtask capture`)
//! decode completely and re-encode byte for byte.

use virgl_proto::ccmd::{to_bytes, Command, Decoder};

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "virgl"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(out.len() >= 2, "fixtures missing from {dir}");
    out
}

#[test]
fn captures_decode_and_reencode_identically() {
    for (name, bytes) in fixtures() {
        let dec = Decoder::new(&bytes);
        let mut n = 0;
        let mut out = Vec::new();
        for r in dec {
            let cmd = r.unwrap_or_else(|e| panic!("{name}: {e}"));
            cmd.encode(&mut out).unwrap();
            n += 1;
        }
        assert_eq!(to_bytes(&out), bytes, "{name}: re-encoding differs");
        assert!(n > 50, "{name}: only {n} commands");
    }
}

#[test]
fn captures_contain_shaders_and_draws() {
    for (name, bytes) in fixtures() {
        let cmds: Vec<Command<'_>> = Decoder::new(&bytes).map(Result::unwrap).collect();
        let has = |f: fn(&Command<'_>) -> bool| cmds.iter().any(f);
        assert!(
            has(|c| matches!(c, Command::CreateShader(_))),
            "{name}: no shader"
        );
        assert!(has(|c| matches!(c, Command::DrawVbo(_))), "{name}: no draw");
        if name.contains("gears") {
            assert!(has(|c| matches!(c, Command::Clear(_))), "{name}: no clear");
        }
    }
}

/// The complete TGSI texts in a stream, long shaders reassembled from their packets.
fn shader_texts(bytes: &[u8]) -> Vec<String> {
    let mut assembler = virgl_proto::ccmd::ShaderAssembler::default();
    let mut done = Vec::new();
    for cmd in Decoder::new(bytes) {
        if let Command::CreateShader(s) = cmd.unwrap() {
            if let Some(shader) = assembler.push(&s).unwrap() {
                done.push(String::from_utf8(shader.text).unwrap());
            }
        }
    }
    assert!(assembler.is_idle(), "a shader never finished arriving");
    done
}

#[test]
fn every_captured_shader_parses_and_round_trips() {
    use virgl_proto::tgsi;
    let mut total = 0;
    for (name, bytes) in fixtures() {
        for text in shader_texts(&bytes) {
            let shader = tgsi::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
            let printed = shader.to_string();
            let again = tgsi::parse(&printed)
                .unwrap_or_else(|e| panic!("{name}: reprint does not parse: {e}\n{printed}"));
            assert_eq!(again, shader, "{name}:\n{text}\nprinted as\n{printed}");
            // The printer writes what Mesa's tgsi_dump writes, byte for byte.
            assert_eq!(printed, text, "{name}: printed differently");
            assert!(
                shader.instructions().any(|i| i.opcode == tgsi::Opcode::End),
                "{name}: no END"
            );
            total += 1;
        }
    }
    assert!(total >= 10, "only {total} shaders in the fixtures");
}
