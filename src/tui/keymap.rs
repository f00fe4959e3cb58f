//! One table per mode that maps keys to actions and says what each does. Dispatch, the status
//! bar's hints and the `?` overlay all read these tables, so they cannot disagree.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::app::{App, Mode, Pane};
use super::outline::Target;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn key(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: false,
    }
}

const fn code(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
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

const fn bind(keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    Binding {
        keys,
        action,
        help,
        hint: None,
        applies: None,
    }
}

const fn hinted(
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

fn selected_layer_kind(app: &App) -> Option<&crate::model::LayerKind> {
    match app.selected_target()? {
        Target::Node(path) => app.block.layer(path).map(|layer| &layer.kind),
        Target::Chain { .. } => None,
    }
}

fn on_width(app: &App) -> bool {
    use crate::model::LayerKind::{Conv, FullyConnected};
    matches!(selected_layer_kind(app), Some(Conv(_) | FullyConnected(_)))
}

fn on_pointwise(app: &App) -> bool {
    selected_layer_kind(app)
        .and_then(|k| k.as_conv())
        .is_some_and(|c| c.is_pointwise())
}

fn in_concat(app: &App) -> bool {
    app.selected_target()
        .and_then(|t| super::edit::enclosing_concat(&app.block, t))
        .is_some()
}

fn can_undo(app: &App) -> bool {
    !app.undo.is_empty()
}

fn can_redo(app: &App) -> bool {
    !app.redo.is_empty()
}

fn has_selection(app: &App) -> bool {
    app.selected_target().is_some()
}

fn structure_focused(app: &App) -> bool {
    app.focus == Pane::Structure
}

pub const NORMAL: &[Binding] = &[
    bind(
        &[code(KeyCode::Down), key('j')],
        Action::SelectNext,
        "next layer (or next 1×1 in the throughput pane)",
    ),
    bind(
        &[code(KeyCode::Up), key('k')],
        Action::SelectPrevious,
        "previous layer",
    ),
    bind(
        &[code(KeyCode::Home), key('g')],
        Action::SelectFirst,
        "first row",
    ),
    bind(
        &[code(KeyCode::End), key('G')],
        Action::SelectLast,
        "last row",
    ),
    bind(
        &[code(KeyCode::PageDown), code(KeyCode::Right), key('l')],
        Action::PageDown,
        "a page down",
    ),
    bind(
        &[code(KeyCode::PageUp), code(KeyCode::Left), key('h')],
        Action::PageUp,
        "a page up",
    ),
    hinted(
        &[code(KeyCode::Tab), code(KeyCode::BackTab)],
        Action::FocusNext,
        "switch pane: structure ⇄ throughput",
        "pane",
        None,
    ),
    hinted(
        &[code(KeyCode::Enter)],
        Action::OpenEditor,
        "edit the selected layer's fields",
        "edit",
        Some(has_selection),
    ),
    hinted(
        &[key('+'), key('=')],
        Action::WidenLayer,
        "widen the selected conv/fc (+8 channels, +1 below 8)",
        "width",
        Some(on_width),
    ),
    bind(
        &[key('-'), key('_')],
        Action::NarrowLayer,
        "narrow the selected conv/fc (−8 channels, −1 below 8)",
    ),
    hinted(
        &[key('a')],
        Action::ChooseLayerToAdd,
        "add a layer after the selection",
        "add",
        Some(structure_focused),
    ),
    hinted(
        &[key('d'), code(KeyCode::Delete)],
        Action::DeleteSelected,
        "delete the selected layer, branch or shortcut",
        "del",
        Some(has_selection),
    ),
    hinted(
        &[key('b')],
        Action::AddBranch,
        "add a branch to the enclosing concat",
        "branch",
        Some(in_concat),
    ),
    hinted(
        &[key('x')],
        Action::ToggleBypass,
        "bypass the selected 1×1 conv, or restore it",
        "bypass",
        Some(on_pointwise),
    ),
    hinted(&[key('u')], Action::Undo, "undo", "undo", Some(can_undo)),
    hinted(&[ctrl('r')], Action::Redo, "redo", "redo", Some(can_redo)),
    hinted(
        &[key('p')],
        Action::ChoosePreset,
        "open a preset",
        "preset",
        None,
    ),
    bind(&[key('o')], Action::PromptOpen, "open a block file"),
    hinted(
        &[key('s')],
        Action::PromptSave,
        "save the block as JSON",
        "save",
        None,
    ),
    hinted(
        &[key('e')],
        Action::PromptExport,
        "export the JSON summary with throughput",
        "export",
        None,
    ),
    bind(
        &[key('r')],
        Action::Remeasure,
        "measure the 1×1 layers again",
    ),
    hinted(&[key('?')], Action::ShowHelp, "this help", "help", None),
    hinted(
        &[key('q')],
        Action::Quit,
        "quit (asks first if there are unsaved edits)",
        "quit",
        None,
    ),
    bind(
        &[ctrl('c')],
        Action::Quit,
        "quit (asks first if there are unsaved edits)",
    ),
];

const BACKSPACE: Binding = bind(
    &[code(KeyCode::Backspace)],
    Action::Backspace,
    "delete before the cursor",
);
const DELETE: Binding = bind(
    &[code(KeyCode::Delete)],
    Action::DeleteForward,
    "delete at the cursor",
);
const LEFT: Binding = bind(&[code(KeyCode::Left)], Action::CursorLeft, "cursor left");
const RIGHT: Binding = bind(&[code(KeyCode::Right)], Action::CursorRight, "cursor right");
const HOME: Binding = bind(
    &[code(KeyCode::Home)],
    Action::CursorHome,
    "cursor to start",
);
const END: Binding = bind(&[code(KeyCode::End)], Action::CursorEnd, "cursor to end");

pub const FORM: &[Binding] = &[
    hinted(
        &[code(KeyCode::Enter)],
        Action::Confirm,
        "apply the form",
        "apply",
        None,
    ),
    hinted(
        &[code(KeyCode::Esc)],
        Action::Cancel,
        "close without applying",
        "cancel",
        None,
    ),
    hinted(
        &[code(KeyCode::Tab), code(KeyCode::Down)],
        Action::NextField,
        "next field",
        "field",
        None,
    ),
    bind(
        &[code(KeyCode::BackTab), code(KeyCode::Up)],
        Action::PreviousField,
        "previous field",
    ),
    hinted(
        &[key(' ')],
        Action::Type(' '),
        "flip yes/no and max/avg fields",
        "flip",
        None,
    ),
    BACKSPACE,
    DELETE,
    LEFT,
    RIGHT,
    HOME,
    END,
];

pub const PROMPT: &[Binding] = &[
    hinted(
        &[code(KeyCode::Enter)],
        Action::Confirm,
        "go ahead with this path",
        "ok",
        None,
    ),
    hinted(
        &[code(KeyCode::Esc)],
        Action::Cancel,
        "cancel",
        "cancel",
        None,
    ),
    bind(&[ctrl('u')], Action::ClearInput, "clear the path"),
    BACKSPACE,
    DELETE,
    LEFT,
    RIGHT,
    HOME,
    END,
];

pub const PICKER: &[Binding] = &[
    hinted(
        &[code(KeyCode::Down), key('j')],
        Action::SelectNext,
        "next entry",
        "move",
        None,
    ),
    bind(
        &[code(KeyCode::Up), key('k')],
        Action::SelectPrevious,
        "previous entry",
    ),
    hinted(
        &[code(KeyCode::Enter)],
        Action::Confirm,
        "take this one",
        "ok",
        None,
    ),
    hinted(
        &[code(KeyCode::Esc), key('q')],
        Action::Cancel,
        "close",
        "cancel",
        None,
    ),
];

pub const HELP: &[Binding] = &[
    bind(
        &[code(KeyCode::Down), key('j')],
        Action::SelectNext,
        "scroll down",
    ),
    bind(
        &[code(KeyCode::Up), key('k')],
        Action::SelectPrevious,
        "scroll up",
    ),
    hinted(
        &[code(KeyCode::Esc), key('?'), key('q')],
        Action::Cancel,
        "close the help",
        "close",
        None,
    ),
];

pub const CONFIRM_QUIT: &[Binding] = &[
    hinted(
        &[key('y')],
        Action::QuitWithoutSaving,
        "quit and lose the unsaved edits",
        "quit",
        None,
    ),
    hinted(&[key('s')], Action::PromptSave, "save first", "save", None),
    hinted(
        &[key('n'), code(KeyCode::Esc)],
        Action::Cancel,
        "stay",
        "stay",
        None,
    ),
];

/// The tables in the order the help shows them, with a heading each.
pub const SECTIONS: &[(&str, &[Binding])] = &[
    ("Structure and throughput panes", NORMAL),
    ("Edit form (Enter)", FORM),
    ("Path prompts (o, s, e)", PROMPT),
    ("Pickers (a, p)", PICKER),
    ("Quit with unsaved edits", CONFIRM_QUIT),
    ("Help", HELP),
];

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
