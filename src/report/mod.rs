//! Renderings of convtui's results for people (tables) and programs (JSON): the block summary
//! and the engine benchmark.

pub mod bench;
pub mod compare;
pub mod layer_text;
pub mod numbers;
pub mod rows;
pub mod sheet;
pub mod summary_json;
pub mod table;
pub mod whole;
