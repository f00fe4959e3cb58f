//! Pure functions of a block: shape inference, parameters, multiply-accumulates, activation
//! sizes, depth, and the counterpart without its 1×1 convolutions.
//!
//! MACs are multiply-accumulates for one image; FLOPs are always 2·MACs, and every figure that
//! leaves this module says which of the two it is.

//!
//! Files: `layer_counts` evaluates one layer; `infer` walks a block with a [`Plan`] applied
//! and gives its [`Row`]s; `plan` is the plan as data and `rules` the counterpart rules that make
//! one; `totals` and `summary` total an analysis and pair the block with its counterpart; `comparison`
//! lists the metrics they are compared on.

mod comparison;
mod error;
mod infer;
mod layer_counts;
mod memory;
mod plan;
mod receptive;
mod rows;
mod rules;
mod stays;
mod summary;
mod totals;

pub use comparison::{
    ACTIVATIONS, CONV_WEIGHTS, Comparison, FLOPS, MACS, METRICS, Metric, NONLINEAR_DEPTH,
    OUTPUT_CHANNELS, PARAMS, Versus,
};
pub use error::{Place, ShapeError, describe_layer};
pub use infer::Depth;
pub use layer_counts::{LayerCounts, evaluate as evaluate_layer};
pub use plan::{Adjustment, Dropped, Plan, Role, Scope};
pub use receptive::{Field, fields as receptive_fields};
pub use rows::{GroupRow, LayerRow, Row};
pub use rules::{plan, role_of};
pub use stays::{Stays, why_it_stays};
pub use summary::{Analysis, PointwiseLayer, Summary, pointwise_layers};
pub use totals::{BYTES_PER_ELEMENT, Totals};
