//! Snapshots of level-2 logs (every instruction with the registers and slots it touched, the
//! `from X to Y:` lines, `safe` prunes, `caller:`/`callee:` frames, the summary) for a few
//! representative programs. Review a change with `cargo insta review`.

use unwind_verifier::{verify, Options};

fn log2(src: &str) -> String {
    let program = unwind_asm::assemble(src).program.expect("assembles");
    let opts = Options {
        log_level: 2,
        ..Options::default()
    };
    let v = verify(&program, &opts);
    format!(
        "accepted: {}\nerrors: {:?}\n---\n{}",
        v.accepted,
        v.errors
            .iter()
            .map(|e| (e.pc, &e.message))
            .collect::<Vec<_>>(),
        v.log
    )
}

#[test]
fn map_lookup_with_null_check() {
    insta::assert_snapshot!(log2(
        r#"
.map m hash key=8 value=16 max_entries=4

r1 = 0
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = map[m] ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = *(u64 *)(r0 + 8)
out:
r0 = 0
exit
"#
    ));
}

#[test]
fn bounded_loop_with_stack() {
    insta::assert_snapshot!(log2(
        r#"
r6 = 0
r7 = 0
loop:
*(u64 *)(r10 - 8) = r6
r1 = *(u64 *)(r10 - 8)
r7 += r1
r6 += 1
if r6 < 3 goto loop
r0 = 0
exit
"#
    ));
}

#[test]
fn static_call_and_object() {
    insta::assert_snapshot!(log2(
        r#"
.ctx tc

r1 = 16
call bpf_obj_new
if r0 == 0 goto out
r6 = r0
r1 = 7
call add_one
*(u64 *)(r6 + 8) = r0
r1 = r6
call bpf_obj_drop
out:
r0 = 0
exit
add_one:
r0 = r1
r0 += 1
exit
"#
    ));
}

#[test]
fn unreleased_reference_rejected() {
    insta::assert_snapshot!(log2(
        r#"
.ctx tc

r1 = 1
call bpf_task_from_pid
if r0 == 0 goto out
r6 = r0
r1 = *(u32 *)(r6 + 0)
if r1 == 1 goto out
r1 = r6
call bpf_task_release
out:
r0 = 0
exit
"#
    ));
}

#[test]
fn level_one_rewinding_keeps_whole_lines() {
    // pop_stack rewinds the level-1 log to where a branch was pushed, which can be after an
    // instruction line whose state suffix came later: the rewound log must still end lines.
    let src = ".ctx tc\nr6 = r1\nr7 = 0\nl:\nr1 = 16\ncall bpf_obj_new\nif r0 == 0 goto n\nr1 = r0\ncall bpf_obj_drop\nn:\nr7 += 1\nif r7 < 10 goto l\nr2 = *(u32 *)(r6 + 0)\nif r2 != 0 goto out\nr1 = 9\ncall bpf_throw\nout:\nr0 = 0\nexit\n";
    let program = unwind_asm::assemble(src).program.unwrap();
    let v = unwind_verifier::verify(&program, &unwind_verifier::Options::default());
    assert!(v.accepted, "{}", v.log);
    let last = v.log.lines().last().unwrap();
    assert!(last.starts_with("processed "), "{}", v.log);
    assert_eq!(v.log.matches("processed ").count(), 1, "{}", v.log);
}
