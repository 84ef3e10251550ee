//! Arbitrary bytecode run by the interpreter without the verifier, as `unwind run
//! --unverified` and the debugger's `unverified` option run it, in a mode and on a ctx the
//! fuzzer picks, within an instruction budget: no panic, and the run always ends, exited or
//! with a typed fault (docs/fuzzing.md).
#![no_main]

use libfuzzer_sys::fuzz_target;
use unwind_isa::{RawInsn, SLOT_SIZE};
use unwind_kernel::ProgType;
use unwind_program::Program;
use unwind_session::{DebugOptions, Debugger, StopReason};
use unwind_verifier::{Mode, Runnable};
use unwind_vm::{Config, EventKind, Machine, Status, World};

const BUDGET: u64 = 20_000;

/// The input: a fixed header, then the bytecode (so that seeds are the header and a
/// program's bytes).
struct Input<'a> {
    mode: u8,
    prog_type: u8,
    typed: bool,
    seed: u64,
    ctx: &'a [u8],
    code: &'a [u8],
}

const HEADER: usize = 3 + 8 + 32;

impl<'a> Input<'a> {
    fn parse(data: &'a [u8]) -> Option<Input<'a>> {
        (data.len() >= HEADER).then(|| Input {
            mode: data[0],
            prog_type: data[1],
            typed: data[2] & 1 != 0,
            seed: u64::from_le_bytes(data[3..11].try_into().expect("8 bytes")),
            ctx: &data[11..HEADER],
            code: &data[HEADER..],
        })
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else {
        return;
    };
    let mode = Mode::ALL[usize::from(input.mode) % Mode::ALL.len()];
    let whole = input.code.len() - input.code.len() % SLOT_SIZE;
    let slots: Vec<RawInsn> = unwind_isa::slots_from_bytes(&input.code[..whole]).expect("whole");
    let mut program = Program::from_slots(slots.clone());
    if input.typed {
        program.prog_type = Some(ProgType::ALL[usize::from(input.prog_type) % ProgType::ALL.len()]);
    }
    let ctx: String = input.ctx.iter().map(|b| format!("{b:02x}")).collect();
    let world = World {
        ctx: Some(ctx.clone()),
        prandom_seed: input.seed,
        ..World::default()
    };
    let runnable = Runnable::unverified(program, mode);
    let config = Config {
        budget: BUDGET,
        unwinding: runnable.unwinding,
        ..Config::default()
    };
    // A ctx longer than the program type's is the world's error, not a fault.
    if let Ok(mut m) = Machine::new(&runnable.program, &world, config) {
        m.run();
        match &m.status {
            Status::Running => panic!("the run stopped while running"),
            Status::Exited { .. } => assert!(!m
                .kernel
                .events
                .iter()
                .any(|e| matches!(e.kind, EventKind::Fault { .. }))),
            Status::Faulted { fault } => {
                // typed, and printable as the CLI prints it
                let _ = fault.kind.to_string();
            }
        }
        let _ = m.kernel.events.len();
    }

    // The session's pipeline, on the same bytes as the hex source the page would get (only
    // bytecode whose every slot decodes assembles as hex).
    if slots.is_empty() || slots.len() > 256 {
        return;
    }
    let source: String = slots
        .iter()
        .map(|s| {
            let mut line: String = s.to_bytes().iter().map(|b| format!("{b:02x} ")).collect();
            line.push('\n');
            line
        })
        .collect();
    let options = DebugOptions {
        syntax: Some("hex".into()),
        world: Some(World {
            ctx: Some(ctx),
            prandom_seed: input.seed,
            ..World::default()
        }),
        budget: Some(BUDGET),
        mode: Some(mode.name().into()),
        unverified: true,
        trace_capacity: Some(64),
        ..DebugOptions::default()
    };
    let mut debugger = Debugger::new(&source, &options).expect("valid options");
    if debugger.state().ready {
        let stop = debugger.run();
        assert_eq!(stop, StopReason::Ended);
        let state = debugger.state();
        assert!(!state.verified);
        let _ = debugger.back(3);
        let _ = debugger.step();
    }
});
