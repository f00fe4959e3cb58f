//! The shape of an activation tensor: channels × height × width (CHW, batch of one).

use std::fmt;

/// Largest channel count a layer may have: far beyond any published network, small enough that
/// every count stays exact in 64 bits.
pub const MAX_CHANNELS: usize = 1 << 20;
/// Largest height or width of an activation.
pub const MAX_SPATIAL: usize = 1 << 15;

/// A CHW activation shape. After `flatten` or a fully connected layer, `h = w = 1` and `c` counts
/// the features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Shape {
    pub c: usize,
    pub h: usize,
    pub w: usize,
}

impl Shape {
    pub const fn new(c: usize, h: usize, w: usize) -> Self {
        Self { c, h, w }
    }

    /// Elements in one activation of this shape; `None` when it does not fit in a `u64`.
    pub fn elements(self) -> Option<u64> {
        (self.c as u64)
            .checked_mul(self.h as u64)?
            .checked_mul(self.w as u64)
    }

    /// Pixels per channel (H·W): the N of a pointwise convolution's GEMM.
    pub fn pixels(self) -> Option<u64> {
        (self.h as u64).checked_mul(self.w as u64)
    }
}

impl fmt::Display for Shape {
    /// Written the way the papers write it: 28×28×192 is H×W×C.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}×{}×{}", self.h, self.w, self.c)
    }
}
