use crate::model::{LayerKind, Padding, Pair};
use crate::preset::{parse, to_json};

fn block(layers: &str) -> String {
    format!(
        r#"{{"format": "convtui-block", "version": 1, "name": "t",
            "input": {{"channels": 3, "height": 16, "width": 16}}, "layers": [{layers}]}}"#
    )
}

fn names(text: &str) -> Vec<String> {
    let block = parse(text, "t").unwrap();
    block
        .layers()
        .map(|(_, l)| l.name.clone().unwrap_or_default())
        .collect()
}

#[test]
fn repeat_writes_each_copy_with_its_index() {
    let text = block(
        r#"{"conv": {"name": "stem", "out_channels": 4, "kernel": 1}},
           {"repeat": {"count": 3, "start": 1, "layers": [
               {"residual": {"name": "layer1.{i}", "body": [
                   {"conv": {"name": "layer1.{i}.conv1", "out_channels": 4, "kernel": 1}}]}},
               {"relu": {"name": "layer1.{i}.relu"}}]}}"#,
    );
    assert_eq!(
        names(&text),
        [
            "stem",
            "layer1.1.conv1",
            "layer1.1.relu",
            "layer1.2.conv1",
            "layer1.2.relu",
            "layer1.3.conv1",
            "layer1.3.relu"
        ]
    );
    let block = parse(&text, "t").unwrap();
    assert_eq!(block.body[3].name(), Some("layer1.2"));
}

#[test]
fn a_nested_repeat_uses_its_own_index() {
    let text = block(
        r#"{"repeat": {"count": 2, "layers": [
               {"repeat": {"count": 2, "start": 5, "layers": [{"relu": {"name": "r{i}"}}]}}]}}"#,
    );
    assert_eq!(names(&text), ["r5", "r6", "r5", "r6"]);
}

#[test]
fn a_repeat_that_is_empty_or_huge_is_refused_where_it_is() {
    let zero = block(r#"{"repeat": {"count": 0, "layers": [{"relu": {}}]}}"#);
    let err = parse(&zero, "t").unwrap_err().to_string();
    assert!(
        err.contains("layers[0]: repeat count must be at least 1"),
        "{err}"
    );
    let huge = block(
        r#"{"repeat": {"count": 100000, "layers": [
               {"repeat": {"count": 100000, "layers": [{"relu": {}}]}}]}}"#,
    );
    let err = parse(&huge, "t").unwrap_err().to_string();
    assert!(
        err.contains("layers[0]") && err.contains("grows past 4096"),
        "{err}"
    );
}

#[test]
fn padding_per_side_dilation_and_the_new_kinds_survive_a_save() {
    let text = block(
        r#"{"conv": {"out_channels": 4, "kernel": 3, "padding": [0, 1, 2, 3], "dilation": [2, 1]}},
           {"max_pool": {"kernel": 3, "padding": [1, 1, 0, 0]}},
           {"lrn": {"size": 5, "alpha": 0.0002}},
           {"relu6": {}},
           {"adaptive_avg_pool": {"output": [2, 3]}}"#,
    );
    let block = parse(&text, "t").unwrap();
    let conv = block.body[0].as_layer().unwrap().as_conv().unwrap();
    assert_eq!(
        conv.padding,
        Padding {
            begin: Pair::new(0, 1),
            end: Pair::new(2, 3)
        }
    );
    assert_eq!(conv.dilation, Pair::new(2, 1));
    let LayerKind::Lrn(lrn) = &block.body[2].as_layer().unwrap().kind else {
        panic!("not an lrn");
    };
    assert_eq!(
        (lrn.size, lrn.alpha, lrn.beta, lrn.k),
        (5, 0.0002, 0.75, 1.0)
    );
    let saved = to_json(&block);
    assert!(saved.contains("\"relu6\"") && saved.contains("\"adaptive_avg_pool\""));
    assert_eq!(parse(&saved, "saved").unwrap(), block);
}

#[test]
fn padding_of_three_numbers_is_refused() {
    let text = block(r#"{"conv": {"out_channels": 4, "kernel": 3, "padding": [1, 1, 1]}}"#);
    let err = parse(&text, "t").unwrap_err().to_string();
    assert!(err.contains("[top, left, bottom, right]"), "{err}");
}

#[test]
fn branches_count_toward_the_limit() {
    let branches = vec!["[]"; 5000].join(",");
    let text = block(&format!(r#"{{"concat": {{"branches": [{branches}]}}}}"#));
    let err = parse(&text, "t").unwrap_err().to_string();
    assert!(err.contains("5000 branches"), "{err}");
    // Many concats of many empty branches, each under the limit, add up.
    let some = vec!["[]"; 3000].join(",");
    let many = vec![format!(r#"{{"concat": {{"branches": [{some}]}}}}"#); 4].join(",");
    let err = parse(&block(&many), "t").unwrap_err().to_string();
    assert!(err.contains("rows"), "{err}");
}
