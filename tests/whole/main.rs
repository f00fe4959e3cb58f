//! Whole blocks on the engine against the scalar reference: every preset and its counterpart,
//! hand-made graphs with the awkward layers, and random valid blocks.

mod graphs;
mod presets;
mod random;
