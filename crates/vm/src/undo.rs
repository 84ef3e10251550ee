//! The undo log: what one step changed, so the stepper can step back. Each mutation of the
//! machine pushes the information needed to revert it when recording is on; when it is off
//! (the fast path) nothing is pushed and nothing is allocated.
//!
//! The stepper no longer turns it on (it goes back by re-executing from checkpoints,
//! `checkpoints.rs`); it stays until the fast-call work on `exec.rs` and `machine.rs` has
//! merged, then goes with its `log.push` calls.

use crate::frames::Frame;
use crate::memory::OldBytes;
use crate::resources::Resource;

/// One revertible change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undo {
    /// A register's old value (beyond the two a step record holds inline).
    Reg {
        index: u8,
        old: u64,
    },
    /// Bytes a write replaced (also a stack cleared for a new frame).
    Mem(OldBytes),
    /// A region was added (revert: remove the last region).
    RegionAdded,
    /// A region's liveness changed.
    RegionLive {
        region: u32,
        was: bool,
    },
    FramePushed,
    FramePopped(Frame),
    FrameChanged {
        index: usize,
        old: Frame,
    },
    /// A resource was appended to the live table.
    ResourceAdded,
    ResourceRemoved {
        index: usize,
        resource: Resource,
    },
    /// A hash-map key was inserted (revert: remove it).
    MapInserted {
        map: u32,
        key: Vec<u8>,
    },
    MapRemoved {
        map: u32,
        key: Vec<u8>,
        region: u32,
    },
    /// An array element's region was created lazily.
    ArrayElemCreated {
        map: u32,
        index: u32,
    },
    RingbufUsed {
        map: u32,
        old: u32,
    },
    /// A world object got its region (revert: forget the newest; the region is `RegionAdded`).
    ObjectCreated,
    /// A resource id was appended to the `runtime` mode's table (one table operation).
    TableRecorded,
    /// An id was removed from it at `index` (one table operation).
    TableRemoved {
        index: usize,
        id: u32,
    },
}

/// The log of the step in progress.
#[derive(Clone, Debug, Default)]
pub struct UndoLog {
    pub enabled: bool,
    pub entries: Vec<Undo>,
}

impl UndoLog {
    #[inline(always)]
    pub fn push(&mut self, undo: impl FnOnce() -> Undo) {
        if self.enabled {
            self.entries.push(undo());
        }
    }
}
