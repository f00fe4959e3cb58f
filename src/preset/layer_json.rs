//! Reading layers in the format's own words. serde's derived readers accept an array for any
//! struct (so `"input": [8, 8, 16]` was read as C, H, W without a word, and a block written as
//! an array opened) and answer a layer written as `{}`, `null` or with two kinds with only
//! "expected value". Here every object of the format must be an object, and a layer is read
//! key by key, so each mistake is named as the format describes it.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor, value::MapAccessDeserializer};

use super::format::{NamedJson, NodeJson};
use crate::model::{edit_distance, printable};

/// The kinds a layer may have, in the order the format lists them.
pub const KINDS: [&str; 15] = [
    "conv",
    "max_pool",
    "avg_pool",
    "global_avg_pool",
    "adaptive_avg_pool",
    "relu",
    "relu6",
    "lrn",
    "batch_norm",
    "fc",
    "flatten",
    "dropout",
    "concat",
    "residual",
    "repeat",
];

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
struct ObjectSeed<T>(String, PhantomData<T>);

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

fn got<E: de::Error>(what: &str, instead: &str) -> E {
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

const LAYERS: &str = "a list of layers is an array, e.g. [{\"conv\": {\"out_channels\": 64, \"kernel\": 1}}, {\"relu\": {}}]";
const BRANCH: &str = "each branch of a concat is a list of layers, e.g. [{\"relu\": {}}]";
const BRANCHES: &str = "a concat's branches are an array of layer lists, e.g. [[{\"relu\": {}}], [{\"max_pool\": {\"kernel\": 3}}]]";

/// For `#[serde(deserialize_with)]` on a list of layers.
pub fn layers<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<NodeJson>, D::Error> {
    deserializer
        .deserialize_any(ListVisitor::<NodeJson>(LAYERS, PhantomData))
        .map(|l| l.0)
}

/// For `#[serde(deserialize_with)]` on an optional list of layers.
pub fn optional_layers<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<NodeJson>>, D::Error> {
    layers(deserializer).map(Some)
}

/// For `#[serde(deserialize_with)]` on a concat's branches.
pub fn branches<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Vec<NodeJson>>, D::Error> {
    let lists = deserializer.deserialize_any(ListVisitor::<Layers>(BRANCHES, PhantomData))?;
    Ok(lists.0.into_iter().map(|l| l.0).collect())
}

struct Layers(Vec<NodeJson>);

impl<'de> Deserialize<'de> for Layers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(ListVisitor::<NodeJson>(BRANCH, PhantomData))
            .map(|l| Layers(l.0))
    }
}

struct List<T>(Vec<T>);

struct ListVisitor<T>(&'static str, PhantomData<T>);

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

fn one_kind() -> String {
    format!(
        "a layer is an object with exactly one kind ({}), e.g. {{\"relu\": {{}}}}",
        KINDS.join(", ")
    )
}

impl<'de> Deserialize<'de> for NodeJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LayerVisitor)
    }
}

struct LayerVisitor;

impl<'de> Visitor<'de> for LayerVisitor {
    type Value = NodeJson;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&one_kind())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeJson, A::Error> {
        let Some(kind) = map.next_key::<String>()? else {
            return Err(got(&one_kind(), "{}"));
        };
        let node = read_kind(&kind, &mut map)?;
        if let Some(second) = map.next_key::<String>()? {
            return Err(de::Error::custom(beside(&kind, &second)));
        }
        Ok(node)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<NodeJson, A::Error> {
        Err(got(
            &one_kind(),
            "an array (a list of layers goes inside a concat's branches or a residual's body)",
        ))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<NodeJson, E> {
        let hint = if KINDS.contains(&s) {
            format!(" (write {{\"{s}\": {{...}}}})")
        } else {
            String::new()
        };
        Err(got(
            &one_kind(),
            &format!("the string \"{}\"{hint}", printable(s)),
        ))
    }

    refuse_scalars!(self, &one_kind());
}

fn read_kind<'de, A: MapAccess<'de>>(kind: &str, map: &mut A) -> Result<NodeJson, A::Error> {
    fn value<'de, A: MapAccess<'de>, T: Deserialize<'de> + Described>(
        map: &mut A,
    ) -> Result<T, A::Error> {
        map.next_value::<Object<T>>().map(|o| o.0)
    }
    // The kinds that take only a name share one reader; the message names the kind.
    fn named<'de, A: MapAccess<'de>>(map: &mut A, kind: &str) -> Result<NamedJson, A::Error> {
        let what = format!("a {kind} is an object, {{}} or {{\"name\": \"...\"}}");
        map.next_value_seed(ObjectSeed(what, PhantomData))
    }
    Ok(match kind {
        "conv" => NodeJson::Conv(value(map)?),
        "max_pool" => NodeJson::MaxPool(value(map)?),
        "avg_pool" => NodeJson::AvgPool(value(map)?),
        "global_avg_pool" => NodeJson::GlobalAvgPool(named(map, kind)?),
        "adaptive_avg_pool" => NodeJson::AdaptiveAvgPool(value(map)?),
        "relu" => NodeJson::Relu(named(map, kind)?),
        "relu6" => NodeJson::Relu6(named(map, kind)?),
        "lrn" => NodeJson::Lrn(value(map)?),
        "batch_norm" => NodeJson::BatchNorm(named(map, kind)?),
        "fc" => NodeJson::Fc(value(map)?),
        "flatten" => NodeJson::Flatten(named(map, kind)?),
        "dropout" => NodeJson::Dropout(value(map)?),
        "concat" => NodeJson::Concat(value(map)?),
        "residual" => NodeJson::Residual(value(map)?),
        "repeat" => NodeJson::Repeat(value(map)?),
        "name" => {
            return Err(de::Error::custom(
                "a layer's name goes inside its kind, e.g. {\"relu\": {\"name\": \"relu1\"}}",
            ));
        }
        other => return Err(de::Error::custom(unknown_kind(other))),
    })
}

fn unknown_kind(kind: &str) -> String {
    let near = KINDS
        .iter()
        .filter(|k| edit_distance(k, kind) <= 2 || (k.len() > 2 && kind.starts_with(**k)))
        .min_by_key(|k| edit_distance(k, kind));
    let hint = near.map_or(String::new(), |k| format!(" (did you mean \"{k}\"?)"));
    format!(
        "unknown layer kind \"{}\"{hint}; {}",
        printable(kind),
        one_kind()
    )
}

fn beside(kind: &str, second: &str) -> String {
    let (kind, second) = (printable(kind), printable(second));
    if second == "name" {
        format!(
            "a layer's name goes inside its kind, e.g. {{\"{kind}\": {{\"name\": \"...\"}}}}, not beside it"
        )
    } else {
        format!(
            "a layer has exactly one kind, but this one has \"{kind}\" and \"{second}\"; write them as two layers"
        )
    }
}
