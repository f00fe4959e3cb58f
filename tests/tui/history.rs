//! The document's history: undo and redo of edits and of opening another block.
//! Through the key map and `update`, with no terminal and no threads; figures are Inception
//! 3a's and ResNet's bottleneck's, worked out in the comments.

use convtui::tui::action::{Action, Command};
use convtui::tui::update::update;
use ratatui::crossterm::event::KeyCode;
use std::path::PathBuf;

use crate::support::{app, ctrl, key, output_channels, press, select};

#[test]
fn d_deletes_and_u_and_ctrl_r_walk_the_history() {
    let mut app = app("inception3a");
    let original = app.block().clone();
    select(&mut app, "pool proj");
    press(&mut app, key(KeyCode::Char('d')));
    // Without the projection the pool passes its 192 channels on: 64 + 128 + 32 + 192.
    assert_eq!(output_channels(&app), 416);
    let after_delete = app.block().clone();
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('+')));
    assert_eq!(output_channels(&app), 424);
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(app.block(), &after_delete);
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(app.block(), &original);
    assert!(!app.is_modified());
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(app.block(), &original, "nothing more to undo");
    press(&mut app, ctrl('r'));
    press(&mut app, ctrl('r'));
    assert_eq!(output_channels(&app), 424);
    assert_eq!(app.document.redo_len(), 0);
}

#[test]
fn a_new_edit_clears_the_redo_history() {
    let mut app = app("inception3a");
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('+')));
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(app.document.redo_len(), 1);
    press(&mut app, key(KeyCode::Char('-')));
    assert_eq!(app.document.redo_len(), 0);
}

#[test]
fn p_switches_presets_and_undo_brings_the_block_back() {
    let mut app = app("inception3a");
    press(&mut app, key(KeyCode::Char('p')));
    press(&mut app, key(KeyCode::Char('j')));
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(app.block().name, "resnet_bottleneck");
    assert!(!app.is_modified());
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(app.block().name, "inception3a");
    assert_eq!(
        message(&app),
        "Undid: open preset resnet_bottleneck (no more)"
    );
    assert!(
        !app.is_modified(),
        "undoing the open brings back the old document unedited"
    );
    assert_eq!(
        press(&mut app, key(KeyCode::Char('q'))),
        vec![Command::Quit]
    );
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('+')));
    assert!(app.is_modified());
    press(&mut app, key(KeyCode::Char('u')));
    assert!(!app.is_modified());
    press(&mut app, ctrl('r'));
    assert!(app.is_modified(), "redo brings the edit back");
}

#[test]
fn redoing_an_open_brings_back_the_opened_preset_unedited() {
    let mut app = app("inception3a");
    press(&mut app, key(KeyCode::Char('p')));
    press(&mut app, key(KeyCode::Char('j')));
    press(&mut app, key(KeyCode::Enter));
    press(&mut app, key(KeyCode::Char('u')));
    press(&mut app, ctrl('r'));
    assert_eq!(app.block().name, "resnet_bottleneck");
    assert!(!app.is_modified());
}

#[test]
fn undoing_an_open_after_an_edit_brings_the_edit_back_as_modified() {
    let mut app = app("inception3a");
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('+')));
    press(&mut app, key(KeyCode::Char('p')));
    // Unsaved edits: the open asks first, and y lets them go (u brings them back).
    press(&mut app, key(KeyCode::Char('y')));
    press(&mut app, key(KeyCode::Char('j')));
    press(&mut app, key(KeyCode::Enter));
    assert!(!app.is_modified());
    press(&mut app, key(KeyCode::Char('u')));
    assert!(
        app.is_modified(),
        "the edit before the open was never saved"
    );
    press(&mut app, key(KeyCode::Char('u')));
    assert!(!app.is_modified());
}

/// A block that does not fit, opened after editing another, shows no figures: the greyed
/// "last that fit" would be the other block's.
#[test]
fn opening_a_broken_block_keeps_none_of_the_old_figures() {
    let mut app = app("inception3a");
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('+')));
    let mut broken = convtui::preset::builtin("resnet_bottleneck").unwrap();
    broken.input.c = 128;
    update(
        &mut app,
        Action::Opened {
            block: broken,
            path: PathBuf::from("broken.json"),
        },
    );
    assert!(app.error().is_some());
    assert!(app.figures().is_none(), "no figures from Inception");
    // Only its own 1×1s before the fault are left to time, none of Inception's.
    let names: Vec<_> = app.pointwise().iter().map(|p| p.name.clone()).collect();
    assert!(
        !names.is_empty() && !names.contains(&Some("1x1".into())),
        "{names:?}"
    );
    // Undo brings Inception back, with its figures.
    press(&mut app, key(KeyCode::Char('u')));
    assert!(app.figures().is_some());
}

fn message(app: &convtui::tui::app::App) -> &str {
    app.message.as_ref().map_or("", |m| m.text.as_str())
}

#[test]
fn undo_and_redo_say_what_they_took_back() {
    let mut app = app("inception3a");
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('+')));
    select(&mut app, "3x3");
    press(&mut app, key(KeyCode::Enter));
    press(&mut app, key(KeyCode::Tab)); // kernel
    crate::support::type_keys(&mut app, "5");
    press(&mut app, key(KeyCode::Enter));
    select(&mut app, "pool proj");
    press(&mut app, key(KeyCode::Char('d')));
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(message(&app), "Undid: delete pool proj (2 more)");
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(message(&app), "Undid: edit 3x3: kernel 3 → 5 (1 more)");
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(message(&app), "Undid: widen 1x1 to 72 (no more)");
    press(&mut app, ctrl('r'));
    assert_eq!(message(&app), "Redid: widen 1x1 to 72 (2 more)");
    press(&mut app, ctrl('r'));
    assert_eq!(message(&app), "Redid: edit 3x3: kernel 3 → 5 (1 more)");
}
