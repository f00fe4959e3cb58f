//! The edit form Enter opens: one text field per editable property of the selected layer (or
//! the name of a concat or residual), parsed back into the model when the user applies it.
//! Parsing errors name the field and stay in the form; nothing is applied until all parse.

use crate::analysis::{MAX_CHANNELS, MAX_SPATIAL};
use crate::model::{Conv, FullyConnected, LayerKind, Node, NodePath, Pair, Pool, PoolKind};

use super::text_input::TextInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Name,
    /// A count from `min` to `max` (channels, groups, features).
    Count {
        min: usize,
        max: usize,
    },
    /// A size per axis, `3` or `1x7`, from `min`.
    Pair {
        min: usize,
    },
    Flag,
    PoolKind,
    /// Dropout probability, 0 ≤ p < 1 (kept in steps of 0.001).
    Probability,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: &'static str,
    pub kind: FieldKind,
    pub input: TextInput,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditForm {
    pub path: NodePath,
    /// What is being edited, for the title ("conv 3×3", "concat").
    pub title: String,
    pub fields: Vec<Field>,
    pub focused: usize,
    /// Why the last attempt to apply failed.
    pub error: Option<String>,
}

fn field(label: &'static str, kind: FieldKind, text: String) -> Field {
    Field {
        label,
        kind,
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

fn flag_text(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

const CHANNELS: FieldKind = FieldKind::Count {
    min: 1,
    max: MAX_CHANNELS,
};

impl EditForm {
    pub fn for_node(path: &NodePath, node: &Node) -> EditForm {
        let name = field("name", FieldKind::Name, node.name().unwrap_or("").into());
        let mut fields = vec![name];
        let title = match node {
            Node::Layer(layer) => {
                fields.extend(layer_fields(&layer.kind));
                crate::analysis::describe_layer(layer)
            }
            Node::Concat(_) => "concat".into(),
            Node::Residual(_) => "residual".into(),
        };
        EditForm {
            path: path.clone(),
            title,
            fields,
            focused: usize::from(fields_len_gt_one(node)),
            error: None,
        }
    }

    pub fn focused_field(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focused)
    }

    pub fn next_field(&mut self, forward: bool) {
        let n = self.fields.len().max(1);
        self.focused = if forward {
            (self.focused + 1) % n
        } else {
            (self.focused + n - 1) % n
        };
    }

    /// Space on a yes/no or max/avg field flips it; elsewhere it is typed.
    pub fn toggle_or_type_space(&mut self) {
        if let Some(field) = self.focused_field() {
            let flipped = match (field.kind, field.input.text().trim()) {
                (FieldKind::Flag, "yes") => Some("no"),
                (FieldKind::Flag, _) => Some("yes"),
                (FieldKind::PoolKind, "max") => Some("avg"),
                (FieldKind::PoolKind, _) => Some("max"),
                _ => None,
            };
            match flipped {
                Some(text) => field.input = TextInput::new(text),
                None => field.input.insert(' '),
            }
        }
    }

    /// The node with the form's values, or the first field that does not parse.
    pub fn apply_to(&self, node: &Node) -> Result<Node, String> {
        let values = Values {
            fields: &self.fields,
        };
        let name = values.text("name").map(str::trim).unwrap_or("");
        let name = (!name.is_empty()).then(|| name.to_string());
        let mut node = node.clone();
        match &mut node {
            Node::Layer(layer) => {
                let was_pointwise = layer.is_pointwise_conv();
                layer.kind = values.layer_kind(&layer.kind)?;
                layer.name = name;
                // Only a 1×1 conv can be bypassed: one whose kernel grows loses the flag.
                if was_pointwise && !layer.is_pointwise_conv() {
                    layer.bypassed = false;
                }
            }
            Node::Concat(concat) => concat.name = name,
            Node::Residual(residual) => residual.name = name,
        }
        Ok(node)
    }
}

fn fields_len_gt_one(node: &Node) -> bool {
    node.as_layer()
        .is_some_and(|l| !layer_fields(&l.kind).is_empty())
}

fn layer_fields(kind: &LayerKind) -> Vec<Field> {
    match kind {
        LayerKind::Conv(c) => vec![
            field("out channels", CHANNELS, c.out_channels.to_string()),
            field("kernel", FieldKind::Pair { min: 1 }, pair_text(c.kernel)),
            field("stride", FieldKind::Pair { min: 1 }, pair_text(c.stride)),
            field("padding", FieldKind::Pair { min: 0 }, pair_text(c.padding)),
            field("groups", CHANNELS, c.groups.to_string()),
            field("bias", FieldKind::Flag, flag_text(c.bias)),
        ],
        LayerKind::Pool(p) => vec![
            field("pool", FieldKind::PoolKind, kind.label()[..3].into()),
            field("kernel", FieldKind::Pair { min: 1 }, pair_text(p.kernel)),
            field("stride", FieldKind::Pair { min: 1 }, pair_text(p.stride)),
            field("padding", FieldKind::Pair { min: 0 }, pair_text(p.padding)),
            field("ceil mode", FieldKind::Flag, flag_text(p.ceil_mode)),
        ],
        LayerKind::FullyConnected(fc) => vec![
            field("out features", CHANNELS, fc.out_features.to_string()),
            field("bias", FieldKind::Flag, flag_text(fc.bias)),
        ],
        LayerKind::Dropout { per_mille } => vec![field(
            "probability",
            FieldKind::Probability,
            format!("{}", f64::from(*per_mille) / 1000.0),
        )],
        _ => Vec::new(),
    }
}

struct Values<'a> {
    fields: &'a [Field],
}

impl Values<'_> {
    fn text(&self, label: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.input.text())
    }

    fn parsed<T>(
        &self,
        label: &'static str,
        parse: impl Fn(&str, FieldKind) -> Result<T, String>,
    ) -> Result<T, String> {
        let field = self
            .fields
            .iter()
            .find(|f| f.label == label)
            .ok_or_else(|| format!("{label}: missing"))?;
        parse(field.input.text().trim(), field.kind).map_err(|e| format!("{label}: {e}"))
    }

    fn count(&self, label: &'static str) -> Result<usize, String> {
        self.parsed(label, parse_count)
    }

    fn pair(&self, label: &'static str) -> Result<Pair, String> {
        self.parsed(label, parse_pair)
    }

    fn flag(&self, label: &'static str) -> Result<bool, String> {
        self.parsed(label, |text, _| parse_flag(text))
    }

    fn layer_kind(&self, old: &LayerKind) -> Result<LayerKind, String> {
        Ok(match old {
            LayerKind::Conv(_) => LayerKind::Conv(Conv {
                out_channels: self.count("out channels")?,
                kernel: self.pair("kernel")?,
                stride: self.pair("stride")?,
                padding: self.pair("padding")?,
                groups: self.count("groups")?,
                bias: self.flag("bias")?,
            }),
            LayerKind::Pool(_) => LayerKind::Pool(Pool {
                kind: self.parsed("pool", |text, _| parse_pool_kind(text))?,
                kernel: self.pair("kernel")?,
                stride: self.pair("stride")?,
                padding: self.pair("padding")?,
                ceil_mode: self.flag("ceil mode")?,
            }),
            LayerKind::FullyConnected(_) => LayerKind::FullyConnected(FullyConnected {
                out_features: self.count("out features")?,
                bias: self.flag("bias")?,
            }),
            LayerKind::Dropout { .. } => LayerKind::Dropout {
                per_mille: self.parsed("probability", |text, _| parse_probability(text))?,
            },
            other => other.clone(),
        })
    }
}

fn parse_count(text: &str, kind: FieldKind) -> Result<usize, String> {
    let (min, max) = match kind {
        FieldKind::Count { min, max } => (min, max),
        _ => (0, usize::MAX),
    };
    match text.parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "\"{text}\" is not a whole number from {min} to {max}"
        )),
    }
}

fn parse_pair(text: &str, kind: FieldKind) -> Result<Pair, String> {
    let min = match kind {
        FieldKind::Pair { min } => min,
        _ => 0,
    };
    let bad =
        || format!("\"{text}\" is not a size like 3 or 1x7 (each from {min} to {MAX_SPATIAL})");
    let one = |part: &str| match part.trim().parse::<usize>() {
        Ok(n) if (min..=MAX_SPATIAL).contains(&n) => Ok(n),
        _ => Err(bad()),
    };
    let parts: Vec<&str> = text.split(['x', 'X', '×', '*', ',']).collect();
    match parts.as_slice() {
        [n] => one(n).map(Pair::square),
        [h, w] => Ok(Pair::new(one(h)?, one(w)?)),
        _ => Err(bad()),
    }
}

fn parse_flag(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "on" | "1" => Ok(true),
        "no" | "n" | "false" | "off" | "0" => Ok(false),
        _ => Err(format!("\"{text}\" is not yes or no (Space flips it)")),
    }
}

fn parse_pool_kind(text: &str) -> Result<PoolKind, String> {
    match text.to_ascii_lowercase().as_str() {
        "max" => Ok(PoolKind::Max),
        "avg" | "average" | "mean" => Ok(PoolKind::Avg),
        _ => Err(format!("\"{text}\" is not max or avg (Space flips it)")),
    }
}

/// A dropout probability, 0 ≤ p < 1, in the model's per mille. p = 1 would zero everything and a
/// block file with it does not load, so the form refuses it, and anything that rounds to it.
fn parse_probability(text: &str) -> Result<u16, String> {
    let p = match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => p,
        _ => {
            return Err(format!("\"{text}\" is not a probability from 0 to below 1"));
        }
    };
    let per_mille = (p * 1000.0).round();
    if per_mille >= 1000.0 {
        return Err(format!(
            "\"{text}\" must be below 1: p is kept in steps of 0.001, so at most 0.999"
        ));
    }
    Ok(per_mille as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Layer;

    fn conv_form() -> (EditForm, Node) {
        let node = Node::Layer(Layer::named("3x3", LayerKind::Conv(Conv::new(128, 3))));
        (EditForm::for_node(&NodePath(vec![0]), &node), node)
    }

    fn set(form: &mut EditForm, label: &str, text: &str) {
        let field = form.fields.iter_mut().find(|f| f.label == label).unwrap();
        field.input = TextInput::new(text);
    }

    #[test]
    fn round_trips_and_applies_new_values() {
        let (mut form, node) = conv_form();
        assert_eq!(form.fields[form.focused].label, "out channels");
        assert_eq!(form.apply_to(&node).unwrap(), node);
        set(&mut form, "out channels", "96");
        set(&mut form, "kernel", "1x7");
        set(&mut form, "bias", "no");
        let Node::Layer(layer) = form.apply_to(&node).unwrap() else {
            panic!("a layer stays a layer")
        };
        let conv = layer.as_conv().unwrap();
        assert_eq!(
            (conv.out_channels, conv.kernel, conv.bias),
            (96, Pair::new(1, 7), false)
        );
    }

    #[test]
    fn bad_values_name_their_field() {
        let (mut form, node) = conv_form();
        set(&mut form, "out channels", "0");
        assert!(
            form.apply_to(&node)
                .unwrap_err()
                .starts_with("out channels:")
        );
        set(&mut form, "out channels", "8");
        set(&mut form, "stride", "2x");
        assert!(form.apply_to(&node).unwrap_err().starts_with("stride:"));
    }

    #[test]
    fn a_1x1_whose_kernel_grows_is_no_longer_bypassed() {
        let mut layer = Layer::named("reduce", LayerKind::Conv(Conv::new(64, 1)));
        layer.bypassed = true;
        let node = Node::Layer(layer);
        let mut form = EditForm::for_node(&NodePath(vec![0]), &node);
        set(&mut form, "out channels", "32");
        let Ok(Node::Layer(still)) = form.apply_to(&node) else {
            panic!("a layer stays a layer")
        };
        assert!(still.bypassed, "a 1×1 keeps its flag");
        set(&mut form, "kernel", "3");
        let Ok(Node::Layer(grown)) = form.apply_to(&node) else {
            panic!("a layer stays a layer")
        };
        assert!(!grown.bypassed);
    }

    /// p = 1 (or anything kept as 1000 per mille) would save a file that does not load again.
    #[test]
    fn dropout_probability_stays_below_one() {
        let node = Node::Layer(Layer::new(LayerKind::Dropout { per_mille: 500 }));
        let mut form = EditForm::for_node(&NodePath(vec![0]), &node);
        let per_mille = |form: &EditForm| match form.apply_to(&node) {
            Ok(Node::Layer(layer)) => Ok(layer.kind),
            Ok(other) => panic!("a layer stays a layer: {other:?}"),
            Err(error) => Err(error),
        };
        for (text, kept) in [("0", 0), ("0.25", 250), ("0.999", 999), ("0.9994", 999)] {
            set(&mut form, "probability", text);
            assert_eq!(
                per_mille(&form),
                Ok(LayerKind::Dropout { per_mille: kept }),
                "{text}"
            );
        }
        for text in ["1", "1.0", "0.9995", "0.99999"] {
            set(&mut form, "probability", text);
            let error = per_mille(&form).unwrap_err();
            assert!(
                error.starts_with("probability:") && error.contains("below 1"),
                "{text}: {error}"
            );
        }
        for text in ["-0.1", "1.5", "NaN", "inf", "half"] {
            set(&mut form, "probability", text);
            assert!(per_mille(&form).is_err(), "{text}");
        }
    }

    #[test]
    fn space_flips_flags() {
        let (mut form, _) = conv_form();
        form.focused = form.fields.iter().position(|f| f.label == "bias").unwrap();
        form.toggle_or_type_space();
        assert_eq!(form.fields[form.focused].input.text(), "no");
    }
}
