//! The totals of an analysed block: shapes, parameters, MACs, activations, depth.

use crate::model::Shape;

use super::infer::Depth;

/// Bytes per activation element: the engine and the export assume f32.
pub const BYTES_PER_ELEMENT: u64 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub input: Shape,
    pub output: Shape,
    /// All weights: conv and FC kernels and batch norm scales (PyTorch's `.weight`s).
    pub weights: u64,
    /// All biases: conv and FC biases and batch norm shifts (PyTorch's `.bias`es).
    pub biases: u64,
    pub conv_weights: u64,
    pub conv_biases: u64,
    pub macs: u64,
    /// Output elements of every layer, summed: what a forward pass materialises.
    pub activations: u64,
    /// The most elements alive at once, input included, along the best branch order
    /// (`analysis::memory`): what an executor that frees as it goes needs.
    pub peak_activations: u64,
    pub layers: usize,
    pub convs: usize,
    pub pointwise_convs: usize,
    pub depth: Depth,
}

impl Totals {
    /// Which derived figure (parameters, FLOPs, bytes) would pass a u64, if any: those are
    /// computed saturating, so `Analysis::of` refuses a block where one would.
    pub fn derived_overflow(&self) -> Option<&'static str> {
        let params = self.weights.checked_add(self.biases);
        if params.is_none() {
            return Some("parameters");
        }
        if self.macs.checked_mul(2).is_none() {
            return Some("FLOPs");
        }
        let bytes = [self.activations, self.peak_activations, params.unwrap_or(0)];
        if bytes
            .iter()
            .any(|n| n.checked_mul(BYTES_PER_ELEMENT).is_none())
        {
            return Some("bytes");
        }
        None
    }

    pub fn params(&self) -> u64 {
        self.weights.saturating_add(self.biases)
    }

    pub fn flops(&self) -> u64 {
        self.macs.saturating_mul(2)
    }

    pub fn activation_bytes(&self) -> u64 {
        self.activations.saturating_mul(BYTES_PER_ELEMENT)
    }

    pub fn peak_activation_bytes(&self) -> u64 {
        self.peak_activations.saturating_mul(BYTES_PER_ELEMENT)
    }

    /// Parameters as f32.
    pub fn param_bytes(&self) -> u64 {
        self.params().saturating_mul(BYTES_PER_ELEMENT)
    }
}
