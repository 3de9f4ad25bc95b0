//! virgl-dump on the captured fixtures: round trip, stats, and errors on broken input.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_virgl-dump");

fn fixtures() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../proto/tests/data");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "virgl"))
        .collect();
    v.sort();
    assert!(!v.is_empty());
    v
}

#[test]
fn roundtrip_passes_on_every_capture() {
    for f in fixtures() {
        let out = Command::new(BIN)
            .arg("--roundtrip")
            .arg(&f)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {stdout}{}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("re-encoded byte-identical"), "{stdout}");
    }
}

#[test]
fn dump_prints_one_line_per_command_and_stats_count_them() {
    let f = fixtures()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("fs-abs"))
        .unwrap();
    let dump = Command::new(BIN).arg(&f).output().unwrap();
    assert!(dump.status.success());
    let lines: Vec<String> = String::from_utf8(dump.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert!(
        lines[0].trim_start().starts_with("0 TRANSFER3D"),
        "{}",
        lines[0]
    );
    assert!(lines
        .iter()
        .any(|l| l.contains("CREATE_OBJECT(SHADER)") && l.contains("\"FRAG\"")));
    let stats = Command::new(BIN).arg("--stats").arg(&f).output().unwrap();
    let text = String::from_utf8(stats.stdout).unwrap();
    let column = |n: usize| -> usize {
        text.lines()
            .skip(1)
            .map(|l| {
                l.split_whitespace()
                    .nth(n)
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum()
    };
    assert_eq!(column(1), lines.len(), "{text}");
    // Every dword belongs to one command, header included.
    let words = std::fs::metadata(&f).unwrap().len() as usize / 4;
    assert_eq!(column(2), words, "{text}");
    // Object commands are counted per object kind.
    for name in [
        "CREATE_OBJECT(SHADER)",
        "CREATE_OBJECT(BLEND)",
        "BIND_OBJECT(DSA)",
    ] {
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().next() == Some(name)),
            "{name} missing:\n{text}"
        );
    }
    assert!(
        !text.lines().any(|l| l.starts_with("CREATE_OBJECT ")),
        "{text}"
    );
}

#[test]
fn undecodable_input_fails_naming_the_dword_offset() {
    let f = fixtures()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("fs-abs"))
        .unwrap();
    let mut bytes = std::fs::read(&f).unwrap();
    // Corrupt the header of the third command (CREATE_SUB_CTX at dword 1024) into id 200.
    bytes[1024 * 4] = 200;
    let dir = std::env::temp_dir().join(format!("virgl-dump-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.virgl");
    std::fs::write(&bad, &bytes).unwrap();
    let out = Command::new(BIN).arg(&bad).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!out.status.success());
    assert!(
        stderr.contains("command 2 at dword 1024: unknown command id 200"),
        "{stderr}"
    );
    // Everything before the bad command was printed.
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
}

#[test]
fn shaders_are_extracted_and_checked() {
    let f = fixtures()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("glxgears"))
        .unwrap();
    let dir = std::env::temp_dir().join(format!("virgl-dump-shaders-{}", std::process::id()));
    let out = Command::new(BIN)
        .arg("--roundtrip")
        .arg("--shaders")
        .arg(&dir)
        .arg(&f)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("3 shaders: each parses"), "{stdout}");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            text.starts_with("VERT") || text.starts_with("FRAG"),
            "{text}"
        );
        virgl_proto::tgsi::parse(&text).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_shader_that_does_not_parse_fails_the_roundtrip() {
    // One CREATE_OBJECT(SHADER): handle 1, fragment, total 12 bytes, 100 tokens, no stream
    // output, text "FRAG\nFOO\n" with its NUL and padding. FOO is no TGSI opcode.
    let mut words = vec![0x0008_0401u32, 1, 1, 10, 100, 0];
    words.extend(
        b"FRAG\nFOO\n\0\0\0"
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap())),
    );
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    let path = std::env::temp_dir().join(format!("virgl-dump-badshader-{}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    let plain = Command::new(BIN).arg(&path).output().unwrap();
    assert!(plain.status.success(), "the command itself decodes");
    let out = Command::new(BIN)
        .arg("--roundtrip")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("command 0 at dword 0") && stderr.contains("FOO"),
        "{stderr}"
    );
    std::fs::remove_file(&path).unwrap();
}
