//! How a layer's kind is written in one short cell: "conv 3×3/1 p1", "max 3×3/2", "relu" —
//! the same in the command-line table and the TUI.

use crate::model::LayerKind;

/// "conv 3×3/1 p1", "max 3×3/2", "relu".
pub fn kind_cell(kind: &LayerKind) -> String {
    let window = |k: crate::model::Pair, s: crate::model::Pair, p: crate::model::Pair| {
        let mut text = format!(
            "{k}/{}",
            if s.is_square() {
                s.h.to_string()
            } else {
                s.to_string()
            }
        );
        if p.h != 0 || p.w != 0 {
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
        LayerKind::BatchNorm => "batch norm".into(),
        other => other.label().into(),
    }
}
