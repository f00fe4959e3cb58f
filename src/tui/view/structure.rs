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
use crate::model::{Layer, Node, NodePath, Part, Shape, Target, printable};
use crate::report::layer_text::kind_cell;
use crate::report::numbers::{grouped, short};
use crate::tui::app::{App, Bypass, OutlineRow, Pane};

use super::text::fit_end;

type Figures<'a> = HashMap<(&'a NodePath, Option<Part>), &'a AnalysisRow>;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let wide = area.width >= 100;
    // A block that never fitted still shows the shapes up to its fault.
    let (figures, stale) = match app.shown_analysis() {
        Some((analysis, stale)) => (index(&analysis.rows), stale),
        None => (index(app.before_fault()), false),
    };
    let total_macs = app.shown_analysis().map_or(0, |(a, _)| a.totals.macs);
    let kinds = kind_width(app, wide);
    let shapes = shape_width(&figures, wide);
    let widths: Vec<Constraint> = if wide {
        vec![
            Constraint::Fill(1),
            Constraint::Length(kinds),
            Constraint::Length(shapes.max(23)),
            Constraint::Length(11),
            Constraint::Length(13),
            Constraint::Length(6),
        ]
    } else {
        vec![
            Constraint::Fill(1),
            Constraint::Length(kinds),
            Constraint::Length(shapes.max(11)),
            Constraint::Length(7),
            Constraint::Length(7),
        ]
    };
    // The name column fills what the others leave (inside the borders, after the highlight
    // symbol and the gaps between columns); names are cut to it with "…".
    let fixed: u16 = widths
        .iter()
        .map(|c| match c {
            Constraint::Length(n) => *n,
            _ => 0,
        })
        .sum();
    let gaps = widths.len() as u16 - 1;
    let names = usize::from(area.width.saturating_sub(2 + 1 + gaps + fixed));
    let rows = app.outline().iter().map(|row| {
        let columns = Columns {
            stale,
            wide,
            kinds,
            names,
        };
        table_row(app, row, &figures, columns, total_macs)
    });
    let shape_header = if wide { "in → out (H×W×C)" } else { "out" };
    let mut header = vec!["layer", "kind", shape_header, "params", "MACs"];
    if wide {
        header.push("MACs%");
    }
    let header = Row::new(header).style(theme.header());
    let output = app
        .figures()
        .map(|(summary, _)| format!(" · out {}", summary.block.totals.output))
        .unwrap_or_default();
    let rows_text = if app.any_folded() {
        format!(
            "{} of {} rows (Z unfolds)",
            app.outline().len(),
            app.full_outline().len()
        )
    } else {
        format!("{} rows", app.outline().len())
    };
    let which = if app.show_counterpart {
        " · WITHOUT 1×1 (c: back)"
    } else {
        ""
    };
    let title = format!(
        " {}{which} · {rows_text}{output} ",
        printable(&app.block().name)
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

/// The kind column: as wide as the widest kind cell on screen (a grouped, dilated 1×7 with
/// its padding), between a floor that keeps the table steady and a cap that leaves the names
/// room; a cell past the cap is cut with "…".
fn kind_width(app: &App, wide: bool) -> u16 {
    let (floor, cap) = if wide { (17, 26) } else { (15, 20) };
    let widest = app
        .outline()
        .iter()
        .map(|row| {
            let node = app.block().node(row.target.node_path());
            describe(app, row, node).1.chars().count()
        })
        .max()
        .unwrap_or(0);
    u16::try_from(widest.clamp(floor, cap)).unwrap_or(cap as u16)
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

/// Params and MACs of every layer under the composite at `path` (dropped ones left out).
fn subtree(figures: &Figures, path: &NodePath) -> (u64, u64) {
    figures
        .values()
        .filter_map(|row| row.as_layer())
        .filter(|l| l.dropped.is_none() && l.path.0.len() > path.0.len())
        .filter(|l| l.path.0.starts_with(&path.0))
        .fold((0, 0), |(p, m), l| (p + l.params(), m + l.macs))
}

fn percent(part: u64, whole: u64) -> String {
    if whole == 0 || part == 0 {
        String::new()
    } else {
        format!("{:.1}", part as f64 * 100.0 / whole as f64)
    }
}

/// How the structure table's columns are drawn this frame.
#[derive(Clone, Copy)]
struct Columns {
    /// The figures are the last that fitted, not the block's as it is.
    stale: bool,
    wide: bool,
    /// Widths of the kind and name columns.
    kinds: u16,
    names: usize,
}

fn table_row<'a>(
    app: &'a App,
    row: &'a OutlineRow,
    figures: &Figures<'a>,
    Columns {
        stale,
        wide,
        kinds,
        names,
    }: Columns,
    total_macs: u64,
) -> Row<'a> {
    let theme = app.theme;
    let path = row.target.node_path();
    let node = app.block().node(path);
    let failing = matches!(&row.target, Target::Node(p) if app.failing_path() == Some(p));
    let mark = if failing { "✗ " } else { "" };
    // The mark takes the last step of the indent, so a marked row stays in line with its
    // siblings.
    let depth = if failing {
        row.depth.saturating_sub(1)
    } else {
        row.depth
    };
    let indent = "  ".repeat(depth);
    let mut found = figures.get(&(path, row.part)).copied();
    // Stale figures are only shown for a layer of the same kind as the one now at that path.
    if let (Some(AnalysisRow::Layer(old)), Some(Node::Layer(now))) = (found, node)
        && stale
        && old.kind.label() != now.kind.label()
    {
        found = None;
    }
    let (name, kind, style) = describe(app, row, node);
    let role = match (found, node) {
        (Some(AnalysisRow::Layer(analysed)), Some(Node::Layer(layer))) => {
            counterpart_role(app, analysed, layer).map(|role| format!(" · {role}"))
        }
        _ => None,
    };
    // The name and the counterpart's role are cut as one text, with "…" where it stops.
    let lead = Span::raw(&indent).width() + Span::raw(mark).width();
    let name_chars = name.chars().count();
    let cut = fit_end(
        &(name + role.as_deref().unwrap_or("")),
        names.saturating_sub(lead),
    );
    let split = cut
        .char_indices()
        .nth(name_chars)
        .map_or(cut.len(), |(at, _)| at);
    let (name, role) = cut.split_at(split);
    let name_spans = vec![
        Span::raw(indent),
        Span::styled(mark, theme.error()),
        Span::styled(name.to_string(), style),
        Span::styled(role.to_string(), theme.muted()),
    ];
    let name_cell = Line::from(name_spans);
    let figure_style = if stale { theme.stale() } else { Style::new() };
    let number = |n: u64| if wide { grouped(n) } else { short(n) };
    let (shape, params, macs, share) = match found {
        Some(AnalysisRow::Layer(layer)) => {
            let shape = shape_text(layer.input, layer.output, wide);
            if layer.dropped.is_some() {
                (shape, "—".into(), "—".into(), String::new())
            } else {
                let share = percent(layer.macs, total_macs);
                (shape, number(layer.params()), number(layer.macs), share)
            }
        }
        // A folded composite stands for everything in it.
        Some(AnalysisRow::Group(group)) if app.is_folded(&group.path) => {
            let shape = shape_text(group.input, group.output, wide);
            let (p, m) = subtree(figures, &group.path);
            (shape, number(p), number(m), percent(m, total_macs))
        }
        Some(AnalysisRow::Group(group)) => {
            let shape = shape_text(group.input, group.output, wide);
            (shape, String::new(), String::new(), String::new())
        }
        None => (String::new(), String::new(), String::new(), String::new()),
    };
    let right = |text: String| Cell::from(Line::from(text).right_aligned());
    let mut cells = vec![
        Cell::from(name_cell),
        Cell::from(Span::styled(fit_end(&kind, usize::from(kinds)), style)),
        right(shape).style(figure_style),
        right(params).style(figure_style),
        right(macs).style(figure_style),
    ];
    if wide {
        cells.push(right(share).style(theme.muted()));
    }
    Row::new(cells)
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
        let mark = if app.is_folded(row.target.node_path()) {
            "▸"
        } else {
            "▾"
        };
        let name = match (part, node.and_then(Node::name)) {
            (Part::Concat | Part::Residual, Some(name)) => {
                format!("{mark} {} \"{}\"", part.label(), printable(name))
            }
            (Part::Concat | Part::Residual, None) => format!("{mark} {}", part.label()),
            _ => format!("└ {}", part.label()),
        };
        return (name, String::new(), theme.group());
    }
    let Some(Node::Layer(layer)) = node else {
        return (String::new(), String::new(), Style::new());
    };
    let name = layer
        .name
        .as_deref()
        .map_or_else(|| layer.kind.label().into(), |n| printable(n).into_owned());
    let path = row.target.node_path();
    let dropped = app
        .shown_analysis()
        .and_then(|(analysis, _)| analysis.plan.dropped.get(path));
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
    match dropped {
        Some(d) if app.show_counterpart && &d.conv == path => {
            return (name, "dropped".into(), theme.bypassed());
        }
        Some(_) => return (name, "(goes with it)".into(), theme.bypassed()),
        None => {}
    }
    // The counterpart's rewritten layers show what they became.
    if app.show_counterpart
        && let Some((summary, _)) = app.figures()
        && let Ok(counterpart) = &summary.counterpart
    {
        let row_at = |rows: &'_ [AnalysisRow]| -> Option<LayerRow> {
            rows.iter()
                .filter_map(AnalysisRow::as_layer)
                .find(|l| &l.path == path)
                .cloned()
        };
        if let (Some(now), Some(was)) = (row_at(&counterpart.rows), row_at(&summary.block.rows))
            && (now.input, now.output, now.params()) != (was.input, was.output, was.params())
        {
            return (format!("{name} ✎"), kind_cell(&now.kind), theme.pointwise());
        }
    }
    (name, kind_cell(&layer.kind), style)
}
