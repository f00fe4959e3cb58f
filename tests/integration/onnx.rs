//! ONNX import against the fixtures in `tests/fixtures/onnx` (made by `make_fixtures.py` there,
//! from PyTorch, which CI does not need): every good model opens with PyTorch's parameter and
//! MAC counts to the unit, layer by layer, and every broken one is refused with its message.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use convtui::analysis::{Row, Summary};
use convtui::preset;
use serde::Deserialize;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx")
}

/// Exports the importer refuses, with what the refusal must name: the dynamo exporter writes
/// local response normalisation as the arithmetic it is made of, and the legacy one computes a
/// `Pad`'s pads with a graph of their own.
const REFUSED: &[(&str, &str)] = &[
    ("alexnet_like.dynamo", "Pow ×1 (first: node_pow_1)"),
    ("asym.legacy", "node /pad/Pad (Pad): its pads are computed"),
];

/// Exports that lose what PyTorch counts: the dynamo exporter drops an all-zero bias, so the
/// file counts what is in it (`onnx_params`).
const LOSSY: &[&str] = &["inception_zero_bias.dynamo"];

#[derive(Deserialize)]
struct Expected {
    params: u64,
    onnx_params: u64,
    macs: u64,
    output: [usize; 3],
    layers: Vec<ExpectedLayer>,
}

#[derive(Deserialize)]
struct ExpectedLayer {
    name: String,
    params: u64,
    macs: u64,
}

fn expected() -> BTreeMap<String, Expected> {
    let text = std::fs::read_to_string(dir().join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_exported_model_counts_as_pytorch_does() {
    let all = expected();
    assert!(all.len() >= 10, "fixtures missing: {}", all.len());
    for (file, want) in &all {
        if let Some((_, why)) = REFUSED.iter().find(|(prefix, _)| file.starts_with(prefix)) {
            let err = preset::load(&dir().join(file)).err().map(|e| e.to_string());
            assert!(
                err.as_deref().is_some_and(|e| e.contains(why)),
                "{file}: {err:?}"
            );
            continue;
        }
        let block = preset::load(&dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let summary = Summary::of(&block).unwrap_or_else(|e| panic!("{file}: {e}"));
        let t = &summary.block.totals;
        let [c, h, w] = want.output;
        let params = if LOSSY.iter().any(|p| file.starts_with(p)) {
            want.onnx_params
        } else {
            want.params
        };
        assert_eq!(
            (t.params(), t.macs, (t.output.c, t.output.h, t.output.w)),
            (params, want.macs, (c, h, w)),
            "{file}"
        );
        // Each Conv, Gemm or MatMul node is a row of its own, named as the node, with the
        // module's counts (a MatMul's row also holds the Add of its bias).
        let weighted: Vec<_> = summary
            .block
            .rows
            .iter()
            .filter_map(Row::as_layer)
            .filter(|l| l.macs > 0)
            .collect();
        assert_eq!(weighted.len(), want.layers.len(), "{file}");
        for (row, layer) in weighted.iter().zip(&want.layers) {
            let name = row.name.as_deref().unwrap_or("");
            assert!(
                name.starts_with(&layer.name),
                "{file}: {name} vs {}",
                layer.name
            );
            assert_eq!(row.macs, layer.macs, "{file}: {name}");
            if params == want.params {
                assert_eq!(row.params(), layer.params, "{file}: {name}");
            }
        }
        // The counterpart without 1×1 convolutions is computed on it too.
        assert!(summary.counterpart.is_ok(), "{file}");
    }
}

#[test]
fn an_imported_model_converts_to_a_block_file_with_the_same_counts() {
    let file = "bottleneck.dynamo.20.onnx";
    let block = preset::load(&dir().join(file)).unwrap();
    let again = preset::parse(&preset::to_json(&block), "converted").unwrap();
    assert_eq!(again, block, "{file}");
}

#[test]
fn every_broken_model_is_refused_with_its_reason() {
    let text = std::fs::read_to_string(dir().join("broken.json")).unwrap();
    let broken: BTreeMap<String, String> = serde_json::from_str(&text).unwrap();
    assert!(broken.len() >= 10);
    for (file, want) in &broken {
        let err = match preset::load(&dir().join(file)) {
            Ok(_) => panic!("{file} opened"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(want), "{file}: {err}");
        assert!(err.contains(file.as_str()), "{file}: names the file: {err}");
        assert_eq!(err.lines().count(), 1, "{file}: {err}");
    }
}
