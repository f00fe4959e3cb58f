//! The interactive explorer: a block on screen, edited from the keyboard, with every figure
//! following each keystroke.
//!
//! Data flows one way (ARCHITECTURE.md draws it): a key becomes an [`action::Action`] through
//! the [`keys`] tables; [`update::update`] changes the [`app::App`] and returns
//! [`action::Command`]s (save, export, open, measure, quit) that the [`event_loop`] carries out;
//! the views in [`view`] draw `&App` and never change it. The engine runs on the measurement
//! worker (`crate::measure::worker`) behind its `Measurer` trait.
//!
//! Folders: [`app`] (the state: document, analysis, mode), [`update`] (state changes by
//! concern), [`keys`] (tables and dispatch), [`input`] (text fields, the edit form, the
//! add-layer menu), [`view`] (drawing); [`layout`] is the geometry both update and view use.

pub mod action;
pub mod app;
pub mod event_loop;
pub mod export;
pub mod input;
pub mod keys;
pub mod layout;
pub mod reads;
pub mod recovery;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;

pub use app::{App, Origin};
pub use terminal::{TuiError, run};
