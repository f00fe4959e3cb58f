//! Running the chunks of a problem ([`super::partition`]) on several threads.
//!
//! Chunks are claimed dynamically from an atomic counter by the calling thread and `threads − 1`
//! pool workers. The caller never sleeps waiting for a worker to wake: if a worker starts late
//! (the machine is busy, or it was asleep), the caller simply claims more chunks, and a worker
//! that arrives after the last chunk finds nothing to do. Several chunks per thread keep the
//! last one short. Below [`PARALLEL_MIN_FLOPS`] the engine stays on the calling thread.

use core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::{ThreadPool, ThreadPoolBuilder};

use super::block_sizes::Blocking;
use super::blocking;
use super::error::EngineError;
use super::partition::{CHUNKS_PER_THREAD, Part};
use super::problem::Problem;

/// Problems smaller than this (FLOPs = 2·MACs) run on one thread by default (see
/// `Engine::with_min_parallel_flops`). Measured on 2 Zen 4 cores: a second thread breaks even
/// at ≈ 0.4 MFLOP (32→32 @ 14×14: 3.9 µs alone, 3.5 µs shared) and pays from 0.8 MFLOP
/// (7.4 → 5.8 µs); below that, handing work over costs more than it saves.
pub const PARALLEL_MIN_FLOPS: f64 = 0.5e6;

/// A float buffer threads share, each writing a part no other thread writes.
#[derive(Clone, Copy)]
pub(crate) struct Disjoint(pub *mut f32);
// SAFETY: every user writes a part no other thread writes.
unsafe impl Send for Disjoint {}
unsafe impl Sync for Disjoint {}

impl Disjoint {
    /// The pointer (a method, so closures capture the whole `Disjoint`, not its field).
    pub fn ptr(&self) -> *mut f32 {
        self.0
    }

    /// # Safety
    /// `at .. at + len` must lie in the buffer and be this caller's alone.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn part(&self, at: usize, len: usize) -> &mut [f32] {
        // SAFETY: forwarded from the caller.
        unsafe { core::slice::from_raw_parts_mut(self.ptr().add(at), len) }
    }
}

/// What the caller and the workers share for one call.
struct Shared {
    problem: Problem,
    parts: Vec<Part>,
    blocking: Blocking,
    next: AtomicUsize,
    done: AtomicUsize,
}

/// Claims and computes chunks until none are left.
fn work(s: &Shared) {
    loop {
        let i = s.next.fetch_add(1, Ordering::Relaxed);
        let Some(part) = s.parts.get(i) else { return };
        // SAFETY: each index is claimed once, so no two threads write the same rectangle, and
        // the caller keeps the buffers alive until `done` counts every chunk (see `run`).
        unsafe {
            blocking::rectangle(&s.problem, part.rows.clone(), part.cols.clone(), s.blocking)
        };
        s.done.fetch_add(1, Ordering::Release);
    }
}

/// Computes every chunk on the calling thread plus `helpers` workers of `pool`.
///
/// # Safety
/// `problem`'s pointers must stay valid, and its output unaliased, until this returns.
pub(crate) unsafe fn run(
    pool: &ThreadPool,
    helpers: usize,
    problem: Problem,
    parts: Vec<Part>,
    blocking: Blocking,
) {
    let total = parts.len();
    let shared = Arc::new(Shared {
        problem,
        parts,
        blocking,
        next: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
    });
    for _ in 0..helpers.min(total.saturating_sub(1)) {
        let shared = Arc::clone(&shared);
        // A worker that starts after every chunk is claimed touches only the counters,
        // which the `Arc` keeps alive; it never dereferences the (by then stale) pointers.
        pool.spawn(move || work(&shared));
    }
    work(&shared);
    // Every chunk is claimed; wait for the ones still running elsewhere (at most one chunk each).
    wait_for(&shared.done, total);
}

/// Spins, then yields, until `done` reaches `target`: the parts still running elsewhere are
/// short, so sleeping would cost more than the wait.
fn wait_for(done: &AtomicUsize, target: usize) {
    let mut spins = 0u32;
    while done.load(Ordering::Acquire) < target {
        if spins < 1 << 12 {
            core::hint::spin_loop();
            spins += 1;
        } else {
            std::thread::yield_now();
        }
    }
}

/// Calls `f(part, worker)` for every part in `0..parts`, on the calling thread (worker 0) and
/// up to `threads − 1` workers of `pool`, each claiming the next few parts not taken; returns
/// when all are done. Worker numbers are below `threads`, so a caller can give each its own
/// scratch.
///
/// As in [`run`], the caller never waits for a worker to wake: a block's small steps (a pool
/// over 28×28, a 5×5 conv on 16 channels) take tens of microseconds, about what waking a sleeping
/// thread costs, and a scope that waited for its helpers made them slower on two threads than
/// on one. Parts are claimed a few at a time, so two cores do not pass the counter's cache line
/// back and forth for every channel.
pub(crate) fn for_each(
    pool: Option<&ThreadPool>,
    threads: usize,
    parts: usize,
    f: &(dyn Fn(usize, usize) + Sync),
) {
    let helpers = threads.min(parts).saturating_sub(1);
    let Some(pool) = pool.filter(|_| helpers > 0) else {
        (0..parts).for_each(|part| f(part, 0));
        return;
    };
    // SAFETY (lifetime): `f` is only called for a claimed part, and every claim is made and
    // finished before this function returns (the `Finish` guard below waits for them, even
    // while unwinding); a worker that starts later claims nothing and never calls it.
    let f: &'static (dyn Fn(usize, usize) + Sync) = unsafe { core::mem::transmute(f) };
    let job = Arc::new(Job {
        f,
        parts,
        chunk: (parts / (threads * CHUNKS_PER_THREAD * 2)).max(1),
        next: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
    });
    for worker in 1..=helpers {
        let job = Arc::clone(&job);
        pool.spawn(move || job.claim(worker));
    }
    let finish = Finish(&job);
    job.claim(0);
    drop(finish);
}

/// One [`for_each`] call, shared with the workers.
struct Job {
    f: &'static (dyn Fn(usize, usize) + Sync),
    parts: usize,
    chunk: usize,
    next: AtomicUsize,
    done: AtomicUsize,
}

impl Job {
    fn claim(&self, worker: usize) {
        loop {
            let start = self.next.fetch_add(self.chunk, Ordering::Relaxed);
            if start >= self.parts {
                return;
            }
            let end = (start + self.chunk).min(self.parts);
            // Counted even if `f` unwinds, so the caller's wait ends.
            let _counted = Counted(&self.done, end - start);
            (start..end).for_each(|part| (self.f)(part, worker));
        }
    }
}

/// Adds its count to `done` when dropped.
struct Counted<'a>(&'a AtomicUsize, usize);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(self.1, Ordering::Release);
    }
}

/// Closes a [`Job`] to new claims and waits for the claimed parts, when dropped.
struct Finish<'a>(&'a Job);

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        let job = self.0;
        // Past the end: no part is claimed from now on, so `f` may die once the claims made
        // before this one are done.
        let claimed = job
            .next
            .fetch_add(job.parts, Ordering::AcqRel)
            .min(job.parts);
        wait_for(&job.done, claimed);
    }
}

/// A rayon pool of `workers` threads, built on first use and shared afterwards, so the engine
/// never depends on (or disturbs) the global pool.
pub(crate) fn pool(workers: usize) -> Result<Arc<ThreadPool>, EngineError> {
    type Pools = Mutex<Vec<(usize, Arc<ThreadPool>)>>;
    static POOLS: OnceLock<Pools> = OnceLock::new();
    let pools = POOLS.get_or_init(|| Mutex::new(Vec::new()));
    // A poisoned lock only means another thread panicked while holding it; the list itself is
    // always valid.
    let mut pools = pools
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, pool)) = pools.iter().find(|(n, _)| *n == workers) {
        return Ok(Arc::clone(pool));
    }
    let pool = ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(move |i| format!("convtui-engine-{workers}-{i}"))
        .build()
        .map_err(|e| EngineError::ThreadPool {
            threads: workers + 1,
            reason: e.to_string(),
        })?;
    let pool = Arc::new(pool);
    pools.push((workers, Arc::clone(&pool)));
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn for_each_visits_every_part_once_and_returns_after_the_last() {
        use std::sync::atomic::AtomicU32;
        for threads in [1, 2, 3, 5] {
            let pool = pool(threads.max(2) - 1).unwrap();
            for parts in [0, 1, 2, 7, 64, 1000] {
                let seen: Vec<AtomicU32> = (0..parts).map(|_| AtomicU32::new(0)).collect();
                for_each(Some(&pool), threads, parts, &|part, worker| {
                    assert!(worker < threads.max(1), "worker {worker} of {threads}");
                    if part % 97 == 0 {
                        std::thread::sleep(std::time::Duration::from_micros(200));
                    }
                    seen[part].fetch_add(1, Ordering::Relaxed);
                });
                // Read after return: a part still running elsewhere would show as 0 here.
                assert!(
                    seen.iter().all(|s| s.load(Ordering::Relaxed) == 1),
                    "{parts} parts on {threads} threads"
                );
            }
        }
    }
}
