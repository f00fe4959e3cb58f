//! Timing the engine on one layer shape: warm-up, then repetitions until a time budget is
//! spent (and at least a minimum count), summarised by [`Measurement`] — the figures the
//! `bench` subcommand and the TUI show.
//!
//! FLOPs are 2·MACs = 2·C_in·C_out·H·W; GFLOP/s is that over the median seconds per run.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::engine::{Activation, AlignedVec, Engine, EngineError, Epilogue, PointwiseShape, noise};

use super::stats::Measurement;

/// Why a shape was not timed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeasureError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Its buffers or its run time would be absurd for an interactive tool.
    #[error("{shape} is too large to time: {detail}")]
    TooLarge {
        shape: PointwiseShape,
        detail: String,
    },
    /// Nothing was timed (the loop always times one run, so this is never seen).
    #[error("{shape}: no run was timed")]
    NoRuns { shape: PointwiseShape },
}

/// How long to measure: runs continue until both `time` has passed and `min_runs` are done,
/// and stop at `max_runs` regardless.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Budget {
    /// Untimed runs first (caches, page faults, clock ramp, waking the pool).
    pub warmup_runs: usize,
    pub min_runs: usize,
    pub max_runs: usize,
    #[serde(rename = "time_ms", serialize_with = "as_millis")]
    pub time: Duration,
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u128(d.as_millis())
}

impl Default for Budget {
    /// Enough for a stable median of an Inception-sized layer in ≈ 0.1 s.
    fn default() -> Self {
        Budget {
            warmup_runs: 3,
            min_runs: 10,
            max_runs: 100_000,
            time: Duration::from_millis(100),
        }
    }
}

impl Budget {
    /// For a whole block and its counterpart between keystrokes: about 0.1 s each.
    pub fn interactive_whole() -> Self {
        Budget {
            warmup_runs: 1,
            min_runs: 3,
            max_runs: 10_000,
            time: Duration::from_millis(90),
        }
    }

    /// For a whole block and its counterpart: longer, since one run of a network takes
    /// milliseconds, not microseconds.
    pub fn whole() -> Self {
        Budget {
            warmup_runs: 3,
            min_runs: 15,
            max_runs: 100_000,
            time: Duration::from_millis(600),
        }
    }

    /// A short budget for interactive use: ≈ 30 ms per shape.
    pub fn interactive() -> Self {
        Budget {
            warmup_runs: 2,
            min_runs: 5,
            max_runs: 10_000,
            time: Duration::from_millis(30),
        }
    }
}

/// The largest shape [`time_pointwise`] will time: its buffers (weights, input, output, in bytes) and
/// its FLOPs per run (10¹² is ≈ 10 s on one fast core). A user can type any shape; allocating
/// 40 GB or running for an hour is not a measurement.
pub const MEASURE_MAX_BYTES: u64 = 4 << 30;
pub const MEASURE_MAX_FLOPS: f64 = 1.0e12;

/// A run longer than this is a long one: the rest of the warm-up is skipped and the timed
/// runs are cut to what fits in [`LONG_TOTAL`], at least [`LONG_MIN_RUNS`].
pub const LONG_RUN: Duration = Duration::from_secs(1);
pub const LONG_TOTAL: Duration = Duration::from_secs(20);
pub const LONG_MIN_RUNS: usize = 3;

impl Budget {
    /// This budget once a run is seen to take `run`: unchanged for short runs; for long ones,
    /// no more warm-up and as many runs as fit in [`LONG_TOTAL`] (at least [`LONG_MIN_RUNS`]),
    /// so a huge shape takes a minute at most rather than the many it would at full count.
    pub fn after_a_run_of(self, run: Duration) -> Budget {
        if run < LONG_RUN {
            return self;
        }
        let fit = (LONG_TOTAL.as_secs_f64() / run.as_secs_f64()) as usize;
        let runs = fit.clamp(LONG_MIN_RUNS, self.min_runs.max(LONG_MIN_RUNS));
        Budget {
            warmup_runs: 0,
            min_runs: runs,
            max_runs: runs,
            time: Duration::ZERO,
        }
    }
}

/// Told between runs how many have been timed, so that a long measurement can say it is
/// still going (`bench` prints it on stderr); the TUI passes one that does nothing.
pub type Between<'a> = &'a dyn Fn(usize);

/// Times the engine on `shape` with `threads` threads, on deterministic pseudo-random data,
/// with bias and ReLU on (as a network layer runs).
pub fn time_pointwise(
    shape: PointwiseShape,
    threads: usize,
    budget: Budget,
) -> Result<Measurement, MeasureError> {
    time_pointwise_telling(shape, threads, budget, &|_| {})
}

/// [`time_pointwise`], telling `between` after each run.
pub fn time_pointwise_telling(
    shape: PointwiseShape,
    threads: usize,
    mut budget: Budget,
    between: Between,
) -> Result<Measurement, MeasureError> {
    let checked = shape.check()?;
    let bytes = checked.shape.buffer_bytes();
    if bytes > MEASURE_MAX_BYTES {
        let detail =
            format!("its buffers need {bytes} bytes, over the {MEASURE_MAX_BYTES}-byte limit");
        return Err(MeasureError::TooLarge { shape, detail });
    }
    if checked.flops() > MEASURE_MAX_FLOPS {
        let detail = format!(
            "one run is {:.3e} FLOPs, over the {MEASURE_MAX_FLOPS:.0e} limit",
            checked.flops()
        );
        return Err(MeasureError::TooLarge { shape, detail });
    }
    let engine = Engine::new(threads)?;
    let weights = noise(checked.weight_len, 1);
    // Aligned as the engine's own buffers are, so the figure is the engine's and not the
    // allocator's (see `AlignedVec`).
    let input = AlignedVec::from_slice(&noise(checked.input_len, 2));
    let bias = noise(shape.c_out, 3);
    let mut output = AlignedVec::zeroed(checked.output_len);
    let epilogue = Epilogue {
        bias: Some(&bias),
        add: None,
        activation: Activation::Relu,
    };
    between(0);
    let mut warmed = 0;
    while warmed < budget.warmup_runs {
        let start = Instant::now();
        engine.run(shape, &weights, &input, epilogue, &mut output)?;
        budget = budget.after_a_run_of(start.elapsed());
        warmed += 1;
    }
    let mut times = Vec::with_capacity(budget.min_runs.clamp(1, 64));
    let started = Instant::now();
    loop {
        let start = Instant::now();
        engine.run(shape, &weights, &input, epilogue, &mut output)?;
        let took = start.elapsed();
        times.push(took.as_secs_f64());
        if times.len() == 1 {
            budget = budget.after_a_run_of(took);
        }
        between(times.len());
        let enough = times.len() >= budget.min_runs && started.elapsed() >= budget.time;
        if enough || times.len() >= budget.max_runs {
            break;
        }
    }
    Measurement::from_samples(checked.flops(), threads, &times)
        .ok_or(MeasureError::NoRuns { shape })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_shapes_are_refused_before_allocating() {
        let err = time_pointwise(
            PointwiseShape::new(100_000, 100_000, 100, 100),
            1,
            Budget::default(),
        )
        .unwrap_err();
        assert!(matches!(err, MeasureError::TooLarge { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("100000→100000 @ 100×100 is too large to time"),
            "{err}"
        );
        // Small buffers, but 2·4096·4096·65536 ≈ 2.2e12 FLOPs per run.
        let err = time_pointwise(
            PointwiseShape::new(4096, 4096, 256, 256),
            1,
            Budget::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("FLOPs"), "{err}");
    }

    #[test]
    fn a_long_run_cuts_the_warm_up_and_the_count_but_keeps_three_runs() {
        let budget = Budget::default();
        assert_eq!(budget.after_a_run_of(Duration::from_millis(10)), budget);
        let long = budget.after_a_run_of(Duration::from_secs(2));
        assert_eq!(
            (long.warmup_runs, long.min_runs, long.max_runs),
            (0, 10, 10)
        );
        let huge = budget.after_a_run_of(Duration::from_secs(12));
        assert_eq!((huge.warmup_runs, huge.min_runs, huge.max_runs), (0, 3, 3));
    }

    #[test]
    fn measurement_counts_flops_as_two_per_mac() {
        let budget = Budget {
            warmup_runs: 0,
            min_runs: 3,
            max_runs: 3,
            time: Duration::ZERO,
        };
        let m = time_pointwise(PointwiseShape::new(16, 8, 4, 4), 1, budget).expect("valid shape");
        assert_eq!(m.runs, 3);
        assert_eq!(m.flops, 2.0 * 16.0 * 8.0 * 16.0);
        assert!((m.gflops() - m.flops / m.seconds.median / 1e9).abs() <= 1e-9 * m.gflops());
    }
}
