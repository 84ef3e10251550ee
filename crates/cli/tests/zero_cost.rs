//! "Zero cost where nothing throws" (SPEC §4, the RFC's argument for descriptors), through
//! `unwind run`: in `cleanup` a run that does not throw executes exactly the plain program's
//! instructions, with the same events, and does no table work; `runtime` executes the same
//! instructions but records every acquire and release in its table. cleanup-v2 pays a store
//! per dedicated slot at entry, acquisition and release, and only in programs it rewrote.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../static/examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn run_json(file: &str, mode: &str, ctx: Option<&str>) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_unwind"));
    cmd.args(["run", "--json", "--mode", mode, file]);
    if let Some(ctx) = ctx {
        cmd.args(["--ctx", ctx]);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{mode}: {:?}", out);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn count(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap()
}

/// The events without their pcs (which differ once the trampoline is appended: no event
/// here is at or after it).
fn events(v: &Value) -> Vec<(String, String)> {
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].to_string(), e["function"].to_string()))
        .collect()
}

#[test]
fn cleanup_executes_exactly_the_program_when_nothing_throws() {
    let file = example("runtime-tracking.s");
    let plain = run_json(&file, "upstream", None);
    let cleanup = run_json(&file, "cleanup", None);
    let runtime = run_json(&file, "runtime", None);
    // Ten objects allocated and dropped, no throw.
    assert_eq!(count(&plain, "instructions"), 76);
    assert_eq!(
        count(&cleanup, "instructions"),
        count(&plain, "instructions")
    );
    assert_eq!(events(&cleanup), events(&plain));
    assert_eq!(count(&cleanup, "runtime_table_ops"), 0);
    // The table: a record per acquisition and a removal per release, paid without a throw.
    assert_eq!(
        count(&runtime, "instructions"),
        count(&plain, "instructions")
    );
    assert_eq!(count(&runtime, "runtime_table_ops"), 20);
}

#[test]
fn cleanup_v2_pays_only_in_the_programs_it_rewrote() {
    // Not rewritten: the same run as cleanup.
    let file = example("runtime-tracking.s");
    assert_eq!(
        count(&run_json(&file, "cleanup-v2", None), "instructions"),
        76
    );
    // conflicting-slot.s, ringbuf path, no throw (skb->len 200, skb->protocol 8): runtime runs
    // the plain program; cleanup-v2 adds two entry stores, the spill after the reservation and
    // the clearing after the discard.
    let file = example("conflicting-slot.s");
    let ctx = "c8000000000000000000000000000000080000";
    let runtime = run_json(&file, "runtime", Some(ctx));
    let v2 = run_json(&file, "cleanup-v2", Some(ctx));
    assert_eq!(
        count(&v2, "instructions"),
        count(&runtime, "instructions") + 4
    );
    assert_eq!(count(&v2, "runtime_table_ops"), 0);
    assert_eq!(count(&runtime, "runtime_table_ops"), 2);
}
