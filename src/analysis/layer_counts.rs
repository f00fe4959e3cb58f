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
#[path = "layer_counts_tests.rs"]
mod tests;
