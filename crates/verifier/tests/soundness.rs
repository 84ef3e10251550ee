//! Soundness: whenever the verifier accepts a random program, running it in the interpreter on
//! random inputs never faults (memory, NULL, use after release, budget, ...), never reads a
//! register or stack byte that was not written, and ends with no resource held.
//!
//! Programs come from a grammar (`Stmt`) that produces bounded loops, static calls (scalar
//! arguments, pointers into the caller's stack, callees with their own stack and resources),
//! spills and fills of scalars and pointers at various offsets and sizes, array and hash map
//! lookups (with and without NULL checks, constant and variable offsets, in and out of bounds),
//! acquisitions and releases (`bpf_obj_new`/`bpf_obj_drop`, `bpf_ringbuf_reserve`/`submit`/
//! `discard`, `bpf_task_from_pid`/`bpf_task_release`) with and without NULL checks, in
//! branches, held across statements in R8 and spilled, and branches on the inputs.
//!
//! The interpreter does not flag reads of unwritten registers, so the test tracks them itself
//! (a shadow of written registers per frame, updated instruction by instruction); for the stack
//! it uses the interpreter's own record of written bytes. Programs are verified with
//! `allow_uninit_stack` off, so that the stack rule is the one being checked.
//!
//! `UNWIND_SOUNDNESS_CASES=N` sets the number of generated programs (default 256); each
//! accepted one runs on 4 random worlds. A summary of how many were accepted is printed with
//! `--nocapture`; `UNWIND_SOUNDNESS_DEBUG=1` prints every rejection message (to tune the grammar).

use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use unwind_vm::Config;

static GENERATED: AtomicU64 = AtomicU64::new(0);
static ACCEPTED: AtomicU64 = AtomicU64::new(0);

#[path = "support/soundness_grammar.rs"]
mod grammar;
use grammar::*;

fn res_strategy() -> impl Strategy<Value = Res> {
    prop_oneof![
        (0u8..4).prop_map(|s| Res::Obj {
            size: [8, 16, 24, 64][s as usize]
        }),
        ((0u8..3), any::<bool>()).prop_map(|(s, submit)| Res::Ringbuf {
            size: [8, 16, 32][s as usize],
            submit
        }),
        any::<bool>().prop_map(|pid_from_input| Res::Task { pid_from_input }),
    ]
}

fn release_strategy() -> impl Strategy<Value = Release> {
    prop_oneof![
        6 => Just(Release::Always),
        1 => Just(Release::Never),
        2 => (0u8..8).prop_map(Release::InBranch),
        1 => Just(Release::Twice),
        1 => Just(Release::UseAfter),
    ]
}

fn leaf() -> impl Strategy<Value = Stmt> {
    prop_oneof![
        2 => (0u8..2).prop_map(Stmt::Input),
        3 => ((0u8..7), -8i32..64).prop_map(|(op, imm)| Stmt::Alu(op, imm)),
        3 => ((0u8..4), (1u8..9), (0u8..3)).prop_map(|(size, off, src)| Stmt::Spill { size, off, src }),
        3 => ((0u8..4), (1u8..9), (0u8..2)).prop_map(|(size, off, dst)| Stmt::Fill { size, off, dst }),
        1 => ((0u8..8), -4i32..40).prop_map(|(cond, imm)| Stmt::EarlyExit { cond, imm }),
        3 => (any::<bool>(), any::<bool>(), prop::bool::weighted(0.9), prop_oneof![6 => 0i16..8, 1 => -2i16..10], prop::bool::weighted(0.3), any::<bool>())
            .prop_map(|(hash, key_input, check, off, var, write)| Stmt::Lookup {
                hash, key_input, check, off: off * 2, var, write
            }),
        3 => (res_strategy(), prop::bool::weighted(0.9), prop::option::of(prop_oneof![4 => 0u8..2, 1 => 0u8..9]), release_strategy())
            .prop_map(|(res, check, use_off, release)| Stmt::Block { res, check, use_off, release }),
        1 => (res_strategy(), prop::bool::weighted(0.85)).prop_map(|(res, check)| Stmt::Hold { res, check }),
        1 => (res_strategy(), prop::bool::weighted(0.85)).prop_map(|(res, check)| Stmt::Drop8 { res, check }),
        2 => ((0u8..6), (0u8..4)).prop_map(|(f, arg)| Stmt::Call { f, arg }),
        1 => prop::bool::weighted(0.7).prop_map(|rewrite| Stmt::Clobbered { rewrite }),
        2 => ((0u8..5), (0u8..5)).prop_map(|(n, cb)| Stmt::BpfLoop { n, cb }),
        1 => (prop_oneof![4 => Just(0u8), 1 => 1u8..4], release_strategy()).prop_map(|(off, release)| Stmt::Lock { off, release }),
        1 => release_strategy().prop_map(|release| Stmt::Rcu { release }),
        1 => (any::<bool>(), 0u8..72).prop_map(|(ind, off)| Stmt::PacketLoad { ind, off }),
    ]
}

fn stmts() -> impl Strategy<Value = Vec<Stmt>> {
    let inner = leaf().prop_recursive(2, 24, 6, |inner| {
        prop_oneof![
            3 => ((0u8..8), -4i32..40, prop::collection::vec(inner.clone(), 0..5), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(cond, imm, then, els)| Stmt::Branch { cond, imm, then, els }),
            // Loop bodies are leaves or branches of leaves: R7 is the only counter.
            1 => ((1u8..6), prop::collection::vec(leaf(), 1..5)).prop_map(|(n, body)| Stmt::Loop { n, body }),
        ]
    });
    prop::collection::vec(inner, 1..10)
}

/// Whether the prologue zeroes the stack slots the statements use (so fills usually read
/// written bytes; without it the uninitialised-stack rule is exercised).
fn init_stack() -> impl Strategy<Value = bool> {
    prop::bool::weighted(0.75)
}

fn cases() -> u32 {
    std::env::var("UNWIND_SOUNDNESS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn accepted_programs_run_safely(body in stmts(), init in init_stack(), seed in any::<u64>()) {
        let text = program_text(&body, init);
        let asm = unwind_asm::assemble(&text);
        let program = asm.program.unwrap_or_else(|| panic!("does not assemble:\n{text}\n{:?}", asm.diagnostics));
        let opts = unwind_verifier::Options {
            log_level: 0,
            allow_uninit_stack: false,
            record_states: false,
            ..unwind_verifier::Options::default()
        };
        let verdict = unwind_verifier::verify(&program, &opts);
        let generated = GENERATED.fetch_add(1, Ordering::Relaxed) + 1;
        if std::env::var("UNWIND_SOUNDNESS_DEBUG").is_ok() && !verdict.accepted { eprintln!("REJ {}", verdict.errors[0].message); }
        if verdict.accepted {
            let accepted = ACCEPTED.fetch_add(1, Ordering::Relaxed) + 1;
            for k in 0..4u64 {
                let w = world(seed.wrapping_add(k.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
                if let Err(e) = run_checked(&program, &w, Config::default().unwinding) {
                    prop_assert!(false, "accepted but unsafe: {e}\nworld: {}\n{text}", serde_json::to_string(&w).unwrap());
                }
            }
            if accepted % 10_000 == 0 {
                eprintln!("soundness: {accepted} accepted of {generated} generated");
            }
        }
        if generated == u64::from(cases()) {
            eprintln!("soundness: {} accepted of {generated} generated", ACCEPTED.load(Ordering::Relaxed));
        }
    }
}
