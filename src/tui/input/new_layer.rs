//! What `a` can add: a short menu of layers and composites sized for the place they go, with
//! the one a user most likely wants preselected (a ReLU after a conv, else a 3×3 conv that keeps
//! the width).

use crate::model::{Concat, Conv, Layer, LayerKind, Node, Padding, Pair, Pool, PoolKind, Residual};

/// One entry of the add-layer menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Conv3x3,
    Conv1x1,
    Relu,
    BatchNorm,
    MaxPool,
    AvgPool,
    Dropout,
    GlobalAvgPool,
    Residual,
    Concat,
}

pub const CHOICES: [Choice; 10] = [
    Choice::Conv3x3,
    Choice::Conv1x1,
    Choice::Relu,
    Choice::BatchNorm,
    Choice::MaxPool,
    Choice::AvgPool,
    Choice::Dropout,
    Choice::GlobalAvgPool,
    Choice::Residual,
    Choice::Concat,
];

impl Choice {
    pub fn label(self) -> &'static str {
        match self {
            Choice::Conv3x3 => "conv 3×3, same width, padding 1",
            Choice::Conv1x1 => "conv 1×1, same width",
            Choice::Relu => "relu",
            Choice::BatchNorm => "batch norm",
            Choice::MaxPool => "max pool 3×3, stride 2",
            Choice::AvgPool => "avg pool 3×3, stride 1, padding 1",
            Choice::Dropout => "dropout 0.5",
            Choice::GlobalAvgPool => "global average pool",
            Choice::Residual => "residual: 3×3 conv + relu, identity shortcut",
            Choice::Concat => "concat: two 1×1 branches of 32",
        }
    }

    /// The node to insert where the data is `width` channels wide.
    pub fn node(self, width: usize) -> Node {
        let width = width.max(1);
        let layer = |kind| Node::Layer(Layer::new(kind));
        let pool = |kind, k: usize, s: usize, p: usize| {
            layer(LayerKind::Pool(Pool {
                kind,
                kernel: Pair::square(k),
                stride: Pair::square(s),
                padding: Padding::square(p),
                ceil_mode: false,
            }))
        };
        match self {
            Choice::Conv3x3 => layer(LayerKind::Conv(Conv::new(width, 3))),
            Choice::Conv1x1 => layer(LayerKind::Conv(Conv::new(width, 1))),
            Choice::Relu => layer(LayerKind::Relu),
            Choice::BatchNorm => layer(LayerKind::BatchNorm),
            Choice::MaxPool => pool(PoolKind::Max, 3, 2, 0),
            Choice::AvgPool => pool(PoolKind::Avg, 3, 1, 1),
            Choice::Dropout => layer(LayerKind::Dropout { per_mille: 500 }),
            Choice::GlobalAvgPool => layer(LayerKind::GlobalAvgPool),
            Choice::Residual => Node::Residual(Residual {
                name: None,
                body: vec![
                    layer(LayerKind::Conv(Conv::new(width, 3))),
                    layer(LayerKind::Relu),
                ],
                shortcut: None,
            }),
            Choice::Concat => Node::Concat(Concat {
                name: None,
                branches: vec![
                    vec![layer(LayerKind::Conv(Conv::new(32, 1)))],
                    vec![layer(LayerKind::Conv(Conv::new(32, 1)))],
                ],
            }),
        }
    }
}

/// The preselected choice: a ReLU right after a conv, otherwise a 3×3 conv.
pub fn default_choice(after: Option<&Node>) -> usize {
    let after_conv = matches!(
        after,
        Some(Node::Layer(Layer {
            kind: LayerKind::Conv(_),
            ..
        }))
    );
    let choice = if after_conv {
        Choice::Relu
    } else {
        Choice::Conv3x3
    };
    CHOICES.iter().position(|c| *c == choice).unwrap_or(0)
}
