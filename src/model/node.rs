//! How layers compose: chains (sequences), concatenated branches and residual additions.

use super::layer::Layer;

/// A sequence of nodes, each feeding the next. A block's body, a concat's branch and a
/// residual's body and shortcut are all chains; the counterpart rules walk chains.
pub type Chain = Vec<Node>;

/// How many concats and residuals may sit inside each other. Deeper than any published block,
/// and shallow enough that every file the editor can save, the JSON reader reads back.
pub const MAX_NESTING: usize = 24;

/// How many nodes (layers, concats, residuals) a block may have: a whole ResNet-152 has about
/// 500, and the counterpart's planning, quadratic in a chain's length, stays interactive.
pub const MAX_NODES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Node {
    Layer(Layer),
    Concat(Concat),
    Residual(Residual),
}

/// Branches that all read the same input; their outputs are concatenated along channels, so
/// their spatial sizes must agree (Inception's four towers).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Concat {
    pub name: Option<String>,
    pub branches: Vec<Chain>,
}

/// `body(x) + shortcut(x)`, where a missing shortcut is the identity; both must give the same
/// shape. The activation after the addition is the next node of the enclosing chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Residual {
    pub name: Option<String>,
    pub body: Chain,
    pub shortcut: Option<Chain>,
}

impl Node {
    pub fn is_composite(&self) -> bool {
        !matches!(self, Node::Layer(_))
    }

    pub fn name(&self) -> Option<&str> {
        match self {
            Node::Layer(layer) => layer.name.as_deref(),
            Node::Concat(concat) => concat.name.as_deref(),
            Node::Residual(residual) => residual.name.as_deref(),
        }
    }

    pub fn as_layer(&self) -> Option<&Layer> {
        match self {
            Node::Layer(layer) => Some(layer),
            _ => None,
        }
    }

    /// How many chain steps this node has: a concat's branches; a residual's body and shortcut
    /// (step 1 even when the shortcut is the identity).
    pub fn chain_count(&self) -> usize {
        match self {
            Node::Layer(_) => 0,
            Node::Concat(concat) => concat.branches.len(),
            Node::Residual(_) => 2,
        }
    }

    pub fn chain(&self, step: usize) -> Option<&Chain> {
        match self {
            Node::Layer(_) => None,
            Node::Concat(concat) => concat.branches.get(step),
            Node::Residual(residual) => match step {
                0 => Some(&residual.body),
                1 => residual.shortcut.as_ref(),
                _ => None,
            },
        }
    }

    pub fn chain_mut(&mut self, step: usize) -> Option<&mut Chain> {
        match self {
            Node::Layer(_) => None,
            Node::Concat(concat) => concat.branches.get_mut(step),
            Node::Residual(residual) => match step {
                0 => Some(&mut residual.body),
                1 => residual.shortcut.as_mut(),
                _ => None,
            },
        }
    }
}
