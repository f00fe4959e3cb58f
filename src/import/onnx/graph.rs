//! An ONNX graph as the importer reads it: the nodes, the tensors that do not depend on the
//! image, and for each image tensor the nodes that read it. `index` builds it; `walk` reads it
//! as a series-parallel decomposition — chains, concats of branches from one tensor, residual
//! adds — refusing with the node and the reason what the block model cannot express.

use std::collections::{HashMap, HashSet};

use super::proto::NodeProto;
use super::tensors::Tensors;

pub(super) fn node_name(node: &NodeProto) -> &str {
    node.display_name()
}

/// Ops that need no image to compute: they shape constants (a Reshape's target from Shape).
pub(super) const SHAPE_OPS: &[&str] = &["Shape", "Constant", "ConstantOfShape", "Size"];

/// Ops the importer turns into layers.
pub(super) const SUPPORTED: &[&str] = &[
    "Conv",
    "MaxPool",
    "AveragePool",
    "GlobalAveragePool",
    "ReduceMean",
    "Gemm",
    "MatMul",
    "Relu",
    "Clip",
    "BatchNormalization",
    "LRN",
    "Dropout",
    "Identity",
    "Flatten",
    "Reshape",
    "Concat",
    "Add",
    "Pad",
];

pub struct Graph<'a> {
    pub(super) nodes: &'a [NodeProto],
    pub(super) tensors: Tensors<'a>,
    /// Tensors that do not depend on the image (weights, constants, shapes).
    pub(super) fixed: HashSet<&'a str>,
    /// For each image-dependent tensor, the nodes that read it, in graph order.
    pub(super) readers: HashMap<&'a str, Vec<usize>>,
    pub(super) outputs: Vec<&'a str>,
}

impl<'a> Graph<'a> {
    pub fn dims_of(&self, tensor: &str) -> Option<&[i64]> {
        self.tensors.dims_of(tensor)
    }

    pub(super) fn is_fixed(&self, tensor: &str) -> bool {
        tensor.is_empty() || self.fixed.contains(tensor)
    }

    /// The inputs of `node` that carry the image.
    pub(super) fn flowing(&self, node: &'a NodeProto) -> Vec<&'a str> {
        node.input
            .iter()
            .map(String::as_str)
            .filter(|t| !self.is_fixed(t))
            .collect()
    }

    pub(super) fn readers(&self, tensor: &str) -> &[usize] {
        self.readers.get(tensor).map_or(&[], Vec::as_slice)
    }

    pub(super) fn is_merge(&self, index: usize) -> bool {
        let node = &self.nodes[index];
        match node.op_type.as_str() {
            "Concat" => true,
            "Add" => self.flowing(node).len() == 2,
            _ => false,
        }
    }
}
