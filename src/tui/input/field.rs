//! A field of the edit form: which property it edits, what it holds, and its text.

use crate::model::MAX_CHANNELS;

use super::text_input::TextInput;

/// Which property a field edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldId {
    Name,
    OutChannels,
    Kernel,
    Stride,
    Padding,
    Dilation,
    Groups,
    Bias,
    PoolKind,
    CeilMode,
    OutFeatures,
    Probability,
    /// An adaptive pool's output size.
    OutputSize,
    /// How many channels a local response normalisation spans.
    LrnSize,
}

impl FieldId {
    /// What the field holds.
    pub fn kind(self) -> FieldKind {
        const CHANNELS: FieldKind = FieldKind::Count {
            min: 1,
            max: MAX_CHANNELS,
        };
        match self {
            FieldId::Name => FieldKind::Name,
            FieldId::OutChannels | FieldId::Groups | FieldId::OutFeatures => CHANNELS,
            FieldId::Kernel | FieldId::Stride | FieldId::Dilation | FieldId::OutputSize => {
                FieldKind::Pair { min: 1 }
            }
            FieldId::Padding => FieldKind::Padding,
            FieldId::LrnSize => FieldKind::Count {
                min: 1,
                max: MAX_CHANNELS,
            },
            FieldId::Bias | FieldId::CeilMode => FieldKind::Flag,
            FieldId::PoolKind => FieldKind::PoolKind,
            FieldId::Probability => FieldKind::Probability,
        }
    }

    /// How the form names it.
    pub fn label(self) -> &'static str {
        match self {
            FieldId::Name => "name",
            FieldId::OutChannels => "out channels",
            FieldId::Kernel => "kernel",
            FieldId::Stride => "stride",
            FieldId::Padding => "padding",
            FieldId::Dilation => "dilation",
            FieldId::Groups => "groups",
            FieldId::Bias => "bias",
            FieldId::PoolKind => "pool",
            FieldId::CeilMode => "ceil mode",
            FieldId::OutFeatures => "out features",
            FieldId::Probability => "probability",
            FieldId::OutputSize => "output",
            FieldId::LrnSize => "size",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub id: FieldId,
    pub kind: FieldKind,
    pub input: TextInput,
}

impl Field {
    pub fn label(&self) -> &'static str {
        self.id.label()
    }
}

/// What a field holds, and so how it is read back.
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
    /// Padding: as a pair, or four sides `top,left,bottom,right`.
    Padding,
    Flag,
    PoolKind,
    /// Dropout probability, 0 ≤ p < 1 (kept in steps of 0.001).
    Probability,
}
