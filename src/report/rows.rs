//! The summary's rows as every table format prints them (text, markdown, CSV), rolled up to a
//! depth as torchinfo's `depth` does: a concat or residual at the cut stands for its subtree.

use crate::analysis::{Row, Summary};
use crate::model::{Shape, printable};

use super::layer_text::kind_cell;

/// One printed row. `params` and `macs` are `None` on a group row that is not rolled up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintedRow {
    pub path: String,
    pub depth: usize,
    pub name: String,
    pub kind: String,
    pub input: Shape,
    pub output: Shape,
    pub params: Option<u64>,
    pub macs: Option<u64>,
    /// What the counterpart without 1×1 convs does with a 1×1 ("reduce", "stays"...).
    pub role: Option<&'static str>,
}

/// The block's rows down to `depth` levels of nesting (1: the top-level layers, concats and
/// residuals only; `None`: everything).
pub fn printed_rows(summary: &Summary, depth: Option<usize>) -> Vec<PrintedRow> {
    let analysis = &summary.block;
    // Rows sit at 0 (top level), 1 (a composite's chains), 2 (their contents), and so on.
    let cut = depth.map(|d| 2 * d.saturating_sub(1));
    let mut out = Vec::new();
    for row in &analysis.rows {
        if cut.is_some_and(|cut| row.depth() > cut) {
            continue;
        }
        let rolled = cut == Some(row.depth());
        match row {
            Row::Group(group) => {
                let name = match &group.name {
                    Some(name) => format!("{} \"{}\"", group.part.label(), printable(name)),
                    None => group.part.label(),
                };
                let (params, macs, layers) = if rolled {
                    let (p, m, n) = analysis
                        .rows
                        .iter()
                        .filter_map(Row::as_layer)
                        .filter(|l| l.dropped.is_none())
                        .filter(|l| l.path.0.len() > group.path.0.len())
                        .filter(|l| l.path.0.starts_with(&group.path.0))
                        .fold((0, 0, 0), |(p, m, n), l| {
                            (p + l.params(), m + l.macs, n + 1)
                        });
                    (Some(p), Some(m), format!("({n} layers)"))
                } else {
                    (None, None, String::new())
                };
                out.push(PrintedRow {
                    path: group.path.to_string(),
                    depth: group.depth,
                    name,
                    kind: layers,
                    input: group.input,
                    output: group.output,
                    params,
                    macs,
                    role: None,
                });
            }
            Row::Layer(layer) => {
                let kind = match &layer.dropped {
                    Some(dropped) => format!("({}: dropped)", dropped.role.label()),
                    None => kind_cell(&layer.kind),
                };
                out.push(PrintedRow {
                    path: layer.path.to_string(),
                    depth: layer.depth,
                    name: layer
                        .name
                        .as_deref()
                        .map_or_else(|| layer.kind.label().into(), |n| printable(n).into_owned()),
                    kind,
                    input: layer.input,
                    output: layer.output,
                    params: Some(layer.params()),
                    macs: Some(layer.macs),
                    role: summary
                        .counterpart_role(layer)
                        .map(|role| role.map_or("stays", |r| r.label())),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset;

    #[test]
    fn depth_one_rolls_each_residual_up_and_the_sums_hold() {
        let block = preset::builtin("resnet50").unwrap();
        let summary = Summary::of(&block).unwrap();
        let rows = printed_rows(&summary, Some(1));
        // conv1 bn1 relu maxpool, 16 residuals with their relus, avgpool flatten fc.
        assert_eq!(rows.len(), 4 + 16 * 2 + 3);
        let params: u64 = rows.iter().filter_map(|r| r.params).sum();
        let macs: u64 = rows.iter().filter_map(|r| r.macs).sum();
        assert_eq!(params, summary.block.totals.params());
        assert_eq!(macs, summary.block.totals.macs);
        assert_eq!(rows[4].kind, "(10 layers)");
        assert_eq!(printed_rows(&summary, None).len(), summary.block.rows.len());
    }
}
