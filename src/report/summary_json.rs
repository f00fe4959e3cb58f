//! The JSON summary document (`"format": "convtui-summary"`): what `convtui summary --json`
//! prints and the TUI exports. Every count says its unit: MACs are multiply-accumulates for one
//! image, FLOPs = 2·MACs, memory is bytes of f32.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::analysis::{Analysis, Comparison, LayerRow, Role, Row, Summary, Totals, Versus};
use crate::model::{Block, LayerKind, Shape};

pub const FORMAT: &str = "convtui-summary";
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct SummaryDoc {
    pub format: &'static str,
    pub version: u32,
    pub units: Units,
    pub block: BlockInfo,
    pub layers: Vec<LayerJson>,
    pub totals: TotalsJson,
    pub counterpart: CounterpartJson,
    pub comparison: Option<ComparisonJson>,
}

#[derive(Debug, Serialize)]
pub struct Units {
    pub macs: &'static str,
    pub flops: &'static str,
    pub params: &'static str,
    pub activations: &'static str,
    pub bytes: &'static str,
    pub shapes: &'static str,
}

const UNITS: Units = Units {
    macs: "multiply-accumulates for one image (batch 1)",
    flops: "floating-point operations = 2 × MACs",
    params: "learned parameters: weights + biases (batch norm: scale + shift, running statistics excluded)",
    activations: "output elements",
    bytes: "bytes, f32 (4 bytes per element)",
    shapes: "channels, height, width",
};

#[derive(Debug, Serialize)]
pub struct BlockInfo {
    pub name: String,
    pub description: String,
    pub input: ShapeJson,
}

#[derive(Debug, Serialize, Clone, Copy)]
pub struct ShapeJson {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl From<Shape> for ShapeJson {
    fn from(s: Shape) -> Self {
        ShapeJson {
            channels: s.c,
            height: s.h,
            width: s.w,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct LayerJson {
    pub path: String,
    pub name: Option<String>,
    pub kind: &'static str,
    pub kernel: Option<[usize; 2]>,
    pub stride: Option<[usize; 2]>,
    /// (top, left); `padding_end` gives (bottom, right) where they differ.
    pub padding: Option<[usize; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub padding_end: Option<[usize; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dilation: Option<[usize; 2]>,
    pub groups: Option<usize>,
    pub input: ShapeJson,
    pub output: ShapeJson,
    pub weights: u64,
    pub biases: u64,
    pub params: u64,
    pub macs: u64,
    pub flops: u64,
    pub activations: u64,
    pub pointwise: bool,
    /// Removed from this analysis (a bypassed 1×1 conv or what goes with it), with the rule.
    pub dropped: Option<&'static str>,
    /// For a 1×1 conv: what the block without its 1×1 convolutions does with it — "reduce",
    /// "mix" or "project" (the rule that drops it) or "stays".
    pub counterpart_role: Option<&'static str>,
}

impl From<&LayerRow> for LayerJson {
    fn from(row: &LayerRow) -> Self {
        let pair = |p: crate::model::Pair| [p.h, p.w];
        let (kernel, stride, padding, groups) = match &row.kind {
            LayerKind::Conv(c) => (
                Some(pair(c.kernel)),
                Some(pair(c.stride)),
                Some(c.padding),
                Some(c.groups),
            ),
            LayerKind::Pool(p) => (
                Some(pair(p.kernel)),
                Some(pair(p.stride)),
                Some(p.padding),
                None,
            ),
            _ => (None, None, None, None),
        };
        LayerJson {
            path: row.path.to_string(),
            name: row.name.clone(),
            kind: row.kind.label(),
            kernel,
            stride,
            padding: padding.map(|p| pair(p.begin)),
            padding_end: padding.filter(|p| !p.is_symmetric()).map(|p| pair(p.end)),
            dilation: row
                .kind
                .as_conv()
                .map(|c| c.dilation)
                .filter(|&d| d != crate::model::Pair::square(1))
                .map(pair),
            groups,
            input: row.input.into(),
            output: row.output.into(),
            weights: row.weights,
            biases: row.biases,
            params: row.params(),
            macs: row.macs,
            flops: row.flops(),
            activations: row.activations,
            pointwise: row.is_pointwise_conv(),
            dropped: row.dropped.as_ref().map(|d| d.role.label()),
            counterpart_role: None,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct TotalsJson {
    pub output: ShapeJson,
    pub params: u64,
    pub weights: u64,
    pub biases: u64,
    pub conv_weights: u64,
    pub conv_biases: u64,
    pub macs: u64,
    pub flops: u64,
    pub activations: u64,
    pub activation_bytes: u64,
    /// The most activation elements alive at once, the input included, along the best order
    /// of branches (ReLU, dropout and flatten in place; batch norm folded).
    pub peak_activations: u64,
    pub peak_activation_bytes: u64,
    /// Parameters as f32.
    pub param_bytes: u64,
    pub layers: usize,
    pub convs: usize,
    pub pointwise_convs: usize,
    /// ReLUs on the longest path.
    pub nonlinear_depth: usize,
    /// Convolutions and fully connected layers on the longest path.
    pub weighted_depth: usize,
}

impl From<&Totals> for TotalsJson {
    fn from(t: &Totals) -> Self {
        TotalsJson {
            output: t.output.into(),
            params: t.params(),
            weights: t.weights,
            biases: t.biases,
            conv_weights: t.conv_weights,
            conv_biases: t.conv_biases,
            macs: t.macs,
            flops: t.flops(),
            activations: t.activations,
            activation_bytes: t.activation_bytes(),
            peak_activations: t.peak_activations,
            peak_activation_bytes: t.peak_activation_bytes(),
            param_bytes: t.param_bytes(),
            layers: t.layers,
            convs: t.convs,
            pointwise_convs: t.pointwise_convs,
            nonlinear_depth: t.depth.nonlinear,
            weighted_depth: t.depth.weighted,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DroppedJson {
    pub path: String,
    pub name: Option<String>,
    pub role: &'static str,
}

#[derive(Debug, Serialize)]
pub struct CounterpartJson {
    pub description: &'static str,
    pub dropped: Vec<DroppedJson>,
    pub totals: Option<TotalsJson>,
    pub layers: Option<Vec<LayerJson>>,
    /// Why the counterpart does not fit, when it does not.
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PairJson {
    pub block: u64,
    pub counterpart: u64,
    /// block ÷ counterpart.
    pub ratio: Option<f64>,
}

impl From<Versus> for PairJson {
    fn from(p: Versus) -> Self {
        PairJson {
            block: p.block,
            counterpart: p.counterpart,
            ratio: p.ratio(),
        }
    }
}

/// Every metric of `analysis::METRICS`, keyed by its name, in that order.
#[derive(Debug)]
pub struct ComparisonJson(pub Comparison);

impl Serialize for ComparisonJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (metric, pair) in self.0.iter() {
            map.serialize_entry(metric.key, &PairJson::from(pair))?;
        }
        map.end()
    }
}

const COUNTERPART: &str =
    "the block without its 1×1 convolutions (reduce, mix/expand and project rules)";

fn layers(analysis: &Analysis) -> Vec<LayerJson> {
    analysis
        .rows
        .iter()
        .filter_map(Row::as_layer)
        .map(LayerJson::from)
        .collect()
}

pub fn summary_doc(block: &Block, summary: &Summary) -> SummaryDoc {
    let counterpart = match &summary.counterpart {
        Ok(analysis) => CounterpartJson {
            description: COUNTERPART,
            dropped: analysis
                .plan
                .dropped_convs()
                .map(|(path, role)| DroppedJson {
                    path: path.to_string(),
                    name: block.layer(path).and_then(|l| l.name.clone()),
                    role: role.label(),
                })
                .collect(),
            totals: Some((&analysis.totals).into()),
            layers: Some(layers(analysis)),
            error: None,
        },
        Err(error) => CounterpartJson {
            description: COUNTERPART,
            dropped: Vec::new(),
            totals: None,
            layers: None,
            error: Some(error.to_string()),
        },
    };
    SummaryDoc {
        format: FORMAT,
        version: VERSION,
        units: UNITS,
        block: BlockInfo {
            name: block.name.clone(),
            description: block.description.clone(),
            input: block.input.into(),
        },
        layers: layers(&summary.block)
            .into_iter()
            .zip(summary.block.rows.iter().filter_map(Row::as_layer))
            .map(|(mut json, row)| {
                json.counterpart_role = summary
                    .counterpart_role(row)
                    .map(|role| role.map_or("stays", Role::label));
                json
            })
            .collect(),
        totals: (&summary.block.totals).into(),
        counterpart,
        comparison: summary.comparison().map(ComparisonJson),
    }
}
