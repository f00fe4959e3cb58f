//! The rows an analysis produces: one per layer, and one per group (a concat, its branches, a
//! residual's body and shortcut), in reading order, ready for a table or the structure pane.

use crate::model::{LayerKind, NodePath, Part, Shape};

use super::plan::Dropped;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// The composite node's path (a branch row shares its concat's path).
    pub path: NodePath,
    /// Indentation level.
    pub depth: usize,
    pub part: Part,
    /// The concat's or residual's own name, on its header row.
    pub name: Option<String>,
    pub input: Shape,
    /// What the group gives: the concatenation, the sum, or the chain's output.
    pub output: Shape,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRow {
    pub path: NodePath,
    pub depth: usize,
    pub name: Option<String>,
    /// The layer as analysed: a conv standing in for a dropped 1×1 shows its new width.
    pub kind: LayerKind,
    pub input: Shape,
    pub output: Shape,
    pub weights: u64,
    pub biases: u64,
    /// Multiply-accumulates for one image (FLOPs = 2·MACs).
    pub macs: u64,
    /// Elements of this layer's output.
    pub activations: u64,
    /// Set when this analysis removes the layer (bypassed, or absent from the counterpart).
    pub dropped: Option<Dropped>,
    /// Set when the layer was changed to stand in for a dropped 1×1 conv.
    pub adjusted: bool,
}

impl LayerRow {
    pub fn params(&self) -> u64 {
        self.weights + self.biases
    }

    pub fn flops(&self) -> u64 {
        self.macs.saturating_mul(2)
    }

    pub fn is_pointwise_conv(&self) -> bool {
        self.kind.as_conv().is_some_and(|conv| conv.is_pointwise())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Layer(LayerRow),
    Group(GroupRow),
}

impl Row {
    pub fn path(&self) -> &NodePath {
        match self {
            Row::Layer(row) => &row.path,
            Row::Group(row) => &row.path,
        }
    }

    pub fn depth(&self) -> usize {
        match self {
            Row::Layer(row) => row.depth,
            Row::Group(row) => row.depth,
        }
    }

    pub fn as_layer(&self) -> Option<&LayerRow> {
        match self {
            Row::Layer(row) => Some(row),
            Row::Group(_) => None,
        }
    }
}
