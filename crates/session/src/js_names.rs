//! The JS API's one naming policy: every struct field crosses to JS in camelCase
//! (`end_column` → `endColumn`), whatever type it belongs to. The Rust types keep their serde
//! names (snake_case: the CLI's JSON, SPEC §6), so the same typed value is printed by the CLI
//! and handed to JS without a second, hand-written view of it.
//!
//! [`CamelCase`] wraps a value; serializing it serializes the value through a serializer that
//! renames struct fields on the way. Structs become maps (JS objects either way). What is
//! renamed: the fields of structs and struct variants, and the keys of maps whose length serde
//! does not announce, which is how serde writes a struct with `#[serde(flatten)]` fields.
//! What is not: the keys of real maps (their length is known: `BTreeMap`, `HashMap`), and
//! every value, so enum tags and names (`"unwind_frame"`, `"pseudo_c"`) stay as they are.

use serde::ser::{
    self, Serialize, SerializeMap, SerializeSeq, SerializeTuple, SerializeTupleStruct,
    SerializeTupleVariant, Serializer,
};

/// `value`, serialized with camelCase field names.
pub struct CamelCase<'a, T: ?Sized>(pub &'a T);

impl<T: Serialize + ?Sized> Serialize for CamelCase<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Renaming(serializer))
    }
}

/// `end_column` → `endColumn`. Names are Rust identifiers in snake_case: only ASCII letters
/// are upper-cased (Unicode case mapping would cost the wasm module its 12 KB table).
pub fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

struct Renaming<S>(S);

/// A compound being written, its elements renamed too.
struct Compound<C> {
    inner: C,
    /// Map keys are field names (a struct with flattened fields), so they are renamed.
    rename_keys: bool,
}

impl<S: Serializer> Serializer for Renaming<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Compound<S::SerializeSeq>;
    type SerializeTuple = Compound<S::SerializeTuple>;
    type SerializeTupleStruct = Compound<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Compound<S::SerializeTupleVariant>;
    type SerializeMap = Compound<S::SerializeMap>;
    type SerializeStruct = Compound<S::SerializeMap>;
    type SerializeStructVariant = Compound<S::SerializeStructVariant>;

    fn serialize_bool(self, v: bool) -> Result<S::Ok, S::Error> {
        self.0.serialize_bool(v)
    }
    fn serialize_i8(self, v: i8) -> Result<S::Ok, S::Error> {
        self.0.serialize_i8(v)
    }
    fn serialize_i16(self, v: i16) -> Result<S::Ok, S::Error> {
        self.0.serialize_i16(v)
    }
    fn serialize_i32(self, v: i32) -> Result<S::Ok, S::Error> {
        self.0.serialize_i32(v)
    }
    fn serialize_i64(self, v: i64) -> Result<S::Ok, S::Error> {
        self.0.serialize_i64(v)
    }
    fn serialize_u8(self, v: u8) -> Result<S::Ok, S::Error> {
        self.0.serialize_u8(v)
    }
    fn serialize_u16(self, v: u16) -> Result<S::Ok, S::Error> {
        self.0.serialize_u16(v)
    }
    fn serialize_u32(self, v: u32) -> Result<S::Ok, S::Error> {
        self.0.serialize_u32(v)
    }
    fn serialize_u64(self, v: u64) -> Result<S::Ok, S::Error> {
        self.0.serialize_u64(v)
    }
    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        self.0.serialize_f32(v)
    }
    fn serialize_f64(self, v: f64) -> Result<S::Ok, S::Error> {
        self.0.serialize_f64(v)
    }
    fn serialize_char(self, v: char) -> Result<S::Ok, S::Error> {
        self.0.serialize_char(v)
    }
    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        self.0.serialize_str(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<S::Ok, S::Error> {
        self.0.serialize_bytes(v)
    }
    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&CamelCase(value))
    }
    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit()
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_struct(name)
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &CamelCase(value))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &CamelCase(value))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        Ok(Compound::of(self.0.serialize_seq(len)?))
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        Ok(Compound::of(self.0.serialize_tuple(len)?))
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        Ok(Compound::of(self.0.serialize_tuple_struct(name, len)?))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        Ok(Compound::of(
            self.0.serialize_tuple_variant(name, index, variant, len)?,
        ))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        Ok(Compound {
            inner: self.0.serialize_map(len)?,
            rename_keys: len.is_none(),
        })
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        // A map, because a renamed field name is not `&'static`.
        Ok(Compound {
            inner: self.0.serialize_map(Some(len))?,
            rename_keys: true,
        })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        Ok(Compound::of(
            self.0.serialize_struct_variant(name, index, variant, len)?,
        ))
    }
}

impl<C> Compound<C> {
    fn of(inner: C) -> Self {
        Compound {
            inner,
            rename_keys: false,
        }
    }
}

impl<C: SerializeSeq> SerializeSeq for Compound<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.inner.serialize_element(&CamelCase(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}

impl<C: SerializeTuple> SerializeTuple for Compound<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.inner.serialize_element(&CamelCase(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}

impl<C: SerializeTupleStruct> SerializeTupleStruct for Compound<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.inner.serialize_field(&CamelCase(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}

impl<C: SerializeTupleVariant> SerializeTupleVariant for Compound<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.inner.serialize_field(&CamelCase(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}

impl<C: SerializeMap> SerializeMap for Compound<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        match (self.rename_keys, key_text(key)) {
            (true, Some(name)) => self.inner.serialize_key(&camel_case(&name)),
            _ => self.inner.serialize_key(key),
        }
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.inner.serialize_value(&CamelCase(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}

impl<C: SerializeMap> ser::SerializeStruct for Compound<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), C::Error> {
        self.inner
            .serialize_entry(&camel_case(key), &CamelCase(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}

impl<C: ser::SerializeStructVariant> ser::SerializeStructVariant for Compound<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    // Field names must be `&'static str` here; the JS-facing enums are internally tagged
    // (written as structs), so this externally tagged form keeps its names.
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), C::Error> {
        self.inner.serialize_field(key, &CamelCase(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.inner.end()
    }
}

/// A map key as text, when it is a string.
fn key_text<T: Serialize + ?Sized>(key: &T) -> Option<String> {
    match serde_json::to_value(key) {
        Ok(serde_json::Value::String(s)) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    struct Inner {
        ref_obj_id: Option<u32>,
        kind_name: &'static str,
    }

    #[derive(Serialize)]
    #[serde(tag = "state", rename_all = "snake_case")]
    enum Status {
        Exited { return_value: String },
    }

    #[derive(Serialize)]
    struct Outer {
        end_column: u32,
        items: Vec<Inner>,
        by_name: BTreeMap<String, u32>,
        #[serde(flatten)]
        status: Status,
    }

    #[test]
    fn fields_are_renamed_values_and_map_keys_are_not() {
        let v = Outer {
            end_column: 3,
            items: vec![Inner {
                ref_obj_id: Some(2),
                kind_name: "unwind_frame",
            }],
            by_name: BTreeMap::from([("my_map".to_string(), 1)]),
            status: Status::Exited {
                return_value: "7".into(),
            },
        };
        let got = serde_json::to_value(CamelCase(&v)).unwrap();
        assert_eq!(
            got,
            json!({
                "endColumn": 3,
                "items": [{"refObjId": 2, "kindName": "unwind_frame"}],
                "byName": {"my_map": 1},
                "state": "exited",
                "returnValue": "7",
            })
        );
    }

    #[test]
    fn names_convert() {
        assert_eq!(camel_case("end_column"), "endColumn");
        assert_eq!(camel_case("pc"), "pc");
        assert_eq!(camel_case("is_exception_callback"), "isExceptionCallback");
    }
}
