//! The interactive explorer: a block on screen, edited from the keyboard, with every figure
//! following each keystroke.
//!
//! Data flows one way (DESIGN.md): a key becomes an [`action::Action`] through the
//! [`keymap`]; [`update::update`] changes the [`app::App`] and returns
//! [`action::Command`]s (save, export, open, measure, quit) that the [`event_loop`] carries out;
//! the views in [`view`] draw `&App` and never change it. The engine runs on the
//! [`worker`] thread behind the [`worker::Measurer`] trait.

pub mod action;
pub mod app;
pub mod edit;
mod engine_measurer;
pub mod event_loop;
pub mod export;
pub mod form;
mod key_tables;
pub mod keymap;
pub mod new_layer;
pub mod outline;
pub mod terminal;
pub mod text_input;
pub mod theme;
pub mod throughput;
pub mod update;
mod update_edit;
mod update_overlay;
pub mod view;
pub mod worker;

pub use app::{App, Origin};
pub use engine_measurer::EngineMeasurer;
pub use terminal::{TuiError, run};
pub use worker::{Measured, Measurer};
