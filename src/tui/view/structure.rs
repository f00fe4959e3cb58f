//! The structure pane: one row per layer, and one per concat, branch, residual body and
//! shortcut, indented so the grouping shows; each with kind, kernel/stride/padding, input and
//! output shape, params and MACs. 1×1 convs are coloured, bypassed ones struck through (a bypass
//! flag no rule honours says so instead); when the block does not fit, the figures are the last
//! that did, greyed, and the failing row is marked.

use std::collections::HashMap;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, StatefulWidget, Table, TableState, Widget};

use crate::analysis::{LayerRow, Row as AnalysisRow};
use crate::model::{Layer, Node, NodePath, Part, Shape, Target};
use crate::report::layer_text::kind_cell;
use crate::report::numbers::{grouped, short};
use crate::tui::app::{App, Bypass, OutlineRow, Pane};

type Figures<'a> = HashMap<(&'a NodePath, Option<Part>), &'a AnalysisRow>;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let wide = area.width >= 100;
    let (figures, stale) = match app.figures() {
        Some((summary, stale)) => (index(&summary.block.rows), stale),
        None => (HashMap::new(), false),
    };
    let rows = app
        .outline()
        .iter()
        .map(|row| table_row(app, row, &figures, stale, wide));
    let shapes = shape_width(&figures, wide);
    let widths = if wide {
        [
            Constraint::Fill(1),
            Constraint::Length(17),
            Constraint::Length(shapes.max(23)),
            Constraint::Length(11),
            Constraint::Length(13),
        ]
    } else {
        [
            Constraint::Fill(1),
            Constraint::Length(15),
            Constraint::Length(shapes.max(11)),
            Constraint::Length(7),
            Constraint::Length(7),
        ]
    };
    let shape_header = if wide { "in → out (H×W×C)" } else { "out" };
    let header = Row::new(["layer", "kind", shape_header, "params", "MACs"]).style(theme.header());
    let output = app
        .figures()
        .map(|(summary, _)| format!(" · out {}", summary.block.totals.output))
        .unwrap_or_default();
    let title = format!(
        " {} · {} rows{output} ",
        app.block().name,
        app.outline().len()
    );
    let block = Block::bordered()
        .title(Line::from(title).style(theme.header()))
        .border_style(theme.border(app.cursor.focus == Pane::Structure));
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(theme.selected())
        .highlight_symbol("›");
    let mut state = TableState::new()
        .with_offset(app.cursor.scroll)
        .with_selected((!app.outline().is_empty()).then_some(app.cursor.selected));
    StatefulWidget::render(table, area, buf, &mut state);
    if app.outline().is_empty() {
        let inner =
            Rect::new(area.x + 2, area.y + 2, area.width.saturating_sub(4), 1).intersection(area);
        Widget::render(
            Line::from("empty block: a adds a layer").style(theme.muted()),
            inner,
            buf,
        );
    }
}

/// The widest shape cell, so that a 224×224×1024 is never cut to 24×224×1024.
fn shape_width(figures: &Figures, wide: bool) -> u16 {
    figures
        .values()
        .map(|row| {
            let (input, output) = match row {
                AnalysisRow::Layer(layer) => (layer.input, layer.output),
                AnalysisRow::Group(group) => (group.input, group.output),
            };
            shape_text(input, output, wide).chars().count()
        })
        .max()
        .map_or(0, |n| u16::try_from(n).unwrap_or(u16::MAX))
}

/// "in → out" when wide, "out" otherwise.
fn shape_text(input: Shape, output: Shape, wide: bool) -> String {
    if wide {
        format!("{input} → {output}")
    } else {
        output.to_string()
    }
}

fn index(rows: &[AnalysisRow]) -> Figures<'_> {
    rows.iter()
        .map(|row| match row {
            AnalysisRow::Layer(layer) => ((&layer.path, None), row),
            AnalysisRow::Group(group) => ((&group.path, Some(group.part)), row),
        })
        .collect()
}

fn table_row<'a>(
    app: &'a App,
    row: &'a OutlineRow,
    figures: &Figures<'a>,
    stale: bool,
    wide: bool,
) -> Row<'a> {
    let theme = app.theme;
    let path = row.target.node_path();
    let node = app.block().node(path);
    let failing =
        matches!(&row.target, Target::Node(p) if app.error().is_some_and(|e| e.path() == p));
    let mark = if failing { "✗ " } else { "" };
    let indent = "  ".repeat(row.depth);
    let mut found = figures.get(&(path, row.part)).copied();
    // Stale figures are only shown for a layer of the same kind as the one now at that path.
    if let (Some(AnalysisRow::Layer(old)), Some(Node::Layer(now))) = (found, node)
        && stale
        && old.kind.label() != now.kind.label()
    {
        found = None;
    }
    let (name, kind, style) = describe(app, row, node);
    let mut name_spans = vec![
        Span::styled(mark, theme.error()),
        Span::raw(indent),
        Span::styled(name, style),
    ];
    if let (Some(AnalysisRow::Layer(analysed)), Some(Node::Layer(layer))) = (found, node)
        && let Some(role) = counterpart_role(app, analysed, layer)
    {
        name_spans.push(Span::styled(format!(" · {role}"), theme.muted()));
    }
    let name_cell = Line::from(name_spans);
    let figure_style = if stale { theme.stale() } else { Style::new() };
    let (shape, params, macs) = match found {
        Some(AnalysisRow::Layer(layer)) => {
            let shape = shape_text(layer.input, layer.output, wide);
            let number = |n: u64| if wide { grouped(n) } else { short(n) };
            if layer.dropped.is_some() {
                (shape, "—".into(), "—".into())
            } else {
                (shape, number(layer.params()), number(layer.macs))
            }
        }
        Some(AnalysisRow::Group(group)) => {
            let shape = shape_text(group.input, group.output, wide);
            (shape, String::new(), String::new())
        }
        None => (String::new(), String::new(), String::new()),
    };
    let right = |text: String| Cell::from(Line::from(text).right_aligned());
    Row::new([
        Cell::from(name_cell),
        Cell::from(Span::styled(kind, style)),
        right(shape).style(figure_style),
        right(params).style(figure_style),
        right(macs).style(figure_style),
    ])
}

/// What the counterpart without 1×1 convolutions does with this 1×1 conv: the rule that drops
/// it, or "stays" — so the user sees what each 1×1 is there for.
fn counterpart_role(app: &App, analysed: &LayerRow, layer: &Layer) -> Option<&'static str> {
    if layer.bypassed {
        return None;
    }
    let (summary, _) = app.figures()?;
    let role = summary.counterpart_role(analysed)?;
    Some(role.map_or("stays", |r| r.label()))
}

/// The name and kind cells and their style.
fn describe(app: &App, row: &OutlineRow, node: Option<&Node>) -> (String, String, Style) {
    let theme = app.theme;
    if let Some(part) = row.part {
        let name = match (part, node.and_then(Node::name)) {
            (Part::Concat | Part::Residual, Some(name)) => {
                format!("▾ {} \"{name}\"", part.label())
            }
            (Part::Concat | Part::Residual, None) => format!("▾ {}", part.label()),
            _ => format!("└ {}", part.label()),
        };
        return (name, String::new(), theme.group());
    }
    let Some(Node::Layer(layer)) = node else {
        return (String::new(), String::new(), Style::new());
    };
    let name = layer
        .name
        .clone()
        .unwrap_or_else(|| layer.kind.label().into());
    let dropped = app
        .figures()
        .and_then(|(summary, _)| summary.block.plan.dropped.get(row.target.node_path()));
    let style = if layer.is_pointwise_conv() {
        theme.pointwise()
    } else {
        Style::new()
    };
    match app.bypass(row.target.node_path()) {
        Some(Bypass::Dropped(role)) => {
            return (name, format!("bypassed {}", role.label()), theme.bypassed());
        }
        Some(Bypass::Unknown) => return (name, "bypassed".into(), theme.bypassed()),
        // The flag outlived its rule: the layer runs and counts, and the row says so.
        Some(Bypass::NoRule) => return (name, "bypass: no rule".into(), style),
        None => {}
    }
    if dropped.is_some() {
        return (name, "(goes with it)".into(), theme.bypassed());
    }
    (name, kind_cell(&layer.kind), style)
}
