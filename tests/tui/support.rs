//! Helpers shared by the TUI tests: an app on a preset, keys, and a screen as text.

use convtui::engine::PointwiseShape;
use convtui::measure::{Measurement, Measurer};
use convtui::model::{Block, LayerKind, NodePath};
use convtui::preset;
use convtui::tui::Origin;
use convtui::tui::action::{Action, Command};
use convtui::tui::app::App;
use convtui::tui::keys::action_for_app;
use convtui::tui::theme::Theme;
use convtui::tui::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub fn app(preset_name: &str) -> App {
    let block = preset::builtin(preset_name).expect("a built-in preset");
    app_of(block, Origin::Preset(preset_name.into()))
}

/// The app on `block`, colourless, sized 120×40.
pub fn app_of(block: Block, origin: Origin) -> App {
    let mut app = App::new(block, origin, Theme { color: false });
    update(
        &mut app,
        Action::Resized {
            width: 120,
            height: 40,
        },
    );
    app
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Presses a key as the event loop would: through the key map, then `update`.
pub fn press(app: &mut App, event: KeyEvent) -> Vec<Command> {
    match action_for_app(app, &event) {
        Some(action) => update(app, action),
        None => Vec::new(),
    }
}

/// Selects the row of the layer named `name` with g and j, as a user would.
pub fn select(app: &mut App, name: &str) {
    press(app, key(KeyCode::Char('g')));
    for _ in 0..app.outline().len() {
        let here = app
            .selected_target()
            .and_then(|t| app.block().node(t.node_path()));
        if here.and_then(|node| node.name()) == Some(name) {
            return;
        }
        press(app, key(KeyCode::Char('j')));
    }
    panic!("no layer named {name}");
}

/// Types characters one key at a time.
pub fn type_keys(app: &mut App, keys: &str) -> Vec<Command> {
    keys.chars()
        .flat_map(|c| press(app, key(KeyCode::Char(c))))
        .collect()
}

pub fn buffer_text(buffer: &Buffer) -> String {
    let width = buffer.area.width as usize;
    let symbols: Vec<&str> = buffer.content.iter().map(|cell| cell.symbol()).collect();
    symbols
        .chunks(width.max(1))
        .map(|row| row.concat().trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The app drawn at `width`×`height`, as text.
pub fn screen(app: &mut App, width: u16, height: u16) -> String {
    update(app, Action::Resized { width, height });
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
    terminal
        .draw(|frame| frame.render_widget(&*app, frame.area()))
        .expect("drawing on a test backend");
    buffer_text(terminal.backend().buffer())
}

/// A measurer that answers at once with figures derived from the shape.
pub struct FakeEngine;

impl Measurer for FakeEngine {
    fn simd(&self) -> String {
        "fake-simd".into()
    }

    fn threads(&self) -> usize {
        2
    }

    fn peak_gflops(&mut self) -> Result<f64, String> {
        Ok(100.0)
    }

    fn measure(&mut self, shape: PointwiseShape) -> Result<Measurement, String> {
        let gflops = 10.0 + (shape.c_out % 50) as f64;
        let flops = shape.flops() as f64;
        Measurement::from_samples(flops, 2, &[flops / (gflops * 1e9); 3])
            .ok_or_else(|| "no samples".to_string())
    }
}

/// The block's output channels (it must fit).
pub fn output_channels(app: &App) -> usize {
    app.summary().expect("the block fits").block.totals.output.c
}

/// The block's parameters (it must fit).
pub fn params(app: &App) -> u64 {
    app.summary().expect("the block fits").block.totals.params()
}

/// The output channels of the conv at `path`.
pub fn out_channels(app: &App, path: &[usize]) -> usize {
    match &app.block().layer(&NodePath(path.to_vec())).unwrap().kind {
        LayerKind::Conv(conv) => conv.out_channels,
        other => panic!("not a conv: {other:?}"),
    }
}
