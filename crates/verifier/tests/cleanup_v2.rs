//! cleanup-v2 (SPEC §4): a conflict at a throw is resolved by giving each conflicting
//! acquisition site its own zero-initialised stack slot; the rewritten program is verified and
//! run, and unwinding releases what the dedicated slots hold. Also the descriptor rule that
//! makes this necessary: a second copy of a resource is not a releasable entry (RFC patch 11:
//! releasing the reference at its first location turns every copy into a scalar).

use unwind_verifier::{runnable, verify, Mode, Options, Verdict};
use unwind_vm::{Config, EventKind, Machine, ReleasedBy, World};

fn program(src: &str) -> unwind_program::Program {
    unwind_asm::assemble(src).program.expect("assembles")
}

fn verdict(src: &str, mode: Mode) -> Verdict {
    verify(
        &program(src),
        &Options {
            mode,
            ..Options::default()
        },
    )
}

/// What a run did: the result, and (kind, released by) per release, and the leaks.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    r0: u64,
    threw: bool,
    releases: Vec<(String, &'static str, ReleasedBy)>,
    leaks: usize,
}

fn run(src: &str, mode: Mode, ctx: &str) -> Outcome {
    let p = program(src);
    let v = verify(
        &p,
        &Options {
            mode,
            log_level: 0,
            ..Options::default()
        },
    );
    assert!(v.accepted, "{:?}", v.errors);
    let r = runnable(&p, &v, mode).expect("runnable");
    let world = World {
        ctx: Some(ctx.to_string()),
        ..World::default()
    };
    let mut m = Machine::new(
        &r.program,
        &world,
        Config {
            unwinding: r.unwinding.clone(),
            ..Config::default()
        },
    )
    .expect("machine");
    m.run();
    let mut out = Outcome {
        r0: 0,
        threw: false,
        releases: Vec::new(),
        leaks: 0,
    };
    for e in &m.kernel.events {
        match &e.kind {
            EventKind::Release {
                function,
                resource,
                by,
                ..
            } => out.releases.push((
                match resource.held {
                    unwind_vm::Held::Resource(k) => format!("{k:?}"),
                    other => format!("{other:?}"),
                },
                function,
                *by,
            )),
            EventKind::Leak { .. } => out.leaks += 1,
            EventKind::Throw { .. } => out.threw = true,
            EventKind::Exit { return_value } => out.r0 = *return_value,
            EventKind::Fault { message } => panic!("fault: {message}"),
            _ => {}
        }
    }
    out
}

/// `static/examples/conflicting-slot.s` in short: fp-8 holds an object on one path and a
/// ringbuf record on the other when the throw is reached.
const CONFLICT: &str = "
.ctx tc
.map events ringbuf key=0 value=0 max_entries=4096
	r6 = r1
	r2 = *(u32 *)(r6 + 0)
	if r2 > 100 goto record
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r7 = 0
	goto check
record:
	r1 = map[events] ll
	r2 = 16
	r3 = 0
	call bpf_ringbuf_reserve
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r7 = 1
check:
	r2 = *(u32 *)(r6 + 16)
	if r2 != 0 goto release
	r1 = 2
	call bpf_throw
release:
	r1 = *(u64 *)(r10 - 8)
	if r7 == 1 goto discard
	call bpf_obj_drop
	goto out
discard:
	r2 = 0
	call bpf_ringbuf_discard
out:
	r0 = 0
	exit
";

/// skb->len (offset 0) and skb->protocol (offset 16) of a tc ctx, as hex.
fn skb(len: u32, protocol: u32) -> String {
    let mut b = [0u8; 20];
    b[0..4].copy_from_slice(&len.to_le_bytes());
    b[16..20].copy_from_slice(&protocol.to_le_bytes());
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn cleanup_refuses_the_conflict_that_cleanup_v2_resolves() {
    let c = verdict(CONFLICT, Mode::Cleanup);
    assert!(!c.accepted);
    assert_eq!(
        c.errors[0].message,
        "frame_desc: merge: failed to merge old and new frame desc entry"
    );
    assert!(c.rewrite.is_none());

    let v = verdict(CONFLICT, Mode::CleanupV2);
    assert!(v.accepted, "{}", v.log);
    let rw = v.rewrite.as_ref().expect("rewritten");
    let sites: Vec<_> = rw
        .dedicated
        .iter()
        .map(|d| {
            (
                d.acquire_pc,
                d.acquired_by.as_str(),
                d.slot.as_str(),
                d.cleared_after.clone(),
            )
        })
        .collect();
    // Each acquisition its own slot below the program's fp-8, cleared after its release.
    assert_eq!(
        sites,
        [
            (4, "bpf_obj_new", "fp-16", vec![23]),
            (13, "bpf_ringbuf_reserve", "fp-24", vec![26]),
        ]
    );
    // Zeroed at entry, written after the acquisition, cleared after the release, each
    // inserted instruction saying why; the text re-assembles to the rewritten program.
    let text = &rw.disassembly;
    for want in [
        "\t*(u64 *)(r10 - 16) = 0\t\t// cleanup-v2: NULL until bpf_obj_new at line 8\n\t*(u64 *)(r10 - 24) = 0\t\t// cleanup-v2: NULL until bpf_ringbuf_reserve at line 17\n\tr6 = r1\n",
        "\tcall bpf_obj_new\n\t*(u64 *)(r10 - 16) = r0\t\t// cleanup-v2: the slot of bpf_obj_new at line 8\n",
        "\tcall bpf_ringbuf_discard\n\t*(u64 *)(r10 - 24) = 0\t\t// cleanup-v2: released: clear the slot of bpf_ringbuf_reserve at line 17\n",
    ] {
        assert!(text.contains(want), "{want}\n---\n{text}");
    }
    assert_eq!(program(text).slots, rw.program.slots);
    // The descriptor at the throw names the dedicated slots, and fp-8 is not released.
    let throw_pc = rw.pc_map[20];
    let d = v
        .frame_descriptors
        .iter()
        .find(|d| d.pc == throw_pc)
        .expect("a descriptor at the throw");
    let slots: Vec<_> = d
        .slots
        .iter()
        .map(|s| (s.location.as_str(), s.resource.as_str()))
        .collect();
    assert_eq!(slots, [("fp-16", "object"), ("fp-24", "ringbuf_record")]);
    // Kept line numbers: the rewritten program's errors and events point at the source.
    let p = &rw.program;
    assert_eq!(p.spans[throw_pc].line, program(CONFLICT).spans[20].line);
}

#[test]
fn the_rewritten_program_releases_each_path_s_resource_once() {
    // Short packet, throw: the object, released from its slot by the unwinder.
    let o = run(CONFLICT, Mode::CleanupV2, &skb(64, 0));
    assert!(o.threw);
    assert_eq!(
        o.releases,
        [("Object".into(), "bpf_obj_drop", ReleasedBy::Unwinder)]
    );
    assert_eq!((o.r0, o.leaks), (2, 0));
    // Long packet, throw: the record, with the ringbuf's release function.
    let o = run(CONFLICT, Mode::CleanupV2, &skb(200, 0));
    assert_eq!(
        o.releases,
        [(
            "RingbufRecord".into(),
            "bpf_ringbuf_discard",
            ReleasedBy::Unwinder
        )]
    );
    assert_eq!((o.r0, o.leaks), (2, 0));
    // No throw: the program releases; the slot's clearing costs nothing else.
    let o = run(CONFLICT, Mode::CleanupV2, &skb(200, 8));
    assert!(!o.threw);
    assert_eq!(
        o.releases,
        [(
            "RingbufRecord".into(),
            "bpf_ringbuf_discard",
            ReleasedBy::Program
        )]
    );
}

/// The release clears the dedicated slot: a throw after it must not release again.
const RELEASE_THEN_THROW: &str = "
.ctx tc
	r6 = r1
	r2 = *(u32 *)(r6 + 0)
	if r2 > 100 goto task
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r7 = 0
	goto check
task:
	r1 = 1
	call bpf_task_from_pid
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r7 = 1
check:
	r2 = *(u32 *)(r6 + 16)
	if r2 != 0 goto release
	r1 = 3
	call bpf_throw
release:
	r1 = *(u64 *)(r10 - 8)
	if r7 == 1 goto put
	call bpf_obj_drop
	goto after
put:
	call bpf_task_release
after:
	r1 = 4
	call bpf_throw
out:
	r0 = 0
	exit
";

#[test]
fn a_throw_after_the_release_releases_nothing() {
    for len in [64, 200] {
        let o = run(RELEASE_THEN_THROW, Mode::CleanupV2, &skb(len, 1));
        assert_eq!(o.releases.len(), 1, "{o:?}");
        assert_eq!(o.releases[0].2, ReleasedBy::Program);
        assert_eq!((o.r0, o.leaks, o.threw), (4, 0, true));
    }
}

/// The copy rule: on one path the object is in fp-8 and (a copy) in r6; on the other r6
/// holds a task. Skipping the copy would let r6 merge as "task", and a throw on the first
/// path would hand the object to bpf_task_release.
const COPY_IN_R6: &str = "
.ctx tc
	r8 = r1
	r2 = *(u32 *)(r8 + 0)
	if r2 > 100 goto task
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r6 = r0
	r7 = 0
	goto check
task:
	*(u64 *)(r10 - 8) = 0
	r1 = 1
	call bpf_task_from_pid
	if r0 == 0 goto out
	r6 = r0
	r7 = 1
check:
	r2 = *(u32 *)(r8 + 16)
	if r2 != 0 goto release
	r1 = 5
	call bpf_throw
release:
	r1 = r6
	if r7 == 1 goto put
	call bpf_obj_drop
	goto out
put:
	call bpf_task_release
out:
	r0 = 0
	exit
";

#[test]
fn a_second_copy_does_not_merge_with_another_path_s_pointer() {
    let c = verdict(COPY_IN_R6, Mode::Cleanup);
    assert!(!c.accepted, "{}", c.log);
    assert_eq!(
        c.errors[0].message,
        "frame_desc: merge: failed to merge old and new frame desc entry"
    );
    assert!(
        c.log
            .contains("fde: regno=6 spill_type=reg type=ptr_task_struct")
            && c.log.contains("fde: regno=6 spill_type=reg type=scalar"),
        "{}",
        c.log
    );
    let v = verdict(COPY_IN_R6, Mode::CleanupV2);
    assert!(v.accepted, "{}", v.log);
    for (len, kind, release) in [
        (64, "Object", "bpf_obj_drop"),
        (200, "Task", "bpf_task_release"),
    ] {
        let o = run(COPY_IN_R6, Mode::CleanupV2, &skb(len, 0));
        assert_eq!(
            o.releases,
            [(kind.into(), release, ReleasedBy::Unwinder)],
            "len {len}"
        );
        assert_eq!((o.r0, o.leaks), (5, 0));
    }
}

#[test]
fn no_conflict_no_rewrite() {
    let src = "
.ctx tc
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	r6 = r0
	r1 = 1
	call bpf_throw
out:
	r0 = 0
	exit
";
    let v = verdict(src, Mode::CleanupV2);
    assert!(v.accepted, "{}", v.log);
    assert!(v.rewrite.is_none());
    assert_eq!(
        v.frame_descriptors,
        verdict(src, Mode::Cleanup).frame_descriptors
    );
}

#[test]
fn a_reference_only_in_r0_r5_is_still_refused() {
    // The rewrite gives the site a slot only when it conflicts; a reference the unwinder
    // cannot find is the kernel's leak (exceptions_cleanup_fail.c reject_with_reference).
    let src = "
.ctx tc
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	r1 = 1
	call bpf_throw
out:
	r0 = 0
	exit
";
    let v = verdict(src, Mode::CleanupV2);
    assert!(!v.accepted);
    let msgs: Vec<_> = v.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(msgs, ["bpf_throw would lead to reference leak"]);
    assert!(
        v.log.contains("Unreleased reference id=1 alloc_insn=1"),
        "{}",
        v.log
    );
}

#[test]
fn a_conflict_in_a_frame_the_resource_outlived_is_still_refused() {
    // The resources are acquired in callees that return them; their dedicated slots die with
    // those frames, so the conflict in main's fp-8 cannot be resolved and is reported.
    let src = "
.ctx tc
	r6 = r1
	r2 = *(u32 *)(r6 + 0)
	if r2 > 100 goto b
	call get_obj
	goto got
b:
	call get_task
got:
	if r0 == 0 goto out
	*(u64 *)(r10 - 8) = r0
	r1 = 1
	call bpf_throw
out:
	r0 = 0
	exit
get_obj:
	r1 = 16
	call bpf_obj_new
	exit
get_task:
	r1 = 1
	call bpf_task_from_pid
	exit
";
    let v = verdict(src, Mode::CleanupV2);
    assert!(!v.accepted, "{}", v.log);
    assert_eq!(
        v.errors[0].message,
        "frame_desc: merge: failed to merge old and new frame desc entry"
    );
}

/// One release call shared by two conflicting acquisitions (found by the soundness property's
/// generator): the rewrite clears, before the call, only the slot that holds the pointer being
/// released; the verifier decides those compares by reference identity.
const SHARED_RELEASE: &str = "
.ctx tc
	r6 = r1
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 8) = r0		// A
	r1 = 8
	call bpf_obj_new
	*(u64 *)(r10 - 16) = r0		// B
	r2 = *(u32 *)(r6 + 0)
	if r2 != 0 goto pick_b
	r7 = 0
	r1 = *(u64 *)(r10 - 8)
	goto join
pick_b:
	r7 = 1
	r1 = *(u64 *)(r10 - 16)
join:
	if r1 == 0 goto skip
	call bpf_obj_drop		// releases A or B
skip:
	r2 = *(u32 *)(r6 + 8)
	if r2 != 0 goto no_throw
	r1 = 1
	call bpf_throw			// the other one is live in fp-8 or fp-16
no_throw:
	if r7 == 1 goto rel_a
	r1 = *(u64 *)(r10 - 16)
	if r1 == 0 goto end
	call bpf_obj_drop
	goto end
rel_a:
	r1 = *(u64 *)(r10 - 8)
	if r1 == 0 goto end
	call bpf_obj_drop
end:
	r0 = 0
	exit
";

#[test]
fn a_release_shared_by_two_sites_clears_only_the_released_one() {
    assert!(!verdict(SHARED_RELEASE, Mode::Cleanup).accepted);
    let v = verdict(SHARED_RELEASE, Mode::CleanupV2);
    assert!(v.accepted, "{}", v.log);
    let text = &v.rewrite.as_ref().unwrap().disassembly;
    assert!(
        text.contains("\tr0 = *(u64 *)(r10 - 24)\t\t// cleanup-v2: does the slot of bpf_obj_new at line 5 hold the pointer released here?\n\tif r0 != r1 goto L22\n\t*(u64 *)(r10 - 24) = 0"),
        "{text}"
    );
    // skb->len picks which object the shared call drops; skb->mark (offset 8) whether to throw.
    for (ctx, released_by_program, by_unwinder) in [
        ("000000000000000000000000", "Object", Some("fp-32")),
        ("010000000000000000000000", "Object", Some("fp-24")),
        ("000000000000000001000000", "Object", None),
        ("010000000000000001000000", "Object", None),
    ] {
        let o = run(SHARED_RELEASE, Mode::CleanupV2, ctx);
        assert_eq!(o.leaks, 0, "{ctx}: {o:?}");
        assert_eq!(o.releases.len(), 2, "{ctx}: {o:?}");
        assert_eq!(o.releases[0].0, released_by_program);
        assert_eq!(o.releases[0].2, ReleasedBy::Program);
        let second = if by_unwinder.is_some() {
            ReleasedBy::Unwinder
        } else {
            ReleasedBy::Program
        };
        assert_eq!(o.releases[1].2, second, "{ctx}: {o:?}");
        assert_eq!(o.threw, by_unwinder.is_some());
    }
}

/// A path whose stack never reached fp-16 (and one pruned against it, with 7 there) meets a
/// path with an object in fp-16 at the throw: a slot beyond a path's stack is unwritten, so
/// the merge is refused in cleanup (it used to take "fp-16: object" and the unwinder then
/// handed 7 to bpf_obj_drop; found by review) and cleanup-v2 gives the object its own slot.
const SHORT_STACK: &str = "
.ctx tc
	r6 = r1
	r7 = *(u32 *)(r6 + 0)
	r8 = *(u32 *)(r6 + 16)
	if r7 == 1 goto z
	if r7 == 2 goto y
	r1 = 0
	r1 = 0
	r1 = 0
	r1 = 0
	r1 = 0
	r1 = 0
	r1 = 0
	r1 = 0
	goto j
y:
	r1 = 7
	*(u64 *)(r10 - 16) = r1
	r1 = 0
	goto j
j:
	r0 = 0
	r0 = 0
	if r8 != 0 goto out
	r1 = 2
t:
	call bpf_throw
z:
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	*(u64 *)(r10 - 16) = r0
	r1 = 2
	goto t
out:
	r0 = 0
	exit
";

#[test]
fn a_slot_beyond_a_path_s_stack_does_not_merge_with_a_resource() {
    let c = verdict(SHORT_STACK, Mode::Cleanup);
    assert!(!c.accepted);
    assert_eq!(
        c.errors[0].message,
        "frame_desc: merge: failed to merge old and new frame desc entry"
    );
    for (ctx, releases) in [("02000000", 0), ("01000000", 1), ("00000000", 0)] {
        let o = run(SHORT_STACK, Mode::CleanupV2, ctx);
        assert_eq!(
            (o.releases.len(), o.leaks, o.r0),
            (releases, 0, 2),
            "{ctx}: {o:?}"
        );
    }
}

#[test]
fn no_room_for_the_slots_leaves_the_conflict_with_a_reason() {
    // The program already uses all 512 bytes: the dedicated slots cannot be placed.
    let src = CONFLICT.replace("\tr6 = r1\n", "\tr6 = r1\n\t*(u64 *)(r10 - 512) = 0\n");
    let v = verdict(&src, Mode::CleanupV2);
    assert!(!v.accepted);
    assert!(v.rewrite.is_none());
    assert_eq!(
        v.errors[0].message,
        "frame_desc: merge: failed to merge old and new frame desc entry (cleanup-v2: no room on the stack for the slot of the bpf_obj_new at line 9: invalid write to stack R10 off=-520 size=8)"
    );
    assert_eq!(
        v.errors[0].line,
        program(&src).spans[21].line,
        "at the throw"
    );
}
