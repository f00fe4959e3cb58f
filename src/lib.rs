//! convtui: a terminal explorer for convolutional building blocks and what a 1×1 convolution
//! buys you.
//!
//! Boundaries, so that each part can be tested on its own:
//! - [`model`] is plain data (no JSON, terminal or threads);
//! - [`analysis`] is pure functions of a model;
//! - [`engine`] knows nothing of the model: slices and dimensions in, numbers out;
//! - [`measure`] decides what to time, times the engine with statistics, and runs the worker;
//! - [`preset`] owns the JSON block format and turns it into a model, and loads model files;
//! - [`import`] reads other formats (ONNX) into the model;
//! - [`report`] renders analyses and measurements (tables, the JSON documents), computing none;
//! - `tui` may use everything; nothing uses `tui`.
//!
//! ARCHITECTURE.md at the repository's top draws the same map, with the data flows.

pub mod analysis;
pub mod atomic_write;
pub mod engine;
pub mod import;
pub mod measure;
pub mod model;
pub mod preset;
pub mod report;
pub mod tui;
