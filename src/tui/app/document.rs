//! The document: the block being edited, where it came from, what it was last saved as, and
//! its undo and redo stacks. Every change of the block goes through here, so each is one undo
//! step and the saved-state marker moves with it.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::model::{Block, printable};

/// Where the document came from, and where `s` saves it by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Preset(String),
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Preset(name) => write!(f, "preset {name}"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// One state of the document, as undo and redo keep it. The saved-state marker goes with the
/// origin: undoing an open brings back the old block *and* what it was last saved as.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    block: Block,
    origin: Origin,
    saved: Block,
    /// The structure row selected then, so that undo returns the user to it.
    selected: usize,
    /// What the step between this state and its neighbour on the other stack did ("widen
    /// conv2 to 96"), recorded when the edit was made, so undo and redo can say it.
    what: String,
}

#[derive(Debug, Clone)]
pub struct Document {
    block: Block,
    origin: Origin,
    /// The block as last saved or opened: the document is modified when it differs.
    saved: Block,
    undo: Vec<Snapshot>,
    redo: Vec<Snapshot>,
}

impl Document {
    pub fn new(block: Block, origin: Origin) -> Document {
        Document {
            saved: block.clone(),
            block,
            origin,
            undo: Vec::new(),
            redo: Vec::new(),
        }
    }

    pub fn block(&self) -> &Block {
        &self.block
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    pub fn is_modified(&self) -> bool {
        self.block != self.saved
    }

    /// Steps that undo (redo) can take.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    pub fn redo_len(&self) -> usize {
        self.redo.len()
    }

    fn snapshot(&self, selected: usize, what: String) -> Snapshot {
        Snapshot {
            block: self.block.clone(),
            origin: self.origin.clone(),
            saved: self.saved.clone(),
            selected,
            what,
        }
    }

    fn push_undo(&mut self, selected: usize, what: String) {
        self.undo.push(self.snapshot(selected, what));
        self.redo.clear();
    }

    /// Replaces the block with an edited copy (one undo step, described by `what`); `false`
    /// when nothing changed.
    pub fn edit(&mut self, block: Block, selected: usize, what: String) -> bool {
        if block == self.block {
            return false;
        }
        self.push_undo(selected, what);
        self.block = block;
        true
    }

    /// Opens another block in this one's place; undo brings this one back.
    pub fn open(&mut self, block: Block, origin: Origin, selected: usize) {
        self.push_undo(selected, format!("open {}", printable(&origin.to_string())));
        self.saved = block.clone();
        self.block = block;
        self.origin = origin;
    }

    /// Goes one step back: the row to select then and what the step undone did, or `None`
    /// when there is nothing to undo.
    pub fn undo(&mut self, selected: usize) -> Option<(usize, String)> {
        let snapshot = self.undo.pop()?;
        self.redo
            .push(self.snapshot(selected, snapshot.what.clone()));
        Some(self.restore(snapshot))
    }

    pub fn redo(&mut self, selected: usize) -> Option<(usize, String)> {
        let snapshot = self.redo.pop()?;
        self.undo
            .push(self.snapshot(selected, snapshot.what.clone()));
        Some(self.restore(snapshot))
    }

    fn restore(&mut self, snapshot: Snapshot) -> (usize, String) {
        self.block = snapshot.block;
        self.origin = snapshot.origin;
        self.saved = snapshot.saved;
        (snapshot.selected, snapshot.what)
    }

    /// The block was written to `path`: it is saved, and `path` is where it now comes from.
    pub fn saved_to(&mut self, path: &Path) {
        self.saved = self.block.clone();
        self.origin = Origin::File(path.to_path_buf());
    }

    /// A file name made from the block's name: letters, digits, `.`, `-` and `_` kept.
    pub fn file_stem(&self) -> String {
        let stem: String = self
            .block
            .name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if stem.is_empty() {
            "block".into()
        } else {
            stem
        }
    }

    pub fn default_save_path(&self) -> PathBuf {
        match &self.origin {
            // An imported model is saved as a block file beside it, never over it.
            Origin::File(path) if !is_block_file(path) => path.with_extension("json"),
            Origin::File(path) => path.clone(),
            Origin::Preset(_) => PathBuf::from(format!("{}.json", self.file_stem())),
        }
    }

    pub fn default_export_path(&self) -> PathBuf {
        PathBuf::from(format!("{}.summary.json", self.file_stem()))
    }
}

/// Whether `path` names a block file (JSON), rather than a model convtui imports (ONNX).
fn is_block_file(path: &std::path::Path) -> bool {
    !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("onnx") || e.eq_ignore_ascii_case("pb"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset;

    #[test]
    fn an_imported_model_is_saved_beside_it_as_json_never_over_it() {
        let block = preset::builtin("nin").unwrap();
        let onnx = Document::new(block.clone(), Origin::File("models/resnet.ONNX".into()));
        assert_eq!(
            onnx.default_save_path(),
            PathBuf::from("models/resnet.json")
        );
        let json = Document::new(block, Origin::File("mine.json".into()));
        assert_eq!(json.default_save_path(), PathBuf::from("mine.json"));
    }
}
