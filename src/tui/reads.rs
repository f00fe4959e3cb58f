//! Reading block files off the UI thread.
//!
//! A block file is small, but the path may be on a network mount, a slow disk, or a large ONNX
//! model; while it is read the loop keeps drawing and taking keys. Each read runs on a thread of
//! its own and hands back the action its result makes. Only the newest read of each kind counts:
//! a user who opened one file and then another while the first was still coming gets the second.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use crate::preset;

use super::action::{Action, Command};

/// How often the loop looks for a finished read while one is pending.
pub const POLL: Duration = Duration::from_millis(20);

/// How long keys typed after a read are held back for it, so that they apply, in order, to
/// what it opens (Enter on a path then `q` quits after the open, not into the prompt); past
/// this a slow read no longer holds the keyboard.
pub const HOLD: Duration = Duration::from_millis(500);

/// What a read is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Open,
    Compare,
}

/// The reads in flight and the results that came back.
pub struct Reads {
    sender: Sender<(Kind, u64, Action)>,
    results: Receiver<(Kind, u64, Action)>,
    /// The newest read of each kind, by number, if one is still pending.
    newest: [(u64, bool); 2],
    next: u64,
    /// When the newest read started.
    since: Option<Instant>,
}

impl Default for Reads {
    fn default() -> Self {
        let (sender, results) = channel();
        Reads {
            sender,
            results,
            newest: [(0, false); 2],
            next: 0,
            since: None,
        }
    }
}

impl Reads {
    /// Starts `command` on a thread when it is a read, and says what it is reading; `None` for
    /// any other command.
    pub fn start(&mut self, command: &Command) -> Option<String> {
        let (kind, path) = what_to_read(command)?;
        self.next += 1;
        let id = self.next;
        self.newest[kind as usize] = (id, true);
        self.since = Some(Instant::now());
        let said = format!(
            "Reading {}…",
            crate::model::printable(&path.display().to_string())
        );
        let sender = self.sender.clone();
        let spawned = std::thread::Builder::new()
            .name("convtui-read".into())
            .spawn(move || {
                // The loop may have ended; then nobody wants the result.
                let _ = sender.send((kind, id, read(kind, path)));
            });
        if let Err(error) = spawned {
            self.newest[kind as usize].1 = false;
            let failed = Action::CommandFailed(format!("cannot start reading: {error}"));
            let _ = self.sender.send((kind, id, failed));
        }
        Some(said)
    }

    /// Whether a read is still to come back.
    pub fn pending(&self) -> bool {
        self.newest.iter().any(|&(_, pending)| pending)
    }

    /// Whether keys should wait for a pending read (see [`HOLD`]).
    pub fn holding(&self, now: Instant) -> bool {
        self.pending()
            && self
                .since
                .is_some_and(|since| now.duration_since(since) < HOLD)
    }

    /// The results of the newest reads that came back since the last call; older ones are
    /// dropped.
    pub fn finished(&mut self) -> Vec<Action> {
        let mut done = Vec::new();
        while let Ok((kind, id, action)) = self.results.try_recv() {
            let newest = &mut self.newest[kind as usize];
            if newest.0 == id {
                newest.1 = false;
                done.push(action);
            }
        }
        done
    }
}

/// Reads the file and makes the action its result calls for.
fn read(kind: Kind, path: PathBuf) -> Action {
    match (preset::load(&path), kind) {
        (Ok(block), Kind::Open) => Action::Opened { block, path },
        (Ok(block), Kind::Compare) => Action::CompareLoaded {
            block,
            label: path.display().to_string(),
        },
        (Err(error), _) => Action::CommandFailed(error.to_string()),
    }
}

/// The same read on the calling thread, for callers without a loop (tests drive `handle`);
/// `None` for a command that reads nothing.
pub fn read_now(command: &Command) -> Option<Action> {
    what_to_read(command).map(|(kind, path)| read(kind, path))
}

fn what_to_read(command: &Command) -> Option<(Kind, PathBuf)> {
    match command {
        Command::Open(path) => Some((Kind::Open, path.clone())),
        Command::LoadCompare(path) => Some((Kind::Compare, path.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn wait(reads: &mut Reads) -> Vec<Action> {
        let start = Instant::now();
        let mut done = Vec::new();
        while reads.pending() && start.elapsed() < Duration::from_secs(10) {
            done.extend(reads.finished());
            std::thread::sleep(Duration::from_millis(1));
        }
        done
    }

    #[test]
    fn a_read_comes_back_as_the_action_its_result_makes() {
        let mut reads = Reads::default();
        let said = reads.start(&Command::Open("no/such/file.json".into()));
        assert!(said.unwrap().starts_with("Reading no/such/file.json"));
        assert!(reads.pending());
        assert!(
            reads.holding(Instant::now()),
            "keys wait for a read just started"
        );
        assert!(!reads.holding(Instant::now() + HOLD), "but not for long");
        let done = wait(&mut reads);
        assert!(
            matches!(&done[..], [Action::CommandFailed(m)] if m.contains("no/such/file.json")),
            "{done:?}"
        );
        assert!(!reads.pending());
        assert!(!reads.holding(Instant::now()));
    }

    #[test]
    fn only_the_newest_read_of_a_kind_counts() {
        let mut reads = Reads::default();
        reads.start(&Command::Open("first.json".into())).unwrap();
        reads.start(&Command::Open("second.json".into())).unwrap();
        reads
            .start(&Command::LoadCompare("other.json".into()))
            .unwrap();
        let done = wait(&mut reads);
        let texts: Vec<String> = done.iter().map(|a| format!("{a:?}")).collect();
        assert_eq!(done.len(), 2, "{texts:?}");
        assert!(texts.iter().all(|t| !t.contains("first.json")), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("second.json")), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("other.json")), "{texts:?}");
    }

    #[test]
    fn other_commands_read_nothing() {
        let mut reads = Reads::default();
        assert_eq!(reads.start(&Command::Quit), None);
        assert!(!reads.pending());
        assert_eq!(read_now(&Command::Quit), None);
    }
}
