//! A plan: which layers an analysis leaves out and how the layers that stand in for them
//! change — plain data, made by the rules in `rules.rs` and applied by inference.

use std::collections::BTreeMap;

use crate::model::{Layer, NodePath, Pair};

/// Why a 1×1 convolution can go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Reduce,
    Mix,
    Project,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Reduce => "reduce",
            Role::Mix => "mix",
            Role::Project => "project",
        }
    }
}

/// A layer removed from the analysed block: a 1×1 conv, or an attachment of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub role: Role,
    /// The 1×1 convolution this layer goes with (its own path when it is that conv).
    pub conv: NodePath,
}

/// How a kept convolution changes to stand in for a dropped 1×1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adjustment {
    pub out_channels: Option<usize>,
    pub stride_factor: Pair,
}

impl Default for Adjustment {
    fn default() -> Self {
        Adjustment {
            out_channels: None,
            stride_factor: Pair::square(1),
        }
    }
}

/// The edits that turn a block into the block without (some of) its 1×1 convolutions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub dropped: BTreeMap<NodePath, Dropped>,
    pub adjusted: BTreeMap<NodePath, Adjustment>,
}

impl Plan {
    /// The 1×1 convolutions this plan drops, in reading order, with their roles.
    pub fn dropped_convs(&self) -> impl Iterator<Item = (&NodePath, Role)> {
        self.dropped
            .iter()
            .filter(|(path, dropped)| **path == dropped.conv)
            .map(|(path, dropped)| (path, dropped.role))
    }

    /// The rule that drops the 1×1 conv at `path` itself (not as an attachment of another).
    pub fn dropped_conv(&self, path: &NodePath) -> Option<Role> {
        self.dropped
            .get(path)
            .filter(|dropped| dropped.conv == *path)
            .map(|dropped| dropped.role)
    }
}

/// Which 1×1 convolutions a plan may drop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    /// Every one the rules allow: the counterpart "without its 1×1 convolutions".
    All,
    /// Those the user bypassed.
    Bypassed,
    /// Just this one (to ask whether it can be bypassed).
    Only(&'a NodePath),
}

impl Scope<'_> {
    pub fn admits(&self, path: &NodePath, layer: &Layer) -> bool {
        match self {
            Scope::All => true,
            Scope::Bypassed => layer.bypassed,
            Scope::Only(only) => *only == path,
        }
    }
}
