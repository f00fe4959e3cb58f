//! How a layer's kind is written in one short cell: "conv 3×3/1 p1", "max 3×3/2", "relu" —
//! the same in the command-line table and the TUI.

use crate::model::{LayerKind, Padding, Pair};

/// "conv 3×3/1 p1", "max 3×3/2", "relu"; "p0,0,1,1" for padding that differs per side.
pub fn kind_cell(kind: &LayerKind) -> String {
    let window = |k: Pair, s: Pair, padding: Padding| {
        let p = padding.begin;
        let mut text = format!(
            "{k}/{}",
            if s.is_square() {
                s.h.to_string()
            } else {
                s.to_string()
            }
        );
        if !padding.is_symmetric() {
            text.push_str(&format!(" p{padding}"));
        } else if p.h != 0 || p.w != 0 {
            text.push_str(&format!(
                " p{}",
                if p.is_square() {
                    p.h.to_string()
                } else {
                    p.to_string()
                }
            ));
        }
        text
    };
    match kind {
        LayerKind::Conv(c) => {
            let mut text = format!("conv {}", window(c.kernel, c.stride, c.padding));
            if c.dilation != Pair::square(1) {
                let d = c.dilation;
                if d.is_square() {
                    text.push_str(&format!(" d{}", d.h));
                } else {
                    text.push_str(&format!(" d{d}"));
                }
            }
            if c.groups > 1 {
                text.push_str(&format!(" g{}", c.groups));
            }
            text
        }
        LayerKind::Pool(p) => format!(
            "{} {}",
            &kind.label()[..3],
            window(p.kernel, p.stride, p.padding)
        ),
        LayerKind::FullyConnected(fc) => format!("fc {}", fc.out_features),
        LayerKind::GlobalAvgPool => "global avg".into(),
        LayerKind::AdaptiveAvgPool { output } => format!("adapt avg {output}"),
        LayerKind::Lrn(lrn) => format!("lrn {}", lrn.size),
        LayerKind::BatchNorm => "batch norm".into(),
        other => other.label().into(),
    }
}
