//! The exceptions corpus: one `.s` file per kernel selftest row (reference §6.1, §6.2) and per
//! RFC cleanup test (§4.9), in `tests/exceptions/`, run through the `unwind` binary in all
//! five modes. Every file is a case file in the grammar of the `unwind-casefile` crate (see
//! `tests/exceptions/README.md`):
//!
//! ```text
//! ; kernel: progs/exceptions_fail.c reject_with_reference (__failure __msg("Unreleased reference"))
//! ; ctx: 40000000                  (optional: the ctx bytes, `unwind run --ctx`)
//! ; legacy, upstream: reject
//! ; cleanup, cleanup-v2, runtime: accept retval=0 releases=1
//!     call bpf_throw  ; log(upstream): Unreleased reference id=1 alloc_insn=1
//!                     ;^ error: bpf_throw would lead to reference leak
//! ```
//!
//! `reject`: `unwind verify --json` rejects, and every `error` annotation in scope names an
//! error of that line whose message contains the text; every `log` annotation a
//! non-instruction line of the log printed after that line's instruction (the kernel's
//! `__msg` matches the log: the `Unreleased reference id=N alloc_insn=M` line precedes the
//! error itself); a quoted `reject "msg"` must appear in an error or a non-instruction log
//! line, anywhere.
//! `accept` runs `unwind verify --json` (must accept) and `unwind run --json` and checks:
//! `retval=N` (required), `releases=N` (releases by the unwinder or the run-time table,
//! default 0), `leaks=N` (leak events, default 0), `throws=N` (throw events, optional),
//! `table_ops=N` (the run-time table's work, optional), and
//! that every acquired resource is released (by the program, the unwinder or the table) or
//! reported as a leak, exactly once. All five modes must be stated in every file, and a
//! `; kernel:` line. All mismatches are collected and reported together, as `file:line`.
//!
//! The second test, `examples_in_every_mode`, does the same for every program of
//! `static/examples/index.json`, from a table in this file (verdicts in the header form).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use unwind_casefile::{check_verify, CaseFile, ErrorAt, Outcome, Verdict, MODES};

fn unwind(args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_unwind"))
        .args(args)
        .output()
        .expect("spawn unwind");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        v,
        format!("{stdout}{stderr}"),
    )
}

/// The errors of `unwind verify --json`.
fn errors_of(v: &Value) -> Vec<ErrorAt> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| ErrorAt {
                    pc: e["pc"].as_u64().unwrap_or(u64::MAX) as usize,
                    line: e["line"].as_u64().unwrap_or(0) as u32,
                    message: e["message"].as_str().unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The source line of each pc, from the assembler (as the binary assembles the file).
fn lines_of(path: &Path) -> Vec<u32> {
    let src = std::fs::read_to_string(path).unwrap_or_default();
    unwind_asm::assemble(&src)
        .program
        .map(|p| p.spans.iter().map(|s| s.line).collect())
        .unwrap_or_default()
}

/// Checks one file in one mode; returns the mismatches, each with the case-file line it is
/// about.
fn check(path: &Path, mode: &str, case: &CaseFile, ctx: Option<&str>) -> Vec<(u32, String)> {
    let file = path.to_str().unwrap();
    let stated = &case.modes[mode];
    let at = |m: String| vec![(stated.line, m)];
    let (code, v, raw) = unwind(&["verify", file, "--json", "--mode", mode]);
    if v.is_null() {
        return at(format!("verify: no JSON (exit {code}): {raw}"));
    }
    let accepted = v["accepted"].as_bool() == Some(true);
    let out = Outcome {
        accepted,
        errors: errors_of(&v),
        log: v["log"].as_str().unwrap_or(""),
        lines: lines_of(path),
    };
    let mut bad: Vec<(u32, String)> = check_verify(case, mode, &out)
        .into_iter()
        .map(|f| (f.line, f.message))
        .collect();
    let run = match &stated.verdict {
        Verdict::Reject(_) => {
            if !accepted && code != 1 {
                bad.extend(at(format!("rejected, but exit {code}")));
            }
            return bad;
        }
        Verdict::Accept(run) => run,
    };
    if !bad.is_empty() {
        return bad;
    }
    if code != 0 {
        return at(format!("accepted, but exit {code}"));
    }
    let Some(retval) = run.retval else {
        return at("accept needs retval=N".into());
    };
    let mut bad = Vec::new();
    let mut args = vec!["run", file, "--json", "--mode", mode];
    if let Some(c) = ctx {
        args.extend(["--ctx", c]);
    }
    let (code, r, raw) = unwind(&args);
    if code != 0 || r.is_null() {
        bad.push(format!("run: exit {code}: {raw}"));
        return bad.into_iter().map(|m| (stated.line, m)).collect();
    }
    bad.extend(check_run(
        &r,
        &retval.to_string(),
        run.releases.unwrap_or(0),
        run.leaks.unwrap_or(0),
        run.throws,
    ));
    // Who releases at a throw: the unwinder (descriptors) or the run-time table;
    // legacy and upstream release nothing.
    let by = match mode {
        "runtime" => Some("runtime_table"),
        "cleanup" | "cleanup-v2" => Some("unwinder"),
        _ => None,
    };
    for e in r["events"].as_array().into_iter().flatten() {
        let b = e["by"].as_str();
        if e["kind"] == "release" && b != Some("program") && b != by {
            bad.push(format!("a release by {b:?} in {mode}"));
        }
    }
    if let Some(ops) = run.table_ops {
        let got = r["runtime_table_ops"].as_u64();
        if got != Some(ops) {
            bad.push(format!("runtime_table_ops {got:?}, expected {ops}"));
        }
    }
    bad.into_iter().map(|m| (stated.line, m)).collect()
}

fn check_run(
    r: &Value,
    retval: &str,
    releases: usize,
    leaks: usize,
    throws: Option<usize>,
) -> Vec<String> {
    let mut bad = Vec::new();
    if r["fault"] != Value::Null {
        bad.push(format!("run faulted: {}", r["fault"]));
    }
    let got = r["return_value"].as_str().unwrap_or("?");
    if got != retval {
        bad.push(format!("retval {got}, expected {retval}"));
    }
    let events = r["events"].as_array().cloned().unwrap_or_default();
    if r["events_dropped"].as_u64().unwrap_or(0) != 0 {
        bad.push("events were dropped".into());
    }
    let kind = |e: &Value, k: &str| e["kind"].as_str() == Some(k);
    let unwound: Vec<&Value> = events
        .iter()
        .filter(|e| kind(e, "release") && e["by"].as_str() != Some("program"))
        .collect();
    if unwound.len() != releases {
        bad.push(format!(
            "{} release(s) by the unwinder or the run-time table, expected {releases}: {:?}",
            unwound.len(),
            unwound
                .iter()
                .map(|e| format!("{} {}", e["resource"]["type"], e["by"]))
                .collect::<Vec<_>>()
        ));
    }
    let leaked = events.iter().filter(|e| kind(e, "leak")).count();
    if leaked != leaks {
        bad.push(format!("{leaked} leak(s), expected {leaks}"));
    }
    if let Some(t) = throws {
        let n = events.iter().filter(|e| kind(e, "throw")).count();
        if n != t {
            bad.push(format!("{n} throw(s), expected {t}"));
        }
    }
    // Every acquired resource ends exactly once: released or leaked.
    let mut ends: BTreeMap<u64, usize> = BTreeMap::new();
    for e in &events {
        let id = e["resource"]["id"].as_u64();
        match (e["kind"].as_str(), id) {
            (Some("acquire"), Some(id)) => {
                ends.entry(id).or_insert(0);
            }
            (Some("release" | "leak"), Some(id)) => *ends.entry(id).or_insert(0) += 1,
            _ => {}
        }
    }
    for (id, n) in ends {
        if n != 1 {
            bad.push(format!("resource #{id} released or leaked {n} time(s)"));
        }
    }
    bad
}

/// Every row of reference §6.1 and §6.2 and every RFC test of §4.9: each has a case file of
/// that name, or is here with the reason it cannot be reproduced.
const ROWS: &[&str] = &[
    // §6.1 progs/exceptions.c
    "exception_throw_always_1",
    "exception_throw_always_2",
    "exception_throw_unwind_1",
    "exception_throw_unwind_2",
    "exception_throw_default",
    "exception_throw_default_value",
    "exception_tail_call",
    "exception_throw_from_void_global",
    "exception_ext",
    "exception_ext_mod_cb_runtime",
    "exception_throw_subprog",
    "exception_assert_nz_gfunc",
    "exception_assert_zero_gfunc",
    "exception_assert_neg_gfunc",
    "exception_assert_pos_gfunc",
    "exception_assert_negeq_gfunc",
    "exception_assert_poseq_gfunc",
    "exception_assert_nz_gfunc_with",
    "exception_assert_zero_gfunc_with",
    "exception_assert_neg_gfunc_with",
    "exception_assert_pos_gfunc_with",
    "exception_assert_negeq_gfunc_with",
    "exception_assert_poseq_gfunc_with",
    "exception_bad_assert_nz_gfunc",
    "exception_bad_assert_zero_gfunc",
    "exception_bad_assert_neg_gfunc",
    "exception_bad_assert_pos_gfunc",
    "exception_bad_assert_negeq_gfunc",
    "exception_bad_assert_poseq_gfunc",
    "exception_bad_assert_nz_gfunc_with",
    "exception_bad_assert_zero_gfunc_with",
    "exception_bad_assert_neg_gfunc_with",
    "exception_bad_assert_pos_gfunc_with",
    "exception_bad_assert_negeq_gfunc_with",
    "exception_bad_assert_poseq_gfunc_with",
    "exception_assert_range",
    "exception_assert_range_with",
    "exception_bad_assert_range",
    "exception_bad_assert_range_with",
    "exception_throw_stack_arg",
    "exception_throw_after_stack_arg",
    "exception_throw_subprog_stack_arg",
    "exception_throw_subprog_after_stack_arg",
    // §6.2 progs/exceptions_fail.c
    "reject_exception_cb_type_1",
    "reject_exception_cb_type_2",
    "reject_exception_cb_type_3",
    "reject_exception_cb_type_4",
    "reject_exception_cb_type_5",
    "reject_async_callback_throw",
    "reject_with_lock",
    "reject_subprog_with_lock",
    "reject_with_rcu_read_lock",
    "reject_subprog_with_rcu_read_lock",
    "reject_with_rbtree_add_throw",
    "reject_with_reference",
    "reject_global_subprog_throw_with_reference",
    "reject_with_cb_reference",
    "reject_with_cb",
    "reject_with_subprog_reference",
    "reject_throwing_exception_cb",
    "reject_exception_cb_call_global_func",
    "reject_exception_cb_call_static_func",
    "reject_multiple_exception_cb",
    "reject_set_exception_cb_bad_ret1",
    "reject_set_exception_cb_bad_ret2",
    "reject_exception_throw_cb",
    "reject_exception_throw_cb_diff",
    "reject_out_of_range_global_throw",
    "reject_subprog_rcu_lock_throw",
    "reject_subprog_throw_preempt_lock",
    "reject_subprog_throw_irq_lock",
    // §4.9 RFC patch 14: exceptions_cleanup.c
    "exceptions_cleanup_prog_num_iter",
    "exceptions_cleanup_prog_num_iter_mult",
    "exceptions_cleanup_prog_dynptr_iter",
    "exceptions_cleanup_obj",
    "exceptions_cleanup_percpu_obj",
    "exceptions_cleanup_ringbuf",
    "exceptions_cleanup_reg",
    "exceptions_cleanup_null_or_ptr_do_ptr",
    "exceptions_cleanup_null_or_ptr_do_null",
    "exceptions_cleanup_callee_saved",
    "exceptions_cleanup_frame",
    "exceptions_cleanup_loop_iterations",
    "exceptions_cleanup_dead_code_elim",
    "exceptions_cleanup_frame_dce",
    "reject_slot_with_zero_vs_ptr_ok",
    // exceptions_cleanup_fail.c (its reject_with_reference is exceptions_fail.c's, above)
    "reject_slot_with_distinct_ptr",
    "reject_slot_with_distinct_ptr_old",
    "reject_slot_with_misc_vs_ptr",
    "reject_slot_with_misc_vs_ptr_old",
    "reject_slot_with_invalid_vs_ptr",
    "reject_slot_with_invalid_vs_ptr_old",
    "reject_slot_with_zero_vs_ptr",
];

/// The rows that need something the simulated kernel does not model.
const NOT_REPRODUCIBLE: &[(&str, &str)] = &[
    (
        "exception_tail_call",
        "bpf_tail_call and prog_array maps are not modelled",
    ),
    (
        "exception_throw_stack_arg",
        "10-argument functions (stack arguments) are not in the ISA modelled",
    ),
    (
        "exception_throw_after_stack_arg",
        "10-argument functions (stack arguments)",
    ),
    (
        "exception_throw_subprog_stack_arg",
        "10-argument functions (stack arguments)",
    ),
    (
        "exception_throw_subprog_after_stack_arg",
        "10-argument functions (stack arguments)",
    ),
    (
        "reject_with_rbtree_add_throw",
        "bpf_rbtree_add and its less() callback are not modelled",
    ),
    (
        "exceptions_cleanup_prog_num_iter",
        "open-coded iterators (bpf_for) are not modelled",
    ),
    (
        "exceptions_cleanup_prog_num_iter_mult",
        "open-coded iterators (bpf_for) are not modelled",
    ),
    (
        "exceptions_cleanup_prog_dynptr_iter",
        "ringbuf dynptrs and iterators are not modelled",
    ),
];

#[test]
fn every_row_has_a_case_or_a_reason() {
    let files: Vec<String> = case_files()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut bad = Vec::new();
    for row in ROWS {
        let has_file = files.iter().any(|f| f == row);
        let omitted = NOT_REPRODUCIBLE.iter().any(|(r, _)| r == row);
        match (has_file, omitted) {
            (false, false) => bad.push(format!("{row}: no case file and no reason")),
            (true, true) => bad.push(format!(
                "{row}: has a case file but is listed as not reproducible"
            )),
            _ => {}
        }
    }
    for (r, _) in NOT_REPRODUCIBLE {
        if !ROWS.contains(r) {
            bad.push(format!("{r}: not a row"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn case_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/exceptions");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/exceptions")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    paths.sort();
    paths
}

#[test]
fn exception_cases_in_every_mode() {
    let paths = case_files();
    assert!(paths.len() >= 86, "only {} case files", paths.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for p in &paths {
        let name = format!(
            "tests/exceptions/{}",
            p.file_name().unwrap().to_string_lossy()
        );
        let src = std::fs::read_to_string(p).unwrap();
        let case = match unwind_casefile::parse(&src) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}:{}: {e}", e.line()));
                continue;
            }
        };
        if case.kernel.is_none() {
            failures.push(format!(
                "{name}:1: no `; kernel:` line naming the test it reproduces"
            ));
        }
        for m in MODES {
            if !case.modes.contains_key(m) {
                failures.push(format!("{name}:1: no expectation for mode {m}"));
            }
        }
        for (mode, _) in case.stated_modes() {
            checked += 1;
            for (line, b) in check(p, mode, &case, case.ctx.as_deref()) {
                failures.push(format!("{name}:{line}: [{mode}] {b}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatch(es) in {} files ({checked} file x mode checks):\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

/// The verdicts of the EXAMPLES table, as a case file's header states them.
fn table_case(mode: &str, text: &str) -> Result<CaseFile, String> {
    unwind_casefile::parse(&format!("; {mode}: {text}\n")).map_err(|e| e.to_string())
}

#[test]
fn the_header_parser() {
    use unwind_casefile::{parse_verdict, Run};
    assert_eq!(
        parse_verdict(r#"reject "a b" "c""#),
        Ok(Verdict::Reject(vec!["a b".into(), "c".into()]))
    );
    assert_eq!(
        parse_verdict("accept retval=-1 releases=2"),
        Ok(Verdict::Accept(Run {
            retval: Some(u64::MAX),
            releases: Some(2),
            ..Run::default()
        }))
    );
    // A bare `reject` (the reason on the line it is about) is a case file's business; the
    // table's rejects must give their messages, and an accept its retval (checked in `check`).
    assert!(table_case("legacy", "reject").is_err());
    assert!(parse_verdict("accept retval=1 frees=2").is_err());
    let missing = "; kernel: k\n; legacy: accept retval=0\n; upstream: accept retval=0\n";
    let case = unwind_casefile::parse(missing).unwrap();
    assert!(!case.modes.contains_key("cleanup"));
}

/// The ctx of the default test packet with `protocol` = 0 (len 64): the examples that throw
/// only when `skb->protocol == 0` (the default packet's is `ETH_P_802_2`).
const PROTOCOL_0: &str = "40000000 00000000 00000000 00000000 00000000";
/// len 200, protocol 0: conflicting-slot's ringbuf path, then the throw.
const LONG_PROTOCOL_0: &str = "c8000000 00000000 00000000 00000000 00000000";

const UNRELEASED: &str = r#"reject "Unreleased reference""#;
const UNRELEASED_THROW: &str =
    r#"reject "Unreleased reference" "bpf_throw would lead to reference leak""#;

/// The outcome of every example of `static/examples/index.json` in each mode (in `MODES`
/// order: legacy, upstream, cleanup, cleanup-v2, runtime), on the default input and, where the
/// scenario needs it, on a ctx that takes the throwing path.
const EXAMPLES: &[(&str, Option<&str>, [&str; 5])] = &[
    ("map-lookup-throw.s", None, ["accept retval=42 throws=1"; 5]),
    (
        "null-merge.s",
        None,
        [
            r#"reject "Unreleased reference id=1 alloc_insn=6""#,
            UNRELEASED_THROW,
            "accept retval=0 throws=0",
            "accept retval=0 throws=0",
            "accept retval=0 throws=0",
        ],
    ),
    (
        "null-merge.s",
        Some(PROTOCOL_0),
        [
            UNRELEASED,
            UNRELEASED_THROW,
            "accept retval=1 releases=1 throws=1",
            "accept retval=1 releases=1 throws=1",
            "accept retval=1 releases=1 throws=1",
        ],
    ),
    (
        "conflicting-slot.s",
        None,
        [
            UNRELEASED,
            UNRELEASED_THROW,
            r#"reject "frame_desc: merge: failed to merge old and new frame desc entry""#,
            "accept retval=0 throws=0",
            "accept retval=0 throws=0",
        ],
    ),
    (
        "conflicting-slot.s",
        Some(PROTOCOL_0),
        [
            UNRELEASED,
            UNRELEASED_THROW,
            r#"reject "frame_desc: merge: failed to merge old and new frame desc entry""#,
            "accept retval=2 releases=1 throws=1",
            "accept retval=2 releases=1 throws=1",
        ],
    ),
    (
        "conflicting-slot.s",
        Some(LONG_PROTOCOL_0),
        [
            UNRELEASED,
            UNRELEASED_THROW,
            r#"reject "frame_desc: merge: failed to merge old and new frame desc entry""#,
            "accept retval=2 releases=1 throws=1",
            "accept retval=2 releases=1 throws=1",
        ],
    ),
    (
        "global-loophole.s",
        None,
        [
            "accept retval=3 leaks=1 throws=1",
            r#"reject "may throw exception, exploring program path where exception is thrown" "Unreleased reference id=1 alloc_insn=2" "bpf_throw would lead to reference leak""#,
            "accept retval=3 releases=1 throws=1",
            "accept retval=3 releases=1 throws=1",
            "accept retval=3 releases=1 throws=1",
        ],
    ),
    (
        "callee-saved.s",
        None,
        [
            UNRELEASED,
            UNRELEASED_THROW,
            "accept retval=7 releases=3 throws=1",
            "accept retval=7 releases=3 throws=1",
            "accept retval=7 releases=3 throws=1",
        ],
    ),
    (
        "lock-refused.s",
        None,
        [r#"reject "function calls are not allowed while holding a lock""#; 5],
    ),
    (
        "rcu-refused.s",
        None,
        [
            r#"reject "bpf_rcu_read_unlock is missing""#,
            r#"reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region""#,
            r#"reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region""#,
            r#"reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region""#,
            r#"reject "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region""#,
        ],
    ),
    (
        "exception-callback.s",
        None,
        ["accept retval=164 throws=1"; 5],
    ),
    (
        "runtime-tracking.s",
        None,
        [
            "accept retval=0 throws=0 table_ops=0",
            "accept retval=0 throws=0 table_ops=0",
            "accept retval=0 throws=0 table_ops=0",
            "accept retval=0 throws=0 table_ops=0",
            "accept retval=0 throws=0 table_ops=20",
        ],
    ),
    (
        "runtime-tracking.s",
        Some("00"),
        [
            "accept retval=9 throws=1 table_ops=0",
            "accept retval=9 throws=1 table_ops=0",
            "accept retval=9 throws=1 table_ops=0",
            "accept retval=9 throws=1 table_ops=0",
            "accept retval=9 throws=1 table_ops=20",
        ],
    ),
    ("conformance-call.s", None, ["accept retval=1"; 5]),
    ("bytecode.hex", None, ["accept retval=55"; 5]),
];

#[test]
fn examples_in_every_mode() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../static/examples");
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap()).unwrap();
    let listed: Vec<String> = index
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap().to_string())
        .collect();
    let mut failures = Vec::new();
    for f in &listed {
        if !EXAMPLES
            .iter()
            .any(|(file, ctx, _)| file == f && ctx.is_none())
        {
            failures.push(format!(
                "{f}: listed in index.json but not in the EXAMPLES table"
            ));
        }
    }
    for (file, ctx, expects) in EXAMPLES {
        if !listed.iter().any(|f| f == file) {
            failures.push(format!("{file}: in the table but not in index.json"));
            continue;
        }
        let path = dir.join(file);
        let input = ctx.map_or(String::new(), |c| format!(" --ctx {c:?}"));
        for (mode, text) in MODES.iter().zip(expects) {
            let case = match table_case(mode, text) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{file}{input} [{mode}]: bad expectation: {e}"));
                    continue;
                }
            };
            for (_, b) in check(&path, mode, &case, *ctx) {
                failures.push(format!("{file}{input} [{mode}]: {b}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatch(es):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
