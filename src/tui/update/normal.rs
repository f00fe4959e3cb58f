//! What actions mean in the Normal mode, where the structure and throughput panes have the keys.

use crate::tui::action::{Action, Command};
use crate::tui::app::{AfterDiscard, App, MeasuredView, Mode, Pane, PromptPurpose, Weight};
use crate::tui::input::{EditForm, default_choice};

use super::document::{measure, redo, undo};
use super::navigate::{follow_throughput_selection, move_selection, page};
use super::{reading, structure};

/// What `r` says while it runs; the report that ends the run replaces it.
pub const REMEASURING: &str = "Measuring the 1×1 layers again";

pub fn update(app: &mut App, action: Action) -> Vec<Command> {
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
            app.cursor.focus = match app.cursor.focus {
                Pane::Structure if !app.pointwise().is_empty() => Pane::Throughput,
                _ => Pane::Structure,
            };
            if app.cursor.focus == Pane::Throughput {
                follow_throughput_selection(app);
            }
        }
        Action::ToggleFold => reading::toggle_fold(app),
        Action::FoldAll => reading::fold_all(app, true),
        Action::UnfoldAll => reading::fold_all(app, false),
        Action::Search => reading::start_search(app),
        Action::SearchNext => reading::search_again(app, true),
        Action::SearchPrevious => reading::search_again(app, false),
        Action::ToggleDetail => app.show_detail = !app.show_detail,
        Action::ToggleCounterpart => toggle_counterpart(app),
        Action::ShowHeaviest => {
            app.mode = Mode::Heaviest {
                selected: 0,
                by: Weight::Macs,
            };
        }
        Action::PromptInputShape => reading::prompt_input_shape(app),
        Action::PromptCompare => app.mode = Mode::prompt(PromptPurpose::Compare, String::new()),
        Action::OpenEditor => open_editor(app),
        Action::WidenLayer => return structure::step_width(app, true),
        Action::NarrowLayer => return structure::step_width(app, false),
        Action::ChooseLayerToAdd => {
            let after = app
                .selected_node_path()
                .and_then(|path| app.block().node(path));
            app.mode = Mode::AddLayer {
                selected: default_choice(after),
            };
        }
        Action::DeleteSelected => return structure::delete(app),
        Action::AddBranch => return structure::add_branch(app),
        Action::ToggleBypass => return structure::toggle_bypass(app),
        Action::Undo => return undo(app),
        Action::Redo => return redo(app),
        // Another block would replace these edits: ask first, as quitting does.
        Action::ChoosePreset if app.is_modified() => {
            app.mode = Mode::ConfirmDiscard {
                then: AfterDiscard::PresetPicker,
            };
        }
        Action::PromptOpen if app.is_modified() => {
            app.mode = Mode::ConfirmDiscard {
                then: AfterDiscard::OpenPrompt,
            };
        }
        Action::ChoosePreset => app.mode = Mode::PresetPicker { selected: 0 },
        Action::PromptOpen => app.mode = Mode::prompt(PromptPurpose::Open, String::new()),
        Action::PromptSave => {
            let path = app.document.default_save_path().display().to_string();
            app.mode = Mode::prompt(PromptPurpose::Save, path);
        }
        Action::PromptExport => match app.error() {
            None => {
                let path = app.document.default_export_path().display().to_string();
                app.mode = Mode::prompt(PromptPurpose::Export, path);
            }
            Some(error) => {
                let text = format!("Nothing to export while the block does not fit: {error}");
                app.complain(text);
            }
        },
        Action::Remeasure => {
            app.measurements.forget_results();
            app.inform(REMEASURING);
            return measure(app);
        }
        Action::ToggleMeasuredView => {
            app.measured_view = match app.measured_view {
                MeasuredView::Pointwise => MeasuredView::Whole,
                MeasuredView::Whole => MeasuredView::Pointwise,
            };
        }
        Action::ShowHelp => app.mode = Mode::Help { scroll: 0 },
        Action::Quit if app.is_modified() => app.mode = Mode::ConfirmQuit,
        Action::Quit | Action::QuitWithoutSaving => return vec![Command::Quit],
        _ => {}
    }
    Vec::new()
}

fn toggle_counterpart(app: &mut App) {
    app.show_counterpart = !app.show_counterpart;
    let text = match (app.show_counterpart, app.figures()) {
        (false, _) => "Showing the block as edited",
        (true, Some((summary, _))) if summary.counterpart.is_err() => {
            "The counterpart does not fit; showing the block (c goes back)"
        }
        (true, _) => {
            "Showing the counterpart without 1×1 convolutions: dropped rows struck, rewritten ones marked (c goes back)"
        }
    };
    app.inform(text);
}

fn open_editor(app: &mut App) {
    let Some(path) = app.selected_node_path().cloned() else {
        app.complain("Enter edits a layer; select a layer, or a concat or residual to rename it");
        return;
    };
    if let Some(node) = app.block().node(&path) {
        app.mode = Mode::Edit(EditForm::for_node(&path, node));
    }
}
