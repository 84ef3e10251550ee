//! The hidden `bpf_throw` trampoline (the RFC's patch 07): a function appended to the program
//! that zeroes R6-R9, so that its prologue saves the thrower's callee-saved registers where the
//! unwinder finds them, then calls `bpf_throw`. Every `bpf_throw` call becomes a call to it.

use unwind_isa::{AluOp, CallTarget, Insn, Operand, Reg, Width};
use unwind_kernel::{func_by_name, FuncKind};
use unwind_program::{Linkage, NewFunction, PatchError, PcMap, Program};

use crate::throw::{is_throw_call, throw_facts};

/// The trampoline's name in disassembly and function lists.
pub const TRAMPOLINE_NAME: &str = "bpf_throw_tramp";

/// The trampoline's body: `r6 = 0; r7 = 0; r8 = 0; r9 = 0; call bpf_throw; exit`. The `exit`
/// is never reached; it keeps the function well formed.
pub fn trampoline_body() -> Vec<Insn> {
    let throw_id = match func_by_name("bpf_throw").map(|f| f.kind) {
        Some(FuncKind::Kfunc(id)) => id,
        _ => unreachable!("the catalogue has bpf_throw as a kfunc"),
    };
    let mut body: Vec<Insn> = (6..=9)
        .map(|r| Insn::Alu {
            width: Width::W64,
            op: AluOp::Mov,
            dst: Reg::new(r).expect("r6..r9"),
            src: Operand::Imm(0),
        })
        .collect();
    body.push(Insn::Call(CallTarget::Kfunc(throw_id)));
    body.push(Insn::Exit);
    body
}

/// Appends the trampoline and routes every `bpf_throw` call through it. A program that does
/// not throw is returned unchanged (with an identity map).
pub fn add_throw_trampoline(program: &Program) -> Result<(Program, PcMap), PatchError> {
    let facts = throw_facts(program);
    if !facts.seen_throw() {
        return program.patch(&[], &[]);
    }
    let (mut out, map) = program.patch(
        &[],
        &[NewFunction {
            name: TRAMPOLINE_NAME.to_string(),
            linkage: Linkage::Hidden,
            body: trampoline_body(),
        }],
    )?;
    let tramp = map.appended[0];
    for &site in &facts.throw_sites {
        let pc = map.insn[site];
        debug_assert!(out.insn(pc).is_some_and(|i| is_throw_call(&i)));
        let rel = i32::try_from(tramp as i64 - (pc as i64 + 1))
            .map_err(|_| PatchError::OffsetOverflow { pc })?;
        let mut slot = Vec::with_capacity(1);
        Insn::Call(CallTarget::Local(rel)).encode_into(&mut slot);
        out.slots[pc] = slot[0];
    }
    Ok((out, map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use unwind_program::disasm::{disassemble, Style};

    #[test]
    fn every_throw_goes_through_the_hidden_trampoline() {
        let p = unwind_asm::assemble(
            "r6 = 1\ncall f\nr1 = 2\ncall bpf_throw\nr0 = 0\nexit\nf:\nr1 = 3\ncall bpf_throw\nr0 = 0\nexit\n",
        )
        .program
        .unwrap();
        let (q, _) = add_throw_trampoline(&p).unwrap();
        let tramp = q.functions.last().unwrap();
        assert_eq!(
            (tramp.name.as_str(), tramp.linkage),
            (TRAMPOLINE_NAME, Linkage::Hidden)
        );
        assert_eq!(q.callee_saved_used(tramp), [true; 4]);
        // Both throws now call the trampoline, which is the only place bpf_throw is called.
        assert_eq!(
            q.insn(3).unwrap().function_target(3),
            Some(tramp.start as i64)
        );
        assert_eq!(
            q.insn(7).unwrap().function_target(7),
            Some(tramp.start as i64)
        );
        assert_eq!(throw_facts(&q).throw_sites, [tramp.start + 4]);
        let text = disassemble(&q, Style::Source);
        assert!(text.contains("bpf_throw_tramp:\n\tr6 = 0\n\tr7 = 0\n\tr8 = 0\n\tr9 = 0\n\tcall bpf_throw\n\texit\n"), "{text}");
        assert!(text.contains("\tcall bpf_throw_tramp\n"), "{text}");
    }

    #[test]
    fn programs_that_do_not_throw_are_unchanged() {
        let p = unwind_asm::assemble("r0 = 0\nexit\n").program.unwrap();
        let (q, _) = add_throw_trampoline(&p).unwrap();
        assert_eq!(q, p);
    }
}
