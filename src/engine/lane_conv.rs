//! A k×k convolution with the output channels along the lanes, read from the phase planes.
//!
//! The implicit GEMM of [`super::conv`] puts pixels in the lanes over the wide layout and
//! computes the `wq − wo` columns past each row's end only to drop them: a 5×5 on 28×28 computes
//! 32 columns per row for 28 and drops an eighth of them. Here, as in [`super::lanes`], the register
//! tile's rows are output pixels — any `MR` consecutive ones, each broadcast from its own place
//! in the planes, so a tile may run across a row's end — and its vectors are a panel of output
//! channels' packed weights, so every output computed is kept. A chunk of [`CHUNK`] pixels
//! sums into a buffer on the stack, K block after K block, and is then transposed into the CHW
//! output with the bias, the addend and the activation ([`lanes::store`]): no wide result to
//! compact.

use super::Epilogue;
use super::kernel::{self, Layout, Start, Tile};
use super::parallel::{Disjoint, for_each};
use super::simd::{LANES, MR, NR, NV};
use super::window::Geometry;
use super::{Activation, conv, lanes};
use rayon::ThreadPool;

/// Pixels per chunk: its sums (`CHUNK × NR` floats, 12 KiB with AVX-512) live on the stack.
const CHUNK: usize = 64;

/// The operands of one convolution: `groups` groups of `m` output and `k` input channels.
pub(crate) struct LaneConv<'a> {
    pub geo: &'a Geometry,
    pub groups: usize,
    pub m: usize,
    pub k: usize,
    /// Channels per K block, and where the steps of a whole block and of the last one read
    /// their input ([`conv::steps`]).
    pub kc: usize,
    pub steps: &'a [usize],
    pub last_steps: &'a [usize],
    /// From [`pack`].
    pub weights: &'a [f32],
    /// The phase planes of every input channel.
    pub planes: &'a [f32],
}

/// The weights of a convolution packed for [`run`], panel after panel ([`panel`]).
pub(crate) fn pack(
    weights: &[f32],
    (groups, m, k, taps): (usize, usize, usize, usize),
    kc: usize,
) -> Vec<f32> {
    let panels: Vec<_> = (0..panels(m))
        .map(|p| {
            let (first, vectors) = panel(m, p);
            first..first + vectors * LANES
        })
        .collect();
    conv::pack_weights(weights, (groups, m, k, taps), kc, &panels)
}

/// Panels of output channels: as few as tiles of up to `NV` vectors allow.
fn panels(m: usize) -> usize {
    m.div_ceil(LANES).div_ceil(NV)
}

/// Panel `p`'s first channel and vectors. The vectors are spread evenly, so no panel is left
/// with one: 64 channels are two panels of two vectors (AVX-512), not three and one, whose
/// one-vector tile does eight FMAs per nine loads. (GoogLeNet's 7×7 stem, 64 channels on
/// 112×112, took 1.04× the implicit GEMM's time with three and one.)
fn panel(m: usize, p: usize) -> (usize, usize) {
    let (vectors, n) = (m.div_ceil(LANES), panels(m));
    let (base, extra) = (vectors / n, vectors % n);
    (
        (p * base + p.min(extra)) * LANES,
        base + usize::from(p < extra),
    )
}

/// Runs `c` into `out` (`[C_out][ho·wo]`), one chunk of one panel of channels per part.
///
/// # Panics
/// If an operand is shorter than its shape says: the plan sizes them, so a short one is a bug,
/// not bad input.
pub(crate) fn run(
    pool: Option<&ThreadPool>,
    threads: usize,
    c: &LaneConv,
    epilogue: Epilogue,
    out: &mut [f32],
) {
    let geo = c.geo;
    let (pixels, taps) = (geo.ho * geo.wo, geo.window.taps());
    let (panels, chunks) = (panels(c.m), pixels.div_ceil(CHUNK));
    let outs = c.groups * c.m;
    assert!(c.kc > 0 && c.k > 0);
    assert!(c.weights.len() >= c.groups * c.m.div_ceil(LANES) * LANES * c.k * taps);
    assert!(c.planes.len() >= geo.planes_len() && geo.input.c == c.groups * c.k);
    assert!(c.steps.len() >= c.kc.min(c.k) * taps);
    assert!(c.last_steps.len() >= (c.k - (c.k - 1) / c.kc * c.kc) * taps);
    assert!(out.len() >= outs * pixels);
    assert!(epilogue.bias.is_none_or(|b| b.len() >= outs));
    assert!(epilogue.add.is_none_or(|a| a.len() >= outs * pixels));
    let target = Disjoint(out.as_mut_ptr());
    // Parts in panel order, so the parts a thread claims together share a panel's weights.
    for_each(pool, threads, c.groups * panels * chunks, &|part, _| {
        let (panel, chunk) = (part / chunks, part % chunks);
        // SAFETY: the lengths were checked above; this part alone writes its panel's channels
        // at its chunk's pixels.
        unsafe {
            run_chunk(
                c,
                panel / panels,
                panel % panels,
                chunk * CHUNK,
                epilogue,
                target,
            )
        }
    });
}

/// Pixels `q0..` (at most [`CHUNK`]) of panel `p` of group `g`.
///
/// # Safety
/// As [`run`] checks, and no other caller writes this panel's channels at these pixels.
unsafe fn run_chunk(
    c: &LaneConv,
    g: usize,
    p: usize,
    q0: usize,
    epilogue: Epilogue,
    out: Disjoint,
) {
    let geo = c.geo;
    let (k, taps, pixels) = (c.k, geo.window.taps(), geo.ho * geo.wo);
    let n = CHUNK.min(pixels - q0);
    let (first, vectors) = panel(c.m, p);
    let channels = (c.m - first).min(vectors * LANES);
    let width = vectors * LANES;
    // Where each pixel reads tap 0 of channel 0: its place in the wide layout.
    let mut rows = [0usize; CHUNK];
    for (j, row) in rows[..n].iter_mut().enumerate() {
        let q = q0 + j;
        *row = q / geo.wo * geo.wq + q % geo.wo;
    }
    let mut sums = [0.0f32; CHUNK * NR];
    let weights = &c.weights[(g * c.m.div_ceil(LANES) * LANES + first) * k * taps..];
    let planes = &c.planes[g * k * geo.plane..];
    for pc in (0..k).step_by(c.kc) {
        let kc = c.kc.min(k - pc);
        let steps = if pc + kc == k { c.last_steps } else { c.steps };
        for r0 in (0..n).step_by(MR) {
            let tile = Tile {
                kc: kc * taps,
                layout: Layout::Gathered {
                    steps: steps.as_ptr(),
                    rows: rows[r0..].as_ptr(),
                },
                w: planes[pc * geo.plane..].as_ptr(),
                lda: 0,
                b: weights[pc * taps * width..].as_ptr(),
                ldb: width,
                c: sums[r0 * NR..].as_mut_ptr(),
                ldc: NR,
                start: if pc == 0 {
                    Start::Zero
                } else {
                    Start::Accumulate
                },
                add: core::ptr::null(),
                activation: Activation::Identity,
            };
            // SAFETY: every pixel's reads at every step stay inside the planes
            // (`Geometry::plane` bounds the wide layout plus the largest shift); the block's
            // weights are `kc·taps` rows of `width`, zero past the last channel; the tile writes
            // rows r0.. of the sums.
            unsafe { kernel::run(MR.min(n - r0), vectors, tile) };
        }
    }
    // SAFETY: these channels at these pixels are this part's alone.
    unsafe {
        lanes::store(
            &sums,
            n,
            channels,
            (g * c.m + first, pixels, q0),
            epilogue,
            out,
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_cover_the_channels_in_even_runs_of_whole_vectors() {
        for m in 1..=40 * LANES {
            let vectors = m.div_ceil(LANES);
            let mut next = 0;
            for p in 0..panels(m) {
                let (first, width) = panel(m, p);
                assert_eq!(first, next * LANES, "{m} channels, panel {p}");
                assert!(
                    (1..=NV).contains(&width),
                    "{m} channels, panel {p}: {width}"
                );
                assert!(width > 1 || vectors == 1, "{m} channels: a lone vector");
                next += width;
            }
            assert_eq!(next, vectors, "{m} channels");
        }
    }
}
