//! The JS binding of `unwind_session::open_object`, in a WebAssembly module of its own: the
//! object loader (the ELF and BTF readers) is about 35 KB of the main module's gzipped 250 KB
//! budget, and only a page that opens an object file needs it, so the package's worker loads
//! this module on the first `openObject` call (`packages/unwind-bpf/src/worker.ts`).

use wasm_bindgen::prelude::*;

/// TypeScript declarations of the result, added to the generated `.d.ts`.
pub const TS_TYPES: &str = include_str!("types.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const _: &str = TS_TYPES;

/// Opens the bytes of a clang-built BPF object file: each program as assembly text whose
/// `.loc` directives carry its C lines, or why it could not be loaded (data), as the JSON
/// text of an `ObjectView` (camelCase). Throws only when `bytes` is not a `Uint8Array`.
#[wasm_bindgen(js_name = openObject)]
pub fn open_object(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
) -> Result<String, JsError> {
    let Some(bytes) = bytes.dyn_ref::<js_sys::Uint8Array>() else {
        let what = bytes.js_typeof().as_string().unwrap_or_default();
        return Err(JsError::new(&format!(
            "invalid bytes: expected a Uint8Array, got {what}"
        )));
    };
    Ok(unwind_session::open_object_json(&bytes.to_vec()))
}
