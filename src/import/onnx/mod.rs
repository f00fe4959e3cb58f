//! ONNX models (what `torch.onnx.export`, Keras converters and most frameworks write) read into
//! the block model. Only shapes are needed: weight dims come from initializers or, for a model
//! exported without parameters, from the graph's inputs; weight bytes are never read.

mod attrs;
mod error;
mod graph;
mod index;
mod ops;
mod proto;
mod tensors;
mod walk;

use bytes::Bytes;
use prost::Message;

use crate::model::Block;

pub use error::OnnxError;

/// Decodes a model from its bytes (a mapped file: `raw_data` fields stay slices of it).
pub fn read(bytes: Bytes, stem: &str) -> Result<Block, OnnxError> {
    let model = proto::ModelProto::decode(bytes).map_err(|e| OnnxError::Decode(e.to_string()))?;
    let graph = model.graph.as_ref().ok_or(OnnxError::NoGraph)?;
    let (input, body) = walk::read(graph)?;
    let opset = model
        .opset_import
        .iter()
        .find(|o| o.domain.is_empty() || o.domain == "ai.onnx")
        .map_or(String::new(), |o| format!(", opset {}", o.version));
    let producer = if model.producer_name.is_empty() {
        String::new()
    } else {
        format!(" by {} {}", model.producer_name, model.producer_version)
            .trim_end()
            .to_string()
    };
    Ok(Block {
        name: stem.to_string(),
        description: format!(
            "imported from ONNX (graph \"{}\"{producer}{opset})",
            graph.name
        ),
        input,
        body,
    })
}

/// Whether a file is an ONNX model: its extension says so, or its first byte is the tag of a
/// ModelProto field (ir_version, field 1, is 0x08 in every exporter's output). JSON text
/// starts with `{` or white space, which is no such tag.
pub fn looks_like_onnx(head: &[u8], extension: Option<&str>) -> bool {
    const TAGS: &[u8] = &[
        0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72, 0xa2, 0xca,
    ];
    extension.is_some_and(|e| e.eq_ignore_ascii_case("onnx"))
        || head.first().is_some_and(|b| TAGS.contains(b))
}
