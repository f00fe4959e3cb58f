//! Measurement, between the engine and its users: what to time and why not ([`select`]),
//! timing with statistics ([`timing`], [`stats`]: one [`Measurement`] type with a median and a
//! spread), the `bench` run ([`bench`]), and for the TUI the worker thread ([`worker`], newest
//! job wins) and what a session has measured ([`history`]).
//!
//! It may use `engine` and `analysis`; `report` renders what it gives, and `tui` shows it.

pub mod bench;
mod engine_measurer;
pub mod history;
pub mod select;
pub mod stats;
pub mod timing;
pub mod whole;
pub mod whole_state;
pub mod worker;

pub use bench::{BenchRun, BenchShape, Blocks, block_shapes, run_bench};
pub use engine_measurer::EngineMeasurer;
pub use history::{History, PeakState, Status};
pub use select::{Limits, Selection, Skip};
pub use stats::{Measurement, Spread};
pub use timing::{
    Budget, LONG_MIN_RUNS, LONG_RUN, LONG_TOTAL, MEASURE_MAX_BYTES, MEASURE_MAX_FLOPS,
    MeasureError, time_pointwise,
};
pub use whole_state::{WholeState, WholeStatus};
pub use worker::{EngineEvent, Job, Measurer, Worker};
