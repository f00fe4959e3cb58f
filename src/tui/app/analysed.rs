//! What the analysis says about the document now: its figures when the block fits, or what is
//! wrong with it and the last figures that fitted (shown greyed). One enum, so that the two
//! cannot disagree.

use crate::analysis::{Analysis, Row, ShapeError, Summary};
use crate::model::Block;

#[derive(Debug, Clone, PartialEq)]
pub enum Analysed {
    Fits(Summary),
    Broken {
        error: ShapeError,
        /// The last analysis that fitted, if the block ever fitted since it was opened.
        last: Option<Summary>,
        /// The layers of the block as it is whose shapes are known before the fault.
        before_fault: Vec<Row>,
    },
}

impl Analysed {
    pub fn of(block: &Block) -> Analysed {
        match Summary::of(block) {
            Ok(summary) => Analysed::Fits(summary),
            Err(error) => Analysed::Broken {
                error,
                last: None,
                before_fault: Analysis::before_fault(block),
            },
        }
    }

    /// Analyses `block` after an edit: a block that stopped fitting keeps what last fitted.
    pub fn update(&mut self, block: &Block) {
        let error = match Summary::of(block) {
            Ok(summary) => {
                *self = Analysed::Fits(summary);
                return;
            }
            Err(error) => error,
        };
        let placeholder = Analysed::Broken {
            error: error.clone(),
            last: None,
            before_fault: Vec::new(),
        };
        let last = match std::mem::replace(self, placeholder) {
            Analysed::Fits(last) => Some(last),
            Analysed::Broken { last, .. } => last,
        };
        *self = Analysed::Broken {
            error,
            last,
            before_fault: Analysis::before_fault(block),
        };
    }

    /// The analysis of the block as it is, when it fits.
    pub fn summary(&self) -> Option<&Summary> {
        match self {
            Analysed::Fits(summary) => Some(summary),
            Analysed::Broken { .. } => None,
        }
    }

    /// The layers whose shapes are known before the fault (none when the block fits: its
    /// summary has them all).
    pub fn before_fault(&self) -> &[Row] {
        match self {
            Analysed::Fits(_) => &[],
            Analysed::Broken { before_fault, .. } => before_fault,
        }
    }

    pub fn error(&self) -> Option<&ShapeError> {
        match self {
            Analysed::Fits(_) => None,
            Analysed::Broken { error, .. } => Some(error),
        }
    }

    /// The figures to show and whether they are stale (from before the block stopped fitting).
    pub fn figures(&self) -> Option<(&Summary, bool)> {
        match self {
            Analysed::Fits(summary) => Some((summary, false)),
            Analysed::Broken {
                last: Some(last), ..
            } => Some((last, true)),
            Analysed::Broken { last: None, .. } => None,
        }
    }
}
