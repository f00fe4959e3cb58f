//! Max and average pooling straight from a CHW plane, one channel at a time, as two passes:
//! each output row first combines its window's input rows (in vectors along the row, into one
//! padded line), then each output pixel combines its window's columns of that line. Both max
//! and sum are separable, so this is the same result as the k×k window, at `kh + kw` operations
//! per output rather than `kh·kw`, with no phase planes and no compaction: a 3×3 stride-2 max
//! pool on 54×54×96 took a third of the time that way (0.11 ms against 0.31, one thread) that
//! it did through the phase planes.

use super::simd::{LANES, Lane, Vector};

/// How a pooling window combines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reduce {
    Max,
    Sum,
}

impl Reduce {
    /// The value outside the input: it never wins a max and adds nothing to a sum.
    fn identity(self) -> f32 {
        match self {
            Reduce::Max => f32::NEG_INFINITY,
            Reduce::Sum => 0.0,
        }
    }

    #[inline(always)]
    fn vector<V: Vector>(self, acc: V, x: V) -> V {
        match self {
            Reduce::Max => acc.max(x),
            Reduce::Sum => acc + x,
        }
    }

    /// As [`Reduce::vector`] on one lane: `x` where either is NaN, as the vector max gives,
    /// which is one instruction where `f32::max` is three.
    #[inline(always)]
    fn scalar(self, acc: f32, x: f32) -> f32 {
        match self {
            Reduce::Max => {
                if acc > x {
                    acc
                } else {
                    x
                }
            }
            Reduce::Sum => acc + x,
        }
    }
}

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
    /// start at stride 1 that a strided row is picked from.
    pub fn scratch(&self) -> usize {
        2 * self.line()
    }

    /// Pools one channel: `input` is its `h × w` plane, `out` its `ho × wo` plane, `scratch`
    /// [`Pooling::scratch`] floats. `finish` runs on each finished output row with the
    /// row's index.
    pub fn channel(
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
            if rows.is_empty() {
                row.fill(fill);
            } else {
                let first = &input[rows.start * w..rows.start * w + w];
                let rest = rows.start + 1..rows.end;
                combine_rows(how, row, first, rest.map(|y| &input[y * w..y * w + w]));
            }
            combine_columns(how, line, (kw, sw), starts, dst);
            finish(oy, dst);
        }
    }
}

/// Vectors at `0, LANES, …` covering `0..n`, the last moved back to end at `n` when `n` is not
/// a whole number of them (it recomputes a few outputs, to the same values); `None` when `n`
/// is shorter than one vector.
fn vector_starts(n: usize) -> Option<impl Iterator<Item = usize>> {
    (n >= LANES).then(|| (0..n.div_ceil(LANES)).map(move |v| (v * LANES).min(n - LANES)))
}

/// `row = first ∘ each of rest`.
fn combine_rows<'a>(
    how: Reduce,
    row: &mut [f32],
    first: &[f32],
    rest: impl Iterator<Item = &'a [f32]> + Clone,
) {
    let n = row.len();
    let load = |s: &[f32], at: usize| {
        assert!(at + LANES <= s.len());
        // SAFETY: checked just above.
        unsafe { Lane::load(s.as_ptr().add(at)) }
    };
    let Some(starts) = vector_starts(n) else {
        for at in 0..n {
            row[at] = rest
                .clone()
                .fold(first[at], |acc, r| how.scalar(acc, r[at]));
        }
        return;
    };
    for at in starts {
        let acc = rest
            .clone()
            .fold(load(first, at), |acc, r| how.vector(acc, load(r, at)));
        // SAFETY: at + LANES ≤ n = row.len().
        unsafe { Lane::store(row.as_mut_ptr().add(at), acc) };
    }
}

/// `dst[ox] = ∘ line[ox·sw .. ox·sw + kw]`. In vectors of neighbouring window starts: at stride
/// 1 straight into `dst`; at a larger stride into `starts`, every start from the first to the
/// last, of which every `sw`-th is picked (on a 3×3 stride-2 pool that is faster than three
/// scalar operations per output, as there is no strided vector load).
fn combine_columns(
    how: Reduce,
    line: &[f32],
    (kw, sw): (usize, usize),
    starts: &mut [f32],
    dst: &mut [f32],
) {
    let wo = dst.len();
    let span = (wo.max(1) - 1) * sw + 1;
    let every = if sw == 1 {
        &mut *dst
    } else {
        &mut starts[..span]
    };
    if let Some(at) = vector_starts(every.len()) {
        let load = |at: usize| {
            assert!(at + LANES <= line.len());
            // SAFETY: checked just above.
            unsafe { Lane::load(line.as_ptr().add(at)) }
        };
        for x in at {
            let acc = (1..kw).fold(load(x), |acc, dx| how.vector(acc, load(x + dx)));
            // SAFETY: x + LANES ≤ every.len().
            unsafe { Lane::store(every.as_mut_ptr().add(x), acc) };
        }
        if sw != 1 {
            for (d, x) in dst.iter_mut().zip(starts.iter().step_by(sw)) {
                *d = *x;
            }
        }
        return;
    }
    for (ox, d) in dst.iter_mut().enumerate() {
        let window = &line[ox * sw..ox * sw + kw];
        *d = window[1..]
            .iter()
            .fold(window[0], |acc, &x| how.scalar(acc, x));
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
            p.channel(how, &input, &mut scratch, &mut out, &mut |_, _| {});
            assert_eq!(out, naive(&p, how, &input), "{how:?} {p:?}");
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
}
