//! The JS API under node, through the glue wasm-bindgen generates: `make wasm-test` runs
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!     cargo test -p unwind-wasm --target wasm32-unknown-unknown
//! ```
//!
//! Each test calls one function of `tests/node.js` (the checks are written in JS, against the
//! API a host calls: its names, optional arguments, classes and exceptions); a failed check
//! throws, and the test fails with the JS stack. The runner needs node 20.19 or later (the
//! glue `require`s the ES-module snippet).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

const CALLEE_SAVED: &str = include_str!("../../../static/examples/callee-saved.s");

#[wasm_bindgen(module = "/tests/node.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = versionAndAssemble)]
    fn version_and_assemble() -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = verifyAndEveryVerificationMethod)]
    fn verify_and_every_verification_method(callee_saved: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = verifyReportsProgressAndCancels)]
    fn verify_reports_progress_and_cancels() -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = everyDebuggerMethod)]
    fn every_debugger_method(callee_saved: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = runReportsProgressAndCancels)]
    fn run_reports_progress_and_cancels() -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = u64ValuesCrossExactly)]
    fn u64_values_cross_exactly() -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = badOptionsThrow)]
    fn bad_options_throw() -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_name = aPanicTrapsAndAFreshInstanceWorks)]
    fn a_panic_traps_and_a_fresh_instance_works() -> Result<(), JsValue>;
}

/// Fails with the JS error's stack (or what was thrown).
fn check(result: Result<(), JsValue>) {
    if let Err(e) = result {
        let stack = js_sys::Reflect::get(&e, &"stack".into()).ok();
        match stack.and_then(|s| s.as_string()) {
            Some(stack) => panic!("{stack}"),
            None => panic!("{e:?}"),
        }
    }
}

#[wasm_bindgen_test]
fn version_and_assemble_() {
    assert_eq!(unwind_wasm::version(), env!("CARGO_PKG_VERSION"));
    check(version_and_assemble());
}

#[wasm_bindgen_test]
fn verify_and_every_verification_method_() {
    check(verify_and_every_verification_method(CALLEE_SAVED));
}

#[wasm_bindgen_test]
fn verify_reports_progress_and_cancels_() {
    check(verify_reports_progress_and_cancels());
}

#[wasm_bindgen_test]
fn every_debugger_method_() {
    check(every_debugger_method(CALLEE_SAVED));
}

#[wasm_bindgen_test]
fn run_reports_progress_and_cancels_() {
    check(run_reports_progress_and_cancels());
}

#[wasm_bindgen_test]
fn u64_values_cross_exactly_() {
    check(u64_values_cross_exactly());
}

#[wasm_bindgen_test]
fn bad_options_throw_() {
    check(bad_options_throw());
}

#[wasm_bindgen_test]
fn a_panic_traps_and_a_fresh_instance_works_() {
    check(a_panic_traps_and_a_fresh_instance_works());
}

/// The bindings called from Rust: a callback made in JS that answers `false` cancels, with
/// `Error("cancelled")`.
#[wasm_bindgen_test]
fn cancelling_from_rust() {
    let stop = js_sys::Function::new_with_args("p", "return p.phase !== 'verify';");
    let loop_ = "r0 = 0\nl:\nr0 += 1\nif r0 != 0 goto l\nexit\n";
    let err = unwind_wasm::verify(loop_.into(), JsValue::UNDEFINED, Some(stop))
        .err()
        .expect("cancelled");
    let message = js_sys::Reflect::get(&err, &"message".into()).unwrap();
    assert_eq!(message.as_string().as_deref(), Some("cancelled"));
}
