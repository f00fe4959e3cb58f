//! Addresses inside a block, stable enough to key per-layer data on.
//!
//! A path alternates "index in a chain" and "which chain of that node": `[3]` is the fourth node
//! of the body; `[3, 1, 0]` is the first node of branch 1 of the concat at body index 3; for a
//! residual, chain 0 is the body and chain 1 the shortcut. A [`ChainPath`] is the even-length
//! prefix that names a chain; a [`Target`] is what the editor can select: a node or a chain.

use std::fmt;

use super::node::{Chain, Node};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NodePath(pub Vec<usize>);

/// The chain that holds nodes: the block's body (no steps), or chain `step` of the node at a
/// path (that path's steps and then `step`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ChainPath(pub Vec<usize>);

impl ChainPath {
    /// The block's body.
    pub fn root() -> ChainPath {
        ChainPath(Vec::new())
    }

    /// The node at `index` of this chain.
    pub fn node(&self, index: usize) -> NodePath {
        let mut steps = Vec::with_capacity(self.0.len() + 1);
        steps.extend_from_slice(&self.0);
        steps.push(index);
        NodePath(steps)
    }

    /// Whether `path` lies in this chain after its node `index`, directly or inside a later node.
    pub fn holds_after(&self, path: &NodePath, index: usize) -> bool {
        path.0.len() > self.0.len() && path.0.starts_with(&self.0) && path.0[self.0.len()] > index
    }
}

impl NodePath {
    /// Chain `step` of the node at this path.
    pub fn chain(&self, step: usize) -> ChainPath {
        let mut steps = Vec::with_capacity(self.0.len() + 1);
        steps.extend_from_slice(&self.0);
        steps.push(step);
        ChainPath(steps)
    }

    pub fn child(&self, chain: usize, index: usize) -> NodePath {
        self.chain(chain).node(index)
    }

    /// The chain that holds this node, and the node's index in it.
    pub fn parent(&self) -> Option<(ChainPath, usize)> {
        let (chain, index) = self.split_last()?;
        Some((ChainPath(chain.to_vec()), index))
    }

    /// The steps of the chain that holds this node, and the node's index in it.
    pub fn split_last(&self) -> Option<(&[usize], usize)> {
        let (last, chain) = self.0.split_last()?;
        Some((chain, *last))
    }

    /// How many composites (concats, residuals) enclose the node.
    pub fn nesting(&self) -> usize {
        self.0.len().saturating_sub(1) / 2
    }

    /// The composites around this node, outermost first, each with the step of the chain of it
    /// that leads here.
    pub fn enclosing(&self) -> impl Iterator<Item = (NodePath, usize)> + '_ {
        (1..self.0.len())
            .step_by(2)
            .map(|chain| (NodePath(self.0[..chain].to_vec()), self.0[chain]))
    }
}

impl fmt::Display for NodePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps: Vec<String> = self.0.iter().map(usize::to_string).collect();
        f.write_str(&steps.join("."))
    }
}

/// What a row of the editor stands for, and where an edit applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A node: a layer, or the header row of a concat or residual.
    Node(NodePath),
    /// A chain inside a composite: branch `step` of a concat, or a residual's body (0) or
    /// shortcut (1; the identity when the residual has none).
    Chain { owner: NodePath, step: usize },
}

impl Target {
    /// The node this target belongs to (a chain belongs to its composite).
    pub fn node_path(&self) -> &NodePath {
        match self {
            Target::Node(path) => path,
            Target::Chain { owner, .. } => owner,
        }
    }
}

/// The chain at `steps` (an even-length list of node-index, chain-index pairs) under `root`.
pub fn chain_at<'a>(root: &'a Chain, steps: &[usize]) -> Option<&'a Chain> {
    match steps {
        [] => Some(root),
        [index, chain, rest @ ..] => chain_at(root.get(*index)?.chain(*chain)?, rest),
        [_] => None,
    }
}

pub fn chain_at_mut<'a>(root: &'a mut Chain, steps: &[usize]) -> Option<&'a mut Chain> {
    match steps {
        [] => Some(root),
        [index, chain, rest @ ..] => chain_at_mut(root.get_mut(*index)?.chain_mut(*chain)?, rest),
        [_] => None,
    }
}

pub fn node_at<'a>(root: &'a Chain, path: &NodePath) -> Option<&'a Node> {
    let (chain, index) = path.split_last()?;
    chain_at(root, chain)?.get(index)
}

pub fn node_at_mut<'a>(root: &'a mut Chain, path: &NodePath) -> Option<&'a mut Node> {
    let (chain, index) = path.split_last()?;
    chain_at_mut(root, chain)?.get_mut(index)
}
