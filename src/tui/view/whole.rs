//! The whole block as measured: one line for the throughput pane (block against its
//! counterpart in ms, the measured speed-up beside the counted one), and the "measured" view,
//! each layer's share of the block's time as a bar.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget};

use crate::measure::WholeStatus;
use crate::measure::whole::{WholeRun, layer_name};
use crate::tui::app::App;

use super::text::{fit_middle, spinner};

fn ms(seconds: f64) -> String {
    if seconds >= 0.1 {
        format!("{:.0} ms", seconds * 1e3)
    } else {
        format!("{:.2} ms", seconds * 1e3)
    }
}

/// "whole 2.87 ms · w/o 1×1 6.90 ms · 2.41× measured, 2.37× counted".
pub fn summary_line(app: &App) -> Line<'_> {
    let theme = app.theme;
    let state = &app.measurements.whole;
    let mut spans = vec![Span::styled("whole ", theme.header())];
    match (&state.status, state.shown()) {
        (_, Some((run, stale))) => {
            let style = if stale { theme.stale() } else { Style::new() };
            spans.extend(figures(run, style));
            if stale {
                spans.push(Span::styled(format!(" {}", spinner(app)), theme.info()));
            }
        }
        (WholeStatus::Running, None) => spans.push(Span::styled(
            format!("{} running block and counterpart…", spinner(app)),
            theme.info(),
        )),
        (WholeStatus::Skipped(why), _) => spans.push(Span::styled(why.clone(), theme.muted())),
        (WholeStatus::Failed(why), _) => spans.push(Span::styled(why.clone(), theme.muted())),
        (WholeStatus::NotYet, _) if app.error().is_some() => spans.push(Span::styled(
            "not run: the block does not fit",
            theme.muted(),
        )),
        (WholeStatus::NotYet, _) => spans.push(Span::styled("waiting", theme.muted())),
        (WholeStatus::Done(_), None) => {}
    }
    Line::from(spans)
}

/// "1.75 vs 3.76 ms w/o 1×1 · 2.15× (counted 2.37×)": the counterpart takes 2.15 times as
/// long, measured, and counts 2.37 times the MACs.
fn figures(run: &WholeRun, style: Style) -> Vec<Span<'static>> {
    let block = run.block.timed.measurement.seconds.median;
    let text = match (
        &run.counterpart,
        run.measured_speedup(),
        run.counted_speedup(),
    ) {
        (Ok(c), Some(measured), Some(counted)) => {
            let other = c.timed.measurement.seconds.median;
            let unit = ms(other);
            let number = |s: f64| ms(s).trim_end_matches(" ms").to_string();
            format!(
                "{} vs {unit} w/o 1×1 · {measured:.2}× (counted {counted:.2}×)",
                number(block)
            )
        }
        _ => format!("{} · no counterpart to compare", ms(block)),
    };
    vec![Span::styled(text, style)]
}

/// Each layer of the block with its median time and its share of the sum, as a bar.
pub fn render_layers(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let Some((run, stale)) = app.measurements.whole.shown() else {
        let text = match &app.measurements.whole.status {
            WholeStatus::Skipped(why) | WholeStatus::Failed(why) => why.clone(),
            _ => format!("{} running the block whole…", spinner(app)),
        };
        Paragraph::new(text).style(theme.muted()).render(area, buf);
        return;
    };
    let total: f64 = run.block.timed.layers.iter().map(|l| l.seconds).sum();
    let time_width = 9u16;
    let bar_width = usize::from(area.width.saturating_sub(time_width + 6 + 3) / 3).max(4);
    let name_width =
        usize::from(area.width).saturating_sub(bar_width + usize::from(time_width) + 8);
    let rows = run.block.timed.layers.iter().map(|l| {
        let name = run
            .block
            .rows
            .get(l.row)
            .map_or_else(|| "the block".to_string(), layer_name);
        let share = if total > 0.0 { l.seconds / total } else { 0.0 };
        let filled = (share * bar_width as f64).round() as usize;
        Row::new([
            Cell::from(fit_middle(&name, name_width)),
            Cell::from(ms(l.seconds)),
            Cell::from(format!("{:>3.0}%", 100.0 * share)),
            Cell::from(Line::from(vec![
                Span::styled("█".repeat(filled), theme.bar_block()),
                Span::styled("░".repeat(bar_width.saturating_sub(filled)), theme.muted()),
            ])),
        ])
        .style(if stale { theme.stale() } else { Style::new() })
    });
    // The two whole runs first, on one scale, then the block's layers.
    let block_s = run.block.timed.measurement.seconds.median;
    let other_s = run
        .counterpart
        .as_ref()
        .ok()
        .map(|c| c.timed.measurement.seconds.median);
    let longest = other_s.map_or(block_s, |o| o.max(block_s));
    let whole_row = |label: &str, seconds: f64, bar: Style| {
        let filled = (seconds / longest * bar_width as f64).round() as usize;
        Row::new([
            Cell::from(label.to_string()).style(theme.header()),
            Cell::from(ms(seconds)),
            Cell::from(""),
            Cell::from(Line::from(vec![
                Span::styled("█".repeat(filled), bar),
                Span::styled("░".repeat(bar_width.saturating_sub(filled)), theme.muted()),
            ])),
        ])
    };
    let mut firsts = vec![whole_row("block, whole", block_s, theme.bar_block())];
    if let Some(o) = other_s {
        firsts.push(whole_row("w/o 1×1, whole", o, theme.bar_counterpart()));
    }
    let rows = firsts.into_iter().chain(rows);
    let header = Row::new(["layer", "time", "share", ""]).style(theme.header());
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(time_width),
        Constraint::Length(5),
        Constraint::Length(bar_width as u16),
    ];
    Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .render(area, buf);
}
