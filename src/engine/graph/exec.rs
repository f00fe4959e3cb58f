//! Running a compiled step: every operand is a range of the plan's arena that the layout keeps
//! apart from the step's output, so the step reads and writes them through raw parts, on as
//! many threads as the plan has.

use core::slice;

use super::PoolKind;
use super::compile::{GemmWeights, Run};
use super::plan::{Compiled, Plan};
use crate::engine::conv::{self, ConvGemm};
use crate::engine::lane_conv::{self, LaneConv};
use crate::engine::lanes::{self, LaneGemm};
use crate::engine::parallel::{Disjoint, for_each};
use crate::engine::pool_reduce::Reduce;
use crate::engine::simd::MR;
use crate::engine::window::{Finish, Geometry, stream};
use crate::engine::{Activation, EngineError, Epilogue, PointwiseShape};

impl Plan {
    pub(super) fn execute(&mut self, i: usize) -> Result<(), EngineError> {
        let step: &Compiled = &self.steps[i];
        let arena = self.arena.as_mut_ptr();
        // SAFETY: the layout places every value a step reads apart from the value it writes,
        // and all inside the arena.
        let (input, out, add) = unsafe {
            (
                slice::from_raw_parts(arena.add(step.input.0), step.input.1),
                slice::from_raw_parts_mut(arena.add(step.out.0), step.out.1),
                step.add
                    .map(|a| slice::from_raw_parts(arena.add(a), step.out.1)),
            )
        };
        let activation = step.activation;
        let pool = self.engine.pool.as_deref();
        let threads = self.engine.threads;
        let engine = &self.engine;
        // A GEMM with this step's store (bias, the addend, the activation): on the pointwise
        // engine, or with the output channels in the lanes.
        let gemm = |shape: PointwiseShape,
                    weights: &GemmWeights,
                    bias: &Option<Vec<f32>>,
                    x: &[f32],
                    out: &mut [f32]| {
            let epilogue = Epilogue {
                bias: bias.as_deref(),
                add,
                activation,
            };
            match weights {
                GemmWeights::Rows(w) => engine.run(shape, w, x, epilogue, out),
                GemmWeights::Lanes { panels, kc } => {
                    let g = LaneGemm {
                        m: shape.c_out,
                        k: shape.c_in,
                        n: shape.h * shape.w,
                        kc: *kc,
                        panels,
                        x,
                    };
                    lanes::run(pool, threads, &g, epilogue, out);
                    Ok(())
                }
            }
        };
        match &step.run {
            Run::Pointwise {
                shape,
                weights,
                bias,
            } => gemm(*shape, weights, bias, input, out)?,
            Run::Conv {
                geo,
                m,
                k,
                kc,
                steps,
                last_steps,
                weights,
                bias,
                parts,
                ..
            } => {
                let planes = Disjoint(self.planes.as_mut_ptr());
                fill(pool, threads, geo, input, 0.0, planes);
                let wide = Disjoint(self.wide.as_mut_ptr());
                let blocking = self.engine.blocking;
                let taps = geo.window.taps();
                let group_floats = m.div_ceil(MR) * MR * k * taps;
                let gemm = |g: usize| ConvGemm {
                    k: *k,
                    n: geo.n_wide,
                    // SAFETY (three offsets): group g's weights, planes and wide rows.
                    w: unsafe { weights.as_ptr().add(g * group_floats) },
                    x: unsafe { planes.ptr().add(g * k * geo.plane) },
                    ldb: geo.plane,
                    kc: *kc,
                    steps: steps.as_ptr(),
                    last_steps: last_steps.as_ptr(),
                    ntaps: taps,
                    c: unsafe { wide.ptr().add(g * m * geo.n_wide) },
                    bias: bias.as_ref().map(|b| unsafe { b.as_ptr().add(g * m) }),
                };
                for_each(pool, threads, parts.len(), &|p, _| {
                    let (g, part) = &parts[p];
                    // SAFETY: parts cover each group's output once, in whole vectors.
                    unsafe {
                        conv::rectangle(&gemm(*g), part.rows.clone(), part.cols.clone(), blocking)
                    };
                });
                let wide = &self.wide;
                compact_all(pool, threads, geo, out, add, activation, &|c| {
                    &wide[c * geo.n_wide..(c + 1) * geo.n_wide]
                });
            }
            Run::LaneConv {
                geo,
                groups,
                m,
                k,
                kc,
                steps,
                last_steps,
                weights,
                bias,
            } => {
                let planes = Disjoint(self.planes.as_mut_ptr());
                fill(pool, threads, geo, input, 0.0, planes);
                let c = LaneConv {
                    geo,
                    groups: *groups,
                    m: *m,
                    k: *k,
                    kc: *kc,
                    steps,
                    last_steps,
                    weights,
                    planes: &self.planes,
                };
                let epilogue = Epilogue {
                    bias: bias.as_deref(),
                    add,
                    activation,
                };
                lane_conv::run(pool, threads, &c, epilogue, out);
            }
            Run::Im2col {
                geo,
                shape,
                shifts,
                weights,
                bias,
            } => {
                let planes = Disjoint(self.planes.as_mut_ptr());
                fill(pool, threads, geo, input, 0.0, planes);
                let pixels = geo.ho * geo.wo;
                let taps = shifts.len();
                let cols = Disjoint(self.wide.as_mut_ptr());
                let planes = &self.planes;
                // Row (ci, tap) of the columns: the tap's shifted plane, compacted.
                for_each(pool, threads, geo.input.c, &|ci, _| {
                    for (t, &shift) in shifts.iter().enumerate() {
                        let from = &planes[ci * geo.plane + shift..];
                        // SAFETY: row (ci, t) of the columns is this call's alone, and the
                        // plan made room for C_in·taps rows of H·W.
                        let row = unsafe { cols.part((ci * taps + t) * pixels, pixels) };
                        geo.compact(from, Finish::default(), row);
                    }
                });
                let cols = &self.wide[..shape.c_in * pixels];
                gemm(*shape, weights, bias, cols, out)?;
            }
            Run::Depthwise {
                geo,
                multiplier,
                shifts,
                weights,
                bias,
            } => {
                let planes = Disjoint(self.planes.as_mut_ptr());
                fill(pool, threads, geo, input, 0.0, planes);
                let taps = shifts.len();
                windowed(
                    pool,
                    threads,
                    geo,
                    &self.planes,
                    &mut self.wide,
                    out,
                    add,
                    activation,
                    &|c| {
                        (
                            c / multiplier,
                            (&weights[c * taps..(c + 1) * taps], bias[c]),
                        )
                    },
                    shifts,
                );
            }
            Run::Pool {
                pooling,
                kind,
                recip,
            } => {
                let how = match kind {
                    PoolKind::Max => Reduce::Max,
                    PoolKind::Avg => Reduce::Sum,
                };
                let (plane, pixels) = (pooling.h * pooling.w, pooling.ho * pooling.wo);
                let need = pooling.scratch();
                let (dst, scratch) = (Disjoint(out.as_mut_ptr()), Disjoint(self.wide.as_mut_ptr()));
                for_each(pool, threads, out.len() / pixels, &|c, worker| {
                    // SAFETY: each worker has its own scratch (the plan made room for
                    // every thread), and channel c of the output is this call's alone.
                    let (line, out) = unsafe {
                        (
                            scratch.part(worker * need, need),
                            dst.part(c * pixels, pixels),
                        )
                    };
                    let add = add.map(|a| &a[c * pixels..(c + 1) * pixels]);
                    let input = &input[c * plane..(c + 1) * plane];
                    pooling.channel(how, input, line, out, &mut |first, row| {
                        let at = first..first + row.len();
                        if let Some(r) = recip {
                            row.iter_mut()
                                .zip(&r[at.clone()])
                                .for_each(|(x, r)| *x *= r);
                        }
                        if let Some(a) = add {
                            row.iter_mut().zip(&a[at]).for_each(|(x, a)| *x += a);
                        }
                        activation.apply_all(row);
                    });
                });
            }
            Run::GlobalAvgPool { pixels } => {
                for (o, x) in out.iter_mut().zip(input.chunks_exact(*pixels)) {
                    let mean = x.iter().sum::<f32>() / *pixels as f32;
                    *o = activation.apply(mean);
                }
            }
            Run::Affine {
                pixels,
                scale,
                shift,
            } => {
                for (c, (o, x)) in out
                    .chunks_exact_mut(*pixels)
                    .zip(input.chunks_exact(*pixels))
                    .enumerate()
                {
                    for (o, x) in o.iter_mut().zip(x) {
                        *o = x * scale[c] + shift[c];
                    }
                }
                activation.apply_all(out);
            }
            Run::Clamp(clamp) => {
                for (o, x) in out.iter_mut().zip(input) {
                    *o = clamp.then(activation).apply(*x);
                }
            }
            Run::Lrn { spec, pixels } => {
                let pixels = *pixels;
                let dst = Disjoint(out.as_mut_ptr());
                for_each(pool, threads, out.len() / pixels, &|c, _| {
                    // SAFETY: channel c of the output is this call's alone.
                    let out = unsafe { dst.part(c * pixels, pixels) };
                    spec.channel(input, pixels, c, out);
                    activation.apply_all(out);
                });
            }
            Run::Add { b } => {
                // SAFETY: the addend is laid out apart from the output, inside the arena.
                let b = unsafe { slice::from_raw_parts(arena.add(*b), out.len()) };
                for ((o, x), y) in out.iter_mut().zip(input).zip(b) {
                    *o = x + y;
                }
                activation.apply_all(out);
            }
            Run::Copy => {
                out.copy_from_slice(input);
                activation.apply_all(out);
            }
        }
        Ok(())
    }
}

/// Every input channel into its phase planes, channels split among the threads.
fn fill(
    pool: Option<&rayon::ThreadPool>,
    threads: usize,
    geo: &Geometry,
    input: &[f32],
    with: f32,
    planes: Disjoint,
) {
    for_each(pool, threads, geo.input.c, &|c, _| {
        // SAFETY: the plan's planes hold `planes_len` floats; channel c is this call's.
        unsafe { geo.fill_planes(c, input, with, planes.ptr()) };
    });
}

/// Every output channel from its wide rows to its dense place, channels split among threads.
#[allow(clippy::too_many_arguments)]
fn compact_all<'a>(
    pool: Option<&rayon::ThreadPool>,
    threads: usize,
    geo: &Geometry,
    out: &mut [f32],
    add: Option<&[f32]>,
    activation: Activation,
    wide: &(dyn Fn(usize) -> &'a [f32] + Sync),
) {
    let pixels = geo.ho * geo.wo;
    let channels = out.len() / pixels;
    let out = Disjoint(out.as_mut_ptr());
    for_each(pool, threads, channels, &|c, _| {
        let finish = Finish {
            add: add.map(|a| &a[c * pixels..(c + 1) * pixels]),
            activation,
        };
        // SAFETY: channel c of the output is this call's alone.
        geo.compact(wide(c), finish, unsafe { out.part(c * pixels, pixels) });
    });
}

/// A streaming window per output channel (`how(c)` says which input channel and how), each
/// thread through its own wide scratch row, then compacted.
#[allow(clippy::too_many_arguments)]
fn windowed<'a>(
    pool: Option<&rayon::ThreadPool>,
    threads: usize,
    geo: &Geometry,
    planes: &[f32],
    wide: &mut [f32],
    out: &mut [f32],
    add: Option<&[f32]>,
    activation: Activation,
    how: &(dyn Fn(usize) -> (usize, (&'a [f32], f32)) + Sync),
    shifts: &[usize],
) {
    let pixels = geo.ho * geo.wo;
    let channels = out.len() / pixels;
    let (out, scratch) = (Disjoint(out.as_mut_ptr()), Disjoint(wide.as_mut_ptr()));
    for_each(pool, threads, channels, &|c, worker| {
        let (ci, combine) = how(c);
        // SAFETY: each worker has its own n_wide floats of scratch (the plan made room for
        // every thread), and channel c of the output is this call's alone.
        let (row, dst) = unsafe {
            (
                scratch.part(worker * geo.n_wide, geo.n_wide),
                out.part(c * pixels, pixels),
            )
        };
        stream(geo, &planes[ci * geo.plane..], shifts, combine, row);
        let finish = Finish {
            add: add.map(|a| &a[c * pixels..(c + 1) * pixels]),
            activation,
        };
        geo.compact(row, finish, dst);
    });
}
