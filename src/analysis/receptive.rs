//! Receptive field and effective stride after each layer: how many input pixels one output
//! pixel sees, and how far apart (in input pixels) neighbouring outputs are. Branch-aware: a
//! concat or residual sees as far as its widest branch.

use std::collections::HashMap;

use crate::model::{Block, Chain, ChainPath, LayerKind, Node, NodePath, Pair};

use super::rows::{LayerRow, Row};

/// Per axis (height, width), in input pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub size: (u64, u64),
    pub jump: (u64, u64),
}

impl Field {
    const INPUT: Field = Field {
        size: (1, 1),
        jump: (1, 1),
    };

    /// After a window of `kernel` pixels (its dilated reach) moving by `stride`.
    fn window(self, kernel: (u64, u64), stride: (u64, u64)) -> Field {
        let grow = |size: u64, k: u64, jump: u64| {
            size.saturating_add(k.saturating_sub(1).saturating_mul(jump))
        };
        Field {
            size: (
                grow(self.size.0, kernel.0, self.jump.0),
                grow(self.size.1, kernel.1, self.jump.1),
            ),
            jump: (
                self.jump.0.saturating_mul(stride.0.max(1)),
                self.jump.1.saturating_mul(stride.1.max(1)),
            ),
        }
    }

    fn widest(self, other: Field) -> Field {
        Field {
            size: (self.size.0.max(other.size.0), self.size.1.max(other.size.1)),
            jump: (self.jump.0.max(other.jump.0), self.jump.1.max(other.jump.1)),
        }
    }
}

fn pair(p: Pair) -> (u64, u64) {
    (p.h as u64, p.w as u64)
}

fn after(field: Field, row: &LayerRow) -> Field {
    let input = (row.input.h as u64, row.input.w as u64);
    match &row.kind {
        LayerKind::Conv(conv) => {
            let reach = |k: usize, d: usize| (k.saturating_sub(1) * d + 1) as u64;
            field.window(
                (
                    reach(conv.kernel.h, conv.dilation.h),
                    reach(conv.kernel.w, conv.dilation.w),
                ),
                pair(conv.stride),
            )
        }
        LayerKind::Pool(pool) => field.window(pair(pool.kernel), pair(pool.stride)),
        LayerKind::AdaptiveAvgPool { output } => {
            // PyTorch's widest window (window j spans floor(j·in/out) to ceil((j+1)·in/out)),
            // and the stride its windows start at.
            let k = |i: u64, o: u64| {
                let o = o.max(1);
                (0..o)
                    .map(|j| ((j + 1) * i).div_ceil(o) - j * i / o)
                    .max()
                    .unwrap_or(1)
            };
            let s = |i: u64, o: u64| (i / o.max(1)).max(1);
            let out = pair(*output);
            field.window(
                (k(input.0, out.0), k(input.1, out.1)),
                (s(input.0, out.0), s(input.1, out.1)),
            )
        }
        LayerKind::GlobalAvgPool | LayerKind::FullyConnected(_) => field.window(input, input),
        _ => field,
    }
}

/// The field after every layer and composite of `block`, as analysed in `rows`.
pub fn fields(block: &Block, rows: &[Row]) -> HashMap<NodePath, Field> {
    let layers: HashMap<&NodePath, &LayerRow> = rows
        .iter()
        .filter_map(Row::as_layer)
        .map(|row| (&row.path, row))
        .collect();
    let mut out = HashMap::new();
    chain(
        &block.body,
        &ChainPath::root(),
        Field::INPUT,
        &layers,
        &mut out,
    );
    out
}

fn chain(
    nodes: &Chain,
    at: &ChainPath,
    mut field: Field,
    layers: &HashMap<&NodePath, &LayerRow>,
    out: &mut HashMap<NodePath, Field>,
) -> Field {
    for (index, node) in nodes.iter().enumerate() {
        let path = at.node(index);
        field = match node {
            Node::Layer(_) => match layers.get(&path) {
                Some(row) if row.dropped.is_none() => after(field, row),
                _ => field,
            },
            Node::Concat(concat) => (0..concat.branches.len())
                .map(|b| chain(&concat.branches[b], &path.chain(b), field, layers, out))
                .reduce(Field::widest)
                .unwrap_or(field),
            Node::Residual(residual) => {
                let body = chain(&residual.body, &path.chain(0), field, layers, out);
                let shortcut = match &residual.shortcut {
                    Some(s) => chain(s, &path.chain(1), field, layers, out),
                    None => field,
                };
                body.widest(shortcut)
            }
        };
        out.insert(path, field);
    }
    field
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Analysis, Scope};
    use crate::preset;

    fn field_of(name: &str, layer: &str) -> Field {
        let block = preset::builtin(name).unwrap();
        let analysis = Analysis::of(&block, Scope::Bypassed).unwrap();
        let (path, _) = block
            .layers()
            .find(|(_, l)| l.name.as_deref() == Some(layer))
            .unwrap();
        fields(&block, &analysis.rows)[&path]
    }

    #[test]
    fn resnet50_stem_and_first_block() {
        // conv1 7×7/2: 7 px, stride 2; maxpool 3×3/2: 7 + 2·2 = 11, stride 4.
        assert_eq!(field_of("resnet50", "conv1").size, (7, 7));
        let pool = field_of("resnet50", "maxpool");
        assert_eq!((pool.size, pool.jump), ((11, 11), (4, 4)));
        // layer1.0.conv2 3×3/1 after it: 11 + 2·4 = 19.
        assert_eq!(field_of("resnet50", "layer1.0.conv2").size, (19, 19));
    }

    #[test]
    fn a_concat_sees_as_far_as_its_widest_branch() {
        // Inception 3a's 5×5 branch: 5 px; the 3×3 max pool branch: 3 px.
        let block = preset::builtin("inception3a").unwrap();
        let analysis = Analysis::of(&block, Scope::Bypassed).unwrap();
        let all = fields(&block, &analysis.rows);
        assert_eq!(all[&NodePath(vec![0])].size, (5, 5));
    }
}
