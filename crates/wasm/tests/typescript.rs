//! The TypeScript declarations (`src/types.d.ts`) name every field the JS API's results carry,
//! as they cross: through `CamelCase`. Each result is produced the way the bindings produce
//! it, on programs that fill every optional part (descriptors with history, a rewrite, the
//! loaded program, a fault, a throw's events). Native only (`make wasm-test` runs the
//! wasm-bindgen tests beside it).
#![cfg(not(target_arch = "wasm32"))]

use unwind_session::{
    assemble, verify, verify_with, AssembleOptions, CamelCase, DebugOptions, Debugger, Phase,
    Progress, VerifyOptions,
};

const THROWS: &str = ".ctx tc\nr1 = 16\ncall bpf_obj_new\n*(u64 *)(r10 - 8) = r0\nr1 = 5\ncall bpf_throw\nr0 = 0\nexit";
const CALLEE_SAVED: &str = include_str!("../../../static/examples/callee-saved.s");
const CONFLICT: &str = include_str!("../../../static/examples/conflicting-slot.s");
const LEAKS: &str =
    ".ctx tracing\nr6 = 1\ncall f\nr0 = 7\nexit\nf:\nr1 = 16\ncall bpf_obj_new\nr0 = 0\nexit";

/// Fields whose names are data rather than declared one by one: a fault's details and a
/// diagnostic's kind-specific fields are covered by index signatures.
const INDEXED: [&str; 12] = [
    "access",
    "addr",
    "size",
    "region",
    "regionSize",
    "offset",
    "target",
    "found",
    "expected",
    "name",
    "firstLine",
    "reason",
];

fn keys(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                out.push(k.clone());
                keys(v, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

fn js(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(CamelCase(value)).expect("serializes")
}

fn debug(src: &str, mode: &str, unverified: bool) -> Debugger {
    let options = DebugOptions {
        mode: Some(mode.into()),
        unverified,
        ..DebugOptions::default()
    };
    Debugger::new(src, &options).expect("valid options")
}

#[test]
fn every_serialized_field_is_declared() {
    let mut found = Vec::new();
    let asm = |src: &str| assemble(src, &AssembleOptions::default()).unwrap();
    keys(&js(&asm(".map m hash key=4 value=8 max_entries=1\n.globl g(ctx, mem:8)\nr0 = 0x1122334455667788 ll\ncall g\nexit\ng:\nr0 = 0\nexit")), &mut found);
    keys(&js(&asm("r11 = 1")), &mut found);
    for (src, mode) in [
        (THROWS, "cleanup"),
        (CONFLICT, "cleanup-v2"),
        ("r0 = r5\nexit", "cleanup"),
    ] {
        let options = VerifyOptions {
            mode: Some(mode.into()),
            ..VerifyOptions::default()
        };
        keys(&js(&verify(src, &options).unwrap()), &mut found);
        let v = verify_with(src, &options, None).unwrap();
        keys(&js(&v.summary()), &mut found);
        keys(&js(&v.states(0, usize::MAX)), &mut found);
    }
    let progress = Progress {
        phase: Phase::Verify,
        insns_processed: 8192,
        states: 1,
        pc: 0,
    };
    keys(&js(&progress), &mut found);
    let mut s = debug(CALLEE_SAVED, "cleanup", false);
    keys(&js(&s.descriptors()), &mut found);
    for _ in 0..12 {
        s.step();
    }
    keys(&js(&s.state()), &mut found);
    s.run();
    keys(&js(&s.state()), &mut found);
    keys(&js(&s.events(0)), &mut found);
    for (src, mode, unverified) in [
        (THROWS, "runtime", false),
        (LEAKS, "cleanup", true),
        ("r0 = 1", "cleanup", true),
        ("r0 = r5\nexit", "cleanup", false),
        ("r11 = 1", "cleanup", false),
    ] {
        let mut s = debug(src, mode, unverified);
        keys(&js(&s.state()), &mut found);
        s.run();
        keys(&js(&s.state()), &mut found);
        keys(&js(&s.events(0)), &mut found);
    }
    found.sort();
    found.dedup();
    let declared = unwind_wasm::TS_TYPES;
    let missing: Vec<&String> = found
        .iter()
        .filter(|k| !INDEXED.contains(&k.as_str()))
        .filter(|k| {
            !declared.contains(&format!(" {k}: ")) && !declared.contains(&format!(" {k}?: "))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "not declared in types.d.ts: {missing:?}"
    );
    // Every field crosses in camelCase.
    assert!(found.iter().all(|k| !k.contains('_')), "{found:?}");
}

/// The bindings stay bindings: their Rust and TypeScript text together fit in about 800 lines
/// (issue 9); the work belongs in `unwind-session`.
#[test]
fn the_bindings_stay_thin() {
    let lines = include_str!("../src/lib.rs").lines().count()
        + include_str!("../src/types.d.ts").lines().count();
    assert!(lines <= 800, "crates/wasm/src: {lines} lines");
}
