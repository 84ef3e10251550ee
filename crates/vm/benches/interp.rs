//! Throughput of the interpreter's fast path against two other Rust eBPF interpreters on the
//! same bytecode, in one run: sbpf's interpreter (crate `solana-sbpf`, SBPF v3, whose
//! encoding is eBPF's for every instruction these programs use: relative `call` with src 1 for
//! bpf-to-bpf calls, `exit`, the classic load/store classes) and rbpf 0.4.1's
//! (`EbpfVmNoData`/`EbpfVmRaw`). Five loops: ALU, stack, packet loads, helper calls,
//! bpf-to-bpf calls. The engines alternate (the order rotates every round) and each round's
//! time ratio is kept; the table shows the median ratio per loop and checks that every engine
//! returns the same R0 (and sbpf the same instruction count). Then the ALU loop with a
//! progress observer (`Machine::run_with`) and under the stepper, and the memory a VM for a
//! 4,096-instruction program takes, counted by a global allocator.
//!
//! `cargo bench -p unwind-vm --bench interp` (add `-- --quick` for a short run, a word to
//! run only the loops whose name has it).

// A counting global allocator must implement the unsafe `GlobalAlloc` trait.
#![allow(unsafe_code)]

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use solana_sbpf::{
    aligned_memory::AlignedMemory,
    ebpf,
    elf::Executable,
    memory_region::{MemoryMapping, MemoryRegion},
    program::{BuiltinFunctionDefinition, BuiltinProgram, FunctionRegistry, SBPFVersion},
    verifier::RequisiteVerifier,
    vm::{CallFrame, ContextObject, EbpfVm, ExecutionMode},
};
use unwind_asm::assemble;
use unwind_program::Program;
use unwind_vm::{Config, HelperTable, Machine, Status, Vm, World};

include!("support/counting_alloc.rs");

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

/// The packet the packet loop reads: 64 distinct bytes.
fn packet() -> Vec<u8> {
    (0..64u32).map(|i| (i * 37 + 11) as u8).collect()
}

fn ours(p: &Program, world: &World) -> (u64, u64) {
    let mut m = Machine::new(p, world, config()).unwrap();
    m.run();
    match m.status {
        Status::Exited { return_value } => (return_value, m.insns),
        s => panic!("{s:?}"),
    }
}

fn helper5(a: u64, _: u64, _: u64, _: u64, _: u64) -> u64 {
    a
}

/// rbpf 0.4.1, loaded once (its `execute_program` takes `&self`).
enum Rbpf<'a> {
    NoData(rbpf::EbpfVmNoData<'a>),
    Raw(rbpf::EbpfVmRaw<'a>),
}

impl<'a> Rbpf<'a> {
    fn load(bytes: &'a [u8], with_packet: bool) -> Rbpf<'a> {
        if with_packet {
            let mut vm = rbpf::EbpfVmRaw::new(Some(bytes)).unwrap();
            vm.register_helper(5, helper5).unwrap();
            Rbpf::Raw(vm)
        } else {
            let mut vm = rbpf::EbpfVmNoData::new(Some(bytes)).unwrap();
            vm.register_helper(5, helper5).unwrap();
            Rbpf::NoData(vm)
        }
    }

    fn run(&self, packet: &mut [u8]) -> u64 {
        match self {
            Rbpf::NoData(vm) => vm.execute_program().unwrap(),
            Rbpf::Raw(vm) => vm.execute_program(packet).unwrap(),
        }
    }
}

/// sbpf's instruction meter and memory mapping.
struct SbpfContext {
    remaining: u64,
    mapping: Option<MemoryMapping>,
}

impl ContextObject for SbpfContext {
    fn consume(&mut self, amount: u64) {
        self.remaining = self.remaining.saturating_sub(amount);
    }
    fn get_remaining(&self) -> u64 {
        self.remaining
    }
    fn active_mapping_ptr(&mut self) -> std::ptr::NonNull<MemoryMapping> {
        std::ptr::NonNull::from(self.mapping.as_mut().expect("mapped before the run"))
    }
}

/// Helper 5 for sbpf, which names syscalls by the hash of their name.
struct Helper5;

impl BuiltinFunctionDefinition<SbpfContext> for Helper5 {
    type Error = std::io::Error;
    fn rust(
        _: &mut SbpfContext,
        a: u64,
        _: u64,
        _: u64,
        _: u64,
        _: u64,
    ) -> Result<u64, Self::Error> {
        Ok(a)
    }
}

const SBPF_HELPER: &str = "helper5";

/// The same bytecode for sbpf: only the helper call's immediate differs (the hash of the
/// syscall's name where eBPF has the helper id).
fn sbpf_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for insn in out.chunks_exact_mut(8) {
        if insn[0] == 0x85 && insn[1] >> 4 == 0 && insn[4..8] == 5i32.to_le_bytes() {
            insn[4..8]
                .copy_from_slice(&ebpf::hash_symbol_name(SBPF_HELPER.as_bytes()).to_le_bytes());
        }
    }
    out
}

fn sbpf_load(bytes: &[u8]) -> Executable<SbpfContext> {
    let mut loader = BuiltinProgram::new_loader(solana_sbpf::vm::Config::default());
    Helper5::register(&mut loader, SBPF_HELPER).unwrap();
    let exe = Executable::from_text_bytes(
        &sbpf_bytes(bytes),
        std::sync::Arc::new(loader),
        SBPFVersion::V3,
        FunctionRegistry::default(),
    )
    .unwrap();
    exe.verify::<RequisiteVerifier>().unwrap();
    exe
}

/// One run in sbpf's interpreter: (R0, instructions executed).
fn sbpf_run(exe: &Executable<SbpfContext>, packet: &mut [u8]) -> (u64, u64) {
    let config = exe.get_config();
    let version = exe.get_sbpf_version();
    let mut stack = AlignedMemory::<{ ebpf::HOST_ALIGN }>::zero_filled(config.stack_size());
    let stack_len = stack.len();
    let regions = vec![
        exe.get_ro_region(),
        MemoryRegion::new(&mut stack, ebpf::MM_STACK_START),
        MemoryRegion::new(packet as *mut [u8], ebpf::MM_INPUT_START),
    ];
    let mut ctx = SbpfContext {
        remaining: u64::MAX,
        mapping: None,
    };
    // SAFETY: the stack and the packet outlive the mapping, which this function drops.
    ctx.mapping = Some(unsafe { MemoryMapping::new(regions, config, version) }.unwrap());
    let mut vm = EbpfVm::new(exe.get_loader().clone(), version, &mut ctx, stack_len);
    vm.registers[1] = ebpf::MM_INPUT_START;
    let mut frames = vec![CallFrame::default(); config.max_call_depth];
    let (count, result) = vm.execute_program(exe, &mut ExecutionMode::Interpreted, &mut frames);
    match result {
        solana_sbpf::error::StableResult::Ok(v) => (v, count),
        solana_sbpf::error::StableResult::Err(e) => panic!("sbpf: {e:?}"),
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let t = Instant::now();
    let v = std::hint::black_box(f());
    (t.elapsed(), v)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
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
    let reps = if quick { 3 } else { 11 };
    let only: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    println!("| loop | instructions | unwind (M insn/s) | sbpf (M insn/s) | rbpf 0.4.1 (M insn/s) | unwind / sbpf | unwind / rbpf |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, src, with_packet) in [
        ("ALU", ALU, false),
        ("stack", MEMORY, false),
        ("packet loads", PACKET, true),
        ("helper calls", CALLS, false),
        ("bpf-to-bpf calls", LOCAL_CALLS, false),
    ] {
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        let p = program(src);
        let bytes = p.to_bytes();
        let mut pkt = packet();
        let world = World {
            mem: with_packet.then(|| pkt.iter().map(|b| format!("{b:02x}")).collect()),
            ..World::default()
        };
        let exe = sbpf_load(&bytes);
        let rb = Rbpf::load(&bytes, with_packet);
        let (mut t_ours, mut t_sbpf, mut t_rbpf) = (vec![], vec![], vec![]);
        let mut results = None;
        // Paired rounds; the order of the three rotates so that none always runs first.
        for round in 0..reps {
            let (mut d, mut out) = ([Duration::ZERO; 3], [(0u64, 0u64); 3]);
            for k in 0..3 {
                let engine = (round + k) % 3;
                (d[engine], out[engine]) = match engine {
                    0 => timed(|| ours(&p, &world)),
                    1 => timed(|| sbpf_run(&exe, &mut pkt)),
                    _ => timed(|| (rb.run(&mut pkt), 0)),
                };
            }
            let (r_ours, insns) = out[0];
            assert_eq!(
                out[1],
                (r_ours, insns),
                "{name}: sbpf agrees (R0, instructions)"
            );
            assert_eq!(out[2].0, r_ours, "{name}: rbpf agrees (R0)");
            results = Some(insns);
            t_ours.push(d[0].as_secs_f64());
            t_sbpf.push(d[1].as_secs_f64());
            t_rbpf.push(d[2].as_secs_f64());
        }
        let insns = results.expect("at least one round");
        let ratio =
            |theirs: &[f64]| median(theirs.iter().zip(&t_ours).map(|(t, o)| t / o).collect());
        let speed = |t: &[f64]| insns as f64 / median(t.to_vec()) / 1e6;
        println!(
            "| {name} | {insns} | {:.0} | {:.0} | {:.0} | {:.2}x | {:.2}x |",
            speed(&t_ours),
            speed(&t_sbpf),
            speed(&t_rbpf),
            ratio(&t_sbpf),
            ratio(&t_rbpf),
        );
    }
    println!();

    // The fast path with an observer (`Machine::run_with`, called every PROGRESS_STRIDE
    // instructions) against the same run without one, alternated.
    if only
        .as_ref()
        .map_or(true, |o| "observer".contains(o.as_str()))
    {
        let p = program(ALU);
        let (mut plain, mut observed, mut insns) = (Duration::MAX, Duration::MAX, 0);
        for _ in 0..reps {
            plain = plain.min(best(1, || ours(&p, &World::default())).0);
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
