//! The JSON block format (`"format": "convtui-block"`, version 1), as serde types.
//!
//! Layers are objects keyed by their kind, so a typo in a kind or a field is reported where it
//! is: `{"conv": {"name": "3x3", "out_channels": 128, "kernel": 3, "padding": 1}}`, `{"relu": {}}`,
//! `{"concat": {"branches": [[...], [...]]}}`, `{"residual": {"body": [...], "shortcut": [...]}}`.
//! `{"repeat": {"count": 35, "start": 1, "layers": [...]}}` writes a stage of identical blocks
//! once; it is expanded on reading, so every layer is a row of its own.

use serde::{Deserialize, Serialize};

use super::layer_json::{Described, branches, layers, object, optional_layers};
use super::pair_json::{PaddingJson, PairJson};

pub const FORMAT: &str = "convtui-block";
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockJson {
    pub format: String,
    pub version: u32,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(deserialize_with = "object")]
    pub input: InputJson,
    #[serde(deserialize_with = "layers")]
    pub layers: Vec<NodeJson>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputJson {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

/// Read by hand (`layer_json`), so each mistake in a layer is named in the format's words.
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

fn is_false(b: &bool) -> bool {
    !b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn yes() -> bool {
    true
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

fn is_unit(p: &Option<PairJson>) -> bool {
    p.is_none_or(|p| p.0.h == 1 && p.0.w == 1)
}

fn is_zero(p: &Option<PaddingJson>) -> bool {
    p.is_none_or(|p| p.0.is_zero())
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub out_channels: usize,
    pub kernel: PairJson,
    /// Default 1.
    #[serde(default, skip_serializing_if = "is_unit")]
    pub stride: Option<PairJson>,
    /// Default 0, as in Caffe and PyTorch.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub padding: Option<PaddingJson>,
    /// Default 1.
    #[serde(default, skip_serializing_if = "is_unit")]
    pub dilation: Option<PairJson>,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub groups: usize,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub bias: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub bypass: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub kernel: PairJson,
    /// Default: the kernel size, as in PyTorch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stride: Option<PairJson>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub padding: Option<PaddingJson>,
    /// Round the output size up (Caffe) rather than down (PyTorch's default).
    #[serde(default, skip_serializing_if = "is_false")]
    pub ceil_mode: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FcJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub out_features: usize,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub bias: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropoutJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Probability of zeroing an element, 0 ≤ p < 1.
    pub p: f64,
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
pub struct AdaptiveJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub output: PairJson,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LrnJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub size: usize,
    #[serde(default = "lrn_alpha")]
    pub alpha: f64,
    #[serde(default = "lrn_beta")]
    pub beta: f64,
    /// Default 1, as in Caffe and PyTorch.
    #[serde(default = "lrn_k")]
    pub k: f64,
}

fn lrn_alpha() -> f64 {
    1e-4
}

fn lrn_beta() -> f64 {
    0.75
}

fn lrn_k() -> f64 {
    1.0
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

impl Described for BlockJson {
    const WHAT: &'static str = "a block is an object with format, version, name, input and layers";
}

impl Described for InputJson {
    const WHAT: &'static str = "input is an object: {\"channels\": C, \"height\": H, \"width\": W}";
}

impl Described for ConvJson {
    const WHAT: &'static str =
        "a conv is an object, e.g. {\"out_channels\": 64, \"kernel\": 3, \"padding\": 1}";
}

impl Described for PoolJson {
    const WHAT: &'static str = "a pool is an object, e.g. {\"kernel\": 3, \"stride\": 2}";
}

impl Described for FcJson {
    const WHAT: &'static str = "an fc is an object, e.g. {\"out_features\": 1000}";
}

impl Described for DropoutJson {
    const WHAT: &'static str = "a dropout is an object, e.g. {\"p\": 0.5}";
}

impl Described for ConcatJson {
    const WHAT: &'static str = "a concat is an object: {\"branches\": [[layers...], [layers...]]}";
}

impl Described for ResidualJson {
    const WHAT: &'static str =
        "a residual is an object: {\"body\": [layers...], \"shortcut\": [layers...]}";
}

impl Described for AdaptiveJson {
    const WHAT: &'static str = "an adaptive_avg_pool is an object, e.g. {\"output\": 7}";
}

impl Described for LrnJson {
    const WHAT: &'static str =
        "an lrn is an object, e.g. {\"size\": 5, \"alpha\": 0.0001, \"beta\": 0.75}";
}

impl Described for RepeatJson {
    const WHAT: &'static str =
        "a repeat is an object: {\"count\": N, \"start\": S, \"layers\": [layers...]}";
}
