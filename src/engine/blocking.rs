//! The BLIS loop nest for one rectangle of the output, on the calling thread.
//!
//! `out[M × N] = W[M × K] · in[K × N]` with M = C_out, K = C_in, N = H·W. Nothing is packed:
//! in CHW layout the pixels of an input channel are contiguous, so a micro-kernel's input panel
//! (`kc` rows × `NV·LANES` pixels) is read in place at row stride N, and W rows are read in place
//! at stride K. Packing would buy alignment and a conflict-free stride, but it costs a full pass
//! over the input per call, which the small-C_out layers (the ones a 1×1 "reduce" makes) cannot
//! amortise. The block sizes below keep the reused operands in cache instead.

use core::ops::Range;
use std::cell::RefCell;

use super::dot::{self, DotBlock};
use super::kernel::{self, Start, Tile};
use super::simd::{LANES, MR, NV};

thread_local! {
    /// Per-thread room for the transposed narrow-tail columns (`width × K`): grown to the
    /// largest K seen, then reused, so steady-state calls allocate nothing.
    static NARROW: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Pixels per micro-tile (LOOP 2 step).
pub(crate) const NR: usize = NV * LANES;

/// Cache block sizes, each named by the loop it controls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocking {
    /// LOOP 4 step, input channels per pass: a micro-kernel's input panel is `kc × NR` floats
    /// (`kc = 256`: 48 KiB at NR = 48) and is reused by every row tile of LOOP 1, so it should
    /// stay in L1/L2.
    pub kc: usize,
    /// LOOP 3 step, output channels per block: the W block `mc × kc` is reused by every pixel
    /// tile of LOOP 2 and should stay in L2.
    pub mc: usize,
    /// LOOP 5 step, pixels per block: bounds the input block `kc × nc` that LOOP 3 re-reads.
    pub nc: usize,
}

impl Default for Blocking {
    fn default() -> Self {
        Blocking {
            kc: 256,
            mc: 128,
            nc: 1024,
        }
    }
}

/// A whole pointwise problem as raw parts; [`super::Engine`] checked every length.
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
    pub relu: bool,
}

// SAFETY: `Problem` is only shared between threads that write disjoint output rectangles
// (see `super::parallel`), and the inputs are only read.
unsafe impl Send for Problem {}
unsafe impl Sync for Problem {}

/// Computes `out[rows, cols]`.
///
/// # Safety
/// `p`'s pointers must be valid for the whole problem and no other thread may touch
/// `out[rows, cols]`.
pub(crate) unsafe fn rectangle(
    p: &Problem,
    rows: Range<usize>,
    cols: Range<usize>,
    blocking: Blocking,
) {
    let wide_end = cols.start + (cols.end - cols.start) / LANES * LANES;
    // SAFETY: forwarded from the caller; every tile lies inside `rows × cols`.
    unsafe {
        vector_columns(p, rows.clone(), cols.start..wide_end, blocking);
        if wide_end < cols.end {
            NARROW.with_borrow_mut(|scratch| narrow_columns(p, rows, wide_end..cols.end, scratch));
        }
    }
}

/// The pixels that fill whole vectors.
unsafe fn vector_columns(p: &Problem, rows: Range<usize>, cols: Range<usize>, b: Blocking) {
    let (kc_max, mc_max, nc_max) = (b.kc.max(1), b.mc.max(MR), b.nc.max(NR));
    // LOOP 5: pixels in blocks of nc. Parallel work is split above this nest, by pixel or by
    // output-channel rectangles, never along K (that would need a reduction across threads).
    for jc in (cols.start..cols.end).step_by(nc_max) {
        let jc_end = (jc + nc_max).min(cols.end);
        // LOOP 4: input channels in blocks of kc. Serial: each block adds to the previous one.
        for pc in (0..p.k).step_by(kc_max) {
            let kc = kc_max.min(p.k - pc);
            let first = pc == 0;
            let last = pc + kc == p.k;
            // LOOP 3: output channels in blocks of mc.
            for ic in (rows.start..rows.end).step_by(mc_max) {
                let ic_end = (ic + mc_max).min(rows.end);
                // LOOP 2: pixels in micro-tiles of NR (the last may have fewer whole vectors).
                for jr in (jc..jc_end).step_by(NR) {
                    let vectors = (jc_end - jr).min(NR) / LANES;
                    // LOOP 1: output channels in micro-tiles of MR (the last may be shorter).
                    for ir in (ic..ic_end).step_by(MR) {
                        let rows_here = (ic_end - ir).min(MR);
                        let start = match (first, p.bias) {
                            (false, _) => Start::Accumulate,
                            (true, None) => Start::Zero,
                            // SAFETY: ir < M and bias has M entries.
                            (true, Some(bias)) => Start::Bias(unsafe { bias.add(ir) }),
                        };
                        // SAFETY: the tile rows ir.., pixels jr.., channels pc.. are in bounds.
                        unsafe {
                            kernel::run(
                                rows_here,
                                vectors,
                                Tile {
                                    kc,
                                    w: p.w.add(ir * p.k + pc),
                                    lda: p.k,
                                    b: p.x.add(pc * p.n + jr),
                                    ldb: p.n,
                                    c: p.c.add(ir * p.n + jr),
                                    ldc: p.n,
                                    start,
                                    relu: p.relu && last,
                                },
                            );
                        }
                    }
                }
            }
        }
    }
}

/// The last `< LANES` pixels of each row, as dot products over K.
unsafe fn narrow_columns(
    p: &Problem,
    rows: Range<usize>,
    cols: Range<usize>,
    scratch: &mut Vec<f32>,
) {
    let width = cols.end - cols.start;
    scratch.clear();
    scratch.resize(width * p.k, 0.0);
    // Transpose the few input columns into contiguous K-rows so the dot products stream.
    for (t, col) in scratch.chunks_exact_mut(p.k).enumerate() {
        for (ci, v) in col.iter_mut().enumerate() {
            // SAFETY: ci < K and cols.start + t < N.
            *v = unsafe { *p.x.add(ci * p.n + cols.start + t) };
        }
    }
    for r in (rows.start..rows.end).step_by(4) {
        let rows_here = (rows.end - r).min(4);
        for t in (0..width).step_by(4) {
            let cols_here = (width - t).min(4);
            // SAFETY: rows r..r+rows_here < M, columns < N, scratch holds width × K floats.
            unsafe {
                dot::run(
                    rows_here,
                    cols_here,
                    DotBlock {
                        k: p.k,
                        w: p.w.add(r * p.k),
                        lda: p.k,
                        xt: scratch.as_ptr().add(t * p.k),
                        ldx: p.k,
                        c: p.c.add(r * p.n + cols.start + t),
                        ldc: p.n,
                        bias: p.bias.map(|b| b.add(r)),
                        relu: p.relu,
                    },
                );
            }
        }
    }
}
