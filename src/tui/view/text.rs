//! Small pieces of text the panes share: the spinner, and names and phrases cut to fit, always
//! with a "…" where something was left out, so a cut value never passes for a whole one.

use crate::tui::app::App;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner's frame for this tick.
pub fn spinner(app: &App) -> &'static str {
    SPINNER[app.spinner % SPINNER.len()]
}

/// `text` in at most `width` columns: whole when it fits, else its start and end around "…".
pub fn fit_middle(text: &str, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width {
        return text.to_string();
    }
    if width < 3 {
        return chars[..width].iter().collect();
    }
    let tail = (width - 1) / 2;
    let head = width - 1 - tail;
    let mut fitted: String = chars[..head].iter().collect();
    fitted.push('…');
    fitted.extend(&chars[chars.len() - tail..]);
    fitted
}

/// `text` in at most `width` columns: whole when it fits, else its start and "…".
pub fn fit_end(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut fitted: String = text.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        fitted.push('…');
    }
    fitted
}

/// The same for prose: cut after the last whole word that fits (mid-word only when no word
/// does), then "…".
pub fn fit_words(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let room: String = text.chars().take(width.saturating_sub(1)).collect();
    // A word that ends just where the room does is whole.
    let ends_a_word = text.chars().nth(width.saturating_sub(1)) == Some(' ');
    let whole = match room.rfind(' ') {
        _ if ends_a_word && width > 1 => room.trim_end_matches([' ', ',', ';', ':']),
        Some(at) if at > 0 => room[..at].trim_end_matches([' ', ',', ';', ':']),
        _ => return fit_end(text, width),
    };
    format!("{whole}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_text_ends_with_an_ellipsis() {
        assert_eq!(fit_end("conv 1×7/1 p0×3 g32", 19), "conv 1×7/1 p0×3 g32");
        assert_eq!(fit_end("conv 1×7/1 p0×3 g32", 15), "conv 1×7/1 p0×…");
        assert_eq!(fit_end("abc", 1), "…");
        assert_eq!(fit_end("abc", 0), "");
        assert_eq!(
            fit_words("GoogLeNet's Inception (3a) on 28×28×192, with", 30),
            "GoogLeNet's Inception (3a) on…"
        );
        assert_eq!(fit_words("a b", 3), "a b");
        assert_eq!(fit_words("unbreakable", 6), "unbre…");
    }

    #[test]
    fn names_are_cut_in_the_middle_so_their_ends_still_differ() {
        assert_eq!(fit_middle("res2b_branch2a", 20), "res2b_branch2a");
        assert_eq!(fit_middle("res2b_branch2a", 12), "res2b_…nch2a");
        assert_eq!(fit_middle("res2b_branch2c", 12), "res2b_…nch2c");
        assert_eq!(fit_middle("3x3 reduce", 8), "3x3 …uce");
        assert_eq!(fit_middle("abc", 2), "ab");
        assert_eq!(fit_middle("abc", 0), "");
    }
}
