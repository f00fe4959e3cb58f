//! The activation memory an executor needs at its peak: the largest set of tensors alive at
//! once along the best order to run the branches in. A layer's input is freed once its last
//! reader has run; ReLU, dropout and flatten work in place, and batch norm folds into the conv
//! before it (as inference runtimes do, this tool's engine included); a concat's branches write into
//! their slice of its output, so it costs nothing more than its branches' outputs.

use std::collections::HashMap;

use crate::model::{Block, Chain, ChainPath, LayerKind, Node, NodePath};

use super::rows::{LayerRow, Row};

/// What running a node costs, for an input of `input` elements.
#[derive(Debug, Clone, Copy)]
struct Cost {
    /// Peak while the node runs, counting its input, which it may free as it goes.
    free: u64,
    /// Peak while it runs with its input held by someone else, not counting the input.
    held: u64,
    output: u64,
}

/// Peak elements alive at once, the input image included.
pub fn peak_activations(block: &Block, rows: &[Row]) -> u64 {
    let layers: HashMap<&NodePath, &LayerRow> = rows
        .iter()
        .filter_map(Row::as_layer)
        .map(|row| (&row.path, row))
        .collect();
    let input = block.input.elements().unwrap_or(u64::MAX);
    chain(&block.body, &ChainPath::root(), input, &layers).free
}

fn in_place(kind: &LayerKind) -> bool {
    matches!(
        kind,
        LayerKind::Relu
            | LayerKind::Relu6
            | LayerKind::Dropout { .. }
            | LayerKind::Flatten
            | LayerKind::BatchNorm
    )
}

fn chain(
    nodes: &Chain,
    at: &ChainPath,
    input: u64,
    layers: &HashMap<&NodePath, &LayerRow>,
) -> Cost {
    let mut cost = Cost {
        free: input,
        held: 0,
        output: input,
    };
    for (index, node) in nodes.iter().enumerate() {
        let step = node_cost(node, &at.node(index), cost.output, layers);
        if index == 0 {
            cost.held = step.held;
            cost.free = step.free;
        } else {
            cost.held = cost.held.max(step.free);
            cost.free = cost.free.max(step.free);
        }
        cost.output = step.output;
    }
    cost
}

fn node_cost(
    node: &Node,
    path: &NodePath,
    input: u64,
    layers: &HashMap<&NodePath, &LayerRow>,
) -> Cost {
    match node {
        Node::Layer(_) => match layers.get(path) {
            Some(row) if row.dropped.is_none() => {
                let output = row.activations;
                Cost {
                    free: if in_place(&row.kind) {
                        input.max(output)
                    } else {
                        input.saturating_add(output)
                    },
                    held: output,
                    output,
                }
            }
            _ => Cost {
                free: input,
                held: 0,
                output: input,
            },
        },
        Node::Concat(concat) => {
            let mut branches: Vec<Cost> = (0..concat.branches.len())
                .map(|b| chain(&concat.branches[b], &path.chain(b), input, layers))
                .collect();
            // Branches that need much while leaving little run first.
            branches.sort_by_key(|c| std::cmp::Reverse(c.held as i128 - c.output as i128));
            let (mut done, mut free, mut held) = (0u64, 0u64, 0u64);
            let last = branches.len().saturating_sub(1);
            for (i, b) in branches.iter().enumerate() {
                let with_input = if i == last {
                    done.saturating_add(b.free)
                } else {
                    input.saturating_add(done).saturating_add(b.held)
                };
                free = free.max(with_input);
                held = held.max(done.saturating_add(b.held));
                done = done.saturating_add(b.output);
            }
            Cost {
                free: free.max(input),
                held,
                output: done,
            }
        }
        Node::Residual(residual) => {
            let body = chain(&residual.body, &path.chain(0), input, layers);
            let shortcut = residual
                .shortcut
                .as_ref()
                .map(|s| chain(s, &path.chain(1), input, layers));
            let (free, held) = match shortcut {
                None => (input.saturating_add(body.held), body.held.max(body.output)),
                Some(s) => {
                    let order = |a: Cost, b: Cost| {
                        (
                            input
                                .saturating_add(a.held)
                                .max(a.output.saturating_add(b.free)),
                            a.held.max(a.output.saturating_add(b.held)),
                        )
                    };
                    let (f1, h1) = order(body, s);
                    let (f2, h2) = order(s, body);
                    (f1.min(f2), h1.min(h2))
                }
            };
            Cost {
                free,
                held,
                output: body.output,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Analysis, Scope};
    use crate::preset;

    fn peak(name: &str) -> u64 {
        let block = preset::builtin(name).unwrap();
        let analysis = Analysis::of(&block, Scope::Bypassed).unwrap();
        peak_activations(&block, &analysis.rows)
    }

    #[test]
    fn a_chain_needs_its_largest_neighbouring_pair() {
        // VGG-16: conv1_2 reads 224·224·64 and writes as much, the largest pair of the net.
        assert_eq!(peak("vgg16"), 2 * 224 * 224 * 64);
    }

    #[test]
    fn inception_keeps_its_input_while_the_branches_run() {
        // 28·28·192 input; the branch that holds most while leaving least goes first. The peak
        // is the input plus the 3×3 branch's reduce (96) and 3×3 (128) outputs with the 1×1
        // branch's 64 done, or better: it can never be below input + the whole output.
        let p = peak("inception3a");
        let px = 28 * 28;
        assert!(p >= px * (192 + 256) - px * 64, "{p}");
        assert!(p <= px * (192 + 64 + 96 + 128 + 16 + 32 + 192 + 32), "{p}");
    }

    #[test]
    fn a_residual_holds_its_input_for_the_shortcut() {
        // The bottleneck on 56·56·256: input held while the body runs 256 → 64 → 64 → 256.
        let px = 56 * 56;
        assert_eq!(peak("resnet_bottleneck"), px * (256 + 256 + 64));
    }
}
