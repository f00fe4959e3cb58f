//! What the UI knows about the engine: which SIMD path and threads it runs, the machine's peak,
//! and the measured throughput of each 1×1 shape, cached by shape so that only shapes an edit
//! changed are measured again, and which shapes are not run here (grouped, too large, too much
//! work to time between keystrokes). Pure state: the worker thread lives in `worker.rs`.

use std::collections::{BTreeSet, HashMap};

use crate::analysis::PointwiseLayer;

use crate::engine::PointwiseShape;

use super::worker::{EngineEvent, Job, Measured};

/// Shapes whose buffers exceed this are not run (a note says so).
pub const MAX_BUFFER_BYTES: u64 = 256 << 20;
/// Shapes with more work per run than this are not run between keystrokes: ≈ 0.1 s a run at
/// 200 GFLOP/s, and an interactive measurement makes at least seven (two warm-up, five timed).
/// `convtui bench --pointwise` times them.
pub const MAX_INTERACTIVE_FLOPS: u64 = 20_000_000_000;
/// Measurements kept per shape and overall, for the sparklines.
pub const HISTORY: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Peak {
    Probing,
    Known(f64),
    Failed(String),
}

/// Why a 1×1 layer is not measured here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The engine runs dense 1×1 convs only.
    Grouped { groups: usize },
    /// Its weights, input and output together exceed [`MAX_BUFFER_BYTES`].
    Buffers { bytes: u64 },
    /// One run is more than [`MAX_INTERACTIVE_FLOPS`]: `convtui bench` times it instead.
    Work { shape: PointwiseShape },
}

impl Skip {
    /// The whole reason, as the export writes it.
    pub fn note(self) -> String {
        match self {
            Skip::Work { shape } => format!(
                "{:.1} GFLOP a run, too long to time between keystrokes: \
                 convtui bench --pointwise {},{},{},{} times it",
                shape.flops() as f64 / 1e9,
                shape.c_in,
                shape.c_out,
                shape.h,
                shape.w
            ),
            other => other.short_note(),
        }
    }

    /// The reason in the pane's 29-column result cell (short of absurd buffer sizes); the row
    /// shows the shape.
    pub fn short_note(self) -> String {
        match self {
            Skip::Grouped { groups } => format!("grouped ({groups}): not run"),
            Skip::Buffers { bytes } => format!("{} MiB of buffers: not run", bytes >> 20),
            Skip::Work { .. } => "too slow here: convtui bench".into(),
        }
    }
}

/// One 1×1 layer's line in the throughput pane.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// Not run, and why.
    Skipped(Skip),
    Waiting,
    Done(Measured),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Throughput {
    pub simd: Option<String>,
    pub threads: Option<usize>,
    pub peak: Peak,
    results: HashMap<PointwiseShape, Result<Measured, String>>,
    histories: HashMap<PointwiseShape, Vec<f64>>,
    /// Every measurement in arrival order (GFLOP/s), newest last.
    pub recent: Vec<f64>,
    /// The generation of the last job sent, and whether it is still running.
    pub generation: u64,
    pub running: bool,
}

impl Default for Throughput {
    fn default() -> Self {
        Throughput {
            simd: None,
            threads: None,
            peak: Peak::Probing,
            results: HashMap::new(),
            histories: HashMap::new(),
            recent: Vec::new(),
            generation: 0,
            running: false,
        }
    }
}

/// The engine's shape for a 1×1 layer, or why it is not run.
pub fn shape_of(layer: &PointwiseLayer) -> Result<PointwiseShape, Skip> {
    if layer.groups != 1 {
        return Err(Skip::Grouped {
            groups: layer.groups,
        });
    }
    let shape = PointwiseShape {
        c_in: layer.c_in,
        c_out: layer.c_out,
        h: layer.h,
        w: layer.w,
    };
    let bytes = shape.buffer_bytes();
    if bytes > MAX_BUFFER_BYTES {
        return Err(Skip::Buffers { bytes });
    }
    if shape.flops() > MAX_INTERACTIVE_FLOPS {
        return Err(Skip::Work { shape });
    }
    Ok(shape)
}

fn push_capped(values: &mut Vec<f64>, value: f64) {
    values.push(value);
    if values.len() > HISTORY {
        values.remove(0);
    }
}

impl Throughput {
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

    pub fn peak_gflops(&self) -> Option<f64> {
        match self.peak {
            Peak::Known(peak) if peak > 0.0 => Some(peak),
            _ => None,
        }
    }

    /// The job that measures every shape of `layers` not measured yet, if any; starting it
    /// makes every earlier job stale.
    pub fn plan(&mut self, layers: &[PointwiseLayer]) -> Option<Job> {
        let shapes: BTreeSet<PointwiseShape> = layers
            .iter()
            .filter_map(|layer| shape_of(layer).ok())
            .filter(|shape| !self.results.contains_key(shape))
            .collect();
        if shapes.is_empty() {
            self.running = false;
            return None;
        }
        self.generation += 1;
        self.running = true;
        Some(Job {
            generation: self.generation,
            shapes: shapes.into_iter().collect(),
        })
    }

    /// Forgets the measurements (keeping their history) so the next plan measures again.
    pub fn forget_results(&mut self) {
        self.results.clear();
    }

    /// Takes a worker report in; `wanted` says whether a shape is still in the document, and
    /// results for shapes that are not are dropped.
    pub fn record(&mut self, event: EngineEvent, wanted: impl Fn(PointwiseShape) -> bool) {
        match event {
            EngineEvent::EngineDescribed { simd, threads } => {
                self.simd = Some(simd);
                self.threads = Some(threads);
            }
            EngineEvent::PeakProbed(Ok(peak)) => self.peak = Peak::Known(peak),
            EngineEvent::PeakProbed(Err(error)) => self.peak = Peak::Failed(error),
            EngineEvent::ShapeMeasured { shape, result, .. } => {
                if !wanted(shape) {
                    return;
                }
                if let Ok(measured) = &result {
                    push_capped(self.histories.entry(shape).or_default(), measured.gflops);
                    push_capped(&mut self.recent, measured.gflops);
                }
                self.results.insert(shape, result);
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

    fn measured(gflops: f64) -> Result<Measured, String> {
        Ok(Measured {
            gflops,
            seconds: 0.001,
            runs: 3,
        })
    }

    #[test]
    fn measures_only_new_shapes_and_skips_grouped_and_huge_ones() {
        let mut t = Throughput::default();
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

    /// A shape small in memory can still be too much work to time between keystrokes.
    #[test]
    fn long_runs_are_skipped_with_the_bench_command_that_times_them() {
        // 2·2048·2048·56·56 = 26.3 GFLOP a run, in (2048² + 2·2048·56²)·4 = 67 MB of buffers.
        let big = sized(2048, 2048, 56, 1);
        let shape = PointwiseShape::new(2048, 2048, 56, 56);
        assert!(shape.buffer_bytes() <= MAX_BUFFER_BYTES);
        let mut t = Throughput::default();
        assert_eq!(t.status(&big), Status::Skipped(Skip::Work { shape }));
        assert_eq!(t.plan(std::slice::from_ref(&big)), None, "never sent");
        let note = Skip::Work { shape }.note();
        assert!(note.starts_with("26.3 GFLOP a run"), "{note}");
        assert!(
            note.contains("convtui bench --pointwise 2048,2048,56,56"),
            "{note}"
        );
        // 2·1024·1024·56·56 = 6.6 GFLOP: measured.
        assert!(shape_of(&sized(1024, 1024, 56, 1)).is_ok());
        for skip in [
            Skip::Grouped { groups: 1 << 20 },
            Skip::Buffers { bytes: 9999 << 20 },
            Skip::Work { shape },
        ] {
            assert!(skip.short_note().chars().count() <= 29, "{skip:?}");
        }
    }

    #[test]
    fn drops_results_for_shapes_no_longer_wanted_and_stale_finishes() {
        let mut t = Throughput::default();
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
