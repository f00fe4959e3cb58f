//! Random valid blocks, awkward layers included (1×k and k×1 kernels, stride above the kernel,
//! padding at or past half the kernel, ceil-mode and average pools, ReLU6, local response
//! normalisation of odd and even sizes, groups, depthwise, one
//! channel, 1×1 images, residuals with and without a shortcut, concats), on the engine and on
//! the reference, with every way of running a convolution: the outputs agree, and the engine
//! runs exactly the counted MACs.

use convtui::analysis::{Analysis, Summary};
use convtui::engine::graph::ConvPath;
use convtui::measure::whole::{Prepared, TOLERANCE, expected, verify_against};
use convtui::model::{
    Block, Chain, Concat, Conv, FullyConnected, Layer, LayerKind, Lrn, Node, Padding, Pair, Pool,
    PoolKind, Residual, Shape,
};
use proptest::prelude::*;

fn pair(max: usize) -> impl Strategy<Value = Pair> {
    (1..=max, 1..=max).prop_map(|(h, w)| Pair::new(h, w))
}

fn layer() -> impl Strategy<Value = Node> {
    let conv = (
        1usize..24,
        pair(5),
        pair(3),
        (0usize..4, 0usize..4),
        1usize..4,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(out, kernel, stride, (ph, pw), groups, depthwise, bias)| {
            LayerKind::Conv(Conv {
                out_channels: out,
                kernel,
                stride,
                padding: Padding::new(ph.min(kernel.h), pw.min(kernel.w)),
                dilation: Pair::square(1),
                // The rules accept only what divides; a group count that does not is kept
                // from fitting by the analysis, and the block is skipped.
                groups: if depthwise { 0 } else { groups },
                bias,
            })
        });
    let pool = (
        any::<bool>(),
        pair(3),
        pair(3),
        (0usize..2, 0usize..2),
        any::<bool>(),
    )
        .prop_map(|(max, kernel, stride, (ph, pw), ceil_mode)| {
            LayerKind::Pool(Pool {
                kind: if max { PoolKind::Max } else { PoolKind::Avg },
                kernel,
                stride,
                padding: Padding::new(ph.min(kernel.h / 2), pw.min(kernel.w / 2)),
                ceil_mode,
            })
        });
    // Constants large enough that a wrong window or exponent shows in the output.
    let lrn = (
        1usize..7,
        prop::sample::select(vec![1e-4, 0.5, 2.0]),
        prop::sample::select(vec![0.5, 0.75, 1.0]),
        prop::sample::select(vec![1.0, 2.0]),
    )
        .prop_map(|(size, alpha, beta, k)| {
            LayerKind::Lrn(Lrn {
                size,
                alpha,
                beta,
                k,
            })
        });
    prop_oneof![
        6 => conv,
        3 => Just(LayerKind::Relu),
        1 => Just(LayerKind::Relu6),
        1 => lrn,
        2 => Just(LayerKind::BatchNorm),
        2 => pool,
        1 => Just(LayerKind::Dropout { per_mille: 500 }),
        1 => Just(LayerKind::GlobalAvgPool),
    ]
    .prop_map(|kind| Node::Layer(Layer::new(kind)))
}

fn chain() -> impl Strategy<Value = Chain> {
    let node = layer().prop_recursive(2, 16, 3, |inner| {
        let chain = prop::collection::vec(inner, 0..3);
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
    prop::collection::vec(node, 1..6)
}

fn block() -> impl Strategy<Value = Block> {
    (1usize..16, 1usize..21, 1usize..21, chain(), any::<bool>()).prop_map(
        |(c, h, w, mut body, fc)| {
            if fc {
                body.push(Node::Layer(Layer::new(LayerKind::Flatten)));
                body.push(Node::Layer(Layer::new(LayerKind::FullyConnected(
                    FullyConnected {
                        out_features: 7,
                        bias: true,
                    },
                ))));
            }
            Block {
                name: "random".into(),
                description: String::new(),
                input: Shape::new(c, h, w),
                body,
            }
        },
    )
}

/// Depthwise convs are asked for as `groups: 0` and made here, once the input width is known.
fn with_depthwise(block: &mut Block) {
    let mut width = block.input.c;
    fix(&mut block.body, &mut width);
}

fn fix(chain: &mut Chain, width: &mut usize) {
    for node in chain {
        match node {
            Node::Layer(layer) => match &mut layer.kind {
                LayerKind::Conv(conv) => {
                    if conv.groups == 0 {
                        conv.groups = *width;
                        conv.out_channels = *width * conv.out_channels.min(2);
                    } else if !width.is_multiple_of(conv.groups)
                        || !conv.out_channels.is_multiple_of(conv.groups)
                    {
                        conv.groups = 1;
                    }
                    *width = conv.out_channels;
                }
                LayerKind::FullyConnected(fc) => *width = fc.out_features,
                _ => {}
            },
            // Widths inside composites vary per branch; keep their convs ungrouped.
            Node::Concat(c) => {
                let mut total = 0;
                for b in &mut c.branches {
                    let mut w = *width;
                    ungroup(b);
                    fix(b, &mut w);
                    total += w;
                }
                *width = total;
            }
            Node::Residual(r) => {
                ungroup(&mut r.body);
                let mut w = *width;
                fix(&mut r.body, &mut w);
                if let Some(s) = &mut r.shortcut {
                    ungroup(s);
                }
                *width = w;
            }
        }
    }
}

fn ungroup(chain: &mut Chain) {
    for node in chain {
        if let Node::Layer(layer) = node
            && let LayerKind::Conv(conv) = &mut layer.kind
        {
            conv.groups = 1;
        }
    }
}

fn check(block: &Block, analysis: &Analysis, what: &str) -> Result<(), TestCaseError> {
    let mut want = None;
    for (threads, path) in [
        (1, ConvPath::Auto),
        (2, ConvPath::Implicit),
        (2, ConvPath::Im2col),
        (2, ConvPath::Lanes),
        (2, ConvPath::Direct),
    ] {
        let mut prepared = Prepared::with_path(block, analysis, threads, path)
            .map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
        prop_assert_eq!(prepared.lowered.macs, analysis.totals.macs);
        let want = want.get_or_insert_with(|| expected(&mut prepared).expect("reference runs"));
        let v = verify_against(&mut prepared, want).expect("runs");
        prop_assert!(
            v.max_rel_error <= TOLERANCE,
            "{} on {} threads: {:?}",
            what,
            threads,
            v
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256,
        max_global_rejects: 100_000, ..ProptestConfig::default() })]

    #[test]
    fn random_blocks_match_the_reference(mut block in block()) {
        with_depthwise(&mut block);
        let Ok(summary) = Summary::of(&block) else {
            return Err(TestCaseError::reject("does not fit"));
        };
        check(&block, &summary.block, "block")?;
        if let Ok(counterpart) = &summary.counterpart {
            check(&block, counterpart, "counterpart")?;
        }
    }
}
