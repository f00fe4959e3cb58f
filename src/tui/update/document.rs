//! Changes of the document: an edit (one undo step, never half-applied), opening another block,
//! undo and redo, a save; after each, everything derived is recomputed and the 1×1 shapes the
//! change touched are sent to be measured.

use std::path::Path;

use crate::analysis::describe_layer;
use crate::model::{Block, Node, NodePath, Target, printable};
use crate::tui::action::Command;
use crate::tui::app::{App, Mode, Origin};

use super::navigate::keep_visible;

/// What an edit did, in a few words undo and redo repeat ("widen conv2 to 96"), and the row
/// to select after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    pub what: String,
    pub select: Option<Target>,
    /// The node the edit changed in place, blamed if the edit breaks the block.
    pub changed: Option<NodePath>,
}

impl Edited {
    pub fn new(what: impl Into<String>) -> Edited {
        Edited {
            what: what.into(),
            select: None,
            changed: None,
        }
    }

    pub fn changing(self, path: NodePath) -> Edited {
        Edited {
            changed: Some(path),
            ..self
        }
    }

    pub fn selecting(self, target: Target) -> Edited {
        Edited {
            select: Some(target),
            ..self
        }
    }
}

/// How a description names the node at `path`: its name, or its kind and path when it has
/// none ("relu at 0.2.1").
pub fn node_label(block: &Block, path: &NodePath) -> String {
    let Some(node) = block.node(path) else {
        return format!("the node at {path}");
    };
    if let Some(name) = node.name() {
        return printable(name).into_owned();
    }
    let kind = match node {
        Node::Layer(layer) => describe_layer(layer),
        Node::Concat(_) => "concat".into(),
        Node::Residual(_) => "residual".into(),
    };
    format!("{kind} at {path}")
}

/// Applies `edit` to a copy of the block; if it changed anything, the old document goes on the
/// undo stack with what the edit did, everything is recomputed and changed 1×1 shapes are
/// measured.
pub fn edit_block(
    app: &mut App,
    edit: impl FnOnce(&mut Block) -> Result<Edited, String>,
) -> Vec<Command> {
    let mut block = app.block().clone();
    match edit(&mut block) {
        Err(text) => {
            app.complain(text);
            Vec::new()
        }
        Ok(Edited {
            what,
            select,
            changed,
        }) => {
            if !app.document.edit(block, app.cursor.selected, what) {
                return Vec::new();
            }
            app.reanalyse_edit(changed);
            settle(app, select.as_ref())
        }
    }
}

fn after_change(app: &mut App, select: Option<&Target>) -> Vec<Command> {
    app.reanalyse();
    settle(app, select)
}

/// Selection, scrolling and measurement after the analysis has been redone.
fn settle(app: &mut App, select: Option<&Target>) -> Vec<Command> {
    if let Some(index) = select.and_then(|target| app.row_of(target)) {
        app.cursor.selected = index;
    }
    keep_visible(app);
    measure(app)
}

/// The job that measures the 1×1 shapes not measured yet: the block's when it fits, those
/// before the fault when it never has (greyed figures from before an edit are not re-timed).
pub fn measure(app: &mut App) -> Vec<Command> {
    if app.summary().is_none() && app.figures().is_some() {
        return Vec::new();
    }
    app.plan_measurement()
        .map(Command::Measure)
        .into_iter()
        .collect()
}

/// Opens another block in place of this one; undo brings this one back.
pub fn replace(app: &mut App, block: Block, origin: Origin) -> Vec<Command> {
    app.document.open(block, origin, app.cursor.selected);
    app.cursor.selected = 0;
    app.cursor.scroll = 0;
    app.cursor.throughput_selected = 0;
    app.analyse_afresh();
    settle(app, None)
}

pub fn undo(app: &mut App) -> Vec<Command> {
    travel(app, true)
}

pub fn redo(app: &mut App) -> Vec<Command> {
    travel(app, false)
}

/// One step back (undo) or forward (redo) in the document's history.
fn travel(app: &mut App, back: bool) -> Vec<Command> {
    let document = &mut app.document;
    let (moved, left, (verb, done)) = if back {
        let moved = document.undo(app.cursor.selected);
        (moved, document.undo_len(), ("undo", "Undid"))
    } else {
        let moved = document.redo(app.cursor.selected);
        (moved, document.redo_len(), ("redo", "Redid"))
    };
    let Some((selected, what)) = moved else {
        app.inform(format!("Nothing to {verb}"));
        return Vec::new();
    };
    let more = match left {
        0 => "no more".to_string(),
        n => format!("{n} more"),
    };
    app.inform(format!("{done}: {what} ({more})"));
    app.cursor.selected = selected;
    after_change(app, None)
}

pub fn saved(app: &mut App, path: &Path) -> Vec<Command> {
    app.mode = Mode::Normal;
    app.document.saved_to(path);
    let shown = printable(&path.display().to_string()).into_owned();
    // The block is saved whatever its shapes, so no work is lost; but a file that does not
    // analyse must not look like one that does.
    match app.error().map(ToString::to_string) {
        None => app.inform(format!("Saved to {shown}")),
        Some(error) => app.complain(format!(
            "Saved to {shown} — the block is invalid at {error}"
        )),
    }
    if std::mem::take(&mut app.quit_after_save) {
        return vec![Command::Quit];
    }
    Vec::new()
}
