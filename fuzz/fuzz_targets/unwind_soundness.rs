//! The throwing soundness property of `crates/verifier/tests/unwind_soundness.rs` as a fuzz
//! target: its generator (`tests/support/unwind_grammar.rs`: acquisitions of every kind,
//! copies and moves, static and global calls, forks, loops, RCU and lock sections, throws
//! everywhere, exception callbacks) takes its choices from the fuzzer's bytes, so a mutated
//! byte changes one choice. The first 8 bytes seed the worlds. Each program is verified in
//! cleanup, cleanup-v2 and runtime; what a mode accepts is loaded with `runnable` (the
//! verifier's descriptors, cleanup-v2's rewrite, the run-time table) and run on two worlds:
//! no fault, no leak, no double release, no release of what the run did not acquire, a
//! normal exit (docs/reliability.md). It prints how many programs each mode accepted, and
//! how many of those threw in a run, as it goes.
#![no_main]

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/verifier/tests/support/unwind_grammar.rs"]
mod grammar;
use grammar::*;

static INPUTS: AtomicU64 = AtomicU64::new(0);
static ACCEPTED: [AtomicU64; 3] = [const { AtomicU64::new(0) }; 3];
static THREW: [AtomicU64; 3] = [const { AtomicU64::new(0) }; 3];

/// The tally, on powers of two and every 10,000 inputs (libFuzzer's own lines say how long).
fn tally(inputs: u64) {
    if !(inputs.is_power_of_two() && inputs >= 256 || inputs % 10_000 == 0) {
        return;
    }
    let modes: Vec<String> = MODES
        .iter()
        .enumerate()
        .map(|(i, (_, name))| {
            format!(
                "{name} {} ({} threw)",
                ACCEPTED[i].load(Relaxed),
                THREW[i].load(Relaxed)
            )
        })
        .collect();
    eprintln!("unwind_soundness: {inputs} programs; accepted: {}", modes.join(", "));
}

fuzz_target!(|data: &[u8]| {
    let Some((seed, choices)) = data.split_first_chunk::<8>() else {
        return;
    };
    let world_seed = u64::from_le_bytes(*seed);
    let text = program_text_from(Rng::from_bytes(choices));
    let asm = unwind_asm::assemble(&text);
    let program = asm
        .program
        .unwrap_or_else(|| panic!("does not assemble:\n{text}\n{:?}", asm.diagnostics));
    for (i, &(mode, name)) in MODES.iter().enumerate() {
        let loaded = prepare(&program, mode).unwrap_or_else(|e| panic!("{name}: {e}\n{text}"));
        let Some((runnable, unwinding)) = loaded else {
            continue;
        };
        ACCEPTED[i].fetch_add(1, Relaxed);
        let mut threw = false;
        for k in 0..2u64 {
            let w = world(world_seed.wrapping_add(k.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
            let m = run(&runnable, &unwinding, &w);
            match check(&m) {
                Ok(o) => threw |= o.threw,
                Err(why) => panic!("{name}: accepted but unsound: {why}\nworld: {w:?}\n{text}"),
            }
        }
        THREW[i].fetch_add(u64::from(threw), Relaxed);
    }
    tally(INPUTS.fetch_add(1, Relaxed) + 1);
});
