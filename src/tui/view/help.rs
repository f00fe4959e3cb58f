//! The `?` overlay: every key of every mode with what it does, generated from the key tables
//! that dispatch the keys, scrollable when the terminal is short.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use crate::tui::app::App;
use crate::tui::keys::{SECTIONS, keys_label};
use crate::tui::layout::help_area;

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

pub fn render(app: &App, scroll: u16, area: Rect, buf: &mut Buffer) {
    let lines = lines(app);
    let rect = help_area(area, lines.len());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::Origin;
    use crate::tui::keys::help_line_count;
    use crate::tui::theme::Theme;

    /// `update` scrolls the help by the count the key tables give; it must be what is drawn.
    #[test]
    fn the_help_has_as_many_lines_as_the_key_tables_say() {
        let block = crate::preset::builtin("inception3a").unwrap();
        let app = App::new(
            block,
            Origin::Preset("inception3a".into()),
            Theme { color: false },
        );
        assert_eq!(lines(&app).len(), help_line_count());
    }
}
