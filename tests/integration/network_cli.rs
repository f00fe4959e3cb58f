//! The command line at network scale: `compare`, `summary --depth` and `--format`, `--input`,
//! and preset names where a file is expected.

use crate::support::convtui;

use serde_json::Value;

fn ok(args: &[&str]) -> String {
    let out = convtui(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

#[test]
fn compare_googlenet_with_alexnet_gives_the_exact_ratio() {
    let doc = json(&["compare", "googlenet", "alexnet", "--json"]);
    assert_eq!(doc["format"], "convtui-compare");
    assert_eq!(doc["a"]["params"], 6_998_552);
    assert_eq!(doc["b"]["params"], 61_100_840);
    let ratio = doc["ratios"]["params"].as_f64().unwrap();
    assert!(
        (ratio - 6_998_552.0 / 61_100_840.0).abs() < 1e-12,
        "{ratio}"
    );
    let table = ok(&["compare", "googlenet", "alexnet"]);
    assert!(table.contains("8.7305"), "{table}");
    assert!(table.contains("FLOPs = 2·MACs"), "{table}");
}

#[test]
fn compare_takes_a_file_and_the_input_shape() {
    let dir = std::env::temp_dir().join(format!("convtui-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mine.json");
    std::fs::write(
        &file,
        ok(&["summary", "resnet50", "--json"]).len().to_string(),
    )
    .unwrap();
    // Not a block file: the message names it, and nothing is printed.
    let out = convtui(&["compare", file.to_str().unwrap(), "alexnet"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mine.json"));
    let doc = json(&[
        "compare",
        "resnet50",
        "resnet152",
        "--input",
        "3,112,112",
        "--json",
    ]);
    assert_eq!(doc["a"]["input"]["height"], 112);
    // At a quarter of the pixels, a quarter of the conv MACs (fc stays): 4,089,184,256 at 224.
    let macs = doc["a"]["macs"].as_u64().unwrap();
    assert!(macs < 4_089_184_256 / 3, "{macs}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn input_reanalyses_any_block_at_another_resolution() {
    let at_224 = json(&["summary", "vgg16", "--json"]);
    let at_112 = json(&["summary", "vgg16", "--input", "3,112,112", "--json"]);
    // The adaptive pool keeps the classifier's input at 7×7, so the fc layers are unchanged
    // and every conv does a quarter of the work.
    let params = |d: &Value| d["totals"]["params"].as_u64().unwrap();
    assert_eq!(params(&at_224), params(&at_112));
    let fc_macs = 25_088 * 4096 + 4096 * 4096 + 4096 * 1000;
    let conv = |d: &Value| d["totals"]["macs"].as_u64().unwrap() - fc_macs;
    assert_eq!(conv(&at_224), 4 * conv(&at_112));
    let out = convtui(&["summary", "alexnet", "--input", "3,224"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("C,H,W"));
}

#[test]
fn depth_rolls_up_and_formats_agree() {
    let table = ok(&["summary", "googlenet", "--depth", "1"]);
    assert!(table.contains("concat \"inception_3a/output\""), "{table}");
    assert!(!table.contains("inception_3a/3x3_reduce"), "{table}");
    let csv = ok(&["summary", "googlenet", "--format", "csv", "--depth", "1"]);
    let macs: u64 = csv
        .lines()
        .skip(1)
        .filter_map(|l| l.rsplit(',').nth(1)?.parse::<u64>().ok())
        .sum();
    assert_eq!(macs, 1_582_671_872);
    let md = ok(&["summary", "googlenet", "--format", "markdown"]);
    assert!(md.contains("| Layer | Kind |"), "{md}");
    let doc = json(&["summary", "googlenet", "--format", "json"]);
    assert_eq!(doc["totals"]["macs"], 1_582_671_872);
    let out = convtui(&["summary", "googlenet", "--depth", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn peak_memory_and_parameter_bytes_are_in_the_json() {
    let doc = json(&["summary", "vgg16", "--json"]);
    let t = &doc["totals"];
    assert_eq!(t["peak_activations"], 2 * 224 * 224 * 64);
    assert_eq!(t["param_bytes"], 4 * 138_357_544u64);
}

#[test]
fn an_onnx_model_opens_by_content_and_converts_to_a_block_file() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx");
    let dir = std::env::temp_dir().join(format!("convtui-convert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Recognised by its bytes, not its name.
    let renamed = dir.join("model.bin");
    std::fs::copy(fixtures.join("bottleneck.legacy.13.onnx"), &renamed).unwrap();
    let doc = json(&["summary", renamed.to_str().unwrap(), "--json"]);
    assert_eq!(doc["totals"]["params"], 3146);
    let out = dir.join("model.json");
    ok(&["convert", renamed.to_str().unwrap(), out.to_str().unwrap()]);
    let again = json(&["summary", out.to_str().unwrap(), "--json"]);
    assert_eq!(again["totals"], doc["totals"]);
    // The layers keep the ONNX nodes' names.
    let names: Vec<&str> = again["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["name"].as_str())
        .collect();
    assert!(names.contains(&"/block1/conv1/Conv"), "{names:?}");
    // A broken model: one line, exit 1.
    let out = convtui(&["summary", fixtures.join("truncated.onnx").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("truncated"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
