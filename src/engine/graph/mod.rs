//! A whole block as the engine runs it: a graph of tensor operations on CHW f32 values, batch of
//! one, in the order they run. It knows no block, layer or path: a caller (the planner in
//! `crate::measure`) builds it node by node, tagging each with a number of its own.
//!
//! The graph is the plain definition: batch norm, ReLU and ReLU6, additions and concatenations
//! are nodes of their own. [`reference::run`] executes it exactly so; [`Plan::build`] compiles
//! it for speed (batch norm folded into the convolution before it, ReLUs, ReLU6s and residual
//! additions fused into the store of the layer that produces them, concatenated branches
//! written into their channel slice of one buffer) and runs it with no allocation.

mod compile;
mod dims;
mod exec;
mod fuse;
mod memory;
mod plan;
pub mod reference;

pub use crate::engine::LrnSpec;
pub use compile::ConvPath;
pub use dims::{Dims, Window};
pub use plan::{MEMORY_BUDGET_BYTES, Plan, PlanError, StepTime};

/// A value of the graph: the index of the node that produces it.
pub type Value = usize;

/// A convolution: `out_channels` filters of `window.kernel` over `in_channels / groups` inputs
/// each. Weights are `[C_out][C_in / groups][kh][kw]` (PyTorch's layout), bias one per output.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvSpec {
    pub out_channels: usize,
    pub window: Window,
    pub groups: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolKind {
    Max,
    /// Divides by the window's size clipped to the padded input (PyTorch's default
    /// `count_include_pad=True`): padding counts, the part of a ceil-mode window past the
    /// padding does not.
    Avg,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PoolSpec {
    pub kind: PoolKind,
    pub window: Window,
    pub ceil_mode: bool,
}

/// What a node computes, and from which values.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// The block's input, filled by the caller.
    Input,
    Conv {
        input: Value,
        spec: ConvSpec,
        weights: Vec<f32>,
        bias: Option<Vec<f32>>,
    },
    /// `(x − mean) / √(var + eps) · gamma + beta`, per channel.
    BatchNorm {
        input: Value,
        gamma: Vec<f32>,
        beta: Vec<f32>,
        mean: Vec<f32>,
        var: Vec<f32>,
        eps: f32,
    },
    Relu {
        input: Value,
    },
    /// `min(max(x, 0), 6)` (MobileNet's).
    Relu6 {
        input: Value,
    },
    /// Across channels, as [`LrnSpec`] defines it.
    Lrn {
        input: Value,
        spec: LrnSpec,
    },
    Pool {
        input: Value,
        spec: PoolSpec,
    },
    GlobalAvgPool {
        input: Value,
    },
    /// On the input flattened in CHW order; weights `[out][C·H·W]`.
    FullyConnected {
        input: Value,
        weights: Vec<f32>,
        bias: Option<Vec<f32>>,
    },
    /// The input's C·H·W values as `C·H·W × 1 × 1` (flatten).
    Reshape {
        input: Value,
    },
    Add {
        a: Value,
        b: Value,
    },
    /// Along channels, in order.
    Concat {
        inputs: Vec<Value>,
    },
}

impl Op {
    /// The values this op reads.
    pub fn inputs(&self) -> Vec<Value> {
        match self {
            Op::Input => vec![],
            Op::Conv { input, .. }
            | Op::BatchNorm { input, .. }
            | Op::Relu { input }
            | Op::Relu6 { input }
            | Op::Lrn { input, .. }
            | Op::Pool { input, .. }
            | Op::GlobalAvgPool { input }
            | Op::FullyConnected { input, .. }
            | Op::Reshape { input } => vec![*input],
            Op::Add { a, b } => vec![*a, *b],
            Op::Concat { inputs } => inputs.clone(),
        }
    }

    /// Multiply-accumulates, counted as the analysis counts them (convolutions and fully
    /// connected layers only).
    fn macs(&self, input: Dims, out: Dims) -> u64 {
        match self {
            Op::Conv { spec, .. } => {
                let per_output = (input.c / spec.groups) as u64
                    * spec.window.kernel.0 as u64
                    * spec.window.kernel.1 as u64;
                out.elements() as u64 * per_output
            }
            Op::FullyConnected { .. } => input.elements() as u64 * out.c as u64,
            _ => 0,
        }
    }
}

/// One node: its op, the dims of what it produces, and the caller's tag (which layer it is).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub op: Op,
    pub dims: Dims,
    pub tag: usize,
}

/// Why a node cannot be added.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("{0}")]
    Shape(String),
    #[error("{what} has {actual} values, {expected} expected")]
    Length {
        what: &'static str,
        expected: usize,
        actual: usize,
    },
    #[error("value {0} does not exist yet")]
    NoSuchValue(Value),
}

/// The graph, in the order its nodes run (every node reads only earlier ones).
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    nodes: Vec<Node>,
}

impl Graph {
    /// A graph whose value 0 is an input of `dims`.
    pub fn new(input: Dims) -> Result<Self, GraphError> {
        input.check()?;
        Ok(Graph {
            nodes: vec![Node {
                op: Op::Input,
                dims: input,
                tag: usize::MAX,
            }],
        })
    }

    pub fn input(&self) -> Value {
        0
    }

    /// The last node's value: what the block produces.
    pub fn output(&self) -> Value {
        self.nodes.len() - 1
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn dims(&self, value: Value) -> Result<Dims, GraphError> {
        self.nodes
            .get(value)
            .map(|n| n.dims)
            .ok_or(GraphError::NoSuchValue(value))
    }

    /// Every multiply-accumulate the graph does.
    pub fn macs(&self) -> u64 {
        self.nodes
            .iter()
            .map(|n| {
                let input =
                    n.op.inputs()
                        .first()
                        .map_or(n.dims, |&v| self.nodes[v].dims);
                n.op.macs(input, n.dims)
            })
            .sum()
    }

    /// Floats of weights, biases and batch-norm statistics the graph holds.
    pub fn parameter_floats(&self) -> usize {
        self.nodes
            .iter()
            .map(|n| match &n.op {
                Op::Conv { weights, bias, .. } | Op::FullyConnected { weights, bias, .. } => {
                    weights.len() + bias.as_ref().map_or(0, Vec::len)
                }
                Op::BatchNorm { gamma, .. } => 4 * gamma.len(),
                _ => 0,
            })
            .sum()
    }

    /// Appends `op`, checking its inputs exist and its operands fit, and returns its value.
    pub fn push(&mut self, op: Op, tag: usize) -> Result<Value, GraphError> {
        let inputs = op.inputs();
        let mut dims = Vec::with_capacity(inputs.len());
        for v in inputs {
            dims.push(self.dims(v)?);
        }
        let out = dims::output(&op, &dims)?;
        out.check()?;
        self.nodes.push(Node { op, dims: out, tag });
        Ok(self.output())
    }
}
