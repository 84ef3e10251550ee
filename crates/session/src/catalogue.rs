//! The kernel functions the simulated kernel models, as the page's completion and hover help
//! read them: the catalogue's own entries (`unwind_kernel::FUNCS`), with the program types
//! that may call each spelled by their kernel names.

use serde::Serialize;
use unwind_kernel::{Func, FUNCS};

/// One function of the catalogue: its entry as the kernel crate has it, and the program types
/// that may call it by name (the entry's own list is not serialized).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CatalogueEntry {
    #[serde(flatten)]
    pub func: &'static Func,
    /// The program types that may call it (`None`: every type).
    #[serde(rename = "progTypes")]
    pub prog_types: Option<Vec<&'static str>>,
}

/// The catalogue as the page reads it: `static/catalogue.json`, which a test keeps equal to
/// this (the file is shipped instead of a call into the WebAssembly module, whose size budget
/// has no room for the serializers of the kernel's enums).
pub fn catalogue_json() -> String {
    let mut json = serde_json::to_string_pretty(&catalogue()).unwrap_or_default();
    json.push('\n');
    json
}

/// Every function of the catalogue, in the catalogue's order.
pub fn catalogue() -> Vec<CatalogueEntry> {
    FUNCS
        .iter()
        .map(|func| CatalogueEntry {
            func,
            prog_types: func
                .prog_types
                .map(|types| types.iter().map(|t| t.name()).collect()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page's help shows what the verifier checks: `bpf_task_acquire`'s entry says it
    /// takes a task reference and acquires a task, and JSON spells it in the API's names.
    #[test]
    fn entries_carry_the_catalogue_facts_in_api_names() {
        let entries = catalogue();
        assert_eq!(entries.len(), FUNCS.len());
        assert_eq!(entries[0].func.name, "bpf_map_lookup_elem");
        let json = serde_json::from_str::<serde_json::Value>(&catalogue_json()).unwrap()[0].clone();
        assert_eq!(json["kind"], serde_json::json!({"kind": "helper", "id": 1}));
        assert_eq!(json["args"], serde_json::json!(["map_ptr", "map_key"]));
        assert_eq!(json["ret"], "map_value_or_null");
        assert_eq!(json["progTypes"], serde_json::Value::Null);
        let all: serde_json::Value = serde_json::from_str(&catalogue_json()).unwrap();
        let json = all
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == "bpf_obj_new")
            .unwrap()
            .clone();
        assert_eq!(json["kind"]["kind"], "kfunc");
        assert_eq!(
            json["ret"],
            serde_json::json!({"acquired_or_null": "object"})
        );
        assert_eq!(json["effect"], serde_json::json!({"acquire": "object"}));
    }

    /// The page's copy (`static/catalogue.json`) is the catalogue as it is now;
    /// `UNWIND_BLESS=1 cargo test -p unwind-session catalogue` writes it anew.
    #[test]
    fn the_pages_copy_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../static/catalogue.json");
        let want = catalogue_json();
        if std::env::var_os("UNWIND_BLESS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "static/catalogue.json is out of date: run UNWIND_BLESS=1 cargo test -p unwind-session catalogue"
        );
    }

    /// A kfunc limited to some program types names them as the kernel does.
    #[test]
    fn restricted_functions_name_their_program_types() {
        let restricted: Vec<_> = catalogue()
            .into_iter()
            .filter(|e| e.prog_types.is_some())
            .collect();
        assert!(!restricted.is_empty());
        for entry in restricted {
            let types = entry.prog_types.unwrap();
            assert!(!types.is_empty(), "{}", entry.func.name);
            assert!(types.iter().all(|t| !t.is_empty()));
        }
    }
}
