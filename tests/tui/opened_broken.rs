//! A file whose block does not fit, opened as it is: the screen says what is wrong, shows the
//! layers up to the fault with their shapes and 1×1s, and offers only what exists — no greyed
//! figures and no undo before the first edit.

use std::path::PathBuf;

use convtui::preset;
use convtui::tui::Origin;
use convtui::tui::action::Command;
use convtui::tui::update::start;

use crate::support::{app_of, screen};

#[test]
fn a_file_opened_broken_promises_neither_figures_nor_undo() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/invalid/residual_mismatch.json");
    let block = preset::load(&path).expect("the file reads; only its shapes are wrong");
    let mut app = app_of(block, Origin::File(path));
    let text = screen(&mut app, 120, 40);
    assert!(text.contains('✗'), "{text}");
    assert!(text.contains("no figures until the block fits"), "{text}");
    assert!(
        !text.contains("last that fit"),
        "no figures ever fitted: {text}"
    );
    assert!(!text.contains("u undoes"), "nothing to undo yet: {text}");
    // The layer before the fault keeps its shape and counts, and its 1×1 is listed to time.
    assert!(text.contains("8×8×32"), "expand's output: {text}");
    assert!(
        text.contains("16→32 8×8"),
        "expand in the throughput pane: {text}"
    );
    assert!(!text.contains("no 1×1 convolutions"), "it has one: {text}");
    assert!(
        text.contains("not run: the block does not fit"),
        "the whole block: {text}"
    );
    // And it is timed, not left "waiting".
    let commands = start(&mut app);
    assert!(
        commands.iter().any(|c| matches!(c, Command::Measure(_))),
        "{commands:?}"
    );
}
