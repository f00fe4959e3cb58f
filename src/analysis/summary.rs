//! Totals of an analysed block, the counterpart without its 1×1 convolutions, and how the two
//! compare.

use crate::model::{Block, LayerKind, NodePath, Shape};

use super::error::ShapeError;
use super::infer::{Depth, infer};
use super::pointwise::{Plan, Role, Scope, plan};
use super::rows::{LayerRow, Row};

/// Bytes per activation element: the engine and the export assume f32.
pub const BYTES_PER_ELEMENT: u64 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub input: Shape,
    pub output: Shape,
    /// All weights: conv and FC kernels and batch norm scales (PyTorch's `.weight`s).
    pub weights: u64,
    /// All biases: conv and FC biases and batch norm shifts (PyTorch's `.bias`es).
    pub biases: u64,
    pub conv_weights: u64,
    pub conv_biases: u64,
    pub macs: u64,
    /// Output elements of every layer, summed: what a forward pass materialises.
    pub activations: u64,
    pub layers: usize,
    pub convs: usize,
    pub pointwise_convs: usize,
    pub depth: Depth,
}

impl Totals {
    pub fn params(&self) -> u64 {
        self.weights.saturating_add(self.biases)
    }

    pub fn flops(&self) -> u64 {
        self.macs.saturating_mul(2)
    }

    pub fn activation_bytes(&self) -> u64 {
        self.activations.saturating_mul(BYTES_PER_ELEMENT)
    }
}

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
            totals.weights = totals.weights.saturating_add(row.weights);
            totals.biases = totals.biases.saturating_add(row.biases);
            totals.macs = totals.macs.saturating_add(row.macs);
            totals.activations = totals.activations.saturating_add(row.activations);
            totals.layers += 1;
            if let LayerKind::Conv(conv) = &row.kind {
                totals.conv_weights = totals.conv_weights.saturating_add(row.weights);
                totals.conv_biases = totals.conv_biases.saturating_add(row.biases);
                totals.convs += 1;
                totals.pointwise_convs += usize::from(conv.is_pointwise());
            }
        }
        Ok(Analysis {
            rows: inferred.rows,
            totals,
            plan,
        })
    }

    /// The 1×1 convolutions that run in this analysis, with the shapes the engine needs.
    pub fn pointwise_layers(&self) -> Vec<PointwiseLayer> {
        self.rows
            .iter()
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
}

/// A figure for the block and its counterpart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair64 {
    pub block: u64,
    pub counterpart: u64,
}

impl Pair64 {
    /// block ÷ counterpart; `None` when the counterpart has none of it.
    pub fn ratio(self) -> Option<f64> {
        (self.counterpart != 0).then(|| self.block as f64 / self.counterpart as f64)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparison {
    pub output_channels: Pair64,
    pub params: Pair64,
    pub conv_weights: Pair64,
    pub macs: Pair64,
    pub activations: Pair64,
    pub nonlinear_depth: Pair64,
}

impl Comparison {
    pub fn of(block: &Totals, counterpart: &Totals) -> Comparison {
        let pair = |f: fn(&Totals) -> u64| Pair64 {
            block: f(block),
            counterpart: f(counterpart),
        };
        Comparison {
            output_channels: pair(|t| t.output.c as u64),
            params: pair(Totals::params),
            conv_weights: pair(|t| t.conv_weights),
            macs: pair(|t| t.macs),
            activations: pair(|t| t.activations),
            nonlinear_depth: pair(|t| t.depth.nonlinear as u64),
        }
    }
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
        Some(
            counterpart
                .plan
                .dropped
                .get(&row.path)
                .filter(|dropped| dropped.conv == row.path)
                .map(|dropped| dropped.role),
        )
    }

    pub fn comparison(&self) -> Option<Comparison> {
        let counterpart = self.counterpart.as_ref().ok()?;
        Some(Comparison::of(&self.block.totals, &counterpart.totals))
    }
}
