//! The layers of the block format that hold no other layers, as serde types with their
//! defaults: `{"conv": {...}}`'s object, a pool's, and the rest.

use serde::{Deserialize, Serialize};

use super::object_json::Described;
use super::pair_json::{PaddingJson, PairJson};

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

impl Described for AdaptiveJson {
    const WHAT: &'static str = "an adaptive_avg_pool is an object, e.g. {\"output\": 7}";
}

impl Described for LrnJson {
    const WHAT: &'static str =
        "an lrn is an object, e.g. {\"size\": 5, \"alpha\": 0.0001, \"beta\": 0.75}";
}
