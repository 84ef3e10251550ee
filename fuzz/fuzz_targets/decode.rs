//! Arbitrary bytes as bytecode into the decoder and both disassembly styles: no panic. A slot
//! that decodes encodes back to a slot that decodes to the same instruction.
#![no_main]

use libfuzzer_sys::fuzz_target;
use unwind_isa::{decode_program, Insn, RawInsn, Slot, SLOT_SIZE};
use unwind_program::disasm::{disassemble, format_insn, log_text, Disassembler, Style};
use unwind_program::Program;

fuzz_target!(|data: &[u8]| {
    let whole = data.len() - data.len() % SLOT_SIZE;
    let slots = unwind_isa::slots_from_bytes(&data[..whole]).expect("whole slots");
    assert_eq!(unwind_isa::slots_to_bytes(&slots), &data[..whole]);
    // The decoder's result on bytes that are not whole slots is an error, not a panic.
    let _ = unwind_isa::slots_from_bytes(data);
    let decoded = decode_program(&slots);
    assert_eq!(decoded.len(), slots.len());
    for (pc, slot) in decoded.iter().enumerate() {
        if let Slot::Insn(insn) = slot {
            let encoded = insn.encode();
            let again = Insn::decode(&encoded).expect("an encoded instruction decodes");
            assert_eq!(&again, insn, "decode(encode(insn)) at pc {pc}");
            assert_eq!(encoded.len(), insn_len(&slots[pc..]));
        }
    }
    let program = Program::from_slots(slots.clone());
    for style in Style::ALL {
        let _ = disassemble(&program, style);
    }
    let names = Disassembler::new(&program);
    for pc in 0..=slots.len() {
        for style in Style::ALL {
            let _ = names.insn(pc, style);
            if pc < 4 {
                let _ = format_insn(&program, pc, style);
            }
        }
        if let Some(insn) = program.insn(pc) {
            let _ = log_text(&program, pc, &insn);
        }
    }
    let _ = unwind_session::assembly::instruction_views(&program);
    // Bytecode in its canonical encoding (every slot decodes and encodes back to itself)
    // prints as source that assembles back to the same bytes.
    let insns: Vec<Insn> = decoded
        .iter()
        .filter_map(|s| match s {
            Slot::Insn(i) => Some(*i),
            _ => None,
        })
        .collect();
    let canonical = decoded.iter().all(|s| !matches!(s, Slot::Invalid(_)))
        && unwind_isa::encode_program(&insns) == slots;
    if canonical && !slots.is_empty() {
        let text = disassemble(&program, Style::Source);
        let again = unwind_asm::assemble_with(
            &text,
            &unwind_asm::Options {
                syntax: unwind_asm::Syntax::PseudoC,
            },
        );
        let back = again.program.unwrap_or_else(|| {
            panic!(
                "the disassembly does not assemble: {:?}\n{text}",
                again
                    .diagnostics
                    .iter()
                    .map(|d| d.message())
                    .collect::<Vec<_>>()
            )
        });
        assert_eq!(
            back.slots, slots,
            "disassemble → assemble changed the bytes\n{text}"
        );
    }
});

/// Slots an instruction takes: two for `ld_imm64`.
fn insn_len(slots: &[RawInsn]) -> usize {
    if slots[0].code == 0x18 {
        2
    } else {
        1
    }
}
