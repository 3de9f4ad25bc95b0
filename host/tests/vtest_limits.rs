//! The per-client limits of the vtest server (`--max-objects`, `--max-resources`,
//! `--max-resource-bytes`) on the null backend: a client at a limit is refused with an error
//! naming the limit and its flag, freeing makes room again, leaving frees everything, and
//! another client is unaffected.

use std::os::unix::net::UnixStream;
use std::thread::{self, JoinHandle};

use virgl_host::backend::null::NullBackend;
use virgl_host::quota::{Limit, Quota};
use virgl_host::vtest::{Client, Host, ProcessModel};
use virgl_proto::ccmd::{encode_all, Command, Dsa, ObjectType};
use virgl_proto::vtest::{self as wire, cmd};

mod common;

use common::*;

fn quota(objects: u64, resources: u64, bytes: u64) -> Quota {
    let limit = |max, set_by| Limit { max, set_by };
    Quota {
        objects: limit(objects, "--max-objects"),
        resources: limit(resources, "--max-resources"),
        resource_bytes: limit(bytes, "--max-resource-bytes"),
    }
}

/// One client served in process under `quota`; the thread returns the host when it is done.
fn spawn_limited(quota: Quota) -> (Raw, JoinHandle<Host<NullBackend>>, Lines) {
    let (ours, theirs) = UnixStream::pair().unwrap();
    let (log, lines) = capture();
    let h = thread::spawn(move || {
        let mut host = Host::with_quota(renderer().unwrap(), false, quota, log);
        Client::new(theirs).run(&mut host);
        host
    });
    (Raw::new(ours), h, lines)
}

fn dsa(handle: u32) -> Command<'static> {
    Command::CreateDsa(Dsa {
        handle,
        ..Dsa::default()
    })
}

fn submit(c: &mut Raw, cmds: &[Command<'_>]) {
    c.send(&wire::submit_cmd(&encode_all(cmds).unwrap()));
}

#[test]
fn a_client_at_the_resource_limit_is_refused_and_leaving_frees_everything() {
    let (mut c, h, log) = spawn_limited(quota(100, 3, 1 << 20));
    c.handshake("flood", 3);
    let ids: Vec<u32> = (0..3).map(|_| c.create2(3, 0, &rgba(2, 2), 16).0).collect();
    c.send(&wire::resource_create2(0, &rgba(2, 2), 16));
    c.expect_closed();
    let host = join_within(h, "server");
    for id in ids.iter().chain([&4]) {
        assert!(host.renderer().resource(*id).is_none(), "resource {id}");
    }
    assert!(host.renderer().context(1).is_none(), "the context is gone");
    let log = lines(&log);
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].ends_with(
            "RESOURCE_CREATE2: resource 4: 4 resources would be over the limit of 3 \
             (--max-resources); client dropped"
        ),
        "{log:?}"
    );
}

#[test]
fn freeing_a_resource_makes_room_again() {
    let (mut c, h, log) = spawn_limited(quota(100, 2, 1 << 20));
    c.handshake("churn", 3);
    for _ in 0..20 {
        let (a, _) = c.create2(3, 0, &rgba(2, 2), 16);
        let (b, _) = c.create2(3, 0, &rgba(2, 2), 16);
        c.send(&wire::resource_unref(a))
            .send(&wire::resource_unref(b));
    }
    c.ping();
    drop(c);
    join_within(h, "server");
    assert_eq!(lines(&log), Vec::<String>::new());
}

#[test]
fn resource_bytes_count_the_description_or_the_shared_memory_if_larger() {
    // 10x10 RGBA8 is 400 bytes: two fit under 1000, a third does not.
    let (mut c, h, log) = spawn_limited(quota(100, 100, 1000));
    c.handshake("bytes", 3);
    let (a, _) = c.create2(3, 0, &rgba(10, 10), 400);
    c.create2(3, 0, &rgba(10, 10), 400);
    c.send(&wire::resource_unref(a));
    // A 1x1 texture with 601 bytes of shared memory counts 601.
    c.send(&wire::resource_create2(0, &rgba(1, 1), 601));
    c.expect_closed();
    join_within(h, "server");
    let log = lines(&log);
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].ends_with(
            "RESOURCE_CREATE2: resource 3 of 601 bytes: 1001 bytes of resources would be over \
             the limit of 1000 (--max-resource-bytes); client dropped"
        ),
        "{log:?}"
    );

    // Protocol 0's RESOURCE_CREATE (no shared memory) counts its texels.
    let (mut c, h, log) = spawn_limited(quota(100, 100, 1000));
    c.handshake("bytes-v0", 0);
    c.send(&wire::resource_create(5, &rgba(16, 16)));
    c.expect_closed();
    join_within(h, "server");
    let log = lines(&log);
    assert!(
        log[0].ends_with(
            "RESOURCE_CREATE: resource 5 of 1024 bytes: 1024 bytes of resources would be over \
             the limit of 1000 (--max-resource-bytes); client dropped"
        ),
        "{log:?}"
    );
}

#[test]
fn objects_over_the_limit_put_the_context_in_error_and_destroying_makes_room() {
    let (mut c, h, log) = spawn_limited(quota(4, 100, 1 << 20));
    c.handshake("objects", 3);
    // A sub-context beyond the first counts as one.
    submit(&mut c, &[Command::CreateSubCtx(1), Command::SetSubCtx(1)]);
    submit(&mut c, &[dsa(1), dsa(2), dsa(3)]);
    // Destroying an object, or a sub-context with its objects, frees room.
    submit(
        &mut c,
        &[
            Command::DestroyObject {
                object: ObjectType::Dsa,
                handle: 1,
            },
            dsa(4),
        ],
    );
    submit(
        &mut c,
        &[
            Command::SetSubCtx(0),
            Command::DestroySubCtx(1),
            dsa(1),
            dsa(2),
            dsa(3),
            dsa(4),
        ],
    );
    c.ping();
    assert!(lines(&log).is_empty(), "{:?}", lines(&log));
    submit(&mut c, &[dsa(5)]);
    submit(&mut c, &[]);
    c.ping();
    drop(c);
    let host = join_within(h, "server");
    assert!(host.renderer().context(1).is_none());
    let log = lines(&log);
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log[0].ends_with(
            "SUBMIT_CMD: context 1: command 0 (CREATE_OBJECT(DSA)) at dword 0: Dsa handle 5: 5 \
             objects would be over the limit of 4 (--max-objects)"
        ),
        "{log:?}"
    );
    assert!(log[1].ends_with("1 later submissions were refused after the context's error"));
}

#[test]
fn a_client_at_its_limits_leaves_another_unaffected() {
    let dir = TempDir::new("limits-multi");
    let listener = virgl_host::vtest::bind(&dir.sock()).unwrap();
    let (log, lines_) = capture();
    let h = thread::spawn(move || {
        virgl_host::vtest::serve_listener_with_quota(
            listener,
            ProcessModel::MultiClients {
                exit_when_idle: true,
            },
            quota(3, 2, 1 << 20),
            renderer,
            log,
        )
    });
    let mut bad = Raw::connect(&dir.sock());
    bad.handshake("hog", 3);
    let mut good = Raw::connect(&dir.sock());
    good.handshake("good", 3);

    // The hog fills its objects and resources, then goes over both.
    bad.create2(3, 0, &rgba(2, 2), 16);
    bad.create2(3, 0, &rgba(2, 2), 16);
    submit(&mut bad, &[dsa(1), dsa(2), dsa(3), dsa(4)]);
    bad.ping();

    // The good client still gets its own full quota, with the same handles.
    let mine: Vec<u32> = (0..2)
        .map(|_| good.create2(3, 0, &rgba(2, 2), 16).0)
        .collect();
    submit(&mut good, &[dsa(1), dsa(2), dsa(3)]);
    good.ping();

    bad.send(&wire::resource_create2(0, &rgba(2, 2), 16));
    bad.expect_closed();

    // The hog's leaving changes nothing for the good client, whose resources still work.
    good.send(&wire::resource_unref(mine[0]));
    good.create2(3, 0, &rgba(2, 2), 16);
    submit(
        &mut good,
        &[
            Command::DestroyObject {
                object: ObjectType::Dsa,
                handle: 3,
            },
            dsa(3),
        ],
    );
    good.wait_idle();
    good.send(&wire::bare(cmd::PING_PROTOCOL_VERSION));
    good.reply(cmd::PING_PROTOCOL_VERSION, 0);
    drop(good);
    join_within(h, "server").unwrap();
    let log = lines(&lines_);
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log.iter().all(|l| l.starts_with("client \"hog\"")),
        "{log:?}"
    );
    assert!(log[0].contains("4 objects would be over the limit of 3 (--max-objects)"));
    assert!(log[1]
        .ends_with("3 resources would be over the limit of 2 (--max-resources); client dropped"));
}
