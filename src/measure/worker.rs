//! The engine worker: a thread that measures the throughput of 1×1 layer shapes off the UI
//! thread. The UI submits [`Job`]s tagged with a generation; only the newest pending job is kept
//! (gitui's asyncjob pattern), so holding `+` down queues one job, not hundreds. The worker waits
//! a short debounce before starting a job and gives up on a job as soon as a newer one arrives.
//! Results come back as [`EngineEvent`]s on a channel; the UI drops those it no longer needs.
//!
//! The worker knows nothing about the engine's API: it drives a [`Measurer`]: the real SIMD
//! engine is `engine_measurer.rs`, and tests supply fakes.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::Duration;

use crate::engine::PointwiseShape;
use crate::model::Block;

use super::whole::WholeRun;

use super::stats::Measurement;

/// What the worker needs from an engine. Implementations may be slow; they only ever run on the
/// worker thread.
pub trait Measurer: Send + 'static {
    /// The SIMD path the engine runs, as [`crate::engine::simd_path`] names it
    /// ("AVX-512F+FMA (f32x16)", "AVX2+FMA (f32x8)", "NEON (f32x4)", ...).
    fn simd(&self) -> String;
    /// Threads a measurement uses, at least 1.
    fn threads(&self) -> usize;
    /// What the build leaves behind on this CPU (a faster path it could run), if anything.
    fn build_note(&self) -> Option<String> {
        None
    }
    /// Probes the machine's peak GFLOP/s; called once, first, on the worker thread.
    fn peak_gflops(&mut self) -> Result<f64, String>;
    /// Probes the peak again, after a measurement came out above it (the first probe was
    /// starved); the engine keeps the best it has seen. `None`: this measurer cannot.
    fn recheck_peak(&mut self) -> Option<Result<f64, String>> {
        None
    }
    /// Runs one 1×1 convolution of this shape and reports its throughput.
    fn measure(&mut self, shape: PointwiseShape) -> Result<Measurement, String>;
    /// Runs `block` whole and its counterpart without 1×1 convolutions; `stop` says a newer
    /// job is waiting, and a run that sees it may end early with any error.
    fn measure_whole(
        &mut self,
        block: &Block,
        stop: &dyn Fn() -> bool,
    ) -> Result<WholeRun, String> {
        let _ = (block, stop);
        Err("this engine does not run whole blocks".into())
    }
}

/// Shapes to measure, and a block to run whole, tagged with the generation of the document
/// state that asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub generation: u64,
    pub shapes: Vec<PointwiseShape>,
    pub whole: Option<Block>,
}

/// What the worker reports, in the past tense.
#[derive(Debug, Clone, PartialEq)]
pub enum EngineEvent {
    EngineDescribed {
        simd: String,
        threads: usize,
        /// What the build leaves behind on this CPU, if anything.
        build_note: Option<String>,
    },
    PeakProbed(Result<f64, String>),
    ShapeMeasured {
        generation: u64,
        shape: PointwiseShape,
        result: Result<Measurement, String>,
    },
    /// The job's block, run whole against its counterpart.
    WholeMeasured {
        generation: u64,
        result: Result<Box<WholeRun>, String>,
    },
    /// Every shape of the job was measured (a job abandoned for a newer one never finishes).
    EngineFinished {
        generation: u64,
    },
}

/// How long the worker waits for a newer job before it starts one.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

#[derive(Default)]
struct Slot {
    pending: Option<Job>,
    closed: bool,
}

type Shared = Arc<(Mutex<Slot>, Condvar)>;

/// The UI's handle on the worker thread. Dropping it stops the thread after its current run.
pub struct Worker {
    shared: Shared,
}

impl Worker {
    /// Starts the worker; `post` turns its events into whatever the event loop receives.
    pub fn spawn<E: Send + 'static>(
        measurer: impl Measurer,
        events: Sender<E>,
        post: fn(EngineEvent) -> E,
    ) -> Worker {
        let shared: Shared = Arc::default();
        let inner = Arc::clone(&shared);
        let spawned = thread::Builder::new()
            .name("convtui-engine".into())
            .spawn(move || work(measurer, &inner, |event| events.send(post(event)).is_ok()));
        if let Err(error) = spawned {
            // No thread, no measurements: the throughput pane says why and the rest works.
            eprintln!("convtui: cannot start the engine thread: {error}");
        }
        Worker { shared }
    }

    /// Replaces any job still waiting with this one.
    pub fn submit(&self, job: Job) {
        let (lock, signal) = &*self.shared;
        lock.lock().unwrap_or_else(PoisonError::into_inner).pending = Some(job);
        signal.notify_all();
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let (lock, signal) = &*self.shared;
        lock.lock().unwrap_or_else(PoisonError::into_inner).closed = true;
        signal.notify_all();
    }
}

fn work(mut measurer: impl Measurer, shared: &Shared, mut post: impl FnMut(EngineEvent) -> bool) {
    let described = EngineEvent::EngineDescribed {
        simd: measurer.simd(),
        threads: measurer.threads(),
        build_note: measurer.build_note(),
    };
    let peak = measurer.peak_gflops();
    let mut known_peak = peak.as_ref().ok().copied();
    if !post(described) || !post(EngineEvent::PeakProbed(peak)) {
        return;
    }
    while let Some(job) = next_job(shared) {
        if !run_job(&mut measurer, shared, &job, &mut known_peak, &mut post) {
            return;
        }
    }
}

/// Waits for a job, then for the debounce to pass with no newer one. `None` once closed.
fn next_job(shared: &Shared) -> Option<Job> {
    let (lock, signal) = &**shared;
    let mut slot = lock.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if slot.closed {
            return None;
        }
        if let Some(job) = slot.pending.take() {
            let (next, timeout) = signal
                .wait_timeout(slot, DEBOUNCE)
                .unwrap_or_else(PoisonError::into_inner);
            slot = next;
            if slot.pending.is_none() || timeout.timed_out() {
                // Keep the newest: a job that arrived during the wait replaces this one.
                return Some(slot.pending.take().unwrap_or(job));
            }
            continue;
        }
        slot = signal.wait(slot).unwrap_or_else(PoisonError::into_inner);
    }
}

fn superseded(shared: &Shared) -> bool {
    let slot = shared.0.lock().unwrap_or_else(PoisonError::into_inner);
    slot.closed || slot.pending.is_some()
}

/// Measures each shape of the job; `false` when the UI has gone away.
fn run_job(
    measurer: &mut impl Measurer,
    shared: &Shared,
    job: &Job,
    peak: &mut Option<f64>,
    post: &mut impl FnMut(EngineEvent) -> bool,
) -> bool {
    // The whole block first: its measured speed-up is the figure the screen leads with.
    if let Some(block) = &job.whole {
        let stop = || superseded(shared);
        let result = measurer.measure_whole(block, &stop);
        if superseded(shared) {
            return true;
        }
        let event = EngineEvent::WholeMeasured {
            generation: job.generation,
            result: result.map(Box::new),
        };
        if !post(event) {
            return false;
        }
    }
    for &shape in &job.shapes {
        if superseded(shared) {
            return true;
        }
        let result = measurer.measure(shape);
        let above_peak = matches!((&result, *peak), (Ok(m), Some(p)) if m.gflops() > p);
        if above_peak && let Some(rechecked) = measurer.recheck_peak() {
            *peak = rechecked.as_ref().ok().copied().or(*peak);
            if !post(EngineEvent::PeakProbed(rechecked)) {
                return false;
            }
        }
        let event = EngineEvent::ShapeMeasured {
            generation: job.generation,
            shape,
            result,
        };
        if !post(event) {
            return false;
        }
    }
    post(EngineEvent::EngineFinished {
        generation: job.generation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{self, Receiver};
    use std::time::Instant;

    /// Records what it is asked to measure and waits for a go-ahead before each run.
    struct Gated {
        started: Sender<PointwiseShape>,
        go: Receiver<()>,
    }

    impl Measurer for Gated {
        fn simd(&self) -> String {
            "test".into()
        }
        fn threads(&self) -> usize {
            1
        }
        fn peak_gflops(&mut self) -> Result<f64, String> {
            Ok(1.0)
        }
        fn measure(&mut self, shape: PointwiseShape) -> Result<Measurement, String> {
            let _ = self.started.send(shape);
            self.go
                .recv_timeout(Duration::from_secs(20))
                .map_err(|_| "no go-ahead".to_string())?;
            Measurement::from_samples(1e9, 1, &[1.0]).ok_or_else(String::new)
        }
    }

    fn shape(c: usize) -> PointwiseShape {
        PointwiseShape {
            c_in: c,
            c_out: c,
            h: 1,
            w: 1,
        }
    }

    #[test]
    fn keeps_only_the_newest_job_and_abandons_a_superseded_one() {
        let (started_tx, started) = mpsc::channel();
        let (go_tx, go) = mpsc::channel();
        let (events_tx, events) = mpsc::channel();
        let worker = Worker::spawn(
            Gated {
                started: started_tx,
                go,
            },
            events_tx,
            |e| e,
        );
        let wait = Duration::from_secs(20);
        worker.submit(Job {
            generation: 1,
            shapes: vec![shape(1), shape(2)],
            whole: None,
        });
        assert_eq!(started.recv_timeout(wait), Ok(shape(1)));
        // While shape 1 runs, two more jobs come; only the last one counts.
        for generation in [2, 3] {
            worker.submit(Job {
                generation,
                shapes: vec![shape(10 * generation as usize)],
                whole: None,
            });
        }
        go_tx.send(()).unwrap();
        assert_eq!(started.recv_timeout(wait), Ok(shape(30)));
        go_tx.send(()).unwrap();
        let deadline = Instant::now() + wait;
        let mut seen = Vec::new();
        while !seen.contains(&EngineEvent::EngineFinished { generation: 3 }) {
            assert!(Instant::now() < deadline, "events so far: {seen:?}");
            if let Ok(event) = events.recv_timeout(Duration::from_millis(100)) {
                seen.push(event);
            }
        }
        let measured: Vec<(u64, PointwiseShape)> = seen
            .iter()
            .filter_map(|e| match e {
                EngineEvent::ShapeMeasured {
                    generation, shape, ..
                } => Some((*generation, *shape)),
                _ => None,
            })
            .collect();
        assert_eq!(measured, vec![(1, shape(1)), (3, shape(30))]);
        assert!(!seen.contains(&EngineEvent::EngineFinished { generation: 1 }));
    }

    /// Measures faster than its first probe said the machine could, as a starved probe does.
    struct Starved {
        rechecks: usize,
    }

    impl Measurer for Starved {
        fn simd(&self) -> String {
            "test".into()
        }
        fn threads(&self) -> usize {
            2
        }
        fn peak_gflops(&mut self) -> Result<f64, String> {
            Ok(100.0)
        }
        fn recheck_peak(&mut self) -> Option<Result<f64, String>> {
            self.rechecks += 1;
            Some(Ok(230.0))
        }
        fn measure(&mut self, _shape: PointwiseShape) -> Result<Measurement, String> {
            // 200 GFLOP/s: 2·10⁸ FLOPs in a millisecond.
            Measurement::from_samples(2e8, 2, &[1e-3; 5]).ok_or_else(String::new)
        }
    }

    #[test]
    fn a_measurement_above_the_peak_has_the_peak_probed_again_once() {
        let shared: Shared = Arc::new((
            Mutex::new(Slot {
                pending: None,
                closed: false,
            }),
            Condvar::new(),
        ));
        let job = Job {
            generation: 1,
            shapes: vec![
                PointwiseShape::new(8, 8, 8, 8),
                PointwiseShape::new(9, 9, 9, 9),
            ],
            whole: None,
        };
        let mut measurer = Starved { rechecks: 0 };
        let mut peak = Some(100.0);
        let mut events = Vec::new();
        let mut post = |event| {
            events.push(event);
            true
        };
        assert!(run_job(&mut measurer, &shared, &job, &mut peak, &mut post));
        assert_eq!(measurer.rechecks, 1, "200 > 100 once; then 200 < 230");
        assert_eq!(peak, Some(230.0));
        assert!(
            events
                .iter()
                .any(|e| matches!(e, EngineEvent::PeakProbed(Ok(p)) if *p == 230.0))
        );
    }
}
