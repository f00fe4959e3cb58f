//! The walk from the image input: chains of layers, and at a tensor read by several nodes,
//! branches that must all end at one Concat (a concat) or one Add (a residual).

use std::collections::HashSet;

use crate::analysis::evaluate_layer;
use crate::model::{Chain, Concat, Layer, Node, Padding, Residual, Shape, count_nodes};

use super::error::OnnxError;
use super::graph::{Graph, node_name};
use super::index::{image_input, index};
use super::ops::{Converted, convert};
use super::proto::GraphProto;

/// Reads the graph into a block body, with the image input's shape.
pub fn read(graph: &GraphProto) -> Result<(Shape, Chain), OnnxError> {
    let g = index(graph)?;
    let (input, shape) = image_input(graph, &g)?;
    if g.outputs.len() != 1 {
        return Err(OnnxError::Graph(format!(
            "the model has {} outputs ({}); convtui reads models with one",
            g.outputs.len(),
            g.outputs.join(", ")
        )));
    }
    let mut walker = Walker { g: &g, nodes: 0 };
    let walked = walker.walk(input, shape)?;
    if let Some(merge) = walked.merge {
        let node = &g.nodes[merge];
        return Err(OnnxError::node(
            node,
            "merges tensors that do not branch from one tensor before it",
        ));
    }
    if walked.end != g.outputs[0] {
        return Err(OnnxError::Tensor {
            tensor: walked.end.to_string(),
            why: format!(
                "the walk from the input ends here, not at the model's output {}",
                g.outputs[0]
            ),
        });
    }
    Ok((shape, walked.chain))
}

pub struct Walked<'a> {
    pub chain: Chain,
    pub end: &'a str,
    shape: Shape,
    /// The merge node (Concat or Add) this chain runs into, still to be joined.
    pub merge: Option<usize>,
}

pub struct Walker<'g, 'a> {
    g: &'g Graph<'a>,
    nodes: usize,
}

impl<'a> Walker<'_, 'a> {
    fn walk(&mut self, start: &'a str, shape: Shape) -> Result<Walked<'a>, OnnxError> {
        self.walk_from(start, shape, None)
    }

    /// Follows the image from `tensor` until the output, or a merge it cannot join itself.
    /// `first`: a reader of `tensor` to take as the only one (a branch's first node).
    fn walk_from(
        &mut self,
        mut tensor: &'a str,
        mut shape: Shape,
        mut first: Option<usize>,
    ) -> Result<Walked<'a>, OnnxError> {
        let g = self.g;
        let mut chain = Chain::new();
        let mut pad: Option<Padding> = None;
        loop {
            if self.nodes > crate::model::MAX_NODES {
                return Err(OnnxError::Graph(format!(
                    "the model has more than {} layers, concats and residuals",
                    crate::model::MAX_NODES
                )));
            }
            let readers: Vec<usize> = match first.take() {
                Some(one) => vec![one],
                None => g.readers(tensor).to_vec(),
            };
            match readers[..] {
                [] => {
                    if !g.outputs.contains(&tensor) {
                        return Err(OnnxError::Tensor {
                            tensor: tensor.into(),
                            why: "nothing reads it and it is not the model's output".into(),
                        });
                    }
                    return Ok(Walked {
                        chain,
                        end: tensor,
                        shape,
                        merge: None,
                    });
                }
                [one] if g.is_merge(one) => {
                    return Ok(Walked {
                        chain,
                        end: tensor,
                        shape,
                        merge: Some(one),
                    });
                }
                [one] => {
                    let node = &g.nodes[one];
                    if g.flowing(node).len() != 1 {
                        return Err(OnnxError::node(node, "reads the image more than once"));
                    }
                    let out = node.output.first().map(String::as_str).unwrap_or("");
                    match convert(&g.tensors, node, shape, pad.take())? {
                        Converted::Skip => {}
                        Converted::Pad(p) => pad = Some(p),
                        Converted::ConvWithBatchNorm(kind) => {
                            let name = node_name(node).to_string();
                            shape = evaluate_layer(&kind, shape)
                                .map_err(|why| OnnxError::node(node, why))?
                                .output;
                            chain.push(Node::Layer(Layer::named(
                                format!("{name} (folded BN)"),
                                crate::model::LayerKind::BatchNorm,
                            )));
                            chain.insert(chain.len() - 1, Node::Layer(Layer::named(name, kind)));
                            self.nodes += 2;
                            tensor = out;
                            continue;
                        }
                        Converted::Layer(mut kind) => {
                            let mut name = node_name(node).to_string();
                            let mut out = out;
                            if let crate::model::LayerKind::FullyConnected(fc) = &mut kind
                                && node.op_type == "MatMul"
                                && let Some(bias) = self.bias_add(out)
                            {
                                fc.bias = true;
                                out = g.nodes[bias].output.first().map_or("", String::as_str);
                                name = format!("{name}+{}", node_name(&g.nodes[bias]));
                            }
                            shape = evaluate_layer(&kind, shape)
                                .map_err(|why| OnnxError::node(node, why))?
                                .output;
                            chain.push(Node::Layer(Layer::named(name, kind)));
                            self.nodes += 1;
                            tensor = out;
                            continue;
                        }
                    }
                    tensor = out;
                }
                _ => {
                    if let Some(p) = pad {
                        let _ = p;
                        return Err(OnnxError::Tensor {
                            tensor: tensor.into(),
                            why: "a Pad's output is read by several nodes".into(),
                        });
                    }
                    let (node, out, next) = self.branches(tensor, shape, &readers)?;
                    chain.push(node);
                    self.nodes += 1;
                    tensor = out;
                    shape = next;
                }
            }
        }
    }

    /// The Add that adds a constant bias to `tensor`, if that is all that reads it.
    fn bias_add(&self, tensor: &str) -> Option<usize> {
        let g = self.g;
        let &[one] = g.readers(tensor) else {
            return None;
        };
        let node = &g.nodes[one];
        (node.op_type == "Add" && g.flowing(node).len() == 1).then_some(one)
    }

    /// Branches from `tensor` to the one node that merges them all: a concat or a residual.
    fn branches(
        &mut self,
        tensor: &'a str,
        shape: Shape,
        readers: &[usize],
    ) -> Result<(Node, &'a str, Shape), OnnxError> {
        let g = self.g;
        let mut walked = Vec::new();
        for &r in readers {
            walked.push(if g.is_merge(r) {
                Walked {
                    chain: Chain::new(),
                    end: tensor,
                    shape,
                    merge: Some(r),
                }
            } else {
                self.walk_from(tensor, shape, Some(r))?
            });
        }
        let merges: HashSet<Option<usize>> = walked.iter().map(|w| w.merge).collect();
        let Some(merge) = walked[0].merge.filter(|_| merges.len() == 1) else {
            let names: Vec<String> = walked
                .iter()
                .map(|w| {
                    w.merge.map_or("the output".to_string(), |m| {
                        node_name(&g.nodes[m]).to_string()
                    })
                })
                .collect();
            return Err(OnnxError::Tensor {
                tensor: tensor.into(),
                why: format!(
                    "is read by branches that end at different places ({}): a tensor reused beyond one branch point (as in DenseNet) has no place in the block model",
                    names.join(", ")
                ),
            });
        };
        let node = &g.nodes[merge];
        let mut inputs = g.flowing(node);
        // Each branch's end must be one of the merge's inputs, each used once.
        let mut ordered: Vec<Option<Walked>> = (0..inputs.len()).map(|_| None).collect();
        for w in walked {
            let Some(at) = inputs.iter().position(|&i| i == w.end) else {
                return Err(OnnxError::node(
                    node,
                    format!("does not read {}, where a branch ends", w.end),
                ));
            };
            inputs[at] = "";
            ordered[at] = Some(w);
        }
        let Some(branches) = ordered.into_iter().collect::<Option<Vec<Walked>>>() else {
            return Err(OnnxError::node(
                node,
                "also reads a tensor from outside the branches it merges",
            ));
        };
        let out = node.output.first().map_or("", String::as_str);
        let name = Some(node_name(node).to_string());
        match node.op_type.as_str() {
            "Concat" => {
                let axis = node
                    .attribute
                    .iter()
                    .find(|a| a.name == "axis")
                    .map_or(1, |a| a.i);
                if axis != 1 && axis != -3 {
                    return Err(OnnxError::node(
                        node,
                        format!("concatenates along axis {axis}; convtui reads channels (1)"),
                    ));
                }
                let first = branches[0].shape;
                if let Some(b) = branches
                    .iter()
                    .find(|b| (b.shape.h, b.shape.w) != (first.h, first.w))
                {
                    return Err(OnnxError::node(
                        node,
                        format!(
                            "joins {first} and {}: their heights and widths differ",
                            b.shape
                        ),
                    ));
                }
                let channels = branches.iter().map(|b| b.shape.c).sum();
                let next = Shape::new(channels, first.h, first.w);
                let concat = Concat {
                    name,
                    branches: branches.into_iter().map(|b| b.chain).collect(),
                };
                Ok((Node::Concat(concat), out, next))
            }
            _ => {
                let [a, b] = <[Walked; 2]>::try_from(branches)
                    .map_err(|_| OnnxError::node(node, "adds more than two tensors"))?;
                if a.shape != b.shape {
                    return Err(OnnxError::node(
                        node,
                        format!(
                            "adds {} and {}: a residual's shapes must agree",
                            a.shape, b.shape
                        ),
                    ));
                }
                // The body is the longer branch; the other is the shortcut (none: the identity).
                let (body, shortcut) = if count_nodes(&a.chain) >= count_nodes(&b.chain) {
                    (a, b)
                } else {
                    (b, a)
                };
                let next = body.shape;
                let residual = Residual {
                    name,
                    body: body.chain,
                    shortcut: (!shortcut.chain.is_empty()).then_some(shortcut.chain),
                };
                Ok((Node::Residual(residual), out, next))
            }
        }
    }
}
