//! The structure pane's rows, derived from the block itself (not from its analysis), so that a
//! block whose shapes do not fit can still be navigated and repaired. They come from the same
//! walk as the analysis rows (`model::visit`), so order and indentation match one for one.

use std::collections::BTreeSet;

use crate::model::{Block, NodePath, Part, Step, Target, visit};

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

/// Whether `target` lies inside the composite at `folded` (its header row stays visible).
pub fn is_inside(target: &Target, folded: &NodePath) -> bool {
    match target {
        Target::Node(path) => path.0.len() > folded.0.len() && path.0.starts_with(&folded.0),
        Target::Chain { owner, .. } => owner.0.starts_with(&folded.0),
    }
}

/// The rows left when the composites in `folded` show only their header.
pub fn visible(rows: &[OutlineRow], folded: &BTreeSet<NodePath>) -> Vec<OutlineRow> {
    if folded.is_empty() {
        return rows.to_vec();
    }
    rows.iter()
        .filter(|row| !folded.iter().any(|f| is_inside(&row.target, f)))
        .cloned()
        .collect()
}

/// The innermost composite that holds `target`, or that `target`'s chain belongs to.
pub fn enclosing_composite(target: &Target) -> Option<NodePath> {
    match target {
        Target::Chain { owner, .. } => Some(owner.clone()),
        Target::Node(path) => path.enclosing().last().map(|(owner, _)| owner),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Row, Summary};
    use crate::preset;

    #[test]
    fn folding_a_residual_leaves_its_header_and_what_follows() {
        let block = preset::builtin("resnet_downsample").unwrap();
        let rows = outline(&block);
        let folded = BTreeSet::from([NodePath(vec![0])]);
        let left = visible(&rows, &folded);
        let targets: Vec<&Target> = left.iter().map(|r| &r.target).collect();
        assert_eq!(
            targets,
            [
                &Target::Node(NodePath(vec![0])),
                &Target::Node(NodePath(vec![1]))
            ]
        );
        assert_eq!(
            enclosing_composite(&Target::Node(NodePath(vec![0, 1, 0]))),
            Some(NodePath(vec![0]))
        );
    }

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
