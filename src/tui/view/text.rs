//! Small pieces of text the panes share: the spinner, and names cut to fit.

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

#[cfg(test)]
mod tests {
    use super::*;

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
