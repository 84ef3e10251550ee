//! The JS API of Unwind: the raw bindings of the `unwind-bpf` npm package, which its worker
//! (`packages/unwind-bpf/src/worker.ts`) hosts.
//!
//! Thin bindings in the style of Ruff's `ruff_wasm`: each function converts its arguments,
//! calls `unwind-session` (plain Rust, tested natively) and converts the typed result with one
//! policy, [`unwind_session::CamelCase`] (every struct field in camelCase). Problems in the
//! user's program come back as data; only misuse of the API (an unknown option, a value of
//! the wrong type) throws a JS `Error` whose message names the option's path. Options are
//! read from the JS value through [`unwind_session::OptionValue`] (BigInts exact, Numbers
//! only when they are integers up to 2^53); results cross as JSON text, 64-bit values as
//! decimal strings, never as JS numbers. The TypeScript declarations of the results are in `types.d.ts`; a native test
//! checks that they name every field the results serialize.
//!
//! Long work takes an optional `onProgress` callback (`OnProgress`), called from inside Rust
//! every 8,192 processed instructions of the verifier and every 65,536 executed instructions
//! of a run; `false` from it stops the work (a verification throws `Error("cancelled")`, a
//! run returns `"cancelled"`), and an exception from it stops the work and is rethrown.

use std::ops::ControlFlow;

use serde::Serialize;
use unwind_session::{
    AssembleOptions, CamelCase, DebugOptions, OptionValue, OptionsError, VerifyOptions,
};
use wasm_bindgen::prelude::*;

/// TypeScript declarations of what the functions below return, added to the generated `.d.ts`.
pub const TS_TYPES: &str = include_str!("types.d.ts");

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
    #[wasm_bindgen(unchecked_param_type = "string")] source: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "AssembleOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let source = source_from_js(source)?;
    let options: AssembleOptions = options_from_js(options)?;
    to_js(&unwind_session::assemble(&source, &options).map_err(|e| JsError::new(&e))?)
}

/// Assembles and verifies `source`. The verdict (accepted or not, errors, the kernel-format
/// log, per-pc states, per-function facts, frame descriptors) is data, read through the
/// `Verification`; throws for bad `options`, and `Error("cancelled")` when `onProgress`
/// returned `false`.
#[wasm_bindgen]
pub fn verify(
    #[wasm_bindgen(unchecked_param_type = "string")] source: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: JsValue,
    #[wasm_bindgen(js_name = onProgress, unchecked_optional_param_type = "OnProgress")]
    on_progress: Option<js_sys::Function>,
) -> Result<Verification, JsValue> {
    let source = source_from_js(source)?;
    let options: VerifyOptions = options_from_js(options)?;
    let result = with_progress(on_progress, |o| {
        unwind_session::verify_with(&source, &options, o)
    })?;
    Ok(Verification(result.map_err(error)?))
}

/// A verification, read in pieces (a docs page's log can be 75 MB).
#[wasm_bindgen]
pub struct Verification(unwind_session::Verification);

#[wasm_bindgen]
impl Verification {
    /// Everything but the log and the states, with their sizes and the error's log line.
    #[wasm_bindgen(unchecked_return_type = "VerifySummary")]
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.summary())
    }

    /// Lines `[from, to)` of the log, clamped, each without its newline. The bounds are
    /// numbers, not u32s, so that `Infinity` and negative values clamp (`as` saturates).
    #[wasm_bindgen(js_name = logLines)]
    pub fn log_lines(&self, from: f64, to: f64) -> Vec<String> {
        let lines = self.0.log_lines(from as usize, to as usize);
        lines.into_iter().map(str::to_string).collect()
    }

    /// The whole log.
    pub fn log(&self) -> String {
        self.0.log().to_string()
    }

    /// The recorded states of the pcs in `[fromPc, toPc)` (clamped as `logLines`).
    #[wasm_bindgen(unchecked_return_type = "PcState[]")]
    pub fn states(
        &self,
        #[wasm_bindgen(js_name = fromPc)] from_pc: f64,
        #[wasm_bindgen(js_name = toPc)] to_pc: f64,
    ) -> Result<JsValue, JsError> {
        to_js(&self.0.states(from_pc as usize, to_pc as usize))
    }
}

/// Test-only: panics inside Rust, so that tests can check that a trap is reported (and that
/// a fresh instance works).
#[wasm_bindgen(js_name = __unwindTestPanic)]
pub fn test_panic() {
    panic!("__unwindTestPanic: a panic on purpose");
}

/// The interpreter, stepping one program.
#[wasm_bindgen]
pub struct Debugger(unwind_session::Debugger);

#[wasm_bindgen]
impl Debugger {
    /// Assembles and verifies `source` (in `options.mode`, default `cleanup`) and loads what
    /// the verifier accepted. A program that does not assemble or that the verifier rejects is
    /// data (`state().state` is `not_ready` or `rejected`). Throws for bad `options`, and
    /// `Error("cancelled")` when `onProgress` stopped the verification.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] source: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VmOptions")] options: JsValue,
        #[wasm_bindgen(js_name = onProgress, unchecked_optional_param_type = "OnProgress")]
        on_progress: Option<js_sys::Function>,
    ) -> Result<Debugger, JsValue> {
        let source = source_from_js(source)?;
        let options: DebugOptions = options_from_js(options)?;
        let session = with_progress(on_progress, |o| {
            unwind_session::Debugger::new_with(&source, &options, o)
        })?;
        Ok(Debugger(session.map_err(error)?))
    }

    #[wasm_bindgen(unchecked_return_type = "StopReason")]
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.0.step())
    }

    #[wasm_bindgen(js_name = stepOver, unchecked_return_type = "StopReason")]
    pub fn step_over(
        &mut self,
        #[wasm_bindgen(js_name = onProgress, unchecked_optional_param_type = "OnProgress")]
        on_progress: Option<js_sys::Function>,
    ) -> Result<JsValue, JsValue> {
        let stop = with_progress(on_progress, |o| self.0.step_over_with(o))?;
        Ok(to_js(&stop)?)
    }

    #[wasm_bindgen(js_name = stepOut, unchecked_return_type = "StopReason")]
    pub fn step_out(
        &mut self,
        #[wasm_bindgen(js_name = onProgress, unchecked_optional_param_type = "OnProgress")]
        on_progress: Option<js_sys::Function>,
    ) -> Result<JsValue, JsValue> {
        let stop = with_progress(on_progress, |o| self.0.step_out_with(o))?;
        Ok(to_js(&stop)?)
    }

    /// Runs to the end or a breakpoint; `"cancelled"` when `onProgress` returned `false`
    /// (the machine stays where it stopped: stepping and running go on from there).
    #[wasm_bindgen(unchecked_return_type = "StopReason")]
    pub fn run(
        &mut self,
        #[wasm_bindgen(js_name = onProgress, unchecked_optional_param_type = "OnProgress")]
        on_progress: Option<js_sys::Function>,
    ) -> Result<JsValue, JsValue> {
        let stop = with_progress(on_progress, |o| self.0.run_with(o))?;
        Ok(to_js(&stop)?)
    }

    pub fn reset(&mut self) {
        self.0.reset();
    }

    /// Steps back up to `n` steps; returns how many.
    pub fn back(&mut self, n: u32) -> u32 {
        self.0.back(n as usize) as u32
    }

    #[wasm_bindgen(js_name = setBreakpoint)]
    pub fn set_breakpoint(&mut self, pc: u32, on: bool) -> bool {
        self.0.set_breakpoint(pc as usize, on)
    }

    /// Recording (needed by `back`) is on by default; off, `run` takes the fast path.
    #[wasm_bindgen(js_name = setRecording)]
    pub fn set_recording(&mut self, on: bool) {
        self.0.set_recording(on);
    }

    #[wasm_bindgen(unchecked_return_type = "VmState")]
    pub fn state(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.state())
    }

    /// Events from index `from` (default 0).
    #[wasm_bindgen(unchecked_return_type = "VmEvent[]")]
    pub fn events(&self, from: Option<u32>) -> Result<JsValue, JsError> {
        to_js(&self.0.events(from.unwrap_or(0) as usize))
    }

    /// The source line of each pc of the loaded program (it can differ from the source's pcs:
    /// cleanup-v2's rewrite, the hidden trampoline, whose lines are 0).
    pub fn lines(&self) -> Vec<u32> {
        self.0.lines()
    }

    /// The frame descriptors the unwinder reads (cleanup modes; empty otherwise), keyed by
    /// the pcs of the loaded program.
    #[wasm_bindgen(unchecked_return_type = "FrameDescriptor[]")]
    pub fn descriptors(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.descriptors())
    }
}

/// Runs `work` with the JS `onProgress` callback as its observer (none without one: no
/// cost). `false` from the callback stops the work; an exception stops it too and is what
/// this returns.
fn with_progress<T>(
    on_progress: Option<js_sys::Function>,
    work: impl FnOnce(Option<unwind_session::Observer>) -> T,
) -> Result<T, JsValue> {
    let Some(function) = on_progress else {
        return Ok(work(None));
    };
    let mut thrown = None;
    let mut observer = |progress: unwind_session::Progress| {
        let answer = to_js(&progress)
            .map_err(JsValue::from)
            .and_then(|p| function.call1(&JsValue::UNDEFINED, &p));
        match answer {
            Ok(v) if v == JsValue::FALSE => ControlFlow::Break(()),
            Ok(_) => ControlFlow::Continue(()),
            Err(e) => {
                thrown = Some(e);
                ControlFlow::Break(())
            }
        }
    };
    let out = work(Some(&mut observer));
    thrown.map_or(Ok(out), Err)
}

/// Misuse and cancellation as a JS `Error` (`"cancelled"` for the latter).
fn error(e: unwind_session::Error) -> JsValue {
    JsError::new(&e.to_string()).into()
}

/// The source, or misuse. Not a `&str`: its glue reads `.length` of anything, and a number
/// there sent a bad pointer into the module (a trap; `web/tests/worker-protocol.test.mjs`).
fn source_from_js(source: JsValue) -> Result<String, JsError> {
    let what = || source.js_typeof().as_string().unwrap_or_default();
    let message = || format!("invalid source: expected a string, got {}", what());
    source.as_string().ok_or_else(|| JsError::new(&message()))
}

/// An options object (or `undefined`/`null` for the defaults), read through
/// [`unwind_session::OptionValue`] by [`unwind_session::FromOptions`] (what the option types'
/// serde derives would read, with their errors): unknown fields are refused (a
/// misspelled option must be an error, not silently ignored) and errors name the option.
fn options_from_js<T: unwind_session::FromOptions + Default>(
    options: JsValue,
) -> Result<T, JsError> {
    if options.is_undefined() || options.is_null() {
        return Ok(T::default());
    }
    let invalid = |e: &dyn std::fmt::Display| JsError::new(&format!("invalid options: {e}"));
    if !options.is_object() {
        return Err(invalid(&"expected an object"));
    }
    let tree = OptionReader { values: 0 }
        .read(&options, 0)
        .map_err(|e| invalid(&e))?;
    unwind_session::from_options(tree).map_err(|e| invalid(&e))
}

/// How deeply options may nest (a cycle would otherwise recurse without end), and how many
/// values they may hold in all (shared references could otherwise multiply them).
const MAX_OPTION_DEPTH: usize = 32;
const MAX_OPTION_VALUES: usize = 100_000;

// The JS built-ins the reading of options needs, each one catching what it throws (a getter,
// a Proxy trap, a revoked Proxy): an exception that unwinds through Rust frames would leave
// the module's stack pointer behind and break every later call.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = getPrototypeOf)]
    fn prototype_of(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn own_keys(value: &JsValue) -> Result<js_sys::Array, JsValue>;
    #[wasm_bindgen(thread_local_v2, js_namespace = Object, js_name = prototype)]
    static OBJECT_PROTOTYPE: JsValue;
    #[wasm_bindgen(thread_local_v2, js_namespace = Array, js_name = prototype)]
    static ARRAY_PROTOTYPE: JsValue;
}

/// Reads JS values into an [`OptionValue`] tree within the caps.
struct OptionReader {
    values: usize,
}

impl OptionReader {
    /// A JS value as an option value: as `JSON.stringify` would see a plain object or array
    /// (fields that are `undefined` left out), except that a BigInt is an exact integer and
    /// that a Number must be a safe integer (beyond 2^53 - 1 it may not be the value the
    /// caller wrote: `2 ** 53 + 1 === 2 ** 53`). Anything else (a Map, a Date, a class
    /// instance, a function) is refused rather than read as `{}`. Errors name the field.
    fn read(&mut self, value: &JsValue, depth: usize) -> Result<OptionValue, OptionsError> {
        self.values += 1;
        if self.values > MAX_OPTION_VALUES {
            return Err(OptionsError::new(format!(
                "more than {MAX_OPTION_VALUES} values"
            )));
        }
        if depth > MAX_OPTION_DEPTH {
            return Err(OptionsError::new("nested too deeply (a cycle?)"));
        }
        if value.is_null() || value.is_undefined() {
            return Ok(OptionValue::Null);
        }
        if let Some(b) = value.as_bool() {
            return Ok(OptionValue::Bool(b));
        }
        if let Some(s) = value.as_string() {
            return Ok(OptionValue::Str(s));
        }
        if let Some(n) = value.as_f64() {
            if n.fract() != 0.0 || !n.is_finite() {
                return Err(OptionsError::new("expected an integer"));
            }
            if n.abs() > 9_007_199_254_740_991.0 {
                return Err(OptionsError::new(
                    "a Number above 2^53 - 1 may not be exact; pass a BigInt",
                ));
            }
            return Ok(OptionValue::Int(n as i128));
        }
        if value.is_bigint() {
            let digits = js_sys::BigInt::from(value.clone())
                .to_string(10)
                .ok()
                .and_then(|d| d.as_string())
                .unwrap_or_default();
            return digits.parse().map(OptionValue::Int).map_err(|_| {
                OptionsError::new("the BigInt is out of the range of 64-bit integers")
            });
        }
        if !value.is_object() || value.is_function() {
            return Err(OptionsError::new("expected a value JSON can hold"));
        }
        let thrown = |_| OptionsError::new("reading it threw an exception");
        let prototype = prototype_of(value).map_err(thrown)?;
        if ARRAY_PROTOTYPE.with(|p| *p == prototype) {
            return self.list(value, depth);
        }
        if !prototype.is_null() && !OBJECT_PROTOTYPE.with(|p| *p == prototype) {
            return Err(OptionsError::new(
                "expected a plain object (not a Map, a Date or a class instance)",
            ));
        }
        let mut out = Vec::new();
        for key in own_keys(value).map_err(thrown)?.iter() {
            let name = key.as_string().unwrap_or_default();
            let field =
                js_sys::Reflect::get(value, &key).map_err(|e| thrown(e).within(name.clone()))?;
            if field.is_undefined() {
                continue;
            }
            let field = self
                .read(&field, depth + 1)
                .map_err(|e| e.within(name.clone()))?;
            out.push((name, field));
        }
        Ok(OptionValue::Object(out))
    }

    fn list(&mut self, value: &JsValue, depth: usize) -> Result<OptionValue, OptionsError> {
        let thrown = |_| OptionsError::new("reading it threw an exception");
        let length = js_sys::Reflect::get(value, &JsValue::from_str("length"))
            .map_err(thrown)?
            .as_f64()
            .unwrap_or(0.0);
        if length > (MAX_OPTION_VALUES - self.values) as f64 {
            return Err(OptionsError::new(format!(
                "more than {MAX_OPTION_VALUES} values"
            )));
        }
        let mut out = Vec::with_capacity(length as usize);
        for i in 0..length as u32 {
            let item = js_sys::Reflect::get_u32(value, i)
                .map_err(|e| thrown(e).within(format!("[{i}]")))?;
            out.push(
                self.read(&item, depth + 1)
                    .map_err(|e| e.within(format!("[{i}]")))?,
            );
        }
        Ok(OptionValue::List(out))
    }
}

/// A result as a plain JS value: serialized to JSON text with camelCase field names and
/// parsed by the engine's `JSON.parse`. One crossing of a string costs the module less than
/// serde-wasm-bindgen's value-by-value building (BENCHMARKS.md, "WebAssembly module size");
/// 64-bit values are decimal strings already, so JSON loses nothing.
fn to_js(value: &impl Serialize) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(&CamelCase(value))
        .map_err(|e| JsError::new(&format!("internal error: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("internal error: JSON.parse refused"))
}
