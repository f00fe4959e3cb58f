//! The pointwise engine on realistic 1×1 layer shapes, against the scalar reference,
//! `matrixmultiply::sgemm` and the `gemm` crate (on 1 and 2 threads) in the same run.
//!
//! Throughput is reported as divan items/s with one item = one FLOP (FLOPs = 2·MACs =
//! 2·C_in·C_out·H·W), so "Gitem/s" reads as GFLOP/s; the median column is the figure to quote.
//! The measured peak printed first is the denominator for "fraction of peak".
//!
//! Run: `cargo bench --bench pointwise` (on a quiet machine).

use convtui::engine::noise;
use convtui::engine::{
    AlignedVec, Engine, Epilogue, PointwiseShape, lane_width, probe_peak, reference, simd_path,
};
use divan::Bencher;
use divan::counter::ItemsCount;

/// GoogLeNet Inception 3a's four 1×1 convolutions, a ResNet bottleneck's reduce and expand,
/// a 55×55 NIN cccp layer, and two late-stage square and expanding layers.
const SHAPES: &[PointwiseShape] = &[
    PointwiseShape::new(192, 64, 28, 28),
    PointwiseShape::new(192, 96, 28, 28),
    PointwiseShape::new(192, 16, 28, 28),
    PointwiseShape::new(192, 32, 28, 28),
    PointwiseShape::new(256, 64, 56, 56),
    PointwiseShape::new(64, 256, 56, 56),
    PointwiseShape::new(96, 96, 55, 55),
    PointwiseShape::new(1024, 1024, 14, 14),
    PointwiseShape::new(512, 2048, 7, 7),
];

/// The scalar reference is 50–100× slower; two small shapes are enough to show it.
const REFERENCE_SHAPES: &[PointwiseShape] = &[
    PointwiseShape::new(192, 16, 28, 28),
    PointwiseShape::new(192, 64, 28, 28),
];

fn main() {
    println!("engine path: {} ({} lanes)", simd_path(), lane_width());
    agree_with_the_peers(PointwiseShape::new(96, 40, 9, 11));
    for threads in [1, 2] {
        match probe_peak(threads) {
            Ok(p) => println!(
                "measured peak, {threads} thread(s): {:.1} GFLOP/s FMA, {:.1} GB/s streaming read",
                p.gflops, p.bandwidth_gbs
            ),
            Err(e) => println!("peak probe failed on {threads} thread(s): {e}"),
        }
    }
    divan::main();
}

/// A peer called with the wrong layout would be fast and wrong: check every peer's output
/// against the engine's on one odd shape before timing anything.
fn agree_with_the_peers(shape: PointwiseShape) {
    let mut ours = Operands::new(shape);
    Engine::new(1)
        .expect("one thread")
        .run(
            shape,
            &ours.weights,
            &ours.input,
            Epilogue::default(),
            &mut ours.output,
        )
        .expect("valid operands");
    let mut mm = Operands::new(shape);
    let mut gm = Operands::new(shape);
    matrixmultiply_sgemm(&mut mm, shape);
    gemm_sgemm(&mut gm, shape, gemm::Parallelism::None);
    for (peer, theirs) in [("matrixmultiply", &mm.output), ("gemm", &gm.output)] {
        let worst = ours
            .output
            .iter()
            .zip(theirs.iter())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        // 96 products of values in [-1, 1): rounding differs by well under 1e-4.
        assert!(
            worst < 1e-4,
            "{peer} disagrees with the engine by {worst} on {shape}"
        );
    }
}

/// `out = W · in` by `matrixmultiply::sgemm` (one thread: the crate's threading is off).
fn matrixmultiply_sgemm(ops: &mut Operands, shape: PointwiseShape) {
    let (m, k, n) = (shape.c_out, shape.c_in, shape.h * shape.w);
    // SAFETY: W is m × k (row stride k), the input k × n and the output m × n (row stride n),
    // exactly the lengths `Operands::new` allocated.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            ops.weights.as_ptr(),
            k as isize,
            1,
            ops.input.as_ptr(),
            n as isize,
            1,
            0.0,
            ops.output.as_mut_ptr(),
            n as isize,
            1,
        );
    }
}

/// `out = W · in` by the `gemm` crate, split by its own rayon use as `parallelism` says.
fn gemm_sgemm(ops: &mut Operands, shape: PointwiseShape, parallelism: gemm::Parallelism) {
    let (m, k, n) = (shape.c_out, shape.c_in, shape.h * shape.w);
    // SAFETY: dst is m × n (row stride n), lhs (W) m × k (row stride k), rhs (the input) k × n
    // (row stride n), exactly the lengths `Operands::new` allocated; alpha = 0 with
    // read_dst = false overwrites dst.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            ops.output.as_mut_ptr(),
            1,
            n as isize,
            false,
            ops.weights.as_ptr(),
            1,
            k as isize,
            ops.input.as_ptr(),
            1,
            n as isize,
            0.0f32,
            1.0f32,
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// Weights, input and output for `shape` (deterministic data in [-1, 1)), the activations on a
/// cache line as the engine's own buffers are.
struct Operands {
    weights: Vec<f32>,
    input: AlignedVec,
    output: AlignedVec,
    flops: u64,
}

impl Operands {
    fn new(shape: PointwiseShape) -> Self {
        let checked = shape.check().expect("benchmark shapes are valid");
        Operands {
            weights: noise(checked.weight_len, 1),
            input: AlignedVec::from_slice(&noise(checked.input_len, 2)),
            output: AlignedVec::zeroed(checked.output_len),
            flops: 2 * checked.macs,
        }
    }
}

fn engine(bencher: Bencher, shape: PointwiseShape, threads: usize) {
    let mut ops = Operands::new(shape);
    let engine = Engine::new(threads).expect("thread pool");
    bencher.counter(ItemsCount::new(ops.flops)).bench_local(|| {
        engine
            .run(
                shape,
                &ops.weights,
                &ops.input,
                Epilogue::default(),
                &mut ops.output,
            )
            .expect("valid operands");
    });
}

#[divan::bench(args = SHAPES)]
fn engine_1_thread(bencher: Bencher, shape: PointwiseShape) {
    engine(bencher, shape, 1);
}

#[divan::bench(args = SHAPES)]
fn engine_2_threads(bencher: Bencher, shape: PointwiseShape) {
    engine(bencher, shape, 2);
}

/// `matrixmultiply::sgemm` on the same GEMM (one thread: the crate's threading feature is off).
#[divan::bench(args = SHAPES)]
fn matrixmultiply_1_thread(bencher: Bencher, shape: PointwiseShape) {
    let mut ops = Operands::new(shape);
    bencher
        .counter(ItemsCount::new(ops.flops))
        .bench_local(|| matrixmultiply_sgemm(&mut ops, shape));
}

/// The `gemm` crate on the same GEMM, on `threads` threads (its own rayon split).
fn gemm_crate(bencher: Bencher, shape: PointwiseShape, threads: usize) {
    let mut ops = Operands::new(shape);
    let parallelism = if threads > 1 {
        gemm::Parallelism::Rayon(threads)
    } else {
        gemm::Parallelism::None
    };
    bencher
        .counter(ItemsCount::new(ops.flops))
        .bench_local(|| gemm_sgemm(&mut ops, shape, parallelism));
}

#[divan::bench(args = SHAPES)]
fn gemm_1_thread(bencher: Bencher, shape: PointwiseShape) {
    gemm_crate(bencher, shape, 1);
}

#[divan::bench(args = SHAPES)]
fn gemm_2_threads(bencher: Bencher, shape: PointwiseShape) {
    gemm_crate(bencher, shape, 2);
}

#[divan::bench(args = REFERENCE_SHAPES, sample_count = 10)]
fn scalar_reference(bencher: Bencher, shape: PointwiseShape) {
    let mut ops = Operands::new(shape);
    bencher.counter(ItemsCount::new(ops.flops)).bench_local(|| {
        reference(
            shape,
            &ops.weights,
            &ops.input,
            Epilogue::default(),
            &mut ops.output,
        )
        .expect("valid operands");
    });
}
