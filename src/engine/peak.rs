//! This machine's physical limits, measured: FMA throughput and streaming-read bandwidth, for a
//! given thread count, so every throughput figure can be shown as a fraction of what the
//! hardware can do rather than of a datasheet number.
//!
//! The FMA probe runs the same `wide` vector and `mul_add` the engine's kernels use, with enough
//! independent accumulator chains to cover latency × FMA ports (a 4-cycle FMA on 2 ports needs 8
//! in flight) and few enough to stay in registers: 24 of AVX-512's 32, 12 of the 16 that AVX2
//! and SSE have (24 there would spill a third of them and measure the spills). So it measures
//! throughput, not latency. The bandwidth probe sums a buffer far larger than any last-level
//! cache. Both keep the best of several rounds, since noise only ever slows a round down, and
//! the FMA probe reports its rounds' spread too.

use std::hint::black_box;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::error::EngineError;
use super::parallel;
use super::simd::{LANES, Lane};

/// Measured limits for one thread count.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Peak {
    pub threads: usize,
    /// FMA throughput, GFLOP/s (an FMA counts as two FLOPs): the best round.
    pub gflops: f64,
    /// The round that confirmed the best one (the second best), GFLOP/s: with `gflops`, the
    /// probe's spread. Rounds a busy machine slowed further are not counted in it.
    pub gflops_low: f64,
    /// FMA rounds the probe ran.
    pub rounds: usize,
    /// Streaming read bandwidth from memory, GB/s (10⁹ bytes).
    pub bandwidth_gbs: f64,
}

impl Peak {
    /// The probe's own relative spread, (best − slowest) / best.
    pub fn spread(&self) -> f64 {
        if self.gflops > 0.0 {
            (self.gflops - self.gflops_low) / self.gflops
        } else {
            0.0
        }
    }
}

/// FMA chains per thread: what the register file holds with room for the two operands (see the
/// module doc).
const CHAINS: usize = if LANES >= 16 { 24 } else { 12 };
/// FMA probe: every thread runs chunks of FMAs without pause for `FMA_WARMUP + FMA_WINDOW`,
/// and only chunks that ran wholly inside the window count. Short separate rounds are not
/// enough with several threads: a pool worker woken for each round is often placed on the
/// waking thread's core, and the two then share it; busy for a whole window, the scheduler
/// spreads them out during the warm-up.
const FMA_CHUNK: Duration = Duration::from_micros(200);
const FMA_WARMUP: Duration = Duration::from_millis(25);
const FMA_WINDOW: Duration = Duration::from_millis(50);
/// Rounds: at least `FMA_MIN_ROUNDS`, then more (up to `FMA_MAX_ROUNDS`) until a second round
/// confirms the best within `FMA_AGREEMENT`; a shared machine sometimes lends a core away for
/// a round, and that round must not become the peak.
const FMA_MIN_ROUNDS: usize = 3;
const FMA_MAX_ROUNDS: usize = 10;
pub const FMA_AGREEMENT: f64 = 0.05;
/// Bandwidth probe: buffer (split among threads; 4× a 32 MiB L3, halved while the allocator
/// refuses it) and rounds.
const STREAM_BYTES: usize = 128 << 20;
const STREAM_MIN_BYTES: usize = 16 << 20;
const STREAM_ROUNDS: usize = 3;

static CACHE: OnceLock<Mutex<Vec<Peak>>> = OnceLock::new();

fn cache() -> std::sync::MutexGuard<'static, Vec<Peak>> {
    CACHE
        .get_or_init(|| Mutex::new(Vec::new()))
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// Measures (on first call per thread count, ≈ 0.2–0.3 s) and remembers this machine's peak.
pub fn probe_peak(threads: usize) -> Result<Peak, EngineError> {
    let known = cache().iter().find(|p| p.threads == threads).copied();
    match known {
        Some(peak) => Ok(peak),
        None => reprobe_peak(threads),
    }
}

/// Measures the peak again and remembers the best seen so far for this thread count.
///
/// On a shared machine a probe can run while another process holds a core, and then read low;
/// a measurement above the peak is the sign of it, and the answer is to look again, not to
/// report more than 100 %.
pub fn reprobe_peak(threads: usize) -> Result<Peak, EngineError> {
    // Threads past the cores share them: they add no FMA throughput, and a probe whose busy
    // windows no longer overlap would add up each thread's rate into a peak the machine never
    // had (1024 threads on 2 cores read thousands of GFLOP/s).
    let cores = std::thread::available_parallelism().map_or(threads, |n| n.get());
    let workers = threads.min(cores).max(1);
    let mut rounds = fma_rounds(workers)?;
    rounds.sort_by(|a, b| b.total_cmp(a));
    let best = rounds.first().copied().unwrap_or(0.0);
    let fresh = Peak {
        threads,
        gflops: best,
        gflops_low: rounds.get(1).copied().unwrap_or(best),
        rounds: rounds.len(),
        bandwidth_gbs: read_bandwidth_gbs(workers)?,
    };
    let mut cache = cache();
    let best = match cache.iter_mut().find(|p| p.threads == threads) {
        Some(known) => {
            if fresh.gflops > known.gflops {
                (known.gflops, known.gflops_low, known.rounds) =
                    (fresh.gflops, fresh.gflops_low, fresh.rounds);
            }
            known.bandwidth_gbs = known.bandwidth_gbs.max(fresh.bandwidth_gbs);
            *known
        }
        None => {
            cache.push(fresh);
            fresh
        }
    };
    Ok(best)
}

/// Runs `work(i)` on `threads` threads at once — the caller as thread 0 and the engine's own
/// pool for the rest, as [`super::Engine`] runs — returning the wall time until the last
/// finishes.
fn on_threads(threads: usize, work: impl Fn(usize) + Sync) -> Result<Duration, EngineError> {
    if threads == 0 {
        return Err(EngineError::ZeroThreads);
    }
    if threads == 1 {
        let start = Instant::now();
        work(0);
        return Ok(start.elapsed());
    }
    let pool = parallel::pool(threads - 1)?;
    let start = Instant::now();
    pool.in_place_scope(|s| {
        for i in 1..threads {
            let work = &work;
            s.spawn(move |_| work(i));
        }
        work(0);
    });
    Ok(start.elapsed())
}

/// `iterations` rounds of `CHAINS` independent FMAs; returns a value so nothing is elided.
#[inline(never)]
fn fma_chains(iterations: u64) -> f32 {
    let mut acc = [Lane::splat(0.5); CHAINS];
    let x = black_box(Lane::splat(0.999_999));
    let y = black_box(Lane::splat(1.0e-7));
    for _ in 0..iterations {
        for a in &mut acc {
            *a = a.mul_add(x, y);
        }
    }
    acc.iter().fold(Lane::ZERO, |s, a| s + *a).reduce_add()
}

/// GFLOP/s of each round of the FMA probe.
fn fma_rounds(threads: usize) -> Result<Vec<f64>, EngineError> {
    // Calibrate a chunk on one thread (this also ramps the clock up).
    let mut iterations = 1u64 << 10;
    loop {
        let start = Instant::now();
        black_box(fma_chains(iterations));
        if start.elapsed() >= FMA_CHUNK || iterations >= 1 << 40 {
            break;
        }
        iterations *= 2;
    }
    let flops_per_chunk = 2.0 * (CHAINS * LANES) as f64 * iterations as f64;
    let mut rounds: Vec<f64> = Vec::new();
    while rounds.len() < FMA_MIN_ROUNDS || !confirmed(&rounds) && rounds.len() < FMA_MAX_ROUNDS {
        let rates: Vec<Mutex<f64>> = (0..threads).map(|_| Mutex::new(0.0)).collect();
        let start = Instant::now();
        on_threads(threads, |i| {
            let rate = chunks_in_window(start, iterations) * flops_per_chunk;
            *rates[i].lock().unwrap_or_else(|p| p.into_inner()) = rate;
        })?;
        // The threads ran their windows at the same time, so their rates add up.
        let total: f64 = rates
            .iter()
            .map(|r| *r.lock().unwrap_or_else(|p| p.into_inner()))
            .sum();
        rounds.push(total / 1e9);
    }
    Ok(rounds)
}

/// Whether at least two rounds lie within `FMA_AGREEMENT` of the best one.
fn confirmed(rounds: &[f64]) -> bool {
    let best = rounds.iter().copied().fold(0.0, f64::max);
    rounds
        .iter()
        .filter(|&&r| r >= best * (1.0 - FMA_AGREEMENT))
        .count()
        >= 2
}

/// Runs chunks of `iterations` FMA rounds until the window closes; returns chunks per second
/// over the chunks that started and ended inside the window.
fn chunks_in_window(start: Instant, iterations: u64) -> f64 {
    let (open, close) = (FMA_WARMUP, FMA_WARMUP + FMA_WINDOW);
    let mut counted = 0u32;
    let mut first: Option<Duration> = None;
    let mut last = Duration::ZERO;
    loop {
        let before = start.elapsed();
        if before >= close {
            break;
        }
        black_box(fma_chains(iterations));
        let after = start.elapsed();
        if before >= open && after <= close {
            counted += 1;
            first.get_or_insert(before);
            last = after;
        }
    }
    match first {
        Some(first) if last > first => f64::from(counted) / (last - first).as_secs_f64(),
        _ => 0.0,
    }
}

/// Sums a slice with enough independent vector accumulators to keep loads in flight.
#[inline(never)]
fn stream_sum(data: &[f32]) -> f32 {
    let mut acc = [Lane::ZERO; 8];
    let mut chunks = data.chunks_exact(8 * LANES);
    for chunk in &mut chunks {
        for (a, v) in acc.iter_mut().zip(chunk.chunks_exact(LANES)) {
            let mut lanes = [0.0f32; LANES];
            lanes.copy_from_slice(v);
            *a += Lane::new(lanes);
        }
    }
    let tail: f32 = chunks.remainder().iter().sum();
    acc.iter().fold(Lane::ZERO, |s, a| s + *a).reduce_add() + tail
}

fn read_bandwidth_gbs(threads: usize) -> Result<f64, EngineError> {
    // Ask for the buffer without aborting if the allocator says no: a smaller one still
    // outruns most caches.
    let mut bytes = STREAM_BYTES;
    let mut data: Vec<f32> = Vec::new();
    while data.try_reserve_exact(bytes / size_of::<f32>()).is_err() && bytes > STREAM_MIN_BYTES {
        bytes /= 2;
    }
    let len = data.capacity().min(bytes / size_of::<f32>());
    // Non-zero contents, written once, so the pages are really backed by memory.
    data.extend((0..len).map(|i| (i % 7) as f32));
    let share = len.div_ceil(threads);
    let mut best = 0.0f64;
    for _ in 0..STREAM_ROUNDS {
        let wall = on_threads(threads, |i| {
            let part = data
                .get(i * share..((i + 1) * share).min(len))
                .unwrap_or(&[]);
            black_box(stream_sum(black_box(part)));
        })?;
        best = best.max((len * size_of::<f32>()) as f64 / wall.as_secs_f64() / 1e9);
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_sum_adds_everything() {
        let data: Vec<f32> = (0..1000).map(|i| (i % 3) as f32).collect();
        assert_eq!(stream_sum(&data), data.iter().sum::<f32>());
    }

    #[test]
    fn fma_chains_run_every_iteration() {
        // acc ← acc·x + y from 0.5: after one step each lane is 0.5·0.999999 + 1e-7.
        let one = 0.5f32.mul_add(0.999_999, 1.0e-7);
        let expected = (CHAINS * LANES) as f32 * one;
        assert!((fma_chains(1) - expected).abs() <= expected * 1e-5);
    }
}
