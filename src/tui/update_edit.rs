//! The structural edits of the Normal mode: widen and narrow, delete, add a branch, bypass a
//! 1×1 conv. Each goes through `edit_block`, so it is one undo step and never half-applied.

use crate::analysis::{Scope, plan, role_of};
use crate::model::{Block, Node, NodePath};

use super::action::Command;
use super::app::{App, Bypass};
use super::edit;
use super::outline::Target;
use super::update::edit_block;

pub fn step_width(app: &mut App, up: bool) -> Vec<Command> {
    let Some(path) = app.selected_node_path().cloned() else {
        app.complain("+/- change a conv's or fc's width; select one");
        return Vec::new();
    };
    let mut width = 0;
    let commands = edit_block(app, |block| {
        width = edit::step_channels(block, &path, up)?;
        Ok(None)
    });
    if width > 0 {
        app.inform(format!("{width} output channels"));
    }
    commands
}

pub fn delete(app: &mut App) -> Vec<Command> {
    let Some(target) = app.selected_target().cloned() else {
        app.complain("Nothing to delete: the block is empty");
        return Vec::new();
    };
    edit_block(app, |block| edit::delete(block, &target).map(|()| None))
}

pub fn add_branch(app: &mut App) -> Vec<Command> {
    let concat = app
        .selected_target()
        .and_then(|target| edit::enclosing_concat(&app.block, target));
    let Some(concat) = concat else {
        app.complain("b adds a branch to a concat; select a concat or a layer inside one");
        return Vec::new();
    };
    edit_block(app, |block| {
        let step = edit::add_branch(block, &concat, edit::new_branch()).ok_or("no concat here")?;
        Ok(Some(Target::Chain {
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
        .and_then(|path| Some((app.block.layer(path)?, path.clone())))
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
                Ok(None)
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
            if let Some(why) = why_it_stays(&app.block, &path) {
                app.complain(format!("\"{name}\" {why}"));
                return Vec::new();
            }
            let mut role = None;
            let commands = edit_block(app, |block| {
                block.layer_mut(&path).ok_or("no layer here")?.bypassed = true;
                // Alone a rule drops it; with the other bypassed convs gone first, one must too.
                match plan(block, Scope::Bypassed).dropped.get(&path) {
                    Some(dropped) if dropped.conv == path => role = Some(dropped.role),
                    _ => {
                        return Err(format!(
                            "With the other bypassed 1×1 convs gone, no rule drops \"{name}\""
                        ));
                    }
                }
                Ok(None)
            });
            if let Some(role) = role {
                app.inform(format!("Bypassed \"{name}\" ({})", role.label()));
            }
            commands
        }
    }
}

/// Why no rule can drop the 1×1 conv at `path` on its own, if none can.
fn why_it_stays(block: &Block, path: &NodePath) -> Option<&'static str> {
    if in_residual_shortcut(block, path) {
        return Some(
            "is in a residual's shortcut, which the rules leave alone: it makes the input \
             match the body's shape",
        );
    }
    role_of(block, path).is_none().then_some(
        "stays even without 1×1 convs: no conv after it, no conv before it, no pool before it",
    )
}

/// Whether the node at `path` is inside a residual's shortcut (chain 1), at any depth.
fn in_residual_shortcut(block: &Block, path: &NodePath) -> bool {
    // A path alternates node index and chain index: each odd position names a chain of the
    // composite the steps before it lead to.
    (1..path.0.len()).step_by(2).any(|chain| {
        path.0[chain] == 1
            && matches!(
                block.node(&NodePath(path.0[..chain].to_vec())),
                Some(Node::Residual(_))
            )
    })
}
