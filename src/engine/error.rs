//! The engine's one error type: everything a caller can get wrong, reported, never panicked on.

use super::shape::PointwiseShape;

/// Why the engine refused to run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// A channel count or a spatial size is zero.
    #[error(
        "{dimension} is 0 in {shape}: every dimension of a pointwise convolution must be at least 1"
    )]
    ZeroDimension {
        dimension: &'static str,
        shape: PointwiseShape,
    },
    /// A product of dimensions does not fit the address space.
    #[error("{quantity} of {shape} overflows: {detail}")]
    TooLarge {
        quantity: &'static str,
        shape: PointwiseShape,
        detail: String,
    },
    /// A slice's length disagrees with the shape.
    #[error("{buffer} has {actual} elements, but {shape} needs {expected} ({layout})")]
    LengthMismatch {
        buffer: &'static str,
        layout: &'static str,
        shape: PointwiseShape,
        expected: usize,
        actual: usize,
    },
    /// Zero threads were asked for.
    #[error("the thread count must be at least 1, got 0")]
    ZeroThreads,
    /// The operating system refused to start the worker threads.
    #[error("could not start {threads} worker threads: {reason}")]
    ThreadPool { threads: usize, reason: String },
}
