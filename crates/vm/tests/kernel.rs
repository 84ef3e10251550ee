//! The simulated kernel: maps, the resource table and its events, the world, bpf_loop,
//! bpf_throw (upstream semantics), frames and their callee-saved areas.

mod common;
use common::{machine_with, r0, run};
use unwind_kernel::ResourceKind;
use unwind_vm::world::{MapEntry, Protocol, Socket};
use unwind_vm::{Config, EventKind, FrameKind, Held, ReleasedBy, Status, World};

fn names(m: &unwind_vm::Machine) -> Vec<&'static str> {
    m.kernel.events.iter().map(|e| e.name()).collect()
}

const KEY0: &str = "r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\n";

#[test]
fn array_maps_read_and_write_real_memory() {
    let src = format!(
        ".map a array key=4 value=8 max_entries=2
{KEY0}r1 = map[a] ll
call bpf_map_lookup_elem
r1 = 5
*(u64 *)(r0 + 0) = r1
{KEY0}r1 = map[a] ll
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
exit"
    );
    assert_eq!(r0(&src), 5);
    // Out-of-range index: NULL. World contents are visible. Values are 8 bytes: reading past is a fault.
    let src = ".map a array key=4 value=8 max_entries=2
r1 = 1
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[a] ll
call bpf_map_lookup_elem
r6 = *(u64 *)(r0 + 0)
r1 = 2
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[a] ll
call bpf_map_lookup_elem
exit";
    let mut world = World::default();
    world.maps.insert(
        "a".into(),
        vec![MapEntry {
            key: "01000000".into(),
            value: "2a".into(),
        }],
    );
    let m = machine_with(src, &world, Config::default());
    assert_eq!(m.regs[6], 42);
    assert_eq!(m.status, Status::Exited { return_value: 0 });
    let f = common::fault(&format!(".map a array key=4 value=8 max_entries=2\n{KEY0}r1 = map[a] ll\ncall bpf_map_lookup_elem\nr0 = *(u64 *)(r0 + 4)\nexit"));
    assert!(
        f.message
            .contains("a value of map 0 is 8 bytes, offset 4 is out of bounds"),
        "{}",
        f.message
    );
    // A direct value load (`map[a] ll` as BPF_PSEUDO_MAP_VALUE) points into element 0.
}

#[test]
fn hash_maps_update_lookup_delete_with_kernel_errnos() {
    let src = format!(
        ".map h hash key=4 value=8 max_entries=1
{KEY0}r1 = map[h] ll
call bpf_map_lookup_elem
r6 = r0                       // NULL: empty
r1 = 7
*(u64 *)(r10 - 16) = r1
{KEY0}r3 = r10
r3 += -16
r4 = 2                        // BPF_EXIST on a missing key: -ENOENT
r1 = map[h] ll
call bpf_map_update_elem
r7 = r0
{KEY0}r3 = r10
r3 += -16
r4 = 0
r1 = map[h] ll
call bpf_map_update_elem
r8 = r0
{KEY0}r3 = r10
r3 += -16
r4 = 1                        // BPF_NOEXIST on an existing key: -EEXIST
r1 = map[h] ll
call bpf_map_update_elem
r9 = r0
r1 = 1
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
r1 = map[h] ll
call bpf_map_update_elem      // full: -E2BIG
*(u64 *)(r10 - 24) = r0
{KEY0}r1 = map[h] ll
call bpf_map_lookup_elem
r0 = *(u64 *)(r0 + 0)
*(u64 *)(r10 - 32) = r0
{KEY0}r1 = map[h] ll
call bpf_map_delete_elem
*(u64 *)(r10 - 40) = r0
{KEY0}r1 = map[h] ll
call bpf_map_delete_elem
exit"
    );
    let m = run(&src);
    assert_eq!(m.regs[6], 0);
    assert_eq!(m.regs[7] as i64, -2);
    assert_eq!(m.regs[8], 0);
    assert_eq!(m.regs[9] as i64, -17);
    let stack = |off: u32| {
        m.mem
            .read(unwind_vm::memory::addr(1, 512 - off), 8)
            .unwrap() as i64
    };
    assert_eq!(stack(24), -7);
    assert_eq!(stack(32), 7);
    assert_eq!(stack(40), 0);
    assert_eq!(
        m.status,
        Status::Exited {
            return_value: (-2i64) as u64
        }
    );
}

#[test]
fn objects_tasks_cgroups_are_acquired_and_released_with_events() {
    let m = run(".ctx tracing
r1 = 4096
call bpf_obj_new
r6 = r0
r1 = 4097
call bpf_obj_new
r7 = r0              // too big: NULL
r1 = 1
call bpf_cgroup_from_id
r8 = r0
r1 = 2
call bpf_task_from_pid
r9 = r0              // no pid 2: NULL
call bpf_cpumask_create
r1 = r0
call bpf_cpumask_release
r1 = r8
call bpf_cgroup_release
r1 = r6
call bpf_obj_drop
r0 = 0
exit");
    assert_eq!(m.regs[7], 0);
    assert_eq!(m.regs[9], 0);
    assert_eq!(
        names(&m),
        ["acquire", "acquire", "acquire", "release", "release", "release", "exit"]
    );
    let EventKind::Acquire { function, resource } = &m.kernel.events[0].kind else {
        panic!()
    };
    assert_eq!(*function, "bpf_obj_new");
    assert_eq!(
        (
            resource.id,
            resource.held,
            resource.acquired_pc,
            resource.frame
        ),
        (1, Held::Resource(ResourceKind::Object), 1, 0)
    );
    let EventKind::Release { by, resource, .. } = &m.kernel.events[5].kind else {
        panic!()
    };
    assert_eq!((*by, resource.id), (ReleasedBy::Program, 1));
    assert!(m.kernel.resources.is_empty());
}

#[test]
fn leaks_are_reported_at_exit_with_the_acquiring_pc_and_frame() {
    let m =
        run(".ctx tracing\ncall f\nr0 = 0\nexit\nf:\nr1 = 1\ncall bpf_task_from_pid\nr0 = 0\nexit");
    assert_eq!(names(&m), ["call", "acquire", "return", "exit", "leak"]);
    let EventKind::Leak { resource } = &m.kernel.events[4].kind else {
        panic!()
    };
    assert_eq!(
        (resource.acquired_pc, resource.frame, resource.held),
        (4, 1, Held::Resource(ResourceKind::Task))
    );
    assert_eq!(m.kernel.events[4].pc, 2);
    assert_eq!(m.kernel.resources.len(), 1);
}

#[test]
fn ringbuf_reserve_submit_discard_and_capacity() {
    // 64 bytes hold two 16-byte records (16 + 8 header, rounded to 8 = 24 each): the third fails.
    let src = ".map rb ringbuf key=0 value=0 max_entries=64
r1 = map[rb] ll
r2 = 16
r3 = 0
call bpf_ringbuf_reserve
r6 = r0
r1 = map[rb] ll
r2 = 16
r3 = 0
call bpf_ringbuf_reserve
r7 = r0
r1 = map[rb] ll
r2 = 16
r3 = 0
call bpf_ringbuf_reserve
r8 = r0
r1 = 9
*(u64 *)(r6 + 8) = r1
r1 = r6
r2 = 0
call bpf_ringbuf_submit
r1 = r7
r2 = 0
call bpf_ringbuf_discard
r0 = 0
exit";
    let m = run(src);
    assert_ne!(m.regs[6], 0);
    assert_ne!(m.regs[7], 0);
    assert_eq!(m.regs[8], 0);
    assert_eq!(
        names(&m),
        ["acquire", "acquire", "release", "release", "exit"]
    );
}

#[test]
fn socket_lookup_uses_the_world_socket_table() {
    let src = ".ctx tc
r6 = r1
r1 = 0x0100000a      // saddr 10.0.0.1 (network order in memory)
*(u32 *)(r10 - 12) = r1
r1 = 0x0200000a      // daddr 10.0.0.2
*(u32 *)(r10 - 8) = r1
r1 = 0x50003930      // sport 12345, dport 80 (big-endian)
*(u32 *)(r10 - 4) = r1
r1 = r6
r2 = r10
r2 += -12
r3 = 12
r4 = -1
r5 = 0
call bpf_sk_lookup_tcp
if r0 == 0 goto none
r6 = *(u32 *)(r0 + 4)   // family
r1 = r0
call bpf_sk_release
r0 = r6
exit
none:
r0 = 99
exit";
    assert_eq!(r0(src), 99, "the default world has no sockets");
    let mut world = World::default();
    world.sockets.push(Socket {
        protocol: Protocol::Tcp,
        local: "10.0.0.2:80".into(),
        remote: None,
    });
    let m = machine_with(src, &world, Config::default());
    assert_eq!(m.status, Status::Exited { return_value: 2 }, "AF_INET");
    assert_eq!(names(&m), ["acquire", "release", "exit"]);
    world.sockets[0].protocol = Protocol::Udp;
    assert_eq!(
        machine_with(src, &world, Config::default()).status,
        Status::Exited { return_value: 99 }
    );
}

#[test]
fn spin_locks_and_rcu_sections_are_held_states() {
    let src = format!(
        ".ctx tc
.map a array key=4 value=8 max_entries=1
{KEY0}r1 = map[a] ll
call bpf_map_lookup_elem
r6 = r0
r1 = r6
call bpf_spin_lock
r7 = *(u32 *)(r6 + 0)
r1 = r6
call bpf_spin_unlock
r8 = *(u32 *)(r6 + 0)
call bpf_rcu_read_lock
r0 = 0
exit"
    );
    let m = run(&src);
    assert_eq!((m.regs[7], m.regs[8]), (1, 0));
    assert_eq!(names(&m), ["acquire", "release", "acquire", "exit", "leak"]);
    assert_eq!(m.kernel.resources[0].held.name(), "rcu_read_lock");
    let f = common::fault(&format!(".ctx tc\n.map a array key=4 value=8 max_entries=1\n{KEY0}r1 = map[a] ll\ncall bpf_map_lookup_elem\nr6 = r0\nr1 = r6\ncall bpf_spin_lock\nr1 = r6\ncall bpf_spin_lock\nexit"));
    assert!(f.message.contains("deadlock"), "{}", f.message);
}

#[test]
fn bpf_loop_calls_the_callback_until_it_returns_1() {
    let src = "r6 = 0
*(u64 *)(r10 - 8) = r6
r1 = 10
r2 = cb ll
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r6 = *(u64 *)(r10 - 8)
exit
cb:
r3 = *(u64 *)(r2 + 0)
r3 += r1
*(u64 *)(r2 + 0) = r3
r0 = 0
if r1 < 4 goto +1
r0 = 1
exit";
    let m = run(src);
    // Iterations 0..=4; the fifth returns 1, so bpf_loop returns 5.
    assert_eq!(m.status, Status::Exited { return_value: 5 });
    assert_eq!(m.regs[6], 10);
    let all = src.replace("r0 = 1\nexit", "r0 = 0\nexit");
    let m = run(&all);
    assert_eq!(m.status, Status::Exited { return_value: 10 });
    assert_eq!(m.regs[6], 45);
    assert_eq!(
        m.kernel
            .events
            .iter()
            .filter(|e| e.name() == "call")
            .count(),
        10
    );
}

#[test]
fn bpf_throw_runs_the_exception_callback_and_leaks_what_frames_held() {
    let src = ".ctx tc
.globl cb(scalar)
.exception_callback cb
r6 = 5
call f
r0 = 1
exit
f:
r6 = 6
r1 = 1
call bpf_task_from_pid
r1 = 77
call bpf_throw
r0 = 2
exit
cb:
r0 = r1
r0 += 1
exit";
    let m = run(src);
    assert_eq!(m.status, Status::Exited { return_value: 78 });
    assert_eq!(
        names(&m),
        [
            "call",
            "acquire",
            "throw",
            "unwind_frame",
            "unwind_frame",
            "exception_callback",
            "exit",
            "leak"
        ]
    );
    let unwound: Vec<(usize, String)> = m
        .kernel
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::UnwindFrame { function, .. } => Some((e.pc, function.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(unwound, [(8, "f".to_string()), (1, "main".to_string())]);
    // Without a callback the default one returns the cookie.
    let m = run(".ctx tc\nr1 = 64\ncall bpf_throw\nr0 = 0\nexit");
    assert_eq!(m.status, Status::Exited { return_value: 64 });
    let EventKind::ExceptionCallback { function, .. } = &m.kernel.events[2].kind else {
        panic!()
    };
    assert_eq!(function, "default");
}

#[test]
fn frames_save_the_callee_saved_registers_their_function_names() {
    let src = "r6 = 6\nr7 = 7\nr8 = 8\nr9 = 9\ncall f\nr0 = r6\nr0 += r7\nr0 += r8\nr0 += r9\nexit\nf:\nr6 = 60\nr9 = 90\nr0 = 0\nexit";
    let p = common::program(src);
    let mut vm = unwind_vm::Vm::new(&p, &World::default(), Config::default()).unwrap();
    for _ in 0..6 {
        vm.step();
    }
    let m = vm.machine();
    let f = m.frames[1];
    assert_eq!(f.kind, FrameKind::Call);
    assert_eq!(f.saved_mask, 0b1001, "f uses r6 and r9");
    assert_eq!(
        (f.saved_reg(0), f.saved_reg(1), f.saved_reg(3)),
        (Some(6), None, Some(9))
    );
    assert_eq!(m.regs[6], 60);
    let snap = vm.snapshot();
    assert_eq!(snap.frames[1].callee_saved, ["r6", "r9"]);
    assert_eq!(
        snap.frames[1].saved,
        [
            ("r6".to_string(), "6".to_string()),
            ("r9".to_string(), "9".to_string())
        ]
    );
    vm.run();
    assert_eq!(vm.status(), &Status::Exited { return_value: 30 });
}

#[test]
fn the_world_is_deterministic() {
    let src = "call bpf_get_prandom_u32\nr6 = r0\ncall bpf_get_prandom_u32\nr7 = r0\ncall bpf_ktime_get_ns\nexit";
    let a = run(src);
    let b = run(src);
    assert_eq!(a.regs, b.regs);
    assert_ne!(a.regs[6], a.regs[7]);
    assert_eq!(
        a.regs[0],
        1_000_000_000 + 5,
        "1 ns per instruction from the start"
    );
    let world = World {
        prandom_seed: 1,
        ..World::default()
    };
    assert_ne!(
        machine_with(src, &world, Config::default()).regs[6],
        a.regs[6]
    );
}

#[test]
fn trace_printk_writes_the_trace_output() {
    let m = run("r1 = 0x000a6425 ll   // \"%d\\n\"
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 4
r3 = -5
call bpf_trace_printk
r6 = r0
r1 = r10
r1 += -8
r2 = 3               // no NUL inside the size: -EINVAL
call bpf_trace_printk
exit");
    assert_eq!(m.kernel.trace.len(), 1);
    assert_eq!(m.kernel.trace[0].text, "-5\n");
    assert_eq!(m.kernel.trace[0].pc, 7);
    assert_eq!(m.regs[6], 3);
    assert_eq!(m.regs[0] as i64, -22);
}

/// RFC patch 10's example: main -> s1 -> s2 -> throw, main's R6-R9 = A, B, C, D, s1 uses R6/R7,
/// s2 uses R8/R9. Walking the frames innermost first and taking each one's saved callee-saved
/// registers (step 3 of `arch_bpf_cleanup_frame_resource`) rebuilds main's A, B, C, D.
#[test]
fn saved_areas_rebuild_the_callers_registers_as_the_rfc_unwinder_does() {
    let src = ".ctx tc
r6 = 0xa
r7 = 0xb
r8 = 0xc
r9 = 0xd
call s1
r0 = 0
exit
s1:
r6 = 1
r7 = 2
call s2
r0 = 0
exit
s2:
r8 = 3
r9 = 4
r1 = 0
call bpf_throw
exit";
    let p = common::program(src);
    let mut vm = unwind_vm::Vm::new(&p, &World::default(), Config::default()).unwrap();
    let throw_pc = 15;
    assert!(vm.set_breakpoint(throw_pc, true));
    assert_eq!(vm.run(), unwind_vm::Stopped::Breakpoint);
    let m = vm.machine();
    assert_eq!(m.frames.len(), 3);
    let mut regs = [m.regs[6], m.regs[7], m.regs[8], m.regs[9]];
    assert_eq!(regs, [1, 2, 3, 4]);
    let mut after_each = Vec::new();
    for f in m.frames.iter().skip(1).rev() {
        for (k, r) in regs.iter_mut().enumerate() {
            if let Some(v) = f.saved_reg(k) {
                *r = v;
            }
        }
        after_each.push(regs);
    }
    assert_eq!(after_each, [[1, 2, 0xc, 0xd], [0xa, 0xb, 0xc, 0xd]]);
    assert_eq!(m.frames[1].saved_mask, 0b0011);
    assert_eq!(m.frames[2].saved_mask, 0b1100);
}

#[test]
fn declared_sizes_cannot_make_a_run_allocate_without_bound() {
    let p = common::program(".map big array key=4 value=4294967295 max_entries=1\nr0 = 0\nexit");
    let err = unwind_vm::Machine::new(&p, &World::default(), Config::default()).unwrap_err();
    assert!(err.to_string().contains("at most 4194304 bytes"), "{err}");
    // A ringbuf record above 4 MiB is refused (NULL) even when the ringbuf is larger.
    let m = run(".map rb ringbuf key=0 value=0 max_entries=4294967295
r1 = map[rb] ll
r2 = 0x400001
r3 = 0
call bpf_ringbuf_reserve
exit");
    assert_eq!(m.status, Status::Exited { return_value: 0 });
}

#[test]
fn a_run_holds_at_most_64_mib_of_regions() {
    // 4 KiB objects until 64 MiB is full (the setup holds a little over 4 KiB: stacks and ctx).
    let m = run(".ctx tracing
r6 = 0
l:
r1 = 4096
call bpf_obj_new
if r0 == 0 goto out
r6 += 1
if r6 < 20000 goto l
out:
r0 = r6
exit");
    let Status::Exited { return_value } = m.status else {
        panic!("{:?}", m.status)
    };
    assert_eq!(
        return_value,
        (unwind_vm::machine::MAX_RUN_MEMORY / 4096) - 2,
        "{return_value}"
    );
    assert!(m.mem.bytes <= unwind_vm::machine::MAX_RUN_MEMORY);
}

#[test]
fn event_log_trace_output_and_resource_table_are_bounded() {
    let config = Config {
        max_events: 10,
        max_call_events: 4,
        max_trace_bytes: 6,
        max_resources: 3,
        ..Config::default()
    };
    // 10 acquire/release pairs: the log keeps the first 10 events, the exit and the counts.
    let m = machine_with(
        ".ctx tracing\nr6 = 0\nl:\nr1 = 8\ncall bpf_obj_new\nr1 = r0\ncall bpf_obj_drop\nr6 += 1\nif r6 < 10 goto l\nr0 = 0\nexit",
        &World::default(),
        config.clone(),
    );
    assert_eq!(m.kernel.events.len(), 11);
    assert_eq!(m.kernel.events_dropped, 10);
    assert_eq!(m.kernel.events.last().unwrap().name(), "exit");
    // Trace output: "7\n" three times fits in 6 bytes; the fourth is counted.
    let m = machine_with(
        "r6 = 0\nr1 = 0x000a6425 ll\n*(u64 *)(r10 - 8) = r1\nl:\nr1 = r10\nr1 += -8\nr2 = 4\nr3 = 7\ncall bpf_trace_printk\nr6 += 1\nif r6 < 4 goto l\nexit",
        &World::default(),
        config.clone(),
    );
    assert_eq!((m.kernel.trace.len(), m.kernel.trace_dropped), (3, 1));
    assert_eq!(m.snapshot().trace_dropped, 1);
    // Resources: the fourth object is NULL; a fourth RCU section is a fault.
    let m = machine_with(
        ".ctx tracing\nr1 = 8\ncall bpf_obj_new\nr1 = 8\ncall bpf_obj_new\nr1 = 8\ncall bpf_obj_new\nr1 = 8\ncall bpf_obj_new\nexit",
        &World::default(),
        config.clone(),
    );
    assert_eq!(m.status, Status::Exited { return_value: 0 });
    let m = machine_with(
        "call bpf_rcu_read_lock\ncall bpf_rcu_read_lock\ncall bpf_rcu_read_lock\ncall bpf_rcu_read_lock\nexit",
        &World::default(),
        config,
    );
    let f = common::fault_of(&m);
    assert_eq!(f.pc, 3);
    assert!(f.message.contains("more than 3 resources"), "{}", f.message);
}

/// The kernel's `bpf_task_from_pid(1)` twice gives the same `task_struct` with its count
/// raised twice; each release drops one. The verifier still tracks two references.
const TASK_TWICE: &str = ".ctx tracing
r1 = 1
call bpf_task_from_pid
if r0 == 0 goto out
r6 = r0
r1 = 1
call bpf_task_from_pid
if r0 == 0 goto drop6
r7 = r0
r1 = r7
call bpf_task_release
drop6:
r1 = r6
call bpf_task_release
out:
r0 = 0
exit";

#[test]
fn acquiring_the_same_task_twice_aliases_with_a_count() {
    let m = run(TASK_TWICE);
    assert_eq!(m.status, Status::Exited { return_value: 0 });
    assert_eq!(
        names(&m),
        ["acquire", "acquire", "release", "release", "exit"]
    );
    let refs: Vec<_> = m
        .kernel
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Acquire { resource, .. } | EventKind::Release { resource, .. } => {
                Some((resource.id, resource.addr, resource.refcount))
            }
            _ => None,
        })
        .collect();
    let a = refs[0].1;
    assert_ne!(a, 0);
    // Same pointer both times, two reference ids, the count 1 (the world's) + the program's.
    assert_eq!(
        refs,
        [
            (1, a, Some(2)),
            (2, a, Some(3)),
            (2, a, Some(2)),
            (1, a, Some(1)),
        ]
    );
    assert!(m.kernel.resources.is_empty());
    assert_eq!(m.refcount(unwind_vm::memory::region_of(a)), Some(1));
    // The memory stayed mapped while one reference was left: after both, it is released.
    assert!(!m.mem.regions[unwind_vm::memory::region_of(a) as usize].live);
}

#[test]
fn the_program_holding_two_references_and_dropping_one_leaks_the_other() {
    // Drop the second release: the count ends one above the world's.
    let src = TASK_TWICE.replace("r1 = r6\ncall bpf_task_release\n", "");
    let m = run(&src);
    assert_eq!(m.status, Status::Exited { return_value: 0 });
    assert_eq!(names(&m), ["acquire", "acquire", "release", "exit", "leak"]);
    let EventKind::Leak { resource } = &m.kernel.events[4].kind else {
        panic!()
    };
    assert_eq!(
        (
            resource.held,
            resource.id,
            resource.acquired_pc,
            resource.refcount
        ),
        (Held::Resource(ResourceKind::Task), 1, 1, Some(2))
    );
    assert_eq!(
        m.kernel.events[4].describe(),
        "pc 11: leak task#1 acquired at pc 1 in frame 0, count 2 (the world holds 1)"
    );
}

#[test]
fn releasing_a_task_twice_is_a_double_release() {
    let src = ".ctx tracing
r1 = 1
call bpf_task_from_pid
r6 = r0
r1 = r6
call bpf_task_release
r1 = r6
call bpf_task_release
r0 = 0
exit";
    let f = common::fault(src);
    assert_eq!((f.pc, f.kind_name()), (6, "double_release"));
    assert!(
        f.message
            .starts_with("bpf_task_release: double release: a task at 0x"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("its count is back to the world's 1"),
        "{}",
        f.message
    );
    // Twice acquired, three releases: the third is past the program's references.
    let src = TASK_TWICE.replace(
        "r1 = r6\ncall bpf_task_release\n",
        "r1 = r6\ncall bpf_task_release\nr1 = r6\ncall bpf_task_release\n",
    );
    assert_eq!(common::fault(&src).kind_name(), "double_release");
    // Allocations are never aliased, and dropping one twice is also a double release.
    let f = common::fault(
        ".ctx tracing\nr1 = 8\ncall bpf_obj_new\nr6 = r0\nr1 = 8\ncall bpf_obj_new\nr7 = r0\nr1 = r6\ncall bpf_obj_drop\nr1 = r6\ncall bpf_obj_drop\nexit",
    );
    assert_eq!((f.pc, f.kind_name()), (9, "double_release"));
    // Something this program never held, or not at its start: release_not_held.
    let f = common::fault(".ctx tracing\nr1 = 5\ncall bpf_task_release\nexit");
    assert_eq!(f.kind_name(), "release_not_held");
    let f = common::fault(
        ".ctx tracing\nr1 = 1\ncall bpf_task_from_pid\nr1 = r0\nr1 += 4\ncall bpf_task_release\nexit",
    );
    assert_eq!(f.kind_name(), "release_not_held");
    assert!(
        f.message
            .contains("points 4 bytes into a task, not at its start"),
        "{}",
        f.message
    );
}

#[test]
fn cgroups_and_sockets_alias_too_and_objects_do_not() {
    let m = run(".ctx tracing
r1 = 1
call bpf_cgroup_from_id
r6 = r0
r1 = 1
call bpf_cgroup_from_id
r7 = r0
r1 = 16
call bpf_obj_new
r8 = r0
r1 = 16
call bpf_obj_new
r9 = r0
r1 = r8
call bpf_obj_drop
r1 = r9
call bpf_obj_drop
r1 = r6
call bpf_cgroup_release
r1 = r7
call bpf_cgroup_release
r0 = 0
exit");
    assert_eq!(m.status, Status::Exited { return_value: 0 });
    assert_eq!(m.regs[6], m.regs[7]);
    assert_ne!(m.regs[8], m.regs[9]);
    assert!(!names(&m).contains(&"leak"));

    let lookup = "r1 = r6\nr2 = r10\nr2 += -12\nr3 = 12\nr4 = -1\nr5 = 0\ncall bpf_sk_lookup_tcp\n";
    let src = format!(
        ".ctx tc
r6 = r1
r1 = 0
*(u32 *)(r10 - 12) = r1
*(u32 *)(r10 - 8) = r1
r1 = 0x50000000      // dport 80
*(u32 *)(r10 - 4) = r1
{lookup}if r0 == 0 goto out
r7 = r0
{lookup}if r0 == 0 goto one
r8 = r0
r1 = r8
call bpf_sk_release
one:
r1 = r7
call bpf_sk_release
out:
r0 = r7
r0 -= r8
exit"
    );
    let mut world = World::default();
    world.sockets.push(Socket {
        protocol: Protocol::Tcp,
        local: "0.0.0.0:80".into(),
        remote: None,
    });
    let m = machine_with(&src, &world, Config::default());
    assert_eq!(
        m.status,
        Status::Exited { return_value: 0 },
        "the same socket"
    );
    assert_eq!(
        names(&m),
        ["acquire", "acquire", "release", "release", "exit"]
    );
}

/// The simulated kernel loads no program into a prog array, so `bpf_tail_call` always finds
/// an empty slot and falls through, as the kernel's does (R0 untouched); a map that is not a
/// prog array is a bad argument.
#[test]
fn bpf_tail_call_to_an_empty_slot_falls_through() {
    let src = ".ctx tc
.map pa prog_array key=4 value=4 max_entries=4
r0 = 5
r2 = map[pa] ll
r3 = 1
call bpf_tail_call
r0 += 2
exit";
    assert_eq!(run(src).status, Status::Exited { return_value: 7 });
    let f = common::fault(&src.replace("prog_array", "array"));
    assert!(f.message.contains("not a prog_array"), "{}", f.message);
}
