//! A one-line text field with a cursor, for the edit form and the path prompts.
//!
//! A field can hold its whole text selected, as form fields do when the focus enters them: a
//! typed character then replaces the old value instead of landing after it (`3` then `5` is
//! `5`, not `35`), while a movement key drops the selection and keeps the text.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    /// Cursor position in characters (not bytes).
    cursor: usize,
    /// The whole text is selected: the next edit replaces it.
    selected: bool,
}

impl TextInput {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let cursor = text.chars().count();
        Self {
            text,
            cursor,
            selected: false,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Whether the whole text is selected.
    pub fn is_selected(&self) -> bool {
        self.selected && !self.text.is_empty()
    }

    /// Selects the whole text, with the cursor after it.
    pub fn select_all(&mut self) {
        self.cursor = self.text.chars().count();
        self.selected = true;
    }

    /// Drops a selection's text, for an edit that replaces it; true if there was one.
    fn take_selection(&mut self) -> bool {
        let had = self.is_selected();
        if had {
            self.text.clear();
            self.cursor = 0;
        }
        self.selected = false;
        had
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(at, _)| at)
    }

    pub fn insert(&mut self, ch: char) {
        self.take_selection();
        let at = self.byte_at(self.cursor);
        self.text.insert(at, ch);
        self.cursor += 1;
    }

    pub fn backspace(&mut self) {
        if self.take_selection() {
            return;
        }
        if self.cursor > 0 {
            self.cursor -= 1;
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    pub fn delete(&mut self) {
        if self.take_selection() {
            return;
        }
        if self.cursor < self.text.chars().count() {
            let at = self.byte_at(self.cursor);
            self.text.remove(at);
        }
    }

    /// Left from a selection goes to its start, as in a browser's or an editor's field.
    pub fn left(&mut self) {
        if std::mem::take(&mut self.selected) {
            self.cursor = 0;
        } else {
            self.cursor = self.cursor.saturating_sub(1);
        }
    }

    /// Right from a selection stays at its end.
    pub fn right(&mut self) {
        if !std::mem::take(&mut self.selected) {
            self.cursor = (self.cursor + 1).min(self.text.chars().count());
        }
    }

    pub fn home(&mut self) {
        self.selected = false;
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.selected = false;
        self.cursor = self.text.chars().count();
    }

    /// Deletes from the start of the line to the cursor (readline's Ctrl-u), so what follows
    /// the cursor stays; a selection goes whole.
    pub fn delete_to_start(&mut self) {
        if self.take_selection() {
            return;
        }
        let at = self.byte_at(self.cursor);
        self.text.replace_range(..at, "");
        self.cursor = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_at_the_cursor_with_multibyte_text() {
        let mut input = TextInput::new("3×3");
        input.left();
        input.backspace();
        assert_eq!(input.text(), "33");
        input.insert('x');
        assert_eq!(input.text(), "3x3");
        input.home();
        input.delete();
        input.backspace();
        assert_eq!((input.text(), input.cursor()), ("x3", 0));
        input.end();
        input.right();
        assert_eq!(input.cursor(), 2);
    }

    fn selected(text: &str) -> TextInput {
        let mut input = TextInput::new(text);
        input.select_all();
        input
    }

    #[test]
    fn a_typed_character_replaces_a_selection() {
        let mut input = selected("3");
        input.insert('5');
        assert_eq!(
            (input.text(), input.cursor(), input.is_selected()),
            ("5", 1, false)
        );
        input.insert('0');
        assert_eq!(input.text(), "50", "only the first key replaces");
        for erase in [
            TextInput::backspace,
            TextInput::delete,
            TextInput::delete_to_start,
        ] {
            let mut input = selected("1x7");
            erase(&mut input);
            assert_eq!((input.text(), input.cursor()), ("", 0));
        }
    }

    #[test]
    fn movement_drops_a_selection_and_keeps_the_text() {
        let mut input = selected("128");
        input.left();
        assert_eq!(
            (input.text(), input.cursor(), input.is_selected()),
            ("128", 0, false)
        );
        input.insert('1');
        assert_eq!(input.text(), "1128");
        let mut input = selected("128");
        input.right();
        input.insert('0');
        assert_eq!(input.text(), "1280");
        let mut input = selected("128");
        input.home();
        input.delete();
        assert_eq!(input.text(), "28");
        let mut input = selected("128");
        input.end();
        input.backspace();
        assert_eq!(input.text(), "12");
    }

    #[test]
    fn ctrl_u_deletes_to_the_start_of_the_line() {
        let mut input = TextInput::new("dir/name.json");
        for _ in 0..5 {
            input.left();
        }
        input.delete_to_start();
        assert_eq!((input.text(), input.cursor()), (".json", 0));
        input.end();
        input.delete_to_start();
        assert_eq!(input.text(), "");
    }

    #[test]
    fn an_empty_field_has_nothing_selected() {
        let mut input = selected("");
        assert!(!input.is_selected());
        input.insert('a');
        assert_eq!(input.text(), "a");
    }
}
