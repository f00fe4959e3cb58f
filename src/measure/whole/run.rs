//! The `bench --whole` run: a block and its counterpart without 1×1 convolutions, each planned
//! once and timed in alternating rounds (so a noisy machine's drift falls on both alike), with
//! the scalar reference's verdict when asked.

use crate::analysis::{Row, Summary};
use crate::model::Block;

use super::super::stats::{Measurement, Spread};
use super::super::timing::Budget;
use super::{Prepared, Timed, Verified, WholeError, time, verify};

/// Rounds each of the two is timed in, alternating.
const ROUNDS: usize = 3;

/// One of the two measured: what it is, its timing, and the reference's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    pub macs: u64,
    pub timed: Timed,
    pub verified: Option<Verified>,
    /// The analysis rows its per-layer times name.
    pub rows: Vec<Row>,
    /// The analysis' sum of activations, bytes (f32): what memory would be with no reuse.
    pub counted_activation_bytes: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WholeRun {
    pub block: Side,
    /// The counterpart, or why it could not be run.
    pub counterpart: Result<Side, String>,
}

impl WholeRun {
    /// How many times longer the counterpart takes than the block, measured.
    pub fn measured_speedup(&self) -> Option<f64> {
        let c = self.counterpart.as_ref().ok()?;
        Some(c.timed.measurement.seconds.median / self.block.timed.measurement.seconds.median)
    }

    /// The same, counted: the counterpart's MACs over the block's.
    pub fn counted_speedup(&self) -> Option<f64> {
        let c = self.counterpart.as_ref().ok()?;
        (self.block.macs > 0).then(|| c.macs as f64 / self.block.macs as f64)
    }
}

/// Times `block` (as edited) and its counterpart on `threads` threads.
pub fn run_whole(
    block: &Block,
    summary: &Summary,
    threads: usize,
    budget: Budget,
    check: bool,
    stop: &dyn Fn() -> bool,
) -> Result<WholeRun, WholeError> {
    let mut mine = Prepared::new(block, &summary.block, threads)?;
    let mut other = match &summary.counterpart {
        Ok(analysis) => Prepared::new(block, analysis, threads).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let round = Budget {
        time: budget.time / ROUNDS as u32,
        min_runs: budget.min_runs.div_ceil(ROUNDS),
        ..budget
    };
    let (mut a, mut b): (Vec<Timed>, Vec<Timed>) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        a.push(time(&mut mine, round, threads, stop)?);
        if let Ok(other) = other.as_mut() {
            b.push(time(other, round, threads, stop)?);
        }
    }
    let side = |p: &mut Prepared,
                rounds: Vec<Timed>,
                analysis: &crate::analysis::Analysis|
     -> Result<Side, WholeError> {
        let verified = if check { Some(verify(p)?) } else { None };
        Ok(Side {
            macs: p.lowered.macs,
            timed: merge(rounds),
            verified,
            rows: p.lowered.rows.clone(),
            counted_activation_bytes: analysis.totals.activation_bytes(),
        })
    };
    let block_side = side(&mut mine, a, &summary.block)?;
    let counterpart = match (other, &summary.counterpart) {
        (Ok(mut p), Ok(analysis)) => Ok(side(&mut p, b, analysis)?),
        (Err(e), _) => Err(e),
        (_, Err(e)) => Err(e.to_string()),
    };
    Ok(WholeRun {
        block: block_side,
        counterpart,
    })
}

/// Rounds of one side as one measurement over all their runs; each layer's time is the median
/// of its rounds' medians.
fn merge(rounds: Vec<Timed>) -> Timed {
    let samples: Vec<f64> = rounds
        .iter()
        .flat_map(|r| r.samples.iter().copied())
        .collect();
    let mut merged = rounds[rounds.len() / 2].clone();
    if let Some(m) = Measurement::from_samples(
        merged.measurement.flops,
        merged.measurement.threads,
        &samples,
    ) {
        merged.measurement = m;
    }
    for (i, layer) in merged.layers.iter_mut().enumerate() {
        let all: Vec<f64> = rounds
            .iter()
            .filter_map(|r| r.layers.get(i))
            .map(|l| l.seconds)
            .collect();
        layer.seconds = Spread::of(&all).map_or(layer.seconds, |s| s.median);
    }
    merged.samples = samples;
    merged
}
