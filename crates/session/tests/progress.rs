//! `verify_with` and `Verification` (the summary, log lines by range on a 75 MB log, where
//! the log states the error, states by pc range, the budget), progress and cancellation of a
//! verification, of a debugger's set-up and of its runs and steps.

use std::ops::ControlFlow;

use serde_json::Value;
use unwind_session::{
    verify, verify_with, CamelCase, DebugOptions, Debugger, Error, Phase, Progress, StopReason,
    VerifyOptions, RUN_STRIDE, VERIFY_STRIDE,
};

fn js(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(CamelCase(value)).expect("serializes")
}

/// Rejected at the 1,000,000-instruction limit.
const LOOP: &str = "r0 = 0\nl:\nr0 += 1\nif r0 != 0 goto l\nexit\n";
/// Accepted after about 20,000 processed instructions (a bounded loop).
const BOUNDED: &str = "r0 = 0\nl:\nr0 += 1\nif r0 < 10000 goto l\nexit\n";
/// 600,004 instructions at run time (a bpf-to-bpf call per iteration); returns 300,000.
const LONG_RUN: &str = "r6 = 100000\nr7 = 0\nl:\ncall f\nr7 += r0\nr6 -= 1\nif r6 != 0 goto l\nr0 = r7\nexit\nf:\nr0 = 3\nexit";

fn level(n: u32) -> VerifyOptions {
    VerifyOptions {
        log_level: Some(n),
        ..VerifyOptions::default()
    }
}

/// An observer that keeps what it is told and answers `Break` on call number `stop_at`.
fn stopping_at(
    seen: &mut Vec<Progress>,
    stop_at: usize,
) -> impl FnMut(Progress) -> ControlFlow<()> + '_ {
    move |p| {
        seen.push(p);
        if seen.len() == stop_at {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

#[test]
fn log_lines_of_a_million_instruction_verification_by_range() {
    let v = verify_with(LOOP, &level(2), None).unwrap();
    let log = v.log();
    assert!(log.len() > 70_000_000, "{}", log.len());
    let s = js(&v.summary());
    let n = v.line_count();
    assert_eq!(s["logLines"], n);
    assert_eq!(s["logBytes"], log.len());
    assert_eq!(n, log.lines().count());
    assert_eq!(v.log_lines(0, 2), ["func#0 @0", "0: R1=ctx() R10=fp0"]);
    let middle: Vec<&str> = log.lines().skip(750_000).take(5).collect();
    assert_eq!(v.log_lines(750_000, 750_005), middle);
    // Clamped: past the end, and an empty or inverted range.
    let tail = v.log_lines(n - 2, n + 100);
    assert_eq!(tail[0], "BPF program is too large. Processed 1000001 insn");
    assert!(tail[1].starts_with("processed 1000001 insns (limit 1000000) "));
    assert!(v.log_lines(n + 5, n + 10).is_empty());
    assert!(v.log_lines(10, 3).is_empty());
    assert_eq!(s["errorLogLine"], n - 2);
    assert!(v.log_lines(0, n).into_iter().eq(log.lines()));
    assert_eq!(s["accepted"], false);
    assert_eq!(s["stats"]["insnsProcessed"], 1_000_001);
}

#[test]
fn the_error_log_line_states_the_error() {
    for (src, lvl) in [
        ("r0 = r5\nexit", 0),
        ("r0 = r5\nexit", 1),
        ("r0 = r5\nexit", 2),
        (".ctx tc\nr1 = 16\ncall bpf_obj_new\nr0 = 0\nexit", 1),
        ("r0 = 0\nl:\nr0 += 1\nif r0 < 100 goto l\nr0 = r5\nexit", 2),
    ] {
        let v = verify_with(src, &level(lvl), None).unwrap();
        let message = &v.report().verdict.errors[0].message;
        let line = v.error_log_line().expect("an error line");
        assert_eq!(&v.log_lines(line, line + 1)[0], message, "{src}");
        assert_eq!(js(&v.summary())["errorLogLine"], line);
    }
    // No error: no line; no log: no lines.
    let accepted = verify_with("r0 = 0\nexit", &level(2), None).unwrap();
    assert_eq!(js(&accepted.summary())["errorLogLine"], Value::Null);
    let unassembled = verify_with("frob", &level(1), None).unwrap();
    let s = js(&unassembled.summary());
    assert_eq!((&s["logLines"], &s["logBytes"]), (&0.into(), &0.into()));
    assert_eq!(s["errorLogLine"], Value::Null);
    assert!(unassembled.log_lines(0, 10).is_empty());
}

#[test]
fn the_summary_is_the_report_without_log_and_states() {
    let conflict = include_str!("../../../static/examples/conflicting-slot.s");
    for (src, mode) in [
        (conflict, "cleanup-v2"),
        (
            include_str!("../../../static/examples/callee-saved.s"),
            "cleanup",
        ),
        ("r0 = r5\nexit", "legacy"),
        ("frob", "cleanup"),
    ] {
        let options = VerifyOptions {
            mode: Some(mode.into()),
            ..VerifyOptions::default()
        };
        let v = verify_with(src, &options, None).unwrap();
        let Value::Object(mut report) = js(v.report()) else {
            panic!()
        };
        let Value::Object(mut summary) = js(&v.summary()) else {
            panic!()
        };
        assert_eq!(
            summary.remove("statesCount"),
            Some(v.report().verdict.states.len().into())
        );
        for key in ["logLines", "logBytes", "errorLogLine"] {
            assert!(summary.remove(key).is_some(), "{key}");
        }
        assert!(report.remove("log").is_some() && report.remove("states").is_some());
        assert_eq!(summary, report, "{mode}");
        assert_eq!(v.log(), v.report().verdict.log);
        assert_eq!(v.clone().into_report(), verify(src, &options).unwrap());
    }
}

#[test]
fn states_by_pc_range() {
    let src = include_str!("../../../static/examples/callee-saved.s");
    let v = verify_with(src, &VerifyOptions::default(), None).unwrap();
    let all = &v.report().verdict.states;
    assert!(all.len() > 5);
    assert_eq!(v.states(0, usize::MAX), &all[..]);
    let (a, b) = (all[2].pc, all[5].pc);
    let some = v.states(a, b);
    assert_eq!(some, &all[2..5]);
    assert!(some.iter().all(|s| (a..b).contains(&s.pc)));
    assert!(v.states(b, a).is_empty());
    assert!(v.states(1_000_000, 2_000_000).is_empty());
    assert_eq!(js(&v.states(a, a + 1))[0]["pc"], a);
}

#[test]
fn the_budget_gives_the_kernels_too_large_rejection() {
    let options: VerifyOptions =
        serde_json::from_value(serde_json::json!({ "budget": 10000, "logLevel": 1 })).unwrap();
    let v = verify_with(LOOP, &options, None).unwrap();
    let s = js(&v.summary());
    assert_eq!(s["accepted"], false);
    assert_eq!(
        s["errors"][0]["message"],
        "BPF program is too large. Processed 10001 insn"
    );
    let line = v.error_log_line().unwrap();
    assert_eq!(
        v.log_lines(line, line + 2)[1].split(" max_states").next(),
        Some("processed 10001 insns (limit 10000)")
    );
    // The default and the maximum are the kernel's limit; more is misuse.
    let at_limit = VerifyOptions {
        budget: Some(1_000_000),
        log_level: Some(0),
        ..VerifyOptions::default()
    };
    let default = VerifyOptions {
        log_level: Some(0),
        ..VerifyOptions::default()
    };
    assert_eq!(verify(LOOP, &at_limit), verify(LOOP, &default));
    let over = VerifyOptions {
        budget: Some(1_000_001),
        ..VerifyOptions::default()
    };
    assert!(
        matches!(verify_with(LOOP, &over, None), Err(Error::Options(e)) if e.contains("budget"))
    );
}

#[test]
fn a_verification_reports_progress_and_stops_when_told() {
    let mut seen = Vec::new();
    let v = verify_with(
        LOOP,
        &level(0),
        Some(&mut stopping_at(&mut seen, usize::MAX)),
    )
    .unwrap();
    assert_eq!(v.report(), &verify(LOOP, &level(0)).unwrap());
    assert_eq!(seen.len() as u64, 1_000_000 / VERIFY_STRIDE);
    for (i, p) in seen.iter().enumerate() {
        assert_eq!(p.phase, Phase::Verify);
        assert_eq!(p.insns_processed, (i as u64 + 1) * VERIFY_STRIDE);
        assert!(p.pc < 3);
    }
    assert!(seen.last().unwrap().states > 0);
    assert_eq!(
        js(&seen[0]),
        serde_json::json!({"phase": "verify", "insnsProcessed": 8192, "states": seen[0].states, "pc": seen[0].pc})
    );
    // Stopped after 5 calls.
    let mut seen = Vec::new();
    let r = verify_with(LOOP, &level(2), Some(&mut stopping_at(&mut seen, 5)));
    assert_eq!(r.unwrap_err(), Error::Cancelled);
    assert_eq!(seen.len(), 5);
    assert_eq!(Error::Cancelled.to_string(), "cancelled");
}

fn unverified() -> DebugOptions {
    DebugOptions {
        unverified: true,
        trace_capacity: Some(16),
        ..DebugOptions::default()
    }
}

#[test]
fn a_debuggers_verification_reports_progress_and_can_be_cancelled() {
    let mut seen = Vec::new();
    let s = Debugger::new_with(
        BOUNDED,
        &DebugOptions::default(),
        Some(&mut stopping_at(&mut seen, usize::MAX)),
    )
    .unwrap();
    assert_eq!(js(&s.state())["state"], "running");
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|p| p.phase == Phase::Verify));
    let mut seen = Vec::new();
    let r = Debugger::new_with(
        BOUNDED,
        &DebugOptions::default(),
        Some(&mut stopping_at(&mut seen, 1)),
    );
    assert_eq!(r.err(), Some(Error::Cancelled));
    // Misuse is still an options error.
    let bad = DebugOptions {
        mode: Some("magic".into()),
        ..DebugOptions::default()
    };
    assert!(matches!(
        Debugger::new_with(BOUNDED, &bad, None),
        Err(Error::Options(_))
    ));
}

/// What must be equal at the end of two runs.
fn end_state(s: &Debugger) -> (Value, Value, Value, Value) {
    let st = js(&s.state());
    (
        st["state"].clone(),
        st["returnValue"].clone(),
        st["registers"].clone(),
        js(&s.events(0)),
    )
}

#[test]
fn a_cancelled_run_continues_to_the_same_end_as_an_uncancelled_one() {
    for recording in [true, false] {
        let mut plain = Debugger::new(LONG_RUN, &unverified()).unwrap();
        plain.set_recording(recording);
        assert_eq!(plain.run(), StopReason::Ended);
        let mut s = Debugger::new(LONG_RUN, &unverified()).unwrap();
        s.set_recording(recording);
        let mut seen = Vec::new();
        assert_eq!(
            s.run_with(Some(&mut stopping_at(&mut seen, 2))),
            StopReason::Cancelled
        );
        let st = js(&s.state());
        assert_eq!(st["state"], "running");
        assert_eq!(st["pc"], seen[1].pc);
        assert!(seen.iter().all(|p| p.phase == Phase::Run && p.states == 0));
        assert_eq!(seen[1].insns_processed, 2 * RUN_STRIDE);
        // Stepping goes on from there, and so does running.
        assert_eq!(s.step(), StopReason::Step);
        let mut more = Vec::new();
        assert_eq!(
            s.run_with(Some(&mut stopping_at(&mut more, usize::MAX))),
            StopReason::Ended
        );
        assert_eq!(more[0].insns_processed, 3 * RUN_STRIDE);
        assert_eq!(end_state(&s), end_state(&plain), "recording {recording}");
        assert_eq!(js(&s.state())["returnValue"], "300000");
    }
}

#[test]
fn step_over_and_out_report_and_can_be_cancelled() {
    let src = "r0 = 0\ncall f\nr0 += 1\nexit\nf:\nr1 = 40000\nl:\nr0 += 2\nr1 -= 1\nif r1 != 0 goto l\nexit";
    let mut s = Debugger::new(src, &unverified()).unwrap();
    s.step();
    let mut seen = Vec::new();
    assert_eq!(
        s.step_over_with(Some(&mut stopping_at(&mut seen, usize::MAX))),
        StopReason::Step
    );
    assert_eq!(js(&s.state())["pc"], 2);
    assert_eq!(seen.len(), 1);
    s.reset();
    s.step();
    let mut seen = Vec::new();
    assert_eq!(
        s.step_over_with(Some(&mut stopping_at(&mut seen, 1))),
        StopReason::Cancelled
    );
    assert_eq!(js(&s.state())["frames"].as_array().unwrap().len(), 2);
    assert_eq!(s.step_out_with(None), StopReason::Step);
    assert_eq!(js(&s.state())["pc"], 2);
    s.reset();
    s.step();
    s.step();
    let mut seen = Vec::new();
    assert_eq!(
        s.step_out_with(Some(&mut stopping_at(&mut seen, 1))),
        StopReason::Cancelled
    );
    assert_eq!(s.step_out(), StopReason::Step);
    assert_eq!(s.run_with(None), StopReason::Ended);
    assert_eq!(js(&s.state())["returnValue"], "80001");
    // Nothing loaded: not ready, the observer never called.
    let mut idle = Debugger::new("frob", &DebugOptions::default()).unwrap();
    let mut seen = Vec::new();
    assert_eq!(
        idle.run_with(Some(&mut stopping_at(&mut seen, 1))),
        StopReason::NotReady
    );
    assert!(seen.is_empty());
    assert_eq!(js(&StopReason::Cancelled), "cancelled");
}
