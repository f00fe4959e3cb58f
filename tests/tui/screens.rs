//! The main screens rendered on TestBackend and compared with snapshots in `snapshots/` (set
//! `UPDATE_SNAPSHOTS=1` to rewrite them after a deliberate change, and review the diff).

use std::path::PathBuf;

use convtui::measure::{EngineEvent, Measurement};
use convtui::tui::action::{Action, Command};
use convtui::tui::app::App;
use convtui::tui::update::{start, update};
use ratatui::crossterm::event::KeyCode;

use crate::support::{app, key, press, screen};

fn assert_snapshot(name: &str, text: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tui/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{}\n", text.trim_end_matches('\n'))).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(
        text.trim_end_matches('\n'),
        expected.trim_end_matches('\n'),
        "screen differs from {}",
        path.display()
    );
}

/// Five runs of `seconds` each at `gflops` (the work is made to fit).
fn measurement(gflops: f64, seconds: f64) -> Result<Measurement, String> {
    Measurement::from_samples(gflops * 1e9 * seconds, 2, &[seconds; 5])
        .ok_or_else(|| "no samples".to_string())
}

/// The app with every 1×1 layer measured by a pretend engine, deterministically.
fn measured(name: &str) -> App {
    let mut app = app(name);
    let simd = EngineEvent::EngineDescribed {
        simd: "AVX2+FMA (f32x8)".into(),
        threads: 2,
        build_note: None,
    };
    update(&mut app, Action::EngineReported(simd));
    update(
        &mut app,
        Action::EngineReported(EngineEvent::PeakProbed(Ok(100.0))),
    );
    let Some(Command::Measure(job)) = start(&mut app).pop() else {
        panic!("the start measures the 1×1 layers")
    };
    for (i, shape) in job.shapes.iter().enumerate() {
        let event = EngineEvent::ShapeMeasured {
            generation: job.generation,
            shape: *shape,
            result: measurement(20.0 + 10.0 * i as f64, 0.000_5 * (i + 1) as f64),
        };
        update(&mut app, Action::EngineReported(event));
    }
    let finished = EngineEvent::EngineFinished {
        generation: job.generation,
    };
    update(&mut app, Action::EngineReported(finished));
    app
}

#[test]
fn inception_wide() {
    let mut app = measured("inception3a");
    let text = screen(&mut app, 140, 40);
    assert!(text.contains("256 vs 416"), "{text}");
    assert!(text.contains("AVX2+FMA (f32x8)"));
    assert_snapshot("inception_wide", &text);
}

#[test]
fn inception_at_80x24() {
    let mut app = measured("inception3a");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("256/416"), "{text}");
    assert_snapshot("inception_80x24", &text);
}

#[test]
fn nin_wide_after_a_bypass() {
    let mut app = measured("nin");
    for _ in 0..2 {
        press(&mut app, key(KeyCode::Char('j')));
    }
    press(&mut app, key(KeyCode::Char('x')));
    assert_snapshot("nin_bypassed", &screen(&mut app, 140, 36));
}

#[test]
fn a_broken_block_shows_the_error_and_greyed_figures() {
    let mut app = measured("resnet_bottleneck");
    for _ in 0..8 {
        press(&mut app, key(KeyCode::Char('j')));
    }
    press(&mut app, key(KeyCode::Char('-')));
    let text = screen(&mut app, 140, 36);
    assert!(text.contains("residual 0 \"res2b\""), "{text}");
    assert!(text.contains("last that fit"), "{text}");
    assert_snapshot("resnet_broken", &text);
}

#[test]
fn help_overlay() {
    let mut app = measured("inception3a");
    press(&mut app, key(KeyCode::Char('?')));
    let text = screen(&mut app, 100, 50);
    for help in ["undo", "redo", "bypass", "export", "Ctrl-r"] {
        assert!(text.contains(help), "help lacks {help}");
    }
    assert_snapshot("help", &text);
}

#[test]
fn edit_form() {
    let mut app = measured("inception3a");
    for _ in 0..7 {
        press(&mut app, key(KeyCode::Char('j')));
    }
    press(&mut app, key(KeyCode::Enter));
    let text = screen(&mut app, 120, 36);
    assert!(text.contains("out channels"));
    assert_snapshot("edit_form", &text);
}

#[test]
fn pickers_prompts_and_quit_question() {
    let mut app = measured("inception3a");
    press(&mut app, key(KeyCode::Char('p')));
    assert_snapshot("preset_picker", &screen(&mut app, 100, 30));
    press(&mut app, key(KeyCode::Esc));
    press(&mut app, key(KeyCode::Char('a')));
    assert_snapshot("add_layer", &screen(&mut app, 100, 30));
    press(&mut app, key(KeyCode::Esc));
    press(&mut app, key(KeyCode::Char('e')));
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("inception3a.summary.json"));
    press(&mut app, key(KeyCode::Esc));
    press(&mut app, key(KeyCode::Char('d')));
    press(&mut app, key(KeyCode::Char('q')));
    assert_snapshot("confirm_quit", &screen(&mut app, 100, 30));
}

#[test]
fn too_small_says_so_at_30x8_and_survives_1x1() {
    let mut app = measured("inception3a");
    let text = screen(&mut app, 30, 8);
    assert!(text.contains("Enlarge the terminal"), "{text}");
    assert_snapshot("too_small", &text);
    for (w, h) in [(1, 1), (0, 0), (2, 1), (59, 20), (60, 21)] {
        screen(&mut app, w, h);
    }
    press(&mut app, key(KeyCode::Char('?')));
    screen(&mut app, 10, 3);
    assert!(screen(&mut app, 120, 40).contains("Keys"));
    // While too small, keys that would act on what cannot be seen do nothing; Esc and q work.
    screen(&mut app, 30, 8);
    press(&mut app, key(KeyCode::Esc));
    let channels = crate::support::output_channels(&app);
    for c in ['j', 'j', '+', 'd', 'a'] {
        press(&mut app, key(KeyCode::Char(c)));
    }
    assert_eq!(crate::support::output_channels(&app), channels);
    assert!(!app.is_modified());
    assert!(
        !screen(&mut app, 120, 40).contains("Keys"),
        "Esc closed the help"
    );
}

#[test]
fn large_shapes_are_shown_whole_at_any_width() {
    // On 224×224×1024 the concat gives 64 + 128 + 32 + 32 = 256 channels, and the pool
    // branch 224×224×1024 on the way: twelve characters.
    let mut block = convtui::preset::builtin("inception3a").unwrap();
    block.input = convtui::model::Shape::new(1024, 224, 224);
    let mut app = crate::support::app_of(block, convtui::tui::Origin::Preset("inception3a".into()));
    for (width, height) in [(140, 40), (80, 24)] {
        let text = screen(&mut app, width, height);
        assert!(text.contains(" 224×224×256"), "{width}×{height}:\n{text}");
        assert!(
            !text.contains(" 24×224×"),
            "{width}×{height}: a shape was cut:\n{text}"
        );
    }
}

/// The throughput pane names every 1×1 layer so that two can be told apart, at any width the
/// TUI draws: ResNet's reduce and expand are res2b_branch2a and res2b_branch2c.
#[test]
fn throughput_rows_keep_names_that_differ() {
    let mut app = measured("resnet_bottleneck");
    for (width, height) in [(140, 40), (80, 24), (60, 21)] {
        let text = screen(&mut app, width, height);
        // The throughput rows are the pane segments (between borders) with a share of the peak.
        let rows: Vec<&str> = text
            .lines()
            .flat_map(|line| line.split('│'))
            .filter(|segment| segment.contains('%'))
            .collect();
        assert!(
            rows.iter().any(|l| l.contains("2a")) && rows.iter().any(|l| l.contains("2c")),
            "{width}×{height}:\n{text}"
        );
    }
}

/// What a column cannot hold whole it cuts with "…", never silently: a grouped 1×7 keeps its
/// groups, and the comparison keeps its ratios whatever the figures' widths.
#[test]
fn nothing_is_cut_without_an_ellipsis() {
    let mut block = convtui::preset::builtin("inception3a").unwrap();
    // 96 channels in, 128 out, both multiples of 32; 28 + 2·3 − 7 + 1 = 28 keeps the width.
    let three = convtui::model::NodePath(vec![0, 1, 2]);
    let Some(convtui::model::LayerKind::Conv(conv)) = block.layer_mut(&three).map(|l| &mut l.kind)
    else {
        panic!("the 3x3 conv")
    };
    conv.kernel = convtui::model::Pair::new(1, 7);
    conv.padding = convtui::model::Padding::same(convtui::model::Pair::new(0, 3));
    conv.groups = 32;
    // The counterpart's pool branch passes 9,999 channels on: 64 + 128 + 32 + 9999.
    block.input = convtui::model::Shape::new(9999, 28, 28);
    let mut app = crate::support::app_of(block, convtui::tui::Origin::Preset("big".into()));
    for (width, height) in [(140, 40), (120, 40), (80, 24)] {
        let text = screen(&mut app, width, height);
        assert!(
            text.contains("conv 1×7/1 p0×3 g32"),
            "{width}×{height}:\n{text}"
        );
        // Each comparison line ends with its whole ratio, four decimals.
        for segment in text
            .lines()
            .flat_map(|l| l.split('│'))
            .filter(|s| s.contains(" vs "))
        {
            let ratio = segment.trim_end().rsplit("ratio ").next().unwrap_or("");
            assert!(
                ratio.len() == 6 && ratio.parse::<f64>().is_ok(),
                "{width}×{height}: {segment}\n{text}"
            );
        }
    }
}

#[test]
fn names_in_the_structure_pane_are_whole_or_end_in_an_ellipsis() {
    let mut app = app("inception3a");
    for width in [60, 73, 86, 100, 113, 140] {
        let text = screen(&mut app, width, 30);
        let row = text
            .lines()
            .find(|line| line.contains("concat \""))
            .unwrap_or_else(|| panic!("the concat's row at {width}:\n{text}"));
        assert!(
            row.contains("concat \"inception (3a)\"") || row.contains('…'),
            "{width} columns: {row}"
        );
    }
}

#[test]
fn a_long_shape_in_the_throughput_pane_is_whole_or_ends_in_an_ellipsis() {
    let mut block = convtui::preset::builtin("inception3a").unwrap();
    block.input = convtui::model::Shape::new(100_000, 28, 28);
    let mut app = crate::support::app_of(block, convtui::tui::Origin::Preset("wide".into()));
    let text = screen(&mut app, 140, 40);
    assert!(text.contains("100000→64 28×28"), "{text}");
    assert_no_unmarked_cut(&text);
}

fn assert_no_unmarked_cut(text: &str) {
    for line in text.lines().filter(|l| l.contains("100000→")) {
        assert!(
            line.contains("28×28") || line.contains('…'),
            "cut without a mark: {line}"
        );
    }
}
