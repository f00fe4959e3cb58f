//! The binary's own pieces that are not the command table: what to open, the bench command,
//! and how it writes.

pub mod bench;
pub mod output;
pub mod progress;
pub mod source;
