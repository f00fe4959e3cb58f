//! `convtui bench --whole`: the document's fields, the reference's verdict, the per-layer times
//! against the whole, and blocks too large to run refused with the layer and the size.

use crate::support::{convtui, stderr};

use serde_json::Value;

#[test]
fn bench_whole_json_has_both_sides_their_layers_and_the_verdict() {
    let out = convtui(&[
        "bench",
        "--preset",
        "inception3a",
        "--whole",
        "--verify",
        "--threads",
        "1",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    // Every field the pointwise document had is still there.
    for field in ["simd", "threads", "peak_gflops", "results", "runs"] {
        assert!(doc.get(field).is_some(), "{field}");
    }
    let whole = &doc["whole"];
    let peak = doc["peak_gflops"].as_f64().unwrap();
    for (side, macs) in [("block", 128_049_152u64), ("counterpart", 303_464_448)] {
        let s = &whole[side];
        assert_eq!(s["macs"].as_u64(), Some(macs), "{side}");
        let seconds = s["seconds"].as_f64().unwrap();
        let gflops = s["gflops"].as_f64().unwrap();
        assert!((gflops - 2.0 * macs as f64 / seconds / 1e9).abs() < 1e-6 * gflops);
        assert!((s["fraction_of_peak"].as_f64().unwrap() - gflops / peak).abs() < 1e-9);
        assert!(s["runs"].as_u64().unwrap() >= 3);
        assert!(s["seconds_p10"].as_f64().unwrap() <= seconds);
        assert!(s["seconds_p90"].as_f64().unwrap() >= seconds);
    }
    let counted = whole["counted_speedup"].as_f64().unwrap();
    assert!((counted - 303_464_448.0 / 128_049_152.0).abs() < 1e-12);
    let measured = whole["measured_speedup"].as_f64().unwrap();
    let ratio = whole["counterpart"]["seconds"].as_f64().unwrap()
        / whole["block"]["seconds"].as_f64().unwrap();
    assert!((measured - ratio).abs() < 1e-9);
    let layers = whole["layers"].as_array().unwrap();
    let names: Vec<&str> = layers.iter().map(|l| l["name"].as_str().unwrap()).collect();
    for name in [
        "1x1",
        "3x3 reduce",
        "3x3",
        "5x5 reduce",
        "5x5",
        "pool",
        "pool proj",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let share: f64 = layers.iter().map(|l| l["share"].as_f64().unwrap()).sum();
    assert!((share - 1.0).abs() < 1e-9);
    assert!(whole["peak_memory_bytes"].as_u64().unwrap() > 0);
    assert!(whole["peak_memory_bytes"].as_u64() < whole["counted_activation_bytes"].as_u64());
    let verify = &doc["verify"];
    assert!(verify["max_rel_error"].as_f64().unwrap() <= verify["tolerance"].as_f64().unwrap());
    assert!(verify["max_abs_error"].as_f64().unwrap() >= 0.0);
}

/// Runs `bench --whole` on `block` (a block file's text) and returns its one line of error,
/// asserting that it failed and said nothing else. Past a second (a busy machine's peak probe),
/// bench also says what it is doing; those lines are not errors.
fn whole_refuses(name: &str, block: &str) -> String {
    let dir = std::env::temp_dir().join(format!("convtui-whole-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{name}.json"));
    std::fs::write(&file, block).unwrap();
    let out = convtui(&["bench", file.to_str().unwrap(), "--whole", "--threads", "1"]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!out.status.success());
    let all = stderr(&out);
    let err: Vec<&str> = all.lines().filter(|l| !l.ends_with(" s so far)")).collect();
    assert_eq!(err.len(), 1, "{err:?}");
    err[0].to_string()
}

#[test]
fn a_block_too_large_to_run_is_refused_with_the_layer_and_the_size() {
    let err = whole_refuses(
        "huge",
        r#"{ "format": "convtui-block", "version": 1, "name": "huge", "description": "",
             "input": { "channels": 3, "height": 30000, "width": 30000 },
             "layers": [ { "conv": { "name": "stem", "out_channels": 64, "kernel": 3, "padding": 1 } } ] }"#,
    );
    assert!(
        err.contains("stem") && err.contains("GiB") && err.contains("budget"),
        "{err}"
    );
}

#[test]
fn a_layer_the_engine_cannot_run_is_named_and_the_command_fails() {
    let err = whole_refuses(
        "atrous",
        r#"{ "format": "convtui-block", "version": 1, "name": "atrous", "description": "",
             "input": { "channels": 8, "height": 16, "width": 16 },
             "layers": [ { "conv": { "name": "dilated", "out_channels": 8, "kernel": 3,
                                     "padding": 2, "dilation": 2 } } ] }"#,
    );
    assert!(
        err.contains("dilated") && err.contains("dilation 2×2"),
        "{err}"
    );
}
