//! The small overlays: the edit form, the path prompt, the add-layer and preset pickers, and
//! the question asked before quitting with unsaved edits. Each clears its rectangle and draws a
//! bordered box centred on the screen, clipped to it.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Clear, List, ListItem, ListState, Paragraph, StatefulWidget, Widget, Wrap,
};

use crate::preset::BUILTINS;

use crate::tui::app::{App, Level, PromptPurpose};
use crate::tui::input::{CHOICES, EditForm, TextInput, shown_dir};
use crate::tui::layout::centered;

use super::text::{fit_end, fit_words};

/// Clears `rect` and draws the popup's frame; returns the inside.
fn frame(app: &App, area: Rect, width: u16, height: u16, title: String, buf: &mut Buffer) -> Rect {
    let rect = centered(area, width, height);
    Clear.render(rect, buf);
    let block = Block::bordered()
        .title(Line::from(title).style(app.theme.header()))
        .border_style(app.theme.border(true));
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

/// "Enter apply  Esc cancel" from the mode's key table.
fn hint_line(app: &App) -> Line<'static> {
    super::status::hint_line(app, usize::MAX)
}

/// A text field's line with a visible cursor (reversed cell), or its whole text reversed when
/// it is selected, so the user sees that typing replaces it.
fn input_line<'a>(input: &'a TextInput, focused: bool, app: &App) -> Line<'a> {
    if !focused {
        return Line::from(input.text());
    }
    if input.is_selected() {
        return Line::from(Span::styled(input.text(), app.theme.selected()));
    }
    let chars: Vec<char> = input.text().chars().collect();
    let at = input.cursor().min(chars.len());
    let before: String = chars[..at].iter().collect();
    let under: String = chars.get(at).map_or(" ".into(), |c| c.to_string());
    let after: String = chars
        .get(at + 1..)
        .map_or(String::new(), |rest| rest.iter().collect());
    Line::from(vec![
        Span::raw(before),
        Span::styled(under, app.theme.selected()),
        Span::raw(after),
    ])
}

pub fn render_form(app: &App, form: &EditForm, area: Rect, buf: &mut Buffer) {
    let height = form.fields.len() as u16 + 6;
    let title = format!(" Edit {} — layer {} ", form.title, form.path);
    let inner = frame(app, area, 56, height, title, buf);
    let mut lines: Vec<Line> = form
        .fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let focused = i == form.focused;
            let label_style = if focused {
                app.theme.key()
            } else {
                Style::new()
            };
            let mut spans = vec![Span::styled(
                format!(" {:>13}  ", field.label()),
                label_style,
            )];
            spans.extend(input_line(&field.input, focused, app).spans);
            Line::from(spans)
        })
        .collect();
    lines.push(Line::default());
    match &form.error {
        Some(error) => lines.push(Line::from(format!(" ✗ {error}")).style(app.theme.error())),
        None => lines
            .push(Line::from(" sizes: 3 or 1x7 · yes/no: Space flips").style(app.theme.muted())),
    }
    lines.push(hint_line(app));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

pub fn render_prompt(
    app: &App,
    purpose: PromptPurpose,
    input: &TextInput,
    area: Rect,
    buf: &mut Buffer,
) {
    let inner = frame(app, area, 70, 7, format!(" {} ", purpose.title()), buf);
    let mut lines = vec![input_line(input, true, app)];
    // Where "here" is: relative paths start in the directory convtui was started in.
    let from = "relative paths are from ";
    let room = usize::from(inner.width).saturating_sub(from.chars().count());
    match (&app.cwd, purpose.takes_path()) {
        (Some(dir), true) => lines.push(
            Line::from(format!(
                "{from}{}",
                shown_dir(dir, app.home.as_deref(), room)
            ))
            .style(app.theme.muted()),
        ),
        _ => lines.push(Line::default()),
    }
    match (&app.message, &app.completion) {
        (Some(message), _) if message.level == Level::Error => {
            lines.push(Line::from(format!("✗ {}", message.text)).style(app.theme.error()));
        }
        (_, Some(found)) => {
            let found = fit_end(found, usize::from(inner.width));
            lines.push(Line::from(found).style(app.theme.key()));
        }
        _ => lines.push(Line::from(purpose.note()).style(app.theme.muted())),
    }
    lines.push(hint_line(app));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

/// The room a list's entries have in a popup `width` wide on `area`: the borders and the
/// selection mark take four columns.
fn list_room(area: Rect, width: u16) -> usize {
    usize::from(centered(area, width, 1).width.saturating_sub(4))
}

fn render_list(
    app: &App,
    items: Vec<ListItem>,
    selected: usize,
    (title, width): (&str, u16),
    area: Rect,
    buf: &mut Buffer,
) {
    let height = items.len() as u16 + 4;
    let inner = frame(app, area, width, height, format!(" {title} "), buf);
    let [list_area, hint_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    let list = List::new(items)
        .highlight_style(app.theme.selected())
        .highlight_symbol("› ");
    let mut state = ListState::default().with_selected(Some(selected));
    StatefulWidget::render(list, list_area, buf, &mut state);
    Paragraph::new(hint_line(app)).render(hint_area, buf);
}

pub fn render_add_layer(app: &App, selected: usize, area: Rect, buf: &mut Buffer) {
    let items = CHOICES.iter().map(|c| ListItem::new(c.label())).collect();
    let title = ("Add after the selection", 64);
    render_list(app, items, selected, title, area, buf);
}

/// Wide enough for most presets' descriptions whole on a roomy terminal.
const PRESETS_WIDTH: u16 = 110;

pub fn render_presets(app: &App, selected: usize, area: Rect, buf: &mut Buffer) {
    let width = BUILTINS.iter().map(|b| b.name.len()).max().unwrap_or(0) + 2;
    let room = list_room(area, PRESETS_WIDTH).saturating_sub(width);
    let items = BUILTINS
        .iter()
        .map(|b| {
            ListItem::new(Line::from(vec![
                Span::styled(format!("{:<width$}", b.name), app.theme.header()),
                Span::styled(fit_words(b.description(), room), app.theme.muted()),
            ]))
        })
        .collect();
    let title = ("Open a preset (u undoes)", PRESETS_WIDTH);
    render_list(app, items, selected, title, area, buf);
}

pub fn render_confirm_discard(app: &App, area: Rect, buf: &mut Buffer) {
    let inner = frame(app, area, 60, 6, " Unsaved edits ".into(), buf);
    let lines = vec![
        Line::from(format!(
            "{} has edits that are not saved.",
            app.block().name
        )),
        Line::from("Opening another block replaces them (u would bring them back)."),
        Line::default(),
        hint_line(app),
    ];
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}

pub fn render_confirm_overwrite(app: &App, path: &std::path::Path, area: Rect, buf: &mut Buffer) {
    let inner = frame(app, area, 64, 6, " Replace a file? ".into(), buf);
    let lines = vec![
        Line::from(format!("{} exists already.", path.display())),
        Line::from("Saving replaces what it holds."),
        Line::default(),
        hint_line(app),
    ];
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}

pub fn render_offer_recovery(
    app: &App,
    (block, path, age): (&crate::model::Block, &std::path::Path, &str),
    area: Rect,
    buf: &mut Buffer,
) {
    let inner = frame(app, area, 70, 7, " Unsaved edits were kept ".into(), buf);
    let lines = vec![
        Line::from(format!(
            "A session that ended without saving left edits of {} ({age}),",
            block.name
        )),
        Line::from(format!("kept in {}.", path.display())),
        Line::from("Recover them in place of what was opened?"),
        Line::default(),
        hint_line(app),
    ];
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}

pub fn render_confirm_quit(app: &App, area: Rect, buf: &mut Buffer) {
    let inner = frame(app, area, 56, 6, " Unsaved edits ".into(), buf);
    let lines = vec![
        Line::from(format!(
            "{} has edits that are not saved.",
            app.block().name
        )),
        Line::from("Quit anyway?"),
        Line::default(),
        hint_line(app),
    ];
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .render(inner, buf);
}
