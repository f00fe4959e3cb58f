//! The readable summary `convtui summary` prints: a per-layer table in the manner of torchinfo
//! and Keras, totals, and the comparison with the block without its 1×1 convolutions.

use std::fmt::Write;

use crate::analysis::{Comparison, Summary, Totals};
use crate::model::{Block, MAX_SHOWN, printable, printable_within};

use super::numbers::{bytes, grouped, ratio};
use super::rows::printed_rows;

/// `depth`: roll rows up to that many levels of nesting (`summary --depth`).
pub fn summary_table(block: &Block, summary: &Summary, depth: Option<usize>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", printable(&block.name));
    if !block.description.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            printable_within(&block.description, 4 * MAX_SHOWN)
        );
    }
    let _ = writeln!(out, "input {} (H×W×C)\n", block.input);
    layer_table(&mut out, summary, depth);
    totals(&mut out, &summary.block.totals);
    counterpart(&mut out, block, summary);
    out
}

const RULE: &str = "─";

fn layer_table(out: &mut String, summary: &Summary, depth: Option<usize>) {
    let header = format!(
        "{:<34} {:<17} {:>14} {:>14} {:>12} {:>15}",
        "Layer", "Kind", "Input", "Output", "Params", "MACs"
    );
    let width = header.chars().count();
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "{}", RULE.repeat(width));
    for row in printed_rows(summary, depth) {
        let indent = "  ".repeat(row.depth);
        let name = match row.role {
            Some(role) => format!("{indent}{} · {role}", row.name),
            None => format!("{indent}{}", row.name),
        };
        let number = |n: Option<u64>| n.map(grouped).unwrap_or_default();
        let line = format!(
            "{:<34} {:<17} {:>14} {:>14} {:>12} {:>15}",
            clip(&name, 34),
            clip(&row.kind, 17),
            row.input.to_string(),
            row.output.to_string(),
            number(row.params),
            number(row.macs)
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out, "{}", RULE.repeat(width));
}

fn clip(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut clipped: String = text.chars().take(width - 1).collect();
        clipped.push('…');
        clipped
    }
}

fn totals(out: &mut String, t: &Totals) {
    let _ = writeln!(out, "output             {} (H×W×C)", t.output);
    let _ = writeln!(
        out,
        "params             {} (weights {}, biases {}); conv weights {}, conv biases {}",
        grouped(t.params()),
        grouped(t.weights),
        grouped(t.biases),
        grouped(t.conv_weights),
        grouped(t.conv_biases)
    );
    let _ = writeln!(
        out,
        "MACs               {} multiply-accumulates per image (FLOPs = 2·MACs = {})",
        grouped(t.macs),
        grouped(t.flops())
    );
    let _ = writeln!(
        out,
        "activations        {} elements, {} as f32; at most {} alive at once ({}, best branch order)",
        grouped(t.activations),
        bytes(t.activation_bytes()),
        grouped(t.peak_activations),
        bytes(t.peak_activation_bytes())
    );
    let _ = writeln!(out, "parameter memory   {} as f32", bytes(t.param_bytes()));
    let _ = writeln!(
        out,
        "depth              {} ReLUs and {} weighted layers on the longest path",
        t.depth.nonlinear, t.depth.weighted
    );
    let _ = writeln!(
        out,
        "layers             {} ({} convolutions, {} of them 1×1)",
        t.layers, t.convs, t.pointwise_convs
    );
}

/// Up to this many dropped 1×1 convolutions are named one by one.
const LIST_DROPPED: usize = 12;

fn counterpart(out: &mut String, block: &Block, summary: &Summary) {
    let _ = writeln!(out, "\nWithout its 1×1 convolutions");
    let analysis = match &summary.counterpart {
        Ok(analysis) => analysis,
        Err(error) => {
            let _ = writeln!(out, "  does not fit: {error}");
            return;
        }
    };
    let dropped: Vec<String> = analysis
        .plan
        .dropped_convs()
        .map(|(path, role)| {
            let name = block
                .layer(path)
                .and_then(|l| l.name.clone())
                .unwrap_or_else(|| path.to_string());
            format!("{name} ({})", role.label())
        })
        .collect();
    if dropped.is_empty() {
        let _ = writeln!(
            out,
            "  no 1×1 convolution can be dropped: the block is its own counterpart"
        );
    } else if dropped.len() <= LIST_DROPPED {
        let _ = writeln!(out, "  dropped: {}", dropped.join(", "));
    } else {
        // A network drops a hundred; the count by rule reads better, and the rows say which.
        let mut by_role: Vec<(&str, usize)> = Vec::new();
        for (_, role) in analysis.plan.dropped_convs() {
            match by_role.iter_mut().find(|(label, _)| *label == role.label()) {
                Some((_, n)) => *n += 1,
                None => by_role.push((role.label(), 1)),
            }
        }
        let counts: Vec<String> = by_role.iter().map(|(l, n)| format!("{n} {l}")).collect();
        let _ = writeln!(
            out,
            "  dropped {} 1×1 convolutions: {} (the rows above mark each)",
            dropped.len(),
            counts.join(", ")
        );
    }
    if let Some(c) = summary.comparison() {
        comparison(out, &c);
    }
}

fn comparison(out: &mut String, c: &Comparison) {
    let _ = writeln!(
        out,
        "  {:<18} {:>16} {:>16} {:>10}",
        "", "block", "without 1×1", "ratio"
    );
    for (metric, pair) in c.iter().filter(|(metric, _)| metric.in_table) {
        let _ = writeln!(
            out,
            "  {:<18} {:>16} {:>16} {:>10}",
            metric.name,
            grouped(pair.block),
            grouped(pair.counterpart),
            ratio(pair.ratio())
        );
    }
}
