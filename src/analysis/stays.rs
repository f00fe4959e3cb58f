//! Why a 1×1 convolution stays in the counterpart: the rule that would drop it and what, in its
//! chain, keeps that rule from applying. The rules themselves are in `rules.rs`; this reads the
//! same neighbours they read, so the reason given is the one that holds.

use crate::model::{Block, LayerKind, Node, NodePath, Pair, Part, chain_at};

use super::rules::{left_alone, role_of};

/// Why the 1×1 conv at a path stays even on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stays {
    /// It is inside a chain the rules leave alone (a residual's shortcut).
    LeftAlone,
    /// The k×k conv after it is grouped: its groups were sized for the 1×1's width.
    GroupedAfter { groups: usize },
    /// It feeds a concat: the reduce rule needs the k×k conv in its own chain.
    FeedsConcat,
    /// It feeds a residual block, whose body and shortcut both read it.
    FeedsResidual,
    /// The conv before it is grouped, and its groups do not divide the 1×1's width.
    GroupedBefore { groups: usize },
    /// It changes the spatial size (stride or padding), and no neighbour can take that over
    /// and still give every later layer its size.
    Spatial,
    /// No k×k conv right after it, no conv or pool right before it.
    NoRule,
}

impl Stays {
    pub fn reason(self) -> String {
        match self {
            Stays::LeftAlone => "is in a residual's shortcut, which the rules leave alone: it \
                                 makes the input match the body's shape"
                .into(),
            Stays::GroupedAfter { groups } => format!(
                "stays: the k×k conv after it has groups={groups}, sized for this 1×1's width, so \
                 it cannot read the 1×1's input instead (reduce needs an ungrouped k×k)"
            ),
            Stays::FeedsConcat => "stays: it feeds a concat, and the reduce rule needs its k×k \
                                   conv next in the same chain, not inside the branches"
                .into(),
            Stays::FeedsResidual => "stays: it feeds a residual block, whose body and shortcut \
                                     both read its output"
                .into(),
            Stays::GroupedBefore { groups } => format!(
                "stays: the conv before it has groups={groups}, which does not divide this \
                 1×1's width, so that conv cannot take it over (mix)"
            ),
            Stays::Spatial => "stays: it changes the spatial size (stride or padding), and \
                               neither neighbour can take that over and keep every later size"
                .into(),
            Stays::NoRule => "stays even without 1×1 convs: no conv after it, no conv before \
                              it, no pool before it in its chain"
                .into(),
        }
    }
}

/// Why no rule can drop the 1×1 conv at `path` on its own; `None` when one can.
pub fn why_it_stays(block: &Block, path: &NodePath) -> Option<Stays> {
    let untouched = path.enclosing().any(|(owner, step)| {
        block
            .node(&owner)
            .and_then(|node| Part::of_chain(node, step))
            .is_some_and(left_alone)
    });
    if untouched {
        return Some(Stays::LeftAlone);
    }
    if role_of(block, path).is_some() {
        return None;
    }
    Some(neighbours(block, path).unwrap_or(Stays::NoRule))
}

/// What the rules found next to the 1×1 at `path`, read through the layers that go with it.
fn neighbours(block: &Block, path: &NodePath) -> Option<Stays> {
    let (chain, index) = path.split_last()?;
    let chain = chain_at(&block.body, chain)?;
    let conv = chain.get(index)?.as_layer()?.as_conv()?;
    let attached = |node: &Node| node.as_layer().is_some_and(|l| l.kind.is_attachment());
    let after = chain[index + 1..].iter().find(|n| !attached(n));
    let before = chain[..index].iter().rev().find(|n| !attached(n));
    let width = conv.out_channels;
    match after {
        Some(Node::Layer(layer)) => {
            if let Some(next) = layer.as_conv()
                && !next.is_pointwise()
                && next.groups > 1
            {
                return Some(Stays::GroupedAfter {
                    groups: next.groups,
                });
            }
        }
        Some(Node::Concat(_)) => return Some(Stays::FeedsConcat),
        Some(Node::Residual(_)) => return Some(Stays::FeedsResidual),
        None => {}
    }
    if let Some(prev) = before.and_then(Node::as_layer).and_then(|l| l.as_conv())
        && prev.groups > 0
        && !width.is_multiple_of(prev.groups)
    {
        return Some(Stays::GroupedBefore {
            groups: prev.groups,
        });
    }
    let partner = after
        .and_then(Node::as_layer)
        .and_then(|l| l.as_conv())
        .is_some_and(|c| !c.is_pointwise())
        || before
            .and_then(Node::as_layer)
            .is_some_and(|l| matches!(l.kind, LayerKind::Conv(_) | LayerKind::Pool(_)));
    let spatial = conv.stride != Pair::square(1) || !conv.padding.is_zero();
    (spatial && partner).then_some(Stays::Spatial)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LayerKind;
    use crate::preset;

    fn path_of(block: &Block, name: &str) -> NodePath {
        block
            .layers()
            .find(|(_, l)| l.name.as_deref() == Some(name))
            .map(|(p, _)| p)
            .unwrap()
    }

    #[test]
    fn a_grouped_3x3_keeps_its_reduce_and_says_so() {
        let mut block = preset::builtin("inception3a").unwrap();
        let three = path_of(&block, "3x3");
        if let Some(LayerKind::Conv(c)) = block.layer_mut(&three).map(|l| &mut l.kind) {
            c.groups = 4;
        }
        let reduce = path_of(&block, "3x3 reduce");
        assert_eq!(
            why_it_stays(&block, &reduce),
            Some(Stays::GroupedAfter { groups: 4 })
        );
        assert!(
            Stays::GroupedAfter { groups: 4 }
                .reason()
                .contains("groups=4")
        );
    }

    #[test]
    fn a_squeeze_after_a_concat_feeds_the_next_concat() {
        let block = preset::builtin("squeezenet1_0").unwrap();
        let squeeze = path_of(&block, "features.4.squeeze");
        assert_eq!(why_it_stays(&block, &squeeze), Some(Stays::FeedsConcat));
        let first = path_of(&block, "features.3.squeeze");
        assert_eq!(
            why_it_stays(&block, &first),
            None,
            "a pool before it: project"
        );
    }

    #[test]
    fn inceptions_own_1x1_has_no_neighbour() {
        let block = preset::builtin("inception3a").unwrap();
        let own = path_of(&block, "1x1");
        assert_eq!(why_it_stays(&block, &own), Some(Stays::NoRule));
    }
}
