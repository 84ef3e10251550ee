//! The interpreter's JS API: a `Debugger` over one program (step, step over, step out, run,
//! reset, back, breakpoints, state, events), for the page's Web Worker.
//!
//! As for the assembler, the work is plain Rust ([`Session`], tested natively) and the
//! `#[wasm_bindgen]` class only converts. Results are plain objects with camelCase keys (the
//! interpreter's snake_case serde names, converted); 64-bit values are decimal strings.
//! Problems in the user's program (assembly errors, a bad world, a fault) are data; only misuse
//! (options of the wrong shape) throws.

use serde::Deserialize;
use serde_json::{json, Map, Value};
use unwind_asm::assemble_with;
use unwind_vm::{Config, HelperTable, Stopped, Unwinding, Vm, World};
use wasm_bindgen::prelude::*;

use crate::view::{self, AssembleOptions};

/// TypeScript declarations of the debugger's results.
pub const VM_TS_TYPES: &str = r#"
/** Options of `new Debugger(source, options)`. */
export interface VmOptions {
  syntax?: Syntax;
  /** The simulated world (snake_case keys, as `unwind run --world` reads it). */
  world?: object;
  /** Instruction budget (default 50,000,000). */
  budget?: number;
  /** `kernel` (default) or `conformance` (the BPF conformance suite's helper 5). */
  helpers?: "kernel" | "conformance";
  /** How many steps `back` can undo (default 100,000). */
  traceCapacity?: number;
  /** What a throw releases: `legacy` (default: nothing, upstream v6.7) or `runtime` (what
   * the run-time table holds). */
  unwinding?: "legacy" | "runtime";
}

/** Why a step or a run stopped. `not_ready`: the program did not assemble or set up. */
export type StopReason = "step" | "breakpoint" | "ended" | "not_ready";

export interface VmFault {
  pc: number;
  line: number;
  /** snake_case kind, e.g. `out_of_bounds`, `budget`. */
  kind: string;
  message: string;
  [detail: string]: unknown;
}

export interface VmResource {
  id: number;
  /** `object`, `socket`, `task`, `cgroup`, `cpumask`, `ringbuf_record`, `spin_lock`, `rcu_read_lock`. */
  type: string;
  addr: string;
  acquiredPc: number;
  frame: number;
  function: string;
}

export interface VmFrame {
  depth: number;
  function: string;
  kind: { kind: "main" | "call" | "loop_callback" | "exception_callback"; index?: number; count?: number; ctx?: string };
  callSite: number | null;
  returnPc: number;
  pc: number;
  /** Callee-saved registers this function's prologue saves, e.g. ["r6", "r9"]. */
  calleeSaved: string[];
  /** The caller's values it saved: [register, decimal value]. */
  saved: [string, string][];
  framePointer: string;
  /** 512 stack bytes in hex, lowest address first. */
  stack: string;
  /** One character per stack byte: "1" written in this frame, "0" not. */
  written: string;
}

export interface VmState {
  /** False when the program did not assemble or the world was invalid: see `diagnostics`/`error`. */
  ready: boolean;
  diagnostics: Diagnostic[];
  error: string | null;
  pc: number;
  line: number;
  instructions: string;
  /** `running`, `exited` (with `returnValue`) or `faulted` (with `fault`). */
  state: "running" | "exited" | "faulted" | "not_ready";
  returnValue?: string;
  fault?: VmFault;
  /** R0..R10 as decimal strings. */
  registers: string[];
  frames: VmFrame[];
  resources: VmResource[];
  traceOutput: { pc: number; text: string }[];
  eventCount: number;
  /** Events and trace lines not kept (the log keeps 10,000 call/return and 100,000
   * acquire/release events, and 1 MiB of trace output). */
  eventsDropped: number;
  traceDropped: number;
  breakpoints: number[];
  /** Steps `back` can undo now. */
  traceLength: number;
}

/** One run event: `acquire`, `release`, `call`, `return`, `throw`, `unwind_frame`,
 * `restore_regs`, `exception_callback`, `exit`, `leak`, `fault`. */
export interface VmEvent {
  kind: string;
  pc: number;
  step: string;
  function?: string;
  resource?: { id: number; type: string; acquiredPc: number; frame: number };
  by?: "program" | "unwinder" | "runtime_table";
  depth?: number;
  value?: string;
  cookie?: string;
  returnValue?: string;
  message?: string;
  registers?: string[];
  /** `restore_regs`: the values put back, one per register. */
  values?: string[];
  /** A release by the unwinder: where it found the resource (`fp-8`, `r6`). */
  location?: string;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const _: &str = VM_TS_TYPES;

/// Options of a session (JS: `VmOptions`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VmOptions {
    pub syntax: Option<String>,
    pub world: Option<Value>,
    pub budget: Option<u64>,
    pub helpers: Option<String>,
    pub trace_capacity: Option<usize>,
    pub unwinding: Option<String>,
}

/// A program under the debugger, or why there is none.
pub struct Session {
    vm: Option<Vm>,
    diagnostics: Vec<view::DiagnosticView>,
    error: Option<String>,
}

fn stop_name(s: Stopped) -> &'static str {
    match s {
        Stopped::Step => "step",
        Stopped::Breakpoint => "breakpoint",
        Stopped::Ended => "ended",
    }
}

impl Session {
    /// Assembles and sets up. `Err` only for misuse (an unknown syntax or helper table).
    pub fn new(source: &str, options: &VmOptions) -> Result<Session, String> {
        let asm_options = AssembleOptions {
            syntax: options.syntax.clone(),
        }
        .to_options()?;
        let helpers = match options.helpers.as_deref() {
            None | Some("kernel") => HelperTable::Kernel,
            Some("conformance") => HelperTable::Conformance,
            Some(other) => {
                return Err(format!(
                    "unknown helpers '{other}': expected kernel or conformance"
                ))
            }
        };
        let unwinding = match options.unwinding.as_deref() {
            None | Some("legacy") => Unwinding::Legacy,
            Some("runtime") => Unwinding::RuntimeTable,
            Some(other) => {
                return Err(format!(
                    "unknown unwinding '{other}': expected legacy or runtime"
                ))
            }
        };
        let assembly = assemble_with(source, &asm_options);
        let Some(program) = assembly.program.as_ref() else {
            return Ok(Session {
                vm: None,
                diagnostics: assembly
                    .diagnostics
                    .iter()
                    .map(view::diagnostic_view)
                    .collect(),
                error: None,
            });
        };
        let world = match &options.world {
            None => Ok(World::default()),
            Some(v) => serde_json::from_value::<World>(v.clone())
                .map_err(|e| format!("invalid world: {e}")),
        };
        let config = Config {
            budget: options.budget.unwrap_or(unwind_vm::DEFAULT_BUDGET),
            helpers,
            unwinding,
            ..Config::default()
        };
        let vm = world.and_then(|w| Vm::new(program, &w, config).map_err(|e| e.to_string()));
        Ok(match vm {
            Ok(mut vm) => {
                if let Some(n) = options.trace_capacity {
                    vm.set_trace_capacity(n);
                }
                Session {
                    vm: Some(vm),
                    diagnostics: Vec::new(),
                    error: None,
                }
            }
            Err(error) => Session {
                vm: None,
                diagnostics: Vec::new(),
                error: Some(error),
            },
        })
    }

    fn act(&mut self, f: impl FnOnce(&mut Vm) -> Stopped) -> &'static str {
        self.vm.as_mut().map_or("not_ready", |vm| stop_name(f(vm)))
    }

    pub fn step(&mut self) -> &'static str {
        self.act(Vm::step)
    }

    pub fn step_over(&mut self) -> &'static str {
        self.act(Vm::step_over)
    }

    pub fn step_out(&mut self) -> &'static str {
        self.act(Vm::step_out)
    }

    pub fn run(&mut self) -> &'static str {
        self.act(Vm::run)
    }

    pub fn reset(&mut self) {
        if let Some(vm) = &mut self.vm {
            vm.reset();
        }
    }

    pub fn back(&mut self, n: usize) -> usize {
        self.vm.as_mut().map_or(0, |vm| vm.back(n))
    }

    pub fn set_breakpoint(&mut self, pc: usize, on: bool) -> bool {
        self.vm.as_mut().is_some_and(|vm| vm.set_breakpoint(pc, on))
    }

    pub fn set_recording(&mut self, on: bool) {
        if let Some(vm) = &mut self.vm {
            vm.set_recording(on);
        }
    }

    /// The state, camelCased.
    pub fn state(&self) -> Value {
        let mut out = match &self.vm {
            Some(vm) => {
                let mut v = serde_json::to_value(vm.snapshot()).unwrap_or(Value::Null);
                if let Value::Object(m) = &mut v {
                    m.insert("ready".into(), json!(true));
                    m.insert("diagnostics".into(), json!([]));
                    m.insert("error".into(), Value::Null);
                    m.insert("breakpoints".into(), json!(vm.breakpoints()));
                    m.insert("trace_length".into(), json!(vm.trace_len()));
                }
                v
            }
            None => json!({
                "ready": false,
                "diagnostics": serde_json::to_value(&self.diagnostics).unwrap_or(Value::Null),
                "error": self.error,
                "pc": 0, "line": 0, "instructions": "0", "state": "not_ready",
                "registers": [], "frames": [], "resources": [], "trace_output": [],
                "event_count": 0, "events_dropped": 0, "trace_dropped": 0,
                "breakpoints": [], "trace_length": 0,
            }),
        };
        // Diagnostics are already in the assembler API's camelCase.
        let diagnostics = out.get("diagnostics").cloned();
        out = camel(out);
        if let (Value::Object(m), Some(d)) = (&mut out, diagnostics) {
            m.insert("diagnostics".into(), d);
        }
        out
    }

    /// Events from index `from` on, camelCased.
    pub fn events(&self, from: usize) -> Value {
        let events = self.vm.as_ref().map_or(&[][..], |vm| vm.events());
        camel(serde_json::to_value(events.get(from..).unwrap_or(&[])).unwrap_or(Value::Null))
    }
}

/// snake_case keys to camelCase, recursively (values are left alone).
pub fn camel(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (to_camel(&k), camel(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(camel).collect()),
        v => v,
    }
}

fn to_camel(k: &str) -> String {
    let mut out = String::with_capacity(k.len());
    let mut up = false;
    for c in k.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The interpreter, stepping one program (JS class `Debugger`).
#[wasm_bindgen]
pub struct Debugger {
    session: Session,
}

#[wasm_bindgen]
impl Debugger {
    /// Assembles `source` and sets up a run. Throws only when `options` is malformed.
    #[wasm_bindgen(constructor)]
    pub fn new(
        source: &str,
        #[wasm_bindgen(unchecked_param_type = "VmOptions | undefined")] options: JsValue,
    ) -> Result<Debugger, JsError> {
        let options: VmOptions = if options.is_undefined() || options.is_null() {
            VmOptions::default()
        } else {
            // Through serde_json, so that unknown fields are refused (serde_wasm_bindgen reads
            // only the fields a struct names).
            let value: Value = serde_wasm_bindgen::from_value(options)
                .map_err(|e| JsError::new(&format!("invalid options: {e}")))?;
            serde_json::from_value(value)
                .map_err(|e| JsError::new(&format!("invalid options: {e}")))?
        };
        let session = Session::new(source, &options).map_err(|e| JsError::new(&e))?;
        Ok(Debugger { session })
    }

    #[wasm_bindgen(unchecked_return_type = "StopReason")]
    pub fn step(&mut self) -> String {
        self.session.step().into()
    }

    #[wasm_bindgen(js_name = stepOver, unchecked_return_type = "StopReason")]
    pub fn step_over(&mut self) -> String {
        self.session.step_over().into()
    }

    #[wasm_bindgen(js_name = stepOut, unchecked_return_type = "StopReason")]
    pub fn step_out(&mut self) -> String {
        self.session.step_out().into()
    }

    /// Runs to the end or a breakpoint.
    #[wasm_bindgen(unchecked_return_type = "StopReason")]
    pub fn run(&mut self) -> String {
        self.session.run().into()
    }

    pub fn reset(&mut self) {
        self.session.reset();
    }

    /// Steps back up to `n` steps; returns how many.
    pub fn back(&mut self, n: u32) -> u32 {
        self.session.back(n as usize) as u32
    }

    #[wasm_bindgen(js_name = setBreakpoint)]
    pub fn set_breakpoint(&mut self, pc: u32, on: bool) -> bool {
        self.session.set_breakpoint(pc as usize, on)
    }

    /// Recording (needed by `back`) is on by default; off, `run` takes the fast path.
    #[wasm_bindgen(js_name = setRecording)]
    pub fn set_recording(&mut self, on: bool) {
        self.session.set_recording(on);
    }

    #[wasm_bindgen(unchecked_return_type = "VmState")]
    pub fn state(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.state())
    }

    /// Events from index `from` (default 0).
    #[wasm_bindgen(unchecked_return_type = "VmEvent[]")]
    pub fn events(&self, from: Option<u32>) -> Result<JsValue, JsError> {
        to_js(&self.session.events(from.unwrap_or(0) as usize))
    }
}

fn to_js(value: &Value) -> Result<JsValue, JsError> {
    use serde::Serialize;
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_missing_as_null(true)
        .serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .map_err(|e| JsError::new(&format!("internal error: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str =
        ".ctx tracing\nr6 = 1\ncall f\nr0 = 7\nexit\nf:\nr1 = 16\ncall bpf_obj_new\nr0 = 0\nexit";

    fn keys(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    out.push(k.clone());
                    keys(v, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }

    #[test]
    fn steps_and_reports_state_in_camel_case() {
        let mut s = Session::new(SRC, &VmOptions::default()).unwrap();
        assert_eq!(s.step(), "step");
        assert_eq!(s.step(), "step");
        let st = s.state();
        assert_eq!(st["ready"], true);
        assert_eq!(st["pc"], 4);
        assert_eq!(st["frames"][1]["function"], "f");
        assert_eq!(st["frames"][1]["calleeSaved"], json!([]));
        assert_eq!(st["frames"][0]["calleeSaved"], json!(["r6"]));
        assert_eq!(st["registers"][6], "1");
        assert_eq!(s.run(), "ended");
        let st = s.state();
        assert_eq!(st["state"], "exited");
        assert_eq!(st["returnValue"], "7");
        assert_eq!(st["resources"][0]["acquiredPc"], 5);
        let ev = s.events(0);
        let kinds: Vec<&str> = ev
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["call", "acquire", "return", "exit", "leak"]);
        assert_eq!(ev[4]["resource"]["acquiredPc"], 5);
        assert_eq!(s.back(3), 3);
        assert_eq!(s.state()["state"], "running");
        assert_eq!(s.events(0).as_array().unwrap().len(), 2);
        assert!(s.set_breakpoint(3, true));
        s.reset();
        assert_eq!(s.run(), "breakpoint");
        assert_eq!(s.state()["breakpoints"], json!([3]));
    }

    #[test]
    fn user_problems_are_data_and_misuse_is_an_error() {
        let s = Session::new("r11 = 1", &VmOptions::default()).unwrap();
        let st = s.state();
        assert_eq!(st["ready"], false);
        assert_eq!(st["state"], "not_ready");
        assert_eq!(st["diagnostics"][0]["line"], 1);
        assert!(st["diagnostics"][0]["endColumn"].is_number());
        let opts = VmOptions {
            world: Some(json!({"ctx": "zz"})),
            ..VmOptions::default()
        };
        let s = Session::new(".ctx tc\nexit", &opts).unwrap();
        assert!(s.state()["error"].as_str().unwrap().contains("invalid hex"));
        let opts = VmOptions {
            helpers: Some("libc".into()),
            ..VmOptions::default()
        };
        assert!(Session::new("exit", &opts).is_err());
        let mut s = Session::new("r0 = 1", &VmOptions::default()).unwrap();
        assert_eq!(s.run(), "ended");
        assert_eq!(s.state()["fault"]["kind"], "fell_off");
    }

    #[test]
    fn options_refuse_unknown_fields() {
        let ok: Result<VmOptions, _> =
            serde_json::from_value(json!({"budget": 5, "traceCapacity": 2}));
        assert_eq!(ok.unwrap().trace_capacity, Some(2));
        let bad: Result<VmOptions, _> = serde_json::from_value(json!({"nope": 1}));
        assert!(bad
            .unwrap_err()
            .to_string()
            .contains("unknown field `nope`"));
    }

    const THROWS: &str = ".ctx tc\nr1 = 16\ncall bpf_obj_new\n*(u64 *)(r10 - 8) = r0\nr1 = 5\ncall bpf_throw\nr0 = 0\nexit";

    fn runtime_options() -> VmOptions {
        VmOptions {
            unwinding: Some("runtime".into()),
            ..VmOptions::default()
        }
    }

    #[test]
    fn the_runtime_table_releases_at_a_throw() {
        let mut s = Session::new(THROWS, &runtime_options()).unwrap();
        assert_eq!(s.run(), "ended");
        let events = s.events(0);
        let release = events
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "release")
            .expect("a release");
        assert_eq!(release["by"], "runtime_table");
        assert_eq!(release["function"], "bpf_obj_drop");
        let mut legacy = Session::new(THROWS, &VmOptions::default()).unwrap();
        legacy.run();
        assert!(legacy
            .events(0)
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "leak"));
        let bad: Result<VmOptions, _> = serde_json::from_value(json!({"unwinding": "runtime"}));
        assert!(bad.is_ok());
        let opts = VmOptions {
            unwinding: Some("magic".into()),
            ..VmOptions::default()
        };
        assert!(Session::new("exit", &opts).is_err());
    }

    #[test]
    fn every_key_is_declared_in_the_typescript_types() {
        let mut s = Session::new(SRC, &VmOptions::default()).unwrap();
        s.step();
        s.step();
        s.step();
        let mut found = Vec::new();
        keys(&s.state(), &mut found);
        s.run();
        keys(&s.state(), &mut found);
        keys(&s.events(0), &mut found);
        let mut bad = Session::new("r0 = 1", &VmOptions::default()).unwrap();
        bad.run();
        keys(&bad.state(), &mut found);
        let mut threw = Session::new(THROWS, &runtime_options()).unwrap();
        threw.run();
        keys(&threw.events(0), &mut found);
        found.sort();
        found.dedup();
        for k in found {
            // Fault details (addr, size, ...) are covered by VmFault's index signature.
            if [
                "access",
                "addr",
                "size",
                "region",
                "regionSize",
                "offset",
                "target",
            ]
            .contains(&k.as_str())
            {
                continue;
            }
            assert!(
                VM_TS_TYPES.contains(&format!(" {k}: "))
                    || VM_TS_TYPES.contains(&format!(" {k}?: ")),
                "{k} is not declared in VM_TS_TYPES"
            );
        }
    }
}
