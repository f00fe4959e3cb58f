//! Between the JSON block format and the model. Sizes are checked by analysis, which can name
//! the layer in context; here only what the model cannot hold is refused.

use crate::model::{
    Block, Chain, Concat, Conv, FullyConnected, Layer, LayerKind, Lrn, MAX_NODES, Node, Padding,
    Pair, Pool, PoolKind, Residual, Shape, count_nodes, short_number,
};

use super::format::{BlockJson, FORMAT, InputJson, VERSION};
use super::kind_json::{AdaptiveJson, ConvJson, DropoutJson, FcJson, LrnJson, NamedJson, PoolJson};
use super::layer_json::{ConcatJson, NodeJson, RepeatJson, ResidualJson};
use super::pair_json::{PaddingJson, PairJson};

pub fn block_from_json(json: BlockJson) -> Result<Block, String> {
    if json.format != FORMAT {
        return Err(format!(
            "\"format\" is \"{}\", expected \"{FORMAT}\"",
            json.format
        ));
    }
    if json.version != VERSION {
        return Err(format!(
            "format version {} is not supported (this convtui reads version {VERSION})",
            json.version
        ));
    }
    let body = chain_from_json(json.layers, "layers")?;
    let rows = rows(&body);
    if rows > 2 * MAX_NODES {
        return Err(format!(
            "the block has {rows} rows (layers, concats, residuals and their branches), over \
             the limit of {}",
            2 * MAX_NODES
        ));
    }
    Ok(Block {
        name: json.name,
        description: json.description,
        input: Shape::new(json.input.channels, json.input.height, json.input.width),
        body,
    })
}

fn chain_from_json(nodes: Vec<NodeJson>, at: &str) -> Result<Chain, String> {
    let mut chain = Chain::with_capacity(nodes.len());
    for (i, node) in nodes.into_iter().enumerate() {
        let at = format!("{at}[{i}]");
        match node {
            NodeJson::Repeat(repeat) => chain.extend(repeat_from_json(repeat, &at)?),
            node => chain.push(node_from_json(node, &at)?),
        }
        // Checked as the chain grows, so nested repeats cannot build a huge block first.
        if chain.len() > MAX_NODES {
            return Err(too_many(&at));
        }
    }
    Ok(chain)
}

/// Every node and every chain of a composite: what the editor shows a row for.
fn rows(body: &Chain) -> usize {
    let mut rows = 0usize;
    let all = crate::model::visit(body, &mut |step| {
        use crate::model::Step;
        rows += usize::from(matches!(step, Step::Node { .. } | Step::OpenChain { .. }));
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(()) = all;
    rows
}

fn too_many(at: &str) -> String {
    format!("{at}: the block grows past {MAX_NODES} layers, concats and residuals")
}

/// `count` copies of the layers, `{i}` in each name replaced by the copy's index. The layers
/// are converted once, so a nested repeat has already used its own `{i}`.
fn repeat_from_json(repeat: RepeatJson, at: &str) -> Result<Chain, String> {
    if repeat.count == 0 {
        return Err(format!("{at}: repeat count must be at least 1"));
    }
    let once = chain_from_json(repeat.layers, &format!("{at}.layers"))?;
    let per_copy = count_nodes(&once);
    if per_copy.saturating_mul(repeat.count) > MAX_NODES {
        return Err(too_many(at));
    }
    let mut out = Chain::with_capacity(once.len() * repeat.count);
    for copy in 0..repeat.count {
        let index = repeat
            .start
            .checked_add(copy)
            .ok_or_else(|| format!("{at}: repeat start {} is too large", repeat.start))?
            .to_string();
        out.extend(once.iter().cloned().map(|mut node| {
            rename(&mut node, &index);
            node
        }));
    }
    Ok(out)
}

fn rename(node: &mut Node, index: &str) {
    let name = match node {
        Node::Layer(layer) => &mut layer.name,
        Node::Concat(concat) => &mut concat.name,
        Node::Residual(residual) => &mut residual.name,
    };
    if let Some(name) = name.as_mut().filter(|n| n.contains("{i}")) {
        *name = name.replace("{i}", index);
    }
    for step in 0..node.chain_count() {
        for inner in node.chain_mut(step).into_iter().flatten() {
            rename(inner, index);
        }
    }
}

fn node_from_json(node: NodeJson, at: &str) -> Result<Node, String> {
    let layer = |name: Option<String>, kind: LayerKind| {
        Ok(Node::Layer(Layer {
            name,
            kind,
            bypassed: false,
        }))
    };
    let pair = |p: Option<PairJson>, default: Pair| p.map_or(default, |p| p.0);
    match node {
        NodeJson::Conv(conv) => Ok(Node::Layer(Layer {
            name: conv.name,
            kind: LayerKind::Conv(Conv {
                out_channels: conv.out_channels,
                kernel: conv.kernel.0,
                stride: pair(conv.stride, Pair::square(1)),
                padding: padding(conv.padding),
                dilation: pair(conv.dilation, Pair::square(1)),
                groups: conv.groups,
                bias: conv.bias,
            }),
            bypassed: conv.bypass,
        })),
        NodeJson::MaxPool(pool) => layer(pool.name.clone(), pool_kind(PoolKind::Max, pool)),
        NodeJson::AvgPool(pool) => layer(pool.name.clone(), pool_kind(PoolKind::Avg, pool)),
        NodeJson::GlobalAvgPool(n) => layer(n.name, LayerKind::GlobalAvgPool),
        NodeJson::Relu(n) => layer(n.name, LayerKind::Relu),
        NodeJson::Relu6(n) => layer(n.name, LayerKind::Relu6),
        NodeJson::Lrn(lrn) => layer(
            lrn.name,
            LayerKind::Lrn(Lrn {
                size: lrn.size,
                alpha: lrn.alpha,
                beta: lrn.beta,
                k: lrn.k,
            }),
        ),
        NodeJson::AdaptiveAvgPool(a) => {
            layer(a.name, LayerKind::AdaptiveAvgPool { output: a.output.0 })
        }
        NodeJson::BatchNorm(n) => layer(n.name, LayerKind::BatchNorm),
        NodeJson::Flatten(n) => layer(n.name, LayerKind::Flatten),
        NodeJson::Fc(fc) => layer(
            fc.name,
            LayerKind::FullyConnected(FullyConnected {
                out_features: fc.out_features,
                bias: fc.bias,
            }),
        ),
        NodeJson::Dropout(d) => {
            // Kept in per mille: a p that rounds to 1000 would be saved as 1.0 and refused.
            let per_mille = (d.p * 1000.0).round();
            if !(0.0..1000.0).contains(&per_mille) {
                return Err(format!(
                    "{at}: dropout p {} must be in [0, 1)",
                    short_number(d.p)
                ));
            }
            let per_mille = per_mille as u16;
            layer(d.name, LayerKind::Dropout { per_mille })
        }
        // Branches count toward the limit too: a million empty ones is no block.
        NodeJson::Concat(c) if c.branches.len() > MAX_NODES => Err(format!(
            "{at}: a concat of {} branches, over the limit of {MAX_NODES}",
            c.branches.len()
        )),
        NodeJson::Concat(c) => Ok(Node::Concat(Concat {
            name: c.name,
            branches: c
                .branches
                .into_iter()
                .enumerate()
                .map(|(b, branch)| chain_from_json(branch, &format!("{at}.branches[{b}]")))
                .collect::<Result<_, _>>()?,
        })),
        NodeJson::Residual(r) => Ok(Node::Residual(Residual {
            name: r.name,
            body: chain_from_json(r.body, &format!("{at}.body"))?,
            shortcut: r
                .shortcut
                .map(|s| chain_from_json(s, &format!("{at}.shortcut")))
                .transpose()?,
        })),
        // chain_from_json expands repeats before they get here.
        NodeJson::Repeat(_) => Err(format!("{at}: a repeat must stand in a list of layers")),
    }
}

fn padding(p: Option<PaddingJson>) -> Padding {
    p.map_or(Padding::square(0), |p| p.0)
}

fn pool_kind(kind: PoolKind, pool: PoolJson) -> LayerKind {
    LayerKind::Pool(Pool {
        kind,
        kernel: pool.kernel.0,
        stride: pool.stride.map_or(pool.kernel.0, |s| s.0),
        padding: padding(pool.padding),
        ceil_mode: pool.ceil_mode,
    })
}

pub fn block_to_json(block: &Block) -> BlockJson {
    BlockJson {
        format: FORMAT.to_string(),
        version: VERSION,
        name: block.name.clone(),
        description: block.description.clone(),
        input: InputJson {
            channels: block.input.c,
            height: block.input.h,
            width: block.input.w,
        },
        layers: chain_to_json(&block.body),
    }
}

fn chain_to_json(chain: &Chain) -> Vec<NodeJson> {
    chain.iter().map(node_to_json).collect()
}

fn node_to_json(node: &Node) -> NodeJson {
    match node {
        Node::Layer(layer) => layer_to_json(layer),
        Node::Concat(c) => NodeJson::Concat(ConcatJson {
            name: c.name.clone(),
            branches: c.branches.iter().map(chain_to_json).collect(),
        }),
        Node::Residual(r) => NodeJson::Residual(ResidualJson {
            name: r.name.clone(),
            body: chain_to_json(&r.body),
            shortcut: r.shortcut.as_ref().map(chain_to_json),
        }),
    }
}

fn layer_to_json(layer: &Layer) -> NodeJson {
    let name = layer.name.clone();
    let named = || NamedJson { name: name.clone() };
    let some_pair = |p: Pair| Some(PairJson(p));
    match &layer.kind {
        LayerKind::Conv(conv) => NodeJson::Conv(ConvJson {
            name,
            out_channels: conv.out_channels,
            kernel: PairJson(conv.kernel),
            stride: some_pair(conv.stride),
            padding: Some(PaddingJson(conv.padding)),
            dilation: some_pair(conv.dilation),
            groups: conv.groups,
            bias: conv.bias,
            bypass: layer.bypassed,
        }),
        LayerKind::Pool(pool) => {
            let json = PoolJson {
                name,
                kernel: PairJson(pool.kernel),
                stride: some_pair(pool.stride),
                padding: Some(PaddingJson(pool.padding)),
                ceil_mode: pool.ceil_mode,
            };
            match pool.kind {
                PoolKind::Max => NodeJson::MaxPool(json),
                PoolKind::Avg => NodeJson::AvgPool(json),
            }
        }
        LayerKind::GlobalAvgPool => NodeJson::GlobalAvgPool(named()),
        LayerKind::Relu => NodeJson::Relu(named()),
        LayerKind::Relu6 => NodeJson::Relu6(named()),
        LayerKind::Lrn(lrn) => NodeJson::Lrn(LrnJson {
            name,
            size: lrn.size,
            alpha: lrn.alpha,
            beta: lrn.beta,
            k: lrn.k,
        }),
        LayerKind::AdaptiveAvgPool { output } => NodeJson::AdaptiveAvgPool(AdaptiveJson {
            name,
            output: PairJson(*output),
        }),
        LayerKind::BatchNorm => NodeJson::BatchNorm(named()),
        LayerKind::Flatten => NodeJson::Flatten(named()),
        LayerKind::FullyConnected(fc) => NodeJson::Fc(FcJson {
            name,
            out_features: fc.out_features,
            bias: fc.bias,
        }),
        LayerKind::Dropout { per_mille } => NodeJson::Dropout(DropoutJson {
            name,
            p: f64::from(*per_mille) / 1000.0,
        }),
    }
}

#[cfg(test)]
#[path = "convert_tests.rs"]
mod tests;
