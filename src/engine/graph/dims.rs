//! The dims of every node's output, and the checks that an op's operands fit its input.

use super::{ConvSpec, GraphError, Op, PoolSpec};

/// Largest number of floats one value may hold (16 GiB of f32): the plan's memory budget
/// refuses far less, this only keeps every size product exact.
const MAX_ELEMENTS: usize = 1 << 32;

/// Channels × height × width of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dims {
    pub c: usize,
    pub h: usize,
    pub w: usize,
}

impl Dims {
    pub const fn new(c: usize, h: usize, w: usize) -> Self {
        Dims { c, h, w }
    }

    pub const fn pixels(self) -> usize {
        self.h * self.w
    }

    pub const fn elements(self) -> usize {
        self.c * self.h * self.w
    }

    pub(super) fn check(self) -> Result<(), GraphError> {
        if self.c == 0 || self.h == 0 || self.w == 0 {
            return Err(GraphError::Shape(format!(
                "{}×{}×{} has a zero dimension",
                self.h, self.w, self.c
            )));
        }
        let fits = self
            .c
            .checked_mul(self.h)
            .and_then(|n| n.checked_mul(self.w))
            .is_some_and(|n| n <= MAX_ELEMENTS);
        if !fits {
            return Err(GraphError::Shape(format!(
                "{}×{}×{} has more than {MAX_ELEMENTS} values",
                self.h, self.w, self.c
            )));
        }
        Ok(())
    }
}

/// A sliding window: kernel, stride and symmetric padding, each as (height, width).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    pub kernel: (usize, usize),
    pub stride: (usize, usize),
    pub padding: (usize, usize),
}

impl Window {
    pub const fn square(kernel: usize, stride: usize, padding: usize) -> Self {
        Window {
            kernel: (kernel, kernel),
            stride: (stride, stride),
            padding: (padding, padding),
        }
    }

    /// Output (height, width) on an `h × w` input: `floor((in + 2p − k) / s) + 1`, or with
    /// `ceil` the ceiling, less a last window that would start inside the right padding or past the input (PyTorch).
    pub fn output(&self, h: usize, w: usize, ceil: bool) -> Result<(usize, usize), GraphError> {
        let axis = |size: usize, k: usize, s: usize, p: usize| {
            if k == 0 || s == 0 {
                return Err(GraphError::Shape(format!(
                    "window {}×{} stride {}×{}: kernel and stride must be at least 1",
                    self.kernel.0, self.kernel.1, self.stride.0, self.stride.1
                )));
            }
            let padded = size + 2 * p;
            if k > padded {
                return Err(GraphError::Shape(format!(
                    "kernel {}×{} is larger than its padded input {}×{}",
                    self.kernel.0,
                    self.kernel.1,
                    h + 2 * self.padding.0,
                    w + 2 * self.padding.1
                )));
            }
            let span = padded - k;
            let mut out = if ceil { span.div_ceil(s) } else { span / s } + 1;
            if ceil && (out - 1) * s >= size + p {
                out -= 1;
            }
            Ok(out)
        };
        Ok((
            axis(h, self.kernel.0, self.stride.0, self.padding.0)?,
            axis(w, self.kernel.1, self.stride.1, self.padding.1)?,
        ))
    }

    pub(crate) const fn taps(&self) -> usize {
        self.kernel.0 * self.kernel.1
    }
}

fn length(what: &'static str, expected: usize, actual: usize) -> Result<(), GraphError> {
    if expected == actual {
        Ok(())
    } else {
        Err(GraphError::Length {
            what,
            expected,
            actual,
        })
    }
}

fn conv_output(
    spec: &ConvSpec,
    input: Dims,
    weights: &[f32],
    bias: Option<&[f32]>,
) -> Result<Dims, GraphError> {
    let g = spec.groups;
    if g == 0
        || !input.c.is_multiple_of(g)
        || !spec.out_channels.is_multiple_of(g)
        || spec.out_channels == 0
    {
        return Err(GraphError::Shape(format!(
            "{} groups do not divide {} input and {} output channels",
            g, input.c, spec.out_channels
        )));
    }
    let (h, w) = spec.window.output(input.h, input.w, false)?;
    let per_filter = input.c / g * spec.window.taps();
    length(
        "conv weights",
        spec.out_channels * per_filter,
        weights.len(),
    )?;
    if let Some(bias) = bias {
        length("conv bias", spec.out_channels, bias.len())?;
    }
    Ok(Dims::new(spec.out_channels, h, w))
}

fn pool_output(spec: &PoolSpec, input: Dims) -> Result<Dims, GraphError> {
    let (h, w) = spec.window.output(input.h, input.w, spec.ceil_mode)?;
    Ok(Dims::new(input.c, h, w))
}

/// The output dims of `op` on inputs of `dims` (one per input, in order).
pub(super) fn output(op: &Op, dims: &[Dims]) -> Result<Dims, GraphError> {
    let first = dims.first().copied();
    let one = || first.ok_or_else(|| GraphError::Shape("an op without an input".into()));
    match op {
        Op::Input => Err(GraphError::Shape(
            "only the graph's first node is its input".into(),
        )),
        Op::Conv {
            spec,
            weights,
            bias,
            ..
        } => conv_output(spec, one()?, weights, bias.as_deref()),
        Op::BatchNorm {
            gamma,
            beta,
            mean,
            var,
            ..
        } => {
            let d = one()?;
            for (what, v) in [
                ("batch-norm gamma", gamma),
                ("batch-norm beta", beta),
                ("batch-norm mean", mean),
                ("batch-norm variance", var),
            ] {
                length(what, d.c, v.len())?;
            }
            Ok(d)
        }
        Op::Relu { .. } | Op::Relu6 { .. } => one(),
        Op::Lrn { spec, .. } => {
            let finite = [spec.alpha, spec.beta, spec.k]
                .iter()
                .all(|x| x.is_finite());
            if spec.size == 0 || !finite || spec.k <= 0.0 || spec.alpha < 0.0 {
                return Err(GraphError::Shape(format!(
                    "local response normalisation needs a size of at least 1, k above 0 and \
                     alpha at least 0 (size {}, alpha {}, beta {}, k {})",
                    spec.size, spec.alpha, spec.beta, spec.k
                )));
            }
            one()
        }
        Op::Pool { spec, .. } => pool_output(spec, one()?),
        Op::GlobalAvgPool { .. } => Ok(Dims::new(one()?.c, 1, 1)),
        Op::FullyConnected { weights, bias, .. } => {
            let features = one()?.elements();
            if weights.is_empty() || !weights.len().is_multiple_of(features) {
                return Err(GraphError::Length {
                    what: "fully connected weights",
                    expected: features,
                    actual: weights.len(),
                });
            }
            let out = weights.len() / features;
            if let Some(bias) = bias {
                length("fully connected bias", out, bias.len())?;
            }
            Ok(Dims::new(out, 1, 1))
        }
        Op::Reshape { .. } => Ok(Dims::new(one()?.elements(), 1, 1)),
        Op::Add { .. } => {
            let (a, b) = (dims[0], dims[1]);
            if a != b {
                return Err(GraphError::Shape(format!(
                    "cannot add {}×{}×{} to {}×{}×{}",
                    a.h, a.w, a.c, b.h, b.w, b.c
                )));
            }
            Ok(a)
        }
        Op::Concat { .. } => {
            let d = one()?;
            if let Some(other) = dims.iter().find(|o| (o.h, o.w) != (d.h, d.w)) {
                return Err(GraphError::Shape(format!(
                    "cannot concatenate {}×{} with {}×{}",
                    d.h, d.w, other.h, other.w
                )));
            }
            Ok(Dims::new(dims.iter().map(|d| d.c).sum(), d.h, d.w))
        }
    }
}
