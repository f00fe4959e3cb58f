//! The real event loop and engine worker, with a fake engine, on TestBackend: measurements come
//! back and fill the throughput pane, saving and exporting write files, a write that fails is
//! reported without losing anything, and the exported figures are `convtui summary --json`'s.

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use convtui::measure::Status;
use convtui::measure::Worker;
use convtui::tui::event_loop::{Event, handle, run};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

use crate::support::{FakeEngine, app, buffer_text, ctrl, key, screen};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("convtui-tui-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn chars(text: &str) -> Vec<KeyEvent> {
    text.chars().map(|c| key(KeyCode::Char(c))).collect()
}

#[test]
fn measurements_arrive_from_the_worker_and_fill_the_pane() {
    let (sender, events) = mpsc::channel();
    let worker = Worker::spawn(FakeEngine, sender, Event::Engine);
    let mut app = app("inception3a");
    for command in convtui::tui::update::start(&mut app) {
        if let convtui::tui::action::Command::Measure(job) = command {
            worker.submit(job);
        }
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let done = |app: &convtui::tui::App| {
        !app.measurements.running
            && app
                .pointwise()
                .iter()
                .all(|l| matches!(app.measurements.status(l), Status::Done(_)))
    };
    while !done(&app) {
        assert!(Instant::now() < deadline, "no measurements within 20 s");
        if let Ok(event) = events.recv_timeout(Duration::from_millis(200)) {
            handle(&mut app, event, &worker);
        }
    }
    assert_eq!(app.measurements.simd.as_deref(), Some("fake-simd"));
    assert_eq!(app.measurements.peak_gflops(), Some(100.0));
    // Widening a 1×1 layer asks for that one shape only.
    handle(&mut app, Event::Key(key(KeyCode::Char('j'))), &worker);
    handle(&mut app, Event::Key(key(KeyCode::Char('j'))), &worker);
    handle(&mut app, Event::Key(key(KeyCode::Char('+'))), &worker);
    assert!(app.measurements.running);
    let waiting = app
        .pointwise()
        .iter()
        .filter(|l| !matches!(app.measurements.status(l), Status::Done(_)))
        .count();
    assert_eq!(waiting, 1);
}

fn run_keys(keys: Vec<KeyEvent>) -> (convtui::tui::App, String) {
    let (sender, events) = mpsc::channel();
    let worker = Worker::spawn(FakeEngine, sender.clone(), Event::Engine);
    for event in keys {
        sender.send(Event::Key(event)).unwrap();
    }
    let mut app = app("inception3a");
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    run(&mut terminal, &mut app, &events, &worker).unwrap();
    let text = buffer_text(terminal.backend().buffer());
    (app, text)
}

fn prompt_path(path: &Path) -> Vec<KeyEvent> {
    let mut keys = vec![ctrl('u')];
    keys.extend(chars(&path.display().to_string()));
    keys.push(key(KeyCode::Enter));
    keys
}

#[test]
fn save_and_export_write_files_and_quit_needs_no_question_after_saving() {
    let dir = temp_dir("save");
    let block_file = dir.join("wider.json");
    let summary_file = dir.join("wider.summary.json");
    let mut keys = chars("jj+");
    keys.push(key(KeyCode::Char('s')));
    keys.extend(prompt_path(&block_file));
    keys.push(key(KeyCode::Char('e')));
    keys.extend(prompt_path(&summary_file));
    keys.push(key(KeyCode::Char('q')));
    let (app, _) = run_keys(keys);
    assert!(!app.is_modified());

    let exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary_file).unwrap()).unwrap();
    assert_eq!(exported["totals"]["output"]["channels"], 264);
    assert!(exported["throughput"]["layers"].is_array());
    // The same figures as `convtui summary --json` gives for the saved block.
    let output = Process::new(env!("CARGO_BIN_EXE_convtui"))
        .args(["summary", "--json"])
        .arg(&block_file)
        .output()
        .unwrap();
    assert!(output.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut without = exported.as_object().unwrap().clone();
    without.remove("throughput");
    // The whole-block run: a fake engine runs no block, and the export says why.
    assert!(without.remove("whole").is_some_and(|w| w.is_null()));
    assert!(without.remove("whole_note").is_some_and(|n| n.is_string()));
    assert_eq!(serde_json::Value::Object(without), summary);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_write_is_shown_and_loses_nothing() {
    let dir = temp_dir("fail");
    let unwritable = dir.join("no-such-dir").join("block.json");
    let (sender, _events) = mpsc::channel();
    let worker = Worker::spawn(FakeEngine, sender, Event::Engine);
    let mut app = app("inception3a");
    let mut keys = chars("jj+");
    keys.push(key(KeyCode::Char('s')));
    keys.extend(prompt_path(&unwritable));
    for event in keys {
        assert!(!handle(&mut app, Event::Key(event), &worker));
    }
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("cannot write"), "{text}");
    assert!(app.is_modified(), "the edit is still there");
    assert!(!unwritable.exists());
    assert!(!handle(&mut app, Event::Key(key(KeyCode::Esc)), &worker));
    assert!(!handle(
        &mut app,
        Event::Key(key(KeyCode::Char('q'))),
        &worker
    ));
    assert!(screen(&mut app, 120, 40).contains("Unsaved edits"));
    assert!(handle(
        &mut app,
        Event::Key(key(KeyCode::Char('y'))),
        &worker
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn opening_a_file_replaces_the_block_and_a_broken_file_says_where() {
    let dir = temp_dir("open");
    let good = dir.join("nin.json");
    std::fs::write(
        &good,
        convtui::preset::to_json(&convtui::preset::builtin("nin").unwrap()),
    )
    .unwrap();
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"format\": \"convtui-block\",\n \"version\": }").unwrap();
    let mut keys = vec![key(KeyCode::Char('o'))];
    keys.extend(prompt_path(&broken));
    keys.extend(prompt_path(&good));
    keys.push(key(KeyCode::Char('q')));
    let (app, _) = run_keys(keys);
    assert_eq!(app.block().name, "nin");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A huge terminal is drawn in a capped buffer, and the message says so.
#[test]
fn a_huge_terminal_is_drawn_within_the_cap() {
    use convtui::tui::event_loop::{MAX_HEIGHT, MAX_WIDTH};
    let (sender, events) = mpsc::channel();
    let worker = Worker::spawn(FakeEngine, sender.clone(), Event::Engine);
    sender
        .send(Event::Resized {
            width: 10_000,
            height: 10_000,
        })
        .unwrap();
    sender.send(Event::Key(key(KeyCode::Char('q')))).unwrap();
    let mut app = app("inception3a");
    let options = ratatui::TerminalOptions {
        viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 120, 40)),
    };
    // The backend as large as the cap: what a real terminal shows of the capped frame.
    let backend = TestBackend::new(MAX_WIDTH, MAX_HEIGHT);
    let mut terminal = Terminal::with_options(backend, options).unwrap();
    run(&mut terminal, &mut app, &events, &worker).unwrap();
    assert_eq!(app.size, (MAX_WIDTH, MAX_HEIGHT));
    assert_eq!(terminal.get_frame().area().width, MAX_WIDTH);
}
