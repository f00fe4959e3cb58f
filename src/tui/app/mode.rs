//! Which overlay has the keys, which pane has the focus, and the message line.

use crate::tui::input::{EditForm, TextInput};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Structure,
    Throughput,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptPurpose {
    Open,
    Save,
    Export,
    /// A layer's name to find; the selection follows as it is typed.
    Search,
    /// The block's input shape, C,H,W.
    InputShape,
    /// Another model to compare with: a file or a preset's name.
    Compare,
}

impl PromptPurpose {
    pub fn title(self) -> &'static str {
        match self {
            PromptPurpose::Open => "Open a block file",
            PromptPurpose::Save => "Save the block as JSON to",
            PromptPurpose::Export => "Export the JSON summary to",
            PromptPurpose::Search => "Find a layer by name",
            PromptPurpose::InputShape => "Input shape (channels, height, width)",
            PromptPurpose::Compare => "Compare with (a block file or a preset's name)",
        }
    }

    /// Whether the prompt takes a path (Tab completes it, relative paths start in the
    /// directory it shows).
    pub fn takes_path(self) -> bool {
        matches!(
            self,
            PromptPurpose::Open
                | PromptPurpose::Save
                | PromptPurpose::Export
                | PromptPurpose::Compare
        )
    }

    /// The line under the path: what happens to it.
    pub fn note(self) -> &'static str {
        match self {
            PromptPurpose::Open => "a convtui-block JSON file · Tab completes",
            PromptPurpose::Save | PromptPurpose::Export => "written atomically · Tab completes",
            PromptPurpose::Search => "any part of the name, any case; then n and N go on",
            PromptPurpose::InputShape => "e.g. 3,224,224 or 3,112,112; u undoes",
            PromptPurpose::Compare => {
                "e.g. alexnet or a file (Tab); empty: back to the counterpart"
            }
        }
    }
}

/// Which overlay, if any, has the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Help {
        scroll: u16,
    },
    Edit(EditForm),
    AddLayer {
        selected: usize,
    },
    PresetPicker {
        selected: usize,
    },
    Prompt {
        purpose: PromptPurpose,
        input: TextInput,
    },
    ConfirmQuit,
    /// Opening another block would replace unsaved edits: what to do with them first.
    ConfirmDiscard {
        then: AfterDiscard,
    },
    /// A save or export would replace a file the user did not open: ask first.
    ConfirmOverwrite {
        purpose: PromptPurpose,
        path: std::path::PathBuf,
    },
    /// Unsaved edits of this block were kept from a session that ended without saving them.
    OfferRecovery {
        block: crate::model::Block,
        path: std::path::PathBuf,
        age: String,
    },
    /// The layers with the most MACs (or parameters), heaviest first.
    Heaviest {
        selected: usize,
        by: Weight,
    },
}

/// What the user was about to do when asked about unsaved edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterDiscard {
    OpenPrompt,
    PresetPicker,
}

/// What "heaviest" weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Macs,
    Params,
}

impl Mode {
    /// A path prompt for `purpose`, holding `text`.
    pub fn prompt(purpose: PromptPurpose, text: String) -> Mode {
        Mode::Prompt {
            purpose,
            input: TextInput::new(text),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub level: Level,
    pub text: String,
}
