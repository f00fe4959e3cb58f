//! A graph compiled once (per edit) into steps over one arena of buffers, then run any number
//! of times with no allocation.

use super::compile::{ConvPath, Run, compile};
use super::fuse;
use super::memory;
use super::{Graph, GraphError, Value};
use crate::engine::{Activation, AlignedVec, Engine, EngineError};

/// The most a plan may hold — weights, activations at their peak, scratch — before it is
/// refused: far above any published block at batch 1 (GoogLeNet whole needs ~60 MiB), far below
/// what would make the machine swap.
pub const MEMORY_BUDGET_BYTES: usize = 4 << 30;

/// Why a graph could not be planned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "it needs {bytes} bytes (weights, activations and scratch), over the {budget}-byte budget; the largest step is tag {tag}"
    )]
    Memory {
        bytes: usize,
        budget: usize,
        /// The tag of the step with the largest output.
        tag: usize,
    },
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Graph(#[from] GraphError),
}

/// How long one step took, and whose it was.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepTime {
    pub tag: usize,
    pub seconds: f64,
}

/// A step with its operands' places in the arena.
#[derive(Debug)]
pub(super) struct Compiled {
    pub run: Run,
    pub input: (usize, usize),
    pub out: (usize, usize),
    pub add: Option<usize>,
    pub activation: Activation,
    pub tag: usize,
}

/// A graph ready to run: see [`Plan::build`].
#[derive(Debug)]
pub struct Plan {
    pub(super) steps: Vec<Compiled>,
    pub(super) arena: AlignedVec,
    pub(super) planes: AlignedVec,
    pub(super) wide: AlignedVec,
    pub(super) engine: Engine,
    input: (usize, usize),
    output: (usize, usize),
    activation_bytes: usize,
    total_bytes: usize,
}

impl Plan {
    /// Compiles `graph` for `threads` threads: folds, fuses, lays out the buffers by liveness
    /// and allocates them, refusing a plan over [`MEMORY_BUDGET_BYTES`] before allocating.
    pub fn build(graph: &Graph, threads: usize) -> Result<Plan, PlanError> {
        Plan::build_with(graph, threads, ConvPath::Auto)
    }

    /// [`Plan::build`] with the convolutions run as `path` says.
    pub fn build_with(graph: &Graph, threads: usize, path: ConvPath) -> Result<Plan, PlanError> {
        let engine = Engine::new(threads)?;
        let nodes = graph.nodes();
        let fused = fuse::fuse(graph);
        let mut sizes: Vec<usize> = nodes.iter().map(|n| n.dims.elements()).collect();
        // Copies into a concatenation write values of their own, the size of what they copy.
        for step in &fused.steps {
            if step.out >= sizes.len() {
                sizes.resize(step.out + 1, 0);
                sizes[step.out] = nodes[step.input].dims.elements();
            }
        }
        let layout = memory::layout(
            &fused.steps,
            &fused.places,
            &sizes,
            graph.input(),
            graph.output(),
        );
        let at = |v: Value| layout.offset[v].expect("every value a step touches is laid out");
        let (mut planes, mut wide, mut weights) = (0usize, 0usize, 0usize);
        let mut largest = (0, usize::MAX);
        let mut steps = Vec::with_capacity(fused.steps.len());
        for step in &fused.steps {
            let input_dims = nodes[step.input].dims;
            let out_len = sizes[step.out];
            largest = largest.max((out_len, step.tag));
            let run = compile(
                &step.work,
                nodes,
                step.input,
                &layout.offset,
                threads,
                engine.blocking,
                path,
            );
            match &run {
                Run::Conv { geo, m, groups, .. } => {
                    planes = planes.max(geo.planes_len());
                    wide = wide.max(m * groups * geo.n_wide);
                }
                Run::LaneConv { geo, .. } => planes = planes.max(geo.planes_len()),
                Run::Im2col { geo, shape, .. } => {
                    planes = planes.max(geo.planes_len());
                    wide = wide.max(shape.c_in * shape.h * shape.w);
                }
                Run::Depthwise { geo, .. } => {
                    planes = planes.max(geo.planes_len());
                    wide = wide.max(threads * geo.n_wide);
                }
                Run::Pool { pooling, .. } => wide = wide.max(threads * pooling.scratch()),
                _ => {}
            }
            weights += match &run {
                Run::Pointwise { weights, .. } | Run::Im2col { weights, .. } => weights.floats(),
                Run::Conv { weights, .. }
                | Run::LaneConv { weights, .. }
                | Run::Depthwise { weights, .. } => weights.len(),
                _ => 0,
            };
            steps.push(Compiled {
                run,
                input: (at(step.input), input_dims.elements()),
                out: (at(step.out), out_len),
                add: step.add.map(at),
                activation: step.activation,
                tag: step.tag,
            });
        }
        let floats = |n: usize| n * size_of::<f32>();
        let activation_bytes = floats(layout.len);
        let total_bytes = floats(layout.len + planes + wide + weights);
        if total_bytes > MEMORY_BUDGET_BYTES {
            return Err(PlanError::Memory {
                bytes: total_bytes,
                budget: MEMORY_BUDGET_BYTES,
                tag: largest.1,
            });
        }
        let input = (at(graph.input()), nodes[graph.input()].dims.elements());
        let output = (at(graph.output()), nodes[graph.output()].dims.elements());
        Ok(Plan {
            steps,
            arena: AlignedVec::zeroed(layout.len),
            planes: AlignedVec::zeroed(planes),
            wide: AlignedVec::zeroed(wide),
            engine,
            input,
            output,
            activation_bytes,
            total_bytes,
        })
    }

    /// The input to fill before [`Plan::run`].
    pub fn input_mut(&mut self) -> &mut [f32] {
        &mut self.arena[self.input.0..self.input.0 + self.input.1]
    }

    /// The output of the last run.
    pub fn output(&self) -> &[f32] {
        &self.arena[self.output.0..self.output.0 + self.output.1]
    }

    /// Bytes of the activation arena at its peak (what liveness made of the block's values).
    pub fn activation_bytes(&self) -> usize {
        self.activation_bytes
    }

    /// Bytes the plan holds in all: activations, scratch and its own copy of the weights.
    pub fn total_bytes(&self) -> usize {
        self.total_bytes
    }

    /// The tag of each step, in the order [`Plan::run_timed`] reports them.
    pub fn step_tags(&self) -> impl Iterator<Item = usize> + '_ {
        self.steps.iter().map(|s| s.tag)
    }

    pub fn step_count(&self) -> usize {
        self.steps.len()
    }

    /// Runs every step once.
    pub fn run(&mut self) -> Result<(), EngineError> {
        for i in 0..self.steps.len() {
            self.execute(i)?;
        }
        Ok(())
    }

    /// Runs every step once, writing each step's seconds to `times` (one per step).
    pub fn run_timed(&mut self, times: &mut [f64]) -> Result<(), EngineError> {
        for i in 0..self.steps.len() {
            let start = std::time::Instant::now();
            self.execute(i)?;
            if let Some(t) = times.get_mut(i) {
                *t = start.elapsed().as_secs_f64();
            }
        }
        Ok(())
    }
}
