//! How the edit form's text fields are read back: counts, sizes like `3` or `1x7`, yes/no,
//! max/avg and a dropout probability, each with a message that says what was expected.

use crate::model::{MAX_SPATIAL, Padding, Pair, PoolKind};

use super::field::FieldKind;

pub fn parse_count(text: &str, kind: FieldKind) -> Result<usize, String> {
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

pub fn parse_pair(text: &str, kind: FieldKind) -> Result<Pair, String> {
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

/// `1`, `1x2`, or four sides `top,left,bottom,right` where they differ.
pub fn parse_padding(text: &str) -> Result<Padding, String> {
    let parts: Vec<&str> = text.split(['x', 'X', '×', '*', ',']).collect();
    if let [top, left, bottom, right] = parts.as_slice() {
        let side = |part: &str| match part.trim().parse::<usize>() {
            Ok(n) if n <= MAX_SPATIAL => Ok(n),
            _ => Err(format!(
                "\"{text}\" is not a padding like 1, 1x2 or top,left,bottom,right (each from 0 to {MAX_SPATIAL})"
            )),
        };
        return Ok(Padding {
            begin: Pair::new(side(top)?, side(left)?),
            end: Pair::new(side(bottom)?, side(right)?),
        });
    }
    parse_pair(text, FieldKind::Pair { min: 0 })
        .map(Padding::same)
        .map_err(|_| {
            format!(
                "\"{text}\" is not a padding like 1, 1x2 or top,left,bottom,right (each from 0 to {MAX_SPATIAL})"
            )
        })
}

pub fn parse_flag(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "on" | "1" => Ok(true),
        "no" | "n" | "false" | "off" | "0" => Ok(false),
        _ => Err(format!("\"{text}\" is not yes or no (Space flips it)")),
    }
}

pub fn parse_pool_kind(text: &str) -> Result<PoolKind, String> {
    match text.to_ascii_lowercase().as_str() {
        "max" => Ok(PoolKind::Max),
        "avg" | "average" | "mean" => Ok(PoolKind::Avg),
        _ => Err(format!("\"{text}\" is not max or avg (Space flips it)")),
    }
}

/// A dropout probability, 0 ≤ p < 1, in the model's per mille. p = 1 would zero everything and a
/// block file with it does not load, so the form refuses it, and anything that rounds to it.
pub fn parse_probability(text: &str) -> Result<u16, String> {
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
