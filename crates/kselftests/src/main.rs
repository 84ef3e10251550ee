//! Runs the kernel's verifier selftests as converted by `shared/tools/kselftests/generate.sh`
//! and prints how often our verdict and messages agree with the kernel's, by tier, and whether
//! the programs both accept return the kernel's `__retval` when run in the interpreter (on 64
//! zero bytes of packet data, as the selftests' `BPF_PROG_TEST_RUN` does).
//!
//! `unwind-kselftests DIR [--list] [--min-t12 PERCENT] [--min TIER=PERCENT ...]`

use std::collections::BTreeMap;
use std::process::ExitCode;

use unwind_verifier::{verify, Options};

#[derive(Default)]
struct Case {
    expect_accept: bool,
    msgs: Vec<String>,
    tier: String,
    log_level: u32,
    /// `expect-retval`: the value as the kernel compares it (a 32-bit int); `None` for `any`.
    retval: Option<Option<i32>>,
    /// `kselftest: FILE.c / test name`.
    file: String,
}

fn parse(src: &str) -> Case {
    let mut c = Case::default();
    for line in src.lines() {
        let Some(rest) = line.strip_prefix("// ") else {
            continue;
        };
        if let Some(v) = rest.strip_prefix("expect: ") {
            c.expect_accept = v.trim() == "accept";
        } else if let Some(v) = rest.strip_prefix("expect-msg: ") {
            c.msgs.push(v.to_string());
        } else if let Some(v) = rest.strip_prefix("tier: ") {
            c.tier = v.trim().to_string();
        } else if let Some(v) = rest.strip_prefix("expect-retval: ") {
            let v = v.trim();
            c.retval = Some(if v == "any" {
                None
            } else {
                v.parse::<i64>().ok().map(|n| n as i32)
            });
        } else if let Some(v) = rest.strip_prefix("kselftest: ") {
            c.file = v.trim().to_string();
        } else if let Some(v) = rest.strip_prefix("log-level: ") {
            c.log_level = v.trim().parse().unwrap_or(1);
        }
    }
    c
}

/// Finds `pat` in `log` from `from`; `{{...}}` parts match any text (a simplification of the
/// regexes three messages use). Returns the end of the match.
fn find(log: &str, from: usize, pat: &str) -> Option<usize> {
    let parts: Vec<&str> = pat
        .split("{{")
        .flat_map(|p| match p.split_once("}}") {
            Some((_, lit)) => vec![lit],
            None => vec![p],
        })
        .filter(|p| !p.is_empty())
        .collect();
    let mut pos = from;
    let mut first = true;
    for p in parts {
        let at = log.get(pos..)?.find(p)?;
        if !first && log[pos..pos + at].contains('\n') {
            return None;
        }
        first = false;
        pos += at + p.len();
    }
    Some(pos)
}

#[derive(Default)]
struct Tally {
    total: usize,
    verdict: usize,
    rejects: usize,
    rejects_for_reason: usize,
    with_msgs: usize,
    msgs_found: usize,
    /// Cases with a retval that the kernel and we both accept.
    with_retval: usize,
    retval_ok: usize,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!(
            "usage: unwind-kselftests DIR [--list] [--min-t12 PERCENT] [--min TIER=PERCENT ...]"
        );
        return ExitCode::from(2);
    };
    let list = args.iter().any(|a| a == "--list");
    let min = args
        .iter()
        .position(|a| a == "--min-t12")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse::<f64>().ok());
    // Per-tier floors of the verdict agreement: `--min T3=98.8`.
    let mut tier_floors: Vec<(String, f64)> = Vec::new();
    for pair in args.windows(2).filter(|w| w[0] == "--min") {
        match pair[1].split_once('=').map(|(t, v)| (t, v.parse::<f64>())) {
            Some((tier, Ok(v))) => tier_floors.push((tier.to_string(), v)),
            _ => {
                eprintln!("--min takes TIER=PERCENT, got {}", pair[1]);
                return ExitCode::from(2);
            }
        }
    }
    let mut paths: Vec<_> = match std::fs::read_dir(dir) {
        Ok(d) => d
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "s"))
            .collect(),
        Err(e) => {
            eprintln!("cannot read {dir}: {e}");
            return ExitCode::from(2);
        }
    };
    paths.sort();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for p in &paths {
        let src = std::fs::read_to_string(p).unwrap_or_default();
        let case = parse(&src);
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let asm = unwind_asm::assemble(&src);
        let t = tallies.entry(case.tier.clone()).or_default();
        t.total += 1;
        if !case.expect_accept {
            t.rejects += 1;
        }
        if !case.msgs.is_empty() {
            t.with_msgs += 1;
        }
        let Some(prog) = asm.program else {
            if list {
                println!("{name}\t{}\tASM-ERROR", case.tier);
            }
            continue;
        };
        let opts = Options {
            log_level: case.log_level.max(1),
            record_states: false,
            ..Options::default()
        };
        let v = verify(&prog, &opts);
        let verdict_ok = v.accepted == case.expect_accept;
        let mut pos = 0;
        let mut msgs_ok = true;
        for m in &case.msgs {
            match find(&v.log, pos, m) {
                Some(e) => pos = e,
                None => {
                    msgs_ok = false;
                    break;
                }
            }
        }
        if verdict_ok {
            t.verdict += 1;
        }
        let mut retval_note = String::new();
        if let (true, true, Some(expected)) = (v.accepted, case.expect_accept, case.retval) {
            t.with_retval += 1;
            // The selftest harness's map set-up for the test's C file.
            let file = case.file.split(" / ").next().unwrap_or("");
            let world = unwind_kselftests::harness_world(file, &prog);
            let run = unwind_vm::run_program(&prog, &world, Default::default());
            let got = match run.as_ref().map(|m| &m.status) {
                Ok(unwind_vm::Status::Exited { return_value }) => Some(*return_value as u32 as i32),
                _ => None,
            };
            // `any` (the kernel's POINTER_VALUE) is not compared, but the run must end.
            if got.is_some() && (expected.is_none() || got == expected) {
                t.retval_ok += 1;
            } else {
                retval_note = match (&run, got) {
                    (Ok(m), None) => format!("\tretval: {:?}", m.status),
                    (Err(e), _) => format!("\tretval: world error {e}"),
                    (_, Some(g)) => format!("\tretval: got {g}, want {expected:?}"),
                };
            }
        }
        if list && !retval_note.is_empty() {
            println!("{name}\t{}{retval_note}", case.tier);
        }
        if !case.msgs.is_empty() && msgs_ok {
            t.msgs_found += 1;
        }
        if !case.expect_accept && !v.accepted && msgs_ok {
            t.rejects_for_reason += 1;
        }
        if list && (!verdict_ok || !msgs_ok) {
            let got = v
                .errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_else(|| "accepted".into());
            println!(
                "{name}\t{}\texpect={}\tgot={}\twant-msg={:?}",
                case.tier,
                if case.expect_accept {
                    "accept"
                } else {
                    "reject"
                },
                got,
                case.msgs
            );
        }
    }
    let pct = |a: usize, b: usize| {
        if b == 0 {
            100.0
        } else {
            a as f64 * 100.0 / b as f64
        }
    };
    println!("tier  cases  verdict-agree      rejected-for-kernel's-reason  messages-found       retval-match");
    let mut t12 = Tally::default();
    for (tier, t) in &tallies {
        println!(
            "{tier:<5} {:>5}  {:>4} ({:>5.1}%)     {:>4}/{:<4} ({:>5.1}%)          {:>4}/{:<4} ({:>5.1}%)   {:>4}/{:<4} ({:>5.1}%)",
            t.total,
            t.verdict,
            pct(t.verdict, t.total),
            t.rejects_for_reason,
            t.rejects,
            pct(t.rejects_for_reason, t.rejects),
            t.msgs_found,
            t.with_msgs,
            pct(t.msgs_found, t.with_msgs),
            t.retval_ok,
            t.with_retval,
            pct(t.retval_ok, t.with_retval)
        );
        if tier == "T1" || tier == "T2" {
            t12.total += t.total;
            t12.verdict += t.verdict;
            t12.rejects += t.rejects;
            t12.rejects_for_reason += t.rejects_for_reason;
        }
    }
    let v = pct(t12.verdict, t12.total);
    let r = pct(t12.rejects_for_reason, t12.rejects);
    println!(
        "T1+T2 {:>5}  {:>4} ({v:>5.1}%)     {:>4}/{:<4} ({r:>5.1}%)",
        t12.total, t12.verdict, t12.rejects_for_reason, t12.rejects
    );
    if let Some(min) = min {
        if v < min {
            eprintln!("T1+T2 verdict agreement {v:.1}% is below {min}%");
            return ExitCode::from(1);
        }
    }
    for (tier, floor) in &tier_floors {
        let Some(t) = tallies.get(tier) else {
            eprintln!("no cases of tier {tier}");
            return ExitCode::from(1);
        };
        let v = pct(t.verdict, t.total);
        if v < *floor {
            eprintln!("{tier} verdict agreement {v:.1}% is below {floor}%");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}
