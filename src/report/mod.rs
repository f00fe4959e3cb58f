//! Renderings of an analysis: the readable table and the JSON summary document.

pub mod numbers;
pub mod summary_json;
pub mod table;
