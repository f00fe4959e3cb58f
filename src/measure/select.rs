//! What to time, and why not: the one place that turns a block's 1×1 layers into engine
//! shapes, for the `bench` subcommand and for the TUI, and names each layer it leaves out.

use crate::analysis::PointwiseLayer;
use crate::engine::PointwiseShape;

/// How much one measurement may cost. `bench` times anything the timing code accepts; the TUI,
/// which measures between keystrokes, sets limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Weights, input and output together, in bytes.
    pub max_buffer_bytes: Option<u64>,
    /// FLOPs (2·MACs) of one run.
    pub max_flops: Option<u64>,
}

impl Limits {
    /// For `convtui bench`: no limit beyond the timing code's own.
    pub const BENCH: Limits = Limits {
        max_buffer_bytes: None,
        max_flops: None,
    };

    /// Between keystrokes: 256 MiB of buffers, and 2·10¹⁰ FLOPs a run — ≈ 0.1 s at
    /// 200 GFLOP/s, and an interactive measurement makes at least seven runs (two warm-up,
    /// five timed). `convtui bench --pointwise` times what is left out.
    pub const INTERACTIVE: Limits = Limits {
        max_buffer_bytes: Some(256 << 20),
        max_flops: Some(20_000_000_000),
    };
}

/// Why a 1×1 layer is not timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    /// The engine runs dense 1×1 convs only: a grouped one is several small GEMMs.
    Grouped { groups: usize },
    /// Its weights, input and output together exceed the limit.
    Buffers { bytes: u64 },
    /// One run is more work than the limit: `convtui bench` times it instead.
    Work { shape: PointwiseShape },
}

impl Skip {
    /// The whole reason, as the export writes it.
    pub fn note(self) -> String {
        match self {
            Skip::Work { shape } => format!(
                "{:.1} GFLOP a run, too long to time between keystrokes: \
                 convtui bench --pointwise {},{},{},{} times it",
                shape.flops() as f64 / 1e9,
                shape.c_in,
                shape.c_out,
                shape.h,
                shape.w
            ),
            other => other.short_note(),
        }
    }

    /// The reason in the throughput pane's 29-column result cell (short of absurd buffer
    /// sizes); the row shows the shape.
    pub fn short_note(self) -> String {
        match self {
            Skip::Grouped { groups } => format!("grouped ({groups}): not run"),
            Skip::Buffers { bytes } => format!("{} MiB of buffers: not run", bytes >> 20),
            Skip::Work { .. } => "too slow here: convtui bench".into(),
        }
    }
}

/// The engine's shape for a 1×1 layer under `limits`, or why it is not timed.
pub fn shape_of(layer: &PointwiseLayer, limits: Limits) -> Result<PointwiseShape, Skip> {
    if layer.groups != 1 {
        return Err(Skip::Grouped {
            groups: layer.groups,
        });
    }
    let shape = PointwiseShape::new(layer.c_in, layer.c_out, layer.h, layer.w);
    let bytes = shape.buffer_bytes();
    if limits.max_buffer_bytes.is_some_and(|max| bytes > max) {
        return Err(Skip::Buffers { bytes });
    }
    if limits.max_flops.is_some_and(|max| shape.flops() > max) {
        return Err(Skip::Work { shape });
    }
    Ok(shape)
}

/// A layer as `bench` names it: its name, or its path.
pub fn layer_name(layer: &PointwiseLayer) -> String {
    layer.name.clone().unwrap_or_else(|| layer.path.to_string())
}

/// The layers of a block split into those to time and those left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub timed: Vec<(PointwiseLayer, PointwiseShape)>,
    pub skipped: Vec<(PointwiseLayer, Skip)>,
}

impl Selection {
    pub fn of(layers: &[PointwiseLayer], limits: Limits) -> Selection {
        let mut selection = Selection {
            timed: Vec::new(),
            skipped: Vec::new(),
        };
        for layer in layers {
            match shape_of(layer, limits) {
                Ok(shape) => selection.timed.push((layer.clone(), shape)),
                Err(skip) => selection.skipped.push((layer.clone(), skip)),
            }
        }
        selection
    }

    /// One line naming what is not timed and why, grouped by reason; `None` when nothing is
    /// left out.
    pub fn skipped_note(&self) -> Option<String> {
        let mut grouped = Vec::new();
        let mut other = Vec::new();
        for (layer, skip) in &self.skipped {
            match skip {
                Skip::Grouped { groups } => {
                    grouped.push(format!("{} (groups {groups})", layer_name(layer)));
                }
                _ => other.push(format!("{}: {}", layer_name(layer), skip.note())),
            }
        }
        let mut parts = Vec::new();
        if !grouped.is_empty() {
            parts.push(format!(
                "grouped 1×1 convolutions are not timed: {}",
                grouped.join(", ")
            ));
        }
        if !other.is_empty() {
            parts.push(format!("not timed: {}", other.join("; ")));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NodePath;

    fn sized(c_in: usize, c_out: usize, side: usize, groups: usize) -> PointwiseLayer {
        PointwiseLayer {
            path: NodePath(vec![0]),
            name: Some("pw".into()),
            c_in,
            c_out,
            h: side,
            w: side,
            groups,
        }
    }

    /// A shape small in memory can still be too much work to time between keystrokes.
    #[test]
    fn long_runs_are_skipped_with_the_bench_command_that_times_them() {
        // 2·2048·2048·56·56 = 26.3 GFLOP a run, in (2048² + 2·2048·56²)·4 = 67 MB of buffers.
        let big = sized(2048, 2048, 56, 1);
        let shape = PointwiseShape::new(2048, 2048, 56, 56);
        assert!(
            Limits::INTERACTIVE
                .max_buffer_bytes
                .is_some_and(|max| shape.buffer_bytes() <= max)
        );
        assert_eq!(
            shape_of(&big, Limits::INTERACTIVE),
            Err(Skip::Work { shape })
        );
        assert_eq!(shape_of(&big, Limits::BENCH), Ok(shape));
        let note = Skip::Work { shape }.note();
        assert!(note.starts_with("26.3 GFLOP a run"), "{note}");
        assert!(
            note.contains("convtui bench --pointwise 2048,2048,56,56"),
            "{note}"
        );
        // 2·1024·1024·56·56 = 6.6 GFLOP: measured.
        assert!(shape_of(&sized(1024, 1024, 56, 1), Limits::INTERACTIVE).is_ok());
        for skip in [
            Skip::Grouped { groups: 1 << 20 },
            Skip::Buffers { bytes: 9999 << 20 },
            Skip::Work { shape },
        ] {
            assert!(skip.short_note().chars().count() <= 29, "{skip:?}");
        }
    }

    #[test]
    fn grouped_and_huge_layers_are_left_out_and_named() {
        let layers = [
            sized(192, 64, 28, 1),
            sized(64, 64, 28, 2),
            sized(1 << 20, 1 << 20, 28, 1),
        ];
        let selection = Selection::of(&layers, Limits::INTERACTIVE);
        assert_eq!(selection.timed.len(), 1);
        assert!(matches!(
            selection.skipped[..],
            [(_, Skip::Grouped { groups: 2 }), (_, Skip::Buffers { .. })]
        ));
        let bench = Selection::of(&layers[..2], Limits::BENCH);
        assert_eq!(
            bench.skipped_note().as_deref(),
            Some("grouped 1×1 convolutions are not timed: pw (groups 2)")
        );
        assert_eq!(
            Selection::of(&layers[..1], Limits::BENCH).skipped_note(),
            None
        );
    }
}
