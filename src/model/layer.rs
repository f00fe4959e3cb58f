//! Single layers: what each one is, as plain data. Shapes and counts live in `analysis`.

use std::fmt;

/// A pair of sizes along (height, width): kernels, strides and paddings may differ per axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pair {
    pub h: usize,
    pub w: usize,
}

impl Pair {
    pub const fn square(n: usize) -> Self {
        Self { h: n, w: n }
    }

    pub const fn new(h: usize, w: usize) -> Self {
        Self { h, w }
    }

    pub const fn is_square(self) -> bool {
        self.h == self.w
    }
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}×{}", self.h, self.w)
    }
}

/// Zero padding on each side: `begin` is (top, left), `end` is (bottom, right). Caffe and
/// PyTorch pad both sides alike; ONNX and TensorFlow's "same" may pad one more at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Padding {
    pub begin: Pair,
    pub end: Pair,
}

impl Padding {
    pub const fn same(p: Pair) -> Self {
        Self { begin: p, end: p }
    }

    pub const fn square(n: usize) -> Self {
        Self::same(Pair::square(n))
    }

    pub const fn new(h: usize, w: usize) -> Self {
        Self::same(Pair::new(h, w))
    }

    pub const fn is_symmetric(self) -> bool {
        self.begin.h == self.end.h && self.begin.w == self.end.w
    }

    pub const fn is_zero(self) -> bool {
        self.begin.h == 0 && self.begin.w == 0 && self.end.h == 0 && self.end.w == 0
    }

    /// The padding added along (height, width), both sides together.
    pub const fn total(self) -> Pair {
        Pair::new(
            self.begin.h.saturating_add(self.end.h),
            self.begin.w.saturating_add(self.end.w),
        )
    }
}

impl fmt::Display for Padding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_symmetric() {
            self.begin.fmt(f)
        } else {
            write!(
                f,
                "{},{},{},{}",
                self.begin.h, self.begin.w, self.end.h, self.end.w
            )
        }
    }
}

/// A 2-D convolution; `dilation` spaces the kernel's taps (1: adjacent).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Conv {
    pub out_channels: usize,
    pub kernel: Pair,
    pub stride: Pair,
    pub padding: Padding,
    pub dilation: Pair,
    pub groups: usize,
    pub bias: bool,
}

impl Conv {
    /// A stride-1 convolution with "same" padding for odd kernels and a bias, the common case.
    pub const fn new(out_channels: usize, kernel: usize) -> Self {
        Self {
            out_channels,
            kernel: Pair::square(kernel),
            stride: Pair::square(1),
            padding: Padding::square(kernel / 2),
            dilation: Pair::square(1),
            groups: 1,
            bias: true,
        }
    }

    /// A 1×1 kernel: the pointwise convolution this tool is about (any stride or groups).
    pub const fn is_pointwise(&self) -> bool {
        self.kernel.h == 1 && self.kernel.w == 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolKind {
    Max,
    Avg,
}

/// Max or average pooling over a window.
///
/// `ceil_mode` is where Caffe (always ceil) and PyTorch (floor unless asked) differ; the same
/// block gives 27×27 or 26×26 after NIN's first pool depending on it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Pool {
    pub kind: PoolKind,
    pub kernel: Pair,
    pub stride: Pair,
    pub padding: Padding,
    pub ceil_mode: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FullyConnected {
    pub out_features: usize,
    pub bias: bool,
}

/// Local response normalisation across channels (Caffe's AlexNet and GoogLeNet): no
/// parameters and no multiply-accumulates counted. The constants are kept as written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lrn {
    pub size: usize,
    pub alpha: f64,
    pub beta: f64,
    pub k: f64,
}

// The constants come from finite JSON numbers, so bitwise equality is equality.
impl Eq for Lrn {}

impl std::hash::Hash for Lrn {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.size.hash(state);
        for x in [self.alpha, self.beta, self.k] {
            x.to_bits().hash(state);
        }
    }
}

/// What a layer computes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LayerKind {
    Conv(Conv),
    Pool(Pool),
    /// Averages each channel's whole map to one value (NIN's and GoogLeNet's classifier input).
    GlobalAvgPool,
    Relu,
    /// min(max(x, 0), 6): MobileNet v2's activation.
    Relu6,
    Lrn(Lrn),
    /// Average pooling to a fixed output size, windows placed as PyTorch's
    /// `AdaptiveAvgPool2d` places them (torchvision's AlexNet and VGG heads).
    AdaptiveAvgPool {
        output: Pair,
    },
    /// Per-channel scale and shift: 2·C parameters (running statistics are buffers, not counted).
    BatchNorm,
    FullyConnected(FullyConnected),
    Flatten,
    /// Dropout probability in per mille, so the model stays `Eq` and hashable.
    Dropout {
        per_mille: u16,
    },
}

impl LayerKind {
    /// A short lowercase word for tables and the export ("conv", "max_pool", ...).
    pub fn label(&self) -> &'static str {
        match self {
            LayerKind::Conv(_) => "conv",
            LayerKind::Pool(Pool {
                kind: PoolKind::Max,
                ..
            }) => "max_pool",
            LayerKind::Pool(Pool {
                kind: PoolKind::Avg,
                ..
            }) => "avg_pool",
            LayerKind::GlobalAvgPool => "global_avg_pool",
            LayerKind::Relu => "relu",
            LayerKind::Relu6 => "relu6",
            LayerKind::Lrn(_) => "lrn",
            LayerKind::AdaptiveAvgPool { .. } => "adaptive_avg_pool",
            LayerKind::BatchNorm => "batch_norm",
            LayerKind::FullyConnected(_) => "fc",
            LayerKind::Flatten => "flatten",
            LayerKind::Dropout { .. } => "dropout",
        }
    }

    /// Layers that ride along with the convolution before them (BN, activations, dropout): the
    /// counterpart without 1×1 convolutions drops them together with their conv, and the
    /// reduce/mix rules look through them.
    pub fn is_attachment(&self) -> bool {
        matches!(
            self,
            LayerKind::BatchNorm | LayerKind::Relu | LayerKind::Relu6 | LayerKind::Dropout { .. }
        )
    }

    /// A non-linearity the counts call one (ReLU, ReLU6).
    pub fn is_activation(&self) -> bool {
        matches!(self, LayerKind::Relu | LayerKind::Relu6)
    }

    pub fn as_conv(&self) -> Option<&Conv> {
        match self {
            LayerKind::Conv(conv) => Some(conv),
            _ => None,
        }
    }
}

/// One layer of a block, with the name its paper or model gives it ("3x3 reduce", "cccp1").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Layer {
    pub name: Option<String>,
    pub kind: LayerKind,
    /// Set when the user asked to run the block without this 1×1 convolution; analysis removes
    /// it by the same rule the counterpart uses, and clearing the flag restores it.
    pub bypassed: bool,
}

impl Layer {
    pub fn new(kind: LayerKind) -> Self {
        Self {
            name: None,
            kind,
            bypassed: false,
        }
    }

    pub fn named(name: impl Into<String>, kind: LayerKind) -> Self {
        Self {
            name: Some(name.into()),
            kind,
            bypassed: false,
        }
    }

    pub fn as_conv(&self) -> Option<&Conv> {
        self.kind.as_conv()
    }

    pub fn is_pointwise_conv(&self) -> bool {
        self.as_conv().is_some_and(Conv::is_pointwise)
    }
}
