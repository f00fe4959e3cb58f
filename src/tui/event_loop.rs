//! The loop that turns events into actions, actions into state changes and commands, and
//! commands into effects (files, engine jobs), drawing after each batch of events. It is generic
//! over the backend, so tests drive the real loop on ratatui's `TestBackend`.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::KeyEvent;

use crate::atomic_write::write_atomically;
use crate::preset;

use crate::measure::{EngineEvent, Worker};

use super::action::{Action, Command};
use super::app::App;
use super::export::export_json;
use super::keys::action_for_app;
use super::reads::{self, Reads};
use super::recovery::{self, Keeper};
use super::update::{start, update};

/// Everything the loop can receive: from the terminal, and from the engine worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Key(KeyEvent),
    Resized {
        width: u16,
        height: u16,
    },
    Engine(EngineEvent),
    /// SIGTERM, SIGHUP, SIGINT or SIGQUIT arrived.
    Signal(i32),
}

/// How the loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Quit,
    /// A signal ended it; the unsaved edits went to this recovery file, if there were any.
    Signal {
        signal: i32,
        kept: Option<PathBuf>,
    },
}

/// How often the spinner turns while a measurement runs.
const SPIN: Duration = Duration::from_millis(100);

/// Runs until the user quits or every event source has gone away.
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &Receiver<Event>,
    worker: &Worker,
) -> Result<(), B::Error> {
    run_keeping(terminal, app, events, worker, None).map(|_| ())
}

/// [`run`], keeping unsaved edits in a recovery file when `keeper` is given (the real
/// terminal; tests leave the user's state directory alone).
pub fn run_keeping<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &Receiver<Event>,
    worker: &Worker,
    mut keeper: Option<Keeper>,
) -> Result<Ending, B::Error> {
    let size = terminal.size()?;
    fit(terminal, app, size.width, size.height)?;
    let mut reads = Reads::default();
    // Keys that arrived while a read was pending, in order (see `reads::HOLD`).
    let mut held = std::collections::VecDeque::new();
    let commands = start(app);
    if execute_all(app, commands, worker, Some(&mut reads)) {
        return Ok(quit(&mut keeper, app));
    }
    let mut last_tick = Instant::now();
    loop {
        terminal.draw(|frame| frame.render_widget(&*app, frame.area()))?;
        let spin = app.measurements.running.then_some(SPIN);
        let keep = keeper.as_ref().and_then(|k| k.wait(Instant::now()));
        let poll = reads.pending().then_some(reads::POLL);
        let first = match [spin, keep, poll].into_iter().flatten().min() {
            Some(wait) => match events.recv_timeout(wait) {
                Ok(event) => Some(event),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return Ok(quit(&mut keeper, app)),
            },
            None => match events.recv() {
                Ok(event) => Some(event),
                Err(_) => return Ok(quit(&mut keeper, app)),
            },
        };
        if app.measurements.running && last_tick.elapsed() >= SPIN {
            last_tick = Instant::now();
            update(app, Action::Ticked);
        }
        // Handle everything already waiting before drawing again: a held key stays responsive.
        let waiting = std::iter::from_fn(|| events.try_recv().ok());
        for event in first.into_iter().chain(waiting) {
            if let Event::Resized { width, height } = event {
                fit(terminal, app, width, height)?;
                continue;
            }
            if let Event::Signal(signal) = event {
                let kept = keeper.as_mut().and_then(|k| {
                    k.after_change(app, Instant::now());
                    k.write_if_due(app, Instant::now(), true)
                });
                return Ok(Ending::Signal { signal, kept });
            }
            if reads.holding(Instant::now()) || !held.is_empty() {
                held.push_back(event);
                continue;
            }
            if handle_with(app, event, worker, Some(&mut reads)) {
                return Ok(quit(&mut keeper, app));
            }
        }
        for read in reads.finished() {
            let commands = update(app, read);
            if execute_all(app, commands, worker, Some(&mut reads)) {
                return Ok(quit(&mut keeper, app));
            }
        }
        while !reads.holding(Instant::now())
            && let Some(event) = held.pop_front()
        {
            if handle_with(app, event, worker, Some(&mut reads)) {
                return Ok(quit(&mut keeper, app));
            }
        }
        if let Some(keeper) = keeper.as_mut() {
            let now = Instant::now();
            keeper.after_change(app, now);
            keeper.write_if_due(app, now, false);
        }
    }
}

/// The most cells drawn: a frame holds every cell twice, about a hundred bytes each, so a
/// 10000×10000 terminal would take gigabytes to draw what nobody can read at once.
pub const MAX_WIDTH: u16 = 1000;
pub const MAX_HEIGHT: u16 = 500;

/// Sizes the drawing area to the terminal, up to the cap, and says so when it is capped.
fn fit<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    width: u16,
    height: u16,
) -> Result<(), B::Error> {
    let (w, h) = (width.min(MAX_WIDTH), height.min(MAX_HEIGHT));
    let area = ratatui::layout::Rect::new(0, 0, w, h);
    // A fixed viewport follows the terminal only when told to.
    if terminal.get_frame().area() != area {
        terminal.resize(area)?;
    }
    update(app, resized(w, h));
    if (w, h) != (width, height) {
        app.inform(format!(
            "The terminal is {width}×{height}; convtui draws its first {w}×{h} cells"
        ));
    }
    Ok(())
}

fn quit(keeper: &mut Option<Keeper>, app: &App) -> Ending {
    if let Some(keeper) = keeper {
        keeper.on_quit(app);
    }
    Ending::Quit
}

fn resized(width: u16, height: u16) -> Action {
    Action::Resized { width, height }
}

/// Handles one event, reading any file it opens before returning; `true` when the app should
/// quit.
pub fn handle(app: &mut App, event: Event, worker: &Worker) -> bool {
    handle_with(app, event, worker, None)
}

/// [`handle`], with files read on `reads`' threads when given.
fn handle_with(app: &mut App, event: Event, worker: &Worker, reads: Option<&mut Reads>) -> bool {
    let action = match event {
        Event::Key(key) => action_for_app(app, &key),
        Event::Resized { width, height } => Some(resized(width, height)),
        Event::Engine(report) => Some(Action::EngineReported(report)),
        Event::Signal(_) => None,
    };
    match action {
        Some(action) => {
            let commands = update(app, action);
            execute_all(app, commands, worker, reads)
        }
        None => false,
    }
}

/// Carries out commands, feeding what happened back to `update`; `true` on quit. Reads go to
/// `reads`' threads when given (their results come back through the loop), else run here.
fn execute_all(
    app: &mut App,
    commands: Vec<Command>,
    worker: &Worker,
    mut reads: Option<&mut Reads>,
) -> bool {
    let mut queue = std::collections::VecDeque::from(commands);
    while let Some(command) = queue.pop_front() {
        if let Some(said) = reads.as_deref_mut().and_then(|r| r.start(&command)) {
            app.inform(said);
            continue;
        }
        if let Some(read) = reads::read_now(&command) {
            queue.extend(update(app, read));
            continue;
        }
        let outcome = match command {
            Command::Quit => return true,
            Command::Measure(job) => {
                worker.submit(job);
                continue;
            }
            Command::Save(path) => match preset::save(app.block(), &path) {
                Ok(()) => Action::Saved(path),
                Err(error) => Action::CommandFailed(error.to_string()),
            },
            Command::Export(path) => match export_json(app) {
                Ok(text) => match write_atomically(&path, text.as_bytes()) {
                    Ok(()) => Action::Exported(path),
                    Err(error) => {
                        Action::CommandFailed(format!("{}: cannot write: {error}", path.display()))
                    }
                },
                Err(error) => Action::CommandFailed(error),
            },
            Command::DiscardRecovery(path) => {
                recovery::remove(&path);
                Action::RecoveryDiscarded(path)
            }
            // Reads were taken above.
            Command::Open(_) | Command::LoadCompare(_) => continue,
        };
        queue.extend(update(app, outcome));
    }
    false
}
