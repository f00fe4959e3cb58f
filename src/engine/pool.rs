//! Max and average pooling straight from a CHW plane, one channel at a time, as two passes:
//! each output row first combines its window's input rows (in vectors along the row, into one
//! padded line), then each output pixel combines its window's columns of that line. Both max
//! and sum are separable, so this is the same result as the k×k window, at `kh + kw` operations
//! per output rather than `kh·kw`, with no phase planes and no compaction: a 3×3 stride-2 max
//! pool on 54×54×96 took a third of the time that way (0.11 ms against 0.31, one thread) that
//! it did through the phase planes. A stride-1 pool that keeps the plane's size (Inception's
//! 3×3 padded by 1) runs both passes over whole rows at once instead ([`Pooling::same`]).

use super::pool_reduce::{Reduce, combine_columns, combine_rows, runs};
use super::simd::LANES;

/// Floats of combined rows a size-keeping pool makes before reading them back
/// ([`Pooling::same`]): 16 KiB stays in L1 beside the input rows it reads.
const BATCH_FLOATS: usize = 4096;

/// One pooling layer's sizes, per channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pooling {
    pub h: usize,
    pub w: usize,
    pub ho: usize,
    pub wo: usize,
    pub kernel: (usize, usize),
    pub stride: (usize, usize),
    pub padding: (usize, usize),
}

impl Pooling {
    /// Floats of the padded line one output row is combined into: every column any window
    /// reads, the left padding, the row and whatever a ceil-mode window reads past it.
    fn line(&self) -> usize {
        let (kw, sw, pw) = (self.kernel.1, self.stride.1, self.padding.1);
        let reach = (self.wo.max(1) - 1) * sw + kw;
        reach.max(pw + self.w).div_ceil(LANES) * LANES
    }

    /// Floats of scratch [`Pooling::channel`] needs: the line, and the row of every window
    /// start at stride 1 that a strided row is picked from; or, for a pool that keeps the
    /// size, a batch of combined rows.
    pub fn scratch(&self) -> usize {
        if self.keeps_size() {
            self.batch() * self.w
        } else {
            2 * self.line()
        }
    }

    /// Whether this is a stride-1 pool whose padding keeps the plane's size (3×3 padded by 1,
    /// as Inception's pool branch): then input row `y` and output row `y` have the same stride,
    /// and both passes can run over whole rows at once.
    fn keeps_size(&self) -> bool {
        self.stride == (1, 1) && (self.ho, self.wo) == (self.h, self.w) && self.w > 0
    }

    /// Rows combined at a time by [`Pooling::same`]: see [`BATCH_FLOATS`].
    fn batch(&self) -> usize {
        (BATCH_FLOATS / self.w.max(1)).clamp(1, self.h.max(1))
    }

    /// [`Pooling::channel`] for a pool that keeps the size, a batch of rows at a time. First
    /// every row's window rows, over the batch's rows as one run wherever the window lies
    /// inside the input; then every pixel's window columns, again as one run, which is wrong
    /// only at each row's ends, where a window reads into the next row: those `kw − 1` pixels
    /// per row are done again, clipped. Per output row, the setup had cost more than the work
    /// (rows of 28 floats are two vectors): Inception 3a's 3×3 max pool on 28×28×192 took
    /// 0.053 ms this way against 0.134 (Intel AVX-512, one thread, median of three
    /// interleaved rounds of `bench --whole --preset inception3a --layers`).
    #[inline(always)]
    fn same<const K: usize>(
        &self,
        how: Reduce,
        input: &[f32],
        scratch: &mut [f32],
        out: &mut [f32],
        finish: &mut dyn FnMut(usize, &mut [f32]),
    ) {
        let (h, w) = (self.h, self.w);
        let (kh, kw) = self.kernel;
        let (ph, pw) = self.padding;
        let batch = self.batch();
        let rows = &mut scratch[..batch * w];
        assert!(input.len() >= h * w && out.len() >= h * w);
        // Rows whose whole window is inside the input: `ph ..< h − (kh − 1 − ph)`.
        let inside = ph..(h + ph + 1).saturating_sub(kh).max(ph);
        for first in (0..h).step_by(batch) {
            let end = (first + batch).min(h);
            let rows = &mut rows[..(end - first) * w];
            for y in first..end {
                if inside.contains(&y) {
                    continue;
                }
                let valid = y.saturating_sub(ph)..(y + kh - ph).min(h);
                let row = &mut rows[(y - first) * w..(y - first + 1) * w];
                let top = &input[valid.start * w..valid.start * w + w];
                let rest = valid.start + 1..valid.end;
                combine_rows(how, row, top, rest.map(|r| &input[r * w..r * w + w]));
            }
            let run = first.max(inside.start)..end.min(inside.end);
            if !run.is_empty() {
                let from = &input[(run.start - ph) * w..];
                let to = &mut rows[(run.start - first) * w..(run.end - first) * w];
                runs::<K>(how, from, (kh, w), to);
            }
            let dst = &mut out[first * w..end * w];
            let n = dst.len();
            if n >= kw {
                runs::<K>(how, &rows[..], (kw, 1), &mut dst[pw..n + 1 + pw - kw]);
            }
            let reduce = |s: &[f32]| s[1..].iter().fold(s[0], |acc, &v| how.scalar(acc, v));
            let right = w.saturating_sub(kw - 1 - pw).max(pw);
            for (row, line) in rows.chunks_exact(w).zip(dst.chunks_exact_mut(w)) {
                if K == 3 && w >= 2 {
                    // A 3-wide window padded by 1: each end is its two pixels, no loop needed.
                    line[0] = how.scalar(row[0], row[1]);
                    line[w - 1] = how.scalar(row[w - 2], row[w - 1]);
                    continue;
                }
                for x in 0..pw.min(w) {
                    line[x] = reduce(&row[..(x + kw - pw).min(w)]);
                }
                for x in right..w {
                    line[x] = reduce(&row[x - pw..]);
                }
            }
            finish(first * w, dst);
        }
    }

    /// Pools one channel: `input` is its `h × w` plane, `out` its `ho × wo` plane, `scratch`
    /// [`Pooling::scratch`] floats. `finish` runs on each finished run of output pixels (a
    /// row, or whole rows) with the index of its first pixel.
    pub fn channel(
        &self,
        how: Reduce,
        input: &[f32],
        scratch: &mut [f32],
        out: &mut [f32],
        finish: &mut dyn FnMut(usize, &mut [f32]),
    ) {
        // One body per reduction and for the usual 3×3 window, so that neither the reduction
        // nor the window's size is looked at per vector.
        match (self.keeps_size(), how, self.kernel) {
            (true, Reduce::Max, (3, 3)) => self.same::<3>(Reduce::Max, input, scratch, out, finish),
            (true, Reduce::Sum, (3, 3)) => self.same::<3>(Reduce::Sum, input, scratch, out, finish),
            (true, Reduce::Max, _) => self.same::<0>(Reduce::Max, input, scratch, out, finish),
            (true, Reduce::Sum, _) => self.same::<0>(Reduce::Sum, input, scratch, out, finish),
            (false, Reduce::Max, (3, 3)) => {
                self.rows::<3>(Reduce::Max, input, scratch, out, finish)
            }
            (false, Reduce::Sum, (3, 3)) => {
                self.rows::<3>(Reduce::Sum, input, scratch, out, finish)
            }
            (false, Reduce::Max, _) => self.rows::<0>(Reduce::Max, input, scratch, out, finish),
            (false, Reduce::Sum, _) => self.rows::<0>(Reduce::Sum, input, scratch, out, finish),
        }
    }

    /// [`Pooling::channel`] an output row at a time, through the padded line. `K` is the
    /// window's height and width where it is square and known when compiled, else 0.
    #[inline(always)]
    fn rows<const K: usize>(
        &self,
        how: Reduce,
        input: &[f32],
        scratch: &mut [f32],
        out: &mut [f32],
        finish: &mut dyn FnMut(usize, &mut [f32]),
    ) {
        let (h, w) = (self.h, self.w);
        let (kh, kw) = self.kernel;
        let (sh, sw) = self.stride;
        let (ph, pw) = self.padding;
        let (line, starts) = scratch[..self.scratch()].split_at_mut(self.line());
        assert!(input.len() >= h * w && out.len() >= self.ho * self.wo);
        let fill = how.identity();
        line[..pw].fill(fill);
        line[pw + w..].fill(fill);
        for (oy, dst) in out.chunks_exact_mut(self.wo).take(self.ho).enumerate() {
            // Padded rows oy·sh .. + kh, of which those inside the input.
            let top = oy * sh;
            let rows = top.max(ph).min(h + ph) - ph..(top + kh).clamp(ph, h + ph) - ph;
            let row = &mut line[pw..pw + w];
            if rows.len() == kh {
                runs::<K>(how, &input[rows.start * w..], (kh, w), row);
            } else if rows.is_empty() {
                row.fill(fill);
            } else {
                let first = &input[rows.start * w..rows.start * w + w];
                let rest = rows.start + 1..rows.end;
                combine_rows(how, row, first, rest.map(|y| &input[y * w..y * w + w]));
            }
            combine_columns::<K>(how, line, (kw, sw), starts, dst);
            finish(oy * self.wo, dst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The k×k window, cell by cell, as the definition says.
    fn naive(p: &Pooling, how: Reduce, input: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0; p.ho * p.wo];
        for oy in 0..p.ho {
            for ox in 0..p.wo {
                let mut acc = how.identity();
                for dy in 0..p.kernel.0 {
                    for dx in 0..p.kernel.1 {
                        let y = (oy * p.stride.0 + dy).checked_sub(p.padding.0);
                        let x = (ox * p.stride.1 + dx).checked_sub(p.padding.1);
                        if let (Some(y), Some(x)) = (y, x)
                            && y < p.h
                            && x < p.w
                        {
                            acc = how.scalar(acc, input[y * p.w + x]);
                        }
                    }
                }
                out[oy * p.wo + ox] = acc;
            }
        }
        out
    }

    fn check(
        h: usize,
        w: usize,
        kernel: (usize, usize),
        stride: (usize, usize),
        pad: (usize, usize),
    ) {
        // Outputs as ceil mode counts them, so windows run past the input too.
        let ho = (h + 2 * pad.0 - kernel.0).div_ceil(stride.0) + 1;
        let wo = (w + 2 * pad.1 - kernel.1).div_ceil(stride.1) + 1;
        let p = Pooling {
            h,
            w,
            ho,
            wo,
            kernel,
            stride,
            padding: pad,
        };
        let input: Vec<f32> = (0..h * w).map(|i| ((i * 37 % 101) as f32) - 50.0).collect();
        for how in [Reduce::Max, Reduce::Sum] {
            let mut scratch = vec![f32::NAN; p.scratch()];
            let mut out = vec![f32::NAN; ho * wo];
            // Each finished run marks its pixels by index, so a pixel finished twice, or
            // handed over with the wrong index, shows up.
            let mark = |i: usize| (i * 1000) as f32;
            p.channel(how, &input, &mut scratch, &mut out, &mut |first, run| {
                for (j, x) in run.iter_mut().enumerate() {
                    *x += mark(first + j);
                }
            });
            let expected: Vec<f32> = naive(&p, how, &input)
                .iter()
                .enumerate()
                .map(|(i, x)| x + mark(i))
                .collect();
            assert_eq!(out, expected, "{how:?} {p:?}");
        }
    }

    #[test]
    fn matches_the_window_cell_by_cell() {
        check(54, 54, (3, 3), (2, 2), (0, 0));
        check(28, 28, (3, 3), (1, 1), (1, 1));
        check(1, 1, (1, 1), (1, 1), (0, 0));
        check(7, 40, (1, 5), (1, 1), (0, 2));
        check(40, 7, (5, 1), (3, 1), (2, 0));
        check(9, 9, (2, 2), (5, 5), (1, 1));
        check(5, 33, (3, 3), (1, 1), (2, 2));
        check(13, 13, (6, 6), (1, 1), (0, 0));
    }

    /// Stride-1 pools that keep the size run over whole rows at once, with each row's ends
    /// redone: tiny planes, planes narrower than the window, more rows than one batch.
    #[test]
    fn size_keeping_pools_match_the_window() {
        for (h, w) in [
            (28, 28),
            (2, 2),
            (1, 5),
            (30, 3),
            (3, 1),
            (100, 50),
            (7, 17),
            (1, 1),
        ] {
            check(h, w, (3, 3), (1, 1), (1, 1));
        }
        check(13, 13, (5, 5), (1, 1), (2, 2));
        check(9, 17, (5, 3), (1, 1), (2, 1));
        check(3, 3, (7, 7), (1, 1), (3, 3));
        check(4, 90, (1, 7), (1, 1), (0, 3));
        check(200, 41, (3, 3), (1, 1), (1, 1));
    }
}
