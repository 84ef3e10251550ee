//! The option types read from an [`OptionValue`] tree by hand ([`FromOptions`]), with exactly
//! the values and the error messages their serde derives give through the tree's
//! `Deserializer` (`T::deserialize(tree)`; a property test below holds the two together).
//!
//! Why by hand: the derives' visitors, instantiated for the tree's deserializer, were about
//! 12 KB of the wasm module's 250 KB gzipped budget (BENCHMARKS.md, "WebAssembly module
//! size"). The native paths (the CLI's JSON, `World::from_json`) keep the derives.

use std::collections::BTreeMap;

use unwind_vm::world::{MapEntry, Protocol, Socket, Task};
use unwind_vm::World;

use crate::options_tree::{OptionValue, OptionsError};
use crate::{AssembleOptions, DebugOptions, VerifyOptions};

/// An option type read from a tree (see the module's documentation).
pub trait FromOptions: Sized {
    /// The fields it reads, by their JSON names (for generators of hostile options, too).
    const FIELDS: &'static [&'static str];
    fn from_options(value: OptionValue) -> Result<Self, OptionsError>;
}

/// What `value` is, in the words of serde's `Unexpected` as the tree's deserializer describes
/// it: the `{}` of `invalid type: {}, expected ...`.
fn unexpected(value: &OptionValue) -> String {
    match value {
        OptionValue::Null => "null".into(),
        OptionValue::Bool(b) => format!("boolean `{b}`"),
        OptionValue::Int(n) => format!("integer `{n}`"),
        OptionValue::Str(s) if s.chars().count() > 60 => {
            format!("string \"{}…\"", s.chars().take(60).collect::<String>())
        }
        OptionValue::Str(s) => format!("string \"{s}\""),
        OptionValue::List(_) => "sequence".into(),
        OptionValue::Object(_) => "map".into(),
    }
}

/// The error of a value of the wrong type, or first, as the deserializer checks it before
/// the type, of an integer beyond 64 bits.
fn invalid_type(value: &OptionValue, expected: &str) -> OptionsError {
    if let OptionValue::Int(n) = value {
        if u64::try_from(*n).is_err() && i64::try_from(*n).is_err() {
            return OptionsError::new(format!(
                "integer `{n}` is out of the range of 64-bit integers"
            ));
        }
    }
    OptionsError::new(format!(
        "invalid type: {}, expected {expected}",
        unexpected(value)
    ))
}

/// serde's `OneOf`: "`a`", "`a` or `b`", "one of `a`, `b`, `c`".
fn one_of(names: &[&str]) -> String {
    match names {
        [a] => format!("`{a}`"),
        [a, b] => format!("`{a}` or `{b}`"),
        _ => {
            let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            format!("one of {}", quoted.join(", "))
        }
    }
}

/// An integer up to `max`, named `expected` (`u32`, `usize`, `u64`) in errors.
fn unsigned(value: OptionValue, max: u64, expected: &str) -> Result<u64, OptionsError> {
    if let OptionValue::Int(n) = value {
        match (u64::try_from(n), i64::try_from(n)) {
            (Ok(u), _) if u <= max => return Ok(u),
            (Ok(_), _) | (_, Ok(_)) => {
                return Err(OptionsError::new(format!(
                    "invalid value: integer `{n}`, expected {expected}"
                )))
            }
            _ => {}
        }
    }
    Err(invalid_type(&value, expected))
}

fn read_u64(value: OptionValue) -> Result<u64, OptionsError> {
    unsigned(value, u64::MAX, "u64")
}

fn read_u32(value: OptionValue) -> Result<u32, OptionsError> {
    unsigned(value, u32::MAX.into(), "u32").map(|n| n as u32)
}

fn read_usize(value: OptionValue) -> Result<usize, OptionsError> {
    unsigned(value, usize::MAX as u64, "usize").map(|n| n as usize)
}

fn read_bool(value: OptionValue) -> Result<bool, OptionsError> {
    match value {
        OptionValue::Bool(b) => Ok(b),
        other => Err(invalid_type(&other, "a boolean")),
    }
}

fn read_string(value: OptionValue) -> Result<String, OptionsError> {
    match value {
        OptionValue::Str(s) => Ok(s),
        other => Err(invalid_type(&other, "a string")),
    }
}

/// `null` is `None` (as a missing field is).
fn read_option<T>(
    value: OptionValue,
    read: fn(OptionValue) -> Result<T, OptionsError>,
) -> Result<Option<T>, OptionsError> {
    match value {
        OptionValue::Null => Ok(None),
        value => read(value).map(Some),
    }
}

fn read_list<T>(
    value: OptionValue,
    read: fn(OptionValue) -> Result<T, OptionsError>,
) -> Result<Vec<T>, OptionsError> {
    let OptionValue::List(items) = value else {
        return Err(invalid_type(&value, "a sequence"));
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        out.push(read(item).map_err(|e| e.within(format!("[{i}]")))?);
    }
    Ok(out)
}

/// The fields of a struct named `name` (`struct World`) whose fields are `fields`, in their
/// order: `field(i, value)` reads the value of `fields[i]` (errors are put under its name).
/// Unknown and repeated fields are errors; `present[i]` says which fields were there, for the
/// caller's missing-field checks.
fn read_struct(
    value: OptionValue,
    name: &str,
    fields: &[&str],
    field: &mut dyn FnMut(usize, OptionValue) -> Result<(), OptionsError>,
) -> Result<Vec<bool>, OptionsError> {
    let OptionValue::Object(entries) = value else {
        return Err(invalid_type(&value, name));
    };
    let mut present = vec![false; fields.len()];
    for (key, value) in entries {
        let Some(i) = fields.iter().position(|f| *f == key) else {
            return Err(OptionsError::new(format!(
                "unknown field `{key}`, expected {}",
                one_of(fields)
            )));
        };
        if present[i] {
            return Err(OptionsError::new(format!("duplicate field `{key}`")));
        }
        present[i] = true;
        field(i, value).map_err(|e| e.within(key))?;
    }
    Ok(present)
}

/// Every field name the option types read, once each, in the order of the types (requests,
/// then the world and what it holds): for generators of hostile options.
pub fn field_names() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for fields in [
        AssembleOptions::FIELDS,
        VerifyOptions::FIELDS,
        DebugOptions::FIELDS,
        World::FIELDS,
        Task::FIELDS,
        Socket::FIELDS,
        MapEntry::FIELDS,
    ] {
        for f in fields {
            if !out.contains(f) {
                out.push(f);
            }
        }
    }
    out
}

/// The error of the first field of `required` (indices into `fields`) that was not there.
fn missing(present: &[bool], fields: &[&str], required: &[usize]) -> Result<(), OptionsError> {
    match required.iter().find(|&&i| !present[i]) {
        Some(&i) => Err(OptionsError::new(format!("missing field `{}`", fields[i]))),
        None => Ok(()),
    }
}

impl FromOptions for AssembleOptions {
    const FIELDS: &'static [&'static str] = &["syntax"];
    fn from_options(value: OptionValue) -> Result<Self, OptionsError> {
        let mut out = AssembleOptions::default();
        read_struct(
            value,
            "struct AssembleOptions",
            Self::FIELDS,
            &mut |_, v| {
                out.syntax = read_option(v, read_string)?;
                Ok(())
            },
        )?;
        Ok(out)
    }
}

impl FromOptions for VerifyOptions {
    const FIELDS: &'static [&'static str] = &["syntax", "mode", "logLevel", "budget", "logSize"];
    fn from_options(value: OptionValue) -> Result<Self, OptionsError> {
        let mut out = VerifyOptions::default();
        read_struct(value, "struct VerifyOptions", Self::FIELDS, &mut |i, v| {
            match i {
                0 => out.syntax = read_option(v, read_string)?,
                1 => out.mode = read_option(v, read_string)?,
                2 => out.log_level = read_option(v, read_u32)?,
                3 => out.budget = read_option(v, read_u64)?,
                _ => out.log_size = read_option(v, read_u32)?,
            }
            Ok(())
        })?;
        Ok(out)
    }
}

impl FromOptions for DebugOptions {
    const FIELDS: &'static [&'static str] = &[
        "syntax",
        "world",
        "budget",
        "helpers",
        "traceCapacity",
        "mode",
        "unverified",
    ];
    fn from_options(value: OptionValue) -> Result<Self, OptionsError> {
        let mut out = DebugOptions::default();
        read_struct(value, "struct DebugOptions", Self::FIELDS, &mut |i, v| {
            match i {
                0 => out.syntax = read_option(v, read_string)?,
                1 => out.world = read_option(v, World::from_options)?,
                2 => out.budget = read_option(v, read_u64)?,
                3 => out.helpers = read_option(v, read_string)?,
                4 => out.trace_capacity = read_option(v, read_usize)?,
                5 => out.mode = read_option(v, read_string)?,
                _ => out.unverified = read_bool(v)?,
            }
            Ok(())
        })?;
        Ok(out)
    }
}

impl FromOptions for World {
    const FIELDS: &'static [&'static str] = &[
        "tasks",
        "cgroups",
        "sockets",
        "maps",
        "ctx",
        "packet",
        "mem",
        "prandom_seed",
        "ktime_start_ns",
        "max_alloc",
        "current_pid",
    ];
    /// Missing fields are those of `World::default()` (`#[serde(default)]` on the struct).
    fn from_options(value: OptionValue) -> Result<Self, OptionsError> {
        let mut w = World::default();
        read_struct(value, "struct World", Self::FIELDS, &mut |i, v| {
            match i {
                0 => w.tasks = read_list(v, Task::from_options)?,
                1 => w.cgroups = read_list(v, read_u64)?,
                2 => w.sockets = read_list(v, Socket::from_options)?,
                3 => w.maps = read_maps(v)?,
                4 => w.ctx = read_option(v, read_string)?,
                5 => w.packet = read_option(v, read_string)?,
                6 => w.mem = read_option(v, read_string)?,
                7 => w.prandom_seed = read_u64(v)?,
                8 => w.ktime_start_ns = read_u64(v)?,
                9 => w.max_alloc = read_u32(v)?,
                _ => w.current_pid = read_u32(v)?,
            }
            Ok(())
        })?;
        Ok(w)
    }
}

/// `maps`: entries by map name (a repeated name keeps the last, as a `BTreeMap` does).
fn read_maps(value: OptionValue) -> Result<BTreeMap<String, Vec<MapEntry>>, OptionsError> {
    let OptionValue::Object(entries) = value else {
        return Err(invalid_type(&value, "a map"));
    };
    let mut maps = BTreeMap::new();
    for (name, v) in entries {
        let list = read_list(v, MapEntry::from_options).map_err(|e| e.within(name.clone()))?;
        maps.insert(name, list);
    }
    Ok(maps)
}

impl FromOptions for Task {
    const FIELDS: &'static [&'static str] = &["pid", "comm"];
    fn from_options(value: OptionValue) -> Result<Self, OptionsError> {
        let (mut pid, mut comm) = (0, String::new());
        let present = read_struct(value, "struct Task", Self::FIELDS, &mut |i, v| {
            match i {
                0 => pid = read_u32(v)?,
                _ => comm = read_string(v)?,
            }
            Ok(())
        })?;
        missing(&present, Self::FIELDS, &[0])?;
        Ok(Task { pid, comm })
    }
}

impl FromOptions for Socket {
    const FIELDS: &'static [&'static str] = &["protocol", "local", "remote"];
    fn from_options(value: OptionValue) -> Result<Self, OptionsError> {
        let (mut protocol, mut local, mut remote) = (Protocol::Tcp, String::new(), None);
        let present = read_struct(value, "struct Socket", Self::FIELDS, &mut |i, v| {
            match i {
                0 => protocol = read_protocol(v)?,
                1 => local = read_string(v)?,
                _ => remote = read_option(v, read_string)?,
            }
            Ok(())
        })?;
        missing(&present, Self::FIELDS, &[0, 1])?;
        Ok(Socket {
            protocol,
            local,
            remote,
        })
    }
}

fn read_protocol(value: OptionValue) -> Result<Protocol, OptionsError> {
    match value {
        OptionValue::Str(s) => match s.as_str() {
            "tcp" => Ok(Protocol::Tcp),
            "udp" => Ok(Protocol::Udp),
            _ => Err(OptionsError::new(format!(
                "unknown variant `{s}`, expected {}",
                one_of(&["tcp", "udp"])
            ))),
        },
        other => Err(invalid_type(&other, "enum Protocol")),
    }
}

impl FromOptions for MapEntry {
    const FIELDS: &'static [&'static str] = &["key", "value"];
    fn from_options(value: OptionValue) -> Result<Self, OptionsError> {
        let (mut key, mut val) = (String::new(), String::new());
        let present = read_struct(value, "struct MapEntry", Self::FIELDS, &mut |i, v| {
            match i {
                0 => key = read_string(v)?,
                _ => val = read_string(v)?,
            }
            Ok(())
        })?;
        missing(&present, Self::FIELDS, &[0, 1])?;
        Ok(MapEntry { key, value: val })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::de::DeserializeOwned;

    /// Every field name of the option types, and one that none has.
    fn keys() -> Vec<&'static str> {
        let mut keys = field_names();
        keys.push("colour");
        keys
    }

    fn leaf() -> impl Strategy<Value = OptionValue> {
        let ints: Vec<i128> = vec![
            0,
            1,
            7,
            -1,
            u32::MAX.into(),
            i128::from(u32::MAX) + 1,
            5_000_000_000,
            u64::MAX.into(),
            i128::from(u64::MAX) + 1,
            i64::MIN.into(),
            i128::from(i64::MIN) - 1,
        ];
        let strs = vec![
            "tcp".to_string(),
            "udp".into(),
            "sctp".into(),
            "x".into(),
            "00".into(),
            "10.0.0.1:80".into(),
            "y".repeat(60),
            "é".repeat(61),
        ];
        prop_oneof![
            Just(OptionValue::Null),
            any::<bool>().prop_map(OptionValue::Bool),
            proptest::sample::select(ints).prop_map(OptionValue::Int),
            proptest::sample::select(strs).prop_map(OptionValue::Str),
        ]
    }

    fn tree() -> impl Strategy<Value = OptionValue> {
        leaf().prop_recursive(5, 48, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(OptionValue::List),
                proptest::collection::vec(
                    (
                        proptest::sample::select(keys()).prop_map(String::from),
                        inner
                    ),
                    0..5
                )
                .prop_map(OptionValue::Object),
            ]
        })
    }

    /// `from_options` and the serde derive through the tree's deserializer agree: the same
    /// value (compared by `Debug`), or the same error message.
    fn agree<T: FromOptions + DeserializeOwned + std::fmt::Debug>(
        value: &OptionValue,
    ) -> Result<(), TestCaseError> {
        let ours = T::from_options(value.clone()).map(|v| format!("{v:?}"));
        let serde = T::deserialize(value.clone()).map(|v| format!("{v:?}"));
        prop_assert_eq!(
            ours.map_err(|e| e.to_string()),
            serde.map_err(|e| e.to_string())
        );
        Ok(())
    }

    /// A world field with a random value, or a random object of task, socket or map-entry
    /// fields inside a list (so that the deeper types are reached often).
    fn world_tree() -> impl Strategy<Value = OptionValue> {
        let field = proptest::sample::select(World::FIELDS).prop_map(String::from);
        let entry = || {
            proptest::collection::vec(
                (
                    proptest::sample::select(
                        [Task::FIELDS, Socket::FIELDS, MapEntry::FIELDS].concat(),
                    )
                    .prop_map(String::from),
                    leaf(),
                ),
                0..4,
            )
            .prop_map(OptionValue::Object)
        };
        let value = prop_oneof![
            tree(),
            proptest::collection::vec(entry(), 0..3).prop_map(OptionValue::List),
            proptest::collection::vec(
                (
                    "[a-c]",
                    proptest::collection::vec(entry(), 0..3).prop_map(OptionValue::List)
                ),
                0..3
            )
            .prop_map(OptionValue::Object),
        ];
        proptest::collection::vec((field, value), 0..4).prop_map(OptionValue::Object)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn the_hand_reader_agrees_with_the_serde_derives(value in tree()) {
            agree::<AssembleOptions>(&value)?;
            agree::<VerifyOptions>(&value)?;
            agree::<DebugOptions>(&value)?;
            agree::<World>(&value)?;
        }

        #[test]
        fn the_hand_reader_agrees_on_worlds(world in world_tree()) {
            agree::<World>(&world)?;
            let options = OptionValue::Object(vec![("world".into(), world)]);
            agree::<DebugOptions>(&options)?;
        }
    }

    #[test]
    fn a_full_world_reads_the_same() {
        let json = serde_json::json!({
            "tasks": [{"pid": 7, "comm": "x"}, {"pid": 8}],
            "cgroups": [1, 18446744073709551615u64],
            "sockets": [{"protocol": "udp", "local": "10.0.0.1:80", "remote": null},
                        {"protocol": "tcp", "local": "[::1]:1", "remote": "1.2.3.4:5"}],
            "maps": {"m": [{"key": "00", "value": "01"}], "n": []},
            "ctx": "aa", "packet": null, "mem": "00",
            "prandom_seed": 3, "ktime_start_ns": 18000000000000000000u64,
            "max_alloc": 5, "current_pid": 9,
        });
        let tree = OptionValue::from_json(&json).unwrap();
        agree::<World>(&tree).unwrap();
        let w = World::from_options(tree).unwrap();
        assert_eq!(w, serde_json::from_value::<World>(json).unwrap());
        let options = serde_json::json!({"syntax": "ubpf", "budget": 5, "helpers": "kernel",
            "traceCapacity": 3, "mode": "legacy", "unverified": true, "world": {}});
        agree::<DebugOptions>(&OptionValue::from_json(&options).unwrap()).unwrap();
        let options = serde_json::json!({"syntax": "ubpf", "mode": "legacy", "logLevel": 2,
            "budget": 10});
        agree::<VerifyOptions>(&OptionValue::from_json(&options).unwrap()).unwrap();
    }
}
