//! Every key's effect on the state, through the key map and `update`, with no terminal and no
//! threads. Figures are Inception 3a's and ResNet's bottleneck's, worked out in the comments.

use convtui::analysis::OUTPUT_CHANNELS;
use convtui::model::{LayerKind, NodePath};
use convtui::tui::action::{Action, Command};
use convtui::tui::app::{App, Mode, Pane};
use convtui::tui::export::export_doc;
use convtui::tui::update::update;
use ratatui::crossterm::event::KeyCode;
use std::path::PathBuf;

use crate::support::{app, ctrl, key, press, select, type_keys};

fn output_channels(app: &App) -> usize {
    app.summary().expect("the block fits").block.totals.output.c
}

fn params(app: &App) -> u64 {
    app.summary().expect("the block fits").block.totals.params()
}

fn out_channels(app: &App, path: &[usize]) -> usize {
    match &app.block().layer(&NodePath(path.to_vec())).unwrap().kind {
        LayerKind::Conv(conv) => conv.out_channels,
        other => panic!("not a conv: {other:?}"),
    }
}

#[test]
fn the_first_screen_has_256_against_416() {
    let app = app("inception3a");
    let comparison = app.summary().unwrap().comparison().unwrap();
    assert_eq!(comparison.get(&OUTPUT_CHANNELS).block, 256);
    assert_eq!(comparison.get(&OUTPUT_CHANNELS).counterpart, 416);
}

#[test]
fn moving_around_with_arrows_hjkl_and_home_end() {
    let mut app = app("inception3a");
    press(&mut app, key(KeyCode::Char('j')));
    press(&mut app, key(KeyCode::Down));
    assert_eq!(app.cursor.selected, 2);
    press(&mut app, key(KeyCode::Char('k')));
    assert_eq!(app.cursor.selected, 1);
    press(&mut app, key(KeyCode::Char('G')));
    assert_eq!(app.cursor.selected, 17);
    press(&mut app, key(KeyCode::Down));
    assert_eq!(app.cursor.selected, 17, "stays on the last row");
    press(&mut app, key(KeyCode::Home));
    press(&mut app, key(KeyCode::Up));
    assert_eq!(app.cursor.selected, 0);
    press(&mut app, key(KeyCode::Char('l')));
    assert!(app.cursor.selected > 1, "l pages down");
}

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
fn enter_edits_fields_in_a_form() {
    let mut app = app("inception3a");
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Enter));
    assert!(matches!(app.mode, Mode::Edit(_)));
    press(&mut app, key(KeyCode::Backspace));
    press(&mut app, key(KeyCode::Backspace));
    type_keys(&mut app, "80");
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(output_channels(&app), 256 - 64 + 80);
}

#[test]
fn a_bad_form_value_stays_in_the_form_and_esc_changes_nothing() {
    let mut app = app("inception3a");
    select(&mut app, "3x3");
    press(&mut app, key(KeyCode::Enter));
    type_keys(&mut app, "x");
    press(&mut app, key(KeyCode::Enter));
    let Mode::Edit(form) = &app.mode else {
        panic!("the form stays open")
    };
    assert!(form.error.as_ref().unwrap().starts_with("out channels:"));
    press(&mut app, key(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.document.undo_len(), 0);
}

#[test]
fn the_form_changes_kernel_and_padding() {
    let mut app = app("inception3a");
    select(&mut app, "3x3");
    press(&mut app, key(KeyCode::Enter));
    press(&mut app, key(KeyCode::Tab)); // kernel
    press(&mut app, key(KeyCode::Backspace));
    type_keys(&mut app, "5");
    press(&mut app, key(KeyCode::Tab)); // stride
    press(&mut app, key(KeyCode::Tab)); // padding
    press(&mut app, key(KeyCode::Backspace));
    type_keys(&mut app, "2");
    press(&mut app, key(KeyCode::Enter));
    let row = app.summary().unwrap().block.rows.iter().find_map(|r| {
        r.as_layer()
            .filter(|l| l.name.as_deref() == Some("3x3"))
            .cloned()
    });
    // 5·5·96·128 weights + 128 biases.
    assert_eq!(row.unwrap().params(), 5 * 5 * 96 * 128 + 128);
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
        (conv.kernel.h, conv.out_channels, conv.padding.h),
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
fn d_on_a_branch_row_removes_the_branch() {
    let mut app = app("inception3a");
    press(&mut app, key(KeyCode::Char('j'))); // branch 1
    press(&mut app, key(KeyCode::Char('d')));
    assert_eq!(output_channels(&app), 192);
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

#[test]
fn s_and_e_prompt_with_default_paths_and_o_with_an_empty_one() {
    let mut app = app("inception3a");
    press(&mut app, key(KeyCode::Char('s')));
    let commands = press(&mut app, key(KeyCode::Enter));
    assert_eq!(
        commands,
        vec![Command::Save(PathBuf::from("inception3a.json"))]
    );
    update(&mut app, Action::Saved(PathBuf::from("inception3a.json")));
    assert_eq!(app.mode, Mode::Normal);
    press(&mut app, key(KeyCode::Char('e')));
    let commands = press(&mut app, key(KeyCode::Enter));
    assert_eq!(
        commands,
        vec![Command::Export(PathBuf::from("inception3a.summary.json"))]
    );
    update(&mut app, Action::CommandFailed("disk full".into()));
    assert!(
        matches!(app.mode, Mode::Prompt { .. }),
        "a failed write keeps the prompt"
    );
    press(&mut app, ctrl('u'));
    type_keys(&mut app, "other.json");
    let commands = press(&mut app, key(KeyCode::Enter));
    assert_eq!(commands, vec![Command::Export(PathBuf::from("other.json"))]);
    press(&mut app, key(KeyCode::Esc));
    press(&mut app, key(KeyCode::Char('o')));
    assert!(
        press(&mut app, key(KeyCode::Enter)).is_empty(),
        "no path, no open"
    );
}

#[test]
fn q_quits_at_once_without_edits_and_asks_with_them() {
    let mut app = app("inception3a");
    assert_eq!(
        press(&mut app, key(KeyCode::Char('q'))),
        vec![Command::Quit]
    );
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('+')));
    assert!(press(&mut app, key(KeyCode::Char('q'))).is_empty());
    assert_eq!(app.mode, Mode::ConfirmQuit);
    press(&mut app, key(KeyCode::Char('n')));
    assert_eq!(app.mode, Mode::Normal);
    press(&mut app, key(KeyCode::Char('q')));
    assert_eq!(
        press(&mut app, key(KeyCode::Char('y'))),
        vec![Command::Quit]
    );
}

#[test]
fn saving_from_the_quit_question_quits_once_saved() {
    let mut app = app("inception3a");
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('+')));
    press(&mut app, key(KeyCode::Char('q')));
    press(&mut app, key(KeyCode::Char('s')));
    let commands = press(&mut app, key(KeyCode::Enter));
    assert!(matches!(commands.as_slice(), [Command::Save(_)]));
    let after = update(&mut app, Action::Saved(PathBuf::from("inception3a.json")));
    assert_eq!(after, vec![Command::Quit]);
}

#[test]
fn saving_from_the_quit_question_quits_after_a_failed_save_is_retried() {
    let mut app = app("inception3a");
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('+')));
    press(&mut app, key(KeyCode::Char('q')));
    press(&mut app, key(KeyCode::Char('s')));
    press(&mut app, key(KeyCode::Enter));
    update(
        &mut app,
        Action::CommandFailed("read-only file system".into()),
    );
    assert!(matches!(app.mode, Mode::Prompt { .. }), "the prompt stays");
    press(&mut app, ctrl('u'));
    type_keys(&mut app, "elsewhere.json");
    let commands = press(&mut app, key(KeyCode::Enter));
    assert_eq!(
        commands,
        vec![Command::Save(PathBuf::from("elsewhere.json"))]
    );
    let after = update(&mut app, Action::Saved(PathBuf::from("elsewhere.json")));
    assert_eq!(after, vec![Command::Quit], "the retried save still quits");
}

#[test]
fn cancelling_the_save_prompt_after_a_failure_gives_up_on_quitting() {
    let mut app = app("inception3a");
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('+')));
    press(&mut app, key(KeyCode::Char('q')));
    press(&mut app, key(KeyCode::Char('s')));
    press(&mut app, key(KeyCode::Enter));
    update(
        &mut app,
        Action::CommandFailed("read-only file system".into()),
    );
    press(&mut app, key(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);
    press(&mut app, key(KeyCode::Char('s')));
    press(&mut app, key(KeyCode::Enter));
    let after = update(&mut app, Action::Saved(PathBuf::from("inception3a.json")));
    assert!(after.is_empty(), "a plain save later does not quit");
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut app = app("inception3a");
    press(&mut app, key(KeyCode::Char('?')));
    assert!(matches!(app.mode, Mode::Help { .. }));
    press(&mut app, key(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn tab_moves_to_the_throughput_pane_and_the_selection_follows_the_1x1_layers() {
    let mut app = app("inception3a");
    press(&mut app, key(KeyCode::Tab));
    assert_eq!(app.cursor.focus, Pane::Throughput);
    press(&mut app, key(KeyCode::Char('j')));
    let name = app
        .block()
        .node(app.selected_target().unwrap().node_path())
        .unwrap()
        .name();
    assert_eq!(name, Some("3x3 reduce"));
    press(&mut app, key(KeyCode::Tab));
    assert_eq!(app.cursor.focus, Pane::Structure);
}

#[test]
fn the_export_is_the_summary_document_plus_throughput() {
    let app = app("inception3a");
    let doc = serde_json::to_value(export_doc(&app).unwrap()).unwrap();
    let summary = convtui::analysis::Summary::of(app.block()).unwrap();
    let expected = serde_json::to_value(convtui::report::summary_json::summary_doc(
        app.block(),
        &summary,
    ))
    .unwrap();
    let mut without = doc.as_object().unwrap().clone();
    let throughput = without.remove("throughput").unwrap();
    assert_eq!(serde_json::Value::Object(without), expected);
    assert_eq!(throughput["layers"].as_array().unwrap().len(), 4);
}
