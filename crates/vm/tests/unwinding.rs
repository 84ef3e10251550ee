//! Unwinding `bpf_throw` with frame descriptors (reference §4.7) and with the `runtime` mode's
//! table, on the example programs of `static/examples/`, with descriptor tables built by hand
//! from what the RFC's verifier produces for them (one `Observation` per path and frame,
//! merged with `DescTable::merge`, keyed by the pcs of the program after
//! `add_throw_trampoline`).

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use unwind_kernel::ResourceKind;
use unwind_program::Program;
use unwind_stackmap::{
    add_throw_trampoline, Content, DescTable, Entry, Location, Observation, Unmergeable,
};
use unwind_vm::{Config, EventKind, Machine, ReleasedBy, Status, Unwinding, World, DEFAULT_BUDGET};

fn example(name: &str) -> String {
    let path = format!(
        "{}/../../static/examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The program as the RFC runs it: every `bpf_throw` goes through the hidden trampoline.
fn patched(src: &str) -> Program {
    let p = common::program(src);
    let (q, map) = add_throw_trampoline(&p).expect("patch");
    // Only a function is appended: the pcs of the program's own instructions stay (the
    // descriptors below are keyed by pcs of `q`, found from its source spans).
    assert!((0..p.slots.len()).all(|pc| p.insn(pc).is_none() || map.insn[pc] == pc));
    q
}

/// The pc of the instruction on the `nth` source line (0-based) that contains `needle`.
fn pc_of(p: &Program, src: &str, needle: &str, nth: usize) -> usize {
    let line = src
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(nth)
        .unwrap_or_else(|| panic!("no line with {needle:?}"))
        .0 as u32
        + 1;
    p.spans
        .iter()
        .position(|s| s.line == line)
        .unwrap_or_else(|| panic!("no instruction on line {line}"))
}

fn res(kind: ResourceKind, id: u32) -> Content {
    Content::Resource {
        resource: kind,
        ref_obj_id: id,
        acquired_at: 0,
    }
}

const UNINIT: Content = Content::Unmergeable {
    why: Unmergeable::Uninit,
};

/// One path's contribution for one frame; `regs` lists R6-R9 (the RFC generates an entry for
/// each callee-saved register that holds a referenced pointer, a non-zero scalar or nothing).
fn obs(
    p: &Program,
    pc: usize,
    frame: u32,
    path: &str,
    stack: &[(i16, Content)],
    regs: [Option<Content>; 4],
) -> Observation {
    let mut entries: Vec<Entry> = stack
        .iter()
        .map(|&(off, content)| Entry {
            location: Location::Stack(off),
            content,
        })
        .collect();
    for (k, c) in regs.iter().enumerate() {
        if let Some(content) = c {
            entries.push(Entry {
                location: Location::Reg(6 + k as u8),
                content: *content,
            });
        }
    }
    Observation {
        pc,
        function: p.function_index_at(pc).expect("a function"),
        frame,
        path: path.into(),
        entries,
    }
}

fn table(observations: Vec<Observation>) -> Arc<DescTable> {
    let mut t = DescTable::default();
    let mut log = Vec::new();
    for o in observations {
        t.merge(o, &mut log).expect("the paths merge");
    }
    Arc::new(t)
}

fn world_ctx(hex: &str) -> World {
    World {
        ctx: Some(hex.into()),
        ..World::default()
    }
}

fn run(p: &Program, world: &World, unwinding: Unwinding) -> Machine {
    let mut m = Machine::new(
        p,
        world,
        Config {
            unwinding,
            ..Config::default()
        },
    )
    .expect("set up");
    m.run();
    m
}

fn lines(m: &Machine) -> Vec<String> {
    m.kernel.events.iter().map(|e| e.describe()).collect()
}

fn exit_value(m: &Machine) -> u64 {
    match &m.status {
        Status::Exited { return_value } => *return_value,
        s => panic!("expected an exit, got {s:?}\n{:#?}", lines(m)),
    }
}

/// No leak, nothing released twice, every release of a resource this run acquired before.
fn assert_clean(m: &Machine) {
    let mut acquired = BTreeMap::new();
    let mut released = BTreeMap::new();
    for e in &m.kernel.events {
        match &e.kind {
            EventKind::Acquire { resource, .. } => {
                acquired.insert(resource.id, resource.held);
            }
            EventKind::Release { resource, .. } => {
                assert_eq!(
                    acquired.get(&resource.id),
                    Some(&resource.held),
                    "release of a resource not acquired: {:#?}",
                    lines(m)
                );
                assert!(
                    released.insert(resource.id, ()).is_none(),
                    "released twice: {:#?}",
                    lines(m)
                );
            }
            EventKind::Leak { .. } => panic!("leak: {:#?}", lines(m)),
            EventKind::Fault { .. } => panic!("fault: {:#?}", lines(m)),
            _ => {}
        }
    }
    assert_eq!(acquired.len(), released.len(), "{:#?}", lines(m));
    assert!(m.kernel.resources.is_empty());
}

/// The address a resource gets in a run (deterministic: the same in every mode), from a
/// legacy run that leaks it.
fn leaked_addrs(p: &Program, world: &World) -> Vec<u64> {
    let m = run(p, world, Unwinding::DiscardFrames);
    m.kernel.resources.iter().map(|r| r.addr).collect()
}

const NZ: Content = Content::Unmergeable {
    why: Unmergeable::NonZeroScalar,
};

/// callee-saved.s: main's task in r6, level1's cgroup in r7, level2's object in r8 (and
/// level2 overwrites r6 with 42). The trampoline's frame hands the thrower's R6-R9 to the
/// unwinder; each level's saved area gives back its caller's.
fn callee_saved_table(p: &Program, src: &str) -> Arc<DescTable> {
    let throw = pc_of(p, src, "call bpf_throw", 0);
    let call_l2 = pc_of(p, src, "call level2", 0);
    let call_l1 = pc_of(p, src, "call level1", 0);
    let (obj, cg, task) = (
        res(ResourceKind::Object, 3),
        res(ResourceKind::Cgroup, 2),
        res(ResourceKind::Task, 1),
    );
    // One path reaches the throw; the frames' stacks hold nothing. Registers the frame never
    // wrote are NOT_INIT markers; level2's r6 = 42 is a non-zero scalar.
    table(vec![
        obs(
            p,
            throw,
            2,
            "level2",
            &[],
            [Some(NZ), Some(UNINIT), Some(obj), Some(UNINIT)],
        ),
        obs(
            p,
            call_l2,
            1,
            "level1",
            &[],
            [Some(UNINIT), Some(cg), Some(UNINIT), Some(UNINIT)],
        ),
        obs(
            p,
            call_l1,
            0,
            "main",
            &[],
            [Some(task), Some(UNINIT), Some(UNINIT), Some(UNINIT)],
        ),
    ])
}

#[test]
fn callee_saved_registers_are_restored_level_by_level() {
    let src = example("callee-saved.s");
    let p = patched(&src);
    let t = callee_saved_table(&p, &src);
    let [task, cgroup, object] = leaked_addrs(&p, &World::default())[..] else {
        panic!("the legacy run leaks three resources")
    };
    let m = run(&p, &World::default(), Unwinding::Descriptors(t));
    let tramp = p.functions.last().unwrap().start;
    let throw = pc_of(&p, &src, "call bpf_throw", 0);
    let call_l2 = pc_of(&p, &src, "call level2", 0);
    let call_l1 = pc_of(&p, &src, "call level1", 0);
    let bpf_throw = tramp + 4;
    assert_eq!(
        lines(&m),
        [
            "pc 1: acquire task#1 by bpf_task_from_pid, count 2".to_string(),
            format!("pc {call_l1}: call level1 (frame 1)"),
            "pc 10: acquire cgroup#2 by bpf_cgroup_from_id, count 2".into(),
            format!("pc {call_l2}: call level2 (frame 2)"),
            "pc 19: acquire object#3 by bpf_obj_new".into(),
            format!("pc {throw}: call bpf_throw_tramp (frame 3)"),
            format!("pc {bpf_throw}: throw, cookie 7"),
            // The trampoline: no descriptor; its prologue saved level2's R6-R9.
            format!("pc {bpf_throw}: unwind frame 3 (bpf_throw_tramp)"),
            format!("pc {bpf_throw}: restore r6 = 0x2a, r7 = {cgroup:#x}, r8 = {object:#x}, r9 = 0x0 from frame 3"),
            // level2 at the throwing call: its object in r8; then what its prologue saved
            // (level1's r6, which is main's task, and r8).
            format!("pc {throw}: unwind frame 2 (level2)"),
            format!("pc {throw}: release object#3 by bpf_obj_drop (unwinder, r8 of frame 2)"),
            format!("pc {throw}: restore r6 = {task:#x}, r8 = 0x0 from frame 2"),
            format!("pc {call_l2}: unwind frame 1 (level1)"),
            format!("pc {call_l2}: release cgroup#2 by bpf_cgroup_release (unwinder, r7 of frame 1), count 1"),
            format!("pc {call_l2}: restore r7 = 0x0 from frame 1"),
            format!("pc {call_l1}: unwind frame 0 (main)"),
            // main's task came back into r6 although level2 had overwritten it.
            format!("pc {call_l1}: release task#1 by bpf_task_release (unwinder, r6 of frame 0), count 1"),
            format!("pc {bpf_throw}: exception callback default with cookie 7"),
            format!("pc {bpf_throw}: exit, r0 = 7"),
        ]
    );
    assert_eq!(exit_value(&m), 7);
    assert_clean(&m);
    // The release events name the frame and the register, in JSON too.
    let json = serde_json::to_value(&m.kernel.events[10]).unwrap();
    assert_eq!(json["by"], "unwinder");
    assert_eq!(json["location"], "r8");
    assert_eq!(json["depth"], 2);
    assert_eq!(json["function"], "bpf_obj_drop");
    let json = serde_json::to_value(&m.kernel.events[11]).unwrap();
    assert_eq!(json["registers"], serde_json::json!(["r6", "r8"]));
    assert_eq!(json["values"], serde_json::json!([task.to_string(), "0"]));
    // Descriptors mode does nothing of the runtime table's.
    assert_eq!(m.kernel.runtime_table_ops, 0);

    // Legacy: the same walk, nothing released, nothing restored, three leaks.
    let m = run(&p, &World::default(), Unwinding::DiscardFrames);
    let names: Vec<_> = m.kernel.events.iter().map(|e| e.name()).collect();
    assert_eq!(names.iter().filter(|&&n| n == "leak").count(), 3);
    assert!(!names.contains(&"release") && !names.contains(&"restore_regs"));
}

/// null-merge.s: fp-8 is NULL on one path and the object on the other; the merged descriptor
/// says "fp-8: object" and the unwinder skips the slot when it is NULL at run time.
#[test]
fn null_merge_releases_the_object_or_skips_null() {
    let src = example("null-merge.s");
    let p = patched(&src);
    let throw = pc_of(&p, &src, "call bpf_throw", 0);
    let regs = [None, Some(UNINIT), Some(UNINIT), Some(UNINIT)]; // r6 = ctx: no entry
    let t = table(vec![
        obs(&p, throw, 0, "short packet", &[(-8, Content::Null)], regs),
        obs(&p, throw, 0, "object NULL", &[(-8, Content::Null)], regs),
        obs(
            &p,
            throw,
            0,
            "object",
            &[(-8, res(ResourceKind::Object, 2))],
            regs,
        ),
    ]);
    assert_eq!(
        t.get(throw).unwrap().releases().collect::<Vec<_>>(),
        [(Location::Stack(-8), ResourceKind::Object)]
    );
    let tramp = p.functions.last().unwrap().start;
    // skb->len = 64, skb->protocol = 0: the object is allocated and the throw taken.
    let m = run(
        &p,
        &world_ctx("40000000"),
        Unwinding::Descriptors(t.clone()),
    );
    let acquire = pc_of(&p, &src, "call bpf_obj_new", 0);
    // main's r6 is the ctx pointer: the trampoline saved it with the rest.
    let ctx = unwind_vm::memory::addr(m.ctx_region, 0);
    assert_eq!(
        lines(&m),
        [
            format!("pc {acquire}: acquire object#1 by bpf_obj_new"),
            format!("pc {throw}: call bpf_throw_tramp (frame 1)"),
            format!("pc {}: throw, cookie 1", tramp + 4),
            format!("pc {}: unwind frame 1 (bpf_throw_tramp)", tramp + 4),
            format!(
                "pc {}: restore r6 = {ctx:#x}, r7 = 0x0, r8 = 0x0, r9 = 0x0 from frame 1",
                tramp + 4
            ),
            format!("pc {throw}: unwind frame 0 (main)"),
            format!("pc {throw}: release object#1 by bpf_obj_drop (unwinder, fp-8 of frame 0)"),
            format!("pc {}: exception callback default with cookie 1", tramp + 4),
            format!("pc {}: exit, r0 = 1", tramp + 4),
        ]
    );
    assert_clean(&m);
    // skb->len = 0: no object, fp-8 is NULL, nothing is released.
    let m = run(&p, &world_ctx("00"), Unwinding::Descriptors(t.clone()));
    assert_eq!(exit_value(&m), 1);
    assert!(m
        .kernel
        .events
        .iter()
        .all(|e| e.name() != "release" && e.name() != "acquire"));
    assert_clean(&m);
    // The default packet (protocol ETH_P_802_2) does not throw: the program drops the object.
    let m = run(&p, &World::default(), Unwinding::Descriptors(t));
    assert_eq!(exit_value(&m), 0);
    assert!(m.kernel.events.iter().all(|e| e.name() != "throw"));
    assert_clean(&m);
}

fn loophole_table(p: &Program, src: &str) -> Arc<DescTable> {
    let throw = pc_of(p, src, "call bpf_throw", 0);
    let call = pc_of(p, src, "call global_may_throw", 0);
    let none = [Some(UNINIT), Some(UNINIT), Some(UNINIT), Some(UNINIT)];
    table(vec![
        obs(p, throw, 1, "len < 1000", &[], none),
        // main at the call site: the object spilled to fp-8; r6 holds the ctx (no entry).
        obs(
            p,
            call,
            0,
            "object",
            &[(-8, res(ResourceKind::Object, 2))],
            [None, Some(UNINIT), Some(UNINIT), Some(UNINIT)],
        ),
    ])
}

/// global-loophole.s: legacy leaks main's object; descriptors release it from fp-8; the runtime
/// table releases it too.
#[test]
fn global_loophole_in_every_unwinding_mode() {
    let src = example("global-loophole.s");
    let p = patched(&src);
    let call = pc_of(&p, &src, "call global_may_throw", 0);

    let m = run(&p, &World::default(), Unwinding::DiscardFrames);
    assert_eq!(exit_value(&m), 3);
    let leaks: Vec<_> = lines(&m)
        .into_iter()
        .filter(|l| l.contains("leak"))
        .collect();
    assert_eq!(
        leaks,
        [format!(
            "pc {}: leak object#1 acquired at pc 2 in frame 0",
            p.functions.last().unwrap().start + 4
        )]
    );

    let m = run(
        &p,
        &World::default(),
        Unwinding::Descriptors(loophole_table(&p, &src)),
    );
    assert_eq!(exit_value(&m), 3);
    assert_clean(&m);
    let release: Vec<_> = lines(&m)
        .into_iter()
        .filter(|l| l.contains("release"))
        .collect();
    assert_eq!(
        release,
        [format!(
            "pc {call}: release object#1 by bpf_obj_drop (unwinder, fp-8 of frame 0)"
        )]
    );

    // The runtime table needs no descriptor (nor the trampoline).
    for p in [p.clone(), common::program(&src)] {
        let m = run(&p, &World::default(), Unwinding::RuntimeTable);
        assert_eq!(exit_value(&m), 3);
        assert_clean(&m);
        let release: Vec<_> = m
            .kernel
            .events
            .iter()
            .filter_map(|e| match &e.kind {
                EventKind::Release {
                    function,
                    by,
                    resource,
                    ..
                } => Some((*function, *by, resource.id)),
                _ => None,
            })
            .collect();
        assert_eq!(release, [("bpf_obj_drop", ReleasedBy::RuntimeTable, 1)]);
        // One record at the acquisition, one removal at the throw.
        assert_eq!(m.kernel.runtime_table_ops, 2);
        assert!(m.kernel.runtime_table.is_empty());
    }
}

/// A frame that holds a resource but has no descriptor is a fault naming it, not a panic; a
/// frame with no descriptor and nothing held is passed.
#[test]
fn a_missing_descriptor_is_a_fault() {
    let src = example("global-loophole.s");
    let p = patched(&src);
    let call = pc_of(&p, &src, "call global_may_throw", 0);
    let m = run(
        &p,
        &World::default(),
        Unwinding::Descriptors(Arc::new(DescTable::default())),
    );
    let fault = common::fault_of(&m);
    assert_eq!(fault.kind_name(), "unwind");
    assert_eq!(fault.pc, call);
    assert_eq!(
        fault.message,
        format!("unwinding: no frame descriptor for pc {call} (frame 0, main), which holds object#1 in fp-8")
    );
    // exception-callback.s holds nothing: an empty table is fine.
    let src = example("exception-callback.s");
    let p = patched(&src);
    let m = run(
        &p,
        &World::default(),
        Unwinding::Descriptors(Arc::new(DescTable::default())),
    );
    assert_eq!(exit_value(&m), 164);
}

/// conflicting-slot.s: the two paths cannot merge (the verifier refuses in `cleanup`). Given
/// only the object path's descriptor, a run down the record path shows why: the unwinder
/// would hand a ringbuf record to bpf_obj_drop, and faults instead. The runtime table needs no
/// descriptor and releases either.
#[test]
fn conflicting_slot() {
    let src = example("conflicting-slot.s");
    let p = patched(&src);
    let throw = pc_of(&p, &src, "call bpf_throw", 0);
    let regs = |r7| [None, Some(r7), Some(UNINIT), Some(UNINIT)];
    let object = obs(
        &p,
        throw,
        0,
        "object",
        &[(-8, res(ResourceKind::Object, 2))],
        regs(Content::Null),
    );
    let record = obs(
        &p,
        throw,
        0,
        "record",
        &[(-8, res(ResourceKind::RingbufRecord, 3))],
        regs(NZ),
    );
    let mut t = DescTable::default();
    t.merge(object.clone(), &mut Vec::new()).unwrap();
    let err = t.merge(record, &mut Vec::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "frame_desc: merge: failed to merge old and new frame desc entry"
    );

    // skb->len = 0 (object), skb->protocol = 0: throws holding the object.
    let m = run(
        &p,
        &world_ctx("00"),
        Unwinding::Descriptors(Arc::new(t.clone())),
    );
    assert_eq!(exit_value(&m), 2);
    assert_clean(&m);
    // skb->len = 200 (record): the object-only descriptor names fp-8 as an object.
    let long = world_ctx("c8000000");
    let m = run(&p, &long, Unwinding::Descriptors(Arc::new(t)));
    let fault = common::fault_of(&m);
    assert_eq!(fault.kind_name(), "unwind");
    assert!(
        fault.message.contains(&format!(
            "the frame descriptor for pc {throw} names fp-8 of frame 0 (main) as an object"
        )),
        "{}",
        fault.message
    );
    for world in [world_ctx("00"), long] {
        let m = run(&p, &world, Unwinding::RuntimeTable);
        assert_eq!(exit_value(&m), 2);
        assert_clean(&m);
        assert_eq!(m.kernel.runtime_table_ops, 2);
    }
    let m = run(&p, &world_ctx("c8000000"), Unwinding::RuntimeTable);
    assert!(
        lines(&m)
            .iter()
            .any(|l| l.contains("release ringbuf_record#1 by bpf_ringbuf_discard (runtime table)")),
        "{:#?}",
        lines(&m)
    );
}

/// exception-callback.s: the callback gets the cookie (skb->len, 64 on the default test
/// packet of a tc program) and its R0 is the result.
#[test]
fn exception_callback_result() {
    let src = example("exception-callback.s");
    let p = patched(&src);
    let throw = pc_of(&p, &src, "call bpf_throw", 0);
    // The packet length the VM gives tc programs.
    let m = run(
        &common::program(".ctx tc\nr0 = *(u32 *)(r1 + 0)\nexit"),
        &World::default(),
        Unwinding::DiscardFrames,
    );
    assert_eq!(exit_value(&m), 64);
    let none = [Some(UNINIT), Some(UNINIT), Some(UNINIT), Some(UNINIT)];
    let t = table(vec![obs(&p, throw, 0, "len <= 1500", &[], none)]);
    let m = run(&p, &World::default(), Unwinding::Descriptors(t));
    let tramp = p
        .functions
        .iter()
        .find(|f| f.name == "bpf_throw_tramp")
        .unwrap()
        .start;
    assert_eq!(
        lines(&m),
        [
            format!("pc {throw}: call bpf_throw_tramp (frame 1)"),
            format!("pc {}: throw, cookie 64", tramp + 4),
            format!("pc {}: unwind frame 1 (bpf_throw_tramp)", tramp + 4),
            format!(
                "pc {}: restore r6 = 0x0, r7 = 0x0, r8 = 0x0, r9 = 0x0 from frame 1",
                tramp + 4
            ),
            format!("pc {throw}: unwind frame 0 (main)"),
            format!(
                "pc {}: exception callback on_exception with cookie 64",
                tramp + 4
            ),
            format!(
                "pc {}: exit, r0 = 164",
                p.functions
                    .iter()
                    .find(|f| f.name == "on_exception")
                    .unwrap()
                    .start
                    + 2
            ),
        ]
    );
    assert_eq!(exit_value(&m), 164);
    for mode in [Unwinding::DiscardFrames, Unwinding::RuntimeTable] {
        assert_eq!(exit_value(&run(&p, &World::default(), mode)), 164);
    }
}

/// runtime-tracking.s: nothing throws on the default packet. With descriptors the run executes
/// exactly the program's instructions and does no table work; the runtime table records and
/// removes each of the ten objects.
#[test]
fn runtime_tracking_costs_only_in_runtime_mode() {
    let src = example("runtime-tracking.s");
    let plain = common::program(&src);
    let p = patched(&src);
    let throw = pc_of(&p, &src, "call bpf_throw", 0);
    let t = table(vec![obs(
        &p,
        throw,
        0,
        "len == 0",
        &[],
        [None, Some(Content::Null), Some(UNINIT), Some(UNINIT)],
    )]);
    let legacy = run(&plain, &World::default(), Unwinding::DiscardFrames);
    let desc = run(&p, &World::default(), Unwinding::Descriptors(t.clone()));
    let runtime = run(&p, &World::default(), Unwinding::RuntimeTable);
    for m in [&legacy, &desc, &runtime] {
        assert_eq!(exit_value(m), 0);
        assert_clean(m);
    }
    // 2 + 10 iterations of 7 + 5 at the end.
    assert_eq!(legacy.insns, 2 + 10 * 7 + 4);
    assert_eq!(desc.insns, legacy.insns);
    assert_eq!(desc.kernel.runtime_table_ops, 0);
    assert_eq!(runtime.insns, legacy.insns);
    assert_eq!(runtime.kernel.runtime_table_ops, 20);
    assert_eq!(desc.kernel.events, legacy.kernel.events);
    // skb->len = 0: the throw holds nothing; the same in every mode.
    for mode in [Unwinding::Descriptors(t), Unwinding::RuntimeTable] {
        let m = run(&p, &world_ctx("00"), mode);
        assert_eq!(exit_value(&m), 9);
        assert_clean(&m);
    }
}

/// The stepper can step back over an unwinding and the runtime table's work.
#[test]
fn stepping_back_over_unwinding() {
    for (name, unwinding) in [
        ("callee-saved.s", None),
        ("global-loophole.s", Some(Unwinding::RuntimeTable)),
    ] {
        let src = example(name);
        let p = patched(&src);
        let unwinding =
            unwinding.unwrap_or_else(|| Unwinding::Descriptors(callee_saved_table(&p, &src)));
        let config = Config {
            unwinding,
            ..Config::default()
        };
        let mut vm = unwind_vm::Vm::new(&p, &World::default(), config).unwrap();
        let start = vm.snapshot();
        let mut n = 0;
        while vm.step() != unwind_vm::Stopped::Ended {
            n += 1;
        }
        let end_events = vm.events().len();
        assert!(end_events > 5);
        assert_eq!(vm.back(n + 1), n + 1);
        assert_eq!(vm.snapshot(), start);
        assert_eq!(vm.machine().kernel.runtime_table_ops, 0);
        assert!(vm.machine().kernel.runtime_table.is_empty());
        vm.run();
        assert_eq!(vm.events().len(), end_events);
        assert_clean(vm.machine());
    }
    let _ = DEFAULT_BUDGET;
}

/// Random programs: up to three levels of static calls, each acquiring objects, tasks and
/// cgroups (some of which come back NULL) into stack slots or callee-saved registers,
/// releasing some of them (and zeroing the location), overwriting callee-saved registers
/// with scalars (which the callee's prologue saves), then calling the next level; the last
/// level throws or jumps over its throw. The descriptors are what the RFC's verifier would
/// generate for the one path to each throw and call site, built alongside the program.
mod random {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    pub enum Op {
        /// kind 0 object, 1 task, 2 cgroup; `ok` false: an argument that gives NULL; `loc`
        /// 0..4 = r6..r9, 4..8 = fp-8..fp-32.
        Acquire {
            kind: u8,
            ok: bool,
            loc: u8,
        },
        Release {
            which: u8,
        },
        Scratch {
            reg: u8,
        },
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum State {
        Untouched,
        Held(ResourceKind, bool),
        Null,
        Scratch,
    }

    pub fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u8..3, proptest::bool::weighted(0.8), 0u8..8)
                .prop_map(|(kind, ok, loc)| Op::Acquire { kind, ok, loc }),
            2 => any::<u8>().prop_map(|which| Op::Release { which }),
            1 => (0u8..4).prop_map(|reg| Op::Scratch { reg }),
        ]
    }

    /// One frame's view at its pc: (pc, frame number, entries).
    pub type FrameView = (usize, u32, Vec<(Location, Content)>);

    pub struct Built {
        pub source: String,
        pub observations: Vec<FrameView>,
        /// Non-NULL resources held at the throw.
        pub held_at_throw: usize,
    }

    fn loc_name(loc: u8) -> String {
        if loc < 4 {
            format!("r{}", 6 + loc)
        } else {
            format!("*(u64 *)(r10 - {})", 8 * (loc as i32 - 3))
        }
    }

    fn location(loc: u8) -> Location {
        if loc < 4 {
            Location::Reg(6 + loc)
        } else {
            Location::Stack(-8 * (loc as i16 - 3))
        }
    }

    pub fn build(levels: &[Vec<Op>], throws: bool, cookie: u8) -> Built {
        let mut funcs: Vec<Vec<(String, bool)>> = Vec::new();
        let mut observations = Vec::new();
        let mut held_at_throw = 0;
        let mut label = 0;
        let mut pc = 0usize;
        for (depth, ops) in levels.iter().enumerate() {
            let mut lines: Vec<(String, bool)> = Vec::new();
            let emit = |lines: &mut Vec<(String, bool)>, pc: &mut usize, s: String| {
                lines.push((s, true));
                *pc += 1;
            };
            if depth > 0 {
                lines.push((format!("level{depth}:"), false));
            }
            let mut state = [State::Untouched; 8];
            let release = |lines: &mut Vec<(String, bool)>,
                           pc: &mut usize,
                           label: &mut usize,
                           loc: u8,
                           kind: ResourceKind| {
                lines.push((format!("r1 = {}", loc_name(loc)), true));
                lines.push((format!("if r1 == 0 goto skip{}", *label), true));
                lines.push((format!("call {}", kind.release_function()), true));
                lines.push((format!("skip{}:", *label), false));
                *label += 1;
                *pc += 3;
                if loc < 4 {
                    lines.push((format!("{} = 0", loc_name(loc)), true));
                    *pc += 1;
                } else {
                    lines.push(("r1 = 0".into(), true));
                    lines.push((format!("{} = r1", loc_name(loc)), true));
                    *pc += 2;
                }
            };
            for op in ops {
                match *op {
                    Op::Acquire { kind, ok, loc } => {
                        if matches!(state[loc as usize], State::Held(..)) {
                            continue;
                        }
                        let (call, arg, k) = match kind {
                            0 => ("bpf_obj_new", if ok { 16 } else { 0 }, ResourceKind::Object),
                            1 => (
                                "bpf_task_from_pid",
                                if ok { 1 } else { 99 },
                                ResourceKind::Task,
                            ),
                            _ => (
                                "bpf_cgroup_from_id",
                                if ok { 1 } else { 99 },
                                ResourceKind::Cgroup,
                            ),
                        };
                        emit(&mut lines, &mut pc, format!("r1 = {arg}"));
                        emit(&mut lines, &mut pc, format!("call {call}"));
                        emit(&mut lines, &mut pc, format!("{} = r0", loc_name(loc)));
                        state[loc as usize] = State::Held(k, ok);
                    }
                    Op::Release { which } => {
                        let held: Vec<u8> = (0..8u8)
                            .filter(|&l| matches!(state[l as usize], State::Held(..)))
                            .collect();
                        if held.is_empty() {
                            continue;
                        }
                        let loc = held[which as usize % held.len()];
                        let State::Held(k, _) = state[loc as usize] else {
                            unreachable!()
                        };
                        release(&mut lines, &mut pc, &mut label, loc, k);
                        state[loc as usize] = State::Null;
                    }
                    Op::Scratch { reg } => {
                        if matches!(state[reg as usize], State::Held(..)) {
                            continue;
                        }
                        emit(&mut lines, &mut pc, format!("{} = 42", loc_name(reg)));
                        state[reg as usize] = State::Scratch;
                    }
                }
            }
            // What the RFC's verifier sees in this frame at its throw or call site.
            let entries: Vec<(Location, Content)> = (0..8u8)
                .filter_map(|l| {
                    let c = match state[l as usize] {
                        State::Held(k, _) => res(k, 1),
                        State::Null => Content::Null,
                        State::Scratch => NZ,
                        State::Untouched if l < 4 => UNINIT,
                        State::Untouched => return None,
                    };
                    Some((location(l), c))
                })
                .collect();
            held_at_throw += state
                .iter()
                .filter(|s| matches!(s, State::Held(_, true)))
                .count();
            if depth + 1 < levels.len() {
                observations.push((pc, depth as u32, entries));
                emit(&mut lines, &mut pc, format!("call level{}", depth + 1));
            } else {
                if !throws {
                    emit(&mut lines, &mut pc, "goto no_throw".into());
                }
                emit(&mut lines, &mut pc, format!("r1 = {cookie}"));
                observations.push((pc, depth as u32, entries));
                emit(&mut lines, &mut pc, "call bpf_throw".into());
                if !throws {
                    lines.push(("no_throw:".into(), false));
                }
            }
            for l in 0..8u8 {
                if let State::Held(k, _) = state[l as usize] {
                    release(&mut lines, &mut pc, &mut label, l, k);
                }
            }
            emit(&mut lines, &mut pc, "r0 = 0".into());
            emit(&mut lines, &mut pc, "exit".into());
            funcs.push(lines);
        }
        let mut source = String::from(".ctx tc\n");
        for lines in funcs {
            for (l, _) in lines {
                source += &l;
                source.push('\n');
            }
        }
        Built {
            source,
            observations,
            held_at_throw: if throws { held_at_throw } else { 0 },
        }
    }
}

proptest::proptest! {
    // 400 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(400)
    ))]

    /// Every run with descriptors, and every run with the runtime table, ends with no leak,
    /// nothing released twice, and every release of a resource the run acquired; the
    /// unwinder releases exactly what the frames held. Without a throw, descriptors cost
    /// nothing: the same instructions as the plain program, no table work.
    #[test]
    fn unwinding_releases_exactly_what_the_frames_hold(
        levels in proptest::collection::vec(proptest::collection::vec(random::op(), 0..7), 1..4),
        throws in proptest::bool::ANY,
        cookie in 1u8..100,
    ) {
        let built = random::build(&levels, throws, cookie);
        let src = &built.source;
        let p = patched(src);
        let observations = built
            .observations
            .iter()
            .map(|(pc, frame, entries)| {
                let stack: Vec<(i16, Content)> = entries
                    .iter()
                    .filter_map(|(l, c)| match l {
                        Location::Stack(off) => Some((*off, *c)),
                        _ => None,
                    })
                    .collect();
                let mut regs = [None; 4];
                for (l, c) in entries {
                    if let Location::Reg(r) = l {
                        regs[(*r - 6) as usize] = Some(*c);
                    }
                }
                obs(&p, *pc, *frame, "the path", &stack, regs)
            })
            .collect();
        for (pc, _, _) in &built.observations {
            proptest::prop_assert!(matches!(p.insn(*pc), Some(unwind_isa::Insn::Call(_))), "pc {} of\n{}", pc, src);
        }
        let t = table(observations);
        let expected = if throws { cookie as u64 } else { 0 };
        let desc = run(&p, &World::default(), Unwinding::Descriptors(t));
        proptest::prop_assert_eq!(exit_value(&desc), expected, "{}", src);
        assert_clean(&desc);
        let by_unwinder = desc
            .kernel
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Release { by: ReleasedBy::Unwinder, .. }))
            .count();
        proptest::prop_assert_eq!(by_unwinder, built.held_at_throw, "{}", src);

        let runtime = run(&p, &World::default(), Unwinding::RuntimeTable);
        proptest::prop_assert_eq!(exit_value(&runtime), expected);
        assert_clean(&runtime);
        let by_table = runtime
            .kernel
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Release { by: ReleasedBy::RuntimeTable, .. }))
            .count();
        proptest::prop_assert_eq!(by_table, built.held_at_throw);
        proptest::prop_assert_eq!(runtime.insns, desc.insns);

        let legacy = run(&p, &World::default(), Unwinding::DiscardFrames);
        let leaks = legacy.kernel.events.iter().filter(|e| e.name() == "leak").count();
        proptest::prop_assert_eq!(leaks, built.held_at_throw);
        if !throws {
            proptest::prop_assert_eq!(desc.insns, run(&common::program(src), &World::default(), Unwinding::DiscardFrames).insns);
            proptest::prop_assert_eq!(desc.kernel.runtime_table_ops, 0);
        }
    }
}

/// Within a frame: stack slots from fp-8 downwards, then R6 to R9; each kind with its release
/// function from the catalogue; NULL skipped (r8 holds a failed allocation).
#[test]
fn release_order_and_release_functions() {
    let src = ".ctx tc
.map events ringbuf key=0 value=0 max_entries=4096
	r6 = r1
	r1 = 0x0100000a
	*(u32 *)(r10 - 48) = r1
	r1 = 0x0200000a
	*(u32 *)(r10 - 44) = r1
	r1 = 0x50003930
	*(u32 *)(r10 - 40) = r1
	r1 = r6
	r2 = r10
	r2 += -48
	r3 = 12
	r4 = -1
	r5 = 0
	call bpf_sk_lookup_tcp
	*(u64 *)(r10 - 16) = r0
	r1 = map[events] ll
	r2 = 16
	r3 = 0
	call bpf_ringbuf_reserve
	*(u64 *)(r10 - 8) = r0
	r1 = 1
	call bpf_cgroup_from_id
	*(u64 *)(r10 - 24) = r0
	r1 = 1
	call bpf_task_from_pid
	r6 = r0
	r1 = 16
	call bpf_obj_new
	r7 = r0
	r1 = 4097
	call bpf_obj_new
	r8 = r0
	r1 = 0
	call bpf_throw
	r0 = 0
	exit
";
    let p = patched(src);
    let throw = pc_of(&p, src, "call bpf_throw", 0);
    let t = table(vec![obs(
        &p,
        throw,
        0,
        "the path",
        &[
            (-24, res(ResourceKind::Cgroup, 3)),
            (-16, res(ResourceKind::Socket, 1)),
            (-8, res(ResourceKind::RingbufRecord, 2)),
            // The tuple's bytes: data, not a resource.
            (
                -48,
                Content::Unmergeable {
                    why: Unmergeable::Misc,
                },
            ),
        ],
        [
            Some(res(ResourceKind::Task, 4)),
            Some(res(ResourceKind::Object, 5)),
            Some(res(ResourceKind::Object, 6)),
            Some(UNINIT),
        ],
    )]);
    let mut world = World::default();
    world.sockets.push(unwind_vm::world::Socket {
        protocol: unwind_vm::world::Protocol::Tcp,
        local: "10.0.0.2:80".into(),
        remote: None,
    });
    let m = run(&p, &world, Unwinding::Descriptors(t));
    assert_eq!(exit_value(&m), 0);
    assert_clean(&m);
    let released: Vec<(&str, String, String)> = m
        .kernel
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Release {
                function,
                resource,
                location,
                ..
            } => Some((*function, resource.label(), location.clone().unwrap())),
            _ => None,
        })
        .collect();
    let expect = [
        ("bpf_ringbuf_discard", "ringbuf_record#2", "fp-8"),
        ("bpf_sk_release", "socket#1", "fp-16"),
        ("bpf_cgroup_release", "cgroup#3", "fp-24"),
        ("bpf_task_release", "task#4", "r6"),
        ("bpf_obj_drop", "object#5", "r7"),
    ];
    let expect: Vec<(&str, String, String)> = expect
        .iter()
        .map(|(f, r, l)| (*f, r.to_string(), l.to_string()))
        .collect();
    assert_eq!(released, expect);

    // A cpumask, in a program type that may create one.
    let src = ".ctx tracing
	call bpf_cpumask_create
	*(u64 *)(r10 - 8) = r0
	r1 = 4
	call bpf_throw
	r0 = 0
	exit
";
    let p = patched(src);
    let throw = pc_of(&p, src, "call bpf_throw", 0);
    let t = table(vec![obs(
        &p,
        throw,
        0,
        "the path",
        &[(-8, res(ResourceKind::Cpumask, 1))],
        [Some(UNINIT); 4],
    )]);
    let m = run(&p, &World::default(), Unwinding::Descriptors(t));
    assert_eq!(exit_value(&m), 4);
    assert_clean(&m);
    assert!(lines(&m).iter().any(
        |l| l.contains("release cpumask#1 by bpf_cpumask_release (unwinder, fp-8 of frame 0)")
    ));
}

/// A throw from a `bpf_loop` callback (the verifier refuses it; run unverified): the
/// callback's frame is unwound at the throw, main's at its `bpf_loop` call.
#[test]
fn throw_from_a_loop_callback() {
    let src = ".ctx tc
	r1 = 16
	call bpf_obj_new
	*(u64 *)(r10 - 8) = r0
	r1 = 3
	r2 = cb ll
	r3 = 0
	r4 = 0
	call bpf_loop
	r1 = *(u64 *)(r10 - 8)
	if r1 == 0 goto out
	call bpf_obj_drop
out:
	r0 = 0
	exit
cb:
	if r1 != 1 goto next
	r1 = 11
	call bpf_throw
next:
	r0 = 0
	exit
";
    let p = patched(src);
    let at_loop = pc_of(&p, src, "call bpf_loop", 0);
    let throw = pc_of(&p, src, "call bpf_throw", 0);
    let m = run(
        &p,
        &World::default(),
        Unwinding::Descriptors(Arc::new(DescTable::default())),
    );
    assert_eq!(common::fault_of(&m).pc, at_loop);
    let t = table(vec![
        obs(&p, throw, 1, "cb", &[], [Some(UNINIT); 4]),
        obs(
            &p,
            at_loop,
            0,
            "main",
            &[(-8, res(ResourceKind::Object, 1))],
            [Some(UNINIT); 4],
        ),
    ]);
    let m = run(&p, &World::default(), Unwinding::Descriptors(t));
    assert_eq!(exit_value(&m), 11);
    assert_clean(&m);
    assert!(lines(&m).iter().any(|l| l
        == &format!("pc {at_loop}: release object#1 by bpf_obj_drop (unwinder, fp-8 of frame 0)")));
    let m = run(&p, &World::default(), Unwinding::RuntimeTable);
    assert_eq!(exit_value(&m), 11);
    assert_clean(&m);
}

fn any_location() -> impl proptest::strategy::Strategy<Value = Location> {
    use proptest::prelude::*;
    prop_oneof![
        (-80i16..8).prop_map(|o| Location::Stack(o * 8)),
        any::<i16>().prop_map(Location::Stack),
        (0u8..12).prop_map(Location::Reg),
    ]
}

fn any_content() -> impl proptest::strategy::Strategy<Value = Content> {
    use proptest::prelude::*;
    prop_oneof![
        (0..ResourceKind::ALL.len()).prop_map(|k| res(ResourceKind::ALL[k], 1)),
        Just(Content::Null),
        Just(UNINIT),
        Just(NZ),
    ]
}

proptest::proptest! {
    /// Whatever the descriptors say (wrong pcs, wrong kinds, odd offsets, registers outside
    /// R6-R9), unwinding the examples ends in an exit or a fault, never a panic, and never
    /// releases something twice or something not acquired.
    #[test]
    fn wrong_descriptors_never_panic(
        example_index in 0usize..6,
        entries in proptest::collection::vec((0usize..64, any_location(), any_content()), 0..12),
        ctx in proptest::sample::select(vec!["00", "40000000", "c8000000", "ff0f0000"]),
    ) {
        let names = ["null-merge.s", "callee-saved.s", "global-loophole.s", "conflicting-slot.s", "exception-callback.s", "runtime-tracking.s"];
        let src = example(names[example_index]);
        let p = patched(&src);
        let mut t = DescTable::default();
        for (pc, location, content) in entries {
            let pc = pc % p.slots.len();
            let Some(function) = p.function_index_at(pc) else { continue };
            let _ = t.merge(
                Observation { pc, function, frame: 0, path: "random".into(), entries: vec![Entry { location, content }] },
                &mut Vec::new(),
            );
        }
        let m = run(&p, &world_ctx(ctx), Unwinding::Descriptors(Arc::new(t)));
        proptest::prop_assert!(!m.is_running());
        let mut released = std::collections::BTreeSet::new();
        let mut acquired = std::collections::BTreeSet::new();
        for e in &m.kernel.events {
            match &e.kind {
                EventKind::Acquire { resource, .. } => { acquired.insert(resource.id); }
                EventKind::Release { resource, .. } => {
                    proptest::prop_assert!(acquired.contains(&resource.id));
                    proptest::prop_assert!(released.insert(resource.id));
                }
                _ => {}
            }
        }
    }
}
