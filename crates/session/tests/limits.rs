//! Programs at every limit of the kernel the verifier mirrors, through the session (what the
//! JS API and the page call): the most instructions processed (1,000,000), the longest
//! program (1,000,000 slots), call frames (8), functions (256), the stack (512 bytes, one
//! frame and combined), and a long log. Each one just inside its limit is accepted (and
//! runs); just over it, it is refused with the kernel's message at a pc and a source line, and
//! in bounded time (issue 12: "a clear error, never a panic, a hang or a dead page").

use std::fmt::Write;
use std::time::{Duration, Instant};

use unwind_session::{
    verify, DebugOptions, Debugger, StopReason, VerifyOptions, VerifyReport, MAX_LOG_SIZE,
};

/// Generous for a debug build on a loaded machine; the point is "finishes", not speed.
const BOUND: Duration = Duration::from_secs(120);

fn timed<T>(what: &str, work: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = work();
    let took = start.elapsed();
    assert!(took < BOUND, "{what} took {took:?}");
    out
}

fn verify_in(src: &str, mode: &str) -> VerifyReport {
    let options = VerifyOptions {
        mode: Some(mode.into()),
        ..VerifyOptions::default()
    };
    timed(mode, || verify(src, &options).expect("valid options"))
}

/// The first error's message, pc and line, checked to be where the source says.
fn refusal(r: &VerifyReport) -> (String, usize, usize) {
    assert!(r.assembled, "{:?}", r.diagnostics);
    assert!(!r.verdict.accepted, "accepted");
    let e = &r.verdict.errors[0];
    assert!(e.line > 0, "the error has a source line: {e:?}");
    assert!(
        r.verdict.log.contains(&e.message),
        "the log states the error"
    );
    (e.message.clone(), e.pc, e.line as usize)
}

/// A program that calls down `depth` functions (main is frame 1).
fn call_chain(depth: usize) -> String {
    let mut s = String::from("call f1\nr0 = 0\nexit\n");
    for i in 1..depth {
        if i + 1 < depth {
            let _ = writeln!(s, "f{i}:\ncall f{}\nr0 = 0\nexit", i + 1);
        } else {
            let _ = writeln!(s, "f{i}:\nr0 = 0\nexit");
        }
    }
    s
}

const MODES: [&str; 5] = ["legacy", "upstream", "cleanup", "cleanup-v2", "runtime"];

#[test]
fn eight_frames_are_accepted_and_run_nine_are_refused() {
    let eight = call_chain(8);
    for mode in MODES {
        let r = verify_in(&eight, mode);
        assert!(r.verdict.accepted, "{mode}: {:?}", r.verdict.errors);
        let mut vm = Debugger::new(
            &eight,
            &DebugOptions {
                mode: Some(mode.into()),
                ..DebugOptions::default()
            },
        )
        .unwrap();
        assert_eq!(vm.run(), StopReason::Ended, "{mode}");
        assert_eq!(vm.state().error, None);
    }
    let nine = call_chain(9);
    for mode in MODES {
        let (message, pc, line) = refusal(&verify_in(&nine, mode));
        assert_eq!(message, "the call stack of 9 frames is too deep", "{mode}");
        // At the call in f7 (pc 21, line 29) that would make f8 the ninth frame.
        assert_eq!((pc, line), (21, 29), "{mode}");
    }
}

/// Eight frames with a throw at the bottom: the unwinder (and cleanup's hidden trampoline,
/// which is a frame too) has room.
#[test]
fn a_throw_eight_frames_down_unwinds() {
    let mut s = String::from(".ctx tc\ncall f1\nr0 = 0\nexit\n");
    for i in 1..8 {
        if i < 7 {
            let _ = writeln!(s, "f{i}:\ncall f{}\nr0 = 0\nexit", i + 1);
        } else {
            let _ = writeln!(s, "f{i}:\nr1 = 3\ncall bpf_throw\nr0 = 0\nexit");
        }
    }
    for mode in MODES {
        let r = verify_in(&s, mode);
        assert!(r.verdict.accepted, "{mode}: {:?}", r.verdict.errors);
        let mut vm = Debugger::new(
            &s,
            &DebugOptions {
                mode: Some(mode.into()),
                ..DebugOptions::default()
            },
        )
        .unwrap();
        assert_eq!(vm.run(), StopReason::Ended, "{mode}");
        let state = vm.state();
        assert_eq!(state.error, None, "{mode}");
    }
}

/// main and `count - 1` functions, each called from main.
fn functions(count: usize) -> String {
    let mut s = String::new();
    for i in 1..count {
        let _ = writeln!(s, "call f{i}");
    }
    s.push_str("r0 = 0\nexit\n");
    for i in 1..count {
        let _ = writeln!(s, "f{i}:\nr0 = 0\nexit");
    }
    s
}

fn run_in(src: &str, mode: &str) -> Debugger {
    let mut vm = Debugger::new(
        src,
        &DebugOptions {
            mode: Some(mode.into()),
            ..DebugOptions::default()
        },
    )
    .unwrap();
    assert_eq!(timed(mode, || vm.run()), StopReason::Ended, "{mode}");
    assert_eq!(vm.state().error, None, "{mode}");
    vm
}

#[test]
fn two_hundred_fifty_six_functions_are_accepted_and_run_more_are_refused() {
    let most = functions(256);
    for mode in MODES {
        let r = verify_in(&most, mode);
        assert!(r.verdict.accepted, "{mode}: {:?}", r.verdict.errors);
        assert_eq!(r.verdict.functions.len(), 256);
        run_in(&most, mode);
    }
    // The kernel's add_subprog: the refusal is at the call naming the 257th (main's 256th
    // call, pc 255, line 256).
    for n in [257, 1000] {
        for mode in MODES {
            let (message, pc, line) = refusal(&verify_in(&functions(n), mode));
            assert_eq!(
                (message.as_str(), pc, line),
                ("too many subprograms", 255, 256)
            );
        }
    }
    // Function addresses count as the kernel counts them (bpf_pseudo_func).
    let mut loads = String::new();
    for i in 1..257 {
        let _ = writeln!(loads, "r2 = f{i} ll");
    }
    loads.push_str("r0 = 0\nexit\n");
    for i in 1..257 {
        let _ = writeln!(loads, "f{i}:\nr0 = 0\nexit");
    }
    let (message, pc, line) = refusal(&verify_in(&loads, "cleanup"));
    assert_eq!(
        (message.as_str(), pc, line),
        ("too many subprograms", 510, 256)
    );
}

/// One frame may use all 512 bytes, not one more; a call chain's frames together neither.
#[test]
fn the_stack_is_512_bytes_in_all() {
    let full = "r1 = 0\n*(u64 *)(r10 - 512) = r1\nr0 = *(u64 *)(r10 - 512)\nr0 = 0\nexit\n";
    for mode in MODES {
        assert!(verify_in(full, mode).verdict.accepted, "{mode}");
        run_in(full, mode);
    }
    let over = "r1 = 0\n*(u64 *)(r10 - 520) = r1\nr0 = 0\nexit\n";
    let (message, pc, line) = refusal(&verify_in(over, "cleanup"));
    assert_eq!((pc, line), (1, 2));
    assert!(
        message.starts_with("invalid write to stack R10 off=-520 size=8"),
        "{message}"
    );
    // 256 + 256 fit; 256 + 288 do not: the kernel's check_max_stack_depth message, at the
    // callee's first instruction.
    let pair = |callee: usize| {
        format!(
            "r1 = 0\n*(u64 *)(r10 - 256) = r1\ncall f\nr0 = 0\nexit\nf:\nr1 = 0\n*(u64 *)(r10 - {callee}) = r1\nr0 = 0\nexit\n"
        )
    };
    for mode in MODES {
        let fits = pair(256);
        assert!(verify_in(&fits, mode).verdict.accepted, "{mode}");
        run_in(&fits, mode);
        let (message, pc, line) = refusal(&verify_in(&pair(288), mode));
        assert_eq!(
            message, "combined stack size of 2 calls is 544. Too large",
            "{mode}"
        );
        assert_eq!((pc, line), (5, 7), "{mode}");
    }
}

#[test]
fn a_million_instructions_processed_then_too_large() {
    // A loop the verifier walks one iteration at a time until its budget is gone.
    let src = "r0 = 0\nl:\nr0 += 1\nif r0 != 0 goto l\nexit\n";
    // Two modes (a debug build takes seconds for each walk); the others share the check.
    for mode in ["upstream", "cleanup-v2"] {
        let r = verify_in(src, mode);
        let (message, pc, line) = refusal(&r);
        assert_eq!(
            message, "BPF program is too large. Processed 1000001 insn",
            "{mode}"
        );
        assert_eq!((pc, line), (2, 4), "{mode}");
        assert_eq!(r.verdict.stats.insns_processed, 1_000_001, "{mode}");
    }
}

#[test]
fn a_million_slots_assemble_one_more_is_refused() {
    // 1,000,000 slots: the most the assembler (and the kernel, privileged) takes. Straight
    // line, so the verifier processes exactly 1,000,000 instructions: within its limit.
    let mut most = "r0 = 0\n".repeat(999_999);
    most.push_str("exit\n");
    let r = verify_in(&most, "legacy");
    assert!(r.verdict.accepted, "{:?}", r.verdict.errors);
    assert_eq!(r.verdict.stats.insns_processed, 1_000_000);
    let over = format!("r0 = 0\n{most}");
    let r = verify_in(&over, "legacy");
    assert!(!r.assembled);
    let d = &r.diagnostics[0];
    assert_eq!(d.line, 1);
    assert!(d.message().contains("1000000"), "{}", d.message());
}

fn with_log(log_level: u32, log_size: u32) -> VerifyOptions {
    VerifyOptions {
        log_level: Some(log_level),
        log_size: Some(log_size),
        // 200,000 of the walk's instructions: 15 MB of level-2 log, far over 64 KB, and a
        // fifth of the time of the whole walk.
        budget: Some(200_000),
        ..VerifyOptions::default()
    }
}

/// A 64 KB log buffer, as `bpf_attr.log_size`: the kernel's rotating log keeps the end, and
/// the load fails with ENOSPC.
#[test]
fn a_64_kb_log_keeps_its_end_and_fails_with_enospc() {
    const SIZE: u32 = 64 * 1024;
    // The walk of the loop above at level 2, to the budget.
    let walk = "r0 = 0\nl:\nr0 += 1\nif r0 != 0 goto l\nexit\n";
    let whole = timed("the whole log", || {
        verify(walk, &with_log(2, MAX_LOG_SIZE)).unwrap()
    });
    assert!(whole.verdict.log.len() > 10_000_000);
    let r = timed("a 64 KB log", || verify(walk, &with_log(2, SIZE)).unwrap());
    assert_eq!(r.verdict.log.len(), SIZE as usize - 1);
    assert!(
        whole.verdict.log.ends_with(&r.verdict.log),
        "the end is kept"
    );
    assert!(r
        .verdict
        .log
        .contains("BPF program is too large. Processed 200001 insn\n"));
    assert!(r
        .verdict
        .log
        .contains("\nprocessed 200001 insns (limit 200000) "));
    let messages: Vec<&str> = r
        .verdict
        .errors
        .iter()
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        messages[0],
        "BPF program is too large. Processed 200001 insn"
    );
    assert_eq!(
        messages[1],
        format!(
            "the log needs {} bytes, more than the log size of 65536 (ENOSPC): only its end is kept",
            whole.verdict.log.len() + 1
        )
    );
    // An accepted program whose log does not fit is not loaded, as in the kernel.
    let mut long = "r0 = 0\n".repeat(5_000);
    long.push_str("exit\n");
    let r = verify(&long, &with_log(2, SIZE)).unwrap();
    assert!(!r.verdict.accepted);
    assert_eq!(r.verdict.errors.len(), 1);
    assert!(r.verdict.errors[0].message.contains("(ENOSPC)"));
    assert_eq!((r.verdict.errors[0].pc, r.verdict.errors[0].line), (0, 1));
    assert!(
        r.verdict.log.ends_with("peak_states 0 mark_read 0\n"),
        "{}",
        &r.verdict.log[r.verdict.log.len() - 200..]
    );
    // A log that fits is untouched, down to the smallest buffer.
    let r = verify(&long, &with_log(0, SIZE)).unwrap();
    assert!(
        r.verdict.accepted,
        "{} bytes: {:?}",
        r.verdict.log.len(),
        r.verdict.errors
    );
    let exit = "r0 = 0\nexit\n";
    let needs = verify(exit, &with_log(2, MAX_LOG_SIZE))
        .unwrap()
        .verdict
        .log
        .len()
        + 1;
    let fits = verify(exit, &with_log(2, needs as u32)).unwrap();
    assert!(fits.verdict.accepted, "{:?}", fits.verdict.errors);
    let short = verify(exit, &with_log(2, needs as u32 - 1)).unwrap();
    assert!(!short.verdict.accepted);
    assert_eq!(short.verdict.log.len(), needs - 2);
    // The kernel's range: 128 bytes to 2^30 - 1; out of it, misuse.
    for size in [0, 127, MAX_LOG_SIZE + 1, u32::MAX] {
        let e = verify("exit", &with_log(1, size)).unwrap_err();
        assert!(
            e.contains("outside the kernel's range of 128 to 1073741823 bytes"),
            "{e}"
        );
    }
}

/// The trace `back` reads is bounded: at most a million steps (about 100 MB).
#[test]
fn the_trace_capacity_is_bounded() {
    let with = |n: usize| DebugOptions {
        trace_capacity: Some(n),
        ..DebugOptions::default()
    };
    let e = Debugger::new(
        "r0 = 0\nexit",
        &with(unwind_session::MAX_TRACE_CAPACITY + 1),
    )
    .err()
    .expect("refused");
    assert_eq!(e, "trace capacity 1000001 is over the most, 1000000 steps");
    let e = Debugger::new("r0 = 0\nexit", &with(usize::MAX))
        .err()
        .expect("refused");
    assert!(e.starts_with("trace capacity 18446744073709551615 is over the most"));
    let mut vm = Debugger::new("r0 = 0\nexit", &with(unwind_session::MAX_TRACE_CAPACITY)).unwrap();
    assert_eq!(vm.run(), StopReason::Ended);
}
