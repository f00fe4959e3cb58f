use super::*;

fn conv(out: usize, k: usize, stride: usize, pad: usize) -> LayerKind {
    LayerKind::Conv(Conv {
        out_channels: out,
        kernel: Pair::square(k),
        stride: Pair::square(stride),
        padding: Padding::square(pad),
        dilation: Pair::square(1),
        groups: 1,
        bias: true,
    })
}

fn max_pool(k: usize, s: usize, p: usize, ceil_mode: bool) -> LayerKind {
    LayerKind::Pool(Pool {
        kind: crate::model::PoolKind::Max,
        kernel: Pair::square(k),
        stride: Pair::square(s),
        padding: Padding::square(p),
        ceil_mode,
    })
}

#[test]
fn conv_counts_follow_the_formula() {
    // 3·3·96·128 = 110,592 weights; 28 + 2 − 3 + 1 = 28, so MACs = 110,592 · 784.
    let f = evaluate(&conv(128, 3, 1, 1), Shape::new(96, 28, 28)).unwrap();
    assert_eq!(f.output, Shape::new(128, 28, 28));
    assert_eq!(f.weights, 110_592);
    assert_eq!(f.biases, 128);
    assert_eq!(f.macs, 110_592 * 784);
}

#[test]
fn strided_conv_floors_like_the_frameworks() {
    // NIN conv1: (224 − 11) / 4 = 53.25 → 53, + 1 = 54.
    let f = evaluate(&conv(96, 11, 4, 0), Shape::new(3, 224, 224)).unwrap();
    assert_eq!(f.output, Shape::new(96, 54, 54));
    assert_eq!(f.weights, 11 * 11 * 3 * 96);
}

#[test]
fn grouped_conv_divides_input_channels() {
    let mut kind = conv(64, 3, 1, 1);
    if let LayerKind::Conv(c) = &mut kind {
        c.groups = 32;
    }
    let f = evaluate(&kind, Shape::new(32, 8, 8)).unwrap();
    assert_eq!(f.weights, 3 * 3 * 64);
    let err = evaluate(&kind, Shape::new(48, 8, 8)).unwrap_err();
    assert!(
        err.contains("does not divide its 48 input channels"),
        "{err}"
    );
}

#[test]
fn ceil_mode_differs_from_floor_mode() {
    // (54 − 3) / 2 = 25.5: Caffe (ceil) gives 27, PyTorch's default (floor) 26.
    let input = Shape::new(96, 54, 54);
    assert_eq!(
        evaluate(&max_pool(3, 2, 0, true), input).unwrap().output.h,
        27
    );
    assert_eq!(
        evaluate(&max_pool(3, 2, 0, false), input).unwrap().output.h,
        26
    );
}

#[test]
fn ceil_mode_drops_a_window_starting_in_padding() {
    // 5 + 2 − 2 = 5, ceil(5/2) + 1 = 4, but the 4th window starts at 6 ≥ 5 + 1: 3 windows.
    let f = evaluate(&max_pool(2, 2, 1, true), Shape::new(1, 5, 5)).unwrap();
    assert_eq!(f.output.h, 3);
}

#[test]
fn kernel_larger_than_padded_input_is_an_error() {
    let err = evaluate(&conv(8, 5, 1, 0), Shape::new(3, 3, 3)).unwrap_err();
    assert!(
        err.contains("kernel 5×5 is larger than its padded input 3×3"),
        "{err}"
    );
}

#[test]
fn zero_and_absurd_channels_are_errors() {
    assert!(evaluate(&conv(0, 1, 1, 0), Shape::new(3, 3, 3)).is_err());
    assert!(evaluate(&conv(MAX_CHANNELS + 1, 1, 1, 0), Shape::new(3, 3, 3)).is_err());
}

#[test]
fn batch_norm_has_two_parameters_per_channel() {
    let f = evaluate(&LayerKind::BatchNorm, Shape::new(64, 56, 56)).unwrap();
    assert_eq!((f.weights, f.biases, f.macs), (64, 64, 0));
}

#[test]
fn fully_connected_flattens_its_input() {
    let fc = LayerKind::FullyConnected(FullyConnected {
        out_features: 10,
        bias: true,
    });
    let f = evaluate(&fc, Shape::new(16, 5, 5)).unwrap();
    assert_eq!((f.weights, f.biases, f.macs), (4000, 10, 4000));
}

#[test]
fn dilation_widens_the_window_but_not_the_weights() {
    // PyTorch: Conv2d(8, 16, 3, padding=2, dilation=2) keeps 20×20; 5×5 reach, 3·3·8·16.
    let mut kind = conv(16, 3, 1, 2);
    if let LayerKind::Conv(c) = &mut kind {
        c.dilation = Pair::square(2);
    }
    let f = evaluate(&kind, Shape::new(8, 20, 20)).unwrap();
    assert_eq!(f.output, Shape::new(16, 20, 20));
    assert_eq!((f.weights, f.macs), (1152, 1152 * 400));
    if let LayerKind::Conv(c) = &mut kind {
        c.dilation = Pair::square(12);
    }
    let err = evaluate(&kind, Shape::new(8, 20, 20)).unwrap_err();
    assert!(err.contains("dilated to 25"), "{err}");
}

#[test]
fn padding_per_side_counts_each_side_once() {
    // TensorFlow's "same" for 3×3 stride 2 on 224: pad 0 before, 1 after → 112.
    let mut kind = conv(32, 3, 2, 0);
    if let LayerKind::Conv(c) = &mut kind {
        c.padding = Padding {
            begin: Pair::square(0),
            end: Pair::square(1),
        };
    }
    let f = evaluate(&kind, Shape::new(3, 224, 224)).unwrap();
    assert_eq!(f.output, Shape::new(32, 112, 112));
}

#[test]
fn ceil_mode_drops_a_window_past_the_input_even_unpadded() {
    // PyTorch MaxPool2d(2, 3, ceil_mode=True) on 6×6 gives 2×2 (Caffe would give 3×3).
    let f = evaluate(&max_pool(2, 3, 0, true), Shape::new(1, 6, 6)).unwrap();
    assert_eq!(f.output, Shape::new(1, 2, 2));
}

#[test]
fn adaptive_pool_and_lrn_keep_channels_and_count_nothing() {
    let pooled = LayerKind::AdaptiveAvgPool {
        output: Pair::new(6, 6),
    };
    let f = evaluate(&pooled, Shape::new(256, 13, 13)).unwrap();
    assert_eq!((f.output, f.weights, f.macs), (Shape::new(256, 6, 6), 0, 0));
    let lrn = LayerKind::Lrn(Lrn {
        size: 0,
        alpha: 1e-4,
        beta: 0.75,
        k: 1.0,
    });
    assert!(evaluate(&lrn, Shape::new(64, 8, 8)).is_err());
}
