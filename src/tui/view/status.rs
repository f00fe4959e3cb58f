//! The two bottom lines: the message line (what just happened, or what is wrong with the
//! block) and the status bar (document, modified marker, the keys that apply now, the engine).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::app::{App, Level};
use crate::tui::keys;

use super::text::spinner;

pub fn render_message(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let line = match (&app.message, app.error()) {
        (Some(message), _) if message.level == Level::Error => {
            Line::from(format!(" ✗ {}", message.text)).style(theme.error())
        }
        (_, Some(error)) => Line::from(vec![
            Span::styled(format!(" ✗ {error}"), theme.error()),
            Span::styled(broken_hint(app), theme.muted()),
        ]),
        (Some(message), None) => Line::from(format!(" {}", message.text)).style(theme.info()),
        (None, None) => Line::default(),
    };
    Paragraph::new(line)
        .wrap(ratatui::widgets::Wrap { trim: true })
        .render(area, buf);
}

/// What the user can do about a block that does not fit: greyed figures and undo are offered
/// only when there are some (a file opened broken has neither).
fn broken_hint(app: &App) -> &'static str {
    match (app.figures().is_some(), app.document.undo_len() > 0) {
        (true, true) => "  (figures greyed are the last that fit; u undoes)",
        (true, false) => "  (figures greyed are the last that fit)",
        (false, true) => "  (no figures until the block fits; u undoes)",
        (false, false) => "  (no figures until the block fits: edit the layer named)",
    }
}

pub fn render_status(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = app.theme;
    let mut left = vec![
        Span::styled(" convtui ", theme.selected()),
        Span::raw(format!(" {} ", app.document.origin())),
    ];
    if app.is_modified() {
        left.push(Span::styled("● modified ", theme.key()));
    }
    let t = &app.measurements;
    let mut engine = match (&t.simd, t.threads) {
        (Some(simd), Some(threads)) => format!("{simd} ×{threads} "),
        _ => String::new(),
    };
    if t.build_note.is_some() {
        // The message line said why at start-up; `convtui --version` says it again.
        engine = format!("slower build: {engine}");
    }
    if t.running {
        engine = format!("{} {engine}", spinner(app));
    }
    let left_width = left.iter().map(Span::width).sum::<usize>() as u16;
    let engine_width = engine.chars().count() as u16;
    let [l, m, r] = Layout::horizontal([
        Constraint::Length(left_width),
        Constraint::Fill(1),
        Constraint::Length(engine_width),
    ])
    .areas(area);
    Paragraph::new(Line::from(left)).render(l, buf);
    Paragraph::new(hint_line(app, usize::from(m.width))).render(m, buf);
    Paragraph::new(Line::from(engine).style(theme.muted())).render(r, buf);
}

/// The hints that apply now, as many whole ones as fit in `width` columns.
pub fn hint_line(app: &App, width: usize) -> Line<'static> {
    let mut spans = Vec::new();
    let mut used = 0;
    // Help and quit first: they are what a user looks for when the line is cut short.
    let (first, rest): (Vec<_>, Vec<_>) = keys::hints(app)
        .into_iter()
        .partition(|(_, word)| matches!(*word, "help" | "quit"));
    for (key, word) in first.into_iter().chain(rest) {
        let text = format!(" {word}  ");
        used += key.chars().count() + text.chars().count();
        if used > width {
            break;
        }
        spans.push(Span::styled(key, app.theme.key()));
        spans.push(Span::raw(text));
    }
    Line::from(spans)
}
