//! The structural edits of the Normal mode: widen and narrow, delete, add a branch, bypass a
//! 1×1 conv. Each goes through `edit_block`, so it is one undo step and never half-applied.

use crate::analysis::role_of;

use super::action::Command;
use super::app::App;
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

pub fn toggle_bypass(app: &mut App) -> Vec<Command> {
    let layer = app
        .selected_node_path()
        .cloned()
        .and_then(|path| Some((app.block.layer(&path)?.clone(), path)))
        .filter(|(layer, _)| layer.is_pointwise_conv());
    let Some((layer, path)) = layer else {
        app.complain("x bypasses a 1×1 conv; select one");
        return Vec::new();
    };
    let name = layer
        .name
        .clone()
        .unwrap_or_else(|| format!("layer {path}"));
    let role = role_of(&app.block, &path);
    if !layer.bypassed && role.is_none() {
        app.complain(format!(
            "\"{name}\" stays even without 1×1 convs: no conv after it, no conv before it, \
             no pool before it"
        ));
        return Vec::new();
    }
    let commands = edit_block(app, |block| {
        if let Some(layer) = block.layer_mut(&path) {
            layer.bypassed = !layer.bypassed;
        }
        Ok(None)
    });
    match (layer.bypassed, role) {
        (true, _) => app.inform(format!("Restored \"{name}\"")),
        (false, Some(role)) => app.inform(format!("Bypassed \"{name}\" ({})", role.label())),
        (false, None) => {}
    }
    commands
}
