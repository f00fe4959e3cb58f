//! The register-blocked micro-kernel: one `R × (V·LANES)` tile of the output, summed over a
//! block of K (input channels).
//!
//! Layouts, all row-major f32 read in place (nothing is packed):
//! - W rows at stride `lda`: `w[r·lda + k]`, broadcast one scalar per row per k;
//! - input rows at stride `ldb`: `b[k·ldb + j]`, `V` vectors of consecutive pixels per k;
//! - output rows at stride `ldc`: `c[r·ldc + j]`.
//!
//! The tile is fully unrolled by const generics (`R ≤ MR`, `V ≤ NV`), so the `R·V`
//! accumulators live in registers for the whole K loop and the inner loop is `V` loads,
//! `R` broadcasts and `R·V` FMAs. Edge tiles are the same kernel with smaller `R`/`V`, so the
//! main path carries no edge tests. The same kernel over a narrower vector (`f32x8`, `f32x4`)
//! takes a pixel tail of 8 or 4 that does not fill a whole `Lane`; the last `< 4` pixels go to
//! [`super::dot`].

use super::Activation;
use super::simd::{Lane, MR, Vector};

/// Where a tile's accumulators start from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Start {
    /// First K block without bias: zeros. β = 0: the output is written, never read.
    Zero,
    /// First K block with bias: `bias[r]` in every lane of row `r` (points at the tile's row 0).
    Bias(*const f32),
    /// A later K block: the partial sums earlier blocks stored in the output.
    Accumulate,
}

/// Where weight (r, k) of a tile lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// `w[r·lda + k]`: rows of W as they are.
    Rows,
    /// `w[s·MR + r]` for step `s` of a convolution's K block (tap after tap, channel after
    /// channel), rearranged once when its plan is built: one sequential stream in place of
    /// `R × taps` strided ones. Step `s` reads its input row at `b + steps[s]`, so a block's
    /// taps are one loop of `kc` steps rather than a loop per tap of a few dozen channels. On
    /// an AMD EPYC 7001 core (one thread, three interleaved pairs) Inception 3a's 3×3 ran
    /// 2.6% faster so, the whole module 2.4%; its 5×5 and NIN's were level.
    Packed { steps: *const usize },
    /// `w[k·lda + r]`: the "weights" are an input whose rows are channels and whose columns
    /// are the tile's rows — pixels, when the output channels run along the lanes
    /// ([`super::lanes`]).
    Columns,
    /// `w[rows[r] + steps[s]]`: the tile's rows are output pixels of a convolution with the
    /// output channels along the lanes ([`super::lane_conv`]), row `r` at `rows[r]` in the
    /// phase planes and step `s` (tap, channel) at `steps[s]` from it; the vectors are packed
    /// weights, `b[s·ldb + j]`.
    Gathered {
        steps: *const usize,
        rows: *const usize,
    },
}

/// One micro-tile. Pointers are at the tile's origin (row 0, pixel 0, k 0 of this K block).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tile {
    /// Steps of K: channels, or with [`Layout::Packed`] every tap of every channel of the block,
    /// summed into the same accumulators, so a 3×3 convolution's nine taps cost one load and
    /// one store of the output tile, like a pointwise one.
    pub kc: usize,
    pub layout: Layout,
    pub w: *const f32,
    pub lda: usize,
    pub b: *const f32,
    pub ldb: usize,
    pub c: *mut f32,
    pub ldc: usize,
    pub start: Start,
    /// A tensor laid out like the output (stride `ldc`) added on store before the activation — a
    /// residual's shortcut; null for none. Only set on the last K block.
    pub add: *const f32,
    /// Applied on store; only set on the last K block.
    pub activation: Activation,
}

/// Computes `c[R × V·L] (+)= w[R × kc] · b[kc × V·L]` with `L = S::LANES`.
///
/// # Safety
/// `w[r·lda + k]` (`w[k·MR + r]` packed) and `b[k·ldb + j]` (`b[steps[k] + j]` packed) must be valid, and
/// `c[r·ldc + j]` (and `bias[r]`), for every `r < R`, `k < kc`, `j < V·L`; the output tile must
/// not overlap the inputs.
#[inline(never)]
unsafe fn tile<S: Vector, const R: usize, const V: usize>(t: Tile) {
    let mut acc = [[S::ZERO; V]; R];
    // SAFETY (whole body): every offset stays inside the ranges the caller vouched for.
    unsafe {
        match t.start {
            Start::Zero => {}
            Start::Bias(bias) => {
                for (r, row) in acc.iter_mut().enumerate() {
                    *row = [S::splat(*bias.add(r)); V];
                }
            }
            Start::Accumulate => {
                for (r, row) in acc.iter_mut().enumerate() {
                    for (v, a) in row.iter_mut().enumerate() {
                        *a = S::load(t.c.add(r * t.ldc + v * S::LANES));
                    }
                }
            }
        }
        match t.layout {
            Layout::Packed { steps } => sum_steps::<S, R, V>(&mut acc, t.w, t.b, steps, t.kc),
            Layout::Rows => sum_tap::<S, R, V>(&mut acc, t.w, (t.lda, 1), t.b, t.ldb, t.kc),
            // The channel-lane GEMM, after im2col.
            Layout::Columns => sum_tap::<S, R, V>(&mut acc, t.w, (1, t.lda), t.b, t.ldb, t.kc),
            Layout::Gathered { steps, rows } => {
                sum_gathered::<S, R, V>(&mut acc, t.w, rows, t.b, t.ldb, steps, t.kc)
            }
        }
        // One store loop per clamp, chosen once: a match inside the loop cost the pointwise
        // tiles 5–7% against the two-way ReLU test it replaced.
        match t.activation {
            Activation::Identity => store(&acc, &t, |y| y),
            Activation::Relu => store(&acc, &t, |y: S| y.max(S::ZERO)),
            Activation::Relu6 => store(&acc, &t, |y: S| y.max(S::ZERO).min(S::splat(6.0))),
        }
    }
}

/// Writes the accumulators to `t.c`, adding `t.add` first when there is one.
///
/// # Safety
/// As [`tile`].
#[inline(always)]
unsafe fn store<S: Vector, const R: usize, const V: usize>(
    acc: &[[S; V]; R],
    t: &Tile,
    clamp: impl Fn(S) -> S,
) {
    for (r, row) in acc.iter().enumerate() {
        for (v, &y) in row.iter().enumerate() {
            let at = r * t.ldc + v * S::LANES;
            // SAFETY: as the caller's; `at` lies inside the tile.
            unsafe {
                let y = if t.add.is_null() {
                    y
                } else {
                    y + S::load(t.add.add(at))
                };
                S::store(t.c.add(at), clamp(y));
            }
        }
    }
}

/// `acc += w[R × kc] · b[kc × V·L]`: weight (r, k) at `w[r·row + k·step]` with
/// `(row, step)` = `strides` (both constants at each call site, so each is compiled for its
/// own), input rows at stride `ldb`.
///
/// # Safety
/// As [`tile`], for one tap.
#[inline(always)]
unsafe fn sum_tap<S: Vector, const R: usize, const V: usize>(
    acc: &mut [[S; V]; R],
    w: *const f32,
    (row, step): (usize, usize),
    mut b: *const f32,
    ldb: usize,
    kc: usize,
) {
    // SAFETY (whole body): the caller vouched for every row and channel read here.
    unsafe {
        let rows: [*const f32; R] = core::array::from_fn(|r| w.add(r * row));
        for k in 0..kc {
            let x: [S; V] = core::array::from_fn(|v| S::load(b.add(v * S::LANES)));
            for (row, w) in acc.iter_mut().zip(rows) {
                let a = S::splat(*w.add(k * step));
                for (acc, x) in row.iter_mut().zip(x) {
                    *acc = a.mul_add(x, *acc);
                }
            }
            b = b.add(ldb);
        }
    }
}

/// `acc += w[R × n] · b[n × V·L]` over `n` steps of packed weights (`w[s·MR + r]`), step `s`
/// reading its input at `b + steps[s]`.
///
/// # Safety
/// As [`tile`], with [`Layout::Packed`].
#[inline(always)]
unsafe fn sum_steps<S: Vector, const R: usize, const V: usize>(
    acc: &mut [[S; V]; R],
    mut w: *const f32,
    b: *const f32,
    steps: *const usize,
    n: usize,
) {
    // SAFETY (whole body): the caller vouched for every step's weights and input.
    unsafe {
        for s in 0..n {
            let b = b.add(*steps.add(s));
            let x: [S; V] = core::array::from_fn(|v| S::load(b.add(v * S::LANES)));
            for (r, row) in acc.iter_mut().enumerate() {
                let a = S::splat(*w.add(r));
                for (acc, x) in row.iter_mut().zip(x) {
                    *acc = a.mul_add(x, *acc);
                }
            }
            w = w.add(MR);
        }
    }
}

/// `acc += w[R × n] · b[n × V·L]` with row `r`'s operand of step `s` at `w[rows[r] + steps[s]]`
/// and the step's vectors at `b + s·ldb`.
///
/// # Safety
/// As [`tile`], with [`Layout::Gathered`].
#[inline(always)]
unsafe fn sum_gathered<S: Vector, const R: usize, const V: usize>(
    acc: &mut [[S; V]; R],
    w: *const f32,
    rows: *const usize,
    mut b: *const f32,
    ldb: usize,
    steps: *const usize,
    n: usize,
) {
    // SAFETY (whole body): the caller vouched for every row's and step's reads.
    unsafe {
        let rows: [*const f32; R] = core::array::from_fn(|r| w.add(*rows.add(r)));
        for s in 0..n {
            let at = *steps.add(s);
            let x: [S; V] = core::array::from_fn(|v| S::load(b.add(v * S::LANES)));
            for (row, w) in acc.iter_mut().zip(rows) {
                let a = S::splat(*w.add(at));
                for (acc, x) in row.iter_mut().zip(x) {
                    *acc = a.mul_add(x, *acc);
                }
            }
            b = b.add(ldb);
        }
    }
}

/// Runs the `rows × vectors` tile of [`Lane`]s, `1 ≤ rows ≤ 8`, `1 ≤ vectors ≤ 3`.
///
/// # Safety
/// As [`tile`] with `R = rows`, `V = vectors`.
pub(crate) unsafe fn run(rows: usize, vectors: usize, t: Tile) {
    macro_rules! by_vectors {
        ($r:literal) => {
            match vectors {
                1 => tile::<Lane, $r, 1>(t),
                2 => tile::<Lane, $r, 2>(t),
                3 => tile::<Lane, $r, 3>(t),
                // Out of contract: computing nothing is wrong but cannot write out of bounds.
                _ => debug_assert!(false, "no {}×{vectors} tile", $r),
            }
        };
    }
    // SAFETY: forwarded from the caller.
    unsafe {
        match rows {
            1 => by_vectors!(1),
            2 => by_vectors!(2),
            3 => by_vectors!(3),
            4 => by_vectors!(4),
            5 => by_vectors!(5),
            6 => by_vectors!(6),
            7 => by_vectors!(7),
            8 => by_vectors!(8),
            _ => debug_assert!(false, "no {rows}-row tile"),
        }
    }
}

/// Runs a `rows × 1` tile of the narrower vector `S` (a pixel tail of `S::LANES` pixels),
/// `1 ≤ rows ≤ 8`.
///
/// # Safety
/// As [`tile`] with `R = rows`, `V = 1`.
pub(crate) unsafe fn run_narrow<S: Vector>(rows: usize, t: Tile) {
    // SAFETY: forwarded from the caller.
    unsafe {
        match rows {
            1 => tile::<S, 1, 1>(t),
            2 => tile::<S, 2, 1>(t),
            3 => tile::<S, 3, 1>(t),
            4 => tile::<S, 4, 1>(t),
            5 => tile::<S, 5, 1>(t),
            6 => tile::<S, 6, 1>(t),
            7 => tile::<S, 7, 1>(t),
            8 => tile::<S, 8, 1>(t),
            _ => debug_assert!(false, "no {rows}-row tile"),
        }
    }
}
