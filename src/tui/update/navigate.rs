//! Moving around: the selection in either pane, pages, and scrolling the structure pane so the
//! selection stays on screen, by the geometry `layout` gives for the terminal's size.

use crate::model::Target;
use crate::tui::app::{App, Pane};
use crate::tui::layout;

fn visible_rows(app: &App) -> usize {
    layout::structure_rows(app.size, app.error().is_some())
}

pub fn page(app: &App) -> isize {
    visible_rows(app).max(2) as isize - 1
}

pub fn move_selection(app: &mut App, by: isize) {
    match app.cursor.focus {
        Pane::Structure => {
            let last = app.outline().len().saturating_sub(1);
            app.cursor.selected = app.cursor.selected.saturating_add_signed(by).min(last);
            keep_visible(app);
        }
        Pane::Throughput => {
            let last = app.pointwise().len().saturating_sub(1);
            let cursor = &mut app.cursor;
            cursor.throughput_selected = cursor
                .throughput_selected
                .saturating_add_signed(by)
                .min(last);
            follow_throughput_selection(app);
        }
    }
}

/// In the throughput pane, the structure selection follows the selected 1×1 layer.
pub fn follow_throughput_selection(app: &mut App) {
    if let Some(layer) = app.pointwise().get(app.cursor.throughput_selected) {
        let target = Target::Node(layer.path.clone());
        if let Some(index) = app.row_of(&target) {
            app.cursor.selected = index;
            keep_visible(app);
        }
    }
}

/// Scrolls the structure pane so the selection is on screen.
pub fn keep_visible(app: &mut App) {
    let rows = visible_rows(app).max(1);
    let total = app.outline().len();
    let cursor = &mut app.cursor;
    if cursor.selected < cursor.scroll {
        cursor.scroll = cursor.selected;
    } else if cursor.selected >= cursor.scroll + rows {
        cursor.scroll = cursor.selected + 1 - rows;
    }
    cursor.scroll = cursor.scroll.min(total.saturating_sub(rows));
}
