//! Checkpoints of one run, for stepping back by deterministic re-execution (as record-and-replay
//! debuggers do): the machine at some steps of the run (registers, frames, memory, the kernel's
//! state), from which any later step is reached again by running forward. The machine is
//! deterministic and a debugger cannot change its state, so every checkpoint of a run stays
//! valid after going back or a reset.
//!
//! What a checkpoint costs is bounded: a memory region that did not change since the previous
//! checkpoint is shared with it (only regions that changed are copied), the event log and the
//! trace output are not copied at all (they only grow, so a checkpoint keeps their lengths and
//! takes the prefix from the machine it replaces), and when the checkpoints hold more than
//! [`MAX_CHECKPOINTS`] or [`CHECKPOINT_BYTES`] every other one is dropped and the spacing
//! doubles. So between captures they hold at most `CHECKPOINT_BYTES` (or the first checkpoint
//! alone, when the run's initial memory is larger), and a step is at most one spacing of
//! re-execution away from the nearest checkpoint at or before it (where the checkpoints are too
//! big to keep, the spacing grows: Back re-executes more, memory does not grow).

use std::sync::Arc;

use crate::machine::Machine;
use crate::memory::Region;

/// The most checkpoints kept at once.
pub const MAX_CHECKPOINTS: usize = 128;
/// The most bytes the checkpoints hold at once (regions they do not share, their tables).
pub const CHECKPOINT_BYTES: usize = 16 << 20;
/// Steps between checkpoints at first (the spacing doubles as the run grows).
pub const FIRST_SPACING: u64 = 1024;

/// The machine at one step.
#[derive(Clone, Debug)]
struct Checkpoint {
    step: u64,
    /// Everything but the regions, the events and the trace output (left empty).
    machine: Machine,
    regions: Vec<Arc<Region>>,
    events: usize,
    trace: usize,
    /// Bytes this checkpoint holds that the previous one does not share.
    bytes: usize,
}

/// The checkpoints of a run, oldest first; the first is always step 0.
#[derive(Clone, Debug)]
pub struct Checkpoints {
    list: Vec<Checkpoint>,
    spacing: u64,
    /// Bytes of the machine's memory per step of spacing at least (0: no such minimum).
    bytes_per_step: u64,
    /// No capture before this step: one spacing after the last capture, kept or dropped (a
    /// capture dropped at once by thinning must not make the next step capture again).
    due: u64,
    bytes: usize,
}

impl Checkpoints {
    /// The checkpoints of a run that starts at `initial` (step 0), [`FIRST_SPACING`] steps
    /// apart at first, and for a machine with a lot of memory at most every `bytes / 4` steps
    /// (comparing its regions with the previous checkpoint's then costs at most about a
    /// quarter of the run).
    pub(crate) fn new(initial: &mut Machine) -> Checkpoints {
        Checkpoints::spaced(initial, FIRST_SPACING, 4)
    }

    /// Checkpoints `spacing` steps apart at first (at least 1), without the memory rule of
    /// [`Checkpoints::new`] (tests use a small spacing to make them thin out on short runs).
    pub(crate) fn with_spacing(initial: &mut Machine, spacing: u64) -> Checkpoints {
        Checkpoints::spaced(initial, spacing, 0)
    }

    fn spaced(initial: &mut Machine, spacing: u64, bytes_per_step: u64) -> Checkpoints {
        let mut c = Checkpoints {
            list: Vec::new(),
            bytes_per_step,
            due: 0,
            spacing: spacing.max(1),
            bytes: 0,
        };
        c.capture(0, initial);
        c
    }

    /// The step at which the next checkpoint is due.
    pub(crate) fn next_due(&self, m: &Machine) -> u64 {
        let last = self.list.last().map_or(0, |c| c.step);
        (last + self.spacing_for(m)).max(self.due)
    }

    fn spacing_for(&self, m: &Machine) -> u64 {
        let by_memory = m.mem.bytes.checked_div(self.bytes_per_step).unwrap_or(0);
        self.spacing.max(by_memory)
    }

    /// Steps between checkpoints now.
    pub fn spacing(&self) -> u64 {
        self.spacing
    }

    /// How many are kept.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Bytes they hold (see the module doc).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Keeps `m`, which is at `step`, unless a checkpoint at or after it exists (the run went
    /// back and is passing known steps again).
    pub(crate) fn capture(&mut self, step: u64, m: &mut Machine) {
        if self.list.last().is_some_and(|c| c.step >= step) {
            return;
        }
        let prev = self.list.last().map(|c| &c.regions[..]).unwrap_or(&[]);
        let mut bytes = std::mem::size_of::<Checkpoint>() + m.mem.regions.len() * 8;
        let regions = m
            .mem
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| match prev.get(i) {
                Some(p) if same(p, r) => p.clone(),
                _ => {
                    bytes += region_bytes(r);
                    Arc::new(r.clone())
                }
            })
            .collect();
        bytes += kernel_bytes(m);
        let machine = skeleton(m);
        self.list.push(Checkpoint {
            step,
            machine,
            regions,
            events: m.kernel.events.len(),
            trace: m.kernel.trace.len(),
            bytes,
        });
        self.bytes += bytes;
        while self.list.len() > 1
            && (self.list.len() > MAX_CHECKPOINTS || self.bytes > CHECKPOINT_BYTES)
        {
            self.thin();
        }
        self.due = step + self.spacing_for(m);
    }

    /// Drops every other checkpoint (never the first) and doubles the spacing.
    fn thin(&mut self) {
        let old = std::mem::take(&mut self.list);
        let mut kept: Vec<Checkpoint> = Vec::with_capacity(old.len() / 2 + 1);
        for (i, mut c) in old.into_iter().enumerate() {
            if i % 2 == 1 {
                continue;
            }
            // What it shares with its new predecessor is counted there already.
            if let Some(p) = kept.last() {
                c.bytes = c.bytes_beyond(p);
            }
            kept.push(c);
        }
        self.bytes = kept.iter().map(|c| c.bytes).sum();
        self.list = kept;
        self.spacing *= 2;
    }

    /// The nearest checkpoint at or before `step`: its step and its machine, without the event
    /// log and trace output (for scanning steps: what runs does not depend on them).
    pub(crate) fn bare_at(&self, step: u64) -> (u64, Machine) {
        let c = self.nearest(step);
        let mut m = c.machine.clone();
        m.mem.regions = c.regions.iter().map(|r| (**r).clone()).collect();
        (c.step, m)
    }

    fn nearest(&self, step: u64) -> &Checkpoint {
        let i = self.list.partition_point(|c| c.step <= step);
        &self.list[i.saturating_sub(1)]
    }

    /// The machine at `step` (not beyond `current`'s step, on the same run): the nearest
    /// checkpoint at or before it, run forward. `current` gives its event log and trace output
    /// (their prefixes) and is left without them.
    pub(crate) fn machine_at(&self, step: u64, current: &mut Machine) -> Machine {
        let (at, mut m) = self.bare_at(step);
        let c = self.nearest(at);
        m.kernel.events = std::mem::take(&mut current.kernel.events);
        m.kernel.events.truncate(c.events);
        m.kernel.trace = std::mem::take(&mut current.kernel.trace);
        m.kernel.trace.truncate(c.trace);
        m.run_loop(step - at, None);
        m
    }
}

impl Checkpoint {
    fn bytes_beyond(&self, prev: &Checkpoint) -> usize {
        let mut bytes = std::mem::size_of::<Checkpoint>() + self.regions.len() * 8;
        for (i, r) in self.regions.iter().enumerate() {
            if !prev.regions.get(i).is_some_and(|p| Arc::ptr_eq(p, r)) {
                bytes += region_bytes(r);
            }
        }
        bytes + kernel_bytes(&self.machine)
    }
}

/// A copy of `m` without its regions, events and trace output (a checkpoint keeps those
/// apart). They are set aside while the rest is cloned, so that nothing is copied twice and a
/// field added to the machine is kept too.
fn skeleton(m: &mut Machine) -> Machine {
    let regions = std::mem::take(&mut m.mem.regions);
    let events = std::mem::take(&mut m.kernel.events);
    let trace = std::mem::take(&mut m.kernel.trace);
    let copy = m.clone();
    m.mem.regions = regions;
    m.kernel.events = events;
    m.kernel.trace = trace;
    copy
}

/// `a == b`, with the bytes compared a word at a time: in wasm `[u8] == [u8]` is a
/// byte-by-byte `memcmp`, which made the checkpoints of the ALU loop cost half as much again
/// as the run. Every field is named, so that a field added to `Region` must be added here.
fn same(a: &Region, b: &Region) -> bool {
    let Region {
        kind,
        data,
        written,
        writable,
        live,
        special_loads,
        low_water,
    } = a;
    *kind == b.kind
        && *writable == b.writable
        && *live == b.live
        && *special_loads == b.special_loads
        && *low_water == b.low_water
        && same_bytes(data, &b.data)
        && same_bytes(written, &b.written)
}

fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (wa, wb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tails = wa.remainder() == wb.remainder();
    let word = |c: &[u8]| u64::from_ne_bytes(c.try_into().unwrap_or([0; 8]));
    tails && wa.zip(wb).all(|(x, y)| word(x) == word(y))
}

fn region_bytes(r: &Region) -> usize {
    std::mem::size_of::<Region>() + r.data.len() + r.written.len()
}

/// About what the kernel's tables of a checkpoint take.
fn kernel_bytes(m: &Machine) -> usize {
    let k = &m.kernel;
    let maps: usize = k
        .maps
        .iter()
        .map(|map| match &map.store {
            crate::machine::Store::Hash { entries } => {
                entries.keys().map(|key| key.len() + 48).sum::<usize>()
            }
            crate::machine::Store::Array { elems } => elems.len() * 40,
            _ => 0,
        })
        .sum();
    std::mem::size_of::<Machine>()
        + k.resources.len() * std::mem::size_of::<crate::resources::Resource>()
        + k.objects.len() * 16
        + k.runtime_table.len() * 4
        + m.frames.len() * std::mem::size_of::<crate::frames::Frame>()
        + maps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::RegionKind;

    #[test]
    fn same_compares_every_byte_and_field() {
        let base = Region::new(RegionKind::Stack { depth: 0 }, vec![0; 37], true);
        assert!(same(&base, &base.clone()));
        for i in [0, 7, 8, 31, 32, 36] {
            let mut r = base.clone();
            r.data[i] = 1;
            assert!(!same(&base, &r), "data byte {i}");
            let mut r = base.clone();
            r.written[i] = 1;
            assert!(!same(&base, &r), "written byte {i}");
        }
        let mut r = base.clone();
        r.live = false;
        assert!(!same(&base, &r));
        let mut r = base.clone();
        r.low_water = 3;
        assert!(!same(&base, &r));
        let mut r = base.clone();
        r.data.push(0);
        assert!(!same(&base, &r));
    }
}
