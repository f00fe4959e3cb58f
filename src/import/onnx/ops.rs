//! One ONNX node as a layer of the block model: which attributes and weight shapes give its
//! kernel, stride, padding and widths. Activation shapes come from the caller, which walks the
//! graph in order, so `auto_pad` can be resolved here.

use crate::model::{Conv, FullyConnected, LayerKind, Lrn, Padding, Pair, Pool, PoolKind, Shape};

use super::attrs::{
    add, attribute, float, has_input, int, ints, padding, pair, size, text, weight_dims,
};
use super::error::OnnxError;
use super::proto::NodeProto;
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
