//! State pruning (`is_state_visited`, `states_equal`, `regsafe`, `stacksafe`): a path whose
//! state at a prune point is subsumed by one already explored from there is safe. States
//! still being explored (ancestors of the current path) are not used for pruning; being equal
//! to one of them means the program loops without progress.
//!
//! The kernel's heuristics keep the lists short: a new state is stored only after 2 jumps and
//! 8 instructions since the last one (inside a loop: 20 jumps or 100 instructions), and a
//! stored state that keeps missing (`miss_cnt > hit_cnt * 3 + 3`) leaves its pc's list. A
//! fingerprint of each stored state (a hash of everything but the `_w` marks) makes the
//! infinite-loop comparison against the states of the current path cheap.

use std::hash::Hasher;

use crate::check::{Env, R};
use crate::state::{FuncState, RegState, RegType, SlotKind, VerifierState};

/// Stored states at most per pc.
const MAX_STATES_PER_PC: usize = 64;

pub struct Entry {
    pub state: VerifierState,
    /// `states_identical`'s quick filter: equal states have equal fingerprints.
    pub fingerprint: u64,
    /// Paths still running below this checkpoint (`branches`).
    pub branches: u32,
    pub parent: Option<usize>,
    pub hit: u32,
    pub miss: u32,
}

#[derive(Default)]
pub struct Explored {
    pub entries: Vec<Entry>,
    /// Stored states per pc (indices into `entries`), sized to the program.
    pub by_pc: Vec<Vec<usize>>,
    /// `jmps_processed` and the counts at the last stored state.
    pub jmps: u64,
    pub prev_jmps: u64,
    pub prev_insns: u64,
}

/// `check_ids`' map: few ids per comparison, so a vector beats a hash map.
#[derive(Default)]
struct IdMap {
    pairs: Vec<(u32, u32)>,
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
        for &(o, c) in &self.pairs {
            if o == old {
                return c == cur;
            }
            if c == cur {
                return false;
            }
        }
        self.pairs.push((old, cur));
        true
    }
}

/// FxHash's mixing: fast, and good enough for a filter.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for c in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(w));
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_u32(&mut self, v: u32) {
        self.write_u64(v.into());
    }

    fn write_u8(&mut self, v: u8) {
        self.write_u64(v.into());
    }

    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// `states_maybe_looping`'s filter as a hash: the frame count and the current frame's
/// registers (the `_w` marks left out). Identical states have equal fingerprints.
pub fn fingerprint(st: &VerifierState) -> u64 {
    // a few fields per register are enough for a filter, and much cheaper than all of them
    let mut h = FxHasher::default();
    h.write_usize(st.frames.len());
    for r in &st.cur().regs {
        let ty = match r.ty {
            RegType::NotInit => 0,
            RegType::Scalar => 1,
            RegType::Ptr(k) => 2 + k as u64,
        };
        h.write_u64(ty | (r.off as u32 as u64) << 8);
        h.write_u64(r.var.var_off.value);
        h.write_u64(r.var.var_off.mask);
        h.write_u64(r.var.umax ^ r.var.smin as u64);
    }
    h.finish()
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
                && range_safe(old.range, cur.range)
                && old.var.includes(&cur.var)
                && ids.check(old.id, cur.id)
                && ids.check(old.ref_obj_id, cur.ref_obj_id)
                && (old.lock_id == 0) == (cur.lock_id == 0)
                && ids.check(old.lock_id, cur.lock_id)
        }
    }
}

/// A packet pointer's range covers the old one's: at least as many bytes (the kernel's
/// `rold->range > rcur->range`). A negative range (at or beyond pkt_end, `mark_pkt_end`)
/// decides branches, so it must be the same: a pointer only at pkt_end may still fall
/// through a `pkt > end` that one beyond it always takes.
fn range_safe(old: i32, cur: i32) -> bool {
    if old < 0 || cur < 0 {
        return old == cur;
    }
    old <= cur
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
        || old.active_preempt != cur.active_preempt
        || old.irq_flags.len() != cur.irq_flags.len()
        || old
            .irq_flags
            .iter()
            .zip(&cur.irq_flags)
            .any(|(o, c)| (o.frame, o.off) != (c.frame, c.off))
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

/// Equal in every tracked respect but the `_w` marks (for the infinite-loop check).
fn states_identical(old: &VerifierState, cur: &VerifierState) -> bool {
    let reg_eq = |a: &RegState, b: &RegState| {
        let (mut a, mut b) = (*a, *b);
        a.written = false;
        b.written = false;
        a == b
    };
    // `is_state_visited` reports a loop only between states of one callback iteration: a
    // callback's next iteration reaches its instructions in the state of the previous one
    // (`sl->state.callback_unroll_depth == cur->callback_unroll_depth`).
    old.frames.len() == cur.frames.len()
        && old.callback_unroll_depth == cur.callback_unroll_depth
        && old.may_goto_depth == cur.may_goto_depth
        && old.refs == cur.refs
        && old.active_lock == cur.active_lock
        && old.active_rcu == cur.active_rcu
        && old.active_preempt == cur.active_preempt
        && old.irq_flags == cur.irq_flags
        && old.frames.iter().zip(&cur.frames).all(|(o, c)| {
            o.callsite == c.callsite
                && o.subprog == c.subprog
                && o.frameno == c.frameno
                && o.kind == c.kind
                && o.stack.len() == c.stack.len()
                && o.regs.iter().zip(&c.regs).all(|(a, b)| reg_eq(a, b))
                && o.stack
                    .iter()
                    .zip(&c.stack)
                    .all(|(a, b)| a.kinds == b.kinds && reg_eq(&a.spilled, &b.spilled))
        })
}

impl Env<'_> {
    /// `is_state_visited`: `Ok(true)` when the current path can stop here.
    pub fn is_state_visited(&mut self, st: &mut VerifierState, pc: usize) -> R<bool> {
        let allow = self.input.opts.allow_uninit_stack;
        let ex = &mut self.paths.explored;
        if ex.by_pc.len() < self.input.insns.len() {
            ex.by_pc.resize_with(self.input.insns.len(), Vec::new);
        }
        let since_jmps = ex.jmps - ex.prev_jmps;
        let since_insns = self.stats.insns_processed - ex.prev_insns;
        // the kernel's checkpoint frequency: 2 jumps and 8 instructions since the last one
        let force = self.paths.calls_callback[pc];
        let may_goto = matches!(
            self.input.insns.get(pc),
            Some(Some(unwind_isa::Insn::MayGoto { .. }))
        );
        let mut add_new_state = force || may_goto || (since_jmps >= 2 && since_insns >= 8);
        let mut fp = None;
        let mut i = 0;
        let mut states_cnt = 0;
        while i < ex.by_pc[pc].len() {
            let idx = ex.by_pc[pc][i];
            states_cnt += 1;
            let e = &ex.entries[idx];
            if e.branches > 0 {
                if force {
                    // a callback's iterations converged: this state adds nothing
                    if states_equal(&e.state, st, allow) {
                        ex.entries[idx].hit += 1;
                        self.stats.max_states_per_insn =
                            self.stats.max_states_per_insn.max(states_cnt);
                        return Ok(true);
                    }
                } else if may_goto
                    && e.state.may_goto_depth != st.may_goto_depth
                    && states_equal(&e.state, st, allow)
                {
                    // a may_goto loop's iterations converged (`is_may_goto_insn_at`)
                    ex.entries[idx].hit += 1;
                    self.stats.max_states_per_insn = self.stats.max_states_per_insn.max(states_cnt);
                    return Ok(true);
                } else {
                    let fp = *fp.get_or_insert_with(|| fingerprint(st));
                    if e.fingerprint == fp && states_identical(&e.state, st) {
                        return self.reject(format!("infinite loop detected at insn {pc}"));
                    }
                }
                // inside a loop, store states less often (the kernel's 20 jumps / 100 insns)
                if !force && !may_goto && since_jmps < 20 && since_insns < 100 {
                    add_new_state = false;
                }
            } else if states_equal(&e.state, st, allow) {
                ex.entries[idx].hit += 1;
                self.stats.max_states_per_insn = self.stats.max_states_per_insn.max(states_cnt);
                return Ok(true);
            }
            let e = &mut ex.entries[idx];
            if add_new_state {
                e.miss += 1;
            }
            // a state that keeps missing is unlikely to help: it leaves the list
            if e.miss > e.hit * 3 + 3 {
                ex.by_pc[pc].remove(i);
                continue;
            }
            i += 1;
        }
        self.stats.max_states_per_insn = self.stats.max_states_per_insn.max(states_cnt);
        if !add_new_state || ex.by_pc[pc].len() >= MAX_STATES_PER_PC {
            return Ok(false);
        }
        ex.prev_jmps = ex.jmps;
        ex.prev_insns = self.stats.insns_processed;
        let idx = ex.entries.len();
        ex.entries.push(Entry {
            fingerprint: fp.unwrap_or_else(|| fingerprint(st)),
            state: st.clone(),
            branches: 1,
            parent: self.paths.cur_parent,
            hit: 0,
            miss: 0,
        });
        self.paths.cur_parent = Some(idx);
        ex.by_pc[pc].push(idx);
        self.stats.total_states += 1;
        self.stats.peak_states = self.stats.peak_states.max(ex.entries.len());
        st.clear_written();
        Ok(false)
    }

    /// A path forks: the checkpoint it descends from has one more path below it.
    pub fn fork_parent(&mut self) {
        if let Some(p) = self.paths.cur_parent {
            self.paths.explored.entries[p].branches += 1;
        }
    }

    /// `update_branch_counts`: a path finished.
    pub fn finish_path(&mut self) {
        let mut p = self.paths.cur_parent;
        while let Some(i) = p {
            let e = &mut self.paths.explored.entries[i];
            e.branches = e.branches.saturating_sub(1);
            if e.branches > 0 {
                break;
            }
            p = e.parent;
        }
    }
}
