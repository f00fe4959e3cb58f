//! Moving around: rows, pages, panes, and the selection following the 1×1 layers.
//! Through the key map and `update`, with no terminal and no threads; figures are Inception
//! 3a's and ResNet's bottleneck's, worked out in the comments.

use convtui::analysis::OUTPUT_CHANNELS;
use convtui::tui::app::Pane;
use ratatui::crossterm::event::KeyCode;

use crate::support::{app, key, press};

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
