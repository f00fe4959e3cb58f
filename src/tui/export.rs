//! The document `e` writes: the same JSON summary `convtui summary --json` prints, plus a
//! `throughput` section with what the engine measured for each 1×1 layer, and a `whole`
//! section with the whole block against its counterpart.

use serde::Serialize;

use crate::report::summary_json::{SummaryDoc, summary_doc};

use crate::measure::{PeakState, Status, WholeStatus};
use crate::report::whole::WholeReport;

use super::app::App;

#[derive(Debug, Serialize)]
pub struct ExportDoc {
    #[serde(flatten)]
    pub summary: SummaryDoc,
    pub throughput: ThroughputJson,
    /// The block and its counterpart run whole, as `convtui bench --whole --json` reports them
    /// (`null` before the first run, or when the block is too large to time interactively).
    pub whole: Option<WholeReport>,
    /// Why there is no `whole`, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub whole_note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ThroughputJson {
    pub units: &'static str,
    pub simd: Option<String>,
    pub threads: Option<usize>,
    pub peak_gflops: Option<f64>,
    pub peak_error: Option<String>,
    pub layers: Vec<LayerThroughputJson>,
}

#[derive(Debug, Serialize)]
pub struct LayerThroughputJson {
    pub path: String,
    pub name: Option<String>,
    pub c_in: usize,
    pub c_out: usize,
    pub h: usize,
    pub w: usize,
    /// "measured", "pending", "skipped" or "failed".
    pub status: &'static str,
    pub gflops: Option<f64>,
    pub seconds: Option<f64>,
    pub runs: Option<usize>,
    /// `gflops / peak_gflops`, as in `convtui bench --json`.
    pub fraction_of_peak: Option<f64>,
    /// Why it was skipped or failed.
    pub note: Option<String>,
}

const UNITS: &str = "GFLOP/s = 2·C_in·C_out·H·W / seconds / 10⁹; seconds per run";

/// The export document, or why there is none (the block does not fit).
pub fn export_doc(app: &App) -> Result<ExportDoc, String> {
    let summary = app.summary().ok_or_else(|| {
        let why = app.error().map(ToString::to_string).unwrap_or_default();
        format!("Nothing to export while the block does not fit: {why}")
    })?;
    let peak = app.measurements.peak_gflops();
    let layers = app
        .pointwise()
        .iter()
        .map(|layer| {
            let mut json = LayerThroughputJson {
                path: layer.path.to_string(),
                name: layer.name.clone(),
                c_in: layer.c_in,
                c_out: layer.c_out,
                h: layer.h,
                w: layer.w,
                status: "pending",
                gflops: None,
                seconds: None,
                runs: None,
                fraction_of_peak: None,
                note: None,
            };
            match app.measurements.status(layer) {
                Status::Waiting => {}
                Status::Skipped(skip) => {
                    (json.status, json.note) = ("skipped", Some(skip.note()));
                }
                Status::Failed(note) => (json.status, json.note) = ("failed", Some(note)),
                Status::Done(m) => {
                    json.status = "measured";
                    json.gflops = Some(m.gflops());
                    json.seconds = Some(m.seconds.median);
                    json.runs = Some(m.runs);
                    json.fraction_of_peak = app.measurements.share_of_peak(m.gflops());
                    if peak.is_some() && json.fraction_of_peak.is_none() {
                        json.note = Some(
                            "measured above the probed peak (the probe ran on a busy machine): \
                             no fraction given"
                                .into(),
                        );
                    }
                }
            }
            json
        })
        .collect();
    // Only a result for the block as it is now: a stale one would describe another block.
    let (whole, whole_note) = match &app.measurements.whole.status {
        WholeStatus::Done(run) => (Some(run.as_ref().clone()), None),
        WholeStatus::Skipped(why) | WholeStatus::Failed(why) => (None, Some(why.clone())),
        WholeStatus::Running | WholeStatus::NotYet => (
            None,
            Some("the whole block was still being measured".to_string()),
        ),
    };
    Ok(ExportDoc {
        summary: summary_doc(app.block(), summary),
        throughput: ThroughputJson {
            units: UNITS,
            simd: app.measurements.simd.clone(),
            threads: app.measurements.threads,
            peak_gflops: peak,
            peak_error: match &app.measurements.peak {
                PeakState::Failed(error) => Some(error.clone()),
                _ => None,
            },
            layers,
        },
        whole: whole
            .as_ref()
            .map(|run| WholeReport::of(run, peak.unwrap_or(f64::NAN))),
        whole_note,
    })
}

/// The export as pretty JSON ending with a newline.
pub fn export_json(app: &App) -> Result<String, String> {
    let doc = export_doc(app)?;
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text)
}
