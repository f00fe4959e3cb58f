//! Objects and lists of the format read only as what they are. serde's derived readers accept
//! an array for any struct (so `"input": [8, 8, 16]` was read as C, H, W without a word, and a
//! block written as an array opened); here an object must be an object and a list a list, and
//! anything else is answered with what stood there instead.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor, value::MapAccessDeserializer};

use crate::model::printable;

/// An object of the format whose fields serde reads, described for the message when something
/// else stands in its place.
pub trait Described {
    /// What it is, e.g. `a conv is an object such as {"out_channels": 64, "kernel": 3}`.
    const WHAT: &'static str;
}

/// `T`, read only from a JSON object.
pub struct Object<T>(pub T);

impl<'de, T: Deserialize<'de> + Described> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObjectVisitor(T::WHAT.into(), PhantomData))
    }
}

/// `T` read only from an object, with `what` saying what it is when something else stands there.
pub struct ObjectSeed<T>(String, PhantomData<T>);

impl<T> ObjectSeed<T> {
    pub fn new(what: String) -> Self {
        ObjectSeed(what, PhantomData)
    }
}

impl<'de, T: Deserialize<'de>> de::DeserializeSeed<'de> for ObjectSeed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer
            .deserialize_any(ObjectVisitor(self.0, PhantomData))
            .map(|o| o.0)
    }
}

/// For `#[serde(deserialize_with)]` on a field whose value must be an object.
pub fn object<'de, D: Deserializer<'de>, T: Deserialize<'de> + Described>(
    deserializer: D,
) -> Result<T, D::Error> {
    Object::<T>::deserialize(deserializer).map(|o| o.0)
}

struct ObjectVisitor<T>(String, PhantomData<T>);

/// The visits of a string, answered with what stood there instead of `$what`.
macro_rules! refuse_strings {
    ($self:ident, $what:expr) => {
        fn visit_str<E: de::Error>($self, s: &str) -> Result<Self::Value, E> {
            Err(got($what, &format!("the string \"{}\"", printable(s))))
        }
    };
}

/// The visits of a number, a boolean or null, answered with what stood there instead of `$what`.
#[macro_export]
macro_rules! refuse_scalars {
    ($self:ident, $what:expr) => {
        fn visit_u64<E: de::Error>($self, n: u64) -> Result<Self::Value, E> {
            Err(got($what, &format!("the number {n}")))
        }
        fn visit_i64<E: de::Error>($self, n: i64) -> Result<Self::Value, E> {
            Err(got($what, &format!("the number {n}")))
        }
        fn visit_f64<E: de::Error>($self, n: f64) -> Result<Self::Value, E> {
            Err(got($what, &format!("the number {n}")))
        }
        fn visit_bool<E: de::Error>($self, b: bool) -> Result<Self::Value, E> {
            Err(got($what, &b.to_string()))
        }
        fn visit_unit<E: de::Error>($self) -> Result<Self::Value, E> {
            Err(got($what, "null"))
        }
    };
}

pub fn got<E: de::Error>(what: &str, instead: &str) -> E {
    E::custom(format!("{what}; got {instead}"))
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = Object<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Object<T>, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map)).map(Object)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Object<T>, A::Error> {
        Err(got(&self.0, "an array"))
    }

    refuse_strings!(self, &self.0);
    refuse_scalars!(self, &self.0);
}

pub struct List<T>(pub Vec<T>);

pub struct ListVisitor<T>(&'static str, PhantomData<T>);

impl<T> ListVisitor<T> {
    pub fn new(what: &'static str) -> Self {
        ListVisitor(what, PhantomData)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
        // No capacity from the size hint: a file cannot make it reserve what it does not hold.
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<List<T>, A::Error> {
        Err(got(self.0, "an object"))
    }

    refuse_strings!(self, self.0);
    refuse_scalars!(self, self.0);
}
