//! A bypass flag that no rule honours any more (the 3×3 after it deleted, its kernel grown, a
//! file that sets it where nothing can drop it) is shown as such, still counts, and `x` clears
//! it; `x` on a residual's shortcut says why the rules leave it alone.

use convtui::analysis::Role;
use convtui::model::NodePath;
use convtui::preset;
use convtui::tui::Origin;
use convtui::tui::app::{App, Bypass, Level};
use ratatui::crossterm::event::KeyCode;

use crate::support::{app, key, press, screen, select, type_keys};

/// Inception 3a's "3x3 reduce": branch 1 of the concat, first node.
fn reduce() -> NodePath {
    NodePath(vec![0, 1, 0])
}

fn params(app: &App) -> u64 {
    app.summary().unwrap().block.totals.params()
}

fn message(app: &App) -> &str {
    &app.message.as_ref().expect("a message").text
}

/// The structure pane's line for the layer named `name`, at 120 columns.
fn row_of(app: &mut App, name: &str) -> String {
    screen(app, 120, 40)
        .lines()
        .find(|line| {
            line.split('│')
                .nth(1)
                .is_some_and(|cell| cell.trim_start_matches(['›', ' ']).starts_with(name))
        })
        .unwrap_or_else(|| panic!("no row for {name}"))
        .to_string()
}

#[test]
fn a_bypass_whose_3x3_is_deleted_says_no_rule_counts_and_x_clears_it() {
    let mut app = app("inception3a");
    let before = params(&app);
    select(&mut app, "3x3 reduce");
    press(&mut app, key(KeyCode::Char('x')));
    assert_eq!(app.bypass(&reduce()), Some(Bypass::Dropped(Role::Reduce)));
    assert!(row_of(&mut app, "3x3 reduce").contains("bypassed reduce"));
    select(&mut app, "3x3");
    press(&mut app, key(KeyCode::Char('d')));
    // The reduce now feeds the ReLU and the concat: nothing drops it, so it runs.
    assert!(app.block().layer(&reduce()).unwrap().bypassed);
    assert_eq!(app.bypass(&reduce()), Some(Bypass::NoRule));
    // Without the 3×3 (3·3·96·128 + 128) and with the reduce's 192·96 + 96 still counted.
    assert_eq!(params(&app), before - (9 * 96 * 128 + 128));
    let row = row_of(&mut app, "3x3 reduce");
    assert!(row.contains("bypass: no rule"), "{row}");
    assert!(!row.contains("bypassed"), "{row}");
    assert!(row.contains("18.5K"), "its params show: {row}");

    select(&mut app, "3x3 reduce");
    let undo_depth = app.document.undo_len();
    press(&mut app, key(KeyCode::Char('x')));
    assert!(!app.block().layer(&reduce()).unwrap().bypassed);
    assert_eq!(
        app.document.undo_len(),
        undo_depth + 1,
        "clearing is one undo step"
    );
    assert!(
        message(&app).contains("Cleared the bypass flag"),
        "{}",
        message(&app)
    );
    assert_eq!(
        params(&app),
        before - (9 * 96 * 128 + 128),
        "no figure changes"
    );
}

#[test]
fn a_file_bypassing_a_1x1_no_rule_drops_shows_it_running_and_x_clears_it() {
    let mut block = preset::builtin("inception3a").unwrap();
    let one_by_one = NodePath(vec![0, 0, 0]);
    block.layer_mut(&one_by_one).unwrap().bypassed = true;
    let mut app = crate::support::app_of(block, Origin::File("flagged.json".into()));
    let fresh = crate::support::app("inception3a");
    assert_eq!(params(&app), params(&fresh), "the flag changes nothing");
    assert_eq!(app.bypass(&one_by_one), Some(Bypass::NoRule));
    let row = row_of(&mut app, "1x1");
    assert!(row.contains("bypass: no rule"), "{row}");
    assert!(row.contains("12.4K"), "its params show: {row}");
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('x')));
    assert!(!app.block().layer(&one_by_one).unwrap().bypassed);
    assert_eq!(app.message.as_ref().unwrap().level, Level::Info);
    assert!(message(&app).contains("Cleared"), "{}", message(&app));
}

#[test]
fn growing_a_bypassed_1x1_in_the_form_clears_its_flag() {
    let mut app = app("inception3a");
    select(&mut app, "3x3 reduce");
    press(&mut app, key(KeyCode::Char('x')));
    press(&mut app, key(KeyCode::Enter));
    press(&mut app, key(KeyCode::Tab)); // kernel
    press(&mut app, key(KeyCode::Backspace));
    type_keys(&mut app, "3");
    press(&mut app, key(KeyCode::Tab)); // stride
    press(&mut app, key(KeyCode::Tab)); // padding
    press(&mut app, key(KeyCode::Backspace));
    type_keys(&mut app, "1");
    press(&mut app, key(KeyCode::Enter));
    let layer = app.block().layer(&reduce()).unwrap();
    assert!(!layer.is_pointwise_conv());
    assert!(!layer.bypassed, "a 3×3 cannot be bypassed");
    assert_eq!(app.bypass(&reduce()), None);
}

#[test]
fn x_on_a_shortcut_1x1_says_the_rules_leave_shortcuts_alone() {
    let mut app = app("resnet_downsample");
    select(&mut app, "downsample.0");
    press(&mut app, key(KeyCode::Char('x')));
    assert_eq!(app.document.undo_len(), 0);
    let text = message(&app);
    assert!(text.contains("shortcut"), "{text}");
    assert!(!text.contains("no conv after it"), "{text}");
}

#[test]
fn x_elsewhere_still_says_why_a_1x1_stays() {
    let mut app = app("inception3a");
    select(&mut app, "1x1");
    press(&mut app, key(KeyCode::Char('x')));
    assert_eq!(app.document.undo_len(), 0);
    assert!(message(&app).contains("no conv after it"));
}
