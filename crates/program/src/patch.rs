//! Rewriting a program: inserting instructions around existing ones and appending functions,
//! with every jump, call, function address, function range, label and span fixed up (the
//! kernel's `bpf_patch_insn_data()` and `add_hidden_subprog()`).

use serde::Serialize;
use unwind_isa::{CallTarget, Imm64Kind, Insn, Slot};

use crate::{Function, Label, Linkage, Program, SourceLine, Span};

/// Instructions to put before and after the instruction at `pc`. Jumps that targeted `pc`
/// land on the first inserted instruction, as in the kernel, so code inserted `before` a
/// function's first instruction runs on every call, and on every iteration of a loop whose
/// head that instruction is. `prologue` goes before `before` and is reached only by calls and
/// function addresses (the function's entry), not by jumps: code that must run once per call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Patch {
    pub pc: usize,
    pub prologue: Vec<Insn>,
    pub before: Vec<Insn>,
    pub after: Vec<Insn>,
}

/// A function appended at the end of the program (a hidden subprogram).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFunction {
    pub name: String,
    pub linkage: Linkage,
    /// Its body. A `Call(Local(_))` or function-address load in it must be fixed by the caller.
    pub body: Vec<Insn>,
}

/// Where every old pc went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PcMap {
    /// New pc of each old instruction slot.
    pub insn: Vec<usize>,
    /// New pc where the code for each old pc starts for jumps (its first `before` instruction).
    pub start: Vec<usize>,
    /// New pc where the code for each old pc starts for calls and function addresses (its
    /// first `prologue` instruction; `start` without one).
    pub entry: Vec<usize>,
    /// First pc of each appended function.
    pub appended: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    #[error("pc {pc} is not the start of an instruction")]
    NotAnInstruction { pc: usize },
    #[error("two patches at pc {pc}")]
    Duplicate { pc: usize },
    #[error("inserted code may only jump within itself, and may not call (at pc {pc})")]
    InsertedControlFlow { pc: usize },
    #[error("after patching, the offset at new pc {pc} does not fit its field")]
    OffsetOverflow { pc: usize },
}

/// Inserted code is copied as it is, so it may only jump within its own block (to the block's
/// end at most: for code inserted `before`, the original instruction), and may not call or
/// load a function's address.
fn jumps_out(block: &[Insn]) -> bool {
    let len: usize = block.iter().map(Insn::slots).sum();
    let mut at = 0usize;
    for insn in block {
        if insn.function_target(at).is_some() {
            return true;
        }
        if let Some(t) = insn.jump_target(at) {
            if t < 0 || t as usize > len {
                return true;
            }
        }
        at += insn.slots();
    }
    false
}

impl Program {
    /// Applies patches and appends functions. Relative targets of the original instructions
    /// are recomputed; inserted instructions take the span of the instruction they surround,
    /// appended functions the empty span (line 0: not in the source).
    pub fn patch(
        &self,
        patches: &[Patch],
        appended: &[NewFunction],
    ) -> Result<(Program, PcMap), PatchError> {
        let decoded = self.decode();
        let mut by_pc = std::collections::BTreeMap::new();
        for p in patches {
            if !matches!(decoded.get(p.pc), Some(Slot::Insn(_))) {
                return Err(PatchError::NotAnInstruction { pc: p.pc });
            }
            if jumps_out(&p.prologue) || jumps_out(&p.before) || jumps_out(&p.after) {
                return Err(PatchError::InsertedControlFlow { pc: p.pc });
            }
            if by_pc.insert(p.pc, p).is_some() {
                return Err(PatchError::Duplicate { pc: p.pc });
            }
        }
        // Lay out the new program: (insn, span, old pc of an original instruction).
        let mut layout: Vec<(Insn, Span, Option<usize>)> = Vec::new();
        let mut map = PcMap {
            insn: vec![0; self.slots.len() + 1],
            start: vec![0; self.slots.len() + 1],
            entry: vec![0; self.slots.len() + 1],
            appended: Vec::new(),
        };
        let mut new_pc = 0usize;
        for (pc, slot) in decoded.iter().enumerate() {
            let span = self.spans.get(pc).copied().unwrap_or_default();
            map.start[pc] = new_pc;
            map.entry[pc] = new_pc;
            match slot {
                Slot::Imm64Tail => {
                    map.insn[pc] = new_pc;
                    map.start[pc] = new_pc;
                    map.entry[pc] = new_pc;
                    continue;
                }
                Slot::Invalid(_) => {
                    return Err(PatchError::NotAnInstruction { pc });
                }
                Slot::Insn(insn) => {
                    let patch = by_pc.get(&pc);
                    for i in patch.map_or(&[][..], |p| &p.prologue[..]) {
                        layout.push((*i, span, None));
                        new_pc += i.slots();
                    }
                    map.start[pc] = new_pc;
                    for i in patch.map_or(&[][..], |p| &p.before[..]) {
                        layout.push((*i, span, None));
                        new_pc += i.slots();
                    }
                    map.insn[pc] = new_pc;
                    layout.push((*insn, span, Some(pc)));
                    new_pc += insn.slots();
                    if insn.slots() == 2 {
                        // The tail slot maps to the new tail.
                        map.insn[pc + 1] = new_pc - 1;
                        map.start[pc + 1] = new_pc - 1;
                        map.entry[pc + 1] = new_pc - 1;
                    }
                    for i in patch.map_or(&[][..], |p| &p.after[..]) {
                        layout.push((*i, span, None));
                        new_pc += i.slots();
                    }
                }
            }
        }
        let old_len = self.slots.len();
        map.insn[old_len] = new_pc;
        map.start[old_len] = new_pc;
        map.entry[old_len] = new_pc;
        // Appended functions (the hidden trampoline) are code the source does not have: line 0.
        for f in appended {
            map.appended.push(new_pc);
            for i in &f.body {
                layout.push((*i, Span::default(), None));
                new_pc += i.slots();
            }
        }
        // Fix relative targets of original instructions.
        let mut slots = Vec::with_capacity(new_pc);
        let mut spans = Vec::with_capacity(new_pc);
        for (insn, span, old) in layout {
            let here = slots.len();
            let insn = match old {
                Some(old_pc) => retarget(insn, old_pc, here, &map)?,
                None => insn,
            };
            insn.encode_into(&mut slots);
            spans.extend(std::iter::repeat_n(span, insn.slots()));
        }
        let mut functions: Vec<Function> = self
            .functions
            .iter()
            .map(|f| Function {
                start: map.entry[f.start],
                end: map.entry[f.end.min(old_len)],
                ..f.clone()
            })
            .collect();
        if let Some(last) = functions.last_mut() {
            last.end = map.entry[old_len];
        }
        for (f, &start) in appended.iter().zip(&map.appended) {
            let end = start + f.body.iter().map(Insn::slots).sum::<usize>();
            functions.push(Function {
                name: f.name.clone(),
                start,
                end,
                linkage: f.linkage,
                args: Vec::new(),
                returns_void: false,
                is_exception_callback: false,
            });
        }
        let labels = self
            .labels
            .iter()
            .map(|l| {
                let pc = l.pc.min(old_len);
                // a function's label names its entry
                let at_entry = self.functions.iter().any(|f| f.start == pc);
                Label {
                    name: l.name.clone(),
                    pc: if at_entry {
                        map.entry[pc]
                    } else {
                        map.start[pc]
                    },
                }
            })
            .collect();
        Ok((
            Program {
                slots,
                spans,
                functions,
                maps: self.maps.clone(),
                prog_type: self.prog_type,
                labels,
                line_info: self
                    .line_info
                    .iter()
                    .filter(|l| l.pc < old_len)
                    .map(|l| SourceLine {
                        pc: map.start[l.pc],
                        ..l.clone()
                    })
                    .collect(),
            },
            map,
        ))
    }
}

/// Recomputes the relative target of an original instruction now at `here`.
fn retarget(insn: Insn, old_pc: usize, here: usize, map: &PcMap) -> Result<Insn, PatchError> {
    // Jumps land on `start`, calls and function addresses on `entry` (before a prologue).
    let new_target = |old_target: i64, by_call: bool| -> Option<i64> {
        let t = usize::try_from(old_target).ok()?;
        let starts = if by_call { &map.entry } else { &map.start };
        starts.get(t).map(|&n| n as i64)
    };
    let rel_to = |old_target: i64, by_call: bool| -> i64 {
        // Targets outside the program keep their distance past the end.
        match new_target(old_target, by_call) {
            Some(t) => t - (here as i64 + 1),
            None => old_target - (old_pc as i64 + 1),
        }
    };
    let rel = |old_target: i64| rel_to(old_target, false);
    let rel_call = |old_target: i64| rel_to(old_target, true);
    let overflow = PatchError::OffsetOverflow { pc: here };
    let off16 = |v: i64| i16::try_from(v).map_err(|_| overflow.clone());
    let imm32 = |v: i64| i32::try_from(v).map_err(|_| overflow.clone());
    Ok(match insn {
        Insn::Ja { .. } => Insn::Ja {
            off: off16(rel(insn.jump_target(old_pc).expect("jump")))?,
        },
        Insn::MayGoto { .. } => Insn::MayGoto {
            off: off16(rel(insn.jump_target(old_pc).expect("jump")))?,
        },
        Insn::Gotol { .. } => Insn::Gotol {
            imm: imm32(rel(insn.jump_target(old_pc).expect("jump")))?,
        },
        Insn::Jump {
            width,
            op,
            dst,
            src,
            ..
        } => Insn::Jump {
            width,
            op,
            dst,
            src,
            off: off16(rel(insn.jump_target(old_pc).expect("jump")))?,
        },
        Insn::Call(CallTarget::Local(_)) => Insn::Call(CallTarget::Local(imm32(rel_call(
            insn.function_target(old_pc).expect("call"),
        ))?)),
        Insn::LdImm64 {
            dst,
            kind: Imm64Kind::Func,
            ..
        } => Insn::LdImm64 {
            dst,
            kind: Imm64Kind::Func,
            imm: imm32(rel_call(insn.function_target(old_pc).expect("func")))? as u32 as u64,
        },
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use unwind_isa::{AluOp, JmpOp, Operand, Reg, Size, Width};

    fn mov(dst: u8, imm: i32) -> Insn {
        Insn::Alu {
            width: Width::W64,
            op: AluOp::Mov,
            dst: Reg::new(dst).unwrap(),
            src: Operand::Imm(imm),
        }
    }

    #[test]
    fn jumps_and_calls_follow_their_targets() {
        // 0: if r1 == 0 goto 2; 1: call f (pc 3); 2: exit; 3: r0 = 1 (f); 4: exit
        let insns = [
            Insn::Jump {
                width: Width::W64,
                op: JmpOp::Eq,
                dst: Reg::R1,
                src: Operand::Imm(0),
                off: 1,
            },
            Insn::Call(CallTarget::Local(1)),
            Insn::Exit,
            mov(0, 1),
            Insn::Exit,
        ];
        let p = Program::from_slots(unwind_isa::encode_program(&insns));
        let store = Insn::StoreImm {
            size: Size::DW,
            dst: Reg::FP,
            off: -8,
            imm: 0,
        };
        let (q, map) = p
            .patch(
                &[
                    // After the call, and at the callee's entry (before its first insn).
                    Patch {
                        pc: 1,
                        before: vec![],
                        after: vec![store],
                        ..Patch::default()
                    },
                    Patch {
                        pc: 3,
                        before: vec![store, store],
                        after: vec![],
                        ..Patch::default()
                    },
                ],
                &[NewFunction {
                    name: "hidden".into(),
                    linkage: Linkage::Hidden,
                    body: vec![mov(0, 0), Insn::Exit],
                }],
            )
            .unwrap();
        assert_eq!(map.insn, [0, 1, 3, 6, 7, 8]);
        assert_eq!(map.start, [0, 1, 3, 4, 7, 8]);
        // The jump still reaches `exit`; the call reaches the zeroing code at f's entry.
        assert_eq!(q.insn(0).unwrap().jump_target(0), Some(3));
        assert_eq!(q.insn(1).unwrap().function_target(1), Some(4));
        let f: Vec<_> = q
            .functions
            .iter()
            .map(|f| (f.name.as_str(), f.start, f.end, f.linkage))
            .collect();
        assert_eq!(
            f,
            [
                ("main", 0, 4, Linkage::Main),
                ("func_3", 4, 8, Linkage::Static),
                ("hidden", 8, 10, Linkage::Hidden)
            ]
        );
        assert_eq!(q.spans.len(), q.slots.len());
    }

    #[test]
    fn a_prologue_runs_on_calls_not_on_back_edges() {
        // 0: call f (pc 2); 1: exit; 2: r0 = 1 (f, a loop's head); 3: if r0 == 0 goto 2; 4: exit
        let insns = [
            Insn::Call(CallTarget::Local(1)),
            Insn::Exit,
            mov(0, 1),
            Insn::Jump {
                width: Width::W64,
                op: JmpOp::Eq,
                dst: Reg::R0,
                src: Operand::Imm(0),
                off: -2,
            },
            Insn::Exit,
        ];
        let p = Program::from_slots(unwind_isa::encode_program(&insns));
        let store = Insn::StoreImm {
            size: Size::DW,
            dst: Reg::FP,
            off: -8,
            imm: 0,
        };
        let (q, map) = p
            .patch(
                &[Patch {
                    pc: 2,
                    prologue: vec![store],
                    ..Patch::default()
                }],
                &[],
            )
            .unwrap();
        assert_eq!(map.entry[2], 2);
        assert_eq!(map.start[2], 3);
        // The call reaches the prologue, the back-edge the instruction after it.
        assert_eq!(q.insn(0).unwrap().function_target(0), Some(2));
        assert_eq!(q.insn(4).unwrap().jump_target(4), Some(3));
        assert_eq!(q.functions[1].start, 2);
    }

    #[test]
    fn inserted_code_may_jump_only_within_itself() {
        let p = Program::from_slots(unwind_isa::encode_program(&[
            Insn::Alu {
                width: unwind_isa::Width::W64,
                op: unwind_isa::AluOp::Mov,
                dst: unwind_isa::Reg::R0,
                src: unwind_isa::Operand::Imm(0),
            },
            Insn::Exit,
        ]));
        let patched = |before: Vec<Insn>| {
            p.patch(
                &[Patch {
                    pc: 1,
                    before,
                    after: vec![],
                    ..Patch::default()
                }],
                &[],
            )
        };
        // To the end of the block (the original instruction): kept as it is.
        let (q, _) = patched(vec![Insn::Ja { off: 1 }, Insn::Exit]).unwrap();
        assert_eq!(q.insn(1), Some(Insn::Ja { off: 1 }));
        assert_eq!(q.insn(3), Some(Insn::Exit));
        // Past the block, before it, or a call: refused.
        for before in [
            vec![Insn::Ja { off: 2 }, Insn::Exit],
            vec![Insn::Ja { off: -2 }],
            vec![Insn::Call(CallTarget::Local(0))],
        ] {
            assert_eq!(
                patched(before).unwrap_err(),
                PatchError::InsertedControlFlow { pc: 1 }
            );
        }
    }
}
