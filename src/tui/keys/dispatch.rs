//! Dispatch from the key tables: which table a mode reads, the action a key asks for, the
//! status bar's hints and the size of the `?` overlay. Everything reads the same tables, so
//! they cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::tui::action::Action;
use crate::tui::app::{App, Mode};
use crate::tui::layout::{MIN_HEIGHT, MIN_WIDTH};

use super::binding::Binding;
use super::tables::{
    CONFIRM_DISCARD, CONFIRM_OVERWRITE, CONFIRM_QUIT, FORM, HEAVIEST, HELP, NORMAL, OFFER_RECOVERY,
    PICKER, PROMPT, SECTIONS,
};

pub fn table(mode: &Mode) -> &'static [Binding] {
    match mode {
        Mode::Normal => NORMAL,
        Mode::Help { .. } => HELP,
        Mode::Edit(_) => FORM,
        Mode::AddLayer { .. } | Mode::PresetPicker { .. } => PICKER,
        Mode::Prompt { .. } => PROMPT,
        Mode::ConfirmQuit => CONFIRM_QUIT,
        Mode::Heaviest { .. } => HEAVIEST,
        Mode::ConfirmDiscard { .. } => CONFIRM_DISCARD,
        Mode::ConfirmOverwrite { .. } => CONFIRM_OVERWRITE,
        Mode::OfferRecovery { .. } => OFFER_RECOVERY,
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

/// The action a key asks of `app`: [`action_for`] its mode, except that below the smallest
/// layout, where only the "Enlarge the terminal" note is on screen, a key would act on a block
/// the user cannot see; there only the ways out the note names work (quit and its answer,
/// closing a dialog).
pub fn action_for_app(app: &App, event: &KeyEvent) -> Option<Action> {
    let action = action_for(&app.mode, event)?;
    let (width, height) = app.size;
    let too_small = width < MIN_WIDTH || height < MIN_HEIGHT;
    let way_out = matches!(
        action,
        Action::Quit | Action::QuitWithoutSaving | Action::Cancel
    );
    (!too_small || way_out).then_some(action)
}

/// "j ↓" style label of a binding's keys.
pub fn keys_label(binding: &Binding) -> String {
    let labels: Vec<String> = binding.keys.iter().map(|k| k.label()).collect();
    labels.join(" ")
}

/// Lines of the `?` overlay: a heading per section, a line per binding, a blank between
/// sections.
pub fn help_line_count() -> usize {
    let bindings: usize = SECTIONS.iter().map(|(_, table)| table.len()).sum();
    bindings + 2 * SECTIONS.len() - 1
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
    use super::super::binding::Key;
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
            purpose: crate::tui::app::PromptPurpose::Save,
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
