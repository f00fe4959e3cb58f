//! The edit form's fields for each kind of node, filled with the node's values as the user
//! would type them (`3`, `1x7`, `top,left,bottom,right`, yes/no), so a form opened and applied
//! unchanged gives the node back.

use crate::model::{LayerKind, Node, Padding, Pair};

use super::field::{Field, FieldId};
use super::text_input::TextInput;

pub fn field(id: FieldId, text: String) -> Field {
    Field {
        id,
        kind: id.kind(),
        input: TextInput::new(text),
    }
}

fn pair_text(p: Pair) -> String {
    if p.is_square() {
        p.h.to_string()
    } else {
        format!("{}x{}", p.h, p.w)
    }
}

fn padding_text(p: Padding) -> String {
    if p.is_symmetric() {
        pair_text(p.begin)
    } else {
        format!("{},{},{},{}", p.begin.h, p.begin.w, p.end.h, p.end.w)
    }
}

fn flag_text(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

pub fn fields_len_gt_one(node: &Node) -> bool {
    node.as_layer()
        .is_some_and(|l| !layer_fields(&l.kind).is_empty())
}

pub fn layer_fields(kind: &LayerKind) -> Vec<Field> {
    let window = |kernel, stride, padding| {
        [
            field(FieldId::Kernel, pair_text(kernel)),
            field(FieldId::Stride, pair_text(stride)),
            field(FieldId::Padding, padding_text(padding)),
        ]
    };
    match kind {
        LayerKind::Conv(c) => {
            let mut fields = vec![field(FieldId::OutChannels, c.out_channels.to_string())];
            fields.extend(window(c.kernel, c.stride, c.padding));
            fields.push(field(FieldId::Dilation, pair_text(c.dilation)));
            fields.push(field(FieldId::Groups, c.groups.to_string()));
            fields.push(field(FieldId::Bias, flag_text(c.bias)));
            fields
        }
        LayerKind::Pool(p) => {
            let mut fields = vec![field(FieldId::PoolKind, kind.label()[..3].into())];
            fields.extend(window(p.kernel, p.stride, p.padding));
            fields.push(field(FieldId::CeilMode, flag_text(p.ceil_mode)));
            fields
        }
        LayerKind::FullyConnected(fc) => vec![
            field(FieldId::OutFeatures, fc.out_features.to_string()),
            field(FieldId::Bias, flag_text(fc.bias)),
        ],
        LayerKind::Dropout { per_mille } => vec![field(
            FieldId::Probability,
            format!("{}", f64::from(*per_mille) / 1000.0),
        )],
        LayerKind::AdaptiveAvgPool { output } => {
            vec![field(FieldId::OutputSize, pair_text(*output))]
        }
        LayerKind::Lrn(lrn) => vec![field(FieldId::LrnSize, lrn.size.to_string())],
        _ => Vec::new(),
    }
}
