//! Properties of shape inference over random blocks: it never panics, concat sums channels,
//! pointwise convolutions keep height and width, and the counterpart never has more 1×1 convs.

use convtui::analysis::{Analysis, Scope, Summary};
use convtui::model::{
    Block, Chain, Concat, Conv, Layer, LayerKind, Lrn, Node, Padding, Pair, Pool, PoolKind,
    Residual, Shape,
};
use proptest::prelude::*;

/// Mostly the layers real blocks are made of (same-padded k×k and 1×1 convs, ReLU, BN, pools),
/// so that the counterpart rules find work; sometimes anything at all, zeros included.
fn layer() -> impl Strategy<Value = Node> {
    let any_pair = || (0usize..6, 0usize..6).prop_map(|(h, w)| Pair::new(h, w));
    let any_padding = || (any_pair(), any_pair()).prop_map(|(begin, end)| Padding { begin, end });
    let any_conv = (
        0usize..80,
        any_pair(),
        any_pair(),
        any_padding(),
        any_pair(),
        0usize..5,
        any::<bool>(),
    )
        .prop_map(|(out, kernel, stride, padding, dilation, groups, bias)| {
            LayerKind::Conv(Conv {
                out_channels: out,
                kernel,
                stride,
                padding,
                dilation,
                groups,
                bias,
            })
        });
    let any_pool = (any_pair(), any_pair(), any_padding(), any::<bool>()).prop_map(
        |(kernel, stride, padding, ceil_mode)| {
            LayerKind::Pool(Pool {
                kind: PoolKind::Max,
                kernel,
                stride,
                padding,
                ceil_mode,
            })
        },
    );
    let any_adaptive = any_pair().prop_map(|output| LayerKind::AdaptiveAvgPool { output });
    let lrn = (0usize..7).prop_map(|size| {
        LayerKind::Lrn(Lrn {
            size,
            alpha: 1e-4,
            beta: 0.75,
            k: 1.0,
        })
    });
    let odd = prop_oneof![
        any_conv,
        any_pool,
        any_adaptive,
        lrn,
        Just(LayerKind::Relu6),
        Just(LayerKind::GlobalAvgPool)
    ]
    .prop_map(|kind| Node::Layer(Layer::new(kind)));
    prop_oneof![6 => natural_layer(), 3 => odd]
}

fn pool(kernel: usize, stride: usize, padding: usize, ceil_mode: bool) -> LayerKind {
    LayerKind::Pool(Pool {
        kind: PoolKind::Max,
        kernel: Pair::square(kernel),
        stride: Pair::square(stride),
        padding: Padding::square(padding),
        ceil_mode,
    })
}

/// Same-padded k×k and 1×1 convs (now and then strided), ReLU, BN and pools: chains of these
/// nearly always fit, and give the counterpart rules plenty to drop.
fn natural_layer() -> impl Strategy<Value = Node> {
    let conv = (
        1usize..64,
        prop_oneof![Just(1usize), Just(1), Just(3), Just(5)],
        prop_oneof![6 => Just(1usize), 1 => Just(2)],
    )
        .prop_map(|(out, k, stride)| {
            let mut conv = Conv::new(out, k);
            conv.stride = Pair::square(stride);
            LayerKind::Conv(conv)
        });
    prop_oneof![
        8 => conv,
        4 => Just(LayerKind::Relu),
        2 => Just(LayerKind::BatchNorm),
        1 => Just(pool(3, 1, 1, false)),
        1 => Just(pool(2, 2, 0, true)),
    ]
    .prop_map(|kind| Node::Layer(Layer::new(kind)))
}

/// A chain of natural layers, or a concat of such chains, on an image big enough for them.
fn natural_block() -> impl Strategy<Value = Block> {
    let chain = || prop::collection::vec(natural_layer(), 1..10);
    let body = prop_oneof![
        chain(),
        (chain(), prop::collection::vec(chain(), 1..4)).prop_map(|(mut stem, branches)| {
            stem.push(Node::Concat(Concat {
                name: None,
                branches,
            }));
            stem
        }),
    ];
    (1usize..70, 8usize..40, 8usize..40, body).prop_map(|(c, h, w, body)| Block {
        name: "natural".into(),
        description: String::new(),
        input: Shape::new(c, h, w),
        body,
    })
}

fn chain() -> impl Strategy<Value = Chain> {
    let node = layer().prop_recursive(2, 24, 4, |inner| {
        let chain = prop::collection::vec(inner, 0..4);
        prop_oneof![
            prop::collection::vec(chain.clone(), 1..4).prop_map(|branches| Node::Concat(Concat {
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
    (
        prop_oneof![9 => 1usize..70, 1 => Just(0usize)],
        1usize..40,
        1usize..40,
        chain(),
    )
        .prop_map(|(c, h, w, body)| Block {
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

    #[test]
    fn the_counterpart_keeps_the_blocks_height_and_width(block in natural_block()) {
        if let Ok(summary) = Summary::of(&block)
            && let Ok(counterpart) = &summary.counterpart
        {
            let (a, b) = (summary.block.totals.output, counterpart.totals.output);
            prop_assert_eq!((a.h, a.w), (b.h, b.w));
        }
    }
}

#[test]
fn natural_blocks_fit_and_give_the_rules_work() {
    // Guards the generator itself: a property over blocks that never fit, or never drop a
    // 1×1, would pass without checking anything.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut fit, mut dropping) = (0, 0);
    for _ in 0..500 {
        let block = natural_block().new_tree(&mut runner).unwrap().current();
        if let Ok(summary) = Summary::of(&block) {
            fit += 1;
            dropping += usize::from(
                summary
                    .counterpart
                    .is_ok_and(|c| !c.plan.dropped.is_empty()),
            );
        }
    }
    assert!(fit > 250, "only {fit} of 500 fit");
    assert!(dropping > 100, "only {dropping} of 500 drop a 1×1");
}
