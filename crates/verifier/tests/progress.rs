//! `verify_with`: the observer is called at every multiple of the stride of processed
//! instructions and changes nothing; `Break` ends the verification with `Cancelled`, in every
//! mode (cleanup-v2's passes too); the budget gives the kernel's too-large rejection.

use std::ops::ControlFlow;

use unwind_verifier::{
    verify, verify_with, Cancelled, Mode, Options, Progress, COMPLEXITY_LIMIT, PROGRESS_STRIDE,
};

/// Rejected at the complexity limit (a loop the verifier cannot bound).
const LOOP: &str = "r0 = 0\nl:\nr0 += 1\nif r0 != 0 goto l\nexit\n";

fn program(src: &str) -> unwind_program::Program {
    unwind_asm::assemble(src).program.expect("assembles")
}

fn quiet(mode: Mode) -> Options {
    Options {
        log_level: 0,
        record_states: false,
        mode,
        ..Options::default()
    }
}

#[test]
fn the_observer_sees_every_stride_and_changes_nothing() {
    let p = program(LOOP);
    let opts = quiet(Mode::Cleanup);
    let mut seen: Vec<Progress> = Vec::new();
    let observed = verify_with(&p, &opts, &mut |progress| {
        seen.push(progress);
        ControlFlow::Continue(())
    })
    .expect("not cancelled");
    assert_eq!(observed, verify(&p, &opts));
    assert_eq!(
        observed.errors[0].message,
        "BPF program is too large. Processed 1000001 insn"
    );
    let counts: Vec<u64> = seen.iter().map(|p| p.insns_processed).collect();
    let expected: Vec<u64> = (1..=COMPLEXITY_LIMIT / PROGRESS_STRIDE)
        .map(|k| k * PROGRESS_STRIDE)
        .collect();
    assert_eq!(counts, expected);
    assert!(seen.iter().all(|p| p.pc < 3));
    assert!(seen
        .windows(2)
        .all(|w| w[0].total_states <= w[1].total_states));
    assert!(seen.last().unwrap().total_states > 0);
}

#[test]
fn break_cancels_in_every_mode() {
    let p = program(LOOP);
    for mode in Mode::ALL {
        let mut calls = 0;
        let r = verify_with(&p, &quiet(mode), &mut |progress| {
            calls += 1;
            assert_eq!(progress.insns_processed, calls * PROGRESS_STRIDE);
            if calls == 3 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(r, Err(Cancelled), "{mode}");
        assert_eq!(calls, 3, "{mode}");
    }
}

#[test]
fn cleanup_v2_reports_from_each_of_its_passes() {
    // A conflict (two resource types in one slot at a throw) makes cleanup-v2 verify the
    // original, then the rewrite; the loop in front makes each pass long enough to report.
    let example = include_str!("../../../static/examples/conflicting-slot.s");
    let src = example.replacen(
        "\tr6 = r1\n",
        "\tr8 = 0\nwarm:\n\tr8 += 1\n\tif r8 < 10000 goto warm\n\tr6 = r1\n",
        1,
    );
    let p = program(&src);
    let opts = quiet(Mode::CleanupV2);
    let mut restarts = 0;
    let mut last = 0;
    let v = verify_with(&p, &opts, &mut |progress| {
        if progress.insns_processed < last {
            restarts += 1;
        }
        last = progress.insns_processed;
        ControlFlow::Continue(())
    })
    .unwrap();
    assert_eq!(v, verify(&p, &opts));
    assert!(v.accepted, "{:?}", v.errors);
    assert!(v.rewrite.is_some());
    assert!(restarts >= 1, "one report per pass, each counting from 0");
}

#[test]
fn the_budget_is_the_kernels_limit_made_smaller() {
    let p = program(LOOP);
    let opts = Options {
        budget: 10_000,
        ..Options::default()
    };
    let v = verify(&p, &opts);
    assert!(!v.accepted);
    assert_eq!(
        v.errors[0].message,
        "BPF program is too large. Processed 10001 insn"
    );
    assert_eq!(v.stats.insns_processed, 10_001);
    let tail =
        "BPF program is too large. Processed 10001 insn\nprocessed 10001 insns (limit 10000) ";
    assert!(v.log.contains(tail), "{}", v.log);
    // Over the kernel's limit it is the kernel's limit.
    let big = Options {
        budget: u64::MAX,
        ..quiet(Mode::Cleanup)
    };
    assert_eq!(verify(&p, &big), verify(&p, &quiet(Mode::Cleanup)));
    // A program within the budget is unaffected.
    let small = program("r0 = 0\nexit\n");
    let two = Options {
        budget: 2,
        ..Options::default()
    };
    assert!(verify(&small, &two).accepted);
    let one = Options {
        budget: 1,
        ..Options::default()
    };
    assert_eq!(
        verify(&small, &one).errors[0].message,
        "BPF program is too large. Processed 2 insn"
    );
}
