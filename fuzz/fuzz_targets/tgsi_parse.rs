//! Any text: the TGSI parser never panics, what it parses has each opcode's operand counts,
//! and it prints back to the same tree.
#![no_main]
use libfuzzer_sys::fuzz_target;
use virgl_proto::tgsi;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(shader) = tgsi::parse(text) {
        for i in shader.instructions() {
            assert_eq!(i.dst.len(), i.opcode.num_dst(), "{i}");
            assert_eq!(i.src.len(), i.opcode.num_src(), "{i}");
            assert_eq!(i.texture.is_some(), i.opcode.info().is_tex, "{i}");
        }
        let printed = shader.to_string();
        assert_eq!(
            tgsi::parse(&printed).expect("printed text parses"),
            shader,
            "{printed}"
        );
    }
});
