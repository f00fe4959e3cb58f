//! The app's whole state: the document (a block and where it came from), undo and redo, what
//! the analysis says about it now (or what it said last when the block stopped fitting), the
//! selection, the mode (which overlay is open), and the engine's measurements. Only `update`
//! changes it; views read it.

use std::fmt;
use std::path::PathBuf;

use crate::analysis::{PointwiseLayer, Role, ShapeError, Summary};
use crate::model::{Block, NodePath};

use super::form::EditForm;
use super::outline::{OutlineRow, Target, outline};
use super::text_input::TextInput;
use super::theme::Theme;
use super::throughput::Throughput;

/// Where the document came from, and where `s` saves it by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Preset(String),
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Preset(name) => write!(f, "preset {name}"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

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
}

impl PromptPurpose {
    pub fn title(self) -> &'static str {
        match self {
            PromptPurpose::Open => "Open a block file",
            PromptPurpose::Save => "Save the block as JSON to",
            PromptPurpose::Export => "Export the JSON summary to",
        }
    }

    /// The line under the path: what happens to it.
    pub fn note(self) -> &'static str {
        match self {
            PromptPurpose::Open => "a convtui-block JSON file; relative paths are from here",
            PromptPurpose::Save | PromptPurpose::Export => {
                "written atomically; relative paths are from here"
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

/// What a layer's bypass flag does in the analysis shown. A flag can outlive the rule that made
/// it take effect (the 3×3 after it deleted, its kernel changed, a file that sets it on a conv no
/// rule drops); such a layer still runs and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bypass {
    /// The analysis drops the layer, by this rule.
    Dropped(Role),
    /// No rule drops it: the flag does nothing.
    NoRule,
    /// There is no analysis to say (the block has not fitted since it was opened).
    Unknown,
}

/// One state of the document, as undo and redo keep it. The saved-state marker goes with the
/// origin: undoing an open brings back the old block *and* what it was last saved as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub block: Block,
    pub origin: Origin,
    pub saved: Block,
    pub selected: usize,
}

pub struct App {
    pub block: Block,
    pub origin: Origin,
    /// The block as last saved or opened: the document is modified when it differs.
    pub saved: Block,
    pub undo: Vec<Snapshot>,
    pub redo: Vec<Snapshot>,
    pub outline: Vec<OutlineRow>,
    /// The analysis of the block as it is, when its shapes fit.
    pub summary: Option<Summary>,
    /// When they do not: the last analysis that fitted (shown greyed) and what is wrong.
    pub stale: Option<Summary>,
    pub error: Option<ShapeError>,
    /// The 1×1 layers the engine measures, from the analysis shown.
    pub pointwise: Vec<PointwiseLayer>,
    pub selected: usize,
    /// First structure row on screen.
    pub scroll: usize,
    pub throughput_selected: usize,
    pub focus: Pane,
    pub mode: Mode,
    pub message: Option<Message>,
    pub throughput: Throughput,
    /// The terminal's size, for scrolling and layout decisions made outside drawing.
    pub size: (u16, u16),
    pub spinner: usize,
    pub theme: Theme,
    /// Set when the user chose "save first" on quitting: a successful save then quits.
    pub quit_after_save: bool,
}

impl App {
    pub fn new(block: Block, origin: Origin, theme: Theme) -> App {
        let mut app = App {
            saved: block.clone(),
            block,
            origin,
            undo: Vec::new(),
            redo: Vec::new(),
            outline: Vec::new(),
            summary: None,
            stale: None,
            error: None,
            pointwise: Vec::new(),
            selected: 0,
            scroll: 0,
            throughput_selected: 0,
            focus: Pane::Structure,
            mode: Mode::Normal,
            message: None,
            throughput: Throughput::default(),
            size: (80, 24),
            spinner: 0,
            theme,
            quit_after_save: false,
        };
        app.reanalyse();
        app
    }

    pub fn is_modified(&self) -> bool {
        self.block != self.saved
    }

    /// The figures to show and whether they are stale (from before the block stopped fitting).
    pub fn figures(&self) -> Option<(&Summary, bool)> {
        match (&self.summary, &self.stale) {
            (Some(summary), _) => Some((summary, false)),
            (None, Some(stale)) => Some((stale, true)),
            (None, None) => None,
        }
    }

    pub fn selected_target(&self) -> Option<&Target> {
        self.outline.get(self.selected).map(|row| &row.target)
    }

    /// The path of the selected layer, concat or residual (`None` on a branch or shortcut row).
    pub fn selected_node_path(&self) -> Option<&NodePath> {
        match self.selected_target()? {
            Target::Node(path) => Some(path),
            Target::Chain { .. } => None,
        }
    }

    /// What the bypass flag of the layer at `path` does, from the plan of the analysis shown;
    /// `None` when the layer is not bypassed.
    pub fn bypass(&self, path: &NodePath) -> Option<Bypass> {
        if !self.block.layer(path)?.bypassed {
            return None;
        }
        let Some((summary, _)) = self.figures() else {
            return Some(Bypass::Unknown);
        };
        Some(match summary.block.plan.dropped.get(path) {
            Some(dropped) if dropped.conv == *path => Bypass::Dropped(dropped.role),
            _ => Bypass::NoRule,
        })
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            block: self.block.clone(),
            origin: self.origin.clone(),
            saved: self.saved.clone(),
            selected: self.selected,
        }
    }

    /// Recomputes everything derived from the block: the outline, the analysis, the 1×1 list.
    pub fn reanalyse(&mut self) {
        self.outline = outline(&self.block);
        match Summary::of(&self.block) {
            Ok(summary) => {
                self.pointwise = summary.block.pointwise_layers();
                self.summary = Some(summary);
                self.stale = None;
                self.error = None;
            }
            Err(error) => {
                if let Some(last) = self.summary.take() {
                    self.stale = Some(last);
                }
                self.error = Some(error);
            }
        }
        self.selected = self.selected.min(self.outline.len().saturating_sub(1));
        self.throughput_selected = self
            .throughput_selected
            .min(self.pointwise.len().saturating_sub(1));
    }

    pub fn inform(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            level: Level::Info,
            text: text.into(),
        });
    }

    pub fn complain(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            level: Level::Error,
            text: text.into(),
        });
    }

    /// A file name made from the block's name: letters, digits, `.`, `-` and `_` kept.
    pub fn file_stem(&self) -> String {
        let stem: String = self
            .block
            .name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if stem.is_empty() {
            "block".into()
        } else {
            stem
        }
    }

    pub fn default_save_path(&self) -> PathBuf {
        match &self.origin {
            Origin::File(path) => path.clone(),
            Origin::Preset(_) => PathBuf::from(format!("{}.json", self.file_stem())),
        }
    }

    pub fn default_export_path(&self) -> PathBuf {
        PathBuf::from(format!("{}.summary.json", self.file_stem()))
    }
}
