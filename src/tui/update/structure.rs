//! The structural edits the keys ask for: widen and narrow, delete, add a branch or a layer,
//! bypass a 1×1 conv. The surgery itself is `model::edit`'s; each goes through `edit_block`, so
//! it is one undo step and never half-applied.

use crate::analysis::{Scope, plan, why_it_stays};
use crate::model::{Block, MAX_NESTING, Node, Target, edit};
use crate::tui::action::Command;
use crate::tui::app::{App, Bypass};
use crate::tui::input::CHOICES;

use super::document::{Edited, edit_block, node_label};

pub fn step_width(app: &mut App, up: bool) -> Vec<Command> {
    let Some(path) = app.selected_node_path().cloned() else {
        app.complain("+/- change a conv's or fc's width; select one");
        return Vec::new();
    };
    let label = node_label(app.block(), &path);
    let mut width = 0;
    let commands = edit_block(app, |block| {
        width = edit::step_channels(block, &path, up)?;
        let verb = if up { "widen" } else { "narrow" };
        Ok(Edited::new(format!("{verb} {label} to {width}")).changing(path.clone()))
    });
    if width > 0 {
        let unit = if width == 1 { "channel" } else { "channels" };
        app.inform(format!("{width} output {unit}"));
    }
    commands
}

pub fn delete(app: &mut App) -> Vec<Command> {
    let Some(target) = app.selected_target().cloned() else {
        app.complain("Nothing to delete: the block is empty");
        return Vec::new();
    };
    let (what, said) = deletion(app.block(), &target);
    let steps = app.document.undo_len();
    let commands = edit_block(app, |block| {
        edit::delete(block, &target).map(|()| Edited::new(what))
    });
    // A branch or shortcut leaves no row behind to show it went, so the message says so.
    if app.document.undo_len() > steps {
        app.inform(format!("{said} — u undoes"));
    }
    commands
}

/// What deleting `target` does: the words undo repeats, and the message that says it
/// ("Removed branch 3 of inception (4 layers)").
fn deletion(block: &Block, target: &Target) -> (String, String) {
    let layers = |n: usize| match n {
        1 => "1 layer".to_string(),
        n => format!("{n} layers"),
    };
    match target {
        Target::Node(path) => {
            let label = node_label(block, path);
            let said = match block.node(path) {
                Some(node @ (Node::Concat(_) | Node::Residual(_))) => {
                    format!("Deleted {label} ({})", layers(layers_in(node)))
                }
                _ => format!("Deleted {label}"),
            };
            (format!("delete {label}"), said)
        }
        Target::Chain { owner, step } => {
            let label = node_label(block, owner);
            let node = block.node(owner);
            let inside = node
                .and_then(|node| node.chain(*step))
                .map_or(0, |chain| chain.iter().map(layers_in).sum());
            match node {
                Some(Node::Residual(_)) => (
                    format!("remove the shortcut of {label}"),
                    format!("Removed the shortcut of {label} ({})", layers(inside)),
                ),
                _ => (
                    format!("delete branch {} of {label}", step + 1),
                    format!(
                        "Removed branch {} of {label} ({})",
                        step + 1,
                        layers(inside)
                    ),
                ),
            }
        }
    }
}

/// The layers in `node`, itself included when it is one.
fn layers_in(node: &Node) -> usize {
    (0..node.chain_count())
        .filter_map(|step| node.chain(step))
        .flatten()
        .map(layers_in)
        .sum::<usize>()
        + usize::from(node.as_layer().is_some())
}

pub fn add_branch(app: &mut App) -> Vec<Command> {
    let concat = app
        .selected_target()
        .and_then(|target| edit::enclosing_concat(app.block(), target));
    let Some(concat) = concat else {
        app.complain("b adds a branch to a concat; select a concat or a layer inside one");
        return Vec::new();
    };
    let what = format!("add a branch to {}", node_label(app.block(), &concat));
    edit_block(app, |block| {
        let step = edit::add_branch(block, &concat, edit::new_branch()).ok_or("no concat here")?;
        Ok(Edited::new(what).selecting(Target::Chain {
            owner: concat.clone(),
            step,
        }))
    })
}

/// `x`: bypasses the selected 1×1 conv if a rule can drop it, or clears a layer's bypass flag
/// (restoring a bypassed conv, or dropping a flag that no longer does anything).
pub fn toggle_bypass(app: &mut App) -> Vec<Command> {
    let selected = app
        .selected_node_path()
        .and_then(|path| Some((app.block().layer(path)?, path.clone())))
        .filter(|(layer, _)| layer.is_pointwise_conv() || layer.bypassed)
        .map(|(layer, path)| {
            let name = layer.name.clone();
            (name.unwrap_or_else(|| format!("layer {path}")), path)
        });
    let Some((name, path)) = selected else {
        app.complain("x bypasses a 1×1 conv; select one");
        return Vec::new();
    };
    match app.bypass(&path) {
        Some(was) => {
            let commands = edit_block(app, |block| {
                block.layer_mut(&path).ok_or("no layer here")?.bypassed = false;
                Ok(Edited::new(format!("restore {name}")).changing(path.clone()))
            });
            app.inform(match was {
                Bypass::NoRule => format!(
                    "Cleared the bypass flag on \"{name}\": no rule drops it, so it did nothing"
                ),
                Bypass::Dropped(_) | Bypass::Unknown => format!("Restored \"{name}\""),
            });
            commands
        }
        None => {
            if let Some(why) = why_it_stays(app.block(), &path) {
                app.complain(format!("\"{name}\" {}", why.reason()));
                return Vec::new();
            }
            let mut role = None;
            let commands = edit_block(app, |block| {
                block.layer_mut(&path).ok_or("no layer here")?.bypassed = true;
                // Alone a rule drops it; with the other bypassed convs gone first, one must too.
                role = plan(block, Scope::Bypassed).dropped_conv(&path);
                if role.is_none() {
                    return Err(format!(
                        "With the other bypassed 1×1 convs gone, no rule drops \"{name}\""
                    ));
                }
                Ok(Edited::new(format!("bypass {name}")).changing(path.clone()))
            });
            if let Some(role) = role {
                app.inform(format!("Bypassed \"{name}\" ({})", role.label()));
            }
            commands
        }
    }
}

/// Inserts menu entry `choice` after the selection, as wide as what flows there.
pub fn add_layer(app: &mut App, choice: usize) -> Vec<Command> {
    let Some(choice) = CHOICES.get(choice).copied() else {
        return Vec::new();
    };
    let target = app.selected_target().cloned();
    let node = choice.node(width_at(app, target.as_ref()));
    let composite = node.is_composite();
    let what = match &target {
        Some(target) => format!(
            "add {} after {}",
            choice.label(),
            node_label(app.block(), target.node_path())
        ),
        None => format!("add {}", choice.label()),
    };
    edit_block(app, |block| {
        let path = match &target {
            Some(target) => edit::insert(block, target, node).ok_or("cannot insert here")?,
            None => edit::insert_first(block, node),
        };
        if composite && path.nesting() >= MAX_NESTING {
            return Err(format!(
                "cannot nest more than {MAX_NESTING} concats or residuals inside each other"
            ));
        }
        Ok(Edited::new(what)
            .selecting(Target::Node(path.clone()))
            .changing(path))
    })
}

/// The channel count where something is inserted at `target`: what flows there by the figures
/// shown, or the block's input width when there are none.
fn width_at(app: &App, target: Option<&Target>) -> usize {
    let found = target.and_then(|target| app.figures()?.0.block.width_at(target));
    found.unwrap_or(app.block().input.c)
}
