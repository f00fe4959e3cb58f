//! The pixels of a rectangle past its last whole vector: 8 or 4 of them as one narrower vector
//! tile, the last `< 4` as dot products over K, done per row tile right after the tile that
//! pulled those rows of W into L1.

use core::ops::Range;

use wide::{f32x4, f32x8};

use super::dot::{self, DotBlock};
use super::kernel::{self, Start, Tile};
use super::problem::Problem;
use super::simd::MR;

/// The pixels of a rectangle past its last whole vector, and how they are split.
pub(crate) struct Tail {
    pub cols: Range<usize>,
    /// Pixels done as one `f32x8` tile (0 or 8), then as one `f32x4` tile (0 or 4).
    pub half: usize,
    pub quarter: usize,
    /// The rest, done as dot products over the transposed columns `xt` (`dot.len() × K`).
    pub dot: Range<usize>,
    pub xt: *const f32,
}

/// The tail pixels of output channels `rows`, summed over input channels `ks`.
pub(crate) unsafe fn narrow(p: &Problem, rows: Range<usize>, ks: Range<usize>, tail: &Tail) {
    let (first, last) = (ks.start == 0, ks.end == p.k);
    let mut col = tail.cols.start;
    for (width, run) in [
        (
            tail.half,
            kernel::run_narrow::<f32x8> as unsafe fn(usize, Tile),
        ),
        (tail.quarter, kernel::run_narrow::<f32x4>),
    ] {
        if width == 0 {
            continue;
        }
        for ir in rows.clone().step_by(MR) {
            let start = match (first, p.bias) {
                (false, _) => Start::Accumulate,
                (true, None) => Start::Zero,
                // SAFETY: ir < M and bias has M entries.
                (true, Some(bias)) => Start::Bias(unsafe { bias.add(ir) }),
            };
            let tile = Tile {
                kc: ks.end - ks.start,
                // SAFETY (three offsets): row ir < M, channel ks.start < K, pixel col < N.
                w: unsafe { p.w.add(ir * p.k + ks.start) },
                layout: kernel::Layout::Rows,
                lda: p.k,
                b: unsafe { p.x.add(ks.start * p.n + col) },
                ldb: p.n,
                c: unsafe { p.c.add(ir * p.n + col) },
                ldc: p.n,
                start,
                // SAFETY: row ir < M, pixel col < N.
                add: match p.add {
                    Some(add) if last => unsafe { add.add(ir * p.n + col) },
                    _ => core::ptr::null(),
                },
                activation: p.activation_at(last),
            };
            // SAFETY: rows ir.., channels ks and pixels col..col + width are in bounds.
            unsafe { run((rows.end - ir).min(MR), tile) };
        }
        col += width;
    }
    let width = tail.dot.end - tail.dot.start;
    for r in rows.clone().step_by(4) {
        for t in (0..width).step_by(4) {
            // SAFETY: row r < M, channel ks.start < K, tail pixel t < width; `xt` holds
            // width × K floats.
            let block = unsafe {
                DotBlock {
                    k: ks.end - ks.start,
                    w: p.w.add(r * p.k + ks.start),
                    lda: p.k,
                    xt: tail.xt.add(t * p.k + ks.start),
                    ldx: p.k,
                    c: p.c.add(r * p.n + tail.dot.start + t),
                    ldc: p.n,
                    accumulate: !first,
                    bias: if first {
                        p.bias.map(|b| b.add(r))
                    } else {
                        None
                    },
                    add: p
                        .add
                        .filter(|_| last)
                        .map(|a| a.add(r * p.n + tail.dot.start + t)),
                    activation: p.activation_at(last),
                }
            };
            // SAFETY: the block's rows, pixels and channels are all in bounds.
            unsafe { dot::run((rows.end - r).min(4), (width - t).min(4), block) };
        }
    }
}
