//! The structure pane's rows, derived from the block itself (not from its analysis), so that a
//! block whose shapes do not fit can still be navigated and repaired. The order and indentation
//! match the analysis rows: a concat or residual, then each branch (or body and shortcut) as a
//! group row, then the branch's nodes.

use crate::analysis::GroupPart;
use crate::model::{Block, Chain, Node, NodePath};

/// What a row of the structure pane stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A node: a layer, or the header row of a concat or residual.
    Node(NodePath),
    /// A chain inside a composite: branch `step` of a concat, or a residual's body (0) or
    /// shortcut (1; shown as the identity when the residual has none).
    Chain { owner: NodePath, step: usize },
}

impl Target {
    /// The node this row belongs to (a chain row belongs to its composite).
    pub fn node_path(&self) -> &NodePath {
        match self {
            Target::Node(path) => path,
            Target::Chain { owner, .. } => owner,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineRow {
    pub target: Target,
    pub depth: usize,
    /// For chain rows and composite headers: which group row of the analysis this is.
    pub part: Option<GroupPart>,
}

pub fn outline(block: &Block) -> Vec<OutlineRow> {
    let mut rows = Vec::new();
    chain_rows(&block.body, &[], 0, &mut rows);
    rows
}

fn chain_rows(chain: &Chain, prefix: &[usize], depth: usize, rows: &mut Vec<OutlineRow>) {
    for (index, node) in chain.iter().enumerate() {
        let mut steps = prefix.to_vec();
        steps.push(index);
        let path = NodePath(steps);
        match node {
            Node::Layer(_) => rows.push(OutlineRow {
                target: Target::Node(path),
                depth,
                part: None,
            }),
            Node::Concat(concat) => {
                rows.push(header(&path, depth, GroupPart::Concat));
                for (step, branch) in concat.branches.iter().enumerate() {
                    rows.push(chain_row(&path, step, depth + 1, GroupPart::Branch(step)));
                    chain_rows(branch, &with_step(&path, step), depth + 2, rows);
                }
            }
            Node::Residual(residual) => {
                rows.push(header(&path, depth, GroupPart::Residual));
                rows.push(chain_row(&path, 0, depth + 1, GroupPart::Body));
                chain_rows(&residual.body, &with_step(&path, 0), depth + 2, rows);
                match &residual.shortcut {
                    Some(shortcut) => {
                        rows.push(chain_row(&path, 1, depth + 1, GroupPart::Shortcut));
                        chain_rows(shortcut, &with_step(&path, 1), depth + 2, rows);
                    }
                    None => rows.push(chain_row(&path, 1, depth + 1, GroupPart::Identity)),
                }
            }
        }
    }
}

fn with_step(path: &NodePath, step: usize) -> Vec<usize> {
    let mut steps = path.0.clone();
    steps.push(step);
    steps
}

fn header(path: &NodePath, depth: usize, part: GroupPart) -> OutlineRow {
    OutlineRow {
        target: Target::Node(path.clone()),
        depth,
        part: Some(part),
    }
}

fn chain_row(owner: &NodePath, step: usize, depth: usize, part: GroupPart) -> OutlineRow {
    OutlineRow {
        target: Target::Chain {
            owner: owner.clone(),
            step,
        },
        depth,
        part: Some(part),
    }
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
