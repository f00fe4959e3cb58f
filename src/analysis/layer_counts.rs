//! One layer's output shape, parameters and multiply-accumulates, from its input shape.
//!
//! Sizes follow the frameworks exactly: `out = floor((in + pad_begin + pad_end − d·(k − 1) − 1)
//! / stride) + 1`, and ceil-mode pooling drops a last window that would start at or past the end
//! of the input plus its leading padding (PyTorch, padded or not; Caffe only when padded).
//! MACs are counted for convolutions and fully connected layers only; pools, batch norm and
//! activations do no multiply-accumulates.

use crate::model::{
    Conv, FullyConnected, LayerKind, Lrn, MAX_CHANNELS, MAX_SPATIAL, Padding, Pair, Pool, Shape,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LayerCounts {
    pub output: Shape,
    pub weights: u64,
    pub biases: u64,
    pub macs: u64,
}

/// Evaluates a layer on `input`; the error says what does not fit, without naming the layer
/// (the caller knows where it is).
pub fn evaluate(kind: &LayerKind, input: Shape) -> Result<LayerCounts, String> {
    let same = LayerCounts {
        output: input,
        ..LayerCounts::default()
    };
    match kind {
        LayerKind::Conv(conv) => conv_figures(conv, input),
        LayerKind::Pool(pool) => pool_figures(pool, input),
        LayerKind::GlobalAvgPool => Ok(LayerCounts {
            output: Shape::new(input.c, 1, 1),
            ..LayerCounts::default()
        }),
        LayerKind::Relu | LayerKind::Relu6 | LayerKind::Dropout { .. } => Ok(same),
        LayerKind::Lrn(lrn) => lrn_figures(lrn).map(|()| same),
        LayerKind::AdaptiveAvgPool { output } => adaptive_figures(*output, input),
        LayerKind::BatchNorm => Ok(LayerCounts {
            weights: input.c as u64,
            biases: input.c as u64,
            ..same
        }),
        LayerKind::Flatten => Ok(LayerCounts {
            output: Shape::new(flat_features(input)?, 1, 1),
            ..LayerCounts::default()
        }),
        LayerKind::FullyConnected(fc) => fc_figures(fc, input),
    }
}

fn conv_figures(conv: &Conv, input: Shape) -> Result<LayerCounts, String> {
    check_channels("out_channels", conv.out_channels)?;
    if conv.groups == 0 {
        return Err("groups must be at least 1".into());
    }
    if !input.c.is_multiple_of(conv.groups) {
        return Err(format!(
            "groups {} does not divide its {} input channels",
            conv.groups, input.c
        ));
    }
    if !conv.out_channels.is_multiple_of(conv.groups) {
        return Err(format!(
            "groups {} does not divide its {} output channels",
            conv.groups, conv.out_channels
        ));
    }
    if conv.dilation.h == 0 || conv.dilation.w == 0 {
        return Err(format!("dilation {} must be at least 1", conv.dilation));
    }
    let (h, w) = window_output(
        input,
        conv.kernel,
        conv.stride,
        conv.padding,
        conv.dilation,
        false,
    )?;
    let output = Shape::new(conv.out_channels, h, w);
    let per_pixel = mul(&[
        conv.kernel.h as u64,
        conv.kernel.w as u64,
        (input.c / conv.groups) as u64,
        conv.out_channels as u64,
    ])?;
    Ok(LayerCounts {
        output,
        weights: per_pixel,
        biases: if conv.bias {
            conv.out_channels as u64
        } else {
            0
        },
        macs: mul(&[per_pixel, h as u64, w as u64])?,
    })
}

fn pool_figures(pool: &Pool, input: Shape) -> Result<LayerCounts, String> {
    let p = pool.padding;
    let most = Pair::new(p.begin.h.max(p.end.h), p.begin.w.max(p.end.w));
    if most.h > pool.kernel.h / 2 || most.w > pool.kernel.w / 2 {
        return Err(format!(
            "padding {} is more than half of its kernel {}",
            pool.padding, pool.kernel
        ));
    }
    let (h, w) = window_output(
        input,
        pool.kernel,
        pool.stride,
        pool.padding,
        Pair::square(1),
        pool.ceil_mode,
    )?;
    Ok(LayerCounts {
        output: Shape::new(input.c, h, w),
        ..LayerCounts::default()
    })
}

fn lrn_figures(lrn: &Lrn) -> Result<(), String> {
    if lrn.size == 0 {
        return Err("lrn size must be at least 1".into());
    }
    if [lrn.alpha, lrn.beta, lrn.k].iter().any(|x| !x.is_finite()) {
        return Err("lrn alpha, beta and k must be finite numbers".into());
    }
    Ok(())
}

fn adaptive_figures(output: Pair, input: Shape) -> Result<LayerCounts, String> {
    if output.h == 0 || output.w == 0 {
        return Err(format!("output size {output} must be at least 1×1"));
    }
    if output.h > MAX_SPATIAL || output.w > MAX_SPATIAL {
        return Err(format!("output size {output} is more than {MAX_SPATIAL}"));
    }
    Ok(LayerCounts {
        output: Shape::new(input.c, output.h, output.w),
        ..LayerCounts::default()
    })
}

fn fc_figures(fc: &FullyConnected, input: Shape) -> Result<LayerCounts, String> {
    check_channels("out_features", fc.out_features)?;
    let features = flat_features(input)?;
    let weights = mul(&[features as u64, fc.out_features as u64])?;
    Ok(LayerCounts {
        output: Shape::new(fc.out_features, 1, 1),
        weights,
        biases: if fc.bias { fc.out_features as u64 } else { 0 },
        macs: weights,
    })
}

fn flat_features(input: Shape) -> Result<usize, String> {
    input
        .elements()
        .and_then(|n| usize::try_from(n).ok())
        .filter(|&n| n <= MAX_CHANNELS * 64)
        .ok_or_else(|| format!("flattening {input} gives too many features"))
}

pub fn check_channels(what: &str, n: usize) -> Result<(), String> {
    if n == 0 {
        Err(format!("{what} must be at least 1"))
    } else if n > MAX_CHANNELS {
        Err(format!(
            "{what} {n} is more than the limit of {MAX_CHANNELS}"
        ))
    } else {
        Ok(())
    }
}

pub fn check_input(input: Shape) -> Result<(), String> {
    check_channels("input channels", input.c)?;
    for (what, n) in [("height", input.h), ("width", input.w)] {
        if n == 0 || n > MAX_SPATIAL {
            return Err(format!("input {what} {n} is outside 1..={MAX_SPATIAL}"));
        }
    }
    Ok(())
}

/// Output (height, width) of a sliding window, as Caffe and PyTorch compute it.
fn window_output(
    input: Shape,
    kernel: Pair,
    stride: Pair,
    padding: Padding,
    dilation: Pair,
    ceil_mode: bool,
) -> Result<(usize, usize), String> {
    if kernel.h == 0 || kernel.w == 0 {
        return Err(format!("kernel {kernel} must be at least 1×1"));
    }
    if stride.h == 0 || stride.w == 0 {
        return Err(format!("stride {stride} must be at least 1"));
    }
    let too_large = || "padding too large".to_string();
    let axis = |size: usize, k: usize, s: usize, d: usize, (begin, end): (usize, usize)| {
        let padded = size
            .checked_add(begin)
            .and_then(|n| n.checked_add(end))
            .ok_or_else(too_large)?;
        // The span the kernel's taps cover: d·(k − 1) + 1.
        let reach = (k - 1)
            .checked_mul(d)
            .and_then(|n| n.checked_add(1))
            .ok_or_else(|| format!("kernel {kernel} with dilation {d} is too large"))?;
        if reach > padded {
            let dilated = if d > 1 {
                format!(" (dilated to {reach})")
            } else {
                String::new()
            };
            return Err(format!(
                "kernel {kernel}{dilated} is larger than its padded input {}×{} ({}×{} + padding {padding})",
                input.h.saturating_add(padding.total().h.min(MAX_SPATIAL)),
                input.w.saturating_add(padding.total().w.min(MAX_SPATIAL)),
                input.h,
                input.w
            ));
        }
        let span = padded - reach;
        let mut out = if ceil_mode {
            span.div_ceil(s)
        } else {
            span / s
        } + 1;
        // A last window that starts inside the trailing padding, or past the input, is dropped
        // (PyTorch; Caffe drops it only when there is padding, and otherwise pools nothing).
        if ceil_mode && (out - 1) * s >= size + begin {
            out -= 1;
        }
        if out > MAX_SPATIAL {
            return Err(format!("output size {out} is more than {MAX_SPATIAL}"));
        }
        Ok(out)
    };
    let (b, e) = (padding.begin, padding.end);
    Ok((
        axis(input.h, kernel.h, stride.h, dilation.h, (b.h, e.h))?,
        axis(input.w, kernel.w, stride.w, dilation.w, (b.w, e.w))?,
    ))
}

fn mul(factors: &[u64]) -> Result<u64, String> {
    factors
        .iter()
        .try_fold(1u64, |acc, &f| acc.checked_mul(f))
        .ok_or_else(|| "counts overflow 64 bits".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(out: usize, k: usize, stride: usize, pad: usize) -> LayerKind {
        LayerKind::Conv(Conv {
            out_channels: out,
            kernel: Pair::square(k),
            stride: Pair::square(stride),
            padding: Padding::square(pad),
            dilation: Pair::square(1),
            groups: 1,
            bias: true,
        })
    }

    fn max_pool(k: usize, s: usize, p: usize, ceil_mode: bool) -> LayerKind {
        LayerKind::Pool(Pool {
            kind: crate::model::PoolKind::Max,
            kernel: Pair::square(k),
            stride: Pair::square(s),
            padding: Padding::square(p),
            ceil_mode,
        })
    }

    #[test]
    fn conv_counts_follow_the_formula() {
        // 3·3·96·128 = 110,592 weights; 28 + 2 − 3 + 1 = 28, so MACs = 110,592 · 784.
        let f = evaluate(&conv(128, 3, 1, 1), Shape::new(96, 28, 28)).unwrap();
        assert_eq!(f.output, Shape::new(128, 28, 28));
        assert_eq!(f.weights, 110_592);
        assert_eq!(f.biases, 128);
        assert_eq!(f.macs, 110_592 * 784);
    }

    #[test]
    fn strided_conv_floors_like_the_frameworks() {
        // NIN conv1: (224 − 11) / 4 = 53.25 → 53, + 1 = 54.
        let f = evaluate(&conv(96, 11, 4, 0), Shape::new(3, 224, 224)).unwrap();
        assert_eq!(f.output, Shape::new(96, 54, 54));
        assert_eq!(f.weights, 11 * 11 * 3 * 96);
    }

    #[test]
    fn grouped_conv_divides_input_channels() {
        let mut kind = conv(64, 3, 1, 1);
        if let LayerKind::Conv(c) = &mut kind {
            c.groups = 32;
        }
        let f = evaluate(&kind, Shape::new(32, 8, 8)).unwrap();
        assert_eq!(f.weights, 3 * 3 * 64);
        let err = evaluate(&kind, Shape::new(48, 8, 8)).unwrap_err();
        assert!(
            err.contains("does not divide its 48 input channels"),
            "{err}"
        );
    }

    #[test]
    fn ceil_mode_differs_from_floor_mode() {
        // (54 − 3) / 2 = 25.5: Caffe (ceil) gives 27, PyTorch's default (floor) 26.
        let input = Shape::new(96, 54, 54);
        assert_eq!(
            evaluate(&max_pool(3, 2, 0, true), input).unwrap().output.h,
            27
        );
        assert_eq!(
            evaluate(&max_pool(3, 2, 0, false), input).unwrap().output.h,
            26
        );
    }

    #[test]
    fn ceil_mode_drops_a_window_starting_in_padding() {
        // 5 + 2 − 2 = 5, ceil(5/2) + 1 = 4, but the 4th window starts at 6 ≥ 5 + 1: 3 windows.
        let f = evaluate(&max_pool(2, 2, 1, true), Shape::new(1, 5, 5)).unwrap();
        assert_eq!(f.output.h, 3);
    }

    #[test]
    fn kernel_larger_than_padded_input_is_an_error() {
        let err = evaluate(&conv(8, 5, 1, 0), Shape::new(3, 3, 3)).unwrap_err();
        assert!(
            err.contains("kernel 5×5 is larger than its padded input 3×3"),
            "{err}"
        );
    }

    #[test]
    fn zero_and_absurd_channels_are_errors() {
        assert!(evaluate(&conv(0, 1, 1, 0), Shape::new(3, 3, 3)).is_err());
        assert!(evaluate(&conv(MAX_CHANNELS + 1, 1, 1, 0), Shape::new(3, 3, 3)).is_err());
    }

    #[test]
    fn batch_norm_has_two_parameters_per_channel() {
        let f = evaluate(&LayerKind::BatchNorm, Shape::new(64, 56, 56)).unwrap();
        assert_eq!((f.weights, f.biases, f.macs), (64, 64, 0));
    }

    #[test]
    fn fully_connected_flattens_its_input() {
        let fc = LayerKind::FullyConnected(FullyConnected {
            out_features: 10,
            bias: true,
        });
        let f = evaluate(&fc, Shape::new(16, 5, 5)).unwrap();
        assert_eq!((f.weights, f.biases, f.macs), (4000, 10, 4000));
    }

    #[test]
    fn dilation_widens_the_window_but_not_the_weights() {
        // PyTorch: Conv2d(8, 16, 3, padding=2, dilation=2) keeps 20×20; 5×5 reach, 3·3·8·16.
        let mut kind = conv(16, 3, 1, 2);
        if let LayerKind::Conv(c) = &mut kind {
            c.dilation = Pair::square(2);
        }
        let f = evaluate(&kind, Shape::new(8, 20, 20)).unwrap();
        assert_eq!(f.output, Shape::new(16, 20, 20));
        assert_eq!((f.weights, f.macs), (1152, 1152 * 400));
        if let LayerKind::Conv(c) = &mut kind {
            c.dilation = Pair::square(12);
        }
        let err = evaluate(&kind, Shape::new(8, 20, 20)).unwrap_err();
        assert!(err.contains("dilated to 25"), "{err}");
    }

    #[test]
    fn padding_per_side_counts_each_side_once() {
        // TensorFlow's "same" for 3×3 stride 2 on 224: pad 0 before, 1 after → 112.
        let mut kind = conv(32, 3, 2, 0);
        if let LayerKind::Conv(c) = &mut kind {
            c.padding = Padding {
                begin: Pair::square(0),
                end: Pair::square(1),
            };
        }
        let f = evaluate(&kind, Shape::new(3, 224, 224)).unwrap();
        assert_eq!(f.output, Shape::new(32, 112, 112));
    }

    #[test]
    fn ceil_mode_drops_a_window_past_the_input_even_unpadded() {
        // PyTorch MaxPool2d(2, 3, ceil_mode=True) on 6×6 gives 2×2 (Caffe would give 3×3).
        let f = evaluate(&max_pool(2, 3, 0, true), Shape::new(1, 6, 6)).unwrap();
        assert_eq!(f.output, Shape::new(1, 2, 2));
    }

    #[test]
    fn adaptive_pool_and_lrn_keep_channels_and_count_nothing() {
        let pooled = LayerKind::AdaptiveAvgPool {
            output: Pair::new(6, 6),
        };
        let f = evaluate(&pooled, Shape::new(256, 13, 13)).unwrap();
        assert_eq!((f.output, f.weights, f.macs), (Shape::new(256, 6, 6), 0, 0));
        let lrn = LayerKind::Lrn(Lrn {
            size: 0,
            alpha: 1e-4,
            beta: 0.75,
            k: 1.0,
        });
        assert!(evaluate(&lrn, Shape::new(64, 8, 8)).is_err());
    }
}
