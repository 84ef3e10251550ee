//! The exception modes end to end, as `unwind run` does it: verify in the mode, take the
//! program to run and the verifier's own frame descriptors (`runnable`: cleanup-v2's rewrite,
//! the hidden trampoline), run it. Per workload and mode: accepted or not, instructions
//! executed, run-time table operations, resources released by the unwinder, and time (best of
//! a few runs of set-up plus run; verification not included).
//!
//! `cargo bench -p unwind-verifier --bench modes` (add `-- --quick` for a short run).

use std::time::{Duration, Instant};

use unwind_program::Program;
use unwind_verifier::{runnable, verify, Mode, Options};
use unwind_vm::{Config, EventKind, Machine, ReleasedBy, Status, World};

// The workloads of the interpreter's unwinding bench.
include!("../../vm/benches/support/workloads.rs");

struct Figures {
    insns: u64,
    ops: u64,
    unwound: usize,
    time: Duration,
}

fn measure(src: &str, ctx: Option<&str>, mode: Mode, reps: usize) -> Option<Figures> {
    let p: Program = unwind_asm::assemble(src).program.expect("assembles");
    let v = verify(
        &p,
        &Options {
            mode,
            log_level: 0,
            record_states: false,
            ..Options::default()
        },
    );
    if !v.accepted {
        return None;
    }
    let r = runnable(&p, &v, mode).expect("runnable");
    let world = World {
        ctx: ctx.map(str::to_string),
        ..World::default()
    };
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..reps {
        let t = Instant::now();
        let mut m = Machine::new(
            &r.program,
            &world,
            Config {
                unwinding: r.unwinding.clone(),
                budget: u64::MAX,
                max_call_events: 0,
                ..Config::default()
            },
        )
        .expect("machine");
        m.run();
        best = best.min(t.elapsed());
        assert!(matches!(m.status, Status::Exited { .. }), "{:?}", m.status);
        last = Some(m);
    }
    let m = last.expect("ran");
    Some(Figures {
        insns: m.insns,
        ops: m.kernel.runtime_table_ops,
        unwound: m
            .kernel
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EventKind::Release {
                        by: ReleasedBy::Unwinder | ReleasedBy::RuntimeTable,
                        ..
                    }
                )
            })
            .count(),
        time: best,
    })
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let reps = if quick { 2 } else { 7 };
    let conflict = include_str!("../../../static/examples/conflicting-slot.s");
    // skb->len 200 (the ringbuf path), skb->protocol 0 (throws) or 8 (does not).
    let throws = "c8000000000000000000000000000000";
    let no_throw = "c8000000000000000000000000000000080000";
    let workloads: Vec<(String, String, Option<&str>)> = vec![
        (
            "runtime-tracking.s (10 objects, no throw)".into(),
            no_throw_loop(10),
            None,
        ),
        (
            // 5,000: the verifier walks every iteration, and more would pass the kernel's
            // 8,192 pending branches.
            "runtime-tracking.s, 5,000 objects, no throw".into(),
            no_throw_loop(5_000),
            None,
        ),
        (
            "conflicting-slot.s, no throw".into(),
            conflict.into(),
            Some(no_throw),
        ),
        (
            "conflicting-slot.s, throw".into(),
            conflict.into(),
            Some(throws),
        ),
        (
            "3 frames x 8 objects on the stack, throw".into(),
            nested_throw(8),
            None,
        ),
    ];
    println!(
        "| workload | mode | instructions | table operations | released by unwinding | time |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    for (name, src, ctx) in &workloads {
        for mode in Mode::ALL {
            let label = if mode == Mode::Legacy {
                name.as_str()
            } else {
                ""
            };
            match measure(src, *ctx, mode, reps) {
                None => println!("| {label} | {} | rejected | | | |", mode.name()),
                Some(f) => println!(
                    "| {label} | {} | {} | {} | {} | {:.1} us |",
                    mode.name(),
                    f.insns,
                    f.ops,
                    f.unwound,
                    f.time.as_secs_f64() * 1e6
                ),
            }
        }
    }
}
