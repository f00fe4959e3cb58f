//! Whole blocks on the engine: inception3a, resnet_bottleneck and nin, each as published and
//! as its counterpart without 1×1 convolutions, on 1 and 2 threads. One item = one counted
//! FLOP (FLOPs = 2·MACs), so divan's "Gitem/s" reads as GFLOP/s on the counted work.
//!
//! Run: `cargo bench --bench whole` (on a quiet machine). `convtui bench --whole` measures the
//! same plans with alternating rounds and per-layer times.

use convtui::analysis::Summary;
use convtui::measure::whole::Prepared;
use convtui::preset;
use divan::Bencher;
use divan::counter::ItemsCount;

const PRESETS: &[&str] = &["inception3a", "resnet_bottleneck", "nin"];

fn main() {
    divan::main();
}

fn prepared(name: &str, counterpart: bool, threads: usize) -> Prepared {
    let block = preset::builtin(name).expect("a built-in preset");
    let summary = Summary::of(&block).expect("presets fit");
    let analysis = if counterpart {
        summary
            .counterpart
            .as_ref()
            .expect("presets have counterparts")
    } else {
        &summary.block
    };
    Prepared::new(&block, analysis, threads).expect("presets plan")
}

fn run(bencher: Bencher, name: &str, counterpart: bool, threads: usize) {
    let mut p = prepared(name, counterpart, threads);
    let flops = p.flops() as u64;
    bencher
        .counter(ItemsCount::new(flops))
        .bench_local(|| p.plan.run().expect("runs"));
}

#[divan::bench(args = PRESETS, consts = [1, 2])]
fn block<const THREADS: usize>(bencher: Bencher, name: &str) {
    run(bencher, name, false, THREADS);
}

#[divan::bench(args = PRESETS, consts = [1, 2])]
fn without_1x1<const THREADS: usize>(bencher: Bencher, name: &str) {
    run(bencher, name, true, THREADS);
}
