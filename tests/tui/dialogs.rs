//! Nothing replaced without asking: opening another block over unsaved edits, saving over a
//! file the user did not open, and the edits a session that ended unsaved left behind.

use convtui::model::Block;
use convtui::tui::Origin;
use convtui::tui::action::Command;
use convtui::tui::app::{AfterDiscard, Mode, PromptPurpose};
use ratatui::crossterm::event::KeyCode;

use crate::support::{app, app_of, ctrl, key, press, type_keys};

fn edited() -> convtui::tui::app::App {
    let mut app = app("inception3a");
    press(&mut app, key(KeyCode::Char('j')));
    press(&mut app, key(KeyCode::Char('j')));
    press(&mut app, key(KeyCode::Char('+')));
    assert!(app.is_modified());
    app
}

#[test]
fn o_and_p_over_unsaved_edits_ask_first() {
    let mut app = edited();
    press(&mut app, key(KeyCode::Char('o')));
    assert_eq!(
        app.mode,
        Mode::ConfirmDiscard {
            then: AfterDiscard::OpenPrompt
        }
    );
    press(&mut app, key(KeyCode::Char('n')));
    assert_eq!(app.mode, Mode::Normal);
    assert!(app.is_modified(), "the edits stay");
    press(&mut app, key(KeyCode::Char('p')));
    assert!(matches!(app.mode, Mode::ConfirmDiscard { .. }));
    press(&mut app, key(KeyCode::Char('s')));
    assert!(matches!(
        app.mode,
        Mode::Prompt {
            purpose: PromptPurpose::Save,
            ..
        }
    ));
    press(&mut app, key(KeyCode::Esc));
    press(&mut app, key(KeyCode::Char('p')));
    press(&mut app, key(KeyCode::Char('y')));
    assert_eq!(app.mode, Mode::PresetPicker { selected: 0 });
    // Unchanged, nothing is asked.
    let mut fresh = crate::support::app("nin");
    press(&mut fresh, key(KeyCode::Char('o')));
    assert!(matches!(fresh.mode, Mode::Prompt { .. }));
}

#[test]
fn saving_over_a_file_it_did_not_open_asks_and_over_its_own_does_not() {
    let dir = std::env::temp_dir().join(format!("convtui-overwrite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let other = dir.join("other.json");
    std::fs::write(&other, "{}").unwrap();
    let mut app = edited();
    press(&mut app, key(KeyCode::Char('s')));
    press(&mut app, ctrl('u'));
    type_keys(&mut app, other.to_str().unwrap());
    let commands = press(&mut app, key(KeyCode::Enter));
    assert!(commands.is_empty(), "nothing written yet");
    assert!(matches!(app.mode, Mode::ConfirmOverwrite { .. }));
    press(&mut app, key(KeyCode::Char('n')));
    assert!(matches!(app.mode, Mode::Prompt { .. }), "back to the path");
    let commands = press(&mut app, key(KeyCode::Enter));
    assert!(commands.is_empty());
    let commands = press(&mut app, key(KeyCode::Char('y')));
    assert_eq!(commands, [Command::Save(other.clone())]);
    // A document opened from that file saves back to it without a question.
    let block: Block = convtui::preset::builtin("nin").unwrap();
    let mut own = app_of(block, Origin::File(other.clone()));
    press(&mut own, key(KeyCode::Char('+')));
    press(&mut own, key(KeyCode::Char('s')));
    let commands = press(&mut own, key(KeyCode::Enter));
    assert_eq!(commands, [Command::Save(other)]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn kept_edits_are_offered_and_recovered_as_an_edit_undo_takes_back() {
    let mut app = app("inception3a");
    let mut kept = app.block().clone();
    kept.name = "kept".into();
    app.mode = Mode::OfferRecovery {
        block: kept,
        path: "/tmp/none.recovery.json".into(),
        age: "5 s ago".into(),
    };
    press(&mut app, key(KeyCode::Char('r')));
    assert_eq!(app.block().name, "kept");
    assert!(app.is_modified());
    press(&mut app, key(KeyCode::Char('u')));
    assert_eq!(app.block().name, "inception3a");
    // Discarding asks the loop to delete the file.
    app.mode = Mode::OfferRecovery {
        block: app.block().clone(),
        path: "/tmp/none.recovery.json".into(),
        age: "5 s ago".into(),
    };
    let commands = press(&mut app, key(KeyCode::Char('d')));
    assert_eq!(
        commands,
        [Command::DiscardRecovery("/tmp/none.recovery.json".into())]
    );
}

#[test]
fn a_block_that_does_not_fit_is_saved_and_the_message_says_where_it_breaks() {
    let mut app = app("resnet_bottleneck");
    crate::support::select(&mut app, "res2b_branch2c");
    press(&mut app, key(KeyCode::Char('-'))); // 256 → 248: the residual no longer adds up
    let error = app.error().expect("the block is broken").to_string();
    press(&mut app, key(KeyCode::Char('s')));
    let commands = press(&mut app, key(KeyCode::Enter));
    let [Command::Save(path)] = commands.as_slice() else {
        panic!("a broken block is still saved: {commands:?}")
    };
    convtui::tui::update::update(&mut app, convtui::tui::action::Action::Saved(path.clone()));
    let message = app.message.as_ref().expect("a message");
    assert_eq!(
        message.text,
        format!("Saved to resnet_bottleneck.json — the block is invalid at {error}")
    );
    assert_eq!(message.level, convtui::tui::app::Level::Error);
    assert!(!app.is_modified(), "what was saved is the edited block");
}
