//! Going back by checkpoints and deterministic re-execution, on random long-running programs
//! that touch every kind of state: a loop whose body is random snippets (arithmetic, stack
//! stores and loads, hash and array map updates, lookups and deletes, ringbuf records, task
//! references acquired and released, the PRNG and the clock, `bpf_trace_printk`, a bpf-to-bpf
//! call, a `bpf_loop` callback, sometimes a `bpf_throw` in the `runtime` unwinding mode).

mod common;

use common::program;
use proptest::prelude::*;
use unwind_vm::{Config, Stopped, Unwinding, Vm, World};

const SNIPPETS: &[&str] = &[
    "r{a} += {i}",
    "r{a} *= r{b}",
    "w{a} ^= {i}",
    "r{a} = r{b}",
    "*(u64 *)(r10 - {s}) = r{a}",
    "r{a} = *(u64 *)(r10 - {s})",
    "*(u8 *)(r10 - {s}) = {i}",
    "call bpf_get_prandom_u32",
    "call bpf_ktime_get_ns",
    "r1 = map[h] ll\nr2 = r10\nr2 += -4\nr3 = r10\nr3 += -16\nr4 = 0\ncall bpf_map_update_elem",
    "r1 = map[h] ll\nr2 = r10\nr2 += -4\ncall bpf_map_delete_elem",
    "r1 = map[{m}] ll\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nif r0 == 0 goto L{n}\n*(u64 *)(r0 + 0) = r9\nL{n}:",
    "r1 = map[rb] ll\nr2 = 8\nr3 = 0\ncall bpf_ringbuf_reserve\nif r0 == 0 goto L{n}\n*(u64 *)(r0 + 0) = r9\nr1 = r0\nr2 = 0\ncall bpf_ringbuf_submit\nL{n}:",
    "r1 = 1\ncall bpf_task_from_pid\nr6 = r0",
    "if r6 == 0 goto L{n}\nr1 = r6\ncall bpf_task_release\nr6 = 0\nL{n}:",
    "r1 = 0x000a6425 ll\n*(u64 *)(r10 - 24) = r1\nr1 = r10\nr1 += -24\nr2 = 4\nr3 = r9\ncall bpf_trace_printk",
    "r1 = r9\ncall sub",
    "r1 = 2\nr2 = cb ll\nr3 = r10\nr3 += -16\nr4 = 0\ncall bpf_loop",
    "if r9 != {i} goto L{n}\nr1 = 7\ncall bpf_throw\nL{n}:",
];

/// A snippet index with its register, immediate and stack-slot choices.
type Piece = (usize, u8, u8, i32, u8);

fn piece() -> impl Strategy<Value = Piece> {
    (0..SNIPPETS.len(), 0u8..6, 0u8..6, 0i32..40, 1u8..=6)
}

fn source(pieces: &[Piece], iterations: u32) -> String {
    let mut body = String::new();
    for (n, &(k, a, b, i, s)) in pieces.iter().enumerate() {
        // r6 holds the task reference and r9 the loop counter: the snippets leave them alone.
        let reg = |r: u8| ["0", "1", "2", "3", "7", "8"][r as usize];
        let text = SNIPPETS[k]
            .replace("{a}", reg(a))
            .replace("{b}", reg(b))
            .replace("{i}", &i.to_string())
            .replace("{s}", &(8 * s as u32 + 16).to_string())
            .replace("{m}", if i % 2 == 0 { "h" } else { "a" })
            .replace("{n}", &n.to_string());
        body.push_str(&text);
        body.push('\n');
    }
    format!(
        ".map h hash key=4 value=8 max_entries=3
.map a array key=4 value=8 max_entries=4
.map rb ringbuf key=0 value=0 max_entries=256
.exception_callback ecb
r6 = 0
r9 = {iterations}
loop:
r1 = r9
r1 &= 3
*(u32 *)(r10 - 4) = r1
*(u64 *)(r10 - 16) = r9
{body}r9 -= 1
if r9 != 0 goto loop
r0 = 0
exit
sub:
r0 = r1
*(u64 *)(r10 - 8) = r0
r0 += 1
exit
cb:
r0 = *(u64 *)(r2 + 0)
r0 += r1
*(u64 *)(r2 + 0) = r0
r0 = 0
exit
ecb:
r0 = r1
exit
"
    )
}

/// Everything the machine holds (registers, frames, memory, resources, maps, events, trace
/// output, counters, status), as text.
fn whole(vm: &Vm) -> String {
    format!("{:?}", vm.machine())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Forward N steps (stepping, or running to the end and going back), then back M, is
    /// exactly the state of N - M steps forward, and forward M again is the state of N; a
    /// budget below the run's length makes the last step the budget fault. Small spacings
    /// make the checkpoints thin out and share regions.
    #[test]
    fn forward_n_back_m_is_forward_n_minus_m(
        pieces in prop::collection::vec(piece(), 1..12),
        iterations in 1u32..60,
        budget in prop_oneof![3 => Just(u64::MAX), 1 => 100u64..3_000],
        runtime_table in any::<bool>(),
        n_frac in 0.0f64..=1.0,
        m_frac in 0.0f64..=1.0,
        spacing in prop::sample::select(vec![1u64, 5, 64, 1024]),
    ) {
        let p = program(&source(&pieces, iterations));
        let config = Config {
            budget,
            unwinding: if runtime_table { Unwinding::RuntimeTable } else { Unwinding::DiscardFrames },
            ..Config::default()
        };
        let world = World::default();
        let mut reference = Vm::new(&p, &world, config.clone()).unwrap();
        reference.set_recording(false);
        let mut states = vec![whole(&reference)];
        while reference.machine().is_running() {
            reference.step();
            states.push(whole(&reference));
        }
        let total = states.len() - 1;
        let n = (n_frac * total as f64) as usize;
        let m = (m_frac * n as f64) as usize;

        let mut stepped = Vm::new(&p, &world, config.clone()).unwrap();
        stepped.set_checkpoint_spacing(spacing);
        for _ in 0..n {
            stepped.step();
        }
        prop_assert_eq!(stepped.position(), n as u64);
        prop_assert_eq!(stepped.back(m), m);
        prop_assert!(whole(&stepped) == states[n - m], "back {} from {} of {}", m, n, total);
        for _ in 0..m {
            stepped.step();
        }
        prop_assert!(whole(&stepped) == states[n], "forward again to {}", n);

        let mut ran = Vm::new(&p, &world, config).unwrap();
        ran.set_checkpoint_spacing(spacing);
        ran.run();
        prop_assert!(whole(&ran) == states[total]);
        prop_assert_eq!(ran.back(total - n), total - n);
        prop_assert!(whole(&ran) == states[n], "back to {} of {}", n, total);
        prop_assert_eq!(ran.back(m), m);
        prop_assert!(whole(&ran) == states[n - m], "back {} more", m);
        prop_assert!(ran.checkpoints().len() <= unwind_vm::checkpoints::MAX_CHECKPOINTS);
    }
}

/// What stepping one instruction at a time shows at each step of a run: (frames, pc,
/// running, the whole state).
fn trajectory(vm: &mut Vm) -> Vec<(usize, usize, bool, String)> {
    let at = |vm: &Vm| {
        let m = vm.machine();
        (m.frames.len(), m.pc, m.is_running(), whole(vm))
    };
    let mut out = vec![at(vm)];
    while vm.machine().is_running() {
        vm.step();
        out.push(at(vm));
    }
    out
}

/// An action of the debugger: step, step over, step out, run, back(k); and single steps to
/// the next call then step over it, or into a call then step out of it (random pcs are
/// rarely calls).
#[derive(Clone, Copy, Debug)]
enum Action {
    Step,
    Over,
    Out,
    Run,
    Back(usize),
    OverCall,
    OutOfCall,
    BackOver,
    BackOut,
    /// Single steps into a call (nothing else).
    IntoCall,
    /// `OverCall` then `BackOver`; `IntoCall` then `BackOut`.
    BackOverCall,
    BackOutOfCall,
}

impl Action {
    fn primitives(self) -> Vec<Action> {
        match self {
            Action::BackOverCall => vec![Action::OverCall, Action::BackOver],
            Action::BackOutOfCall => vec![Action::IntoCall, Action::BackOut],
            a => vec![a],
        }
    }
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => Just(Action::Step),
        3 => Just(Action::Over),
        2 => Just(Action::Out),
        2 => Just(Action::Run),
        2 => (0usize..400).prop_map(Action::Back),
        3 => Just(Action::OverCall),
        3 => Just(Action::OutOfCall),
        3 => Just(Action::BackOver),
        2 => Just(Action::BackOut),
        3 => Just(Action::BackOverCall),
        3 => Just(Action::BackOutOfCall),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Step over, step out and run take the fast path between landing pcs, checkpoints and
    /// breakpoints; they stop exactly where stepping one instruction at a time and checking
    /// the debugger's rules before each step stops (over: back in this frame; out: out of
    /// it; both and run: before a breakpoint), with the same reason, and back from there
    /// lands on the same states; back over and back out land on the latest earlier step their
    /// rule (or a breakpoint) picks.
    #[test]
    fn over_out_and_run_stop_where_single_steps_would(
        pieces in prop::collection::vec(piece(), 1..12),
        iterations in 1u32..30,
        breakpoints in prop::collection::vec(0usize..200, 0..4),
        actions in prop::collection::vec(action(), 1..24),
        spacing in prop::sample::select(vec![1u64, 7, 1024, 1024]),
    ) {
        let p = program(&source(&pieces, iterations));
        let p = &p;
        let world = World::default();
        let mut reference = Vm::new(p, &world, Config::default()).unwrap();
        reference.set_recording(false);
        let t = trajectory(&mut reference);
        let mut vm = Vm::new(p, &world, Config::default()).unwrap();
        vm.set_checkpoint_spacing(spacing);
        let mut bp = vec![false; p.slots.len() + 1];
        for &pc in &breakpoints {
            if vm.set_breakpoint(pc, true) {
                bp[pc] = true;
            }
        }
        let mut pos = 0usize;
        for a in actions.into_iter().flat_map(Action::primitives) {
            // The rules, on the recorded trajectory.
            let until = |pos: &mut usize, cond: &dyn Fn(usize) -> bool| -> Stopped {
                if !t[*pos].2 {
                    return Stopped::Ended;
                }
                *pos += 1;
                loop {
                    let (_, pc, running, _) = &t[*pos];
                    if !running {
                        return Stopped::Ended;
                    }
                    if !cond(*pos) {
                        return Stopped::Step;
                    }
                    if bp[*pc] {
                        return Stopped::Breakpoint;
                    }
                    *pos += 1;
                }
            };
            // Single steps first, to a call or into one.
            let at_call = |pos: usize| p.slots.get(t[pos].1).is_some_and(|i| i.code == 0x85 || i.code == 0x8d);
            while t[pos].2 && match a {
                Action::OverCall => !at_call(pos),
                Action::OutOfCall | Action::IntoCall => t[pos].0 < 2,
                _ => false,
            } {
                prop_assert_eq!(vm.step(), if t[pos + 1].2 { Stopped::Step } else { Stopped::Ended });
                pos += 1;
            }
            let depth = t[pos].0;
            let (expected, got) = match a {
                Action::Step => (until(&mut pos, &|_| false), vm.step()),
                Action::Over | Action::OverCall => (until(&mut pos, &|q| t[q].0 > depth), vm.step_over()),
                Action::Out | Action::OutOfCall => (until(&mut pos, &|q| t[q].0 >= depth), vm.step_out()),
                Action::Run => (until(&mut pos, &|_| true), vm.run()),
                Action::BackOver | Action::BackOut => {
                    // The latest earlier step in this frame or a caller (out: a caller), or
                    // at a breakpoint; else the start.
                    let out = matches!(a, Action::BackOut);
                    let from = pos;
                    pos = (0..from)
                        .rev()
                        .find(|&q| {
                            let (d, pc, running, _) = &t[q];
                            (if out { *d < depth } else { *d <= depth }) || (*running && bp[*pc])
                        })
                        .unwrap_or(0);
                    let got = if out { vm.back_out() } else { vm.back_over() };
                    prop_assert_eq!(got, from - pos, "{:?} from {}", a, from);
                    (Stopped::Step, Stopped::Step)
                }
                Action::IntoCall => (Stopped::Step, Stopped::Step),
                Action::BackOverCall | Action::BackOutOfCall => unreachable!("expanded"),
                Action::Back(k) => {
                    let k = k.min(pos);
                    pos -= k;
                    prop_assert_eq!(vm.back(k + 1000 * (pos == 0) as usize), k);
                    (Stopped::Step, Stopped::Step)
                }
            };
            prop_assert_eq!(got, expected, "{:?} at {}", a, pos);
            prop_assert_eq!(vm.position(), pos as u64, "{:?}", a);
            prop_assert!(whole(&vm) == t[pos].3, "{:?} to {}", a, pos);
        }
    }
}

/// The generator's programs do run long and reach every kind of state (a guard on the
/// property above: it would pass vacuously on programs that fault at once).
#[test]
fn the_generated_programs_run_long_and_touch_the_kernel() {
    let all: Vec<Piece> = (0..SNIPPETS.len() - 1).map(|k| (k, 1, 2, 3, 2)).collect();
    let p = program(&source(&all, 50));
    let mut vm = Vm::new(&p, &World::default(), Config::default()).unwrap();
    vm.set_checkpoint_spacing(16);
    vm.run();
    let m = vm.machine();
    assert!(
        matches!(m.status, unwind_vm::Status::Exited { .. }),
        "{:?}",
        m.status
    );
    assert!(m.insns > 3_000, "{}", m.insns);
    assert!(!m.kernel.trace.is_empty());
    assert!(m.kernel.events.len() > 100);
    assert!(
        vm.checkpoints().spacing() > 16,
        "the checkpoints thinned out: {} insns, {} kept",
        m.insns,
        vm.checkpoints().len()
    );
}

/// Checkpoints of a machine whose memory is large and changes: 4 MiB map values written in
/// turn. The checkpoints stay within their byte bound (they thin out and their spacing grows)
/// and going back is still exact.
#[test]
fn checkpoints_of_megabytes_stay_bounded() {
    let src = ".map big array key=4 value=4194304 max_entries=3
r9 = 3000
loop:
r1 = r9
r1 >>= 8
r1 &= 3
*(u32 *)(r10 - 4) = r1
r1 = map[big] ll
r2 = r10
r2 += -4
call bpf_map_lookup_elem
if r0 == 0 goto skip
r1 = r9
r1 &= 0xfff
r1 <<= 3
r0 += r1
*(u64 *)(r0 + 0) = r9
skip:
r9 -= 1
if r9 != 0 goto loop
r0 = 0
exit";
    let p = program(src);
    let world = World::default();
    let mut vm = Vm::new(&p, &world, Config::default()).unwrap();
    vm.set_checkpoint_spacing(400);
    vm.run();
    let end = vm.position();
    assert!(
        vm.machine().mem.bytes > 3 * (4 << 20),
        "{}",
        vm.machine().mem.bytes
    );
    let c = vm.checkpoints();
    assert!(
        c.bytes() <= unwind_vm::checkpoints::CHECKPOINT_BYTES,
        "{}",
        c.bytes()
    );
    assert!(c.spacing() > 400, "the spacing grew: {}", c.spacing());
    for step in [end - 1, end / 2 + 17, 1_234, 1] {
        vm.run();
        assert_eq!(vm.back((end - step) as usize), (end - step) as usize);
        // A fresh run with `step` as its budget stops at the same step.
        let budget = Config {
            budget: step,
            ..Config::default()
        };
        let mut check = unwind_vm::Machine::new(&p, &world, budget).unwrap();
        check.run();
        let m = vm.machine();
        assert_eq!((m.pc, m.regs, m.insns), (check.pc, check.regs, check.insns));
        assert!(m.mem == check.mem, "memory at step {step}");
    }
}
