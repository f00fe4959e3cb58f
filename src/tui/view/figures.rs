//! The totals pane (output shape, params, MACs, activation memory, depth) and the comparison
//! with the block's counterpart without its 1×1 convolutions: numbers, ratios and bars. When the
//! block does not fit, both show the last figures that did, greyed.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, LineGauge, Paragraph, Widget};

use crate::analysis::{Comparison, Metric, Summary, Versus};
use crate::report::numbers::{bytes, grouped, ratio, short};
use crate::tui::app::App;
use crate::tui::layout::COMPARISON_ROOMY;

use super::text::fit_end;

fn pane<'a>(app: &App, title: &'a str, stale: bool) -> Block<'a> {
    let title = if stale {
        Line::from(vec![
            Span::styled(title, app.theme.header()),
            Span::styled("(last that fit) ", app.theme.stale()),
        ])
    } else {
        Line::from(title).style(app.theme.header())
    };
    Block::bordered()
        .title(title)
        .border_style(app.theme.border(false))
}

fn label(text: &str) -> Span<'_> {
    Span::raw(format!("{text:<9}"))
}

pub fn render_totals(app: &App, area: Rect, buf: &mut Buffer) {
    let Some((analysis, stale)) = app.shown_analysis() else {
        Paragraph::new("no figures: the block does not fit")
            .block(pane(app, " Totals ", false))
            .render(area, buf);
        return;
    };
    let t = &analysis.totals;
    let lines = vec![
        Line::from(vec![
            label("output"),
            Span::raw(format!(
                "{} (H×W×C) · depth {} ReLUs",
                t.output, t.depth.nonlinear
            )),
        ]),
        Line::from(vec![
            label("params"),
            Span::raw(grouped(t.params())),
            Span::raw(format!(" (w {} · b {})", short(t.weights), short(t.biases))),
        ]),
        Line::from(vec![
            label("MACs"),
            Span::raw(grouped(t.macs)),
            Span::raw(format!(" · FLOPs {}", short(t.flops()))),
        ]),
        Line::from(vec![
            label("act. mem"),
            Span::raw(format!(
                "{}, peak {} · weights {}",
                bytes(t.activation_bytes()),
                bytes(t.peak_activation_bytes()),
                bytes(t.param_bytes())
            )),
        ]),
    ];
    let style = if stale {
        app.theme.stale()
    } else {
        Style::new()
    };
    Paragraph::new(lines)
        .style(style)
        .block(pane(
            app,
            if app.show_counterpart {
                " Totals without 1×1 "
            } else {
                " Totals "
            },
            stale,
        ))
        .render(area, buf);
}

/// The comparison's metrics the screen shows, with their pairs: against the counterpart, or
/// against the model the user chose to compare with (`C`).
fn metrics(app: &App, summary: &Summary) -> Option<Vec<(&'static Metric, Versus)>> {
    let c = match &app.compare_with {
        Some(other) => Comparison::of(&summary.block.totals, &other.totals),
        None => summary.comparison()?,
    };
    Some(c.iter().filter(|(metric, _)| metric.on_screen).collect())
}

/// How the comparison names its two sides: in the title, the compact header and the bars.
fn sides(app: &App) -> (String, &'static str, String) {
    match &app.compare_with {
        Some(other) => (
            format!(" vs. {} (C: back) ", other.name),
            "this/other",
            other.name.chars().take(8).collect(),
        ),
        None => (
            " vs. without its 1×1 convs ".into(),
            "block/w-o 1×1",
            "w/o 1×1".into(),
        ),
    }
}

pub fn render_comparison(app: &App, area: Rect, buf: &mut Buffer) {
    let (title, _, _) = sides(app);
    let Some((summary, stale)) = app.figures() else {
        pane(app, &title, false).render(area, buf);
        return;
    };
    let block = pane(app, &title, stale);
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(metrics) = metrics(app, summary) else {
        let why = summary
            .counterpart
            .as_ref()
            .err()
            .map(ToString::to_string)
            .unwrap_or_default();
        Paragraph::new(format!("the counterpart does not fit: {why}"))
            .style(app.theme.error())
            .wrap(ratatui::widgets::Wrap { trim: true })
            .render(inner, buf);
        return;
    };
    let style = if stale {
        app.theme.stale()
    } else {
        Style::new()
    };
    if area.height >= COMPARISON_ROOMY {
        roomy(app, &metrics, style, inner, buf);
    } else {
        compact(app, &metrics, style, inner, buf);
    }
}

fn number(metric: &Metric, n: u64) -> String {
    if metric.exact {
        n.to_string()
    } else {
        short(n)
    }
}

/// One line per metric: block/counterpart, ratio, and a bar of the ratio.
fn compact(app: &App, metrics: &[(&Metric, Versus)], style: Style, area: Rect, buf: &mut Buffer) {
    let header = Line::from(format!("{:<8}{:>15} {:>4}", "", sides(app).1, "ratio"))
        .style(app.theme.header());
    let bar_width = usize::from(area.width.saturating_sub(29)).min(20);
    let mut lines = vec![header];
    for &(metric, pair) in metrics {
        let r = pair.ratio();
        let filled = r.map_or(0, |r| (r.min(1.0) * bar_width as f64).round() as usize);
        let values = format!(
            "{}/{}",
            number(metric, pair.block),
            number(metric, pair.counterpart)
        );
        let ratio = r.map_or_else(|| "—".into(), |r| format!("{r:.2}"));
        // Figures that outgrow their columns push the bar out, never the ratio off the line.
        let text = fit_end(
            &format!("{:<8}{values:>15} {ratio:>4} ", metric.short),
            usize::from(area.width),
        );
        let bar_width = bar_width.min(usize::from(area.width).saturating_sub(text.chars().count()));
        let filled = filled.min(bar_width);
        lines.push(Line::from(vec![
            Span::raw(text),
            Span::styled("█".repeat(filled), app.theme.bar_block()),
            Span::styled(
                "░".repeat(bar_width.saturating_sub(filled)),
                app.theme.muted(),
            ),
        ]));
    }
    Paragraph::new(lines).style(style).render(area, buf);
}

/// Three lines per metric: the numbers, then a bar for the block and one for the counterpart,
/// both scaled to the larger of the two.
fn roomy(app: &App, metrics: &[(&Metric, Versus)], style: Style, area: Rect, buf: &mut Buffer) {
    let rows = Layout::vertical(vec![Constraint::Length(1); 12]).split(area);
    let mut row = rows.iter().copied();
    for &(metric, pair) in metrics {
        let Some(title_area) = row.next() else { return };
        let (a, b) = (pair.block, pair.counterpart);
        let exact = |n: u64| {
            if metric.exact {
                n.to_string()
            } else {
                grouped(n)
            }
        };
        // Exact figures while the line holds them, then short ones, then cut with "…": the
        // ratio at the end is the figure most worth keeping.
        let room = usize::from(title_area.width).saturating_sub(13);
        let ratio = ratio(pair.ratio());
        let figures = [
            format!("{} vs {}   ratio {ratio}", exact(a), exact(b)),
            format!(
                "{} vs {} · ratio {ratio}",
                number(metric, a),
                number(metric, b)
            ),
        ];
        let fits = figures.iter().find(|text| text.chars().count() <= room);
        let text = fits.cloned().unwrap_or_else(|| fit_end(&figures[1], room));
        Paragraph::new(Line::from(vec![
            Span::styled(format!("{:<13}", metric.label), app.theme.header()),
            Span::raw(text),
        ]))
        .style(style)
        .render(title_area, buf);
        if !metric.bars {
            continue;
        }
        let max = a.max(b).max(1) as f64;
        let other = sides(app).2;
        for (who, value, bar_style) in [
            ("block", a, app.theme.bar_block()),
            (other.as_str(), b, app.theme.bar_counterpart()),
        ] {
            let Some(bar_area) = row.next() else { return };
            let bar_style = if style == Style::new() {
                bar_style
            } else {
                style
            };
            LineGauge::default()
                .ratio((value as f64 / max).clamp(0.0, 1.0))
                .label(format!("  {who:<8}"))
                .filled_symbol("█")
                .unfilled_symbol("░")
                .filled_style(bar_style)
                .unfilled_style(app.theme.muted())
                .render(bar_area, buf);
        }
    }
}
