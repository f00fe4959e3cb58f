//! The edit form Enter opens: one text field per editable property of the selected layer (or
//! the name of a concat or residual), parsed back into the model when the user applies it.
//! Parsing errors name the field and stay in the form; nothing is applied until all parse.
//! Fields are keyed by [`FieldId`]; their labels are only for people.

use crate::analysis::describe_layer;
use crate::model::{
    Conv, FullyConnected, LayerKind, Lrn, Node, NodePath, Padding, Pair, Pool, printable_within,
};

use super::field::{Field, FieldId, FieldKind};
use super::form_fields::{field, fields_len_gt_one, layer_fields};
use super::form_parse::{
    parse_count, parse_flag, parse_padding, parse_pair, parse_pool_kind, parse_probability,
};
use super::text_input::TextInput;

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

impl EditForm {
    pub fn for_node(path: &NodePath, node: &Node) -> EditForm {
        let name = field(FieldId::Name, node.name().unwrap_or("").into());
        let mut fields = vec![name];
        let title = match node {
            Node::Layer(layer) => {
                fields.extend(layer_fields(&layer.kind));
                describe_layer(layer)
            }
            Node::Concat(_) => "concat".into(),
            Node::Residual(_) => "residual".into(),
        };
        let mut form = EditForm {
            path: path.clone(),
            title,
            fields,
            focused: 0,
            error: None,
        };
        form.focus(usize::from(fields_len_gt_one(node)));
        form
    }

    /// Moves the focus to field `index`, its text selected so that typing replaces it.
    pub fn focus(&mut self, index: usize) {
        if let Some(left) = self.fields.get_mut(self.focused) {
            left.input.end();
        }
        self.focused = index.min(self.fields.len().saturating_sub(1));
        if let Some(entered) = self.fields.get_mut(self.focused) {
            entered.input.select_all();
        }
    }

    pub fn focused_field(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focused)
    }

    pub fn next_field(&mut self, forward: bool) {
        let n = self.fields.len().max(1);
        self.focus(if forward {
            (self.focused + 1) % n
        } else {
            (self.focused + n - 1) % n
        });
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

    /// The fields that differ from `node`'s, as "kernel 3 → 5, padding 1 → 2", for undo and
    /// redo to say what the form changed.
    pub fn changes(&self, node: &Node) -> String {
        let before = EditForm::for_node(&self.path, node);
        let shown = |field: &Field| {
            let text = printable_within(field.input.text().trim(), 40).into_owned();
            match field.id {
                FieldId::Name if text.is_empty() => "none".to_string(),
                FieldId::Name => format!("\"{text}\""),
                _ => text,
            }
        };
        let changed: Vec<String> = self
            .fields
            .iter()
            .zip(&before.fields)
            .filter(|(now, was)| now.input.text().trim() != was.input.text().trim())
            .map(|(now, was)| format!("{} {} → {}", now.label(), shown(was), shown(now)))
            .collect();
        changed.join(", ")
    }

    /// The node with the form's values, or the first field that does not parse.
    pub fn apply_to(&self, node: &Node) -> Result<Node, String> {
        let values = Values {
            fields: &self.fields,
        };
        let name = values.text(FieldId::Name).map(str::trim).unwrap_or("");
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

struct Values<'a> {
    fields: &'a [Field],
}

impl Values<'_> {
    fn text(&self, id: FieldId) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.input.text())
    }

    fn parsed<T>(
        &self,
        id: FieldId,
        parse: impl Fn(&str, FieldKind) -> Result<T, String>,
    ) -> Result<T, String> {
        let label = id.label();
        let field = self
            .fields
            .iter()
            .find(|f| f.id == id)
            .ok_or_else(|| format!("{label}: missing"))?;
        parse(field.input.text().trim(), field.kind).map_err(|e| format!("{label}: {e}"))
    }

    fn count(&self, id: FieldId) -> Result<usize, String> {
        self.parsed(id, parse_count)
    }

    fn pair(&self, id: FieldId) -> Result<Pair, String> {
        self.parsed(id, parse_pair)
    }

    fn padding(&self) -> Result<Padding, String> {
        self.parsed(FieldId::Padding, |text, _| parse_padding(text))
    }

    fn flag(&self, id: FieldId) -> Result<bool, String> {
        self.parsed(id, |text, _| parse_flag(text))
    }

    fn layer_kind(&self, old: &LayerKind) -> Result<LayerKind, String> {
        Ok(match old {
            LayerKind::Conv(_) => LayerKind::Conv(Conv {
                out_channels: self.count(FieldId::OutChannels)?,
                kernel: self.pair(FieldId::Kernel)?,
                stride: self.pair(FieldId::Stride)?,
                padding: self.padding()?,
                dilation: self.pair(FieldId::Dilation)?,
                groups: self.count(FieldId::Groups)?,
                bias: self.flag(FieldId::Bias)?,
            }),
            LayerKind::Pool(_) => LayerKind::Pool(Pool {
                kind: self.parsed(FieldId::PoolKind, |text, _| parse_pool_kind(text))?,
                kernel: self.pair(FieldId::Kernel)?,
                stride: self.pair(FieldId::Stride)?,
                padding: self.padding()?,
                ceil_mode: self.flag(FieldId::CeilMode)?,
            }),
            LayerKind::FullyConnected(_) => LayerKind::FullyConnected(FullyConnected {
                out_features: self.count(FieldId::OutFeatures)?,
                bias: self.flag(FieldId::Bias)?,
            }),
            LayerKind::Dropout { .. } => LayerKind::Dropout {
                per_mille: self.parsed(FieldId::Probability, |text, _| parse_probability(text))?,
            },
            LayerKind::AdaptiveAvgPool { .. } => LayerKind::AdaptiveAvgPool {
                output: self.pair(FieldId::OutputSize)?,
            },
            LayerKind::Lrn(lrn) => LayerKind::Lrn(Lrn {
                size: self.count(FieldId::LrnSize)?,
                ..*lrn
            }),
            other => other.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Layer;

    fn conv_form() -> (EditForm, Node) {
        let node = Node::Layer(Layer::named("3x3", LayerKind::Conv(Conv::new(128, 3))));
        (EditForm::for_node(&NodePath(vec![0]), &node), node)
    }

    fn set(form: &mut EditForm, id: FieldId, text: &str) {
        let field = form.fields.iter_mut().find(|f| f.id == id).unwrap();
        field.input = TextInput::new(text);
    }

    #[test]
    fn round_trips_and_applies_new_values() {
        let (mut form, node) = conv_form();
        assert_eq!(form.fields[form.focused].id, FieldId::OutChannels);
        assert_eq!(form.apply_to(&node).unwrap(), node);
        set(&mut form, FieldId::OutChannels, "96");
        set(&mut form, FieldId::Kernel, "1x7");
        set(&mut form, FieldId::Bias, "no");
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
        set(&mut form, FieldId::OutChannels, "0");
        assert!(
            form.apply_to(&node)
                .unwrap_err()
                .starts_with("out channels:")
        );
        set(&mut form, FieldId::OutChannels, "8");
        set(&mut form, FieldId::Stride, "2x");
        assert!(form.apply_to(&node).unwrap_err().starts_with("stride:"));
    }

    #[test]
    fn a_1x1_whose_kernel_grows_is_no_longer_bypassed() {
        let mut layer = Layer::named("reduce", LayerKind::Conv(Conv::new(64, 1)));
        layer.bypassed = true;
        let node = Node::Layer(layer);
        let mut form = EditForm::for_node(&NodePath(vec![0]), &node);
        set(&mut form, FieldId::OutChannels, "32");
        let Ok(Node::Layer(still)) = form.apply_to(&node) else {
            panic!("a layer stays a layer")
        };
        assert!(still.bypassed, "a 1×1 keeps its flag");
        set(&mut form, FieldId::Kernel, "3");
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
            set(&mut form, FieldId::Probability, text);
            assert_eq!(
                per_mille(&form),
                Ok(LayerKind::Dropout { per_mille: kept }),
                "{text}"
            );
        }
        for text in ["1", "1.0", "0.9995", "0.99999"] {
            set(&mut form, FieldId::Probability, text);
            let error = per_mille(&form).unwrap_err();
            assert!(
                error.starts_with("probability:") && error.contains("below 1"),
                "{text}: {error}"
            );
        }
        for text in ["-0.1", "1.5", "NaN", "inf", "half"] {
            set(&mut form, FieldId::Probability, text);
            assert!(per_mille(&form).is_err(), "{text}");
        }
    }

    #[test]
    fn a_field_entered_has_its_text_selected_and_the_one_left_does_not() {
        let (mut form, _) = conv_form();
        assert!(form.fields[form.focused].input.is_selected());
        form.next_field(true);
        let kernel = &form.fields[form.focused];
        assert_eq!(kernel.id, FieldId::Kernel);
        assert!(kernel.input.is_selected());
        assert!(!form.fields[form.focused - 1].input.is_selected());
        form.next_field(false);
        form.next_field(false);
        assert_eq!(form.fields[form.focused].id, FieldId::Name);
        assert!(form.fields[form.focused].input.is_selected());
    }

    #[test]
    fn changes_name_the_fields_that_differ() {
        let (mut form, node) = conv_form();
        set(&mut form, FieldId::Kernel, "5");
        set(&mut form, FieldId::Padding, " 2 ");
        set(&mut form, FieldId::Name, "");
        assert_eq!(
            form.changes(&node),
            "name \"3x3\" → none, kernel 3 → 5, padding 1 → 2"
        );
    }

    #[test]
    fn space_flips_flags() {
        let (mut form, _) = conv_form();
        form.focused = form
            .fields
            .iter()
            .position(|f| f.id == FieldId::Bias)
            .unwrap();
        form.toggle_or_type_space();
        assert_eq!(form.fields[form.focused].input.text(), "no");
    }
}
