//! Reading a node's attributes and inputs: ints, floats, 2-D sizes, padding (with `auto_pad`
//! resolved against the input), and the shapes of its weights.

use crate::model::{Padding, Pair, Shape};

use super::error::OnnxError;
use super::proto::{AttributeProto, NodeProto};
use super::tensors::Tensors;

pub fn attribute<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

pub fn int(node: &NodeProto, name: &str, default: i64) -> i64 {
    attribute(node, name).map_or(default, |a| a.i)
}

pub fn float(node: &NodeProto, name: &str, default: f32) -> f32 {
    attribute(node, name).map_or(default, |a| a.f)
}

pub fn ints<'a>(node: &'a NodeProto, name: &str) -> Option<&'a [i64]> {
    attribute(node, name).map(|a| a.ints.as_slice())
}

pub fn text(node: &NodeProto, name: &str) -> Option<String> {
    attribute(node, name).map(|a| String::from_utf8_lossy(&a.s).into_owned())
}

pub fn size(node: &NodeProto, what: &str, v: i64) -> Result<usize, OnnxError> {
    usize::try_from(v)
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| OnnxError::node(node, format!("{what} {v} is not a positive size")))
}

/// A 2-D attribute (kernel_shape, strides, dilations) as (h, w).
pub fn pair(node: &NodeProto, name: &str, default: usize) -> Result<Pair, OnnxError> {
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
pub fn padding(
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

pub fn add(p: Padding, q: Padding) -> Padding {
    Padding {
        begin: Pair::new(p.begin.h + q.begin.h, p.begin.w + q.begin.w),
        end: Pair::new(p.end.h + q.end.h, p.end.w + q.end.w),
    }
}

/// The dims of a weight input, which must be a tensor the graph knows the shape of.
pub fn weight_dims(
    graph: &Tensors,
    node: &NodeProto,
    index: usize,
) -> Result<Vec<usize>, OnnxError> {
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

pub fn has_input(node: &NodeProto, index: usize) -> bool {
    node.input.get(index).is_some_and(|n| !n.is_empty())
}
