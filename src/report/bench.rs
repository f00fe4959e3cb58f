//! The `convtui bench` document: what a [`BenchRun`] measured — the engine timed on a list of
//! 1×1 layer shapes, next to this machine's measured peak — as JSON (serde) or as a table for a
//! terminal. FLOPs are 2·MACs = 2·C_in·C_out·H·W throughout.

use std::fmt::Write as _;

use serde::Serialize;

use crate::engine::PointwiseShape;
use crate::engine::datapath::FmaDatapath;
use crate::measure::{BenchRun, Blocks, LONG_MIN_RUNS, LONG_RUN, LONG_TOTAL};

use super::numbers::bytes;
use super::whole::{VerifyReport, WholeReport};

/// The `format` field of the JSON document, and its version.
pub const FORMAT: &str = "convtui-bench";
pub const VERSION: u32 = 1;

/// The whole benchmark document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchReport {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// Always [`VERSION`].
    pub version: u32,
    /// The instruction set the engine was compiled for, e.g. `"AVX-512F+FMA (f32x16)"`.
    pub simd: String,
    /// f32 lanes per vector on that path.
    pub lanes: usize,
    pub threads: usize,
    /// Measured FMA throughput on `threads` threads, GFLOP/s (the probe's best round).
    pub peak_gflops: f64,
    /// The probe's confirming round, GFLOP/s: `peak_gflops` and this are its spread.
    pub peak_gflops_low: f64,
    /// FMA rounds the probe ran.
    pub peak_rounds: usize,
    /// Measured streaming-read bandwidth on `threads` threads, GB/s.
    pub peak_bandwidth_gbs: f64,
    /// How each shape was timed.
    pub runs: RunPolicy,
    pub results: Vec<BenchResult>,
    /// Set when this CPU could run a faster path than the build uses (or lacks what it needs),
    /// with the command that rebuilds it.
    pub build_note: Option<String>,
    /// The engine's cache block sizes here and what they follow.
    pub blocks: BlocksReport,
    /// With `--whole`: the block and its counterpart run whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub whole: Option<WholeReport>,
    /// With `--verify`: the whole runs against the scalar reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<VerifyReport>,
}

/// The block sizes of the engine's loop nest (see `engine::blocking`), and the caches and
/// FMA datapath they were derived from at run time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BlocksReport {
    /// Input channels per pass (LOOP 4).
    pub kc: usize,
    /// Output channels per block (LOOP 3).
    pub mc: usize,
    /// Pixels per block (LOOP 5).
    pub nc: usize,
    pub l1d_bytes: usize,
    pub l2_bytes: usize,
    pub l3_bytes: usize,
    /// `"full"` where the FMA units are as wide as the vector, `"half"` where each vector FMA
    /// is split in two (AMD Zen and Zen+ with AVX2).
    pub fma_datapath: &'static str,
}

impl BlocksReport {
    fn of(blocks: &Blocks) -> BlocksReport {
        BlocksReport {
            kc: blocks.blocking.kc,
            mc: blocks.blocking.mc,
            nc: blocks.blocking.nc,
            l1d_bytes: blocks.caches.l1d,
            l2_bytes: blocks.caches.l2,
            l3_bytes: blocks.caches.l3,
            fma_datapath: match blocks.datapath {
                FmaDatapath::Full => "full",
                FmaDatapath::Half => "half",
            },
        }
    }

    /// One line for the table.
    fn line(&self) -> String {
        let datapath = match self.fma_datapath {
            "half" => "FMA units half the vector width",
            _ => "FMA units as wide as the vector",
        };
        format!(
            "blocks: kc {} × mc {} × nc {}, for {} L1d, {} L2, {} L3 and {datapath}",
            self.kc,
            self.mc,
            self.nc,
            bytes(self.l1d_bytes as u64),
            bytes(self.l2_bytes as u64),
            bytes(self.l3_bytes as u64)
        )
    }
}

/// The timing policy, so a reader knows what "median" was taken over.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunPolicy {
    /// Always `"median"`: the reported seconds and GFLOP/s are medians of the timed runs.
    pub statistic: &'static str,
    pub warmup_runs: usize,
    pub min_runs: usize,
    pub max_runs: usize,
    /// Runs continue until this much time has passed (and `min_runs` are done).
    pub time_ms: u128,
}

/// One measured shape.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchResult {
    pub name: Option<String>,
    pub c_in: usize,
    pub c_out: usize,
    pub h: usize,
    pub w: usize,
    /// Median GFLOP/s (FLOPs = 2·MACs).
    pub gflops: f64,
    /// Median seconds per run.
    pub seconds: f64,
    pub runs: usize,
    /// `gflops / peak_gflops`.
    pub fraction_of_peak: f64,
    /// The spread of the runs: the 10th and 90th percentile of the seconds per run, and the
    /// GFLOP/s they give (`gflops_p10` from the slow `seconds_p90`).
    pub seconds_p10: f64,
    pub seconds_p90: f64,
    pub gflops_p10: f64,
    pub gflops_p90: f64,
}

impl BenchReport {
    /// The document of what `run` measured.
    pub fn of(run: &BenchRun) -> BenchReport {
        let peak = run.peak.gflops;
        let results = run
            .rows
            .iter()
            .map(|(s, m)| {
                let (gflops_p10, gflops_p90) = m.gflops_spread();
                BenchResult {
                    name: s.name.clone(),
                    c_in: s.shape.c_in,
                    c_out: s.shape.c_out,
                    h: s.shape.h,
                    w: s.shape.w,
                    gflops: m.gflops(),
                    seconds: m.seconds.median,
                    runs: m.runs,
                    fraction_of_peak: m.gflops() / peak,
                    seconds_p10: m.seconds.p10,
                    seconds_p90: m.seconds.p90,
                    gflops_p10,
                    gflops_p90,
                }
            })
            .collect();
        BenchReport {
            format: FORMAT,
            version: VERSION,
            simd: run.simd.to_owned(),
            lanes: run.lanes,
            threads: run.threads,
            peak_gflops: peak,
            peak_gflops_low: run.peak.gflops_low,
            peak_rounds: run.peak.rounds,
            peak_bandwidth_gbs: run.peak.bandwidth_gbs,
            runs: RunPolicy {
                statistic: "median",
                warmup_runs: run.budget.warmup_runs,
                min_runs: run.budget.min_runs,
                max_runs: run.budget.max_runs,
                time_ms: run.budget.time.as_millis(),
            },
            results,
            build_note: run.build_note.clone(),
            blocks: BlocksReport::of(&run.blocks),
            whole: None,
            verify: None,
        }
    }

    /// The document as pretty-printed JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// A plain-text table for a terminal.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let threads = if self.threads == 1 {
            "1 thread".to_owned()
        } else {
            format!("{} threads", self.threads)
        };
        // Writing to a String cannot fail; `let _` keeps that explicit without unwrap.
        let _ = writeln!(out, "pointwise engine: {}, {threads}", self.simd);
        if let Some(note) = &self.build_note {
            let _ = writeln!(out, "note: {note}");
        }
        let _ = writeln!(
            out,
            "measured peak: {:.1} GFLOP/s (FMA; {} rounds, confirmed at {:.1}), {:.1} GB/s \
             (streaming read)",
            self.peak_gflops, self.peak_rounds, self.peak_gflops_low, self.peak_bandwidth_gbs
        );
        let _ = writeln!(
            out,
            "each row: {} of ≥ {} runs over ≥ {} ms after {} warm-up, and the p10–p90 range; \
             GFLOP/s counts 2 FLOPs per MAC",
            self.runs.statistic, self.runs.min_runs, self.runs.time_ms, self.runs.warmup_runs
        );
        let _ = writeln!(out, "{}", self.blocks.line());
        if self.results.iter().any(|r| r.runs < self.runs.min_runs) {
            let _ = writeln!(
                out,
                "rows over {} s a run: no more warm-up, and as many runs as fit in {} s (at least {})",
                LONG_RUN.as_secs(),
                LONG_TOTAL.as_secs(),
                LONG_MIN_RUNS
            );
        }
        out.push('\n');
        let name_width = self
            .results
            .iter()
            .filter_map(|r| r.name.as_ref())
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .max(5);
        let _ = writeln!(
            out,
            "{:<name_width$}  {:>20}  {:>9}  {:>13}  {:>10}  {:>6}  {:>7}",
            "layer", "C_in→C_out @ H×W", "GFLOP/s", "p10–p90", "ms/run", "runs", "of peak"
        );
        for r in &self.results {
            let shape = PointwiseShape::new(r.c_in, r.c_out, r.h, r.w).to_string();
            let _ = writeln!(
                out,
                "{:<name_width$}  {:>20}  {:>9.1}  {:>13}  {:>10.4}  {:>6}  {:>6.1}%",
                r.name.as_deref().unwrap_or("-"),
                shape,
                r.gflops,
                format!("{:.1}–{:.1}", r.gflops_p10, r.gflops_p90),
                r.seconds * 1e3,
                r.runs,
                r.fraction_of_peak * 100.0
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BenchReport {
        BenchReport {
            format: FORMAT,
            version: VERSION,
            simd: "AVX-512F+FMA (f32x16)".into(),
            lanes: 16,
            threads: 2,
            peak_gflops: 200.0,
            peak_gflops_low: 196.0,
            peak_rounds: 3,
            peak_bandwidth_gbs: 20.0,
            runs: RunPolicy {
                statistic: "median",
                warmup_runs: 3,
                min_runs: 10,
                max_runs: 100,
                time_ms: 100,
            },
            results: vec![BenchResult {
                name: Some("3x3 reduce".into()),
                c_in: 192,
                c_out: 96,
                h: 28,
                w: 28,
                gflops: 150.0,
                seconds: 0.000_192_7,
                runs: 500,
                fraction_of_peak: 0.75,
                seconds_p10: 0.000_19,
                seconds_p90: 0.000_2,
                gflops_p10: 144.5,
                gflops_p90: 152.1,
            }],
            build_note: None,
            blocks: BlocksReport {
                kc: 512,
                mc: 128,
                nc: 1008,
                l1d_bytes: 32 << 10,
                l2_bytes: 512 << 10,
                l3_bytes: 8 << 20,
                fma_datapath: "half",
            },
            whole: None,
            verify: None,
        }
    }

    #[test]
    fn json_has_the_documented_fields() {
        let json: serde_json::Value =
            serde_json::from_str(&sample().to_json().expect("serialises")).expect("parses");
        assert_eq!(json["format"], "convtui-bench");
        for key in [
            "simd",
            "threads",
            "peak_gflops",
            "peak_bandwidth_gbs",
            "runs",
            "results",
        ] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
        let row = &json["results"][0];
        for key in [
            "name",
            "c_in",
            "c_out",
            "h",
            "w",
            "gflops",
            "seconds",
            "runs",
            "fraction_of_peak",
        ] {
            assert!(row.get(key).is_some(), "result missing {key}");
        }
        assert_eq!(row["name"], "3x3 reduce");
        assert_eq!(json["runs"]["statistic"], "median");
    }

    #[test]
    fn table_shows_shape_speed_and_share_of_peak() {
        let table = sample().to_table();
        assert!(
            table.contains("AVX-512F+FMA (f32x16), 2 threads"),
            "{table}"
        );
        assert!(
            table.contains(
                "blocks: kc 512 × mc 128 × nc 1008, for 32.0 KiB L1d, 512.0 KiB L2, 8.0 MiB L3 and \
                 FMA units half the vector width"
            ),
            "{table}"
        );
        let row = table
            .lines()
            .find(|l| l.starts_with("3x3 reduce"))
            .expect("a row for the layer");
        for cell in [
            "192→96 @ 28×28",
            "150.0",
            "144.5–152.1",
            "0.1927",
            "500",
            "75.0%",
        ] {
            assert!(row.contains(cell), "{cell} not in {row:?}");
        }
    }
}
