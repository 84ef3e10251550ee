//! `unwind verify|run|disasm` on BPF object files (the C fixtures of crates/object).

use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> String {
    format!(
        "{}/../object/tests/fixtures/{name}.o",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn unwind(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_unwind"))
        .args(args)
        .output()
        .expect("unwind runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8(out.stderr).expect("UTF-8"),
    )
}

#[test]
fn verify_prints_the_log_with_c_lines_and_the_error_at_its_c_line() {
    let f = fixture("global_loophole");
    let (code, stdout, stderr) = unwind(&["verify", &f, "--mode", "upstream"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("; global_may_throw(skb); @ global_loophole.c:24\n"),
        "{stdout}"
    );
    assert!(stdout.ends_with("verification: rejected\n"), "{stdout}");
    assert!(
        stderr.contains("global_loophole.c:24:2: error: bpf_throw would lead to reference leak"),
        "{stderr}"
    );
    assert!(stderr.contains("\n  global_may_throw(skb);\n"), "{stderr}");
    for mode in ["legacy", "cleanup", "cleanup-v2", "runtime"] {
        let (code, stdout, _) = unwind(&["verify", &f, "--mode", mode, "--log-level", "0"]);
        assert_eq!(code, 0, "{mode}: {stdout}");
    }
}

#[test]
fn verify_gives_one_verdict_per_program_and_takes_prog() {
    let f = fixture("relocations");
    let (code, stdout, stderr) = unwind(&["verify", &f, "--log-level", "0"]);
    // nonnull_prog does not load (arg:nonnull): unusable, after the others' verdicts.
    assert_eq!(code, 2, "{stdout}{stderr}");
    for p in ["loop_prog (section xdp)", "legacy_lookup (section socket)"] {
        assert!(
            stdout.contains(&format!("== {p}\nverification: accepted\n")),
            "{stdout}"
        );
    }
    assert!(stderr.contains("program nonnull_prog: function global_nonnull, argument 0"));
    let (code, stdout, _) = unwind(&["verify", &f, "--prog", "loop_prog", "--log-level", "0"]);
    assert_eq!((code, stdout.as_str()), (0, "verification: accepted\n"));
    let (code, stdout, _) = unwind(&["verify", &f, "--prog", "ringbuf_prog", "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["accepted"], true);
    assert_eq!(v["program"], "ringbuf_prog");
    let (code, stdout, _) = unwind(&["verify", &f, "--json"]);
    assert_eq!(code, 2);
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["programs"].as_array().unwrap().len(), 4);
    let (code, _, stderr) = unwind(&["verify", &f, "--prog", "nope"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no program named nope (its programs: loop_prog in xdp, "),
        "{stderr}"
    );
}

#[test]
fn run_unwinds_a_c_program() {
    let f = fixture("callee_saved");
    let (code, stdout, stderr) = unwind(&["run", &f, "--json"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let released: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "release")
        .map(|e| e["function"].as_str().unwrap())
        .collect();
    assert_eq!(
        released,
        ["bpf_obj_drop", "bpf_cgroup_release", "bpf_task_release"]
    );
    let (code, stdout, _) = unwind(&["run", &fixture("exception_callback")]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("r0 = 164 "), "{stdout}");
    // Several programs: one must be named.
    let (code, _, stderr) = unwind(&["run", &fixture("relocations")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("name one with --prog"), "{stderr}");
    // .data's `limit = 7` loops bpf_loop 7 times (counter = 0 + ... + 6 = 21, in .bss), and
    // .rodata's `factor = 3`: twice(2) = 2 * 2 + 3.
    let (code, stdout, _) = unwind(&["run", &fixture("relocations"), "--prog", "loop_prog"]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("r0 = 7 "), "{stdout}");
}

#[test]
fn disasm_interleaves_c_lines_and_reassembles() {
    let f = fixture("map_lookup_throw");
    let (code, stdout, stderr) = unwind(&["disasm", &f]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(".map counters hash key=4 value=8 max_entries=16\n"));
    assert!(stdout.contains(".exception_callback on_exception\n"));
    assert!(
        stdout.contains("\t.loc \"./map_lookup_throw.c\" 25:3 \"\t\tbpf_throw(42);\"\n"),
        "{stdout}"
    );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let s = dir.join(format!("objects-{}.s", std::process::id()));
    std::fs::write(&s, &stdout).unwrap();
    let (code, hex, stderr) = unwind(&["asm", s.to_str().unwrap()]);
    let _ = std::fs::remove_file(&s);
    assert_eq!(code, 0, "{stderr}");
    let h = dir.join(format!("objects-{}.hex", std::process::id()));
    std::fs::write(&h, &hex).unwrap();
    let (_, again, _) = unwind(&["disasm", h.to_str().unwrap()]);
    let _ = std::fs::remove_file(&h);
    // The same bytes: the hex round trip disassembles to the same instructions.
    let insns = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with('\t') && !l.starts_with("\t.loc"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(insns(&stdout).len(), insns(&again).len());
    let (code, log, _) = unwind(&["disasm", &f, "--style", "log"]);
    assert_eq!(code, 0);
    assert!(
        log.contains("; bpf_throw(42); @ map_lookup_throw.c:25\n"),
        "{log}"
    );
}

#[test]
fn a_broken_object_is_unusable_input() {
    let mut b = std::fs::read(fixture("global_loophole")).unwrap();
    b[18] = 62;
    let p = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("broken-{}.o", std::process::id()));
    std::fs::write(&p, &b).unwrap();
    let (code, _, stderr) = unwind(&["verify", p.to_str().unwrap()]);
    let _ = std::fs::remove_file(&p);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("ELF machine 62: expected EM_BPF (247)"),
        "{stderr}"
    );
}
