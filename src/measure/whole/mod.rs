//! Running a whole block on the engine: the block as edited and its counterpart without 1×1
//! convolutions, each lowered to the engine's graph ([`lower`]), planned once, timed after a
//! warm-up, and checked against the engine's scalar reference on the same input.

pub mod lower;
mod run;

use std::time::Instant;

use crate::analysis::{Analysis, Row};
use crate::engine::graph::{ConvPath, Plan, PlanError, reference};
use crate::engine::noise;
use crate::model::Block;

use super::stats::{Measurement, Spread};
use super::timing::Budget;
pub use lower::{LowerError, Lowered, layer_name, lower};
pub use run::{Side, WholeRun, run_whole};

/// The seed every whole-block run fills its weights and input from.
pub const SEED: u64 = 2014;

/// The largest error `--verify` accepts, relative to the largest output of the reference:
/// f32 sums of up to ~10⁴ products in another order, through a few dozen layers.
pub const TOLERANCE: f64 = 1e-4;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WholeError {
    #[error(transparent)]
    Lower(#[from] LowerError),
    #[error("{layer}: {detail}")]
    Plan { layer: String, detail: String },
    /// A newer edit asked for another run.
    #[error("interrupted by a newer edit")]
    Interrupted,
}

/// A block lowered and planned, ready to run.
pub struct Prepared {
    pub lowered: Lowered,
    pub plan: Plan,
}

impl Prepared {
    /// Lowers and plans `block` as `analysis` analysed it, on `threads` threads.
    pub fn new(block: &Block, analysis: &Analysis, threads: usize) -> Result<Prepared, WholeError> {
        Prepared::with_path(block, analysis, threads, ConvPath::Auto)
    }

    /// The same, with the convolutions run as `path` says.
    pub fn with_path(
        block: &Block,
        analysis: &Analysis,
        threads: usize,
        path: ConvPath,
    ) -> Result<Prepared, WholeError> {
        let lowered = lower(block, analysis, SEED)?;
        let plan =
            Plan::build_with(&lowered.graph, threads, path).map_err(|e| plan_error(&lowered, e))?;
        let mut prepared = Prepared { lowered, plan };
        let input = noise(prepared.plan.input_mut().len(), SEED + 1);
        prepared.plan.input_mut().copy_from_slice(&input);
        Ok(prepared)
    }

    /// FLOPs (2·MACs) of one run, as counted.
    pub fn flops(&self) -> f64 {
        2.0 * self.lowered.macs as f64
    }

    fn run(&mut self) -> Result<(), WholeError> {
        self.plan.run().map_err(|e| WholeError::Plan {
            layer: "the engine".into(),
            detail: e.to_string(),
        })
    }
}

fn plan_error(lowered: &Lowered, e: PlanError) -> WholeError {
    match e {
        PlanError::Memory { bytes, budget, tag } => WholeError::Plan {
            layer: lowered
                .rows
                .get(tag)
                .map_or_else(|| "the block".into(), layer_name),
            detail: format!(
                "running the block needs {:.1} GiB ({bytes} bytes of weights, activations and scratch), over the {:.0} GiB budget; this layer's output is the largest",
                bytes as f64 / (1u64 << 30) as f64,
                budget as f64 / (1u64 << 30) as f64
            ),
        },
        other => WholeError::Plan {
            layer: "the block".into(),
            detail: other.to_string(),
        },
    }
}

/// One layer's share of a timed run.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerTime {
    /// Index into the analysis' rows (a layer, or the concat or residual a copy or an
    /// addition belongs to).
    pub row: usize,
    /// Median seconds of the steps that are this layer's (a fused ReLU or batch norm is its
    /// convolution's).
    pub seconds: f64,
}

/// A whole block timed.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed {
    pub measurement: Measurement,
    pub layers: Vec<LayerTime>,
    /// Bytes of activations at the plan's peak (after reuse by liveness).
    pub peak_activation_bytes: usize,
    /// Bytes the plan holds in all (activations, scratch, weights).
    pub total_bytes: usize,
    /// Seconds of every whole run.
    pub samples: Vec<f64>,
}

/// Times `prepared`: warm-up, then whole runs until the budget is spent, then as many runs
/// timed step by step for the per-layer figures. `stop` is asked between runs; when it says
/// so, the timing ends with [`WholeError::Interrupted`].
pub fn time(
    prepared: &mut Prepared,
    budget: Budget,
    threads: usize,
    stop: &dyn Fn() -> bool,
) -> Result<Timed, WholeError> {
    let interrupted = || {
        if stop() {
            Err(WholeError::Interrupted)
        } else {
            Ok(())
        }
    };
    let mut budget = budget;
    let mut warmed = 0;
    while warmed < budget.warmup_runs {
        interrupted()?;
        let t = Instant::now();
        prepared.run()?;
        // A block that takes seconds a run is timed fewer times, not for many minutes.
        budget = budget.after_a_run_of(t.elapsed());
        warmed += 1;
    }
    let started = Instant::now();
    let mut samples = Vec::with_capacity(budget.min_runs.max(16));
    while samples.len() < budget.max_runs.max(1)
        && (samples.len() < budget.min_runs.max(1) || started.elapsed() < budget.time)
    {
        interrupted()?;
        let t = Instant::now();
        prepared.run()?;
        samples.push(t.elapsed().as_secs_f64());
        if samples.len() == 1 {
            budget = budget.after_a_run_of(t.elapsed());
        }
    }
    let steps = prepared.plan.step_count();
    let mut per_step: Vec<Vec<f64>> = vec![Vec::with_capacity(samples.len()); steps];
    let mut times = vec![0.0; steps];
    for _ in 0..samples.len().clamp(1, 64) {
        interrupted()?;
        prepared
            .plan
            .run_timed(&mut times)
            .map_err(|e| WholeError::Plan {
                layer: "the engine".into(),
                detail: e.to_string(),
            })?;
        for (all, t) in per_step.iter_mut().zip(&times) {
            all.push(*t);
        }
    }
    let mut layers: Vec<LayerTime> = Vec::new();
    for (tag, all) in prepared.plan.step_tags().zip(&per_step) {
        let seconds = Spread::of(all).map_or(0.0, |s| s.median);
        match layers.iter_mut().find(|l| l.row == tag) {
            Some(l) => l.seconds += seconds,
            None => layers.push(LayerTime { row: tag, seconds }),
        }
    }
    let measurement =
        Measurement::from_samples(prepared.flops(), threads, &samples).ok_or_else(|| {
            WholeError::Plan {
                layer: "the block".into(),
                detail: "no run was timed".into(),
            }
        })?;
    Ok(Timed {
        measurement,
        layers,
        peak_activation_bytes: prepared.plan.activation_bytes(),
        total_bytes: prepared.plan.total_bytes(),
        samples,
    })
}

/// How far the fast engine is from the scalar reference on the same input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verified {
    pub max_abs_error: f64,
    /// The largest absolute error over the largest absolute reference output.
    pub max_rel_error: f64,
}

impl Verified {
    pub fn within_tolerance(&self) -> bool {
        self.max_rel_error <= TOLERANCE
    }
}

/// Runs the plan and the reference on the plan's input and compares the outputs.
pub fn verify(prepared: &mut Prepared) -> Result<Verified, WholeError> {
    let want = expected(prepared)?;
    verify_against(prepared, &want)
}

/// What the scalar reference computes from the plan's input.
pub fn expected(prepared: &mut Prepared) -> Result<Vec<f32>, WholeError> {
    reference::run(&prepared.lowered.graph, prepared.plan.input_mut()).map_err(|e| {
        WholeError::Plan {
            layer: "the reference".into(),
            detail: e.to_string(),
        }
    })
}

/// Runs the plan and compares its output with `want` (from [`expected`]).
pub fn verify_against(prepared: &mut Prepared, want: &[f32]) -> Result<Verified, WholeError> {
    prepared.run()?;
    Ok(compare(prepared.plan.output(), want))
}

/// The largest absolute difference, and that over the largest reference magnitude.
pub fn compare(got: &[f32], want: &[f32]) -> Verified {
    let mut max_abs: f64 = if got.len() == want.len() {
        0.0
    } else {
        f64::INFINITY
    };
    let mut scale: f64 = 0.0;
    for (g, w) in got.iter().zip(want) {
        let d = (f64::from(*g) - f64::from(*w)).abs();
        max_abs = if d.is_nan() {
            f64::INFINITY
        } else {
            max_abs.max(d)
        };
        scale = scale.max(f64::from(*w).abs());
    }
    Verified {
        max_abs_error: max_abs,
        max_rel_error: if scale > 0.0 {
            max_abs / scale
        } else {
            max_abs
        },
    }
}

/// The rows of a layer list, for callers that name times.
pub fn row<'a>(lowered: &'a Lowered, time: &LayerTime) -> Option<&'a Row> {
    lowered.rows.get(time.row)
}
