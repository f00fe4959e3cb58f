//! Walks a block (through `model::visit`) with a plan applied and produces one row per layer and per group, with shapes
//! and counts, or the first error, naming where it is.

use crate::model::{
    Block, Layer, LayerKind, MAX_CHANNELS, MAX_NESTING, MAX_NODES, Node, NodePath, Pair, Part,
    Shape, Step, count_nodes, visit,
};

use super::error::ShapeError;
use super::layer_counts::{check_input, evaluate};
use super::plan::{Dropped, Plan};
use super::rows::{GroupRow, LayerRow, Row};

/// How deep a chain is, each count taken on its own deepest path (across branches the two may
/// come from different paths).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Depth {
    /// The most activations (ReLUs) on any path: the non-linearities a 1×1 conv with its ReLU adds.
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

    /// This depth followed by `next` along one path.
    fn plus(self, next: Depth) -> Depth {
        Depth {
            nonlinear: self.nonlinear + next.nonlinear,
            weighted: self.weighted + next.weighted,
        }
    }
}

pub struct Inferred {
    pub rows: Vec<Row>,
    pub output: Shape,
    pub depth: Depth,
}

pub fn infer(block: &Block, plan: &Plan) -> Result<Inferred, ShapeError> {
    let (mut walker, walked) = walk(block, plan);
    walked?;
    let root = walker.chains.pop().unwrap_or(ChainState {
        shape: block.input,
        depth: Depth::default(),
        row: None,
    });
    Ok(Inferred {
        rows: walker.rows,
        output: root.shape,
        depth: root.depth,
    })
}

/// The layer rows walked before the block's first fault (all of them when it fits): the shapes
/// a block that does not fit can still show. Group rows are left out, since a concat or residual
/// that was still open at the fault has no output yet.
pub fn layers_before_fault(block: &Block, plan: &Plan) -> Vec<Row> {
    let (walker, _) = walk(block, plan);
    walker
        .rows
        .into_iter()
        .filter(|row| matches!(row, Row::Layer(_)))
        .collect()
}

/// Walks the block as far as it fits: the walker with the rows so far, and the first fault.
fn walk<'a>(block: &Block, plan: &'a Plan) -> (Walker<'a>, Result<(), ShapeError>) {
    let mut walker = Walker {
        plan,
        rows: Vec::new(),
        chains: vec![ChainState {
            shape: block.input,
            depth: Depth::default(),
            row: None,
        }],
        composites: Vec::new(),
    };
    if let Err(message) = check_input(block.input) {
        return (walker, Err(ShapeError::of_block(block, "input", message)));
    }
    let nodes = count_nodes(&block.body);
    if nodes > MAX_NODES {
        let error = ShapeError::of_block(
            block,
            &format!("{nodes} layers"),
            format!("more than {MAX_NODES} layers, the most convtui analyses"),
        );
        return (walker, Err(error));
    }
    let walked = visit(&block.body, &mut |step| walker.step(step));
    (walker, walked)
}

/// A chain being walked: the shape flowing through it so far and its depth.
struct ChainState {
    shape: Shape,
    depth: Depth,
    /// Its group row (none for the block's body).
    row: Option<usize>,
}

/// A concat or residual being walked: what its chains read and what they gave.
struct CompositeState {
    row: usize,
    input: Shape,
    outputs: Vec<Shape>,
    deepest: Depth,
}

struct Walker<'a> {
    plan: &'a Plan,
    rows: Vec<Row>,
    /// The chains enclosing the walk's position, the block's body first.
    chains: Vec<ChainState>,
    composites: Vec<CompositeState>,
}

impl Walker<'_> {
    fn here(&mut self) -> &mut ChainState {
        // The body's state is pushed before the walk and popped after it.
        let last = self.chains.len() - 1;
        &mut self.chains[last]
    }

    fn step(&mut self, step: Step<'_, '_>) -> Result<(), ShapeError> {
        match step {
            Step::Node { path, node, depth } => self.node(path, node, depth),
            Step::OpenChain {
                owner, part, depth, ..
            } => {
                let input = self.composites.last().map_or(Shape::default(), |c| c.input);
                let row = self.open_group(owner, depth, input, part);
                self.chains.push(ChainState {
                    shape: input,
                    depth: Depth::default(),
                    row: Some(row),
                });
                Ok(())
            }
            Step::CloseChain { .. } => {
                let Some(chain) = self.chains.pop() else {
                    return Ok(());
                };
                if let Some(row) = chain.row {
                    self.close_group(row, chain.shape);
                }
                if let Some(composite) = self.composites.last_mut() {
                    composite.outputs.push(chain.shape);
                    composite.deepest = composite.deepest.max(chain.depth);
                }
                Ok(())
            }
            Step::Close { path, node } => {
                let Some(composite) = self.composites.pop() else {
                    return Ok(());
                };
                let output = combine(path, node, &composite.outputs)?;
                self.close_group(composite.row, output);
                let here = self.here();
                here.shape = output;
                here.depth = here.depth.plus(composite.deepest);
                Ok(())
            }
        }
    }

    fn node(&mut self, path: &NodePath, node: &Node, depth: usize) -> Result<(), ShapeError> {
        if node.is_composite() && path.nesting() >= MAX_NESTING {
            return Err(ShapeError::new(
                path,
                node,
                format!("more than {MAX_NESTING} concats or residuals inside each other"),
            ));
        }
        let input = self.here().shape;
        match node {
            Node::Layer(layer) => {
                let row = self.layer(layer, path, depth, input)?;
                let active = row.dropped.is_none();
                let node_depth = Depth {
                    nonlinear: usize::from(active && layer.kind.is_activation()),
                    weighted: usize::from(
                        active
                            && matches!(
                                layer.kind,
                                LayerKind::Conv(_) | LayerKind::FullyConnected(_)
                            ),
                    ),
                };
                let here = self.here();
                here.shape = row.output;
                here.depth = here.depth.plus(node_depth);
                self.rows.push(Row::Layer(row));
                Ok(())
            }
            Node::Concat(concat) if concat.branches.is_empty() => Err(ShapeError::new(
                path,
                node,
                "a concat needs at least one branch",
            )),
            Node::Concat(_) | Node::Residual(_) => {
                let part = Part::header_of(node).unwrap_or(Part::Concat);
                let row = self.open_group(path, depth, input, part);
                self.name_group(row, node.name().map(str::to_string));
                self.composites.push(CompositeState {
                    row,
                    input,
                    outputs: Vec::new(),
                    deepest: Depth::default(),
                });
                Ok(())
            }
        }
    }

    fn open_group(&mut self, path: &NodePath, depth: usize, input: Shape, part: Part) -> usize {
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
        let counts = evaluate(&row.kind, input).map_err(|m| ShapeError::new(path, &node, m))?;
        row.output = counts.output;
        row.weights = counts.weights;
        row.biases = counts.biases;
        row.macs = counts.macs;
        row.activations = counts
            .output
            .elements()
            .ok_or_else(|| ShapeError::new(path, &node, "activation size overflows 64 bits"))?;
        Ok(row)
    }
}

/// What a concat or residual gives from what its chains gave: the concatenation along channels
/// (heights and widths must agree), or the sum (the shapes must match).
fn combine(path: &NodePath, node: &Node, outputs: &[Shape]) -> Result<Shape, ShapeError> {
    let Some(&first) = outputs.first() else {
        return Err(ShapeError::new(
            path,
            node,
            "a concat needs at least one branch",
        ));
    };
    match node {
        Node::Residual(_) => {
            let (body_out, short_out) = (first, outputs.get(1).copied().unwrap_or(first));
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
            Ok(body_out)
        }
        _ => {
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
                .filter(|&c| c <= MAX_CHANNELS)
                .ok_or_else(|| ShapeError::new(path, node, "too many output channels"))?;
            Ok(Shape::new(channels, first.h, first.w))
        }
    }
}
