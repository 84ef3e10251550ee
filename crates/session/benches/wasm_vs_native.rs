//! The native half of the wasm-against-native benchmark (`make bench-wasm`, which runs
//! `scripts/bench-wasm.mjs`): the interpreter's fast path, the debugger with Back
//! available (its run, and Back from the end), and the verifier, through the same `unwind-session` calls the wasm bindings
//! make, on the programs of `crates/vm/benches/support/programs.rs`.
//!
//! `cargo bench -p unwind-session --bench wasm_vs_native -- --json` prints one JSON object:
//! every workload (its name, source, kind and JS options, so that the wasm half runs exactly
//! the same) with its best native time and what it computed (to check the wasm half against).
//! Without `--json` it prints a table. `--quick` takes fewer repetitions.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use unwind_session::{
    from_options, CamelCase, DebugOptions, Debugger, FromOptions, OptionValue, VerifyOptions,
};

include!("../../vm/benches/support/programs.rs");

/// What a workload does: run a loaded program (recording on or off), go back in it, or verify
/// a source.
#[derive(Clone, Copy)]
enum Kind {
    Run {
        recording: bool,
    },
    /// Run to the end with Back available (untimed), then back from the end by each of these
    /// many steps (running to the end again in between): the slowest back is the time.
    Back {
        steps: &'static [u64],
    },
    Verify,
}

struct Workload {
    name: &'static str,
    kind: Kind,
    source: String,
    options: Value,
}

fn workloads() -> Vec<Workload> {
    // The interpreter's programs are loops of a million iterations: unverified (the
    // verifier would walk every iteration), with helper 5 from the conformance table.
    let run_options = json!({"unverified": true, "helpers": "conformance", "budget": 100_000_000});
    let run = |name, source: &str, recording| Workload {
        name,
        kind: Kind::Run { recording },
        source: source.to_string(),
        options: run_options.clone(),
    };
    let verify = |name, source: String, level: u32| Workload {
        name,
        kind: Kind::Verify,
        source,
        options: json!({"logLevel": level}),
    };
    vec![
        run("interpreter: tight ALU loop", ALU, false),
        run("interpreter: memory-heavy loop", MEMORY, false),
        run("interpreter: helper call per 5 insns", CALLS, false),
        run(
            "interpreter: bpf-to-bpf call per 7 insns",
            LOCAL_CALLS,
            false,
        ),
        run("debugger with Back available: ALU loop", ALU, true),
        Workload {
            name: "debugger: Back from the end of the ALU loop, slowest of 5",
            kind: Kind::Back { steps: BACK_STEPS },
            source: ALU.to_string(),
            options: run_options.clone(),
        },
        verify(
            "verifier: 4,096 insns, log level 0",
            verifier_4096_source(),
            0,
        ),
        verify(
            "verifier: 4,096 insns, log level 1 (default)",
            verifier_4096_source(),
            1,
        ),
        verify(
            "verifier: loop to the 1,000,000 limit, level 0",
            LOOP_TO_LIMIT.into(),
            0,
        ),
    ]
}

/// How far Back goes from the end of the 13,000,003-instruction ALU loop: to a step just before
/// the end, to steps between checkpoints across the run, to step 1.
const BACK_STEPS: &[u64] = &[1, 1_000_003, 4_567_891, 9_999_999, 13_000_002];

/// The options as the bindings read them.
fn options<T: FromOptions>(v: &Value) -> T {
    from_options(OptionValue::from_json(v).expect("integer options")).expect("benchmark options")
}

/// Runs the workload once; returns the time of the measured part and what it computed
/// (instructions executed and R0, or processed instructions and the verdict).
fn once(w: &Workload, debugger: &mut Option<Debugger>) -> (Duration, Value) {
    match w.kind {
        Kind::Run { recording } => {
            let d = debugger.get_or_insert_with(|| {
                Debugger::new(&w.source, &options::<DebugOptions>(&w.options)).expect("loads")
            });
            d.reset();
            d.set_recording(recording);
            let start = Instant::now();
            d.run();
            let time = start.elapsed();
            let state = serde_json::to_value(CamelCase(&d.state())).unwrap();
            (
                time,
                json!({"instructions": state["instructions"], "r0": state["registers"][0]}),
            )
        }
        Kind::Back { steps } => {
            let d = debugger.get_or_insert_with(|| {
                Debugger::new(&w.source, &options::<DebugOptions>(&w.options)).expect("loads")
            });
            d.reset();
            d.set_recording(true);
            let mut slowest = Duration::ZERO;
            for &n in steps {
                d.run();
                let start = Instant::now();
                assert_eq!(d.back(n as usize), n as usize);
                slowest = slowest.max(start.elapsed());
            }
            let state = serde_json::to_value(CamelCase(&d.state())).unwrap();
            (
                slowest,
                json!({"instructions": state["instructions"], "r0": state["registers"][0]}),
            )
        }
        Kind::Verify => {
            let opts = options::<VerifyOptions>(&w.options);
            let start = Instant::now();
            let v = unwind_session::verify_with(&w.source, &opts, None).expect("verifies");
            let time = start.elapsed();
            let summary = serde_json::to_value(CamelCase(&v.summary())).unwrap();
            (
                time,
                json!({"insnsProcessed": summary["stats"]["insnsProcessed"], "accepted": summary["accepted"]}),
            )
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let as_json = args.iter().any(|a| a == "--json");
    let quick = args.iter().any(|a| a == "--quick");
    let (reps, min_time) = if quick {
        (2, Duration::from_millis(200))
    } else {
        (5, Duration::from_secs(2))
    };
    let mut out = Vec::new();
    for w in workloads() {
        let mut debugger = None;
        let (mut best, computed) = once(&w, &mut debugger);
        let started = Instant::now();
        let mut n = 1;
        while n < reps || started.elapsed() < min_time {
            best = best.min(once(&w, &mut debugger).0);
            n += 1;
        }
        if !as_json {
            println!(
                "{:<55} {:>10.2} ms  {computed}",
                w.name,
                best.as_secs_f64() * 1e3
            );
        }
        let (kind, recording, steps) = match w.kind {
            Kind::Run { recording } => ("run", recording, &[][..]),
            Kind::Back { steps } => ("back", true, steps),
            Kind::Verify => ("verify", false, &[][..]),
        };
        out.push(json!({
            "name": w.name,
            "kind": kind,
            "recording": recording,
            "steps": steps,
            "source": w.source,
            "options": w.options,
            "nativeMs": best.as_secs_f64() * 1e3,
            "computed": computed,
        }));
    }
    if as_json {
        println!("{}", json!({ "workloads": out }));
    }
}
