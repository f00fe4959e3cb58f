//! A whole pointwise problem as raw parts, shared by the loop nest, its tail and packing, and the
//! threads that split it.

/// `out = W · in` as raw parts; [`super::Engine`] checked every length.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Problem {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    /// `w[co·K + ci]`.
    pub w: *const f32,
    /// `x[ci·N + p]`.
    pub x: *const f32,
    /// `c[co·N + p]`.
    pub c: *mut f32,
    /// `bias[co]`.
    pub bias: Option<*const f32>,
    /// `add[co·N + p]`, added before the activation (a residual's shortcut).
    pub add: Option<*const f32>,
    pub activation: super::Activation,
}

impl Problem {
    /// What a store applies: the activation on the last K block, nothing before it (later
    /// blocks still add to the partial sums).
    pub fn activation_at(&self, last: bool) -> super::Activation {
        if last {
            self.activation
        } else {
            super::Activation::Identity
        }
    }
}

// SAFETY: `Problem` is only shared between threads that write disjoint output rectangles
// (see `super::parallel`), and the inputs are only read.
unsafe impl Send for Problem {}
unsafe impl Sync for Problem {}
