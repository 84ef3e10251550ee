//! The JS API of Unwind, for the playground's Web Worker (`web/worker.ts`).
//!
//! Thin bindings in the style of Ruff's `ruff_wasm`: each function converts its arguments,
//! calls `unwind-session` (plain Rust, tested natively) and converts the typed result with one
//! policy, [`unwind_session::CamelCase`] (every struct field in camelCase). Problems in the
//! user's program come back as data; only misuse of the API (an unknown option, a value of
//! the wrong type) throws a JS `Error`. 64-bit values cross as decimal strings, never as JS
//! numbers. The TypeScript declarations of the results are in `types.d.ts`; a native test
//! checks that they name every field the results serialize.

use serde::Serialize;
use unwind_session::{AssembleOptions, CamelCase, DebugOptions, VerifyOptions};
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
    source: &str,
    #[wasm_bindgen(unchecked_param_type = "AssembleOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsError> {
    let options: AssembleOptions = options_from_js(options)?;
    to_js(&unwind_session::assemble(source, &options).map_err(|e| JsError::new(&e))?)
}

/// Assembles and verifies `source`. The verdict (accepted or not, errors, the kernel-format
/// log, per-pc states, per-function facts, frame descriptors) is data; throws only for bad
/// `options`.
#[wasm_bindgen(unchecked_return_type = "VerifyResult")]
pub fn verify(
    source: &str,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions | undefined")] options: JsValue,
) -> Result<JsValue, JsError> {
    let options: VerifyOptions = options_from_js(options)?;
    to_js(&unwind_session::verify(source, &options).map_err(|e| JsError::new(&e))?)
}

/// The interpreter, stepping one program.
#[wasm_bindgen]
pub struct Debugger(unwind_session::Debugger);

#[wasm_bindgen]
impl Debugger {
    /// Assembles and verifies `source` (in `options.mode`, default `cleanup`) and loads what
    /// the verifier accepted. A program that does not assemble or that the verifier rejects is
    /// data (`state().state` is `not_ready` or `rejected`). Throws only for bad `options`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        source: &str,
        #[wasm_bindgen(unchecked_param_type = "VmOptions | undefined")] options: JsValue,
    ) -> Result<Debugger, JsError> {
        let options: DebugOptions = options_from_js(options)?;
        let session = unwind_session::Debugger::new(source, &options);
        Ok(Debugger(session.map_err(|e| JsError::new(&e))?))
    }

    #[wasm_bindgen(unchecked_return_type = "StopReason")]
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.0.step())
    }

    #[wasm_bindgen(js_name = stepOver, unchecked_return_type = "StopReason")]
    pub fn step_over(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.0.step_over())
    }

    #[wasm_bindgen(js_name = stepOut, unchecked_return_type = "StopReason")]
    pub fn step_out(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.0.step_out())
    }

    /// Runs to the end or a breakpoint.
    #[wasm_bindgen(unchecked_return_type = "StopReason")]
    pub fn run(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.0.run())
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

/// Plain objects (not `Map`s), `null` for `None`, camelCase field names.
fn to_js(value: &impl Serialize) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_missing_as_null(true)
        .serialize_maps_as_objects(true);
    CamelCase(value)
        .serialize(&serializer)
        .map_err(|e| JsError::new(&format!("internal error: {e}")))
}
