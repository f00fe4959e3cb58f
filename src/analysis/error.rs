//! What can be wrong with a block's shapes, said so that the user can find the layer.

use std::fmt;

use crate::model::{Block, Layer, LayerKind, Node, NodePath};

/// A shape or size error, naming the node by path, name and kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct ShapeError {
    pub place: Box<Place>,
    pub message: String,
}

/// How a node is named in messages: `layer 3.1.0 "3x3 reduce" (conv 1×1)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub path: NodePath,
    pub noun: &'static str,
    pub name: Option<String>,
    pub detail: String,
}

impl Place {
    pub fn of(path: &NodePath, node: &Node) -> Place {
        let (noun, detail) = match node {
            Node::Layer(layer) => ("layer", describe_layer(layer)),
            Node::Concat(concat) => ("concat", format!("{} branches", concat.branches.len())),
            Node::Residual(residual) => (
                "residual",
                match residual.shortcut {
                    Some(_) => "projection shortcut".to_string(),
                    None => "identity shortcut".to_string(),
                },
            ),
        };
        Place {
            path: path.clone(),
            noun,
            name: node.name().map(str::to_string),
            detail,
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.noun)?;
        if !self.path.0.is_empty() {
            write!(f, " {}", self.path)?;
        }
        if let Some(name) = &self.name {
            write!(f, " \"{name}\"")?;
        }
        write!(f, " ({})", self.detail)
    }
}

/// "conv 3×3", "max_pool 3×3/2", "relu": enough to recognise a layer in a message.
pub fn describe_layer(layer: &Layer) -> String {
    match &layer.kind {
        LayerKind::Conv(conv) => format!("conv {}", conv.kernel),
        LayerKind::Pool(pool) => format!("{} {}", layer.kind.label(), pool.kernel),
        other => other.label().to_string(),
    }
}

impl ShapeError {
    pub fn new(path: &NodePath, node: &Node, message: impl Into<String>) -> Self {
        ShapeError {
            place: Box::new(Place::of(path, node)),
            message: message.into(),
        }
    }

    /// An error about the block as a whole (its input, its size).
    pub fn of_block(block: &Block, detail: &str, message: impl Into<String>) -> Self {
        ShapeError {
            place: Box::new(Place {
                path: NodePath::default(),
                noun: "block",
                name: Some(block.name.clone()),
                detail: detail.to_string(),
            }),
            message: message.into(),
        }
    }

    /// Where the error is: the node's path in the block.
    pub fn path(&self) -> &NodePath {
        &self.place.path
    }
}
