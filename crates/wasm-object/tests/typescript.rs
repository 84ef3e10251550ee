//! The TypeScript declarations (`src/types.d.ts`) name every field `openObject`'s JSON
//! carries, on objects that fill every part (global data, a program that does not load).
#![cfg(not(target_arch = "wasm32"))]

fn keys(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                out.push(k.clone());
                match (k.as_str(), v) {
                    // Its keys are map names (data); its values are map entries.
                    ("worldMaps", serde_json::Value::Object(maps)) => {
                        maps.values().for_each(|entries| keys(entries, out))
                    }
                    _ => keys(v, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn every_field_of_the_json_is_declared() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../object/tests/fixtures");
    let mut found = Vec::new();
    let mut programs = 0;
    for name in ["relocations", "global_loophole", "map_lookup_throw"] {
        let bytes = std::fs::read(format!("{dir}/{name}.o")).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&unwind_session::open_object_json(&bytes)).unwrap();
        programs += json["programs"].as_array().unwrap().len();
        keys(&json, &mut found);
    }
    assert!(programs > 3);
    let bad: serde_json::Value =
        serde_json::from_str(&unwind_session::open_object_json(b"no")).unwrap();
    assert!(bad["error"].is_string());
    keys(&bad, &mut found);
    found.sort();
    found.dedup();
    assert!(
        found.contains(&"key".to_string()),
        "a global-data map entry"
    );
    let missing: Vec<&String> = found
        .iter()
        .filter(|k| {
            !unwind_wasm_object::TS_TYPES.contains(&format!(" {k}: "))
                && !unwind_wasm_object::TS_TYPES.contains(&format!(" {k}?: "))
        })
        .collect();
    assert!(missing.is_empty(), "not declared: {missing:?}");
    assert!(found.iter().all(|k| !k.contains('_')), "{found:?}");
}
