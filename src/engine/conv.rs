//! A k×k convolution as implicit GEMM: per group, `wide[C_out/G × n_wide] = Σ_tap W_tap ·
//! shift_tap(planes)`, where `W_tap` is the `C_out/G × C_in/G` slice of the weights for one
//! kernel tap (rearranged once, when the plan is built) and `shift_tap` reads the phase planes
//! of [`super::window`] at that tap's offset. The micro-kernel sums every tap of a K block into
//! the same registers, so the output tile is loaded and stored once per K block, as in the
//! pointwise loop nest; no im2col buffer is made.
//!
//! Wide rows are a whole number of vectors, so there is no pixel tail, and the input is not
//! packed: the shifted rows are read in place. The weights are packed, once, when the plan is
//! built, in the order the micro-kernel reads them (BLIS's "pack A", free here because the
//! weights never change): per row tile of MR output channels and K block, tap after tap, `k`
//! after `k`, the MR rows side by side. Read in place they would be `MR × taps` strided
//! streams per tile; packed they are one. The input offset of every step of a K block (tap
//! and channel) is a table made with the plan ([`steps`]), so the kernel runs a block's taps
//! as one loop.

use core::ops::Range;

use super::Activation;
use super::block_sizes::Blocking;
use super::kernel::{self, Start, Tile};
use super::simd::{LANES, MR, NR};
use super::window::Geometry;

/// Channels per K block for a kernel of `taps` taps: the W block of every tap together stays
/// the size the pointwise nest was tuned for. (Sizing it instead so that a K block's input rows
/// stay in L1 — 24 channels rather than 56 on a 3×3 — measured no different on Zen 4, within
/// the ±5% this machine's runs spread; nor did nc or mc from 64 to 2016.)
///
/// The K blocks are balanced: 64 channels in blocks of at most 56 are two of 32, not 56 and a
/// stub of 8 whose partial sums cost a store and a reload of the output for little work.
pub(crate) fn k_block(b: Blocking, taps: usize, k: usize) -> usize {
    let most = (b.kc / taps).clamp(8, k.max(8));
    k.div_ceil(k.div_ceil(most).max(1)).max(1)
}

/// Where each step of a K block of `kc` channels reads its input, from the block's first
/// channel: tap after tap (each at its shift), channel after channel (`ldb` apart), in the order
/// [`pack_weights`] lays out the block's weights.
pub(crate) fn steps(shifts: &[usize], kc: usize, ldb: usize) -> Vec<usize> {
    shifts
        .iter()
        .flat_map(|&shift| (0..kc).map(move |k| shift + k * ldb))
        .collect()
}

/// A convolution's channels per K block and the step tables ([`steps`]) of a whole block
/// and of the last one, for `k` input channels per group.
pub(crate) fn step_tables(
    blocking: Blocking,
    geo: &Geometry,
    k: usize,
) -> (usize, Vec<usize>, Vec<usize>) {
    let kc = k_block(blocking, geo.window.taps(), k);
    let shifts = geo.shifts();
    let last = k - (k - 1) / kc * kc;
    (
        kc,
        steps(&shifts, kc, geo.plane),
        steps(&shifts, last, geo.plane),
    )
}

/// Packs `weights` (`[C_out][C_in/G][tap]`, PyTorch's order) in tiles of output channels, the
/// ranges `tiles` gives (together they cover `0..m`; past `m`, zeros), for [`rectangle`] (tiles
/// of MR) or [`super::lane_conv`] (panels of whole vectors): per group, tile, K block of `kc`,
/// tap, channel, then the tile's channels side by side.
pub(crate) fn pack_weights(
    weights: &[f32],
    (groups, m, k, taps): (usize, usize, usize, usize),
    kc: usize,
    tiles: &[Range<usize>],
) -> Vec<f32> {
    let width: usize = tiles.iter().map(|t| t.len()).sum();
    let mut packed = vec![0.0; groups * width * k * taps];
    let mut at = 0;
    for g in 0..groups {
        for tile in tiles {
            for pc in (0..k).step_by(kc) {
                let kcb = kc.min(k - pc);
                for t in 0..taps {
                    for ci in pc..pc + kcb {
                        for row in tile.clone() {
                            if row < m {
                                packed[at] = weights[((g * m + row) * k + ci) * taps + t];
                            }
                            at += 1;
                        }
                    }
                }
            }
        }
    }
    packed
}

/// The implicit GEMM's tiles of MR output channels, for [`pack_weights`].
pub(crate) fn row_tiles(m: usize) -> Vec<Range<usize>> {
    (0..m.div_ceil(MR)).map(|t| t * MR..(t + 1) * MR).collect()
}

/// One group's GEMM as raw parts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConvGemm {
    /// Input channels of the group.
    pub k: usize,
    /// Wide outputs per channel (a multiple of LANES).
    pub n: usize,
    /// The group's packed weights (see [`pack_weights`]).
    pub w: *const f32,
    pub ntaps: usize,
    /// Channels per K block, and the [`steps`] of a whole block and of the last one.
    pub kc: usize,
    pub steps: *const usize,
    pub last_steps: *const usize,
    /// Phase planes from the group's first channel; channel rows `ldb` apart.
    pub x: *const f32,
    pub ldb: usize,
    /// `c[co·n + q]`.
    pub c: *mut f32,
    pub bias: Option<*const f32>,
}

// SAFETY: threads share a `ConvGemm` only to write disjoint rectangles of `c`; the rest is read.
unsafe impl Send for ConvGemm {}
unsafe impl Sync for ConvGemm {}

/// Computes `c[rows, cols]` of one group.
///
/// # Safety
/// Every pointer must be valid for the whole group and no other thread may touch
/// `c[rows, cols]`; `cols` must start at a multiple of LANES.
pub(crate) unsafe fn rectangle(p: &ConvGemm, rows: Range<usize>, cols: Range<usize>, b: Blocking) {
    let kc_max = p.kc;
    let mc_max = b.mc.max(MR) / MR * MR;
    let nc_max = b.nc.max(NR) / NR * NR;
    for jc in cols.clone().step_by(nc_max) {
        let jc_end = (jc + nc_max).min(cols.end);
        for pc in (0..p.k).step_by(kc_max) {
            let kc = kc_max.min(p.k - pc);
            for ic in rows.clone().step_by(mc_max) {
                let ic_end = (ic + mc_max).min(rows.end);
                for jr in (jc..jc_end).step_by(NR) {
                    let vectors = (jc_end - jr).min(NR).div_ceil(LANES);
                    for ir in (ic..ic_end).step_by(MR) {
                        let start = match (pc == 0, p.bias) {
                            (false, _) => Start::Accumulate,
                            (true, None) => Start::Zero,
                            // SAFETY: ir < m and bias has m entries.
                            (true, Some(bias)) => Start::Bias(unsafe { bias.add(ir) }),
                        };
                        // SAFETY: row tile ir / MR and block pc of the packed weights, channel
                        // pc < k, wide pixel jr < n; every tap's read stays inside the planes
                        // (`Geometry::plane`).
                        let tile = unsafe {
                            Tile {
                                kc: kc * p.ntaps,
                                layout: kernel::Layout::Packed {
                                    steps: if pc + kc == p.k {
                                        p.last_steps
                                    } else {
                                        p.steps
                                    },
                                },
                                w: p.w.add((ir / MR * p.k + pc) * p.ntaps * MR),
                                lda: MR,
                                b: p.x.add(pc * p.ldb + jr),
                                ldb: p.ldb,
                                c: p.c.add(ir * p.n + jr),
                                ldc: p.n,
                                start,
                                add: core::ptr::null(),
                                activation: Activation::Identity,
                            }
                        };
                        // SAFETY: the tile lies inside rows × cols.
                        unsafe { kernel::run((ic_end - ir).min(MR), vectors, tile) };
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Step `s` of a K block must read the input of the tap and channel whose weights
    /// `pack_weights` put at `s·MR`: the two orders are one contract.
    #[test]
    fn each_step_reads_the_input_its_packed_weights_belong_to() {
        let (m, k, kc, ldb) = (MR + 1, 5, 3, 1000);
        let shifts = [0, 1, 31, 62];
        let taps = shifts.len();
        let weights: Vec<f32> = (0..m * k * taps).map(|i| i as f32 + 1.0).collect();
        let packed = pack_weights(&weights, (1, m, k, taps), kc, &row_tiles(m));
        for tile in 0..m.div_ceil(MR) {
            for pc in (0..k).step_by(kc) {
                let kcb = kc.min(k - pc);
                let block = (tile * k + pc) * taps * MR;
                for (s, &offset) in steps(&shifts, kcb, ldb).iter().enumerate() {
                    let (ci, shift) = (pc + offset / ldb, offset % ldb);
                    let t = shifts.iter().position(|&x| x == shift).unwrap();
                    for r in 0..MR {
                        let row = tile * MR + r;
                        let want = if row < m {
                            weights[(row * k + ci) * taps + t]
                        } else {
                            0.0
                        };
                        assert_eq!(packed[block + s * MR + r], want, "step {s} row {row}");
                    }
                }
            }
        }
    }
}
