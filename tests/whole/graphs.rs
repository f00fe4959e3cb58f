//! Hand-made graphs of the engine, one awkward layer at a time, against the reference.

use convtui::engine::graph::{
    ConvPath, ConvSpec, Dims, Graph, LrnSpec, Op, Plan, PoolKind, PoolSpec, Value, Window,
    reference,
};
use convtui::engine::noise;
use convtui::measure::whole::compare;

/// Runs `graph` on both executors and asserts they agree: as planned, and with every k×k
/// convolution as the implicit GEMM and with the output channels in the lanes, since the plan
/// picks one of the two by shape.
fn agrees(graph: &Graph, what: &str) {
    for path in [ConvPath::Auto, ConvPath::Implicit, ConvPath::Direct] {
        agrees_on(graph, path, &format!("{what} on {path:?}"));
    }
}

/// The same, with the convolutions run as `path` says.
fn agrees_on(graph: &Graph, path: ConvPath, what: &str) {
    let input = noise(graph.dims(0).expect("input").elements(), 5);
    let want = reference::run(graph, &input).expect("reference runs");
    for threads in [1, 2] {
        let mut plan = Plan::build_with(graph, threads, path).expect("plans");
        plan.input_mut().copy_from_slice(&input);
        plan.run().expect("runs");
        let v = compare(plan.output(), &want);
        assert!(
            v.max_rel_error <= 1e-5,
            "{what} on {threads} threads: {v:?}"
        );
    }
}

/// Pushes a stride-1 k×k convolution of `out` channels on `from`, padded to keep its size.
fn same_conv(
    g: &mut Graph,
    from: Value,
    out: usize,
    k: usize,
    weights: Vec<f32>,
    bias: Option<Vec<f32>>,
) -> Value {
    g.push(
        Op::Conv {
            input: from,
            spec: ConvSpec {
                out_channels: out,
                window: Window::square(k, 1, k / 2),
                groups: 1,
            },
            weights,
            bias,
        },
        0,
    )
    .expect("fits")
}

fn conv(input: Dims, out: usize, window: Window, groups: usize, seed: u64) -> Graph {
    let mut g = Graph::new(input).expect("input");
    let len = out * input.c / groups * window.kernel.0 * window.kernel.1;
    g.push(
        Op::Conv {
            input: 0,
            spec: ConvSpec {
                out_channels: out,
                window,
                groups,
            },
            weights: noise(len, seed),
            bias: Some(noise(out, seed + 1)),
        },
        0,
    )
    .expect("conv fits");
    g
}

#[test]
fn convolutions_of_every_window() {
    let w = |k: (usize, usize), s: (usize, usize), p: (usize, usize)| Window {
        kernel: k,
        stride: s,
        padding: p,
    };
    for (input, out, window, groups) in [
        (Dims::new(8, 9, 11), 5, w((3, 3), (1, 1), (1, 1)), 1),
        (Dims::new(3, 31, 29), 16, w((11, 11), (4, 4), (0, 0)), 1),
        (Dims::new(4, 17, 17), 6, w((5, 5), (2, 2), (2, 2)), 1),
        (Dims::new(6, 10, 13), 7, w((1, 3), (1, 1), (0, 1)), 1),
        (Dims::new(6, 10, 13), 7, w((3, 1), (1, 1), (1, 0)), 1),
        (Dims::new(5, 12, 12), 4, w((2, 2), (3, 3), (0, 0)), 1),
        (Dims::new(5, 7, 7), 4, w((3, 3), (1, 1), (2, 2)), 1),
        (Dims::new(8, 14, 14), 12, w((3, 3), (1, 1), (1, 1)), 4),
        (Dims::new(8, 14, 14), 16, w((3, 3), (2, 2), (1, 1)), 8),
        (Dims::new(1, 6, 6), 1, w((3, 3), (1, 1), (1, 1)), 1),
        (Dims::new(7, 1, 1), 3, w((1, 1), (1, 1), (0, 0)), 1),
        (Dims::new(7, 1, 1), 3, w((3, 3), (1, 1), (1, 1)), 1),
        (Dims::new(64, 14, 14), 40, w((1, 1), (2, 2), (0, 0)), 1),
        (Dims::new(40, 28, 28), 96, w((3, 3), (1, 1), (1, 1)), 1),
    ] {
        agrees(
            &conv(input, out, window, groups, 3),
            &format!("{input:?} → {out} {window:?} g{groups}"),
        );
    }
}

#[test]
fn pools_with_padding_and_ceil_mode() {
    for kind in [PoolKind::Max, PoolKind::Avg] {
        for (input, k, s, p, ceil) in [
            (Dims::new(3, 28, 28), 3, 1, 1, false),
            (Dims::new(2, 9, 40), 5, 1, 2, false),
            (Dims::new(2, 2, 2), 3, 1, 1, true),
            (Dims::new(3, 55, 55), 3, 2, 0, true),
            (Dims::new(2, 13, 13), 3, 2, 1, true),
            (Dims::new(2, 8, 9), 2, 2, 0, false),
            (Dims::new(4, 7, 7), 7, 1, 0, false),
            (Dims::new(2, 10, 10), 3, 3, 1, true),
        ] {
            let mut g = Graph::new(input).expect("input");
            let spec = PoolSpec {
                kind,
                window: Window::square(k, s, p),
                ceil_mode: ceil,
            };
            g.push(
                Op::Pool {
                    input: 0,
                    spec: spec.clone(),
                },
                0,
            )
            .expect("fits");
            agrees(&g, &format!("{kind:?} {input:?} {spec:?}"));
        }
    }
}

#[test]
fn fused_layers_match_their_definition() {
    // conv → batch norm → relu, a residual addition with a projection shortcut, a concat of
    // a branch and the input itself, global pooling and a fully connected layer.
    let input = Dims::new(6, 9, 9);
    let mut g = Graph::new(input).expect("input");
    let conv = |g: &mut Graph, from, c_in, out, k, seed| {
        same_conv(g, from, out, k, noise(out * c_in * k * k, seed), None)
    };
    let body = conv(&mut g, 0, 6, 8, 3, 1);
    let bn = g
        .push(
            Op::BatchNorm {
                input: body,
                gamma: noise(8, 2),
                beta: noise(8, 3),
                mean: noise(8, 4),
                var: noise(8, 5).iter().map(|v| v + 1.5).collect(),
                eps: 1e-5,
            },
            0,
        )
        .expect("fits");
    let relu = g.push(Op::Relu { input: bn }, 0).expect("fits");
    let last = conv(&mut g, relu, 8, 8, 1, 6);
    let shortcut = conv(&mut g, 0, 6, 8, 1, 7);
    let sum = g
        .push(
            Op::Add {
                a: last,
                b: shortcut,
            },
            0,
        )
        .expect("fits");
    let act = g.push(Op::Relu { input: sum }, 0).expect("fits");
    let cat = g
        .push(
            Op::Concat {
                inputs: vec![act, 0, act],
            },
            0,
        )
        .expect("fits");
    let pooled = g.push(Op::GlobalAvgPool { input: cat }, 0).expect("fits");
    let flat = g.push(Op::Reshape { input: pooled }, 0).expect("fits");
    g.push(
        Op::FullyConnected {
            input: flat,
            weights: noise(5 * 22, 8),
            bias: Some(noise(5, 9)),
        },
        0,
    )
    .expect("fits");
    agrees(&g, "a fused residual block");
}

#[test]
fn relu6_and_local_response_normalisation_of_every_size() {
    // Sizes below, at and past the channel count, odd and even (whose window leans one way);
    // LRN straight on the input, after a conv whose ReLU6 is fused, and after a pool.
    let input = Dims::new(5, 7, 6);
    for size in [1, 2, 3, 4, 5, 6, 9] {
        for (alpha, beta, k) in [(1e-4, 0.75, 1.0), (2.0, 0.5, 1.0), (0.5, 1.0, 2.0)] {
            let spec = LrnSpec {
                size,
                alpha,
                beta,
                k,
            };
            let mut g = Graph::new(input).expect("input");
            let first = g.push(Op::Lrn { input: 0, spec }, 0).expect("fits");
            // Large enough that ReLU6 clamps at both ends.
            let weights = noise(8 * 5 * 9, 3).iter().map(|w| w * 4.0).collect();
            let conv = same_conv(&mut g, first, 8, 3, weights, Some(noise(8, 4)));
            let clamped = g.push(Op::Relu6 { input: conv }, 0).expect("fits");
            let second = g
                .push(
                    Op::Lrn {
                        input: clamped,
                        spec,
                    },
                    0,
                )
                .expect("fits");
            let pooled = g
                .push(
                    Op::Pool {
                        input: second,
                        spec: PoolSpec {
                            kind: PoolKind::Max,
                            window: Window::square(3, 2, 0),
                            ceil_mode: true,
                        },
                    },
                    0,
                )
                .expect("fits");
            g.push(
                Op::Lrn {
                    input: pooled,
                    spec,
                },
                0,
            )
            .expect("fits");
            agrees(&g, &format!("{spec:?}"));
        }
    }
}

#[test]
fn impossible_lrn_constants_are_refused() {
    let good = LrnSpec {
        size: 5,
        alpha: 1e-4,
        beta: 0.75,
        k: 1.0,
    };
    for bad in [
        LrnSpec { size: 0, ..good },
        LrnSpec { k: 0.0, ..good },
        LrnSpec {
            alpha: -1.0,
            ..good
        },
        LrnSpec {
            beta: f32::NAN,
            ..good
        },
    ] {
        let mut g = Graph::new(Dims::new(4, 3, 3)).expect("input");
        let err = g.push(
            Op::Lrn {
                input: 0,
                spec: bad,
            },
            0,
        );
        assert!(err.is_err(), "{bad:?} accepted");
    }
}

#[test]
fn output_channels_in_the_lanes_on_few_pixels() {
    // Pixel counts from one to the path's limit (64), output channels that fill no whole
    // panel or several and a ragged last one, K past one block; a 3×3 after im2col and a 1×1
    // with a residual addition and a ReLU6 fused into the store.
    for (c, h, w, out) in [
        (3, 1, 1, 5),
        (8, 6, 6, 100),
        (40, 7, 7, 17),
        (300, 8, 8, 64),
        (9, 2, 5, 130),
    ] {
        let input = Dims::new(c, h, w);
        let mut g = Graph::new(input).expect("input");
        let conv = |g: &mut Graph, from, c_in, k, seed| {
            // Scaled by the fan-in, as trained weights are, so sums stay near 1.
            let fan_in = ((c_in * k * k) as f32).sqrt();
            let weights = noise(out * c_in * k * k, seed)
                .iter()
                .map(|w| w / fan_in)
                .collect();
            same_conv(g, from, out, k, weights, Some(noise(out, seed + 1)))
        };
        let spatial = conv(&mut g, 0, c, 3, 1);
        let mixed = conv(&mut g, spatial, out, 1, 3);
        let sum = g
            .push(
                Op::Add {
                    a: mixed,
                    b: spatial,
                },
                0,
            )
            .expect("fits");
        g.push(Op::Relu6 { input: sum }, 0).expect("fits");
        for path in [
            ConvPath::Auto,
            ConvPath::Im2col,
            ConvPath::Lanes,
            ConvPath::Direct,
        ] {
            agrees_on(&g, path, &format!("{input:?} → {out} on {path:?}"));
        }
    }
}
