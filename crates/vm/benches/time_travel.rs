//! Time travel at speed: the debugger's `run` with Back available (checkpoints, no per-step
//! record) against the fast path (`Machine::run`), and Back from the end of the run to steps
//! spread over it (each answered by re-executing from the nearest checkpoint), with the
//! checkpoints' count, spacing and bytes and the heap the whole `Vm` holds (a counting global
//! allocator). On the shared benchmark loops (ALU, memory, bpf-to-bpf calls). Then Back over
//! a call that ran 10,000,000 instructions (a `bpf_loop` of 1,000,000 callback invocations),
//! which replays the steps inside it one at a time to find the call.
//!
//! `cargo bench -p unwind-vm --bench time_travel` (add `-- --quick` for a short run).

// A counting global allocator must implement the unsafe `GlobalAlloc` trait.
#![allow(unsafe_code)]

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use unwind_asm::assemble;
use unwind_program::Program;
use unwind_vm::{Config, HelperTable, Machine, Vm, World};

include!("support/counting_alloc.rs");

include!("support/programs.rs");

fn program(src: &str) -> Program {
    assemble(src).program.expect("benchmark program assembles")
}

fn config() -> Config {
    Config {
        budget: u64::MAX,
        helpers: HelperTable::Conformance,
        ..Config::default()
    }
}

fn mips(insns: u64, t: Duration) -> f64 {
    insns as f64 / t.as_secs_f64() / 1e6
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let reps = if quick { 1 } else { 5 };
    let targets = if quick { 20 } else { 100 };
    println!("| program | instructions | fast path (M insn/s) | run with Back (M insn/s) | ratio | Back from the end: median / max (ms) | checkpoints (spacing) | checkpoint bytes | Vm heap after the run |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, src) in [
        ("tight ALU loop", ALU),
        ("memory-heavy loop", MEMORY),
        ("bpf-to-bpf call per 7 insns", LOCAL_CALLS),
    ] {
        let p = program(src);
        let world = World::default();
        let (mut fast, mut with_back) = (Duration::MAX, Duration::MAX);
        let mut insns = 0;
        // Alternate the two, keep each one's best.
        for _ in 0..reps {
            let t = Instant::now();
            let mut m = Machine::new(&p, &world, config()).unwrap();
            m.run();
            fast = fast.min(t.elapsed());
            insns = m.insns;
            let t = Instant::now();
            let mut vm = Vm::new(&p, &world, config()).unwrap();
            vm.run();
            with_back = with_back.min(t.elapsed());
            assert_eq!((vm.machine().insns, vm.machine().regs), (m.insns, m.regs));
        }
        let before = LIVE.load(Ordering::Relaxed);
        let mut vm = Vm::new(&p, &world, config()).unwrap();
        vm.run();
        let heap = LIVE.load(Ordering::Relaxed) - before;
        let end = vm.position();
        assert_eq!(vm.trace_len() as u64, end);
        // Back from the end to steps spread over the whole run (a fixed LCG, the start and
        // the step before the end included), checked against a fresh run to the same step.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut steps: Vec<u64> = (0..targets)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 11) % end
            })
            .collect();
        steps.extend([0, end - 1]);
        let mut times = Vec::new();
        for (i, &step) in steps.iter().enumerate() {
            let t = Instant::now();
            let back = vm.back((end - step) as usize);
            times.push(t.elapsed());
            assert_eq!((back as u64, vm.position()), (end - step, step));
            if i % 10 == 0 {
                // A fresh fast-path run with `step` as its budget stops there.
                let budget = Config {
                    budget: step,
                    ..config()
                };
                let mut check = Machine::new(&p, &world, budget).unwrap();
                check.run();
                let m = vm.machine();
                assert_eq!((m.pc, m.regs, m.insns), (check.pc, check.regs, check.insns));
            }
            vm.run();
            assert_eq!(vm.position(), end);
        }
        times.sort();
        let c = vm.checkpoints();
        println!(
            "| {name} | {insns} | {:.0} | {:.0} | {:.2}x | {:.2} / {:.2} | {} ({}) | {} | {} |",
            mips(insns, fast),
            mips(insns, with_back),
            mips(insns, with_back) / mips(insns, fast),
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            c.len(),
            c.spacing(),
            c.bytes(),
            heap,
        );
    }

    // Back over a long call: step over `call bpf_loop`, then back over it.
    let src = "r1 = 1000000\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_loop\nexit\ncb:\nr0 = r1\nr0 *= 3\nr0 ^= 0x55\nr0 &= 0xff\nr0 += r1\nr0 -= r1\nr0 = 0\nexit";
    let p = program(src);
    let config = Config {
        budget: u64::MAX,
        max_call_events: 0,
        ..Config::default()
    };
    let mut vm = Vm::new(&p, &World::default(), config).unwrap();
    for _ in 0..4 {
        vm.step();
    }
    let call_pc = vm.machine().pc;
    let t = Instant::now();
    vm.step_over();
    let over = t.elapsed();
    let inside = vm.position() - 4;
    let t = Instant::now();
    let back = vm.back_over();
    let back_time = t.elapsed();
    assert_eq!((back as u64, vm.machine().pc), (inside, call_pc));
    println!();
    println!(
        "step over a bpf_loop of {inside} instructions: {:.1} ms ({:.0} M insn/s); back over it: {:.1} ms ({:.0} M steps/s replayed)",
        over.as_secs_f64() * 1e3,
        mips(inside, over),
        back_time.as_secs_f64() * 1e3,
        mips(inside, back_time)
    );
}
