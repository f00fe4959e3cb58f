//! The BLIS loop nest for one rectangle of the output, on the calling thread.
//!
//! `out[M × N] = W[M × K] · in[K × N]` with M = C_out, K = C_in, N = H·W. In CHW layout the
//! pixels of an input channel are contiguous, so a micro-kernel's input panel (`kc` rows ×
//! `NV·LANES` pixels) is read in place at row stride N, and W rows in place at stride K.
//! Packing the input into contiguous micro-panels buys a conflict-free stride but costs a pass
//! over the input, which the small-C_out layers (the ones a 1×1 "reduce" makes) cannot amortise
//! (up to a third slower on 192→16 @ 28×28); it is done only where measured to pay (see
//! [`Blocking::packs`]). The block sizes below keep the reused operands in cache instead.
//!
//! Pixels past the last whole vector (HW = 196 is 12 vectors + 4 at 16 lanes) are done per row
//! tile, right after the tile that pulled those W rows into L1: 8 or 4 of them as one narrower
//! vector tile, the last `< 4` as dot products over K. Zero-padding them to a whole vector
//! would cost up to 15/16 of a vector's work per row tile (30 % of a 7×7 layer).
//!
//! Degenerate shapes need no separate setup to amortise, since nothing is packed: C_out below
//! MR runs the same kernel with fewer rows (no zero-padded rows), tiny images and HW = 1 are
//! all tail (dot products over K: a matrix-vector product), and tiny C_in is a short K loop.
//! C_out = 1 and C_in = 1 are bound by cache bandwidth, not FMAs (each input or output value is
//! touched once per FMA), so a wider tile would not help them.

use core::ops::Range;
use std::cell::RefCell;

use super::aligned::AlignedVec;
use super::block_sizes::{Blocking, rows_aligned};
use super::kernel::{self, Start, Tile};
use super::pack::pack_block;
use super::problem::Problem;
use super::simd::{LANES, MR, NR};
use super::tail::{Tail, narrow};

thread_local! {
    /// Per-thread room for the transposed narrow-tail columns (`width × K`): grown to the
    /// largest K seen, then reused, so steady-state calls allocate nothing.
    static NARROW: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
    /// Per-thread room for a packed input block (`kc × nc`), grown and reused the same way.
    static PACKED: RefCell<AlignedVec> = const { RefCell::new(AlignedVec::new()) };
}

/// Computes `out[rows, cols]`.
///
/// # Safety
/// `p`'s pointers must be valid for the whole problem and no other thread may touch
/// `out[rows, cols]`.
pub(crate) unsafe fn rectangle(p: &Problem, rows: Range<usize>, cols: Range<usize>, b: Blocking) {
    let wide_end = cols.start + (cols.end - cols.start) / LANES * LANES;
    let tail = cols.end - wide_end;
    // Tail pixels go to a half-width then a quarter-width vector tile where those fit, and the
    // last `< 4` to dot products.
    let half = if LANES > 8 && tail >= 8 { 8 } else { 0 };
    let quarter = if LANES > 4 && tail - half >= 4 { 4 } else { 0 };
    let dot = wide_end + half + quarter..cols.end;
    NARROW.with_borrow_mut(|narrow| {
        // Transpose the dot-product columns into contiguous K-rows so they stream:
        // `narrow[t·K + ci] = x[ci·N + dot.start + t]`.
        narrow.clear();
        for t in dot.clone() {
            // SAFETY: ci < K and t < N.
            narrow.extend((0..p.k).map(|ci| unsafe { *p.x.add(ci * p.n + t) }));
        }
        let tail = Tail {
            cols: wide_end..cols.end,
            half,
            quarter,
            dot,
            xt: narrow.as_ptr(),
        };
        let pack = b.packs(rows.len(), p.k, rows_aligned(p.x, p.n));
        PACKED.with_borrow_mut(|packed| {
            let buffer = pack.then_some(packed);
            // SAFETY: forwarded from the caller; every tile lies inside `rows × cols`.
            unsafe { nest(p, rows, cols.start..wide_end, &tail, b, buffer) }
        });
    });
}

/// The loop nest over the pixels that fill whole vectors (`cols`), with the narrow tail done
/// per row tile right after the tile that last read those rows of W. With a `packed` buffer,
/// each input block is first copied into micro-panels the kernel reads contiguously.
unsafe fn nest(
    p: &Problem,
    rows: Range<usize>,
    cols: Range<usize>,
    tail: &Tail,
    b: Blocking,
    mut packed: Option<&mut AlignedVec>,
) {
    // Any block sizes are accepted; pixel blocks are rounded to whole micro-tiles so every
    // tile but a block's last is full and vector-aligned.
    // Output-channel blocks are whole micro-tiles too: a remainder tile in every block would
    // run a few rows at a fraction of the kernel's speed.
    let (kc_max, mc_max, nc_max) = (b.kc.max(1), b.mc.max(MR) / MR * MR, b.nc.max(NR) / NR * NR);
    // LOOP 5: pixels in blocks of nc; the last block also owns the narrow tail (a rectangle
    // with no whole vectors is a single empty block plus its tail). Parallel work is split
    // above this nest, never along K, which would need a reduction across threads.
    let mut jc = cols.start;
    loop {
        let jc_end = (jc + nc_max).min(cols.end);
        let with_tail = jc_end == cols.end && !tail.cols.is_empty();
        // LOOP 4: input channels in blocks of kc. Serial: each block adds to the previous one.
        for pc in (0..p.k).step_by(kc_max) {
            let kc = kc_max.min(p.k - pc);
            let (first, last) = (pc == 0, pc + kc == p.k);
            // The input block kc × (jc..jc_end) as micro-panels: panel t holds pixels
            // jc + t·NR .. + NR of every channel, at `panel[t·kc·NR + k·NR + j]`.
            let panels = packed.as_deref_mut().map(|buffer| {
                // SAFETY: channels pc..pc + kc < K and pixels jc..jc_end < N.
                unsafe { pack_block(p, pc..pc + kc, jc..jc_end, buffer) }
            });
            // LOOP 3: output channels in blocks of mc.
            for ic in (rows.start..rows.end).step_by(mc_max) {
                let ic_end = (ic + mc_max).min(rows.end);
                // LOOP 2: pixels in micro-tiles of NR (the last may have fewer whole vectors).
                for jr in (jc..jc_end).step_by(NR) {
                    let vectors = (jc_end - jr).min(NR) / LANES;
                    let tail_here = with_tail && jr + NR >= jc_end;
                    // LOOP 1: output channels in micro-tiles of MR (the last may be shorter).
                    for ir in (ic..ic_end).step_by(MR) {
                        let ir_end = (ir + MR).min(ic_end);
                        let start = match (first, p.bias) {
                            (false, _) => Start::Accumulate,
                            (true, None) => Start::Zero,
                            // SAFETY: ir < M and bias has M entries.
                            (true, Some(bias)) => Start::Bias(unsafe { bias.add(ir) }),
                        };
                        let (b, ldb) = match panels {
                            // SAFETY: panel (jr − jc)/NR of the packed block, kc × NR floats.
                            Some(base) => (unsafe { base.add((jr - jc) / NR * kc * NR) }, NR),
                            // SAFETY: channel pc < K, pixel jr < N.
                            None => (unsafe { p.x.add(pc * p.n + jr) }, p.n),
                        };
                        let tile = Tile {
                            kc,
                            layout: kernel::Layout::Rows,
                            // SAFETY: row ir < M, channel pc < K.
                            w: unsafe { p.w.add(ir * p.k + pc) },
                            lda: p.k,
                            b,
                            ldb,
                            c: unsafe { p.c.add(ir * p.n + jr) },
                            ldc: p.n,
                            start,
                            // SAFETY: row ir < M, pixel jr < N.
                            add: match p.add {
                                Some(add) if last => unsafe { add.add(ir * p.n + jr) },
                                _ => core::ptr::null(),
                            },
                            activation: p.activation_at(last),
                        };
                        // SAFETY: the tile's rows, pixels and channels are all in bounds.
                        unsafe { kernel::run(ir_end - ir, vectors, tile) };
                        if tail_here {
                            // The tile has just pulled these rows of W into L1.
                            // SAFETY: rows ir..ir_end and channels pc..pc+kc are in bounds.
                            unsafe { narrow(p, ir..ir_end, pc..pc + kc, tail) };
                        }
                    }
                }
                if with_tail && jc == jc_end {
                    // No whole vectors at all (N < LANES): the tail is the whole block.
                    // SAFETY: rows ic..ic_end and channels pc..pc+kc are in bounds.
                    unsafe { narrow(p, ic..ic_end, pc..pc + kc, tail) };
                }
            }
        }
        jc = jc_end;
        if jc == cols.end {
            break;
        }
    }
}
