//! Block surgery, as functions on the block: insert a node, delete one, add
//! a concat branch, step a width. Each returns what it did or why it cannot, and never panics;
//! a result whose shapes do not fit is allowed (the analysis says what is wrong).

use super::Block;
use super::layer::{Conv, Layer, LayerKind};
use super::node::{Chain, Concat, Node};
use super::path::{NodePath, Target, chain_at_mut};
use super::shape::MAX_CHANNELS;

/// The chain holding `path`'s node and the node's index in it.
fn parent_chain<'a>(block: &'a mut Block, path: &NodePath) -> Option<(&'a mut Chain, usize)> {
    let (steps, index) = path.split_last()?;
    Some((chain_at_mut(&mut block.body, steps)?, index))
}

/// Inserts `node` after the selected node, or first in the selected chain (creating a
/// residual's shortcut when it had none). Returns the new node's path.
pub fn insert(block: &mut Block, at: &Target, node: Node) -> Option<NodePath> {
    match at {
        Target::Node(path) => {
            let (chain, index) = parent_chain(block, path)?;
            let at = (index + 1).min(chain.len());
            chain.insert(at, node);
            Some(path.parent()?.0.node(at))
        }
        Target::Chain { owner, step } => {
            let composite = block.node_mut(owner)?;
            if let (Node::Residual(residual), 1) = (&mut *composite, step) {
                residual.shortcut.get_or_insert_with(Vec::new);
            }
            composite.chain_mut(*step)?.insert(0, node);
            Some(owner.child(*step, 0))
        }
    }
}

/// Inserts `node` at the very start of the block body (for an empty block).
pub fn insert_first(block: &mut Block, node: Node) -> NodePath {
    block.body.insert(0, node);
    NodePath(vec![0])
}

/// Deletes the selected node, concat branch or residual shortcut.
pub fn delete(block: &mut Block, target: &Target) -> Result<(), String> {
    match target {
        Target::Node(path) => {
            let (chain, index) = parent_chain(block, path).ok_or("nothing to delete here")?;
            if index >= chain.len() {
                return Err("nothing to delete here".into());
            }
            chain.remove(index);
            Ok(())
        }
        Target::Chain { owner, step } => match block.node_mut(owner) {
            Some(Node::Concat(concat)) if concat.branches.len() > 1 => {
                if *step >= concat.branches.len() {
                    return Err("nothing to delete here".into());
                }
                concat.branches.remove(*step);
                Ok(())
            }
            Some(Node::Concat(_)) => {
                Err("a concat keeps at least one branch; delete the concat itself instead".into())
            }
            Some(Node::Residual(residual)) if *step == 1 => {
                if residual.shortcut.take().is_none() {
                    return Err("the shortcut is already the identity".into());
                }
                Ok(())
            }
            Some(Node::Residual(_)) => {
                Err("a residual needs its body; delete the residual itself instead".into())
            }
            _ => Err("nothing to delete here".into()),
        },
    }
}

/// The innermost concat that is, or encloses, the selection.
pub fn enclosing_concat(block: &Block, target: &Target) -> Option<NodePath> {
    let path = target.node_path();
    let around: Vec<NodePath> = path.enclosing().map(|(owner, _)| owner).collect();
    std::iter::once(path.clone())
        .chain(around.into_iter().rev())
        .find(|path| matches!(block.node(path), Some(Node::Concat(_))))
}

/// Appends a branch to the concat at `concat`; returns the new branch's index.
pub fn add_branch(block: &mut Block, concat: &NodePath, branch: Chain) -> Option<usize> {
    match block.node_mut(concat)? {
        Node::Concat(Concat { branches, .. }) => {
            branches.push(branch);
            Some(branches.len() - 1)
        }
        _ => None,
    }
}

/// The branch `b` adds: a 1×1 convolution to 32 channels and its ReLU.
pub fn new_branch() -> Chain {
    vec![
        Node::Layer(Layer::named("new 1x1", LayerKind::Conv(Conv::new(32, 1)))),
        Node::Layer(Layer::named("new relu", LayerKind::Relu)),
    ]
}

/// The next width up (`up`) or down from `n`: multiples of 8 from 8 on, single steps below.
pub fn step_width(n: usize, up: bool) -> usize {
    const STEP: usize = 8;
    let next = match (up, n) {
        (true, n) if n < STEP => n + 1,
        (true, n) => (n / STEP + 1) * STEP,
        (false, n) if n <= STEP => n.saturating_sub(1),
        (false, n) => n.div_ceil(STEP) * STEP - STEP,
    };
    next.clamp(1, MAX_CHANNELS)
}

/// Steps the out channels of the conv (or the features of the FC layer) at `path`. Returns the
/// new width, or why it cannot.
pub fn step_channels(block: &mut Block, path: &NodePath, up: bool) -> Result<usize, String> {
    let layer = block
        .layer_mut(path)
        .ok_or("select a conv or fc layer to change its width")?;
    let width = match &mut layer.kind {
        LayerKind::Conv(conv) => &mut conv.out_channels,
        LayerKind::FullyConnected(fc) => &mut fc.out_features,
        other => {
            return Err(format!(
                "a {} layer has no width of its own; select a conv or fc layer",
                other.label()
            ));
        }
    };
    *width = step_width(*width, up);
    Ok(*width)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Residual, Shape};

    fn layer(kind: LayerKind) -> Node {
        Node::Layer(Layer::new(kind))
    }

    fn block(body: Chain) -> Block {
        Block {
            name: "test".into(),
            description: String::new(),
            input: Shape::new(192, 28, 28),
            body,
        }
    }

    /// Inception's shape: one concat of four towers, of one, two, two and two layers.
    fn inception() -> Block {
        let conv = |out, k| layer(LayerKind::Conv(Conv::new(out, k)));
        block(vec![Node::Concat(Concat {
            name: Some("inception".into()),
            branches: vec![
                vec![conv(64, 1)],
                vec![conv(96, 1), conv(128, 3)],
                vec![conv(16, 1), conv(32, 5)],
                vec![layer(LayerKind::Relu), conv(32, 1)],
            ],
        })])
    }

    #[test]
    fn widths_step_by_eight_and_stay_in_range() {
        assert_eq!(step_width(64, true), 72);
        assert_eq!(step_width(64, false), 56);
        assert_eq!(step_width(60, false), 56);
        assert_eq!(step_width(60, true), 64);
        assert_eq!(step_width(3, true), 4);
        assert_eq!(step_width(1, false), 1);
        assert_eq!(step_width(MAX_CHANNELS, true), MAX_CHANNELS);
    }

    #[test]
    fn inserts_after_a_node_and_first_in_a_chain() {
        let mut block = inception();
        let relu = || Node::Layer(Layer::new(LayerKind::Relu));
        let at = insert(&mut block, &Target::Node(NodePath(vec![0, 1, 0])), relu());
        assert_eq!(at, Some(NodePath(vec![0, 1, 1])));
        let chain = Target::Chain {
            owner: NodePath(vec![0]),
            step: 3,
        };
        assert_eq!(
            insert(&mut block, &chain, relu()),
            Some(NodePath(vec![0, 3, 0]))
        );
    }

    #[test]
    fn a_concat_keeps_one_branch() {
        let mut block = inception();
        let branch = |step| Target::Chain {
            owner: NodePath(vec![0]),
            step,
        };
        for _ in 0..3 {
            delete(&mut block, &branch(0)).unwrap();
        }
        assert!(
            delete(&mut block, &branch(0))
                .unwrap_err()
                .contains("at least one")
        );
    }

    #[test]
    fn finds_the_enclosing_concat() {
        let inner = Target::Node(NodePath(vec![0, 2, 1]));
        assert_eq!(
            enclosing_concat(&inception(), &inner),
            Some(NodePath(vec![0]))
        );
        let resnet = block(vec![Node::Residual(Residual {
            name: None,
            body: vec![layer(LayerKind::Relu)],
            shortcut: None,
        })]);
        assert_eq!(enclosing_concat(&resnet, &inner), None);
    }
}
