//! Cutting the output into chunks for threads.
//!
//! The output is cut into chunks — blocks of output channels (rows) or of pixels (columns),
//! always all of C_in: splitting C_in would need a reduction across threads. Which dimension
//! is cut decides what gets re-read: every pixel chunk reads all of W (`C_out·C_in`), every
//! channel chunk reads all of the input (`C_in·HW`), so the dimension whose *other* operand is
//! smaller is cut. A 7×7 image with 2048 channels splits channels; a 28×28 image with 64
//! splits pixels. Several chunks per thread keep the last one short.

use core::ops::Range;

use super::simd::{LANES, MR, NR};

/// Chunks per thread: more balance the finish better, fewer re-read less.
pub(crate) const CHUNKS_PER_THREAD: usize = 4;

/// One chunk: output channels `rows`, pixels `cols`, all of C_in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Part {
    pub rows: Range<usize>,
    pub cols: Range<usize>,
}

/// Splits `0..len` into at most `parts` non-empty ranges whose boundaries are multiples of
/// `unit` (except `len` itself), as equal as the unit allows.
fn split(len: usize, unit: usize, parts: usize) -> Vec<Range<usize>> {
    let units = len.div_ceil(unit);
    let parts = parts.clamp(1, units.max(1));
    (0..parts)
        .map(|i| (units * i / parts * unit).min(len)..(units * (i + 1) / parts * unit).min(len))
        .collect()
}

/// The chunks for `threads` threads on an `m × n` output (the caller
/// has already decided the problem is big enough to share).
pub(crate) fn plan(m: usize, n: usize, threads: usize) -> Vec<Part> {
    plan_split(m, n, threads, m > n)
}

/// [`plan`] with the split chosen by the caller: `by_rows` splits output channels (each part
/// reads all of the input), otherwise pixels (each part reads all of the weights). A
/// convolution's weights can outweigh its input many times over, which `m > n` cannot see.
pub(crate) fn plan_split(m: usize, n: usize, threads: usize, by_rows: bool) -> Vec<Part> {
    let wanted = CHUNKS_PER_THREAD * threads;
    let row_units = m.div_ceil(MR);
    let col_units = n / LANES; // the narrow tail rides with the last pixel chunk
    if threads <= 1 || (row_units < 2 && col_units < 2) {
        return vec![Part {
            rows: 0..m,
            cols: 0..n,
        }];
    }
    let by_rows = if row_units < 2 {
        false
    } else if col_units < 2 {
        true
    } else {
        by_rows
    };
    if by_rows {
        split(m, MR, wanted)
            .into_iter()
            .map(|rows| Part { rows, cols: 0..n })
            .collect()
    } else {
        let unit = if n / NR >= wanted { NR } else { LANES };
        let mut cols = split(n / LANES * LANES, unit, wanted);
        if let Some(last) = cols.last_mut() {
            last.end = n;
        }
        cols.into_iter()
            .map(|cols| Part { rows: 0..m, cols })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covers_exactly(parts: &[Part], m: usize, n: usize) -> bool {
        let mut seen = vec![0u8; m * n];
        for p in parts {
            for r in p.rows.clone() {
                for c in p.cols.clone() {
                    seen[r * n + c] += 1;
                }
            }
        }
        seen.iter().all(|&s| s == 1)
    }

    #[test]
    fn unsplittable_problems_stay_whole() {
        // One row tile and less than two pixel vectors: nothing to share.
        assert_eq!(
            plan(MR, LANES + 1, 2),
            vec![Part {
                rows: 0..MR,
                cols: 0..LANES + 1
            }]
        );
        assert_eq!(
            plan(64, 64, 1),
            vec![Part {
                rows: 0..64,
                cols: 0..64
            }]
        );
    }

    #[test]
    fn chunks_tile_the_output_exactly_once() {
        let cases = [
            (64, 784, 2),
            (2048, 49, 2),
            (1024, 196, 2),
            (17, 97, 3),
            (7, 33, 4),
            (3, 5000, 2),
            (1, 17, 2),
        ];
        for (m, n, t) in cases {
            let parts = plan(m, n, t);
            assert!(!parts.is_empty() && parts.len() <= CHUNKS_PER_THREAD * t);
            assert!(covers_exactly(&parts, m, n), "{m}×{n} over {t}: {parts:?}");
        }
    }

    #[test]
    fn pixel_chunks_start_on_a_vector() {
        let parts = plan(64, 784, 2);
        assert!(parts.len() > 1);
        assert!(
            parts
                .iter()
                .all(|p| p.cols.start % LANES == 0 && p.rows == (0..64)),
            "{parts:?}"
        );
    }

    #[test]
    fn tiny_images_split_channels() {
        // 49 pixels but 2048 output channels: each channel chunk re-reads only the small input.
        let parts = plan(2048, 49, 2);
        assert!(parts.len() > 1);
        assert!(
            parts
                .iter()
                .all(|p| p.cols == (0..49) && p.rows.start % MR == 0),
            "{parts:?}"
        );
    }
}
