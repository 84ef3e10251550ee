//! Arbitrary bytecode, with a program type, log level and budget the fuzzer picks, into the
//! verifier in every mode: no panic, and the processed-instruction count stays within the
//! budget (time is bounded by it). What a mode accepts is loaded as the session loads it and
//! run on a fuzzer-chosen ctx: it must end without a fault (the instruction budget and helpers
//! the simulated kernel does not model aside) and without a leak (docs/fuzzing.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use unwind_isa::{RawInsn, SLOT_SIZE};
use unwind_kernel::ProgType;
use unwind_program::Program;
use unwind_verifier::{Mode, Options};
use unwind_vm::{Config, EventKind, FaultKind, Machine, Status, World};

/// The most instructions a pass may process here: enough for every branch of a short
/// program, small enough that 5 modes stay well under a second.
const MAX_BUDGET: u64 = 50_000;

/// The input: a fixed header, then the bytecode (so that seeds are the header and a
/// program's bytes, and every byte after the header is an instruction byte).
struct Input<'a> {
    prog_type: u8,
    typed: bool,
    log_level: u8,
    allow_uninit_stack: bool,
    budget: u16,
    ctx: &'a [u8],
    code: &'a [u8],
}

const HEADER: usize = 6 + 16;

impl<'a> Input<'a> {
    fn parse(data: &'a [u8]) -> Option<Input<'a>> {
        (data.len() >= HEADER).then(|| Input {
            prog_type: data[0],
            typed: data[1] & 1 != 0,
            log_level: data[2],
            allow_uninit_stack: data[3] & 1 != 0,
            budget: u16::from_le_bytes([data[4], data[5]]),
            ctx: &data[6..HEADER],
            code: &data[HEADER..],
        })
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else {
        return;
    };
    let whole = input.code.len() - input.code.len() % SLOT_SIZE;
    let slots: Vec<RawInsn> = unwind_isa::slots_from_bytes(&input.code[..whole]).expect("whole");
    let mut program = Program::from_slots(slots);
    if input.typed {
        program.prog_type = Some(ProgType::ALL[usize::from(input.prog_type) % ProgType::ALL.len()]);
    }
    let budget = (u64::from(input.budget) * 2).clamp(1, MAX_BUDGET);
    for mode in Mode::ALL {
        let opts = Options {
            log_level: u32::from(input.log_level % 3),
            mode,
            allow_uninit_stack: input.allow_uninit_stack,
            record_states: input.log_level & 4 != 0,
            budget,
        };
        let verdict = unwind_verifier::verify(&program, &opts);
        assert_eq!(verdict.accepted, verdict.errors.is_empty(), "{mode}");
        // cleanup-v2 runs several passes, each within the budget
        assert!(
            verdict.stats.insns_processed <= budget + 1,
            "{mode}: processed {} over the budget {budget}",
            verdict.stats.insns_processed
        );
        if !verdict.accepted {
            continue;
        }
        let Ok(runnable) = unwind_verifier::runnable(&program, &verdict, mode) else {
            continue;
        };
        let world = World {
            ctx: Some(input.ctx.iter().map(|b| format!("{b:02x}")).collect()),
            ..World::default()
        };
        let config = Config {
            budget: 1_000_000,
            unwinding: runnable.unwinding,
            ..Config::default()
        };
        let Ok(mut m) = Machine::new(&runnable.program, &world, config) else {
            continue;
        };
        m.run();
        match &m.status {
            Status::Exited { .. } => {}
            // Out of budget (bpf_loop and may_goto loops may run long), or a helper the
            // catalogue knows and the simulated kernel does not model (docs/interpreter.md):
            // not faults of the program.
            Status::Faulted { fault }
                if matches!(
                    fault.kind,
                    FaultKind::Budget { .. } | FaultKind::UnknownHelper { name: Some(_), .. }
                ) => {}
            other => panic!(
                "{mode}: accepted but ended as {other:?}\n{}",
                unwind_program::disasm::disassemble(
                    &program,
                    unwind_program::disasm::Style::Source
                )
            ),
        }
        if matches!(m.status, Status::Exited { .. }) {
            let leaks: Vec<_> = m
                .kernel
                .events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::Leak { .. }))
                .collect();
            assert!(
                leaks.is_empty(),
                "{mode}: accepted but leaked: {leaks:?}\n{}",
                unwind_program::disasm::disassemble(
                    &program,
                    unwind_program::disasm::Style::Source
                )
            );
        }
    }
});
