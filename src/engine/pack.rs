//! Packing an input block into micro-panels the kernel reads contiguously (BLIS's "pack B"):
//! `panel[t·kc·NR + k·NR + j]` holds pixel `t·NR + j` of channel `k`.

use core::ops::Range;

use super::aligned::AlignedVec;
use super::problem::Problem;
use super::simd::NR;

/// Copies input channels `ks` × pixels `cols` (whole vectors) into `buffer` as micro-panels of
/// NR pixels, each `ks.len() × NR` and contiguous; returns where they start.
///
/// # Safety
/// `ks` must be channels of the input and `cols` pixels of it.
pub(crate) unsafe fn pack_block(
    p: &Problem,
    ks: Range<usize>,
    cols: Range<usize>,
    buffer: &mut AlignedVec,
) -> *const f32 {
    let (kc, width) = (ks.len(), cols.len());
    let tiles = width.div_ceil(NR);
    let need = tiles * kc * NR;
    buffer.grow_to(need);
    let base = buffer.as_mut_ptr();
    for (k, channel) in ks.enumerate() {
        // SAFETY: channel < K and cols ⊂ 0..N, so the row slice lies in the input.
        let row =
            unsafe { core::slice::from_raw_parts(p.x.add(channel * p.n + cols.start), width) };
        for (t, chunk) in row.chunks(NR).enumerate() {
            // SAFETY: panel t, row k lies inside the `need` floats just made room for.
            unsafe {
                core::ptr::copy_nonoverlapping(
                    chunk.as_ptr(),
                    base.add(t * kc * NR + k * NR),
                    chunk.len(),
                );
            }
        }
    }
    base
}
