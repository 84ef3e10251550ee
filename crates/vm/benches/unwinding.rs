//! What exception cleanup costs, by unwinding mode: `legacy` (nothing released, the plain
//! program), `descriptors` (the RFC: the program with the hidden trampoline, frame descriptors
//! read only at a throw) and `runtime` (every acquire and release also recorded in a run-time
//! table). For each workload: instructions executed, extra table operations, and time.
//!
//! `cargo bench -p unwind-vm --bench unwinding` (add `-- --quick` for a short run).

use std::sync::Arc;
use std::time::{Duration, Instant};

use unwind_kernel::ResourceKind;
use unwind_program::Program;
use unwind_stackmap::{
    add_throw_trampoline, Content, DescTable, Entry, Location, Observation, Unmergeable,
};
use unwind_vm::{Config, Machine, Status, Unwinding, World};

fn program(src: &str) -> Program {
    unwind_asm::assemble(src)
        .program
        .expect("benchmark program assembles")
}

// The workloads, shared with the verifier's end-to-end bench (crates/verifier/benches/modes.rs).
include!("support/workloads.rs");

/// The descriptors the RFC's verifier would generate: every call site and the throw name
/// fp-8.. as objects (R6-R9 untouched: NOT_INIT markers).
fn table(p: &Program, k: usize) -> Arc<DescTable> {
    let mut t = DescTable::default();
    let mut frame = 0;
    for pc in 0..p.slots.len() {
        let Some(unwind_isa::Insn::Call(target)) = p.insn(pc) else {
            continue;
        };
        let local = matches!(target, unwind_isa::CallTarget::Local(_));
        let Some(function) = p.function_index_at(pc) else {
            continue;
        };
        if p.functions[function].name == unwind_stackmap::TRAMPOLINE_NAME || !local {
            continue;
        }
        let mut entries: Vec<Entry> = (1..=k)
            .map(|i| Entry {
                location: Location::Stack(-8 * i as i16),
                content: Content::Resource {
                    resource: ResourceKind::Object,
                    ref_obj_id: 1,
                    acquired_at: 0,
                },
            })
            .collect();
        for r in 6..=9 {
            entries.push(Entry {
                location: Location::Reg(r),
                content: Content::Unmergeable {
                    why: Unmergeable::Uninit,
                },
            });
        }
        let obs = Observation {
            pc,
            function,
            frame,
            path: "the path".into(),
            entries,
        };
        frame += 1;
        t.merge(obs, &mut Vec::new()).expect("merges");
    }
    Arc::new(t)
}

struct Figures {
    insns: u64,
    ops: u64,
    released: usize,
    time: Duration,
}

fn measure(p: &Program, unwinding: &Unwinding, reps: usize) -> Figures {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..reps {
        let t = Instant::now();
        let mut m = Machine::new(
            p,
            &World::default(),
            Config {
                unwinding: unwinding.clone(),
                budget: u64::MAX,
                max_events: 0,
                max_call_events: 0,
                ..Config::default()
            },
        )
        .unwrap();
        m.run();
        best = best.min(t.elapsed());
        assert!(matches!(m.status, Status::Exited { .. }), "{:?}", m.status);
        assert!(m.kernel.resources.is_empty(), "nothing leaks");
        last = Some(m);
    }
    let m = last.unwrap();
    Figures {
        insns: m.insns,
        ops: m.kernel.runtime_table_ops,
        released: m.kernel.next_resource as usize - 1,
        time: best,
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let reps = if quick { 2 } else { 7 };
    println!(
        "| workload | mode | instructions | extra table operations | resources | time | M insn/s |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    let workloads: Vec<(String, String, usize)> = vec![
        (
            "runtime-tracking.s (10 objects, no throw)".into(),
            no_throw_loop(10),
            0,
        ),
        (
            "runtime-tracking.s, 100,000 objects, no throw".into(),
            no_throw_loop(100_000),
            0,
        ),
        (
            "3 frames x 8 objects on the stack, throw".into(),
            nested_throw(8),
            8,
        ),
        (
            "3 frames x 32 objects on the stack, throw".into(),
            nested_throw(32),
            32,
        ),
    ];
    for (name, src, k) in workloads {
        let plain = program(&src);
        let (patched, _) = add_throw_trampoline(&plain).expect("patch");
        let t = if k == 0 {
            // runtime-tracking.s holds nothing at its throw: an empty descriptor.
            let mut t = DescTable::default();
            let throw = (0..patched.slots.len())
                .find(|&pc| {
                    matches!(
                        patched.insn(pc),
                        Some(unwind_isa::Insn::Call(unwind_isa::CallTarget::Local(_)))
                    )
                })
                .expect("the throw calls the trampoline");
            t.merge(
                Observation {
                    pc: throw,
                    function: 0,
                    frame: 0,
                    path: "p".into(),
                    entries: vec![],
                },
                &mut Vec::new(),
            )
            .unwrap();
            Arc::new(t)
        } else {
            table(&patched, k)
        };
        let modes = [
            ("legacy", &plain, Unwinding::DiscardFrames),
            ("descriptors", &patched, Unwinding::Descriptors(t)),
            ("runtime", &plain, Unwinding::RuntimeTable),
        ];
        for (mode, p, unwinding) in modes {
            if k > 0 && mode == "legacy" {
                continue; // it leaks: nothing to compare
            }
            let f = measure(p, &unwinding, reps);
            println!(
                "| {name} | {mode} | {} | {} | {} | {:.1} us | {:.0} |",
                f.insns,
                f.ops,
                f.released,
                f.time.as_secs_f64() * 1e6,
                f.insns as f64 / f.time.as_secs_f64() / 1e6
            );
        }
    }
}
