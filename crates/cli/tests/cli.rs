//! End-to-end tests of the `unwind` binary: run it on temporary files and check what it
//! prints and how it exits (SPEC §6: 0 success, 2 unusable input).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// A scratch directory under Cargo's per-target tmp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("unwind-cli-{test}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> &Self {
        std::fs::write(self.0.join(name), contents).expect("write scratch file");
        self
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.0.join(name)).expect("read scratch file")
    }

    /// Runs `unwind ARGS` in this directory (so file names in messages are the short ones).
    fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None)
    }

    fn run_with_stdin(&self, args: &[&str], stdin: Option<&[u8]>) -> Run {
        let mut child = Command::new(env!("CARGO_BIN_EXE_unwind"))
            .args(args)
            .current_dir(&self.0)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn unwind");
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("stdin pipe");
            pipe.write_all(input).expect("write stdin");
        }
        let out = child.wait_with_output().expect("wait for unwind");
        Run {
            code: out
                .status
                .code()
                .expect("exit code (not killed by a signal)"),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    #[track_caller]
    fn success(&self) -> &Self {
        assert_eq!(self.code, 0, "expected success: {self:#?}");
        assert!(
            self.stderr.is_empty(),
            "nothing on stderr on success: {self:#?}"
        );
        self
    }

    #[track_caller]
    fn unusable(&self) -> &Self {
        assert_eq!(self.code, 2, "expected exit code 2: {self:#?}");
        self
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).expect("stdout is one JSON value")
    }
}

const SIMPLE: &str = "r0 = 1\nexit\n";
const SIMPLE_HEX: &str = "b7 00 00 00 01 00 00 00\n95 00 00 00 00 00 00 00\n";

/// A main program with a 64-bit immediate and a bpf-to-bpf call to a static function.
const WITH_CALL: &str = concat!(
    "    r1 = 0x1122334455667788 ll\n",
    "    call add_one\n",
    "    exit\n",
    "add_one:\n",
    "    r0 = r1\n",
    "    r0 += 1\n",
    "    exit\n",
);

// ---------------------------------------------------------------------------------- asm

#[test]
fn asm_prints_one_hex_slot_per_line() {
    let s = Scratch::new("asm_hex");
    s.write("p.s", SIMPLE);
    let run = s.run(&["asm", "p.s"]);
    run.success();
    assert_eq!(run.stdout, SIMPLE_HEX);
}

#[test]
fn asm_reads_stdin_for_dash() {
    let s = Scratch::new("asm_stdin");
    let run = s.run_with_stdin(&["asm", "-"], Some(SIMPLE.as_bytes()));
    run.success();
    assert_eq!(run.stdout, SIMPLE_HEX);
}

#[test]
fn asm_ld_imm64_takes_two_slots() {
    let s = Scratch::new("asm_imm64");
    s.write("p.s", WITH_CALL);
    let run = s.run(&["asm", "p.s"]);
    run.success();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 7, "{}", run.stdout);
    // ld_imm64 r1: opcode 0x18, dst 1, low half of the immediate, then the high half.
    assert_eq!(lines[0], "18 01 00 00 88 77 66 55");
    assert_eq!(lines[1], "00 00 00 00 44 33 22 11");
    for line in &lines {
        assert_eq!(line.split(' ').count(), 8, "{line}");
    }
}

#[test]
fn asm_json_describes_every_instruction() {
    let s = Scratch::new("asm_json");
    s.write("p.s", WITH_CALL);
    let run = s.run(&["asm", "p.s", "--json"]);
    run.success();
    let v = run.json();
    assert_eq!(v["syntax"], "pseudo_c");
    assert_eq!(v["prog_type"], Value::Null);
    assert_eq!(v["maps"], serde_json::json!([]));

    let insns = v["instructions"].as_array().expect("instructions array");
    // 7 slots, 6 instructions: the ld_imm64 is one entry and pc 1 is skipped.
    assert_eq!(insns.len(), 6);
    let pcs: Vec<u64> = insns.iter().map(|i| i["pc"].as_u64().unwrap()).collect();
    assert_eq!(pcs, [0, 2, 3, 4, 5, 6]);
    assert_eq!(
        insns[0]["hex"],
        "18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11"
    );
    assert_eq!(insns[0]["line"], 1);
    assert_eq!(insns[0]["column"], 5);
    assert!(insns[0]["text"]
        .as_str()
        .unwrap()
        .contains("0x1122334455667788"));
    assert_eq!(insns[1]["line"], 2);
    assert!(insns[1]["text"].as_str().unwrap().contains("add_one"));
    assert_eq!(insns[3]["line"], 5);
    assert_eq!(insns[5]["hex"], "95 00 00 00 00 00 00 00");
    for i in insns {
        for key in ["pc", "hex", "line", "column", "text"] {
            assert!(i.get(key).is_some(), "{key} missing in {i}");
        }
    }

    let functions = v["functions"].as_array().expect("functions array");
    assert_eq!(functions.len(), 2);
    assert_eq!(functions[0]["start"], 0);
    assert_eq!(functions[0]["linkage"], "main");
    assert_eq!(functions[1]["name"], "add_one");
    assert_eq!(functions[1]["start"], 4);
    assert_eq!(functions[1]["end"], 7);
    assert_eq!(functions[1]["linkage"], "static");

    let hex_lines: String = s
        .run(&["asm", "p.s"])
        .stdout
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(v["bytecode"], hex_lines.as_str());
}

#[test]
fn asm_json_reports_maps_and_prog_type() {
    let s = Scratch::new("asm_json_maps");
    s.write(
        "p.s",
        ".ctx xdp\n.map counts array key=4 value=8 max_entries=1\nr1 = map[counts] ll\nr0 = 2\nexit\n",
    );
    let run = s.run(&["asm", "--json", "p.s"]);
    run.success();
    let v = run.json();
    assert_eq!(v["prog_type"], "xdp");
    assert_eq!(v["maps"][0]["name"], "counts");
    assert_eq!(v["maps"][0]["map_type"], "array");
    assert_eq!(v["maps"][0]["value_size"], 8);
}

#[test]
fn asm_syntax_flag() {
    let s = Scratch::new("asm_syntax");
    s.write("u.s", "mov %r0, 1\nexit\n");
    s.write("p.hex", SIMPLE_HEX);
    let run = s.run(&["asm", "--syntax", "ubpf", "u.s"]);
    run.success();
    assert_eq!(run.stdout, SIMPLE_HEX);
    let run = s.run(&["asm", "--syntax=hex", "p.hex"]);
    run.success();
    assert_eq!(run.stdout, SIMPLE_HEX);
    let run = s.run(&["asm", "--syntax", "hex", "p.hex", "--json"]);
    run.success();
    assert_eq!(run.json()["syntax"], "hex");
}

#[test]
fn asm_error_has_position_source_line_and_caret() {
    let s = Scratch::new("asm_error");
    s.write("bad.s", "r0 = 1\n    r11 = 2\nexit\n");
    let run = s.run(&["asm", "bad.s"]);
    run.unusable();
    assert!(run.stdout.is_empty(), "{run:#?}");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(lines[0].starts_with("bad.s:2:5: error: "), "{}", run.stderr);
    assert!(lines[0].contains("r11"), "{}", run.stderr);
    assert_eq!(lines[1], "2 |     r11 = 2");
    assert!(lines[2].starts_with("  |     ^"), "{}", run.stderr);
    insta::assert_snapshot!("asm_error_rendering", run.stderr);
}

#[test]
fn asm_reports_every_error() {
    let s = Scratch::new("asm_errors");
    s.write(
        "bad.s",
        "r0 = 1\nfrobnicate r1\nr0 += r99\ngoto nowhere\nexit\n",
    );
    let run = s.run(&["asm", "bad.s"]);
    run.unusable();
    let heads: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("bad.s:"))
        .collect();
    for line in 2..=4 {
        let prefix = format!("bad.s:{line}:");
        assert!(
            heads.iter().any(|h| h.starts_with(&prefix)),
            "no error on line {line}:\n{}",
            run.stderr
        );
    }
    for head in &heads {
        assert!(head.contains(": error: "), "{head}");
    }
}

#[test]
fn asm_json_errors_go_to_stdout() {
    let s = Scratch::new("asm_json_error");
    s.write("bad.s", "r0 = 1\n    r11 = 2\nexit\n");
    let run = s.run(&["asm", "bad.s", "--json"]);
    run.unusable();
    let v = run.json();
    let diags = v["diagnostics"].as_array().expect("diagnostics array");
    assert!(!diags.is_empty());
    assert_eq!(diags[0]["line"], 2);
    assert_eq!(diags[0]["column"], 5);
    assert!(diags[0]["kind"].is_string());
    assert!(diags[0]["message"].as_str().unwrap().contains("r11"));
}

#[test]
fn asm_of_empty_file_is_one_error() {
    let s = Scratch::new("asm_empty");
    s.write("empty.s", "");
    let run = s.run(&["asm", "empty.s"]);
    run.unusable();
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("empty.s:1:1: error: "),
        "{}",
        run.stderr
    );
}

#[test]
fn asm_of_non_utf8_is_unusable() {
    let s = Scratch::new("asm_binary");
    s.write("p.bin", [0xb7, 0xff, 0xfe, 0x00]);
    let run = s.run(&["asm", "p.bin"]);
    run.unusable();
    assert!(run.stderr.contains("p.bin: not UTF-8"), "{}", run.stderr);
}

// ------------------------------------------------------------------------------- disasm

#[test]
fn disasm_reads_hex() {
    let s = Scratch::new("disasm_hex");
    s.write("p.hex", SIMPLE_HEX);
    let run = s.run(&["disasm", "p.hex"]);
    run.success();
    assert!(run.stdout.contains("r0 = 1"), "{}", run.stdout);
    assert!(run.stdout.contains("exit"), "{}", run.stdout);
}

#[test]
fn disasm_reads_raw_binary() {
    let s = Scratch::new("disasm_raw");
    let bytes: [u8; 16] = [
        0xb7, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, //
        0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    s.write("p.bin", bytes);
    let from_binary = s.run(&["disasm", "p.bin"]);
    from_binary.success();
    s.write("p.hex", SIMPLE_HEX);
    let from_hex = s.run(&["disasm", "p.hex"]);
    assert_eq!(from_binary.stdout, from_hex.stdout);

    // And from standard input.
    let from_stdin = s.run_with_stdin(&["disasm", "-"], Some(&bytes));
    from_stdin.success();
    assert_eq!(from_stdin.stdout, from_hex.stdout);
}

#[test]
fn disasm_of_truncated_binary_is_unusable() {
    let s = Scratch::new("disasm_trunc");
    s.write("p.bin", [0x95, 0, 0, 0, 0]);
    let run = s.run(&["disasm", "p.bin"]);
    run.unusable();
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("p.bin: invalid bytecode"),
        "{}",
        run.stderr
    );
}

#[test]
fn disasm_of_bad_hex_shows_the_place() {
    let s = Scratch::new("disasm_bad_hex");
    s.write("p.hex", "b7 00 00 00 01 00 00 00\nzz\n");
    let run = s.run(&["disasm", "p.hex"]);
    run.unusable();
    assert!(run.stderr.starts_with("p.hex:2:"), "{}", run.stderr);
    assert!(run.stderr.contains("2 | zz"), "{}", run.stderr);
}

#[test]
fn disasm_styles() {
    let s = Scratch::new("disasm_styles");
    s.write("p.s", WITH_CALL);
    let hex = s.run(&["asm", "p.s"]);
    hex.success();
    s.write("p.hex", &hex.stdout);
    let source = s.run(&["disasm", "p.hex"]);
    source.success();
    insta::assert_snapshot!("disasm_source_style", source.stdout);
    let log = s.run(&["disasm", "p.hex", "--style", "log"]);
    log.success();
    assert!(log.stdout.starts_with("0: (18) "), "{}", log.stdout);
    assert!(log.stdout.contains("exit"), "{}", log.stdout);
}

#[test]
fn round_trip_asm_disasm_asm() {
    let s = Scratch::new("round_trip");
    let program = "\
.map counts hash key=4 value=8 max_entries=16
    r6 = r1
    *(u32 *)(r10 - 4) = 0
    r2 = r10
    r2 += -4
    r1 = map[counts] ll
    call bpf_map_lookup_elem
    if r0 == 0 goto out
    lock *(u64 *)(r0 + 0) += r1
    r0 = *(u32 *)(r6 + 0)
    w0 s>>= 3
    r0 = be16 r0
    call helper
out:
    r0 = 0
    exit
helper:
    r0 = (s8)r1
    exit
";
    s.write("p.s", program);
    let first = s.run(&["asm", "p.s"]);
    first.success();
    s.write("p.hex", &first.stdout);
    let text = s.run(&["disasm", "p.hex"]);
    text.success();
    s.write("back.s", &text.stdout);
    let second = s.run(&["asm", "back.s"]);
    second.success();
    assert_eq!(first.stdout, second.stdout, "disassembly:\n{}", text.stdout);
    // The hex listing itself reads back as hex too.
    let third = s.run(&["asm", "--syntax", "hex", "p.hex"]);
    third.success();
    assert_eq!(third.stdout, first.stdout);
    assert_eq!(s.read("p.hex"), first.stdout.as_bytes());
}

// ------------------------------------------------------------------ command line errors

#[test]
fn bad_flags_are_one_line_and_exit_2() {
    let s = Scratch::new("bad_flags");
    s.write("p.s", SIMPLE);
    for args in [
        &["asm", "p.s", "--frob"][..],
        &["asm", "p.s", "--syntax", "intel"],
        &["asm", "p.s", "--syntax"],
        &["asm", "p.s", "--json=yes"],
        &["asm", "p.s", "other.s"],
        &["asm"],
        &["disasm", "p.s", "--style", "att"],
        &["disasm", "-x", "p.s"],
        &["frobnicate"],
        &["--frob"],
    ] {
        let run = s.run(args);
        run.unusable();
        assert!(run.stdout.is_empty(), "{args:?}: {run:#?}");
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {run:#?}");
        assert!(run.stderr.starts_with("unwind: "), "{args:?}: {run:#?}");
    }
    let run = s.run(&["asm", "p.s", "--syntax", "intel"]);
    assert!(run.stderr.contains("'intel'"), "{}", run.stderr);
    assert!(run.stderr.contains("pseudo-c"), "{}", run.stderr);
    let run = s.run(&["asm", "p.s", "--frob"]);
    assert!(
        run.stderr.contains("unknown option '--frob'"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_file_is_one_line_and_exit_2() {
    let s = Scratch::new("missing");
    for cmd in ["asm", "disasm"] {
        let run = s.run(&[cmd, "nope.s"]);
        run.unusable();
        assert_eq!(
            run.stderr, "unwind: cannot read nope.s: no such file\n",
            "{cmd}"
        );
    }
    // A directory is not a file either.
    let run = s.run(&["asm", "."]);
    run.unusable();
    assert!(
        run.stderr.starts_with("unwind: cannot read .: "),
        "{run:#?}"
    );
}

#[test]
fn no_arguments_prints_usage_and_exits_2() {
    let s = Scratch::new("no_args");
    let run = s.run(&[]);
    run.unusable();
    assert!(run.stderr.contains("Usage:"), "{run:#?}");
}

#[test]
fn help_and_version() {
    let s = Scratch::new("help");
    for args in [&["--help"][..], &["-h"], &["help"]] {
        let run = s.run(args);
        run.success();
        assert!(run.stdout.contains("unwind asm FILE"), "{args:?}");
        assert!(run.stdout.contains("unwind disasm FILE"), "{args:?}");
    }
    for args in [
        &["help", "asm"][..],
        &["asm", "--help"],
        &["asm", "p.s", "-h"],
    ] {
        let run = s.run(args);
        run.success();
        assert!(run.stdout.starts_with("Usage: unwind asm"), "{args:?}");
    }
    let run = s.run(&["help", "disasm"]);
    run.success();
    assert!(run.stdout.contains("--style"));
    let run = s.run(&["--version"]);
    run.success();
    assert!(run.stdout.starts_with("unwind "));
}

#[test]
fn verify_exit_codes_follow_the_verdict() {
    let s = Scratch::new("verify");
    s.write("ok.s", "r0 = 0\nexit\n");
    s.write("bad.s", "exit\n");
    let ok = s.run(&["verify", "ok.s"]);
    ok.success();
    assert!(ok.stdout.contains("processed 2 insns"), "{ok:#?}");
    let bad = s.run(&["verify", "bad.s", "--json"]);
    assert_eq!(bad.code, 1, "{bad:#?}");
    let v: serde_json::Value = serde_json::from_str(&bad.stdout).unwrap();
    assert_eq!(v["accepted"], false);
    assert_eq!(v["errors"][0]["message"], "R0 !read_ok");
    assert_eq!(v["errors"][0]["line"], 1);
}

/// `--log-size`: the kernel's log buffer; a log that does not fit keeps its end, and the load
/// fails with ENOSPC (exit 1), however the verifier decided.
#[test]
fn verify_log_size_keeps_the_end_and_fails_with_enospc() {
    let s = Scratch::new("verify-log-size");
    s.write("long.s", "r0 = 0\n".repeat(3_000) + "exit\n");
    let whole = s.run(&["verify", "long.s", "--log-level", "2"]);
    whole.success();
    let cut = s.run(&["verify", "long.s", "--log-level", "2", "--log-size", "4096"]);
    assert_eq!(cut.code, 1, "{cut:#?}");
    assert!(
        cut.stderr.contains("(ENOSPC): only its end is kept"),
        "{}",
        cut.stderr
    );
    let log = cut
        .stdout
        .strip_suffix("verification: rejected\n")
        .expect("the verdict line");
    assert_eq!(log.len(), 4095);
    assert!(whole.stdout.contains(log), "the log's end");
    let fits = s.run(&["verify", "long.s", "--log-size", "1073741823"]);
    fits.success();
    let small = s.run(&["verify", "long.s", "--log-size", "127"]);
    assert_eq!(small.code, 2, "{small:#?}");
    assert!(
        small.stderr.contains("128 to 1073741823"),
        "{}",
        small.stderr
    );
}
