//! Properties of shape inference over random blocks: it never panics, concat sums channels,
//! pointwise convolutions keep height and width, and the counterpart never has more 1×1 convs.

use convtui::analysis::{Analysis, Scope, Summary};
use convtui::model::{
    Block, Chain, Concat, Conv, Layer, LayerKind, Node, Pair, Pool, PoolKind, Residual, Shape,
};
use proptest::prelude::*;

fn layer() -> impl Strategy<Value = Node> {
    let pair = || (0usize..6, 0usize..6).prop_map(|(h, w)| Pair::new(h, w));
    prop_oneof![
        (0usize..80, pair(), pair(), pair(), 0usize..5, any::<bool>()).prop_map(
            |(out, kernel, stride, padding, groups, bias)| LayerKind::Conv(Conv {
                out_channels: out,
                kernel,
                stride,
                padding,
                groups,
                bias,
            })
        ),
        (1usize..80).prop_map(|out| LayerKind::Conv(Conv::new(out, 1))),
        (pair(), pair(), pair(), any::<bool>()).prop_map(|(kernel, stride, padding, ceil)| {
            LayerKind::Pool(Pool {
                kind: PoolKind::Max,
                kernel,
                stride,
                padding,
                ceil_mode: ceil,
            })
        }),
        Just(LayerKind::Relu),
        Just(LayerKind::BatchNorm),
        Just(LayerKind::GlobalAvgPool),
    ]
    .prop_map(|kind| Node::Layer(Layer::new(kind)))
}

fn chain() -> impl Strategy<Value = Chain> {
    let node = layer().prop_recursive(2, 24, 4, |inner| {
        let chain = prop::collection::vec(inner, 0..4);
        prop_oneof![
            prop::collection::vec(chain.clone(), 0..4).prop_map(|branches| Node::Concat(Concat {
                name: None,
                branches
            })),
            (chain.clone(), prop::option::of(chain)).prop_map(|(body, shortcut)| {
                Node::Residual(Residual {
                    name: None,
                    body,
                    shortcut,
                })
            }),
        ]
    });
    prop::collection::vec(node, 0..8)
}

fn block() -> impl Strategy<Value = Block> {
    (0usize..70, 0usize..40, 0usize..40, chain()).prop_map(|(c, h, w, body)| Block {
        name: "random".into(),
        description: String::new(),
        input: Shape::new(c, h, w),
        body,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn inference_never_panics_and_totals_are_sums(block in block()) {
        if let Ok(summary) = Summary::of(&block) {
            let t = &summary.block.totals;
            let rows: Vec<_> = summary.block.rows.iter().filter_map(|r| r.as_layer()).collect();
            prop_assert_eq!(t.macs, rows.iter().map(|r| r.macs).sum::<u64>());
            prop_assert_eq!(t.params(), rows.iter().map(|r| r.params()).sum::<u64>());
            if let Ok(counterpart) = &summary.counterpart {
                prop_assert!(counterpart.totals.pointwise_convs <= t.pointwise_convs);
            }
        }
    }

    #[test]
    fn concat_sums_its_branches_channels(
        widths in prop::collection::vec(1usize..100, 1..5),
        c in 1usize..64,
        hw in 1usize..32,
    ) {
        let branches = widths
            .iter()
            .map(|&w| vec![Node::Layer(Layer::new(LayerKind::Conv(Conv::new(w, 3))))])
            .collect();
        let block = Block {
            name: "concat".into(),
            description: String::new(),
            input: Shape::new(c, hw.max(3), hw.max(3)),
            body: vec![Node::Concat(Concat { name: None, branches })],
        };
        let analysis = Analysis::of(&block, Scope::Bypassed).unwrap();
        prop_assert_eq!(analysis.totals.output.c, widths.iter().sum::<usize>());
    }

    #[test]
    fn pointwise_conv_keeps_height_and_width(
        c in 1usize..512, out in 1usize..512, h in 1usize..200, w in 1usize..200,
    ) {
        let block = Block {
            name: "pw".into(),
            description: String::new(),
            input: Shape::new(c, h, w),
            body: vec![Node::Layer(Layer::new(LayerKind::Conv(Conv::new(out, 1))))],
        };
        let analysis = Analysis::of(&block, Scope::Bypassed).unwrap();
        prop_assert_eq!(analysis.totals.output, Shape::new(out, h, w));
        prop_assert_eq!(analysis.totals.macs, (c * out * h * w) as u64);
    }
}
