//! `convtui compare A B`: two models side by side — output, parameters, MACs, activation
//! memory, depth — and A ÷ B for each, as a table or a JSON document.

use std::fmt::Write;

use serde::Serialize;

use crate::analysis::Totals;
use crate::model::Block;

use super::numbers::{bytes, grouped};
use super::summary_json::ShapeJson;

pub const FORMAT: &str = "convtui-compare";
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct Side {
    pub name: String,
    /// A file's path or "preset NAME".
    pub source: String,
    pub input: ShapeJson,
    pub output: ShapeJson,
    pub params: u64,
    pub macs: u64,
    pub flops: u64,
    pub activations: u64,
    pub peak_activations: u64,
    pub param_bytes: u64,
    pub weighted_depth: usize,
    pub relu_depth: usize,
    pub layers: usize,
}

impl Side {
    pub fn of(block: &Block, source: &str, t: &Totals) -> Side {
        Side {
            name: block.name.clone(),
            source: source.to_string(),
            input: block.input.into(),
            output: t.output.into(),
            params: t.params(),
            macs: t.macs,
            flops: t.flops(),
            activations: t.activations,
            peak_activations: t.peak_activations,
            param_bytes: t.param_bytes(),
            weighted_depth: t.depth.weighted,
            relu_depth: t.depth.nonlinear,
            layers: t.layers,
        }
    }
}

/// One compared figure: how the table labels it and how it is read off a side.
struct Figure {
    key: &'static str,
    label: &'static str,
    of: fn(&Side) -> u64,
    bytes: bool,
}

const FIGURES: &[Figure] = &[
    Figure {
        key: "output_channels",
        label: "output channels",
        of: |s| s.output.channels as u64,
        bytes: false,
    },
    Figure {
        key: "params",
        label: "params",
        of: |s| s.params,
        bytes: false,
    },
    Figure {
        key: "macs",
        label: "MACs",
        of: |s| s.macs,
        bytes: false,
    },
    Figure {
        key: "activations",
        label: "activations (sum)",
        of: |s| s.activations,
        bytes: false,
    },
    Figure {
        key: "peak_activations",
        label: "activations (peak)",
        of: |s| s.peak_activations,
        bytes: false,
    },
    Figure {
        key: "param_bytes",
        label: "parameter memory",
        of: |s| s.param_bytes,
        bytes: true,
    },
    Figure {
        key: "weighted_depth",
        label: "weighted depth",
        of: |s| s.weighted_depth as u64,
        bytes: false,
    },
    Figure {
        key: "relu_depth",
        label: "ReLU depth",
        of: |s| s.relu_depth as u64,
        bytes: false,
    },
    Figure {
        key: "layers",
        label: "layers",
        of: |s| s.layers as u64,
        bytes: false,
    },
];

#[derive(Debug, Serialize)]
pub struct CompareReport {
    pub format: &'static str,
    pub version: u32,
    pub a: Side,
    pub b: Side,
    /// A ÷ B per figure; absent where B has none of it.
    pub ratios: serde_json::Map<String, serde_json::Value>,
}

impl CompareReport {
    pub fn new(a: Side, b: Side) -> CompareReport {
        let ratios = FIGURES
            .iter()
            .filter_map(|f| {
                let ratio = ratio((f.of)(&a), (f.of)(&b))?;
                Some((f.key.to_string(), serde_json::Value::from(ratio)))
            })
            .collect();
        CompareReport {
            format: FORMAT,
            version: VERSION,
            a,
            b,
            ratios,
        }
    }

    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let (a, b) = (&self.a, &self.b);
        let _ = writeln!(
            out,
            "A: {} ({}), input {}",
            a.name,
            a.source,
            shape(&a.input)
        );
        let _ = writeln!(
            out,
            "B: {} ({}), input {}\n",
            b.name,
            b.source,
            shape(&b.input)
        );
        let _ = writeln!(
            out,
            "{:<20} {:>18} {:>18} {:>12} {:>12}",
            "", "A", "B", "A ÷ B", "B ÷ A"
        );
        for f in FIGURES {
            let (x, y) = ((f.of)(a), (f.of)(b));
            let show = |n: u64| if f.bytes { bytes(n) } else { grouped(n) };
            let fmt = |r: Option<f64>| r.map_or("—".into(), |r| format!("{r:.4}"));
            let _ = writeln!(
                out,
                "{:<20} {:>18} {:>18} {:>12} {:>12}",
                f.label,
                show(x),
                show(y),
                fmt(ratio(x, y)),
                fmt(ratio(y, x))
            );
        }
        let _ = writeln!(
            out,
            "\nMACs are multiply-accumulates per image; FLOPs = 2·MACs."
        );
        out
    }
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b != 0).then(|| a as f64 / b as f64)
}

fn shape(s: &ShapeJson) -> String {
    format!("{}×{}×{} (H×W×C)", s.height, s.width, s.channels)
}
