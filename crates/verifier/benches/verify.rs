//! Verifier throughput: processed instructions per second on a 4,096-instruction program
//! (straight-line arithmetic, stack spills and fills, and branches on an unknown input that
//! fork and rejoin, so pruning works) and on a loop that reaches the 1,000,000-instruction
//! limit (also with an observer that only counts, `verify_with`). No dependencies: std::time,
//! best of a few runs.
//!
//! `cargo bench -p unwind-verifier --bench verify`

use std::time::{Duration, Instant};

use unwind_program::Program;
use unwind_verifier::{verify, Options};

include!("../../vm/benches/support/programs.rs");

fn program_4096() -> Program {
    let p = unwind_asm::assemble(&verifier_4096_source())
        .program
        .expect("assembles");
    assert_eq!(p.slots.len(), 4096);
    p
}

fn loop_to_limit() -> Program {
    unwind_asm::assemble(LOOP_TO_LIMIT)
        .program
        .expect("assembles")
}

fn bench(name: &str, p: &Program, min_time: Duration, observed: bool) {
    let opts = Options {
        log_level: 0,
        record_states: false,
        ..Options::default()
    };
    let mut best = f64::MAX;
    let mut processed = 0;
    let mut runs = 0;
    let start = Instant::now();
    while runs < 3 || start.elapsed() < min_time {
        let t = Instant::now();
        let v = if observed {
            // An observer that only counts (called every PROGRESS_STRIDE instructions).
            let mut calls = 0u64;
            let v = unwind_verifier::verify_with(p, &opts, &mut |_| {
                calls += 1;
                std::ops::ControlFlow::Continue(())
            })
            .expect("not cancelled");
            assert_eq!(
                calls,
                v.stats.insns_processed / unwind_verifier::PROGRESS_STRIDE
            );
            v
        } else {
            verify(p, &opts)
        };
        let dt = t.elapsed().as_secs_f64();
        processed = v.stats.insns_processed;
        best = best.min(dt);
        runs += 1;
    }
    println!(
        "{name:<28} {processed:>9} insns  {:>9.3} ms  {:>7.2} M insns/s  (best of {runs})",
        best * 1e3,
        processed as f64 / best / 1e6
    );
}

fn main() {
    // `-- default`: only the default-options runs (for profiling them)
    let only_default = std::env::args().any(|a| a == "default");
    let p = program_4096();
    if !only_default {
        bench("4096-insn program", &p, Duration::from_secs(2), false);
        let p = loop_to_limit();
        bench("loop to the 1M limit", &p, Duration::from_secs(2), false);
        bench("loop, with an observer", &p, Duration::from_secs(2), true);
    }
    // the default options (level-1 log, states recorded), as the CLI and the page run
    for (name, p) in [
        ("4096-insn program", program_4096()),
        ("loop to the 1M limit", loop_to_limit()),
    ] {
        let t = Instant::now();
        let v = verify(&p, &unwind_verifier::Options::default());
        let dt = t.elapsed().as_secs_f64();
        println!(
            "{name:<28} {:>9} insns  {:>9.3} ms  {:>7.2} M insns/s  (default options: level-1 log, states recorded)",
            v.stats.insns_processed,
            dt * 1e3,
            v.stats.insns_processed as f64 / dt / 1e6
        );
    }
}
