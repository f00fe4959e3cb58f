//! Where each pane and dialog goes for a terminal size. Pure geometry, apart from the views, so
//! that `update` scrolls the structure pane and the help by the same numbers the views draw with.
//!
//! Wide terminals (≥ 120 columns) put the structure on the left and totals, comparison and
//! throughput in a column on the right; narrower ones put the structure on top and the figures
//! and throughput side by side below it. Below 60×21 there is no layout, only a request to
//! enlarge the terminal.

use ratatui::layout::{Constraint, Layout, Rect};

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 21;
const WIDE: u16 = 120;
const RIGHT_COLUMN: u16 = 58;
const TOTALS_HEIGHT: u16 = 6;
/// The comparison with one line per metric, and with a pair of bars per metric.
pub const COMPARISON_COMPACT: u16 = 8;
pub const COMPARISON_ROOMY: u16 = 14;
const THROUGHPUT_MIN: u16 = 9;
/// Rows the structure pane keeps on a narrow terminal before the totals pane gives way.
const STRUCTURE_MIN: u16 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    pub structure: Rect,
    /// None on short, narrow terminals: the structure pane keeps the rows, and its title
    /// carries the output shape (the comparison already shows params and MACs).
    pub totals: Option<Rect>,
    pub comparison: Rect,
    pub throughput: Rect,
    pub message: Rect,
    pub status: Rect,
}

/// `tall_message` gives the message line two rows, for a shape error that names its layer.
pub fn panes(area: Rect, tall_message: bool) -> Option<Panes> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [main, message, status] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(if tall_message { 2 } else { 1 }),
        Constraint::Length(1),
    ])
    .areas(area);
    let (structure, totals, comparison, throughput) = if area.width >= WIDE {
        let [left, right] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(RIGHT_COLUMN)]).areas(main);
        let roomy = right.height >= TOTALS_HEIGHT + COMPARISON_ROOMY + THROUGHPUT_MIN;
        let comparison = if roomy {
            COMPARISON_ROOMY
        } else {
            COMPARISON_COMPACT
        };
        let [totals, comparison, throughput] = Layout::vertical([
            Constraint::Length(TOTALS_HEIGHT),
            Constraint::Length(comparison),
            Constraint::Fill(1),
        ])
        .areas(right);
        (left, Some(totals), comparison, throughput)
    } else {
        let with_totals = main.height >= TOTALS_HEIGHT + COMPARISON_COMPACT + STRUCTURE_MIN;
        let figures = COMPARISON_COMPACT + if with_totals { TOTALS_HEIGHT } else { 0 };
        let [top, bottom] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(figures)]).areas(main);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(bottom);
        if with_totals {
            let [totals, comparison] = Layout::vertical([
                Constraint::Length(TOTALS_HEIGHT),
                Constraint::Length(COMPARISON_COMPACT),
            ])
            .areas(left);
            (top, Some(totals), comparison, right)
        } else {
            (top, None, left, right)
        }
    };
    Some(Panes {
        structure,
        totals,
        comparison,
        throughput,
        message,
        status,
    })
}

/// Table rows the structure pane shows at this terminal size (borders and header excluded).
pub fn structure_rows((width, height): (u16, u16), tall_message: bool) -> usize {
    panes(Rect::new(0, 0, width, height), tall_message).map_or(1, |p| {
        usize::from(p.structure.height.saturating_sub(3)).max(1)
    })
}

/// Columns of the `?` overlay.
pub const HELP_WIDTH: u16 = 76;

/// Where the `?` overlay of `lines` lines goes: centred, its border included.
pub fn help_area(area: Rect, lines: usize) -> Rect {
    let height = u16::try_from(lines).unwrap_or(u16::MAX).saturating_add(2);
    centered(area, HELP_WIDTH, height)
}

/// A `width`×`height` rectangle centred in `area`, never larger than it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_layout_below_the_minimum_and_panes_inside_above_it() {
        assert_eq!(panes(Rect::new(0, 0, 30, 8), false), None);
        assert_eq!(panes(Rect::new(0, 0, 1, 1), true), None);
        for (w, h) in [(60, 21), (80, 24), (119, 40), (120, 24), (200, 60)] {
            let area = Rect::new(0, 0, w, h);
            let p = panes(area, true).unwrap();
            let totals = p.totals.unwrap_or_default();
            for rect in [p.structure, totals, p.comparison, p.throughput, p.status] {
                assert!(area.contains(rect.as_position()), "{w}×{h}");
                assert!(rect.right() <= area.right() && rect.bottom() <= area.bottom());
            }
            assert!(p.structure.height >= 4, "{w}×{h}: structure too short");
        }
    }

    #[test]
    fn a_standard_80x24_terminal_keeps_rows_for_the_structure() {
        let p = panes(Rect::new(0, 0, 80, 24), false).unwrap();
        assert!(p.structure.height >= 12, "{:?}", p.structure);
        assert_eq!(p.totals, None);
        let tall = panes(Rect::new(0, 0, 80, 40), false).unwrap();
        assert!(tall.totals.is_some());
    }
}
