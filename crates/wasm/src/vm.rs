//! The interpreter's JS API: a `Debugger` over one program (step, step over, step out, run,
//! reset, back, breakpoints, state, events), for the page's Web Worker.
//!
//! As for the assembler, the work is plain Rust ([`Session`], tested natively) and the
//! `#[wasm_bindgen]` class only converts. Results are plain objects with camelCase keys (the
//! interpreter's snake_case serde names, converted); 64-bit values are decimal strings.
//! Problems in the user's program (assembly errors, a bad world, a fault) are data; only misuse
//! (options of the wrong shape) throws.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Map, Value};
use unwind_asm::assemble_with;
use unwind_program::disasm::{format_insn, Style};
use unwind_program::Program;
use unwind_verifier::Mode;
use unwind_vm::{Config, HelperTable, Stopped, Unwinding, Vm, World};
use wasm_bindgen::prelude::*;

use crate::verify::{
    history_view, mode_name, DescriptorSlotView, FrameDescriptorView, VerifyErrorView,
};
use crate::view::{self, AssembleOptions};

/// A descriptor of the run program, as the verifier tab shows one (with its merge history).
fn descriptor_view(d: &unwind_stackmap::FrameDesc, program: &Program) -> FrameDescriptorView {
    FrameDescriptorView {
        pc: d.pc,
        function: program
            .functions
            .get(d.function)
            .map(|f| f.name.clone())
            .unwrap_or_default(),
        slots: d
            .releases()
            .map(|(location, kind)| DescriptorSlotView {
                location: location.to_string(),
                resource: kind.name().to_string(),
                release: kind.release_function().to_string(),
            })
            .collect(),
        paths: d.history.len(),
        history: history_view(d),
    }
}

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
  /** The exceptions mode (default `cleanup`): the program is verified in it, and what the
   * verifier accepted runs as `runnable()` prepares it (cleanup modes: cleanup-v2's rewrite,
   * the hidden bpf_throw trampoline, unwinding by frame descriptors; `runtime`: the run-time
   * table; `legacy`/`upstream`: a throw discards frames, what they held leaks). */
  mode?: Mode;
  /** Skip the verifier (a throw then releases nothing, or what the run-time table holds in
   * `runtime` mode). */
  unverified?: boolean;
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
  /** `object`, `percpu_object`, `socket`, `task`, `cgroup`, `cpumask`, `ringbuf_record`, `spin_lock`, `rcu_read_lock`, `preempt_disabled`, `irq_saved`. */
  type: string;
  addr: string;
  acquiredPc: number;
  frame: number;
  function: string;
}

export interface VmFrame {
  depth: number;
  function: string;
  /** Source line of `pc` (0 for code the source does not have, e.g. the trampoline). */
  line: number;
  /** The pc of the frame descriptor the unwinder would use for this frame now, or null. */
  descriptor: number | null;
  /** This frame's R6..R9 as decimal strings (a caller's: as they are restored on return). */
  preserved: string[];
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
  /** False when the program did not assemble, the verifier rejected it or the world was
   * invalid: see `diagnostics`, `verifierErrors` and `error`. */
  ready: boolean;
  diagnostics: Diagnostic[];
  error: string | null;
  mode: Mode;
  /** The verifier accepted the program (false when it was run `unverified`). */
  verified: boolean;
  /** Why the verifier rejected the program (state `rejected`). */
  verifierErrors: VerifyError[];
  /** What a throw does: `legacy` (discards frames), `descriptors`, `runtime`; null when not ready. */
  unwinding: "legacy" | "descriptors" | "runtime" | null;
  /** The instruction at `pc` in source syntax, or null past the end. */
  insn: string | null;
  pc: number;
  /** Source line of `pc` (0 in hidden code: the bpf_throw trampoline). */
  line: number;
  instructions: string;
  /** `running`, `exited` (with `returnValue`) or `faulted` (with `fault`); `rejected` by the
   * verifier; `not_ready` (did not assemble, bad world). */
  state: "running" | "exited" | "faulted" | "rejected" | "not_ready";
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
    /// The exceptions mode the program is verified in and run with (default `cleanup`).
    pub mode: Option<String>,
    /// Skip the verifier (a throw then releases nothing, or the run-time table's contents in
    /// `runtime` mode: without a verdict there are no descriptors).
    #[serde(default)]
    pub unverified: bool,
}

/// A program under the debugger, or why there is none.
pub struct Session {
    vm: Option<Vm>,
    diagnostics: Vec<view::DiagnosticView>,
    error: Option<String>,
    mode: Mode,
    verified: bool,
    /// The verifier refused the program: its errors (then there is no `vm`).
    rejected: Option<Vec<VerifyErrorView>>,
    /// The program being run (cleanup modes: with the trampoline, cleanup-v2's rewrite).
    program: Option<Program>,
    /// The descriptors the unwinder reads, keyed by the run program's pcs.
    descriptors: Vec<FrameDescriptorView>,
}

fn stop_name(s: Stopped) -> &'static str {
    match s {
        Stopped::Step => "step",
        Stopped::Breakpoint => "breakpoint",
        Stopped::Ended => "ended",
    }
}

impl Session {
    fn empty(mode: Mode) -> Session {
        Session {
            vm: None,
            diagnostics: Vec::new(),
            error: None,
            mode,
            verified: false,
            rejected: None,
            program: None,
            descriptors: Vec::new(),
        }
    }

    /// Assembles, verifies in the chosen mode and sets up the program `runnable()` gives.
    /// `Err` only for misuse (an unknown syntax, mode or helper table).
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
        let mode = match options.mode.as_deref() {
            None => Mode::default(),
            Some(name) => name.parse::<Mode>().ok().ok_or_else(|| {
                format!(
                    "unknown mode '{name}': expected legacy, upstream, cleanup, cleanup-v2 or runtime"
                )
            })?,
        };
        let mut session = Session::empty(mode);
        let assembly = assemble_with(source, &asm_options);
        let Some(program) = assembly.program else {
            session.diagnostics = assembly
                .diagnostics
                .iter()
                .map(view::diagnostic_view)
                .collect();
            return Ok(session);
        };
        let (program, unwinding) = if options.unverified {
            let unwinding = match mode {
                Mode::Runtime => Unwinding::RuntimeTable,
                _ => Unwinding::Legacy,
            };
            (program, unwinding)
        } else {
            let verdict = unwind_verifier::verify(
                &program,
                &unwind_verifier::Options {
                    log_level: 0,
                    mode,
                    record_states: false,
                    ..unwind_verifier::Options::default()
                },
            );
            if !verdict.accepted {
                session.rejected = Some(
                    verdict
                        .errors
                        .into_iter()
                        .map(|e| VerifyErrorView {
                            pc: e.pc,
                            line: e.line,
                            column: e.column,
                            message: e.message,
                        })
                        .collect(),
                );
                return Ok(session);
            }
            session.verified = true;
            let runnable = match unwind_verifier::runnable(&program, &verdict, mode) {
                Ok(r) => r,
                Err(e) => {
                    session.error = Some(format!("cannot prepare the program: {e}"));
                    return Ok(session);
                }
            };
            let unwinding = match (mode, runnable.descriptors) {
                (_, Some(table)) => {
                    session.descriptors = table
                        .descs
                        .values()
                        .map(|d| descriptor_view(d, &runnable.program))
                        .collect();
                    Unwinding::Descriptors(Arc::new(table))
                }
                (Mode::Runtime, None) => Unwinding::RuntimeTable,
                (_, None) => Unwinding::Legacy,
            };
            (runnable.program, unwinding)
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
        match world.and_then(|w| Vm::new(&program, &w, config).map_err(|e| e.to_string())) {
            Ok(mut vm) => {
                if let Some(n) = options.trace_capacity {
                    vm.set_trace_capacity(n);
                }
                session.vm = Some(vm);
                session.program = Some(program);
            }
            Err(error) => session.error = Some(error),
        }
        Ok(session)
    }

    /// The source line of every pc of the program being run (0: code the source does not
    /// have, like the hidden trampoline); empty when not ready.
    pub fn lines(&self) -> Vec<u32> {
        match (&self.vm, &self.program) {
            (Some(vm), Some(p)) => (0..p.slots.len()).map(|pc| self.line(vm, pc)).collect(),
            _ => Vec::new(),
        }
    }

    /// The source line of `pc`, 0 in a hidden function (the patch gives the trampoline a
    /// line of the source, which it is not).
    fn line(&self, vm: &Vm, pc: usize) -> u32 {
        let hidden = self.program.as_ref().is_some_and(|p| {
            p.functions.iter().any(|f| {
                f.linkage == unwind_program::Linkage::Hidden && (f.start..f.end).contains(&pc)
            })
        });
        if hidden {
            0
        } else {
            vm.machine().line(pc)
        }
    }

    /// The frame descriptors the unwinder reads (cleanup modes), keyed by the run's pcs.
    pub fn descriptors(&self) -> Value {
        camel(serde_json::to_value(&self.descriptors).unwrap_or(Value::Null))
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
                    let pc = vm.machine().pc;
                    m.insert("line".into(), json!(self.line(vm, pc)));
                    let insn = self
                        .program
                        .as_ref()
                        .filter(|p| pc < p.slots.len())
                        .map(|p| format_insn(p, pc, Style::Source));
                    m.insert("insn".into(), json!(insn));
                    m.insert(
                        "unwinding".into(),
                        json!(vm.machine().config.unwinding.name()),
                    );
                    if let Some(Value::Array(frames)) = m.get_mut("frames") {
                        self.annotate_frames(vm, frames);
                    }
                }
                v
            }
            None => json!({
                "ready": false,
                "diagnostics": serde_json::to_value(&self.diagnostics).unwrap_or(Value::Null),
                "error": self.error,
                "pc": 0, "line": 0, "instructions": "0",
                "state": if self.rejected.is_some() { "rejected" } else { "not_ready" },
                "registers": [], "frames": [], "resources": [], "trace_output": [],
                "event_count": 0, "events_dropped": 0, "trace_dropped": 0,
                "breakpoints": [], "trace_length": 0, "insn": null, "unwinding": null,
            }),
        };
        if let Value::Object(m) = &mut out {
            m.insert("mode".into(), json!(mode_name(self.mode)));
            m.insert("verified".into(), json!(self.verified));
            m.insert(
                "verifier_errors".into(),
                serde_json::to_value(self.rejected.as_deref().unwrap_or(&[]))
                    .unwrap_or(Value::Null),
            );
        }
        // Diagnostics are already in the assembler API's camelCase.
        let diagnostics = out.get("diagnostics").cloned();
        out = camel(out);
        if let (Value::Object(m), Some(d)) = (&mut out, diagnostics) {
            m.insert("diagnostics".into(), d);
        }
        out
    }

    /// Adds to each frame (innermost last) its source line, the pc of the descriptor the
    /// unwinder would use there (or null) and its R6-R9: the innermost frame's are the live
    /// registers; a caller's are those, with what each callee's prologue saved put back.
    fn annotate_frames(&self, vm: &Vm, frames: &mut [Value]) {
        let regs = &vm.machine().regs;
        let mut callee_saved: Vec<String> = (6..10).map(|r| regs[r].to_string()).collect();
        for frame in frames.iter_mut().rev() {
            let Value::Object(f) = frame else { continue };
            let pc = f.get("pc").and_then(Value::as_u64).unwrap_or(0) as usize;
            f.insert("line".into(), json!(self.line(vm, pc)));
            let desc = self.descriptors.iter().find(|d| d.pc == pc).map(|d| d.pc);
            f.insert("descriptor".into(), json!(desc));
            f.insert("preserved".into(), json!(callee_saved.clone()));
            if let Some(Value::Array(saved)) = f.get("saved") {
                for pair in saved {
                    let (Some(name), Some(value)) = (pair[0].as_str(), pair[1].as_str()) else {
                        continue;
                    };
                    if let Some(k) = name
                        .strip_prefix('r')
                        .and_then(|n| n.parse::<usize>().ok())
                        .filter(|k| (6..10).contains(k))
                    {
                        callee_saved[k - 6] = value.to_string();
                    }
                }
            }
        }
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
    /// Assembles and verifies `source` (in `options.mode`, default `cleanup`) and sets up a
    /// run of what the verifier accepted. A program that does not assemble, or that the
    /// verifier rejects, is data (`state().state` is `not_ready` or `rejected`). Throws only
    /// when `options` is malformed.
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

    /// The source line of each pc of the program being run (it can differ from the source's
    /// pcs: cleanup-v2's rewrite, the hidden trampoline, whose lines are 0).
    pub fn lines(&self) -> Vec<u32> {
        self.session.lines()
    }

    /// The frame descriptors the unwinder reads (cleanup modes; empty otherwise), keyed by
    /// the pcs of the program being run.
    #[wasm_bindgen(unchecked_return_type = "FrameDescriptor[]")]
    pub fn descriptors(&self) -> Result<JsValue, JsError> {
        to_js(&self.session.descriptors())
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
        let mut s = Session::new(SRC, &unverified()).unwrap();
        assert_eq!(s.step(), "step");
        assert_eq!(s.step(), "step");
        let st = s.state();
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
        assert_eq!(s.run(), "ended");
        let st = s.state();
        assert_eq!(st["state"], "exited");
        assert_eq!(st["returnValue"], "7");
        assert_eq!(st["resources"][0]["acquiredPc"], 5);
        let ev = s.events(0);
        assert_eq!(kinds(&ev), ["call", "acquire", "return", "exit", "leak"]);
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
        let s = Session::new(".ctx tc\nr0 = 0\nexit", &opts).unwrap();
        assert!(s.state()["error"].as_str().unwrap().contains("invalid hex"));
        let opts = VmOptions {
            helpers: Some("libc".into()),
            ..VmOptions::default()
        };
        assert!(Session::new("exit", &opts).is_err());
        assert!(Session::new("exit", &mode("magic")).is_err());
        let mut s = Session::new("r0 = 1", &unverified()).unwrap();
        assert_eq!(s.run(), "ended");
        assert_eq!(s.state()["fault"]["kind"], "fell_off");
    }

    #[test]
    fn a_rejected_program_is_data_with_the_verifiers_errors() {
        // The kernel's message for a register read before it is written.
        let mut s = Session::new("r0 = r5\nexit", &VmOptions::default()).unwrap();
        let st = s.state();
        assert_eq!(st["ready"], false);
        assert_eq!(st["state"], "rejected");
        assert_eq!(st["mode"], "cleanup");
        assert_eq!(st["verified"], false);
        assert_eq!(st["verifierErrors"][0]["message"], "R5 !read_ok");
        assert_eq!(st["verifierErrors"][0]["line"], 1);
        assert_eq!(s.run(), "not_ready");
        assert_eq!(s.events(0), json!([]));
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
        let mut s = Session::new(THROWS, &mode("runtime")).unwrap();
        assert_eq!(s.state()["unwinding"], "runtime");
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
    }

    #[test]
    fn the_mode_decides_what_the_loophole_does() {
        // legacy: accepted (global subprogs are assumed valid), the object leaks at the throw.
        let mut legacy = Session::new(LOOPHOLE, &mode("legacy")).unwrap();
        assert_eq!(legacy.state()["unwinding"], "legacy");
        assert_eq!(legacy.run(), "ended");
        let k = kinds(&legacy.events(0));
        assert!(k.contains(&"leak".to_string()), "{k:?}");
        assert!(!k.contains(&"release".to_string()), "{k:?}");
        // upstream: refused.
        let upstream = Session::new(LOOPHOLE, &mode("upstream")).unwrap();
        assert_eq!(upstream.state()["state"], "rejected");
        assert!(upstream.state()["verifierErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("reference leak"));
        // cleanup (the default): the unwinder releases fp-8 of main from its descriptor.
        let mut cleanup = Session::new(LOOPHOLE, &VmOptions::default()).unwrap();
        assert_eq!(cleanup.state()["unwinding"], "descriptors");
        let descs = cleanup.descriptors();
        assert!(descs
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["function"] == "main" && d["slots"][0]["location"] == "fp-8"));
        assert_eq!(cleanup.run(), "ended");
        let events = cleanup.events(0);
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
        assert!(cleanup.state()["resources"].as_array().unwrap().is_empty());
    }

    #[test]
    fn frames_carry_their_descriptor_and_registers_are_restored_while_unwinding() {
        let mut s = Session::new(CALLEE_SAVED, &VmOptions::default()).unwrap();
        let descs = s.descriptors();
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
        while s.state()["insn"]
            .as_str()
            .is_none_or(|i| !i.starts_with("call bpf_throw_tramp"))
        {
            assert_eq!(s.step(), "step");
            guard += 1;
            assert!(guard < 1000);
        }
        let st = s.state();
        let frames = st["frames"].as_array().unwrap();
        assert_eq!(frames.len(), 3);
        for f in frames {
            let pc = f["descriptor"].as_u64().expect("a descriptor");
            assert!(pcs.contains(&pc));
            assert_eq!(f["pc"].as_u64(), Some(pc));
        }
        s.run();
        let k = kinds(&s.events(0));
        assert!(k.contains(&"restore_regs".to_string()), "{k:?}");
        let releases = s
            .events(0)
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
        let rejected = Session::new(CONFLICT, &VmOptions::default()).unwrap();
        assert_eq!(rejected.state()["state"], "rejected");
        let mut s = Session::new(CONFLICT, &mode("cleanup-v2")).unwrap();
        let st = s.state();
        assert_eq!(st["state"], "running", "{st:#}");
        assert_eq!(st["verified"], true);
        assert_eq!(s.run(), "ended");
        assert_eq!(s.state()["state"], "exited", "{:#}", s.state());
    }

    #[test]
    fn every_key_is_declared_in_the_typescript_types() {
        let mut s = Session::new(SRC, &unverified()).unwrap();
        s.step();
        s.step();
        s.step();
        let mut found = Vec::new();
        keys(&s.state(), &mut found);
        s.run();
        keys(&s.state(), &mut found);
        keys(&s.events(0), &mut found);
        let mut bad = Session::new("r0 = 1", &unverified()).unwrap();
        bad.run();
        keys(&bad.state(), &mut found);
        let mut threw = Session::new(THROWS, &mode("runtime")).unwrap();
        threw.run();
        keys(&threw.events(0), &mut found);
        let mut cleanup = Session::new(CALLEE_SAVED, &VmOptions::default()).unwrap();
        keys(&cleanup.descriptors(), &mut found);
        cleanup.run();
        keys(&cleanup.events(0), &mut found);
        keys(&cleanup.state(), &mut found);
        let rejected = Session::new("r0 = r5\nexit", &VmOptions::default()).unwrap();
        keys(&rejected.state(), &mut found);
        found.sort();
        found.dedup();
        let declared = format!("{}{}", crate::TS_TYPES, VM_TS_TYPES);
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
                declared.contains(&format!(" {k}: ")) || declared.contains(&format!(" {k}?: ")),
                "{k} is not declared in the TypeScript types"
            );
        }
    }
}
