//! Local response normalisation across channels (AlexNet's, GoogLeNet's), one output channel at a
//! time over whole vectors of pixels.

use wide::f32x8;

/// `y_c = x_c · (k + α/n · Σ x_j²)^−β`, the sum over channels `j` from `c − ⌊n/2⌋` to
/// `c + ⌊(n−1)/2⌋` that exist — PyTorch's `LocalResponseNorm` and Caffe's `LRN` across
/// channels. (ONNX centres an even window one channel later; every published model uses an odd
/// size, where the three agree.)
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LrnSpec {
    pub size: usize,
    pub alpha: f32,
    pub beta: f32,
    pub k: f32,
}

impl LrnSpec {
    /// The channels channel `c` of `channels` sums over.
    pub fn window(&self, c: usize, channels: usize) -> core::ops::Range<usize> {
        c.saturating_sub(self.size / 2)..(c + (self.size - 1) / 2 + 1).min(channels)
    }

    /// Channel `c` of `input` (`channels` planes of `pixels`) into `out` (one plane).
    pub(crate) fn channel(&self, input: &[f32], pixels: usize, c: usize, out: &mut [f32]) {
        let channels = input.len() / pixels;
        let window = self.window(c, channels);
        let plane = |j: usize| &input[j * pixels..(j + 1) * pixels];
        let scale = self.alpha / self.size as f32;
        let x = plane(c);
        let whole = pixels / 8 * 8;
        let load = |s: &[f32], at: usize| {
            let mut lanes = [0.0; 8];
            lanes.copy_from_slice(&s[at..at + 8]);
            f32x8::from(lanes)
        };
        let (k, scale8, minus_beta) = (
            f32x8::splat(self.k),
            f32x8::splat(scale),
            f32x8::splat(-self.beta),
        );
        for at in (0..whole).step_by(8) {
            let mut sum = f32x8::ZERO;
            for j in window.clone() {
                let v = load(plane(j), at);
                sum = v.mul_add(v, sum);
            }
            let y = load(x, at) * sum.mul_add(scale8, k).powf_simd(minus_beta);
            out[at..at + 8].copy_from_slice(&y.to_array());
        }
        for p in whole..pixels {
            let sum: f32 = window.clone().map(|j| plane(j)[p] * plane(j)[p]).sum();
            out[p] = x[p] * (self.k + scale * sum).powf(-self.beta);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LrnSpec;

    /// The definition in f64, one pixel at a time.
    fn reference(spec: LrnSpec, input: &[f32], pixels: usize) -> Vec<f32> {
        let channels = input.len() / pixels;
        let mut out = vec![0.0; input.len()];
        for c in 0..channels {
            let lo = c as isize - (spec.size / 2) as isize;
            let hi = c + (spec.size - 1) / 2;
            for p in 0..pixels {
                let sum: f64 = (lo.max(0) as usize..=hi.min(channels - 1))
                    .map(|j| f64::from(input[j * pixels + p]).powi(2))
                    .sum();
                let d = f64::from(spec.k) + f64::from(spec.alpha) / spec.size as f64 * sum;
                out[c * pixels + p] =
                    (f64::from(input[c * pixels + p]) * d.powf(-f64::from(spec.beta))) as f32;
            }
        }
        out
    }

    #[test]
    fn every_channel_matches_the_definition_at_the_edges_and_with_even_windows() {
        let cases = [
            (
                LrnSpec {
                    size: 5,
                    alpha: 1e-4,
                    beta: 0.75,
                    k: 1.0,
                },
                7,
                19,
            ),
            (
                LrnSpec {
                    size: 5,
                    alpha: 2.0,
                    beta: 0.75,
                    k: 2.0,
                },
                3,
                8,
            ),
            (
                LrnSpec {
                    size: 4,
                    alpha: 0.5,
                    beta: 0.5,
                    k: 1.0,
                },
                6,
                17,
            ),
            (
                LrnSpec {
                    size: 1,
                    alpha: 1.0,
                    beta: 1.3,
                    k: 0.5,
                },
                2,
                5,
            ),
            (
                LrnSpec {
                    size: 9,
                    alpha: 0.3,
                    beta: 0.9,
                    k: 1.0,
                },
                4,
                3,
            ),
        ];
        for (spec, channels, pixels) in cases {
            let input: Vec<f32> = (0..channels * pixels)
                .map(|i| ((i * 37 % 23) as f32 - 11.0) / 4.0)
                .collect();
            let want = reference(spec, &input, pixels);
            for c in 0..channels {
                let mut out = vec![0.0; pixels];
                spec.channel(&input, pixels, c, &mut out);
                for (p, (&got, &want)) in out.iter().zip(&want[c * pixels..]).enumerate() {
                    let err = (f64::from(got) - f64::from(want)).abs();
                    assert!(
                        err <= 1e-5 * f64::from(want.abs()).max(1.0),
                        "{spec:?} channel {c} pixel {p}: {got} against {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_window_is_clipped_to_the_channels_there_are() {
        let spec = LrnSpec {
            size: 5,
            alpha: 1.0,
            beta: 1.0,
            k: 1.0,
        };
        assert_eq!(spec.window(0, 10), 0..3);
        assert_eq!(spec.window(5, 10), 3..8);
        assert_eq!(spec.window(9, 10), 7..10);
        let even = LrnSpec { size: 4, ..spec };
        assert_eq!(even.window(5, 10), 3..7);
    }
}
