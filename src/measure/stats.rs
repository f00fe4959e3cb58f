//! The one result type of a measurement: the times of the timed runs, summarised as a median
//! and a spread (p10–p90, and the extremes), with the work one run does.
//!
//! FLOPs are 2·MACs; GFLOP/s is FLOPs over seconds over 10⁹, so a run's p10 time gives the
//! p90 throughput and the other way round.

use serde::Serialize;

/// Order statistics of a set of samples.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    pub median: f64,
    /// 10th and 90th percentiles (nearest rank).
    pub p10: f64,
    pub p90: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// The statistics of `samples` (any order); `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Spread> {
        let mut sorted: Vec<f64> = samples.iter().copied().filter(|s| !s.is_nan()).collect();
        sorted.sort_by(f64::total_cmp);
        let (&min, &max) = (sorted.first()?, sorted.last()?);
        Some(Spread {
            median: median(&sorted),
            p10: nearest_rank(&sorted, 0.10),
            p90: nearest_rank(&sorted, 0.90),
            min,
            max,
        })
    }
}

/// Median of sorted, non-empty samples (mean of the middle two for an even count).
fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    }
}

/// The sample at quantile `q` by the nearest-rank rule: the smallest with at least `q` of the
/// samples at or below it.
fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// What timing one piece of work gave.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Measurement {
    pub threads: usize,
    /// FLOPs (2·MACs) of one run.
    pub flops: f64,
    /// Timed runs (warm-up excluded).
    pub runs: usize,
    /// Seconds per run.
    pub seconds: Spread,
}

impl Measurement {
    /// The measurement of runs that took `samples` seconds each; `None` without samples.
    pub fn from_samples(flops: f64, threads: usize, samples: &[f64]) -> Option<Measurement> {
        Some(Measurement {
            threads,
            flops,
            runs: samples.len(),
            seconds: Spread::of(samples)?,
        })
    }

    /// Median GFLOP/s: FLOPs over the median seconds.
    pub fn gflops(&self) -> f64 {
        self.flops / self.seconds.median / 1e9
    }

    /// GFLOP/s of the p90 and the p10 run times: the spread of the throughput, low to high.
    pub fn gflops_spread(&self) -> (f64, f64) {
        (
            self.flops / self.seconds.p90 / 1e9,
            self.flops / self.seconds.p10 / 1e9,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), 3.0);
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let samples: Vec<f64> = (1..=20).rev().map(f64::from).collect();
        let s = Spread::of(&samples).unwrap();
        // 10 % of 20 is 2 samples: the 2nd smallest; 90 % is 18: the 18th.
        assert_eq!(
            (s.p10, s.p90, s.min, s.max, s.median),
            (2.0, 18.0, 1.0, 20.0, 10.5)
        );
        let one = Spread::of(&[3.0]).unwrap();
        assert_eq!((one.p10, one.median, one.p90), (3.0, 3.0, 3.0));
        assert_eq!(Spread::of(&[]), None);
    }

    #[test]
    fn throughput_spread_is_the_inverse_of_the_time_spread() {
        let m = Measurement::from_samples(2e9, 1, &[1.0, 2.0, 4.0]).unwrap();
        assert_eq!(m.gflops(), 1.0);
        let (low, high) = m.gflops_spread();
        assert_eq!((low, high), (0.5, 2.0));
    }
}
