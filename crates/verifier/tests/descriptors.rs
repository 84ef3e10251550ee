//! Frame descriptors in the verdict (SPEC §4.2, §6): the article's scenarios.

use unwind_verifier::{verify, Mode, Options};

fn verdict(src: &str, mode: Mode) -> unwind_verifier::Verdict {
    let program = unwind_asm::assemble(src).program.expect("assembles");
    verify(
        &program,
        &Options {
            mode,
            ..Options::default()
        },
    )
}

const THREE_FRAMES: &str = "
.ctx tc
	r1 = 1
	call bpf_task_from_pid
	if r0 == 0 goto out
	r6 = r0
	call level1
	r1 = r6
	call bpf_task_release
out:
	r0 = 0
	exit
level1:
	r1 = 1
	call bpf_cgroup_from_id
	if r0 == 0 goto l1_out
	r7 = r0
	call level2
	r1 = r7
	call bpf_cgroup_release
l1_out:
	r0 = 0
	exit
level2:
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto l2_out
	r8 = r0
	r6 = 42
	r1 = 7
	call bpf_throw
	r1 = r8
	call bpf_obj_drop
l2_out:
	r0 = 0
	exit
";

#[test]
fn one_descriptor_per_frame_keyed_by_throw_and_call_sites() {
    let v = verdict(THREE_FRAMES, Mode::Cleanup);
    assert!(v.accepted, "{}", v.log);
    let d: Vec<_> = v
        .frame_descriptors
        .iter()
        .map(|d| {
            let s = &d.slots;
            (
                d.pc,
                d.function.as_str(),
                s.len(),
                s[0].location.as_str(),
                s[0].resource.as_str(),
            )
        })
        .collect();
    // main at its call of level1, level1 at its call of level2, level2 at the throw.
    assert_eq!(
        d,
        [
            (4, "main", 1, "r6", "task"),
            (13, "level1", 1, "r7", "cgroup"),
            (24, "level2", 1, "r8", "object"),
        ]
    );
    assert_eq!(v.frame_descriptors[2].slots[0].release, "bpf_obj_drop");
    assert!(v.functions.iter().all(|f| f.might_throw));
    assert_eq!(v.functions[2].callee_saved, ["r6", "r8"]);
}

#[test]
fn upstream_and_legacy_make_no_descriptors() {
    // The same program in the modes without cleanup: the throw holds three references.
    for mode in [Mode::Legacy, Mode::Upstream] {
        let v = verdict(THREE_FRAMES, mode);
        assert!(!v.accepted);
        assert!(v.frame_descriptors.is_empty());
        assert!(
            v.log.contains("Unreleased reference id=1 alloc_insn=1"),
            "{}",
            v.log
        );
    }
}

#[test]
fn functions_that_cannot_throw_get_none() {
    let v = verdict(
        ".ctx tc\ncall f\nr1 = 1\ncall bpf_throw\nr0 = 0\nexit\nf:\nr0 = 0\nexit\n",
        Mode::Cleanup,
    );
    assert!(v.accepted, "{}", v.log);
    assert_eq!(v.frame_descriptors.len(), 1);
    assert_eq!(v.frame_descriptors[0].function, "main");
    assert!(v.frame_descriptors[0].slots.is_empty());
    assert_eq!(
        v.functions
            .iter()
            .map(|f| f.might_throw)
            .collect::<Vec<_>>(),
        [true, false]
    );
}

#[test]
fn the_verdict_shows_the_program_as_loaded_with_the_hidden_trampoline() {
    let v = verdict(THREE_FRAMES, Mode::Cleanup);
    let loaded = v.loaded.as_ref().expect("a throwing program in cleanup");
    let t = &loaded.trampoline;
    assert_eq!(
        (
            t.name.as_str(),
            t.linkage,
            t.callee_saved.len(),
            t.might_throw
        ),
        ("bpf_throw_tramp", unwind_program::Linkage::Hidden, 4, true)
    );
    let text = &loaded.disassembly;
    assert!(text.contains("\tcall bpf_throw_tramp\n"), "{text}");
    assert!(
        text.ends_with(
            "bpf_throw_tramp:\n\tr6 = 0\n\tr7 = 0\n\tr8 = 0\n\tr9 = 0\n\tcall bpf_throw\n\texit\n"
        ),
        "{text}"
    );
    // Not in the modes without descriptors, nor for a rejected program.
    assert!(verdict(THREE_FRAMES, Mode::Runtime).loaded.is_none());
    assert!(verdict(THREE_FRAMES, Mode::Upstream).loaded.is_none());
}

#[test]
fn a_pointer_into_a_resource_is_not_a_release_location() {
    // Only r6 = object + 8 at the throw: nothing the unwinder could hand to bpf_obj_drop, so
    // the reference is a leak, as if it were held in R0-R5.
    let interior_only = "
.ctx tc
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	r6 = r0
	r6 += 8
	r1 = 1
	call bpf_throw
	r6 -= 8
	r1 = r6
	call bpf_obj_drop
out:
	r0 = 0
	exit
";
    for mode in [Mode::Cleanup, Mode::CleanupV2] {
        let v = verdict(interior_only, mode);
        assert!(!v.accepted, "{mode:?}");
        let msgs: Vec<_> = v.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(msgs, ["bpf_throw would lead to reference leak"], "{mode:?}");
    }
    // With the start also in fp-8, fp-8 is released and r6 is marked as not releasable.
    let with_start = interior_only.replace("\tr6 += 8\n", "\t*(u64 *)(r10 - 8) = r0\n\tr6 += 8\n");
    let v = verdict(&with_start, Mode::Cleanup);
    assert!(v.accepted, "{}", v.log);
    let d = &v.frame_descriptors[0];
    let slots: Vec<_> = d
        .slots
        .iter()
        .map(|s| (s.location.as_str(), s.resource.as_str()))
        .collect();
    assert_eq!(slots, [("fp-8", "object")]);
}
