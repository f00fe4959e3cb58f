//! Folding: a concat or residual shown as one row (its header, with its subtree's totals), so a
//! network of hundreds of layers reads stage by stage. The fold set is kept across edits where
//! its composites still stand; the selection never lands on a hidden row.

use std::collections::BTreeSet;

use crate::model::{NodePath, Part, Target};

use super::App;
use super::outline::{self, is_inside, outline};

impl App {
    /// Folds or unfolds the composite at `path`; the selection stays on the row it was on, or
    /// on the folded header when its row disappeared.
    pub fn set_folded(&mut self, path: &NodePath, folded: bool) {
        let changed = if folded {
            self.folded.insert(path.clone())
        } else {
            self.folded.remove(path)
        };
        if changed {
            self.refold(Some(Target::Node(path.clone())));
        }
    }

    /// Folds every concat and residual (`true`), or none.
    pub fn fold_all(&mut self, folded: bool) {
        self.folded = if folded {
            self.full_outline
                .iter()
                .filter(|row| matches!(row.part, Some(Part::Concat | Part::Residual)))
                .map(|row| row.target.node_path().clone())
                .collect()
        } else {
            BTreeSet::new()
        };
        let outermost = self.selected_target().map(|t| {
            let path = t.node_path();
            match path.enclosing().next() {
                Some((owner, _)) if folded => Target::Node(owner),
                _ => t.clone(),
            }
        });
        self.refold(outermost);
    }

    /// Unfolds whatever hides `target`, so it can be selected.
    pub fn reveal(&mut self, target: &Target) {
        let before = self.folded.len();
        self.folded.retain(|f| !is_inside(target, f));
        if self.folded.len() != before {
            self.refold(None);
        }
    }

    /// Rebuilds the visible rows and puts the selection on `keep` (or where it was).
    pub(super) fn refold(&mut self, keep: Option<Target>) {
        let keep = keep.or_else(|| self.selected_target().cloned());
        self.outline = outline::visible(&self.full_outline, &self.folded);
        if let Some(index) = keep.and_then(|t| self.row_of(&t)) {
            self.cursor.selected = index;
        }
        self.refresh_derived();
    }

    pub(super) fn rebuild_outline(&mut self) {
        self.full_outline = outline(self.document.block());
        // A fold outlives an edit only where a composite still stands.
        let block = self.document.block();
        self.folded
            .retain(|path| block.node(path).is_some_and(|n| n.is_composite()));
        self.outline = outline::visible(&self.full_outline, &self.folded);
    }
}
