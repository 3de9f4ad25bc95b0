//! Any bytes: the decoder never panics, and every command it decodes re-encodes to exactly the
//! bytes it was decoded from (compared as bytes, since floats may be NaN).
#![no_main]
use libfuzzer_sys::fuzz_target;
use virgl_proto::ccmd::{encode_all, to_bytes, Decoder};

fuzz_target!(|data: &[u8]| {
    let mut decoder = Decoder::new(data);
    let mut start = 0;
    while let Some(Ok(cmd)) = decoder.next() {
        let end = decoder.offset() * 4;
        let again = to_bytes(&encode_all([&cmd]).expect("a decoded command re-encodes"));
        assert_eq!(
            again,
            &data[start..end],
            "{} at byte {start} re-encodes differently",
            cmd.name()
        );
        start = end;
    }
});
