//! The scalar reference: every node of a [`Graph`] executed as its definition reads, in f64,
//! one loop per index, with nothing folded, fused or shared. Slow on purpose; the fast
//! [`super::Plan`] is checked against it.

use super::{Dims, Graph, GraphError, LrnSpec, Op, PoolKind, PoolSpec, Window};

/// Runs `graph` on `input` (the input's `C × H × W` values, CHW) and returns its output.
pub fn run(graph: &Graph, input: &[f32]) -> Result<Vec<f32>, GraphError> {
    let nodes = graph.nodes();
    let input_dims = nodes[0].dims;
    if input.len() != input_dims.elements() {
        return Err(GraphError::Length {
            what: "input",
            expected: input_dims.elements(),
            actual: input.len(),
        });
    }
    let mut values: Vec<Vec<f32>> = Vec::with_capacity(nodes.len());
    for node in nodes {
        let dims_of = |v: usize| nodes[v].dims;
        let out = match &node.op {
            Op::Input => input.to_vec(),
            Op::Conv {
                input,
                spec,
                weights,
                bias,
            } => conv(
                &values[*input],
                dims_of(*input),
                node.dims,
                spec.window,
                spec.groups,
                weights,
                bias.as_deref(),
            ),
            Op::BatchNorm {
                input,
                gamma,
                beta,
                mean,
                var,
                eps,
            } => {
                let plane = node.dims.pixels();
                values[*input]
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| {
                        let c = i / plane;
                        let norm = (f64::from(x) - f64::from(mean[c]))
                            / (f64::from(var[c]) + f64::from(*eps)).sqrt();
                        (norm * f64::from(gamma[c]) + f64::from(beta[c])) as f32
                    })
                    .collect()
            }
            Op::Relu { input } => values[*input].iter().map(|&x| x.max(0.0)).collect(),
            Op::Relu6 { input } => values[*input].iter().map(|&x| x.clamp(0.0, 6.0)).collect(),
            Op::Lrn { input, spec } => lrn(&values[*input], node.dims, spec),
            Op::Pool { input, spec } => pool(&values[*input], dims_of(*input), node.dims, spec),
            Op::GlobalAvgPool { input } => {
                let plane = dims_of(*input).pixels();
                values[*input]
                    .chunks(plane)
                    .map(|c| (c.iter().map(|&x| f64::from(x)).sum::<f64>() / plane as f64) as f32)
                    .collect()
            }
            Op::FullyConnected {
                input,
                weights,
                bias,
            } => {
                let x = &values[*input];
                (0..node.dims.c)
                    .map(|o| {
                        let row = &weights[o * x.len()..(o + 1) * x.len()];
                        let mut sum = bias.as_ref().map_or(0.0, |b| f64::from(b[o]));
                        for (w, x) in row.iter().zip(x) {
                            sum += f64::from(*w) * f64::from(*x);
                        }
                        sum as f32
                    })
                    .collect()
            }
            Op::Reshape { input } => values[*input].clone(),
            Op::Add { a, b } => values[*a]
                .iter()
                .zip(&values[*b])
                .map(|(x, y)| (f64::from(*x) + f64::from(*y)) as f32)
                .collect(),
            Op::Concat { inputs } => inputs
                .iter()
                .flat_map(|v| values[*v].iter().copied())
                .collect(),
        };
        values.push(out);
    }
    Ok(values.pop().unwrap_or_default())
}

/// `x_c · (k + α/n · Σ_j x_j²)^−β` over the channels `j` of [`LrnSpec::window`], in f64.
fn lrn(x: &[f32], d: Dims, spec: &LrnSpec) -> Vec<f32> {
    let plane = d.pixels();
    (0..x.len())
        .map(|i| {
            let (c, p) = (i / plane, i % plane);
            // Written out rather than taken from `LrnSpec::window`, so a wrong window there
            // shows as a disagreement.
            let (lo, hi) = (c.saturating_sub(spec.size / 2), c + (spec.size - 1) / 2);
            let sum: f64 = (lo..=hi.min(d.c - 1))
                .map(|j| f64::from(x[j * plane + p]).powi(2))
                .sum();
            let base = f64::from(spec.k) + f64::from(spec.alpha) / spec.size as f64 * sum;
            (f64::from(x[i]) * base.powf(-f64::from(spec.beta))) as f32
        })
        .collect()
}

/// `out[co][oy][ox] = bias[co] + Σ_{ci, dy, dx} w[co][ci][dy][dx] · in[g·C_in/G + ci][y][x]`
/// with `y = oy·sh + dy − ph`, `x = ox·sw + dx − pw`, zero outside the input.
fn conv(
    x: &[f32],
    i: Dims,
    o: Dims,
    win: Window,
    groups: usize,
    w: &[f32],
    bias: Option<&[f32]>,
) -> Vec<f32> {
    let (kh, kw) = win.kernel;
    let (cin_g, cout_g) = (i.c / groups, o.c / groups);
    let mut out = vec![0.0; o.elements()];
    for co in 0..o.c {
        let g = co / cout_g;
        for oy in 0..o.h {
            for ox in 0..o.w {
                let mut sum = bias.map_or(0.0, |b| f64::from(b[co]));
                for ci in 0..cin_g {
                    for dy in 0..kh {
                        for dx in 0..kw {
                            let (Some(y), Some(xx)) = (
                                at(oy, win.stride.0, dy, win.padding.0, i.h),
                                at(ox, win.stride.1, dx, win.padding.1, i.w),
                            ) else {
                                continue;
                            };
                            let weight = w[((co * cin_g + ci) * kh + dy) * kw + dx];
                            let value = x[((g * cin_g + ci) * i.h + y) * i.w + xx];
                            sum += f64::from(weight) * f64::from(value);
                        }
                    }
                }
                out[(co * o.h + oy) * o.w + ox] = sum as f32;
            }
        }
    }
    out
}

/// The input coordinate tap `d` of output `o` reads, if it is inside the input.
fn at(o: usize, s: usize, d: usize, p: usize, size: usize) -> Option<usize> {
    (o * s + d).checked_sub(p).filter(|&y| y < size)
}

/// Max: the largest value of the window inside the input. Average: the sum over the window
/// inside the input, divided by the window's size clipped to the padded input
/// (`count_include_pad=True`).
fn pool(x: &[f32], i: Dims, o: Dims, spec: &PoolSpec) -> Vec<f32> {
    let win = spec.window;
    let mut out = vec![0.0; o.elements()];
    for c in 0..o.c {
        for oy in 0..o.h {
            for ox in 0..o.w {
                let (mut max, mut sum) = (f32::NEG_INFINITY, 0.0f64);
                for dy in 0..win.kernel.0 {
                    for dx in 0..win.kernel.1 {
                        let (Some(y), Some(xx)) = (
                            at(oy, win.stride.0, dy, win.padding.0, i.h),
                            at(ox, win.stride.1, dx, win.padding.1, i.w),
                        ) else {
                            continue;
                        };
                        let v = x[(c * i.h + y) * i.w + xx];
                        max = max.max(v);
                        sum += f64::from(v);
                    }
                }
                let divisor = clipped(oy, win.stride.0, win.kernel.0, win.padding.0, i.h)
                    * clipped(ox, win.stride.1, win.kernel.1, win.padding.1, i.w);
                out[(c * o.h + oy) * o.w + ox] = match spec.kind {
                    PoolKind::Max => max,
                    PoolKind::Avg => (sum / divisor as f64) as f32,
                };
            }
        }
    }
    out
}

/// How much of window `o` lies inside the padded input (`0 .. size + 2p`).
pub(crate) fn clipped(o: usize, s: usize, k: usize, p: usize, size: usize) -> usize {
    let start = o * s;
    (start + k).min(size + 2 * p) - start
}
