//! Messages that say what happened in one line a terminal cannot be tricked by: control
//! characters escaped, long names cut, mistyped subcommands answered with a suggestion.

use std::process::Command;

use crate::support::{convtui, stderr};

#[test]
fn a_name_with_control_characters_stays_on_one_harmless_line() {
    let dir = std::env::temp_dir().join(format!("convtui-msg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("evil.json");
    let long = "n".repeat(5000);
    std::fs::write(
        &file,
        format!(
            r#"{{"format": "convtui-block", "version": 1, "name": "x\u001b]0;pwned\u0007",
                "input": {{"channels": 8, "height": 4, "width": 4}},
                "layers": [{{"conv": {{"name": "a\nconvtui: fake{long}", "out_channels": 8, "kernel": 9}}}}]}}"#
        ),
    )
    .unwrap();
    let out = convtui(&["summary", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
    assert!(err.contains("\\n"), "{err}");
    assert!(
        err.len() < 2000,
        "a 5,000-letter name is cut: {} bytes",
        err.len()
    );
    // The table of a block that fits escapes its names too.
    std::fs::write(
        &file,
        r#"{"format": "convtui-block", "version": 1, "name": "x\u001b[2J",
            "input": {"channels": 8, "height": 4, "width": 4},
            "layers": [{"relu": {"name": "r\u001b[31m"}}]}"#,
    )
    .unwrap();
    let out = convtui(&["summary", file.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains('\u{1b}'));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_mistyped_subcommand_or_preset_gets_a_suggestion() {
    let err = stderr(&convtui(&["sumary"]));
    assert!(err.contains("did you mean `convtui summary`"), "{err}");
    let err = stderr(&convtui(&["summary", "resnet51"]));
    assert!(err.contains("did you mean the preset resnet50"), "{err}");
    let out = convtui(&["--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("convtui summary --json"),
        "{}",
        stderr(&out)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written_is_a_failure() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_convtui"))
        .arg("--help")
        .stdout(full)
        .output()
        .unwrap();
    assert!(!out.status.success());
    // stderr itself full: no panic (exit 101), just the failure.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_convtui"))
        .args(["summary", "/no/such.json"])
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
