//! convtui: a terminal explorer for convolutional building blocks.
pub mod engine;
pub mod report;
