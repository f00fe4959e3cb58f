//! The block being explored, as plain data: an input shape and a chain of layers, concats and
//! residuals. Nothing here knows about JSON, terminals or threads; shapes and counts are derived
//! by `analysis`. Edits of a block (inserting, deleting, widening) are pure surgery in [`edit`].

pub mod edit;
mod layer;
mod node;
mod path;
mod shape;
mod text;
mod walk;

pub use layer::{Conv, FullyConnected, Layer, LayerKind, Lrn, Padding, Pair, Pool, PoolKind};
pub use node::{Chain, Concat, MAX_NESTING, MAX_NODES, Node, Residual};
pub use path::{ChainPath, NodePath, Target, chain_at, chain_at_mut, node_at, node_at_mut};
pub use shape::{MAX_CHANNELS, MAX_SPATIAL, Shape};
pub use text::{MAX_SHOWN, edit_distance, printable, printable_within, short_number};
pub use walk::{Part, Step, count_nodes, nodes, visit};

/// A block: what the user opens, edits and saves.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Block {
    pub name: String,
    pub description: String,
    pub input: Shape,
    pub body: Chain,
}

impl Block {
    pub fn node(&self, path: &NodePath) -> Option<&Node> {
        node_at(&self.body, path)
    }

    pub fn node_mut(&mut self, path: &NodePath) -> Option<&mut Node> {
        node_at_mut(&mut self.body, path)
    }

    pub fn layer(&self, path: &NodePath) -> Option<&Layer> {
        self.node(path)?.as_layer()
    }

    pub fn layer_mut(&mut self, path: &NodePath) -> Option<&mut Layer> {
        match self.node_mut(path)? {
            Node::Layer(layer) => Some(layer),
            _ => None,
        }
    }

    /// Every layer in reading order with its path.
    pub fn layers(&self) -> impl Iterator<Item = (NodePath, &Layer)> {
        nodes(&self.body)
            .into_iter()
            .filter_map(|(path, node)| node.as_layer().map(|layer| (path, layer)))
    }
}
