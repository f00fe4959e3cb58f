//! What an interactive session has measured: which SIMD path and threads the engine runs, the
//! machine's peak, and each 1×1 shape's latest result and history, kept by shape so that only
//! shapes an edit changed are measured again. Which layers are left out (grouped, too large, too
//! much work between keystrokes) is `select`'s answer. Pure state: the thread is in `worker.rs`.

use std::collections::{BTreeSet, HashMap};

use crate::analysis::PointwiseLayer;
use crate::engine::{FMA_AGREEMENT, PointwiseShape};

use super::select::{self, Limits, Skip};
use super::stats::Measurement;
use super::whole_state::WholeState;
use super::worker::{EngineEvent, Job};
use crate::model::Block;

/// Measurements kept per shape and overall, for the sparklines.
pub const HISTORY: usize = 64;

/// What is known of the machine's peak.
#[derive(Debug, Clone, PartialEq)]
pub enum PeakState {
    Probing,
    Known(f64),
    Failed(String),
}

/// One 1×1 layer's line in the throughput pane.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Not run, and why.
    Skipped(Skip),
    Waiting,
    Done(Measurement),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub simd: Option<String>,
    pub threads: Option<usize>,
    /// What the build leaves behind on this CPU, if anything.
    pub build_note: Option<String>,
    pub peak: PeakState,
    results: HashMap<PointwiseShape, Result<Measurement, String>>,
    histories: HashMap<PointwiseShape, Vec<f64>>,
    /// Every measurement in arrival order (GFLOP/s), newest last.
    pub recent: Vec<f64>,
    /// The generation of the last job sent, and whether it is still running.
    pub generation: u64,
    pub running: bool,
    /// The whole block against its counterpart.
    pub whole: WholeState,
}

impl Default for History {
    fn default() -> Self {
        History {
            simd: None,
            threads: None,
            build_note: None,
            peak: PeakState::Probing,
            results: HashMap::new(),
            histories: HashMap::new(),
            recent: Vec::new(),
            generation: 0,
            running: false,
            whole: WholeState::default(),
        }
    }
}

/// The engine's shape for a 1×1 layer between keystrokes, or why it is not run.
fn shape_of(layer: &PointwiseLayer) -> Result<PointwiseShape, Skip> {
    select::shape_of(layer, Limits::INTERACTIVE)
}

fn push_capped(values: &mut Vec<f64>, value: f64) {
    values.push(value);
    if values.len() > HISTORY {
        values.remove(0);
    }
}

impl History {
    pub fn status(&self, layer: &PointwiseLayer) -> Status {
        match shape_of(layer) {
            Err(skip) => Status::Skipped(skip),
            Ok(shape) => match self.results.get(&shape) {
                None => Status::Waiting,
                Some(Ok(measured)) => Status::Done(*measured),
                Some(Err(error)) => Status::Failed(error.clone()),
            },
        }
    }

    pub fn history(&self, layer: &PointwiseLayer) -> &[f64] {
        shape_of(layer)
            .ok()
            .and_then(|shape| self.histories.get(&shape))
            .map_or(&[], Vec::as_slice)
    }

    /// `gflops` as a share of the peak; `None` without a peak, or when it is above the peak by
    /// more than the probe's agreement (then the probe ran starved and the share would lie).
    pub fn share_of_peak(&self, gflops: f64) -> Option<f64> {
        let share = gflops / self.peak_gflops()?;
        (share <= 1.0 + FMA_AGREEMENT).then_some(share)
    }

    pub fn peak_gflops(&self) -> Option<f64> {
        match self.peak {
            PeakState::Known(peak) if peak > 0.0 => Some(peak),
            _ => None,
        }
    }

    /// The job that measures every shape of `layers` not measured yet, if any; starting it
    /// makes every earlier job stale.
    pub fn plan(&mut self, layers: &[PointwiseLayer]) -> Option<Job> {
        self.plan_with(layers, None)
    }

    /// The same, also running `whole` (a block, as [`WholeState::wanted`] gives it) whole.
    pub fn plan_with(&mut self, layers: &[PointwiseLayer], whole: Option<Block>) -> Option<Job> {
        let shapes: BTreeSet<PointwiseShape> = layers
            .iter()
            .filter_map(|layer| shape_of(layer).ok())
            .filter(|shape| !self.results.contains_key(shape))
            .collect();
        if shapes.is_empty() && whole.is_none() {
            self.running = false;
            return None;
        }
        self.generation += 1;
        self.running = true;
        if whole.is_some() {
            self.whole.asked(self.generation);
        }
        Some(Job {
            generation: self.generation,
            shapes: shapes.into_iter().collect(),
            whole,
        })
    }

    /// Forgets the measurements (keeping their history) so the next plan measures again.
    pub fn forget_results(&mut self) {
        self.results.clear();
        self.whole.forget();
    }

    /// Takes a worker report in; `wanted` says whether a shape is still in the document, and
    /// results for shapes that are not are dropped.
    pub fn record(&mut self, event: EngineEvent, wanted: impl Fn(PointwiseShape) -> bool) {
        match event {
            EngineEvent::EngineDescribed {
                simd,
                threads,
                build_note,
            } => {
                self.simd = Some(simd);
                self.threads = Some(threads);
                self.build_note = build_note;
            }
            EngineEvent::PeakProbed(Ok(peak)) => self.peak = PeakState::Known(peak),
            EngineEvent::PeakProbed(Err(error)) => self.peak = PeakState::Failed(error),
            EngineEvent::ShapeMeasured { shape, result, .. } => {
                if !wanted(shape) {
                    return;
                }
                if let Ok(measured) = &result {
                    push_capped(self.histories.entry(shape).or_default(), measured.gflops());
                    push_capped(&mut self.recent, measured.gflops());
                }
                self.results.insert(shape, result);
            }
            EngineEvent::WholeMeasured { generation, result } => {
                self.whole.record(generation, result);
            }
            EngineEvent::EngineFinished { generation } => {
                if generation == self.generation {
                    self.running = false;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NodePath;

    fn layer(c_in: usize, c_out: usize, groups: usize) -> PointwiseLayer {
        sized(c_in, c_out, 28, groups)
    }

    fn sized(c_in: usize, c_out: usize, side: usize, groups: usize) -> PointwiseLayer {
        PointwiseLayer {
            path: NodePath(vec![0]),
            name: None,
            c_in,
            c_out,
            h: side,
            w: side,
            groups,
        }
    }

    fn measured(gflops: f64) -> Result<Measurement, String> {
        Measurement::from_samples(gflops * 1e6, 1, &[0.001; 3]).ok_or_else(String::new)
    }

    #[test]
    fn measures_only_new_shapes_and_skips_grouped_and_huge_ones() {
        let mut t = History::default();
        let layers = [layer(192, 64, 1), layer(192, 64, 1), layer(64, 64, 2)];
        let job = t.plan(&layers).unwrap();
        assert_eq!(job.shapes.len(), 1);
        let shape = job.shapes[0];
        t.record(
            EngineEvent::ShapeMeasured {
                generation: job.generation,
                shape,
                result: measured(10.0),
            },
            |_| true,
        );
        assert_eq!(t.plan(&layers), None);
        assert_eq!(
            t.status(&layers[2]),
            Status::Skipped(Skip::Grouped { groups: 2 })
        );
        assert!(matches!(
            t.status(&layer(1 << 20, 1 << 20, 1)),
            Status::Skipped(Skip::Buffers { .. })
        ));
    }

    /// A measurement above the probed peak has no share of it: the probe ran starved.
    #[test]
    fn no_share_of_a_peak_that_was_beaten() {
        let mut t = History::default();
        assert_eq!(t.share_of_peak(50.0), None, "no peak yet");
        t.record(EngineEvent::PeakProbed(Ok(100.0)), |_| true);
        assert_eq!(t.share_of_peak(50.0), Some(0.5));
        assert_eq!(
            t.share_of_peak(104.0),
            Some(1.04),
            "within the probe's agreement"
        );
        assert_eq!(t.share_of_peak(122.0), None);
    }

    /// A layer too much work between keystrokes is never sent to the worker.
    #[test]
    fn long_runs_are_never_sent() {
        // 2·2048·2048·56·56 = 26.3 GFLOP a run.
        let big = sized(2048, 2048, 56, 1);
        let shape = PointwiseShape::new(2048, 2048, 56, 56);
        let mut t = History::default();
        assert_eq!(t.status(&big), Status::Skipped(Skip::Work { shape }));
        assert_eq!(t.plan(std::slice::from_ref(&big)), None, "never sent");
    }

    #[test]
    fn drops_results_for_shapes_no_longer_wanted_and_stale_finishes() {
        let mut t = History::default();
        let first = t.plan(&[layer(192, 64, 1)]).unwrap();
        let second = t.plan(&[layer(192, 72, 1)]).unwrap();
        let stale = first.shapes[0];
        t.record(
            EngineEvent::ShapeMeasured {
                generation: first.generation,
                shape: stale,
                result: measured(5.0),
            },
            |shape| shape != stale,
        );
        assert!(t.recent.is_empty());
        t.record(
            EngineEvent::EngineFinished {
                generation: first.generation,
            },
            |_| true,
        );
        assert!(t.running);
        t.record(
            EngineEvent::EngineFinished {
                generation: second.generation,
            },
            |_| true,
        );
        assert!(!t.running);
    }
}
