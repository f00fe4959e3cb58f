//! A block as analysed (with its plan applied: bypassed or counterpart 1×1 convolutions gone,
//! the layers standing in for them widened) turned into the engine's graph, one node per layer,
//! with weights filled deterministically from a seed. Every node is tagged with the index of
//! its analysis row, so per-step times come back to the layer they belong to.

use crate::analysis::{Analysis, LayerRow, Row};
use crate::engine::graph::MEMORY_BUDGET_BYTES;
use crate::engine::graph::{ConvSpec, Dims, Graph, LrnSpec, Op, PoolKind, PoolSpec, Value, Window};
use crate::engine::noise;
use crate::model::{
    Block, LayerKind, NodePath, Padding, Pair, Part, PoolKind as ModelPool, Shape, Step, visit,
};

/// Why a block could not be turned into a graph.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LowerError {
    #[error(
        "{layer}: running the block up to here needs {:.1} GiB of weights and activations ({bytes} bytes), over the {:.0} GiB budget",
        *bytes as f64 / GIB,
        *budget as f64 / GIB
    )]
    TooLarge {
        layer: String,
        bytes: u64,
        budget: usize,
    },
    #[error("{layer}: {detail}")]
    Graph { layer: String, detail: String },
    #[error("{layer}: the engine does not run {what} yet, so the block is not run whole")]
    Unsupported { layer: String, what: String },
}

const GIB: f64 = (1u64 << 30) as f64;

/// A graph and what its tags mean.
pub struct Lowered {
    pub graph: Graph,
    /// The analysis' rows, which the graph's tags index.
    pub rows: Vec<Row>,
    pub macs: u64,
}

fn dims(s: Shape) -> Dims {
    Dims::new(s.c, s.h, s.w)
}

fn pair(p: Pair) -> (usize, usize) {
    (p.h, p.w)
}

/// `len` weights for `fan_in` inputs each, scaled so activations keep their size through many
/// layers (He's uniform: variance 2 / fan_in).
fn weights(len: usize, fan_in: usize, seed: u64) -> Vec<f32> {
    let scale = (6.0 / fan_in.max(1) as f32).sqrt();
    noise(len, seed).into_iter().map(|w| w * scale).collect()
}

fn small(len: usize, seed: u64, around: f32) -> Vec<f32> {
    noise(len, seed)
        .into_iter()
        .map(|x| around + 0.1 * x)
        .collect()
}

/// A layer's name for messages: its own, else its kind and path.
pub fn layer_name(row: &Row) -> String {
    match row {
        Row::Layer(l) => l
            .name
            .clone()
            .unwrap_or_else(|| format!("{} at {}", l.kind.label(), l.path)),
        Row::Group(g) => g
            .name
            .clone()
            .unwrap_or_else(|| format!("{} at {}", g.part.label(), g.path)),
    }
}

/// Checks that the analysed weights and activations fit the budget before any is made.
fn check_budget(analysis: &Analysis) -> Result<(), LowerError> {
    let mut bytes = 0u64;
    for row in &analysis.rows {
        let Row::Layer(l) = row else { continue };
        if l.dropped.is_some() {
            continue;
        }
        bytes = bytes.saturating_add(l.params().saturating_add(l.activations).saturating_mul(4));
        if bytes > MEMORY_BUDGET_BYTES as u64 {
            return Err(LowerError::TooLarge {
                layer: layer_name(row),
                bytes,
                budget: MEMORY_BUDGET_BYTES,
            });
        }
    }
    Ok(())
}

/// Lowers `block` as `analysis` analysed it; `seed` fills weights and statistics.
pub fn lower(block: &Block, analysis: &Analysis, seed: u64) -> Result<Lowered, LowerError> {
    check_budget(analysis)?;
    let rows = &analysis.rows;
    let row_at = |path: &NodePath, header: bool| {
        rows.iter().position(|r| match r {
            Row::Layer(l) => !header && l.path == *path,
            Row::Group(g) => {
                header && g.path == *path && matches!(g.part, Part::Concat | Part::Residual)
            }
        })
    };
    let whole = |detail: String| LowerError::Graph {
        layer: block.name.clone(),
        detail,
    };
    let mut graph = Graph::new(dims(block.input)).map_err(|e| whole(e.to_string()))?;
    // The value flowing through each open chain, and per open composite its input and the
    // outputs of the chains closed so far.
    let mut chains: Vec<Value> = vec![graph.input()];
    let mut composites: Vec<(Value, Vec<Value>)> = Vec::new();
    let mut failure = None;
    let result = visit(&block.body, &mut |step| -> Result<(), ()> {
        let here = *chains.last().expect("the body's chain is open");
        let fail = |failure: &mut Option<LowerError>, e: LowerError| {
            *failure = Some(e);
        };
        match step {
            Step::Node { path, node, .. } => {
                if node.is_composite() {
                    composites.push((here, Vec::new()));
                    return Ok(());
                }
                let Some(index) = row_at(path, false) else {
                    fail(&mut failure, whole(format!("no analysis row for {path}")));
                    return Err(());
                };
                let Row::Layer(row) = &rows[index] else {
                    return Err(());
                };
                if row.dropped.is_some() {
                    return Ok(());
                }
                match layer(&mut graph, row, here, index, seed) {
                    Ok(v) => *chains.last_mut().expect("open") = v,
                    Err(e) => {
                        fail(&mut failure, e);
                        return Err(());
                    }
                }
            }
            Step::OpenChain { .. } => {
                let input = composites.last().map_or(here, |c| c.0);
                chains.push(input);
            }
            Step::CloseChain { .. } => {
                let out = chains.pop().expect("a chain closes after it opens");
                if let Some(c) = composites.last_mut() {
                    c.1.push(out);
                }
            }
            Step::Close { path, node } => {
                let (_, outputs) = composites.pop().expect("a composite closes after it opens");
                let tag = row_at(path, true).unwrap_or(usize::MAX);
                let op = match node {
                    crate::model::Node::Concat(_) if outputs.len() == 1 => None,
                    crate::model::Node::Concat(_) => Some(Op::Concat {
                        inputs: outputs.clone(),
                    }),
                    _ => match outputs.as_slice() {
                        [body, shortcut] => Some(Op::Add {
                            a: *body,
                            b: *shortcut,
                        }),
                        _ => None,
                    },
                };
                let v = match op {
                    None => outputs.first().copied().unwrap_or(here),
                    Some(op) => match graph.push(op, tag) {
                        Ok(v) => v,
                        Err(e) => {
                            let name = rows.get(tag).map_or_else(|| path.to_string(), layer_name);
                            fail(
                                &mut failure,
                                LowerError::Graph {
                                    layer: name,
                                    detail: e.to_string(),
                                },
                            );
                            return Err(());
                        }
                    },
                };
                *chains.last_mut().expect("open") = v;
            }
        }
        Ok(())
    });
    if result.is_err() {
        return Err(failure.unwrap_or_else(|| whole("the block could not be walked".into())));
    }
    let out = graph
        .dims(graph.output())
        .map_err(|e| whole(e.to_string()))?;
    if out != dims(analysis.totals.output) {
        return Err(whole(format!(
            "the engine's output {}×{}×{} differs from the analysis' {}",
            out.h, out.w, out.c, analysis.totals.output
        )));
    }
    let macs = graph.macs();
    Ok(Lowered {
        graph,
        rows: rows.clone(),
        macs,
    })
}

enum Adaptive {
    Identity,
    Global,
    Pool(Window),
    /// The output does not divide the input: PyTorch's windows then overlap and differ.
    Uneven,
}

/// Adaptive average pooling is an ordinary pool when the output divides the input: windows of
/// in/out, stride in/out, no padding (PyTorch places them exactly so).
fn adaptive_as_pool(input: Shape, output: Pair) -> Adaptive {
    if (input.h, input.w) == (output.h, output.w) {
        Adaptive::Identity
    } else if (output.h, output.w) == (1, 1) {
        Adaptive::Global
    } else if input.h.is_multiple_of(output.h) && input.w.is_multiple_of(output.w) {
        let k = (input.h / output.h, input.w / output.w);
        Adaptive::Pool(Window {
            kernel: k,
            stride: k,
            padding: (0, 0),
        })
    } else {
        Adaptive::Uneven
    }
}

/// One layer as a graph node (none for dropout); returns the value that flows on.
fn layer(
    graph: &mut Graph,
    row: &LayerRow,
    input: Value,
    tag: usize,
    seed: u64,
) -> Result<Value, LowerError> {
    let seed = seed.wrapping_add(tag as u64 * 7919);
    let c_in = row.input.c;
    let unsupported = |what: String| LowerError::Unsupported {
        layer: layer_name(&Row::Layer(row.clone())),
        what,
    };
    let symmetric = |p: Padding| {
        if p.is_symmetric() {
            Ok(pair(p.begin))
        } else {
            Err(unsupported(format!("padding that differs per side ({p})")))
        }
    };
    let op = match &row.kind {
        LayerKind::Conv(conv) if conv.dilation != Pair::square(1) => {
            return Err(unsupported(format!("dilation {}", conv.dilation)));
        }
        LayerKind::Conv(conv) => {
            let per_filter = c_in / conv.groups.max(1) * conv.kernel.h * conv.kernel.w;
            Op::Conv {
                input,
                spec: ConvSpec {
                    out_channels: conv.out_channels,
                    window: Window {
                        kernel: pair(conv.kernel),
                        stride: pair(conv.stride),
                        padding: symmetric(conv.padding)?,
                    },
                    groups: conv.groups,
                },
                weights: weights(conv.out_channels * per_filter, per_filter, seed),
                bias: conv.bias.then(|| small(conv.out_channels, seed + 1, 0.0)),
            }
        }
        LayerKind::Pool(pool) => Op::Pool {
            input,
            spec: PoolSpec {
                kind: match pool.kind {
                    ModelPool::Max => PoolKind::Max,
                    ModelPool::Avg => PoolKind::Avg,
                },
                window: Window {
                    kernel: pair(pool.kernel),
                    stride: pair(pool.stride),
                    padding: symmetric(pool.padding)?,
                },
                ceil_mode: pool.ceil_mode,
            },
        },
        LayerKind::GlobalAvgPool => Op::GlobalAvgPool { input },
        LayerKind::AdaptiveAvgPool { output } => match adaptive_as_pool(row.input, *output) {
            Adaptive::Identity => return Ok(input),
            Adaptive::Global => Op::GlobalAvgPool { input },
            Adaptive::Pool(window) => Op::Pool {
                input,
                spec: PoolSpec {
                    kind: PoolKind::Avg,
                    window,
                    ceil_mode: false,
                },
            },
            Adaptive::Uneven => {
                return Err(unsupported(format!(
                    "adaptive pooling from {}×{} to {output}, whose windows differ in size",
                    row.input.h, row.input.w
                )));
            }
        },
        LayerKind::Relu6 => Op::Relu6 { input },
        LayerKind::Lrn(lrn) => Op::Lrn {
            input,
            spec: LrnSpec {
                size: lrn.size,
                alpha: lrn.alpha as f32,
                beta: lrn.beta as f32,
                k: lrn.k as f32,
            },
        },
        LayerKind::Relu => Op::Relu { input },
        LayerKind::BatchNorm => Op::BatchNorm {
            input,
            gamma: small(c_in, seed, 1.0),
            beta: small(c_in, seed + 1, 0.0),
            mean: small(c_in, seed + 2, 0.0),
            var: small(c_in, seed + 3, 1.0),
            eps: 1e-5,
        },
        LayerKind::FullyConnected(fc) => {
            let features = row.input.c * row.input.h * row.input.w;
            Op::FullyConnected {
                input,
                weights: weights(fc.out_features * features, features, seed),
                bias: fc.bias.then(|| small(fc.out_features, seed + 1, 0.0)),
            }
        }
        LayerKind::Flatten => Op::Reshape { input },
        LayerKind::Dropout { .. } => return Ok(input),
    };
    let v = graph.push(op, tag).map_err(|e| LowerError::Graph {
        layer: layer_name(&Row::Layer(row.clone())),
        detail: e.to_string(),
    })?;
    let got = graph.dims(v).map_err(|e| LowerError::Graph {
        layer: layer_name(&Row::Layer(row.clone())),
        detail: e.to_string(),
    })?;
    if got != dims(row.output) {
        return Err(LowerError::Graph {
            layer: layer_name(&Row::Layer(row.clone())),
            detail: format!(
                "the engine computes {}×{}×{} where the analysis has {}",
                got.h, got.w, got.c, row.output
            ),
        });
    }
    Ok(v)
}
