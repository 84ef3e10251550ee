//! Exception exits in each mode (SPEC §4), and frame-descriptor generation for the cleanup
//! modes (the RFC's `gen_exception_frame_descs`, patch 05, with patch 11's release of the
//! covered references and the review fixes).

use std::collections::HashSet;

use unwind_stackmap::{Content, Entry, Location, Observation, Unmergeable};

use super::{Env, Next, R};
use crate::state::{RefState, RegState, RegType, SlotKind, StackSlot, VerifierState};
use crate::Mode;

impl Env<'_> {
    /// The exception callback's declaration (`bpf_find_exception_callback_insn_off`,
    /// `btf_prepare_func_args(.., is_ex_cb)`): one, global, one integer argument.
    pub fn check_exception_callback(&mut self) -> R<()> {
        let callbacks: Vec<usize> = (0..self.input.prog.functions.len())
            .filter(|&i| self.input.prog.functions[i].is_exception_callback)
            .collect();
        if callbacks.len() > 1 {
            return self.reject("multiple exception callback tags for main subprog");
        }
        let Some(&i) = callbacks.first() else {
            return Ok(());
        };
        let f = &self.input.prog.functions[i];
        self.paths.cur_pc = f.start;
        if f.linkage != unwind_program::Linkage::Global {
            return self.reject(format!(
                "exception callback '{}' must have global linkage",
                f.name
            ));
        }
        if f.returns_void {
            return self.reject("exception cb cannot return void");
        }
        if f.args != [unwind_program::GlobalArg::Scalar] {
            return self.reject("exception cb only supports single integer argument");
        }
        self.paths.cur_pc = 0;
        Ok(())
    }

    /// A throw inside a callback (a `bpf_loop` callback, or the exception callback itself)
    /// cannot unwind through the kernel code that called it (`check_max_stack_depth_subprog`).
    fn check_throw_not_in_callback(&self, st: &VerifierState, pc: usize) -> R<()> {
        let in_callback = st.frames.iter().any(|f| {
            let func = &self.input.prog.functions[f.subprog];
            matches!(
                f.kind,
                crate::state::FrameKind::Callback | crate::state::FrameKind::AsyncCallback
            ) || func.is_exception_callback
        });
        if !in_callback {
            return Ok(());
        }
        // The kernel names the bpf_throw and the subprogram that holds it (`idx` of the walk):
        // the callback itself or a function it called. At a call to a global function that
        // might throw, that is the first throw the walk meets inside it.
        let (pc, sp) = match self.input.insns.get(pc).copied().flatten() {
            Some(unwind_isa::Insn::Call(unwind_isa::CallTarget::Local(rel))) => {
                let target = (pc as i64 + 1 + rel as i64) as usize;
                self.subprog_starting_at(target)
                    .and_then(|callee| self.first_throw_from(callee, &mut Vec::new()))
                    .unwrap_or((pc, st.cur().subprog))
            }
            _ => (pc, st.cur().subprog),
        };
        self.reject(format!(
            "bpf_throw kfunc (insn {pc}) cannot be called from callback subprog {sp}"
        ))
    }

    /// The first `bpf_throw` in `sp` or a function it calls, in the order
    /// `check_max_stack_depth_subprog` walks them (instruction order, depth first).
    fn first_throw_from(&self, sp: usize, seen: &mut Vec<usize>) -> Option<(usize, usize)> {
        if seen.contains(&sp) {
            return None;
        }
        seen.push(sp);
        let f = &self.input.prog.functions[sp];
        for pc in f.start..f.end {
            let Some(insn) = self.input.insns.get(pc).copied().flatten() else {
                continue;
            };
            if unwind_stackmap::is_throw_call(&insn) {
                return Some((pc, sp));
            }
            if let unwind_isa::Insn::Call(unwind_isa::CallTarget::Local(rel)) = insn {
                let target = (pc as i64 + 1 + rel as i64) as usize;
                if let Some(c) = self.subprog_starting_at(target) {
                    if let Some(found) = self.first_throw_from(c, seen) {
                        return Some(found);
                    }
                }
            }
        }
        None
    }

    /// An exception exit (`process_bpf_exit_full(env, NULL, true)`) at `pc`, after R0-R5 were
    /// clobbered: `legacy` has v6.7's checks and messages; `upstream` today's
    /// (`check_resource_leak` with the `bpf_throw` prefix: locks, references, RCU); the
    /// cleanup modes first record frame descriptors and release what they cover; `runtime`
    /// leaves references to the run-time table.
    pub(super) fn exception_exit(&mut self, st: &mut VerifierState, pc: usize) -> R<Next> {
        let mode = self.input.opts.mode;
        if mode == Mode::Legacy {
            if st.active_rcu > 0 {
                return self.reject("bpf_rcu_read_unlock is missing");
            }
            if st.active_preempt > 0 {
                return self.reject(super::exit::preempt_missing(st.active_preempt));
            }
            if !st.irq_flags.is_empty() {
                return self.reject("bpf_throw cannot be used inside bpf_local_irq_save-ed region");
            }
            self.check_reference_leak(st, false)?;
            self.check_throw_not_in_callback(st, pc)?;
            return Ok(Next::Done);
        }
        if st.active_lock.is_some() {
            return self.reject("bpf_throw cannot be used inside bpf_spin_lock-ed region");
        }
        if matches!(mode, Mode::Cleanup | Mode::CleanupV2) {
            self.gen_frame_descs(st, pc)?;
        }
        if mode != Mode::Runtime {
            if let Err(leak) = self.check_reference_leak(st, false) {
                // Both lines, as the kernel prints them.
                self.log.error(&leak.msg);
                return self.reject("bpf_throw would lead to reference leak");
            }
        }
        // check_resource_leak's order: locks, references, IRQs, RCU, preemption.
        if !st.irq_flags.is_empty() {
            return self.reject("bpf_throw cannot be used inside bpf_local_irq_save-ed region");
        }
        if st.active_rcu > 0 {
            return self.reject("bpf_throw cannot be used inside bpf_rcu_read_lock-ed region");
        }
        if st.active_preempt > 0 {
            return self.reject("bpf_throw cannot be used inside bpf_preempt_disable-ed region");
        }
        // After the exit checks, as in the kernel, where the callback check runs after do_check
        // (so a callback that throws while the caller holds a reference is refused for the
        // reference first: reject_with_cb_reference).
        self.check_throw_not_in_callback(st, pc)?;
        Ok(Next::Done)
    }

    /// cleanup-v2: a release in the function that acquired the resource, so that the rewrite
    /// can clear the acquisition's dedicated slot right after it.
    pub(super) fn note_release(&mut self, st: &VerifierState, ref_obj_id: u32) {
        if self.input.opts.mode != Mode::CleanupV2 {
            return;
        }
        let Some(r) = st.refs.iter().find(|r| r.id == ref_obj_id) else {
            return;
        };
        let here = st.frames.last().map(|f| f.subprog);
        if here.is_some() && self.input.prog.function_index_at(r.insn) == here {
            self.v2.record_release(self.paths.cur_pc, r.insn);
        }
    }

    /// Observes every frame, innermost first, into the descriptor table: stack slots, then
    /// R6-R9 (cleanup-v2 visits the dedicated slots of every frame before anything else).
    /// The current frame is keyed by the throwing pc, each caller by its call site. Each
    /// resource is entered once, at the first location found; its other copies become
    /// unmergeable markers. Then the entered resources are released in the verifier state, so
    /// that only references held elsewhere (R0-R5) remain as leaks.
    fn gen_frame_descs(&mut self, st: &mut VerifierState, pc: usize) -> R<()> {
        let n = st.frames.len();
        let mut seen: HashSet<u32> = HashSet::new();
        let path = format!("path {}", self.stats.insns_processed);
        let mut entries: Vec<Vec<Entry>> = vec![Vec::new(); n];
        // Dedicated slots first, in every frame.
        for frameno in (0..n).rev() {
            let f = &st.frames[frameno];
            for &off in self.v2.dedicated_slots(f.subprog) {
                let spi = (-(off as isize) / 8 - 1) as usize;
                if let Some(slot) = f.stack.get(spi) {
                    if let Some(content) = slot_content(slot, &st.refs, &mut seen) {
                        entries[frameno].push(Entry {
                            location: Location::Stack(off),
                            content,
                        });
                    }
                }
            }
        }
        for frameno in (0..n).rev() {
            let f = &st.frames[frameno];
            let dedicated = self.v2.dedicated_slots(f.subprog);
            for (spi, slot) in f.stack.iter().enumerate() {
                let off = -8 * (spi as i16 + 1);
                if dedicated.contains(&off) {
                    continue;
                }
                if let Some(content) = slot_content(slot, &st.refs, &mut seen) {
                    entries[frameno].push(Entry {
                        location: Location::Stack(off),
                        content,
                    });
                }
            }
            for r in 6..=9u8 {
                if let Some(content) = reg_content(&f.regs[r as usize], &st.refs, &mut seen) {
                    entries[frameno].push(Entry {
                        location: Location::Reg(r),
                        content,
                    });
                }
            }
        }
        for frameno in (0..n).rev() {
            let key = if frameno + 1 == n {
                pc
            } else {
                st.frames[frameno + 1].callsite
            };
            let obs = Observation {
                pc: key,
                function: st.frames[frameno].subprog,
                frame: frameno as u32,
                path: path.clone(),
                entries: std::mem::take(&mut entries[frameno]),
            };
            for line in obs.log_lines(key) {
                self.log.line(&line);
            }
            let conflicts = if self.v2.collects_conflicts() {
                self.record.descs.conflicts(&obs)
            } else {
                Vec::new()
            };
            let mut merge_log = Vec::new();
            let merged = self.record.descs.merge(obs, &mut merge_log);
            for line in &merge_log {
                self.log.line(line);
            }
            if let Err(e) = merged {
                if self.v2.collects_conflicts() {
                    // cleanup-v2's first passes: note which acquisitions conflict (in every
                    // location, not only the first) and go on.
                    for c in conflicts.iter().chain([&e]) {
                        for content in [c.old.content, c.new.content] {
                            if let Content::Resource { acquired_at, .. } = content {
                                self.v2.record_conflict(acquired_at);
                            }
                        }
                    }
                    continue;
                }
                let [msg, new, old] = e.log_lines();
                self.log.error(&new);
                self.log.error(&old);
                return self.reject(msg);
            }
        }
        for id in seen {
            st.release_reference(id);
        }
        Ok(())
    }
}

/// What an 8-byte stack slot holds, for a descriptor.
fn slot_content(slot: &StackSlot, refs: &[RefState], seen: &mut HashSet<u32>) -> Option<Content> {
    if slot.is_spill() && slot.spill_size() == 8 {
        return reg_content(&slot.spilled, refs, seen);
    }
    if slot.kinds.iter().all(|k| *k == SlotKind::Zero) {
        return Some(Content::Null);
    }
    let why = if slot.kinds.iter().all(|k| *k == SlotKind::Invalid) {
        Unmergeable::Uninit
    } else {
        Unmergeable::Misc
    };
    Some(Content::Unmergeable { why })
}

/// What a register (or a spilled one) holds, for a descriptor (`None`: nothing that matters).
fn reg_content(r: &RegState, refs: &[RefState], seen: &mut HashSet<u32>) -> Option<Content> {
    Some(match r.ty {
        RegType::NotInit => Content::Unmergeable {
            why: Unmergeable::Uninit,
        },
        RegType::Scalar if r.is_const(0) => Content::Null,
        // The review fix: a scalar that may be non-zero must not merge with a pointer.
        RegType::Scalar => Content::Unmergeable {
            why: Unmergeable::NonZeroScalar,
        },
        RegType::Ptr(_)
            if r.ref_obj_id != 0
                && (r.off != 0 || !r.var.is_const() || r.var.var_off.value != 0) =>
        {
            Content::Unmergeable {
                why: Unmergeable::Interior,
            }
        }
        RegType::Ptr(_) if r.ref_obj_id != 0 => {
            let re = refs.iter().find(|x| x.id == r.ref_obj_id)?;
            if !seen.insert(r.ref_obj_id) {
                return Some(Content::Unmergeable {
                    why: Unmergeable::Copy,
                });
            }
            Content::Resource {
                resource: re.kind,
                ref_obj_id: r.ref_obj_id,
                acquired_at: re.insn,
            }
        }
        // A pointer the unwinder must not release (ctx, stack, map value, ...): in the RFC it
        // made no entry and so merged with a resource; here it refuses to.
        RegType::Ptr(_) => Content::Unmergeable {
            why: Unmergeable::Misc,
        },
    })
}
