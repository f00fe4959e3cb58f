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

/// A 2-D convolution. Padding is symmetric per axis, as in Caffe and PyTorch's `padding=(ph, pw)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Conv {
    pub out_channels: usize,
    pub kernel: Pair,
    pub stride: Pair,
    pub padding: Pair,
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
            padding: Pair::square(kernel / 2),
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
    pub padding: Pair,
    pub ceil_mode: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FullyConnected {
    pub out_features: usize,
    pub bias: bool,
}

/// What a layer computes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LayerKind {
    Conv(Conv),
    Pool(Pool),
    /// Averages each channel's whole map to one value (NIN's and GoogLeNet's classifier input).
    GlobalAvgPool,
    Relu,
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
            LayerKind::BatchNorm | LayerKind::Relu | LayerKind::Dropout { .. }
        )
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
