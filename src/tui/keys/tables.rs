//! The key tables themselves: for each mode, which keys do what, with the help text and the
//! status-bar word, and when each key applies. `dispatch.rs` dispatches from them.

use ratatui::crossterm::event::KeyCode;

use crate::model::edit::enclosing_concat;
use crate::tui::action::Action;
use crate::tui::app::{App, Pane};

use super::binding::{Binding, bind, code, ctrl, hinted, key};

fn selected_layer_kind(app: &App) -> Option<&crate::model::LayerKind> {
    app.block()
        .layer(app.selected_node_path()?)
        .map(|layer| &layer.kind)
}

fn on_width(app: &App) -> bool {
    use crate::model::LayerKind::{Conv, FullyConnected};
    matches!(selected_layer_kind(app), Some(Conv(_) | FullyConnected(_)))
}

/// On a 1×1 conv, or on any layer with a bypass flag to clear.
fn on_bypassable(app: &App) -> bool {
    app.selected_node_path()
        .and_then(|path| app.block().layer(path))
        .is_some_and(|layer| layer.is_pointwise_conv() || layer.bypassed)
}

fn in_concat(app: &App) -> bool {
    app.selected_target()
        .and_then(|t| enclosing_concat(app.block(), t))
        .is_some()
}

fn can_undo(app: &App) -> bool {
    app.document.undo_len() > 0
}

fn can_redo(app: &App) -> bool {
    app.document.redo_len() > 0
}

fn has_selection(app: &App) -> bool {
    app.selected_target().is_some()
}

fn completes_paths(app: &App) -> bool {
    matches!(&app.mode, crate::tui::app::Mode::Prompt { purpose, .. } if purpose.takes_path())
}

fn structure_focused(app: &App) -> bool {
    app.cursor.focus == Pane::Structure
}

#[rustfmt::skip]
pub const NORMAL: &[Binding] = &[
    bind(&[code(KeyCode::Down), key('j')], Action::SelectNext, "next layer (or next 1×1 in the throughput pane)"),
    bind(&[code(KeyCode::Up), key('k')], Action::SelectPrevious, "previous layer"),
    bind(&[code(KeyCode::Home), key('g')], Action::SelectFirst, "first row"),
    bind(&[code(KeyCode::End), key('G')], Action::SelectLast, "last row"),
    bind(&[code(KeyCode::PageDown), code(KeyCode::Right), key('l')], Action::PageDown, "a page down"),
    bind(&[code(KeyCode::PageUp), code(KeyCode::Left), key('h')], Action::PageUp, "a page up"),
    hinted(&[code(KeyCode::Tab), code(KeyCode::BackTab)], Action::FocusNext, "switch pane: structure ⇄ throughput", "pane", None),
    hinted(&[key(' ')], Action::ToggleFold, "fold/unfold the concat or residual around here", "fold", Some(structure_focused)),
    bind(&[key('z')], Action::FoldAll, "fold every concat and residual"),
    bind(&[key('Z')], Action::UnfoldAll, "unfold everything"),
    hinted(&[key('/')], Action::Search, "find a layer by name", "find", None),
    bind(&[key('n')], Action::SearchNext, "next layer the search finds"),
    bind(&[key('N')], Action::SearchPrevious, "previous layer the search finds"),
    hinted(&[key('i')], Action::ToggleDetail, "detail pane: arithmetic, shapes, receptive field", "detail", None),
    bind(&[key('c')], Action::ToggleCounterpart, "the counterpart's rows (without 1×1) ⇄ the block's"),
    bind(&[key('w')], Action::ShowHeaviest, "the heaviest layers, by MACs or parameters"),
    bind(&[key('I')], Action::PromptInputShape, "change the input shape (C,H,W)"),
    bind(&[key('C')], Action::PromptCompare, "compare with another model (a file or a preset)"),
    hinted(&[code(KeyCode::Enter)], Action::OpenEditor, "edit the selected layer's fields", "edit", Some(has_selection)),
    hinted(&[key('+'), key('=')], Action::WidenLayer, "widen the selected conv/fc by 8 (by 1 below 8)", "width", Some(on_width)),
    bind(&[key('-'), key('_')], Action::NarrowLayer, "narrow the selected conv/fc by 8 (by 1 below 8)"),
    hinted(&[key('a')], Action::ChooseLayerToAdd, "add a layer after the selection", "add", Some(structure_focused)),
    hinted(&[key('d'), code(KeyCode::Delete)], Action::DeleteSelected, "delete the selected layer, branch or shortcut", "del", Some(has_selection)),
    hinted(&[key('b')], Action::AddBranch, "add a branch to the enclosing concat", "branch", Some(in_concat)),
    hinted(&[key('x')], Action::ToggleBypass, "bypass the selected 1×1 conv, or restore it", "bypass", Some(on_bypassable)),
    hinted(&[key('u')], Action::Undo, "undo", "undo", Some(can_undo)),
    hinted(&[ctrl('r')], Action::Redo, "redo", "redo", Some(can_redo)),
    hinted(&[key('p')], Action::ChoosePreset, "open a preset", "preset", None),
    bind(&[key('o')], Action::PromptOpen, "open a block file"),
    hinted(&[key('s')], Action::PromptSave, "save the block as JSON", "save", None),
    hinted(&[key('e')], Action::PromptExport, "export the JSON summary with throughput", "export", None),
    bind(&[key('r')], Action::Remeasure, "measure the 1×1 layers and the whole block again"),
    hinted(&[key('m')], Action::ToggleMeasuredView, "throughput pane: 1×1 layers ⇄ whole block, measured", "measured", None),
    hinted(&[key('?')], Action::ShowHelp, "this help", "help", None),
    hinted(&[key('q')], Action::Quit, "quit (asks first if there are unsaved edits)", "quit", None),
    bind(&[ctrl('c')], Action::Quit, "quit (asks first if there are unsaved edits)"),
];

#[rustfmt::skip]
const BACKSPACE: Binding = bind(&[code(KeyCode::Backspace)], Action::Backspace, "delete before the cursor");
#[rustfmt::skip]
const DELETE: Binding = bind(&[code(KeyCode::Delete)], Action::DeleteForward, "delete at the cursor");
#[rustfmt::skip]
const LEFT: Binding = bind(&[code(KeyCode::Left)], Action::CursorLeft, "cursor left");
#[rustfmt::skip]
const RIGHT: Binding = bind(&[code(KeyCode::Right)], Action::CursorRight, "cursor right");
#[rustfmt::skip]
const HOME: Binding = bind(&[code(KeyCode::Home)], Action::CursorHome, "cursor to start");
#[rustfmt::skip]
const END: Binding = bind(&[code(KeyCode::End)], Action::CursorEnd, "cursor to end");
#[rustfmt::skip]
const CLEAR: Binding = bind(&[ctrl('u')], Action::ClearInput, "delete to the start of the line");

#[rustfmt::skip]
pub const FORM: &[Binding] = &[
    hinted(&[code(KeyCode::Enter)], Action::Confirm, "apply the form", "apply", None),
    hinted(&[code(KeyCode::Esc), ctrl('c')], Action::Cancel, "close without applying", "cancel", None),
    hinted(&[code(KeyCode::Tab), code(KeyCode::Down)], Action::NextField, "next field", "field", None),
    bind(&[code(KeyCode::BackTab), code(KeyCode::Up)], Action::PreviousField, "previous field"),
    hinted(&[key(' ')], Action::Type(' '), "flip yes/no and max/avg fields", "flip", None),
    BACKSPACE,
    DELETE,
    LEFT,
    RIGHT,
    HOME,
    END,
    CLEAR,
];

#[rustfmt::skip]
pub const PROMPT: &[Binding] = &[
    hinted(&[code(KeyCode::Enter)], Action::Confirm, "go ahead with this path", "ok", None),
    hinted(&[code(KeyCode::Esc), ctrl('c')], Action::Cancel, "cancel", "cancel", None),
    hinted(&[code(KeyCode::Tab)], Action::CompletePath, "complete the path (several: what they share, and a few listed)", "complete", Some(completes_paths)),
    CLEAR,
    BACKSPACE,
    DELETE,
    LEFT,
    RIGHT,
    HOME,
    END,
];

#[rustfmt::skip]
pub const PICKER: &[Binding] = &[
    hinted(&[code(KeyCode::Down), key('j')], Action::SelectNext, "next entry", "move", None),
    bind(&[code(KeyCode::Up), key('k')], Action::SelectPrevious, "previous entry"),
    hinted(&[code(KeyCode::Enter)], Action::Confirm, "take this one", "ok", None),
    hinted(&[code(KeyCode::Esc), key('q'), ctrl('c')], Action::Cancel, "close", "cancel", None),
];

#[rustfmt::skip]
pub const HEAVIEST: &[Binding] = &[
    hinted(&[code(KeyCode::Down), key('j')], Action::SelectNext, "next layer", "move", None),
    bind(&[code(KeyCode::Up), key('k')], Action::SelectPrevious, "previous layer"),
    hinted(&[code(KeyCode::Tab)], Action::FocusNext, "weigh by MACs ⇄ by parameters", "by", None),
    hinted(&[code(KeyCode::Enter)], Action::Confirm, "go to this layer", "go", None),
    hinted(&[code(KeyCode::Esc), key('q'), key('w'), ctrl('c')], Action::Cancel, "close", "close", None),
];

#[rustfmt::skip]
pub const HELP: &[Binding] = &[
    bind(&[code(KeyCode::Down), key('j')], Action::SelectNext, "scroll down"),
    bind(&[code(KeyCode::Up), key('k')], Action::SelectPrevious, "scroll up"),
    hinted(&[code(KeyCode::Esc), key('?'), key('q'), ctrl('c')], Action::Cancel, "close the help", "close", None),
];

#[rustfmt::skip]
pub const CONFIRM_QUIT: &[Binding] = &[
    hinted(&[key('y'), ctrl('c')], Action::QuitWithoutSaving, "quit and lose the unsaved edits", "quit", None),
    hinted(&[key('s')], Action::PromptSave, "save first", "save", None),
    hinted(&[key('n'), code(KeyCode::Esc)], Action::Cancel, "stay", "stay", None),
];

#[rustfmt::skip]
pub const CONFIRM_DISCARD: &[Binding] = &[
    hinted(&[key('y'), key('d')], Action::Discard, "let the unsaved edits go and open another block", "discard", None),
    hinted(&[key('s')], Action::PromptSave, "save them first", "save", None),
    hinted(&[key('n'), code(KeyCode::Esc), ctrl('c')], Action::Cancel, "stay with the edits", "stay", None),
];

#[rustfmt::skip]
pub const CONFIRM_OVERWRITE: &[Binding] = &[
    hinted(&[key('y')], Action::Overwrite, "replace the file", "replace", None),
    hinted(&[key('n'), code(KeyCode::Esc), ctrl('c')], Action::Cancel, "back to the path", "back", None),
];

#[rustfmt::skip]
pub const OFFER_RECOVERY: &[Binding] = &[
    hinted(&[key('r')], Action::Recover, "take back the edits kept from the last session", "recover", None),
    hinted(&[key('d')], Action::Discard, "discard them for good", "discard", None),
    hinted(&[code(KeyCode::Esc), key('q'), ctrl('c')], Action::Cancel, "decide at the next start", "later", None),
];

/// The tables in the order the help shows them, with a heading each.
pub const SECTIONS: &[(&str, &[Binding])] = &[
    ("Structure and throughput panes", NORMAL),
    ("Edit form (Enter)", FORM),
    ("Prompts (o, s, e, /, I, C)", PROMPT),
    ("Pickers (a, p)", PICKER),
    ("Heaviest layers (w)", HEAVIEST),
    ("Quit with unsaved edits", CONFIRM_QUIT),
    ("Open another block with unsaved edits", CONFIRM_DISCARD),
    ("Save over an existing file", CONFIRM_OVERWRITE),
    (
        "Edits kept from a session that ended unsaved",
        OFFER_RECOVERY,
    ),
    ("Help", HELP),
];
