//! Drawing: `impl Widget for &App`, so a frame is a function of the state and can never change
//! it. Each pane has its own file; `tui::layout` decides where they go.

pub mod detail;
pub mod figures;
pub mod heaviest;
pub mod help;
pub mod popup;
pub mod status;
pub mod structure;
pub mod text;
pub mod throughput;
pub mod whole;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::app::{App, Mode};
use super::layout;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let Some(panes) = layout::panes(area, self.error().is_some()) else {
            too_small(self, area, buf);
            return;
        };
        structure::render(self, panes.structure, buf);
        if self.show_detail {
            // The detail pane takes the totals' and the comparison's room.
            let area = match panes.totals {
                Some(totals) => totals.union(panes.comparison),
                None => panes.comparison,
            };
            detail::render(self, area, buf);
        } else {
            if let Some(totals) = panes.totals {
                figures::render_totals(self, totals, buf);
            }
            figures::render_comparison(self, panes.comparison, buf);
        }
        throughput::render(self, panes.throughput, buf);
        status::render_message(self, panes.message, buf);
        status::render_status(self, panes.status, buf);
        match &self.mode {
            Mode::Normal => {}
            Mode::Help { scroll } => help::render(self, *scroll, area, buf),
            Mode::Edit(form) => popup::render_form(self, form, area, buf),
            Mode::AddLayer { selected } => popup::render_add_layer(self, *selected, area, buf),
            Mode::PresetPicker { selected } => popup::render_presets(self, *selected, area, buf),
            Mode::Prompt { purpose, input } => {
                popup::render_prompt(self, *purpose, input, area, buf);
            }
            Mode::ConfirmQuit => popup::render_confirm_quit(self, area, buf),
            Mode::ConfirmDiscard { .. } => popup::render_confirm_discard(self, area, buf),
            Mode::ConfirmOverwrite { path, .. } => {
                popup::render_confirm_overwrite(self, path, area, buf);
            }
            Mode::OfferRecovery { block, path, age } => {
                popup::render_offer_recovery(self, (block, path, age), area, buf);
            }
            Mode::Heaviest { selected, by } => heaviest::render(self, *selected, *by, area, buf),
        }
    }
}

fn too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let keys = match app.mode {
        Mode::ConfirmQuit => "Unsaved edits: y quits, n stays",
        Mode::OfferRecovery { .. } => "Kept edits: r recovers, d discards, Esc decides later",
        Mode::Normal => "q quits",
        _ => "Esc closes the dialog",
    };
    let text = vec![
        Line::from("Enlarge the terminal"),
        Line::from(format!(
            "convtui needs {}×{}; this is {}×{}.",
            layout::MIN_WIDTH,
            layout::MIN_HEIGHT,
            area.width,
            area.height
        )),
        Line::from(keys),
    ];
    Paragraph::new(text)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}
