//! Float buffers that start on a cache line.
//!
//! A `Vec<f32>` is only as aligned as `f32` needs; glibc hands large blocks out 16 bytes past a
//! page, so every 64-byte vector the kernel loads from one straddles two cache lines. On an
//! Intel core with AVX-512 that split costs a fifth of the pointwise kernel's speed on the 28×28
//! layers (measured with `convtui bench`), and it defeats the arena's care to start each value
//! on a line. The engine's own buffers — packed panels, a plan's arena, the operands `bench`
//! times — are therefore these.

use core::ops::{Deref, DerefMut};

/// One cache line of floats; only its alignment matters.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([f32; FLOATS_PER_LINE]);

/// Floats per cache line (64 bytes on every x86-64 and most ARM cores).
pub(crate) const FLOATS_PER_LINE: usize = 16;
const _: () = assert!(size_of::<Line>() == 64 && align_of::<Line>() == 64);

/// `len` floats starting on a 64-byte boundary; derefs to `[f32]`.
#[derive(Clone, Default)]
pub struct AlignedVec {
    lines: Vec<Line>,
    len: usize,
}

impl AlignedVec {
    /// No floats; for a buffer that grows to what it is used for.
    pub const fn new() -> AlignedVec {
        AlignedVec {
            lines: Vec::new(),
            len: 0,
        }
    }

    /// `len` zeros.
    pub fn zeroed(len: usize) -> AlignedVec {
        AlignedVec {
            lines: vec![Line([0.0; FLOATS_PER_LINE]); len.div_ceil(FLOATS_PER_LINE)],
            len,
        }
    }

    /// A copy of `values`.
    pub fn from_slice(values: &[f32]) -> AlignedVec {
        let mut out = AlignedVec::zeroed(values.len());
        out.copy_from_slice(values);
        out
    }

    /// Grows to at least `len` floats (new ones zero); never shrinks, so a buffer reused for
    /// the largest size seen stops allocating.
    pub fn grow_to(&mut self, len: usize) {
        if len > self.len {
            self.lines
                .resize(len.div_ceil(FLOATS_PER_LINE), Line([0.0; FLOATS_PER_LINE]));
            self.len = len;
        }
    }
}

impl Deref for AlignedVec {
    type Target = [f32];
    fn deref(&self) -> &[f32] {
        // SAFETY: `lines` holds at least `len` initialised floats, contiguous (`repr(C)` arrays
        // with no padding, as the size assertion above checks).
        unsafe { core::slice::from_raw_parts(self.lines.as_ptr().cast::<f32>(), self.len) }
    }
}

impl DerefMut for AlignedVec {
    fn deref_mut(&mut self) -> &mut [f32] {
        // SAFETY: as in `deref`, and `&mut self` makes the borrow unique.
        unsafe { core::slice::from_raw_parts_mut(self.lines.as_mut_ptr().cast::<f32>(), self.len) }
    }
}

impl core::fmt::Debug for AlignedVec {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AlignedVec")
            .field("len", &self.len)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_size_starts_on_a_cache_line_and_holds_what_was_put_in() {
        for len in [0, 1, 15, 16, 17, 1000, 40_000] {
            let values: Vec<f32> = (0..len).map(|i| i as f32).collect();
            let buffer = AlignedVec::from_slice(&values);
            assert_eq!(buffer.as_ptr() as usize % 64, 0, "len {len}");
            assert_eq!(&buffer[..], &values[..]);
        }
    }

    #[test]
    fn growing_keeps_the_contents_and_zeroes_the_rest() {
        let mut buffer = AlignedVec::from_slice(&[1.0, 2.0, 3.0]);
        buffer.grow_to(40);
        assert_eq!(buffer.len(), 40);
        assert_eq!(&buffer[..3], &[1.0, 2.0, 3.0]);
        assert!(buffer[3..].iter().all(|&x| x == 0.0));
        assert_eq!(buffer.as_ptr() as usize % 64, 0);
        buffer.grow_to(5);
        assert_eq!(buffer.len(), 40, "never shrinks");
    }
}
