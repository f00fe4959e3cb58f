//! The dialogs: the edit form, path prompts, quitting with unsaved edits, help, and the export.
//! Through the key map and `update`, with no terminal and no threads; figures are Inception
//! 3a's and ResNet's bottleneck's, worked out in the comments.

use convtui::tui::action::{Action, Command};
use convtui::tui::app::Mode;
use convtui::tui::export::export_doc;
use convtui::tui::update::update;
use ratatui::crossterm::event::KeyCode;
use std::path::PathBuf;

use crate::support::{app, ctrl, key, output_channels, press, select, type_keys};

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

/// Inception 3a's conv named "3x3", as the form left it.
fn conv_3x3(app: &convtui::tui::app::App) -> convtui::model::Conv {
    let layer = app.block().layer(&convtui::model::NodePath(vec![0, 1, 2]));
    layer
        .and_then(|l| l.as_conv())
        .cloned()
        .expect("the 3x3 conv")
}

#[test]
fn a_field_entered_is_replaced_by_what_is_typed() {
    let mut app = app("inception3a");
    select(&mut app, "3x3");
    press(&mut app, key(KeyCode::Enter));
    type_keys(&mut app, "96"); // out channels, was 128
    press(&mut app, key(KeyCode::Tab)); // kernel, was 3
    type_keys(&mut app, "5");
    press(&mut app, key(KeyCode::Tab)); // stride
    press(&mut app, key(KeyCode::Tab)); // padding, was 1
    type_keys(&mut app, "2");
    press(&mut app, key(KeyCode::Enter));
    let conv = conv_3x3(&app);
    assert_eq!(
        (conv.out_channels, conv.kernel.h, conv.padding.begin.h),
        (96, 5, 2)
    );
}

#[test]
fn a_movement_key_keeps_the_entered_text() {
    let mut app = app("inception3a");
    select(&mut app, "3x3");
    press(&mut app, key(KeyCode::Enter));
    press(&mut app, key(KeyCode::End));
    type_keys(&mut app, "0"); // 128 → 1280
    press(&mut app, key(KeyCode::Tab)); // kernel 3
    press(&mut app, key(KeyCode::Home));
    type_keys(&mut app, "1x"); // 1x3
    press(&mut app, key(KeyCode::Tab)); // stride 1
    press(&mut app, key(KeyCode::Tab)); // padding 1
    press(&mut app, key(KeyCode::Left));
    type_keys(&mut app, "0x"); // 0x1
    press(&mut app, key(KeyCode::Enter));
    let conv = conv_3x3(&app);
    assert_eq!(conv.out_channels, 1280);
    assert_eq!((conv.kernel.h, conv.kernel.w), (1, 3));
    assert_eq!((conv.padding.begin.h, conv.padding.begin.w), (0, 1));
}

#[test]
fn ctrl_u_deletes_to_the_start_of_the_line_in_form_fields_and_prompts() {
    let mut app = app("inception3a");
    select(&mut app, "3x3");
    press(&mut app, key(KeyCode::Enter));
    press(&mut app, ctrl('u')); // the selected 128 goes whole
    type_keys(&mut app, "64");
    press(&mut app, key(KeyCode::Left));
    press(&mut app, ctrl('u')); // "4" stays
    type_keys(&mut app, "9");
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(conv_3x3(&app).out_channels, 94);
    press(&mut app, key(KeyCode::Char('s')));
    for _ in 0.."json".len() + 1 {
        press(&mut app, key(KeyCode::Left));
    }
    press(&mut app, ctrl('u'));
    type_keys(&mut app, "mine");
    assert_eq!(
        press(&mut app, key(KeyCode::Enter)),
        vec![Command::Save(PathBuf::from("mine.json"))]
    );
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
    assert!(without.remove("whole").is_some());
    without.remove("whole_note");
    assert_eq!(serde_json::Value::Object(without), expected);
    assert_eq!(throughput["layers"].as_array().unwrap().len(), 4);
}

#[test]
fn the_open_prompt_shows_where_relative_paths_start_and_tab_completes() {
    let dir = std::env::temp_dir().join(format!("convtui-tab-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("blocks")).unwrap();
    for file in ["resnet.json", "resnet.onnx", "blocks/mine.json"] {
        std::fs::write(dir.join(file), "{}").unwrap();
    }
    let mut app = app("inception3a");
    app.cwd = Some(dir.join("blocks"));
    app.home = Some(dir.clone());
    press(&mut app, key(KeyCode::Char('o')));
    let text = crate::support::screen(&mut app, 120, 40);
    assert!(text.contains("relative paths are from ~/blocks"), "{text}");
    let typed = |app: &convtui::tui::app::App| match &app.mode {
        Mode::Prompt { input, .. } => input.text().to_string(),
        other => panic!("the prompt stays open: {other:?}"),
    };
    press(&mut app, key(KeyCode::Tab));
    assert_eq!(typed(&app), "mine.json", "one entry fills in");
    press(&mut app, ctrl('u'));
    type_keys(&mut app, "~/res");
    press(&mut app, key(KeyCode::Tab));
    assert_eq!(typed(&app), "~/resnet.", "two fill in what they share");
    let text = crate::support::screen(&mut app, 120, 40);
    assert!(text.contains("resnet.json  resnet.onnx"), "{text}");
    type_keys(&mut app, "j");
    assert!(app.completion.is_none(), "the list answers Tab only");
    press(&mut app, key(KeyCode::Tab));
    assert_eq!(typed(&app), "~/resnet.json");
    std::fs::remove_dir_all(&dir).unwrap();
}
