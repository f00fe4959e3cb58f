//! The structure pane's rows, derived from the block itself (not from its analysis), so that a
//! block whose shapes do not fit can still be navigated and repaired. They come from the same
//! walk as the analysis rows (`model::visit`), so order and indentation match one for one.

use crate::model::{Block, Part, Step, Target, visit};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineRow {
    pub target: Target,
    pub depth: usize,
    /// For chain rows and composite headers: which group row of the analysis this is.
    pub part: Option<Part>,
}

pub fn outline(block: &Block) -> Vec<OutlineRow> {
    let mut rows = Vec::new();
    let walked = visit(&block.body, &mut |step| {
        match step {
            Step::Node { path, node, depth } => rows.push(OutlineRow {
                target: Target::Node(path.clone()),
                depth,
                part: Part::header_of(node),
            }),
            Step::OpenChain {
                owner,
                step,
                part,
                depth,
                ..
            } => rows.push(OutlineRow {
                target: Target::Chain {
                    owner: owner.clone(),
                    step,
                },
                depth,
                part: Some(part),
            }),
            Step::CloseChain { .. } | Step::Close { .. } => {}
        }
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(()) = walked;
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Row, Summary};
    use crate::preset;

    /// The outline lines up with the analysis rows one for one, for every preset.
    #[test]
    fn matches_the_analysis_rows() {
        for builtin in preset::BUILTINS {
            let block = preset::builtin(builtin.name).unwrap();
            let rows = outline(&block);
            let summary = Summary::of(&block).unwrap();
            assert_eq!(rows.len(), summary.block.rows.len(), "{}", builtin.name);
            for (mine, theirs) in rows.iter().zip(&summary.block.rows) {
                assert_eq!(mine.target.node_path(), theirs.path());
                assert_eq!(mine.depth, theirs.depth());
                if let Row::Group(group) = theirs {
                    assert_eq!(mine.part, Some(group.part));
                }
            }
        }
    }
}
