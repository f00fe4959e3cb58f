//! Colours and emphasis, in one place. With `NO_COLOR` set (no-color.org) every style keeps its
//! emphasis (bold, dim, reversed) and drops its colour.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme { color: true }
    }
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to a non-empty value.
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn header(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Figures that no longer describe the block (it does not fit; these are the last that did).
    pub fn stale(self) -> Style {
        self.fg(Color::DarkGray).add_modifier(Modifier::DIM)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn info(self) -> Style {
        self.fg(Color::Green)
    }

    /// 1×1 convolutions, the subject of the tool.
    pub fn pointwise(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn bypassed(self) -> Style {
        self.fg(Color::DarkGray)
            .add_modifier(Modifier::DIM | Modifier::CROSSED_OUT)
    }

    pub fn group(self) -> Style {
        self.fg(Color::Magenta)
    }

    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.fg(Color::Gray)
        }
    }

    /// The block's bar in the comparison; the counterpart's is plain.
    pub fn bar_block(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn bar_counterpart(self) -> Style {
        self.fg(Color::Magenta)
    }

    pub fn muted(self) -> Style {
        self.fg(Color::Gray).add_modifier(Modifier::DIM)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_colour_styles_keep_their_emphasis_only() {
        let plain = Theme { color: false };
        assert_eq!(plain.error().fg, None);
        assert!(plain.error().add_modifier.contains(Modifier::BOLD));
        assert_eq!(plain.pointwise(), Style::new());
        assert_eq!(Theme { color: true }.error().fg, Some(Color::Red));
    }
}
