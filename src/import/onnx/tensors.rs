//! What the graph knows of its tensors without running it: the shapes of weights (from
//! initializers, or graph inputs when exported without parameters, or value infos) and the
//! values of small constants (Clip bounds, Pad pads, axes).

use std::collections::HashMap;

use super::proto::{NodeProto, TensorProto};

#[derive(Default)]
pub struct Tensors<'a> {
    pub dims: HashMap<&'a str, Vec<i64>>,
    pub constants: HashMap<&'a str, &'a TensorProto>,
}

impl Tensors<'_> {
    pub fn dims_of(&self, tensor: &str) -> Option<&[i64]> {
        self.dims.get(tensor).map(Vec::as_slice)
    }

    /// The values of the constant at input `index` of `node`, if it is one.
    pub fn constant_of(&self, node: &NodeProto, index: usize) -> Option<Vec<f64>> {
        let name = node.input.get(index)?;
        self.constants.get(name.as_str())?.values()
    }
}
