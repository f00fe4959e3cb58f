//! `r` measures the 1×1 layers again, and says so until that run has ended.

use convtui::measure::EngineEvent;
use convtui::tui::action::{Action, Command};
use convtui::tui::update::update;
use ratatui::crossterm::event::KeyCode;

use crate::support::{app, key, press};

#[test]
fn r_says_it_is_measuring_until_the_run_it_started_ends() {
    let mut app = app("inception3a");
    let commands = press(&mut app, key(KeyCode::Char('r')));
    let Some(Command::Measure(job)) = commands.into_iter().next() else {
        panic!("r sends a measurement job")
    };
    let text = |app: &convtui::tui::App| app.message.as_ref().map(|m| m.text.clone());
    assert_eq!(
        text(&app).as_deref(),
        Some("Measuring the 1×1 layers again")
    );
    // A stale run finishing says nothing; the one r started does.
    let stale = EngineEvent::EngineFinished {
        generation: job.generation - 1,
    };
    update(&mut app, Action::EngineReported(stale));
    assert_eq!(
        text(&app).as_deref(),
        Some("Measuring the 1×1 layers again")
    );
    let finished = EngineEvent::EngineFinished {
        generation: job.generation,
    };
    update(&mut app, Action::EngineReported(finished));
    assert_eq!(text(&app).as_deref(), Some("Measured the 1×1 layers again"));
}

#[test]
fn one_channel_is_singular() {
    let mut app = app("resnet_bottleneck");
    crate::support::select(&mut app, "res2b_branch2a");
    for _ in 0..70 {
        press(&mut app, key(KeyCode::Char('-')));
    }
    assert_eq!(
        app.message.as_ref().map(|m| m.text.as_str()),
        Some("1 output channel")
    );
}
