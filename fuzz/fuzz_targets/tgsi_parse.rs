//! Any text: the TGSI parser never panics, and what it parses prints back to the same tree.
#![no_main]
use libfuzzer_sys::fuzz_target;
use virgl_proto::tgsi;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(shader) = tgsi::parse(text) {
        let printed = shader.to_string();
        assert_eq!(tgsi::parse(&printed).expect("printed text parses"), shader, "{printed}");
    }
});
