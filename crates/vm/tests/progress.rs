//! Progress and cancellation of the run paths: the fast path (`Machine::run_with`, `Vm::run_with`
//! with recording off, with and without breakpoints), the stepper (recording on) and step
//! over/out. The observer is called at every multiple of the stride; `Break` stops where the
//! machine is, and a run continued from there ends exactly as one never stopped.

mod common;
use std::ops::ControlFlow;

use common::program;
use unwind_vm::{Config, Machine, Progress, Status, Stopped, Vm, World, PROGRESS_STRIDE};

/// 2 + 5 * 100,000 + 2 instructions, calling `f` (a bpf-to-bpf call) once per iteration.
const LOOP: &str =
    "r6 = 100000\nr7 = 0\nl:\ncall f\nr6 -= 1\nif r6 != 0 goto l\nr0 = r7\nexit\nf:\nr7 += 3\nexit";
const TOTAL: u64 = 500_004;

fn vm(recording: bool) -> Vm {
    let mut vm = Vm::new(&program(LOOP), &World::default(), Config::default()).unwrap();
    vm.set_recording(recording);
    vm.set_trace_capacity(16);
    vm
}

/// An observer that records what it is told and answers `Break` on call number `stop_at`.
fn observer(
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

fn the_end(vm: &Vm) -> (Status, u64, [u64; 11]) {
    let m = vm.machine();
    (m.status.clone(), m.insns, m.regs)
}

#[test]
fn the_observer_is_called_at_every_stride_and_changes_nothing() {
    let mut plain = vm(false);
    assert_eq!(plain.run(), Stopped::Ended);
    assert_eq!(plain.machine().insns, TOTAL);
    for recording in [false, true] {
        let mut seen = Vec::new();
        let mut v = vm(recording);
        assert_eq!(
            v.run_with(&mut observer(&mut seen, usize::MAX)),
            Stopped::Ended
        );
        assert_eq!(the_end(&v), the_end(&plain), "recording {recording}");
        let counts: Vec<u64> = seen.iter().map(|p| p.executed).collect();
        let expected: Vec<u64> = (1..=TOTAL / PROGRESS_STRIDE)
            .map(|k| k * PROGRESS_STRIDE)
            .collect();
        assert_eq!(counts, expected, "recording {recording}");
        assert!(seen.iter().all(|p| p.pc < 9));
    }
    // Machine::run_with, the fast path itself.
    let mut m = Machine::new(&program(LOOP), &World::default(), Config::default()).unwrap();
    let mut seen = Vec::new();
    assert_eq!(
        m.run_with(&mut observer(&mut seen, usize::MAX)),
        ControlFlow::Continue(())
    );
    assert_eq!(m.insns, TOTAL);
    assert_eq!(seen.len() as u64, TOTAL / PROGRESS_STRIDE);
}

#[test]
fn a_cancelled_run_stops_where_it_is_and_continues_to_the_same_end() {
    let mut plain = vm(false);
    plain.run();
    for recording in [false, true] {
        let mut seen = Vec::new();
        let mut v = vm(recording);
        assert_eq!(v.run_with(&mut observer(&mut seen, 3)), Stopped::Cancelled);
        assert_eq!(v.status(), &Status::Running);
        assert_eq!(v.machine().insns, 3 * PROGRESS_STRIDE);
        assert_eq!(seen[2].pc, v.machine().pc);
        // Cancelled again further on, then to the end without an observer.
        let mut more = Vec::new();
        assert_eq!(v.run_with(&mut observer(&mut more, 2)), Stopped::Cancelled);
        assert_eq!(more[0].executed, 4 * PROGRESS_STRIDE);
        assert_eq!(v.run(), Stopped::Ended);
        assert_eq!(the_end(&v), the_end(&plain), "recording {recording}");
    }
    let mut m = Machine::new(&program(LOOP), &World::default(), Config::default()).unwrap();
    let mut seen = Vec::new();
    assert_eq!(
        m.run_with(&mut observer(&mut seen, 1)),
        ControlFlow::Break(())
    );
    assert_eq!((m.insns, &m.status), (PROGRESS_STRIDE, &Status::Running));
    m.run();
    assert_eq!(m.status, plain.machine().status);
}

#[test]
fn cancelling_never_skips_a_breakpoint() {
    // A breakpoint at the call: hit once per iteration. Runs with and without cancelling
    // stop at the same breakpoints, at the same counts.
    for recording in [false, true] {
        let stops = |cancel_every: usize| {
            let mut v = vm(recording);
            assert!(v.set_breakpoint(2, true));
            let mut hits = Vec::new();
            let mut calls = 0;
            loop {
                let mut o = |_: Progress| {
                    calls += 1;
                    if calls % cancel_every == 0 {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                };
                match v.run_with(&mut o) {
                    Stopped::Breakpoint => {
                        hits.push(v.machine().insns);
                        if hits.len() == 30_000 {
                            v.set_breakpoint(2, false);
                        }
                    }
                    Stopped::Cancelled => {
                        assert!(hits.len() >= 30_000 || v.machine().pc != 2)
                    }
                    Stopped::Ended => break,
                    Stopped::Step => unreachable!(),
                }
            }
            (hits, the_end(&v))
        };
        assert_eq!(stops(1), stops(usize::MAX), "recording {recording}");
    }
}

#[test]
fn step_over_and_out_report_and_can_be_cancelled() {
    // A call that runs 200,000 instructions: step over it with an observer.
    let src = "r0 = 0\ncall f\nr0 += 1\nexit\nf:\nr1 = 40000\nl:\nr0 += 2\nr1 -= 1\nif r1 != 0 goto l\nexit";
    for recording in [false, true] {
        let mut v = Vm::new(&program(src), &World::default(), Config::default()).unwrap();
        v.set_recording(recording);
        v.set_trace_capacity(16);
        assert_eq!(v.step(), Stopped::Step);
        let mut seen = Vec::new();
        assert_eq!(
            v.step_over_with(&mut observer(&mut seen, usize::MAX)),
            Stopped::Step
        );
        assert_eq!(v.machine().pc, 2);
        assert_eq!(seen.len() as u64, v.machine().insns / PROGRESS_STRIDE);
        assert!(!seen.is_empty());
        // Into the call, then out of it, cancelled on the first report.
        v.reset();
        v.step();
        v.step();
        let mut seen = Vec::new();
        assert_eq!(
            v.step_out_with(&mut observer(&mut seen, 1)),
            Stopped::Cancelled
        );
        assert_eq!(v.machine().frames.len(), 2, "still in f");
        assert_eq!(v.machine().insns, PROGRESS_STRIDE);
        // A new step out from there leaves f.
        assert_eq!(v.step_out(), Stopped::Step);
        assert_eq!(v.machine().pc, 2);
        assert_eq!(v.run(), Stopped::Ended);
        assert_eq!(
            v.status(),
            &Status::Exited {
                return_value: 80_001
            }
        );
    }
}
