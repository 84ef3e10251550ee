//! `--compare-kernel` end to end: the running kernel's verdict and test-run return value
//! beside Unwind's (`verify` and `run`). Where bpf() is not permitted the command says so in
//! its output, and these tests check that message instead.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

fn unwind(args: &[&str], source: &str) -> (String, i32) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let file = dir.join(format!("compare-kernel-{}-{n}.s", std::process::id()));
    std::fs::write(&file, source).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_unwind"))
        .args(args)
        .arg(&file)
        .output()
        .expect("runs");
    let _ = std::fs::remove_file(&file);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

/// `None` (and a note) where the kernel could not be asked.
fn asked(stdout: &str) -> Option<&str> {
    if stdout.contains("the running kernel could not be asked") {
        eprintln!("could not compare with the running kernel: {stdout}");
        return None;
    }
    Some(stdout)
}

#[test]
fn verify_prints_both_refusals_and_that_they_agree() {
    // The kernel's check_ctx_access: "invalid bpf_context access off=200 size=4".
    let (out, code) = unwind(
        &["verify", "--mode", "upstream", "--compare-kernel"],
        ".ctx tc\nr2 = *(u32 *)(r1 + 200)\nr0 = 0\nexit\n",
    );
    assert_eq!(code, 1, "Unwind's verdict decides the exit code");
    let Some(out) = asked(&out) else { return };
    assert!(
        out.contains("kernel (Linux ")
            && out.contains("rejected: invalid bpf_context access off=200 size=4"),
        "{out}"
    );
    assert!(
        out.contains("unwind (upstream): rejected: invalid bpf_context access off=200 size=4"),
        "{out}"
    );
    assert!(out.contains("the verdicts agree"), "{out}");
}

#[test]
fn verify_names_where_the_explorations_part_and_the_mode_to_compare() {
    let (out, _) = unwind(
        &[
            "verify",
            "--mode",
            "cleanup",
            "--compare-kernel",
            "--log-level",
            "1",
        ],
        ".ctx tc\nr0 = 0\nexit\n",
    );
    let Some(out) = asked(&out) else { return };
    assert!(out.contains("the verdicts agree"), "{out}");
    assert!(!out.contains("the explorations part"), "{out}");
    assert!(
        out.contains("compare with --mode upstream (this was cleanup)"),
        "{out}"
    );
}

#[test]
fn run_compares_the_return_values_of_a_packet_program_and_a_syscall_program() {
    // skb->len of the 64-byte packet both are given, plus 3
    let (out, code) = unwind(
        &["run", "--mode", "upstream", "--compare-kernel"],
        ".ctx tc\nr2 = *(u32 *)(r1 + 0)\nr0 = r2\nr0 += 3\nexit\n",
    );
    assert_eq!(code, 0, "{out}");
    let Some(out) = asked(&out) else { return };
    assert!(out.contains("kernel test run: R0 = 67"), "{out}");
    assert!(out.contains("the return values agree"), "{out}");
    // a syscall program (loaded sleepable, as the kernel requires) reads its ctx
    let (out, _) = unwind(
        &[
            "run",
            "--mode",
            "upstream",
            "--compare-kernel",
            "--ctx",
            "0000000009000000",
        ],
        ".ctx syscall\nr2 = *(u32 *)(r1 + 4)\nr0 = r2\nexit\n",
    );
    let Some(out) = asked(&out) else { return };
    assert!(out.contains("kernel test run: R0 = 9"), "{out}");
    assert!(out.contains("the return values agree"), "{out}");
}

#[test]
fn json_carries_the_kernel_beside_the_verdict() {
    let (out, _) = unwind(
        &["verify", "--mode", "upstream", "--compare-kernel", "--json"],
        ".ctx tc\nr0 = 0\nexit\n",
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let k = &v["kernel"];
    if k["compared"] == false {
        eprintln!("could not compare with the running kernel: {}", k["why"]);
        return;
    }
    assert_eq!(k["accepted"], true, "{k}");
    assert_eq!(k["agree"], true, "{k}");
    assert!(k["release"].as_str().is_some_and(|r| !r.is_empty()), "{k}");
}
