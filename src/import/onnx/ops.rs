//! One ONNX node as a layer of the block model: which attributes and weight shapes give its
//! kernel, stride, padding and widths. Activation shapes come from the caller, which walks the
//! graph in order, so `auto_pad` can be resolved here.

use crate::model::{Conv, FullyConnected, LayerKind, Lrn, Padding, Pair, Pool, PoolKind, Shape};

use super::error::OnnxError;
use super::proto::{AttributeProto, NodeProto};
use super::tensors::Tensors;

/// What a node becomes.
pub enum Converted {
    Layer(LayerKind),
    /// A conv into which the exporter folded a batch norm: the two layers PyTorch counts.
    ConvWithBatchNorm(LayerKind),
    /// Nothing: Identity, or a Dropout at inference.
    Skip,
    /// Zero padding that the next conv or pool takes on.
    Pad(Padding),
}

fn attribute<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

fn int(node: &NodeProto, name: &str, default: i64) -> i64 {
    attribute(node, name).map_or(default, |a| a.i)
}

fn float(node: &NodeProto, name: &str, default: f32) -> f32 {
    attribute(node, name).map_or(default, |a| a.f)
}

fn ints<'a>(node: &'a NodeProto, name: &str) -> Option<&'a [i64]> {
    attribute(node, name).map(|a| a.ints.as_slice())
}

fn text(node: &NodeProto, name: &str) -> Option<String> {
    attribute(node, name).map(|a| String::from_utf8_lossy(&a.s).into_owned())
}

fn size(node: &NodeProto, what: &str, v: i64) -> Result<usize, OnnxError> {
    usize::try_from(v)
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| OnnxError::node(node, format!("{what} {v} is not a positive size")))
}

/// A 2-D attribute (kernel_shape, strides, dilations) as (h, w).
fn pair(node: &NodeProto, name: &str, default: usize) -> Result<Pair, OnnxError> {
    match ints(node, name) {
        None | Some([]) => Ok(Pair::square(default)),
        Some([h, w]) => Ok(Pair::new(size(node, name, *h)?, size(node, name, *w)?)),
        Some(other) => Err(OnnxError::node(
            node,
            format!(
                "{name} has {} values; convtui reads 2-D convolutions and pools",
                other.len()
            ),
        )),
    }
}

/// `pads` ([top, left, bottom, right]) or `auto_pad`, for a window of `reach` pixels.
fn padding(
    node: &NodeProto,
    input: Shape,
    reach: Pair,
    stride: Pair,
) -> Result<Padding, OnnxError> {
    let auto = text(node, "auto_pad").unwrap_or_default();
    match auto.as_str() {
        "" | "NOTSET" => match ints(node, "pads") {
            None | Some([]) => Ok(Padding::square(0)),
            Some(&[t, l, b, r]) => {
                let side = |v: i64| {
                    usize::try_from(v)
                        .map_err(|_| OnnxError::node(node, format!("negative padding {v}")))
                };
                Ok(Padding {
                    begin: Pair::new(side(t)?, side(l)?),
                    end: Pair::new(side(b)?, side(r)?),
                })
            }
            Some(other) => Err(OnnxError::node(
                node,
                format!("pads has {} values; a 2-D window has 4", other.len()),
            )),
        },
        "VALID" => Ok(Padding::square(0)),
        "SAME_UPPER" | "SAME_LOWER" => {
            // ONNX: output = ceil(in / stride), padded by what that needs, the odd one at the
            // end (SAME_UPPER, TensorFlow's "same") or at the beginning (SAME_LOWER).
            let total = |i: usize, s: usize, k: usize| {
                let out = i.div_ceil(s.max(1));
                ((out.saturating_sub(1)) * s + k).saturating_sub(i)
            };
            let (th, tw) = (
                total(input.h, stride.h, reach.h),
                total(input.w, stride.w, reach.w),
            );
            let (small, large) = (
                Pair::new(th / 2, tw / 2),
                Pair::new(th - th / 2, tw - tw / 2),
            );
            Ok(if auto == "SAME_UPPER" {
                Padding {
                    begin: small,
                    end: large,
                }
            } else {
                Padding {
                    begin: large,
                    end: small,
                }
            })
        }
        other => Err(OnnxError::node(
            node,
            format!("auto_pad \"{other}\" is not ONNX's"),
        )),
    }
}

fn add(p: Padding, q: Padding) -> Padding {
    Padding {
        begin: Pair::new(p.begin.h + q.begin.h, p.begin.w + q.begin.w),
        end: Pair::new(p.end.h + q.end.h, p.end.w + q.end.w),
    }
}

/// The dims of a weight input, which must be a tensor the graph knows the shape of.
fn weight_dims(graph: &Tensors, node: &NodeProto, index: usize) -> Result<Vec<usize>, OnnxError> {
    let name = node
        .input
        .get(index)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| OnnxError::node(node, format!("input {index} (weights) is missing")))?;
    let dims = graph.dims_of(name).ok_or_else(|| {
        OnnxError::node(
            node,
            format!("the shape of {name} is unknown (no initializer or value info)"),
        )
    })?;
    dims.iter()
        .map(|&d| size(node, &format!("a dimension of {name}"), d))
        .collect()
}

fn has_input(node: &NodeProto, index: usize) -> bool {
    node.input.get(index).is_some_and(|n| !n.is_empty())
}

pub fn convert(
    graph: &Tensors,
    node: &NodeProto,
    input: Shape,
    pad: Option<Padding>,
) -> Result<Converted, OnnxError> {
    let takes_pad = matches!(node.op_type.as_str(), "Conv" | "MaxPool" | "AveragePool");
    if pad.is_some() && !takes_pad {
        return Err(OnnxError::node(
            node,
            "follows a Pad, which convtui folds only into the conv or pool right after it",
        ));
    }
    let extra = pad.unwrap_or(Padding::square(0));
    let kind = match node.op_type.as_str() {
        "Conv" => {
            let w = weight_dims(graph, node, 1)?;
            let [out, per_group, kh, kw] = w[..] else {
                return Err(OnnxError::node(
                    node,
                    format!(
                        "weights of rank {}; convtui reads 2-D convolutions",
                        w.len()
                    ),
                ));
            };
            let groups = size(node, "group", int(node, "group", 1))?;
            if per_group * groups != input.c {
                return Err(OnnxError::node(
                    node,
                    format!(
                        "weights for {per_group}·{groups} input channels, but its input has {}",
                        input.c
                    ),
                ));
            }
            let kernel = Pair::new(kh, kw);
            let stride = pair(node, "strides", 1)?;
            let dilation = pair(node, "dilations", 1)?;
            let reach = Pair::new((kh - 1) * dilation.h + 1, (kw - 1) * dilation.w + 1);
            let folded = folded_batch_norm(node);
            let conv = LayerKind::Conv(Conv {
                out_channels: out,
                kernel,
                stride,
                padding: add(padding(node, input, reach, stride)?, extra),
                dilation,
                groups,
                bias: has_input(node, 2) && !folded,
            });
            if folded {
                return Ok(Converted::ConvWithBatchNorm(conv));
            }
            conv
        }
        op @ ("MaxPool" | "AveragePool") => {
            let kernel = pair(node, "kernel_shape", 0)?;
            if kernel.h == 0 {
                return Err(OnnxError::node(node, "kernel_shape is missing"));
            }
            if pair(node, "dilations", 1)? != Pair::square(1) {
                return Err(OnnxError::node(node, "dilated pooling is not supported"));
            }
            let stride = pair(node, "strides", 1)?;
            LayerKind::Pool(Pool {
                kind: if op == "MaxPool" {
                    PoolKind::Max
                } else {
                    PoolKind::Avg
                },
                kernel,
                stride,
                padding: add(padding(node, input, kernel, stride)?, extra),
                ceil_mode: int(node, "ceil_mode", 0) != 0,
            })
        }
        "GlobalAveragePool" => LayerKind::GlobalAvgPool,
        "ReduceMean" => {
            let axes = match ints(node, "axes") {
                Some(axes) => axes.to_vec(),
                None if has_input(node, 1) => graph
                    .constant_of(node, 1)
                    .ok_or_else(|| OnnxError::node(node, "its axes are computed, not a constant"))?
                    .iter()
                    .map(|&x| x as i64)
                    .collect(),
                // No axes: a mean over every axis, channels too.
                None => Vec::new(),
            };
            let spatial = |a: i64| a == 2 || a == 3 || a == -1 || a == -2;
            if axes.len() != 2 || !axes.iter().all(|&a| spatial(a)) {
                return Err(OnnxError::node(
                    node,
                    format!(
                        "a mean over axes {axes:?}; convtui reads the global average over H and W"
                    ),
                ));
            }
            LayerKind::GlobalAvgPool
        }
        "Gemm" => {
            if int(node, "transA", 0) != 0 {
                return Err(OnnxError::node(
                    node,
                    "transA = 1 is not a fully connected layer",
                ));
            }
            let b = weight_dims(graph, node, 1)?;
            let [k, n] = b[..] else {
                return Err(OnnxError::node(node, "B is not a matrix"));
            };
            let (features, out) = if int(node, "transB", 0) != 0 {
                (n, k)
            } else {
                (k, n)
            };
            fc(node, input, features, out, has_input(node, 2))?
        }
        "MatMul" => {
            let b = weight_dims(graph, node, 1)?;
            let [features, out] = b[..] else {
                return Err(OnnxError::node(node, "B is not a matrix of weights"));
            };
            // A bias Add right after is folded in by the walk.
            fc(node, input, features, out, false)?
        }
        "Relu" => LayerKind::Relu,
        "Clip" => clip(graph, node)?,
        "BatchNormalization" => LayerKind::BatchNorm,
        "LRN" => LayerKind::Lrn(Lrn {
            size: size(node, "size", int(node, "size", 0))?,
            alpha: f64::from(float(node, "alpha", 1e-4)),
            beta: f64::from(float(node, "beta", 0.75)),
            k: f64::from(float(node, "bias", 1.0)),
        }),
        "Dropout" | "Identity" => return Ok(Converted::Skip),
        "Flatten" => {
            let axis = int(node, "axis", 1);
            if axis != 1 && axis != -3 {
                return Err(OnnxError::node(
                    node,
                    format!("flattens from axis {axis}; convtui reads axis 1"),
                ));
            }
            LayerKind::Flatten
        }
        "Reshape" => {
            if let Some(target) = graph.constant_of(node, 1)
                && target.len() != 2
            {
                return Err(OnnxError::node(
                    node,
                    format!(
                        "reshapes to rank {}; convtui reads the flatten before a classifier",
                        target.len()
                    ),
                ));
            }
            LayerKind::Flatten
        }
        "Pad" => return pad_of(graph, node, extra),
        other => return Err(OnnxError::node(node, format!("{other} is not supported"))),
    };
    Ok(Converted::Layer(kind))
}

/// Whether the exporter folded a batch norm into this conv. PyTorch's exporters do so in eval
/// mode, and name what they made: the legacy one `onnx::Conv_N` for both weight and bias, the
/// dynamo one `<weight>_bias` for the bias. A conv's own bias keeps its module's name
/// (`features.0.bias`), so the two are told apart and the count stays PyTorch's: the conv
/// without a bias, and the batch norm's 2·C.
fn folded_batch_norm(node: &NodeProto) -> bool {
    let (Some(weight), Some(bias)) = (node.input.get(1), node.input.get(2)) else {
        return false;
    };
    let legacy = weight.starts_with("onnx::Conv_") && bias.starts_with("onnx::Conv_");
    let dynamo = bias.ends_with(".weight_bias") || *bias == format!("{weight}_bias");
    !bias.is_empty() && (legacy || dynamo)
}

fn fc(
    node: &NodeProto,
    input: Shape,
    features: usize,
    out: usize,
    bias: bool,
) -> Result<LayerKind, OnnxError> {
    let have = input.elements().unwrap_or(0);
    if have != features as u64 {
        return Err(OnnxError::node(
            node,
            format!("weights for {features} inputs, but its input {input} has {have}"),
        ));
    }
    Ok(LayerKind::FullyConnected(FullyConnected {
        out_features: out,
        bias,
    }))
}

/// Clip(0, 6) is ReLU6 and Clip(0, ∞) a ReLU; other bounds are refused, not rounded.
fn clip(graph: &Tensors, node: &NodeProto) -> Result<LayerKind, OnnxError> {
    let bound = |attr: &str, index: usize| -> Option<f64> {
        match attribute(node, attr) {
            Some(a) => Some(f64::from(a.f)),
            None if has_input(node, index) => graph.constant_of(node, index)?.first().copied(),
            None => None,
        }
    };
    match (bound("min", 1), bound("max", 2)) {
        (Some(min), Some(max)) if min == 0.0 && max == 6.0 => Ok(LayerKind::Relu6),
        (Some(0.0), None) => Ok(LayerKind::Relu),
        (min, max) => Err(OnnxError::node(
            node,
            format!("Clip({min:?}, {max:?}) is neither ReLU (0, none) nor ReLU6 (0, 6)"),
        )),
    }
}

/// A zero Pad of H and W only, handed to the next conv or pool.
fn pad_of(graph: &Tensors, node: &NodeProto, extra: Padding) -> Result<Converted, OnnxError> {
    let mode = text(node, "mode").unwrap_or_else(|| "constant".into());
    if mode != "constant" {
        return Err(OnnxError::node(
            node,
            format!("{mode} padding is not zero padding"),
        ));
    }
    if has_input(node, 2)
        && graph
            .constant_of(node, 2)
            .is_none_or(|v| v.iter().any(|&x| x != 0.0))
    {
        return Err(OnnxError::node(node, "pads with a value other than 0"));
    }
    let pads: Vec<i64> = match ints(node, "pads") {
        Some(p) => p.to_vec(),
        None => graph
            .constant_of(node, 1)
            .ok_or_else(|| {
                OnnxError::node(
                    node,
                    "its pads are computed by the graph, not given (the legacy exporter's F.pad \
                     and ZeroPad2d; the dynamo exporter, dynamo=True, writes them into the conv)",
                )
            })?
            .iter()
            .map(|&x| x as i64)
            .collect(),
    };
    // [N, C, H, W begin, then N, C, H, W end].
    let [0, 0, t, l, 0, 0, b, r] = pads[..] else {
        return Err(OnnxError::node(
            node,
            format!("pads {pads:?}: convtui reads zero padding of height and width only"),
        ));
    };
    let side = |v: i64| usize::try_from(v).map_err(|_| OnnxError::node(node, "negative pads"));
    Ok(Converted::Pad(add(
        Padding {
            begin: Pair::new(side(t)?, side(l)?),
            end: Pair::new(side(b)?, side(r)?),
        },
        extra,
    )))
}
