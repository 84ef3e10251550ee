//! End-to-end tests of `unwind run` and `unwind conformance` (SPEC §6: exit 0 ran to the end,
//! 3 runtime fault, 2 unusable input; conformance: exit 0 only when every file passed).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("unwind-run-{test}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) -> &Self {
        std::fs::write(self.0.join(name), text).unwrap();
        self
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_unwind"))
            .args(args)
            .current_dir(&self.0)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const LEAKY: &str = "\
.ctx tc
    r1 = 16
    call bpf_obj_new
    r1 = 0x000a6425 ll
    *(u64 *)(r10 - 8) = r1
    r1 = r10
    r1 += -8
    r2 = 4
    r3 = 7
    call bpf_trace_printk
    r0 = 3
    exit
";

#[test]
fn run_prints_r0_trace_events_and_leaks() {
    let s = Scratch::new("leaky");
    s.write("p.s", LEAKY);
    // The verifier refuses the leak: not run, exit 1.
    let (code, out, _) = s.run(&["run", "p.s"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("p.s: rejected by the verifier (not run):\n  pc 11 (line 12): Unreleased reference id=1 alloc_insn=1\n"), "{out}");
    let (code, out, _) = s.run(&["run", "p.s", "--json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["verified"].clone(), v["accepted"].clone()),
        (Value::Bool(true), Value::Bool(false))
    );
    assert_eq!(v["errors"][0]["pc"], 11);
    // Unverified, it runs and the leak is reported.
    let (code, out, err) = s.run(&["run", "p.s", "--unverified"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("r0 = 3 "), "{out}");
    assert!(out.contains("trace output:\n  7\n"), "{out}");
    assert!(
        out.contains("pc 1: acquire object#1 by bpf_obj_new"),
        "{out}"
    );
    assert!(out.contains("pc 11: exit, r0 = 3"), "{out}");
    assert!(
        out.contains("pc 11: leak object#1 acquired at pc 1 in frame 0"),
        "{out}"
    );
    assert!(err.contains("without verification"), "{err}");

    let (code, out, _) = s.run(&["run", "p.s", "--json", "--unverified"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["return_value"], "3");
    assert_eq!(v["verified"], false);
    assert_eq!(v["accepted"], Value::Null);
    assert_eq!(v["fault"], Value::Null);
    assert_eq!(v["instructions"], 11);
    assert_eq!(v["trace_output"][0]["text"], "7\n");
    let kinds: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["acquire", "exit", "leak"]);
    assert_eq!(v["leaks"][0]["resource"]["type"], "object");
    assert_eq!(v["events"][0]["pc"], 1);
}

#[test]
fn a_fault_exits_3_with_pc_line_and_message() {
    let s = Scratch::new("fault");
    s.write("p.s", "r0 = 0\n// comment\nr0 = *(u64 *)(r10 + 8)\nexit\n");
    let (code, out, _) = s.run(&["run", "p.s"]);
    assert_eq!(code, 1, "the verifier refuses it: {out}");
    let (code, out, _) = s.run(&["run", "p.s", "--unverified"]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.starts_with("fault at pc 1 (line 3): invalid read of 8 byte(s)"),
        "{out}"
    );
    assert!(out.contains("3 | r0 = *(u64 *)(r10 + 8)"), "{out}");
    let (code, out, _) = s.run(&["run", "p.s", "--json", "--unverified"]);
    assert_eq!(code, 3);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["fault"]["pc"], 1);
    assert_eq!(v["fault"]["line"], 3);
    assert_eq!(v["fault"]["kind"], "out_of_bounds");
    assert_eq!(v["return_value"], Value::Null);
}

#[test]
fn budget_and_ctx_options() {
    let s = Scratch::new("opts");
    s.write("loop.s", "l:\ngoto l\n");
    let (code, out, _) = s.run(&["run", "loop.s", "--budget", "100", "--unverified"]);
    assert_eq!(code, 3);
    assert!(out.contains("instruction budget of 100 exhausted"), "{out}");
    assert!(out.contains("instructions: 100"), "{out}");

    s.write("mark.s", ".ctx tc\nr0 = *(u32 *)(r1 + 8)\nexit\n");
    let (code, out, _) = s.run(&["run", "mark.s", "--ctx", "00000000 00000000 2a000000"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("r0 = 42 "), "{out}");
    // Longer than __sk_buff (192 bytes) is unusable input.
    let long = "00".repeat(193);
    let (code, _, err) = s.run(&["run", "mark.s", "--ctx", &long]);
    assert_eq!(code, 2);
    assert!(
        err.contains("ctx is 193 bytes but __sk_buff is only 192"),
        "{err}"
    );
    let (code, _, err) = s.run(&["run", "mark.s", "--ctx", "xyz"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid hex"), "{err}");
}

#[test]
fn packet_programs_get_64_bytes_and_the_world_file_is_read() {
    let s = Scratch::new("world");
    s.write(
        "len.s",
        ".ctx xdp\nr2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = r3\nr0 -= r2\nexit\n",
    );
    let (code, out, _) = s.run(&["run", "len.s"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("r0 = 64 "), "{out}");

    s.write("pid.s", ".ctx tc\nr1 = 7\ncall bpf_task_from_pid\nif r0 == 0 goto n\nr1 = r0\ncall bpf_task_release\nr0 = 1\nexit\nn:\nr0 = 2\nexit\n");
    let (_, out, _) = s.run(&["run", "pid.s"]);
    assert!(out.starts_with("r0 = 2 "), "{out}");
    s.write("w.json", r#"{"tasks": [{"pid": 7, "comm": "x"}]}"#);
    let (_, out, _) = s.run(&["run", "pid.s", "--world", "w.json"]);
    assert!(out.starts_with("r0 = 1 "), "{out}");
    s.write("bad.json", r#"{"pids": []}"#);
    let (code, _, err) = s.run(&["run", "pid.s", "--world", "bad.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid world"), "{err}");
}

#[test]
fn verified_runs_and_the_mode_option() {
    let s = Scratch::new("verified");
    s.write("t.s", ".ctx tc\nr1 = 42\ncall bpf_throw\nr0 = 0\nexit\n");
    for mode in ["legacy", "upstream", "cleanup", "cleanup-v2", "runtime"] {
        let (code, out, err) = s.run(&["run", "t.s", "--mode", mode]);
        assert_eq!(code, 0, "{mode}: {out}{err}");
        assert!(out.starts_with("r0 = 42 "), "{out}");
        // The cleanup modes throw through the hidden trampoline appended at pc 4.
        let throw_pc = if mode.starts_with("cleanup") { 8 } else { 1 };
        assert!(
            out.contains(&format!(
                "pc {throw_pc}: exception callback default with cookie 42"
            )),
            "{mode}: {out}"
        );
        assert!(err.is_empty(), "{err}");
    }
    let (code, _, err) = s.run(&["run", "t.s", "--mode", "strict"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'strict' for --mode"), "{err}");
}

/// The article's scenarios from `static/examples`, end to end: verifier, descriptors, unwinding.
fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../static/examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn cleanup_unwinds_with_the_verifiers_descriptors() {
    let s = Scratch::new("cleanup");
    // R6-R9 across three frames: each level's resource released by the unwinder, in order.
    let (code, out, err) = s.run(&["run", &example("callee-saved.s"), "--mode", "cleanup"]);
    assert_eq!(code, 0, "{out}{err}");
    let releases: Vec<&str> = out.lines().filter(|l| l.contains("(unwinder")).collect();
    assert_eq!(releases.len(), 3, "{out}");
    assert!(
        releases[0].contains("object#3 by bpf_obj_drop (unwinder, r8 of frame 2)"),
        "{out}"
    );
    assert!(
        releases[1].contains("cgroup#2 by bpf_cgroup_release (unwinder, r7 of frame 1)"),
        "{out}"
    );
    assert!(
        releases[2].contains("task#1 by bpf_task_release (unwinder, r6 of frame 0)"),
        "{out}"
    );
    assert!(!out.contains("leak"), "{out}");
    assert!(out.starts_with("r0 = 7 "), "{out}");

    // The global-subprog loophole: legacy accepts and leaks, upstream refuses, cleanup releases.
    let loophole = example("global-loophole.s");
    let (code, out, _) = s.run(&["run", &loophole, "--mode", "legacy"]);
    assert_eq!(code, 0);
    assert!(out.contains("leak object#1"), "{out}");
    let (code, out, err) = s.run(&["run", &loophole, "--mode", "upstream"]);
    let err = format!("{out}{err}");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("bpf_throw would lead to reference leak"),
        "{err}"
    );
    let (code, out, _) = s.run(&["run", &loophole, "--mode", "cleanup"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("release object#1 by bpf_obj_drop (unwinder, fp-8 of frame 0)"),
        "{out}"
    );
    assert!(!out.contains("leak"), "{out}");

    // One slot, two resource types: refused by the merge rules.
    let (code, out, err) = s.run(&["run", &example("conflicting-slot.s"), "--mode", "cleanup"]);
    let err = format!("{out}{err}");
    assert_eq!(code, 1);
    assert!(
        err.contains("frame_desc: merge: failed to merge old and new frame desc entry"),
        "{err}"
    );
}

#[test]
fn assembly_errors_are_unusable_input() {
    let s = Scratch::new("asm");
    s.write("bad.s", "r11 = 1\nexit\n");
    let (code, out, err) = s.run(&["run", "bad.s"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("bad.s:1:1: error: invalid register r11"),
        "{err}"
    );
    let (code, _, err) = s.run(&["run", "missing.s"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read missing.s"), "{err}");
}

#[test]
fn conformance_folder_lines_and_summary() {
    let s = Scratch::new("conf");
    s.write("a.data", "-- asm\nmov %r0, 1\nexit\n-- result\n0x1\n");
    s.write(
        "b.data",
        "-- asm\nmov %r0, %r2\nexit\n-- mem\n00 01 02\n-- result\n3\n",
    );
    let (code, out, _) = s.run(&["conformance", "."]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "pass a.data\npass b.data\n2 passed, 0 failed\n");
    s.write("c.data", "-- asm\nmov %r0, 2\nexit\n-- result\n0x1\n");
    s.write(
        "d.data",
        "-- asm\nldxdw %r0, [%r10]\nexit\n-- result\n0x1\n",
    );
    let (code, out, _) = s.run(&["conformance", "."]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAIL c.data: r0 = 0x2, expected 0x1\n"),
        "{out}"
    );
    assert!(
        out.contains("FAIL d.data: fault at pc 0: invalid read"),
        "{out}"
    );
    assert!(out.ends_with("2 passed, 2 failed\n"), "{out}");
    let (_, out, _) = s.run(&["conformance", ".", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["passed"], 2);
    assert_eq!(v["failed"], 2);
    assert_eq!(v["files"][2]["return_value"], "0x2");
    let (code, _, _) = s.run(&["conformance", "nowhere"]);
    assert_eq!(code, 2);
}

#[test]
fn the_shared_conformance_suite_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    if !dir.is_dir() {
        eprintln!("note: ../shared/conformance not found; skipped");
        return;
    }
    let s = Scratch::new("suite");
    let (code, out, _) = s.run(&["conformance", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.ends_with("225 passed, 0 failed\n"), "{out}");
    assert!(out.contains("pass callx.data\n"));
}

/// `--mode runtime`: a throw releases what the run-time table holds, and the table's work is
/// counted (also when nothing throws).
#[test]
fn run_in_runtime_mode_releases_through_the_table() {
    let s = Scratch::new("runtime");
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../static/examples/");
    let loophole = std::fs::read_to_string(format!("{examples}global-loophole.s")).unwrap();
    let tracking = std::fs::read_to_string(format!("{examples}runtime-tracking.s")).unwrap();
    s.write("loophole.s", &loophole)
        .write("tracking.s", &tracking);
    let (code, out, err) = s.run(&["run", "loophole.s", "--mode", "runtime", "--unverified"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("release object#1 by bpf_obj_drop (runtime table)"),
        "{out}"
    );
    assert!(!out.contains("leak"), "{out}");
    assert!(out.contains("runtime table operations: 2\n"), "{out}");
    let (code, out, _) = s.run(&[
        "run",
        "tracking.s",
        "--mode",
        "runtime",
        "--unverified",
        "--json",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["runtime_table_ops"], 20);
    assert_eq!(v["instructions"], 76);
    let (_, out, _) = s.run(&[
        "run",
        "tracking.s",
        "--mode",
        "legacy",
        "--unverified",
        "--json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["runtime_table_ops"].clone(), v["instructions"].clone()),
        (0.into(), 76.into())
    );
}

/// `run --json` carries the verifier's exception facts beside the events, as SPEC §6's
/// `run` adds to `verify`: descriptors, might-throw per function, cleanup-v2's rewrite and the
/// program as loaded.
#[test]
fn run_json_carries_the_exception_facts() {
    let s = Scratch::new("facts");
    let (code, out, err) = s.run(&[
        "run",
        "--json",
        "--mode",
        "cleanup-v2",
        &example("conflicting-slot.s"),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let e = &v;
    assert_eq!(e["mode"], "cleanup-v2");
    assert_eq!(e["functions"][0]["might_throw"], true);
    let slots: Vec<&str> = e["rewrite"]["dedicated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["slot"].as_str().unwrap())
        .collect();
    assert_eq!(slots, ["fp-16", "fp-24"]);
    assert_eq!(e["loaded"]["trampoline"]["name"], "bpf_throw_tramp");
    let d = &e["frame_descriptors"][0];
    assert_eq!(d["slots"].as_array().unwrap().len(), 2, "{d}");
    // A rejected program's output has what the verifier had found when it stopped.
    let (code, out, _) = s.run(&[
        "run",
        "--json",
        "--mode",
        "cleanup",
        &example("conflicting-slot.s"),
    ]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["accepted"].as_bool(), v["mode"].as_str()),
        (Some(false), Some("cleanup"))
    );
    assert_eq!(v["frame_descriptors"].as_array().unwrap().len(), 1, "{out}");
    // Without the verifier there are none.
    let (_, out, _) = s.run(&[
        "run",
        "--json",
        "--unverified",
        &example("conflicting-slot.s"),
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["frame_descriptors"].is_null() && v["mode"].is_null());
}

/// A throw from the eighth frame enters the hidden trampoline in a ninth: the verifier's limit
/// counts the program's own calls (the RFC adds the trampoline after verification), so the
/// interpreter has a stack for it (found by review: it faulted, "call stack too deep").
#[test]
fn a_throw_at_the_deepest_frame_goes_through_the_trampoline() {
    let s = Scratch::new("depth8");
    s.write(
        "depth8.s",
        r#".ctx tc
	r6 = r1
	r1 = 16
	call bpf_obj_new
	if r0 == 0 goto out
	r6 = r0
	call f1
	r1 = r6
	call bpf_obj_drop
out:
	r0 = 0
	exit
f1:
	call f2
	r0 = 0
	exit
f2:
	call f3
	r0 = 0
	exit
f3:
	call f4
	r0 = 0
	exit
f4:
	call f5
	r0 = 0
	exit
f5:
	call f6
	r0 = 0
	exit
f6:
	call f7
	r0 = 0
	exit
f7:
	r1 = 3
	call bpf_throw
	r0 = 0
	exit
"#,
    );
    for mode in ["cleanup", "cleanup-v2", "runtime"] {
        let (code, out, err) = s.run(&["run", "--json", "--mode", mode, "depth8.s"]);
        assert_eq!(code, 0, "{mode}: {out}{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["return_value"], "3", "{mode}");
        assert!(
            v["fault"].is_null() && v["leaks"].as_array().unwrap().is_empty(),
            "{mode}: {out}"
        );
        let released = v["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "release")
            .count();
        assert_eq!(released, 1, "{mode}: {out}");
    }
}
