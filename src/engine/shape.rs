//! The shape of a pointwise (1×1) convolution; `checked.rs` validates it.
//!
//! A 1×1 convolution of a `C_in × H × W` tensor to `C_out × H × W` is the GEMM
//! `out[C_out × HW] = W[C_out × C_in] · in[C_in × HW]`: M = C_out, K = C_in, N = H·W.
//! Sizes come from users, so every product is checked and reported rather than wrapped.

use core::fmt;

use serde::Serialize;

/// `c_in → c_out` channels over an `h × w` image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PointwiseShape {
    pub c_in: usize,
    pub c_out: usize,
    pub h: usize,
    pub w: usize,
}

impl PointwiseShape {
    pub const fn new(c_in: usize, c_out: usize, h: usize, w: usize) -> Self {
        PointwiseShape { c_in, c_out, h, w }
    }

    /// FLOPs of one run, 2·C_in·C_out·H·W, saturating: for sizing work before checking it.
    pub fn flops(self) -> u64 {
        [self.c_in, self.c_out, self.h, self.w]
            .iter()
            .fold(2u64, |acc, &n| acc.saturating_mul(n as u64))
    }

    /// Bytes of the f32 weights, input and output a run needs, saturating.
    pub fn buffer_bytes(self) -> u64 {
        let pixels = (self.h as u64).saturating_mul(self.w as u64);
        let weights = (self.c_in as u64).saturating_mul(self.c_out as u64);
        let input = (self.c_in as u64).saturating_mul(pixels);
        let output = (self.c_out as u64).saturating_mul(pixels);
        weights
            .saturating_add(input)
            .saturating_add(output)
            .saturating_mul(size_of::<f32>() as u64)
    }
}

impl fmt::Display for PointwiseShape {
    /// `192→64 @ 28×28`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}→{} @ {}×{}", self.c_in, self.c_out, self.h, self.w)
    }
}
