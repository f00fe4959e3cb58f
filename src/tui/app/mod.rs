//! The app's whole state: the [`Document`] with its undo and redo, what the analysis says about
//! it ([`Analysed`]), the outline and cursor, the mode (which overlay is open), the message line
//! and what the engine has measured. Only `update` changes it; views read it.

mod analysed;
mod document;
mod folding;
mod heaviest;
mod mode;
mod outline;

pub use analysed::Analysed;
pub use document::{Document, Origin};
pub use mode::{AfterDiscard, Level, Message, Mode, Pane, PromptPurpose, Weight};
pub use outline::{OutlineRow, enclosing_composite, is_inside, outline};

use std::collections::BTreeSet;

use crate::analysis::{PointwiseLayer, Role, ShapeError, Summary, Totals};
use crate::measure::{EngineEvent, History, Job, Limits, select};
use crate::model::{Block, NodePath, Target};

use super::theme::Theme;

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

/// Where the user is: the selected rows and which pane has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// The selected structure row.
    pub selected: usize,
    /// First structure row on screen.
    pub scroll: usize,
    /// The selected row of the throughput pane.
    pub throughput_selected: usize,
    pub focus: Pane,
}

pub struct App {
    pub document: Document,
    analysed: Analysed,
    /// Every row of the block, derived from it on every change.
    full_outline: Vec<OutlineRow>,
    /// The rows on screen: `full_outline` without what folded composites hide.
    outline: Vec<OutlineRow>,
    /// Concats and residuals shown as one row.
    folded: BTreeSet<NodePath>,
    /// The 1×1 layers the engine measures, from the figures shown.
    pointwise: Vec<PointwiseLayer>,
    pub cursor: Cursor,
    pub mode: Mode,
    pub message: Option<Message>,
    pub measurements: History,
    /// The terminal's size, set on every resize: scrolling is decided by the same geometry the
    /// view draws with.
    pub size: (u16, u16),
    pub spinner: usize,
    pub theme: Theme,
    /// Set when the user chose "save first" on quitting: a successful save then quits.
    pub quit_after_save: bool,
    /// What the throughput pane shows: the 1×1 layers, or the whole block per layer.
    pub measured_view: MeasuredView,
    /// The last search, and where the one being typed started.
    pub search: Search,
    /// The detail pane of the selected layer in place of the totals and comparison.
    pub show_detail: bool,
    /// The structure pane's figures are the counterpart's (rewritten layers marked).
    pub show_counterpart: bool,
    /// Another model the comparison pane compares with, in place of the counterpart.
    pub compare_with: Option<Other>,
    /// The user left a recovery file for a later start: this session neither replaces nor
    /// removes it.
    pub recovery_deferred: bool,
    /// The node whose edit broke the block. Inference notices a mismatch where it shows (the
    /// residual that adds two shapes), but the user changed a layer inside it, and that is
    /// what they have to fix.
    broken_by: Option<NodePath>,
    /// Where relative paths start and what `~` stands for, as the path prompts show them and
    /// Tab completes from.
    pub cwd: Option<std::path::PathBuf>,
    pub home: Option<std::path::PathBuf>,
    /// What the last Tab in a path prompt found, shown under the path until the next key.
    pub completion: Option<String>,
}

/// A second model, analysed, for the comparison pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Other {
    pub name: String,
    pub totals: Totals,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub query: String,
    pub origin: Option<Target>,
}

/// The throughput pane's two views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasuredView {
    /// Each 1×1 layer's GFLOP/s.
    Pointwise,
    /// The whole block and its counterpart, and each layer's share of the block's time.
    Whole,
}

impl App {
    pub fn new(block: Block, origin: Origin, theme: Theme) -> App {
        let analysed = Analysed::of(&block);
        let mut app = App {
            full_outline: Vec::new(),
            outline: Vec::new(),
            folded: BTreeSet::new(),
            pointwise: Vec::new(),
            document: Document::new(block, origin),
            analysed,
            cursor: Cursor {
                selected: 0,
                scroll: 0,
                throughput_selected: 0,
                focus: Pane::Structure,
            },
            mode: Mode::Normal,
            message: None,
            measurements: History::default(),
            size: (80, 24),
            spinner: 0,
            theme,
            quit_after_save: false,
            measured_view: MeasuredView::Pointwise,
            search: Search::default(),
            show_detail: false,
            show_counterpart: false,
            compare_with: None,
            recovery_deferred: false,
            broken_by: None,
            cwd: crate::tui::input::current_dir(),
            home: std::env::var_os("HOME")
                .filter(|home| !home.is_empty())
                .map(std::path::PathBuf::from),
            completion: None,
        };
        app.rebuild_outline();
        app.refresh_derived();
        app
    }

    pub fn block(&self) -> &Block {
        self.document.block()
    }

    pub fn is_modified(&self) -> bool {
        self.document.is_modified()
    }

    /// The analysis of the block as it is, when its shapes fit.
    pub fn summary(&self) -> Option<&Summary> {
        self.analysed.summary()
    }

    /// What is wrong with the block's shapes, when they do not fit.
    /// The layers of a block that does not fit whose shapes are known before the fault.
    pub fn before_fault(&self) -> &[crate::analysis::Row] {
        self.analysed.before_fault()
    }

    pub fn error(&self) -> Option<&ShapeError> {
        self.analysed.error()
    }

    /// The figures to show and whether they are stale (from before the block stopped fitting).
    pub fn figures(&self) -> Option<(&Summary, bool)> {
        self.analysed.figures()
    }

    /// The rows on screen, folded composites showing only their header.
    pub fn outline(&self) -> &[OutlineRow] {
        &self.outline
    }

    /// Every row, folded or not.
    pub fn full_outline(&self) -> &[OutlineRow] {
        &self.full_outline
    }

    pub fn is_folded(&self, path: &NodePath) -> bool {
        self.folded.contains(path)
    }

    pub fn any_folded(&self) -> bool {
        !self.folded.is_empty()
    }

    /// The 1×1 layers of the figures shown, as the engine measures them.
    pub fn pointwise(&self) -> &[PointwiseLayer] {
        &self.pointwise
    }

    pub fn selected_target(&self) -> Option<&Target> {
        self.outline
            .get(self.cursor.selected)
            .map(|row| &row.target)
    }

    /// The path of the selected layer, concat or residual (`None` on a branch or shortcut row).
    pub fn selected_node_path(&self) -> Option<&NodePath> {
        match self.selected_target()? {
            Target::Node(path) => Some(path),
            Target::Chain { .. } => None,
        }
    }

    /// The row of `target` in the outline.
    pub fn row_of(&self, target: &Target) -> Option<usize> {
        self.outline.iter().position(|row| &row.target == target)
    }

    /// What the bypass flag of the layer at `path` does, from the plan of the analysis shown;
    /// `None` when the layer is not bypassed.
    pub fn bypass(&self, path: &NodePath) -> Option<Bypass> {
        if !self.block().layer(path)?.bypassed {
            return None;
        }
        let Some((summary, _)) = self.figures() else {
            return Some(Bypass::Unknown);
        };
        Some(match summary.block.plan.dropped_conv(path) {
            Some(role) => Bypass::Dropped(role),
            None => Bypass::NoRule,
        })
    }

    /// The node to mark as failing: the one whose edit broke the block, or where inference
    /// found the mismatch when no edit is known to have (a file opened broken, an undo).
    pub fn failing_path(&self) -> Option<&NodePath> {
        let error = self.analysed.error()?;
        let cause = self
            .broken_by
            .as_ref()
            .filter(|path| self.block().node(path).is_some());
        Some(cause.unwrap_or(error.path()))
    }

    /// [`reanalyse`](Self::reanalyse) after an edit of the node at `cause`, if it changed one:
    /// an edit that breaks a fitting block is its cause; a later edit of the broken block
    /// keeps that cause while every node stays at its path, so the mark never lands on
    /// another node.
    pub fn reanalyse_edit(&mut self, cause: Option<NodePath>) {
        let was_fitting = self.analysed.error().is_none();
        let kept = self.broken_by.take().filter(|_| !was_fitting);
        let targets = |outline: &[OutlineRow]| -> Vec<Target> {
            outline.iter().map(|row| row.target.clone()).collect()
        };
        let before = kept.as_ref().map(|_| targets(&self.full_outline));
        self.reanalyse();
        self.broken_by = match self.analysed.error() {
            None => None,
            Some(_) if was_fitting => cause,
            Some(_) => kept.filter(|_| before == Some(targets(&self.full_outline))),
        };
    }

    /// Recomputes everything derived from the block: the outline, the analysis, the 1×1 list.
    /// `update` calls it after every change of the document.
    pub fn reanalyse(&mut self) {
        self.broken_by = None;
        self.analysed.update(self.document.block());
        self.rebuild_outline();
        self.refresh_derived();
    }

    /// The same for a block that replaced the document: nothing of the old one's figures is
    /// kept, so a new block that does not fit shows none rather than another block's.
    pub fn analyse_afresh(&mut self) {
        self.broken_by = None;
        self.analysed = Analysed::of(self.document.block());
        self.pointwise.clear();
        self.folded.clear();
        self.rebuild_outline();
        self.refresh_derived();
    }

    fn refresh_derived(&mut self) {
        if let Some(summary) = self.analysed.summary() {
            self.pointwise = summary.block.pointwise_layers();
        } else if self.analysed.figures().is_none() {
            // Opened broken: the 1×1 layers before the fault have real shapes, and can be timed.
            self.pointwise = crate::analysis::pointwise_layers(self.analysed.before_fault());
        }
        let cursor = &mut self.cursor;
        cursor.selected = cursor.selected.min(self.outline.len().saturating_sub(1));
        cursor.throughput_selected = cursor
            .throughput_selected
            .min(self.pointwise.len().saturating_sub(1));
    }

    /// Takes a worker report in; a result for a shape no longer among the 1×1 layers shown is
    /// dropped.
    pub fn record_measurement(&mut self, event: EngineEvent) {
        let pointwise = &self.pointwise;
        let wanted = |shape| {
            pointwise
                .iter()
                .any(|layer| select::shape_of(layer, Limits::INTERACTIVE) == Ok(shape))
        };
        self.measurements.record(event, wanted);
    }

    /// The job that measures the 1×1 layers shown that are not measured yet, and runs the
    /// block whole if it has changed since it last ran, if there is anything to do.
    pub fn plan_measurement(&mut self) -> Option<Job> {
        let whole = match self.analysed.summary() {
            Some(summary) => self
                .measurements
                .whole
                .wanted(self.document.block(), summary),
            None => None,
        };
        self.measurements.plan_with(&self.pointwise, whole)
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
}
