//! Analysis at network scale: a whole summary (the block and its counterpart without 1×1
//! convolutions, as every TUI edit recomputes it) for a chain of N 1×1 convolutions and for the
//! large presets. One item = one node, so the chain's time per item staying flat as N grows is
//! what "near-linear" means here.
//!
//! Run: `cargo bench --bench analysis`.

use convtui::analysis::Summary;
use convtui::model::{Block, Conv, Layer, LayerKind, Node, Shape, count_nodes};
use convtui::preset;
use divan::Bencher;
use divan::counter::ItemsCount;

fn main() {
    divan::main();
}

/// N 1×1 convolutions in a row: each one after the first is dropped by the mix rule, one pass
/// of the planner at a time.
fn chain(n: usize) -> Block {
    Block {
        name: format!("chain{n}"),
        description: String::new(),
        input: Shape::new(16, 8, 8),
        body: (0..n)
            .map(|_| Node::Layer(Layer::new(LayerKind::Conv(Conv::new(16, 1)))))
            .collect(),
    }
}

#[divan::bench(args = [400, 800, 1600, 3200])]
fn pointwise_chain(bencher: Bencher, n: usize) {
    let block = chain(n);
    bencher
        .counter(ItemsCount::new(n))
        .bench(|| Summary::of(divan::black_box(&block)).map(|s| s.block.totals.macs));
}

#[divan::bench(args = ["googlenet", "resnet50", "resnet152", "mobilenet_v2"])]
fn network(bencher: Bencher, name: &str) {
    let block = preset::builtin(name).expect("a built-in preset");
    bencher
        .counter(ItemsCount::new(count_nodes(&block.body)))
        .bench(|| Summary::of(divan::black_box(&block)).map(|s| s.block.totals.macs));
}
