//! `update(&mut App, Action) -> Vec<Command>`: the one place state changes. Reports from the
//! event loop are taken first, then the mode decides what a key's action means: `normal.rs` for
//! the panes, `overlay.rs` for the dialogs. Edits of the document go through `document.rs`,
//! structural ones through `structure.rs`, moves through `navigate.rs`. Nothing here touches a
//! terminal, a file or a thread, so every key's effect is a plain unit test.

mod document;
mod navigate;
mod normal;
mod overlay;
mod reading;
mod structure;

use crate::measure::EngineEvent;
use crate::model::Block;

use super::action::{Action, Command};
use super::app::{App, Mode, Origin, PromptPurpose};

pub fn update(app: &mut App, action: Action) -> Vec<Command> {
    match action {
        Action::Resized { width, height } => {
            app.size = (width, height);
            navigate::keep_visible(app);
            Vec::new()
        }
        Action::Ticked => {
            app.spinner = app.spinner.wrapping_add(1);
            Vec::new()
        }
        Action::EngineReported(event) => {
            if let EngineEvent::EngineDescribed {
                build_note: Some(note),
                ..
            } = &event
                && app.message.is_none()
            {
                app.inform(note.clone());
            }
            let finished = matches!(event, EngineEvent::EngineFinished { .. });
            app.record_measurement(event);
            // "Measuring … again" ends with the run it announced.
            let announced = app
                .message
                .as_ref()
                .is_some_and(|m| m.text == normal::REMEASURING);
            if finished && !app.measurements.running && announced {
                app.inform("Measured the 1×1 layers again");
            }
            Vec::new()
        }
        Action::Saved(path) => document::saved(app, &path),
        Action::Exported(path) => {
            app.mode = Mode::Normal;
            app.inform(format!("Exported the summary to {}", path.display()));
            Vec::new()
        }
        Action::Opened { block, path } => open(app, block, path),
        Action::RecoveryDiscarded(path) => {
            app.inform(format!("Discarded the kept edits ({})", path.display()));
            Vec::new()
        }
        Action::CompareLoaded { block, label } => {
            reading::compared(app, &block, &label);
            Vec::new()
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
        action if app.mode == Mode::Normal => normal::update(app, action),
        action => overlay::update(app, action),
    }
}

fn open(app: &mut App, block: Block, path: std::path::PathBuf) -> Vec<Command> {
    app.mode = Mode::Normal;
    let note = format!("Opened {} (u undoes)", path.display());
    let commands = document::replace(app, block, Origin::File(path));
    app.inform(note);
    commands
}

/// The commands to run when the app starts: measure the block's 1×1 layers.
pub fn start(app: &mut App) -> Vec<Command> {
    document::measure(app)
}
