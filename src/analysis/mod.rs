//! Pure functions of a block: shape inference, parameters, multiply-accumulates, activation
//! sizes, depth, and the counterpart without its 1×1 convolutions.
//!
//! MACs are multiply-accumulates for one image; FLOPs are always 2·MACs, and every figure that
//! leaves this module says which of the two it is.

mod error;
mod infer;
mod layer_figures;
mod pointwise;
mod rows;
mod summary;

pub use error::{Place, ShapeError, describe_layer};
pub use infer::Depth;
pub use layer_figures::{MAX_CHANNELS, MAX_SPATIAL};
pub use pointwise::{Adjustment, Dropped, Plan, Role, Scope, plan, role_of};
pub use rows::{GroupPart, GroupRow, LayerRow, Row};
pub use summary::{
    Analysis, BYTES_PER_ELEMENT, Comparison, Pair64, PointwiseLayer, Summary, Totals,
};
