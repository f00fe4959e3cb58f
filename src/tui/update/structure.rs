//! The structural edits the keys ask for: widen and narrow, delete, add a branch or a layer,
//! bypass a 1×1 conv. The surgery itself is `model::edit`'s; each goes through `edit_block`, so
//! it is one undo step and never half-applied.

use crate::analysis::{Scope, plan, why_it_stays};
use crate::model::{MAX_NESTING, Target, edit};
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
        Ok(Edited::new(format!("{verb} {label} to {width}")))
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
    let what = match &target {
        Target::Node(path) => format!("delete {}", node_label(app.block(), path)),
        Target::Chain { owner, step } => {
            let owner_label = node_label(app.block(), owner);
            match app.block().node(owner) {
                Some(crate::model::Node::Residual(_)) => {
                    format!("remove the shortcut of {owner_label}")
                }
                _ => format!("delete branch {} of {owner_label}", step + 1),
            }
        }
    };
    edit_block(app, |block| {
        edit::delete(block, &target).map(|()| Edited::new(what))
    })
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
                Ok(Edited::new(format!("restore {name}")))
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
                Ok(Edited::new(format!("bypass {name}")))
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
        Ok(Edited::new(what).selecting(Target::Node(path)))
    })
}

/// The channel count where something is inserted at `target`: what flows there by the figures
/// shown, or the block's input width when there are none.
fn width_at(app: &App, target: Option<&Target>) -> usize {
    let found = target.and_then(|target| app.figures()?.0.block.width_at(target));
    found.unwrap_or(app.block().input.c)
}
