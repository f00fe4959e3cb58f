//! The engine against the scalar reference over awkward shapes, exact identity, bias and ReLU,
//! random shapes (proptest), and the errors callers get instead of panics.

use convtui::engine::noise;
use convtui::engine::{
    Activation, Blocking, Engine, EngineError, Epilogue, Pack, PointwiseShape, lane_width,
    pointwise, reference,
};
use proptest::prelude::*;

/// Random operands for `shape`: weights, input, bias (all in [-1, 1)).
fn operands(shape: PointwiseShape, seed: u64) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let c = shape.check().expect("test shapes are valid");
    (
        noise(c.weight_len, seed),
        noise(c.input_len, seed + 1),
        noise(shape.c_out, seed + 2),
    )
}

/// An engine on `threads` threads that splits even the tiny shapes the sweep uses, so the
/// parallel path is tested on them too.
fn engine(threads: usize) -> Engine {
    Engine::new(threads)
        .expect("thread pool")
        .with_min_parallel_flops(0.0)
}

/// The same, with every input block packed into micro-panels however small.
fn packed(threads: usize) -> Engine {
    engine(threads).with_blocking(Blocking {
        pack: Pack::Always,
        ..Blocking::default()
    })
}

/// Asserts the engine's output matches the reference within rounding.
///
/// Both compute the same sum of C_in products (plus bias) in different orders — the engine
/// with FMAs (one rounding per step) and vector lanes or dot-product partial sums, the
/// reference term by term — so neither is exact. Recursive summation of n terms errs by at most
/// γₙ·Σ|terms| with γₙ ≈ n·ε/2, so the two differ by at most about n·ε·Σ|w||x| per output,
/// with n = C_in + 2 (bias, rounding of the products). ReLU and ReLU6 are 1-Lipschitz and keep the bound.
/// Σ|w||x| + |bias| is itself the reference run on absolute values.
fn assert_matches_reference(
    shape: PointwiseShape,
    engine: &Engine,
    seed: u64,
    bias: bool,
    activation: Activation,
) {
    let (w, x, b) = operands(shape, seed);
    let epilogue = Epilogue {
        bias: bias.then_some(b.as_slice()),
        add: None,
        activation,
    };
    let len = shape.check().expect("valid").output_len;
    let (mut got, mut want, mut scale) = (vec![f32::NAN; len], vec![0.0; len], vec![0.0; len]);
    engine
        .run(shape, &w, &x, epilogue, &mut got)
        .expect("engine runs");
    reference(shape, &w, &x, epilogue, &mut want).expect("reference runs");
    let abs = |v: &[f32]| v.iter().map(|a| a.abs()).collect::<Vec<_>>();
    let b_abs = abs(&b);
    let abs_epilogue = Epilogue {
        bias: bias.then_some(b_abs.as_slice()),
        add: None,
        activation: Activation::Identity,
    };
    reference(shape, &abs(&w), &abs(&x), abs_epilogue, &mut scale).expect("reference runs");
    let n = (shape.c_in + 2) as f32;
    for (i, ((g, r), s)) in got.iter().zip(&want).zip(&scale).enumerate() {
        let tolerance = n * f32::EPSILON * s + f32::MIN_POSITIVE;
        assert!(
            (g - r).abs() <= tolerance,
            "{shape} on {} threads (bias {bias}, {activation:?}): output {i} (channel {}, pixel {}) is {g}, reference {r}, tolerance {tolerance}",
            engine.threads(),
            i / (shape.h * shape.w),
            i % (shape.h * shape.w),
        );
    }
}

#[test]
fn every_small_channel_count_against_awkward_image_sizes() {
    // 1, 7 and 13 are narrower than a vector; 33 and 97 leave a tail of 1 at 16 or 8 lanes;
    // 784 = 28·28 is whole vectors at every width.
    let single = engine(1);
    let double = engine(2);
    for pixels in [1, 7, 13, 33, 97, 784] {
        for c_in in 1..=17 {
            for c_out in 1..=17 {
                let shape = PointwiseShape::new(c_in, c_out, 1, pixels);
                let seed = (c_in * 1000 + c_out * 10) as u64;
                assert_matches_reference(shape, &single, seed, false, Activation::Identity);
                assert_matches_reference(shape, &double, seed, false, Activation::Identity);
            }
        }
    }
}

#[test]
fn larger_odd_shapes() {
    for (c_in, c_out, h, w) in [
        (193, 67, 29, 31),
        (300, 9, 3, 37),
        (5, 260, 11, 13),
        (640, 24, 1, 1),
    ] {
        let shape = PointwiseShape::new(c_in, c_out, h, w);
        for threads in [1, 2, 3] {
            assert_matches_reference(shape, &engine(threads), 7, true, Activation::Identity);
            assert_matches_reference(shape, &packed(threads), 7, true, Activation::Relu6);
        }
    }
}

#[test]
fn large_square_layer_once() {
    // C_in = 1024 spans several K blocks, so partial sums are stored and re-read.
    let shape = PointwiseShape::new(1024, 1024, 14, 14);
    assert_matches_reference(shape, &engine(2), 11, false, Activation::Identity);
    assert_matches_reference(shape, &packed(1), 12, true, Activation::Relu);
}

#[test]
fn odd_cache_blocks_exercise_every_loop_edge() {
    // Blocks far smaller than the tile force every BLIS loop to run its last, partial block;
    // sizes that are not multiples of the tile (mc 12, nc 50) must be rounded, not obeyed.
    let blockings = [
        Blocking {
            kc: 3,
            mc: 5,
            nc: 7,
            pack: Pack::Never,
        },
        Blocking {
            kc: 5,
            mc: 12,
            nc: 50,
            pack: Pack::Never,
        },
        Blocking {
            kc: 0,
            mc: 0,
            nc: 0,
            pack: Pack::Never,
        },
    ];
    // Each block size with the input read in place and packed into micro-panels.
    let both = blockings.into_iter().flat_map(|b| {
        [
            b,
            Blocking {
                pack: Pack::Always,
                ..b
            },
        ]
    });
    for blocking in both {
        for (c_in, c_out, pixels) in [
            (10, 13, 50),
            (7, 9, 17),
            (1, 1, 64),
            (20, 3, 100),
            (9, 20, 151),
        ] {
            let shape = PointwiseShape::new(c_in, c_out, 1, pixels);
            for threads in [1, 2] {
                let engine = engine(threads).with_blocking(blocking);
                assert_matches_reference(shape, &engine, 3, true, Activation::Relu);
            }
        }
    }
}

#[test]
fn identity_weights_copy_the_input_exactly() {
    // With W = I each output is 0·x + … + 1·x + … + 0·x: every FMA or product with 0 is exact
    // (the data has no -0.0, NaN or infinity), so the result is x bit for bit whatever the order.
    for (c, h, w) in [
        (1, 1, 1),
        (5, 3, 7),
        (16, 16, 16),
        (19, 1, 37),
        (64, 28, 28),
    ] {
        let shape = PointwiseShape::new(c, c, h, w);
        let mut identity = vec![0.0; c * c];
        for i in 0..c {
            identity[i * c + i] = 1.0;
        }
        let input = noise(c * h * w, 5);
        for threads in [1, 2] {
            let mut out = vec![f32::NAN; input.len()];
            engine(threads)
                .run(shape, &identity, &input, Epilogue::default(), &mut out)
                .expect("runs");
            let same = out
                .iter()
                .zip(&input)
                .all(|(o, i)| o.to_bits() == i.to_bits());
            assert!(
                same,
                "{shape} on {threads} threads: W = I changed the input"
            );
        }
    }
}

#[test]
fn bias_and_relu_match_the_reference() {
    for (c_in, c_out, pixels) in [(3, 5, 40), (17, 17, 33), (64, 24, 100), (200, 9, 7)] {
        let shape = PointwiseShape::new(c_in, c_out, 1, pixels);
        for (bias, activation) in [
            (true, Activation::Identity),
            (false, Activation::Relu),
            (true, Activation::Relu),
            (true, Activation::Relu6),
        ] {
            assert_matches_reference(shape, &engine(1), 9, bias, activation);
            assert_matches_reference(shape, &engine(2), 9, bias, activation);
        }
    }
}

#[test]
fn bias_lands_on_its_own_channel_and_the_activation_clamps() {
    // Zero weights: the output is exactly the bias (then clamped), channel by channel.
    let shape = PointwiseShape::new(4, 3, 5, lane_width() + 3);
    let bias = [7.5, -2.0, 0.25];
    let input = noise(4 * 5 * (lane_width() + 3), 1);
    let pixels = 5 * (lane_width() + 3);
    for activation in [Activation::Identity, Activation::Relu, Activation::Relu6] {
        let mut out = vec![f32::NAN; 3 * pixels];
        let epilogue = Epilogue {
            bias: Some(&bias),
            add: None,
            activation,
        };
        engine(2)
            .run(shape, &[0.0; 12], &input, epilogue, &mut out)
            .expect("runs");
        for (co, row) in out.chunks(pixels).enumerate() {
            let want = activation.apply(bias[co]);
            assert!(
                row.iter().all(|&y| y == want),
                "channel {co}, {activation:?}: {row:?}"
            );
        }
    }
}

#[test]
fn wrong_lengths_are_errors_not_panics() {
    let shape = PointwiseShape::new(3, 2, 2, 2);
    let (w, x, mut out) = (vec![0.0; 6], vec![0.0; 12], vec![0.0; 8]);
    let e = Engine::new(1).expect("one thread");
    let err = e
        .run(shape, &w[..5], &x, Epilogue::default(), &mut out)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "weights has 5 elements, but 3→2 @ 2×2 needs 6 (C_out × C_in, row-major)"
    );
    let err = e
        .run(shape, &w, &x[..11], Epilogue::default(), &mut out)
        .unwrap_err();
    assert!(matches!(
        err,
        EngineError::LengthMismatch {
            buffer: "input",
            expected: 12,
            actual: 11,
            ..
        }
    ));
    let err = e
        .run(shape, &w, &x, Epilogue::default(), &mut out[..7])
        .unwrap_err();
    assert!(matches!(
        err,
        EngineError::LengthMismatch {
            buffer: "output",
            expected: 8,
            actual: 7,
            ..
        }
    ));
    let bias = Epilogue {
        bias: Some(&[1.0; 3]),
        add: None,
        activation: Activation::Identity,
    };
    let err = e.run(shape, &w, &x, bias, &mut out).unwrap_err();
    assert!(matches!(
        err,
        EngineError::LengthMismatch {
            buffer: "bias",
            expected: 2,
            actual: 3,
            ..
        }
    ));
    assert!(reference(shape, &w[..5], &x, Epilogue::default(), &mut out).is_err());
}

#[test]
fn zero_dimensions_and_threads_are_errors() {
    let err = pointwise(
        PointwiseShape::new(0, 2, 2, 2),
        &[],
        &[],
        Epilogue::default(),
        &mut [],
        1,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        EngineError::ZeroDimension {
            dimension: "C_in",
            ..
        }
    ));
    let err = pointwise(
        PointwiseShape::new(1, 1, 1, 0),
        &[0.0],
        &[],
        Epilogue::default(),
        &mut [],
        1,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        EngineError::ZeroDimension { dimension: "W", .. }
    ));
    assert_eq!(Engine::new(0).err(), Some(EngineError::ZeroThreads));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_shapes_match_the_reference(
        c_in in 1usize..=80,
        c_out in 1usize..=40,
        h in 1usize..=24,
        w in 1usize..=24,
        threads in 1usize..=3,
        seed in 0u64..1000,
        bias in any::<bool>(),
        activation in prop::sample::select(vec![
            Activation::Identity,
            Activation::Relu,
            Activation::Relu6,
        ]),
        pack in any::<bool>(),
    ) {
        let engine = if pack { packed(threads) } else { engine(threads) };
        assert_matches_reference(PointwiseShape::new(c_in, c_out, h, w), &engine, seed, bias, activation);
    }
}

/// A residual's shortcut added on store, before the ReLU, on the vector tiles, the narrow tail
/// and the dot-product tail, on one and two threads and packed.
#[test]
fn a_fused_residual_add_lands_before_the_relu() {
    let lanes = lane_width();
    for (c_in, c_out, h, w) in [
        (3, 5, 1, 1),
        (16, 9, 5, lanes + 3),
        (64, 40, 7, 7),
        (600, 130, 1, 2 * lanes + 13),
    ] {
        let shape = PointwiseShape::new(c_in, c_out, h, w);
        let (wt, x, b) = operands(shape, 11);
        let len = shape.check().expect("valid").output_len;
        let add = noise(len, 99);
        for engine in [engine(1), engine(2), packed(2)] {
            for activation in [Activation::Identity, Activation::Relu, Activation::Relu6] {
                let epilogue = Epilogue {
                    bias: Some(&b),
                    add: Some(&add),
                    activation,
                };
                let (mut got, mut want) = (vec![f32::NAN; len], vec![0.0; len]);
                engine
                    .run(shape, &wt, &x, epilogue, &mut got)
                    .expect("runs");
                reference(shape, &wt, &x, epilogue, &mut want).expect("runs");
                let tolerance = (c_in + 3) as f32 * f32::EPSILON * (c_in as f32 + 2.0);
                for (i, (g, r)) in got.iter().zip(&want).enumerate() {
                    assert!(
                        (g - r).abs() <= tolerance,
                        "{shape} {activation:?}: output {i} is {g}, reference {r}"
                    );
                }
                if activation != Activation::Identity {
                    assert!(got.iter().all(|&g| g >= 0.0));
                }
            }
        }
    }
}
