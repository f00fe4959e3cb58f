//! An analysed block with its totals, the counterpart without its 1×1 convolutions, and how the two
//! compare.

use crate::model::{Block, LayerKind, NodePath, Target};

use super::comparison::Comparison;
use super::error::ShapeError;
use super::infer::{infer, layers_before_fault};
use super::memory::peak_activations;
use super::plan::{Plan, Role, Scope};
use super::rows::{LayerRow, Row};
use super::rules::plan;
use super::totals::Totals;

/// `u64::MAX` as the messages write it.
const U64_MAX: &str = "18,446,744,073,709,551,615";

/// A block analysed under a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub rows: Vec<Row>,
    pub totals: Totals,
    pub plan: Plan,
}

/// A 1×1 convolution as the engine sees it: a GEMM of C_out × C_in by C_in × (H·W).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PointwiseLayer {
    pub path: NodePath,
    pub name: Option<String>,
    pub c_in: usize,
    pub c_out: usize,
    pub h: usize,
    pub w: usize,
    pub groups: usize,
}

impl Analysis {
    pub fn of(block: &Block, scope: Scope) -> Result<Analysis, ShapeError> {
        let plan = plan(block, scope);
        let inferred = infer(block, &plan)?;
        let mut totals = Totals {
            input: block.input,
            output: inferred.output,
            depth: inferred.depth,
            ..Totals::default()
        };
        for row in inferred.rows.iter().filter_map(Row::as_layer) {
            if row.dropped.is_some() {
                continue;
            }
            // Every row fits in a u64, but thousands of them may not: a sum past it is said
            // where it happens rather than shown as the largest u64.
            let overflow = |what: &str| {
                let message = format!(
                    "the block's total {what} would pass {U64_MAX} (the most a u64 holds) at this layer"
                );
                match block.node(&row.path) {
                    Some(node) => ShapeError::new(&row.path, node, message),
                    None => ShapeError::of_block(block, "totals", message),
                }
            };
            let add = |total: &mut u64, value: u64, what: &str| {
                *total = total.checked_add(value).ok_or_else(|| overflow(what))?;
                Ok::<(), ShapeError>(())
            };
            add(&mut totals.weights, row.weights, "weights")?;
            add(&mut totals.biases, row.biases, "biases")?;
            add(&mut totals.macs, row.macs, "MACs")?;
            add(&mut totals.activations, row.activations, "activations")?;
            totals.layers += 1;
            if let LayerKind::Conv(conv) = &row.kind {
                add(&mut totals.conv_weights, row.weights, "conv weights")?;
                add(&mut totals.conv_biases, row.biases, "conv biases")?;
                totals.convs += 1;
                totals.pointwise_convs += usize::from(conv.is_pointwise());
            }
        }
        totals.peak_activations = peak_activations(block, &inferred.rows);
        if let Some(what) = totals.derived_overflow() {
            return Err(ShapeError::of_block(
                block,
                "totals",
                format!("its total {what} pass {U64_MAX}, the most a u64 holds"),
            ));
        }
        Ok(Analysis {
            rows: inferred.rows,
            totals,
            plan,
        })
    }

    /// The channel count where something is inserted at `target`: what flows out of a node, or
    /// into a chain. `None` when the analysis has no row there.
    pub fn width_at(&self, target: &Target) -> Option<usize> {
        match target {
            Target::Node(path) => self
                .rows
                .iter()
                .find(|r| r.path() == path)
                .map(|r| match r {
                    Row::Layer(layer) => layer.output.c,
                    Row::Group(group) => group.output.c,
                }),
            Target::Chain { owner, .. } => {
                self.rows
                    .iter()
                    .find(|r| r.path() == owner)
                    .and_then(|r| match r {
                        Row::Group(group) => Some(group.input.c),
                        Row::Layer(_) => None,
                    })
            }
        }
    }

    /// The 1×1 convolutions that run in this analysis, with the shapes the engine needs.
    pub fn pointwise_layers(&self) -> Vec<PointwiseLayer> {
        pointwise_layers(&self.rows)
    }

    /// The layer rows of `block` (bypasses applied) whose shapes are known before its first
    /// fault: what a block that does not fit can still show, and time.
    pub fn before_fault(block: &Block) -> Vec<Row> {
        layers_before_fault(block, &plan(block, Scope::Bypassed))
    }
}

/// The 1×1 convolutions among `rows` that run, with the shapes the engine needs.
pub fn pointwise_layers(rows: &[Row]) -> Vec<PointwiseLayer> {
    rows.iter()
        .filter_map(Row::as_layer)
        .filter(|row| row.dropped.is_none())
        .filter_map(|row| {
            let conv = row.kind.as_conv().filter(|conv| conv.is_pointwise())?;
            Some(PointwiseLayer {
                path: row.path.clone(),
                name: row.name.clone(),
                c_in: row.input.c,
                c_out: row.output.c,
                h: row.output.h,
                w: row.output.w,
                groups: conv.groups,
            })
        })
        .collect()
}

/// Everything the tool shows about a block: the block as edited (bypasses applied), and the
/// counterpart without its 1×1 convolutions, which may itself fail to fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub block: Analysis,
    pub counterpart: Result<Analysis, ShapeError>,
}

impl Summary {
    pub fn of(block: &Block) -> Result<Summary, ShapeError> {
        Ok(Summary {
            block: Analysis::of(block, Scope::Bypassed)?,
            counterpart: Analysis::of(block, Scope::All),
        })
    }

    /// What the counterpart does with the 1×1 conv of `row` (a row of this summary's block):
    /// `Some(Some(role))` when a rule drops it, `Some(None)` when it stays, `None` when that
    /// cannot be said (the row is no 1×1 conv, or the counterpart does not fit). Callers draw
    /// every row with it, so it looks the path up rather than scanning the rows.
    pub fn counterpart_role(&self, row: &LayerRow) -> Option<Option<Role>> {
        if !row.is_pointwise_conv() {
            return None;
        }
        let counterpart = self.counterpart.as_ref().ok()?;
        Some(counterpart.plan.dropped_conv(&row.path))
    }

    pub fn comparison(&self) -> Option<Comparison> {
        let counterpart = self.counterpart.as_ref().ok()?;
        Some(Comparison::of(&self.block.totals, &counterpart.totals))
    }
}
