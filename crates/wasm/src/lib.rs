//! The JS API of Unwind, for the playground's Web Worker (`web/worker.ts`).
//!
//! Thin bindings in the style of Ruff's `ruff_wasm`: every function converts its input, calls
//! the Rust crates, and converts the result with the plain-Rust functions of [`view`] (tested
//! natively). Problems in the user's program come back as data (`diagnostics`); only misuse of
//! the API (an unknown option, a value of the wrong type) throws a JS `Error`.
//!
//! Results are plain JS objects; 64-bit values (immediates, bytecode) cross as strings, never as
//! JS numbers. pcs, lines and columns are small integers. The TypeScript declarations of the
//! results are written by hand in [`TS_TYPES`] and a native test checks they name every field.

pub mod verify;
pub mod view;
pub mod vm;

use serde::Serialize;
use wasm_bindgen::prelude::*;

/// TypeScript declarations of what the functions below return, added to the generated `.d.ts`.
pub const TS_TYPES: &str = r#"
/** Input syntax: detected (`auto`), LLVM/kernel pseudo-C, the uBPF dialect, or raw hex bytecode. */
export type Syntax = "auto" | "pseudo_c" | "ubpf" | "hex";

export interface AssembleOptions {
  syntax?: Syntax;
}

/** An error in the source. Lines and columns are 1-based; `endColumn` is one past the end. */
export interface Diagnostic {
  line: number;
  column: number;
  endColumn: number;
  message: string;
  /** The error's kind in snake_case, e.g. `unknown_instruction`. */
  kind: string;
}

/** One instruction (an `ld_imm64` is one instruction covering two pcs). */
export interface Instruction {
  pc: number;
  /** 8 or 16 bytes in hex, separated by spaces. */
  hex: string;
  line: number;
  column: number;
  endColumn: number;
  /** Source-style disassembly. */
  source: string;
  /** Kernel-verifier-log-style disassembly, with the `pc: (op) ` prefix. */
  log: string;
}

export interface FunctionInfo {
  name: string;
  start: number;
  end: number;
  linkage: "main" | "static" | "global" | "hidden";
  /** Declared arguments of a global function: `scalar`, `ctx`, `mem:N`. */
  args: string[];
  isExceptionCallback: boolean;
  line: number;
}

export interface MapInfo {
  name: string;
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  line: number;
}

export interface AssembleResult {
  /** A program was produced (no errors). */
  ok: boolean;
  /** The syntax used (never `auto`). */
  syntax: Exclude<Syntax, "auto">;
  diagnostics: Diagnostic[];
  instructions: Instruction[];
  slotCount: number;
  /** One 8-byte slot per line, bytes in hex separated by spaces. */
  bytecodeHex: string;
  /** Source style: pseudo-C that assembles back to the same bytes. */
  disassembly: string;
  /** The kernel verifier log's style. */
  log: string;
  functions: FunctionInfo[];
  maps: MapInfo[];
  progType: string | null;
}

/** Exception modes (SPEC §4): upstream v6.7, the loophole fixed, the RFC's descriptors, with
 * per-acquisition slots, or run-time tracking. */
export type Mode = "legacy" | "upstream" | "cleanup" | "cleanup-v2" | "runtime";

export interface VerifyOptions {
  syntax?: Syntax;
  /** Default `cleanup`. */
  mode?: Mode;
  /** 1: errors, the failing path and the summary (default); 2: every instruction. */
  logLevel?: 0 | 1 | 2;
}

/** A verifier error: the kernel's message at a pc and its source place. */
export interface VerifyError {
  pc: number;
  line: number;
  column: number;
  message: string;
}

/** The abstract states seen at a pc, in the kernel log's notation (`R1=ctx() R10=fp0`). */
export interface PcState {
  pc: number;
  states: string[];
}

export interface FunctionFacts {
  name: string;
  start: number;
  end: number;
  linkage: "main" | "static" | "global" | "hidden";
  /** Bytes of stack. */
  stackDepth: number;
  /** Callee-saved registers it uses, `r6`..`r9`. */
  calleeSaved: string[];
  isExceptionCallback: boolean;
  /** It, or a function it calls, throws (the pre-pass over the call graph). */
  mightThrow: boolean;
}

/** The cleanup modes: the program as the kernel would load it, every bpf_throw routed
 * through the hidden trampoline (whose prologue saves R6-R9 for the unwinder). */
export interface Loaded {
  disassembly: string;
  trampoline: FunctionFacts;
}

export interface VerifyResult {
  /** The source assembled; when false, `diagnostics` say why and the verdict is empty. */
  assembled: boolean;
  syntax: Exclude<Syntax, "auto">;
  diagnostics: Diagnostic[];
  accepted: boolean;
  mode: Mode;
  errors: VerifyError[];
  /** The verifier log in the kernel's format. */
  log: string;
  states: PcState[];
  functions: FunctionFacts[];
  insnsProcessed: number;
  totalStates: number;
  /** Cleanup modes: one per pc through which an exception can unwind. */
  frameDescriptors: FrameDescriptor[];
  /** cleanup-v2, when a conflict had to be resolved: the rewritten program (the pcs above
   * are its pcs); null otherwise. */
  rewrite: Rewrite | null;
  /** Cleanup modes, an accepted program that throws: the program as loaded; null otherwise. */
  loaded: Loaded | null;
}

/** cleanup-v2's rewrite: each conflicting acquisition got its own zeroed stack slot. */
export interface Rewrite {
  /** The rewritten program in source syntax. */
  disassembly: string;
  dedicated: DedicatedSlot[];
}

export interface DedicatedSlot {
  /** The acquiring call, in the original program. */
  acquirePc: number;
  line: number;
  /** The kfunc or helper that acquires. */
  acquiredBy: string;
  /** The function whose frame holds the slot. */
  function: string;
  /** `fp-N`. */
  slot: string;
  /** Original pcs of the releases after which the slot is cleared. */
  clearedAfter: number[];
}

/** Where the unwinder finds which resource when an exception unwinds through `pc`. */
export interface FrameDescriptor {
  pc: number;
  function: string;
  /** In release order: stack slots from fp-8 downwards, then r6..r9. */
  slots: { location: string; resource: string; release: string }[];
  /** How many paths were merged into it. */
  paths: number;
  /** The merge history: every path that contributed, in merge order. */
  history: PathContribution[];
}

/** What one verifier path contributed to a frame descriptor. */
export interface PathContribution {
  /** The verifier's name for the path, e.g. "path through 7". */
  path: string;
  /** Frame number on that path (0 = main). */
  frame: number;
  entries: DescriptorEntry[];
}

/** One location on one path. */
export interface DescriptorEntry {
  /** `fp-8`, `r6`. */
  location: string;
  /** A resource type (`object`, `socket`, ...), `null`, or what cannot merge with one:
   * `misc`, `uninit`, `non_zero_scalar`, `copy` (a second copy of a resource entered elsewhere), `interior` (a pointer into a resource). */
  content: string;
  /** The verifier's reference id, for a resource. */
  refObjId: number | null;
  /** The kernel's register type as the log prints it (`ptr_obj`, `scalar`, `?`). */
  kernelType: string;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const _: &str = TS_TYPES;

#[cfg(feature = "console_error_panic_hook")]
#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The version of the Unwind crates in this module.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Assembles `source`. Returns the program's views and every diagnostic; throws only when
/// `options` is not an `AssembleOptions` object (or `undefined`/`null`).
#[wasm_bindgen(unchecked_return_type = "AssembleResult")]
pub fn assemble(
    source: &str,
    #[wasm_bindgen(unchecked_param_type = "AssembleOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsError> {
    let options: view::AssembleOptions = options_from_js(options)?;
    let result = view::assemble(source, &options).map_err(|e| JsError::new(&e))?;
    to_js(&result)
}

/// Assembles and verifies `source`. The verdict (accepted or not, errors, the kernel-format
/// log, per-pc states, per-function facts) is data; throws only for bad `options`.
#[wasm_bindgen(unchecked_return_type = "VerifyResult")]
pub fn verify(
    source: &str,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsError> {
    let options: verify::VerifyOptions = options_from_js(options)?;
    let result = verify::verify(source, &options).map_err(|e| JsError::new(&e))?;
    to_js(&result)
}

/// An options object (or `undefined`/`null` for the defaults). It goes through serde_json so
/// that unknown fields are refused: serde_wasm_bindgen reads only the fields a struct names,
/// and a misspelled option must be an error, not silently ignored.
fn options_from_js<T: serde::de::DeserializeOwned + Default>(
    options: JsValue,
) -> Result<T, JsError> {
    if options.is_undefined() || options.is_null() {
        return Ok(T::default());
    }
    let value: serde_json::Value = serde_wasm_bindgen::from_value(options)
        .map_err(|e| JsError::new(&format!("invalid options: {e}")))?;
    serde_json::from_value(value).map_err(|e| JsError::new(&format!("invalid options: {e}")))
}

/// Plain objects (not `Map`s), `null` for `None`. No `u64` is serialized: those are strings.
fn to_js(value: &impl Serialize) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_missing_as_null(true)
        .serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .map_err(|e| JsError::new(&format!("internal error: {e}")))
}
