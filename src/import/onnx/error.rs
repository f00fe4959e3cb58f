//! What can go wrong reading an ONNX model, each said in one line with the node or tensor.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OnnxError {
    #[error("not an ONNX model, or a truncated one (protobuf: {0})")]
    Decode(String),
    #[error("the model has no graph")]
    NoGraph,
    #[error(
        "unsupported operators: {0} (convtui reads Conv, pools, Gemm/MatMul, BatchNormalization, Relu, Clip, LRN, Dropout, Flatten, Reshape, Concat, Add, Pad)"
    )]
    Unsupported(String),
    #[error("node {node} ({op}): {why}")]
    Node {
        node: String,
        op: String,
        why: String,
    },
    #[error("tensor {tensor}: {why}")]
    Tensor { tensor: String, why: String },
    #[error("{0}")]
    Graph(String),
}

impl OnnxError {
    pub fn node(node: &super::proto::NodeProto, why: impl Into<String>) -> OnnxError {
        OnnxError::Node {
            node: node.display_name().to_string(),
            op: node.op_type.clone(),
            why: why.into(),
        }
    }
}
