//! The TUI's integration tests, as one test binary: screens rendered on ratatui's TestBackend,
//! the effect of every key on the state, random key sequences, the real event loop with a fake
//! engine, and the real binary in a pseudo-terminal.

mod support;

mod bypass;
mod event_loop;
mod keys;
mod pty;
mod random_keys;
mod screens;
mod skipped;
