//! The heaviest layers (`w`): every layer with MACs (or parameters), heaviest first, with its
//! share of the block and the running total, so "where do the MACs go" has an answer on one screen.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Row, StatefulWidget, Table, TableState, Widget};

use crate::analysis::LayerRow;
use crate::report::layer_text::kind_cell;
use crate::report::numbers::short;
use crate::tui::app::{App, Weight};
use crate::tui::layout::centered;

pub fn render(app: &App, selected: usize, by: Weight, area: Rect, buf: &mut Buffer) {
    let rows = app.heaviest(by);
    let weight = |row: &LayerRow| match by {
        Weight::Macs => row.macs,
        Weight::Params => row.params(),
    };
    let total: u64 = app
        .shown_analysis()
        .map_or(0, |(a, _)| match by {
            Weight::Macs => a.totals.macs,
            Weight::Params => a.totals.params(),
        })
        .max(1);
    let mut running = 0u64;
    let table_rows: Vec<Row> = rows
        .iter()
        .map(|row| {
            running += weight(row);
            let name = row
                .name
                .clone()
                .unwrap_or_else(|| format!("{} at {}", row.kind.label(), row.path));
            Row::new([
                name,
                kind_cell(&row.kind),
                short(weight(row)),
                format!("{:.1}%", weight(row) as f64 * 100.0 / total as f64),
                format!("{:.0}%", running as f64 * 100.0 / total as f64),
            ])
        })
        .collect();
    let what = match by {
        Weight::Macs => "MACs",
        Weight::Params => "params",
    };
    let rect = centered(area, 84, area.height.saturating_sub(4).max(8));
    Clear.render(rect, buf);
    let title = format!(
        " Heaviest layers by {what} · {} layers · Tab: by {} · Enter goes there ",
        rows.len(),
        match by {
            Weight::Macs => "params",
            Weight::Params => "MACs",
        }
    );
    let block = Block::bordered()
        .title(Line::from(title).style(app.theme.header()))
        .border_style(app.theme.border(true));
    let header = Row::new(["layer", "kind", what, "share", "cumul."]).style(app.theme.header());
    let table = Table::new(
        table_rows,
        [
            Constraint::Fill(1),
            Constraint::Length(18),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Length(7),
        ],
    )
    .header(header)
    .block(block)
    .row_highlight_style(app.theme.selected())
    .highlight_symbol("›");
    let mut state = TableState::new().with_selected((!rows.is_empty()).then_some(selected));
    StatefulWidget::render(table, rect, buf, &mut state);
}
