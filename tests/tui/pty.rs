//! The real binary in a pseudo-terminal, read back through vt100: what a new user sees. Every
//! wait polls the screen until the text appears (20 s at most), so a loaded machine is slow,
//! not flaky.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const TIMEOUT: Duration = Duration::from_secs(20);

struct Session {
    parser: vt100::Parser,
    output: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn portable_pty::MasterPty + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("a size above zero")
}

impl Session {
    fn start(args: &[&str], cols: u16, rows: u16) -> Session {
        let pair = native_pty_system()
            .openpty(size(cols, rows))
            .expect("a pty");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_convtui"));
        command.args(args);
        command.env("TERM", "xterm-256color");
        command.env("NO_COLOR", "1");
        command.cwd(std::env::temp_dir());
        // Recovery files go to a directory of the test's own, never the user's.
        let state = std::env::temp_dir().join(format!(
            "convtui-pty-state-{}-{}",
            std::process::id(),
            args.join("_").replace(['/', '.'], "_")
        ));
        command.env("CONVTUI_STATE_DIR", &state);
        let child = pair.slave.spawn_command(command).expect("convtui starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("a reader");
        let (sender, output) = mpsc::channel();
        thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n) = reader.read(&mut chunk) {
                if n == 0 || sender.send(chunk[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let writer = pair.master.take_writer().expect("a writer");
        Session {
            parser: vt100::Parser::new(nonzero(rows), nonzero(cols), 0),
            output,
            writer,
            master: pair.master,
            child,
        }
    }

    fn screen(&self) -> String {
        self.parser.screen().contents()
    }

    /// Reads output until `text` is on the screen.
    fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.screen().contains(text) {
            assert!(
                Instant::now() < deadline,
                "\"{text}\" did not appear within {TIMEOUT:?}; the screen:\n{}",
                self.screen()
            );
            if let Ok(bytes) = self.output.recv_timeout(Duration::from_millis(100)) {
                self.parser.process(&bytes);
            }
        }
    }

    /// Reads output until `text` is no longer on the screen.
    fn wait_until_gone(&mut self, text: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while self.screen().contains(text) {
            assert!(
                Instant::now() < deadline,
                "\"{text}\" stayed for {TIMEOUT:?}; the screen:\n{}",
                self.screen()
            );
            if let Ok(bytes) = self.output.recv_timeout(Duration::from_millis(100)) {
                self.parser.process(&bytes);
            }
        }
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn resize(&mut self, cols: u16, rows: u16) {
        self.master.resize(size(cols, rows)).unwrap();
        self.parser
            .screen_mut()
            .set_size(nonzero(rows), nonzero(cols));
    }

    fn wait_for_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            while let Ok(bytes) = self.output.try_recv() {
                self.parser.process(&bytes);
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "convtui did not exit:\n{}",
                self.screen()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn a_new_user_session() {
    let mut tui = Session::start(&[], 140, 40);
    tui.wait_for("256 vs 416");
    // The real engine measures the four 1×1 layers: the pane names the path and fills in.
    tui.wait_for(convtui::engine::simd_path());
    tui.wait_for("1 run");
    // The whole block and its counterpart, run on the engine: measured beside counted.
    tui.wait_for("(counted 2.37×)");
    tui.send("m");
    tui.wait_for("Measured · whole block");
    tui.wait_for("w/o 1×1, whole");
    tui.wait_for("5x5 reduce");
    tui.send("m");
    tui.wait_for("Throughput · 1×1 convs");
    tui.send("?");
    tui.wait_for("Keys");
    // Esc alone: a key sent right after it would read as Alt+key.
    tui.send("\x1b");
    tui.wait_until_gone("Keys ·");
    // Select "1x1" (the third row) and widen it: every figure follows.
    tui.send("jj+");
    tui.wait_for("264 vs 424");
    tui.wait_for("modified");
    tui.resize(30, 8);
    tui.wait_for("Enlarge");
    tui.resize(140, 40);
    tui.wait_for("264 vs 424");
    tui.send("u");
    tui.wait_for("256 vs 416");
    tui.send("\x12"); // Ctrl-R
    tui.wait_for("264 vs 424");
    tui.send("q");
    tui.wait_for("Unsaved edits");
    tui.send("y");
    assert!(tui.wait_for_exit().success());
}

#[test]
fn opens_a_preset_by_name_and_quits_at_once_when_unchanged() {
    let mut tui = Session::start(&["--preset", "resnet_bottleneck"], 100, 30);
    tui.wait_for("res2b_branch2b");
    tui.send("q");
    assert!(tui.wait_for_exit().success());
}

#[test]
fn without_a_terminal_it_points_to_the_summary_command() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_convtui"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a terminal") && stderr.contains("convtui summary"));
}

/// A closed terminal or a `kill` with unsaved edits: the terminal is restored, the edits are
/// kept, and the next start offers them back.
#[cfg(unix)]
#[test]
fn a_signal_keeps_the_edits_and_the_next_start_offers_them() {
    let args = ["--preset", "squeezenet_fire"];
    let mut tui = Session::start(&args, 140, 40);
    tui.wait_for("fire2");
    tui.send("+");
    tui.wait_for("modified");
    let pid = tui.child.process_id().expect("a pid");
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tui.wait_for_exit();
    assert!(!status.success(), "a signal is no clean exit");
    assert!(
        !tui.parser.screen().alternate_screen(),
        "the alternate screen is left"
    );
    assert!(
        !tui.parser.screen().hide_cursor(),
        "the cursor is shown again"
    );
    drop(tui);
    let mut again = Session::start(&args, 140, 40);
    again.wait_for("Unsaved edits were kept");
    again.send("r");
    again.wait_for("Recovered the unsaved edits");
    again.wait_for("modified");
    // Quitting without saving lets them go for good.
    again.send("q");
    again.wait_for("Unsaved edits");
    again.send("y");
    assert!(again.wait_for_exit().success());
    drop(again);
    let mut third = Session::start(&args, 140, 40);
    third.wait_for("fire2");
    assert!(!third.screen().contains("were kept"));
    third.send("q");
    assert!(third.wait_for_exit().success());
}
