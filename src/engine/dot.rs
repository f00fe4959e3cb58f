//! The narrow-pixel kernel: the last `< 4` output pixels of a row that no vector tile covers.
//!
//! For the last 1–3 pixels of each row (all of `HW = 1`, the `49 = 3·16 + 1` of a 7×7 image),
//! vectorising over pixels would waste most of each vector. Instead this kernel vectorises over
//! K: each output is a dot product of a W row (contiguous, `w[r·lda + k]`)
//! with an input column, which the caller first copies into a contiguous row
//! (`xt[t·ldx + k] = input[k·HW + p_t]`, a few K-length rows). An `R × T` block keeps `R·T`
//! independent accumulators so the FMA latency is covered, then reduces each horizontally.

use super::simd::{LANES, Lane, Vector};

/// One block of narrow outputs; pointers at the block's origin.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DotBlock {
    pub k: usize,
    pub w: *const f32,
    pub lda: usize,
    pub xt: *const f32,
    pub ldx: usize,
    pub c: *mut f32,
    pub ldc: usize,
    /// Add to the partial sums already in `c` (a later K block) instead of overwriting.
    pub accumulate: bool,
    /// `bias[r]` for row `r` of the block, if any.
    pub bias: Option<*const f32>,
    /// Added on store before the activation, laid out like `c`; only on the last K block.
    pub add: Option<*const f32>,
    pub activation: super::Activation,
}

/// `c[r·ldc + t] (+)= act(bias[r] + Σ_k w[r·lda + k] · xt[t·ldx + k])` for `r < R`, `t < T`.
///
/// # Safety
/// Every index named above must be valid for `r < R`, `t < T`, `k < d.k`; `c` must not
/// overlap the inputs.
#[inline(never)]
unsafe fn block<const R: usize, const T: usize>(d: DotBlock) {
    let whole = d.k / LANES * LANES;
    let mut acc = [[Lane::ZERO; T]; R];
    // SAFETY (whole body): every offset is below the bounds the caller vouched for.
    unsafe {
        for k in (0..whole).step_by(LANES) {
            let x: [Lane; T] = core::array::from_fn(|t| Lane::load(d.xt.add(t * d.ldx + k)));
            for (r, row) in acc.iter_mut().enumerate() {
                let w = Lane::load(d.w.add(r * d.lda + k));
                for (acc, x) in row.iter_mut().zip(x) {
                    *acc = w.mul_add(x, *acc);
                }
            }
        }
        for (r, row) in acc.iter().enumerate() {
            for (t, acc) in row.iter().enumerate() {
                let out = d.c.add(r * d.ldc + t);
                let start = match (d.accumulate, d.bias) {
                    (true, _) => *out,
                    (false, Some(bias)) => *bias.add(r),
                    (false, None) => 0.0,
                };
                let mut sum = acc.reduce_add();
                for k in whole..d.k {
                    // Plain multiply-add: `f32::mul_add` is a slow libm call on builds without FMA.
                    sum += *d.w.add(r * d.lda + k) * *d.xt.add(t * d.ldx + k);
                }
                let mut y = start + sum;
                if let Some(add) = d.add {
                    y += *add.add(r * d.ldc + t);
                }
                *out = d.activation.apply(y);
            }
        }
    }
}

/// Runs an `rows × cols` block, `1 ≤ rows ≤ 4`, `1 ≤ cols ≤ 4`.
///
/// # Safety
/// As [`block`] with `R = rows`, `T = cols`.
pub(crate) unsafe fn run(rows: usize, cols: usize, d: DotBlock) {
    macro_rules! by_cols {
        ($r:literal) => {
            match cols {
                1 => block::<$r, 1>(d),
                2 => block::<$r, 2>(d),
                3 => block::<$r, 3>(d),
                4 => block::<$r, 4>(d),
                // Out of contract: computing nothing is wrong but cannot write out of bounds.
                _ => debug_assert!(false, "no {}×{cols} dot block", $r),
            }
        };
    }
    // SAFETY: forwarded from the caller.
    unsafe {
        match rows {
            1 => by_cols!(1),
            2 => by_cols!(2),
            3 => by_cols!(3),
            4 => by_cols!(4),
            _ => debug_assert!(false, "no {rows}-row dot block"),
        }
    }
}
