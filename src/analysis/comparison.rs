//! How a block compares with its counterpart without 1×1 convolutions: one list of metrics,
//! [`METRICS`], that the summary table, the JSON document and the TUI all draw from.

use super::totals::Totals;

/// A figure for the block and for its counterpart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versus {
    pub block: u64,
    pub counterpart: u64,
}

impl Versus {
    /// block ÷ counterpart; `None` when the counterpart has none of it.
    pub fn ratio(self) -> Option<f64> {
        (self.counterpart != 0).then(|| self.block as f64 / self.counterpart as f64)
    }
}

/// One figure of the comparison and how each rendering shows it.
#[derive(Debug)]
pub struct Metric {
    /// Its key in the JSON summary's `comparison`.
    pub key: &'static str,
    /// Its row label in the summary table.
    pub name: &'static str,
    /// Its label in the TUI, and the shorter one of the compact layout.
    pub label: &'static str,
    pub short: &'static str,
    pub of: fn(&Totals) -> u64,
    /// Written in full (channels, a depth) rather than abbreviated (12.3M).
    pub exact: bool,
    /// Whether the table and the TUI show it (the JSON has every metric).
    pub in_table: bool,
    pub on_screen: bool,
    /// Whether the TUI draws bars under it (a depth of a few ReLUs needs none).
    pub bars: bool,
}

/// Metrics are told apart by their key (a function pointer has no meaningful equality).
impl PartialEq for Metric {
    fn eq(&self, other: &Metric) -> bool {
        self.key == other.key
    }
}

impl Eq for Metric {}

pub const OUTPUT_CHANNELS: Metric = Metric {
    key: "output_channels",
    name: "output channels",
    label: "out channels",
    short: "out ch",
    of: |t| t.output.c as u64,
    exact: true,
    in_table: true,
    on_screen: true,
    bars: true,
};
pub const PARAMS: Metric = Metric {
    key: "params",
    name: "params",
    label: "params",
    short: "params",
    of: Totals::params,
    exact: false,
    in_table: true,
    on_screen: true,
    bars: true,
};
pub const CONV_WEIGHTS: Metric = Metric {
    key: "conv_weights",
    name: "conv weights",
    label: "conv weights",
    short: "conv w",
    of: |t| t.conv_weights,
    exact: false,
    in_table: true,
    on_screen: false,
    bars: true,
};
pub const MACS: Metric = Metric {
    key: "macs",
    name: "MACs",
    label: "MACs",
    short: "MACs",
    of: |t| t.macs,
    exact: false,
    in_table: true,
    on_screen: true,
    bars: true,
};
pub const FLOPS: Metric = Metric {
    key: "flops",
    name: "FLOPs",
    label: "FLOPs",
    short: "FLOPs",
    of: Totals::flops,
    exact: false,
    in_table: false,
    on_screen: false,
    bars: true,
};
pub const ACTIVATIONS: Metric = Metric {
    key: "activations",
    name: "activations",
    label: "activations",
    short: "acts",
    of: |t| t.activations,
    exact: false,
    in_table: true,
    on_screen: false,
    bars: true,
};
pub const NONLINEAR_DEPTH: Metric = Metric {
    key: "nonlinear_depth",
    name: "ReLU depth",
    label: "ReLU depth",
    short: "ReLUs",
    of: |t| t.depth.nonlinear as u64,
    exact: true,
    in_table: true,
    on_screen: true,
    bars: false,
};

/// Every metric, in the order each rendering lists them.
pub const METRICS: [&Metric; 7] = [
    &OUTPUT_CHANNELS,
    &PARAMS,
    &CONV_WEIGHTS,
    &MACS,
    &FLOPS,
    &ACTIVATIONS,
    &NONLINEAR_DEPTH,
];

/// Every metric of [`METRICS`] for a block and its counterpart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    values: Vec<(&'static Metric, Versus)>,
}

impl Comparison {
    pub fn of(block: &Totals, counterpart: &Totals) -> Comparison {
        Comparison {
            values: METRICS
                .iter()
                .map(|&metric| {
                    let value = Versus {
                        block: (metric.of)(block),
                        counterpart: (metric.of)(counterpart),
                    };
                    (metric, value)
                })
                .collect(),
        }
    }

    /// The pair for `metric`.
    pub fn get(&self, metric: &Metric) -> Versus {
        self.values.iter().find(|(m, _)| *m == metric).map_or(
            Versus {
                block: 0,
                counterpart: 0,
            },
            |&(_, value)| value,
        )
    }

    /// Every metric with its pair, in [`METRICS`] order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static Metric, Versus)> + '_ {
        self.values.iter().copied()
    }
}
