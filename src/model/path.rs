//! Addresses of nodes inside a block, stable enough to key per-layer data on.
//!
//! A path alternates "index in a chain" and "which chain of that node": `[3]` is the fourth node
//! of the body; `[3, 1, 0]` is the first node of branch 1 of the concat at body index 3; for a
//! residual, chain 0 is the body and chain 1 the shortcut.

use std::fmt;

use super::node::{Chain, Node};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NodePath(pub Vec<usize>);

impl NodePath {
    pub fn child(&self, chain: usize, index: usize) -> NodePath {
        let mut steps = self.0.clone();
        steps.extend([chain, index]);
        NodePath(steps)
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
}

impl fmt::Display for NodePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let steps: Vec<String> = self.0.iter().map(usize::to_string).collect();
        f.write_str(&steps.join("."))
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

/// Every node under `root` in reading order (a composite before what it holds), with its path.
pub fn walk(root: &Chain) -> Vec<(NodePath, &Node)> {
    fn visit<'a>(chain: &'a Chain, prefix: &[usize], out: &mut Vec<(NodePath, &'a Node)>) {
        for (index, node) in chain.iter().enumerate() {
            let mut steps = prefix.to_vec();
            steps.push(index);
            out.push((NodePath(steps.clone()), node));
            for (step, inner) in node.chains() {
                let mut inner_prefix = steps.clone();
                inner_prefix.push(step);
                visit(inner, &inner_prefix, out);
            }
        }
    }
    let mut out = Vec::new();
    visit(root, &[], &mut out);
    out
}
