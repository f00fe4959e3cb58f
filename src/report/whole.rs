//! The `whole` and `verify` parts of the `convtui bench --whole` document: a block and its
//! counterpart without 1×1 convolutions as measured, per layer, and against the reference.
//! FLOPs are 2·MACs; GFLOP/s is the counted FLOPs over the median seconds.

use std::fmt::Write as _;

use serde::Serialize;

use crate::analysis::Row;
use crate::measure::whole::{Side, TOLERANCE, Verified, WholeRun, layer_name};

use super::numbers::grouped;

/// One of the two, timed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SideReport {
    /// Median seconds per run of the whole block.
    pub seconds: f64,
    pub seconds_p10: f64,
    pub seconds_p90: f64,
    /// Counted FLOPs (2·MACs) over the median seconds, in GFLOP/s.
    pub gflops: f64,
    pub macs: u64,
    /// `gflops` over the FMA peak probed for this thread count.
    pub fraction_of_peak: f64,
    pub runs: usize,
}

/// One layer's share of the block's time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerReport {
    /// Where it is in the block (`2.1.0`: node 2, chain 1, node 0).
    pub path: String,
    pub name: String,
    /// `conv`, `max_pool`, …; `concat` or `residual` for the copies and additions a
    /// composite needs of its own.
    pub kind: String,
    /// Median seconds of its steps (a folded batch norm and fused ReLU count as its conv's).
    pub seconds: f64,
    /// `seconds` over the sum of every layer's.
    pub share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WholeReport {
    pub block: SideReport,
    pub counterpart: Option<SideReport>,
    /// Why the counterpart was not run, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterpart_error: Option<String>,
    /// The counterpart's median seconds over the block's.
    pub measured_speedup: Option<f64>,
    /// The counterpart's MACs over the block's.
    pub counted_speedup: Option<f64>,
    pub layers: Vec<LayerReport>,
    pub counterpart_layers: Vec<LayerReport>,
    /// Bytes of activations the block's plan holds at its peak, buffers reused by liveness.
    pub peak_memory_bytes: usize,
    /// The analysis' sum of every layer's output (f32), what no reuse would need.
    pub counted_activation_bytes: u64,
    /// Everything the block's plan holds: activations, scratch and weights.
    pub total_memory_bytes: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorReport {
    pub max_abs_error: f64,
    pub max_rel_error: f64,
}

/// The fast engine against the scalar reference on the same input and weights.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VerifyReport {
    /// The larger of the two sides'.
    pub max_abs_error: f64,
    /// The larger of the two sides': the largest absolute error over the largest reference
    /// output.
    pub max_rel_error: f64,
    /// What `max_rel_error` must stay within.
    pub tolerance: f64,
    pub block: ErrorReport,
    pub counterpart: Option<ErrorReport>,
}

fn side(s: &Side, peak: f64) -> SideReport {
    let m = &s.timed.measurement;
    SideReport {
        seconds: m.seconds.median,
        seconds_p10: m.seconds.p10,
        seconds_p90: m.seconds.p90,
        gflops: m.gflops(),
        macs: s.macs,
        fraction_of_peak: m.gflops() / peak,
        runs: m.runs,
    }
}

fn layers(s: &Side) -> Vec<LayerReport> {
    let total: f64 = s.timed.layers.iter().map(|l| l.seconds).sum();
    s.timed
        .layers
        .iter()
        .map(|l| {
            let row = s.rows.get(l.row);
            let (path, kind) = match row {
                Some(Row::Layer(r)) => (r.path.to_string(), r.kind.label().to_string()),
                Some(Row::Group(g)) => (g.path.to_string(), g.part.label()),
                None => (String::new(), "block".into()),
            };
            LayerReport {
                path,
                name: row.map_or_else(|| "the block".into(), layer_name),
                kind,
                seconds: l.seconds,
                share: if total > 0.0 { l.seconds / total } else { 0.0 },
            }
        })
        .collect()
}

fn errors(v: &Verified) -> ErrorReport {
    ErrorReport {
        max_abs_error: v.max_abs_error,
        max_rel_error: v.max_rel_error,
    }
}

impl WholeReport {
    pub fn of(run: &WholeRun, peak_gflops: f64) -> WholeReport {
        let other = run.counterpart.as_ref().ok();
        WholeReport {
            block: side(&run.block, peak_gflops),
            counterpart: other.map(|c| side(c, peak_gflops)),
            counterpart_error: run.counterpart.as_ref().err().cloned(),
            measured_speedup: run.measured_speedup(),
            counted_speedup: run.counted_speedup(),
            layers: layers(&run.block),
            counterpart_layers: other.map(layers).unwrap_or_default(),
            peak_memory_bytes: run.block.timed.peak_activation_bytes,
            counted_activation_bytes: run.block.counted_activation_bytes,
            total_memory_bytes: run.block.timed.total_bytes,
        }
    }

    /// A plain-text account for a terminal; `with_layers` adds the per-layer table.
    pub fn to_table(&self, with_layers: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\nwhole block, median of every run after warm-up, in alternating rounds:"
        );
        let _ = writeln!(
            out,
            "{:<14}  {:>9}  {:>17}  {:>8}  {:>7}  {:>15}  {:>6}",
            "", "ms/run", "p10–p90 ms", "GFLOP/s", "of peak", "MACs", "runs"
        );
        let row = |out: &mut String, label: &str, s: &SideReport| {
            let _ = writeln!(
                out,
                "{label:<14}  {:>9.3}  {:>17}  {:>8.1}  {:>6.1}%  {:>15}  {:>6}",
                s.seconds * 1e3,
                format!("{:.3}–{:.3}", s.seconds_p10 * 1e3, s.seconds_p90 * 1e3),
                s.gflops,
                s.fraction_of_peak * 100.0,
                grouped(s.macs),
                s.runs
            );
        };
        row(&mut out, "block", &self.block);
        match (&self.counterpart, &self.counterpart_error) {
            (Some(c), _) => row(&mut out, "without 1×1", c),
            (None, Some(e)) => {
                let _ = writeln!(out, "{:<14}  not run: {e}", "without 1×1");
            }
            (None, None) => {}
        }
        if let (Some(measured), Some(counted)) = (self.measured_speedup, self.counted_speedup) {
            let _ = writeln!(
                out,
                "without its 1×1 convolutions the block takes {measured:.2}× as long, measured; {counted:.2}× the MACs, counted"
            );
        }
        let mib = |b: f64| b / (1024.0 * 1024.0);
        let _ = writeln!(
            out,
            "memory: {:.2} MiB of activations at the peak (buffers reused; {:.2} MiB if every layer kept its own), {:.2} MiB in all with weights and scratch",
            mib(self.peak_memory_bytes as f64),
            mib(self.counted_activation_bytes as f64),
            mib(self.total_memory_bytes as f64)
        );
        if with_layers {
            for (title, list) in [
                ("block", &self.layers),
                ("without 1×1", &self.counterpart_layers),
            ] {
                if list.is_empty() {
                    continue;
                }
                let width = list
                    .iter()
                    .map(|l| l.name.chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(5);
                let _ = writeln!(
                    out,
                    "\n{title}, per layer (median ms of its steps; the share of their sum):"
                );
                for l in list {
                    let bar = "█".repeat((l.share * 30.0).round() as usize);
                    let _ = writeln!(
                        out,
                        "{:<width$}  {:<15}  {:>9.3}  {:>5.1}%  {bar}",
                        l.name,
                        l.kind,
                        l.seconds * 1e3,
                        l.share * 100.0
                    );
                }
            }
        }
        out
    }
}

impl VerifyReport {
    pub fn of(run: &WholeRun) -> Option<VerifyReport> {
        let block = run.block.verified?;
        let other = run.counterpart.as_ref().ok().and_then(|c| c.verified);
        let worst = |f: fn(&Verified) -> f64| other.iter().map(f).fold(f(&block), f64::max);
        Some(VerifyReport {
            max_abs_error: worst(|v| v.max_abs_error),
            max_rel_error: worst(|v| v.max_rel_error),
            tolerance: TOLERANCE,
            block: errors(&block),
            counterpart: other.as_ref().map(errors),
        })
    }

    pub fn to_table(&self) -> String {
        let verdict = if self.max_rel_error <= self.tolerance {
            "within"
        } else {
            "OVER"
        };
        format!(
            "verify: against the scalar reference on the same input, largest error {:.3e} absolute, {:.3e} relative to the largest output ({verdict} the tolerance {:.0e})\n",
            self.max_abs_error, self.max_rel_error, self.tolerance
        )
    }
}
