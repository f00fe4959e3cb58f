//! The `wide` vector the engine computes with and the register tile sized to it.
//!
//! `wide` fixes its instruction set when it is compiled (`cfg(target_feature)`), so the choice
//! here is a compile-time one too: the same `cfg` tests pick the lane type, the micro-tile shape
//! that fits the register file, and the name the program shows for the path it runs.
//! Runtime CPU detection would not help: `wide` would still emit what it was built for.

#[cfg(target_feature = "avx512f")]
mod chosen {
    /// 32 zmm registers: 8 rows × 3 vectors = 24 accumulators, 3 pixel vectors, 1 broadcast.
    pub type Lane = wide::f32x16;
    pub const MR: usize = 8;
    pub const NV: usize = 3;
}

#[cfg(all(not(target_feature = "avx512f"), target_feature = "avx"))]
mod chosen {
    /// 16 ymm registers: 4 rows × 3 vectors = 12 accumulators, 3 pixel vectors, 1 broadcast.
    pub type Lane = wide::f32x8;
    pub const MR: usize = 4;
    pub const NV: usize = 3;
}

#[cfg(not(any(target_feature = "avx512f", target_feature = "avx")))]
mod chosen {
    /// 16 xmm registers (SSE2, NEON has more): the same 4 × 3 tile as AVX.
    pub type Lane = wide::f32x4;
    pub const MR: usize = 4;
    pub const NV: usize = 3;
}

// The tile's accumulators, one register per pixel vector and one broadcast must fit the
// register file (32 vector registers with AVX-512, 16 otherwise), or the kernel spills.
const _: () = assert!(MR * NV + NV < if LANES == 16 { 32 } else { 16 });

/// The vector type every kernel uses.
pub(crate) use chosen::Lane;

/// Output channels (rows of W) per micro-tile.
pub(crate) const MR: usize = chosen::MR;
/// Pixel vectors per micro-tile; the tile covers `NV * LANES` pixels.
pub(crate) const NV: usize = chosen::NV;
/// f32 lanes in one [`Lane`].
pub const LANES: usize = core::mem::size_of::<Lane>() / core::mem::size_of::<f32>();

/// The instruction set the engine's kernels were compiled for, in words a user can check
/// against their CPU (e.g. `"AVX-512F+FMA (f32x16)"`).
///
/// Without FMA, `wide`'s `mul_add` is a multiply then an add (two roundings): still correct,
/// but slower and not bit-identical to an FMA build.
pub fn simd_path() -> &'static str {
    let fma = cfg!(target_feature = "fma");
    if cfg!(target_feature = "avx512f") {
        if fma {
            "AVX-512F+FMA (f32x16)"
        } else {
            "AVX-512F (f32x16, no FMA)"
        }
    } else if cfg!(target_feature = "avx") {
        if fma {
            "AVX2+FMA (f32x8)"
        } else {
            "AVX (f32x8, no FMA)"
        }
    } else if cfg!(target_feature = "sse2") {
        "SSE2 (f32x4, no FMA)"
    } else if cfg!(target_feature = "neon") {
        "NEON (f32x4)"
    } else {
        "portable (f32x4)"
    }
}

/// f32 lanes per vector on the path [`simd_path`] names (16, 8 or 4).
pub fn lane_width() -> usize {
    LANES
}

/// Loads one vector from `p` (no alignment needed).
///
/// # Safety
/// `p .. p + LANES` must be readable.
#[inline(always)]
pub(crate) unsafe fn load(p: *const f32) -> Lane {
    // SAFETY: the caller guarantees LANES readable f32s; `Lane` is plain old data.
    unsafe { p.cast::<Lane>().read_unaligned() }
}

/// Stores one vector to `p` (no alignment needed).
///
/// # Safety
/// `p .. p + LANES` must be writable and not aliased by a live reference.
#[inline(always)]
pub(crate) unsafe fn store(p: *mut f32, v: Lane) {
    // SAFETY: the caller guarantees LANES writable f32s.
    unsafe { p.cast::<Lane>().write_unaligned(v) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_names_the_lane_width() {
        assert!(simd_path().contains(&format!("f32x{}", lane_width())));
    }
}
