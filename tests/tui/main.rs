//! The TUI's integration tests, as one test binary: screens rendered on ratatui's TestBackend,
//! the effect of every key on the state (navigation, edits, history, overlays), random key sequences, the real event loop with a fake
//! engine, and the real binary in a pseudo-terminal.

mod support;

mod bypass;
mod dialogs;
mod edits;
mod event_loop;
mod history;
mod navigate;
mod opened_broken;
mod overlays;
mod pty;
mod random_keys;
mod reading;
mod remeasure;
mod screens;
mod skipped;
