//! The verifier state of one path: the frames (registers and stack of each active function),
//! the references held, the lock and RCU section (`struct bpf_verifier_state`).

pub mod reg;
pub mod stack;

use serde::Serialize;

pub use reg::{PtrKind, RegState, RegType};
pub use stack::{SlotKind, StackSlot};

use unwind_kernel::ResourceKind;

pub const MAX_BPF_STACK: i32 = 512;
pub const MAX_CALL_FRAMES: usize = 8;
/// The most functions a program may have, main included (the kernel's `BPF_MAX_SUBPROGS`;
/// a hidden subprogram the verifier adds is not counted).
pub const MAX_SUBPROGS: usize = 256;

/// One acquired reference (`struct bpf_reference_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct RefState {
    pub id: u32,
    /// The acquiring instruction (`alloc_insn=`).
    pub insn: usize,
    pub kind: ResourceKind,
    /// The frame that acquired it (callbacks must release their own).
    pub frame: u8,
}

/// Saved IRQ flags (`bpf_local_irq_save`): the stack slot that holds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct IrqFlag {
    pub id: u32,
    pub frame: u8,
    /// The slot's offset from that frame's fp.
    pub off: i32,
    /// The saving instruction.
    pub insn: usize,
    /// The slot still holds the flags (`STACK_IRQ_FLAG`). A write over it destroys them, as
    /// in the kernel: the restore then finds no flag there ("expected an initialized irq
    /// flag"), and the IRQs stay saved, which the exit refuses.
    pub intact: bool,
}

impl VerifierState {
    /// The saved IRQ flags whose 8-byte slot in `frame` overlaps `[lo, hi)` (offsets from its
    /// fp), still intact.
    pub fn irq_flags_overlapping(&self, frame: usize, lo: i64, hi: i64) -> Vec<usize> {
        self.irq_flags
            .iter()
            .enumerate()
            .filter(|(_, q)| {
                q.intact
                    && q.frame as usize == frame
                    && (q.off as i64) < hi
                    && lo < q.off as i64 + 8
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// What a callee frame returns to and how its exit is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum FrameKind {
    /// The program's entry or a global function verified on its own.
    Root,
    /// A static function called with `call`.
    Static,
    /// A `bpf_loop` callback (R0 must be in [0, 1]).
    Callback,
    /// A timer's callback (`bpf_timer_set_callback`): verified as a call chain of its own,
    /// from frame 0, as the kernel's `push_async_cb` does (R0 must be 0).
    AsyncCallback,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct FuncState {
    pub regs: [RegState; 11],
    pub stack: Vec<StackSlot>,
    pub frameno: u8,
    /// The call instruction in the caller (for callees).
    pub callsite: usize,
    pub subprog: usize,
    pub kind: FrameKind,
    /// Iterations of the `bpf_loop` this frame is calling, verified on this path
    /// (`callback_depth`: the loop is done when it reaches the count's upper bound).
    #[serde(skip)]
    pub callback_depth: u32,
    /// Slots touched by the current instruction, for the log.
    #[serde(skip)]
    pub scratched_stack: u64,
}

impl FuncState {
    pub fn new(frameno: u8, callsite: usize, subprog: usize, kind: FrameKind) -> FuncState {
        let mut regs = [RegState::NOT_INIT; 11];
        regs[10] = RegState::stack(frameno, 0);
        FuncState {
            regs,
            stack: Vec::new(),
            frameno,
            callsite,
            subprog,
            kind,
            callback_depth: 0,
            scratched_stack: 0,
        }
    }

    /// Bytes of stack in use (`allocated_stack`).
    pub fn allocated(&self) -> usize {
        self.stack.len() * 8
    }

    pub fn grow(&mut self, bytes: usize) {
        let slots = bytes.div_ceil(8);
        if self.stack.len() < slots {
            self.stack.resize(slots, StackSlot::default());
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct VerifierState {
    pub frames: Vec<FuncState>,
    pub refs: Vec<RefState>,
    /// Id of the held spin lock's map value, if any.
    pub active_lock: Option<u32>,
    pub active_rcu: u32,
    /// `bpf_preempt_disable` calls not yet matched by `bpf_preempt_enable`.
    pub active_preempt: u32,
    /// IRQ flags saved and not yet restored, oldest first (restores go newest first).
    pub irq_flags: Vec<IrqFlag>,
    /// `bpf_loop` callback iterations verified on this path (`callback_unroll_depth`).
    pub callback_unroll_depth: u32,
    /// may_goto fall-throughs taken on this path (`may_goto_depth`).
    pub may_goto_depth: u32,
}

impl VerifierState {
    pub fn cur(&self) -> &FuncState {
        self.frames.last().expect("a frame")
    }

    pub fn cur_mut(&mut self) -> &mut FuncState {
        self.frames.last_mut().expect("a frame")
    }

    pub fn curframe(&self) -> usize {
        self.frames.len() - 1
    }

    pub fn reg(&self, r: u8) -> &RegState {
        &self.cur().regs[r as usize]
    }

    pub fn reg_mut(&mut self, r: u8) -> &mut RegState {
        &mut self.cur_mut().regs[r as usize]
    }

    /// Every register and spilled register of every frame (`bpf_for_each_reg_in_vstate`).
    pub fn for_each_reg(&mut self, mut f: impl FnMut(&mut RegState)) {
        for fr in &mut self.frames {
            for r in fr.regs.iter_mut() {
                f(r);
            }
            for s in fr.stack.iter_mut() {
                if s.is_spill() {
                    f(&mut s.spilled);
                }
            }
        }
    }

    /// `release_reference`: drop the reference and turn every copy into an unknown scalar
    /// (`mark_reg_invalid` as a privileged load sees it).
    pub fn release_reference(&mut self, ref_obj_id: u32) -> bool {
        let Some(i) = self.refs.iter().position(|r| r.id == ref_obj_id) else {
            return false;
        };
        self.refs.remove(i);
        self.for_each_reg(|r| {
            if r.ref_obj_id == ref_obj_id {
                let w = r.written;
                *r = RegState::unknown();
                r.written = w;
            }
        });
        true
    }

    /// `mark_ptr_or_null_regs`: after a NULL check on a pointer with this `id`, every copy
    /// becomes the scalar 0 (`is_null`) or loses its maybe-NULL mark; on the NULL branch the
    /// reference it owned is gone.
    pub fn mark_ptr_or_null(&mut self, id: u32, is_null: bool) {
        let mut ref_id = 0;
        self.for_each_reg(|r| {
            if r.is_ptr() && r.maybe_null && r.id == id {
                if is_null {
                    ref_id = ref_id.max(r.ref_obj_id);
                    let w = r.written;
                    *r = RegState::konst(0);
                    r.written = w;
                } else {
                    r.maybe_null = false;
                    if r.kind() == Some(PtrKind::MapValue) {
                        r.lock_id = r.id;
                    }
                    // only the ref_obj_id links copies from now on (a map value keeps its id
                    // only for the spin lock, which the model tracks by map)
                    r.id = 0;
                }
            }
        });
        if is_null && ref_id != 0 {
            self.refs.retain(|r| r.id != ref_id);
        }
    }

    /// `find_equal_scalars`: scalars sharing `id` learn what one of them learned.
    pub fn sync_linked_scalars(&mut self, known: &RegState) {
        if known.id == 0 || !known.is_scalar() {
            return;
        }
        let id = known.id;
        let var = known.var;
        self.for_each_reg(|r| {
            if r.is_scalar() && r.id == id {
                r.var = var;
            }
        });
    }

    pub fn max_id(&self) -> u32 {
        let mut m = self.refs.iter().map(|r| r.id).max().unwrap_or(0);
        for fr in &self.frames {
            for r in &fr.regs {
                m = m.max(r.id).max(r.ref_obj_id);
            }
        }
        m
    }

    pub fn clear_written(&mut self) {
        self.for_each_reg(|r| r.written = false);
    }
}
