//! Indexing a graph before it is walked: which tensors are fixed (weights, constants, shapes),
//! their shapes and values, who reads each image tensor; and refusing at once what cannot be
//! read at all (control flow, unsupported operators, cycles, dangling inputs, shared weights).

use std::collections::{HashMap, HashSet};

use crate::model::Shape;

use super::error::OnnxError;
use super::graph::{Graph, SHAPE_OPS, SUPPORTED, node_name};
use super::proto::{GraphProto, NodeProto, TensorProto};
use super::tensors::Tensors;

/// Producers, readers, constants and shapes, after refusing what cannot be read at all.
pub fn index(graph: &GraphProto) -> Result<Graph<'_>, OnnxError> {
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

pub fn image_input<'a>(
    graph: &'a GraphProto,
    g: &Graph<'a>,
) -> Result<(&'a str, Shape), OnnxError> {
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
