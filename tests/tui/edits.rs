//! Structural edits from the keys: widths, bypass, adding and deleting layers and branches, and an edit that breaks the block.
//! Through the key map and `update`, with no terminal and no threads; figures are Inception
//! 3a's and ResNet's bottleneck's, worked out in the comments.

use convtui::model::{LayerKind, NodePath};
use convtui::tui::app::Mode;
use ratatui::crossterm::event::KeyCode;

use crate::support::{app, key, out_channels, output_channels, params, press, select};

#[test]
fn plus_and_minus_step_the_width_and_every_figure_follows() {
    let mut app = app("inception3a");
    select(&mut app, "1x1");
    let before = params(&app);
    press(&mut app, key(KeyCode::Char('+')));
    assert_eq!(out_channels(&app, &[0, 0, 0]), 72);
    assert_eq!(output_channels(&app), 256 + 8);
    // 8 more output channels of a 1×1 over 192 inputs: 8·192 weights + 8 biases.
    assert_eq!(params(&app), before + 8 * 192 + 8);
    press(&mut app, key(KeyCode::Char('-')));
    press(&mut app, key(KeyCode::Char('-')));
    assert_eq!(output_channels(&app), 248);
    assert_eq!(app.document.undo_len(), 3);
}

#[test]
fn a_width_never_leaves_its_range() {
    let mut app = app("inception3a");
    select(&mut app, "5x5 reduce");
    for _ in 0..20 {
        press(&mut app, key(KeyCode::Char('-')));
    }
    assert_eq!(out_channels(&app, &[0, 2, 0]), 1);
}

#[test]
fn minus_on_a_relu_explains_instead_of_changing() {
    let mut app = app("inception3a");
    select(&mut app, "relu_1x1");
    let commands = press(&mut app, key(KeyCode::Char('-')));
    assert!(commands.is_empty() && app.document.undo_len() == 0);
    assert!(app.message.as_ref().unwrap().text.contains("no width"));
}

#[test]
fn x_bypasses_a_reduction_and_restores_it() {
    let mut app = app("inception3a");
    select(&mut app, "3x3 reduce");
    let before = params(&app);
    press(&mut app, key(KeyCode::Char('x')));
    assert!(
        app.block()
            .layer(&NodePath(vec![0, 1, 0]))
            .unwrap()
            .bypassed
    );
    // The 3×3 now reads all 192 channels: 3·3·192·128 + 128 instead of
    // (192·96 + 96) + (3·3·96·128 + 128).
    let after = before - (192 * 96 + 96) - (9 * 96 * 128 + 128) + (9 * 192 * 128 + 128);
    assert_eq!(params(&app), after);
    assert_eq!(output_channels(&app), 256);
    press(&mut app, key(KeyCode::Char('x')));
    assert_eq!(params(&app), before);
}

#[test]
fn x_on_a_1x1_that_no_rule_removes_says_why() {
    let mut app = app("inception3a");
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('x')));
    assert_eq!(app.document.undo_len(), 0);
    assert!(app.message.as_ref().unwrap().text.contains("stays"));
}

#[test]
fn a_adds_a_relu_after_a_conv_and_a_3x3_conv_elsewhere() {
    let mut app = app("inception3a");
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('a')));
    assert!(matches!(app.mode, Mode::AddLayer { .. }));
    press(&mut app, key(KeyCode::Enter));
    let added = app.block().layer(&NodePath(vec![0, 0, 1])).unwrap();
    assert_eq!(added.kind, LayerKind::Relu);
    // The new row is selected; adding again after a ReLU gives a 3×3 conv of the width there.
    press(&mut app, key(KeyCode::Char('a')));
    press(&mut app, key(KeyCode::Enter));
    let conv = app.block().layer(&NodePath(vec![0, 0, 2])).unwrap();
    let conv = conv.as_conv().unwrap();
    assert_eq!(
        (conv.kernel.h, conv.out_channels, conv.padding.begin.h),
        (3, 64, 1)
    );
    assert_eq!(output_channels(&app), 256);
}

#[test]
fn the_add_menu_offers_a_1x1_conv() {
    let mut app = app("resnet_bottleneck");
    press(&mut app, key(KeyCode::Char('G'))); // the final relu
    press(&mut app, key(KeyCode::Char('a')));
    press(&mut app, key(KeyCode::Char('g'))); // not a picker key: nothing happens
    for _ in 0..3 {
        press(&mut app, key(KeyCode::Char('k')));
    }
    press(&mut app, key(KeyCode::Char('j'))); // conv 3×3 → conv 1×1
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(app.pointwise().len(), 3);
}

#[test]
fn d_on_a_branch_row_removes_the_branch() {
    let mut app = app("inception3a");
    press(&mut app, key(KeyCode::Char('j'))); // branch 1
    press(&mut app, key(KeyCode::Char('d')));
    assert_eq!(output_channels(&app), 192);
}

#[test]
fn d_says_what_it_removed() {
    let mut app = app("inception3a");
    select(&mut app, "3x3 reduce");
    press(&mut app, key(KeyCode::Char('k'))); // branch 2
    press(&mut app, key(KeyCode::Char('d')));
    let said = |app: &convtui::tui::app::App| app.message.as_ref().unwrap().text.clone();
    assert_eq!(
        said(&app),
        "Removed branch 2 of inception (3a) (4 layers) — u undoes"
    );
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(
        said(&app),
        "Undid: delete branch 2 of inception (3a) (no more)"
    );
    select(&mut app, "pool proj");
    press(&mut app, key(KeyCode::Char('d')));
    assert_eq!(said(&app), "Deleted pool proj — u undoes");
    press(&mut app, key(KeyCode::Char('g'))); // the concat
    // 2 + 4 + 4 + 3 layers, less the pool projection.
    press(&mut app, key(KeyCode::Char('d')));
    assert_eq!(said(&app), "Deleted inception (3a) (12 layers) — u undoes");
}

#[test]
fn b_adds_a_branch_to_the_enclosing_concat() {
    let mut app = app("inception3a");
    select(&mut app, "5x5");
    press(&mut app, key(KeyCode::Char('b')));
    // The new branch is a 1×1 conv to 32 channels.
    assert_eq!(output_channels(&app), 256 + 32);
    assert_eq!(app.pointwise().len(), 5);
    let mut resnet = crate::support::app("resnet_bottleneck");
    press(&mut resnet, key(KeyCode::Char('b')));
    assert_eq!(resnet.document.undo_len(), 0);
}

#[test]
fn an_edit_that_breaks_the_block_names_the_layer_keeps_stale_figures_and_undo_repairs() {
    let mut app = app("resnet_bottleneck");
    select(&mut app, "res2b_branch2c");
    press(&mut app, key(KeyCode::Char('-')));
    let error = app
        .error()
        .expect("the residual no longer adds up")
        .to_string();
    assert!(error.contains("residual 0 \"res2b\""), "{error}");
    assert!(error.contains("56×56×248"), "{error}");
    let (stale, is_stale) = app.figures().unwrap();
    assert!(is_stale);
    assert_eq!(stale.block.totals.output.c, 256);
    press(&mut app, key(KeyCode::Char('u')));
    assert!(app.error().is_none() && app.figures().is_some_and(|(_, stale)| !stale));
}

/// The row the structure pane marks ✗, by the name of its node.
fn marked(app: &convtui::tui::app::App) -> Option<String> {
    let path = app.failing_path()?;
    let node = app.block().node(path)?;
    Some(node.name().unwrap_or("?").to_string())
}

#[test]
fn the_layer_whose_edit_broke_the_block_is_marked_and_the_message_says_where_it_shows() {
    let mut app = app("resnet_bottleneck");
    select(&mut app, "res2b_branch2c");
    press(&mut app, key(KeyCode::Char('-')));
    assert_eq!(marked(&app).as_deref(), Some("res2b_branch2c"));
    let error = app.error().unwrap().to_string();
    assert!(error.starts_with("residual 0 \"res2b\""), "{error}");
    // Another edit that moves no node keeps the mark on the cause.
    select(&mut app, "res2b_branch2a");
    press(&mut app, key(KeyCode::Char('+')));
    assert_eq!(marked(&app).as_deref(), Some("res2b_branch2c"));
    // Undo knows no cause: the mark goes back to where inference found the mismatch.
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(marked(&app).as_deref(), Some("res2b"));
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(marked(&app), None);
}
