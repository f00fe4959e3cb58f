//! What the binary writes: its output on stdout, and its one-line messages on stderr.

use std::io::Write;

use anyhow::Result;
use convtui::model::{MAX_SHOWN, printable_within};

/// Writes the command's output to stdout; a reader that went away (`convtui … | head`) is not
/// an error worth a message, so that case is told apart.
pub fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| anyhow::Error::new(e).context("cannot write to standard output"))
}

/// One line on stderr, names and paths in it made printable; a stderr that cannot be written
/// (closed, full) is no reason to panic.
pub fn say(text: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "convtui: {}",
        printable_within(text, 4 * MAX_SHOWN)
    );
}
