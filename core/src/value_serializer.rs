//! [`Value::from_serialize`]'s serializer: any `serde::Serialize` type straight into a [`Value`].
//!
//! Going through JSON would turn bytes into lists of numbers; here a sequence whose every element
//! is a `u8` (`Vec<u8>`, `[u8; N]`, `Box<[u8]>`) becomes a blob, as do `serialize_bytes` callers
//! (`serde_bytes`). An empty `Vec<u8>` cannot be told from an empty list and stays a list.

use bytes::Bytes;
use compact_str::ToCompactString as _;
use serde::ser::{self, Serialize};

use crate::value::{Key, Map, Value};

type Error = serde_json::Error;

/// What one `serialize` call made: a byte (a blob's element, if its sequence is all bytes) or a
/// finished value.
pub(crate) enum Out {
    Byte(u8),
    Value(Value),
}

impl Out {
    pub(crate) fn into_value(self) -> Value {
        match self {
            Out::Byte(b) => Value::Integer(i64::from(b)),
            Out::Value(v) => v,
        }
    }
}

/// The serializer (stateless: compound types carry their own state).
pub(crate) struct ValueSerializer;

fn value(v: impl Into<Value>) -> Result<Out, Error> {
    Ok(Out::Value(v.into()))
}

fn into_value<T: Serialize + ?Sized>(v: &T) -> Result<Value, Error> {
    v.serialize(ValueSerializer).map(Out::into_value)
}

impl ser::Serializer for ValueSerializer {
    type Ok = Out;
    type Error = Error;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Variant<Seq>;
    type SerializeMap = Struct;
    type SerializeStruct = Struct;
    type SerializeStructVariant = Variant<Struct>;

    fn serialize_bool(self, v: bool) -> Result<Out, Error> {
        value(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Out, Error> {
        value(Value::Integer(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Out, Error> {
        value(Value::Integer(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Out, Error> {
        value(Value::Integer(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Out, Error> {
        value(Value::Integer(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Out, Error> {
        Ok(Out::Byte(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Out, Error> {
        value(Value::Integer(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Out, Error> {
        value(Value::Integer(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Out, Error> {
        // As JSON numbers do: beyond i64, a float.
        value(match i64::try_from(v) {
            Ok(i) => Value::Integer(i),
            Err(_) => Value::Float(v as f64),
        })
    }
    fn serialize_f32(self, v: f32) -> Result<Out, Error> {
        value(Value::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Out, Error> {
        value(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Out, Error> {
        value(Value::String(v.to_compact_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Out, Error> {
        value(Value::String(v.into()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Out, Error> {
        value(Value::Blob(Bytes::copy_from_slice(v)))
    }
    fn serialize_none(self) -> Result<Out, Error> {
        value(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Out, Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Out, Error> {
        value(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Out, Error> {
        value(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Out, Error> {
        value(Value::String(variant.into()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        v: &T,
    ) -> Result<Out, Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Out, Error> {
        let mut map = Map::default();
        map.insert(variant.into(), into_value(v)?);
        value(Value::Map(map))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, Error> {
        Ok(Seq(Vec::with_capacity(len.unwrap_or(0))))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Variant<Seq>, Error> {
        Ok(Variant(variant, Seq(Vec::with_capacity(len))))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Struct, Error> {
        Ok(Struct(Map::default(), None))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Struct, Error> {
        Ok(Struct(Map::default(), None))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Variant<Struct>, Error> {
        Ok(Variant(variant, Struct(Map::default(), None)))
    }
}

/// A sequence being built: a blob when every element was a byte (and there was one).
pub(crate) struct Seq(Vec<Out>);

impl Seq {
    fn finish(self) -> Value {
        let all_bytes = !self.0.is_empty() && self.0.iter().all(|o| matches!(o, Out::Byte(_)));
        if all_bytes {
            let bytes: Vec<u8> = self
                .0
                .into_iter()
                .filter_map(|o| match o {
                    Out::Byte(b) => Some(b),
                    Out::Value(_) => None,
                })
                .collect();
            return Value::Blob(Bytes::from(bytes));
        }
        Value::List(self.0.into_iter().map(Out::into_value).collect())
    }

    fn push<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.0.push(v.serialize(ValueSerializer)?);
        Ok(())
    }
}

impl ser::SerializeSeq for Seq {
    type Ok = Out;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<Out, Error> {
        value(self.finish())
    }
}

impl ser::SerializeTuple for Seq {
    type Ok = Out;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<Out, Error> {
        value(self.finish())
    }
}

impl ser::SerializeTupleStruct for Seq {
    type Ok = Out;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.push(v)
    }
    fn end(self) -> Result<Out, Error> {
        value(self.finish())
    }
}

/// A structure or map being built (with the key waiting for its value).
pub(crate) struct Struct(Map, Option<Key>);

impl ser::SerializeMap for Struct {
    type Ok = Out;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        // Keys are strings; numbers and booleans are written as text, as JSON maps do.
        self.1 = Some(match into_value(key)? {
            Value::String(s) => s,
            Value::Integer(i) => i.to_string().into(),
            Value::Bool(b) => b.to_string().into(),
            other => {
                return Err(ser::Error::custom(format!(
                    "a map key must be a string, not {}",
                    other.kind()
                )))
            }
        });
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let key = self
            .1
            .take()
            .ok_or_else(|| <Error as ser::Error>::custom("a map value came without its key"))?;
        self.0.insert(key, into_value(v)?);
        Ok(())
    }
    fn end(self) -> Result<Out, Error> {
        value(Value::Map(self.0))
    }
}

impl ser::SerializeStruct for Struct {
    type Ok = Out;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.0.insert(key.into(), into_value(v)?);
        Ok(())
    }
    fn end(self) -> Result<Out, Error> {
        value(Value::Map(self.0))
    }
}

/// An enum variant with fields: `{"Variant": fields}`, as serde_json writes it.
pub(crate) struct Variant<T>(&'static str, T);

impl<T> Variant<T> {
    fn wrap(variant: &'static str, inner: Value) -> Result<Out, Error> {
        let mut map = Map::default();
        map.insert(variant.into(), inner);
        value(Value::Map(map))
    }
}

impl ser::SerializeTupleVariant for Variant<Seq> {
    type Ok = Out;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.1.push(v)
    }
    fn end(self) -> Result<Out, Error> {
        Self::wrap(self.0, self.1.finish())
    }
}

impl ser::SerializeStructVariant for Variant<Struct> {
    type Ok = Out;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(&mut self.1, key, v)
    }
    fn end(self) -> Result<Out, Error> {
        Self::wrap(self.0, Value::Map(self.1 .0))
    }
}
