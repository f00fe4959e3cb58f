//! What actions mean while an overlay has the keys: the edit form, the path prompts, the
//! add-layer and preset pickers, the help and the quit confirmation.

use std::path::{Path, PathBuf};

use crate::preset::{self, BUILTINS};
use crate::tui::action::{Action, Command};
use crate::tui::app::{AfterDiscard, App, Mode, Origin, PromptPurpose};
use crate::tui::input::{CHOICES, EditForm, TextInput, complete};
use crate::tui::keys::help_line_count;
use crate::tui::layout;

use super::document::{Edited, edit_block, node_label, replace};
use super::reading;
use super::structure::add_layer;

pub fn update(app: &mut App, action: Action) -> Vec<Command> {
    let mode = std::mem::replace(&mut app.mode, Mode::Normal);
    match mode {
        Mode::Normal => Vec::new(),
        Mode::Help { scroll } => {
            app.mode = match action {
                Action::SelectNext => Mode::Help {
                    scroll: scroll.saturating_add(1).min(max_help_scroll(app)),
                },
                Action::SelectPrevious => Mode::Help {
                    scroll: scroll.saturating_sub(1),
                },
                Action::Cancel => Mode::Normal,
                _ => Mode::Help { scroll },
            };
            Vec::new()
        }
        Mode::ConfirmQuit => match action {
            Action::QuitWithoutSaving => vec![Command::Quit],
            Action::PromptSave => {
                app.quit_after_save = true;
                let path = app.document.default_save_path().display().to_string();
                app.mode = Mode::prompt(PromptPurpose::Save, path);
                Vec::new()
            }
            Action::Cancel => Vec::new(),
            _ => {
                app.mode = Mode::ConfirmQuit;
                Vec::new()
            }
        },
        Mode::ConfirmDiscard { then } => {
            match action {
                Action::Discard => {
                    app.mode = match then {
                        AfterDiscard::OpenPrompt => {
                            Mode::prompt(PromptPurpose::Open, String::new())
                        }
                        AfterDiscard::PresetPicker => Mode::PresetPicker { selected: 0 },
                    };
                }
                Action::PromptSave => {
                    let path = app.document.default_save_path().display().to_string();
                    app.mode = Mode::prompt(PromptPurpose::Save, path);
                }
                Action::Cancel => {}
                _ => app.mode = Mode::ConfirmDiscard { then },
            }
            Vec::new()
        }
        Mode::ConfirmOverwrite { purpose, path } => match action {
            Action::Overwrite => {
                let text = path.display().to_string();
                app.mode = Mode::prompt(purpose, text);
                vec![match purpose {
                    PromptPurpose::Export => Command::Export(path),
                    _ => Command::Save(path),
                }]
            }
            Action::Cancel => {
                app.mode = Mode::prompt(purpose, path.display().to_string());
                Vec::new()
            }
            _ => {
                app.mode = Mode::ConfirmOverwrite { purpose, path };
                Vec::new()
            }
        },
        Mode::OfferRecovery { block, path, age } => match action {
            Action::Recover => {
                let commands = edit_block(app, |b| {
                    *b = block;
                    Ok(Edited::new(format!("recover the edits kept from {age}")))
                });
                app.inform(format!(
                    "Recovered the unsaved edits from {age}; s saves them, u undoes them"
                ));
                commands
            }
            Action::Discard => vec![Command::DiscardRecovery(path)],
            Action::Cancel => {
                app.recovery_deferred = true;
                app.inform(format!(
                    "The kept edits stay in {} for the next start (this session keeps none)",
                    path.display()
                ));
                Vec::new()
            }
            _ => {
                app.mode = Mode::OfferRecovery { block, path, age };
                Vec::new()
            }
        },
        Mode::AddLayer { selected } => pick(
            app,
            action,
            selected,
            CHOICES.len(),
            |app, i| {
                app.mode = Mode::AddLayer { selected: i };
            },
            add_layer,
        ),
        Mode::PresetPicker { selected } => pick(
            app,
            action,
            selected,
            BUILTINS.len(),
            |app, i| {
                app.mode = Mode::PresetPicker { selected: i };
            },
            open_preset,
        ),
        Mode::Prompt { purpose, input } => prompt_key(app, action, purpose, input),
        Mode::Heaviest { selected, by } => reading::heaviest_key(app, action, selected, by),
        Mode::Edit(form) => form_key(app, action, form),
    }
}

/// A list picker: move, take the entry, or close.
fn pick(
    app: &mut App,
    action: Action,
    selected: usize,
    len: usize,
    stay: fn(&mut App, usize),
    take: fn(&mut App, usize) -> Vec<Command>,
) -> Vec<Command> {
    match action {
        Action::SelectNext => stay(app, (selected + 1).min(len.saturating_sub(1))),
        Action::SelectPrevious => stay(app, selected.saturating_sub(1)),
        Action::Confirm => return take(app, selected),
        Action::Cancel => {}
        _ => stay(app, selected),
    }
    Vec::new()
}

/// How far the help can scroll at the app's terminal size.
fn max_help_scroll(app: &App) -> u16 {
    let total = help_line_count();
    let area = ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1);
    let visible = layout::help_area(area, total).height.saturating_sub(2);
    u16::try_from(total)
        .unwrap_or(u16::MAX)
        .saturating_sub(visible)
}

fn open_preset(app: &mut App, index: usize) -> Vec<Command> {
    let Some(builtin) = BUILTINS.get(index) else {
        return Vec::new();
    };
    match preset::builtin(builtin.name) {
        Ok(block) => {
            let commands = replace(app, block, Origin::Preset(builtin.name.into()));
            app.inform(format!("Opened preset {} (u undoes)", builtin.name));
            commands
        }
        Err(error) => {
            app.complain(error.to_string());
            Vec::new()
        }
    }
}

fn edit_text(input: &mut TextInput, action: &Action) -> bool {
    match action {
        Action::Type(c) => input.insert(*c),
        Action::Backspace => input.backspace(),
        Action::DeleteForward => input.delete(),
        Action::CursorLeft => input.left(),
        Action::CursorRight => input.right(),
        Action::CursorHome => input.home(),
        Action::CursorEnd => input.end(),
        Action::ClearInput => input.delete_to_start(),
        _ => return false,
    }
    true
}

fn prompt_key(
    app: &mut App,
    action: Action,
    purpose: PromptPurpose,
    mut input: TextInput,
) -> Vec<Command> {
    // What Tab found answers that key only.
    app.completion = None;
    if action == Action::CompletePath && purpose.takes_path() {
        let base = app.cwd.clone().unwrap_or_else(|| PathBuf::from("."));
        let done = complete(input.text(), &base, app.home.as_deref());
        input = TextInput::new(done.text);
        app.completion = (!done.note.is_empty()).then_some(done.note);
        app.mode = Mode::Prompt { purpose, input };
        return Vec::new();
    }
    if edit_text(&mut input, &action) {
        if purpose == PromptPurpose::Search {
            reading::search_as_typed(app, input.text());
        }
        app.mode = Mode::Prompt { purpose, input };
        return Vec::new();
    }
    match (purpose, &action) {
        (PromptPurpose::Search, Action::Confirm) => {
            reading::end_search(app, Some(input.text()));
            return Vec::new();
        }
        (PromptPurpose::Search, Action::Cancel) => {
            reading::end_search(app, None);
            return Vec::new();
        }
        (PromptPurpose::Compare, Action::Confirm) => {
            return reading::compare_with(app, input.text().trim());
        }
        (PromptPurpose::InputShape, Action::Confirm) => {
            return match reading::set_input_shape(app, input.text()) {
                Ok(commands) => commands,
                Err(text) => {
                    app.complain(text);
                    app.mode = Mode::Prompt { purpose, input };
                    Vec::new()
                }
            };
        }
        _ => {}
    }
    match action {
        Action::Cancel => {
            app.quit_after_save = false;
            Vec::new()
        }
        Action::Confirm if input.text().trim().is_empty() => {
            app.complain("Type a path first (Esc cancels)");
            app.mode = Mode::Prompt { purpose, input };
            Vec::new()
        }
        Action::Confirm
            if matches!(purpose, PromptPurpose::Save | PromptPurpose::Export)
                && replaces_another_file(app, purpose, Path::new(input.text().trim())) =>
        {
            app.mode = Mode::ConfirmOverwrite {
                purpose,
                path: PathBuf::from(input.text().trim()),
            };
            Vec::new()
        }
        Action::Confirm => {
            let path = PathBuf::from(input.text().trim());
            // The prompt stays open until the loop reports success, so a failed write can be
            // retried with another path.
            app.mode = Mode::Prompt { purpose, input };
            match purpose {
                PromptPurpose::Open => vec![Command::Open(path)],
                PromptPurpose::Save => vec![Command::Save(path)],
                PromptPurpose::Export => vec![Command::Export(path)],
                // Taken above.
                PromptPurpose::Search | PromptPurpose::InputShape | PromptPurpose::Compare => {
                    Vec::new()
                }
            }
        }
        _ => {
            app.mode = Mode::Prompt { purpose, input };
            Vec::new()
        }
    }
}

/// Whether writing to `path` would replace a file other than the one the document came from
/// (saving back to it is what `s` is for; an export always asks before replacing).
fn replaces_another_file(app: &App, purpose: PromptPurpose, path: &Path) -> bool {
    if !path.exists() {
        return false;
    }
    let own = match (purpose, app.document.origin()) {
        (PromptPurpose::Save, Origin::File(opened)) => Some(opened),
        _ => None,
    };
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    !own.is_some_and(|opened| same(opened, path))
}

fn form_key(app: &mut App, action: Action, mut form: EditForm) -> Vec<Command> {
    match action {
        Action::Type(' ') => form.toggle_or_type_space(),
        Action::NextField => form.next_field(true),
        Action::PreviousField => form.next_field(false),
        Action::Cancel => return Vec::new(),
        Action::Confirm => {
            let Some(node) = app.block().node(&form.path).cloned() else {
                return Vec::new();
            };
            match form.apply_to(&node) {
                Ok(changed) => {
                    let path = form.path.clone();
                    let what = format!(
                        "edit {}: {}",
                        node_label(app.block(), &path),
                        form.changes(&node)
                    );
                    return edit_block(app, |block| {
                        if let Some(slot) = block.node_mut(&path) {
                            *slot = changed;
                        }
                        Ok(Edited::new(what).changing(path.clone()))
                    });
                }
                Err(error) => form.error = Some(error),
            }
        }
        other => {
            if let Some(field) = form.focused_field() {
                edit_text(&mut field.input, &other);
            }
        }
    }
    app.mode = Mode::Edit(form);
    Vec::new()
}
