//! Timing the engine on one layer shape: warm-up, then repetitions until a time budget is
//! spent (and at least a minimum count), reporting the median — the figure the `bench`
//! subcommand and the TUI show.
//!
//! FLOPs are 2·MACs = 2·C_in·C_out·H·W; GFLOP/s is that over the median seconds per run.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::error::EngineError;
use super::shape::PointwiseShape;
use super::simd::simd_path;
use super::{Engine, Epilogue};

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

/// The result of timing one shape.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measurement {
    pub shape: PointwiseShape,
    pub threads: usize,
    /// The instruction set the kernels were compiled for, as [`simd_path`] names it.
    pub simd: &'static str,
    /// Timed runs (warm-up excluded).
    pub runs: usize,
    /// Median wall time of one run.
    pub seconds: f64,
    /// Fastest run, for seeing how noisy the machine was.
    pub min_seconds: f64,
    /// 2·MACs of one run.
    pub flops: f64,
    /// `flops / seconds / 1e9` (median).
    pub gflops: f64,
}

/// The largest shape [`measure`] will time: its buffers (weights, input, output, in bytes) and
/// its FLOPs per run (10¹² is ≈ 10 s on one fast core). A user can type any shape; allocating
/// 40 GB or running for an hour is not a measurement.
pub const MEASURE_MAX_BYTES: u64 = 4 << 30;
pub const MEASURE_MAX_FLOPS: f64 = 1.0e12;

/// Times the engine on `shape` with `threads` threads, on deterministic pseudo-random data,
/// with bias and ReLU on (as a network layer runs).
pub fn measure(
    shape: PointwiseShape,
    threads: usize,
    budget: Budget,
) -> Result<Measurement, EngineError> {
    let checked = shape.check()?;
    let bytes = checked.shape.buffer_bytes();
    if bytes > MEASURE_MAX_BYTES {
        let detail =
            format!("its buffers need {bytes} bytes, over the {MEASURE_MAX_BYTES}-byte limit");
        return Err(EngineError::TooLargeToMeasure { shape, detail });
    }
    if checked.flops() > MEASURE_MAX_FLOPS {
        let detail = format!(
            "one run is {:.3e} FLOPs, over the {MEASURE_MAX_FLOPS:.0e} limit",
            checked.flops()
        );
        return Err(EngineError::TooLargeToMeasure { shape, detail });
    }
    let engine = Engine::new(threads)?;
    let weights = noise(checked.weight_len, 1);
    let input = noise(checked.input_len, 2);
    let bias = noise(shape.c_out, 3);
    let mut output = vec![0.0f32; checked.output_len];
    let epilogue = Epilogue {
        bias: Some(&bias),
        relu: true,
    };
    for _ in 0..budget.warmup_runs {
        engine.run(shape, &weights, &input, epilogue, &mut output)?;
    }
    let mut times = Vec::with_capacity(budget.min_runs.max(64));
    let started = Instant::now();
    while times.len() < budget.max_runs.max(1)
        && (times.len() < budget.min_runs || started.elapsed() < budget.time)
    {
        let start = Instant::now();
        engine.run(shape, &weights, &input, epilogue, &mut output)?;
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let seconds = median(&times);
    let flops = checked.flops();
    Ok(Measurement {
        shape,
        threads,
        simd: simd_path(),
        runs: times.len(),
        seconds,
        min_seconds: times.first().copied().unwrap_or(seconds),
        flops,
        gflops: flops / seconds / 1e9,
    })
}

/// Median of sorted, non-empty samples (mean of the middle two for an even count).
fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    }
}

/// `len` values in [-1, 1) from a 64-bit LCG: deterministic, and not all-equal (which could let
/// a clever kernel or a broken one look right).
pub fn noise(len: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_shapes_are_refused_before_allocating() {
        let err = measure(
            PointwiseShape::new(100_000, 100_000, 100, 100),
            1,
            Budget::default(),
        )
        .unwrap_err();
        assert!(
            matches!(err, EngineError::TooLargeToMeasure { .. }),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("100000→100000 @ 100×100 is too large to time"),
            "{err}"
        );
        // Small buffers, but 2·4096·4096·65536 ≈ 2.2e12 FLOPs per run.
        let err = measure(
            PointwiseShape::new(4096, 4096, 256, 256),
            1,
            Budget::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("FLOPs"), "{err}");
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), 3.0);
    }

    #[test]
    fn noise_is_in_range_and_varied() {
        let v = noise(1000, 7);
        assert!(v.iter().all(|x| (-1.0..1.0).contains(x)));
        assert!(v.iter().any(|&x| x > 0.5) && v.iter().any(|&x| x < -0.5));
    }

    #[test]
    fn measurement_counts_flops_as_two_per_mac() {
        let budget = Budget {
            warmup_runs: 0,
            min_runs: 3,
            max_runs: 3,
            time: Duration::ZERO,
        };
        let m = measure(PointwiseShape::new(16, 8, 4, 4), 1, budget).expect("valid shape");
        assert_eq!(m.runs, 3);
        assert_eq!(m.flops, 2.0 * 16.0 * 8.0 * 16.0);
        assert!((m.gflops - m.flops / m.seconds / 1e9).abs() <= 1e-9 * m.gflops);
    }
}
