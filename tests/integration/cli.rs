//! The `convtui` binary as a script uses it: exit codes, stdout for data, stderr for one line.

use std::process::Command;

use crate::support::{convtui, stderr, stdout};

use serde_json::Value;

fn summary_json(args: &[&str]) -> Value {
    let out = convtui(args);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("summary --json prints JSON")
}

#[test]
fn presets_lists_each_builtin_with_a_description() {
    let out = convtui(&["presets"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for name in [
        "inception3a",
        "resnet_bottleneck",
        "nin",
        "resnet_downsample",
        "mobilenet_separable",
        "squeezenet_fire",
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} missing from {text}"));
        assert!(line.len() > name.len() + 10, "{line}");
    }
}

#[test]
fn summary_json_of_inception_3a_has_the_seed_figures() {
    let doc = summary_json(&["summary", "--preset", "inception3a", "--json"]);
    assert_eq!(doc["format"], "convtui-summary");
    assert_eq!(doc["version"], 1);
    assert!(doc["units"]["flops"].as_str().unwrap().contains("2 × MACs"));
    let totals = &doc["totals"];
    assert_eq!(totals["output"]["channels"], 256);
    assert_eq!(totals["output"]["height"], 28);
    assert_eq!(totals["conv_weights"], 163_328);
    assert_eq!(totals["conv_biases"], 368);
    assert_eq!(totals["flops"], 2 * totals["macs"].as_u64().unwrap());
    let counterpart = &doc["counterpart"]["totals"];
    assert_eq!(counterpart["output"]["channels"], 416);
    assert_eq!(counterpart["conv_weights"], 387_072);
    let cmp = &doc["comparison"];
    assert_eq!(cmp["output_channels"]["block"], 256);
    assert_eq!(cmp["output_channels"]["counterpart"], 416);
    let layers = doc["layers"].as_array().unwrap();
    let names: Vec<&str> = layers.iter().filter_map(|l| l["name"].as_str()).collect();
    for name in ["3x3 reduce", "5x5 reduce", "pool proj"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let roles: Vec<(&str, &str)> = layers
        .iter()
        .filter(|l| l["pointwise"] == true)
        .map(|l| {
            (
                l["name"].as_str().unwrap(),
                l["counterpart_role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("1x1", "stays"),
            ("3x3 reduce", "reduce"),
            ("5x5 reduce", "reduce"),
            ("pool proj", "project")
        ]
    );
    assert!(
        layers
            .iter()
            .all(|l| l["pointwise"] == true || l["counterpart_role"].is_null())
    );
    let dropped: Vec<&str> = doc["counterpart"]["dropped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(dropped, ["3x3 reduce", "5x5 reduce", "pool proj"]);
}

#[test]
fn summary_json_of_the_bottleneck_has_its_figures() {
    let doc = summary_json(&["summary", "--preset", "resnet_bottleneck", "--json"]);
    assert_eq!(doc["totals"]["conv_weights"], 69_632);
    assert_eq!(doc["counterpart"]["totals"]["conv_weights"], 589_824);
}

#[test]
fn summary_reads_a_file_given_by_path() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/valid/separable.json"
    );
    let doc = summary_json(&["summary", path, "--json"]);
    assert_eq!(doc["block"]["name"], "separable");
    // dw 288 + pw 2,048 + 1×7 28,672 (+64) + fc 640 (+10) + BN 2·32 + 2·64.
    assert_eq!(doc["totals"]["params"], 288 + 2_048 + 28_736 + 650 + 192);
}

#[test]
fn summary_table_labels_macs_and_flops() {
    let out = convtui(&["summary", "--preset", "inception3a"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("128,049,152 multiply-accumulates"), "{text}");
    assert!(text.contains("FLOPs = 2·MACs = 256,098,304"), "{text}");
    let row = |label: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} row in {text}"));
        line[line.find(label).unwrap() + label.len()..]
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(row("output channels"), ["256", "416", "0.6154"]);
    assert_eq!(row("conv weights"), ["163,328", "387,072", "0.4220"]);
}

#[test]
fn errors_exit_non_zero_with_one_line_on_stderr() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/invalid/");
    let cases = [
        ("truncated.json", "truncated.json:5:0:"),
        ("kernel_too_large.json", "layer 0 \"big\""),
        ("residual_mismatch.json", "residual 0 \"res\""),
    ];
    for (file, expected) in cases {
        let path = format!("{dir}{file}");
        let out = convtui(&["summary", &path, "--json"]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        assert!(out.stdout.is_empty(), "{file}: nothing on stdout");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{file}: {err}");
        assert!(err.contains(expected), "{file}: {err}");
        assert!(!err.contains("panicked"), "{file}: {err}");
    }
}

#[test]
fn missing_file_and_unknown_preset_are_clear() {
    let out = convtui(&["summary", "/no/such/block.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("/no/such/block.json: cannot read"));
    let out = convtui(&["summary", "--preset", "lenet"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no preset named \"lenet\""));
}

/// A FIFO would block a reader until something writes to it, and a directory is no file: both
/// are refused at once, in one line, instead of hanging.
#[cfg(unix)]
#[test]
fn a_fifo_or_a_directory_is_refused_at_once() {
    let dir = std::env::temp_dir().join(format!("convtui-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("block.json");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let started = std::time::Instant::now();
        let out = convtui(&["summary", fifo.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(err.contains("FIFO") && err.lines().count() == 1, "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
    let out = convtui(&["summary", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("a directory"), "{}", stderr(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_and_version_work() {
    let out = convtui(&["--help"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("summary"));
    let out = convtui(&["--version"]);
    assert!(stdout(&out).contains(env!("CARGO_PKG_VERSION")));
}

/// `--version` names the engine's path, and a build slower than this CPU could run (the
/// baseline one CI also makes) says so with the command that rebuilds it.
#[test]
fn the_build_says_its_path_and_what_it_leaves_behind() {
    let out = convtui(&["--version"]);
    let text = stdout(&out);
    assert!(text.contains(convtui::engine::simd_path()), "{text}");
    match convtui::engine::isa::this_build() {
        convtui::engine::isa::Fit::Slower { cpu, .. } => {
            assert!(text.contains(cpu.name()), "{text}");
            assert!(text.contains(convtui::engine::isa::REBUILD), "{text}");
            let bench = convtui(&[
                "bench",
                "--pointwise",
                "8,8,4,4",
                "--threads",
                "1",
                "--json",
            ]);
            let doc: Value = serde_json::from_slice(&bench.stdout).unwrap();
            assert!(
                doc["build_note"]
                    .as_str()
                    .is_some_and(|n| n.contains(cpu.name())),
                "{doc}"
            );
            assert!(stderr(&bench).contains("rebuild"), "{}", stderr(&bench));
        }
        _ => assert!(!text.contains("note:"), "{text}"),
    }
}

#[test]
fn bench_pointwise_json_has_the_documented_fields() {
    let out = convtui(&[
        "bench",
        "--pointwise",
        "17,5,3,7",
        "--threads",
        "1",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["simd"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(doc["threads"], 1);
    assert!(doc["peak_gflops"].as_f64().unwrap() > 0.0);
    let results = doc["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert_eq!(
        (r["c_in"].clone(), r["c_out"].clone()),
        (17.into(), 5.into())
    );
    assert_eq!((r["h"].clone(), r["w"].clone()), (3.into(), 7.into()));
    let (gflops, seconds) = (
        r["gflops"].as_f64().unwrap(),
        r["seconds"].as_f64().unwrap(),
    );
    // GFLOP/s is 2·MACs over the median time: 2·17·5·21 FLOPs per run.
    let expected = 2.0 * 17.0 * 5.0 * 21.0 / seconds / 1e9;
    assert!(
        (gflops - expected).abs() <= 1e-6 * expected,
        "{gflops} vs {expected}"
    );
    let fraction = r["fraction_of_peak"].as_f64().unwrap();
    assert!((fraction - gflops / doc["peak_gflops"].as_f64().unwrap()).abs() < 1e-9);
}

#[test]
fn bench_preset_times_every_1x1_layer() {
    let out = convtui(&[
        "bench",
        "--preset",
        "inception3a",
        "--threads",
        "1",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["1x1", "3x3 reduce", "5x5 reduce", "pool proj"]);
}

#[test]
fn bench_rejects_bad_shapes_and_thread_counts() {
    for args in [
        &["bench", "--pointwise", "0,64,28,28"][..],
        &["bench", "--pointwise", "192,64,28"],
        &["bench", "--pointwise", "a,b,c,d"],
        &["bench", "--pointwise", "1000000,1000000,1000,1000"],
        &["bench", "--pointwise", "8,8,8,8", "--threads", "0"],
    ] {
        let out = convtui(args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_reader_that_goes_away_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_convtui"))
        .args(["summary", "--preset", "nin"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close the pipe, as `| head -c 1` does.
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(out.status.success() || out.status.code() == Some(1));
}

#[test]
fn endless_files_are_refused_without_reading_them_all() {
    // A device is no block file, however much it would give.
    let out = convtui(&["summary", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    // A regular file past the limit (sparse: nothing is written) is refused by its size.
    let big = std::env::temp_dir().join(format!("convtui-big-{}.json", std::process::id()));
    std::fs::File::create(&big)
        .and_then(|f| f.set_len(17 << 20))
        .unwrap();
    let out = convtui(&["summary", big.to_str().unwrap()]);
    std::fs::remove_file(&big).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("the most a block file may be"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_errors_are_one_line() {
    for args in [
        &["bench", "--pointwise", "4,4,4"][..],
        &["summary", "--frobnicate"],
        &["bench", "--threads", "0", "--pointwise", "1,1,1,1"],
    ] {
        let out = convtui(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            stderr(&out).lines().count(),
            1,
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn io_errors_are_said_once() {
    let out = convtui(&["summary", "/no/such/file.json"]);
    let err = stderr(&out);
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
}

#[test]
fn bench_says_in_one_line_that_grouped_1x1_convs_are_not_timed() {
    let dir = std::env::temp_dir().join(format!("convtui-grouped-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("grouped.json");
    std::fs::write(
        &path,
        r#"{"format": "convtui-block", "version": 1, "name": "g",
            "input": {"channels": 32, "height": 8, "width": 8},
            "layers": [{"conv": {"name": "gpw", "out_channels": 32, "kernel": 1, "groups": 4}}]}"#,
    )
    .unwrap();
    let out = convtui(&["bench", path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("grouped 1×1 convolutions are not timed: gpw (groups 4)"),
        "{err}"
    );
}

#[test]
fn threads_past_the_cores_are_warned_about_and_the_peak_stays_the_cores() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let many = (cores * 8).to_string();
    let out = convtui(&[
        "bench",
        "--pointwise",
        "8,8,4,4",
        "--threads",
        &many,
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let warning = format!("warning: --threads {many} is more than the {cores} core");
    assert!(stderr(&out).contains(&warning), "{}", stderr(&out));
    // Threads that take turns on the cores add no FMA throughput: the probe runs on the cores,
    // so the peak is not eight times the one for `cores` threads (it read thousands before).
    let at_cores = convtui(&[
        "bench",
        "--pointwise",
        "8,8,4,4",
        "--threads",
        &cores.to_string(),
        "--json",
    ]);
    let peak = |out: &std::process::Output| {
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["peak_gflops"]
            .as_f64()
            .unwrap()
    };
    assert!(
        peak(&out) < 3.0 * peak(&at_cores),
        "{} vs {}",
        peak(&out),
        peak(&at_cores)
    );
    assert!(!stderr(&at_cores).contains("warning: --threads"));
}
