//! Names, descriptions and paths come from files anyone may write: before they reach a terminal
//! (a message, `summary`'s table, the TUI) control characters are escaped, so a name can
//! neither split a one-line message nor send the terminal an escape sequence, and a very long
//! one is cut with "…".

use std::borrow::Cow;

/// The most characters of one name or path shown.
pub const MAX_SHOWN: usize = 200;

/// `text` with control characters written as `\n`, `\t` or `\u{1b}`, cut at `MAX_SHOWN`.
pub fn printable(text: &str) -> Cow<'_, str> {
    printable_within(text, MAX_SHOWN)
}

/// The same, cut at `max` characters (a whole message holds several names).
pub fn printable_within(text: &str, max: usize) -> Cow<'_, str> {
    let long = text.chars().nth(max).is_some();
    if !long && !text.chars().any(char::is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(4 * MAX_SHOWN));
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Edit distance, for a few short words.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(here + 1);
            previous = here;
        }
    }
    row[b.len()]
}

/// A number from a file, in at most about a dozen characters: `1e308` as `1.000e308`, not 309
/// digits; `0.123456789` as `0.123457`.
pub fn short_number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-3..1e6).contains(&x.abs()) {
        let text = format!("{x:.6}");
        if text.contains('.') {
            return text.trim_end_matches('0').trim_end_matches('.').to_string();
        }
        return text;
    }
    format!("{x:.3e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_a_sane_precision() {
        assert_eq!(short_number(1e308), "1.000e308");
        assert_eq!(short_number(-2.5e-9), "-2.500e-9");
        assert_eq!(short_number(0.123456789), "0.123457");
        assert_eq!(short_number(1.0), "1");
        assert_eq!(short_number(0.5), "0.5");
        assert_eq!(short_number(f64::NAN), "NaN");
    }

    #[test]
    fn escapes_controls_and_cuts_long_names() {
        assert_eq!(printable("3x3 reduce"), "3x3 reduce");
        assert_eq!(
            printable("a\nb\x1b]0;title\x07"),
            "a\\nb\\u{1b}]0;title\\u{7}"
        );
        let long = "x".repeat(10_000);
        let shown = printable(&long);
        assert_eq!(shown.chars().count(), MAX_SHOWN + 1);
        assert!(shown.ends_with('…'));
    }
}
