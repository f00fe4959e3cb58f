//! The readable summary `convtui summary` prints: a per-layer table in the manner of torchinfo
//! and Keras, totals, and the comparison with the block without its 1×1 convolutions.

use std::fmt::Write;

use crate::analysis::{Comparison, Row, Summary, Totals};
use crate::model::Block;

use super::layer_text::kind_cell;
use super::numbers::{bytes, grouped, ratio};

pub fn summary_table(block: &Block, summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", block.name);
    if !block.description.is_empty() {
        let _ = writeln!(out, "{}", block.description);
    }
    let _ = writeln!(out, "input {} (H×W×C)\n", block.input);
    layer_table(&mut out, summary);
    totals(&mut out, &summary.block.totals);
    counterpart(&mut out, block, summary);
    out
}

const RULE: &str = "─";

fn layer_table(out: &mut String, summary: &Summary) {
    let analysis = &summary.block;
    let header = format!(
        "{:<34} {:<17} {:>14} {:>14} {:>12} {:>15}",
        "Layer", "Kind", "Input", "Output", "Params", "MACs"
    );
    let width = header.chars().count();
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "{}", RULE.repeat(width));
    for row in &analysis.rows {
        let indent = "  ".repeat(row.depth());
        match row {
            Row::Group(group) => {
                let label = match &group.name {
                    Some(name) => format!("{indent}{} \"{name}\"", group.part.label()),
                    None => format!("{indent}{}", group.part.label()),
                };
                let _ = writeln!(
                    out,
                    "{:<34} {:<17} {:>14} {:>14}",
                    clip(&label, 34),
                    "",
                    group.input.to_string(),
                    group.output.to_string()
                );
            }
            Row::Layer(layer) => {
                let mut name = layer
                    .name
                    .clone()
                    .unwrap_or_else(|| layer.kind.label().into());
                if let Some(role) = summary.counterpart_role(layer) {
                    name = format!("{name} · {}", role.map_or("stays", |r| r.label()));
                }
                let mut kind = kind_cell(&layer.kind);
                if let Some(dropped) = &layer.dropped {
                    kind = format!("({}: dropped)", dropped.role.label());
                }
                let _ = writeln!(
                    out,
                    "{:<34} {:<17} {:>14} {:>14} {:>12} {:>15}",
                    clip(&format!("{indent}{name}"), 34),
                    clip(&kind, 17),
                    layer.input.to_string(),
                    layer.output.to_string(),
                    grouped(layer.params()),
                    grouped(layer.macs)
                );
            }
        }
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
        "activations        {} elements, {} as f32",
        grouped(t.activations),
        bytes(t.activation_bytes())
    );
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
