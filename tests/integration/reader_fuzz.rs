//! The block reader against arbitrary bytes and against valid files broken one edit at a time:
//! it never panics, and every refusal is one line that names the file. Each property runs
//! proptest's default 256 cases here; `PROPTEST_CASES=100000 cargo test --release --test
//! integration reader_fuzz` runs it for longer.

use convtui::analysis::Summary;
use convtui::preset::{self, BUILTINS};
use proptest::prelude::*;

const SOURCE: &str = "fuzzed.json";

/// Reads and analyses `bytes` as `convtui summary` would; the error text when it fails.
fn read_and_analyse(bytes: &[u8]) -> Result<(), String> {
    let block = preset::parse_bytes(bytes, SOURCE).map_err(|e| e.to_string())?;
    Summary::of(&block).map(|_| ()).map_err(|e| e.to_string())
}

fn assert_one_line_naming_the_file(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Err(message) = read_and_analyse(bytes) {
        prop_assert!(!message.contains('\n'), "two lines: {message:?}");
        prop_assert!(
            // The reader names the file; analysis names the node (the command line puts the
            // file in front of it).
            [SOURCE, "layer ", "concat ", "residual ", "block "]
                .iter()
                .any(|start| message.starts_with(start)),
            "names neither the file nor a node: {message:?}"
        );
        prop_assert!(message.chars().count() < 2_000, "{} chars", message.len());
    }
    Ok(())
}

/// Things a hand edit or a corrupt copy puts into a file.
const TOKENS: &[&str] = &[
    "{}",
    "[]",
    "null",
    "\"conv\"",
    "-1",
    "0",
    "1e999",
    "1e308",
    "18446744073709551616",
    "4294967295",
    ",",
    ":",
    "}",
    "]",
    "{",
    "[",
    "\"",
    "\u{1b}[2J",
    "\n",
    "\u{ff}",
    "true",
    "{\"relu\": {}}",
    "{\"concat\": {\"branches\": []}}",
    "[[[[[[[[",
    "0.9999",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert {
        at: usize,
        token: usize,
    },
    Delete {
        at: usize,
        len: usize,
    },
    Duplicate {
        at: usize,
        len: usize,
    },
    /// The `nth` run of digits becomes `token`.
    Number {
        nth: usize,
        token: usize,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Edit::Insert { at, token }),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), 1usize..200).prop_map(|(at, len)| Edit::Duplicate { at, len }),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(nth, token)| Edit::Number { nth, token }),
    ]
}

/// The nearest char boundary at or before `at % len`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, edit: &Edit) -> String {
    let mut out = text.to_string();
    match *edit {
        Edit::Insert { at, token } => out.insert_str(boundary(text, at), TOKENS[token]),
        Edit::Delete { at, len } => {
            let from = boundary(text, at);
            let to = boundary(text, from + len.min(text.len() - from));
            out.replace_range(from..to.max(from), "");
        }
        Edit::Duplicate { at, len } => {
            let from = boundary(text, at);
            let to = boundary(text, from + len.min(text.len() - from)).max(from);
            out.insert_str(to, &text[from..to]);
        }
        Edit::Number { nth, token } => {
            let runs: Vec<(usize, usize)> = digit_runs(text);
            if let Some(&(from, to)) = runs.get(nth % runs.len().max(1)) {
                out.replace_range(from..to, TOKENS[token]);
            }
        }
    }
    out
}

fn digit_runs(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    runs
}

/// The blocks, not the whole networks: a mutated network reads the same way, only slower.
fn valid_text() -> impl Strategy<Value = &'static str> {
    (0..6usize).prop_map(|i| BUILTINS[i].json)
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        assert_one_line_naming_the_file(&bytes)?;
    }

    #[test]
    fn a_valid_file_broken_by_a_few_edits_never_panics(
        text in valid_text(),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let mut broken = text.to_string();
        for e in &edits {
            broken = apply(&broken, e);
        }
        assert_one_line_naming_the_file(broken.as_bytes())?;
    }

    #[test]
    fn a_valid_file_with_bytes_replaced_never_panics(
        text in valid_text(),
        hits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = text.as_bytes().to_vec();
        for (at, byte) in hits {
            let at = at % bytes.len();
            bytes[at] = byte;
        }
        assert_one_line_naming_the_file(&bytes)?;
    }
}

#[test]
fn the_mutations_reach_the_layer_checks_not_only_the_syntax_check() {
    // Edits that only ever broke the JSON would test serde, not the format: numbers swapped
    // for 0 must still parse and be refused by the layer checks, and "}" by the syntax check.
    let text = BUILTINS[0].json;
    let zero = TOKENS.iter().position(|t| *t == "0").unwrap();
    let brace = TOKENS.iter().position(|t| *t == "}").unwrap();
    let outcomes = |token| {
        (0..digit_runs(text).len())
            .map(|nth| read_and_analyse(apply(text, &Edit::Number { nth, token }).as_bytes()))
            .collect::<Vec<_>>()
    };
    let zeros = outcomes(zero);
    assert!(
        zeros
            .iter()
            .any(|r| matches!(r, Err(m) if m.contains("must be at least 1")))
    );
    assert!(zeros.iter().any(Result::is_ok), "some numbers may be 0");
    let braces = outcomes(brace);
    // (A digit inside a name, as in "3x3 reduce", still reads.)
    assert!(
        braces
            .iter()
            .any(|r| matches!(r, Err(m) if m.starts_with("fuzzed.json:")))
    );
}
