//! Reading a large block: folding concats and residuals, finding layers by name, the heaviest
//! layers, the detail pane, the counterpart's own rows, and another input shape.

use std::path::PathBuf;

use crate::analysis::Summary;
use crate::model::{Block, Node, Shape, Target};
use crate::preset::{self, BUILTINS};
use crate::tui::action::{Action, Command};
use crate::tui::app::{App, Mode, Other, PromptPurpose, Weight, enclosing_composite};
use crate::tui::input::TextInput;

use super::document::{Edited, edit_block};
use super::navigate::keep_visible;

/// Space: folds or unfolds the selected concat or residual; inside one, folds the innermost
/// composite around the selection.
pub fn toggle_fold(app: &mut App) {
    let Some(target) = app.selected_target().cloned() else {
        return;
    };
    let own = match &target {
        Target::Node(path) if app.block().node(path).is_some_and(Node::is_composite) => {
            Some(path.clone())
        }
        _ => None,
    };
    match own.or_else(|| enclosing_composite(&target)) {
        Some(path) => {
            let fold = !app.is_folded(&path);
            app.set_folded(&path, fold);
        }
        None => app.inform("Space folds a concat or residual; this row is in neither"),
    }
    keep_visible(app);
}

pub fn fold_all(app: &mut App, folded: bool) {
    app.fold_all(folded);
    keep_visible(app);
}

/// Whether the node at `target` is named with `query` in it (any case).
fn matches(app: &App, target: &Target, query: &str) -> bool {
    let Target::Node(path) = target else {
        return false;
    };
    app.block()
        .node(path)
        .and_then(Node::name)
        .is_some_and(|name| name.to_lowercase().contains(query))
}

/// Selects the next row (or the previous, `forward` false) whose name holds `query`, from the
/// row after `from` (or `from` itself when `inclusive`), wrapping around; hidden rows count,
/// and the folds that hide the found one open.
fn find(app: &mut App, query: &str, from: Option<&Target>, forward: bool, inclusive: bool) -> bool {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return false;
    }
    let rows = app.full_outline();
    let n = rows.len();
    if n == 0 {
        return false;
    }
    let start = from
        .and_then(|t| rows.iter().position(|row| &row.target == t))
        .unwrap_or(0);
    let offset = usize::from(!inclusive);
    let found = (0..n)
        .map(|i| {
            if forward {
                (start + offset + i) % n
            } else {
                (start + n * 2 - offset - i) % n
            }
        })
        .map(|i| rows[i].target.clone())
        .find(|target| matches(app, target, &query));
    let Some(target) = found else {
        return false;
    };
    app.reveal(&target);
    if let Some(index) = app.row_of(&target) {
        app.cursor.selected = index;
    }
    keep_visible(app);
    true
}

pub fn start_search(app: &mut App) {
    app.search.origin = app.selected_target().cloned();
    app.mode = Mode::prompt(PromptPurpose::Search, String::new());
}

/// As the query is typed: the first match from where the search started.
pub fn search_as_typed(app: &mut App, query: &str) {
    let origin = app.search.origin.clone();
    if !find(app, query, origin.as_ref(), true, true) && !query.trim().is_empty() {
        app.complain(format!("No layer named like \"{}\"", query.trim()));
    }
}

/// Enter keeps the selection and the query for n and N; Esc goes back to where it started.
pub fn end_search(app: &mut App, query: Option<&str>) {
    match query {
        Some(query) => {
            app.search.query = query.trim().to_string();
            if !app.search.query.is_empty() {
                app.inform(format!(
                    "Found \"{}\": n next, N previous",
                    app.search.query
                ));
            }
        }
        None => {
            if let Some(origin) = app.search.origin.take() {
                app.reveal(&origin);
                if let Some(index) = app.row_of(&origin) {
                    app.cursor.selected = index;
                }
                keep_visible(app);
            }
        }
    }
}

pub fn search_again(app: &mut App, forward: bool) {
    let query = app.search.query.clone();
    if query.is_empty() {
        app.inform("/ finds a layer by name first");
        return;
    }
    let from = app.selected_target().cloned();
    if !find(app, &query, from.as_ref(), forward, false) {
        app.complain(format!("No layer named like \"{query}\""));
    }
}

pub fn heaviest_key(app: &mut App, action: Action, selected: usize, by: Weight) -> Vec<Command> {
    let len = app.heaviest(by).len();
    let stay = |app: &mut App, selected: usize, by: Weight| {
        app.mode = Mode::Heaviest { selected, by };
    };
    match action {
        Action::SelectNext => stay(app, (selected + 1).min(len.saturating_sub(1)), by),
        Action::SelectPrevious => stay(app, selected.saturating_sub(1), by),
        Action::FocusNext => {
            let other = match by {
                Weight::Macs => Weight::Params,
                Weight::Params => Weight::Macs,
            };
            stay(app, 0, other);
        }
        Action::Confirm => {
            let path = app.heaviest(by).get(selected).map(|row| row.path.clone());
            if let Some(path) = path {
                let target = Target::Node(path);
                app.reveal(&target);
                if let Some(index) = app.row_of(&target) {
                    app.cursor.selected = index;
                }
                keep_visible(app);
            }
        }
        Action::Cancel => {}
        _ => stay(app, selected, by),
    }
    Vec::new()
}

/// `C`: a preset is at hand; a file is read by the event loop, which reports back.
pub fn compare_with(app: &mut App, text: &str) -> Vec<Command> {
    if text.is_empty() {
        app.compare_with = None;
        app.inform("Comparing with the counterpart without 1×1 convolutions again");
        return Vec::new();
    }
    if BUILTINS.iter().any(|b| b.name == text)
        && let Ok(block) = preset::builtin(text)
    {
        compared(app, &block, &format!("preset {text}"));
        return Vec::new();
    }
    // The prompt stays open until the file is read, so a wrong path can be corrected.
    app.mode = Mode::prompt(PromptPurpose::Compare, text.to_string());
    vec![Command::LoadCompare(PathBuf::from(text))]
}

/// The model to compare with has been read: analysed at its own input shape.
pub fn compared(app: &mut App, block: &Block, label: &str) {
    match Summary::of(block) {
        Ok(summary) => {
            app.mode = Mode::Normal;
            app.compare_with = Some(Other {
                name: block.name.clone(),
                totals: summary.block.totals,
            });
            app.inform(format!(
                "Comparing with {} ({label}); C and an empty line go back",
                block.name
            ));
        }
        Err(error) => app.complain(format!("{label}: {error}")),
    }
}

pub fn prompt_input_shape(app: &mut App) {
    let Shape { c, h, w } = app.block().input;
    app.mode = Mode::Prompt {
        purpose: PromptPurpose::InputShape,
        input: TextInput::new(format!("{c},{h},{w}")),
    };
}

/// Sets the block's input shape (one undo step); a text that is no shape stays in the prompt.
pub fn set_input_shape(app: &mut App, text: &str) -> Result<Vec<Command>, String> {
    let shape = parse_shape(text)?;
    if shape == app.block().input {
        return Ok(Vec::new());
    }
    let commands = edit_block(app, |block| {
        block.input = shape;
        Ok(Edited::new(format!("set the input to {shape}")))
    });
    app.inform(format!("Input is now {shape} (u undoes)"));
    Ok(commands)
}

fn parse_shape(text: &str) -> Result<Shape, String> {
    use crate::model::{MAX_CHANNELS, MAX_SPATIAL};
    let bad = || format!("\"{}\" is not C,H,W like 3,224,224", text.trim());
    let dims: Vec<usize> = text
        .split([',', 'x', 'X', '×', ' '])
        .filter(|part| !part.is_empty())
        .map(|part| part.trim().parse::<usize>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [c, h, w] = dims[..] else {
        return Err(bad());
    };
    if c == 0 || h == 0 || w == 0 || c > MAX_CHANNELS || h > MAX_SPATIAL || w > MAX_SPATIAL {
        return Err(format!(
            "{c},{h},{w}: each at least 1, at most {MAX_CHANNELS} channels and {MAX_SPATIAL} pixels a side"
        ));
    }
    Ok(Shape::new(c, h, w))
}
