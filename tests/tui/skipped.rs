//! 1×1 layers the TUI does not time: a shape too much work to measure between keystrokes is
//! never sent to the engine, and the pane and the export point to `convtui bench` instead.

use convtui::engine::PointwiseShape;
use convtui::model::{LayerKind, NodePath, Shape};
use convtui::preset;
use convtui::tui::Origin;
use convtui::tui::action::Command;
use convtui::tui::app::App;
use convtui::tui::export::export_doc;
use convtui::tui::update::start;

use crate::support::{app_of, screen};

/// Inception 3a on 56×56×2048 with its "1x1" widened to 2048: 2·2048·2048·56·56 = 26.3 GFLOP a
/// run, in (2048² + 2·2048·56²)·4 bytes = 67 MB of buffers.
fn heavy() -> App {
    let mut block = preset::builtin("inception3a").unwrap();
    block.input = Shape {
        c: 2048,
        h: 56,
        w: 56,
    };
    match &mut block.layer_mut(&NodePath(vec![0, 0, 0])).unwrap().kind {
        LayerKind::Conv(conv) => conv.out_channels = 2048,
        other => panic!("not a conv: {other:?}"),
    }
    app_of(block, Origin::File("heavy.json".into()))
}

#[test]
fn a_1x1_too_slow_to_time_here_is_skipped_and_points_to_bench() {
    let mut app = heavy();
    let slow = PointwiseShape::new(2048, 2048, 56, 56);
    let commands = start(&mut app);
    let [Command::Measure(job)] = commands.as_slice() else {
        panic!("one job for the other 1×1 layers")
    };
    assert!(!job.shapes.contains(&slow), "{:?}", job.shapes);
    assert_eq!(
        job.shapes.len(),
        3,
        "the three other 1×1 layers are measured"
    );
    let text = screen(&mut app, 120, 40);
    let row = text
        .lines()
        .find(|line| line.contains("2048→2048"))
        .expect("the slow layer is listed");
    assert!(row.contains("too slow here: convtui bench"), "{row}");
    let doc = export_doc(&app).unwrap();
    let layer = doc
        .throughput
        .layers
        .iter()
        .find(|l| l.c_out == 2048)
        .unwrap();
    assert_eq!(layer.status, "skipped");
    let note = layer.note.as_deref().unwrap();
    assert!(
        note.contains("convtui bench --pointwise 2048,2048,56,56"),
        "{note}"
    );
}
