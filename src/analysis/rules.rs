//! The rules that make a [`Plan`]: which 1×1 convolutions a block can do without, and what
//! changes when they go. ARCHITECTURE.md states them for users of the tool.
//!
//! Applied along each chain until none applies. Batch norm, activations and
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

use std::collections::BTreeSet;

use crate::model::{
    Block, Chain, ChainPath, Layer, LayerKind, MAX_NODES, Node, NodePath, Pair, Part, Step,
    count_nodes, visit,
};

use super::infer::{Inferred, infer};
use super::plan::{Dropped, Plan, Role, Scope};
use super::rows::Row;

/// A residual's shortcut exists to match the body's shape: the rules leave its chain (and
/// everything inside it) alone.
pub(super) fn left_alone(part: Part) -> bool {
    part == Part::Shortcut
}

pub fn plan(block: &Block, scope: Scope) -> Plan {
    // Planning is quadratic in a chain's length; a block over the limit is refused by
    // inference anyway, so do not spend seconds planning it first.
    if count_nodes(&block.body) > MAX_NODES {
        return Plan::default();
    }
    let mut planner = Planner {
        block,
        scope,
        plan: Plan::default(),
        current: None,
    };
    // Innermost chains first: a chain is planned when the walk closes it, then the body.
    let mut untouched = 0usize;
    let walked = visit(&block.body, &mut |step| {
        match step {
            Step::OpenChain { part, .. } if left_alone(part) => untouched += 1,
            Step::CloseChain { part, .. } if left_alone(part) => untouched -= 1,
            Step::CloseChain {
                owner,
                step,
                chain: Some(chain),
                ..
            } if untouched == 0 => planner.chain(chain, &owner.chain(step)),
            _ => {}
        }
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(()) = walked;
    planner.chain(&block.body, &ChainPath::root());
    planner.plan
}

/// The rule by which the 1×1 conv at `path` would be dropped on its own, if any.
pub fn role_of(block: &Block, path: &NodePath) -> Option<Role> {
    plan(block, Scope::Only(path)).dropped_conv(path)
}

const RULES: [Role; 3] = [Role::Reduce, Role::Mix, Role::Project];

struct Planner<'a> {
    block: &'a Block,
    scope: Scope<'a>,
    plan: Plan,
    /// The block inferred under `plan`, kept until the plan changes: every strided or padded
    /// candidate compares against it.
    current: Option<Option<Inferred>>,
}

impl Planner<'_> {
    fn chain(&mut self, chain: &Chain, at: &ChainPath) {
        let mut walk = ChainWalk::new(chain, at);
        // Rule by rule, in the documented order; each drop restarts from the first rule on the
        // chain as the drop left it (NIN's cccp2 is "preceded by a conv" once cccp1 is gone).
        // A rule that failed on a node fails again until a drop changes what that rule reads
        // there — the node itself or its nearest live neighbours — so each rule keeps the
        // nodes still worth trying, and a drop puts back only the few it touched. That keeps
        // the first drop found the same as trying every node, at linear rather than quadratic
        // cost in the chain's length.
        let mut pending: [BTreeSet<usize>; 3] = std::array::from_fn(|_| (0..chain.len()).collect());
        'passes: loop {
            for (rule, role) in RULES.into_iter().enumerate() {
                let mut from = 0;
                while let Some(&index) = pending[rule].range(from..).next() {
                    from = index + 1;
                    match self.try_drop(&mut walk, role, index) {
                        Tried::Dropped { touched } => {
                            for set in &mut pending {
                                set.extend(touched.iter().flatten());
                            }
                            continue 'passes;
                        }
                        Tried::Failed { again: false } => {
                            pending[rule].remove(&index);
                        }
                        Tried::Failed { again: true } => {}
                    }
                }
            }
            break;
        }
    }

    /// Drops the 1×1 conv at `index` (and what goes with it) by `role`, if the rule applies.
    fn try_drop(&mut self, walk: &mut ChainWalk, role: Role, index: usize) -> Tried {
        const LOCAL: Tried = Tried::Failed { again: false };
        let Some(Node::Layer(layer)) = walk.live_node(index) else {
            return LOCAL;
        };
        let Some(conv) = layer.as_conv().filter(|conv| conv.is_pointwise()) else {
            return LOCAL;
        };
        let path = walk.path(index);
        if !self.scope.admits(&path, layer) {
            return LOCAL;
        }
        // What this conv has become through earlier drops: a mix may have widened it and
        // handed it a stride.
        let own = self.plan.adjusted.get(&path).copied().unwrap_or_default();
        let width = own.out_channels.unwrap_or(conv.out_channels);
        let stride = mul_pair(conv.stride, own.stride_factor);
        let after = walk.last_attachment(index);
        let Some(partner) = (match role {
            Role::Reduce => walk.reduce_partner(after),
            Role::Mix => walk.mix_partner(index, width),
            Role::Project => walk.pool_before(index),
        }) else {
            return LOCAL;
        };
        let removed: Vec<usize> = (index..=after).filter(|&i| walk.live[i]).collect();
        // A 1×1 that changes the spatial size (a stride, padding) may only go where its
        // replacement gives every later layer of the chain the size it had: try it on a copy.
        let spatial = stride != Pair::square(1) || !conv.padding.is_zero();
        if spatial {
            let mut next = self.plan.clone();
            apply(
                &mut next,
                walk,
                role,
                (index, partner),
                &removed,
                (stride, width),
            );
            let current = self
                .current
                .get_or_insert_with(|| infer(self.block, &self.plan).ok());
            let candidate = infer(self.block, &next).ok();
            if !keeps_spatial_sizes(current.as_ref(), candidate.as_ref(), walk.at, after) {
                // Decided by the whole block's sizes, which any later drop may change.
                return Tried::Failed { again: true };
            }
            self.plan = next;
            self.current = Some(candidate);
        } else {
            apply(
                &mut self.plan,
                walk,
                role,
                (index, partner),
                &removed,
                (stride, width),
            );
        }
        // What the rules read around the drop: the partner (its width or stride changed), the
        // node whose attachments now run into what follows, and the node after the gap.
        let mut before = walk.previous_live(index);
        while let Some(b) = before.filter(|&b| walk.is_attachment(b)) {
            before = walk.previous_live(b);
        }
        let next = walk.next_live(after);
        for i in removed {
            walk.kill(i);
        }
        Tried::Dropped {
            touched: [Some(partner), before, next],
        }
    }
}

/// What trying a rule on a node came to.
enum Tried {
    /// Dropped; these nodes may now pass rules that failed on them.
    Dropped { touched: [Option<usize>; 3] },
    /// Not dropped; `again` when the answer may change with any later drop, not only with one
    /// next to it.
    Failed { again: bool },
}

/// Records a drop: `removed` (the 1×1 at `conv` and what goes with it) leave, and `partner`
/// takes the 1×1's stride, and for a mix its width.
fn apply(
    plan: &mut Plan,
    walk: &ChainWalk,
    role: Role,
    (conv, partner): (usize, usize),
    removed: &[usize],
    (stride, width): (Pair, usize),
) {
    let partner_path = walk.path(partner);
    let entry = plan.adjusted.entry(partner_path.clone()).or_default();
    entry.stride_factor = mul_pair(entry.stride_factor, stride);
    if role == Role::Mix {
        entry.out_channels = Some(width);
    }
    if entry.out_channels.is_none() && entry.stride_factor == Pair::square(1) {
        plan.adjusted.remove(&partner_path);
    }
    let conv_path = walk.path(conv);
    plan.adjusted.remove(&conv_path);
    for &i in removed {
        plan.dropped.insert(
            walk.path(i),
            Dropped {
                role,
                conv: conv_path.clone(),
            },
        );
    }
}

/// Whether every layer after `after` in the chain at `at` (and inside it), every group and
/// the block's output have the same height and width in `next` as in `current`. A block that
/// does not fit either way keeps its 1×1 (nothing can be checked).
fn keeps_spatial_sizes(
    current: Option<&Inferred>,
    next: Option<&Inferred>,
    at: &ChainPath,
    after: usize,
) -> bool {
    let later = |path: &NodePath| at.holds_after(path, after);
    let sizes = |inferred: &Inferred| -> Vec<(usize, usize)> {
        let mut sizes = vec![(inferred.output.h, inferred.output.w)];
        for row in &inferred.rows {
            match row {
                Row::Layer(layer) if layer.dropped.is_none() && later(&layer.path) => {
                    sizes.push((layer.output.h, layer.output.w));
                }
                Row::Group(group) => sizes.push((group.output.h, group.output.w)),
                Row::Layer(_) => {}
            }
        }
        sizes
    };
    matches!((current, next), (Some(before), Some(now)) if sizes(before) == sizes(now))
}

fn mul_pair(a: Pair, b: Pair) -> Pair {
    Pair::new(a.h.saturating_mul(b.h), a.w.saturating_mul(b.w))
}

/// A chain with some nodes already dropped, read the way the rules read it. The live nodes are
/// linked both ways, so stepping over a run of dropped ones costs nothing.
struct ChainWalk<'a> {
    chain: &'a Chain,
    at: &'a ChainPath,
    live: Vec<bool>,
    /// For a live node, the nearest live one before and after it.
    before: Vec<Option<usize>>,
    after: Vec<Option<usize>>,
}

impl<'a> ChainWalk<'a> {
    fn new(chain: &'a Chain, at: &'a ChainPath) -> Self {
        let n = chain.len();
        ChainWalk {
            chain,
            at,
            live: vec![true; n],
            before: (0..n).map(|i| i.checked_sub(1)).collect(),
            after: (0..n).map(|i| (i + 1 < n).then_some(i + 1)).collect(),
        }
    }

    fn kill(&mut self, index: usize) {
        if !std::mem::replace(&mut self.live[index], false) {
            return;
        }
        let (b, a) = (self.before[index], self.after[index]);
        if let Some(b) = b {
            self.after[b] = a;
        }
        if let Some(a) = a {
            self.before[a] = b;
        }
    }

    fn path(&self, index: usize) -> NodePath {
        self.at.node(index)
    }

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

    /// The last of the live attachments right after `index` (or `index` itself).
    fn last_attachment(&self, index: usize) -> usize {
        let mut last = index;
        while let Some(next) = self.next_live(last).filter(|&i| self.is_attachment(i)) {
            last = next;
        }
        last
    }

    fn next_live(&self, index: usize) -> Option<usize> {
        if self.live[index] {
            self.after[index]
        } else {
            (index + 1..self.chain.len()).find(|&i| self.live[i])
        }
    }

    fn previous_live(&self, index: usize) -> Option<usize> {
        if self.live[index] {
            self.before[index]
        } else {
            (0..index).rev().find(|&i| self.live[i])
        }
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
#[path = "rules_tests.rs"]
mod tests;
