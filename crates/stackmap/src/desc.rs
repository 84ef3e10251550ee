//! Frame descriptors: for every pc through which an exception can unwind, which stack slots
//! and callee-saved registers hold which kind of resource (the RFC's
//! `struct bpf_exception_frame_desc`), merged over every path that reaches the pc.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use unwind_kernel::ResourceKind;

/// Where a value lives in a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "at", rename_all = "snake_case")]
pub enum Location {
    /// An 8-byte stack slot at this (negative) offset from the frame pointer.
    Stack(i16),
    /// A callee-saved register, 6..=9.
    Reg(u8),
}

impl Ord for Location {
    /// The release order within a frame: stack slots first, from fp-8 downwards, then R6 to R9.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Location::Stack(a), Location::Stack(b)) => b.cmp(a),
            (Location::Stack(_), Location::Reg(_)) => Ordering::Less,
            (Location::Reg(_), Location::Stack(_)) => Ordering::Greater,
            (Location::Reg(a), Location::Reg(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for Location {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Stack(off) => write!(f, "fp{off}"),
            Location::Reg(r) => write!(f, "r{r}"),
        }
    }
}

/// Why a location cannot take part in a merge with a resource. Two markers merge into the
/// greater (any order of paths gives the same descriptor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unmergeable {
    /// A stack slot holding other data (`STACK_MISC`).
    Misc,
    /// A slot never written or a register not initialised (`STACK_INVALID`, `NOT_INIT`).
    Uninit,
    /// A known non-zero scalar: the fix agreed in review (an `r0 = 7` spilled where another
    /// path has a pointer must not merge, or the release function would get 7).
    NonZeroScalar,
    /// A second copy of a resource already entered at another location on this path. The
    /// RFC releases the reference at its first location, which turns every copy into a
    /// scalar (patch 11); releasing the copy too would free the resource twice, and letting
    /// it merge with another path's pointer would hand that pointer's release function the
    /// wrong object.
    Copy,
    /// A pointer into a resource rather than to its start (`r6 += 8`): a release function
    /// needs the start, as the kernel's do (`R1 must have zero offset when passed to release
    /// func`), so it cannot be released from here.
    Interior,
}

impl Unmergeable {
    /// The snake_case name (as serialized): `misc`, `uninit`, `non_zero_scalar`, ...
    pub fn name(self) -> &'static str {
        match self {
            Unmergeable::Misc => "misc",
            Unmergeable::Uninit => "uninit",
            Unmergeable::NonZeroScalar => "non_zero_scalar",
            Unmergeable::Copy => "copy",
            Unmergeable::Interior => "interior",
        }
    }
}

/// What a location holds on one path, as far as unwinding cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Content {
    /// A referenced pointer that the unwinder releases (if it is not NULL at run time).
    Resource {
        resource: ResourceKind,
        /// The verifier's reference id on the path that contributed it (for the log).
        ref_obj_id: u32,
        /// The pc of the acquiring call on that path (cleanup-v2 gives conflicting
        /// acquisition sites their own slot).
        acquired_at: usize,
    },
    /// NULL (a NULL scalar, `STACK_ZERO`): merges with a pointer.
    Null,
    Unmergeable {
        why: Unmergeable,
    },
}

impl Content {
    /// The kernel's name of the register type (`reg_type_str()`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Content::Resource { resource, .. } => kernel_type_name(*resource),
            Content::Null => "scalar",
            Content::Unmergeable { why } => match why {
                Unmergeable::Misc
                | Unmergeable::NonZeroScalar
                | Unmergeable::Copy
                | Unmergeable::Interior => "scalar",
                Unmergeable::Uninit => "?",
            },
        }
    }
}

/// The register type the kernel prints for a referenced pointer of this kind.
pub fn kernel_type_name(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Socket => "sock",
        ResourceKind::RingbufRecord => "ringbuf_mem",
        ResourceKind::Object => "ptr_obj",
        ResourceKind::PercpuObject => "percpu_ptr_obj",
        ResourceKind::Task => "ptr_task_struct",
        ResourceKind::Cgroup => "ptr_cgroup",
        ResourceKind::Cpumask => "ptr_bpf_cpumask",
    }
}

/// One location of a descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Entry {
    pub location: Location,
    pub content: Content,
}

impl Entry {
    /// The RFC's description of an entry in a merge failure: `stack fde: off=-8 spill_type=reg
    /// type=ringbuf_mem` or `reg fde: regno=6 ...`.
    pub fn fde(&self) -> String {
        match self.location {
            Location::Stack(off) => format!(
                "stack fde: off={off} spill_type=reg type={}",
                self.content.type_name()
            ),
            Location::Reg(r) => format!(
                "reg fde: regno={r} spill_type=reg type={}",
                self.content.type_name()
            ),
        }
    }
}

/// What one path contributes to the descriptor of one frame at one pc.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Observation {
    /// The pc: the throwing call in the innermost frame, the call site in a caller frame.
    pub pc: usize,
    /// Index of the function (into `program.functions`).
    pub function: usize,
    /// Frame number on this path (0 = main).
    pub frame: u32,
    /// A name for the path, shown in the merge history (e.g. "path through 7").
    pub path: String,
    /// Only locations that matter: resources, NULLs and unmergeable markers.
    pub entries: Vec<Entry>,
}

impl Observation {
    /// The RFC's generation log: `frame_desc: frame0: Stack:` then one line per entry.
    pub fn log_lines(&self, insn_idx: usize) -> Vec<String> {
        let mut lines = Vec::new();
        let f = self.frame;
        // In release order. A frame has at most 68 locations (64 stack slots, R6-R9): taking
        // the least each time costs less in the wasm module than an instance of the sort.
        let mut rest: Vec<&Entry> = self.entries.iter().collect();
        let mut entries = Vec::with_capacity(rest.len());
        while let Some((i, _)) = rest.iter().enumerate().min_by_key(|(_, e)| e.location) {
            entries.push(rest.swap_remove(i));
        }
        for (title, want_stack) in [("Stack", true), ("Registers", false)] {
            lines.push(format!("frame_desc: frame{f}: {title}:"));
            for e in entries.iter().copied() {
                let ref_id = match e.content {
                    Content::Resource { ref_obj_id, .. } => ref_obj_id,
                    _ => 0,
                };
                let ty = e.content.type_name();
                match (e.location, want_stack) {
                    (Location::Stack(off), true) => lines.push(format!(
                        "frame_desc: frame{f}: insn_idx={insn_idx} off={off} size=8 ref_obj_id={ref_id} type={ty}"
                    )),
                    (Location::Reg(r), false) => lines.push(format!(
                        "frame_desc: frame{f}: insn_idx={insn_idx} regno={r} size=8 ref_obj_id={ref_id} type={ty}"
                    )),
                    _ => {}
                }
            }
        }
        lines
    }
}

/// The merged descriptor of one pc.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FrameDesc {
    pub pc: usize,
    pub function: usize,
    /// The merged contents, in release order.
    pub entries: Vec<Entry>,
    /// Every path that contributed, in the order they were merged.
    pub history: Vec<Observation>,
}

impl FrameDesc {
    /// The locations the unwinder releases, in order (NULL and markers are not released).
    pub fn releases(&self) -> impl Iterator<Item = (Location, ResourceKind)> + '_ {
        self.entries.iter().filter_map(|e| match e.content {
            Content::Resource { resource, .. } => Some((e.location, resource)),
            _ => None,
        })
    }
}

/// A merge that the RFC's rules refuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("frame_desc: merge: failed to merge old and new frame desc entry")]
pub struct MergeError {
    pub pc: usize,
    pub old: Entry,
    pub new: Entry,
}

impl MergeError {
    /// The failure as the RFC logs it: the message, then the new and the old entry.
    pub fn log_lines(&self) -> [String; 3] {
        [
            self.to_string(),
            format!("frame_desc: new {}", self.new.fde()),
            format!("frame_desc: old {}", self.old.fde()),
        ]
    }
}

/// How two contents of one location combine (`merge_frame_desc`): same kind merges; NULL
/// gives way to a pointer; an unmergeable marker absorbs NULL but refuses a pointer; two
/// different pointer kinds refuse each other. The operation is associative and commutative,
/// so the result does not depend on the order in which paths arrive.
pub fn join(old: Content, new: Content) -> Option<Content> {
    use Content::*;
    match (old, new) {
        (Resource { resource: a, .. }, Resource { resource: b, .. }) => (a == b).then_some(old),
        (Resource { .. }, Null) => Some(old),
        (Null, Resource { .. }) => Some(new),
        (Null, Null) => Some(old),
        (Unmergeable { .. }, Null) => Some(old),
        (Unmergeable { why: a }, Unmergeable { why: b }) => Some(Unmergeable { why: a.max(b) }),
        (Null, Unmergeable { .. }) => Some(new),
        (Resource { .. }, Unmergeable { .. }) | (Unmergeable { .. }, Resource { .. }) => None,
    }
}

/// All descriptors of a program, keyed by pc.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DescTable {
    pub descs: BTreeMap<usize, FrameDesc>,
}

impl DescTable {
    /// Merges one path's observation into the descriptor of its pc, logging as the RFC does.
    /// On failure the table is left as it was.
    pub fn merge(&mut self, obs: Observation, log: &mut Vec<String>) -> Result<(), MergeError> {
        let pc = obs.pc;
        let Some(desc) = self.descs.get_mut(&pc) else {
            log.push(format!(
                "frame_desc: find_and_merge: cannot find frame descriptor for pc={pc}, creating new entry"
            ));
            let mut merged = Merged(Vec::with_capacity(obs.entries.len()));
            for e in &obs.entries {
                let old = merged.get(e.location).unwrap_or(e.content);
                let joined = join(old, e.content).ok_or(MergeError {
                    pc,
                    old: Entry {
                        location: e.location,
                        content: old,
                    },
                    new: *e,
                })?;
                merged.set(e.location, joined);
            }
            log.push("frame_desc: merge: creating new frame desc entry".to_string());
            self.descs.insert(
                pc,
                FrameDesc {
                    pc,
                    function: obs.function,
                    entries: merged.0,
                    history: vec![obs],
                },
            );
            return Ok(());
        };
        let mut merged = Merged(desc.entries.clone());
        let mut changed = false;
        // A stack slot one side does not have (beyond that path's stack) was never written
        // there: `Uninit`, as an unwritten slot within it is. Otherwise a path whose stack is
        // shorter, or one pruned against it, would let another path's resource stand for a
        // slot that holds anything at run time.
        let absent = Content::Unmergeable {
            why: Unmergeable::Uninit,
        };
        for old in desc.entries.iter() {
            if matches!(old.location, Location::Stack(_))
                && !obs.entries.iter().any(|e| e.location == old.location)
            {
                let joined = join(old.content, absent).ok_or(MergeError {
                    pc,
                    old: *old,
                    new: Entry {
                        location: old.location,
                        content: absent,
                    },
                })?;
                if joined != old.content {
                    merged.set(old.location, joined);
                    changed = true;
                }
            }
        }
        for new in &obs.entries {
            match merged.get(new.location) {
                None => {
                    let old = if matches!(new.location, Location::Stack(_)) {
                        absent
                    } else {
                        new.content
                    };
                    let joined = join(old, new.content).ok_or(MergeError {
                        pc,
                        old: Entry {
                            location: new.location,
                            content: old,
                        },
                        new: *new,
                    })?;
                    merged.set(new.location, joined);
                    changed = true;
                }
                Some(old) => {
                    let joined = join(old, new.content).ok_or(MergeError {
                        pc,
                        old: Entry {
                            location: new.location,
                            content: old,
                        },
                        new: *new,
                    })?;
                    if joined != old {
                        merged.set(new.location, joined);
                        changed = true;
                    }
                }
            }
        }
        log.push(if changed {
            "frame_desc: merge: merging new frame desc entry into old".to_string()
        } else {
            "frame_desc: merge: no merging needed of new frame desc entry into old".to_string()
        });
        desc.entries = merged.0;
        desc.history.push(obs);
        Ok(())
    }

    /// Every entry of `obs` that would not merge with the descriptor of its pc (`merge`
    /// stops at the first): what cleanup-v2 needs to give every conflicting site a slot.
    pub fn conflicts(&self, obs: &Observation) -> Vec<MergeError> {
        let Some(desc) = self.descs.get(&obs.pc) else {
            return Vec::new();
        };
        obs.entries
            .iter()
            .filter_map(|new| {
                let old = desc.entries.iter().find(|e| e.location == new.location)?;
                join(old.content, new.content)
                    .is_none()
                    .then_some(MergeError {
                        pc: obs.pc,
                        old: *old,
                        new: *new,
                    })
            })
            .collect()
    }

    /// The descriptor for a pc.
    pub fn get(&self, pc: usize) -> Option<&FrameDesc> {
        self.descs.get(&pc)
    }
}

/// A descriptor's entries while a merge builds them: one per location, sorted by location
/// (release order), as `FrameDesc::entries` keeps them. A frame has at most 64 stack slots
/// and 4 callee-saved registers, so a sorted vector is all the map this needs.
struct Merged(Vec<Entry>);

impl Merged {
    fn get(&self, at: Location) -> Option<Content> {
        let i = self.0.binary_search_by_key(&at, |e| e.location).ok()?;
        Some(self.0[i].content)
    }

    fn set(&mut self, at: Location, content: Content) {
        match self.0.binary_search_by_key(&at, |e| e.location) {
            Ok(i) => self.0[i].content = content,
            Err(i) => self.0.insert(
                i,
                Entry {
                    location: at,
                    content,
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn res(kind: ResourceKind) -> Content {
        Content::Resource {
            resource: kind,
            ref_obj_id: 1,
            acquired_at: 0,
        }
    }

    fn obs(pc: usize, entries: &[(Location, Content)]) -> Observation {
        Observation {
            pc,
            function: 0,
            frame: 0,
            path: "p".into(),
            entries: entries
                .iter()
                .map(|&(location, content)| Entry { location, content })
                .collect(),
        }
    }

    const RB: ResourceKind = ResourceKind::RingbufRecord;
    const OBJ: ResourceKind = ResourceKind::Object;

    #[test]
    fn rfc_merge_rules() {
        // Same type: fine. Type with NULL: the pointer wins (the RFC's worked example
        // `p = NULL; if (x) p = bpf_obj_new(); if (y) bpf_throw(0);`).
        assert_eq!(join(res(OBJ), res(OBJ)), Some(res(OBJ)));
        assert_eq!(join(Content::Null, res(OBJ)), Some(res(OBJ)));
        assert_eq!(join(res(OBJ), Content::Null), Some(res(OBJ)));
        // Two pointer types: refused (reject_slot_with_distinct_ptr).
        assert_eq!(join(res(RB), res(OBJ)), None);
        // Misc data or an uninitialised register against a pointer: refused
        // (reject_slot_with_misc_vs_ptr, reject_slot_with_invalid_vs_ptr).
        let misc = Content::Unmergeable {
            why: Unmergeable::Misc,
        };
        let uninit = Content::Unmergeable {
            why: Unmergeable::Uninit,
        };
        assert_eq!(join(misc, res(RB)), None);
        assert_eq!(join(res(RB), uninit), None);
        // The review fix: a non-zero scalar does not merge with a pointer.
        let seven = Content::Unmergeable {
            why: Unmergeable::NonZeroScalar,
        };
        assert_eq!(join(seven, res(RB)), None);
        // Markers and NULLs merge among themselves.
        assert_eq!(join(Content::Null, misc), Some(misc));
        assert_eq!(join(misc, uninit), join(uninit, misc));
        assert!(matches!(
            join(misc, uninit),
            Some(Content::Unmergeable { .. })
        ));
    }

    #[test]
    fn merging_logs_like_the_rfc_and_keeps_history() {
        let mut t = DescTable::default();
        let mut log = Vec::new();
        t.merge(obs(5, &[(Location::Stack(-8), Content::Null)]), &mut log)
            .unwrap();
        t.merge(obs(5, &[(Location::Stack(-8), res(OBJ))]), &mut log)
            .unwrap();
        t.merge(obs(5, &[(Location::Stack(-8), res(OBJ))]), &mut log)
            .unwrap();
        assert_eq!(
            log,
            [
                "frame_desc: find_and_merge: cannot find frame descriptor for pc=5, creating new entry",
                "frame_desc: merge: creating new frame desc entry",
                "frame_desc: merge: merging new frame desc entry into old",
                "frame_desc: merge: no merging needed of new frame desc entry into old",
            ]
        );
        let d = t.get(5).unwrap();
        assert_eq!(d.history.len(), 3);
        assert_eq!(
            d.releases().collect::<Vec<_>>(),
            [(Location::Stack(-8), OBJ)]
        );
    }

    #[test]
    fn failure_names_both_entries_and_leaves_the_table_alone() {
        let mut t = DescTable::default();
        let mut log = Vec::new();
        t.merge(obs(9, &[(Location::Stack(-16), res(RB))]), &mut log)
            .unwrap();
        let before = t.clone();
        let err = t
            .merge(obs(9, &[(Location::Stack(-16), res(OBJ))]), &mut log)
            .unwrap_err();
        assert_eq!(
            err.log_lines(),
            [
                "frame_desc: merge: failed to merge old and new frame desc entry",
                "frame_desc: new stack fde: off=-16 spill_type=reg type=ptr_obj",
                "frame_desc: old stack fde: off=-16 spill_type=reg type=ringbuf_mem",
            ]
        );
        assert_eq!(t, before);
    }

    #[test]
    fn release_order_is_stack_downwards_then_r6_to_r9() {
        let mut locs = vec![
            Location::Reg(9),
            Location::Stack(-24),
            Location::Reg(6),
            Location::Stack(-8),
        ];
        locs.sort();
        assert_eq!(
            locs,
            [
                Location::Stack(-8),
                Location::Stack(-24),
                Location::Reg(6),
                Location::Reg(9)
            ]
        );
    }

    #[test]
    fn generation_log_lines() {
        let o = Observation {
            frame: 1,
            ..obs(
                12,
                &[(Location::Reg(6), res(RB)), (Location::Stack(-8), res(OBJ))],
            )
        };
        assert_eq!(
            o.log_lines(12),
            [
                "frame_desc: frame1: Stack:",
                "frame_desc: frame1: insn_idx=12 off=-8 size=8 ref_obj_id=1 type=ptr_obj",
                "frame_desc: frame1: Registers:",
                "frame_desc: frame1: insn_idx=12 regno=6 size=8 ref_obj_id=1 type=ringbuf_mem",
            ]
        );
    }

    fn content() -> impl Strategy<Value = Content> {
        prop_oneof![
            Just(Content::Null),
            Just(res(RB)),
            Just(res(OBJ)),
            Just(Content::Unmergeable {
                why: Unmergeable::Misc
            }),
        ]
    }

    fn observation() -> impl Strategy<Value = Vec<(Location, Content)>> {
        proptest::collection::vec(
            (
                prop_oneof![
                    Just(Location::Stack(-8)),
                    Just(Location::Stack(-16)),
                    Just(Location::Reg(6))
                ],
                content(),
            ),
            0..4,
        )
    }

    proptest! {
        #[test]
        fn join_is_commutative_and_associative(a in content(), b in content(), c in content()) {
            prop_assert_eq!(join(a, b), join(b, a));
            let left = join(a, b).and_then(|ab| join(ab, c));
            let right = join(b, c).and_then(|bc| join(a, bc));
            prop_assert_eq!(left, right);
        }

        #[test]
        fn merge_result_does_not_depend_on_path_order(paths in proptest::collection::vec(observation(), 1..5)) {
            let run = |order: &[Vec<(Location, Content)>]| {
                let mut t = DescTable::default();
                let mut log = Vec::new();
                for o in order {
                    if t.merge(obs(1, o), &mut log).is_err() {
                        return None;
                    }
                }
                Some(t.get(1).map(|d| d.entries.clone()).unwrap_or_default())
            };
            let mut reversed = paths.clone();
            reversed.reverse();
            prop_assert_eq!(run(&paths), run(&reversed));
        }
    }
}
