//! `update(&mut App, Action) -> Vec<Command>`: the one place state changes. Reports from the
//! event loop are taken first, then the mode decides what a key's action means; overlays are
//! handled in `update_overlay.rs`. Nothing here touches a terminal, a file or a thread, so every
//! key's effect is a plain unit test.

use crate::analysis::Row;
use crate::model::Block;

use super::action::{Action, Command};
use super::app::{App, Mode, Origin, Pane, PromptPurpose};
use super::form::EditForm;
use super::new_layer::default_choice;
use super::outline::Target;
use super::text_input::TextInput;
use super::view::layout;
use super::{update_edit, update_overlay};

pub fn update(app: &mut App, action: Action) -> Vec<Command> {
    match action {
        Action::Resized { width, height } => {
            app.size = (width, height);
            keep_visible(app);
            Vec::new()
        }
        Action::Ticked => {
            app.spinner = app.spinner.wrapping_add(1);
            Vec::new()
        }
        Action::EngineReported(event) => {
            let wanted = |shape| {
                app.pointwise
                    .iter()
                    .any(|layer| super::throughput::shape_of(layer) == Ok(shape))
            };
            let mut throughput = std::mem::take(&mut app.throughput);
            throughput.record(event, wanted);
            app.throughput = throughput;
            Vec::new()
        }
        Action::Saved(path) => saved(app, path),
        Action::Exported(path) => {
            app.mode = Mode::Normal;
            app.inform(format!("Exported the summary to {}", path.display()));
            Vec::new()
        }
        Action::Opened { block, path } => {
            app.mode = Mode::Normal;
            let note = format!("Opened {} (u undoes)", path.display());
            let commands = replace_document(app, block, Origin::File(path));
            app.inform(note);
            commands
        }
        Action::CommandFailed(text) => {
            // A failed save keeps its prompt open for a retry, and "save first, then quit" still
            // holds for it; cancelling the prompt is what gives up on quitting.
            if !matches!(
                app.mode,
                Mode::Prompt {
                    purpose: PromptPurpose::Save,
                    ..
                }
            ) {
                app.quit_after_save = false;
            }
            app.complain(text);
            Vec::new()
        }
        action if app.mode == Mode::Normal => normal(app, action),
        action => update_overlay::update(app, action),
    }
}

fn normal(app: &mut App, action: Action) -> Vec<Command> {
    // A message answers the key before; the next key starts afresh.
    app.message = None;
    match action {
        Action::SelectNext => move_selection(app, 1),
        Action::SelectPrevious => move_selection(app, -1),
        Action::SelectFirst => move_selection(app, isize::MIN / 2),
        Action::SelectLast => move_selection(app, isize::MAX / 2),
        Action::PageDown => move_selection(app, page(app)),
        Action::PageUp => move_selection(app, -page(app)),
        Action::FocusNext => {
            app.focus = match app.focus {
                Pane::Structure if !app.pointwise.is_empty() => Pane::Throughput,
                _ => Pane::Structure,
            };
            if app.focus == Pane::Throughput {
                follow_throughput_selection(app);
            }
        }
        Action::OpenEditor => open_editor(app),
        Action::WidenLayer => return update_edit::step_width(app, true),
        Action::NarrowLayer => return update_edit::step_width(app, false),
        Action::ChooseLayerToAdd => {
            let after = app
                .selected_node_path()
                .and_then(|path| app.block.node(path));
            app.mode = Mode::AddLayer {
                selected: default_choice(after),
            };
        }
        Action::DeleteSelected => return update_edit::delete(app),
        Action::AddBranch => return update_edit::add_branch(app),
        Action::ToggleBypass => return update_edit::toggle_bypass(app),
        Action::Undo => return undo(app),
        Action::Redo => return redo(app),
        Action::ChoosePreset => app.mode = Mode::PresetPicker { selected: 0 },
        Action::PromptOpen => prompt(app, PromptPurpose::Open, String::new()),
        Action::PromptSave => {
            let path = app.default_save_path().display().to_string();
            prompt(app, PromptPurpose::Save, path);
        }
        Action::PromptExport => match (&app.summary, &app.error) {
            (Some(_), _) => {
                let path = app.default_export_path().display().to_string();
                prompt(app, PromptPurpose::Export, path);
            }
            (None, error) => app.complain(format!(
                "Nothing to export while the block does not fit: {}",
                error.as_ref().map_or_else(String::new, ToString::to_string)
            )),
        },
        Action::Remeasure => {
            app.throughput.forget_results();
            app.inform("Measuring the 1×1 layers again");
            return measure(app);
        }
        Action::ShowHelp => app.mode = Mode::Help { scroll: 0 },
        Action::Quit if app.is_modified() => app.mode = Mode::ConfirmQuit,
        Action::Quit | Action::QuitWithoutSaving => return vec![Command::Quit],
        _ => {}
    }
    Vec::new()
}

pub(super) fn prompt(app: &mut App, purpose: PromptPurpose, text: String) {
    app.mode = Mode::Prompt {
        purpose,
        input: TextInput::new(text),
    };
}

fn page(app: &App) -> isize {
    layout::structure_rows(app.size, app.error.is_some()).max(2) as isize - 1
}

fn move_selection(app: &mut App, by: isize) {
    match app.focus {
        Pane::Structure => {
            let last = app.outline.len().saturating_sub(1);
            app.selected = app.selected.saturating_add_signed(by).min(last);
            keep_visible(app);
        }
        Pane::Throughput => {
            let last = app.pointwise.len().saturating_sub(1);
            app.throughput_selected = app.throughput_selected.saturating_add_signed(by).min(last);
            follow_throughput_selection(app);
        }
    }
}

/// In the throughput pane, the structure selection follows the selected 1×1 layer.
fn follow_throughput_selection(app: &mut App) {
    if let Some(layer) = app.pointwise.get(app.throughput_selected) {
        let target = Target::Node(layer.path.clone());
        if let Some(index) = app.outline.iter().position(|row| row.target == target) {
            app.selected = index;
            keep_visible(app);
        }
    }
}

/// Scrolls the structure pane so the selection is on screen.
pub(super) fn keep_visible(app: &mut App) {
    let rows = layout::structure_rows(app.size, app.error.is_some()).max(1);
    if app.selected < app.scroll {
        app.scroll = app.selected;
    } else if app.selected >= app.scroll + rows {
        app.scroll = app.selected + 1 - rows;
    }
    app.scroll = app.scroll.min(app.outline.len().saturating_sub(rows));
}

fn open_editor(app: &mut App) {
    let Some(path) = app.selected_node_path().cloned() else {
        app.complain("Enter edits a layer; select a layer, or a concat or residual to rename it");
        return;
    };
    if let Some(node) = app.block.node(&path) {
        app.mode = Mode::Edit(EditForm::for_node(&path, node));
    }
}

/// Applies `edit` to a copy of the block; if it changed anything, the old document goes on the
/// undo stack, everything is recomputed and changed 1×1 shapes are measured.
pub(super) fn edit_block(
    app: &mut App,
    edit: impl FnOnce(&mut Block) -> Result<Option<Target>, String>,
) -> Vec<Command> {
    let mut block = app.block.clone();
    match edit(&mut block) {
        Err(text) => {
            app.complain(text);
            Vec::new()
        }
        Ok(_) if block == app.block => Vec::new(),
        Ok(select) => {
            app.undo.push(app.snapshot());
            app.redo.clear();
            app.block = block;
            after_change(app, select.as_ref())
        }
    }
}

fn after_change(app: &mut App, select: Option<&Target>) -> Vec<Command> {
    app.reanalyse();
    if let Some(index) = select.and_then(|t| app.outline.iter().position(|r| &r.target == t)) {
        app.selected = index;
    }
    keep_visible(app);
    measure(app)
}

fn measure(app: &mut App) -> Vec<Command> {
    if app.summary.is_none() {
        return Vec::new();
    }
    app.throughput
        .plan(&app.pointwise)
        .map(Command::Measure)
        .into_iter()
        .collect()
}

/// Opens another block in place of this one; undo brings this one back.
pub(super) fn replace_document(app: &mut App, block: Block, origin: Origin) -> Vec<Command> {
    app.undo.push(app.snapshot());
    app.redo.clear();
    app.saved = block.clone();
    app.block = block;
    app.origin = origin;
    app.selected = 0;
    app.scroll = 0;
    app.throughput_selected = 0;
    after_change(app, None)
}

fn restore(app: &mut App, snapshot: super::app::Snapshot) -> Vec<Command> {
    app.block = snapshot.block;
    app.origin = snapshot.origin;
    app.saved = snapshot.saved;
    app.selected = snapshot.selected;
    after_change(app, None)
}

fn undo(app: &mut App) -> Vec<Command> {
    let Some(snapshot) = app.undo.pop() else {
        app.inform("Nothing to undo");
        return Vec::new();
    };
    app.redo.push(app.snapshot());
    app.inform(format!("Undone ({} more)", app.undo.len()));
    restore(app, snapshot)
}

fn redo(app: &mut App) -> Vec<Command> {
    let Some(snapshot) = app.redo.pop() else {
        app.inform("Nothing to redo");
        return Vec::new();
    };
    app.undo.push(app.snapshot());
    app.inform(format!("Redone ({} more)", app.redo.len()));
    restore(app, snapshot)
}

fn saved(app: &mut App, path: std::path::PathBuf) -> Vec<Command> {
    app.mode = Mode::Normal;
    app.saved = app.block.clone();
    app.origin = Origin::File(path.clone());
    app.inform(format!("Saved to {}", path.display()));
    if std::mem::take(&mut app.quit_after_save) {
        return vec![Command::Quit];
    }
    Vec::new()
}

/// The channel count where something is inserted at `target`: what flows there.
pub(super) fn width_at(app: &App, target: Option<&Target>) -> usize {
    let fallback = app.block.input.c;
    let (Some((summary, _)), Some(target)) = (app.figures(), target) else {
        return fallback;
    };
    let rows = &summary.block.rows;
    let found = match target {
        Target::Node(path) => rows.iter().find(|r| r.path() == path).map(|r| match r {
            Row::Layer(layer) => layer.output.c,
            Row::Group(group) => group.output.c,
        }),
        Target::Chain { owner, .. } => {
            rows.iter()
                .find(|r| r.path() == owner)
                .and_then(|r| match r {
                    Row::Group(group) => Some(group.input.c),
                    Row::Layer(_) => None,
                })
        }
    };
    found.unwrap_or(fallback)
}

/// The commands to run when the app starts: measure the block's 1×1 layers.
pub fn start(app: &mut App) -> Vec<Command> {
    measure(app)
}
