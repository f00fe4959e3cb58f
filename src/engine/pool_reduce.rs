//! How a pooling window combines, and the vectorised passes [`super::pool`] builds a window
//! from: a combination of `k` shifted runs, of a window's input rows, of a line's columns.

use super::simd::{LANES, Lane, Vector};

/// How a pooling window combines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reduce {
    Max,
    Sum,
}

impl Reduce {
    /// The value outside the input: it never wins a max and adds nothing to a sum.
    pub(crate) fn identity(self) -> f32 {
        match self {
            Reduce::Max => f32::NEG_INFINITY,
            Reduce::Sum => 0.0,
        }
    }

    #[inline(always)]
    pub(crate) fn vector<V: Vector>(self, acc: V, x: V) -> V {
        match self {
            Reduce::Max => acc.max(x),
            Reduce::Sum => acc + x,
        }
    }

    /// As [`Reduce::vector`] on one lane: `x` where either is NaN, as the vector max gives,
    /// which is one instruction where `f32::max` is three.
    #[inline(always)]
    pub(crate) fn scalar(self, acc: f32, x: f32) -> f32 {
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

/// `to[i] = ∘ from[i + t·step]` over the taps `t < k`, in vectors (`K` is `k` where it is
/// known when compiled, else 0).
#[inline(always)]
pub(crate) fn runs<const K: usize>(
    how: Reduce,
    from: &[f32],
    (k, step): (usize, usize),
    to: &mut [f32],
) {
    let n = to.len();
    assert!(k >= 1 && n + (k - 1) * step <= from.len());
    let load = |at: usize| {
        // SAFETY: every start is at most n − LANES, so the last tap's read ends by
        // n + (k − 1)·step ≤ from.len(), checked above.
        unsafe { Lane::load(from.as_ptr().add(at)) }
    };
    let Some(starts) = vector_starts(n) else {
        for (i, t) in to.iter_mut().enumerate() {
            *t = (1..k).fold(from[i], |acc, d| how.scalar(acc, from[i + d * step]));
        }
        return;
    };
    for at in starts {
        let acc = match K {
            3 => how.vector(how.vector(load(at), load(at + step)), load(at + 2 * step)),
            _ => (1..k).fold(load(at), |acc, d| how.vector(acc, load(at + d * step))),
        };
        // SAFETY: at + LANES ≤ n = to.len().
        unsafe { Lane::store(to.as_mut_ptr().add(at), acc) };
    }
}

/// Vectors at `0, LANES, …` covering `0..n`, the last moved back to end at `n` when `n` is not
/// a whole number of them (it recomputes a few outputs, to the same values); `None` when `n`
/// is shorter than one vector.
fn vector_starts(n: usize) -> Option<impl Iterator<Item = usize>> {
    (n >= LANES).then(|| (0..n.div_ceil(LANES)).map(move |v| (v * LANES).min(n - LANES)))
}

/// `row = first ∘ each of rest`.
pub(crate) fn combine_rows<'a>(
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
#[inline(always)]
pub(crate) fn combine_columns<const K: usize>(
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
            let acc = match K {
                3 => how.vector(how.vector(load(x), load(x + 1)), load(x + 2)),
                _ => (1..kw).fold(load(x), |acc, dx| how.vector(acc, load(x + dx))),
            };
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
