//! The real SIMD engine behind the worker's [`Measurer`] seam: what the TUI times.

use crate::engine::{PointwiseShape, isa, probe_peak, reprobe_peak, simd_path};

use super::stats::Measurement;
use super::timing::{Budget, time_pointwise};
use super::whole::{WholeRun, run_whole};
use super::worker::Measurer;
use crate::analysis::Summary;
use crate::model::Block;

/// Times shapes with the engine on a fixed thread count, with the short interactive budget
/// so that an edit's figures come back within a fraction of a second.
#[derive(Debug, Clone, Copy)]
pub struct EngineMeasurer {
    threads: usize,
}

impl EngineMeasurer {
    pub fn new(threads: usize) -> Self {
        EngineMeasurer {
            threads: threads.max(1),
        }
    }
}

impl Measurer for EngineMeasurer {
    fn simd(&self) -> String {
        simd_path().to_string()
    }

    fn threads(&self) -> usize {
        self.threads
    }

    fn build_note(&self) -> Option<String> {
        // The TUI's message line is one row: the short form, pointing at `--version`.
        isa::this_build().short_note()
    }

    fn peak_gflops(&mut self) -> Result<f64, String> {
        probe_peak(self.threads)
            .map(|peak| peak.gflops)
            .map_err(|e| e.to_string())
    }

    fn recheck_peak(&mut self) -> Option<Result<f64, String>> {
        Some(
            reprobe_peak(self.threads)
                .map(|peak| peak.gflops)
                .map_err(|e| e.to_string()),
        )
    }

    fn measure(&mut self, shape: PointwiseShape) -> Result<Measurement, String> {
        time_pointwise(shape, self.threads, Budget::interactive()).map_err(|e| e.to_string())
    }

    fn measure_whole(
        &mut self,
        block: &Block,
        stop: &dyn Fn() -> bool,
    ) -> Result<WholeRun, String> {
        let summary = Summary::of(block).map_err(|e| e.to_string())?;
        run_whole(
            block,
            &summary,
            self.threads,
            Budget::interactive_whole(),
            false,
            stop,
        )
        .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_a_small_shape_and_reports_its_path() {
        let mut engine = EngineMeasurer::new(1);
        assert_eq!(engine.simd(), simd_path());
        let m = engine.measure(PointwiseShape::new(8, 4, 3, 3)).unwrap();
        assert!(
            m.gflops() > 0.0 && m.seconds.median > 0.0 && m.runs >= 5,
            "{m:?}"
        );
    }

    #[test]
    fn a_zero_shape_is_an_error_not_a_panic() {
        let err = EngineMeasurer::new(1)
            .measure(PointwiseShape::new(0, 4, 3, 3))
            .unwrap_err();
        assert!(err.contains("C_in is 0"), "{err}");
    }
}
