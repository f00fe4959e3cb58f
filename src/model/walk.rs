//! The one walk over a block's tree. Inference, the counterpart planner, the editor's outline and
//! [`nodes`] all read the block through [`visit`], so they agree on reading order, on which
//! chains a composite has and on how deep each row sits.
//!
//! Order: a node, then (for a concat or residual) each of its chains — a concat's branches in
//! order; a residual's body, then its shortcut, or the identity when it has none — and then the
//! composite's [`Step::Close`]. A chain's contents sit one level deeper than the chain's own
//! row, which sits one deeper than its composite.

use super::node::{Chain, Node};
use super::path::{ChainPath, NodePath};

/// Which part of a composite a row stands for: its header, or one of its chains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    Concat,
    /// Branch `i` (0-based) of a concat.
    Branch(usize),
    Residual,
    Body,
    Shortcut,
    /// A residual's shortcut when it has none: the input itself.
    Identity,
}

impl Part {
    pub fn label(self) -> String {
        match self {
            Part::Concat => "concat".into(),
            Part::Branch(i) => format!("branch {}", i + 1),
            Part::Residual => "residual".into(),
            Part::Body => "body".into(),
            Part::Shortcut => "shortcut".into(),
            Part::Identity => "shortcut: identity".into(),
        }
    }

    /// The header part of a composite node; `None` for a layer.
    pub fn header_of(node: &Node) -> Option<Part> {
        match node {
            Node::Layer(_) => None,
            Node::Concat(_) => Some(Part::Concat),
            Node::Residual(_) => Some(Part::Residual),
        }
    }

    /// What chain `step` of `node` is (a residual's step 1 is its shortcut, or the identity).
    pub fn of_chain(node: &Node, step: usize) -> Option<Part> {
        match (node, step) {
            (Node::Concat(concat), step) if step < concat.branches.len() => {
                Some(Part::Branch(step))
            }
            (Node::Residual(_), 0) => Some(Part::Body),
            (Node::Residual(residual), 1) => Some(match residual.shortcut {
                Some(_) => Part::Shortcut,
                None => Part::Identity,
            }),
            _ => None,
        }
    }
}

/// One step of the walk.
#[derive(Debug, Clone, Copy)]
pub enum Step<'p, 'a> {
    /// A layer, or the header of a concat or residual (whose chains and `Close` follow).
    Node {
        path: &'p NodePath,
        node: &'a Node,
        depth: usize,
    },
    /// A chain of the composite at `owner` begins. `chain` is `None` for a residual with no
    /// shortcut: the identity, an empty row of its own.
    OpenChain {
        owner: &'p NodePath,
        step: usize,
        part: Part,
        chain: Option<&'a Chain>,
        depth: usize,
    },
    /// That chain has ended: its nodes (and everything inside them) have been visited.
    CloseChain {
        owner: &'p NodePath,
        step: usize,
        part: Part,
        chain: Option<&'a Chain>,
    },
    /// Every chain of the composite at `path` has been visited.
    Close { path: &'p NodePath, node: &'a Node },
}

/// Walks `body` in reading order; the first error `f` returns stops the walk and is returned.
pub fn visit<'a, E>(
    body: &'a Chain,
    f: &mut impl FnMut(Step<'_, 'a>) -> Result<(), E>,
) -> Result<(), E> {
    chain(body, &ChainPath::root(), 0, f)
}

fn chain<'a, E>(
    nodes: &'a Chain,
    at: &ChainPath,
    depth: usize,
    f: &mut impl FnMut(Step<'_, 'a>) -> Result<(), E>,
) -> Result<(), E> {
    for (index, node) in nodes.iter().enumerate() {
        let path = at.node(index);
        f(Step::Node {
            path: &path,
            node,
            depth,
        })?;
        if !node.is_composite() {
            continue;
        }
        for step in 0..node.chain_count() {
            let Some(part) = Part::of_chain(node, step) else {
                continue;
            };
            let inner = node.chain(step);
            let open = Step::OpenChain {
                owner: &path,
                step,
                part,
                chain: inner,
                depth: depth + 1,
            };
            f(open)?;
            if let Some(inner) = inner {
                chain(inner, &path.chain(step), depth + 2, f)?;
            }
            f(Step::CloseChain {
                owner: &path,
                step,
                part,
                chain: inner,
            })?;
        }
        f(Step::Close { path: &path, node })?;
    }
    Ok(())
}

/// Every node under `body` in reading order (a composite before what it holds), with its path.
pub fn nodes(body: &Chain) -> Vec<(NodePath, &Node)> {
    let mut out = Vec::new();
    let all = visit(body, &mut |step| {
        if let Step::Node { path, node, .. } = step {
            out.push((path.clone(), node));
        }
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(()) = all;
    out
}

/// How many nodes (layers, concats, residuals) are under `body`.
pub fn count_nodes(body: &Chain) -> usize {
    let mut count = 0;
    let all = visit(body, &mut |step| {
        count += usize::from(matches!(step, Step::Node { .. }));
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(()) = all;
    count
}
