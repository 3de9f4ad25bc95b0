//! Sync objects (protocol 3): 64-bit values a client creates, sets, waits for, and that its
//! SUBMIT_CMD2 batches signal.
//!
//! The renderer runs a submission to its end before returning, so a batch's syncs reach their
//! values as its SUBMIT_CMD2 is handled. A wait is answered with an eventfd that becomes
//! readable once the wait is satisfied, as virglrenderer's server does; a wait not yet
//! satisfied is watched until its timeout passes.

use std::collections::HashMap;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

use nix::sys::eventfd::{EfdFlags, EventFd};
use virgl_proto::vtest::{SyncPoint, SyncWait, SYNC_WAIT_FLAG_ANY};

use crate::error::{Error, Result};

/// The most sync objects one client may hold.
pub const MAX_SYNCS: usize = 1 << 16;

/// The most unsatisfied waits one client may leave the server watching.
pub const MAX_PENDING_WAITS: usize = 1024;

/// One client's sync objects and the waits on them.
#[derive(Debug, Default)]
pub struct Syncs {
    values: HashMap<u32, u64>,
    last_id: u32,
    pending: Vec<Wait>,
}

/// A SYNC_WAIT in progress: the eventfd to send, and what is still awaited.
#[derive(Debug)]
pub struct Wait {
    fd: EventFd,
    any: bool,
    /// None: watched until satisfied.
    deadline: Option<Instant>,
    /// Points not yet reached.
    points: Vec<SyncPoint>,
    ready: bool,
    watch: bool,
}

impl Wait {
    /// The descriptor the client polls.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Whether the wait is already satisfied (its fd readable).
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    fn signal(&mut self) {
        if !self.ready {
            self.ready = true;
            let _ = self.fd.write(1);
        }
    }

    /// Drops reached points, signalling when the wait is satisfied.
    fn update(&mut self, values: &HashMap<u32, u64>) {
        let before = self.points.len();
        self.points
            .retain(|p| values.get(&p.id).is_none_or(|&v| v < p.value));
        if self.points.is_empty() || (self.any && self.points.len() < before) {
            self.signal();
        }
    }
}

fn unknown(command: &'static str, id: u32) -> Error {
    Error::Vtest {
        command,
        detail: format!("sync {id} does not exist"),
    }
}

impl Syncs {
    /// SYNC_CREATE: a new sync at `value`; returns its id.
    pub fn create(&mut self, value: u64) -> Result<u32> {
        if self.values.len() >= MAX_SYNCS {
            return Err(Error::Vtest {
                command: "SYNC_CREATE",
                detail: format!("the client already holds {MAX_SYNCS} syncs"),
            });
        }
        let mut id = self.last_id;
        loop {
            id = id.wrapping_add(1);
            if id != 0 && !self.values.contains_key(&id) {
                break;
            }
        }
        self.last_id = id;
        self.values.insert(id, value);
        Ok(id)
    }

    /// SYNC_UNREF; an unknown id is ignored, as virglrenderer does.
    pub fn unref(&mut self, id: u32) {
        self.values.remove(&id);
    }

    /// SYNC_READ.
    pub fn read(&self, id: u32) -> Result<u64> {
        self.values
            .get(&id)
            .copied()
            .ok_or_else(|| unknown("SYNC_READ", id))
    }

    /// Fails unless every point names a sync of this client.
    pub fn check_known(&self, command: &'static str, points: &[SyncPoint]) -> Result<()> {
        match points.iter().find(|p| !self.values.contains_key(&p.id)) {
            Some(p) => Err(unknown(command, p.id)),
            None => Ok(()),
        }
    }

    /// Sets syncs to values (SYNC_WRITE, or a finished SUBMIT_CMD2 batch) and wakes the waits
    /// they satisfy. A value may go down, as virglrenderer allows; a wait counts what it once
    /// saw reached.
    pub fn signal(&mut self, command: &'static str, points: &[SyncPoint]) -> Result<()> {
        self.check_known(command, points)?;
        for p in points {
            self.values.insert(p.id, p.value);
        }
        let now = Instant::now();
        for w in &mut self.pending {
            w.update(&self.values);
        }
        self.pending
            .retain(|w| !w.ready && w.deadline.is_none_or(|d| d > now));
        Ok(())
    }

    /// SYNC_WAIT: a wait, already signalled if satisfied. Send its fd, then [`Syncs::park`] it.
    pub fn wait(&self, w: &SyncWait) -> Result<Wait> {
        self.check_known("SYNC_WAIT", &w.points)?;
        let fd = EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK)
            .map_err(|e| Error::os("eventfd", e))?;
        let deadline = match i32::try_from(w.timeout_ms) {
            Ok(ms) => Some(Instant::now() + Duration::from_millis(ms as u64)),
            Err(_) => None,
        };
        let mut wait = Wait {
            fd,
            any: w.flags & SYNC_WAIT_FLAG_ANY != 0,
            deadline,
            points: w.points.clone(),
            ready: false,
            watch: w.timeout_ms != 0,
        };
        wait.update(&self.values);
        Ok(wait)
    }

    /// Keeps watching a wait that is not satisfied and has time left; drops it otherwise.
    pub fn park(&mut self, wait: Wait) -> Result<()> {
        let now = Instant::now();
        self.pending.retain(|w| w.deadline.is_none_or(|d| d > now));
        if wait.ready || !wait.watch {
            return Ok(());
        }
        if self.pending.len() >= MAX_PENDING_WAITS {
            return Err(Error::Vtest {
                command: "SYNC_WAIT",
                detail: format!("{MAX_PENDING_WAITS} waits are already pending"),
            });
        }
        self.pending.push(wait);
        Ok(())
    }

    /// How many waits are being watched.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use rstest::rstest;

    use super::*;

    fn readable(w: &Wait) -> bool {
        let mut fds = [PollFd::new(w.fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::ZERO).unwrap() == 1
    }

    fn point(id: u32, value: u64) -> SyncPoint {
        SyncPoint { id, value }
    }

    fn waiting(flags: u32, timeout_ms: u32, points: Vec<SyncPoint>) -> SyncWait {
        SyncWait {
            flags,
            timeout_ms,
            points,
        }
    }

    #[test]
    fn create_read_write_unref() {
        let mut s = Syncs::default();
        let a = s.create(3).unwrap();
        let b = s.create(1 << 40).unwrap();
        assert_ne!(a, b);
        assert_eq!(s.read(a).unwrap(), 3);
        assert_eq!(s.read(b).unwrap(), 1 << 40);
        s.signal("SYNC_WRITE", &[point(a, 2)]).unwrap();
        assert_eq!(s.read(a).unwrap(), 2);
        s.unref(a);
        assert!(s.read(a).is_err());
        let e = s.signal("SYNC_WRITE", &[point(a, 5)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("SYNC_WRITE: sync {a} does not exist")
        );
    }

    #[rstest]
    #[case::all_reached(0, [5, 5], [5, 6], true)]
    #[case::all_needs_both(0, [5, 7], [5, 0], false)]
    #[case::any_needs_one(SYNC_WAIT_FLAG_ANY, [5, 7], [5, 0], true)]
    #[case::any_with_none_reached(SYNC_WAIT_FLAG_ANY, [7, 7], [5, 5], false)]
    fn a_wait_is_ready_when_its_points_are(
        #[case] flags: u32,
        #[case] want: [u64; 2],
        #[case] have: [u64; 2],
        #[case] ready: bool,
    ) {
        let mut s = Syncs::default();
        let a = s.create(have[0]).unwrap();
        let b = s.create(have[1]).unwrap();
        let w = s
            .wait(&waiting(
                flags,
                1000,
                vec![point(a, want[0]), point(b, want[1])],
            ))
            .unwrap();
        assert_eq!(w.is_ready(), ready);
        assert_eq!(readable(&w), ready);
    }

    #[test]
    fn a_wait_on_nothing_is_ready() {
        let w = Syncs::default().wait(&waiting(0, 0, vec![])).unwrap();
        assert!(w.is_ready() && readable(&w));
    }

    #[test]
    fn a_parked_wait_fires_when_a_write_reaches_it() {
        let mut s = Syncs::default();
        let a = s.create(0).unwrap();
        let w = s.wait(&waiting(0, 10_000, vec![point(a, 2)])).unwrap();
        let fd = w.fd.as_fd().try_clone_to_owned().unwrap();
        s.park(w).unwrap();
        assert_eq!(s.pending(), 1);
        let is_readable = || {
            let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
            poll(&mut fds, PollTimeout::ZERO).unwrap() == 1
        };
        s.signal("SYNC_WRITE", &[point(a, 1)]).unwrap();
        assert!(!is_readable());
        s.signal("SUBMIT_CMD2", &[point(a, 2)]).unwrap();
        assert!(is_readable());
        assert_eq!(s.pending(), 0);
    }

    #[test]
    fn a_poll_is_not_watched_and_waits_are_bounded() {
        let mut s = Syncs::default();
        let a = s.create(0).unwrap();
        s.park(s.wait(&waiting(0, 0, vec![point(a, 1)])).unwrap())
            .unwrap();
        assert_eq!(s.pending(), 0);
        for _ in 0..MAX_PENDING_WAITS {
            s.park(s.wait(&waiting(0, u32::MAX, vec![point(a, 1)])).unwrap())
                .unwrap();
        }
        let e = s
            .park(s.wait(&waiting(0, u32::MAX, vec![point(a, 1)])).unwrap())
            .unwrap_err();
        assert!(e.to_string().contains("already pending"), "{e}");
    }

    #[test]
    fn waiting_on_an_unknown_sync_is_refused() {
        let s = Syncs::default();
        let e = s.wait(&waiting(0, 0, vec![point(9, 1)])).unwrap_err();
        assert_eq!(e.to_string(), "SYNC_WAIT: sync 9 does not exist");
    }
}
