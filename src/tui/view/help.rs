//! The `?` overlay: every key of every mode with what it does, generated from the key tables
//! that dispatch the keys, scrollable when the terminal is short.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::super::app::App;
use super::super::keymap::{SECTIONS, keys_label};
use super::layout::centered;

const WIDTH: u16 = 76;

fn lines(app: &App) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (heading, table) in SECTIONS {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(*heading).style(app.theme.header()));
        for binding in *table {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<22}", keys_label(binding)), app.theme.key()),
                Span::raw(binding.help),
            ]));
        }
    }
    lines
}

fn rect(area: Rect, total: usize) -> Rect {
    centered(area, WIDTH, (total as u16).saturating_add(2))
}

/// How far the help can scroll at the app's terminal size.
pub fn max_scroll(app: &App) -> u16 {
    let total = lines(app).len();
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let visible = rect(area, total).height.saturating_sub(2);
    (total as u16).saturating_sub(visible)
}

pub fn render(app: &App, scroll: u16, area: Rect, buf: &mut Buffer) {
    let lines = lines(app);
    let rect = rect(area, lines.len());
    Clear.render(rect, buf);
    let title = Line::from(" Keys · j/k scroll · Esc closes ").style(app.theme.header());
    Paragraph::new(lines)
        .scroll((scroll, 0))
        .block(
            Block::bordered()
                .title(title)
                .border_style(app.theme.border(true)),
        )
        .render(rect, buf);
}
