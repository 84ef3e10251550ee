//! State pruning (`is_state_visited`, `states_equal`, `regsafe`, `stacksafe`): a path whose
//! state at a prune point is subsumed by one already explored from there is safe. States
//! still being explored (ancestors of the current path) are not used for pruning; being equal
//! to one of them means the program loops without progress.

use std::collections::HashMap;

use crate::check::{Env, R};
use crate::state::{FuncState, RegState, RegType, SlotKind, VerifierState};

/// Stored states at most per pc.
const MAX_STATES_PER_PC: usize = 64;

pub struct Entry {
    pub state: VerifierState,
    /// Paths still running below this checkpoint (`branches`).
    pub branches: u32,
    pub parent: Option<usize>,
}

#[derive(Default)]
pub struct Explored {
    pub entries: Vec<Entry>,
    pub by_pc: HashMap<usize, Vec<usize>>,
}

#[derive(Default)]
struct IdMap {
    map: HashMap<u32, u32>,
    rev: HashMap<u32, u32>,
}

impl IdMap {
    /// `check_ids`: old and cur ids must correspond one to one.
    fn check(&mut self, old: u32, cur: u32) -> bool {
        if old == 0 {
            return true;
        }
        if cur == 0 {
            return false;
        }
        match (self.map.get(&old), self.rev.get(&cur)) {
            (Some(&c), _) => c == cur,
            (None, Some(_)) => false,
            (None, None) => {
                self.map.insert(old, cur);
                self.rev.insert(cur, old);
                true
            }
        }
    }
}

fn regsafe(old: &RegState, cur: &RegState, ids: &mut IdMap) -> bool {
    match old.ty {
        RegType::NotInit => true,
        RegType::Scalar => {
            cur.is_scalar()
                && old.var.includes(&cur.var)
                && (old.id == 0 || ids.check(old.id, cur.id))
        }
        RegType::Ptr(k) => {
            cur.ty == RegType::Ptr(k)
                && old.maybe_null == cur.maybe_null
                && old.off == cur.off
                && old.map == cur.map
                && old.mem_size == cur.mem_size
                && old.frameno == cur.frameno
                && old.range <= cur.range
                && old.var.includes(&cur.var)
                && ids.check(old.id, cur.id)
                && ids.check(old.ref_obj_id, cur.ref_obj_id)
        }
    }
}

fn stacksafe(old: &FuncState, cur: &FuncState, ids: &mut IdMap, allow_uninit: bool) -> bool {
    for (i, os) in old.stack.iter().enumerate() {
        let cs = cur.stack.get(i);
        for b in 0..8 {
            let ok = os.kinds[b];
            if ok == SlotKind::Invalid {
                continue;
            }
            let ck = cs.map(|s| s.kinds[b]).unwrap_or(SlotKind::Invalid);
            if ok == SlotKind::Misc && (allow_uninit || ck != SlotKind::Invalid) {
                if ck == SlotKind::Spill && !cs.is_some_and(|s| s.spilled.is_scalar()) {
                    return false;
                }
                continue;
            }
            if ok != ck {
                return false;
            }
        }
        if os.is_spill() {
            let Some(cs) = cs else { return false };
            if !regsafe(&os.spilled, &cs.spilled, ids) {
                return false;
            }
        }
    }
    true
}

/// Whether everything `cur` can do, `old` could (`states_equal`).
pub fn states_equal(old: &VerifierState, cur: &VerifierState, allow_uninit: bool) -> bool {
    if old.frames.len() != cur.frames.len()
        || old.active_lock != cur.active_lock
        || old.active_rcu != cur.active_rcu
        || old.refs.len() != cur.refs.len()
    {
        return false;
    }
    let mut ids = IdMap::default();
    for (o, c) in old.frames.iter().zip(&cur.frames) {
        if o.callsite != c.callsite || o.subprog != c.subprog {
            return false;
        }
        for r in 0..11 {
            if !regsafe(&o.regs[r], &c.regs[r], &mut ids) {
                return false;
            }
        }
        if !stacksafe(o, c, &mut ids, allow_uninit) {
            return false;
        }
    }
    old.refs
        .iter()
        .zip(&cur.refs)
        .all(|(o, c)| ids.check(o.id, c.id))
}

/// Equal in every tracked respect (for the infinite-loop check).
fn states_identical(old: &VerifierState, cur: &VerifierState) -> bool {
    let strip = |s: &VerifierState| {
        let mut s = s.clone();
        s.clear_written();
        s
    };
    strip(old) == strip(cur)
}

impl Env<'_> {
    /// `is_state_visited`: `Ok(true)` when the current path can stop here.
    pub fn is_state_visited(&mut self, st: &mut VerifierState, pc: usize) -> R<bool> {
        let allow = self.opts.allow_uninit_stack;
        let list = self.explored.by_pc.get(&pc).cloned().unwrap_or_default();
        for &i in &list {
            let e = &self.explored.entries[i];
            if e.branches > 0 {
                if states_identical(&e.state, st) {
                    return self.reject(format!("infinite loop detected at insn {pc}"));
                }
                continue;
            }
            if states_equal(&e.state, st, allow) {
                return Ok(true);
            }
        }
        if list.len() >= MAX_STATES_PER_PC {
            return Ok(false);
        }
        let idx = self.explored.entries.len();
        self.explored.entries.push(Entry {
            state: st.clone(),
            branches: 1,
            parent: self.cur_parent,
        });
        self.cur_parent = Some(idx);
        let l = self.explored.by_pc.entry(pc).or_default();
        l.push(idx);
        self.total_states += 1;
        self.peak_states = self.peak_states.max(self.explored.entries.len());
        self.max_states_per_insn = self.max_states_per_insn.max(l.len());
        st.clear_written();
        Ok(false)
    }

    /// A path forks: the checkpoint it descends from has one more path below it.
    pub fn fork_parent(&mut self) {
        if let Some(p) = self.cur_parent {
            self.explored.entries[p].branches += 1;
        }
    }

    /// `update_branch_counts`: a path finished.
    pub fn finish_path(&mut self) {
        let mut p = self.cur_parent;
        while let Some(i) = p {
            let e = &mut self.explored.entries[i];
            e.branches = e.branches.saturating_sub(1);
            if e.branches > 0 {
                break;
            }
            p = e.parent;
        }
    }
}
