//! Throughput of the interpreter's fast path against rbpf's interpreter (crate `rbpf` 0.3),
//! on the same bytecode, in one run: a tight ALU loop, a memory-heavy stack loop, and a
//! call-heavy loop (a helper call per iteration: rbpf has no bpf-to-bpf calls, so the shared
//! program calls helper 5, which returns its argument in both). A bpf-to-bpf call loop is
//! measured for this interpreter alone, and the ALU loop with a progress observer
//! (`Machine::run_with`). Then the memory a VM for a 4,096-instruction program
//! takes, counted by a global allocator.
//!
//! `cargo bench -p unwind-vm --bench interp` (add `-- --quick` for a short run).

// A counting global allocator must implement the unsafe `GlobalAlloc` trait.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use unwind_asm::assemble;
use unwind_program::Program;
use unwind_vm::{Config, HelperTable, Machine, Status, Vm, World};

/// Counts live heap bytes.
struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        LIVE.fetch_add(n as isize - l.size() as isize, Ordering::Relaxed);
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

include!("support/programs.rs");

fn program(src: &str) -> Program {
    assemble(src).program.expect("benchmark program assembles")
}

fn config() -> Config {
    Config {
        budget: u64::MAX,
        helpers: HelperTable::Conformance,
        max_call_events: 0,
        ..Config::default()
    }
}

fn ours(p: &Program) -> (u64, u64) {
    let mut m = Machine::new(p, &World::default(), config()).unwrap();
    m.run();
    match m.status {
        Status::Exited { return_value } => (return_value, m.insns),
        s => panic!("{s:?}"),
    }
}

fn helper5(a: u64, _: u64, _: u64, _: u64, _: u64) -> u64 {
    a
}

fn theirs(bytes: &[u8]) -> u64 {
    let mut vm = rbpf::EbpfVmNoData::new(Some(bytes)).unwrap();
    vm.register_helper(5, helper5).unwrap();
    vm.execute_program().unwrap()
}

/// Best time of `reps` runs.
fn best<T>(reps: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..reps {
        let t = Instant::now();
        let v = std::hint::black_box(f());
        best = best.min(t.elapsed());
        out = Some(v);
    }
    (best, out.unwrap())
}

fn mips(insns: u64, d: Duration) -> f64 {
    insns as f64 / d.as_secs_f64() / 1e6
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let reps = if quick { 2 } else { 7 };
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    println!("| program | instructions | unwind (M insn/s) | rbpf (M insn/s) | ratio |");
    println!("|---|---:|---:|---:|---:|");
    for (name, src) in [
        ("tight ALU loop", ALU),
        ("memory-heavy loop", MEMORY),
        ("call-heavy loop (helper)", CALLS),
    ] {
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        let p = program(src);
        let bytes = p.to_bytes();
        // Alternate the two so that load from other processes hits both alike.
        let (mut t_ours, mut t_theirs) = (Duration::MAX, Duration::MAX);
        let (mut r_ours, mut insns, mut r_theirs) = (0, 0, 0);
        for _ in 0..reps {
            let (t, (r, n)) = best(1, || ours(&p));
            (t_ours, r_ours, insns) = (t_ours.min(t), r, n);
            let (t, r) = best(1, || theirs(&bytes));
            (t_theirs, r_theirs) = (t_theirs.min(t), r);
        }
        assert_eq!(r_ours, r_theirs, "{name}: both interpreters agree");
        let (a, b) = (mips(insns, t_ours), mips(insns, t_theirs));
        println!("| {name} | {insns} | {a:.0} | {b:.0} | {:.2}x |", a / b);
    }
    let p = program(LOCAL_CALLS);
    let (t, (_, insns)) = best(reps, || ours(&p));
    if only.as_ref().map_or(true, |o| {
        "call-heavy loop (bpf-to-bpf)".contains(o.as_str())
    }) {
        println!(
        "| call-heavy loop (bpf-to-bpf) | {insns} | {:.0} | n/a (rbpf 0.3 has no local calls) | |",
        mips(insns, t)
    );
    }

    // The fast path with an observer (`Machine::run_with`, called every PROGRESS_STRIDE
    // instructions) against the same run without one, alternated.
    if only
        .as_ref()
        .map_or(true, |o| "observer".contains(o.as_str()))
    {
        let p = program(ALU);
        let (mut plain, mut observed, mut insns) = (Duration::MAX, Duration::MAX, 0);
        for _ in 0..reps {
            plain = plain.min(best(1, || ours(&p)).0);
            let (t, n) = best(1, || {
                let mut m = Machine::new(&p, &World::default(), config()).unwrap();
                let mut calls = 0u64;
                let _ = m.run_with(&mut |_| {
                    calls += 1;
                    std::ops::ControlFlow::Continue(())
                });
                assert_eq!(calls, m.insns / unwind_vm::PROGRESS_STRIDE);
                m.insns
            });
            (observed, insns) = (observed.min(t), n);
        }
        println!(
            "| tight ALU loop, fast path with an observer (without: {:.0}) | {insns} | {:.0} | | |",
            mips(insns, plain),
            mips(insns, observed)
        );
    }

    // The same ALU loop under the debugger with Back available (checkpoints; the
    // `time_travel` bench measures Back itself).
    if only
        .as_ref()
        .map_or(true, |o| "recording".contains(o.as_str()))
    {
        let p = program(ALU);
        let (t, insns) = best(if quick { 1 } else { 3 }, || {
            let mut vm = Vm::new(&p, &World::default(), config()).unwrap();
            vm.run();
            vm.machine().insns
        });
        println!(
            "| tight ALU loop, debugger with Back available | {insns} | {:.0} | | |",
            mips(insns, t)
        );
    }

    // Memory of a VM for a 4,096-instruction program (a real mix: the ALU loop body repeated).
    let body: String = (0..4096 / 4)
        .map(|i| format!("r1 = {i}\n*(u64 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 8)\nr0 += r1\n"))
        .collect();
    let big = program(&format!("{body}exit\n"));
    assert_eq!(big.slots.len(), 4097);
    let before = LIVE.load(Ordering::Relaxed);
    let m = Machine::new(&big, &World::default(), config()).unwrap();
    let machine_bytes = LIVE.load(Ordering::Relaxed) - before;
    drop(m);
    let before = LIVE.load(Ordering::Relaxed);
    let mut vm = Vm::new(&big, &World::default(), Config::default()).unwrap();
    let vm_bytes = LIVE.load(Ordering::Relaxed) - before;
    vm.set_recording(false);
    vm.run();
    let after_run = LIVE.load(Ordering::Relaxed) - before;
    println!();
    println!("memory for a 4,097-slot program: Machine {machine_bytes} bytes; Vm (machine, reset copy, first checkpoint) {vm_bytes} bytes; Vm after a full run with recording off {after_run} bytes");
}
