//! The JS API's options as a small tree of values, and a serde deserializer over it, so that
//! the option types (`VerifyOptions`, `DebugOptions` with its `World`, ...) can be read with
//! their own derives, unknown fields refused, and every error names the option it is about
//! (`world.tasks[0].pid: invalid type: string "1", expected u32`). [`from_options`] reads them
//! by hand instead ([`FromOptions`], `options_read.rs`: far smaller in the wasm module), with
//! the same values and errors as the derives through this deserializer (a property test there
//! compares the two).
//!
//! Why not serde_json or serde-wasm-bindgen: the bindings build this tree from the JS value
//! directly (`unwind-wasm`), and reading it costs the wasm module far less than either:
//! serde_json's deserializer with its float parsing and its error messages (which format
//! floats and escape strings through Unicode tables) was 25 KB of the 250 KB gzipped budget
//! (BENCHMARKS.md, "wasm module size"). Options hold no fractional numbers, so the tree has
//! none: integers are exact (`i128` holds every u64 and i64, from a JS BigInt too).

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Unexpected, Visitor};
use serde::forward_to_deserialize_any;

use crate::options_read::FromOptions;

/// One option value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionValue {
    Null,
    Bool(bool),
    Int(i128),
    Str(String),
    List(Vec<OptionValue>),
    /// An object's fields in their order.
    Object(Vec<(String, OptionValue)>),
}

impl OptionValue {
    /// The tree of a JSON value, as the bindings build one from a JS value: integers only
    /// (options hold no fractions), objects in their order.
    pub fn from_json(value: &serde_json::Value) -> Result<OptionValue, OptionsError> {
        use serde_json::Value;
        Ok(match value {
            Value::Null => OptionValue::Null,
            Value::Bool(b) => OptionValue::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => OptionValue::Int(u.into()),
                (_, Some(i)) => OptionValue::Int(i.into()),
                _ => return Err(OptionsError::new("expected an integer")),
            },
            Value::String(s) => OptionValue::Str(s.clone()),
            Value::Array(items) => OptionValue::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Self::from_json(v).map_err(|e| e.within(format!("[{i}]"))))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(fields) => OptionValue::Object(
                fields
                    .iter()
                    .map(|(k, v)| {
                        let v = Self::from_json(v).map_err(|e| e.within(k.clone()))?;
                        Ok((k.clone(), v))
                    })
                    .collect::<Result<_, OptionsError>>()?,
            ),
        })
    }
}

/// Reads a `T` from `value`: by hand ([`FromOptions`], the wasm module's path), with the
/// values and errors of `T`'s serde derive through this tree's `Deserializer`.
pub fn from_options<T: FromOptions>(value: OptionValue) -> Result<T, OptionsError> {
    T::from_options(value)
}

/// What is wrong with the options, and where (a path such as `world.tasks[0].pid`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionsError {
    /// Path segments from the innermost out: `pid`, `[0]`, `tasks`, `world`.
    path: Vec<String>,
    message: String,
}

impl OptionsError {
    pub fn new(message: impl Into<String>) -> OptionsError {
        OptionsError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    /// The same error one level further out, under `segment` (a field name or `[i]`).
    pub fn within(mut self, segment: String) -> OptionsError {
        self.path.push(segment);
        self
    }

    /// `world.tasks[0].pid`, or empty at the top.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for segment in self.path.iter().rev() {
            if !out.is_empty() && !segment.starts_with('[') {
                out.push('.');
            }
            out.push_str(segment);
        }
        out
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for OptionsError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.path() {
            p if p.is_empty() => f.write_str(&self.message),
            p => write!(f, "{p}: {}", self.message),
        }
    }
}

impl std::error::Error for OptionsError {}

impl de::Error for OptionsError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        OptionsError::new(msg.to_string())
    }

    // serde's own versions format `Unexpected` with its Display, which links float
    // formatting and string escaping; the tree has no floats and strings print plainly.
    fn invalid_type(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        OptionsError::new(format!(
            "invalid type: {}, expected {exp}",
            describe(&unexp)
        ))
    }

    fn invalid_value(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        OptionsError::new(format!(
            "invalid value: {}, expected {exp}",
            describe(&unexp)
        ))
    }
}

/// The `Unexpected`s this deserializer can produce, in serde's words.
fn describe(unexp: &Unexpected) -> String {
    match *unexp {
        Unexpected::Bool(b) => format!("boolean `{b}`"),
        Unexpected::Unsigned(n) => format!("integer `{n}`"),
        Unexpected::Signed(n) => format!("integer `{n}`"),
        Unexpected::Str(s) if s.chars().count() > 60 => {
            format!("string \"{}…\"", s.chars().take(60).collect::<String>())
        }
        Unexpected::Str(s) => format!("string \"{s}\""),
        Unexpected::Unit => "null".into(),
        Unexpected::Option => "option".into(),
        Unexpected::Seq => "sequence".into(),
        Unexpected::Map => "map".into(),
        Unexpected::Enum => "enum".into(),
        Unexpected::UnitVariant => "unit variant".into(),
        Unexpected::NewtypeVariant => "newtype variant".into(),
        Unexpected::Other(what) => what.into(),
        _ => "a value of another type".into(),
    }
}

impl<'de> de::Deserializer<'de> for OptionValue {
    type Error = OptionsError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionsError> {
        match self {
            OptionValue::Null => visitor.visit_unit(),
            OptionValue::Bool(b) => visitor.visit_bool(b),
            OptionValue::Int(n) => match (u64::try_from(n), i64::try_from(n)) {
                (Ok(u), _) => visitor.visit_u64(u),
                (_, Ok(i)) => visitor.visit_i64(i),
                _ => Err(OptionsError::new(format!(
                    "integer `{n}` is out of the range of 64-bit integers"
                ))),
            },
            OptionValue::Str(s) => visitor.visit_string(s),
            OptionValue::List(items) => visitor.visit_seq(Items {
                items: items.into_iter(),
                index: 0,
            }),
            OptionValue::Object(fields) => visitor.visit_map(Fields {
                fields: fields.into_iter(),
                key: None,
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, OptionsError> {
        match self {
            OptionValue::Null => visitor.visit_none(),
            value => visitor.visit_some(value),
        }
    }

    // A struct is read from an object only: serde would fill one from a list by position.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, OptionsError> {
        match self {
            OptionValue::List(_) => Err(de::Error::invalid_type(Unexpected::Seq, &visitor)),
            value => value.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, OptionsError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, OptionsError> {
        // Unit variants only (`"tcp"`): the options have no others.
        match self {
            OptionValue::Str(s) => visitor.visit_enum(s.into_deserializer()),
            other => other.deserialize_any(visitor),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

impl IntoDeserializer<'_, OptionsError> for OptionValue {
    type Deserializer = OptionValue;
    fn into_deserializer(self) -> OptionValue {
        self
    }
}

struct Items {
    items: std::vec::IntoIter<OptionValue>,
    index: usize,
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = OptionsError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, OptionsError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(item)
            .map(Some)
            .map_err(|e| e.within(format!("[{index}]")))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Fields {
    fields: std::vec::IntoIter<(String, OptionValue)>,
    /// The key whose value comes next, for the errors it may raise.
    key: Option<String>,
    value: Option<OptionValue>,
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = OptionsError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, OptionsError> {
        let Some((key, value)) = self.fields.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        self.key = Some(key.clone());
        // An unknown field's error names the field itself; it is not put under it.
        seed.deserialize(OptionValue::Str(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, OptionsError> {
        let value = self
            .value
            .take()
            .ok_or_else(|| OptionsError::new("a value asked for before its key"))?;
        let key = self.key.take().unwrap_or_default();
        seed.deserialize(value).map_err(|e| e.within(key))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{json, Value};
    use unwind_vm::World;

    use crate::{DebugOptions, VerifyOptions};

    fn read<T: FromOptions>(v: Value) -> Result<T, String> {
        from_options(OptionValue::from_json(&v).unwrap()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_world_reads_as_serde_json_reads_it() {
        let v = json!({
            "tasks": [{"pid": 7, "comm": "x"}, {"pid": 8}],
            "cgroups": [1, 18446744073709551615u64],
            "sockets": [{"protocol": "tcp", "local": "10.0.0.1:80", "remote": null}],
            "maps": {"m": [{"key": "00", "value": "01"}]},
            "ctx": "aa",
            "prandom_seed": 3,
            "ktime_start_ns": 18000000000000000000u64,
        });
        let ours: World = read(v.clone()).unwrap();
        let theirs: World = serde_json::from_value(v).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn errors_name_the_option_they_are_about() {
        let e = read::<DebugOptions>(json!({"world": {"tasks": [{"pid": 1}, {"pid": "2"}]}}));
        assert_eq!(
            e.unwrap_err(),
            "world.tasks[1].pid: invalid type: string \"2\", expected u32"
        );
        let e = read::<VerifyOptions>(json!({"mdoe": "legacy"})).unwrap_err();
        assert!(
            e.starts_with("unknown field `mdoe`, expected one of"),
            "{e}"
        );
        let e = read::<DebugOptions>(
            json!({"world": {"sockets": [{"protocol": "sctp", "local": "a"}]}}),
        );
        assert_eq!(
            e.unwrap_err(),
            "world.sockets[0].protocol: unknown variant `sctp`, expected `tcp` or `udp`"
        );
        let e = read::<DebugOptions>(json!({"traceCapacity": -1})).unwrap_err();
        assert_eq!(
            e,
            "traceCapacity: invalid value: integer `-1`, expected usize"
        );
        let e = read::<DebugOptions>(json!({"world": {"max_alloc": 5000000000u64}}));
        assert_eq!(
            e.unwrap_err(),
            "world.max_alloc: invalid value: integer `5000000000`, expected u32"
        );
        let e = from_options::<DebugOptions>(OptionValue::Object(vec![(
            "budget".into(),
            OptionValue::Int(1 << 64),
        )]));
        assert_eq!(
            e.unwrap_err().to_string(),
            "budget: integer `18446744073709551616` is out of the range of 64-bit integers"
        );
        // serde would fill a struct from a list by position; options are named.
        let e = read::<DebugOptions>(json!({"world": [[], [], [], {}, null, null, null, 5]}));
        assert_eq!(
            e.unwrap_err(),
            "world: invalid type: sequence, expected struct World"
        );
        let e = read::<DebugOptions>(json!({"world": {"tasks": [[7, "x"]]}}));
        assert_eq!(
            e.unwrap_err(),
            "world.tasks[0]: invalid type: sequence, expected struct Task"
        );
        let long = "x".repeat(500);
        let e = read::<DebugOptions>(json!({"budget": long})).unwrap_err();
        assert_eq!(
            e,
            format!(
                "budget: invalid type: string \"{}…\", expected u64",
                "x".repeat(60)
            )
        );
        let e = read::<VerifyOptions>(json!("cleanup")).unwrap_err();
        assert!(
            e.starts_with("invalid type: string \"cleanup\", expected"),
            "{e}"
        );
    }

    /// A world as JSON, some fields of the wrong type or unknown.
    fn world_json() -> impl Strategy<Value = Value> {
        let int = prop_oneof![
            any::<u32>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<i64>().prop_map(|n| json!(n)),
            "[a-z0-9]{0,4}".prop_map(Value::String),
            Just(Value::Null),
        ];
        let task =
            (int.clone(), proptest::option::of("[a-z]{0,3}")).prop_map(|(pid, comm)| match comm {
                Some(c) => json!({"pid": pid, "comm": c}),
                None => json!({"pid": pid}),
            });
        (
            proptest::collection::vec(task, 0..3),
            proptest::collection::vec(int.clone(), 0..3),
            int.clone(),
            proptest::option::of("[0-9a-f]{0,6}"),
            prop_oneof![Just(None), Just(Some("tcp")), Just(Some("sctp"))],
            any::<bool>(),
        )
            .prop_map(|(tasks, cgroups, seed, ctx, protocol, unknown)| {
                let mut w = json!({"tasks": tasks, "cgroups": cgroups, "prandom_seed": seed});
                if let Some(c) = ctx {
                    w["ctx"] = json!(c);
                }
                if let Some(p) = protocol {
                    w["sockets"] = json!([{"protocol": p, "local": "1.2.3.4:5"}]);
                }
                if unknown {
                    w["colour"] = json!(1);
                }
                w
            })
    }

    proptest! {
        /// The tree reads every world exactly as serde_json does: the same value, or an
        /// error in both.
        #[test]
        fn the_tree_agrees_with_serde_json(w in world_json()) {
            let ours: Result<World, String> = read(w.clone());
            let theirs: Result<World, _> = serde_json::from_value(w);
            match (ours, theirs) {
                (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
                (Err(_), Err(_)) => {}
                (a, b) => prop_assert!(false, "tree {:?}, serde_json {:?}", a, b),
            }
        }
    }
}
