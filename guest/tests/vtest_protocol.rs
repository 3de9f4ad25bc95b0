//! The vtest client against scripted servers: old servers, short and bad replies.

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::thread;

mod common;

use common::TempDir;
use virgl_guest::vtest::Vtest;
use virgl_guest::Error;

fn le(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// Serves one client: reads what it sends after each step and answers with the scripted bytes.
fn scripted(replies: Vec<Vec<u8>>) -> (TempDir, thread::JoinHandle<()>) {
    let dir = TempDir::new("scripted");
    let path = dir.0.join("s.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let h = thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        for r in replies {
            let _ = s.read(&mut buf);
            if s.write_all(&r).is_err() {
                return;
            }
        }
    });
    (dir, h)
}

fn caps_reply(id: u32, bytes: usize, max_version: u32) -> Vec<u8> {
    let mut r = le(&[bytes as u32 + 1, id]);
    let mut caps = vec![0u8; bytes];
    caps[..4].copy_from_slice(&max_version.to_le_bytes());
    r.extend(caps);
    r
}

#[test]
fn old_server_without_ping_gets_version_0() {
    // An old server ignores PING and answers only the busy-wait probe.
    let (dir, h) = scripted(vec![
        le(&[1, 7, 0]),
        caps_reply(2, 1024, 2),
        caps_reply(1, 308, 1),
    ]);
    let vt = Vtest::connect(dir.0.join("s.sock")).unwrap();
    assert_eq!(vt.version(), 0);
    drop(vt);
    h.join().unwrap();
}

#[test]
fn server_closing_during_handshake_is_disconnected() {
    let (dir, h) = scripted(vec![]);
    let err = Vtest::connect(dir.0.join("s.sock")).err().unwrap();
    assert!(matches!(err, Error::Disconnected { .. }), "{err}");
    h.join().unwrap();
}

#[test]
fn wrong_reply_id_is_a_protocol_error() {
    let (dir, h) = scripted(vec![le(&[1, 99, 0])]);
    let err = Vtest::connect(dir.0.join("s.sock")).err().unwrap();
    assert!(matches!(err, Error::Protocol { .. }), "{err}");
    assert!(err.to_string().contains("unexpected reply id 99"), "{err}");
    h.join().unwrap();
}

#[test]
fn version_above_offer_is_refused() {
    let (dir, h) = scripted(vec![le(&[0, 10, 1, 7, 0]), le(&[1, 11, 7])]);
    let err = Vtest::connect(dir.0.join("s.sock")).err().unwrap();
    assert!(err.to_string().contains("server chose version 7"), "{err}");
    h.join().unwrap();
}

#[test]
fn short_caps_are_rejected_with_sizes() {
    let (dir, h) = scripted(vec![
        le(&[0, 10, 1, 7, 0]),
        le(&[1, 11, 3]),
        caps_reply(2, 100, 2),
    ]);
    let err = Vtest::connect(dir.0.join("s.sock")).err().unwrap();
    assert_eq!(
        err.to_string(),
        "virgl_caps_v2: needs at least 560 bytes, got 100"
    );
    h.join().unwrap();
}

#[test]
fn absurd_caps_length_is_refused_without_allocating() {
    let (dir, h) = scripted(vec![
        le(&[0, 10, 1, 7, 0]),
        le(&[1, 11, 3]),
        le(&[u32::MAX, 2]),
    ]);
    let err = Vtest::connect(dir.0.join("s.sock")).err().unwrap();
    assert!(matches!(err, Error::Protocol { .. }), "{err}");
    h.join().unwrap();
}
