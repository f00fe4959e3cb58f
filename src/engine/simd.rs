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
    /// Measured against 6 × 2 and 5 × 2 on a Zen 4 core (best of interleaved runs, the nine
    /// benchmark shapes): 4 × 3 was level with 6 × 2 on the 28×28 layers and ahead on the
    /// 56×56 and 7×7 ones, and 5 × 2 behind both.
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
/// Pixels per micro-tile (the step of the loop nest's LOOP 2).
pub(crate) const NR: usize = NV * LANES;
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

/// The few operations the kernels need, for the main lane type and the narrower ones the
/// pixel tails use (on AVX-512 a 4-pixel tail runs as `f32x4` rather than wasting 12 of 16
/// lanes).
pub(crate) trait Vector:
    Copy + core::ops::Add<Output = Self> + core::ops::Mul<Output = Self>
{
    const LANES: usize;
    const ZERO: Self;
    fn splat(x: f32) -> Self;
    /// `self · a + b`, one rounding with FMA.
    fn mul_add(self, a: Self, b: Self) -> Self;
    /// Lane-wise maximum, one instruction (the ReLU, max pooling): `other` where either is
    /// NaN, so `x.max(0)` is 0 for a NaN `x`, as `f32::max` gives.
    fn max(self, other: Self) -> Self;
    /// Lane-wise minimum, one instruction (ReLU6's upper bound).
    fn min(self, other: Self) -> Self;
    /// Loads `LANES` floats from `p` (no alignment needed).
    ///
    /// # Safety
    /// `p .. p + LANES` must be readable.
    unsafe fn load(p: *const f32) -> Self;
    /// Stores `LANES` floats to `p` (no alignment needed).
    ///
    /// # Safety
    /// `p .. p + LANES` must be writable and not aliased by a live reference.
    unsafe fn store(p: *mut f32, v: Self);
}

macro_rules! vector {
    ($($t:ty),*) => {$(
        impl Vector for $t {
            const LANES: usize = size_of::<$t>() / size_of::<f32>();
            const ZERO: Self = <$t>::ZERO;
            #[inline(always)]
            fn splat(x: f32) -> Self {
                <$t>::splat(x)
            }
            #[inline(always)]
            fn mul_add(self, a: Self, b: Self) -> Self {
                <$t>::mul_add(self, a, b)
            }
            #[inline(always)]
            fn max(self, other: Self) -> Self {
                <$t>::fast_max(self, other)
            }
            #[inline(always)]
            fn min(self, other: Self) -> Self {
                <$t>::fast_min(self, other)
            }
            #[inline(always)]
            unsafe fn load(p: *const f32) -> Self {
                // SAFETY: the caller guarantees LANES readable floats; the type is plain data.
                unsafe { p.cast::<$t>().read_unaligned() }
            }
            #[inline(always)]
            unsafe fn store(p: *mut f32, v: Self) {
                // SAFETY: the caller guarantees LANES writable floats.
                unsafe { p.cast::<$t>().write_unaligned(v) }
            }
        }
    )*};
}

vector!(wide::f32x16, wide::f32x8, wide::f32x4);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_names_the_lane_width() {
        assert!(simd_path().contains(&format!("f32x{}", lane_width())));
    }
}
