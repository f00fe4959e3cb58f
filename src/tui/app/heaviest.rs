//! The heaviest layers of the figures shown: what `w` lists, and what the structure pane's share
//! column is a share of.

use crate::analysis::{Analysis, LayerRow};

use super::{App, Weight};

impl App {
    /// The analysis the structure pane shows: the block's, or with `c` the counterpart's (when
    /// it fits); and whether it is stale.
    pub fn shown_analysis(&self) -> Option<(&Analysis, bool)> {
        let (summary, stale) = self.figures()?;
        let analysis = match (&summary.counterpart, self.show_counterpart) {
            (Ok(counterpart), true) => counterpart,
            _ => &summary.block,
        };
        Some((analysis, stale))
    }

    /// The analysed layers, heaviest first by `by`, from the figures shown (dropped ones left out).
    pub fn heaviest(&self, by: Weight) -> Vec<&LayerRow> {
        let Some((analysis, _)) = self.shown_analysis() else {
            return Vec::new();
        };
        let weight = |row: &LayerRow| match by {
            Weight::Macs => row.macs,
            Weight::Params => row.params(),
        };
        let mut rows: Vec<&LayerRow> = analysis
            .rows
            .iter()
            .filter_map(|row| row.as_layer())
            .filter(|row| row.dropped.is_none() && weight(row) > 0)
            .collect();
        // Stable: equal layers keep reading order.
        rows.sort_by_key(|row| std::cmp::Reverse(weight(row)));
        rows
    }
}
