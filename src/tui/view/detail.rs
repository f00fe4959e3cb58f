//! The detail pane (`i`): the selected layer's arithmetic with its numbers filled in, its shapes,
//! its share of the block, its receptive field and effective stride, and what the counterpart
//! without 1×1 convolutions does to it and why.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use crate::analysis::{Analysis, LayerRow, Row, Summary, receptive_fields, why_it_stays};
use crate::model::{LayerKind, NodePath};
use crate::report::numbers::grouped;
use crate::tui::app::App;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let block = Block::bordered()
        .title(Line::from(" Detail (i closes) ").style(app.theme.header()))
        .border_style(app.theme.border(false));
    let lines = match (app.figures(), app.selected_node_path()) {
        (Some((summary, _)), Some(path)) => lines(app, summary, path),
        (None, _) => vec![Line::from("no figures: the block does not fit")],
        (_, None) => vec![Line::from("select a layer, concat or residual")],
    };
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(area, buf);
}

fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// The layers at or under `path`, as analysed (dropped ones left out).
fn under<'a>(analysis: &'a Analysis, path: &'a NodePath) -> impl Iterator<Item = &'a LayerRow> {
    analysis
        .rows
        .iter()
        .filter_map(Row::as_layer)
        .filter(move |row| row.path.0.starts_with(&path.0) && row.dropped.is_none())
}

fn lines<'a>(app: &App, summary: &'a Summary, path: &NodePath) -> Vec<Line<'a>> {
    let analysis = &summary.block;
    let muted = app.theme.muted();
    let mut out = Vec::new();
    let row = analysis.rows.iter().find(|r| r.path() == path);
    let layer = row.and_then(Row::as_layer);
    let (params, macs) =
        under(analysis, path).fold((0, 0), |(p, m), row| (p + row.params(), m + row.macs));
    let name = app
        .block()
        .node(path)
        .and_then(|n| n.name())
        .unwrap_or("(unnamed)");
    out.push(Line::from(vec![
        Span::styled(name.to_string(), app.theme.key()),
        Span::styled(format!("  at {path}"), muted),
    ]));
    match row {
        Some(Row::Layer(l)) => out.push(Line::from(format!("{} → {} (H×W×C)", l.input, l.output))),
        Some(Row::Group(g)) => out.push(Line::from(format!("{} → {} (H×W×C)", g.input, g.output))),
        None => {}
    }
    if let Some(l) = layer {
        out.extend(arithmetic(l));
    }
    let t = &analysis.totals;
    out.push(Line::from(format!(
        "{} params ({} of the block) · {} MACs ({})",
        grouped(params),
        share(params, t.params()),
        grouped(macs),
        share(macs, t.macs)
    )));
    if let Some(field) = receptive_fields(app.block(), &analysis.rows).get(path) {
        let (h, w) = field.size;
        let (sh, sw) = field.jump;
        out.push(Line::from(format!(
            "receptive field {h}×{w} px · effective stride {sh}×{sw}"
        )));
    }
    out.push(Line::default());
    out.extend(counterpart(app, summary, path, layer));
    out
}

/// "3·3·96·128 = 110,592 weights" and "× 28·28 = 86,704,128 MACs", as the layer counts them.
fn arithmetic(l: &LayerRow) -> Vec<Line<'static>> {
    let bias = |n: u64| {
        if n > 0 {
            format!(" + {} biases", grouped(n))
        } else {
            String::new()
        }
    };
    match &l.kind {
        LayerKind::Conv(c) => {
            let per_group = l.input.c / c.groups.max(1);
            let groups = if c.groups > 1 {
                format!(" ({}/{} per group)", l.input.c, c.groups)
            } else {
                String::new()
            };
            vec![
                Line::from(format!(
                    "{}·{}·{}·{} = {} weights{}{groups}",
                    c.kernel.h,
                    c.kernel.w,
                    per_group,
                    c.out_channels,
                    grouped(l.weights),
                    bias(l.biases)
                )),
                Line::from(format!(
                    "× {}·{} = {} MACs (FLOPs = 2·MACs)",
                    l.output.h,
                    l.output.w,
                    grouped(l.macs)
                )),
            ]
        }
        LayerKind::FullyConnected(fc) => vec![
            Line::from(format!(
                "{}·{} = {} weights{}",
                l.input.elements().unwrap_or(0),
                fc.out_features,
                grouped(l.weights),
                bias(l.biases)
            )),
            Line::from(format!("= {} MACs, one per weight", grouped(l.macs))),
        ],
        LayerKind::BatchNorm => vec![Line::from(format!(
            "2·{} = {} params (scale and shift; running statistics are buffers)",
            l.input.c,
            grouped(l.weights + l.biases)
        ))],
        _ => vec![Line::from("no parameters; no MACs counted")],
    }
}

fn counterpart<'a>(
    app: &App,
    summary: &'a Summary,
    path: &NodePath,
    layer: Option<&LayerRow>,
) -> Vec<Line<'a>> {
    let head = |text: String| {
        Line::from(vec![
            Span::styled("without 1×1: ", app.theme.key()),
            Span::raw(text),
        ])
    };
    let Ok(c) = &summary.counterpart else {
        return vec![head("the counterpart does not fit".into())];
    };
    let Some(mine) = layer else {
        let group = c.rows.iter().find(|r| r.path() == path);
        return match group {
            Some(Row::Group(g)) => vec![head(format!("gives {} here", g.output))],
            _ => Vec::new(),
        };
    };
    let theirs = c
        .rows
        .iter()
        .filter_map(Row::as_layer)
        .find(|r| &r.path == path);
    let Some(theirs) = theirs else {
        return Vec::new();
    };
    if let Some(dropped) = &theirs.dropped {
        let why = match dropped.role.label() {
            "reduce" => "a k×k conv follows it, and reads its input instead",
            "mix" => "a conv precedes it, and takes its width instead",
            _ => "it follows a pool, which passes its channels on instead",
        };
        let text = if &dropped.conv == path {
            format!("dropped ({}): {why}", dropped.role.label())
        } else {
            let name = app
                .block()
                .layer(&dropped.conv)
                .and_then(|l| l.name.clone())
                .unwrap_or_else(|| dropped.conv.to_string());
            format!("goes with \"{name}\", dropped ({})", dropped.role.label())
        };
        return vec![head(text)];
    }
    if theirs.adjusted || theirs.input != mine.input || theirs.output != mine.output {
        return vec![
            head(format!("rewritten to {} → {}", theirs.input, theirs.output)),
            Line::from(format!(
                "  {} params (was {}), {} MACs (was {})",
                grouped(theirs.params()),
                grouped(mine.params()),
                grouped(theirs.macs),
                grouped(mine.macs)
            )),
        ];
    }
    if mine.is_pointwise_conv() {
        let why = why_it_stays(app.block(), path).map_or_else(
            || "stays: dropped only with the others gone first".to_string(),
            |s| s.reason(),
        );
        return vec![head(why)];
    }
    vec![head("unchanged".into())]
}
