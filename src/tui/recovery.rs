//! The recovery file: the unsaved document, written a moment after each edit and when a signal
//! or a panic ends the session, so that closing the terminal, `kill` or a crash loses at most
//! those seconds. One file per origin (a file's absolute path, or a preset's name) in the
//! user's state directory; the next start with the same origin offers it, and a save, a
//! discard or a clean quit removes it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::atomic_write::write_atomically;
use crate::model::Block;
use crate::preset;

use super::app::{App, Mode, Origin};

/// How long after the last edit the document is written.
pub const DELAY: Duration = Duration::from_secs(2);

const FORMAT: &str = "convtui-recovery";

#[derive(Serialize, Deserialize)]
struct RecoveryJson {
    format: String,
    version: u32,
    /// Where the document came from, for people reading the file.
    origin: String,
    /// Seconds since the Unix epoch when it was written.
    written: u64,
    /// The block, in the block format.
    block: serde_json::Value,
}

/// `$XDG_STATE_HOME/convtui`, else `~/.local/state/convtui`; `CONVTUI_STATE_DIR` overrides
/// both (the tests use it).
pub fn state_dir() -> Option<PathBuf> {
    let var = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("CONVTUI_STATE_DIR")
        .or_else(|| var("XDG_STATE_HOME").map(|d| d.join("convtui")))
        .or_else(|| var("HOME").map(|h| h.join(".local/state/convtui")))
}

/// FNV-1a: a name for the origin that is the same from one build to the next.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn origin_key(origin: &Origin) -> (String, String) {
    match origin {
        Origin::Preset(name) => (format!("preset-{}", safe(name)), format!("preset {name}")),
        Origin::File(path) => {
            let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            let text = absolute.display().to_string();
            let stem = path
                .file_stem()
                .map_or_else(String::new, |s| safe(&s.to_string_lossy()));
            (format!("{stem}-{:016x}", fnv(text.as_bytes())), text)
        }
    }
}

fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(48)
        .collect()
}

/// Where the document from `origin` is kept in `dir` while it has unsaved edits.
pub fn path_for(dir: &Path, origin: &Origin) -> PathBuf {
    let (key, _) = origin_key(origin);
    dir.join(format!("{key}.recovery.json"))
}

/// Writes the document; creates the state directory (private to the user) if needed.
pub fn write(path: &Path, origin: &Origin, block: &Block) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    let block = serde_json::from_str(&preset::to_json(block))?;
    let written = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let doc = RecoveryJson {
        format: FORMAT.into(),
        version: 1,
        origin: origin_key(origin).1,
        written,
        block,
    };
    let text = serde_json::to_string(&doc)?;
    write_atomically(path, text.as_bytes())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// A kept document, and how long ago it was written ("3 minutes ago"); `None` when there is
/// none, or it cannot be read (it is then left alone, not deleted).
pub fn read(path: &Path) -> Option<(Block, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let doc: RecoveryJson = serde_json::from_str(&text).ok()?;
    if doc.format != FORMAT {
        return None;
    }
    let block = preset::parse(&doc.block.to_string(), &path.display().to_string()).ok()?;
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Some((block, ago(now.saturating_sub(doc.written))))
}

fn ago(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("{seconds} s ago"),
        60..=3599 => format!("{} min ago", seconds / 60),
        3600..=172_799 => format!("{} h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

pub fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// The document as it stands, for the panic hook, which cannot reach the app: the loop keeps
/// it current after every change.
static LATEST: Mutex<Option<(PathBuf, Origin, Block)>> = Mutex::new(None);

pub fn remember(latest: Option<(PathBuf, Origin, Block)>) {
    if let Ok(mut slot) = LATEST.lock() {
        *slot = latest;
    }
}

/// Called from the panic hook: writes what `remember` holds, without waiting on a lock a
/// panicking thread may hold.
pub fn write_latest() -> Option<PathBuf> {
    let slot = LATEST.try_lock().ok()?;
    let (path, origin, block) = slot.as_ref()?;
    write(path, origin, block).ok()?;
    Some(path.clone())
}

/// What the event loop keeps of the document: when it last wrote it, and when it is due again.
pub struct Keeper {
    dir: PathBuf,
    /// The file written, and the block it holds.
    written: Option<(PathBuf, Block)>,
    due: Option<Instant>,
    /// A write failed: said once, not at every edit.
    failed: bool,
}

impl Keeper {
    /// Keeps documents in `dir` (created when first needed).
    pub fn new(dir: PathBuf) -> Keeper {
        Keeper {
            dir,
            written: None,
            due: None,
            failed: false,
        }
    }

    /// After every change: schedule a write of unsaved edits, or remove the file once there
    /// are none (saved, undone, or another block opened).
    pub fn after_change(&mut self, app: &mut App, now: Instant) {
        if app.recovery_deferred {
            return;
        }
        let path = path_for(&self.dir, app.document.origin());
        if let Some((old, _)) = &self.written
            && (*old != path || !app.is_modified())
        {
            remove(old);
            self.written = None;
        }
        if !app.is_modified() {
            // Also a file an earlier session left and this one recovered, then saved.
            if path.exists() && self.written.is_none() && app.document.undo_len() > 0 {
                remove(&path);
            }
            self.due = None;
            remember(None);
            return;
        }
        let block = app.block();
        if self.written.as_ref().is_some_and(|(_, b)| b == block) {
            return;
        }
        remember(Some((path, app.document.origin().clone(), block.clone())));
        self.due.get_or_insert(now + DELAY);
    }

    /// How long the loop may wait before the next write is due.
    pub fn wait(&self, now: Instant) -> Option<Duration> {
        self.due.map(|due| due.saturating_duration_since(now))
    }

    /// Writes the document if its time has come (or `now` is forced, for a signal); returns
    /// where it went.
    pub fn write_if_due(&mut self, app: &mut App, now: Instant, force: bool) -> Option<PathBuf> {
        let due = self.due.is_some_and(|d| d <= now);
        if !(due || force && app.is_modified()) {
            return None;
        }
        self.due = None;
        let path = path_for(&self.dir, app.document.origin());
        match write(&path, app.document.origin(), app.block()) {
            Ok(()) => {
                self.written = Some((path.clone(), app.block().clone()));
                Some(path)
            }
            Err(error) => {
                if !std::mem::replace(&mut self.failed, true) {
                    app.complain(format!(
                        "Cannot keep the unsaved edits in {}: {error} (save them with s)",
                        path.display()
                    ));
                }
                None
            }
        }
    }

    /// A clean quit: the user saved, or chose to lose the edits (a recovered document's too);
    /// nothing is kept, unless the user left the file for a later start.
    pub fn on_quit(&mut self, app: &App) {
        if let Some((path, _)) = self.written.take() {
            remove(&path);
        }
        if !app.recovery_deferred && !matches!(app.mode, Mode::OfferRecovery { .. }) {
            remove(&path_for(&self.dir, app.document.origin()));
        }
        remember(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_survives_the_round_trip_and_origins_do_not_collide() {
        let dir = std::env::temp_dir().join(format!("convtui-rec-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let block = preset::builtin("inception3a").unwrap();
        let a = Origin::File("a/block.json".into());
        let b = Origin::File("b/block.json".into());
        let (ka, _) = origin_key(&a);
        let (kb, _) = origin_key(&b);
        assert_ne!(ka, kb, "same name, different directories");
        let path = dir.join(format!("{ka}.recovery.json"));
        write(&path, &a, &block).unwrap();
        let (again, age) = read(&path).unwrap();
        assert_eq!(again, block);
        assert!(age.ends_with("s ago"), "{age}");
        remove(&path);
        assert!(read(&path).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_keeper_writes_after_the_delay_and_removes_once_saved() {
        use crate::tui::theme::Theme;
        let dir = std::env::temp_dir().join(format!("convtui-keep-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let origin = Origin::Preset("nin".into());
        let mut app = App::new(
            preset::builtin("nin").unwrap(),
            origin.clone(),
            Theme { color: false },
        );
        let mut keeper = Keeper::new(dir.clone());
        let path = path_for(&dir, &origin);
        let start = Instant::now();
        keeper.after_change(&mut app, start);
        assert_eq!(keeper.wait(start), None, "nothing to keep");
        let mut edited = app.block().clone();
        edited.name = "edited".into();
        assert!(app.document.edit(edited, 0, "edit".into()));
        keeper.after_change(&mut app, start);
        assert_eq!(keeper.wait(start), Some(DELAY));
        assert_eq!(keeper.write_if_due(&mut app, start, false), None, "not yet");
        assert_eq!(
            keeper.write_if_due(&mut app, start + DELAY, false),
            Some(path.clone())
        );
        assert_eq!(read(&path).unwrap().0.name, "edited");
        // Saved (or undone): nothing unsaved, so nothing kept.
        app.document.saved_to(std::path::Path::new("nin.json"));
        keeper.after_change(&mut app, start + DELAY);
        assert!(!path.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
