//! What each step of a plan runs, and how a fused step becomes it: the pointwise engine, the
//! implicit GEMM or im2col for a k×k convolution, a streaming window, or an elementwise pass,
//! with batch norm folded into the weights.

use super::fuse::Work;
use super::{Op, PoolKind, Value};
use crate::engine::block_sizes::Blocking;
use crate::engine::cache::Caches;
use crate::engine::conv;
use crate::engine::lane_conv;
use crate::engine::lanes::{self, MAX_PIXELS};
use crate::engine::partition::{self, Part};
use crate::engine::pool::Pooling;
use crate::engine::simd::{LANES, NR};
use crate::engine::window::Geometry;
use crate::engine::{Activation, LrnSpec, PointwiseShape};

/// The largest im2col buffer a convolution may use (about an L2's worth of rows is the point).
const IM2COL_MAX_BYTES: usize = 8 << 20;

/// How a k×k convolution (not depthwise) is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ConvPath {
    /// Im2col on small images, implicit GEMM elsewhere (see `Run::Im2col`).
    #[default]
    Auto,
    /// Implicit GEMM over the phase planes, always (for tests and tuning).
    Implicit,
    /// Im2col wherever the group count is 1 (for tests and tuning).
    Im2col,
    /// Output channels in the lanes wherever the output has at most `lanes::MAX_PIXELS`
    /// pixels and one group, 1×1 convolutions included (for tests and tuning).
    Lanes,
    /// Output channels in the lanes over the phase planes (`Run::LaneConv`) for every k×k
    /// convolution that is not depthwise (for tests and tuning).
    Direct,
}

/// What a compiled step runs.
#[derive(Debug)]
pub(super) enum Run {
    /// A 1×1 stride-1 convolution or a fully connected layer, on the pointwise engine or, on
    /// few pixels, with the output channels in the lanes.
    Pointwise {
        shape: PointwiseShape,
        weights: GemmWeights,
        bias: Option<Vec<f32>>,
    },
    /// Output channels in the lanes over the phase planes, exact outputs
    /// (`lane_conv::run`); weights packed by `lane_conv::pack`.
    LaneConv {
        geo: Geometry,
        groups: usize,
        m: usize,
        k: usize,
        kc: usize,
        steps: Vec<usize>,
        last_steps: Vec<usize>,
        weights: Vec<f32>,
        bias: Option<Vec<f32>>,
    },
    /// Implicit GEMM over phase planes, per group; weights packed by `conv::pack_weights`.
    Conv {
        geo: Geometry,
        groups: usize,
        m: usize,
        k: usize,
        /// Channels per K block, and where the steps of a whole block and of the last read
        /// their input (`conv::steps`).
        kc: usize,
        steps: Vec<usize>,
        last_steps: Vec<usize>,
        weights: Vec<f32>,
        bias: Option<Vec<f32>>,
        /// Each group's output split among the threads, made once.
        parts: Vec<(usize, Part)>,
    },
    /// Small images, where the wide layout's extra columns would be a tenth of the work or
    /// more: every tap's shifted input copied into rows (im2col, `C_in·taps × H·W`), then one
    /// pointwise GEMM with the weights as they are (`[C_out][C_in·taps]`) straight into the
    /// output.
    Im2col {
        geo: Geometry,
        shape: PointwiseShape,
        shifts: Vec<usize>,
        weights: GemmWeights,
        bias: Option<Vec<f32>>,
    },
    /// One input channel per group: `multiplier` output channels each, weights `[C_out][tap]`.
    Depthwise {
        geo: Geometry,
        multiplier: usize,
        shifts: Vec<usize>,
        weights: Vec<f32>,
        bias: Vec<f32>,
    },
    Pool {
        pooling: Pooling,
        kind: PoolKind,
        /// Average pooling's `1 / divisor` per output pixel.
        recip: Option<Vec<f32>>,
    },
    GlobalAvgPool {
        pixels: usize,
    },
    Affine {
        pixels: usize,
        scale: Vec<f32>,
        shift: Vec<f32>,
    },
    Clamp(Activation),
    Lrn {
        spec: LrnSpec,
        pixels: usize,
    },
    Add {
        b: usize,
    },
    Copy,
}

/// A GEMM's weights, laid out for the kernel that runs it.
#[derive(Debug)]
pub(super) enum GemmWeights {
    /// `[C_out][C_in]`, for the pointwise engine.
    Rows(Vec<f32>),
    /// Panels from `lanes::pack`, and the K block the lanes GEMM steps by.
    Lanes { panels: Vec<f32>, kc: usize },
}

impl GemmWeights {
    /// `weights` (`[m][k]`) for the lanes GEMM on `pixels` pixels when `lanes`, else as they are.
    fn new(weights: Vec<f32>, m: usize, k: usize, pixels: usize, lanes: bool) -> GemmWeights {
        if lanes {
            GemmWeights::Lanes {
                panels: lanes::pack(&weights, m, k),
                kc: lanes::k_block(Caches::detect().l1d, pixels),
            }
        } else {
            GemmWeights::Rows(weights)
        }
    }

    /// Floats held.
    pub fn floats(&self) -> usize {
        match self {
            GemmWeights::Rows(w) | GemmWeights::Lanes { panels: w, .. } => w.len(),
        }
    }
}

/// Scales a filter's weights and bias by a folded batch norm: `w·s`, `b·s + t`.
fn fold(
    weights: &[f32],
    bias: Option<&[f32]>,
    folded: Option<&(Vec<f32>, Vec<f32>)>,
    outs: usize,
) -> (Vec<f32>, Option<Vec<f32>>) {
    let Some((scale, shift)) = folded else {
        return (weights.to_vec(), bias.map(<[f32]>::to_vec));
    };
    let per = weights.len() / outs;
    let w = weights
        .iter()
        .enumerate()
        .map(|(i, w)| w * scale[i / per])
        .collect();
    let b = (0..outs)
        .map(|o| bias.map_or(0.0, |b| b[o]) * scale[o] + shift[o])
        .collect();
    (w, Some(b))
}

/// Whether a GEMM on `pixels` pixels runs faster with the output channels in the lanes: when
/// it has few enough for them (`lanes::MAX_PIXELS`) and a tenth or more of them fall past the
/// last whole pixel vector, to the narrow tails. Measured on an Intel AVX-512 core, one thread,
/// four interleaved rounds of NIN: at 6×6 (36 pixels, four in the tail) the 3×3 384→1024 took
/// 0.78× the time of its implicit GEMM and the 1×1s 1024→1024 0.94–0.97× the pointwise
/// engine's; at 7×7 (one pixel in the tail) ResNet-50's last stage took 1.2–1.4× as long.
fn lanes_pay(pixels: usize) -> bool {
    pixels <= MAX_PIXELS && (pixels % LANES) * 10 >= pixels
}

/// Whether a convolution of `steps` (input channels × taps) per output runs faster with the
/// output channels in the lanes (`Run::LaneConv`) than as the implicit GEMM, which computes a
/// `wasted` share of its outputs only to drop them: where the dropped columns cost at least
/// half a vector FMA per kept output (`steps / LANES · wasted / (1 − wasted)`), about what the
/// lane path's transposing store costs. Measured on Zen 4 (AVX-512, one thread, interleaved
/// rounds of GoogLeNet, ResNet-50, NIN and AlexNet, per layer, lane path against the one
/// before): 3×3s and 5×5s 4–26% faster (5 FMAs and more), 3×3 64→64 at 56×56 level (1.2),
/// 11×11 stride-4 stems 3% faster (0.8); the 7×7 stride-2 stem on three channels (0.25) 3–7%
/// slower, stride-2 1×1s (nothing wasted) level to 8% slower.
fn direct_pays(steps: usize, wasted: f64) -> bool {
    steps as f64 / LANES as f64 * wasted >= 0.5 * (1.0 - wasted)
}

pub(super) fn compile(
    work: &Work,
    nodes: &[super::Node],
    input: Value,
    offsets: &[Option<usize>],
    threads: usize,
    blocking: Blocking,
    path: ConvPath,
) -> Run {
    let i = nodes[input].dims;
    match work {
        Work::Linear { node, folded } => match &node.op {
            Op::FullyConnected { weights, bias, .. } => {
                let outs = node.dims.c;
                let (weights, bias) = fold(weights, bias.as_deref(), folded.as_ref(), outs);
                // A GEMV stays on the pointwise engine: with the output channels in the lanes
                // AlexNet's classifier took 0.89–0.92× the time on one thread but 1.03–1.08× on
                // two (Intel AVX-512, three interleaved rounds).
                Run::Pointwise {
                    shape: PointwiseShape::new(i.elements(), outs, 1, 1),
                    weights: GemmWeights::Rows(weights),
                    bias,
                }
            }
            Op::Conv {
                spec,
                weights,
                bias,
                ..
            } => {
                let o = node.dims;
                let (weights, bias) = fold(weights, bias.as_deref(), folded.as_ref(), o.c);
                let win = spec.window;
                let g = spec.groups;
                let pointwise =
                    win.kernel == (1, 1) && win.stride == (1, 1) && win.padding == (0, 0) && g == 1;
                let few = g == 1 && o.h * o.w <= MAX_PIXELS;
                let lanes = few
                    && match path {
                        ConvPath::Auto => lanes_pay(o.h * o.w),
                        ConvPath::Lanes => true,
                        ConvPath::Implicit | ConvPath::Im2col | ConvPath::Direct => false,
                    };
                if pointwise {
                    return Run::Pointwise {
                        shape: PointwiseShape::new(i.c, o.c, i.h, i.w),
                        weights: GemmWeights::new(weights, o.c, i.c, o.h * o.w, lanes),
                        bias,
                    };
                }
                let geo = Geometry::new(i, win, (o.h, o.w));
                let (m, k, taps) = (o.c / g, i.c / g, win.taps());
                if k == 1 {
                    return Run::Depthwise {
                        shifts: geo.shifts(),
                        geo,
                        multiplier: m,
                        weights,
                        bias: bias.unwrap_or_else(|| vec![0.0; o.c]),
                    };
                }
                // Im2col where the wide layout wastes a tenth or more (3×3 on 14×14 computes
                // 210 outputs per channel for 196; on 7×7, 56 for 49) and its rows stay small,
                // unless the wide rows fill whole register tiles: then the implicit GEMM has
                // neither a part tile nor a copy to make. Measured on an Intel AVX-512 core, one
                // thread, three interleaved rounds: 3×3 256→384 at 13×13 (192 wide, four tiles)
                // 1.63–1.77 ms against im2col's 1.86–2.04, 384→1024 at 6×6 (48, one tile)
                // 1.79–1.91 against 2.14–2.32; in an AVX2 build there 3.19–3.22 against
                // 3.63–3.69 on the 6×6, and level on 14×14 (216 wide, nine tiles of 24). Where a
                // part tile is left, im2col stays ahead: 512→512 at 7×7 ran 2.95 ms implicit
                // against 1.50.
                let wasted = 1.0 - (o.h * o.w) as f64 / geo.n_wide as f64;
                let direct = match path {
                    ConvPath::Auto => direct_pays(k * taps, wasted),
                    ConvPath::Direct => true,
                    _ => false,
                };
                if direct {
                    let (kc, steps, last_steps) = conv::step_tables(blocking, &geo, k);
                    return Run::LaneConv {
                        steps,
                        last_steps,
                        weights: lane_conv::pack(&weights, (g, m, k, taps), kc),
                        geo,
                        groups: g,
                        m,
                        k,
                        kc,
                        bias,
                    };
                }
                let whole_tiles = geo.n_wide.is_multiple_of(NR);
                let rows = i.c * taps * o.h * o.w;
                let im2col = match path {
                    ConvPath::Auto => {
                        (lanes || wasted >= 0.1 && !whole_tiles)
                            && rows * size_of::<f32>() <= IM2COL_MAX_BYTES
                    }
                    ConvPath::Implicit | ConvPath::Direct => false,
                    ConvPath::Im2col => true,
                    ConvPath::Lanes => few,
                };
                if g == 1 && im2col {
                    return Run::Im2col {
                        shifts: geo.shifts(),
                        shape: PointwiseShape::new(i.c * taps, o.c, o.h, o.w),
                        geo,
                        weights: GemmWeights::new(weights, o.c, i.c * taps, o.h * o.w, lanes),
                        bias,
                    };
                }
                let (kc, steps, last_steps) = conv::step_tables(blocking, &geo, k);
                // Split the operand read least: every part of a pixel split reads all of the
                // group's weights, every part of a channel split all of its input planes, in
                // every phase (NIN's 11×11 stride-4 stem has 16: split by channels for its small
                // weights, it ran 10% slower on two threads).
                let by_rows = m * k * taps > geo.planes_len() / g;
                let parts = (0..g)
                    .flat_map(|group| {
                        partition::plan_split(m, geo.n_wide, threads, by_rows)
                            .into_iter()
                            .map(move |part| (group, part))
                    })
                    .collect();
                Run::Conv {
                    parts,
                    steps,
                    last_steps,
                    weights: conv::pack_weights(&weights, (g, m, k, taps), kc, &conv::row_tiles(m)),
                    geo,
                    groups: g,
                    m,
                    k,
                    kc,
                    bias,
                }
            }
            _ => unreachable!("only convolutions and fully connected layers are linear steps"),
        },
        Work::Pool(node) => {
            let Op::Pool { spec, .. } = &node.op else {
                unreachable!("a pool step is a pool node")
            };
            let o = node.dims;
            let win = spec.window;
            // 1 / the window's size clipped to the padded input, per output pixel.
            let clipped = |o: usize, axis: usize, size: usize| {
                let pick = |p: (usize, usize)| if axis == 0 { p.0 } else { p.1 };
                super::reference::clipped(
                    o,
                    pick(win.stride),
                    pick(win.kernel),
                    pick(win.padding),
                    size,
                )
            };
            let recip = (spec.kind == PoolKind::Avg).then(|| {
                (0..o.h)
                    .flat_map(|oy| (0..o.w).map(move |ox| (oy, ox)))
                    .map(|(oy, ox)| 1.0 / (clipped(oy, 0, i.h) * clipped(ox, 1, i.w)) as f32)
                    .collect()
            });
            Run::Pool {
                pooling: Pooling {
                    h: i.h,
                    w: i.w,
                    ho: o.h,
                    wo: o.w,
                    kernel: win.kernel,
                    stride: win.stride,
                    padding: win.padding,
                },
                kind: spec.kind,
                recip,
            }
        }
        Work::GlobalAvgPool => Run::GlobalAvgPool { pixels: i.pixels() },
        Work::Affine { scale, shift } => Run::Affine {
            pixels: i.pixels(),
            scale: scale.clone(),
            shift: shift.clone(),
        },
        Work::Clamp(activation) => Run::Clamp(*activation),
        Work::Lrn(node) => match &node.op {
            Op::Lrn { spec, .. } => Run::Lrn {
                spec: *spec,
                pixels: i.pixels(),
            },
            _ => unreachable!("a normalisation step is a normalisation node"),
        },
        Work::Add { b } => Run::Add {
            b: offsets[*b].expect("an addend is laid out"),
        },
        Work::Copy => Run::Copy,
    }
}
