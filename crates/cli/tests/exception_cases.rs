//! The exceptions corpus: one `.s` file per kernel selftest row (reference §6.1, §6.2) and per
//! RFC cleanup test (§4.9), in `tests/exceptions/`, run through the `unwind` binary in all
//! five modes. Every file starts with comment lines stating the expected outcome per mode:
//!
//! ```text
//! ; kernel: progs/exceptions_fail.c reject_with_reference (__failure __msg("Unreleased reference"))
//! ; ctx: 40000000                  (optional: the ctx bytes, `unwind run --ctx`)
//! ; legacy:     reject "Unreleased reference" "bpf_throw would lead to reference leak"
//! ; upstream:   reject "Unreleased reference"
//! ; cleanup:    accept retval=0 releases=1
//! ; cleanup-v2: accept retval=0 releases=1
//! ; runtime:    accept retval=0 releases=1
//! ```
//!
//! `reject` lists message substrings; each must appear in an error of `unwind verify --json`
//! or in a non-instruction line of its log (the kernel's `__msg` matches the log: the
//! `Unreleased reference id=N alloc_insn=M` line precedes the error itself).
//! `accept` runs `unwind verify --json` (must accept) and `unwind run --json` and checks:
//! `retval=N` (required), `releases=N` (releases by the unwinder or the run-time table,
//! default 0), `leaks=N` (leak events, default 0), `throws=N` (throw events, optional), and
//! that every acquired resource is released (by the program, the unwinder or the table) or
//! reported as a leak, exactly once. All five modes must be stated in every file. All
//! mismatches are collected and reported together.
//!
//! The second test, `examples_in_every_mode`, does the same for every program of
//! `static/examples/index.json`, from a table in this file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const MODES: [&str; 5] = ["legacy", "upstream", "cleanup", "cleanup-v2", "runtime"];

#[derive(Clone, Debug, PartialEq)]
enum Expect {
    Reject(Vec<String>),
    Accept {
        retval: String,
        releases: usize,
        leaks: usize,
        throws: Option<usize>,
    },
}

/// Parses `accept retval=N releases=N leaks=N throws=N` or `reject "msg" "msg"...`.
fn parse_expect(text: &str) -> Result<Expect, String> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("reject") {
        let mut msgs = Vec::new();
        let mut rest = rest.trim();
        while !rest.is_empty() {
            let Some(r) = rest.strip_prefix('"') else {
                return Err(format!("expected a quoted message, found {rest:?}"));
            };
            let Some(end) = r.find('"') else {
                return Err(format!("unterminated message in {text:?}"));
            };
            msgs.push(r[..end].to_string());
            rest = r[end + 1..].trim();
        }
        if msgs.is_empty() {
            return Err("reject needs at least one message".into());
        }
        return Ok(Expect::Reject(msgs));
    }
    if let Some(rest) = text.strip_prefix("accept") {
        let (mut retval, mut releases, mut leaks, mut throws) = (None, 0, 0, None);
        for tok in rest.split_whitespace() {
            let Some((k, v)) = tok.split_once('=') else {
                return Err(format!("expected key=value, found {tok:?}"));
            };
            let n = || {
                v.parse::<usize>()
                    .map_err(|_| format!("{k}: not a count: {v:?}"))
            };
            match k {
                "retval" => {
                    // Decimal, as `return_value` prints it (u64); negative values wrap.
                    let r = match v.parse::<i64>() {
                        Ok(x) => (x as u64).to_string(),
                        Err(_) => return Err(format!("retval: not a number: {v:?}")),
                    };
                    retval = Some(r);
                }
                "releases" => releases = n()?,
                "leaks" => leaks = n()?,
                "throws" => throws = Some(n()?),
                _ => return Err(format!("unknown key {k:?}")),
            }
        }
        let retval = retval.ok_or("accept needs retval=N")?;
        return Ok(Expect::Accept {
            retval,
            releases,
            leaks,
            throws,
        });
    }
    Err(format!("expected accept or reject, found {text:?}"))
}

/// The expectation lines of a case file: mode -> expectation, and the optional ctx.
fn parse_header(src: &str) -> Result<(BTreeMap<String, Expect>, Option<String>), String> {
    let mut modes = BTreeMap::new();
    let mut ctx = None;
    for line in src.lines() {
        let Some(body) = line.strip_prefix(';') else {
            continue;
        };
        let Some((key, value)) = body.split_once(':') else {
            continue;
        };
        let key = key.trim();
        if key == "ctx" {
            ctx = Some(value.trim().to_string());
        } else if MODES.contains(&key) {
            let e = parse_expect(value).map_err(|e| format!("{key}: {e}"))?;
            if modes.insert(key.to_string(), e).is_some() {
                return Err(format!("{key} stated twice"));
            }
        }
    }
    for m in MODES {
        if !modes.contains_key(m) {
            return Err(format!("no expectation for mode {m}"));
        }
    }
    Ok((modes, ctx))
}

fn unwind(args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_unwind"))
        .args(args)
        .output()
        .expect("spawn unwind");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), v, format!("{stdout}{stderr}"))
}

fn error_messages(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["message"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The log's lines that are not an instruction (`12: (85) call ...`) or a state (`12: R1=...`).
fn log_messages(v: &Value) -> Vec<String> {
    let log = v["log"].as_str().unwrap_or("");
    log.lines()
        .filter(|l| {
            let digits = l.bytes().take_while(u8::is_ascii_digit).count();
            !(digits > 0 && l[digits..].starts_with(':'))
        })
        .map(str::to_string)
        .collect()
}

/// Checks one file in one mode; returns the mismatches.
fn check(path: &Path, mode: &str, expect: &Expect, ctx: Option<&str>) -> Vec<String> {
    let file = path.to_str().unwrap();
    let mut bad = Vec::new();
    let (code, v, raw) = unwind(&["verify", file, "--json", "--mode", mode]);
    if v.is_null() {
        return vec![format!("verify: no JSON (exit {code}): {raw}")];
    }
    let accepted = v["accepted"].as_bool() == Some(true);
    let errors = error_messages(&v);
    match expect {
        Expect::Reject(msgs) => {
            if accepted || code != 1 {
                bad.push(format!("expected reject, got accept (exit {code})"));
                return bad;
            }
            let logm = log_messages(&v);
            for m in msgs {
                let found = errors.iter().chain(logm.iter()).any(|e| e.contains(m));
                if !found {
                    bad.push(format!("message {m:?} not found; errors: {errors:?}"));
                }
            }
        }
        Expect::Accept {
            retval,
            releases,
            leaks,
            throws,
        } => {
            if !accepted || code != 0 {
                bad.push(format!("expected accept, got reject: {errors:?}"));
                return bad;
            }
            let mut args = vec!["run", file, "--json", "--mode", mode];
            if let Some(c) = ctx {
                args.extend(["--ctx", c]);
            }
            let (code, r, raw) = unwind(&args);
            if code != 0 || r.is_null() {
                bad.push(format!("run: exit {code}: {raw}"));
                return bad;
            }
            bad.extend(check_run(&r, retval, *releases, *leaks, *throws));
        }
    }
    bad
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
    assert!(paths.len() >= 30, "only {} case files", paths.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for p in &paths {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let src = std::fs::read_to_string(p).unwrap();
        if !src.lines().any(|l| l.starts_with("; kernel:")) {
            failures.push(format!("{name}: no `; kernel:` line naming the test it reproduces"));
        }
        let (modes, ctx) = match parse_header(&src) {
            Ok(h) => h,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        for (mode, expect) in &modes {
            checked += 1;
            for b in check(p, mode, expect, ctx.as_deref()) {
                failures.push(format!("{name} [{mode}]: {b}"));
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

#[test]
fn the_header_parser() {
    assert_eq!(
        parse_expect(r#"reject "a b" "c""#),
        Ok(Expect::Reject(vec!["a b".into(), "c".into()]))
    );
    assert_eq!(
        parse_expect("accept retval=-1 releases=2"),
        Ok(Expect::Accept {
            retval: u64::MAX.to_string(),
            releases: 2,
            leaks: 0,
            throws: None
        })
    );
    assert!(parse_expect("accept").is_err());
    assert!(parse_expect("reject").is_err());
    assert!(parse_expect("accept retval=1 frees=2").is_err());
    let missing = "; legacy: accept retval=0\n; upstream: accept retval=0\n";
    assert!(parse_header(missing).unwrap_err().contains("cleanup"));
}
