//! Sliding windows on CHW planes without im2col: the input is copied once into padded *phase
//! planes*, after which every tap of a k×k window, at any stride, reads one contiguous run.
//!
//! For stride `s`, padded row `Y` lives in phase `Y mod s`, row `Y / s` (columns likewise), so
//! output pixel `(oy, ox)` and tap `(dy, dx)` read phase `(dy mod sh, dx mod sw)` at
//! `(oy + dy / sh, ox + dx / sw)`. Written in a *wide* layout of `wq = wo + (kw − 1) / sw`
//! columns per output row (`w + pw` at stride 1, where rows share their padding), output
//! `q = oy·wq + ox` reads `q + (dy / sh)·wq + dx / sw`: the same
//! shift for every output, so a tap is a vector load at an offset, and a convolution is one
//! GEMM per tap summed in registers ([`super::conv`]). The `wq − wo` extra columns per row are
//! computed and dropped when the result is compacted.

use super::aligned::FLOATS_PER_LINE;
use super::graph::{Dims, Window};
use super::simd::{LANES, Lane, Vector};

/// Where everything of one windowed op lies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Geometry {
    pub input: Dims,
    pub window: Window,
    pub ho: usize,
    pub wo: usize,
    /// Columns per row of the wide layout.
    pub wq: usize,
    phases_w: usize,
    phases: usize,
    /// Floats per (phase, channel) plane: every read of every tap stays inside.
    pub plane: usize,
    /// Wide outputs per channel, a whole number of vectors.
    pub n_wide: usize,
}

impl Geometry {
    pub fn new(input: Dims, window: Window, (ho, wo): (usize, usize)) -> Geometry {
        let (kh, kw) = window.kernel;
        let (sh, sw) = window.stride;
        // At stride 1, a row's right padding can be the next row's left padding: rows of
        // `pad + input` at stride `w + pw`, which wastes `pw` fewer columns per row (a 5×5
        // on 27×27 computes 29 columns per row instead of 31).
        let (pw, w) = (window.padding.1, input.w);
        let wq = if sw == 1 && pw < kw {
            w + pw
        } else {
            wo + (kw - 1) / sw
        };
        let n_wide = (ho * wq).div_ceil(LANES) * LANES;
        let max_shift = (kh - 1) / sh * wq + (kw - 1) / sw;
        // Rounded to an odd number of cache lines, so every plane starts aligned like the first
        // and consecutive channels' rows fall in different L1 sets (a 3×3 on 56×56 had planes
        // of 208 lines, so every fourth channel's rows shared a set). Measured on an Intel
        // AVX-512 core, six interleaved rounds: 3×3 256→256 @ 56×56 20.6 ms against 22.5
        // (median; the minima 20.5 and 20.8), Inception's 3×3 and 5×5 level to 1%.
        let line = FLOATS_PER_LINE;
        let mut plane = (n_wide + max_shift).div_ceil(line) * line;
        if (plane / line).is_multiple_of(2) {
            plane += line;
        }
        let phases_w = sw.min(kw);
        Geometry {
            input,
            window,
            ho,
            wo,
            wq,
            phases_w,
            phases: sh.min(kh) * phases_w,
            plane,
            n_wide,
        }
    }

    /// Floats of all phase planes of all input channels.
    pub fn planes_len(&self) -> usize {
        self.phases * self.input.c * self.plane
    }

    /// Each tap's offset from channel 0 of the phase planes, row-major over the kernel.
    pub fn shifts(&self) -> Vec<usize> {
        let (kh, kw) = self.window.kernel;
        let (sh, sw) = self.window.stride;
        let mut shifts = Vec::with_capacity(kh * kw);
        for dy in 0..kh {
            for dx in 0..kw {
                let phase = (dy % sh) * self.phases_w + dx % sw;
                shifts.push(phase * self.input.c * self.plane + dy / sh * self.wq + dx / sw);
            }
        }
        shifts
    }

    /// Copies input channel `c` into its phase planes, `fill` outside the input.
    ///
    /// # Safety
    /// `planes` must hold [`Geometry::planes_len`] floats, of which no other thread touches
    /// channel `c`'s.
    pub unsafe fn fill_planes(&self, c: usize, input: &[f32], fill: f32, planes: *mut f32) {
        let Dims { h, w, .. } = self.input;
        let (sh, sw) = self.window.stride;
        let (ph, pw) = self.window.padding;
        let src = &input[c * h * w..(c + 1) * h * w];
        for phase in 0..self.phases {
            let (a, b) = (phase / self.phases_w, phase % self.phases_w);
            let start = (phase * self.input.c + c) * self.plane;
            // SAFETY: this plane lies inside `planes` and is this call's alone.
            let dst = unsafe { core::slice::from_raw_parts_mut(planes.add(start), self.plane) };
            for (row, out) in dst.chunks_mut(self.wq).enumerate() {
                // Padded row Y = row·sh + a is input row Y − ph, if that is inside.
                let y = (row * sh + a).checked_sub(ph).filter(|&y| y < h);
                let Some(y) = y else {
                    out.fill(fill);
                    continue;
                };
                let line = &src[y * w..(y + 1) * w];
                if sw == 1 && b <= pw && out.len() == self.wq {
                    // Stride 1: the padding, then the row as it is, then padding again.
                    let lead = (pw - b).min(out.len());
                    let first = b + lead - pw;
                    let copied = (w - first).min(out.len() - lead);
                    out[..lead].fill(fill);
                    copy_row(&mut out[lead..lead + copied], &line[first..first + copied]);
                    out[lead + copied..].fill(fill);
                    continue;
                }
                // Columns whose input column `col·sw + b − pw` is inside the row.
                let lo = pw.saturating_sub(b).div_ceil(sw).min(out.len());
                let hi = (w + pw).saturating_sub(b).div_ceil(sw).clamp(lo, out.len());
                out[..lo].fill(fill);
                if hi > lo {
                    let first = lo * sw + b - pw;
                    for (o, x) in out[lo..hi].iter_mut().zip(line[first..].chunks(sw)) {
                        *o = x[0];
                    }
                }
                out[hi..].fill(fill);
            }
        }
    }

    /// Copies one channel's wide result `wide` (`ho × wq`) to its dense `ho × wo` place,
    /// adding `add[pixel]`, then the activation, as asked.
    pub fn compact(&self, wide: &[f32], finish: Finish<'_>, out: &mut [f32]) {
        for (oy, dst) in out.chunks_exact_mut(self.wo).enumerate().take(self.ho) {
            let src = &wide[oy * self.wq..oy * self.wq + self.wo];
            match finish.add {
                None => copy_row(dst, src),
                Some(a) => {
                    let a = &a[oy * self.wo..(oy + 1) * self.wo];
                    for ((d, x), a) in dst.iter_mut().zip(src).zip(a) {
                        *d = x + a;
                    }
                }
            }
            finish.activation.apply_all(dst);
        }
    }
}

/// `dst = src` (equal lengths) in whole vectors and a scalar tail. Rows here are tens of
/// floats, where a call to `memcpy` per row cost as much as the pooling it fed (a 3×3 max pool
/// on 28×28×192 spent a fifth of its time in it).
fn copy_row(dst: &mut [f32], src: &[f32]) {
    let n = dst.len().min(src.len());
    let whole = n / LANES * LANES;
    for at in (0..whole).step_by(LANES) {
        // SAFETY: at + LANES ≤ whole ≤ both lengths.
        unsafe { Lane::store(dst.as_mut_ptr().add(at), Lane::load(src.as_ptr().add(at))) };
    }
    for (d, s) in dst[whole..n].iter_mut().zip(&src[whole..n]) {
        *d = *s;
    }
}

/// What [`Geometry::compact`] applies on the way out.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Finish<'a> {
    pub add: Option<&'a [f32]>,
    pub activation: super::Activation,
}

/// One channel of a depthwise convolution into `wide` (`n_wide` floats): `bias + Σ weight[tap]
/// · x` over the taps, `planes` starting at this channel's plane of phase 0, `shifts` being
/// [`Geometry::shifts`].
pub(crate) fn stream(
    geo: &Geometry,
    planes: &[f32],
    shifts: &[usize],
    (weights, bias): (&[f32], f32),
    wide: &mut [f32],
) {
    let n = geo.n_wide;
    assert!(wide.len() >= n && shifts.iter().all(|&s| s + n <= planes.len()));
    let load = |at: usize| {
        // SAFETY: at + LANES ≤ s + n ≤ planes.len(), checked above.
        unsafe { Lane::load(planes.as_ptr().add(at)) }
    };
    for q in (0..n).step_by(LANES) {
        let mut acc = Lane::splat(bias);
        for (&s, &w) in shifts.iter().zip(weights) {
            acc = Lane::splat(w).mul_add(load(s + q), acc);
        }
        // SAFETY: q + LANES ≤ n ≤ wide.len().
        unsafe { Lane::store(wide.as_mut_ptr().add(q), acc) };
    }
}
