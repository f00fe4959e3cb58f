//! Walks a block with a plan applied and produces one row per layer and per group, with shapes
//! and counts, or the first error, naming where it is.

use crate::model::{
    Block, Chain, Layer, LayerKind, MAX_NESTING, MAX_NODES, Node, NodePath, Pair, Shape, walk,
};

use super::error::ShapeError;
use super::layer_figures::{check_input, evaluate};
use super::pointwise::{Dropped, Plan};
use super::rows::{GroupPart, GroupRow, LayerRow, Row};

/// How deep a chain is, each count taken on its own deepest path (across branches the two may
/// come from different paths).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Depth {
    /// The most activations (ReLUs) on any path: the non-linearities the seed says 1×1 convs add.
    pub nonlinear: usize,
    /// The most convolutions and fully connected layers on any path.
    pub weighted: usize,
}

impl Depth {
    fn max(self, other: Depth) -> Depth {
        Depth {
            nonlinear: self.nonlinear.max(other.nonlinear),
            weighted: self.weighted.max(other.weighted),
        }
    }
}

pub struct Inferred {
    pub rows: Vec<Row>,
    pub output: Shape,
    pub depth: Depth,
}

pub fn infer(block: &Block, plan: &Plan) -> Result<Inferred, ShapeError> {
    if let Err(message) = check_input(block.input) {
        return Err(ShapeError::of_block(block, "input", message));
    }
    let nodes = walk(&block.body).len();
    if nodes > MAX_NODES {
        return Err(ShapeError::of_block(
            block,
            &format!("{nodes} layers"),
            format!("more than {MAX_NODES} layers, the most convtui analyses"),
        ));
    }
    let mut walker = Walker {
        plan,
        rows: Vec::new(),
    };
    let (output, depth) = walker.chain(&block.body, &[], 0, block.input)?;
    Ok(Inferred {
        rows: walker.rows,
        output,
        depth,
    })
}

struct Walker<'a> {
    plan: &'a Plan,
    rows: Vec<Row>,
}

impl Walker<'_> {
    fn chain(
        &mut self,
        chain: &Chain,
        prefix: &[usize],
        depth: usize,
        input: Shape,
    ) -> Result<(Shape, Depth), ShapeError> {
        let mut shape = input;
        let mut total = Depth::default();
        for (index, node) in chain.iter().enumerate() {
            let mut steps = prefix.to_vec();
            steps.push(index);
            let path = NodePath(steps);
            let (output, node_depth) = self.node(node, &path, depth, shape)?;
            shape = output;
            total.nonlinear += node_depth.nonlinear;
            total.weighted += node_depth.weighted;
        }
        Ok((shape, total))
    }

    fn node(
        &mut self,
        node: &Node,
        path: &NodePath,
        depth: usize,
        input: Shape,
    ) -> Result<(Shape, Depth), ShapeError> {
        if node.is_composite() && path.nesting() >= MAX_NESTING {
            return Err(ShapeError::new(
                path,
                node,
                format!("more than {MAX_NESTING} concats or residuals inside each other"),
            ));
        }
        match node {
            Node::Layer(layer) => {
                let row = self.layer(layer, path, depth, input)?;
                let active = row.dropped.is_none();
                let node_depth = Depth {
                    nonlinear: usize::from(active && matches!(layer.kind, LayerKind::Relu)),
                    weighted: usize::from(
                        active
                            && matches!(
                                layer.kind,
                                LayerKind::Conv(_) | LayerKind::FullyConnected(_)
                            ),
                    ),
                };
                let output = row.output;
                self.rows.push(Row::Layer(row));
                Ok((output, node_depth))
            }
            Node::Concat(concat) => {
                if concat.branches.is_empty() {
                    return Err(ShapeError::new(
                        path,
                        node,
                        "a concat needs at least one branch",
                    ));
                }
                let header = self.open_group(path, depth, input, GroupPart::Concat);
                self.name_group(header, concat.name.clone());
                let mut outputs = Vec::new();
                let mut deepest = Depth::default();
                for (step, branch) in concat.branches.iter().enumerate() {
                    let (out, d) =
                        self.branch(branch, path, step, depth, input, GroupPart::Branch(step))?;
                    outputs.push(out);
                    deepest = deepest.max(d);
                }
                let first = outputs[0];
                if let Some((step, odd)) = outputs
                    .iter()
                    .enumerate()
                    .find(|(_, o)| (o.h, o.w) != (first.h, first.w))
                {
                    return Err(ShapeError::new(
                        path,
                        node,
                        format!(
                            "branch {} gives {}×{} but branch {} gives {}×{}: concatenated \
                             branches must agree in height and width",
                            step + 1,
                            odd.h,
                            odd.w,
                            1,
                            first.h,
                            first.w
                        ),
                    ));
                }
                let channels = outputs
                    .iter()
                    .try_fold(0usize, |sum, o| sum.checked_add(o.c))
                    .filter(|&c| c <= super::layer_figures::MAX_CHANNELS)
                    .ok_or_else(|| ShapeError::new(path, node, "too many output channels"))?;
                let output = Shape::new(channels, first.h, first.w);
                self.close_group(header, output);
                Ok((output, deepest))
            }
            Node::Residual(residual) => {
                let header = self.open_group(path, depth, input, GroupPart::Residual);
                self.name_group(header, residual.name.clone());
                let (body_out, body_depth) =
                    self.branch(&residual.body, path, 0, depth, input, GroupPart::Body)?;
                let (short_out, short_depth) = match &residual.shortcut {
                    Some(shortcut) => {
                        self.branch(shortcut, path, 1, depth, input, GroupPart::Shortcut)?
                    }
                    None => {
                        let row = self.open_group(path, depth + 1, input, GroupPart::Identity);
                        self.close_group(row, input);
                        (input, Depth::default())
                    }
                };
                if body_out != short_out {
                    return Err(ShapeError::new(
                        path,
                        node,
                        format!(
                            "the body gives {body_out} but the shortcut gives {short_out}: \
                             a residual adds them, so they must match"
                        ),
                    ));
                }
                self.close_group(header, body_out);
                Ok((body_out, body_depth.max(short_depth)))
            }
        }
    }

    fn branch(
        &mut self,
        chain: &Chain,
        path: &NodePath,
        step: usize,
        depth: usize,
        input: Shape,
        part: GroupPart,
    ) -> Result<(Shape, Depth), ShapeError> {
        let row = self.open_group(path, depth + 1, input, part);
        let mut prefix = path.0.clone();
        prefix.push(step);
        let result = self.chain(chain, &prefix, depth + 2, input)?;
        self.close_group(row, result.0);
        Ok(result)
    }

    fn open_group(
        &mut self,
        path: &NodePath,
        depth: usize,
        input: Shape,
        part: GroupPart,
    ) -> usize {
        self.rows.push(Row::Group(GroupRow {
            path: path.clone(),
            depth,
            part,
            name: None,
            input,
            output: input,
        }));
        self.rows.len() - 1
    }

    fn name_group(&mut self, index: usize, name: Option<String>) {
        if let Some(Row::Group(group)) = self.rows.get_mut(index) {
            group.name = name;
        }
    }

    fn close_group(&mut self, index: usize, output: Shape) {
        if let Some(Row::Group(group)) = self.rows.get_mut(index) {
            group.output = output;
        }
    }

    fn layer(
        &self,
        layer: &Layer,
        path: &NodePath,
        depth: usize,
        input: Shape,
    ) -> Result<LayerRow, ShapeError> {
        let dropped: Option<Dropped> = self.plan.dropped.get(path).cloned();
        let mut kind = layer.kind.clone();
        let adjustment = self.plan.adjusted.get(path);
        let scale = |stride: Pair, factor: Pair| {
            Pair::new(
                stride.h.saturating_mul(factor.h),
                stride.w.saturating_mul(factor.w),
            )
        };
        match (adjustment, &mut kind) {
            (Some(adjust), LayerKind::Conv(conv)) => {
                if let Some(out) = adjust.out_channels {
                    conv.out_channels = out;
                }
                conv.stride = scale(conv.stride, adjust.stride_factor);
            }
            (Some(adjust), LayerKind::Pool(pool)) => {
                pool.stride = scale(pool.stride, adjust.stride_factor);
            }
            _ => {}
        }
        let mut row = LayerRow {
            path: path.clone(),
            depth,
            name: layer.name.clone(),
            kind,
            input,
            output: input,
            weights: 0,
            biases: 0,
            macs: 0,
            activations: 0,
            dropped,
            adjusted: adjustment.is_some(),
        };
        if row.dropped.is_some() {
            return Ok(row);
        }
        let node = Node::Layer(layer.clone());
        let figures = evaluate(&row.kind, input).map_err(|m| ShapeError::new(path, &node, m))?;
        row.output = figures.output;
        row.weights = figures.weights;
        row.biases = figures.biases;
        row.macs = figures.macs;
        row.activations = figures
            .output
            .elements()
            .ok_or_else(|| ShapeError::new(path, &node, "activation size overflows 64 bits"))?;
        Ok(row)
    }
}
