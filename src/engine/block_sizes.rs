//! The block sizes of the loop nest in [`super::blocking`], from this CPU's caches and FMA
//! datapath, and when its input block is packed.

use super::cache::Caches;
use super::datapath::FmaDatapath;
use super::simd::{LANES, MR, NR};

/// Cache block sizes, each named by the loop it controls.
///
/// [`Blocking::for_caches`] sizes each block by the cache that holds it; on a Zen 4 core
/// (32 KiB L1d, 1 MiB L2) that gives kc = 512 (128 on AVX2, whose panel must stay in L1 unless
/// the FMA units are half as wide as the vector: [`Blocking::for_core`]),
/// mc = 128, nc = 1008, which measured best there over the benchmark shapes (best of
/// interleaved runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocking {
    /// LOOP 4 step, input channels per pass. Longer passes store and re-load the partial sums
    /// less often; the W block (`mc × kc`, 256 KiB at the defaults) must still fit in L2 next
    /// to a micro-kernel's input panel (`kc × NR`, 96 KiB at NR = 48).
    pub kc: usize,
    /// LOOP 3 step, output channels per block: the W block `mc × kc` is reused by every pixel
    /// tile of LOOP 2 and by the narrow tail, so it should stay in L2.
    pub mc: usize,
    /// LOOP 5 step, pixels per block: bounds the input panel `kc × nc` that each W block of
    /// LOOP 3 sweeps, so it is re-read from L2/L3 rather than from memory.
    pub nc: usize,
    /// Whether LOOP 4 copies each `kc × nc` input block into contiguous micro-panels first.
    pub pack: Pack,
}

/// Packing of the input block (BLIS's "pack B").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pack {
    Never,
    Always,
    /// Where it pays: see [`Blocking::packs`].
    Auto,
}

impl Default for Blocking {
    /// Sized for this machine's caches and FMA units.
    fn default() -> Self {
        Blocking::for_core(Caches::detect(), FmaDatapath::detect())
    }
}

/// Whether the micro-kernel needs its input panel (`kc × NR`) in L1. The AVX-512 tile does 24
/// FMAs per 11 loads and keeps pace reading the panel from L2, so its kc is sized by L2 alone
/// (kc = 512 measured 3 % ahead of 128 on Zen 4). The 16-register tiles do 12 per 7: with the
/// panel spilling to L2 they ran 80–103 GFLOP/s on 192→64 @ 28×28 from one process to the next
/// (L2 is physically indexed), and 100–106 with a panel that fits in half of L1. Where each
/// vector FMA takes two issue slots ([`FmaDatapath::Half`]), the same 7 loads have 12 cycles
/// instead of 6 and an L2 panel keeps pace. On an AMD EPYC 7001 (Zen) core, kc = 256 against
/// 128 and then 512 against 256 (medians of three interleaved pairs each): 1024→1024 @ 14×14
/// +6 % and +5 %, 512→2048 @ 7×7 +5 % and +9 %, 192→64 @ 28×28 +4 % and level, the other
/// shapes level; Inception 3a whole ran 7.67 ms against 7.98 (kc = 512 against 128). With
/// kc = 512 there, fetching the next panel ahead no longer paid (level to 4 % behind).
fn panel_in_l1(datapath: FmaDatapath) -> bool {
    LANES < 16 && datapath == FmaDatapath::Full
}

/// The largest block sizes: past them the tuned shapes gained nothing and smaller layers lost
/// their single K pass to nothing.
const MAX_KC: usize = 512;
const MAX_MC: usize = 128;
const MAX_NC: usize = 1024;

impl Blocking {
    /// Block sizes for caches of these sizes: the W block `mc × kc` in half of L2 (LOOP 3 reuses
    /// it for every pixel tile), and the input block `kc × nc` in a quarter of L3 (LOOP 5 keeps
    /// it there while every W block sweeps it; the rest of L3 serves the other cores). The
    /// micro-kernel's input panel `kc × NR` is then re-read from L2 at worst, which its few loads
    /// per FMA afford. For a core whose FMA units are as wide as the vector; see
    /// [`Blocking::for_core`].
    pub fn for_caches(caches: Caches) -> Blocking {
        Blocking::for_core(caches, FmaDatapath::Full)
    }

    /// [`Blocking::for_caches`] on a core with this FMA datapath, which decides whether the
    /// input panel must fit in L1 (see [`panel_in_l1`]).
    pub fn for_core(caches: Caches, datapath: FmaDatapath) -> Blocking {
        let floats = |bytes: usize| bytes / size_of::<f32>();
        let mc = MAX_MC / MR * MR;
        let kc_l2 = prev_power_of_two(floats(caches.l2 / 2) / mc).clamp(64, MAX_KC);
        let kc_l1 = prev_power_of_two(floats(caches.l1d / 2) / NR).max(64);
        let kc = if panel_in_l1(datapath) {
            kc_l2.min(kc_l1)
        } else {
            kc_l2
        };
        let nc = (floats(caches.l3 / 4) / kc / NR * NR).clamp(4 * NR, MAX_NC / NR * NR);
        Blocking {
            kc,
            mc,
            nc,
            pack: Pack::Auto,
        }
    }

    /// Whether a rectangle of `rows` output channels summing `k` input channels is packed;
    /// `rows_aligned` says whether every input row starts on a vector boundary.
    ///
    /// Packing pays where many row tiles reuse each panel: with a long K loop (measured on
    /// Zen 4: 1024→1024 @ 14×14 and 512→2048 @ 7×7 gained 10–13 % on AVX2, 0–2 % on
    /// AVX-512), and wherever the rows in place are misaligned, so most vector loads would
    /// split a cache line (measured on an Intel AVX-512 core: 96→96 @ 55×55 +5–10 %,
    /// 256→256 @ 27×27 +15 %, 384→384 @ 13×13 +12 %, 96→64 @ 55×55 level). With few output
    /// channels the copy is not amortised: 96→16 @ 55×55 lost a third.
    pub(crate) fn packs(&self, rows: usize, k: usize, rows_aligned: bool) -> bool {
        match self.pack {
            Pack::Never => false,
            Pack::Always => true,
            Pack::Auto => {
                (rows >= 16 * MR && k >= MAX_KC) || (!rows_aligned && rows >= MISALIGNED_ROWS)
            }
        }
    }
}

/// Output channels from which misaligned input rows are packed (see [`Blocking::packs`]).
const MISALIGNED_ROWS: usize = 96;

/// Whether every row of the `n`-pixel input at `x` starts on a vector boundary.
pub(crate) fn rows_aligned(x: *const f32, n: usize) -> bool {
    let vector = LANES * size_of::<f32>();
    (x as usize).is_multiple_of(vector) && (n * size_of::<f32>()).is_multiple_of(vector)
}

/// The largest power of two not above `n` (1 for 0).
fn prev_power_of_two(n: usize) -> usize {
    if n == 0 {
        1
    } else {
        1 << (usize::BITS - 1 - n.leading_zeros())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_follow_the_caches() {
        let in_half_l1 = prev_power_of_two((16 << 10) / size_of::<f32>() / NR);
        // Zen 4 (1 MiB L2, 32 MiB L3) and Zen 3 (512 KiB L2, 16 MiB L3): the tuned sizes.
        for (l2, l3) in [(1 << 20, 32 << 20), (512 << 10, 16 << 20)] {
            let b = Blocking::for_caches(Caches {
                l1d: 32 << 10,
                l2,
                l3,
            });
            // A 16 KiB half of L1 holds 128 rows of AVX2's 24-pixel panel, 256 of SSE's 12.
            let kc = if panel_in_l1(FmaDatapath::Full) {
                in_half_l1.min(512)
            } else {
                512
            };
            assert_eq!((b.kc, b.nc), (kc, MAX_NC / NR * NR), "L2 {l2}");
            assert_eq!(b.mc % MR, 0);
        }
        // A 256 KiB L2 holds a W block of 128 × 256; a 4 MiB L3 an input block of 256 × 1024.
        let small = Blocking::for_caches(Caches {
            l1d: 32 << 10,
            l2: 256 << 10,
            l3: 4 << 20,
        });
        assert_eq!(
            small.kc,
            if panel_in_l1(FmaDatapath::Full) {
                in_half_l1.min(256)
            } else {
                256
            }
        );
        assert!(small.nc <= 1024 && small.nc >= 4 * NR && small.nc.is_multiple_of(NR));
        // Absurd caches still give usable blocks.
        let tiny = Blocking::for_caches(Caches {
            l1d: 1,
            l2: 1,
            l3: 1,
        });
        assert!(tiny.kc >= 64 && tiny.nc >= NR && tiny.mc >= MR);
    }

    #[test]
    fn a_half_width_core_sizes_kc_by_l2_alone() {
        // EPYC 7001 (Zen): 32 KiB L1d, 512 KiB L2, 8 MiB L3.
        let zen = Caches {
            l1d: 32 << 10,
            l2: 512 << 10,
            l3: 8 << 20,
        };
        let half = Blocking::for_core(zen, FmaDatapath::Half);
        let full = Blocking::for_core(zen, FmaDatapath::Full);
        // Half of L2 holds the W block of 128 rows × 512 channels.
        assert_eq!(half.kc, 512);
        if LANES < 16 {
            assert!(full.kc < half.kc, "{full:?}");
            assert!(full.kc * NR * size_of::<f32>() <= zen.l1d / 2);
        } else {
            assert_eq!(full, half);
        }
    }

    #[test]
    fn misaligned_rows_are_packed_only_where_enough_rows_reuse_them() {
        let auto = Blocking::for_caches(Caches::FALLBACK);
        assert!(
            !auto.packs(MISALIGNED_ROWS, 96, true),
            "aligned and short K: in place"
        );
        assert!(auto.packs(MISALIGNED_ROWS, 96, false));
        assert!(
            !auto.packs(MISALIGNED_ROWS - 1, 96, false),
            "too few rows to amortise"
        );
        assert!(
            auto.packs(16 * MR, MAX_KC, true),
            "long K packs even when aligned"
        );
        let buffer = [0.0f32; 64];
        let base = buffer
            .as_ptr()
            .wrapping_add(buffer.as_ptr().align_offset(LANES * 4));
        assert!(rows_aligned(base, 3 * LANES));
        assert!(
            !rows_aligned(base, 3 * LANES + 1),
            "row 1 starts mid-vector"
        );
        assert!(!rows_aligned(base.wrapping_add(1), 3 * LANES));
    }

    #[test]
    fn powers_of_two_round_down() {
        assert_eq!(
            [0, 1, 2, 3, 511, 512, 513].map(prev_power_of_two),
            [1, 1, 2, 2, 256, 512, 512]
        );
    }
}
