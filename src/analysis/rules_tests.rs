//! The counterpart rules on small hand-made chains, one rule at a time.

use super::*;
use crate::analysis::{Adjustment, Analysis};
use crate::model::{Concat, Conv, Layer, LayerKind, Padding, Pool, PoolKind, Residual, Shape};

fn conv(name: &str, out: usize, k: usize) -> Node {
    Node::Layer(Layer::named(name, LayerKind::Conv(Conv::new(out, k))))
}

fn relu() -> Node {
    Node::Layer(Layer::new(LayerKind::Relu))
}

fn bn() -> Node {
    Node::Layer(Layer::new(LayerKind::BatchNorm))
}

fn max_pool() -> Node {
    Node::Layer(Layer::named(
        "pool",
        LayerKind::Pool(Pool {
            kind: PoolKind::Max,
            kernel: Pair::square(3),
            stride: Pair::square(1),
            padding: Padding::square(1),
            ceil_mode: false,
        }),
    ))
}

fn block(input: Shape, body: Chain) -> Block {
    Block {
        name: "t".into(),
        description: String::new(),
        input,
        body,
    }
}

fn roles(plan: &Plan) -> Vec<(String, Role)> {
    plan.dropped_convs()
        .map(|(path, role)| (path.to_string(), role))
        .collect()
}

#[test]
fn reduce_drops_the_1x1_and_its_relu_and_the_kxk_reads_the_input() {
    let b = block(
        Shape::new(192, 28, 28),
        vec![conv("r", 96, 1), relu(), conv("k", 128, 3), relu()],
    );
    let plan = plan(&b, Scope::All);
    assert_eq!(roles(&plan), vec![("0".into(), Role::Reduce)]);
    assert!(
        plan.dropped.contains_key(&NodePath(vec![1])),
        "its ReLU goes with it"
    );
    let analysis = Analysis::of(&b, Scope::All).unwrap();
    // The 3×3 now reads 192 channels: 3·3·192·128 = 221,184 weights.
    assert_eq!(analysis.totals.conv_weights, 221_184);
    assert_eq!(analysis.totals.depth.nonlinear, 1);
}

#[test]
fn mix_widens_the_conv_before_it() {
    // NIN-style: conv 96, cccp 96, cccp 64. Both cccps go; the conv takes the last width.
    let b = block(
        Shape::new(3, 32, 32),
        vec![
            conv("conv", 96, 3),
            relu(),
            conv("cccp1", 96, 1),
            relu(),
            conv("cccp2", 64, 1),
            relu(),
        ],
    );
    let plan = plan(&b, Scope::All);
    assert_eq!(
        roles(&plan),
        vec![("2".into(), Role::Mix), ("4".into(), Role::Mix)]
    );
    assert_eq!(
        plan.adjusted[&NodePath(vec![0])].out_channels,
        Some(64),
        "the conv takes the last cccp's width"
    );
    let analysis = Analysis::of(&b, Scope::All).unwrap();
    assert_eq!(analysis.totals.output, Shape::new(64, 32, 32));
    assert_eq!(analysis.totals.conv_weights, 3 * 3 * 3 * 64);
}

#[test]
fn mix_looks_through_batch_norm() {
    let b = block(
        Shape::new(64, 8, 8),
        vec![conv("k", 64, 3), bn(), relu(), conv("expand", 256, 1), bn()],
    );
    let plan = plan(&b, Scope::All);
    assert_eq!(roles(&plan), vec![("3".into(), Role::Mix)]);
    assert!(plan.dropped.contains_key(&NodePath(vec![4])));
    assert!(
        !plan.dropped.contains_key(&NodePath(vec![1])),
        "the 3×3's own BN stays"
    );
}

#[test]
fn project_lets_the_pool_pass_its_channels() {
    let b = block(
        Shape::new(192, 28, 28),
        vec![max_pool(), conv("pool proj", 32, 1), relu()],
    );
    let analysis = Analysis::of(&b, Scope::All).unwrap();
    assert_eq!(roles(&analysis.plan), vec![("1".into(), Role::Project)]);
    assert_eq!(analysis.totals.output.c, 192);
}

#[test]
fn a_lone_1x1_stays() {
    let b = block(Shape::new(192, 28, 28), vec![conv("1x1", 64, 1), relu()]);
    assert!(plan(&b, Scope::All).dropped.is_empty());
    assert_eq!(role_of(&b, &NodePath(vec![0])), None);
}

#[test]
fn rules_apply_inside_concat_branches_separately() {
    let b = block(
        Shape::new(192, 28, 28),
        vec![Node::Concat(Concat {
            name: None,
            branches: vec![
                vec![conv("1x1", 64, 1), relu()],
                vec![
                    conv("3x3 reduce", 96, 1),
                    relu(),
                    conv("3x3", 128, 3),
                    relu(),
                ],
                vec![max_pool(), conv("pool proj", 32, 1), relu()],
            ],
        })],
    );
    let analysis = Analysis::of(&b, Scope::All).unwrap();
    assert_eq!(
        roles(&analysis.plan),
        vec![
            ("0.1.0".into(), Role::Reduce),
            ("0.2.1".into(), Role::Project)
        ]
    );
    // 64 + 128 + 192 = 384.
    assert_eq!(analysis.totals.output.c, 384);
}

#[test]
fn bottleneck_collapses_to_one_3x3_and_keeps_the_projection_shortcut() {
    let no_bias = |name: &str, out, k| {
        let mut c = Conv::new(out, k);
        c.bias = false;
        Node::Layer(Layer::named(name, LayerKind::Conv(c)))
    };
    let mut downsample = Conv::new(256, 1);
    downsample.padding = Padding::square(0);
    let b = block(
        Shape::new(64, 56, 56),
        vec![Node::Residual(Residual {
            name: None,
            body: vec![
                no_bias("a", 64, 1),
                bn(),
                relu(),
                no_bias("b", 64, 3),
                bn(),
                relu(),
                no_bias("c", 256, 1),
                bn(),
            ],
            shortcut: Some(vec![
                Node::Layer(Layer::named("proj", LayerKind::Conv(downsample))),
                bn(),
            ]),
        })],
    );
    let analysis = Analysis::of(&b, Scope::All).unwrap();
    assert_eq!(
        roles(&analysis.plan),
        vec![("0.0.0".into(), Role::Reduce), ("0.0.6".into(), Role::Mix)]
    );
    // 3·3·64·256 + the kept 1×1 projection 64·256 (+ its 256 bias).
    assert_eq!(analysis.totals.conv_weights, 3 * 3 * 64 * 256 + 64 * 256);
}

#[test]
fn a_strided_1x1_folds_its_stride_into_the_conv_that_replaces_it() {
    let mut strided = Conv::new(64, 1);
    strided.stride = Pair::square(2);
    let b = block(
        Shape::new(32, 16, 16),
        vec![
            conv("k", 32, 3),
            relu(),
            Node::Layer(Layer::named("s", LayerKind::Conv(strided))),
        ],
    );
    let before = Analysis::of(&b, Scope::Bypassed).unwrap().totals.output;
    let after = Analysis::of(&b, Scope::All).unwrap().totals.output;
    assert_eq!(before, Shape::new(64, 8, 8));
    assert_eq!(after, before, "mix keeps the shapes after it");
}

#[test]
fn bypass_drops_only_the_flagged_conv() {
    let mut b = block(
        Shape::new(3, 8, 8),
        vec![
            conv("conv", 16, 3),
            relu(),
            conv("cccp1", 16, 1),
            relu(),
            conv("cccp2", 8, 1),
        ],
    );
    if let Node::Layer(layer) = &mut b.body[2] {
        layer.bypassed = true;
    }
    let plan = plan(&b, Scope::Bypassed);
    assert_eq!(roles(&plan), vec![("2".into(), Role::Mix)]);
    assert_eq!(role_of(&b, &NodePath(vec![4])), Some(Role::Mix));
}

fn strided(name: &str, out: usize, k: usize, stride: usize, pad: usize) -> Node {
    let mut c = Conv::new(out, k);
    c.stride = Pair::square(stride);
    c.padding = Padding::square(pad);
    Node::Layer(Layer::named(name, LayerKind::Conv(c)))
}

#[test]
fn reduce_is_tried_along_the_whole_chain_before_mix() {
    // 3×3 → a 1×1 → b 1×1 → 3×3: b is a reduce; once it is gone, so is a (reduce again), even
    // though a alone is also "preceded by a conv" (mix).
    let b = block(
        Shape::new(8, 16, 16),
        vec![
            conv("k1", 16, 3),
            conv("a", 48, 1),
            conv("b", 24, 1),
            conv("k2", 8, 3),
        ],
    );
    let plan = plan(&b, Scope::All);
    assert_eq!(
        roles(&plan),
        vec![("1".into(), Role::Reduce), ("2".into(), Role::Reduce)]
    );
}

#[test]
fn a_projection_shortcut_stays_even_after_a_pool() {
    // ResNet-D's shortcut: avg pool, then a 1×1 that matches the body's width.
    let pool = Pool {
        kind: PoolKind::Avg,
        kernel: Pair::square(2),
        stride: Pair::square(2),
        padding: Padding::square(0),
        ceil_mode: true,
    };
    let b = block(
        Shape::new(64, 16, 16),
        vec![Node::Residual(Residual {
            name: None,
            body: vec![strided("down", 128, 3, 2, 1)],
            shortcut: Some(vec![
                Node::Layer(Layer::new(LayerKind::Pool(pool))),
                conv("proj", 128, 1),
            ]),
        })],
    );
    let analysis = Analysis::of(&b, Scope::All).unwrap();
    assert!(analysis.plan.dropped.is_empty());
    assert_eq!(analysis.totals.output, Shape::new(128, 8, 8));
}

#[test]
fn a_strided_reduce_goes_only_where_its_stride_folds_exactly() {
    // 1×1/2 then an unpadded 5×5 on 56×56 gives 24×24; a 5×5/2 on 56×56 would give 26×26.
    let inexact = block(
        Shape::new(64, 56, 56),
        vec![strided("r", 16, 1, 2, 0), strided("k", 32, 5, 1, 0)],
    );
    assert!(plan(&inexact, Scope::All).dropped.is_empty());
    // ResNet v1's downsampling reduce: 1×1/2 then a padded 3×3, 56 → 28 either way.
    let exact = block(
        Shape::new(256, 56, 56),
        vec![strided("r", 128, 1, 2, 0), strided("k", 128, 3, 1, 1)],
    );
    let analysis = Analysis::of(&exact, Scope::All).unwrap();
    assert_eq!(roles(&analysis.plan), vec![("0".into(), Role::Reduce)]);
    assert_eq!(analysis.totals.output, Shape::new(128, 28, 28));
}

#[test]
fn a_strided_projection_folds_its_stride_into_the_pool() {
    let b = block(
        Shape::new(32, 16, 16),
        vec![max_pool(), strided("proj", 16, 1, 2, 0)],
    );
    let analysis = Analysis::of(&b, Scope::All).unwrap();
    assert_eq!(roles(&analysis.plan), vec![("1".into(), Role::Project)]);
    // The pool passes its 32 channels on, at the 8×8 the strided 1×1 gave.
    assert_eq!(analysis.totals.output, Shape::new(32, 8, 8));
}

#[test]
fn a_stride_handed_on_by_a_mix_is_kept_when_that_conv_goes_too() {
    // B (1×1/2) cannot be a reduce before the unpadded 5×5 (26 ≠ 24), so it goes by mix and
    // hands A its stride and width; A then cannot go by reduce either, for the same reason.
    let b = block(
        Shape::new(64, 56, 56),
        vec![
            conv("A", 32, 1),
            strided("B", 16, 1, 2, 0),
            strided("C", 32, 5, 1, 0),
        ],
    );
    let before = Analysis::of(&b, Scope::Bypassed).unwrap().totals.output;
    let after = Analysis::of(&b, Scope::All).unwrap();
    assert_eq!(before, Shape::new(32, 24, 24));
    assert_eq!(after.totals.output, before);
    assert_eq!(roles(&after.plan), vec![("1".into(), Role::Mix)]);
    assert_eq!(
        after.plan.adjusted[&NodePath(vec![0])],
        Adjustment {
            out_channels: Some(16),
            stride_factor: Pair::square(2)
        }
    );
}

#[test]
fn a_strided_1x1_ending_a_chain_stays_when_nothing_can_take_its_stride() {
    // A concat branch ending in a 1×1/2 after a pool: folding into the pool would be exact
    // (project), but a padded 1×1 changes the size by itself and can never go.
    let mut padded = Conv::new(8, 1);
    padded.padding = Padding::square(1);
    let b = block(
        Shape::new(8, 8, 8),
        vec![
            conv("k", 8, 3),
            Node::Layer(Layer::named("p", LayerKind::Conv(padded))),
        ],
    );
    assert!(plan(&b, Scope::All).dropped.is_empty());
}
