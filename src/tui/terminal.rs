//! The real terminal: refuse to draw when stdout is not one, enter raw mode and the alternate
//! screen (ratatui's `try_init`, which also installs a panic hook that restores the terminal),
//! read keys on a thread, run the loop, and restore the terminal however the loop ends.

use std::io::{self, IsTerminal, Write};
use std::sync::mpsc::{self, Sender};
use std::thread;

use ratatui::crossterm::event::{self, Event as TermEvent, KeyEventKind};

use crate::model::Block;

use crate::measure::{Measurer, Worker};

use super::app::{App, Mode, Origin};
use super::event_loop::{self, Ending, Event};
use super::recovery::{self, Keeper};
use super::theme::Theme;

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("stopped by signal {signal}{}", kept_note(kept.as_deref()))]
    Signal {
        signal: i32,
        kept: Option<std::path::PathBuf>,
    },
    #[error(
        "stdout is not a terminal, so there is nothing to draw on; for a printable summary \
         run `convtui summary` (or `convtui summary --json`)"
    )]
    NotATerminal,
    #[error("terminal: {0}")]
    Io(#[from] io::Error),
    #[error(
        "TERM=dumb: this terminal cannot move the cursor, so the explorer cannot draw; run \
         `convtui summary` (or `convtui summary --json`) for a printable summary"
    )]
    DumbTerminal,
}

fn kept_note(kept: Option<&std::path::Path>) -> String {
    match kept {
        Some(path) => format!(
            "; the unsaved edits are kept in {} (the next start offers them)",
            path.display()
        ),
        None => String::new(),
    }
}

/// Opens the TUI on `block` and runs it until the user quits.
pub fn run(block: Block, origin: Origin, measurer: impl Measurer) -> Result<(), TuiError> {
    if !io::stdout().is_terminal() {
        return Err(TuiError::NotATerminal);
    }
    if std::env::var("TERM").is_ok_and(|t| t == "dumb") {
        return Err(TuiError::DumbTerminal);
    }
    let (sender, events) = mpsc::channel();
    let worker = Worker::spawn(measurer, sender.clone(), Event::Engine);
    let mut app = App::new(block, origin, Theme::from_env());
    offer_recovery(&mut app);
    // A fixed viewport, so a huge terminal is drawn in a capped buffer (`event_loop::fit`).
    let (width, height) = ratatui::crossterm::terminal::size()?;
    let area = ratatui::layout::Rect::new(
        0,
        0,
        width.min(event_loop::MAX_WIDTH),
        height.min(event_loop::MAX_HEIGHT),
    );
    let mut terminal = ratatui::try_init_with_options(ratatui::TerminalOptions {
        viewport: ratatui::Viewport::Fixed(area),
    })?;
    keep_on_panic();
    spawn_signals(sender.clone());
    spawn_input(sender);
    let result = event_loop::run_keeping(
        &mut terminal,
        &mut app,
        &events,
        &worker,
        recovery::state_dir().map(Keeper::new),
    );
    ratatui::restore();
    match result? {
        Ending::Quit => Ok(()),
        Ending::Signal { signal, kept } => Err(TuiError::Signal { signal, kept }),
    }
}

/// A recovery file for this origin, left by a session that ended unsaved, is offered first.
fn offer_recovery(app: &mut App) {
    let Some(dir) = recovery::state_dir() else {
        return;
    };
    let path = recovery::path_for(&dir, app.document.origin());
    match recovery::read(&path) {
        Some((block, _)) if block == *app.block() => recovery::remove(&path),
        Some((block, age)) => app.mode = Mode::OfferRecovery { block, path, age },
        None => {}
    }
}

/// After ratatui's hook has restored the terminal, the document goes to its recovery file.
fn keep_on_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let kept = recovery::write_latest();
        previous(info);
        if let Some(path) = kept {
            let _ = writeln!(
                io::stderr(),
                "convtui: the unsaved edits are kept in {} (the next start offers them)",
                path.display()
            );
        }
    }));
}

/// Signals that end a session arrive as events, so the loop can keep the edits and the
/// terminal is restored on the way out.
fn spawn_signals(sender: Sender<Event>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])
    else {
        return;
    };
    let _ = thread::Builder::new()
        .name("convtui-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                if sender.send(Event::Signal(signal)).is_err() {
                    return;
                }
            }
        });
}

/// Reads terminal events on their own thread, so the loop can wait on one channel.
fn spawn_input(sender: Sender<Event>) {
    let spawned = thread::Builder::new()
        .name("convtui-input".into())
        .spawn(move || {
            loop {
                let event = match event::read() {
                    Ok(TermEvent::Key(key)) if key.kind != KeyEventKind::Release => Event::Key(key),
                    Ok(TermEvent::Resize(width, height)) => Event::Resized { width, height },
                    Ok(_) => continue,
                    Err(_) => return,
                };
                if sender.send(event).is_err() {
                    return;
                }
            }
        });
    if let Err(error) = spawned {
        eprintln!("convtui: cannot read the keyboard: {error}");
    }
}
