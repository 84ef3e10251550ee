//! Stepping: back N then forward N reproduces the same states; step over and step out land
//! where a debugger would; breakpoints; the bounded trace; recording off equals the fast path.

mod common;
use common::program;
use unwind_vm::{Config, Snapshot, Status, Stopped, Vm, World};

/// Everything observable: the snapshot, all memory, the resource table, the maps and events.
fn full_state(vm: &Vm) -> (Snapshot, String) {
    let m = vm.machine();
    (
        vm.snapshot(),
        format!(
            "{:?}|{:?}|{:?}|{:?}|{}|{:?}",
            m.mem,
            m.kernel.resources,
            m.kernel.maps,
            m.kernel.events,
            m.kernel.prng,
            m.kernel.objects
        ),
    )
}

const RICH: &str = ".ctx tc
.map h hash key=4 value=8 max_entries=4
.map rb ringbuf key=0 value=0 max_entries=256
    r6 = r1
    r1 = 0
    *(u32 *)(r10 - 4) = r1
    r1 = 3
    *(u64 *)(r10 - 16) = r1
    r1 = map[h] ll
    r2 = r10
    r2 += -4
    r3 = r10
    r3 += -16
    r4 = 0
    call bpf_map_update_elem
    r1 = map[rb] ll
    r2 = 8
    r3 = 0
    call bpf_ringbuf_reserve
    if r0 == 0 goto skip
    r1 = r0
    r2 = 0
    call bpf_ringbuf_discard
skip:
    r1 = 2
    r2 = cb ll
    r3 = r10
    r3 += -16
    r4 = 0
    call bpf_loop
    call bpf_get_prandom_u32
    r7 = r0
    r1 = 0x000a6425 ll
    *(u64 *)(r10 - 24) = r1
    r1 = r10
    r1 += -24
    r2 = 4
    r3 = r7
    call bpf_trace_printk
    r1 = 1
    call bpf_task_from_pid
    r8 = r0
    call sub
    r1 = map[h] ll
    r2 = r10
    r2 += -4
    call bpf_map_delete_elem
    r0 = r7
    exit
cb:
    r6 = *(u64 *)(r2 + 0)
    r6 += 1
    *(u64 *)(r2 + 0) = r6
    r0 = 0
    exit
sub:
    r6 = 99
    *(u64 *)(r10 - 8) = r6
    r0 = 0
    exit
";

#[test]
fn back_n_then_forward_n_reproduces_every_state() {
    back_and_forth(RICH, 40);
}

/// The aliasing kernel: the same task acquired twice, released, acquired again (its region
/// goes dead and comes back), a cgroup leaked.
#[test]
fn back_and_forth_over_aliased_acquisitions() {
    back_and_forth(
        ".ctx tracing
    r1 = 1
    call bpf_task_from_pid
    r6 = r0
    r1 = 1
    call bpf_task_from_pid
    r7 = r0
    r1 = r6
    call bpf_task_release
    r1 = r7
    call bpf_task_release
    r1 = 1
    call bpf_task_from_pid
    r6 = r0
    r1 = r6
    call bpf_task_release
    r1 = 1
    call bpf_cgroup_from_id
    r0 = 0
    exit
",
        15,
    );
}

fn back_and_forth(src: &str, min_steps: usize) {
    let p = program(src);
    let mut vm = Vm::new(&p, &World::default(), Config::default()).unwrap();
    let mut states = vec![full_state(&vm)];
    while vm.is_running_for_tests() {
        vm.step();
        states.push(full_state(&vm));
    }
    let n = states.len() - 1;
    assert!(n > min_steps, "{n} steps");
    assert!(matches!(vm.status(), Status::Exited { .. }));
    for k in [1, 2, 5, 13, n / 2, n] {
        assert_eq!(vm.back(k), k);
        assert_eq!(full_state(&vm), states[n - k], "after back({k})");
        for i in 0..k {
            vm.step();
            assert_eq!(
                full_state(&vm),
                states[n - k + i + 1],
                "forward {i} after back({k})"
            );
        }
    }
    // Back past the start stops at the start.
    assert_eq!(vm.back(n + 10), n);
    assert_eq!(full_state(&vm), states[0]);
}

#[test]
fn step_over_and_step_out_land_where_a_debugger_would() {
    let src = "r1 = 1\ncall f\nr0 += 1\nexit\nf:\nr0 = 5\ncall g\nexit\ng:\nr0 += 1\nexit";
    let p = program(src);
    let mut vm = Vm::new(&p, &World::default(), Config::default()).unwrap();
    vm.step();
    assert_eq!(vm.machine().pc, 1);
    // Over the call: on the next line of the same frame, with the call's effect done.
    assert_eq!(vm.step_over(), Stopped::Step);
    assert_eq!(
        (
            vm.machine().pc,
            vm.machine().frames.len(),
            vm.machine().regs[0]
        ),
        (2, 1, 6)
    );

    vm.reset();
    vm.step();
    assert_eq!(vm.step(), Stopped::Step); // into f
    assert_eq!((vm.machine().pc, vm.machine().frames.len()), (4, 2));
    vm.step(); // r0 = 5
    assert_eq!(vm.step(), Stopped::Step); // into g
    assert_eq!((vm.machine().pc, vm.machine().frames.len()), (7, 3));
    // Out of g: back in f just after its call.
    assert_eq!(vm.step_out(), Stopped::Step);
    assert_eq!(
        (
            vm.machine().pc,
            vm.machine().frames.len(),
            vm.machine().regs[0]
        ),
        (6, 2, 6)
    );
    // Out of f: back in main after the call.
    assert_eq!(vm.step_out(), Stopped::Step);
    assert_eq!((vm.machine().pc, vm.machine().frames.len()), (2, 1));
    // Out of main: the end.
    assert_eq!(vm.step_out(), Stopped::Ended);
    assert_eq!(vm.status(), &Status::Exited { return_value: 7 });

    // Over a plain instruction is a step.
    vm.reset();
    assert_eq!(vm.step_over(), Stopped::Step);
    assert_eq!(vm.machine().pc, 1);

    // A breakpoint inside the callee stops a step over there.
    vm.reset();
    assert!(vm.set_breakpoint(7, true));
    vm.step();
    assert_eq!(vm.step_over(), Stopped::Breakpoint);
    assert_eq!((vm.machine().pc, vm.machine().frames.len()), (7, 3));
}

#[test]
fn step_over_a_helper_that_runs_a_callback() {
    let src = "r1 = 3\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_loop\nexit\ncb:\nr0 = 0\nexit";
    let p = program(src);
    let mut vm = Vm::new(&p, &World::default(), Config::default()).unwrap();
    for _ in 0..4 {
        vm.step_over();
    }
    assert_eq!(vm.machine().pc, 5);
    assert_eq!(vm.step_over(), Stopped::Step);
    assert_eq!(
        (
            vm.machine().pc,
            vm.machine().frames.len(),
            vm.machine().regs[0]
        ),
        (6, 1, 3)
    );
}

#[test]
fn run_stops_at_breakpoints_and_resumes() {
    let src = "r0 = 0\nl:\nr0 += 1\nif r0 < 3 goto l\nexit";
    let p = program(src);
    let mut vm = Vm::new(&p, &World::default(), Config::default()).unwrap();
    vm.set_breakpoint(1, true);
    for expected in 0..3 {
        assert_eq!(vm.run(), Stopped::Breakpoint);
        assert_eq!((vm.machine().pc, vm.machine().regs[0]), (1, expected));
    }
    assert_eq!(vm.run(), Stopped::Ended);
    assert_eq!(vm.breakpoints(), [1]);
    assert!(!vm.set_breakpoint(99, true));
    // The same without recording (the breakpoint loop of the fast path).
    vm.reset();
    vm.set_recording(false);
    assert_eq!(vm.run(), Stopped::Breakpoint);
    assert_eq!(vm.machine().regs[0], 0);
    vm.set_breakpoint(1, false);
    assert_eq!(vm.run(), Stopped::Ended);
    assert_eq!(vm.status(), &Status::Exited { return_value: 3 });
}

#[test]
fn the_trace_is_bounded() {
    let src = "r0 = 0\nl:\nr0 += 1\nif r0 < 100 goto l\nexit";
    let p = program(src);
    let mut vm = Vm::new(&p, &World::default(), Config::default()).unwrap();
    vm.set_trace_capacity(10);
    vm.run();
    assert_eq!(vm.trace_len(), 10);
    assert_eq!(vm.back(50), 10);
    assert_eq!(vm.machine().regs[0], 96);
}

#[test]
fn recording_off_gives_the_fast_path_result() {
    let p = program(RICH);
    let mut a = Vm::new(&p, &World::default(), Config::default()).unwrap();
    a.run();
    let mut b = Vm::new(&p, &World::default(), Config::default()).unwrap();
    b.set_recording(false);
    b.run();
    assert_eq!(full_state(&a), full_state(&b));
    assert_eq!(b.trace_len(), 0);
}

trait Running {
    fn is_running_for_tests(&self) -> bool;
}

impl Running for Vm {
    fn is_running_for_tests(&self) -> bool {
        self.machine().is_running()
    }
}

/// Every stop of runs to the end: where, after how many instructions, with which registers.
fn stops(vm: &mut Vm) -> Vec<(Stopped, usize, u64, [u64; 11])> {
    let mut out = Vec::new();
    loop {
        let stop = vm.run();
        let m = vm.machine();
        out.push((stop, m.pc, m.insns, m.regs));
        if stop != Stopped::Breakpoint {
            return out;
        }
    }
}

#[test]
fn the_fast_paths_breakpoints_stop_where_the_steppers_do() {
    // The fast path stops at `Break` ops in a copy of the prepared ops; the stepper checks
    // its breakpoint table before each recorded step. For every single breakpoint and some
    // pairs (in a callback too), and with a budget that runs out on the way, both stop at the
    // same pcs after the same counts with the same registers, and end the same.
    let p = program(RICH);
    let n = p.slots.len();
    let mut sets: Vec<Vec<usize>> = (0..n).map(|pc| vec![pc]).collect();
    sets.extend((0..n).step_by(3).map(|pc| vec![pc, (pc + 7) % n]));
    let mut whole = Vm::new(&p, &World::default(), Config::default()).unwrap();
    whole.run();
    let total = whole.machine().insns;
    assert!(total > 40, "{total}");
    for budget in [u64::MAX, total / 2, total - 3] {
        for set in &sets {
            let config = || Config {
                budget,
                ..Config::default()
            };
            let mut stepped = Vm::new(&p, &World::default(), config()).unwrap();
            let mut fast = Vm::new(&p, &World::default(), config()).unwrap();
            fast.set_recording(false);
            for &pc in set {
                assert!(stepped.set_breakpoint(pc, true) && fast.set_breakpoint(pc, true));
            }
            let expected = stops(&mut stepped);
            assert_eq!(
                stops(&mut fast),
                expected,
                "breakpoints {set:?}, budget {budget}"
            );
            assert_eq!(full_state(&fast), full_state(&stepped), "{set:?}");
            // Cleared again, the fast path runs over the prepared ops themselves.
            for &pc in set {
                fast.set_breakpoint(pc, false);
            }
            fast.reset();
            assert_eq!(stops(&mut fast).len(), 1);
        }
    }
}

#[test]
fn back_over_a_call_and_back_out_of_one() {
    let src = "r1 = 1\ncall f\nr0 += 1\nexit\nf:\nr0 = 5\ncall g\nexit\ng:\nr0 += 1\nexit";
    let p = program(src);
    let mut vm = Vm::new(&p, &World::default(), Config::default()).unwrap();
    vm.step();
    let at_call = full_state(&vm);
    assert_eq!(vm.step_over(), Stopped::Step);
    assert_eq!(vm.machine().pc, 2);
    // Back over the call it stepped over: at the call again, everything as it was.
    assert_eq!(vm.back_over(), 6);
    assert_eq!(full_state(&vm), at_call);
    // A plain instruction: back over is back(1).
    assert_eq!(vm.back_over(), 1);
    assert_eq!(vm.position(), 0);
    assert_eq!(vm.back_over(), 0);

    // Into g, then back out of it: at `call g` in f; out of f: at `call f` in main.
    vm.reset();
    for _ in 0..4 {
        vm.step();
    }
    assert_eq!((vm.machine().pc, vm.machine().frames.len()), (7, 3));
    assert_eq!(vm.back_out(), 1);
    assert_eq!((vm.machine().pc, vm.machine().frames.len()), (5, 2));
    assert_eq!(vm.back_out(), 2);
    assert_eq!((vm.machine().pc, vm.machine().frames.len()), (1, 1));
    assert_eq!(full_state(&vm), at_call);
    // Out of main: the start.
    assert_eq!(vm.back_out(), 1);
    assert_eq!(vm.position(), 0);

    // A breakpoint inside the call stops back over there, as it stops step over.
    vm.run();
    assert!(vm.set_breakpoint(7, true));
    let end = vm.position();
    assert_eq!(vm.back_over(), 1); // from the end: exit is in main, the step before it too
    assert_eq!(vm.machine().pc, 3);
    assert_eq!(vm.back_over(), 1);
    assert_eq!(vm.machine().pc, 2);
    assert_eq!(vm.back_over(), 3, "stops at the breakpoint in g");
    assert_eq!((vm.machine().pc, vm.machine().frames.len()), (7, 3));
    assert!(end > 3);
}
