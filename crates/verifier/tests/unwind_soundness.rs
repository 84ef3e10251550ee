//! Cleanup soundness: for random programs with acquisitions, releases, calls and throws that
//! the verifier accepts in `cleanup`, `cleanup-v2` or `runtime`, every run on random inputs
//! ends with no leaked and no doubly released resource, and every release is of a resource
//! that run acquired (whether or not the program threw, and whoever released it: the
//! program, the unwinder from a frame descriptor, or the run-time table).
//!
//! Programs come from a random generator (`ProgGen`, driven by a seed) that writes assembly
//! text:
//!
//! - acquisitions of the six resource kinds (`bpf_obj_new`, `bpf_ringbuf_reserve`,
//!   `bpf_sk_lookup_tcp`, `bpf_task_from_pid`, `bpf_cgroup_from_id`, and in the fifth of the
//!   programs that are `syscall` programs instead of `tc`, `bpf_cpumask_create` instead of the
//!   socket lookup), each stored in a stack
//!   slot (fp-8..fp-32) or a callee-saved register (R6-R9), often with a second copy in
//!   another of those locations, sometimes checked for NULL at once, sometimes moved;
//! - pointers moved 8 bytes (or a variable 0 or 8) into their resource (`r6 += 8`) across a
//!   throw or a call, and moved back before the release;
//! - releases after a NULL check, from either copy (`bpf_ringbuf_submit` or `_discard`);
//! - branches on the inputs (ctx bytes, `bpf_get_prandom_u32`) whose arms acquire and release
//!   their own resources;
//! - "forks": the two arms of a branch put different things (resources of different kinds,
//!   NULL, a non-zero scalar, other data, nothing) in overlapping locations, a common body runs
//!   (with throws and calls), and a discriminator spilled on each arm picks the right release
//!   afterwards. These are the conflicting uses of a slot that `cleanup` must refuse (or merge
//!   soundly) and `cleanup-v2` must resolve; with copies on one arm only they are the case of
//!   a second copy skipped by the descriptor merge (path A: object in fp-8 and r6, path B:
//!   socket in r6);
//! - a release call shared by two acquisitions of one kind (the input picks which one it
//!   releases, a discriminator releases the other later, with throws in between);
//! - conditional `bpf_throw`s, in the main program and in callees;
//! - calls to static and global subprograms (up to four frames deep), each with its own
//!   resources, called while the caller holds some;
//! - scalars, NULL and other data written to free locations, and stack slots left
//!   uninitialised, so descriptors meet markers;
//! - statements the verifier must refuse (a throw while the only copy of a reference is in
//!   R0-R5, a release on one path only, a second release, the last copy overwritten);
//! - bounded loops around any of these;
//! - static functions that take a resource from their caller (in R2, or by a pointer to the
//!   caller's stack slot, and release it or hand it on), static functions that acquire one and return it, and static functions
//!   that store one in a stack slot of their caller (through a pointer; at once, so that both
//!   frames hold it while the callee may throw, or at the end), and global functions that
//!   take 8 bytes of their caller's stack as memory (`mem:8`) and write a scalar there or
//!   read it;
//! - RCU read sections and spin locks, with throws inside (which must be refused);
//! - global functions `.globl gN(ctx[, mem:8|mem:16][, scalar])` (the two extra arguments in
//!   either order) that read or write their memory, throw on their scalar, acquire, release,
//!   throw and call other functions; called with the ctx (or, to be refused, the ctx moved 8
//!   bytes or NULL), memory that is one or two of the caller's location slots (whatever they
//!   hold: a spilled resource there is clobbered, and the program refused for the leak), a
//!   misaligned stack pointer, a zeroed scratch slot, NULL or (refused) the ctx, and scalars
//!   that are constants or ctx fields (or, refused, a stack pointer);
//! - static functions that borrow a resource: R2 points to the caller's stack slot holding it;
//!   they move it into a location of their own frame (clearing the caller's slot, or leaving
//!   both frames holding it), run a body that may throw, and store it back for the caller to
//!   release;
//! - `bpf_loop` calls (1 or 2 iterations) whose static callback gets a pointer to the caller's
//!   ctx slot, reads the ctx through it and runs a block of its own (acquisitions and releases,
//!   branches, forks, loops, a static function of its own called while it holds a resource or
//!   not, sometimes calls of the program's functions; it may read a resource of the caller's
//!   through that pointer and use it (or, to be refused, release it); rarely a throw:
//!   `bpf_throw` in a callback, or in a function it calls, is refused in every mode, as by the
//!   kernel's `check_max_stack_depth_subprog`); the callback returns 0 or 1;
//! - timers in the map `t`'s value (`bpf_timer_init`, `_set_callback`, `_start`) whose async
//!   callback allocates and frees an object and rarely throws (refused); the simulated kernel
//!   never fires a timer, so only the verifier sees the callback;
//! - bounded loops in callees with a throw and a call at their head;
//! - legacy packet loads (`r0 = *(u16 *)skb[14]`, `r0 = *(u8 *)skb[r1 + 2]`, R6 the ctx) in
//!   `tc` programs: at the start of main (nothing held), in the body when the function holds
//!   nothing (refused while the frame holds a reference), in static and global callees, and,
//!   to be refused, in RCU read sections and under spin locks; the worlds' packets are often
//!   shorter than the loads, which then return 0 from the current function (the kernel's
//!   `bpf_gen_ld_abs`);
//! - direct packet access in `tc` programs: data and data_end from the `__sk_buff`, a bounds
//!   check (or, to be refused, none), loads, a store, the packet pointer kept in a free
//!   location across a throw, a throw on the byte loaded;
//! - sometimes a custom exception callback (which may allocate and free, or leak).
//!
//! Each construct leaves a `// @name` comment in the program; with `--nocapture` the test
//! prints how many generated programs hold each and how many of them each mode accepted
//! (`UNWIND_UNWIND_SOUNDNESS_MARK=name` prints the first accepted program with it per mode).
//!
//! Each program is verified in each of the three modes (log level 0, no recorded states); an
//! accepted one is run (the program `unwind_verifier::runnable` gives: cleanup-v2's rewrite
//! and the `bpf_throw` trampoline, with the verifier's descriptors, or the run-time table for
//! `runtime`) on `RUNS` random worlds, and the run's events are checked.
//!
//! `UNWIND_UNWIND_SOUNDNESS_CASES=N` sets the number of generated programs (default 1500);
//! `UNWIND_UNWIND_SOUNDNESS_SEED=S` the first seed (program k uses seed S + k, so a failure
//! prints the seed that reproduces it with `UNWIND_UNWIND_SOUNDNESS_CASES=1`);
//! `UNWIND_UNWIND_SOUNDNESS_DEBUG=1`
//! prints the most common rejection messages per mode (to tune
//! the generator; `=2` also the first program refused with each message),
//! `UNWIND_UNWIND_SOUNDNESS_SHOW=N` the first N programs. The counts (accepted per mode and
//! how many of those threw in a run, runs, runs that threw, runs in which the unwinder or the
//! run-time table released something) are printed with `--nocapture`;
//! `UNWIND_UNWIND_SOUNDNESS_MIN_THREW=N` fails the run if a mode has fewer than N accepted
//! programs that threw. `make soundness-long` is the full run (docs/reliability.md).
//!
//! A violation is minimised (instructions removed while the program still assembles, is
//! accepted in that mode and still violates the property on that world) and reported with the
//! original program, the minimised one, the world and the events.

use std::collections::BTreeMap;
use std::time::Instant;

use unwind_verifier::Mode;
use unwind_vm::{Config, Machine, Unwinding, World};

/// Runs per accepted program and mode, each on its own random world.
const RUNS: u64 = 4;

#[path = "support/unwind_grammar.rs"]
mod unwind_grammar;
use unwind_grammar::*;

/// Assembles, verifies in `mode`, runs on `world`: `Some(violation)` when accepted and the
/// property fails.
fn violation(text: &str, mode: Mode, world: &World) -> Option<String> {
    let program = unwind_asm::assemble(text).program?;
    let (runnable, unwinding) = match prepare(&program, mode) {
        Ok(Some(x)) => x,
        Ok(None) => return None,
        Err(e) => return Some(e),
    };
    let m = Machine::new(
        &runnable,
        world,
        Config {
            budget: 200_000,
            unwinding,
            ..Config::default()
        },
    )
    .ok()
    .map(|mut m| {
        m.run();
        m
    })?;
    check(&m).err()
}

/// Removes lines (directives, labels and instructions) while the program still violates the
/// property in `mode` on `world` in the same way (`violation_class`).
fn minimise(text: &str, mode: Mode, name: &str, world: &World, class: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut chunk = (lines.len() / 2).max(1);
    loop {
        let mut changed = false;
        let mut i = 0;
        while i < lines.len() {
            let end = (i + chunk).min(lines.len());
            let mut candidate = lines.clone();
            candidate.drain(i..end);
            let t = candidate.join("\n") + "\n";
            let same = violation(&t, mode, world)
                .is_some_and(|why| violation_class(name, &t, &why) == class);
            if same {
                lines = candidate;
                changed = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !changed {
            break;
        }
        if !changed {
            chunk = (chunk / 2).max(1);
        }
    }
    lines.join("\n") + "\n"
}

fn report(text: &str, mode: Mode, name: &str, world: &World, seed: u64, why: &str) -> String {
    let small = minimise(text, mode, name, world, &violation_class(name, text, why));
    let mut s = format!(
        "accepted in {name} but unsound (seed {seed}): {why}\n\nminimised program:\n{small}\n"
    );
    if let Some(program) = unwind_asm::assemble(&small).program {
        if let Ok(Some((runnable, unwinding))) = prepare(&program, mode) {
            let m = run(&runnable, &unwinding, world);
            s += &format!(
                "minimised violation: {}\nevents:\n",
                check(&m).err().unwrap_or_default()
            );
            for e in &m.kernel.events {
                s += &format!("  {}\n", e.describe());
            }
        }
    }
    s += &format!(
        "\nworld: {}\n\noriginal program:\n{text}",
        serde_json::to_string(world).unwrap()
    );
    s
}

/// A violation's class: the mode, whether the program moves a pointer into its resource or
/// gives a global function its stack as memory (the two bugs found so far), and the reason with numbers, locations, functions and resource kinds blanked out.
fn violation_class(mode: &str, text: &str, why: &str) -> String {
    let mut reason = String::new();
    let mut last = ' ';
    for c in why.chars() {
        let c = if c.is_ascii_hexdigit() && (last.is_ascii_digit() || last == '#' || last == 'x')
            || c.is_ascii_digit()
        {
            '#'
        } else {
            c
        };
        if !(c == '#' && last == '#') {
            reason.push(c);
        }
        last = c;
    }
    // the release function, then the kind of resource
    if let Some(at) = reason.find("fault: bpf_") {
        if let Some(colon) = reason[at + 7..].find(':') {
            reason.replace_range(at + 7..at + 7 + colon, "RELEASE");
        }
    }
    for kind in [
        "ringbuf_record",
        "cgroup",
        "task",
        "object",
        "socket",
        "cpumask",
    ] {
        reason = reason.replace(kind, "KIND");
    }
    for (from, to) in [
        ("an KIND", "a KIND"),
        ("fp-#", "LOC"),
        ("r#", "LOC"),
        ("(main)", "(F)"),
        ("(f#)", "(F)"),
        ("(g#)", "(F)"),
    ] {
        reason = reason.replace(from, to);
    }
    let mut tags = String::new();
    if text.contains("r1 += 8") || text.contains("r1 += r2") {
        tags += "[pointer moved into its resource] ";
    }
    if text.contains("mem:") {
        tags += "[global function given caller's stack as mem] ";
    }
    format!("{mode}: {tags}{reason}")
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[derive(Default)]
struct Counts {
    accepted: u64,
    /// Accepted programs with at least one run that threw.
    accepted_threw: u64,
    runs: u64,
    threw: u64,
    threw_and_released: u64,
    unwinder_releases: u64,
    /// Programs with a run that violated the property.
    violations: u64,
    rejections: BTreeMap<String, u64>,
    /// Accepted programs by the constructs they contain (the generator's `// @name` marks).
    constructs: BTreeMap<String, u64>,
    /// With `UNWIND_UNWIND_SOUNDNESS_DEBUG`: rejections by construct and message.
    construct_rejections: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The constructs a program contains: the generator's `// @name` marks.
fn marks(text: &str) -> std::collections::BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("// @"))
        .map(str::to_string)
        .collect()
}

#[test]
fn accepted_programs_release_exactly_what_they_acquire() {
    let cases = env_u64("UNWIND_UNWIND_SOUNDNESS_CASES").unwrap_or(1500);
    let first = env_u64("UNWIND_UNWIND_SOUNDNESS_SEED").unwrap_or(0x0dd5_eed0);
    let debug = std::env::var("UNWIND_UNWIND_SOUNDNESS_DEBUG").is_ok();
    let debug_programs = env_u64("UNWIND_UNWIND_SOUNDNESS_DEBUG") == Some(2);
    let show = env_u64("UNWIND_UNWIND_SOUNDNESS_SHOW").unwrap_or(0);
    let show_mark = std::env::var("UNWIND_UNWIND_SOUNDNESS_MARK").ok();
    let mut shown_mark = [false; 3];
    let start = Instant::now();
    let mut counts: Vec<Counts> = MODES.iter().map(|_| Counts::default()).collect();
    let mut v2_only = 0u64;
    let mut generated: BTreeMap<String, u64> = BTreeMap::new();
    // violations by class (mode, kind of program, what went wrong), with the number of
    // programs and a minimised report for the first of each class
    let mut failures: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for k in 0..cases {
        let seed = first.wrapping_add(k);
        let text = program_text(seed);
        if k < show {
            eprintln!("---- seed {seed}\n{text}");
        }
        let asm = unwind_asm::assemble(&text);
        let program = asm
            .program
            .unwrap_or_else(|| panic!("does not assemble:\n{text}\n{:?}", asm.diagnostics));
        let mut accepted_in = [false; 3];
        let program_marks = marks(&text);
        for m in &program_marks {
            *generated.entry(m.clone()).or_default() += 1;
        }
        for (mi, &(mode, name)) in MODES.iter().enumerate() {
            let c = &mut counts[mi];
            let verdict = unwind_verifier::verify(&program, &options(mode));
            if !verdict.accepted {
                if debug {
                    let msg = verdict.errors.first().map_or(String::new(), |e| {
                        e.message
                            .chars()
                            .map(|c| if c.is_ascii_digit() { '#' } else { c })
                            .collect()
                    });
                    for m in &program_marks {
                        *c.construct_rejections
                            .entry(m.clone())
                            .or_default()
                            .entry(msg.clone())
                            .or_default() += 1;
                    }
                    let n = c.rejections.entry(msg.clone()).or_default();
                    *n += 1;
                    if *n == 1 && debug_programs {
                        eprintln!("---- {name} rejects seed {seed}: {msg}\n{text}");
                    }
                }
                continue;
            }
            accepted_in[mi] = true;
            c.accepted += 1;
            for m in &program_marks {
                *c.constructs.entry(m.clone()).or_default() += 1;
            }
            if let Some(m) = &show_mark {
                if !shown_mark[mi] && program_marks.contains(m) {
                    shown_mark[mi] = true;
                    eprintln!("---- {name} accepts seed {seed} with @{m}\n{text}");
                }
            }
            let r = unwind_verifier::runnable(&program, &verdict, mode)
                .unwrap_or_else(|e| panic!("runnable in {name}: {e}\n{text}"));
            assert!(
                r.unwinding != Unwinding::DiscardFrames,
                "{name} without descriptors"
            );
            let unwinding = r.unwinding;
            let mut threw = false;
            for i in 0..RUNS {
                let w = world(seed.wrapping_mul(RUNS).wrapping_add(i));
                let m = run(&r.program, &unwinding, &w);
                c.runs += 1;
                match check(&m) {
                    Ok(o) => {
                        threw |= o.threw;
                        c.threw += u64::from(o.threw);
                        c.threw_and_released += u64::from(o.threw && o.unwound > 0);
                        c.unwinder_releases += o.unwound as u64;
                    }
                    Err(why) => {
                        c.violations += 1;
                        let class = violation_class(name, &text, &why);
                        match failures.get_mut(&class) {
                            Some((n, _)) => *n += 1,
                            None => {
                                let r = if failures.len() < 8 {
                                    report(&text, mode, name, &w, seed, &why)
                                } else {
                                    format!("(not minimised) seed {seed}: {why}")
                                };
                                failures.insert(class, (1, r));
                            }
                        }
                        break;
                    }
                }
            }
            c.accepted_threw += u64::from(threw);
        }
        v2_only += u64::from(accepted_in[1] && !accepted_in[0]);
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!("unwind soundness: {cases} programs generated (seeds {first}..), {secs:.1} s");
    for (c, (_, name)) in counts.iter().zip(MODES) {
        eprintln!(
            "  {name:>10}: {} accepted ({} threw in a run), {} runs, {} threw, {} threw with >=1 \
             resource released by unwinding ({} such releases), {} programs violated the property",
            c.accepted,
            c.accepted_threw,
            c.runs,
            c.threw,
            c.threw_and_released,
            c.unwinder_releases,
            c.violations
        );
        if debug {
            let mut top: Vec<_> = c.rejections.iter().collect();
            top.sort_by(|a, b| b.1.cmp(a.1));
            for (msg, n) in top.into_iter().take(12) {
                eprintln!("      {n:>7} rejected: {msg}");
            }
        }
    }
    eprintln!("  accepted in cleanup-v2 but not in cleanup: {v2_only}");
    eprintln!("  programs with a construct: generated, accepted in each mode");
    for (m, n) in &generated {
        let per_mode: Vec<String> = counts
            .iter()
            .map(|c| c.constructs.get(m).copied().unwrap_or(0).to_string())
            .collect();
        eprintln!("    {m:>20}: {n:>6} {}", per_mode.join(" / "));
        if debug {
            // the most common reason each mode refused a program with it
            for (c, (_, name)) in counts.iter().zip(MODES) {
                let Some(msgs) = c.construct_rejections.get(m) else {
                    continue;
                };
                if let Some((msg, k)) = msgs.iter().max_by_key(|(_, k)| **k) {
                    eprintln!("        {name:>10} refused {k}: {msg}");
                }
            }
        }
    }
    for (class, (n, _)) in &failures {
        eprintln!("  VIOLATION x{n}: {class}");
    }
    // The full run's promise (issue 12): this many accepted programs that threw, per mode.
    if let Some(min) = env_u64("UNWIND_UNWIND_SOUNDNESS_MIN_THREW") {
        for (c, (_, name)) in counts.iter().zip(MODES) {
            assert!(
                c.accepted_threw >= min,
                "{name}: {} accepted programs threw in a run, fewer than {min}: generate more",
                c.accepted_threw
            );
        }
    }
    let reports: Vec<&str> = failures.values().map(|(_, r)| r.as_str()).collect();
    assert!(
        failures.is_empty(),
        "{} kinds of violation; the first program of each:\n\n{}",
        failures.len(),
        reports.join("\n\n========\n\n")
    );
}

/// Each program must be refused in `mode`, or run cleanly on every input in `ctxs`.
fn assert_sound(text: &str, ctxs: &[&str]) {
    for (mode, name) in MODES {
        for ctx in ctxs {
            let w = World {
                ctx: Some((*ctx).into()),
                ..World::default()
            };
            if let Some(why) = violation(text, mode, &w) {
                panic!("accepted in {name} but unsound with ctx {ctx}: {why}\n{text}");
            }
        }
    }
}

/// Found by the property: a referenced pointer moved into its resource (`r6 += 8`) at a
/// throw. The descriptor names the location as holding the resource, and the unwinder hands
/// `resource + 8` to the release function (the interpreter faults: not a live resource; a
/// kernel would release a bad pointer). The verifier must refuse it (a release function
/// wants the resource's own address: "R1 must have zero offset when passed to release
/// func"), or the descriptor must carry the offset.
#[test]
fn a_pointer_into_a_resource_at_a_throw() {
    // in a callee-saved register
    assert_sound(
        ".ctx tc
        r7 = r1
        r1 = 1
        call bpf_cgroup_from_id
        if r0 == 0 goto out
        r6 = r0
        r6 += 8
        r2 = *(u32 *)(r7 + 0)
        if r2 != 0 goto no_throw
        r1 = 1
        call bpf_throw
    no_throw:
        r6 -= 8
        r1 = r6
        call bpf_cgroup_release
    out:
        r0 = 0
        exit
    ",
        &["00", "01"],
    );
    // in a stack slot
    assert_sound(
        ".ctx tc
        r7 = r1
        r1 = 16
        call bpf_obj_new
        if r0 == 0 goto out
        r0 += 8
        *(u64 *)(r10 - 8) = r0
        r2 = *(u32 *)(r7 + 0)
        if r2 != 0 goto no_throw
        r1 = 1
        call bpf_throw
    no_throw:
        r1 = *(u64 *)(r10 - 8)
        r1 -= 8
        call bpf_obj_drop
    out:
        r0 = 0
        exit
    ",
        &["00", "01"],
    );
}

/// Found by the property: a global function given a pointer to its caller's stack as memory
/// (`mem:8`) may write there, over a referenced pointer the caller spilled. The verifier
/// keeps the slot as the object (the kernel turns a spilled pointer in memory given to be
/// written into an unknown scalar, `check_stack_range_initialized`'s clobber, so the program
/// would leak and be refused): the program's own release gets 7 (every mode), and a throw in
/// the callee makes the unwinder release fp-8 = 7 (the cleanup modes).
#[test]
fn a_global_function_writes_over_a_spilled_resource() {
    let text = |throw: bool| {
        format!(
            ".ctx tc
        .globl g(mem:8)
            r1 = 16
            call bpf_obj_new
            if r0 == 0 goto out
            *(u64 *)(r10 - 8) = r0
            r1 = r10
            r1 += -8
            call g
            r1 = *(u64 *)(r10 - 8)
            call bpf_obj_drop
        out:
            r0 = 0
            exit
        g:
            if r1 == 0 goto g_out
            *(u64 *)(r1 + 0) = 7
            {}
        g_out:
            r0 = 0
            exit
        ",
            if throw { "r1 = 1\n call bpf_throw" } else { "" }
        )
    };
    assert_sound(&text(false), &["00"]);
    assert_sound(&text(true), &["00"]);
}

/// The bug the property caught before the fix of the merge rules (a second copy of a
/// resource was skipped): path A holds a cgroup in fp-32 and a copy in r9, path B a task in
/// r9; the merged descriptor said "fp-32: cgroup, r9: task", so a throw on path A released the
/// cgroup and then handed it to `bpf_task_release`. Now `cleanup` refuses the merge and
/// `cleanup-v2` gives each acquisition its own slot.
#[test]
fn a_copy_in_a_register_another_path_uses_for_another_kind() {
    assert_sound(
        ".ctx tc
        r6 = r1
        r2 = *(u32 *)(r6 + 8)
        if r2 & 1 goto b
        r1 = 1
        call bpf_cgroup_from_id
        *(u64 *)(r10 - 32) = r0
        r9 = r0
        goto j
    b:
        r1 = 1
        call bpf_task_from_pid
        r9 = r0
    j:
        r1 = 0
        call bpf_throw
        r0 = 0
        exit
    ",
        &["0000000000000000", "0000000000000000 01"],
    );
}

/// Found by the property once the simulated kernel aliased (issue 12, "a kernel that aliases";
/// class 5, "conflicts between references that may be the same object"): `cgroup 2` acquired
/// twice is one pointer in r9 and r6; one of them is released on each arm. cleanup-v2 gives
/// the two conflicting acquisitions their own slots (fp-80, fp-88) and, at the shared release,
/// clears the slot whose pointer equals R1: both do, so it clears the wrong one on one arm,
/// and at the throw the reference still held is not released (a leak). Only objects distinct
/// by construction (allocations) may be told apart by identity, so the rewrite's compares
/// decide nothing for two lookups of one kind (`same_reference`), and the program is refused.
#[test]
fn cleanup_v2_tells_aliasing_references_apart_by_identity() {
    let text = ".ctx tc
*(u64 *)(r10 - 72) = r1
r1 = 2
call bpf_cgroup_from_id
r9 = r0
r1 = 2
call bpf_cgroup_from_id
r6 = r0
r1 = *(u64 *)(r10 - 72)
r2 = *(u32 *)(r1 + 8)
if r2 != 1 goto l2
r1 = r9
goto l3
l2:
r1 = r6
l3:
if r1 == 0 goto l4
call bpf_cgroup_release
l4:
r1 = *(u64 *)(r10 - 72)
call bpf_throw
exit
";
    let w = World {
        cgroups: vec![1, 2],
        ctx: Some("0000000000000000".into()),
        ..World::default()
    };
    if let Some(why) = violation(text, Mode::CleanupV2, &w) {
        panic!("accepted in cleanup-v2 but unsound: {why}\n{text}");
    }
}

/// A world whose packet is too short for `skb[30]`: a legacy load there returns 0 from the
/// function it is in.
fn short_packet() -> World {
    World {
        ctx: Some("00".into()),
        packet: Some("0102030405060708".into()),
        ..World::default()
    }
}

/// Found by the property (issue 12, legacy packet loads) while the interpreter still ended the
/// whole program on an out-of-bounds `LD_ABS`: a global function's load, with the caller
/// holding a cgroup, then leaked it. The kernel's failure path returns 0 from the *current*
/// function (`bpf_gen_ld_abs` ends with an exit), so the caller goes on and releases it:
/// accepted (as Linux 6.18 accepts it) and clean, also when the load is in a `bpf_loop`
/// callback of the global function.
#[test]
fn a_legacy_load_in_a_global_function_while_the_caller_holds_a_reference() {
    let text = ".ctx tc
.globl g1(ctx)
.globl g2(ctx)
*(u64 *)(r10 - 72) = r1
r1 = 1
call bpf_cgroup_from_id
r7 = r0
r1 = *(u64 *)(r10 - 72)
call g1
r1 = r7
if r1 == 0 goto out
call bpf_cgroup_release
out:
r0 = 0
exit
g2:
r6 = r1
r0 = *(u8 *)skb[30]
r0 = 0
exit
g1:
call g2
r0 = 0
exit
";
    // the load in a bpf_loop callback of the global function
    let in_callback = ".ctx tc
.globl g(ctx)
*(u64 *)(r10 - 72) = r1
r1 = 1
call bpf_cgroup_from_id
r7 = r0
r1 = *(u64 *)(r10 - 72)
call g
r1 = r7
if r1 == 0 goto out
call bpf_cgroup_release
out:
r0 = 0
exit
g:
*(u64 *)(r10 - 8) = r1
r1 = 1
r2 = cb
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = 0
exit
cb:
r6 = *(u64 *)(r2 + 0)
r0 = *(u8 *)skb[30]
r0 = 0
exit
";
    for text in [text, in_callback] {
        for (mode, name) in MODES {
            if let Some(why) = violation(text, mode, &short_packet()) {
                panic!("accepted in {name} but unsound: {why}\n{text}");
            }
        }
    }
}

/// Found by the property: an `LD_ABS` inside an RCU read section was accepted; out of
/// bounds it returns from the function with the section open (the run-time check reports the
/// RCU read lock as leaked). The kernel refuses it (`check_ld_abs` → `check_resource_leak`
/// with `check_lock`: "BPF_LD_[ABS|IND] cannot be used inside bpf_rcu_read_lock-ed region").
/// A global function with a legacy load, called inside the section, returns to it.
#[test]
fn a_legacy_load_inside_an_rcu_read_section() {
    for body in ["r0 = *(u16 *)skb[30]", "r1 = r6\ncall g"] {
        let text = format!(
            ".ctx tc
.globl g(ctx)
r6 = r1
call bpf_rcu_read_lock
{body}
call bpf_rcu_read_unlock
r0 = 0
exit
g:
r6 = r1
r0 = *(u8 *)skb[30]
r0 = 0
exit
"
        );
        for (mode, name) in MODES {
            if let Some(why) = violation(&text, mode, &short_packet()) {
                panic!("accepted in {name} but unsound: {why}\n{text}");
            }
        }
    }
}
