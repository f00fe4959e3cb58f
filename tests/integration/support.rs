//! Running the `convtui` binary, shared by the command-line tests.

use std::process::{Command, Output};

pub fn convtui(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_convtui"))
        .args(args)
        .output()
        .expect("the convtui binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
