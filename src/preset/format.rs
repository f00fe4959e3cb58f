//! The JSON block format (`"format": "convtui-block"`, version 1), as serde types.
//!
//! Layers are objects keyed by their kind, so a typo in a kind or a field is reported where it
//! is: `{"conv": {"name": "3x3", "out_channels": 128, "kernel": 3, "padding": 1}}`, `{"relu": {}}`,
//! `{"concat": {"branches": [[...], [...]]}}`, `{"residual": {"body": [...], "shortcut": [...]}}`.
//! `{"repeat": {"count": 35, "start": 1, "layers": [...]}}` writes a stage of identical blocks
//! once; it is expanded on reading, so every layer is a row of its own.

use serde::{Deserialize, Serialize};

use super::layer_json::{NodeJson, layers};
use super::object_json::{Described, object};

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

impl Described for BlockJson {
    const WHAT: &'static str = "a block is an object with format, version, name, input and layers";
}

impl Described for InputJson {
    const WHAT: &'static str = "input is an object: {\"channels\": C, \"height\": H, \"width\": W}";
}
