//! The debugger session as the JS API sees it (through `CamelCase`): stepping, state, events,
//! descriptors, and what the mode does to a throw.

use serde_json::{json, Value};
use unwind_session::{CamelCase, DebugOptions as VmOptions, Debugger, StopReason};

/// The value as it crosses to JS.
trait Js {
    fn js(&self) -> Value;
}

impl<T: serde::Serialize + ?Sized> Js for T {
    fn js(&self) -> Value {
        serde_json::to_value(CamelCase(self)).expect("serializes")
    }
}

const SRC: &str =
    ".ctx tracing\nr6 = 1\ncall f\nr0 = 7\nexit\nf:\nr1 = 16\ncall bpf_obj_new\nr0 = 0\nexit";

/// The interpreter alone: SRC leaks its object, which the verifier would refuse.
fn unverified() -> VmOptions {
    VmOptions {
        unverified: true,
        ..VmOptions::default()
    }
}

fn mode(name: &str) -> VmOptions {
    VmOptions {
        mode: Some(name.into()),
        ..VmOptions::default()
    }
}

fn kinds(events: &Value) -> Vec<String> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn steps_and_reports_state_in_camel_case() {
    let mut s = Debugger::new(SRC, &unverified()).unwrap();
    assert_eq!(s.step(), StopReason::Step);
    assert_eq!(s.step(), StopReason::Step);
    let st = s.state().js();
    assert_eq!(st["ready"], true);
    assert_eq!(st["verified"], false);
    assert_eq!(st["pc"], 4);
    assert_eq!(st["insn"], "r1 = 16");
    assert_eq!(st["frames"][1]["function"], "f");
    assert_eq!(st["frames"][1]["line"], 7);
    assert_eq!(st["frames"][1]["calleeSaved"], json!([]));
    assert_eq!(st["frames"][0]["calleeSaved"], json!(["r6"]));
    // main sits at its call (line 3); its r6 is what the callee sees (f saves none).
    assert_eq!(st["frames"][0]["line"], 3);
    assert_eq!(st["frames"][0]["preserved"][0], "1");
    assert_eq!(st["registers"][6], "1");
    assert_eq!(s.run(), StopReason::Ended);
    let st = s.state().js();
    assert_eq!(st["state"], "exited");
    assert_eq!(st["returnValue"], "7");
    assert_eq!(st["resources"][0]["acquiredPc"], 5);
    let ev = s.events(0).js();
    assert_eq!(kinds(&ev), ["call", "acquire", "return", "exit", "leak"]);
    assert_eq!(ev[4]["resource"]["acquiredPc"], 5);
    assert_eq!(s.back(3), 3);
    assert_eq!(s.state().js()["state"], "running");
    assert_eq!(s.events(0).js().as_array().unwrap().len(), 2);
    // Back over plain instructions of f (one step each), then out of f: at main's call.
    assert_eq!(s.state().js()["pc"], 7);
    assert_eq!(s.back_over(), 1);
    assert_eq!(s.back_over(), 1);
    assert_eq!(s.state().js()["pc"], 5);
    assert_eq!(s.back_out(), 2);
    let st = s.state().js();
    assert_eq!(
        (st["pc"].clone(), st["frames"].as_array().unwrap().len()),
        (json!(1), 1)
    );
    assert_eq!(s.events(0).js().as_array().unwrap().len(), 0);
    assert!(s.set_breakpoint(3, true));
    s.reset();
    assert_eq!(s.run(), StopReason::Breakpoint);
    assert_eq!(s.state().js()["breakpoints"], json!([3]));
}

#[test]
fn user_problems_are_data_and_misuse_is_an_error() {
    let s = Debugger::new("r11 = 1", &VmOptions::default()).unwrap();
    let st = s.state().js();
    assert_eq!(st["ready"], false);
    assert_eq!(st["state"], "not_ready");
    assert_eq!(st["diagnostics"][0]["line"], 1);
    assert!(st["diagnostics"][0]["endColumn"].is_number());
    let opts = VmOptions {
        world: Some(unwind_vm::World {
            ctx: Some("zz".into()),
            ..unwind_vm::World::default()
        }),
        ..VmOptions::default()
    };
    let s = Debugger::new(".ctx tc\nr0 = 0\nexit", &opts).unwrap();
    assert!(s.state().js()["error"]
        .as_str()
        .unwrap()
        .contains("invalid hex"));
    let opts = VmOptions {
        helpers: Some("libc".into()),
        ..VmOptions::default()
    };
    assert!(Debugger::new("exit", &opts).is_err());
    assert!(Debugger::new("exit", &mode("magic")).is_err());
    let mut s = Debugger::new("r0 = 1", &unverified()).unwrap();
    assert_eq!(s.run(), StopReason::Ended);
    assert_eq!(s.state().js()["fault"]["kind"], "fell_off");
}

#[test]
fn a_rejected_program_is_data_with_the_verifiers_errors() {
    // The kernel's message for a register read before it is written.
    let mut s = Debugger::new("r0 = r5\nexit", &VmOptions::default()).unwrap();
    let st = s.state().js();
    assert_eq!(st["ready"], false);
    assert_eq!(st["state"], "rejected");
    assert_eq!(st["mode"], "cleanup");
    assert_eq!(st["verified"], false);
    assert_eq!(st["verifierErrors"][0]["message"], "R5 !read_ok");
    assert_eq!(st["verifierErrors"][0]["line"], 1);
    assert_eq!(s.run(), StopReason::NotReady);
    assert_eq!(s.events(0).js(), json!([]));
}

#[test]
fn options_refuse_unknown_fields() {
    let ok: Result<VmOptions, _> =
        serde_json::from_value(json!({"budget": 5, "traceCapacity": 2, "mode": "legacy"}));
    assert_eq!(ok.unwrap().trace_capacity, Some(2));
    let bad: Result<VmOptions, _> = serde_json::from_value(json!({"nope": 1}));
    assert!(bad
        .unwrap_err()
        .to_string()
        .contains("unknown field `nope`"));
    // `unwinding` was replaced by `mode`.
    let old: Result<VmOptions, _> = serde_json::from_value(json!({"unwinding": "runtime"}));
    assert!(old.is_err());
}

const THROWS: &str = ".ctx tc\nr1 = 16\ncall bpf_obj_new\n*(u64 *)(r10 - 8) = r0\nr1 = 5\ncall bpf_throw\nr0 = 0\nexit";

const LOOPHOLE: &str = include_str!("../../../static/examples/global-loophole.s");
const CALLEE_SAVED: &str = include_str!("../../../static/examples/callee-saved.s");
const CONFLICT: &str = include_str!("../../../static/examples/conflicting-slot.s");

#[test]
fn the_runtime_table_releases_at_a_throw() {
    let mut s = Debugger::new(THROWS, &mode("runtime")).unwrap();
    assert_eq!(s.state().js()["unwinding"], "runtime_table");
    assert_eq!(s.run(), StopReason::Ended);
    let events = s.events(0).js();
    let release = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "release")
        .expect("a release");
    assert_eq!(release["by"], "runtime_table");
    assert_eq!(release["function"], "bpf_obj_drop");
}

#[test]
fn the_mode_decides_what_the_loophole_does() {
    // legacy: accepted (global subprogs are assumed valid), the object leaks at the throw.
    let mut legacy = Debugger::new(LOOPHOLE, &mode("legacy")).unwrap();
    assert_eq!(legacy.state().js()["unwinding"], "discard_frames");
    assert_eq!(legacy.run(), StopReason::Ended);
    let k = kinds(&legacy.events(0).js());
    assert!(k.contains(&"leak".to_string()), "{k:?}");
    assert!(!k.contains(&"release".to_string()), "{k:?}");
    // upstream: refused.
    let upstream = Debugger::new(LOOPHOLE, &mode("upstream")).unwrap();
    assert_eq!(upstream.state().js()["state"], "rejected");
    assert!(upstream.state().js()["verifierErrors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("reference leak"));
    // cleanup (the default): the unwinder releases fp-8 of main from its descriptor.
    let mut cleanup = Debugger::new(LOOPHOLE, &VmOptions::default()).unwrap();
    assert_eq!(cleanup.state().js()["unwinding"], "descriptors");
    let descs = cleanup.descriptors().js();
    assert!(descs
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["function"] == "main" && d["slots"][0]["location"] == "fp-8"));
    assert_eq!(cleanup.run(), StopReason::Ended);
    let events = cleanup.events(0).js();
    let k = kinds(&events);
    let throw = k.iter().position(|k| k == "throw").expect("a throw");
    assert_eq!(
        k[throw..],
        [
            "throw",
            "unwind_frame", // the hidden trampoline: hands over the thrower's R6-R9
            "restore_regs",
            "unwind_frame", // global_may_throw: holds nothing
            "unwind_frame", // main: its descriptor names fp-8
            "release",
            "exception_callback",
            "exit"
        ],
        "{events:#}"
    );
    let release = &events[throw + 5];
    assert_eq!(release["by"], "unwinder");
    assert_eq!(release["function"], "bpf_obj_drop");
    assert_eq!(release["location"], "fp-8");
    assert!(cleanup.state().js()["resources"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn frames_carry_their_descriptor_and_registers_are_restored_while_unwinding() {
    let mut s = Debugger::new(CALLEE_SAVED, &VmOptions::default()).unwrap();
    let descs = s.descriptors().js();
    let pcs: Vec<u64> = descs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["pc"].as_u64().unwrap())
        .collect();
    assert_eq!(descs.as_array().unwrap().len(), 3, "{descs:#}");
    let lines = s.lines();
    assert_eq!(lines.last(), Some(&0), "the trampoline has no source line");
    assert!(pcs.iter().all(|&pc| lines[pc as usize] > 0));
    assert!(!descs[0]["history"].as_array().unwrap().is_empty());
    // Step until the throw's call to the trampoline: every frame has a descriptor.
    let mut guard = 0;
    while s.state().js()["insn"]
        .as_str()
        .is_none_or(|i| !i.starts_with("call bpf_throw_tramp"))
    {
        assert_eq!(s.step(), StopReason::Step);
        guard += 1;
        assert!(guard < 1000);
    }
    let st = s.state().js();
    let frames = st["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 3);
    for f in frames {
        let pc = f["descriptor"].as_u64().expect("a descriptor");
        assert!(pcs.contains(&pc));
        assert_eq!(f["pc"].as_u64(), Some(pc));
    }
    s.run();
    let k = kinds(&s.events(0).js());
    assert!(k.contains(&"restore_regs".to_string()), "{k:?}");
    let releases = s
        .events(0)
        .js()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "release")
        .map(|e| e["function"].as_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert_eq!(
        releases,
        ["bpf_obj_drop", "bpf_cgroup_release", "bpf_task_release"]
    );
}

#[test]
fn cleanup_v2_runs_the_rewritten_program() {
    let rejected = Debugger::new(CONFLICT, &VmOptions::default()).unwrap();
    assert_eq!(rejected.state().js()["state"], "rejected");
    let mut s = Debugger::new(CONFLICT, &mode("cleanup-v2")).unwrap();
    let st = s.state().js();
    assert_eq!(st["state"], "running", "{st:#}");
    assert_eq!(st["verified"], true);
    assert_eq!(s.run(), StopReason::Ended);
    assert_eq!(s.state().js()["state"], "exited", "{:#}", s.state().js());
}
