//! The SIMD pointwise-convolution engine: `out[C_out × HW] = W[C_out × C_in] · in[C_in × HW]`
//! (+ bias per output channel, then an activation) on CHW f32 tensors, written with `wide` vectors
//! and parallelised with rayon.
//!
//! The engine knows nothing of blocks or layers: slices and dimensions in, numbers out. Every
//! length is checked against the shape and reported as an [`EngineError`]; nothing a caller
//! passes can make it panic.
//!
//! Files: [`simd`] picks the vector type and tile; `kernel` is the register-blocked micro-kernel,
//! `dot` the kernel for the last pixels no vector covers; `blocking` is the cache-blocked loop
//! nest; `parallel` splits the output among threads; [`reference`] is the scalar definition;
//! [`peak`] measures this machine's limits; [`noise`] makes repeatable operands. Timing the
//! engine is `crate::measure`'s.

mod activation;
mod aligned;
mod block_sizes;
mod blocking;
pub mod cache;
mod checked;
mod conv;
pub mod datapath;
mod dot;
mod error;
pub mod graph;
pub mod isa;
mod kernel;
mod lane_conv;
mod lanes;
mod lrn;
mod noise;
mod pack;
mod parallel;
mod partition;
pub mod peak;
mod pool;
mod pool_reduce;
mod problem;
mod reference;
mod shape;
pub mod simd;
mod tail;
mod window;

pub use activation::Activation;
pub use aligned::AlignedVec;
pub use block_sizes::{Blocking, Pack};
pub use checked::CheckedShape;
pub use error::EngineError;
pub use lrn::LrnSpec;
pub use noise::noise;
pub use parallel::PARALLEL_MIN_FLOPS;
pub use peak::{FMA_AGREEMENT, Peak, probe_peak, reprobe_peak};
pub use reference::reference;
pub use shape::PointwiseShape;
pub use simd::{lane_width, simd_path};

use std::sync::Arc;

use rayon::ThreadPool;

use problem::Problem;

/// What happens to each output after the sum: `+ bias[co]` (one per output channel), then
/// `+ add[co·H·W + p]` (a residual's shortcut, laid out like the output), then the
/// activation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Epilogue<'a> {
    pub bias: Option<&'a [f32]>,
    pub add: Option<&'a [f32]>,
    pub activation: Activation,
}

/// A pointwise-convolution engine bound to a thread count.
///
/// `threads` counts the calling thread: an engine of 2 runs on the caller plus one pool worker.
/// The pool is shared with every other engine of the same count and built on first use.
#[derive(Clone, Debug)]
pub struct Engine {
    threads: usize,
    pool: Option<Arc<ThreadPool>>,
    blocking: Blocking,
    min_parallel_flops: f64,
}

impl Engine {
    /// An engine that uses up to `threads` threads (1 = the calling thread only).
    pub fn new(threads: usize) -> Result<Self, EngineError> {
        if threads == 0 {
            return Err(EngineError::ZeroThreads);
        }
        let pool = if threads > 1 {
            Some(parallel::pool(threads - 1)?)
        } else {
            None
        };
        Ok(Engine {
            threads,
            pool,
            blocking: Blocking::default(),
            min_parallel_flops: PARALLEL_MIN_FLOPS,
        })
    }

    /// Replaces the cache block sizes (for tuning experiments; the default is tuned).
    pub fn with_blocking(mut self, blocking: Blocking) -> Self {
        self.blocking = blocking;
        self
    }

    /// Replaces the size (FLOPs = 2·MACs) below which a call stays on the calling thread
    /// (default [`PARALLEL_MIN_FLOPS`]); 0 splits every shape that can be split, as the tests do.
    pub fn with_min_parallel_flops(mut self, flops: f64) -> Self {
        self.min_parallel_flops = flops;
        self
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Computes the pointwise convolution into `output`.
    ///
    /// Layouts: `weights[co·C_in + ci]` (`C_out × C_in`), `input[ci·H·W + p]` (CHW),
    /// `output[co·H·W + p]` (CHW), `bias[co]` (`C_out`). Every slice must have exactly the
    /// length the shape implies. `output`'s initial contents are never read (β = 0): it is
    /// written before any partial sum in it is read back.
    pub fn run(
        &self,
        shape: PointwiseShape,
        weights: &[f32],
        input: &[f32],
        epilogue: Epilogue<'_>,
        output: &mut [f32],
    ) -> Result<(), EngineError> {
        let checked = check_operands(shape, weights, input, epilogue, output)?;
        let problem = Problem {
            m: shape.c_out,
            k: shape.c_in,
            n: checked.pixels,
            w: weights.as_ptr(),
            x: input.as_ptr(),
            c: output.as_mut_ptr(),
            bias: epilogue.bias.map(<[f32]>::as_ptr),
            add: epilogue.add.map(<[f32]>::as_ptr),
            activation: epilogue.activation,
        };
        let threads = if checked.flops() < self.min_parallel_flops {
            1
        } else {
            self.threads
        };
        let parts = partition::plan(problem.m, problem.n, threads);
        match (&self.pool, parts.as_slice()) {
            (Some(pool), [_, _, ..]) => {
                // SAFETY: the lengths were checked against the shape, and `output` stays
                // mutably borrowed until `parallel::run` has seen every chunk finish.
                unsafe { parallel::run(pool, self.threads - 1, problem, parts, self.blocking) }
            }
            _ => {
                // SAFETY: as above, on this thread alone.
                unsafe { blocking::rectangle(&problem, 0..problem.m, 0..problem.n, self.blocking) }
            }
        }
        Ok(())
    }
}

/// One-shot convenience: [`Engine::new`]`(threads)` then [`Engine::run`] (the pool is shared,
/// so this costs no more than keeping an [`Engine`]).
pub fn pointwise(
    shape: PointwiseShape,
    weights: &[f32],
    input: &[f32],
    epilogue: Epilogue<'_>,
    output: &mut [f32],
    threads: usize,
) -> Result<(), EngineError> {
    Engine::new(threads)?.run(shape, weights, input, epilogue, output)
}

/// Validates the shape and that every slice has the length it implies.
pub(crate) fn check_operands(
    shape: PointwiseShape,
    weights: &[f32],
    input: &[f32],
    epilogue: Epilogue<'_>,
    output: &[f32],
) -> Result<CheckedShape, EngineError> {
    let checked = shape.check()?;
    let mut buffers = vec![
        (
            "weights",
            "C_out × C_in, row-major",
            checked.weight_len,
            weights.len(),
        ),
        (
            "input",
            "C_in × H × W (CHW)",
            checked.input_len,
            input.len(),
        ),
        (
            "output",
            "C_out × H × W (CHW)",
            checked.output_len,
            output.len(),
        ),
    ];
    if let Some(bias) = epilogue.bias {
        buffers.push(("bias", "one per output channel", shape.c_out, bias.len()));
    }
    if let Some(add) = epilogue.add {
        buffers.push((
            "add",
            "C_out × H × W (CHW), like the output",
            checked.output_len,
            add.len(),
        ));
    }
    for (buffer, layout, expected, actual) in buffers {
        if expected != actual {
            return Err(EngineError::LengthMismatch {
                buffer,
                layout,
                shape,
                expected,
                actual,
            });
        }
    }
    Ok(checked)
}
