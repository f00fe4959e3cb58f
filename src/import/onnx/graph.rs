//! An ONNX graph read as the block model reads a network: chains of layers, concats of branches
//! that start at one tensor, and residual adds — a series-parallel decomposition, walked from
//! the image input with the shape of each tensor known as it goes. What the model cannot
//! express (a tensor read past the merge of its branches, several outputs, control flow,
//! shared weights) is refused with the node and the reason.

use std::collections::{HashMap, HashSet};

use crate::analysis::evaluate_layer;
use crate::model::{Chain, Concat, Layer, Node, Padding, Residual, Shape, count_nodes};

use super::error::OnnxError;
use super::ops::{Converted, convert};
use super::proto::{GraphProto, NodeProto, TensorProto};
use super::tensors::Tensors;

fn node_name(node: &NodeProto) -> &str {
    node.display_name()
}

/// Ops that need no image to compute: they shape constants (a Reshape's target from Shape).
const SHAPE_OPS: &[&str] = &["Shape", "Constant", "ConstantOfShape", "Size"];

/// Ops the importer turns into layers.
const SUPPORTED: &[&str] = &[
    "Conv",
    "MaxPool",
    "AveragePool",
    "GlobalAveragePool",
    "ReduceMean",
    "Gemm",
    "MatMul",
    "Relu",
    "Clip",
    "BatchNormalization",
    "LRN",
    "Dropout",
    "Identity",
    "Flatten",
    "Reshape",
    "Concat",
    "Add",
    "Pad",
];

pub struct Graph<'a> {
    nodes: &'a [NodeProto],
    tensors: Tensors<'a>,
    /// Tensors that do not depend on the image (weights, constants, shapes).
    fixed: HashSet<&'a str>,
    /// For each image-dependent tensor, the nodes that read it, in graph order.
    readers: HashMap<&'a str, Vec<usize>>,
    outputs: Vec<&'a str>,
}

impl<'a> Graph<'a> {
    pub fn dims_of(&self, tensor: &str) -> Option<&[i64]> {
        self.tensors.dims_of(tensor)
    }

    fn is_fixed(&self, tensor: &str) -> bool {
        tensor.is_empty() || self.fixed.contains(tensor)
    }

    /// The inputs of `node` that carry the image.
    fn flowing(&self, node: &'a NodeProto) -> Vec<&'a str> {
        node.input
            .iter()
            .map(String::as_str)
            .filter(|t| !self.is_fixed(t))
            .collect()
    }

    fn readers(&self, tensor: &str) -> &[usize] {
        self.readers.get(tensor).map_or(&[], Vec::as_slice)
    }

    fn is_merge(&self, index: usize) -> bool {
        let node = &self.nodes[index];
        match node.op_type.as_str() {
            "Concat" => true,
            "Add" => self.flowing(node).len() == 2,
            _ => false,
        }
    }
}

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

/// Producers, readers, constants and shapes, after refusing what cannot be read at all.
fn index(graph: &GraphProto) -> Result<Graph<'_>, OnnxError> {
    let nodes = graph.node.as_slice();
    refuse_control_flow(nodes)?;
    let mut dims: HashMap<&str, Vec<i64>> = HashMap::new();
    let mut fixed: HashSet<&str> = HashSet::new();
    let mut constants: HashMap<&str, &TensorProto> = HashMap::new();
    for init in &graph.initializer {
        dims.insert(&init.name, init.dims.clone());
        fixed.insert(&init.name);
        constants.insert(&init.name, init);
    }
    for info in graph.input.iter().chain(&graph.value_info) {
        if let Some(shape) = info.r#type.as_ref().and_then(|t| t.tensor_type.as_ref()) {
            let known: Option<Vec<i64>> = shape
                .shape
                .as_ref()
                .map(|s| s.dim.iter().map(|d| d.dim_value.unwrap_or(-1)).collect());
            if let Some(known) = known {
                dims.entry(&info.name).or_insert(known);
            }
        }
    }
    let produced: HashMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .flat_map(|(i, n)| n.output.iter().map(move |o| (o.as_str(), i)))
        .collect();
    let graph_inputs: HashSet<&str> = graph.input.iter().map(|i| i.name.as_str()).collect();
    for node in nodes {
        for input in node.input.iter().filter(|i| !i.is_empty()) {
            let known = produced.contains_key(input.as_str())
                || graph_inputs.contains(input.as_str())
                || fixed.contains(input.as_str());
            if !known {
                return Err(OnnxError::node(
                    node,
                    format!("reads {input}, which no node, initializer or graph input provides"),
                ));
            }
        }
    }
    let order = topological(nodes, &produced)?;
    // Weights given as graph inputs (a model exported without parameters) are fixed too:
    // every graph input but the image is only read where a layer takes its weights.
    let image = image_name(graph, nodes, &fixed);
    for name in &graph_inputs {
        if Some(*name) != image {
            fixed.insert(name);
        }
    }
    for &i in &order {
        let node = &nodes[i];
        let all_fixed = node
            .input
            .iter()
            .all(|t| t.is_empty() || fixed.contains(t.as_str()));
        if SHAPE_OPS.contains(&node.op_type.as_str()) || all_fixed {
            for out in &node.output {
                fixed.insert(out);
            }
            // Ops that only reshape keep a constant's values: a ReduceMean's axes, a Clip's
            // bound, reshaped or cast on the way.
            if matches!(
                node.op_type.as_str(),
                "Reshape" | "Cast" | "Squeeze" | "Unsqueeze" | "Flatten"
            ) && let (Some(from), Some(to)) = (node.input.first(), node.output.first())
                && let Some(&c) = constants.get(from.as_str())
            {
                constants.insert(to, c);
            }
            // An Identity of a weight (the legacy exporter's shared zero biases) has its shape.
            if node.op_type == "Identity"
                && let (Some(from), Some(to)) = (node.input.first(), node.output.first())
            {
                if let Some(d) = dims.get(from.as_str()).cloned() {
                    dims.insert(to, d);
                }
                if let Some(&c) = constants.get(from.as_str()) {
                    constants.insert(to, c);
                }
            }
            if node.op_type == "Constant"
                && let (Some(out), Some(value)) = (
                    node.output.first(),
                    node.attribute
                        .iter()
                        .find(|a| a.name == "value")
                        .and_then(|a| a.t.as_ref()),
                )
            {
                constants.insert(out, value);
            }
        }
    }
    refuse_unsupported(nodes, &fixed)?;
    if !nodes.iter().any(|n| n.op_type == "Conv") {
        return Err(OnnxError::Graph(format!(
            "the graph has no Conv among its {} nodes: convtui reads convolutional networks",
            nodes.len()
        )));
    }
    let mut g = Graph {
        nodes,
        tensors: Tensors { dims, constants },
        fixed,
        readers: HashMap::new(),
        outputs: graph.output.iter().map(|o| o.name.as_str()).collect(),
    };
    let mut readers: HashMap<&str, Vec<usize>> = HashMap::new();
    for &i in &order {
        let node = &nodes[i];
        if g.fixed
            .contains(node.output.first().map_or("", String::as_str))
        {
            continue;
        }
        for t in g.flowing(node) {
            let list = readers.entry(t).or_default();
            if !list.contains(&i) {
                list.push(i);
            }
        }
    }
    g.readers = readers;
    refuse_shared_weights(&g, &order)?;
    Ok(g)
}

fn refuse_control_flow(nodes: &[NodeProto]) -> Result<(), OnnxError> {
    match nodes
        .iter()
        .find(|n| matches!(n.op_type.as_str(), "If" | "Loop" | "Scan"))
    {
        Some(node) => Err(OnnxError::node(
            node,
            "control flow: the block model has no branches taken at run time",
        )),
        None => Ok(()),
    }
}

/// Every unsupported operator that touches the image at once, by type, count and first node.
/// Nodes that only compute constants (a Reshape's target, a Pad's pads) are not layers.
fn refuse_unsupported(nodes: &[NodeProto], fixed: &HashSet<&str>) -> Result<(), OnnxError> {
    let mut found: Vec<(String, usize, &str)> = Vec::new();
    for node in nodes {
        let custom = !(node.domain.is_empty() || node.domain == "ai.onnx");
        let constant = node.output.iter().all(|o| fixed.contains(o.as_str()));
        let known = SUPPORTED.contains(&node.op_type.as_str()) || constant;
        if known && !custom {
            continue;
        }
        let op = if custom {
            format!("{}.{}", node.domain, node.op_type)
        } else {
            node.op_type.clone()
        };
        match found.iter_mut().find(|(o, _, _)| *o == op) {
            Some((_, n, _)) => *n += 1,
            None => found.push((op, 1, node_name(node))),
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = found
        .iter()
        .map(|(op, n, first)| format!("{op} ×{n} (first: {first})"))
        .collect();
    Err(OnnxError::Unsupported(list.join(", ")))
}

/// Nodes in an order where each comes after what it reads; a cycle is refused.
fn topological(
    nodes: &[NodeProto],
    produced: &HashMap<&str, usize>,
) -> Result<Vec<usize>, OnnxError> {
    let mut waiting: Vec<usize> = vec![0; nodes.len()];
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, node) in nodes.iter().enumerate() {
        for input in &node.input {
            if let Some(&p) = produced.get(input.as_str()) {
                waiting[i] += 1;
                after[p].push(i);
            }
        }
    }
    let mut ready: Vec<usize> = (0..nodes.len())
        .filter(|&i| waiting[i] == 0)
        .rev()
        .collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(i) = ready.pop() {
        order.push(i);
        for &j in after[i].iter().rev() {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.push(j);
            }
        }
    }
    match (0..nodes.len()).find(|&i| waiting[i] > 0) {
        None => {
            order.sort_unstable();
            Ok(order)
        }
        Some(i) => Err(OnnxError::node(
            &nodes[i],
            "is part of a cycle: its inputs depend on its own output",
        )),
    }
}

/// The graph input the layers read as their image, listed first among candidates.
fn image_name<'a>(
    graph: &'a GraphProto,
    nodes: &[NodeProto],
    fixed: &HashSet<&str>,
) -> Option<&'a str> {
    graph
        .input
        .iter()
        .map(|i| i.name.as_str())
        .filter(|name| !fixed.contains(name))
        .find(|name| {
            nodes.iter().any(|n| {
                !SHAPE_OPS.contains(&n.op_type.as_str())
                    && n.input.first().map(String::as_str) == Some(*name)
            })
        })
}

fn image_input<'a>(graph: &'a GraphProto, g: &Graph<'a>) -> Result<(&'a str, Shape), OnnxError> {
    let name = graph
        .input
        .iter()
        .map(|i| i.name.as_str())
        .find(|n| !g.is_fixed(n))
        .ok_or_else(|| {
            OnnxError::Graph("no graph input carries an image into the layers".into())
        })?;
    let dims = g.dims_of(name).unwrap_or(&[]);
    let [_, c, h, w] = dims[..] else {
        return Err(OnnxError::Tensor {
            tensor: name.into(),
            why: format!(
                "the input has rank {}; convtui reads N×C×H×W images",
                dims.len()
            ),
        });
    };
    let size = |v: i64, what: &str| {
        usize::try_from(v)
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| OnnxError::Tensor {
                tensor: name.into(),
                why: format!("its {what} is not a fixed size (give --input C,H,W)"),
            })
    };
    Ok((
        name,
        Shape::new(
            size(c, "channel count")?,
            size(h, "height")?,
            size(w, "width")?,
        ),
    ))
}

/// Two layers reading one weight tensor cannot be two layers of the block model.
fn refuse_shared_weights(g: &Graph, order: &[usize]) -> Result<(), OnnxError> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for &i in order {
        let node = &g.nodes[i];
        if !matches!(node.op_type.as_str(), "Conv" | "Gemm" | "MatMul") {
            continue;
        }
        let Some(weight) = node.input.get(1) else {
            continue;
        };
        if let Some(&first) = seen.get(weight.as_str()) {
            return Err(OnnxError::node(
                node,
                format!(
                    "shares its weights {weight} with {}: the block model gives each layer its own",
                    node_name(&g.nodes[first])
                ),
            ));
        }
        seen.insert(weight, i);
    }
    Ok(())
}

struct Walked<'a> {
    chain: Chain,
    end: &'a str,
    shape: Shape,
    /// The merge node (Concat or Add) this chain runs into, still to be joined.
    merge: Option<usize>,
}

struct Walker<'g, 'a> {
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
