//! From the graph's definition to the steps that run: batch norm folded into the convolution or
//! fully connected layer before it, ReLUs, ReLU6s and residual additions fused into the store
//! of the step that produces their operand, reshapes and concatenations made into places
//! instead of copies. A value is fused away only when nothing else reads it.

use super::{Graph, Node, Op, Value};
use crate::engine::Activation;

/// What a step computes; the node is the one whose parameters it uses.
#[derive(Clone, Debug)]
pub(super) enum Work<'g> {
    /// A convolution or a fully connected layer, with a batch norm folded in as
    /// `(scale, shift)` per output channel.
    Linear {
        node: &'g Node,
        folded: Option<(Vec<f32>, Vec<f32>)>,
    },
    Pool(&'g Node),
    GlobalAvgPool,
    /// A batch norm nothing could absorb: `x · scale + shift` per channel.
    Affine {
        scale: Vec<f32>,
        shift: Vec<f32>,
    },
    /// A ReLU or ReLU6 that nothing could take on its store.
    Clamp(Activation),
    Lrn(&'g Node),
    /// `input + b`.
    Add {
        b: Value,
    },
    /// Into a concatenation's slice, for a value that could not be written there directly.
    Copy,
}

#[derive(Clone, Debug)]
pub(super) struct Step<'g> {
    pub work: Work<'g>,
    pub input: Value,
    /// The value the step writes.
    pub out: Value,
    /// Added on store (a residual's other operand).
    pub add: Option<Value>,
    pub activation: Activation,
    pub tag: usize,
    /// Position in the run: a step that takes a residual's addition moves to the addition's
    /// place, after the shortcut it adds.
    seq: usize,
}

impl Step<'_> {
    /// Every value the step reads.
    pub fn reads(&self) -> impl Iterator<Item = Value> + '_ {
        let b = match self.work {
            Work::Add { b } => Some(b),
            _ => None,
        };
        [Some(self.input), self.add, b].into_iter().flatten()
    }
}

/// Where a value lives when it has no buffer of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Place {
    pub within: Value,
    /// Floats from the start of `within`.
    pub offset: usize,
}

pub(super) struct Fused<'g> {
    pub steps: Vec<Step<'g>>,
    /// `Some` for reshapes (the same floats) and concatenated values (their slice).
    pub places: Vec<Option<Place>>,
}

/// `gamma / √(var + eps)` and `beta − mean · scale`, per channel.
fn affine(op: &Op) -> Option<(Vec<f32>, Vec<f32>)> {
    let Op::BatchNorm {
        gamma,
        beta,
        mean,
        var,
        eps,
        ..
    } = op
    else {
        return None;
    };
    let scale: Vec<f32> = gamma
        .iter()
        .zip(var)
        .map(|(g, v)| (f64::from(*g) / (f64::from(*v) + f64::from(*eps)).sqrt()) as f32)
        .collect();
    let shift = beta
        .iter()
        .zip(mean)
        .zip(&scale)
        .map(|((b, m), s)| b - m * s)
        .collect();
    Some((scale, shift))
}

pub(super) fn fuse(graph: &Graph) -> Fused<'_> {
    let nodes = graph.nodes();
    let mut uses = vec![0usize; nodes.len()];
    for node in nodes {
        for v in node.op.inputs() {
            uses[v] += 1;
        }
    }
    uses[graph.output()] += 1;
    let mut steps: Vec<Step> = Vec::new();
    // The step that writes each value, once it is written.
    let mut writer: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut places: Vec<Option<Place>> = vec![None; nodes.len()];
    let mut seq = 0;
    // A step that can take more on its store: it writes `v`, which nothing else reads, and has
    // not clamped it yet (a clamp must stay last).
    let open = |steps: &[Step], writer: &[Option<usize>], v: Value| {
        writer[v].filter(|&s| uses[v] == 1 && steps[s].activation == Activation::Identity)
    };
    for (v, node) in nodes.iter().enumerate() {
        let step = |work, input| Step {
            work,
            input,
            out: v,
            add: None,
            activation: Activation::Identity,
            tag: node.tag,
            seq,
        };
        let new = match &node.op {
            Op::Input => None,
            Op::Conv { input, .. } | Op::FullyConnected { input, .. } => {
                Some(step(Work::Linear { node, folded: None }, *input))
            }
            Op::BatchNorm { input, .. } => {
                let (scale, shift) = affine(&node.op).unwrap_or_default();
                match open(&steps, &writer, *input) {
                    Some(s)
                        if steps[s].add.is_none()
                            && matches!(steps[s].work, Work::Linear { folded: None, .. }) =>
                    {
                        if let Work::Linear { folded, .. } = &mut steps[s].work {
                            *folded = Some((scale, shift));
                        }
                        steps[s].out = v;
                        writer[v] = Some(s);
                        None
                    }
                    _ => Some(step(Work::Affine { scale, shift }, *input)),
                }
            }
            Op::Relu { input } | Op::Relu6 { input } => {
                let activation = if matches!(node.op, Op::Relu { .. }) {
                    Activation::Relu
                } else {
                    Activation::Relu6
                };
                match open(&steps, &writer, *input) {
                    Some(s) if !matches!(steps[s].work, Work::Copy) => {
                        steps[s].activation = activation;
                        steps[s].out = v;
                        writer[v] = Some(s);
                        None
                    }
                    _ => Some(step(Work::Clamp(activation), *input)),
                }
            }
            Op::Lrn { input, .. } => Some(step(Work::Lrn(node), *input)),
            Op::Add { a, b } => {
                let linear = |x: Value| {
                    open(&steps, &writer, x).filter(|&s| {
                        steps[s].add.is_none() && matches!(steps[s].work, Work::Linear { .. })
                    })
                };
                match (a != b).then(|| linear(*a).map(|s| (s, *b)).or(linear(*b).map(|s| (s, *a))))
                {
                    Some(Some((s, other))) => {
                        // Nothing but this addition reads the step's output, so it may run
                        // here instead, once the other operand (the shortcut) is complete.
                        steps[s].seq = seq;
                        seq += 1;
                        steps[s].add = Some(other);
                        steps[s].out = v;
                        writer[v] = Some(s);
                        None
                    }
                    _ => Some(step(Work::Add { b: *b }, *a)),
                }
            }
            Op::Pool { input, .. } => Some(step(Work::Pool(node), *input)),
            Op::GlobalAvgPool { input } => Some(step(Work::GlobalAvgPool, *input)),
            Op::Reshape { input } => {
                places[v] = Some(Place {
                    within: *input,
                    offset: 0,
                });
                None
            }
            Op::Concat { inputs } => {
                let mut offset = 0;
                for &u in inputs {
                    // A value written by a step or itself a concatenation, not yet placed, is
                    // written straight into its slice; anything else is copied there.
                    let placeable = places[u].is_none()
                        && (writer[u].is_some() || matches!(nodes[u].op, Op::Concat { .. }));
                    if placeable {
                        places[u] = Some(Place { within: v, offset });
                    } else {
                        let slot = places.len();
                        places.push(Some(Place { within: v, offset }));
                        writer.push(Some(steps.len()));
                        steps.push(Step {
                            work: Work::Copy,
                            input: u,
                            out: slot,
                            add: None,
                            activation: Activation::Identity,
                            tag: node.tag,
                            seq,
                        });
                        seq += 1;
                    }
                    offset += nodes[u].dims.elements();
                }
                None
            }
        };
        if let Some(new) = new {
            writer[v] = Some(steps.len());
            steps.push(new);
            seq += 1;
        }
    }
    steps.sort_by_key(|s| s.seq);
    Fused { steps, places }
}
