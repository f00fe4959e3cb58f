//! Renderings of convtui's results for people (tables) and programs (JSON).
pub mod bench;
