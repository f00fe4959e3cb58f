//! The GEMM for few pixels, with the output channels along the vector lanes.
//!
//! The pointwise engine puts pixels in the lanes, so an image of 6×6 (36 pixels) fills two of a
//! tile's three vectors and leaves four pixels to the narrow tails, and a 3×3 convolution there
//! over the padded rows computes 48 outputs per channel for 36. Here the roles swap: the
//! register tile's rows are pixels (broadcast from the input, a column of `x[k][p]` each) and
//! its vectors are output channels (the weights, transposed into panels of `NR` channels once
//! when the plan is built), so 36 pixels are 36 rows and nothing idles but the last short row
//! tile. Each panel's `kc × NR` block of weights stays in cache while every pixel tile passes
//! over it; the panel's sums, `pixels × NR` in a buffer on the stack, are transposed into the CHW
//! output with the bias, the addend and the activation.

use super::Activation;
use super::Epilogue;
use super::aligned::FLOATS_PER_LINE;
use super::kernel::{self, Layout, Start, Tile};
use super::parallel::{Disjoint, for_each};
use super::simd::{LANES, MR, NR};
use rayon::ThreadPool;

/// The most pixels this GEMM takes: a panel's sums (`pixels × NR` floats, 12 KiB with
/// AVX-512) live on the stack.
pub(crate) const MAX_PIXELS: usize = 64;

/// `weights` (`[m][k]`, row-major) as panels of `NR` output channels, each `[k][NR]`, the last
/// one padded with zeros.
pub(crate) fn pack(weights: &[f32], m: usize, k: usize) -> Vec<f32> {
    let mut panels = vec![0.0; m.div_ceil(NR) * k * NR];
    for (co, row) in weights.chunks_exact(k).take(m).enumerate() {
        let panel = &mut panels[co / NR * k * NR..];
        for (kk, &w) in row.iter().enumerate() {
            panel[kk * NR + co % NR] = w;
        }
    }
    panels
}

/// Channels per K block: the block's weights (`kc × NR`) and input rows (`kc × n`) together in
/// L1d, since every pixel tile reads all of both.
pub(crate) fn k_block(l1d: usize, n: usize) -> usize {
    (l1d / ((NR + n) * size_of::<f32>()) / 8 * 8).max(16)
}

/// The operands of one channel-lane GEMM: `out[co][p] = act(bias[co] + Σ_k w[co][k]·x[k][p]
/// + add[co][p])` for `m` output channels, `k` input rows and `n ≤ MAX_PIXELS` pixels.
pub(crate) struct LaneGemm<'a> {
    pub m: usize,
    pub k: usize,
    pub n: usize,
    /// Channels per K block, from [`k_block`].
    pub kc: usize,
    /// From [`pack`].
    pub panels: &'a [f32],
    /// `[k][n]`.
    pub x: &'a [f32],
}

/// Runs `g` into `out` (`[m][n]`), one panel of `NR` channels per part.
///
/// # Panics
/// If an operand is shorter than its shape says or `n` exceeds [`MAX_PIXELS`]: the plan
/// sizes them, so a short one is a bug, not bad input.
pub(crate) fn run(
    pool: Option<&ThreadPool>,
    threads: usize,
    g: &LaneGemm,
    epilogue: Epilogue,
    out: &mut [f32],
) {
    let (m, k, n) = (g.m, g.k, g.n);
    assert!(n <= MAX_PIXELS && g.kc > 0, "{n} pixels, kc {}", g.kc);
    assert!(g.panels.len() >= m.div_ceil(NR) * k * NR && g.x.len() >= k * n);
    assert!(out.len() >= m * n);
    assert!(epilogue.bias.is_none_or(|b| b.len() >= m));
    assert!(epilogue.add.is_none_or(|a| a.len() >= m * n));
    let target = Disjoint(out.as_mut_ptr());
    for_each(pool, threads, m.div_ceil(NR), &|p, _| {
        // SAFETY: the lengths were checked above; panel p writes channels p·NR.. alone.
        unsafe { panel(g, p, epilogue, target) }
    });
}

/// # Safety
/// As [`run`] checks, and no other caller writes panel `p`'s channels.
unsafe fn panel(g: &LaneGemm, p: usize, epilogue: Epilogue, out: Disjoint) {
    let (k, n) = (g.k, g.n);
    let channels = (g.m - p * NR).min(NR);
    let vectors = channels.div_ceil(LANES);
    let mut sums = [0.0f32; MAX_PIXELS * NR];
    let weights = &g.panels[p * k * NR..(p + 1) * k * NR];
    for k0 in (0..k).step_by(g.kc) {
        let kc = g.kc.min(k - k0);
        let tiles = n.div_ceil(MR);
        let next = (k0 + kc).min(k) * NR;
        let ahead = (kc.min(k - (k0 + kc).min(k)) * NR).div_ceil(FLOATS_PER_LINE);
        for (t, r0) in (0..n).step_by(MR).enumerate() {
            // Each tile asks for its share of the next block's weights, a line at a time:
            // the weights are read once per run, from memory on a large layer, and without
            // this NIN's 3×3 and 1×1s at 6×6 took 1.18–1.25× as long (Intel AVX-512, one
            // thread, four interleaved rounds).
            for line in ahead * t / tiles..ahead * (t + 1) / tiles {
                prefetch(&weights[next + line * FLOATS_PER_LINE]);
            }
            let tile = Tile {
                kc,
                layout: Layout::Columns,
                // SAFETY (three offsets): row k0 < k, pixel r0 < n; channel row k0 of the
                // panel; pixel row r0 of the sums.
                w: unsafe { g.x.as_ptr().add(k0 * n + r0) },
                lda: n,
                b: unsafe { weights.as_ptr().add(k0 * NR) },
                ldb: NR,
                c: unsafe { sums.as_mut_ptr().add(r0 * NR) },
                ldc: NR,
                start: if k0 == 0 {
                    Start::Zero
                } else {
                    Start::Accumulate
                },
                add: core::ptr::null(),
                activation: Activation::Identity,
            };
            // SAFETY: the tile reads rows r0.. of kc input rows of n, kc rows of the panel
            // (NR wide, zero past the last channel), and writes rows of `sums` inside it.
            unsafe { kernel::run(MR.min(n - r0), vectors, tile) };
        }
    }
    // SAFETY: channels p·NR.. of the output are this panel's alone.
    unsafe { store(&sums, n, channels, (p * NR, n, 0), epilogue, out) };
}

/// Writes a panel's sums for `n` pixels (`[q][NR]`, a pixel's channels side by side) to
/// channel rows of the output, `out[co·pixels + q0 + q]` from channel `first`, with the bias,
/// the addend and the activation: eight pixels of eight channels at a time through a register
/// transpose, the rest one by one. (One by one throughout, the store took a tenth of a 1×1
/// stride-2 convolution over 256 channels in [`super::lane_conv`].)
///
/// # Safety
/// `out` must hold the rows and no other thread write these pixels of these channels.
pub(crate) unsafe fn store(
    sums: &[f32],
    n: usize,
    channels: usize,
    (first, pixels, q0): (usize, usize, usize),
    epilogue: Epilogue,
    out: Disjoint,
) {
    use wide::{f32x8, u32x8};
    let at = |j: usize, q: usize| (first + j) * pixels + q0 + q;
    let (whole_q, whole_j) = (n / 8 * 8, channels / 8 * 8);
    let activation = epilogue.activation;
    for j0 in (0..whole_j).step_by(8) {
        for q in (0..whole_q).step_by(8) {
            // SAFETY: pixels q..q + 8 ≤ n and channels j0..j0 + 8 ≤ channels lie in the sums.
            let rows: [u32x8; 8] = core::array::from_fn(|i| unsafe {
                sums.as_ptr()
                    .add((q + i) * NR + j0)
                    .cast::<u32x8>()
                    .read_unaligned()
            });
            for (j, bits) in u32x8::transpose(rows).into_iter().enumerate() {
                // SAFETY: both are eight plain 32-bit lanes.
                let mut v: f32x8 = unsafe { core::mem::transmute::<u32x8, f32x8>(bits) };
                if let Some(bias) = epilogue.bias {
                    v += f32x8::splat(bias[first + j0 + j]);
                }
                let at = at(j0 + j, q);
                if let Some(add) = epilogue.add {
                    v += f32x8::from(<[f32; 8]>::try_from(&add[at..at + 8]).expect("eight"));
                }
                v = match activation {
                    Activation::Identity => v,
                    Activation::Relu => v.max(f32x8::ZERO),
                    Activation::Relu6 => v.max(f32x8::ZERO).min(f32x8::splat(6.0)),
                };
                // SAFETY: these eight pixels of this channel are the caller's.
                unsafe { out.part(at, 8) }.copy_from_slice(&v.to_array());
            }
        }
    }
    let one = |j: usize, q: usize| {
        let mut v = sums[q * NR + j] + epilogue.bias.map_or(0.0, |b| b[first + j]);
        if let Some(add) = epilogue.add {
            v += add[at(j, q)];
        }
        // SAFETY: this pixel of this channel is the caller's.
        let y = unsafe { out.part(at(j, q), 1) };
        y[0] = activation.apply(v);
    };
    for j in 0..channels {
        let from = if j < whole_j { whole_q } else { 0 };
        (from..n).for_each(|q| one(j, q));
    }
}

/// Asks for the cache line holding `at` ahead of its use.
#[inline(always)]
fn prefetch(at: &f32) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing and cannot fault; `at` is a live reference besides.
    unsafe {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((at as *const f32).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{PointwiseShape, noise, reference};

    #[test]
    fn every_pixel_count_and_ragged_channel_count_matches_the_reference() {
        for (m, k, n) in [
            (1, 1, 1),
            (17, 5, 3),
            (NR + 3, 40, 36),
            (2 * NR, 300, 64),
            (5, 70, 9),
        ] {
            let (w, x, b) = (noise(m * k, 1), noise(k * n, 2), noise(m, 3));
            let add = noise(m * n, 4);
            let panels = pack(&w, m, k);
            for kc in [k_block(32 << 10, n), 7] {
                let epilogue = Epilogue {
                    bias: Some(&b),
                    add: Some(&add),
                    activation: Activation::Relu6,
                };
                let mut got = vec![f32::NAN; m * n];
                let g = LaneGemm {
                    m,
                    k,
                    n,
                    kc,
                    panels: &panels,
                    x: &x,
                };
                run(None, 1, &g, epilogue, &mut got);
                let mut want = vec![0.0; m * n];
                let shape = PointwiseShape::new(k, m, 1, n);
                reference(shape, &w, &x, epilogue, &mut want).expect("reference runs");
                for (i, (g, r)) in got.iter().zip(&want).enumerate() {
                    assert!(
                        (g - r).abs() <= 1e-4 * r.abs().max(1.0),
                        "{m}×{k}×{n} kc {kc} at {i}: {g} against {r}"
                    );
                }
            }
        }
    }
}
