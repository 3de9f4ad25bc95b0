//! Any bytes: the decoder never panics, and whatever it decodes re-encodes to bytes that decode
//! and re-encode to the very same bytes (compared as bytes, since floats may be NaN).
#![no_main]
use libfuzzer_sys::fuzz_target;
use virgl_proto::ccmd::{decode_all, encode_all, Decoder};

fuzz_target!(|data: &[u8]| {
    for cmd in Decoder::new(data).map_while(Result::ok) {
        let first = encode_all([&cmd]).expect("a decoded command re-encodes");
        let bytes: Vec<u8> = first.iter().flat_map(|d| d.to_le_bytes()).collect();
        let again = decode_all(&bytes).expect("re-encoded bytes decode");
        assert_eq!(again.len(), 1);
        assert_eq!(encode_all(&again).expect("encodes"), first);
    }
});
