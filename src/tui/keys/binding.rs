//! A key and what it is bound to: the rows the key tables are made of.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::action::Action;
use crate::tui::app::App;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    pub fn label(self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".into(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{name}")
        } else {
            name
        }
    }

    pub fn matches(self, event: &KeyEvent) -> bool {
        let has_ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let same_code = match (self.code, event.code) {
            // Terminals differ on whether Ctrl-R arrives as 'r' or 'R'.
            (KeyCode::Char(a), KeyCode::Char(b)) if self.ctrl => a.eq_ignore_ascii_case(&b),
            (a, b) => a == b,
        };
        same_code && has_ctrl == self.ctrl
    }
}

/// One line of a key table.
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
    /// The status bar's word for it; `None` keeps it out of the status bar.
    pub hint: Option<&'static str>,
    /// When the key does something here (for hints); `None` is always.
    pub applies: Option<fn(&App) -> bool>,
}

pub const fn key(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

pub const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

pub const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

/// A binding with help text only.
pub const fn bind(keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    Binding {
        keys,
        action,
        help,
        hint: None,
        applies: None,
    }
}

/// A binding the status bar also shows, as `hint`, when `applies` (or always).
pub const fn hinted(
    keys: &'static [Key],
    action: Action,
    help: &'static str,
    hint: &'static str,
    applies: Option<fn(&App) -> bool>,
) -> Binding {
    Binding {
        keys,
        action,
        help,
        hint: Some(hint),
        applies,
    }
}
