//! Everything that can happen to the app, as one enum: what keys ask for (imperative names), and
//! what the event loop reports back (past tense). `update` is the only place that acts on them.

use std::path::PathBuf;

use crate::model::Block;

use crate::measure::{EngineEvent, Job};

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    // Moving around.
    SelectNext,
    SelectPrevious,
    SelectFirst,
    SelectLast,
    PageDown,
    PageUp,
    FocusNext,
    // Reading a large block.
    ToggleFold,
    FoldAll,
    UnfoldAll,
    Search,
    SearchNext,
    SearchPrevious,
    ToggleDetail,
    ToggleCounterpart,
    ShowHeaviest,
    PromptInputShape,
    PromptCompare,
    // Editing the block.
    OpenEditor,
    WidenLayer,
    NarrowLayer,
    ChooseLayerToAdd,
    DeleteSelected,
    AddBranch,
    ToggleBypass,
    Undo,
    Redo,
    // Files and presets.
    ChoosePreset,
    PromptOpen,
    PromptSave,
    PromptExport,
    Remeasure,
    ToggleMeasuredView,
    ShowHelp,
    Quit,
    QuitWithoutSaving,
    /// Let the unsaved edits go and do what was asked (open another block).
    Discard,
    /// Take back the edits a recovery file kept.
    Recover,
    /// Go ahead and replace the file.
    Overwrite,
    // Inside overlays: forms, prompts, pickers.
    Confirm,
    Cancel,
    NextField,
    PreviousField,
    Type(char),
    Backspace,
    DeleteForward,
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    ClearInput,
    /// Tab in a path prompt: complete the path typed so far.
    CompletePath,
    // Reported by the event loop.
    Resized {
        width: u16,
        height: u16,
    },
    Ticked,
    EngineReported(EngineEvent),
    Saved(PathBuf),
    Exported(PathBuf),
    Opened {
        block: Block,
        path: PathBuf,
    },
    /// The recovery file the user discarded is gone.
    RecoveryDiscarded(PathBuf),
    /// A model to compare with was read (`label` names it).
    CompareLoaded {
        block: Block,
        label: String,
    },
    CommandFailed(String),
}

/// What `update` asks the event loop to do: the only side effects the app has.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Measure(Job),
    /// Write the current block as JSON to this path.
    Save(PathBuf),
    /// Write the summary document with the throughput to this path.
    Export(PathBuf),
    /// Read a block file.
    Open(PathBuf),
    /// Read a block file to compare the document with.
    LoadCompare(PathBuf),
    Quit,
    /// Delete the recovery file the user chose to discard.
    DiscardRecovery(PathBuf),
}
