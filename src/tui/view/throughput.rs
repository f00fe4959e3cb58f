//! The throughput pane: the engine's SIMD path, threads and measured peak; for each 1×1 layer
//! its measured GFLOP/s, time per run, share of the peak and a small history; and a sparkline of
//! the selected layer's measurements this session. A spinner turns while a measurement runs.
//! Its second line is the whole block's measured time; `m` swaps the 1×1 table for the whole
//! block's per-layer view (`view::whole`).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Cell, Paragraph, Row, Sparkline, StatefulWidget, Table, TableState, Widget,
};

use crate::analysis::PointwiseLayer;
use crate::measure::{PeakState, Status};
use crate::tui::app::{App, MeasuredView, Pane};

use super::text::{fit_end, fit_middle, spinner};
use super::whole;

/// The engine's path, threads and measured peak; where the line would not fit, the path is
/// left to the status bar, which always shows it, so the peak stays visible.
fn engine_line(app: &App, width: u16) -> Line<'_> {
    let t = &app.measurements;
    let mut spans = vec![Span::styled("engine ", app.theme.header())];
    match (&t.simd, t.threads, &t.peak) {
        (Some(simd), Some(threads), peak) => {
            let full = format!("{simd} · {threads} threads");
            let room = usize::from(width).saturating_sub("engine  · peak 000.0 GFLOP/s".len());
            if full.chars().count() <= room {
                spans.push(Span::raw(full));
            } else {
                spans.push(Span::raw(format!("×{threads}")));
            }
            spans.push(match peak {
                PeakState::Probing => Span::styled(" · probing peak…", app.theme.muted()),
                PeakState::Known(peak) => Span::raw(format!(" · peak {peak:.1} GFLOP/s")),
                PeakState::Failed(error) => Span::styled(format!(" · {error}"), app.theme.muted()),
            });
        }
        _ => spans.push(Span::styled("starting", app.theme.muted())),
    }
    if t.running {
        spans.push(Span::styled(
            format!("  {} measuring", spinner(app)),
            app.theme.info(),
        ));
    }
    Line::from(spans)
}

/// ▁▂▃▄▅▆▇█ for the last values, scaled to their maximum.
fn mini_sparkline(values: &[f64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let recent = &values[values.len().saturating_sub(width)..];
    let max = recent.iter().copied().fold(0.0_f64, f64::max);
    recent
        .iter()
        .map(|v| {
            let level = if max > 0.0 {
                (v / max * 7.0).round() as usize
            } else {
                0
            };
            BARS[level.min(7)]
        })
        .collect()
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let focused = app.cursor.focus == Pane::Throughput;
    let title = match app.measured_view {
        MeasuredView::Pointwise => " Throughput · 1×1 convs ",
        MeasuredView::Whole => " Measured · whole block, per layer ",
    };
    let block = Block::bordered()
        .title(Line::from(title).style(theme.header()))
        .border_style(theme.border(focused));
    let inner = block.inner(area);
    block.render(area, buf);
    let spark_height = if inner.height >= 11 && app.measured_view == MeasuredView::Pointwise {
        3
    } else {
        0
    };
    let [engine, whole_line, table_area, spark_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(spark_height),
    ])
    .areas(inner);
    Paragraph::new(engine_line(app, engine.width)).render(engine, buf);
    Paragraph::new(whole::summary_line(app)).render(whole_line, buf);
    match app.measured_view {
        MeasuredView::Pointwise => render_table(app, table_area, buf),
        MeasuredView::Whole => whole::render_layers(app, table_area, buf),
    }
    if spark_height > 0 {
        render_sparkline(app, spark_area, buf);
    }
}

fn render_table(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let peak = app.measurements.peak_gflops();
    // Greyed only when these are the layers of the last block that fitted, not the ones before
    // the fault of a block that never has.
    let stale = app.summary().is_none() && app.figures().is_some();
    let dims_of =
        |layer: &PointwiseLayer| format!("{}→{} {}×{}", layer.c_in, layer.c_out, layer.h, layer.w);
    // Narrow panes drop the shape column (the layer's row in the structure pane has it), then
    // the time and history, so that a name always keeps MIN_NAME columns. The column is as
    // wide as its widest shape, within bounds; a shape past them is cut with "…".
    let widest = app
        .pointwise()
        .iter()
        .map(|layer| dims_of(layer).chars().count())
        .max()
        .unwrap_or(0);
    let dims_width = if area.width >= 52 {
        (widest as u16).clamp(13, MAX_DIMS)
    } else {
        0
    };
    let room = |result: u16| area.width.saturating_sub(dims_width + result + 2);
    let full = room(RESULT_WIDTH) >= MIN_NAME;
    let result_width = if full { RESULT_WIDTH } else { COMPACT_WIDTH };
    let name_width = usize::from(room(result_width));
    let rows = app.pointwise().iter().map(|layer| {
        let name = layer
            .name
            .clone()
            .unwrap_or_else(|| format!("layer {}", layer.path));
        // Cut in the middle: "res2b_branch2a" and "res2b_branch2c" differ at the end.
        let name = fit_middle(&name, name_width);
        let dims = fit_end(&dims_of(layer), usize::from(dims_width));
        let result = match app.measurements.status(layer) {
            Status::Done(m) if !full => Span::raw(format!(
                "{:>6}{:<4} {:>4}",
                format!("{:.1}", m.gflops()),
                spread(&m),
                share(app, &m, peak)
            )),
            Status::Done(m) => Span::raw(result_columns(
                &format!("{:.1}", m.gflops()),
                &spread(&m),
                &format_seconds(m.seconds.median),
                &share(app, &m, peak),
                &mini_sparkline(app.measurements.history(layer), HISTORY_WIDTH),
            )),
            Status::Waiting if app.measurements.running => {
                Span::styled(format!("{} measuring", spinner(app)), theme.info())
            }
            Status::Waiting => Span::styled("waiting", theme.muted()),
            Status::Skipped(skip) => Span::styled(skip.short_note(), theme.muted()),
            Status::Failed(note) => Span::styled(note, theme.muted()),
        };
        let row = Row::new([Cell::from(name), Cell::from(dims), Cell::from(result)]);
        row.style(if stale { theme.stale() } else { Style::new() })
    });
    let figures_header = if full {
        format!(
            "{:>10} {:>8} {:>4} {}",
            "GFLOP/s ±%", "time", "peak", "hist"
        )
    } else {
        format!("{:>10} {:>4}", "GFLOP/s ±%", "peak")
    };
    let header = Row::new([
        "layer".to_string(),
        "C_in→out H×W".to_string(),
        figures_header,
    ])
    .style(theme.header());
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(dims_width),
        Constraint::Length(result_width),
    ];
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(if app.cursor.focus == Pane::Throughput {
            theme.selected()
        } else {
            Style::new()
        });
    let selected = (!app.pointwise().is_empty()).then_some(app.cursor.throughput_selected);
    let mut state = TableState::new().with_selected(selected);
    StatefulWidget::render(table, area, buf, &mut state);
    if app.pointwise().is_empty() && area.height > 1 {
        let below = Rect::new(area.x, area.y + 1, area.width, 1);
        // A block that does not fit has no shapes to time; it may well have 1×1 layers.
        let why = if app.error().is_some() {
            "nothing timed until the block fits"
        } else {
            "no 1×1 convolutions in this block"
        };
        Paragraph::new(why).style(theme.muted()).render(below, buf);
    }
}

/// Columns of the measured figures' cell, and of the compact one (GFLOP/s, spread and share of
/// the peak) narrow panes show.
const RESULT_WIDTH: u16 = 29;
const COMPACT_WIDTH: u16 = 15;
/// Columns the shape column may take from the names.
const MAX_DIMS: u16 = 21;
/// Columns a layer's name keeps before the figures give way.
const MIN_NAME: u16 = 8;
/// Columns of a row's history sparkline.
const HISTORY_WIDTH: usize = 4;

/// The measured figures as one fixed-width cell, so a note can use the whole width instead.
fn result_columns(gflops: &str, spread: &str, time: &str, share: &str, history: &str) -> String {
    format!("{gflops:>6}{spread:<4} {time:>8} {share:>4} {history}")
}

/// The measurement's share of the peak: "—" before the peak is known, "pk?" when the
/// measurement beat the probed peak (a starved probe: `r` measures again).
fn share(app: &App, m: &crate::measure::Measurement, peak: Option<f64>) -> String {
    match (peak, app.measurements.share_of_peak(m.gflops())) {
        (None, _) => "—".into(),
        (Some(_), None) => "pk?".into(),
        (Some(_), Some(share)) => format!("{:.0}%", 100.0 * share),
    }
}

/// How far the runs spread around the median: half the p10–p90 range of GFLOP/s, as a share of
/// the median ("±3%").
fn spread(m: &crate::measure::Measurement) -> String {
    let (low, high) = m.gflops_spread();
    let median = m.gflops();
    if median.is_nan() || median <= 0.0 {
        return String::new();
    }
    let percent = (50.0 * (high - low) / median).round().clamp(0.0, 99.0);
    format!("±{percent:.0}%")
}

fn format_seconds(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}

/// The history of the selected 1×1 layer's shape: every measurement of it this session.
fn render_sparkline(app: &App, area: Rect, buf: &mut Buffer) {
    let selected = app.pointwise().get(app.cursor.throughput_selected);
    let history = selected.map_or(&[][..], |layer| app.measurements.history(layer));
    let data: Vec<u64> = history
        .iter()
        .map(|g| (g * 10.0).round().max(0.0) as u64)
        .collect();
    let [label, spark] =
        Layout::horizontal([Constraint::Length(12), Constraint::Fill(1)]).areas(area);
    let last = history
        .last()
        .map_or_else(|| "—".into(), |g| format!("{g:.1}"));
    let name = selected
        .and_then(|layer| layer.name.clone())
        .unwrap_or_else(|| "GFLOP/s".into());
    Paragraph::new(vec![
        Line::from(fit_middle(&name, 11)).style(app.theme.header()),
        Line::from(format!("last {last}")),
        Line::from(match history.len() {
            1 => "1 run".to_string(),
            n => format!("{n} runs"),
        }),
    ])
    .render(label, buf);
    let start = data.len().saturating_sub(usize::from(spark.width));
    Sparkline::default()
        .data(&data[start..])
        .style(app.theme.pointwise())
        .render(spark, buf);
}
