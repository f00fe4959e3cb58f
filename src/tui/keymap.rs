//! One table per mode that maps keys to actions and says what each does. Dispatch, the status
//! bar's hints and the `?` overlay all read these tables, so they cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::app::{App, Mode};

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

    fn matches(self, event: &KeyEvent) -> bool {
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

pub use super::key_tables::{CONFIRM_QUIT, FORM, HELP, NORMAL, PICKER, PROMPT, SECTIONS};

pub fn table(mode: &Mode) -> &'static [Binding] {
    match mode {
        Mode::Normal => NORMAL,
        Mode::Help { .. } => HELP,
        Mode::Edit(_) => FORM,
        Mode::AddLayer { .. } | Mode::PresetPicker { .. } => PICKER,
        Mode::Prompt { .. } => PROMPT,
        Mode::ConfirmQuit => CONFIRM_QUIT,
    }
}

fn takes_text(mode: &Mode) -> bool {
    matches!(mode, Mode::Edit(_) | Mode::Prompt { .. })
}

/// The action a key press asks for in this mode, if any.
pub fn action_for(mode: &Mode, event: &KeyEvent) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let found = table(mode)
        .iter()
        .find(|binding| binding.keys.iter().any(|k| k.matches(event)));
    if let Some(binding) = found {
        return Some(binding.action.clone());
    }
    let plain = !event
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match event.code {
        KeyCode::Char(c) if plain && takes_text(mode) => Some(Action::Type(c)),
        _ => None,
    }
}

/// "j ↓" style label of a binding's keys.
pub fn keys_label(binding: &Binding) -> String {
    let labels: Vec<String> = binding.keys.iter().map(|k| k.label()).collect();
    labels.join(" ")
}

/// The hints the status bar shows now: (first key, word) for bindings that apply.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    table(&app.mode)
        .iter()
        .filter(|b| b.applies.is_none_or(|applies| applies(app)))
        .filter_map(|b| Some((b.keys.first()?.label(), b.hint?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn maps_keys_per_mode() {
        let normal = Mode::Normal;
        let j = press(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(action_for(&normal, &j), Some(Action::SelectNext));
        let redo = press(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&normal, &redo), Some(Action::Redo));
        let plus = press(KeyCode::Char('+'), KeyModifiers::SHIFT);
        assert_eq!(action_for(&normal, &plus), Some(Action::WidenLayer));
        let prompt = Mode::Prompt {
            purpose: super::super::app::PromptPurpose::Save,
            input: Default::default(),
        };
        assert_eq!(action_for(&prompt, &j), Some(Action::Type('j')));
        assert_eq!(
            action_for(&normal, &press(KeyCode::F(5), KeyModifiers::NONE)),
            None
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_a_table() {
        for (name, table) in SECTIONS {
            let keys: Vec<Key> = table.iter().flat_map(|b| b.keys.iter().copied()).collect();
            for (i, k) in keys.iter().enumerate() {
                assert!(!keys[..i].contains(k), "{name}: {} twice", k.label());
            }
        }
    }
}
