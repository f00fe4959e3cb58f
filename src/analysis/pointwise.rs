//! Which 1×1 convolutions a block can do without, and what changes when they go.
//!
//! DESIGN.md's rules, applied along each chain until none applies. Batch norm, activations and
//! dropout right after a dropped conv go with it, and the rules look through them:
//! 1. *reduce*: a 1×1 followed by a k×k conv (k > 1): dropped, the k×k reads what the 1×1 read;
//! 2. *mix/expand*: a 1×1 preceded by another conv: dropped, that conv takes the 1×1's width;
//! 3. *project*: a 1×1 right after a pool: dropped, the pool passes its channels on;
//! 4. any other 1×1 stays.
//!
//! Rules apply in that order: each pass looks for a reduce anywhere in the chain, then a mix,
//! then a project, and a drop starts the next pass. A residual's shortcut is left alone (its
//! 1×1 matches the body's shape). A strided 1×1 folds its stride into the layer that replaces
//! it, and goes only where that gives exactly the spatial size it gave; otherwise it stays.

use std::collections::BTreeMap;

use crate::model::{Block, Chain, Layer, LayerKind, Node, NodePath, Pair, Shape};

use super::infer::infer;
use super::layer_figures::evaluate;
use super::rows::Row;

/// Why a 1×1 convolution can go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Reduce,
    Mix,
    Project,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Reduce => "reduce",
            Role::Mix => "mix",
            Role::Project => "project",
        }
    }
}

/// A layer removed from the analysed block: a 1×1 conv, or an attachment of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub role: Role,
    /// The 1×1 convolution this layer goes with (its own path when it is that conv).
    pub conv: NodePath,
}

/// How a kept convolution changes to stand in for a dropped 1×1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adjustment {
    pub out_channels: Option<usize>,
    pub stride_factor: Pair,
}

impl Default for Adjustment {
    fn default() -> Self {
        Adjustment {
            out_channels: None,
            stride_factor: Pair::square(1),
        }
    }
}

/// The edits that turn a block into the block without (some of) its 1×1 convolutions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub dropped: BTreeMap<NodePath, Dropped>,
    pub adjusted: BTreeMap<NodePath, Adjustment>,
}

impl Plan {
    /// The 1×1 convolutions this plan drops, in reading order, with their roles.
    pub fn dropped_convs(&self) -> impl Iterator<Item = (&NodePath, Role)> {
        self.dropped
            .iter()
            .filter(|(path, dropped)| **path == dropped.conv)
            .map(|(path, dropped)| (path, dropped.role))
    }
}

/// Which 1×1 convolutions a plan may drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Every one the rules allow: the counterpart "without its 1×1 convolutions".
    All,
    /// Those the user bypassed.
    Bypassed,
    /// Just this one (to ask whether it can be bypassed).
    Only(&'a NodePath),
}

impl Scope<'_> {
    fn admits(&self, path: &NodePath, layer: &Layer) -> bool {
        match self {
            Scope::All => true,
            Scope::Bypassed => layer.bypassed,
            Scope::Only(only) => *only == path,
        }
    }
}

pub fn plan(block: &Block, scope: Scope) -> Plan {
    let mut plan = Plan::default();
    let shapes = Shapes::of(block);
    plan_chain(&block.body, &[], scope, &shapes, &mut plan);
    plan
}

/// The rule by which the 1×1 conv at `path` would be dropped on its own, if any.
pub fn role_of(block: &Block, path: &NodePath) -> Option<Role> {
    plan(block, Scope::Only(path))
        .dropped
        .get(path)
        .map(|dropped| dropped.role)
}

const RULES: [Role; 3] = [Role::Reduce, Role::Mix, Role::Project];

fn plan_chain(chain: &Chain, prefix: &[usize], scope: Scope, shapes: &Shapes, plan: &mut Plan) {
    let path_of = |index: usize| {
        let mut steps = prefix.to_vec();
        steps.push(index);
        NodePath(steps)
    };
    for (index, node) in chain.iter().enumerate() {
        for (step, inner) in node.chains() {
            // A residual's shortcut exists to match the body's shape; its 1×1 always stays.
            if matches!(node, Node::Residual(_)) && step == 1 {
                continue;
            }
            let mut inner_prefix = path_of(index).0;
            inner_prefix.push(step);
            plan_chain(inner, &inner_prefix, scope, shapes, plan);
        }
    }

    let mut walk = ChainWalk {
        chain,
        live: vec![true; chain.len()],
    };
    // Rule by rule, in DESIGN.md's order; each drop restarts from the first rule on the chain
    // as the drop left it (NIN's cccp2 is "preceded by a conv" once cccp1 is gone).
    'passes: loop {
        for role in RULES {
            for index in 0..chain.len() {
                let Some(Node::Layer(layer)) = walk.live_node(index) else {
                    continue;
                };
                let Some(conv) = layer.as_conv().filter(|conv| conv.is_pointwise()) else {
                    continue;
                };
                if !scope.admits(&path_of(index), layer) {
                    continue;
                }
                let tail = walk.attachments_after(index);
                let after = tail.last().copied().unwrap_or(index);
                let Some(partner) = (match role {
                    Role::Reduce => walk.reduce_partner(after),
                    Role::Mix => walk.mix_partner(index, conv.out_channels),
                    Role::Project => walk.pool_before(index),
                }) else {
                    continue;
                };
                let adjustment = plan.adjusted.get(&path_of(partner)).copied();
                let adjustment = adjustment.unwrap_or_default();
                let stride = mul_pair(adjustment.stride_factor, conv.stride);
                // Reduce: the k×k now reads the 1×1's input and must give what it gave.
                // Mix and project: the partner keeps its input and must give what the 1×1 gave.
                let (reads, gives) = match role {
                    Role::Reduce => (
                        shapes.input(&path_of(index)),
                        shapes.output(&path_of(partner)),
                    ),
                    Role::Mix | Role::Project => (
                        shapes.input(&path_of(partner)),
                        shapes.output(&path_of(index)),
                    ),
                };
                if conv.stride != Pair::square(1)
                    && !folds_exactly(&chain[partner], stride, reads, gives)
                {
                    continue;
                }
                if role == Role::Mix || stride != adjustment.stride_factor {
                    let entry = plan.adjusted.entry(path_of(partner)).or_default();
                    entry.stride_factor = stride;
                    if role == Role::Mix {
                        entry.out_channels = Some(conv.out_channels);
                    }
                }
                for removed in std::iter::once(index).chain(tail) {
                    walk.live[removed] = false;
                    plan.dropped.insert(
                        path_of(removed),
                        Dropped {
                            role,
                            conv: path_of(index),
                        },
                    );
                }
                continue 'passes;
            }
        }
        break;
    }
}

/// Whether `partner` with its stride multiplied by `factor`, reading `reads`, gives the
/// height and width of `gives`: a strided 1×1 may only go where its stride folds exactly.
fn folds_exactly(partner: &Node, factor: Pair, reads: Option<Shape>, gives: Option<Shape>) -> bool {
    let (Some(Node::Layer(layer)), Some(reads), Some(gives)) = (Some(partner), reads, gives) else {
        return false;
    };
    let mut kind = layer.kind.clone();
    match &mut kind {
        LayerKind::Conv(conv) => {
            conv.stride = mul_pair(conv.stride, factor);
            // Only the spatial size is compared: keep the channel arithmetic trivially valid.
            conv.groups = 1;
        }
        LayerKind::Pool(pool) => pool.stride = mul_pair(pool.stride, factor),
        _ => return false,
    }
    evaluate(&kind, reads).is_ok_and(|f| (f.output.h, f.output.w) == (gives.h, gives.w))
}

/// Every layer's input and output shape in the block as it is, bypasses ignored: what a
/// strided 1×1's replacement must reproduce. Empty when the block does not fit, which keeps
/// strided 1×1s (unstrided ones need no shapes).
struct Shapes(BTreeMap<NodePath, (Shape, Shape)>);

impl Shapes {
    fn of(block: &Block) -> Shapes {
        let rows = infer(block, &Plan::default()).map_or_else(|_| Vec::new(), |i| i.rows);
        Shapes(
            rows.iter()
                .filter_map(Row::as_layer)
                .map(|row| (row.path.clone(), (row.input, row.output)))
                .collect(),
        )
    }

    fn input(&self, path: &NodePath) -> Option<Shape> {
        self.0.get(path).map(|(input, _)| *input)
    }

    fn output(&self, path: &NodePath) -> Option<Shape> {
        self.0.get(path).map(|(_, output)| *output)
    }
}

fn mul_pair(a: Pair, b: Pair) -> Pair {
    Pair::new(a.h.saturating_mul(b.h), a.w.saturating_mul(b.w))
}

/// A chain with some nodes already dropped, read the way the rules read it.
struct ChainWalk<'a> {
    chain: &'a Chain,
    live: Vec<bool>,
}

impl ChainWalk<'_> {
    fn live_node(&self, index: usize) -> Option<&Node> {
        self.live[index].then(|| &self.chain[index])
    }

    fn live_layer(&self, index: usize) -> Option<&Layer> {
        self.live_node(index)?.as_layer()
    }

    fn is_attachment(&self, index: usize) -> bool {
        self.live_layer(index)
            .is_some_and(|layer| layer.kind.is_attachment())
    }

    fn attachments_after(&self, index: usize) -> Vec<usize> {
        (index + 1..self.chain.len())
            .filter(|&i| self.live[i])
            .take_while(|&i| self.is_attachment(i))
            .collect()
    }

    fn next_live(&self, index: usize) -> Option<usize> {
        (index + 1..self.chain.len()).find(|&i| self.live[i])
    }

    fn previous_live(&self, index: usize) -> Option<usize> {
        (0..index).rev().find(|&i| self.live[i])
    }

    /// The k×k conv (k > 1) that the 1×1 ending at `after` feeds, if it can read the 1×1's
    /// input instead: grouped convs are left alone, as their groups were sized for the 1×1.
    fn reduce_partner(&self, after: usize) -> Option<usize> {
        let next = self.next_live(after)?;
        let conv = self.live_layer(next)?.as_conv()?;
        (!conv.is_pointwise() && conv.groups == 1).then_some(next)
    }

    /// The conv before the 1×1 (through attachments), if it can take the 1×1's width.
    fn mix_partner(&self, index: usize, width: usize) -> Option<usize> {
        let mut cursor = self.previous_live(index)?;
        while self.is_attachment(cursor) {
            cursor = self.previous_live(cursor)?;
        }
        let conv = self.live_layer(cursor)?.as_conv()?;
        (conv.groups > 0 && width.is_multiple_of(conv.groups)).then_some(cursor)
    }

    /// The pool right before the 1×1, which can pass its channels on instead.
    fn pool_before(&self, index: usize) -> Option<usize> {
        let prev = self.previous_live(index)?;
        matches!(self.live_layer(prev)?.kind, LayerKind::Pool(_)).then_some(prev)
    }
}

#[cfg(test)]
#[path = "pointwise_tests.rs"]
mod tests;
