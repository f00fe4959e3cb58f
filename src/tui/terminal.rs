//! The real terminal: refuse to draw when stdout is not one, enter raw mode and the alternate
//! screen (ratatui's `try_init`, which also installs a panic hook that restores the terminal),
//! read keys on a thread, run the loop, and restore the terminal however the loop ends.

use std::io::{self, IsTerminal};
use std::sync::mpsc::{self, Sender};
use std::thread;

use ratatui::crossterm::event::{self, Event as TermEvent, KeyEventKind};

use crate::model::Block;

use crate::measure::{Measurer, Worker};

use super::app::{App, Origin};
use super::event_loop::{self, Event};
use super::theme::Theme;

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error(
        "stdout is not a terminal, so there is nothing to draw on; for a printable summary \
         run `convtui summary` (or `convtui summary --json`)"
    )]
    NotATerminal,
    #[error("terminal: {0}")]
    Io(#[from] io::Error),
}

/// Opens the TUI on `block` and runs it until the user quits.
pub fn run(block: Block, origin: Origin, measurer: impl Measurer) -> Result<(), TuiError> {
    if !io::stdout().is_terminal() {
        return Err(TuiError::NotATerminal);
    }
    let (sender, events) = mpsc::channel();
    let worker = Worker::spawn(measurer, sender.clone(), Event::Engine);
    let mut app = App::new(block, origin, Theme::from_env());
    let mut terminal = ratatui::try_init()?;
    spawn_input(sender);
    let result = event_loop::run(&mut terminal, &mut app, &events, &worker);
    ratatui::restore();
    Ok(result?)
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
