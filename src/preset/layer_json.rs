//! A layer of the block format, and the layers that hold layers (concat, residual, repeat).
//! serde's derived reader answers a layer written as `{}`, `null` or with two kinds with only
//! "expected value"; here a layer is read key by key, so each mistake is named as the format
//! describes it.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::kind_json::{AdaptiveJson, ConvJson, DropoutJson, FcJson, LrnJson, NamedJson, PoolJson};
use super::object_json::{Described, ListVisitor, Object, ObjectSeed, got};
use crate::model::{edit_distance, printable};

/// Read by hand (below), so each mistake in a layer is named in the format's words.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeJson {
    Conv(ConvJson),
    MaxPool(PoolJson),
    AvgPool(PoolJson),
    GlobalAvgPool(NamedJson),
    AdaptiveAvgPool(AdaptiveJson),
    Relu(NamedJson),
    Relu6(NamedJson),
    Lrn(LrnJson),
    BatchNorm(NamedJson),
    Fc(FcJson),
    Flatten(NamedJson),
    Dropout(DropoutJson),
    Concat(ConcatJson),
    Residual(ResidualJson),
    Repeat(RepeatJson),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConcatJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(deserialize_with = "branches")]
    pub branches: Vec<Vec<NodeJson>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidualJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(deserialize_with = "layers")]
    pub body: Vec<NodeJson>,
    /// Absent: the identity.
    #[serde(
        default,
        deserialize_with = "optional_layers",
        skip_serializing_if = "Option::is_none"
    )]
    pub shortcut: Option<Vec<NodeJson>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepeatJson {
    /// How many copies of `layers` stand in the enclosing list.
    pub count: usize,
    /// The first copy's index; `{i}` in a name inside becomes the copy's index.
    #[serde(default)]
    pub start: usize,
    #[serde(deserialize_with = "layers")]
    pub layers: Vec<NodeJson>,
}

impl Described for ConcatJson {
    const WHAT: &'static str = "a concat is an object: {\"branches\": [[layers...], [layers...]]}";
}

impl Described for ResidualJson {
    const WHAT: &'static str =
        "a residual is an object: {\"body\": [layers...], \"shortcut\": [layers...]}";
}

impl Described for RepeatJson {
    const WHAT: &'static str =
        "a repeat is an object: {\"count\": N, \"start\": S, \"layers\": [layers...]}";
}

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

const LAYERS: &str = "a list of layers is an array, e.g. [{\"conv\": {\"out_channels\": 64, \"kernel\": 1}}, {\"relu\": {}}]";
const BRANCH: &str = "each branch of a concat is a list of layers, e.g. [{\"relu\": {}}]";
const BRANCHES: &str = "a concat's branches are an array of layer lists, e.g. [[{\"relu\": {}}], [{\"max_pool\": {\"kernel\": 3}}]]";

/// For `#[serde(deserialize_with)]` on a list of layers.
pub fn layers<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<NodeJson>, D::Error> {
    deserializer
        .deserialize_any(ListVisitor::<NodeJson>::new(LAYERS))
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
    let lists = deserializer.deserialize_any(ListVisitor::<Layers>::new(BRANCHES))?;
    Ok(lists.0.into_iter().map(|l| l.0).collect())
}

struct Layers(Vec<NodeJson>);

impl<'de> Deserialize<'de> for Layers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(ListVisitor::<NodeJson>::new(BRANCH))
            .map(|l| Layers(l.0))
    }
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

    crate::refuse_scalars!(self, &one_kind());
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
        map.next_value_seed(ObjectSeed::new(what))
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
