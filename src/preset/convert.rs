//! Between the JSON block format and the model. Sizes are checked by analysis, which can name
//! the layer in context; here only what the model cannot hold is refused.

use crate::model::{
    Block, Chain, Concat, Conv, FullyConnected, Layer, LayerKind, Node, Pair, Pool, PoolKind,
    Residual, Shape,
};

use super::format::{
    BlockJson, ConcatJson, ConvJson, DropoutJson, FORMAT, FcJson, InputJson, NamedJson, NodeJson,
    PoolJson, ResidualJson, VERSION,
};
use super::pair_json::PairJson;

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
    Ok(Block {
        name: json.name,
        description: json.description,
        input: Shape::new(json.input.channels, json.input.height, json.input.width),
        body: chain_from_json(json.layers, "layers")?,
    })
}

fn chain_from_json(nodes: Vec<NodeJson>, at: &str) -> Result<Chain, String> {
    nodes
        .into_iter()
        .enumerate()
        .map(|(i, node)| node_from_json(node, &format!("{at}[{i}]")))
        .collect()
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
                padding: pair(conv.padding, Pair::square(0)),
                groups: conv.groups,
                bias: conv.bias,
            }),
            bypassed: conv.bypass,
        })),
        NodeJson::MaxPool(pool) => layer(pool.name.clone(), pool_kind(PoolKind::Max, pool)),
        NodeJson::AvgPool(pool) => layer(pool.name.clone(), pool_kind(PoolKind::Avg, pool)),
        NodeJson::GlobalAvgPool(n) => layer(n.name, LayerKind::GlobalAvgPool),
        NodeJson::Relu(n) => layer(n.name, LayerKind::Relu),
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
                return Err(format!("{at}: dropout p {} must be in [0, 1)", d.p));
            }
            let per_mille = per_mille as u16;
            layer(d.name, LayerKind::Dropout { per_mille })
        }
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
    }
}

fn pool_kind(kind: PoolKind, pool: PoolJson) -> LayerKind {
    LayerKind::Pool(Pool {
        kind,
        kernel: pool.kernel.0,
        stride: pool.stride.map_or(pool.kernel.0, |s| s.0),
        padding: pool.padding.map_or(Pair::square(0), |p| p.0),
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
            padding: some_pair(conv.padding),
            groups: conv.groups,
            bias: conv.bias,
            bypass: layer.bypassed,
        }),
        LayerKind::Pool(pool) => {
            let json = PoolJson {
                name,
                kernel: PairJson(pool.kernel),
                stride: some_pair(pool.stride),
                padding: some_pair(pool.padding),
                ceil_mode: pool.ceil_mode,
            };
            match pool.kind {
                PoolKind::Max => NodeJson::MaxPool(json),
                PoolKind::Avg => NodeJson::AvgPool(json),
            }
        }
        LayerKind::GlobalAvgPool => NodeJson::GlobalAvgPool(named()),
        LayerKind::Relu => NodeJson::Relu(named()),
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
