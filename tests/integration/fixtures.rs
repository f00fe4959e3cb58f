//! Good and broken block files: the good ones analyse to known figures, each broken one fails
//! with a message that says what and where.

use std::path::PathBuf;

use convtui::analysis::Summary;
use convtui::preset;

fn fixture(kind: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
        .join(name)
}

/// The whole error, from loading through analysis, as the command line prints it.
fn error_of(name: &str) -> String {
    let path = fixture("invalid", name);
    match preset::load(&path) {
        Err(e) => e.to_string(),
        Ok(block) => match Summary::of(&block) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{name} should not analyse"),
        },
    }
}

const INVALID: &[(&str, &str)] = &[
    (
        "truncated.json",
        "truncated.json:5:0: EOF while parsing a value",
    ),
    (
        "wrong_type.json",
        "wrong_type.json:4:36: invalid type: string \"64\", expected usize",
    ),
    (
        "unknown_kind.json",
        "unknown_kind.json:4:19: unknown layer kind \"convolution\" (did you mean \"conv\"?); a layer is an object with exactly one kind (conv, max_pool,",
    ),
    (
        "unknown_field.json",
        "unknown_field.json:4:29: unknown field `out_chanels`",
    ),
    (
        "negative_channels.json",
        "negative_channels.json:4:47: invalid value: integer `-3`, expected usize",
    ),
    ("empty.json", "empty.json:1:0: EOF while parsing a value"),
    (
        "dropout_rounds_to_one.json",
        "layers[0]: dropout p 0.9996 must be in [0, 1)",
    ),
    (
        "wrong_format.json",
        "\"format\" is \"keras\", expected \"convtui-block\"",
    ),
    ("future_version.json", "format version 7 is not supported"),
    (
        "zero_channels.json",
        "layer 0 \"squeeze\" (conv 1×1): out_channels must be at least 1",
    ),
    (
        "absurd_channels.json",
        "layer 0 \"huge\" (conv 1×1): out_channels 1000000000000 is more than the limit",
    ),
    (
        "kernel_too_large.json",
        "layer 0 \"big\" (conv 11×11): kernel 11×11 is larger than its padded input 8×8",
    ),
    (
        "concat_mismatch.json",
        "concat 0 \"mixed\" (2 branches): branch 2 gives 6×6 but branch 1 gives 8×8",
    ),
    (
        "residual_mismatch.json",
        "residual 0 \"res\" (identity shortcut): the body gives 8×8×32 but the shortcut gives 8×8×16",
    ),
    (
        "zero_input.json",
        "block \"t\" (input): input height 0 is outside 1..=32768",
    ),
    ("absurd_input.json", "input height 1000000000 is outside"),
    (
        "bad_groups.json",
        "layer 0 \"g\" (conv 3×3): groups 3 does not divide its 16 input channels",
    ),
    // Arrays and scalars where the format has objects, each said in the format's words.
    (
        "layer_empty_object.json",
        "layer_empty_object.json:4:6: a layer is an object with exactly one kind (conv, max_pool, avg_pool, global_avg_pool, adaptive_avg_pool, relu, relu6, lrn, batch_norm, fc, flatten, dropout, concat, residual, repeat), e.g. {\"relu\": {}}; got {}",
    ),
    (
        "layer_null.json",
        "layer_null.json:4:8: a layer is an object with exactly one kind",
    ),
    (
        "layer_two_kinds.json",
        "layer_two_kinds.json:4:56: a layer has exactly one kind, but this one has \"conv\" and \"relu\"; write them as two layers",
    ),
    (
        "layer_name_beside.json",
        "layer_name_beside.json:4:12: a layer's name goes inside its kind, e.g. {\"relu\": {\"name\": \"relu1\"}}",
    ),
    (
        "layer_as_string.json",
        "; got the string \"relu\" (write {\"relu\": {...}})",
    ),
    (
        "conv_as_array.json",
        "conv_as_array.json:4:15: a conv is an object, e.g. {\"out_channels\": 64, \"kernel\": 3, \"padding\": 1}; got an array",
    ),
    (
        "relu_null.json",
        "relu_null.json:4:18: a relu is an object, {} or {\"name\": \"...\"}; got null",
    ),
    (
        "layers_nested.json",
        "layers_nested.json:4:5: a layer is an object with exactly one kind",
    ),
    (
        "branches_of_layers.json",
        "branches_of_layers.json:4:33: each branch of a concat is a list of layers, e.g. [{\"relu\": {}}]; got an object",
    ),
    (
        "input_as_array.json",
        "input_as_array.json:2:66: input is an object: {\"channels\": C, \"height\": H, \"width\": W}; got an array",
    ),
    (
        "block_as_array.json",
        "block_as_array.json:1:1: a block is an object with format, version, name, input and layers; got an array",
    ),
    (
        "not_utf8.json",
        "not_utf8.json:3:15: byte 0xe9 is not UTF-8; a block file is UTF-8 JSON text",
    ),
    (
        "dropout_huge.json",
        "layers[0]: dropout p 1.000e308 must be in [0, 1)",
    ),
    (
        "totals_overflow.json",
        "layer 3 (conv 1×1): the block's total MACs would pass 18,446,744,073,709,551,615 (the most a u64 holds) at this layer",
    ),
];

#[test]
fn every_broken_fixture_fails_with_its_message() {
    for (name, expected) in INVALID {
        let message = error_of(name);
        assert!(
            message.contains(expected),
            "{name}: expected {expected:?} in {message:?}"
        );
        assert!(!message.contains('\n'), "{name}: one line, got {message:?}");
    }
}

#[test]
fn every_broken_fixture_is_listed() {
    let dir = fixture("invalid", "");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = INVALID.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn separable_block_counts_groups_and_asymmetric_kernels() {
    let block = preset::load(&fixture("valid", "separable.json")).unwrap();
    let s = Summary::of(&block).unwrap();
    let t = &s.block.totals;
    // dw 3·3·1·32 = 288; pw 32·64 = 2,048; 1×7: 7·64·64 = 28,672 (+64 bias); fc 64·10 (+10).
    assert_eq!(t.conv_weights, 288 + 2_048 + 28_672);
    assert_eq!(t.conv_biases, 64);
    // BN: 2·32 + 2·64.
    assert_eq!(t.params(), 288 + 2_048 + 28_672 + 64 + 640 + 10 + 64 + 128);
    assert_eq!(t.output.c, 10);
    // MACs: dw 288·112² + pw 2,048·112² + 1×7 28,672·112² + fc 640.
    assert_eq!(t.macs, (288 + 2_048 + 28_672) * 112 * 112 + 640);
    // The pointwise conv is followed (through BN and ReLU) by the 1×7, so the reduce rule,
    // which comes first, drops it: the 1×7 reads the 32 channels, 7·32·64 = 14,336 weights.
    let c = s.counterpart.unwrap();
    assert_eq!(c.totals.conv_weights, 288 + 14_336);
}

#[test]
fn a_block_over_the_node_limit_is_refused_quickly_and_clearly() {
    use convtui::model::{Block, Conv, Layer, LayerKind, MAX_NODES, Node, Shape};
    let body = (0..=MAX_NODES)
        .map(|_| Node::Layer(Layer::new(LayerKind::Conv(Conv::new(8, 1)))))
        .collect();
    let block = Block {
        name: "long".into(),
        description: String::new(),
        input: Shape::new(8, 4, 4),
        body,
    };
    let error = Summary::of(&block).unwrap_err().to_string();
    assert!(error.contains("more than 4096 layers"), "{error}");
}
