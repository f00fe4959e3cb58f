//! The `bench` run: this machine's peak probed for a thread count, then every shape timed with
//! one budget. `report::bench` renders what it gives; the command line only parses arguments.

use crate::analysis::PointwiseLayer;
use crate::engine::cache::Caches;
use crate::engine::datapath::FmaDatapath;
use crate::engine::{
    Blocking, Peak, PointwiseShape, isa, lane_width, probe_peak, reprobe_peak, simd_path,
};

use super::select::{Limits, Selection, layer_name};
use super::stats::Measurement;
use super::timing::{Budget, MeasureError, time_pointwise_telling};

/// One shape to time, with the layer name it came from (if any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchShape {
    pub name: Option<String>,
    pub shape: PointwiseShape,
}

impl BenchShape {
    pub fn new(name: Option<String>, c_in: usize, c_out: usize, h: usize, w: usize) -> Self {
        BenchShape {
            name,
            shape: PointwiseShape::new(c_in, c_out, h, w),
        }
    }
}

/// A block's 1×1 layers as `bench` times them, and a line naming those it leaves out; an error
/// when none is left to time.
pub fn block_shapes(
    block_name: &str,
    layers: &[PointwiseLayer],
) -> Result<(Vec<BenchShape>, Option<String>), String> {
    let selection = Selection::of(layers, Limits::BENCH);
    let note = selection.skipped_note();
    if selection.timed.is_empty() {
        let why = note.map(|n| format!(" ({n})")).unwrap_or_default();
        return Err(format!(
            "{block_name} has no 1×1 convolution for the engine to time{why}"
        ));
    }
    let shapes = selection
        .timed
        .iter()
        .map(|(layer, shape)| BenchShape {
            name: Some(layer_name(layer)),
            shape: *shape,
        })
        .collect();
    Ok((shapes, note))
}

/// Everything one `bench` run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchRun {
    /// The instruction set the engine was compiled for, e.g. `"AVX-512F+FMA (f32x16)"`.
    pub simd: &'static str,
    /// f32 lanes per vector on that path.
    pub lanes: usize,
    pub threads: usize,
    pub peak: Peak,
    pub budget: Budget,
    pub rows: Vec<(BenchShape, Measurement)>,
    /// What the build leaves behind on this CPU, if anything (`engine::isa`).
    pub build_note: Option<String>,
    /// The block sizes the engine chose here, and what it chose them from.
    pub blocks: Blocks,
}

/// The engine's cache block sizes on this machine, with the caches and FMA datapath they
/// follow, so a figure can be traced to the tuning that produced it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Blocks {
    pub blocking: Blocking,
    pub caches: Caches,
    pub datapath: FmaDatapath,
}

impl Blocks {
    /// What [`Engine::new`](crate::engine::Engine::new) uses on this machine.
    pub fn detect() -> Blocks {
        Blocks {
            blocking: Blocking::default(),
            caches: Caches::detect(),
            datapath: FmaDatapath::detect(),
        }
    }
}

impl BenchRun {
    /// Rows that measured faster than the peak by more than the probe's own spread, even after
    /// the peak was probed again: one of the two figures is wrong, and the user is told so.
    pub fn above_peak(&self) -> Vec<String> {
        let limit = self.peak.gflops * (1.0 + self.peak.spread());
        self.rows
            .iter()
            .filter(|(_, m)| m.gflops() > limit)
            .map(|(s, m)| {
                format!(
                    "{} ran at {:.1} GFLOP/s, above the measured peak of {:.1} (spread {:.1}%): \
                     the machine was busier during the peak probe, or a figure is wrong",
                    s.name.clone().unwrap_or_else(|| s.shape.to_string()),
                    m.gflops(),
                    self.peak.gflops,
                    100.0 * self.peak.spread()
                )
            })
            .collect()
    }
}

/// Further probes of the peak, after the first re-probe, while a run still beats it.
const REPROBES: usize = 2;

/// How far a `bench` run has got, told as each shape starts and after each timed run.
#[derive(Clone, Copy, Debug)]
pub struct Progress<'a> {
    pub shape: &'a BenchShape,
    /// Which shape of how many, from 1.
    pub index: usize,
    pub of: usize,
    /// Runs of this shape timed so far (0 during warm-up).
    pub runs: usize,
}

/// Probes the peak for `threads` and times every shape with `budget`, telling `progress`
/// after each run.
pub fn run_bench(
    shapes: &[BenchShape],
    threads: usize,
    budget: Budget,
    progress: &dyn Fn(Progress),
) -> Result<BenchRun, MeasureError> {
    // Validate everything before spending seconds on the peak probe.
    for s in shapes {
        s.shape.check()?;
    }
    let mut peak = probe_peak(threads)?;
    let measured = shapes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let tell = |runs| {
                progress(Progress {
                    shape: s,
                    index: i + 1,
                    of: shapes.len(),
                    runs,
                })
            };
            time_pointwise_telling(s.shape, threads, budget, &tell)
        })
        .collect::<Result<Vec<_>, MeasureError>>()?;
    // A run faster than the peak means the probe was starved (another process on a core):
    // probe again, keeping the best the machine has shown, a few times while a run still beats
    // the peak by more than the probe's own spread.
    let beaten = |peak: &Peak| {
        measured
            .iter()
            .any(|m| m.gflops() > peak.gflops * (1.0 + peak.spread()))
    };
    if measured.iter().any(|m| m.gflops() > peak.gflops) {
        peak = reprobe_peak(threads)?;
        for _ in 0..REPROBES {
            if !beaten(&peak) {
                break;
            }
            peak = reprobe_peak(threads)?;
        }
    }
    Ok(BenchRun {
        simd: simd_path(),
        lanes: lane_width(),
        threads,
        peak,
        budget,
        rows: shapes.iter().cloned().zip(measured).collect(),
        build_note: isa::this_build().note(),
        blocks: Blocks::detect(),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::engine::EngineError;

    #[test]
    fn bad_shapes_fail_before_any_timing() {
        let shapes = [BenchShape::new(None, 0, 4, 4, 4)];
        let err = run_bench(&shapes, 1, Budget::default(), &|_| {}).unwrap_err();
        assert!(matches!(
            err,
            MeasureError::Engine(EngineError::ZeroDimension { .. })
        ));
    }

    #[test]
    fn runs_every_shape_in_order() {
        let budget = Budget {
            warmup_runs: 0,
            min_runs: 2,
            max_runs: 2,
            time: Duration::ZERO,
        };
        let shapes = [
            BenchShape::new(Some("a".into()), 8, 4, 3, 3),
            BenchShape::new(None, 3, 5, 1, 17),
        ];
        let told = std::cell::Cell::new(0);
        let run = run_bench(&shapes, 1, budget, &|_| told.set(told.get() + 1)).expect("runs");
        assert_eq!(
            told.get(),
            6,
            "told as each shape starts and after each of its 2 runs"
        );
        assert_eq!(run.rows.len(), 2);
        assert_eq!(
            (run.rows[0].0.name.as_deref(), run.rows[1].0.shape.c_out),
            (Some("a"), 5)
        );
        assert!(
            run.rows
                .iter()
                .all(|(_, m)| m.runs == 2 && m.gflops() > 0.0)
        );
    }
}
