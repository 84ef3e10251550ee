//! `verify` and `assemble` as the JS API sees them (through `CamelCase`).

use serde_json::Value;
use unwind_session::{assemble, verify, AssembleOptions, CamelCase, VerifyOptions};

fn js(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(CamelCase(value)).expect("serializes")
}

fn run(src: &str, options: VerifyOptions) -> Value {
    js(&verify(src, &options).expect("valid options"))
}

fn with_mode(mode: &str) -> VerifyOptions {
    VerifyOptions {
        mode: Some(mode.into()),
        ..VerifyOptions::default()
    }
}

#[test]
fn accepted_program_has_a_log_and_states() {
    let r = run("r0 = 0\nexit\n", VerifyOptions::default());
    assert!(r["assembled"] == true && r["accepted"] == true, "{r}");
    assert_eq!(r["mode"], "cleanup");
    let log = r["log"].as_str().unwrap();
    assert!(log.contains("processed 2 insns (limit 1000000)"), "{log}");
    assert_eq!(r["errors"], serde_json::json!([]));
    assert_eq!(r["functions"][0]["name"], "main");
    assert_eq!(r["stats"]["insnsProcessed"], 2);
}

#[test]
fn rejected_program_has_errors_with_places() {
    // The kernel's message for a register read before it is written.
    let r = run("\n  r0 = r5\n  exit\n", VerifyOptions::default());
    assert!(r["assembled"] == true && r["accepted"] == false);
    let e = &r["errors"][0];
    assert_eq!(
        (&e["pc"], &e["line"], &e["column"]),
        (&0.into(), &2.into(), &3.into())
    );
    assert_eq!(e["message"], "R5 !read_ok");
}

#[test]
fn assembly_errors_come_back_as_diagnostics() {
    let r = run("frob\n", VerifyOptions::default());
    assert!(r["assembled"] == false && r["accepted"] == false);
    assert_eq!(r["diagnostics"].as_array().unwrap().len(), 1);
    assert_eq!(r["diagnostics"][0]["kind"], "unknown_instruction");
    assert!(r["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("frob"));
    assert_eq!(r["log"], "");
}

#[test]
fn options_are_checked() {
    let bad = |o: VerifyOptions| verify("exit", &o).unwrap_err();
    assert!(bad(with_mode("strict")).contains("strict"));
    let level = VerifyOptions {
        log_level: Some(7),
        ..VerifyOptions::default()
    };
    assert!(bad(level).contains("log level"));
    let r = run(
        "r0 = 0\nexit\n",
        VerifyOptions {
            mode: Some("legacy".into()),
            log_level: Some(2),
            ..VerifyOptions::default()
        },
    );
    assert_eq!(r["mode"], "legacy");
    assert!(r["log"].as_str().unwrap().contains("0: (b7) r0 = 0"));
}

#[test]
fn misspelled_options_are_refused() {
    // What the bindings do with the JS object: through serde_json, unknown fields fail.
    let bad = serde_json::json!({ "mdoe": "legacy" });
    let err = serde_json::from_value::<VerifyOptions>(bad).unwrap_err();
    assert!(err.to_string().contains("unknown field `mdoe`"), "{err}");
    let good = serde_json::json!({ "mode": "legacy", "logLevel": 2 });
    let o: VerifyOptions = serde_json::from_value(good).unwrap();
    assert_eq!(o.log_level, Some(2));
}

#[test]
fn descriptors_carry_their_merge_history() {
    // The object is acquired on one path only: the other contributes NULL in fp-8, and the
    // merged descriptor keeps the pointer (the RFC's "type vs NULL: the pointer wins").
    let r = run(
        ".ctx tc\nr6 = 0\n*(u64 *)(r10 - 8) = r6\nr2 = *(u32 *)(r1 + 0)\nif r2 > 10 goto t\nr1 = 16\ncall bpf_obj_new\n*(u64 *)(r10 - 8) = r0\nt:\nr1 = 1\ncall bpf_throw\nr0 = 0\nexit\n",
        VerifyOptions::default(),
    );
    assert_eq!(r["accepted"], true, "{}", r["log"]);
    let d = &r["frameDescriptors"][0];
    assert_eq!(d["slots"][0]["location"], "fp-8");
    assert_eq!(d["slots"][0]["type"], "object");
    let history = d["history"].as_array().unwrap();
    assert_eq!(history.len() as u64, d["paths"].as_u64().unwrap());
    assert!(history.len() >= 2, "{d}");
    let contents: Vec<&str> = history
        .iter()
        .flat_map(|o| o["entries"].as_array().unwrap().iter())
        .filter(|e| e["location"] == "fp-8")
        .map(|e| e["content"].as_str().unwrap())
        .collect();
    assert!(contents.contains(&"object"), "{contents:?}");
    assert!(contents.contains(&"null"), "{contents:?}");
}

#[test]
fn assembles_source_end_to_end() {
    let r = js(&assemble(
        ".ctx tc\n.map counts hash key=4 value=8 max_entries=16\nr0 = 0\nexit\n",
        &AssembleOptions::default(),
    )
    .unwrap());
    assert_eq!(r["ok"], true, "{}", r["diagnostics"]);
    assert_eq!(r["syntax"], "pseudo_c");
    assert_eq!(r["instructions"].as_array().unwrap().len(), 2);
    assert_eq!(r["instructions"][0]["line"], 3);
    assert_eq!(r["instructions"][1]["hex"], "95 00 00 00 00 00 00 00");
    assert_eq!(r["progType"], "tc");
    assert_eq!(r["maps"][0]["name"], "counts");
    assert_eq!(
        (
            &r["maps"][0]["type"],
            &r["maps"][0]["keySize"],
            &r["maps"][0]["valueSize"]
        ),
        (&"hash".into(), &4.into(), &8.into())
    );
    // The bytecode view reads back as the hex syntax.
    let hex = AssembleOptions {
        syntax: Some("hex".into()),
    };
    let back = js(&assemble(r["bytecodeHex"].as_str().unwrap(), &hex).unwrap());
    assert_eq!(back["ok"], true, "{}", back["diagnostics"]);
    assert_eq!(back["bytecodeHex"], r["bytecodeHex"]);
}

#[test]
fn ld_imm64_is_one_instruction_of_16_bytes_and_crosses_as_text() {
    let r = js(&assemble(
        "r1 = 0x1122334455667788 ll\ncall f\nexit\n.globl f(ctx, mem:16)\n.exception_callback f\nf:\n  exit\n",
        &AssembleOptions::default(),
    )
    .unwrap());
    assert_eq!(r["ok"], true, "{}", r["diagnostics"]);
    assert_eq!(r["slotCount"], 5);
    let pcs: Vec<u64> = r["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["pc"].as_u64().unwrap())
        .collect();
    assert_eq!(pcs, [0, 2, 3, 4], "the pc after an ld_imm64 skips its tail");
    let first = &r["instructions"][0];
    assert_eq!(
        first["hex"],
        "18 01 00 00 88 77 66 55 00 00 00 00 44 33 22 11"
    );
    assert_eq!(first["source"], "r1 = 0x1122334455667788 ll");
    assert_eq!(first["log"], "0: (18) r1 = 0x1122334455667788");
    let f = &r["functions"][1];
    assert_eq!((&f["name"], &f["linkage"]), (&"f".into(), &"global".into()));
    assert_eq!(f["isExceptionCallback"], true);
    assert_eq!(f["args"], serde_json::json!(["ctx", "mem:16"]));
    assert_eq!((&f["start"], &f["line"]), (&4.into(), &7.into()));
    // Nothing in the JS result is a 64-bit number.
    assert!(!r.to_string().contains("1234605616436508552"));
}

#[test]
fn user_errors_are_data_with_positions_and_misuse_is_an_error() {
    let pseudo_c = AssembleOptions {
        syntax: Some("pseudo_c".into()),
    };
    let r = js(&assemble("r0 = 0\n  frob r1\nexit\n", &pseudo_c).unwrap());
    assert_eq!(r["ok"], false);
    let d = &r["diagnostics"][0];
    assert_eq!((&d["line"], &d["column"]), (&2.into(), &3.into()), "{d}");
    assert!(d["endColumn"].is_number() && d["message"].is_string());
    assert_eq!(r["instructions"], serde_json::json!([]));
    let att = AssembleOptions {
        syntax: Some("att".into()),
    };
    assert!(assemble("exit", &att).is_err());
}
