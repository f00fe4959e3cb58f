//! Random key sequences on random terminal sizes: nothing panics, and whenever a key changes the
//! document, undo gives back exactly the document before it (and redo the one after).

use convtui::tui::action::Action;
use convtui::tui::app::Mode;
use convtui::tui::update::update;
use proptest::prelude::*;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::support::{app, ctrl, key, press, screen};

const PRESETS: [&str; 3] = ["inception3a", "resnet_bottleneck", "nin"];

fn keys() -> Vec<KeyEvent> {
    let mut keys: Vec<KeyEvent> = "jkhlgG+-adbxup?qynsre0123456789 ."
        .chars()
        .map(|c| key(KeyCode::Char(c)))
        .collect();
    keys.extend(
        [
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Backspace,
            KeyCode::Delete,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::Home,
            KeyCode::End,
        ]
        .map(key),
    );
    keys.push(ctrl('r'));
    keys.push(ctrl('u'));
    keys
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn never_panics_and_undo_restores(
        preset in 0..PRESETS.len(),
        presses in prop::collection::vec((0..45usize, 1u16..160, 1u16..50), 1..60),
    ) {
        let keys = keys();
        let mut app = app(PRESETS[preset]);
        let original = app.block().clone();
        for (index, width, height) in presses {
            let before = app.block().clone();
            let depth = app.document.undo_len();
            press(&mut app, keys[index % keys.len()]);
            if app.document.undo_len() == depth + 1 && *app.block() != before {
                let after = app.block().clone();
                update(&mut app, Action::Undo);
                prop_assert_eq!(app.block(), &before);
                update(&mut app, Action::Redo);
                prop_assert_eq!(app.block(), &after);
            }
            screen(&mut app, width, height);
        }
        app.mode = Mode::Normal;
        while app.document.undo_len() != 0 {
            update(&mut app, Action::Undo);
        }
        prop_assert_eq!(app.block(), &original);
        prop_assert!(app.error().is_none());
    }
}
