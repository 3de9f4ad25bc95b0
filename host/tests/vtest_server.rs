//! The vtest protocol against the server with the null backend: raw clients over socket pairs
//! and the guest crate's vtest client over temporary sockets.

use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::time::Duration;

use rstest::rstest;
use virgl_guest::sys::poll_readable;
use virgl_guest::transport::{TransferRegion, Transport};
use virgl_guest::vtest::Vtest;
use virgl_host::vtest::ProcessModel;
use virgl_proto::caps::{CapsV1, CapsV2};
use virgl_proto::ccmd::{encode_all, Box3, Command, LayerRange, Surface};
use virgl_proto::format::Format;
use virgl_proto::vtest::{self as wire, cmd, SyncPoint, SyncWait, Transfer2};

mod common;

use common::*;

// ---- handshake, caps ----

#[rstest]
#[case::v0(0, 0)]
#[case::v1_becomes_0(1, 0)]
#[case::v2(2, 2)]
#[case::v3(3, 3)]
#[case::newer_client(7, 3)]
fn protocol_version_is_the_lower_one_and_1_becomes_0(#[case] offer: u32, #[case] agreed: u32) {
    let (mut c, h, log) = spawn_client(false);
    assert_eq!(c.handshake("versions", offer), agreed);
    drop(c);
    join_within(h, "server");
    assert_eq!(lines(&log), Vec::<String>::new());
}

#[rstest]
#[case::v0(0)]
#[case::v2(2)]
#[case::v3(3)]
fn the_guest_client_connects_and_reads_caps(#[case] offer: u32) {
    let (dir, h, log) = spawn_server(&format!("guest-v{offer}"), ProcessModel::SingleClient);
    let vt = Vtest::connect_with_version(dir.sock(), offer).unwrap();
    assert_eq!(vt.version(), offer);
    assert_eq!(vt.caps().v2_len, Some(CapsV2::SIZE));
    assert_eq!(vt.caps().v1.max_version, 1);
    drop(vt);
    join_within(h, "server").unwrap();
    assert_eq!(lines(&log), Vec::<String>::new());
}

#[test]
fn caps_replies_give_bytes_plus_one_and_caps2_answers_with_id_2() {
    let (mut c, h, _) = spawn_client(false);
    c.handshake("caps", 3);
    c.send(&wire::bare(cmd::GET_CAPS2))
        .send(&wire::bare(cmd::GET_CAPS));
    assert_eq!(c.words(2), [CapsV2::SIZE as u32 + 1, cmd::GET_CAPS2_REPLY]);
    let mut v2 = vec![0u8; CapsV2::SIZE];
    c.s.read_exact(&mut v2).unwrap();
    assert_eq!(v2, caps_payload(2));
    assert_eq!(c.words(2), [CapsV1::SIZE as u32 + 1, cmd::GET_CAPS]);
    let mut v1 = vec![0u8; CapsV1::SIZE];
    c.s.read_exact(&mut v1).unwrap();
    assert_eq!(v1, caps_payload(1));
    drop(c);
    join_within(h, "server");
}

#[rstest]
#[case::virgl(1, 1, Some(CapsV1::SIZE))]
#[case::virgl2(2, 2, Some(CapsV2::SIZE))]
#[case::virgl2_older_version(2, 1, Some(CapsV2::SIZE))]
#[case::version_too_new(1, 2, None)]
#[case::unknown_capset(4, 0, None)]
fn get_capset_answers_valid_and_the_caps(
    #[case] set: u32,
    #[case] version: u32,
    #[case] bytes: Option<usize>,
) {
    let (mut c, h, _) = spawn_client(false);
    c.handshake("capset", 3);
    c.send(&wire::get_capset(set, version));
    match bytes {
        Some(n) => {
            let p = c.reply(cmd::GET_CAPSET, 1 + n / 4);
            assert_eq!(p[0], 1);
            assert_eq!(le(&p[1..]), caps_payload(set));
        }
        None => assert_eq!(c.reply(cmd::GET_CAPSET, 1), [0]),
    }
    drop(c);
    join_within(h, "server");
}

#[rstest]
#[case::max_timeline_count(wire::param::MAX_TIMELINE_COUNT, [1, 64])]
#[case::timeline_syncobj_is_v4(wire::param::HAS_TIMELINE_SYNCOBJ, [0, 0])]
#[case::unknown(99, [0, 0])]
fn get_param(#[case] param: u32, #[case] answer: [u32; 2]) {
    let (mut c, h, _) = spawn_client(false);
    c.handshake("param", 3);
    c.send(&wire::get_param(param));
    assert_eq!(c.reply(cmd::GET_PARAM, 2), answer);
    drop(c);
    join_within(h, "server");
}

// ---- resources and transfers ----

#[rstest]
#[case::v2(2)]
#[case::v3(3)]
fn memfd_backing_round_trips_through_the_renderer(#[case] version: u32) {
    let (mut c, h, log) = spawn_client(false);
    c.handshake("memfd", version);
    let desc = rgba(4, 4);
    let (id, mut mem) = c.create2(version, 5, &desc, 64);
    let bytes = pattern(64, 3);
    mem.as_mut_slice().copy_from_slice(&bytes);
    let whole = Transfer2 {
        handle: id,
        level: 0,
        region: Box3::new_2d(0, 0, 4, 4),
        offset: 0,
    };
    c.send(&wire::transfer2(cmd::TRANSFER_PUT2, &whole));
    c.wait_idle();
    mem.as_mut_slice().fill(0);
    c.send(&wire::transfer2(cmd::TRANSFER_GET2, &whole));
    c.wait_idle();
    assert_eq!(mem.as_slice(), &bytes[..]);

    // A box inside: its first byte sits at its place in the packed level.
    let inner = Transfer2 {
        region: Box3::new_2d(1, 2, 2, 1),
        offset: 2 * 16 + 4,
        ..whole
    };
    mem.as_mut_slice()[36..44].copy_from_slice(b"ABCDEFGH");
    c.send(&wire::transfer2(cmd::TRANSFER_PUT2, &inner));
    c.wait_idle();
    mem.as_mut_slice().fill(0);
    c.send(&wire::transfer2(cmd::TRANSFER_GET2, &whole));
    c.wait_idle();
    let mut want = bytes.clone();
    want[36..44].copy_from_slice(b"ABCDEFGH");
    assert_eq!(mem.as_slice(), &want[..]);
    drop(c);
    let host = join_within(h, "server");
    let calls = &host.renderer().backend().calls;
    assert!(
        calls.contains(&format!("write {id} level 0 {:?}", inner.region)),
        "{calls:?}"
    );
    assert!(
        calls.contains(&format!("destroy_resource {id}")),
        "closing frees it: {calls:?}"
    );
    assert_eq!(lines(&log), Vec::<String>::new());
}

#[rstest]
#[case::v0(0)]
#[case::v2(2)]
#[case::v3(3)]
fn the_guest_client_round_trips_pixels(#[case] version: u32) {
    let (dir, h, log) = spawn_server(&format!("pixels-v{version}"), ProcessModel::SingleClient);
    let mut vt = Vtest::connect_with_version(dir.sock(), version).unwrap();
    let desc = rgba(8, 2);
    let id = vt.create_resource(&desc).unwrap();
    let bytes = pattern(64, 11);
    vt.backing(id).unwrap().copy_from_slice(&bytes);
    let region = TransferRegion {
        level: 0,
        region: Box3::new_2d(0, 0, 8, 2),
        offset: 0,
        stride: 32,
        layer_stride: 64,
    };
    vt.transfer_to_host(id, &region).unwrap();
    vt.wait(id).unwrap();
    vt.backing(id).unwrap().fill(0);
    vt.transfer_from_host(id, &region).unwrap();
    vt.wait(id).unwrap();
    assert_eq!(vt.backing(id).unwrap(), &bytes[..]);
    drop(vt);
    join_within(h, "server").unwrap();
    assert_eq!(lines(&log), Vec::<String>::new());
}

fn inline(handle: u32, region: Box3, stride: u32, data_size: u32) -> wire::TransferInline {
    wire::TransferInline {
        handle,
        level: 0,
        stride,
        layer_stride: 0,
        region,
        data_size,
    }
}

#[test]
fn inline_transfers_honour_the_stride() {
    let (mut c, h, log) = spawn_client(false);
    c.handshake("inline", 0);
    c.send(&wire::resource_create(1, &rgba(4, 4)));
    // Two rows of two texels, 20 bytes apart: 12 bytes of padding after the first row's 8.
    let mut rows = b"abcdefgh".to_vec();
    rows.extend([b'_'; 12]);
    rows.extend(b"ijklmnop");
    let put = inline(1, Box3::new_2d(1, 1, 2, 2), 20, 28);
    c.send(&wire::transfer_inline(cmd::TRANSFER_PUT, &put, &rows));
    // Too few bytes for that stride: refused, and its bytes are still consumed.
    let short = inline(1, Box3::new_2d(1, 1, 2, 2), 20, 27);
    c.send(&wire::transfer_inline(
        cmd::TRANSFER_PUT,
        &short,
        &[b'!'; 27],
    ));
    c.ping();

    // Read the same box back packed (8 bytes a row), then the whole level.
    c.send(&wire::transfer_inline(
        cmd::TRANSFER_GET,
        &inline(1, Box3::new_2d(1, 1, 2, 2), 8, 16),
        &[],
    ));
    let mut got = [0u8; 16];
    c.s.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"abcdefghijklmnop");
    c.send(&wire::transfer_inline(
        cmd::TRANSFER_GET,
        &inline(1, Box3::new_2d(0, 0, 4, 4), 0, 64),
        &[],
    ));
    let mut level = [0u8; 64];
    c.s.read_exact(&mut level).unwrap();
    assert_eq!(&level[20..28], b"abcdefgh");
    assert_eq!(&level[36..44], b"ijklmnop");
    assert_eq!(level.iter().filter(|&&b| b != 0).count(), 16);
    drop(c);
    join_within(h, "server");
    let log = lines(&log);
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].contains("TRANSFER_PUT: transfer on resource 1 level 0"),
        "the short PUT is refused: {log:?}"
    );
}

#[test]
fn an_inline_get_that_does_not_fit_sends_zeros_and_the_client_goes_on() {
    let (mut c, h, log) = spawn_client(false);
    c.handshake("short-get", 0);
    c.send(&wire::resource_create(1, &rgba(4, 4)));
    c.send(&wire::transfer_inline(
        cmd::TRANSFER_PUT,
        &inline(1, Box3::new_2d(0, 0, 4, 4), 0, 64),
        &[9; 64],
    ));
    c.send(&wire::transfer_inline(
        cmd::TRANSFER_GET,
        &inline(1, Box3::new_2d(0, 0, 4, 4), 4000, 8),
        &[],
    ));
    let mut got = [1u8; 8];
    c.s.read_exact(&mut got).unwrap();
    assert_eq!(got, [0; 8]);
    c.ping();
    drop(c);
    join_within(h, "server");
    let log = lines(&log);
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].starts_with("client \"short-get\" (pid "), "{log:?}");
    assert!(
        log[0].contains(", ctx 1): TRANSFER_GET: transfer on resource 1"),
        "{log:?}"
    );
}

#[rstest]
#[case::v0_create(0)]
#[case::v2_create2(2)]
fn a_duplicate_handle_drops_the_client(#[case] version: u32) {
    let (mut c, h, log) = spawn_client(false);
    c.handshake("dup", version);
    let desc = rgba(4, 4);
    let msg = if version == 0 {
        wire::resource_create(7, &desc)
    } else {
        wire::resource_create2(7, &desc, 64)
    };
    c.send(&msg);
    if version >= 2 {
        c.fd();
    }
    c.send(&msg);
    c.expect_closed();
    let host = join_within(h, "server");
    assert!(
        host.renderer().resource(7).is_none(),
        "closing frees the first one"
    );
    let log = lines(&log);
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].contains("handle 7 is in use; client dropped"),
        "{log:?}"
    );
}

#[test]
fn protocol_3_ids_are_assigned_by_the_server() {
    let (mut c, h, log) = spawn_client(false);
    c.handshake("ids", 3);
    let desc = rgba(2, 2);
    let (a, _) = c.create2(3, 0, &desc, 16);
    let (b, _) = c.create2(3, 0, &desc, 16);
    assert_eq!((a, b), (1, 2));
    c.send(&wire::resource_unref(a));
    let (d, _) = c.create2(3, 0, &desc, 16);
    assert!(d != 0 && d != b, "{d}");
    c.send(&wire::resource_create(0, &desc));
    let e = c.reply(cmd::RESOURCE_CREATE, 1)[0];
    assert!(![0, b, d].contains(&e), "{e}");
    c.send(&wire::resource_create2(9, &desc, 16));
    c.expect_closed();
    join_within(h, "server");
    let log = lines(&log);
    assert!(
        log[0].contains("handle 9: protocol 3 clients send 0"),
        "{log:?}"
    );
}

// ---- errors ----

fn bad_surface_stream() -> Vec<u32> {
    encode_all(&[Command::CreateSurface(Surface {
        handle: 1,
        resource: 7,
        format: Format::R8G8B8A8_UNORM,
        level: 0,
        layers: LayerRange { first: 0, last: 0 },
    })])
    .unwrap()
}

#[test]
fn a_failing_submit_is_logged_and_other_clients_go_on() {
    let (dir, h, log) = spawn_server(
        "bad-submit",
        ProcessModel::MultiClients {
            exit_when_idle: true,
        },
    );
    let mut a = Raw::connect(&dir.sock());
    assert_eq!(a.handshake("glxgears", 3), 3);
    a.send(&wire::submit_cmd(&bad_surface_stream()));
    a.ping();
    a.send(&wire::submit_cmd(&[]));
    a.ping();

    let mut b = Vtest::connect(dir.sock()).unwrap();
    let id = b.create_resource(&rgba(2, 2)).unwrap();
    b.backing(id).unwrap().copy_from_slice(&[5; 16]);
    let region = TransferRegion {
        level: 0,
        region: Box3::new_2d(0, 0, 2, 2),
        offset: 0,
        stride: 8,
        layer_stride: 16,
    };
    b.transfer_to_host(id, &region).unwrap();
    b.wait(id).unwrap();
    b.backing(id).unwrap().fill(0);
    b.transfer_from_host(id, &region).unwrap();
    b.wait(id).unwrap();
    assert_eq!(b.backing(id).unwrap(), &[5; 16]);
    a.ping();
    drop((a, b));
    join_within(h, "server").unwrap();
    let log = lines(&log);
    assert_eq!(log.len(), 2, "{log:?}");
    let first = &log[0];
    assert!(first.starts_with("client \"glxgears\" (pid "), "{first}");
    assert!(
        first.ends_with(
            ", ctx 1): SUBMIT_CMD: context 1: command 0 (CREATE_OBJECT(SURFACE)) at dword 0: \
             resource 7 does not exist"
        ),
        "{first}"
    );
    assert!(
        log[1].ends_with("1 later submissions were refused after the context's error"),
        "{log:?}"
    );
}

#[rstest]
#[case::oversize_submit(
    le(&[(256 << 20) / 4 + 1, cmd::SUBMIT_CMD]),
    "SUBMIT_CMD: 268435460 bytes is over the 268435456-byte limit; client dropped"
)]
#[case::oversize_sync_wait(le(&[u32::MAX, cmd::SYNC_WAIT]), "SYNC_WAIT: 17179869180 bytes is over")]
#[case::oversize_inline_put(
    wire::transfer_inline(cmd::TRANSFER_PUT, &inline(1, Box3::new_2d(0, 0, 1, 1), 0, (256 << 20) + 1), &[]),
    "TRANSFER_PUT: 268435457 bytes is over"
)]
#[case::unknown_command(le(&[0, 99]), "header: unknown command id 99; client dropped")]
#[case::command_0(le(&[0, 0]), "header: unknown command id 0")]
#[case::second_create_renderer(wire::create_renderer("again"), "CREATE_RENDERER: sent twice")]
#[case::blob(le(&[6, cmd::RESOURCE_CREATE_BLOB, 2, 1, 4096, 0, 0, 0]), "RESOURCE_CREATE_BLOB: blob resources are not supported")]
#[case::busy_wait_before_context(
    wire::busy_wait(3, 0),
    "resource 3 named before the context exists"
)]
#[case::truncated_header(vec![1, 0, 0], "header: the stream ended after 3 bytes")]
#[case::truncated_payload(le(&[1, cmd::SUBMIT_CMD]), "SUBMIT_CMD: the stream ended 0 bytes into a 4-byte payload")]
#[case::unknown_capset_context(
    wire::context_init(4),
    "CONTEXT_INIT: capset 4: only virgl (1) and virgl2 (2)"
)]
#[case::unknown_sync(wire::sync_read(42), "SYNC_READ: sync 42 does not exist")]
fn protocol_garbage_drops_only_that_client(#[case] garbage: Vec<u8>, #[case] says: &str) {
    let (dir, h, log) = spawn_server(
        "garbage",
        ProcessModel::MultiClients {
            exit_when_idle: true,
        },
    );
    let mut good = Raw::connect(&dir.sock());
    good.handshake("good", 3);
    let mut bad = Raw::connect(&dir.sock());
    bad.handshake("bad", 3);
    bad.send(&garbage);
    if garbage.len() < 8 || garbage == le(&[1, cmd::SUBMIT_CMD]) {
        bad.s.shutdown(std::net::Shutdown::Write).unwrap();
    }
    bad.expect_closed();
    good.ping();
    let (id, _) = good.create2(3, 0, &rgba(2, 2), 16);
    assert_eq!(id, 1);
    drop(good);
    join_within(h, "server").unwrap();
    let log = lines(&log);
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].starts_with("client \"bad\" (pid "), "{log:?}");
    assert!(log[0].contains(says), "{log:?}");
}

#[rstest]
#[case::not_first(
    wire::bare(cmd::GET_CAPS),
    "GET_CAPS: the first command must be CREATE_RENDERER"
)]
#[case::name_too_long(le(&[(1 << 20) + 1, cmd::CREATE_RENDERER]), "a 1048577-byte name is over")]
fn create_renderer_comes_first_and_is_bounded(#[case] first: Vec<u8>, #[case] says: &str) {
    let (mut c, h, log) = spawn_client(false);
    c.send(&first);
    c.expect_closed();
    join_within(h, "server");
    let log = lines(&log);
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].starts_with("client (pid "), "{log:?}");
    assert!(log[0].contains(says), "{log:?}");
}

#[rstest]
#[case::v2(2)]
#[case::v0(0)]
fn multi_clients_refuses_protocol_below_3(#[case] offer: u32) {
    let (mut c, h, log) = spawn_client(true);
    let mut m = wire::create_renderer("old");
    m.extend(wire::protocol_version(offer));
    c.send(&m);
    c.expect_closed();
    join_within(h, "server");
    let log = lines(&log);
    assert!(
        log[0].contains(&format!("version {offer} is below 3")),
        "{log:?}"
    );
}

// ---- syncs ----

fn readable(fd: &OwnedFd) -> bool {
    poll_readable(fd.as_fd(), Duration::ZERO, "test poll").unwrap()
}

#[test]
fn submit_cmd2_signals_syncs_and_sync_wait_fds_become_readable() {
    let (mut c, h, log) = spawn_client(false);
    c.handshake("syncs", 3);
    c.send(&wire::sync_create(1));
    let s = c.reply(cmd::SYNC_CREATE, 1)[0];
    c.send(&wire::sync_wait(&SyncWait {
        flags: 0,
        timeout_ms: 10_000,
        points: vec![SyncPoint { id: s, value: 3 }],
    }));
    c.reply(cmd::SYNC_WAIT, 0);
    let waiting = c.fd();
    assert!(!readable(&waiting));

    c.send(&wire::submit_cmd2(&[wire::Submit2Batch {
        flags: wire::SUBMIT_CMD2_FLAG_RING_IDX,
        ring_idx: 1,
        commands: &[],
        syncs: vec![SyncPoint { id: s, value: 3 }],
    }]));
    c.send(&wire::sync_read(s));
    assert_eq!(c.reply(cmd::SYNC_READ, 2), [3, 0]);
    assert!(poll_readable(waiting.as_fd(), TIMEOUT, "test poll").unwrap());

    c.send(&wire::sync_write(SyncPoint {
        id: s,
        value: 1 << 33,
    }));
    c.send(&wire::sync_read(s));
    assert_eq!(c.reply(cmd::SYNC_READ, 2), [0, 2]);
    c.send(&wire::sync_wait(&SyncWait {
        flags: 0,
        timeout_ms: 0,
        points: vec![SyncPoint { id: s, value: 5 }],
    }));
    c.reply(cmd::SYNC_WAIT, 0);
    assert!(readable(&c.fd()), "already reached: readable at once");
    c.send(&wire::sync_unref(s));
    c.send(&wire::sync_read(s));
    c.expect_closed();
    join_within(h, "server");
    let log = lines(&log);
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].contains(&format!("SYNC_READ: sync {s} does not exist")),
        "{log:?}"
    );
}

#[test]
fn a_failing_batch_still_signals_its_syncs() {
    let (mut c, h, log) = spawn_client(false);
    c.handshake("batch", 3);
    c.send(&wire::sync_create(0));
    let s = c.reply(cmd::SYNC_CREATE, 1)[0];
    let bad = bad_surface_stream();
    c.send(&wire::submit_cmd2(&[
        wire::Submit2Batch {
            flags: 0,
            ring_idx: 0,
            commands: &bad,
            syncs: vec![SyncPoint { id: s, value: 1 }],
        },
        wire::Submit2Batch {
            flags: 0,
            ring_idx: 0,
            commands: &[],
            syncs: vec![SyncPoint { id: s, value: 2 }],
        },
    ]));
    c.send(&wire::sync_read(s));
    assert_eq!(c.reply(cmd::SYNC_READ, 2), [2, 0]);
    drop(c);
    join_within(h, "server");
    let log = lines(&log);
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].contains("SUBMIT_CMD2: context 1: command 0 (CREATE_OBJECT(SURFACE))"),
        "{log:?}"
    );
}
